//! End-to-end tests of the demo: a real server on 127.0.0.1 and real HTTP requests.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn has_cors(&self) -> bool {
        self.headers
            .keys()
            .any(|k| k.as_str().starts_with("access-control-"))
    }
    fn has_security_headers(&self) -> bool {
        self.header("x-content-type-options") == Some("nosniff")
            && self.header("cache-control") == Some("no-store")
    }
}

struct Demo {
    server: DemoServer,
    client: reqwest::Client,
}

impl Demo {
    async fn start() -> Demo {
        let server = serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        assert!(server.addr.ip().is_loopback());
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        Demo { server, client }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let url = if path.starts_with("/openapi.json") {
            format!("{}{path}", self.server.url())
        } else {
            format!("{}/api/v1{path}", self.server.url())
        };
        let mut rb = self.client.request(method, url);
        if let Some(token) = token {
            rb = rb.header("Authorization", format!("Bearer {token}"));
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let resp = rb.send().await.unwrap();
        Answer {
            status: resp.status(),
            headers: resp.headers().clone(),
            body: resp.text().await.unwrap(),
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.send(Method::GET, path, token, &[], None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(&user_token()), &[], Some(body))
            .await
    }
}

fn assert_problem(a: &Answer, status: u16) {
    assert_eq!(a.status.as_u16(), status, "{}", a.body);
    assert_eq!(a.header("content-type"), Some("application/problem+json"));
    let p = a.json();
    assert_eq!(p["status"], status);
    assert!(p["title"].is_string() && p["type"].is_string() && p["detail"].is_string());
}

fn assert_401(a: &Answer) {
    assert_problem(a, 401);
    assert!(a.header("www-authenticate").unwrap().starts_with("Bearer"));
}

/// The three tampered forms of alice's token that a JWT check tries.
fn tampered_tokens() -> Vec<String> {
    let token = user_token();
    let parts: Vec<&str> = token.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let mut sig = parts[2].to_string();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    sig.replace_range(0..1, flipped);
    vec![
        format!("{none_header}.{}.", parts[1]),
        format!("{}.{}.", parts[0], parts[1]),
        format!("{}.{}.{sig}", parts[0], parts[1]),
    ]
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let demo = Demo::start().await;
    let a = demo.get("/openapi.json", None).await;
    assert_eq!(a.status, 200);
    assert!(a.has_security_headers());
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert_eq!(doc["security"][0]["bearerAuth"], json!([]));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/health",
        "/vuln/reports/{report_id}",
        "/fixed/reports/{report_id}",
        "/vuln/session",
        "/fixed/session",
        "/vuln/jwt/me",
        "/fixed/jwt/me",
        "/vuln/cors/profile",
        "/vuln/cors/wildcard",
        "/fixed/cors/profile",
        "/vuln/headers/profile",
        "/fixed/headers/profile",
        "/vuln/errors/items/{item_id}",
        "/fixed/errors/items/{item_id}",
        "/vuln/products",
        "/fixed/products",
        "/vuln/products/{product_id}",
        "/fixed/products/{product_id}",
        "/vuln/search",
        "/fixed/search",
        "/vuln/orders",
        "/fixed/orders",
        "/vuln/documents",
        "/fixed/documents",
        "/vuln/documents/{document_id}",
        "/fixed/documents/{document_id}",
        "/vuln/users/{user_id}",
        "/fixed/users/{user_id}",
        "/vuln/account",
        "/fixed/account",
        "/sessions/login",
        "/vuln/sessions/profile",
        "/fixed/sessions/profile",
        "/vuln/sessions/logout",
        "/fixed/sessions/logout",
        "/authn/me",
        "/vuln/authn/login",
        "/fixed/authn/login",
        "/vuln/authn/signin",
        "/fixed/authn/signin",
        "/vuln/authn/password-reset",
        "/fixed/authn/password-reset",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    // The core's 30 paths and the route groups' (each group's own test names its paths).
    assert!(paths.len() >= 30, "{}", paths.len());
    assert_eq!(paths["/health"]["get"]["security"], json!([]));
    for (path, item) in paths {
        for (_, op) in item.as_object().unwrap() {
            assert!(op["description"].is_string(), "{path}");
            let tag = op["tags"][0].as_str().unwrap();
            if path.starts_with("/vuln/") {
                assert_eq!(tag, "vulnerable");
            } else if path.starts_with("/fixed/") {
                assert_eq!(tag, "fixed");
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                assert!(param["schema"].is_object() && !param["example"].is_null());
            }
            if let Some(body) = op.get("requestBody") {
                let media = &body["content"]["application/json"];
                // The validated and strict groups describe their bodies as FastAPI does: a schema,
                // no example.
                let fastapi = path.contains("/validated/") || path.contains("/strict/");
                assert!(
                    media["schema"].is_object() && (media["example"].is_object() || fastapi),
                    "{path}"
                );
            }
        }
    }
    // Structurally a valid OpenAPI 3.0 document.
    let parsed: openapiv3::OpenAPI = serde_json::from_str(openapi_json()).unwrap();
    assert_eq!(parsed.paths.paths.len(), paths.len());
    demo.server.stop().await;
}

#[tokio::test]
async fn health_unknown_routes_and_limits() {
    let demo = Demo::start().await;
    let a = demo.get("/health", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), json!({"status": "ok"}));
    assert!(a.has_security_headers());
    assert!(!a.has_cors());

    let a = demo.get("/nope", None).await;
    assert_problem(&a, 404);
    assert!(a.has_security_headers());
    let a = demo.get("/../../etc/passwd", None).await;
    assert_eq!(a.status, 404);
    let a = demo.get("/vuln/products/", Some(&user_token())).await;
    assert_eq!(a.status, 404);

    let a = demo
        .send(
            Method::DELETE,
            "/fixed/orders",
            Some(&user_token()),
            &[],
            None,
        )
        .await;
    assert_problem(&a, 405);
    assert!(a.header("allow").unwrap().contains("POST"));

    let big = "x".repeat(super::routes::MAX_BODY + 1);
    let a = demo.post("/fixed/search", json!({ "query": big })).await;
    assert_problem(&a, 413);
    assert!(a.has_security_headers());

    // Still serving after all that.
    assert_eq!(demo.get("/health", None).await.status, 200);
    let url = demo.server.url();
    demo.server.stop().await;
    assert!(reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{url}/api/v1/health"))
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn auth_bypass_reports() {
    let demo = Demo::start().await;
    // VULNERABLE: no Authorization header at all, still the report.
    let a = demo.get("/vuln/reports/1", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["id"], 1);
    let with_token = demo.get("/vuln/reports/1", Some(&user_token())).await;
    assert_eq!(with_token.body, a.body);
    // FIXED.
    assert_401(&demo.get("/fixed/reports/1", None).await);
    assert_401(
        &demo
            .get("/fixed/reports/1", Some("nat-invalid-token"))
            .await,
    );
    for t in tampered_tokens() {
        assert_401(&demo.get("/fixed/reports/1", Some(&t)).await);
    }
    let a = demo.get("/fixed/reports/1", Some(&user_token())).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["owner_id"], 1);
    // Bob cannot read alice's report.
    assert_problem(
        &demo
            .get("/fixed/reports/1", Some(&second_user_token()))
            .await,
        404,
    );
    assert_eq!(
        demo.get("/fixed/reports/2", Some(&second_user_token()))
            .await
            .status,
        200
    );
    demo.server.stop().await;
}

#[tokio::test]
async fn auth_bypass_session() {
    let demo = Demo::start().await;
    assert_401(&demo.get("/vuln/session", None).await);
    let a = demo.get("/vuln/session", Some("nat-invalid-token")).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body,
        demo.get("/vuln/session", Some(&user_token())).await.body
    );
    assert_401(&demo.get("/fixed/session", None).await);
    assert_401(&demo.get("/fixed/session", Some("nat-invalid-token")).await);
    let a = demo.get("/fixed/session", Some(&user_token())).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["user"], "alice");
    demo.server.stop().await;
}

