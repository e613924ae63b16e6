//! Objects nat creates itself: in the default safety mode, an operation that changes or deletes one
//! object (`PATCH /notes/{note_id}`) is probed only on an object nat created for it, through the
//! description's create operation on the collection (`POST /notes`), as the user.

use super::resources::{collection_of, is_object_id};
use super::ScanContext;
use crate::http::{Exchange, Who};
use crate::spec::{ApiSpec, Operation, ParamLocation};
use crate::synth::{RequestValues, Slot};
use serde_json::Value;

/// True for an operation that changes or deletes the object its last path parameter names.
pub fn writes_one_object(op: &Operation) -> bool {
    matches!(op.method.as_str(), "PUT" | "PATCH" | "DELETE" | "POST") && object_param(op).is_some()
}

/// The last path parameter, when it names an object (`note_id`, `id`, …) and ends the path.
fn object_param(op: &Operation) -> Option<String> {
    let p = op.params_in(ParamLocation::Path).last()?;
    let ends_path = op
        .path
        .trim_end_matches('/')
        .ends_with(&format!("{{{}}}", p.name));
    (ends_path && is_object_id(&p.name, p.schema.as_ref())).then(|| p.name.clone())
}

/// The operation that creates objects of `op`'s collection: `POST` on the path before the last
/// parameter, with no path parameters of its own.
pub fn creator_of<'a>(spec: &'a ApiSpec, op: &Operation) -> Option<&'a Operation> {
    let param = object_param(op)?;
    let collection = collection_of(&op.path, &param)?;
    spec.operations
        .iter()
        .find(|c| c.method == "POST" && c.path == collection)
}

/// Whether the owner's read-back after a write shows its effect: the object gone (404/410) after a
/// deletion, else a 2xx answer carrying `marker`, the value the write stored.
pub fn write_took_effect(deleted: bool, read_back: &Exchange, marker: &str) -> bool {
    if deleted {
        matches!(read_back.status(), Some(404 | 410))
    } else {
        read_back.is_success()
            && read_back
                .response
                .as_ref()
                .is_some_and(|r| r.text().contains(marker))
    }
}

/// The id of a created object in the create operation's answer: `id`, the parameter's own name
/// (`note_id`), or the same inside a top-level `data` object.
fn created_id(body: &Value, param: &str) -> Option<Value> {
    let pick = |v: &Value| {
        ["id", param]
            .iter()
            .find_map(|k| v.get(*k))
            .filter(|id| id.is_string() || id.is_number())
            .cloned()
    };
    pick(body).or_else(|| body.get("data").and_then(pick))
}

impl ScanContext {
    /// Creates a fresh object as the user for a write on one object, and returns `op`'s values
    /// pointing at it, with the creating exchange. Errors say why nat could not create one (for
    /// the report).
    pub async fn create_object(&self, op: &Operation) -> Result<(RequestValues, Exchange), String> {
        let param = object_param(op).ok_or("its path names no object")?;
        let creator = creator_of(&self.spec, op).ok_or_else(|| {
            "it would change or delete an object nat did not create, and the description has no \
             operation to create one; --destructive allows it"
                .to_string()
        })?;
        let values = self.resources.apply(creator, RequestValues::valid(creator));
        let ex = self.send(&Who::User, &values.render(creator)).await;
        let id = ex
            .response
            .as_ref()
            .filter(|r| r.is_success())
            .and_then(|r| r.json())
            .and_then(|body| created_id(&body, &param));
        let Some(id) = id else {
            return Err(format!(
                "nat could not create an object of its own to change ({} answered {})",
                creator.endpoint(),
                ex.status()
                    .map_or_else(|| "nothing".to_string(), |s| s.to_string())
            ));
        };
        let values = self
            .resources
            .apply(op, RequestValues::valid(op))
            .with(&Slot::Param(ParamLocation::Path, param), id);
        Ok((values, ex))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_ids_are_found_where_apis_put_them() {
        assert_eq!(created_id(&json!({"id": 7}), "note_id"), Some(json!(7)));
        assert_eq!(
            created_id(&json!({"note_id": "a1"}), "note_id"),
            Some(json!("a1"))
        );
        assert_eq!(
            created_id(&json!({"data": {"id": 3}}), "note_id"),
            Some(json!(3))
        );
        assert_eq!(created_id(&json!({"id": {"x": 1}}), "note_id"), None);
        assert_eq!(created_id(&json!([1, 2]), "note_id"), None);
    }
}
