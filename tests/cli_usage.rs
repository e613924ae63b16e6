//! The command line without a working engine: help, usage errors, config and request validation,
//! secrets, exit codes. No test here sends any traffic.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

const SECRET_ENV: [&str; 8] = [
    "NAT_AUTH_USER",
    "NAT_AUTH_PASSWORD",
    "NAT_AUTH_B_PASSWORD",
    "NAT_AUTH_TOKEN",
    "NAT_AUTH_B_TOKEN",
    "NAT_AUTH_HEADER",
    "NAT_AUTH_BASIC",
    "NAT_OAUTH2_CLIENT_SECRET",
];

/// `nat` with none of the caller's NAT_* variables.
fn nat() -> Command {
    let mut cmd = Command::cargo_bin("nat").expect("nat binary");
    for var in SECRET_ENV {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

fn dry_run_json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd
        .arg("--dry-run")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("--dry-run prints JSON")
}

#[test]
fn help_documents_exit_codes() {
    for args in [
        vec!["--help"],
        vec!["scan", "--help"],
        vec!["demo", "--help"],
    ] {
        nat()
            .args(&args)
            .assert()
            .success()
            .stdout(contains("Exit codes:"))
            .stdout(contains("130"))
            .stdout(contains("usage or input error"));
    }
}

/// `nat demo --help` describes the scan `demo_scan` runs: alice through the login flow, bob and
/// carol by bearer token, destructive mode, exit 1; and what `--target-only` prints.
#[test]
fn demo_help_describes_the_login_flow_demo() {
    let out = nat()
        .args(["demo", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8_lossy(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        nat::demo::LOGIN_PATH,
        "--auth-login-user alice",
        "--auth-b-bearer",
        "--destructive",
        "carol the `admin` identity",
        "exits 1",
        "bearer tokens of alice, bob and carol",
    ] {
        assert!(help.contains(needle), "{needle:?} missing from: {help}");
    }
    assert!(!help.contains("--auth-bearer TOKEN"), "{help}");
}

#[test]
fn version_exits_zero() {
    nat()
        .arg("--version")
        .assert()
        .success()
        .stdout(contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    nat().assert().code(2);
    nat().arg("frobnicate").assert().code(2);
    nat()
        .args(["scan", "http://127.0.0.1:1", "--no-such-flag"])
        .assert()
        .code(2)
        .stderr(contains("--no-such-flag"));
    nat()
        .args(["scan", "http://127.0.0.1:1", "--concurrency", "many"])
        .assert()
        .code(2);
    nat()
        .args(["scan", "http://127.0.0.1:1", "--fail-on", "severe"])
        .assert()
        .code(2)
        .stderr(contains("critical"));
    nat().args(["demo", "--bind", "nowhere"]).assert().code(2);
}

#[test]
fn invalid_requests_exit_2_with_one_error_line() {
    for (args, needle) in [
        (vec!["scan", "not a url"], "url"),
        (vec!["scan", "ftp://127.0.0.1/"], "http"),
        (vec!["scan"], "no target URL"),
        (
            vec!["scan", "http://127.0.0.1:1", "--concurrency", "0"],
            "concurrency",
        ),
        (
            // Brackets are literal in nat's one pattern dialect; only a blank pattern is invalid.
            vec!["scan", "http://127.0.0.1:1", "--exclude", " "],
            "exclude",
        ),
        (
            vec!["scan", "http://127.0.0.1:1", "--header", "no colon"],
            "Name: value",
        ),
    ] {
        let assert = nat().args(&args).assert().code(2).stdout("");
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn conflicting_auth_flags_exit_2() {
    nat()
        .args([
            "scan",
            "http://127.0.0.1:1",
            "--auth-bearer",
            "t",
            "--auth-basic",
            "u:p",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "--auth-bearer and --auth-basic cannot be used together",
        ));
    nat()
        .args(["scan", "http://127.0.0.1:1", "--dry-run"])
        .env("NAT_AUTH_TOKEN", "t")
        .env("NAT_AUTH_BASIC", "u:p")
        .assert()
        .code(2)
        .stderr(contains("NAT_AUTH_TOKEN and NAT_AUTH_BASIC"));
}

#[test]
fn secret_env_values_never_shown_in_help() {
    for var in SECRET_ENV {
        let assert = nat()
            .args(["scan", "--help"])
            .env(var, "supersecret")
            .assert()
            .success();
        let out = assert.get_output();
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("supersecret"),
            "{var}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("supersecret"),
            "{var}"
        );
    }
}

#[test]
fn env_token_fills_the_request_and_typed_flags_win() {
    let req = dry_run_json(
        nat()
            .args(["scan", "http://127.0.0.1:1"])
            .env("NAT_AUTH_TOKEN", "supersecret"),
    );
    assert_eq!(req["auth"]["type"], "bearer");
    assert_eq!(req["auth"]["token"], "<redacted>");
    assert!(!req.to_string().contains("supersecret"));

    let req = dry_run_json(
        nat()
            .args(["scan", "http://127.0.0.1:1", "--auth-basic", "alice:pw"])
            .env("NAT_AUTH_TOKEN", "supersecret"),
    );
    assert_eq!(req["auth"]["type"], "basic");
    assert_eq!(req["auth"]["username"], "alice");
    assert!(req["auth"].get("token").is_none());
}

#[test]
fn config_file_is_the_scan_body_and_flags_override_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nat.yaml");
    std::fs::write(
        &path,
        "url: http://127.0.0.1:1\n\
         spec_url: http://127.0.0.1:1/openapi.json\n\
         auth: {type: header, header_name: X-API-Key, header_value: k}\n\
         options: {concurrency: 8, timeout: 12, fail_on: medium, exclude: ['/payments/*']}\n",
    )
    .expect("write config");
    let req = dry_run_json(nat().arg("scan").arg("--config").arg(&path).args([
        "--timeout",
        "7",
        "--fail-on",
        "low",
    ]));
    assert_eq!(req["url"], "http://127.0.0.1:1");
    assert_eq!(req["spec_url"], "http://127.0.0.1:1/openapi.json");
    assert_eq!(req["auth"]["header_name"], "X-API-Key");
    assert_eq!(req["options"]["concurrency"], 8);
    assert_eq!(req["options"]["timeout"], 7);
    assert_eq!(req["options"]["fail_on"], "low");
    assert_eq!(
        req["options"]["exclude"],
        serde_json::json!(["/payments/*"])
    );

    // The positional URL overrides the file's, and stands in when the file has none.
    let req = dry_run_json(
        nat()
            .args(["scan", "http://127.0.0.1:2"])
            .arg("--config")
            .arg(&path),
    );
    assert_eq!(req["url"], "http://127.0.0.1:2");
    let json = dir.path().join("nat.json");
    std::fs::write(&json, r#"{"options": {"rate": 2.5}}"#).expect("write config");
    let req = dry_run_json(
        nat()
            .args(["scan", "http://127.0.0.1:3", "--config"])
            .arg(&json),
    );
    assert_eq!(req["options"]["rate"], 2.5);
}

#[test]
fn config_from_stdin() {
    let req = dry_run_json(
        nat()
            .args(["scan", "--config", "-"])
            .write_stdin(r#"{"url": "http://127.0.0.1:1", "options": {"max_requests": 10}}"#),
    );
    assert_eq!(req["options"]["max_requests"], 10);
}

#[test]
fn config_with_unknown_field_exits_2_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nat.json");
    std::fs::write(&path, r#"{"url": "http://127.0.0.1:1", "optons": {}}"#).expect("write");
    nat()
        .arg("scan")
        .arg("--config")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("unknown field `optons`"))
        .stderr(contains("nat.json"));

    std::fs::write(&path, "options: {concurency: 2}").expect("write");
    nat()
        .args(["scan", "http://127.0.0.1:1", "--config"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("concurency"));

    nat()
        .args(["scan", "--config", "/nonexistent/nat.yaml"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent/nat.yaml"));
}

#[test]
fn bad_auth_values_exit_2_without_echoing_them() {
    for flag in ["--auth-header", "--auth-basic"] {
        let assert = nat()
            .args(["scan", "http://127.0.0.1:1", flag, "supersecret"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(!stderr.contains("supersecret"), "{stderr}");
        assert!(stderr.contains(flag), "{stderr}");
    }
}

#[test]
fn output_into_a_missing_directory_exits_2_before_scanning() {
    let dir = tempfile::tempdir().expect("temp dir");
    nat()
        .args(["scan", "http://127.0.0.1:1", "--output"])
        .arg(dir.path().join("missing").join("out.json"))
        .assert()
        .code(2)
        .stderr(contains("does not exist"));
}

#[test]
fn spec_on_a_missing_file_exits_2_naming_it() {
    nat()
        .args(["spec", "/nonexistent/openapi.yaml"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("/nonexistent/openapi.yaml"))
        .stderr(predicate::str::starts_with("error: "));
}

#[test]
fn hidden_command_is_not_in_help() {
    nat()
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("generate-assets").not());
}

#[test]
fn second_user_flags_fill_auth_b_redacted() {
    let req = dry_run_json(nat().args([
        "scan",
        "http://127.0.0.1:9",
        "--auth-bearer",
        "tok-a-123456",
        "--auth-b-bearer",
        "tok-b-123456",
    ]));
    assert_eq!(req["auth_b"]["type"], "bearer");
    assert_eq!(req["auth_b"]["token"], "<redacted>");
    let text = req.to_string();
    assert!(!text.contains("tok-b-123456"), "{text}");
    // A typed --auth-b-basic wins over NAT_AUTH_B_TOKEN.
    let req = dry_run_json(nat().env("NAT_AUTH_B_TOKEN", "tok-b-123456").args([
        "scan",
        "http://127.0.0.1:9",
        "--auth-b-basic",
        "bob:pw",
    ]));
    assert_eq!(req["auth_b"]["type"], "basic");
    assert_eq!(req["auth_b"]["username"], "bob");
    // Two typed methods for user B are a usage error.
    nat()
        .args([
            "scan",
            "http://127.0.0.1:9",
            "--auth-b-bearer",
            "x",
            "--auth-b-basic",
            "bob:pw",
            "--dry-run",
        ])
        .assert()
        .code(2);
    // Without a second user there is no auth_b at all.
    let req = dry_run_json(nat().args(["scan", "http://127.0.0.1:9"]));
    assert!(req.get("auth_b").is_none(), "{req}");
}
