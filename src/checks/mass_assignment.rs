//! API3 mass assignment: the client writes properties it should not control (privilege fields such
//! as `role` or `is_admin`, properties the description marks `readOnly`, or properties the answer
//! shows but the request schema does not offer).
//!
//! Only the user's own object is written: a `PATCH`/`PUT` on a path without parameters whose last
//! segment names the caller (`/me`, `/account`, `/profile`, …), with a `GET` on the same path to read
//! it back. Proof: a property the read-back did not hold before holds the value nat wrote after the
//! write answered 2xx. nat then writes the original values back and says in the evidence whether the
//! read-back confirmed it.

use super::{Applies, Check, CheckMeta};
use crate::engine::{is_object_id, ScanContext, Target};
use crate::findings::{Confidence, Evidence, Finding, RiskFactors, Severity};
use crate::http::{Body, Exchange, RequestSpec, Who};
use crate::spec::{Operation, Schema, SchemaMap};
use crate::synth::{schema_type, RequestValues};
use async_trait::async_trait;
use serde_json::{json, Map, Value};

/// The check.
pub struct MassAssignment;

static META: CheckMeta = CheckMeta {
    id: "NAT-API3-MASS-ASSIGNMENT",
    title: "Mass Assignment: the client can write properties it should not control",
    short_title: "mass assignment",
    owasp: "API3",
    cwe: "CWE-915",
    severity: Severity::High,
    confidence: Confidence::Certain,
    description: "The API stored properties of the caller's own object that the client must not set \
                  (privileges, read-only or server-managed fields): it binds the request body to its \
                  storage object instead of an allow-list of writable fields.",
    remediation: "Bind request bodies to an explicit input model that lists the writable fields only \
                  (reject or ignore everything else), and never let a client set privileges, balances or \
                  verification flags; change those through dedicated, authorized operations.",
};

/// Last path segments that name the caller's own object.
const OWN_SEGMENTS: &[&str] = &[
    "me",
    "self",
    "my",
    "myself",
    "account",
    "profile",
    "current",
    "current-user",
    "current_user",
    "currentuser",
    "whoami",
    "user",
    "settings",
    "preferences",
];

/// Privilege fields, compared without case, `_` or `-`.
const PRIVILEGED: &[&str] = &[
    "role",
    "roles",
    "admin",
    "isadmin",
    "superuser",
    "issuperuser",
    "isstaff",
    "permissions",
    "balance",
    "credits",
    "verified",
    "isverified",
    "emailverified",
];

/// Most properties written at once.
const MAX_PROPERTIES: usize = 8;

/// A property nat tries to write: its name, the value the read-back had, and the value nat writes.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub name: String,
    pub before: Value,
    pub written: Value,
}

/// True for a path that names the caller's own object: no parameters, and a last segment such as
/// `me`, `account` or `profile`.
pub fn is_own_object(path: &str) -> bool {
    !path.contains('{')
        && path
            .split('/')
            .rfind(|s| !s.is_empty())
            .is_some_and(|s| OWN_SEGMENTS.contains(&s.to_ascii_lowercase().as_str()))
}