#[tokio::test]
async fn jwt_signature_verification() {
    let demo = Demo::start().await;
    for t in tampered_tokens() {
        let a = demo.get("/vuln/jwt/me", Some(&t)).await;
        assert_eq!(a.status, 200, "{t}");
        assert_eq!(a.json(), json!({"user": "1", "name": "alice"}));
        assert_401(&demo.get("/fixed/jwt/me", Some(&t)).await);
    }
    assert_401(&demo.get("/vuln/jwt/me", None).await);
    assert_401(&demo.get("/vuln/jwt/me", Some("nat-invalid-token")).await);
    assert_401(&demo.get("/vuln/jwt/me", Some("a.b.c")).await);
    assert_401(&demo.get("/fixed/jwt/me", None).await);
    assert_401(&demo.get("/fixed/jwt/me", Some("nat-invalid-token")).await);
    let a = demo.get("/fixed/jwt/me", Some(&second_user_token())).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), json!({"user": "2", "name": "bob"}));
    demo.server.stop().await;
}

#[tokio::test]
async fn cors_policies() {
    let demo = Demo::start().await;
    let token = user_token();
    let get = |path: &'static str, h: &'static [(&'static str, &'static str)]| {
        demo.send(Method::GET, path, Some(&token), h, None)
    };
    const EVIL: &[(&str, &str)] = &[("Origin", "https://evil.example")];
    let a = get("/vuln/cors/profile", EVIL).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://evil.example")
    );
    assert_eq!(a.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(a.header("vary"), Some("Origin"));

    let a = get("/vuln/cors/wildcard", EVIL).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    assert_eq!(a.header("access-control-allow-credentials"), Some("true"));

    let a = get("/fixed/cors/profile", EVIL).await;
    assert_eq!(a.status, 200);
    assert!(!a.has_cors());
    let a = get(
        "/fixed/cors/profile",
        &[("Origin", "https://app.nat-demo.test.evil.example")],
    )
    .await;
    assert!(!a.has_cors());
    let a = get(
        "/fixed/cors/profile",
        &[("Origin", "https://app.nat-demo.test")],
    )
    .await;
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://app.nat-demo.test")
    );
    let pre = demo
        .send(Method::OPTIONS, "/fixed/cors/profile", None, EVIL, None)
        .await;
    assert!(pre.status.is_success() && !pre.has_cors());
    let pre = demo
        .send(Method::OPTIONS, "/vuln/cors/profile", None, EVIL, None)
        .await;
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("https://evil.example")
    );
    let head = demo
        .send(
            Method::HEAD,
            "/fixed/cors/profile",
            Some(&token),
            EVIL,
            None,
        )
        .await;
    assert_eq!(head.status, 200);
    assert!(!head.has_cors());

    // The three CORS routes need a valid token.
    assert_401(&demo.get("/vuln/cors/profile", None).await);
    assert_401(&demo.get("/vuln/cors/wildcard", None).await);
    assert_401(&demo.get("/fixed/cors/profile", None).await);

    // No other route says anything about CORS.
    for path in [
        "/health",
        "/vuln/reports/1",
        "/vuln/headers/profile",
        "/fixed/headers/profile",
        "/fixed/products?name=widget",
        "/nope",
    ] {
        let a = get(path, EVIL).await;
        assert!(!a.has_cors(), "{path}");
    }
    demo.server.stop().await;
}

