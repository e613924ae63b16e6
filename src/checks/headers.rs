//! API8 missing security headers on authenticated answers: `X-Content-Type-Options: nosniff` and
//! `Cache-Control: no-store`. Passive: it reads the baseline exchange only.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use async_trait::async_trait;

/// The check.
pub struct SecurityHeaders;

static META: CheckMeta = CheckMeta {
    id: "NAT-API8-SECURITY-HEADERS",
    title: "Security Misconfiguration: authenticated response lacks nosniff or no-store",
    short_title: "no nosniff or no-store",
    owasp: "API8",
    cwe: "CWE-693",
    severity: Severity::Low,
    confidence: Confidence::Certain,
    description: "An authenticated answer came without `X-Content-Type-Options: nosniff` (browsers may \
                  sniff it into an executable type) or without `Cache-Control: no-store` (shared and \
                  browser caches may keep the user's data).",
    remediation: "Send `X-Content-Type-Options: nosniff` and `Cache-Control: no-store` on every response \
                  that carries user data, from one place (middleware).",
};

/// What is missing from an answer's headers, if anything.
pub fn missing(resp: &crate::http::RecordedResponse) -> Vec<&'static str> {
    let mut out = Vec::new();
    if !resp
        .header("x-content-type-options")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
    {
        out.push("X-Content-Type-Options: nosniff");
    }
    let no_store = resp
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("cache-control"))
        .any(|(_, v)| {
            v.split(',')
                .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
        });
    if !no_store {
        out.push("Cache-Control: no-store");
    }
    out
}

#[async_trait]
impl Check for SecurityHeaders {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::requires_auth(target)?;
        super::baseline_succeeded(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        if !ctx.http.user_has_credentials() {
            ctx.skipped(target, &META, super::NO_CREDENTIALS);
            return vec![];
        }
        let Some(resp) = &target.baseline.response else {
            return vec![];
        };
        if missing(resp).is_empty() {
            return vec![];
        }
        vec![META.finding(
            target,
            META.severity,
            "",
            ctx.evidence(target.baseline),
            RiskFactors::default(),
        )]
    }
}
