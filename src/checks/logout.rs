//! API2 ineffective logout: a session token still works after the API's logout operation ended its
//! session.
//!
//! Runs only with an identity that logs in (auth type `login`), on operations that look like a logout
//! ([`is_logout_operation`]). nat never logs out the scan's own session (the engine does not even send
//! a logout's baseline): it logs in once more for a throwaway session, finds a `GET` operation that
//! refuses anonymous requests and answers that session, calls the logout with it, and replays it on
//! that operation (again after a short pause, for APIs that revoke asynchronously). Still answered
//! with the same data = finding, with the three exchanges as evidence.

use super::similarity::same_resource;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Evidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, RequestSpec, Who};
use crate::spec::Operation;
use async_trait::async_trait;
use std::time::Duration;

/// The check.
pub struct LogoutIneffective;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-LOGOUT-INEFFECTIVE",
    title: "Broken Authentication: session token still valid after logout",
    short_title: "token valid after logout",
    owasp: "API2",
    cwe: "CWE-613",
    severity: Severity::Medium,
    confidence: crate::findings::Confidence::Firm,
    description: "nat logged in, called the API's logout operation with that session (answered 2xx), and \
                  the same token still gave access afterwards. Logging out does not protect a user whose \
                  token was stolen, nor a shared device.",
    remediation: "End the session on the server at logout: revoke the token (a deny-list of `jti`s until \
                  they expire, or server-side sessions), and keep access tokens short-lived.",
};

/// Words that name a logout, compared without case, `-` and `_`.
const LOGOUT_WORDS: &[&str] = &["logout", "signout", "logoff", "signoff", "endsession"];

/// Most probe operations tried before giving up.
const MAX_PROBES: usize = 3;

/// Pause before the second replay.
const SETTLE: Duration = Duration::from_millis(1500);

fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// True for an operation that ends the caller's session: its last path segment or its operationId
/// says logout, sign-out, log-off or end-session, or it is a `…/revoke` under a token or session
/// path. Operations with path parameters act on something else than the caller's session and never
/// count.
pub fn is_logout_operation(op: &Operation) -> bool {
    if op.path.contains('{') || !matches!(op.method.as_str(), "POST" | "GET" | "PUT" | "PATCH") {
        return false;
    }
    let segments: Vec<String> = op
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(normalized)
        .collect();
    let Some(last) = segments.last() else {
        return false;
    };
    let id = op
        .operation_id
        .as_deref()
        .map(normalized)
        .unwrap_or_default();
    if LOGOUT_WORDS.contains(&last.as_str()) || LOGOUT_WORDS.iter().any(|w| id.contains(w)) {
        return true;
    }
    last == "revoke"
        && segments[..segments.len() - 1]
            .iter()
            .any(|s| s.contains("token") || s.contains("session") || s.starts_with("oauth"))
}

/// Segments two paths share from the start.
fn common_prefix(a: &str, b: &str) -> usize {
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// Operations to replay a session on: `GET`s that require authentication, without path parameters,
/// nearest to `logout` by path first.
fn probe_candidates<'a>(ops: &'a [Operation], logout: &Operation) -> Vec<&'a Operation> {
    let mut out: Vec<&Operation> = ops
        .iter()
        .filter(|o| {
            o.method == "GET"
                && o.requires_auth()
                && !o.path.contains('{')
                && !is_logout_operation(o)
        })
        .collect();
    out.sort_by_key(|o| {
        (
            std::cmp::Reverse(common_prefix(&o.path, &logout.path)),
            o.path.len(),
        )
    });
    out
}

fn with_header(req: &RequestSpec, header: &(String, String)) -> RequestSpec {
    let mut req = req.clone();
    req.headers.push(header.clone());
    req
}

