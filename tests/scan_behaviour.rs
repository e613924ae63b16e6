//! The real binary against test servers on 127.0.0.1 that measure what nat does: concurrency, rate,
//! request budget, exclusion, exit codes, hostile answers and secrets.

mod common;

use assert_cmd::Command;
use common::{openapi_with_items, Reply, TestServer};
use std::io::Write;
use std::time::Duration;

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    c.env_remove("NAT_AUTH_TOKEN");
    c
}

fn spec_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

/// A spec file with these `paths` (OpenAPI 3.0.3, title `t`).
fn openapi_file(paths: serde_json::Value) -> tempfile::NamedTempFile {
    spec_file(
        &serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": paths
        })
        .to_string(),
    )
}

/// `nat scan URL --spec FILE --quiet --format json --fail-on none EXTRA…`: asserts exit 0 and returns
/// the JSON report.
fn scan_json(url: &str, spec: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = nat()
        .args(["scan", url, "--spec"])
        .arg(spec)
        .args(["--quiet", "--format", "json", "--fail-on", "none"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A server where every item answers slowly, so parallel requests overlap.
fn slow_items(delay_ms: u64) -> TestServer {
    TestServer::start(move |_| {
        Reply::json(200, r#"{"ok":true}"#).with_delay(Duration::from_millis(delay_ms))
    })
}

#[test]
fn concurrency_is_honoured_as_measured_by_the_server() {
    let server = slow_items(150);
    let spec = spec_file(&openapi_with_items(12));
    scan_json(&server.url(), spec.path(), &["--concurrency", "3"]);
    let max = server.max_in_flight();
    assert!(
        max <= 3,
        "{max} requests were in flight at once with --concurrency 3"
    );
    assert!(
        max >= 2,
        "requests never overlapped (max {max}): concurrency is not used"
    );

    let server = slow_items(150);
    nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args(["--concurrency", "1", "--quiet", "--fail-on", "none"])
        .assert()
        .code(0);
    assert_eq!(server.max_in_flight(), 1);
}

#[test]
fn rate_is_honoured_as_measured_by_the_server() {
    let server = slow_items(0);
    let spec = spec_file(&openapi_with_items(6));
    nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args([
            "--rate",
            "10",
            "--concurrency",
            "5",
            "--quiet",
            "--fail-on",
            "none",
        ])
        .assert()
        .code(0);
    let seen = server.seen();
    assert!(seen.len() >= 8, "only {} requests", seen.len());
    // At 10 requests per second, n requests span at least (n-1)/10 s (5% slack for clock jitter).
    let span = seen
        .last()
        .unwrap()
        .at
        .duration_since(seen[0].at)
        .as_secs_f64();
    let floor = (seen.len() - 1) as f64 / 10.0 * 0.95;
    assert!(
        span >= floor,
        "{} requests in {span:.3}s with --rate 10 (expected >= {floor:.3}s)",
        seen.len()
    );
    // And no two requests closer than the period allows, give or take scheduling.
    let min_gap = seen
        .windows(2)
        .map(|w| w[1].at.duration_since(w[0].at))
        .min()
        .unwrap();
    assert!(
        min_gap >= Duration::from_millis(70),
        "two requests {min_gap:?} apart with --rate 10"
    );
}

#[test]
fn max_requests_is_a_hard_cap_and_marks_the_report_partial() {
    let server = slow_items(0);
    let spec = spec_file(&openapi_with_items(20));
    let report = scan_json(&server.url(), spec.path(), &["--max-requests", "7"]);
    assert_eq!(
        server.seen().len(),
        7,
        "the server saw {} requests",
        server.seen().len()
    );
    assert_eq!(report["scan"]["partial"], true);
    assert_eq!(report["summary"]["requests_sent"], 7);
    // The coverage says which operations the budget cut short, and why.
    let coverage = report["coverage"].as_array().unwrap();
    assert_eq!(coverage.len(), 20);
    let cut: Vec<&serde_json::Value> = coverage
        .iter()
        .filter(|e| e["status"] == "not_completed")
        .collect();
    assert!(!cut.is_empty(), "{coverage:#?}");
    assert!(cut.iter().all(|e| e["reason"]
        .as_str()
        .unwrap()
        .ends_with("the request budget was spent (--max-requests)")));
    // Every request is counted under some operation or before them: no more than were sent.
    let counted: u64 = coverage
        .iter()
        .map(|e| e["requests"].as_u64().unwrap())
        .sum();
    assert!(counted <= 7, "{counted}");
}

#[test]
fn exclude_really_skips_operations() {
    let server = slow_items(0);
    let spec = spec_file(&openapi_with_items(12));
    let report = scan_json(&server.url(), spec.path(), &["--exclude", "/items1*"]);
    let paths: Vec<String> = server.seen().iter().map(|s| s.path.clone()).collect();
    assert!(
        paths.iter().all(|p| !p.starts_with("/items1")),
        "excluded paths were requested: {paths:?}"
    );
    assert!(paths.iter().any(|p| p == "/items2"), "{paths:?}");
    assert_eq!(report["summary"]["operations_excluded"], 3); // items1, items10, items11
    assert_eq!(report["summary"]["operations_tested"], 9);
    let excluded: Vec<&str> = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "not_sent")
        .map(|e| {
            assert_eq!(e["reason"], "excluded (--exclude)");
            assert_eq!(e["requests"], 0);
            e["endpoint"].as_str().unwrap()
        })
        .collect();
    assert_eq!(excluded, ["GET /items1", "GET /items10", "GET /items11"]);
}

#[test]
fn unreachable_target_exits_3() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let spec = spec_file(&openapi_with_items(1));
    let out = nat()
        .args(["scan", &format!("http://127.0.0.1:{port}"), "--spec"])
        .arg(spec.path())
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach target"), "{err}");
    // Discovery against a dead target is also "cannot run", not "no spec".
    let out = nat()
        .args(["scan", &format!("http://127.0.0.1:{port}"), "--quiet"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn invalid_spec_exits_2_naming_file_place_and_reason() {
    let server = slow_items(0);
    let spec = spec_file(
        "{\"openapi\": \"3.0.3\",\n \"info\": {\"title\": \"x\", \n \"version\": 1,,}\n}",
    );
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let name = spec.path().display().to_string();
    assert!(err.contains(&name), "{err}");
    assert!(err.contains(":3:"), "no line number in: {err}");
    assert!(
        server.seen().is_empty(),
        "nat sent traffic despite an invalid spec"
    );
}

#[test]
fn no_spec_found_by_discovery_exits_2_and_says_so() {
    let server = TestServer::start(|_| Reply::json(404, r#"{"error":"not found"}"#));
    let out = nat()
        .args(["scan", &server.url(), "--quiet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no API description found") && err.contains("/openapi.json"),
        "{err}"
    );
}

#[test]
fn discovery_finds_the_description_on_the_target() {
    let spec = openapi_with_items(2);
    let server = TestServer::start(move |req| match req.path.as_str() {
        "/swagger.json" => Reply::json(200, &spec),
        p if p.starts_with("/items") => Reply::json(200, "{}"),
        _ => Reply::json(404, "{}"),
    });
    let out = nat()
        .args(["scan", &server.url(), "--quiet", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["operations_discovered"], 2);
    assert!(report["scan"]["spec"]
        .as_str()
        .unwrap()
        .ends_with("/swagger.json"));
}

/// An OpenAPI document with one authenticated GET whose answer lacks the security headers: a single
/// low finding.
fn one_low_finding_server() -> (TestServer, tempfile::NamedTempFile) {
    let spec = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "low", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
        "paths": {"/me": {"get": {"responses": {"200": {"description": "ok"}}}}}
    });
    let server = TestServer::start(|req| {
        if req.header("authorization") == Some("Bearer good-token-123") {
            Reply::json(200, r#"{"id":1,"name":"alice"}"#)
        } else {
            Reply::json(401, r#"{"error":"unauthorized"}"#)
        }
    });
    (server, spec_file(&spec.to_string()))
}

#[test]
fn exit_code_matrix_for_fail_on() {
    let (server, spec) = one_low_finding_server();
    for (fail_on, code) in [
        ("critical", 0),
        ("high", 0),
        ("medium", 0),
        ("low", 1),
        ("info", 1),
        ("none", 0),
    ] {
        let out = nat()
            .args(["scan", &server.url(), "--spec"])
            .arg(spec.path())
            .args([
                "--auth-bearer",
                "good-token-123",
                "--quiet",
                "--fail-on",
                fail_on,
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "--fail-on {fail_on}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The default is high.
    nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args(["--auth-bearer", "good-token-123", "--quiet"])
        .assert()
        .code(0);
}

#[test]
fn secrets_never_reach_the_report_even_when_the_target_echoes_them() {
    let spec = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "echo", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
        "paths": {"/echo": {"get": {"responses": {"200": {"description": "ok"}}}}}
    });
    // Answers everyone (an auth bypass) and echoes the Authorization header back.
    let server = TestServer::start(|req| {
        let auth = req.header("authorization").unwrap_or("").to_string();
        Reply::json(
            200,
            &serde_json::json!({"you_sent": auth, "data": [1, 2, 3]}).to_string(),
        )
    });
    let spec = spec_file(&spec.to_string());
    let secret = "s3cr3t-token-value-0123456789";
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args(["--quiet", "--format", "json", "--fail-on", "none"])
        .env("NAT_AUTH_TOKEN", secret)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("NAT-API2-AUTH-BYPASS"), "{stdout}");
    assert!(
        !stdout.contains(secret) && !stderr.contains(secret),
        "secret leaked"
    );
    assert!(stdout.contains("<redacted>"));
}

#[test]
fn hostile_answers_neither_hang_nor_crash_nat() {
    let big = vec![b'x'; 20 * 1024 * 1024];
    let server = TestServer::start(move |req| match req.path.as_str() {
        // One byte every 300 ms: an idle timeout would never fire.
        "/items0" => Reply {
            status: 200,
            body: vec![b'a'; 100],
            drip: Some(Duration::from_millis(300)),
            ..Default::default()
        },
        // 20 MiB of body.
        "/items1" => Reply {
            status: 200,
            body: big.clone(),
            ..Default::default()
        },
        // Deeply nested JSON.
        "/items2" => Reply::json(
            200,
            &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        // Garbage content type and status.
        "/items3" => Reply {
            status: 599,
            headers: vec![("Content-Type".into(), "\u{1}/\u{2}".into())],
            body: b"\xff\xfe".to_vec(),
            ..Default::default()
        },
        _ => Reply::json(200, "{}"),
    });
    let spec = spec_file(&openapi_with_items(5));
    let started = std::time::Instant::now();
    let report = scan_json(&server.url(), spec.path(), &["--timeout", "2"]);
    assert!(started.elapsed() < Duration::from_secs(60));
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("GET /items0") && warnings.contains("2s"),
        "{warnings}"
    );
    assert_eq!(report["summary"]["operations_tested"], 5);
}

#[test]
fn ctrl_c_stops_the_scan_cleanly_and_still_prints_partial_results() {
    let server = slow_items(300);
    let spec = spec_file(&openapi_with_items(30));
    let bin = assert_cmd::cargo::cargo_bin("nat");
    let child = std::process::Command::new(bin)
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args([
            "--concurrency",
            "1",
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the scan is under way, as the server sees it.
    let started = std::time::Instant::now();
    while server.seen().len() < 3 && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a report after Ctrl-C");
    assert_eq!(report["scan"]["partial"], true);
    let tested = report["summary"]["operations_tested"].as_u64().unwrap();
    assert!(
        tested < 30,
        "the scan went on after Ctrl-C ({tested} operations)"
    );
    assert!(server.seen().len() < 30);
}

#[test]
fn oauth2_token_is_fetched_cached_refreshed_on_401_and_never_reported() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let issued = Arc::new(AtomicUsize::new(0));
    let i2 = issued.clone();
    let spec = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "oauth", "version": "1"},
        "components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {}}}},
        "security": [{"o": []}],
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}},
                  "/b": {"get": {"responses": {"200": {"description": "ok"}}}}}
    });
    let server = TestServer::start(move |req| {
        if req.path == "/token" {
            // client_secret_basic: base64("cid:csecret-xyz")
            if req.header("authorization") != Some("Basic Y2lkOmNzZWNyZXQteHl6") {
                return Reply::json(401, r#"{"error":"invalid_client"}"#);
            }
            let n = i2.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(
                200,
                &format!(r#"{{"access_token":"access-{n}-abcdef","expires_in":3600}}"#),
            );
        }
        // The first token "expires" at once: only the second is accepted.
        if req.header("authorization") == Some("Bearer access-2-abcdef") {
            let mut r = Reply::json(200, r#"{"id":1}"#);
            r.headers
                .push(("X-Content-Type-Options".into(), "nosniff".into()));
            r.headers.push(("Cache-Control".into(), "no-store".into()));
            r
        } else {
            Reply::json(401, r#"{"error":"expired"}"#)
        }
    });
    let spec = spec_file(&spec.to_string());
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args([
            "--oauth2-token-url",
            &format!("{}/token", server.url()),
            "--oauth2-client-id",
            "cid",
        ])
        .args([
            "--quiet",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--concurrency",
            "1",
        ])
        .env("NAT_OAUTH2_CLIENT_SECRET", "csecret-xyz")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One token, rejected; one refresh; then cached for the rest of the scan.
    assert_eq!(issued.load(Ordering::SeqCst), 2, "tokens issued");
    let ok = server
        .seen()
        .iter()
        .filter(|s| s.header("authorization") == Some("Bearer access-2-abcdef"))
        .count();
    assert!(ok >= 2, "the refreshed token was not reused");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("access-2-abcdef") && !stdout.contains("csecret-xyz"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{stdout}");
}

#[test]
fn extra_headers_and_proxy_carry_every_request() {
    // The test server plays the proxy: a proxied request arrives in absolute form.
    let proxy = TestServer::start(|_| Reply::json(200, "{}"));
    let spec = spec_file(&openapi_with_items(2));
    let out = nat()
        .args(["scan", "http://127.0.0.1:9", "--spec"])
        .arg(spec.path())
        .args([
            "--proxy",
            &proxy.url(),
            "--header",
            "X-Scan-Run: 42",
            "--quiet",
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = proxy.seen();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|s| s.path.starts_with("http://127.0.0.1:9/")),
        "{:?}",
        seen.iter().map(|s| &s.path).collect::<Vec<_>>()
    );
    assert!(seen.iter().all(|s| s.header("x-scan-run") == Some("42")));
}

/// Regression (issue 10, defect 4): `--auth-bearer "$(cat token.txt)"` with a stray line made nat exit
/// 3 "cannot reach target … failed to parse header value". A value that cannot travel in a header is
/// a usage error (exit 2) naming the flag, found before any request, without repeating the secret;
/// the same for every identity's credentials in a config file.
#[test]
fn a_credential_with_a_line_break_is_a_usage_error_before_any_request() {
    let server = TestServer::start(|_| Reply::json(200, "{}"));
    let spec = spec_file(&openapi_with_items(1));
    let secret = "s3cr3t-TOKEN\nsecond-line";
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--auth-bearer".into(), secret.into()], "--auth-bearer"),
        (
            vec!["--auth-header".into(), format!("X-Key: {secret}")],
            "--auth-header",
        ),
        (
            vec![
                "--auth-bearer".into(),
                "ok".into(),
                "--auth-b-bearer".into(),
                secret.into(),
            ],
            "--auth-b-bearer",
        ),
        (
            vec!["--auth-b-header".into(), format!("X-Key: {secret}")],
            "--auth-b-header",
        ),
        (
            vec!["--header".into(), format!("Cookie: {secret}")],
            "--header",
        ),
    ];
    for (args, flag) in cases {
        let out = nat()
            .args(["scan", &server.url(), "--spec"])
            .arg(spec.path())
            .arg("--quiet")
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains("line break"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("s3cr3t"),
            "the secret is not repeated: {stderr}"
        );
    }
    // From the environment, the message names the flag and the variable.
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .env("NAT_AUTH_TOKEN", secret)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("NAT_AUTH_TOKEN"), "{stderr}");
    // A config file: user B's and an identity's credentials are checked as well.
    for (field, auth) in [
        ("auth_b.token", r#""auth_b": {"token": "a\nb"}"#),
        (
            "identities[0].auth.header_value",
            r#""identities": [{"name": "root", "role": "admin", "auth": {"header_name": "X-K", "header_value": "a\nb"}}]"#,
        ),
    ] {
        let config = spec_file(&format!(r#"{{"url": "{}", {auth}}}"#, server.url()));
        let out = nat()
            .args(["scan", "--spec"])
            .arg(spec.path())
            .arg("--config")
            .arg(config.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{field}: {stderr}");
        assert!(stderr.contains(field), "{stderr}");
    }
    assert!(server.seen().is_empty(), "nothing was sent");
}

/// A server that drops a keep-alive connection after every answer without saying so (uvicorn after
/// a 500), the next request on it unanswered.
fn connection_dropper() -> TestServer {
    TestServer::start(|_| Reply {
        close_next: true,
        ..Reply::json(500, r#"{"detail":"Internal Server Error"}"#)
    })
}

/// Issue 15, cause 7: requests lost on a pooled connection the server had closed were neither
/// retried nor reported. An idempotent request is sent once more on a fresh connection; a POST is
/// never repeated (it may have been processed) and goes out on a fresh connection from the start.
#[test]
fn requests_lost_on_a_closed_pooled_connection_are_retried_or_reported() {
    let server = connection_dropper();
    let spec = spec_file(&openapi_with_items(3));
    let report = scan_json(&server.url(), spec.path(), &["--concurrency", "1"]);
    let retried = report["summary"]["requests_retried"].as_u64().unwrap();
    assert!(retried >= 1, "{}", report["summary"]);
    assert_eq!(
        report["summary"]["requests_failed"], 0,
        "{}",
        report["warnings"]
    );
    let warnings = report["warnings"].to_string();
    assert!(!warnings.contains("got no answer"), "{warnings}");
    assert!(!warnings.contains("baseline request failed"), "{warnings}");

    let server = connection_dropper();
    let spec = openapi_file(serde_json::json!({"/orders": {"post": {
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"item": {"type": "string"}}}}}},
                "responses": {"201": {"description": "created"}}}}}));
    // A POST never goes out on a pooled connection an earlier answer may have left half-closed, so
    // none is lost, and none is sent twice.
    let report = scan_json(&server.url(), spec.path(), &["--concurrency", "1"]);
    assert_eq!(
        report["summary"]["requests_failed"], 0,
        "{}",
        report["warnings"]
    );
    // The server saw each POST nat lists as sent, once.
    let posts = server.seen().iter().filter(|s| s.method == "POST").count();
    let listed = report["writes"].as_array().unwrap().len();
    assert_eq!(posts, listed, "{}", report["writes"]);
    // What still gets no answer is counted under its operation and named in the warnings.
    let server = TestServer::start(|s| {
        let r = Reply::json(200, r#"{"ok":true}"#);
        if s.path.starts_with("/items1") {
            r.with_delay(Duration::from_secs(3))
        } else {
            r
        }
    });
    let spec = spec_file(&openapi_with_items(2));
    let report = scan_json(&server.url(), spec.path(), &["--timeout", "1"]);
    assert!(report["summary"]["requests_failed"].as_u64().unwrap() >= 1);
    assert!(
        report["warnings"].as_array().unwrap().iter().any(|w| {
            let w = w.as_str().unwrap();
            w.starts_with("GET /items1: ") && w.contains("got no answer")
        }),
        "{}",
        report["warnings"]
    );
}

/// Issue 15, cause 8: SQL injection was reported (high, firm) from one quote and one database error
/// text, with no control. A server that answers any quote, escaped or not, with an SQL-looking error
/// (a validator that echoes the driver's message, say) is not injectable: the doubled quote is the
/// control. One whose error comes and goes is not proven either.
#[test]
fn sql_error_text_needs_the_error_twice_and_a_clean_control() {
    let spec = openapi_file(serde_json::json!({"/search": {"get": {
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "example": "widget"}}],
                "responses": {"200": {"description": "ok"}}}}}));
    let sql_error = || {
        Reply::json(
            500,
            r#"{"error":"SQLITE_ERROR: near \"'\": syntax error in SELECT * FROM items WHERE q = ?"}"#,
        )
    };
    let any_quote = TestServer::start(move |s| {
        if s.path.contains("%27") || s.path.contains('\'') {
            sql_error()
        } else {
            Reply::json(200, r#"{"items":[]}"#)
        }
    });
    let flaky_count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = flaky_count.clone();
    let flaky = TestServer::start(move |s| {
        let quote = s.path.contains("%27") || s.path.contains('\'');
        if quote && c.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            sql_error()
        } else {
            Reply::json(200, r#"{"items":[]}"#)
        }
    });
    let injectable = TestServer::start(move |s| {
        // An odd number of quotes breaks the statement, an even number (escaped) does not.
        let quotes = s.path.matches("%27").count() + s.path.matches('\'').count();
        if quotes % 2 == 1 {
            sql_error()
        } else {
            Reply::json(200, r#"{"items":[]}"#)
        }
    });
    let sqli = |server: &TestServer| -> usize {
        let report = scan_json(&server.url(), spec.path(), &["--check", "NAT-INJ-SQLI"]);
        report["findings"].as_array().unwrap().len()
    };
    assert_eq!(
        sqli(&any_quote),
        0,
        "an error for escaped quotes too proves nothing"
    );
    assert_eq!(sqli(&flaky), 0, "an error seen once proves nothing");
    assert_eq!(
        sqli(&injectable),
        1,
        "an unescaped quote that breaks it twice does"
    );
}

/// Issue 15, cause 8: the brute-force check counted 67 answers of 422 (the login request was
/// invalid, no login was ever processed) as failed logins. Answers the API gives to a request it
/// rejects as malformed make the login checks inconclusive, with a warning quoting what it rejected.
#[test]
fn a_login_that_rejects_nats_request_as_invalid_proves_nothing() {
    let server = TestServer::start(|s| {
        if s.method == "POST" && s.path.starts_with("/login") {
            Reply::json(
                422,
                r#"{"detail":[{"loc":["body","grant_type"],"msg":"string does not match regex \"^password$\"","type":"value_error.str.regex"}]}"#,
            )
        } else {
            Reply::json(200, r#"{"ok":true}"#)
        }
    });
    let spec = openapi_file(serde_json::json!({"/login": {"post": {
                "security": [],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}}}}}},
                "responses": {"200": {"description": "ok"}, "401": {"description": "wrong"}}}}}));
    let report = scan_json(
        &server.url(),
        spec.path(),
        &[
            "--auth-basic",
            "alice:pw",
            "--check",
            "NAT-API2-NO-BRUTE-FORCE-PROTECTION",
            "--check",
            "NAT-API2-USER-ENUMERATION",
        ],
    );
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "{}",
        report["findings"]
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("POST /login: user enumeration and brute-force protection not tested")
            && warnings.contains("rejected nat's request as invalid (422")
            && warnings.contains("grant_type"),
        "{warnings}"
    );
}

