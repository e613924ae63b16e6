//! The scan engine: takes a [`ScanRequest`], a sender for [`ScanEvent`]s and a cancellation token, and
//! returns a [`ScanReport`]. It knows nothing of terminals, HTTP servers or storage.

mod owned;
pub(crate) mod repair;
mod resources;
mod run;

pub use owned::{
    creator_of, listing_has, object_param, parent_collection, reader_of, write_took_effect,
    writes_one_object,
};
pub use resources::{collection_of, ids_in, is_object_id, keys_in, Learned, Resources};
pub use run::{run, run_guarded};

use crate::findings::{Evidence, Finding};
use crate::http::{Exchange, HttpClient, RequestSpec, Who};
use crate::spec::{ApiSpec, Operation};
use crate::synth::RequestValues;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::OnceCell;

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

/// What a check sees of the scan: the description, the client (identities, limits, evidence) and the
/// cancellation token.
pub struct ScanContext {
    pub spec: Arc<ApiSpec>,
    pub http: Arc<HttpClient>,
    pub cancel: CancellationToken,
    /// Ids learned from collections before the checks ran.
    pub resources: Resources,
    /// What nat may change on the target.
    pub safety: crate::request::Safety,
    /// The operations this scan probes (the description's, minus `exclude` and DELETEs): a check
    /// that needs another operation than its target picks it here.
    pub operations: Arc<[Operation]>,
    /// The user's login name, when the request's credentials carry one (`auth.username`).
    pub user_name: Option<String>,
    /// Requests in one burst of a noisy check (`options.burst_size`).
    pub burst_size: u32,
    /// Values checks share within the scan, each computed once (see [`ScanContext::once`]).
    pub memo: Memo,
    /// Endpoints of the operations that create the objects of some item path (`POST /notes`).
    pub creators: std::collections::HashSet<String>,
    /// The callback listener, when a selected check uses one and the target can reach it.
    pub callback: Option<Arc<crate::oob::Listener>>,
    /// Warnings checks raised (see [`ScanContext::warn`]).
    pub warnings: Mutex<Vec<String>>,
    /// Why checks that ran gave up without testing, by operation and check id (see
    /// [`ScanContext::skipped`]).
    pub skips: Mutex<HashMap<(String, &'static str), String>>,
}

/// A value of any type, shared.
type Shared = Arc<dyn Any + Send + Sync>;

/// Values computed once per scan and shared by the checks that need them, by key.
#[derive(Default)]
pub struct Memo(Mutex<HashMap<String, Arc<OnceCell<Shared>>>>);

impl ScanContext {
    /// Sends a request as `who` (see [`HttpClient::send`]).
    pub async fn send(&self, who: &Who, req: &RequestSpec) -> Exchange {
        self.http.send(who, req).await
    }

    /// Redacted evidence of several exchanges in order, each under a `# label` line on both sides.
    pub fn labelled_evidence(&self, parts: &[(&str, &Exchange)]) -> Evidence {
        let mut request = Vec::new();
        let mut response = Vec::new();
        for (label, ex) in parts {
            let e = self.evidence(ex);
            request.push(format!("# {label}\n{}", e.request));
            response.push(format!("# {label}\n{}", e.response));
        }
        Evidence {
            request: request.join("\n\n"),
            response: response.join("\n\n"),
        }
    }

    /// Redacted evidence of an exchange.
    pub fn evidence(&self, ex: &Exchange) -> Evidence {
        self.http.evidence(ex)
    }

    /// The request nat sends for `op` (valid values, learned ids), as the baseline would be.
    pub fn request_for(&self, op: &Operation) -> RequestSpec {
        self.resources
            .apply(op, RequestValues::valid(op))
            .render(op)
    }

    /// The value under `key`, computed by `compute` by the first caller; later and concurrent callers
    /// wait for it and share it. `None` when `key` holds a value of another type.
    pub async fn once<T, F, Fut>(&self, key: &str, compute: F) -> Option<Arc<T>>
    where
        T: Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = {
            let mut map = self.memo.0.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key.to_string()).or_default().clone()
        };
        let value = cell
            .get_or_init(|| async { Arc::new(compute().await) as Shared })
            .await
            .clone();
        value.downcast::<T>().ok()
    }

    /// Adds a warning to the report (once, however often it is raised), secrets masked: a warning
    /// may quote a target's answer.
    pub fn warn(&self, message: impl Into<String>) {
        let message = self.http.scrub(&message.into());
        let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if !warnings.contains(&message) {
            warnings.push(message);
        }
    }

    /// Records that `meta`'s check gave up on `target` without testing it, and why, in words for the
    /// report's reader ("no user B credentials"): the report's coverage lists the check as skipped
    /// rather than run. The first reason per check and operation is kept; nothing is recorded once
    /// the scan stops (the operation is then not completed, whatever the checks say).
    pub fn skipped(
        &self,
        target: &Target<'_>,
        meta: &'static crate::checks::CheckMeta,
        reason: impl Into<std::borrow::Cow<'static, str>>,
    ) {
        if self.should_stop() {
            return;
        }
        let mut skips = self.skips.lock().unwrap_or_else(|e| e.into_inner());
        skips
            .entry((target.op.endpoint(), meta.id))
            .or_insert_with(|| reason.into().into_owned());
    }

    /// The reasons recorded by [`ScanContext::skipped`] for one operation, by check id, removed.
    pub fn take_skips(&self, endpoint: &str) -> HashMap<&'static str, String> {
        let mut skips = self.skips.lock().unwrap_or_else(|e| e.into_inner());
        let keys: Vec<(String, &'static str)> = skips
            .keys()
            .filter(|(e, _)| e == endpoint)
            .cloned()
            .collect();
        keys.into_iter()
            .filter_map(|k| skips.remove(&k).map(|reason| (k.1, reason)))
            .collect()
    }

    /// True once the scan was cancelled or its request budget is spent: checks stop probing.
    pub fn should_stop(&self) -> bool {
        self.cancel.is_cancelled() || self.http.budget_spent() || self.http.target_down()
    }
}

/// The operation a check probes, with the request nat built for it and the user's answer to it.
pub struct Target<'a> {
    pub op: &'a Operation,
    /// The valid values synthesised for the operation.
    pub values: &'a RequestValues,
    /// `values` rendered: what the baseline sent.
    pub request: &'a RequestSpec,
    /// The exchange of `request` sent as the user. For a logout operation
    /// ([`crate::checks::logout::is_logout_operation`]) nothing is sent (it would end the scan's
    /// session): the exchange carries only an error.
    pub baseline: &'a Exchange,
    /// True when `request` points at an object nat created for this operation as the user (see
    /// [`ScanContext::create_object`]); checks may then change or delete that object again.
    pub created_by_nat: bool,
}

impl<'a> Target<'a> {
    /// The slots a check may put other values in: every slot, except the parameters that name the
    /// object of a write on an object nat created — another value there would change or delete some
    /// other object (`DELETE /notes/0`).
    pub fn probe_slots(&self) -> Vec<(crate::synth::Slot, Option<&'a crate::spec::Schema>)> {
        let mut slots = self.values.slots(self.op);
        if self.created_by_nat {
            slots.retain(|(slot, _)| {
                !matches!(
                    slot,
                    crate::synth::Slot::Param(crate::spec::ParamLocation::Path, _)
                )
            });
        }
        slots
    }
}
