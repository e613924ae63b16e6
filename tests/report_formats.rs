//! Every report format, rendered from a hand-built report (all severities, hostile evidence) and from
//! a real scan of the demo target, and checked by the tool that consumes it: SARIF by Microsoft's
//! validator with GitHub's rules, JSON by the repository's JSON Schema, JUnit by an XML parser.

use nat::findings::{fingerprint, Evidence, Finding, Severity, Status};
use nat::report::{
    apply_baseline, apply_suppressions, operation_line, parse_suppressions, render, render_sarif,
    CoverageStatus, Format, OperationCoverage, SarifOptions, ScanReport, SecuritySource,
    SkippedCheck, FINGERPRINT_KEY,
};
use nat::request::FailOn;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const SPEC_YAML: &str = "openapi: 3.0.3
info:
  title: Shop ünïcødé API
  version: '1'
paths:
  /users/{id}:
    get:
      security:
        - bearer: []
      responses:
        '200':
          description: ok
  /search:
    post:
      responses:
        '200':
          description: ok
  /orders:
    get:
      responses:
        '200':
          description: ok
    delete:
      responses:
        '204':
          description: gone
";

fn finding(
    check: &str,
    severity: Severity,
    endpoint: &str,
    owasp: &str,
    cwe: &str,
    evidence: Evidence,
) -> Finding {
    Finding {
        id: String::new(),
        severity,
        confidence: Default::default(),
        title: format!("{check} proven"),
        owasp: owasp.into(),
        cwe: cwe.into(),
        endpoint: endpoint.into(),
        risk_score: nat::findings::risk_score(severity, Default::default()),
        status: Status::Open,
        evidence,
        remediation: "Fix it: send `Cache-Control: no-store` and <b>never</b> trust input.".into(),
        check: check.into(),
        fingerprint: fingerprint(check, endpoint, ""),
    }
}

/// A realistic report: every severity, evidence with `<script>`, backtick runs and unicode.
fn sample_report(spec: &str) -> ScanReport {
    let hostile = Evidence {
        request: "POST http://127.0.0.1:8080/search HTTP/1.1\nContent-Type: application/json\n\n{\"q\": \"'<script>alert(1)</script>\"}".into(),
        response: "HTTP/1.1 500 Internal Server Error\ncontent-type: text/html\n\n<script>alert(document.cookie)</script>\n```\nSQL error near ````'```` — ünïcødé ✓ 日本\n</details></pre>".into(),
    };
    let plain = Evidence {
        request: "GET http://127.0.0.1:8080/users/2 HTTP/1.1\nAuthorization: Bearer <redacted>"
            .into(),
        response: "HTTP/1.1 200 OK\ncontent-type: application/json\n\n{\"id\":2,\"name\":\"Bob\"}"
            .into(),
    };
    let mut findings = vec![
        finding(
            "NAT-API2-AUTH-BYPASS",
            Severity::Critical,
            "GET /users/{id}",
            "API2",
            "CWE-306",
            plain.clone(),
        ),
        finding(
            "NAT-INJ-SQLI",
            Severity::High,
            "POST /search",
            "API8",
            "CWE-89",
            hostile.clone(),
        ),
        finding(
            "NAT-API8-VERBOSE-ERRORS",
            Severity::Medium,
            "POST /search",
            "API8",
            "CWE-209",
            hostile,
        ),
        finding(
            "NAT-API8-SECURITY-HEADERS",
            Severity::Low,
            "GET /orders",
            "API8",
            "CWE-693",
            plain.clone(),
        ),
        finding(
            "NAT-API8-CORS",
            Severity::Info,
            "DELETE /orders",
            "API8",
            "CWE-942",
            plain.clone(),
        ),
        // A check nat does not have (an older report, a plug-in): still gets a rule.
        finding(
            "NAT-API1-BOLA",
            Severity::High,
            "GET /users/{id}",
            "API1",
            "CWE-639",
            plain,
        ),
    ];
    nat::findings::sort_and_number(&mut findings);
    let mut r = ScanReport {
        findings,
        ..Default::default()
    };
    r.scan.target = "http://127.0.0.1:8080".into();
    r.scan.spec = spec.into();
    r.scan.spec_title = "Shop ünïcødé API".into();
    r.scan.started_at = "2026-01-02T03:04:05Z".into();
    r.scan.completed_at = "2026-01-02T03:04:35Z".into();
    r.scan.duration_ms = 30_000;
    r.scan.fail_on = FailOn::High;
    r.summary.operations_discovered = 4;
    r.summary.operations_tested = 4;
    r.summary.requests_sent = 321;
    r.summary.total_findings = r.findings.len();
    for s in Severity::ALL {
        r.summary
            .findings
            .insert(s, r.findings.iter().filter(|f| f.severity == s).count());
    }
    r.refresh_failed();
    r.warnings
        .push("operation `GET /legacy` skipped: no <schema> ✓".into());
    r.coverage = sample_coverage();
    r
}

