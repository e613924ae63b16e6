//! The committed completions and man pages must be what the clap definitions generate today.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

const HINT: &str = "run `cargo run -- generate-assets .` and commit completions/ and man/";

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            out.insert(name, std::fs::read(&path).expect("readable"));
        }
    }
    out
}

#[test]
fn committed_completions_and_man_pages_are_fresh() {
    let tmp = tempfile::tempdir().expect("temp dir");
    Command::cargo_bin("nat")
        .expect("nat binary")
        .arg("generate-assets")
        .arg(tmp.path())
        .assert()
        .success();

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for dir in ["completions", "man"] {
        let fresh = files(&tmp.path().join(dir));
        let committed = files(&root.join(dir));
        assert!(
            !fresh.is_empty(),
            "generate-assets wrote nothing into {dir}/"
        );
        for (name, bytes) in &fresh {
            match committed.get(name) {
                None => stale.push(format!("{dir}/{name} is missing")),
                Some(old) if old != bytes => stale.push(format!("{dir}/{name} is stale")),
                Some(_) => {}
            }
        }
        for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
            stale.push(format!("{dir}/{name} is no longer generated"));
        }
    }
    assert!(stale.is_empty(), "{}; {HINT}", stale.join(", "));
}

#[test]
fn hidden_command_is_not_offered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["completions", "man"] {
        for (name, bytes) in files(&root.join(dir)) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("generate-assets") && !text.contains("generate\\-assets"),
                "{dir}/{name} offers the hidden generate-assets command"
            );
        }
    }
}
