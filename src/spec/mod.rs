//! Loading API descriptions into nat's one operation model ([`ApiSpec`]).

mod model;

pub use model::*;

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

/// Parses a description from bytes. `origin` names it in messages and is the base for relative `$ref`s
/// when it is a file path.
pub fn from_bytes(bytes: &[u8], origin: &str) -> Result<ApiSpec, SpecError> {
    let _ = (bytes, origin);
    Err(SpecError::Invalid {
        origin: origin.into(),
        pointer: "/".into(),
        reason: "spec loading not implemented yet".into(),
    })
}

/// Loads a description from a local file.
pub fn from_file(path: &Path) -> Result<ApiSpec, SpecError> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SpecError::Read {
        origin: origin.clone(),
        reason: e.to_string(),
    })?;
    from_bytes(&bytes, &origin)
}

/// Loads a description from an http(s) URL or, for anything else, a local file path.
pub async fn load(location: &str) -> Result<ApiSpec, SpecError> {
    from_file(Path::new(location))
}
