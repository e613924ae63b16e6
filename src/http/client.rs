//! The scan's HTTP client.

use super::auth::{jwt_exp, unix_now, Auth, AuthEnv, Credential};
use super::identity::{IdentityInfo, LEVEL_GUEST};
use super::redact::{is_sensitive_header, Redactor};
use super::{Exchange, RecordedRequest, RecordedResponse, RequestSpec, Who};
use crate::engine::{Events, ScanEvent};
use crate::findings::Evidence;
use crate::report::WriteRecord;
use crate::request::{parse_header, ScanRequest};
use bytes::{Bytes, BytesMut};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Most bytes of a response body nat reads (after decompression); the rest is dropped.
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;

/// Settings of the client, derived from a [`ScanRequest`].
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The target's base URL, with the description's server path applied.
    pub base_url: url::Url,
    /// Total deadline of one exchange, body included.
    pub timeout: Duration,
    pub concurrency: usize,
    pub rate: Option<f64>,
    pub max_requests: Option<u64>,
    pub extra_headers: Vec<(String, String)>,
    pub proxy: Option<String>,
    pub insecure: bool,
    pub body_cap: usize,
    /// Where connections may go, when someone else's policy applies (the team server).
    pub policy: Option<super::guard::Policy>,
    /// `--safe`: refuse to send anything but GET, HEAD and OPTIONS (a last line of defence behind
    /// the engine, which does not probe such operations at all).
    pub read_only: bool,
}

impl HttpConfig {
    /// The client settings a validated request asks for.
    pub fn from_request(req: &ScanRequest) -> Result<Self, String> {
        let base_url = url::Url::parse(&req.url).map_err(|e| format!("url `{}`: {e}", req.url))?;
        let o = &req.options;
        Ok(HttpConfig {
            base_url,
            timeout: Duration::from_secs(o.timeout),
            concurrency: o.concurrency.max(1),
            rate: o.rate,
            max_requests: o.max_requests,
            extra_headers: o
                .headers
                .iter()
                .map(|h| parse_header(h))
                .collect::<Result<_, _>>()?,
            proxy: o.proxy.clone(),
            insecure: o.insecure,
            body_cap: DEFAULT_BODY_CAP,
            policy: None,
            read_only: o.safety == crate::request::Safety::Safe,
        })
    }
}

/// Sends requests as the scan's identities, within the scan's limits, and records every exchange.
pub struct HttpClient {
    client: reqwest::Client,
    /// The same client without a connection pool: the one retry of a request whose pooled
    /// connection turned out closed goes out on a connection of its own.
    fresh: reqwest::Client,
    cfg: HttpConfig,
    shared: Arc<Shared>,
    events: Events,
    cancel: CancellationToken,
}

/// What every client of one scan shares: identities, limits, counters and the redactor.
struct Shared {
    user: Option<Auth>,
    user_b: Option<Auth>,
    /// The request's named identities, in order ([`Who::Identity`] indexes them).
    identities: Vec<(IdentityInfo, Option<Auth>)>,
    in_flight: Semaphore,
    limiter: Option<DefaultDirectRateLimiter>,
    sent: AtomicU64,
    budget_spent: AtomicBool,
    redactor: Redactor,
    /// Every request sent that may have changed something (see [`HttpClient::writes`]).
    writes: std::sync::Mutex<Vec<WriteRecord>>,
    /// Exchanges that got no answer, by operation.
    failed: std::sync::Mutex<FailedExchanges>,
    /// Requests sent, by operation and identity (see [`HttpClient::sent_by_operation`]).
    sent_by_operation: std::sync::Mutex<SentByOperation>,
    /// Requests sent once more on a fresh connection.
    retried: AtomicU64,
    /// Whether the target still answers (see [`super::outage`]).
    watch: super::outage::Watch,
    /// Whether each identity's session still works (see [`HttpClient::check_sessions`]).
    sessions: std::sync::Mutex<SessionWatch>,
    /// True once some session broke: until then a request costs no lock for the watch.
    any_broken: AtomicBool,
}

/// Per identity: a request that answered it 2xx (its canary), whether a write it sent succeeded
/// since the last check, and why its session stopped working, once it did.
#[derive(Debug, Default)]
struct SessionWatch {
    canaries: HashMap<Who, RequestSpec>,
    dirty: HashSet<Who>,
    broken: HashMap<Who, String>,
}

/// Exchanges that got no answer (connection refused or closed, deadline, unreadable body), by
/// operation (`GET /users/{id}`): how many, and the last reason.
pub type FailedExchanges = std::collections::BTreeMap<String, (u64, String)>;

