//! What the authentication checks share: which operations are logins and which are other sensitive
//! operations, a username known to exist, login attempts with made-up credentials, answers compared
//! after normalising their volatile parts, signs of throttling, and bounded bursts.
//!
//! Login attempts never use the user's real password: the known account only ever gets wrong ones
//! (two per login operation and scan), and bursts go to made-up accounts.

use crate::engine::{ScanContext, Target};
use crate::http::{Exchange, RecordedResponse, RequestSpec, Who};
use crate::spec::{Operation, Schema};
use crate::synth::{RequestValues, Slot};
use rand::Rng;
use regex::Regex;
use serde_json::{json, Value};
use std::sync::{Arc, LazyLock};

/// Field names of a login's account name.
const NAME_FIELDS: &[&str] = &["username", "user_name", "user", "login", "handle"];
/// Field names of a login's account email.
const EMAIL_FIELDS: &[&str] = &["email", "mail", "email_address", "emailaddress", "e-mail"];
/// Field names of a login's password.
const PASSWORD_FIELDS: &[&str] = &["password", "pass", "passwd", "pwd", "passphrase"];
/// Fields that make a body with a password something else than a login (signup, password change).
const NOT_LOGIN_FIELDS: &[&str] = &[
    "new_password",
    "newpassword",
    "old_password",
    "oldpassword",
    "current_password",
    "currentpassword",
    "confirm_password",
    "confirmpassword",
    "password_confirmation",
    "passwordconfirmation",
    "password2",
    "repeat_password",
];
/// Words in a path, operationId or summary that name a login.
const LOGIN_WORDS: &[&str] = &[
    "login", "log-in", "log_in", "signin", "sign-in", "sign_in", "logon", "session", "token",
    "auth",
];
/// Words that name another operation even when a login word is there too (`/auth/register`).
const NOT_LOGIN_WORDS: &[&str] = &[
    "signup", "sign-up", "sign_up", "register", "reset", "forgot", "recover", "change", "logout",
    "refresh", "otp", "mfa", "2fa", "totp", "verif",
];
/// Words that name a signup.
const SIGNUP_WORDS: &[&str] = &["signup", "sign-up", "sign_up", "register", "registration"];
/// Words that name a password reset, together with `password`/`passwd`.
const RESET_WORDS: &[&str] = &["reset", "forgot", "recover"];
/// Words that name a one-time code: sending one or verifying one.
const OTP_WORDS: &[&str] = &[
    "otp",
    "mfa",
    "2fa",
    "totp",
    "one-time",
    "onetime",
    "verification-code",
    "verification_code",
    "verify-code",
    "verifycode",
    "send-code",
    "resend",
    "magic-link",
    "magic_link",
];

/// What kind of account identifier a login takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserKind {
    /// A user name.
    Name,
    /// An email address.
    Email,
}

/// The fields of a login operation's body.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginForm {
    /// The one top-level property the fields sit in, when the body wraps them (RealWorld's
    /// `{"user": {"email": …, "password": …}}`).
    pub wrapper: Option<String>,
    pub user_field: String,
    pub user_kind: UserKind,
    pub pass_field: String,
    user_schema: Option<Schema>,
    pass_schema: Option<Schema>,
}

/// `path operationId summary`, lower-case: what the name rules look at.
fn op_text(op: &Operation) -> String {
    format!(
        "{} {} {}",
        op.path,
        op.operation_id.as_deref().unwrap_or(""),
        op.summary.as_deref().unwrap_or("")
    )
    .to_ascii_lowercase()
}

fn any_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// The top-level fields of the operation's body (schema properties and those of the values nat
/// sends) with their schemas.
/// The body's fields (described and sent), and the wrapper they sit in: when the body's only
/// property is an object, its fields are the form's (`{"user": {"email": …, "password": …}}`).
fn body_fields(
    op: &Operation,
    values: &RequestValues,
) -> (Option<String>, Vec<(String, Option<Schema>)>) {
    fn fields(schema: Option<&Schema>, body: Option<&Value>) -> Vec<(String, Option<Schema>)> {
        let mut out: Vec<(String, Option<Schema>)> = Vec::new();
        if let Some(props) = schema
            .and_then(|s| s.get("properties"))
            .and_then(Schema::as_object)
        {
            for (k, v) in props {
                out.push((k.clone(), Some(v.clone())));
            }
        }
        if let Some(Value::Object(body)) = body {
            for k in body.keys() {
                if !out.iter().any(|(n, _)| n == k) {
                    out.push((k.clone(), None));
                }
            }
        }
        out
    }
    let schema = op.request_body.as_ref().and_then(|b| b.schema.as_ref());
    let top = fields(schema, values.body.as_ref());
    if let [(name, inner_schema)] = top.as_slice() {
        let inner_body = values.body.as_ref().and_then(|b| b.get(name));
        if inner_body.is_some_and(Value::is_object) {
            return (
                Some(name.clone()),
                fields(inner_schema.as_ref(), inner_body),
            );
        }
    }
    (None, top)
}

