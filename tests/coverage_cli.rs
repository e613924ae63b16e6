//! The report's coverage (issue 15) through the real binary on the demo: every operation of the
//! description has an entry saying what nat sent, as whom, which checks ran and why the others did
//! not, in JSON, Markdown and HTML, with one summary line in the terminal.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

fn nat() -> Command {
    let mut c = Command::cargo_bin("nat").unwrap();
    c.timeout(Duration::from_secs(180));
    c.env_remove("NAT_AUTH_TOKEN");
    c
}

/// `GET /users/{id}` for every operation of the demo's description.
fn demo_operations() -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(nat::demo::openapi_json()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

/// The coverage entry of `endpoint`.
fn entry<'a>(report: &'a Value, endpoint: &str) -> &'a Value {
    report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("no coverage of {endpoint}: {:#}", report["coverage"]))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// The reason `check` was skipped on `endpoint` and whether it was blocked; `None` when it was not
/// skipped.
fn skip<'a>(report: &'a Value, endpoint: &str, check: &str) -> Option<(&'a str, bool)> {
    entry(report, endpoint)["checks_skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["check"] == check)
        .map(|s| {
            (
                s["reason"].as_str().unwrap(),
                s["blocked"].as_bool().unwrap(),
            )
        })
}

/// The operations checked as secured although the description declares no security for them.
fn inferred(report: &Value) -> BTreeSet<&str> {
    report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["security"] == "inferred")
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect()
}

#[test]
fn the_demo_report_covers_every_operation_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = nat()
        .current_dir(dir.path())
        .args(["demo", "--no-color", "--fail-on", "none"])
        .args([
            "--report", "r.json", "--report", "r.md", "--report", "r.html",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let report: Value = serde_json::from_str(&read("r.json")).unwrap();
    let coverage = report["coverage"].as_array().unwrap();

    // One entry per operation of the description, in its order, none twice.
    let covered: Vec<String> = coverage
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        covered.iter().cloned().collect::<BTreeSet<_>>(),
        demo_operations()
    );
    assert_eq!(covered.len(), demo_operations().len());
    assert_eq!(
        covered.len() as u64,
        report["summary"]["operations_discovered"].as_u64().unwrap()
    );
    // Every check of an operation is accounted for once: run or skipped (the outage check is the
    // engine's, on no operation).
    let per_operation_checks = nat::checks::CHECKS
        .iter()
        .filter(|c| c.per_operation())
        .count();
    let once_per_scan: Vec<&str> = nat::checks::CHECKS
        .iter()
        .filter(|c| !c.per_operation())
        .map(|c| c.meta().id)
        .collect();
    for e in coverage {
        // The password-change proof runs once per scan, on the operations no probe sends.
        let run: Vec<&str> = strings(&e["checks_run"])
            .into_iter()
            .filter(|c| !once_per_scan.contains(c))
            .collect();
        let skipped: Vec<&str> = e["checks_skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["check"].as_str().unwrap())
            .collect();
        let all: BTreeSet<&str> = run.iter().chain(&skipped).copied().collect();
        assert_eq!(all.len(), run.len() + skipped.len(), "{e:#}");
        assert_eq!(all.len(), per_operation_checks, "{e:#}");
        assert!(
            e["checks_skipped"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| !s["reason"].as_str().unwrap().is_empty()),
            "{e:#}"
        );
    }

    // BOLA ran where user A's object is listed to A and not to B, sent as user, user B and
    // anonymous (the finding's proof needs all three).
    let documents = entry(&report, "GET /vuln/documents/{document_id}");
    assert_eq!(documents["status"], "probed");
    assert_eq!(documents["baseline"], 200);
    assert_eq!(documents["security"], "declared");
    assert!(strings(&documents["checks_run"]).contains(&"NAT-API1-BOLA"));
    let who = strings(&documents["identities"]);
    for name in ["user", "user_b", "anonymous"] {
        assert!(who.contains(&name), "{documents:#}");
    }
    assert!(documents["requests"].as_u64().unwrap() >= 3);
    // The admin identity is named (never its token) where BFLA compared with it.
    let admin = entry(&report, "GET /vuln/admin/users");
    assert!(
        strings(&admin["identities"]).contains(&"admin"),
        "{admin:#}"
    );
    assert!(strings(&admin["checks_run"]).contains(&"NAT-API5-BFLA"));
    let json_text = read("r.json");
    let coverage_text = report["coverage"].to_string();
    assert!(!coverage_text.contains(&nat::demo::admin_token()));
    assert!(!coverage_text.contains(&nat::demo::second_user_token()));
    assert!(json_text.contains("\"coverage\""));

    // Specific reasons: a refused baseline blocks the checks that compare with it; a precondition
    // of the operation's kind is "not applicable"; a check that gave up while running says why.
    assert_eq!(
        skip(&report, "GET /fixed/admin/users", "NAT-API2-AUTH-BYPASS"),
        Some(("baseline answered 403, not 2xx", true))
    );
    assert_eq!(
        skip(&report, "GET /fixed/admin/users", "NAT-API1-BOLA"),
        Some((
            "no path parameter names an object (`id`, `*_id`, a uuid, or one ending the path)",
            false
        ))
    );
    assert_eq!(
        skip(&report, "GET /vuln/products/{product_id}", "NAT-API1-BOLA"),
        Some((
            "the user's object (`product_id`) is listed to user B too",
            true
        ))
    );
    let (why, blocked) = skip(
        &report,
        "POST /vuln/authn/login",
        "NAT-API2-NO-BRUTE-FORCE-PROTECTION",
    )
    .expect("brute force gave up on the enumerable login");
    assert!(
        why.contains("nat never sends bursts to a real account"),
        "{why}"
    );
    assert!(blocked);

    // Markdown and HTML carry the section; the terminal one line.
    let md = read("r.md");
    assert!(md.contains("### Coverage\n"), "{md}");
    assert!(md.contains("| GET /vuln/documents/{document\\_id} | probed | 200 | declared |"));
    assert!(md.contains("blocked NAT-API2-AUTH-BYPASS"), "{md}");
    let html = read("r.html");
    assert!(html.contains("<section id=\"coverage\">"));
    assert!(html.contains("data-endpoint=\"GET /vuln/documents/{document_id}\""));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("Coverage: "))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let n = demo_operations().len();
    // The undeclared orders pair: `security: []`, a token needed in fact.
    let inferred = inferred(&report);
    assert_eq!(
        inferred,
        [
            "GET /fixed/undeclared/orders/{order_id}",
            "GET /vuln/undeclared/orders/{order_id}"
        ]
        .into()
    );
    assert!(
        lines[0].starts_with(&format!(
            "Coverage: {n} of {n} operations probed (2 secured by inference), "
        )),
        "{stdout}"
    );
    assert!(lines[0].contains(" check runs, "), "{stdout}");
}

