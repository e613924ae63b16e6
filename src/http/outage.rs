//! When the target stops answering. A probe can take a target down (an integer that makes it build an
//! object that deep, an input that exhausts its memory): while it restarts, every request fails, and a
//! scan that went on would skip almost every operation and report nothing about the probe that did it.
//!
//! After a request fails at the transport level (refused, reset, closed, past its deadline) on a
//! target that had answered before, one health check (`GET` of the base URL, 3 s) tells a failing
//! request from a failing target. A failing target pauses every request while the health check
//! repeats with backoff (0.25 s doubling to 8 s) for at most [`MAX_OUTAGE`]. When the target answers
//! again the outage is recorded with the request that failed first, and the requests that failed
//! meanwhile are sent again; a request that was followed by an outage twice is never sent again.
//! A target down for longer ends the scan, partial, with the reason.

use super::RecordedRequest;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The longest nat waits for a target that stopped answering before the scan ends.
pub const MAX_OUTAGE: Duration = Duration::from_secs(60);
/// Deadline of one health check.
pub(crate) const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);
/// A health check that passed this recently stands for the next failures.
const HEALTHY_FOR: Duration = Duration::from_secs(2);

/// An outage nat saw: the target stopped answering after `after` and came back (or did not).
#[derive(Clone, Debug)]
pub struct Outage {
    /// The operation (`GET /users/{id}`) whose probe failed first.
    pub operation: String,
    /// The first request that failed (the one sent just before the target went down).
    pub after: RecordedRequest,
    /// How long the target did not answer.
    pub lasted: Duration,
    /// False when the target did not come back within [`MAX_OUTAGE`].
    pub recovered: bool,
    /// How many outages followed this same request (method and URL).
    pub times: u32,
}

/// What a failed request should do after the watch looked at the target.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The target answers: the failure was the request's own.
    Healthy,
    /// The target was down and is back: send the request again.
    Recovered,
    /// The target stays down: give up.
    Down,
}

/// The outage state one scan's clients share.
#[derive(Default)]
pub(crate) struct Watch {
    /// Some request got an answer: only then can the target "stop" answering.
    answered: AtomicBool,
    /// Incremented at the end of every outage.
    epoch: AtomicU64,
    /// Set when the target stayed down.
    down: AtomicBool,
    /// One health check at a time; holds when the last one passed.
    checking: tokio::sync::Mutex<Option<Instant>>,
    /// Every outage, in order.
    outages: Mutex<Vec<Outage>>,
    /// Outages per request key (`METHOD URL`).
    by_request: Mutex<HashMap<String, u32>>,
    /// Outages recorded so far: while 0 (almost always), [`Watch::banned`] costs one load.
    count: AtomicU64,
}

impl Watch {
    pub(crate) fn note_answer(&self) {
        self.answered.store(true, Ordering::Relaxed);
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    pub(crate) fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// True for a request that was followed by an outage twice: it is not sent again.
    pub(crate) fn banned(&self, req: &RecordedRequest) -> bool {
        if self.count.load(Ordering::Relaxed) < 2 {
            return false;
        }
        self.by_request
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key(req))
            .is_some_and(|n| *n >= 2)
    }