/// The login form of an operation: a `POST` named like a login (path, operationId or summary: login,
/// signin, session, token, auth…, and not signup, reset, OTP…) whose JSON or form body has one
/// account field (user name or email) and one password field, and no new-password field.
pub fn login_form(op: &Operation, values: &RequestValues) -> Option<LoginForm> {
    if op.method != "POST" || !matches!(values.body, Some(Value::Object(_))) {
        return None;
    }
    let text = op_text(op);
    if !any_word(&text, LOGIN_WORDS) || any_word(&text, NOT_LOGIN_WORDS) {
        return None;
    }
    let (wrapper, fields) = body_fields(op, values);
    let lower = |n: &str| n.to_ascii_lowercase();
    if fields
        .iter()
        .any(|(n, _)| NOT_LOGIN_FIELDS.contains(&lower(n).as_str()))
    {
        return None;
    }
    let find = |names: &[&str]| {
        fields
            .iter()
            .find(|(n, _)| names.contains(&lower(n).as_str()))
            .cloned()
    };
    let (pass_field, pass_schema) = find(PASSWORD_FIELDS)?;
    let (user_field, user_schema, user_kind) = match find(NAME_FIELDS) {
        Some((n, s)) => (n, s, UserKind::Name),
        None => {
            let (n, s) = find(EMAIL_FIELDS)?;
            (n, s, UserKind::Email)
        }
    };
    Some(LoginForm {
        wrapper,
        user_field,
        user_kind,
        pass_field,
        user_schema,
        pass_schema,
    })
}

/// True for a sensitive operation other than a login, which a client should not be able to call
/// in a fast burst: a `POST` named like a signup, a password reset or a one-time code (sending or
/// verifying one). Logins are left to the brute-force check, so no login is reported twice.
pub fn is_sensitive(op: &Operation, values: &RequestValues) -> bool {
    if op.method != "POST" || login_form(op, values).is_some() {
        return false;
    }
    let text = op_text(op);
    any_word(&text, SIGNUP_WORDS)
        || any_word(&text, OTP_WORDS)
        || (any_word(&text, RESET_WORDS) && (text.contains("password") || text.contains("passwd")))
}

/// Who a login attempt is sent as: anonymous, unless the description says the operation needs
/// credentials.
pub fn login_identity(op: &Operation) -> Who {
    if op.requires_auth() {
        Who::User
    } else {
        Who::Anonymous
    }
}

/// `n` random lower-case letters and digits.
pub fn random_lower(n: usize) -> String {
    random_of(b"abcdefghijklmnopqrstuvwxyz0123456789", n)
}

fn random_of(chars: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(chars[rng.random_range(0..chars.len())]))
        .collect()
}

fn length_bounds(schema: Option<&Schema>) -> (usize, usize) {
    let get = |k: &str| {
        schema
            .and_then(|s| s.get(k))
            .and_then(Schema::as_u64)
            .map(|n| n.min(256) as usize)
    };
    let min = get("minLength").unwrap_or(0);
    (min, get("maxLength").unwrap_or(64).max(min).max(1))
}

fn fit(mut v: String, schema: Option<&Schema>) -> String {
    let (min, max) = length_bounds(schema);
    while v.len() < min {
        v.push('x');
    }
    v.truncate(max);
    v
}

