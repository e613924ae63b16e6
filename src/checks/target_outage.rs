//! API4 unrestricted resource consumption, seen by its effect: the target stopped answering right
//! after one of nat's requests. The findings come from the HTTP layer's outage watch
//! ([`crate::http::outage`]), not from a probe of their own: any check's input can be the one that
//! takes a target down (a huge integer, a deep structure, a long string), and nat reports it instead
//! of skipping every operation while the target restarts.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::outage::{Outage, MAX_OUTAGE};
use crate::http::Exchange;
use async_trait::async_trait;

/// The check (its findings come from the engine's outage watch).
pub struct TargetOutage;

/// What the check is.
pub static META: CheckMeta = CheckMeta {
    id: "NAT-API4-TARGET-OUTAGE",
    title: "Unrestricted Resource Consumption: one request took the target down",
    short_title: "request took the target down",
    owasp: "API4",
    cwe: "CWE-400",
    severity: Severity::High,
    confidence: Confidence::Tentative,
    description: "Right after this request the target stopped answering every request (refused, \
                  reset or timed out) until it came back, or not at all: the input exhausted a \
                  resource (memory, CPU, a worker) and denied service to everyone. Firm when the \
                  same request was followed by an outage twice.",
    remediation: "Bound every input the server allocates or loops on (integer ranges, string \
                  lengths, nesting depth, page sizes), run expensive work with time and memory \
                  limits, and keep one request from stalling the workers that serve the others.",
};

#[async_trait]
impl Check for TargetOutage {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    /// Never on its own: [`findings`] turns the watch's outages into findings at the end.
    fn applies(&self, _target: &Target<'_>) -> Applies {
        Err(super::Skip::new(
            "found by the engine from the target's outages, not on one operation",
        ))
    }

    fn per_operation(&self) -> bool {
        false
    }

    async fn run(&self, _ctx: &ScanContext, _target: &Target<'_>) -> Vec<Finding> {
        Vec::new()
    }
}

/// One finding per request that was followed by an outage (firm when it was twice), with the request
/// as `evidence` renders it.
pub fn findings(outages: &[Outage], evidence: impl Fn(&Exchange) -> Evidence) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for o in outages {
        let seen = format!("{} {}", o.after.method, o.after.url);
        let what = if o.recovered {
            format!(
                "the target stopped answering after this request and came back {:.1} s later",
                o.lasted.as_secs_f64()
            )
        } else {
            format!(
                "the target stopped answering after this request and did not come back within {} s",
                MAX_OUTAGE.as_secs()
            )
        };
        let ex = Exchange {
            request: o.after.clone(),
            error: Some(what.clone()),
            ..Default::default()
        };
        let mut e = evidence(&ex);
        e.request = format!("# {what} (outage {} after it)\n{}", o.times, e.request);
        let mut f = META.finding_at(
            o.operation.clone(),
            META.severity,
            &seen,
            e,
            RiskFactors::default(),
        );
        if o.times >= 2 {
            f = f.with_confidence(Confidence::Firm);
        }
        match out.iter_mut().find(|x| x.fingerprint == f.fingerprint) {
            Some(existing) => *existing = f,
            None => out.push(f),
        }
    }
    out
}
