//! Passwords set through an operation that names the account in its path (API1 on credentials):
//! `PUT /{vuln,fixed}/accounts/{username}/password` takes `{"password"}` (12 to 128 characters)
//! and sets the password the demo login (`sessions.rs`) checks. The vulnerable twin sets it for
//! whichever account the path names, so any logged-in user takes over any other; the fixed twin
//! answers 403 unless the path names the caller's own account.

use http::{Method, StatusCode};
use serde_json::Value;

use super::routes::{
    authed, bad_request, decode, json_body, json_resp, not_found, problem, with_methods, Req, Resp,
    RouteGroup, State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("accounts.json"),
};

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    let segs: Vec<&str> = path.split('/').collect();
    let (vulnerable, name) = match segs.as_slice() {
        [twin @ ("vuln" | "fixed"), "accounts", name, "password"] if !name.is_empty() => {
            (*twin == "vuln", decode(name))
        }
        _ => return None,
    };
    Some(with_methods(req, &[Method::PUT], || {
        authed(req, |user| {
            let password = json_body(req)
                .and_then(|b| {
                    b.get("password")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .filter(|p| (12..=128).contains(&p.chars().count()));
            let Some(password) = password else {
                return bad_request("`password` must be a string of 12 to 128 characters.");
            };
            // FIXED: only the caller's own account. VULNERABLE: any account the path names.
            if !vulnerable && name != user.name {
                return problem(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "You may change your own password only.",
                );
            }
            if !state.sessions.set_password(&name, &password) {
                return not_found();
            }
            let mut resp = json_resp(StatusCode::NO_CONTENT, &Value::Null);
            *resp.body_mut() = bytes::Bytes::new();
            resp.headers_mut().remove(http::header::CONTENT_TYPE);
            resp
        })
    }))
}
