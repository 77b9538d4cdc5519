//! Schemas that list their values (`enum`).

use super::{SchemaType, Shape, View};
use crate::ir::{TypeKind, TypeRef, Variant};
use crate::lower::names::pascal_ident;
use crate::reserved::{first_free, Numbering};
use serde_json::Value;

/// The shape of a schema by the values it lists: a string enum defines a type; numbers and
/// booleans stay numbers and booleans (their values are checked by the server, not named);
/// `None` when nothing but `null` is listed.
pub(super) fn listed_values(view: &View) -> Option<Shape> {
    let values: Vec<&Value> = view.enumeration.iter().filter(|v| !v.is_null()).collect();
    if values.is_empty() {
        return None;
    }
    let nullable = view.admits_null();
    if let Some(strings) = values
        .iter()
        .map(|v| v.as_str())
        .collect::<Option<Vec<&str>>>()
    {
        return Some(Shape::Defines(string_enum(strings.into_iter())));
    }
    let ty = if values.iter().all(|v| v.is_i64() || v.is_u64()) && view.typ != Some("number") {
        match view.format {
            Some("int32") => TypeRef::I32,
            _ => TypeRef::I64,
        }
    } else if values.iter().all(|v| v.is_number()) {
        TypeRef::F64
    } else if values.iter().all(|v| v.is_boolean()) {
        TypeRef::Bool
    } else {
        TypeRef::Json
    };
    Some(Shape::Is(SchemaType { ty, nullable }))
}

/// A string enum, with a catch-all variant for values the description does not list.
pub(super) fn string_enum<'v>(values: impl Iterator<Item = &'v str>) -> TypeKind {
    let mut variants: Vec<Variant> = Vec::new();
    for value in values {
        if variants.iter().any(|v| v.value == value) {
            continue;
        }
        let rust_name = first_free(&pascal_ident(value), Numbering::JOINED, |name| {
            variants.iter().any(|v| v.rust_name == name)
        });
        variants.push(Variant {
            value: value.to_owned(),
            rust_name,
        });
    }
    let mut unknown_variant = "Unknown".to_owned();
    while variants.iter().any(|v| v.rust_name == unknown_variant) {
        unknown_variant.push_str("Value");
    }
    TypeKind::Enum {
        variants,
        unknown_variant,
    }
}