fn normalised(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// True for a well-known privilege field.
pub fn is_privileged(name: &str) -> bool {
    PRIVILEGED.contains(&normalised(name).as_str())
}

/// What identifies or authenticates the scan's own account (username, e-mail, login, password,
/// keys): never written, whatever the mode — changed, they would lock nat (and the user) out of the
/// account the scan runs as.
pub fn is_identity_field(name: &str) -> bool {
    let n = normalised(name);
    matches!(
        n.as_str(),
        "username"
            | "login"
            | "loginname"
            | "email"
            | "emailaddress"
            | "mail"
            | "phone"
            | "phonenumber"
            | "mobile"
            | "pin"
            | "otp"
    ) || ["password", "passwd", "pwd", "secret", "token", "apikey"]
        .iter()
        .any(|w| n.contains(w))
}

/// Server-managed timestamps (`created_at`, `updatedAt`): changed by every write, never probed.
fn is_timestamp(name: &str) -> bool {
    name.ends_with("_at") || name.ends_with("At") || normalised(name).ends_with("date")
}

/// The properties of an object schema (`{}` for anything else).
fn properties(schema: Option<&Schema>) -> SchemaMap {
    schema
        .and_then(|s| s.get("properties"))
        .and_then(Schema::as_object)
        .cloned()
        .unwrap_or_default()
}

/// A value for `name` that differs from `before`, or `None` when nat has none to offer.
pub fn new_value(name: &str, before: &Value, schema: Option<&Schema>) -> Option<Value> {
    let n = normalised(name);
    let role_like = ["role", "level", "type", "plan", "tier", "group"]
        .iter()
        .any(|w| n.contains(w));
    if let Some(options) = schema
        .and_then(|s| s.get("enum"))
        .and_then(Schema::as_array)
    {
        let options: Vec<Value> = options.iter().map(Schema::to_value).collect();
        let mut others = options.iter().filter(|v| *v != before && !v.is_null());
        let admin = options.iter().find(|v| {
            v.as_str()
                .is_some_and(|s| s.to_ascii_lowercase().contains("admin"))
                && *v != before
        });
        return admin.or_else(|| others.next()).cloned();
    }
    let ty = schema.and_then(schema_type);
    let value = match before {
        Value::Bool(b) => json!(!b),
        Value::Number(num) => match num.as_i64() {
            Some(i) => json!(i.checked_add(1000)?),
            None => json!(num.as_f64()? + 1000.0),
        },
        Value::String(s) if role_like => json!(if s == "admin" { "superadmin" } else { "admin" }),
        Value::String(s) if n.contains("email") && s.contains('@') => {
            json!("nat-mass-assignment@example.invalid")
        }
        Value::String(_) => json!("nat-mass-assignment"),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let mut items = items.clone();
            items.push(json!(if role_like || n.contains("permission") {
                "admin"
            } else {
                "nat-mass-assignment"
            }));
            Value::Array(items)
        }
        Value::Null => match ty {
            Some("boolean") => json!(true),
            Some("integer") | Some("number") => json!(1000),
            Some("string") => json!(if role_like {
                "admin"
            } else {
                "nat-mass-assignment"
            }),
            _ => return None,
        },
        _ => return None,
    };
    (value != *before).then_some(value)
}

/// What nat tries to write on an object read back as `current`: privilege fields first (offered
/// by the request schema or not), then `readOnly` properties of `response_schema`, then properties
/// the request schema (when it lists any) does not offer. Ids, timestamps and other properties the
/// request may set are left alone.
pub fn candidates(
    current: &Map<String, Value>,
    request_schema: Option<&Schema>,
    response_schema: Option<&Schema>,
) -> Vec<Candidate> {
    let writable = properties(request_schema);
    let described = properties(response_schema);
    let read_only = |k: &str| {
        described
            .get(k)
            .and_then(|p| p.get("readOnly"))
            .and_then(Schema::as_bool)
            == Some(true)
    };
    let mut ranked: Vec<(u8, Candidate)> = Vec::new();
    for (name, before) in current {
        // A privilege the caller sets on its own account is an escalation even where the request
        // schema offers the field (c{api}tal documents `admin` in its update body).
        if (writable.contains_key(name) && !is_privileged(name))
            || is_object_id(name, None)
            || is_timestamp(name)
            || is_identity_field(name)
        {
            continue;
        }
        let rank = if is_privileged(name) {
            0
        } else if read_only(name) {
            1
        } else if !writable.is_empty() {
            2
        } else {
            continue;
        };
        if let Some(written) = new_value(name, before, described.get(name)) {
            ranked.push((
                rank,
                Candidate {
                    name: name.clone(),
                    before: before.clone(),
                    written,
                },
            ));
        }
    }
    ranked.sort_by_key(|(rank, _)| *rank);
    ranked
        .into_iter()
        .map(|(_, c)| c)
        .take(MAX_PROPERTIES)
        .collect()
}

