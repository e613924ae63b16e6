//! Progress: a consumer of the engine's [`ScanEvent`]s. Bars on a terminal, plain lines in CI,
//! nothing with `--quiet`. Always on stderr: stdout carries only the results.

use super::render::human_duration;
use crate::engine::{CancellationToken, ScanEvent};
use crate::findings::Severity;
use crate::report::ScanReport;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Nothing but errors (`--quiet`).
    Quiet,
    /// One line per event worth telling, prefixed `nat: ` (stderr is not a terminal).
    Plain,
    /// indicatif bars on stderr (a terminal).
    Bars,
}

impl Mode {
    /// The mode for this process: quiet when asked, bars when stderr is a terminal, else plain.
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Plain
        }
    }
}

/// What the events said so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Operations to test (discovered minus excluded).
    pub total: usize,
    /// Operations discovered in the description.
    pub discovered: usize,
    /// Operations excluded by `--exclude`.
    pub excluded: usize,
    /// Operations finished.
    pub tested: usize,
    /// Requests sent.
    pub requests: u64,
    /// Findings by severity, in the order of [`Severity::ALL`].
    pub findings: [usize; 5],
}

impl Counts {
    /// Takes one event into account.
    pub fn apply(&mut self, event: &ScanEvent) {
        match event {
            ScanEvent::SpecLoaded {
                operations,
                excluded,
                ..
            } => {
                self.discovered = *operations;
                self.excluded = *excluded;
                self.total = operations.saturating_sub(*excluded);
            }
            ScanEvent::OperationFinished { .. } => {
                self.tested += 1;
                self.total = self.total.max(self.tested);
            }
            ScanEvent::RequestSent { total } => self.requests = self.requests.max(*total),
            ScanEvent::Finding(f) => {
                if let Some(i) = Severity::ALL.iter().position(|s| *s == f.severity) {
                    self.findings[i] += 1;
                }
            }
            ScanEvent::Warning(_)
            | ScanEvent::OperationStarted { .. }
            | ScanEvent::Finished { .. } => {}
        }
    }

    /// `findings: 1 critical, 2 high` (only severities seen), or `no findings`.
    pub fn findings_line(&self) -> String {
        let seen: Vec<String> = Severity::ALL
            .iter()
            .zip(self.findings)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        if seen.is_empty() {
            "no findings".into()
        } else {
            format!("findings: {}", seen.join(", "))
        }
    }
}

/// The plain (CI) line for an event, already applied to `counts`; `None` when the event is not worth
/// a line of its own.
pub fn plain_line(counts: &Counts, event: &ScanEvent) -> Option<String> {
    match event {
        ScanEvent::SpecLoaded {
            title,
            source,
            operations,
            excluded,
        } => {
            let excluded = if *excluded > 0 {
                format!(" ({excluded} excluded)")
            } else {
                String::new()
            };
            Some(format!(
                "nat: loaded {title:?} from {source}: {operations} operations{excluded}"
            ))
        }
        ScanEvent::Warning(w) => Some(format!("nat: warning: {w}")),
        ScanEvent::OperationFinished { endpoint } => Some(format!(
            "nat: [{}/{}] {endpoint}",
            counts.tested, counts.total
        )),
        ScanEvent::Finding(f) => Some(format!("nat: {}", finding_line(f))),
        ScanEvent::OperationStarted { .. }
        | ScanEvent::RequestSent { .. }
        | ScanEvent::Finished { .. } => None,
    }
}

fn finding_line(f: &crate::findings::Finding) -> String {
    format!("finding {} {} {}", f.severity, f.endpoint, f.title)
}

/// The last progress line: how long, how many requests, how many findings.
pub fn done_line(report: &ScanReport) -> String {
    let n = report.findings.len();
    let counts = format!(
        "{} requests, {n} finding{}",
        report.summary.requests_sent,
        if n == 1 { "" } else { "s" }
    );
    let took = human_duration(report.scan.duration_ms);
    if report.scan.partial {
        format!("nat: stopped early after {took} (partial results): {counts}")
    } else {
        format!("nat: done in {took}: {counts}")
    }
}

struct Bars {
    multi: MultiProgress,
    operations: ProgressBar,
    status: ProgressBar,
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let operations = multi.add(ProgressBar::new(0));
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed}] [{bar:30}] {pos}/{len} operations  {wide_msg}",
        ) {
            operations.set_style(style.progress_chars("=> "));
        }
        operations.set_message("loading the API description…");
        let status = multi.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("  {msg}") {
            status.set_style(style);
        }
        status.set_message("0 requests sent, no findings");
        operations.enable_steady_tick(Duration::from_millis(120));
        Bars {
            multi,
            operations,
            status,
        }
    }

    fn println(&self, line: &str) {
        // A terminal that went away is no reason to stop a scan.
        let _ = self.multi.println(line);
    }

    fn clear(&self) {
        self.operations.finish_and_clear();
        self.status.finish_and_clear();
        let _ = self.multi.clear();
    }
}

/// The progress display. Shared between the event consumer and the signal handler.
pub struct Progress {
    mode: Mode,
    counts: Mutex<Counts>,
    bars: Option<Bars>,
}

impl Progress {
    /// A display in `mode`.
    pub fn new(mode: Mode) -> Arc<Progress> {
        Arc::new(Progress {
            mode,
            counts: Mutex::new(Counts::default()),
            bars: (mode == Mode::Bars).then(Bars::new),
        })
    }

