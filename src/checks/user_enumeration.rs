//! API2 user enumeration: a login answers a known account's wrong password differently from an
//! unknown account, so anyone can tell which usernames exist.
//!
//! Needs an account known to exist (see [`super::login::known_user`]); without one the check warns
//! and sends nothing. Two wrong passwords for the known account and three made-up accounts,
//! interleaved; a finding needs each group to answer alike (status and body, after normalising
//! timestamps, ids and the submitted values) and the two groups to differ. Timing is never used.

use super::login::{self, Probe};
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Finding, RiskFactors, Severity};
use async_trait::async_trait;

/// The check.
pub struct UserEnumeration;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-USER-ENUMERATION",
    title: "Broken Authentication: login reveals which usernames exist",
    short_title: "usernames can be enumerated",
    owasp: "API2",
    cwe: "CWE-204",
    severity: Severity::Medium,
    confidence: crate::findings::Confidence::Firm,
    description:
        "The login answers a wrong password for an existing account differently from a login \
                  attempt for an account that does not exist, consistently: anyone can test which \
                  usernames or emails have an account, the first step of credential stuffing and \
                  targeted password guessing.",
    remediation: "Answer every failed login with the same status and body (e.g. 401 \"invalid \
                  username or password\"), whether or not the account exists, and apply the same \
                  throttling to unknown accounts as to real ones.",
};

#[async_trait]
impl Check for UserEnumeration {
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

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(form) = login::login_form(target.op, target.values) else {
            return vec![];
        };
        let probe = login::probe(ctx, target, &form).await;
        let Probe::Differ {
            known,
            unknown,
            account,
            difference,
        } = probe.as_ref()
        else {
            if matches!(probe.as_ref(), Probe::NoKnownUser) {
                ctx.warn(format!(
                    "{}: user enumeration not tested: no {} known to exist (set auth.username in \
                     the config, use basic auth, or scan as a user whose own profile, e.g. GET /me, \
                     shows its username and email)",
                    target.op.endpoint(),
                    match form.user_kind {
                        login::UserKind::Name => "username",
                        login::UserKind::Email => "account email",
                    }
                ));
                ctx.skipped(
                    target,
                    &META,
                    match form.user_kind {
                        login::UserKind::Name => "no username known to exist (auth.username)",
                        login::UserKind::Email => {
                            "no account email known to exist (auth.username, or GET /me showing it)"
                        }
                    },
                );
            }
            return vec![];
        };
        let evidence = ctx.labelled_evidence(
            &[
                (
                    &format!(
                        "known account {account}, a wrong password ({} attempts, answered alike)",
                        login::KNOWN_ATTEMPTS
                    ),
                    &known.exchange,
                ),
                (
                    &format!(
                        "made-up account, a wrong password ({} attempts with different made-up \
                         accounts, answered alike; they differ from the known account's in {difference})",
                        login::UNKNOWN_ATTEMPTS
                    ),
                    &unknown.exchange,
                ),
            ],
        );
        let factors = RiskFactors {
            unauthenticated: !target.op.requires_auth(),
            state_changing: target.op.is_state_changing(),
        };
        let finding = META.finding(target, META.severity, &form.user_field, evidence, factors);
        // Different status codes need no interpretation; a body difference rests on normalisation.
        if known.exchange.status() != unknown.exchange.status() {
            vec![finding.with_confidence(crate::findings::Confidence::Certain)]
        } else {
            vec![finding]
        }
    }
}
