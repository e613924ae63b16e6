//! Learned resources: the ids that a collection (`GET /documents`) returns to each identity, so that
//! the operations on one object (`GET /documents/{document_id}`) are probed with ids that exist, and
//! authorization checks know which objects belong to whom.
//!
//! Deliberately simple and deterministic: before the checks run, every `GET` without path parameters
//! whose path is the collection of another operation's path parameter is sent once as each user, and
//! the `id` fields of the objects it lists are kept, in answer order.

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
}

/// Learned ids by collection path template (`/documents`).
#[derive(Clone, Debug, Default)]
pub struct Resources {
    by_collection: BTreeMap<String, Learned>,
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
    /// Lists every collection of `ops` once as the user and once as user B (when there is one).
    pub async fn learn(http: &HttpClient, ops: &[Operation]) -> Resources {
        let mut wanted: Vec<&Operation> = ops
            .iter()
            .filter(|op| op.method == "GET" && op.params_in(ParamLocation::Path).next().is_none())
            .filter(|c| {
                ops.iter().any(|op| {
                    op.params_in(ParamLocation::Path)
                        .any(|p| collection_of(&op.path, &p.name).as_deref() == Some(&c.path))
                })
            })
            .collect();
        wanted.sort_by(|a, b| a.path.cmp(&b.path));
        wanted.dedup_by(|a, b| a.path == b.path);
        let mut by_collection = BTreeMap::new();
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
            let user = listed(a.response.as_ref(), &params).unwrap_or_default();
            if user.is_empty() {
                continue;
            }
            let user_b = if http.has_user_b() {
                let b = http.send(&Who::UserB, &req).await;
                listed(b.response.as_ref(), &params)
            } else {
                None
            };
            by_collection.insert(op.path.clone(), Learned { user, user_b });
        }
        Resources { by_collection }
    }

    /// What was learned for a path parameter of `op`.
    pub fn for_param(&self, op: &Operation, param: &str) -> Option<&Learned> {
        self.by_collection.get(&collection_of(&op.path, param)?)
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
}
