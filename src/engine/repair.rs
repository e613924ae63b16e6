//! One repair of a refused baseline: an answer 400/422 whose body says, machine-readably, what was
//! wrong (FastAPI/pydantic `detail[].loc/msg/type/ctx`, RFC 7807 `invalid-params` or `errors`,
//! ASP.NET, Spring and express-validator `errors`) gives
//! the allowed value of an enum or literal, the pattern a string must match, or a missing field;
//! nat changes those values once and sends the request again. The API's messages are kept for the
//! report's warnings.

use crate::spec::{Operation, ParamLocation, Schema};
use crate::synth::{pattern_value, valid_value, RequestValues, Slot};
use serde_json::{json, Value};

/// Most problems read from one answer.
const MAX_PROBLEMS: usize = 20;
/// Longest API message kept for a warning (characters).
const MAX_MESSAGE: usize = 200;

/// One problem the API named.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Where, when nat could tell.
    pub slot: Option<Slot>,
    /// The API's own message, cut to [`MAX_MESSAGE`] characters.
    pub message: String,
    /// The value the API asks for, when it says so.
    fix: Option<Fix>,
}

#[derive(Clone, Debug, PartialEq)]
enum Fix {
    /// The first allowed value (enum or literal).
    Value(Value),
    /// A string that matches this pattern.
    Pattern(String),
    /// The field is missing: a value from its schema.
    Missing,
}

impl Problem {
    /// `body field category: Input should be 'tools' or 'toys'`.
    pub fn describe(&self) -> String {
        match &self.slot {
            Some(slot) => format!("{}: {}", slot.describe(), self.message),
            None => self.message.clone(),
        }
    }
}

