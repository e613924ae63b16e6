//! API1 BOLA on writes: user B changes or deletes an object of user A.
//!
//! Only on objects nat created itself as user A for the purpose (see
//! [`ScanContext::create_object`]), never on real data: nat creates a fresh object, reads it as A,
//! sends the write as B, and reads it again as A. A finding needs the effect: A's read-back shows the
//! value B wrote (a change) or the object gone (a deletion) — `certain`. A 2xx to B without an effect
//! proves nothing and is not reported.

use super::{Applies, Check, CheckMeta};
use crate::engine::{listing_has, object_param, reader_of, write_took_effect, ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::Who;
use crate::spec::{Operation, ParamLocation};
use crate::synth::{RequestValues, Slot};

use async_trait::async_trait;
use serde_json::Value;

/// The check.
pub struct BolaWrite;

static META: CheckMeta = CheckMeta {
    id: "NAT-API1-BOLA-WRITE",
    title: "Broken Object Level Authorization: another user can change or delete the object",
    short_title: "other user can change/delete",
    owasp: "API1",
    cwe: "CWE-639",
    severity: Severity::Critical,
    confidence: Confidence::Certain,
    description:
        "A second user changed or deleted an object that belongs to the first user, and the \
                  owner's own read-back shows the effect.",
    remediation:
        "Check on every write that the object belongs to the caller (or that the caller may \
                  act on it), in the data access layer, and answer 404 otherwise.",
};

/// A string nat writes as user B, recognisable in the owner's read-back.
const MARKER: &str = "nat-bola-write-probe";

/// The values with every string body field set to the marker (inside the one object wrapping the
/// body, as in `{"article": {…}}`); `None` when the body has none.
fn marked(values: &RequestValues) -> Option<RequestValues> {
    fn mark(map: &mut serde_json::Map<String, Value>, depth: usize) -> bool {
        let mut any = false;
        for v in map.values_mut() {
            if v.is_string() {
                *v = Value::String(MARKER.into());
                any = true;
            }
        }
        if !any && depth == 0 && map.len() == 1 {
            if let Some(Value::Object(inner)) = map.values_mut().next() {
                return mark(inner, 1);
            }
        }
        any
    }
    let mut out = values.clone();
    let Some(Value::Object(body)) = out.body.as_mut() else {
        return None;
    };
    mark(body, 0).then_some(out)
}

#[async_trait]
impl Check for BolaWrite {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            matches!(target.op.method.as_str(), "PUT" | "PATCH" | "DELETE"),
            "not a PUT, PATCH or DELETE",
        )?;
        super::ensure(
            target.created_by_nat,
            "not a write on an object nat created for the scan (only those are written as user B)",
        )?;
        super::baseline_succeeded(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        if !ctx.http.has_user_b() || ctx.should_stop() {
            ctx.skipped(target, &META, super::NO_USER_B);
            return vec![];
        }
        let op = target.op;
        // The owner reads the object back, or its collection when there is no read of one object.
        let Some((read_op, listing)) = reader_of(&ctx.spec, op) else {
            ctx.skipped(
                target,
                &META,
                "no GET on the object's path or its collection to read the object back",
            );
            return vec![];
        };
        let Some(param) = object_param(op) else {
            return vec![];
        };
        let delete = op.method == "DELETE";
        // A fresh object of A's: the baseline may have changed or deleted the first one.
        let Ok((values, _)) = ctx.create_object(op).await else {
            ctx.skipped(
                target,
                &META,
                "nat could not create a fresh object as user A",
            );
            return vec![];
        };
        let Some(id) = values
            .get(&Slot::Param(ParamLocation::Path, param.clone()))
            .cloned()
        else {
            return vec![];
        };
        let write_values = if delete {
            values.clone()
        } else {
            match marked(&values) {
                Some(v) => v,
                None => {
                    ctx.skipped(
                        target,
                        &META,
                        "the write's body has no string field to mark",
                    );
                    return vec![];
                }
            }
        };
        let read = read_op_values(read_op, &values).render(read_op);
        let before = ctx.send(&Who::User, &read).await;
        let listed_before = !listing || listing_has(&before, &param, &id) == Some(true);
        if !before.is_success()
            || !listed_before
            || before
                .response
                .as_ref()
                .is_some_and(|r| r.text().contains(MARKER))
        {
            return vec![];
        }
        let attack = ctx.send(&Who::UserB, &write_values.render(op)).await;
        if !attack.is_success() || ctx.should_stop() {
            return vec![];
        }
        let after = ctx.send(&Who::User, &read).await;
        let took_effect = if listing && delete {
            listing_has(&after, &param, &id) == Some(false)
        } else {
            write_took_effect(delete, &after, MARKER)
        };
        if !took_effect {
            return vec![];
        }
        let what = if delete { "delete" } else { "change" };
        let stored = if delete {
            "gone"
        } else {
            "B's value is stored"
        };
        let evidence = ctx.labelled_evidence(&[
            (
                &format!("1. user B: {what} user A's object (created by nat as A)"),
                &attack,
            ),
            (
                &format!(
                    "2. user A reads it back{}: {stored}",
                    if listing { " in the listing" } else { "" }
                ),
                &after,
            ),
        ]);
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: true,
        };
        vec![META.finding(target, META.severity, "user_b", evidence, factors)]
    }
}

/// The read operation's values pointing at the same object: its path parameters taken from the
/// write's values.
fn read_op_values(read_op: &Operation, write: &RequestValues) -> RequestValues {
    let mut values = RequestValues::valid(read_op);
    for (loc, name, value) in &write.params {
        if *loc == crate::spec::ParamLocation::Path {
            values = values.with(&Slot::Param(*loc, name.clone()), value.clone());
        }
    }
    values
}
