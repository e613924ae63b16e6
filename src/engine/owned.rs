//! Objects nat creates itself: in the default safety mode, an operation that changes or deletes one
//! object (`PATCH /notes/{note_id}`, `DELETE /articles/{slug}`) is probed only on an object nat
//! created for it, through the description's create operation on the collection (`POST /notes`, or
//! `PUT /notes` where that is how the API creates), as the user. Parent objects are nat's own too:
//! a comment (`POST /articles/{slug}/comments`) is created on an article nat created first.

use super::resources::keys_in;
use super::ScanContext;
use crate::http::{Exchange, Who};
use crate::spec::{ApiSpec, Operation, ParamLocation};
use crate::synth::{RequestValues, Slot};
use serde_json::Value;

/// Most parent objects nat creates to reach one object (`/a/{a}/b/{b}/c/{c}` needs two).
const MAX_PARENTS: usize = 2;

/// True for an operation that changes or deletes the object its last path parameter names.
pub fn writes_one_object(op: &Operation) -> bool {
    matches!(op.method.as_str(), "PUT" | "PATCH" | "DELETE" | "POST") && object_param(op).is_some()
}

/// The last path parameter when it ends the path: it names the object, whatever it is called
/// (`note_id`, `slug`, `username`).
pub fn object_param(op: &Operation) -> Option<String> {
    // By the template, not the declaration order (FastAPI lists `comment_id` before `slug`).
    let path = op.path.trim_end_matches('/');
    op.params_in(ParamLocation::Path)
        .find(|p| path.ends_with(&format!("{{{}}}", p.name)))
        .map(|p| p.name.clone())
}

/// The path of the collection an item path belongs to: the template before `/{param}`, parent
/// parameters included (`/articles/{slug}/comments/{id}` → `/articles/{slug}/comments`).
pub fn parent_collection(path: &str, param: &str) -> Option<String> {
    let (prefix, _) = path
        .trim_end_matches('/')
        .rsplit_once(&format!("/{{{param}}}"))?;
    (!prefix.is_empty()).then(|| prefix.to_string())
}

/// The operation that creates objects of `op`'s collection: `POST` on the collection's path, else a
/// `PUT` there (APIs that create with `PUT /books`).
pub fn creator_of<'a>(spec: &'a ApiSpec, op: &Operation) -> Option<&'a Operation> {
    creator_for(spec, &op.path, &object_param(op)?)
}

fn creator_for<'a>(spec: &'a ApiSpec, path: &str, param: &str) -> Option<&'a Operation> {
    let collection = parent_collection(path, param)?;
    let on = |method: &str| {
        spec.operations
            .iter()
            .find(|c| c.method == method && c.path == collection)
    };
    on("POST").or_else(|| on("PUT"))
}