    pub(crate) fn outages(&self) -> Vec<Outage> {
        self.outages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Looks at the target after `failed` (sent at epoch `sent_at`) failed at the transport level.
    /// `health` checks the target once (true: it answered); `wait` sleeps (and returns false when
    /// the scan was cancelled).
    pub(crate) async fn after_failure<H, HF, W, WF>(
        &self,
        operation: String,
        failed: &RecordedRequest,
        sent_at: u64,
        health: H,
        wait: W,
    ) -> Verdict
    where
        H: Fn() -> HF,
        HF: std::future::Future<Output = bool>,
        W: Fn(Duration) -> WF,
        WF: std::future::Future<Output = bool>,
    {
        if !self.answered.load(Ordering::Relaxed) {
            // Never answered: unreachable, not an outage (the engine says so and stops).
            return Verdict::Healthy;
        }
        let mut last_ok = self.checking.lock().await;
        if self.is_down() {
            return Verdict::Down;
        }
        if self.epoch() != sent_at {
            // An outage ended while this request was out: it failed in it.
            return Verdict::Recovered;
        }
        if last_ok.is_some_and(|t| t.elapsed() < HEALTHY_FOR) {
            return Verdict::Healthy;
        }
        if health().await {
            *last_ok = Some(Instant::now());
            return Verdict::Healthy;
        }
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        let recovered = loop {
            if started.elapsed() >= MAX_OUTAGE || !wait(pause).await {
                break false;
            }
            if health().await {
                break true;
            }
            pause = (pause * 2).min(Duration::from_secs(8));
        };
        self.count.fetch_add(1, Ordering::Relaxed);
        let times = {
            let mut by = self.by_request.lock().unwrap_or_else(|p| p.into_inner());
            let n = by.entry(key(failed)).or_default();
            *n += 1;
            *n
        };
        self.outages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Outage {
                operation,
                after: failed.clone(),
                lasted: started.elapsed(),
                recovered,
                times,
            });
        if recovered {
            *last_ok = Some(Instant::now());
            self.epoch.fetch_add(1, Ordering::Release);
            Verdict::Recovered
        } else {
            self.down.store(true, Ordering::Relaxed);
            Verdict::Down
        }
    }
}

fn key(req: &RecordedRequest) -> String {
    format!("{} {}", req.method, req.url)
}

/// True for an exchange error that says the transport failed (nothing usable came back), as opposed
/// to a refusal nat made itself (budget, `--safe`, a policy) or a cancelled scan.
pub(crate) fn is_transport_failure(error: &str) -> bool {
    [
        "connection failed",
        "request failed",
        "timed out",
        "no complete answer within",
        "body unreadable",
    ]
    .iter()
    .any(|p| error.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn req() -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:1/boom?depth=9".into(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_failing_request_on_a_healthy_target_is_its_own() {
        let w = Watch::default();
        w.note_answer();
        let v = w
            .after_failure(
                "GET /boom".into(),
                &req(),
                w.epoch(),
                || async { true },
                |_| async { true },
            )
            .await;
        assert_eq!(v, Verdict::Healthy);
        assert!(w.outages().is_empty());
    }

    #[tokio::test]
    async fn an_outage_is_waited_out_recorded_and_banned_the_second_time() {
        let w = Watch::default();
        w.note_answer();
        for round in 1..=2u32 {
            let checks = AtomicUsize::new(0);
            let v = w
                .after_failure(
                    "GET /boom".into(),
                    &req(),
                    w.epoch(),
                    || {
                        let n = checks.fetch_add(1, Ordering::SeqCst);
                        async move { n >= 3 }
                    },
                    |_| async { true },
                )
                .await;
            assert_eq!(v, Verdict::Recovered);
            assert_eq!(w.outages().len() as u32, round);
            assert_eq!(w.outages()[round as usize - 1].times, round);
            // Let the "recently healthy" window pass for the next round.
            *w.checking.lock().await = None;
        }
        assert!(w.banned(&req()));
    }

    #[tokio::test]
    async fn a_request_that_failed_during_an_outage_is_resent_without_a_new_check() {
        let w = Watch::default();
        w.note_answer();
        let before = w.epoch();
        w.epoch.fetch_add(1, Ordering::Release);
        let v = w
            .after_failure(
                "GET /boom".into(),
                &req(),
                before,
                || async { panic!("no check") },
                |_| async { true },
            )
            .await;
        assert_eq!(v, Verdict::Recovered);
    }

    #[tokio::test]
    async fn never_answered_is_not_an_outage_and_cancel_ends_the_wait() {
        let w = Watch::default();
        let v = w
            .after_failure(
                "GET /boom".into(),
                &req(),
                0,
                || async { false },
                |_| async { true },
            )
            .await;
        assert_eq!(v, Verdict::Healthy);
        w.note_answer();
        let v = w
            .after_failure(
                "GET /boom".into(),
                &req(),
                0,
                || async { false },
                |_| async { false },
            )
            .await;
        assert_eq!(v, Verdict::Down);
        assert!(w.is_down());
        assert!(!w.outages()[0].recovered);
    }
}