/// Coverage of the sample's operations: one probed with a run and skipped checks (a target-quoted
/// reason with markup in it), one inferred, one not sent.
fn sample_coverage() -> Vec<OperationCoverage> {
    let skipped = |check: &str, reason: &str, blocked: bool| SkippedCheck {
        check: check.into(),
        reason: reason.into(),
        blocked,
    };
    vec![
        OperationCoverage {
            endpoint: "GET /users/{id}".into(),
            status: CoverageStatus::Probed,
            baseline: Some(200),
            security: SecuritySource::Declared,
            identities: vec!["user".into(), "user_b".into(), "anonymous".into()],
            requests: 14,
            checks_run: vec!["NAT-API1-BOLA".into(), "NAT-API2-AUTH-BYPASS".into()],
            checks_skipped: vec![
                skipped("NAT-API5-BFLA", "nothing marks it privileged", false),
                skipped(
                    "NAT-API2-JWT-UNVERIFIED",
                    "control: a garbage token was answered 200 <script>alert(1)</script> | x",
                    true,
                ),
            ],
            ..Default::default()
        },
        OperationCoverage {
            endpoint: "POST /search".into(),
            status: CoverageStatus::Probed,
            baseline: Some(200),
            baseline_problems: vec!["field q: string does not match ^[a-z]+$".into()],
            repaired: true,
            security: SecuritySource::Inferred,
            identities: vec!["user".into()],
            requests: 9,
            checks_run: vec!["NAT-INJ-SQLI".into()],
            ..Default::default()
        },
        OperationCoverage {
            endpoint: "DELETE /orders".into(),
            status: CoverageStatus::NotSent,
            reason: Some(
                "it would change or delete an object nat did not create; --destructive allows it"
                    .into(),
            ),
            security: SecuritySource::None,
            ..Default::default()
        },
    ]
}

/// The same report with a baseline (the SQLi already known) and a suppression (the headers finding).
fn triaged(spec: &str) -> ScanReport {
    let mut r = sample_report(spec);
    let mut old = sample_report(spec);
    old.findings.retain(|f| f.check == "NAT-INJ-SQLI");
    old.findings.push(finding(
        "NAT-OLD",
        Severity::Low,
        "GET /gone",
        "API9",
        "CWE-1059",
        Evidence::default(),
    ));
    apply_baseline(&mut r, &old);
    if let Some(b) = r.baseline.as_mut() {
        b.source = Some("baseline.json".into());
    }
    let sup = parse_suppressions(
        "- check: NAT-API8-SECURITY-HEADERS\n  endpoint: 'GET /orders*'\n  reason: gateway adds them <ok>\n  expires: 2999-01-01\n- check: NAT-API8-CORS\n  reason: stale one\n  expires: 2000-01-01\n",
        ".natignore.yaml",
    )
    .unwrap();
    apply_suppressions(
        &mut r,
        &sup,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
    );
    r
}

// ---------- SARIF ----------

