//! Typed errors of the library. The CLI maps them to exit codes (see `cli::exit`).

use thiserror::Error;

/// Everything that can stop nat from doing what it was asked.
#[derive(Debug, Error)]
pub enum NatError {
    /// The user's input is wrong: a bad option, an unreadable or invalid spec, a bad config file.
    #[error("{0}")]
    Input(String),
    /// The API description could not be loaded or is invalid.
    #[error(transparent)]
    Spec(#[from] crate::spec::SpecError),
    /// The scan could not run: target unreachable, TLS failure, internal error.
    #[error("{0}")]
    Scan(String),
    /// An I/O error outside the target exchange (writing a report, reading a file).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl NatError {
    /// True when the error is the user's input (exit code 2) rather than the scan failing (exit 3).
    pub fn is_input(&self) -> bool {
        matches!(self, NatError::Input(_) | NatError::Spec(_))
    }
}

/// Shorthand for results of the library.
pub type Result<T, E = NatError> = std::result::Result<T, E>;
