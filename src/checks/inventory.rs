//! API9 improper inventory management: endpoints the description does not list but the target
//! serves.
//!
//! Run once per scan, after the operations, as the user:
//! - **Common paths** (a bounded built-in list: admin, debug, internal, actuator and its children,
//!   metrics, env, config, console, graphql, `.env`, `.git/config`, server-status, phpinfo, logs,
//!   API descriptions on other paths, …) under the base path, its parent and the first segment of
//!   the documented paths. Proof: a 2xx whose body holds content (JSON, or a known signature of
//!   the file) and differs from what a random path under the same prefix answers (many APIs answer
//!   200 to everything). Severity by what it exposes: secrets in it (high), administrative or
//!   debugging surfaces (medium), descriptions and health pages (info).
//! - **Version siblings** of documented operations (`/v2/` → `/v1/`, `/v3/`): a `GET` answered 2xx
//!   with JSON while a random path of that version is not (low), and a login whose older version
//!   accepts a wrong password that the documented one refuses (high, `firm`).

use super::data_exposure::find_exposed;
use super::similarity::similarity;
use super::{Applies, Check, CheckMeta, Skip};
use crate::engine::ScanContext;
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, HttpClient, RecordedResponse, RequestSpec, Who};
use crate::synth::RequestValues;
use async_trait::async_trait;

/// The check.
pub struct UndocumentedEndpoint;

/// What the check is.
pub static META: CheckMeta = CheckMeta {
    id: "NAT-API9-UNDOCUMENTED-ENDPOINT",
    title: "Improper Inventory Management: an undocumented endpoint is served",
    short_title: "undocumented endpoint served",
    owasp: "API9",
    cwe: "CWE-1059",
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    description: "The target serves an endpoint its description does not list (a debugging or \
                  administrative surface, a configuration file, an older version of a documented \
                  operation): unlisted endpoints escape review, testing and retirement.",
    remediation: "Keep an inventory of every deployed endpoint and version; remove debugging, \
                  administrative and old versions from production or protect them like the rest, \
                  and never serve configuration or repository files.",
};

#[async_trait]
impl Check for UndocumentedEndpoint {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, _target: &crate::engine::Target<'_>) -> Applies {
        Err(Skip::new(
            "runs once per scan, on paths the description does not list",
        ))
    }

    async fn run(&self, _ctx: &ScanContext, _target: &crate::engine::Target<'_>) -> Vec<Finding> {
        Vec::new()
    }

    fn per_operation(&self) -> bool {
        false
    }
}

/// What a common path exposes when served.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Administrative, debugging or configuration surfaces.
    Sensitive,
    /// API descriptions, health and status pages.
    Informational,
}

/// The common paths tried, with what each is, and a signature its body must hold when it is not
/// JSON (`None`: JSON only).
const COMMON: &[(&str, Kind, Option<&str>)] = &[
    ("admin", Kind::Sensitive, None),
    ("debug", Kind::Sensitive, None),
    ("debug/vars", Kind::Sensitive, None),
    ("internal", Kind::Sensitive, None),
    ("internal/config", Kind::Sensitive, None),
    ("actuator", Kind::Sensitive, None),
    ("actuator/env", Kind::Sensitive, None),
    ("actuator/mappings", Kind::Sensitive, None),
    ("actuator/heapdump", Kind::Sensitive, None),
    ("env", Kind::Sensitive, None),
    ("config", Kind::Sensitive, None),
    ("console", Kind::Sensitive, None),
    ("logging", Kind::Sensitive, None),
    ("logs", Kind::Sensitive, None),
    ("graphql", Kind::Sensitive, None),
    (".env", Kind::Sensitive, Some("=")),
    (".git/config", Kind::Sensitive, Some("[core]")),
    ("server-status", Kind::Sensitive, Some("Server Status")),
    ("phpinfo.php", Kind::Sensitive, Some("PHP Version")),
    ("metrics", Kind::Informational, None),
    ("actuator/health", Kind::Informational, None),
    ("health", Kind::Informational, None),
    ("status", Kind::Informational, None),
    ("info", Kind::Informational, None),
    ("swagger.json", Kind::Informational, None),
    ("openapi.json", Kind::Informational, None),
    ("v2/api-docs", Kind::Informational, None),
    ("v3/api-docs", Kind::Informational, None),
];

/// Most prefixes the common paths are tried under.
const MAX_PREFIXES: usize = 3;
/// Most version siblings tried.
const MAX_SIBLINGS: usize = 12;
/// Bodies this similar to the random path's answer are the catch-all answer, not an endpoint.
const SOFT_404: f64 = 0.8;

fn get(path: &str) -> RequestSpec {
    RequestSpec {
        method: "GET".into(),
        path: path.into(),
        ..Default::default()
    }
}

