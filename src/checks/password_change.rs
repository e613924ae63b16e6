//! API1 BOLA on credentials: user A sets user B's password (`PUT /users/{username}/password` with
//! B's username), so A can take B's account over.
//!
//! No probe ever sends an operation that changes credentials (it would lock the scan's own
//! identities out). This check is the one exception, because its write is the proof and can be
//! undone: it runs once per operation, after every other probe, only when both the user and user B
//! log in with a login flow (nat knows both passwords, can tell whether a password took effect and
//! can set it back), and never in the safe mode. nat sends the change as A for B's account with a
//! fresh random password; the proof is B logging in with that password (`certain`). nat then sets
//! B's password back as B, with the session the new password gave, and confirms it with a login.
//! If the API changed A's own password instead (it ignored the path), nat notices (A's login fails,
//! the new password works) and sets A's back the same way. Whatever could not be set back is said
//! at once, loudly, in the warnings.

use super::{Applies, Check, CheckMeta, Skip};
use crate::engine::ScanContext;
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::{Exchange, RequestSpec, Who};
use crate::request::Safety;
use crate::spec::{Operation, ParamLocation};
use crate::synth::{RequestValues, Slot};
use async_trait::async_trait;
use serde_json::Value;

/// The check.
pub struct PasswordChange;

/// What the check is.
pub static META: CheckMeta = CheckMeta {
    id: "NAT-API1-PASSWORD-CHANGE",
    title: "Broken Object Level Authorization: another user's password can be changed",
    short_title: "other user's password set",
    owasp: "API1",
    cwe: "CWE-639",
    severity: Severity::Critical,
    confidence: Confidence::Certain,
    description: "One user set the password of another user's account through an operation that \
                  names the account in its path, and the other user could then log in with it: \
                  any user can take over any account.",
    remediation:
        "Change a password only for the account of the caller's own credential (never one \
                  named in the request), require the current password, and have administrators \
                  reset passwords through a separate, authorized operation.",
};

#[async_trait]
impl Check for PasswordChange {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, _target: &crate::engine::Target<'_>) -> Applies {
        Err(Skip::new(
            "runs once per scan, after the other probes, on operations that set a password",
        ))
    }

    async fn run(&self, _ctx: &ScanContext, _target: &crate::engine::Target<'_>) -> Vec<Finding> {
        Vec::new()
    }

    fn per_operation(&self) -> bool {
        false
    }
}

/// Path parameter names that name an account, best first.
const ACCOUNT_PARAMS: &[&str] = &[
    "username",
    "user_name",
    "user",
    "login",
    "email",
    "account",
    "user_id",
    "userid",
    "id",
    "name",
];

/// The path parameter naming the account whose password `op` sets: `op` changes credentials
/// through a `password` segment, and one of its path parameters names the account (by name, else
/// the only one). `None` for anything else.
pub fn account_param(op: &Operation) -> Option<String> {
    let segment = op.changes_credentials()?.to_ascii_lowercase();
    if !(segment.contains("password") || segment.contains("passwd")) {
        return None;
    }
    let params: Vec<&str> = op
        .params_in(ParamLocation::Path)
        .map(|p| p.name.as_str())
        .collect();
    ACCOUNT_PARAMS
        .iter()
        .find_map(|want| {
            params
                .iter()
                .find(|p| p.eq_ignore_ascii_case(want))
                .map(|p| p.to_string())
        })
        .or_else(|| (params.len() == 1).then(|| params[0].to_string()))
}

/// What a body field holding a password is for.
#[derive(Debug, PartialEq)]
enum PasswordField {
    /// The password to set (or its confirmation).
    New,
    /// The current password: the API checks it, and A would not know B's.
    Current,
}

fn password_field(name: &str) -> Option<PasswordField> {
    let n = name.to_ascii_lowercase();
    if !(n.contains("password") || n.contains("passwd") || n == "pwd") {
        return None;
    }
    if ["old", "current", "existing", "previous"]
        .iter()
        .any(|w| n.contains(w))
    {
        Some(PasswordField::Current)
    } else {
        Some(PasswordField::New)
    }
}

