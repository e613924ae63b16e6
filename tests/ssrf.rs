//! SSRF through nat's callback listener (issue 11): on its own loopback address by default, and at
//! the address `--callback-url` names (here `localhost` on a port given with `--callback-bind`).

use nat::engine::{run, CancellationToken, Events};
use nat::request::{AuthConfig, FailOn, ScanRequest, Secret};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_works_at_the_url_the_user_gives() {
    let demo = nat::demo::serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut req = ScanRequest {
        url: demo.url(),
        ..Default::default()
    };
    req.auth = AuthConfig {
        token: Some(Secret::new(nat::demo::second_user_token())),
        ..Default::default()
    };
    req.options.fail_on = FailOn::None;
    req.options.checks = vec!["NAT-API7-SSRF".into()];
    req.options.callback.bind = Some(format!("127.0.0.1:{port}"));
    req.options.callback.url = Some(format!("http://localhost:{port}/"));
    let report = run(req, Events::none(), CancellationToken::new())
        .await
        .unwrap();
    demo.stop().await;
    let mut found: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.endpoint.as_str())
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        ["GET /vuln/link-preview", "POST /vuln/webhooks/test"],
        "{:#?}",
        report.findings
    );
    for f in &report.findings {
        assert!(
            f.evidence.request.contains(&format!(
                "# nat's callback URL: http://localhost:{port}/nat/"
            )),
            "{}",
            f.evidence.request
        );
        assert!(f
            .evidence
            .response
            .contains("# the callback listener received, from the target:"));
    }
    // The fixed twin refused the plain URL and the spellings that slip past naive filters
    // (upper-case scheme, user info): the baseline and three probes.
    let fixed = report
        .coverage
        .iter()
        .find(|c| c.endpoint == "POST /fixed/webhooks/test")
        .unwrap();
    assert_eq!(fixed.requests, 4, "{fixed:#?}");
}
