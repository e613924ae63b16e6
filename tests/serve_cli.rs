//! The team server from the command line, with the real binary: `nat serve`, `nat keys`,
//! `nat scans`, and remote mode (`nat scan --server`). Every server listens on 127.0.0.1:0; every
//! child process is killed when its test ends, and every wait is bounded.

mod common;

use assert_cmd::Command;
use predicates::str::contains;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const ENV: [&str; 8] = [
    "NAT_SERVER",
    "NAT_API_KEY",
    "NAT_DATA_DIR",
    "NAT_AUTH_TOKEN",
    "NAT_AUTH_HEADER",
    "NAT_AUTH_BASIC",
    "NAT_OAUTH2_CLIENT_SECRET",
    "XDG_DATA_HOME",
];

/// Bound of one command.
const LIMIT: Duration = Duration::from_secs(90);

/// Findings of a demo scan with one user (a bearer token) in the default mode: no two-user BOLA or
/// BOLA on writes (a tentative swapped-id BOLA instead), no mass assignment (not without
/// `--destructive`), no admin identity (a tentative BFLA).
const DEMO_FINDINGS: usize = 35;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("nat")
}

/// `nat` with none of the caller's NAT_* variables, bounded in time.
fn nat() -> Command {
    let mut cmd = Command::new(bin());
    for var in ENV {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1").timeout(LIMIT);
    cmd
}

/// A child process, killed on drop; its stdout (and, when piped, stderr) lines arrive on channels.
struct Kid {
    child: Child,
    stdout: Receiver<String>,
    stderr: Option<Receiver<String>>,
}

fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                // Nobody listens any more: keep draining so the child never blocks on a full pipe.
                continue;
            }
        }
    });
    rx
}

impl Kid {
    fn spawn(args: &[&str], pipe_stderr: bool) -> Kid {
        let mut cmd = std::process::Command::new(bin());
        for var in ENV {
            cmd.env_remove(var);
        }
        cmd.env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(if pipe_stderr {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let mut child = cmd.spawn().expect("spawn nat");
        let stdout = lines(child.stdout.take().expect("stdout"));
        let stderr = child.stderr.take().map(lines);
        Kid {
            child,
            stdout,
            stderr,
        }
    }

    /// The rest of the first stdout line that starts with `prefix` (within 30 s).
    fn stdout_line(&self, prefix: &str) -> String {
        wait_line(&self.stdout, prefix, "stdout")
    }

    /// The first stderr line that contains `needle` (within 30 s).
    fn stderr_line(&self, needle: &str) -> String {
        let rx = self.stderr.as_ref().expect("stderr is piped");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("no stderr line with {needle:?}: {e:?}"),
            }
        }
    }

    /// Waits (at most `limit`) for the exit code.
    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nat did not exit within {limit:?}");
    }

    fn signal(&self, name: &str) {
        let ok = std::process::Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "kill -{name}");
    }
}

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_line(rx: &Receiver<String>, prefix: &str, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return rest.trim().to_string();
                }
            }
            Err(RecvTimeoutError::Timeout) => panic!("no {what} line {prefix:?} within 30 s"),
            Err(RecvTimeoutError::Disconnected) => panic!("{what} closed before {prefix:?}"),
        }
    }
}

fn create_key(dir: &Path, role: &str) -> String {
    let out = nat()
        .args([
            "keys",
            "create",
            "--name",
            "test",
            "--role",
            role,
            "--data-dir",
        ])
        .arg(dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let key = text.lines().last().expect("a line").to_string();
    assert!(
        key.starts_with("nat_")
            && key.len() == 44
            && key[4..].chars().all(|c| c.is_ascii_alphanumeric()),
        "the last line is the key: {text:?}"
    );
    key
}

fn serve(dir: &Path) -> (Kid, String) {
    serve_with(dir, &[])
}

fn serve_with(dir: &Path, extra: &[&str]) -> (Kid, String) {
    let dir = dir.to_str().expect("utf-8 path");
    let mut args = vec!["serve", "--bind", "127.0.0.1:0", "--data-dir", dir];
    args.extend_from_slice(extra);
    let kid = Kid::spawn(&args, false);
    let url = kid.stdout_line("nat serve listening on ");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/api/v1"),
        "{url}"
    );
    (kid, url)
}

/// The demo target, a server with a `scan` key, and what a remote scan needs.
struct Setup {
    _dir: tempfile::TempDir,
    _demo: Kid,
    _server: Kid,
    target: String,
    token: String,
    server: String,
    key: String,
}

