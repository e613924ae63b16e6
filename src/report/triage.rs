//! Baselines and suppressions: what a team already knows about.
//!
//! Both annotate a [`ScanReport`] before it is rendered, and both keep their state in the report
//! (`report.baseline`, `report.suppressions`) rather than in [`Finding`], whose fields are exactly the
//! REST contract's. A suppressed finding's own `status` becomes `accepted` (a contract field meant for
//! just that); whether a finding is new is looked up by fingerprint in `report.baseline`.

use super::ScanReport;
use crate::findings::{Finding, Severity, Status};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// A finding's state against a baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline: counts towards `--fail-on`.
    New,
    /// Already in the baseline: shown, but does not fail the scan.
    Unchanged,
}

impl BaselineState {
    /// `new` / `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// A finding of the baseline that this scan did not find again (fixed, or not tested this time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsentFinding {
    pub fingerprint: String,
    pub check: String,
    pub endpoint: String,
    pub title: String,
    pub severity: Severity,
}

/// The result of comparing a report with a baseline report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineInfo {
    /// Where the baseline came from (a file path), when the caller says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the baseline scan completed (its `scan.completed_at`).
    #[serde(default)]
    pub baseline_completed_at: String,
    /// Fingerprints of this report's findings that are not in the baseline.
    pub new: Vec<String>,
    /// Fingerprints of this report's findings that the baseline has too.
    pub unchanged: Vec<String>,
    /// Findings of the baseline that this report does not have.
    pub absent: Vec<AbsentFinding>,
}

impl BaselineInfo {
    /// The state of a finding of the report this baseline was applied to.
    pub fn state_of(&self, fingerprint: &str) -> BaselineState {
        if self.unchanged.iter().any(|f| f == fingerprint) {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        }
    }
}

/// Compares `report` with an earlier `baseline` report by fingerprint and records the result in
/// `report.baseline`; `summary.failed` is recomputed so that only new findings fail the scan.
/// Set `report.baseline.source` afterwards to say where the baseline came from.
pub fn apply_baseline(report: &mut ScanReport, baseline: &ScanReport) {
    let known: BTreeSet<&str> = baseline
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let current: BTreeSet<&str> = report
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let mut info = BaselineInfo {
        source: report.baseline.as_ref().and_then(|b| b.source.clone()),
        baseline_completed_at: baseline.scan.completed_at.clone(),
        ..Default::default()
    };
    for f in &report.findings {
        if known.contains(f.fingerprint.as_str()) {
            info.unchanged.push(f.fingerprint.clone());
        } else {
            info.new.push(f.fingerprint.clone());
        }
    }
    let mut seen = BTreeSet::new();
    for f in &baseline.findings {
        if !current.contains(f.fingerprint.as_str()) && seen.insert(f.fingerprint.as_str()) {
            info.absent.push(AbsentFinding {
                fingerprint: f.fingerprint.clone(),
                check: f.check.clone(),
                endpoint: f.endpoint.clone(),
                title: f.title.clone(),
                severity: f.severity,
            });
        }
    }
    report.baseline = Some(info);
    report.refresh_failed();
}

/// One entry of a suppression file. At least one of `fingerprint`, `check`, `endpoint` is required;
/// all the given ones must match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionEntry {
    /// A finding's fingerprint (exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// A check id (case-insensitive), e.g. `NAT-API8-SECURITY-HEADERS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// An endpoint pattern over `METHOD /path/template` in nat's one dialect
    /// ([`crate::pattern::PathPattern`]): `*` matches any run of characters (slashes included), `?`
    /// one character; everything else, `{id}` included, is literal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Why the finding is accepted. Required.
    pub reason: String,
    /// Last day (`YYYY-MM-DD`, inclusive) the entry applies; after it the entry is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl SuppressionEntry {
    /// Whether the entry matches a finding (ignoring expiry).
    pub fn matches(&self, f: &Finding) -> bool {
        self.fingerprint
            .as_deref()
            .is_none_or(|fp| fp == f.fingerprint)
            && self
                .check
                .as_deref()
                .is_none_or(|c| c.eq_ignore_ascii_case(&f.check))
            && self
                .endpoint
                .as_deref()
                .is_none_or(|g| wildcard_match(g, &f.endpoint))
    }

    /// The expiry date, when the entry has one (validated at load time).
    fn expiry(&self) -> Option<NaiveDate> {
        self.expires.as_deref().and_then(|d| parse_date(d).ok())
    }

    /// A short description for messages: what the entry matches.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.fingerprint {
            parts.push(format!("fingerprint {f}"));
        }
        if let Some(c) = &self.check {
            parts.push(format!("check {c}"));
        }
        if let Some(e) = &self.endpoint {
            parts.push(format!("endpoint {e}"));
        }
        parts.join(", ")
    }
}

