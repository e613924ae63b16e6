//! Administrative functions (API5, function level authorization): `GET /{vuln,fixed}/admin/users`
//! lists every account with its e-mail address and role. The vulnerable route only checks that the
//! caller is logged in; the fixed twin also checks that the caller is the administrator.

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::jwt::{self, User};
use super::routes::{authed, json_resp, problem, with_methods, Req, Resp, RouteGroup, State};

/// The group, registered in `routes::GROUPS`.
pub(super) const GROUP: RouteGroup = RouteGroup {
    handle,
    openapi: include_str!("admin.json"),
};

fn handle(_state: &State, req: &Req, path: &str) -> Option<Resp> {
    let vulnerable = match path {
        "vuln/admin/users" => true,
        "fixed/admin/users" => false,
        _ => return None,
    };
    Some(with_methods(req, &[Method::GET], || {
        authed(req, |caller| {
            // FIXED: the administrator only. VULNERABLE: anyone with a valid token.
            if !vulnerable && caller != jwt::ADMIN {
                return problem(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "Only administrators may list accounts.",
                );
            }
            json_resp(StatusCode::OK, &all_accounts())
        })
    }))
}

fn account(user: User, role: &str) -> Value {
    json!({
        "id": user.id,
        "username": user.name,
        "email": format!("{}@nat-demo.test", user.name),
        "role": role,
    })
}

fn all_accounts() -> Value {
    let mut users: Vec<Value> = jwt::USERS.iter().map(|u| account(*u, "user")).collect();
    users.push(account(jwt::ADMIN, "admin"));
    json!({ "users": users })
}
