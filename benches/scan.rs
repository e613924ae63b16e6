//! Benchmark of a full scan of the demo target: wall time, requests per second and peak memory, each
//! against a baseline measured in the same run (these machines are shared and noisy; ratios travel,
//! absolute numbers do not).
//!
//! - time: the scan vs. a plain reqwest client sending the same number of requests to the same
//!   target's trivial `/api/v1/health` at the same concurrency;
//! - memory: peak RSS of `nat demo` vs. `nat demo --help` (the process's own floor).
//!
//! Run: `cargo bench --bench scan`.

use futures::stream::{self, StreamExt};
use nat::engine::{run, CancellationToken, Events};
use nat::request::{AuthConfig, FailOn, ScanRequest, Secret};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Peak RSS (KiB) of a child process running `args`, from the kernel's accounting of waited-for children.
fn peak_rss_kib(args: &[&str]) -> u64 {
    // Each measurement runs in its own helper process, so RUSAGE_CHILDREN sees only this child.
    let exe = std::env::current_exe().expect("bench executable");
    let out = Command::new(exe)
        .env("NAT_BENCH_CHILD", args.join("\u{1f}"))
        .stdout(Stdio::piped())
        .output()
        .expect("helper process");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

fn child_mode(args: &str) {
    let args: Vec<&str> = args.split('\u{1f}').collect();
    let status = Command::new(env!("CARGO_BIN_EXE_nat"))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("nat");
    let _ = status;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    println!("{}", usage.ru_maxrss);
}

fn main() {
    if let Ok(args) = std::env::var("NAT_BENCH_CHILD") {
        child_mode(&args);
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let demo = nat::demo::serve("127.0.0.1:0".parse().unwrap()).await.expect("demo");
        let request = || {
            let mut req = ScanRequest { url: demo.url(), ..Default::default() };
            req.auth = AuthConfig { token: Some(Secret::new(nat::demo::user_token())), ..Default::default() };
            req.options.fail_on = FailOn::None;
            req
        };
        // The same scan without the checks of issue 11 (callback listener and in-band injections
        // beyond SQL): what they add, as a ratio in this run. The wait for late callbacks at the
        // end of a scan is no scan work and is taken off.
        const ISSUE_11: &[&str] = &[
            "NAT-API7-SSRF",
            "NAT-INJ-COMMAND",
            "NAT-INJ-SSTI",
            "NAT-INJ-PATH-TRAVERSAL",
            "NAT-INJ-XSS",
        ];
        let without_11 = || {
            let mut req = request();
            req.options.checks = nat::checks::CHECKS
                .iter()
                .filter(|c| !c.noisy() && !ISSUE_11.contains(&c.meta().id))
                .map(|c| c.meta().id.to_string())
                .chain(
                    nat::checks::CHECKS
                        .iter()
                        .filter(|c| c.noisy())
                        .map(|c| c.meta().id.to_string()),
                )
                .collect();
            req
        };
        let work = |r: &nat::report::ScanReport, t: Duration| {
            t.saturating_sub(Duration::from_millis(r.scan.callback_wait_ms))
        };
        // Warm up both paths once.
        let warm = run(request(), Events::none(), CancellationToken::new()).await.expect("scan");
        let n = warm.summary.requests_sent as usize;
        let concurrency = request().options.concurrency;
        let client = reqwest::Client::new();
        let health = format!("{}/api/v1/health", demo.url());

        let warm_11 = run(without_11(), Events::none(), CancellationToken::new()).await.expect("scan");
        let n_11 = warm_11.summary.requests_sent;
        let mut scan_times = Vec::new();
        let mut base_times = Vec::new();
        let mut times_11 = Vec::new();
        let mut waits = Vec::new();
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let report = run(request(), Events::none(), CancellationToken::new()).await.expect("scan");
            scan_times.push(work(&report, t.elapsed()));
            waits.push(Duration::from_millis(report.scan.callback_wait_ms));
            assert_eq!(report.findings.len(), warm.findings.len());

            let t = Instant::now();
            let r = run(without_11(), Events::none(), CancellationToken::new()).await.expect("scan");
            times_11.push(work(&r, t.elapsed()));

            let t = Instant::now();
            stream::iter(0..n)
                .map(|_| {
                    let (client, url) = (&client, &health);
                    async move {
                        if let Ok(r) = client.get(url).send().await {
                            let _ = r.bytes().await;
                        }
                    }
                })
                .buffer_unordered(concurrency)
                .collect::<Vec<_>>()
                .await;
            base_times.push(t.elapsed());
        }
        demo.stop().await;
        let (scan, base) = (median(scan_times), median(base_times));
        println!("scan of the demo target ({n} requests, {} findings, concurrency {concurrency}, median of {ROUNDS}):", warm.findings.len());
        println!("  nat scan        {:>8.1} ms  {:>8.0} req/s", scan.as_secs_f64() * 1e3, n as f64 / scan.as_secs_f64());
        println!("  plain reqwest   {:>8.1} ms  {:>8.0} req/s   (same count, GET /health)", base.as_secs_f64() * 1e3, n as f64 / base.as_secs_f64());
        println!("  ratio           {:>8.2}x the baseline's time", scan.as_secs_f64() / base.as_secs_f64());
        let (t11, wait) = (median(times_11), median(waits));
        println!("the checks of issue 11 (SSRF, command injection, SSTI, path traversal, XSS):");
        println!("  without them    {:>8.1} ms  {n_11} requests", t11.as_secs_f64() * 1e3);
        println!(
            "  with them       {:>8.1} ms  {n} requests: {:.2}x the time, {:.2}x the requests",
            scan.as_secs_f64() * 1e3,
            scan.as_secs_f64() / t11.as_secs_f64(),
            n as f64 / n_11 as f64
        );
        println!("  (waited {:.0} ms for late callbacks at the end, not counted)", wait.as_secs_f64() * 1e3);
    });
    let full = peak_rss_kib(&["demo", "--quiet", "--format", "json", "--fail-on", "none"]);
    let floor = peak_rss_kib(&["demo", "--help"]);
    println!("peak memory (RSS):");
    println!("  nat demo        {:>8.1} MiB", full as f64 / 1024.0);
    println!(
        "  nat demo --help {:>8.1} MiB (process floor)",
        floor as f64 / 1024.0
    );
    if floor > 0 {
        println!(
            "  ratio           {:>8.2}x the floor",
            full as f64 / floor as f64
        );
    }
}
