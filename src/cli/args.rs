//! The clap definitions of nat's command line. Help, man pages and completions all come from here.

use super::exit::EXIT_CODES_HELP;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The value parser of every flag whose value ends up in an HTTP header (tokens, `Name: value`
/// headers, a token prefix): a line break or another control character is a usage error (exit 2)
/// that names the flag and its environment variable, found before any request — a token read with
/// `"$(cat token.txt)"` from a file with a stray line must not surface as "cannot reach target".
/// The message never repeats the value: it is usually a secret.
#[derive(Clone, Copy, Debug)]
pub struct HeaderSafe;

impl clap::builder::TypedValueParser for HeaderSafe {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        let flag = arg
            .and_then(|a| a.get_long())
            .map_or_else(|| "a value".to_string(), |l| format!("--{l}"));
        let env = arg
            .and_then(|a| a.get_env())
            .map(|e| format!(" (or {})", e.to_string_lossy()))
            .unwrap_or_default();
        let fail = |what: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("{flag}{env}: {what}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| fail("the value is not UTF-8 text".into()))?;
        if let Some(why) = crate::request::header_unsafe(text) {
            return Err(fail(why));
        }
        Ok(text.to_string())
    }
}

/// nat: an API security scanner.
#[derive(Debug, Parser)]
#[command(
    name = "nat",
    version,
    about = "API security scanner: probes a live API for the OWASP API Security Top 10 and proves every finding",
    long_about = "nat reads an API's OpenAPI or Swagger description, talks to the running API the way an \
                  attacker would, and reports what it proves (broken object level authorization, broken \
                  authentication, mass assignment, injection, misconfiguration and the rest of the OWASP API \
                  Security Top 10), each finding with the exchange that proves it.",
    after_help = EXIT_CODES_HELP,
    arg_required_else_help = true,
    propagate_version = true
)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// nat's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a live API for the OWASP API Security Top 10
    #[command(
        after_help = EXIT_CODES_HELP,
        long_about = "Scan a live API for the OWASP API Security Top 10.\n\n\
                      Options come from the flags and, with --config, from a YAML or JSON file in the shape of \
                      the POST /api/v1/scans body; flags given on the command line override the file (a list \
                      flag such as --exclude replaces the file's list). Results go to stdout (or --output), \
                      progress to stderr."
    )]
    Scan(Box<ScanArgs>),
    /// Load an API description and list its operations
    #[command(after_help = EXIT_CODES_HELP)]
    Spec(SpecArgs),
    /// Run nat's deliberately vulnerable demo API and scan it
    #[command(
        after_help = EXIT_CODES_HELP,
        long_about = "Run nat's deliberately vulnerable demo API on 127.0.0.1 and scan it, like \
                      `nat scan URL --auth-login-url /api/v1/sessions/login --auth-login-user alice \
                      --auth-b-bearer TOKEN_B --destructive` with an `admin` identity: alice logs in \
                      through the demo's login flow (so the session checks run), bob is the second user \
                      (bearer token) and carol the `admin` identity (bearer token). The target is thrown \
                      away after the scan, so destructive mode changes nothing that lasts. The demo has \
                      critical and high findings, so it exits 1. With --target-only, serve the demo API \
                      until Ctrl-C instead and print its URL and the bearer tokens of alice, bob and \
                      carol, to scan or explore it yourself."
    )]
    Demo(DemoArgs),
    /// Render a saved JSON report in another format, without scanning
    #[command(after_help = EXIT_CODES_HELP)]
    Report(ReportArgs),
    /// Run the team server: the REST API under /api/v1, scans and API keys in a data dir
    #[command(after_help = super::serve::SERVE_HELP)]
    Serve(super::serve::ServeArgs),
    /// Manage the team server's API keys in its data dir (while no server holds it)
    #[command(after_help = super::serve::KEYS_HELP)]
    Keys(super::keys::KeysArgs),
    /// List, show, cancel scans of a team server and fetch their findings and reports
    #[command(after_help = super::serve::REMOTE_HELP)]
    Scans(super::remote::ScansArgs),
}

/// `nat report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A JSON report written by `nat scan --format json` (or `--report out.json`)
    #[arg(value_name = "RESULT.json")]
    pub input: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The command line as parsed: [`Cli`] plus the hidden `generate-assets` maintenance command, which
