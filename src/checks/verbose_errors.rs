//! API8 verbose errors: stack traces, framework or SQL error text in an answer to a malformed request.

use super::signatures::{has_sql_error, has_stack_trace};
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Body, Exchange, Who};
use crate::synth::schema_type;
use async_trait::async_trait;
use serde_json::json;

/// The check.
pub struct VerboseErrors;

static META: CheckMeta = CheckMeta {
    id: "NAT-API8-VERBOSE-ERRORS",
    title: "Security Misconfiguration: verbose error reveals internals",
    short_title: "error reveals internals",
    owasp: "API8",
    cwe: "CWE-209",
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    description: "An answer carried a stack trace, framework error page or database error message, which \
                  tells an attacker the stack, file layout, queries and where input reaches them.",
    remediation: "Return a generic error body (e.g. RFC 7807 problem details without internals) to clients, \
                  log the details server-side, and turn off debug/development error pages in production.",
};

fn leaks(ex: &Exchange) -> bool {
    ex.response.as_ref().is_some_and(|r| {
        let text = r.text();
        has_stack_trace(&text) || has_sql_error(&text)
    })
}

#[async_trait]
impl Check for VerboseErrors {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::baseline_answered(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let finding = |ex: &Exchange, location: &str| {
            vec![META.finding(
                target,
                META.severity,
                location,
                ctx.evidence(ex),
                RiskFactors::default(),
            )]
        };
        if leaks(target.baseline) {
            return finding(target.baseline, "");
        }
        // Values of the wrong type where the description wants numbers, booleans, arrays or objects.
        for (slot, schema) in target.probe_slots() {
            if ctx.should_stop() {
                return vec![];
            }
            let typed = schema.and_then(schema_type).is_some_and(|t| t != "string");
            if !typed {
                continue;
            }
            let req = target
                .values
                .with(&slot, json!("nat-invalid"))
                .render(target.op);
            let ex = ctx.send(&Who::User, &req).await;
            if leaks(&ex) {
                return finding(&ex, "");
            }
        }
        // A body that is not JSON at all where JSON is expected.
        if let Some(body) = &target.request.body {
            if body.content_type.contains("json") && !ctx.should_stop() {
                let mut req = target.request.clone();
                req.body = Some(Body {
                    content_type: body.content_type.clone(),
                    bytes: b"{\"nat\": ".to_vec(),
                });
                let ex = ctx.send(&Who::User, &req).await;
                if leaks(&ex) {
                    return finding(&ex, "");
                }
            }
        }
        vec![]
    }
}
