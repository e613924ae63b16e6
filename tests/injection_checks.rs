//! The in-band injection checks (template injection, path traversal, reflected XSS; issue 11)
//! through the real binary against a test server on 127.0.0.1 whose operations look injectable and
//! are not (an echo, a calculator, a tutorial quoting `/etc/passwd`, a page answering any `..` with
//! it, markup in JSON or a `<textarea>`), beside three that are, in forms the demo does not show.

mod common;

use assert_cmd::Command;
use common::{Reply, Seen, TestServer};
use serde_json::{json, Value};
use std::io::Write;
use std::time::Duration;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin\n";

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    c.env_remove("NAT_AUTH_TOKEN");
    c
}

/// `nat scan URL --spec FILE` with the three checks and `extra`: the JSON report.
fn scan(server: &TestServer, paths: Value, extra: &[&str]) -> Value {
    let mut spec = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths});
    spec.write_all(doc.to_string().as_bytes()).unwrap();
    let out = nat()
        .args(["scan", &server.url(), "--spec"])
        .arg(spec.path())
        .args(["--quiet", "--format", "json", "--fail-on", "none"])
        .args([
            "--check",
            "NAT-INJ-SSTI",
            "--check",
            "NAT-INJ-PATH-TRAVERSAL",
        ])
        .args(["--check", "NAT-INJ-XSS"])
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

/// A `GET` with one required string query parameter.
fn get_with(param: &str, example: &str) -> Value {
    json!({"get": {
        "parameters": [{"name": param, "in": "query", "required": true,
                        "schema": {"type": "string"}, "example": example}],
        "responses": {"200": {"description": "ok"}}}})
}

/// The request's path and its decoded query parameter `name`.
fn split(s: &Seen, name: &str) -> (String, String) {
    let (path, query) = s.path.split_once('?').unwrap_or((&s.path, ""));
    let value = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    (path.to_string(), value)
}

fn html(body: String) -> Reply {
    Reply {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: body.into_bytes(),
        ..Default::default()
    }
}

/// Every `A*B` of two integers in `text` replaced by the product; with `open`, only those written
/// `openA*B}` (the whole expression replaced).
fn multiply(text: &str, open: Option<&str>) -> String {
    let pattern = match open {
        Some(open) => format!(r"{}(\d+)\*(\d+)\}}", regex::escape(open)),
        None => r"(\d+)\*(\d+)".to_string(),
    };
    regex::Regex::new(&pattern)
        .unwrap()
        .replace_all(text, |c: &regex::Captures<'_>| {
            let a: u64 = c[1].parse().unwrap();
            let b: u64 = c[2].parse().unwrap();
            (a * b).to_string()
        })
        .into_owned()
}

