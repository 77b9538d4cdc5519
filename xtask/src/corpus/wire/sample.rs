//! A value for a schema, as a careful caller would write one from the description alone: its
//! example first, else its default, else the first of its `enum`, else one built from its
//! type, pattern, format and bounds (an object with its required properties, an array of
//! one item).

use super::pattern::sample_of;
use codegen::openapiv3::{
    OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::{json, Map, Value};

/// How deep a value is built before the rest is left out (recursive schemas).
const MAX_DEPTH: usize = 8;

/// A value of `schema`; `from_example` is set when any part of it is the description's own
/// example or default (so that a refusal of it may be the description's fault).
pub fn sample(spec: &OpenAPI, schema: &ReferenceOr<Schema>, from_example: &mut bool) -> Value {
    value(spec, schema, 0, from_example)
}

/// The schema a `$ref` among the components leads to (a chain of them too).
pub fn resolve<'a>(spec: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    let mut current = schema;
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(schema) => return Some(schema),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/schemas/")?;
                current = spec.components.as_ref()?.schemas.get(name)?;
            }
        }
    }
    None
}

fn boxed(schema: &ReferenceOr<Box<Schema>>) -> ReferenceOr<Schema> {
    match schema {
        ReferenceOr::Item(schema) => ReferenceOr::Item((**schema).clone()),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    }
}

