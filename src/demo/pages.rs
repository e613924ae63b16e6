//! A list without a page-size limit (API4): `GET /{vuln,fixed}/catalog?limit=N` over 120 catalog
//! items, `limit` documented with `maximum: 50`. The vulnerable twin returns as many items as asked
//! for; the fixed twin clamps the page to 50.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::routes::{
    authed, bad_request, json_resp, query_param, with_methods, Req, Resp, RouteGroup, State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("pages.json"),
};

/// Items in the catalog.
const ITEMS: u64 = 120;
/// The documented maximum page size.
const MAX: u64 = 50;
/// The page size when `limit` is not given.
const DEFAULT: u64 = 20;

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/catalog" => true,
        "fixed/catalog" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |_user| {
            let limit = match query_param(req, "limit") {
                None => DEFAULT,
                Some(raw) => match raw.parse::<u64>() {
                    Ok(n) if n >= 1 => n,
                    _ => return bad_request("limit must be a positive integer"),
                },
            };
            // VULNERABLE: the page is as large as the client asks; FIXED: clamped to the maximum.
            let limit = if vulnerable { limit } else { limit.min(MAX) };
            let items: Vec<Value> = (1..=ITEMS.min(limit))
                .map(|i| json!({"id": i, "name": format!("Catalog item {i}"), "price_cents": 100 * i}))
                .collect();
            json_resp(StatusCode::OK, &json!({"items": items, "total": ITEMS}))
        })
    }))
}
