//! Exit codes: the one place that decides what a run of nat returns to its caller.

use crate::report::ScanReport;
use crate::request::FailOn;
use std::process::ExitCode;

/// The exit status of a nat command. Documented in `--help` ([`EXIT_CODES_HELP`]) and the man pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: no finding at or above `--fail-on` (or the command succeeded).
    Passed,
    /// 1: at least one finding at or above `--fail-on`.
    Findings,
    /// 2: usage or input error: a bad flag, an unreadable or invalid spec or config, a bad request.
    Input,
    /// 3: the scan could not run: target unreachable, internal error.
    ScanFailed,
    /// 130: interrupted twice (the second Ctrl-C aborts at once).
    Interrupted,
}

impl Exit {
    /// The numeric process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Passed => 0,
            Exit::Findings => 1,
            Exit::Input => 2,
            Exit::ScanFailed => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// The exit codes as shown at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    no finding at or above --fail-on
  1    findings at or above --fail-on
  2    usage or input error (bad flag, unreadable or invalid spec or config, bad request)
  3    the scan could not run (target unreachable, internal error)
  130  interrupted twice (one Ctrl-C stops the scan and still reports partial results)";

/// The exit codes as (code, meaning) pairs, for the man pages.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (0, "No finding at or above --fail-on."),
    (1, "Findings at or above --fail-on."),
    (
        2,
        "Usage or input error: a bad flag, an unreadable or invalid spec or config file, a bad scan request.",
    ),
    (
        3,
        "The scan could not run: target unreachable, internal error.",
    ),
    (
        130,
        "Interrupted twice. One Ctrl-C stops the scan, prints the partial results and exits by --fail-on on what was found.",
    ),
];

/// The exit status of a finished scan. A partial report (interrupted, budget spent) is judged on
/// what it found, like a complete one.
/// Findings that are accepted (suppressed) or already in the baseline do not count.
pub fn for_report(report: &ScanReport, fail_on: FailOn) -> Exit {
    if report.fails(fail_on.threshold()) {
        Exit::Findings
    } else {
        Exit::Passed
    }
}

/// How many findings of the report are at or above `fail_on`.
pub fn failing_count(report: &ScanReport, fail_on: FailOn) -> usize {
    report.failing(fail_on.threshold()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Evidence, Finding, Severity, Status};

    fn finding(severity: Severity) -> Finding {
        Finding {
            id: "find_001".into(),
            severity,
            confidence: Default::default(),
            title: "t".into(),
            owasp: "API1".into(),
            cwe: "CWE-639".into(),
            endpoint: "GET /a".into(),
            risk_score: 50,
            status: Status::Open,
            evidence: Evidence::default(),
            remediation: String::new(),
            check: "C".into(),
            fingerprint: "f".into(),
        }
    }

    fn report(severities: &[Severity], partial: bool) -> ScanReport {
        let mut r = ScanReport::default();
        r.scan.partial = partial;
        r.findings = severities.iter().copied().map(finding).collect();
        r
    }

    #[test]
    fn codes_are_stable() {
        let codes: Vec<u8> = [
            Exit::Passed,
            Exit::Findings,
            Exit::Input,
            Exit::ScanFailed,
            Exit::Interrupted,
        ]
        .iter()
        .map(|e| e.code())
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 130]);
        for (code, _) in EXIT_CODES {
            assert!(EXIT_CODES_HELP.contains(&format!("  {code} ")));
        }
    }

    #[test]
    fn fail_on_matrix() {
        use Severity::*;
        let fail_ons = [
            FailOn::Critical,
            FailOn::High,
            FailOn::Medium,
            FailOn::Low,
            FailOn::Info,
            FailOn::None,
        ];
        let cases: &[&[Severity]] = &[
            &[],
            &[Info],
            &[Low],
            &[Medium],
            &[High],
            &[Critical],
            &[Info, Low],
            &[Medium, Info],
            &[Critical, Info],
        ];
        for &fail_on in &fail_ons {
            for &severities in cases {
                let worst = severities.iter().max().copied();
                let expected = match (fail_on.threshold(), worst) {
                    (Some(t), Some(w)) if w >= t => Exit::Findings,
                    _ => Exit::Passed,
                };
                for partial in [false, true] {
                    let got = for_report(&report(severities, partial), fail_on);
                    assert_eq!(
                        got, expected,
                        "fail_on {fail_on:?}, severities {severities:?}, partial {partial}"
                    );
                }
            }
        }
    }

    #[test]
    fn explicit_cases() {
        use Severity::*;
        assert_eq!(
            failing_count(&report(&[Critical, High, Low], true), FailOn::High),
            2
        );
        assert_eq!(failing_count(&report(&[Critical], false), FailOn::None), 0);
    }
}
