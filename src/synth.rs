//! Values from schemas: valid ones (examples, enums, formats, bounds) and hostile ones (wrong types,
//! boundary values, oversized strings), and the requests built from them.

use crate::http::{Body, RequestSpec};
use crate::spec::{Operation, ParamLocation, Schema};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

/// Deepest nesting of objects/arrays nat synthesises.
const MAX_DEPTH: usize = 6;

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Longest string nat makes to meet a `minLength`.
const MAX_LEN: usize = 4096;
/// Extra repetitions `*`, `+` and `{n,}` may take in a string made from a `pattern`: values stay short.
const MAX_REPEAT: u32 = 8;
/// Strings drawn from a pattern before nat gives up on meeting its length bounds.
const PATTERN_TRIES: usize = 64;
/// Most items nat puts in an array to meet its `minItems`.
const MAX_ITEMS: u64 = 16;

/// A valid value for `schema`, preferring the description's own example when the schema admits it.
pub fn valid_value(schema: Option<&Schema>, example: Option<&Value>) -> Value {
    Synth::default().value(schema, example, "value").0
}

/// The first type a schema names (3.1 type arrays: the first non-null one).
pub fn schema_type(schema: &Schema) -> Option<&str> {
    let ty = schema.get("type");
    if let Some(t) = ty.and_then(Schema::as_str) {
        return Some(t);
    }
    match ty.and_then(Schema::as_array) {
        Some(ts) => ts.iter().filter_map(Schema::as_str).find(|t| *t != "null"),
        None => {
            if schema.get("properties").is_some() {
                Some("object")
            } else if schema.get("items").is_some() {
                Some("array")
            } else {
                None
            }
        }
    }
}

/// A schema seen through its `allOf` parts and the first viable `oneOf`/`anyOf` branch: a keyword is
/// looked up in each part in turn; `properties` and `required` are the union of the parts'.
struct View<'a> {
    parts: Vec<&'a Schema>,
}

impl<'a> View<'a> {
    fn of(s: &'a Schema) -> Self {
        let mut parts = Vec::new();
        collect_parts(s, &mut parts, 0);
        View { parts }
    }

    fn get(&self, key: &str) -> Option<&'a Schema> {
        self.parts.iter().find_map(|p| p.get(key))
    }

    fn str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Schema::as_str)
    }

    fn f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Schema::as_f64)
    }

    fn usize(&self, key: &str) -> Option<usize> {
        self.get(key)
            .and_then(Schema::as_u64)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn flag(&self, key: &str) -> bool {
        self.parts
            .iter()
            .any(|p| p.get(key).and_then(Schema::as_bool) == Some(true))
    }

    /// The first type the parts name or imply.
    fn ty(&self) -> Option<&'a str> {
        self.parts.iter().find_map(|p| schema_type(p))
    }

    /// Whether `null` is allowed: 3.0 `nullable`, or `null` among 3.1 types.
    fn nullable(&self) -> bool {
        self.flag("nullable")
            || self.parts.iter().any(|p| match p.get("type") {
                Some(t) if t.as_str() == Some("null") => true,
                Some(t) => t
                    .as_array()
                    .is_some_and(|ts| ts.iter().any(|t| t.as_str() == Some("null"))),
                None => false,
            })
    }

    /// Properties by name (the first part defining a name wins).
    fn properties(&self) -> std::collections::BTreeMap<&'a str, &'a Schema> {
        let mut out = std::collections::BTreeMap::new();
        for p in &self.parts {
            if let Some(props) = p.get("properties").and_then(Schema::as_object) {
                for (name, schema) in props {
                    out.entry(name.as_str()).or_insert(schema);
                }
            }
        }
        out
    }

    fn required(&self) -> std::collections::BTreeSet<&'a str> {
        self.parts
            .iter()
            .filter_map(|p| p.get("required").and_then(Schema::as_array))
            .flatten()
            .filter_map(Schema::as_str)
            .collect()
    }
}

fn collect_parts<'a>(s: &'a Schema, out: &mut Vec<&'a Schema>, depth: usize) {
    if depth > MAX_DEPTH || s.get("x-nat-circular").is_some() {
        return;
    }
    out.push(s);
    if let Some(parts) = s.get("allOf").and_then(Schema::as_array) {
        for p in parts {
            collect_parts(p, out, depth + 1);
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = s.get(key).and_then(Schema::as_array) {
            if let Some(b) = branches.iter().find(|b| viable(b)).or(branches.first()) {
                collect_parts(b, out, depth + 1);
            }
        }
    }
}

/// A `oneOf`/`anyOf` branch worth sending: not a cycle marker and not only `null`.
fn viable(b: &Schema) -> bool {
    if b.get("x-nat-circular").is_some() {
        return false;
    }
    let only_null = match b.get("type") {
        Some(t) if t.as_str() == Some("null") => true,
        Some(t) => t
            .as_array()
            .is_some_and(|ts| !ts.is_empty() && ts.iter().all(|t| t.as_str() == Some("null"))),
        None => b
            .get("enum")
            .and_then(Schema::as_array)
            .is_some_and(|vs| !vs.is_empty() && vs.iter().all(Schema::is_null)),
    };
    !only_null
}

/// Numeric bounds: (limit, exclusive), from `minimum`/`maximum` with the 3.0 boolean
/// `exclusiveMinimum`/`exclusiveMaximum` or the 3.1 numeric ones, whichever is tighter.
struct Bounds {
    lo: Option<(f64, bool)>,
    hi: Option<(f64, bool)>,
}

impl Bounds {
    fn of(view: &View<'_>) -> Self {
        let mut lo = view
            .f64("minimum")
            .map(|m| (m, view.flag("exclusiveMinimum")));
        if let Some(x) = view.f64("exclusiveMinimum") {
            if lo.is_none_or(|(m, _)| x >= m) {
                lo = Some((x, true));
            }
        }
        let mut hi = view
            .f64("maximum")
            .map(|m| (m, view.flag("exclusiveMaximum")));
        if let Some(x) = view.f64("exclusiveMaximum") {
            if hi.is_none_or(|(m, _)| x <= m) {
                hi = Some((x, true));
            }
        }
        Bounds { lo, hi }
    }

