//! API4 no rate limiting on a sensitive operation: a burst of the same valid-looking request to a
//! signup, a password reset or a one-time-code operation is never answered with 429, `Retry-After`,
//! a rate-limit header or a slow-down. Noisy.
//!
//! Logins are left to `NAT-API2-NO-BRUTE-FORCE-PROTECTION`, so no login is reported twice. The
//! burst repeats the baseline request as it was (same identity, same values), so a signup creates at
//! most the one account the baseline already did; every answer must be the same status and not an
//! authentication failure, a missing route or a server error, or nothing is reported.

use super::login;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Finding, RiskFactors, Severity};
use crate::http::{Exchange, Who};
use async_trait::async_trait;

/// The check.
pub struct NoRateLimit;

static META: CheckMeta = CheckMeta {
    id: "NAT-API4-NO-RATE-LIMIT",
    title: "Unrestricted Resource Consumption: sensitive operation without rate limiting",
    short_title: "no rate limiting",
    owasp: "API4",
    cwe: "CWE-770",
    severity: Severity::Medium,
    confidence: crate::findings::Confidence::Tentative,
    description: "A burst of identical requests to a sensitive operation (signup, password reset, \
                  one-time code) was answered without any throttling: no 429, no Retry-After or \
                  rate-limit header and no slow-down. It can be abused to flood users with messages, \
                  run up SMS or email costs, create accounts in bulk or guess one-time codes.",
    remediation: "Rate-limit sensitive operations per client and per target account or address \
                  (answer 429 with Retry-After once the limit is reached), and add a challenge such \
                  as a CAPTCHA where abuse is cheap for an attacker.",
};

/// Statuses that show the request never reached the operation's work.
fn rejected(status: u16) -> bool {
    matches!(status, 401 | 403 | 404 | 405) || status >= 500
}

#[async_trait]
impl Check for NoRateLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            login::is_sensitive(target.op, target.values),
            "not a signup, password reset or one-time-code POST (logins are the brute-force \
             check's)",
        )?;
        // The baseline must have done the operation's work (a signup refused with `400 user
        // already exists` sent no e-mail and made no account: a burst of those proves little).
        // (A 2xx is never `rejected`.)
        super::baseline_succeeded(target)?;
        match target
            .baseline
            .response
            .as_ref()
            .and_then(login::throttle_sign)
        {
            Some(sign) => Err(super::Skip::new(format!(
                "the baseline already shows throttling ({sign})"
            ))),
            None => Ok(()),
        }
    }

    fn noisy(&self) -> bool {
        true
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let size = ctx.burst_size as usize;
        let mut burst: Vec<Exchange> = Vec::with_capacity(size);
        for _ in 0..size {
            if ctx.should_stop() {
                return vec![];
            }
            let ex = ctx.send(&Who::User, target.request).await;
            let Some(resp) = ex.response.as_ref() else {
                return vec![];
            };
            if login::invalid_request(target.op, resp) {
                ctx.warn(login::rejected_warning(
                    &target.op.endpoint(),
                    "rate limiting",
                    resp,
                ));
                ctx.skipped(target, &META, super::refused_as_invalid(resp));
                return vec![];
            }
            // Every answer must have done the work too: a signup burst whose answers say "already
            // exists" made one account, not twenty.
            if rejected(resp.status) || !resp.is_success() || login::throttle_sign(resp).is_some() {
                return vec![];
            }
            if burst
                .first()
                .is_some_and(|f| f.status() != Some(resp.status))
            {
                return vec![];
            }
            burst.push(ex);
        }
        let times: Vec<u64> = burst.iter().map(|e| e.elapsed_ms).collect();
        if burst.len() < size || login::slowed_down(&times) {
            return vec![];
        }
        let (Some(first), Some(last)) = (burst.first(), burst.last()) else {
            return vec![];
        };
        let evidence = ctx.labelled_evidence(&[
            (&format!("request 1 of {size}"), first),
            (
                &format!(
                    "request {size} of {size}, the same request: the same status, no 429, no \
                         Retry-After or rate-limit header, no slow-down (answer times {}–{} ms)",
                    times.iter().min().copied().unwrap_or(0),
                    times.iter().max().copied().unwrap_or(0)
                ),
                last,
            ),
        ]);
        let factors = RiskFactors {
            unauthenticated: !target.op.requires_auth(),
            state_changing: target.op.is_state_changing(),
        };
        vec![META.finding(target, META.severity, "", evidence, factors)]
    }
}
