//! Auth providers: how an identity's credentials become request headers.

use crate::request::{AuthConfig, AuthType, Secret};
use base64::Engine as _;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A cached OAuth2 access token.
#[derive(Debug)]
struct CachedToken {
    token: String,
    expires: Option<Instant>,
}

/// OAuth2 client-credentials provider: fetches a token, caches it, refreshes it before it expires or
/// when the API answers 401.
#[derive(Debug)]
pub struct OAuth2 {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    cached: Mutex<Option<CachedToken>>,
}

/// The credentials of one identity.
#[derive(Debug)]
pub enum Auth {
    Bearer(Secret),
    Header(String, Secret),
    Basic(String, Secret),
    OAuth2(OAuth2),
}

/// Refresh a token this long before the expiry the server announced.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

impl Auth {
    /// The provider for an `auth` object, or `None` for `type: none`. Call after `AuthConfig::validate`.
    pub fn from_config(cfg: &AuthConfig) -> Option<Auth> {
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
                cached: Mutex::new(None),
            })),
        }
    }

    /// The header name this identity authenticates with (for redaction and anonymous requests).
    pub fn header_name(&self) -> &str {
        match self {
            Auth::Header(name, _) => name,
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
        }
    }

    /// The bearer token a request would carry, if this identity uses one (JWT checks look at it).
    pub async fn bearer_token(&self, client: &reqwest::Client) -> Result<Option<String>, String> {
        match self {
            Auth::Bearer(t) => Ok(Some(t.expose().to_string())),
            Auth::OAuth2(o) => o.token(client).await.map(Some),
            _ => Ok(None),
        }
    }

    /// The header this identity adds to a request.
    pub async fn header(&self, client: &reqwest::Client) -> Result<(String, String), String> {
        Ok(match self {
            Auth::Bearer(t) => ("Authorization".into(), format!("Bearer {}", t.expose())),
            Auth::Header(name, value) => (name.clone(), value.expose().to_string()),
            Auth::Basic(user, pass) => {
                let pair = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", pass.expose()));
                ("Authorization".into(), format!("Basic {pair}"))
            }
            Auth::OAuth2(o) => (
                "Authorization".into(),
                format!("Bearer {}", o.token(client).await?),
            ),
        })
    }

    /// Forgets a cached token after the API answered 401; true when a retry may help.
    pub async fn invalidate(&self) -> bool {
        match self {
            Auth::OAuth2(o) => {
                *o.cached.lock().await = None;
                true
            }
            _ => false,
        }
    }
}

impl OAuth2 {
    /// The current access token, fetched when there is none or it is about to expire.
    async fn token(&self, client: &reqwest::Client) -> Result<String, String> {
        let mut cached = self.cached.lock().await;
        if let Some(c) = cached.as_ref() {
            if c.expires.is_none_or(|e| Instant::now() + EXPIRY_MARGIN < e) {
                return Ok(c.token.clone());
            }
        }
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        if let Some(scope) = &self.scope {
            form.push(("scope", scope.clone()));
        }
        let body = serde_urlencoded_pairs(&form);
        let resp = client
            .post(&self.token_url)
            .basic_auth(&self.client_id, Some(self.client_secret.expose()))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| format!("OAuth2 token request to {} failed: {e}", self.token_url))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| {
            format!(
                "OAuth2 token response from {} unreadable: {e}",
                self.token_url
            )
        })?;
        if !status.is_success() {
            return Err(format!(
                "OAuth2 token endpoint {} answered {status}",
                self.token_url
            ));
        }
        let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "OAuth2 token response from {} is not JSON: {e}",
                self.token_url
            )
        })?;
        let token = json
            .get("access_token")
            .and_then(|t| t.as_str())
            .ok_or_else(|| {
                format!(
                    "OAuth2 token response from {} has no access_token",
                    self.token_url
                )
            })?
            .to_string();
        let expires = json
            .get("expires_in")
            .and_then(|e| {
                e.as_u64()
                    .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
            })
            .map(|secs| Instant::now() + Duration::from_secs(secs));
        *cached = Some(CachedToken {
            token: token.clone(),
            expires,
        });
        Ok(token)
    }

    /// The token currently cached (for redaction).
    pub async fn current(&self) -> Option<String> {
        self.cached.lock().await.as_ref().map(|c| c.token.clone())
    }
}

/// `application/x-www-form-urlencoded` encoding of pairs.
pub fn serde_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
        .finish()
}
