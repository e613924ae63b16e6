//! `$ref` resolution over a set of documents: the root, files next to it (relative refs resolve against
//! the referring document's own location) and, for URL origins, documents fetched beforehand.
//!
//! Nodes are addressed as (document, JSON pointer), so no part of a document is copied to walk it.
//! Documents are [`Schema`] trees themselves, so inlining shares every subtree that holds no `$ref` as
//! parsed and builds new nodes only on the paths down to references. Inlined schemas are memoised per
//! target: each distinct schema is built once and every further use is a reference-count bump. Cycles are cut with
//! `{"x-nat-circular": "<ref>"}`, nesting is bounded, and each inlined schema counts the nodes it would
//! have written out in full, so a use that would exceed [`MAX_SCHEMA_NODES`] is cut: serialising or
//! copying any schema out stays bounded however the shared trees nest.

use super::parse::parse_document_noting;
use super::schema::{Schema, SchemaMap, SchemaNode};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use url::Url;

/// Index of a loaded document.
pub(crate) type DocId = usize;

/// At most this many `$ref`s are inlined inside one another; deeper ones become
/// `{"x-nat-depth-limit": "<ref>"}`.
pub(crate) const MAX_REF_DEPTH: usize = 32;
/// At most this many JSON levels in one inlined schema (keeps the recursion well inside the stack).
const MAX_JSON_DEPTH: usize = 256;
/// At most this many JSON nodes in one inlined schema: descriptions such as DocuSign's share deep,
/// wide definitions whose full expansion is hundreds of kilobytes per use. A `$ref` whose expansion
/// does not fit in what is left becomes `{"x-nat-truncated": "<ref>", "type": …}`.
pub(crate) const MAX_SCHEMA_NODES: usize = 5_000;
/// A chain `$ref` → `$ref` → … longer than this is treated as a cycle.
const MAX_REF_CHAIN: usize = 32;
/// External files larger than this are not read.
pub(crate) const MAX_DOC_BYTES: u64 = 64 * 1024 * 1024;

/// Where relative references of a document point to.
#[derive(Clone, Debug)]
pub(crate) enum Base {
    /// A local file: relative refs are files next to it.
    File(PathBuf),
    /// A URL: relative refs are joined to it and must have been fetched beforehand.
    Url(Url),
    /// No external references allowed (content handed over by an untrusted party).
    Isolated,
}

impl Base {
    /// The base for a description named `origin`.
    pub(crate) fn for_origin(origin: &str, external: bool) -> Base {
        if !external {
            return Base::Isolated;
        }
        match Url::parse(origin) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Base::Url(u),
            _ => Base::File(PathBuf::from(origin)),
        }
    }
}

struct Doc {
    name: String,
    base: Base,
    value: Schema,
}

/// The documents of one description and the memo of inlined schemas.
pub(crate) struct Resolver {
    docs: Vec<Doc>,
    by_key: HashMap<String, DocId>,
    failed: HashMap<String, String>,
    /// Parsed documents fetched before the build (URL origins), by URL without fragment.
    prefetched: HashMap<String, Schema>,
    /// Inlined schemas by target, with their node counts when written out in full.
    memo: HashMap<(DocId, String), (Schema, usize)>,
    /// Node budget left in each schema being inlined (innermost last).
    budgets: Vec<usize>,
    truncated: usize,
    truncated_example: Option<String>,
    in_progress: Vec<(DocId, String)>,
    in_progress_set: HashSet<(DocId, String)>,
    warnings: Vec<String>,
    warned: HashSet<String>,
}

impl Resolver {
    /// A resolver whose document 0 is `root`.
    pub(crate) fn new(
        root: Schema,
        origin: &str,
        base: Base,
        prefetched: HashMap<String, Schema>,
    ) -> Self {
        let mut by_key = HashMap::new();
        by_key.insert(doc_key(&base, origin), 0);
        Resolver {
            docs: vec![Doc {
                name: origin.to_string(),
                base,
                value: root,
            }],
            by_key,
            failed: HashMap::new(),
            prefetched,
            memo: HashMap::new(),
            budgets: Vec::new(),
            truncated: 0,
            truncated_example: None,
            in_progress: Vec::new(),
            in_progress_set: HashSet::new(),
            warnings: Vec::new(),
            warned: HashSet::new(),
        }
    }

