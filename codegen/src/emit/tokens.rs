//! Rust tokens for what the IR names: types, identifiers, and the `#[cfg]` of gated items.

use crate::ir::TypeRef;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// Type names the generated modules use unqualified besides the runtime's: the prelude's
/// (`impl From<&str>`, `impl Into<String>`), serde's derives, and the types `chrono`
/// (`Date`, `DateTime`) and `serde_json` (`Map`, `Value`) define, which a reader would
/// otherwise confuse. No schema's type takes one ([`crate::reserved::Reserved`]); a test
/// reads every generated module for names it uses unqualified and finds each here or among
/// the crate's own.
pub(crate) const PRELUDE_TYPE_NAMES: &[&str] = &[
    "Box",
    "Date",
    "DateTime",
    "Deserialize",
    "Err",
    "From",
    "Into",
    "Map",
    "None",
    "Ok",
    "Option",
    "Result",
    "Serialize",
    "Some",
    "String",
    "Value",
    "Vec",
];

/// `#[cfg(...)]` for an item compiled when any feature of `gate` is on; nothing for an item
/// that is always compiled.
pub(crate) fn cfg(gate: &[String]) -> Option<TokenStream> {
    match gate {
        [] => None,
        [feature] => Some(quote!(#[cfg(feature = #feature)])),
        features => Some(quote!(#[cfg(any(#(feature = #features),*))])),
    }
}

/// `#[cfg(...)]` for an item that needs an item of each of `gates`: an owner family's method,
/// say, which calls an operation of each kind of owner.
pub(crate) fn cfg_all(gates: &[&[String]]) -> Option<TokenStream> {
    let mut distinct: Vec<&[String]> = gates.iter().copied().filter(|g| !g.is_empty()).collect();
    distinct.sort();
    distinct.dedup();
    match distinct.as_slice() {
        [] => None,
        [gate] => cfg(gate),
        gates => {
            let each = gates.iter().map(|gate| match gate {
                [feature] => quote!(feature = #feature),
                features => quote!(any(#(feature = #features),*)),
            });
            Some(quote!(#[cfg(all(#(#each),*))]))
        }
    }
}

/// The Rust type for an IR type; `Named` types are in scope wherever this is used.
pub(crate) fn type_tokens(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::String => quote!(String),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Date => quote!(chrono::NaiveDate),
        TypeRef::Json => quote!(serde_json::Value),
        TypeRef::Bytes => quote!(bytes::Bytes),
        TypeRef::File => quote!(crate::FilePart),
        TypeRef::Named(name) => {
            let ident = ident(name);
            quote!(#ident)
        }
        TypeRef::Vec(inner) => {
            let inner = type_tokens(inner);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = type_tokens(inner);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Option(inner) => {
            let inner = type_tokens(inner);
            quote!(Option<#inner>)
        }
    }
}

/// An identifier decided by `lower`; `r#type` becomes a raw identifier.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The identifier without its `r#` marker, as serde and readers see it.
pub(crate) fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}
