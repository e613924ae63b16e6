//! API5 broken function level authorization: a privileged operation (an admin function, by its path,
//! tags, operationId or security scopes) that a lower-privileged caller can use.
//!
//! Proof, with an admin identity (`identities: [{role: admin, …}]`): the admin's answer is the
//! reference; a lower caller (anonymous, a named identity of a lower level, user A, user B — user A and
//! B count as ordinary users once an admin is configured) that gets a 2xx answer with the same data
//! (same JSON shape, not an error envelope) is a `firm` finding. Without an admin identity nat cannot
//! tell whether the scan's user is itself an admin: a privileged operation that answers the user with
//! data while refusing anonymous callers is reported as `tentative`.
//!
//! Anonymous access to an operation the description secures is AUTH-BYPASS's finding, not this one's.

use super::similarity::same_resource;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, Who, LEVEL_ADMIN};
use crate::spec::{words, Operation};
use async_trait::async_trait;

/// The check.
pub struct Bfla;

static META: CheckMeta = CheckMeta {
    id: "NAT-API5-BFLA",
    title: "Broken Function Level Authorization: privileged operation open to lower-privileged callers",
    short_title: "admin function open to users",
    owasp: "API5",
    cwe: "CWE-285",
    severity: Severity::High,
    confidence: Confidence::Firm,
    description: "An administrative or otherwise privileged operation answered a caller of a lower \
                  privilege level with the same data it gives an administrator.",
    remediation: "Check the caller's role or permissions in every privileged operation, on the server, \
                  with deny by default; keep administrative functions behind a separate authorization \
                  layer rather than relying on clients not knowing their paths.",
};

/// Path segments, tags and operationId words that mark an administrative function.
const PRIVILEGED_WORDS: &[&str] = &[
    "admin",
    "admins",
    "administration",
    "administrator",
    "backoffice",
    "internal",
    "management",
    "manage",
    "superuser",
    "sudo",
    "staff",
    "ops",
    "sysadmin",
    "moderation",
    "impersonate",
];

/// Why an operation is privileged (for the evidence), or `None` when nothing says it is.
pub fn privileged_because(op: &Operation) -> Option<String> {
    let marked = |s: &str| {
        words(s)
            .iter()
            .any(|w| PRIVILEGED_WORDS.contains(&w.as_str()))
    };
    if let Some(seg) = op
        .path
        .split('/')
        .find(|seg| !seg.starts_with('{') && marked(seg))
    {
        return Some(format!("path segment `{seg}`"));
    }
    if let Some(tag) = op.tags.iter().find(|t| marked(t)) {
        return Some(format!("tag `{tag}`"));
    }
    if let Some(id) = op.operation_id.as_deref().filter(|id| marked(id)) {
        return Some(format!("operationId `{id}`"));
    }
    op.security
        .iter()
        .flat_map(|req| req.values().flatten())
        .find(|scope| marked(scope))
        .map(|scope| format!("security scope `{scope}`"))
}

/// True when the answer is a 2xx carrying the reference's data.
fn leaks(reference: &Exchange, ex: &Exchange) -> bool {
    match (&reference.response, &ex.response) {
        (Some(r), Some(o)) => same_resource(r, o),
        _ => false,
    }
}

#[async_trait]
impl Check for Bfla {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            privileged_because(target.op).is_some(),
            "nothing marks it privileged (admin, internal, … in its path, tags, operationId or \
             scopes)",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(why) = privileged_because(target.op) else {
            return vec![];
        };
        let http = &ctx.http;
        let admin = http
            .identities()
            .filter(|(_, info)| info.level.is_some_and(|l| l >= LEVEL_ADMIN))
            .map(|(who, info)| (who, info.level))
            .next();
        let state_changing = target.op.is_state_changing();

