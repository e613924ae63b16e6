//! Login flows against test servers on 127.0.0.1: nat logs in itself, logs in again when its token
//! expires or a 401 says so (one login for a burst of refusals), refreshes OAuth2 tokens of every
//! identity, and never shows the password, the login answer or a token in its output.

mod common;

use assert_cmd::Command;
use common::{openapi_with_items, Reply, Seen, TestServer};
use nat::checks::jwt_weak_secret::{sign, HmacAlg};
use std::collections::HashSet;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PASSWORD: &str = "pa55-w0rd-for-login-tests";
const SIGNING_KEY: &str = "k-3f9a1c7e5b2d8046c1e9f7a3b5d2c8e0";

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    for var in ["NAT_AUTH_TOKEN", "NAT_AUTH_USER", "NAT_AUTH_PASSWORD"] {
        c.env_remove(var);
    }
    c
}

fn spec_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn bearer(seen: &Seen) -> Option<String> {
    seen.header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
}

/// True when the login request carries the right credentials (JSON or form).
fn good_login(seen: &Seen) -> bool {
    let body = String::from_utf8_lossy(&seen.body);
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) => v["username"] == "alice" && v["password"] == PASSWORD,
        Err(_) => body.contains("username=alice") && body.contains(PASSWORD),
    }
}

