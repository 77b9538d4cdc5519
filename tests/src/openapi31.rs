//! A converter from an OpenAPI 3.0 document to its 3.1 rendition, following the 3.1
//! specification and JSON Schema 2020-12, so that the tests can show the generator makes
//! the same crate from either.
//!
//! What changes, in schemas:
//! - `nullable: true` goes: beside `type` it becomes a type list with `'null'`; beside
//!   `oneOf`/`anyOf` it becomes one more branch, `{type: 'null'}`; elsewhere the schema
//!   becomes `anyOf: [<schema>, {type: 'null'}]` (a nullable `allOf: [$ref]` wrapper becomes
//!   `anyOf: [{$ref}, {type: 'null'}]`, 3.1's usual optional reference).
//! - `example` becomes `examples: [example]`.
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric bound itself.
//! - `format: binary` becomes `contentMediaType: application/octet-stream`, `format: byte`
//!   becomes `contentEncoding: base64`.
//! - a one-value `enum` beside a `type` becomes `const`.
//! - a property written `allOf: [{$ref}]` beside only annotations becomes a `$ref` with
//!   siblings, which 3.1 allows.
//!
//! Outside schemas only `openapi` changes: every 3.0 document is a valid 3.1 document in the
//! other objects this generator reads.

use codegen::Generated;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The 3.1 rendition of the 3.0 `document`.
pub fn to_openapi31(document: &Value) -> Value {
    let mut document = document.clone();
    if let Value::Object(map) = &mut document {
        map.insert("openapi".to_owned(), json!("3.1.0"));
    }
    convert_document(&mut document);
    document
}

/// Writes the 3.1 rendition of the 3.0 document at `path` (YAML or JSON) to a fresh file in
/// the temporary directory, as JSON, and returns its path.
pub fn write_rendition(path: &Path) -> PathBuf {
    static WRITTEN: AtomicUsize = AtomicUsize::new(0);
    let text = crate::read(path);
    let document: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).expect("reference documents are valid JSON")
    } else {
        serde_yaml::from_str(&text).expect("reference documents are valid YAML")
    };
    let out = std::env::temp_dir().join(format!(
        "openapi31-{}-{}.json",
        std::process::id(),
        WRITTEN.fetch_add(1, Ordering::Relaxed)
    ));
    let rendition = serde_json::to_string_pretty(&to_openapi31(&document)).expect("values print");
    std::fs::write(&out, rendition).expect("the temporary directory is writable");
    out
}

/// Every file of `a` (generated from the spec named `a_name`) and `b` (from `b_name`) alike,
/// apart from each file's `@generated ... from NAME` line; the crate documentation names
/// the spec too, so `b_name` reads as `a_name` there.
pub fn assert_same_crate(a: &Generated, a_name: &str, b: &Generated, b_name: &str) {
    let paths = |g: &Generated| g.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(a), paths(b));
    for (a, b) in a.files.iter().zip(&b.files) {
        let b_contents = b.contents.replace(b_name, a_name);
        let difference = a
            .contents
            .lines()
            .zip(b_contents.lines())
            .enumerate()
            .skip(1)
            .find(|(_, (a, b))| a != b);
        assert_eq!(difference, None, "{} differs beyond its first line", a.path);
        assert_eq!(
            a.contents.lines().count(),
            b_contents.lines().count(),
            "{}",
            a.path
        );
    }
}

/// Looks for schemas in everything that is not one.
fn convert_document(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => convert_schema(child, false),
                    "schemas" => {
                        if let Value::Object(schemas) = child {
                            for schema in schemas.values_mut() {
                                convert_schema(schema, false);
                            }
                        }
                    }
                    // Examples are data, not description.
                    "example" | "examples" => {}
                    key if key.starts_with("x-") => {}
                    _ => convert_document(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(convert_document),
        _ => {}
    }
}

fn convert_schema(schema: &mut Value, is_property: bool) {
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for property in properties.values_mut() {
            convert_schema(property, true);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            convert_schema(child, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = map.get_mut(key) {
            for part in parts {
                convert_schema(part, false);
            }
        }
    }
    if let Some(example) = map.remove("example") {
        map.insert("examples".to_owned(), json!([example]));
    }
    numeric_bounds(map);
    content_formats(map);
    let nullable = map.remove("nullable") == Some(json!(true));
    if !nullable {
        one_value_enum(map);
    }
    if nullable {
        add_null(map);
    } else if is_property {
        reference_with_siblings(map);
    }
}

fn numeric_bounds(map: &mut Map<String, Value>) {
    for (exclusive, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(exclusive) {
            Some(Value::Bool(true)) => {
                if let Some(bound) = map.remove(inclusive) {
                    map.insert(exclusive.to_owned(), bound);
                }
            }
            Some(Value::Bool(false)) => {
                map.remove(exclusive);
            }
            _ => {}
        }
    }
}

fn content_formats(map: &mut Map<String, Value>) {
    match map.get("format").and_then(Value::as_str) {
        Some("binary") => {
            map.remove("format");
            map.insert(
                "contentMediaType".to_owned(),
                json!("application/octet-stream"),
            );
        }
        Some("byte") => {
            map.remove("format");
            map.insert("contentEncoding".to_owned(), json!("base64"));
        }
        _ => {}
    }
}

fn one_value_enum(map: &mut Map<String, Value>) {
    let single = match map.get("enum") {
        Some(Value::Array(values)) if values.len() == 1 && map.contains_key("type") => {
            values[0].clone()
        }
        _ => return,
    };
    map.remove("enum");
    map.insert("const".to_owned(), single);
}

/// Keywords that only describe. The converter keeps its own list rather than the
/// generator's: it is the other side of the comparison, written from the specification.
fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description"
            | "title"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
            | "default"
            | "examples"
            | "externalDocs"
    ) || key.starts_with("x-")
}

