//! Objects of the shapes real APIs have (issue 15): books keyed by their title and listed without
//! any `id`, created with `PUT` on the collection (201, a `Location`, no body), and profiles keyed
//! by username, whose usernames only the authors of a feed reveal.
//!
//! - `GET /{vuln,fixed}/shelf/books` lists the caller's own books (`[{"book_title", "user"}]`);
//!   `PUT …/books` creates one; `GET` and `DELETE …/books/{book_title}` read and delete one. The
//!   vulnerable twin checks no owner (another user reads and deletes anyone's book: API1); the
//!   fixed twin answers 404 to anyone but the owner.
//! - `GET /{vuln,fixed}/people/feed` lists posts with their authors; `GET …/people/{username}` is a
//!   profile. The vulnerable twin shows a third user's stored card number and security code in
//!   full (API3); the fixed twin shows the last four digits only.

use std::collections::BTreeMap;
use std::sync::Mutex;

use http::{header, HeaderValue, Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{
    authed, bad_request, decode, json_body, json_resp, not_found, with_methods, Req, Resp,
    RouteGroup, State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("shelf.json"),
};

/// Longest title.
const MAX_TITLE: usize = 120;

/// Books by (vulnerable twin?, title): (owner name, private note).
type Books = BTreeMap<(bool, String), (&'static str, String)>;

/// The books of one demo server.
#[derive(Debug)]
pub(crate) struct Shelf(Mutex<Books>);

impl Default for Shelf {
    fn default() -> Self {
        let mut books = BTreeMap::new();
        for twin in [true, false] {
            books.insert(
                (twin, "Dune".to_string()),
                ("alice", "lent to nobody".into()),
            );
            books.insert((twin, "Emma".to_string()), ("bob", "signed copy".into()));
        }
        Shelf(Mutex::new(books))
    }
}

impl Shelf {
    fn lock(&self) -> std::sync::MutexGuard<'_, Books> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    let segs: Vec<&str> = path.split('/').collect();
    let (twin, rest) = match segs.as_slice() {
        [twin @ ("vuln" | "fixed"), rest @ ..] => (*twin == "vuln", rest),
        _ => return None,
    };
    match rest {
        ["shelf", "books"] => Some(with_methods(req, &[Method::GET, Method::PUT], || {
            authed(req, |user| books(state, req, user.name, twin))
        })),
        ["shelf", "books", title] if !title.is_empty() => {
            let title = decode(title);
            Some(with_methods(req, &[Method::GET, Method::DELETE], || {
                authed(req, |user| book(state, req, user.name, twin, &title))
            }))
        }
        ["people", "feed"] => Some(with_methods(req, &[Method::GET], || {
            authed(req, |_| {
                json_resp(
                    StatusCode::OK,
                    &json!({"posts": [
                        {"title": "Hello", "author": {"username": "alice"}},
                        {"title": "Spring sale", "author": {"username": "carol"}},
                        {"title": "Release notes", "author": {"username": "bob"}},
                    ]}),
                )
            })
        })),
        ["people", name] if !name.is_empty() => {
            let name = decode(name);
            Some(with_methods(req, &[Method::GET], || {
                authed(req, |_| person(&name, twin))
            }))
        }
        _ => None,
    }
}

/// The caller's own books, or a new one.
fn books(state: &State, req: &Req, user: &'static str, twin: bool) -> Resp {
    let mut shelf = state.shelf.lock();
    if req.method == Method::PUT {
        let title = json_body(req)
            .and_then(|b| {
                b.get("book_title")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .filter(|t| !t.trim().is_empty() && t.chars().count() <= MAX_TITLE);
        let Some(title) = title else {
            return bad_request("`book_title` must be a string of 1 to 120 characters.");
        };
        if shelf.contains_key(&(twin, title.clone())) {
            return json_resp(
                StatusCode::CONFLICT,
                &json!({"detail": "a book of that title exists"}),
            );
        }
        shelf.insert((twin, title.clone()), (user, "new".into()));
        let mut resp = json_resp(StatusCode::CREATED, &Value::Null);
        *resp.body_mut() = bytes::Bytes::new();
        resp.headers_mut().remove(header::CONTENT_TYPE);
        let twin_path = if twin { "vuln" } else { "fixed" };
        let location = format!(
            "/api/v1/{twin_path}/shelf/books/{}",
            percent_encoding::utf8_percent_encode(&title, percent_encoding::NON_ALPHANUMERIC)
        );
        if let Ok(v) = HeaderValue::from_str(&location) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        return resp;
    }
    let mine: Vec<Value> = shelf
        .iter()
        .filter(|((t, _), (owner, _))| *t == twin && *owner == user)
        .map(|((_, title), (owner, _))| json!({"book_title": title, "user": owner}))
        .collect();
    json_resp(StatusCode::OK, &Value::Array(mine))
}

/// One book: read or deleted.
fn book(state: &State, req: &Req, user: &'static str, twin: bool, title: &str) -> Resp {
    let mut shelf = state.shelf.lock();
    let key = (twin, title.to_string());
    let Some((owner, note)) = shelf.get(&key).cloned() else {
        return not_found();
    };
    // VULNERABLE: no owner check. FIXED: anyone but the owner gets 404.
    if !twin && owner != user {
        return not_found();
    }
    if req.method == Method::DELETE {
        shelf.remove(&key);
        return json_resp(StatusCode::OK, &json!({"deleted": title}));
    }
    json_resp(
        StatusCode::OK,
        &json!({"book_title": title, "user": owner, "note": note}),
    )
}

/// A profile; carol's carries her stored card.
fn person(name: &str, twin: bool) -> Resp {
    let mut profile = match name {
        "alice" | "bob" | "carol" => json!({"username": name, "bio": ""}),
        _ => return not_found(),
    };
    if name == "carol" {
        // A test card (it fails the Luhn checksum, as many do) with its security code.
        profile["cardNumber"] = if twin {
            json!("4426111122223333")
        } else {
            json!("************3333")
        };
        profile["cardCvc"] = if twin { json!("555") } else { json!("***") };
    }
    json_resp(StatusCode::OK, &json!({ "profile": profile }))
}
