//! Bytes → [`Schema`] tree (the JSON data model, parsed once and shared by the resolved schemas): JSON
//! or YAML detected by content (not by extension), UTF-8 BOM stripped, YAML merge keys (`<<`) applied,
//! YAML's non-string keys (`200:`, `true:`) turned into strings.

use super::schema::{Schema, SchemaMap};
use super::SpecError;
use serde_json::Number;

/// Parses one document, with notes for the author: a JSON-looking document that was only readable
/// as YAML (trailing commas, unquoted keys), and every mapping key given twice (the last value is
/// used, as mainstream OpenAPI tools do). Both load. Errors are [`SpecError::Syntax`] with line and
/// column.
pub(crate) fn parse_document_noting(
    bytes: &[u8],
    origin: &str,
) -> Result<(Schema, Vec<String>), SpecError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    match first {
        None => Err(SpecError::Syntax {
            origin: origin.into(),
            line: 1,
            column: 1,
            reason: "the document is empty".into(),
        }),
        Some(b'{') | Some(b'[') => {
            super::schema::take_duplicate_seen();
            match crate::parse::json::<Schema>(bytes) {
                Ok(v) => {
                    // The tree kept the last value already; name the keys only when there were any,
                    // so a clean document is read once.
                    let notes = if super::schema::take_duplicate_seen() {
                        duplicate_notes(origin, &crate::parse::json_duplicate_keys(bytes))
                    } else {
                        Vec::new()
                    };
                    Ok((v, notes))
                }
                Err(deep @ crate::parse::ParseError::TooDeep { .. }) => Err(syntax(origin, &deep)),
                // Flow-style YAML also starts with `{`; JSON's message is the useful one when both fail.
                Err(json_err) => {
                    match parse_yaml(bytes, origin) {
                        Ok((v, mut notes)) => {
                            let (line, column) = json_err.position();
                            let reason = json_err.reason();
                            notes.insert(
                            0,
                            format!("{origin}:{line}:{column}: not valid JSON ({reason}); read as YAML"),
                        );
                            Ok((v, notes))
                        }
                        Err(_) => Err(syntax(origin, &json_err)),
                    }
                }
            }
        }
        Some(_) => parse_yaml(bytes, origin),
    }
}

/// YAML through the bounded entry point (nesting and alias limits), then into the JSON model. A
/// repeated mapping key is read again keeping the last value, with a note per key.
fn parse_yaml(bytes: &[u8], origin: &str) -> Result<(Schema, Vec<String>), SpecError> {
    match crate::parse::yaml_bytes::<serde_yaml_ng::Value>(bytes) {
        Ok(yaml) => Ok((yaml_to_schema(yaml), Vec::new())),
        Err(e) if crate::parse::is_duplicate_key(&e) => {
            // `yaml_bytes` got past the UTF-8 check to reach the duplicate.
            let text = std::str::from_utf8(bytes).map_err(|_| syntax(origin, &e))?;
            let (yaml, duplicates) =
                crate::parse::yaml_last_wins(text).map_err(|e| syntax(origin, &e))?;
            Ok((yaml_to_schema(yaml), duplicate_notes(origin, &duplicates)))
        }
        Err(e) => Err(syntax(origin, &e)),
    }
}

/// One warning per repeated key.
fn duplicate_notes(origin: &str, duplicates: &[crate::parse::DuplicateKey]) -> Vec<String> {
    duplicates
        .iter()
        .map(|d| format!("{origin}: {d}; the last value is used"))
        .collect()
}

fn syntax(origin: &str, e: &crate::parse::ParseError) -> SpecError {
    let (line, column) = e.position();
    SpecError::Syntax {
        origin: origin.into(),
        line,
        column,
        reason: e.reason(),
    }
}

/// Converts YAML to the JSON model. Merge keys are applied here (depth-first, so a merged mapping's own
/// `<<` is honoured too); keys already present win over merged ones, as the YAML merge spec says.
fn yaml_to_schema(v: serde_yaml_ng::Value) -> Schema {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Schema::null(),
        Y::Bool(b) => Schema::boolean(b),
        Y::Number(n) => yaml_number(&n),
        Y::String(s) => Schema::string(&s),
        Y::Sequence(seq) => Schema::array(seq.into_iter().map(yaml_to_schema).collect()),
        Y::Mapping(m) => {
            let mut out = SchemaMap::new();
            let mut merges = Vec::new();
            for (k, v) in m {
                if matches!(&k, Y::String(s) if s == "<<") {
                    merges.push(v);
                    continue;
                }
                out.insert(yaml_key(k), yaml_to_schema(v));
            }
            for merge in merges {
                let merged = yaml_to_schema(merge);
                let sources = match merged.as_array() {
                    Some(items) => items.to_vec(),
                    None => vec![merged],
                };
                for source in sources {
                    if let Some(src) = source.as_object() {
                        for (k, v) in src {
                            out.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            Schema::object(out)
        }
        Y::Tagged(t) => yaml_to_schema(t.value),
    }
}

fn yaml_number(n: &serde_yaml_ng::Number) -> Schema {
    if let Some(i) = n.as_i64() {
        Schema::number(i.into())
    } else if let Some(u) = n.as_u64() {
        Schema::number(u.into())
    } else {
        n.as_f64()
            .and_then(Number::from_f64)
            .map_or_else(|| Schema::string(&n.to_string()), Schema::number)
    }
}

/// YAML allows any scalar (and even collections) as keys; JSON only strings.
fn yaml_key(k: serde_yaml_ng::Value) -> String {
    use serde_yaml_ng::Value as Y;
    match k {
        Y::String(s) => s,
        Y::Null => "null".into(),
        Y::Bool(b) => b.to_string(),
        Y::Number(n) => n.to_string(),
        Y::Tagged(t) => yaml_key(t.value),
        other => yaml_to_schema(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_document(bytes: &[u8], origin: &str) -> Result<Schema, SpecError> {
        parse_document_noting(bytes, origin).map(|(v, _)| v)
    }

    #[test]
    fn json_and_yaml_detected_by_content_with_bom() {
        let v = parse_document(b"\xEF\xBB\xBF{\"a\": 1}", "x.yaml").unwrap();
        assert_eq!(v["a"], 1);
        let v = parse_document(b"\xEF\xBB\xBFa: 1\n", "x.json").unwrap();
        assert_eq!(v["a"], 1);
    }

    #[test]
    fn yaml_merge_keys_and_nonstring_keys() {
        let doc =
            "base: &b\n  x: 1\n  y: 2\nchild:\n  <<: *b\n  y: 3\nresp:\n  200: ok\n  true: t\n";
        let v = parse_document(doc.as_bytes(), "m.yaml").unwrap();
        assert_eq!(v["child"]["x"], 1);
        assert_eq!(v["child"]["y"], 3);
        assert_eq!(v["resp"]["200"], "ok");
        assert_eq!(v["resp"]["true"], "t");
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        match parse_document(b"{\n  \"a\": 1,\n  \"b\": }}\n}", "bad.json") {
            Err(SpecError::Syntax { line, origin, .. }) => {
                assert_eq!(line, 3);
                assert_eq!(origin, "bad.json");
            }
            other => panic!("{other:?}"),
        }
        match parse_document(b"a: 1\nb: [1, 2\n", "bad.yaml") {
            Err(SpecError::Syntax { line, .. }) => assert!(line >= 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_document(b"  \n", "e"),
            Err(SpecError::Syntax { .. })
        ));
    }
}
