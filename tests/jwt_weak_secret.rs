//! `NAT-API2-JWT-WEAK-SECRET` against test servers on 127.0.0.1 (the demo's tokens are signed with a
//! strong key, so the check has no demo pair): an API whose tokens are signed with a common secret,
//! its twin with a strong secret, and APIs where nothing can be proven.

mod common;

use base64::Engine as _;
use common::{Reply, TestServer};
use nat::checks::jwt_weak_secret::{sign, HmacAlg, HmacJwt, FORGED_SUBJECT};
use nat::engine::{run, CancellationToken, Events};
use nat::report::ScanReport;
use nat::request::{AuthConfig, FailOn, ScanRequest, Secret};
use serde_json::json;

const CHECK: &str = "NAT-API2-JWT-WEAK-SECRET";
const STRONG: &str = "Zq8#rL2!vN6@tY4$wK9%mB1^xC7&pH3*";

fn spec() -> String {
    json!({
        "openapi": "3.0.3", "info": {"title": "Weak JWT test", "version": "1"},
        "components": {"securitySchemes": {"b": {"type": "http", "scheme": "bearer"}}},
        "security": [{"b": []}],
        "paths": {
            "/me": {"get": {"responses": {"200": {"description": "The caller."}}}},
            "/status": {"get": {"responses": {"200": {"description": "Status."}}}}
        }
    })
    .to_string()
}