        let Some((admin, admin_level)) = admin else {
            // No admin to compare with: the user's own answer is the reference, and only a refusal of
            // anonymous callers shows the operation is protected at all.
            if let Err(skip) =
                super::requires_auth(target).and_then(|()| super::baseline_succeeded(target))
            {
                ctx.skipped(
                    target,
                    &META,
                    format!("no admin identity (an identity with role admin) to compare with, and {skip}"),
                );
                return vec![];
            }
            let anon = ctx.send(&Who::Anonymous, target.request).await;
            if !matches!(anon.status(), Some(401 | 403)) {
                return vec![];
            }
            let mut evidence = ctx.evidence(target.baseline);
            evidence.request = format!(
                "# privileged by its {why}; answered the scan's user (whose role nat does not know) \
                 and refused an anonymous caller ({})\n{}",
                anon.status().unwrap_or_default(),
                evidence.request
            );
            let factors = RiskFactors {
                unauthenticated: false,
                state_changing,
            };
            return vec![META
                .finding(target, META.severity, "user", evidence, factors)
                .with_confidence(Confidence::Tentative)];
        };

        if ctx.should_stop() {
            return vec![];
        }
        let reference = ctx.send(&admin, target.request).await;
        if !reference.is_success() {
            ctx.skipped(
                target,
                &META,
                format!(
                    "the admin identity's request {}",
                    super::answered(&reference, "2xx")
                ),
            );
            return vec![];
        }
        let admin_name = http
            .identity_info(&admin)
            .map_or_else(|| "admin".to_string(), |i| i.name.clone());

        // Lower callers, the least privileged first.
        let mut lower: Vec<(Who, String)> = Vec::new();
        if !target.op.requires_auth() {
            lower.push((Who::Anonymous, "anonymous".into()));
        }
        let mut named: Vec<(Who, String, u32)> = http
            .identities()
            .filter_map(|(who, info)| {
                let level = info.level?;
                (admin_level.is_some_and(|a| level < a)).then(|| (who, info.name.clone(), level))
            })
            .collect();
        named.sort_by_key(|(_, _, level)| *level);
        lower.extend(named.into_iter().map(|(who, name, _)| (who, name)));
        if http.user_has_credentials() {
            lower.push((Who::User, "user".into()));
        }
        if http.has_user_b() {
            lower.push((Who::UserB, "user_b".into()));
        }

        for (who, name) in lower {
            if ctx.should_stop() {
                break;
            }
            let ex = if who == Who::User {
                target.baseline.clone()
            } else {
                ctx.send(&who, target.request).await
            };
            if !leaks(&reference, &ex) {
                continue;
            }
            let mut evidence = ctx.evidence(&ex);
            evidence.request = format!(
                "# privileged by its {why}; `{name}` got the same data as the admin identity `{admin_name}`\n{}",
                evidence.request
            );
            let factors = RiskFactors {
                unauthenticated: who == Who::Anonymous,
                state_changing,
            };
            return vec![META.finding(target, META.severity, &name, evidence, factors)];
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(path: &str, tags: &[&str], id: Option<&str>) -> Operation {
        serde_json::from_value(serde_json::json!({
            "method": "GET",
            "path": path,
            "tags": tags,
            "operation_id": id,
            "parameters": [],
            "security": [],
        }))
        .unwrap()
    }

    #[test]
    fn privileged_operations_are_recognised_by_whole_words() {
        assert!(privileged_because(&op("/admin/users", &[], None)).is_some());
        assert!(privileged_because(&op("/api/internal/stats", &[], None)).is_some());
        assert!(privileged_because(&op("/users", &["Admin"], None)).is_some());
        assert!(privileged_because(&op("/users", &[], Some("adminListUsers"))).is_some());
        assert!(privileged_because(&op("/users", &[], Some("delete_user_admin"))).is_some());
        // Not a word of its own: no match.
        assert!(privileged_because(&op("/badminton/courts", &[], None)).is_none());
        assert!(privileged_because(&op("/users/{admin}", &[], None)).is_none());
        assert!(privileged_because(&op("/users", &["accounts"], Some("listUsers"))).is_none());
        let mut scoped = op("/users", &[], None);
        scoped
            .security
            .push([("oauth".to_string(), vec!["admin:write".to_string()])].into());
        assert!(privileged_because(&scoped).unwrap().contains("admin:write"));
    }
}