/// How to run Microsoft's SARIF validator: `sarif-multitool` on PATH (what CI installs), else `npx`.
fn sarif_validator() -> Option<Vec<String>> {
    let on_path = |bin: &str| {
        Command::new(bin)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if on_path("sarif-multitool") {
        return Some(vec!["sarif-multitool".into()]);
    }
    if Command::new("npx")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
    {
        return Some(vec![
            "npx".into(),
            "-y".into(),
            "@microsoft/sarif-multitool@5.7.0".into(),
        ]);
    }
    None
}

/// Validates a SARIF file with the `Gh` and `Sarif` rule sets and fails on any error line.
fn validate_sarif(path: &Path) {
    let Some(cmd) = sarif_validator() else {
        eprintln!(
            "\n!!!!! SKIPPED SARIF VALIDATION: neither `sarif-multitool` nor `npx` is on PATH.\n\
             !!!!! Install it with `npm i -g @microsoft/sarif-multitool@5.7.0` (see .ci/run).\n"
        );
        // CI installs it: there, a missing validator is a failure, not a skip.
        assert!(
            std::env::var("CI").is_err(),
            "CI must provide the SARIF validator"
        );
        return;
    };
    // The npm package's launcher runs the tool through a shell (`spawnSync(.., {shell: true})`), so
    // arguments are quoted for the shell: unquoted, `Gh;Sarif` would run `Sarif` as a second command.
    let out = Command::new(&cmd[0])
        .args(&cmd[1..])
        .arg("validate")
        .arg(format!("'{}'", path.display()))
        .args(["--rule-kind", "'Gh;Sarif'"])
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("run the SARIF validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("sarif-multitool on {}:\n{text}", path.display());
    assert!(
        text.contains("Analysis completed successfully"),
        "the validator did not run: {text}"
    );
    assert!(
        !text.contains("not found"),
        "the validator's arguments were split: {text}"
    );
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(" error ")).collect();
    assert!(
        errors.is_empty(),
        "SARIF validation errors in {}:\n{}\n\nfull output:\n{text}",
        path.display(),
        errors.join("\n")
    );
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn sarif_has_rules_taxonomies_locations_and_passes_the_validator() {
    let dir = tempfile::tempdir().unwrap();
    let report = triaged("api/openapi.yaml");
    let opts = SarifOptions {
        spec_text: Some(SPEC_YAML.into()),
        spec_uri: Some("api/openapi.yaml".into()),
        working_directory: Some("file:///repo/".into()),
    };
    let sarif = render_sarif(&report, &opts).unwrap();
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "nat");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    for c in nat::checks::CHECKS {
        assert!(
            rules.iter().any(|r| r["id"] == c.meta().id),
            "rule for {} missing",
            c.meta().id
        );
    }
    assert!(
        rules.iter().any(|r| r["id"] == "NAT-API1-BOLA"),
        "rules for checks only findings know"
    );
    for r in rules {
        for k in ["shortDescription", "fullDescription", "help", "helpUri"] {
            assert!(!r[k].is_null(), "rule {} lacks {k}", r["id"]);
        }
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("Remediation"));
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"));
        assert!(tags
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("external/cwe/cwe-")));
        assert!(tags
            .iter()
            .any(|t| t.as_str().unwrap().starts_with("owasp-api-2023/api")));
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev));
        assert_eq!(
            r["relationships"].as_array().unwrap().len(),
            2,
            "OWASP and CWE"
        );
    }
    let taxonomies = run["taxonomies"].as_array().unwrap();
    assert_eq!(taxonomies.len(), 2);
    assert_eq!(taxonomies[0]["taxa"].as_array().unwrap().len(), 10);
    assert!(run["invocations"][0]["executionSuccessful"]
        .as_bool()
        .unwrap());
    assert_eq!(run["invocations"][0]["endTimeUtc"], "2026-01-02T03:04:35Z");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings.len());
    for (res, f) in results.iter().zip(&report.findings) {
        assert_eq!(res["ruleId"], f.check.as_str());
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"],
            f.check.as_str(),
            "ruleIndex points at the rule"
        );
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            _ => "note",
        };
        assert_eq!(res["level"], level);
        assert_eq!(
            res["partialFingerprints"][FINGERPRINT_KEY],
            f.fingerprint.as_str()
        );
        assert!(res["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&f.endpoint));
        let loc = &res["locations"][0];
        assert_eq!(
            loc["physicalLocation"]["artifactLocation"]["uri"],
            "api/openapi.yaml"
        );
        assert_eq!(
            loc["logicalLocations"][0]["fullyQualifiedName"],
            f.endpoint.as_str()
        );
        let (m, p) = f.endpoint.split_once(' ').unwrap();
        let line = operation_line(SPEC_YAML, p, m).unwrap();
        assert_eq!(
            loc["physicalLocation"]["region"]["startLine"], line as u64,
            "{}",
            f.endpoint
        );
    }
    let line_of = |ep: &str| {
        results
            .iter()
            .find(|r| r["properties"]["endpoint"] == ep)
            .unwrap()["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(line_of("GET /users/{id}"), 7);
    assert_eq!(line_of("POST /search"), 14);
    assert_eq!(line_of("DELETE /orders"), 23);
    // Baseline and suppression are visible.
    let sqli = results
        .iter()
        .find(|r| r["ruleId"] == "NAT-INJ-SQLI")
        .unwrap();
    assert_eq!(sqli["baselineState"], "unchanged");
    let headers = results
        .iter()
        .find(|r| r["ruleId"] == "NAT-API8-SECURITY-HEADERS")
        .unwrap();
    assert_eq!(
        headers["suppressions"][0]["justification"],
        "gateway adds them <ok>"
    );
    assert_eq!(headers["baselineState"], "new");

    validate_sarif(&write(dir.path(), "local.sarif", &sarif));

    // Through `render`: a description file outside the working directory (absolute file URI).
    let spec_path = write(dir.path(), "openapi.yaml", SPEC_YAML);
    let report = sample_report(spec_path.to_str().unwrap());
    let sarif = render(&report, Format::Sarif).unwrap();
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///"),
        "{loc}"
    );
    assert!(v["runs"][0]["invocations"][0]["workingDirectory"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
    validate_sarif(&write(dir.path(), "absolute.sarif", &sarif));

    // No local file (a URL): still a valid location.
    let report = sample_report("http://127.0.0.1:8080/openapi.json");
    let sarif = render(&report, Format::Sarif).unwrap();
    let v: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    validate_sarif(&write(dir.path(), "remote.sarif", &sarif));
}

// ---------- JSON ----------

fn schema_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("../schemas/report.schema.json"))
        .expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn assert_schema_valid(json: &str) {
    let instance: Value = serde_json::from_str(json).unwrap();
    let v = schema_validator();
    let errors: Vec<String> = v
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report does not match schemas/report.schema.json:\n{}",
        errors.join("\n")
    );
}

#[test]
fn json_matches_the_schema_and_round_trips() {
    for report in [
        sample_report("openapi.yaml"),
        triaged("openapi.yaml"),
        ScanReport::default(),
    ] {
        let json = render(&report, Format::Json).unwrap();
        assert_schema_valid(&json);
        let back: ScanReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }
    // The schema rejects what is not a report.
    let mut bad: Value =
        serde_json::from_str(&render(&sample_report("x"), Format::Json).unwrap()).unwrap();
    bad["findings"][0]["severity"] = "catastrophic".into();
    assert!(!schema_validator().is_valid(&bad));
}

// ---------- Markdown ----------

#[test]
fn markdown_fences_outgrow_the_evidence_and_shows_triage() {
    let report = triaged("openapi.yaml");
    let md = render(&report, Format::Markdown).unwrap();
    assert!(md.contains("| 🟥 CRITICAL | 1 |"), "{md}");
    assert!(md.contains("API8:2023 Security Misconfiguration"));
    // The hostile response has a run of four backticks: its fence has five.
    assert!(md.contains("`````http\nHTTP/1.1 500"), "{md}");
    assert!(md.contains("accepted") && md.contains("gateway adds them"));
    assert!(md.contains("in baseline") && md.contains("No longer found"));
    assert!(md.contains("stale suppression"));
    assert!(md.contains("ünïcødé ✓ 日本"));
    // Parsed back, each evidence block is one code block with the evidence intact.
    let parser = pulldown_cmark::Parser::new(&md);
    let mut in_code = false;
    let mut code = Vec::new();
    for ev in parser {
        match ev {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::CodeBlock(_)) => {
                in_code = true;
                code.push(String::new());
            }
            pulldown_cmark::Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
            pulldown_cmark::Event::Text(t) if in_code => code.last_mut().unwrap().push_str(&t),
            _ => {}
        }
    }
    assert_eq!(
        code.len(),
        report
            .findings
            .iter()
            .filter(|f| !f.evidence.request.is_empty())
            .count()
            * 2
    );
    let hostile = &report
        .findings
        .iter()
        .find(|f| f.check == "NAT-INJ-SQLI")
        .unwrap()
        .evidence
        .response;
    assert!(
        code.iter().any(|c| c.trim_end() == hostile.as_str()),
        "evidence survives the fences"
    );
}