    fn admits(&self, x: f64) -> bool {
        let above = self
            .lo
            .is_none_or(|(m, excl)| if excl { x > m } else { x >= m });
        let below = self
            .hi
            .is_none_or(|(m, excl)| if excl { x < m } else { x <= m });
        above && below
    }
}

fn is_multiple(x: f64, step: Option<f64>) -> bool {
    step.is_none_or(|m| {
        let q = x / m;
        (q - q.round()).abs() < 1e-9
    })
}

/// What `value` admits, checked lightly (type, const/enum, length, pattern, bounds, required
/// properties): an example that fails is not sent.
fn conforms(v: &Value, view: &View<'_>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    if let Some(c) = view.get("const") {
        return c == v;
    }
    if let Some(vals) = view.get("enum").and_then(Schema::as_array) {
        if !vals.iter().any(|e| e == v) {
            return false;
        }
    }
    match (view.ty(), v) {
        (_, Value::Null) => view.nullable() || view.get("enum").is_some(),
        (Some("string") | None, Value::String(s)) => string_conforms(s, view),
        (Some("integer"), Value::Number(n)) => n
            .as_f64()
            .is_some_and(|x| x.fract() == 0.0 && number_conforms(x, view)),
        (Some("number"), Value::Number(n)) => n.as_f64().is_some_and(|x| number_conforms(x, view)),
        (Some("integer" | "number"), Value::String(s)) => {
            // A parameter example written as text ("5") is sent as text anyway.
            s.parse::<f64>().is_ok_and(|x| number_conforms(x, view))
        }
        (Some("boolean"), Value::Bool(_)) => true,
        (Some("array") | None, Value::Array(items)) => {
            view.usize("minItems").is_none_or(|m| items.len() >= m)
                && view.usize("maxItems").is_none_or(|m| items.len() <= m)
                && view.get("items").is_none_or(|i| {
                    let iv = View::of(i);
                    items.iter().all(|x| conforms(x, &iv, depth + 1))
                })
        }
        (Some("object") | None, Value::Object(map)) => {
            let props = view.properties();
            view.required().iter().all(|r| map.contains_key(*r))
                && map.iter().all(|(k, x)| {
                    props
                        .get(k.as_str())
                        .is_none_or(|p| conforms(x, &View::of(p), depth + 1))
                })
        }
        (None, _) => true,
        _ => false,
    }
}

fn string_conforms(s: &str, view: &View<'_>) -> bool {
    let n = s.chars().count();
    view.usize("minLength").is_none_or(|m| n >= m)
        && view.usize("maxLength").is_none_or(|m| n <= m)
        && view
            .str("pattern")
            .and_then(|p| regex::Regex::new(p).ok())
            .is_none_or(|re| re.is_match(s))
}

fn number_conforms(x: f64, view: &View<'_>) -> bool {
    let step = view.f64("multipleOf").filter(|m| m.is_finite() && *m > 0.0);
    Bounds::of(view).admits(x) && is_multiple(x, step)
}

/// Synthesis of one request's values, with notes on the values nat could not make valid.
#[derive(Default)]
struct Synth {
    notes: Vec<String>,
    /// Notes before this index say what nat did with the value (sent it anyway, left it out).
    settled: usize,
}

impl Synth {
    /// A value for `schema` at `path` (how a note names it), and whether nat believes it valid.
    fn value(
        &mut self,
        schema: Option<&Schema>,
        example: Option<&Value>,
        path: &str,
    ) -> (Value, bool) {
        let (v, ok) = match schema {
            Some(s) => self.schema_value(s, example, path, 0),
            None => (example.cloned().unwrap_or_else(|| json!("nat")), true),
        };
        if !ok {
            self.settle(&format!("sent {}", shown(&v)));
        }
        (v, ok)
    }

    /// Ends the open notes with what nat did with their value.
    fn settle(&mut self, what: &str) {
        for n in &mut self.notes[self.settled..] {
            n.push_str("; ");
            n.push_str(what);
        }
        self.settled = self.notes.len();
    }

    fn schema_value(
        &mut self,
        s: &Schema,
        example: Option<&Value>,
        path: &str,
        depth: usize,
    ) -> (Value, bool) {
        let view = View::of(s);
        if let Some(c) = view.get("const") {
            return (c.to_value(), true);
        }
        // The description's own examples and default, where the schema admits them.
        let mut candidates: Vec<Value> = example.into_iter().cloned().collect();
        for key in ["example", "default"] {
            candidates.extend(view.get(key).map(Schema::to_value));
        }
        if let Some(ex) = view.get("examples").and_then(Schema::as_array) {
            candidates.extend(ex.iter().map(Schema::to_value));
        }
        if let Some(v) = candidates.into_iter().find(|v| conforms(v, &view, depth)) {
            return (v, true);
        }
        if let Some(vals) = view.get("enum").and_then(Schema::as_array) {
            if let Some(v) = vals.iter().find(|v| !v.is_null()).or(vals.first()) {
                return (v.to_value(), true);
            }
        }
        match view.ty() {
            Some("integer") => self.number(&view, true, path),
            Some("number") => self.number(&view, false, path),
            Some("boolean") => (json!(true), true),
            Some("null") => (Value::Null, true),
            Some("array") => self.array(&view, path, depth),
            Some("object") => self.object(&view, path, depth),
            _ => self.string(&view, path),
        }
    }

    fn note(&mut self, path: &str, what: String) {
        // Names and patterns come from the description: no line breaks or escapes in a warning.
        let text = format!("{path}: {what}")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        self.notes.push(text);
    }

