//! The scan itself: load the description, discover operations, send each its baseline, run the
//! checks, and produce the report.

use super::{CancellationToken, Events, Resources, ScanContext, ScanEvent, Target};
use crate::checks::{self, Check};
use crate::error::{NatError, Result};
use crate::findings::{sort_and_number, Finding, Severity};
use crate::http::{Auth, Exchange, HttpClient, HttpConfig, IdentityInfo, Who};
use crate::report::{CoverageStatus, OperationCoverage, SecuritySource, SkippedCheck};
use crate::report::{ScanMeta, ScanReport, Summary, Tool};
use crate::request::{Safety, ScanRequest};
use crate::spec::{self, ApiSpec, Operation};
use crate::synth::RequestValues;
use base64::Engine as _;
use futures::stream::{self, StreamExt};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// Runs a scan to the end (or until `cancel` fires) and returns its report.
///
/// Errors: [`NatError::Input`]/[`NatError::Spec`] for a bad request or description,
/// [`NatError::Scan`] when the target cannot be reached at all. Everything that goes wrong with single
/// exchanges is data in the report, never an error.
pub async fn run(
    request: ScanRequest,
    events: Events,
    cancel: CancellationToken,
) -> Result<ScanReport> {
    run_guarded(request, events, cancel, None).await
}

