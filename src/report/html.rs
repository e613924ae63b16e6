//! One self-contained HTML page: inline CSS and JS only, no external reference of any kind (a
//! Content-Security-Policy with `default-src 'none'` and hashes of the inline style and script makes
//! the browser refuse anything else). Evidence and every other report text is escaped; prose written
//! in Markdown (check descriptions, remediation) goes through pulldown-cmark with raw HTML turned into
//! text and links into their text, so no markup or URL from a report can become live.

use super::markdown::{by_owasp, state_words};
use super::text::{escape_markup as esc, owasp_label, severity_label};
use super::{BaselineState, ScanReport};
use crate::checks::CHECKS;
use crate::findings::{Finding, Severity, Status};
use base64::Engine as _;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};
use std::fmt::Write;

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--bg:#f6f7f9;--card:#fff;--line:#dde1e7;
--critical:#7a1020;--high:#c2410c;--medium:#a16207;--low:#1d4ed8;--info:#4b5563}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1100px;margin:0 auto;padding:16px 20px}
header{border-bottom:1px solid var(--line)}
h1{font-size:1.5rem;margin:.2em 0}
h2{font-size:1.2rem;margin:1.4em 0 .5em}
.meta{color:var(--muted);margin:0;display:grid;grid-template-columns:max-content 1fr;gap:2px 14px}
.meta dt{font-weight:600}.meta dd{margin:0;overflow-wrap:anywhere}
.verdict{display:inline-block;padding:4px 10px;border-radius:6px;font-weight:600;margin:8px 0}
.verdict.fail{background:#fde8e8;color:#8b1c1c}.verdict.pass{background:#e6f4ea;color:#1e5b2f}.verdict.none{background:#eef0f4}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:1.6rem}
.sev{display:inline-block;min-width:5.5em;text-align:center;font-size:.75rem;font-weight:700;color:#fff;border-radius:4px;padding:1px 6px}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}
.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.card.sev-border-critical{border-left:6px solid var(--critical)}.card.sev-border-high{border-left:6px solid var(--high)}
.card.sev-border-medium{border-left:6px solid var(--medium)}.card.sev-border-low{border-left:6px solid var(--low)}
.card.sev-border-info{border-left:6px solid var(--info)}
table{border-collapse:collapse;background:var(--card)}
td,th{border:1px solid var(--line);padding:4px 10px;text-align:left}
td.n{text-align:right}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin-bottom:12px}
form.filters fieldset{border:0;padding:0;margin:0}
.finding{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:10px 0}
.finding h3{font-size:1.05rem;margin:0 0 6px}
.finding .facts{color:var(--muted);font-size:.9rem;margin:0 0 6px}
.tag{display:inline-block;background:#eef0f4;border-radius:4px;padding:0 6px;font-size:.8rem;margin-left:4px}
.tag.accepted{background:#e6f4ea}.tag.new{background:#fde8e8}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#0f172a;color:#e2e8f0;padding:10px;border-radius:6px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;max-height:40em}
.prose p{margin:.3em 0}
ul.warnings li{overflow-wrap:anywhere}
table.coverage{font-size:.88rem;width:100%}
table.coverage td{vertical-align:top;overflow-wrap:break-word}
table.coverage summary{white-space:nowrap;cursor:pointer}
table.coverage ul{margin:.2em 0;padding-left:1.2em}
.why{color:var(--muted);font-size:.85em}
td.sec-inferred{font-weight:600}
footer{color:var(--muted);font-size:.85rem;max-width:1100px;margin:0 auto;padding:16px 20px}
@media print{
body{background:#fff;font-size:11pt}
form.filters,.noprint{display:none!important}
.finding{break-inside:avoid-page;border-color:#999}
.finding[hidden]{display:block!important}
pre{background:#fff;color:#000;border:1px solid #999;max-height:none;white-space:pre-wrap}
.sev{color:#000;border:1px solid #000;background:#fff!important}
a{color:inherit;text-decoration:none}
}
"#;

const JS: &str = r#"
(function () {
  var form = document.getElementById('filters');
  if (!form) return;
  form.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  var sev = Array.prototype.slice.call(form.querySelectorAll('input[name=severity]'));
  var owasp = document.getElementById('f-owasp');
  var state = document.getElementById('f-state');
  var q = document.getElementById('f-text');
  var count = document.getElementById('f-count');
  function apply() {
    var on = {};
    sev.forEach(function (b) { on[b.value] = b.checked; });
    var cat = owasp.value, st = state.value, text = q.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (it) {
      var ok = on[it.getAttribute('data-severity')] &&
        (!cat || it.getAttribute('data-owasp') === cat) &&
        (!st || (' ' + it.getAttribute('data-state') + ' ').indexOf(' ' + st + ' ') >= 0) &&
        (!text || it.getAttribute('data-text').indexOf(text) >= 0);
      it.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + ' of ' + items.length + ' findings shown';
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.setAttribute('data-was-open', d.open ? '1' : '0'); d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = d.getAttribute('data-was-open') === '1'; });
  });
  apply();
})();
"#;

/// `'sha256-…'` of an inline block, for the Content-Security-Policy.
fn csp_hash(s: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
    )
}

/// Markdown prose → HTML with pulldown-cmark; raw HTML becomes escaped text and links or images become
/// their text, so nothing in it can load or point anywhere.
pub(crate) fn prose(markdown: &str) -> String {
    let events = Parser::new(markdown).filter_map(|ev| match ev {
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Link { .. } | Tag::Image { .. })
        | Event::End(TagEnd::Link | TagEnd::Image) => None,
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        other => Some(other),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// Renders the report as one HTML page.
pub(crate) fn render(report: &ScanReport) -> String {
    let mut h = String::with_capacity(16 * 1024 + report.findings.len() * 4096);
    let title = if report.scan.spec_title.is_empty() {
        "API"
    } else {
        report.scan.spec_title.as_str()
    };
    let csp = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(JS)
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>nat report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    );

    // Header: what, where, verdict.
    let threshold = report.scan.fail_on.threshold();
    let failing = report.failing(threshold).count();
    let (class, verdict) = match threshold {
        None => ("none", "Report only (fail-on: none)".to_string()),
        Some(t) if failing > 0 => (
            "fail",
            format!("Failed: {failing} finding(s) at or above {t}"),
        ),
        Some(t) => ("pass", format!("Passed: no finding at or above {t}")),
    };
    let _ = writeln!(
        h,
        "<header>\n<h1>nat API security report: {}</h1>",
        esc(title)
    );
    let _ = write!(
        h,
        "<div class=\"verdict {class}\" id=\"verdict\">{}</div>",
        esc(&verdict)
    );
    if report.scan.partial {
        h.push_str(" <span class=\"verdict fail\">Partial scan: stopped early</span>");
    }
    h.push_str("\n<dl class=\"meta\">");
    let s = &report.summary;
    for (k, v) in [
        ("Target", report.scan.target.clone()),
        ("API description", report.scan.spec.clone()),
        ("Started", report.scan.started_at.clone()),
        ("Completed", report.scan.completed_at.clone()),
        (
            "Operations",
            format!(
                "{} tested of {} ({} excluded)",
                s.operations_tested, s.operations_discovered, s.operations_excluded
            ),
        ),
        (
            "Requests",
            format!(
                "{} in {:.1} s",
                s.requests_sent,
                report.scan.duration_ms as f64 / 1000.0
            ),
        ),
        ("nat", report.tool.version.clone()),
    ] {
        if !v.is_empty() {
            let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
        }
    }
    h.push_str("</dl>\n</header>\n<main>\n");

    // Summary by severity and by OWASP category.
    h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">");
    for sev in Severity::ALL {
        let n = report.findings.iter().filter(|f| f.severity == sev).count();
        let _ = write!(
            h,
            "<div class=\"card sev-border-{}\" data-summary-severity=\"{}\"><b>{n}</b>{}</div>",
            sev.as_str(),
            sev.as_str(),
            severity_label(sev)
        );
    }
    h.push_str("</div>\n");
    let cats = by_owasp(&report.findings);
    if !cats.is_empty() {
        h.push_str("<h2>By OWASP API Security Top 10 (2023) category</h2>\n<table id=\"by-owasp\"><thead><tr><th>Category</th><th>Findings</th></tr></thead><tbody>");
        for (cat, n) in &cats {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
                esc(&owasp_label(cat))
            );
        }
        h.push_str("</tbody></table>\n");
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            h,
            "<p id=\"baseline\">Baseline{}: {} new, {} already known, {} no longer found.</p>",
            b.source
                .as_deref()
                .map(|s| format!(" {}", esc(s)))
                .unwrap_or_default(),
            b.new.len(),
            b.unchanged.len(),
            b.absent.len()
        );
    }
    if let Some(sup) = &report.suppressions {
        let _ = writeln!(
        h,
        "<p id=\"suppressions\">Suppressions from {}: {} finding(s) accepted, {} stale entr{}.</p>",
            esc(&sup.source),
            sup.applied.len(),
            sup.stale.len(),
            if sup.stale.len() == 1 { "y" } else { "ies" }
        );
    }
    h.push_str("</section>\n");

    // Findings with filters (the form stays hidden without JavaScript).
    let _ = writeln!(
        h,
        "<section id=\"findings\">\n<h2>Findings ({})</h2>",
        report.findings.len()
    );
    if report.findings.is_empty() {
        h.push_str("<p>No findings.</p>\n");
    } else {
        filters(&mut h, report, &cats);
        for f in &report.findings {
            finding(&mut h, report, f);
        }
    }
    h.push_str("</section>\n");

    if let Some(b) = report.baseline.as_ref().filter(|b| !b.absent.is_empty()) {
        h.push_str("<section id=\"absent\">\n<h2>No longer found (in the baseline, not in this scan)</h2>\n<ul>");
        for a in &b.absent {
            let _ = write!(
                h,
                "<li><span class=\"sev sev-{}\">{}</span> {} on <code>{}</code> <code>{}</code></li>",
                a.severity.as_str(),
                severity_label(a.severity),
                esc(&a.title),
                esc(&a.endpoint),
                esc(&a.fingerprint)
            );
        }
        h.push_str("</ul>\n</section>\n");
    }
    coverage(&mut h, report);
    if !report.writes.is_empty() {
        let _ = write!(
            h,
            "<section id=\"writes\">\n<h2>Requests that may have changed data</h2>\n<p>{} request(s) with a method other than GET, HEAD or OPTIONS.</p>\n<table><thead><tr><th>method</th><th>path</th><th>as</th><th>requests</th><th>answers</th></tr></thead><tbody>",
            report.writes.len()
        );
        for (method, path, who, n, statuses) in report.writes_grouped() {
            let answers: Vec<String> = statuses.iter().map(u16::to_string).collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{n}</td><td>{}</td></tr>",
                esc(&method),
                esc(&path),
                esc(&who),
                answers.join(", ")
            );
        }
        h.push_str("</tbody></table>\n</section>\n");
    }
    if !report.warnings.is_empty() {
        h.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul class=\"warnings\">");
        for w in &report.warnings {
            let _ = write!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n</section>\n");
    }
    let _ = writeln!(
        h,
        "</main>\n<footer>Generated by nat {}. Evidence is the HTTP exchange nat saw, secrets redacted.</footer>\n<script>{JS}</script>\n</body>\n</html>",
        esc(&report.tool.version)
    );
    h
}

/// The coverage section: one table row per operation; the checks that ran and why the others did
/// not folded in `<details>`. Everything escaped.
fn coverage(h: &mut String, report: &ScanReport) {
    let Some(line) = report.coverage_summary() else {
        return;
    };
    let _ = write!(
        h,
        "<section id=\"coverage\">\n<h2>Coverage</h2>\n<p id=\"coverage-summary\">{}.</p>\n\
         <table class=\"coverage\"><thead><tr><th>Operation</th><th>Status</th><th>Baseline</th>\
         <th>Security</th><th>As</th><th>Requests</th><th>Ran</th><th>Blocked</th><th>Not applicable</th></tr></thead><tbody>",
        esc(&line)
    );
    for op in &report.coverage {
        let status = op.status.label();
        let _ = write!(
            h,
            "<tr class=\"cov-{}\" data-endpoint=\"{}\"><td><code>{}</code></td><td>{}",
            status.replace(' ', "-"),
            esc(&op.endpoint),
            esc(&op.endpoint),
            esc(status)
        );
        if let Some(reason) = &op.reason {
            let _ = write!(h, "<div class=\"why\">{}</div>", esc(reason));
        }
        let _ = write!(h, "</td><td>{}", esc(&op.baseline_label()));
        if !op.baseline_problems.is_empty() {
            let _ = write!(
                h,
                "<div class=\"why\">{}</div>",
                esc(&op.baseline_problems.join("; "))
            );
        }
        let _ = write!(
            h,
            "</td><td class=\"sec-{}\">{}</td><td>{}</td><td class=\"n\">{}</td><td>",
            op.security.label(),
            op.security.label(),
            esc(&op.identities.join(", ")),
            op.requests
        );
        let ran: Vec<String> = op
            .checks_run
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c)))
            .collect();
        folded(h, "ran", ran);
        let groups = op.skips_by_reason();
        for (class, kind) in [("blocked", true), ("not-applicable", false)] {
            h.push_str("</td><td>");
            let items: Vec<String> = groups
                .iter()
                .filter(|(blocked, _, _)| *blocked == kind)
                .map(|(_, reason, checks)| {
                    let ids: Vec<String> = checks
                        .iter()
                        .map(|c| format!("<code>{}</code>", esc(c)))
                        .collect();
                    format!("{}: {}", ids.join(", "), esc(reason))
                })
                .collect();
            let n = op
                .checks_skipped
                .iter()
                .filter(|s| s.blocked == kind)
                .count();
            folded_counted(h, class, n, items);
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table>\n</section>\n");
}

