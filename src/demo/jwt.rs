//! HS256 JSON Web Tokens for the demo users: signing, strict verification (fixed routes) and the
//! deliberately naive decoding that skips the signature (vulnerable routes).

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The demo's signing secret. It is public on purpose: the demo is a test target, not a real service.
const SECRET: &[u8] = b"nat-demo-hs256-secret-7f3c9a1e5b2d8046c1e9f7a3b5d2c8e04a6f1b9d3e7c5a2f";

/// The demo's administrator (`carol`, id 3): only she may use the fixed admin routes.
pub const ADMIN: User = User {
    id: 3,
    name: "carol",
};

/// `iat` of the demo tokens (2023-11-14T22:13:20Z).
const ISSUED_AT: i64 = 1_700_000_000;
/// `exp` of the demo tokens (2100-01-01T00:00:00Z): far enough to never expire during a scan.
const EXPIRES_AT: i64 = 4_102_444_800;

/// A demo user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    /// Numeric id (`sub` carries it as a string).
    pub id: i64,
    /// Login name.
    pub name: &'static str,
}

/// The two demo users.
pub const USERS: [User; 2] = [
    User {
        id: 1,
        name: "alice",
    },
    User { id: 2, name: "bob" },
];

/// A signed HS256 token for `user`.
pub fn token_for(user: User) -> String {
    signed(&json!({
        "sub": user.id.to_string(),
        "name": user.name,
        "iat": ISSUED_AT,
        "exp": EXPIRES_AT,
    }))
}

/// A signed HS256 session token for `user` that expires `ttl` seconds from now, with its session
/// id as `jti` (what the login route issues).
pub fn session_token(user: User, ttl: i64, jti: &str) -> String {
    let now = unix_now().unwrap_or(ISSUED_AT);
    signed(&json!({
        "sub": user.id.to_string(),
        "name": user.name,
        "iat": now,
        "exp": now.saturating_add(ttl),
        "jti": jti,
    }))
}

fn unix_now() -> Option<i64> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    i64::try_from(secs).ok()
}

fn signed(claims: &Value) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = URL_SAFE_NO_PAD.encode(sign(signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

fn sign(input: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(SECRET).unwrap_or_else(|_| unreachable!());
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

/// Decodes base64url with or without padding.
fn b64(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(part)
        .or_else(|_| URL_SAFE.decode(part))
        .ok()
}

fn json_object(part: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(&b64(part)?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A syntactically valid JWT: header and claims, signature untouched.
pub struct Decoded {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
}

/// VULNERABLE: checks only the shape of a JWT (three dot-separated parts whose first two are base64url
/// JSON objects). The algorithm and the signature are ignored, so `alg: none`, a stripped signature and
/// an altered signature all pass.
pub fn decode_unverified(token: &str) -> Option<Decoded> {
    let mut parts = token.split('.');
    let (header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(Decoded {
        header: json_object(header)?,
        claims: json_object(claims)?,
    })
}

/// Verifies an HS256 token strictly (algorithm pinned, constant-time signature comparison, `exp`
/// honoured) and returns the user it names.
pub fn verify(token: &str) -> Option<User> {
    verify_claims(token, true).map(|(user, _)| user)
}

/// Verifies the algorithm and the signature, and `exp` only when `check_expiry` (the vulnerable
/// session route skips it); returns the user and the claims.
pub fn verify_claims(token: &str, check_expiry: bool) -> Option<(User, Map<String, Value>)> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let decoded = decode_unverified(token)?;
    if decoded.header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return None;
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = HmacSha256::new_from_slice(SECRET).ok()?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature).ok()?;
    if let Some(exp) = decoded.claims.get("exp").filter(|_| check_expiry) {
        if unix_now()? >= exp.as_i64()? {
            return None;
        }
    }
    let sub = decoded.claims.get("sub")?.as_str()?;
    let user = USERS
        .iter()
        .chain(std::iter::once(&ADMIN))
        .copied()
        .find(|u| u.id.to_string() == sub)?;
    Some((user, decoded.claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_tokens_verify() {
        assert_eq!(verify(&token_for(USERS[0])), Some(USERS[0]));
        assert_eq!(verify(&token_for(USERS[1])), Some(USERS[1]));
    }

    #[test]
    fn session_tokens_expire() {
        let live = session_token(USERS[0], 60, "s1");
        assert_eq!(verify(&live), Some(USERS[0]));
        let expired = session_token(USERS[1], -5, "s2");
        assert_eq!(verify(&expired), None);
        let (user, claims) = verify_claims(&expired, false).unwrap();
        assert_eq!((user, claims["jti"].as_str()), (USERS[1], Some("s2")));
    }

    #[test]
    fn tampered_tokens_fail() {
        let token = token_for(USERS[0]);
        let (input, _) = token.rsplit_once('.').unwrap();
        assert_eq!(verify(&format!("{input}.")), None);
        assert_eq!(verify(&format!("{input}.AAAA")), None);
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let claims = input.split('.').nth(1).unwrap();
        assert_eq!(verify(&format!("{none_header}.{claims}.")), None);
        assert!(decode_unverified(&format!("{none_header}.{claims}.")).is_some());
        assert!(decode_unverified("nat-invalid-token").is_none());
        assert!(decode_unverified("a.b.c").is_none());
    }
}
