//! Models: one Rust type per [`TypeDef`].

use super::docs::{code, doc_attrs, paragraphs, prose};
use super::tokens::unraw;
use super::tokens::{cfg, ident, type_tokens};
use crate::ir::{Api, Discriminator, Field, OneOfVariant, TypeDef, TypeKind, TypeRef, Variant};
use proc_macro2::TokenStream;
use quote::quote;

/// The top of `types.rs`: its docs and imports.
pub fn types_head(api: &Api) -> TokenStream {
    // Aliases name no serde trait, and string enums get theirs from `string_enum!`.
    let serde = api
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Struct { .. } | TypeKind::OneOf { .. }))
        .then(|| {
            quote!(
                use serde::{Deserialize, Serialize};
            )
        });
    quote! {
        //! The models: every schema the operations send or receive.

        #serde
    }
}

/// The definitions of `types`, in their order.
pub fn type_defs(types: &[TypeDef]) -> TokenStream {
    let types = types.iter().map(type_def);
    quote!(#(#types)*)
}

fn type_def(def: &TypeDef) -> TokenStream {
    let described = def.description.as_deref().map(prose);
    let fallback = match &def.kind {
        TypeKind::Enum { variants, .. } => {
            let values: Vec<String> = variants.iter().map(|v| code(&v.value)).collect();
            Some(format!("One of {}.", values.join(", ")))
        }
        _ => None,
    };
    let docs = doc_attrs(&paragraphs([described.as_deref().or(fallback.as_deref())]));
    let name = ident(&def.name);
    let cfg = cfg(&def.gate);
    match &def.kind {
        TypeKind::Struct {
            fields,
            additional_properties,
        } => {
            let constructor = constructor(def, fields, additional_properties.is_some());
            let mut fields: Vec<TokenStream> = fields.iter().map(field).collect();
            if let Some(value) = additional_properties {
                let value = type_tokens(value);
                fields.push(quote! {
                    /// Keys beyond the listed fields.
                    #[serde(flatten)]
                    pub additional_properties: std::collections::BTreeMap<String, #value>
                });
            }
            let traits = MODEL_STRUCT_TRAITS.iter().map(|(name, _)| ident(name));
            let non_exhaustive = NON_EXHAUSTIVE.structs.then(|| quote!(#[non_exhaustive]));
            quote! {
                #cfg
                #docs
                #[derive(#(#traits),*)]
                #non_exhaustive
                pub struct #name {
                    #(#fields,)*
                }

                #constructor
            }
        }
        TypeKind::OneOf {
            variants,
            discriminator,
        } => one_of(&def.name, cfg, docs, variants, discriminator.as_ref()),
        TypeKind::Enum {
            variants,
            unknown_variant,
        } => string_enum(&def.name, cfg, docs, variants, unknown_variant),
        TypeKind::Alias { target } => {
            let target = type_tokens(target);
            quote! {
                #cfg
                #docs
                pub type #name = #target;
            }
        }
    }
}

fn field(field: &Field) -> TokenStream {
    let mut doc = field.description.as_deref().map(prose).unwrap_or_default();
    if field.deprecated {
        doc = paragraphs([Some(doc.as_str()), Some("**Deprecated.**")]);
    }
    let docs = doc_attrs(&doc);
    let name = ident(&field.rust_name);
    let mut value = type_tokens(&field.ty);
    if field.boxed {
        value = quote!(Box<#value>);
    }
    let ty = if field.required && !field.nullable {
        value
    } else {
        quote!(Option<#value>)
    };
    let rename = (unraw(&field.rust_name) != field.name).then(|| {
        let wire = &field.name;
        quote!(#[serde(rename = #wire)])
    });
    let optional = (!field.required)
        .then(|| quote!(#[serde(default, skip_serializing_if = "Option::is_none")]));
    quote! {
        #docs
        #rename
        #optional
        pub #name: #ty
    }
}

fn string_enum(
    name: &str,
    cfg: Option<TokenStream>,
    docs: TokenStream,
    variants: &[Variant],
    unknown_variant: &str,
) -> TokenStream {
    let type_name = ident(name);
    let unknown = ident(unknown_variant);
    let variant_idents: Vec<_> = variants.iter().map(|v| ident(&v.rust_name)).collect();
    let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|value| doc_attrs(&code(value)));
    let non_exhaustive = NON_EXHAUSTIVE
        .string_enums
        .then(|| quote!(#[non_exhaustive]));
    quote! {
        #cfg
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #non_exhaustive
        pub enum #type_name {
            #( #variant_docs #variant_idents, )*
            /// A value the API description does not list (yet), kept as sent.
            #unknown(String),
        }

        #cfg
        crate::encoding::string_enum!(#type_name, #unknown, #((#variant_idents, #values)),*);
    }
}

/// `oneOf`/`anyOf`: an untagged enum (serde tries the variants in order), or, with a
/// discriminator, one that picks the variant by the discriminator's value and keeps values
/// it does not know.
fn one_of(
    name: &str,
    cfg: Option<TokenStream>,
    docs: TokenStream,
    variants: &[OneOfVariant],
    discriminator: Option<&Discriminator>,
) -> TokenStream {
    let type_name = ident(name);
    let names: Vec<_> = variants.iter().map(|v| ident(&v.rust_name)).collect();
    // A boxed variant decodes as it is: serde reads a `Box<T>` as a `T`.
    let types: Vec<_> = variants
        .iter()
        .map(|v| {
            let ty = type_tokens(&v.ty);
            if v.boxed {
                quote!(Box<#ty>)
            } else {
                ty
            }
        })
        .collect();
    let non_exhaustive = NON_EXHAUSTIVE
        .one_of_enums
        .then(|| quote!(#[non_exhaustive]));
    let Some(discriminator) = discriminator else {
        return quote! {
            #cfg
            #docs
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(untagged)]
            #non_exhaustive
            pub enum #type_name {
                #( #names(#types), )*
            }
        };
    };
    let property = &discriminator.property;
    let unknown = ident(&discriminator.unknown_variant);
    let fallback = match &discriminator.default_variant {
        Some(default) => {
            let default = ident(default);
            quote!(_ => Ok(serde_json::from_value(value.clone()).map(#type_name::#default).unwrap_or(#type_name::#unknown(value))),)
        }
        None => quote!(_ => Ok(#type_name::#unknown(value)),),
    };
    let values: Vec<&str> = discriminator
        .mapping
        .iter()
        .map(|(value, _)| value.as_str())
        .collect();
    let targets: Vec<_> = discriminator
        .mapping
        .iter()
        .map(|(_, variant)| ident(variant))
        .collect();
    quote! {
        #cfg
        #docs
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        #non_exhaustive
        pub enum #type_name {
            #( #names(#types), )*
            /// A value of the discriminator the API description does not list, kept as sent.
            #unknown(serde_json::Value),
        }

        #cfg
        impl<'de> Deserialize<'de> for #type_name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                let value = serde_json::Value::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #( Some(#values) => serde_json::from_value(value).map(#type_name::#targets).map_err(D::Error::custom), )*
                    #fallback
                }
            }
        }
    }
}

/// Which generated items are `#[non_exhaustive]`: the crate's shape, recorded in its API
/// surface so that a change of shape is reported like any other change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonExhaustive {
    /// Model structs.
    pub structs: bool,
    /// String enums (which also keep unlisted values in their catch-all variant).
    pub string_enums: bool,
    /// `oneOf`/`anyOf` enums.
    pub one_of_enums: bool,
    /// An operation's enum of success responses by status.
    pub success_enums: bool,
    /// An operation's struct of optional parameters.
    pub params_structs: bool,
}

/// Everything the description can grow is `#[non_exhaustive]`, so that what an API
/// usually does (a new optional field, a new enum value, a new status) is an addition for
/// the crate's users. Values are still built: structs a parameter or body reaches (input
/// types) have a constructor and setters, parameter structs `Default` and setters, and
/// variants of enums are built as ever; patterns need `..` and `match`es a wildcard arm.
pub const NON_EXHAUSTIVE: NonExhaustive = NonExhaustive {
    structs: true,
    string_enums: true,
    one_of_enums: true,
    success_enums: true,
    params_structs: true,
};

/// The traits a model struct derives, and the methods they give it: no setter may take one
/// of those names ([`crate::reserved::Reserved::model_struct_methods`]), nor `new` or
/// `default`.
pub(crate) const MODEL_STRUCT_TRAITS: &[(&str, &[&str])] = &[
    ("Debug", &["fmt"]),
    ("Clone", &["clone", "clone_from"]),
    ("PartialEq", &["eq", "ne"]),
    ("Serialize", &["serialize"]),
    ("Deserialize", &["deserialize"]),
];

/// The methods of a model struct besides its setters and derives: its constructor,
/// `Default::default` for one whose constructor takes nothing; and the names clippy takes
/// for an operator trait's method when a method takes `self` and one argument, as a setter
/// does (`should_implement_trait`).
pub(crate) const MODEL_STRUCT_METHODS: &[&str] = &[
    "new", "default", "add", "sub", "mul", "div", "rem", "shl", "shr", "bitand", "bitor", "bitxor",
];

/// The fields `new` takes, in order, for a struct that has a constructor (an input type's):
/// the required fields that cannot be `null`.
pub fn constructor_arguments(def: &TypeDef) -> Option<Vec<&Field>> {
    match &def.kind {
        TypeKind::Struct { fields, .. } if def.input => {
            Some(fields.iter().filter(|f| f.rust_type() == f.ty).collect())
        }
        _ => None,
    }
}

/// An input struct's `new` and setters.
fn constructor(def: &TypeDef, fields: &[Field], has_more: bool) -> TokenStream {
    let Some(arguments) = constructor_arguments(def) else {
        return TokenStream::new();
    };
    let type_name = ident(&def.name);
    let cfg = cfg(&def.gate);
    // A value an argument or setter takes, and how it becomes the field's.
    let take = |field: &Field| {
        let name = ident(&field.rust_name);
        let (argument, mut value) = match &field.ty {
            TypeRef::String => (quote!(impl Into<String>), quote!(#name.into())),
            ty => (type_tokens(ty), quote!(#name)),
        };
        if field.boxed {
            value = quote!(Box::new(#value));
        }
        (name, argument, value)
    };
    let declared = arguments.iter().map(|f| {
        let (name, argument, _) = take(f);
        quote!(#name: #argument)
    });
    let values = fields.iter().map(|f| {
        let name = ident(&f.rust_name);
        if arguments.iter().any(|a| a.rust_name == f.rust_name) {
            let (_, _, value) = take(f);
            if name == value.to_string() {
                quote!(#name)
            } else {
                quote!(#name: #value)
            }
        } else {
            quote!(#name: None)
        }
    });
    let more = has_more.then(|| quote!(additional_properties: std::default::Default::default(),));
    let many = (arguments.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let docs = doc_attrs(&format!(
        "A new `{}` with the fields the description requires; the setters give the others.",
        def.name
    ));
    let setters = fields.iter().filter_map(|f| {
        let setter = ident(f.setter.as_deref()?);
        let (name, argument, value) = take(f);
        let docs = doc_attrs(&format!("Sets `{}`.", unraw(&f.rust_name)));
        Some(quote! {
            #docs
            pub fn #setter(mut self, #name: #argument) -> Self {
                self.#name = Some(#value);
                self
            }
        })
    });
    let default = arguments.is_empty().then(|| {
        quote! {
            #cfg
            impl std::default::Default for #type_name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        #cfg
        impl #type_name {
            #docs
            #many
            pub fn new(#(#declared),*) -> Self {
                Self { #(#values,)* #more }
            }

            #(#setters)*
        }

        #default
    }
}
