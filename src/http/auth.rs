//! Auth providers: how an identity's credentials become request headers.
//!
//! Tokens nat obtains itself (OAuth2 client credentials, login flows) live in a [`TokenCache`]: one
//! fetch at a time (concurrent requests wait for the same login instead of each logging in), renewed
//! shortly before the expiry the answer or the JWT's `exp` announces, and renewed after a 401 only when
//! the token that got the 401 is still the current one (so a burst of 401s causes one login, not one
//! each).

use crate::request::{AuthConfig, AuthType, LoginBody, LoginContentType, Secret};
use base64::Engine as _;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

/// What providers need to fetch a token: the scan's reqwest client and its total deadline.
pub struct AuthEnv<'a> {
    pub client: &'a reqwest::Client,
    pub timeout: Duration,
}

/// The credential header of one request, and the token inside it (for redaction).
#[derive(Clone, Debug)]
pub struct Credential {
    pub name: String,
    pub value: String,
    /// The bare token, when the value carries one nat obtained or was given.
    pub token: Option<String>,
}

/// A token cache shared by the requests of one identity.
#[derive(Debug, Default)]
struct TokenCache {
    current: Mutex<Option<CachedToken>>,
    /// Tokens replaced by newer ones, oldest first (at most [`MAX_RETIRED`]): the expired-token check
    /// replays them.
    retired: std::sync::Mutex<Vec<String>>,
}

#[derive(Debug)]
struct CachedToken {
    token: String,
    /// When to fetch a new one (the expiry minus a margin).
    renew_at: Option<Instant>,
}

/// Most replaced tokens kept per identity.
const MAX_RETIRED: usize = 8;
/// Renew a token at most this long before its expiry…
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// …and at most this fraction of its lifetime before (short-lived tokens).
const MARGIN_DIVISOR: u32 = 5;
/// Most bytes of a token or login answer read.
const TOKEN_BODY_CAP: usize = 64 * 1024;

impl TokenCache {
    /// The current token, fetched with `fetch` when there is none or it is about to expire. Holds the
    /// lock while fetching, so concurrent callers share one fetch.
    async fn get<F, Fut>(&self, fetch: F) -> Result<String, String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(String, Option<Duration>), String>>,
    {
        let mut current = self.current.lock().await;
        if let Some(c) = current.as_ref() {
            if c.renew_at.is_none_or(|at| Instant::now() < at) {
                return Ok(c.token.clone());
            }
        }
        let (token, lifetime) = fetch().await?;
        let renew_at = lifetime.map(|life| {
            let margin = EXPIRY_MARGIN.min(life / MARGIN_DIVISOR);
            Instant::now() + life.saturating_sub(margin)
        });
        if let Some(old) = current.replace(CachedToken {
            token: token.clone(),
            renew_at,
        }) {
            self.retire(old.token);
        }
        Ok(token)
    }

    /// Forgets `used` after the API refused it; a later call fetches a new one. A newer token is
    /// kept (another request already renewed it).
    async fn invalidate(&self, used: &str) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|c| c.token == used) {
            if let Some(old) = current.take() {
                self.retire(old.token);
            }
        }
    }

    fn retire(&self, token: String) {
        if let Ok(mut r) = self.retired.lock() {
            if !r.contains(&token) {
                r.push(token);
            }
            let excess = r.len().saturating_sub(MAX_RETIRED);
            r.drain(..excess);
        }
    }

    /// Every token this cache has held, oldest first, the current one last.
    async fn issued(&self) -> Vec<String> {
        let mut out = self.retired.lock().map(|r| r.clone()).unwrap_or_default();
        if let Some(c) = self.current.lock().await.as_ref() {
            out.push(c.token.clone());
        }
        out
    }
}

/// OAuth2 client-credentials provider.
#[derive(Debug)]
pub struct OAuth2 {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    cache: TokenCache,
}

/// Login-flow provider: posts the credentials, takes the token from the answer.
#[derive(Debug)]
pub struct Login {
    /// Absolute login URL (a path was resolved against the target).
    url: String,
    username: String,
    password: Secret,
    body: LoginBody,
    form: bool,
    pointer: Option<String>,
    header: String,
    prefix: String,
    cache: TokenCache,
}

/// The credentials of one identity.
#[derive(Debug)]
pub enum Auth {
    Bearer(Secret),
    Header(String, Secret),
    Basic(String, Secret),
    OAuth2(OAuth2),
    Login(Login),
}

/// Where a default login answer keeps its token.
const DEFAULT_POINTERS: &[&str] = &[
    "/access_token",
    "/token",
    "/accessToken",
    "/jwt",
    "/id_token",
];

