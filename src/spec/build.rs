//! A parsed document → [`ApiSpec`], for OpenAPI 3.0, 3.1 and Swagger 2.0.
//!
//! The walk is over the untyped JSON model ([`Schema`] trees), not `openapiv3`'s typed model, on purpose. A typed parse
//! rejects a whole document for one small defect: of the 25 OpenAPI 3.0 files in the shared real-world
//! corpus, `openapiv3` refuses InfluxDB's `oss.yml` outright (`components.responses: null`), while a
//! scanner should load every operation it can and warn about the rest. `openapiv3` also reads neither
//! Swagger 2.0 nor OpenAPI 3.1, so an untyped walk is needed anyway, and one walk serves all three.

use super::resolve::{child, Base, DocId, Resolver};
use super::{
    ApiSpec, Operation, ParamLocation, Parameter, RequestBody, Schema, SchemaMap, SchemaNode,
    SecurityRequirement, SecurityScheme, SpecError,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use url::Url;

/// The HTTP methods a path item may hold, in the order operations are listed.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Which description format the document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

/// Reads the `openapi` / `swagger` field.
pub(crate) fn flavor(root: &Schema, origin: &str) -> Result<(Flavor, String), SpecError> {
    let Some(m) = root.as_object() else {
        return Err(SpecError::Invalid {
            origin: origin.into(),
            pointer: "/".into(),
            reason: format!(
                "the document is {}, not an object with an `openapi` or `swagger` field",
                kind(root)
            ),
        });
    };
    let text = |v: &Schema| match v.as_str() {
        Some(s) => s.trim().to_string(),
        None => v.to_string(),
    };
    if let Some(v) = m.get("openapi") {
        let version = text(v);
        return if version.starts_with("3.0") {
            Ok((Flavor::OpenApi30, version))
        } else if version.starts_with("3.1") {
            Ok((Flavor::OpenApi31, version))
        } else {
            Err(SpecError::Unsupported {
                origin: origin.into(),
                version,
            })
        };
    }
    if let Some(v) = m.get("swagger") {
        let version = text(v);
        return if version == "2.0" || version == "2" {
            Ok((Flavor::Swagger2, version))
        } else {
            Err(SpecError::Unsupported {
                origin: origin.into(),
                version,
            })
        };
    }
    Err(SpecError::Invalid {
        origin: origin.into(),
        pointer: "/".into(),
        reason: "no `openapi` or `swagger` field: not an OpenAPI/Swagger description".into(),
    })
}

fn kind(v: &Schema) -> &'static str {
    match v.node() {
        SchemaNode::Null => "null",
        SchemaNode::Bool(_) => "a boolean",
        SchemaNode::Number(_) => "a number",
        SchemaNode::String(_) => "a string",
        SchemaNode::Array(_) => "an array",
        SchemaNode::Object(_) => "an object",
    }
}

/// Builds the model from a parsed root document.
pub(crate) fn build(
    root: Schema,
    origin: &str,
    base: Base,
    prefetched: HashMap<String, Schema>,
) -> Result<ApiSpec, SpecError> {
    let (flavor, version) = flavor(&root, origin)?;
    if let Some(p) = root.get("paths") {
        if !matches!(p.node(), SchemaNode::Object(_) | SchemaNode::Null) {
            return Err(SpecError::Invalid {
                origin: origin.into(),
                pointer: "/paths".into(),
                reason: format!("`paths` is {}, not an object", kind(p)),
            });
        }
    }
    let origin_url = match &base {
        Base::Url(u) => Some(u.clone()),
        _ => None,
    };
    let mut b = Builder {
        r: Resolver::new(root, origin, base, prefetched),
        flavor,
        origin_url,
    };
    let root = b.r.doc(0);
    let info = root.get("info");
    let title = info
        .and_then(|i| i.get("title"))
        .map(scalar_text)
        .unwrap_or_default();
    let api_version = info
        .and_then(|i| i.get("version"))
        .map(scalar_text)
        .unwrap_or_default();
    let servers = match flavor {
        Flavor::Swagger2 => b.servers_v2(&root),
        _ => b.servers_v3(&root),
    };
    let security_schemes = b.security_schemes(&root);
    let global_security = root.get("security").map(security_list).unwrap_or_default();
    let operations = b.operations(&root, &global_security);
    if let Some(w) = root.get("webhooks").and_then(Schema::as_object) {
        if !w.is_empty() {
            b.r.warn(format!(
                "/webhooks: {} webhook(s) describe calls the API makes, not endpoints; not scanned",
                w.len()
            ));
        }
    }
    Ok(ApiSpec {
        openapi_version: version,
        title,
        api_version,
        servers,
        operations,
        security_schemes,
        warnings: b.r.take_warnings(),
        source: origin.to_string(),
    })
}