/// `nullable: true` said the 3.1 way.
fn add_null(map: &mut Map<String, Value>) {
    let null = json!({"type": "null"});
    if let Some(ty) = map.get_mut("type") {
        *ty = json!([ty.clone(), "null"]);
        return;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(branches)) = map.get_mut(key) {
            branches.push(null);
            return;
        }
    }
    let (annotations, rest): (Map<String, Value>, Map<String, Value>) = std::mem::take(map)
        .into_iter()
        .partition(|(key, _)| is_annotation(key));
    let branch = match rest.get("allOf") {
        Some(Value::Array(parts))
            if rest.len() == 1 && parts.len() == 1 && parts[0].get("$ref").is_some() =>
        {
            parts[0].clone()
        }
        _ => Value::Object(rest),
    };
    *map = annotations;
    map.insert("anyOf".to_owned(), Value::Array(vec![branch, null]));
}

/// `allOf: [{$ref}]` beside annotations only: a `$ref` with siblings.
fn reference_with_siblings(map: &mut Map<String, Value>) {
    let reference = match map.get("allOf") {
        Some(Value::Array(parts)) if parts.len() == 1 => match &parts[0] {
            Value::Object(part) if part.len() == 1 && part.contains_key("$ref") => {
                part["$ref"].clone()
            }
            _ => return,
        },
        _ => return,
    };
    if map.len() == 1 || !map.keys().all(|key| key == "allOf" || is_annotation(key)) {
        return;
    }
    map.remove("allOf");
    map.insert("$ref".to_owned(), reference);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema31(schema: Value) -> Value {
        let document = json!({"openapi": "3.0.3", "components": {"schemas": {"s": schema}}});
        to_openapi31(&document)["components"]["schemas"]["s"].clone()
    }

    #[test]
    fn nullable_types_become_type_lists() {
        assert_eq!(
            schema31(json!({"type": "string", "nullable": true, "enum": ["a", null]})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        assert_eq!(
            schema31(json!({"type": "integer", "nullable": false})),
            json!({"type": "integer"})
        );
    }

    #[test]
    fn nullable_references_become_any_of_with_null() {
        assert_eq!(
            schema31(
                json!({"allOf": [{"$ref": "#/components/schemas/x"}], "nullable": true, "description": "d"})
            ),
            json!({"description": "d", "anyOf": [{"$ref": "#/components/schemas/x"}, {"type": "null"}]})
        );
        assert_eq!(
            schema31(json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})),
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})
        );
        assert_eq!(
            schema31(json!({"nullable": true, "description": "any"})),
            json!({"description": "any", "anyOf": [{}, {"type": "null"}]})
        );
    }

    #[test]
    fn examples_bounds_formats_and_consts() {
        assert_eq!(
            schema31(
                json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false, "example": 3})
            ),
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 9, "examples": [3]})
        );
        assert_eq!(
            schema31(json!({"type": "string", "format": "binary"})),
            json!({"type": "string", "contentMediaType": "application/octet-stream"})
        );
        assert_eq!(
            schema31(json!({"type": "string", "format": "byte"})),
            json!({"type": "string", "contentEncoding": "base64"})
        );
        assert_eq!(
            schema31(json!({"type": "string", "enum": ["only"]})),
            json!({"type": "string", "const": "only"})
        );
    }

    #[test]
    fn properties_get_references_with_siblings_and_nested_schemas_are_converted() {
        let converted = schema31(json!({
            "type": "object",
            "properties": {
                "owner": {"allOf": [{"$ref": "#/components/schemas/user"}], "description": "who"},
                "tags": {"type": "array", "items": {"type": "string", "nullable": true}},
            }
        }));
        assert_eq!(
            converted["properties"]["owner"],
            json!({"description": "who", "$ref": "#/components/schemas/user"})
        );
        assert_eq!(
            converted["properties"]["tags"]["items"],
            json!({"type": ["string", "null"]})
        );
    }

    #[test]
    fn only_the_version_changes_outside_schemas() {
        let document = json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "string", "nullable": true},
                "example": {"nullable": true},
            }}}}}}}
        });
        let converted = to_openapi31(&document);
        assert_eq!(converted["openapi"], "3.1.0");
        let media =
            &converted["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["schema"], json!({"type": ["string", "null"]}));
        assert_eq!(media["example"], json!({"nullable": true}));
    }
}