/// The API's text as a warning may show it: at most [`MAX_MESSAGE`] characters, control characters
/// (line breaks, terminal escapes) as spaces.
fn cut(s: &str) -> String {
    s.chars()
        .take(MAX_MESSAGE)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The problems a 400/422 answer lists, in the forms nat reads; empty for anything else.
pub fn problems(op: &Operation, body: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(detail) = body.get("detail").and_then(Value::as_array) {
        out.extend(
            detail
                .iter()
                .take(MAX_PROBLEMS)
                .filter_map(|d| pydantic(op, d)),
        );
    }
    for key in ["invalid-params", "invalid_params"] {
        if let Some(params) = body.get(key).and_then(Value::as_array) {
            out.extend(params.iter().filter_map(|p| {
                let name = p.get("name").and_then(Value::as_str)?;
                let reason = p.get("reason").and_then(Value::as_str).unwrap_or("invalid");
                Some(named(op, name, reason))
            }));
        }
    }
    match body.get("errors") {
        // ASP.NET's ValidationProblemDetails: {"Field": ["message", …]}.
        Some(Value::Object(map)) => {
            for (name, msgs) in map {
                let msg = match msgs {
                    Value::Array(m) => m
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                    Value::String(s) => s.clone(),
                    _ => continue,
                };
                out.push(named(op, name.trim_start_matches("$."), &msg));
            }
        }
        // [{"detail"|"message", "pointer"|"field"|"name"}]; Spring's `defaultMessage`,
        // express-validator's `msg` with `param` (v6) or `path` (v7).
        Some(Value::Array(items)) => {
            for e in items {
                let msg = ["detail", "message", "msg", "reason", "defaultMessage"]
                    .iter()
                    .find_map(|k| e.get(*k).and_then(Value::as_str));
                let name = ["pointer", "field", "name", "param", "path"]
                    .iter()
                    .find_map(|k| e.get(*k).and_then(Value::as_str))
                    .map(|n| n.trim_start_matches('#').trim_start_matches('/'))
                    .map(|n| n.split('/').next().unwrap_or(n));
                match (name, msg) {
                    (Some(n), Some(m)) => out.push(named(op, n, m)),
                    (None, Some(m)) => out.push(Problem {
                        slot: None,
                        message: cut(m),
                        fix: None,
                    }),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out.truncate(MAX_PROBLEMS);
    out
}

/// A problem named by field only: a parameter of that name, else a body field.
fn named(op: &Operation, name: &str, message: &str) -> Problem {
    let slot = op
        .parameters
        .iter()
        .find(|p| p.name == name)
        .map(|p| Slot::Param(p.location, p.name.clone()))
        .unwrap_or_else(|| Slot::BodyField(name.to_string()));
    let fix = message
        .to_ascii_lowercase()
        .contains("required")
        .then_some(Fix::Missing);
    Problem {
        slot: Some(slot),
        message: cut(message),
        fix,
    }
}

/// One FastAPI/pydantic (v1 or v2) error: `{"loc": ["body", "field"], "msg", "type", "ctx"}`.
fn pydantic(op: &Operation, d: &Value) -> Option<Problem> {
    let msg = d.get("msg").and_then(Value::as_str)?;
    let kind = d.get("type").and_then(Value::as_str).unwrap_or("");
    let loc: Vec<&str> = d
        .get("loc")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let slot = match loc.as_slice() {
        ["body", field, ..] => Some(Slot::BodyField(field.to_string())),
        [place, name, ..] => {
            let location = match *place {
                "query" => ParamLocation::Query,
                "path" => ParamLocation::Path,
                "header" => ParamLocation::Header,
                "cookie" => ParamLocation::Cookie,
                _ => {
                    return Some(Problem {
                        slot: None,
                        message: cut(msg),
                        fix: None,
                    })
                }
            };
            // FastAPI names a header parameter by its Python name (`x_token` for `X-Token`).
            let name = op
                .parameters
                .iter()
                .find(|p| {
                    p.location == location
                        && (p.name == *name
                            || p.name.to_ascii_lowercase().replace('-', "_") == *name)
                })
                .map_or_else(|| name.to_string(), |p| p.name.clone());
            Some(Slot::Param(location, name))
        }
        _ => None,
    };
    let ctx = d.get("ctx");
    let fix = if kind == "missing" || kind == "value_error.missing" {
        Some(Fix::Missing)
    } else if let Some(first) = ctx
        .and_then(|c| c.get("enum_values").or_else(|| c.get("permitted")))
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        Some(Fix::Value(first.clone()))
    } else if kind == "enum" || kind.starts_with("literal") || kind == "type_error.enum" {
        // pydantic v2: ctx.expected = "'a', 'b' or 'c'"; the message says the same.
        let text = ctx
            .and_then(|c| c.get("expected"))
            .and_then(Value::as_str)
            .unwrap_or(msg);
        first_quoted(text).map(|v| Fix::Value(json!(v)))
    } else {
        ctx.and_then(|c| c.get("pattern"))
            .and_then(Value::as_str)
            .map(|p| Fix::Pattern(p.to_string()))
    };
    Some(Problem {
        slot,
        message: cut(msg),
        fix,
    })
}

/// `a` from `'a', 'b' or 'c'`.
fn first_quoted(text: &str) -> Option<&str> {
    let start = text.find('\'')? + 1;
    let len = text[start..].find('\'')?;
    Some(&text[start..start + len])
}

/// The schema nat has for a slot.
fn slot_schema<'a>(op: &'a Operation, slot: &Slot) -> Option<&'a Schema> {
    match slot {
        Slot::Param(loc, name) => op
            .parameters
            .iter()
            .find(|p| p.location == *loc && &p.name == name)
            .and_then(|p| p.schema.as_ref()),
        Slot::BodyField(name) => op
            .request_body
            .as_ref()
            .and_then(|rb| rb.schema.as_ref())
            .and_then(|s| s.get("properties"))
            .and_then(|p| p.get(name)),
    }
}

/// `values` with every problem nat can fix fixed, or `None` when it can fix none.
pub fn repaired(
    op: &Operation,
    values: &RequestValues,
    problems: &[Problem],
) -> Option<RequestValues> {
    let mut out = values.clone();
    let mut changed = false;
    for p in problems {
        let (Some(slot), Some(fix)) = (&p.slot, &p.fix) else {
            continue;
        };
        let value = match fix {
            Fix::Value(v) => v.clone(),
            Fix::Pattern(pattern) => match pattern_value(pattern, 0, None, 0) {
                Ok(s) => json!(s),
                Err(_) => continue,
            },
            Fix::Missing => {
                if values.get(slot).is_some() {
                    continue;
                }
                valid_value(slot_schema(op, slot), None)
            }
        };
        if matches!(slot, Slot::BodyField(_)) && !matches!(out.body, Some(Value::Object(_))) {
            continue;
        }
        if out.get(slot) != Some(&value) {
            out = out.with(slot, value);
            changed = true;
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Parameter, RequestBody};

    fn op() -> Operation {
        Operation {
            method: "POST".into(),
            path: "/token".into(),
            operation_id: None,
            summary: None,
            tags: vec![],
            parameters: vec![Parameter {
                name: "X-Tenant".into(),
                location: ParamLocation::Header,
                required: false,
                schema: Some(json!({"type": "string"}).into()),
                example: None,
            }],
            request_body: Some(RequestBody {
                content_type: "application/json".into(),
                required: true,
                schema: Some(
                    json!({"type": "object", "properties": {"scope": {"type": "string", "enum": ["read"]}}}).into(),
                ),
                example: None,
            }),
            security: vec![],
            responses: Default::default(),
            deprecated: false,
        }
    }

    #[test]
    fn fastapi_detail_repairs_enum_literal_pattern_and_missing_fields() {
        let o = op();
        let values = RequestValues {
            params: vec![],
            body: Some(json!({"role": "admin", "grant_type": "nat", "kind": "x"})),
            content_type: Some("application/json".into()),
        };
        let answer = json!({"detail": [
            {"type": "enum", "loc": ["body", "role"], "msg": "Input should be 'customer', 'employee' or 'chef'",
             "ctx": {"expected": "'customer', 'employee' or 'chef'"}},
            {"type": "string_pattern_mismatch", "loc": ["body", "grant_type"],
             "msg": "String should match pattern '^password$'", "ctx": {"pattern": "^password$"}},
            {"type": "type_error.enum", "loc": ["body", "kind"], "msg": "value is not a valid enumeration member",
             "ctx": {"enum_values": ["book", "film"]}},
            {"type": "missing", "loc": ["body", "scope"], "msg": "Field required"},
            {"type": "missing", "loc": ["header", "x_tenant"], "msg": "Field required"},
            {"type": "int_parsing", "loc": ["query", "page"], "msg": "Input should be a valid integer"}
        ]});
        let found = problems(&o, &answer);
        assert_eq!(found.len(), 6);
        assert_eq!(
            found[1].describe(),
            "body field grant_type: String should match pattern '^password$'"
        );
        assert_eq!(
            found[4].slot,
            Some(Slot::Param(ParamLocation::Header, "X-Tenant".into()))
        );
        let fixed = repaired(&o, &values, &found).unwrap();
        assert_eq!(
            fixed.body,
            Some(
                json!({"role": "customer", "grant_type": "password", "kind": "book", "scope": "read"})
            )
        );
        assert_eq!(
            fixed.get(&Slot::Param(ParamLocation::Header, "X-Tenant".into())),
            Some(&json!("nat"))
        );
        // Nothing to fix: no second request.
        assert_eq!(repaired(&o, &fixed, &found[5..]), None);
    }

    #[test]
    fn rfc7807_forms_are_read_for_messages_and_missing_fields() {
        let o = op();
        let answer = json!({"type": "about:blank", "status": 400,
            "invalid-params": [{"name": "scope", "reason": "is required"}]});
        let found = problems(&o, &answer);
        assert_eq!(found[0].describe(), "body field scope: is required");
        let values = RequestValues {
            params: vec![],
            body: Some(json!({})),
            content_type: Some("application/json".into()),
        };
        assert_eq!(
            repaired(&o, &values, &found).unwrap().body,
            Some(json!({"scope": "read"}))
        );
        let aspnet = json!({"errors": {"$.scope": ["The scope field is required."]}});
        assert_eq!(
            problems(&o, &aspnet)[0].slot,
            Some(Slot::BodyField("scope".into()))
        );
        // Spring's BindingResult and express-validator v7.
        let spring = json!({"errors": [{"field": "scope", "defaultMessage": "must not be null"}]});
        let p = problems(&op(), &spring);
        assert_eq!(p[0].describe(), "body field scope: must not be null");
        let express = json!({"errors": [{"type": "field", "msg": "Invalid value", "path": "scope", "location": "body"}]});
        let p = problems(&op(), &express);
        assert_eq!(p[0].describe(), "body field scope: Invalid value");
        let list = json!({"errors": [{"detail": "must be one of read", "pointer": "/scope"}]});
        assert_eq!(
            problems(&o, &list)[0].describe(),
            "body field scope: must be one of read"
        );
        assert!(problems(&o, &json!({"error": "bad"})).is_empty());
        // The API's words reach a terminal: no escapes, no line breaks, bounded.
        let hostile = json!({"detail": [{"loc": ["body", "scope"], "msg": format!("bad\u{1b}[2J\nx{}", "y".repeat(500)), "type": "x"}]});
        let msg = &problems(&o, &hostile)[0].message;
        assert!(
            msg.starts_with("bad [2J x") && msg.chars().count() == 200,
            "{msg}"
        );
    }
}
