//! The demo's request handling: one synchronous dispatcher over a plain request, so every route is
//! easy to read next to its twin. `serve` feeds it from warp.
//!
//! Vulnerable routes live under `/api/v1/vuln/…`, their fixed twins under `/api/v1/fixed/…`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Response, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use super::db::Db;
use super::jwt::{self, User};

/// The core of the demo's OpenAPI 3.0.3 description; [`openapi`] adds the route groups' parts.
const OPENAPI_CORE: &str = include_str!("openapi.json");

/// A group of demo routes kept in a file of its own: it answers the paths it owns and brings its own
/// part of the description. Adding one means a file, a fragment and a line in [`GROUPS`].
pub(super) struct RouteGroup {
    /// Answers a request whose path (after `/api/v1/`) is one of the group's routes; `None` when the
    /// path is not the group's. Security headers are added by [`handle`].
    pub handle: fn(&State, &Req, &str) -> Option<Resp>,
    /// The group's part of the description: `{"paths": {…}, "components": {"schemas": {…}, …}}`.
    pub openapi: &'static str,
}

/// The route groups beyond the core routes of this file.
static GROUPS: &[RouteGroup] = &[
    super::admin::GROUP,
    super::notes::GROUP,
    super::sessions::GROUP,
    super::authn::GROUP,
    super::exposure::GROUP,
    super::maintenance::GROUP,
    super::validated::GROUP,
    super::shelf::GROUP,
    super::accounts::GROUP,
    super::webhooks::GROUP,
    super::tools::GROUP,
    super::inband::GROUP,
    super::strict::GROUP,
    super::undeclared::GROUP,
    super::keepalive::GROUP,
    super::legacy::GROUP,
    super::pages::GROUP,
];

/// The demo's whole OpenAPI 3.0.3 description (core plus every group), served at `/openapi.json`.
pub fn openapi() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        merge_openapi(OPENAPI_CORE, GROUPS.iter().map(|g| g.openapi)).unwrap_or_else(|e| {
            // The fragments are compiled in; a broken one is a bug the demo tests catch.
            panic!("demo description fragments do not merge: {e}")
        })
    })
}

/// Merges fragments' `paths` and `components.*` maps into `core`; a path or component defined twice
/// is an error.
fn merge_openapi<'a>(
    core: &str,
    fragments: impl Iterator<Item = &'a str>,
) -> Result<String, String> {
    let mut doc: Value = serde_json::from_str(core).map_err(|e| format!("core: {e}"))?;
    for (i, fragment) in fragments.enumerate() {
        let frag: Value =
            serde_json::from_str(fragment).map_err(|e| format!("fragment {i}: {e}"))?;
        let mut sections: Vec<(Vec<&str>, &Value)> = Vec::new();
        if let Some(paths) = frag.get("paths") {
            sections.push((vec!["paths"], paths));
        }
        if let Some(Value::Object(components)) = frag.get("components") {
            for (kind, map) in components {
                sections.push((vec!["components", kind.as_str()], map));
            }
        }
        for (at, map) in sections {
            let Value::Object(map) = map else {
                return Err(format!("fragment {i}: {} is not an object", at.join(".")));
            };
            let mut target = &mut doc;
            for key in &at {
                target = target
                    .as_object_mut()
                    .ok_or_else(|| format!("core: {key} is not an object"))?
                    .entry(key.to_string())
                    .or_insert_with(|| json!({}));
            }
            let target = target
                .as_object_mut()
                .ok_or_else(|| format!("core: {} is not an object", at.join(".")))?;
            for (name, value) in map {
                if target.insert(name.clone(), value.clone()).is_some() {
                    return Err(format!(
                        "fragment {i}: {}.{name} defined twice",
                        at.join(".")
                    ));
                }
            }
        }
    }
    serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())
}

/// Prefix of every API route (the description's `servers` URL).
pub const API_PREFIX: &str = "/api/v1";

/// The only origin the fixed CORS route trusts.
pub const TRUSTED_ORIGIN: &str = "https://app.nat-demo.test";

/// Largest request body read (bytes); more answers 413.
pub const MAX_BODY: usize = 64 * 1024;

/// Longest product name or search query the fixed routes accept (the description's `maxLength`).
const MAX_NAME: usize = 100;