/// An API that verifies tokens with `key` and trusts their `sub`. With `known`, only those subjects
/// exist (others answer 401).
fn api(key: &'static str, known: Option<&'static [&'static str]>) -> TestServer {
    TestServer::start(move |req| {
        let sub = req
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .and_then(HmacJwt::parse)
            .filter(|t| t.verifies_with(key.as_bytes()))
            .and_then(|t| t.subject())
            .filter(|s| known.is_none_or(|k| k.contains(&s.as_str())));
        match (req.path.as_str(), sub) {
            (_, None) => Reply::json(401, r#"{"error":"unauthorized"}"#),
            ("/me", Some(sub)) => {
                Reply::json(200, &json!({"user_id": sub, "plan": "free"}).to_string())
            }
            ("/status", Some(_)) => Reply::json(200, r#"{"ok":true}"#),
            _ => Reply::json(404, r#"{"error":"not found"}"#),
        }
    })
}

fn token(alg: HmacAlg, key: &str, sub: &str) -> String {
    sign(alg, key, &json!({"sub": sub, "iat": 1_700_000_000}))
}

async fn scan(server: &TestServer, user: String, user_b: Option<String>) -> ScanReport {
    let mut req = ScanRequest {
        url: server.url(),
        spec_content: Some(base64::engine::general_purpose::STANDARD.encode(spec())),
        ..Default::default()
    };
    req.auth = AuthConfig {
        token: Some(Secret::new(user)),
        ..Default::default()
    };
    req.auth_b = user_b.map(|t| AuthConfig {
        token: Some(Secret::new(t)),
        ..Default::default()
    });
    req.options.fail_on = FailOn::None;
    run(req, Events::none(), CancellationToken::new())
        .await
        .unwrap()
}

fn weak_findings(report: &ScanReport) -> Vec<&nat::findings::Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.check == CHECK)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_signed_with_a_common_secret_is_forged_for_user_b() {
    let server = api("changeme", None);
    let (a, b) = (
        token(HmacAlg::Hs256, "changeme", "1"),
        token(HmacAlg::Hs256, "changeme", "2"),
    );
    let report = scan(&server, a.clone(), Some(b)).await;
    let found = weak_findings(&report);
    // Only where the answer names the user: not on /status.
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.endpoint, "GET /me");
    assert_eq!(f.severity, nat::findings::Severity::Critical);
    assert_eq!(f.cwe, "CWE-1391");
    assert!(
        f.evidence.request.contains("`sub` set to \"2\""),
        "{}",
        f.evidence.request
    );
    assert!(f
        .evidence
        .request
        .contains("Authorization: Bearer <JWT alg=HS256, signature present, redacted>"));
    assert!(f.evidence.response.contains(r#""user_id":"2""#));
    // Neither the secret nor the forged token reach the report.
    let forged = HmacJwt::parse(&a).unwrap().forge(&json!("2"), "changeme");
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("changeme") && !text.contains(&forged) && !text.contains(&a));
    // The forged request was anonymous but for the forged token.
    let seen = server.seen();
    assert!(seen
        .iter()
        .any(|s| s.header("authorization") == Some(&format!("Bearer {forged}"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_user_b_a_made_up_subject_is_forged_on_every_hmac_alg() {
    let server = api("secret", None);
    let report = scan(&server, token(HmacAlg::Hs512, "secret", "1"), None).await;
    let found = weak_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].evidence.response.contains(FORGED_SUBJECT));
    assert_eq!(found[0].fingerprint.len(), 32);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strong_secrets_unknown_subjects_and_open_apis_are_silent() {
    // The fixed twin: same API, strong secret.
    let server = api(STRONG, None);
    let report = scan(
        &server,
        token(HmacAlg::Hs256, STRONG, "1"),
        Some(token(HmacAlg::Hs256, STRONG, "2")),
    )
    .await;
    assert!(weak_findings(&report).is_empty());

    // A weak secret, but the API only knows real users and no second user is configured: the
    // made-up subject is refused, nothing is proven.
    let server = api("secret", Some(&["1", "2"]));
    let report = scan(&server, token(HmacAlg::Hs256, "secret", "1"), None).await;
    assert!(weak_findings(&report).is_empty());

    // An API that answers anything, even a garbage token: no control, no proof (the
    // authentication-bypass check's finding).
    let server = TestServer::start(|_| Reply::json(200, r#"{"user_id":"1"}"#));
    let report = scan(&server, token(HmacAlg::Hs256, "secret", "1"), None).await;
    assert!(weak_findings(&report).is_empty());
    assert!(report
        .findings
        .iter()
        .any(|f| f.check == "NAT-API2-AUTH-BYPASS"));
}

/// An API whose answers do not name the token's subject (vulnapi's `GET /me/notifications/` answers
/// `{"email": …}` for a token with `sub: luke`): a changed subject cannot be seen, so the proof is a
/// token nat signed itself (the user's claims plus one of nat's) answered exactly like the user's,
/// while a garbage token is refused — `firm`. The strong-secret twin is silent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_subject_in_the_answer_a_token_nat_minted_is_the_proof() {
    fn mail_api(key: &'static str) -> TestServer {
        TestServer::start(move |req| {
            let sub = req
                .header("authorization")
                .and_then(|h| h.strip_prefix("Bearer "))
                .and_then(HmacJwt::parse)
                .filter(|t| t.verifies_with(key.as_bytes()))
                .and_then(|t| t.subject());
            match (req.path.as_str(), sub) {
                (_, None) => Reply::json(401, r#"{"detail":"Could not validate credentials"}"#),
                ("/me", Some(sub)) => Reply::json(
                    200,
                    &json!({"email": format!("{sub}@rebels.test")}).to_string(),
                ),
                (_, Some(_)) => Reply::json(200, r#"{"ok":true}"#),
            }
        })
    }
    let server = mail_api("123456");
    let report = scan(&server, token(HmacAlg::Hs256, "123456", "luke"), None).await;
    let found = weak_findings(&report);
    // `/me` (its answer names `luke`), not `/status` (`{"ok": true}` says nothing of the user).
    assert_eq!(found.len(), 1, "{:#?}", report.findings);
    for f in found {
        assert_eq!(f.confidence, nat::findings::Confidence::Firm);
        assert!(f.evidence.request.contains("with a claim nat added"));
        assert!(
            !f.evidence.request.contains("123456"),
            "the secret is withheld"
        );
    }
    let server = mail_api(STRONG);
    let report = scan(&server, token(HmacAlg::Hs256, STRONG, "luke"), None).await;
    assert!(weak_findings(&report).is_empty());
}
