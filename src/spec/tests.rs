//! Unit tests of the loader on small inline descriptions.

use super::*;
use serde_json::json;

fn load(doc: &str) -> ApiSpec {
    match from_bytes(doc.as_bytes(), "inline.yaml") {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn op<'a>(spec: &'a ApiSpec, method: &str, path: &str) -> &'a Operation {
    match spec
        .operations
        .iter()
        .find(|o| o.method == method && o.path == path)
    {
        Some(o) => o,
        None => panic!("no {method} {path} in {:?}", spec.operations),
    }
}

const PETS: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: "1.2"}
servers:
  - url: https://{region}.example.com:{port}/v1
    variables:
      region: {default: eu}
      port: {default: "8443"}
security: [{bearer: []}]
paths:
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}, example: 7}
      - {name: verbose, in: query, schema: {type: boolean}}
    get:
      operationId: getPet
      tags: [pets]
      parameters:
        - {name: verbose, in: query, schema: {type: string}, examples: {a: {value: "yes"}}}
        - $ref: '#/components/parameters/Trace'
      responses:
        '200':
          description: ok
          content:
            application/xml: {schema: {type: string}}
            application/json: {schema: {$ref: '#/components/schemas/Pet'}}
        '404': {$ref: '#/components/responses/NotFound'}
    put:
      security: []
      requestBody:
        required: true
        content:
          multipart/form-data: {schema: {type: object}}
          application/x-www-form-urlencoded: {schema: {type: object, properties: {a: {type: string}}}}
          application/merge-patch+json:
            schema: {$ref: '#/components/schemas/Pet'}
            example: {name: rex}
      responses: {'204': {description: gone}}
    delete:
      security: [{key: []}, {}]
      responses: {default: {description: x}}
    trace: {responses: {}}
    head: {}
    options: {}
    patch: {requestBody: {$ref: '#/components/requestBodies/Form'}}
    post:
      requestBody:
        content:
          text/plain: {schema: {type: string}}
          application/octet-stream: {schema: {type: string, format: binary}}
