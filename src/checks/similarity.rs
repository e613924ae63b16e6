//! Comparing responses: is an answer "the same resource" as the baseline, or "different"?

use crate::http::RecordedResponse;
use serde_json::Value;
use std::collections::HashSet;

/// Top-level keys of a JSON object (or of the first object of an array).
fn keys(v: &Value) -> HashSet<String> {
    match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => a.first().map(keys).unwrap_or_default(),
        _ => HashSet::new(),
    }
}

/// Keys that mean "error", whatever the status code says.
const ERROR_KEYS: &[&str] = &[
    "error", "errors", "message", "detail", "title", "status", "code",
];

/// True when a 2xx answer carries the data of the baseline's 2xx answer (same JSON shape, or the same
/// non-JSON body size within a factor of two) and is not an error envelope.
pub fn same_resource(baseline: &RecordedResponse, other: &RecordedResponse) -> bool {
    if !baseline.is_success() || !other.is_success() || other.body.is_empty() {
        return false;
    }
    if baseline.body == other.body {
        return true;
    }
    match (baseline.json(), other.json()) {
        (Some(b), Some(o)) => {
            let (kb, ko) = (keys(&b), keys(&o));
            if kb.is_empty() || ko.is_empty() {
                return b == o;
            }
            let only_errors = ko.iter().all(|k| ERROR_KEYS.contains(&k.as_str()));
            if only_errors && !kb.iter().all(|k| ERROR_KEYS.contains(&k.as_str())) {
                return false;
            }
            let inter = kb.intersection(&ko).count() as f64;
            let union = kb.union(&ko).count() as f64;
            inter / union >= 0.6
        }
        (None, None) => {
            let (a, b) = (baseline.body.len() as f64, other.body.len() as f64);
            b >= a / 2.0 && b <= a * 2.0
        }
        _ => false,
    }
}

/// Words of a body, for a similarity ratio that tolerates timestamps and request ids.
fn tokens(body: &[u8]) -> HashSet<String> {
    String::from_utf8_lossy(body)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Similarity of two answers in 0..=1: 0 when the status differs, else the Jaccard index of their words
/// (1 for identical bodies).
pub fn similarity(a: &RecordedResponse, b: &RecordedResponse) -> f64 {
    if a.status != b.status {
        return 0.0;
    }
    if a.body == b.body {
        return 1.0;
    }
    let (ta, tb) = (tokens(&a.body), tokens(&b.body));
    let union = ta.union(&tb).count();
    if union == 0 {
        return 1.0;
    }
    ta.intersection(&tb).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn resp(status: u16, body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            body: Bytes::from(body.to_string()),
            ..Default::default()
        }
    }

    #[test]
    fn same_resource_needs_shape_not_status() {
        let b = resp(200, r#"{"id":1,"email":"a@x","name":"A"}"#);
        assert!(same_resource(
            &b,
            &resp(200, r#"{"id":1,"email":"a@x","name":"B"}"#)
        ));
        assert!(!same_resource(
            &b,
            &resp(200, r#"{"error":"unauthorized"}"#)
        ));
        assert!(!same_resource(
            &b,
            &resp(401, r#"{"id":1,"email":"a@x","name":"A"}"#)
        ));
        assert!(!same_resource(&b, &resp(200, "<html>login</html>")));
    }

    #[test]
    fn similarity_ratio() {
        assert_eq!(similarity(&resp(200, "a b c"), &resp(404, "a b c")), 0.0);
        assert_eq!(similarity(&resp(200, "a b c"), &resp(200, "a b c")), 1.0);
        assert!(similarity(&resp(200, "a b c d"), &resp(200, "a b c e")) < 0.8);
    }
}
