//! Values from schemas: valid ones (examples, enums, formats, bounds) and hostile ones (wrong types,
//! boundary values, oversized strings), and the requests built from them.

use crate::http::{Body, RequestSpec};
use crate::spec::{Operation, ParamLocation, Schema};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

/// Deepest nesting of objects/arrays nat synthesises.
const MAX_DEPTH: usize = 6;

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A valid value for `schema`, preferring the description's own example.
pub fn valid_value(schema: Option<&Schema>, example: Option<&Value>) -> Value {
    if let Some(e) = example {
        return e.clone();
    }
    match schema {
        Some(s) => from_schema(s, 0),
        None => json!("nat"),
    }
}

/// The first type a schema names (3.1 type arrays: the first non-null one).
pub fn schema_type(schema: &Schema) -> Option<&str> {
    let ty = schema.get("type");
    if let Some(t) = ty.and_then(Schema::as_str) {
        return Some(t);
    }
    match ty.and_then(Schema::as_array) {
        Some(ts) => ts.iter().filter_map(Schema::as_str).find(|t| *t != "null"),
        None => {
            if schema.get("properties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        }
    }
}

fn from_schema(s: &Schema, depth: usize) -> Value {
    for key in ["example", "default", "const"] {
        if let Some(v) = s.get(key) {
            return v.to_value();
        }
    }
    if let Some(ex) = s.get("examples").and_then(Schema::as_array) {
        if let Some(v) = ex.first() {
            return v.to_value();
        }
    }
    if let Some(vals) = s.get("enum").and_then(Schema::as_array) {
        if let Some(v) = vals.iter().find(|v| !v.is_null()) {
            return v.to_value();
        }
    }
    for key in ["allOf"] {
        if let Some(parts) = s.get(key).and_then(Schema::as_array) {
            let mut merged = Map::new();
            for p in parts {
                if let Value::Object(o) = from_schema(p, depth + 1) {
                    merged.extend(o);
                }
            }
            if !merged.is_empty() {
                return Value::Object(merged);
            }
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(parts) = s.get(key).and_then(Schema::as_array) {
            if let Some(p) = parts.first() {
                return from_schema(p, depth + 1);
            }
        }
    }
    let num = |k: &str| s.get(k).and_then(Schema::as_f64);
    match schema_type(s) {
        Some("integer") => {
            let min = num("minimum").map(|m| {
                m.ceil() as i64
                    + i64::from(s.get("exclusiveMinimum").and_then(Schema::as_bool) == Some(true))
            });
            let max = num("maximum").map(|m| m.floor() as i64);
            let v = min.unwrap_or(1).max(1.min(max.unwrap_or(i64::MAX)));
            json!(max.map_or(v, |m| v.min(m)))
        }
        Some("number") => {
            let min = num("minimum").unwrap_or(1.5);
            json!(num("maximum").map_or(min.max(1.5), |m| min.max(1.5).min(m)))
        }
        Some("boolean") => json!(true),
        Some("array") => {
            if depth >= MAX_DEPTH {
                return json!([]);
            }
            let item = s
                .get("items")
                .map(|i| from_schema(i, depth + 1))
                .unwrap_or(json!("nat"));
            json!([item])
        }
        Some("object") => {
            let mut out = Map::new();
            if depth >= MAX_DEPTH {
                return Value::Object(out);
            }
            if let Some(props) = s.get("properties").and_then(Schema::as_object) {
                for (name, p) in props {
                    if p.get("readOnly").and_then(Schema::as_bool) == Some(true)
                        || p.get("x-nat-circular").is_some()
                    {
                        continue;
                    }
                    out.insert(name.clone(), from_schema(p, depth + 1));
                }
            }
            Value::Object(out)
        }
        Some("null") => Value::Null,
        _ => string_value(s),
    }
}

fn string_value(s: &Schema) -> Value {
    let format = s.get("format").and_then(Schema::as_str).unwrap_or("");
    let mut v = match format {
        "date-time" => "2024-01-01T00:00:00Z".to_string(),
        "date" => "2024-01-01".to_string(),
        "time" => "12:00:00".to_string(),
        "email" => "nat@example.com".to_string(),
        "uuid" => "00000000-0000-4000-8000-000000000001".to_string(),
        "uri" | "url" => "https://example.com/".to_string(),
        "hostname" => "example.com".to_string(),
        "ipv4" => "192.0.2.1".to_string(),
        "ipv6" => "2001:db8::1".to_string(),
        "byte" => "bmF0".to_string(),
        "password" => "Nat-Passw0rd!".to_string(),
        _ => "nat".to_string(),
    };
    if let Some(min) = s.get("minLength").and_then(Schema::as_u64) {
        while (v.chars().count() as u64) < min.min(4096) {
            v.push('x');
        }
    }
    if let Some(max) = s.get("maxLength").and_then(Schema::as_u64) {
        v = v.chars().take(max as usize).collect();
    }
    json!(v)
}

/// Renders a value as a parameter string (arrays comma-joined, the OpenAPI default style).
pub fn param_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(param_string).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Where a value goes in a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A parameter by location and name.
    Param(ParamLocation, String),
    /// A top-level property of the JSON or form body.
    BodyField(String),
}

impl Slot {
    /// `query parameter q`, `body field note`: how evidence and fingerprints name it.
    pub fn describe(&self) -> String {
        match self {
            Slot::Param(loc, name) => {
                format!("{} parameter {name}", format!("{loc:?}").to_lowercase())
            }
            Slot::BodyField(name) => format!("body field {name}"),
        }
    }
}

/// The values of one request to an operation, before rendering.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestValues {
    pub params: Vec<(ParamLocation, String, Value)>,
    pub body: Option<Value>,
    pub content_type: Option<String>,
}

/// Header parameters nat never sets from the description (the client or identity owns them).
fn is_reserved_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization" | "content-type" | "accept" | "content-length" | "host" | "cookie"
    )
}