/// A count that unfolds into the list `items` (already HTML); `0` alone when there are none.
fn folded(h: &mut String, class: &str, items: Vec<String>) {
    let n = items.len();
    folded_counted(h, class, n, items);
}

/// [`folded`] with the count given (a list item may name several checks).
fn folded_counted(h: &mut String, class: &str, n: usize, items: Vec<String>) {
    if items.is_empty() {
        let _ = write!(h, "{n}");
        return;
    }
    let _ = write!(h, "<details class=\"{class}\"><summary>{n}</summary><ul>");
    for item in items {
        let _ = write!(h, "<li>{item}</li>");
    }
    h.push_str("</ul></details>");
}

fn filters(h: &mut String, report: &ScanReport, cats: &[(String, usize)]) {
    h.push_str("<form class=\"filters\" id=\"filters\" hidden>\n<fieldset><legend class=\"noprint\">Severity</legend>");
    for sev in Severity::ALL {
        let _ = write!(
            h,
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{}\" checked> {}</label> ",
            sev.as_str(),
            severity_label(sev)
        );
    }
    h.push_str("</fieldset>\n<label>OWASP <select id=\"f-owasp\"><option value=\"\">all categories</option>");
    for (cat, _) in cats {
        let _ = write!(
            h,
            "<option value=\"{}\">{}</option>",
            esc(cat),
            esc(&owasp_label(cat))
        );
    }
    h.push_str("</select></label>\n<label>State <select id=\"f-state\"><option value=\"\">all</option><option value=\"open\">open</option><option value=\"accepted\">accepted</option>");
    if report.baseline.is_some() {
        h.push_str("<option value=\"new\">new since baseline</option><option value=\"known\">in baseline</option>");
    }
    h.push_str("</select></label>\n<label>Search <input type=\"search\" id=\"f-text\" placeholder=\"title, endpoint, check\"></label>\n<output id=\"f-count\"></output>\n</form>\n");
}