/// [`run`] for a scan run on someone else's behalf: every connection of the scan (target, OAuth2, the
/// description and the documents it refers to, redirects) goes only where `policy` allows.
pub async fn run_guarded(
    request: ScanRequest,
    events: Events,
    cancel: CancellationToken,
    policy: Option<crate::http::guard::Policy>,
) -> Result<ScanReport> {
    request.validate().map_err(NatError::Input)?;
    let checks = checks::select(&request.options.checks, request.options.noisy_checks)
        .map_err(NatError::Input)?;
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let mut cfg = HttpConfig::from_request(&request).map_err(NatError::Input)?;
    cfg.policy = policy.clone();

    // A client on the bare target for discovery; the scan's client shares its limits and counters.
    let auth_for = |cfg: &crate::request::AuthConfig| Auth::from_config_for(cfg, &request.url);
    let probe = HttpClient::new(cfg, auth_for(&request.auth), events.clone(), cancel.clone())
        .map_err(NatError::Input)?
        .with_user_b(request.auth_b.as_ref().and_then(auth_for))
        .with_identities(
            request
                .identities
                .iter()
                .map(|i| (IdentityInfo::of(i), auth_for(&i.auth)))
                .collect(),
        );
    let (spec, spec_origin) = load_spec(&request, &probe, policy.as_ref()).await?;
    let mut warnings: Vec<String> = spec.warnings.clone();
    for w in &warnings {
        events.send(ScanEvent::Warning(w.clone()));
    }

    let http = Arc::new(probe.rebased(effective_base(probe.base_url(), &spec.servers)));

    let excluder = Excluder::new(&request.options.exclude, http.base_url().path())?;
    let safety = request.options.safety;
    let creators = creators(&spec);
    let mut selected: Vec<Operation> = Vec::new();
    let mut excluded = 0usize;
    // Why each operation left out is not sent, for the coverage.
    let mut not_sent: HashMap<String, String> = HashMap::new();
    for op in &spec.operations {
        if excluder.excludes(&op.path) {
            not_sent.insert(op.endpoint(), "excluded (--exclude)".into());
            excluded += 1;
        } else if let Some(word) = op
            .state_changing_read()
            .filter(|_| safety != Safety::Destructive)
        {
            // A `GET /createdb` would drop the data every other probe reads (and make nat report
            // errors of its own doing).
            warnings.push(format!(
                "{}: not sent ({word} says it changes state although it is a {}; \
                 --destructive allows it)",
                op.endpoint(),
                op.method
            ));
            not_sent.insert(
                op.endpoint(),
                format!(
                    "state-changing {} ({word} says it changes state); --destructive sends it",
                    op.method
                ),
            );
            excluded += 1;
        } else if let Some(segment) = op.changes_credentials() {
            // Whatever the mode: sent as one of the scan's identities, it would lock that identity
            // out (and with it every later probe).
            let proof = checks
                .iter()
                .any(|c| c.meta().id == checks::password_change::META.id)
                && checks::password_change::account_param(op).is_some();
            warnings.push(if proof {
                format!(
                    "{}: not sent (`{segment}`: it would change the credentials of the account nat \
                     scans as; no probe sends it, only the password-change proof, which sets the \
                     password back: see the coverage)",
                    op.endpoint()
                )
            } else {
                format!(
                    "{}: not sent (`{segment}`: it would change the credentials of the account nat \
                     scans as; no mode sends it)",
                    op.endpoint()
                )
            });
            not_sent.insert(
                op.endpoint(),
                format!(
                    "credential change (`{segment}`): it would lock out the account nat scans as; \
                     no mode sends it"
                ),
            );
            excluded += 1;
        } else if let Err(why) = safety.allows(&op.method, op.path.contains('{')) {
            // In the default mode a write on one object is probed on an object nat creates for it.
            if safety == Safety::Default
                && ((super::writes_one_object(op) && super::creator_of(&spec, op).is_some())
                    || own_account_write(&spec, op)
                    || creators.contains(&op.endpoint()))
            {
                selected.push(op.clone());
            } else {
                warnings.push(format!("{}: not probed ({why})", op.endpoint()));
                not_sent.insert(op.endpoint(), why.to_string());
                excluded += 1;
            }
        } else {
            selected.push(op.clone());
        }
    }
    for pattern in excluder.unused() {
        let w = format!(
            "--exclude `{pattern}` matches no operation of the description (`*` is any run of \
             characters, `{{name}}` is literal: copy the path template as `nat spec` shows it)"
        );
        events.send(ScanEvent::Warning(w.clone()));
        warnings.push(w);
    }
    let discovered = spec.operations.len();
    events.send(ScanEvent::SpecLoaded {
        title: spec.title.clone(),
        source: spec_origin.clone(),
        operations: discovered,
        excluded,
    });

    // Reachability: one anonymous request to the base URL; a connection failure means no scan.
    if !cancel.is_cancelled() {
        let ex = http.get_anonymous("/").await;
        if ex.response.is_none() && !cancel.is_cancelled() {
            let reason = ex.error.unwrap_or_else(|| "no response".into());
            if !http.budget_spent() {
                return Err(NatError::Scan(format!(
                    "cannot reach target {}: {reason}",
                    http.base_url()
                )));
            }
        }
    }

    let resources = if cancel.is_cancelled() {
        Resources::default()
    } else {
        Resources::learn(&http, &selected).await
    };
    let callback = if checks.iter().any(|c| c.uses_callback()) && !cancel.is_cancelled() {
        match start_listener(&request, http.base_url()).await {
            Ok(listener) => Some(Arc::new(listener)),
            Err(why) => {
                events.send(ScanEvent::Warning(why.clone()));
                warnings.push(why);
                None
            }
        }
    } else {
        None
    };
    let spec = Arc::new(spec);
    let ctx = Arc::new(ScanContext {
        callback: callback.clone(),
        creators,
        spec: spec.clone(),
        http: http.clone(),
        cancel: cancel.clone(),
        resources,
        safety,
        operations: selected.clone().into(),
        user_name: request
            .auth
            .username
            .clone()
            .filter(|u| !u.trim().is_empty()),
        burst_size: request.options.burst_size,
        memo: Default::default(),
        warnings: Default::default(),
        skips: Default::default(),
    });
    let concurrency = request.options.concurrency.max(1);
    let results: Vec<OpResult> = stream::iter(selected.iter().cloned())
        .map(|op| {
            let (ctx, checks, events) = (&ctx, &checks, &events);
            async move {
                let endpoint = op.endpoint();
                crate::http::for_operation(endpoint, scan_operation(ctx, checks, &op, events)).await
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;

    let mut findings: Vec<Finding> = Vec::new();
    let mut seen = HashSet::new();
    let mut tested = 0usize;
    let mut covered: HashMap<String, OperationCoverage> = HashMap::new();
    for r in results {
        if r.completed {
            tested += 1;
        }
        covered.insert(r.coverage.endpoint.clone(), r.coverage);
        warnings.extend(r.warnings);
        for f in r.findings {
            if seen.insert(f.fingerprint.clone()) {
                findings.push(f);
            }
        }
    }
    // The one write on credentials nat makes, after every other probe: a password set for user B
    // by the user, proven by B's login and set back (see `checks::password_change`).
    if checks
        .iter()
        .any(|c| c.meta().id == checks::password_change::META.id)
    {
        for op in &spec.operations {
            let endpoint = op.endpoint();
            let credential_change = not_sent
                .get(&endpoint)
                .is_some_and(|r| r.starts_with("credential change"));
            if !credential_change || checks::password_change::account_param(op).is_none() {
                continue;
            }
            let probe = checks::password_change::probe(&ctx, op);
            let result = crate::http::for_operation(endpoint.clone(), probe).await;
            for broken in http.check_sessions(&endpoint).await {
                events.send(ScanEvent::Warning(broken.clone()));
                warnings.push(broken);
            }
            match result {
                Ok(found) => {
                    not_sent.remove(&endpoint);
                    covered.insert(
                        endpoint.clone(),
                        OperationCoverage {
                            endpoint: endpoint.clone(),
                            status: CoverageStatus::Probed,
                            security: if op.requires_auth() {
                                SecuritySource::Declared
                            } else {
                                SecuritySource::None
                            },
                            checks_run: vec![checks::password_change::META.id.to_string()],
                            // No probe sends a credential change: only the proof did.
                            checks_skipped: checks
                                .iter()
                                .filter(|c| c.per_operation())
                                .map(|c| SkippedCheck {
                                    check: c.meta().id.to_string(),
                                    reason: "a credential change: only the password-change \
                                             proof sends it"
                                        .into(),
                                    blocked: false,
                                })
                                .collect(),
                            ..Default::default()
                        },
                    );
                    if let Some(f) = found {
                        events.send(ScanEvent::Finding(Box::new(f.clone())));
                        if seen.insert(f.fingerprint.clone()) {
                            findings.push(f);
                        }
                    }
                }
                Err(why) => {
                    if let Some(reason) = not_sent.get_mut(&endpoint) {
                        reason
                            .push_str(&format!("; the password-change proof could not run: {why}"));
                    }
                }
            }
        }
    }
    // Endpoints the description does not list, once per scan.
    if checks
        .iter()
        .any(|c| c.meta().id == checks::inventory::META.id)
        && !ctx.should_stop()
    {
        let patterns: Vec<crate::pattern::PathPattern> = request
            .options
            .exclude
            .iter()
            .filter_map(|p| crate::pattern::PathPattern::new(p).ok())
            .collect();
        let base_path = http.base_url().path().trim_end_matches('/').to_string();
        // Like the operations: the pattern against the path alone and below the base path.
        let excluded = move |path: &str| {
            let relative = path.strip_prefix(base_path.as_str()).unwrap_or(path);
            patterns
                .iter()
                .any(|p| p.matches(path) || p.matches(relative))
        };
        let probe = checks::inventory::probe(&ctx, &spec_origin, &excluded);
        for f in crate::http::for_operation("(undocumented endpoints)".into(), probe).await {
            events.send(ScanEvent::Finding(Box::new(f.clone())));
            if seen.insert(f.fingerprint.clone()) {
                findings.push(f);
            }
        }
    }
    // Callbacks that come after their probe's answer: awaited a short while, then reported.
    let mut callback_wait_ms = 0;
    if let Some(listener) = &callback {
        if !cancel.is_cancelled() {
            callback_wait_ms = listener.grace().await.as_millis() as u64;
        }
        let late = checks::ssrf::late_findings(listener, &checks::ssrf::META)
            .into_iter()
            .chain(checks::ssrf::late_findings(
                listener,
                &checks::cmd_injection::META,
            ));
        for f in late {
            events.send(ScanEvent::Finding(Box::new(f.clone())));
            if seen.insert(f.fingerprint.clone()) {
                findings.push(f);
            }
        }
    }
    warnings.extend(
        ctx.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..),
    );
    if checks
        .iter()
        .any(|c| c.meta().id == checks::target_outage::META.id)
    {
        for f in checks::target_outage::findings(&http.outages(), |ex| http.evidence(ex)) {
            if seen.insert(f.fingerprint.clone()) {
                findings.push(f);
            }
        }
    }
    if let Some(o) = http.outages().iter().find(|o| !o.recovered) {
        warnings.push(format!(
            "the target stopped answering after {} {} ({}) and did not come back within {} s: \
             the scan ended there, partial",
            o.after.method,
            http.scrub(&o.after.url),
            o.operation,
            crate::http::outage::MAX_OUTAGE.as_secs()
        ));
    }
    let failed = http.failed_exchanges();
    for (endpoint, (count, last)) in &failed {
        warnings.push(format!(
            "{endpoint}: {count} request{} got no answer (last: {last})",
            if *count == 1 { "" } else { "s" }
        ));
    }
    sort_and_number(&mut findings);
    let partial = cancel.is_cancelled()
        || http.any_session_broken()
        || http.budget_spent()
        || http.target_down()
        || tested < selected.len();
    if http.budget_spent() {
        warnings.push(format!(
            "request budget spent after {} requests: {} of {} operations tested",
            http.requests_sent(),
            tested,
            selected.len()
        ));
    }
    let coverage = coverage(&spec, covered, not_sent, &http);
    let mut by_severity = std::collections::BTreeMap::new();
    for s in Severity::ALL {
        by_severity.insert(s, findings.iter().filter(|f| f.severity == s).count());
    }
    let fail_on = request.options.fail_on;
    let mut report = ScanReport {
        tool: Tool::default(),
        scan: ScanMeta {
            target: request.url.clone(),
            spec: spec_origin,
            spec_title: spec.title.clone(),
            started_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            completed_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            duration_ms: clock.elapsed().as_millis() as u64,
            partial,
            fail_on,
            fail_on_confidence: request.options.fail_on_confidence,
            identities: identities_used(&request),
            callback_wait_ms,
        },
        summary: Summary {
            operations_discovered: discovered,
            operations_excluded: excluded,
            operations_tested: tested,
            requests_sent: http.requests_sent(),
            requests_failed: failed.values().map(|(n, _)| n).sum(),
            requests_retried: http.requests_retried(),
            total_findings: findings.len(),
            findings: by_severity,
            failed: false,
        },
        findings,
        warnings,
        writes: http.writes(),
        coverage,
        ..Default::default()
    };
    report.summary.failed = report.fails(fail_on.threshold());
    events.send(ScanEvent::Finished { partial });
    Ok(report)
}

/// The callback listener for the scan: on `options.callback.bind` (default 127.0.0.1:0), reached
/// at `options.callback.url` or its own address. Without a URL the target can reach (a target on
/// another machine and no `callback.url`) the error is the warning that SSRF probes are skipped.
async fn start_listener(
    request: &ScanRequest,
    target: &url::Url,
) -> std::result::Result<crate::oob::Listener, String> {
    let cb = &request.options.callback;
    let public = cb.public_url()?;
    let bind = cb.bind_addr()?;
    let local_target = match target.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if public.is_none() && (!local_target || !bind.ip().is_loopback()) {
        return Err(format!(
            "SSRF probes skipped: the target {} cannot reach a listener on {bind}; give              --callback-url (options.callback.url) with an address it can reach, and              --callback-bind for where nat listens",
            target.host_str().unwrap_or("?")
        ));
    }
    crate::oob::Listener::start(bind, public)
        .await
        .map_err(|e| {
            format!("SSRF probes skipped: the callback listener could not bind {bind}: {e}")
        })
}

/// The identities a scan sends as, for the report: user A and user B when they have credentials,
/// then the named ones.
fn identities_used(request: &ScanRequest) -> Vec<IdentityInfo> {
    let builtin = |name: &str, auth: &crate::request::AuthConfig| IdentityInfo {
        name: name.into(),
        role: None,
        level: None,
        auth: auth.effective_type(),
    };
    let mut out = Vec::new();
    if request.auth.effective_type() != crate::request::AuthType::None {
        out.push(builtin("user", &request.auth));
    }
    if let Some(b) = &request.auth_b {
        out.push(builtin("user_b", b));
    }
    out.extend(request.identities.iter().map(IdentityInfo::of));
    out
}

/// Why a logout operation gets no baseline.
const LOGOUT_NOT_SENT: &str =
    "a logout operation is never sent with the scan's own sessions (only \
     the logout check calls it, with a session of its own)";

/// The coverage of every operation of the description, in its order: what scanning each gave
/// (`covered`), or why it was not sent (`not_sent`), with the requests the client counted for it.
/// Reasons are scrubbed of secrets (a check's reason may quote an answer).
fn coverage(
    spec: &ApiSpec,
    mut covered: HashMap<String, OperationCoverage>,
    mut not_sent: HashMap<String, String>,
    http: &HttpClient,
) -> Vec<OperationCoverage> {
    let mut sent = http.sent_by_operation();
    let mut out = Vec::with_capacity(spec.operations.len());
    for op in &spec.operations {
        let endpoint = op.endpoint();
        let mut entry = match covered.remove(&endpoint) {
            Some(entry) => entry,
            None => OperationCoverage {
                endpoint: endpoint.clone(),
                status: CoverageStatus::NotSent,
                reason: Some(
                    not_sent
                        .remove(&endpoint)
                        .unwrap_or_else(|| "not selected for the scan".to_string()),
                ),
                security: if op.requires_auth() {
                    SecuritySource::Declared
                } else {
                    SecuritySource::None
                },
                ..Default::default()
            },
        };
        if let Some(by_identity) = sent.remove(&endpoint) {
            entry.requests = by_identity.iter().map(|(_, n)| n).sum();
            entry.identities = by_identity.into_iter().map(|(who, _)| who).collect();
        }
        entry.reason = entry.reason.map(|r| http.scrub(&r));
        entry.baseline_problems = entry
            .baseline_problems
            .iter()
            .map(|p| http.scrub(p))
            .collect();
        for skip in &mut entry.checks_skipped {
            skip.reason = http.scrub(&skip.reason);
        }
        out.push(entry);
    }
    out
}

/// Why the scan stopped, for the coverage of the operations it did not finish.
fn stop_reason(ctx: &ScanContext) -> String {
    let why = if ctx.http.budget_spent() {
        "the request budget was spent (--max-requests)"
    } else if ctx.http.target_down() {
        "the target stopped answering"
    } else {
        "the scan was cancelled"
    };
    format!("the scan stopped before this operation was finished: {why}")
}

/// What scanning one operation gave.
struct OpResult {
    findings: Vec<Finding>,
    warnings: Vec<String>,
    completed: bool,
    coverage: OperationCoverage,
}

async fn scan_operation(
    ctx: &ScanContext,
    checks: &[&'static dyn Check],
    op: &Operation,
    events: &Events,
) -> OpResult {
    let endpoint = op.endpoint();
    let mut out = OpResult {
        findings: Vec::new(),
        warnings: Vec::new(),
        completed: false,
        coverage: OperationCoverage {
            endpoint: endpoint.clone(),
            status: CoverageStatus::NotCompleted,
            security: if op.requires_auth() {
                SecuritySource::Declared
            } else {
                SecuritySource::None
            },
            ..Default::default()
        },
    };
    if ctx.should_stop() {
        out.coverage.reason = Some(stop_reason(ctx));
        return out;
    }
    events.send(ScanEvent::OperationStarted {
        endpoint: endpoint.clone(),
    });
    // A write on one object is probed on an object nat creates for it whenever the description can
    // create one; in the default mode there is no other way.
    let own_object = super::writes_one_object(op)
        && ctx.safety != Safety::Safe
        && (ctx.safety == Safety::Default || super::creator_of(&ctx.spec, op).is_some());
    let mut created_by_nat = false;
    // Synthesised once; the notes name values nat could not make valid, the first suspects when the
    // baseline is refused.
    let (synthesised, notes) = RequestValues::valid_noted(op);
    let values = if own_object {
        match ctx.create_object(op).await {
            Ok((values, _)) => {
                created_by_nat = true;
                values
            }
            Err(_) if ctx.safety == Safety::Destructive => ctx.resources.apply(op, synthesised),
            Err(why) => return not_probed(ctx, events, out, endpoint, &why),
        }
    } else if ctx.creators.contains(&endpoint) {
        // A create on a collection of objects: distinct strings, so that an API wanting unique
        // titles or names takes it (again on a second scan of the same target).
        ctx.resources.apply(op, synthesised).distinct(op)
    } else {
        ctx.resources.apply(op, synthesised)
    };
    // A write on the caller's own account sends what the account holds now (read first): the
    // baseline changes nothing, and the checks that follow put back what they change.
    let values = if own_account_write(&ctx.spec, op) {
        match current_values(ctx, op, values).await {
            Ok(values) => values,
            Err((why, values)) if ctx.safety == Safety::Destructive => {
                out.warnings
                    .push(format!("{endpoint}: {why}; sent the synthesised body"));
                values
            }
            Err((why, _)) => return not_probed(ctx, events, out, endpoint, &why),
        }
    } else {
        values
    };
    let mut values = keep_identity(op, values);
    let mut request = values.render(op);
    out.warnings
        .extend(notes.into_iter().map(|n| format!("{endpoint}: {n}")));
    let logout = checks::logout::is_logout_operation(op);
    let baseline: Exchange = if logout {
        // Sent as the scan's users, a logout would end the session every other probe relies on.
        Exchange {
            request: crate::http::RecordedRequest {
                method: request.method.clone(),
                url: ctx.http.url_for(&request).to_string(),
                ..Default::default()
            },
            error: Some(LOGOUT_NOT_SENT.into()),
            ..Default::default()
        }
    } else {
        ctx.send(&Who::User, &request).await
    };
    let mut baseline = baseline;
    // A validating API's 400/422 that says what was wrong: repair the request once.
    if let Some(resp) = baseline
        .response
        .as_ref()
        .filter(|r| matches!(r.status, 400 | 422))
    {
        let problems = resp
            .json()
            .map(|body| super::repair::problems(op, &body))
            .unwrap_or_default();
        if !problems.is_empty() {
            let said: Vec<String> = problems.iter().map(|p| p.describe()).collect();
            out.coverage.baseline_problems = said.clone();
            let mut warning = format!(
                "{endpoint}: the user's request answered {}: {}",
                resp.status,
                said.join("; ")
            );
            if let Some(fixed) = super::repair::repaired(op, &values, &problems) {
                let fixed_request = fixed.render(op);
                let again = ctx.send(&Who::User, &fixed_request).await;
                match again.status() {
                    Some(status) => {
                        warning.push_str(&format!("; repaired once, it answered {status}"));
                        values = fixed;
                        request = fixed_request;
                        baseline = again;
                        out.coverage.repaired = true;
                    }
                    None => warning.push_str("; the repaired request failed"),
                }
            }
            out.warnings.push(warning);
        }
    }
    out.coverage.baseline = baseline.status();
    if logout {
        if ctx.http.login_identity().is_none() {
            out.warnings.push(format!(
                "{endpoint}: not probed: {LOGOUT_NOT_SENT}, and no identity logs in (auth type `login`)"
            ));
            out.coverage.status = CoverageStatus::NotSent;
            out.coverage.reason = Some(
                "a logout is never sent with the scan's own session, and no identity logs in \
                 (auth type `login`) for the logout check to log out a session of its own"
                    .into(),
            );
        } else {
            out.coverage.reason = Some(
                "a logout: never sent with the scan's own session; the logout check sends it \
                 with a session of its own"
                    .into(),
            );
        }
    } else if let Some(err) = &baseline.error {
        if !ctx.should_stop() {
            out.warnings
                .push(format!("{endpoint}: baseline request failed: {err}"));
        }
    } else if let Some(status) = baseline.status().filter(|s| !(200..300).contains(s)) {
        // The happy path failed: nothing of the user's to compare another caller's answer with.
        out.warnings.push(format!(
            "{endpoint}: not attacked as another caller (BOLA, auth bypass, mass assignment): the \
             user's own request answered {status}"
        ));
    }
    // A description that declares no security says nothing: when the user's read was answered and an
    // anonymous one is refused, the operation is secured in fact, and checked as such.
    let inferred: Operation;
    let op = if !op.requires_auth()
        && op.method == "GET"
        && baseline.is_success()
        && ctx.http.user_has_credentials()
        && !ctx.should_stop()
    {
        let anonymous = ctx.send(&Who::Anonymous, &request).await;
        match anonymous.status() {
            Some(status @ (401 | 403)) => {
                out.warnings.push(format!(
                    "{endpoint}: treated as secured: the description declares no security, but an \
                     anonymous request was refused ({status}) while the user's was answered"
                ));
                inferred = Operation {
                    security: vec![std::collections::BTreeMap::from([(
                        crate::spec::INFERRED_SCHEME.to_string(),
                        Vec::new(),
                    )])],
                    ..op.clone()
                };
                out.coverage.security = SecuritySource::Inferred;
                &inferred
            }
            _ => op,
        }
    } else {
        op
    };
    let target = Target {
        op,
        values: &values,
        request: &request,
        baseline: &baseline,
        created_by_nat,
    };
    let mut applying: Vec<&'static dyn Check> = Vec::new();
    for c in checks.iter().copied().filter(|c| c.per_operation()) {
        match c.applies(&target) {
            Ok(()) => applying.push(c),
            Err(skip) => out.coverage.checks_skipped.push(SkippedCheck {
                check: c.meta().id.to_string(),
                reason: skip.reason().to_string(),
                blocked: skip.is_blocked(),
            }),
        }
    }
    let runs = applying.iter().map(|c| c.run(ctx, &target));
    for found in futures::future::join_all(runs).await {
        for f in found {
            events.send(ScanEvent::Finding(Box::new(f.clone())));
            out.findings.push(f);
        }
    }
    // A check that gave up while running said why; it did not test the operation.
    let mut gave_up = ctx.take_skips(&endpoint);
    for c in applying {
        let id = c.meta().id;
        match gave_up.remove(id) {
            Some(reason) => out.coverage.checks_skipped.push(SkippedCheck {
                check: id.to_string(),
                reason,
                blocked: true,
            }),
            None => out.coverage.checks_run.push(id.to_string()),
        }
    }
    // In the order the checks run, like `checks_run`.
    out.coverage.checks_skipped.sort_by_key(|s| {
        checks
            .iter()
            .position(|c| c.meta().id == s.check)
            .unwrap_or(usize::MAX)
    });
    // Writes that succeeded may have ended a session (a password, an e-mail, an account changed or
    // deleted): said at once, and nothing more is sent as that identity.
    for broken in ctx.http.check_sessions(&endpoint).await {
        events.send(ScanEvent::Warning(broken.clone()));
        out.warnings.push(broken);
    }
    out.completed = !ctx.should_stop();
    if out.completed {
        if out.coverage.status == CoverageStatus::NotCompleted {
            out.coverage.status = CoverageStatus::Probed;
        }
    } else {
        out.coverage.status = CoverageStatus::NotCompleted;
        out.coverage.reason = Some(stop_reason(ctx));
    }
    events.send(ScanEvent::OperationFinished { endpoint });
    out
}

/// Ends an operation nat does not probe after all (no object of its own to write, no account read
/// first): the warning and the coverage say why, unless the scan stopped meanwhile.
fn not_probed(
    ctx: &ScanContext,
    events: &Events,
    mut out: OpResult,
    endpoint: String,
    why: &str,
) -> OpResult {
    if ctx.should_stop() {
        out.coverage.reason = Some(stop_reason(ctx));
    } else {
        out.warnings.push(format!("{endpoint}: not probed ({why})"));
        out.coverage.status = CoverageStatus::NotSent;
        out.coverage.reason = Some(format!("not probed: {why}"));
    }
    out.completed = !ctx.should_stop();
    events.send(ScanEvent::OperationFinished { endpoint });
    out
}

/// The endpoints of the operations that create the objects of some item path (`POST /notes`, or
/// the `PUT /books` of an API that creates with `PUT`): sent in the default mode like any create.
/// Computed once per scan (each operation's creator is one lookup).
fn creators(spec: &ApiSpec) -> HashSet<String> {
    spec.operations
        .iter()
        .filter_map(|item| super::creator_of(spec, item))
        .filter(|c| matches!(c.method.as_str(), "POST" | "PUT") && !c.path.ends_with('}'))
        .map(Operation::endpoint)
        .collect()
}

/// True for a `PUT`/`PATCH` on the caller's own account object (`PUT /api/user`, `PATCH /me`) that
/// the description can read back with a `GET` on the same path.
fn own_account_write(spec: &ApiSpec, op: &Operation) -> bool {
    matches!(op.method.as_str(), "PUT" | "PATCH")
        && checks::mass_assignment::is_own_object(&op.path)
        && spec
            .operations
            .iter()
            .any(|r| r.method == "GET" && r.path == op.path)
}

/// `values` with the body holding what the account holds now: each field the read answer has
/// takes its current value, the others are left out (inside a wrapping object such as
/// `{"user": {…}}` when both sides have it). Errors say why not, with `values` unchanged.
async fn current_values(
    ctx: &ScanContext,
    op: &Operation,
    mut values: RequestValues,
) -> std::result::Result<RequestValues, (String, RequestValues)> {
    fn merge(
        body: &mut serde_json::Map<String, serde_json::Value>,
        now: &serde_json::Map<String, serde_json::Value>,
    ) {
        if body.len() == 1 {
            if let Some((key, serde_json::Value::Object(inner))) = body.iter_mut().next() {
                if let Some(serde_json::Value::Object(current)) = now.get(key.as_str()) {
                    return merge(inner, current);
                }
            }
        }
        body.retain(|k, _| now.contains_key(k));
        for (k, v) in body.iter_mut() {
            if let Some(current) = now.get(k) {
                *v = current.clone();
            }
        }
    }
    let Some(read_op) = ctx
        .spec
        .operations
        .iter()
        .find(|r| r.method == "GET" && r.path == op.path)
    else {
        return Err((
            "no read of the account to write it back unchanged".into(),
            values,
        ));
    };
    let read = ctx
        .send(&Who::User, &RequestValues::valid(read_op).render(read_op))
        .await;
    let now = read
        .response
        .as_ref()
        .filter(|r| r.is_success())
        .and_then(|r| r.json());
    match (now, values.body.as_mut()) {
        (Some(serde_json::Value::Object(now)), Some(serde_json::Value::Object(body))) => {
            merge(body, &now);
            Ok(values)
        }
        (_, None) => Ok(values),
        _ => Err((
            format!(
                "nat could not read the account first to write it back unchanged ({} answered {})",
                read_op.endpoint(),
                read.status()
                    .map_or_else(|| "nothing".to_string(), |s| s.to_string())
            ),
            values,
        )),
    }
}

/// A write on the caller's own object (`PUT /api/user`, `PATCH /me`) leaves out what identifies or
/// authenticates the account (username, e-mail, password, keys): sent with the description's example
/// values, they would change the credentials of the identity nat scans as and lock it out.
fn keep_identity(op: &Operation, mut values: RequestValues) -> RequestValues {
    fn strip(v: &mut serde_json::Value, depth: usize) {
        if let serde_json::Value::Object(map) = v {
            map.retain(|k, _| !checks::mass_assignment::is_identity_field(k));
            if depth < 2 {
                map.values_mut().for_each(|inner| strip(inner, depth + 1));
            }
        }
    }
    if op.is_state_changing() && checks::mass_assignment::is_own_object(&op.path) {
        if let Some(body) = values.body.as_mut() {
            strip(body, 0);
        }
    }
    values
}

/// Loads the description the request names, or discovers it on the target.
async fn load_spec(
    request: &ScanRequest,
    probe: &HttpClient,
    policy: Option<&crate::http::guard::Policy>,
) -> Result<(ApiSpec, String)> {
    if let Some(content) = &request.spec_content {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content.trim())
            .map_err(|e| NatError::Input(format!("spec_content is not valid base64: {e}")))?;
        // Submitted content may not make nat read local files or fetch URLs through its `$ref`s.
        let spec =
            crate::parse::off_runtime(move || spec::from_bytes_isolated(&bytes, "spec_content"))
                .await?;
        return Ok((spec, "spec_content".into()));
    }
    if let Some(location) = &request.spec_url {
        let spec = spec::load_guarded(location, policy).await?;
        return Ok((spec, location.clone()));
    }
    discover(probe).await
}

/// Tries the usual places of a description on the target.
async fn discover(probe: &HttpClient) -> Result<(ApiSpec, String)> {
    let mut tried = Vec::new();
    let mut unreachable = None;
    for path in spec::DISCOVERY_PATHS {
        let req = crate::http::RequestSpec {
            method: "GET".into(),
            path: (*path).into(),
            ..Default::default()
        };
        let ex = probe.send(&Who::User, &req).await;
        tried.push(*path);
        match &ex.response {
            Some(resp) if resp.is_success() && !resp.truncated => {
                let origin = ex.request.url.clone();
                match spec::from_bytes(&resp.body, &origin) {
                    Ok(spec) => return Ok((spec, origin)),
                    Err(_) => continue,
                }
            }
            Some(_) => {}
            None => {
                // Nothing answers at all: no point trying the other places.
                if tried.len() == 1 {
                    unreachable = ex.error.clone();
                    break;
                }
            }
        }
    }
    if let Some(reason) = unreachable {
        return Err(NatError::Scan(format!(
            "cannot reach target {}: {reason}",
            probe.base_url()
        )));
    }
    Err(NatError::Spec(spec::SpecError::NotFound {
        target: probe.base_url().to_string(),
        tried: tried.join(", "),
    }))
}

/// The base URL requests go to: the target's, with the description's first server path appended when
/// the target URL has no path of its own (`http://host` + `servers: [/api/v3]` → `http://host/api/v3`).
pub fn effective_base(target: &url::Url, servers: &[String]) -> url::Url {
    let mut base = target.clone();
    if base.path() != "/" && !base.path().is_empty() {
        return base;
    }
    let Some(server) = servers.first() else {
        return base;
    };
    let path = match url::Url::parse(server) {
        Ok(u) => u.path().to_string(),
        Err(_) => server.split(['?', '#']).next().unwrap_or("").to_string(),
    };
    let path = path.trim_end_matches('/');
    if !path.is_empty() {
        base.set_path(&format!("/{}", path.trim_start_matches('/')));
    }
    base
}

/// `--exclude` patterns ([`crate::pattern::PathPattern`]), matched against the path template alone
/// and with the base path before it.
struct Excluder {
    patterns: Vec<(crate::pattern::PathPattern, std::cell::Cell<bool>)>,
    base_path: String,
}

impl Excluder {
    fn new(patterns: &[String], base_path: &str) -> Result<Self> {
        let patterns = patterns
            .iter()
            .map(|p| {
                crate::pattern::PathPattern::new(p)
                    .map(|p| (p, std::cell::Cell::new(false)))
                    .map_err(|e| NatError::Input(format!("exclude pattern `{p}`: {e}")))
            })
            .collect::<Result<_>>()?;
        Ok(Excluder {
            patterns,
            base_path: base_path.trim_end_matches('/').to_string(),
        })
    }

    /// True when some pattern matches `path`; remembers which patterns matched anything.
    fn excludes(&self, path: &str) -> bool {
        let full = format!("{}{}", self.base_path, path);
        let mut any = false;
        for (p, used) in &self.patterns {
            if p.matches(path) || p.matches(&full) {
                used.set(true);
                any = true;
            }
        }
        any
    }

    /// Patterns that matched no operation (asked after every operation was tried).
    fn unused(&self) -> Vec<&str> {
        self.patterns
            .iter()
            .filter(|(_, used)| !used.get())
            .map(|(p, _)| p.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_path_is_honoured_only_without_a_target_path() {
        let t = url::Url::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            effective_base(&t, &["/api/v3".into()]).as_str(),
            "http://127.0.0.1:8080/api/v3"
        );
        assert_eq!(
            effective_base(&t, &["https://prod.example.com/v1/".into()]).as_str(),
            "http://127.0.0.1:8080/v1"
        );
        let t2 = url::Url::parse("http://127.0.0.1:8080/custom").unwrap();
        assert_eq!(
            effective_base(&t2, &["/api/v3".into()]).as_str(),
            "http://127.0.0.1:8080/custom"
        );
        assert_eq!(effective_base(&t, &[]).as_str(), "http://127.0.0.1:8080/");
    }

    #[tokio::test]
    async fn a_callback_listener_only_where_the_target_can_reach_it() {
        let mut req = ScanRequest::default();
        let far = url::Url::parse("http://192.0.2.10/api").unwrap();
        let near = url::Url::parse("http://127.0.0.1:9/").unwrap();
        // A target on another machine and no URL it can reach the listener at: skipped, naming
        // the flag (nothing is sent: the decision is made before any probe).
        let why = start_listener(&req, &far).await.err().unwrap();
        assert!(why.contains("--callback-url"), "{why}");
        // On this machine: a loopback listener.
        let l = start_listener(&req, &near).await.unwrap();
        assert!(l.url_for("t").starts_with("http://127.0.0.1:"));
        // A listener bound elsewhere needs its public URL too.
        req.options.callback.bind = Some("0.0.0.0:0".into());
        assert!(start_listener(&req, &near).await.is_err());
        req.options.callback.url = Some("http://10.0.0.5:8000/cb/".into());
        let l = start_listener(&req, &far).await.unwrap();
        assert_eq!(l.url_for("t"), "http://10.0.0.5:8000/cb/nat/t");
    }

    #[test]
    fn writes_on_the_callers_own_object_leave_its_identity_alone() {
        let op = Operation::new;
        let values = || RequestValues {
            params: vec![],
            body: Some(serde_json::json!({"user": {
                "email": "user@example.com", "username": "string", "password": "string",
                "bio": "string", "admin": false
            }})),
            content_type: Some("application/json".into()),
        };
        let kept = keep_identity(&op("PUT", "/api/user"), values());
        assert_eq!(
            kept.body,
            Some(serde_json::json!({"user": {"bio": "string", "admin": false}}))
        );
        // Not the caller's own object, or a read: unchanged.
        assert_eq!(
            keep_identity(&op("PUT", "/api/users/{id}"), values()).body,
            values().body
        );
        assert_eq!(
            keep_identity(&op("GET", "/api/user"), values()).body,
            values().body
        );
    }

    #[test]
    fn exclude_matches_template_and_full_path() {
        let e = Excluder::new(
            &["/api/v1/payments/*".into(), "/admin/**".into()],
            "/api/v1",
        )
        .unwrap();
        assert!(e.excludes("/payments/{id}"));
        assert!(e.excludes("/admin/users/{id}"));
        assert!(!e.excludes("/users/{id}"));
        // Regression (issue 10, defect 3): a path template excludes exactly that template.
        let t = Excluder::new(
            &[
                "/users/{id}".into(),
                "/api/v1/orders/{order_id}".into(),
                "/nothing".into(),
            ],
            "/api/v1",
        )
        .unwrap();
        assert!(t.excludes("/users/{id}"));
        assert!(
            t.excludes("/orders/{order_id}"),
            "with the base path before it"
        );
        assert!(!t.excludes("/users/id"));
        assert!(!t.excludes("/orders/{id}"));
        assert_eq!(t.unused(), vec!["/nothing"]);
        let none = Excluder::new(&[], "/").unwrap();
        assert!(!none.excludes("/x"));
    }
}
