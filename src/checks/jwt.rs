//! API2 JWT not verified: the API accepts the user's token with `alg: none`, without its signature, or
//! with an altered signature.

use super::auth_bypass::INVALID_TOKEN;
use super::similarity::same_resource;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{RequestSpec, Who};
use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// The check.
pub struct JwtUnverified;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-JWT-UNVERIFIED",
    title: "Broken Authentication: JWT signature not verified",
    short_title: "JWT signature not verified",
    owasp: "API2",
    cwe: "CWE-347",
    severity: Severity::Critical,
    confidence: Confidence::Certain,
    description: "The API accepted the user's JSON Web Token after nat removed or forged its signature. \
                  Anyone can then mint a token for any user.",
    remediation: "Verify every JWT's signature with a fixed, allow-listed algorithm (never `none`, never the \
                  algorithm named by the token itself) before trusting any claim, using a maintained JWT library.",
};

/// The parts of a JWT, if `token` is one (header and payload are base64url JSON objects).
fn split_jwt(token: &str) -> Option<(&str, &str, &str)> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    for part in [h, p] {
        let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
        let v: serde_json::Value = crate::parse::json(&bytes).ok()?;
        v.as_object()?;
    }
    Some((h, p, s))
}

/// Forged variants of a JWT: (what was done, token).
pub fn forgeries(token: &str) -> Vec<(&'static str, String)> {
    let Some((h, p, s)) = split_jwt(token) else {
        return vec![];
    };
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let mut out = vec![
        ("alg-none", format!("{none_header}.{p}.")),
        ("signature-stripped", format!("{h}.{p}.")),
    ];
    if let Some(first) = s.chars().next() {
        // Changing the first character always changes the decoded signature bytes.
        let replacement = if first == 'A' { 'B' } else { 'A' };
        out.push((
            "signature-altered",
            format!("{h}.{p}.{replacement}{}", &s[first.len_utf8()..]),
        ));
    }
    out
}

#[async_trait]
impl Check for JwtUnverified {
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
        let Some(token) = ctx.http.user_bearer_token().await else {
            ctx.skipped(target, &META, super::NO_BEARER);
            return vec![];
        };
        let forged = forgeries(&token);
        if forged.is_empty() {
            ctx.skipped(target, &META, "the user's bearer token is not a JWT");
            return vec![];
        }
        let with_token = |t: &str| {
            let mut req: RequestSpec = target.request.clone();
            req.headers
                .push(("Authorization".into(), format!("Bearer {t}")));
            req
        };
        // Control: the endpoint must reject a plainly invalid token, or there is nothing to prove here
        // (an endpoint that accepts anything is the authentication-bypass check's finding).
        let control = ctx.send(&Who::Anonymous, &with_token(INVALID_TOKEN)).await;
        if !matches!(control.status(), Some(401) | Some(403)) {
            ctx.skipped(
                target,
                &META,
                super::not_refused("a garbage token", &control),
            );
            return vec![];
        }
        for (_what, t) in forged {
            if ctx.should_stop() {
                break;
            }
            let ex = ctx.send(&Who::Anonymous, &with_token(&t)).await;
            if ex
                .response
                .as_ref()
                .is_some_and(|r| same_resource(baseline, r))
            {
                let factors = RiskFactors {
                    unauthenticated: true,
                    state_changing: target.op.is_state_changing(),
                };
                return vec![META.finding(target, META.severity, "", ctx.evidence(&ex), factors)];
            }
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forges_three_variants_of_a_jwt_only() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = URL_SAFE_NO_PAD.encode(br#"{"sub":"1"}"#);
        let token = format!("{h}.{p}.AbCd");
        let f = forgeries(&token);
        assert_eq!(f.len(), 3);
        assert!(f[0].1.ends_with(&format!(".{p}.")) && !f[0].1.starts_with(&h));
        assert_eq!(f[1].1, format!("{h}.{p}."));
        assert_eq!(f[2].1, format!("{h}.{p}.BbCd"));
        assert!(forgeries("not-a-jwt").is_empty());
        assert!(forgeries("a.b.c").is_empty());
    }
}
