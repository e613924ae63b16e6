//! Loading API descriptions into nat's one operation model ([`ApiSpec`]).

mod build;
mod fetch;
mod intent;
pub(crate) use intent::words;
mod model;
mod parse;
mod resolve;
mod schema;
#[cfg(test)]
mod tests;

pub use model::*;

use std::collections::HashMap;
use std::path::Path;
use thiserror::Error;

/// Places on a target where API descriptions usually are, tried in order when no `--spec` is given.
pub const DISCOVERY_PATHS: &[&str] = &[
    "/openapi.json",
    "/openapi.yaml",
    "/openapi.yml",
    "/swagger.json",
    "/swagger.yaml",
    "/v3/api-docs",
    "/v2/api-docs",
    "/api-docs",
    "/api-docs.json",
    "/swagger/v1/swagger.json",
    "/api/openapi.json",
    "/api/swagger.json",
    "/api/v1/openapi.json",
    "/docs/openapi.json",
    "/.well-known/openapi.json",
];

/// Why a description could not be loaded. Each names the file or URL, the place in it and the reason.
#[derive(Debug, Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("{origin}: cannot read: {reason}")]
    Read { origin: String, reason: String },
    /// Not JSON or YAML.
    #[error("{origin}:{line}:{column}: not valid JSON or YAML: {reason}")]
    Syntax {
        origin: String,
        line: usize,
        column: usize,
        reason: String,
    },
    /// Valid JSON/YAML but not a usable description.
    #[error("{origin}: at {pointer}: {reason}")]
    Invalid {
        origin: String,
        pointer: String,
        reason: String,
    },
    /// A version nat does not read.
    #[error("{origin}: unsupported description version `{version}` (nat reads OpenAPI 3.x and Swagger 2.0)")]
    Unsupported { origin: String, version: String },
    /// Fetching from a URL failed.
    #[error("{origin}: cannot fetch: {reason}")]
    Fetch { origin: String, reason: String },
    /// No description was found at any usual place on the target.
    #[error("no API description found on {target} (tried {tried}); pass one with --spec")]
    NotFound { target: String, tried: String },
}

/// Parses a description from bytes (JSON or YAML, told apart by content). `origin` names it in
/// messages; when it is a file path, relative `$ref`s are files next to it, and when it is an http(s)
/// URL they are joined to it (but not fetched: use [`load`] for descriptions that span several URLs).
pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<ApiSpec, SpecError> {
    let (root, notes) = parse::parse_document_noting(bytes, origin)?;
    let mut spec = build::build(
        root,
        origin,
        resolve::Base::for_origin(origin, true),
        HashMap::new(),
    )?;
    spec.warnings.extend(notes);
    Ok(spec)
}

/// Like [`from_bytes`], but never reads another document: for content handed over by someone else
/// (e.g. `spec_content` of a scan request), whose `$ref: /etc/passwd` must not reach the disk.
/// References to other documents are left unresolved, with a warning.
pub fn from_bytes_isolated(bytes: &[u8], origin: &str) -> Result<ApiSpec, SpecError> {
    let (root, notes) = parse::parse_document_noting(bytes, origin)?;
    let mut spec = build::build(
        root,
        origin,
        resolve::Base::for_origin(origin, false),
        HashMap::new(),
    )?;
    spec.warnings.extend(notes);
    Ok(spec)
}

/// Loads a description from a local file (at most 64 MiB); relative `$ref`s are files next to it.
pub fn from_file(path: &Path) -> Result<ApiSpec, SpecError> {
    let origin = path.display().to_string();
    let read_err = |reason: String| SpecError::Read {
        origin: origin.clone(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| read_err(e.to_string()))?;
    if !meta.is_file() {
        // A directory, FIFO or device (`/dev/zero`) would fail or never end.
        return Err(read_err("not a regular file".into()));
    }
    if meta.len() > resolve::MAX_DOC_BYTES {
        return Err(read_err("larger than 64 MiB".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
    from_bytes(&bytes, &origin)
}

/// Loads a description from an `http://`/`https://` URL (30 s total, 64 MiB, at most 5 redirects;
/// documents it refers to are fetched the same way) or, for anything else, a local file path.
pub async fn load(location: &str) -> Result<ApiSpec, SpecError> {
    load_guarded(location, None).await
}

/// Like [`load`], for locations someone else handed over (the team server): with a policy, only
/// http(s) URLs are accepted, and every connection (redirects and `$ref`ed documents included) goes only
/// where the policy allows.
pub async fn load_guarded(
    location: &str,
    policy: Option<&crate::http::guard::Policy>,
) -> Result<ApiSpec, SpecError> {
    if fetch::is_http(location) {
        fetch::load_url(location, policy).await
    } else if policy.is_some() {
        Err(SpecError::Fetch {
            origin: location.into(),
            reason: "only http(s) descriptions can be fetched here".into(),
        })
    } else {
        let path = location.to_string();
        tokio::task::spawn_blocking(move || from_file(Path::new(&path)))
            .await
            .map_err(|e| SpecError::Read {
                origin: location.into(),
                reason: format!("loader task failed: {e}"),
            })?
    }
}