/// Issue 15, cause 5: with `--destructive` nat changed the scan user's password to a spec example and
/// every later login failed. A write that changes credentials is sent in no mode, and said so.
#[test]
fn a_credential_change_is_never_sent_even_when_destructive() {
    let server = TestServer::start(|_| Reply::json(200, r#"{"ok":true}"#));
    let spec = openapi_file(serde_json::json!({
        "/users/{username}/password": {"put": {
            "parameters": [{"name": "username", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"password": {"type": "string", "example": "hunter2"}}}}}},
            "responses": {"204": {"description": "changed"}}}},
        "/users/{username}": {"get": {
            "parameters": [{"name": "username", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok"}}}}
    }));
    let report = scan_json(
        &server.url(),
        spec.path(),
        &["--destructive", "--auth-bearer", "t0k"],
    );
    assert!(
        !server.seen().iter().any(|s| s.path.contains("/password")),
        "{:?}",
        server
            .seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect::<Vec<_>>()
    );
    assert!(report["warnings"].as_array().unwrap().iter().any(|w| w
        .as_str()
        .unwrap()
        .starts_with("PUT /users/{username}/password: not sent (`password`")));
    assert!(
        server.seen().iter().any(|s| s.method == "GET"),
        "the rest is scanned"
    );
}

/// Issue 15, cause 6: nat's own boundary-value probe (a huge integer `depth`) took a target down;
/// while it restarted nat's requests to other operations failed and it skipped them for the rest of
/// the scan, reporting nothing about the probe. Now nat pauses, waits for the target, reports the
/// request that took it down (API4, firm when it happened twice, then never sent again) and scans
/// everything else.
#[test]
fn a_probe_that_takes_the_target_down_is_reported_and_the_scan_goes_on() {
    let server = TestServer::start(|s| {
        let depth: Option<u128> = s
            .path
            .split_once("depth=")
            .and_then(|(_, v)| v.split('&').next())
            .and_then(|v| v.parse().ok());
        if s.path.starts_with("/tree") && depth.is_some_and(|d| d > 1_000_000) {
            Reply {
                down_for: Some(Duration::from_millis(1500)),
                ..Reply::json(500, "{}")
            }
        } else {
            Reply::json(200, r#"{"ok":true}"#)
        }
    });
    let mut doc: serde_json::Value = serde_json::from_str(&openapi_with_items(4)).unwrap();
    doc["paths"]["/tree"] = serde_json::json!({"get": {
        "parameters": [{"name": "depth", "in": "query", "required": true,
                        "schema": {"type": "integer", "example": 3}}],
        "responses": {"200": {"description": "ok"}}}});
    let spec = spec_file(&doc.to_string());
    let report = scan_json(&server.url(), spec.path(), &["--concurrency", "2"]);
    let outage: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "NAT-API4-TARGET-OUTAGE")
        .collect();
    assert_eq!(outage.len(), 1, "{}", report["findings"]);
    assert_eq!(outage[0]["endpoint"], "GET /tree");
    assert!(outage[0]["evidence"]["request"]
        .as_str()
        .unwrap()
        .contains("the target stopped answering after this request and came back"));
    assert_eq!(report["scan"]["partial"], false, "{}", report["warnings"]);
    assert_eq!(report["summary"]["operations_tested"], 5);
    let warnings = report["warnings"].to_string();
    assert!(!warnings.contains("baseline request failed"), "{warnings}");
    // No request that caused an outage twice went out a third time.
    let boom = |s: &&common::Seen| s.path.starts_with("/tree") && s.path.contains("depth=9");
    let by_path = server.seen().iter().filter(boom).fold(
        std::collections::HashMap::<String, usize>::new(),
        |mut m, s| {
            *m.entry(s.path.clone()).or_default() += 1;
            m
        },
    );
    assert!(by_path.values().all(|n| *n <= 2), "{by_path:?}");
}

/// Issue 15, cause 9: an API that declares no `securitySchemes` and takes its JWT in a raw
/// `authorization` header: the checks that start from "the description secures this operation" never
/// ran. An operation whose user's read is answered and whose anonymous read is refused is secured in
/// fact (said in the warnings), and checked as such: here, one that takes any token is an auth bypass;
/// its twin, which checks the token, is not.
#[test]
fn security_the_description_does_not_declare_is_inferred_from_the_answers() {
    let server = TestServer::start(|s| {
        let token = s.header("authorization").unwrap_or_default();
        let allowed = match s.path.as_str() {
            "/vuln/profile" => !token.is_empty(),
            "/fixed/profile" => token == "good-token",
            _ => true,
        };
        if allowed {
            Reply::json(
                200,
                r#"{"name":"luke","email":"luke@rebels.test","plan":"gold"}"#,
            )
        } else {
            Reply::json(401, r#"{"detail":"Not authenticated"}"#)
        }
    });
    let get = serde_json::json!({"get": {"responses": {"200": {"description": "ok"}}}});
    let spec = openapi_file(serde_json::json!({"/vuln/profile": get, "/fixed/profile": get}));
    let report = scan_json(
        &server.url(),
        spec.path(),
        &[
            "--auth-header",
            "authorization: good-token",
            "--check",
            "NAT-API2-AUTH-BYPASS",
        ],
    );
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["endpoint"].as_str().unwrap(),
                f["check"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("GET /vuln/profile", "NAT-API2-AUTH-BYPASS")],
        "{}",
        report["findings"]
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("GET /fixed/profile: treated as secured")
            && warnings.contains("GET /vuln/profile: treated as secured"),
        "{warnings}"
    );
    // The coverage says so per operation: security inferred, the check run, sent as the user and
    // anonymously (the refusal the inference rests on).
    let coverage = report["coverage"].as_array().unwrap();
    assert_eq!(coverage.len(), 2, "{coverage:#?}");
    for e in coverage {
        assert_eq!(e["security"], "inferred", "{e:#}");
        assert_eq!(e["status"], "probed", "{e:#}");
        assert_eq!(
            e["checks_run"],
            serde_json::json!(["NAT-API2-AUTH-BYPASS"]),
            "{e:#}"
        );
        assert_eq!(
            e["identities"],
            serde_json::json!(["user", "anonymous"]),
            "{e:#}"
        );
    }
    // Without credentials nothing is inferred: the description's word stands.
    let report = scan_json(
        &server.url(),
        spec.path(),
        &["--check", "NAT-API2-AUTH-BYPASS"],
    );
    for e in report["coverage"].as_array().unwrap() {
        assert_eq!(e["security"], "none", "{e:#}");
        assert_eq!(
            e["checks_skipped"][0]["reason"], "the description requires no credential for it",
            "{e:#}"
        );
    }
}

#[test]
fn a_body_pattern_is_met_and_one_nat_cannot_generate_is_a_warning() {
    // A validating API: 422 unless `grant_type` matches `^password$` (the OAuth2 form FastAPI
    // describes); `hint` has a look-ahead nat cannot generate, so it is optional and left out.
    let server = TestServer::start(|seen| {
        let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        if body["grant_type"] == "password" && body.get("hint").is_none() {
            Reply::json(200, r#"{"ok":true}"#)
        } else {
            Reply::json(
                422,
                r#"{"detail":[{"loc":["body","grant_type"],"msg":"String should match pattern '^password$'","type":"string_pattern_mismatch"}]}"#,
            )
        }
    });
    let spec = spec_file(
        r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/token": {"post": {
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["grant_type"],
                "properties": {
                    "grant_type": {"anyOf": [{"type": "string", "pattern": "^password$"}, {"type": "null"}]},
                    "hint": {"type": "string", "pattern": "^(?!x).+$"}
                }}}}},
            "responses": {"200": {"description": "ok"}}}}}}"#,
    );
    let report = scan_json(&server.url(), spec.path(), &[]);
    let first = server
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .expect("the operation was sent");
    let body: serde_json::Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(body, serde_json::json!({"grant_type": "password"}));
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert!(
        warnings.contains(&"POST /token: body field hint: pattern `^(?!x).+$` cannot be generated (look-around, including look-ahead and look-behind, is not supported); optional, left out"),
        "{warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("answered 422")),
        "{warnings:#?}"
    );
}

