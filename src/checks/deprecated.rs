//! API9 deprecated operations still served: an operation the description marks `deprecated: true`
//! answers the user's request with a 2xx. Passive: it reads the baseline exchange only.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use async_trait::async_trait;

/// The check.
pub struct DeprecatedServed;

static META: CheckMeta = CheckMeta {
    id: "NAT-API9-DEPRECATED-SERVED",
    title: "Improper Inventory Management: a deprecated operation is still served",
    short_title: "deprecated operation served",
    owasp: "API9",
    cwe: "CWE-1059",
    severity: Severity::Low,
    confidence: Confidence::Certain,
    description: "The description marks the operation deprecated, yet it still does its work: old \
                  versions stay reachable, outside the care the current ones get.",
    remediation: "Retire deprecated operations on a published schedule: answer 410 Gone (or remove \
                  them) once clients had time to move, and until then give them the same protection \
                  as the current ones.",
};

#[async_trait]
impl Check for DeprecatedServed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            target.op.deprecated,
            "the description does not mark it deprecated",
        )?;
        super::baseline_succeeded(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        vec![META.finding(
            target,
            META.severity,
            "deprecated",
            ctx.evidence(target.baseline),
            RiskFactors::default(),
        )]
    }
}
