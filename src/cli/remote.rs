//! Remote mode: `nat scan URL --server http://HOST:PORT --api-key KEY` runs the scan on a `nat serve`
//! through its REST API, with the same progress, results and exit codes as a local scan; and
//! `nat scans list|show|findings|report|cancel` for the rest of the API.

use super::args::OutputArgs;
use super::error::CliError;
use super::exit::Exit;
use super::keys::table;
use super::progress::{self, Mode};
use super::scan::{check_output_path, table_style, write_results, Signals};
use crate::error::NatError;
use crate::findings::{Finding, Severity};
use crate::report::ScanReport;
use crate::request::ScanRequest;
use crate::store::{Progress, ScanStatus};
use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// `--server` and `--api-key`: where the team server is and the key to use there.
#[derive(Debug, Default, Clone, PartialEq, Eq, Args)]
#[command(next_help_heading = "Team server")]
pub struct RemoteArgs {
    /// Run on this nat server (http://HOST:PORT, with or without /api/v1) instead of locally
    #[arg(long, value_name = "URL", env = "NAT_SERVER", global = true)]
    pub server: Option<String>,

    /// API key for --server (prefer the environment variable)
    #[arg(
        long,
        value_name = "KEY",
        env = "NAT_API_KEY",
        hide_env_values = true,
        global = true
    )]
    pub api_key: Option<String>,
}

/// What went wrong talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server answered with an RFC 7807 problem.
    #[error("{title}: {detail}")]
    Problem {
        status: u16,
        title: String,
        detail: String,
    },
    /// No answer (connection refused, timeout, DNS).
    #[error("cannot reach the nat server at {base}: {reason}")]
    Unreachable { base: String, reason: String },
    /// An error status without a problem body.
    #[error("the nat server answered {what} with HTTP {status}")]
    Status { status: u16, what: String },
    /// A success status with a body nat cannot read.
    #[error("unexpected answer of the nat server to {what}: {reason}")]
    BadAnswer { what: String, reason: String },
    /// The scan ended `failed`.
    #[error("scan {id} failed on the server: {reason}")]
    ScanFailed { id: String, reason: String },
}

impl From<RemoteError> for CliError {
    /// A 4xx problem is the user's input (exit 2); anything else means the scan could not run (3).
    fn from(e: RemoteError) -> Self {
        match e {
            RemoteError::Problem { status, .. } if (400..500).contains(&status) => {
                CliError::input(e.to_string())
            }
            other => CliError::Nat(NatError::Scan(other.to_string())),
        }
    }
}

/// Characters left as they are in a path segment: the unreserved ones.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn segment(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// A client of one server's `/api/v1`.
pub struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

/// `http://host:8080`, `http://host:8080/` and `http://host:8080/api/v1/` all give
/// `http://host:8080/api/v1`.
pub fn api_base(server: &str) -> Result<String, CliError> {
    let trimmed = server.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed)
        .map_err(|e| CliError::input(format!("--server `{server}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::input(format!(
            "--server `{server}`: must be an http or https URL"
        )));
    }
    Ok(if trimmed.ends_with(crate::server::API_PREFIX) {
        trimmed.to_string()
    } else {
        format!("{trimmed}{}", crate::server::API_PREFIX)
    })
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