/// A loaded suppression file (`.natignore.yaml`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// Where the entries came from (a path, or `<inline>`).
    pub source: String,
    pub entries: Vec<SuppressionEntry>,
}

/// Why a suppression file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SuppressionError {
    #[error("cannot read suppression file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid suppression file: {reason}")]
    Invalid { path: String, reason: String },
    #[error("{path}: entry {index}: {reason}")]
    Entry {
        path: String,
        index: usize,
        reason: String,
    },
}

/// The file's two accepted shapes: a list of entries, or `{suppressions: [...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum FileShape {
    List(Vec<SuppressionEntry>),
    Map {
        #[serde(default)]
        suppressions: Vec<SuppressionEntry>,
    },
}

/// Reads and validates a suppression file (YAML; JSON works too).
///
/// The file is a list of entries, or a mapping with a `suppressions:` list:
/// ```yaml
/// suppressions:
///   - check: NAT-API8-SECURITY-HEADERS
///     endpoint: "GET /internal/*"
///     reason: internal endpoints sit behind the gateway, which adds the headers
///     expires: 2026-12-31
///   - fingerprint: 3f1c9a0e5b7d2c4a6e8f0a1b2c3d4e5f
///     reason: accepted risk, see SEC-142
/// ```
pub fn load_suppressions(path: impl AsRef<Path>) -> Result<Suppressions, SuppressionError> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SuppressionError::Read {
        path: shown.clone(),
        source,
    })?;
    parse_suppressions(&text, &shown)
}

/// Parses and validates suppression entries from text; `source` names it in errors.
pub fn parse_suppressions(text: &str, source: &str) -> Result<Suppressions, SuppressionError> {
    let entries = if text.trim().is_empty() {
        Vec::new()
    } else {
        match crate::parse::yaml::<FileShape>(text) {
            Ok(FileShape::List(e)) | Ok(FileShape::Map { suppressions: e }) => e,
            Err(_) => {
                // Re-parse as the documented mapping shape for a precise message.
                let reason = match crate::parse::yaml::<StrictMap>(text) {
                    Err(e) => e.to_string(),
                    Ok(_) => "expected a list of entries or a `suppressions:` list".into(),
                };
                return Err(SuppressionError::Invalid {
                    path: source.into(),
                    reason,
                });
            }
        }
    };
    for (i, e) in entries.iter().enumerate() {
        let bad = |reason: &str| SuppressionError::Entry {
            path: source.into(),
            index: i + 1,
            reason: reason.into(),
        };
        if e.reason.trim().is_empty() {
            return Err(bad("`reason` must say why the finding is accepted"));
        }
        if e.fingerprint.is_none() && e.check.is_none() && e.endpoint.is_none() {
            return Err(bad(
                "give at least one of `fingerprint`, `check`, `endpoint`",
            ));
        }
        if let Some(d) = &e.expires {
            parse_date(d)
                .map_err(|_| bad(&format!("`expires: {d}` is not a date (YYYY-MM-DD)")))?;
        }
    }
    Ok(Suppressions {
        source: source.into(),
        entries,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct StrictMap {
    suppressions: Vec<SuppressionEntry>,
}

fn parse_date(s: &str) -> Result<NaiveDate, chrono::ParseError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
}

/// A suppression that accepted a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedSuppression {
    /// The accepted finding.
    pub fingerprint: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// 1-based index of the entry in the file.
    pub entry: usize,
}

/// An expired entry: it no longer suppresses anything and should be renewed or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleSuppression {
    /// 1-based index of the entry in the file.
    pub entry: usize,
    pub reason: String,
    pub expires: String,
    /// Fingerprints of findings it would have matched.
    pub would_match: Vec<String>,
}

/// What applying a suppression file did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressionInfo {
    /// The file.
    pub source: String,
    /// Findings accepted, with the entry's reason.
    pub applied: Vec<AppliedSuppression>,
    /// Expired entries.
    pub stale: Vec<StaleSuppression>,
}