/// One request, already read.
pub struct Req {
    /// Method.
    pub method: Method,
    /// Raw (still percent-encoded) path.
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
    /// Headers.
    pub headers: HeaderMap,
    /// Body (at most [`MAX_BODY`] bytes).
    pub body: Bytes,
}

/// Shared state of a running demo.
pub struct State {
    pub(super) db: Db,
    next_order: AtomicU64,
    /// The account records of this server instance, by (vulnerable twin?, user id).
    accounts: Mutex<HashMap<(bool, i64), Account>>,
    /// Notes users create (`/{vuln,fixed}/notes`).
    pub(super) notes: super::notes::Notes,
    /// Sessions issued and ended (`sessions.rs`).
    pub(super) sessions: super::sessions::Sessions,
    /// Login failures and reset requests the authentication twins count.
    pub(super) authn: super::authn::AuthnState,
    /// Calls of the destructive read `GET /maintenance/reset-cache`.
    pub(super) cache_resets: AtomicU64,
    /// Books and their owners (`shelf.rs`).
    pub(super) shelf: super::shelf::Shelf,
    /// Failed logins the fixed strict login counts (`strict.rs`).
    pub(super) strict: super::strict::StrictState,
}

/// A user's stored account (`/{vuln,fixed}/account`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Account {
    name: String,
    role: String,
    is_admin: bool,
}

impl State {
    /// Fresh state with a seeded database.
    pub fn new() -> std::io::Result<State> {
        let db = Db::open().map_err(std::io::Error::other)?;
        Ok(State {
            db,
            next_order: AtomicU64::new(1),
            accounts: Mutex::new(HashMap::new()),
            notes: super::notes::Notes::default(),
            sessions: Default::default(),
            authn: Default::default(),
            cache_resets: AtomicU64::new(0),
            shelf: Default::default(),
            strict: Default::default(),
        })
    }
}