/// Requests sent, by operation (`GET /users/{id}`): who they were sent as (`user`, `user_b`,
/// `anonymous`, an identity's name) and how many, in the order each identity was first used.
pub type SentByOperation = std::collections::BTreeMap<String, Vec<(String, u64)>>;

impl HttpClient {
    /// A client for `cfg`, authenticating as `user` (and as `user_b` for [`Who::UserB`], see
    /// [`HttpClient::with_user_b`]).
    pub fn new(
        cfg: HttpConfig,
        user: Option<Auth>,
        events: Events,
        cancel: CancellationToken,
    ) -> Result<Self, String> {
        let client = build_client(&cfg, cfg.concurrency)?;
        let fresh = build_client(&cfg, 0)?;
        let limiter = match cfg.rate {
            Some(rate) if rate > 0.0 && rate.is_finite() => {
                let period = Duration::from_secs_f64(1.0 / rate).max(Duration::from_nanos(1));
                Quota::with_period(period)
                    .map(|q| RateLimiter::direct(q.allow_burst(nonzero_one())))
            }
            _ => None,
        };
        let redactor = Redactor::default();
        if let Some(auth) = &user {
            redact_auth(&redactor, auth);
        }
        for (name, value) in &cfg.extra_headers {
            if is_sensitive_header(name) {
                redactor.add_secret(value);
            }
        }
        let shared = Arc::new(Shared {
            in_flight: Semaphore::new(cfg.concurrency),
            user,
            user_b: None,
            identities: Vec::new(),
            limiter,
            sent: AtomicU64::new(0),
            budget_spent: AtomicBool::new(false),
            redactor,
            writes: std::sync::Mutex::new(Vec::new()),
            failed: Default::default(),
            sent_by_operation: Default::default(),
            retried: AtomicU64::new(0),
            watch: Default::default(),
            sessions: Default::default(),
            any_broken: AtomicBool::new(false),
        });
        Ok(HttpClient {
            client,
            fresh,
            cfg,
            shared,
            events,
            cancel,
        })
    }

    /// The same client with a second user's credentials for [`Who::UserB`] (their secrets redacted
    /// like the user's). Call before the client is shared (it rebuilds the shared state).
    pub fn with_user_b(self, user_b: Option<Auth>) -> Self {
        let Some(auth) = user_b else {
            return self;
        };
        redact_auth(&self.shared.redactor, &auth);
        let shared = match Arc::try_unwrap(self.shared) {
            Ok(mut s) => {
                s.user_b = Some(auth);
                Arc::new(s)
            }
            // Already shared: keep the shared state (and the user_b it has).
            Err(shared) => shared,
        };
        HttpClient { shared, ..self }
    }

    /// The same client with the request's named identities ([`Who::Identity`]), their secrets
    /// redacted like the user's. Call before the client is shared (it rebuilds the shared state).
    pub fn with_identities(self, identities: Vec<(IdentityInfo, Option<Auth>)>) -> Self {
        if identities.is_empty() {
            return self;
        }
        for auth in identities.iter().filter_map(|(_, a)| a.as_ref()) {
            redact_auth(&self.shared.redactor, auth);
        }
        let shared = match Arc::try_unwrap(self.shared) {
            Ok(mut s) => {
                s.identities = identities;
                Arc::new(s)
            }
            Err(shared) => shared,
        };
        HttpClient { shared, ..self }
    }

    /// True when a second user ([`Who::UserB`]) has credentials.
    pub fn has_user_b(&self) -> bool {
        self.shared.user_b.is_some()
    }

    /// The named identities, each with the [`Who`] to send as.
    pub fn identities(&self) -> impl Iterator<Item = (Who, &IdentityInfo)> {
        self.shared
            .identities
            .iter()
            .enumerate()
            .map(|(i, (info, _))| (Who::Identity(i), info))
    }

    /// The named identity called `name`.
    pub fn identity_named(&self, name: &str) -> Option<Who> {
        self.identities()
            .find(|(_, info)| info.name == name)
            .map(|(who, _)| who)
    }

    /// The named identities whose role is `role` (case, `-`, `_` and spaces ignored), in request order.
    pub fn identities_with_role(&self, role: &str) -> Vec<Who> {
        self.identities()
            .filter(|(_, info)| info.has_role(role))
            .map(|(who, _)| who)
            .collect()
    }