#[tokio::test]
async fn security_headers() {
    let demo = Demo::start().await;
    let token = user_token();
    let a = demo.get("/vuln/headers/profile", Some(&token)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["name"], "alice");
    assert!(a.header("x-content-type-options").is_none());
    assert!(a.header("cache-control").is_none());
    assert_401(&demo.get("/vuln/headers/profile", None).await);

    let a = demo.get("/fixed/headers/profile", Some(&token)).await;
    assert_eq!(a.status, 200);
    assert!(a.has_security_headers());
    for path in ["/fixed/headers/profile", "/vuln/session", "/fixed/orders"] {
        assert!(demo.get(path, None).await.has_security_headers(), "{path}");
    }
    demo.server.stop().await;
}

#[tokio::test]
async fn verbose_errors() {
    let demo = Demo::start().await;
    let token = user_token();
    let a = demo.get("/vuln/errors/items/abc", Some(&token)).await;
    assert_eq!(a.status, 400);
    assert!(a.body.contains("Traceback (most recent call last):"));
    assert!(a
        .body
        .contains("File \"/srv/app/items.py\", line 42, in get_item"));
    assert!(a
        .body
        .contains("ValueError: invalid literal for int() with base 10: 'abc'"));
    let a = demo.get("/vuln/errors/items/1", Some(&token)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["id"], 1);
    assert_401(&demo.get("/vuln/errors/items/abc", None).await);

    let a = demo.get("/fixed/errors/items/abc", Some(&token)).await;
    assert_problem(&a, 400);
    assert!(!a.body.contains("Traceback") && !a.body.contains(".py"));
    assert_eq!(
        demo.get("/fixed/errors/items/1", Some(&token)).await.status,
        200
    );
    assert_401(&demo.get("/fixed/errors/items/1", None).await);
    demo.server.stop().await;
}

#[tokio::test]
async fn sql_injection_error_based() {
    let demo = Demo::start().await;
    let token = user_token();
    let a = demo.get("/vuln/products?name=widget", Some(&token)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["results"][0]["name"], "widget");

    let a = demo.get("/vuln/products?name=widget'", Some(&token)).await;
    assert_eq!(a.status, 500);
    let err = a.json()["error"].as_str().unwrap().to_string();
    assert!(
        err.contains("SQLITE_ERROR") && err.contains("unrecognized token"),
        "{err}"
    );
    let a = demo
        .get("/vuln/products?name=x'%20bogus%20'", Some(&token))
        .await;
    assert_eq!(a.status, 500);
    assert!(a.body.contains("syntax error"), "{}", a.body);
    let a = demo
        .get("/vuln/products?name=x'%20OR%20'1'%3D'1", Some(&token))
        .await;
    assert_eq!(a.json()["results"].as_array().unwrap().len(), 3);

    for name in ["widget'", "x'%20bogus%20'", "x'%20OR%20'1'%3D'1"] {
        let a = demo
            .get(&format!("/fixed/products?name={name}"), Some(&token))
            .await;
        assert_eq!(a.status, 200);
        assert_eq!(a.json(), json!({"results": []}));
    }
    let a = demo.get("/fixed/products?name=widget", Some(&token)).await;
    assert_eq!(a.json()["results"][0]["id"], 1);
    assert_401(&demo.get("/vuln/products?name=widget", None).await);
    assert_401(&demo.get("/fixed/products?name=widget", None).await);
    demo.server.stop().await;
}

#[tokio::test]
async fn sql_injection_boolean_blind() {
    let demo = Demo::start().await;
    let token = user_token();
    let vuln = |id: &'static str| demo.get_owned(format!("/vuln/products/{id}"), token.clone());
    let a = vuln("1").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["name"], "widget");
    let t = vuln("1%20AND%201%3D1").await;
    let f = vuln("1%20AND%201%3D2").await;
    assert_eq!((t.status.as_u16(), f.status.as_u16()), (200, 404));
    assert_eq!(t.body, a.body);
    assert_eq!(f.json(), json!({"error": "not found"}));
    // Errors are hidden.
    let e = vuln("1'").await;
    assert_eq!(e.status, 404);
    assert_eq!(e.body, f.body);

    for id in ["1%20AND%201%3D1", "1%20AND%201%3D2", "1'"] {
        let a = demo
            .get(&format!("/fixed/products/{id}"), Some(&token))
            .await;
        assert_problem(&a, 400);
    }
    assert_eq!(
        demo.get("/fixed/products/2", Some(&token)).await.status,
        200
    );
    assert_problem(&demo.get("/fixed/products/99", Some(&token)).await, 404);

    // The search body, boolean-blind too.
    let count = |a: Answer| a.json()["results"].as_array().unwrap().len();
    let q = |s: &str| json!({ "query": s });
    assert_eq!(count(demo.post("/vuln/search", q("widget")).await), 1);
    assert_eq!(
        count(demo.post("/vuln/search", q("widget' AND '1'='1")).await),
        1
    );
    assert_eq!(
        count(demo.post("/vuln/search", q("widget' AND '1'='2")).await),
        0
    );
    let e = demo.post("/vuln/search", q("'")).await;
    assert_eq!(e.status, 200);
    assert_eq!(e.json(), json!({"results": []}));
    assert_eq!(count(demo.post("/fixed/search", q("widget")).await), 1);
    assert_eq!(
        count(demo.post("/fixed/search", q("widget' AND '1'='1")).await),
        0
    );
    assert_problem(&demo.post("/fixed/search", json!({"query": 5})).await, 400);
    demo.server.stop().await;
}

impl Demo {
    async fn get_owned(&self, path: String, token: String) -> Answer {
        self.get(&path, Some(&token)).await
    }
}

