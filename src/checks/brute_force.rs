//! API2 no brute-force protection: a login takes a burst of wrong passwords for one account without
//! ever answering 429, `Retry-After`, a rate-limit header, a lockout or a slow-down. Noisy.
//!
//! The burst (`options.burst_size`, 20 by default) goes to a made-up account, never to the user's:
//! nat must not lock out a real account. A made-up account only stands for real ones when the login
//! answers unknown accounts like a real account's wrong password, so when the enumeration probe (see
//! [`super::login::probe`]) shows a difference the check warns and sends no burst; when no account
//! is known, the burst still runs, with only 401/403 answers counting as failed logins, and the
//! evidence says the comparison could not be made.

use super::login::{self, Probe};
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Finding, RiskFactors, Severity};
use async_trait::async_trait;

/// The check.
pub struct NoBruteForceProtection;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-NO-BRUTE-FORCE-PROTECTION",
    title: "Broken Authentication: login without brute-force protection",
    short_title: "no brute-force protection",
    owasp: "API2",
    cwe: "CWE-307",
    severity: Severity::High,
    confidence: crate::findings::Confidence::Firm,
    description: "A burst of failed logins for one account was answered without any throttling: no \
                  429, no Retry-After or rate-limit header, no lockout and no slow-down. An attacker \
                  can guess passwords as fast as the API answers.",
    remediation: "Limit failed logins per account and per client (e.g. exponential back-off or a \
                  temporary lockout after a few failures, answered with 429 and Retry-After), \
                  including for accounts that do not exist, and alert on bursts of failures.",
};

#[async_trait]
impl Check for NoBruteForceProtection {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            login::login_form(target.op, target.values).is_some(),
            super::NOT_A_LOGIN,
        )?;
        super::baseline_answered(target)
    }

    fn noisy(&self) -> bool {
        true
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(form) = login::login_form(target.op, target.values) else {
            return vec![];
        };
        let probe = login::probe(ctx, target, &form).await;
        // The answer a real account's wrong password gets, when known.
        let expected = match probe.as_ref() {
            Probe::Same { answer } => Some(answer.clone()),
            Probe::NoKnownUser => None,
            Probe::Differ { .. } => {
                ctx.warn(format!(
                    "{}: brute-force protection not tested: the login answers unknown accounts \
                     differently from a real account's wrong password, so a burst for a made-up \
                     account would not show how real accounts are protected, and nat never sends \
                     bursts to a real account",
                    target.op.endpoint()
                ));
                ctx.skipped(
                    target,
                    &META,
                    "the login answers unknown accounts differently from a real account's wrong \
                     password, and nat never sends bursts to a real account",
                );
                return vec![];
            }
            Probe::Inconclusive => return vec![],
        };
        // Shaped like the known account, as in the probe (an email on the same domain).
        let known = login::known_user(ctx).await;
        let user = form.unknown_user(known.for_kind(form.user_kind).map(|k| k.value.as_str()));
        let size = ctx.burst_size as usize;
        let mut burst: Vec<login::Attempt> = Vec::with_capacity(size);
        for _ in 0..size {
            if ctx.should_stop() {
                return vec![];
            }
            let a = login::attempt(ctx, target, &form, &user, &form.wrong_password()).await;
            let Some(resp) = a.exchange.response.as_ref() else {
                return vec![];
            };
            if login::invalid_request(target.op, resp) {
                ctx.warn(login::rejected_warning(
                    &target.op.endpoint(),
                    "brute-force protection",
                    resp,
                ));
                ctx.skipped(target, &META, super::refused_as_invalid(resp));
                return vec![];
            }
            if resp.status >= 500 || resp.truncated || login::throttle_sign(resp).is_some() {
                return vec![];
            }
            // A changed answer may be a lockout in words nat does not know.
            let answer = a.answer();
            let first = burst.first().and_then(login::Attempt::answer);
            let failed_login = match (&expected, &first) {
                (_, Some(first)) => answer.as_ref() == Some(first),
                (Some(expected), None) => answer.as_ref() == Some(expected),
                (None, None) => matches!(resp.status, 401 | 403),
            };
            if !failed_login {
                return vec![];
            }
            burst.push(a);
        }
        let times: Vec<u64> = burst.iter().map(|a| a.exchange.elapsed_ms).collect();
        if burst.len() < size || login::slowed_down(&times) {
            return vec![];
        }
        let (Some(first), Some(last)) = (burst.first(), burst.last()) else {
            return vec![];
        };
        let account_note = if expected.is_some() {
            "answered exactly like a wrong password for a real account"
        } else {
            "nat knew no real account to compare with; every answer was a plain 401/403"
        };
        let evidence = ctx.labelled_evidence(
            &[
                (
                    &format!(
                        "attempt 1 of {size}: made-up account `{user}`, a wrong password ({account_note})"
                    ),
                    &first.exchange,
                ),
                (
                    &format!(
                        "attempt {size} of {size}, same account, another wrong password: the same answer, \
                         no 429, no Retry-After or rate-limit header, no lockout, no slow-down \
                         (answer times {}–{} ms)",
                        times.iter().min().copied().unwrap_or(0),
                        times.iter().max().copied().unwrap_or(0)
                    ),
                    &last.exchange,
                ),
            ],
        );
        let factors = RiskFactors {
            unauthenticated: !target.op.requires_auth(),
            state_changing: target.op.is_state_changing(),
        };
        let finding = META.finding(target, META.severity, "", evidence, factors);
        // Without a known account nat could not confirm that unknown accounts are answered like
        // real ones: the burst may say nothing about how real accounts are protected.
        if expected.is_some() {
            vec![finding]
        } else {
            vec![finding.with_confidence(crate::findings::Confidence::Tentative)]
        }
    }
}
