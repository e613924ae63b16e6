//! The deliberately vulnerable API nat ships (`nat demo`): every check has a vulnerable endpoint here
//! and a fixed twin.
//!
//! Routes live under `/api/v1`: `vuln/…` shows a flaw, `fixed/…` is the same operation done right.
//! `/openapi.json` describes them all. The SQL injection is real (an in-memory SQLite database).

mod accounts;
mod admin;
mod authn;
mod db;
mod exposure;
mod inband;
mod jwt;
mod keepalive;
mod legacy;
mod maintenance;
mod notes;
mod pages;
mod routes;
mod sessions;
mod shelf;
mod strict;
#[cfg(test)]
mod tests;
mod tools;
mod undeclared;
mod undocumented;
mod validated;
mod webhooks;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use http::{HeaderMap, Method};
use warp::Filter;

pub use routes::{API_PREFIX, TRUSTED_ORIGIN};
pub use sessions::LOGIN_PATH;

/// A running demo target.
pub struct DemoServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
    seen: Arc<std::sync::Mutex<Received>>,
}

/// What a demo server received, as `METHOD /path`.
#[derive(Default)]
struct Received {
    /// Every request, answered or not (at most [`MAX_SEEN`]).
    all: Vec<String>,
    /// Requests read on a connection a route had asked to drop, and left unanswered.
    dropped: Vec<String>,
}

/// Most requests [`DemoServer::requests`] keeps (the first ones).
const MAX_SEEN: usize = 100_000;

impl DemoServer {
    /// `http://127.0.0.1:PORT`: the base URL to scan (the description says `servers: [/api/v1]`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// `METHOD /path` (query left out) of every request the server received so far, answered or
    /// not, in arrival order (at most the first 100 000): what a test asserts nat did or did not
    /// send.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.all.clone()).unwrap_or_default()
    }
    /// The requests left unanswered because they arrived on a connection the server dropped after a
    /// route's answer, as uvicorn drops keep-alive after a 500 (`/vuln/keepalive/articles`), in
    /// arrival order.
    pub fn dropped_requests(&self) -> Vec<String> {
        self.seen
            .lock()
            .map(|s| s.dropped.clone())
            .unwrap_or_default()
    }
    /// Stops the server and waits for it (at most a few seconds for open connections to finish).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let abort = self.handle.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), &mut self.handle)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

/// A valid bearer token of the demo user `alice` (id 1; what `nat demo` scans with).
pub fn user_token() -> String {
    jwt::token_for(jwt::USERS[0])
}

/// A valid bearer token of the second demo user `bob` (id 2), for checks that need two identities.
pub fn second_user_token() -> String {
    jwt::token_for(jwt::USERS[1])
}

/// A valid bearer token of the demo administrator `carol` (id 3), for the function-level
/// authorization checks (`identities: [{name: admin, role: admin, …}]`).
pub fn admin_token() -> String {
    jwt::token_for(jwt::ADMIN)
}

/// The password of the demo user `alice`, for the login flow at [`LOGIN_PATH`].
pub fn user_password() -> &'static str {
    sessions::PASSWORDS[0]
}

/// The password of the second demo user `bob`.
pub fn second_user_password() -> &'static str {
    sessions::PASSWORDS[1]
}

/// The demo's OpenAPI 3.0.3 description (also served at `/openapi.json`).
pub fn openapi_json() -> &'static str {
    routes::openapi()
}

/// Reads at most `routes::MAX_BODY` bytes of a body; `None` when it is larger or broken.
async fn read_body<S, B>(body: S) -> Option<Bytes>
where
    S: futures::Stream<Item = Result<B, warp::Error>>,
    B: warp::Buf,
{
    let mut body = std::pin::pin!(body);
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let mut chunk = chunk.ok()?;
        if out.len() + chunk.remaining() > routes::MAX_BODY {
            return None;
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            out.extend_from_slice(part);
            let n = part.len();
            chunk.advance(n);
        }
    }
    Some(out.into())
}

