//! Report formats and triage through the real binary: `--report` in every format, `nat report`,
//! `--baseline` and suppressions.

mod common;

use assert_cmd::Command;
use common::{Reply, TestServer};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    c.env_remove("NAT_AUTH_TOKEN");
    c
}

#[test]
fn one_demo_scan_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["r.json", "r.sarif", "r.md", "r.html", "r.xml"];
    let mut cmd = nat();
    cmd.current_dir(dir.path())
        .args(["demo", "--quiet", "--fail-on", "none", "--format", "sarif"]);
    for n in names {
        cmd.args(["--report", n]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is SARIF JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 42);
    for n in names {
        let text = std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert!(
            text.contains("NAT-INJ-SQLI"),
            "{n} lacks the SQL injection finding"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 42);
    assert!(std::fs::read_to_string(dir.path().join("r.html"))
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    assert!(std::fs::read_to_string(dir.path().join("r.xml"))
        .unwrap()
        .contains("<testsuites"));

    // `nat report` renders the saved JSON in another format, without scanning.
    let out = nat()
        .current_dir(dir.path())
        .args(["report", "r.json", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SQL injection"));

    // Every finding carries a confidence; --fail-on counts certain and firm ones unless told otherwise.
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.iter().all(|f| matches!(
        f["confidence"].as_str(),
        Some("certain" | "firm" | "tentative")
    )));
    for level in ["certain", "firm", "tentative"] {
        assert!(findings.iter().any(|f| f["confidence"] == level), "{level}");
    }
    let mut tentative = json.clone();
    for f in tentative["findings"].as_array_mut().unwrap() {
        f["confidence"] = "tentative".into();
    }
    std::fs::write(dir.path().join("t.json"), tentative.to_string()).unwrap();
    let code = |extra: &[&str]| {
        nat()
            .current_dir(dir.path())
            .args(["report", "t.json", "--fail-on", "high", "--format", "json"])
            .args(extra)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&[]), Some(0), "tentative findings alone do not fail");
    assert_eq!(code(&["--fail-on-confidence", "tentative"]), Some(1));
    assert_eq!(code(&["--fail-on-confidence", "firm"]), Some(0));
}

#[test]
fn bad_report_arguments_are_input_errors_before_any_traffic() {
    let out = nat()
        .args(["demo", "--quiet", "--report", "out.pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("out.pdf"));
    let out = nat()
        .args(["report", "/nonexistent/report.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = nat()
        .args(["demo", "--quiet", "--baseline", "/nonexistent/old.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Two authenticated operations; `/a` always lacks the security headers, `/b` only once `vulnerable_b`
/// is set: changing the target adds exactly one new low finding.
fn changing_target(vulnerable_b: Arc<AtomicBool>) -> (TestServer, tempfile::NamedTempFile) {
    let spec = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "baseline", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
        "paths": {
            "/a": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"responses": {"200": {"description": "ok"}}}}
        }
    });
    let server = TestServer::start(move |req| {
        if req.header("authorization") != Some("Bearer tok-abcdef") {
            return Reply::json(401, r#"{"error":"unauthorized"}"#);
        }
        let mut reply = Reply::json(200, r#"{"id":1}"#);
        if req.path == "/b" && !vulnerable_b.load(Ordering::SeqCst) {
            reply
                .headers
                .push(("X-Content-Type-Options".into(), "nosniff".into()));
            reply
                .headers
                .push(("Cache-Control".into(), "no-store".into()));
        }
        reply
    });
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(spec.to_string().as_bytes()).unwrap();
    (server, f)
}

#[test]
fn with_a_baseline_only_new_findings_fail_the_build() {
    let flag = Arc::new(AtomicBool::new(false));
    let (server, spec) = changing_target(flag.clone());
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let scan = |extra: &[&str]| {
        let mut c = nat();
        c.current_dir(dir.path())
            .args(["scan", &server.url(), "--spec"])
            .arg(spec.path())
            .args(["--auth-bearer", "tok-abcdef", "--quiet", "--fail-on", "low"])
            .args(extra);
        c.output().unwrap()
    };
    // The first scan fails on its one low finding, and is saved.
    let out = scan(&["--report", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    // Same target, with the baseline: nothing new, the build passes.
    let out = scan(&["--baseline", old.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The target changes: one new finding, and only it fails the build.
    flag.store(true, Ordering::SeqCst);
    let out = scan(&["--baseline", old.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);
    let new = report["baseline"]["new"].as_array().map(|a| a.len());
    assert_eq!(new, Some(1), "{:#}", report["baseline"]);
    // A suppression of that new finding (with a reason) lets the build pass again, visibly.
    let fp = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["endpoint"] == "GET /b")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(
        dir.path().join(".natignore.yaml"),
        format!("- fingerprint: {fp}\n  reason: accepted risk, tracked in JIRA-1\n  expires: 2999-01-01\n"),
    )
    .unwrap();
    let out = scan(&["--baseline", old.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["endpoint"] == "GET /b")
        .unwrap()
        .clone();
    assert_eq!(b["status"], "accepted");
}