    fn number(&mut self, view: &View<'_>, integer: bool, path: &str) -> (Value, bool) {
        let bounds = Bounds::of(view);
        let step = view.f64("multipleOf").filter(|m| m.is_finite() && *m > 0.0);
        let preferred = if integer { 1.0 } else { 1.5 };
        // The nearest candidate at or past `x` upwards (`up`) or downwards, on the step's grid.
        let snap = |x: f64, excl: bool, up: bool| -> f64 {
            let dir = if up { 1.0 } else { -1.0 };
            match step {
                Some(m) => {
                    let mut k = if up { (x / m).ceil() } else { (x / m).floor() };
                    if excl && (k * m - x).abs() < 1e-12 {
                        k += dir;
                    }
                    k * m
                }
                None if integer => {
                    let r = if up { x.ceil() } else { x.floor() };
                    if excl && r == x {
                        r + dir
                    } else {
                        r
                    }
                }
                None if excl => x + dir,
                None => x,
            }
        };
        let mut candidates = vec![snap(preferred, false, true)];
        candidates.extend(bounds.lo.map(|(m, excl)| snap(m, excl, true)));
        candidates.extend(bounds.hi.map(|(m, excl)| snap(m, excl, false)));
        if let (Some((lo, _)), Some((hi, _))) = (bounds.lo, bounds.hi) {
            let mid = (lo + hi) / 2.0;
            candidates.extend([snap(mid, false, true), snap(mid, false, false)]);
        }
        let found = candidates.into_iter().find(|&x| {
            x.is_finite()
                && bounds.admits(x)
                && is_multiple(x, step)
                && (!integer || x.fract() == 0.0)
        });
        let x = found.unwrap_or_else(|| {
            self.note(
                path,
                "no number nat could find meets the schema's bounds and multipleOf".into(),
            );
            bounds.lo.map_or(preferred, |(m, _)| m)
        });
        let v = if integer {
            // Saturating: bounds past the 64-bit range are clamped.
            json!(x as i64)
        } else {
            json!(x)
        };
        (v, found.is_some())
    }

    fn array(&mut self, view: &View<'_>, path: &str, depth: usize) -> (Value, bool) {
        let min = view.usize("minItems").unwrap_or(0);
        let max = view.usize("maxItems");
        if depth >= MAX_DEPTH {
            return (json!([]), min == 0);
        }
        let want = min
            .max(1)
            .min(max.unwrap_or(usize::MAX))
            .min(MAX_ITEMS as usize);
        let items = view.get("items");
        let item_path = format!("{path}[]");
        let mut out: Vec<Value> = Vec::new();
        let mut ok = true;
        for i in 0..want {
            let (v, valid) = match items {
                Some(it) => self.schema_value(it, None, &item_path, depth + 1),
                None => (json!("nat"), true),
            };
            ok &= valid;
            let v = if i > 0 && view.flag("uniqueItems") {
                match distinct(&v, items, &out, i) {
                    Some(d) => d,
                    None => break,
                }
            } else {
                v
            };
            out.push(v);
        }
        if out.len() < min {
            self.note(
                path,
                format!(
                    "nat could make {} distinct items of the {min} required",
                    out.len()
                ),
            );
            ok = false;
        }
        (Value::Array(out), ok)
    }

    fn object(&mut self, view: &View<'_>, path: &str, depth: usize) -> (Value, bool) {
        let mut out = Map::new();
        if depth >= MAX_DEPTH {
            return (Value::Object(out), true);
        }
        let required = view.required();
        let mut ok = true;
        for (name, p) in view.properties() {
            if p.get("x-nat-circular").is_some() || View::of(p).flag("readOnly") {
                continue;
            }
            let field = if path == "body" {
                format!("body field {name}")
            } else {
                format!("{path}.{name}")
            };
            let (v, valid) = self.schema_value(p, None, &field, depth + 1);
            if required.contains(name) {
                if !valid {
                    self.settle(&format!("sent {}", shown(&v)));
                }
                ok &= valid;
                out.insert(name.to_string(), v);
            } else if valid {
                out.insert(name.to_string(), v);
            } else {
                self.settle("optional, left out");
            }
        }
        (Value::Object(out), ok)
    }

    fn string(&mut self, view: &View<'_>, path: &str) -> (Value, bool) {
        let min = view.usize("minLength").unwrap_or(0).min(MAX_LEN);
        let max = view.usize("maxLength");
        if let Some(p) = view.str("pattern") {
            match pattern_value(p, min, max, 0) {
                Ok(s) => return (json!(s), true),
                Err(why) => self.note(path, format!("pattern `{p}` {why}")),
            }
        }
        let format = view.str("format").unwrap_or("");
        let (mut v, kind) = format_value(format, path);
        let n = v.chars().count();
        if n < min {
            match kind {
                Kind::Plain => v.extend(std::iter::repeat_n('x', min - n)),
                Kind::Email => {
                    let at = v.find('@').unwrap_or(0);
                    v.insert_str(at, &"x".repeat(min - n));
                }
                Kind::Format => {}
            }
        }
        if let Some(max) = max {
            if v.chars().count() > max {
                match kind {
                    Kind::Plain => v = v.chars().take(max).collect(),
                    Kind::Email if max >= 6 => v = "n@x.io".into(),
                    _ => {}
                }
            }
        }
        let n = v.chars().count();
        let fits = n >= min && max.is_none_or(|m| n <= m);
        if !fits {
            self.note(
                path,
                format!(
                    "no {format} value nat knows has {min} to {} characters",
                    max.unwrap_or(min)
                ),
            );
        }
        let ok = fits
            && view
                .str("pattern")
                .is_none_or(|p| regex::Regex::new(p).is_ok_and(|re| re.is_match(&v)));
        (json!(v), ok)
    }
}

/// A value as a note shows it: JSON, cut to 60 characters.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

/// How a string value may be stretched or cut to meet length bounds.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Any text: pad with `x`, truncate.
    Plain,
    /// An address: pad the local part.
    Email,
    /// A formatted value that padding or cutting would break.
    Format,
}