impl Auth {
    /// The provider for an `auth` object, or `None` for `type: none`. Call after `AuthConfig::validate`.
    /// A login URL that is a path is taken as relative to the target's origin, `target`.
    pub fn from_config_for(cfg: &AuthConfig, target: &str) -> Option<Auth> {
        let secret = |s: &Option<Secret>| s.clone().unwrap_or_default();
        match cfg.effective_type() {
            AuthType::None => None,
            AuthType::Bearer => Some(Auth::Bearer(secret(&cfg.token))),
            AuthType::Header => Some(Auth::Header(
                cfg.header_name.clone().unwrap_or_default(),
                secret(&cfg.header_value),
            )),
            AuthType::Basic => Some(Auth::Basic(
                cfg.username.clone().unwrap_or_default(),
                secret(&cfg.password),
            )),
            AuthType::Oauth2 => Some(Auth::OAuth2(OAuth2 {
                token_url: cfg.oauth2_token_url.clone().unwrap_or_default(),
                client_id: cfg.oauth2_client_id.clone().unwrap_or_default(),
                client_secret: secret(&cfg.oauth2_client_secret),
                scope: cfg.oauth2_scope.clone(),
                cache: TokenCache::default(),
            })),
            AuthType::Login => {
                let raw = cfg.login_url.clone().unwrap_or_default();
                let url = match url::Url::parse(target) {
                    Ok(base) if raw.starts_with('/') => {
                        base.join(&raw).map(String::from).unwrap_or(raw)
                    }
                    _ => raw,
                };
                let header = cfg
                    .token_header
                    .clone()
                    .unwrap_or_else(|| "Authorization".into());
                let prefix = cfg.token_prefix.clone().unwrap_or_else(|| {
                    if header.eq_ignore_ascii_case("authorization") {
                        "Bearer ".into()
                    } else {
                        String::new()
                    }
                });
                Some(Auth::Login(Login {
                    url,
                    username: cfg.username.clone().unwrap_or_default(),
                    password: secret(&cfg.password),
                    body: cfg
                        .login_body
                        .clone()
                        .unwrap_or_else(LoginBody::default_template),
                    form: cfg.login_content_type == Some(LoginContentType::Form),
                    pointer: cfg.token_pointer.clone(),
                    header,
                    prefix,
                    cache: TokenCache::default(),
                }))
            }
        }
    }

    /// [`Auth::from_config_for`] without a target: a login URL must then be absolute.
    pub fn from_config(cfg: &AuthConfig) -> Option<Auth> {
        Self::from_config_for(cfg, "")
    }

    /// The header name this identity authenticates with (for redaction and anonymous requests).
    pub fn header_name(&self) -> &str {
        match self {
            Auth::Header(name, _) => name,
            Auth::Login(l) => &l.header,
            _ => "authorization",
        }
    }

    /// Secret strings that must never appear in evidence (token, password, the basic pair encoded).
    pub fn static_secrets(&self) -> Vec<String> {
        match self {
            Auth::Bearer(t) => vec![t.expose().to_string()],
            Auth::Header(_, v) => vec![v.expose().to_string()],
            Auth::Basic(u, p) => vec![
                p.expose().to_string(),
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{}", p.expose())),
            ],
            Auth::OAuth2(o) => vec![o.client_secret.expose().to_string()],
            Auth::Login(l) => {
                let mut out = l.body.literal_secrets();
                out.push(l.password.expose().to_string());
                out
            }
        }
    }

    /// The bearer token a request would carry, if this identity uses one (JWT checks look at it).
    pub async fn bearer_token(&self, env: &AuthEnv<'_>) -> Result<Option<String>, String> {
        match self {
            Auth::Bearer(t) => Ok(Some(t.expose().to_string())),
            Auth::OAuth2(o) => o.token(env).await.map(Some),
            Auth::Login(l) => l.token(env).await.map(Some),
            _ => Ok(None),
        }
    }

    /// The header this identity adds to a request.
    pub async fn credential(&self, env: &AuthEnv<'_>) -> Result<Credential, String> {
        let bearer = |token: String| Credential {
            name: "Authorization".into(),
            value: format!("Bearer {token}"),
            token: Some(token),
        };
        Ok(match self {
            Auth::Bearer(t) => bearer(t.expose().to_string()),
            Auth::Header(name, value) => Credential {
                name: name.clone(),
                value: value.expose().to_string(),
                token: None,
            },
            Auth::Basic(user, pass) => {
                let pair = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", pass.expose()));
                Credential {
                    name: "Authorization".into(),
                    value: format!("Basic {pair}"),
                    token: None,
                }
            }
            Auth::OAuth2(o) => bearer(o.token(env).await?),
            Auth::Login(l) => l.credential_for(l.token(env).await?),
        })
    }