impl LoginForm {
    /// A made-up account shaped like `known` (an email on the same domain; a name starting `nat`, at
    /// least as long as `known`, of lower-case letters, and digits only if `known` has some), or a
    /// plain one without `known`.
    pub fn unknown_user(&self, known: Option<&str>) -> String {
        match self.user_kind {
            UserKind::Email => {
                let domain = known
                    .and_then(|k| k.rsplit_once('@'))
                    .map(|(_, d)| d)
                    .filter(|d| !d.is_empty())
                    .unwrap_or("example.com");
                format!("nat-{}@{domain}", random_lower(10))
            }
            UserKind::Name => {
                let len = known.map_or(12, |k| k.chars().count().max(12));
                let chars: &[u8] =
                    if known.is_some_and(|k| !k.contains(|c: char| c.is_ascii_digit())) {
                        b"abcdefghijklmnopqrstuvwxyz"
                    } else {
                        b"abcdefghijklmnopqrstuvwxyz0123456789"
                    };
                let v = format!("nat{}", random_of(chars, len.saturating_sub(3)));
                fit(v, self.user_schema.as_ref())
            }
        }
    }

    /// A wrong password: random, with upper and lower case, digits and a symbol.
    pub fn wrong_password(&self) -> String {
        fit(
            format!("Nat-wrong-{}7!", random_lower(10)),
            self.pass_schema.as_ref(),
        )
    }

    /// The login request for `user` and `password`, other fields as nat synthesised them.
    pub fn request(&self, target: &Target<'_>, user: &str, password: &str) -> RequestSpec {
        self.request_for(target.op, target.values, user, password)
    }

    /// [`LoginForm::request`] for an operation and its values.
    pub fn request_for(
        &self,
        op: &Operation,
        values: &RequestValues,
        user: &str,
        password: &str,
    ) -> RequestSpec {
        let Some(wrapper) = &self.wrapper else {
            return values
                .with(&Slot::BodyField(self.user_field.clone()), json!(user))
                .with(&Slot::BodyField(self.pass_field.clone()), json!(password))
                .render(op);
        };
        let mut inner = match values.body.as_ref().and_then(|b| b.get(wrapper)) {
            Some(Value::Object(map)) => map.clone(),
            _ => serde_json::Map::new(),
        };
        inner.insert(self.user_field.clone(), json!(user));
        inner.insert(self.pass_field.clone(), json!(password));
        values
            .with(&Slot::BodyField(wrapper.clone()), Value::Object(inner))
            .render(op)
    }
}

/// One login attempt, with what was submitted.
#[derive(Clone, Debug)]
pub struct Attempt {
    pub user: String,
    pub password: String,
    pub exchange: Exchange,
}

impl Attempt {
    /// The answer with the submitted values and volatile parts normalised; `None` without an answer.
    pub fn answer(&self) -> Option<Answer> {
        let resp = self.exchange.response.as_ref()?;
        Some(Answer::of(resp, &[&self.user, &self.password]))
    }
}

/// Sends one login attempt.
pub async fn attempt(
    ctx: &ScanContext,
    target: &Target<'_>,
    form: &LoginForm,
    user: &str,
    password: &str,
) -> Attempt {
    let req = form.request(target, user, password);
    Attempt {
        user: user.to_string(),
        password: password.to_string(),
        exchange: ctx.send(&login_identity(target.op), &req).await,
    }
}

/// An answer reduced to what must not vary between equivalent requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The body, with the submitted values, timestamps, ids and other volatile parts replaced.
    pub body: String,
}

static VOLATILE_KEYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)("[a-z_\-]*(?:time|date|request|trace|correlation|nonce|instance|span)[a-z_\-]*"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+\-]*)"#,
    )
    .unwrap_or_else(|e| unreachable!("{e}"))
});
static VOLATILE_VALUES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // UUIDs.
        r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        // ISO 8601 timestamps.
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
        // HTTP dates.
        r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT",
        // Long hex strings and tokens.
        r"(?i)\b[0-9a-f]{16,}\b",
        r"\b[A-Za-z0-9_\-]*[0-9][A-Za-z0-9_\-]*[A-Za-z][A-Za-z0-9_\-]{18,}\b",
        // Epoch seconds and milliseconds.
        r"\b\d{9,}\b",
    ]
    .iter()
    .map(|p| Regex::new(p).unwrap_or_else(|e| unreachable!("{e}")))
    .collect()
});

