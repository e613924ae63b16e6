//! [`Schema`]: a resolved JSON Schema held as an immutable tree whose subtrees are shared.
//!
//! Resolving a description inlines every `$ref`; with `serde_json::Value` each use of a component schema
//! would be a deep copy (DocuSign's 2 MB description became hundreds of MB of copies). Here a component
//! schema is built once and every use holds it by reference count, so loading costs one pass over the
//! document and memory stays a small multiple of it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Number, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

/// The members of an object node, by name (sorted, like `serde_json::Map`).
pub type SchemaMap = BTreeMap<String, Schema>;

/// A JSON Schema with every `$ref` resolved. Read it like a `serde_json::Value` (`get`, `as_str`,
/// `as_object`, indexing), or copy it out with [`Schema::to_value`]. Cloning is a reference-count bump.
#[derive(Clone)]
pub struct Schema(Arc<SchemaNode>);

/// One node of a [`Schema`]: the JSON data model, with shared children.
#[derive(Debug, PartialEq)]
pub enum SchemaNode {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Schema>),
    Object(SchemaMap),
}

static NULL: LazyLock<Schema> = LazyLock::new(|| Schema::new(SchemaNode::Null));

impl Schema {
    /// Wraps a node.
    pub fn new(node: SchemaNode) -> Schema {
        Schema(Arc::new(node))
    }

    /// The node, for matching on its kind.
    pub fn node(&self) -> &SchemaNode {
        &self.0
    }

    /// The member `key` of an object node.
    pub fn get(&self, key: &str) -> Option<&Schema> {
        self.as_object()?.get(key)
    }

    pub fn as_object(&self) -> Option<&SchemaMap> {
        match &*self.0 {
            SchemaNode::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Schema]> {
        match &*self.0 {
            SchemaNode::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &*self.0 {
            SchemaNode::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &*self.0 {
            SchemaNode::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &*self.0 {
            SchemaNode::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &*self.0 {
            SchemaNode::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match &*self.0 {
            SchemaNode::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&*self.0, SchemaNode::Null)
    }

    /// True when both are the same shared node (a cheap identity test; equality is `==`).
    pub fn ptr_eq(&self, other: &Schema) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// A deep copy as a `serde_json::Value`. Shared subtrees are copied once per use, so this is as
    /// large as the inlined schema (bounded by the loader's per-schema node cap).
    pub fn to_value(&self) -> Value {
        match &*self.0 {
            SchemaNode::Null => Value::Null,
            SchemaNode::Bool(b) => Value::Bool(*b),
            SchemaNode::Number(n) => Value::Number(n.clone()),
            SchemaNode::String(s) => Value::String(s.clone()),
            SchemaNode::Array(a) => Value::Array(a.iter().map(Schema::to_value).collect()),
            SchemaNode::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
        }
    }
}

impl From<&Value> for Schema {
    fn from(v: &Value) -> Schema {
        Schema::new(match v {
            Value::Null => SchemaNode::Null,
            Value::Bool(b) => SchemaNode::Bool(*b),
            Value::Number(n) => SchemaNode::Number(n.clone()),
            Value::String(s) => SchemaNode::String(s.clone()),
            Value::Array(a) => SchemaNode::Array(a.iter().map(Schema::from).collect()),
            Value::Object(m) => SchemaNode::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), Schema::from(v)))
                    .collect(),
            ),
        })
    }
}

impl From<Value> for Schema {
    fn from(v: Value) -> Schema {
        Schema::new(match v {
            Value::Null => SchemaNode::Null,
            Value::Bool(b) => SchemaNode::Bool(b),
            Value::Number(n) => SchemaNode::Number(n),
            Value::String(s) => SchemaNode::String(s),
            Value::Array(a) => SchemaNode::Array(a.into_iter().map(Schema::from).collect()),
            Value::Object(m) => {
                SchemaNode::Object(m.into_iter().map(|(k, v)| (k, Schema::from(v))).collect())
            }
        })
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Schema) -> bool {
        self.ptr_eq(other) || self.0 == other.0
    }
}

impl PartialEq<Value> for Schema {
    fn eq(&self, other: &Value) -> bool {
        match (&*self.0, other) {
            (SchemaNode::Null, Value::Null) => true,
            (SchemaNode::Bool(a), Value::Bool(b)) => a == b,
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
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &*self.0 {
            SchemaNode::Null => s.serialize_unit(),
            SchemaNode::Bool(b) => s.serialize_bool(*b),
            SchemaNode::Number(n) => n.serialize(s),
            SchemaNode::String(v) => s.serialize_str(v),
            SchemaNode::Array(a) => s.collect_seq(a),
            SchemaNode::Object(m) => s.collect_map(m),
        }
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Schema, D::Error> {
        Value::deserialize(d).map(Schema::from)
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
        assert_ne!(Schema::from(json!({"a": 1})), json!({"a": 2}));
    }

    #[test]
    fn clones_share_the_tree() {
        let s = Schema::from(json!({"a": {"b": 1}}));
        let t = s.clone();
        assert!(s.ptr_eq(&t));
        assert!(s["a"].ptr_eq(&t["a"]));
    }
}
