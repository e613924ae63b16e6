//! What a scan's results become: baseline and suppressions applied, the stdout format rendered, and
//! every `--report PATH` written in the format its extension names.

use super::args::OutputArgs;
use super::error::CliError;
use super::render::{self, TableStyle};
use super::scan::{table_style, write_results};
use crate::report::{self, ScanReport, Suppressions};
use crate::request::FailOn;
use std::path::{Path, PathBuf};

/// The suppression file used when `--suppressions` is not given and it exists.
pub const DEFAULT_SUPPRESSIONS: &str = ".natignore.yaml";

/// Baseline and suppressions, loaded and checked before any traffic.
#[derive(Debug, Default)]
pub struct Triage {
    baseline: Option<(PathBuf, ScanReport)>,
    suppressions: Option<Suppressions>,
}

/// The report format a `--report` path names by its extension.
pub fn format_for_path(path: &Path) -> Result<report::Format, CliError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "json" => Ok(report::Format::Json),
        "sarif" => Ok(report::Format::Sarif),
        "md" | "markdown" => Ok(report::Format::Markdown),
        "html" | "htm" => Ok(report::Format::Html),
        "xml" => Ok(report::Format::Junit),
        _ => Err(CliError::input(format!(
            "--report {}: unknown extension; use .json, .sarif, .md, .html or .xml (JUnit)",
            path.display()
        ))),
    }
}

/// Reads a JSON report written by nat (`--format json`).
pub fn read_report(path: &Path) -> Result<ScanReport, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("{}: cannot read: {e}", path.display())))?;
    crate::parse::json(text.as_bytes()).map_err(|e| {
        CliError::input(format!(
            "{}:{}:{}: not a nat JSON report: {}",
            path.display(),
            e.position().0,
            e.position().1,
            e.reason()
        ))
    })
}

impl Triage {
    /// Loads `--baseline` and the suppression file, and checks `--report` paths, so that a mistake
    /// there is an input error before the scan rather than after it.
    pub fn prepare(output: &OutputArgs) -> Result<Triage, CliError> {
        for path in &output.reports {
            format_for_path(path)?;
            super::scan::check_output_path(path)?;
        }
        let baseline = match &output.baseline {
            Some(path) => Some((path.clone(), read_report(path)?)),
            None => None,
        };
        let suppressions_path = match &output.suppressions {
            Some(p) => Some(p.clone()),
            None => Some(PathBuf::from(DEFAULT_SUPPRESSIONS)).filter(|p| p.is_file()),
        };
        let suppressions = match suppressions_path {
            Some(p) => {
                Some(report::load_suppressions(&p).map_err(|e| CliError::input(e.to_string()))?)
            }
            None => None,
        };
        Ok(Triage {
            baseline,
            suppressions,
        })
    }

    /// Marks known and accepted findings in the report and recomputes whether it fails.
    pub fn apply(&self, report: &mut ScanReport) {
        if let Some((path, baseline)) = &self.baseline {
            report::apply_baseline(report, baseline);
            if let Some(info) = report.baseline.as_mut() {
                info.source = Some(path.display().to_string());
            }
        }
        if let Some(s) = &self.suppressions {
            report::apply_suppressions(report, s, chrono::Utc::now().date_naive());
        }
        report.refresh_failed();
    }
}

/// Renders the report in the stdout format.
pub fn render_main(
    report: &ScanReport,
    output: &OutputArgs,
    fail_on: FailOn,
    interrupted: bool,
) -> Result<String, CliError> {
    match output.format.report_format() {
        None => Ok(render::report_table(
            report,
            fail_on,
            interrupted,
            TableStyle {
                verbose: output.verbose,
                ..table_style(output.no_color, output.output.is_some())
            },
        )),
        Some(f) => report::render(report, f)
            .map_err(|e| CliError::io("rendering the report", std::io::Error::other(e))),
    }
}

/// Writes the report to every `--report` path.
pub fn write_reports(report: &ScanReport, paths: &[PathBuf]) -> Result<(), CliError> {
    for path in paths {
        let format = format_for_path(path)?;
        let text = report::render(report, format)
            .map_err(|e| CliError::io("rendering the report", std::io::Error::other(e)))?;
        write_results(Some(path), &text)?;
    }
    Ok(())
}

/// The end of every scan, local or remote: baseline and suppressions applied, the report rendered to
/// stdout (or `--output`) and to every `--report` path, and the exit code by `fail_on`.
pub fn finish(
    mut report: ScanReport,
    output: &OutputArgs,
    fail_on: FailOn,
    partial: bool,
    triage: &Triage,
) -> Result<super::exit::Exit, CliError> {
    triage.apply(&mut report);
    let text = render_main(&report, output, fail_on, partial)?;
    write_results(output.output.as_deref(), &text)?;
    write_reports(&report, &output.reports)?;
    Ok(super::exit::for_report(&report, fail_on))
}

/// `nat report RESULT.json`: renders a saved JSON report in another format, without scanning.
pub fn report_command(input: &Path, output: &OutputArgs) -> Result<super::exit::Exit, CliError> {
    if let Some(path) = &output.output {
        super::scan::check_output_path(path)?;
    }
    let triage = Triage::prepare(output)?;
    let mut report = read_report(input)?;
    if let Some(confidence) = output.fail_on_confidence {
        report.scan.fail_on_confidence = confidence.into();
    }
    triage.apply(&mut report);
    let fail_on = output
        .fail_on
        .map(Into::into)
        .unwrap_or(report.scan.fail_on);
    let text = render_main(&report, output, fail_on, report.scan.partial)?;
    write_results(output.output.as_deref(), &text)?;
    write_reports(&report, &output.reports)?;
    Ok(match output.fail_on {
        Some(f) => super::exit::for_report(&report, f.into()),
        None => super::exit::Exit::Passed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_paths_name_their_format() {
        assert_eq!(
            format_for_path(Path::new("a/out.sarif")).unwrap(),
            report::Format::Sarif
        );
        assert_eq!(
            format_for_path(Path::new("x.MD")).unwrap(),
            report::Format::Markdown
        );
        assert_eq!(
            format_for_path(Path::new("junit.xml")).unwrap(),
            report::Format::Junit
        );
        assert!(format_for_path(Path::new("report.pdf")).is_err());
    }
}
