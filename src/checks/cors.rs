//! API8 CORS misconfiguration: the API lets any web origin read authenticated answers.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{RequestSpec, Who};
use async_trait::async_trait;

/// The check.
pub struct Cors;

static META: CheckMeta = CheckMeta {
    id: "NAT-API8-CORS",
    title: "Security Misconfiguration: CORS allows any origin with credentials",
    short_title: "CORS trusts any origin",
    owasp: "API8",
    cwe: "CWE-942",
    severity: Severity::Medium,
    confidence: Confidence::Certain,
    description: "The API answered a request from an arbitrary origin with Access-Control-Allow-Origin \
                  reflecting that origin (or `*`) and Access-Control-Allow-Credentials: true, so any web \
                  page a user visits can read the API's answers with the user's credentials.",
    remediation: "Allow only an explicit list of trusted origins, compare the Origin header against it \
                  exactly, and never combine credentials with a reflected or wildcard origin.",
};

/// An origin nobody owns (`.invalid` never resolves); nat only puts it in a header.
pub const PROBE_ORIGIN: &str = "https://nat-cors-probe.invalid";

#[async_trait]
impl Check for Cors {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::is_get(target)?;
        super::baseline_succeeded(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let mut req: RequestSpec = target.request.clone();
        req.headers.push(("Origin".into(), PROBE_ORIGIN.into()));
        let ex = ctx.send(&Who::User, &req).await;
        let Some(resp) = &ex.response else {
            return vec![];
        };
        let allow_origin = resp.header("access-control-allow-origin").map(str::trim);
        let credentials = resp
            .header("access-control-allow-credentials")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        let location = match allow_origin {
            Some(o) if o == PROBE_ORIGIN && credentials => "reflected-origin",
            Some("*") if credentials => "wildcard-with-credentials",
            _ => return vec![],
        };
        vec![META.finding(
            target,
            META.severity,
            location,
            ctx.evidence(&ex),
            RiskFactors::default(),
        )]
    }
}