/// A value of a string `format`; without one, a value the name asks for (`…url`, `…email`, `…uuid`).
fn format_value(format: &str, path: &str) -> (String, Kind) {
    let formatted = |s: &str| (s.to_string(), Kind::Format);
    match format {
        "date-time" => formatted("2024-01-01T00:00:00Z"),
        "date" => formatted("2024-01-01"),
        "time" => formatted("12:00:00Z"),
        "duration" => formatted("P1D"),
        "email" | "idn-email" => ("nat@example.com".into(), Kind::Email),
        "uuid" => formatted("00000000-0000-4000-8000-000000000001"),
        "uri" | "url" | "iri" => formatted("https://example.com/"),
        "uri-reference" | "iri-reference" => formatted("/"),
        "hostname" | "idn-hostname" => formatted("example.com"),
        "ipv4" => formatted("192.0.2.1"),
        "ipv6" => formatted("2001:db8::1"),
        "byte" => formatted("bmF0"),
        "int32" | "int64" => formatted("1"),
        "password" => ("Nat-Passw0rd!".into(), Kind::Plain),
        _ => {
            // The last segment of the path: `body field image_url` → `image_url`.
            let name = path
                .rsplit(['.', ' '])
                .next()
                .unwrap_or(path)
                .to_ascii_lowercase();
            if name.ends_with("email") || name.ends_with("e_mail") {
                ("nat@example.com".into(), Kind::Email)
            } else if name.ends_with("uuid") || name.ends_with("guid") {
                formatted("00000000-0000-4000-8000-000000000001")
            } else if ["image", "avatar", "photo", "picture", "icon"]
                .iter()
                .any(|w| name.contains(w))
                && (name.ends_with("url") || name.ends_with("uri") || name.ends_with("link"))
            {
                formatted("https://example.com/nat.png")
            } else if name.ends_with("url") || name.ends_with("uri") || name == "website" {
                formatted("https://example.com/")
            } else {
                ("nat".into(), Kind::Plain)
            }
        }
    }
}

/// Another item for a `uniqueItems` array: the `i`-th enum value, or the item varied by `i`, if it
/// still fits the item schema and differs from those already made (another draw from a pattern).
fn distinct(v: &Value, items: Option<&Schema>, made: &[Value], i: usize) -> Option<Value> {
    let view = items.map(View::of);
    let candidate = match view
        .as_ref()
        .and_then(|iv| iv.get("enum"))
        .and_then(Schema::as_array)
    {
        Some(vals) => vals.get(i).map(Schema::to_value)?,
        None => match v {
            Value::String(_) if view.as_ref().and_then(|iv| iv.str("pattern")).is_some() => {
                let iv = view.as_ref()?;
                let p = iv.str("pattern")?;
                let (min, max) = (iv.usize("minLength").unwrap_or(0), iv.usize("maxLength"));
                // A few draws: one may repeat a value already made.
                return (1..=8u64)
                    .filter_map(|salt| pattern_value(p, min, max, salt * 1000 + i as u64).ok())
                    .map(Value::String)
                    .find(|c| !made.contains(c));
            }
            Value::Number(n) => json!(n.as_i64()?.checked_add(i64::try_from(i).ok()?)?),
            Value::String(s) => json!(format!("{s}{i}")),
            _ => return None,
        },
    };
    let fits = view.as_ref().is_none_or(|iv| conforms(&candidate, iv, 0));
    (fits && !made.contains(&candidate)).then_some(candidate)
}

/// A string matching `pattern` (ECMA-262 as JSON Schema has it, read by `regex-syntax`) with
/// `min..=max` characters, or why nat could not make one. Printable ASCII is preferred wherever the
/// pattern allows it; the same arguments always give the same string.
pub fn pattern_value(
    pattern: &str,
    min: usize,
    max: Option<usize>,
    salt: u64,
) -> Result<String, String> {
    use rand::{Rng, SeedableRng};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| format!("cannot be generated ({})", syntax_reason(&e)))?;
    let hir = tame(hir);
    let check = regex::Regex::new(pattern).map_err(|_| "cannot be checked".to_string())?;
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for b in pattern
        .bytes()
        .chain(min.to_le_bytes())
        .chain(max.unwrap_or(usize::MAX).to_le_bytes())
        .chain(salt.to_le_bytes())
    {
        seed = (seed ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    // Prefer a non-empty value where one is allowed.
    let want_min = min.max(1);
    let long = u32::try_from(max.unwrap_or(min).min(MAX_LEN)).unwrap_or(MAX_REPEAT);
    let mut fallback = None;
    for repeat in [MAX_REPEAT, long.max(MAX_REPEAT)] {
        let generator = rand_regex::Regex::with_hir(hir.clone(), repeat)
            .map_err(|e| format!("cannot be generated ({e})"))?;
        for _ in 0..PATTERN_TRIES {
            let Ok(s) = rng.sample::<Result<String, _>, _>(&generator) else {
                continue;
            };
            if !check.is_match(&s) {
                continue;
            }
            let n = s.chars().count();
            if max.is_some_and(|m| n > m) || n < min {
                continue;
            }
            if n >= want_min {
                return Ok(s);
            }
            fallback.get_or_insert(s);
        }
    }
    fallback.ok_or_else(|| match max {
        Some(m) => format!("has no match of {min} to {m} characters nat could make"),
        None => format!("has no match of at least {min} characters nat could make"),
    })
}

fn syntax_reason(e: &regex_syntax::Error) -> String {
    match e {
        regex_syntax::Error::Parse(e) => e.kind().to_string(),
        regex_syntax::Error::Translate(e) => e.kind().to_string(),
        other => other.to_string(),
    }
}

/// The pattern's HIR made generable: anchors and word boundaries dropped (a match of the rest also
/// matches the unanchored search JSON Schema does), classes narrowed to printable ASCII where they
/// hold any.
fn tame(h: regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
        Repetition,
    };
    match h.into_kind() {
        HirKind::Empty | HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(Class::Unicode(c)) => {
            let mut ascii = ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]);
            ascii.intersect(&c);
            Hir::class(Class::Unicode(if ascii.ranges().is_empty() {
                c
            } else {
                ascii
            }))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut ascii = ClassBytes::new([ClassBytesRange::new(b' ', b'~')]);
            ascii.intersect(&c);
            Hir::class(Class::Bytes(if ascii.ranges().is_empty() {
                c
            } else {
                ascii
            }))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(tame(*r.sub)),
            ..r
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(tame(*c.sub)),
            ..c
        }),
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(tame).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(tame).collect()),
    }
}

