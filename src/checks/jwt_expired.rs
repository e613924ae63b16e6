//! API2 expired token accepted: the API still answers with the user's data to a session token whose
//! `exp` has passed.
//!
//! Only tokens nat obtained itself (login flow or OAuth2, never one it forged) are replayed: one that
//! has expired already, or the current one when it expires within [`MAX_WAIT`]. The replay goes to a
//! `GET` operation that requires authentication and answered the user; two controls come first: the
//! operation refuses anonymous requests, and it refuses the same expired token with an altered
//! signature (so the endpoint verifies tokens: an endpoint that verifies nothing is the
//! JWT-not-verified check's finding, not this one). When the answer has a `Date` header, it must show
//! the server's own clock past `exp` (so clock skew cannot make a finding).

use super::jwt::forgeries;
use super::similarity::same_resource;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Finding, RiskFactors, Severity};
use crate::http::{RecordedResponse, Who};
use async_trait::async_trait;
use std::time::Duration;

/// The check.
pub struct JwtExpired;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-JWT-EXPIRED",
    title: "Broken Authentication: expired token accepted",
    short_title: "expired token accepted",
    owasp: "API2",
    cwe: "CWE-613",
    severity: Severity::High,
    confidence: crate::findings::Confidence::Firm,
    description: "The API answered with the user's data to a session token (a JWT nat obtained by \
                  logging in) after the token's `exp` had passed. A stolen or leaked token then never \
                  stops working.",
    remediation: "Check `exp` (and `nbf`) on every request, with at most a small clock-skew leeway, using \
                  a maintained JWT library with expiry validation enabled; keep access tokens short-lived \
                  and renew them through a refresh flow.",
};

/// Longest nat waits for a token it holds to expire.
pub const MAX_WAIT: Duration = Duration::from_secs(5);

/// True when the answer's `Date` (if any) is at or past `exp` by the server's own clock.
fn server_says_expired(resp: &RecordedResponse, exp: i64) -> bool {
    match resp.header("date") {
        None => true,
        Some(date) => {
            chrono::DateTime::parse_from_rfc2822(date.trim()).is_ok_and(|d| d.timestamp() >= exp)
        }
    }
}

/// Seconds after `exp` within which an accepted token may be deliberate clock-skew leeway.
const CLOCK_SKEW_LEEWAY: i64 = 60;

/// Seconds between `exp` and the answer (its `Date`, else nat's clock). Under a minute, a server's
/// deliberate clock-skew leeway may explain the acceptance.
pub fn seconds_past(resp: Option<&RecordedResponse>, exp: i64) -> i64 {
    resp.and_then(|r| r.header("date"))
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d.trim()).ok())
        .map(|d| d.timestamp())
        .unwrap_or_else(|| chrono::Utc::now().timestamp())
        - exp
}

#[async_trait]
impl Check for JwtExpired {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::is_get(target)?;
        super::requires_auth(target)?;
        super::baseline_succeeded(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(baseline) = &target.baseline.response else {
            return vec![];
        };
        let Some((token, exp)) = ctx.http.expired_token(&Who::User, MAX_WAIT).await else {
            ctx.skipped(
                target,
                &META,
                format!(
                    "no session token from nat's own login or OAuth2 (a JWT with `exp`) that has \
                     expired or expires within {} s",
                    MAX_WAIT.as_secs()
                ),
            );
            return vec![];
        };
        if ctx.should_stop() {
            return vec![];
        }
        let with_token = |t: &str| {
            let (name, value) = ctx.http.credential_header(&Who::User, t);
            let mut req = target.request.clone();
            req.headers.push((name, value));
            req
        };
        let refused = |status: Option<u16>| matches!(status, Some(401) | Some(403));
        let anonymous = ctx.send(&Who::Anonymous, target.request).await;
        if !refused(anonymous.status()) {
            ctx.skipped(
                target,
                &META,
                super::not_refused("a request without credentials", &anonymous),
            );
            return vec![];
        }
        let Some((_, altered)) = forgeries(&token)
            .into_iter()
            .find(|(what, _)| *what == "signature-altered")
        else {
            return vec![];
        };
        let control = ctx.send(&Who::Anonymous, &with_token(&altered)).await;
        if !refused(control.status()) || ctx.should_stop() {
            ctx.skipped(
                target,
                &META,
                super::not_refused("the token with an altered signature", &control),
            );
            return vec![];
        }
        let ex = ctx.send(&Who::Anonymous, &with_token(&token)).await;
        let proven = ex
            .response
            .as_ref()
            .is_some_and(|r| same_resource(baseline, r) && server_says_expired(r, exp));
        if !proven {
            return vec![];
        }
        let mut evidence = ctx.evidence(&ex);
        let expired_at = chrono::DateTime::from_timestamp(exp, 0)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| exp.to_string());
        let past = seconds_past(ex.response.as_ref(), exp);
        evidence.request = format!(
            "# the user's session token from nat's own login, expired at {expired_at} (exp), sent \
             {past}s after it expired; the same token with an altered signature was refused ({}) and \
             so was no token ({})\n{}",
            control.status().unwrap_or_default(),
            anonymous.status().unwrap_or_default(),
            evidence.request
        );
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: false,
        };
        let finding = META.finding(target, META.severity, "", evidence, factors);
        // Servers often allow some clock skew on purpose: a replay less than a minute late proves
        // less than one long past `exp`.
        if past < CLOCK_SKEW_LEEWAY {
            vec![finding.with_confidence(crate::findings::Confidence::Tentative)]
        } else {
            vec![finding]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_date_must_be_past_exp() {
        let resp = |date: Option<&str>| RecordedResponse {
            status: 200,
            headers: date
                .map(|d| vec![("Date".to_string(), d.to_string())])
                .unwrap_or_default(),
            ..Default::default()
        };
        // 1700000000 = Tue, 14 Nov 2023 22:13:20 GMT
        assert!(server_says_expired(
            &resp(Some("Tue, 14 Nov 2023 22:13:20 GMT")),
            1_700_000_000
        ));
        assert!(!server_says_expired(
            &resp(Some("Tue, 14 Nov 2023 22:13:19 GMT")),
            1_700_000_000
        ));
        assert!(!server_says_expired(&resp(Some("garbage")), 1_700_000_000));
        assert!(server_says_expired(&resp(None), 1_700_000_000));
    }
}
