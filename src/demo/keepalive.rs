//! A server that drops keep-alive after a 500 without saying so (issue 15, cause 7), as uvicorn does
//! when a FastAPI handler raises: `GET /{vuln,fixed}/keepalive/articles?page=N`. Both twins take
//! `page: int` (422 for anything else, from the framework). The vulnerable twin indexes its pages
//! with any integer, so a page outside 1 to [`PAGES`] ends in a plain 500, after which the connection
//! is dropped when the next request arrives on it (no `Connection: close` warned the client; see
//! `DropConnection` in `demo/mod.rs`). The fixed twin checks the range and answers 400, keeping the
//! connection. A client that sends the next request on the dropped connection loses it unless it
//! sends it again.

use http::{Method, StatusCode};
use serde_json::json;

use super::routes::{
    authed, bad_request, internal_error, json_resp, query_param, with_methods, Req, Resp,
    RouteGroup, State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("keepalive.json"),
};

/// Pages of articles (the description's `maximum` of `page`).
const PAGES: i64 = 3;

fn handle(_: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/keepalive/articles" => true,
        "fixed/keepalive/articles" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |_| {
            // Both twins declare `page: int`: the framework answers 422 to anything else.
            let raw = query_param(req, "page");
            let Some(page) = raw.as_deref().and_then(|p| p.parse::<i64>().ok()) else {
                return not_an_integer(raw.is_none());
            };
            if (1..=PAGES).contains(&page) {
                articles(page)
            } else if vulnerable {
                // VULNERABLE: `pages[page - 1]` raised; the framework answers 500 and the server
                // drops keep-alive.
                let mut resp = internal_error();
                resp.extensions_mut().insert(super::DropConnection);
                resp
            } else {
                bad_request(&format!("page must be from 1 to {PAGES}."))
            }
        })
    }))
}

/// FastAPI's 422 for a query parameter that is missing or not an integer.
fn not_an_integer(missing: bool) -> Resp {
    let (kind, msg) = if missing {
        ("missing", "Field required")
    } else {
        (
            "int_parsing",
            "Input should be a valid integer, unable to parse string as an integer",
        )
    };
    json_resp(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({"detail": [{"loc": ["query", "page"], "msg": msg, "type": kind}]}),
    )
}

fn articles(page: i64) -> Resp {
    let items: Vec<_> = (1..=2)
        .map(|i| {
            let id = (page - 1) * 2 + i;
            json!({"id": id, "title": format!("Release notes, part {id}")})
        })
        .collect();
    json_resp(
        StatusCode::OK,
        &json!({"page": page, "pages": PAGES, "articles": items}),
    )
}
