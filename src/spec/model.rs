//! nat's one operation model: whatever the description's format (OpenAPI 3.0, 3.1, Swagger 2.0), the
//! loader produces these types. Schemas are JSON Schema trees ([`Schema`], shared and cheap to clone)
//! with every `$ref` resolved (cycles cut with `{"x-nat-circular": "<ref>"}`), so the rest of nat never
//! sees a `$ref`. Other markers a schema may
//! hold where inlining stopped: `{"x-nat-unresolved": "<ref>"}` (dangling reference, with a warning),
//! `{"x-nat-truncated": "<ref>", "type": …}` (the expansion did not fit the per-schema size bound) and
//! `{"x-nat-depth-limit": "<ref>"}` (more than 32 nested references). Treat them as "any value".

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::schema::{Schema, SchemaMap, SchemaNode};

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// One parameter of an operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "in")]
    pub location: ParamLocation,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    /// An example value from the description (`example` or the first of `examples`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
}

/// The request body of an operation: the preferred media type and its schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestBody {
    /// e.g. `application/json`, `application/x-www-form-urlencoded`.
    pub content_type: String,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Schema>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<serde_json::Value>,
}

/// One security requirement: scheme name → scopes. An operation is satisfied by any one requirement
/// of its list; an empty requirement (`{}`) means anonymous access is allowed.
pub type SecurityRequirement = BTreeMap<String, Vec<String>>;

/// The scheme name of a requirement nat inferred from the answers (the description declared none,
/// but the user's request was answered and an anonymous one refused).
pub const INFERRED_SCHEME: &str = "x-nat-inferred";

/// A security scheme declared by the description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SecurityScheme {
    /// `type: http` with its scheme (`bearer`, `basic`, …).
    Http {
        scheme: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        bearer_format: Option<String>,
    },
    /// `type: apiKey`.
    ApiKey {
        name: String,
        #[serde(rename = "in")]
        location: ParamLocation,
    },
    /// `type: oauth2`.
    Oauth2,
    /// `type: openIdConnect`.
    OpenIdConnect,
    /// `type: mutualTLS` or anything else.
    Other,
}

/// One operation: a method on a path template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template as written in the description, e.g. `/users/{id}`.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Path-item and operation parameters merged (operation wins on name + location).
    pub parameters: Vec<Parameter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// Effective security: the operation's own, else the document's global one.
    pub security: Vec<SecurityRequirement>,
    /// Response status codes (`200`, `4XX`, `default`) → schema of the JSON response, if any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub responses: BTreeMap<String, Option<Schema>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

impl Operation {
    /// An operation with its method, its path and the path template's parameters (required, no
    /// schema); no body, security or responses: fill in the rest with struct update syntax.
    pub fn new(method: &str, path: &str) -> Self {
        let parameters = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| Parameter {
                name: name.into(),
                location: ParamLocation::Path,
                required: true,
                schema: None,
                example: None,
            })
            .collect();
        Operation {
            method: method.to_ascii_uppercase(),
            path: path.into(),
            operation_id: None,
            summary: None,
            tags: vec![],
            parameters,
            request_body: None,
            security: vec![],
            responses: Default::default(),
            deprecated: false,
        }
    }

    /// `GET /users/{id}`: how findings and progress name the operation.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// True when the description says a credential is needed: some requirement exists and none is empty.
    pub fn requires_auth(&self) -> bool {
        !self.security.is_empty() && self.security.iter().all(|r| !r.is_empty())
    }

    /// True for methods that change state.
    pub fn is_state_changing(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
    }

    /// Parameters in one location.
    pub fn params_in(&self, location: ParamLocation) -> impl Iterator<Item = &Parameter> {
        self.parameters
            .iter()
            .filter(move |p| p.location == location)
    }
}

/// A loaded API description.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiSpec {
    /// `3.0.3`, `3.1.0`, `2.0`.
    pub openapi_version: String,
    pub title: String,
    #[serde(default)]
    pub api_version: String,
    /// Server URLs, variables filled from their defaults.
    #[serde(default)]
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
    #[serde(default)]
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// What the loader skipped or repaired, for the user to see.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// Where it came from: a file path or URL (for messages and SARIF locations).
    #[serde(default)]
    pub source: String,
}
