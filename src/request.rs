//! The one scan request type: the JSON body of `POST /api/v1/scans`. CLI flags and the `--config` file
//! fill the same struct; nothing is defined twice.

use crate::findings::{Confidence, Severity};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;
use std::fmt;

thread_local! {
    /// Set while [`reveal_secrets`] runs on this thread.
    static REVEAL: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with every [`Secret`] and [`LoginBody`] serialising in clear on this thread: for the one
/// place where credentials must travel (the scan request sent to a `nat serve`). Everywhere else
/// they serialise as `<redacted>`.
///
/// Redacted is the default, and clear the explicit exception, rather than the other way round: a
/// forgotten call then loses a credential on the wire (a visible failure) instead of writing one into
/// a report, a log or the store. No list of secret fields is kept anywhere: whatever is typed
/// `Secret` follows the rule.
pub fn reveal_secrets<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            REVEAL.with(|r| r.set(self.0));
        }
    }
    let _restore = Restore(REVEAL.with(|r| r.replace(true)));
    f()
}

fn revealing() -> bool {
    REVEAL.with(Cell::get)
}

/// A secret value (token, password, client secret). Its `Debug` never shows it, and neither does
/// `Serialize` outside [`reveal_secrets`]: a request that is printed, logged, stored or saved in a
/// report carries `<redacted>` instead.
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
        if revealing() {
            s.serialize_str(&self.0)
        } else {
            s.serialize_str("<redacted>")
        }
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
    /// A login flow: nat posts the credentials to a login URL, takes the token from the answer, and
    /// logs in again when the token expires or the API answers 401.
    Login,
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
    /// Login flow: where nat posts the credentials (an http(s) URL, or a path on the target such as
    /// `/api/v1/login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_url: Option<String>,
    /// Login flow: the body template, a JSON object whose string values `{username}` and
    /// `{password}` are replaced by `username` and `password` [default: `{"username": "{username}",
    /// "password": "{password}"}`]. Put secrets in `password`, not here: values under
    /// secret-looking keys are redacted when the request is shown or stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_body: Option<LoginBody>,
    /// Login flow: how the body is sent, `json` (default) or `form`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_content_type: Option<LoginContentType>,
    /// Login flow: JSON Pointer to the token in the answer [default: the first of `/access_token`,
    /// `/token`, `/accessToken`, `/jwt`, `/id_token`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_pointer: Option<String>,
    /// Login flow: the header that carries the token [default: `Authorization`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_header: Option<String>,
    /// Login flow: what goes before the token in that header [default: `Bearer ` for
    /// `Authorization`, nothing for another header].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_prefix: Option<String>,
}

/// How a login body is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginContentType {
    /// `application/json`.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded` (the template's top-level fields).
    Form,
}

/// The placeholders of a login body template.
pub const USERNAME_PLACEHOLDER: &str = "{username}";
/// See [`USERNAME_PLACEHOLDER`].
pub const PASSWORD_PLACEHOLDER: &str = "{password}";

/// A login body template (a JSON object). Shown or stored, its string values under secret-looking
/// keys (password, secret, token, key, pin, otp, credential) are `<redacted>` unless they are only a
/// placeholder; nat also masks them in evidence.
#[derive(Clone, PartialEq, Default)]
pub struct LoginBody(pub serde_json::Value);

impl LoginBody {
    /// The default template: `{"username": "{username}", "password": "{password}"}`.
    pub fn default_template() -> Self {
        LoginBody(serde_json::json!({
            "username": USERNAME_PLACEHOLDER,
            "password": PASSWORD_PLACEHOLDER,
        }))
    }

    /// The template with `{username}` and `{password}` replaced in every string value.
    pub fn render(&self, username: &str, password: &str) -> serde_json::Value {
        fn walk(v: &serde_json::Value, u: &str, p: &str) -> serde_json::Value {
            use serde_json::Value;
            match v {
                Value::String(s) => Value::String(
                    s.replace(USERNAME_PLACEHOLDER, u)
                        .replace(PASSWORD_PLACEHOLDER, p),
                ),
                Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, u, p)).collect()),
                Value::Object(map) => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), walk(v, u, p)))
                        .collect(),
                ),
                other => other.clone(),
            }
        }
        walk(&self.0, username, password)
    }

    /// True when some string value holds `placeholder`.
    pub fn uses(&self, placeholder: &str) -> bool {
        self.strings().iter().any(|(_, s)| s.contains(placeholder))
    }

    /// Literal values under secret-looking keys (what the redactor must learn).
    pub fn literal_secrets(&self) -> Vec<String> {
        self.strings()
            .into_iter()
            .filter(|(k, s)| is_secret_key(k) && !is_placeholder_only(s))
            .map(|(_, s)| s)
            .collect()
    }

    /// (key, string value) of every string in the template.
    fn strings(&self) -> Vec<(String, String)> {
        fn walk(v: &serde_json::Value, key: &str, out: &mut Vec<(String, String)>) {
            use serde_json::Value;
            match v {
                Value::String(s) => out.push((key.to_string(), s.clone())),
                Value::Array(items) => items.iter().for_each(|i| walk(i, key, out)),
                Value::Object(map) => map.iter().for_each(|(k, v)| walk(v, k, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&self.0, "", &mut out);
        out
    }

    /// The template with literal secrets masked.
    fn masked(&self) -> serde_json::Value {
        fn walk(v: &serde_json::Value, key: &str) -> serde_json::Value {
            use serde_json::Value;
            match v {
                Value::String(s) if is_secret_key(key) && !is_placeholder_only(s) => {
                    Value::String("<redacted>".into())
                }
                Value::Array(items) => Value::Array(items.iter().map(|i| walk(i, key)).collect()),
                Value::Object(map) => {
                    Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v, k))).collect())
                }
                other => other.clone(),
            }
        }
        walk(&self.0, "")
    }
}