components:
  parameters:
    Trace: {name: X-Trace, in: header, schema: {type: string}}
  requestBodies:
    Form:
      content:
        multipart/form-data: {schema: {type: object}}
        application/x-www-form-urlencoded:
          schema: {type: object}
          examples: {first: {$ref: '#/components/examples/F'}}
  examples:
    F: {value: {a: 1}}
  responses:
    NotFound:
      description: nope
      content: {application/problem+json: {schema: {type: object, properties: {title: {type: string}}}}}
  schemas:
    Pet:
      type: object
      example: {name: fido}
      properties:
        name: {type: string}
        parent: {$ref: '#/components/schemas/Pet'}
  securitySchemes:
    bearer: {type: http, scheme: Bearer, bearerFormat: JWT}
    key: {type: apiKey, name: X-Key, in: header}
    o: {type: oauth2, flows: {}}
    oidc: {type: openIdConnect, openIdConnectUrl: https://x}
    tls: {type: mutualTLS}
"##;

#[test]
fn openapi30_operations_methods_and_info() {
    let s = load(PETS);
    assert_eq!(s.openapi_version, "3.0.3");
    assert_eq!(s.title, "Pets");
    assert_eq!(s.api_version, "1.2");
    assert_eq!(s.source, "inline.yaml");
    assert_eq!(s.servers, vec!["https://eu.example.com:8443/v1"]);
    let methods: Vec<_> = s.operations.iter().map(|o| o.method.as_str()).collect();
    assert_eq!(
        methods,
        ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]
    );
    assert!(s.operations.iter().all(|o| o.path == "/pets/{id}"));
    let get = op(&s, "GET", "/pets/{id}");
    assert_eq!(get.operation_id.as_deref(), Some("getPet"));
    assert_eq!(get.tags, ["pets"]);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn parameters_merge_with_operation_winning() {
    let s = load(PETS);
    let get = op(&s, "GET", "/pets/{id}");
    assert_eq!(get.parameters.len(), 3);
    let id = &get.parameters[0];
    assert_eq!((id.name.as_str(), id.location), ("id", ParamLocation::Path));
    assert!(id.required);
    assert_eq!(id.example, Some(json!(7)));
    let verbose: Vec<_> = get.params_in(ParamLocation::Query).collect();
    assert_eq!(verbose.len(), 1);
    assert_eq!(
        verbose[0].schema.as_ref().map(Schema::to_value),
        Some(json!({"type": "string"}))
    );
    assert_eq!(verbose[0].example, Some(json!("yes")));
    let trace: Vec<_> = get.params_in(ParamLocation::Header).collect();
    assert_eq!(trace[0].name, "X-Trace");
    // Path-level parameters reach operations that declare none.
    assert_eq!(op(&s, "DELETE", "/pets/{id}").parameters.len(), 2);
}

#[test]
fn request_body_media_preference_and_examples() {
    let s = load(PETS);
    let put = op(&s, "PUT", "/pets/{id}").request_body.clone().unwrap();
    assert_eq!(put.content_type, "application/merge-patch+json");
    assert!(put.required);
    assert_eq!(put.example, Some(json!({"name": "rex"})));
    let schema = put.schema.unwrap();
    assert_eq!(schema["properties"]["name"]["type"], "string");
    // Schema-level examples stay inside the schema.
    assert_eq!(schema["example"], json!({"name": "fido"}));
    assert_eq!(
        schema["properties"]["parent"],
        json!({"x-nat-circular": "#/components/schemas/Pet"})
    );
    let patch = op(&s, "PATCH", "/pets/{id}").request_body.clone().unwrap();
    assert_eq!(patch.content_type, "application/x-www-form-urlencoded");
    assert_eq!(patch.example, Some(json!({"a": 1})));
    let post = op(&s, "POST", "/pets/{id}").request_body.clone().unwrap();
    // Neither JSON nor a form: the first media type in key order (serde_json maps are sorted; nat does
    // not turn on `preserve_order` crate-wide for this).
    assert_eq!(post.content_type, "application/octet-stream");
    assert!(!post.required);
}

#[test]
fn effective_security_and_schemes() {
    let s = load(PETS);
    let bearer: SecurityRequirement = [("bearer".to_string(), vec![])].into();
    assert_eq!(op(&s, "GET", "/pets/{id}").security, vec![bearer]);
    assert!(op(&s, "GET", "/pets/{id}").requires_auth());
    assert!(op(&s, "PUT", "/pets/{id}").security.is_empty());
    assert!(!op(&s, "PUT", "/pets/{id}").requires_auth());
    assert_eq!(op(&s, "DELETE", "/pets/{id}").security.len(), 2);
    assert!(!op(&s, "DELETE", "/pets/{id}").requires_auth());
    assert_eq!(
        s.security_schemes["bearer"],
        SecurityScheme::Http {
            scheme: "bearer".into(),
            bearer_format: Some("JWT".into())
        }
    );
    assert_eq!(
        s.security_schemes["key"],
        SecurityScheme::ApiKey {
            name: "X-Key".into(),
            location: ParamLocation::Header
        }
    );
    assert_eq!(s.security_schemes["o"], SecurityScheme::Oauth2);
    assert_eq!(s.security_schemes["oidc"], SecurityScheme::OpenIdConnect);
    assert_eq!(s.security_schemes["tls"], SecurityScheme::Other);
}

#[test]
fn responses_keep_json_schemas() {
    let s = load(PETS);
    let get = op(&s, "GET", "/pets/{id}");
    assert_eq!(get.responses.len(), 2);
    assert_eq!(get.responses["200"].as_ref().unwrap()["type"], "object");
    assert_eq!(
        get.responses["404"].as_ref().unwrap()["properties"]["title"]["type"],
        "string"
    );
    assert_eq!(op(&s, "PUT", "/pets/{id}").responses["204"], None);
}

#[test]
fn dangling_refs_skip_only_their_part() {
    let s = load(
        r##"
openapi: 3.0.0
info: {title: t, version: v}
paths:
  /a:
    get:
      parameters: [{$ref: '#/components/parameters/Nope'}, {name: q, in: query}]
      requestBody: {$ref: '#/components/requestBodies/Nope'}
      responses:
        '200': {$ref: '#/components/responses/Nope'}
        '201': {description: x, content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}
  /b: {$ref: '#/components/pathItems/Nope'}
  /c:
    get: {}
"##,
    );
    assert_eq!(s.operations.len(), 2);
    let a = op(&s, "GET", "/a");
    assert_eq!(a.parameters.len(), 1);
    assert!(a.request_body.is_none());
    assert_eq!(a.responses.len(), 1);
    assert_eq!(
        a.responses["201"].as_ref().map(Schema::to_value),
        Some(json!({"x-nat-unresolved": "#/components/schemas/Nope"}))
    );
    let w = s.warnings.join("\n");
    for place in [
        "/paths/~1a/get/parameters/0",
        "/paths/~1a/get/requestBody",
        "/paths/~1a/get/responses/200",
        "/paths/~1b",
        "#/components/schemas/Nope",
    ] {
        assert!(w.contains(place), "{place} not in {w}");
    }
}

#[test]
fn relative_file_refs_and_path_item_refs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("api.yaml");
    std::fs::create_dir_all(dir.path().join("paths")).unwrap();
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    std::fs::write(
        &root,
        "openapi: 3.0.1\ninfo: {title: t, version: v}\npaths:\n  /users:\n    $ref: './paths/users.yaml'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("paths/users.yaml"),
        "get:\n  parameters: [{$ref: '../common.json#/Limit'}]\n  responses:\n    '200':\n      description: x\n      content:\n        application/json:\n          schema: {$ref: '../schemas/user.yaml#/User'}\npost: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("common.json"),
        r#"{"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("schemas/user.yaml"),
        "User:\n  type: object\n  properties:\n    friend: {$ref: '#/User'}\n    name: {$ref: 'name.json'}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("schemas/name.json"),
        r#"{"type": "string"}"#,
    )
    .unwrap();
    let s = from_file(&root).unwrap();
    assert_eq!(s.operations.len(), 2, "{:?}", s.warnings);
    let get = op(&s, "GET", "/users");
    assert_eq!(get.parameters[0].name, "limit");
    let user = get.responses["200"].as_ref().unwrap();
    assert_eq!(user["properties"]["name"]["type"], "string");
    assert_eq!(user["properties"]["friend"]["x-nat-circular"], "#/User");
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // The same text, isolated, may not read the neighbouring files.
    let bytes = std::fs::read(&root).unwrap();
    let iso = from_bytes_isolated(&bytes, &root.display().to_string()).unwrap();
    assert!(iso.operations.is_empty());
    assert!(iso.warnings.iter().any(|w| w.contains("not allowed")));
}

