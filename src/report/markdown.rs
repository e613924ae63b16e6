//! Markdown for a pull-request comment: verdict, summary tables, then each finding with its evidence
//! in fenced code blocks (each fence longer than any backtick run inside it) folded in `<details>`.

use super::text::{code_span, escape_md, fence_for, owasp_label, severity_label};
use super::{BaselineState, CoverageStatus, ScanReport};
use crate::findings::{Finding, Severity, Status};
use std::collections::BTreeMap;
use std::fmt::Write;

/// An emoji per severity, so the eye finds the worst first.
fn marker(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🟥",
        Severity::High => "🟧",
        Severity::Medium => "🟨",
        Severity::Low => "🟦",
        Severity::Info => "⬜",
    }
}

/// Counts of findings per OWASP category, in category order (`API1` … `API10`, then others).
pub(crate) fn by_owasp(findings: &[Finding]) -> Vec<(String, usize)> {
    let mut m: BTreeMap<(u32, String), usize> = BTreeMap::new();
    for f in findings {
        let n = f
            .owasp
            .strip_prefix("API")
            .and_then(|n| n.parse().ok())
            .unwrap_or(u32::MAX);
        *m.entry((n, f.owasp.clone())).or_default() += 1;
    }
    m.into_iter().map(|((_, k), v)| (k, v)).collect()
}

/// The state words shown next to a finding: `accepted`, `new`, `known`.
pub(crate) fn state_words(report: &ScanReport, f: &Finding) -> Vec<&'static str> {
    let mut out = Vec::new();
    match f.status {
        Status::Accepted => out.push("accepted"),
        Status::Resolved => out.push("resolved"),
        Status::Open => {}
    }
    match report.baseline_state(f) {
        Some(BaselineState::New) => out.push("new"),
        Some(BaselineState::Unchanged) => out.push("in baseline"),
        None => {}
    }
    out
}