/// True for a key whose value is a credential (`password`, `client_secret`, `api_key`, `otp`, …).
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "pin",
        "otp",
        "credential",
    ]
    .iter()
    .any(|w| k.contains(w))
}

fn is_placeholder_only(s: &str) -> bool {
    s == USERNAME_PLACEHOLDER || s == PASSWORD_PLACEHOLDER
}

impl fmt::Debug for LoginBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.masked())
    }
}

impl Serialize for LoginBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if revealing() {
            self.0.serialize(s)
        } else {
            self.masked().serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for LoginBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(LoginBody)
    }
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
        } else if self.login_url.is_some() {
            AuthType::Login
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
        if self.login_body.as_ref().is_some_and(|b| !b.0.is_object()) {
            return Err("auth.login_body must be a JSON object".into());
        }
        for (field, value) in [("token", &self.token), ("header_value", &self.header_value)] {
            if let Some(why) = value.as_ref().and_then(|v| header_unsafe(v.expose())) {
                return Err(format!("auth.{field}: {why}"));
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
            AuthType::Login => self.validate_login(),
            AuthType::None => Ok(()),
        }
    }

    fn validate_login(&self) -> Result<(), String> {
        let url = self
            .login_url
            .as_deref()
            .ok_or("auth type `login` needs `auth.login_url`")?;
        if !url.starts_with('/') {
            let parsed = url::Url::parse(url)
                .map_err(|e| format!("auth.login_url `{url}` is not a URL or a path: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(format!("auth.login_url `{url}` must be http(s)"));
            }
        }
        let default = LoginBody::default_template();
        let body = self.login_body.as_ref().unwrap_or(&default);
        if !body.0.is_object() {
            return Err("auth.login_body must be a JSON object".into());
        }
        if self.login_content_type == Some(LoginContentType::Form)
            && body
                .0
                .as_object()
                .is_some_and(|m| m.values().any(|v| v.is_object() || v.is_array()))
        {
            return Err(
                "auth.login_body sent as a form must be flat (no objects or arrays)".into(),
            );
        }
        if body.uses(USERNAME_PLACEHOLDER) && self.username.is_none() {
            return Err(
                "auth type `login` needs `auth.username` (the body uses {username})".into(),
            );
        }
        if body.uses(PASSWORD_PLACEHOLDER) && self.password.is_none() {
            return Err(
                "auth type `login` needs `auth.password` (the body uses {password})".into(),
            );
        }
        if let Some(pointer) = &self.token_pointer {
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                return Err(format!(
                    "auth.token_pointer `{pointer}` is not a JSON Pointer (it starts with `/`)"
                ));
            }
        }
        if let Some(name) = &self.token_header {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!(
                    "auth.token_header `{name}` is not a valid header name"
                ));
            }
        }
        if let Some(prefix) = &self.token_prefix {
            if http::HeaderValue::from_str(prefix).is_err() {
                return Err("auth.token_prefix is not valid in a header".into());
            }
        }
        Ok(())
    }
}

/// Most named identities one scan may have.
pub const MAX_IDENTITIES: usize = 32;

/// Names the engine uses for user A, user B and no credentials; a named identity may not take them.
pub const RESERVED_IDENTITY_NAMES: &[&str] = &["user", "user_b", "anonymous"];