impl Answer {
    /// `resp` normalised; every value of `submitted` (and its JSON-escaped form) becomes `<submitted>`.
    pub fn of(resp: &RecordedResponse, submitted: &[&str]) -> Answer {
        let mut body = resp.text().into_owned();
        let mut values: Vec<String> = Vec::new();
        for s in submitted.iter().filter(|s| !s.is_empty()) {
            values.push(s.to_string());
            let escaped = Value::String(s.to_string()).to_string();
            values.push(escaped[1..escaped.len() - 1].to_string());
            values.push(url::form_urlencoded::byte_serialize(s.as_bytes()).collect());
        }
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for v in values.iter().filter(|v| !v.is_empty()) {
            body = body.replace(v.as_str(), "<submitted>");
        }
        body = VOLATILE_KEYS
            .replace_all(&body, "${1}\"<volatile>\"")
            .into_owned();
        for re in VOLATILE_VALUES.iter() {
            body = re.replace_all(&body, "<volatile>").into_owned();
        }
        Answer {
            status: resp.status,
            body,
        }
    }
}

static LOCK_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)too many|rate.?limit|throttl|\blocked\b|lock.?out|try again (?:later|in)|temporarily (?:blocked|disabled|suspended|unavailable)|captcha|slow down",
    )
    .unwrap_or_else(|e| unreachable!("{e}"))
});

/// Why an answer shows throttling or a lockout, if it does: 429, 423, 503, `Retry-After`, rate-limit
/// headers (`X-RateLimit-*`, `RateLimit-*`, `X-Rate-Limit-*`; their presence alone means a limit
/// exists), or words such as "too many" or "locked" in the body.
pub fn throttle_sign(resp: &RecordedResponse) -> Option<String> {
    if matches!(resp.status, 423 | 429 | 503) {
        return Some(format!("status {}", resp.status));
    }
    if let Some((name, _)) = resp.headers.iter().find(|(n, _)| {
        let n = n.to_ascii_lowercase();
        n == "retry-after"
            || n.starts_with("x-ratelimit")
            || n.starts_with("ratelimit")
            || n.starts_with("x-rate-limit")
    }) {
        return Some(format!("header {name}"));
    }
    LOCK_WORDS
        .find(&resp.text())
        .map(|m| format!("\"{}\" in the body", m.as_str()))
}

/// True for an answer that refuses the request for its rate (429, 423, or any `Retry-After`): it says
/// nothing about the request's content, so differential checks must not compare it.
/// True when the API refused the request itself as malformed: 413, 415 or 422, or a 400 that lists
/// validation problems the way validators do (FastAPI/pydantic `detail[]`, RFC 7807
/// `invalid-params`, `errors` with fields). No login (or other work) was processed, so the answer says
/// nothing about throttling or accounts. A plain 400 is often a failed login (c{api}tal answers a
/// wrong password `400 {"errors": ["incorrect email or password"]}`) and counts as one.
pub fn invalid_request(op: &Operation, resp: &RecordedResponse) -> bool {
    match resp.status {
        413 | 415 | 422 => true,
        400 => resp
            .json()
            .is_some_and(|body| !crate::engine::repair::problems(op, &body).is_empty()),
        _ => false,
    }
}

/// The warning for a check that could not conclude because the API rejected nat's request as
/// invalid: with the status and the start of the API's own message (e.g. FastAPI's `detail`).
pub fn rejected_warning(endpoint: &str, what: &str, resp: &RecordedResponse) -> String {
    let text = resp.text();
    let message: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut message: String = message.chars().take(200).collect();
    if text.chars().count() > 200 {
        message.push('…');
    }
    format!(
        "{endpoint}: {what} not tested: the API rejected nat's request as invalid ({} {message}), so \
         no attempt was processed",
        resp.status
    )
}

pub fn rate_refusal(resp: &RecordedResponse) -> bool {
    matches!(resp.status, 423 | 429) || resp.header("retry-after").is_some()
}

/// True when the answer times show a slow-down: the median of the last quarter of a burst at least
/// twice, and at least 500 ms above, that of the first quarter; or every answer taking a second or
/// more (a constant tarpit).
pub fn slowed_down(elapsed_ms: &[u64]) -> bool {
    fn median(v: &[u64]) -> u64 {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.get(v.len() / 2).copied().unwrap_or(0)
    }
    if elapsed_ms.is_empty() {
        return false;
    }
    if median(elapsed_ms) >= 1000 {
        return true;
    }
    let q = elapsed_ms.len() / 4;
    if q == 0 {
        return false;
    }
    let first = median(&elapsed_ms[..q]);
    let last = median(&elapsed_ms[elapsed_ms.len() - q..]);
    last >= first.saturating_mul(2) && last >= first + 500
}

