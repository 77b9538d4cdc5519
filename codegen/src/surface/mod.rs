//! The public surface of a generated crate, derived from the IR alone, and what changes
//! between two of them.
//!
//! A generated crate keeps its own surface in [`FILE`], a stable, versioned JSON document:
//! every operation's method and its arguments, every model type with its fields and
//! variants, the features, the builder methods and the defaults every request carries. The
//! next regeneration compares the surface it is about to write with the one on disk
//! ([`compare`]), so that what a regeneration means for the programs that depend on the
//! crate never depends on git, or on reading a diff of generated code.
//!
//! The surface records how the crate is shaped (which items are `#[non_exhaustive]`, which
//! structs have a constructor), so a change of shape is reported like any other change.

mod compare;
mod report;
mod version;

pub use compare::{compare, Change, Class};
pub use report::Report;
pub use version::next_version;

use crate::emit::{self, Extension, ExtensionItem};
use crate::ir::{Api, Encoding, ResponseBody, Success, TypeDef, TypeKind, TypeRef};
use serde::{Deserialize, Serialize};

/// The file of a generated crate that holds its surface.
pub const FILE: &str = "api-surface.json";

/// The version of [`FILE`]'s format. A reader refuses other versions rather than guess;
/// raise it whenever a field is added, removed or changes meaning.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surface {
    /// The notice every generated file starts with; not part of the surface.
    pub generated: String,
    pub format: u32,
    pub crate_name: String,
    pub crate_version: String,
    /// `info.version` of the description.
    pub description_version: String,
    /// `DEFAULT_BASE_URL`: where requests go unless the user says otherwise.
    pub base_url: String,
    /// Headers every request carries unless the user overrides them (a profile's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// One cargo feature per tag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<FeatureItem>,
    /// `ClientBuilder` methods the description gives rise to: servers and credentials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builder_methods: Vec<BuilderMethod>,
    pub operations: Vec<OperationItem>,
    pub types: Vec<TypeItem>,
    /// Structs of optional parameters a profile's modules add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension_params: Vec<ParamsStruct>,
    /// Methods a profile's modules add (`OwnerClient::list_packages`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension_methods: Vec<MethodItem>,
}

/// A method beyond the operations', by path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodItem {
    pub path: String,
    pub pointer: String,
    /// Compiled when, for each of these gates, one of its features is on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Vec<String>>,
    pub arguments: Vec<Argument>,
    pub returns: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureItem {
    pub name: String,
    /// The tag as written; `None` for the operations without one.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderMethod {
    pub name: String,
    pub pointer: String,
}

/// One operation: a method of `Client`, and what it takes and gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationItem {
    pub method: String,
    /// `GET /orgs/{org}/packages`.
    pub route: String,
    pub pointer: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gate: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// The method's arguments after `&self`, in order: the required parameters, the body,
    /// the optional parameters' struct.
    pub arguments: Vec<Argument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<ParamsStruct>,
    /// The struct a `multipart/*` body is given as: a field per part, built as a struct
    /// literal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<ParamsStruct>,
    /// The `T` of `Result<Response<T>, Error>`.
    pub returns: String,
    /// The per-operation enum of success responses, when the statuses have different bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successes: Option<SuccessEnum>,
    /// The method that streams every item of every page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<StreamMethod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Argument {
    pub name: String,
    /// The type as the IR prints it (`String` for a `&str` argument, `Option<&T>` for an
    /// optional body).
    pub ty: String,
}

/// The struct of an operation's optional parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamsStruct {
    pub name: String,
    /// Set for a profile's structs (an operation's are where the operation is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// A profile's struct is compiled when, for each of these gates, one of its features is
    /// on (an operation's struct has the operation's gate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Vec<String>>,
    pub non_exhaustive: bool,
    /// Each field has a setter of the same name.
    pub fields: Vec<Argument>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuccessEnum {
    pub name: String,
    pub non_exhaustive: bool,
    pub variants: Vec<Case>,
}