#[derive(Deserialize)]
struct ProblemBody {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

impl Client {
    /// A client for `--server` with `--api-key`; both are required.
    pub fn new(remote: &RemoteArgs) -> Result<Client, CliError> {
        let server = remote.server.as_deref().ok_or_else(|| {
            CliError::input("no nat server: give --server http://HOST:PORT or set NAT_SERVER")
        })?;
        let key = remote
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                CliError::input(
                    "--server needs an API key: set NAT_API_KEY or give --api-key (see `nat keys create`)",
                )
            })?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CliError::Nat(NatError::Scan(format!("HTTP client: {}", chain(&e)))))?;
        Ok(Client {
            http,
            base: api_base(server)?,
            key: key.to_string(),
        })
    }

    /// The API's base URL (`http://HOST:PORT/api/v1`).
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<reqwest::Response, RemoteError> {
        let what = format!("{method} {path}");
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| RemoteError::Unreachable {
            base: self.base.clone(),
            reason: chain(&e),
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let bytes = resp.bytes().await.unwrap_or_default();
        match crate::parse::json::<ProblemBody>(&bytes) {
            Ok(p) if !p.title.is_empty() => Err(RemoteError::Problem {
                status: status.as_u16(),
                title: p.title,
                detail: p.detail,
            }),
            _ => Err(RemoteError::Status {
                status: status.as_u16(),
                what,
            }),
        }
    }

    async fn text(&self, path: &str) -> Result<String, RemoteError> {
        let resp = self.send(reqwest::Method::GET, path, None).await?;
        resp.text().await.map_err(|e| RemoteError::BadAnswer {
            what: format!("GET {path}"),
            reason: chain(&e),
        })
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, RemoteError> {
        let what = format!("{method} {path}");
        let resp = self.send(method, path, body).await?;
        let bytes = resp.bytes().await.map_err(|e| RemoteError::BadAnswer {
            what: what.clone(),
            reason: chain(&e),
        })?;
        crate::parse::json(&bytes).map_err(|e| RemoteError::BadAnswer {
            what,
            reason: e.to_string(),
        })
    }

    /// `POST /scans`: the new scan's id.
    pub async fn create_scan(&self, body: &Value) -> Result<String, RemoteError> {
        #[derive(Deserialize)]
        struct Created {
            scan_id: String,
        }
        let created: Created = self
            .json(reqwest::Method::POST, "/scans", Some(body))
            .await?;
        Ok(created.scan_id)
    }

    /// `GET /scans/{id}`.
    pub async fn scan(&self, id: &str) -> Result<RemoteScan, RemoteError> {
        self.json(
            reqwest::Method::GET,
            &format!("/scans/{}", segment(id)),
            None,
        )
        .await
    }

    /// `DELETE /scans/{id}`.
    pub async fn cancel(&self, id: &str) -> Result<(), RemoteError> {
        self.send(
            reqwest::Method::DELETE,
            &format!("/scans/{}", segment(id)),
            None,
        )
        .await
        .map(drop)
    }

    /// Every finding of a scan (all pages), filtered by `query` (`severity=…&status=…`).
    pub async fn findings(&self, id: &str, query: &str) -> Result<Vec<Finding>, RemoteError> {
        #[derive(Deserialize)]
        struct Page {
            findings: Vec<Finding>,
            total: usize,
        }
        let mut out = Vec::new();
        for page in 1.. {
            let path = format!(
                "/scans/{}/findings?per_page=100&page={page}{query}",
                segment(id)
            );
            let p: Page = self.json(reqwest::Method::GET, &path, None).await?;
            let last = p.findings.is_empty();
            out.extend(p.findings);
            if last || out.len() >= p.total {
                break;
            }
        }
        Ok(out)
    }

    /// `GET /scans/{id}/report?format=F`: the report's text.
    pub async fn report(&self, id: &str, format: &str) -> Result<String, RemoteError> {
        self.text(&format!("/scans/{}/report?format={format}", segment(id)))
            .await
    }
}

/// A scan as `GET /scans/{id}` returns it.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct RemoteScan {
    pub scan_id: String,
    pub status: ScanStatus,
    #[serde(default)]
    pub progress: Progress,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// The body of `POST /scans` for a request built by the CLI: secrets in clear (the request's own
/// serialization redacts them), and a local `--spec FILE` sent as base64 `spec_content` (the server
/// never reads local files).
pub fn wire_body(request: &ScanRequest) -> Result<Value, CliError> {
    let mut request = request.clone();
    if let Some(spec) = request.spec_url.clone() {
        let l = spec.trim_start().to_ascii_lowercase();
        if !(l.starts_with("http://") || l.starts_with("https://")) {
            let bytes = std::fs::read(&spec)
                .map_err(|e| CliError::input(format!("--spec {spec}: cannot read: {e}")))?;
            request.spec_url = None;
            request.spec_content = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
        }
    }
    // Every credential (user A's, user B's, each identity's, secrets in a login body) travels.
    crate::request::reveal_secrets(|| serde_json::to_value(&request))
        .map_err(|e| CliError::io("encoding the scan request", std::io::Error::other(e)))
}

/// Progress of a remote scan on stderr: a bar on a terminal, plain lines otherwise, nothing with
/// `--quiet`. Fed from polling `GET /scans/{id}` and the scan's findings.
struct RemoteProgress {
    mode: Mode,
    bar: Option<ProgressBar>,
    last: Mutex<Progress>,
}

impl RemoteProgress {
    fn new(mode: Mode) -> Arc<RemoteProgress> {
        let bar = (mode == Mode::Bars).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} [{elapsed}] [{bar:30}] {pos}/{len} operations  {wide_msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("queued on the server…");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Arc::new(RemoteProgress {
            mode,
            bar,
            last: Mutex::new(Progress::default()),
        })
    }

    fn note(&self, message: &str) {
        match (&self.mode, &self.bar) {
            (Mode::Quiet, _) => {}
            (Mode::Bars, Some(bar)) => bar.println(message),
            _ => super::stderr_line(&format!("nat: {message}")),
        }
    }

    fn update(&self, scan: &RemoteScan) {
        let p = scan.progress;
        let changed = {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            let changed = *last != p;
            *last = p;
            changed
        };
        match (&self.mode, &self.bar) {
            (Mode::Bars, Some(bar)) => {
                bar.set_length(p.endpoints_discovered.max(p.endpoints_tested));
                bar.set_position(p.endpoints_tested);
                bar.set_message(format!(
                    "{} on the server, {} finding{}",
                    scan.status.as_str(),
                    p.findings,
                    if p.findings == 1 { "" } else { "s" }
                ));
            }
            (Mode::Plain, _) if changed && p.endpoints_discovered > 0 => {
                super::stderr_line(&format!(
                    "nat: [{}/{}] operations tested, {} finding{}",
                    p.endpoints_tested,
                    p.endpoints_discovered.max(p.endpoints_tested),
                    p.findings,
                    if p.findings == 1 { "" } else { "s" }
                ));
            }
            _ => {}
        }
    }

    fn finding(&self, f: &Finding) {
        self.note(&format!(
            "finding {} {} {}",
            f.severity, f.endpoint, f.title
        ));
    }

    fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// How polling ended.
enum Ended {
    Complete,
    Interrupted,
}

/// Runs a scan request on the server: creates the scan, shows its progress, then renders the report
/// and exits like a local scan. Ctrl-C cancels the scan on the server (DELETE) and reports the
/// findings it had proven (partial); a second Ctrl-C exits 130 at once.
pub async fn run_scan(
    request: ScanRequest,
    remote: &RemoteArgs,
    output: &OutputArgs,
) -> Result<Exit, CliError> {
    let fail_on = request.options.fail_on;
    if let Some(path) = &output.output {
        check_output_path(path)?;
    }
    let triage = super::output::Triage::prepare(output)?;
    let client = Client::new(remote)?;
    let body = wire_body(&request)?;
    let display = RemoteProgress::new(Mode::detect(output.quiet));
    let interrupted = CancellationToken::new();
    let watcher = tokio::spawn(watch_signals(
        Signals::new(),
        interrupted.clone(),
        display.clone(),
    ));

    let result = poll_scan(&client, &body, &display, &interrupted).await;
    let result = match result {
        Ok((id, Ended::Complete)) => fetch_report(&client, &id).await.map(|r| (r, false)),
        Ok((id, Ended::Interrupted)) => partial_report(&client, &id, &request, &display)
            .await
            .map(|r| (r, true)),
        Err(e) => Err(e),
    };
    let (report, partial) = match result {
        Ok(r) => r,
        Err(e) => {
            display.clear();
            watcher.abort();
            return Err(e.into());
        }
    };
    display.clear();
    if !output.quiet {
        super::stderr_line(&progress::done_line(&report));
    }
    let exit = super::output::finish(report, output, fail_on, partial, &triage);
    watcher.abort();
    exit
}

/// Creates the scan and polls it until it is complete (`Ok`), failed (`Err`) or the user interrupts.
async fn poll_scan(
    client: &Client,
    body: &Value,
    display: &RemoteProgress,
    interrupted: &CancellationToken,
) -> Result<(String, Ended), RemoteError> {
    let id = client.create_scan(body).await?;
    display.note(&format!("scan {id} created on {}", client.base()));
    let mut shown: HashSet<String> = HashSet::new();
    let mut findings_seen = 0;
    let mut status = ScanStatus::Queued;
    loop {
        let scan = tokio::select! {
            _ = interrupted.cancelled() => return Ok((id, Ended::Interrupted)),
            scan = client.scan(&id) => scan?,
        };
        if scan.status != status && scan.status == ScanStatus::Running {
            display.note(&format!("scan {id} is running"));
        }
        status = scan.status;
        display.update(&scan);
        if scan.progress.findings > findings_seen || scan.status.is_finished() {
            if let Ok(findings) = client.findings(&id, "").await {
                for f in findings {
                    if shown.insert(f.fingerprint.clone()) {
                        display.finding(&f);
                    }
                }
            }
            findings_seen = scan.progress.findings;
        }
        match scan.status {
            ScanStatus::Complete => return Ok((id, Ended::Complete)),
            ScanStatus::Failed => {
                return Err(RemoteError::ScanFailed {
                    id,
                    reason: scan.reason.unwrap_or_else(|| "no reason given".into()),
                })
            }
            ScanStatus::Queued | ScanStatus::Running => {}
        }
        tokio::select! {
            _ = interrupted.cancelled() => return Ok((id, Ended::Interrupted)),
            _ = tokio::time::sleep(Duration::from_millis(300)) => {}
        }
    }
}

async fn fetch_report(client: &Client, id: &str) -> Result<ScanReport, RemoteError> {
    let text = client.report(id, "json").await?;
    crate::parse::json(text.as_bytes()).map_err(|e| RemoteError::BadAnswer {
        what: format!("GET /scans/{id}/report"),
        reason: e.to_string(),
    })
}

/// After Ctrl-C: cancels the scan on the server and builds a partial report of the findings it had
/// proven. A scan that completed meanwhile gives its full report.
async fn partial_report(
    client: &Client,
    id: &str,
    request: &ScanRequest,
    display: &RemoteProgress,
) -> Result<ScanReport, RemoteError> {
    display.note(&format!(
        "interrupted: cancelling scan {id} on the server and reporting what it found (Ctrl-C again to abort)"
    ));
    match client.cancel(id).await {
        Ok(()) => {}
        // 409: it finished meanwhile.
        Err(RemoteError::Problem { status: 409, .. }) => {
            if client.scan(id).await?.status == ScanStatus::Complete {
                return fetch_report(client, id).await;
            }
        }
        Err(e) => return Err(e),
    }
    let scan = client.scan(id).await?;
    let findings = client.findings(id, "").await?;
    let mut report = ScanReport::default();
    report.scan.target = request.url.clone();
    report.scan.spec = request.spec_url.clone().unwrap_or_default();
    let time = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    if let (Some(start), Some(end)) = (time(&scan.started_at), time(&scan.completed_at)) {
        report.scan.duration_ms = u64::try_from((end - start).num_milliseconds()).unwrap_or(0);
    }
    report.scan.started_at = scan.started_at.unwrap_or_default();
    report.scan.completed_at = scan.completed_at.unwrap_or_default();
    report.scan.partial = true;
    report.scan.fail_on = request.options.fail_on;
    report.scan.fail_on_confidence = request.options.fail_on_confidence;
    report.summary.operations_discovered = scan.progress.endpoints_discovered as usize;
    report.summary.operations_tested = scan.progress.endpoints_tested as usize;
    for s in Severity::ALL {
        report
            .summary
            .findings
            .insert(s, findings.iter().filter(|f| f.severity == s).count());
    }
    report.summary.total_findings = findings.len();
    report.findings = findings;
    report.refresh_failed();
    report.warnings.push(format!(
        "scan {id} was cancelled on the server: results are partial"
    ));
    Ok(report)
}

async fn watch_signals(
    mut signals: Signals,
    interrupted: CancellationToken,
    display: Arc<RemoteProgress>,
) {
    signals.recv().await;
    interrupted.cancel();
    signals.recv().await;
    display.clear();
    super::stderr_line("error: interrupted twice, aborting (the scan may still run on the server)");
    std::process::exit(Exit::Interrupted.code().into());
}

/// `nat scans`.
#[derive(Debug, Args)]
pub struct ScansArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ScansCommand,

    /// The server.
    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// `nat scans` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScansCommand {
    /// List scans, newest first
    List {
        /// Only scans with this status
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Page to show
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
        /// Scans per page (at most 100)
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
        per_page: u32,
        /// Print the server's JSON
        #[arg(long)]
        json: bool,
    },
    /// Show one scan: status, progress, times, reason of a failure
    Show {
        /// The scan's id (`scan_…`)
        #[arg(value_name = "ID")]
        id: String,
        /// Print the server's JSON
        #[arg(long)]
        json: bool,
    },
    /// List a scan's findings
    Findings {
        /// The scan's id (`scan_…`)
        #[arg(value_name = "ID")]
        id: String,
        /// Only findings of this severity
        #[arg(long, value_enum)]
        severity: Option<SeverityArg>,
        /// Only findings with this triage status
        #[arg(long, value_enum)]
        status: Option<TriageArg>,
        /// Print the findings (with evidence) as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print a complete scan's report
    Report {
        /// The scan's id (`scan_…`)
        #[arg(value_name = "ID")]
        id: String,
        /// Format of the report
        #[arg(long, value_enum, default_value_t = ReportArg::Json)]
        format: ReportArg,
        /// Write the report to this file instead of stdout
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Cancel a queued or running scan (it ends `failed`, reason `cancelled`)
    Cancel {
        /// The scan's id (`scan_…`)
        #[arg(value_name = "ID")]
        id: String,
    },
}

/// `--status` of `nat scans list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Queued,
    Running,
    Complete,
    Failed,
}

/// `--severity` of `nat scans findings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

/// `--status` of `nat scans findings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TriageArg {
    Open,
    Resolved,
    Accepted,
}

/// `--format` of `nat scans report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportArg {
    Json,
    Sarif,
    Markdown,
    Html,
}