/// A named identity with a role (`identities: [{name, role, auth}]`): e.g. `{name: admin1, role:
/// admin, auth: {…}}`. Roles are free-form; the well-known ones (see
/// [`crate::http::privilege_of_role`]) have a privilege level, and `level` sets or overrides it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// Unique name, shown in reports: letters, digits, `-`, `_`, `.`.
    pub name: String,
    /// Role, e.g. `admin`, `user`, `guest`, or any word of the API's own.
    pub role: String,
    /// Privilege level (higher is more privileged); needed to rank a role nat does not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// Credentials, in the shape of `auth`.
    #[serde(default)]
    pub auth: AuthConfig,
}

impl Identity {
    /// Checks the name, the role and the credentials of the `index`-th identity.
    pub fn validate(&self, index: usize) -> Result<(), String> {
        let at = format!("identities[{index}]");
        let name = self.name.as_str();
        if name.is_empty()
            || name.chars().count() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "{at}.name `{name}` must be 1 to 64 letters, digits, `-`, `_` or `.`"
            ));
        }
        if RESERVED_IDENTITY_NAMES.contains(&name) {
            return Err(format!(
                "{at}.name `{name}` is reserved (user A, user B and anonymous are built in)"
            ));
        }
        if self.role.trim().is_empty() || self.role.chars().count() > 64 {
            return Err(format!("{at}.role must be 1 to 64 characters, not blank"));
        }
        if self.level.is_some_and(|l| l > 1000) {
            return Err(format!("{at}.level must be at most 1000"));
        }
        self.auth
            .validate()
            .map_err(|e| e.replacen("auth.", &format!("{at}.auth."), 1))
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

/// What nat may change on the target (`options.safety`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Only reads: no operation but GET, HEAD and OPTIONS is probed (`--safe`).
    Safe,
    /// Reads, creations and queries (POST to a path without parameters), and changes or deletions of
    /// objects nat created itself during the scan; never an object it did not create.
    #[default]
    Default,
    /// Everything the description offers, including changing and deleting existing objects
    /// (`--destructive`): for throwaway test environments only.
    Destructive,
}

impl Safety {
    /// Whether an operation may be probed at all, and if not, why (for the report's warnings).
    /// `has_path_params`: the operation's path names an object (`/items/{id}`).
    pub fn allows(self, method: &str, has_path_params: bool) -> Result<(), &'static str> {
        let read = crate::http::is_read(method);
        match self {
            _ if read => Ok(()),
            Safety::Safe => Err("--safe allows only reads"),
            Safety::Destructive => Ok(()),
            Safety::Default if method == "POST" && !has_path_params => Ok(()),
            Safety::Default => Err(
                "it would change or delete an object nat did not create; --destructive allows it",
            ),
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
    /// The least confidence a finding needs to count for `fail_on` (default firm: certain and firm
    /// findings fail a scan, tentative ones are only reported).
    #[serde(default)]
    pub fail_on_confidence: Confidence,
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
    /// What nat may change on the target: `safe` (reads only), `default` (only objects nat created),
    /// `destructive` (anything).
    #[serde(default)]
    pub safety: Safety,
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
    /// Where the callback listener of SSRF and blind-injection probes listens and how the target
    /// reaches it (default: 127.0.0.1, any free port, for a target on this machine).
    #[serde(default, skip_serializing_if = "CallbackOptions::is_default")]
    pub callback: CallbackOptions,
}

/// The callback listener's address ([`crate::oob`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackOptions {
    /// `ADDR:PORT` the listener binds (default `127.0.0.1:0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    /// The URL the target reaches the listener at (a host in the same network, a tunnel); needed
    /// for a target on another machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl CallbackOptions {
    fn is_default(&self) -> bool {
        *self == CallbackOptions::default()
    }

    /// The address to bind, parsed.
    pub fn bind_addr(&self) -> Result<std::net::SocketAddr, String> {
        let text = self.bind.as_deref().unwrap_or("127.0.0.1:0");
        text.parse()
            .map_err(|_| format!("options.callback.bind `{text}` is not an ADDR:PORT"))
    }

    /// The public URL, parsed: http(s) only.
    pub fn public_url(&self) -> Result<Option<url::Url>, String> {
        let Some(text) = &self.url else {
            return Ok(None);
        };
        let u = url::Url::parse(text).map_err(|e| format!("options.callback.url `{text}`: {e}"))?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(format!(
                "options.callback.url `{text}` must be an http(s) URL with a host"
            ));
        }
        Ok(Some(u))
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            concurrency: default_concurrency(),
            timeout: default_timeout(),
            fail_on: FailOn::default(),
            fail_on_confidence: Confidence::default(),
            exclude: Vec::new(),
            rate: None,
            max_requests: None,
            headers: Vec::new(),
            proxy: None,
            insecure: false,
            safety: Safety::default(),
            checks: Vec::new(),
            noisy_checks: true,
            burst_size: DEFAULT_BURST_SIZE,
            callback: CallbackOptions::default(),
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
    /// More named identities with a role (a low-privileged user, an admin, …), for checks that compare
    /// what each role may do. `auth` and `auth_b` stay user A and user B.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<Identity>,
    /// Scan options.
    #[serde(default)]
    pub options: ScanOptions,
}

