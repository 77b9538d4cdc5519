//! Schemas -> named Rust types.
//!
//! Component schemas keep their component name (`package-version` -> `PackageVersion`);
//! inline schemas get a name derived from where they stand (a property, a parameter, a
//! response), trying candidates in order. A candidate already used by an identical
//! definition is reused: that is how the four inline `package_type` enums become one
//! `PackageType`.

use super::names::{pascal_ident, snake_ident, type_ident, unique_name};
use crate::diagnostic::{pointer_join, Diagnostic};
use crate::ir::{Discriminator, Field, OneOfVariant, TypeDef, TypeKind, TypeRef, Variant};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, IntegerFormat, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";
const NULLABLE_PREFIX: &str = "nullable-";

/// A lowered schema: the type of a present value, and whether the value may be `null`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

impl Lowered {
    fn new(ty: TypeRef) -> Self {
        Lowered {
            ty,
            nullable: false,
        }
    }

    /// The type that holds this value wherever `null` must be representable.
    pub fn with_null(self) -> TypeRef {
        if self.nullable {
            TypeRef::option(self.ty)
        } else {
            self.ty
        }
    }
}

/// How references to one component schema resolve.
#[derive(Debug, Clone)]
struct Component {
    rust_name: String,
    nullable: bool,
    /// The component whose definition is emitted under `rust_name`: itself, or the
    /// non-nullable twin of a `nullable-` component.
    canonical: String,
}

pub struct Schemas<'a> {
    spec: &'a OpenAPI,
    file: &'a str,
    components: IndexMap<String, Component>,
    types: BTreeMap<String, TypeDef>,
    /// Names inline types must not take.
    reserved: HashSet<String>,
    lowered: HashSet<String>,
    pending: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A schema as it appears in `openapiv3`, boxed or not.
pub type SchemaRef<'s> = &'s ReferenceOr<Schema>;

impl<'a> Schemas<'a> {
    pub fn new(spec: &'a OpenAPI, file: &'a str) -> Self {
        let mut schemas = Schemas {
            spec,
            file,
            components: IndexMap::new(),
            types: BTreeMap::new(),
            reserved: HashSet::new(),
            lowered: HashSet::new(),
            pending: Vec::new(),
            diagnostics: Vec::new(),
        };
        schemas.name_components();
        schemas
    }

