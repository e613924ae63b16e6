//! The one scan request type: the JSON body of `POST /api/v1/scans`. CLI flags and the `--config` file
//! fill the same struct; nothing is defined twice.

use crate::findings::Severity;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A secret value (token, password, client secret). Its `Debug` and `Serialize` never show it:
/// a request that is printed, logged or saved in a report carries `<redacted>` instead.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The clear value: only for building the request that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True when no value was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// How nat authenticates as the user (`auth.type` in the contract).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthType {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// Any header, e.g. `X-API-Key: …`.
    Header,
    /// HTTP basic authentication.
    Basic,
    /// OAuth2 client credentials: a token fetched from the token URL and refreshed.
    Oauth2,
    /// No credentials.
    #[default]
    None,
}

/// Credentials of one identity, in the shape of the contract's `auth` object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Which kind of credentials; inferred from the fields when absent.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AuthType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_value: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_token_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_client_secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth2_scope: Option<String>,
}

impl AuthConfig {
    /// The effective type: the explicit one, or the one the given fields imply.
    pub fn effective_type(&self) -> AuthType {
        if let Some(kind) = self.kind {
            return kind;
        }
        if self.token.is_some() {
            AuthType::Bearer
        } else if self.header_name.is_some() || self.header_value.is_some() {
            AuthType::Header
        } else if self.username.is_some() || self.password.is_some() {
            AuthType::Basic
        } else if self.oauth2_token_url.is_some() {
            AuthType::Oauth2
        } else {
            AuthType::None
        }
    }

    /// Checks that the fields the type needs are present.
    pub fn validate(&self) -> Result<(), String> {
        fn need<T>(v: &Option<T>, what: &str, kind: &str) -> Result<(), String> {
            match v {
                Some(_) => Ok(()),
                None => Err(format!("auth type `{kind}` needs `{what}`")),
            }
        }
        match self.effective_type() {
            AuthType::Bearer => need(&self.token, "auth.token", "bearer"),
            AuthType::Header => {
                need(&self.header_name, "auth.header_name", "header")?;
                need(&self.header_value, "auth.header_value", "header")?;
                let name = self.header_name.as_deref().unwrap_or_default();
                if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(format!(
                        "auth.header_name `{name}` is not a valid header name"
                    ));
                }
                Ok(())
            }
            AuthType::Basic => {
                need(&self.username, "auth.username", "basic")?;
                need(&self.password, "auth.password", "basic")
            }
            AuthType::Oauth2 => {
                need(&self.oauth2_token_url, "auth.oauth2_token_url", "oauth2")?;
                need(&self.oauth2_client_id, "auth.oauth2_client_id", "oauth2")?;
                need(
                    &self.oauth2_client_secret,
                    "auth.oauth2_client_secret",
                    "oauth2",
                )?;
                let url = self.oauth2_token_url.as_deref().unwrap_or_default();
                url::Url::parse(url).map_err(|e| {
                    format!("auth.oauth2_token_url `{url}` is not a valid URL: {e}")
                })?;
                Ok(())
            }
            AuthType::None => Ok(()),
        }
    }
}

/// The severity at or above which a scan fails (`options.fail_on`); `none` never fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Critical,
    #[default]
    High,
    Medium,
    Low,
    Info,
    None,
}

impl FailOn {
    /// The lowest severity that fails the scan, or `None` when nothing does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::None => None,
        }
    }
}

fn default_concurrency() -> usize {
    5
}
fn default_timeout() -> u64 {
    30
}
fn default_true() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
/// Requests in one burst of a noisy check, unless `options.burst_size` says otherwise.
pub const DEFAULT_BURST_SIZE: u32 = 20;
/// Bounds of `options.burst_size`.
pub const BURST_SIZE_RANGE: std::ops::RangeInclusive<u32> = 5..=200;
fn default_burst_size() -> u32 {
    DEFAULT_BURST_SIZE
}
fn is_default_burst_size(n: &u32) -> bool {
    *n == DEFAULT_BURST_SIZE
}

