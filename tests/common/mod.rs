//! A small HTTP/1.1 server for integration tests, on 127.0.0.1:0, in its own thread and runtime. It
//! records what it received (paths, arrival times, requests in flight) so tests measure nat's
//! behaviour from the server's side, and it can misbehave (slow, dripping, huge answers).
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
#[derive(Clone, Debug, Default)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send the body one byte per this interval.
    pub drip: Option<Duration>,
    /// Keep the connection open after this answer without `Connection: close`, then drop it when the
    /// next request arrives on it, unanswered: what uvicorn does after a 500, made deterministic.
    pub close_next: bool,
    /// After this answer the whole server is down for this long: every connection is dropped at
    /// once, unanswered (a target restarting after a probe exhausted its memory).
    pub down_for: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            ..Default::default()
        }
    }
    pub fn with_delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

/// The running server.
pub struct TestServer {
    pub port: u16,
    down_until: Arc<Mutex<Option<Instant>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    max_in_flight: Arc<AtomicUsize>,
    _thread: std::thread::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server answering with `handler`.
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        let (s2, m2) = (seen.clone(), max_in_flight.clone());
        let down_until: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
        let down = down_until.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap().port()).unwrap();
                loop {
                    let Ok((sock, _)) = listener.accept().await else {
                        continue;
                    };
                    if is_down(&down) {
                        drop(sock);
                        continue;
                    }
                    let (h, s, f, m) = (handler.clone(), s2.clone(), in_flight.clone(), m2.clone());
                    let d = down.clone();
                    tokio::spawn(async move {
                        let _ = serve_conn(sock, h, s, f, m, d).await;
                    });
                }
            });
        });
        let port = rx.recv().unwrap();
        TestServer {
            port,
            down_until,
            seen,
            max_in_flight,
            _thread: thread,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

fn is_down(until: &Mutex<Option<Instant>>) -> bool {
    until.lock().unwrap().is_some_and(|t| Instant::now() < t)
}

async fn serve_conn(
    mut sock: tokio::net::TcpStream,
    handler: Arc<Handler>,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    down: Arc<Mutex<Option<Instant>>>,
) -> std::io::Result<()> {
    let mut poisoned = false;
    loop {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1024];
        let head_end = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p;
            }
            let n = sock.read(&mut byte).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&byte[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            })
            .collect();
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = buf[head_end + 4..].to_vec();
        while body.len() < len {
            let n = sock.read(&mut byte).await?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&byte[..n]);
        }
        let req = Seen {
            method,
            path,
            headers,
            body,
            at: Instant::now(),
        };
        seen.lock().unwrap().push(req.clone());
        if poisoned || is_down(&down) {
            return Ok(());
        }
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(now, Ordering::SeqCst);
        let reply = handler(&req);
        if let Some(d) = reply.down_for {
            *down.lock().unwrap() = Some(Instant::now() + d);
            // The request that took it down gets no answer either.
            return Ok(());
        }
        tokio::time::sleep(reply.delay).await;
        in_flight.fetch_sub(1, Ordering::SeqCst);
        let reason = match reply.status {
            200 => "OK",
            201 => "Created",
            400 => "Bad Request",
            401 => "Unauthorized",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Status",
        };
        let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason);
        for (n, v) in &reply.headers {
            out.push_str(&format!("{n}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
        sock.write_all(out.as_bytes()).await?;
        match reply.drip {
            None => sock.write_all(&reply.body).await?,
            Some(interval) => {
                for b in &reply.body {
                    sock.write_all(&[*b]).await?;
                    sock.flush().await?;
                    tokio::time::sleep(interval).await;
                }
            }
        }
        sock.flush().await?;
        poisoned = reply.close_next;
    }
}

/// A minimal OpenAPI 3.0 document with `n` public GET operations `/items{i}` and the given extra
/// paths object entries.
pub fn openapi_with_items(n: usize) -> String {
    let mut paths = serde_json::Map::new();
    for i in 0..n {
        paths.insert(
            format!("/items{i}"),
            serde_json::json!({"get": {"responses": {"200": {"description": "ok"}}}}),
        );
    }
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "test", "version": "1"},
        "paths": paths
    })
    .to_string()
}