fn value_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_string())
        .unwrap_or_default()
}

fn pretty(value: &impl serde::Serialize) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::io("rendering JSON", std::io::Error::other(e)))?;
    text.push('\n');
    Ok(text)
}

fn progress_text(p: &Progress) -> String {
    format!(
        "{}/{} operations tested, {} finding{}",
        p.endpoints_tested,
        p.endpoints_discovered,
        p.findings,
        if p.findings == 1 { "" } else { "s" }
    )
}

/// Runs `nat scans …`.
pub fn run(args: ScansArgs) -> Result<Exit, CliError> {
    let client = Client::new(&args.remote)?;
    super::runtime()?.block_on(async move {
        let style = table_style(false, false);
        match args.command {
            ScansCommand::List {
                status,
                page,
                per_page,
                json,
            } => {
                let mut path = format!("/scans?page={page}&per_page={per_page}");
                if let Some(s) = status {
                    path.push_str(&format!("&status={}", value_name(s)));
                }
                let value: Value = client.json(reqwest::Method::GET, &path, None).await?;
                let text = if json {
                    pretty(&value)?
                } else {
                    let scans: Vec<RemoteScan> = serde_json::from_value(value["scans"].clone())
                        .map_err(|e| RemoteError::BadAnswer {
                            what: format!("GET {path}"),
                            reason: e.to_string(),
                        })?;
                    let total = value["total"].as_u64().unwrap_or(scans.len() as u64);
                    let rows = scans
                        .iter()
                        .map(|s| {
                            vec![
                                s.scan_id.clone(),
                                s.status.as_str().to_string(),
                                s.url.clone().unwrap_or_default(),
                                s.created_at.clone().unwrap_or_default(),
                                progress_text(&s.progress),
                            ]
                        })
                        .collect();
                    let mut text = if scans.is_empty() {
                        String::new()
                    } else {
                        table(
                            &["ID", "Status", "Target", "Created", "Progress"],
                            rows,
                            style,
                        )
                    };
                    let pages = total.div_ceil(u64::from(per_page)).max(1);
                    text.push_str(&format!(
                        "{total} scan{}, page {page} of {pages}\n",
                        if total == 1 { "" } else { "s" }
                    ));
                    text
                };
                write_results(None, &text)?;
            }
            ScansCommand::Show { id, json } => {
                let scan = client.scan(&id).await?;
                let text = if json {
                    pretty(&scan)?
                } else {
                    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                    let mut text = format!(
                        "scan:       {}\nstatus:     {}\ntarget:     {}\nprogress:   {}\n\
                         created:    {}\nstarted:    {}\ncompleted:  {}\n",
                        scan.scan_id,
                        scan.status.as_str(),
                        dash(&scan.url),
                        progress_text(&scan.progress),
                        dash(&scan.created_at),
                        dash(&scan.started_at),
                        dash(&scan.completed_at),
                    );
                    if let Some(reason) = &scan.reason {
                        text.push_str(&format!("reason:     {reason}\n"));
                    }
                    text
                };
                write_results(None, &text)?;
            }
            ScansCommand::Findings {
                id,
                severity,
                status,
                json,
            } => {
                let mut query = String::new();
                if let Some(s) = severity {
                    query.push_str(&format!("&severity={}", value_name(s)));
                }
                if let Some(s) = status {
                    query.push_str(&format!("&status={}", value_name(s)));
                }
                let findings = client.findings(&id, &query).await?;
                let text = if json {
                    pretty(&serde_json::json!({ "findings": findings }))?
                } else {
                    let rows = findings
                        .iter()
                        .map(|f| {
                            vec![
                                f.id.clone(),
                                f.severity.to_string(),
                                f.risk_score.to_string(),
                                f.title.clone(),
                                f.endpoint.clone(),
                                value_name_of_status(f),
                            ]
                        })
                        .collect();
                    let mut text = if findings.is_empty() {
                        String::new()
                    } else {
                        table(
                            &["ID", "Severity", "Risk", "Title", "Endpoint", "Status"],
                            rows,
                            style,
                        )
                    };
                    let n = findings.len();
                    text.push_str(&format!("{n} finding{}\n", if n == 1 { "" } else { "s" }));
                    text
                };
                write_results(None, &text)?;
            }
            ScansCommand::Report { id, format, output } => {
                if let Some(path) = &output {
                    check_output_path(path)?;
                }
                let text = client.report(&id, &value_name(format)).await?;
                write_results(output.as_deref(), &text)?;
            }
            ScansCommand::Cancel { id } => {
                client.cancel(&id).await?;
                write_results(None, &format!("cancelled scan {id}\n"))?;
            }
        }
        Ok(Exit::Passed)
    })
}