#[tokio::test]
async fn robustness_orders() {
    let demo = Demo::start().await;
    let good = json!({"product_id": 1, "quantity": 2, "note": "gift"});
    let a = demo.post("/vuln/orders", good.clone()).await;
    assert_eq!(a.status, 201);
    assert_eq!(a.json()["total"], 19.98);
    let a = demo.post("/fixed/orders", good).await;
    assert_eq!(a.status, 201);
    assert_eq!(a.json()["quantity"], 2);

    let bad = [
        json!({"product_id": "1", "quantity": 2}),
        json!({"product_id": 1, "quantity": "two"}),
        json!({"product_id": 1, "quantity": -1}),
        json!({"product_id": 1, "quantity": 9_223_372_036_854_775_807_i64}),
        json!({"product_id": 1, "quantity": 50_000_000}),
        json!({"product_id": 1, "quantity": 2, "note": "n".repeat(1001)}),
    ];
    for body in bad {
        let a = demo.post("/vuln/orders", body.clone()).await;
        assert_eq!(a.status, 500, "{body}");
        assert_eq!(a.body, "Internal Server Error");
        let a = demo.post("/fixed/orders", body.clone()).await;
        assert_problem(&a, 400);
    }
    assert_problem(
        &demo
            .post(
                "/fixed/orders",
                json!({"product_id": 1, "quantity": 2, "note": "n".repeat(201)}),
            )
            .await,
        400,
    );
    assert_problem(
        &demo
            .post("/fixed/orders", json!({"product_id": 42, "quantity": 1}))
            .await,
        404,
    );
    demo.server.stop().await;
}

/// Hostile input of every kind at every fixed twin: never a 5xx, never internals, always the headers.
#[tokio::test]
async fn fixed_twins_stay_quiet_under_hostile_input() {
    let demo = Demo::start().await;
    let token = user_token();
    let long = "A".repeat(10_000);
    let values = [
        "'".to_string(),
        "\"".to_string(),
        "1' OR '1'='1".to_string(),
        "-1".to_string(),
        "0".to_string(),
        "99999999999999999999999999".to_string(),
        "1e309".to_string(),
        "%00".to_string(),
        "%E2%80%AE".to_string(),
        "%FF".to_string(),
        long.clone(),
    ];
    let mut answers = Vec::new();
    for v in &values {
        for path in [
            format!("/fixed/reports/{v}"),
            format!("/fixed/errors/items/{v}"),
            format!("/fixed/products/{v}"),
            format!("/fixed/products?name={v}"),
        ] {
            answers.push((path.clone(), demo.get(&path, Some(&token)).await));
        }
    }
    let bodies = [
        json!(null),
        json!([]),
        json!("x"),
        json!({}),
        json!({"query": null}),
        json!({"query": long}),
        json!({"query": {"$ne": 1}}),
        json!({"product_id": 1.5, "quantity": 1}),
        json!({"product_id": 1, "quantity": 1e308}),
        json!({"product_id": -9_223_372_036_854_775_807_i64, "quantity": 1}),
        json!({"product_id": 1, "quantity": 1, "note": long}),
        json!({"product_id": 1, "quantity": 1, "note": 7}),
        json!({"product_id": 1, "quantity": 100, "total": 0, "status": "paid"}),
    ];
    for body in &bodies {
        for path in ["/fixed/search", "/fixed/orders"] {
            answers.push((
                format!("{path} {body}"),
                demo.post(path, body.clone()).await,
            ));
        }
    }
    for path in ["/fixed/orders", "/fixed/search"] {
        let a = demo
            .send(
                Method::POST,
                path,
                Some(&token),
                &[("Content-Type", "application/json")],
                None,
            )
            .await;
        answers.push((path.to_string(), a));
    }
    for (what, a) in &answers {
        assert!(a.status.as_u16() < 500, "{what}: {}", a.status);
        assert!(a.has_security_headers(), "{what}");
        assert!(!a.has_cors(), "{what}");
        for leak in [
            "SQLITE",
            "syntax error",
            "Traceback",
            "unrecognized token",
            "panicked",
        ] {
            assert!(!a.body.contains(leak), "{what}: {}", a.body);
        }
        if !a.status.is_success() {
            assert_eq!(
                a.header("content-type"),
                Some("application/problem+json"),
                "{what}"
            );
        }
    }
    // Mass-assigned fields are not taken.
    let a = demo
        .post(
            "/fixed/orders",
            json!({"product_id": 1, "quantity": 1, "total": 0, "status": "paid"}),
        )
        .await;
    assert_eq!(a.json()["status"], "placed");
    assert_eq!(a.json()["total"], 9.99);
    demo.server.stop().await;
}