/// Renders the report as Markdown.
pub(crate) fn render(report: &ScanReport) -> String {
    let mut md = String::new();
    let s = &report.summary;
    let threshold = report.scan.fail_on.threshold();
    let failing = report.failing(threshold).count();
    let _ = writeln!(md, "## nat API security scan\n");
    let verdict = match threshold {
        None => "ℹ️ **Report only** (fail-on: none)".to_string(),
        Some(t) if failing > 0 => {
            format!("❌ **Failed**: {failing} finding(s) at or above **{t}**")
        }
        Some(t) => format!("✅ **Passed**: no finding at or above **{t}**"),
    };
    let _ = writeln!(
        md,
        "{verdict}{}\n",
        if report.scan.partial {
            " — ⚠️ partial scan (stopped early)"
        } else {
            ""
        }
    );
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| Target | {} |", code_span(&report.scan.target));
    let spec = if report.scan.spec_title.is_empty() {
        code_span(&report.scan.spec)
    } else {
        format!(
            "{} ({})",
            escape_md(&report.scan.spec_title),
            code_span(&report.scan.spec)
        )
    };
    let _ = writeln!(md, "| API description | {spec} |");
    let _ = writeln!(
        md,
        "| Operations | {} tested of {} ({} excluded) |",
        s.operations_tested, s.operations_discovered, s.operations_excluded
    );
    let _ = writeln!(
        md,
        "| Requests | {} in {:.1} s |",
        s.requests_sent,
        report.scan.duration_ms as f64 / 1000.0
    );
    if !report.scan.completed_at.is_empty() {
        let _ = writeln!(
            md,
            "| Completed | {} |",
            escape_md(&report.scan.completed_at)
        );
    }
    let _ = writeln!(md, "| nat | {} |\n", escape_md(&report.tool.version));

    // Summary by severity.
    let _ = writeln!(md, "### Summary\n");
    let with_baseline = report.baseline.is_some();
    if with_baseline {
        let _ = writeln!(
            md,
            "| Severity | Findings | New | Accepted |\n|---|---:|---:|---:|"
        );
    } else {
        let _ = writeln!(md, "| Severity | Findings | Accepted |\n|---|---:|---:|");
    }
    for sev in Severity::ALL {
        let of: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == sev)
            .collect();
        let accepted = of.iter().filter(|f| f.status == Status::Accepted).count();
        if with_baseline {
            let new = of
                .iter()
                .filter(|f| report.baseline_state(f) == Some(BaselineState::New))
                .count();
            let _ = writeln!(
                md,
                "| {} {} | {} | {new} | {accepted} |",
                marker(sev),
                severity_label(sev),
                of.len()
            );
        } else {
            let _ = writeln!(
                md,
                "| {} {} | {} | {accepted} |",
                marker(sev),
                severity_label(sev),
                of.len()
            );
        }
    }
    let _ = writeln!(
        md,
        "| **Total** | **{}** | |{}\n",
        report.findings.len(),
        if with_baseline { " |" } else { "" }
    );

    let cats = by_owasp(&report.findings);
    if !cats.is_empty() {
        let _ = writeln!(md, "| OWASP API Top 10 (2023) | Findings |\n|---|---:|");
        for (cat, n) in cats {
            let _ = writeln!(md, "| {} | {n} |", escape_md(&owasp_label(&cat)));
        }
        md.push('\n');
    }

    if let Some(b) = &report.baseline {
        let from = b
            .source
            .as_deref()
            .map(code_span)
            .unwrap_or_else(|| "a previous report".into());
        let _ = writeln!(
            md,
            "Baseline {from}: {} new, {} already known, {} no longer found.\n",
            b.new.len(),
            b.unchanged.len(),
            b.absent.len()
        );
    }

    // Findings.
    let _ = writeln!(md, "### Findings\n");
    if report.findings.is_empty() {
        let _ = writeln!(md, "No findings.\n");
    }
    for f in &report.findings {
        finding(&mut md, report, f);
    }

    if let Some(b) = report.baseline.as_ref().filter(|b| !b.absent.is_empty()) {
        let _ = writeln!(
            md,
            "### No longer found (in the baseline, not in this scan)\n"
        );
        for a in &b.absent {
            let _ = writeln!(
                md,
                "- {} {} {} on {} ({})",
                marker(a.severity),
                severity_label(a.severity),
                escape_md(&a.title),
                code_span(&a.endpoint),
                code_span(&a.fingerprint)
            );
        }
        md.push('\n');
    }
    if let Some(sup) = report
        .suppressions
        .as_ref()
        .filter(|s| !s.applied.is_empty() || !s.stale.is_empty())
    {
        let _ = writeln!(
            md,
            "### Suppressions\n\n{} finding(s) accepted by {}; {} stale entr{}.\n",
            sup.applied.len(),
            code_span(&sup.source),
            sup.stale.len(),
            if sup.stale.len() == 1 { "y" } else { "ies" }
        );
    }
    coverage(&mut md, report);
    if !report.writes.is_empty() {
        let _ = writeln!(
            md,
            "### Requests that may have changed data\n\n{} request(s) with a method other than GET, HEAD or OPTIONS:\n\n| method | path | as | requests | answers |\n|---|---|---|---|---|",
            report.writes.len()
        );
        for (method, path, who, n, statuses) in report.writes_grouped() {
            let answers: Vec<String> = statuses.iter().map(u16::to_string).collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {n} | {} |",
                escape_md(&method),
                code_span(&path),
                escape_md(&who),
                answers.join(", ")
            );
        }
        md.push('\n');
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(md, "### Warnings\n");
        for w in &report.warnings {
            let _ = writeln!(md, "- {}", escape_md(w));
        }
        md.push('\n');
    }
    md
}