/// A value known to identify an existing account, and where nat learned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Learned {
    pub value: String,
    /// For evidence: `the scan's credentials (auth.username)`, `GET /me, the user's own profile`.
    pub source: String,
}

/// A username and an email known to exist.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownUser {
    pub name: Option<Learned>,
    pub email: Option<Learned>,
}

impl KnownUser {
    /// The known identifier a login field of `kind` takes.
    pub fn for_kind(&self, kind: UserKind) -> Option<&Learned> {
        match kind {
            UserKind::Name => self.name.as_ref(),
            UserKind::Email => self.email.as_ref(),
        }
    }
}

/// Last path segments of operations that answer with the caller's own account.
const PROFILE_SEGMENTS: &[&[&str]] = &[
    &[
        "me",
        "whoami",
        "userinfo",
        "self",
        "current",
        "current-user",
        "current_user",
        "currentuser",
    ],
    &["profile", "account", "user"],
];
/// Most profile operations nat reads to learn the user's name.
const MAX_PROFILE_READS: usize = 4;

const NAME_KEYS: &[&str] = &["username", "user_name", "userName", "login"];
const EMAIL_KEYS: &[&str] = &["email", "mail", "email_address", "emailAddress"];

/// The first string among `keys` in `body` or in an object one level down.
fn find_string(body: &Value, keys: &[&str], pred: impl Fn(&str) -> bool) -> Option<String> {
    let Value::Object(map) = body else {
        return None;
    };
    let direct = keys.iter().find_map(|k| {
        map.get(*k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= 200 && pred(s))
            .map(str::to_string)
    });
    direct.or_else(|| {
        map.values()
            .filter(|v| v.is_object())
            .find_map(|v| find_string_flat(v, keys, &pred))
    })
}

fn find_string_flat(body: &Value, keys: &[&str], pred: &impl Fn(&str) -> bool) -> Option<String> {
    keys.iter().find_map(|k| {
        body.get(*k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= 200 && pred(s))
            .map(str::to_string)
    })
}

/// The user's name and email as one of their own profile answers shows them.
pub fn identity_in(body: &Value) -> (Option<String>, Option<String>) {
    (
        find_string(body, NAME_KEYS, |s| !s.contains(char::is_whitespace)),
        find_string(body, EMAIL_KEYS, |s| s.contains('@')),
    )
}

/// The account nat knows to exist: the scan's `auth.username`, else the `username`/`email` of the
/// user's own profile (a `GET` without path parameters ending in `me`, `whoami`, `profile`,
/// `account`…, read as the user; at most four reads, once per scan).
pub async fn known_user(ctx: &ScanContext) -> Arc<KnownUser> {
    ctx.once("login:known-user", || learn_known_user(ctx))
        .await
        .unwrap_or_default()
}

async fn learn_known_user(ctx: &ScanContext) -> KnownUser {
    let mut known = KnownUser::default();
    if let Some(name) = &ctx.user_name {
        let learned = Learned {
            value: name.clone(),
            source: "the scan's credentials (auth.username)".into(),
        };
        if name.contains('@') {
            known.email = Some(learned.clone());
        }
        known.name = Some(learned);
    }
    if (known.name.is_some() && known.email.is_some()) || !ctx.http.user_has_credentials() {
        return known;
    }
    let mut candidates: Vec<(usize, &Operation)> = ctx
        .operations
        .iter()
        .filter(|op| op.method == "GET" && !op.path.contains('{'))
        .filter_map(|op| {
            let last = op
                .path
                .trim_end_matches('/')
                .rsplit('/')
                .next()?
                .to_ascii_lowercase();
            PROFILE_SEGMENTS
                .iter()
                .position(|class| class.contains(&last.as_str()))
                .map(|rank| (rank, op))
        })
        .collect();
    candidates.sort_by_key(|(rank, _)| *rank);
    for (_, op) in candidates.into_iter().take(MAX_PROFILE_READS) {
        if ctx.should_stop() {
            break;
        }
        let ex = ctx
            .send(&Who::User, &RequestValues::valid(op).render(op))
            .await;
        let Some(body) = ex
            .response
            .as_ref()
            .filter(|r| r.is_success() && !r.truncated)
            .and_then(RecordedResponse::json)
        else {
            continue;
        };
        let (name, email) = identity_in(&body);
        let learned = |value: String| Learned {
            value,
            source: format!("{}, the user's own profile", op.endpoint()),
        };
        if known.name.is_none() {
            known.name = name.map(learned);
        }
        if known.email.is_none() {
            known.email = email.map(learned);
        }
        if known.name.is_some() && known.email.is_some() {
            break;
        }
    }
    known
}