    /// What is known of a named identity (name, role, level, auth type); `None` for user A, user B
    /// and anonymous.
    pub fn identity_info(&self, who: &Who) -> Option<&IdentityInfo> {
        match who {
            Who::Identity(i) => self.shared.identities.get(*i).map(|(info, _)| info),
            _ => None,
        }
    }

    /// The privilege level of `who`: anonymous is [`LEVEL_GUEST`], a named identity has its role's
    /// (or its `level`), user A and user B have none (their role is not known).
    pub fn privilege(&self, who: &Who) -> Option<u32> {
        match who {
            Who::Anonymous => Some(LEVEL_GUEST),
            Who::User | Who::UserB => None,
            Who::Identity(_) => self.identity_info(who).and_then(|i| i.level),
        }
    }

    /// `Some(true)` when `a` is strictly more privileged than `b`; `None` when a level is unknown.
    pub fn more_privileged(&self, a: &Who, b: &Who) -> Option<bool> {
        Some(self.privilege(a)? > self.privilege(b)?)
    }

    /// The credentials `who` authenticates with, if any.
    fn auth_of(&self, who: &Who) -> Option<&Auth> {
        match who {
            Who::User => self.shared.user.as_ref(),
            Who::UserB => self.shared.user_b.as_ref(),
            Who::Anonymous => None,
            Who::Identity(i) => self.shared.identities.get(*i).and_then(|(_, a)| a.as_ref()),
        }
    }

    /// The same client (same identities, limits, counters) with another base URL.
    pub fn rebased(&self, base_url: url::Url) -> HttpClient {
        let mut cfg = self.cfg.clone();
        cfg.base_url = base_url;
        HttpClient {
            client: self.client.clone(),
            fresh: self.fresh.clone(),
            cfg,
            shared: self.shared.clone(),
            events: self.events.clone(),
            cancel: self.cancel.clone(),
        }
    }

    /// The base URL requests are relative to.
    pub fn base_url(&self) -> &url::Url {
        &self.cfg.base_url
    }

    /// Requests sent so far.
    pub fn requests_sent(&self) -> u64 {
        self.shared.sent.load(Ordering::Relaxed)
    }

