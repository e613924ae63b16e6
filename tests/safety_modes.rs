//! Safety modes through the real binary: `--safe` sends only reads, the default never changes or
//! deletes an object nat did not create (it creates its own through the collection's POST), and
//! `--destructive` may; every write is listed in the report.

mod common;

use assert_cmd::Command;
use common::{Reply, TestServer};
use std::io::Write;
use std::time::Duration;

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    c.env_remove("NAT_AUTH_TOKEN");
    c
}

/// A small API with a collection (list, create), its items (read, change, delete) and a singleton
/// setting (change).
const SPEC: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "items", "version": "1"},
  "paths": {
    "/items": {
      "get": {"responses": {"200": {"description": "ok"}}},
      "post": {
        "requestBody": {"content": {"application/json": {"schema": {
          "type": "object", "properties": {"name": {"type": "string"}}}}}},
        "responses": {"201": {"description": "created"}}
      }
    },
    "/items/{item_id}": {
      "parameters": [{"name": "item_id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "get": {"responses": {"200": {"description": "ok"}}},
      "patch": {
        "requestBody": {"content": {"application/json": {"schema": {
          "type": "object", "properties": {"name": {"type": "string"}}}}}},
        "responses": {"200": {"description": "ok"}}
      },
      "delete": {"responses": {"204": {"description": "gone"}}}
    },
    "/settings": {
      "put": {
        "requestBody": {"content": {"application/json": {"schema": {
          "type": "object", "properties": {"theme": {"type": "string"}}}}}},
        "responses": {"200": {"description": "ok"}}
      }
    }
  }
}"#;

fn items_server() -> TestServer {
    TestServer::start(|seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("GET", "/items") => Reply::json(200, r#"[{"id":1,"name":"a"}]"#),
        ("POST", "/items") => Reply::json(201, r#"{"id":2,"name":"b"}"#),
        ("GET", p) if p.starts_with("/items/") => Reply::json(200, r#"{"id":1,"name":"a"}"#),
        ("PATCH", p) if p.starts_with("/items/") => Reply::json(200, r#"{"id":1,"name":"x"}"#),
        ("DELETE", p) if p.starts_with("/items/") => Reply::json(204, ""),
        ("PUT", "/settings") => Reply::json(200, r#"{"theme":"x"}"#),
        _ => Reply::json(404, r#"{"error":"not found"}"#),
    })
}

/// Scans the items API with `extra` flags; returns the JSON report and the methods the server saw.
fn scan(extra: &[&str]) -> (serde_json::Value, Vec<(String, String)>) {
    let server = items_server();
    let mut spec = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    spec.write_all(SPEC.as_bytes()).unwrap();
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args(["--quiet", "--format", "json", "--fail-on", "none"])
        .args(["--auth-bearer", "user-token-123"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seen = server
        .seen()
        .into_iter()
        .map(|s| (s.method.clone(), s.path.clone()))
        .collect();
    (report, seen)
}

fn warnings(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn safe_mode_sends_only_reads() {
    let (report, seen) = scan(&["--safe"]);
    assert!(!seen.is_empty());
    for (method, path) in &seen {
        assert!(
            matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS"),
            "--safe sent {method} {path}"
        );
    }
    assert_eq!(report["writes"], serde_json::json!([]));
    let w = warnings(&report);
    for op in [
        "POST /items",
        "PATCH /items/{item_id}",
        "DELETE /items/{item_id}",
        "PUT /settings",
    ] {
        assert!(
            w.iter()
                .any(|w| w.starts_with(op) && w.contains("--safe allows only reads")),
            "{op} not listed as skipped: {w:#?}"
        );
    }
}

#[test]
fn default_mode_never_changes_objects_nat_did_not_create_and_lists_its_writes() {
    let (report, seen) = scan(&[]);
    assert!(seen.iter().any(|(m, p)| m == "POST" && p == "/items"));
    // Changes and deletions (the undocumented PUT too) go only to item 2, the one nat's own POST
    // created; never to item 1, which the user already had, nor to the singleton settings.
    for (method, path) in &seen {
        if matches!(method.as_str(), "PATCH" | "PUT" | "DELETE") {
            assert!(
                path.starts_with("/items/2"),
                "the default mode sent {method} {path}"
            );
        }
    }
    assert!(seen
        .iter()
        .any(|(m, p)| m == "PATCH" && p.starts_with("/items/2")));
    assert!(seen
        .iter()
        .any(|(m, p)| m == "DELETE" && p.starts_with("/items/2")));
    let w = warnings(&report);
    assert!(
        w.iter()
            .any(|w| w.starts_with("PUT /settings") && w.contains("--destructive allows it")),
        "PUT /settings not listed as skipped: {w:#?}"
    );
    // Every write the server saw is in the report, with who sent it and the answer.
    let writes = report["writes"].as_array().unwrap();
    let sent = seen
        .iter()
        .filter(|(m, _)| !matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS"))
        .count();
    assert_eq!(writes.len(), sent, "{writes:#?}");
    assert!(writes.iter().all(|w| w["identity"].is_string()));
    assert!(writes
        .iter()
        .any(|w| w["identity"] == "user" && w["status"] == 201));
    assert!(!report.to_string().contains("user-token-123"));
}

#[test]
fn destructive_mode_may_change_and_delete() {
    let (report, seen) = scan(&["--destructive"]);
    for method in ["PATCH", "DELETE", "PUT"] {
        assert!(
            seen.iter().any(|(m, _)| m == method),
            "--destructive sent no {method}: {seen:?}"
        );
    }
    let writes = report["writes"].as_array().unwrap();
    let sent = seen
        .iter()
        .filter(|(m, _)| !matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS"))
        .count();
    assert_eq!(writes.len(), sent);
}

#[test]
fn safe_and_destructive_together_are_a_usage_error() {
    nat()
        .args(["scan", "http://127.0.0.1:9", "--safe", "--destructive"])
        .assert()
        .code(2);
}
