//! Named identities: checks can send as each of them, find them by role and compare privileges; the
//! report lists them by name and role, and their secrets never reach it.

mod common;

use common::{openapi_with_items, Reply, TestServer};
use nat::engine::{run, CancellationToken, Events};
use nat::http::{Auth, HttpClient, HttpConfig, IdentityInfo, RequestSpec, Who, LEVEL_ADMIN};
use nat::request::{FailOn, ScanRequest};

fn request(url: &str) -> ScanRequest {
    let text = format!(
        r#"
url: {url}
spec_content: {spec}
auth: {{token: user-a-t0ken}}
identities:
  - {{name: low, role: user, auth: {{token: low-t0ken}}}}
  - {{name: boss, role: Admin, auth: {{type: header, header_name: X-Api-Key, header_value: b0ss-key}}}}
  - {{name: clerk, role: billing-clerk, auth: {{type: basic, username: clerk, password: cl3rk-pw}}}}
options: {{fail_on: none}}
"#,
        spec = base64_of(&openapi_with_items(2)),
    );
    ScanRequest::from_text(&text).unwrap()
}

fn base64_of(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_send_as_named_identities_found_by_role() {
    let server = TestServer::start(|seen| Reply::json(200, &format!("{:?}", seen.path)));
    let req = request(&server.url());
    req.validate().unwrap();
    let identities = req
        .identities
        .iter()
        .map(|i| (IdentityInfo::of(i), Auth::from_config(&i.auth)))
        .collect();
    let http = HttpClient::new(
        HttpConfig::from_request(&req).unwrap(),
        Auth::from_config(&req.auth),
        Events::none(),
        CancellationToken::new(),
    )
    .unwrap()
    .with_identities(identities);

    let admins = http.identities_with_role("admin");
    assert_eq!(admins, vec![Who::Identity(1)]);
    let low = http.identity_named("low").unwrap();
    assert_eq!(http.identities_with_role("user"), vec![low.clone()]);
    assert_eq!(http.identity_info(&admins[0]).unwrap().name, "boss");
    assert_eq!(http.privilege(&admins[0]), Some(LEVEL_ADMIN));
    assert_eq!(http.more_privileged(&admins[0], &low), Some(true));
    assert_eq!(http.more_privileged(&low, &admins[0]), Some(false));
    assert_eq!(http.more_privileged(&low, &Who::Anonymous), Some(true));
    let clerk = http.identity_named("clerk").unwrap();
    assert_eq!(http.more_privileged(&clerk, &low), None, "unknown role");
    assert_eq!(http.more_privileged(&Who::User, &low), None);
    assert_eq!(http.identities().count(), 3);

    let get = RequestSpec {
        method: "GET".into(),
        path: "/items0".into(),
        ..Default::default()
    };
    let ex = http.send(&admins[0], &get).await;
    assert!(ex.is_success(), "{ex:?}");
    let ex_low = http.send(&low, &get).await;
    let seen = server.seen();
    assert_eq!(seen[0].header("x-api-key"), Some("b0ss-key"));
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(seen[1].header("authorization"), Some("Bearer low-t0ken"));
    // Evidence never shows an identity's secret.
    for ex in [&ex, &ex_low] {
        let ev = http.evidence(ex);
        let text = format!("{}\n{}", ev.request, ev.response);
        assert!(
            !text.contains("b0ss-key") && !text.contains("low-t0ken"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_lists_identities_by_name_and_role_never_their_secrets() {
    let server = TestServer::start(|seen| {
        // Echoes every header back, secrets included: the report must still not show them.
        Reply::json(200, &format!("{:?}", seen.headers))
    });
    let mut req = request(&server.url());
    req.options.fail_on = FailOn::None;
    let report = run(req, Events::none(), CancellationToken::new())
        .await
        .unwrap();
    let names: Vec<(&str, Option<&str>)> = report
        .scan
        .identities
        .iter()
        .map(|i| (i.name.as_str(), i.role.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("user", None),
            ("low", Some("user")),
            ("boss", Some("Admin")),
            ("clerk", Some("billing-clerk"))
        ]
    );
    let json = serde_json::to_string(&report).unwrap();
    for secret in ["user-a-t0ken", "low-t0ken", "b0ss-key", "cl3rk-pw"] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    assert!(json.contains(r#""role":"Admin""#), "{json}");
}
