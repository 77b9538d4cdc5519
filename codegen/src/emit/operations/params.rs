//! The structs an operation method takes besides its required arguments: its optional
//! parameters, with a setter each, and its multipart form.

use crate::emit::docs::{code, doc_attrs, paragraphs, prose};
use crate::emit::tokens::{cfg, ident, type_tokens, unraw};
use crate::ir::{Encoding, Operation, Parameter, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

/// The struct a `multipart/*` body is given as: a field per part.
pub(super) fn multipart_form(op: &Operation) -> Option<TokenStream> {
    let body = op.request_body.as_ref()?;
    let TypeRef::Named(type_name) = &body.ty else {
        return None;
    };
    if body.encoding != Encoding::Multipart {
        return None;
    }
    let name = ident(type_name);
    let summary = format!(
        "The {} body of [`Client::{}`]: a part per field.",
        code(&body.media_type),
        op.method_name
    );
    let description = body.description.as_deref().map(prose);
    let docs = doc_attrs(&paragraphs([
        Some(summary.as_str()),
        description.as_deref(),
    ]));
    let fields = body.parts.iter().map(|part| {
        let field = ident(&part.rust_name);
        let ty = type_tokens(&part.ty);
        let docs = doc_attrs(&format!("The part {}.", code(&part.name)));
        if part.required {
            quote!(#docs pub #field: #ty)
        } else {
            quote!(#docs pub #field: Option<#ty>)
        }
    });
    let default = body
        .parts
        .iter()
        .all(|p| !p.required)
        .then(|| quote!(Default,));
    let cfg = cfg(&op.gate);
    Some(quote! {
        #cfg
        #docs
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields,)*
        }
    })
}

pub(super) fn operation_params_struct(op: &Operation) -> Option<TokenStream> {
    let name = op.optional_params_type.as_ref()?;
    let optional: Vec<&Parameter> = op.parameters.iter().filter(|p| !p.required).collect();
    let docs = format!(
        "Optional parameters of [`Client::{}`]. `Default::default()` sends none of them.",
        op.method_name
    );
    Some(params_struct(name, &optional, &docs, cfg(&op.gate)))
}

/// The traits a struct of optional parameters derives, and the methods they give it: no
/// field (and so no setter) may take one of those names, or `Params::default()` and
/// `params.clone()` would call the setter instead ([`crate::reserved::Reserved`]).
pub(crate) const PARAMS_STRUCT_TRAITS: &[(&str, &[&str])] = &[
    ("Debug", &["fmt"]),
    ("Clone", &["clone", "clone_from"]),
    ("Default", &["default"]),
    ("PartialEq", &["eq", "ne"]),
];

/// A struct of optional parameters, all `None` by default, with a setter for each.
pub(crate) fn params_struct(
    name: &str,
    optional: &[&Parameter],
    docs: &str,
    cfg: Option<TokenStream>,
) -> TokenStream {
    let label = name;
    let name = ident(name);
    let docs = doc_attrs(docs);
    let fields = optional.iter().map(|p| {
        let field = ident(&p.rust_name);
        let ty = type_tokens(&p.ty);
        let default = p
            .default
            .as_ref()
            .map(|value| format!("When `None`, the server uses {}.", code(&value.to_string())));
        let description = p.description.as_deref().map(prose);
        let docs = doc_attrs(&paragraphs([description.as_deref(), default.as_deref()]));
        quote! {
            #docs
            pub #field: Option<#ty>
        }
    });
    let setters = optional.iter().map(|p| {
        let field = ident(&p.rust_name);
        let docs = doc_attrs(&format!("Sets `{}`.", unraw(&p.rust_name)));
        let (argument, conversion) = match &p.ty {
            TypeRef::String => (quote!(impl Into<String>), quote!(#field.into())),
            ty => (type_tokens(ty), quote!(#field)),
        };
        quote! {
            #docs
            pub fn #field(mut self, #field: #argument) -> Self {
                self.#field = Some(#conversion);
                self
            }
        }
    });
    let derived = |without_debug: bool| {
        let traits = PARAMS_STRUCT_TRAITS
            .iter()
            .filter(|(name, _)| !(without_debug && *name == "Debug"))
            .map(|(name, _)| ident(name));
        quote!(#[derive(#(#traits),*)])
    };
    let non_exhaustive = crate::emit::NON_EXHAUSTIVE
        .params_structs
        .then(|| quote!(#[non_exhaustive]));
    let (derive_debug, manual_debug) = if optional.iter().any(|p| p.sensitive) {
        let entries = optional.iter().map(|p| {
            let field = ident(&p.rust_name);
            let label = unraw(&p.rust_name);
            if p.sensitive {
                quote!(.field(#label, &self.#field.as_ref().map(|_| "<redacted>")))
            } else {
                quote!(.field(#label, &self.#field))
            }
        });
        let manual = quote! {
            /// Credentials are shown as `<redacted>`.
            #cfg
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#label) #(#entries)* .finish()
                }
            }
        };
        (derived(true), manual)
    } else {
        (derived(false), TokenStream::new())
    };
    quote! {
        #cfg
        #docs
        #derive_debug
        #non_exhaustive
        pub struct #name {
            #(#fields,)*
        }

        #cfg
        impl #name {
            #(#setters)*
        }

        #manual_debug
    }
}
