//! [`Schema`]: a resolved JSON Schema held as an immutable tree whose subtrees are shared.
//!
//! Resolving a description inlines every `$ref`; with `serde_json::Value` each use of a component schema
//! would be a deep copy (DocuSign's 2 MB description became hundreds of MB of copies). Here a component
//! schema is built once and every use holds it by reference count, so loading costs one pass over the
//! document and memory stays a small multiple of it.

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The members of an object node, by name (sorted, like `serde_json::Map`).
pub type SchemaMap = BTreeMap<String, Schema>;

/// A JSON Schema with every `$ref` resolved. Read it like a `serde_json::Value` (`get`, `as_str`,
/// `as_object`, indexing, [`Schema::node`] to match on its kind), or copy it out with
/// [`Schema::to_value`]. Cloning is at most a reference-count bump: scalars are held inline, strings,
/// arrays and objects behind an `Arc`.
#[derive(Clone)]
pub struct Schema(Repr);

#[derive(Clone)]
enum Repr {
    Null,
    Bool(bool),
    Number(Number),
    String(Arc<str>),
    Array(Arc<Vec<Schema>>),
    Object(Arc<SchemaMap>),
}

/// A borrowed view of one [`Schema`] node, for matching on its kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SchemaNode<'a> {
    Null,
    Bool(bool),
    Number(&'a Number),
    String(&'a str),
    Array(&'a [Schema]),
    Object(&'a SchemaMap),
}

static NULL: Schema = Schema(Repr::Null);

impl Schema {
    pub fn null() -> Schema {
        Schema(Repr::Null)
    }

    pub fn boolean(b: bool) -> Schema {
        Schema(Repr::Bool(b))
    }

    pub fn number(n: Number) -> Schema {
        Schema(Repr::Number(n))
    }

    pub fn string(s: &str) -> Schema {
        Schema(Repr::String(Arc::from(s)))
    }

    pub fn array(items: Vec<Schema>) -> Schema {
        Schema(Repr::Array(Arc::new(items)))
    }

    pub fn object(members: SchemaMap) -> Schema {
        Schema(Repr::Object(Arc::new(members)))
    }

    /// The node, for matching on its kind.
    pub fn node(&self) -> SchemaNode<'_> {
        match &self.0 {
            Repr::Null => SchemaNode::Null,
            Repr::Bool(b) => SchemaNode::Bool(*b),
            Repr::Number(n) => SchemaNode::Number(n),
            Repr::String(s) => SchemaNode::String(s),
            Repr::Array(a) => SchemaNode::Array(a),
            Repr::Object(m) => SchemaNode::Object(m),
        }
    }

    /// The node a JSON pointer (`/a/0/b~1c`) names, as `Value::pointer` finds it.
    pub fn pointer(&self, pointer: &str) -> Option<&Schema> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut at = self;
        for token in rest.split('/') {
            let token = unescape(token);
            at = match &at.0 {
                Repr::Object(m) => m.get(token.as_ref())?,
                Repr::Array(a) => a.get(array_index(&token)?)?,
                _ => return None,
            };
        }
        Some(at)
    }

    /// The member `key` of an object node.
    pub fn get(&self, key: &str) -> Option<&Schema> {
        self.as_object()?.get(key)
    }

    pub fn as_object(&self) -> Option<&SchemaMap> {
        match &self.0 {
            Repr::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Schema]> {
        match &self.0 {
            Repr::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.0 {
            Repr::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.0 {
            Repr::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.0 {
            Repr::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.0, Repr::Null)
    }

    /// True when both are the same node: one shared string, array or object, or equal scalars (a cheap
    /// identity test; structural equality is `==`).
    pub fn ptr_eq(&self, other: &Schema) -> bool {
        match (&self.0, &other.0) {
            (Repr::Null, Repr::Null) => true,
            (Repr::Bool(a), Repr::Bool(b)) => a == b,
            (Repr::Number(a), Repr::Number(b)) => a == b,
            (Repr::String(a), Repr::String(b)) => Arc::ptr_eq(a, b),
            (Repr::Array(a), Repr::Array(b)) => Arc::ptr_eq(a, b),
            (Repr::Object(a), Repr::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// A deep copy as a `serde_json::Value`. Shared subtrees are copied once per use, so this is as
    /// large as the inlined schema (bounded by the loader's per-schema node cap).
    pub fn to_value(&self) -> Value {
        match self.node() {
            SchemaNode::Null => Value::Null,
            SchemaNode::Bool(b) => Value::Bool(b),
            SchemaNode::Number(n) => Value::Number(n.clone()),
            SchemaNode::String(s) => Value::String(s.to_string()),
            SchemaNode::Array(a) => Value::Array(a.iter().map(Schema::to_value).collect()),
            SchemaNode::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
        }
    }
}

/// `~1` → `/`, `~0` → `~` in one pass (as `replace("~1", "/").replace("~0", "~")` would), copying only
/// tokens that hold a `~`: path keys (`/users/{id}` → `~1users~1{id}`) are looked up on every walk.
fn unescape(token: &str) -> Cow<'_, str> {
    if !token.contains('~') {
        return Cow::Borrowed(token);
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('~', Some('1')) => {
                out.push('/');
                chars.next();
            }
            ('~', Some('0')) => {
                out.push('~');
                chars.next();
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A pointer token as an array index: digits only, no leading zero (as `Value::pointer` reads it).
fn array_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.starts_with('0'))
    {
        return None;
    }
    token.parse().ok()
}

impl From<&Value> for Schema {
    fn from(v: &Value) -> Schema {
        match v {
            Value::Null => Schema::null(),
            Value::Bool(b) => Schema::boolean(*b),
            Value::Number(n) => Schema::number(n.clone()),
            Value::String(s) => Schema::string(s),
            Value::Array(a) => Schema::array(a.iter().map(Schema::from).collect()),
            Value::Object(m) => Schema::object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Schema::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for Schema {
    fn from(v: Value) -> Schema {
        match v {
            Value::Null => Schema::null(),
            Value::Bool(b) => Schema::boolean(b),
            Value::Number(n) => Schema::number(n),
            Value::String(s) => Schema::string(&s),
            Value::Array(a) => Schema::array(a.into_iter().map(Schema::from).collect()),
            Value::Object(m) => {
                Schema::object(m.into_iter().map(|(k, v)| (k, Schema::from(v))).collect())
            }
        }
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.ptr_eq(other) || self.node() == other.node()
    }
}

impl PartialEq<Value> for Schema {
    fn eq(&self, other: &Value) -> bool {
        match (self.node(), other) {
            (SchemaNode::Null, Value::Null) => true,
            (SchemaNode::Bool(a), Value::Bool(b)) => a == *b,
            (SchemaNode::Number(a), Value::Number(b)) => a == b,
            (SchemaNode::String(a), Value::String(b)) => a == b,
            (SchemaNode::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (SchemaNode::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Schema> for Value {
    fn eq(&self, other: &Schema) -> bool {
        other == self
    }
}

impl PartialEq<str> for Schema {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Schema {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

macro_rules! eq_via {
    ($($t:ty => |$s:ident, $o:ident| $e:expr),* $(,)?) => {$(
        impl PartialEq<$t> for Schema {
            fn eq(&self, other: &$t) -> bool {
                let ($s, $o) = (self, *other);
                $e
            }
        }
    )*};
}
eq_via! {
    bool => |s, o| s.as_bool() == Some(o),
    i32 => |s, o| s.as_i64() == Some(i64::from(o)),
    i64 => |s, o| s.as_i64() == Some(o),
    u64 => |s, o| s.as_u64() == Some(o),
    f64 => |s, o| s.as_f64() == Some(o),
}

/// `schema["properties"]["id"]`: a missing member (or a non-object) indexes to `null`, as with `Value`.
impl std::ops::Index<&str> for Schema {
    type Output = Schema;
    fn index(&self, key: &str) -> &Schema {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `schema["allOf"][0]`: an index past the end (or a non-array) gives `null`.
impl std::ops::Index<usize> for Schema {
    type Output = Schema;
    fn index(&self, i: usize) -> &Schema {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.node(), f)
    }
}

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.node() {
            SchemaNode::Null => s.serialize_unit(),
            SchemaNode::Bool(b) => s.serialize_bool(b),
            SchemaNode::Number(n) => n.serialize(s),
            SchemaNode::String(v) => s.serialize_str(v),
            SchemaNode::Array(a) => s.collect_seq(a),
            SchemaNode::Object(m) => s.collect_map(m),
        }
    }
}

/// Straight from the parser into the shared tree (no intermediate `Value`): the loader parses whole
/// documents this way, so a subtree without `$ref`s is used as parsed, never copied.
impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Schema, D::Error> {
        d.deserialize_any(SchemaVisitor)
    }
}

struct SchemaVisitor;

thread_local! {
    /// Set when a mapping read on this thread had a key twice (the last value was kept).
    static DUPLICATE_SEEN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a key was repeated in a mapping deserialized on this thread since the last call; resets.
pub(crate) fn take_duplicate_seen() -> bool {
    DUPLICATE_SEEN.with(|seen| seen.replace(false))
}

impl<'de> Visitor<'de> for SchemaVisitor {
    type Value = Schema;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Schema, E> {
        Ok(Schema::boolean(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Schema, E> {
        Ok(Schema::number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Schema, E> {
        Ok(Schema::number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Schema, E> {
        Ok(Number::from_f64(n).map_or_else(Schema::null, Schema::number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Schema, E> {
        Ok(Schema::string(v))
    }

    fn visit_unit<E>(self) -> Result<Schema, E> {
        Ok(Schema::null())
    }

    fn visit_none<E>(self) -> Result<Schema, E> {
        Ok(Schema::null())
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Schema, D::Error> {
        Schema::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Schema, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Schema::array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Schema, A::Error> {
        let mut out = SchemaMap::new();
        while let Some((k, v)) = map.next_entry::<String, Schema>()? {
            if out.insert(k, v).is_some() {
                DUPLICATE_SEEN.with(|seen| seen.set(true));
            }
        }
        Ok(Schema::object(out))
    }
}

/// Compact JSON text, like `Value`'s `Display`.
impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Cannot fail: keys are strings and numbers finite. Never an `Err`, which would make
        // `to_string()` panic.
        match serde_json::to_string(self) {
            Ok(text) => f.write_str(&text),
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_like_a_value_and_round_trips() {
        let v = json!({"type": "object", "properties": {"n": {"type": ["integer", "null"], "minimum": 1.5}},
                       "enum": [1, "a", null, true]});
        let s = Schema::from(&v);
        assert_eq!(s["properties"]["n"]["minimum"].as_f64(), Some(1.5));
        assert_eq!(s["type"].as_str(), Some("object"));
        assert!(s["nope"]["deeper"].is_null());
        assert_eq!(
            s.get("enum").and_then(Schema::as_array).map(<[_]>::len),
            Some(4)
        );
        assert_eq!(s, v);
        assert_eq!(s.to_value(), v);
        assert_eq!(serde_json::to_value(&s).unwrap(), v);
        let back: Schema = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back, s);
        let parsed: Schema = serde_json::from_str(&v.to_string()).unwrap();
        assert_eq!(parsed, v);
        assert_eq!(parsed.to_string(), v.to_string());
        assert_ne!(Schema::from(json!({"a": 1})), json!({"a": 2}));
    }

    #[test]
    fn pointers_match_value_pointer() {
        let v = json!({"a": [{"b/c": {"d~e": 1}}, 2], "": {"x": true}, "01": 3, "~1": 4, "~/": 5});
        let s = Schema::from(&v);
        for p in [
            "",
            "/a",
            "/a/0",
            "/a/1",
            "/a/2",
            "/a/01",
            "/a/-",
            "/a/+1",
            "/a/0/b~1c",
            "/a/0/b~1c/d~0e",
            "/",
            "//x",
            "/01",
            "/nope",
            "a",
            "/a/0/b~1c/d~0e/f",
            "/~01",
            "/~~1",
        ] {
            assert_eq!(
                s.pointer(p).map(Schema::to_value).as_ref(),
                v.pointer(p),
                "{p}"
            );
        }
    }

    #[test]
    fn clones_share_the_tree() {
        let s = Schema::from(json!({"a": {"b": 1}}));
        let t = s.clone();
        assert!(s.ptr_eq(&t));
        assert!(s["a"].ptr_eq(&t["a"]));
    }
}