/// Marks findings matched by a live entry `accepted` (the first matching entry's reason is kept in
/// `report.suppressions`), reports expired entries as warnings (`stale suppression: …`) and recomputes
/// `summary.failed`. `today` decides expiry: an entry expiring today still applies.
pub fn apply_suppressions(report: &mut ScanReport, suppressions: &Suppressions, today: NaiveDate) {
    let mut info = SuppressionInfo {
        source: suppressions.source.clone(),
        ..Default::default()
    };
    for (i, e) in suppressions.entries.iter().enumerate() {
        let matched: Vec<String> = report
            .findings
            .iter()
            .filter(|f| e.matches(f))
            .map(|f| f.fingerprint.clone())
            .collect();
        if let Some(expiry) = e.expiry().filter(|d| *d < today) {
            report.warnings.push(format!(
                "stale suppression: entry {} of {} ({}) expired on {expiry}{}; renew or remove it (reason was: {})",
                i + 1,
                suppressions.source,
                e.describe(),
                if matched.is_empty() {
                    String::new()
                } else {
                    format!(" and no longer hides {} finding(s)", matched.len())
                },
                e.reason
            ));
            info.stale.push(StaleSuppression {
                entry: i + 1,
                reason: e.reason.clone(),
                expires: expiry.to_string(),
                would_match: matched,
            });
            continue;
        }
        for fp in matched {
            if info.applied.iter().any(|a| a.fingerprint == fp) {
                continue;
            }
            if let Some(f) = report.findings.iter_mut().find(|f| f.fingerprint == fp) {
                f.status = Status::Accepted;
            }
            info.applied.push(AppliedSuppression {
                fingerprint: fp,
                reason: e.reason.clone(),
                expires: e.expires.clone(),
                entry: i + 1,
            });
        }
    }
    report.suppressions = Some(info);
    report.refresh_failed();
}

