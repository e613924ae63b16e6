//! Finding an operation's line in the text of an API description (JSON or YAML), for SARIF locations.

/// The 1-based line of `paths → path → method` in an OpenAPI/Swagger description, JSON or YAML.
///
/// A text scan, not a parser: JSON is walked token by token (so minified JSON works, on line 1); YAML
/// by indentation, for the block style descriptions are written in (keys may be quoted). When the
/// path is there but not the method (a path item behind a `$ref`), the path's line is returned.
/// `None` when the path is not found.
pub fn operation_line(spec_text: &str, path: &str, method: &str) -> Option<usize> {
    let first = spec_text.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('{') {
        json_line(spec_text, path, method)
    } else {
        yaml_line(spec_text, path, method)
    }
}

/// Walks JSON text keeping the stack of keys; returns the line of the key at `paths/<path>/<method>`.
fn json_line(text: &str, path: &str, method: &str) -> Option<usize> {
    // Each open container: `Some(key)` for objects (the key whose value is being read), `None` for arrays.
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut expecting_key = false;
    let mut line = 1usize;
    let mut path_line = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' => {
                stack.push(Some(String::new()));
                expecting_key = true;
            }
            '[' => {
                stack.push(None);
                expecting_key = false;
            }
            '}' | ']' => {
                stack.pop();
                expecting_key = false;
            }
            ',' => expecting_key = matches!(stack.last(), Some(Some(_))),
            '"' => {
                let start = i;
                let mut end = text.len();
                let mut escaped = false;
                for (j, d) in chars.by_ref() {
                    if d == '\n' {
                        line += 1;
                    }
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        end = j + 1;
                        break;
                    }
                }
                if !expecting_key {
                    continue;
                }
                expecting_key = false;
                let raw = &text[start..end.min(text.len())];
                let key: String =
                    serde_json::from_str(raw).unwrap_or_else(|_| raw.trim_matches('"').to_string());
                if let Some(Some(slot)) = stack.last_mut() {
                    *slot = key.clone();
                }
                let keys: Vec<&str> = stack.iter().map(|k| k.as_deref().unwrap_or("[]")).collect();
                match keys.as_slice() {
                    ["paths", p] if *p == path => path_line = Some(line),
                    ["paths", p, m] if *p == path && m.eq_ignore_ascii_case(method) => {
                        return Some(line)
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    path_line
}

/// A YAML block-mapping key on a line: (indent, key) — quotes removed; `None` for other lines.
fn yaml_key(line: &str) -> Option<(usize, String)> {
    let trimmed = line.trim_start_matches(' ');
    let indent = line.len() - trimmed.len();
    if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
        return None;
    }
    let (key, rest) = if let Some(q) = trimmed.strip_prefix('"') {
        let end = q.find('"')?;
        (q[..end].to_string(), &q[end + 1..])
    } else if let Some(q) = trimmed.strip_prefix('\'') {
        let end = q.find('\'')?;
        (q[..end].to_string(), &q[end + 1..])
    } else {
        let colon = trimmed
            .find(": ")
            .or_else(|| trimmed.strip_suffix(':').map(|s| s.len()))?;
        (trimmed[..colon].trim_end().to_string(), &trimmed[colon..])
    };
    rest.trim_start().starts_with(':').then_some((indent, key))
}

/// Indentation-based walk over block YAML.
fn yaml_line(text: &str, path: &str, method: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // 1. `paths:` at the top level (the smallest indentation of any key: normally 0).
    let top = lines
        .iter()
        .filter_map(|l| yaml_key(l))
        .map(|(i, _)| i)
        .min()?;
    let paths_at = lines
        .iter()
        .position(|l| yaml_key(l).is_some_and(|(i, k)| i == top && k == "paths"))?;
    // 2. The path key among its children, 3. the method among the path's children.
    let (path_at, path_indent) = child(&lines, paths_at, top, |k| k == path)?;
    match child(&lines, path_at, path_indent, |k| {
        k.eq_ignore_ascii_case(method)
    }) {
        Some((m, _)) => Some(m + 1),
        None => Some(path_at + 1),
    }
}

/// The first direct child key of the mapping opened at `parent` (indented `parent_indent`) for which
/// `want` holds: (line index, indent).
fn child(
    lines: &[&str],
    parent: usize,
    parent_indent: usize,
    want: impl Fn(&str) -> bool,
) -> Option<(usize, usize)> {
    let mut child_indent = None;
    for (i, l) in lines.iter().enumerate().skip(parent + 1) {
        let t = l.trim_start_matches(' ');
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let indent = l.len() - t.len();
        if indent <= parent_indent {
            return None;
        }
        let Some((ki, key)) = yaml_key(l) else {
            continue;
        };
        let ci = *child_indent.get_or_insert(ki);
        if ki == ci && want(&key) {
            return Some((i, ki));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::operation_line;

    const YAML: &str = "openapi: 3.0.3
info:
  title: t
  description: |
    paths:
      /users: not this one
paths:
  # comment
  /users:
    parameters: []
    post:
      summary: create
    get:
      responses:
        '200':
          description: ok
  '/users/{id}':
    $ref: 'other.yaml#/x'
  \"/quoted\":
      delete: {}
components:
  schemas:
    get:
      type: object
";

    #[test]
    fn yaml_operations() {
        assert_eq!(operation_line(YAML, "/users", "GET"), Some(13));
        assert_eq!(operation_line(YAML, "/users", "post"), Some(11));
        assert_eq!(
            operation_line(YAML, "/users/{id}", "GET"),
            Some(17),
            "path line when the method is elsewhere"
        );
        assert_eq!(operation_line(YAML, "/quoted", "DELETE"), Some(20));
        assert_eq!(operation_line(YAML, "/nope", "GET"), None);
        assert_eq!(operation_line(YAML, "/users", "PUT"), Some(9));
    }

    #[test]
    fn json_operations() {
        let json = r#"{
  "openapi": "3.0.3",
  "info": {"title": "paths", "x": {"paths": {"/a": {"get": {}}}}},
  "paths": {
    "/a": {
      "parameters": [{"name": "get", "in": "query"}],
      "post": {"summary": "{[\"get\": ]}"},
      "get": {
        "responses": {}
      }
    },
    "/b\/c": {"put": {}}
  }
}"#;
        assert_eq!(operation_line(json, "/a", "GET"), Some(8));
        assert_eq!(operation_line(json, "/a", "post"), Some(7));
        assert_eq!(operation_line(json, "/b/c", "PUT"), Some(12));
        assert_eq!(operation_line(json, "/a", "DELETE"), Some(5));
        assert_eq!(operation_line(json, "/x", "GET"), None);
        let minified = r#"{"paths":{"/a":{"get":{}}}}"#;
        assert_eq!(operation_line(minified, "/a", "get"), Some(1));
    }
}