// ---------- HTML ----------

#[test]
fn html_is_self_contained_and_escapes_evidence() {
    let html = render(&triaged("openapi.yaml"), Format::Html).unwrap();
    let lower = html.to_ascii_lowercase();
    for needle in [
        "src=\"http",
        "href=\"http",
        "src=\"//",
        "href=\"//",
        "<link",
        "url(",
        "@import",
    ] {
        assert!(!lower.contains(needle), "external reference `{needle}`");
    }
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "only nat's own inline script"
    );
    assert!(html.contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;"));
    assert!(html.contains("&lt;/details&gt;&lt;/pre&gt;"));
    assert!(html.contains("ünïcødé ✓ 日本"));
    assert!(html.contains("@media print"));
    assert!(html.contains("data-severity=\"critical\""));
    assert!(html.contains("Accepted:</b> gateway adds them &lt;ok&gt;"));
    assert!(
        html.contains("<code>Cache-Control: no-store</code>"),
        "remediation Markdown rendered"
    );
    assert!(
        html.contains("&lt;b&gt;never&lt;/b&gt;"),
        "raw HTML in remediation escaped"
    );
}

// ---------- Coverage ----------

/// Issue 15: per operation, what was sent, as whom, which checks ran and why the others did not, in
/// Markdown and HTML, escaped; an old report without coverage still parses and shows no section.
#[test]
fn coverage_is_a_section_in_markdown_and_html_and_optional_in_json() {
    let report = sample_report("openapi.yaml");
    assert_eq!(
        report.coverage_line().as_deref(),
        Some(
            "Coverage: 2 of 3 operations probed (1 not sent, 1 secured by inference), 3 check \
             runs, 1 blocked, 1 not applicable"
        )
    );

    let md = render(&report, Format::Markdown).unwrap();
    assert!(md.contains("### Coverage\n"), "{md}");
    assert!(
        md.contains("| GET /users/{id} | probed | 200 | declared | user, user\\_b, anonymous | 14 | 2 | 1 | 1 |"),
        "{md}"
    );
    assert!(
        md.contains("| POST /search | probed | 200 (repaired) | inferred |"),
        "{md}"
    );
    assert!(
        md.contains("| DELETE /orders | not sent: it would change or delete"),
        "{md}"
    );
    assert!(
        md.contains("baseline 200 (repaired): field q: string does not match ^\\[a-z\\]+$"),
        "{md}"
    );
    assert!(
        md.contains("  - blocked NAT-API2-JWT-UNVERIFIED: control: a garbage token was answered 200 \\<script\\>alert(1)\\</script\\> \\| x"),
        "target text is escaped: {md}"
    );
    assert!(md.contains("  - not applicable NAT-API5-BFLA: nothing marks it privileged"));
    // Every table row keeps its nine cells: no pipe of the target's splits one.
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| Operation |"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 2 + 3, "{md}");

    let html = render(&report, Format::Html).unwrap();
    assert!(html.contains("<section id=\"coverage\">"), "{html}");
    assert!(html.contains("<tr class=\"cov-not-sent\" data-endpoint=\"DELETE /orders\">"));
    assert!(html.contains("<td class=\"sec-inferred\">inferred</td>"));
    assert!(html.contains("answered 200 &lt;script&gt;alert(1)&lt;/script&gt; | x"));
    assert_eq!(html.to_ascii_lowercase().matches("<script").count(), 1);

    // JSON: present when there is coverage, absent (and not required) in an old report.
    let json: Value = serde_json::from_str(&render(&report, Format::Json).unwrap()).unwrap();
    assert_eq!(json["coverage"][2]["status"], "not_sent");
    assert_eq!(json["coverage"][1]["security"], "inferred");
    assert_eq!(json["coverage"][0]["checks_skipped"][1]["blocked"], true);
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("coverage");
    assert_schema_valid(&old.to_string());
    let back: ScanReport = serde_json::from_value(old).unwrap();
    assert!(back.coverage.is_empty());
    let md = render(&back, Format::Markdown).unwrap();
    assert!(!md.contains("### Coverage"));
    assert!(!render(&back, Format::Html)
        .unwrap()
        .contains("id=\"coverage\""));
}