/// Renders a value as a parameter string (arrays comma-joined, the OpenAPI default style).
pub fn param_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(param_string).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Where a value goes in a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A parameter by location and name.
    Param(ParamLocation, String),
    /// A top-level property of the JSON or form body.
    BodyField(String),
}

impl Slot {
    /// `query parameter q`, `body field note`: how evidence and fingerprints name it.
    pub fn describe(&self) -> String {
        match self {
            Slot::Param(loc, name) => {
                format!("{} parameter {name}", format!("{loc:?}").to_lowercase())
            }
            Slot::BodyField(name) => format!("body field {name}"),
        }
    }
}

/// The values of one request to an operation, before rendering.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestValues {
    pub params: Vec<(ParamLocation, String, Value)>,
    pub body: Option<Value>,
    pub content_type: Option<String>,
}

/// Header parameters nat never sets from the description (the client or identity owns them).
fn is_reserved_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization" | "content-type" | "accept" | "content-length" | "host" | "cookie"
    )
}

impl RequestValues {
    /// Valid values for every path parameter, every required parameter and those with an example,
    /// and the body.
    pub fn valid(op: &Operation) -> Self {
        Self::valid_noted(op).0
    }

    /// [`RequestValues::valid`], with a note for each value nat could not make valid (a `pattern`
    /// it cannot generate, bounds nothing meets): `body field grant_type: pattern … cannot be …`.
    pub fn valid_noted(op: &Operation) -> (Self, Vec<String>) {
        let mut synth = Synth::default();
        let mut params = Vec::new();
        for p in &op.parameters {
            if p.location == ParamLocation::Header && is_reserved_header(&p.name) {
                continue;
            }
            if p.location == ParamLocation::Cookie {
                continue;
            }
            // An optional parameter with an example or a default is one the API expects: its
            // value reaches the operation's work (FastAPI's `code="1"` is a query the SQL reads).
            let has_example = p.example.is_some()
                || p.schema.as_ref().is_some_and(|s| {
                    s.get("example").is_some()
                        || s.get("examples").is_some()
                        || s.get("default").is_some()
                });
            if p.location == ParamLocation::Path || p.required || has_example {
                let path = Slot::Param(p.location, p.name.clone()).describe();
                let (value, _) = synth.value(p.schema.as_ref(), p.example.as_ref(), &path);
                params.push((p.location, p.name.clone(), value));
            }
        }
        let (body, content_type) = match &op.request_body {
            Some(rb) if !rb.content_type.starts_with("multipart/") => (
                Some(
                    synth
                        .value(rb.schema.as_ref(), rb.example.as_ref(), "body")
                        .0,
                ),
                Some(rb.content_type.clone()),
            ),
            _ => (None, None),
        };
        let values = RequestValues {
            params,
            body,
            content_type,
        };
        (values, synth.notes)
    }

    /// A copy whose free-form strings in the body (no `enum`, `const`, `pattern` or `format`) end in
    /// one random suffix, within `maxLength`: objects nat creates one after the other do not collide
    /// on a title or name the API wants unique.
    pub fn distinct(mut self, op: &Operation) -> Self {
        fn walk(v: &mut Value, schema: Option<&Schema>, suffix: &str, depth: usize) {
            let view = schema.map(View::of);
            match v {
                Value::Object(map) if depth < MAX_DEPTH => {
                    for (name, inner) in map.iter_mut() {
                        let sub = view
                            .as_ref()
                            .and_then(|w| w.get("properties"))
                            .and_then(|p| p.get(name));
                        walk(inner, sub, suffix, depth + 1);
                    }
                }
                Value::Array(items) if depth < MAX_DEPTH => {
                    let sub = view.as_ref().and_then(|w| w.get("items"));
                    for inner in items {
                        walk(inner, sub, suffix, depth + 1);
                    }
                }
                Value::String(s) => {
                    let free = view.as_ref().is_none_or(|w| {
                        ["enum", "const", "pattern", "format"]
                            .iter()
                            .all(|k| w.get(k).is_none())
                    });
                    let fits = view
                        .as_ref()
                        .and_then(|w| w.usize("maxLength"))
                        .is_none_or(|max| s.chars().count() + suffix.len() <= max);
                    if free && fits {
                        s.push_str(suffix);
                    }
                }
                _ => {}
            }
        }
        let suffix = format!("-{:06x}", rand::random::<u32>() & 0xff_ffff);
        let schema = op.request_body.as_ref().and_then(|rb| rb.schema.as_ref());
        if let Some(body) = self.body.as_mut() {
            walk(body, schema, &suffix, 0);
        }
        self
    }

    /// The value currently in a slot.
    pub fn get(&self, slot: &Slot) -> Option<&Value> {
        match slot {
            Slot::Param(loc, name) => self
                .params
                .iter()
                .find(|(l, n, _)| l == loc && n == name)
                .map(|(_, _, v)| v),
            Slot::BodyField(name) => self.body.as_ref()?.get(name),
        }
    }

    /// A copy with `value` in `slot`.
    pub fn with(&self, slot: &Slot, value: Value) -> Self {
        let mut out = self.clone();
        match slot {
            Slot::Param(loc, name) => match out
                .params
                .iter_mut()
                .find(|(l, n, _)| l == loc && n == name)
            {
                Some(entry) => entry.2 = value,
                None => out.params.push((*loc, name.clone(), value)),
            },
            Slot::BodyField(name) => {
                if let Some(Value::Object(map)) = out.body.as_mut() {
                    map.insert(name.clone(), value);
                }
            }
        }
        out
    }

    /// The request to send: path template filled (segments percent-encoded), query and headers set,
    /// body encoded by its media type.
    pub fn render(&self, op: &Operation) -> RequestSpec {
        let mut path = op.path.clone();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        for (loc, name, value) in &self.params {
            let text = param_string(value);
            match loc {
                ParamLocation::Path => {
                    let encoded = utf8_percent_encode(&text, SEGMENT).to_string();
                    path = path.replace(&format!("{{{name}}}"), &encoded);
                }
                ParamLocation::Query => query.push((name.clone(), text)),
                ParamLocation::Header => {
                    if http::HeaderValue::from_str(&text).is_ok() {
                        headers.push((name.clone(), text));
                    }
                }
                ParamLocation::Cookie => {}
            }
        }
        let body = match (&self.body, &self.content_type) {
            (Some(v), Some(ct)) => Some(encode_body(v, ct)),
            _ => None,
        };
        RequestSpec {
            method: op.method.clone(),
            path,
            query,
            headers,
            body,
        }
    }