    /// Exchanges sent that got no answer, by operation, with the last reason.
    pub fn failed_exchanges(&self) -> FailedExchanges {
        self.shared
            .failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Requests sent so far, by operation and identity (the operation set with
    /// [`super::for_operation`]; requests outside one are under `(before the operations)`).
    pub fn sent_by_operation(&self) -> SentByOperation {
        self.shared
            .sent_by_operation
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Counts one request that went out as `who` under the current operation.
    fn note_sent(&self, who: &Who) {
        let name = self.who_name(who);
        let mut sent = self
            .shared
            .sent_by_operation
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let by_identity = sent.entry(super::current_operation()).or_default();
        match by_identity.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => by_identity.push((name, 1)),
        }
    }

    /// The name `who` has in reports: `user`, `user_b`, `anonymous`, or an identity's name.
    fn who_name(&self, who: &Who) -> String {
        match who {
            Who::User => "user".to_string(),
            Who::UserB => "user_b".to_string(),
            Who::Anonymous => "anonymous".to_string(),
            Who::Identity(_) => self
                .identity_info(who)
                .map_or_else(|| "identity".to_string(), |i| i.name.clone()),
        }
    }

    /// Requests sent once more on a fresh connection because their pooled one died under them.
    pub fn requests_retried(&self) -> u64 {
        self.shared.retried.load(Ordering::Relaxed)
    }

    /// True once `max_requests` stopped a request.
    pub fn budget_spent(&self) -> bool {
        self.shared.budget_spent.load(Ordering::Relaxed)
    }

    /// True when the scan's user has credentials.
    pub fn user_has_credentials(&self) -> bool {
        self.shared.user.is_some()
    }

    /// The header the user's credential travels in (`authorization`, `X-API-Key`, …), if any.
    pub fn user_credential_header(&self) -> Option<String> {
        self.shared
            .user
            .as_ref()
            .map(|a| a.header_name().to_string())
    }

    fn auth_env(&self) -> AuthEnv<'_> {
        AuthEnv {
            // Login and token POSTs go out on a connection of their own, like every POST: a pooled
            // connection the server closed after its last answer (uvicorn after a 500) would lose
            // the login, and a POST is never sent twice.
            client: &self.fresh,
            timeout: self.cfg.timeout,
        }
    }

    /// The bearer token `who` sends, if it authenticates with one (fetched for OAuth2 and logins).
    pub async fn bearer_token(&self, who: &Who) -> Option<String> {
        let auth = self.auth_of(who)?;
        let token = auth.bearer_token(&self.auth_env()).await.ok().flatten()?;
        self.shared.redactor.add_secret(&token);
        Some(token)
    }

    /// The first identity (user A, user B, then the named ones) that authenticates with a login
    /// flow.
    pub fn login_identity(&self) -> Option<Who> {
        [Who::User, Who::UserB]
            .into_iter()
            .chain(self.identities().map(|(who, _)| who))
            .find(|who| self.logs_in(who))
    }

    /// True when `who` authenticates with a login flow (so a throwaway session can be had).
    pub fn logs_in(&self, who: &Who) -> bool {
        self.auth_of(who).is_some_and(|a| a.login().is_some())
    }

    /// A new session of `who`'s login flow, apart from the one the scan uses: the header to send
    /// (e.g. `Authorization`, `Bearer <token>`) and the token, registered with the redactor. `None`
    /// when `who` does not log in; `Some(Err)` when the login failed.
    pub async fn fresh_session(&self, who: &Who) -> Option<Result<(String, String), String>> {
        let login = self.auth_of(who)?.login()?;
        Some(login.fresh_session(&self.auth_env()).await.map(|c| {
            if let Some(t) = &c.token {
                self.shared.redactor.add_secret(t);
            }
            (c.name, c.value)
        }))
    }

    /// The login name and password of `who`'s login flow; `None` when `who` does not log in.
    pub fn login_credentials(&self, who: &Who) -> Option<(String, String)> {
        let login = self.auth_of(who)?.login()?;
        Some((login.username().to_string(), login.password().to_string()))
    }

    /// A new session of `who`'s login flow logged in with `password` instead of the configured
    /// one (the header name and value, the token registered with the redactor, `password` too).
    /// `None` when `who` does not log in; `Some(Err)` when the login failed.
    pub async fn session_with_password(
        &self,
        who: &Who,
        password: &str,
    ) -> Option<Result<(String, String), String>> {
        let login = self.auth_of(who)?.login()?;
        self.shared.redactor.add_secret(password);
        Some(
            login
                .session_with(&self.auth_env(), password)
                .await
                .map(|c| {
                    if let Some(t) = &c.token {
                        self.shared.redactor.add_secret(t);
                    }
                    (c.name, c.value)
                }),
        )
    }

    /// The header `who` would carry `token` in (login flows name their own header and prefix).
    pub fn credential_header(&self, who: &Who, token: &str) -> (String, String) {
        match self.auth_of(who).and_then(Auth::login) {
            Some(login) => {
                let c = login.credential_for(token.to_string());
                (c.name, c.value)
            }
            None => ("Authorization".into(), format!("Bearer {token}")),
        }
    }

    /// A token nat itself obtained for `who` (login flow or OAuth2, never forged) whose JWT `exp`
    /// has passed by more than a second, the newest such; when none has yet, waits for the current
    /// one if it expires within `max_wait`. `None` when `who` has no such token or the scan stops.
    pub async fn expired_token(&self, who: &Who, max_wait: Duration) -> Option<(String, i64)> {
        let auth = self.auth_of(who).filter(|a| a.obtains_tokens())?;
        let mut tokens: Vec<(String, i64)> = auth
            .issued_tokens()
            .await
            .into_iter()
            .filter_map(|t| jwt_exp(&t).map(|exp| (t, exp)))
            .collect();
        if tokens.is_empty() {
            // Nothing issued yet: log in (or fetch) now.
            let t = auth.bearer_token(&self.auth_env()).await.ok().flatten()?;
            tokens.push((t.clone(), jwt_exp(&t)?));
        }
        let past = |exp: i64| (exp as f64) + 1.0 <= unix_now();
        if let Some(t) = tokens.iter().rev().find(|(_, exp)| past(*exp)) {
            return Some(t.clone());
        }
        let soonest = tokens.into_iter().min_by_key(|(_, exp)| *exp)?;
        let wait = (soonest.1 as f64) + 1.1 - unix_now();
        if wait > max_wait.as_secs_f64() {
            return None;
        }
        tokio::select! {
            _ = self.cancel.cancelled() => None,
            _ = tokio::time::sleep(Duration::from_secs_f64(wait.max(0.0))) => Some(soonest),
        }
    }

    /// The user's bearer token, if it authenticates with one (fetched for OAuth2).
    pub async fn user_bearer_token(&self) -> Option<String> {
        self.bearer_token(&Who::User).await
    }

    /// User B's bearer token, if B authenticates with one (fetched for OAuth2).
    pub async fn user_b_bearer_token(&self) -> Option<String> {
        self.bearer_token(&Who::UserB).await
    }

    /// `text` with every secret the scan knows masked (for warnings that quote a target's answer).
    pub fn scrub(&self, text: &str) -> String {
        self.shared.redactor.scrub(text)
    }

    /// Redacted evidence of an exchange.
    pub fn evidence(&self, ex: &Exchange) -> Evidence {
        self.shared.redactor.evidence(ex)
    }

    /// Registers a value that must be masked in evidence from now on.
    pub fn add_secret(&self, secret: &str) {
        self.shared.redactor.add_secret(secret);
    }

    /// The URL of a request: the base URL's path joined with the request's path, plus its query.
    pub fn url_for(&self, req: &RequestSpec) -> url::Url {
        let mut url = self.cfg.base_url.clone();
        let base_path = url.path().trim_end_matches('/').to_string();
        let path = if req.path.starts_with('/') {
            req.path.clone()
        } else {
            format!("/{}", req.path)
        };
        url.set_path(&format!("{base_path}{path}"));
        url.set_query(None);
        if !req.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(req.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }

    /// Sends `req` as `who` and records the exchange. Never fails: a failed exchange carries its error.
    ///
    /// When the API answers 401 to a token nat obtains itself (OAuth2, login flow), the token is
    /// renewed and the request sent once more.
    pub async fn send(&self, who: &Who, req: &RequestSpec) -> Exchange {
        if let Some(why) = self.session_broken(who) {
            // Nothing more is sent as an identity whose session stopped working: its answers would
            // prove nothing, and a damaged account should not be worked on further.
            return Exchange {
                request: RecordedRequest {
                    method: req.method.clone(),
                    url: self.url_for(req).to_string(),
                    ..Default::default()
                },
                error: Some(format!("not sent: {why}")),
                ..Default::default()
            };
        }
        let exchange = self.send_authenticated(who, req).await;
        if *who != Who::Anonymous && !is_read(&req.method) && exchange.is_success() {
            self.sessions().dirty.insert(who.clone());
        }
        exchange
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, SessionWatch> {
        self.shared
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Why `who`'s session stopped working, once it did.
    pub fn session_broken(&self, who: &Who) -> Option<String> {
        if !self.any_session_broken() {
            return None;
        }
        self.sessions().broken.get(who).cloned()
    }

    /// True once some identity's session stopped working (the report is then partial).
    pub fn any_session_broken(&self) -> bool {
        self.shared.any_broken.load(Ordering::Relaxed)
    }

    /// Remembers `req`, which `who` was just answered 2xx, as the request that tells whether
    /// `who`'s session still works (the first one given per identity is kept).
    pub fn set_canary(&self, who: &Who, req: &RequestSpec) {
        self.sessions()
            .canaries
            .entry(who.clone())
            .or_insert_with(|| req.clone());
    }

    /// After writes that succeeded: sends each such identity's canary once more (twice, 300 ms
    /// apart, when the first is refused; a login flow logs in again on a 401 as always). An
    /// identity whose canary is no longer answered 2xx has a broken session: nothing more is sent
    /// as it. Returns one message per identity newly broken, naming `after` (the operation whose
    /// writes came before).
    pub async fn check_sessions(&self, after: &str) -> Vec<String> {
        let due: Vec<(Who, RequestSpec)> = {
            let mut watch = self.sessions();
            let dirty: Vec<Who> = watch.dirty.drain().collect();
            dirty
                .into_iter()
                .filter_map(|who| watch.canaries.get(&who).cloned().map(|r| (who, r)))
                .collect()
        };
        let mut out = Vec::new();
        for (who, canary) in due {
            if self.cancel.is_cancelled() {
                break;
            }
            let mut status = self.send_authenticated(&who, &canary).await.status();
            if !status.is_some_and(|s| (200..300).contains(&s)) {
                tokio::time::sleep(Duration::from_millis(300)).await;
                status = self.send_authenticated(&who, &canary).await.status();
            }
            match status {
                Some(s) if (200..300).contains(&s) => {}
                // No answer is the outage watch's business, not the session's.
                None => {}
                Some(s) => {
                    let name = self.who_name(&who);
                    let why = format!(
                        "the session of `{name}` stopped working after the writes of {after}: \
                         {} {} answered it {s}, as it had 2xx before",
                        canary.method, canary.path
                    );
                    self.sessions().broken.insert(who, why.clone());
                    self.shared.any_broken.store(true, Ordering::Relaxed);
                    out.push(format!(
                        "{why}; nat sends nothing more as `{name}`, and the report is partial"
                    ));
                }
            }
        }
        out
    }

    async fn send_authenticated(&self, who: &Who, req: &RequestSpec) -> Exchange {
        let (first, used) = self.send_once(who, req).await;
        if first.status() == Some(401) {
            if let (Some(auth), Some(used)) = (self.auth_of(who), used) {
                if auth.invalidate(&used).await {
                    return self.send_once(who, req).await.0;
                }
            }
        }
        first
    }

    /// Every request sent so far that may have changed something on the target (any method but GET,
    /// HEAD and OPTIONS), in the order sent, URLs redacted.
    pub fn writes(&self) -> Vec<WriteRecord> {
        match self.shared.writes.lock() {
            Ok(w) => w.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn note_write(&self, who: &Who, method: &str, url: &url::Url, status: Option<u16>) {
        if is_read(method) {
            return;
        }
        let record = WriteRecord {
            method: method.to_string(),
            url: self.shared.redactor.scrub(url.as_str()),
            identity: self.who_name(who),
            status,
        };
        match self.shared.writes.lock() {
            Ok(mut w) => w.push(record),
            Err(poisoned) => poisoned.into_inner().push(record),
        }
    }

    /// One exchange, and the token its credential carried.
    async fn send_once(&self, who: &Who, req: &RequestSpec) -> (Exchange, Option<String>) {
        let mut used = None;
        let ex = self.send_recorded(who, req, &mut used).await;
        (ex, used)
    }

    async fn send_recorded(
        &self,
        who: &Who,
        req: &RequestSpec,
        used: &mut Option<String>,
    ) -> Exchange {
        let url = self.url_for(req);
        let mut headers: Vec<(String, String)> = Vec::new();
        for (n, v) in &self.cfg.extra_headers {
            // An anonymous request must not carry credentials smuggled in through --header, and user
            // B or a named identity must not carry the user's (they would prove nothing about them).
            if *who != Who::User && is_sensitive_header(n) {
                continue;
            }
            headers.push((n.clone(), v.clone()));
        }
        let mut recorded = RecordedRequest {
            method: req.method.clone(),
            url: url.to_string(),
            headers: Vec::new(),
            body: req.body.as_ref().map(|b| Bytes::from(b.bytes.clone())),
        };
        if let Some(auth) = self.auth_of(who) {
            match auth.credential(&self.auth_env()).await {
                Ok(Credential { name, value, token }) => {
                    if let Some(token) = &token {
                        self.shared.redactor.add_secret(token);
                    }
                    *used = token;
                    headers.push((name, value));
                }
                Err(e) => {
                    recorded.headers = headers;
                    return Exchange {
                        request: recorded,
                        error: Some(e),
                        ..Default::default()
                    };
                }
            }
        }
        for (n, v) in &req.headers {
            headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(n));
            headers.push((n.clone(), v.clone()));
        }
        if let Some(body) = &req.body {
            headers.push(("Content-Type".into(), body.content_type.clone()));
        }
        recorded.headers = headers;

        if self.cfg.read_only && !is_read(&req.method) {
            return Exchange {
                request: recorded,
                error: Some(format!("{} not sent: --safe allows only reads", req.method)),
                ..Default::default()
            };
        }
        if let Some(max) = self.cfg.max_requests {
            if self.shared.sent.load(Ordering::Relaxed) >= max {
                self.shared.budget_spent.store(true, Ordering::Relaxed);
                return Exchange {
                    request: recorded,
                    error: Some(format!("request budget of {max} spent (--max-requests)")),
                    ..Default::default()
                };
            }
        }
        if let Some(policy) = &self.cfg.policy {
            if let Err(e) = super::guard::check_url(policy.as_ref(), &url) {
                return Exchange {
                    request: recorded,
                    error: Some(e),
                    ..Default::default()
                };
            }
        }
        if self.shared.watch.is_down() {
            return Exchange {
                request: recorded,
                error: Some("not sent: the target stopped answering".into()),
                ..Default::default()
            };
        }
        if self.shared.watch.banned(&recorded) {
            return Exchange {
                request: recorded,
                error: Some("not sent again: the target stopped answering after it twice".into()),
                ..Default::default()
            };
        }
        let Ok(_permit) = self.shared.in_flight.acquire().await else {
            return Exchange {
                request: recorded,
                error: Some("client closed".into()),
                ..Default::default()
            };
        };
        if let Some(limiter) = &self.shared.limiter {
            tokio::select! {
                _ = self.cancel.cancelled() => {
                    return Exchange { request: recorded, error: Some("scan cancelled".into()), ..Default::default() };
                }
                _ = limiter.until_ready() => {}
            }
        }
        // Counted when it really goes out: the budget is a hard cap.
        let n = self.shared.sent.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(max) = self.cfg.max_requests {
            if n > max {
                self.shared.sent.fetch_sub(1, Ordering::Relaxed);
                self.shared.budget_spent.store(true, Ordering::Relaxed);
                return Exchange {
                    request: recorded,
                    error: Some(format!("request budget of {max} spent (--max-requests)")),
                    ..Default::default()
                };
            }
        }
        self.events.send(ScanEvent::RequestSent { total: n });
        self.note_sent(who);

        let watch = &self.shared.watch;
        let epoch = watch.epoch();
        let mut start = Instant::now();
        let mut result = self.timed_exchange(&url, &recorded).await;
        if let Err(e) = &result {
            if super::outage::is_transport_failure(e) && !self.cancel.is_cancelled() {
                let verdict = watch
                    .after_failure(
                        super::current_operation(),
                        &recorded,
                        epoch,
                        || self.target_answers(),
                        |pause| self.pause(pause),
                    )
                    .await;
                // Back after an outage: what failed in it goes out again, unless the server may
                // have processed it (only a refused connection says a POST never arrived).
                let resend = is_idempotent(&req.method) || e.starts_with("connection failed");
                if verdict == super::outage::Verdict::Recovered
                    && resend
                    && !watch.banned(&recorded)
                    && !self.budget_spent()
                {
                    self.shared.sent.fetch_add(1, Ordering::Relaxed);
                    self.shared.retried.fetch_add(1, Ordering::Relaxed);
                    self.note_sent(who);
                    start = Instant::now();
                    result = self.timed_exchange(&url, &recorded).await;
                }
            }
        }
        if result.is_ok() {
            watch.note_answer();
        }
        let elapsed_ms = start.elapsed().as_millis() as u64;
        self.note_write(
            who,
            &req.method,
            &url,
            result.as_ref().ok().map(|r| r.status),
        );
        if let Err(e) = &result {
            if !self.cancel.is_cancelled() {
                let mut failed = self.shared.failed.lock().unwrap_or_else(|p| p.into_inner());
                let entry = failed.entry(super::current_operation()).or_default();
                entry.0 += 1;
                entry.1 = e.clone();
            }
        }
        match result {
            Ok(response) => Exchange {
                request: recorded,
                response: Some(response),
                error: None,
                elapsed_ms,
            },
            Err(e) => Exchange {
                request: recorded,
                response: None,
                error: Some(e),
                elapsed_ms,
            },
        }
    }

    /// [`HttpClient::exchange`] within the total deadline, ended early by cancellation.
    async fn timed_exchange(
        &self,
        url: &url::Url,
        req: &RecordedRequest,
    ) -> Result<RecordedResponse, String> {
        tokio::select! {
            _ = self.cancel.cancelled() => Err("scan cancelled".to_string()),
            r = tokio::time::timeout(self.cfg.timeout, self.exchange(url, req)) => match r {
                Ok(r) => r,
                Err(_) => Err(format!("no complete answer within {}s", self.cfg.timeout.as_secs())),
            },
        }
    }

    /// The outage watch's health check: the base URL answers at all (any status), within 3 s.
    async fn target_answers(&self) -> bool {
        let get = self.fresh.get(self.cfg.base_url.clone()).send();
        matches!(
            tokio::time::timeout(super::outage::HEALTH_TIMEOUT, get).await,
            Ok(Ok(_))
        )
    }

    /// Sleeps `pause`; false when the scan was cancelled meanwhile.
    async fn pause(&self, pause: Duration) -> bool {
        tokio::select! {
            _ = self.cancel.cancelled() => false,
            _ = tokio::time::sleep(pause) => true,
        }
    }

    /// Outages the target had during the scan (see [`super::outage`]).
    pub fn outages(&self) -> Vec<super::outage::Outage> {
        self.shared.watch.outages()
    }

    /// True once the target stopped answering for longer than [`super::outage::MAX_OUTAGE`].
    pub fn target_down(&self) -> bool {
        self.shared.watch.is_down()
    }

    async fn exchange(
        &self,
        url: &url::Url,
        req: &RecordedRequest,
    ) -> Result<RecordedResponse, String> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| format!("invalid method `{}`", req.method))?;
        let build = |client: &reqwest::Client| {
            let mut builder = client.request(method.clone(), url.clone());
            for (n, v) in &req.headers {
                builder = builder.header(n.as_str(), v.as_str());
            }
            if let Some(body) = &req.body {
                builder = builder.body(body.clone());
            }
            builder
        };
        // hyper itself resends a request its pooled connection closed before it was written; one
        // that died after being written is sent once more on a fresh connection when its method is
        // idempotent. A POST or PATCH might have been processed, so it is never repeated: it goes
        // out on a connection of its own from the start, which no earlier answer can have left
        // half-closed (uvicorn drops keep-alive after a 500 without `Connection: close`).
        let first = if is_idempotent(&req.method) {
            &self.client
        } else {
            &self.fresh
        };
        let mut resp = match build(first).send().await {
            Ok(resp) => resp,
            Err(e) if stale_connection(&e) && is_idempotent(&req.method) => {
                self.shared.retried.fetch_add(1, Ordering::Relaxed);
                build(&self.fresh)
                    .send()
                    .await
                    .map_err(|e| describe_error(&e))?
            }
            Err(e) => return Err(describe_error(&e)),
        };
        let status = resp.status().as_u16();
        let version = format!("{:?}", resp.version());
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = BytesMut::new();
        let mut truncated = false;
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.cfg.body_cap.saturating_sub(body.len());
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                // A half-read body would mislead every comparison: the exchange failed.
                Err(e) => return Err(describe_error(&e)),
            }
        }
        Ok(RecordedResponse {
            status,
            version,
            headers,
            body: body.freeze(),
            truncated,
        })
    }

    /// A plain GET outside the scan's identities (spec discovery); counted like any request.
    pub async fn get_anonymous(&self, path: &str) -> Exchange {
        let req = RequestSpec {
            method: "GET".into(),
            path: path.into(),
            ..Default::default()
        };
        self.send(&Who::Anonymous, &req).await
    }
}

/// Registers an identity's secrets and credential header with the redactor.
fn redact_auth(redactor: &Redactor, auth: &Auth) {
    for s in auth.static_secrets() {
        redactor.add_secret(&s);
    }
    redactor.add_header(auth.header_name());
}

fn nonzero_one() -> std::num::NonZeroU32 {
    std::num::NonZeroU32::MIN
}

/// A short reason for a failed exchange, without reqwest's URL repetition.
fn describe_error(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "body unreadable"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut src = e.source();
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    if cause.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {cause}")
    }
}

