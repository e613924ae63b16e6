//! Routing, authentication, rate limiting, logging and the endpoint handlers.
//!
//! One warp filter takes every request and hands it to [`handle`], which routes by hand: that way a
//! wrong method is a 405 with `Allow` (not a 404), every response gets the rate-limit headers, and
//! every error is a problem. A `recover` behind it turns any rejection warp itself might produce into a
//! problem too.

use super::problem::Problem;
use super::queue::{Cancel, Queue, QueueFull};
use super::ratelimit::{RateInfo, RateLimiter};
use super::targets::TargetGuard;
use super::{ServeConfig, ServeError, API_PREFIX, OPENAPI};
use crate::findings::{Severity, Status};
use crate::report::{self, Format};
use crate::request::ScanRequest;
use crate::store::keys::{random_base62, KeyRing, Role};
use crate::store::{now_rfc3339, Progress, ScanRecord, ScanStatus, Store, StoreError};
use base64::Engine as _;
use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use warp::Filter;

type Resp = Response<Bytes>;

/// Shared state of the handlers.
pub struct App {
    store: Store,
    keys: RwLock<KeyRing>,
    limiter: RateLimiter,
    queue: Arc<Queue>,
    guard: TargetGuard,
    max_body: usize,
}

impl App {
    pub fn new(
        store: Store,
        queue: Arc<Queue>,
        guard: TargetGuard,
        config: &ServeConfig,
    ) -> Result<Self, ServeError> {
        let ring = store.key_ring()?;
        Ok(App {
            store,
            keys: RwLock::new(ring),
            limiter: RateLimiter::new(config.rate_limit_per_minute),
            queue,
            guard,
            max_body: config.max_body_bytes,
        })
    }

    fn reload_keys(&self) -> Result<(), StoreError> {
        let ring = self.store.key_ring()?;
        match self.keys.write() {
            Ok(mut k) => *k = ring,
            Err(p) => *p.into_inner() = ring,
        }
        Ok(())
    }

    fn verify(&self, presented: &str) -> Option<crate::store::keys::ApiKey> {
        match self.keys.read() {
            Ok(k) => k.verify(presented),
            Err(p) => p.into_inner().verify(presented),
        }
    }
}

/// The warp filter of the whole server.
pub fn filter(
    app: Arc<App>,
) -> impl Filter<Extract = (Resp,), Error = Infallible> + Clone + Send + Sync + 'static {
    warp::method()
        .and(warp::path::full())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::header::headers_cloned())
        .and(warp::addr::remote())
        .and(warp::body::stream())
        .then(
            move |method: Method,
                  path: warp::path::FullPath,
                  query: String,
                  headers: HeaderMap,
                  remote: Option<SocketAddr>,
                  body| {
                let app = app.clone();
                let path = path.as_str().to_string();
                async move { handle(app, method, path, query, headers, remote, body).await }
            },
        )
        .recover(recover)
        .unify()
}

/// The safety net: a rejection becomes a problem (without rate-limit information, which is only
/// known inside [`handle`]; no route rejects today).
async fn recover(rejection: warp::Rejection) -> Result<Resp, Infallible> {
    let p = if rejection.is_not_found() {
        Problem::route_not_found("this path")
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        too_large(0)
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method Not Allowed",
            "this method is not allowed here",
        )
    } else {
        Problem::internal("the request could not be handled")
    };
    Ok(problem_response(p, ""))
}