fn scalar_text(v: &Schema) -> String {
    match v.node() {
        SchemaNode::String(s) => s.to_string(),
        SchemaNode::Null => String::new(),
        _ => v.to_string(),
    }
}

fn security_list(v: &Schema) -> Vec<SecurityRequirement> {
    let Some(items) = v.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|req| req.as_object())
        .map(|req| {
            req.iter()
                .map(|(name, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .map(|s| {
                            s.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default();
                    (name.clone(), scopes)
                })
                .collect()
        })
        .collect()
}

/// The media type without parameters, lower-case.
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    let e = essence(media);
    e == "application/json"
        || e.ends_with("+json")
        || (e.starts_with("application/") && e.ends_with("/json"))
}

/// Request media preference: JSON, then urlencoded form, then multipart, then the first.
fn pick_request_media<'a>(types: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    types
        .clone()
        .find(|t| is_json(t))
        .or_else(|| {
            types
                .clone()
                .find(|t| essence(t) == "application/x-www-form-urlencoded")
        })
        .or_else(|| types.clone().find(|t| essence(t) == "multipart/form-data"))
        .or_else(|| types.clone().next())
}

/// Response media preference: JSON, then anything that may be JSON (`*/*`, `text/json`, `application/*`).
fn pick_response_media<'a>(types: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    types.clone().find(|t| is_json(t)).or_else(|| {
        types.clone().find(|t| {
            let e = essence(t);
            e == "*/*" || e == "application/*" || e.contains("json")
        })
    })
}

struct Builder {
    r: Resolver,
    flavor: Flavor,
    origin_url: Option<Url>,
}

/// A parameter before it is split into parameters and (Swagger 2.0) body/form fields.
#[derive(Clone)]
enum RawParam {
    Param(Parameter),
    Body {
        name: String,
        required: bool,
        schema: Option<Schema>,
    },
    Form {
        name: String,
        required: bool,
        schema: Schema,
        file: bool,
    },
}

impl RawParam {
    fn key(&self) -> (String, &'static str) {
        match self {
            RawParam::Param(p) => (
                p.name.clone(),
                match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                    ParamLocation::Cookie => "cookie",
                },
            ),
            RawParam::Body { name, .. } => (name.clone(), "body"),
            RawParam::Form { name, .. } => (name.clone(), "formData"),
        }
    }
}