    /// The document's value (cheap handle).
    pub(crate) fn doc(&self, id: DocId) -> Schema {
        self.docs[id].value.clone()
    }

    /// How messages name a place: `#/pointer` in the root, `file#/pointer` elsewhere.
    pub(crate) fn place(&self, doc: DocId, ptr: &str) -> String {
        if doc == 0 {
            if ptr.is_empty() {
                "/".into()
            } else {
                ptr.to_string()
            }
        } else {
            format!("{}#{}", self.docs[doc].name, ptr)
        }
    }

    /// Records a warning once.
    pub(crate) fn warn(&mut self, msg: String) {
        if self.warned.insert(msg.clone()) {
            self.warnings.push(msg);
        }
    }

    /// The warnings gathered so far.
    pub(crate) fn take_warnings(&mut self) -> Vec<String> {
        if self.truncated > 0 {
            let msg = format!(
                "{} nested schema use(s) larger than {MAX_SCHEMA_NODES} JSON nodes were cut to \
                 {{\"x-nat-truncated\": \"<ref>\"}} (e.g. `{}`)",
                self.truncated,
                self.truncated_example.as_deref().unwrap_or("")
            );
            self.truncated = 0;
            self.warn(msg);
        }
        std::mem::take(&mut self.warnings)
    }