#[async_trait]
impl Check for LogoutIneffective {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(is_logout_operation(target.op), "not a logout")
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(who) = ctx.http.login_identity() else {
            ctx.skipped(
                target,
                &META,
                "no identity logs in (auth type `login`), so nat has no session of its own to log out",
            );
            return vec![];
        };
        let session = match ctx.http.fresh_session(&who).await {
            Some(Ok(session)) => session,
            Some(Err(why)) => {
                ctx.skipped(
                    target,
                    &META,
                    format!("logging in for a session of its own failed: {why}"),
                );
                return vec![];
            }
            None => {
                ctx.skipped(target, &META, "no session of its own could be had");
                return vec![];
            }
        };
        // A probe that refuses no credentials and answers the fresh session.
        let mut chosen: Option<(RequestSpec, Exchange)> = None;
        for op in probe_candidates(&ctx.operations, target.op)
            .into_iter()
            .take(MAX_PROBES)
        {
            if ctx.should_stop() {
                return vec![];
            }
            let req = ctx.request_for(op);
            let anonymous = ctx.send(&Who::Anonymous, &req).await;
            if !matches!(anonymous.status(), Some(401) | Some(403)) {
                continue;
            }
            let before = ctx
                .send(&Who::Anonymous, &with_header(&req, &session))
                .await;
            if before.is_success() {
                chosen = Some((req, before));
                break;
            }
        }
        let Some((probe, before)) = chosen else {
            ctx.skipped(
                target,
                &META,
                "no GET without path parameters that refuses anonymous callers and answers a fresh \
                 session, to replay the session on",
            );
            return vec![];
        };
        let logout = ctx
            .send(&Who::Anonymous, &with_header(target.request, &session))
            .await;
        if !logout.is_success() || ctx.should_stop() {
            return vec![];
        }
        let replay_req = with_header(&probe, &session);
        let replay = || ctx.send(&Who::Anonymous, &replay_req);
        let still_valid = |ex: &Exchange| match (&before.response, &ex.response) {
            (Some(b), Some(a)) => same_resource(b, a),
            _ => false,
        };
        let after = replay().await;
        if !still_valid(&after) {
            return vec![];
        }
        tokio::select! {
            _ = ctx.cancel.cancelled() => return vec![],
            _ = tokio::time::sleep(SETTLE) => {}
        }
        let after = replay().await;
        if !still_valid(&after) {
            return vec![];
        }
        let (b, l, a) = (
            ctx.evidence(&before),
            ctx.evidence(&logout),
            ctx.evidence(&after),
        );
        let evidence = Evidence {
            request: format!(
                "# a session of its own: nat logged in again (the scan's session is never logged out)\n\
                 # before logout\n{}\n\n# logout\n{}\n\n# after logout (replayed after {:.1}s)\n{}",
                b.request,
                l.request,
                SETTLE.as_secs_f64(),
                a.request
            ),
            response: format!(
                "# before logout\n{}\n\n# logout\n{}\n\n# after logout\n{}",
                b.response, l.response, a.response
            ),
        };
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: false,
        };
        vec![META.finding(target, META.severity, "", evidence, factors)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, id: Option<&str>) -> Operation {
        Operation {
            operation_id: id.map(str::to_string),
            ..Operation::new(method, path)
        }
    }

    #[test]
    fn logouts_are_recognised_and_lookalikes_are_not() {
        for (m, p, id) in [
            ("POST", "/auth/logout", None),
            ("POST", "/users/sign-out", None),
            ("GET", "/session/log_off", None),
            ("POST", "/oauth2/revoke", None),
            ("POST", "/api/token/revoke", None),
            ("POST", "/api/session", Some("logoutUser")),
        ] {
            assert!(is_logout_operation(&op(m, p, id)), "{m} {p}");
        }
        for (m, p, id) in [
            ("POST", "/keys/{id}/revoke", None),
            ("POST", "/certificates/revoke", None),
            ("DELETE", "/auth/logout", None),
            ("POST", "/sessions/{id}/logout", None),
            ("GET", "/logs", None),
            ("POST", "/login", Some("login")),
        ] {
            assert!(!is_logout_operation(&op(m, p, id)), "{m} {p}");
        }
    }

    #[test]
    fn the_nearest_protected_get_is_probed_first() {
        let mut ops = vec![
            op("GET", "/fixed/sessions/profile", None),
            op("GET", "/vuln/sessions/profile", None),
            op("GET", "/vuln/other", None),
            op("GET", "/vuln/items/{id}", None),
            op("POST", "/vuln/sessions/thing", None),
        ];
        for o in &mut ops {
            o.security = vec![[("bearer".to_string(), vec![])].into_iter().collect()];
        }
        let logout = op("POST", "/vuln/sessions/logout", None);
        let got: Vec<&str> = probe_candidates(&ops, &logout)
            .iter()
            .map(|o| o.path.as_str())
            .collect();
        assert_eq!(
            got,
            vec![
                "/vuln/sessions/profile",
                "/vuln/other",
                "/fixed/sessions/profile"
            ]
        );
    }
}
