//! Learned resources: the ids that a collection (`GET /documents`) returns to each identity, so that
//! the operations on one object (`GET /documents/{document_id}`) are probed with ids that exist, and
//! authorization checks know which objects belong to whom.
//!
//! Deliberately simple and deterministic: before the checks run (the happy path), every `GET` without
//! path parameters is sent once as each user. A collection of another operation's path parameter
//! gives the identifiers of the objects it lists, in answer order; every answer also feeds a value
//! pool (field name → values, and who was given them), from which path parameters no collection
//! lists are filled: `{username}` ← the `username` in the user's own `/api/user` answer and in the
//! authors of the articles everyone reads.

use crate::http::{HttpClient, RecordedResponse, Who};
use crate::spec::{Operation, ParamLocation, Schema};
use crate::synth::RequestValues;
use serde_json::Value;
use std::collections::BTreeMap;

/// Most ids kept per collection and identity.
const MAX_IDS: usize = 50;

/// The ids one collection listed to each identity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Learned {
    /// Ids the user (A) was given, in answer order.
    pub user: Vec<Value>,
    /// Ids user B was given; `None` when there is no user B or B's listing was not a 2xx JSON answer
    /// (then nothing is known about what B owns).
    pub user_b: Option<Vec<Value>>,
    /// True when the values come from the pool (seen in answers), not from a collection's
    /// listing: they say which values exist, not whose objects they are.
    pub pooled: bool,
}

/// Learned ids by collection path template (`/documents`).
#[derive(Clone, Debug, Default)]
pub struct Resources {
    by_collection: BTreeMap<String, Learned>,
    /// Values from the pool by path parameter name, for parameters no collection lists.
    by_param: BTreeMap<String, Learned>,
}

/// Most values the pool keeps per field and identity.
const MAX_POOLED: usize = 50;
/// How deep the pool looks into an answer.
const POOL_DEPTH: usize = 4;

/// Who was given a pooled value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seer {
    /// The user (A).
    User,
    /// User B.
    UserB,
    /// A named identity (an admin, a role).
    Identity,
}

/// Field values seen in answers, by field name: those user A, user B and the named identities
/// were given, each in the order seen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pool {
    fields: BTreeMap<String, [Vec<Value>; 3]>,
}

