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

/// Parses YAML (a superset of JSON) into `T`, refusing hostile nesting before libyaml reads it. A
/// key given twice is refused where `T` refuses it (a struct's field, a `serde_yaml_ng::Value`
/// mapping); [`yaml_last_wins`] reads API descriptions, which keep the last value.
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

/// A mapping key that appeared more than once in a document read by [`yaml_last_wins`]: the last
/// value was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key, as text.
    pub key: String,
    /// Where the mapping is: its keys from the root, joined by ` → ` (`(top level)` for the root).
    pub at: String,
}

impl std::fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "key `{}` appears more than once in {}",
            self.key, self.at
        )
    }
}

/// Like [`yaml`] into a `serde_yaml_ng::Value`, but a mapping key given twice is not an error: the
/// last value wins (what mainstream OpenAPI tools do), and every such key is returned with its place.
/// The same limits hold (nesting, aliases); tags (`!name value`) are dropped, the value kept. For API descriptions only; configuration and request
/// bodies keep using [`yaml`], which refuses duplicates, so that a repeated setting never silently
/// means one of its values.
pub fn yaml_last_wins(text: &str) -> Result<(serde_yaml_ng::Value, Vec<DuplicateKey>), ParseError> {
    use serde::de::DeserializeSeed;
    check_flow_depth(text.as_bytes())?;
    let duplicates = std::cell::RefCell::new(Vec::new());
    let seed = LastWins {
        at: &[],
        duplicates: &duplicates,
    };
    let value = seed
        .deserialize(serde_yaml_ng::Deserializer::from_str(text))
        .map_err(yaml_error)?;
    Ok((value, duplicates.into_inner()))
}

/// The mapping keys given more than once in a JSON document, with their places (empty when the
/// document is not valid JSON). The same nesting limit as [`json`].
pub fn json_duplicate_keys(bytes: &[u8]) -> Vec<DuplicateKey> {
    use serde::de::DeserializeSeed;
    let duplicates = std::cell::RefCell::new(Vec::new());
    let seed = LastWins {
        at: &[],
        duplicates: &duplicates,
    };
    if seed
        .deserialize(&mut serde_json::Deserializer::from_slice(bytes))
        .is_err()
    {
        return Vec::new();
    }
    duplicates.into_inner()
}

/// Whether `e` is serde_yaml_ng's refusal of a repeated mapping key.
pub fn is_duplicate_key(e: &ParseError) -> bool {
    matches!(e, ParseError::Syntax { reason, .. } if reason.contains("duplicate entry "))
}

/// Builds a `serde_yaml_ng::Value` where a repeated key replaces the earlier value, noting it.
struct LastWins<'a> {
    /// Keys from the root to the value being read.
    at: &'a [String],
    duplicates: &'a std::cell::RefCell<Vec<DuplicateKey>>,
}

impl LastWins<'_> {
    fn place(&self) -> String {
        if self.at.is_empty() {
            "(top level)".into()
        } else {
            self.at.join(" → ")
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for LastWins<'_> {
    type Value = serde_yaml_ng::Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for LastWins<'_> {
    type Value = serde_yaml_ng::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(b.into())
    }

    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(n.into())
    }

    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        Ok(n.into())
    }

    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        Ok(n.into())
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_yaml_ng::Value::Null)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_yaml_ng::Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let mut at = self.at.to_vec();
            at.push(format!("[{}]", out.len()));
            let seed = LastWins {
                at: &at,
                duplicates: self.duplicates,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => out.push(v),
                None => break,
            }
        }
        Ok(serde_yaml_ng::Value::Sequence(out))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_yaml_ng::Mapping::new();
        while let Some(key) = map.next_key::<serde_yaml_ng::Value>()? {
            let name = match &key {
                serde_yaml_ng::Value::String(s) => s.clone(),
                other => serde_yaml_ng::to_string(other)
                    .map(|s| s.trim_end().to_string())
                    .unwrap_or_else(|_| "?".into()),
            };
            let mut at = self.at.to_vec();
            at.push(name.clone());
            let value = map.next_value_seed(LastWins {
                at: &at,
                duplicates: self.duplicates,
            })?;
            if out.insert(key, value).is_some() {
                self.duplicates.borrow_mut().push(DuplicateKey {
                    key: name,
                    at: self.place(),
                });
            }
        }
        Ok(serde_yaml_ng::Value::Mapping(out))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        use serde::de::VariantAccess;
        // A tagged value (`!tag x`): the tag is dropped (a description has no use for it), the
        // value read the same way.
        let (_tag, variant) = data.variant::<serde::de::IgnoredAny>()?;
        variant.newtype_variant_seed(self)
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

    #[test]
    fn duplicate_keys_are_refused_by_yaml_and_kept_last_by_yaml_last_wins() {
        let doc = "a: 1\nb:\n  - {c: x, c: y}\na: 2\n";
        let e = yaml::<serde_yaml_ng::Value>(doc).unwrap_err();
        assert!(is_duplicate_key(&e), "{e}");
        let (v, dups) = yaml_last_wins(doc).unwrap();
        assert_eq!(v["a"], 2);
        assert_eq!(v["b"][0]["c"], "y");
        let places: Vec<String> = dups.iter().map(ToString::to_string).collect();
        assert_eq!(
            places,
            [
                "key `c` appears more than once in b → [0]",
                "key `a` appears more than once in (top level)"
            ]
        );
        // The limits still hold.
        assert!(matches!(
            yaml_last_wins(&format!("a: {}", "[".repeat(1000))),
            Err(ParseError::TooDeep { .. })
        ));
        assert_eq!(
            json_duplicate_keys(b"{\"a\": {\"b\": 1, \"b\": 2}}").len(),
            1
        );
        assert!(json_duplicate_keys(b"{\"a\": 1}").is_empty());
    }

    #[tokio::test]
    async fn off_runtime_returns_the_value() {
        assert_eq!(off_runtime(|| 2 + 2).await, 4);
    }
}
