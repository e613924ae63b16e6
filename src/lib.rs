//! nat — an API security scanner.
//!
//! One flow, three doors: the CLI, the server and the dashboard all build a [`request::ScanRequest`],
//! hand it to [`engine::run`] and consume the [`engine::ScanEvent`]s and the [`report::ScanReport`] it
//! produces. See `DESIGN.md` in the repository for the shape of the modules.

pub mod checks;
pub mod cli;
pub mod demo;
pub mod engine;
pub mod error;
pub mod findings;
pub mod http;
pub mod oob;
pub mod parse;
pub mod pattern;
pub mod report;
pub mod request;
pub mod server;
pub mod spec;
pub mod store;
pub mod synth;

pub use error::NatError;
