//! The password-change proof (issue 15, cause 3): the user sets user B's password through an
//! operation that names the account in its path, B logs in with it, and nat sets it back as B. It
//! runs only when both log in with a login flow, and says why not otherwise.

use nat::engine::{run, CancellationToken, Events};
use nat::request::{AuthConfig, FailOn, ScanRequest, Secret};

const VULN: &str = "PUT /vuln/accounts/{username}/password";
const FIXED: &str = "PUT /fixed/accounts/{username}/password";

fn login(user: &str, password: &str) -> AuthConfig {
    AuthConfig {
        login_url: Some(nat::demo::LOGIN_PATH.into()),
        username: Some(user.into()),
        password: Some(Secret::new(password)),
        ..Default::default()
    }
}

async fn scan(url: String, auth_b: AuthConfig) -> nat::report::ScanReport {
    let mut req = ScanRequest {
        url,
        ..Default::default()
    };
    req.auth = login("alice", nat::demo::user_password());
    req.auth_b = Some(auth_b);
    req.options.fail_on = FailOn::None;
    req.options.checks = vec!["NAT-API1-PASSWORD-CHANGE".into()];
    run(req, Events::none(), CancellationToken::new())
        .await
        .unwrap()
}

/// Whether `user` logs in to the demo with `password`.
async fn logs_in(url: &str, user: &str, password: &str) -> bool {
    reqwest::Client::new()
        .post(format!("{url}{}", nat::demo::LOGIN_PATH))
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .is_success()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_users_password_is_set_proven_by_their_login_and_set_back() {
    let demo = nat::demo::serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = demo.url();
    let report = scan(url.clone(), login("bob", nat::demo::second_user_password())).await;
    let found: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.endpoint.as_str())
        .collect();
    assert_eq!(found, [VULN], "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.check, "NAT-API1-PASSWORD-CHANGE");
    assert!(f
        .evidence
        .request
        .contains("PUT /api/v1/vuln/accounts/bob/password"));
    assert!(
        f.evidence.request.contains("confirmed by a login"),
        "{}",
        f.evidence.request
    );
    // The password nat generated is nowhere in the report.
    let text = serde_json::to_string(&report).unwrap();
    assert!(!text.contains("Nat-"), "the generated password leaked");
    assert!(!text.contains(nat::demo::second_user_password()));
    // Both accounts work with their own passwords afterwards; the fixed twin refused.
    assert!(logs_in(&url, "bob", nat::demo::second_user_password()).await);
    assert!(logs_in(&url, "alice", nat::demo::user_password()).await);
    let fixed = report
        .coverage
        .iter()
        .find(|c| c.endpoint == FIXED)
        .unwrap();
    assert_eq!(fixed.checks_run, ["NAT-API1-PASSWORD-CHANGE"]);
    assert!(!report.scan.partial);
    assert!(
        !report
            .warnings
            .iter()
            .any(|w| w.contains("could NOT set it back")),
        "{:#?}",
        report.warnings
    );
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_user_bs_login_nothing_is_sent_and_the_coverage_says_why() {
    let demo = nat::demo::serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let url = demo.url();
    let bearer = AuthConfig {
        token: Some(Secret::new(nat::demo::second_user_token())),
        ..Default::default()
    };
    let report = scan(url.clone(), bearer).await;
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let vuln = report.coverage.iter().find(|c| c.endpoint == VULN).unwrap();
    let why = vuln.reason.as_deref().unwrap_or_default();
    assert!(
        why.contains("the password-change proof could not run: user B does not log in"),
        "{why}"
    );
    assert!(!demo.requests().iter().any(|r| r.contains("/accounts/")));
    assert!(logs_in(&url, "bob", nat::demo::second_user_password()).await);
    demo.stop().await;
}
