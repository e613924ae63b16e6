//! A login behind a strict validator, as FastAPI/pydantic builds one (issue 15, cause 8): `POST
//! /{vuln,fixed}/strict/login` answers 422 with `{"detail": [{"loc", "msg", "type", "ctx"}]}` to a
//! body whose `username` does not match `^[a-z]{3,16}$` or whose `password` is not 8 to 64
//! characters. Only a valid body is a login attempt: a wrong password or an unknown account answers
//! 401, alike. The vulnerable twin takes any number of them; the fixed twin answers 429 after
//! [`LIMIT`] failures for one account within a minute. A 422 is never counted: no login was
//! processed, so a scanner whose burst the validator rejects proves nothing either way.

use std::collections::HashMap;
use std::sync::Mutex;

use http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::authn::Window;
use super::routes::{json_body, json_resp, with_methods, Req, Resp, RouteGroup, State};
use super::validated::{error, not_an_object};
use super::{jwt, sessions};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("strict.json"),
};

/// Failed logins for one account within a minute before the fixed twin answers 429.
const LIMIT: usize = 5;
/// Length bounds of `username` (the pattern's) and `password`.
const USERNAME_LEN: (usize, usize) = (3, 16);
const PASSWORD_LEN: (usize, usize) = (8, 64);

/// Failed logins of the fixed twin, by username.
#[derive(Default)]
pub(super) struct StrictState {
    failures: Mutex<HashMap<String, Window>>,
}

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    let limited = match path {
        "vuln/strict/login" => false,
        "fixed/strict/login" => true,
        _ => return None,
    };
    Some(with_methods(req, &[Method::POST], || {
        match validate(json_body(req)) {
            Ok((username, password)) => login(state, &username, &password, limited),
            Err(detail) => json_resp(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "detail": detail }),
            ),
        }
    }))
}

/// A valid body: the password checked, failures counted by the fixed twin.
fn login(state: &State, username: &str, password: &str, limited: bool) -> Resp {
    let mut failures = state
        .strict
        .failures
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let window = failures
        .entry(username.to_string())
        .or_insert_with(Window::new);
    if limited {
        if let Some(retry_after) = window.blocked_at(LIMIT) {
            let mut resp = json_resp(
                StatusCode::TOO_MANY_REQUESTS,
                &json!({"detail": "Too many failed logins for this account. Try again later."}),
            );
            resp.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after));
            return resp;
        }
    }
    let user = jwt::USERS
        .iter()
        .zip(sessions::PASSWORDS)
        .find(|(u, p)| u.name == username && *p == password)
        .map(|(u, _)| *u);
    if let Some(user) = user {
        failures.remove(username);
        return json_resp(
            StatusCode::OK,
            &json!({"access_token": jwt::token_for(user), "token_type": "bearer"}),
        );
    }
    if limited {
        window.count();
    }
    // FastAPI's tutorial answer: one message for unknown accounts and wrong passwords.
    let mut resp = json_resp(
        StatusCode::UNAUTHORIZED,
        &json!({"detail": "Incorrect username or password"}),
    );
    resp.headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

/// `(username, password)` when the body is valid; every error otherwise, as FastAPI lists them.
fn validate(body: Option<Value>) -> Result<(String, String), Vec<Value>> {
    let Some(Value::Object(body)) = body else {
        return Err(vec![not_an_object()]);
    };
    let mut errors = Vec::new();
    let username = string_field(&body, "username", USERNAME_LEN, &mut errors).filter(|u| {
        let ok = u.bytes().all(|b| b.is_ascii_lowercase());
        if !ok {
            errors.push(error(
                "username",
                "string_pattern_mismatch",
                "String should match pattern '^[a-z]{3,16}$'".into(),
                Some(json!({"pattern": "^[a-z]{3,16}$"})),
            ));
        }
        ok
    });
    let password = string_field(&body, "password", PASSWORD_LEN, &mut errors);
    match (username, password) {
        (Some(u), Some(p)) if errors.is_empty() => Ok((u.to_string(), p.to_string())),
        _ => Err(errors),
    }
}

/// A required string field of `min..=max` characters, or the error it earns.
fn string_field<'a>(
    body: &'a Map<String, Value>,
    field: &str,
    (min, max): (usize, usize),
    errors: &mut Vec<Value>,
) -> Option<&'a str> {
    let s = match body.get(field) {
        None => {
            errors.push(error(field, "missing", "Field required".into(), None));
            return None;
        }
        Some(Value::String(s)) => s,
        Some(_) => {
            errors.push(error(
                field,
                "string_type",
                "Input should be a valid string".into(),
                None,
            ));
            return None;
        }
    };
    let n = s.chars().count();
    if n < min {
        errors.push(error(
            field,
            "string_too_short",
            format!("String should have at least {min} characters"),
            Some(json!({"min_length": min})),
        ));
        None
    } else if n > max {
        errors.push(error(
            field,
            "string_too_long",
            format!("String should have at most {max} characters"),
            Some(json!({"max_length": max})),
        ));
        None
    } else {
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(body: Value) -> Vec<(String, String)> {
        validate(Some(body))
            .unwrap_err()
            .iter()
            .map(|e| {
                (
                    e["loc"][1].as_str().unwrap_or_default().to_string(),
                    e["type"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn only_a_valid_body_is_a_login_attempt() {
        assert_eq!(
            validate(Some(json!({"username": "alice", "password": "12345678"}))),
            Ok(("alice".into(), "12345678".into()))
        );
        let k = |f: &str, t: &str| vec![(f.to_string(), t.to_string())];
        for (body, expected) in [
            (
                json!({"username": "Alice", "password": "12345678"}),
                k("username", "string_pattern_mismatch"),
            ),
            (
                json!({"username": "al", "password": "12345678"}),
                k("username", "string_too_short"),
            ),
            (
                json!({"username": "a".repeat(17), "password": "12345678"}),
                k("username", "string_too_long"),
            ),
            (
                json!({"username": "alice", "password": "short"}),
                k("password", "string_too_short"),
            ),
            (
                json!({"username": "alice", "password": 12345678}),
                k("password", "string_type"),
            ),
            (json!({"password": "12345678"}), k("username", "missing")),
        ] {
            assert_eq!(kinds(body.clone()), expected, "{body}");
        }
        // Every problem is listed, in field order.
        assert_eq!(
            kinds(json!({"username": "x y"})),
            [
                (
                    "username".to_string(),
                    "string_pattern_mismatch".to_string()
                ),
                ("password".to_string(), "missing".to_string())
            ]
        );
        assert_eq!(
            validate(Some(json!([]))).unwrap_err()[0]["type"],
            "model_attributes_type"
        );
    }
}