/// Attempts per identity in the enumeration probe: the known account (wrong passwords; kept low
/// so that the real account is never locked out) and made-up accounts (a new one each time).
pub const KNOWN_ATTEMPTS: usize = 2;
pub const UNKNOWN_ATTEMPTS: usize = 3;

/// How a login answers a known account's wrong password and unknown accounts.
#[derive(Clone, Debug)]
pub enum Probe {
    /// No account is known to exist for the login's account field: nothing was sent.
    NoKnownUser,
    /// Throttled, failed or unstable answers: nothing proven either way.
    Inconclusive,
    /// Every attempt answered alike: unknown accounts look like real ones.
    Same {
        /// The answer every attempt got.
        answer: Answer,
    },
    /// The known account's wrong passwords and the unknown accounts answered differently, each
    /// group consistently.
    Differ {
        known: Box<Attempt>,
        unknown: Box<Attempt>,
        /// The known account and where it came from.
        account: String,
        /// `status 401 vs 404` or `body`.
        difference: String,
    },
}

/// The enumeration probe of a login operation, run once per scan and operation (the enumeration
/// and brute-force checks share it): unknown, known, unknown, known, unknown, each with a new wrong
/// password.
pub async fn probe(ctx: &ScanContext, target: &Target<'_>, form: &LoginForm) -> Arc<Probe> {
    let key = format!("login:probe:{}", target.op.endpoint());
    ctx.once(&key, || run_probe(ctx, target, form))
        .await
        .unwrap_or_else(|| Arc::new(Probe::Inconclusive))
}

