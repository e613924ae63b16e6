//! API2 weak JWT secret: the user's HS256/384/512 token is signed with a guessable secret.
//!
//! The secret is found offline (no request): the token's signature is verified against a bundled list
//! of common secrets and the API's own name. Only then is the API probed, on `GET` operations whose
//! answer names the user (a field equal to the token's `sub`): a token for another subject (user B's
//! `sub` when B has a JWT, else `nat-forged-subject`), minted with the cracked secret, must answer 2xx
//! with that field now naming the forged subject, while a garbage token is rejected with 401/403. The
//! cracked secret and the forged token are registered with the redactor and never reach the report
//! (secrets under 4 characters are too short to mask as text; nat never writes them anywhere itself).

use super::auth_bypass::INVALID_TOKEN;
use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, RequestSpec, Who};
use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

/// The check.
pub struct JwtWeakSecret;

static META: CheckMeta = CheckMeta {
    id: "NAT-API2-JWT-WEAK-SECRET",
    title: "Broken Authentication: JWT signed with a guessable secret",
    short_title: "JWT secret guessable",
    owasp: "API2",
    cwe: "CWE-1391",
    severity: Severity::Critical,
    confidence: Confidence::Certain,
    description: "The user's JSON Web Token is signed (HMAC) with a secret from a list of common \
                  secrets. nat found it offline, minted a token for another user with it, and the API \
                  answered as that user: anyone can impersonate any user.",
    remediation: "Sign tokens with a random secret of at least 256 bits kept out of source code (or with \
                  an asymmetric key such as ES256/EdDSA), rotate the leaked secret now, and invalidate \
                  every token signed with it.",
};

/// The subject nat forges when no second user's `sub` is known.
pub const FORGED_SUBJECT: &str = "nat-forged-subject";

/// Well-known weak HMAC secrets: framework defaults, tutorial values and common passwords.
pub const WEAK_SECRETS: &[&str] = &[
    "secret",
    "Secret",
    "SECRET",
    "secretkey",
    "secret_key",
    "secret-key",
    "secretKey",
    "SECRET_KEY",
    "mysecret",
    "my_secret",
    "mysecretkey",
    "my-secret-key",
    "my_secret_key",
    "supersecret",
    "super-secret",
    "super_secret",
    "supersecretkey",
    "topsecret",
    "shhhhh",
    "shhhhhhared-secret",
    "your-256-bit-secret",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "your_jwt_secret",
    "your-secret-key",
    "yoursecretkey",
    "jwt",
    "JWT",
    "jwt_secret",
    "jwt-secret",
    "jwtsecret",
    "JWT_SECRET",
    "jwtSecret",
    "jwt_secret_key",
    "jwt-secret-key",
    "jwtkey",
    "jwt_key",
    "jwt-key",
    "token",
    "token_secret",
    "tokensecret",
    "access_token_secret",
    "auth",
    "authsecret",
    "auth_secret",
    "auth-secret",
    "key",
    "Key",
    "KEY",
    "mykey",
    "privatekey",
    "private_key",
    "private-key",
    "signing_key",
    "signingkey",
    "hmac",
    "hmacsecret",
    "hs256",
    "HS256",
    "password",
    "Password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "123",
    "1234",
    "12345",
    "123456",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "qwerty",
    "qwerty123",
    "abc123",
    "abcdef",
    "letmein",
    "welcome",
    "admin",
    "admin123",
    "root",
    "test",
    "test123",
    "testing",
    "dev",
    "development",
    "default",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "CHANGEME",
    "replaceme",
    "example",
    "demo",
    "app",
    "application",
    "api",
    "apisecret",
    "api_secret",
    "server",
    "node",
    "express",
    "django-insecure",
    "keyboard cat",
    "notasecret",
    "s3cr3t",
    "s3cret",
    "secret123",
    "Secret123",
    "secret1",
    "",
];

/// An HMAC JWT algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HmacAlg {
    Hs256,
    Hs384,
    Hs512,
}