    /// Slots of this request with the schema that describes them: every parameter nat sets and every
    /// top-level body field.
    pub fn slots<'a>(&self, op: &'a Operation) -> Vec<(Slot, Option<&'a Schema>)> {
        let mut out = Vec::new();
        for (loc, name, _) in &self.params {
            let schema = op
                .parameters
                .iter()
                .find(|p| p.location == *loc && &p.name == name)
                .and_then(|p| p.schema.as_ref());
            out.push((Slot::Param(*loc, name.clone()), schema));
        }
        if let Some(Value::Object(map)) = &self.body {
            let props = op
                .request_body
                .as_ref()
                .and_then(|rb| rb.schema.as_ref())
                .and_then(|s| s.get("properties"));
            for name in map.keys() {
                out.push((
                    Slot::BodyField(name.clone()),
                    props.and_then(|p| p.get(name)),
                ));
            }
        }
        out
    }
}

fn encode_body(v: &Value, content_type: &str) -> Body {
    let bytes = if content_type.contains("x-www-form-urlencoded") {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        if let Value::Object(map) = v {
            for (k, val) in map {
                ser.append_pair(k, &param_string(val));
            }
        }
        ser.finish().into_bytes()
    } else if content_type.contains("json") || !content_type.starts_with("text/") {
        serde_json::to_vec(v).unwrap_or_default()
    } else {
        param_string(v).into_bytes()
    };
    let content_type = if content_type.contains("json")
        || content_type.contains("x-www-form-urlencoded")
        || content_type.starts_with("text/")
    {
        content_type.to_string()
    } else {
        "application/json".to_string()
    };
    Body {
        content_type,
        bytes,
    }
}

/// A hostile value and what makes it hostile.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    pub kind: &'static str,
    pub value: Value,
}

