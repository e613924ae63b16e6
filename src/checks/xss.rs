//! Reflected cross-site scripting, only where the answer is HTML (`text/html`, or no content type and
//! a body a browser sniffs as HTML): a string slot gets markup with a random marker, breaking out of
//! an attribute first (`"'><nat-…>`), and the answer must carry that markup unescaped outside text-only
//! contexts (comments, `<textarea>`, `<title>`, `<script>`, `<style>`), then an event-handler markup
//! with another marker too. Never reported on an answer of another type (JSON shows markup as data).

use super::inband;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, RecordedResponse};
use async_trait::async_trait;

/// The check.
pub struct ReflectedXss;

static META: CheckMeta = CheckMeta {
    id: "NAT-INJ-XSS",
    title: "Injection: reflected cross-site scripting",
    short_title: "Reflected XSS",
    owasp: "API8",
    cwe: "CWE-79",
    severity: Severity::Medium,
    confidence: Confidence::Firm,
    description: "An HTML answer carries input as markup, unescaped: a tag and an event handler nat \
                  sent came back as written, so a link with such a value runs a script in the site's \
                  origin in the browser of whoever opens it.",
    remediation: "Encode input for the context it lands in (HTML-escape `<`, `>`, `&`, `\"` and `'` in \
                  text and attributes), preferably through a template engine that escapes by default; \
                  serve data as `application/json`, and add a Content-Security-Policy as a second \
                  line of defence.",
};

/// Elements whose contents are text, not markup, and comments: markup reflected inside is inert.
const TEXT_ONLY: &[&str] = &[
    "textarea",
    "title",
    "script",
    "style",
    "xmp",
    "noscript",
    "noembed",
    "noframes",
    "iframe",
    "plaintext",
];

