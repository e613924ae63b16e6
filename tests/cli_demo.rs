//! `nat demo --target-only`: prints where the demo target listens, serves until a signal, exits 0.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stop_with(signal: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nat"))
        .args(["demo", "--target-only", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nat starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let url = first
        .strip_prefix("nat demo target listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let second = lines.next().expect("a line").expect("utf-8");
    assert!(second.contains(&format!("{url}/openapi.json")), "{second}");
    let third = lines.next().expect("a line").expect("utf-8");
    assert!(third.contains("token"), "{third}");

    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("nat demo --target-only did not stop on {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    assert_eq!(code, Some(0), "stderr: {stderr}");
}

#[test]
fn target_only_stops_on_sigint() {
    stop_with("-INT");
}

#[test]
fn target_only_stops_on_sigterm() {
    stop_with("-TERM");
}
