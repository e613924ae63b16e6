//! The HTML report in a real browser: headless Chromium loads the file, runs the inline script (which
//! the page's Content-Security-Policy allows only by hash) and the findings render. Skipped, loudly,
//! when no Chromium is installed (`apt-get install chromium`).

use nat::findings::{fingerprint, Evidence, Finding, Severity, Status};
use nat::report::{
    render, CoverageStatus, Format, OperationCoverage, ScanReport, SecuritySource, SkippedCheck,
};
use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|bin| {
            Command::new(bin)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
}

fn report() -> ScanReport {
    let findings = [Severity::High, Severity::Low]
        .into_iter()
        .enumerate()
        .map(|(i, severity)| Finding {
            id: format!("find_00{}", i + 1),
            severity,
            confidence: Default::default(),
            title: format!("Finding {i} <img src=x onerror=document.title='pwned'>"),
            owasp: "API8".into(),
            cwe: "CWE-693".into(),
            endpoint: format!("GET /items/{i}"),
            risk_score: 50,
            status: Status::Open,
            evidence: Evidence {
                request: "GET /items HTTP/1.1".into(),
                response: "HTTP/1.1 200 OK\n\n<script>document.title='pwned'</script>".into(),
            },
            remediation: "Send `X-Content-Type-Options: nosniff`.".into(),
            check: "NAT-API8-SECURITY-HEADERS".into(),
            fingerprint: fingerprint("NAT-API8-SECURITY-HEADERS", &format!("GET /items/{i}"), ""),
        })
        .collect();
    let mut r = ScanReport {
        findings,
        coverage: vec![OperationCoverage {
            endpoint: "GET /items/{id}".into(),
            status: CoverageStatus::Probed,
            baseline: Some(200),
            security: SecuritySource::Inferred,
            identities: vec!["user".into(), "anonymous".into()],
            requests: 7,
            checks_run: vec!["NAT-API8-SECURITY-HEADERS".into()],
            checks_skipped: vec![SkippedCheck {
                check: "NAT-API1-BOLA".into(),
                reason: "answered <img src=x onerror=document.title='pwned'>".into(),
                blocked: true,
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    r.scan.spec_title = "Browser test".into();
    r
}

#[test]
fn chromium_renders_the_findings_and_runs_the_inline_script() {
    let Some(bin) = chromium() else {
        eprintln!("\n!!!!! SKIPPED: no chromium on PATH; install it (apt-get install chromium) to run this test.\n");
        assert!(std::env::var("CI").is_err(), "CI must provide chromium");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, render(&report(), Format::Html).unwrap()).unwrap();
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<article class=\"finding\""),
        "findings missing from the DOM:\n{dom}"
    );
    assert_eq!(dom.matches("<article class=\"finding\"").count(), 2);
    // The inline script ran (CSP hash accepted): it un-hides the filters and counts the findings.
    assert!(
        dom.contains("2 of 2 findings shown"),
        "the inline script did not run:\n{dom}"
    );
    assert!(
        !dom.contains("<form class=\"filters\" id=\"filters\" hidden"),
        "filters still hidden"
    );
    // The coverage section rendered, its reasons folded.
    assert!(
        dom.contains("<section id=\"coverage\">"),
        "coverage missing from the DOM:\n{dom}"
    );
    assert_eq!(dom.matches("<tr class=\"cov-probed\"").count(), 1);
    assert!(dom.contains("<details class=\"blocked\"><summary>1</summary>"));
    // Hostile text stayed text.
    assert!(!dom.contains("<title>pwned</title>"));
    assert!(dom.contains("answered &lt;img src=x onerror=document.title='pwned'&gt;"));
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
}