fn finding(h: &mut String, report: &ScanReport, f: &Finding) {
    let mut state = vec![match f.status {
        Status::Open => "open",
        Status::Accepted => "accepted",
        Status::Resolved => "resolved",
    }];
    match report.baseline_state(f) {
        Some(BaselineState::New) => state.push("new"),
        Some(BaselineState::Unchanged) => state.push("known"),
        None => {}
    }
    let search = format!(
        "{} {} {} {} {} {}",
        f.title, f.endpoint, f.check, f.owasp, f.cwe, f.fingerprint
    )
    .to_lowercase();
    let _ = writeln!(
        h,
        "<article class=\"finding\" id=\"{}\" data-severity=\"{}\" data-owasp=\"{}\" data-state=\"{}\" data-text=\"{}\">",
        esc(&f.id),
        f.severity.as_str(),
        esc(&f.owasp),
        state.join(" "),
        esc(&search)
    );
    let tags: String = state_words(report, f)
        .iter()
        .map(|w| {
            format!(
                " <span class=\"tag {}\">{}</span>",
                w.split(' ').next().unwrap_or(""),
                esc(w)
            )
        })
        .collect();
    let _ = writeln!(
        h,
        "<h3><span class=\"sev sev-{}\">{}</span> {} <code>{}</code>{tags}</h3>",
        f.severity.as_str(),
        severity_label(f.severity),
        esc(&f.title),
        esc(&f.endpoint)
    );
    let _ = writeln!(
        h,
        "<p class=\"facts\">{} · check <code>{}</code> · {} · {} · risk {}/100 · {} confidence · fingerprint <code>{}</code></p>",
        esc(&f.id),
        esc(&f.check),
        esc(&owasp_label(&f.owasp)),
        esc(&f.cwe),
        f.risk_score,
        f.confidence,
        esc(&f.fingerprint)
    );
    if let Some(a) = report.suppression_of(f) {
        let until = a
            .expires
            .as_deref()
            .map(|d| format!(" (until {})", esc(d)))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<p class=\"accepted\"><b>Accepted:</b> {}{until}</p>",
            esc(&a.reason)
        );
    }
    if let Some(c) = CHECKS.iter().map(|c| c.meta()).find(|m| m.id == f.check) {
        let _ = writeln!(
            h,
            "<div class=\"prose description\">{}</div>",
            prose(c.description)
        );
    }
    if !f.remediation.is_empty() {
        let _ = writeln!(
            h,
            "<div class=\"prose remediation\"><b>Remediation</b>{}</div>",
            prose(&f.remediation)
        );
    }
    h.push_str("<details class=\"evidence\"><summary>Evidence</summary>\n");
    for (label, body) in [
        ("Request", &f.evidence.request),
        ("Response", &f.evidence.response),
    ] {
        if !body.is_empty() {
            let _ = writeln!(h, "<h4>{label}</h4>\n<pre><code>{}</code></pre>", esc(body));
        }
    }
    h.push_str("</details>\n</article>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::Evidence;

    fn report() -> ScanReport {
        let f = Finding {
            id: "find_001".into(),
            severity: Severity::High,
            confidence: Default::default(),
            title: "Title <b>bold</b>".into(),
            owasp: "API2".into(),
            cwe: "CWE-306".into(),
            endpoint: "GET /x/{id}".into(),
            risk_score: 78,
            status: Status::Open,
            evidence: Evidence {
                request: "GET http://127.0.0.1:1/x/1?q=<script>alert(1)</script> HTTP/1.1".into(),
                response:
                    "HTTP/1.1 200 OK\n\n<img src=\"https://evil.example/x.png\" onerror=alert(1)>"
                        .into(),
            },
            remediation:
                "Do <script>x()</script> and see [docs](https://example.com) ![i](http://e/i.png)"
                    .into(),
            check: "NAT-API2-AUTH-BYPASS".into(),
            fingerprint: "abc".into(),
        };
        ScanReport {
            findings: vec![f],
            ..Default::default()
        }
    }

    #[test]
    fn no_external_reference_and_everything_escaped() {
        let page = render(&report());
        let lower = page.to_ascii_lowercase();
        for attr in ["src=", "href=", "action=", "srcset=", "poster=", "data="] {
            for quote in ["\"", "'", ""] {
                for scheme in ["http:", "https:", "//"] {
                    let needle = format!("{attr}{quote}{scheme}");
                    assert!(
                        !lower.contains(&needle),
                        "external reference `{needle}` in the page"
                    );
                }
            }
        }
        assert!(!lower.contains("<link"), "no <link> elements");
        assert!(!lower.contains("url("), "no CSS url()");
        assert!(!lower.contains("@import"));
        assert_eq!(
            lower.matches("<script").count(),
            1,
            "only nat's own inline script"
        );
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;img src=&quot;https://evil.example/x.png&quot;"));
        assert!(page.contains("Title &lt;b&gt;bold&lt;/b&gt;"));
        assert!(
            page.contains("&lt;script&gt;x()&lt;/script&gt;"),
            "raw HTML in Markdown is escaped"
        );
        assert!(page.contains("docs"), "a link keeps its text");
        assert!(page.contains("default-src 'none'"));
    }

    #[test]
    fn csp_hashes_match_the_inline_blocks() {
        let page = render(&report());
        assert!(page.contains(&csp_hash(CSS)) && page.contains(&csp_hash(JS)));
        assert!(
            page.contains(&format!("<style>{CSS}</style>"))
                && page.contains(&format!("<script>{JS}</script>"))
        );
    }
}