#[test]
fn a_422_with_fastapi_detail_repairs_the_baseline_once_and_keeps_the_message() {
    // The description does not list `kind`'s values nor the `channel` field; the API says both.
    let server = TestServer::start(|seen| {
        let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        let mut detail = Vec::new();
        if !matches!(body["kind"].as_str(), Some("book" | "film")) {
            detail.push(serde_json::json!({"type": "enum", "loc": ["body", "kind"],
                "msg": "Input should be 'book' or 'film'", "ctx": {"expected": "'book' or 'film'"}}));
        }
        if body.get("channel").is_none() {
            detail.push(serde_json::json!({"type": "missing", "loc": ["body", "channel"], "msg": "Field required"}));
        }
        if detail.is_empty() {
            Reply::json(201, r#"{"id":1}"#)
        } else {
            Reply::json(422, &serde_json::json!({ "detail": detail }).to_string())
        }
    });
    let spec = spec_file(
        r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/orders": {"post": {
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}}}},
            "responses": {"201": {"description": "ok"}}}}}}"#,
    );
    let report = scan_json(&server.url(), spec.path(), &[]);
    let posts: Vec<serde_json::Value> = server
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST")
        .take(2)
        .map(|s| serde_json::from_slice(&s.body).unwrap())
        .collect();
    assert_eq!(posts[0], serde_json::json!({"kind": "nat"}));
    assert_eq!(
        posts[1],
        serde_json::json!({"kind": "book", "channel": "nat"})
    );
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert!(
        warnings.contains(
            &"POST /orders: the user's request answered 422: body field kind: Input should be \
              'book' or 'film'; body field channel: Field required; repaired once, it answered 201"
        ),
        "{warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("not attacked")),
        "{warnings:#?}"
    );
    // The coverage keeps what the API said and that the repaired request is the baseline.
    let orders = &report["coverage"][0];
    assert_eq!(orders["endpoint"], "POST /orders");
    assert_eq!(orders["baseline"], 201);
    assert_eq!(orders["repaired"], true);
    assert_eq!(
        orders["baseline_problems"],
        serde_json::json!([
            "body field kind: Input should be 'book' or 'film'",
            "body field channel: Field required"
        ])
    );
}