#[test]
fn swagger2_is_converted() {
    let s = load(
        r##"
swagger: "2.0"
info: {title: S, version: "1"}
host: api.example.com
basePath: /v2
schemes: [http, https]
consumes: [application/json]
produces: [application/json]
securityDefinitions:
  basic: {type: basic}
  key: {type: apiKey, name: api_key, in: query}
  o: {type: oauth2, flow: implicit, authorizationUrl: https://x, scopes: {}}
security: [{basic: []}]
parameters:
  Limit: {name: limit, in: query, type: integer, x-example: 5}
responses:
  Err: {description: e, schema: {$ref: '#/definitions/Error'}}
definitions:
  Error: {type: object, properties: {code: {type: integer}}}
  Pet: {type: object, properties: {tags: {type: array, items: {$ref: '#/definitions/Pet'}}}}
paths:
  /pets:
    parameters: [{$ref: '#/parameters/Limit'}]
    post:
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: '#/definitions/Pet'}}
      responses:
        '200': {description: ok, schema: {$ref: '#/definitions/Pet'}}
        default: {$ref: '#/responses/Err'}
  /pets/{id}/photo:
    put:
      consumes: [multipart/form-data]
      produces: [image/png]
      security: []
      parameters:
        - {name: id, in: path, required: true, type: string}
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string}
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: csv}
      responses: {'200': {description: ok, schema: {type: string}}}
  /pets/{id}:
    patch:
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: id, in: path, type: string}
        - {name: name, in: formData, type: string}
      responses: {'200': {description: ok}}