/// Put on a response by a route that closes keep-alive after it the way uvicorn does after an
/// unhandled error: the answer goes out whole and without `Connection: close`, and the next request
/// that arrives on the connection is read and left unanswered, the connection dropped. (uvicorn
/// closes at once; a client that reuses the connection before it sees the close loses the request.
/// The demo makes that race always lost, so a test can count on it.)
#[derive(Clone, Copy, Debug)]
struct DropConnection;

/// Serves each accepted connection in a task of its own until `shutdown`, then lets open ones
/// finish (idle keep-alive connections are closed). Every request is logged in `seen` on arrival,
/// answered or not, and a request left unanswered on a dropped connection once more as such.
async fn accept_loop<S, B>(
    listener: tokio::net::TcpListener,
    app: S,
    seen: Arc<std::sync::Mutex<Received>>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) where
    S: hyper::service::Service<
            http::Request<hyper::body::Incoming>,
            Response = http::Response<B>,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors, say: let connections close before the next accept.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let seen = seen.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            // Set once a route asked for this connection to be dropped; the next request drops it.
            let poisoned = Arc::new(AtomicBool::new(false));
            let dropped = Arc::new(tokio::sync::Notify::new());
            let drop_now = dropped.clone();
            let service = hyper::service::service_fn(move |req: http::Request<_>| {
                let line = format!("{} {}", req.method(), req.uri().path());
                let drop_it = poisoned.load(Ordering::SeqCst);
                if let Ok(mut log) = seen.lock() {
                    if log.all.len() < MAX_SEEN {
                        log.all.push(line.clone());
                    }
                    if drop_it && log.dropped.len() < MAX_SEEN {
                        log.dropped.push(line);
                    }
                }
                let answer = (!drop_it).then(|| hyper::service::Service::call(&app, req));
                let (poisoned, drop_now) = (poisoned.clone(), drop_now.clone());
                async move {
                    let Some(answer) = answer else {
                        drop_now.notify_one();
                        return std::future::pending().await;
                    };
                    let resp = answer.await?;
                    if resp.extensions().get::<DropConnection>().is_some() {
                        poisoned.store(true, Ordering::SeqCst);
                    }
                    Ok::<_, std::convert::Infallible>(resp)
                }
            });
            let builder =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let conn = watcher.watch(conn);
            // Dropping the connection's future closes the socket, whatever it was doing.
            tokio::select! {
                _ = conn => {}
                _ = dropped.notified() => {}
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Starts the demo target on `bind` (use port 0 for any free port).
pub async fn serve(bind: SocketAddr) -> std::io::Result<DemoServer> {
    let state = Arc::new(routes::State::new()?);
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let seen = Arc::new(std::sync::Mutex::new(Received::default()));
    let log = seen.clone();

    let app = warp::method()
        .and(warp::path::full())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(warp::header::headers_cloned())
        .and(warp::body::stream())
        .then(
            move |method: Method,
                  path: warp::path::FullPath,
                  query: String,
                  headers: HeaderMap,
                  body| {
                let state = state.clone();
                async move {
                    let Some(body) = read_body(body).await else {
                        return routes::too_large();
                    };
                    let req = routes::Req {
                        method,
                        path: path.as_str().to_owned(),
                        query,
                        headers,
                        body,
                    };
                    // SQLite work blocks; a panic in a handler becomes a plain 500, never a dead server.
                    tokio::task::spawn_blocking(move || routes::handle(&state, &req))
                        .await
                        .unwrap_or_else(|_| routes::crashed())
                }
            },
        );

    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(accept_loop(
        listener,
        hyper_util::service::TowerToHyperService::new(warp::service(app)),
        log,
        rx,
    ));
    Ok(DemoServer {
        addr,
        shutdown: Some(tx),
        handle,
        seen,
    })
}
