//! `nat serve`: the team server (see [`crate::server`]) on the command line, and where its data lives.

use super::error::CliError;
use super::exit::Exit;
use crate::server::{self, ServeConfig, ServeError};
use crate::store::StoreError;
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The end of `nat serve --help`.
pub const SERVE_HELP: &str = "\
Once it listens, prints `nat serve listening on http://ADDR/api/v1` on stdout.
Create the first key with `nat keys create --name admin --role admin` first.

Exit codes:
  0  stopped by Ctrl-C or SIGTERM (unfinished scans end failed)
  2  bad flag, address not available, data dir held by another server
  3  the data dir cannot be opened or written";

/// The end of `nat scans --help`.
pub const REMOTE_HELP: &str = "\
Exit codes:
  0  done
  2  bad flag, or the server refused the request (4xx: bad key, missing permission, no such scan)
  3  the server is unreachable or failed (5xx)";

/// The end of `nat keys --help`.
pub const KEYS_HELP: &str = "\
Exit codes:
  0  done
  2  bad flag, bad name, no such key, or the data dir is held by a running server
  3  the data dir cannot be opened or written";

/// `--data-dir`, shared by `nat serve` and `nat keys`.
#[derive(Debug, Default, Clone, Args)]
pub struct DataDirArgs {
    /// Directory of the server's store [default: $XDG_DATA_HOME/nat, else ~/.local/share/nat]
    #[arg(long, value_name = "DIR", env = "NAT_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

impl DataDirArgs {
    /// The data dir: the flag (or `NAT_DATA_DIR`), else the per-user default.
    pub fn resolve(&self) -> Result<PathBuf, CliError> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => default_data_dir().ok_or_else(|| {
                CliError::input(
                    "no data dir: give --data-dir DIR or set NAT_DATA_DIR (neither XDG_DATA_HOME nor \
                     HOME is set)",
                )
            }),
        }
    }
}

/// The per-user data dir: `$XDG_DATA_HOME/nat` (when absolute), else `$HOME/.local/share/nat`.
pub fn default_data_dir() -> Option<PathBuf> {
    let nonempty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(xdg) = nonempty("XDG_DATA_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Some(xdg.join("nat"));
        }
    }
    nonempty("HOME").map(|home| PathBuf::from(home).join(".local/share/nat"))
}

/// `nat serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Where scans, findings and API keys are stored.
    #[command(flatten)]
    pub data: DataDirArgs,

    /// Scans that run at once; the others wait as `queued`
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub workers: u16,

    /// Scans that may wait for a worker; beyond that POST /scans answers 503 with Retry-After
    #[arg(long, value_name = "N", default_value_t = server::DEFAULT_MAX_QUEUED as u32, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_queued: u32,

    /// Requests per minute per API key, e.g. '300' or '300/min' (also 'N/s') [default: unlimited]
    #[arg(long, value_name = "N/min", value_parser = parse_rate_limit)]
    pub rate_limit: Option<u32>,

    /// Only contact targets matching this glob on the host ('*.staging.example.com'), host:port or
    /// the whole URL, checked for every connection of a scan: target, spec, $ref, OAuth2, redirect
    /// (repeatable) [default: any target]
    #[arg(long = "allow-target", value_name = "PATTERN")]
    pub allow_targets: Vec<String>,

    /// Refuse loopback targets (127.0.0.0/8, ::1)
    #[arg(long)]
    pub no_loopback: bool,

    /// Refuse private-network targets (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)
    #[arg(long)]
    pub no_private: bool,
}

/// Parses `N`, `N/min` (or `/m`, `/minute`) and `N/s` (or `/sec`, `/second`) into requests per minute.
pub fn parse_rate_limit(text: &str) -> Result<u32, String> {
    let (number, unit) = match text.split_once('/') {
        Some((n, u)) => (n.trim(), u.trim()),
        None => (text.trim(), "min"),
    };
    let n: u32 = number
        .parse()
        .map_err(|_| format!("`{text}` is not N or N/min (e.g. 300/min)"))?;
    let per_minute = match unit {
        "m" | "min" | "minute" => Some(n),
        "s" | "sec" | "second" => n.checked_mul(60),
        _ => return Err(format!("unit `{unit}`: use /min or /s")),
    };
    match per_minute {
        Some(0) => Err("the rate limit must be at least 1 per minute".into()),
        Some(n) => Ok(n),
        None => Err(format!("`{text}` is too large")),
    }
}

/// The server's configuration from the flags.
pub fn config(args: &ServeArgs) -> Result<ServeConfig, CliError> {
    Ok(ServeConfig {
        bind: args.bind,
        data_dir: args.data.resolve()?,
        workers: usize::from(args.workers),
        max_queued: args.max_queued as usize,
        rate_limit_per_minute: args.rate_limit,
        allow_targets: args.allow_targets.clone(),
        allow_loopback: !args.no_loopback,
        allow_private: !args.no_private,
        ..ServeConfig::default()
    })
}

/// A server error as the CLI reports it: the data dir held by another server, a bad bind address or
/// configuration are exit 2; anything else exit 3.
pub fn serve_error(e: ServeError) -> CliError {
    match e {
        ServeError::Store(e) => store_error(e),
        e @ (ServeError::Bind { .. } | ServeError::Config(_)) => CliError::input(e.to_string()),
    }
}

/// A store error as the CLI reports it. [`StoreError::Locked`] is shown as is (its message says what
/// to do) with exit 2, like other errors of the operator's input; the rest are exit 3.
pub fn store_error(e: StoreError) -> CliError {
    match e {
        StoreError::Locked { .. } | StoreError::Invalid(_) | StoreError::NotFound { .. } => {
            CliError::input(e.to_string())
        }
        other => CliError::io("the data dir", std::io::Error::other(other)),
    }
}

/// Runs the server until Ctrl-C or SIGTERM. Once it listens, prints
/// `nat serve listening on http://ADDR/api/v1` on stdout (flushed), so scripts can read the address.
pub fn run(args: ServeArgs) -> Result<Exit, CliError> {
    let config = config(&args)?;
    super::runtime()?.block_on(async move {
        let server = server::start(config).await.map_err(serve_error)?;
        let line = format!("nat serve listening on {}\n", server.base_url());
        let shown = {
            let mut out = std::io::stdout().lock();
            out.write_all(line.as_bytes()).and_then(|()| out.flush())
        };
        if shown.is_ok() {
            server::shutdown_signal().await;
            super::stderr_line("nat serve: shutting down");
        }
        server.stop().await.map_err(serve_error)?;
        shown.map_err(|e| CliError::io("writing to stdout", e))?;
        Ok(Exit::Passed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits() {
        assert_eq!(parse_rate_limit("300"), Ok(300));
        assert_eq!(parse_rate_limit("300/min"), Ok(300));
        assert_eq!(parse_rate_limit("5/s"), Ok(300));
        assert!(parse_rate_limit("0/min").is_err());
        assert!(parse_rate_limit("fast").is_err());
        assert!(parse_rate_limit("5/h").is_err());
        assert!(parse_rate_limit("4294967295/s").is_err());
    }

    #[test]
    fn locked_store_is_an_input_error_with_its_own_message() {
        let e = StoreError::Locked {
            data_dir: PathBuf::from("/tmp/x"),
        };
        let message = e.to_string();
        let cli = store_error(e);
        assert_eq!(cli.exit(), Exit::Input);
        assert_eq!(cli.report_line(), format!("error: {message}"));
    }
}