impl Setup {
    fn start() -> Setup {
        Setup::start_with(&[])
    }

    /// [`Setup::start`] with extra `nat serve` flags.
    fn start_with(serve_flags: &[&str]) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = Kid::spawn(&["demo", "--target-only", "--bind", "127.0.0.1:0"], false);
        let target = demo.stdout_line("nat demo target listening on ");
        let token = demo.stdout_line("bearer token of the demo user: ");
        let key = create_key(dir.path(), "scan");
        let (server, url) = serve_with(dir.path(), serve_flags);
        Setup {
            _dir: dir,
            _demo: demo,
            _server: server,
            target,
            token,
            server: url,
            key,
        }
    }

    /// `nat` with `NAT_SERVER` and `NAT_API_KEY` set.
    fn nat(&self) -> Command {
        let mut cmd = nat();
        cmd.env("NAT_SERVER", &self.server)
            .env("NAT_API_KEY", &self.key);
        cmd
    }

    fn remote_scan_json(&self, extra: &[&str]) -> serde_json::Value {
        let out = self
            .nat()
            .args(["scan", &self.target, "--format", "json", "--quiet"])
            .args(extra)
            .env("NAT_AUTH_TOKEN", &self.token)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("a JSON report")
    }
}

fn fingerprints(report: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn keys_create_prints_the_key_last_and_list_never_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), "admin");
    let list = nat()
        .args(["keys", "list", "--data-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list = String::from_utf8(list).unwrap();
    assert!(list.contains("test") && list.contains("admin"), "{list}");
    assert!(list.contains(&key[..8]), "the prefix is shown: {list}");
    assert!(!list.contains(&key), "{list}");

    let json = nat()
        .args(["keys", "list", "--json"])
        .env("NAT_DATA_DIR", dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(json).unwrap();
    assert!(!text.contains(&key) && !text.contains("hash"), "{text}");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = value["keys"][0]["id"].as_str().unwrap().to_string();

    nat()
        .args(["keys", "revoke", &id, "--data-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(contains(&id));
    nat()
        .args(["keys", "revoke", &id, "--data-dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("not found"));
    nat()
        .args([
            "keys",
            "create",
            "--name",
            "x",
            "--role",
            "owner",
            "--data-dir",
        ])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn keys_on_a_data_dir_held_by_a_server_exit_2_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    create_key(dir.path(), "admin");
    let (_server, _url) = serve(dir.path());
    for args in [
        vec!["keys", "list"],
        vec!["keys", "create", "--name", "ci", "--role", "scan"],
    ] {
        let out = nat()
            .args(&args)
            .arg("--data-dir")
            .arg(dir.path())
            .assert()
            .code(2)
            .get_output()
            .clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("in use by a running `nat serve`"),
            "{stderr}"
        );
        assert!(stderr.contains("/api/v1/keys"), "{stderr}");
        assert!(!stderr.contains("could not acquire lock"), "{stderr}");
        assert!(out.stdout.is_empty(), "no key is printed");
    }
    // A second server on the same dir is refused the same way.
    nat()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("in use by a running `nat serve`"));
}

#[test]
fn remote_scan_of_the_demo_target_matches_a_local_scan() {
    let s = Setup::start();
    let remote = s.remote_scan_json(&[]);
    let local_out = nat()
        .args(["scan", &s.target, "--format", "json", "--quiet"])
        .env("NAT_AUTH_TOKEN", &s.token)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let local: serde_json::Value = serde_json::from_slice(&local_out).unwrap();
    assert_eq!(
        remote["findings"].as_array().unwrap().len(),
        DEMO_FINDINGS,
        "{remote}"
    );
    assert_eq!(fingerprints(&remote), fingerprints(&local));
    assert_eq!(remote["summary"]["total_findings"], DEMO_FINDINGS);
    assert_eq!(remote["summary"]["failed"], true);

    // --fail-on decides the exit code as locally.
    s.nat()
        .args(["scan", &s.target, "--quiet", "--fail-on", "none"])
        .env("NAT_AUTH_TOKEN", &s.token)
        .assert()
        .code(0)
        .stdout(contains(format!("{DEMO_FINDINGS} findings")));
}

/// Regression (issue 10, defect 1): a remote scan used to reach the server with user B's token, every
/// identity's credentials and literal secrets of a login body replaced by `<redacted>`, so BOLA, BFLA
/// and the session checks silently lost their second identity. Every auth kind the demo accepts, as a
/// config file: user A logs in with a literal password in the body, user B sends a header, the admin
/// a bearer token.
#[test]
fn remote_scan_with_every_identity_finds_what_a_local_scan_finds() {
    let s = Setup::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scan.json");
    let body = serde_json::json!({
        "url": s.target,
        "auth": {
            "type": "login",
            "login_url": "/api/v1/sessions/login",
            "login_body": {"username": "alice", "password": nat::demo::user_password()},
        },
        "auth_b": {
            "type": "header",
            "header_name": "Authorization",
            "header_value": format!("Bearer {}", nat::demo::second_user_token()),
        },
        "identities": [{
            "name": "admin",
            "role": "admin",
            "auth": {"type": "bearer", "token": nat::demo::admin_token()},
        }],
    });
    std::fs::write(&config, body.to_string()).unwrap();
    let scan = |cmd: &mut Command| -> serde_json::Value {
        let out = cmd
            .arg("scan")
            .arg("--config")
            .arg(&config)
            .args(["--format", "json", "--quiet"])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).expect("a JSON report")
    };
    let local = scan(&mut nat());
    let remote = scan(&mut s.nat());
    let checks = |r: &serde_json::Value| -> Vec<String> {
        let mut ids: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["check"].as_str().unwrap_or_default().to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    // The checks that need user B, the admin or the login session ran remotely as well.
    for id in [
        "NAT-API1-BOLA",
        "NAT-API1-BOLA-WRITE",
        "NAT-API2-LOGOUT-INEFFECTIVE",
    ] {
        assert!(
            checks(&local).iter().any(|c| c == id),
            "{id} locally: {local}"
        );
    }
    assert_eq!(checks(&remote), checks(&local));
    assert_eq!(fingerprints(&remote), fingerprints(&local));
    assert!(!remote.to_string().contains(nat::demo::user_password()));
}

#[test]
fn remote_scan_sends_a_local_spec_file_as_content() {
    let s = Setup::start();
    let spec = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async {
            reqwest::get(format!("{}/openapi.json", s.target))
                .await?
                .text()
                .await
        })
        .expect("the demo's description");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), spec).unwrap();
    let path = file.path().to_str().unwrap();
    let report = s.remote_scan_json(&["--spec", path]);
    assert_eq!(report["findings"].as_array().unwrap().len(), DEMO_FINDINGS);
    // A missing file is the user's input error, found before anything is sent.
    s.nat()
        .args(["scan", &s.target, "--spec", "/nonexistent/api.yaml"])
        .assert()
        .code(2)
        .stderr(contains("cannot read"));
}

#[test]
fn scans_list_show_findings_report() {
    let s = Setup::start();
    let report = s.remote_scan_json(&[]);
    let list = s
        .nat()
        .args(["scans", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: serde_json::Value = serde_json::from_slice(&list).unwrap();
    assert_eq!(list["total"], 1);
    let id = list["scans"][0]["scan_id"].as_str().unwrap().to_string();

    s.nat()
        .args(["scans", "list"])
        .assert()
        .success()
        .stdout(contains(&id))
        .stdout(contains("complete"))
        .stdout(contains("1 scan, page 1 of 1"));
    s.nat()
        .args(["scans", "show", &id])
        .assert()
        .success()
        .stdout(contains("complete"))
        .stdout(contains(format!(
            "96/99 operations tested, {DEMO_FINDINGS} findings"
        )));
    s.nat()
        .args(["scans", "findings", &id])
        .assert()
        .success()
        .stdout(contains("find_001"))
        .stdout(contains(format!("{DEMO_FINDINGS} findings")));
    s.nat()
        .args(["scans", "findings", &id, "--severity", "critical"])
        .assert()
        .success()
        // One user, the default mode: the two unverified JWTs (/vuln/jwt/me, the undeclared
        // orders) and the command injection.
        .stdout(contains("3 findings\n"));
    let findings = s
        .nat()
        .args(["scans", "findings", &id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let findings: serde_json::Value = serde_json::from_slice(&findings).unwrap();
    assert_eq!(
        findings["findings"].as_array().unwrap().len(),
        DEMO_FINDINGS
    );

    let sarif = s
        .nat()
        .args(["scans", "report", &id, "--format", "sarif"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let json = s
        .nat()
        .args(["scans", "report", &id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(fingerprints(&json), fingerprints(&report));

    // A finished scan cannot be cancelled: 409, exit 2, the problem's title and detail.
    s.nat()
        .args(["scans", "cancel", &id])
        .assert()
        .code(2)
        .stderr(contains("error: Scan Already Finished: "));
    s.nat()
        .args(["scans", "show", "scan_nope"])
        .assert()
        .code(2)
        .stderr(contains(
            "error: Scan Not Found: No scan found with ID scan_nope",
        ));
}

#[test]
fn scans_cancel_stops_a_running_remote_scan() {
    let s = Setup::start();
    let server = s.server.clone();
    let mut scan = Kid::spawn(
        &[
            "scan",
            &s.target,
            "--auth-bearer",
            &s.token,
            "--rate",
            "5",
            "--server",
            &server,
            "--api-key",
            &s.key,
        ],
        true,
    );
    let line = scan.stderr_line("is running");
    let id = line
        .split_whitespace()
        .find(|w| w.starts_with("scan_"))
        .expect("the scan id")
        .to_string();
    s.nat()
        .args(["scans", "cancel", &id])
        .assert()
        .success()
        .stdout(contains(format!("cancelled scan {id}")));
    let shown = s
        .nat()
        .args(["scans", "show", &id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let shown: serde_json::Value = serde_json::from_slice(&shown).unwrap();
    assert_eq!(shown["status"], "failed");
    assert_eq!(shown["reason"], "cancelled");
    // The remote scan sees its scan fail: exit 3 with the reason.
    assert_eq!(scan.wait(Duration::from_secs(30)), Some(3));
    scan.stderr_line("failed on the server: cancelled");
}

#[test]
fn ctrl_c_cancels_the_remote_scan_and_reports_partial_results() {
    let s = Setup::start();
    let mut scan = Kid::spawn(
        &[
            "scan",
            &s.target,
            "--auth-bearer",
            &s.token,
            "--rate",
            "5",
            "--server",
            &s.server,
            "--api-key",
            &s.key,
        ],
        true,
    );
    let line = scan.stderr_line("is running");
    let id = line
        .split_whitespace()
        .find(|w| w.starts_with("scan_"))
        .expect("the scan id")
        .to_string();
    scan.signal("INT");
    let code = scan.wait(Duration::from_secs(30));
    assert!(matches!(code, Some(0 | 1)), "exit by --fail-on: {code:?}");
    let table = wait_line(&scan.stdout, "partial results", "stdout");
    assert!(table.is_empty() || table.contains("interrupted"), "{table}");
    let shown = s
        .nat()
        .args(["scans", "show", &id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let shown: serde_json::Value = serde_json::from_slice(&shown).unwrap();
    assert_eq!(shown["status"], "failed");
    assert_eq!(shown["reason"], "cancelled");
}

#[test]
fn wrong_api_key_exits_2_with_the_problem() {
    let s = Setup::start();
    s.nat()
        .args(["scans", "list", "--api-key", "nat_wrong"])
        .assert()
        .code(2)
        .stderr(contains("error: Unauthorized: "));
    s.nat()
        .args(["scan", &s.target, "--api-key", "nat_wrong"])
        .assert()
        .code(2)
        .stderr(contains("error: Unauthorized: "));
    // No key at all: a usage error before any request.
    nat()
        .args(["scans", "list", "--server", &s.server])
        .assert()
        .code(2)
        .stderr(contains("NAT_API_KEY"));
    // Nothing listening: exit 3.
    nat()
        .args([
            "scans",
            "list",
            "--server",
            "http://127.0.0.1:1",
            "--api-key",
            "k",
        ])
        .assert()
        .code(3)
        .stderr(contains("cannot reach the nat server"));
}

/// Regression: with sled 0.34, the server hung for good under concurrent `POST /scans`: a flush
/// overlapping the batch that stores a finished scan's findings deadlocked, and so did a few
/// concurrent `flush_async` calls (they starve sled's I/O pool). Scans finish while POSTs keep coming.
#[test]
fn concurrent_posts_while_scans_finish_do_not_hang_the_server() {
    // Every POST must reach the store, so the queue limit is out of the way here.
    let s = Setup::start_with(&["--max-queued", "100000"]);
    let body = serde_json::json!({
        "url": s.target,
        "auth": {"type": "bearer", "token": s.token},
        "options": {"concurrency": 2},
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    let created = rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(4);
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (client, body) = (client.clone(), body.clone());
            let (url, key) = (format!("{}/scans", s.server), s.key.clone());
            tasks.push(tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < deadline {
                    let resp = client
                        .post(&url)
                        .bearer_auth(&key)
                        .json(&body)
                        .send()
                        .await
                        .expect("the server answers (no deadlock)");
                    assert_eq!(resp.status().as_u16(), 201);
                    n += 1;
                }
                n
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("task");
        }
        total
    });
    assert!(created > 8, "{created} scans created");
    // The server still answers, and its workers still finish scans.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = s
            .nat()
            .args(["scans", "list", "--status", "complete", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let list: serde_json::Value = serde_json::from_slice(&out).unwrap();
        if list["total"].as_u64().unwrap_or(0) >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no scan completed: {list}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `--max-queued`: a full queue refuses a scan with a 503 problem and `Retry-After`, stores nothing of
/// it, frees a slot when a queued scan is cancelled or starts, and loses none of the scans it accepted.
#[test]
fn a_full_queue_answers_503_and_accepts_again_once_drained() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_key(dir.path(), "scan");
    let (_server, api) = serve_with(dir.path(), &["--workers", "1", "--max-queued", "2"]);
    // A target that answers after 5 s until released: the first scan holds the only worker.
    let hold = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let held = hold.clone();
    let target = common::TestServer::start(move |_| {
        let slow = held.load(std::sync::atomic::Ordering::SeqCst);
        common::Reply::json(200, "{}").with_delay(Duration::from_secs(if slow { 5 } else { 0 }))
    });
    use base64::Engine as _;
    let spec = base64::engine::general_purpose::STANDARD.encode(common::openapi_with_items(1));
    let body = serde_json::json!({"url": target.url(), "spec_content": spec});

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let post = || async {
            http.post(format!("{api}/scans"))
                .bearer_auth(&key)
                .json(&body)
                .send()
                .await
                .expect("POST /scans")
        };
        let get = |path: String| {
            let (http, api, key) = (http.clone(), api.clone(), key.clone());
            async move {
                let resp = http
                    .get(format!("{api}{path}"))
                    .bearer_auth(&key)
                    .send()
                    .await;
                resp.expect("GET")
                    .json::<serde_json::Value>()
                    .await
                    .expect("JSON")
            }
        };
        let created = |resp: reqwest::Response| async move {
            assert_eq!(resp.status().as_u16(), 201);
            let v: serde_json::Value = resp.json().await.unwrap();
            v["scan_id"].as_str().unwrap().to_string()
        };
        let wait = |id: String, want: &'static [&'static str]| {
            let get = &get;
            async move {
                let deadline = Instant::now() + Duration::from_secs(60);
                loop {
                    let s = get(format!("/scans/{id}")).await;
                    if want.iter().any(|w| s["status"] == *w) {
                        return s;
                    }
                    assert!(Instant::now() < deadline, "never {want:?}: {s}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        };
        let refused = |resp: reqwest::Response| async move {
            assert_eq!(resp.status().as_u16(), 503);
            let h = |n: &str| {
                resp.headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .map(String::from)
            };
            let retry: u64 = h("retry-after").expect("Retry-After").parse().unwrap();
            assert!((1..=60).contains(&retry), "Retry-After {retry}");
            assert_eq!(
                h("content-type").as_deref(),
                Some("application/problem+json")
            );
            assert!(h("x-ratelimit-remaining").is_some());
            let p: serde_json::Value = resp.json().await.unwrap();
            assert_eq!(
                p["type"], "https://docs.nat-testing.io/errors/queue-full",
                "{p}"
            );
            assert_eq!(p["status"], 503);
            assert_eq!(p["instance"], "/scans");
            assert!(
                p["detail"].as_str().unwrap().contains("queue is full"),
                "{p}"
            );
        };

        let a = created(post().await).await;
        wait(a.clone(), &["running"]).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while target.seen().is_empty() {
            assert!(Instant::now() < deadline, "the first scan sent nothing");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let b = created(post().await).await;
        let c = created(post().await).await;
        refused(post().await).await;
        assert_eq!(
            get("/scans".into()).await["total"],
            3,
            "the refused scan is not stored"
        );

        // Cancelling a queued scan frees its slot at once.
        let del = http
            .delete(format!("{api}/scans/{c}"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(del.status().as_u16(), 204);
        let d = created(post().await).await;
        refused(post().await).await;

        // Once the queue drains, scans are accepted again.
        hold.store(false, std::sync::atomic::Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(60);
        while get("/scans?status=queued".into()).await["total"] != 0 {
            assert!(Instant::now() < deadline, "the queue never drained");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let e = created(post().await).await;

        // Nothing accepted is lost.
        for id in [a, b, d, e] {
            let s = wait(id, &["complete", "failed"]).await;
            assert_eq!(s["status"], "complete", "{s}");
        }
        assert_eq!(wait(c, &["failed"]).await["reason"], "cancelled");
        assert_eq!(get("/scans".into()).await["total"], 5);
    });
}