/// The coverage section: one table row per operation, then (folded) why each check that did not run
/// did not. Every text is escaped: endpoints and reasons may carry the description's or the target's
/// words.
fn coverage(md: &mut String, report: &ScanReport) {
    let Some(line) = report.coverage_summary() else {
        return;
    };
    let _ = writeln!(md, "### Coverage\n\n{}.\n", escape_md(&line));
    let _ = writeln!(
        md,
        "| Operation | Status | Baseline | Security | As | Requests | Ran | Blocked | N/A |\n\
         |---|---|---|---|---|---:|---:|---:|---:|"
    );
    for op in &report.coverage {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            escape_md(&op.endpoint),
            escape_md(&op.status_label()),
            escape_md(&op.baseline_label()),
            op.security.label(),
            escape_md(&op.identities.join(", ")),
            op.requests,
            op.checks_run.len(),
            op.blocked(),
            op.checks_skipped.len() - op.blocked()
        );
    }
    let _ = writeln!(
        md,
        "\n<details><summary>Checks per operation: which ran, and why the others did not</summary>\n"
    );
    for op in &report.coverage {
        let _ = writeln!(
            md,
            "- **{}** ({}, baseline {})",
            escape_md(&op.endpoint),
            escape_md(&op.status_label()),
            escape_md(&op.baseline_label())
        );
        if !op.baseline_problems.is_empty() {
            let _ = writeln!(
                md,
                "  - baseline {}: {}",
                escape_md(&op.baseline_label()),
                escape_md(&op.baseline_problems.join("; "))
            );
        }
        if let Some(note) = op
            .reason
            .as_ref()
            .filter(|_| op.status == CoverageStatus::Probed)
        {
            let _ = writeln!(md, "  - {}", escape_md(note));
        }
        if !op.checks_run.is_empty() {
            let _ = writeln!(md, "  - ran {}", escape_md(&op.checks_run.join(", ")));
        }
        for (blocked, reason, checks) in op.skips_by_reason() {
            let _ = writeln!(
                md,
                "  - {} {}: {}",
                if blocked { "blocked" } else { "not applicable" },
                escape_md(&checks.join(", ")),
                escape_md(reason)
            );
        }
    }
    let _ = writeln!(md, "\n</details>\n");
}

fn finding(md: &mut String, report: &ScanReport, f: &Finding) {
    let words = state_words(report, f);
    let tags = if words.is_empty() {
        String::new()
    } else {
        format!(" — _{}_", words.join(", "))
    };
    let _ = writeln!(
        md,
        "#### {} {} {} on {}{tags}\n",
        marker(f.severity),
        severity_label(f.severity),
        escape_md(&f.title),
        code_span(&f.endpoint)
    );
    let _ = writeln!(
        md,
        "- **Check:** {} · **OWASP:** {} · **CWE:** {} · **Risk:** {}/100 · **Confidence:** {}",
        code_span(&f.check),
        escape_md(&owasp_label(&f.owasp)),
        escape_md(&f.cwe),
        f.risk_score,
        f.confidence
    );
    let _ = writeln!(
        md,
        "- **Finding:** {} · **Fingerprint:** {}",
        code_span(&f.id),
        code_span(&f.fingerprint)
    );
    if let Some(a) = report.suppression_of(f) {
        let until = a
            .expires
            .as_deref()
            .map(|d| format!(" (until {d})"))
            .unwrap_or_default();
        let _ = writeln!(md, "- **Accepted:** {}{until}", escape_md(&a.reason));
    }
    if !f.remediation.is_empty() {
        // Remediation is nat's own Markdown (from the check's metadata): kept as written, on one line.
        let _ = writeln!(
            md,
            "- **Remediation:** {}",
            super::text::one_line(&f.remediation)
        );
    }
    md.push('\n');
    let _ = writeln!(md, "<details><summary>Evidence</summary>\n");
    for (label, body) in [
        ("Request", &f.evidence.request),
        ("Response", &f.evidence.response),
    ] {
        if body.is_empty() {
            continue;
        }
        let fence = fence_for(body);
        let _ = writeln!(
            md,
            "{label}:\n\n{fence}http\n{}\n{fence}\n",
            body.trim_end_matches(['\n', '\r'])
        );
    }
    let _ = writeln!(md, "</details>\n");
}