// ---------- JUnit ----------

#[test]
fn junit_is_well_formed_with_a_case_per_check_and_endpoint() {
    let report = triaged("openapi.yaml");
    let xml = render(&report, Format::Junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut skipped, mut suites) = (0, 0, 0, 0);
    let mut failure_text = String::new();
    let mut in_failure = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testsuite" => suites += 1,
                    b"testcase" => cases += 1,
                    b"failure" => {
                        failures += 1;
                        in_failure = true;
                    }
                    b"skipped" => skipped += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"failure" => {
                in_failure = false
            }
            quick_xml::events::Event::Text(t) if in_failure => {
                failure_text.push_str(&t.xml10_content().unwrap());
            }
            quick_xml::events::Event::GeneralRef(r) if in_failure => {
                let name = String::from_utf8_lossy(&r);
                failure_text.push_str(match name.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" | "#39" => "'",
                    _ => "?",
                });
            }
            _ => {}
        }
    }
    // One suite per registered check (the fixture's NAT-API1-BOLA finding is a registered check).
    assert_eq!(suites, nat::checks::CHECKS.len());
    // Findings: 6 on 6 (check, endpoint) pairs; checks without findings: one passing case each.
    let checks_without = nat::checks::CHECKS
        .iter()
        .filter(|c| !report.findings.iter().any(|f| f.check == c.meta().id))
        .count();
    assert_eq!(cases, 6 + checks_without);
    // Skipped: the baseline SQLi and the accepted headers finding. The stale CORS one fails again.
    assert_eq!(skipped, 2);
    assert_eq!(failures, 4);
    assert!(
        failure_text.contains("<script>alert(document.cookie)</script>"),
        "{failure_text}"
    );
    assert!(xml.contains("accepted: gateway adds them &lt;ok&gt;"));
}

