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
