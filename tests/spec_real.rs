//! Loads every root description of the shared real-world corpus and checks the operation count against
//! `expected.tsv` exactly. Rows marked `valid_per_validator = no` may also fail with a `SpecError`, but
//! never panic; if they load, the count must still match.

use std::path::PathBuf;
use std::time::Instant;

#[test]
fn real_world_descriptions_load_with_exact_operation_counts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/specs/real");
    let Ok(tsv) = std::fs::read_to_string(dir.join("expected.tsv")) else {
        println!("note: {} missing; real-corpus test skipped", dir.display());
        return;
    };
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (c_file, c_ops, c_valid, c_notes) = (
        col("file"),
        col("operations"),
        col("valid_per_validator"),
        col("notes"),
    );
    let mut failures = Vec::new();
    let mut rows = 0;
    let total = Instant::now();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        rows += 1;
        let f: Vec<&str> = line.split('\t').collect();
        let expected: usize = f[c_ops].parse().unwrap();
        let lenient = f[c_valid] == "no";
        let path = dir.join(f[c_file]);
        let baseline = plain_parse_ms(&path);
        let started = Instant::now();
        let result = nat::spec::from_file(&path);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(spec) => {
                println!(
                    "{ms:8.1} ms (plain parse {baseline:7.1} ms)  {:4} ops ({} warnings)  {}  [{}]",
                    spec.operations.len(),
                    spec.warnings.len(),
                    f[c_file],
                    f[c_notes]
                );
                if spec.operations.len() != expected {
                    failures.push(format!(
                        "{}: {} operations, expected {expected}; warnings: {:?}",
                        f[c_file],
                        spec.operations.len(),
                        spec.warnings.iter().take(5).collect::<Vec<_>>()
                    ));
                }
            }
            Err(e) if lenient => {
                println!("{ms:8.1} ms  error (accepted, invalid per validator): {e}")
            }
            Err(e) => failures.push(format!("{}: {e}", f[c_file])),
        }
    }
    println!(
        "{rows} descriptions in {:.2} s",
        total.elapsed().as_secs_f64()
    );
    assert!(rows > 0, "expected.tsv has no rows");
    assert!(
        failures.is_empty(),
        "{} of {rows} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Time to parse the root alone into a `serde_json::Value` (the yardstick for the loader's cost).
fn plain_parse_ms(path: &std::path::Path) -> f64 {
    let Ok(bytes) = std::fs::read(path) else {
        return f64::NAN;
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let started = Instant::now();
    let ok = serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
        || serde_yaml_ng::from_slice::<serde_yaml_ng::Value>(bytes).is_ok();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if ok {
        ms
    } else {
        f64::NAN
    }
}
