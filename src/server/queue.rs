//! The scan queue: N worker tasks take scan ids from a channel and run the engine. A job's request
//! (with its secrets) lives only here, in memory, while the scan is queued or running.
//!
//! At most `max_queued` scans wait: a POST first takes a [`Slot`] (refused with [`QueueFull`] when
//! none is free, before anything is stored); the slot is freed when a worker starts the scan or it is
//! cancelled while waiting.
//!
//! While a scan is active, its record in memory is the truth (so `GET /scans/{id}` shows live
//! progress); it is written to sled on every status change (flushed) and at most every 250 ms for
//! progress. Findings are appended to sled as they are proven, and replaced by the engine's final,
//! numbered list before the scan is marked `complete`.

use super::targets::TargetGuard;
use crate::engine::{self, CancellationToken, Events, ScanEvent};
use crate::findings::Finding;
use crate::request::ScanRequest;
use crate::store::{now_rfc3339, ScanRecord, ScanStatus, Store};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Reason of a scan cancelled with `DELETE /scans/{id}`.
pub const REASON_CANCELLED: &str = "cancelled";
/// Reason of a scan that was queued or running when the server stopped.
pub const REASON_RESTART: &str = "interrupted by a server restart";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// One queued or running scan.
pub struct Job {
    request: Mutex<Option<ScanRequest>>,
    cancel: CancellationToken,
    user_cancelled: AtomicBool,
    record: Mutex<ScanRecord>,
    /// When a worker started it.
    started: OnceLock<Instant>,
}

impl Job {
    /// A copy of the live record.
    pub fn record(&self) -> ScanRecord {
        lock(&self.record).clone()
    }
}

/// The queue and its workers.
pub struct Queue {
    store: Store,
    tx: mpsc::UnboundedSender<String>,
    rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<String>>,
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    shutdown: CancellationToken,
    guard: TargetGuard,
    /// Scans waiting (taken slots), at most `max_queued`.
    waiting: AtomicUsize,
    max_queued: usize,
}

/// Every queue slot is taken: the scan is refused, not stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the scan queue is full ({max_queued} waiting for a worker); retry after {retry_after} s")]
pub struct QueueFull {
    /// The configured limit.
    pub max_queued: usize,
    /// Seconds until a slot is likely free (1–60): the soonest expected end of a running scan.
    pub retry_after: u64,
}

/// A taken queue slot; freed on drop unless [`Queue::submit`] hands it to a job.
pub struct Slot<'a> {
    queue: &'a Queue,
    armed: bool,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.queue.free_slot();
        }
    }
}

/// Outcome of a cancel request.
pub enum Cancel {
    /// The scan was queued or running; it is now `failed` with reason `cancelled`.
    Cancelled,
    /// No active job: the caller looks in the store.
    NotActive,
}

