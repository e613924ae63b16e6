//! Named identities: who else, besides user A and user B, a check may send as, with a role and a
//! privilege level.
//!
//! Checks reach them through [`super::HttpClient`]: [`HttpClient::identities`] lists them,
//! [`HttpClient::identities_with_role`] and [`HttpClient::identity_named`] give the [`Who`] to send
//! as, and [`HttpClient::more_privileged`] compares two of them.
//!
//! [`HttpClient::identities`]: super::HttpClient::identities
//! [`HttpClient::identities_with_role`]: super::HttpClient::identities_with_role
//! [`HttpClient::identity_named`]: super::HttpClient::identity_named
//! [`HttpClient::more_privileged`]: super::HttpClient::more_privileged
//! [`Who`]: super::Who

use crate::request::{AuthType, Identity};
use serde::{Deserialize, Serialize};

/// Privilege level of an anonymous caller or a guest.
pub const LEVEL_GUEST: u32 = 0;
/// Privilege level of an ordinary user.
pub const LEVEL_USER: u32 = 10;
/// Privilege level of staff roles between users and admins (editor, moderator, support, …).
pub const LEVEL_STAFF: u32 = 20;
/// Privilege level of an administrator.
pub const LEVEL_ADMIN: u32 = 30;

/// The privilege level of a well-known role (case, `-`, `_` and spaces ignored); `None` for a role
/// nat does not know (give it a `level` in the request).
pub fn privilege_of_role(role: &str) -> Option<u32> {
    let key: String = role
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let level = match key.as_str() {
        "anonymous" | "guest" | "public" | "visitor" | "none" | "unauthenticated" => LEVEL_GUEST,
        "user" | "member" | "customer" | "client" | "viewer" | "reader" | "readonly" | "basic"
        | "standard" | "regular" | "lowpriv" | "lowprivileged" => LEVEL_USER,
        "editor" | "writer" | "author" | "contributor" | "support" | "staff" | "operator"
        | "manager" | "moderator" | "maintainer" | "developer" => LEVEL_STAFF,
        "admin" | "administrator" | "superuser" | "superadmin" | "root" | "owner" | "sysadmin" => {
            LEVEL_ADMIN
        }
        _ => return None,
    };
    Some(level)
}

/// A named identity as checks and reports see it: never its credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInfo {
    /// `user` (user A), `user_b` (user B), or the name given in `identities`.
    pub name: String,
    /// The role given in `identities` (none for user A and user B).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The privilege level: the identity's `level`, else its well-known role's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    /// How it authenticates (`bearer`, `login`, …).
    pub auth: AuthType,
}

impl IdentityInfo {
    /// The summary of a named identity of the request.
    pub fn of(identity: &Identity) -> Self {
        IdentityInfo {
            name: identity.name.clone(),
            role: Some(identity.role.trim().to_string()),
            level: identity.level.or_else(|| privilege_of_role(&identity.role)),
            auth: identity.auth.effective_type(),
        }
    }

    /// True when the role is `role` (case, `-`, `_` and spaces ignored).
    pub fn has_role(&self, role: &str) -> bool {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        self.role.as_deref().is_some_and(|r| norm(r) == norm(role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::AuthConfig;

    fn info(name: &str, role: &str, level: Option<u32>) -> IdentityInfo {
        IdentityInfo::of(&Identity {
            name: name.into(),
            role: role.into(),
            level,
            auth: AuthConfig::default(),
        })
    }

    #[test]
    fn roles_rank_and_compare() {
        assert_eq!(privilege_of_role("Admin"), Some(LEVEL_ADMIN));
        assert_eq!(privilege_of_role("super_admin"), Some(LEVEL_ADMIN));
        assert_eq!(privilege_of_role("read-only"), Some(LEVEL_USER));
        assert_eq!(privilege_of_role("billing-clerk"), None);
        let admin = info("a", "admin", None);
        let user = info("u", "User", None);
        let clerk = info("c", "billing-clerk", None);
        assert!(admin.level > user.level && user.level.is_some());
        assert_eq!(clerk.level, None);
        let ranked = info("c", "billing-clerk", Some(LEVEL_STAFF));
        assert!(ranked.level > user.level);
        assert!(user.has_role("user") && user.has_role("USER") && !user.has_role("admin"));
    }
}
