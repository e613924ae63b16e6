//! Renderers of what goes to stdout: the scan report (table, JSON) and `nat spec`'s operation list.
//! Each returns a `String`; the caller decides where it goes.

use super::exit::failing_count;
use crate::findings::{Finding, Severity};
use crate::report::ScanReport;
use crate::request::FailOn;
use crate::spec::{ApiSpec, Parameter, SecurityRequirement};
use comfy_table::{presets, Cell, Color, ContentArrangement, Table};
use serde::Serialize;

/// How a table is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// Colored severities and box-drawing characters (a terminal that wants color).
    pub color: bool,
    /// Wrap to the terminal's width (stdout is a terminal).
    pub terminal: bool,
    /// Wrap to this many columns instead of the terminal's (tests; `None`: the terminal's).
    pub width: Option<u16>,
    /// The findings table also shows each finding's risk score and check id (`--verbose`).
    pub verbose: bool,
}

fn new_table(style: TableStyle) -> Table {
    let mut table = Table::new();
    if style.terminal {
        table.load_preset(presets::UTF8_FULL_CONDENSED);
        // Wrap to the terminal only when its width is known and usable (a pty may report 0).
        if table.width().is_some_and(|w| w >= 60) {
            table.set_content_arrangement(ContentArrangement::Dynamic);
        }
    } else {
        table
            .load_preset(presets::ASCII_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
    }
    if let Some(width) = style.width {
        table
            .set_width(width)
            .set_content_arrangement(ContentArrangement::Dynamic);
    }
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

fn severity_color(severity: Severity) -> Option<Color> {
    match severity {
        Severity::Critical => Some(Color::Magenta),
        Severity::High => Some(Color::Red),
        Severity::Medium => Some(Color::Yellow),
        Severity::Low => Some(Color::Cyan),
        Severity::Info => None,
    }
}

/// A duration for people: `850ms`, `3.2s`, `2m 05s`.
pub fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        let secs = ms / 1000;
        format!("{}m {:02}s", secs / 60, secs % 60)
    }
}

