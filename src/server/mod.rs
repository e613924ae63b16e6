//! `nat serve`: the team server. The same engine as `nat scan`, behind the REST API of
//! `reference/rest-api.md` under `/api/v1`, with scans, findings and API keys in a sled store.
//!
//! - Every error is RFC 7807 `application/problem+json`; `instance` is the request path relative to
//!   `/api/v1` (as in the contract's example `"/scans/scan_xyz123"`), or the full path outside it.
//! - Every response carries `X-RateLimit-Limit`, `-Remaining`, `-Reset` (see [`ratelimit`]).
//! - `GET /api/v1/openapi.json` (this API's own OpenAPI 3 document) needs no key; everything else does.
//! - A cancelled scan ends `failed` with reason `cancelled`. Scans queued or running when the server
//!   stops end `failed` with reason `interrupted by a server restart`: their secrets were kept in memory
//!   only, so they cannot be resumed; POST them again. Findings already stored are kept.
//! - At most `max_queued` scans wait for a worker; beyond that `POST /scans` is a `503` problem
//!   (`queue-full`) with `Retry-After`, and the scan is not stored.
//! - One line per request on stderr: method, path, status, milliseconds. Never a header or a body.

mod problem;
mod queue;
pub mod ratelimit;
mod routes;
pub mod targets;

pub use problem::Problem;
pub use queue::{REASON_CANCELLED, REASON_RESTART};
pub use targets::TargetGuard;

use crate::store::{Store, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// nat's own OpenAPI 3 document, served at `GET /api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Where the API lives.
pub const API_PREFIX: &str = "/api/v1";

/// Default cap on a request body (spec_content can be large): 5 MiB.
pub const DEFAULT_MAX_BODY: usize = 5 * 1024 * 1024;

/// Default cap on scans waiting for a worker.
pub const DEFAULT_MAX_QUEUED: usize = 100;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Address to listen on (port 0: any free port).
    pub bind: SocketAddr,
    /// Directory of the sled store (created if missing).
    pub data_dir: PathBuf,
    /// Scans that run at once; the rest wait as `queued`.
    pub workers: usize,
    /// Scans that may wait as `queued` (at least 1); `POST /scans` answers 503 beyond.
    pub max_queued: usize,
    /// Requests per minute per API key (per client IP without a valid key); `None`: unlimited.
    pub rate_limit_per_minute: Option<u32>,
    /// Glob patterns on the host (`*.staging.example.com`), `host:port` or the whole URL; when
    /// non-empty, every URL the server would contact must match one (checked for every connection).
    pub allow_targets: Vec<String>,
    /// Allow loopback targets (127.0.0.0/8, ::1). Default true: `nat demo` lives there.
    pub allow_loopback: bool,
    /// Allow private targets (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Default true.
    pub allow_private: bool,
    /// Largest accepted request body in bytes (413 above).
    pub max_body_bytes: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("nat-data"),
            workers: 2,
            max_queued: DEFAULT_MAX_QUEUED,
            rate_limit_per_minute: None,
            allow_targets: Vec::new(),
            allow_loopback: true,
            allow_private: true,
            max_body_bytes: DEFAULT_MAX_BODY,
        }
    }
}

/// Why the server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened (e.g. [`StoreError::Locked`]: another server holds the dir).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The configuration is invalid (e.g. a bad `allow_targets` glob).
    #[error("{0}")]
    Config(String),
}

/// A running server (see [`start`]).
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<Result<(), ServeError>>,
}

impl Server {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/api/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}{API_PREFIX}", self.addr)
    }

    /// Stops accepting, lets open requests finish, cancels running scans (they end `failed`, reason
    /// `interrupted by a server restart`), flushes and closes the store. Returns when the data dir is
    /// free again.
    pub async fn stop(mut self) -> Result<(), ServeError> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match self.handle.await {
            Ok(r) => r,
            Err(e) => Err(ServeError::Config(format!("server task failed: {e}"))),
        }
    }
}

/// Opens the store, marks interrupted scans failed, binds and starts serving in the background.
pub async fn start(config: ServeConfig) -> Result<Server, ServeError> {
    let store = Store::open(&config.data_dir)?;
    let guard = TargetGuard::new(
        &config.allow_targets,
        config.allow_loopback,
        config.allow_private,
    )
    .map_err(ServeError::Config)?;
    let interrupted = store.fail_unfinished(REASON_RESTART)?;
    if interrupted > 0 {
        eprintln!(
            "nat serve: {interrupted} scan(s) that were queued or running are marked failed \
             ({REASON_RESTART}); POST them again to re-run"
        );
    }
    if store.has_no_keys() {
        eprintln!(
            "nat serve: there are no API keys yet: stop the server, run `nat keys create --name admin \
             --role admin --data-dir {}`, and start it again",
            config.data_dir.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: config.bind,
        source,
    })?;

    let shutdown = CancellationToken::new();
    let queue = queue::Queue::new(
        store.clone(),
        guard.clone(),
        shutdown.clone(),
        config.max_queued,
    );
    let workers = queue.spawn_workers(config.workers);
    let app = Arc::new(routes::App::new(store.clone(), queue, guard, &config)?);
    let filter = routes::filter(app);

    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        warp::serve(filter)
            .incoming(listener)
            .graceful(async move {
                let _ = rx.await;
            })
            .run()
            .await;
        shutdown.cancel();
        for w in workers {
            let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
        }
        store.fail_unfinished(REASON_RESTART)?;
        store.flush().await?;
        Ok(())
    });
    Ok(Server {
        addr,
        stop: Some(tx),
        handle,
    })
}

/// Runs the server until `shutdown` completes (e.g. [`shutdown_signal`]), then stops it cleanly.
/// Prints the address it listens on to stderr.
pub async fn serve(
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    let server = start(config).await?;
    eprintln!("nat serve: listening on {}", server.base_url());
    shutdown.await;
    eprintln!("nat serve: shutting down");
    server.stop().await
}

/// Completes on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
