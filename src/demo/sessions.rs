//! Sessions: a login route that issues short-lived session tokens, and two vulnerable/fixed pairs.
//!
//! - `POST /sessions/login` takes `{username, password, ttl_seconds?}` (JSON or a form) and answers
//!   `{access_token, token_type, expires_in}`: an HS256 JWT with `exp` and a session id (`jti`).
//!   `ttl_seconds` (1 to 3600, default 900) lets tests make tokens expire mid-scan.
//! - `GET /vuln/sessions/profile` accepts an expired token (it checks the signature, not `exp`);
//!   `GET /fixed/sessions/profile` does not. Both refuse a logged-out session.
//! - `POST /vuln/sessions/logout` answers 204 and ends nothing; `POST /fixed/sessions/logout` revokes
//!   the token's session.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::jwt::{self, User, USERS};
use super::routes::{
    bad_request, bearer, json_resp, problem, unauthorized, with_methods, Req, Resp, RouteGroup,
    State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("sessions.json"),
};

/// The demo users' passwords, in the order of [`USERS`].
pub const PASSWORDS: [&str; 2] = ["alice-demo-pass-7c1f", "bob-demo-pass-2e9a"];

/// Where the login route is (with the API prefix).
pub const LOGIN_PATH: &str = "/api/v1/sessions/login";

/// Lifetime of a session token when the login does not ask for one (seconds).
const DEFAULT_TTL: i64 = 900;

/// Session state: ids issued, sessions ended.
#[derive(Default)]
pub struct Sessions {
    next: AtomicU64,
    revoked: Mutex<HashSet<String>>,
    /// Failed logins by username (lower-case), for the lockout of [`LOGIN_FAILURES`].
    failures: Mutex<std::collections::HashMap<String, super::authn::Window>>,
    /// Passwords set through `PUT /…/accounts/{username}/password`, by username; the others are
    /// [`PASSWORDS`].
    changed: Mutex<std::collections::HashMap<String, String>>,
}

/// Failed logins for one username within a minute before the login answers 429. The login every
/// demo scan uses is protected against brute force like the fixed twins, with a higher limit than
/// theirs so that the two wrong passwords of each user-enumeration probe never lock the demo users
/// out across a few scans of one server.
const LOGIN_FAILURES: usize = 10;

impl Sessions {
    /// Sets a demo user's password (`accounts.rs`); false for an unknown user.
    pub(super) fn set_password(&self, username: &str, password: &str) -> bool {
        if !USERS.iter().any(|u| u.name == username) {
            return false;
        }
        self.changed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(username.to_string(), password.to_string());
        true
    }

    /// Whether `password` is the demo user's current one.
    fn password_matches(&self, user: &User, index: usize, password: &str) -> bool {
        let changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
        match changed.get(user.name) {
            Some(p) => p == password,
            None => PASSWORDS.get(index).is_some_and(|p| *p == password),
        }
    }

    fn is_revoked(&self, jti: &str) -> bool {
        self.revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(jti)
    }
}

fn handle(state: &State, req: &Req, rest: &str) -> Option<Resp> {
    let resp = match rest {
        "sessions/login" => with_methods(req, &[Method::POST], || login(state, req)),
        "vuln/sessions/profile" => with_methods(req, &[Method::GET], || profile(state, req, false)),
        "fixed/sessions/profile" => with_methods(req, &[Method::GET], || profile(state, req, true)),
        "vuln/sessions/logout" => with_methods(req, &[Method::POST], || logout(state, req, false)),
        "fixed/sessions/logout" => with_methods(req, &[Method::POST], || logout(state, req, true)),
        _ => return None,
    };
    Some(resp)
}

/// The login form or JSON body as a JSON object; `None` when it is neither.
fn credentials(req: &Req) -> Option<serde_json::Map<String, Value>> {
    let form = req
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        let map = url::form_urlencoded::parse(&req.body)
            .map(|(k, v)| {
                let value = match k.as_ref() {
                    "ttl_seconds" => v.parse::<i64>().map_or(Value::Null, Value::from),
                    _ => Value::String(v.into_owned()),
                };
                (k.into_owned(), value)
            })
            .collect();
        return Some(map);
    }
    match serde_json::from_slice(&req.body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn login(state: &State, req: &Req) -> Resp {
    let Some(body) = credentials(req) else {
        return bad_request("The body must be a JSON object or a form.");
    };
    let (Some(username), Some(password)) = (
        body.get("username").and_then(Value::as_str),
        body.get("password").and_then(Value::as_str),
    ) else {
        return bad_request("username and password must be strings.");
    };
    let ttl = match body.get("ttl_seconds") {
        None => DEFAULT_TTL,
        Some(v) => match v.as_i64() {
            Some(n @ 1..=3600) => n,
            _ => return bad_request("ttl_seconds must be an integer from 1 to 3600."),
        },
    };
    let key = username.to_lowercase();
    let mut failures = state
        .sessions
        .failures
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let window = failures
        .entry(key.clone())
        .or_insert_with(super::authn::Window::new);
    if let Some(retry_after) = window.blocked_at(LOGIN_FAILURES) {
        return super::authn::too_many(
            "Too many failed logins for this account. Try again later.",
            retry_after,
        );
    }
    let user: Option<User> = USERS
        .iter()
        .enumerate()
        .find(|(i, u)| u.name == username && state.sessions.password_matches(u, *i, password))
        .map(|(_, u)| *u);
    let Some(user) = user else {
        window.count();
        return problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Wrong user name or password.",
        );
    };
    failures.remove(&key);
    drop(failures);
    let n = state.sessions.next.fetch_add(1, Ordering::Relaxed) + 1;
    let token = jwt::session_token(user, ttl, &format!("session-{n}"));
    json_resp(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl}),
    )
}

/// The caller of a session route: a correctly signed token of a known user whose session was not
/// ended; `exp` is checked only when `check_expiry`.
fn caller(state: &State, req: &Req, check_expiry: bool) -> Option<(User, Option<String>)> {
    let (user, claims) = jwt::verify_claims(bearer(req)?, check_expiry)?;
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .map(str::to_string);
    if jti.as_deref().is_some_and(|j| state.sessions.is_revoked(j)) {
        return None;
    }
    Some((user, jti))
}

/// VULNERABLE (`fixed == false`): an expired token still works. FIXED: `exp` is honoured.
fn profile(state: &State, req: &Req, fixed: bool) -> Resp {
    match caller(state, req, fixed) {
        Some((user, _)) => json_resp(
            StatusCode::OK,
            &json!({"user": user.id.to_string(), "name": user.name}),
        ),
        None => unauthorized(),
    }
}

/// VULNERABLE (`fixed == false`): says goodbye and ends nothing. FIXED: the session is revoked.
fn logout(state: &State, req: &Req, fixed: bool) -> Resp {
    let Some((_, jti)) = caller(state, req, true) else {
        return unauthorized();
    };
    if fixed {
        if let Some(jti) = jti {
            state
                .sessions
                .revoked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(jti);
        }
    }
    let mut resp = Resp::new(bytes::Bytes::new());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}
