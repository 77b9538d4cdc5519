//! Schemas -> named Rust types.
//!
//! Component schemas keep their component name (`package-version` -> `PackageVersion`);
//! inline schemas get a name derived from where they stand (a property, a parameter, a
//! response), trying candidates in order, and a candidate already naming an identical
//! definition is reused: that is how the four inline `package_type` enums become one
//! `PackageType`.
//!
//! Types are kept by handle ([`TypeId`]). Every place in the document is lowered once: a
//! schema reached again (through the `allOf` parts of several components, say) is the same
//! type, and a schema reached again while it is being lowered (one that contains itself)
//! refers to the type it is about to define. So lowering never recurses deeper than the
//! document nests, however its schemas refer to each other.
//!
//! - `objects.rs`: properties to structs, and `allOf` merging
//! - `alternatives.rs`: `oneOf` and `anyOf`, with discriminators
//! - `enums.rs`: listed values
//! - `naming.rs`: names for inline types
//! - `view.rs`: one view of `openapiv3`'s several shapes of a schema

mod alternatives;
mod enums;
mod naming;
mod objects;
mod view;

use super::names::type_ident;
use super::refs;
use crate::diagnostic::{pointer_join, Diagnostic};
use crate::ir::{TypeDef, TypeKind, TypeRef};
use crate::reserved::{first_free, Numbering, Reserved};
use indexmap::IndexMap;
use openapiv3::{OpenAPI, ReferenceOr, Schema};
use std::collections::{HashMap, HashSet};
pub use view::View;

const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";
const NULLABLE_PREFIX: &str = "nullable-";

/// A lowered schema: the type of a present value, and whether the value may be `null`.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaType {
    pub ty: TypeRef,
    pub nullable: bool,
}

