//! Findings: what a check proved, with the exchange that proves it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lower-case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The base of the risk score for this severity (see [`risk_score`]).
    pub fn base_score(self) -> u8 {
        match self {
            Severity::Critical => 90,
            Severity::High => 70,
            Severity::Medium => 45,
            Severity::Low => 20,
            Severity::Info => 0,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure nat is of a finding, independent of how bad it is. Ordered: `Tentative < Firm < Certain`.
///
/// - `certain`: the exchange proves the flaw by itself, with no interpretation (a forged token
///   accepted, a write read back, a header missing, a boolean SQL differential confirmed).
/// - `firm`: strong evidence that rests on a comparison or a signature (two users' answers compared,
///   a database error text, a stack trace).
/// - `tentative`: a likely flaw nat could not fully prove (one identity only, a heuristic match).
///
/// `--fail-on` counts `certain` and `firm` findings by default (`--fail-on-confidence`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Tentative,
    #[default]
    Firm,
    Certain,
}

impl Confidence {
    /// All levels, most certain first.
    pub const ALL: [Confidence; 3] = [Confidence::Certain, Confidence::Firm, Confidence::Tentative];

    /// The lower-case name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Tentative => "tentative",
            Confidence::Firm => "firm",
            Confidence::Certain => "certain",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Triage status of a finding. A scan reports `open`; users move it to `resolved` or `accepted`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Open,
    Resolved,
    Accepted,
}

/// The exchange that proves a finding, as raw HTTP text with secrets redacted and bodies capped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub request: String,
    pub response: String,
}

/// One proven issue, with exactly the fields of the REST contract plus `check` and `fingerprint`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `find_001`, … numbered in report order.
    pub id: String,
    pub severity: Severity,
    /// How sure nat is (reports written before confidence existed read as `firm`).
    #[serde(default)]
    pub confidence: Confidence,
    pub title: String,
    /// OWASP API Security Top 10 (2023) category, `API1` … `API10`.
    pub owasp: String,
    /// `CWE-639`, …
    pub cwe: String,
    /// `METHOD /path/template`.
    pub endpoint: String,
    /// 0–100; see [`risk_score`].
    pub risk_score: u8,
    pub status: Status,
    pub evidence: Evidence,
    pub remediation: String,
    /// Id of the check that proved it, e.g. `NAT-API2-AUTH-BYPASS`.
    pub check: String,
    /// Stable across runs: same check, same operation, same place → same fingerprint.
    pub fingerprint: String,
}

impl Finding {
    /// The same finding with another confidence (for a check whose proof is stronger or weaker in
    /// one case than its usual one).
    pub fn with_confidence(mut self, confidence: Confidence) -> Finding {
        self.confidence = confidence;
        self
    }
}

/// What makes a finding more or less risky beyond its severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiskFactors {
    /// Proven without any valid credential (anonymous or forged).
    pub unauthenticated: bool,
    /// Proven on a state-changing method (POST, PUT, PATCH, DELETE).
    pub state_changing: bool,
}

/// The risk score: the severity's base (critical 90, high 70, medium 45, low 20, info 0), plus 8 when
/// the issue is exploitable without valid credentials, plus 2 on a state-changing method; at most 100.
pub fn risk_score(severity: Severity, factors: RiskFactors) -> u8 {
    let mut score = severity.base_score() as u32;
    if factors.unauthenticated {
        score += 8;
    }
    if factors.state_changing {
        score += 2;
    }
    score.min(100) as u8
}

/// A stable fingerprint: the first 16 bytes (hex) of SHA-256 over the check id, the endpoint and a
/// check-specific location (a parameter name, a header). Nothing that changes between runs (ports,
/// payloads, response bodies) goes in.
pub fn fingerprint(check: &str, endpoint: &str, location: &str) -> String {
    let mut h = Sha256::new();
    for part in [check, endpoint, location] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..16])
}

/// Orders findings for reports: most severe first, then by endpoint and check; then numbers them.
pub fn sort_and_number(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.risk_score.cmp(&a.risk_score))
            .then_with(|| a.endpoint.cmp(&b.endpoint))
            .then_with(|| a.check.cmp(&b.check))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    });
    for (i, f) in findings.iter_mut().enumerate() {
        f.id = format!("find_{:03}", i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
    }

    #[test]
    fn confidence_orders_and_defaults_to_firm() {
        assert!(Confidence::Certain > Confidence::Firm);
        assert!(Confidence::Firm > Confidence::Tentative);
        assert_eq!(Confidence::default(), Confidence::Firm);
        assert_eq!(
            serde_json::to_string(&Confidence::Tentative).unwrap(),
            "\"tentative\""
        );
    }

    #[test]
    fn risk_score_formula() {
        assert_eq!(risk_score(Severity::High, RiskFactors::default()), 70);
        let all = RiskFactors {
            unauthenticated: true,
            state_changing: true,
        };
        assert_eq!(risk_score(Severity::High, all), 80);
        assert_eq!(risk_score(Severity::Critical, all), 100);
    }

    #[test]
    fn fingerprint_is_stable_and_distinct() {
        let a = fingerprint("C", "GET /a", "q");
        assert_eq!(a, fingerprint("C", "GET /a", "q"));
        assert_ne!(a, fingerprint("C", "GET /a", "r"));
        assert_ne!(
            fingerprint("C", "GET /ab", ""),
            fingerprint("C", "GET /a", "b")
        );
        assert_eq!(a.len(), 32);
    }
}