#[tokio::test]
async fn object_level_authorization_documents() {
    let demo = Demo::start().await;
    let (alice, bob) = (user_token(), second_user_token());
    let ids = |a: Answer| -> Vec<i64> {
        a.json()["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect()
    };
    for twin in ["vuln", "fixed"] {
        assert_eq!(
            ids(demo.get(&format!("/{twin}/documents"), Some(&alice)).await),
            [11, 13]
        );
        assert_eq!(
            ids(demo.get(&format!("/{twin}/documents"), Some(&bob)).await),
            [12]
        );
        assert_401(&demo.get(&format!("/{twin}/documents/11"), None).await);
        let own = demo
            .get(&format!("/{twin}/documents/11"), Some(&alice))
            .await;
        assert_eq!(own.status, 200);
        assert_eq!(own.json()["owner_id"], 1);
    }
    // VULNERABLE: bob reads alice's document.
    let leaked = demo.get("/vuln/documents/11", Some(&bob)).await;
    assert_eq!(leaked.status, 200);
    assert_eq!(leaked.json()["title"], "Tax return 2023");
    // FIXED: 404, as for a document that does not exist.
    assert_problem(&demo.get("/fixed/documents/11", Some(&bob)).await, 404);
    assert_problem(&demo.get("/fixed/documents/99", Some(&bob)).await, 404);
    demo.server.stop().await;
}

#[tokio::test]
async fn excessive_data_exposure_users() {
    let demo = Demo::start().await;
    let (alice, bob) = (user_token(), second_user_token());
    let vuln = demo.get("/vuln/users/1", Some(&alice)).await;
    assert_eq!(vuln.status, 200);
    assert!(vuln.json()["password_hash"]
        .as_str()
        .unwrap()
        .starts_with("$2b$12$"));
    assert!(vuln.json()["api_key"].is_string());
    let fixed = demo.get("/fixed/users/1", Some(&alice)).await;
    assert_eq!(fixed.status, 200);
    assert_eq!(
        fixed.json(),
        json!({"id": 1, "name": "alice", "email": "alice@nat-demo.test"})
    );
    // Both twins only show a user their own account.
    for twin in ["vuln", "fixed"] {
        assert_problem(
            &demo.get(&format!("/{twin}/users/1"), Some(&bob)).await,
            404,
        );
        assert_401(&demo.get(&format!("/{twin}/users/1"), None).await);
    }
    demo.server.stop().await;
}

#[tokio::test]
async fn mass_assignment_account() {
    let demo = Demo::start().await;
    let (alice, bob) = (user_token(), second_user_token());
    let patch = |twin: &'static str, token: String, body: Value| {
        let demo = &demo;
        async move {
            demo.send(
                Method::PATCH,
                &format!("/{twin}/account"),
                Some(&token),
                &[],
                Some(body),
            )
            .await
        }
    };
    let sneaky = json!({"name": "Alice L", "role": "admin", "is_admin": true});
    for twin in ["vuln", "fixed"] {
        let a = demo.get(&format!("/{twin}/account"), Some(&alice)).await;
        assert_eq!(
            a.json(),
            json!({"id": 1, "name": "alice", "email": "alice@nat-demo.test",
                   "role": "user", "is_admin": false})
        );
        assert_401(&demo.get(&format!("/{twin}/account"), None).await);
        assert_eq!(patch(twin, alice.clone(), sneaky.clone()).await.status, 204);
        for bad in [json!({"name": ""}), json!({"name": 7}), json!([1])] {
            assert_problem(&patch(twin, alice.clone(), bad).await, 400);
        }
    }
    // VULNERABLE: role and is_admin were stored, for alice only.
    let a = demo.get("/vuln/account", Some(&alice)).await.json();
    assert_eq!(
        (&a["name"], &a["role"], &a["is_admin"]),
        (&json!("Alice L"), &json!("admin"), &json!(true))
    );
    let b = demo.get("/vuln/account", Some(&bob)).await.json();
    assert_eq!(
        (&b["role"], &b["is_admin"]),
        (&json!("user"), &json!(false))
    );
    // FIXED: only the name changed.
    let a = demo.get("/fixed/account", Some(&alice)).await.json();
    assert_eq!(
        (&a["name"], &a["role"], &a["is_admin"]),
        (&json!("Alice L"), &json!("user"), &json!(false))
    );
    // Each server instance has its own accounts.
    let other = Demo::start().await;
    let a = other.get("/vuln/account", Some(&alice)).await.json();
    assert_eq!(a["role"], "user");
    other.server.stop().await;
    demo.server.stop().await;
}