"##,
    );
    assert_eq!(s.openapi_version, "2.0");
    assert_eq!(
        s.servers,
        ["http://api.example.com/v2", "https://api.example.com/v2"]
    );
    assert_eq!(
        s.security_schemes["basic"],
        SecurityScheme::Http {
            scheme: "basic".into(),
            bearer_format: None
        }
    );
    assert_eq!(
        s.security_schemes["key"],
        SecurityScheme::ApiKey {
            name: "api_key".into(),
            location: ParamLocation::Query
        }
    );
    assert_eq!(s.security_schemes["o"], SecurityScheme::Oauth2);
    let post = op(&s, "POST", "/pets");
    assert_eq!(post.parameters.len(), 1);
    assert_eq!(post.parameters[0].example, Some(json!(5)));
    assert_eq!(
        post.parameters[0].schema.as_ref().map(Schema::to_value),
        Some(json!({"type": "integer"}))
    );
    let body = post.request_body.as_ref().unwrap();
    assert_eq!(body.content_type, "application/json");
    assert!(body.required);
    assert_eq!(
        body.schema.as_ref().unwrap()["properties"]["tags"]["items"]["x-nat-circular"],
        "#/definitions/Pet"
    );
    assert_eq!(
        post.responses["default"].as_ref().unwrap()["properties"]["code"]["type"],
        "integer"
    );
    assert_eq!(post.security.len(), 1);

    let put = op(&s, "PUT", "/pets/{id}/photo");
    assert!(put.security.is_empty());
    let form = put.request_body.as_ref().unwrap();
    assert_eq!(form.content_type, "multipart/form-data");
    let fs = form.schema.as_ref().unwrap();
    assert_eq!(
        fs["properties"]["file"],
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(fs["required"], json!(["file"]));
    assert_eq!(put.parameters.len(), 2);
    assert!(put.parameters.iter().all(|p| p.name != "file"));
    // `produces: [image/png]`: no JSON schema for the response.
    assert_eq!(put.responses["200"], None);
    let patch = op(&s, "PATCH", "/pets/{id}");
    assert_eq!(
        patch.request_body.as_ref().unwrap().content_type,
        "application/x-www-form-urlencoded"
    );
    assert!(patch.parameters[0].required, "path parameters are required");
}

#[test]
fn openapi31_features() {
    let s = load(
        r##"
openapi: 3.1.0
info: {title: t, version: v}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                n: {type: [string, "null"], examples: [a, null]}
                k: {const: 3}
                r: {$ref: '#/components/schemas/R', description: refined}
      responses: {'200': {description: ok}}
webhooks:
  hook: {post: {responses: {'200': {description: ok}}}}
components:
  schemas:
    R: {type: integer, description: plain}
"##,
    );
    assert_eq!(s.openapi_version, "3.1.0");
    assert_eq!(s.operations.len(), 1);
    let schema = op(&s, "POST", "/a")
        .request_body
        .as_ref()
        .unwrap()
        .schema
        .clone()
        .unwrap();
    assert_eq!(schema["properties"]["n"]["type"], json!(["string", "null"]));
    assert_eq!(schema["properties"]["n"]["examples"], json!(["a", null]));
    assert_eq!(schema["properties"]["k"]["const"], 3);
    assert_eq!(
        schema["properties"]["r"],
        json!({"type": "integer", "description": "refined"})
    );

    let hooks = load(
        "openapi: 3.1.0\ninfo: {title: t, version: v}\nwebhooks:\n  h: {post: {responses: {'200': {description: ok}}}}\n",
    );
    assert!(hooks.operations.is_empty());
}

