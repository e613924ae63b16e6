//! Bounded parsing of untrusted input. Every JSON or YAML document nat reads from someone else — a
//! request body of `nat serve`, a `--config` or `.natignore.yaml` file, an API description from a file,
//! a URL or `spec_content`, a target's answer — goes through this module, so one set of limits holds
//! everywhere:
//! - nesting: at most [`MAX_NESTING`] levels (serde_json's own recursion limit, and the same for
//!   YAML: its flow brackets are counted before libyaml sees them, because libyaml re-checks every open
//!   flow level on every token and 100 000 nested brackets cost it minutes of CPU);
//! - YAML aliases: serde_yaml_ng's repetition limit (a "billion laughs" document is refused);
//! - size: whoever reads the bytes caps them first (server bodies, files, HTTP answers), and
//!   [`off_runtime`] keeps a large parse off the async runtime's worker threads.

use serde::de::DeserializeOwned;
use thiserror::Error;

/// Deepest nesting of arrays and objects a document may have.
pub const MAX_NESTING: usize = 128;

/// Why a document could not be parsed. `line` and `column` are 1-based (0 when unknown).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Nested deeper than [`MAX_NESTING`].
    #[error("{line}:{column}: nesting deeper than {MAX_NESTING} levels")]
    TooDeep { line: usize, column: usize },
    /// Not UTF-8 text (YAML only; JSON reports it as syntax).
    #[error("{line}:{column}: not UTF-8 text")]
    NotText { line: usize, column: usize },
    /// Not valid JSON/YAML, or not the expected shape.
    #[error("{line}:{column}: {reason}")]
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
}

impl ParseError {
    /// Line and column of the error.
    pub fn position(&self) -> (usize, usize) {
        match self {
            ParseError::TooDeep { line, column }
            | ParseError::NotText { line, column }
            | ParseError::Syntax { line, column, .. } => (*line, *column),
        }
    }

    /// The reason without the position.
    pub fn reason(&self) -> String {
        match self {
            ParseError::TooDeep { .. } => format!("nesting deeper than {MAX_NESTING} levels"),
            ParseError::NotText { .. } => "not UTF-8 text".into(),
            ParseError::Syntax { reason, .. } => reason.clone(),
        }
    }
}

/// Parses JSON into `T` (serde_json stops at [`MAX_NESTING`] levels itself).
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let reason = e.to_string();
        if reason.starts_with("recursion limit exceeded") {
            ParseError::TooDeep {
                line: e.line(),
                column: e.column(),
            }
        } else {
            ParseError::Syntax {
                line: e.line(),
                column: e.column(),
                reason,
            }
        }
    })
}

/// Parses YAML (a superset of JSON) into `T`, refusing hostile nesting before libyaml reads it.
pub fn yaml<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    check_flow_depth(text.as_bytes())?;
    serde_yaml_ng::from_str(text).map_err(yaml_error)
}

/// [`yaml`] on bytes that must be UTF-8.
pub fn yaml_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        ParseError::NotText { line, column }
    })?;
    yaml(text)
}

/// A JSON or YAML document, told apart by its first character: JSON when it starts with `{` or `[`
/// and parses as JSON, YAML otherwise.
pub fn document<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => json(bytes).or_else(|json_err| match json_err {
            ParseError::TooDeep { .. } => Err(json_err),
            _ => yaml_bytes(bytes).map_err(|_| json_err),
        }),
        _ => yaml_bytes(bytes),
    }
}

/// Runs a parse (or any CPU-bound work on untrusted input) on tokio's blocking pool, so that a large
/// or slow document never stalls the runtime's worker threads (and with them every other request).
/// Outside a runtime it just runs `f`.
pub async fn off_runtime<T, F>(f: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        // The closure panicked: carry the panic on, as a direct call would have.
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn yaml_error(e: serde_yaml_ng::Error) -> ParseError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let reason = e.to_string();
    if reason.starts_with("recursion limit exceeded") {
        ParseError::TooDeep { line, column }
    } else {
        ParseError::Syntax {
            line,
            column,
            reason,
        }
    }
}

/// Refuses `[`/`{` nesting deeper than [`MAX_NESTING`]. Brackets inside scalars count too: a real
/// document with that many unbalanced brackets does not exist, and counting is cheap.
fn check_flow_depth(bytes: &[u8]) -> Result<(), ParseError> {
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let (line, column) = line_col(bytes, i);
                    return Err(ParseError::TooDeep { line, column });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::time::{Duration, Instant};

    #[test]
    fn json_and_yaml_documents_parse() {
        let v: Value = document(b"{\"a\": [1, 2]}").unwrap();
        assert_eq!(v["a"][1], 2);
        let v: Value = document(b"a:\n  - 1\n  - 2\n").unwrap();
        assert_eq!(v["a"][0], 1);
        // JSON-looking flow YAML still loads.
        let v: Value = document(b"{a: 1,}").unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn hostile_nesting_is_refused_quickly_with_its_place() {
        let deep = format!("a: {}", "[".repeat(400_000));
        let started = Instant::now();
        let e = yaml::<Value>(&deep).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            e,
            ParseError::TooDeep {
                line: 1,
                column: 132
            }
        );
        // Many sibling structures just under the limit are fine and cheap.
        let wide = format!(
            "a: [{}]",
            vec![format!("{}{}", "[".repeat(100), "]".repeat(100)); 1000].join(",")
        );
        assert!(yaml::<Value>(&wide).is_ok());
        let e = json::<Value>("[".repeat(10_000).as_bytes()).unwrap_err();
        assert!(matches!(e, ParseError::TooDeep { .. }), "{e}");
        let e = document::<Value>("[".repeat(10_000).as_bytes()).unwrap_err();
        assert!(matches!(e, ParseError::TooDeep { .. }), "{e}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut doc = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 10].join(",");
            doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let e = yaml::<Value>(&doc).unwrap_err();
        assert!(e.reason().contains("repetition limit"), "{e}");
    }

    #[test]
    fn not_utf8_names_the_place() {
        let e = yaml_bytes::<Value>(b"a: 1\nb: \xff\n").unwrap_err();
        assert_eq!(e, ParseError::NotText { line: 2, column: 4 });
    }

    #[tokio::test]
    async fn off_runtime_returns_the_value() {
        assert_eq!(off_runtime(|| 2 + 2).await, 4);
    }
}