/// Whether an answer holds content: a non-empty JSON object or array, or, for a file, its
/// signature (`=` stands for `KEY=value` lines of an environment file) in a body that is no HTML
/// page.
fn holds_content(resp: &RecordedResponse, signature: Option<&str>) -> bool {
    if !resp.is_success() || resp.body.is_empty() {
        return false;
    }
    let text = resp.text();
    match signature {
        Some(_) if text.trim_start().starts_with('<') => false,
        Some("=") => text.lines().any(|l| {
            l.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
        }),
        Some(sig) => text.contains(sig),
        None => match resp.json() {
            Some(serde_json::Value::Object(m)) => !m.is_empty(),
            Some(serde_json::Value::Array(a)) => !a.is_empty(),
            _ => false,
        },
    }
}

/// True when `resp` is not what the random path `control` got (a catch-all answer).
fn differs_from(resp: &RecordedResponse, control: Option<&RecordedResponse>) -> bool {
    match control {
        Some(c) if c.is_success() => similarity(resp, c) < SOFT_404,
        _ => true,
    }
}

/// The origin-rooted path of `path` under `base` (`/api/v1` + `/x` → `/api/v1/x`).
fn joined(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

/// `/api/v2/users/login` → its siblings `/api/v1/users/login` and `/api/v3/users/login` (the
/// first `v<N>` segment, N ± 1, never below 0).
fn version_siblings(path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let Some((i, n)) = segments.iter().enumerate().find_map(|(i, s)| {
        let n = s.strip_prefix('v')?.parse::<u32>().ok()?;
        Some((i, n))
    }) else {
        return Vec::new();
    };
    [n.checked_sub(1), n.checked_add(1)]
        .into_iter()
        .flatten()
        .map(|m| {
            let mut s = segments.clone();
            let v = format!("v{m}");
            s[i] = &v;
            s.join("/")
        })
        .collect()
}

/// Probes the target for undocumented endpoints (see the module documentation); `excluded` says
/// which origin-rooted paths the user's `--exclude` patterns keep nat away from.
pub async fn probe(
    ctx: &ScanContext,
    spec_origin: &str,
    excluded: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Finding> {
    let base = ctx.http.base_url().clone();
    let mut origin = base.clone();
    origin.set_path("/");
    origin.set_query(None);
    let root = ctx.http.rebased(origin);
    let base_path = base.path().trim_end_matches('/').to_string();
    let documented: std::collections::HashSet<String> = ctx
        .spec
        .operations
        .iter()
        .map(|op| joined(&base_path, &op.path))
        .collect();
    let mut findings = Vec::new();
    // Prefixes: the base path, its parent, the documented paths' first segment.
    let mut prefixes: Vec<String> = vec![base_path.clone()];
    if let Some((parent, _)) = base_path.rsplit_once('/') {
        prefixes.push(parent.to_string());
    }
    if let Some(first) = ctx
        .spec
        .operations
        .iter()
        .filter_map(|op| op.path.split('/').nth(1))
        .find(|s| !s.is_empty() && !s.starts_with('{'))
    {
        prefixes.push(joined(&base_path, first));
    }
    let mut seen = std::collections::HashSet::new();
    prefixes.retain(|p| seen.insert(p.clone()));
    prefixes.truncate(MAX_PREFIXES);
    for prefix in &prefixes {
        if ctx.should_stop() {
            return findings;
        }
        let control = root
            .send(
                &Who::User,
                &get(&joined(
                    prefix,
                    &format!("nat-{}", super::login::random_lower(12)),
                )),
            )
            .await;
        for (path, kind, signature) in COMMON {
            let full = joined(prefix, path);
            if documented.contains(&full)
                || spec_origin.ends_with(&full)
                || excluded(&full)
                || ctx.should_stop()
            {
                continue;
            }
            let ex = root.send(&Who::User, &get(&full)).await;
            let Some(resp) = ex.response.as_ref() else {
                continue;
            };
            if !holds_content(resp, *signature) || !differs_from(resp, control.response.as_ref()) {
                continue;
            }
            let secrets = !find_exposed(&resp.json().unwrap_or_default()).is_empty();
            let severity = match (secrets, kind) {
                (true, _) => Severity::High,
                (false, Kind::Sensitive) => Severity::Medium,
                (false, Kind::Informational) => Severity::Info,
            };
            let evidence = with_control(&root, &ex, &control);
            findings.push(META.finding_at(
                format!("GET {full}"),
                severity,
                "common path",
                evidence,
                RiskFactors::default(),
            ));
        }
    }
    findings.extend(siblings(ctx, &root, &base_path, &documented, excluded).await);
    findings
}

/// Older and newer versions of documented reads and logins.
async fn siblings(
    ctx: &ScanContext,
    root: &HttpClient,
    base_path: &str,
    documented: &std::collections::HashSet<String>,
    excluded: &(dyn Fn(&str) -> bool + Sync),
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut tried = 0;
    // Logins first: an old login is the sibling that matters most.
    let mut ops: Vec<&crate::spec::Operation> = ctx.operations.iter().collect();
    ops.sort_by_key(|op| super::login::login_form(op, &RequestValues::valid(op)).is_none());
    for op in ops {
        let full = joined(base_path, &op.path);
        let values = RequestValues::valid(op);
        let login = super::login::login_form(op, &values);
        let read = op.method == "GET" && !op.path.contains('{');
        if !(read || login.is_some()) {
            continue;
        }
        for sibling in version_siblings(&full) {
            if documented.contains(&sibling)
                || excluded(&sibling)
                || tried >= MAX_SIBLINGS
                || ctx.should_stop()
            {
                continue;
            }
            tried += 1;
            let mut req = values.render(op);
            req.path = sibling.clone();
            let Some((prefix, _)) = sibling.rsplit_once('/') else {
                continue;
            };
            if let Some(form) = &login {
                // The documented login refuses a wrong password; does the old one?
                let user = ctx
                    .http
                    .login_credentials(&Who::User)
                    .map(|(u, _)| u)
                    .unwrap_or_else(|| form.unknown_user(None));
                let wrong = form.wrong_password();
                let documented_req = form.request_for(op, &values, &user, &wrong);
                let mut sibling_req = documented_req.clone();
                sibling_req.path = sibling.clone();
                let current = ctx.send(&Who::Anonymous, &documented_req).await;
                if current.is_success() || current.response.is_none() {
                    continue;
                }
                let old = root.send(&Who::Anonymous, &sibling_req).await;
                if old.is_success() && old.response.as_ref().is_some_and(|r| r.json().is_some()) {
                    let evidence = ctx.labelled_evidence(&[
                        (
                            "1. the undocumented version: a wrong password is accepted",
                            &old,
                        ),
                        ("2. the documented login refuses the same request", &current),
                    ]);
                    findings.push(
                        META.finding_at(
                            format!("POST {sibling}"),
                            Severity::High,
                            "version sibling login",
                            evidence,
                            RiskFactors {
                                unauthenticated: true,
                                state_changing: false,
                            },
                        )
                        .with_confidence(Confidence::Firm),
                    );
                }
                continue;
            }
            let control = root
                .send(
                    &Who::User,
                    &get(&joined(
                        prefix,
                        &format!("nat-{}", super::login::random_lower(12)),
                    )),
                )
                .await;
            let ex = root.send(&Who::User, &req).await;
            let Some(resp) = ex.response.as_ref() else {
                continue;
            };
            if holds_content(resp, None) && differs_from(resp, control.response.as_ref()) {
                findings.push(META.finding_at(
                    format!("GET {sibling}"),
                    Severity::Low,
                    "version sibling",
                    with_control(root, &ex, &control),
                    RiskFactors::default(),
                ));
            }
        }
    }
    findings
}

/// Evidence of `ex`, with the random path's answer when it was a 2xx (the catch-all the
/// endpoint's answer differs from).
fn with_control(http: &HttpClient, ex: &Exchange, control: &Exchange) -> Evidence {
    if !control.is_success() {
        return http.evidence(ex);
    }
    let (a, b) = (http.evidence(ex), http.evidence(control));
    Evidence {
        request: format!(
            "# the undocumented endpoint\n{}\n\n# a random path (the catch-all answer)\n{}",
            a.request, b.request
        ),
        response: format!(
            "# the undocumented endpoint\n{}\n\n# a random path\n{}",
            a.response, b.response
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn resp(status: u16, body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            body: Bytes::from(body.to_string()),
            ..Default::default()
        }
    }

    #[test]
    fn versions_one_up_and_one_down() {
        assert_eq!(
            version_siblings("/api/v2/users/login"),
            ["/api/v1/users/login", "/api/v3/users/login"]
        );
        assert_eq!(version_siblings("/api/v0/x"), ["/api/v1/x"]);
        assert!(version_siblings("/api/users").is_empty());
        assert!(version_siblings("/api/vip/x").is_empty());
    }

    #[test]
    fn content_and_the_catch_all() {
        assert!(holds_content(&resp(200, r#"{"flag":"x"}"#), None));
        assert!(!holds_content(&resp(200, "{}"), None));
        assert!(!holds_content(&resp(200, "<html>hi</html>"), None));
        assert!(!holds_content(&resp(404, r#"{"a":1}"#), None));
        assert!(holds_content(
            &resp(200, "[core]\n\trepositoryformatversion = 0"),
            Some("[core]")
        ));
        assert!(holds_content(&resp(200, "DB_PASSWORD=x\n"), Some("=")));
        assert!(!holds_content(&resp(200, "a=b"), Some("=")));
        assert!(!holds_content(&resp(200, "<html>a=b</html>"), Some("=")));
        // A target answering 200 to everything: the endpoint's answer is the catch-all.
        let all = resp(
            200,
            r#"{"status":"ok","message":"welcome to the API","path":"/x"}"#,
        );
        assert!(!differs_from(
            &resp(
                200,
                r#"{"status":"ok","message":"welcome to the API","path":"/x"}"#
            ),
            Some(&all)
        ));
        assert!(differs_from(
            &resp(200, r#"{"db":{"host":"h","user":"u"}}"#),
            Some(&all)
        ));
        assert!(differs_from(&all, Some(&resp(404, "nope"))));
    }
}
