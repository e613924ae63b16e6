//! The check registry. Each check is one file declaring its metadata and how it probes an operation;
//! adding a check means adding a file and a line to [`CHECKS`], never touching the engine.

pub mod auth_bypass;
pub mod bfla;
pub mod bola;
mod bola_write;
mod brute_force;
mod cors;
pub mod data_exposure;
mod headers;
mod jwt;
mod jwt_expired;
pub mod jwt_weak_secret;
pub mod login;
pub mod logout;
pub mod mass_assignment;
mod rate_limit;
mod robustness;
pub mod signatures;
pub mod similarity;
mod sqli;
pub mod target_outage;
mod undocumented_data;
mod undocumented_method;
mod user_enumeration;
mod verbose_errors;

pub use auth_bypass::AuthBypass;
pub use bfla::Bfla;
pub use bola::Bola;
pub use bola_write::BolaWrite;
pub use brute_force::NoBruteForceProtection;
pub use cors::Cors;
pub use data_exposure::DataExposure;
pub use headers::SecurityHeaders;
pub use jwt::JwtUnverified;
pub use jwt_expired::JwtExpired;
pub use jwt_weak_secret::JwtWeakSecret;
pub use logout::LogoutIneffective;
pub use mass_assignment::MassAssignment;
pub use rate_limit::NoRateLimit;
pub use robustness::Robustness;
pub use sqli::SqlInjection;
pub use target_outage::TargetOutage;
pub use undocumented_data::UndocumentedData;
pub use undocumented_method::UndocumentedMethod;
pub use user_enumeration::UserEnumeration;
pub use verbose_errors::VerboseErrors;

use crate::engine::{ScanContext, Target};
use crate::findings::{
    fingerprint, risk_score, Confidence, Evidence, Finding, RiskFactors, Severity, Status,
};
use async_trait::async_trait;

/// What a check is, independent of any scan.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable id, e.g. `NAT-API2-AUTH-BYPASS`.
    pub id: &'static str,
    pub title: &'static str,
    /// The title in at most 28 characters without the category, for the terminal table.
    pub short_title: &'static str,
    /// `API1` … `API10` (OWASP API Security Top 10, 2023).
    pub owasp: &'static str,
    pub cwe: &'static str,
    pub severity: Severity,
    /// The usual confidence of the check's findings; a finding may carry another
    /// ([`Finding::with_confidence`]).
    pub confidence: Confidence,
    /// One paragraph: what the issue is.
    pub description: &'static str,
    pub remediation: &'static str,
}

impl CheckMeta {
    /// A finding of this check on `target`'s operation, proven by `evidence`. `location` tells apart
    /// several findings of one check on one operation (a parameter, a header) and goes into the
    /// fingerprint.
    pub fn finding(
        &'static self,
        target: &Target<'_>,
        severity: Severity,
        location: &str,
        evidence: Evidence,
        factors: RiskFactors,
    ) -> Finding {
        self.finding_at(target.op.endpoint(), severity, location, evidence, factors)
    }

    /// [`CheckMeta::finding`] for an endpoint named directly (findings the engine makes).
    pub fn finding_at(
        &'static self,
        endpoint: String,
        severity: Severity,
        location: &str,
        evidence: Evidence,
        factors: RiskFactors,
    ) -> Finding {
        Finding {
            id: String::new(),
            severity,
            confidence: self.confidence,
            title: self.title.to_string(),
            owasp: self.owasp.to_string(),
            cwe: self.cwe.to_string(),
            fingerprint: fingerprint(self.id, &endpoint, location),
            endpoint,
            risk_score: risk_score(severity, factors),
            status: Status::Open,
            evidence,
            remediation: self.remediation.to_string(),
            check: self.id.to_string(),
        }
    }
}

/// A check: metadata, a cheap filter and the probe.
#[async_trait]
pub trait Check: Send + Sync {
    /// What the check is.
    fn meta(&self) -> &'static CheckMeta;
    /// Whether the check applies to an operation whose baseline exchange is known. Pure and cheap.
    fn applies(&self, target: &Target<'_>) -> bool;
    /// Probes the operation; returns what it proved (nothing when it proved nothing).
    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding>;
    /// True for a check that sends a burst of requests to one operation (`options.noisy_checks:
    /// false`, `--no-noisy-checks` leave it out).
    fn noisy(&self) -> bool {
        false
    }
}

/// Every check nat has, in the order they run on an operation.
pub static CHECKS: &[&dyn Check] = &[
    &Bola,
    &BolaWrite,
    &Bfla,
    &UndocumentedMethod,
    &AuthBypass,
    &DataExposure,
    &UndocumentedData,
    &JwtUnverified,
    &JwtWeakSecret,
    &JwtExpired,
    &LogoutIneffective,
    &MassAssignment,
    &Cors,
    &SecurityHeaders,
    &VerboseErrors,
    &SqlInjection,
    &Robustness,
    &UserEnumeration,
    &NoBruteForceProtection,
    &NoRateLimit,
    &TargetOutage,
];

/// The checks selected by id (all when `ids` is empty), without the noisy ones unless `noisy`.
/// Unknown ids are an error naming them, and so is a noisy check named while `noisy` is false.
pub fn select(ids: &[String], noisy: bool) -> Result<Vec<&'static dyn Check>, String> {
    if ids.is_empty() {
        return Ok(CHECKS
            .iter()
            .copied()
            .filter(|c| noisy || !c.noisy())
            .collect());
    }
    let mut out = Vec::new();
    for id in ids {
        match CHECKS.iter().find(|c| c.meta().id.eq_ignore_ascii_case(id)) {
            Some(c) if !noisy && c.noisy() => {
                return Err(format!(
                    "check `{}` sends bursts of requests and noisy checks are switched off \
                     (options.noisy_checks: false, --no-noisy-checks): drop one of the two",
                    c.meta().id
                ));
            }
            Some(c) => out.push(*c),
            None => {
                let known: Vec<_> = CHECKS.iter().map(|c| c.meta().id).collect();
                return Err(format!(
                    "unknown check `{id}`; known checks: {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(out)
}