    /// Finds the (document, pointer) a `$ref` written in document `from` points to. The target need not
    /// exist; callers look it up.
    pub(crate) fn locate(
        &mut self,
        from: DocId,
        reference: &str,
    ) -> Result<(DocId, String), String> {
        let (doc_part, fragment) = match reference.split_once('#') {
            Some((d, f)) => (d, f),
            None => (reference, ""),
        };
        let pointer = percent_decode(fragment);
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(format!(
                "`{reference}`: only JSON-pointer fragments (`#/…`) are supported"
            ));
        }
        if doc_part.is_empty() {
            return Ok((from, pointer));
        }
        let doc = self.load(from, doc_part)?;
        Ok((doc, pointer))
    }

    fn load(&mut self, from: DocId, doc_part: &str) -> Result<DocId, String> {
        let (key, base) = match &self.docs[from].base {
            Base::Isolated => {
                return Err(format!(
                    "`{doc_part}`: references to other documents are not allowed here"
                ))
            }
            Base::Url(u) => {
                let mut target = u
                    .join(doc_part)
                    .map_err(|e| format!("`{doc_part}`: bad URL: {e}"))?;
                if !matches!(target.scheme(), "http" | "https") {
                    return Err(format!(
                        "`{doc_part}`: a description fetched from a URL may only refer to http(s) documents"
                    ));
                }
                target.set_fragment(None);
                (target.to_string(), Base::Url(target))
            }
            Base::File(p) => {
                if let Ok(u) = Url::parse(doc_part) {
                    if u.scheme().len() > 1 {
                        return Err(format!(
                            "`{doc_part}`: remote documents referenced from a local file are not fetched"
                        ));
                    }
                }
                let dir = p.parent().unwrap_or(Path::new(""));
                let target = normalize(&dir.join(percent_decode(doc_part)));
                (target.display().to_string(), Base::File(target))
            }
        };
        if let Some(&id) = self.by_key.get(&key) {
            return Ok(id);
        }
        if let Some(reason) = self.failed.get(&key) {
            return Err(reason.clone());
        }
        let loaded = match &base {
            Base::File(path) => read_file(path, &key).map(|(value, notes)| {
                for note in notes {
                    self.warn(note);
                }
                value
            }),
            Base::Url(_) => self
                .prefetched
                .remove(&key)
                .ok_or_else(|| format!("`{key}` was not fetched")),
            Base::Isolated => Err(String::new()),
        };
        match loaded {
            Ok(value) => {
                let id = self.docs.len();
                self.docs.push(Doc {
                    name: key.clone(),
                    base,
                    value,
                });
                self.by_key.insert(key, id);
                Ok(id)
            }
            Err(reason) => {
                self.failed.insert(key, reason.clone());
                Err(reason)
            }
        }
    }

    /// Follows a chain of `$ref`s from the node at (doc, ptr) to a node that is not a reference.
    pub(crate) fn follow(&mut self, doc: DocId, ptr: &str) -> Result<(DocId, String), String> {
        let (mut doc, mut ptr) = (doc, ptr.to_string());
        for _ in 0..MAX_REF_CHAIN {
            let d = self.doc(doc);
            let Some(node) = d.pointer(&ptr) else {
                return Err(format!("{} does not exist", self.place(doc, &ptr)));
            };
            match node.get("$ref").and_then(Schema::as_str) {
                Some(r) => {
                    let r = r.to_string();
                    let (nd, np) = self
                        .locate(doc, &r)
                        .map_err(|e| format!("$ref `{r}`: {e}"))?;
                    if self.doc(nd).pointer(&np).is_none() {
                        return Err(format!("$ref `{r}` points at nothing"));
                    }
                    doc = nd;
                    ptr = np;
                }
                None => return Ok((doc, ptr)),
            }
        }
        Err(format!(
            "more than {MAX_REF_CHAIN} chained $refs from {}",
            self.place(doc, &ptr)
        ))
    }

    /// The schema at (doc, ptr) with every `$ref` inlined.
    pub(crate) fn schema(&mut self, doc: DocId, ptr: &str) -> Option<Schema> {
        let d = self.doc(doc);
        let node = d.pointer(ptr)?;
        self.budgets.push(MAX_SCHEMA_NODES);
        let v = self.inline(doc, node, 0);
        self.budgets.pop();
        Some(v)
    }

    /// Charges `n` nodes to the schema being inlined; false when they do not fit.
    fn charge(&mut self, n: usize) -> bool {
        match self.budgets.last_mut() {
            Some(left) if *left >= n => {
                *left -= n;
                true
            }
            Some(left) => {
                *left = 0;
                false
            }
            None => true,
        }
    }

    /// Inlines the refs of a schema-ish value found in document `doc`. A subtree without references
    /// comes back as the very node given (shared, not copied).
    pub(crate) fn inline(&mut self, doc: DocId, v: &Schema, depth: usize) -> Schema {
        self.charge(1);
        if depth > MAX_JSON_DEPTH {
            return marker("x-nat-depth-limit", "json nesting");
        }
        match v.node() {
            SchemaNode::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Schema::as_str) {
                    let target = self.inline_ref(doc, r, depth);
                    if m.len() == 1 {
                        return target;
                    }
                    // `$ref` with siblings (OpenAPI 3.1, and common in 3.0 practice): the siblings refine
                    // the target. Only the target's top level is copied; its members stay shared.
                    let mut out = match target.node() {
                        SchemaNode::Object(t) => t.clone(),
                        _ => return target,
                    };
                    for (k, v) in m {
                        if k != "$ref" {
                            let v = self.inline_member(doc, k, v, depth);
                            out.insert(k.clone(), v);
                        }
                    }
                    return Schema::object(out);
                }
                let mut out: Option<SchemaMap> = None;
                for (k, member) in m {
                    let new = self.inline_member(doc, k, member, depth);
                    if !new.ptr_eq(member) {
                        out.get_or_insert_with(|| m.clone()).insert(k.clone(), new);
                    }
                }
                out.map_or_else(|| v.clone(), Schema::object)
            }
            SchemaNode::Array(a) => {
                let mut out: Option<Vec<Schema>> = None;
                for (i, item) in a.iter().enumerate() {
                    let new = self.inline(doc, item, depth + 1);
                    if !new.ptr_eq(item) {
                        out.get_or_insert_with(|| a.to_vec())[i] = new;
                    }
                }
                out.map_or_else(|| v.clone(), Schema::array)
            }
            _ => v.clone(),
        }
    }

    fn inline_member(&mut self, doc: DocId, key: &str, v: &Schema, depth: usize) -> Schema {
        match key {
            // Literal data: never references.
            "example" | "examples" | "enum" | "const" | "default" => v.clone(),
            k if k.starts_with("x-") => v.clone(),
            // Maps from names to schemas: the names are data, the values schemas.
            "properties" | "patternProperties" | "definitions" | "$defs" | "dependentSchemas" => {
                match v.node() {
                    SchemaNode::Object(m) => {
                        let mut out: Option<SchemaMap> = None;
                        for (name, s) in m {
                            let new = self.inline(doc, s, depth + 2);
                            if !new.ptr_eq(s) {
                                out.get_or_insert_with(|| m.clone())
                                    .insert(name.clone(), new);
                            }
                        }
                        out.map_or_else(|| v.clone(), Schema::object)
                    }
                    _ => self.inline(doc, v, depth + 1),
                }
            }
            _ => self.inline(doc, v, depth + 1),
        }
    }

    fn inline_ref(&mut self, from: DocId, r: &str, depth: usize) -> Schema {
        let (doc, ptr) = match self.locate(from, r) {
            Ok(t) => t,
            Err(e) => {
                self.warn(format!(
                    "{}: unresolved $ref `{r}`: {e}",
                    self.docs[from].name
                ));
                return marker("x-nat-unresolved", r);
            }
        };
        let key = (doc, ptr);
        if let Some((v, n)) = self.memo.get(&key) {
            let (v, n) = (v.clone(), *n);
            return self.use_memo(r, v, n);
        }
        if self.in_progress_set.contains(&key) {
            return marker("x-nat-circular", r);
        }
        if self.in_progress.len() >= MAX_REF_DEPTH {
            return marker("x-nat-depth-limit", r);
        }
        let d = self.doc(doc);
        let Some(target) = d.pointer(&key.1) else {
            let place = self.place(key.0, &key.1);
            self.warn(format!(
                "{}: unresolved $ref `{r}`: {place} does not exist",
                self.docs[from].name
            ));
            return marker("x-nat-unresolved", r);
        };
        self.in_progress.push(key.clone());
        self.in_progress_set.insert(key.clone());
        self.budgets.push(MAX_SCHEMA_NODES);
        let value = self.inline(doc, target, depth + 1);
        let left = self.budgets.pop().unwrap_or(0);
        self.in_progress.pop();
        self.in_progress_set.remove(&key);
        let nodes = MAX_SCHEMA_NODES - left;
        self.memo.insert(key, (value.clone(), nodes));
        self.use_memo(r, value, nodes)
    }

    /// A memoised expansion (shared, not copied), or a truncation marker when its full size does not
    /// fit the budget.
    fn use_memo(&mut self, r: &str, v: Schema, nodes: usize) -> Schema {
        if self.charge(nodes) {
            return v;
        }
        self.truncated += 1;
        if self.truncated_example.is_none() {
            self.truncated_example = Some(r.to_string());
        }
        let mut m = SchemaMap::new();
        m.insert("x-nat-truncated".into(), Schema::string(r));
        if let Some(t) = v.get("type") {
            m.insert("type".into(), t.clone());
        }
        Schema::object(m)
    }
}

