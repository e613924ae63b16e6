//! The repository's own description fixtures (`fixtures/specs/`).

use nat::spec::{from_file, ParamLocation, SpecError};
use serde_json::json;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/specs")
        .join(name)
}

#[test]
fn multi_file_petstore_loads_with_refs_inlined() {
    let spec = from_file(&fixture("petstore-multi/openapi.yaml")).unwrap();
    assert!(spec.warnings.is_empty(), "{:?}", spec.warnings);
    assert_eq!(spec.servers, ["http://127.0.0.1:8080/api"]);
    let endpoints: Vec<String> = spec.operations.iter().map(|o| o.endpoint()).collect();
    assert_eq!(
        endpoints,
        [
            "GET /pets",
            "POST /pets",
            "GET /pets/{petId}",
            "DELETE /pets/{petId}"
        ]
    );
    let list = &spec.operations[0];
    assert_eq!(list.parameters[0].name, "limit");
    assert!(list.requires_auth());
    let pets = list.responses["200"].as_ref().unwrap();
    let pet = &pets["items"];
    assert_eq!(pet["allOf"][0]["properties"]["name"]["type"], "string");
    let category = &pet["allOf"][0]["properties"]["category"];
    assert_eq!(
        category["properties"]["parent"],
        json!({"x-nat-circular": "./category.yaml"})
    );

    let create = &spec.operations[1];
    let body = create.request_body.as_ref().unwrap();
    assert_eq!(body.content_type, "application/json");
    assert_eq!(body.example.as_ref().unwrap()["name"], "Rex");

    let get = &spec.operations[2];
    let id: Vec<_> = get.params_in(ParamLocation::Path).collect();
    assert_eq!(id[0].example, Some(json!(1)));
    assert!(get.responses["404"].is_some());
    assert!(!spec.operations[3].requires_auth());
    assert!(!serde_json::to_string(&spec).unwrap().contains("$ref"));
}

#[test]
fn invalid_fixtures_are_typed_errors() {
    match from_file(&fixture("invalid-structure.yaml")) {
        Err(SpecError::Invalid {
            pointer, origin, ..
        }) => {
            assert_eq!(pointer, "/paths");
            assert!(origin.ends_with("invalid-structure.yaml"));
        }
        other => panic!("{other:?}"),
    }
    match from_file(&fixture("invalid-syntax.json")) {
        Err(SpecError::Syntax { line, .. }) => assert_eq!(line, 6),
        other => panic!("{other:?}"),
    }
}

#[test]
fn dangling_ref_keeps_the_rest() {
    let spec = from_file(&fixture("dangling-ref.yaml")).unwrap();
    assert_eq!(spec.operations.len(), 2);
    assert!(spec.operations[1].parameters.is_empty());
    assert!(spec
        .warnings
        .iter()
        .any(|w| w.contains("/paths/~1users/get/parameters/0")));
}

#[test]
fn json_with_trailing_comma_loads_as_yaml_with_a_warning() {
    let doc = br#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {}},}}"#;
    let spec = nat::spec::from_bytes(doc, "trailing.json").unwrap();
    assert_eq!(spec.operations.len(), 1);
    assert!(spec.warnings.iter().any(|w| w.contains("read as YAML")));
}
