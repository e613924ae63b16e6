//! API5 function level authorization, undocumented methods: an object path whose description offers
//! only reads also changes or deletes the object through `PATCH`, `PUT` or `DELETE`.
//!
//! Only on an object nat created itself as the user for the purpose (through the collection's
//! `POST`), never on real data, and never with `--safe`. A finding needs the effect, seen by the
//! owner's read-back: the value nat wrote is stored, or the object is gone — `certain`.

use super::{Applies, Check, CheckMeta};
use crate::engine::{write_took_effect, ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Body, RequestSpec, Who};
use crate::request::Safety;
use async_trait::async_trait;
use serde_json::Value;

/// The check.
pub struct UndocumentedMethod;

static META: CheckMeta = CheckMeta {
    id: "NAT-API5-UNDOCUMENTED-METHOD",
    title: "Broken Function Level Authorization: undocumented method changes or deletes the object",
    short_title: "undocumented method works",
    owasp: "API5",
    cwe: "CWE-749",
    severity: Severity::Medium,
    confidence: Confidence::Certain,
    description:
        "The API description offers only reads on this object, but the API also changed or \
                  deleted it through a method the description does not document: a function nobody \
                  reviewed, tested or meant to expose.",
    remediation:
        "Serve only the methods the API is meant to offer (answer 405 to the others), and \
                  document and authorize every method that is served.",
};

/// A string nat writes, recognisable in the read-back.
const MARKER: &str = "nat-undocumented-method-probe";

/// The object's JSON with every string field but identifiers set to the marker.
fn marked(object: &serde_json::Map<String, Value>) -> Option<Value> {
    let mut out = serde_json::Map::new();
    for (k, v) in object {
        let id_like = k == "id" || k.ends_with("_id") || k.ends_with("Id");
        if v.is_string() && !id_like {
            out.insert(k.clone(), Value::String(MARKER.into()));
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

#[async_trait]
impl Check for UndocumentedMethod {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        // The baseline does not matter: the check reads an object it creates itself.
        super::is_get(target)?;
        super::ensure(
            target.op.path.ends_with('}'),
            "the path does not end in an object's parameter (`/things/{id}`)",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        if ctx.safety == Safety::Safe {
            ctx.skipped(
                target,
                &META,
                "it writes to objects it creates, and --safe sends only reads",
            );
            return vec![];
        }
        let op = target.op;
        let documented: Vec<&str> = ctx
            .spec
            .operations
            .iter()
            .filter(|o| o.path == op.path)
            .map(|o| o.method.as_str())
            .collect();
        if ["PATCH", "PUT", "DELETE"]
            .iter()
            .all(|m| documented.contains(m))
        {
            ctx.skipped(
                target,
                &META,
                "PATCH, PUT and DELETE are all documented on the path",
            );
        }
        let mut findings = Vec::new();
        for method in ["PATCH", "PUT", "DELETE"] {
            if documented.contains(&method) || ctx.should_stop() {
                continue;
            }
            // A fresh object of the user's for each method; `create_object` needs a write operation
            // on the path, so ask with the method being tried.
            let mut probe_op = op.clone();
            probe_op.method = method.into();
            let (values, _) = match ctx.create_object(&probe_op).await {
                Ok(created) => created,
                Err(why) => {
                    let reason = if crate::engine::creator_of(&ctx.spec, &probe_op).is_none() {
                        format!(
                            "the description has no operation to create an object of its own to \
                             try {method} on"
                        )
                    } else {
                        format!("no object of its own to try {method} on: {why}")
                    };
                    ctx.skipped(target, &META, reason);
                    return findings;
                }
            };
            let read = values.render(op);
            let before = ctx.send(&Who::User, &read).await;
            let Some(Value::Object(object)) = before
                .response
                .as_ref()
                .filter(|r| r.is_success())
                .and_then(|r| r.json())
            else {
                continue;
            };
            let mut write = RequestSpec {
                method: method.into(),
                ..read.clone()
            };
            if method != "DELETE" {
                let body = if method == "PUT" {
                    let mut full = object.clone();
                    if let Some(Value::Object(m)) = marked(&object) {
                        full.extend(m);
                    }
                    Value::Object(full)
                } else {
                    match marked(&object) {
                        Some(v) => v,
                        None => continue,
                    }
                };
                write.body = Some(Body {
                    content_type: "application/json".into(),
                    bytes: body.to_string().into_bytes(),
                });
            }
            let sent = ctx.send(&Who::User, &write).await;
            if !sent.is_success() {
                continue;
            }
            let after = ctx.send(&Who::User, &read).await;
            if !write_took_effect(method == "DELETE", &after, MARKER) {
                continue;
            }
            let stored = if method == "DELETE" {
                "gone"
            } else {
                "the written value is stored"
            };
            let evidence = ctx.labelled_evidence(&[
                (
                    &format!(
                        "1. {method}, which the description does not offer on {}, on an object nat created",
                        op.path
                    ),
                    &sent,
                ),
                (&format!("2. the owner reads it back: {stored}"), &after),
            ]);
            let factors = RiskFactors {
                unauthenticated: false,
                state_changing: true,
            };
            let mut finding = META.finding(target, META.severity, method, evidence, factors);
            // The proven method is what is vulnerable, so it is the endpoint (one row per method).
            // The fingerprint stays that of the documented read with the method as its place:
            // distinct per method and the same as before, so baselines keep matching.
            finding.endpoint = format!("{method} {}", op.path);
            findings.push(finding);
        }
        findings
    }
}
