//! Names for the types schemas define inline, and for the variants of `oneOf` enums.

use super::{Schemas, View};
use crate::ir::{TypeKind, TypeRef};
use crate::lower::names::{pascal_ident, type_ident, unique_name};
use openapiv3::{ReferenceOr, Schema};

/// `base`, or `base2`, `base3`, ...: the first that `taken` does not claim.
pub(super) fn numbered(base: &str, taken: impl Fn(&str) -> bool) -> String {
    unique_name(base, taken)
}

/// The first of `names` that `taken` does not claim, else a numbered form of the last.
pub(super) fn first_free(names: &[String], taken: impl Fn(&str) -> bool) -> String {
    match names.iter().find(|name| !taken(name)) {
        Some(name) => name.clone(),
        None => numbered(names.last().map_or("Anonymous", String::as_str), taken),
    }
}

impl Schemas<'_> {
    /// Names an inline definition: the first candidate that is free or already names an
    /// identical definition (numbered forms of the last candidate after them).
    pub(super) fn intern(
        &mut self,
        names: &[String],
        schema: &Schema,
        pointer: &str,
        kind: TypeKind,
    ) -> TypeRef {
        let last = names
            .last()
            .cloned()
            .unwrap_or_else(|| "Anonymous".to_owned());
        let mut numbered = (2..).map(|n| format!("{last}{n}"));
        let mut candidates = names.iter().cloned();
        loop {
            let Some(name) = candidates.next().or_else(|| numbered.next()) else {
                continue;
            };
            if self.reserved.contains(&name) {
                continue;
            }
            match self.by_name.get(&name) {
                None => {
                    let id = self.allocate(&name);
                    self.define(id, schema, pointer, kind);
                    return TypeRef::Named(name);
                }
                Some(id) => {
                    let same = self.types[id.0]
                        .definition
                        .as_ref()
                        .is_some_and(|existing| existing.kind == kind);
                    if same {
                        return TypeRef::Named(name);
                    }
                }
            }
        }
    }
}

/// Candidate names for a type defined inline in property `property` of type `owner`: its
/// title, then (for enums) the bare property name, then the property qualified by its owner.
pub(super) fn inline_names(
    schema: &ReferenceOr<Box<Schema>>,
    owner: &str,
    property: &str,
) -> Vec<String> {
    let mut names = Vec::new();
    let ReferenceOr::Item(schema) = schema else {
        return names;
    };
    let view = View::of(schema);
    // A plain scalar never becomes a type of its own: nothing to name (and naming is a good
    // part of lowering a large description).
    let scalar = matches!(view.typ, Some("string" | "integer" | "number" | "boolean"))
        && view.enumeration.is_empty()
        && view.properties.is_none()
        && view.additional.is_none()
        && view.items.is_none()
        && view.all_of.is_empty()
        && view.one_of.is_empty()
        && view.any_of.is_empty();
    if scalar {
        return names;
    }
    if let Some(title) = &schema.schema_data.title {
        names.push(type_ident(title));
    }
    let is_enum = view.typ == Some("string") && view.enumeration.iter().any(|v| v.is_string());
    if is_enum {
        names.push(type_ident(property));
    }
    names.push(type_ident(&format!("{owner}-{}", pascal_ident(property))));
    names.dedup();
    names
}

/// The variant of a `oneOf` enum that holds a value of `ty`.
pub(super) fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) => name.clone(),
        TypeRef::String => "String".to_owned(),
        TypeRef::I32 | TypeRef::I64 => "Integer".to_owned(),
        TypeRef::F64 => "Number".to_owned(),
        TypeRef::Bool => "Boolean".to_owned(),
        TypeRef::DateTime => "DateTime".to_owned(),
        TypeRef::Date => "Date".to_owned(),
        TypeRef::Json => "Value".to_owned(),
        TypeRef::Bytes => "Bytes".to_owned(),
        TypeRef::File => "File".to_owned(),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Vec(item) => format!("{}List", variant_name(item)),
        TypeRef::Option(inner) => variant_name(inner),
    }
}

/// A type's documentation: its description, else its title.
pub(super) fn describe(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}