/// The routes of the API.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Route {
    OpenApi,
    Scans,
    Scan(String),
    Findings(String),
    Finding(String, String),
    ScanReport(String),
    Report(String),
    Keys,
    Key(String),
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix(API_PREFIX)?;
        let segs: Vec<&str> = rest.strip_prefix('/')?.split('/').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return None;
        }
        let s = |i: usize| segs[i].to_string();
        Some(match segs.as_slice() {
            ["openapi.json"] => Route::OpenApi,
            ["scans"] => Route::Scans,
            ["scans", _] => Route::Scan(s(1)),
            ["scans", _, "findings"] => Route::Findings(s(1)),
            ["scans", _, "findings", _] => Route::Finding(s(1), s(3)),
            ["scans", _, "report"] => Route::ScanReport(s(1)),
            ["reports", _] => Route::Report(s(1)),
            ["keys"] => Route::Keys,
            ["keys", _] => Route::Key(s(1)),
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [Method] {
        match self {
            Route::Scans => &[Method::GET, Method::POST],
            Route::Scan(_) => &[Method::GET, Method::DELETE],
            Route::Finding(..) => &[Method::GET, Method::PATCH],
            Route::Keys => &[Method::GET, Method::POST],
            Route::Key(_) => &[Method::DELETE],
            Route::OpenApi | Route::Findings(_) | Route::ScanReport(_) | Route::Report(_) => {
                &[Method::GET]
            }
        }
    }

    /// The role a method needs here; `None`: public.
    fn role(&self, method: &Method) -> Option<Role> {
        match self {
            Route::OpenApi => None,
            Route::Keys | Route::Key(_) => Some(Role::Admin),
            _ if method == Method::GET => Some(Role::Read),
            _ => Some(Role::Scan),
        }
    }
}

/// Who is asking.
enum Caller {
    Key(crate::store::keys::ApiKey),
    Missing,
    Invalid,
}

fn bearer(headers: &HeaderMap) -> Option<Option<&str>> {
    let value = headers.get(http::header::AUTHORIZATION)?;
    let Ok(text) = value.to_str() else {
        return Some(None);
    };
    let text = text.trim();
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(Some(token.trim())),
        _ => Some(None),
    }
}

/// Reads at most `cap` bytes of body. A larger body is a 413, sent after reading (and dropping) up to
/// four times `cap` more within 10 s, so that the client, still sending, can read the answer instead of
/// seeing a broken pipe; beyond that the connection is simply closed after the answer.
async fn read_body<S, B>(body: S, cap: usize) -> Result<Bytes, Problem>
where
    S: futures::Stream<Item = Result<B, warp::Error>>,
    B: warp::Buf,
{
    let mut body = std::pin::pin!(body);
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let mut chunk =
            chunk.map_err(|e| Problem::bad_request(format!("cannot read the body: {e}")))?;
        if out.len() + chunk.remaining() > cap {
            let mut drained = out.len() + chunk.remaining();
            let drain = async {
                while let Some(Ok(c)) = body.next().await {
                    drained += c.remaining();
                    if drained > cap.saturating_mul(5) {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
            return Err(too_large(cap));
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            out.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    Ok(out.into())
}

fn too_large(cap: usize) -> Problem {
    let detail = if cap > 0 {
        format!("the request body is larger than {cap} bytes")
    } else {
        "the request body is too large".to_string()
    };
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Payload Too Large",
        detail,
    )
}

/// Everything about one request: rate limit, route, auth, body, handler, headers, log line.
async fn handle<S, B>(
    app: Arc<App>,
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    remote: Option<SocketAddr>,
    body: S,
) -> Resp
where
    S: futures::Stream<Item = Result<B, warp::Error>> + Send,
    B: warp::Buf,
{
    let started = Instant::now();
    let caller = match bearer(&headers) {
        None => Caller::Missing,
        Some(None) => Caller::Invalid,
        Some(Some(token)) => match app.verify(token) {
            Some(key) => Caller::Key(key),
            None => Caller::Invalid,
        },
    };
    let client = match &caller {
        Caller::Key(k) => format!("key:{}", k.id),
        _ => format!(
            "ip:{}",
            remote.map(|a| a.ip().to_string()).unwrap_or_default()
        ),
    };
    let rate = app.limiter.hit(&client);
    let result = if rate.exceeded {
        Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limit-exceeded",
            "Too Many Requests",
            format!(
                "more than {} requests in this minute; retry after {} s",
                rate.limit, rate.retry_after
            ),
        )
        .with_header("retry-after", rate.retry_after.to_string()))
    } else {
        route_and_run(&app, &method, &path, &query, &headers, caller, body).await
    };
    let instance = path
        .strip_prefix(API_PREFIX)
        .filter(|p| p.starts_with('/'))
        .unwrap_or(&path)
        .to_string();
    let mut resp = match result {
        Ok(r) => r,
        Err(p) => problem_response(p, &instance),
    };
    set_rate_headers(&mut resp, &rate);
    let shown: String = path.chars().take(300).collect();
    eprintln!(
        "nat serve: {} {} {} {:.1}ms",
        method,
        shown,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

async fn route_and_run<S, B>(
    app: &Arc<App>,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    caller: Caller,
    body: S,
) -> Result<Resp, Problem>
where
    S: futures::Stream<Item = Result<B, warp::Error>> + Send,
    B: warp::Buf,
{
    let Some(route) = Route::parse(path) else {
        return Err(Problem::route_not_found(path));
    };
    let methods = route.methods();
    if !methods.contains(method) {
        let allow: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
        return Err(Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method Not Allowed",
            format!(
                "{method} is not allowed on {path}; allowed: {}",
                allow.join(", ")
            ),
        )
        .with_header("allow", allow.join(", ")));
    }
    if let Some(needed) = route.role(method) {
        let key = match caller {
            Caller::Key(k) => k,
            Caller::Missing => {
                return Err(unauthorized(
                    "missing API key: send `Authorization: Bearer <key>`",
                    false,
                ))
            }
            Caller::Invalid => return Err(unauthorized("invalid API key", true)),
        };
        if key.role < needed {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Forbidden",
                format!(
                    "this API key has role `{}`; {method} {} needs role `{}`",
                    key.role.as_str(),
                    path,
                    needed.as_str()
                ),
            ));
        }
    }
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Far too large: answer at once (a body up to 5 × the cap is drained by read_body instead).
    if declared.is_some_and(|n| n > (app.max_body as u64).saturating_mul(5)) {
        return Err(too_large(app.max_body));
    }
    let body = read_body(body, app.max_body).await?;
    let query = Query::parse(query);
    // A panic in a handler fails this request with a 500 problem, never the server.
    let app2 = app.clone();
    let method2 = method.clone();
    match tokio::spawn(async move { dispatch(&app2, route, &method2, &query, body).await }).await {
        Ok(r) => r,
        Err(_) => Err(Problem::internal("the request handler failed unexpectedly")),
    }
}

