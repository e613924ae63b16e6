//! Fetching descriptions over http(s): the root and, before the build, every document its `$ref`s reach.

use super::parse::parse_document_noting;
use super::resolve::{Base, MAX_DOC_BYTES};
use super::{build, ApiSpec, SpecError};
use super::{Schema, SchemaNode};
use crate::http::guard::{self, Policy};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use url::Url;

/// At most this many documents are fetched for one description.
const MAX_DOCS: usize = 200;

/// True for `http://` and `https://` locations.
pub(crate) fn is_http(location: &str) -> bool {
    let l = location.trim_start().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

fn client(origin: &str, policy: Option<&Policy>) -> Result<reqwest::Client, SpecError> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::limited(5));
    if let Some(policy) = policy {
        builder = guard::apply(builder, policy, 5);
    }
    builder.build().map_err(|e| SpecError::Fetch {
        origin: origin.into(),
        reason: e.to_string(),
    })
}

/// An error with its causes (reqwest's own message names only the URL).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        src = s.source();
    }
    out
}

/// GETs one URL, reading at most 64 MiB of body.
async fn get(
    client: &reqwest::Client,
    url: &str,
    policy: Option<&Policy>,
) -> Result<Vec<u8>, String> {
    if let Some(policy) = policy {
        let parsed = Url::parse(url).map_err(|e| e.to_string())?;
        guard::check_url(policy.as_ref(), &parsed)?;
    }
    let mut resp = client
        .get(url)
        .header(
            "accept",
            "application/json, application/yaml, application/x-yaml, text/yaml, */*;q=0.5",
        )
        .send()
        .await
        .map_err(|e| with_causes(&e))?;
    if !resp.status().is_success() {
        return Err(format!("HTTP status {}", resp.status()));
    }
    let cap = MAX_DOC_BYTES as usize;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > cap {
            return Err("body larger than 64 MiB".into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Fetches the description at `url`, then the documents its `$ref`s point to, then builds it.
pub(crate) async fn load_url(url: &str, policy: Option<&Policy>) -> Result<ApiSpec, SpecError> {
    let origin = url.trim().to_string();
    let base = Url::parse(&origin).map_err(|e| SpecError::Fetch {
        origin: origin.clone(),
        reason: format!("bad URL: {e}"),
    })?;
    let client = client(&origin, policy)?;
    let bytes = get(&client, base.as_str(), policy)
        .await
        .map_err(|reason| SpecError::Fetch {
            origin: origin.clone(),
            reason,
        })?;
    let at = origin.clone();
    let (root, mut notes) =
        crate::parse::off_runtime(move || parse_document_noting(&bytes, &at)).await?;

    let mut fetched: HashMap<String, Schema> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut root_key = base.clone();
    root_key.set_fragment(None);
    seen.insert(root_key.to_string());
    let mut queue: Vec<Url> = Vec::new();
    external_targets(&root, &root_key, &mut seen, &mut queue);
    let mut failures = Vec::new();
    while let Some(target) = queue.pop() {
        if fetched.len() >= MAX_DOCS {
            failures.push(format!(
                "more than {MAX_DOCS} referenced documents; the rest not fetched"
            ));
            break;
        }
        let key = target.to_string();
        match get(&client, &key, policy).await {
            Ok(bytes) => match crate::parse::off_runtime({
                let key = key.clone();
                move || parse_document_noting(&bytes, &key)
            })
            .await
            {
                Ok((doc, doc_notes)) => {
                    notes.extend(doc_notes);
                    external_targets(&doc, &target, &mut seen, &mut queue);
                    fetched.insert(key, doc);
                }
                Err(e) => failures.push(e.to_string()),
            },
            Err(e) => failures.push(format!("{key}: cannot fetch: {e}")),
        }
    }
    let at = origin.clone();
    let mut spec =
        crate::parse::off_runtime(move || build::build(root, &at, Base::Url(base), fetched))
            .await?;
    spec.warnings.extend(notes);
    spec.warnings.extend(failures);
    Ok(spec)
}

/// Collects the http(s) documents referenced from `doc` (located at `at`) not seen yet.
fn external_targets(doc: &Schema, at: &Url, seen: &mut HashSet<String>, out: &mut Vec<Url>) {
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        match v.node() {
            SchemaNode::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Schema::as_str) {
                    let doc_part = r.split('#').next().unwrap_or("");
                    if !doc_part.is_empty() {
                        if let Ok(mut u) = at.join(doc_part) {
                            u.set_fragment(None);
                            if matches!(u.scheme(), "http" | "https") && seen.insert(u.to_string())
                            {
                                out.push(u);
                            }
                        }
                    }
                }
                for (k, v) in m {
                    // Extensions and examples hold data, not references nat uses.
                    if !k.starts_with("x-") && k != "example" && k != "examples" {
                        stack.push(v);
                    }
                }
            }
            SchemaNode::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
}
