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
use std::borrow::Cow;

/// Why a check does not test an operation, in words for the reader of a report ("not a GET",
/// "baseline answered 404, not 2xx").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    reason: Cow<'static, str>,
    blocked: bool,
}

impl Skip {
    /// The check is not made for such an operation ("not a GET", "not a login").
    pub fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        Skip {
            reason: reason.into(),
            blocked: false,
        }
    }

    /// The check is made for such an operation, but something it needs is missing: the user's own
    /// request was refused, no user B, a control not refused.
    pub fn blocked(reason: impl Into<Cow<'static, str>>) -> Self {
        Skip {
            reason: reason.into(),
            blocked: true,
        }
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// True for a check kept from an operation it is made for (see [`Skip::blocked`]).
    pub fn is_blocked(&self) -> bool {
        self.blocked
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Whether a check applies to an operation: `Ok`, or why not.
pub type Applies = Result<(), Skip>;

/// `Ok` when `condition` holds, else a [`Skip::new`] (not made for such an operation) for `reason`.
pub fn ensure(condition: bool, reason: &'static str) -> Applies {
    if condition {
        Ok(())
    } else {
        Err(Skip::new(reason))
    }
}

/// Why the user's own request (the baseline) got no answer, as a skip reason.
fn no_answer(target: &Target<'_>) -> Skip {
    if logout::is_logout_operation(target.op) {
        Skip::new("a logout is never sent with the scan's session, so there is no baseline")
    } else {
        match &target.baseline.error {
            Some(e) => Skip::blocked(format!("baseline got no answer ({e})")),
            None => Skip::blocked("baseline got no answer"),
        }
    }
}

/// `Ok` when the user's own request (the baseline) was answered at all.
pub fn baseline_answered(target: &Target<'_>) -> Applies {
    match &target.baseline.response {
        Some(_) => Ok(()),
        None => Err(no_answer(target)),
    }
}

/// `Ok` when the user's own request (the baseline) was answered 2xx; else its status or why no answer
/// came.
pub fn baseline_succeeded(target: &Target<'_>) -> Applies {
    match &target.baseline.response {
        Some(r) if r.is_success() => Ok(()),
        Some(r) => Err(Skip::blocked(format!(
            "baseline answered {}, not 2xx",
            r.status
        ))),
        None => Err(no_answer(target)),
    }
}

/// `Ok` when the description requires a credential for the operation (or nat inferred that it does).
pub fn requires_auth(target: &Target<'_>) -> Applies {
    ensure(
        target.op.requires_auth(),
        "the description requires no credential for it",
    )
}

/// `Ok` for a `GET`.
pub fn is_get(target: &Target<'_>) -> Applies {
    ensure(target.op.method == "GET", "not a GET")
}

/// The skip reason of a check whose control request was not refused: `what` was answered (or got no
/// answer), so the check's own probe would prove nothing.
pub fn not_refused(what: &str, control: &crate::http::Exchange) -> String {
    match control.status() {
        Some(status) => format!("control: {what} was answered {status}, not refused (401/403)"),
        None => format!("control: {what} got no answer"),
    }
}

/// The skip reason of a check that needs a parameter or body field to put other values in.
pub const NO_SLOTS: &str = "no parameter or body field to put other values in";

/// The skip reason of a login check on an operation that is no login.
pub const NOT_A_LOGIN: &str =
    "not a login (a POST named like one, with an account field and a password field)";

/// The skip reason of a check whose attempt the API refused as malformed (413, 415, 422, a 400
/// listing validation problems): no attempt reached the operation's work.
pub fn refused_as_invalid(resp: &crate::http::RecordedResponse) -> String {
    format!(
        "the API refused nat's attempt as invalid ({}), so no attempt reached the operation",
        resp.status
    )
}

/// How an exchange was answered when it should have been a 2xx `wanted`: `answered 404, not a JSON
/// object`, `got no answer`.
pub fn answered(ex: &crate::http::Exchange, wanted: &str) -> String {
    match ex.status() {
        Some(status) => format!("answered {status}, not {wanted}"),
        None => "got no answer".into(),
    }
}

/// The skip reason of a check that needs user B.
pub const NO_USER_B: &str = "no user B credentials (--auth-b-…, auth_b in the config)";

/// The skip reason of a check that needs the scan's user to have credentials.
pub const NO_CREDENTIALS: &str =
    "the scan's user has no credentials (--auth-…, auth in the config)";

/// The skip reason of a check that needs the user's bearer token.
pub const NO_BEARER: &str = "the user's credential is not a bearer token";

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
    /// Whether the check applies to an operation whose baseline exchange is known, or why not (for the
    /// report's coverage). Pure and cheap.
    fn applies(&self, target: &Target<'_>) -> Applies;
    /// Probes the operation; returns what it proved (nothing when it proved nothing).
    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding>;
    /// True for a check that sends a burst of requests to one operation (`options.noisy_checks:
    /// false`, `--no-noisy-checks` leave it out).
    fn noisy(&self) -> bool {
        false
    }
    /// False for a check the engine runs once per scan rather than on each operation: the coverage
    /// of operations does not list it.
    fn per_operation(&self) -> bool {
        true
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
