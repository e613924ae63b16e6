//! Server-side template injection: a string slot whose value the answer reflects gets an expression
//! multiplying two random numbers in each common template syntax (`{{A*B}}`, `${A*B}`, `<%= A*B %>`,
//! …). Proven when the product appears in the answer and the expression does not, for two different
//! random pairs, while the baseline lacks the product and the same multiplication without template
//! syntax (the control) is not evaluated.

use super::inband::{self, body};
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use async_trait::async_trait;
use rand::Rng;

/// The check.
pub struct TemplateInjection;

static META: CheckMeta = CheckMeta {
    id: "NAT-INJ-SSTI",
    title: "Injection: server-side template injection",
    short_title: "Template injection",
    owasp: "API8",
    cwe: "CWE-1336",
    severity: Severity::High,
    confidence: Confidence::Certain,
    description: "Input becomes part of a server-side template: an expression in the template's syntax \
                  was evaluated (the product of two random numbers came back, twice, for different \
                  numbers), while the same multiplication outside template syntax was not. Template \
                  expressions usually reach the engine's objects and, from there, code execution on \
                  the server.",
    remediation: "Never build a template from input: pass input to a fixed template as data (a \
                  context variable), or use a logic-less engine. If users must write templates, \
                  render them in a sandboxed engine with no access to objects or functions.",
};

/// Template syntaxes: (engines using it, opening, closing), most common first.
const SYNTAXES: &[(&str, &str, &str)] = &[
    ("Jinja2, Twig, Nunjucks", "{{", "}}"),
    (
        "FreeMarker, Mako, JSP/Spring EL, JavaScript template literals",
        "${",
        "}",
    ),
    ("ERB, EJS", "<%= ", " %>"),
    ("Ruby interpolation, Pug, JSF EL", "#{", "}"),
    ("doT", "{{=", "}}"),
    ("Razor", "@(", ")"),
    ("Smarty", "{", "}"),
];

/// Two random numbers of four digits whose product (seven or eight digits) shows in neither the
/// expression's text nor the two numbers side by side, so no echo of the input passes for it.
fn pair() -> (u64, u64) {
    let mut rng = rand::rng();
    loop {
        let (a, b) = (
            rng.random_range(1000..10_000),
            rng.random_range(1000..10_000),
        );
        let product = (a * b).to_string();
        if a != b && !format!("{a}{b}{a}").contains(&product) {
            return (a, b);
        }
    }
}

/// True when `answer` shows `a` times `b` evaluated: the product is there, the expression is not.
fn evaluated(answer: &str, (a, b): (u64, u64)) -> bool {
    answer.contains(&(a * b).to_string()) && !answer.contains(&format!("{a}*{b}"))
}

/// The proof: both pairs evaluated, the baseline without either product, and the control (the
/// second pair's multiplication without template syntax) not evaluated.
fn proven(
    baseline: &str,
    first: (&str, (u64, u64)),
    second: (&str, (u64, u64)),
    control: &str,
) -> bool {
    let products = [first.1, second.1].map(|(a, b)| (a * b).to_string());
    evaluated(first.0, first.1)
        && evaluated(second.0, second.1)
        && products.iter().all(|p| !baseline.contains(p.as_str()))
        && !evaluated(control, second.1)
}

#[async_trait]
impl Check for TemplateInjection {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            !inband::string_slots(target).is_empty(),
            inband::NO_STRING_SLOTS,
        )?;
        super::baseline_answered(target)
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        if !inband::may_inject(ctx, target, &META) {
            return vec![];
        }
        let baseline = body(target.baseline);
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: target.op.is_state_changing(),
        };
        let mut findings = Vec::new();
        for (slot, _) in inband::string_slots(target) {
            if ctx.should_stop() {
                break;
            }
            // A template renders plain text as itself: a value the answer does not reflect is not
            // rendered where nat can see the result, so no expression there could prove anything.
            let marker = inband::token();
            if !body(&inband::send(ctx, target, &slot, &marker).await).contains(&marker) {
                continue;
            }
            for (engines, open, close) in SYNTAXES {
                if ctx.should_stop() {
                    break;
                }
                let expression = |(a, b): (u64, u64)| format!("{open}{a}*{b}{close}");
                let first_pair = pair();
                let first = inband::send(ctx, target, &slot, &expression(first_pair)).await;
                if !evaluated(&body(&first), first_pair) {
                    continue;
                }
                let second_pair = loop {
                    let p = pair();
                    if p != first_pair {
                        break p;
                    }
                };
                let second = inband::send(ctx, target, &slot, &expression(second_pair)).await;
                let bare = format!("{}*{}", second_pair.0, second_pair.1);
                let control = inband::send(ctx, target, &slot, &bare).await;
                if control.response.is_none()
                    || !proven(
                        &baseline,
                        (&body(&first), first_pair),
                        (&body(&second), second_pair),
                        &body(&control),
                    )
                {
                    continue;
                }
                let said = |(a, b): (u64, u64)| {
                    format!(
                        "`{}` answered with {}, not the expression",
                        expression((a, b)),
                        a * b
                    )
                };
                let labels = [
                    format!("1. {engines} syntax: {}", said(first_pair)),
                    format!("2. another pair: {}", said(second_pair)),
                    format!(
                        "3. control, `{bare}` without template syntax: not evaluated (no {})",
                        second_pair.0 * second_pair.1
                    ),
                ];
                findings.push(META.finding(
                    target,
                    META.severity,
                    &slot.describe(),
                    ctx.labelled_evidence(&[
                        (&labels[0], &first),
                        (&labels[1], &second),
                        (&labels[2], &control),
                    ]),
                    factors,
                ));
                break;
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: (u64, u64) = (1234, 5678); // 7006652
    const P2: (u64, u64) = (4321, 8765); // 37873565

    #[test]
    fn two_evaluated_pairs_and_an_unevaluated_control_prove_it() {
        assert!(proven(
            "Hello world!",
            ("Hello 7006652!", P1),
            ("Hello 37873565!", P2),
            "Hello 4321*8765!",
        ));
    }

    #[test]
    fn an_echo_of_the_expression_proves_nothing() {
        // The expression comes back as written (escaped or not), product or no product.
        assert!(!evaluated("Hello {{1234*5678}}!", P1));
        assert!(!evaluated("{\"q\":\"{{1234*5678}}\",\"n\":7006652}", P1));
        assert!(!proven(
            "",
            ("echo 1234*5678 = 7006652", P1),
            ("Hello 37873565!", P2),
            "",
        ));
    }

    #[test]
    fn a_page_that_always_holds_the_product_proves_nothing() {
        let page = "order 7006652 and 37873565";
        assert!(!proven(page, (page, P1), (page, P2), page));
    }

    #[test]
    fn one_pair_or_an_evaluating_control_is_not_enough() {
        // The second pair's product did not come back.
        assert!(!proven("", ("7006652", P1), ("nothing", P2), ""));
        // The multiplication is evaluated without template syntax too: a calculator, not a
        // template.
        assert!(!proven("", ("7006652", P1), ("37873565", P2), "= 37873565"));
    }

    #[test]
    fn pairs_are_four_digit_numbers_whose_product_no_echo_holds() {
        for _ in 0..200 {
            let (a, b) = pair();
            assert!((1000..10_000).contains(&a) && (1000..10_000).contains(&b));
            assert!(!format!("{a}{b}").contains(&(a * b).to_string()));
            assert!(!evaluated(&format!("{{{{{a}*{b}}}}}"), (a, b)));
        }
    }
}