/// The reqwest client of a scan; `idle_per_host` 0 gives one that opens a connection per request.
fn build_client(cfg: &HttpConfig, idle_per_host: usize) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        // Scan exchanges never follow redirects: a redirect to a login page answered 200 would
        // otherwise pass for access, and credentials must never travel to another origin.
        .redirect(reqwest::redirect::Policy::none())
        // The total deadline is enforced around the whole exchange (see `send_once`), so a
        // server that drips one byte at a time cannot hold an exchange open.
        .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!(
            "nat/",
            env!("CARGO_PKG_VERSION"),
            " (API security scanner)"
        ))
        .pool_max_idle_per_host(idle_per_host)
        .tls_danger_accept_invalid_certs(cfg.insecure)
        .no_proxy();
    if let Some(policy) = &cfg.policy {
        builder = super::guard::apply(builder, policy, 0);
    }
    if let Some(proxy) = &cfg.proxy {
        let p = reqwest::Proxy::all(proxy).map_err(|e| format!("proxy `{proxy}`: {e}"))?;
        builder = builder.proxy(p);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// True when `e` says the connection died under a request that was (or may have been) written: the
/// server closed a pooled keep-alive connection (uvicorn does after a 500, without `Connection:
/// close`), reset it, or the write failed. Connect errors and deadlines are not: a retry on a fresh
/// connection would not help them.
fn stale_connection(e: &reqwest::Error) -> bool {
    use std::error::Error as _;
    if e.is_timeout() || e.is_connect() || e.is_builder() || e.is_redirect() {
        return false;
    }
    let mut src = e.source();
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            ) {
                return true;
            }
        }
        let text = s.to_string();
        if text.contains("connection closed before message completed")
            || text.contains("connection reset")
        {
            return true;
        }
        src = s.source();
    }
    false
}

/// Methods a server must treat as idempotent (RFC 9110 §9.2.2): safe to send twice when the first
/// may have arrived.
fn is_idempotent(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE"
    )
}

/// GET, HEAD and OPTIONS: methods that change nothing.
pub fn is_read(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}
