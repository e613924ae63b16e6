//! JUnit XML for CI systems that show test reports.
//!
//! One `<testsuite>` per check (every registered check, plus any check only the findings name). A
//! report records only the operations where something was found, so the test cases are:
//! - one per check × endpoint with findings: a `<failure>` carrying each finding's title, severity,
//!   fingerprint and evidence (several findings of a check on one endpoint, e.g. two parameters, share
//!   the test case); accepted (suppressed) findings and findings already in the baseline are
//!   `<skipped>` with the reason instead, because they do not fail the scan;
//! - one passing `no findings` case per check that found nothing.
//!
//! Failures are every open, new finding whatever its severity: `--fail-on` decides the exit code,
//! the test report shows everything nat proved.

use super::text::{escape_markup as esc, owasp_label, severity_label};
use super::{BaselineState, ScanReport};
use crate::checks::CHECKS;
use crate::findings::{Finding, Status};
use std::fmt::Write;

struct Suite<'a> {
    id: String,
    title: String,
    owasp: String,
    cwe: String,
    cases: Vec<(String, Vec<&'a Finding>)>,
}

enum Outcome {
    Failure,
    Skipped(String),
}

fn outcome(report: &ScanReport, f: &Finding) -> Outcome {
    if f.status != Status::Open {
        let why = report
            .suppression_of(f)
            .map(|a| format!("accepted: {}", a.reason))
            .unwrap_or_else(|| {
                format!(
                    "status {}",
                    if f.status == Status::Accepted {
                        "accepted"
                    } else {
                        "resolved"
                    }
                )
            });
        return Outcome::Skipped(why);
    }
    if report.baseline_state(f) == Some(BaselineState::Unchanged) {
        return Outcome::Skipped("already in the baseline".into());
    }
    if f.confidence < report.scan.fail_on_confidence {
        return Outcome::Skipped(format!(
            "{} confidence, below --fail-on-confidence {}",
            f.confidence, report.scan.fail_on_confidence
        ));
    }
    Outcome::Failure
}

/// Renders the report as JUnit XML.
pub(crate) fn render(report: &ScanReport) -> String {
    let mut suites: Vec<Suite> = CHECKS
        .iter()
        .map(|c| {
            let m = c.meta();
            Suite {
                id: m.id.into(),
                title: m.title.into(),
                owasp: m.owasp.into(),
                cwe: m.cwe.into(),
                cases: vec![],
            }
        })
        .collect();
    for f in &report.findings {
        let i = match suites.iter().position(|s| s.id == f.check) {
            Some(i) => i,
            None => {
                suites.push(Suite {
                    id: f.check.clone(),
                    title: f.title.clone(),
                    owasp: f.owasp.clone(),
                    cwe: f.cwe.clone(),
                    cases: vec![],
                });
                suites.len() - 1
            }
        };
        let cases = &mut suites[i].cases;
        match cases.iter_mut().find(|(e, _)| *e == f.endpoint) {
            Some((_, fs)) => fs.push(f),
            None => cases.push((f.endpoint.clone(), vec![f])),
        }
    }

    let secs = report.scan.duration_ms as f64 / 1000.0;
    let mut total = (0usize, 0usize, 0usize); // tests, failures, skipped
    let mut body = String::new();
    for s in &suites {
        let mut xml = String::new();
        let (mut tests, mut failures, mut skipped) = (0, 0, 0);
        let classname = format!("nat.{}", s.id);
        if s.cases.is_empty() {
            tests += 1;
            let _ = writeln!(
                xml,
                "    <testcase classname=\"{}\" name=\"no findings\" time=\"0\"/>",
                esc(&classname)
            );
        }
        for (endpoint, fs) in &s.cases {
            tests += 1;
            let _ = writeln!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
                esc(&classname),
                esc(endpoint)
            );
            let failing: Vec<&&Finding> = fs
                .iter()
                .filter(|f| matches!(outcome(report, f), Outcome::Failure))
                .collect();
            if failing.is_empty() {
                skipped += 1;
                let why: Vec<String> = fs
                    .iter()
                    .filter_map(|f| match outcome(report, f) {
                        Outcome::Skipped(w) => Some(w),
                        Outcome::Failure => None,
                    })
                    .collect();
                let _ = writeln!(xml, "      <skipped message=\"{}\"/>", esc(&why.join("; ")));
            } else {
                failures += 1;
                let worst = failing
                    .iter()
                    .map(|f| f.severity)
                    .max()
                    .unwrap_or(fs[0].severity);
                let msg = format!(
                    "[{}] {} on {}",
                    severity_label(worst),
                    failing[0].title,
                    endpoint
                );
                let mut text = String::new();
                for f in &failing {
                    let _ = write!(
                        text,
                        "{} {} [{}] {}\nOWASP {} · {} · risk {}/100 · fingerprint {}\nRemediation: {}\n\n--- request\n{}\n\n--- response\n{}\n\n",
                        f.id,
                        f.check,
                        severity_label(f.severity),
                        f.title,
                        owasp_label(&f.owasp),
                        f.cwe,
                        f.risk_score,
                        f.fingerprint,
                        f.remediation,
                        f.evidence.request,
                        f.evidence.response
                    );
                }
                let _ = writeln!(
                    xml,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    esc(&msg),
                    worst.as_str(),
                    esc(text.trim_end())
                );
            }
            xml.push_str("    </testcase>\n");
        }
        total.0 += tests;
        total.1 += failures;
        total.2 += skipped;
        let _ = writeln!(
            body,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\"{}>\n    <properties>\n      <property name=\"title\" value=\"{}\"/>\n      <property name=\"owasp\" value=\"{}\"/>\n      <property name=\"cwe\" value=\"{}\"/>\n    </properties>\n{xml}  </testsuite>",
            esc(&s.id),
            if report.scan.completed_at.is_empty() {
                String::new()
            } else {
                format!(" timestamp=\"{}\"", esc(&report.scan.completed_at))
            },
            esc(&s.title),
            esc(&owasp_label(&s.owasp)),
            esc(&s.cwe)
        );
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"nat {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{secs:.3}\">",
        esc(&report.scan.target),
        total.0,
        total.1,
        total.2
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}
