//! Nothing is lost across a restart: scans that were queued or running come back `failed` with the
//! reason, findings and finished scans stay.
//!
//! Two ways: an in-process simulation (a scan written as `running` straight into the store), and a real
//! `kill -9` of a child process running the server: the test binary re-runs itself with
//! `NAT_TEST_CHILD_DATA_DIR` set, and that child serves until it is killed.

mod common;

use base64::Engine as _;
use nat::findings::{Evidence, Finding, Severity, Status};
use nat::server::{self, ServeConfig, REASON_RESTART};
use nat::store::keys::{self, Role};
use nat::store::{Progress, ScanRecord, ScanStatus, Store};
use serde_json::{json, Value};
use std::io::BufRead;
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "NAT_TEST_CHILD_DATA_DIR";

fn config(dir: &std::path::Path) -> ServeConfig {
    ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        workers: 1,
        ..Default::default()
    }
}

async fn get(http: &reqwest::Client, url: String, key: &str) -> Value {
    let r = http.get(url).bearer_auth(key).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

async fn wait_status(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    id: &str,
    want: &[&str],
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let s = get(http, format!("{base}/scans/{id}"), key).await;
        if want.iter().any(|w| s["status"] == *w) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "scan never reached {want:?}: {s}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn finding(i: usize) -> Finding {
    Finding {
        id: format!("find_{i:03}"),
        severity: Severity::High,
        confidence: Default::default(),
        title: "Broken Object Level Authorization".into(),
        owasp: "API1".into(),
        cwe: "CWE-639".into(),
        endpoint: format!("GET /users/{i}"),
        risk_score: 70,
        status: Status::Open,
        evidence: Evidence {
            request: "GET /users/1 HTTP/1.1".into(),
            response: "HTTP/1.1 200 OK".into(),
        },
        remediation: "Check ownership.".into(),
        check: "NAT-API1-BOLA".into(),
        fingerprint: format!("fp{i}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_scan_in_the_store_is_failed_after_a_restart_in_process() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let dir = tempfile::tempdir().unwrap();
        let key = keys::create_in(dir.path(), "admin", Role::Admin)
            .unwrap()
            .secret;
        // A first server comes and goes (the dir must be free again after stop).
        server::start(config(dir.path()))
            .await
            .unwrap()
            .stop()
            .await
            .unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            for (id, status) in [
                ("scan_running1", ScanStatus::Running),
                ("scan_queued1", ScanStatus::Queued),
            ] {
                store
                    .put_scan(&ScanRecord {
                        scan_id: id.into(),
                        status,
                        progress: Progress {
                            endpoints_discovered: 4,
                            endpoints_tested: 2,
                            findings: 2,
                        },
                        created_at: "2025-01-15T10:30:00Z".into(),
                        started_at: (status == ScanStatus::Running)
                            .then(|| "2025-01-15T10:30:05Z".into()),
                        completed_at: None,
                        reason: None,
                        url: "http://127.0.0.1:1".into(),
                        estimated_duration_seconds: 60,
                    })
                    .unwrap();
            }
            store.append_finding("scan_running1", &finding(1)).unwrap();
            store.append_finding("scan_running1", &finding(2)).unwrap();
            store.flush().await.unwrap();
        }
        let s = server::start(config(dir.path())).await.unwrap();
        let base = s.base_url();
        let http = reqwest::Client::new();
        for id in ["scan_running1", "scan_queued1"] {
            let scan = get(&http, format!("{base}/scans/{id}"), &key).await;
            assert_eq!(scan["status"], "failed", "{scan}");
            assert_eq!(scan["reason"], REASON_RESTART, "{scan}");
            assert!(scan["completed_at"].is_string());
        }
        let f = get(&http, format!("{base}/scans/scan_running1/findings"), &key).await;
        assert_eq!(f["total"], 2, "{f}");
        s.stop().await.unwrap();
    })
    .await
    .expect("test took too long");
}

/// The child: serves on the data dir named by the environment until it is killed (at most 60 s), or,
/// with `NAT_TEST_CHILD_SIGTERM=1`, runs `server::serve` until SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_server_process() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return; // only meaningful as the child of the kill -9 and SIGTERM tests
    };
    if std::env::var("NAT_TEST_CHILD_SIGTERM").is_ok() {
        let served = tokio::time::timeout(
            Duration::from_secs(60),
            server::serve(
                config(std::path::Path::new(&dir)),
                server::shutdown_signal(),
            ),
        )
        .await
        .expect("no SIGTERM came");
        served.unwrap();
        println!("NAT_CHILD_STOPPED_CLEANLY");
        return;
    }
    let s = server::start(config(std::path::Path::new(&dir)))
        .await
        .unwrap();
    println!("NAT_CHILD_ADDR={}", s.addr());
    tokio::time::sleep(Duration::from_secs(60)).await;
}

struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_a_server_process_loses_nothing() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let dir = tempfile::tempdir().unwrap();
        let key = keys::create_in(dir.path(), "admin", Role::Admin)
            .unwrap()
            .secret;
        let mut child = Child(
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "child_server_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        let stdout = child.0.stdout.take().unwrap();
        let addr = tokio::task::spawn_blocking(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let line = line.unwrap();
                // libtest prints `test child_server_process ... ` before it on the same line.
                if let Some((_, a)) = line.split_once("NAT_CHILD_ADDR=") {
                    return a.trim().to_string();
                }
            }
            panic!("the child server never said where it listens");
        })
        .await
        .unwrap();
        let base = format!("http://{addr}/api/v1");
        let http = reqwest::Client::new();

        // A complete scan of the demo, then one that hangs on a slow target.
        let demo = nat::demo::serve("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let post = |body: Value| {
            let (http, base, key) = (http.clone(), base.clone(), key.clone());
            async move {
                let r = http
                    .post(format!("{base}/scans"))
                    .bearer_auth(key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                r.json::<Value>().await.unwrap()["scan_id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }
        };
        let done =
            post(json!({"url": demo.url(), "auth": {"token": nat::demo::user_token()}})).await;
        wait_status(&http, &base, &key, &done, &["complete", "failed"]).await;
        let slow = common::TestServer::start(|_| {
            common::Reply::json(200, "{}").with_delay(Duration::from_secs(20))
        });
        let spec = base64::engine::general_purpose::STANDARD.encode(common::openapi_with_items(2));
        let hanging = post(json!({"url": slow.url(), "spec_content": spec})).await;
        let queued = post(json!({"url": slow.url(), "spec_content": spec})).await;
        wait_status(&http, &base, &key, &hanging, &["running"]).await;

        child.0.kill().unwrap(); // SIGKILL
        child.0.wait().unwrap();

        let s = server::start(config(dir.path())).await.unwrap();
        let base = s.base_url();
        let d = get(&http, format!("{base}/scans/{done}"), &key).await;
        assert_eq!(d["status"], "complete", "{d}");
        let f = get(&http, format!("{base}/scans/{done}/findings"), &key).await;
        // A demo scan with one user in the default mode: no two-user BOLA (a tentative swapped-id one
        // instead), no mass assignment (not without `--destructive`).
        assert_eq!(f["total"], 35, "{f}");
        for id in [&hanging, &queued] {
            let h = get(&http, format!("{base}/scans/{id}"), &key).await;
            assert_eq!(h["status"], "failed", "{h}");
            assert_eq!(h["reason"], REASON_RESTART, "{h}");
        }
        let report = http
            .get(format!("{base}/reports/{done}"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(report.status(), 200);
        s.stop().await.unwrap();
        demo.stop().await;
    })
    .await
    .expect("test took too long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let dir = tempfile::tempdir().unwrap();
        let key = keys::create_in(dir.path(), "admin", Role::Admin)
            .unwrap()
            .secret;
        let mut child = Child(
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "child_server_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, dir.path())
                .env("NAT_TEST_CHILD_SIGTERM", "1")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let stderr = child.0.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
        let base = tokio::task::spawn_blocking(move || loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("no listening line");
            if let Some((_, url)) = line.split_once("listening on ") {
                return url.trim().to_string();
            }
        })
        .await
        .unwrap();
        let http = reqwest::Client::new();
        let slow = common::TestServer::start(|_| {
            common::Reply::json(200, "{}").with_delay(Duration::from_secs(20))
        });
        let spec = base64::engine::general_purpose::STANDARD.encode(common::openapi_with_items(2));
        let r = http
            .post(format!("{base}/scans"))
            .bearer_auth(&key)
            .json(&json!({"url": slow.url(), "spec_content": spec}))
            .send()
            .await
            .unwrap();
        let id = r.json::<Value>().await.unwrap()["scan_id"]
            .as_str()
            .unwrap()
            .to_string();
        wait_status(&http, &base, &key, &id, &["running"]).await;

        let pid = child.0.id().to_string();
        let t = Instant::now();
        assert!(std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = tokio::task::spawn_blocking(move || {
            let out = child.0.wait().unwrap();
            let mut stdout = String::new();
            std::io::Read::read_to_string(child.0.stdout.as_mut().unwrap(), &mut stdout).unwrap();
            (out, stdout)
        })
        .await
        .unwrap();
        eprintln!("SIGTERM to exit: {:?}", t.elapsed());
        assert!(status.0.success(), "{:?}", status);
        assert!(
            status.1.contains("NAT_CHILD_STOPPED_CLEANLY"),
            "{}",
            status.1
        );
        assert!(t.elapsed() < Duration::from_secs(15));
        // The dir is free, and the running scan was closed with the reason.
        let store = Store::open(dir.path()).unwrap();
        let scan = store.get_scan(&id).unwrap().unwrap();
        assert_eq!(scan.status, ScanStatus::Failed);
        assert_eq!(scan.reason.as_deref(), Some(REASON_RESTART));
    })
    .await
    .expect("test took too long");
}