impl SchemaType {
    fn new(ty: TypeRef) -> Self {
        SchemaType {
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

/// A type the client defines, by handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeId(usize);

/// A named type; its definition is `None` while a type that refers to itself is lowered.
struct Slot {
    name: String,
    definition: Option<TypeDef>,
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

/// An inline schema, by where it stands in the document.
enum Memo {
    /// Being lowered. `recursive` is set when the schema turned out to contain itself: the
    /// type it defines was given a name ahead of its definition, for the inner use.
    InProgress {
        names: Vec<String>,
        recursive: Option<TypeId>,
    },
    Done(SchemaType),
}

/// What a schema is, before it is named: a type it defines, or an existing type.
enum Shape {
    Defines(TypeKind),
    Is(SchemaType),
}

pub struct Schemas<'a> {
    spec: &'a OpenAPI,
    spec_name: &'a str,
    /// Every type, by handle.
    types: Vec<Slot>,
    by_name: HashMap<String, TypeId>,
    components: IndexMap<String, Component>,
    /// Names the generated crate takes for itself.
    reserved: &'a Reserved,
    /// Names that inline types must not take: components' and callers' (parameter structs).
    claimed: HashSet<String>,
    inline: HashMap<String, Memo>,
    /// Components referred to and not yet lowered.
    pending: Vec<String>,
    lowered: HashSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A schema as it appears in `openapiv3`, boxed or not.
pub type SchemaRef<'s> = &'s ReferenceOr<Schema>;

impl<'a> Schemas<'a> {
    pub fn new(spec: &'a OpenAPI, spec_name: &'a str, reserved: &'a Reserved) -> Self {
        let mut schemas = Schemas {
            spec,
            spec_name,
            types: Vec::new(),
            by_name: HashMap::new(),
            components: IndexMap::new(),
            reserved,
            claimed: HashSet::new(),
            inline: HashMap::new(),
            pending: Vec::new(),
            lowered: HashSet::new(),
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
    /// Two components whose names become one Rust name are told apart by a number.
    fn name_components(&mut self) {
        let Some(all) = self.component_schemas() else {
            return;
        };
        let mut named_by: HashMap<String, String> = HashMap::new();
        for key in all.keys() {
            let pointer = pointer_join("#/components/schemas", &[key]);
            let Some((canonical, definition)) = self.follow_component(key, &pointer) else {
                continue;
            };
            let nullable = definition.schema_data.nullable;
            let (base_name, canonical) = match key.strip_prefix(NULLABLE_PREFIX) {
                Some(base) if nullable && canonical == *key => match all.get(base) {
                    Some(ReferenceOr::Item(twin)) if same_ignoring_nullable(definition, twin) => {
                        (type_ident(base, self.reserved), base.to_owned())
                    }
                    Some(_) => (type_ident(key, self.reserved), key.clone()),
                    None => (type_ident(base, self.reserved), key.clone()),
                },
                _ => match self.components.get(&canonical) {
                    Some(known) => (known.rust_name.clone(), canonical),
                    None => (type_ident(&canonical, self.reserved), canonical),
                },
            };
            let rust_name = match named_by.get(&base_name) {
                Some(first) if *first != canonical => {
                    let unique = first_free(&base_name, Numbering::JOINED, |name| {
                        named_by.contains_key(name)
                    });
                    self.diagnostics.push(
                        Diagnostic::warning(
                            self.spec_name,
                            pointer,
                            format!(
                                "component schemas `{first}` and `{key}` both become the Rust type `{base_name}`; `{key}` is `{unique}`"
                            ),
                        )
                        .with_hint("rename one of them for a name that says more"),
                    );
                    unique
                }
                _ => base_name,
            };
            named_by.insert(rust_name.clone(), canonical.clone());
            self.claimed.insert(rust_name.clone());
            self.components.insert(
                key.clone(),
                Component {
                    rust_name,
                    nullable,
                    canonical,
                },
            );
        }
    }

    /// Follows a component that is itself a `$ref` to another, to the definition.
    fn follow_component(&mut self, key: &str, pointer: &str) -> Option<(String, &'a Schema)> {
        let all = self.component_schemas()?;
        let item = all.get(key)?;
        match refs::follow(self.spec_name, "schemas", Some(all), item, pointer) {
            refs::Target::Found {
                item, component, ..
            } => Some((component.unwrap_or(key).to_owned(), item)),
            refs::Target::Broken(diagnostic) => {
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// The definition a schema stands for, following a component `$ref`, with its pointer.
    fn definition<'s>(
        &mut self,
        schema: &'s ReferenceOr<Schema>,
        pointer: &str,
    ) -> Option<(&'s Schema, String)>
    where
        'a: 's,
    {
        match schema {
            ReferenceOr::Item(schema) => Some((schema, pointer.to_owned())),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix(SCHEMA_REF_PREFIX)?;
                if !self
                    .component_schemas()
                    .is_some_and(|all| all.contains_key(key))
                {
                    self.diagnostics
                        .push(refs::dangling(self.spec_name, pointer, reference));
                    return None;
                }
                let at = pointer_join("#/components/schemas", &[key]);
                let (canonical, schema) = self.follow_component(key, &at)?;
                Some((schema, pointer_join("#/components/schemas", &[&canonical])))
            }
        }
    }

    /// Whether a schema (following a component `$ref`) is a `oneOf` or `anyOf`.
    pub fn is_alternatives(&mut self, schema: SchemaRef<'a>, pointer: &str) -> bool {
        self.definition(schema, pointer).is_some_and(|(schema, _)| {
            let view = View::of(schema);
            !view.one_of.is_empty() || !view.any_of.is_empty()
        })
    }

    /// Reserves a name that only the caller defines (an operation's parameter struct, say):
    /// `name` if free, else the first free numbered variant of it.
    pub fn reserve(&mut self, name: &str) -> String {
        let free = first_free(name, Numbering::JOINED, |candidate| {
            self.by_name.contains_key(candidate) || self.claimed.contains(candidate)
        });
        self.claimed.insert(free.clone());
        free
    }

    /// Lowers every component schema, referred to or not: for a description of types alone.
    pub fn refer_to_every_component(&mut self) {
        let keys: Vec<String> = self.components.keys().cloned().collect();
        self.pending.extend(keys);
    }

    /// Lowers every component that a lowered schema referred to, then returns all types,
    /// sorted by name.
    pub fn finish(mut self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        while let Some(key) = self.pending.pop() {
            self.lower_component(&key);
        }
        let mut types: Vec<TypeDef> = self
            .types
            .into_iter()
            .filter_map(|slot| slot.definition)
            .collect();
        types.sort_by(|a, b| a.name.cmp(&b.name));
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
        let name = component.rust_name;
        let kind = match self.shape(schema, &pointer, std::slice::from_ref(&name)) {
            Shape::Defines(kind) => kind,
            Shape::Is(lowered) if lowered.ty == TypeRef::Named(name.clone()) => return,
            Shape::Is(lowered) => TypeKind::Alias { target: lowered.ty },
        };
        let id = self.allocate(&name);
        self.define(id, schema, &pointer, kind);
    }

    /// Lowers a schema that stands at `pointer`. `names` are the candidate names for a type
    /// it defines inline, best first.
    pub fn lower(&mut self, schema: SchemaRef<'_>, pointer: &str, names: &[String]) -> SchemaType {
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
    ) -> SchemaType {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_ref(reference, pointer),
            ReferenceOr::Item(schema) => self.lower_inline(schema, pointer, names),
        }
    }

    fn lower_ref(&mut self, reference: &str, pointer: &str) -> SchemaType {
        let Some(key) = reference.strip_prefix(SCHEMA_REF_PREFIX) else {
            let diagnostic = refs::unsupported(self.spec_name, pointer, reference, "schemas");
            self.diagnostics.push(diagnostic);
            return SchemaType::new(TypeRef::Json);
        };
        let Some(component) = self.components.get(key).cloned() else {
            let exists = self
                .component_schemas()
                .is_some_and(|all| all.contains_key(key));
            if !exists {
                self.diagnostics
                    .push(refs::dangling(self.spec_name, pointer, reference));
            }
            return SchemaType::new(TypeRef::Json);
        };
        if !self.lowered.contains(&component.canonical) {
            self.pending.push(component.canonical.clone());
        }
        SchemaType {
            ty: TypeRef::Named(component.rust_name),
            nullable: component.nullable,
        }
    }

    fn lower_inline(&mut self, schema: &Schema, pointer: &str, names: &[String]) -> SchemaType {
        match self.inline.get_mut(pointer) {
            Some(Memo::Done(lowered)) => return lowered.clone(),
            Some(Memo::InProgress { names, recursive }) => {
                let id = match *recursive {
                    Some(id) => id,
                    None => {
                        let names = names.clone();
                        let id = self.allocate_free(&names);
                        if let Some(Memo::InProgress { recursive, .. }) =
                            self.inline.get_mut(pointer)
                        {
                            *recursive = Some(id);
                        }
                        id
                    }
                };
                return SchemaType::new(TypeRef::Named(self.name_of(id)));
            }
            None => {}
        }
        self.inline.insert(
            pointer.to_owned(),
            Memo::InProgress {
                names: names.to_vec(),
                recursive: None,
            },
        );
        let shape = self.shape(schema, pointer, names);
        let recursive = match self.inline.get(pointer) {
            Some(Memo::InProgress { recursive, .. }) => *recursive,
            _ => None,
        };
        let nullable = View::of(schema).admits_null();
        let lowered = match (shape, recursive) {
            (Shape::Defines(kind), None) => SchemaType {
                ty: self.intern(names, schema, pointer, kind),
                nullable,
            },
            (Shape::Defines(kind), Some(id)) => {
                self.define(id, schema, pointer, kind);
                SchemaType {
                    ty: TypeRef::Named(self.name_of(id)),
                    nullable,
                }
            }
            (Shape::Is(lowered), None) => lowered,
            (Shape::Is(lowered), Some(id)) => {
                // Rust has no recursive type aliases (`type T = Vec<T>`): the inner use
                // becomes any JSON value, which every value of the schema is.
                self.diagnostics.push(Diagnostic::warning(
                    self.spec_name,
                    pointer,
                    "a schema that contains itself without an object in between; the inner occurrence is any JSON value",
                ));
                self.define(
                    id,
                    schema,
                    pointer,
                    TypeKind::Alias {
                        target: TypeRef::Json,
                    },
                );
                lowered
            }
        };
        self.inline
            .insert(pointer.to_owned(), Memo::Done(lowered.clone()));
        lowered
    }

    /// What a schema is: a type it defines (named by the caller), or an existing type.
    /// `names[0]` is the name the defined type will most likely get, used to name the
    /// types defined inside it.
    fn shape(&mut self, schema: &Schema, pointer: &str, names: &[String]) -> Shape {
        let view = View::of(schema);
        let nullable = view.data.nullable;
        let is = |ty: TypeRef| Shape::Is(SchemaType { ty, nullable });
        if view.not {
            self.diagnostics.push(
                Diagnostic::warning(
                    self.spec_name,
                    pointer,
                    "`not` says what a value is not, which no Rust type expresses; any JSON value is accepted here",
                )
                .with_hint("describe what the value is instead"),
            );
            return is(TypeRef::Json);
        }
        if !view.all_of.is_empty() {
            return self.all_of(&view, pointer, names);
        }
        if view.has_properties() {
            // `oneOf`/`anyOf` beside properties only constrain which of them are present.
            return Shape::Defines(self.struct_kind(&view, pointer, names));
        }
        if !view.one_of.is_empty() || !view.any_of.is_empty() {
            return self.alternatives(&view, pointer, names);
        }
        if let Some(shape) = enums::listed_values(&view) {
            return shape;
        }
        is(match view.typ {
            Some("array") => self.array(view.items, pointer, names),
            Some("object") => self.map(view.additional, pointer, names),
            Some("string") => match view.format {
                Some("date-time") => TypeRef::DateTime,
                Some("date") => TypeRef::Date,
                _ => TypeRef::String,
            },
            Some("integer") => match view.format {
                Some("int32") => TypeRef::I32,
                _ => TypeRef::I64,
            },
            Some("number") => TypeRef::F64,
            Some("boolean") => TypeRef::Bool,
            _ => TypeRef::Json,
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
        additional: Option<&openapiv3::AdditionalProperties>,
        pointer: &str,
        names: &[String],
    ) -> TypeRef {
        let value = match additional {
            Some(openapiv3::AdditionalProperties::Schema(schema)) => {
                let value_names: Vec<String> = names.iter().map(|n| format!("{n}Value")).collect();
                self.lower(
                    schema,
                    &pointer_join(pointer, &["additionalProperties"]),
                    &value_names,
                )
                .with_null()
            }
            Some(openapiv3::AdditionalProperties::Any(_)) | None => TypeRef::Json,
        };
        TypeRef::Map(Box::new(value))
    }

    /// A handle for a type named `name`, to be defined.
    fn allocate(&mut self, name: &str) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(Slot {
            name: name.to_owned(),
            definition: None,
        });
        self.by_name.insert(name.to_owned(), id);
        id
    }

    /// A handle under the first of `names` that nothing uses yet.
    fn allocate_free(&mut self, names: &[String]) -> TypeId {
        let name = naming::first_free_of(names, |name| {
            self.by_name.contains_key(name) || self.claimed.contains(name)
        });
        self.allocate(&name)
    }

    fn define(&mut self, id: TypeId, schema: &Schema, pointer: &str, kind: TypeKind) {
        let slot = &mut self.types[id.0];
        slot.definition = Some(TypeDef {
            name: slot.name.clone(),
            description: naming::describe(schema),
            pointer: pointer.to_owned(),
            kind,
            gate: Vec::new(),
            input: false,
        });
    }

    fn name_of(&self, id: TypeId) -> String {
        self.types[id.0].name.clone()
    }
}

/// `nullable-simple-user` and `simple-user` are the same object; only nullability differs.
fn same_ignoring_nullable(a: &Schema, b: &Schema) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    a.schema_data.nullable = false;
    b.schema_data.nullable = false;
    a == b
}
