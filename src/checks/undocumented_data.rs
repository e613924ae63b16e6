//! API3 excessive data exposure beyond secrets: a successful answer carries properties its documented
//! response schema does not have, and those properties are server-internal data (named `internal_…`,
//! `…_cost`, `fraud_…`, `…_ip`, `admin_…`) or another person's e-mail address (one that is not the
//! user's own, when nat knows the user's).
//!
//! Passive: it reads the user's baseline answer (and, once per scan, the user's own profile through
//! the login checks' known-user lookup). Secrets are `NAT-API3-DATA-EXPOSURE`'s and are left out here.

use super::{login, Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::spec::words;
use crate::spec::Schema;
use async_trait::async_trait;
use serde_json::Value;

/// The check.
pub struct UndocumentedData;

static META: CheckMeta = CheckMeta {
    id: "NAT-API3-UNDOCUMENTED-DATA",
    title: "Excessive Data Exposure: undocumented internal or other people's data in the response",
    short_title: "undocumented data exposed",
    owasp: "API3",
    cwe: "CWE-213",
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    description: "A successful response carries properties its documented schema does not have, holding \
                  server-internal data (costs, fraud scores, internal notes, IP addresses) or another \
                  person's e-mail address: the API serialises more than its response model.",
    remediation: "Build every response from an explicit response model (an allow-list of documented \
                  fields); keep internal fields and other people's data on the server.",
};

/// Words of a property name that mark data meant to stay on the server.
const INTERNAL_WORDS: &[&str] = &[
    "internal",
    "debug",
    "cost",
    "margin",
    "supplier",
    "fraud",
    "ip",
    "admin",
    "audit",
    "moderation",
    "salary",
];

/// Words of a property name that are secrets: `NAT-API3-DATA-EXPOSURE` reports those.
const SECRET_WORDS: &[&str] = &[
    "password", "hash", "token", "secret", "key", "ssn", "card", "pan", "cvv",
];

/// The documented properties of the 2xx answer's objects: the schema's own, or its items' (an array,
/// or an object whose array property lists the objects).
fn documented(schema: &Schema) -> Vec<&Schema> {
    let mut out = vec![schema];
    if let Some(items) = schema.get("items") {
        out.push(items);
    }
    if let Some(props) = schema.get("properties").and_then(Schema::as_object) {
        out.extend(props.values().filter_map(|p| p.get("items")));
    }
    out.into_iter()
        .filter(|s| s.get("properties").and_then(Schema::as_object).is_some())
        .collect()
}

/// True when the schema closes its object: properties listed and no `additionalProperties: true`.
fn closed(schema: &Schema) -> bool {
    schema
        .get("additionalProperties")
        .is_none_or(|a| a.as_bool() == Some(false))
}

/// The objects of an answer that a documented schema describes, each with that schema.
fn described<'a>(
    body: &'a Value,
    schema: &'a Schema,
) -> Vec<(&'a serde_json::Map<String, Value>, &'a Schema)> {
    let mut out = Vec::new();
    let item_schema = schema.get("items");
    match body {
        Value::Object(map) => {
            out.push((map, schema));
            if let Some(props) = schema.get("properties").and_then(Schema::as_object) {
                for (name, prop) in props {
                    if let (Some(Value::Array(items)), Some(item)) =
                        (map.get(name), prop.get("items"))
                    {
                        out.extend(
                            items
                                .iter()
                                .take(50)
                                .filter_map(|v| v.as_object().map(|m| (m, item))),
                        );
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = item_schema {
                out.extend(
                    items
                        .iter()
                        .take(50)
                        .filter_map(|v| v.as_object().map(|m| (m, item))),
                );
            }
        }
        _ => {}
    }
    out
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
}

#[async_trait]
impl Check for UndocumentedData {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::baseline_succeeded(target)?;
        let status = target.baseline.status().unwrap_or_default().to_string();
        super::ensure(
            ["2XX", "default"]
                .iter()
                .chain(std::iter::once(&status.as_str()))
                .filter_map(|k| target.op.responses.get(*k))
                .flatten()
                .any(|s| !documented(s).is_empty()),
            "the description documents no properties for the answer's status",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(resp) = target.baseline.response.as_ref() else {
            return vec![];
        };
        let Some(body) = resp.json() else {
            return vec![];
        };
        let status = resp.status.to_string();
        let Some(schema) = [status.as_str(), "2XX", "default"]
            .iter()
            .find_map(|k| target.op.responses.get(*k).cloned().flatten())
        else {
            return vec![];
        };
        let own_email = login::known_user(ctx)
            .await
            .email
            .as_ref()
            .map(|e| e.value.to_ascii_lowercase());
        let mut reasons: Vec<String> = Vec::new();
        for (object, object_schema) in described(&body, &schema) {
            let Some(props) = object_schema.get("properties").and_then(Schema::as_object) else {
                continue;
            };
            if !closed(object_schema) {
                continue;
            }
            for (name, value) in object {
                if props.contains_key(name)
                    || reasons.iter().any(|r| r.starts_with(&format!("`{name}`")))
                {
                    continue;
                }
                let w = words(name);
                if w.iter().any(|w| SECRET_WORDS.contains(&w.as_str())) || value.is_null() {
                    continue;
                }
                if w.iter().any(|w| INTERNAL_WORDS.contains(&w.as_str())) {
                    reasons.push(format!(
                        "`{name}` (undocumented, server-internal by its name)"
                    ));
                } else if let (Some(email), Some(own)) = (value.as_str(), own_email.as_deref()) {
                    if is_email(email) && email.to_ascii_lowercase() != own {
                        reasons.push(format!(
                            "`{name}` (undocumented, another person's e-mail address)"
                        ));
                    }
                }
            }
        }
        if reasons.is_empty() {
            return vec![];
        }
        let mut evidence = ctx.evidence(target.baseline);
        evidence.request = format!(
            "# the answer carries {}, none in the documented response schema\n{}",
            reasons.join(", "),
            evidence.request
        );
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: target.op.is_state_changing(),
        };
        vec![META.finding(target, META.severity, "", evidence, factors)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_objects_are_found_in_lists_and_wrappers() {
        let schema = Schema::from(json!({
            "type": "object",
            "properties": {"orders": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "integer"}}}}}
        }));
        let body = json!({"orders": [{"id": 1, "internal_cost": 3}, {"id": 2}]});
        let found = described(&body, &schema);
        assert_eq!(found.len(), 3, "the wrapper and both orders");
        assert!(closed(&schema));
        assert!(!closed(&Schema::from(
            json!({"properties": {}, "additionalProperties": true})
        )));
        assert!(is_email("carol@nat-demo.test") && !is_email("not an@email") && !is_email("x@y"));
    }
}
