//! The scan report and its renderers.

use crate::findings::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Name and version of the tool that wrote a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "nat".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// What was scanned and when.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanMeta {
    /// Target base URL.
    pub target: String,
    /// Where the description came from.
    pub spec: String,
    pub spec_title: String,
    pub started_at: String,
    pub completed_at: String,
    pub duration_ms: u64,
    /// True when the scan stopped early (cancelled, request budget spent): findings are what was proven
    /// until then.
    pub partial: bool,
    /// The severity threshold the scan was run with.
    pub fail_on: crate::request::FailOn,
}

/// Counts of the scan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub operations_discovered: usize,
    pub operations_excluded: usize,
    pub operations_tested: usize,
    pub requests_sent: u64,
    /// Findings by severity name, every severity present (0 when none).
    pub findings: BTreeMap<Severity, usize>,
    pub total_findings: usize,
    /// Whether findings reached `fail_on`.
    pub failed: bool,
}

/// The canonical report: scan metadata, summary counts and findings. Every other format renders it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub tool: Tool,
    pub scan: ScanMeta,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    /// What the loader skipped, operations skipped and why, failed exchanges worth knowing.
    pub warnings: Vec<String>,
}

impl ScanReport {
    /// True when some finding is at or above `threshold`.
    pub fn fails(&self, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| self.findings.iter().any(|f| f.severity >= t))
    }
}

/// A report format other code can ask for by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Sarif,
    Markdown,
    Html,
    Junit,
}

impl Format {
    /// All formats.
    pub const ALL: [Format; 5] = [Format::Json, Format::Sarif, Format::Markdown, Format::Html, Format::Junit];

    /// The format's name (`json`, `sarif`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Junit => "junit",
        }
    }

    /// Parses a format name (`md` and `xml` accepted as aliases).
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "junit" | "xml" => Some(Format::Junit),
            _ => None,
        }
    }

    /// The HTTP Content-Type of a rendered report.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Sarif => "application/sarif+json",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Junit => "application/xml",
        }
    }
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot render {format} report: {reason}")]
    Failed { format: &'static str, reason: String },
}

/// Renders a report in a format.
pub fn render(report: &ScanReport, format: Format) -> Result<String, RenderError> {
    match format {
        Format::Json => serde_json::to_string_pretty(report)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| RenderError::Failed { format: "json", reason: e.to_string() }),
        other => Err(RenderError::Failed { format: other.name(), reason: "not implemented yet".into() }),
    }
}