fn unauthorized(detail: &str, invalid: bool) -> Problem {
    let challenge = if invalid {
        "Bearer realm=\"nat\", error=\"invalid_token\""
    } else {
        "Bearer realm=\"nat\""
    };
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
        detail,
    )
    .with_header("www-authenticate", challenge)
}

fn set_rate_headers(resp: &mut Resp, rate: &RateInfo) {
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(rate.limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(rate.remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(rate.reset));
}

fn problem_response(mut p: Problem, instance: &str) -> Resp {
    if p.instance.is_empty() {
        p.instance = instance.to_string();
    }
    let body = serde_json::to_vec(&p).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(Bytes::from(body));
    *resp.status_mut() = p.status_code();
    let h = resp.headers_mut();
    h.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    for (name, value) in &p.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(*name, v);
        }
    }
    resp
}

fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Result<Resp, Problem> {
    let body = serde_json::to_vec(value)
        .map_err(|e| Problem::internal(format!("cannot encode the response: {e}")))?;
    let mut resp = Response::new(Bytes::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(resp)
}

fn no_content() -> Resp {
    let mut resp = Response::new(Bytes::new());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    resp
}

/// Query parameters (the last of repeated ones wins).
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(raw: &str) -> Query {
        Query(
            url::form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `page` (≥ 1, default 1) and `per_page` (1–100, default 20).
    fn paging(&self) -> Result<(usize, usize), Problem> {
        let num = |name: &str, default: usize, max: usize| -> Result<usize, Problem> {
            match self.get(name) {
                None => Ok(default),
                Some(v) => match v.parse::<usize>() {
                    Ok(n) if n >= 1 && n <= max => Ok(n),
                    _ => Err(Problem::bad_parameter(if max == usize::MAX {
                        format!("{name} must be an integer of at least 1, not `{v}`")
                    } else {
                        format!("{name} must be an integer from 1 to {max}, not `{v}`")
                    })),
                },
            }
        };
        Ok((num("page", 1, 1_000_000)?, num("per_page", 20, 100)?))
    }
}

fn page_of<T: Clone>(items: &[T], page: usize, per_page: usize) -> Vec<T> {
    let start = (page - 1).saturating_mul(per_page);
    items.iter().skip(start).take(per_page).cloned().collect()
}

/// Parses a JSON body: 400 `invalid-json` when it is not JSON, 400 `invalid-request` when it is not
/// the expected object.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            "Malformed JSON",
            "the request body is empty; send a JSON object",
        ));
    }
    let value: Value = crate::parse::json(body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            "Malformed JSON",
            format!("the request body is not valid JSON: {e}"),
        )
    })?;
    serde_json::from_value(value)
        .map_err(|e| Problem::bad_request(format!("invalid request body: {e}")))
}

