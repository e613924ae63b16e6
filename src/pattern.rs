//! The one pattern dialect of nat over paths and endpoints: `--exclude` / `options.exclude` (path
//! templates) and `endpoint` in `.natignore.yaml` (`METHOD /path/template`).
//!
//! `*` matches any run of characters, slashes included (`**` is the same); `?` matches one character;
//! everything else is literal, so `{id}` in a pattern matches the template parameter `{id}` itself,
//! as the user wrote it from the description. There are no brace alternations or character classes:
//! a pattern copied from a path template must mean that template, never something else silently.

use std::fmt;

/// A validated pattern (see the module doc).
#[derive(Clone, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    chars: Vec<char>,
}

impl PathPattern {
    /// A pattern; only an empty (or blank) one is refused.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let text = pattern.trim();
        if text.is_empty() {
            return Err("a pattern may not be empty".into());
        }
        Ok(PathPattern {
            text: text.to_string(),
            chars: text.chars().collect(),
        })
    }

    /// The pattern as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let p = &self.chars;
        let t: Vec<char> = text.chars().collect();
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && p[pi] != '*' && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|c| *c == '*')
    }
}

impl fmt::Debug for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PathPattern({:?})", self.text)
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        PathPattern::new(p).unwrap().matches(t)
    }

    #[test]
    fn templates_match_literally_and_stars_span_slashes() {
        assert!(m("/users/{id}", "/users/{id}"));
        assert!(!m("/users/{id}", "/users/id"), "no brace alternation");
        assert!(!m("/users/{id}", "/users/{user_id}"));
        assert!(m("/users/{a,b}", "/users/{a,b}"));
        assert!(m("/api/v1/payments/*", "/api/v1/payments/{id}/refund"));
        assert!(m("/admin/**", "/admin/users/{id}"));
        assert!(m("GET /users/{id}", "GET /users/{id}"));
        assert!(m("* /internal/*", "POST /internal/x"));
        assert!(m("GET /a?c", "GET /abc"));
        assert!(m("*", ""));
        assert!(!m("GET /internal/*", "GET /public/x"));
        assert!(!m("GET /a", "GET /ab"));
        assert!(!m("/a?", "/a"));
        // A literal `*` in the text is matched by a star, and a `?` in the pattern by any one character.
        assert!(m("/a/*", "/a/*"));
    }

    #[test]
    fn blank_patterns_are_refused() {
        assert!(PathPattern::new("  ").is_err());
        assert_eq!(PathPattern::new(" /x ").unwrap().as_str(), "/x");
    }
}