/// `{"<key>": "<reference>"}`: where inlining stopped.
fn marker(key: &str, reference: &str) -> Schema {
    let mut m = SchemaMap::new();
    m.insert(key.to_string(), Schema::string(reference));
    Schema::object(m)
}

fn doc_key(base: &Base, origin: &str) -> String {
    match base {
        Base::File(p) => normalize(p).display().to_string(),
        Base::Url(u) => {
            let mut u = u.clone();
            u.set_fragment(None);
            u.to_string()
        }
        Base::Isolated => origin.to_string(),
    }
}

/// A referenced file's document and its parse notes (repeated keys, JSON read as YAML).
fn read_file(path: &Path, key: &str) -> Result<(Schema, Vec<String>), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{key}`: {e}"))?;
    if !meta.is_file() {
        // A directory, FIFO or device (`/dev/zero`) would fail or never end.
        return Err(format!("`{key}` is not a regular file"));
    }
    if meta.len() > MAX_DOC_BYTES {
        return Err(format!("`{key}` is larger than 64 MiB"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{key}`: {e}"))?;
    parse_document_noting(&bytes, key).map_err(|e| e.to_string())
}

/// Lexical normalisation (`a/./b/../c` → `a/c`) so one file has one key whether or not it exists.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Decodes `%XX` escapes; invalid escapes stay as written.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(n) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends one JSON-pointer token, escaped (`~` → `~0`, `/` → `~1`).
fn push_escaped(out: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// `ptr` + `/token`.
pub(crate) fn child(ptr: &str, token: &str) -> String {
    let mut out = String::with_capacity(ptr.len() + token.len() + 8);
    out.push_str(ptr);
    out.push('/');
    push_escaped(&mut out, token);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::{json, Map, Value};

    fn resolver(v: Value) -> Resolver {
        Resolver::new(Schema::from(v), "mem.json", Base::Isolated, HashMap::new())
    }

    #[test]
    fn pointer_escaping_and_percent_encoding() {
        let mut r = resolver(json!({
            "components": {"schemas": {"a/b": {"type": "string"}, "c~d": {"type": "integer"}, "e f": {"type": "boolean"}}},
            "s": {"properties": {
                "x": {"$ref": "#/components/schemas/a~1b"},
                "y": {"$ref": "#/components/schemas/c~0d"},
                "z": {"$ref": "#/components/schemas/e%20f"}
            }}
        }));
        let s = r.schema(0, "/s").unwrap().to_value();
        assert_eq!(s["properties"]["x"]["type"], "string");
        assert_eq!(s["properties"]["y"]["type"], "integer");
        assert_eq!(s["properties"]["z"]["type"], "boolean");
        assert!(r.take_warnings().is_empty());
    }

    #[test]
    fn cycles_are_cut_and_dangling_refs_marked() {
        let mut r = resolver(json!({
            "d": {
                "Node": {"type": "object", "properties": {"next": {"$ref": "#/d/Node"}, "bad": {"$ref": "#/d/Nope"}}},
                "A": {"properties": {"b": {"$ref": "#/d/B"}}},
                "B": {"properties": {"a": {"$ref": "#/d/A"}}}
            }
        }));
        let n = r.schema(0, "/d/Node").unwrap().to_value();
        assert_eq!(
            n["properties"]["next"]["properties"]["next"]["x-nat-circular"],
            "#/d/Node"
        );
        assert_eq!(n["properties"]["bad"]["x-nat-unresolved"], "#/d/Nope");
        let a = r.schema(0, "/d/A").unwrap().to_value();
        assert!(a.to_string().contains("x-nat-circular"));
        assert_eq!(r.take_warnings().len(), 1);
    }

    #[test]
    fn examples_and_extensions_are_not_resolved() {
        let mut r = resolver(json!({
            "s": {"example": {"$ref": "#/nope"}, "x-ms-examples": {"$ref": "./missing.json"},
                  "properties": {"example": {"type": "string"}}}
        }));
        let s = r.schema(0, "/s").unwrap().to_value();
        assert_eq!(s["example"]["$ref"], "#/nope");
        assert_eq!(s["properties"]["example"]["type"], "string");
        assert!(r.take_warnings().is_empty());
    }

    #[test]
    fn ref_siblings_refine_the_target() {
        let mut r = resolver(json!({
            "T": {"type": "string"},
            "s": {"$ref": "#/T", "description": "d", "nullable": true}
        }));
        assert_eq!(
            r.schema(0, "/s").unwrap().to_value(),
            json!({"type": "string", "description": "d", "nullable": true})
        );
    }

    #[test]
    fn deep_chains_are_bounded() {
        let mut defs = Map::new();
        for i in 0..200 {
            defs.insert(
                format!("S{i}"),
                json!({"items": {"$ref": format!("#/d/S{}", i + 1)}}),
            );
        }
        let mut r = resolver(json!({ "d": defs }));
        let s = r.schema(0, "/d/S0").unwrap().to_value();
        assert!(s.to_string().contains("x-nat-depth-limit"));
    }

    #[test]
    fn follow_detects_ref_loops_and_isolation() {
        let mut r = resolver(
            json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "other.yaml"}}),
        );
        assert!(r.follow(0, "/a").is_err());
        assert!(r.follow(0, "/c").unwrap_err().contains("not allowed"));
    }

    #[test]
    fn percent_decode_handles_bad_escapes() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(child("/paths", "/a~b/{c}"), "/paths/~1a~0b~1{c}");
    }
}