/// Field names whose values are secrets or session material: never pooled (nat would send them
/// as parameters and so into evidence).
fn is_secret_field(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "token", "password", "passwd", "secret", "jwt", "session", "cookie", "apikey", "api_key",
        "hash",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// A name for matching: lower case, without `_` and `-` (`user_name` ~ `userName` ~ `username`).
fn squashed(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

impl Pool {
    /// Adds the scalar fields of an answer `body` as given to `b`.
    pub fn feed(&mut self, body: &Value, b: Seer) {
        fn walk(pool: &mut Pool, v: &Value, b: Seer, depth: usize) {
            match v {
                Value::Object(map) if depth < POOL_DEPTH => {
                    for (k, inner) in map {
                        if is_secret_field(k) {
                            continue;
                        }
                        match inner {
                            Value::String(s) if !s.is_empty() && s.len() <= 200 => {
                                pool.add(k, inner, b)
                            }
                            Value::Number(_) => pool.add(k, inner, b),
                            _ => walk(pool, inner, b, depth + 1),
                        }
                    }
                }
                Value::Array(items) if depth < POOL_DEPTH => {
                    for inner in items.iter().take(MAX_POOLED) {
                        walk(pool, inner, b, depth + 1);
                    }
                }
                _ => {}
            }
        }
        walk(self, body, b, 0);
    }

    fn add(&mut self, field: &str, value: &Value, b: Seer) {
        let seen = self.fields.entry(squashed(field)).or_default();
        let list = &mut seen[b as usize];
        if list.len() < MAX_POOLED && !list.contains(value) {
            list.push(value.clone());
        }
    }

    /// The values for a path parameter: by its own name (`username`), else by a field its name
    /// ends with (`articleSlug` ← `slug`, at least four letters). Generic names (`id`) are left to
    /// the collections. A's values come first when only A was given them (A's own), then the ones
    /// both were given, then those only the named identities were (an admin's listing); B's
    /// likewise.
    pub fn for_param(&self, param: &str, has_b: bool) -> Option<Learned> {
        let name = squashed(param);
        if name.len() < 4 {
            return None;
        }
        let [a, b, others] = self.fields.get(&name).or_else(|| {
            self.fields
                .iter()
                .filter(|(field, _)| field.len() >= 4 && name.ends_with(field.as_str()))
                .max_by_key(|(field, _)| field.len())
                .map(|(_, v)| v)
        })?;
        let own_first = |mine: &[Value], theirs: &[Value]| -> Vec<Value> {
            let (only, shared): (Vec<&Value>, Vec<&Value>) =
                mine.iter().partition(|v| !theirs.contains(v));
            only.into_iter().chain(shared).cloned().collect()
        };
        let rest = |list: Vec<Value>| -> Vec<Value> {
            let extra: Vec<Value> = others
                .iter()
                .filter(|v| !a.contains(v) && !b.contains(v))
                .cloned()
                .collect();
            list.into_iter().chain(extra).take(MAX_POOLED).collect()
        };
        let user = rest(own_first(a, b));
        if user.is_empty() {
            return None;
        }
        Some(Learned {
            user,
            user_b: has_b.then(|| rest(own_first(b, a))),
            pooled: true,
        })
    }
}

/// True for a parameter that names one object: `id`, `*_id`, `*Id`, `*ID`, or a `uuid` format.
pub fn is_object_id(name: &str, schema: Option<&Schema>) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower == "uuid"
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || (name.len() > 2 && (name.ends_with("Id") || name.ends_with("ID")))
        || schema
            .and_then(|s| s.get("format"))
            .and_then(Schema::as_str)
            .is_some_and(|f| f == "uuid")
}

/// The collection of a path parameter: the template before `/{param}` (`/a/{id}` → `/a`).
pub fn collection_of(path: &str, param: &str) -> Option<String> {
    let (prefix, _) = path.split_once(&format!("/{{{param}}}"))?;
    (!prefix.is_empty() && !prefix.contains('{')).then(|| prefix.to_string())
}

/// The `id`s of the objects a collection answer lists: a top-level array of objects, or the first
/// array of objects among the top-level fields of an object (`{"documents": [...]}`).
pub fn ids_in(body: &Value) -> Vec<Value> {
    keys_in(body, &[])
}

/// The identifiers of the objects a collection answer lists, by the item path's own parameter name
/// when the objects carry it (`/articles/{slug}` ← `articles[].slug`, `/books/{book_title}` ←
/// `[{"book_title": …}]`: real APIs key objects by title, slug or username), else by `id`.
pub fn keys_in(body: &Value, params: &[&str]) -> Vec<Value> {
    let list = match body {
        Value::Array(items) => Some(items),
        Value::Object(map) => map.values().find_map(|v| match v {
            Value::Array(items) if items.first().is_some_and(Value::is_object) => Some(items),
            _ => None,
        }),
        _ => None,
    };
    let first = list.and_then(|l| l.first());
    let key = params
        .iter()
        .copied()
        .find(|p| {
            first
                .and_then(|f| f.get(*p))
                .is_some_and(|v| v.is_string() || v.is_number())
        })
        .unwrap_or("id");
    list.into_iter()
        .flatten()
        .filter_map(|item| item.get(key))
        .filter(|id| id.is_string() || id.is_number())
        .take(MAX_IDS)
        .cloned()
        .collect()
}

/// The identifiers of a 2xx JSON answer (see [`keys_in`]), or `None` for anything else.
fn listed(resp: Option<&RecordedResponse>, params: &[&str]) -> Option<Vec<Value>> {
    let resp = resp.filter(|r| r.is_success() && !r.truncated)?;
    resp.json().map(|body| keys_in(&body, params))
}

impl Resources {
    /// Sends every `GET` of `ops` without path parameters once as the user and once as user B (when
    /// there is one): collections give their objects' identifiers, every answer feeds the pool.
    pub async fn learn(http: &HttpClient, ops: &[Operation]) -> Resources {
        let mut wanted: Vec<&Operation> = ops
            .iter()
            .filter(|op| op.method == "GET" && op.params_in(ParamLocation::Path).next().is_none())
            .filter(|op| !crate::checks::logout::is_logout_operation(op))
            .collect();
        wanted.sort_by(|a, b| a.path.cmp(&b.path));
        wanted.dedup_by(|a, b| a.path == b.path);
        let mut by_collection = BTreeMap::new();
        let mut pool = Pool::default();
        for op in wanted {
            // The names the collection's items go by in item paths (`slug` of `/articles/{slug}`).
            let params: Vec<&str> = ops
                .iter()
                .flat_map(|o| {
                    o.params_in(ParamLocation::Path)
                        .filter(|p| collection_of(&o.path, &p.name).as_deref() == Some(&op.path))
                        .map(|p| p.name.as_str())
                })
                .collect();
            let req = RequestValues::valid(op).render(op);
            let a = http.send(&Who::User, &req).await;
            let b = if http.has_user_b() {
                Some(http.send(&Who::UserB, &req).await)
            } else {
                None
            };
            // The named identities' happy path too: their answers feed the pool, and a secured
            // read each is answered tells later whether its session still works.
            let named: Vec<Who> = http.identities().map(|(who, _)| who).collect();
            for who in named {
                let ex = http.send(&who, &req).await;
                if op.requires_auth() && ex.is_success() {
                    http.set_canary(&who, &req);
                }
                if let Some(body) = ex
                    .response
                    .as_ref()
                    .filter(|r| r.is_success() && !r.truncated)
                    .and_then(|r| r.json())
                {
                    pool.feed(&body, Seer::Identity);
                }
            }
            // A secured read each user is answered tells later whether its session still works.
            if op.requires_auth() {
                for (ex, who) in [(Some(&a), Who::User), (b.as_ref(), Who::UserB)] {
                    if ex.is_some_and(|e| e.is_success()) {
                        http.set_canary(&who, &req);
                    }
                }
            }
            for (ex, is_b) in [(Some(&a), Seer::User), (b.as_ref(), Seer::UserB)] {
                if let Some(body) = ex
                    .and_then(|e| e.response.as_ref())
                    .filter(|r| r.is_success() && !r.truncated)
                    .and_then(|r| r.json())
                {
                    pool.feed(&body, is_b);
                }
            }
            if params.is_empty() {
                continue;
            }
            let user = listed(a.response.as_ref(), &params).unwrap_or_default();
            if user.is_empty() {
                continue;
            }
            let user_b = b
                .as_ref()
                .and_then(|b| listed(b.response.as_ref(), &params));
            by_collection.insert(
                op.path.clone(),
                Learned {
                    user,
                    user_b,
                    pooled: false,
                },
            );
        }
        let mut by_param = BTreeMap::new();
        for op in ops {
            for p in op.params_in(ParamLocation::Path) {
                if collection_of(&op.path, &p.name).is_some_and(|c| by_collection.contains_key(&c))
                    || by_param.contains_key(&p.name)
                {
                    continue;
                }
                if let Some(learned) = pool.for_param(&p.name, http.has_user_b()) {
                    by_param.insert(p.name.clone(), learned);
                }
            }
        }
        Resources {
            by_collection,
            by_param,
        }
    }

    /// What was learned for a path parameter of `op`.
    pub fn for_param(&self, op: &Operation, param: &str) -> Option<&Learned> {
        collection_of(&op.path, param)
            .and_then(|c| self.by_collection.get(&c))
            .or_else(|| self.by_param.get(param))
    }

    /// Resources learned by hand (tests).
    pub fn insert(&mut self, collection: &str, learned: Learned) {
        self.by_collection.insert(collection.to_string(), learned);
    }

    /// The values of `op` with each object-id path parameter set to the first id the user was given.
    pub fn apply(&self, op: &Operation, mut values: RequestValues) -> RequestValues {
        for p in op.params_in(ParamLocation::Path) {
            if let Some(id) = self.for_param(op, &p.name).and_then(|l| l.user.first()) {
                values = values.with(
                    &crate::synth::Slot::Param(ParamLocation::Path, p.name.clone()),
                    id.clone(),
                );
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_ids_by_name_and_format() {
        for name in [
            "id",
            "document_id",
            "documentId",
            "userID",
            "uuid",
            "order-id",
        ] {
            assert!(is_object_id(name, None), "{name}");
        }
        for name in ["name", "paid", "valid", "q", "I"] {
            assert!(!is_object_id(name, None), "{name}");
        }
        assert!(is_object_id(
            "ref",
            Some(&Schema::from(json!({"type": "string", "format": "uuid"})))
        ));
    }

    #[test]
    fn collections_and_listed_ids() {
        assert_eq!(
            collection_of("/docs/{document_id}", "document_id").as_deref(),
            Some("/docs")
        );
        assert_eq!(
            collection_of("/users/{user_id}/docs/{doc_id}", "doc_id"),
            None
        );
        assert_eq!(collection_of("/{id}", "id"), None);
        assert_eq!(
            ids_in(&json!({"documents": [{"id": 11}, {"id": 13}], "total": 2})),
            vec![json!(11), json!(13)]
        );
        assert_eq!(
            ids_in(&json!([{"id": "a"}, {"name": "x"}])),
            vec![json!("a")]
        );
        assert!(ids_in(&json!({"id": 1})).is_empty());
        // Objects keyed by the item path's own parameter (issue 15, cause 2).
        assert_eq!(
            keys_in(
                &json!({"articles": [{"id": 1, "slug": "dev-1"}, {"id": 2, "slug": "dev-2"}]}),
                &["slug"]
            ),
            vec![json!("dev-1"), json!("dev-2")]
        );
        assert_eq!(
            keys_in(
                &json!([{"book_title": "Dune", "user": "luke"}]),
                &["book_title"]
            ),
            vec![json!("Dune")]
        );
        assert_eq!(
            keys_in(&json!([{"id": 4}]), &["document_id"]),
            vec![json!(4)],
            "`id` when the items do not carry the parameter's name"
        );
    }

    #[test]
    fn pooled_values_own_first_then_shared_then_the_identities() {
        let mut pool = Pool::default();
        pool.feed(&json!({"user": {"username": "luke"}}), Seer::User);
        pool.feed(&json!({"user": {"username": "leia"}}), Seer::UserB);
        let feed = json!({"articles": [{"author": {"username": "han"}}], "token": "eyJx"});
        pool.feed(&feed, Seer::User);
        pool.feed(&feed, Seer::UserB);
        pool.feed(
            &json!([{"username": "admin"}, {"username": "luke"}]),
            Seer::Identity,
        );
        let learned = pool.for_param("user_name", true).unwrap();
        assert_eq!(learned.user, [json!("luke"), json!("han"), json!("admin")]);
        assert_eq!(
            learned.user_b,
            Some(vec![json!("leia"), json!("han"), json!("admin")])
        );
        assert!(learned.pooled);
        // Secrets are never pooled; generic short names are left to the collections.
        assert!(pool.for_param("token", true).is_none());
        assert!(pool.for_param("id", true).is_none());
        // A parameter named after a field it ends with.
        pool.feed(&json!({"slug": "dev-1"}), Seer::User);
        assert_eq!(
            pool.for_param("articleSlug", false).unwrap().user,
            [json!("dev-1")]
        );
    }
}