pub(super) type Resp = Response<Bytes>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Health,
    VulnReport(&'a str),
    FixedReport(&'a str),
    VulnSession,
    FixedSession,
    VulnJwtMe,
    FixedJwtMe,
    VulnCorsProfile,
    VulnCorsWildcard,
    FixedCorsProfile,
    VulnHeaders,
    FixedHeaders,
    VulnItem(&'a str),
    FixedItem(&'a str),
    VulnProducts,
    FixedProducts,
    VulnProduct(&'a str),
    FixedProduct(&'a str),
    VulnSearch,
    FixedSearch,
    VulnOrders,
    FixedOrders,
    VulnDocuments,
    FixedDocuments,
    VulnDocument(&'a str),
    FixedDocument(&'a str),
    VulnUser(&'a str),
    FixedUser(&'a str),
    VulnAccount,
    FixedAccount,
}

impl Route<'_> {
    fn parse(path: &str) -> Option<Route<'_>> {
        let segs: Vec<&str> = path.split('/').collect();
        let route = match segs.as_slice() {
            ["health"] => Route::Health,
            ["vuln", "reports", id] => Route::VulnReport(id),
            ["fixed", "reports", id] => Route::FixedReport(id),
            ["vuln", "session"] => Route::VulnSession,
            ["fixed", "session"] => Route::FixedSession,
            ["vuln", "jwt", "me"] => Route::VulnJwtMe,
            ["fixed", "jwt", "me"] => Route::FixedJwtMe,
            ["vuln", "cors", "profile"] => Route::VulnCorsProfile,
            ["vuln", "cors", "wildcard"] => Route::VulnCorsWildcard,
            ["fixed", "cors", "profile"] => Route::FixedCorsProfile,
            ["vuln", "headers", "profile"] => Route::VulnHeaders,
            ["fixed", "headers", "profile"] => Route::FixedHeaders,
            ["vuln", "errors", "items", id] => Route::VulnItem(id),
            ["fixed", "errors", "items", id] => Route::FixedItem(id),
            ["vuln", "products"] => Route::VulnProducts,
            ["fixed", "products"] => Route::FixedProducts,
            ["vuln", "products", id] => Route::VulnProduct(id),
            ["fixed", "products", id] => Route::FixedProduct(id),
            ["vuln", "search"] => Route::VulnSearch,
            ["fixed", "search"] => Route::FixedSearch,
            ["vuln", "orders"] => Route::VulnOrders,
            ["fixed", "orders"] => Route::FixedOrders,
            ["vuln", "documents"] => Route::VulnDocuments,
            ["fixed", "documents"] => Route::FixedDocuments,
            ["vuln", "documents", id] => Route::VulnDocument(id),
            ["fixed", "documents", id] => Route::FixedDocument(id),
            ["vuln", "users", id] => Route::VulnUser(id),
            ["fixed", "users", id] => Route::FixedUser(id),
            ["vuln", "account"] => Route::VulnAccount,
            ["fixed", "account"] => Route::FixedAccount,
            _ => return None,
        };
        // An empty path parameter (`/vuln/products/`) is no route.
        match route {
            Route::VulnReport(id)
            | Route::FixedReport(id)
            | Route::VulnItem(id)
            | Route::FixedItem(id)
            | Route::VulnProduct(id)
            | Route::FixedProduct(id)
            | Route::VulnDocument(id)
            | Route::FixedDocument(id)
            | Route::VulnUser(id)
            | Route::FixedUser(id)
                if id.is_empty() =>
            {
                None
            }
            r => Some(r),
        }
    }

    fn methods(self) -> &'static [Method] {
        match self {
            Route::VulnSearch | Route::FixedSearch | Route::VulnOrders | Route::FixedOrders => {
                &[Method::POST]
            }
            Route::VulnAccount | Route::FixedAccount => &[Method::GET, Method::PATCH],
            _ => &[Method::GET],
        }
    }
}

/// Answers one request. Never panics on any input.
pub fn handle(state: &State, req: &Req) -> Resp {
    if req.path == "/openapi.json" {
        let resp = match req.method {
            Method::GET | Method::HEAD => {
                with_type(StatusCode::OK, "application/json", openapi().into())
            }
            Method::OPTIONS => options("GET, HEAD, OPTIONS"),
            _ => method_not_allowed("GET, HEAD, OPTIONS"),
        };
        return security_headers(resp);
    }
    if let Some(resp) = super::undocumented::handle(state, req) {
        return security_headers(resp);
    }
    let rest = req
        .path
        .strip_prefix(API_PREFIX)
        .and_then(|p| p.strip_prefix('/'));
    if let Some(rest) = rest {
        if let Some(resp) = GROUPS.iter().find_map(|g| (g.handle)(state, req, rest)) {
            return security_headers(resp);
        }
    }
    let Some(route) = rest.and_then(Route::parse) else {
        return security_headers(problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            "There is no such route.",
        ));
    };
    let resp = with_methods(req, route.methods(), || dispatch(state, req, route));
    let resp = cors(route, req, resp);
    if route == Route::VulnHeaders {
        resp
    } else {
        security_headers(resp)
    }
}

/// Answers OPTIONS (204 with `Allow`) and methods a route lacks (405 with `Allow`) itself, and runs
/// `f` for the route's methods (HEAD too where GET is allowed).
pub(super) fn with_methods(req: &Req, methods: &[Method], f: impl FnOnce() -> Resp) -> Resp {
    let mut allow: Vec<&str> = methods.iter().map(Method::as_str).collect();
    if let Some(i) = methods.iter().position(|m| m == Method::GET) {
        allow.insert(i + 1, "HEAD");
    }
    allow.push("OPTIONS");
    let allow = allow.join(", ");
    if req.method == Method::OPTIONS {
        options(&allow)
    } else if methods.contains(&req.method)
        || (req.method == Method::HEAD && methods.contains(&Method::GET))
    {
        f()
    } else {
        method_not_allowed(&allow)
    }
}

fn dispatch(state: &State, req: &Req, route: Route<'_>) -> Resp {
    match route {
        Route::Health => json_resp(StatusCode::OK, &json!({"status": "ok"})),
        Route::VulnReport(id) => vuln_report(id),
        Route::FixedReport(id) => fixed_report(req, id),
        Route::VulnSession => vuln_session(req),
        Route::FixedSession => authed(req, |user| {
            json_resp(
                StatusCode::OK,
                &json!({"session": "active", "user": user.name}),
            )
        }),
        Route::VulnJwtMe => vuln_jwt_me(req),
        Route::FixedJwtMe => authed(req, |user| {
            json_resp(
                StatusCode::OK,
                &json!({"user": user.id.to_string(), "name": user.name}),
            )
        }),
        Route::VulnCorsProfile
        | Route::VulnCorsWildcard
        | Route::FixedCorsProfile
        | Route::VulnHeaders
        | Route::FixedHeaders => authed(req, |user| json_resp(StatusCode::OK, &profile(user))),
        Route::VulnItem(id) => authed(req, |_| vuln_item(id)),
        Route::FixedItem(id) => authed(req, |_| fixed_item(id)),
        Route::VulnProducts => authed(req, |_| vuln_products(state, req)),
        Route::FixedProducts => authed(req, |_| fixed_products(state, req)),
        Route::VulnProduct(id) => authed(req, |_| vuln_product(state, id)),
        Route::FixedProduct(id) => authed(req, |_| fixed_product(state, id)),
        Route::VulnSearch => authed(req, |_| vuln_search(state, req)),
        Route::FixedSearch => authed(req, |_| fixed_search(state, req)),
        Route::VulnOrders => authed(req, |_| vuln_orders(state, req)),
        Route::FixedOrders => authed(req, |_| fixed_orders(state, req)),
        Route::VulnDocuments | Route::FixedDocuments => authed(req, own_documents),
        Route::VulnDocument(id) => authed(req, |_| vuln_document(id)),
        Route::FixedDocument(id) => authed(req, |user| fixed_document(user, id)),
        Route::VulnUser(id) => authed(req, |user| vuln_user(user, id)),
        Route::FixedUser(id) => authed(req, |user| fixed_user(user, id)),
        Route::VulnAccount => authed(req, |user| account(state, req, user, true)),
        Route::FixedAccount => authed(req, |user| account(state, req, user, false)),
    }
}

// ----- responses -----

pub(super) fn with_type(status: StatusCode, content_type: &'static str, body: Bytes) -> Resp {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

pub(super) fn json_resp(status: StatusCode, value: &Value) -> Resp {
    with_type(status, "application/json", value.to_string().into())
}

/// An RFC 7807 problem.
pub(super) fn problem(status: StatusCode, title: &str, detail: &str) -> Resp {
    let body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    with_type(status, "application/problem+json", body.to_string().into())
}

pub(super) fn unauthorized() -> Resp {
    let mut resp = problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "A valid bearer token is required.",
    );
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"nat-demo\""),
    );
    resp
}

pub(super) fn bad_request(detail: &str) -> Resp {
    problem(StatusCode::BAD_REQUEST, "Bad Request", detail)
}

pub(super) fn not_found() -> Resp {
    problem(
        StatusCode::NOT_FOUND,
        "Not Found",
        "The resource does not exist.",
    )
}

fn options(allow: &str) -> Resp {
    let mut resp = Response::new(Bytes::new());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    if let Ok(v) = HeaderValue::from_str(allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
}

fn method_not_allowed(allow: &str) -> Resp {
    let mut resp = problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        "This route does not support that method.",
    );
    if let Ok(v) = HeaderValue::from_str(allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
}

/// 413 for a body over [`MAX_BODY`] (answered before any route runs).
pub fn too_large() -> Resp {
    security_headers(problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Payload Too Large",
        "The request body is too large.",
    ))
}

/// The answer if a handler ever failed unexpectedly: a generic 500 without internals.
pub fn crashed() -> Resp {
    security_headers(internal_error())
}

/// A deliberate, generic 500 (what a framework answers when a handler fails).
pub(super) fn internal_error() -> Resp {
    with_type(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain; charset=utf-8",
        Bytes::from_static(b"Internal Server Error"),
    )
}

/// The headers every route but `/vuln/headers/profile` sends.
fn security_headers(mut resp: Resp) -> Resp {
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

/// CORS policy per route; only the three CORS routes emit any `Access-Control-*` header.
fn cors(route: Route<'_>, req: &Req, mut resp: Resp) -> Resp {
    let origin = req.headers.get(header::ORIGIN).cloned();
    let preflight = req.method == Method::OPTIONS;
    let allowed: Option<HeaderValue> = match route {
        // VULNERABLE: any origin is reflected, with credentials.
        Route::VulnCorsProfile => origin,
        // VULNERABLE: a wildcard together with credentials.
        Route::VulnCorsWildcard => Some(HeaderValue::from_static("*")),
        // FIXED: one exact trusted origin.
        Route::FixedCorsProfile => origin.filter(|o| o.as_bytes() == TRUSTED_ORIGIN.as_bytes()),
        _ => return resp,
    };
    let h = resp.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(allowed) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        if preflight {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Authorization, Content-Type"),
            );
        }
    }
    resp
}

// ----- authentication -----

/// The bearer token of the `Authorization` header, if the header has that scheme and a value.
pub(super) fn bearer(req: &Req) -> Option<&str> {
    let value = req.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// FIXED: a correctly signed, unexpired HS256 token of a known user.
pub(super) fn authenticate(req: &Req) -> Option<User> {
    bearer(req).and_then(jwt::verify)
}

/// Runs `f` for an authenticated caller, else answers 401.
pub(super) fn authed(req: &Req, f: impl FnOnce(User) -> Resp) -> Resp {
    match authenticate(req) {
        Some(user) => f(user),
        None => unauthorized(),
    }
}

fn profile(user: User) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "email": format!("{}@nat-demo.test", user.name),
    })
}

