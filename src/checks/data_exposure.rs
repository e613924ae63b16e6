//! API3 excessive data exposure: a successful answer carries secrets the client has no use for —
//! password hashes, API keys and tokens, social security or payment card numbers.
//!
//! It reads the user's baseline answer and, for a read of one object that shows nothing, up to eight
//! other objects the scan learned (listed to the user, or named in answers it was given) as the
//! user. A field counts only when its name says what it is *and* its value has the shape of one (a
//! masked `****1234` does not count); a value shaped like a bcrypt hash counts under any name; a
//! card number beside its security code counts without the checksum. Tokens are not reported on operations that exist
//! to hand them out (login, token, session, key endpoints). Documented or not, a secret in a response
//! is reported; the leaked values are shortened in the evidence.

use super::{Applies, Check, CheckMeta};
use crate::engine::{ScanContext, Target};
use crate::findings::{Confidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, Who};
use crate::spec::ParamLocation;
use crate::synth::Slot;
use async_trait::async_trait;
use serde_json::Value;

/// The check.
pub struct DataExposure;

static META: CheckMeta = CheckMeta {
    id: "NAT-API3-DATA-EXPOSURE",
    title: "Excessive Data Exposure: the response carries secrets",
    short_title: "response carries secrets",
    owasp: "API3",
    cwe: "CWE-213",
    severity: Severity::High,
    confidence: Confidence::Firm,
    description: "A successful response contains sensitive fields (password hashes, API keys, tokens, \
                  social security or card numbers) that the client does not need: the API serialises \
                  its stored objects instead of a response model.",
    remediation: "Return an explicit response model (an allow-list of fields) for every operation; never \
                  serialise storage objects. Keep password hashes and secrets out of responses entirely, \
                  and mask numbers the user must recognise (****1234).",
};

/// What a sensitive field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A password or its hash.
    Password,
    /// An API key, token, private key or client secret.
    Secret,
    /// A US social security number.
    Ssn,
    /// A payment card number.
    Card,
}

/// One sensitive field found in a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposed {
    /// JSON path, e.g. `password_hash` or `users[0].api_key`.
    pub path: String,
    pub kind: Kind,
    /// The exposed value (to shorten it in evidence).
    pub value: String,
}

/// Deepest nesting walked, and most array items looked at.
const MAX_DEPTH: usize = 8;
const MAX_ITEMS: usize = 50;

/// Names whose any non-empty value is a password (or its hash).
const PASSWORD_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passwordhash",
    "hashedpassword",
    "passworddigest",
    "encryptedpassword",
    "pwdhash",
];

/// The kind a field name announces, compared without case, `_` or `-`.
pub fn kind_of_name(name: &str) -> Option<Kind> {
    let n: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if n.contains("password") || n.contains("passwd") || PASSWORD_NAMES.contains(&n.as_str()) {
        Some(Kind::Password)
    } else if n == "ssn" || n.contains("socialsecurity") {
        Some(Kind::Ssn)
    } else if n.contains("cardnumber") || n.contains("creditcard") || n == "ccnumber" || n == "pan"
    {
        Some(Kind::Card)
    } else if n.contains("csrf") || n.contains("xsrf") {
        None
    } else if n.contains("secret")
        || n.contains("apikey")
        || n.contains("privatekey")
        || n.ends_with("token")
    {
        Some(Kind::Secret)
    } else {
        None
    }
}

/// True for a masked or placeholder value: `****1234`, `xxxx-xxxx-xxxx-1234`, `[REDACTED]`.
pub fn is_masked(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if ["redacted", "filtered", "hidden", "masked"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return true;
    }
    let chars = value.chars().filter(|c| !matches!(c, ' ' | '-' | '.'));
    let (mut masks, mut visible) = (0usize, 0usize);
    for c in chars {
        if matches!(c, '*' | '•' | 'x' | 'X' | '#') {
            masks += 1;
        } else {
            visible += 1;
        }
    }
    masks >= 3 && masks >= visible
}

/// True for a password hash: bcrypt, argon2, scrypt, PBKDF2 or crypt(3) SHA formats.
pub fn is_password_hash(value: &str) -> bool {
    let bcrypt = value.len() == 60
        && ["$2a$", "$2b$", "$2y$"]
            .iter()
            .any(|p| value.starts_with(p))
        && value
            .as_bytes()
            .get(4..6)
            .is_some_and(|cost| cost.iter().all(u8::is_ascii_digit));
    bcrypt
        || [
            "$argon2",
            "$scrypt$",
            "$pbkdf2",
            "pbkdf2_sha256$",
            "$6$",
            "$5$",
        ]
        .iter()
        .any(|p| value.starts_with(p) && value.len() >= 30)
}

