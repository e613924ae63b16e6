//! Redaction: secrets never reach evidence, reports, logs or the store.

use super::{Exchange, RecordedRequest, RecordedResponse};
use crate::findings::Evidence;
use base64::Engine as _;
use std::sync::RwLock;

/// What a redacted value is replaced with.
pub const MASK: &str = "<redacted>";

/// Header names whose values are always masked.
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "apikey",
    "x-auth-token",
    "x-access-token",
    "x-csrf-token",
];

/// Most bytes of a body shown in evidence.
pub const EVIDENCE_BODY_CAP: usize = 4096;

/// True for header names that carry credentials.
pub fn is_sensitive_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SENSITIVE_HEADERS.contains(&lower.as_str())
        || lower.contains("token")
        || lower.contains("secret")
        || lower.contains("api-key")
        || lower.contains("apikey")
        || lower.contains("session")
}

/// Masks known secret values and credential headers.
#[derive(Debug, Default)]
pub struct Redactor {
    secrets: RwLock<Vec<String>>,
    extra_headers: RwLock<Vec<String>>,
}

impl Redactor {
    /// Adds a secret value to mask wherever it appears (ignored when shorter than 4 characters, which
    /// would mask ordinary text).
    pub fn add_secret(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        // Called for every request's credential: the common case (already known) only reads.
        if self
            .secrets
            .read()
            .is_ok_and(|s| s.iter().any(|x| x == secret))
        {
            return;
        }
        if let Ok(mut s) = self.secrets.write() {
            if !s.iter().any(|x| x == secret) {
                s.push(secret.to_string());
                // Longest first, so a secret containing another is masked whole.
                s.sort_by_key(|x| std::cmp::Reverse(x.len()));
            }
        }
    }

    /// Adds a header name whose value is always masked (a `header` auth's name).
    pub fn add_header(&self, name: &str) {
        if let Ok(mut h) = self.extra_headers.write() {
            h.push(name.to_ascii_lowercase());
        }
    }

    fn header_is_masked(&self, name: &str) -> bool {
        is_sensitive_header(name)
            || self
                .extra_headers
                .read()
                .map(|h| h.iter().any(|x| x.eq_ignore_ascii_case(name)))
                .unwrap_or(true)
    }

    /// Replaces every known secret in `text`.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        if let Ok(secrets) = self.secrets.read() {
            for s in secrets.iter() {
                if out.contains(s.as_str()) {
                    out = out.replace(s.as_str(), MASK);
                }
            }
        }
        out
    }

    fn header_value(&self, name: &str, value: &str) -> String {
        if !self.header_is_masked(name) {
            return self.scrub(value);
        }
        if name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
        {
            if let Some((scheme, rest)) = value.split_once(' ') {
                if scheme.eq_ignore_ascii_case("bearer") {
                    if let Some(desc) = describe_jwt(rest.trim()) {
                        return format!("{scheme} {desc}");
                    }
                }
                return format!("{scheme} {MASK}");
            }
        }
        MASK.to_string()
    }

    /// The request as raw HTTP text, redacted, body capped.
    pub fn request_text(&self, req: &RecordedRequest) -> String {
        let (path, host) = match url::Url::parse(&req.url) {
            Ok(u) => {
                let mut p = u.path().to_string();
                if let Some(q) = u.query() {
                    p.push('?');
                    p.push_str(q);
                }
                let host = match (u.host_str(), u.port()) {
                    (Some(h), Some(port)) => format!("{h}:{port}"),
                    (Some(h), None) => h.to_string(),
                    _ => String::new(),
                };
                (p, host)
            }
            Err(_) => (req.url.clone(), String::new()),
        };
        let mut out = format!(
            "{} {} HTTP/1.1\nHost: {}\n",
            req.method,
            self.scrub(&path),
            host
        );
        for (n, v) in &req.headers {
            out.push_str(&format!("{n}: {}\n", self.header_value(n, v)));
        }
        if let Some(body) = &req.body {
            out.push('\n');
            out.push_str(&self.body_text(body));
        }
        out.trim_end().to_string()
    }

    /// The response as raw HTTP text, redacted, body capped.
    pub fn response_text(&self, resp: &RecordedResponse) -> String {
        let reason = http::StatusCode::from_u16(resp.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let mut out = format!("{} {} {}\n", resp.version, resp.status, reason);
        for (n, v) in &resp.headers {
            out.push_str(&format!("{n}: {}\n", self.header_value(n, v)));
        }
        if !resp.body.is_empty() {
            out.push('\n');
            out.push_str(&self.body_text(&resp.body));
            if resp.truncated {
                out.push_str("\n[body truncated by nat's read cap]");
            }
        }
        out.trim_end().to_string()
    }

    fn body_text(&self, body: &[u8]) -> String {
        let shown = &body[..body.len().min(EVIDENCE_BODY_CAP)];
        let mut text = mask_jwts(&self.scrub(&String::from_utf8_lossy(shown)));
        if body.len() > EVIDENCE_BODY_CAP {
            text.push_str(&format!(
                "… [{} more bytes]",
                body.len() - EVIDENCE_BODY_CAP
            ));
        }
        text
    }

    /// Evidence for an exchange: the request, and the response or why there was none.
    pub fn evidence(&self, ex: &Exchange) -> Evidence {
        Evidence {
            request: self.request_text(&ex.request),
            response: match (&ex.response, &ex.error) {
                (Some(r), _) => self.response_text(r),
                (None, Some(e)) => format!("(no response: {})", self.scrub(e)),
                (None, None) => "(no response)".into(),
            },
        }
    }
}