// ----- auth bypass -----

/// Report id → (title, owner id).
fn report(id: &str) -> Option<(i64, &'static str, i64)> {
    let id: i64 = id.parse().ok()?;
    match id {
        1 => Some((1, "Q3 revenue forecast", 1)),
        2 => Some((2, "Payroll export", 2)),
        3 => Some((3, "Incident post-mortem", 1)),
        _ => None,
    }
}

fn report_json((id, title, owner): (i64, &str, i64)) -> Value {
    json!({"id": id, "title": title, "owner_id": owner, "classification": "confidential"})
}

/// VULNERABLE: declares bearer auth but never looks at the request.
fn vuln_report(id: &str) -> Resp {
    match report(id) {
        Some(r) => json_resp(StatusCode::OK, &report_json(r)),
        None => json_resp(StatusCode::NOT_FOUND, &json!({"error": "not found"})),
    }
}

/// FIXED: a valid token is required, and only the owner's reports are visible.
fn fixed_report(req: &Req, id: &str) -> Resp {
    let Some(user) = authenticate(req) else {
        return unauthorized();
    };
    if id.parse::<i64>().is_err() {
        return bad_request("report_id must be an integer.");
    }
    match report(id) {
        Some(r) if r.2 == user.id => json_resp(StatusCode::OK, &report_json(r)),
        _ => not_found(),
    }
}

