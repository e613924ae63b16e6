//! The check registry. Each check is one file declaring its metadata and how it probes an operation;
//! adding a check means adding a file and a line to [`CHECKS`], never touching the engine.

pub mod auth_bypass;
pub mod bfla;
pub mod bola;
mod bola_write;
mod brute_force;
pub mod cmd_injection;
mod cors;
pub mod data_exposure;
mod deprecated;
mod headers;
mod inband;
pub mod inventory;
mod jwt;
mod jwt_expired;
pub mod jwt_weak_secret;
pub mod login;
pub mod logout;
pub mod mass_assignment;
mod page_limit;
pub mod password_change;
mod path_traversal;
mod rate_limit;
mod robustness;
pub mod signatures;
pub mod similarity;
mod sqli;
pub mod ssrf;
mod ssti;
pub mod target_outage;
mod undocumented_data;
mod undocumented_method;
mod user_enumeration;
mod verbose_errors;
mod xss;

pub use auth_bypass::AuthBypass;
pub use bfla::Bfla;
pub use bola::Bola;
pub use bola_write::BolaWrite;
pub use brute_force::NoBruteForceProtection;
pub use cmd_injection::CommandInjection;
pub use cors::Cors;
pub use data_exposure::DataExposure;
pub use deprecated::DeprecatedServed;
pub use headers::SecurityHeaders;
pub use inventory::UndocumentedEndpoint;
pub use jwt::JwtUnverified;
pub use jwt_expired::JwtExpired;
pub use jwt_weak_secret::JwtWeakSecret;
pub use logout::LogoutIneffective;
pub use mass_assignment::MassAssignment;
pub use page_limit::NoPageLimit;
pub use password_change::PasswordChange;
pub use path_traversal::PathTraversal;
pub use rate_limit::NoRateLimit;
pub use robustness::Robustness;
pub use sqli::SqlInjection;
pub use ssrf::Ssrf;
pub use ssti::TemplateInjection;
pub use target_outage::TargetOutage;
pub use undocumented_data::UndocumentedData;
pub use undocumented_method::UndocumentedMethod;
pub use user_enumeration::UserEnumeration;
pub use verbose_errors::VerboseErrors;
pub use xss::ReflectedXss;

use crate::engine::{ScanContext, Target};
use crate::findings::{
    fingerprint, risk_score, Confidence, Evidence, Finding, RiskFactors, Severity, Status,
};
use async_trait::async_trait;
use std::borrow::Cow;

/// Why a check does not test an operation, in words for the reader of a report ("not a GET",
/// "baseline answered 404, not 2xx").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    reason: Cow<'static, str>,
    blocked: bool,
}