fn value(
    spec: &OpenAPI,
    schema: &ReferenceOr<Schema>,
    depth: usize,
    from_example: &mut bool,
) -> Value {
    let Some(schema) = resolve(spec, schema) else {
        return Value::Null;
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let data = &schema.schema_data;
    if let Some(example) = data.example.as_ref().filter(|e| !e.is_null()) {
        *from_example = true;
        return example.clone();
    }
    if let Some(default) = data.default.as_ref().filter(|d| !d.is_null()) {
        *from_example = true;
        return default.clone();
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => {
            if let Some(first) = string.enumeration.iter().flatten().next() {
                return Value::String(first.clone());
            }
            let min_length = string.min_length.unwrap_or(0);
            if let Some(text) = string
                .pattern
                .as_deref()
                .and_then(|p| sample_of(p, min_length))
            {
                let length = text.chars().count();
                let fits = string.min_length.is_none_or(|min| length >= min)
                    && string.max_length.is_none_or(|max| length <= max);
                if fits {
                    return Value::String(text);
                }
            }
            let text = match &string.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => "2024-01-02T03:04:05Z",
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => "2024-01-02",
                VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => "d2lyZQ==",
                VariantOrUnknownOrEmpty::Item(StringFormat::Password) => "Wire-pass-1",
                VariantOrUnknownOrEmpty::Unknown(format) => match format.as_str() {
                    "uuid" => "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
                    "email" => "wire@example.com",
                    "uri" | "url" | "uri-reference" | "iri" => "https://example.com/wire",
                    "hostname" => "example.com",
                    "ipv4" => "192.0.2.1",
                    "ipv6" => "2001:db8::1",
                    "time" => "03:04:05Z",
                    "int32" | "int64" | "integer" => "1",
                    _ => "wire",
                },
                _ => "wire",
            };
            let mut text = text.to_owned();
            if let Some(min) = string.min_length {
                while text.chars().count() < min {
                    text.push('w');
                }
            }
            if let Some(max) = string.max_length {
                text = text.chars().take(max.max(1)).collect();
            }
            Value::String(text)
        }
        SchemaKind::Type(Type::Integer(integer)) => {
            if let Some(first) = integer.enumeration.iter().flatten().next() {
                return json!(first);
            }
            let mut n: i64 = 1;
            if let Some(min) = integer.minimum {
                n = n.max(if integer.exclusive_minimum {
                    min + 1
                } else {
                    min
                });
            }
            if let Some(max) = integer.maximum {
                n = n.min(if integer.exclusive_maximum {
                    max - 1
                } else {
                    max
                });
            }
            json!(n)
        }
        SchemaKind::Type(Type::Number(number)) => {
            if let Some(first) = number.enumeration.iter().flatten().next() {
                return json!(first);
            }
            let mut n = 1.0_f64;
            if let Some(min) = number.minimum {
                n = n.max(if number.exclusive_minimum {
                    min + 1.0
                } else {
                    min
                });
            }
            if let Some(max) = number.maximum {
                n = n.min(if number.exclusive_maximum {
                    max - 1.0
                } else {
                    max
                });
            }
            json!(n)
        }
        SchemaKind::Type(Type::Boolean(_)) => Value::Bool(true),
        SchemaKind::Type(Type::Array(array)) => {
            let item = match &array.items {
                Some(items) => value(spec, &boxed(items), depth + 1, from_example),
                None => Value::String("wire".to_owned()),
            };
            let count = array.min_items.unwrap_or(1).clamp(1, 3);
            Value::Array(vec![item; count])
        }
        SchemaKind::Type(Type::Object(object)) => {
            let mut members = Map::new();
            for name in &object.required {
                if let Some(property) = object.properties.get(name) {
                    members.insert(
                        name.clone(),
                        value(spec, &boxed(property), depth + 1, from_example),
                    );
                }
            }
            Value::Object(members)
        }
        SchemaKind::AllOf { all_of } => {
            let mut merged = Map::new();
            for part in all_of {
                match value(spec, part, depth + 1, from_example) {
                    Value::Object(members) => merged.extend(members),
                    other if merged.is_empty() => return other,
                    _ => {}
                }
            }
            Value::Object(merged)
        }
        // Text where text is one of the choices: a number would also read as text, and so
        // match more than `oneOf` allows (`1` for `integer | string`).
        SchemaKind::OneOf { one_of: choices } | SchemaKind::AnyOf { any_of: choices } => {
            let text = choices.iter().find(|choice| {
                resolve(spec, choice)
                    .is_some_and(|s| matches!(s.schema_kind, SchemaKind::Type(Type::String(_))))
            });
            match text.or(choices.first()) {
                Some(choice) => value(spec, choice, depth + 1, from_example),
                None => Value::Null,
            }
        }
        SchemaKind::Not { .. } => Value::Null,
        SchemaKind::Any(any) => {
            if !any.properties.is_empty() || any.typ.as_deref() == Some("object") {
                let mut members = Map::new();
                for name in &any.required {
                    if let Some(property) = any.properties.get(name) {
                        members.insert(
                            name.clone(),
                            value(spec, &boxed(property), depth + 1, from_example),
                        );
                    }
                }
                Value::Object(members)
            } else if let Some(first) = any.enumeration.first() {
                first.clone()
            } else {
                Value::String("wire".to_owned())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(components: &str) -> OpenAPI {
        let text = format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{components}");
        codegen::load(&text, "t.yaml").expect("loads").spec
    }

    fn of(spec: &OpenAPI, name: &str) -> (Value, bool) {
        let mut from_example = false;
        let schema = ReferenceOr::Reference {
            reference: format!("#/components/schemas/{name}"),
        };
        (sample(spec, &schema, &mut from_example), from_example)
    }

    #[test]
    fn values_follow_examples_then_types_formats_and_bounds() {
        let spec = spec("    Pet:\n      type: object\n      required: [id, name, tags, born, kind]\n      properties:\n        id: {type: string, format: uuid}\n        name: {type: string, minLength: 6}\n        tags: {type: array, minItems: 2, items: {type: integer, minimum: 5}}\n        born: {type: string, format: date}\n        kind: {$ref: '#/components/schemas/Kind'}\n        note: {type: string}\n    Kind: {type: string, enum: [cat, dog]}\n    Named: {type: string, example: Rex}\n    Node: {type: object, required: [next], properties: {next: {$ref: '#/components/schemas/Node'}}}\n");
        let (pet, from_example) = of(&spec, "Pet");
        assert_eq!(
            pet,
            json!({"id": "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f", "name": "wireww", "tags": [5, 5], "born": "2024-01-02", "kind": "cat"})
        );
        assert!(!from_example);
        assert_eq!(of(&spec, "Named"), (json!("Rex"), true));
        // A schema that contains itself ends.
        let (node, _) = of(&spec, "Node");
        assert!(node.to_string().contains("null"), "{node}");
    }
}