async fn dispatch(
    app: &App,
    route: Route,
    method: &Method,
    query: &Query,
    body: Bytes,
) -> Result<Resp, Problem> {
    match (route, method.as_str()) {
        (Route::OpenApi, _) => {
            let mut resp = Response::new(Bytes::from_static(OPENAPI.as_bytes()));
            resp.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(resp)
        }
        (Route::Scans, "POST") => create_scan(app, &body).await,
        (Route::Scans, _) => list_scans(app, query),
        (Route::Scan(id), "DELETE") => cancel_scan(app, &id).await,
        (Route::Scan(id), _) => json_response(StatusCode::OK, &scan(app, &id)?),
        (Route::Findings(id), _) => list_findings(app, &id, query),
        (Route::Finding(id, fid), "PATCH") => patch_finding(app, &id, &fid, &body).await,
        (Route::Finding(id, fid), _) => {
            scan(app, &id)?;
            let f = app
                .store
                .findings(&id)?
                .into_iter()
                .find(|f| f.id == fid)
                .ok_or_else(|| finding_not_found(&id, &fid))?;
            json_response(StatusCode::OK, &f)
        }
        (Route::ScanReport(id), _) | (Route::Report(id), _) => get_report(app, &id, query),
        (Route::Keys, "POST") => create_key(app, &body).await,
        (Route::Keys, _) => json_response(StatusCode::OK, &json!({"keys": app.store.list_keys()?})),
        (Route::Key(id), _) => revoke_key(app, &id).await,
    }
}

/// The live record of an active scan, else the stored one, else 404.
fn scan(app: &App, id: &str) -> Result<ScanRecord, Problem> {
    if let Some(r) = app.queue.active(id) {
        return Ok(r);
    }
    app.store
        .get_scan(id)?
        .ok_or_else(|| Problem::scan_not_found(id))
}

fn finding_not_found(scan_id: &str, id: &str) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "finding-not-found",
        "Finding Not Found",
        format!("Scan {scan_id} has no finding with ID {id}"),
    )
}

fn target_refused(detail: String) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "target-not-allowed",
        "Target Not Allowed",
        detail,
    )
}

fn queue_full(full: QueueFull) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "queue-full",
        "Service Unavailable",
        full.to_string(),
    )
    .with_header("retry-after", full.retry_after.to_string())
}

/// `$ref`s of `value` that point outside the document.
fn external_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) if !r.starts_with('#') => out.push(r.clone()),
                    _ => external_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| external_refs(v, out)),
        _ => {}
    }
}

/// The server's own rules on a scan request, beyond [`ScanRequest::validate`].
async fn check_request(app: &App, req: &ScanRequest) -> Result<(), Problem> {
    req.validate().map_err(Problem::bad_request)?;
    if let Some(spec_url) = &req.spec_url {
        let l = spec_url.trim().to_ascii_lowercase();
        if !(l.starts_with("http://") || l.starts_with("https://")) {
            return Err(Problem::bad_request(
                "spec_url must be an http or https URL (the server never reads local files)",
            ));
        }
    }
    for (what, url) in TargetGuard::request_urls(req) {
        app.guard.check(&what, url).await.map_err(target_refused)?;
    }
    if let Some(content) = &req.spec_content {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content.trim())
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-spec-content",
                    "Invalid Spec Content",
                    format!("spec_content is not valid base64: {e}"),
                )
            })?;
        // Through the bounded parser and off the runtime's workers: a hostile document is refused
        // in milliseconds and never stalls other requests.
        let doc: Value = crate::parse::off_runtime(move || crate::parse::document(&bytes))
            .await
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-spec-content",
                    "Invalid Spec Content",
                    format!("spec_content is not a JSON or YAML document: at {e}"),
                )
            })?;
        let mut refs = Vec::new();
        external_refs(&doc, &mut refs);
        if let Some(r) = refs.first() {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-spec-content",
                "Invalid Spec Content",
                format!(
                    "spec_content refers to another document (`$ref: {r}`); the server only \
                     accepts self-contained descriptions there: bundle it, or use spec_url"
                ),
            ));
        }
    }
    Ok(())
}

