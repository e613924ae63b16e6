//! Benchmark of loading the largest real descriptions of the shared corpus, and a generated ~30 MB one,
//! each against plain parsing of the same bytes (`serde_json` for JSON, `serde_yaml_ng` for YAML)
//! measured in the same run: time (median of several rounds) and peak memory.
//!
//! Peak memory is measured in a fresh child process per file and task (this binary re-run with
//! `NAT_SPEC_MEM=load|parse|idle:<path>`), which reads its own `VmHWM`: the load's peak next to the
//! plain parse's peak and the process's idle footprint, all in the same run.
//!
//! Run: `cargo bench --bench spec_load`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 9;
const BIG_ROUNDS: usize = 3;
const FILES: &[&str] = &[
    "docusign+OpenAPI-Specifications/esignature.rest.swagger-v2.json",
    "box+box-openapi/openapi.json",
    "slackapi+slack-api-specs/web-api/slack_web_openapi_v2.json",
    "go-swagger+go-swagger/testdata/canary/kubernetes/swagger.json",
    "apideck-libraries+openapi-specs/accounting.yml",
    "XeroAPI+Xero-OpenAPI/xero_accounting.yaml",
];
/// The generated description: this many renamed copies of DocuSign's paths and definitions.
const COPIES: usize = 20;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml")
    )
}

/// Parses the bytes the way the yardstick does; the value is dropped inside the measurement, as the
/// loader drops its parsed document.
fn plain_parse(bytes: &[u8], yaml: bool) {
    if yaml {
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_slice(bytes).expect("yaml");
        std::hint::black_box(v);
    } else {
        let v: serde_json::Value = serde_json::from_slice(bytes).expect("json");
        std::hint::black_box(v);
    }
}

/// Peak resident memory of this process so far, in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Child mode: do one task and print the peak.
fn child(task: &str) {
    let (what, path) = task.split_once(':').expect("task:path");
    let path = Path::new(path);
    match what {
        "load" => {
            let spec = nat::spec::from_file(path).expect("loads");
            std::hint::black_box(&spec);
        }
        "parse" => {
            let bytes = std::fs::read(path).expect("read");
            plain_parse(&bytes, is_yaml(path));
        }
        _ => {}
    }
    println!("{}", vm_hwm_kib());
}

/// Peak KiB of a child process doing `what` on `path`, or 0 when it cannot be measured.
fn peak_kib(what: &str, path: &Path) -> u64 {
    let Ok(exe) = std::env::current_exe() else {
        return 0;
    };
    Command::new(exe)
        .env("NAT_SPEC_MEM", format!("{what}:{}", path.display()))
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn measure(name: &str, path: &Path, rounds: usize) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let yaml = is_yaml(path);
    let mut load = Vec::new();
    let mut parse = Vec::new();
    let mut ops = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        let spec = nat::spec::from_file(path).expect("loads");
        load.push(t.elapsed());
        ops = spec.operations.len();
        drop(spec);
        let t = Instant::now();
        plain_parse(&bytes, yaml);
        parse.push(t.elapsed());
    }
    let (l, p) = (median(load), median(parse));
    let mb = bytes.len() as f64 / 1e6;
    let (idle, parse_peak, load_peak) = (
        peak_kib("idle", path),
        peak_kib("parse", path),
        peak_kib("load", path),
    );
    let mib = |k: u64| k as f64 / 1024.0;
    println!(
        "{:<62} {:>5} {:>5.1} {:>8.1} {:>8.1} {:>5.1}x {:>7.1} {:>7.1} {:>5.1} {:>8.1}x {:>8.1}x {:>5.1}x",
        name,
        ops,
        mb,
        l.as_secs_f64() * 1e3,
        p.as_secs_f64() * 1e3,
        l.as_secs_f64() / p.as_secs_f64(),
        mib(load_peak),
        mib(parse_peak),
        mib(idle),
        mib(load_peak.saturating_sub(idle)) / (bytes.len() as f64 / 1048576.0),
        mib(parse_peak.saturating_sub(idle)) / (bytes.len() as f64 / 1048576.0),
        load_peak as f64 / parse_peak.max(1) as f64,
    );
}

/// A ~30 MB Swagger 2.0 description: DocuSign's paths and definitions copied [`COPIES`] times under
/// renamed prefixes (`/c3/v2.1/…`, `#/definitions/c3.envelope`), so every copy is a distinct set of
/// schemas to resolve.
fn generated(root: &Path) -> Option<tempfile::TempPath> {
    use serde_json::{Map, Value};
    let text = std::fs::read_to_string(root.join(FILES[0])).ok()?;
    let mut doc: Value = serde_json::from_str(&text).ok()?;
    let paths = doc.get("paths")?.as_object()?.clone();
    let defs = doc.get("definitions")?.as_object()?.clone();
    let (mut all_paths, mut all_defs) = (Map::new(), Map::new());
    for i in 0..COPIES {
        let rename = |v: &Value| -> Option<Value> {
            let s = serde_json::to_string(v).ok()?;
            serde_json::from_str(&s.replace("#/definitions/", &format!("#/definitions/c{i}."))).ok()
        };
        for (k, v) in &paths {
            all_paths.insert(format!("/c{i}{k}"), rename(v)?);
        }
        for (k, v) in &defs {
            all_defs.insert(format!("c{i}.{k}"), rename(v)?);
        }
    }
    doc["paths"] = Value::Object(all_paths);
    doc["definitions"] = Value::Object(all_defs);
    let file = tempfile::Builder::new().suffix(".json").tempfile().ok()?;
    serde_json::to_writer(std::io::BufWriter::new(file.as_file()), &doc).ok()?;
    Some(file.into_temp_path())
}

fn main() {
    if let Ok(task) = std::env::var("NAT_SPEC_MEM") {
        child(&task);
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/specs/real");
    if !root.is_dir() {
        eprintln!("{} missing: nothing to measure", root.display());
        return;
    }
    println!("time: median load (nat::spec::from_file) vs median plain parse of the same bytes");
    println!(
        "peak: VmHWM of a fresh process that loads / plain-parses / does nothing (idle), in MiB;"
    );
    println!("      load/size and parse/size are (peak - idle) / file size");
    println!(
        "{:<62} {:>5} {:>5} {:>8} {:>8} {:>6} {:>7} {:>7} {:>5} {:>9} {:>9} {:>6}",
        "file",
        "ops",
        "MB",
        "load ms",
        "parse ms",
        "ratio",
        "load pk",
        "parse pk",
        "idle",
        "load/size",
        "parse/size",
        "ratio"
    );
    for rel in FILES {
        measure(rel, &root.join(rel), ROUNDS);
    }
    match generated(&root) {
        Some(path) => measure(
            &format!("generated: docusign x{COPIES}, renamed"),
            &path,
            BIG_ROUNDS,
        ),
        None => eprintln!("could not generate the large description"),
    }
}
