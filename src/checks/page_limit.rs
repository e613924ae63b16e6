//! API4 no page-size limit: a list operation with a page-size parameter (`limit`, `per_page`,
//! `page_size`, `size`, `count`, …) answers a huge value with more items than the description's
//! `maximum` allows, or, where the description sets none, with more items than the default page and
//! more than any common cap: one client can make the API read and serialise its whole table.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, Who};
use crate::spec::{ParamLocation, Schema};
use crate::synth::Slot;
use async_trait::async_trait;
use serde_json::{json, Value};

/// The check.
pub struct NoPageLimit;

static META: CheckMeta = CheckMeta {
    id: "NAT-API4-NO-PAGE-LIMIT",
    title: "Unrestricted Resource Consumption: no limit on the page size",
    short_title: "no page-size limit",
    owasp: "API4",
    cwe: "CWE-770",
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    description: "A list operation returns as many items as the client asks for: a huge page size \
                  makes the API read, serialise and send its whole collection in one answer, which \
                  any client can repeat to exhaust the server or the database.",
    remediation:
        "Enforce a maximum page size on the server (clamp the value or answer 400 beyond it), \
                  document it as the parameter's `maximum`, and paginate with cursors or offsets.",
};

/// The page size nat asks for.
const HUGE: u64 = 100_000;
/// Without a documented maximum, a page this large or smaller proves nothing: many APIs cap pages
/// at 100 and hold fewer items than their cap.
const COMMON_CAP: usize = 100;

/// Parameter names (lower case, without `_` and `-`) that set a page's size.
const NAMES: &[&str] = &[
    "limit",
    "perpage",
    "pagesize",
    "size",
    "count",
    "maxresults",
    "pagelimit",
    "top",
    "take",
    "first",
    "results",
];

fn is_page_size(name: &str) -> bool {
    let n: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    NAMES.contains(&n.as_str())
}

fn numeric_or_untyped(schema: Option<&Schema>) -> bool {
    schema
        .and_then(crate::synth::schema_type)
        .is_none_or(|t| matches!(t, "integer" | "number" | "string"))
}

/// The page-size parameters of the target, with the description's maximum.
fn page_slots(target: &Target<'_>) -> Vec<(Slot, Option<u64>)> {
    target
        .op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Query && is_page_size(&p.name))
        .filter(|p| numeric_or_untyped(p.schema.as_ref()))
        .map(|p| {
            let max = p
                .schema
                .as_ref()
                .and_then(|s| s.get("maximum"))
                .and_then(Schema::as_u64);
            (Slot::Param(ParamLocation::Query, p.name.clone()), max)
        })
        .collect()
}

/// Keys under which an answer commonly wraps its page of items.
const WRAPPERS: &[&str] = &[
    "items", "data", "results", "records", "entries", "rows", "content", "list", "values",
    "objects", "hits", "elements",
];

/// The number of items in a list answer: a top-level array, the array under a common wrapper key,
/// or the one array among the top-level fields.
pub fn list_len(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.len()),
        Value::Object(map) => {
            for key in WRAPPERS {
                if let Some(Value::Array(a)) = map.get(*key) {
                    return Some(a.len());
                }
            }
            let mut arrays = map.values().filter_map(Value::as_array);
            match (arrays.next(), arrays.next()) {
                (Some(a), None) => Some(a.len()),
                _ => None,
            }
        }
        _ => None,
    }
}

fn items(ex: &Exchange) -> Option<usize> {
    let r = ex
        .response
        .as_ref()
        .filter(|r| r.is_success() && !r.truncated)?;
    list_len(&r.json()?)
}

#[async_trait]
impl Check for NoPageLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::is_get(target)?;
        super::ensure(
            !page_slots(target).is_empty(),
            "no page-size query parameter (limit, per_page, page_size, size, count, …)",
        )?;
        super::baseline_succeeded(target)?;
        super::ensure(
            target
                .baseline
                .response
                .as_ref()
                .and_then(|r| r.json())
                .as_ref()
                .and_then(list_len)
                .is_some(),
            "the answer is not a list of items",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(default_page) = items(target.baseline) else {
            return vec![];
        };
        let mut findings = Vec::new();
        for (slot, max) in page_slots(target) {
            let req = target.values.with(&slot, json!(HUGE)).render(target.op);
            let huge = ctx.send(&Who::User, &req).await;
            let Some(n) = items(&huge) else {
                if huge.response.as_ref().is_some_and(|r| r.truncated) {
                    ctx.skipped(
                        target,
                        &META,
                        "the answer to a huge page size was larger than nat reads, so its items could not be counted",
                    );
                }
                continue;
            };
            let name = match &slot {
                Slot::Param(_, n) => n.clone(),
                Slot::BodyField(n) => n.clone(),
            };
            let (proven, confidence, why) = match max {
                Some(m) => (
                    n as u64 > m,
                    Confidence::Firm,
                    format!("the description's maximum for `{name}` is {m}"),
                ),
                None => (
                    n > default_page && n > COMMON_CAP,
                    Confidence::Tentative,
                    format!(
                        "the description sets no maximum for `{name}`; the default page held {default_page}"
                    ),
                ),
            };
            if !proven {
                continue;
            }
            let evidence = ctx.labelled_evidence(&[
                ("the user's request", target.baseline),
                (
                    &format!("{name}={HUGE}: {n} items in one answer; {why}"),
                    &huge,
                ),
            ]);
            let mut f = META.finding(
                target,
                META.severity,
                &slot.describe(),
                evidence,
                RiskFactors::default(),
            );
            f.confidence = confidence;
            if confidence == Confidence::Tentative {
                f.severity = Severity::Low;
            }
            findings.push(f);
            break;
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "limit",
            "per_page",
            "pageSize",
            "page-size",
            "size",
            "count",
            "maxResults",
        ] {
            assert!(is_page_size(n), "{n}");
        }
        for n in ["page", "offset", "sort", "q", "id", "sizes_wanted"] {
            assert!(!is_page_size(n), "{n}");
        }
    }

    #[test]
    fn list_lengths() {
        assert_eq!(list_len(&json!([1, 2, 3])), Some(3));
        assert_eq!(list_len(&json!({"items": [1], "total": 9})), Some(1));
        assert_eq!(
            list_len(&json!({"articles": [1, 2], "articlesCount": 2})),
            Some(2)
        );
        assert_eq!(list_len(&json!({"a": [1], "b": [2]})), None);
        assert_eq!(list_len(&json!({"name": "x"})), None);
        assert_eq!(list_len(&json!("x")), None);
    }
}