/// Every JWT in a body masked (described by [`describe_jwt`]): a token the target hands a scan
/// identity (RealWorld's `GET /user` mints a fresh one per answer) is a credential although nat
/// never registered it. Cut ones (at the evidence cap) are masked too.
fn mask_jwts(text: &str) -> String {
    static JWT: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?").ok()
    });
    match JWT.as_ref() {
        Some(re) if text.contains("eyJ") => re
            .replace_all(text, |c: &regex::Captures<'_>| {
                describe_jwt(&c[0]).unwrap_or_else(|| MASK.to_string())
            })
            .into_owned(),
        _ => text.to_string(),
    }
}

/// `<JWT alg=none, signature empty, claims redacted>` for a JWT, so evidence shows how a token was
/// forged without showing the token.
fn describe_jwt(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (h, _p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(h.trim_end_matches('='))
        .ok()?;
    let header: serde_json::Value = crate::parse::json(&header).ok()?;
    let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or("?");
    let sig = if s.is_empty() { "empty" } else { "present" };
    Some(format!(
        "<JWT alg={alg}, signature {sig}, {}>",
        MASK.trim_matches(|c| c == '<' || c == '>')
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn masks_secrets_and_credential_headers() {
        let r = Redactor::default();
        r.add_secret("tok-123456");
        r.add_header("X-Custom-Auth");
        let req = RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:9/a?key=tok-123456".into(),
            headers: vec![
                ("Authorization".into(), "Bearer tok-123456".into()),
                ("X-Custom-Auth".into(), "abc".into()),
                ("Accept".into(), "application/json".into()),
            ],
            body: Some(Bytes::from_static(b"{\"t\":\"tok-123456\"}")),
        };
        let text = r.request_text(&req);
        assert!(!text.contains("tok-123456"), "{text}");
        assert!(text.contains("Authorization: Bearer <redacted>"), "{text}");
        assert!(text.contains("X-Custom-Auth: <redacted>"), "{text}");
        assert!(text.contains("Accept: application/json"), "{text}");
        assert!(
            text.starts_with("GET /a?key=<redacted> HTTP/1.1\nHost: 127.0.0.1:9"),
            "{text}"
        );
    }

    #[test]
    fn describes_forged_jwts() {
        let r = Redactor::default();
        // {"alg":"none","typ":"JWT"} . {"sub":"1"} . (empty)
        let v = r.header_value(
            "Authorization",
            "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.",
        );
        assert_eq!(v, "Bearer <JWT alg=none, signature empty, redacted>");
    }

    #[test]
    fn caps_bodies() {
        let r = Redactor::default();
        let resp = RecordedResponse {
            status: 200,
            version: "HTTP/1.1".into(),
            body: Bytes::from(vec![b'a'; EVIDENCE_BODY_CAP + 10]),
            ..Default::default()
        };
        let text = r.response_text(&resp);
        assert!(text.starts_with("HTTP/1.1 200 OK"));
        assert!(
            text.ends_with("… [10 more bytes]"),
            "{}",
            &text[text.len() - 40..]
        );
    }

    #[test]
    fn jwts_in_bodies_are_masked_even_unregistered() {
        let r = Redactor::default();
        let jwt =
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6IkJvYiJ9.9gbZhFvMZ2Os0zrBE6x8Ba";
        let body = format!(r#"{{"user":{{"token":"{jwt}","cut":"{}"}}}}"#, &jwt[..50]);
        let text = r.body_text(body.as_bytes());
        assert!(!text.contains("eyJ1c2Vy"), "{text}");
        assert!(text.contains("<JWT"), "{text}");
    }
}
