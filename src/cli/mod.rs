//! The command line: clap definitions and the commands. The only place that prints to a terminal or
//! picks an exit code.
//!
//! - [`args`]: the clap definitions ([`args::Cli`]).
//! - [`merge`]: flags and `--config` → the one [`ScanRequest`].
//! - [`scan`]: running a scan: signals, progress, engine, results.
//! - [`progress`]: the consumer of the engine's events.
//! - [`render`]: tables and JSON on stdout.
//! - [`exit`]: the exit codes and the decision by `--fail-on`.
//! - [`assets`]: completions and man pages.
//! - [`serve`], [`keys`], [`remote`]: the team server, its API keys, and remote mode (`--server`).

pub mod args;
pub mod assets;
pub mod error;
pub mod exit;
pub mod keys;
pub mod merge;
pub mod output;
pub mod progress;
pub mod remote;
pub mod render;
pub mod scan;
pub mod serve;

use crate::request::ScanRequest;
use args::{Cli, Command, DemoArgs, GenerateAssetsArgs, ScanArgs, SpecArgs};
use clap::parser::ValueSource;
use clap::{ArgMatches, FromArgMatches};
use error::CliError;
use exit::Exit;
use merge::Origin;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Parses the command line, runs the command and returns the exit code. A panic (a bug) prints one
/// `error: internal error: …` line and exits 3 (set `RUST_BACKTRACE=1` for the full report).
pub fn main() -> ExitCode {
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            stderr_line(&format!(
                "error: internal error: {message}{place} (a bug in nat; RUST_BACKTRACE=1 shows more)"
            ));
        }));
    }
    match std::panic::catch_unwind(|| run(std::env::args_os())) {
        Ok(exit) => exit.into(),
        Err(_) => Exit::ScanFailed.into(),
    }
}

/// Runs nat with these arguments (the first is the program name) and returns its exit status.
/// Usage errors print clap's message and give [`Exit::Input`]; `--help` and `--version` give
/// [`Exit::Passed`]; any other error prints one `error: …` line on stderr.
pub fn run<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let parsed =
        args::parser_command()
            .try_get_matches_from(args)
            .and_then(|matches| match matches.subcommand() {
                Some((args::GENERATE_ASSETS, sub)) => {
                    GenerateAssetsArgs::from_arg_matches(sub).map(Parsed::Assets)
                }
                _ => Cli::from_arg_matches(&matches).map(|cli| Parsed::Cli(Box::new(cli), matches)),
            });
    let result = match parsed {
        Ok(Parsed::Cli(cli, matches)) => dispatch(*cli, &matches),
        Ok(Parsed::Assets(args)) => assets::generate(&args.dir).map(|_| Exit::Passed),
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Input
            } else {
                Exit::Passed
            };
        }
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            stderr_line(&e.report_line());
            e.exit()
        }
    }
}

fn dispatch(cli: Cli, matches: &ArgMatches) -> Result<Exit, CliError> {
    match cli.command {
        Command::Scan(args) => scan_command(*args, matches.subcommand_matches("scan")),
        Command::Spec(args) => spec_command(&args),
        Command::Demo(args) => demo_command(args),
        Command::Report(args) => output::report_command(&args.input, &args.output),
        Command::Serve(args) => serve::run(args),
        Command::Keys(args) => keys::run(args),
        Command::Scans(args) => remote::run(args),
    }
}

enum Parsed {
    Cli(Box<Cli>, ArgMatches),
    Assets(GenerateAssetsArgs),
}

/// Writes one line on stderr; a closed stderr is ignored (never a panic).
pub(crate) fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::io("starting the async runtime", e))
}

/// Where the value of the flag with this clap id came from.
fn origin(matches: Option<&ArgMatches>, id: &str) -> Option<Origin> {
    matches
        .and_then(|m| m.value_source(id))
        .map(|source| match source {
            ValueSource::EnvVariable => Origin::Env,
            _ => Origin::CommandLine,
        })
}