impl Queue {
    /// A queue on `store`; start workers with [`Queue::spawn_workers`].
    /// At most `max_queued` (at least 1) scans wait for a worker.
    pub fn new(
        store: Store,
        guard: TargetGuard,
        shutdown: CancellationToken,
        max_queued: usize,
    ) -> Arc<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        Arc::new(Queue {
            store,
            tx,
            rx: tokio::sync::Mutex::new(rx),
            jobs: Mutex::new(HashMap::new()),
            shutdown,
            guard,
            waiting: AtomicUsize::new(0),
            max_queued: max_queued.max(1),
        })
    }

    /// Takes a slot for one more waiting scan, or says when to retry.
    pub fn reserve(&self) -> Result<Slot<'_>, QueueFull> {
        let max = self.max_queued;
        match self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            }) {
            Ok(_) => Ok(Slot {
                queue: self,
                armed: true,
            }),
            Err(_) => Err(QueueFull {
                max_queued: max,
                retry_after: self.retry_after(),
            }),
        }
    }

    fn free_slot(&self) {
        let _ = self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Seconds until the running scan expected to end first should be done (1–60; 5 when every
    /// running scan is already past its estimate).
    fn retry_after(&self) -> u64 {
        let jobs = lock(&self.jobs);
        jobs.values()
            .filter_map(|j| {
                let started = j.started.get()?;
                let estimate = lock(&j.record).estimated_duration_seconds;
                Some(
                    Duration::from_secs(estimate)
                        .checked_sub(started.elapsed())
                        .map_or(5, |left| left.as_secs() + 1),
                )
            })
            .min()
            .unwrap_or(1)
            .clamp(1, 60)
    }

    /// Starts `n` workers; they end when the shutdown token fires.
    pub fn spawn_workers(self: &Arc<Self>, n: usize) -> Vec<tokio::task::JoinHandle<()>> {
        (0..n.max(1))
            .map(|_| {
                let q = self.clone();
                tokio::spawn(async move { q.worker().await })
            })
            .collect()
    }

    /// The live record of an active scan.
    pub fn active(&self, id: &str) -> Option<ScanRecord> {
        lock(&self.jobs).get(id).map(|j| j.record())
    }

    /// Stores `record` (queued), flushes, and queues the job in `slot`. Returns once the scan is on
    /// disk; on an error the slot is freed and the scan does not run.
    pub async fn submit(
        &self,
        mut slot: Slot<'_>,
        record: ScanRecord,
        request: ScanRequest,
    ) -> Result<(), crate::store::StoreError> {
        self.store.put_scan(&record)?;
        self.store.flush().await?;
        let id = record.scan_id.clone();
        let job = Arc::new(Job {
            request: Mutex::new(Some(request)),
            cancel: self.shutdown.child_token(),
            user_cancelled: AtomicBool::new(false),
            record: Mutex::new(record),
            started: OnceLock::new(),
        });
        lock(&self.jobs).insert(id.clone(), job);
        // The job holds the slot now: a worker or a cancel frees it when it takes the request.
        slot.armed = false;
        // A send fails only when every worker is gone (shutdown): the scan stays queued in the
        // store and is marked failed at the next start.
        let _ = self.tx.send(id);
        Ok(())
    }

    /// Cancels an active scan: it is marked `failed` (reason `cancelled`) and flushed at once; a
    /// running engine stops soon after and its partial findings are kept.
    pub async fn cancel(&self, id: &str) -> Result<Cancel, crate::store::StoreError> {
        let Some(job) = lock(&self.jobs).get(id).cloned() else {
            return Ok(Cancel::NotActive);
        };
        job.user_cancelled.store(true, Ordering::SeqCst);
        job.cancel.cancel();
        {
            let mut r = lock(&job.record);
            if r.status.is_finished() {
                return Ok(Cancel::NotActive);
            }
            r.status = ScanStatus::Failed;
            r.reason = Some(REASON_CANCELLED.into());
            r.completed_at = Some(now_rfc3339());
            self.store.put_scan(&r)?;
        }
        // A queued job never reaches the engine: drop its secrets now, and free its slot.
        if lock(&job.request).take().is_some() {
            lock(&self.jobs).remove(id);
            self.free_slot();
        }
        self.store.flush().await?;
        Ok(Cancel::Cancelled)
    }

    fn persist(&self, job: &Job) {
        let r = lock(&job.record);
        if let Err(e) = self.store.put_scan(&r) {
            eprintln!("nat serve: cannot store scan {}: {e}", r.scan_id);
        }
    }

    async fn worker(self: Arc<Self>) {
        loop {
            let id = {
                let mut rx = self.rx.lock().await;
                tokio::select! {
                    _ = self.shutdown.cancelled() => return,
                    id = rx.recv() => match id { Some(id) => id, None => return },
                }
            };
            let Some(job) = lock(&self.jobs).get(&id).cloned() else {
                continue;
            };
            let Some(request) = lock(&job.request).take() else {
                continue; // cancelled while queued
            };
            self.free_slot();
            let _ = job.started.set(Instant::now());
            self.run_job(&job, request).await;
            lock(&self.jobs).remove(&id);
        }
    }

    async fn run_job(&self, job: &Arc<Job>, request: ScanRequest) {
        let id = job.record().scan_id;
        // The target may resolve elsewhere now than when the scan was created.
        for (what, u) in TargetGuard::request_urls(&request) {
            if let Err(reason) = self.guard.check(&what, u).await {
                self.finish(job, ScanStatus::Failed, Some(reason), None)
                    .await;
                return;
            }
        }
        {
            let mut r = lock(&job.record);
            if r.status.is_finished() {
                return;
            }
            r.status = ScanStatus::Running;
            r.started_at = Some(now_rfc3339());
        }
        self.persist(job);
        let _ = self.store.flush().await;

        let (tx, rx) = mpsc::unbounded_channel();
        let consumer = tokio::spawn(consume_events(
            self.store.clone(),
            job.clone(),
            id.clone(),
            rx,
        ));
        let cancel = job.cancel.clone();
        // The engine runs in its own task, so a panic there fails this scan, not the worker.
        let result = tokio::spawn(engine::run_guarded(
            request,
            Events::new(tx),
            cancel,
            Some(std::sync::Arc::new(self.guard.clone())),
        ))
        .await;
        let _ = consumer.await;

        let interrupted = || {
            if job.user_cancelled.load(Ordering::SeqCst) {
                Some(REASON_CANCELLED.to_string())
            } else if self.shutdown.is_cancelled() {
                Some(REASON_RESTART.to_string())
            } else {
                None
            }
        };
        match result {
            Ok(Ok(report)) => {
                let stored = self
                    .store
                    .replace_findings(&id, &report.findings)
                    .and_then(|_| self.store.put_report(&id, &report));
                if let Err(e) = stored {
                    let reason = format!("cannot store the results: {e}");
                    self.finish(job, ScanStatus::Failed, Some(reason), None)
                        .await;
                    return;
                }
                if let Err(e) = self.store.flush().await {
                    let reason = format!("cannot store the results: {e}");
                    self.finish(job, ScanStatus::Failed, Some(reason), None)
                        .await;
                    return;
                }
                let counts = (
                    report.summary.operations_discovered as u64,
                    report.summary.operations_tested as u64,
                    report.findings.len() as u64,
                );
                match interrupted() {
                    Some(reason) => {
                        self.finish(job, ScanStatus::Failed, Some(reason), Some(counts))
                            .await
                    }
                    None => {
                        self.finish(job, ScanStatus::Complete, None, Some(counts))
                            .await
                    }
                }
            }
            Ok(Err(e)) => {
                let reason = interrupted().unwrap_or_else(|| e.to_string());
                self.finish(job, ScanStatus::Failed, Some(reason), None)
                    .await;
            }
            Err(join) => {
                let reason = if join.is_panic() {
                    "internal error: the scan engine panicked".to_string()
                } else {
                    interrupted().unwrap_or_else(|| "the scan task was aborted".into())
                };
                self.finish(job, ScanStatus::Failed, Some(reason), None)
                    .await;
            }
        }
    }

    /// Final state of a job, unless it already ended (a cancel got there first). Flushed.
    async fn finish(
        &self,
        job: &Job,
        status: ScanStatus,
        reason: Option<String>,
        counts: Option<(u64, u64, u64)>,
    ) {
        {
            let mut r = lock(&job.record);
            if let Some((d, t, f)) = counts {
                r.progress.endpoints_discovered = d;
                r.progress.endpoints_tested = t;
                r.progress.findings = f;
            }
            if !r.status.is_finished() {
                r.status = status;
                r.reason = reason;
                r.completed_at = Some(now_rfc3339());
            }
        }
        self.persist(job);
        if let Err(e) = self.store.flush().await {
            eprintln!("nat serve: cannot flush the store: {e}");
        }
    }
}

/// Turns engine events into progress (in memory, persisted at most every 250 ms) and stored findings.
async fn consume_events(
    store: Store,
    job: Arc<Job>,
    id: String,
    mut rx: mpsc::UnboundedReceiver<ScanEvent>,
) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut last_write = Instant::now();
    while let Some(event) = rx.recv().await {
        {
            let mut r = lock(&job.record);
            match &event {
                ScanEvent::SpecLoaded { operations, .. } => {
                    r.progress.endpoints_discovered = *operations as u64;
                }
                ScanEvent::OperationFinished { .. } => r.progress.endpoints_tested += 1,
                ScanEvent::Finding(f) if seen.insert(f.fingerprint.clone()) => {
                    r.progress.findings += 1;
                    let mut f: Finding = (**f).clone();
                    f.id = format!("find_{:03}", seen.len());
                    if let Err(e) = store.append_finding(&id, &f) {
                        eprintln!("nat serve: cannot store a finding of {id}: {e}");
                    }
                }
                _ => {}
            }
        }
        if last_write.elapsed() >= Duration::from_millis(250) {
            // Written under the lock, so a cancel's write is never overtaken by a stale one.
            let r = lock(&job.record);
            if !r.status.is_finished() {
                let _ = store.put_scan(&r);
            }
            last_write = Instant::now();
        }
    }
}
