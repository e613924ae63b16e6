//! A scan run under an address policy (what the team server does) connects nowhere the policy refuses:
//! not the target, not the description's URL, not a redirect. Only loopback is used, and refused.

mod common;

use common::{openapi_with_items, Reply, TestServer};
use nat::engine::{run_guarded, CancellationToken, Events};
use nat::http::guard::{AddressPolicy, Policy};
use nat::request::ScanRequest;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Debug)]
struct RefuseLoopback;

impl AddressPolicy for RefuseLoopback {
    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), String> {
        if ip.is_loopback() {
            Err(format!("{host} ({ip}) is refused by the test policy"))
        } else {
            Ok(())
        }
    }
}

fn policy() -> Option<Policy> {
    Some(Arc::new(RefuseLoopback))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_target_or_spec_url_is_never_contacted() {
    let spec = openapi_with_items(2);
    let server = TestServer::start(move |req| match req.path.as_str() {
        "/openapi.json" => Reply::json(200, &spec),
        _ => Reply::json(200, "{}"),
    });
    // By name and by address literal, the description's URL and the target itself.
    for base in [server.url(), format!("http://localhost:{}", server.port)] {
        let req = ScanRequest {
            url: base.clone(),
            spec_url: Some(format!("{base}/openapi.json")),
            ..Default::default()
        };
        let err = run_guarded(req, Events::none(), CancellationToken::new(), policy())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
        let req = ScanRequest {
            url: base.clone(),
            ..Default::default()
        };
        let err = run_guarded(req, Events::none(), CancellationToken::new(), policy())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("refused"), "{err}");
    }
    assert!(
        server.seen().is_empty(),
        "the server was contacted: {:?}",
        server.seen().len()
    );
    // Local files are not descriptions a guarded scan may read.
    let req = ScanRequest {
        url: server.url(),
        spec_url: Some("/etc/hostname".into()),
        ..Default::default()
    };
    let err = run_guarded(req, Events::none(), CancellationToken::new(), policy())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only http(s)"), "{err}");
}
