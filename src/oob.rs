//! The out-of-band callback listener: a small HTTP server nat runs in its own process during a scan
//! (on 127.0.0.1:0 unless `options.callback.bind` says otherwise), so that blind flaws are proven by
//! a request the target itself makes to it (SSRF, blind injections).
//!
//! Every probe gets its own unguessable token in the callback URL (`{base}/nat/{token}`); a hit
//! names the operation, slot, payload and identity that caused it, however late it arrives. The
//! listener answers every request with a small fixed body holding the scan's marker (so an answer
//! that contains the marker proves an in-band fetch), never follows anything, and keeps what it
//! receives, bounded and with credentials masked, as evidence.

use bytes::Bytes;
use futures::StreamExt;
use http::HeaderMap;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use warp::{Buf, Filter};

/// Most hits kept per scan.
const MAX_HITS: usize = 1000;
/// Most bytes of a hit's body kept.
const MAX_BODY: usize = 512;
/// Most headers of a hit kept.
const MAX_HEADERS: usize = 32;
/// Length of a probe's token.
const TOKEN_LEN: usize = 24;
/// How long after the last probe the target accepted without calling back nat still waits, at the
/// end of the scan, for late callbacks (a webhook queued and sent later).
pub const GRACE: Duration = Duration::from_secs(2);

/// What sent a callback URL: the operation, where the URL went, the payload and who sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// The check that sent it (`NAT-API7-SSRF`).
    pub check: &'static str,
    /// `POST /webhooks/test`.
    pub operation: String,
    /// `body field callback_url`.
    pub slot: String,
    /// The value sent.
    pub payload: String,
    /// `user`, `user_b`, an identity's name.
    pub identity: String,
}

/// One request the listener received for a probe's token.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub method: String,
    /// Path and query as received.
    pub path: String,
    /// Headers, credentials masked, at most [`MAX_HEADERS`].
    pub headers: Vec<(String, String)>,
    /// The first [`MAX_BODY`] bytes of the body (lossy UTF-8).
    pub body: String,
    /// Where it came from.
    pub peer: Option<SocketAddr>,
}

impl Hit {
    /// The hit as evidence text.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "{} {} (from {})",
            self.method,
            self.path,
            self.peer
                .map_or_else(|| "an unknown address".into(), |p| p.to_string())
        );
        for (n, v) in &self.headers {
            out.push_str(&format!("\n{n}: {v}"));
        }
        if !self.body.is_empty() {
            out.push_str(&format!("\n\n{}", self.body));
        }
        out
    }
}

#[derive(Default)]
struct Registry {
    probes: HashMap<String, Probe>,
    hits: HashMap<String, Vec<Hit>>,
    hit_count: usize,
    /// Tokens a check already reported.
    claimed: std::collections::HashSet<String>,
    /// Evidence of the exchange that carried each token (for hits that arrive late).
    evidence: HashMap<String, crate::findings::Evidence>,
    /// When the target last accepted a probe without calling back (yet).
    last_pending: Option<std::time::Instant>,
}

/// A running listener.
pub struct Listener {
    registry: Arc<Mutex<Registry>>,
    notify: Arc<tokio::sync::Notify>,
    marker: String,
    base: url::Url,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        // The scan is over: nothing listens any more, whoever holds the last reference.
        self.handle.abort();
    }
}