impl Builder {
    fn servers_v3(&mut self, root: &Schema) -> Vec<String> {
        let Some(list) = root.get("servers").and_then(Schema::as_array) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, s) in list.iter().enumerate() {
            let Some(url) = s.get("url").and_then(Schema::as_str) else {
                self.r.warn(format!("/servers/{i}: no `url`; skipped"));
                continue;
            };
            let mut url = url.to_string();
            if let Some(vars) = s.get("variables").and_then(Schema::as_object) {
                for (name, var) in vars {
                    let default = var.get("default").map(scalar_text).unwrap_or_default();
                    url = url.replace(&format!("{{{name}}}"), &default);
                }
            }
            out.push(self.absolute(url));
        }
        out
    }

    /// A relative server URL is relative to where the description was fetched from.
    fn absolute(&self, url: String) -> String {
        match &self.origin_url {
            Some(base) if Url::parse(&url).is_err() => {
                base.join(&url).map(|u| u.to_string()).unwrap_or(url)
            }
            _ => url,
        }
    }

    fn servers_v2(&mut self, root: &Schema) -> Vec<String> {
        let base_path = root.get("basePath").and_then(Schema::as_str).unwrap_or("");
        let base_path = if base_path == "/" { "" } else { base_path };
        let host = root
            .get("host")
            .and_then(Schema::as_str)
            .map(String::from)
            .or_else(|| {
                self.origin_url.as_ref().and_then(|u| {
                    u.host_str()
                        .map(|h| u.port().map_or(h.to_string(), |p| format!("{h}:{p}")))
                })
            });
        let Some(host) = host else {
            return if base_path.is_empty() {
                Vec::new()
            } else {
                vec![base_path.to_string()]
            };
        };
        let mut schemes: Vec<String> = root
            .get("schemes")
            .and_then(Schema::as_array)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        schemes.retain(|s| s == "http" || s == "https");
        if schemes.is_empty() {
            schemes.push(
                self.origin_url
                    .as_ref()
                    .map_or("https".into(), |u| u.scheme().to_string()),
            );
        }
        schemes
            .iter()
            .map(|s| format!("{s}://{host}{base_path}"))
            .collect()
    }

    fn security_schemes(&mut self, root: &Schema) -> BTreeMap<String, SecurityScheme> {
        let (ptr, map) = match self.flavor {
            Flavor::Swagger2 => ("/securityDefinitions", root.get("securityDefinitions")),
            _ => (
                "/components/securitySchemes",
                root.get("components")
                    .and_then(|c| c.get("securitySchemes")),
            ),
        };
        let mut out = BTreeMap::new();
        let Some(map) = map.and_then(Schema::as_object) else {
            return out;
        };
        for name in map.keys() {
            let at = child(ptr, name);
            let (doc, p) = match self.r.follow(0, &at) {
                Ok(t) => t,
                Err(e) => {
                    self.r.warn(format!("{at}: {e}; security scheme skipped"));
                    continue;
                }
            };
            let d = self.r.doc(doc);
            let Some(s) = d.pointer(&p) else { continue };
            let text = |k: &str| s.get(k).and_then(Schema::as_str).unwrap_or("").to_string();
            let scheme = match text("type").as_str() {
                "http" => SecurityScheme::Http {
                    scheme: text("scheme").to_ascii_lowercase(),
                    bearer_format: s
                        .get("bearerFormat")
                        .and_then(Schema::as_str)
                        .map(String::from),
                },
                "basic" => SecurityScheme::Http {
                    scheme: "basic".into(),
                    bearer_format: None,
                },
                "apiKey" => match location(&text("in")) {
                    Some(location) => SecurityScheme::ApiKey {
                        name: text("name"),
                        location,
                    },
                    None => {
                        self.r
                            .warn(format!("{at}: apiKey scheme with `in: {}`", text("in")));
                        SecurityScheme::Other
                    }
                },
                "oauth2" => SecurityScheme::Oauth2,
                "openIdConnect" => SecurityScheme::OpenIdConnect,
                _ => SecurityScheme::Other,
            };
            out.insert(name.clone(), scheme);
        }
        out
    }

    fn operations(
        &mut self,
        root: &Schema,
        global_security: &[SecurityRequirement],
    ) -> Vec<Operation> {
        let mut ops = Vec::new();
        let Some(paths) = root.get("paths").and_then(Schema::as_object) else {
            if self.flavor != Flavor::OpenApi31 || root.get("webhooks").is_none() {
                self.r
                    .warn("/paths: missing or empty; no operations".into());
            }
            return ops;
        };
        let mut fragments = 0;
        for key in paths.keys() {
            if key.starts_with("x-") {
                continue;
            }
            let at = child("/paths", key);
            let (doc, item_ptr) = match self.r.follow(0, &at) {
                Ok(t) => t,
                Err(e) => {
                    self.r.warn(format!("{at}: {e}; path skipped"));
                    continue;
                }
            };
            let d = self.r.doc(doc);
            let Some(item) = d.pointer(&item_ptr).and_then(Schema::as_object) else {
                self.r
                    .warn(format!("{at}: path item is not an object; skipped"));
                continue;
            };
            // Some descriptions (Box) tell apart operations on one path with a `#fragment` in the key;
            // the fragment is never sent, so the operation's path is the part before it.
            let path = match key.split_once('#') {
                Some((p, _)) => {
                    fragments += 1;
                    p.to_string()
                }
                None => key.clone(),
            };
            let common = self.params(doc, &item_ptr, item.get("parameters"), &at);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let op_at = child(&at, method);
                let op_ptr = child(&item_ptr, method);
                match op.as_object() {
                    Some(op) => {
                        let o = self.operation(
                            doc,
                            &op_ptr,
                            op,
                            &op_at,
                            &path,
                            method,
                            &common,
                            root,
                            global_security,
                        );
                        ops.push(o);
                    }
                    None => self.r.warn(format!(
                        "{op_at}: operation is {}, not an object; skipped",
                        kind(op)
                    )),
                }
            }
        }
        if fragments > 0 {
            self.r.warn(format!(
                "/paths: {fragments} path key(s) carry a `#fragment`; it was dropped from the operation's path"
            ));
        }
        ops
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        doc: DocId,
        op_ptr: &str,
        op: &SchemaMap,
        at: &str,
        path: &str,
        method: &str,
        common: &[RawParam],
        root: &Schema,
        global_security: &[SecurityRequirement],
    ) -> Operation {
        let own = self.params(doc, op_ptr, op.get("parameters"), at);
        let mut merged: Vec<RawParam> = Vec::with_capacity(common.len() + own.len());
        let own_keys: Vec<_> = own.iter().map(RawParam::key).collect();
        for p in common {
            if !own_keys.contains(&p.key()) {
                merged.push(p.clone());
            }
        }
        merged.extend(own);

        let mut parameters = Vec::new();
        let mut body = None;
        let mut form = Vec::new();
        for p in merged {
            match p {
                RawParam::Param(p) => parameters.push(p),
                RawParam::Body {
                    name: _,
                    required,
                    schema,
                } => body = Some((required, schema)),
                RawParam::Form {
                    name,
                    required,
                    schema,
                    file,
                } => form.push((name, required, schema, file)),
            }
        }

        let request_body = match self.flavor {
            Flavor::Swagger2 => self.body_v2(op, root, body, form),
            _ => match op.get("requestBody") {
                Some(_) => self.body_v3(
                    doc,
                    &child(op_ptr, "requestBody"),
                    &child(at, "requestBody"),
                ),
                None => None,
            },
        };
        let security = match op.get("security") {
            Some(s) if s.as_array().is_some() => security_list(s),
            _ => global_security.to_vec(),
        };
        let produces = self.media_list(op, root, "produces");
        let responses = self.responses(doc, op_ptr, op.get("responses"), at, produces.as_deref());
        Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            operation_id: op
                .get("operationId")
                .and_then(Schema::as_str)
                .map(String::from),
            summary: op.get("summary").and_then(Schema::as_str).map(String::from),
            tags: op
                .get("tags")
                .and_then(Schema::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
            parameters,
            request_body,
            security,
            responses,
            deprecated: op
                .get("deprecated")
                .and_then(Schema::as_bool)
                .unwrap_or(false),
        }
    }

    /// Swagger 2.0 `consumes`/`produces`: the operation's own, else the document's.
    fn media_list(&self, op: &SchemaMap, root: &Schema, key: &str) -> Option<Vec<String>> {
        if self.flavor != Flavor::Swagger2 {
            return None;
        }
        let list = op.get(key).or_else(|| root.get(key))?.as_array()?;
        Some(
            list.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
        )
    }

    fn params(
        &mut self,
        doc: DocId,
        owner_ptr: &str,
        list: Option<&Schema>,
        at: &str,
    ) -> Vec<RawParam> {
        let mut out = Vec::new();
        let Some(list) = list else { return out };
        let Some(items) = list.as_array() else {
            if !list.is_null() {
                self.r
                    .warn(format!("{at}/parameters: not an array; ignored"));
            }
            return out;
        };
        let list_ptr = child(owner_ptr, "parameters");
        for i in 0..items.len() {
            let p_at = format!("{at}/parameters/{i}");
            let (pdoc, pptr) = match self.r.follow(doc, &format!("{list_ptr}/{i}")) {
                Ok(t) => t,
                Err(e) => {
                    self.r.warn(format!("{p_at}: {e}; parameter skipped"));
                    continue;
                }
            };
            if let Some(p) = self.param(pdoc, &pptr, &p_at) {
                out.push(p);
            }
        }
        out
    }

    fn param(&mut self, doc: DocId, ptr: &str, at: &str) -> Option<RawParam> {
        let d = self.r.doc(doc);
        let Some(p) = d.pointer(ptr).and_then(Schema::as_object) else {
            self.r
                .warn(format!("{at}: parameter is not an object; skipped"));
            return None;
        };
        let Some(name) = p.get("name").map(scalar_text) else {
            self.r
                .warn(format!("{at}: parameter without `name`; skipped"));
            return None;
        };
        let place = p.get("in").and_then(Schema::as_str).unwrap_or("");
        let required = p.get("required").and_then(Schema::as_bool).unwrap_or(false);
        if self.flavor == Flavor::Swagger2 {
            match place {
                "body" => {
                    let schema = self.r.schema(doc, &child(ptr, "schema"));
                    return Some(RawParam::Body {
                        name,
                        required,
                        schema,
                    });
                }
                "formData" => {
                    let file = p.get("type").and_then(Schema::as_str) == Some("file");
                    let schema = self.v2_param_schema(doc, p);
                    return Some(RawParam::Form {
                        name,
                        required,
                        schema,
                        file,
                    });
                }
                _ => {}
            }
        }
        let Some(location) = location(place) else {
            self.r.warn(format!(
                "{at}: parameter `{name}` has unknown `in: {place}`; skipped"
            ));
            return None;
        };
        let schema = if self.flavor == Flavor::Swagger2 {
            Some(self.v2_param_schema(doc, p))
        } else if p.contains_key("schema") {
            self.r.schema(doc, &child(ptr, "schema"))
        } else if let Some(content) = p.get("content").and_then(Schema::as_object) {
            content.keys().next().and_then(|m| {
                self.r
                    .schema(doc, &child(&child(&child(ptr, "content"), m), "schema"))
            })
        } else {
            None
        };
        let example = p
            .get("example")
            .map(Schema::to_value)
            .or_else(|| self.first_example(doc, ptr, p.get("examples")))
            .or_else(|| p.get("x-example").map(Schema::to_value));
        Some(RawParam::Param(Parameter {
            name,
            location,
            required: required || location == ParamLocation::Path,
            schema,
            example,
        }))
    }

    /// A JSON Schema from a Swagger 2.0 non-body parameter's own keywords (`type: file` → binary string).
    fn v2_param_schema(&mut self, doc: DocId, p: &SchemaMap) -> Schema {
        const KEYS: &[&str] = &[
            "type",
            "format",
            "items",
            "enum",
            "default",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "pattern",
            "minItems",
            "maxItems",
            "uniqueItems",
            "multipleOf",
            "collectionFormat",
            "allowEmptyValue",
        ];
        let mut s = SchemaMap::new();
        for k in KEYS {
            if let Some(v) = p.get(*k) {
                s.insert((*k).to_string(), v.clone());
            }
        }
        if s.get("type").and_then(Schema::as_str) == Some("file") {
            let string = |t: &str| Schema::string(t);
            s.insert("type".into(), string("string"));
            s.insert("format".into(), string("binary"));
        }
        let items = s.contains_key("items");
        let v = Schema::object(s);
        if items {
            return self.r.inline(doc, &v, 0);
        }
        v
    }

    /// The value of the first entry of an OpenAPI 3 `examples` map (entries may be `$ref`s).
    fn first_example(
        &mut self,
        doc: DocId,
        owner_ptr: &str,
        examples: Option<&Schema>,
    ) -> Option<Value> {
        let m = examples.and_then(Schema::as_object)?;
        let name = m.keys().next()?;
        let (edoc, eptr) = self
            .r
            .follow(doc, &child(&child(owner_ptr, "examples"), name))
            .ok()?;
        self.r
            .doc(edoc)
            .pointer(&eptr)?
            .get("value")
            .map(Schema::to_value)
    }

    fn body_v3(&mut self, doc: DocId, ptr: &str, at: &str) -> Option<RequestBody> {
        let (bdoc, bptr) = match self.r.follow(doc, ptr) {
            Ok(t) => t,
            Err(e) => {
                self.r.warn(format!("{at}: {e}; request body skipped"));
                return None;
            }
        };
        let d = self.r.doc(bdoc);
        let body = d.pointer(&bptr)?;
        let required = body
            .get("required")
            .and_then(Schema::as_bool)
            .unwrap_or(false);
        let Some(content) = body.get("content").and_then(Schema::as_object) else {
            self.r
                .warn(format!("{at}: request body without `content`; skipped"));
            return None;
        };
        let media = pick_request_media(content.keys().map(String::as_str))?;
        let mptr = child(&child(&bptr, "content"), media);
        let mt = content.get(media)?;
        let schema = self.r.schema(bdoc, &child(&mptr, "schema"));
        let example = mt
            .get("example")
            .map(Schema::to_value)
            .or_else(|| self.first_example(bdoc, &mptr, mt.get("examples")));
        Some(RequestBody {
            content_type: media.to_string(),
            required,
            schema,
            example,
        })
    }

    fn body_v2(
        &mut self,
        op: &SchemaMap,
        root: &Schema,
        body: Option<(bool, Option<Schema>)>,
        form: Vec<(String, bool, Schema, bool)>,
    ) -> Option<RequestBody> {
        let consumes = self.media_list(op, root, "consumes").unwrap_or_default();
        if let Some((required, schema)) = body {
            let content_type = pick_request_media(consumes.iter().map(String::as_str))
                .unwrap_or("application/json")
                .to_string();
            return Some(RequestBody {
                content_type,
                required,
                schema,
                example: None,
            });
        }
        if form.is_empty() {
            return None;
        }
        let has_file = form.iter().any(|f| f.3);
        let urlencoded = consumes
            .iter()
            .any(|c| essence(c) == "application/x-www-form-urlencoded");
        let multipart = consumes.iter().any(|c| essence(c) == "multipart/form-data");
        let content_type = if has_file || (multipart && !urlencoded) {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let required_any = form.iter().any(|f| f.1);
        let string = |s: &str| Schema::string(s);
        let required: Vec<Schema> = form.iter().filter(|f| f.1).map(|f| string(&f.0)).collect();
        let properties: SchemaMap = form.into_iter().map(|f| (f.0, f.2)).collect();
        let mut schema = SchemaMap::new();
        schema.insert("type".into(), string("object"));
        schema.insert("properties".into(), Schema::object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Schema::array(required));
        }
        Some(RequestBody {
            content_type: content_type.into(),
            required: required_any,
            schema: Some(Schema::object(schema)),
            example: None,
        })
    }

    fn responses(
        &mut self,
        doc: DocId,
        op_ptr: &str,
        responses: Option<&Schema>,
        at: &str,
        produces: Option<&[String]>,
    ) -> BTreeMap<String, Option<Schema>> {
        let mut out = BTreeMap::new();
        let Some(map) = responses.and_then(Schema::as_object) else {
            return out;
        };
        let rs_ptr = child(op_ptr, "responses");
        for status in map.keys() {
            if status.starts_with("x-") {
                continue;
            }
            let r_at = child(&child(at, "responses"), status);
            let (rdoc, rptr) = match self.r.follow(doc, &child(&rs_ptr, status)) {
                Ok(t) => t,
                Err(e) => {
                    self.r.warn(format!("{r_at}: {e}; response skipped"));
                    continue;
                }
            };
            let d = self.r.doc(rdoc);
            let Some(resp) = d.pointer(&rptr) else {
                continue;
            };
            let schema = match self.flavor {
                Flavor::Swagger2 => {
                    let json_ok = produces.is_none_or(|p| {
                        p.is_empty() || pick_response_media(p.iter().map(String::as_str)).is_some()
                    });
                    if json_ok && resp.get("schema").is_some() {
                        self.r.schema(rdoc, &child(&rptr, "schema"))
                    } else {
                        None
                    }
                }
                _ => match resp.get("content").and_then(Schema::as_object) {
                    Some(content) => {
                        match pick_response_media(content.keys().map(String::as_str)) {
                            Some(m) => self.r.schema(
                                rdoc,
                                &child(&child(&child(&rptr, "content"), m), "schema"),
                            ),
                            None => None,
                        }
                    }
                    _ => None,
                },
            };
            out.insert(status.clone(), schema);
        }
        out
    }
}

fn location(s: &str) -> Option<ParamLocation> {
    match s {
        "path" => Some(ParamLocation::Path),
        "query" => Some(ParamLocation::Query),
        "header" => Some(ParamLocation::Header),
        "cookie" => Some(ParamLocation::Cookie),
        _ => None,
    }
}
