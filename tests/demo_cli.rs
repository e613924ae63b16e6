//! `nat demo`, end to end through the real binary.

use assert_cmd::Command;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(120));
    c
}

#[test]
fn demo_finds_every_vulnerable_endpoint_and_nothing_on_fixed_twins() {
    let out = nat()
        .args(["demo", "--format", "json", "--quiet", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 42, "{findings:#?}");
    for f in findings {
        let endpoint = f["endpoint"].as_str().unwrap();
        // Undocumented endpoints have no twin path: their fixed twin is the documented API.
        let undocumented = f["check"] == "NAT-API9-UNDOCUMENTED-ENDPOINT"
            && ["/api/v0/sessions/login", "/api/v1/internal/config"]
                .iter()
                .any(|p| endpoint.ends_with(p));
        assert!(
            endpoint.contains("/vuln/") || undocumented,
            "finding on a non-vulnerable endpoint: {f:#}"
        );
        // Exactly the contract's fields, plus check, confidence and fingerprint.
        let mut keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "check",
                "confidence",
                "cwe",
                "endpoint",
                "evidence",
                "fingerprint",
                "id",
                "owasp",
                "remediation",
                "risk_score",
                "severity",
                "status",
                "title"
            ]
        );
    }
    // Fingerprints are stable across runs.
    let again = nat()
        .args(["demo", "--format", "json", "--quiet", "--fail-on", "none"])
        .output()
        .unwrap();
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let fps = |r: &serde_json::Value| {
        let mut v: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(fps(&report), fps(&again));
}

#[test]
fn demo_fails_by_default_and_prints_a_table() {
    let out = nat()
        .args(["demo", "--no-color", "--verbose"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "default --fail-on high with critical and high findings"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("| API2 ") && stdout.contains("GET /vuln/jwt/me"),
        "{stdout}"
    );
    // --verbose adds the check ids (the compact table leaves them to JSON).
    assert!(stdout.contains("NAT-API2-JWT-UNVERIFIED"), "{stdout}");
    // Not a terminal: progress is plain lines on stderr, nothing of it on stdout.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.lines().any(|l| l.starts_with("nat: ")), "{stderr}");
    assert!(!stdout.contains("nat: ["), "progress leaked to stdout");
}

#[test]
fn demo_target_only_serves_a_target_that_nat_scan_can_scan() {
    let bin = assert_cmd::cargo::cargo_bin("nat");
    let mut child = std::process::Command::new(&bin)
        .args(["demo", "--target-only", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut token = None;
    for _ in 0..5 {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("nat demo target listening on ") {
            url = Some(rest.trim().to_string());
        }
        if let Some(rest) = line.strip_prefix("bearer token of the demo user: ") {
            token = Some(rest.trim().to_string());
        }
        if url.is_some() && token.is_some() {
            break;
        }
    }
    let (url, token) = (
        url.expect("no URL printed"),
        token.expect("no token printed"),
    );
    assert!(url.starts_with("http://127.0.0.1:"));
    let out = nat()
        .args([
            "scan",
            &url,
            "--format",
            "json",
            "--quiet",
            "--fail-on",
            "none",
        ])
        .args(["--check", "NAT-INJ-SQLI"])
        .env("NAT_AUTH_TOKEN", &token)
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    // products (query and path), search, and the lookup behind the validator.
    assert_eq!(checks, ["NAT-INJ-SQLI"; 4]);
}