impl HmacAlg {
    /// The algorithm a JOSE `alg` names, if it is an HMAC one.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "HS256" => Some(HmacAlg::Hs256),
            "HS384" => Some(HmacAlg::Hs384),
            "HS512" => Some(HmacAlg::Hs512),
            _ => None,
        }
    }

    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            HmacAlg::Hs256 => "HS256",
            HmacAlg::Hs384 => "HS384",
            HmacAlg::Hs512 => "HS512",
        }
    }

    /// The MAC of `input` under `key`.
    pub fn mac(self, key: &[u8], input: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail; an empty MAC never verifies.
        match self {
            HmacAlg::Hs256 => Hmac::<Sha256>::new_from_slice(key)
                .map(|m| m.chain_update(input).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
            HmacAlg::Hs384 => Hmac::<Sha384>::new_from_slice(key)
                .map(|m| m.chain_update(input).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
            HmacAlg::Hs512 => Hmac::<Sha512>::new_from_slice(key)
                .map(|m| m.chain_update(input).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
        }
    }
}

/// An HMAC-signed JWT, split.
#[derive(Clone, Debug)]
pub struct HmacJwt {
    pub alg: HmacAlg,
    /// The header part as it was (base64url).
    header_b64: String,
    /// `header.payload`, what the signature covers.
    signing_input: String,
    signature: Vec<u8>,
    pub claims: Map<String, Value>,
}

impl HmacJwt {
    /// Parses `token` if it is a JWT with an HMAC `alg`, a JSON object payload and a signature.
    pub fn parse(token: &str) -> Option<Self> {
        let (signing_input, sig) = token.rsplit_once('.')?;
        let (h, p) = signing_input.split_once('.')?;
        if p.contains('.') || sig.is_empty() {
            return None;
        }
        let header: Value = crate::parse::json(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        let alg = HmacAlg::from_name(header.get("alg")?.as_str()?)?;
        let claims = match crate::parse::json(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()? {
            Value::Object(m) => m,
            _ => return None,
        };
        Some(HmacJwt {
            alg,
            header_b64: h.to_string(),
            signing_input: signing_input.to_string(),
            signature: URL_SAFE_NO_PAD.decode(sig).ok()?,
            claims,
        })
    }

    /// True when the signature verifies under `secret`.
    pub fn verifies_with(&self, secret: &[u8]) -> bool {
        let mac = self.alg.mac(secret, self.signing_input.as_bytes());
        !mac.is_empty() && mac == self.signature
    }

    /// The first of `candidates` (then of [`WEAK_SECRETS`]) the signature verifies with.
    pub fn crack(&self, candidates: &[String]) -> Option<String> {
        candidates
            .iter()
            .map(String::as_str)
            .chain(WEAK_SECRETS.iter().copied())
            .find(|s| self.verifies_with(s.as_bytes()))
            .map(str::to_string)
    }

    /// The `sub` claim as text (a number's digits), if there is one.
    pub fn subject(&self) -> Option<String> {
        scalar_text(self.claims.get("sub")?)
    }

    /// This token with `sub` replaced by `subject`, signed with `secret` (the header kept as it was).
    pub fn forge(&self, subject: &Value, secret: &str) -> String {
        self.forge_with("sub", subject, secret)
    }

    /// The token with claim `name` set to `value`, signed with `secret`.
    pub fn forge_with(&self, name: &str, value: &Value, secret: &str) -> String {
        let mut claims = self.claims.clone();
        claims.insert(name.into(), value.clone());
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string());
        let input = format!("{}.{payload}", self.header_b64);
        let sig = URL_SAFE_NO_PAD.encode(self.alg.mac(secret.as_bytes(), input.as_bytes()));
        format!("{input}.{sig}")
    }
}

/// A signed JWT with `claims` (tests and test servers).
pub fn sign(alg: HmacAlg, secret: &str, claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{}","typ":"JWT"}}"#, alg.name()));
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let sig = URL_SAFE_NO_PAD.encode(alg.mac(secret.as_bytes(), input.as_bytes()));
    format!("{input}.{sig}")
}

/// A string or number as text.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Secrets derived from the API's name: `Pet Store` → `Pet Store`, `pet store`, `petstore`,
/// `pet-store`, `pet_store`.
pub fn app_name_secrets(title: &str) -> Vec<String> {
    let lower = title.trim().to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut out = vec![title.trim().to_string(), lower.clone()];
    for sep in ["", "-", "_"] {
        out.push(words.join(sep));
    }
    out.retain(|s| !s.is_empty());
    out.dedup();
    out
}

/// Top-level fields (and those of objects one level down) of `body` whose value is `subject`, as
/// (parent key or empty, key).
pub fn subject_fields(body: &Value, subject: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Value::Object(map) = body else {
        return out;
    };
    for (k, v) in map {
        if scalar_text(v).as_deref() == Some(subject) {
            out.push((String::new(), k.clone()));
        } else if let Value::Object(inner) = v {
            for (ik, iv) in inner {
                if scalar_text(iv).as_deref() == Some(subject) {
                    out.push((k.clone(), ik.clone()));
                }
            }
        }
    }
    out
}

/// True when every field of `fields` holds `subject` in `body` (and there is at least one).
pub fn names_subject(body: &Value, fields: &[(String, String)], subject: &str) -> bool {
    !fields.is_empty()
        && fields.iter().all(|(parent, key)| {
            let holder = if parent.is_empty() {
                Some(body)
            } else {
                body.get(parent)
            };
            holder
                .and_then(|h| h.get(key))
                .and_then(scalar_text)
                .is_some_and(|v| v == subject)
        })
}

#[async_trait]
impl Check for JwtWeakSecret {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::is_get(target)?;
        super::requires_auth(target)?;
        super::baseline_succeeded(target)?;
        super::ensure(
            target
                .baseline
                .response
                .as_ref()
                .is_some_and(|r| r.json().is_some_and(|j| j.is_object())),
            "the user's answer is not a JSON object",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let Some(body) = target.baseline.response.as_ref().and_then(|r| r.json()) else {
            return vec![];
        };
        let Some(jwt) = ctx
            .http
            .user_bearer_token()
            .await
            .and_then(|t| HmacJwt::parse(&t))
        else {
            ctx.skipped(
                target,
                &META,
                "the user's credential is not an HMAC-signed JWT (HS256/384/512)",
            );
            return vec![];
        };
        let Some(own_subject) = jwt.subject() else {
            ctx.skipped(target, &META, "the user's JWT has no `sub` claim");
            return vec![];
        };
        let fields = subject_fields(&body, &own_subject);
        // Without a field naming the user, a changed subject cannot be seen; an answer that still
        // depends on who the user is (`luke@…` for `sub: luke`) can show a token nat minted itself.
        let about_the_user =
            own_subject.chars().count() >= 3 && body.to_string().contains(own_subject.as_str());
        if fields.is_empty() && !about_the_user {
            ctx.skipped(
                target,
                &META,
                "the answer does not name the user's `sub`, so a token for another subject would \
                 not show",
            );
            return vec![];
        }
        let Some(secret) = jwt.crack(&app_name_secrets(&ctx.spec.title)) else {
            return vec![];
        };
        ctx.http.add_secret(&secret);
        if fields.is_empty() {
            return minted_token_accepted(ctx, target, &jwt, &secret, &body).await;
        }
        let forged_subject = match ctx.http.user_b_bearer_token().await {
            Some(b) => HmacJwt::parse(&b)
                .and_then(|b| b.claims.get("sub").cloned())
                .filter(|s| scalar_text(s).is_some_and(|s| s != own_subject)),
            None => None,
        }
        .unwrap_or_else(|| Value::String(FORGED_SUBJECT.into()));
        let Some(forged_text) = scalar_text(&forged_subject) else {
            return vec![];
        };
        let forged = jwt.forge(&forged_subject, &secret);
        ctx.http.add_secret(&forged);

        let Some((_, ex)) = send_if_garbage_refused(ctx, target, &forged).await else {
            return vec![];
        };
        let proven = ex.response.as_ref().is_some_and(|r| {
            r.is_success()
                && r.json()
                    .is_some_and(|j| names_subject(&j, &fields, &forged_text))
        });
        if !proven {
            return vec![];
        }
        let mut evidence = ctx.evidence(&ex);
        evidence.request = format!(
            "# the user's {} token with `sub` set to {forged_text:?}, signed with a common secret \
             nat found offline (withheld)\n{}",
            jwt.alg.name(),
            evidence.request
        );
        let factors = RiskFactors {
            unauthenticated: true,
            state_changing: false,
        };
        vec![META.finding(target, META.severity, jwt.alg.name(), evidence, factors)]
    }
}

/// The target's request sent with `token` alone, after a control: a garbage token must be refused
/// (401/403), so that the token's acceptance is its signature's. The control's exchange and the
/// token's; `None` when the control was not refused or the scan stops.
async fn send_if_garbage_refused(
    ctx: &ScanContext,
    target: &Target<'_>,
    token: &str,
) -> Option<(Exchange, Exchange)> {
    let with_token = |t: &str| {
        let mut req: RequestSpec = target.request.clone();
        req.headers
            .push(("Authorization".into(), format!("Bearer {t}")));
        req
    };
    let control = ctx.send(&Who::Anonymous, &with_token(INVALID_TOKEN)).await;
    if !matches!(control.status(), Some(401) | Some(403)) || ctx.should_stop() {
        return None;
    }
    let ex = ctx.send(&Who::Anonymous, &with_token(token)).await;
    Some((control, ex))
}

/// The user's claims plus one claim nat adds, signed with the cracked `secret`: accepted like the
/// user's own token (the same answer) while a garbage token is refused, it proves anyone who knows
/// the secret mints valid tokens — `firm`, since no other identity's data was shown.
async fn minted_token_accepted(
    ctx: &ScanContext,
    target: &Target<'_>,
    jwt: &HmacJwt,
    secret: &str,
    body: &Value,
) -> Vec<Finding> {
    let minted = jwt.forge_with(
        "nat_minted",
        &Value::String(format!("{:016x}", rand::random::<u64>())),
        secret,
    );
    ctx.http.add_secret(&minted);
    let Some((control, ex)) = send_if_garbage_refused(ctx, target, &minted).await else {
        return vec![];
    };
    let proven = ex
        .response
        .as_ref()
        .is_some_and(|r| r.is_success() && r.json().as_ref() == Some(body));
    if !proven {
        return vec![];
    }
    let evidence = ctx.labelled_evidence(&[
        ("a garbage token: refused", &control),
        (
            &format!(
                "the user's {} token with a claim nat added, signed with a common secret nat \
                 found offline (withheld): accepted as the user",
                jwt.alg.name()
            ),
            &ex,
        ),
    ]);
    let factors = RiskFactors {
        unauthenticated: true,
        state_changing: false,
    };
    vec![META
        .finding(target, META.severity, jwt.alg.name(), evidence, factors)
        .with_confidence(Confidence::Firm)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// jwt.io's example token, signed with `your-256-bit-secret`.
    const JWT_IO: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn cracks_a_known_token_and_common_secrets_of_every_hmac_alg() {
        let jwt = HmacJwt::parse(JWT_IO).unwrap();
        assert_eq!(jwt.alg, HmacAlg::Hs256);
        assert_eq!(jwt.crack(&[]).as_deref(), Some("your-256-bit-secret"));
        assert_eq!(jwt.subject().as_deref(), Some("1234567890"));
        for alg in [HmacAlg::Hs256, HmacAlg::Hs384, HmacAlg::Hs512] {
            let t = sign(alg, "changeme", &json!({"sub": 1}));
            let jwt = HmacJwt::parse(&t).unwrap();
            assert_eq!(jwt.alg, alg);
            assert_eq!(jwt.crack(&[]).as_deref(), Some("changeme"));
            assert_eq!(jwt.subject().as_deref(), Some("1"));
        }
    }

    #[test]
    fn strong_secrets_and_other_tokens_are_not_cracked() {
        let strong = sign(
            HmacAlg::Hs256,
            "k9!Qz7#vW2mX@4pL8rT1yU6sE3bN0cJ5",
            &json!({"sub": "1"}),
        );
        assert_eq!(HmacJwt::parse(&strong).unwrap().crack(&[]), None);
        // The API's own name is tried.
        let named = sign(HmacAlg::Hs256, "pet-store", &json!({"sub": "1"}));
        let jwt = HmacJwt::parse(&named).unwrap();
        assert_eq!(jwt.crack(&[]), None);
        assert_eq!(
            jwt.crack(&app_name_secrets("Pet Store")).as_deref(),
            Some("pet-store")
        );
        // Not HMAC, unsigned, or no JWT at all.
        let rs = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"1"}"#)
        );
        for t in [rs.as_str(), "opaque-token", "a.b.c", "a.b"] {
            assert!(HmacJwt::parse(t).is_none(), "{t}");
        }
        let unsigned = JWT_IO.rsplit_once('.').unwrap().0.to_string() + ".";
        assert!(HmacJwt::parse(&unsigned).is_none());
    }

    #[test]
    fn forged_tokens_carry_the_new_subject_and_verify_with_the_secret() {
        let t = sign(
            HmacAlg::Hs384,
            "secret",
            &json!({"sub": "1", "name": "alice"}),
        );
        let jwt = HmacJwt::parse(&t).unwrap();
        let forged = HmacJwt::parse(&jwt.forge(&json!("2"), "secret")).unwrap();
        assert_eq!(forged.alg, HmacAlg::Hs384);
        assert_eq!(forged.subject().as_deref(), Some("2"));
        assert_eq!(forged.claims["name"], "alice");
        assert!(forged.verifies_with(b"secret"));
        assert!(!forged.verifies_with(b"other"));
    }

    #[test]
    fn the_answer_must_name_the_forged_subject_where_it_named_the_user() {
        let own = json!({"id": 1, "name": "alice", "owner": {"user_id": "1"}, "count": 3});
        let fields = subject_fields(&own, "1");
        assert_eq!(
            fields,
            vec![
                (String::new(), "id".to_string()),
                ("owner".to_string(), "user_id".to_string())
            ]
        );
        assert!(names_subject(
            &json!({"id": 2, "name": "bob", "owner": {"user_id": "2"}}),
            &fields,
            "2"
        ));
        // Still the user, only partly changed, or no such fields: no proof.
        assert!(!names_subject(&own, &fields, "2"));
        assert!(!names_subject(
            &json!({"id": 2, "owner": {"user_id": "1"}}),
            &fields,
            "2"
        ));
        assert!(!names_subject(&json!({"error": "nope"}), &fields, "2"));
        assert!(!names_subject(&json!({"id": 2}), &[], "2"));
        assert!(subject_fields(&json!({"name": "alice"}), "1").is_empty());
    }

    #[test]
    fn app_name_variants() {
        assert_eq!(
            app_name_secrets("Pet Store"),
            vec![
                "Pet Store",
                "pet store",
                "petstore",
                "pet-store",
                "pet_store"
            ]
        );
        assert!(app_name_secrets("  ").is_empty());
    }
}