impl RequestValues {
    /// Valid values for every path parameter, every required parameter and those with an example,
    /// and the body.
    pub fn valid(op: &Operation) -> Self {
        let mut params = Vec::new();
        for p in &op.parameters {
            if p.location == ParamLocation::Header && is_reserved_header(&p.name) {
                continue;
            }
            if p.location == ParamLocation::Cookie {
                continue;
            }
            let has_example = p.example.is_some()
                || p.schema
                    .as_ref()
                    .is_some_and(|s| s.get("example").is_some());
            if p.location == ParamLocation::Path || p.required || has_example {
                params.push((
                    p.location,
                    p.name.clone(),
                    valid_value(p.schema.as_ref(), p.example.as_ref()),
                ));
            }
        }
        let (body, content_type) = match &op.request_body {
            Some(rb) if !rb.content_type.starts_with("multipart/") => (
                Some(valid_value(rb.schema.as_ref(), rb.example.as_ref())),
                Some(rb.content_type.clone()),
            ),
            _ => (None, None),
        };
        RequestValues {
            params,
            body,
            content_type,
        }
    }

    /// The value currently in a slot.
    pub fn get(&self, slot: &Slot) -> Option<&Value> {
        match slot {
            Slot::Param(loc, name) => self
                .params
                .iter()
                .find(|(l, n, _)| l == loc && n == name)
                .map(|(_, _, v)| v),
            Slot::BodyField(name) => self.body.as_ref()?.get(name),
        }
    }

    /// A copy with `value` in `slot`.
    pub fn with(&self, slot: &Slot, value: Value) -> Self {
        let mut out = self.clone();
        match slot {
            Slot::Param(loc, name) => match out
                .params
                .iter_mut()
                .find(|(l, n, _)| l == loc && n == name)
            {
                Some(entry) => entry.2 = value,
                None => out.params.push((*loc, name.clone(), value)),
            },
            Slot::BodyField(name) => {
                if let Some(Value::Object(map)) = out.body.as_mut() {
                    map.insert(name.clone(), value);
                }
            }
        }
        out
    }