/// A variant that holds a value (or nothing, `ty: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub name: String,
    /// The status a success variant stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub ty: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMethod {
    pub name: String,
    pub item: String,
}

/// A model type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeItem {
    pub name: String,
    pub pointer: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gate: Vec<String>,
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Shape {
    Struct {
        non_exhaustive: bool,
        /// The arguments of `new`, by field, when the struct has a constructor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        constructor: Option<Vec<String>>,
        fields: Vec<FieldItem>,
        /// The value type of `additional_properties`, the keys beyond the fields.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        additional_properties: Option<String>,
    },
    /// A string enum, with a catch-all variant for values the description does not list.
    Enum {
        non_exhaustive: bool,
        variants: Vec<EnumVariant>,
        catch_all: String,
    },
    /// `oneOf`/`anyOf`.
    OneOf {
        non_exhaustive: bool,
        variants: Vec<Case>,
        /// A discriminated one's variant for discriminator values it does not list.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        catch_all: Option<String>,
    },
    /// `pub type Name = Target;`
    Alias { target: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldItem {
    pub name: String,
    /// The name on the wire, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<String>,
    /// The field's Rust type, `Option` included.
    pub ty: String,
    /// The key is always present (a required field may still be `null`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The name of its setter, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setter: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumVariant {
    pub name: String,
    pub value: String,
}

fn is_false(value: &bool) -> bool {
    !value
}

impl Surface {
    /// The surface of the crate `emit` prints for `api` with `extension`.
    pub fn of(api: &Api, extension: &dyn Extension, package: &emit::Package) -> Surface {
        let mut builder_methods: Vec<BuilderMethod> = Vec::new();
        for (index, server) in api.servers.iter().enumerate() {
            if let Some(name) = &server.builder_method {
                builder_methods.push(BuilderMethod {
                    name: name.clone(),
                    pointer: format!("#/servers/{index}"),
                });
            }
        }
        for scheme in &api.security_schemes {
            let methods = std::iter::once(&scheme.builder_method).chain(&scheme.companion_method);
            for name in methods {
                builder_methods.push(BuilderMethod {
                    name: name.clone(),
                    pointer: scheme.pointer.clone(),
                });
            }
        }
        builder_methods.sort_by(|a, b| a.name.cmp(&b.name));
        let argument = |(name, ty): &(String, String)| Argument {
            name: name.clone(),
            ty: ty.clone(),
        };
        let mut extension_params = Vec::new();
        let mut extension_methods = Vec::new();
        for item in extension.public_items(api) {
            match item {
                ExtensionItem::ParamsStruct {
                    name,
                    fields,
                    pointer,
                    gates,
                } => extension_params.push(ParamsStruct {
                    name,
                    pointer: Some(pointer),
                    gates,
                    non_exhaustive: emit::NON_EXHAUSTIVE.params_structs,
                    fields: fields.iter().map(argument).collect(),
                }),
                ExtensionItem::Method {
                    path,
                    arguments,
                    returns,
                    pointer,
                    gates,
                } => extension_methods.push(MethodItem {
                    path,
                    pointer,
                    gates,
                    arguments: arguments.iter().map(argument).collect(),
                    returns,
                }),
            }
        }
        Surface {
            generated: emit::generated_notice(package.generator_command, package.spec_name),
            format: FORMAT,
            crate_name: package.name.to_owned(),
            crate_version: package.version.to_owned(),
            description_version: api.version.clone(),
            base_url: emit::default_base_url(api),
            headers: extension
                .default_headers()
                .into_iter()
                .map(|(name, value)| Header {
                    name: name.to_owned(),
                    value: value.to_owned(),
                })
                .collect(),
            features: api
                .features
                .iter()
                .map(|f| FeatureItem {
                    name: f.name.clone(),
                    tag: f.tag.clone(),
                })
                .collect(),
            builder_methods,
            operations: api.operations.iter().map(operation).collect(),
            types: api.types.iter().map(type_item).collect(),
            extension_params,
            extension_methods,
        }
    }

    /// The surface a build with only `feature` (and the default features) sees: the items
    /// that feature compiles, none of them gated. Without such a feature, the items no
    /// feature gates.
    pub fn restricted_to(&self, feature: &str) -> Surface {
        let on = |gate: &[String]| gate.is_empty() || gate.iter().any(|f| f == feature);
        let all_on = |gates: &[Vec<String>]| gates.iter().all(|g| on(g));
        let mut restricted = self.clone();
        restricted.features.retain(|f| f.name == feature);
        restricted.operations.retain(|o| on(&o.gate));
        restricted.types.retain(|t| on(&t.gate));
        restricted.extension_params.retain(|p| all_on(&p.gates));
        restricted.extension_methods.retain(|m| all_on(&m.gates));
        restricted
            .operations
            .iter_mut()
            .for_each(|o| o.gate.clear());
        restricted.types.iter_mut().for_each(|t| t.gate.clear());
        restricted
            .extension_params
            .iter_mut()
            .for_each(|p| p.gates.clear());
        restricted
            .extension_methods
            .iter_mut()
            .for_each(|m| m.gates.clear());
        restricted
    }

    /// The text of [`FILE`]: pretty JSON, a line per value, ending in a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a surface is plain data");
        text.push('\n');
        text
    }

    /// Reads [`FILE`]; an error names what is wrong with it.
    pub fn from_json(text: &str) -> Result<Surface, String> {
        #[derive(Deserialize)]
        struct Versioned {
            format: u32,
        }
        let versioned: Versioned = serde_json::from_str(text)
            .map_err(|e| format!("not an API surface (no `format` number): {e}"))?;
        if versioned.format != FORMAT {
            return Err(format!(
                "format {} of the API surface; this generator reads format {FORMAT}",
                versioned.format
            ));
        }
        serde_json::from_str(text)
            .map_err(|e| format!("not an API surface of format {FORMAT}: {e}"))
    }
}

fn operation(op: &crate::ir::Operation) -> OperationItem {
    let mut arguments: Vec<Argument> = op
        .parameters
        .iter()
        .filter(|p| p.required)
        .map(|p| Argument {
            name: p.rust_name.clone(),
            ty: p.ty.to_string(),
        })
        .collect();
    if let Some(body) = &op.request_body {
        let ty = match body.encoding {
            Encoding::Text => "str".to_owned(),
            Encoding::Binary | Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq => {
                "[u8]".to_owned()
            }
            Encoding::Json | Encoding::Form | Encoding::Multipart => body.ty.to_string(),
        };
        arguments.push(Argument {
            name: "body".to_owned(),
            ty: if body.required {
                format!("&{ty}")
            } else {
                format!("Option<&{ty}>")
            },
        });
    }
    let optional = op.optional_params_type.as_ref().map(|name| ParamsStruct {
        name: name.clone(),
        pointer: None,
        gates: Vec::new(),
        non_exhaustive: emit::NON_EXHAUSTIVE.params_structs,
        fields: op
            .parameters
            .iter()
            .filter(|p| !p.required)
            .map(|p| Argument {
                name: p.rust_name.clone(),
                ty: TypeRef::option(p.ty.clone()).to_string(),
            })
            .collect(),
    });
    let form = op
        .request_body
        .as_ref()
        .filter(|body| body.encoding == Encoding::Multipart)
        .and_then(|body| match &body.ty {
            TypeRef::Named(name) => Some(ParamsStruct {
                name: name.clone(),
                pointer: None,
                gates: Vec::new(),
                non_exhaustive: false,
                fields: body
                    .parts
                    .iter()
                    .map(|part| Argument {
                        name: part.rust_name.clone(),
                        ty: if part.required {
                            part.ty.to_string()
                        } else {
                            TypeRef::option(part.ty.clone()).to_string()
                        },
                    })
                    .collect(),
            }),
            _ => None,
        });
    if let Some(params) = &optional {
        arguments.push(Argument {
            name: "params".to_owned(),
            ty: format!("&{}", params.name),
        });
    }
    let body_type = |body: &Option<ResponseBody>| {
        body.as_ref()
            .map(|b| match emit::stream_type_name(b.encoding) {
                Some(stream) => format!("{stream}<{}>", b.ty),
                None => b.ty.to_string(),
            })
    };
    let (returns, successes) = match &op.success {
        Success::Single { body } => (body_type(body).unwrap_or_else(|| "()".to_owned()), None),
        Success::Enum {
            type_name,
            variants,
        } => (
            type_name.clone(),
            Some(SuccessEnum {
                name: type_name.clone(),
                non_exhaustive: emit::NON_EXHAUSTIVE.success_enums,
                variants: variants
                    .iter()
                    .map(|v| Case {
                        name: v.rust_name.clone(),
                        status: Some(v.status.to_string()),
                        ty: body_type(&v.body),
                    })
                    .collect(),
            }),
        ),
    };
    OperationItem {
        method: op.method_name.clone(),
        route: format!("{} {}", op.http_method.as_str(), op.path),
        pointer: op.pointer.clone(),
        gate: op.gate.clone(),
        deprecated: op.deprecated,
        arguments,
        optional,
        form,
        returns,
        successes,
        stream: op.pagination.as_ref().map(|p| StreamMethod {
            name: p.stream_method.clone(),
            item: p.item.to_string(),
        }),
    }
}

fn type_item(def: &TypeDef) -> TypeItem {
    let shape = match &def.kind {
        TypeKind::Struct {
            fields,
            additional_properties,
        } => Shape::Struct {
            non_exhaustive: emit::NON_EXHAUSTIVE.structs,
            constructor: emit::constructor_arguments(def)
                .map(|fields| fields.iter().map(|f| f.rust_name.clone()).collect()),
            fields: fields
                .iter()
                .map(|f| {
                    let mut ty = f.ty.to_string();
                    if f.boxed {
                        ty = format!("Box<{ty}>");
                    }
                    if f.rust_type() != f.ty {
                        ty = format!("Option<{ty}>");
                    }
                    FieldItem {
                        name: f.rust_name.clone(),
                        wire: (crate::emit::tokens::unraw(&f.rust_name) != f.name)
                            .then(|| f.name.clone()),
                        ty,
                        required: f.required,
                        setter: f.setter.clone(),
                    }
                })
                .collect(),
            additional_properties: additional_properties.as_ref().map(ToString::to_string),
        },
        TypeKind::Enum {
            variants,
            unknown_variant,
        } => Shape::Enum {
            non_exhaustive: emit::NON_EXHAUSTIVE.string_enums,
            variants: variants
                .iter()
                .map(|v| EnumVariant {
                    name: v.rust_name.clone(),
                    value: v.value.clone(),
                })
                .collect(),
            catch_all: unknown_variant.clone(),
        },
        TypeKind::OneOf {
            variants,
            discriminator,
        } => Shape::OneOf {
            non_exhaustive: emit::NON_EXHAUSTIVE.one_of_enums,
            variants: variants
                .iter()
                .map(|v| Case {
                    name: v.rust_name.clone(),
                    status: None,
                    ty: Some(if v.boxed {
                        format!("Box<{}>", v.ty)
                    } else {
                        v.ty.to_string()
                    }),
                })
                .collect(),
            catch_all: discriminator.as_ref().map(|d| d.unknown_variant.clone()),
        },
        TypeKind::Alias { target } => Shape::Alias {
            target: target.to_string(),
        },
    };
    TypeItem {
        name: def.name.clone(),
        pointer: def.pointer.clone(),
        gate: def.gate.clone(),
        shape,
    }
}