/// is kept out of [`Cli`] so that completions and man pages do not offer it.
pub fn parser_command() -> clap::Command {
    use clap::{Args as _, CommandFactory as _};
    Cli::command().subcommand(GenerateAssetsArgs::augment_args(
        clap::Command::new(GENERATE_ASSETS)
            .about("Write shell completions and man pages into DIR/completions and DIR/man")
            .hide(true),
    ))
}

/// Name of the hidden maintenance command.
pub const GENERATE_ASSETS: &str = "generate-assets";

/// `nat scan`.
#[derive(Debug, Default, Clone, Args)]
pub struct ScanArgs {
    /// Base URL of the API to scan (optional when the --config file has `url`)
    #[arg(value_name = "URL")]
    pub url: Option<String>,

    /// The OpenAPI/Swagger description: a local file or an http(s) URL [default: discovered on the target]
    #[arg(long, value_name = "FILE_OR_URL")]
    pub spec: Option<String>,

    /// A scan request in YAML or JSON, in the shape of the POST /api/v1/scans body ('-' reads stdin)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print the effective scan request (secrets redacted) as JSON and exit without scanning
    #[arg(long)]
    pub dry_run: bool,

    /// Options of the scan.
    #[command(flatten)]
    pub options: OptionArgs,

    /// Credentials of the user nat scans as.
    #[command(flatten)]
    pub auth: AuthArgs,

    /// Credentials of the second user, for authorization checks.
    #[command(flatten)]
    pub auth_b: AuthBArgs,

    /// Output and progress.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Run the scan on a team server (`nat serve`) instead of locally.
    #[command(flatten)]
    pub remote: super::remote::RemoteArgs,
}

/// Scan options; each overrides the --config file's value when given.
#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Scan options")]
pub struct OptionArgs {
    /// Requests in flight at once [default: 5]
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// Total deadline of one request, in seconds [default: 30]
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,

    /// Skip operations whose path template matches PATTERN ('*' any characters, '{id}' literal), e.g. '/api/v1/payments/*' or '/users/{id}' (repeatable)
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,

    /// Maximum requests per second [default: unlimited]
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,

    /// Stop after this many requests (the report is then partial) [default: unlimited]
    #[arg(long, value_name = "N")]
    pub max_requests: Option<u64>,

    /// Extra header sent on every request, 'Name: value' (repeatable)
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = HeaderSafe)]
    pub headers: Vec<String>,

    /// Send every request through this HTTP(S) proxy
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,

    /// Accept invalid TLS certificates
    #[arg(long)]
    pub insecure: bool,

    /// Send only reads (GET, HEAD, OPTIONS): operations that could change anything are not probed
    #[arg(long, conflicts_with = "destructive")]
    pub safe: bool,

    /// Also change and delete objects nat did not create (by default nat only changes or deletes
    /// objects it created during the scan). For throwaway test environments only
    #[arg(long)]
    pub destructive: bool,

    /// Run only this check, by id (repeatable) [default: all checks]
    #[arg(long = "check", value_name = "ID")]
    pub checks: Vec<String>,

    /// Skip the noisy checks, which send a burst of requests to one operation (login brute-force
    /// protection, rate limiting of sensitive operations)
    #[arg(long)]
    pub no_noisy_checks: bool,

    /// Requests in one burst of a noisy check, 5 to 200 [default: 20]
    #[arg(long, value_name = "N")]
    pub burst_size: Option<u32>,

    /// Address the callback listener of SSRF probes binds [default: 127.0.0.1:0]
    #[arg(long, value_name = "ADDR:PORT")]
    pub callback_bind: Option<String>,

    /// URL at which the target reaches the callback listener (needed for a target on another
    /// machine: a host in its network, a tunnel)
    #[arg(long, value_name = "URL")]
    pub callback_url: Option<String>,
}

