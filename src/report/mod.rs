//! The scan report and its renderers.
//!
//! [`ScanReport`] is the canonical report (its JSON form is documented by `schemas/report.schema.json`);
//! [`render`] turns it into every format nat writes. Baselines and suppressions ([`apply_baseline`],
//! [`apply_suppressions`]) annotate a report before it is rendered, and every format shows them.

mod html;
mod junit;
mod locate;
mod markdown;
mod sarif;
mod text;
mod triage;

pub use locate::operation_line;
pub use sarif::{render_sarif, security_severity, SarifOptions, FINGERPRINT_KEY};
pub use triage::{
    apply_baseline, apply_suppressions, load_suppressions, parse_suppressions, AbsentFinding,
    AppliedSuppression, BaselineInfo, BaselineState, StaleSuppression, SuppressionEntry,
    SuppressionError, SuppressionInfo, Suppressions,
};

use crate::findings::{Finding, Severity, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Name and version of the tool that wrote a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "nat".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// What was scanned and when.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanMeta {
    /// Target base URL.
    pub target: String,
    /// Where the description came from.
    pub spec: String,
    pub spec_title: String,
    pub started_at: String,
    pub completed_at: String,
    pub duration_ms: u64,
    /// True when the scan stopped early (cancelled, request budget spent): findings are what was proven
    /// until then.
    pub partial: bool,
    /// The severity threshold the scan was run with.
    pub fail_on: crate::request::FailOn,
    /// The least confidence a finding needs to count for `fail_on`.
    #[serde(default)]
    pub fail_on_confidence: crate::findings::Confidence,
    /// How long the scan waited at its end for late callbacks to nat's listener (see
    /// `crate::oob::GRACE`), in milliseconds: part of `duration_ms`, but no work.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub callback_wait_ms: u64,
    /// The identities the scan sent as (`user`, `user_b`, then the named ones with their roles); never
    /// their credentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<crate::http::IdentityInfo>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Counts of the scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub operations_discovered: usize,
    pub operations_excluded: usize,
    pub operations_tested: usize,
    pub requests_sent: u64,
    /// Requests that got no answer (refused, closed, past the deadline, unreadable body); each
    /// operation's count is in the warnings.
    #[serde(default)]
    pub requests_failed: u64,
    /// Requests sent once more on a fresh connection because the pooled one died under them.
    #[serde(default)]
    pub requests_retried: u64,
    /// Findings by severity name, every severity present (0 when none).
    pub findings: BTreeMap<Severity, usize>,
    pub total_findings: usize,
    /// Whether findings reached `fail_on`.
    pub failed: bool,
}

/// One request nat sent that may have changed something on the target (any method but GET, HEAD and
/// OPTIONS), listed in the report so the user knows exactly what the scan did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteRecord {
    pub method: String,
    /// The full URL, secrets redacted.
    pub url: String,
    /// Who sent it: `user`, `user_b`, `anonymous`, or an identity's name.
    pub identity: String,
    /// The status the target answered, absent when no answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// What became of one operation of the description.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// Its baseline was sent (or, for a logout, the logout check ran) and its checks ran to the end.
    #[default]
    Probed,
    /// nat sent nothing for it, for the `reason` given (excluded, state-changing read, safety mode…).
    NotSent,
    /// The scan stopped (cancelled, request budget spent, target down) before it was finished.
    NotCompleted,
}

impl SecuritySource {
    /// `declared`, `inferred`, `none`.
    pub fn label(self) -> &'static str {
        match self {
            SecuritySource::Declared => "declared",
            SecuritySource::Inferred => "inferred",
            SecuritySource::None => "none",
        }
    }
}

impl CoverageStatus {
    /// `probed`, `not sent`, `not completed`.
    pub fn label(self) -> &'static str {
        match self {
            CoverageStatus::Probed => "probed",
            CoverageStatus::NotSent => "not sent",
            CoverageStatus::NotCompleted => "not completed",
        }
    }
}

