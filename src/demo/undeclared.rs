//! Security the description does not declare (issue 15, cause 9): `GET
//! /{vuln,fixed}/undeclared/orders/{order_id}` say `security: []`, like an API that declares no
//! `securitySchemes` and reads its JWT from the `Authorization` header itself, yet both refuse a
//! request without a token (401) and show a user only their own orders. nat infers from the answers
//! that they are secured and runs the checks of secured operations: the vulnerable twin decodes the
//! token without verifying its signature, the fixed twin verifies it.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::jwt::{self, User};
use super::routes::{
    authed, bearer, decode, json_resp, not_found, unauthorized, with_methods, Req, Resp,
    RouteGroup, State,
};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("undeclared.json"),
};

/// The orders: (id, owner id, item, total). Alice (1) owns 7001 and 7003, bob (2) owns 7002.
const ORDERS: [(i64, i64, &str, f64); 3] = [
    (7001, 1, "espresso machine", 249.0),
    (7002, 2, "standing desk", 489.5),
    (7003, 1, "coffee grinder", 89.9),
];

fn handle(_: &State, req: &Req, path: &str) -> Option<Resp> {
    let (vulnerable, id) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["vuln", "undeclared", "orders", id] if !id.is_empty() => (true, *id),
        ["fixed", "undeclared", "orders", id] if !id.is_empty() => (false, *id),
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        if vulnerable {
            // VULNERABLE: the claims are read without checking the algorithm or the signature.
            match bearer(req).and_then(jwt::decode_unverified) {
                Some(token) => {
                    let sub = token.claims.get("sub").and_then(Value::as_str);
                    own_order(sub.and_then(|s| s.parse().ok()), id)
                }
                None => unauthorized(),
            }
        } else {
            authed(req, |user: User| own_order(Some(user.id), id))
        }
    }))
}

/// The order `raw` when `owner` owns it, else 404 (both twins check the owner).
fn own_order(owner: Option<i64>, raw: &str) -> Resp {
    let id: Option<i64> = decode(raw).parse().ok();
    let order = ORDERS
        .iter()
        .find(|o| Some(o.0) == id && Some(o.1) == owner);
    match order {
        Some(&(id, owner, item, total)) => json_resp(
            StatusCode::OK,
            &json!({"id": id, "owner_id": owner, "item": item, "total": total, "status": "shipped"}),
        ),
        None => not_found(),
    }
}
