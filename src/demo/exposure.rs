//! Excessive data exposure beyond secrets (API3): `GET /{vuln,fixed}/me/orders` lists the caller's
//! orders. The vulnerable twin serialises its stored rows, with the undocumented purchase cost, fraud
//! score and the e-mail address of the employee who reviewed the order; the fixed twin answers with
//! the documented fields only.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::jwt::User;
use super::routes::{authed, json_resp, with_methods, Req, Resp, RouteGroup, State};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("exposure.json"),
};

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/me/orders" => true,
        "fixed/me/orders" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |user| {
            json_resp(StatusCode::OK, &orders(user, vulnerable))
        })
    }))
}

fn orders(user: User, vulnerable: bool) -> Value {
    let rows = [
        (100 + user.id, "Desk lamp", 3900, 1450),
        (200 + user.id, "Notebook", 450, 120),
    ];
    let orders: Vec<Value> = rows
        .iter()
        .map(|(id, product, total, cost)| {
            let mut order = json!({"id": id, "product": product, "total_cents": total});
            if vulnerable {
                // VULNERABLE: the stored row, internal columns included.
                order["internal_cost_cents"] = json!(cost);
                order["fraud_score"] = json!(0.12);
                order["reviewed_by"] = json!("carol@nat-demo.test");
            }
            order
        })
        .collect();
    json!({ "orders": orders })
}
