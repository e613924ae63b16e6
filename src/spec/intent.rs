//! What an operation's names say it does, beyond its method: a `GET /createdb` that drops and re-seeds
//! every table is a read by its method only. nat trusts the words of the description over the method
//! where safety is at stake.

use super::Operation;

/// Verbs that say a read changes state (matched as whole words of the path, the operationId or the
/// summary). Logout is not among them: logout operations have rules of their own (never sent with
/// the scan's sessions; the logout check calls them with a throwaway one).
const STATE_CHANGING_VERBS: &[&str] = &[
    "create",
    "init",
    "initialize",
    "initialise",
    "setup",
    "seed",
    "reseed",
    "reset",
    "drop",
    "delete",
    "remove",
    "clear",
    "purge",
    "flush",
    "truncate",
    "wipe",
    "destroy",
    "restart",
    "reboot",
    "shutdown",
    "migrate",
    "rebuild",
    "populate",
    "install",
    "uninstall",
    "kill",
    "terminate",
];

/// What may follow one of the verbs inside one lower-case path segment (`createdb`, `resetall`).
const COMPOUND_OBJECTS: &[&str] = &[
    "db",
    "database",
    "data",
    "table",
    "tables",
    "cache",
    "all",
    "schema",
    "everything",
    "index",
];

impl Operation {
    /// For a `GET`/`HEAD`/`OPTIONS` whose path, operationId or summary says it changes state
    /// (create, init, seed, reset, drop, delete, clear, purge, flush, truncate, restart, shutdown,
    /// …): the word and where it stood, e.g. ``"`createdb` in the path"``. `None` for
    /// other methods, whose safety their method already decides.
    pub fn state_changing_read(&self) -> Option<String> {
        if !matches!(self.method.as_str(), "GET" | "HEAD" | "OPTIONS") {
            return None;
        }
        for segment in self.path.split('/').filter(|s| !s.starts_with('{')) {
            if let Some(verb) = words(segment).into_iter().find(|w| is_verb(w)) {
                return Some(format!("`{verb}` in the path"));
            }
            let lower = segment.to_ascii_lowercase();
            for verb in STATE_CHANGING_VERBS {
                if let Some(rest) = lower.strip_prefix(verb) {
                    if COMPOUND_OBJECTS.contains(&rest) {
                        return Some(format!("`{segment}` in the path"));
                    }
                }
            }
        }
        if let Some(verb) = self
            .operation_id
            .as_deref()
            .and_then(|id| words(id).into_iter().find(|w| is_verb(w)))
        {
            return Some(format!("`{verb}` in the operationId"));
        }
        let summary = self.summary.as_deref().unwrap_or_default();
        // The summary's first words: "Reset the database", not "List items, with those removed".
        words(summary)
            .into_iter()
            .take(3)
            .find(|w| is_verb(w))
            .map(|verb| format!("`{verb}` in the summary"))
    }
}

impl Operation {
    /// For a write that changes credentials (`PUT /users/{name}/password`, `PATCH /me/email`,
    /// `POST /account/{id}/change-password`): the path segment that says so. Sent as one of the
    /// scan's identities it would lock that identity out; a request for a reset link (`POST
    /// /password-reset`, nothing in the path to change) is not one.
    pub fn changes_credentials(&self) -> Option<&str> {
        let writes = match self.method.as_str() {
            "PUT" | "PATCH" => true,
            "POST" => {
                self.path.contains('{') || self.path.ends_with("/me") || self.path.contains("/me/")
            }
            _ => false,
        };
        if !writes {
            return None;
        }
        self.path.split('/').find(|s| {
            let l = s.to_ascii_lowercase();
            !l.starts_with('{')
                && ["password", "passwd", "credential", "email", "username"]
                    .iter()
                    .any(|w| l.contains(w))
                && !l.contains("reset")
                && !l.contains("forgot")
        })
    }
}

fn is_verb(word: &str) -> bool {
    STATE_CHANGING_VERBS.contains(&word)
}

/// Words of an identifier or text, lower-cased: split on anything not a letter or digit and at
/// camelCase humps (`resetCache` → `reset`, `cache`). Shared by every rule that reads names.
pub(crate) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, id: Option<&str>, summary: Option<&str>) -> Operation {
        Operation {
            operation_id: id.map(Into::into),
            summary: summary.map(Into::into),
            ..Operation::new(method, path)
        }
    }

    #[test]
    fn reads_that_say_they_change_state() {
        for (path, id, summary) in [
            ("/createdb", None, None),
            ("/maintenance/reset-cache", None, None),
            ("/admin/flush_all", None, None),
            ("/db", Some("create_db_createdb_get"), None),
            ("/x", Some("resetCache"), None),
            ("/x", None, Some("Drop and re-seed every table")),
        ] {
            assert!(
                op("GET", path, id, summary).state_changing_read().is_some(),
                "{path} {id:?} {summary:?}"
            );
        }
    }

    #[test]
    fn ordinary_reads_and_other_methods_are_left_alone() {
        for (path, id, summary) in [
            ("/users/{id}", Some("getUser"), Some("Read a user")),
            ("/dropdowns", None, None),
            ("/seeds", None, None),
            ("/clearance-levels", None, None),
            ("/items/deleted", Some("listDeletedItems"), None),
            (
                "/settings",
                None,
                Some("Current settings, with removed ones hidden"),
            ),
            ("/initials", None, None),
            ("/users/{delete}", None, None),
        ] {
            assert_eq!(
                op("GET", path, id, summary).state_changing_read(),
                None,
                "{path}"
            );
        }
        assert_eq!(
            op("POST", "/createdb", None, None).state_changing_read(),
            None
        );
    }

    #[test]
    fn writes_that_change_credentials() {
        for (m, p) in [
            ("PUT", "/users/{username}/password"),
            ("PATCH", "/me/email"),
            ("POST", "/account/{id}/change-password"),
            ("POST", "/me/password"),
        ] {
            assert!(
                op(m, p, None, None).changes_credentials().is_some(),
                "{m} {p}"
            );
        }
        for (m, p) in [
            ("POST", "/password-reset"),
            ("POST", "/auth/forgot-password"),
            ("GET", "/users/{username}/password"),
            ("PUT", "/users/{username}"),
            ("POST", "/users"),
        ] {
            assert_eq!(op(m, p, None, None).changes_credentials(), None, "{m} {p}");
        }
    }
}
