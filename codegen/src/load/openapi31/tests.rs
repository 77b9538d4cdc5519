use super::normalise;
use crate::locate::PointerMap;
use serde_json::{json, Value};

/// The component schema `s` normalised, and where pointers into it lead back to.
fn component(schema: Value) -> (Value, impl Fn(&str) -> String) {
    let document = json!({"openapi": "3.1.0", "components": {"schemas": {"s": schema}}});
    let normalised = normalise(document, "f");
    assert!(
        normalised.diagnostics.is_empty(),
        "{:?}",
        normalised.diagnostics
    );
    let origin = normalised.origin;
    (
        normalised.document["components"]["schemas"]["s"].clone(),
        move |pointer: &str| origin.original(&format!("#/components/schemas/s{pointer}")),
    )
}

#[test]
fn null_branches_go_and_the_rest_keep_their_origin() {
    let (schema, origin) = component(json!({"oneOf": [
        {"type": "null"},
        {"type": "string"},
        {"$ref": "#/components/schemas/t", "nullable": true},
    ]}));
    assert_eq!(
        schema,
        json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/t"}], "nullable": true})
    );
    assert_eq!(origin("/oneOf/0"), "#/components/schemas/s/oneOf/1");
    assert_eq!(
        origin("/oneOf/1/$ref"),
        "#/components/schemas/s/oneOf/2/$ref"
    );
}

#[test]
fn one_branch_left_is_merged_or_becomes_the_one_part() {
    let (schema, origin) = component(json!({
        "description": "d",
        "anyOf": [{"type": "null"}, {"type": "object", "properties": {"a": {"type": "string"}}}],
    }));
    assert_eq!(
        schema,
        json!({"description": "d", "nullable": true, "type": "object", "properties": {"a": {"type": "string"}}})
    );
    assert_eq!(
        origin("/properties/a"),
        "#/components/schemas/s/anyOf/1/properties/a"
    );
    let (schema, origin) =
        component(json!({"anyOf": [{"$ref": "#/components/schemas/t"}, {"type": "null"}]}));
    assert_eq!(
        schema,
        json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/t"}]})
    );
    assert_eq!(origin("/allOf/0"), "#/components/schemas/s/anyOf/0");
}

#[test]
fn type_lists_split_into_branches_that_lead_back_to_the_schema() {
    let (schema, origin) = component(json!({
        "type": ["object", "array", "null"],
        "description": "d",
        "properties": {"a": {"type": "string"}},
        "items": {"type": "integer"},
        "minItems": 1,
    }));
    assert_eq!(
        schema,
        json!({
            "description": "d",
            "nullable": true,
            "oneOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"type": "array", "items": {"type": "integer"}, "minItems": 1},
            ],
        })
    );
    assert_eq!(
        origin("/oneOf/0/properties/a"),
        "#/components/schemas/s/properties/a"
    );
    assert_eq!(origin("/oneOf/1/items"), "#/components/schemas/s/items");
}

#[test]
fn a_merged_branch_split_by_type_still_leads_back() {
    let (schema, origin) = component(json!({"anyOf": [
        {"type": ["string", "object"], "properties": {"a": {"type": "string"}}},
        {"type": "null"},
    ]}));
    assert_eq!(
        schema["oneOf"][1]["properties"]["a"],
        json!({"type": "string"})
    );
    assert_eq!(
        origin("/oneOf/1/properties/a"),
        "#/components/schemas/s/anyOf/0/properties/a"
    );
}

#[test]
fn references_with_object_siblings_become_all_of() {
    let (schema, origin) = component(json!({
        "$ref": "#/components/schemas/t",
        "description": "only documents a field",
        "required": ["a"],
        "allOf": [{"$ref": "#/components/schemas/u"}],
    }));
    assert_eq!(
        schema,
        json!({"allOf": [
            {"$ref": "#/components/schemas/t"},
            {"required": ["a"]},
            {"$ref": "#/components/schemas/u"},
        ]})
    );
    assert_eq!(origin("/allOf/0"), "#/components/schemas/s");
    assert_eq!(origin("/allOf/2"), "#/components/schemas/s/allOf/0");
}

/// References into schemas and `$defs` are made references to components before this
/// rewrite (by `local_refs`, as `load` does); the two together hoist each target once.
#[test]
fn refs_into_schemas_and_defs_are_hoisted_once() {
    let mut document = json!({
        "openapi": "3.1.0",
        "components": {"schemas": {
            "a": {"properties": {"b": {"type": "string"}}, "$defs": {"c": {"type": "integer"}}},
            "d": {"properties": {
                "e": {"$ref": "#/components/schemas/a/properties/b"},
                "f": {"$ref": "#/components/schemas/a/properties/b"},
                "g": {"$ref": "#/components/schemas/a/$defs/c"},
                "h": {"$ref": "#/components/schemas/a/%24defs/c"},
            }},
        }},
    });
    let mut moved = PointerMap::default();
    let errors = crate::load::local_refs::rewrite(&mut document, &mut moved, "f");
    assert!(errors.is_empty(), "{errors:?}");
    let normalised = normalise(document, "f");
    let origin = normalised.origin.after(moved);
    let schemas = &normalised.document["components"]["schemas"];
    assert_eq!(schemas["a-b"], json!({"type": "string"}));
    assert_eq!(schemas["a-c"], json!({"type": "integer"}));
    let d = &schemas["d"]["properties"];
    assert_eq!(d["e"]["$ref"], "#/components/schemas/a-b");
    assert_eq!(d["f"]["$ref"], "#/components/schemas/a-b");
    assert_eq!(d["g"]["$ref"], "#/components/schemas/a-c");
    assert_eq!(d["h"]["$ref"], "#/components/schemas/a-c");
    assert_eq!(
        origin.original("#/components/schemas/a-b/type"),
        "#/components/schemas/a/properties/b/type"
    );
    assert!(!schemas["a"].as_object().unwrap().contains_key("$defs"));
    assert_eq!(
        schemas.as_object().unwrap().len(),
        4,
        "a, d, a-b, a-c: {schemas:#}"
    );
}

#[test]
fn documents_that_are_not_objects_pass_through() {
    for document in [json!(null), json!([1, 2]), json!("3.1.0")] {
        let normalised = normalise(document.clone(), "f");
        assert_eq!(normalised.document, document);
    }
}
