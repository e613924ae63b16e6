//! The CLI's error type: every way a command can fail, each mapped to one exit code.

use super::exit::Exit;
use crate::error::NatError;
use std::error::Error as _;
use thiserror::Error;

/// Why a command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// The user's input is wrong: a flag combination, the config file, the scan request (exit 2).
    #[error("{0}")]
    Input(String),
    /// An error of the library: exit 2 when it is the user's input, else 3.
    #[error(transparent)]
    Nat(#[from] NatError),
    /// Something nat needed could not be done (runtime, listening socket, writing output) (exit 3).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl CliError {
    /// An input error with this message.
    pub fn input(message: impl Into<String>) -> Self {
        CliError::Input(message.into())
    }

    /// An I/O error with what nat was doing.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CliError::Io {
            context: context.into(),
            source,
        }
    }

    /// The exit status this error ends the process with.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Input(_) => Exit::Input,
            CliError::Nat(e) if e.is_input() => Exit::Input,
            CliError::Nat(_) | CliError::Io { .. } => Exit::ScanFailed,
        }
    }

    /// The one line printed on stderr: `error: <message>`, followed by each cause that the message
    /// does not already contain.
    pub fn report_line(&self) -> String {
        let mut line = format!("error: {self}");
        let mut cause = self.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !text.is_empty() && !line.contains(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            cause = c.source();
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_by_kind() {
        assert_eq!(CliError::input("x").exit(), Exit::Input);
        assert_eq!(
            CliError::Nat(NatError::Input("x".into())).exit(),
            Exit::Input
        );
        let spec = crate::spec::SpecError::Read {
            origin: "a.yaml".into(),
            reason: "gone".into(),
        };
        assert_eq!(CliError::Nat(NatError::Spec(spec)).exit(), Exit::Input);
        assert_eq!(
            CliError::Nat(NatError::Scan("down".into())).exit(),
            Exit::ScanFailed
        );
        let io = std::io::Error::other("disk full");
        assert_eq!(
            CliError::io("writing out.json", io).exit(),
            Exit::ScanFailed
        );
    }

    #[test]
    fn report_line_has_causes_once() {
        let e = CliError::io("writing out.json", std::io::Error::other("disk full"));
        assert_eq!(e.report_line(), "error: writing out.json: disk full");
        let e = CliError::Nat(NatError::Io {
            context: "reading x".into(),
            source: std::io::Error::other("denied"),
        });
        assert_eq!(e.report_line(), "error: reading x: denied");
    }
}
