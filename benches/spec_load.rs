//! Benchmark of loading the largest real descriptions of the shared corpus, each against plain
//! parsing of the same bytes (`serde_json` for JSON, `serde_yaml_ng` for YAML) measured in the same run.
//!
//! Run: `cargo bench --bench spec_load`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

const ROUNDS: usize = 9;
const FILES: &[&str] = &[
    "docusign+OpenAPI-Specifications/esignature.rest.swagger-v2.json",
    "box+box-openapi/openapi.json",
    "slackapi+slack-api-specs/web-api/slack_web_openapi_v2.json",
    "go-swagger+go-swagger/testdata/canary/kubernetes/swagger.json",
    "apideck-libraries+openapi-specs/accounting.yml",
    "XeroAPI+Xero-OpenAPI/xero_accounting.yaml",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/specs/real");
    if !root.is_dir() {
        eprintln!("{} missing: nothing to measure", root.display());
        return;
    }
    println!(
        "{:<70} {:>6} {:>10} {:>10} {:>7}",
        "file", "ops", "nat ms", "parse ms", "ratio"
    );
    for rel in FILES {
        let path = root.join(rel);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let yaml = rel.ends_with(".yml") || rel.ends_with(".yaml");
        let mut load = Vec::new();
        let mut parse = Vec::new();
        let mut ops = 0;
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let spec = nat::spec::from_file(&path).expect("loads");
            load.push(t.elapsed());
            ops = spec.operations.len();
            drop(spec);
            let t = Instant::now();
            if yaml {
                let v: serde_yaml_ng::Value = serde_yaml_ng::from_slice(&bytes).expect("yaml");
                std::hint::black_box(v);
            } else {
                let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                std::hint::black_box(v);
            }
            parse.push(t.elapsed());
        }
        let (l, p) = (median(load), median(parse));
        println!(
            "{:<70} {:>6} {:>10.1} {:>10.1} {:>6.1}x   ({:.1} MB)",
            rel,
            ops,
            l.as_secs_f64() * 1e3,
            p.as_secs_f64() * 1e3,
            l.as_secs_f64() / p.as_secs_f64(),
            bytes.len() as f64 / 1e6
        );
    }
}
