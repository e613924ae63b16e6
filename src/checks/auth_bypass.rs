//! API2 authentication bypass: an operation whose description requires credentials answers with its
//! data to a request with none, or with an invalid credential.

use super::similarity::same_resource;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors};
use crate::http::{RequestSpec, Who};
use crate::spec::{ParamLocation, SecurityScheme};
use async_trait::async_trait;

/// The check.
pub struct AuthBypass;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-AUTH-BYPASS",
    title: "Broken Authentication: endpoint answers without valid credentials",
    short_title: "answers without credentials",
    owasp: "API2",
    cwe: "CWE-306",
    severity: crate::findings::Severity::High,
    confidence: crate::findings::Confidence::Firm,
    description: "The API description says this operation requires authentication, but the API returned \
                  the same data to a request that carried no credentials or an invalid one.",
    remediation: "Enforce authentication on every operation that requires it, in one place (middleware) \
                  rather than per handler, and reject missing, malformed and invalid credentials with 401.",
};

/// A credential no API should accept.
pub const INVALID_TOKEN: &str = "nat-invalid-token";

/// The invalid-credential header matching the operation's first security scheme.
fn invalid_credential(ctx: &ScanContext, target: &Target<'_>) -> Option<(String, String)> {
    let scheme_name = target.op.security.first()?.keys().next()?;
    if scheme_name == crate::spec::INFERRED_SCHEME {
        // No scheme to go by: an invalid value in the header the user's credential travels in.
        let header = ctx.http.user_credential_header()?;
        let value = if header.eq_ignore_ascii_case("authorization") {
            format!("Bearer {INVALID_TOKEN}")
        } else {
            INVALID_TOKEN.to_string()
        };
        return Some((header, value));
    }
    match ctx.spec.security_schemes.get(scheme_name) {
        Some(SecurityScheme::ApiKey {
            name,
            location: ParamLocation::Header,
        }) => Some((name.clone(), INVALID_TOKEN.to_string())),
        Some(SecurityScheme::ApiKey { .. }) => None,
        Some(SecurityScheme::Http { scheme, .. }) if scheme.eq_ignore_ascii_case("basic") => {
            // nat:nat-invalid
            Some(("Authorization".into(), "Basic bmF0Om5hdC1pbnZhbGlk".into()))
        }
        _ => Some(("Authorization".into(), format!("Bearer {INVALID_TOKEN}"))),
    }
}

#[async_trait]
impl Check for AuthBypass {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::requires_auth(target)?;
        super::baseline_succeeded(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(baseline) = &target.baseline.response else {
            return vec![];
        };
        let factors = RiskFactors {
            unauthenticated: true,
            state_changing: target.op.is_state_changing(),
        };
        // No credentials at all, then an invalid credential in the scheme the operation uses.
        let mut attempts = vec![("no-credentials", target.request.clone())];
        if let Some(header) = invalid_credential(ctx, target) {
            let mut req: RequestSpec = target.request.clone();
            req.headers.push(header);
            attempts.push(("invalid-credentials", req));
        }
        let mut exchanges = Vec::new();
        for (location, req) in attempts {
            if ctx.should_stop() {
                break;
            }
            let ex = ctx.send(&Who::Anonymous, &req).await;
            let same = ex
                .response
                .as_ref()
                .is_some_and(|r| same_resource(baseline, r));
            exchanges.push((location, ex, same));
            if same && location == "invalid-credentials" {
                break;
            }
        }
        let Some(pos) = exchanges.iter().position(|(_, _, same)| *same) else {
            return vec![];
        };
        let (location, ex, _) = &exchanges[pos];
        let finding = META.finding(target, META.severity, location, ctx.evidence(ex), factors);
        // Answered without credentials, but an invalid credential refused: the operation checks
        // the tokens it is given and serves anonymous callers on purpose (optional authentication,
        // which FastAPI still declares as required), or it leaks. Only tentative then.
        let invalid_refused = exchanges.iter().any(|(l, e, _)| {
            *l == "invalid-credentials" && matches!(e.status(), Some(401) | Some(403))
        });
        if *location == "no-credentials" && invalid_refused {
            let mut f = finding.with_confidence(Confidence::Tentative);
            if let Some((_, refused, _)) = exchanges
                .iter()
                .find(|(l, _, _)| *l == "invalid-credentials")
            {
                f.evidence = ctx.labelled_evidence(&[
                    ("no credentials: the user's data", ex),
                    (
                        "an invalid credential: refused, so the operation checks tokens and may \
                         serve anonymous callers by design",
                        refused,
                    ),
                ]);
            }
            return vec![f];
        }
        vec![finding]
    }
}