/// VULNERABLE: any non-empty bearer value opens a session.
fn vuln_session(req: &Req) -> Resp {
    match bearer(req) {
        Some(_) => json_resp(StatusCode::OK, &json!({"session": "active"})),
        None => unauthorized(),
    }
}

// ----- broken object level authorization -----

/// The demo's documents: (id, title, owner id, content). Alice (1) owns 11 and 13, bob (2) owns 12.
const DOCUMENTS: [(i64, &str, i64, &str); 3] = [
    (11, "Tax return 2023", 1, "Gross income: 84,200 EUR"),
    (12, "Performance review", 2, "Rating: meets expectations"),
    (
        13,
        "Medical leave request",
        1,
        "Leave from 2024-03-04 to 2024-03-15",
    ),
];

fn document_json((id, title, owner, content): (i64, &str, i64, &str)) -> Value {
    json!({"id": id, "title": title, "owner_id": owner, "content": content})
}

fn document(raw: &str) -> Option<(i64, &'static str, i64, &'static str)> {
    let id: i64 = decode(raw).parse().ok()?;
    DOCUMENTS.iter().copied().find(|d| d.0 == id)
}

/// The caller's own documents (both twins: listing is not the flaw).
fn own_documents(user: User) -> Resp {
    let docs: Vec<Value> = DOCUMENTS
        .iter()
        .copied()
        .filter(|d| d.2 == user.id)
        .map(document_json)
        .collect();
    json_resp(StatusCode::OK, &json!({"documents": docs}))
}

/// VULNERABLE: authenticated, but any user's document is returned to any user.
fn vuln_document(raw: &str) -> Resp {
    match document(raw) {
        Some(d) => json_resp(StatusCode::OK, &document_json(d)),
        None => not_found(),
    }
}

/// FIXED: a document is visible to its owner only (404 otherwise, so ids cannot be probed).
fn fixed_document(user: User, raw: &str) -> Resp {
    match document(raw) {
        Some(d) if d.2 == user.id => json_resp(StatusCode::OK, &document_json(d)),
        _ => not_found(),
    }
}

// ----- excessive data exposure -----

/// The caller's own account, or 404: both twins only show a user their own record.
fn own_user(user: User, raw: &str) -> Option<Value> {
    let id: i64 = decode(raw).parse().ok()?;
    (id == user.id).then(|| profile(user))
}