    /// Forgets `used` (the token a request carried) after the API answered 401; true when a retry
    /// may help (the identity can obtain a new token).
    pub async fn invalidate(&self, used: &str) -> bool {
        match self {
            Auth::OAuth2(o) => {
                o.cache.invalidate(used).await;
                true
            }
            Auth::Login(l) => {
                l.cache.invalidate(used).await;
                true
            }
            _ => false,
        }
    }

    /// Every token nat obtained for this identity itself (OAuth2, login), oldest first.
    pub async fn issued_tokens(&self) -> Vec<String> {
        match self {
            Auth::OAuth2(o) => o.cache.issued().await,
            Auth::Login(l) => l.cache.issued().await,
            _ => Vec::new(),
        }
    }

    /// True when nat obtains this identity's tokens itself (OAuth2, login flow).
    pub fn obtains_tokens(&self) -> bool {
        matches!(self, Auth::OAuth2(_) | Auth::Login(_))
    }

    /// A login flow's provider, if this identity logs in.
    pub fn login(&self) -> Option<&Login> {
        match self {
            Auth::Login(l) => Some(l),
            _ => None,
        }
    }
}

impl OAuth2 {
    /// The current access token, fetched when there is none or it is about to expire.
    async fn token(&self, env: &AuthEnv<'_>) -> Result<String, String> {
        self.cache.get(|| self.fetch(env)).await
    }

    async fn fetch(&self, env: &AuthEnv<'_>) -> Result<(String, Option<Duration>), String> {
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.clone()));
        }
        let request = env
            .client
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose()))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(serde_urlencoded_pairs(&form));
        let what = format!("OAuth2 token endpoint {}", self.token_url);
        let json = post_for_json(request, env.timeout, &what).await?;
        let token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("the answer of the {what} has no access_token"))?
            .to_string();
        let lifetime = expires_in(&json, "").or_else(|| jwt_remaining(&token));
        Ok((token, lifetime))
    }
}

impl Login {
    /// The current token, logging in when there is none or it is about to expire.
    async fn token(&self, env: &AuthEnv<'_>) -> Result<String, String> {
        self.cache.get(|| self.log_in(env)).await
    }

    /// The header carrying `token`.
    pub fn credential_for(&self, token: String) -> Credential {
        Credential {
            name: self.header.clone(),
            value: format!("{}{token}", self.prefix),
            token: Some(token),
        }
    }

    /// Logs in once more, outside the cache: a throwaway session the scan's own session never
    /// depends on (the logout check ends it).
    pub async fn fresh_session(&self, env: &AuthEnv<'_>) -> Result<Credential, String> {
        self.log_in(env)
            .await
            .map(|(token, _)| self.credential_for(token))
    }

    /// The login name this flow logs in with.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password this flow logs in with (to set it back after a proof that changed it).
    pub fn password(&self) -> &str {
        self.password.expose()
    }

    /// Logs in with `password` instead of the configured one, outside the cache: whether a
    /// password nat set took effect. The session's header on success.
    pub async fn session_with(
        &self,
        env: &AuthEnv<'_>,
        password: &str,
    ) -> Result<Credential, String> {
        self.log_in_with(env, password)
            .await
            .map(|(token, _)| self.credential_for(token))
    }

    /// Posts the credentials and reads the token (and its lifetime) from the answer. Errors never
    /// carry the answer or the credentials.
    async fn log_in(&self, env: &AuthEnv<'_>) -> Result<(String, Option<Duration>), String> {
        self.log_in_with(env, self.password.expose()).await
    }

    async fn log_in_with(
        &self,
        env: &AuthEnv<'_>,
        password: &str,
    ) -> Result<(String, Option<Duration>), String> {
        let body = self.body.render(&self.username, password);
        let request = env
            .client
            .post(&self.url)
            .header("accept", "application/json");
        let request = if self.form {
            let pairs: Vec<(String, String)> = body
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect();
            let encoded = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .finish();
            request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encoded)
        } else {
            request
                .header("content-type", "application/json")
                .body(body.to_string())
        };
        let what = format!("login URL {}", self.url);
        let json = post_for_json(request, env.timeout, &what).await?;
        let (pointer, token) = match &self.pointer {
            Some(p) => (p.as_str(), json.pointer(p)),
            None => DEFAULT_POINTERS
                .iter()
                .find_map(|p| {
                    json.pointer(p)
                        .filter(|v| v.is_string())
                        .map(|v| (*p, Some(v)))
                })
                .unwrap_or(("/access_token", None)),
        };
        let token = token
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                format!("the answer of the {what} has no token at JSON Pointer `{pointer}`")
            })?;
        if http::HeaderValue::from_str(&format!("{}{token}", self.prefix)).is_err() {
            return Err(format!(
                "the token the {what} gave cannot be sent in a header"
            ));
        }
        // `expires_in` next to the token, else the JWT's own `exp`.
        let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let lifetime = expires_in(&json, parent).or_else(|| jwt_remaining(token));
        Ok((token.to_string(), lifetime))
    }
}

