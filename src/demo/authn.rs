//! Demo routes of the authentication checks: logins that reveal which accounts exist or take any
//! number of wrong passwords, a password reset without rate limiting, their fixed twins, and the
//! user's own profile (`GET /authn/me`, where nat learns alice's username).
//!
//! The demo users' passwords are public on purpose: the demo is a test target, not a real service.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::header::{HeaderValue, RETRY_AFTER};
use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::jwt::{self, User};
use super::routes::{
    authed, bad_request, json_body, json_resp, problem, with_methods, Req, Resp, RouteGroup, State,
};

/// The group: its routes and its part of the description.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("authn.json"),
};

/// The demo users' passwords.
const PASSWORDS: [(&str, &str); 2] = [
    ("alice", "alice-demo-password-1"),
    ("bob", "bob-demo-password-2"),
];
/// Failed logins for one username (or reset requests in all) within one [`WINDOW`] before 429.
const LIMIT: usize = 5;
/// The window of [`LIMIT`], and the `Retry-After` of a 429.
const WINDOW: Duration = Duration::from_secs(60);
/// Longest username and password accepted.
const MAX_FIELD: usize = 128;

/// A fixed-window counter: [`LIMIT`] events within [`WINDOW`] of the first, then blocked until the
/// window ends. Fixed rather than sliding windows, so a blocked client is blocked for a stretch of
/// time and not let through one request at a time as old events expire (which would make other
/// checks see answers alternate).
#[derive(Clone, Copy)]
pub(super) struct Window {
    started: Instant,
    count: usize,
}

impl Window {
    pub(super) fn new() -> Self {
        Window {
            started: Instant::now(),
            count: 0,
        }
    }

    /// Starts a new window when this one is over; `Some(seconds left)` while blocked.
    fn blocked(&mut self) -> Option<u64> {
        self.blocked_at(LIMIT)
    }

    /// [`Window::blocked`] with another limit than [`LIMIT`].
    pub(super) fn blocked_at(&mut self, limit: usize) -> Option<u64> {
        let elapsed = self.started.elapsed();
        if elapsed >= WINDOW {
            *self = Window::new();
        }
        (self.count >= limit).then(|| WINDOW.saturating_sub(elapsed).as_secs().max(1))
    }

    /// Counts one event (a failed login).
    pub(super) fn count(&mut self) {
        self.count += 1;
    }
}

/// Counters of the fixed twins, per demo server.
#[derive(Default)]
pub(super) struct AuthnState {
    /// Failed logins by username (lower-case), for the fixed logins.
    failures: Mutex<HashMap<String, Window>>,
    /// Password reset requests, for the fixed reset.
    resets: Mutex<Option<Window>>,
}

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    let post = &[Method::POST];
    let resp = match path {
        "authn/me" => with_methods(req, &[Method::GET], || authed(req, me)),
        "vuln/authn/login" => with_methods(req, post, || login(state, req, Twin::Enumerating)),
        "fixed/authn/login" => with_methods(req, post, || login(state, req, Twin::Fixed)),
        "vuln/authn/signin" => with_methods(req, post, || login(state, req, Twin::Unlimited)),
        "fixed/authn/signin" => with_methods(req, post, || login(state, req, Twin::Fixed)),
        "vuln/authn/password-reset" => with_methods(req, post, || reset(state, req, false)),
        "fixed/authn/password-reset" => with_methods(req, post, || reset(state, req, true)),
        _ => return None,
    };
    Some(resp)
}

/// The caller's own profile, with the username the logins take.
fn me(user: User) -> Resp {
    json_resp(
        StatusCode::OK,
        &json!({
            "id": user.id,
            "username": user.name,
            "email": format!("{}@nat-demo.test", user.name),
        }),
    )
}

/// How a login route fails.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Twin {
    /// VULNERABLE: 404 for an unknown user, 401 for a wrong password; never throttled.
    Enumerating,
    /// VULNERABLE: one answer for every failure, but never throttled.
    Unlimited,
    /// FIXED: one answer for every failure, and 429 with `Retry-After` after [`LIMIT`] failures for a
    /// username within [`WINDOW`], whether the account exists or not.
    Fixed,
}

pub(super) fn too_many(detail: &str, retry_after: u64) -> Resp {
    let mut resp = problem(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests", detail);
    resp.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after));
    resp
}

/// A string field of 1 to [`MAX_FIELD`] characters.
fn field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.chars().count() <= MAX_FIELD)
}

fn login(state: &State, req: &Req, twin: Twin) -> Resp {
    let body = json_body(req).unwrap_or(Value::Null);
    let (Some(username), Some(password)) = (field(&body, "username"), field(&body, "password"))
    else {
        return bad_request("username and password must be strings of 1 to 128 characters.");
    };
    let key = username.to_lowercase();
    let mut failures = state
        .authn
        .failures
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let window = failures.entry(key.clone()).or_insert_with(Window::new);
    if twin == Twin::Fixed {
        if let Some(retry_after) = window.blocked() {
            return too_many(
                "Too many failed logins for this account. Try again later.",
                retry_after,
            );
        }
    }
    let account = PASSWORDS.iter().find(|(name, _)| *name == username);
    match account {
        Some((name, pw)) if *pw == password => {
            failures.remove(&key);
            let user = jwt::USERS.iter().copied().find(|u| u.name == *name);
            match user {
                Some(user) => json_resp(StatusCode::OK, &json!({"token": jwt::token_for(user)})),
                None => bad_request("Unknown account."),
            }
        }
        _ if twin == Twin::Enumerating => {
            if account.is_some() {
                problem(StatusCode::UNAUTHORIZED, "Unauthorized", "Wrong password.")
            } else {
                problem(
                    StatusCode::NOT_FOUND,
                    "Not Found",
                    "There is no account with this username.",
                )
            }
        }
        _ => {
            if twin == Twin::Fixed {
                window.count += 1;
            }
            problem(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Invalid username or password.",
            )
        }
    }
}

/// Password reset: always the same 202, so it does not reveal accounts either. VULNERABLE
/// (`!limited`): any number of requests. FIXED: at most [`LIMIT`] within [`WINDOW`], announced with
/// `RateLimit-*` headers, then 429 with `Retry-After`.
fn reset(state: &State, req: &Req, limited: bool) -> Resp {
    let body = json_body(req).unwrap_or(Value::Null);
    let Some(email) = field(&body, "email") else {
        return bad_request("email must be a string of 1 to 128 characters.");
    };
    if !email.contains('@') {
        return bad_request("email must be an email address.");
    }
    let mut remaining = None;
    if limited {
        let mut resets = state.authn.resets.lock().unwrap_or_else(|e| e.into_inner());
        let window = resets.get_or_insert_with(Window::new);
        if let Some(retry_after) = window.blocked() {
            return too_many(
                "Too many password reset requests. Try again later.",
                retry_after,
            );
        }
        window.count += 1;
        remaining = Some(LIMIT - window.count);
    }
    let mut resp = json_resp(
        StatusCode::ACCEPTED,
        &json!({
            "status": "accepted",
            "detail": "If an account exists for this address, a reset link is on its way.",
        }),
    );
    if let Some(remaining) = remaining {
        let h = resp.headers_mut();
        h.insert("RateLimit-Limit", HeaderValue::from(LIMIT));
        h.insert("RateLimit-Remaining", HeaderValue::from(remaining));
    }
    resp
}
