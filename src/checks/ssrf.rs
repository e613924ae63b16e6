//! API7 server-side request forgery: a parameter or body field that takes a URL makes the target
//! fetch one nat names.
//!
//! The URL is always nat's own callback listener's ([`crate::oob`]), with a token of the probe's
//! own: never a cloud metadata address, never any other host. Proof, either of: the listener
//! received a request carrying the token (out of band: the hit names the operation and slot), or
//! the answer contains the listener's marker (in band: the target passed the content on). Both are
//! `certain`. Slots whose plain URL was refused (4xx) get a few spellings that slip past naive
//! filters (upper-case scheme, user info, `localhost`, the address as a decimal number), still only
//! towards the listener. A hit that arrives after the probe's answer (a webhook sent later) is
//! reported at the end of the scan, after a short grace period.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::Who;
use crate::oob::{Hit, Listener, Probe};
use crate::spec::Schema;
use crate::synth::Slot;
use async_trait::async_trait;
use serde_json::Value;
use std::time::Duration;

/// The check.
pub struct Ssrf;

/// What the check is.
pub static META: CheckMeta = CheckMeta {
    id: "NAT-API7-SSRF",
    title: "Server-Side Request Forgery: the API fetches a URL the client names",
    short_title: "server-side request forgery",
    owasp: "API7",
    cwe: "CWE-918",
    severity: Severity::High,
    confidence: Confidence::Certain,
    description:
        "The API fetched a URL taken from the request: an attacker can make it call internal \
                  services, cloud metadata endpoints or other hosts from inside the network.",
    remediation:
        "Do not fetch URLs clients supply; where the feature needs it, allow only an explicit \
                  list of hosts and schemes, resolve the name and refuse private, loopback and \
                  link-local addresses (after redirects too), and send no credentials along.",
};

/// Most URL slots probed per operation.
const MAX_SLOTS: usize = 4;
/// How long nat waits for the callback of one accepted probe before going on: a target that
/// fetched before answering has called back by then (the listener records a hit before it
/// answers it); later hits are caught at the end of the scan.
const WAIT: Duration = Duration::from_millis(20);
/// Words of a field name that say it takes a URL.
const URL_WORDS: &[&str] = &[
    "url", "uri", "link", "callback", "webhook", "avatar", "feed", "redirect", "endpoint",
    "import", "href", "src", "image", "icon", "website", "homepage",
];

/// True for a slot that takes a URL: a `uri`/`url`/`iri` format, a name made of such a word
/// (`image_url`, `callbackUrl`, `target`), or a current value that is an http(s) URL. A `host`
/// takes a name, not a URL: the command-injection check tries those.
pub fn takes_url(slot: &Slot, schema: Option<&Schema>, current: Option<&Value>) -> bool {
    let (name, header) = match slot {
        Slot::Param(loc, n) => (n.as_str(), *loc == crate::spec::ParamLocation::Header),
        Slot::BodyField(n) => (n.as_str(), false),
    };
    // `Origin` and `Referer` carry URLs the server compares, not fetches.
    if header && matches!(name.to_ascii_lowercase().as_str(), "origin" | "referer") {
        return false;
    }
    let format = schema
        .and_then(|s| s.get("format"))
        .and_then(Schema::as_str)
        .unwrap_or("");
    let words = crate::spec::words(name);
    matches!(format, "uri" | "url" | "iri" | "uri-reference")
        || words.iter().any(|w| URL_WORDS.contains(&w.as_str()))
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "target" | "host" | "server"
        )
        || (!header
            && current
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with("http://") || v.starts_with("https://")))
}