/// The media type of an answer, lowercased, without parameters.
fn media_type(resp: &RecordedResponse) -> Option<String> {
    resp.header("content-type").map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

/// True when a browser renders the answer as HTML: its content type says so, or there is none and
/// the body starts as the WHATWG sniffing rules recognise HTML.
fn is_html(resp: &RecordedResponse) -> bool {
    match media_type(resp) {
        Some(media) => media == "text/html" || media == "application/xhtml+xml",
        None => sniffs_as_html(&resp.body),
    }
}

/// The WHATWG MIME sniffing patterns of HTML: after leading whitespace, one of these tags
/// (case-insensitive) followed by a space or `>`.
fn sniffs_as_html(body: &[u8]) -> bool {
    const TAGS: &[&str] = &[
        "<!doctype html",
        "<html",
        "<head",
        "<script",
        "<iframe",
        "<h1",
        "<div",
        "<font",
        "<table",
        "<a",
        "<style",
        "<title",
        "<b",
        "<body",
        "<br",
        "<p",
        "<!--",
    ];
    let start = body
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r'))
        .unwrap_or(body.len());
    let body = &body[start..];
    TAGS.iter().any(|tag| {
        body.len() > tag.len()
            && body[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
            && matches!(body[tag.len()], b' ' | b'>')
    })
}

/// True when position `at` of `html` lies inside a comment or a text-only element.
fn inert_at(html: &str, at: usize) -> bool {
    let before = html[..at].to_ascii_lowercase();
    let last = |needle: &str| before.rfind(needle);
    let in_comment = match (last("<!--"), last("-->")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    };
    in_comment
        || TEXT_ONLY.iter().any(|tag| {
            let open = last(&format!("<{tag}>")).max(last(&format!("<{tag} ")));
            let close = last(&format!("</{tag}"));
            open.is_some() && open > close
        })
}

/// True when `markup` comes back unescaped in the HTML answer, somewhere a browser parses it as
/// markup.
fn reflected(ex: &Exchange, markup: &str) -> bool {
    let Some(resp) = ex.response.as_ref().filter(|r| is_html(r)) else {
        return false;
    };
    let html = resp.text();
    html.match_indices(markup)
        .any(|(at, _)| !inert_at(&html, at))
}

#[async_trait]
impl Check for ReflectedXss {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            !inband::string_slots(target).is_empty(),
            inband::NO_STRING_SLOTS,
        )?;
        super::baseline_answered(target)?;
        match &target.baseline.response {
            Some(r) if !is_html(r) => Err(super::Skip::new(match media_type(r) {
                Some(media) => format!("the answer is not HTML but {media}"),
                None => "the answer has no content type and does not look like HTML".into(),
            })),
            _ => Ok(()),
        }
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        if !inband::may_inject(ctx, target, &META) {
            return vec![];
        }
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: target.op.is_state_changing(),
        };
        let mut findings = Vec::new();
        for (slot, _) in inband::string_slots(target) {
            if ctx.should_stop() {
                break;
            }
            let tag = format!("<nat-{}>", inband::token());
            let first = inband::send(ctx, target, &slot, &format!("\"'>{tag}")).await;
            if !reflected(&first, &tag) || ctx.should_stop() {
                continue;
            }
            let handler = format!("<svg/onload=nat{}>", inband::token());
            let second = inband::send(ctx, target, &slot, &format!("\"'>{handler}")).await;
            if !reflected(&second, &handler) {
                continue;
            }
            let labels = [
                format!("1. `{tag}` came back unescaped in the HTML answer"),
                format!("2. another marker, `{handler}`, came back unescaped too"),
            ];
            findings.push(META.finding(
                target,
                META.severity,
                &slot.describe(),
                ctx.labelled_evidence(&[(&labels[0], &first), (&labels[1], &second)]),
                factors,
            ));
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(content_type: Option<&str>, body: &str) -> Exchange {
        Exchange {
            response: Some(RecordedResponse {
                status: 200,
                headers: content_type
                    .map(|ct| vec![("Content-Type".to_string(), ct.to_string())])
                    .unwrap_or_default(),
                body: bytes::Bytes::from(body.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    const TAG: &str = "<nat-abc12345>";

    #[test]
    fn markup_reflected_raw_in_html_counts() {
        let page = format!("<html><body><h1>Results for \"'>{TAG}</h1></body></html>");
        assert!(reflected(
            &answer(Some("text/html; charset=utf-8"), &page),
            TAG
        ));
        // No content type, a body a browser sniffs as HTML.
        assert!(reflected(
            &answer(None, &format!("\n <!DOCTYPE html>{page}")),
            TAG
        ));
        // Inside an attribute, broken out of.
        let attr = format!("<html><input value=\"\"'>{TAG}\"></html>");
        assert!(reflected(&answer(Some("text/html"), &attr), TAG));
    }

    #[test]
    fn json_and_other_types_never_count() {
        let json = format!("{{\"q\":\"\\\"'>{TAG}\"}}");
        assert!(!reflected(&answer(Some("application/json"), &json), TAG));
        assert!(!reflected(&answer(Some("text/plain"), TAG), TAG));
        // No content type and no HTML start: not sniffed as HTML.
        assert!(!reflected(&answer(None, &format!("results: {TAG}")), TAG));
    }

    #[test]
    fn escaped_or_inert_reflections_do_not_count() {
        let escaped = "<html><h1>Results for &quot;&#x27;&gt;&lt;nat-abc12345&gt;</h1></html>";
        assert!(!reflected(&answer(Some("text/html"), escaped), TAG));
        for inert in [
            format!("<html><textarea name=q>{TAG}</textarea></html>"),
            format!("<html><title>{TAG}</title></html>"),
            format!("<html><!-- searched {TAG} --></html>"),
            format!("<html><script>var q = '{TAG}';</script></html>"),
        ] {
            assert!(
                !reflected(&answer(Some("text/html"), &inert), TAG),
                "{inert}"
            );
        }
        // After a closed text-only element, markup counts again.
        let after = format!("<html><title>Search</title><h1>{TAG}</h1></html>");
        assert!(reflected(&answer(Some("text/html"), &after), TAG));
    }

    #[test]
    fn sniffing_follows_the_whatwg_patterns() {
        assert!(sniffs_as_html(b"<html lang=en>"));
        assert!(sniffs_as_html(b"  <P>text"));
        assert!(!sniffs_as_html(b"<pre>"));
        assert!(!sniffs_as_html(b"{\"a\":1}"));
        assert!(!sniffs_as_html(b"<html"));
    }
}