async fn run_probe(ctx: &ScanContext, target: &Target<'_>, form: &LoginForm) -> Probe {
    let known = known_user(ctx).await;
    let Some(Learned {
        value: account,
        source,
    }) = known.for_kind(form.user_kind).cloned()
    else {
        return Probe::NoKnownUser;
    };
    let mut known_attempts: Vec<Attempt> = Vec::new();
    let mut unknown_attempts: Vec<Attempt> = Vec::new();
    for i in 0..KNOWN_ATTEMPTS + UNKNOWN_ATTEMPTS {
        if ctx.should_stop() {
            return Probe::Inconclusive;
        }
        let known_turn = i % 2 == 1;
        let user = if known_turn {
            account.clone()
        } else {
            form.unknown_user(Some(&account))
        };
        let a = attempt(ctx, target, form, &user, &form.wrong_password()).await;
        if let Some(r) = a
            .exchange
            .response
            .as_ref()
            .filter(|r| invalid_request(target.op, r))
        {
            // A made-up account of another shape may be rejected for its shape (told apart below);
            // the real account's login rejected means nat's login request itself is wrong.
            if known_turn {
                ctx.warn(rejected_warning(
                    &target.op.endpoint(),
                    "user enumeration and brute-force protection",
                    r,
                ));
                return Probe::Inconclusive;
            }
        }
        let usable = a
            .exchange
            .response
            .as_ref()
            .is_some_and(|r| r.status < 500 && !r.truncated && throttle_sign(r).is_none());
        if !usable {
            return Probe::Inconclusive;
        }
        if known_turn {
            known_attempts.push(a);
        } else {
            unknown_attempts.push(a);
        }
    }
    let answers = |v: &[Attempt]| v.iter().filter_map(Attempt::answer).collect::<Vec<_>>();
    let (k, u) = (answers(&known_attempts), answers(&unknown_attempts));
    let consistent = |v: &[Answer]| v.windows(2).all(|w| w[0] == w[1]);
    if !consistent(&k) || !consistent(&u) {
        return Probe::Inconclusive;
    }
    let (Some(k0), Some(u0)) = (k.first(), u.first()) else {
        return Probe::Inconclusive;
    };
    if k0 == u0 {
        return Probe::Same { answer: k0.clone() };
    }
    // A validation error for the made-up accounts alone may be about their shape, not existence.
    if matches!(u0.status, 400 | 422) && !matches!(k0.status, 400 | 422) {
        return Probe::Inconclusive;
    }
    let difference = if k0.status != u0.status {
        format!(
            "status {} for the known account, {} for unknown ones",
            k0.status, u0.status
        )
    } else {
        "the body".to_string()
    };
    match (known_attempts.pop(), unknown_attempts.pop()) {
        (Some(k), Some(u)) => Probe::Differ {
            known: Box::new(k),
            unknown: Box::new(u),
            account: format!("`{account}` (from {source})"),
            difference,
        },
        _ => Probe::Inconclusive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::RequestBody;

    fn op(method: &str, path: &str, props: Value) -> Operation {
        Operation {
            request_body: Some(RequestBody {
                content_type: "application/json".into(),
                required: true,
                schema: Some(Schema::from(json!({"type": "object", "properties": props}))),
                example: None,
            }),
            ..Operation::new(method, path)
        }
    }

    fn form_of(o: &Operation) -> Option<LoginForm> {
        login_form(o, &RequestValues::valid(o))
    }

    #[test]
    fn logins_are_recognised_by_name_and_fields() {
        let creds = json!({"username": {"type": "string"}, "password": {"type": "string"}});
        let f = form_of(&op("POST", "/auth/login", creds.clone())).unwrap();
        assert_eq!(
            (f.user_field.as_str(), f.pass_field.as_str()),
            ("username", "password")
        );
        assert_eq!(f.user_kind, UserKind::Name);
        let email = json!({"email": {"type": "string"}, "pwd": {"type": "string"}});
        let f = form_of(&op("POST", "/v1/sessions", email)).unwrap();
        assert_eq!(f.user_kind, UserKind::Email);
        assert!(form_of(&op("POST", "/oauth/token", creds.clone())).is_some());
        // Not a login: another method, another name, a signup or a password change.
        assert!(form_of(&op("PUT", "/auth/login", creds.clone())).is_none());
        assert!(form_of(&op("POST", "/users", creds.clone())).is_none());
        assert!(form_of(&op("POST", "/auth/register", creds.clone())).is_none());
        let change = json!({"username": {}, "password": {}, "new_password": {}});
        assert!(form_of(&op("POST", "/auth/login", change)).is_none());
        assert!(form_of(&op("POST", "/auth/login", json!({"username": {}}))).is_none());
    }

    /// c{api}tal (RealWorld): `POST /api/v2/users/login` with `{"user": {"email", "password"}}`.
    #[test]
    fn a_login_whose_fields_sit_in_one_wrapper_object_is_recognised() {
        let o = op(
            "POST",
            "/api/v2/users/login",
            json!({"user": {"type": "object", "required": ["email", "password"], "properties": {
                "email": {"type": "string", "format": "email"}, "password": {"type": "string"}}}}),
        );
        let values = RequestValues::valid(&o);
        let f = login_form(&o, &values).expect("a login form");
        assert_eq!(f.wrapper.as_deref(), Some("user"));
        assert_eq!(
            (f.user_field.as_str(), f.pass_field.as_str()),
            ("email", "password")
        );
        assert_eq!(f.user_kind, UserKind::Email);
        let target = Target {
            op: &o,
            values: &values,
            request: &values.render(&o),
            baseline: &Exchange::default(),
            created_by_nat: false,
        };
        let req = f.request(&target, "a@x.test", "pw");
        let body: Value = serde_json::from_slice(&req.body.unwrap().bytes).unwrap();
        assert_eq!(
            body,
            json!({"user": {"email": "a@x.test", "password": "pw"}})
        );
        // Two top-level properties: no wrapper, and no login without the fields at the top.
        let two = op(
            "POST",
            "/login",
            json!({"user": {"type": "object", "properties": {"email": {}, "password": {}}},
                   "remember": {"type": "boolean"}}),
        );
        assert!(form_of(&two).is_none());
    }

    #[test]
    fn sensitive_operations_exclude_logins() {
        let sensitive = |method: &str, path: &str, props: Value| {
            let o = op(method, path, props);
            is_sensitive(&o, &RequestValues::valid(&o))
        };
        let email = json!({"email": {"type": "string"}});
        assert!(sensitive("POST", "/password-reset", email.clone()));
        assert!(sensitive("POST", "/auth/forgot-password", email.clone()));
        assert!(sensitive("POST", "/signup", email.clone()));
        assert!(sensitive("POST", "/mfa/verify", json!({"code": {}})));
        assert!(!sensitive("GET", "/signup", email.clone()));
        assert!(
            !sensitive("POST", "/reset", email.clone()),
            "reset of what?"
        );
        assert!(!sensitive("POST", "/search", email));
        let creds = json!({"username": {}, "password": {}});
        assert!(!sensitive("POST", "/auth/login", creds));
    }

    #[test]
    fn made_up_accounts_look_like_the_known_one() {
        let o = op(
            "POST",
            "/login",
            json!({"username": {"type": "string", "maxLength": 16}, "password": {"minLength": 30}}),
        );
        let f = form_of(&o).unwrap();
        let u = f.unknown_user(Some("alice"));
        assert!(u.starts_with("nat") && u.len() == 12, "{u}");
        assert!(u.chars().all(|c| c.is_ascii_lowercase()), "{u}");
        assert_ne!(u, f.unknown_user(Some("alice")));
        assert_eq!(f.unknown_user(Some("a-very-long-user-name")).len(), 16);
        assert!(f.wrong_password().len() >= 30);
        let o = op("POST", "/login", json!({"email": {}, "password": {}}));
        let f = form_of(&o).unwrap();
        assert!(f
            .unknown_user(Some("alice@corp.example"))
            .ends_with("@corp.example"));
    }

    fn resp(status: u16, body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            body: body.as_bytes().to_vec().into(),
            ..Default::default()
        }
    }

    #[test]
    fn answers_are_normalised() {
        let a = Answer::of(
            &resp(
                401,
                r#"{"error":"wrong password for alice","request_id":"a1b2","at":"2024-05-01T10:00:00Z","trace":"0123456789abcdef0123"}"#,
            ),
            &["alice", "pw"],
        );
        let b = Answer::of(
            &resp(
                401,
                r#"{"error":"wrong password for natx91kq2","request_id":"zz","at":"2024-05-01T10:00:09Z","trace":"fedcba98765432100000"}"#,
            ),
            &["natx91kq2", "pw2"],
        );
        assert_eq!(a, b);
        let c = Answer::of(&resp(401, r#"{"error":"no such user"}"#), &["x"]);
        assert_ne!(a, c);
        assert_ne!(
            Answer::of(&resp(401, "x"), &[]),
            Answer::of(&resp(404, "x"), &[])
        );
    }

    #[test]
    fn throttling_signs() {
        assert!(throttle_sign(&resp(429, "")).is_some());
        assert!(rate_refusal(&resp(429, "")));
        assert!(!rate_refusal(&resp(401, "too many")));
        let mut r = resp(401, "{}");
        assert!(throttle_sign(&r).is_none());
        r.headers.push(("X-RateLimit-Remaining".into(), "3".into()));
        assert!(throttle_sign(&r).is_some());
        assert!(throttle_sign(&resp(401, "Account locked, try again later")).is_some());
        assert!(throttle_sign(&resp(401, r#"{"error":"invalid credentials"}"#)).is_none());
    }

    #[test]
    fn slow_downs() {
        assert!(!slowed_down(&[5; 20]));
        let mut growing: Vec<u64> = vec![5; 10];
        growing.extend([200, 400, 800, 1600, 1600, 1600, 1600, 1600, 1600, 1600]);
        assert!(slowed_down(&growing));
        assert!(slowed_down(&[1500; 20]), "a constant tarpit");
        assert!(!slowed_down(&[5, 6, 4, 30, 5, 6, 7, 5, 4, 5, 6, 40]));
    }

    #[test]
    fn identities_in_profiles() {
        let (n, e) = identity_in(&json!({"id": 1, "username": "alice", "email": "a@x.test"}));
        assert_eq!(
            (n.as_deref(), e.as_deref()),
            (Some("alice"), Some("a@x.test"))
        );
        let (n, e) = identity_in(&json!({"user": {"login": "bob"}}));
        assert_eq!((n.as_deref(), e), (Some("bob"), None));
        let (n, e) = identity_in(&json!({"name": "Alice Smith", "email": "not-an-email"}));
        assert_eq!((n, e), (None, None));
    }
}
