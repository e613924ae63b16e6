//! SQL injection in path, query and JSON body parameters: by database error text (a quote breaks the
//! statement twice, while the baseline and the quote doubled answer without one), and by a boolean
//! differential (a true/false condition pair answering differently while the baseline is stable and
//! the true condition answers like the baseline).

use super::login::rate_refusal;
use super::signatures::has_sql_error;
use super::similarity::similarity;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, RecordedResponse, Who};
use crate::synth::{param_string, Slot};
use async_trait::async_trait;
use serde_json::{json, Value};

/// The check.
pub struct SqlInjection;

static META: CheckMeta = CheckMeta {
    id: "NAT-INJ-SQLI",
    title: "Injection: SQL injection",
    short_title: "SQL injection",
    owasp: "API8",
    cwe: "CWE-89",
    severity: Severity::High,
    confidence: Confidence::Firm,
    description: "Input reaches an SQL statement without being bound as a parameter: a quote broke the \
                  statement's syntax, or a true and a false condition appended to the value changed the answer.",
    remediation: "Use parameterised queries (prepared statements) or a query builder for every value that \
                  reaches SQL; never build statements by string concatenation. Validate input types.",
};

/// Characters that break out of a quoted SQL value.
const BREAKERS: &[&str] = &["'", "\""];
/// Condition pairs (true, false) appended to a value in a quoted string context.
const STRING_PAIRS: &[(&str, &str)] = &[
    ("' AND '1'='1", "' AND '1'='2"),
    ("' AND 1=1-- ", "' AND 1=2-- "),
];
/// The pair for a numeric context.
const NUMERIC_PAIR: (&str, &str) = (" AND 1=1", " AND 1=2");

/// How close two answers must be to count as the same.
const SAME: f64 = 0.95;
/// Below this, two answers count as different.
const DIFFERENT: f64 = 0.8;

fn sim(a: &Exchange, b: &RecordedResponse) -> f64 {
    a.response.as_ref().map_or(0.0, |r| similarity(r, b))
}

/// True when the exchange was refused for its rate (429, lockout, Retry-After): such an answer
/// depends on the client's history (a per-account lockout counts each injected value apart), never
/// on a condition, so it cannot be one side of a differential.
fn refused(ex: &Exchange) -> bool {
    ex.response.as_ref().is_some_and(rate_refusal)
}

fn looks_numeric(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::String(s) => !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

fn pair_evidence(ctx: &ScanContext, t: &Exchange, f: &Exchange) -> Evidence {
    let (et, ef) = (ctx.evidence(t), ctx.evidence(f));
    Evidence {
        request: format!(
            "# condition true\n{}\n\n# condition false\n{}",
            et.request, ef.request
        ),
        response: format!(
            "# condition true\n{}\n\n# condition false\n{}",
            et.response, ef.response
        ),
    }
}

#[async_trait]
impl Check for SqlInjection {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(!target.probe_slots().is_empty(), super::NO_SLOTS)?;
        super::baseline_answered(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        // A true condition in an UPDATE or DELETE statement reaches every row: injection into a
        // change or a deletion is for throwaway targets only.
        if matches!(target.op.method.as_str(), "PUT" | "PATCH" | "DELETE")
            && ctx.safety != crate::request::Safety::Destructive
        {
            ctx.skipped(
                target,
                &META,
                "injection into a change or a deletion may reach every row; --destructive allows it",
            );
            return vec![];
        }
        let Some(baseline) = &target.baseline.response else {
            return vec![];
        };
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: target.op.is_state_changing(),
        };
        let baseline_has_error = has_sql_error(&baseline.text());
        let send = |slot: &Slot, value: String| {
            let req = target.values.with(slot, json!(value)).render(target.op);
            async move { ctx.send(&Who::User, &req).await }
        };
        // Is the baseline stable? Without that, a differential proves nothing.
        let mut stable: Option<bool> = None;
        let mut findings = Vec::new();
        for (slot, _schema) in target.probe_slots() {
            if ctx.should_stop() {
                break;
            }
            let base_value = target.values.get(&slot).cloned().unwrap_or(Value::Null);
            let base = param_string(&base_value);
            let location = slot.describe();

            let mut found = false;
            if !baseline_has_error {
                for b in BREAKERS {
                    let sql_error = |ex: &Exchange| {
                        ex.response
                            .as_ref()
                            .is_some_and(|r| has_sql_error(&r.text()))
                    };
                    let ex = send(&slot, format!("{base}{b}")).await;
                    if !sql_error(&ex) {
                        continue;
                    }
                    // One error text proves little (a flaky backend, an error of nat's own doing):
                    // the quote must break the statement again, and the same quote doubled (an
                    // escaped quote, valid SQL inside a string) must not.
                    let again = send(&slot, format!("{base}{b}")).await;
                    if !sql_error(&again) {
                        continue;
                    }
                    let control = send(&slot, format!("{base}{b}{b}")).await;
                    if control.response.is_none() || sql_error(&control) || refused(&control) {
                        continue;
                    }
                    findings.push(META.finding(
                        target,
                        META.severity,
                        &location,
                        ctx.labelled_evidence(&[
                            ("the value with a quote: a database error", &ex),
                            ("the same request again: the same error", &again),
                            ("control, the quote doubled (escaped): no error", &control),
                        ]),
                        factors,
                    ));
                    found = true;
                    break;
                }
            }
            if found || ctx.should_stop() {
                continue;
            }

            if stable.is_none() {
                let again = ctx.send(&Who::User, target.request).await;
                stable = Some(
                    !rate_refusal(baseline) && !refused(&again) && sim(&again, baseline) >= 0.98,
                );
            }
            if stable != Some(true) {
                continue;
            }
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            if looks_numeric(&base_value) {
                pairs.push(NUMERIC_PAIR);
            }
            pairs.extend_from_slice(STRING_PAIRS);
            for (t, f) in pairs {
                if ctx.should_stop() {
                    break;
                }
                let te = send(&slot, format!("{base}{t}")).await;
                if refused(&te) || sim(&te, baseline) < SAME {
                    continue;
                }
                let fe = send(&slot, format!("{base}{f}")).await;
                let Some(fr) = fe.response.as_ref() else {
                    continue;
                };
                if refused(&fe) || sim(&te, fr) >= DIFFERENT {
                    continue;
                }
                // Confirm: both conditions answer the same way again.
                let te2 = send(&slot, format!("{base}{t}")).await;
                let fe2 = send(&slot, format!("{base}{f}")).await;
                if !refused(&te2)
                    && !refused(&fe2)
                    && sim(&te2, baseline) >= SAME
                    && sim(&fe2, fr) >= SAME
                {
                    findings.push(
                        META.finding(
                            target,
                            META.severity,
                            &location,
                            pair_evidence(ctx, &te, &fe),
                            factors,
                        )
                        // Confirmed twice over: the differential is the proof.
                        .with_confidence(Confidence::Certain),
                    );
                    break;
                }
            }
        }
        findings
    }
}