/// Counts of findings per severity, most severe first, e.g. `1 critical, 2 high, 0 medium, 0 low, 0 info`.
pub fn severity_counts(severities: impl IntoIterator<Item = Severity>) -> String {
    let mut counts = [0usize; 5];
    for s in severities {
        if let Some(i) = Severity::ALL.iter().position(|x| *x == s) {
            counts[i] += 1;
        }
    }
    Severity::ALL
        .iter()
        .zip(counts)
        .map(|(s, n)| format!("{n} {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Warnings listed in full up to this many; beyond it, a count and a hint.
const MAX_LISTED_WARNINGS: usize = 10;

/// The report as a table of findings (most severe first) and a summary. `interrupted` says the user
/// stopped the scan (so a partial report is called interrupted rather than stopped early).
pub fn report_table(
    report: &ScanReport,
    fail_on: FailOn,
    interrupted: bool,
    style: TableStyle,
) -> String {
    let mut out = String::new();
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let mut table = new_table(style);
        let mut header = vec!["Severity", "Confidence", "OWASP", "Title", "Endpoint"];
        if style.verbose {
            header.extend(["Risk", "Check"]);
        }
        table.set_header(header);
        for f in &report.findings {
            let mut severity = Cell::new(f.severity.as_str().to_uppercase());
            if let Some(color) = severity_color(f.severity) {
                severity = severity.fg(color);
            }
            let mut row = vec![
                severity,
                Cell::new(f.confidence),
                Cell::new(&f.owasp),
                Cell::new(table_title(f)),
                Cell::new(&f.endpoint),
            ];
            if style.verbose {
                row.extend([Cell::new(f.risk_score), Cell::new(&f.check)]);
            }
            table.add_row(row);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }

    let s = &report.summary;
    let total = report.findings.len();
    out.push_str(&format!(
        "\n{total} finding{}: {}\n",
        if total == 1 { "" } else { "s" },
        severity_counts(report.findings.iter().map(|f| f.severity))
    ));
    let excluded = if s.operations_excluded > 0 {
        format!(" ({} excluded)", s.operations_excluded)
    } else {
        String::new()
    };
    out.push_str(&format!(
        "{}/{} operations tested{excluded}, {} requests sent, {}\n",
        s.operations_tested,
        s.operations_discovered,
        s.requests_sent,
        human_duration(report.scan.duration_ms)
    ));
    if let Some(line) = report.coverage_line() {
        out.push_str(&format!(
            "{line}: per operation in the report's coverage (--format json, markdown or html)\n"
        ));
        if style.verbose {
            for op in report
                .coverage
                .iter()
                .filter(|op| op.status != crate::report::CoverageStatus::Probed)
            {
                out.push_str(&format!("  {}: {}\n", op.endpoint, op.status_label()));
            }
        }
    }
    if report.scan.partial {
        out.push_str(if interrupted {
            "partial results (scan interrupted)\n"
        } else {
            "partial results (scan stopped early, e.g. --max-requests reached)\n"
        });
    }
    match fail_on.threshold() {
        Some(threshold) => {
            let failing = failing_count(report, fail_on);
            if failing > 0 {
                out.push_str(&format!(
                    "FAILED: {failing} finding{} at or above {threshold}\n",
                    if failing == 1 { "" } else { "s" }
                ));
            } else {
                out.push_str(&format!("passed: no finding at or above {threshold}\n"));
            }
        }
        None => out.push_str("passed (--fail-on none)\n"),
    }
    if !report.writes.is_empty() {
        let endpoints = report.writes_grouped().len();
        out.push_str(&format!(
            "{} request{} that may have changed data ({endpoints} method/path/identity group{}): listed under `writes` in the JSON report\n",
            report.writes.len(),
            if report.writes.len() == 1 { "" } else { "s" },
            if endpoints == 1 { "" } else { "s" },
        ));
    }
    out.push_str(&warnings_block(&report.warnings, "--format json"));
    out
}

/// The title in the table: the check's short title, or for a check this nat does not know (a
/// report from another version) the title without its category.
fn table_title(f: &Finding) -> &str {
    crate::checks::CHECKS
        .iter()
        .map(|c| c.meta())
        .find(|m| m.id == f.check)
        .map_or_else(|| short_title(&f.title), |m| m.short_title)
}

/// A finding's title without its category (`Broken Authentication: expired token accepted` →
/// `expired token accepted`): the OWASP column names the category. A title without one is kept.
fn short_title(title: &str) -> &str {
    title
        .split_once(": ")
        .map_or(title, |(_, rest)| rest)
        .trim_start()
}

/// Operations named as examples in a grouped warning line.
const WARNING_EXAMPLES: usize = 3;

/// Warnings that give the same reason for several operations (`GET /a: <reason>`,
/// `GET /b: <reason>`), in the order each reason first appears: (reason, operations). A warning
/// that names no operation is a group of its own, with no operations.
fn group_warnings(warnings: &[String]) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for w in warnings {
        match split_operation(w) {
            Some((endpoint, reason)) => {
                match groups
                    .iter_mut()
                    .find(|(r, ops)| *r == reason && !ops.is_empty())
                {
                    Some((_, ops)) => ops.push(endpoint),
                    None => groups.push((reason, vec![endpoint])),
                }
            }
            None => groups.push((w, Vec::new())),
        }
    }
    groups
}

/// `GET /users/{id}: reason` → (`GET /users/{id}`, `reason`); `None` when the warning does not start
/// with an operation.
fn split_operation(warning: &str) -> Option<(&str, &str)> {
    let (method, rest) = warning.split_once(' ')?;
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !rest.starts_with('/')
    {
        return None;
    }
    let (path, reason) = rest.split_once(": ")?;
    Some((&warning[..method.len() + 1 + path.len()], reason))
}

/// The warnings under a table: one line per reason (with the number of operations and a few of
/// them when several share it), at most [`MAX_LISTED_WARNINGS`] lines, and a pointer to the full
/// list (`hint`) when anything was grouped or left out.
fn warnings_block(warnings: &[String], hint: &str) -> String {
    let mut out = String::new();
    let groups = group_warnings(warnings);
    for (reason, ops) in groups.iter().take(MAX_LISTED_WARNINGS) {
        match ops.as_slice() {
            [] => out.push_str(&format!("warning: {reason}\n")),
            [op] => out.push_str(&format!("warning: {op}: {reason}\n")),
            many => {
                let examples = many[..many.len().min(WARNING_EXAMPLES)].join(", ");
                let more = if many.len() > WARNING_EXAMPLES {
                    ", …"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "warning: {} operations: {reason} (e.g. {examples}{more})\n",
                    many.len()
                ));
            }
        }
    }
    if groups.len() > MAX_LISTED_WARNINGS {
        let rest: usize = groups[MAX_LISTED_WARNINGS..]
            .iter()
            .map(|(_, ops)| ops.len().max(1))
            .sum();
        out.push_str(&format!(
            "… and {rest} more warnings ({} warnings in all; use {hint} to see them)\n",
            warnings.len()
        ));
    } else if groups.len() < warnings.len() {
        out.push_str(&format!(
            "({} warnings in all; use {hint} to see each one)\n",
            warnings.len()
        ));
    }
    out
}

/// `nat spec --json`: one operation.
#[derive(Debug, Serialize)]
struct SpecOperationJson<'a> {
    method: &'a str,
    path: &'a str,
    operation_id: Option<&'a str>,
    parameters: &'a [Parameter],
    security: &'a [SecurityRequirement],
}

