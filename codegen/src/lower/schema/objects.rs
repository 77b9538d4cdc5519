//! Objects: properties become struct fields, and `allOf` parts are merged into one struct.

use super::view::View;
use super::{naming, SchemaType, Schemas, Shape, SCHEMA_REF_PREFIX};
use crate::diagnostic::{pointer_join, Diagnostic};
use crate::ir::{Field, TypeKind, TypeRef};
use crate::lower::names::snake_ident;
use crate::lower::refs;
use crate::reserved::{first_free, Numbering};
use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema};

/// The object an `allOf` (or a plain object schema) describes: every property with the
/// place it is written, so that each is lowered once, where it stands.
#[derive(Default)]
struct Merged<'s> {
    properties: IndexMap<String, (&'s ReferenceOr<Box<Schema>>, String)>,
    required: Vec<String>,
    additional: Option<(&'s AdditionalProperties, String)>,
}

impl<'s> Merged<'s> {
    fn add(&mut self, view: &View<'s>, pointer: &str) {
        for (name, property) in view.properties.into_iter().flatten() {
            let at = pointer_join(pointer, &["properties", name]);
            self.properties.insert(name.clone(), (property, at));
        }
        for name in view.required {
            if !self.required.contains(name) {
                self.required.push(name.clone());
            }
        }
        if let Some(additional) = view.additional {
            let at = pointer_join(pointer, &["additionalProperties"]);
            self.additional = Some((additional, at));
        }
    }
}

/// What an `allOf` part contributes.
enum Part<'s> {
    /// Nothing to the type (a description, a `required` list: merged all the same).
    Annotation,
    /// Properties, merged.
    Object,
    /// A type of its own (a string, an array, alternatives...).
    Value(&'s ReferenceOr<Schema>, String),
}

impl<'a> Schemas<'a> {
    /// An object schema's struct.
    pub(super) fn struct_kind(&mut self, view: &View, pointer: &str, names: &[String]) -> TypeKind {
        let mut merged = Merged::default();
        merged.add(view, pointer);
        self.merged_struct(&merged, names)
    }

    fn merged_struct(&mut self, merged: &Merged, names: &[String]) -> TypeKind {
        let parent = names.first().cloned().unwrap_or_default();
        let mut fields: Vec<Field> = Vec::with_capacity(merged.properties.len());
        for (name, (property, at)) in &merged.properties {
            let wanted = snake_ident(name);
            let taken = |candidate: &str| fields.iter().any(|f| f.rust_name == candidate);
            let rust_name = if taken(&wanted) {
                let unique = first_free(&wanted, Numbering::SNAKE, taken);
                let other = fields
                    .iter()
                    .find(|f| f.rust_name == wanted)
                    .map_or("", |f| f.name.as_str());
                self.diagnostics.push(
                    Diagnostic::warning(
                        self.spec_name,
                        at.clone(),
                        format!(
                            "properties `{other}` and `{name}` both become the Rust field `{wanted}`; `{name}` is `{unique}`"
                        ),
                    )
                    .with_hint("rename one of them for a name that says more"),
                );
                unique
            } else {
                wanted
            };
            let candidates = naming::inline_names(property, &parent, name, self.reserved);
            let lowered = self.lower_boxed(property, at, &candidates);
            let (description, deprecated) = match property {
                ReferenceOr::Item(schema) => {
                    (naming::describe(schema), schema.schema_data.deprecated)
                }
                ReferenceOr::Reference { .. } => (None, false),
            };
            fields.push(Field {
                name: name.clone(),
                rust_name,
                ty: lowered.ty,
                required: merged.required.iter().any(|r| r == name),
                nullable: lowered.nullable,
                boxed: false,
                description,
                deprecated,
                setter: None,
            });
        }
        let additional_properties = match merged.additional {
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Schema(schema), ref at)) => {
                let names = [format!("{parent}Value")];
                Some(self.lower(schema, at, &names).with_null())
            }
            Some((AdditionalProperties::Any(false), _)) | None => None,
        };
        TypeKind::Struct {
            fields,
            additional_properties,
        }
    }

    /// `allOf`: the type its parts mean together. Object parts merge into one struct; parts
    /// that only annotate are skipped; one part that is a type of its own (or a `$ref`, with
    /// annotations beside it) is that type.
    pub(super) fn all_of(&mut self, view: &View, pointer: &str, names: &[String]) -> Shape {
        // `allOf: [{nullable: true}, {$ref: ...}]` is how some descriptions say that a
        // referenced type may be null; lenient validators read it so, and servers send null.
        let nullable_part = view.all_of.iter().any(|part| match part {
            ReferenceOr::Item(schema) => {
                schema.schema_data.nullable && View::of(schema).is_annotation_only()
            }
            ReferenceOr::Reference { .. } => false,
        });
        let nullable = view.data.nullable || nullable_part;
        let mut merged = Merged::default();
        let mut objects = 0;
        let mut meaningful: Vec<(&ReferenceOr<Schema>, String)> = Vec::new();
        let mut values: Vec<(&ReferenceOr<Schema>, String)> = Vec::new();
        for (i, part) in view.all_of.iter().enumerate() {
            let at = pointer_join(pointer, &["allOf", &i.to_string()]);
            match self.collect(part, at.clone(), &mut merged, &mut Vec::new()) {
                Part::Annotation => {}
                Part::Object => {
                    objects += 1;
                    meaningful.push((part, at));
                }
                Part::Value(value, value_at) => {
                    meaningful.push((part, at));
                    values.push((value, value_at));
                }
            }
        }
        // Properties beside `allOf` belong to the merged object too.
        if view.has_properties() || view.additional.is_some() {
            merged.add(view, pointer);
            objects += 1;
        }
        if let ([(only, at)], 0 | 1) = (&meaningful[..], objects) {
            if !view.has_properties() {
                let lowered = self.lower(only, at, names);
                return Shape::Is(SchemaType {
                    nullable: nullable || lowered.nullable,
                    ..lowered
                });
            }
        }
        match (objects, values.len()) {
            (0, 0) => Shape::Is(SchemaType {
                ty: TypeRef::Json,
                nullable,
            }),
            (_, 0) => Shape::Defines(self.merged_struct(&merged, names)),
            (0, _) => {
                let lowered: Vec<SchemaType> = values
                    .iter()
                    .map(|(value, at)| self.lower(value, at, names))
                    .collect();
                if lowered.windows(2).all(|pair| pair[0].ty == pair[1].ty) {
                    let nullable = nullable || lowered.iter().all(|l| l.nullable);
                    Shape::Is(SchemaType {
                        ty: lowered[0].ty.clone(),
                        nullable,
                    })
                } else {
                    self.incompatible_parts(pointer, nullable)
                }
            }
            _ => self.incompatible_parts(pointer, nullable),
        }
    }

    fn incompatible_parts(&mut self, pointer: &str, nullable: bool) -> Shape {
        self.diagnostics.push(
            Diagnostic::warning(
                self.spec_name,
                pointer,
                "`allOf` parts of different types (an object and a value, or two kinds of value) have no Rust type in common; any JSON value is accepted here",
            )
            .with_hint("merge the parts into one schema"),
        );
        Shape::Is(SchemaType {
            ty: TypeRef::Json,
            nullable,
        })
    }

    /// Merges what an `allOf` part says about an object, following `$ref`s and nested
    /// `allOf`s; `visiting` holds the components on the way, to stop at a cycle.
    fn collect<'s>(
        &mut self,
        part: &'s ReferenceOr<Schema>,
        at: String,
        merged: &mut Merged<'s>,
        visiting: &mut Vec<&'s str>,
    ) -> Part<'s>
    where
        'a: 's,
    {
        let reference = match part {
            ReferenceOr::Item(schema) => {
                return self.collect_definition(part, schema, at, merged, visiting)
            }
            ReferenceOr::Reference { reference } => reference,
        };
        let Some(key) = reference.strip_prefix(SCHEMA_REF_PREFIX) else {
            let diagnostic = refs::unsupported(self.spec_name, &at, reference, "schemas");
            self.diagnostics.push(diagnostic);
            return Part::Value(part, at);
        };
        if visiting.contains(&key) {
            self.diagnostics.push(
                Diagnostic::new(
                    self.spec_name,
                    at,
                    format!("`allOf` cycle: {} -> {key}", visiting.join(" -> ")),
                )
                .with_hint("a schema cannot be one of its own parts"),
            );
            return Part::Annotation;
        }
        let Some((schema, pointer)) = self.definition(part, &at) else {
            return Part::Annotation;
        };
        // The components on the way down, not every one met: two parts may share one.
        visiting.push(key);
        let found = self.collect_definition(part, schema, pointer, merged, visiting);
        visiting.pop();
        found
    }

    fn collect_definition<'s>(
        &mut self,
        part: &'s ReferenceOr<Schema>,
        schema: &'s Schema,
        pointer: String,
        merged: &mut Merged<'s>,
        visiting: &mut Vec<&'s str>,
    ) -> Part<'s>
    where
        'a: 's,
    {
        let view = View::of(schema);
        if view.is_annotation_only() {
            merged.add(&view, &pointer);
            return Part::Annotation;
        }
        if !view.all_of.is_empty() {
            for (i, nested) in view.all_of.iter().enumerate() {
                let nested_at = pointer_join(&pointer, &["allOf", &i.to_string()]);
                if let Part::Value(..) = self.collect(nested, nested_at, merged, visiting) {
                    return Part::Value(part, pointer);
                }
            }
            merged.add(&view, &pointer);
            return Part::Object;
        }
        let is_object = view.has_properties()
            || (view.typ.is_none_or(|t| t == "object")
                && view.items.is_none()
                && view.one_of.is_empty()
                && view.any_of.is_empty()
                && view.enumeration.is_empty());
        if is_object {
            merged.add(&view, &pointer);
            Part::Object
        } else {
            Part::Value(part, pointer)
        }
    }
}