#[test]
fn path_fragment_keys_and_extensions() {
    let s = load(
        "openapi: 3.0.0\ninfo: {title: t, version: v}\npaths:\n  x-internal: {get: {}}\n  /files/{id}:\n    put: {}\n  /files/{id}#share:\n    put: {}\n",
    );
    assert_eq!(s.operations.len(), 2);
    assert!(s
        .operations
        .iter()
        .all(|o| o.endpoint() == "PUT /files/{id}"));
    assert!(s.warnings.iter().any(|w| w.contains("#fragment")));
}

#[test]
fn bad_documents_are_typed_errors_naming_the_origin() {
    let err = |doc: &str| match from_bytes(doc.as_bytes(), "bad.yaml") {
        Ok(s) => panic!("loaded {s:?}"),
        Err(e) => e,
    };
    assert!(matches!(
        err("openapi: 4.0.0\npaths: {}\n"),
        SpecError::Unsupported { version, .. } if version == "4.0.0"
    ));
    assert!(matches!(
        err("swagger: '1.2'\n"),
        SpecError::Unsupported { .. }
    ));
    assert!(matches!(
        err("info: {title: t}\npaths: {}\n"),
        SpecError::Invalid { pointer, .. } if pointer == "/"
    ));
    assert!(matches!(err("[1, 2]"), SpecError::Invalid { .. }));
    assert!(matches!(err("just a string"), SpecError::Invalid { .. }));
    assert!(matches!(
        err("openapi: 3.0.0\npaths: [1]\n"),
        SpecError::Invalid { pointer, .. } if pointer == "/paths"
    ));
    let e = err("openapi: 3.0.0\npaths:\n  /a: {get: [}\n");
    assert!(matches!(e, SpecError::Syntax { line: 3, .. }), "{e:?}");
    assert!(e.to_string().starts_with("bad.yaml:3:"), "{e}");
    let missing = from_file(std::path::Path::new("/nonexistent/nat/spec.yaml")).unwrap_err();
    assert!(matches!(missing, SpecError::Read { .. }));
    assert!(missing.to_string().contains("/nonexistent/nat/spec.yaml"));
}

#[test]
fn yaml_number_versions_and_nonstring_status_keys() {
    let s = load(
        "swagger: 2.0\ninfo: {title: t, version: 1.0}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok, schema: {type: string}}\n",
    );
    assert_eq!(s.openapi_version, "2.0");
    assert_eq!(s.api_version, "1.0");
    assert!(op(&s, "GET", "/a").responses.contains_key("200"));
}