/// Where an operation's security requirement came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecuritySource {
    /// The description requires a credential for it.
    Declared,
    /// The description requires none, but the user's read was answered and an anonymous one refused:
    /// nat checked it as secured.
    Inferred,
    /// No credential required (none declared, an optional one, or nothing inferred).
    #[default]
    None,
}

/// A check that did not test an operation, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedCheck {
    /// The check's id (`NAT-API1-BOLA`).
    pub check: String,
    /// Why, in words for the reader ("baseline answered 404, not 2xx").
    pub reason: String,
    /// True when the check is made for such an operation but something it needs was missing (the
    /// user's own request refused, no user B, a control request not refused); false when it simply
    /// does not apply ("not a GET").
    #[serde(default)]
    pub blocked: bool,
}

/// What nat did with one operation: whether it was sent, as whom, which checks tested it and why the
/// others did not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationCoverage {
    /// `GET /users/{id}`.
    pub endpoint: String,
    pub status: CoverageStatus,
    /// Why it was not sent or not completed (absent when probed, except for a logout, which the
    /// scan's own session never sends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The status the user's own request (the baseline) was answered; absent when none came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<u16>,
    /// What the target said was wrong with the user's request when it answered 400 or 422, as nat
    /// read it (`field grant_type: string does not match ^password$`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub baseline_problems: Vec<String>,
    /// True when nat repaired a refused (400/422) request once and the repaired one is the baseline.
    #[serde(default)]
    pub repaired: bool,
    pub security: SecuritySource,
    /// Who its requests were sent as (`user`, `user_b`, `anonymous`, identity names), in the order
    /// first used; names only, never credentials.
    #[serde(default)]
    pub identities: Vec<String>,
    /// Requests sent for it (baseline, object creation, every check's probes).
    #[serde(default)]
    pub requests: u64,
    /// Ids of the checks that applied and tested it, in the order they run.
    #[serde(default)]
    pub checks_run: Vec<String>,
    /// The checks that did not test it, with the reason: a precondition it does not meet, or the
    /// reason a check gave up while running.
    #[serde(default)]
    pub checks_skipped: Vec<SkippedCheck>,
}

impl OperationCoverage {
    /// The skipped checks grouped by reason, blocked ones first, each group in the order its reason
    /// first appears: `(blocked, reason, check ids)`.
    pub fn skips_by_reason(&self) -> Vec<(bool, &str, Vec<&str>)> {
        let mut out: Vec<(bool, &str, Vec<&str>)> = Vec::new();
        for s in &self.checks_skipped {
            match out
                .iter_mut()
                .find(|(b, r, _)| *b == s.blocked && *r == s.reason)
            {
                Some((_, _, checks)) => checks.push(&s.check),
                None => out.push((s.blocked, &s.reason, vec![&s.check])),
            }
        }
        out.sort_by_key(|(blocked, _, _)| !blocked);
        out
    }

    /// How many skipped checks were blocked ([`SkippedCheck::blocked`]).
    pub fn blocked(&self) -> usize {
        self.checks_skipped.iter().filter(|s| s.blocked).count()
    }

    /// The baseline in words: `200`, `200 (repaired)`, `none` when no answer came.
    pub fn baseline_label(&self) -> String {
        match (self.baseline, self.repaired) {
            (Some(s), true) => format!("{s} (repaired)"),
            (Some(s), false) => s.to_string(),
            (None, _) => "none".into(),
        }
    }

    /// The status, with the reason when there is one: `not sent: excluded (--exclude)`.
    pub fn status_label(&self) -> String {
        match &self.reason {
            Some(r) if self.status != CoverageStatus::Probed => {
                format!("{}: {r}", self.status.label())
            }
            _ => self.status.label().to_string(),
        }
    }
}