    /// Shows one event.
    pub fn handle(&self, event: &ScanEvent) {
        let counts = {
            let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
            counts.apply(event);
            counts.clone()
        };
        match self.mode {
            Mode::Quiet => {}
            Mode::Plain => {
                if let Some(line) = plain_line(&counts, event) {
                    super::stderr_line(&line);
                }
            }
            Mode::Bars => {
                let Some(bars) = &self.bars else { return };
                match event {
                    ScanEvent::SpecLoaded { title, .. } => {
                        bars.operations.set_length(counts.total as u64);
                        bars.operations.set_message(title.clone());
                        if let Some(line) = plain_line(&counts, event) {
                            bars.println(line.trim_start_matches("nat: "));
                        }
                    }
                    ScanEvent::OperationStarted { endpoint } => {
                        bars.operations.set_message(endpoint.clone());
                    }
                    ScanEvent::OperationFinished { .. } => {
                        bars.operations.set_length(counts.total as u64);
                        bars.operations.set_position(counts.tested as u64);
                    }
                    ScanEvent::Warning(w) => bars.println(&format!("warning: {w}")),
                    ScanEvent::Finding(f) => bars.println(&finding_line(f)),
                    ScanEvent::RequestSent { .. } | ScanEvent::Finished { .. } => {}
                }
                bars.status.set_message(format!(
                    "{} requests sent, {}",
                    counts.requests,
                    counts.findings_line()
                ));
            }
        }
    }

    /// A message for the user (e.g. "interrupted"), shown above the bars or as a plain line.
    pub fn note(&self, message: &str) {
        match (&self.mode, &self.bars) {
            (Mode::Quiet, _) => {}
            (Mode::Bars, Some(bars)) => bars.println(message),
            _ => super::stderr_line(&format!("nat: {message}")),
        }
    }

    /// Removes the bars (before the results or an abort).
    pub fn clear(&self) {
        if let Some(bars) = &self.bars {
            bars.clear();
        }
    }

    /// Ends the display after the scan: bars removed, the final line printed.
    pub fn finish(&self, report: &ScanReport) {
        self.clear();
        if self.mode != Mode::Quiet {
            super::stderr_line(&done_line(report));
        }
    }
}

/// Shows events until the channel closes, or until `done` fires and what is queued is shown.
pub async fn consume(
    progress: Arc<Progress>,
    mut events: UnboundedReceiver<ScanEvent>,
    done: CancellationToken,
) {
    loop {
        tokio::select! {
            biased;
            event = events.recv() => match event {
                Some(event) => progress.handle(&event),
                None => break,
            },
            _ = done.cancelled() => {
                while let Ok(event) = events.try_recv() {
                    progress.handle(&event);
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Evidence, Finding, Status};

    fn finding(severity: Severity) -> Box<Finding> {
        Box::new(Finding {
            id: "find_001".into(),
            severity,
            confidence: Default::default(),
            title: "Broken Object Level Authorization".into(),
            owasp: "API1".into(),
            cwe: "CWE-639".into(),
            endpoint: "GET /users/{id}".into(),
            risk_score: 70,
            status: Status::Open,
            evidence: Evidence::default(),
            remediation: String::new(),
            check: "NAT-API1-BOLA".into(),
            fingerprint: "f".into(),
        })
    }

    #[test]
    fn plain_lines() {
        let events = [
            ScanEvent::SpecLoaded {
                title: "Users".into(),
                source: "http://127.0.0.1:1/openapi.json".into(),
                operations: 42,
                excluded: 3,
            },
            ScanEvent::OperationStarted {
                endpoint: "GET /users/{id}".into(),
            },
            ScanEvent::RequestSent { total: 1 },
            ScanEvent::OperationFinished {
                endpoint: "GET /users/{id}".into(),
            },
            ScanEvent::Finding(finding(Severity::High)),
            ScanEvent::Warning("skipped POST /x".into()),
            ScanEvent::Finished { partial: false },
        ];
        let mut counts = Counts::default();
        let lines: Vec<String> = events
            .iter()
            .filter_map(|e| {
                counts.apply(e);
                plain_line(&counts, e)
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                "nat: loaded \"Users\" from http://127.0.0.1:1/openapi.json: 42 operations (3 excluded)",
                "nat: [1/39] GET /users/{id}",
                "nat: finding high GET /users/{id} Broken Object Level Authorization",
                "nat: warning: skipped POST /x",
            ]
        );
        assert_eq!(counts.requests, 1);
        assert_eq!(counts.findings_line(), "findings: 1 high");
    }

    #[test]
    fn counts_never_show_more_tested_than_total() {
        let mut counts = Counts::default();
        for _ in 0..2 {
            counts.apply(&ScanEvent::OperationFinished {
                endpoint: "GET /".into(),
            });
        }
        assert_eq!((counts.tested, counts.total), (2, 2));
        assert_eq!(counts.findings_line(), "no findings");
    }

    #[test]
    fn done_lines() {
        let mut report = ScanReport::default();
        report.summary.requests_sent = 120;
        report.scan.duration_ms = 3200;
        report.findings = vec![*finding(Severity::Low)];
        assert_eq!(
            done_line(&report),
            "nat: done in 3.2s: 120 requests, 1 finding"
        );
        report.scan.partial = true;
        assert_eq!(
            done_line(&report),
            "nat: stopped early after 3.2s (partial results): 120 requests, 1 finding"
        );
    }

    #[tokio::test]
    async fn consumer_drains_queued_events_when_done() {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let progress = Progress::new(Mode::Quiet);
        let done = CancellationToken::new();
        for _ in 0..3 {
            let _ = tx.send(ScanEvent::OperationFinished {
                endpoint: "GET /".into(),
            });
        }
        done.cancel();
        // The sender is still alive (a task of the engine may hold it): `done` must end the consumer.
        consume(progress.clone(), rx, done).await;
        let tested = progress
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .tested;
        assert_eq!(tested, 3);
        drop(tx);
    }
}