/// Serves `routes` (path → body) on 127.0.0.1 for `load` over http; `/loop` redirects to itself.
async fn serve(routes: Vec<(&'static str, String)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let routes = routes.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
                let resp = if path == "/loop" {
                    "HTTP/1.1 302 Found\r\nlocation: /loop\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_string()
                } else {
                    match routes.iter().find(|(p, _)| *p == path) {
                        Some((_, body)) => format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        ),
                        None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".into(),
                    }
                };
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn load_fetches_urls_and_their_relative_refs() {
    let base = serve(vec![
        (
            "/api/openapi.yaml",
            "openapi: 3.0.0\ninfo: {title: t, version: v}\nservers: [{url: /v1}]\npaths:\n  /u:\n    $ref: 'paths/u.yaml'\n".into(),
        ),
        (
            "/api/paths/u.yaml",
            "get:\n  responses:\n    '200':\n      description: ok\n      content: {application/json: {schema: {$ref: '../s.json#/U'}}}\n".into(),
        ),
        ("/api/s.json", r#"{"U": {"type": "object"}}"#.into()),
    ])
    .await;
    let s = super::load(&format!("{base}/api/openapi.yaml"))
        .await
        .unwrap();
    assert_eq!(s.operations.len(), 1, "{:?}", s.warnings);
    assert_eq!(s.servers, [format!("{base}/v1")]);
    assert_eq!(
        op(&s, "GET", "/u").responses["200"]
            .as_ref()
            .map(Schema::to_value),
        Some(json!({"type": "object"}))
    );
    let e = super::load(&format!("{base}/missing.json"))
        .await
        .unwrap_err();
    assert!(matches!(e, SpecError::Fetch { .. }), "{e:?}");
    let e = super::load(&format!("{base}/loop")).await.unwrap_err();
    assert!(matches!(e, SpecError::Fetch { .. }), "{e:?}");
}

#[tokio::test]
async fn load_reads_local_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    std::fs::write(&p, "\u{feff}{\"swagger\": \"2.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"}, \"paths\": {\"/x\": {\"get\": {}}}}").unwrap();
    let s = super::load(&p.display().to_string()).await.unwrap();
    assert_eq!(s.operations.len(), 1);
    assert!(s.servers.is_empty());
}

/// A key given twice loads (the last value wins, like mainstream validators) with a warning naming
/// the key and its mapping, in YAML (which serde_yaml_ng alone refuses) and in JSON.
#[test]
fn duplicate_keys_load_with_the_last_value_and_a_warning() {
    let yaml = r#"
swagger: "2.0"
info: {title: t, version: "1"}
produces: [image/png]
paths:
  /a:
    get:
      summary: first
      summary: last
      responses:
        200: {description: ok, schema: {type: string}}
produces: [application/json]
"#;
    let s = load(yaml);
    let get = op(&s, "GET", "/a");
    assert_eq!(get.summary.as_deref(), Some("last"));
    // The last `produces` is JSON, so the response schema is kept.
    assert_eq!(
        get.responses["200"],
        Some(Schema::from(json!({"type": "string"})))
    );
    let w = s.warnings.join("\n");
    assert!(
        w.contains("inline.yaml: key `produces` appears more than once in (top level)"),
        "{w}"
    );
    assert!(
        w.contains("key `summary` appears more than once in paths → /a → get"),
        "{w}"
    );

    let json = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/b": {"get": {"summary": "first", "summary": "last", "responses": {}}}},
        "paths": {"/c": {"get": {"responses": {}}}}}"#;
    let s = from_bytes(json.as_bytes(), "dup.json").unwrap();
    assert_eq!(s.operations.len(), 1, "the last `paths` wins");
    op(&s, "GET", "/c");
    let w = s.warnings.join("\n");
    assert!(
        w.contains("dup.json: key `paths` appears more than once in (top level)"),
        "{w}"
    );
    assert!(
        w.contains("key `summary` appears more than once in paths → /b → get"),
        "{w}"
    );
    // Clean documents have no such warning.
    assert!(load(PETS)
        .warnings
        .iter()
        .all(|w| !w.contains("more than once")));
}

/// A repeated key in a referenced file is read the same way, and its warning reaches the spec.
#[test]
fn duplicate_keys_in_a_referenced_file_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("api.yaml");
    std::fs::write(
        &root,
        "openapi: 3.0.1\ninfo: {title: t, version: v}\npaths:\n  /users:\n    $ref: './users.yaml'\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("users.yaml"),
        "get:\n  summary: a\n  summary: b\n  responses: {}\n",
    )
    .unwrap();
    let s = from_file(&root).unwrap();
    assert_eq!(op(&s, "GET", "/users").summary.as_deref(), Some("b"));
    assert!(
        s.warnings.iter().any(|w| w.ends_with(
            "users.yaml: key `summary` appears more than once in get; the last value is used"
        )),
        "{:?}",
        s.warnings
    );
}
