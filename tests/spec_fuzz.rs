//! `from_bytes` never panics or hangs, whatever the bytes: random input, and mutations of a small valid
//! description (so the structural code paths, not just the parsers, see broken input).

use proptest::prelude::*;

const VALID_YAML: &str = r##"openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://{h}/v1", variables: {h: {default: x}}}]
security: [{k: []}]
paths:
  /a/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      parameters: [{$ref: '#/components/parameters/P'}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S'}}}}
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/S'}, examples: {a: {value: 1}}}}}
      responses: {default: {$ref: '#/components/responses/R'}}
components:
  parameters: {P: {name: q, in: query, schema: {type: integer}}}
  responses: {R: {description: r}}
  schemas:
    S: {type: object, properties: {s: {$ref: '#/components/schemas/S'}, n: {type: [string, "null"]}}}
  securitySchemes: {k: {type: apiKey, name: k, in: header}}
"##;

const VALID_SWAGGER: &str = r##"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "host": "h", "basePath": "/b",
"parameters": {"L": {"name": "l", "in": "query", "type": "integer"}},
"definitions": {"D": {"type": "object", "properties": {"d": {"$ref": "#/definitions/D"}}}},
"paths": {"/x": {"parameters": [{"$ref": "#/parameters/L"}],
  "post": {"consumes": ["multipart/form-data"], "parameters": [{"name": "f", "in": "formData", "type": "file"}],
           "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/D"}}}},
  "put": {"parameters": [{"name": "b", "in": "body", "schema": {"$ref": "#/definitions/D"}}], "responses": {}}}}}"##;

fn mutate(base: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut b = base.as_bytes().to_vec();
    for &(pos, op, byte) in edits {
        if b.is_empty() {
            break;
        }
        let i = pos % b.len();
        match op % 4 {
            0 => b[i] = byte,
            1 => {
                b.remove(i);
            }
            2 => b.insert(i, byte),
            _ => b.truncate(i),
        }
    }
    b
}

/// Bytes that matter to JSON, YAML and `$ref` handling.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b'{'),
        Just(b'}'),
        Just(b'['),
        Just(b']'),
        Just(b':'),
        Just(b','),
        Just(b'\n'),
        Just(b' '),
        Just(b'#'),
        Just(b'/'),
        Just(b'~'),
        Just(b'%'),
        Just(b'&'),
        Just(b'*'),
        Just(b'"'),
        Just(b'\''),
        Just(b'-'),
        any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = nat::spec::from_bytes(&bytes, "fuzz.bin");
    }

    #[test]
    fn mutated_yaml_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), interesting_byte()), 1..8)) {
        let bytes = mutate(VALID_YAML, &edits);
        let _ = nat::spec::from_bytes_isolated(&bytes, "fuzz.yaml");
    }

    #[test]
    fn mutated_swagger_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), interesting_byte()), 1..8)) {
        let bytes = mutate(VALID_SWAGGER, &edits);
        let _ = nat::spec::from_bytes_isolated(&bytes, "fuzz.json");
    }
}

#[test]
fn the_unmutated_seeds_load() {
    let y = nat::spec::from_bytes_isolated(VALID_YAML.as_bytes(), "seed.yaml").unwrap();
    assert_eq!(y.operations.len(), 2);
    let s = nat::spec::from_bytes_isolated(VALID_SWAGGER.as_bytes(), "seed.json").unwrap();
    assert_eq!(s.operations.len(), 2);
}

#[test]
fn hostile_shapes_are_errors_not_crashes() {
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(nat::spec::from_bytes(deep_json.as_bytes(), "deep.json").is_err());
    let deep_yaml = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(nat::spec::from_bytes(deep_yaml.as_bytes(), "deep.yaml").is_err());
    // Billion laughs: aliases expanding exponentially.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = if i == 1 {
                String::new()
            } else {
                (i - 1).to_string()
            }
        ));
    }
    assert!(nat::spec::from_bytes(bomb.as_bytes(), "bomb.yaml").is_err());
    // A self-referencing chain of path-item refs.
    let looped = br##"{"openapi": "3.0.0", "info": {}, "paths": {"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"}}}"##;
    let spec = nat::spec::from_bytes(looped, "loop.json").unwrap();
    assert!(spec.operations.is_empty());
    assert_eq!(spec.warnings.len(), 2);
}
