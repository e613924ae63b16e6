//! Notes a user creates, changes and deletes (API1 on writes): `POST /{vuln,fixed}/notes` creates a
//! note owned by the caller; `GET /…/notes/{note_id}` reads it (its owner only, on both twins);
//! `PATCH` and `DELETE` change and delete it. The vulnerable twin forgets the owner check on `PATCH`
//! and `DELETE`: any logged-in user changes or deletes anyone's note.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{
    authed, bad_request, created, json_body, json_resp, not_found, with_methods, Req, Resp,
    RouteGroup, State,
};

/// Longest note text.
const MAX_TEXT: usize = 1000;

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("notes.json"),
};

/// A note.
#[derive(Clone, Debug)]
struct Note {
    owner: i64,
    text: String,
}

/// The notes of one demo server, by (vulnerable twin?, id).
#[derive(Debug, Default)]
pub(crate) struct Notes {
    next: AtomicI64,
    by_id: Mutex<HashMap<(bool, i64), Note>>,
}

impl Notes {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(bool, i64), Note>> {
        // A panic while holding the lock cannot leave a note half-written: recover the map.
        self.by_id.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn note_json(id: i64, n: &Note) -> Value {
    json!({"id": id, "owner_id": n.owner, "text": n.text})
}

/// The `text` of a body, validated like the description says; the reason it is invalid otherwise.
fn text_of(req: &Req) -> Result<String, &'static str> {
    let body = json_body(req).ok_or("The body must be a JSON object.")?;
    match body.get("text") {
        Some(Value::String(t)) if !t.is_empty() && t.chars().count() <= MAX_TEXT => Ok(t.clone()),
        _ => Err("`text` must be a string of 1 to 1000 characters."),
    }
}

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    let segs: Vec<&str> = path.split('/').collect();
    let (vulnerable, kind, id) = match segs.as_slice() {
        [twin @ ("vuln" | "fixed"), kind @ ("notes" | "drafts")] => (*twin == "vuln", *kind, None),
        [twin @ ("vuln" | "fixed"), kind @ ("notes" | "drafts"), id] if !id.is_empty() => {
            (*twin == "vuln", *kind, Some(*id))
        }
        _ => return None,
    };
    // Drafts: the description documents only POST and GET. VULNERABLE: the server also changes and
    // deletes drafts through PATCH and DELETE nobody documented (owner-checked, but undocumented and
    // untested). FIXED: 405 for them.
    let drafts = kind == "drafts";
    let notes = &state.notes;
    let Some(raw) = id else {
        return Some(with_methods(req, &[Method::POST], || {
            authed(req, |user| match text_of(req) {
                Ok(text) => {
                    let id = notes.next.fetch_add(1, Ordering::Relaxed) + 1;
                    let note = Note {
                        owner: user.id,
                        text,
                    };
                    let body = note_json(id, &note);
                    notes.lock().insert((vulnerable, id), note);
                    created(&body)
                }
                Err(why) => bad_request(why),
            })
        }));
    };
    let all = [Method::GET, Method::PATCH, Method::DELETE];
    let methods: &[Method] = if drafts && !vulnerable {
        &all[..1]
    } else {
        &all
    };
    Some(with_methods(req, methods, || {
        authed(req, |user| {
            let Ok(id) = raw.parse::<i64>() else {
                return bad_request("`note_id` must be an integer.");
            };
            let key = (vulnerable, id);
            let mut map = notes.lock();
            let Some(note) = map.get(&key).cloned() else {
                return not_found();
            };
            // FIXED: every operation checks the owner. VULNERABLE: only the read does.
            let owner_checked =
                drafts || !vulnerable || req.method == Method::GET || req.method == Method::HEAD;
            if owner_checked && note.owner != user.id {
                return not_found();
            }
            match req.method {
                Method::PATCH => match text_of(req) {
                    Ok(text) => {
                        let note = Note { text, ..note };
                        let body = note_json(id, &note);
                        map.insert(key, note);
                        json_resp(StatusCode::OK, &body)
                    }
                    Err(why) => bad_request(why),
                },
                Method::DELETE => {
                    map.remove(&key);
                    let mut resp = json_resp(StatusCode::NO_CONTENT, &Value::Null);
                    *resp.body_mut() = bytes::Bytes::new();
                    resp.headers_mut().remove(http::header::CONTENT_TYPE);
                    resp
                }
                _ => json_resp(StatusCode::OK, &note_json(id, &note)),
            }
        })
    }))
}
