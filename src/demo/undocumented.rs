//! Endpoints the demo serves but its description does not list (API9): an internal configuration
//! page at `/api/v1/internal/config` and an older version of the login, `/api/v0/sessions/login`,
//! that checks no password. The current login (`/api/v1/sessions/login`) is their fixed twin:
//! documented, and refusing a wrong password. Every other unlisted path is a 404, so a scanner's
//! random-path control shows what "not found" looks like.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::jwt::{self, USERS};
use super::routes::{authed, bad_request, json_resp, problem, with_methods, Req, Resp, State};

/// Answers the unlisted endpoints, by full path; `None` for any other path.
pub(super) fn handle(_state: &State, req: &Req) -> Option<Resp> {
    match req.path.as_str() {
        "/api/v1/internal/config" => Some(with_methods(req, &[Method::GET], || {
            authed(req, |_| {
                json_resp(
                    StatusCode::OK,
                    &json!({
                        "environment": "production",
                        "debug": true,
                        "database": {"host": "db.internal", "pool": 20},
                        "feature_flags": {"new_checkout": false}
                    }),
                )
            })
        })),
        "/api/v0/sessions/login" => Some(with_methods(req, &[Method::POST], || old_login(req))),
        _ => None,
    }
}

/// VULNERABLE: the old login hands out a session for any known user name, password unchecked.
fn old_login(req: &Req) -> Resp {
    let body: Option<Value> = super::routes::json_body(req);
    let Some(name) = body
        .as_ref()
        .and_then(|b| b.get("username"))
        .and_then(Value::as_str)
    else {
        return bad_request("username and password must be strings.");
    };
    match USERS.iter().find(|u| u.name == name) {
        Some(user) => json_resp(
            StatusCode::OK,
            &json!({"access_token": jwt::token_for(*user), "token_type": "bearer"}),
        ),
        None => problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Wrong user name or password.",
        ),
    }
}