/// Equal JSON values, numbers compared by value (`1000` equals `1000.0`).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The candidates the read-back `after` proves written: it holds the written value (which the
/// object did not hold before).
pub fn proven<'a>(tried: &'a [Candidate], after: &Map<String, Value>) -> Vec<&'a Candidate> {
    tried
        .iter()
        .filter(|c| {
            !same_value(&c.before, &c.written)
                && after
                    .get(&c.name)
                    .is_some_and(|v| same_value(v, &c.written))
        })
        .collect()
}

/// The 2xx JSON object an exchange answered, if it did.
fn object_of(ex: &Exchange) -> Option<Map<String, Value>> {
    match ex.response.as_ref().filter(|r| r.is_success())?.json()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The schema of the first 2xx answer an operation describes.
fn success_schema(op: &Operation) -> Option<&Schema> {
    op.responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .and_then(|(_, s)| s.as_ref())
}

/// The one key wrapping both the request body and the read answer (`{"user": {…}}` on both
/// sides), if they are so wrapped.
fn wrapper_of(sent: &Map<String, Value>, read: &Map<String, Value>) -> Option<String> {
    let (key, value) = sent.iter().next().filter(|_| sent.len() == 1)?;
    (value.is_object() && read.len() == 1 && read.get(key).is_some_and(Value::is_object))
        .then(|| key.clone())
}

/// The object inside `wrapper` (the map itself without one).
fn inner(map: &Map<String, Value>, wrapper: Option<&str>) -> Map<String, Value> {
    match wrapper.and_then(|w| map.get(w)) {
        Some(Value::Object(m)) => m.clone(),
        _ => map.clone(),
    }
}

/// `request` with its JSON body replaced by `body`.
fn with_body(request: &RequestSpec, body: &Map<String, Value>) -> RequestSpec {
    let mut req = request.clone();
    let content_type = req
        .body
        .as_ref()
        .map_or_else(|| "application/json".into(), |b| b.content_type.clone());
    req.body = Some(Body {
        content_type,
        bytes: serde_json::to_vec(body).unwrap_or_default(),
    });
    req
}

#[async_trait]
impl Check for MassAssignment {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn applies(&self, target: &Target<'_>) -> Applies {
        super::ensure(
            matches!(target.op.method.as_str(), "PATCH" | "PUT"),
            "not a PATCH or PUT",
        )?;
        super::ensure(
            is_own_object(&target.op.path),
            "not a write on the caller's own object (a path without parameters ending in /me, \
             /account, /profile, …)",
        )?;
        super::baseline_succeeded(target)?;
        super::ensure(
            matches!(target.values.body, Some(Value::Object(_)))
                && target
                    .values
                    .content_type
                    .as_deref()
                    .is_some_and(|c| c.contains("json")),
            "the request has no JSON object body",
        )
    }

    async fn run(&self, ctx: &ScanContext, target: &Target<'_>) -> Vec<Finding> {
        if !ctx.http.user_has_credentials() {
            ctx.skipped(target, &META, super::NO_CREDENTIALS);
            return vec![];
        }
        let Some(Value::Object(sent_body)) = &target.values.body else {
            return vec![];
        };
        let Some(read_op) = ctx
            .spec
            .operations
            .iter()
            .find(|o| o.method == "GET" && o.path == target.op.path)
        else {
            ctx.skipped(
                target,
                &META,
                "no GET on the same path to read the object back",
            );
            return vec![];
        };
        let read = RequestValues::valid(read_op).render(read_op);
        let before_ex = ctx.send(&Who::User, &read).await;
        let Some(before_body) = object_of(&before_ex) else {
            ctx.skipped(
                target,
                &META,
                format!(
                    "no readable object: {} {}",
                    read_op.endpoint(),
                    super::answered(&before_ex, "a 2xx JSON object")
                ),
            );
            return vec![];
        };
        // RealWorld-style APIs wrap both sides in one object (`{"user": {…}}`): work inside it.
        let wrapper = wrapper_of(sent_body, &before_body);
        let sent = inner(sent_body, wrapper.as_deref());
        let before = inner(&before_body, wrapper.as_deref());
        let within = |schema: Option<&'_ Schema>| -> Option<Schema> {
            match &wrapper {
                Some(w) => schema
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(w))
                    .cloned(),
                None => schema.cloned(),
            }
        };
        let request_schema = within(
            target
                .op
                .request_body
                .as_ref()
                .and_then(|b| b.schema.as_ref()),
        );
        let response_schema = within(success_schema(read_op));
        let tried = candidates(&before, request_schema.as_ref(), response_schema.as_ref());
        if tried.is_empty() || ctx.should_stop() {
            ctx.skipped(
                target,
                &META,
                "the object has no property to try (privilege fields, readOnly properties, \
                 properties the request does not offer)",
            );
            return vec![];
        }
        let mut body = sent.clone();
        for c in &tried {
            body.insert(c.name.clone(), c.written.clone());
        }
        let wrap = |m: Map<String, Value>| -> Map<String, Value> {
            match &wrapper {
                Some(w) => Map::from_iter([(w.clone(), Value::Object(m))]),
                None => m,
            }
        };
        let write_ex = ctx
            .send(&Who::User, &with_body(target.request, &wrap(body)))
            .await;
        if !write_ex.is_success() {
            return vec![];
        }
        let after_ex = ctx.send(&Who::User, &read).await;
        let Some(after) = object_of(&after_ex).map(|a| inner(&a, wrapper.as_deref())) else {
            return vec![];
        };
        let proven = proven(&tried, &after);
        if proven.is_empty() {
            return vec![];
        }
        // Put the original values back, and look whether they are.
        let mut restore = sent.clone();
        for c in &proven {
            restore.insert(c.name.clone(), c.before.clone());
        }
        let _ = ctx
            .send(&Who::User, &with_body(target.request, &wrap(restore)))
            .await;
        let restored = object_of(&ctx.send(&Who::User, &read).await)
            .map(|now| inner(&now, wrapper.as_deref()))
            .is_some_and(|now| {
                proven
                    .iter()
                    .all(|c| now.get(&c.name).is_some_and(|v| same_value(v, &c.before)))
            });
        let names: Vec<&str> = proven.iter().map(|c| c.name.as_str()).collect();
        let (b, w, a) = (
            ctx.evidence(&before_ex),
            ctx.evidence(&write_ex),
            ctx.evidence(&after_ex),
        );
        let note = if restored {
            "nat wrote the original values back (confirmed by a read)"
        } else {
            "nat tried to write the original values back, but a read does not show them: check the object"
        };
        let evidence = Evidence {
            request: format!(
                "# read before\n{}\n\n# write {} (as the user, own object)\n{}\n\n# read after\n{}\n\n# {note}",
                b.request,
                names.join(", "),
                w.request,
                a.request
            ),
            response: format!(
                "# read before\n{}\n\n# write\n{}\n\n# read after\n{}",
                b.response, w.response, a.response
            ),
        };
        let factors = RiskFactors {
            unauthenticated: false,
            state_changing: true,
        };
        vec![META.finding(target, META.severity, &names.join(","), evidence, factors)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn own_objects_only() {
        for p in [
            "/me",
            "/users/me",
            "/vuln/account",
            "/api/profile/",
            "/user",
        ] {
            assert!(is_own_object(p), "{p}");
        }
        for p in [
            "/users/{id}",
            "/me/{id}",
            "/accounts",
            "/orders",
            "/",
            "/users/{id}/profile",
        ] {
            assert!(!is_own_object(p), "{p}");
        }
    }

    #[test]
    fn candidates_rank_privileges_then_read_only_then_unoffered() {
        let current = obj(json!({
            "id": 1, "name": "alice", "email": "alice@x.test", "role": "user",
            "is_admin": false, "karma": 3, "updated_at": "2024-01-01", "plan": null
        }));
        let request =
            Schema::from(json!({"type": "object", "properties": {"name": {"type": "string"}}}));
        let response = Schema::from(json!({"type": "object", "properties": {
            "karma": {"type": "integer", "readOnly": true},
            "role": {"type": "string", "enum": ["user", "editor", "admin"], "readOnly": true},
            "plan": {"type": "string"}
        }}));
        let c = candidates(&current, Some(&request), Some(&response));
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        // The account's e-mail is never written (issue 15: nat changed its own user's username).
        assert_eq!(names, ["is_admin", "role", "karma", "plan"]);
        assert_eq!(c[0].written, json!(true));
        assert_eq!(c[1].written, json!("admin"));
        assert_eq!(c[2].written, json!(1003));
        assert_eq!(c[3].written, json!("admin"));
        // Without a request schema, only privileges and readOnly properties are tried.
        let c = candidates(&current, None, Some(&response));
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["is_admin", "role", "karma"]);
        // What the request may set is no candidate, except a privilege (c{api}tal offers `admin`
        // in its update body, and a user who makes itself admin is the flaw).
        let open = Schema::from(json!({"properties": {"role": {}, "is_admin": {}, "name": {}}}));
        let c = candidates(
            &obj(json!({"role": "user", "is_admin": false, "name": "x"})),
            Some(&open),
            None,
        );
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["is_admin", "role"]);
    }

    #[test]
    fn one_wrapping_object_on_both_sides_is_worked_inside() {
        let sent = obj(json!({"user": {"bio": "b"}}));
        let read = obj(json!({"user": {"bio": "b", "admin": false}}));
        assert_eq!(wrapper_of(&sent, &read).as_deref(), Some("user"));
        assert_eq!(
            inner(&read, Some("user")),
            obj(json!({"bio": "b", "admin": false}))
        );
        // Not wrapped on both sides: the maps themselves.
        assert_eq!(
            wrapper_of(&obj(json!({"bio": {}})), &obj(json!({"bio": 1}))),
            None
        );
        assert_eq!(wrapper_of(&sent, &obj(json!({"user": {}, "x": 1}))), None);
    }

    #[test]
    fn new_values_differ_and_keep_the_type() {
        assert_eq!(
            new_value("role", &json!("admin"), None),
            Some(json!("superadmin"))
        );
        assert_eq!(new_value("balance", &json!(2.5), None), Some(json!(1002.5)));
        assert_eq!(
            new_value("permissions", &json!(["read"]), None),
            Some(json!(["read", "admin"]))
        );
        assert_eq!(new_value("settings", &json!({"a": 1}), None), None);
        assert_eq!(new_value("x", &json!(null), None), None);
        assert_eq!(new_value("x", &json!(i64::MAX), None), None);
        // An enum with nothing else to offer.
        assert_eq!(
            new_value(
                "role",
                &json!("user"),
                Some(&Schema::from(json!({"enum": ["user"]})))
            ),
            None
        );
    }

    #[test]
    fn only_the_written_value_in_the_read_back_is_proof() {
        let tried = vec![
            Candidate {
                name: "role".into(),
                before: json!("user"),
                written: json!("admin"),
            },
            Candidate {
                name: "credits".into(),
                before: json!(5),
                written: json!(1005),
            },
        ];
        let after = obj(json!({"role": "admin", "credits": 1005.0}));
        let names: Vec<&str> = proven(&tried, &after)
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["role", "credits"]);
        // Ignored (unchanged), changed to something else, or gone: no proof.
        let after = obj(json!({"role": "user", "credits": 6}));
        assert!(proven(&tried, &after).is_empty());
        assert!(proven(&tried, &Map::new()).is_empty());
    }
}
