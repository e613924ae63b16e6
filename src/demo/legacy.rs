//! A deprecated operation (API9): `GET /{vuln,fixed}/legacy/report`, marked `deprecated: true` in
//! the description. The vulnerable twin still serves it; the fixed twin answers 410 Gone.

use http::{Method, StatusCode};
use serde_json::json;

use super::routes::{authed, json_resp, problem, with_methods, Req, Resp, RouteGroup, State};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("legacy.json"),
};

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/legacy/report" => true,
        "fixed/legacy/report" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |user| {
            if vulnerable {
                // VULNERABLE: deprecated, and still doing its work.
                json_resp(
                    StatusCode::OK,
                    &json!({"report": "monthly", "owner": user.name, "rows": 3}),
                )
            } else {
                problem(
                    StatusCode::GONE,
                    "Gone",
                    "This operation was retired; use /reports instead.",
                )
            }
        })
    }))
}