    /// The request to send: path template filled (segments percent-encoded), query and headers set,
    /// body encoded by its media type.
    pub fn render(&self, op: &Operation) -> RequestSpec {
        let mut path = op.path.clone();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for (loc, name, value) in &self.params {
            let text = param_string(value);
            match loc {
                ParamLocation::Path => {
                    let encoded = utf8_percent_encode(&text, SEGMENT).to_string();
                    path = path.replace(&format!("{{{name}}}"), &encoded);
                }
                ParamLocation::Query => query.push((name.clone(), text)),
                ParamLocation::Header => {
                    if http::HeaderValue::from_str(&text).is_ok() {
                        headers.push((name.clone(), text));
                    }
                }
                ParamLocation::Cookie => {}
            }
        }
        let body = match (&self.body, &self.content_type) {
            (Some(v), Some(ct)) => Some(encode_body(v, ct)),
            _ => None,
        };
        RequestSpec {
            method: op.method.clone(),
            path,
            query,
            headers,
            body,
        }
    }

    /// Slots of this request with the schema that describes them: every parameter nat sets and every
    /// top-level body field.
    pub fn slots<'a>(&self, op: &'a Operation) -> Vec<(Slot, Option<&'a Schema>)> {
        let mut out = Vec::new();
        for (loc, name, _) in &self.params {
            let schema = op
                .parameters
                .iter()
                .find(|p| p.location == *loc && &p.name == name)
                .and_then(|p| p.schema.as_ref());
            out.push((Slot::Param(*loc, name.clone()), schema));
        }
        if let Some(Value::Object(map)) = &self.body {
            let props = op
                .request_body
                .as_ref()
                .and_then(|rb| rb.schema.as_ref())
                .and_then(|s| s.get("properties"));
            for name in map.keys() {
                out.push((
                    Slot::BodyField(name.clone()),
                    props.and_then(|p| p.get(name)),
                ));
            }
        }
        out
    }
}

fn encode_body(v: &Value, content_type: &str) -> Body {
    let bytes = if content_type.contains("x-www-form-urlencoded") {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        if let Value::Object(map) = v {
            for (k, val) in map {
                ser.append_pair(k, &param_string(val));
            }
        }
        ser.finish().into_bytes()
    } else if content_type.contains("json") || !content_type.starts_with("text/") {
        serde_json::to_vec(v).unwrap_or_default()
    } else {
        param_string(v).into_bytes()
    };
    let content_type = if content_type.contains("json")
        || content_type.contains("x-www-form-urlencoded")
        || content_type.starts_with("text/")
    {
        content_type.to_string()
    } else {
        "application/json".to_string()
    };
    Body {
        content_type,
        bytes,
    }
}

/// A hostile value and what makes it hostile.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    pub kind: &'static str,
    pub value: Value,
}

