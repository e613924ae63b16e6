//! The HTTP layer: one reqwest client with deadlines, caps, concurrency, a rate cap and a request budget;
//! identities and their auth providers; every exchange captured as evidence with secrets redacted.

mod auth;
mod client;
pub mod guard;
mod identity;
pub mod outage;
mod redact;

pub use auth::Auth;
pub use client::{
    is_read, FailedExchanges, HttpClient, HttpConfig, SentByOperation, DEFAULT_BODY_CAP,
};
pub use identity::{
    privilege_of_role, IdentityInfo, LEVEL_ADMIN, LEVEL_GUEST, LEVEL_STAFF, LEVEL_USER,
};
pub use redact::{is_sensitive_header, Redactor, MASK};

use bytes::Bytes;
use std::borrow::Cow;

tokio::task_local! {
    /// The operation (`GET /users/{id}`) whose probes the current task sends: failed exchanges are
    /// counted under it. Set by the engine with [`for_operation`].
    static OPERATION: String;
}

/// Runs `fut` with its requests counted under `endpoint` (see [`HttpClient::failed_exchanges`]).
pub async fn for_operation<F: std::future::Future>(endpoint: String, fut: F) -> F::Output {
    OPERATION.scope(endpoint, fut).await
}

pub(crate) fn current_operation() -> String {
    OPERATION
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "(before the operations)".into())
}

/// Who a request is sent as.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    /// The scan's user (the `auth` of the request), user A.
    User,
    /// The second user (the `auth_b` of the request), for checks that need two identities.
    UserB,
    /// No credentials at all (extra `--header`s are still sent).
    Anonymous,
    /// A named identity of the request's `identities`, by position. Get one from
    /// [`HttpClient::identities`], [`HttpClient::identity_named`] or
    /// [`HttpClient::identities_with_role`] rather than by hand; an index past the list sends
    /// without credentials.
    Identity(usize),
}

/// A request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A request a check wants sent, relative to the target's base URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestSpec {
    /// Upper-case method.
    pub method: String,
    /// Path with parameters already filled, e.g. `/users/42`; appended to the base URL's path.
    pub path: String,
    /// Query pairs, encoded by the client.
    pub query: Vec<(String, String)>,
    /// Headers of this request (besides identity and `--header` ones).
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
}

/// The request as it went on the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Bytes>,
}

/// The response as nat read it (body capped).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedResponse {
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2`.
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// True when the body was longer than the cap and cut.
    pub truncated: bool,
}

impl RecordedResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The body as text (lossy).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        crate::parse::json(&self.body).ok()
    }
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// One request and what came back (or why nothing did).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    /// Why there is no response: timeout, connection refused, budget exhausted, …
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

impl Exchange {
    /// The status, if a response came.
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }
    /// True when a 2xx response came.
    pub fn is_success(&self) -> bool {
        self.response
            .as_ref()
            .is_some_and(RecordedResponse::is_success)
    }
}