/// The operation that reads one object back after a write: the `GET` on the item path, else the
/// `GET` on its collection (the object is then looked for in the listing).
pub fn reader_of<'a>(spec: &'a ApiSpec, op: &Operation) -> Option<(&'a Operation, bool)> {
    if let Some(item) = spec
        .operations
        .iter()
        .find(|r| r.method == "GET" && r.path == op.path)
    {
        return Some((item, false));
    }
    let collection = parent_collection(&op.path, &object_param(op)?)?;
    spec.operations
        .iter()
        .find(|r| r.method == "GET" && r.path == collection)
        .map(|r| (r, true))
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

/// Whether a 2xx listing of a collection names the object `id` (under `param` or `id`); `None`
/// when the answer is no 2xx JSON listing.
pub fn listing_has(read_back: &Exchange, param: &str, id: &Value) -> Option<bool> {
    let body = read_back
        .response
        .as_ref()
        .filter(|r| r.is_success() && !r.truncated)?
        .json()?;
    // A `Location` id is text: `7` there is the listing's `7`.
    let wanted = crate::synth::param_string(id);
    Some(
        keys_in(&body, &[param])
            .iter()
            .any(|k| crate::synth::param_string(k) == wanted),
    )
}

/// The id of a created object in the create operation's answer: `id` or the parameter's own name
/// (`note_id`, `slug`), at the top, inside `data`, or inside the one object wrapping the answer
/// (`{"article": {"slug": …}}`); else the last segment of a `Location` header.
fn created_id(body: Option<&Value>, location: Option<&str>, param: &str) -> Option<Value> {
    let pick = |v: &Value| {
        [param, "id"]
            .iter()
            .find_map(|k| v.get(*k))
            .filter(|id| id.is_string() || id.is_number())
            .cloned()
    };
    fn wrapped(v: &Value) -> Option<&Value> {
        match v {
            Value::Object(map) if map.len() == 1 => map.values().next().filter(|v| v.is_object()),
            _ => None,
        }
    }
    body.and_then(|b| {
        pick(b)
            .or_else(|| b.get("data").and_then(pick))
            .or_else(|| wrapped(b).and_then(pick))
    })
    .or_else(|| {
        let path = location?.split(['?', '#']).next()?;
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        let decoded = percent_encoding::percent_decode_str(last)
            .decode_utf8()
            .ok()?;
        (!decoded.is_empty()).then(|| Value::String(decoded.into_owned()))
    })
}

/// The item template of a parent parameter: the path up to and including `{param}`
/// (`/articles/{slug}/comments` → `/articles/{slug}`).
fn item_through(path: &str, param: &str) -> Option<String> {
    let needle = format!("{{{param}}}");
    let at = path.find(&needle)?;
    Some(path[..at + needle.len()].to_string())
}

/// What creating one object gave: its id, the creating exchange, and the parent ids it was created
/// under (to put in the item path too).
type Created = (Value, Exchange, Vec<(String, Value)>);

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
        let (id, ex, parents) = self.create_through(creator, &param, 0).await?;
        let mut values = self
            .resources
            .apply(op, RequestValues::valid(op))
            .distinct(op);
        for (name, value) in parents {
            values = values.with(&Slot::Param(ParamLocation::Path, name), value);
        }
        Ok((
            values.with(&Slot::Param(ParamLocation::Path, param), id),
            ex,
        ))
    }

    /// Sends `creator` as the user, with string values made distinct (an API that refuses a second
    /// object of the same title still takes it) and parent objects of nat's own where the
    /// description can create them.
    fn create_through<'a>(
        &'a self,
        creator: &'a Operation,
        param: &'a str,
        depth: usize,
    ) -> futures::future::BoxFuture<'a, Result<Created, String>> {
        Box::pin(async move {
            let mut values = self
                .resources
                .apply(creator, RequestValues::valid(creator))
                .distinct(creator);
            let mut parents: Vec<(String, Value)> = Vec::new();
            for p in creator.params_in(ParamLocation::Path) {
                if depth >= MAX_PARENTS || parents.iter().any(|(n, _)| n == &p.name) {
                    continue;
                }
                let Some(parent_creator) = item_through(&creator.path, &p.name)
                    .and_then(|item| creator_for(&self.spec, &item, &p.name))
                else {
                    continue;
                };
                // Without a parent of its own, nat uses one the user was given (as before).
                if let Ok((id, _, above)) = self
                    .create_through(parent_creator, &p.name, depth + 1)
                    .await
                {
                    parents.extend(above);
                    parents.push((p.name.clone(), id));
                }
            }
            for (name, value) in &parents {
                values = values.with(
                    &Slot::Param(ParamLocation::Path, name.clone()),
                    value.clone(),
                );
            }
            let ex = self.send(&Who::User, &values.render(creator)).await;
            let resp = ex.response.as_ref().filter(|r| r.is_success());
            let id = resp.and_then(|r| created_id(r.json().as_ref(), r.header("location"), param));
            match id {
                Some(id) => Ok((id, ex, parents)),
                None => Err(format!(
                    "nat could not create an object of its own to change ({} answered {})",
                    creator.endpoint(),
                    ex.status()
                        .map_or_else(|| "nothing".to_string(), |s| s.to_string())
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_ids_are_found_where_apis_put_them() {
        let id = |b: Value| created_id(Some(&b), None, "note_id");
        assert_eq!(id(json!({"id": 7})), Some(json!(7)));
        assert_eq!(id(json!({"note_id": "a1"})), Some(json!("a1")));
        assert_eq!(id(json!({"data": {"id": 3}})), Some(json!(3)));
        assert_eq!(id(json!({"id": {"x": 1}})), None);
        assert_eq!(id(json!([1, 2])), None);
        // The one object wrapping the answer (c{api}tal's `{"article": {"slug": …}}`).
        assert_eq!(
            created_id(
                Some(&json!({"article": {"slug": "a-b", "title": "A b"}})),
                None,
                "slug"
            ),
            Some(json!("a-b"))
        );
        // `201 Created` with a Location and no body.
        assert_eq!(
            created_id(None, Some("/api/books/Dune%20Messiah?x=1"), "book_title"),
            Some(json!("Dune Messiah"))
        );
        assert_eq!(created_id(None, Some("/"), "id"), None);
    }

    #[test]
    fn objects_of_any_name_and_their_collections() {
        let op = Operation::new;
        assert_eq!(
            object_param(&op("DELETE", "/articles/{slug}")).as_deref(),
            Some("slug")
        );
        assert_eq!(object_param(&op("POST", "/users/{username}/follow")), None);
        assert_eq!(
            parent_collection("/articles/{slug}/comments/{id}", "id").as_deref(),
            Some("/articles/{slug}/comments")
        );
        assert_eq!(
            item_through("/articles/{slug}/comments", "slug").as_deref(),
            Some("/articles/{slug}")
        );
        assert_eq!(parent_collection("/{id}", "id"), None);
    }
}