/// Authentication flags: at most one method; command-line flags win over environment variables.
#[derive(Debug, Default, Clone, PartialEq, Args)]
#[command(next_help_heading = "Authentication")]
pub struct AuthArgs {
    /// Bearer token: 'Authorization: Bearer TOKEN' (prefer the environment variable)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "NAT_AUTH_TOKEN",
        hide_env_values = true,
        value_parser = HeaderSafe
    )]
    pub auth_bearer: Option<String>,

    /// Any authentication header, 'Name: value', e.g. 'X-API-Key: KEY'
    #[arg(
        long,
        value_name = "NAME: VALUE",
        env = "NAT_AUTH_HEADER",
        hide_env_values = true,
        value_parser = HeaderSafe
    )]
    pub auth_header: Option<String>,

    /// HTTP basic authentication, 'user:password'
    #[arg(
        long,
        value_name = "USER:PASSWORD",
        env = "NAT_AUTH_BASIC",
        hide_env_values = true
    )]
    pub auth_basic: Option<String>,

    /// OAuth2 client credentials: the token endpoint
    #[arg(long, value_name = "URL")]
    pub oauth2_token_url: Option<String>,

    /// OAuth2 client credentials: the client id
    #[arg(long, value_name = "ID")]
    pub oauth2_client_id: Option<String>,

    /// OAuth2 client credentials: the client secret (prefer the environment variable)
    #[arg(
        long,
        value_name = "SECRET",
        env = "NAT_OAUTH2_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub oauth2_client_secret: Option<String>,

    /// OAuth2 client credentials: the scope to request
    #[arg(long, value_name = "SCOPE")]
    pub oauth2_scope: Option<String>,

    /// Login flow: the URL (or a path on the target) nat posts the credentials to; it logs in again
    /// when the token expires or the API answers 401
    #[arg(long, value_name = "URL")]
    pub auth_login_url: Option<String>,

    /// Login flow: the user name, put where the body says {username}
    #[arg(
        long,
        value_name = "NAME",
        env = "NAT_AUTH_USER",
        hide_env_values = true
    )]
    pub auth_login_user: Option<String>,

    /// Login flow: the password, put where the body says {password} (prefer the environment variable)
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "NAT_AUTH_PASSWORD",
        hide_env_values = true
    )]
    pub auth_login_password: Option<String>,

    /// Login flow: the body template, a JSON object [default: {"username": "{username}", "password":
    /// "{password}"}]
    #[arg(long, value_name = "JSON")]
    pub auth_login_body: Option<String>,

    /// Login flow: send the body as a form (application/x-www-form-urlencoded) instead of JSON
    #[arg(long)]
    pub auth_login_form: bool,

    /// Login flow: JSON Pointer to the token in the answer [default: /access_token, /token, …]
    #[arg(long, value_name = "POINTER")]
    pub auth_token_pointer: Option<String>,

    /// Login flow: the header that carries the token [default: Authorization]
    #[arg(long, value_name = "NAME")]
    pub auth_token_header: Option<String>,

    /// Login flow: what goes before the token in that header [default: 'Bearer ' for Authorization]
    #[arg(long, value_name = "PREFIX", allow_hyphen_values = true, value_parser = HeaderSafe)]
    pub auth_token_prefix: Option<String>,
}

/// Credentials of a second user (user B): authorization checks (BOLA) read user A's objects as B.
/// At most one method; a typed flag wins over `NAT_AUTH_B_TOKEN`.
#[derive(Debug, Default, Clone, PartialEq, Args)]
#[command(next_help_heading = "Second user (authorization checks)")]
pub struct AuthBArgs {
    /// Bearer token of a second user, for authorization checks (prefer the environment variable)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "NAT_AUTH_B_TOKEN",
        hide_env_values = true,
        value_parser = HeaderSafe
    )]
    pub auth_b_bearer: Option<String>,

    /// Authentication header of a second user, 'Name: value'
    #[arg(long, value_name = "NAME: VALUE", value_parser = HeaderSafe)]
    pub auth_b_header: Option<String>,

    /// HTTP basic authentication of a second user, 'user:password'
    #[arg(long, value_name = "USER:PASSWORD")]
    pub auth_b_basic: Option<String>,

    /// Login flow of a second user: the user name (the login URL, body and token settings are the
    /// first user's)
    #[arg(long, value_name = "NAME")]
    pub auth_b_login_user: Option<String>,

    /// Login flow of a second user: the password (prefer the environment variable)
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "NAT_AUTH_B_PASSWORD",
        hide_env_values = true
    )]
    pub auth_b_login_password: Option<String>,
}

