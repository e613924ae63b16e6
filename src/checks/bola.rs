//! API1 broken object level authorization: user B reads an object that belongs to user A.
//!
//! Proof, all of it required: the id comes from a collection that listed it to A and not to B (so the
//! object is A's); B's answer for it is 2xx, has the shape of A's object, is no error body, and carries
//! A's identifying values (`id`, owner, email); it is not what B gets for its own object (an API that
//! ignores the id and answers "your object"); and an anonymous request does not get it (a public
//! object, or an authentication flaw that `NAT-API2-AUTH-BYPASS` reports). Only reads are probed: nat
//! never writes to an object it did not create.

use super::similarity::same_resource;
use super::{Applies, Check, CheckMeta};
use crate::engine::{is_object_id, object_param, ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{RecordedResponse, Who};
use crate::spec::ParamLocation;
use crate::synth::Slot;
use async_trait::async_trait;
use serde_json::Value;

/// The check.
pub struct Bola;

static META: CheckMeta = CheckMeta {
    id: "NAT-API1-BOLA",
    title: "Broken Object Level Authorization: another user's object is readable",
    short_title: "other user's object readable",
    owasp: "API1",
    cwe: "CWE-639",
    severity: Severity::High,
    confidence: Confidence::Firm,
    description: "An object that belongs to one user was returned to another authenticated user who \
                  asked for it by id: the API checks who the caller is, but not whether the object is \
                  theirs.",
    remediation: "Check ownership (or an explicit permission) of every object an operation reads or \
                  changes, using the caller's identity from the credential, never an id from the \
                  request; answer 404 for objects the caller may not see.",
};

/// Fields that identify an object or its owner; those A's object has must be equal in B's answer.
const IDENTIFYING: &[&str] = &[
    "id", "uuid", "owner", "owner_id", "ownerId", "user_id", "userId", "email",
];

/// Keys of an error body.
const ERROR_KEYS: &[&str] = &["error", "errors"];

/// True when B's answer `b` proves B got A's object `a` (A's baseline answer): both 2xx JSON objects
/// of the same shape, `b` no error body, and every identifying field of `a` (at least one, the
/// parameter's own name included) equal in `b`.
pub fn proves_access(a: &RecordedResponse, b: &RecordedResponse, param: &str) -> bool {
    if !same_resource(a, b) {
        return false;
    }
    let (Some(Value::Object(ja)), Some(Value::Object(jb))) = (a.json(), b.json()) else {
        return false;
    };
    if ERROR_KEYS.iter().any(|k| jb.contains_key(*k)) {
        return false;
    }
    let identifying: Vec<(&String, &Value)> = ja
        .iter()
        .filter(|(k, v)| {
            (IDENTIFYING.contains(&k.as_str()) || k.as_str() == param)
                && (v.is_string() || v.is_number())
        })
        .collect();
    !identifying.is_empty() && identifying.iter().all(|(k, v)| jb.get(*k) == Some(*v))
}

/// The verdict on B's answer `b` for A's object, given A's answer `a`, what an anonymous request got
/// and what B gets for its own object.
pub fn is_bola(
    a: &RecordedResponse,
    b: &RecordedResponse,
    param: &str,
    anonymous: Option<&RecordedResponse>,
    b_own: Option<&RecordedResponse>,
) -> bool {
    proves_access(a, b, param)
        && !anonymous.is_some_and(|r| same_resource(a, r))
        && !b_own.is_some_and(|own| own.is_success() && own.body == b.body)
}

/// True for a path parameter that names an object: an id by its name or format, or whatever
/// parameter ends the path (`/books/{book_title}`).
fn names_object(op: &crate::spec::Operation, p: &crate::spec::Parameter) -> bool {
    is_object_id(&p.name, p.schema.as_ref()) || object_param(op).is_some_and(|name| name == p.name)
}

#[async_trait]
impl Check for Bola {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::is_get(target)?;
        super::ensure(
            target
                .op
                .params_in(ParamLocation::Path)
                .any(|p| names_object(target.op, p)),
            "no path parameter names an object (`id`, `*_id`, a uuid, or one ending the path)",
        )?;
        super::baseline_succeeded(target)?;
        super::ensure(
            target
                .baseline
                .response
                .as_ref()
                .is_some_and(|r| r.json().is_some_and(|j| j.is_object())),
            "the user's answer is not a JSON object",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(a) = &target.baseline.response else {
            return vec![];
        };
        if let Some(why) = untested(ctx, target, a) {
            ctx.skipped(target, &META, why);
        }
        if !ctx.http.has_user_b() {
            return swapped_id(ctx, target, a).await;
        }
        for p in target.op.params_in(ParamLocation::Path) {
            if !names_object(target.op, p) || ctx.should_stop() {
                continue;
            }
            let slot = Slot::Param(ParamLocation::Path, p.name.clone());
            let Some(a_id) = target.values.get(&slot) else {
                continue;
            };
            // The object must be known to be A's and not B's.
            let Some(learned) = ctx.resources.for_param(target.op, &p.name) else {
                continue;
            };
            // Values seen in answers say nothing about whose objects they are.
            if learned.pooled {
                continue;
            }
            let Some(b_ids) = &learned.user_b else {
                continue;
            };
            if !learned.user.contains(a_id) || b_ids.contains(a_id) {
                continue;
            }
            let as_b = ctx.send(&Who::UserB, target.request).await;
            let Some(b) = as_b.response.as_ref() else {
                continue;
            };
            if !proves_access(a, b, &p.name) {
                continue;
            }
            let anonymous = ctx.send(&Who::Anonymous, target.request).await;
            let b_own = match b_ids.first() {
                Some(own_id) => {
                    let own_req = target.values.with(&slot, own_id.clone()).render(target.op);
                    ctx.send(&Who::UserB, &own_req).await.response
                }
                None => None,
            };
            if is_bola(a, b, &p.name, anonymous.response.as_ref(), b_own.as_ref()) {
                return vec![META.finding(
                    target,
                    META.severity,
                    &p.name,
                    ctx.evidence(&as_b),
                    RiskFactors::default(),
                )];
            }
        }
        vec![]
    }
}

/// Fields that name an object's owner.
const OWNER_FIELDS: &[&str] = &["owner_id", "ownerId", "owner", "user_id", "userId"];

/// The owner field of a JSON object answer and its (scalar) value.
fn owner_of(resp: &RecordedResponse) -> Option<(String, Value)> {
    let Some(Value::Object(map)) = resp.json() else {
        return None;
    };
    OWNER_FIELDS.iter().find_map(|k| {
        map.get(*k)
            .filter(|v| v.is_string() || v.is_number())
            .map(|v| (k.to_string(), v.clone()))
    })
}

/// With one identity: the user's own object id swapped for its numeric neighbours. An answer of the
/// same shape whose owner field names someone else, refused to an anonymous caller, is a `tentative`
/// finding (nat cannot be sure the user may not see that owner's objects, e.g. as a team member).
async fn swapped_id(ctx: &ScanContext, target: &Target<'_>, a: &RecordedResponse) -> Vec<Finding> {
    let Some((owner_field, own_owner)) = owner_of(a) else {
        return vec![];
    };
    for p in target.op.params_in(ParamLocation::Path) {
        if !is_object_id(&p.name, p.schema.as_ref()) || ctx.should_stop() {
            continue;
        }
        let slot = Slot::Param(ParamLocation::Path, p.name.clone());
        let Some(a_id) = target.values.get(&slot).and_then(Value::as_i64) else {
            continue;
        };
        let Some(learned) = ctx.resources.for_param(target.op, &p.name) else {
            continue;
        };
        if learned.pooled || !learned.user.contains(&Value::from(a_id)) {
            continue;
        }
        for delta in [1i64, -1, 2, -2] {
            let Some(other) = a_id.checked_add(delta).filter(|id| *id > 0) else {
                continue;
            };
            if learned.user.contains(&Value::from(other)) || ctx.should_stop() {
                continue;
            }
            let req = target
                .values
                .with(&slot, Value::from(other))
                .render(target.op);
            let ex = ctx.send(&Who::User, &req).await;
            let Some(r) = ex.response.as_ref() else {
                continue;
            };
            let foreign = owner_of(r).is_some_and(|(f, v)| f == owner_field && v != own_owner);
            let no_error = matches!(r.json(), Some(Value::Object(m)) if !ERROR_KEYS.iter().any(|k| m.contains_key(*k)));
            if !same_resource(a, r) || !foreign || !no_error {
                continue;
            }
            let anonymous = ctx.send(&Who::Anonymous, &req).await;
            if anonymous
                .response
                .as_ref()
                .is_some_and(|an| same_resource(a, an))
            {
                continue;
            }
            let mut evidence = ctx.evidence(&ex);
            evidence.request = format!(
                "# one identity: the user's own object ({}={a_id}) has {owner_field}={own_owner}; \
                 nat swapped in {other}, whose {owner_field} is another owner's\n{}",
                p.name, evidence.request
            );
            return vec![META
                .finding(
                    target,
                    META.severity,
                    &format!("{} (swapped id, one identity)", p.name),
                    evidence,
                    RiskFactors::default(),
                )
                .with_confidence(Confidence::Tentative)];
        }
    }
    vec![]
}

/// Why [`Bola::run`] can probe no path parameter of `target` (each reason its loops `continue`
/// for), for the report's coverage: `None` when some parameter can be probed.
fn untested(ctx: &ScanContext, target: &Target<'_>, a: &RecordedResponse) -> Option<String> {
    let with_b = ctx.http.has_user_b();
    if !with_b && owner_of(a).is_none() {
        return Some(format!(
            "{}; with one identity nat needs an owner field ({}) in the user's object to tell \
             another owner's object by",
            super::NO_USER_B,
            OWNER_FIELDS.join(", ")
        ));
    }
    let mut first_reason = None;
    for p in target.op.params_in(ParamLocation::Path) {
        if !names_object(target.op, p) {
            continue;
        }
        let slot = Slot::Param(ParamLocation::Path, p.name.clone());
        let reason = match (
            target.values.get(&slot),
            ctx.resources.for_param(target.op, &p.name),
        ) {
            (None, _) => format!("no value for `{}`", p.name),
            (Some(_), None) => format!(
                "no collection listed `{}` ids to the user, so no object is known to be the user's",
                p.name
            ),
            (Some(_), Some(learned)) if learned.pooled => format!(
                "the `{}` values come from answers, not from a listing of the user's objects, so                  nat cannot tell whose objects they are",
                p.name
            ),
            (Some(id), Some(learned)) if !learned.user.contains(id) => format!(
                "the `{}` nat requested was not listed to the user, so it is not known to be the \
                 user's",
                p.name
            ),
            (Some(id), Some(learned)) => match (&learned.user_b, with_b) {
                (_, false) if id.as_i64().is_none() => format!(
                    "{}; with one identity nat swaps numeric ids only, and `{}` is not one",
                    super::NO_USER_B,
                    p.name
                ),
                (_, false) => return None,
                (None, true) => "no object of user B: the collection could not be listed as \
                                 user B, so the user's objects cannot be told from B's"
                    .to_string(),
                (Some(b_ids), true) if b_ids.contains(id) => {
                    format!("the user's object (`{}`) is listed to user B too", p.name)
                }
                (Some(_), true) => return None,
            },
        };
        first_reason.get_or_insert(reason);
    }
    first_reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn resp(status: u16, body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            body: Bytes::from(body.to_string()),
            ..Default::default()
        }
    }

    const A: &str = r#"{"id":11,"title":"Tax return","owner_id":1,"content":"secret"}"#;

    #[test]
    fn the_same_object_for_b_is_proof() {
        let a = resp(200, A);
        assert!(proves_access(&a, &resp(200, A), "document_id"));
        // Same object, a volatile field differs: still A's object.
        let b = resp(
            200,
            r#"{"id":11,"title":"Tax return","owner_id":1,"content":"secret","read_at":"now"}"#,
        );
        assert!(is_bola(&a, &b, "document_id", None, None));
    }

    #[test]
    fn denials_errors_and_other_objects_are_no_proof() {
        let a = resp(200, A);
        for b in [
            resp(404, r#"{"title":"Not Found","status":404}"#),
            resp(403, A),
            resp(200, r#"{"error":"forbidden"}"#),
            resp(
                200,
                r#"{"id":11,"title":"x","owner_id":1,"content":"y","error":"denied"}"#,
            ),
            resp(200, "<html>login</html>"),
            // B's own object: another id and owner.
            resp(
                200,
                r#"{"id":12,"title":"Review","owner_id":2,"content":"ok"}"#,
            ),
        ] {
            assert!(!proves_access(&a, &b, "document_id"), "{}", b.text());
        }
        // Nothing identifying in A's object: no proof.
        let plain = resp(200, r#"{"title":"x","content":"y"}"#);
        assert!(!proves_access(&plain, &plain, "document_id"));
    }

    #[test]
    fn public_objects_and_id_blind_answers_are_no_proof() {
        let (a, b) = (resp(200, A), resp(200, A));
        // Anonymous gets it too: public, or an authentication flaw reported elsewhere.
        assert!(!is_bola(&a, &b, "document_id", Some(&resp(200, A)), None));
        assert!(is_bola(
            &a,
            &b,
            "document_id",
            Some(&resp(401, r#"{"title":"Unauthorized"}"#)),
            None
        ));
        // B gets exactly this for its own object too: the API ignores the id.
        assert!(!is_bola(&a, &b, "document_id", None, Some(&resp(200, A))));
    }
}