/// `values` with every new-password field of the body (top level or inside one wrapping object)
/// set to `password`; an error when the body asks for the current password or has no password
/// field.
fn with_password(mut values: RequestValues, password: &str) -> Result<RequestValues, String> {
    fn set(
        map: &mut serde_json::Map<String, Value>,
        password: &str,
        depth: usize,
    ) -> Result<bool, String> {
        let mut any = false;
        for (k, v) in map.iter_mut() {
            match password_field(k) {
                Some(PasswordField::Current) => {
                    return Err(format!(
                        "the operation asks for the current password (`{k}`): another user \
                         could not know it"
                    ))
                }
                Some(PasswordField::New) => {
                    *v = Value::String(password.to_string());
                    any = true;
                }
                None => {
                    if let (Value::Object(inner), 0) = (v, depth) {
                        any |= set(inner, password, 1)?;
                    }
                }
            }
        }
        Ok(any)
    }
    let found = match values.body.as_mut() {
        Some(Value::Object(map)) => set(map, password, 0)?,
        _ => false,
    };
    if found {
        Ok(values)
    } else {
        Err("its body has no password field nat could set".into())
    }
}

/// The value naming user B's account in `param`: an identifier only B was given (B's own answers,
/// B's listing), else B's login name.
fn account_of_b(ctx: &ScanContext, op: &Operation, param: &str, login_name: &str) -> Value {
    ctx.resources
        .for_param(op, param)
        .and_then(|learned| {
            learned
                .user_b
                .as_ref()?
                .iter()
                .find(|v| !learned.user.contains(v))
                .cloned()
        })
        .unwrap_or_else(|| Value::String(login_name.to_string()))
}

/// `req` sent with a session header of its own instead of an identity's credentials.
async fn send_with(ctx: &ScanContext, req: &RequestSpec, header: &(String, String)) -> Exchange {
    let mut req = req.clone();
    req.headers.push(header.clone());
    ctx.send(&Who::Anonymous, &req).await
}

/// A fresh password no policy refuses: upper and lower case, digits, a symbol, 20 characters.
fn fresh_password() -> String {
    format!("Nat-{}-7x!", super::login::random_lower(13))
}

/// Tries to prove that the user sets user B's password through `op`. `Ok(None)` when the API
/// refused or the change did not take effect; `Err` says why nat could not test it.
pub async fn probe(ctx: &ScanContext, op: &Operation) -> Result<Option<Finding>, String> {
    let param = account_param(op).ok_or("no path parameter names the account")?;
    if ctx.safety == Safety::Safe {
        return Err("--safe sends no writes".into());
    }
    let Some((b_name, b_password)) = ctx.http.login_credentials(&Who::UserB) else {
        return Err(
            "user B does not log in with a login flow (--auth-b-login-…): nat could neither \
             prove the change nor set B's password back"
                .into(),
        );
    };
    let Some((_, a_password)) = ctx.http.login_credentials(&Who::User) else {
        return Err(
            "the user does not log in with a login flow (--auth-login-…): had the API changed \
             the user's own password instead, nat could not tell nor set it back"
                .into(),
        );
    };
    if ctx.should_stop() {
        return Err("the scan stopped first".into());
    }
    let account = account_of_b(ctx, op, &param, &b_name);
    let slot = Slot::Param(ParamLocation::Path, param.clone());
    let values = RequestValues::valid(op).with(&slot, account);
    let new_password = fresh_password();
    ctx.http.add_secret(&new_password);
    let attack_req = with_password(values.clone(), &new_password)?.render(op);
    let attack = ctx.send(&Who::User, &attack_req).await;
    if !attack.is_success() {
        return Ok(None);
    }
    // Whose password changed? A's own, if the API ignored the account in the path.
    let a_still = ctx
        .http
        .session_with_password(&Who::User, &a_password)
        .await;
    if !matches!(a_still, Some(Ok(_))) {
        restore(
            ctx,
            op,
            &values,
            &Who::User,
            &new_password,
            &a_password,
            "the user",
        )
        .await;
    }
    let b_new = ctx
        .http
        .session_with_password(&Who::UserB, &new_password)
        .await;
    let Some(Ok(b_session)) = b_new else {
        // No effect on B: B's own password must still work.
        if !matches!(
            ctx.http
                .session_with_password(&Who::UserB, &b_password)
                .await,
            Some(Ok(_))
        ) {
            ctx.warn(format!(
                "{}: after nat's password-change probe user B cannot log in with its own password \
                 nor the one nat sent: check user B's account",
                op.endpoint()
            ));
        }
        return Ok(None);
    };
    let restore_req = with_password(values.clone(), &b_password)?.render(op);
    let restored_ex = send_with(ctx, &restore_req, &b_session).await;
    let restored = restored_ex.is_success()
        && matches!(
            ctx.http
                .session_with_password(&Who::UserB, &b_password)
                .await,
            Some(Ok(_))
        );
    let note = if restored {
        "nat set user B's password back as user B (confirmed by a login with it)".to_string()
    } else {
        ctx.warn(format!(
            "{}: nat proved that the user can set user B's password, and could NOT set it back \
             (the restoring request answered {}): user B's password is now the one nat generated; \
             reset it",
            op.endpoint(),
            restored_ex
                .status()
                .map_or_else(|| "nothing".to_string(), |s| s.to_string())
        ));
        "nat could not set user B's password back: reset it".to_string()
    };
    let attack_ev = ctx.evidence(&attack);
    let evidence = Evidence {
        request: format!(
            "# 1. the user sets user B's password (a fresh one nat generated)\n{}\n\n\
             # 2. user B logs in with it: a session is issued\n# 3. {note}",
            attack_ev.request
        ),
        response: format!("# 1.\n{}", attack_ev.response),
    };
    let factors = RiskFactors {
        unauthenticated: false,
        state_changing: true,
    };
    Ok(Some(META.finding_at(
        op.endpoint(),
        META.severity,
        &param,
        evidence,
        factors,
    )))
}