impl ScanRequest {
    /// Every identity's credentials with the field path naming them (`auth`, `auth_b`,
    /// `identities[0].auth`, …).
    pub fn auth_configs(&self) -> Vec<(String, &AuthConfig)> {
        let mut out = vec![("auth".to_string(), &self.auth)];
        if let Some(b) = &self.auth_b {
            out.push(("auth_b".into(), b));
        }
        for (i, identity) in self.identities.iter().enumerate() {
            out.push((format!("identities[{i}].auth"), &identity.auth));
        }
        out
    }

    /// Parses a request from JSON or YAML text (YAML is a superset of JSON).
    pub fn from_text(text: &str) -> Result<Self, String> {
        crate::parse::yaml(text).map_err(|e| e.to_string())
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
        if self.identities.len() > MAX_IDENTITIES {
            return Err(format!(
                "at most {MAX_IDENTITIES} identities, not {}",
                self.identities.len()
            ));
        }
        for (i, identity) in self.identities.iter().enumerate() {
            identity.validate(i)?;
            if self.identities[..i].iter().any(|o| o.name == identity.name) {
                return Err(format!(
                    "identities[{i}].name `{}` is used twice",
                    identity.name
                ));
            }
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
        o.callback.bind_addr()?;
        o.callback.public_url()?;
        crate::checks::select(&o.checks, o.noisy_checks).map(|_| ())?;
        for pattern in &o.exclude {
            crate::pattern::PathPattern::new(pattern)
                .map_err(|e| format!("options.exclude `{pattern}`: {e}"))?;
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

/// Why `value` cannot travel in an HTTP header, if it cannot: a line break or another control
/// character (tab aside), with its position. Never repeats the value (usually a secret).
pub fn header_unsafe(value: &str) -> Option<String> {
    let (at, c) = value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && *c != '\t')?;
    let what = if matches!(c, '\n' | '\r') {
        "a line break"
    } else {
        "a control character"
    };
    Some(format!(
        "the value has {what} at character {} of {}, which no HTTP header may hold (a value read \
         from a file often ends with one: strip it, e.g. \"$(tr -d '\\r\\n' < token.txt)\")",
        at + 1,
        value.chars().count()
    ))
}

/// Splits `Name: value` into a valid header name and value.
pub fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header `{text}` is not of the form `Name: value`"))?;
    let name = name.trim();
    let value = value.trim();
    http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("header `{name}`: not a valid header name"))?;
    if let Some(why) = header_unsafe(value) {
        return Err(format!("header `{name}`: {why}"));
    }
    http::HeaderValue::from_str(value)
        .map_err(|_| format!("header `{name}`: the value is not valid in an HTTP header"))?;
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
    fn identities_parse_validate_and_hide_their_secrets() {
        let text = r#"
url: http://127.0.0.1:1
identities:
  - {name: admin1, role: admin, auth: {token: adm1n-t0ken}}
  - {name: reader, role: auditor, level: 1, auth: {type: basic, username: r, password: pw-s3cret}}
"#;
        let req = ScanRequest::from_text(text).unwrap();
        req.validate().unwrap();
        assert_eq!(req.identities.len(), 2);
        assert_eq!(req.identities[1].level, Some(1));
        let json = serde_json::to_string(&req).unwrap();
        assert!(
            !json.contains("adm1n-t0ken") && !json.contains("pw-s3cret"),
            "{json}"
        );
        assert!(json.contains(r#""role":"admin""#), "{json}");

        let bad = |text: &str| {
            ScanRequest::from_text(text)
                .and_then(|r| r.validate())
                .unwrap_err()
        };
        assert!(
            bad("{url: 'http://x', identities: [{name: a, role: admin, oops: 1}]}")
                .contains("oops")
        );
        assert!(bad("{url: 'http://x', identities: [{name: a}]}").contains("role"));
        assert!(
            bad("{url: 'http://x', identities: [{name: 'a b', role: admin}]}")
                .contains("identities[0].name")
        );
        assert!(
            bad("{url: 'http://x', identities: [{name: user, role: admin}]}").contains("reserved")
        );
        assert!(
            bad("{url: 'http://x', identities: [{name: a, role: x}, {name: a, role: y}]}")
                .contains("twice")
        );
        assert!(bad("{url: 'http://x', identities: [{name: a, role: ' '}]}")
            .contains("identities[0].role"));
        let err =
            bad("{url: 'http://x', identities: [{name: a, role: admin, auth: {type: bearer}}]}");
        assert!(err.contains("identities[0].auth.token"), "{err}");
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
