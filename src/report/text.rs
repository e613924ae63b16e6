//! Small text helpers shared by the renderers: escaping, fences, and the names of the taxonomies nat
//! reports against (OWASP API Security Top 10 2023, CWE).

use crate::findings::Severity;

/// The OWASP API Security Top 10 (2023): id, name, page slug under the edition's site.
pub(crate) const OWASP_API_2023: [(&str, &str, &str); 10] = [
    (
        "API1",
        "Broken Object Level Authorization",
        "0xa1-broken-object-level-authorization",
    ),
    (
        "API2",
        "Broken Authentication",
        "0xa2-broken-authentication",
    ),
    (
        "API3",
        "Broken Object Property Level Authorization",
        "0xa3-broken-object-property-level-authorization",
    ),
    (
        "API4",
        "Unrestricted Resource Consumption",
        "0xa4-unrestricted-resource-consumption",
    ),
    (
        "API5",
        "Broken Function Level Authorization",
        "0xa5-broken-function-level-authorization",
    ),
    (
        "API6",
        "Unrestricted Access to Sensitive Business Flows",
        "0xa6-unrestricted-access-to-sensitive-business-flows",
    ),
    (
        "API7",
        "Server Side Request Forgery",
        "0xa7-server-side-request-forgery",
    ),
    (
        "API8",
        "Security Misconfiguration",
        "0xa8-security-misconfiguration",
    ),
    (
        "API9",
        "Improper Inventory Management",
        "0xa9-improper-inventory-management",
    ),
    (
        "API10",
        "Unsafe Consumption of APIs",
        "0xaa-unsafe-consumption-of-apis",
    ),
];

/// Home page of the OWASP API Security Top 10 (2023).
pub(crate) const OWASP_API_2023_URI: &str =
    "https://owasp.org/API-Security/editions/2023/en/0x11-t10/";

/// The name of an OWASP API category (`API8` → `Security Misconfiguration`).
pub(crate) fn owasp_name(id: &str) -> Option<&'static str> {
    OWASP_API_2023
        .iter()
        .find(|(i, _, _)| i.eq_ignore_ascii_case(id))
        .map(|(_, n, _)| *n)
}

/// The page of an OWASP API category.
pub(crate) fn owasp_uri(id: &str) -> String {
    match OWASP_API_2023
        .iter()
        .find(|(i, _, _)| i.eq_ignore_ascii_case(id))
    {
        Some((_, _, slug)) => format!("https://owasp.org/API-Security/editions/2023/en/{slug}/"),
        None => OWASP_API_2023_URI.to_string(),
    }
}

/// `API8` → `API8:2023 Security Misconfiguration`; unknown ids are returned as they are.
pub(crate) fn owasp_label(id: &str) -> String {
    match owasp_name(id) {
        Some(name) => format!("{id}:2023 {name}"),
        None => id.to_string(),
    }
}

/// Names of the CWE entries nat's checks use (others are shown by number only).
const CWE_NAMES: &[(&str, &str)] = &[
    ("20", "Improper Input Validation"),
    (
        "89",
        "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    ),
    (
        "200",
        "Exposure of Sensitive Information to an Unauthorized Actor",
    ),
    (
        "209",
        "Generation of Error Message Containing Sensitive Information",
    ),
    ("285", "Improper Authorization"),
    ("287", "Improper Authentication"),
    ("306", "Missing Authentication for Critical Function"),
    ("347", "Improper Verification of Cryptographic Signature"),
    ("639", "Authorization Bypass Through User-Controlled Key"),
    ("693", "Protection Mechanism Failure"),
    (
        "770",
        "Allocation of Resources Without Limits or Throttling",
    ),
    (
        "915",
        "Improperly Controlled Modification of Dynamically-Determined Object Attributes",
    ),
    ("918", "Server-Side Request Forgery (SSRF)"),
    (
        "942",
        "Permissive Cross-domain Policy with Untrusted Domains",
    ),
];

/// The number of a CWE id (`CWE-639` → `639`), if it has one.
pub(crate) fn cwe_number(cwe: &str) -> Option<&str> {
    let n = cwe
        .trim()
        .strip_prefix("CWE-")
        .or_else(|| cwe.trim().strip_prefix("cwe-"))?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

/// The name of a CWE entry, when nat knows it.
pub(crate) fn cwe_name(cwe: &str) -> Option<&'static str> {
    let n = cwe_number(cwe)?;
    CWE_NAMES.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
}

/// The MITRE page of a CWE entry.
pub(crate) fn cwe_uri(cwe: &str) -> Option<String> {
    cwe_number(cwe).map(|n| format!("https://cwe.mitre.org/data/definitions/{n}.html"))
}

/// Upper-case severity label.
pub(crate) fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

/// Replaces characters that XML 1.0 cannot carry (most C0 controls, lone surrogates cannot occur in
/// a Rust string, U+FFFE/U+FFFF) with U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 => '\u{FFFD}',
        '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Escapes text for HTML and XML (element content and double- or single-quoted attributes), replacing
/// characters that XML cannot carry.
pub(crate) fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// A backtick fence longer than any run of backticks inside `content` (at least three).
pub(crate) fn fence_for(content: &str) -> String {
    "`".repeat(longest_run(content, '`').max(2) + 1)
}

/// Length of the longest run of `c` in `s`.
fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// Inline code that survives any backticks in `s` (CommonMark code spans), on one line.
pub(crate) fn code_span(s: &str) -> String {
    let s = one_line(s);
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// Collapses line breaks and other control characters into spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Escapes Markdown-significant characters in plain text shown inline (table cells, headings after
/// a marker, list items after a label): emphasis, code, links, HTML, tables, strike-through, entities.
pub(crate) fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The first line of an evidence text (the request line or the status line), trimmed.
pub(crate) fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ``` b"), "````");
        assert_eq!(fence_for("`````"), "``````");
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code_span("GET /a"), "`GET /a`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
    }

    #[test]
    fn markup_is_escaped_and_controls_replaced() {
        assert_eq!(
            escape_markup("<a href='x'>&\"\u{0}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\u{FFFD}"
        );
    }

    #[test]
    fn taxonomy_names() {
        assert_eq!(owasp_label("API8"), "API8:2023 Security Misconfiguration");
        assert_eq!(cwe_number("CWE-639"), Some("639"));
        assert_eq!(cwe_number("CWE-"), None);
        assert_eq!(cwe_name("CWE-89").map(|n| n.contains("SQL")), Some(true));
    }
}
