//! Running a scan from the command line: signals, progress, the engine, the results and the exit code.

use super::args::OutputArgs;
use super::error::CliError;
use super::exit::Exit;
use super::output::{finish, Triage};
use super::progress::{self, Mode, Progress};
use super::render::TableStyle;
use crate::engine::{self, CancellationToken, Events};
use crate::request::ScanRequest;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Runs a validated scan request: progress on stderr, results on stdout (or `--output`), and the exit
/// status by `fail_on`. One Ctrl-C (or SIGTERM) cancels the scan, which still reports what it found;
/// a second one exits 130 at once.
pub async fn run_scan(request: ScanRequest, output: &OutputArgs) -> Result<Exit, CliError> {
    let fail_on = request.options.fail_on;
    if let Some(path) = &output.output {
        check_output_path(path)?;
    }
    let triage = Triage::prepare(output)?;
    let progress = Progress::new(Mode::detect(output.quiet));
    let cancel = CancellationToken::new();
    let interrupted = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_signals(
        Signals::new(),
        cancel.clone(),
        interrupted.clone(),
        progress.clone(),
    ));

    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let done = CancellationToken::new();
    let consumer = tokio::spawn(progress::consume(progress.clone(), rx, done.clone()));
    // The engine runs in its own task so that a panic in it is an internal error (exit 3), not a crash.
    let result = tokio::spawn(engine::run(request, Events::new(tx), cancel))
        .await
        .unwrap_or_else(|e| {
            Err(crate::NatError::Scan(format!(
                "internal error: the scan task {}",
                if e.is_panic() {
                    "panicked"
                } else {
                    "was cancelled"
                }
            )))
        });
    done.cancel();
    let _ = consumer.await;

    let report = match result {
        Ok(report) => report,
        Err(e) => {
            progress.clear();
            watcher.abort();
            return Err(e.into());
        }
    };
    progress.finish(&report);
    let exit = finish(
        report,
        output,
        fail_on,
        interrupted.load(Ordering::SeqCst),
        &triage,
    );
    watcher.abort();
    exit
}

/// The table style for stdout (or a file): colors only on a terminal, without `--no-color` or
/// `NO_COLOR`.
pub fn table_style(no_color: bool, to_file: bool) -> TableStyle {
    let terminal = !to_file && std::io::stdout().is_terminal();
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    TableStyle {
        color: terminal && !no_color && !no_color_env,
        terminal,
        ..TableStyle::default()
    }
}

/// Fails early, before any traffic, when `--output` cannot be a file: its directory is missing or it
/// is a directory itself.
pub fn check_output_path(path: &Path) -> Result<(), CliError> {
    if path.is_dir() {
        return Err(CliError::input(format!(
            "--output {}: is a directory",
            path.display()
        )));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        if !parent.is_dir() {
            return Err(CliError::input(format!(
                "--output {}: directory {} does not exist",
                path.display(),
                parent.display()
            )));
        }
    }
    Ok(())
}

/// Writes results to the file, or to stdout when there is none. A closed stdout (`nat … | head`) is
/// not an error.
pub fn write_results(path: Option<&Path>, text: &str) -> Result<(), CliError> {
    match path {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| CliError::io(format!("writing {}", path.display()), e)),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(CliError::io("writing to stdout", e))
                }
                _ => Ok(()),
            }
        }
    }
}

/// Ctrl-C and (on Unix) SIGTERM, registered once for the whole run so no signal is lost between two
/// waits.
pub struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Starts listening. Must be called inside the runtime.
    pub fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let streams = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Signals { streams }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Waits for the next Ctrl-C or SIGTERM; never returns when signals cannot be listened to.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        {
            match self.streams.as_mut() {
                Some((int, term)) => {
                    tokio::select! {
                        Some(()) = int.recv() => {}
                        Some(()) = term.recv() => {}
                        else => std::future::pending::<()>().await,
                    }
                }
                None => std::future::pending::<()>().await,
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await
            }
        }
    }
}

impl Default for Signals {
    fn default() -> Self {
        Signals::new()
    }
}

async fn watch_signals(
    mut signals: Signals,
    cancel: CancellationToken,
    interrupted: Arc<AtomicBool>,
    progress: Arc<Progress>,
) {
    signals.recv().await;
    interrupted.store(true, Ordering::SeqCst);
    cancel.cancel();
    progress
        .note("interrupted: stopping the scan and reporting what it found (Ctrl-C again to abort)");
    signals.recv().await;
    progress.clear();
    super::stderr_line("error: interrupted twice, aborting");
    std::process::exit(Exit::Interrupted.code().into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_path_checks() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_output_path(&dir.path().join("out.json")).is_ok());
        assert!(check_output_path(Path::new("out.json")).is_ok());
        let err = check_output_path(dir.path()).unwrap_err();
        assert!(err.to_string().contains("is a directory"));
        let err = check_output_path(&dir.path().join("missing/out.json")).unwrap_err();
        assert!(err.to_string().contains("does not exist"));
        assert_eq!(err.exit(), Exit::Input);
    }

    #[test]
    fn results_go_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.txt");
        write_results(Some(&path), "hello\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hello\n");
    }

    #[test]
    fn no_color_for_files() {
        assert!(!table_style(false, true).color);
        assert!(!table_style(false, true).terminal);
    }
}