/// Options of a scan (`options` in the contract, plus nat's own extensions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanOptions {
    /// Requests in flight at once (default 5).
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Total deadline of one exchange in seconds (default 30).
    #[serde(default = "default_timeout")]
    pub timeout: u64,
    /// Severity at or above which the scan fails (default high).
    #[serde(default)]
    pub fail_on: FailOn,
    /// Glob patterns on the path template of operations to skip, e.g. `/api/v1/payments/*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Maximum requests per second (default unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Maximum requests in the whole scan (default unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_requests: Option<u64>,
    /// Extra headers sent on every request, as `Name: value`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// An HTTP(S) proxy every request goes through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Accept invalid TLS certificates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub insecure: bool,
    /// Check ids to run (all when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// Run the noisy checks, those that send a burst of requests to one operation (brute-force
    /// protection, rate limiting) (default true).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub noisy_checks: bool,
    /// Requests in one burst of a noisy check (default 20, 5 to 200).
    #[serde(
        default = "default_burst_size",
        skip_serializing_if = "is_default_burst_size"
    )]
    pub burst_size: u32,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            concurrency: default_concurrency(),
            timeout: default_timeout(),
            fail_on: FailOn::default(),
            exclude: Vec::new(),
            rate: None,
            max_requests: None,
            headers: Vec::new(),
            proxy: None,
            insecure: false,
            checks: Vec::new(),
            noisy_checks: true,
            burst_size: DEFAULT_BURST_SIZE,
        }
    }
}

/// The canonical scan request: the body of `POST /api/v1/scans`, the `--config` file, and what the CLI
/// flags fill.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// Base URL of the target API.
    pub url: String,
    /// Where the API description is: an http(s) URL, or (CLI only) a local file path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_url: Option<String>,
    /// The API description itself, base64-encoded (alternative to `spec_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_content: Option<String>,
    /// Credentials of the user nat scans as.
    #[serde(default)]
    pub auth: AuthConfig,
    /// Credentials of a second user (user B), for authorization checks that need two identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_b: Option<AuthConfig>,
    /// Scan options.
    #[serde(default)]
    pub options: ScanOptions,
}

impl ScanRequest {
    /// Parses a request from JSON or YAML text (YAML is a superset of JSON).
    pub fn from_text(text: &str) -> Result<Self, String> {
        serde_yaml_ng::from_str(text).map_err(|e| e.to_string())
    }

    /// Checks everything that can be checked before any traffic: URL, auth fields, option bounds.
    pub fn validate(&self) -> Result<(), String> {
        let url = url::Url::parse(&self.url).map_err(|e| format!("url `{}`: {e}", self.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "url `{}`: only http and https targets can be scanned",
                self.url
            ));
        }
        if self.spec_url.is_some() && self.spec_content.is_some() {
            return Err("give either spec_url or spec_content, not both".into());
        }
        self.auth.validate()?;
        if let Some(b) = &self.auth_b {
            b.validate()
                .map_err(|e| e.replacen("auth.", "auth_b.", 1))?;
        }
        let o = &self.options;
        if o.concurrency == 0 || o.concurrency > 256 {
            return Err(format!(
                "options.concurrency must be between 1 and 256, not {}",
                o.concurrency
            ));
        }
        if o.timeout == 0 || o.timeout > 3600 {
            return Err(format!(
                "options.timeout must be between 1 and 3600 seconds, not {}",
                o.timeout
            ));
        }
        if let Some(rate) = o.rate {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(format!(
                    "options.rate must be a positive number, not {rate}"
                ));
            }
        }
        if !BURST_SIZE_RANGE.contains(&o.burst_size) {
            return Err(format!(
                "options.burst_size must be between {} and {}, not {}",
                BURST_SIZE_RANGE.start(),
                BURST_SIZE_RANGE.end(),
                o.burst_size
            ));
        }
        if o.max_requests == Some(0) {
            return Err("options.max_requests must be at least 1".into());
        }
        crate::checks::select(&o.checks, o.noisy_checks).map(|_| ())?;
        for pattern in &o.exclude {
            globset::Glob::new(pattern).map_err(|e| format!("options.exclude `{pattern}`: {e}"))?;
        }
        for header in &o.headers {
            parse_header(header)?;
        }
        if let Some(proxy) = &o.proxy {
            url::Url::parse(proxy).map_err(|e| format!("options.proxy `{proxy}`: {e}"))?;
        }
        Ok(())
    }
}