/// Sends a token or login request within `timeout`, reads at most [`TOKEN_BODY_CAP`] bytes, and
/// parses the 2xx answer as JSON. Errors name `what`, never the body.
async fn post_for_json(
    request: reqwest::RequestBuilder,
    timeout: Duration,
    what: &str,
) -> Result<serde_json::Value, String> {
    let exchange = async {
        let mut resp = request
            .send()
            .await
            .map_err(|e| format!("the request to the {what} failed: {e}"))?;
        let status = resp.status();
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| format!("the answer of the {what} is unreadable: {e}"))?
        {
            if body.len() + chunk.len() > TOKEN_BODY_CAP {
                return Err(format!("the answer of the {what} is too large"));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(format!("the {what} answered {status}"));
        }
        crate::parse::json(&body).map_err(|_| format!("the answer of the {what} is not JSON"))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("the {what} gave no answer within {}s", timeout.as_secs()))?
}

/// `expires_in` (seconds, number or text) of the object at `parent` in `json`.
fn expires_in(json: &serde_json::Value, parent: &str) -> Option<Duration> {
    let holder = if parent.is_empty() {
        json
    } else {
        json.pointer(parent)?
    };
    let e = holder.get("expires_in")?;
    e.as_u64()
        .or_else(|| e.as_str().and_then(|s| s.trim().parse().ok()))
        .map(Duration::from_secs)
}

/// The `exp` claim of a JWT (any algorithm; the signature is not checked), in seconds since the epoch.
pub fn jwt_exp(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = crate::parse::json(&bytes).ok()?;
    let exp = claims.get("exp")?;
    exp.as_i64().or_else(|| exp.as_f64().map(|f| f as i64))
}

/// Seconds since the epoch now.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// How long a JWT has left before its `exp` (zero when past).
fn jwt_remaining(token: &str) -> Option<Duration> {
    let exp = jwt_exp(token)? as f64;
    Some(Duration::from_secs_f64((exp - unix_now()).max(0.0)))
}

/// `application/x-www-form-urlencoded` encoding of pairs.
pub fn serde_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_fetch_for_concurrent_callers_and_one_after_a_burst_of_401s() {
        let cache = TokenCache::default();
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok((format!("token-{n}"), None))
        };
        let got = futures::future::join_all((0..5).map(|_| cache.get(fetch))).await;
        assert!(got.iter().all(|t| t.as_deref() == Ok("token-0")));
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        // Five requests refused with token-0: one new login.
        for _ in 0..5 {
            cache.invalidate("token-0").await;
            assert_eq!(cache.get(fetch).await.as_deref(), Ok("token-1"));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        assert_eq!(cache.issued().await, vec!["token-0", "token-1"]);
    }

    #[tokio::test]
    async fn a_token_is_renewed_before_it_expires() {
        let cache = TokenCache::default();
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            let n = fetches.fetch_add(1, Ordering::SeqCst);
            Ok((format!("t{n}"), Some(Duration::from_millis(100))))
        };
        assert_eq!(cache.get(fetch).await.as_deref(), Ok("t0"));
        assert_eq!(cache.get(fetch).await.as_deref(), Ok("t0"));
        tokio::time::sleep(Duration::from_millis(90)).await;
        assert_eq!(
            cache.get(fetch).await.as_deref(),
            Ok("t1"),
            "renewed within the margin"
        );
    }

    #[test]
    fn jwt_exp_is_read_without_verifying() {
        let claims =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"exp":1700000000}"#);
        assert_eq!(
            jwt_exp(&format!("eyJhbGciOiJub25lIn0.{claims}.")),
            Some(1_700_000_000)
        );
        assert_eq!(jwt_exp("opaque"), None);
        assert_eq!(
            expires_in(&serde_json::json!({"expires_in": "60"}), ""),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            expires_in(&serde_json::json!({"data": {"expires_in": 5}}), "/data"),
            Some(Duration::from_secs(5))
        );
    }
}
