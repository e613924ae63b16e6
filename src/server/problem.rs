//! RFC 7807 problem details: the body of every error the server returns.

use http::StatusCode;
use serde::Serialize;

/// Base of every problem `type`.
pub const TYPE_BASE: &str = "https://docs.nat-testing.io/errors/";

/// One problem. `instance` is filled in by the router (the request path relative to `/api/v1`, as in
/// the contract's example `"/scans/scan_xyz123"`).
#[derive(Clone, Debug)]
pub struct Problem {
    /// The slug of `type` (`scan-not-found`).
    pub slug: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    /// Extra headers (`Allow`, `Retry-After`, `WWW-Authenticate`); not part of the body.
    pub headers: Vec<(&'static str, String)>,
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Problem", 5)?;
        st.serialize_field("type", &format!("{TYPE_BASE}{}", self.slug))?;
        st.serialize_field("title", self.title)?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("detail", &self.detail)?;
        st.serialize_field("instance", &self.instance)?;
        st.end()
    }
}

impl Problem {
    /// A problem with a slug (`scan-not-found`), a title, a status and a detail.
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Problem {
            slug,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            instance: String::new(),
            headers: Vec::new(),
        }
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 with slug `invalid-request`.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-request",
            "Invalid Request",
            detail,
        )
    }

    /// 400 with slug `invalid-parameter` for a query parameter.
    pub fn bad_parameter(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "Invalid Parameter",
            detail,
        )
    }

    /// 404 `scan-not-found`.
    pub fn scan_not_found(id: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "scan-not-found",
            "Scan Not Found",
            format!("No scan found with ID {id}"),
        )
    }

    /// 404 `not-found` for a path no route serves.
    pub fn route_not_found(path: &str) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not Found",
            format!("No resource at {path}"),
        )
    }

    /// 500 `internal-error`; `detail` must not carry secrets.
    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal Server Error",
            detail,
        )
    }

    /// The status code.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<crate::store::StoreError> for Problem {
    fn from(e: crate::store::StoreError) -> Self {
        Problem::internal(format!("storage error: {e}"))
    }
}
