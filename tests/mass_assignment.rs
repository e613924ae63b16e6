//! `NAT-API3-MASS-ASSIGNMENT` against stateful test servers on 127.0.0.1, beyond the demo pair: a
//! `PUT` that stores a `readOnly` property (and the original put back), an API that only echoes the
//! body without storing it, and an object chosen by id (never written).

mod common;

use base64::Engine as _;
use common::{Reply, TestServer};
use nat::engine::{run, CancellationToken, Events};
use nat::report::ScanReport;
use nat::request::{AuthConfig, FailOn, ScanRequest, Secret};
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};

const CHECK: &str = "NAT-API3-MASS-ASSIGNMENT";

fn spec(write: &str, path: &str) -> String {
    let body = json!({"required": true, "content": {"application/json": {
        "schema": {"type": "object", "properties": {"nickname": {"type": "string"}}},
        "example": {"nickname": "al"}}}});
    json!({
        "openapi": "3.0.3", "info": {"title": "mass", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
        "paths": {path: {
            "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "properties": {
                    "nickname": {"type": "string"},
                    "karma": {"type": "integer", "readOnly": true}}}}}}}},
            write: {"requestBody": body, "responses": {"200": {"description": "ok"}}}
        }}
    })
    .to_string()
}

/// A server holding one object; `store` decides what a write keeps (all of the body, or nothing).
fn server(store: bool) -> TestServer {
    let state = Arc::new(Mutex::new(
        json!({"nickname": "al", "karma": 3})
            .as_object()
            .cloned()
            .unwrap(),
    ));
    TestServer::start(move |req| {
        if req.header("authorization") != Some("Bearer tok-mass-1") {
            return Reply::json(401, r#"{"error":"unauthorized"}"#);
        }
        let mut obj = state.lock().unwrap();
        if req.method == "GET" {
            return Reply::json(200, &Value::Object(obj.clone()).to_string());
        }
        let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&req.body) else {
            return Reply::json(400, r#"{"error":"bad body"}"#);
        };
        let mut echoed: Map<String, Value> = obj.clone();
        echoed.extend(body.clone());
        if store {
            *obj = echoed.clone();
        }
        Reply::json(200, &Value::Object(echoed).to_string())
    })
}

async fn scan(server: &TestServer, spec: String) -> ScanReport {
    let mut req = ScanRequest {
        url: server.url(),
        spec_content: Some(base64::engine::general_purpose::STANDARD.encode(spec)),
        ..Default::default()
    };
    req.auth = AuthConfig {
        token: Some(Secret::new(String::from("tok-mass-1"))),
        ..Default::default()
    };
    req.options.fail_on = FailOn::None;
    // The user's own account is an object nat did not create: only --destructive changes it.
    req.options.safety = nat::request::Safety::Destructive;
    run(req, Events::none(), CancellationToken::new())
        .await
        .unwrap()
}

fn found(report: &ScanReport) -> Vec<&nat::findings::Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.check == CHECK)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_read_only_property_is_proven_and_put_back() {
    let s = server(true);
    let report = scan(&s, spec("put", "/me")).await;
    let f = found(&report);
    assert_eq!(f.len(), 1, "{:#?}", report.findings);
    assert_eq!(f[0].endpoint, "PUT /me");
    assert!(f[0]
        .evidence
        .request
        .ends_with("nat wrote the original values back (confirmed by a read)"));
    let after = f[0].evidence.response.split("# read after").nth(1).unwrap();
    assert!(after.contains(r#""karma":1003"#), "{after}");
    // The object ends as it began: the last write of karma puts the original back.
    let last_put = s
        .seen()
        .into_iter()
        .rfind(|r| r.method == "PUT" && String::from_utf8_lossy(&r.body).contains("karma"))
        .unwrap();
    let body: Value = serde_json::from_slice(&last_put.body).unwrap();
    assert_eq!(body["karma"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echo_that_is_not_stored_and_objects_chosen_by_id_are_silent() {
    // The write's answer shows karma 1003, the read-back does not: nothing was assigned.
    let s = server(false);
    assert!(found(&scan(&s, spec("patch", "/me")).await).is_empty());

    // `/profiles/{id}` is not the user's own object for sure: never written with extra properties.
    let s = server(true);
    let report = scan(&s, spec("patch", "/profiles/{profile_id}")).await;
    assert!(found(&report).is_empty());
    assert!(s
        .seen()
        .iter()
        .all(|r| !String::from_utf8_lossy(&r.body).contains("karma")));
}