/// Values that violate `schema`: a wrong type, values past its bounds, an oversized string.
pub fn schema_violations(schema: Option<&Schema>) -> Vec<Mutation> {
    let Some(s) = schema else {
        return vec![Mutation {
            kind: "oversized string",
            value: json!("A".repeat(10_000)),
        }];
    };
    let mut out = Vec::new();
    let num = |k: &str| s.get(k).and_then(Schema::as_f64);
    match schema_type(s) {
        Some("integer") | Some("number") => {
            out.push(Mutation {
                kind: "wrong type (string for a number)",
                value: json!("nat-invalid"),
            });
            if let Some(min) = num("minimum") {
                out.push(Mutation {
                    kind: "below minimum",
                    value: json!((min - 1.0).floor() as i64),
                });
            } else {
                out.push(Mutation {
                    kind: "negative value",
                    value: json!(-1),
                });
            }
            if let Some(max) = num("maximum") {
                out.push(Mutation {
                    kind: "above maximum",
                    value: json!((max + 1.0).ceil() as i64),
                });
            }
            out.push(Mutation {
                kind: "64-bit boundary",
                value: json!(i64::MAX),
            });
        }
        Some("boolean") => out.push(Mutation {
            kind: "wrong type (string for a boolean)",
            value: json!("nat-invalid"),
        }),
        Some("array") => out.push(Mutation {
            kind: "wrong type (string for an array)",
            value: json!("nat-invalid"),
        }),
        Some("object") => out.push(Mutation {
            kind: "wrong type (string for an object)",
            value: json!("nat-invalid"),
        }),
        _ => {
            if s.get("enum").is_some() {
                out.push(Mutation {
                    kind: "value outside the enum",
                    value: json!("nat-not-in-enum"),
                });
            }
            out.push(Mutation {
                kind: "oversized string",
                value: json!("A".repeat(10_000)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Parameter;

    fn op() -> Operation {
        Operation {
            method: "POST".into(),
            path: "/items/{id}".into(),
            operation_id: None,
            summary: None,
            tags: vec![],
            parameters: vec![
                Parameter {
                    name: "id".into(),
                    location: ParamLocation::Path,
                    required: true,
                    schema: Some(json!({"type": "integer", "minimum": 5}).into()),
                    example: None,
                },
                Parameter {
                    name: "q".into(),
                    location: ParamLocation::Query,
                    required: false,
                    schema: Some(json!({"type": "string"}).into()),
                    example: Some(json!("a b")),
                },
                Parameter {
                    name: "skip".into(),
                    location: ParamLocation::Query,
                    required: false,
                    schema: Some(json!({"type": "string"}).into()),
                    example: None,
                },
            ],
            request_body: Some(crate::spec::RequestBody {
                content_type: "application/json".into(),
                required: true,
                schema: Some(
                    json!({"type": "object", "properties": {"name": {"type": "string", "format": "email"}, "id": {"type": "integer", "readOnly": true}, "n": {"type": "number", "maximum": 1}}})
                    .into(),
                ),
                example: None,
            }),
            security: vec![],
            responses: Default::default(),
            deprecated: false,
        }
    }

    #[test]
    fn valid_request_from_schema() {
        let o = op();
        let v = RequestValues::valid(&o);
        let r = v.render(&o);
        assert_eq!(r.path, "/items/5");
        assert_eq!(r.query, vec![("q".to_string(), "a b".to_string())]);
        let body: Value = serde_json::from_slice(&r.body.unwrap().bytes).unwrap();
        assert_eq!(body, json!({"name": "nat@example.com", "n": 1.0}));
    }

    #[test]
    fn an_oauth2_password_form_as_fastapi_describes_it_is_accepted() {
        // OAuth2PasswordRequestForm in FastAPI's 3.1 document: nat used to send grant_type=nat.
        let mut o = op();
        o.parameters.clear();
        o.request_body = Some(crate::spec::RequestBody {
            content_type: "application/x-www-form-urlencoded".into(),
            required: true,
            schema: Some(
                json!({"type": "object", "required": ["username", "password"], "properties": {
                    "grant_type": {"anyOf": [{"type": "string", "pattern": "^password$"}, {"type": "null"}]},
                    "username": {"type": "string"},
                    "password": {"type": "string", "format": "password"},
                    "scope": {"type": "string", "default": ""},
                    "client_id": {"anyOf": [{"type": "string"}, {"type": "null"}]}
                }})
                .into(),
            ),
            example: None,
        });
        let body = RequestValues::valid(&o).render(&o).body.unwrap();
        assert_eq!(
            String::from_utf8(body.bytes).unwrap(),
            "client_id=nat&grant_type=password&password=Nat-Passw0rd%21&scope=&username=nat"
        );
    }

    #[test]
    fn path_segments_are_encoded_and_slots_replaced() {
        let o = op();
        let v = RequestValues::valid(&o).with(
            &Slot::Param(ParamLocation::Path, "id".into()),
            json!("1 AND 1=1/x"),
        );
        assert_eq!(v.render(&o).path, "/items/1%20AND%201%3D1%2Fx");
        let v = v.with(&Slot::BodyField("name".into()), json!(7));
        let body: Value = serde_json::from_slice(&v.render(&o).body.unwrap().bytes).unwrap();
        assert_eq!(body["name"], json!(7));
        assert_eq!(v.slots(&o).len(), 4);
    }

    #[test]
    fn violations_break_the_schema() {
        let m = schema_violations(Some(
            &json!({"type": "integer", "minimum": 1, "maximum": 100}).into(),
        ));
        let vals: Vec<_> = m.iter().map(|m| m.value.clone()).collect();
        assert!(
            vals.contains(&json!("nat-invalid"))
                && vals.contains(&json!(0))
                && vals.contains(&json!(101))
        );
    }
    fn gen(schema: Value) -> Value {
        valid_value(Some(&schema.into()), None)
    }

    #[test]
    fn a_pattern_gives_a_matching_string() {
        // The OAuth2 password grant as FastAPI describes it (3.1: anyOf with null).
        let grant =
            json!({"anyOf": [{"type": "null"}, {"type": "string", "pattern": "^password$"}]});
        assert_eq!(gen(grant), json!("password"));
        let sku = json!({"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"});
        let v = gen(sku.clone());
        let re = regex::Regex::new("^[A-Z]{3}-[0-9]{4}$").unwrap();
        assert!(re.is_match(v.as_str().unwrap()), "{v}");
        // Deterministic: the same schema, the same value.
        assert_eq!(gen(sku), v);
        // Unbounded repetition stays short; length bounds are met.
        let word =
            json!({"type": "string", "pattern": "^[a-z]+$", "minLength": 12, "maxLength": 14});
        let w = gen(word).as_str().unwrap().to_string();
        assert!(
            (12..=14).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase()),
            "{w}"
        );
        let any = gen(json!({"type": "string", "pattern": "\\w+"}));
        assert!(any.as_str().unwrap().len() <= 9, "{any}");
    }

    #[test]
    fn a_pattern_nat_cannot_generate_falls_back_and_says_so() {
        let mut synth = Synth::default();
        let s: Schema = json!({"type": "string", "pattern": "^(?!admin)[a-z]+$"}).into();
        let (v, ok) = synth.value(Some(&s), None, "body field user");
        assert!(!ok);
        assert_eq!(v, json!("nat"));
        assert_eq!(synth.notes.len(), 1, "{:?}", synth.notes);
        assert!(
            synth.notes[0].starts_with(
                "body field user: pattern `^(?!admin)[a-z]+$` cannot be generated (look-around"
            ) && synth.notes[0].ends_with("; sent \"nat\""),
            "{:?}",
            synth.notes
        );
    }

    #[test]
    fn enum_and_const_come_before_examples_the_schema_rejects() {
        let roles =
            json!({"type": "string", "enum": ["customer", "employee", "chef"], "example": "admin"});
        assert_eq!(gen(roles), json!("customer"));
        let roles = json!({"type": "string", "enum": ["customer", "chef"], "example": "chef"});
        assert_eq!(gen(roles), json!("chef"));
        assert_eq!(gen(json!({"const": "v2", "example": "v1"})), json!("v2"));
        assert_eq!(gen(json!({"enum": [null, 3]})), json!(3));
        // An example is sent when it fits, a default next; one that breaks the pattern is not.
        assert_eq!(
            gen(json!({"type": "string", "example": "bob"})),
            json!("bob")
        );
        assert_eq!(
            gen(json!({"type": "integer", "default": 7, "maximum": 9})),
            json!(7)
        );
        let digits = gen(json!({"type": "string", "pattern": "^[0-9]+$", "example": "abc"}));
        assert!(
            digits.as_str().unwrap().bytes().all(|b| b.is_ascii_digit()),
            "{digits}"
        );
        // A parameter's own example is checked the same way.
        let s: Schema = json!({"type": "string", "maxLength": 3}).into();
        assert_eq!(valid_value(Some(&s), Some(&json!("toolong"))), json!("nat"));
        assert_eq!(valid_value(Some(&s), Some(&json!("ok"))), json!("ok"));
    }

    #[test]
    fn formats_give_values_that_parse_as_such() {
        let f = |format: &str| {
            gen(json!({"type": "string", "format": format}))
                .as_str()
                .unwrap()
                .to_string()
        };
        let email = f("email");
        let (local, domain) = email.split_once('@').unwrap();
        assert!(!local.is_empty() && domain.contains('.'), "{email}");
        let uuid = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(uuid.is_match(&f("uuid")));
        assert!(chrono::DateTime::parse_from_rfc3339(&f("date-time")).is_ok());
        assert!(chrono::NaiveDate::parse_from_str(&f("date"), "%Y-%m-%d").is_ok());
        assert!(f("ipv4").parse::<std::net::Ipv4Addr>().is_ok());
        assert!(f("ipv6").parse::<std::net::Ipv6Addr>().is_ok());
        assert!(url::Url::parse(&f("uri")).is_ok());
        use base64::Engine as _;
        assert!(base64::engine::general_purpose::STANDARD
            .decode(f("byte"))
            .is_ok());
        // Without a format, the name says what is wanted.
        let body: Schema = json!({"type": "object", "properties": {
            "image_url": {"type": "string"}, "contact_email": {"type": "string"}, "title": {"type": "string"}
        }}).into();
        let v = valid_value(Some(&body), None);
        assert!(
            url::Url::parse(v["image_url"].as_str().unwrap()).is_ok(),
            "{v}"
        );
        assert!(v["contact_email"].as_str().unwrap().contains('@'), "{v}");
        assert_eq!(v["title"], json!("nat"));
    }

    #[test]
    fn lengths_are_met() {
        assert_eq!(
            gen(json!({"type": "string", "minLength": 5})),
            json!("natxx")
        );
        assert_eq!(gen(json!({"type": "string", "maxLength": 2})), json!("na"));
        let email = gen(json!({"type": "string", "format": "email", "minLength": 20}));
        let email = email.as_str().unwrap();
        assert!(
            email.len() >= 20 && email.ends_with("@example.com"),
            "{email}"
        );
    }

    #[test]
    fn numeric_bounds_are_met_in_both_forms() {
        // 3.0: boolean exclusiveMinimum.
        assert_eq!(
            gen(json!({"type": "integer", "minimum": 1, "exclusiveMinimum": true})),
            json!(2)
        );
        // 3.1: numeric exclusiveMinimum / exclusiveMaximum.
        assert_eq!(
            gen(json!({"type": "integer", "exclusiveMinimum": 1, "maximum": 10})),
            json!(2)
        );
        let x = gen(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}));
        assert!(x.as_f64().is_some_and(|x| x > 0.0 && x < 1.0), "{x}");
        let x = gen(
            json!({"type": "number", "minimum": 2, "maximum": 3, "exclusiveMinimum": true, "exclusiveMaximum": true}),
        );
        assert_eq!(x, json!(2.5));
        assert_eq!(
            gen(json!({"type": "integer", "minimum": 7, "multipleOf": 5})),
            json!(10)
        );
        assert_eq!(
            gen(
                json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "multipleOf": 2})
            ),
            json!(2)
        );
        assert_eq!(gen(json!({"type": "integer", "maximum": 0})), json!(0));
        assert_eq!(gen(json!({"type": "integer", "maximum": -3})), json!(-3));
        assert_eq!(
            gen(json!({"type": "number", "multipleOf": 0.25, "minimum": 2})),
            json!(2.0)
        );
    }

    #[test]
    fn objects_merge_all_of_and_leave_read_only_out() {
        let s = json!({"allOf": [
            {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "pattern": "^[a-z]{4}$"}}},
            {"properties": {
                "id": {"allOf": [{"type": "integer"}, {"readOnly": true}]},
                "role": {"type": "string", "enum": ["customer", "chef"]}
            }}
        ]});
        let v = gen(s);
        let obj = v.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), ["name", "role"], "{v}");
        assert_eq!(obj["name"].as_str().unwrap().len(), 4);
        assert_eq!(obj["role"], json!("customer"));
        // oneOf: the first viable branch; nullable: a value, not null.
        assert_eq!(
            gen(json!({"oneOf": [{"type": "integer", "minimum": 3}, {"type": "string"}]})),
            json!(3)
        );
        assert_eq!(
            gen(json!({"type": "string", "nullable": true})),
            json!("nat")
        );
        assert_eq!(gen(json!({"type": ["null", "integer"]})), json!(1));
        // An optional field nat cannot make valid is left out; a required one is sent anyway.
        let s: Schema = json!({"type": "object", "required": ["a"], "properties": {
            "a": {"type": "string", "pattern": "(?=x)x"}, "b": {"type": "string", "pattern": "(?=y)y"}
        }}).into();
        let mut synth = Synth::default();
        let (v, ok) = synth.value(Some(&s), None, "body");
        assert!(!ok);
        assert_eq!(v, json!({"a": "nat"}));
        assert_eq!(synth.notes.len(), 2, "{:?}", synth.notes);
        assert!(synth.notes[0].starts_with("body field a: pattern `(?=x)x` cannot be generated"));
        assert!(
            synth.notes[0].ends_with("; sent \"nat\""),
            "{:?}",
            synth.notes
        );
        assert!(
            synth.notes[1].ends_with("; optional, left out"),
            "{:?}",
            synth.notes
        );
    }

    #[test]
    fn arrays_meet_min_items_with_distinct_items() {
        let v = gen(
            json!({"type": "array", "minItems": 3, "uniqueItems": true, "items": {"enum": ["a", "b", "c", "d"]}}),
        );
        assert_eq!(v, json!(["a", "b", "c"]));
        let v = gen(
            json!({"type": "array", "minItems": 2, "uniqueItems": true, "items": {"type": "integer"}}),
        );
        assert_eq!(v, json!([1, 2]));
        assert_eq!(gen(json!({"type": "array", "maxItems": 0})), json!([]));
    }

    #[test]
    fn generated_values_validate_against_the_schema() {
        // A JSON Schema validator (format assertions on) agrees with every rule at once.
        let schema = json!({
            "type": "object",
            "required": ["grant_type", "user", "role", "when", "ip", "id", "n", "tags", "score"],
            "properties": {
                "grant_type": {"type": "string", "pattern": "^password$"},
                "user": {"type": "string", "format": "email", "maxLength": 40},
                "role": {"type": "string", "enum": ["customer", "employee", "chef"]},
                "when": {"type": "string", "format": "date-time"},
                "ip": {"type": "string", "format": "ipv4"},
                "id": {"type": "string", "format": "uuid"},
                "n": {"type": "integer", "exclusiveMinimum": 10, "multipleOf": 3},
                "tags": {"type": "array", "minItems": 2, "uniqueItems": true, "items": {"type": "string", "pattern": "^[a-z]{2,5}$"}},
                "score": {"anyOf": [{"type": "number", "minimum": 0.5, "exclusiveMaximum": 0.75}, {"type": "null"}]}
            }
        });
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let v = gen(schema);
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{v}: {errors:?}");
    }
}
