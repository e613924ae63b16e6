//! A destructive read (issue 15): `GET /maintenance/reset-cache` changes state although its method says
//! it reads, like the `GET /createdb` of real APIs that drops and re-seeds every table. nat must not
//! send it unless `--destructive`; the demo counts the calls so tests can tell.

use std::sync::atomic::Ordering;

use http::{Method, StatusCode};
use serde_json::json;

use super::routes::{authed, json_resp, with_methods, Req, Resp, RouteGroup, State};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("maintenance.json"),
};

fn handle(state: &State, req: &Req, path: &str) -> Option<Resp> {
    if path != "maintenance/reset-cache" {
        return None;
    }
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |_| {
            let resets = state.cache_resets.fetch_add(1, Ordering::Relaxed) + 1;
            json_resp(StatusCode::OK, &json!({"cleared": true, "resets": resets}))
        })
    }))
}
