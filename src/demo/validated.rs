//! A strictly validating API, as FastAPI/pydantic builds one: `POST /{vuln,fixed}/validated/lookup`
//! checks every body field against its schema (`pattern`, `enum`, `format: email`, integer bounds
//! and `multipleOf`) and answers 422 with `{"detail": [{"loc", "msg", "type", "ctx"}]}` for anything
//! invalid. Only a valid body reaches the lookup: the vulnerable twin concatenates `product` into
//! its SQL (boolean-blind, errors hidden), the fixed twin binds it. A scanner that sends values the
//! schema rejects never gets past the validator, and so never finds the injection.

use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::routes::{authed, json_body, json_resp, with_methods, Req, Resp, RouteGroup, State};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("validated.json"),
};

/// The `category` values the description lists.
const CATEGORIES: &[&str] = &["tools", "toys", "garden"];

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/validated/lookup" => true,
        "fixed/validated/lookup" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::POST], || {
        authed(req, |_| match validate(json_body(req)) {
            Ok(product) => lookup(state, &product, vulnerable),
            Err(detail) => json_resp(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "detail": detail }),
            ),
        })
    }))
}

fn lookup(state: &State, product: &str, vulnerable: bool) -> Resp {
    let rows = if vulnerable {
        // VULNERABLE: the validated, but still arbitrary, product name is concatenated.
        let sql = format!("SELECT id, name, price FROM products WHERE name = '{product}'");
        state.db.query(&sql, &[]).unwrap_or_default()
    } else {
        state
            .db
            .query(
                "SELECT id, name, price FROM products WHERE name = ?1",
                &[&product],
            )
            .unwrap_or_default()
    };
    json_resp(StatusCode::OK, &json!({ "results": rows }))
}

/// pydantic's error for a body that is no JSON object.
pub(super) fn not_an_object() -> Value {
    json!({
        "loc": ["body"],
        "msg": "Input should be a valid dictionary or object to extract fields from",
        "type": "model_attributes_type",
    })
}

/// One pydantic-style error (also `strict.rs`'s).
pub(super) fn error(field: &str, kind: &str, msg: String, ctx: Option<Value>) -> Value {
    let mut e = json!({"loc": ["body", field], "msg": msg, "type": kind});
    if let Some(ctx) = ctx {
        e["ctx"] = ctx;
    }
    e
}

/// The body's `product` when every field is valid; every error otherwise, as FastAPI lists them.
fn validate(body: Option<Value>) -> Result<String, Vec<Value>> {
    let Some(Value::Object(body)) = body else {
        return Err(vec![not_an_object()]);
    };
    let mut errors = Vec::new();
    let mut product = String::new();
    if let Some(mode) = string_field(&body, "mode", &mut errors) {
        if mode != "exact" {
            errors.push(error(
                "mode",
                "string_pattern_mismatch",
                "String should match pattern '^exact$'".into(),
                Some(json!({"pattern": "^exact$"})),
            ));
        }
    }
    if let Some(p) = string_field(&body, "product", &mut errors) {
        match p.chars().count() {
            0 => errors.push(error(
                "product",
                "string_too_short",
                "String should have at least 1 character".into(),
                Some(json!({"min_length": 1})),
            )),
            101.. => errors.push(error(
                "product",
                "string_too_long",
                "String should have at most 100 characters".into(),
                Some(json!({"max_length": 100})),
            )),
            _ => product = p.to_string(),
        }
    }
    if let Some(c) = string_field(&body, "category", &mut errors) {
        if !CATEGORIES.contains(&c) {
            let expected = "'tools', 'toys' or 'garden'";
            errors.push(error(
                "category",
                "enum",
                format!("Input should be {expected}"),
                Some(json!({ "expected": expected })),
            ));
        }
    }
    if let Some(c) = string_field(&body, "contact", &mut errors) {
        if !is_email(c) {
            errors.push(error(
                "contact",
                "value_error",
                "value is not a valid email address".into(),
                None,
            ));
        }
    }
    if let Some(r) = string_field(&body, "reference", &mut errors) {
        let b = r.as_bytes();
        let ok = b.len() == 8
            && b[..3].iter().all(u8::is_ascii_uppercase)
            && b[3] == b'-'
            && b[4..].iter().all(u8::is_ascii_digit);
        if !ok {
            errors.push(error(
                "reference",
                "string_pattern_mismatch",
                "String should match pattern '^[A-Z]{3}-[0-9]{4}$'".into(),
                Some(json!({"pattern": "^[A-Z]{3}-[0-9]{4}$"})),
            ));
        }
    }
    match body.get("quantity") {
        None => errors.push(missing("quantity")),
        Some(q) => match q.as_i64() {
            None => errors.push(error(
                "quantity",
                "int_type",
                "Input should be a valid integer".into(),
                None,
            )),
            Some(n) if n <= 0 => errors.push(error(
                "quantity",
                "greater_than",
                "Input should be greater than 0".into(),
                Some(json!({"gt": 0})),
            )),
            Some(n) if n > 10 => errors.push(error(
                "quantity",
                "less_than_equal",
                "Input should be less than or equal to 10".into(),
                Some(json!({"le": 10})),
            )),
            Some(n) if n % 2 != 0 => errors.push(error(
                "quantity",
                "multiple_of",
                "Input should be a multiple of 2".into(),
                Some(json!({"multiple_of": 2})),
            )),
            Some(_) => {}
        },
    }
    if errors.is_empty() {
        Ok(product)
    } else {
        Err(errors)
    }
}

fn missing(field: &str) -> Value {
    error(field, "missing", "Field required".into(), None)
}

/// A required string field, or the error it earns.
fn string_field<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    errors: &mut Vec<Value>,
) -> Option<&'a str> {
    match body.get(field) {
        None => {
            errors.push(missing(field));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            errors.push(error(
                field,
                "string_type",
                "Input should be a valid string".into(),
                None,
            ));
            None
        }
    }
}

/// `local@domain.tld`, without spaces: what an e-mail validator accepts at the least.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Value {
        json!({"mode": "exact", "product": "widget", "category": "tools",
               "contact": "a@example.com", "reference": "ABC-1234", "quantity": 2})
    }

    #[test]
    fn only_a_valid_body_passes_and_each_error_names_its_field() {
        assert_eq!(validate(Some(valid())), Ok("widget".into()));
        for (field, bad, kind) in [
            ("mode", json!("nat"), "string_pattern_mismatch"),
            ("category", json!("admin"), "enum"),
            ("contact", json!("nat"), "value_error"),
            ("reference", json!("abc-1234"), "string_pattern_mismatch"),
            ("quantity", json!(1), "multiple_of"),
            ("quantity", json!(0), "greater_than"),
            ("quantity", json!(12), "less_than_equal"),
            ("product", json!(""), "string_too_short"),
            ("product", json!(7), "string_type"),
        ] {
            let mut body = valid();
            body[field] = bad;
            let errors = validate(Some(body)).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0]["loc"], json!(["body", field]));
            assert_eq!(errors[0]["type"], kind);
        }
        let mut body = valid();
        body.as_object_mut().unwrap().remove("contact");
        assert_eq!(validate(Some(body)).unwrap_err()[0]["type"], "missing");
        assert_eq!(
            validate(None).unwrap_err()[0]["type"],
            "model_attributes_type"
        );
    }
}
