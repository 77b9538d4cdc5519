//! Deeply nested documents, read without the time `openapiv3` would take on them.
//!
//! `openapiv3` reads a schema as an untagged enum of shapes. Where a schema deep inside a
//! document cannot be read, every schema around it tries its other shapes, each reading the
//! whole inside again: time exponential in the nesting depth (a second at 15 levels, hours
//! at 30). A deep document is therefore read in two steps: each schema on its own, the
//! innermost first, so that a failure is found where it is with the schemas inside it
//! already known to be good; then the whole.

use serde_json::Value;

/// How deep a document may nest before it is read in two steps. Each schema level is two
/// levels of JSON (`properties`, then the name), and the typed reading of a failure costs
/// about `2^(depth / 2)`: under this, milliseconds.
pub const DEEP: usize = 24;

/// How deeply `text` nests, read off its brackets (JSON, YAML flow style) and indentation
/// (YAML block style), without parsing it; errs deep.
pub fn text_depth(text: &str) -> usize {
    let mut deepest = 0;
    let mut brackets: usize = 0;
    let mut in_string: Option<u8> = None;
    let mut escaped = false;
    let mut line_start = true;
    let mut indent = 0;
    // Bytes, not chars: every byte looked for is ASCII, and no byte of a multi-byte UTF-8
    // character is.
    for &c in text.as_bytes() {
        if let Some(quote) = in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' && quote == b'"' {
                escaped = true;
            } else if c == quote || c == b'\n' {
                in_string = None;
            }
            continue;
        }
        match c {
            b'\n' => {
                line_start = true;
                indent = 0;
                continue;
            }
            // Inside brackets (all of a JSON document), indentation is only layout.
            b' ' | b'-' if line_start && brackets == 0 => indent += 1,
            b'"' | b'\'' => in_string = Some(c),
            b'{' | b'[' => brackets += 1,
            b'}' | b']' => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        if c != b' ' && c != b'-' {
            line_start = false;
        }
        deepest = deepest.max(brackets + indent / 2);
    }
    deepest
}

/// How deeply `value` nests.
pub fn value_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            Value::Object(members) => stack.extend(members.values().map(|v| (v, depth + 1))),
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// The places that hold schemas (`components/schemas/*`, every `schema`, and inside a
/// schema its properties, items, additional properties, parts and negation), the
/// innermost after what holds them.
pub fn schema_places(document: &Value) -> Vec<(String, &Value)> {
    let mut places = Vec::new();
    let mut stack: Vec<(String, &Value, bool)> = vec![("#".to_owned(), document, false)];
    while let Some((at, value, is_schema)) = stack.pop() {
        if is_schema {
            places.push((at.clone(), value));
        }
        let members = match value {
            Value::Object(members) => members,
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((format!("{at}/{i}"), item, false));
                }
                continue;
            }
            _ => continue,
        };
        for (key, child) in members {
            // Examples, defaults and extensions hold arbitrary JSON: a key named `schema`
            // there is data, not a schema.
            if is_opaque(&at, key, is_schema) {
                continue;
            }
            let child_at = format!("{at}/{}", crate::diagnostic::escape_pointer_token(key));
            let holds_schema = match key.as_str() {
                "schema" => true,
                "items" | "additionalProperties" | "not" => is_schema && child.is_object(),
                _ => false,
            } || at == "#/components/schemas";
            let holds_schemas = match key.as_str() {
                "properties" => is_schema,
                "allOf" | "anyOf" | "oneOf" => is_schema,
                _ => false,
            };
            if holds_schemas {
                match child {
                    Value::Object(entries) => {
                        for (name, entry) in entries {
                            let entry_at = format!(
                                "{child_at}/{}",
                                crate::diagnostic::escape_pointer_token(name)
                            );
                            stack.push((entry_at, entry, true));
                        }
                    }
                    Value::Array(entries) => {
                        for (i, entry) in entries.iter().enumerate() {
                            stack.push((format!("{child_at}/{i}"), entry, true));
                        }
                    }
                    _ => {}
                }
            } else {
                stack.push((child_at, child, holds_schema));
            }
        }
    }
    places
}

fn is_opaque(at: &str, key: &str, is_schema: bool) -> bool {
    // The names of components (`#/components/schemas/example`) are names, not keywords.
    let names_a_component = at.starts_with("#/components/") && at.matches('/').count() == 2;
    !names_a_component && (key.starts_with("x-") || matches!(key, "example" | "examples"))
        || (is_schema && matches!(key, "default" | "enum"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depths_of_text_and_values() {
        assert_eq!(text_depth(r#"{"a": {"b": [1, "]]]"]}}"#), 3);
        assert_eq!(text_depth("a:\n  b:\n    c: {d: [1]}\n"), 4);
        assert_eq!(
            text_depth("{\n  \"a\": {\n    \"b\": [\n      1\n    ]\n  }\n}\n"),
            3
        );
        assert_eq!(value_depth(&json!({"a": {"b": [1]}})), 3);
    }

    #[test]
    fn schema_places_come_outermost_first() {
        let document = json!({
            "components": {"schemas": {"a": {"properties": {"b": {"items": {"type": "string"}}}}}},
            "paths": {"/x": {"get": {"parameters": [{"schema": {"allOf": [{"not": {}}]}}]}}}
        });
        let places: Vec<String> = schema_places(&document)
            .into_iter()
            .map(|(at, _)| at)
            .collect();
        let position = |at: &str| {
            places
                .iter()
                .position(|p| p == at)
                .unwrap_or_else(|| panic!("{at} in {places:?}"))
        };
        assert!(
            position("#/components/schemas/a") < position("#/components/schemas/a/properties/b")
        );
        assert!(
            position("#/components/schemas/a/properties/b")
                < position("#/components/schemas/a/properties/b/items")
        );
        let schema = "#/paths/~1x/get/parameters/0/schema";
        assert!(position(schema) < position(&format!("{schema}/allOf/0")));
        assert!(
            position(&format!("{schema}/allOf/0")) < position(&format!("{schema}/allOf/0/not"))
        );
    }

    #[test]
    fn examples_and_extensions_hold_data_not_schemas() {
        let document = json!({
            "components": {"schemas": {"example": {"type": "string"}}},
            "paths": {"/x": {"post": {
                "x-samples": {"schema": true},
                "requestBody": {"content": {"application/json": {
                    "schema": {"type": "object", "default": {"schema": 1}},
                    "example": {"schema": true},
                    "examples": {"a": {"value": {"schema": "text"}}}
                }}}
            }}}
        });
        let places: Vec<String> = schema_places(&document)
            .into_iter()
            .map(|(at, _)| at)
            .collect();
        assert_eq!(
            places.iter().filter(|at| at.ends_with("/schema")).count(),
            1,
            "{places:?}"
        );
        assert!(
            places.contains(&"#/components/schemas/example".to_owned()),
            "{places:?}"
        );
    }
}