    fn component_schemas(&self) -> Option<&'a IndexMap<String, ReferenceOr<Schema>>> {
        self.spec.components.as_ref().map(|c| &c.schemas)
    }

    /// Decides the Rust name of every component schema before any is lowered, so that
    /// references (including recursive ones) resolve without lowering their target first.
    fn name_components(&mut self) {
        let Some(all) = self.component_schemas() else {
            return;
        };
        let mut owners: BTreeMap<String, String> = BTreeMap::new();
        for key in all.keys() {
            let pointer = pointer_join("#/components/schemas", &[key]);
            let (canonical, resolved) = match self.follow_component(key, &pointer) {
                Some(found) => found,
                None => continue,
            };
            let nullable = resolved.schema_data.nullable;
            let component = match key.strip_prefix(NULLABLE_PREFIX) {
                Some(base) if nullable && canonical == *key => match all.get(base) {
                    Some(ReferenceOr::Item(twin)) if same_ignoring_nullable(resolved, twin) => {
                        Component {
                            rust_name: type_ident(base),
                            nullable,
                            canonical: base.to_owned(),
                        }
                    }
                    Some(_) => Component {
                        rust_name: type_ident(key),
                        nullable,
                        canonical: key.clone(),
                    },
                    None => Component {
                        rust_name: type_ident(base),
                        nullable,
                        canonical: key.clone(),
                    },
                },
                _ => Component {
                    rust_name: self
                        .components
                        .get(&canonical)
                        .map(|c| c.rust_name.clone())
                        .unwrap_or_else(|| type_ident(&canonical)),
                    nullable,
                    canonical: canonical.clone(),
                },
            };
            match owners.get(&component.rust_name) {
                Some(owner) if *owner != component.canonical => {
                    self.diagnostics.push(
                        Diagnostic::new(
                            self.file,
                            pointer,
                            format!(
                                "component schemas `{owner}` and `{key}` both become the Rust type `{}`",
                                component.rust_name
                            ),
                        )
                        .with_hint("rename one of them"),
                    );
                    continue;
                }
                _ => {
                    owners.insert(component.rust_name.clone(), component.canonical.clone());
                }
            }
            self.reserved.insert(component.rust_name.clone());
            self.components.insert(key.clone(), component);
        }
    }

    /// Follows a component that is itself a `$ref` to another, to the definition.
    fn follow_component(&mut self, key: &str, pointer: &str) -> Option<(String, &'a Schema)> {
        let all = self.component_schemas()?;
        let mut current = key.to_owned();
        let mut seen = vec![current.clone()];
        loop {
            match all.get(&current) {
                Some(ReferenceOr::Item(schema)) => return Some((current, schema)),
                Some(ReferenceOr::Reference { reference }) => {
                    let Some(next) = reference.strip_prefix(SCHEMA_REF_PREFIX) else {
                        self.diagnostics
                            .push(unsupported_ref(self.file, pointer, reference));
                        return None;
                    };
                    if seen.iter().any(|s| s == next) {
                        self.diagnostics.push(
                            Diagnostic::new(
                                self.file,
                                pointer,
                                format!("`$ref` cycle: {} -> {next}", seen.join(" -> ")),
                            )
                            .with_hint("a chain of `$ref`s must end in a definition"),
                        );
                        return None;
                    }
                    current = next.to_owned();
                    seen.push(current.clone());
                }
                None => {
                    self.diagnostics.push(dangling_ref(
                        self.file,
                        pointer,
                        &format!("{SCHEMA_REF_PREFIX}{current}"),
                    ));
                    return None;
                }
            }
        }
    }

    /// Whether a schema (following a component `$ref`) is a `oneOf` or `anyOf`.
    pub fn is_alternatives(&self, schema: SchemaRef<'_>) -> bool {
        let schema = match schema {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { reference } => match reference
                .strip_prefix(SCHEMA_REF_PREFIX)
                .and_then(|key| self.component_schemas()?.get(key))
            {
                Some(ReferenceOr::Item(schema)) => schema,
                _ => return false,
            },
        };
        match &schema.schema_kind {
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => true,
            SchemaKind::Any(any) => !any.one_of.is_empty() || !any.any_of.is_empty(),
            _ => false,
        }
    }

    /// Reserves a name that only the caller may define (e.g. an operation's parameter struct).
    pub fn reserve(&mut self, name: &str) -> bool {
        !self.types.contains_key(name) && self.reserved.insert(name.to_owned())
    }

    /// Lowers every component that a lowered schema referred to, then returns all types.
    pub fn finish(mut self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        while let Some(key) = self.pending.pop() {
            self.lower_component(&key);
        }
        let mut types: Vec<TypeDef> = self.types.into_values().collect();
        mark_recursive_fields(&mut types);
        (types, self.diagnostics)
    }

    fn lower_component(&mut self, key: &str) {
        if !self.lowered.insert(key.to_owned()) {
            return;
        }
        let pointer = pointer_join("#/components/schemas", &[key]);
        let Some(component) = self.components.get(key).cloned() else {
            return;
        };
        let Some(ReferenceOr::Item(schema)) = self.component_schemas().and_then(|all| all.get(key))
        else {
            return;
        };
        let name = component.rust_name.clone();
        let description = describe(schema);
        let kind = match self.shape(schema, &pointer, std::slice::from_ref(&name)) {
            Shape::Defines(kind) => kind,
            Shape::Is(lowered) if lowered.ty == TypeRef::Named(name.clone()) => return,
            Shape::Is(lowered) => TypeKind::Alias { target: lowered.ty },
        };
        self.types.insert(
            name.clone(),
            TypeDef {
                name,
                description,
                pointer,
                kind,
            },
        );
    }

    /// Lowers a schema that appears at `pointer`. `names` are the candidate names for a type
    /// it defines inline, best first.
    pub fn lower(&mut self, schema: SchemaRef<'_>, pointer: &str, names: &[String]) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, pointer),
            ReferenceOr::Item(schema) => self.lower_inline(schema, pointer, names),
        }
    }

    pub fn lower_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        pointer: &str,
        names: &[String],
    ) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, pointer),
            ReferenceOr::Item(schema) => self.lower_inline(schema, pointer, names),
        }
    }

    fn lower_ref(&mut self, reference: &str, pointer: &str) -> Lowered {
        let Some(key) = reference.strip_prefix(SCHEMA_REF_PREFIX) else {
            self.diagnostics
                .push(unsupported_ref(self.file, pointer, reference));
            return Lowered::new(TypeRef::Json);
        };
        let Some(component) = self.components.get(key).cloned() else {
            let exists = self
                .component_schemas()
                .is_some_and(|all| all.contains_key(key));
            if !exists {
                self.diagnostics
                    .push(dangling_ref(self.file, pointer, reference));
            }
            return Lowered::new(TypeRef::Json);
        };
        if !self.lowered.contains(&component.canonical) {
            self.pending.push(component.canonical.clone());
        }
        Lowered {
            ty: TypeRef::Named(component.rust_name),
            nullable: component.nullable,
        }
    }

    fn lower_inline(&mut self, schema: &Schema, pointer: &str, names: &[String]) -> Lowered {
        match self.shape(schema, pointer, names) {
            Shape::Is(lowered) => lowered,
            Shape::Defines(kind) => {
                let nullable = schema.schema_data.nullable
                    || matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s)) if s.enumeration.iter().any(Option::is_none));
                Lowered {
                    ty: self.intern(names, schema, pointer, kind),
                    nullable,
                }
            }
        }
    }

    /// What a schema is: a type it defines (named by the caller), or an existing type.
    /// `names[0]` is the name the defined type will most likely get, used to name the
    /// types defined inside it.
    fn shape(&mut self, schema: &Schema, pointer: &str, names: &[String]) -> Shape {
        let nullable = schema.schema_data.nullable;
        let is = |ty: TypeRef| Shape::Is(Lowered { ty, nullable });
        let owner = names.first().cloned().unwrap_or_default();
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) => {
                let values: Vec<&str> = string
                    .enumeration
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                if !values.is_empty() {
                    return Shape::Defines(enum_kind(values.into_iter()));
                }
                is(match &string.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                    _ => TypeRef::String,
                })
            }
            SchemaKind::Type(Type::Integer(integer)) => is(match &integer.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            }),
            SchemaKind::Type(Type::Number(_)) => is(TypeRef::F64),
            SchemaKind::Type(Type::Boolean(_)) => is(TypeRef::Bool),
            SchemaKind::Type(Type::Array(array)) => {
                is(self.array(array.items.as_ref(), pointer, names))
            }
            SchemaKind::Type(Type::Object(object)) => {
                if object.properties.is_empty() {
                    is(self.map(object.additional_properties.as_ref(), pointer, names))
                } else {
                    Shape::Defines(self.struct_kind(
                        &object.properties,
                        &object.required,
                        object.additional_properties.as_ref(),
                        pointer,
                        &owner,
                    ))
                }
            }
            SchemaKind::OneOf { one_of } => self.alternatives(schema, one_of, pointer, names),
            SchemaKind::AnyOf { any_of } => self.alternatives(schema, any_of, pointer, names),
            SchemaKind::AllOf { all_of } => self.all_of(schema, all_of, pointer, names),
            SchemaKind::Not { .. } => {
                self.unsupported(pointer, "not");
                is(TypeRef::Json)
            }
            SchemaKind::Any(any) => self.any_shape(schema, any, pointer, names),
        }
    }

    /// A schema that fits none of `openapiv3`'s shapes exactly: properties without
    /// `type: object`, properties next to `oneOf` (which then only constrains them), or no
    /// type at all (any JSON value).
    fn any_shape(
        &mut self,
        schema: &Schema,
        any: &AnySchema,
        pointer: &str,
        names: &[String],
    ) -> Shape {
        let nullable = schema.schema_data.nullable;
        let owner = names.first().cloned().unwrap_or_default();
        if !any.properties.is_empty() {
            return Shape::Defines(self.struct_kind(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                pointer,
                &owner,
            ));
        }
        if !any.all_of.is_empty() {
            return self.all_of(schema, &any.all_of, pointer, names);
        }
        if !any.one_of.is_empty() {
            return self.alternatives(schema, &any.one_of, pointer, names);
        }
        if !any.any_of.is_empty() {
            return self.alternatives(schema, &any.any_of, pointer, names);
        }
        let string_values: Option<Vec<&str>> = (!any.enumeration.is_empty())
            .then(|| {
                any.enumeration
                    .iter()
                    .filter(|v| !v.is_null())
                    .map(|v| v.as_str())
                    .collect()
            })
            .flatten();
        if let Some(values) = string_values.filter(|v| !v.is_empty()) {
            return Shape::Defines(enum_kind(values.into_iter()));
        }
        let ty = match any.typ.as_deref() {
            Some("array") => self.array(any.items.as_ref(), pointer, names),
            Some("object") => self.map(any.additional_properties.as_ref(), pointer, names),
            Some("string") => match any.format.as_deref() {
                Some("date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                _ => TypeRef::String,
            },
            Some("integer") => match any.format.as_deref() {
                Some("int32") => TypeRef::I32,
                _ => TypeRef::I64,
            },
            Some("number") => TypeRef::F64,
            Some("boolean") => TypeRef::Bool,
            _ => TypeRef::Json,
        };
        let nullable = nullable || any.enumeration.iter().any(Value::is_null);
        Shape::Is(Lowered { ty, nullable })
    }

    /// `oneOf` / `anyOf`: an enum with a variant per alternative; collapses to the one type
    /// when the alternatives agree, and ignores alternatives that only list `required`.
    fn alternatives(
        &mut self,
        schema: &Schema,
        alternatives: &[ReferenceOr<Schema>],
        pointer: &str,
        names: &[String],
    ) -> Shape {
        let keyword = match &schema.schema_kind {
            SchemaKind::AnyOf { .. } => "anyOf",
            SchemaKind::Any(any) if any.one_of.is_empty() => "anyOf",
            _ => "oneOf",
        };
        let owner = names.first().cloned().unwrap_or_default();
        let mut nullable = schema.schema_data.nullable;
        let mut variants: Vec<OneOfVariant> = Vec::new();
        let mut refs: Vec<(usize, String)> = Vec::new();
        for (i, alternative) in alternatives.iter().enumerate() {
            if is_constraint_only(alternative) {
                continue;
            }
            let at = pointer_join(pointer, &[keyword, &i.to_string()]);
            let variant_names: Vec<String> = match alternative {
                ReferenceOr::Item(item) => item
                    .schema_data
                    .title
                    .iter()
                    .map(|t| type_ident(t))
                    .chain([format!("{owner}Variant{}", i + 1)])
                    .collect(),
                ReferenceOr::Reference { .. } => Vec::new(),
            };
            let lowered = self.lower(alternative, &at, &variant_names);
            nullable |= lowered.nullable;
            if let ReferenceOr::Reference { reference } = alternative {
                if let Some(key) = reference.strip_prefix(SCHEMA_REF_PREFIX) {
                    refs.push((variants.len(), key.to_owned()));
                }
            }
            if variants.iter().any(|v| v.ty == lowered.ty) {
                continue;
            }
            let rust_name = unique_name(&variant_name(&lowered.ty), |name| {
                variants.iter().any(|v| v.rust_name == name)
            });
            variants.push(OneOfVariant {
                rust_name,
                ty: lowered.ty,
            });
        }
        match variants.len() {
            0 => {
                return Shape::Is(Lowered {
                    ty: TypeRef::Json,
                    nullable,
                })
            }
            1 => {
                return Shape::Is(Lowered {
                    ty: variants.remove(0).ty,
                    nullable,
                })
            }
            _ => {}
        }
        let discriminator = schema.schema_data.discriminator.as_ref().map(|d| {
            let mut mapping: Vec<(String, String)> = Vec::new();
            for (value, target) in &d.mapping {
                let key = target.strip_prefix(SCHEMA_REF_PREFIX).unwrap_or(target);
                if let Some((index, _)) = refs.iter().find(|(_, k)| k == key) {
                    mapping.push((value.clone(), variants[*index].rust_name.clone()));
                }
            }
            for (index, key) in &refs {
                if !d
                    .mapping
                    .values()
                    .any(|t| t.strip_prefix(SCHEMA_REF_PREFIX) == Some(key))
                {
                    mapping.push((key.clone(), variants[*index].rust_name.clone()));
                }
            }
            let mut unknown_variant = "Unknown".to_owned();
            while variants.iter().any(|v| v.rust_name == unknown_variant) {
                unknown_variant.push_str("Value");
            }
            Discriminator {
                property: d.property_name.clone(),
                mapping,
                unknown_variant,
            }
        });
        Shape::Defines(TypeKind::OneOf {
            variants,
            discriminator,
        })
    }

    /// `allOf`: the parts' properties merged into one struct; a single part is that part
    /// (the usual way to add `nullable` or a description to a `$ref`).
    fn all_of(
        &mut self,
        schema: &Schema,
        parts: &[ReferenceOr<Schema>],
        pointer: &str,
        names: &[String],
    ) -> Shape {
        let nullable = schema.schema_data.nullable;
        if let [only] = parts {
            let lowered = self.lower(only, &pointer_join(pointer, &["allOf", "0"]), names);
            return Shape::Is(Lowered {
                nullable: nullable || lowered.nullable,
                ..lowered
            });
        }
        let mut properties: IndexMap<String, ReferenceOr<Box<Schema>>> = IndexMap::new();
        let mut required: Vec<String> = Vec::new();
        let mut additional: Option<AdditionalProperties> = None;
        for (i, part) in parts.iter().enumerate() {
            let at = pointer_join(pointer, &["allOf", &i.to_string()]);
            if !self.collect_object(
                part,
                &at,
                &mut properties,
                &mut required,
                &mut additional,
                0,
            ) {
                self.diagnostics.push(
                    Diagnostic::new(
                        self.file,
                        at,
                        "`allOf` part that is not an object; only objects can be merged",
                    )
                    .with_hint("describe the merged object directly"),
                );
                return Shape::Is(Lowered {
                    ty: TypeRef::Json,
                    nullable,
                });
            }
        }
        let owner = names.first().cloned().unwrap_or_default();
        Shape::Defines(self.struct_kind(
            &properties,
            &required,
            additional.as_ref(),
            pointer,
            &owner,
        ))
    }

    /// Adds an object schema's properties (following `$ref`s and nested `allOf`s); false
    /// when the schema is not an object.
    fn collect_object(
        &mut self,
        part: &ReferenceOr<Schema>,
        pointer: &str,
        properties: &mut IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &mut Vec<String>,
        additional: &mut Option<AdditionalProperties>,
        depth: usize,
    ) -> bool {
        if depth > 32 {
            self.diagnostics.push(Diagnostic::new(
                self.file,
                pointer,
                "`allOf` nested too deeply (a cycle?)",
            ));
            return true;
        }
        let schema = match part {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { reference } => {
                let target = reference
                    .strip_prefix(SCHEMA_REF_PREFIX)
                    .and_then(|key| Some((key, self.follow_component(key, pointer)?)));
                match target {
                    Some((_, (_, schema))) => schema,
                    None => {
                        if reference.starts_with(SCHEMA_REF_PREFIX) {
                            return true;
                        }
                        self.diagnostics
                            .push(unsupported_ref(self.file, pointer, reference));
                        return true;
                    }
                }
            }
        };
        let mut merge = |props: &IndexMap<String, ReferenceOr<Box<Schema>>>,
                         req: &[String],
                         extra: Option<&AdditionalProperties>| {
            for (name, property) in props {
                properties.insert(name.clone(), property.clone());
            }
            for name in req {
                if !required.contains(name) {
                    required.push(name.clone());
                }
            }
            if let Some(extra) = extra {
                *additional = Some(extra.clone());
            }
        };
        let all_of: &[ReferenceOr<Schema>] = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                merge(
                    &object.properties,
                    &object.required,
                    object.additional_properties.as_ref(),
                );
                &[]
            }
            SchemaKind::AllOf { all_of } => all_of,
            SchemaKind::Any(any) if any.typ.as_deref().is_none_or(|t| t == "object") => {
                merge(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                );
                &any.all_of
            }
            _ => return false,
        };
        all_of.iter().enumerate().all(|(i, part)| {
            self.collect_object(
                part,
                &pointer_join(pointer, &["allOf", &i.to_string()]),
                properties,
                required,
                additional,
                depth + 1,
            )
        })
    }

    fn array(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        pointer: &str,
        names: &[String],
    ) -> TypeRef {
        let item = match items {
            Some(items) => {
                let item_names: Vec<String> = names.iter().map(|n| format!("{n}Item")).collect();
                self.lower_boxed(items, &pointer_join(pointer, &["items"]), &item_names)
                    .with_null()
            }
            None => TypeRef::Json,
        };
        TypeRef::Vec(Box::new(item))
    }

    fn map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        names: &[String],
    ) -> TypeRef {
        let value = match additional {
            Some(AdditionalProperties::Schema(schema)) => {
                let value_names: Vec<String> = names.iter().map(|n| format!("{n}Value")).collect();
                self.lower(
                    schema,
                    &pointer_join(pointer, &["additionalProperties"]),
                    &value_names,
                )
                .with_null()
            }
            Some(AdditionalProperties::Any(_)) | None => TypeRef::Json,
        };
        TypeRef::Map(Box::new(value))
    }

    fn struct_kind(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        pointer: &str,
        owner: &str,
    ) -> TypeKind {
        let mut fields: Vec<Field> = Vec::with_capacity(properties.len());
        for (name, property) in properties {
            let property_pointer = pointer_join(pointer, &["properties", name]);
            let rust_name = snake_ident(name);
            if let Some(other) = fields.iter().find(|f| f.rust_name == rust_name) {
                self.diagnostics.push(
                    Diagnostic::new(
                        self.file,
                        property_pointer,
                        format!(
                            "properties `{}` and `{name}` both become the Rust field `{rust_name}`",
                            other.name
                        ),
                    )
                    .with_hint("rename one of them"),
                );
                continue;
            }
            let candidates = inline_names(property, owner, name);
            let lowered = self.lower_boxed(property, &property_pointer, &candidates);
            let (description, deprecated) = match property {
                ReferenceOr::Item(schema) => (describe(schema), schema.schema_data.deprecated),
                ReferenceOr::Reference { .. } => (None, false),
            };
            fields.push(Field {
                name: name.clone(),
                rust_name,
                ty: lowered.ty,
                required: required.iter().any(|r| r == name),
                nullable: lowered.nullable,
                boxed: false,
                description,
                deprecated,
            });
        }
        let additional_properties = match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Json),
            Some(AdditionalProperties::Schema(schema)) => {
                let names = [format!("{owner}Value")];
                Some(
                    self.lower(
                        schema,
                        &pointer_join(pointer, &["additionalProperties"]),
                        &names,
                    )
                    .with_null(),
                )
            }
            Some(AdditionalProperties::Any(false)) | None => None,
        };
        TypeKind::Struct {
            fields,
            additional_properties,
        }
    }

    /// Names an inline definition: the first candidate that is free or already names an
    /// identical definition.
    fn intern(
        &mut self,
        names: &[String],
        schema: &Schema,
        pointer: &str,
        kind: TypeKind,
    ) -> TypeRef {
        let usable = |schemas: &Self, name: &str| -> Option<bool> {
            if schemas.reserved.contains(name) {
                return None;
            }
            match schemas.types.get(name) {
                None => Some(false),
                Some(existing) if existing.kind == kind => Some(true),
                Some(_) => None,
            }
        };
        let base = names
            .first()
            .cloned()
            .unwrap_or_else(|| "Anonymous".to_owned());
        let numbered = (2..).map(|n| format!("{}{n}", names.last().unwrap_or(&base)));
        let chosen = names
            .iter()
            .cloned()
            .chain(numbered)
            .find_map(|name| usable(self, &name).map(|exists| (name, exists)));
        let Some((name, exists)) = chosen else {
            unreachable!("the numbered candidates never run out")
        };
        if !exists {
            self.types.insert(
                name.clone(),
                TypeDef {
                    name: name.clone(),
                    description: describe(schema),
                    pointer: pointer.to_owned(),
                    kind,
                },
            );
        }
        TypeRef::Named(name)
    }

    fn unsupported(&mut self, pointer: &str, construct: &str) -> TypeRef {
        self.diagnostics.push(Diagnostic::new(
            self.file,
            pointer,
            format!("`{construct}` schemas are not supported yet"),
        ));
        TypeRef::Json
    }
}