/// The target URL as stored: without a password.
fn displayed_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("redacted"));
            }
            u.to_string()
        }
        Err(_) => raw.to_string(),
    }
}

/// The last complete scan of the same target's duration, else 60 s.
fn estimate(app: &App, url: &str) -> u64 {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    app.store
        .list_scans()
        .ok()
        .and_then(|scans| {
            scans.into_iter().find_map(|s| {
                if s.status != ScanStatus::Complete || s.url != url {
                    return None;
                }
                let secs = (parse(&s.completed_at)? - parse(&s.started_at)?).num_seconds();
                Some(secs.max(1) as u64)
            })
        })
        .unwrap_or(60)
}

async fn create_scan(app: &App, body: &[u8]) -> Result<Resp, Problem> {
    // The largest body the server takes (spec_content): parsed off the runtime's workers.
    let owned = body.to_vec();
    let req: ScanRequest = crate::parse::off_runtime(move || parse_json(&owned)).await?;
    check_request(app, &req).await?;
    // Before anything is stored: a refused scan leaves no trace.
    let slot = app.queue.reserve().map_err(queue_full)?;
    let url = displayed_url(&req.url);
    let record = ScanRecord {
        scan_id: format!("scan_{}", random_base62(16)),
        status: ScanStatus::Queued,
        progress: Progress::default(),
        created_at: now_rfc3339(),
        started_at: None,
        completed_at: None,
        reason: None,
        estimated_duration_seconds: estimate(app, &url),
        url,
    };
    app.queue.submit(slot, record.clone(), req).await?;
    let mut resp = json_response(
        StatusCode::CREATED,
        &json!({
            "scan_id": record.scan_id,
            "status": record.status,
            "created_at": record.created_at,
            "estimated_duration_seconds": record.estimated_duration_seconds,
        }),
    )?;
    if let Ok(v) = HeaderValue::from_str(&format!("{API_PREFIX}/scans/{}", record.scan_id)) {
        resp.headers_mut().insert(http::header::LOCATION, v);
    }
    Ok(resp)
}

fn list_scans(app: &App, query: &Query) -> Result<Resp, Problem> {
    let (page, per_page) = query.paging()?;
    let status = match query.get("status") {
        None => None,
        Some(s) => Some(ScanStatus::parse(s).ok_or_else(|| {
            Problem::bad_parameter(format!(
                "status must be one of queued, running, complete, failed; not `{s}`"
            ))
        })?),
    };
    let mut scans = app.store.list_scans()?;
    for s in &mut scans {
        if let Some(live) = app.queue.active(&s.scan_id) {
            *s = live;
        }
    }
    scans.retain(|s| status.is_none_or(|st| s.status == st));
    json_response(
        StatusCode::OK,
        &json!({
            "scans": page_of(&scans, page, per_page),
            "total": scans.len(),
            "page": page,
            "per_page": per_page,
        }),
    )
}

async fn cancel_scan(app: &App, id: &str) -> Result<Resp, Problem> {
    match app.queue.cancel(id).await? {
        Cancel::Cancelled => Ok(no_content()),
        Cancel::NotActive => {
            let s = scan(app, id)?;
            Err(Problem::new(
                StatusCode::CONFLICT,
                "scan-finished",
                "Scan Already Finished",
                format!(
                    "Scan {id} is {}; only queued or running scans can be cancelled",
                    s.status.as_str()
                ),
            ))
        }
    }
}

fn list_findings(app: &App, id: &str, query: &Query) -> Result<Resp, Problem> {
    scan(app, id)?;
    let (page, per_page) = query.paging()?;
    let severity = match query.get("severity") {
        None => None,
        Some(s) => Some(
            Severity::ALL
                .into_iter()
                .find(|sev| sev.as_str() == s)
                .ok_or_else(|| {
                    Problem::bad_parameter(format!(
                        "severity must be one of critical, high, medium, low, info; not `{s}`"
                    ))
                })?,
        ),
    };
    let status = match query.get("status") {
        None => None,
        Some(s) => Some(parse_status(s).ok_or_else(|| {
            Problem::bad_parameter(format!(
                "status must be one of open, resolved, accepted; not `{s}`"
            ))
        })?),
    };
    let mut findings = app.store.findings(id)?;
    findings.retain(|f| {
        severity.is_none_or(|s| f.severity == s) && status.is_none_or(|s| f.status == s)
    });
    json_response(
        StatusCode::OK,
        &json!({
            "findings": page_of(&findings, page, per_page),
            "total": findings.len(),
            "page": page,
            "per_page": per_page,
        }),
    )
}

