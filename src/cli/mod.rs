//! The command line: clap definitions and the commands. The only place that prints to a terminal or
//! picks an exit code.

use std::process::ExitCode;

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