/// Candidate names for a type defined inline in property `property` of type `owner`: its
/// title, then (for enums) the bare property name, then the property qualified by its owner.
fn inline_names(schema: &ReferenceOr<Box<Schema>>, owner: &str, property: &str) -> Vec<String> {
    let mut names = Vec::new();
    let ReferenceOr::Item(schema) = schema else {
        return names;
    };
    let is_enum = matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty());
    if let Some(title) = &schema.schema_data.title {
        names.push(type_ident(title));
    }
    if is_enum {
        names.push(type_ident(property));
    }
    names.push(type_ident(&format!("{owner}-{}", pascal_ident(property))));
    names.dedup();
    names
}

/// What a schema is, before it is named: a type it defines, or an existing type.
enum Shape {
    Defines(TypeKind),
    Is(Lowered),
}

/// An alternative that adds no type, only constraints (`oneOf: [{required: [a]}, ...]`).
fn is_constraint_only(alternative: &ReferenceOr<Schema>) -> bool {
    match alternative {
        ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Any(any),
            ..
        }) => {
            any.typ.is_none()
                && any.properties.is_empty()
                && any.items.is_none()
                && any.enumeration.is_empty()
                && any.one_of.is_empty()
                && any.any_of.is_empty()
                && any.all_of.is_empty()
                && any.additional_properties.is_none()
        }
        _ => false,
    }
}