fn value_name_of_status(f: &Finding) -> String {
    serde_json::to_value(f.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{AuthConfig, Secret};

    #[test]
    fn api_base_is_normalised() {
        for s in [
            "http://h:8080",
            "http://h:8080/",
            "http://h:8080/api/v1",
            "http://h:8080/api/v1/",
        ] {
            assert_eq!(api_base(s).unwrap(), "http://h:8080/api/v1", "{s}");
        }
        assert!(api_base("h:8080").is_err());
        assert!(api_base("ftp://h").is_err());
    }

    #[test]
    fn wire_body_has_secrets_and_inlines_local_specs() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("api.yaml");
        std::fs::write(&spec, "openapi: 3.0.0\n").unwrap();
        let request = ScanRequest {
            url: "http://127.0.0.1:1".into(),
            spec_url: Some(spec.display().to_string()),
            auth: AuthConfig {
                token: Some(Secret::new("s3cr3t")),
                ..Default::default()
            },
            ..Default::default()
        };
        let body = wire_body(&request).unwrap();
        assert_eq!(body["auth"]["token"], "s3cr3t");
        // Every identity's credentials travel, not only user A's (they used to arrive `<redacted>`).
        let all = ScanRequest {
            auth_b: Some(AuthConfig {
                header_name: Some("X-Key".into()),
                header_value: Some(Secret::new("b-key")),
                ..Default::default()
            }),
            identities: vec![crate::request::Identity {
                name: "root".into(),
                role: "admin".into(),
                level: None,
                auth: AuthConfig {
                    login_url: Some("/login".into()),
                    login_body: Some(crate::request::LoginBody(
                        serde_json::json!({"user": "root", "pin": "4711"}),
                    )),
                    ..Default::default()
                },
            }],
            ..request.clone()
        };
        let wire = wire_body(&all).unwrap();
        assert_eq!(wire["auth_b"]["header_value"], "b-key");
        assert_eq!(wire["identities"][0]["auth"]["login_body"]["pin"], "4711");
        assert!(!wire.to_string().contains("<redacted>"), "{wire}");
        let back: ScanRequest = serde_json::from_value(wire).unwrap();
        assert_eq!(back.auth, all.auth);
        assert_eq!(back.auth_b, all.auth_b);
        assert_eq!(back.identities, all.identities);
        // Outside the wire, the same request still serialises masked.
        let shown = serde_json::to_string(&all).unwrap();
        assert!(!shown.contains("b-key") && !shown.contains("4711") && !shown.contains("s3cr3t"));
        assert!(body.get("spec_url").is_none());
        let content = body["spec_content"].as_str().unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(content)
            .unwrap();
        assert_eq!(decoded, b"openapi: 3.0.0\n");
        let back: ScanRequest = serde_json::from_value(body).unwrap();
        assert_eq!(back.auth.token.unwrap().expose(), "s3cr3t");

        let remote = ScanRequest {
            spec_url: Some("https://example.com/openapi.json".into()),
            ..request
        };
        let body = wire_body(&remote).unwrap();
        assert_eq!(body["spec_url"], "https://example.com/openapi.json");
        let missing = ScanRequest {
            spec_url: Some(dir.path().join("nope.yaml").display().to_string()),
            ..Default::default()
        };
        assert_eq!(wire_body(&missing).unwrap_err().exit(), Exit::Input);
    }

    #[test]
    fn problems_map_to_exit_codes() {
        let p = |status| RemoteError::Problem {
            status,
            title: "Unauthorized".into(),
            detail: "bad key".into(),
        };
        let e: CliError = p(401).into();
        assert_eq!(e.exit(), Exit::Input);
        assert_eq!(e.report_line(), "error: Unauthorized: bad key");
        let e: CliError = p(500).into();
        assert_eq!(e.exit(), Exit::ScanFailed);
        let e: CliError = RemoteError::Unreachable {
            base: "http://127.0.0.1:1/api/v1".into(),
            reason: "refused".into(),
        }
        .into();
        assert_eq!(e.exit(), Exit::ScanFailed);
    }
}