/// The validated scan request of `nat scan`'s arguments: auth resolved (flags over environment),
/// the `--config` file read, flags over the file.
pub fn scan_request(
    args: &ScanArgs,
    matches: Option<&ArgMatches>,
) -> Result<ScanRequest, CliError> {
    let auth = merge::resolve_auth(&args.auth, |id| origin(matches, id))?;
    let config = match &args.config {
        Some(path) => {
            let text = merge::read_config(path)?;
            Some(merge::parse_config(
                &text,
                &path.display().to_string(),
                args.url.as_deref(),
            )?)
        }
        None => None,
    };
    let mut resolved = args.clone();
    resolved.auth = auth;
    resolved.auth_b = merge::resolve_auth_b(
        &args.auth_b,
        origin(matches, "auth_b_bearer") == Some(Origin::Env),
        origin(matches, "auth_b_login_password") == Some(Origin::Env),
    );
    let request = merge::build_request(&resolved, config)?;
    request
        .validate()
        .map_err(|e| CliError::input(format!("invalid scan request: {e}")))?;
    Ok(request)
}

fn scan_command(args: ScanArgs, matches: Option<&ArgMatches>) -> Result<Exit, CliError> {
    let request = scan_request(&args, matches)?;
    if args.dry_run {
        let mut text = serde_json::to_string_pretty(&request)
            .map_err(|e| CliError::io("rendering the request", std::io::Error::other(e)))?;
        text.push('\n');
        scan::write_results(None, &text)?;
        return Ok(Exit::Passed);
    }
    if args.remote.server.is_some() {
        return runtime()?.block_on(remote::run_scan(request, &args.remote, &args.output));
    }
    runtime()?.block_on(scan::run_scan(request, &args.output))
}

fn spec_command(args: &SpecArgs) -> Result<Exit, CliError> {
    let spec = runtime()?
        .block_on(crate::spec::load(&args.location))
        .map_err(crate::NatError::from)?;
    let text = if args.json {
        render::spec_json(&spec)
            .map_err(|e| CliError::io("rendering the operations", std::io::Error::other(e)))?
    } else {
        render::spec_table(&spec, scan::table_style(args.no_color, false))
    };
    scan::write_results(None, &text)?;
    Ok(Exit::Passed)
}

fn demo_command(args: DemoArgs) -> Result<Exit, CliError> {
    runtime()?.block_on(async move {
        let server = crate::demo::serve(args.bind)
            .await
            .map_err(|e| CliError::io(format!("cannot listen on {}", args.bind), e))?;
        if args.target_only {
            let mut signals = scan::Signals::new();
            let url = server.url();
            let text = format!(
                "nat demo target listening on {url}\nOpenAPI description: {url}/openapi.json\n\
                 bearer token of the demo user: {}\n\
                 bearer token of the second demo user: {}\n\
                 bearer token of the demo administrator: {}\n",
                crate::demo::user_token(),
                crate::demo::second_user_token(),
                crate::demo::admin_token()
            );
            let shown = scan::write_results(None, &text);
            if shown.is_ok() && !args.output.quiet {
                stderr_line("nat: serving until Ctrl-C");
            }
            if shown.is_ok() {
                signals.recv().await;
            }
            server.stop().await;
            return shown.map(|()| Exit::Passed);
        }
        let result = demo_scan(server.url(), args.output).await;
        server.stop().await;
        result
    })
}

/// Scans the demo target exactly like `nat scan URL --auth-login-url /api/v1/sessions/login
/// --auth-login-user alice --auth-b-login-user bob --destructive` with an `admin` identity: alice
/// and bob log in themselves (so the session checks and the password-change proof run), bob is
/// the second user, carol the admin. The target is
/// nat's own in-memory server, thrown away after the scan, so nothing forbids changing its objects.
async fn demo_scan(url: String, output: args::OutputArgs) -> Result<Exit, CliError> {
    let args = ScanArgs {
        url: Some(url),
        options: args::OptionArgs {
            destructive: true,
            ..args::OptionArgs::default()
        },
        output,
        ..ScanArgs::default()
    };
    let mut request = scan_request(&args, None)?;
    request.auth = crate::request::AuthConfig {
        login_url: Some(crate::demo::LOGIN_PATH.into()),
        username: Some("alice".into()),
        password: Some(crate::request::Secret::new(crate::demo::user_password())),
        ..Default::default()
    };
    request.auth_b = Some(crate::request::AuthConfig {
        login_url: Some(crate::demo::LOGIN_PATH.into()),
        username: Some("bob".into()),
        password: Some(crate::request::Secret::new(
            crate::demo::second_user_password(),
        )),
        ..Default::default()
    });
    request.identities.push(crate::request::Identity {
        name: "admin".into(),
        role: "admin".into(),
        level: None,
        auth: crate::request::AuthConfig {
            token: Some(crate::request::Secret::new(crate::demo::admin_token())),
            ..Default::default()
        },
    });
    scan::run_scan(request, &args.output).await
}
