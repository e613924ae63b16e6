//! What the in-band injection checks (template injection, path traversal, reflected XSS) share: the
//! slots they put strings in, the safety rule they follow and random markers.

use super::CheckMeta;
use crate::engine::{ScanContext, Target};
use crate::http::{Exchange, Who};
use crate::spec::Schema;
use crate::synth::Slot;
use rand::Rng;
use serde_json::Value;

/// The skip reason of an injection check kept from a change or a deletion of an object nat did not
/// create.
pub(super) const NOT_OURS: &str =
    "injection into a change or a deletion of an object nat did not create; --destructive allows it";

/// The skip reason of an injection check on an operation without a string to replace.
pub(super) const NO_STRING_SLOTS: &str =
    "no parameter or body field holding a free string (no enum or const) to put a payload in";

/// True when the check may send its payloads to `target`; otherwise records why not. A `PUT`,
/// `PATCH` or `DELETE` is probed only on an object nat created for it (or with `--destructive`):
/// a payload stored there would otherwise change someone's data.
pub(super) fn may_inject(ctx: &ScanContext, target: &Target<'_>, meta: &'static CheckMeta) -> bool {
    let write = matches!(target.op.method.as_str(), "PUT" | "PATCH" | "DELETE");
    if write && !target.created_by_nat && ctx.safety != crate::request::Safety::Destructive {
        ctx.skipped(target, meta, NOT_OURS);
        return false;
    }
    true
}

/// True for a schema that leaves a string free: no `enum` or `const` (a validator refuses anything
/// else, so a payload there never reaches the operation's work).
fn free(schema: Option<&Schema>) -> bool {
    schema.is_none_or(|s| s.get("enum").is_none() && s.get("const").is_none())
}

/// The probe slots holding a free string in the baseline: parameters and body fields a payload can
/// replace as text.
pub(super) fn string_slots<'a>(target: &Target<'a>) -> Vec<(Slot, Option<&'a Schema>)> {
    target
        .probe_slots()
        .into_iter()
        .filter(|(slot, schema)| {
            matches!(target.values.get(slot), Some(Value::String(_))) && free(*schema)
        })
        .collect()
}

/// Sends the baseline request with `value` in `slot`, as the user.
pub(super) async fn send(
    ctx: &ScanContext,
    target: &Target<'_>,
    slot: &Slot,
    value: &str,
) -> Exchange {
    let req = target
        .values
        .with(slot, Value::String(value.to_string()))
        .render(target.op);
    ctx.send(&Who::User, &req).await
}

/// The answer's body as text; empty when there was no answer.
pub(super) fn body(ex: &Exchange) -> String {
    ex.response
        .as_ref()
        .map(|r| r.text().into_owned())
        .unwrap_or_default()
}

/// Eight random lowercase letters and digits, starting with a letter: a marker no answer holds by
/// chance.
pub(super) fn token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let first = char::from(ALPHABET[rng.random_range(0..26)]);
    std::iter::once(first)
        .chain((0..7).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_markers() {
        let (a, b) = (token(), token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 8);
        assert!(a.starts_with(|c: char| c.is_ascii_lowercase()));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
