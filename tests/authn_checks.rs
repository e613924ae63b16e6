//! The login and rate-limit checks through the real binary, against test servers on 127.0.0.1 that
//! count what they receive: bursts stay within --max-requests and --rate, go to made-up accounts,
//! and vanish with --no-noisy-checks.

mod common;

use assert_cmd::Command;
use common::{Reply, Seen, TestServer};
use serde_json::{json, Value};
use std::io::Write;
use std::time::Duration;

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    for var in [
        "NAT_AUTH_TOKEN",
        "NAT_AUTH_BASIC",
        "NAT_AUTH_HEADER",
        "NAT_AUTH_B_TOKEN",
    ] {
        c.env_remove(var);
    }
    c
}

/// A description with a public `POST /login` (username, password), a `GET /me` and a public
/// `POST /password-reset`.
fn spec() -> tempfile::NamedTempFile {
    let creds = json!({"type": "object", "properties": {
        "username": {"type": "string"}, "password": {"type": "string"}}});
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "authn test", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": {
            "/login": {"post": {"security": [], "requestBody": {"content": {"application/json": {
                "schema": creds, "example": {"username": "jdoe", "password": "example"}}}},
                "responses": {"401": {"description": "no"}}}},
            "/me": {"get": {"responses": {"200": {"description": "me"}}}},
            "/password-reset": {"post": {"security": [], "requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "properties": {"email": {"type": "string"}}},
                "example": {"email": "jdoe@example.com"}}}},
                "responses": {"202": {"description": "sent"}}}}
        }
    });
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(doc.to_string().as_bytes()).unwrap();
    f
}

fn body(seen: &Seen) -> Value {
    serde_json::from_slice(&seen.body).unwrap_or(Value::Null)
}

/// A server whose login answers every failure alike (optionally telling `alice` apart) and never
/// throttles; `/me` shows alice's username.
fn server(enumerates: bool) -> TestServer {
    TestServer::start(
        move |seen| match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", "/me") => Reply::json(200, r#"{"id":1,"username":"alice"}"#),
            ("POST", "/login") => {
                if enumerates && body(seen)["username"] != "alice" {
                    Reply::json(404, r#"{"error":"no such user"}"#)
                } else {
                    Reply::json(401, r#"{"error":"invalid credentials"}"#)
                }
            }
            ("POST", "/password-reset") => Reply::json(202, r#"{"status":"sent"}"#),
            _ => Reply::json(404, r#"{"error":"not found"}"#),
        },
    )
}

fn scan(server: &TestServer, extra: &[&str]) -> (Option<i32>, Value, String) {
    let spec = spec();
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args(["--quiet", "--format", "json", "--fail-on", "none"])
        .args(extra)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        report,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn checks(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}",
                f["check"].as_str().unwrap(),
                f["endpoint"].as_str().unwrap()
            )
        })
        .collect()
}