/// VULNERABLE: the record as stored, with the password hash and the API key.
fn vuln_user(user: User, raw: &str) -> Resp {
    let Some(mut v) = own_user(user, raw) else {
        return not_found();
    };
    if let Value::Object(m) = &mut v {
        m.insert(
            "password_hash".into(),
            json!(format!(
                "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMU{}",
                user.id
            )),
        );
        m.insert(
            "api_key".into(),
            json!(format!(
                "nk_live_7f3a9c2e41b86d05f1e2a9b7c4d8e6f{}",
                user.id
            )),
        );
    }
    json_resp(StatusCode::OK, &v)
}

/// FIXED: only the public fields.
fn fixed_user(user: User, raw: &str) -> Resp {
    match own_user(user, raw) {
        Some(v) => json_resp(StatusCode::OK, &v),
        None => not_found(),
    }
}

// ----- mass assignment -----

fn account_json(user: User, a: &Account) -> Value {
    json!({
        "id": user.id,
        "name": a.name,
        "email": format!("{}@nat-demo.test", user.name),
        "role": a.role,
        "is_admin": a.is_admin,
    })
}

/// The caller's own account: `GET` reads it, `PATCH` changes its `name` (1–100 characters) and
/// answers 204. VULNERABLE (`vulnerable`): the body is bound to the stored record, so `role` and
/// `is_admin` are written too. FIXED: only `name` is read from the body; anything else is ignored.
fn account(state: &State, req: &Req, user: User, vulnerable: bool) -> Resp {
    let mut accounts = state.accounts.lock().unwrap_or_else(|e| e.into_inner());
    let stored = accounts
        .entry((vulnerable, user.id))
        .or_insert_with(|| Account {
            name: user.name.to_string(),
            role: "user".into(),
            is_admin: false,
        });
    if req.method != Method::PATCH {
        return json_resp(StatusCode::OK, &account_json(user, stored));
    }
    let Some(Value::Object(body)) = json_body(req) else {
        return bad_request("The body must be a JSON object.");
    };
    let mut next = stored.clone();
    match body.get("name") {
        None => {}
        Some(Value::String(n)) if (1..=MAX_NAME).contains(&n.chars().count()) => {
            next.name = n.clone();
        }
        Some(_) => return bad_request("name must be a string of 1 to 100 characters."),
    }
    if vulnerable {
        if let Some(Value::String(role)) = body.get("role") {
            next.role = role.chars().take(MAX_NAME).collect();
        }
        if let Some(Value::Bool(admin)) = body.get("is_admin") {
            next.is_admin = *admin;
        }
    }
    *stored = next;
    let mut resp = Response::new(Bytes::new());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

// ----- JWT -----

/// VULNERABLE: decodes the token without verifying its algorithm or signature.
fn vuln_jwt_me(req: &Req) -> Resp {
    match bearer(req).and_then(jwt::decode_unverified) {
        Some(decoded) => {
            let sub = decoded.claims.get("sub").cloned().unwrap_or(Value::Null);
            let name = decoded.claims.get("name").cloned().unwrap_or(Value::Null);
            json_resp(StatusCode::OK, &json!({"user": sub, "name": name}))
        }
        None => unauthorized(),
    }
}

// ----- verbose errors -----

fn item(id: i64) -> Option<Value> {
    let name = match id {
        1 => "blue mug",
        2 => "red pen",
        3 => "green notebook",
        _ => return None,
    };
    Some(json!({"id": id, "name": name}))
}

/// VULNERABLE: a non-integer id leaks the framework's stack trace.
fn vuln_item(raw: &str) -> Resp {
    let id = decode(raw);
    match id.parse::<i64>() {
        Ok(n) => match item(n) {
            Some(v) => json_resp(StatusCode::OK, &v),
            None => json_resp(StatusCode::NOT_FOUND, &json!({"error": "not found"})),
        },
        Err(_) => {
            let shown: String = id.chars().take(200).collect();
            let trace = format!(
                "Traceback (most recent call last):\n  \
                 File \"/usr/local/lib/python3.11/site-packages/flask/app.py\", line 1823, in full_dispatch_request\n    \
                 rv = self.dispatch_request()\n  \
                 File \"/usr/local/lib/python3.11/site-packages/flask/app.py\", line 1799, in dispatch_request\n    \
                 return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)\n  \
                 File \"/srv/app/items.py\", line 42, in get_item\n    \
                 item = db.session.get(Item, int(item_id))\n\
                 ValueError: invalid literal for int() with base 10: '{shown}'\n"
            );
            with_type(
                StatusCode::BAD_REQUEST,
                "text/plain; charset=utf-8",
                trace.into(),
            )
        }
    }
}

/// FIXED: a plain problem, no internals.
fn fixed_item(raw: &str) -> Resp {
    match decode(raw).parse::<i64>() {
        Ok(n) => match item(n) {
            Some(v) => json_resp(StatusCode::OK, &v),
            None => not_found(),
        },
        Err(_) => bad_request("item_id must be an integer."),
    }
}

// ----- SQL injection -----

pub(super) fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

pub(super) fn query_param(req: &Req, name: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// VULNERABLE: string concatenation; SQLite's error text is returned (error-based).
fn vuln_products(state: &State, req: &Req) -> Resp {
    let Some(name) = query_param(req, "name") else {
        return json_resp(
            StatusCode::BAD_REQUEST,
            &json!({"error": "name is required"}),
        );
    };
    let sql = format!("SELECT id, name, price FROM products WHERE name = '{name}'");
    match state.db.query(&sql, &[]) {
        Ok(rows) => json_resp(StatusCode::OK, &json!({"results": rows})),
        Err(e) => json_resp(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"error": format!("SQLITE_ERROR: {e}")}),
        ),
    }
}