/// c{api}tal answers a wrong password `400 {"errors": ["incorrect email or password"]}` and nests the
/// form in `{"user": {…}}`: that is a failed login, and a burst of them unthrottled is the documented
/// flaw. A 400 that lists validation problems (pydantic's `detail[]`) is not: no login was processed.
#[test]
fn a_plain_400_for_a_wrong_password_is_a_failed_login_and_a_validation_400_is_not() {
    let spec = openapi_file(serde_json::json!({"/api/v2/users/login": {"post": {
                "security": [],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"user": {"type": "object", "required": ["email", "password"],
                        "properties": {"email": {"type": "string", "format": "email"},
                                       "password": {"type": "string"}}}}}}}},
                "responses": {"200": {"description": "ok"}, "400": {"description": "wrong"}}}}}));
    let scan = |body: &'static str| {
        let server = TestServer::start(move |s| {
            if s.method == "POST" {
                Reply::json(400, body)
            } else {
                Reply::json(200, "{}")
            }
        });
        let report = scan_json(
            &server.url(),
            spec.path(),
            &[
                "--auth-basic",
                "bob@checkmarx.test:pw",
                "--check",
                "NAT-API2-NO-BRUTE-FORCE-PROTECTION",
            ],
        );
        let attempts = server
            .seen()
            .iter()
            .filter(|s| s.method == "POST")
            .map(|s| String::from_utf8_lossy(&s.body).into_owned())
            .collect::<Vec<_>>();
        (report, attempts)
    };
    let (report, attempts) = scan(r#"{"errors":["incorrect email or password"]}"#);
    let found = report["findings"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{}", report["warnings"]);
    assert_eq!(found[0]["confidence"], "firm");
    assert!(
        attempts
            .iter()
            .all(|b| b.starts_with(r#"{"user":{"email":"#)),
        "the nested form is filled in: {attempts:?}"
    );
    let (report, _) = scan(
        r#"{"detail":[{"loc":["body","user","email"],"msg":"value is not a valid email address","type":"value_error.email"}]}"#,
    );
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "{}",
        report["findings"]
    );
}

/// c{api}tal's signup answered every request of the burst `400 user with this username already
/// exists`: no account was made and no mail sent, so an unthrottled burst of those proves nothing
/// about rate limiting. A signup that answers 201 still does.
#[test]
fn a_rate_limit_burst_needs_a_baseline_that_did_the_work() {
    let spec = openapi_file(serde_json::json!({"/api/users/signup": {"post": {
                "security": [],
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"username": {"type": "string"}, "email": {"type": "string", "format": "email"}}}}}},
                "responses": {"201": {"description": "created"}}}}}));
    let findings = |status: u16, body: &'static str| {
        let server = TestServer::start(move |_| Reply::json(status, body));
        let report = scan_json(
            &server.url(),
            spec.path(),
            &["--check", "NAT-API4-NO-RATE-LIMIT"],
        );
        report["findings"].as_array().unwrap().len()
    };
    assert_eq!(
        findings(
            400,
            r#"{"errors":["user with this username already exists"]}"#
        ),
        0
    );
    assert_eq!(findings(201, r#"{"id":7}"#), 1);
    // The first signup works, the burst's repeats are refused as duplicates (c{api}tal, fresh).
    let first = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let server = TestServer::start(move |s| {
        if s.method == "POST" && first.swap(false, std::sync::atomic::Ordering::SeqCst) {
            Reply::json(201, r#"{"id":7}"#)
        } else if s.method == "POST" {
            Reply::json(
                400,
                r#"{"errors":["user with this username already exists"]}"#,
            )
        } else {
            Reply::json(200, "{}")
        }
    });
    let report = scan_json(
        &server.url(),
        spec.path(),
        &["--check", "NAT-API4-NO-RATE-LIMIT"],
    );
    assert_eq!(
        report["findings"],
        serde_json::json!([]),
        "{}",
        report["findings"]
    );
}

/// Issue 15, cause 2: `{book_title}` was filled with the description's example, not with a title the
/// list had just returned (`[{"book_title": …, "user": …}]`, no `id`). Objects are keyed by the item
/// path's own parameter when the listed objects carry it.
#[test]
fn a_title_keyed_item_is_requested_with_a_title_the_list_returned() {
    let server = TestServer::start(|s| match s.path.as_str() {
        "/books" => Reply::json(200, r#"[{"book_title":"Dune","user":"luke"}]"#),
        "/books/Dune" => Reply::json(200, r#"{"book_title":"Dune","user":"luke","secret":"x"}"#),
        _ => Reply::json(404, r#"{"detail":"not found"}"#),
    });
    let spec = openapi_file(serde_json::json!({
        "/books": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/books/{book_title}": {"get": {
            "parameters": [{"name": "book_title", "in": "path", "required": true,
                            "schema": {"type": "string", "example": "bookTitle"}}],
            "responses": {"200": {"description": "ok"}}}}
    }));
    let report = scan_json(&server.url(), spec.path(), &["--auth-bearer", "t0k"]);
    assert!(
        server.seen().iter().any(|s| s.path == "/books/Dune"),
        "{:?}",
        server.seen().iter().map(|s| &s.path).collect::<Vec<_>>()
    );
    let warnings = report["warnings"].to_string();
    assert!(
        !warnings.contains("GET /books/{book_title}: not attacked"),
        "{warnings}"
    );
}

/// c{api}tal's article reads declare the token scheme but serve anonymous callers on purpose
/// (FastAPI's optional auth), while refusing an invalid token: only a tentative auth bypass. An
/// operation that takes the invalid token as well does not check tokens at all: firm.
#[test]
fn optional_authentication_is_only_a_tentative_bypass() {
    let spec = spec_file(
        &serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
            "security": [{"b": []}],
            "paths": {
                "/optional": {"get": {"responses": {"200": {"description": "ok"}}}},
                "/unchecked": {"get": {"responses": {"200": {"description": "ok"}}}}
            }
        })
        .to_string(),
    );
    let server = TestServer::start(|s| {
        let auth = s.header("authorization").unwrap_or_default();
        let articles = r#"{"articles":[{"slug":"dev-1","title":"Dev updates"}]}"#;
        match (s.path.as_str(), auth) {
            ("/optional", "") | ("/optional", "Bearer good") => Reply::json(200, articles),
            ("/optional", _) => {
                Reply::json(403, r#"{"errors":["could not validate credentials"]}"#)
            }
            _ => Reply::json(200, articles),
        }
    });
    let report = scan_json(
        &server.url(),
        spec.path(),
        &[
            "--auth-bearer",
            "good",
            "--check",
            "NAT-API2-AUTH-BYPASS",
            "--fail-on-confidence",
            "tentative",
        ],
    );
    let got: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["endpoint"].as_str().unwrap(),
                f["confidence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), 2, "{}", report["findings"]);
    assert!(got.contains(&("GET /optional", "tentative")), "{got:?}");
    assert!(got.contains(&("GET /unchecked", "firm")), "{got:?}");
}

/// Issue 15, cause 5: a write that ends the scan's own session (here a key rotation that revokes
/// the user's token) is noticed at once: nat says so, sends nothing more as that identity, and the
/// report is partial.
#[test]
fn a_write_that_ends_the_users_session_stops_the_attacks_as_that_user() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let revoked = Arc::new(AtomicBool::new(false));
    let flag = revoked.clone();
    let server = TestServer::start(move |seen| {
        let authorized = seen.header("authorization") == Some("Bearer t0k");
        if !authorized || flag.load(Ordering::SeqCst) {
            return Reply::json(401, r#"{"detail":"not authenticated"}"#);
        }
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/settings/rotate") => {
                flag.store(true, Ordering::SeqCst);
                Reply::json(200, r#"{"rotated":true}"#)
            }
            _ => Reply::json(200, r#"{"name":"u","items":[]}"#),
        }
    });
    let secured = serde_json::json!([{"bearer": []}]);
    let spec = spec_file(
        &serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": secured,
            "paths": {
                "/me": {"get": {"responses": {"200": {"description": "me"}}}},
                "/settings/rotate": {"post": {"responses": {"200": {"description": "rotated"}}}},
                "/items": {"get": {"responses": {"200": {"description": "items"}}}}
            }
        })
        .to_string(),
    );
    let report = scan_json(
        &server.url(),
        spec.path(),
        &["--auth-bearer", "t0k", "--concurrency", "1"],
    );
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with(
            "the session of `user` stopped working after the writes of POST /settings/rotate: \
             GET /items answered it 401"
        ) || w.starts_with(
            "the session of `user` stopped working after the writes of POST /settings/rotate: \
             GET /me answered it 401"
        )),
        "{warnings:#?}"
    );
    assert_eq!(report["scan"]["partial"], true);
    // After the rotation only the canary (twice) went out with the user's token.
    let seen = server.seen();
    let rotated = seen
        .iter()
        .position(|s| {
            s.method == "POST"
                && s.path == "/settings/rotate"
                && s.header("authorization").is_some()
        })
        .expect("the rotation was sent");
    let after: Vec<String> = seen[rotated + 1..]
        .iter()
        .filter(|s| s.header("authorization") == Some("Bearer t0k"))
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert!(after.len() <= 2, "{after:#?}");
}