/// Sets `who`'s password back to `original` after nat's probe set it to `current` (as `who`, with
/// a session `current` gives); warns when that fails.
async fn restore(
    ctx: &ScanContext,
    op: &Operation,
    values: &RequestValues,
    who: &Who,
    current: &str,
    original: &str,
    name: &str,
) {
    let session = ctx.http.session_with_password(who, current).await;
    let done = match (session, with_password(values.clone(), original)) {
        (Some(Ok(header)), Ok(v)) => {
            send_with(ctx, &v.render(op), &header).await.is_success()
                && matches!(
                    ctx.http.session_with_password(who, original).await,
                    Some(Ok(_))
                )
        }
        _ => false,
    };
    if !done {
        ctx.warn(format!(
            "{}: after nat's password-change probe {name} cannot log in with its own password, \
             and nat could not set it back: check {name}'s account",
            op.endpoint()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(method: &str, path: &str) -> Operation {
        Operation::new(method, path)
    }

    #[test]
    fn operations_that_set_an_accounts_password() {
        assert_eq!(
            account_param(&op("PUT", "/users/{username}/password")).as_deref(),
            Some("username")
        );
        assert_eq!(
            account_param(&op("POST", "/accounts/{id}/passwd")).as_deref(),
            Some("id")
        );
        // No account in the path, an e-mail change, a reset: not this check's.
        assert_eq!(account_param(&op("PUT", "/me/password")), None);
        assert_eq!(account_param(&op("PUT", "/users/{username}/email")), None);
        assert_eq!(
            account_param(&op("POST", "/users/{username}/password-reset")),
            None
        );
    }

    #[test]
    fn the_new_password_goes_into_every_new_password_field() {
        let values = |body: Value| RequestValues {
            params: vec![],
            body: Some(body),
            content_type: Some("application/json".into()),
        };
        let set = with_password(
            values(json!({"password": "x", "password_confirm": "x", "bio": "b"})),
            "N3w!",
        )
        .unwrap();
        assert_eq!(
            set.body,
            Some(json!({"password": "N3w!", "password_confirm": "N3w!", "bio": "b"}))
        );
        let wrapped =
            with_password(values(json!({"user": {"new_password": "x"}})), "N3w!").unwrap();
        assert_eq!(
            wrapped.body,
            Some(json!({"user": {"new_password": "N3w!"}}))
        );
        assert!(with_password(values(json!({"old_password": "x", "password": "y"})), "N").is_err());
        assert!(with_password(values(json!({"bio": "b"})), "N").is_err());
    }

    #[test]
    fn fresh_passwords_meet_common_rules() {
        let p = fresh_password();
        assert!(p.len() >= 16);
        assert!(p.chars().any(|c| c.is_ascii_uppercase()));
        assert!(p.chars().any(|c| c.is_ascii_digit()) || p.contains('7'));
        assert!(p.contains('!'));
        assert_ne!(p, fresh_password());
    }
}