/// How results and progress are shown; shared by `scan` and `demo`.
#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Fail (exit 1) when a finding is at or above this severity; 'none' never fails [default: high]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOnArg>,

    /// The least confidence a finding needs to count for --fail-on: 'firm' counts certain and firm
    /// findings, 'tentative' counts all [default: firm]
    #[arg(long, value_enum, value_name = "CONFIDENCE")]
    pub fail_on_confidence: Option<ConfidenceArg>,

    /// Format of the results on stdout (or in --output)
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the results to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write the report to this file, in the format its extension names: .json, .sarif, .md,
    /// .html, .xml (JUnit) (repeatable)
    #[arg(long = "report", value_name = "PATH")]
    pub reports: Vec<PathBuf>,

    /// A JSON report of an earlier scan: findings already in it are marked as known, and --fail-on
    /// counts only new ones
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,

    /// Suppression file (fingerprint or check + endpoint pattern, reason, optional expiry): matching
    /// findings are marked accepted and do not fail the scan [default: .natignore.yaml if present]
    #[arg(long, value_name = "FILE")]
    pub suppressions: Option<PathBuf>,

    /// No progress on stderr, only errors
    #[arg(long, short)]
    pub quiet: bool,

    /// The table also shows each finding's risk score and check id (JSON and the other formats
    /// always carry them)
    #[arg(long)]
    pub verbose: bool,

    /// No colors (also when NO_COLOR is set or the output is not a terminal)
    #[arg(long)]
    pub no_color: bool,
}

/// `--fail-on` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
    None,
}

/// `--fail-on-confidence` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    Certain,
    Firm,
    Tentative,
}

impl From<ConfidenceArg> for crate::findings::Confidence {
    fn from(value: ConfidenceArg) -> Self {
        use crate::findings::Confidence;
        match value {
            ConfidenceArg::Certain => Confidence::Certain,
            ConfidenceArg::Firm => Confidence::Firm,
            ConfidenceArg::Tentative => Confidence::Tentative,
        }
    }
}

impl From<FailOnArg> for crate::request::FailOn {
    fn from(value: FailOnArg) -> Self {
        use crate::request::FailOn;
        match value {
            FailOnArg::Critical => FailOn::Critical,
            FailOnArg::High => FailOn::High,
            FailOnArg::Medium => FailOn::Medium,
            FailOnArg::Low => FailOn::Low,
            FailOnArg::Info => FailOn::Info,
            FailOnArg::None => FailOn::None,
        }
    }
}

/// Result formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table and a summary, for people
    #[default]
    Table,
    /// The full report with evidence, as JSON
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub and others)
    Sarif,
    /// Markdown, e.g. for a pull-request comment
    Markdown,
    /// One self-contained HTML page
    Html,
    /// JUnit XML, for CI test reports
    Junit,
}

impl Format {
    /// The report format behind this output format (`None` for the table).
    pub fn report_format(self) -> Option<crate::report::Format> {
        use crate::report::Format as F;
        match self {
            Format::Table => None,
            Format::Json => Some(F::Json),
            Format::Sarif => Some(F::Sarif),
            Format::Markdown => Some(F::Markdown),
            Format::Html => Some(F::Html),
            Format::Junit => Some(F::Junit),
        }
    }
}

/// `nat spec`.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The OpenAPI/Swagger description: a local file or an http(s) URL
    #[arg(value_name = "FILE_OR_URL")]
    pub location: String,

    /// Print the operations as JSON
    #[arg(long)]
    pub json: bool,

    /// No colors
    #[arg(long)]
    pub no_color: bool,
}

/// `nat demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Only serve the demo API (until Ctrl-C) and print its URL and the bearer tokens of alice,
    /// bob and carol (admin); do not scan it
    #[arg(long)]
    pub target_only: bool,

    /// Address the demo API listens on
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub bind: SocketAddr,

    /// Output and progress.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `nat generate-assets`.
#[derive(Debug, Args)]
pub struct GenerateAssetsArgs {
    /// Directory that receives completions/ and man/
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
        parser_command().debug_assert();
    }
}