/// Issue 11: command injection that cannot call back (no egress) is proven by time: `; sleep 2`
/// and `; sleep 4` answered that much slower, in proportion, and `; sleep 2` once more; a field
/// that is merely slow (or fast) is not reported.
#[test]
fn blind_command_injection_is_proven_by_two_sleeps_in_proportion() {
    let server = TestServer::start(|seen| {
        let body = String::from_utf8_lossy(&seen.body).to_string();
        let delay = if seen.path == "/diag" {
            if body.contains(";sleep 4") {
                4000
            } else if body.contains(";sleep 2") {
                2000
            } else {
                0
            }
        } else {
            0
        };
        Reply::json(200, r#"{"output":"ok"}"#).with_delay(Duration::from_millis(delay))
    });
    let op = |summary: &str| {
        serde_json::json!({"post": {
            "summary": summary,
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"host": {"type": "string", "example": "10.0.0.1"}}}}}},
            "responses": {"200": {"description": "ok"}}}})
    };
    let spec = openapi_file(
        serde_json::json!({"/diag": op("diagnose"), "/diag-safe": op("diagnose safely")}),
    );
    let report = scan_json(&server.url(), spec.path(), &["--check", "NAT-INJ-COMMAND"]);
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["endpoint"].as_str().unwrap(),
                f["confidence"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, [("POST /diag", "firm")], "{report:#}");
    let evidence = report["findings"][0]["evidence"]["request"]
        .as_str()
        .unwrap();
    assert!(
        evidence.contains("`sleep 4` appended: answered in"),
        "{evidence}"
    );
}