/// Login attempts nat made with a wrong password of its own, by username.
fn wrong_password_logins(server: &TestServer) -> Vec<String> {
    server
        .seen()
        .iter()
        .filter(|s| s.path == "/login")
        .map(body)
        .filter(|b| {
            b["password"]
                .as_str()
                .is_some_and(|p| p.starts_with("Nat-wrong-"))
        })
        .map(|b| b["username"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn most_attempts_for_one_account(users: &[String]) -> usize {
    users
        .iter()
        .map(|u| users.iter().filter(|x| *x == u).count())
        .max()
        .unwrap_or(0)
}

#[test]
fn bursts_go_to_a_made_up_account_and_the_noisy_switch_removes_them() {
    let s = server(false);
    let (code, report, err) = scan(&s, &["--auth-bearer", "tok-abcdef"]);
    assert_eq!(code, Some(0), "{err}");
    let found = checks(&report);
    assert!(
        found.contains(&"NAT-API2-NO-BRUTE-FORCE-PROTECTION POST /login".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"NAT-API4-NO-RATE-LIMIT POST /password-reset".to_string()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.contains("USER-ENUMERATION")),
        "{found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f.starts_with("NAT-API4") && f.contains("/login")),
        "{found:?}"
    );
    let users = wrong_password_logins(&s);
    // The known account (learned from GET /me) gets two wrong passwords, never a burst.
    assert_eq!(
        users.iter().filter(|u| *u == "alice").count(),
        2,
        "{users:?}"
    );
    assert_eq!(most_attempts_for_one_account(&users), 20, "{users:?}");
    // The baseline and a burst of 20.
    let resets = s
        .seen()
        .iter()
        .filter(|x| x.path == "/password-reset")
        .count();
    assert!(resets >= 21, "{resets}");

    // --no-noisy-checks: no burst at all, the rest of the scan as before.
    let s = server(false);
    let (code, report, err) = scan(&s, &["--auth-bearer", "tok-abcdef", "--no-noisy-checks"]);
    assert_eq!(code, Some(0), "{err}");
    let found = checks(&report);
    assert!(
        !found
            .iter()
            .any(|f| f.contains("BRUTE") || f.contains("RATE-LIMIT")),
        "{found:?}"
    );
    let users = wrong_password_logins(&s);
    assert!(most_attempts_for_one_account(&users) <= 2, "{users:?}");
    assert!(
        s.seen()
            .iter()
            .filter(|x| x.path == "/password-reset")
            .count()
            < 20
    );

    // Naming a noisy check while noisy checks are off is an input error.
    let s = server(false);
    let (code, _, err) = scan(
        &s,
        &["--no-noisy-checks", "--check", "NAT-API4-NO-RATE-LIMIT"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("noisy"), "{err}");
}

#[test]
fn bursts_respect_max_requests_rate_and_burst_size() {
    let brute = [
        "--check",
        "NAT-API2-NO-BRUTE-FORCE-PROTECTION",
        "--auth-bearer",
        "tok-abcdef",
    ];
    let s = server(false);
    let mut args = brute.to_vec();
    args.extend(["--max-requests", "12"]);
    let (code, report, err) = scan(&s, &args);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        s.seen().len() <= 12,
        "{} requests with --max-requests 12",
        s.seen().len()
    );
    assert_eq!(report["scan"]["partial"], true);
    assert!(
        checks(&report).is_empty(),
        "an incomplete burst proves nothing"
    );

    let s = server(false);
    let mut args = brute.to_vec();
    args.extend(["--burst-size", "6", "--rate", "20"]);
    let (code, report, err) = scan(&s, &args);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        checks(&report),
        ["NAT-API2-NO-BRUTE-FORCE-PROTECTION POST /login"]
    );
    let brute_finding = &report["findings"][0]["evidence"]["request"];
    assert!(brute_finding.as_str().unwrap().contains("attempt 6 of 6"));
    assert_eq!(most_attempts_for_one_account(&wrong_password_logins(&s)), 6);
    let seen = s.seen();
    let min_gap = seen
        .windows(2)
        .map(|w| w[1].at.duration_since(w[0].at))
        .min()
        .unwrap();
    assert!(
        min_gap >= Duration::from_millis(35),
        "{min_gap:?} apart with --rate 20"
    );
}

#[test]
fn enumeration_with_the_basic_auth_username_and_no_burst_for_real_accounts() {
    let s = server(true);
    let (code, report, err) = scan(&s, &["--auth-basic", "alice:Real-Secret-Pass"]);
    assert_eq!(code, Some(0), "{err}");
    let found = checks(&report);
    assert!(
        found.contains(&"NAT-API2-USER-ENUMERATION POST /login".to_string()),
        "{found:?}"
    );
    assert!(!found.iter().any(|f| f.contains("BRUTE")), "{found:?}");
    let text = report.to_string();
    assert!(!text.contains("Real-Secret-Pass"));
    assert!(
        text.contains("the scan's credentials (auth.username)"),
        "{text}"
    );
    assert!(
        report["warnings"]
            .to_string()
            .contains("brute-force protection not tested"),
        "{}",
        report["warnings"]
    );
    // No burst at all: unknown accounts are told apart, and alice only got two wrong passwords.
    let users = wrong_password_logins(&s);
    assert!(most_attempts_for_one_account(&users) <= 2, "{users:?}");
    // The user's real password never went to the login.
    assert!(!s.seen().iter().any(
        |x| x.path == "/login" && String::from_utf8_lossy(&x.body).contains("Real-Secret-Pass")
    ));
}

#[test]
fn no_known_account_no_enumeration_probe_and_a_warning() {
    let s = server(true);
    let (code, report, err) = scan(&s, &["--check", "NAT-API2-USER-ENUMERATION"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(checks(&report).is_empty());
    assert!(
        report["warnings"]
            .to_string()
            .contains("user enumeration not tested"),
        "{}",
        report["warnings"]
    );
    assert!(wrong_password_logins(&s).is_empty());
}

#[test]
fn throttled_logins_and_limited_operations_are_not_reported() {
    // 429 with Retry-After from the fifth login attempt of one account; rate-limit headers on resets.
    let counts = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::<
        String,
        u32,
    >::new()));
    let c = counts.clone();
    let s = TestServer::start(
        move |seen| match (seen.method.as_str(), seen.path.as_str()) {
            ("GET", "/me") => Reply::json(200, r#"{"username":"alice"}"#),
            ("POST", "/login") => {
                let user = body(seen)["username"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let mut counts = c.lock().unwrap();
                let n = counts.entry(user).or_default();
                *n += 1;
                if *n > 4 {
                    let mut r = Reply::json(429, r#"{"error":"slow down"}"#);
                    r.headers.push(("Retry-After".into(), "30".into()));
                    r
                } else {
                    Reply::json(401, r#"{"error":"invalid credentials"}"#)
                }
            }
            ("POST", "/password-reset") => {
                let mut r = Reply::json(202, r#"{"status":"sent"}"#);
                r.headers
                    .push(("X-RateLimit-Remaining".into(), "99".into()));
                r
            }
            _ => Reply::json(404, "{}"),
        },
    );
    let (code, report, err) = scan(&s, &["--auth-bearer", "tok-abcdef"]);
    assert_eq!(code, Some(0), "{err}");
    let found = checks(&report);
    assert!(
        !found
            .iter()
            .any(|f| f.contains("BRUTE") || f.contains("RATE-LIMIT") || f.contains("ENUMERATION")),
        "{found:?}"
    );
    // The burst stopped at the first 429.
    assert_eq!(most_attempts_for_one_account(&wrong_password_logins(&s)), 5);
}

#[test]
fn a_validation_error_for_made_up_accounts_alone_is_not_enumeration() {
    // Usernames must look like `alice` (letters, at most 8): nat's made-up ones fail validation.
    let s = TestServer::start(|seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("POST", "/login") => {
            if body(seen)["username"].as_str().is_some_and(|u| u.len() > 8) {
                Reply::json(422, r#"{"error":"username: at most 8 letters"}"#)
            } else {
                Reply::json(401, r#"{"error":"invalid credentials"}"#)
            }
        }
        _ => Reply::json(404, "{}"),
    });
    let (code, report, err) = scan(
        &s,
        &[
            "--auth-basic",
            "alice:pw-123456",
            "--check",
            "NAT-API2-USER-ENUMERATION",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(checks(&report).is_empty(), "{:?}", checks(&report));
}