/// FIXED: a bound parameter.
fn fixed_products(state: &State, req: &Req) -> Resp {
    let Some(name) = query_param(req, "name") else {
        return bad_request("The query parameter name is required.");
    };
    if name.chars().count() > MAX_NAME {
        return bad_request("name must be at most 100 characters.");
    }
    match state.db.query(
        "SELECT id, name, price FROM products WHERE name = ?1",
        &[&name],
    ) {
        Ok(rows) => json_resp(StatusCode::OK, &json!({"results": rows})),
        Err(_) => json_resp(StatusCode::OK, &json!({"results": []})),
    }
}

/// VULNERABLE: numeric context concatenated; no row and SQL errors both answer 404 (boolean-blind).
fn vuln_product(state: &State, raw: &str) -> Resp {
    let id = decode(raw);
    let sql = format!("SELECT id, name, price FROM products WHERE id = {id}");
    match state.db.query(&sql, &[]) {
        Ok(rows) if !rows.is_empty() => json_resp(StatusCode::OK, &Value::Object(rows[0].clone())),
        _ => json_resp(StatusCode::NOT_FOUND, &json!({"error": "not found"})),
    }
}

/// FIXED: the id must be an integer and is bound as a parameter.
fn fixed_product(state: &State, raw: &str) -> Resp {
    let Ok(id) = decode(raw).parse::<i64>() else {
        return bad_request("product_id must be an integer.");
    };
    match state
        .db
        .query("SELECT id, name, price FROM products WHERE id = ?1", &[&id])
    {
        Ok(rows) if !rows.is_empty() => json_resp(StatusCode::OK, &Value::Object(rows[0].clone())),
        _ => not_found(),
    }
}

pub(super) fn json_body(req: &Req) -> Option<Value> {
    serde_json::from_slice(&req.body).ok()
}

/// VULNERABLE: concatenated; SQL errors answer an empty result (boolean-blind).
fn vuln_search(state: &State, req: &Req) -> Resp {
    let query =
        json_body(req).and_then(|b| b.get("query").and_then(Value::as_str).map(String::from));
    let Some(query) = query else {
        return json_resp(
            StatusCode::BAD_REQUEST,
            &json!({"error": "body must be {\"query\": string}"}),
        );
    };
    let sql = format!("SELECT id, name, price FROM products WHERE name = '{query}'");
    let rows = state.db.query(&sql, &[]).unwrap_or_default();
    json_resp(StatusCode::OK, &json!({"results": rows}))
}

/// FIXED: a bound parameter.
fn fixed_search(state: &State, req: &Req) -> Resp {
    let query =
        json_body(req).and_then(|b| b.get("query").and_then(Value::as_str).map(String::from));
    let Some(query) = query else {
        return bad_request("The body must be a JSON object with a string property query.");
    };
    if query.chars().count() > MAX_NAME {
        return bad_request("query must be at most 100 characters.");
    }
    let rows = state
        .db
        .query(
            "SELECT id, name, price FROM products WHERE name = ?1",
            &[&query],
        )
        .unwrap_or_default();
    json_resp(StatusCode::OK, &json!({"results": rows}))
}