/// Values that violate `schema`: a wrong type, values past its bounds, an oversized string.
pub fn schema_violations(schema: Option<&Schema>) -> Vec<Mutation> {
    let Some(s) = schema else {
        return vec![Mutation {
            kind: "oversized string",
            value: json!("A".repeat(10_000)),
        }];
    };
    let mut out = Vec::new();
    let num = |k: &str| s.get(k).and_then(Schema::as_f64);
    match schema_type(s) {
        Some("integer") | Some("number") => {
            out.push(Mutation {
                kind: "wrong type (string for a number)",
                value: json!("nat-invalid"),
            });
            if let Some(min) = num("minimum") {
                out.push(Mutation {
                    kind: "below minimum",
                    value: json!((min - 1.0).floor() as i64),
                });
            } else {
                out.push(Mutation {
                    kind: "negative value",
                    value: json!(-1),
                });
            }
            if let Some(max) = num("maximum") {
                out.push(Mutation {
                    kind: "above maximum",
                    value: json!((max + 1.0).ceil() as i64),
                });
            }
            out.push(Mutation {
                kind: "64-bit boundary",
                value: json!(i64::MAX),
            });
        }
        Some("boolean") => out.push(Mutation {
            kind: "wrong type (string for a boolean)",
            value: json!("nat-invalid"),
        }),
        Some("array") => out.push(Mutation {
            kind: "wrong type (string for an array)",
            value: json!("nat-invalid"),
        }),
        Some("object") => out.push(Mutation {
            kind: "wrong type (string for an object)",
            value: json!("nat-invalid"),
        }),
        _ => {
            if s.get("enum").is_some() {
                out.push(Mutation {
                    kind: "value outside the enum",
                    value: json!("nat-not-in-enum"),
                });
            }
            out.push(Mutation {
                kind: "oversized string",
                value: json!("A".repeat(10_000)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Parameter;

    fn op() -> Operation {
        Operation {
            method: "POST".into(),
            path: "/items/{id}".into(),
            operation_id: None,
            summary: None,
            tags: vec![],
            parameters: vec![
                Parameter {
                    name: "id".into(),
                    location: ParamLocation::Path,
                    required: true,
                    schema: Some(json!({"type": "integer", "minimum": 5}).into()),
                    example: None,
                },
                Parameter {
                    name: "q".into(),
                    location: ParamLocation::Query,
                    required: false,
                    schema: Some(json!({"type": "string"}).into()),
                    example: Some(json!("a b")),
                },
                Parameter {
                    name: "skip".into(),
                    location: ParamLocation::Query,
                    required: false,
                    schema: Some(json!({"type": "string"}).into()),
                    example: None,
                },
            ],
            request_body: Some(crate::spec::RequestBody {
                content_type: "application/json".into(),
                required: true,
                schema: Some(
                    json!({"type": "object", "properties": {"name": {"type": "string", "format": "email"}, "id": {"type": "integer", "readOnly": true}, "n": {"type": "number", "maximum": 1}}})
                    .into(),
                ),
                example: None,
            }),
            security: vec![],
            responses: Default::default(),
            deprecated: false,
        }
    }

    #[test]
    fn valid_request_from_schema() {
        let o = op();
        let v = RequestValues::valid(&o);
        let r = v.render(&o);
        assert_eq!(r.path, "/items/5");
        assert_eq!(r.query, vec![("q".to_string(), "a b".to_string())]);
        let body: Value = serde_json::from_slice(&r.body.unwrap().bytes).unwrap();
        assert_eq!(body, json!({"name": "nat@example.com", "n": 1.0}));
    }

    #[test]
    fn path_segments_are_encoded_and_slots_replaced() {
        let o = op();
        let v = RequestValues::valid(&o).with(
            &Slot::Param(ParamLocation::Path, "id".into()),
            json!("1 AND 1=1/x"),
        );
        assert_eq!(v.render(&o).path, "/items/1%20AND%201%3D1%2Fx");
        let v = v.with(&Slot::BodyField("name".into()), json!(7));
        let body: Value = serde_json::from_slice(&v.render(&o).body.unwrap().bytes).unwrap();
        assert_eq!(body["name"], json!(7));
        assert_eq!(v.slots(&o).len(), 4);
    }

    #[test]
    fn violations_break_the_schema() {
        let m = schema_violations(Some(
            &json!({"type": "integer", "minimum": 1, "maximum": 100}).into(),
        ));
        let vals: Vec<_> = m.iter().map(|m| m.value.clone()).collect();
        assert!(
            vals.contains(&json!("nat-invalid"))
                && vals.contains(&json!(0))
                && vals.contains(&json!(101))
        );
    }
}