/// Matches `text` against an endpoint pattern ([`crate::pattern::PathPattern`]).
fn wildcard_match(pattern: &str, text: &str) -> bool {
    crate::pattern::PathPattern::new(pattern).is_ok_and(|p| p.matches(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Evidence, Severity};
    use crate::request::FailOn;

    fn finding(check: &str, endpoint: &str, severity: Severity) -> Finding {
        Finding {
            id: String::new(),
            severity,
            confidence: Default::default(),
            title: format!("{check} title"),
            owasp: "API8".into(),
            cwe: "CWE-693".into(),
            endpoint: endpoint.into(),
            risk_score: 50,
            status: Status::Open,
            evidence: Evidence::default(),
            remediation: String::new(),
            check: check.into(),
            fingerprint: crate::findings::fingerprint(check, endpoint, ""),
        }
    }

    fn report(findings: Vec<Finding>) -> ScanReport {
        let mut r = ScanReport {
            findings,
            ..Default::default()
        };
        r.scan.fail_on = FailOn::High;
        r.refresh_failed();
        r
    }

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("GET /users/{id}", "GET /users/{id}"));
        assert!(wildcard_match("GET /internal/*", "GET /internal/a/b"));
        assert!(wildcard_match("* /internal/*", "POST /internal/x"));
        assert!(wildcard_match("GET /a?c", "GET /abc"));
        assert!(!wildcard_match("GET /internal/*", "GET /public/x"));
        assert!(!wildcard_match("GET /a", "GET /ab"));
    }

    #[test]
    fn baseline_splits_new_unchanged_absent_and_only_new_fail() {
        let old = report(vec![
            finding("A", "GET /a", Severity::High),
            finding("B", "GET /b", Severity::High),
        ]);
        let mut now = report(vec![
            finding("A", "GET /a", Severity::High),
            finding("C", "GET /c", Severity::Low),
        ]);
        assert!(
            now.summary.failed,
            "the known high finding fails without a baseline"
        );
        apply_baseline(&mut now, &old);
        let b = now.baseline.as_ref().unwrap();
        assert_eq!(b.unchanged, vec![fingerprint_of("A", "GET /a")]);
        assert_eq!(b.new, vec![fingerprint_of("C", "GET /c")]);
        assert_eq!(b.absent.len(), 1);
        assert_eq!(b.absent[0].check, "B");
        assert!(
            !now.summary.failed,
            "only the new low finding is left: no failure at high"
        );
        assert!(now.fails(Some(Severity::Low)));
        assert_eq!(
            now.baseline_state(&now.findings[0]),
            Some(BaselineState::Unchanged)
        );

        // A new high finding fails again.
        let mut worse = report(vec![
            finding("A", "GET /a", Severity::High),
            finding("D", "GET /d", Severity::High),
        ]);
        apply_baseline(&mut worse, &old);
        assert!(worse.summary.failed);
        assert_eq!(worse.failing(Some(Severity::High)).count(), 1);
    }

    #[test]
    fn fail_on_counts_firm_and_certain_findings_by_default() {
        use crate::findings::Confidence;
        let tentative =
            finding("A", "GET /a", Severity::Critical).with_confidence(Confidence::Tentative);
        let r = report(vec![tentative.clone()]);
        assert!(!r.summary.failed, "a tentative finding alone does not fail");
        let r = report(vec![
            tentative.clone(),
            finding("B", "GET /b", Severity::High).with_confidence(Confidence::Certain),
        ]);
        assert!(r.summary.failed);
        assert_eq!(r.failing(Some(Severity::High)).count(), 1);
        let mut r = report(vec![tentative]);
        r.scan.fail_on_confidence = Confidence::Tentative;
        r.refresh_failed();
        assert!(r.summary.failed, "--fail-on-confidence tentative counts it");
        r.scan.fail_on_confidence = Confidence::Certain;
        r.refresh_failed();
        assert!(!r.summary.failed);
    }

    fn fingerprint_of(check: &str, endpoint: &str) -> String {
        crate::findings::fingerprint(check, endpoint, "")
    }

    #[test]
    fn suppressions_accept_matching_findings_until_they_expire() {
        let text = r#"
suppressions:
  - check: nat-api8-security-headers
    endpoint: "GET /internal/*"
    reason: the gateway adds the headers
    expires: 2030-01-31
  - fingerprint: FP-NOT-PRESENT
    reason: old
    expires: 2020-01-01
"#;
        let s = parse_suppressions(text, ".natignore.yaml").unwrap();
        assert_eq!(s.entries.len(), 2);
        let base = report(vec![
            finding(
                "NAT-API8-SECURITY-HEADERS",
                "GET /internal/x",
                Severity::High,
            ),
            finding("NAT-API8-SECURITY-HEADERS", "GET /public/x", Severity::Low),
        ]);

        let mut r = base.clone();
        apply_suppressions(&mut r, &s, day("2030-01-31"));
        assert_eq!(
            r.findings[0].status,
            Status::Accepted,
            "expiry day is inclusive"
        );
        assert_eq!(r.findings[1].status, Status::Open);
        assert!(
            !r.summary.failed,
            "the accepted high finding no longer fails the scan"
        );
        let info = r.suppressions.as_ref().unwrap();
        assert_eq!(info.applied.len(), 1);
        assert_eq!(info.applied[0].reason, "the gateway adds the headers");
        assert_eq!(r.suppression_of(&r.findings[0]).map(|a| a.entry), Some(1));
        assert_eq!(info.stale.len(), 1, "the 2020 entry is stale");
        assert!(
            r.warnings
                .iter()
                .any(|w| w.starts_with("stale suppression: entry 2")),
            "{:?}",
            r.warnings
        );

        let mut later = base.clone();
        apply_suppressions(&mut later, &s, day("2030-02-01"));
        assert_eq!(
            later.findings[0].status,
            Status::Open,
            "expired entries suppress nothing"
        );
        assert!(later.summary.failed);
        let stale = &later.suppressions.as_ref().unwrap().stale;
        assert_eq!(stale.len(), 2);
        assert_eq!(
            stale[0].would_match,
            vec![base.findings[0].fingerprint.clone()]
        );
        assert!(later
            .warnings
            .iter()
            .any(|w| w.contains("no longer hides 1 finding")));
    }

    #[test]
    fn suppression_files_are_validated() {
        let list = "- check: X\n  reason: because\n";
        assert_eq!(parse_suppressions(list, "f").unwrap().entries.len(), 1);
        assert!(parse_suppressions("", "f").unwrap().entries.is_empty());
        let no_reason = "- check: X\n";
        assert!(matches!(
            parse_suppressions(no_reason, "f"),
            Err(SuppressionError::Invalid { .. })
        ));
        let empty_reason = "- check: X\n  reason: ' '\n";
        assert!(matches!(
            parse_suppressions(empty_reason, "f"),
            Err(SuppressionError::Entry { index: 1, .. })
        ));
        let matches_all = "- reason: everything\n";
        assert!(matches!(
            parse_suppressions(matches_all, "f"),
            Err(SuppressionError::Entry { .. })
        ));
        let bad_date = "- check: X\n  reason: r\n  expires: 31/01/2030\n";
        let err = parse_suppressions(bad_date, "f").unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
        let unknown = "suppressions:\n  - check: X\n    reason: r\n    typo: 1\n";
        assert!(parse_suppressions(unknown, "f").is_err());
        let missing = load_suppressions("/nonexistent/.natignore.yaml").unwrap_err();
        assert!(matches!(missing, SuppressionError::Read { .. }));
    }
}