/// `nat scan` with alice's login flow (password from NAT_AUTH_PASSWORD), JSON on stdout; asserts
/// exit 0 and returns stdout and stderr.
fn scan(server: &TestServer, spec: &std::path::Path, extra: &[&str]) -> (String, String) {
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec)
        .args(["--auth-login-url", "/login", "--auth-login-user", "alice"])
        .args(["--quiet", "--format", "json", "--fail-on", "none"])
        .args(extra)
        .env("NAT_AUTH_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

#[test]
fn a_token_that_expires_mid_scan_is_renewed_by_logging_in_again() {
    let logins = Arc::new(AtomicUsize::new(0));
    let l2 = logins.clone();
    // Tokens live 2 seconds (JWT `exp`); every item answers slowly so the scan outlives several.
    let server = TestServer::start(move |req| {
        if req.path == "/login" {
            if req.method != "POST" || !good_login(req) {
                return Reply::json(401, r#"{"error":"bad credentials"}"#);
            }
            let n = l2.fetch_add(1, Ordering::SeqCst);
            let claims = serde_json::json!({"sub": "1", "exp": now() + 2, "n": n});
            let token = sign(HmacAlg::Hs256, SIGNING_KEY, &claims);
            return Reply::json(200, &serde_json::json!({"access_token": token}).to_string());
        }
        let valid = bearer(req)
            .and_then(|t| nat::checks::jwt_weak_secret::HmacJwt::parse(&t))
            .filter(|j| j.verifies_with(SIGNING_KEY.as_bytes()))
            .and_then(|j| j.claims.get("exp").and_then(|e| e.as_u64()))
            .is_some_and(|exp| now() < exp);
        if valid {
            Reply::json(200, r#"{"ok":true}"#).with_delay(Duration::from_millis(120))
        } else {
            Reply::json(401, r#"{"error":"expired"}"#)
        }
    });
    let items = 30;
    let spec = spec_file(&openapi_with_items(items));
    let started = Instant::now();
    let (stdout, _) = scan(&server, spec.path(), &["--concurrency", "2"]);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        started.elapsed() > Duration::from_secs(3),
        "the scan was too short to outlive a token"
    );
    assert_eq!(report["summary"]["operations_tested"], items, "{stdout}");
    assert_eq!(report["scan"]["partial"], false);
    let warnings = report["warnings"].as_array().unwrap();
    assert!(
        !warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("failed")),
        "{warnings:?}"
    );
    let n = logins.load(Ordering::SeqCst);
    assert!(n >= 2, "logged in {n} time(s)");
    // Every item's baseline was finally answered 200.
    let seen = server.seen();
    for i in 0..items {
        let path = format!("/items{i}");
        assert!(
            seen.iter().any(|s| s.path == path && bearer(s).is_some()),
            "{path} never sent with a token"
        );
    }
    assert_eq!(report["scan"]["identities"][0]["auth"], "login");
    assert!(!stdout.contains(PASSWORD));
}

#[test]
fn a_401_makes_nat_log_in_again_once_for_a_burst_of_refusals() {
    // Opaque tokens (no expiry nat could know): the server silently ends each session 600 ms after
    // the login, and answers 401 to its token from then on.
    let issued: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let i2 = issued.clone();
    let server = TestServer::start(move |req| {
        let mut issued = i2.lock().unwrap();
        if req.path == "/login" {
            if !good_login(req) {
                return Reply::json(401, r#"{"error":"bad credentials"}"#);
            }
            let token = format!("opaque-session-{}", issued.len() + 1);
            issued.push((token.clone(), Instant::now()));
            return Reply::json(
                200,
                &serde_json::json!({"data": {"token": token}}).to_string(),
            );
        }
        let live = bearer(req).is_some_and(|t| {
            issued
                .iter()
                .any(|(i, at)| *i == t && at.elapsed() < Duration::from_millis(600))
        });
        if live {
            Reply::json(200, r#"{"ok":true}"#).with_delay(Duration::from_millis(60))
        } else {
            Reply::json(401, r#"{"error":"session ended"}"#)
        }
    });
    let items = 30;
    let spec = spec_file(&openapi_with_items(items));
    let (stdout, _) = scan(
        &server,
        spec.path(),
        &[
            "--concurrency",
            "4",
            "--auth-token-pointer",
            "/data/token",
            "--auth-login-form",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["operations_tested"], items, "{stdout}");
    let logins = issued.lock().unwrap().len();
    assert!(logins >= 2, "logged in {logins} time(s)");
    // No login storm: each refused token caused at most one new login.
    let seen = server.seen();
    let refused: HashSet<String> = seen
        .iter()
        .filter(|s| s.path != "/login")
        .filter_map(bearer)
        .filter(|t| {
            let issued = issued.lock().unwrap();
            // Tokens that were refused at some point: all but possibly the last.
            issued.iter().any(|(i, _)| i == t) && issued.last().is_none_or(|(l, _)| l != t)
        })
        .collect();
    assert!(
        logins <= refused.len() + 1,
        "{logins} logins for {} refused tokens",
        refused.len()
    );
    // The form login was a form.
    let login = seen.iter().find(|s| s.path == "/login").unwrap();
    assert_eq!(
        login.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // Every 401 was followed by a retry of the same request with a newer token that succeeded.
    for i in 0..items {
        let path = format!("/items{i}");
        // (The undeclared operations answer the user and refuse anonymous callers, so nat checks
        // them as secured: its anonymous and invalid-token probes come after the user's requests.)
        let last = seen
            .iter()
            .rev()
            .find(|s| {
                s.path == path
                    && bearer(s).is_some_and(|t| t != nat::checks::auth_bypass::INVALID_TOKEN)
            })
            .unwrap();
        let tokens = issued.lock().unwrap();
        let t = bearer(last).unwrap();
        assert!(tokens.iter().any(|(i, _)| *i == t), "{path}");
    }
}

#[test]
fn no_password_login_answer_or_token_reaches_json_or_sarif() {
    let tokens: Arc<Mutex<Vec<String>>> = Arc::default();
    let t2 = tokens.clone();
    // The API echoes everything it received (credentials included) and lacks security headers, so
    // there are findings whose evidence would show them.
    let server = TestServer::start(move |req| {
        if req.path == "/login" {
            if !good_login(req) {
                return Reply::json(401, r#"{"error":"bad credentials"}"#);
            }
            let claims = serde_json::json!({"sub": "1", "exp": now() + 3600});
            let token = sign(HmacAlg::Hs256, SIGNING_KEY, &claims);
            t2.lock().unwrap().push(token.clone());
            return Reply::json(
                200,
                &serde_json::json!({"access_token": token, "echo": String::from_utf8_lossy(&req.body)})
                    .to_string(),
            );
        }
        let echo = serde_json::json!({
            "headers": format!("{:?}", req.headers),
            "body": String::from_utf8_lossy(&req.body),
        });
        Reply::json(200, &echo.to_string())
    });
    let spec = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "echo", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
        "paths": {"/echo": {"get": {"responses": {"200": {"description": "ok"}}}}}
    });
    let spec = spec_file(&spec.to_string());
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let (stdout, stderr) = scan(&server, spec.path(), &["--report", sarif.to_str().unwrap()]);
    let sarif = std::fs::read_to_string(&sarif).unwrap();
    assert!(stdout.contains("NAT-API2-AUTH-BYPASS"), "{stdout}");
    let tokens = tokens.lock().unwrap();
    assert!(!tokens.is_empty());
    for (what, text) in [("json", &stdout), ("sarif", &sarif), ("stderr", &stderr)] {
        assert!(!text.contains(PASSWORD), "the password leaked into {what}");
        for t in tokens.iter() {
            assert!(!text.contains(t.as_str()), "a token leaked into {what}");
            let signature = t.rsplit('.').next().unwrap();
            assert!(
                !text.contains(signature),
                "a token's signature leaked into {what}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_tokens_of_user_b_and_named_identities_are_refreshed_on_401() {
    use nat::engine::{CancellationToken, Events};
    use nat::http::{Auth, HttpClient, HttpConfig, IdentityInfo, RequestSpec, Who};
    use nat::request::ScanRequest;
    let fetched = Arc::new(AtomicUsize::new(0));
    let f2 = fetched.clone();
    let server = TestServer::start(move |req| {
        if req.path == "/token" {
            let n = f2.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(200, &format!(r#"{{"access_token":"oauth-tok-{n}"}}"#));
        }
        // Each identity's first token is refused; a later one works.
        match bearer(req).as_deref() {
            Some("oauth-tok-1") | Some("oauth-tok-3") | None => Reply::json(401, "{}"),
            Some(_) => Reply::json(200, r#"{"ok":true}"#),
        }
    });
    let oauth = format!(
        "{{type: oauth2, oauth2_token_url: '{}/token', oauth2_client_id: c, oauth2_client_secret: s3cr3t-c}}",
        server.url()
    );
    let req = ScanRequest::from_text(&format!(
        "url: {}\nauth_b: {oauth}\nidentities: [{{name: ops, role: admin, auth: {oauth}}}]\n",
        server.url()
    ))
    .unwrap();
    req.validate().unwrap();
    let http = HttpClient::new(
        HttpConfig::from_request(&req).unwrap(),
        None,
        Events::none(),
        CancellationToken::new(),
    )
    .unwrap()
    .with_user_b(req.auth_b.as_ref().and_then(Auth::from_config))
    .with_identities(
        req.identities
            .iter()
            .map(|i| (IdentityInfo::of(i), Auth::from_config(&i.auth)))
            .collect(),
    );
    let get = RequestSpec {
        method: "GET".into(),
        path: "/x".into(),
        ..Default::default()
    };
    let b = http.send(&Who::UserB, &get).await;
    assert!(b.is_success(), "{b:?}");
    let ops = http.send(&Who::Identity(0), &get).await;
    assert!(ops.is_success(), "{ops:?}");
    assert_eq!(fetched.load(Ordering::SeqCst), 4, "one refresh each");
}