/// True for a value shaped like a key or token: at least 16 characters, no spaces, letters and
/// digits both, and at least 80% of them letters and digits (a date is not).
fn is_token_like(value: &str) -> bool {
    value.len() >= 16
        && !value.contains(char::is_whitespace)
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().filter(|c| c.is_ascii_alphanumeric()).count() * 10 >= value.len() * 8
}

/// True for a US social security number `123-45-6789` / `123456789` that is validly formed.
pub fn is_ssn(value: &str) -> bool {
    let digits: String = value.chars().filter(|c| *c != '-').collect();
    let dashes_ok = !value.contains('-')
        || (value.len() == 11 && value.as_bytes()[3] == b'-' && value.as_bytes()[6] == b'-');
    if digits.len() != 9 || !digits.chars().all(|c| c.is_ascii_digit()) || !dashes_ok {
        return false;
    }
    let (area, group, serial) = (&digits[..3], &digits[3..5], &digits[5..]);
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// True when `digits` (ASCII digits only) passes the Luhn checksum.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// True for a payment card number: 13–19 digits (spaces or dashes allowed) passing Luhn.
pub fn is_card_number(value: &str) -> bool {
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    (13..=19).contains(&digits.len()) && luhn(&digits)
}

/// 13–19 digits, spaces or dashes allowed: the shape of a card number.
fn card_shaped(value: &str) -> bool {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    value
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
        && (13..=19).contains(&digits)
}

/// A string or number as text; empty for anything else.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// True for a card security code: a field named cvc, cvv, cvv2 or csc (any case, any prefix such
/// as `cardCvc`) holding 3 or 4 digits.
fn is_security_code(name: &str, value: &Value) -> bool {
    let n = name.replace(['_', '-'], "").to_ascii_lowercase();
    let text = scalar_text(value);
    ["cvc", "cvv", "cvv2", "csc"].iter().any(|w| n.ends_with(w))
        && (3..=4).contains(&text.len())
        && text.chars().all(|c| c.is_ascii_digit())
}

/// Whether a field `name` with `value` exposes a secret, and of which kind.
pub fn classify(name: &str, value: &Value) -> Option<Kind> {
    let text = match value {
        Value::String(s) => s.clone(),
        // Numbers only matter as card or social security numbers.
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    if text.is_empty() || is_masked(&text) {
        return None;
    }
    if value.is_string() && is_password_hash(&text) {
        return Some(Kind::Password);
    }
    let kind = kind_of_name(name)?;
    let shows = match kind {
        Kind::Password => {
            let n = name.replace(['_', '-'], "").to_ascii_lowercase();
            // `password_changed_at` is no password; `password_sha1` holding a digest is.
            let hashed = ["hash", "digest", "crypt", "sha", "md5"]
                .iter()
                .any(|w| n.contains(w));
            value.is_string()
                && (PASSWORD_NAMES.contains(&n.as_str()) || (hashed && is_token_like(&text)))
        }
        Kind::Secret => value.is_string() && is_token_like(&text),
        Kind::Ssn => is_ssn(&text),
        Kind::Card => is_card_number(&text),
    };
    shows.then_some(kind)
}

/// Every exposed secret in a JSON body, in document order.
pub fn find_exposed(body: &Value) -> Vec<Exposed> {
    let mut out = Vec::new();
    walk(body, "", 0, &mut out);
    out
}

fn walk(v: &Value, path: &str, depth: usize, out: &mut Vec<Exposed>) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            // A card number beside its security code is card data, checksum or not (test cards
            // in real APIs often fail Luhn).
            let with_code = map.iter().any(|(k, v)| is_security_code(k, v));
            for (k, child) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let card_beside_code = || {
                    with_code
                        && kind_of_name(k) == Some(Kind::Card)
                        && card_shaped(&scalar_text(child))
                };
                if let Some(kind) =
                    classify(k, child).or_else(|| card_beside_code().then_some(Kind::Card))
                {
                    let value = match child {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    out.push(Exposed {
                        path: p,
                        kind,
                        value,
                    });
                } else {
                    walk(child, &p, depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().take(MAX_ITEMS).enumerate() {
                walk(item, &format!("{path}[{i}]"), depth + 1, out);
            }
        }
        _ => {}
    }
}

/// True when `value` is the token `own` or a JWT re-issued for the same identity (every claim equal but
/// the times and ids of issue: `exp`, `iat`, `nbf`, `jti`).
fn same_session(own: &str, value: &str) -> bool {
    if own == value {
        return true;
    }
    fn claims(token: &str) -> Option<serde_json::Map<String, Value>> {
        use base64::Engine as _;
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let mut map: serde_json::Map<String, Value> = crate::parse::json(&bytes).ok()?;
        for volatile in ["exp", "iat", "nbf", "jti"] {
            map.remove(volatile);
        }
        (!map.is_empty()).then_some(map)
    }
    match (claims(own), claims(value)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// True for operations that exist to hand out credentials (their tokens are the point).
fn issues_credentials(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [
        "login",
        "logon",
        "signin",
        "sign-in",
        "token",
        "oauth",
        "auth",
        "session",
        "key",
        "credential",
    ]
    .iter()
    .any(|w| p.contains(w))
}

/// A leaked value as evidence shows it: its first characters and its length.
fn shorten(value: &str) -> String {
    let head: String = value.chars().take(6).collect();
    format!("{head}…[{} chars, shortened by nat]", value.chars().count())
}

#[async_trait]
impl Check for DataExposure {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::baseline_succeeded(target)?;
        super::ensure(
            target
                .baseline
                .response
                .as_ref()
                .is_some_and(|r| r.header("content-type").is_some_and(|c| c.contains("json"))),
            "the user's answer is not JSON (Content-Type)",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        let credential_op = issues_credentials(&target.op.path) || target.op.method != "GET";
        let own = ctx.http.bearer_token(&Who::User).await;
        let secrets_in = |ex: &Exchange| -> Vec<Exposed> {
            let Some(body) = ex
                .response
                .as_ref()
                .filter(|r| r.is_success())
                .and_then(|r| r.json())
            else {
                return vec![];
            };
            find_exposed(&body)
                .into_iter()
                .filter(|e| !(e.kind == Kind::Secret && credential_op))
                // The caller's own session token handed back to the caller (RealWorld's `GET /user`
                // answers `user.token`) exposes nothing it does not already hold.
                .filter(|e| {
                    !(e.kind == Kind::Secret
                        && own.as_deref().is_some_and(|t| same_session(t, &e.value)))
                })
                .collect()
        };
        let mut exposed = secrets_in(target.baseline);
        let mut shown = None;
        if exposed.is_empty() && target.op.method == "GET" {
            // The user's own object may hold nothing sensitive where other objects the user can
            // read do (a profile with a card number): a few more the scan learned, as the user.
            for values in other_objects(ctx, target) {
                if ctx.should_stop() {
                    break;
                }
                let ex = ctx.send(&Who::User, &values.render(target.op)).await;
                exposed = secrets_in(&ex);
                if !exposed.is_empty() {
                    shown = Some(ex);
                    break;
                }
            }
        }
        if exposed.is_empty() {
            return vec![];
        }
        let mut evidence = ctx.evidence(shown.as_ref().unwrap_or(target.baseline));
        for e in &exposed {
            if e.value.chars().count() > 6 {
                evidence.response = evidence.response.replace(&e.value, &shorten(&e.value));
            }
        }
        let location: Vec<&str> = exposed.iter().map(|e| e.path.as_str()).collect();
        vec![META.finding(
            target,
            META.severity,
            &location.join(","),
            evidence,
            RiskFactors::default(),
        )]
    }
}

/// Other objects read for secrets besides the baseline's.
const OTHER_OBJECTS: usize = 8;

/// The target's values pointing at other objects the scan learned for its path parameters (listed
/// to the user, or seen in answers), up to [`OTHER_OBJECTS`].
fn other_objects(ctx: &ScanContext, target: &Target<'_>) -> Vec<crate::synth::RequestValues> {
    let mut out = Vec::new();
    for p in target.op.params_in(ParamLocation::Path) {
        let slot = Slot::Param(ParamLocation::Path, p.name.clone());
        let Some(learned) = ctx.resources.for_param(target.op, &p.name) else {
            continue;
        };
        let current = target.values.get(&slot);
        for v in learned.user.iter().filter(|v| Some(*v) != current) {
            if out.len() >= OTHER_OBJECTS {
                return out;
            }
            out.push(target.values.with(&slot, v.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BCRYPT: &str = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";

    #[test]
    fn a_card_number_beside_its_code_counts_without_luhn() {
        // c{api}tal's `TeamR$cket` profile: a test card that fails the checksum, with its CVC.
        let exposed = find_exposed(&json!({"profile": {
            "username": "TeamR$cket", "cardNumber": "4426111122223333", "cardCvc": "555"
        }}));
        assert_eq!(
            exposed.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            vec!["profile.cardNumber"]
        );
        // Without a code beside it, the checksum decides.
        assert!(find_exposed(&json!({"cardNumber": "4426111122223333"})).is_empty());
        assert!(find_exposed(&json!({"cardNumber": "12", "cvc": "555"})).is_empty());
    }

    #[test]
    fn secrets_by_name_and_shape() {
        assert_eq!(BCRYPT.len(), 60);
        assert_eq!(
            classify("password_hash", &json!(BCRYPT)),
            Some(Kind::Password)
        );
        // A bcrypt hash under any name.
        assert_eq!(classify("h", &json!(BCRYPT)), Some(Kind::Password));
        assert_eq!(
            classify("password", &json!("hunter2")),
            Some(Kind::Password)
        );
        assert_eq!(
            classify("api_key", &json!("nk_live_7f3a9c2e41b86d05f1e2a9b7")),
            Some(Kind::Secret)
        );
        assert_eq!(
            classify("refreshToken", &json!("dGhpcyBpcyBhIHJlZnJlc2g")),
            Some(Kind::Secret)
        );
        assert_eq!(classify("ssn", &json!("123-45-6789")), Some(Kind::Ssn));
        assert_eq!(
            classify("card_number", &json!("4111 1111 1111 1111")),
            Some(Kind::Card)
        );
        assert_eq!(
            classify("credit_card", &json!(4111111111111111u64)),
            Some(Kind::Card)
        );
    }

    #[test]
    fn masked_empty_and_harmless_values_are_not() {
        for (name, value) in [
            ("password", json!("")),
            ("password", json!("********")),
            ("password", json!(null)),
            ("password_set", json!(true)),
            ("password_changed_at", json!("2024-01-01T00:00:00Z")),
            ("api_key", json!("[REDACTED]")),
            ("api_key", json!("short")),
            ("token_type", json!("bearer")),
            ("csrf_token", json!("a8f5f167f44f4964e6c998dee827110c")),
            ("card_number", json!("**** **** **** 1111")),
            ("card_number", json!("xxxx-xxxx-xxxx-1111")),
            // Not Luhn-valid, or too short.
            ("card_number", json!("4111 1111 1111 1112")),
            ("card_number", json!("411111")),
            ("ssn", json!("***-**-6789")),
            ("ssn", json!("000-12-3456")),
            ("ssn", json!("666-12-3456")),
            ("ssn", json!("12-345-6789")),
            ("email", json!("alice@nat-demo.test")),
            ("id", json!(4111111111111111u64)),
        ] {
            assert_eq!(classify(name, &value), None, "{name}: {value}");
        }
    }

    #[test]
    fn the_callers_own_session_is_not_exposure() {
        use base64::Engine as _;
        let jwt = |claims: Value| {
            let e =
                |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!("{}.{}.sig", e(&json!({"alg": "HS256"})), e(&claims))
        };
        let own = jwt(json!({"username": "bob", "exp": 1, "sub": "access"}));
        let reissued = jwt(json!({"username": "bob", "exp": 2, "sub": "access"}));
        let other = jwt(json!({"username": "alice", "exp": 1, "sub": "access"}));
        assert!(same_session(&own, &own));
        assert!(same_session(&own, &reissued));
        assert!(!same_session(&own, &other));
        assert!(!same_session(&own, "sk_live_0123456789abcdefghij"));
    }

    #[test]
    fn luhn_checksum() {
        assert!(luhn("4111111111111111"));
        assert!(luhn("378282246310005"));
        assert!(!luhn("4111111111111112"));
        assert!(!luhn(""));
    }

    #[test]
    fn nested_fields_are_found_with_their_path() {
        let body = json!({"users": [{"id": 1, "name": "a", "password_hash": BCRYPT}], "total": 1});
        let found = find_exposed(&body);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "users[0].password_hash");
        assert!(find_exposed(&json!({"id": 1, "name": "alice", "email": "a@x"})).is_empty());
        assert!(shorten(BCRYPT).starts_with("$2b$12…[60 chars"));
    }
}