/// Hostile input at the vulnerable routes: only the deliberate 5xx (SQL error text on
/// `/vuln/products`, the generic 500 of `/vuln/orders`) and the server keeps serving.
#[tokio::test]
async fn vulnerable_routes_fail_only_as_designed() {
    let demo = Demo::start().await;
    let token = user_token();
    let long = "A".repeat(10_000);
    let values = [
        "'",
        "\"",
        "%00",
        "%FF",
        "1;DROP%20TABLE%20products",
        "-1",
        "1e309",
        &long,
    ];
    for v in values {
        for path in [
            format!("/vuln/reports/{v}"),
            format!("/vuln/errors/items/{v}"),
            format!("/vuln/products/{v}"),
            format!("/vuln/products?name={v}"),
        ] {
            let a = demo.get(&path, Some(&token)).await;
            if a.status.is_server_error() {
                assert!(path.starts_with("/vuln/products?"), "{path}: {}", a.status);
                assert!(a.json()["error"]
                    .as_str()
                    .unwrap()
                    .starts_with("SQLITE_ERROR"));
            }
        }
    }
    for body in [
        json!(null),
        json!({"query": 1}),
        json!({"query": long}),
        json!({"query": "' UNION SELECT 1, sqlite_version(), 3 --"}),
    ] {
        let a = demo.post("/vuln/search", body.clone()).await;
        assert!(a.status.as_u16() < 500, "{body}");
    }
    // The table survived `1;DROP TABLE products` (one statement per query).
    let a = demo.get("/vuln/products/1", Some(&token)).await;
    assert_eq!(a.status, 200);
    // UNION-based extraction works through the error-based route, as a real injection would.
    let a = demo
        .get(
            "/vuln/products?name=x'%20UNION%20SELECT%201%2C%20sqlite_version()%2C%203%20--",
            Some(&token),
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(a.json()["results"][0]["name"]
        .as_str()
        .unwrap()
        .starts_with('3'));
    assert_eq!(demo.get("/health", None).await.status, 200);
    demo.server.stop().await;
}

#[tokio::test]
async fn function_level_authorization_admin_users() {
    let demo = Demo::start().await;
    let admin = crate::demo::admin_token();
    for prefix in ["/vuln", "/fixed"] {
        let path = format!("{prefix}/admin/users");
        assert_401(&demo.get(&path, None).await);
        let a = demo.get(&path, Some(&admin)).await;
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(a.json()["users"].as_array().unwrap().len(), 3);
        assert!(a.has_security_headers());
    }
    // VULNERABLE: alice, an ordinary user, gets the same list; FIXED: 403.
    let vuln = demo.get("/vuln/admin/users", Some(&user_token())).await;
    assert_eq!(vuln.status, 200);
    assert!(vuln.body.contains("carol@nat-demo.test"));
    assert_problem(
        &demo.get("/fixed/admin/users", Some(&user_token())).await,
        403,
    );
    let a = demo
        .send(Method::POST, "/fixed/admin/users", Some(&admin), &[], None)
        .await;
    assert_problem(&a, 405);
    demo.server.stop().await;
}

#[tokio::test]
async fn object_level_authorization_on_writes_notes() {
    let demo = Demo::start().await;
    let (alice, bob) = (user_token(), crate::demo::second_user_token());
    for (prefix, vulnerable) in [("/vuln", true), ("/fixed", false)] {
        let made = demo
            .send(
                Method::POST,
                &format!("{prefix}/notes"),
                Some(&alice),
                &[],
                Some(json!({"text": "alice's"})),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        let id = made.json()["id"].as_i64().unwrap();
        let path = format!("{prefix}/notes/{id}");
        // Reads are owner-only on both twins.
        assert_problem(&demo.get(&path, Some(&bob)).await, 404);
        assert_eq!(
            demo.get(&path, Some(&alice)).await.json()["text"],
            "alice's"
        );
        // Bad input is a 400, never a 500.
        let bad = demo
            .send(
                Method::PATCH,
                &path,
                Some(&alice),
                &[],
                Some(json!({"text": 5})),
            )
            .await;
        assert_problem(&bad, 400);
        let changed = demo
            .send(
                Method::PATCH,
                &path,
                Some(&bob),
                &[],
                Some(json!({"text": "bob's"})),
            )
            .await;
        let deleted = demo
            .send(Method::DELETE, &path, Some(&bob), &[], None)
            .await;
        if vulnerable {
            assert_eq!(changed.status, 200);
            assert_eq!(deleted.status, 204);
            assert_problem(&demo.get(&path, Some(&alice)).await, 404);
        } else {
            assert_problem(&changed, 404);
            assert_problem(&deleted, 404);
            assert_eq!(
                demo.get(&path, Some(&alice)).await.json()["text"],
                "alice's"
            );
        }
    }
    demo.server.stop().await;
}

impl Demo {
    async fn anon_post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, None, &[], Some(body)).await
    }
}

#[tokio::test]
async fn logins_enumeration_and_lockout() {
    let demo = Demo::start().await;
    let me = demo.get("/authn/me", Some(&user_token())).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "alice");
    assert_401(&demo.get("/authn/me", None).await);
    let creds = |u: &str, p: &str| json!({"username": u, "password": p});
    for twin in ["vuln", "fixed"] {
        for route in ["login", "signin"] {
            let path = format!("/{twin}/authn/{route}");
            let ok = demo
                .anon_post(&path, creds("alice", "alice-demo-password-1"))
                .await;
            assert_eq!(ok.status, 200, "{path}");
            assert!(jwt::verify(ok.json()["token"].as_str().unwrap()).is_some());
            assert_problem(&demo.anon_post(&path, json!({"username": 1})).await, 400);
            let long = "x".repeat(200);
            assert_problem(&demo.anon_post(&path, creds(&long, "p")).await, 400);
        }
    }
    // VULNERABLE: unknown users and wrong passwords answer apart.
    let wrong = demo
        .anon_post("/vuln/authn/login", creds("alice", "nope"))
        .await;
    let unknown = demo
        .anon_post("/vuln/authn/login", creds("nobody", "nope"))
        .await;
    assert_problem(&wrong, 401);
    assert_problem(&unknown, 404);
    // FIXED: alike, and the sixth failure for a username (known or not) is a 429 with Retry-After.
    for user in ["bob", "nobody"] {
        let first = demo
            .anon_post("/fixed/authn/login", creds(user, "nope"))
            .await;
        assert_problem(&first, 401);
        assert_eq!(first.json()["detail"], "Invalid username or password.");
        for _ in 0..4 {
            let a = demo
                .anon_post("/fixed/authn/login", creds(user, "nope"))
                .await;
            assert_eq!(a.body, first.body);
        }
        let locked = demo
            .anon_post("/fixed/authn/login", creds(user, "nope"))
            .await;
        assert_problem(&locked, 429);
        let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // The lockout is the account's, on both fixed logins; other accounts are not locked.
    let bob = creds("bob", "bob-demo-password-2");
    assert_problem(&demo.anon_post("/fixed/authn/signin", bob).await, 429);
    assert_eq!(
        demo.anon_post(
            "/fixed/authn/signin",
            creds("alice", "alice-demo-password-1")
        )
        .await
        .status,
        200
    );
    // The vulnerable sign-in never throttles.
    for _ in 0..30 {
        assert_problem(
            &demo
                .anon_post("/vuln/authn/signin", creds("nobody", "x"))
                .await,
            401,
        );
    }
    demo.server.stop().await;
}

