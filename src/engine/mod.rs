//! The scan engine: takes a [`ScanRequest`], a sender for [`ScanEvent`]s and a cancellation token, and
//! returns a [`ScanReport`]. It knows nothing of terminals, HTTP servers or storage.

use crate::findings::Finding;
use crate::http::{Exchange, RequestSpec};
use crate::spec::{ApiSpec, Operation};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

pub use tokio_util::sync::CancellationToken;

/// What the engine tells its consumers (progress bars, the server's store) while it runs.
#[derive(Clone, Debug)]
pub enum ScanEvent {
    /// The description is loaded.
    SpecLoaded {
        title: String,
        source: String,
        operations: usize,
        excluded: usize,
    },
    /// A non-fatal problem the user should see.
    Warning(String),
    /// Work on an operation started.
    OperationStarted { endpoint: String },
    /// Work on an operation is done.
    OperationFinished { endpoint: String },
    /// One more request was sent; `total` so far.
    RequestSent { total: u64 },
    /// A finding was proven.
    Finding(Box<Finding>),
    /// The scan is over (also after a cancellation).
    Finished { partial: bool },
}

/// Where events go. Sending never blocks and never fails the scan.
#[derive(Clone, Debug, Default)]
pub struct Events(Option<UnboundedSender<ScanEvent>>);

impl Events {
    /// Events sent to `tx`.
    pub fn new(tx: UnboundedSender<ScanEvent>) -> Self {
        Events(Some(tx))
    }
    /// Events dropped.
    pub fn none() -> Self {
        Events(None)
    }
    /// Sends an event; a gone receiver is ignored.
    pub fn send(&self, event: ScanEvent) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(event);
        }
    }
}

/// What a check sees of the scan.
pub struct ScanContext {
    pub spec: Arc<ApiSpec>,
    pub cancel: CancellationToken,
    pub events: Events,
}

/// The operation a check probes, with the request nat built for it and the user's answer to it.
pub struct Target<'a> {
    pub op: &'a Operation,
    /// The valid request synthesised for the operation (what the baseline sent).
    pub request: &'a RequestSpec,
    /// The exchange of `request` sent as the user.
    pub baseline: &'a Exchange,
}

/// Runs a scan to the end (or until `cancel` fires) and returns its report.
pub async fn run(
    request: crate::request::ScanRequest,
    events: Events,
    cancel: CancellationToken,
) -> crate::error::Result<crate::report::ScanReport> {
    let _ = (request, events, cancel);
    Err(crate::NatError::Scan("engine not implemented yet".into()))
}