/// Splits `Name: value` into a valid header name and value.
pub fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header `{text}` is not of the form `Name: value`"))?;
    let name = name.trim();
    let value = value.trim();
    http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("header `{text}`: `{name}` is not a valid header name"))?;
    http::HeaderValue::from_str(value)
        .map_err(|_| format!("header `{text}`: the value is not valid"))?;
    Ok((name.to_string(), value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_example_parses() {
        let body = r#"{"url": "https://api.example.com",
 "spec_url": "https://api.example.com/openapi.json",
 "auth": {"type": "bearer", "token": "eyJ..."},
 "options": {"concurrency": 5, "timeout": 30, "fail_on": "high", "exclude": ["/api/v1/payments/*"]}}"#;
        let req = ScanRequest::from_text(body).unwrap();
        assert_eq!(req.auth.effective_type(), AuthType::Bearer);
        assert_eq!(req.auth.token.as_ref().unwrap().expose(), "eyJ...");
        assert_eq!(req.options.exclude, vec!["/api/v1/payments/*"]);
        req.validate().unwrap();
    }

    #[test]
    fn secrets_never_serialize() {
        let req = ScanRequest {
            url: "http://127.0.0.1:1".into(),
            auth: AuthConfig {
                token: Some(Secret::new("s3cr3t")),
                ..Default::default()
            },
            ..Default::default()
        };
        let json = serde_json::to_string(&req).unwrap();
        assert!(!json.contains("s3cr3t"), "{json}");
        assert!(!format!("{req:?}").contains("s3cr3t"));
    }

    #[test]
    fn unknown_fields_and_bad_values_are_rejected() {
        assert!(ScanRequest::from_text(r#"{"url": "http://x", "optons": {}}"#).is_err());
        let req = ScanRequest::from_text(r#"{"url": "ftp://x"}"#).unwrap();
        assert!(req.validate().unwrap_err().contains("http"));
        let req = ScanRequest::from_text(
            r#"{"url": "http://x", "auth": {"type": "basic", "username": "u"}}"#,
        )
        .unwrap();
        assert!(req.validate().unwrap_err().contains("auth.password"));
    }

    #[test]
    fn noisy_checks_and_burst_size() {
        let req = ScanRequest::from_text(r#"{"url": "http://x"}"#).unwrap();
        assert!(req.options.noisy_checks);
        assert_eq!(req.options.burst_size, DEFAULT_BURST_SIZE);
        assert!(!serde_json::to_string(&req).unwrap().contains("noisy"));
        let req = ScanRequest::from_text(
            r#"{"url": "http://x", "options": {"noisy_checks": false, "burst_size": 8}}"#,
        )
        .unwrap();
        req.validate().unwrap();
        assert!(serde_json::to_string(&req)
            .unwrap()
            .contains(r#""noisy_checks":false,"burst_size":8"#));
        for bad in [
            r#"{"url": "http://x", "options": {"burst_size": 4}}"#,
            r#"{"url": "http://x", "options": {"burst_size": 201}}"#,
            r#"{"url": "http://x", "options": {"noisy_checks": false, "checks": ["nat-api4-no-rate-limit"]}}"#,
            r#"{"url": "http://x", "options": {"checks": ["NAT-NOPE"]}}"#,
        ] {
            let req = ScanRequest::from_text(bad).unwrap();
            assert!(req.validate().is_err(), "{bad}");
        }
    }
}