#[tokio::test]
async fn sessions_log_in_expire_and_log_out() {
    let demo = Demo::start().await;
    let login = |body: Value| demo.send(Method::POST, "/sessions/login", None, &[], Some(body));
    assert_problem(
        &login(json!({"username": "alice", "password": "nope"})).await,
        401,
    );
    assert_problem(&login(json!({"username": "alice"})).await, 400);
    let bad_ttl = json!({"username": "alice", "password": user_password(), "ttl_seconds": 0});
    assert_problem(&login(bad_ttl).await, 400);
    let a = login(json!({"username": "alice", "password": user_password()})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["expires_in"], 900);
    let token = a.json()["access_token"].as_str().unwrap().to_string();
    // A form works too.
    let form = demo
        .client
        .post(format!("{}{LOGIN_PATH}", demo.server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "username=bob&password={}&ttl_seconds=1",
            second_user_password()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let short: Value = form.json().await.unwrap();
    let short = short["access_token"].as_str().unwrap().to_string();
    for path in ["/vuln/sessions/profile", "/fixed/sessions/profile"] {
        assert_eq!(demo.get(path, Some(&token)).await.json()["name"], "alice");
        assert_401(&demo.get(path, None).await);
    }
    // Expired: only the vulnerable profile still answers.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(
        demo.get("/vuln/sessions/profile", Some(&short))
            .await
            .json()["name"],
        "bob"
    );
    assert_401(&demo.get("/fixed/sessions/profile", Some(&short)).await);
    // Logout: the vulnerable one ends nothing, the fixed one revokes the session everywhere.
    let demo_ref = &demo;
    let logout = |path: &'static str, t: String| async move {
        demo_ref.send(Method::POST, path, Some(&t), &[], None).await
    };
    assert_eq!(
        logout("/vuln/sessions/logout", token.clone()).await.status,
        204
    );
    assert_eq!(
        demo.get("/fixed/sessions/profile", Some(&token))
            .await
            .status,
        200
    );
    assert_eq!(
        logout("/fixed/sessions/logout", token.clone()).await.status,
        204
    );
    assert_401(&demo.get("/vuln/sessions/profile", Some(&token)).await);
    assert_401(&demo.get("/fixed/sessions/profile", Some(&token)).await);
    assert_401(&logout("/fixed/sessions/logout", token.clone()).await);
    demo.server.stop().await;
}

#[tokio::test]
async fn password_reset_rate_limit() {
    let demo = Demo::start().await;
    let body = json!({"email": "jdoe@nat-demo.test"});
    for _ in 0..30 {
        let a = demo
            .anon_post("/vuln/authn/password-reset", body.clone())
            .await;
        assert_eq!(a.status, 202);
        assert!(a.header("ratelimit-remaining").is_none());
    }
    assert_problem(
        &demo
            .anon_post("/fixed/authn/password-reset", json!({"email": "no-at"}))
            .await,
        400,
    );
    for left in (0..5).rev() {
        let a = demo
            .anon_post("/fixed/authn/password-reset", body.clone())
            .await;
        assert_eq!(a.status, 202);
        assert_eq!(
            a.header("ratelimit-remaining"),
            Some(left.to_string().as_str())
        );
    }
    let limited = demo.anon_post("/fixed/authn/password-reset", body).await;
    assert_problem(&limited, 429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(limited.has_security_headers());
    demo.server.stop().await;
}

#[tokio::test]
async fn validated_lookup_answers_422_with_detail_until_the_body_is_valid() {
    let demo = Demo::start().await;
    let valid = json!({"mode": "exact", "product": "widget", "category": "tools",
                       "contact": "nat@example.com", "reference": "NAT-0001", "quantity": 2});
    for twin in ["vuln", "fixed"] {
        let path = format!("/{twin}/validated/lookup");
        assert_401(
            &demo
                .send(Method::POST, &path, None, &[], Some(valid.clone()))
                .await,
        );
        // What nat used to send: placeholders where the schema says what is valid.
        let mut old = valid.clone();
        old["mode"] = json!("nat");
        old["reference"] = json!("nat");
        old["quantity"] = json!(1);
        let a = demo.post(&path, old).await;
        assert_eq!(a.status, 422, "{}", a.body);
        let detail = a.json()["detail"].as_array().unwrap().clone();
        let fields: Vec<&Value> = detail.iter().map(|d| &d["loc"][1]).collect();
        assert_eq!(
            fields,
            [&json!("mode"), &json!("reference"), &json!("quantity")]
        );
        assert_eq!(detail[0]["msg"], "String should match pattern '^exact$'");
        assert_eq!(detail[2]["ctx"], json!({"multiple_of": 2}));
        let a = demo.post(&path, valid.clone()).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["results"][0]["name"], "widget");
    }
    let count = |a: Answer| a.json()["results"].as_array().unwrap().len();
    let with = |product: &str| {
        let mut b = valid.clone();
        b["product"] = json!(product);
        b
    };
    let vuln = "/vuln/validated/lookup";
    assert_eq!(count(demo.post(vuln, with("widget' AND '1'='1")).await), 1);
    assert_eq!(count(demo.post(vuln, with("widget' AND '1'='2")).await), 0);
    let fixed = "/fixed/validated/lookup";
    assert_eq!(count(demo.post(fixed, with("widget' AND '1'='1")).await), 0);
    assert_eq!(count(demo.post(fixed, with("widget")).await), 1);
    demo.server.stop().await;
}