/// `nat spec --json`: the document.
#[derive(Debug, Serialize)]
struct SpecJson<'a> {
    openapi_version: &'a str,
    title: &'a str,
    operations: Vec<SpecOperationJson<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
}

/// `nat spec --json`: version, title, operations (method, path, operation_id, parameters,
/// security) and, when there are any, warnings; pretty, with a final newline.
pub fn spec_json(spec: &ApiSpec) -> Result<String, serde_json::Error> {
    let doc = SpecJson {
        openapi_version: &spec.openapi_version,
        title: &spec.title,
        operations: spec
            .operations
            .iter()
            .map(|op| SpecOperationJson {
                method: &op.method,
                path: &op.path,
                operation_id: op.operation_id.as_deref(),
                parameters: &op.parameters,
                security: &op.security,
            })
            .collect(),
        warnings: &spec.warnings,
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

/// `nat spec`: a table of method, path, operation id and whether auth is required, then the count
/// and the warnings.
pub fn spec_table(spec: &ApiSpec, style: TableStyle) -> String {
    let mut out = String::new();
    let title = if spec.title.is_empty() {
        "(untitled)"
    } else {
        &spec.title
    };
    out.push_str(&format!(
        "{title} (OpenAPI {})\n",
        if spec.openapi_version.is_empty() {
            "?"
        } else {
            &spec.openapi_version
        }
    ));
    if !spec.operations.is_empty() {
        let mut table = new_table(style);
        table.set_header(["Method", "Path", "Operation id", "Auth required"]);
        for op in &spec.operations {
            table.add_row(vec![
                op.method.as_str(),
                op.path.as_str(),
                op.operation_id.as_deref().unwrap_or("-"),
                if op.requires_auth() { "yes" } else { "no" },
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    let n = spec.operations.len();
    let w = spec.warnings.len();
    out.push_str(&format!(
        "{n} operation{}, {w} warning{}\n",
        if n == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" }
    ));
    out.push_str(&warnings_block(&spec.warnings, "--json"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Evidence, Status};
    use crate::spec::{Operation, ParamLocation};
    use std::collections::BTreeMap;

    fn finding(severity: Severity, title: &str) -> Finding {
        Finding {
            id: "find_001".into(),
            severity,
            confidence: Default::default(),
            title: title.into(),
            owasp: "API1".into(),
            cwe: "CWE-639".into(),
            endpoint: "GET /users/{id}".into(),
            risk_score: severity.base_score(),
            status: Status::Open,
            evidence: Evidence::default(),
            remediation: String::new(),
            check: "NAT-API1-BOLA".into(),
            fingerprint: "f".into(),
        }
    }

    fn report() -> ScanReport {
        let mut r = ScanReport {
            findings: vec![
                finding(Severity::High, "Broken Object Level Authorization"),
                finding(Severity::Low, "Verbose error"),
            ],
            ..Default::default()
        };
        r.summary.operations_discovered = 42;
        r.summary.operations_excluded = 3;
        r.summary.operations_tested = 39;
        r.summary.requests_sent = 120;
        r.scan.duration_ms = 3200;
        r
    }

    #[test]
    fn table_lists_findings_and_summary() {
        let text = report_table(&report(), FailOn::High, false, TableStyle::default());
        assert!(text.contains("other user's object readable"), "{text}");
        assert!(text.contains("HIGH") && text.contains("API1"));
        assert!(text.contains("2 findings: 0 critical, 1 high, 0 medium, 1 low, 0 info"));
        assert!(text.contains("39/42 operations tested (3 excluded), 120 requests sent, 3.2s"));
        assert!(
            text.contains("FAILED: 1 finding at or above high"),
            "{text}"
        );
        assert!(!text.contains("partial"));
        assert!(!text.contains('\u{1b}'), "no escape codes without color");
        assert!(text.is_ascii(), "plain ASCII when not a terminal");
    }

    #[test]
    fn table_passed_partial_and_warnings() {
        let mut r = report();
        r.scan.partial = true;
        r.warnings = (0..12).map(|i| format!("w{i}")).collect();
        let text = report_table(&r, FailOn::Critical, true, TableStyle::default());
        assert!(
            text.contains("passed: no finding at or above critical"),
            "{text}"
        );
        assert!(text.contains("partial results (scan interrupted)"));
        assert!(text.contains("warning: w9\n") && !text.contains("warning: w10\n"));
        assert!(text.contains("2 more warnings") && text.contains("--format json"));
        let text = report_table(&r, FailOn::None, false, TableStyle::default());
        assert!(text.contains("passed (--fail-on none)"));
        assert!(text.contains("partial results (scan stopped early"));
    }

    #[test]
    fn compact_table_has_owasp_and_short_titles_and_verbose_adds_check_ids() {
        let mut r = report();
        r.findings[1].check = "NAT-SOMEONE-ELSES".into();
        r.findings[1].title = "Security Misconfiguration: verbose error".into();
        let text = report_table(&r, FailOn::High, false, TableStyle::default());
        assert!(text.contains("| OWASP |"), "{text}");
        assert!(
            text.contains("| API1  | other user's object readable |"),
            "{text}"
        );
        assert!(text.contains("| verbose error "), "{text}");
        assert!(
            !text.contains("Broken Object") && !text.contains("NAT-API1-BOLA"),
            "{text}"
        );
        let verbose = TableStyle {
            verbose: true,
            ..TableStyle::default()
        };
        let text = report_table(&r, FailOn::High, false, verbose);
        assert!(
            text.contains("| NAT-API1-BOLA") && text.contains("| Risk"),
            "{text}"
        );
    }

    #[test]
    fn short_titles_are_short_and_without_category() {
        for check in crate::checks::CHECKS {
            let m = check.meta();
            assert!(
                !m.short_title.is_empty() && m.short_title.chars().count() <= 28,
                "{}: {:?}",
                m.id,
                m.short_title
            );
        }
        assert_eq!(short_title("Injection: SQL injection"), "SQL injection");
        assert_eq!(short_title("plain"), "plain");
    }

    #[test]
    fn warnings_are_grouped_by_reason() {
        let mut warnings: Vec<String> = (0..60)
            .map(|i| format!("GET /x{i}: not attacked as another caller (BOLA): answered 401"))
            .collect();
        warnings.push("POST /y: skipped: unsafe".into());
        warnings.push("the description has no servers".into());
        let text = warnings_block(&warnings, "--format json");
        assert_eq!(
            text,
            "warning: 60 operations: not attacked as another caller (BOLA): answered 401 \
             (e.g. GET /x0, GET /x1, GET /x2, …)\n\
             warning: POST /y: skipped: unsafe\n\
             warning: the description has no servers\n\
             (62 warnings in all; use --format json to see each one)\n"
        );
        let few = ["GET /a: r".to_string(), "GET /b: r".to_string()];
        assert_eq!(
            warnings_block(&few, "--json"),
            "warning: 2 operations: r (e.g. GET /a, GET /b)\n(2 warnings in all; use --json to see each one)\n"
        );
        assert_eq!(split_operation("GET /a: b: c"), Some(("GET /a", "b: c")));
        assert_eq!(split_operation("note: x"), None);
    }

    #[test]
    fn empty_report() {
        let text = report_table(
            &ScanReport::default(),
            FailOn::High,
            false,
            TableStyle::default(),
        );
        assert!(text.starts_with("No findings.\n"), "{text}");
        assert!(text.contains("passed"));
    }

    #[test]
    fn color_only_when_asked() {
        let style = TableStyle {
            color: true,
            ..TableStyle::default()
        };
        let text = report_table(&report(), FailOn::High, false, style);
        assert!(text.contains('\u{1b}'), "{text}");
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(850), "850ms");
        assert_eq!(human_duration(3240), "3.2s");
        assert_eq!(human_duration(125_000), "2m 05s");
    }

    fn spec() -> ApiSpec {
        let mut security = SecurityRequirement::new();
        security.insert("bearer".into(), vec![]);
        ApiSpec {
            openapi_version: "3.0.3".into(),
            title: "Users".into(),
            operations: vec![
                Operation {
                    method: "GET".into(),
                    path: "/users/{id}".into(),
                    operation_id: Some("getUser".into()),
                    summary: None,
                    tags: vec![],
                    parameters: vec![Parameter {
                        name: "id".into(),
                        location: ParamLocation::Path,
                        required: true,
                        schema: Some(serde_json::json!({"type": "integer"}).into()),
                        example: None,
                    }],
                    request_body: None,
                    security: vec![security],
                    responses: BTreeMap::new(),
                    deprecated: false,
                },
                Operation::new("GET", "/health"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn spec_json_shape() {
        let value: serde_json::Value = serde_json::from_str(&spec_json(&spec()).unwrap()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "openapi_version": "3.0.3",
                "title": "Users",
                "operations": [
                    {"method": "GET", "path": "/users/{id}", "operation_id": "getUser",
                     "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                     "security": [{"bearer": []}]},
                    {"method": "GET", "path": "/health", "operation_id": null,
                     "parameters": [], "security": []}
                ]
            })
        );
        let mut s = spec();
        s.warnings = vec!["skipped x".into()];
        let value: serde_json::Value = serde_json::from_str(&spec_json(&s).unwrap()).unwrap();
        assert_eq!(value["warnings"], serde_json::json!(["skipped x"]));
    }

    #[test]
    fn spec_table_shape() {
        let mut s = spec();
        s.warnings = vec!["skipped x".into()];
        let text = spec_table(&s, TableStyle::default());
        assert!(
            text.contains("getUser") && text.contains("/health"),
            "{text}"
        );
        assert!(text.contains("| yes") && text.contains("| no"), "{text}");
        assert!(
            text.contains("2 operations, 1 warning\nwarning: skipped x\n"),
            "{text}"
        );
    }
}