/// Counts over a report's coverage, for one summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoverageCounts {
    pub operations: usize,
    pub probed: usize,
    pub not_sent: usize,
    pub not_completed: usize,
    /// Check runs over all operations (a check on one operation is one run).
    pub checks_run: usize,
    /// Skipped checks that were blocked ([`SkippedCheck::blocked`]).
    pub checks_blocked: usize,
    /// Skipped checks that do not apply.
    pub checks_not_applicable: usize,
    /// Operations whose security nat inferred from the answers.
    pub inferred: usize,
}

/// The canonical report: scan metadata, summary counts and findings. Every other format renders it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub tool: Tool,
    pub scan: ScanMeta,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// What the loader skipped, operations skipped and why, failed exchanges worth knowing, stale
    /// suppressions.
    pub warnings: Vec<String>,
    /// Every request that may have changed something on the target, in the order sent.
    #[serde(default)]
    pub writes: Vec<WriteRecord>,
    /// Comparison with a previous report, when one was applied ([`apply_baseline`]). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineInfo>,
    /// What the suppression file did, when one was applied ([`apply_suppressions`]). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressions: Option<SuppressionInfo>,
    /// Every operation of the description, in its order: what nat sent, as whom, which checks ran
    /// and why the others did not. Absent in reports of older versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<OperationCoverage>,
}

impl ScanReport {
    /// True when some finding that still counts (see [`ScanReport::counts`]) is at or above `threshold`
    /// with at least the confidence `scan.fail_on_confidence`.
    ///
    /// Without a baseline or suppressions every finding of a scan counts, so this is "any finding at or
    /// above the threshold"; with them, `--fail-on` looks only at new, unsuppressed findings.
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        self.failing(threshold).next().is_some()
    }

    /// The findings that make [`ScanReport::fails`] true for `threshold`.
    pub fn failing(&self, threshold: Option<Severity>) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| {
            threshold.is_some_and(|t| f.severity >= t)
                && f.confidence >= self.scan.fail_on_confidence
                && self.counts(f)
        })
    }

    /// Whether a finding counts towards failing: it is `open` (not accepted or resolved) and, when a
    /// baseline was applied, new since the baseline.
    pub fn counts(&self, finding: &Finding) -> bool {
        finding.status == Status::Open
            && self.baseline_state(finding) != Some(BaselineState::Unchanged)
    }

    /// The finding's state against the applied baseline (`None` when no baseline was applied).
    pub fn baseline_state(&self, finding: &Finding) -> Option<BaselineState> {
        self.baseline
            .as_ref()
            .map(|b| b.state_of(&finding.fingerprint))
    }

    /// The suppression that accepted a finding, if any.
    pub fn suppression_of(&self, finding: &Finding) -> Option<&AppliedSuppression> {
        self.suppressions.as_ref().and_then(|s| {
            s.applied
                .iter()
                .find(|a| a.fingerprint == finding.fingerprint)
        })
    }

    /// The writes grouped by method, URL path (query dropped) and identity, in first-sent order:
    /// `(method, path, identity, count, distinct statuses)`.
    pub fn writes_grouped(&self) -> Vec<(String, String, String, usize, Vec<u16>)> {
        let mut out: Vec<(String, String, String, usize, Vec<u16>)> = Vec::new();
        for w in &self.writes {
            let path = url::Url::parse(&w.url)
                .map(|u| u.path().to_string())
                .unwrap_or_else(|_| w.url.split('?').next().unwrap_or_default().to_string());
            let i = match out
                .iter()
                .position(|(m, p, who, ..)| *m == w.method && *p == path && *who == w.identity)
            {
                Some(i) => i,
                None => {
                    out.push((w.method.clone(), path, w.identity.clone(), 0, Vec::new()));
                    out.len() - 1
                }
            };
            out[i].3 += 1;
            if let Some(s) = w.status {
                if !out[i].4.contains(&s) {
                    out[i].4.push(s);
                }
            }
        }
        out
    }

    /// Counts over [`ScanReport::coverage`].
    pub fn coverage_counts(&self) -> CoverageCounts {
        let mut c = CoverageCounts {
            operations: self.coverage.len(),
            ..Default::default()
        };
        for op in &self.coverage {
            match op.status {
                CoverageStatus::Probed => c.probed += 1,
                CoverageStatus::NotSent => c.not_sent += 1,
                CoverageStatus::NotCompleted => c.not_completed += 1,
            }
            c.checks_run += op.checks_run.len();
            let blocked = op.checks_skipped.iter().filter(|s| s.blocked).count();
            c.checks_blocked += blocked;
            c.checks_not_applicable += op.checks_skipped.len() - blocked;
            if op.security == SecuritySource::Inferred {
                c.inferred += 1;
            }
        }
        c
    }

    /// The one-line coverage summary (`Coverage: 60 of 63 operations probed (3 not sent), 412 check
    /// runs, 97 blocked, 700 not applicable`); `None` for a report without coverage.
    pub fn coverage_line(&self) -> Option<String> {
        self.coverage_summary().map(|s| format!("Coverage: {s}"))
    }

    /// [`ScanReport::coverage_line`] without its `Coverage: ` label.
    pub fn coverage_summary(&self) -> Option<String> {
        if self.coverage.is_empty() {
            return None;
        }
        let c = self.coverage_counts();
        let mut aside = Vec::new();
        if c.not_sent > 0 {
            aside.push(format!("{} not sent", c.not_sent));
        }
        if c.not_completed > 0 {
            aside.push(format!("{} not completed", c.not_completed));
        }
        if c.inferred > 0 {
            aside.push(format!("{} secured by inference", c.inferred));
        }
        let aside = if aside.is_empty() {
            String::new()
        } else {
            format!(" ({})", aside.join(", "))
        };
        Some(format!(
            "{} of {} operation{} probed{aside}, {} check run{}, {} blocked, {} not applicable",
            c.probed,
            c.operations,
            if c.operations == 1 { "" } else { "s" },
            c.checks_run,
            if c.checks_run == 1 { "" } else { "s" },
            c.checks_blocked,
            c.checks_not_applicable
        ))
    }

    /// Recomputes `summary.failed` from `scan.fail_on` (after a baseline or suppressions changed what
    /// counts).
    pub fn refresh_failed(&mut self) {
        self.summary.failed = self.fails(self.scan.fail_on.threshold());
    }
}

