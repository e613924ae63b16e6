//! Robustness: a server error (5xx) in answer to input that violates the description's schema (wrong
//! types, values past their bounds, oversized strings).

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::Who;
use crate::synth::schema_violations;
use async_trait::async_trait;

/// The check.
pub struct Robustness;

static META: CheckMeta = CheckMeta {
    id: "NAT-API8-UNHANDLED-INPUT",
    title: "Improper Input Validation: server error on schema-violating input",
    short_title: "server error on bad input",
    owasp: "API8",
    cwe: "CWE-20",
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    description:
        "The API answered a server error (5xx) to input that its own description forbids, instead \
                  of rejecting it with a 4xx: the input reached code that does not expect it.",
    remediation:
        "Validate every parameter and body field against the schema (type, bounds, length, enum) \
                  before using it, and answer 400 with a problem description on violation.",
};

/// Most schema-violating requests sent to one operation.
const MAX_PROBES: usize = 16;

#[async_trait]
impl Check for Robustness {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(!target.probe_slots().is_empty(), super::NO_SLOTS)?;
        match target.baseline.status() {
            Some(s) if s >= 500 => Err(super::Skip::blocked(format!(
                "baseline answered {s}, a server error already"
            ))),
            Some(_) => Ok(()),
            None => super::baseline_answered(target),
        }
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let mut sent = 0;
        for (slot, schema) in target.probe_slots() {
            for m in schema_violations(schema) {
                if sent >= MAX_PROBES || ctx.should_stop() {
                    return vec![];
                }
                sent += 1;
                let req = target.values.with(&slot, m.value).render(target.op);
                let ex = ctx.send(&Who::User, &req).await;
                if ex.status().is_some_and(|s| s >= 500) {
                    // A server error once may be chance; twice is the input.
                    let again = ctx.send(&Who::User, &req).await;
                    if again.status().is_some_and(|s| s >= 500) {
                        let factors = RiskFactors {
                            unauthenticated: false,
                            state_changing: target.op.is_state_changing(),
                        };
                        return vec![META.finding(
                            target,
                            META.severity,
                            "",
                            ctx.evidence(&ex),
                            factors,
                        )];
                    }
                }
            }
        }
        vec![]
    }
}