/// The variant of a `oneOf` enum that holds a value of `ty`.
fn variant_name(ty: &TypeRef) -> String {
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
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Vec(item) => format!("{}List", variant_name(item)),
        TypeRef::Option(inner) => variant_name(inner),
    }
}

fn enum_kind<'v>(values: impl Iterator<Item = &'v str>) -> TypeKind {
    let mut variants: Vec<Variant> = Vec::new();
    for value in values {
        if variants.iter().any(|v| v.value == value) {
            continue;
        }
        let rust_name = unique_name(&pascal_ident(value), |name| {
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

fn describe(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// `nullable-simple-user` and `simple-user` are the same object; only nullability differs.
fn same_ignoring_nullable(a: &Schema, b: &Schema) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    a.schema_data.nullable = false;
    b.schema_data.nullable = false;
    a == b
}

pub fn dangling_ref(file: &str, pointer: &str, reference: &str) -> Diagnostic {
    Diagnostic::new(
        file,
        pointer,
        format!("`$ref` to `{reference}`, which does not exist"),
    )
    .with_hint("check the spelling, or add the component")
}

pub fn unsupported_ref(file: &str, pointer: &str, reference: &str) -> Diagnostic {
    Diagnostic::new(
        file,
        pointer,
        format!("`$ref` to `{reference}` is not supported"),
    )
    .with_hint("only references within the same document (`#/components/...`) are supported")
}

/// Marks the fields through which a struct contains itself without indirection, so that they
/// are boxed and the type has a finite size.
fn mark_recursive_fields(types: &mut [TypeDef]) {
    let index: BTreeMap<String, usize> = types
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    // Edges that need no indirection: a field holding the named type directly or in an Option.
    let direct = |ty: &TypeRef| -> Option<String> {
        match ty {
            TypeRef::Named(name) => Some(name.clone()),
            TypeRef::Option(inner) => match inner.as_ref() {
                TypeRef::Named(name) => Some(name.clone()),
                _ => None,
            },
            _ => None,
        }
    };
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Struct { fields, .. } => fields
                .iter()
                .filter_map(|f| direct(&f.ty).and_then(|n| index.get(&n).copied()))
                .collect(),
            TypeKind::Alias { target } => direct(target)
                .and_then(|n| index.get(&n).copied())
                .into_iter()
                .collect(),
            TypeKind::Enum { .. } => Vec::new(),
            TypeKind::OneOf { variants, .. } => variants
                .iter()
                .filter_map(|v| direct(&v.ty).and_then(|n| index.get(&n).copied()))
                .collect(),
        })
        .collect();
    let reaches = |from: usize, to: usize| -> bool {
        let mut stack = vec![from];
        let mut seen = vec![false; edges.len()];
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if std::mem::replace(&mut seen[node], true) {
                continue;
            }
            stack.extend(edges[node].iter().copied());
        }
        false
    };
    let mut to_box = Vec::new();
    for (owner, def) in types.iter().enumerate() {
        if let TypeKind::Struct { fields, .. } = &def.kind {
            for (i, field) in fields.iter().enumerate() {
                if let Some(target) = direct(&field.ty).and_then(|n| index.get(&n).copied()) {
                    if reaches(target, owner) {
                        to_box.push((owner, i));
                    }
                }
            }
        }
    }
    for (owner, i) in to_box {
        if let TypeKind::Struct { fields, .. } = &mut types[owner].kind {
            fields[i].boxed = true;
        }
    }
}