/// A report format other code can ask for by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Sarif,
    Markdown,
    Html,
    Junit,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Sarif,
        Format::Markdown,
        Format::Html,
        Format::Junit,
    ];

    /// The format's name (`json`, `sarif`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
        }
    }

    /// Parses a format name (`md` and `xml` accepted as aliases).
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "junit" | "xml" => Some(Format::Junit),
            _ => None,
        }
    }

    /// The HTTP Content-Type of a rendered report.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Sarif => "application/sarif+json",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Junit => "application/xml",
        }
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot render {format} report: {reason}")]
    Failed {
        format: &'static str,
        reason: String,
    },
}

/// Renders a report in a format.
///
/// SARIF locations point into the API description when `report.scan.spec` names a local file that
/// can be read now (see [`SarifOptions::from_environment`]); every other format is a pure function
/// of the report.
pub fn render(report: &ScanReport, format: Format) -> Result<String, RenderError> {
    match format {
        Format::Json => to_json(report, "json"),
        Format::Sarif => render_sarif(report, &SarifOptions::from_environment(&report.scan.spec)),
        Format::Markdown => Ok(markdown::render(report)),
        Format::Html => Ok(html::render(report)),
        Format::Junit => Ok(junit::render(report)),
    }
}

/// Pretty JSON with a final newline.
fn to_json<T: Serialize>(value: &T, format: &'static str) -> Result<String, RenderError> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| RenderError::Failed {
            format,
            reason: e.to_string(),
        })
}
