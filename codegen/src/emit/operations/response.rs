//! What an operation method makes of the response: the statuses it describes, their bodies,
//! and the per-operation enum of successes.

use super::Names;
use crate::emit::docs::{doc_attrs, one_line, prose};
use crate::emit::tokens::{cfg, ident, type_tokens};
use crate::ir::{Encoding, Operation, ResponseBody, Status, Success, TypeRef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The pattern that matches a status in the generated `match`.
fn status_pattern(status: Status) -> TokenStream {
    match status {
        Status::Code(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        Status::Range(class) => {
            let low = Literal::u16_unsuffixed(class * 100);
            let high = Literal::u16_unsuffixed(class * 100 + 99);
            quote!(#low..=#high)
        }
        Status::Default => quote!(200..=299),
    }
}

/// Reads a body as the IR says: JSON, text or bytes; `()` without one. `response` is the
/// `RawResponse` expression read.
fn read_body(body: Option<&ResponseBody>, response: TokenStream) -> (TokenStream, TokenStream) {
    match body {
        None => (quote!(()), quote!(#response.empty())),
        Some(body) => {
            let reader = match body.encoding {
                Encoding::Json => quote!(#response.json()),
                Encoding::Text => quote!(#response.text()),
                // A stream among differing successes is read whole (`lower`).
                Encoding::Binary
                | Encoding::Form
                | Encoding::Multipart
                | Encoding::EventStream
                | Encoding::JsonLines
                | Encoding::JsonSeq => {
                    quote!(#response.bytes())
                }
            };
            (type_tokens(&body.ty), reader)
        }
    }
}

/// The public type of a stream of items (`EventStream`, `JsonStream`), by its body's
/// encoding: what the method returns, and the surface records.
pub fn stream_type_name(encoding: Encoding) -> Option<&'static str> {
    match encoding {
        Encoding::EventStream => Some("EventStream"),
        Encoding::JsonLines | Encoding::JsonSeq => Some("JsonStream"),
        _ => None,
    }
}

/// The type of a streamed success (`EventStream<Item>`), and the expression that makes it
/// of the `Opened` answer `opened`: events' data as text when described as a string (or not
/// at all), else every item as JSON.
pub(super) fn stream_reader(
    body: &ResponseBody,
    opened: TokenStream,
) -> (TokenStream, TokenStream) {
    let item = type_tokens(&body.ty);
    let decode = match (body.encoding, &body.ty) {
        (Encoding::EventStream, TypeRef::String) => quote!(crate::stream::text),
        _ => quote!(crate::stream::json),
    };
    match body.encoding {
        Encoding::EventStream => (
            quote!(EventStream<#item>),
            quote!(crate::stream::EventStream::new(#opened, #decode)),
        ),
        encoding => {
            let framing = if encoding == Encoding::JsonSeq {
                quote!(crate::stream::Framing::RecordSeparated)
            } else {
                quote!(crate::stream::Framing::Lines)
            };
            (
                quote!(JsonStream<#item>),
                quote!(crate::stream::JsonStream::new(#opened, #decode, #framing)),
            )
        }
    }
}

/// Whether the operation describes every `2XX` (a `2XX` range, or no success at all, which
/// reads any `2XX` as the one success): then no success is left undescribed.
pub(super) fn describes_every_success(op: &Operation) -> bool {
    op.successes().next().is_none() || op.successes().any(|r| r.status == Status::Range(2))
}

/// The success type, and the code that turns the response into the result. A `2XX` the
/// description does not list is a success too: read as the first described success it
/// matches (bodies first, in the order described; a success without a body matches any),
/// with its body kept as received.
pub(super) fn outcome(op: &Operation, names: &Names) -> (TokenStream, TokenStream) {
    let response = &names.response;
    let arms: Vec<TokenStream>;
    let return_type;
    let undescribed;
    match &op.success {
        Success::Single { body } => {
            let statuses: Vec<TokenStream> =
                op.successes().map(|r| status_pattern(r.status)).collect();
            let patterns = if statuses.is_empty() {
                vec![quote!(200..=299)]
            } else {
                statuses
            };
            let (ty, reader) = read_body(body.as_ref(), quote!(#response));
            let (_, undescribed_reader) = read_body(body.as_ref(), quote!(#response.undescribed()));
            return_type = ty;
            arms = vec![quote!(#(#patterns)|* => #reader,)];
            undescribed = undescribed_reader;
        }
        Success::Enum {
            type_name,
            variants,
        } => {
            let enum_name = ident(type_name);
            return_type = quote!(#enum_name);
            let wrap = |variant: &crate::ir::SuccessVariant| {
                let name = ident(&variant.rust_name);
                if variant.body.is_some() {
                    quote!(#enum_name::#name)
                } else {
                    quote!(|()| #enum_name::#name)
                }
            };
            arms = variants
                .iter()
                .map(|variant| {
                    let pattern = status_pattern(variant.status);
                    let (_, reader) = read_body(variant.body.as_ref(), quote!(#response));
                    let wrap = wrap(variant);
                    quote!(#pattern => #reader.map(|#response| #response.map(#wrap)),)
                })
                .collect();
            // JSON bodies first (they may not match), then text and bytes, then none.
            let mut ordered: Vec<&crate::ir::SuccessVariant> = variants.iter().collect();
            ordered.sort_by_key(|variant| match &variant.body {
                Some(body) if body.encoding == Encoding::Json => 0,
                Some(_) => 1,
                None => 2,
            });
            let mut attempts = ordered.iter().map(|variant| {
                let (_, reader) = read_body(
                    variant.body.as_ref(),
                    quote!(#response.clone().undescribed()),
                );
                let wrap = wrap(variant);
                quote!(#reader.map(|#response| #response.map(#wrap)))
            });
            let first = attempts.next();
            undescribed = quote!(#first #(.or_else(|_| #attempts))*);
        }
    }
    let undescribed_arm = (!describes_every_success(op))
        .then(|| quote!(_ if #response.status.is_success() => #undescribed,));
    let outcome = quote! {
        match #response.status.as_u16() {
            #(#arms)*
            #undescribed_arm
            _ => Err(#response.into_error()),
        }
    };
    (return_type, outcome)
}

/// The per-operation enum of successful answers, when their bodies differ.
pub(super) fn success_enum(op: &Operation) -> Option<TokenStream> {
    let Success::Enum {
        type_name,
        variants,
    } = &op.success
    else {
        return None;
    };
    let name = ident(type_name);
    let docs = doc_attrs(&format!(
        "The successful answers of [`Client::{}`], by status.",
        op.method_name
    ));
    let variants = variants.iter().map(|variant| {
        let description = op
            .responses
            .iter()
            .find(|r| r.status == variant.status)
            .map(|r| prose(&one_line(&r.description)))
            .unwrap_or_default();
        let docs = doc_attrs(&format!("`{}`: {description}", variant.status));
        let variant_name = ident(&variant.rust_name);
        match &variant.body {
            // A boxed body decodes as it is: serde reads a `Box<T>` as a `T`.
            Some(body) if variant.boxed => {
                let ty = type_tokens(&body.ty);
                quote!(#docs #variant_name(Box<#ty>))
            }
            Some(body) => {
                let ty = type_tokens(&body.ty);
                quote!(#docs #variant_name(#ty))
            }
            None => quote!(#docs #variant_name),
        }
    });
    let cfg = cfg(&op.gate);
    let non_exhaustive = crate::emit::NON_EXHAUSTIVE
        .success_enums
        .then(|| quote!(#[non_exhaustive]));
    Some(quote! {
        #cfg
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #non_exhaustive
        pub enum #name {
            #(#variants,)*
        }
    })
}