fn parse_status(s: &str) -> Option<Status> {
    match s {
        "open" => Some(Status::Open),
        "resolved" => Some(Status::Resolved),
        "accepted" => Some(Status::Accepted),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Triage {
    status: Status,
}

async fn patch_finding(app: &App, id: &str, fid: &str, body: &[u8]) -> Result<Resp, Problem> {
    scan(app, id)?;
    let triage: Triage = parse_json(body)?;
    let f = app
        .store
        .set_finding_status(id, fid, triage.status)?
        .ok_or_else(|| finding_not_found(id, fid))?;
    app.store.flush().await?;
    json_response(StatusCode::OK, &f)
}

fn get_report(app: &App, id: &str, query: &Query) -> Result<Resp, Problem> {
    let s = scan(app, id)?;
    let name = query.get("format").unwrap_or("json");
    let format = match name {
        "json" => Format::Json,
        "sarif" => Format::Sarif,
        "markdown" => Format::Markdown,
        "html" => Format::Html,
        other => {
            return Err(Problem::bad_parameter(format!(
                "format must be one of html, json, sarif, markdown; not `{other}`"
            )))
        }
    };
    if s.status != ScanStatus::Complete {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "scan-not-complete",
            "Scan Not Complete",
            format!(
                "Scan {id} is {}; its report exists once it is complete",
                s.status.as_str()
            ),
        ));
    }
    let report = app
        .store
        .report(id)?
        .ok_or_else(|| Problem::internal(format!("the report of scan {id} is missing")))?;
    let text = report::render(&report, format).map_err(|e| Problem::internal(format!("{e}")))?;
    let mut resp = Response::new(Bytes::from(text));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    name: String,
    role: Role,
}

async fn create_key(app: &App, body: &[u8]) -> Result<Resp, Problem> {
    let new: NewKey = parse_json(body)?;
    let created = app
        .store
        .create_key(&new.name, new.role)
        .map_err(|e| match e {
            StoreError::Invalid(msg) => Problem::bad_request(msg),
            other => other.into(),
        })?;
    app.store.flush().await?;
    app.reload_keys()?;
    let mut value = serde_json::to_value(&created.key)
        .map_err(|e| Problem::internal(format!("cannot encode the key: {e}")))?;
    value["key"] = Value::String(created.secret);
    json_response(StatusCode::CREATED, &value)
}

async fn revoke_key(app: &App, id: &str) -> Result<Resp, Problem> {
    match app.store.revoke_key(id) {
        Ok(_) => {
            app.store.flush().await?;
            app.reload_keys()?;
            Ok(no_content())
        }
        Err(StoreError::NotFound { .. }) => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "key-not-found",
            "API Key Not Found",
            format!("No API key found with ID {id}"),
        )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse() {
        assert_eq!(Route::parse("/api/v1/scans"), Some(Route::Scans));
        assert_eq!(
            Route::parse("/api/v1/scans/scan_1/findings/find_001"),
            Some(Route::Finding("scan_1".into(), "find_001".into()))
        );
        assert_eq!(Route::parse("/api/v1/scans/"), None);
        assert_eq!(Route::parse("/api/v1"), None);
        assert_eq!(Route::parse("/scans"), None);
        assert_eq!(Route::parse("/api/v1x/scans"), None);
    }

    #[test]
    fn external_refs_are_found() {
        let v: Value = serde_json::from_str(
            r##"{"a": {"$ref": "#/x"}, "b": [{"$ref": "/etc/passwd"}], "c": {"$ref": "other.yaml#/y"}}"##,
        )
        .unwrap();
        let mut out = Vec::new();
        external_refs(&v, &mut out);
        assert_eq!(out.len(), 2);
    }
}