#[async_trait]
impl Check for Ssrf {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            target
                .probe_slots()
                .iter()
                .any(|(slot, schema)| takes_url(slot, *schema, target.values.get(slot))),
            "no parameter or body field takes a URL (by its format, its name or its value)",
        )?;
        super::baseline_answered(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(listener) = ctx.callback.as_deref() else {
            ctx.skipped(
                target,
                &META,
                "no callback listener the target can reach (--callback-url, --callback-bind)",
            );
            return vec![];
        };
        let slots: Vec<(Slot, Option<&Schema>)> = target
            .probe_slots()
            .into_iter()
            .filter(|(slot, schema)| takes_url(slot, *schema, target.values.get(slot)))
            .take(MAX_SLOTS)
            .collect();
        let mut findings = Vec::new();
        for (slot, _) in slots {
            if ctx.should_stop() {
                break;
            }
            let token = listener.register(probe_of(target, &slot, ""));
            let plain = listener.url_for(&token);
            let mut tries = vec![(token, plain)];
            let mut refused = false;
            let mut i = 0;
            while i < tries.len() {
                let (token, url) = tries[i].clone();
                i += 1;
                let req = target
                    .values
                    .with(&slot, Value::String(url.clone()))
                    .render(target.op);
                let ex = ctx.send(&Who::User, &req).await;
                listener.attach(&token, ctx.evidence(&ex));
                let in_band = ex
                    .response
                    .as_ref()
                    .is_some_and(|r| r.text().contains(listener.marker()));
                // A refused request rarely fetched anything: no waiting for it (a late callback
                // is still caught at the end of the scan).
                let wait = if ex.is_success() {
                    WAIT
                } else {
                    Duration::ZERO
                };
                let hit = listener.wait_for(&token, wait).await;
                if hit.is_some() || in_band {
                    listener.claim(&token);
                    findings.push(finding(
                        target,
                        &slot,
                        &url,
                        ctx.evidence(&ex),
                        hit.as_ref(),
                        in_band,
                    ));
                    break;
                }
                if ex.is_success() {
                    listener.note_pending();
                }
                if ex.status().is_some_and(|s| (400..500).contains(&s)) && i == 1 {
                    refused = true;
                }
                // A filter refused the plain URL: the spellings that slip past naive ones.
                if refused && i == 1 {
                    for v in listener.variants_for(&tries[0].0) {
                        let t = listener.register(probe_of(target, &slot, &v));
                        let v = v.replace(&tries[0].0, &t);
                        tries.push((t, v));
                    }
                }
            }
        }
        findings
    }

    fn uses_callback(&self) -> bool {
        true
    }
}

fn probe_of(target: &Target<'_>, slot: &Slot, payload: &str) -> Probe {
    Probe {
        check: META.id,
        operation: target.op.endpoint(),
        slot: slot.describe(),
        payload: payload.to_string(),
        identity: "user".into(),
    }
}

fn finding(
    target: &Target<'_>,
    slot: &Slot,
    url: &str,
    evidence: Evidence,
    hit: Option<&Hit>,
    in_band: bool,
) -> Finding {
    let evidence = with_hit(evidence, url, hit, in_band);
    let factors = RiskFactors {
        unauthenticated: !target.op.requires_auth(),
        state_changing: target.op.is_state_changing(),
    };
    META.finding(target, META.severity, &slot.describe(), evidence, factors)
}

/// The exchange's evidence with what proves the fetch: the callback received, and/or the marker
/// in the answer.
fn with_hit(mut evidence: Evidence, url: &str, hit: Option<&Hit>, in_band: bool) -> Evidence {
    evidence.request = format!("# nat's callback URL: {url}\n{}", evidence.request);
    if let Some(hit) = hit {
        evidence.response.push_str(&format!(
            "\n\n# the callback listener received, from the target:\n{}",
            hit.describe()
        ));
    }
    if in_band {
        evidence
            .response
            .push_str("\n\n# the answer holds the listener's marker: the target fetched the URL");
    }
    evidence
}

/// Findings of `meta`'s check for callbacks that arrived after their probe was answered (a
/// webhook sent later, a command run in the background), once the scan's grace period is over.
pub fn late_findings(listener: &Listener, meta: &'static CheckMeta) -> Vec<Finding> {
    listener
        .unclaimed()
        .into_iter()
        .filter(|(probe, _, _)| probe.check == meta.id)
        .map(|(probe, hit, evidence)| {
            let evidence = with_hit(
                evidence.unwrap_or_default(),
                if probe.payload.is_empty() {
                    "(the probe's own callback URL)"
                } else {
                    &probe.payload
                },
                Some(&hit),
                false,
            );
            meta.finding_at(
                probe.operation.clone(),
                meta.severity,
                &probe.slot,
                evidence,
                RiskFactors::default(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ParamLocation;
    use serde_json::json;

    #[test]
    fn slots_that_take_a_url() {
        let q = |n: &str| Slot::Param(ParamLocation::Query, n.into());
        let body = |n: &str| Slot::BodyField(n.into());
        for (slot, yes) in [
            (q("url"), true),
            (body("image_url"), true),
            (body("callbackUrl"), true),
            (body("webhook"), true),
            (q("target"), true),
            (q("security"), false),
            (q("name"), false),
            (body("curly"), false),
        ] {
            assert_eq!(takes_url(&slot, None, None), yes, "{slot:?}");
        }
        let uri = Schema::from(json!({"type": "string", "format": "uri"}));
        assert!(takes_url(&q("x"), Some(&uri), None));
        assert!(takes_url(
            &q("x"),
            None,
            Some(&json!("https://api.example/v3"))
        ));
        assert!(!takes_url(&q("x"), None, Some(&json!("ftp-ish text"))));
        // A header carrying a URL the server compares (CORS), not fetches.
        let origin = Slot::Param(ParamLocation::Header, "Origin".into());
        assert!(!takes_url(
            &origin,
            None,
            Some(&json!("https://app.example"))
        ));
    }
}
