//! Names for the types schemas define inline, and for the variants of `oneOf` enums.

use super::{Schemas, TypeId, View};
use crate::ir::{TypeKind, TypeRef};
use crate::lower::names::{pascal_ident, type_ident};
use crate::reserved::{first_free, Numbering, Reserved};
use openapiv3::{ReferenceOr, Schema};

/// The first of `candidates` that `taken` does not claim, else the first free numbered form
/// of the last.
pub(super) fn first_free_of(candidates: &[String], taken: impl Fn(&str) -> bool) -> String {
    match candidates.iter().find(|name| !taken(name)) {
        Some(name) => name.clone(),
        None => first_free(
            candidates.last().map_or("Anonymous", String::as_str),
            Numbering::JOINED,
            taken,
        ),
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
        let same = |id: &TypeId| {
            self.types[id.0]
                .definition
                .as_ref()
                .is_some_and(|existing| existing.kind == kind)
        };
        let name = first_free_of(names, |name| {
            self.claimed.contains(name) || self.by_name.get(name).is_some_and(|id| !same(id))
        });
        if !self.by_name.contains_key(&name) {
            let id = self.allocate(&name);
            self.define(id, schema, pointer, kind);
        }
        TypeRef::Named(name)
    }
}

/// Candidate names for a type defined inline in property `property` of type `parent`: its
/// title, then (for enums) the bare property name, then the property qualified by its parent.
pub(super) fn inline_names(
    schema: &ReferenceOr<Box<Schema>>,
    parent: &str,
    property: &str,
    reserved: &Reserved,
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
        names.push(type_ident(title, reserved));
    }
    let is_enum = view.typ == Some("string") && view.enumeration.iter().any(|v| v.is_string());
    if is_enum {
        names.push(type_ident(property, reserved));
    }
    names.push(type_ident(
        &format!("{parent}-{}", pascal_ident(property)),
        reserved,
    ));
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