#[tokio::test]
async fn strict_logins_answer_422_to_invalid_bodies_and_only_the_fixed_one_locks() {
    let demo = Demo::start().await;
    let creds = |u: &str, p: &str| json!({"username": u, "password": p});
    for twin in ["vuln", "fixed"] {
        let path = format!("/{twin}/strict/login");
        let ok = demo.anon_post(&path, creds("alice", user_password())).await;
        assert_eq!(ok.status, 200, "{path}: {}", ok.body);
        assert!(jwt::verify(ok.json()["access_token"].as_str().unwrap()).is_some());
        let invalid = demo.anon_post(&path, creds("Alice", "short")).await;
        assert_eq!(invalid.status, 422, "{}", invalid.body);
        let detail = invalid.json()["detail"].clone();
        assert_eq!(detail[0]["loc"], json!(["body", "username"]));
        assert_eq!(detail[1]["type"], "string_too_short");
        // An unknown account and a wrong password answer alike.
        let wrong = demo.anon_post(&path, creds("bob", "wrong-password")).await;
        let unknown = demo
            .anon_post(&path, creds("nobody", "wrong-password"))
            .await;
        assert_eq!(wrong.status, 401);
        assert_eq!((wrong.status, wrong.body), (unknown.status, unknown.body));
    }
    // Invalid bodies are no attempts: any number of them locks nothing.
    for _ in 0..10 {
        let a = demo
            .anon_post("/fixed/strict/login", creds("carl", "x"))
            .await;
        assert_eq!(a.status, 422);
    }
    for _ in 0..5 {
        let a = demo
            .anon_post("/fixed/strict/login", creds("carl", "wrong-password"))
            .await;
        assert_eq!(a.status, 401, "{}", a.body);
    }
    let locked = demo
        .anon_post("/fixed/strict/login", creds("carl", "wrong-password"))
        .await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another account is not locked; the vulnerable twin never locks.
    assert_eq!(
        demo.anon_post("/fixed/strict/login", creds("alice", user_password()))
            .await
            .status,
        200
    );
    for _ in 0..30 {
        let a = demo
            .anon_post("/vuln/strict/login", creds("carl", "wrong-password"))
            .await;
        assert_eq!(a.status, 401);
    }
    demo.server.stop().await;
}

#[tokio::test]
async fn undeclared_orders_need_a_token_the_description_does_not_ask_for() {
    let demo = Demo::start().await;
    let doc: Value = serde_json::from_str(openapi_json()).unwrap();
    for twin in ["vuln", "fixed"] {
        let template = format!("/{twin}/undeclared/orders/{{order_id}}");
        assert_eq!(doc["paths"][&template]["get"]["security"], json!([]));
        let path = format!("/{twin}/undeclared/orders/7001");
        assert_401(&demo.get(&path, None).await);
        assert_401(&demo.get(&path, Some("nat-invalid-token")).await);
        let own = demo.get(&path, Some(&user_token())).await;
        assert_eq!(own.status, 200, "{}", own.body);
        assert_eq!(own.json()["owner_id"], 1);
        // Both twins show a user only their own orders.
        assert_problem(&demo.get(&path, Some(&second_user_token())).await, 404);
        let bobs = format!("/{twin}/undeclared/orders/7002");
        assert_eq!(
            demo.get(&bobs, Some(&second_user_token())).await.status,
            200
        );
        assert_problem(
            &demo
                .get(&format!("/{twin}/undeclared/orders/x"), Some(&user_token()))
                .await,
            404,
        );
    }
    // Only the vulnerable twin takes a forged token.
    for forged in tampered_tokens() {
        let vuln = demo
            .get("/vuln/undeclared/orders/7001", Some(&forged))
            .await;
        assert_eq!(vuln.status, 200, "{forged}");
        assert_401(
            &demo
                .get("/fixed/undeclared/orders/7001", Some(&forged))
                .await,
        );
    }
    demo.server.stop().await;
}

#[tokio::test]
async fn keepalive_articles_drop_the_connection_after_a_500_and_the_fixed_twin_keeps_it() {
    let demo = Demo::start().await;
    let token = user_token();
    for twin in ["vuln", "fixed"] {
        let a = demo
            .get(&format!("/{twin}/keepalive/articles?page=2"), Some(&token))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["articles"][0]["id"], 3);
        assert_401(
            &demo
                .get(&format!("/{twin}/keepalive/articles?page=1"), None)
                .await,
        );
    }
    assert_problem(
        &demo
            .get("/fixed/keepalive/articles?page=0", Some(&token))
            .await,
        400,
    );
    // Not an integer: the framework's 422, on both twins.
    for twin in ["vuln", "fixed"] {
        let a = demo
            .get(&format!("/{twin}/keepalive/articles?page=x"), Some(&token))
            .await;
        assert_eq!(a.status, 422, "{}", a.body);
        assert_eq!(a.json()["detail"][0]["type"], "int_parsing");
    }
    // One pooled connection, requests one after another: each reuses it.
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let get = |page: &str| {
        client
            .get(format!(
                "{}/api/v1/vuln/keepalive/articles?page={page}",
                demo.server.url()
            ))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(get("x").await.unwrap().status(), 422);
    let error = get("9").await.unwrap();
    assert_eq!(error.status(), 500);
    // No warning: the connection looks reusable.
    assert!(error.headers().get("connection").is_none());
    assert_eq!(error.text().await.unwrap(), "Internal Server Error");
    let lost = get("1").await;
    assert!(
        lost.is_err(),
        "the request after the 500 was answered: {lost:?}"
    );
    // The server read it and dropped the connection; a new one serves the next request.
    assert_eq!(
        demo.server.dropped_requests(),
        ["GET /api/v1/vuln/keepalive/articles"]
    );
    assert_eq!(
        demo.server.requests().last().map(String::as_str),
        Some("GET /api/v1/vuln/keepalive/articles")
    );
    assert_eq!(get("1").await.unwrap().status(), 200);
    // The fixed twin's 400 leaves the connection usable.
    let fixed = |page: &str| {
        client
            .get(format!(
                "{}/api/v1/fixed/keepalive/articles?page={page}",
                demo.server.url()
            ))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(fixed("99").await.unwrap().status(), 400);
    assert_eq!(fixed("1").await.unwrap().status(), 200);
    demo.server.stop().await;
}