fn random_token(n: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// The registered token a request names: a path segment or a query value of the token's shape.
fn token_in(path: &str, query: &str, registry: &Registry) -> Option<String> {
    path.split('/')
        .chain(query.split(['&', '=']))
        .filter(|s| s.len() == TOKEN_LEN)
        .find(|s| registry.probes.contains_key(*s))
        .map(str::to_string)
}

impl Listener {
    /// Starts a listener on `bind`; callback URLs start with `public` (the address the target can
    /// reach) or, without one, with `http://` and the bound address.
    pub async fn start(bind: SocketAddr, public: Option<url::Url>) -> std::io::Result<Listener> {
        let tcp = tokio::net::TcpListener::bind(bind).await?;
        let addr = tcp.local_addr()?;
        let base = match public {
            Some(u) => u,
            None => url::Url::parse(&format!("http://{addr}/"))
                .map_err(|e| std::io::Error::other(e.to_string()))?,
        };
        let marker = format!("nat-callback-{}", random_token(16));
        let registry: Arc<Mutex<Registry>> = Arc::default();
        let notify = Arc::new(tokio::sync::Notify::new());
        let (reg, note, answer) = (registry.clone(), notify.clone(), marker.clone());
        let app = warp::method()
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::addr::remote())
            .and(warp::body::stream())
            .then(
                move |method: http::Method,
                      path: warp::path::FullPath,
                      query: String,
                      headers: HeaderMap,
                      peer: Option<SocketAddr>,
                      body| {
                    let (reg, note, answer) = (reg.clone(), note.clone(), answer.clone());
                    async move {
                        let body = read_some(body).await;
                        record(
                            &reg,
                            &note,
                            method,
                            path.as_str(),
                            &query,
                            &headers,
                            peer,
                            &body,
                        );
                        http::Response::builder()
                            .status(200)
                            .header("content-type", "text/plain")
                            .header("connection", "close")
                            .body(Bytes::from(answer))
                            .unwrap_or_default()
                    }
                },
            );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(
            warp::serve(app)
                .incoming(tcp)
                .graceful(async move {
                    let _ = rx.await;
                })
                .run(),
        );
        Ok(Listener {
            registry,
            notify,
            marker,
            base,
            addr,
            shutdown: Some(tx),
            handle,
        })
    }

    /// The address the listener is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The text every answer of the listener holds: an answer of the target that contains it
    /// fetched a callback URL and passed its content on.
    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// Registers a probe and returns its token.
    pub fn register(&self, probe: Probe) -> String {
        let token = random_token(TOKEN_LEN);
        self.lock().probes.insert(token.clone(), probe);
        token
    }

    /// The callback URL of `token`.
    pub fn url_for(&self, token: &str) -> String {
        format!("{}nat/{token}", self.base_str())
    }

    /// `base` with a trailing slash.
    fn base_str(&self) -> String {
        let s = self.base.as_str();
        if s.ends_with('/') {
            s.to_string()
        } else {
            format!("{s}/")
        }
    }

    /// Spellings of `token`'s callback URL that slip past naive filters, all towards the listener:
    /// an upper-case scheme, user info before the host, and for a loopback listener `localhost`
    /// and the address as one decimal number.
    pub fn variants_for(&self, token: &str) -> Vec<String> {
        let plain = self.url_for(token);
        let mut out = Vec::new();
        if let Some(rest) = plain.strip_prefix("http://") {
            out.push(format!("HTTP://{rest}"));
            out.push(format!("http://nat@{rest}"));
        }
        if self.base.host_str() == Some("127.0.0.1") {
            let port = self.base.port_or_known_default().unwrap_or(80);
            out.push(format!("http://localhost:{port}/nat/{token}"));
            out.push(format!("http://2130706433:{port}/nat/{token}"));
        }
        out
    }

    /// Keeps the evidence of the exchange that carried `token` (for a hit that arrives late).
    pub fn attach(&self, token: &str, evidence: crate::findings::Evidence) {
        self.lock().evidence.insert(token.to_string(), evidence);
    }

    /// The hits for `token` so far.
    pub fn hits_for(&self, token: &str) -> Vec<Hit> {
        self.lock().hits.get(token).cloned().unwrap_or_default()
    }

    /// The first hit for `token`, waiting at most `timeout` for it.
    pub async fn wait_for(&self, token: &str, timeout: Duration) -> Option<Hit> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.notify.notified();
            if let Some(hit) = self.hits_for(token).into_iter().next() {
                return Some(hit);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.hits_for(token).into_iter().next();
            }
        }
    }

    /// Marks `token` as reported by its check.
    pub fn claim(&self, token: &str) {
        self.lock().claimed.insert(token.to_string());
    }

    /// Notes that the target accepted a probe (2xx) without calling back so far: a callback may
    /// still come, and the end of the scan waits [`GRACE`] after the last such probe.
    pub fn note_pending(&self) {
        self.lock().last_pending = Some(std::time::Instant::now());
    }

    /// Waits until [`GRACE`] has passed since the last probe the target accepted without calling
    /// back (at once when there was none, or it was long enough ago).
    /// Returns how long it waited.
    pub async fn grace(&self) -> Duration {
        let last = self.lock().last_pending;
        let left = last.map_or(Duration::ZERO, |at| GRACE.saturating_sub(at.elapsed()));
        if !left.is_zero() {
            tokio::time::sleep(left).await;
        }
        left
    }

    /// Hits no check reported yet, with their probe and the evidence of the exchange that carried
    /// the token, one per token.
    pub fn unclaimed(&self) -> Vec<(Probe, Hit, Option<crate::findings::Evidence>)> {
        let reg = self.lock();
        let mut out: Vec<_> = reg
            .hits
            .iter()
            .filter(|(token, _)| !reg.claimed.contains(*token))
            .filter_map(|(token, hits)| {
                Some((
                    reg.probes.get(token)?.clone(),
                    hits.first()?.clone(),
                    reg.evidence.get(token).cloned(),
                ))
            })
            .collect();
        out.sort_by(|a, b| (&a.0.operation, &a.0.slot).cmp(&(&b.0.operation, &b.0.slot)));
        out
    }

    /// Stops the listener (also done when it is dropped).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let abort = self.handle.abort_handle();
        if tokio::time::timeout(Duration::from_secs(2), &mut self.handle)
            .await
            .is_err()
        {
            abort.abort();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Reads at most [`MAX_BODY`] bytes of a body and drops the rest.
async fn read_some<S, B>(body: S) -> Vec<u8>
where
    S: futures::Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let mut body = std::pin::pin!(body);
    let mut out = Vec::new();
    while let Some(Ok(mut chunk)) = body.next().await {
        while chunk.has_remaining() && out.len() < MAX_BODY {
            let part = chunk.chunk();
            let take = part.len().min(MAX_BODY - out.len());
            out.extend_from_slice(&part[..take]);
            chunk.advance(take);
        }
        if out.len() >= MAX_BODY {
            break;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn record(
    registry: &Mutex<Registry>,
    notify: &tokio::sync::Notify,
    method: http::Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    body: &[u8],
) {
    let mut reg = registry.lock().unwrap_or_else(|e| e.into_inner());
    let Some(token) = token_in(path, query, &reg) else {
        return;
    };
    if reg.hit_count >= MAX_HITS {
        return;
    }
    reg.hit_count += 1;
    let headers = headers
        .iter()
        .take(MAX_HEADERS)
        .map(|(n, v)| {
            let name = n.as_str().to_string();
            let value = if crate::http::is_sensitive_header(&name) {
                crate::http::MASK.to_string()
            } else {
                String::from_utf8_lossy(v.as_bytes())
                    .chars()
                    .take(200)
                    .collect()
            };
            (name, value)
        })
        .collect();
    let full = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    };
    reg.hits.entry(token).or_default().push(Hit {
        method: method.to_string(),
        path: full.chars().take(300).collect(),
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
        peer,
    });
    drop(reg);
    notify.notify_waiters();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe() -> Probe {
        Probe {
            check: "NAT-API7-SSRF",
            operation: "POST /hooks".into(),
            slot: "body field url".into(),
            payload: String::new(),
            identity: "user".into(),
        }
    }

    #[tokio::test]
    async fn a_request_naming_a_token_is_a_hit_of_that_probe_only() {
        let l = Listener::start("127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        let token = l.register(probe());
        let other = l.register(probe());
        let client = reqwest::Client::new();
        let answer = client
            .post(l.url_for(&token))
            .header("authorization", "Bearer secret-of-the-target")
            .body("x".repeat(2000))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(answer.contains(l.marker()));
        let hit = l.wait_for(&token, Duration::from_secs(2)).await.unwrap();
        assert_eq!(hit.method, "POST");
        assert_eq!(hit.path, format!("/nat/{token}"));
        assert_eq!(hit.body.len(), MAX_BODY);
        assert!(hit
            .headers
            .iter()
            .any(|(n, v)| n == "authorization" && v == crate::http::MASK));
        assert!(l.hits_for(&other).is_empty());
        // A request with no registered token is not kept; nor is a guessed one.
        client
            .get(format!("http://{}/nat/{}", l.addr(), "a".repeat(TOKEN_LEN)))
            .send()
            .await
            .unwrap();
        assert_eq!(l.unclaimed().len(), 1);
        l.claim(&token);
        assert!(l.unclaimed().is_empty());
        // Variants all point at the listener.
        for v in l.variants_for(&other) {
            assert!(v.to_ascii_lowercase().contains(&other), "{v}");
        }
        l.stop().await;
    }

    #[tokio::test]
    async fn waiting_for_a_hit_that_never_comes_ends_at_the_timeout() {
        let l = Listener::start("127.0.0.1:0".parse().unwrap(), None)
            .await
            .unwrap();
        let token = l.register(probe());
        let start = std::time::Instant::now();
        assert!(l
            .wait_for(&token, Duration::from_millis(100))
            .await
            .is_none());
        assert!(start.elapsed() < Duration::from_secs(2));
        l.stop().await;
    }
}