// ----- robustness -----

/// The unit price of a product in cents.
fn price_cents(state: &State, product_id: i64) -> Option<u32> {
    let rows = state
        .db
        .query("SELECT price FROM products WHERE id = ?1", &[&product_id])
        .ok()?;
    let price = rows.first()?.get("price")?.as_f64()?;
    Some((price * 100.0).round() as u32)
}

fn order_json(id: u64, product_id: i64, quantity: i64, note: &str, total_cents: u64) -> Value {
    json!({
        "id": id,
        "product_id": product_id,
        "quantity": quantity,
        "note": note,
        "total": total_cents as f64 / 100.0,
        "status": "placed",
    })
}

pub(super) fn created(body: &Value) -> Resp {
    json_resp(StatusCode::CREATED, body)
}

/// VULNERABLE: trusts the body; what violates the schema ends in a 500.
fn vuln_orders(state: &State, req: &Req) -> Resp {
    let Some(body) = json_body(req) else {
        return json_resp(
            StatusCode::BAD_REQUEST,
            &json!({"error": "malformed JSON body"}),
        );
    };
    // Like an unchecked cast: a string, float or missing field fails here.
    let (Some(product_id), Some(quantity)) = (
        body.get("product_id").and_then(Value::as_i64),
        body.get("quantity").and_then(Value::as_i64),
    ) else {
        return internal_error();
    };
    let note = match body.get("note") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return internal_error(),
    };
    // The note column is VARCHAR(1000): a longer note fails the insert.
    if note.chars().count() > 1000 {
        return internal_error();
    }
    let Some(unit) = price_cents(state, product_id) else {
        return internal_error();
    };
    // Unsigned 32-bit arithmetic: a negative quantity fails to convert, a huge one overflows.
    let Some(total) = u32::try_from(quantity)
        .ok()
        .and_then(|q| unit.checked_mul(q))
    else {
        return internal_error();
    };
    let id = state.next_order.fetch_add(1, Ordering::Relaxed);
    created(&order_json(
        id,
        product_id,
        quantity,
        note,
        u64::from(total),
    ))
}

/// FIXED: validates against the schema first and answers 400 on any violation.
fn fixed_orders(state: &State, req: &Req) -> Resp {
    let Some(Value::Object(body)) = json_body(req) else {
        return bad_request("The body must be a JSON object.");
    };
    let product_id = match body.get("product_id").and_then(Value::as_i64) {
        Some(n) if n >= 1 => n,
        _ => return bad_request("product_id must be an integer of at least 1."),
    };
    let quantity = match body.get("quantity").and_then(Value::as_i64) {
        Some(n @ 1..=100) => n,
        _ => return bad_request("quantity must be an integer from 1 to 100."),
    };
    let note = match body.get("note") {
        None => "",
        Some(Value::String(s)) if s.chars().count() <= 200 => s.as_str(),
        Some(_) => return bad_request("note must be a string of at most 200 characters."),
    };
    let Some(unit) = price_cents(state, product_id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            "No product has that product_id.",
        );
    };
    // quantity ≤ 100, so this cannot overflow.
    let total = u64::from(unit) * quantity.unsigned_abs();
    let id = state.next_order.fetch_add(1, Ordering::Relaxed);
    created(&order_json(id, product_id, quantity, note, total))
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    #[test]
    fn fragments_merge_and_duplicates_are_refused() {
        let core = r#"{"openapi":"3.0.3","paths":{"/a":{}},"components":{"schemas":{"A":{}}}}"#;
        let frag = r#"{"paths":{"/b":{}},"components":{"schemas":{"B":{}},"responses":{"R":{}}}}"#;
        let merged: Value =
            serde_json::from_str(&merge_openapi(core, [frag].into_iter()).unwrap()).unwrap();
        assert!(merged["paths"]["/b"].is_object());
        assert!(merged["components"]["schemas"]["A"].is_object());
        assert!(merged["components"]["responses"]["R"].is_object());
        let dup = r#"{"paths":{"/a":{}}}"#;
        let err = merge_openapi(core, [dup].into_iter()).unwrap_err();
        assert!(err.contains("paths./a defined twice"), "{err}");
        // The shipped description merges.
        assert!(openapi().contains("\"/vuln/reports/{report_id}\""));
    }
}