impl Skip {
    /// The check is not made for such an operation ("not a GET", "not a login").
    pub fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        Skip {
            reason: reason.into(),
            blocked: false,
        }
    }

    /// The check is made for such an operation, but something it needs is missing: the user's own
    /// request was refused, no user B, a control not refused.
    pub fn blocked(reason: impl Into<Cow<'static, str>>) -> Self {
        Skip {
            reason: reason.into(),
            blocked: true,
        }
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// True for a check kept from an operation it is made for (see [`Skip::blocked`]).
    pub fn is_blocked(&self) -> bool {
        self.blocked
    }
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Whether a check applies to an operation: `Ok`, or why not.
pub type Applies = Result<(), Skip>;

/// `Ok` when `condition` holds, else a [`Skip::new`] (not made for such an operation) for `reason`.
pub fn ensure(condition: bool, reason: &'static str) -> Applies {
    if condition {
        Ok(())
    } else {
        Err(Skip::new(reason))
    }
}

/// Why the user's own request (the baseline) got no answer, as a skip reason.
fn no_answer(target: &Target<'_>) -> Skip {
    if logout::is_logout_operation(target.op) {
        Skip::new("a logout is never sent with the scan's session, so there is no baseline")
    } else {
        match &target.baseline.error {
            Some(e) => Skip::blocked(format!("baseline got no answer ({e})")),
            None => Skip::blocked("baseline got no answer"),
        }
    }
}

/// `Ok` when the user's own request (the baseline) was answered at all.
pub fn baseline_answered(target: &Target<'_>) -> Applies {
    match &target.baseline.response {
        Some(_) => Ok(()),
        None => Err(no_answer(target)),
    }
}

/// `Ok` when the user's own request (the baseline) was answered 2xx; else its status or why no answer
/// came.
pub fn baseline_succeeded(target: &Target<'_>) -> Applies {
    match &target.baseline.response {
        Some(r) if r.is_success() => Ok(()),
        Some(r) => Err(Skip::blocked(format!(
            "baseline answered {}, not 2xx",
            r.status
        ))),
        None => Err(no_answer(target)),
    }
}

/// `Ok` when the description requires a credential for the operation (or nat inferred that it does).
pub fn requires_auth(target: &Target<'_>) -> Applies {
    ensure(
        target.op.requires_auth(),
        "the description requires no credential for it",
    )
}

/// `Ok` for a `GET`.
pub fn is_get(target: &Target<'_>) -> Applies {
    ensure(target.op.method == "GET", "not a GET")
}

/// The skip reason of a check whose control request was not refused: `what` was answered (or got no
/// answer), so the check's own probe would prove nothing.
pub fn not_refused(what: &str, control: &crate::http::Exchange) -> String {
    match control.status() {
        Some(status) => format!("control: {what} was answered {status}, not refused (401/403)"),
        None => format!("control: {what} got no answer"),
    }
}

/// The skip reason of a check that needs a parameter or body field to put other values in.
pub const NO_SLOTS: &str = "no parameter or body field to put other values in";

/// The skip reason of a login check on an operation that is no login.
pub const NOT_A_LOGIN: &str =
    "not a login (a POST named like one, with an account field and a password field)";

/// The skip reason of a check whose attempt the API refused as malformed (413, 415, 422, a 400
/// listing validation problems): no attempt reached the operation's work.
pub fn refused_as_invalid(resp: &crate::http::RecordedResponse) -> String {
    format!(
        "the API refused nat's attempt as invalid ({}), so no attempt reached the operation",
        resp.status
    )
}

/// How an exchange was answered when it should have been a 2xx `wanted`: `answered 404, not a JSON
/// object`, `got no answer`.
pub fn answered(ex: &crate::http::Exchange, wanted: &str) -> String {
    match ex.status() {
        Some(status) => format!("answered {status}, not {wanted}"),
        None => "got no answer".into(),
    }
}

/// The skip reason of a check that needs user B.
pub const NO_USER_B: &str = "no user B credentials (--auth-b-…, auth_b in the config)";

/// The skip reason of a check that needs the scan's user to have credentials.
pub const NO_CREDENTIALS: &str =
    "the scan's user has no credentials (--auth-…, auth in the config)";

/// The skip reason of a check that needs the user's bearer token.
pub const NO_BEARER: &str = "the user's credential is not a bearer token";

/// What a check is, independent of any scan.
#[derive(Debug)]
pub struct CheckMeta {
    /// Stable id, e.g. `NAT-API2-AUTH-BYPASS`.
    pub id: &'static str,
    pub title: &'static str,
    /// The title in at most 28 characters without the category, for the terminal table.
    pub short_title: &'static str,
    /// `API1` … `API10` (OWASP API Security Top 10, 2023).
    pub owasp: &'static str,
    pub cwe: &'static str,
    pub severity: Severity,
    /// The usual confidence of the check's findings; a finding may carry another
    /// ([`Finding::with_confidence`]).
    pub confidence: Confidence,
    /// One paragraph: what the issue is.
    pub description: &'static str,
    pub remediation: &'static str,
}

impl CheckMeta {
    /// A finding of this check on `target`'s operation, proven by `evidence`. `location` tells apart
    /// several findings of one check on one operation (a parameter, a header) and goes into the
    /// fingerprint.
    pub fn finding(
        &'static self,
        target: &Target<'_>,
        severity: Severity,
        location: &str,
        evidence: Evidence,
        factors: RiskFactors,
    ) -> Finding {
        self.finding_at(target.op.endpoint(), severity, location, evidence, factors)
    }

    /// [`CheckMeta::finding`] for an endpoint named directly (findings the engine makes).
    pub fn finding_at(
        &'static self,
        endpoint: String,
        severity: Severity,
        location: &str,
        evidence: Evidence,
        factors: RiskFactors,
    ) -> Finding {
        Finding {
            id: String::new(),
            severity,
            confidence: self.confidence,
            title: self.title.to_string(),
            owasp: self.owasp.to_string(),
            cwe: self.cwe.to_string(),
            fingerprint: fingerprint(self.id, &endpoint, location),
            endpoint,
            risk_score: risk_score(severity, factors),
            status: Status::Open,
            evidence,
            remediation: self.remediation.to_string(),
            check: self.id.to_string(),
        }
    }
}

/// A check: metadata, a cheap filter and the probe.
#[async_trait]
pub trait Check: Send + Sync {
    /// What the check is.
    fn meta(&self) -> &'static CheckMeta;
    /// Whether the check applies to an operation whose baseline exchange is known, or why not (for the
    /// report's coverage). Pure and cheap.
    fn applies(&self, target: &Target<'_>) -> Applies;
    /// Probes the operation; returns what it proved (nothing when it proved nothing).
    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding>;
    /// True for a check that sends a burst of requests to one operation (`options.noisy_checks:
    /// false`, `--no-noisy-checks` leave it out).
    fn noisy(&self) -> bool {
        false
    }
    /// False for a check the engine runs once per scan rather than on each operation: the coverage
    /// of operations does not list it.
    fn per_operation(&self) -> bool {
        true
    }
    /// True for a check that needs the scan's callback listener ([`crate::oob`]): the engine
    /// starts one when such a check is selected.
    fn uses_callback(&self) -> bool {
        false
    }
}

/// Every check nat has, in the order they run on an operation.
pub static CHECKS: &[&dyn Check] = &[
    &Bola,
    &BolaWrite,
    &PasswordChange,
    &Bfla,
    &UndocumentedMethod,
    &AuthBypass,
    &DataExposure,
    &UndocumentedData,
    &JwtUnverified,
    &JwtWeakSecret,
    &JwtExpired,
    &LogoutIneffective,
    &MassAssignment,
    &Cors,
    &SecurityHeaders,
    &DeprecatedServed,
    &NoPageLimit,
    &VerboseErrors,
    &SqlInjection,
    &Ssrf,
    &CommandInjection,
    &TemplateInjection,
    &PathTraversal,
    &ReflectedXss,
    &Robustness,
    &UserEnumeration,
    &NoBruteForceProtection,
    &NoRateLimit,
    &TargetOutage,
    &UndocumentedEndpoint,
];

/// The checks selected by id (all when `ids` is empty), without the noisy ones unless `noisy`.
/// Unknown ids are an error naming them, and so is a noisy check named while `noisy` is false.
pub fn select(ids: &[String], noisy: bool) -> Result<Vec<&'static dyn Check>, String> {
    if ids.is_empty() {
        return Ok(CHECKS
            .iter()
            .copied()
            .filter(|c| noisy || !c.noisy())
            .collect());
    }
    let mut out = Vec::new();
    for id in ids {
        match CHECKS.iter().find(|c| c.meta().id.eq_ignore_ascii_case(id)) {
            Some(c) if !noisy && c.noisy() => {
                return Err(format!(
                    "check `{}` sends bursts of requests and noisy checks are switched off \
                     (options.noisy_checks: false, --no-noisy-checks): drop one of the two",
                    c.meta().id
                ));
            }
            Some(c) => out.push(*c),
            None => {
                let known: Vec<_> = CHECKS.iter().map(|c| c.meta().id).collect();
                return Err(format!(
                    "unknown check `{id}`; known checks: {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Exchange, RecordedResponse};
    use crate::spec::{Operation, ParamLocation, Parameter, RequestBody};
    use crate::synth::RequestValues;
    use serde_json::json;

    /// An operation, secured by a bearer scheme when `secured`, with an `id` path parameter when its
    /// path has `{id}` and a JSON body of `props` when given.
    fn op(method: &str, path: &str, secured: bool, props: Option<serde_json::Value>) -> Operation {
        let mut o = Operation::new(method, path);
        if secured {
            o.security = vec![[("bearer".to_string(), vec![])].into()];
        }
        if path.contains("{id}") {
            o.parameters.push(Parameter {
                name: "id".into(),
                location: ParamLocation::Path,
                required: true,
                schema: Some(json!({"type": "integer"}).into()),
                example: None,
            });
        }
        o.request_body = props.map(|p| RequestBody {
            content_type: "application/json".into(),
            required: true,
            schema: Some(json!({"type": "object", "properties": p}).into()),
            example: None,
        });
        o
    }

    fn answered(status: u16, body: &str, headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            response: Some(RecordedResponse {
                status,
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                body: bytes::Bytes::from(body.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// What `check` says of `o` whose baseline was `baseline`.
    fn verdict(check: &dyn Check, o: &Operation, baseline: &Exchange) -> Applies {
        let values = RequestValues::valid(o);
        let request = values.render(o);
        let target = Target {
            op: o,
            values: &values,
            request: &request,
            baseline,
            created_by_nat: false,
        };
        check.applies(&target)
    }

    fn reason(v: Applies) -> (String, bool) {
        let skip = v.expect_err("the check should not apply");
        (skip.reason().to_string(), skip.is_blocked())
    }

    const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

    #[test]
    fn bola_says_which_precondition_failed() {
        let object = answered(200, r#"{"id":1,"owner_id":7}"#, JSON);
        let get = op("GET", "/items/{id}", true, None);
        assert_eq!(verdict(&Bola, &get, &object), Ok(()));
        assert_eq!(
            reason(verdict(
                &Bola,
                &op("POST", "/items/{id}", true, None),
                &object
            )),
            ("not a GET".into(), false)
        );
        assert_eq!(
            reason(verdict(&Bola, &op("GET", "/items", true, None), &object)).0,
            "no path parameter names an object (`id`, `*_id`, a uuid, or one ending the path)"
        );
        // A refused baseline is a blocked check: it is made for this operation.
        assert_eq!(
            reason(verdict(&Bola, &get, &answered(404, "{}", JSON))),
            ("baseline answered 404, not 2xx".into(), true)
        );
        assert_eq!(
            reason(verdict(&Bola, &get, &answered(200, "[1,2]", JSON))).0,
            "the user's answer is not a JSON object"
        );
    }

    #[test]
    fn a_baseline_that_got_no_answer_says_why() {
        let get = op("GET", "/items", true, None);
        let failed = Exchange {
            error: Some("connection failed".into()),
            ..Default::default()
        };
        assert_eq!(
            reason(verdict(&VerboseErrors, &get, &failed)),
            ("baseline got no answer (connection failed)".into(), true)
        );
        // A logout has no baseline by design: not applicable rather than blocked.
        let logout = op("POST", "/auth/logout", true, None);
        let (why, blocked) = reason(verdict(&AuthBypass, &logout, &Exchange::default()));
        assert!(why.starts_with("a logout is never sent"), "{why}");
        assert!(!blocked);
        assert_eq!(
            verdict(&LogoutIneffective, &logout, &Exchange::default()),
            Ok(())
        );
    }

    #[test]
    fn authentication_checks_need_a_secured_operation_and_a_2xx() {
        let open = op("GET", "/items", false, None);
        let ok = answered(200, "{}", JSON);
        for check in [&AuthBypass as &dyn Check, &JwtUnverified, &SecurityHeaders] {
            assert_eq!(
                reason(verdict(check, &open, &ok)),
                (
                    "the description requires no credential for it".into(),
                    false
                ),
                "{}",
                check.meta().id
            );
        }
        let secured = op("GET", "/items", true, None);
        assert_eq!(verdict(&AuthBypass, &secured, &ok), Ok(()));
        assert_eq!(
            reason(verdict(&AuthBypass, &secured, &answered(401, "", &[]))),
            ("baseline answered 401, not 2xx".into(), true)
        );
    }

    #[test]
    fn input_and_burst_checks_say_why_not() {
        let bare = op("GET", "/health", false, None);
        let ok = answered(200, "{}", JSON);
        assert_eq!(reason(verdict(&SqlInjection, &bare, &ok)).0, NO_SLOTS);
        let search = op(
            "POST",
            "/search",
            false,
            Some(json!({"q": {"type": "string"}})),
        );
        assert_eq!(verdict(&Robustness, &search, &ok), Ok(()));
        assert_eq!(
            reason(verdict(&Robustness, &search, &answered(500, "", &[]))),
            ("baseline answered 500, a server error already".into(), true)
        );
        let signup = op(
            "POST",
            "/signup",
            false,
            Some(json!({"email": {"type": "string"}})),
        );
        assert_eq!(
            reason(verdict(
                &NoRateLimit,
                &signup,
                &answered(201, "{}", &[("Retry-After", "5")])
            ))
            .0,
            "the baseline already shows throttling (header Retry-After)"
        );
        assert_eq!(
            verdict(&NoRateLimit, &signup, &answered(201, "{}", JSON)),
            Ok(())
        );
        assert!(reason(verdict(&NoRateLimit, &search, &ok))
            .0
            .starts_with("not a signup, password reset or one-time-code POST"));
        assert_eq!(
            reason(verdict(&UserEnumeration, &search, &ok)).0,
            NOT_A_LOGIN
        );
    }

    #[test]
    fn injection_checks_need_a_free_string_and_xss_an_html_answer() {
        let json_ok = answered(200, "{}", JSON);
        let html_ok = answered(200, "<p>hi</p>", &[("Content-Type", "text/html")]);
        let search = op(
            "POST",
            "/search",
            false,
            Some(json!({"q": {"type": "string"}})),
        );
        assert_eq!(verdict(&TemplateInjection, &search, &json_ok), Ok(()));
        assert_eq!(
            reason(verdict(&ReflectedXss, &search, &json_ok)).0,
            "the answer is not HTML but application/json"
        );
        assert_eq!(verdict(&ReflectedXss, &search, &html_ok), Ok(()));
        // A body field is probed for traversal only when named like a file.
        assert!(reason(verdict(&PathTraversal, &search, &json_ok))
            .0
            .starts_with("no string parameter or body field named like a file"));
        let upload = op(
            "POST",
            "/render",
            false,
            Some(json!({"template": {"type": "string"}})),
        );
        assert_eq!(verdict(&PathTraversal, &upload, &json_ok), Ok(()));
        // Numbers and enums leave no free string.
        let sort = op(
            "POST",
            "/sort",
            false,
            Some(json!({"by": {"type": "string", "enum": ["a", "b"]}, "n": {"type": "integer"}})),
        );
        for check in [&TemplateInjection as &dyn Check, &ReflectedXss] {
            assert_eq!(
                reason(verdict(check, &sort, &html_ok)).0,
                inband::NO_STRING_SLOTS
            );
        }
    }

    #[test]
    fn every_check_gives_a_reason_and_the_outage_check_is_not_per_operation() {
        let o = op("DELETE", "/things", false, None);
        let nothing = Exchange::default();
        for check in CHECKS {
            if let Err(skip) = verdict(*check, &o, &nothing) {
                assert!(!skip.reason().trim().is_empty(), "{}", check.meta().id);
            }
        }
        assert!(!TargetOutage.per_operation());
        assert!(!PasswordChange.per_operation());
        assert!(!UndocumentedEndpoint.per_operation());
        let once = [
            TargetOutage.meta().id,
            PasswordChange.meta().id,
            UndocumentedEndpoint.meta().id,
        ];
        assert!(CHECKS
            .iter()
            .filter(|c| !once.contains(&c.meta().id))
            .all(|c| c.per_operation()));
    }
}