/// The file a relative name reaches from `/srv`, `..` resolved.
fn resolve(name: &str) -> String {
    let mut parts = vec!["srv"];
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn answer(s: &Seen) -> Reply {
    let q = |name| split(s, name);
    match q("v").0.as_str() {
        // Injectable: a `${…}` engine (FreeMarker-like).
        "/greet" => Reply::json(
            200,
            &json!({"hello": multiply(&q("v").1, Some("${"))}).to_string(),
        ),
        // Not a template: a calculator evaluates any product, without template syntax too.
        "/calc" => Reply::json(
            200,
            &json!({"result": multiply(&q("v").1, None)}).to_string(),
        ),
        // Not evaluated: the expression comes back as written.
        "/echo" => Reply::json(200, &json!({"you_said": q("v").1}).to_string()),
        // Injectable: absolute paths refused, `../` removed once, then resolved (`....//` gets
        // through).
        "/download" => {
            let name = q("file").1;
            if name.starts_with('/') {
                return Reply::json(400, r#"{"detail":"relative names only"}"#);
            }
            if resolve(&name.replace("../", "")) == "/etc/passwd" {
                Reply::json(200, &json!({"content": PASSWD}).to_string())
            } else {
                Reply::json(404, r#"{"detail":"no such file"}"#)
            }
        }
        // A tutorial that always quotes the file.
        "/docs" => Reply::json(
            200,
            &json!({"text": format!("a line of {PASSWD}")}).to_string(),
        ),
        // Any `..` answers the file, whatever it names.
        "/trap" if q("file").1.contains("..") => {
            Reply::json(200, &json!({"content": PASSWD}).to_string())
        }
        "/trap" => Reply::json(200, r#"{"content":""}"#),
        // Injectable: HTML without a content type, sniffed by browsers.
        "/find" => Reply {
            status: 200,
            body: format!("<html><body>Found nothing for {}</body></html>", q("v").1).into_bytes(),
            ..Default::default()
        },
        // Markup in JSON is data.
        "/api-search" => Reply::json(200, &json!({"query": q("v").1}).to_string()),
        // Reflected raw, but inside a <textarea>: text, not markup.
        "/compose" => html(format!(
            "<html><body><form><textarea name=v>{}</textarea></form></body></html>",
            q("v").1
        )),
        _ => Reply::json(404, "{}"),
    }
}

#[test]
fn only_real_evaluation_file_reads_and_markup_are_reported() {
    let server = TestServer::start(answer);
    let paths = json!({
        "/greet": get_with("v", "world"),
        "/calc": get_with("v", "2*3"),
        "/echo": get_with("v", "hi"),
        "/download": get_with("file", "report.txt"),
        "/docs": get_with("file", "intro"),
        "/trap": get_with("file", "a.txt"),
        "/find": get_with("v", "shoes"),
        "/api-search": get_with("v", "shoes"),
        "/compose": get_with("v", "draft"),
    });
    let report = scan(&server, paths, &[]);
    let mut got: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["endpoint"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("NAT-INJ-PATH-TRAVERSAL".into(), "GET /download".into()),
            ("NAT-INJ-SSTI".into(), "GET /greet".into()),
            ("NAT-INJ-XSS".into(), "GET /find".into()),
        ],
        "{:#}",
        report["findings"]
    );
    let evidence = |check: &str| {
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .unwrap();
        f["evidence"]["request"].as_str().unwrap().to_string()
    };
    assert!(evidence("NAT-INJ-SSTI").contains("# 1. FreeMarker"));
    assert!(evidence("NAT-INJ-PATH-TRAVERSAL").contains("`....//....//"));
    // XSS was not tried where the answer is JSON; the reason is in the coverage.
    let coverage = report["coverage"].as_array().unwrap();
    let api_search = coverage
        .iter()
        .find(|e| e["endpoint"] == "GET /api-search")
        .unwrap();
    assert!(api_search["checks_skipped"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["check"] == "NAT-INJ-XSS"
            && s["reason"] == "the answer is not HTML but application/json"));
}

/// Payloads are never written into an object nat did not create: the user's own account (`PATCH
/// /me`, probed in the default mode because its baseline writes back what it holds) gets none,
/// and the coverage says why.
#[test]
fn no_payload_goes_into_a_change_of_an_object_nat_did_not_create() {
    let server = TestServer::start(|s| {
        let body = String::from_utf8_lossy(&s.body).to_string();
        match s.method.as_str() {
            "GET" => Reply::json(200, r#"{"name":"alice","template":"a.txt"}"#),
            _ => Reply::json(200, &body),
        }
    });
    let body = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "template": {"type": "string"}}});
    let paths = json!({"/me": {
        "get": {"responses": {"200": {"description": "ok"}}},
        "patch": {"requestBody": {"content": {"application/json": {"schema": body,
                    "example": {"name": "alice", "template": "a.txt"}}}},
                  "responses": {"200": {"description": "ok"}}}}});
    let report = scan(&server, paths, &["--auth-bearer", "tok"]);
    let patches: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| s.method == "PATCH")
        .map(|s| String::from_utf8_lossy(&s.body).to_string())
        .collect();
    assert!(!patches.is_empty(), "the baseline PATCH was not sent");
    for body in &patches {
        assert!(!body.contains("{{") && !body.contains("../"), "{body}");
    }
    let entry = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == "PATCH /me")
        .unwrap()
        .clone();
    for check in ["NAT-INJ-SSTI", "NAT-INJ-PATH-TRAVERSAL"] {
        assert!(
            entry["checks_skipped"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["check"] == check
                    && s["reason"].as_str().unwrap().starts_with(
                        "injection into a change or a deletion of an object nat did not"
                    )),
            "{entry:#}"
        );
    }
}
