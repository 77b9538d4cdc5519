//! `oneOf` and `anyOf`: an enum with a variant per alternative, dispatched by a
//! discriminator where the description names one.

use super::view::{is_annotation_only, View};
use super::{naming, SchemaType, Schemas, Shape, SCHEMA_REF_PREFIX};
use crate::diagnostic::pointer_join;
use crate::ir::{Discriminator, OneOfVariant, TypeKind, TypeRef};
use crate::load::openapi32;
use crate::lower::names::type_ident;
use crate::reserved::{first_free, Numbering};

impl Schemas<'_> {
    /// An enum with a variant per alternative; the one type when the alternatives agree;
    /// alternatives that only constrain (`required: [a]`) add nothing.
    pub(super) fn alternatives(&mut self, view: &View, pointer: &str, names: &[String]) -> Shape {
        let (keyword, alternatives) = if view.one_of.is_empty() {
            ("anyOf", view.any_of)
        } else {
            ("oneOf", view.one_of)
        };
        let parent = names.first().cloned().unwrap_or_default();
        let mut nullable = view.data.nullable;
        let mut variants: Vec<OneOfVariant> = Vec::new();
        // Component key -> the type its alternative lowered to, for the discriminator.
        let mut referenced: Vec<(String, TypeRef)> = Vec::new();
        for (i, alternative) in alternatives.iter().enumerate() {
            if is_annotation_only(alternative) {
                // `{nullable: true}` beside the real alternatives: the value may be null.
                if let openapiv3::ReferenceOr::Item(item) = alternative {
                    nullable |= item.schema_data.nullable;
                }
                continue;
            }
            let at = pointer_join(pointer, &[keyword, &i.to_string()]);
            let variant_names: Vec<String> = match alternative {
                openapiv3::ReferenceOr::Item(item) => item
                    .schema_data
                    .title
                    .iter()
                    .map(|t| type_ident(t, self.reserved))
                    .chain([format!("{parent}Variant{}", i + 1)])
                    .collect(),
                openapiv3::ReferenceOr::Reference { .. } => Vec::new(),
            };
            let lowered = self.lower(alternative, &at, &variant_names);
            nullable |= lowered.nullable;
            if let openapiv3::ReferenceOr::Reference { reference } = alternative {
                if let Some(key) = reference.strip_prefix(SCHEMA_REF_PREFIX) {
                    referenced.push((key.to_owned(), lowered.ty.clone()));
                }
            }
            if lowered.ty == TypeRef::Json && is_null_only(alternative) {
                continue;
            }
            if variants.iter().any(|v| v.ty == lowered.ty) {
                continue;
            }
            let rust_name = first_free(
                &naming::variant_name(&lowered.ty),
                Numbering::JOINED,
                |name| variants.iter().any(|v| v.rust_name == name),
            );
            variants.push(OneOfVariant {
                rust_name,
                ty: lowered.ty,
                boxed: false,
            });
        }
        match variants.len() {
            0 => {
                return Shape::Is(SchemaType {
                    ty: TypeRef::Json,
                    nullable,
                })
            }
            1 => {
                return Shape::Is(SchemaType {
                    ty: variants.remove(0).ty,
                    nullable,
                })
            }
            _ => {}
        }
        let discriminator = view
            .data
            .discriminator
            .as_ref()
            .map(|d| discriminator(d, &referenced, &variants));
        Shape::Defines(TypeKind::OneOf {
            variants,
            discriminator,
        })
    }
}

/// `{type: 'null'}`-like alternatives (after 3.1 normalisation, `{enum: [null]}`): they make
/// the value nullable and add no variant.
fn is_null_only(alternative: &openapiv3::ReferenceOr<openapiv3::Schema>) -> bool {
    match alternative {
        openapiv3::ReferenceOr::Item(schema) => {
            let view = View::of(schema);
            !view.enumeration.is_empty() && view.enumeration.iter().all(serde_json::Value::is_null)
        }
        openapiv3::ReferenceOr::Reference { .. } => false,
    }
}

/// Discriminator values to variants: the mapping the description gives, then each
/// referenced component by its own name. Variants are found by the type their alternative
/// lowered to, so an alternative listed twice (directly and through an alias) is one variant.
fn discriminator(
    described: &openapiv3::Discriminator,
    referenced: &[(String, TypeRef)],
    variants: &[OneOfVariant],
) -> Discriminator {
    let variant_of = |key: &str| -> Option<String> {
        let (_, ty) = referenced.iter().find(|(k, _)| k == key)?;
        let variant = variants.iter().find(|v| v.ty == *ty)?;
        Some(variant.rust_name.clone())
    };
    let mut mapping: Vec<(String, String)> = Vec::new();
    for (value, target) in &described.mapping {
        let key = target.strip_prefix(SCHEMA_REF_PREFIX).unwrap_or(target);
        if let Some(variant) = variant_of(key) {
            mapping.push((value.clone(), variant));
        }
    }
    for (key, _) in referenced {
        let mapped = described
            .mapping
            .values()
            .any(|t| t.strip_prefix(SCHEMA_REF_PREFIX) == Some(key.as_str()));
        let listed = mapping.iter().any(|(value, _)| value == key);
        if !mapped && !listed {
            if let Some(variant) = variant_of(key) {
                mapping.push((key.clone(), variant));
            }
        }
    }
    let mut unknown_variant = "Unknown".to_owned();
    while variants.iter().any(|v| v.rust_name == unknown_variant) {
        unknown_variant.push_str("Value");
    }
    let default_variant = described
        .extensions
        .get(openapi32::DEFAULT_MAPPING)
        .and_then(serde_json::Value::as_str)
        .and_then(|target| variant_of(target.strip_prefix(SCHEMA_REF_PREFIX).unwrap_or(target)));
    Discriminator {
        property: described.property_name.clone(),
        mapping,
        unknown_variant,
        default_variant,
    }
}