// ---------- a real scan ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_demo_scan_renders_in_every_format() {
    use nat::engine::{run, CancellationToken, Events};
    use nat::request::{AuthConfig, ScanRequest, Secret};
    let demo = nat::demo::serve("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut req = ScanRequest {
        url: demo.url(),
        ..Default::default()
    };
    req.auth = AuthConfig {
        token: Some(Secret::new(nat::demo::user_token())),
        ..Default::default()
    };
    req.options.fail_on = FailOn::High;
    let report = run(req, Events::none(), CancellationToken::new())
        .await
        .unwrap();
    demo.stop().await;
    assert!(!report.findings.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let token = nat::demo::user_token();
    for format in Format::ALL {
        let text = render(&report, format).unwrap();
        assert!(
            !text.contains(&token),
            "{} leaks the user's token",
            format.name()
        );
        for f in &report.findings {
            assert!(
                text.contains(&f.check),
                "{} lacks {}",
                format.name(),
                f.check
            );
        }
        write(dir.path(), &format!("demo.{}", format.name()), &text);
        if let Some(out) = std::env::var_os("NAT_REPORT_DUMP_DIR") {
            write(Path::new(&out), &format!("demo.{}", format.name()), &text);
        }
    }
    assert_schema_valid(&render(&report, Format::Json).unwrap());
    validate_sarif(&dir.path().join("demo.sarif"));
}