/// In the default mode (no --destructive, bearer tokens, no login flow) nat leaves operations out:
/// each is `not_sent` with the reason, and the terminal line counts them.
#[test]
fn operations_nat_does_not_send_are_not_sent_with_the_reason() {
    let bin = assert_cmd::cargo::cargo_bin("nat");
    let mut child = std::process::Command::new(&bin)
        .args(["demo", "--target-only", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    for _ in 0..5 {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("nat demo target listening on ") {
            url = Some(rest.trim().to_string());
            break;
        }
    }
    let url = url.expect("no URL printed");
    let dir = tempfile::tempdir().unwrap();
    let out = nat()
        .current_dir(dir.path())
        .args(["scan", &url, "--no-color", "--verbose", "--fail-on", "none"])
        .args(["--auth-bearer", &nat::demo::user_token()])
        .args(["--auth-b-bearer", &nat::demo::second_user_token()])
        .args(["--report", "r.json"])
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
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(
        report["coverage"].as_array().unwrap().len(),
        demo_operations().len()
    );

    let reset = entry(&report, "GET /maintenance/reset-cache");
    assert_eq!(reset["status"], "not_sent", "{reset:#}");
    let why = reset["reason"].as_str().unwrap();
    assert!(
        why.starts_with("state-changing GET (`reset` in the path") && why.contains("--destructive"),
        "{why}"
    );
    assert_eq!(reset["requests"], 0);
    assert!(strings(&reset["checks_run"]).is_empty());

    // No login flow: a logout cannot be probed at all.
    let logout = entry(&report, "POST /vuln/sessions/logout");
    assert_eq!(logout["status"], "not_sent");
    assert!(logout["reason"]
        .as_str()
        .unwrap()
        .contains("no identity logs in"));
    // The caller's own account is written in the default mode too: with what it holds now (read
    // first), so the baseline changes nothing.
    let account = entry(&report, "PATCH /vuln/account");
    assert_eq!(account["status"], "probed", "{account:#}");
    assert!(strings(&account["checks_run"]).contains(&"NAT-API3-MASS-ASSIGNMENT"));

    let stdout = String::from_utf8_lossy(&out.stdout);
    let not_sent = report["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "not_sent")
        .count();
    assert!(not_sent >= 2);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Coverage: "))
        .unwrap_or_else(|| panic!("no coverage line: {stdout}"));
    let inferred = inferred(&report).len();
    assert!(
        line.contains(&format!(
            "({not_sent} not sent, {inferred} secured by inference)"
        )),
        "{line}"
    );
    // --verbose lists them under the line.
    assert!(
        stdout.contains("  GET /maintenance/reset-cache: not sent: state-changing GET"),
        "{stdout}"
    );
}
