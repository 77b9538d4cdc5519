//! The request an operation method sends: its URL (path and query parameters in their
//! styles), its headers and its body.

use super::{argument_type, Names, ValueKinds};
use crate::emit::tokens::ident;
use crate::ir::{
    Encoding, Operation, Parameter, ParameterLocation, ParameterStyle, PartContent, PathSegment,
    RequestBody, TypeRef,
};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The header and cookie parameters, added to `request`.
pub(super) fn write_headers(op: &Operation, names: &Names, values: &ValueKinds) -> TokenStream {
    let Names {
        request, cookies, ..
    } = names;
    // Sets one parameter from `argument` (an expression of type `&T`).
    let set = |p: &Parameter, argument: TokenStream| -> TokenStream {
        let wire = &p.name;
        let explode = p.explode;
        if p.location == ParameterLocation::Cookie {
            let parts = values.parts(p, argument);
            quote!(#cookies.push(#wire, #explode, &#parts);)
        } else if values.is_plain(p) {
            quote!(#request = encoding::set_header(#request, #wire, encoding::ParamValue::to_param(#argument).as_ref());)
        } else {
            let parts = values.parts(p, argument);
            quote!(#request = encoding::set_header(#request, #wire, &encoding::header_value(#explode, &#parts));)
        }
    };
    let mut written = TokenStream::new();
    let located = op.parameters.iter().filter(|p| {
        matches!(
            p.location,
            ParameterLocation::Header | ParameterLocation::Cookie
        )
    });
    for p in located {
        written.extend(write_parameter(p, names, |argument| set(p, argument)));
    }
    if op.parameters_in(ParameterLocation::Cookie).next().is_some() {
        written = quote! {
            let mut #cookies = encoding::Cookies::default();
            #written
            #request = #cookies.apply(#request);
        };
    }
    written
}

/// Writes the request body as its media type says.
pub(super) fn write_body(body: &RequestBody, names: &Names) -> TokenStream {
    let Names {
        body: body_arg,
        request,
        value,
        form,
        ..
    } = names;
    let media_type = &body.media_type;
    let write = match body.encoding {
        Encoding::Json => quote!(#request = #request.json(#body_arg);),
        Encoding::Form => quote!(#request = #request.form(#body_arg);),
        Encoding::Text => quote! {
            #request = #request.header(reqwest::header::CONTENT_TYPE, #media_type).body(#body_arg.to_owned());
        },
        // `lower` reads the sequential media types of requests as bytes.
        Encoding::Binary | Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq => {
            quote! {
                #request = #request.header(reqwest::header::CONTENT_TYPE, #media_type).body(#body_arg.to_vec());
            }
        }
        Encoding::Multipart => {
            let parts = body.parts.iter().map(|part| {
                let wire = &part.name;
                let field = ident(&part.rust_name);
                let content_type = match &part.content_type {
                    Some(media_type) => quote!(Some(#media_type)),
                    None => quote!(None),
                };
                let writer = match part.content {
                    PartContent::Text => quote!(text),
                    PartContent::File => quote!(file),
                    PartContent::Json => quote!(json),
                };
                let add = quote!(#form = #form.#writer(#wire, #value, #content_type)?;);
                match (part.repeated, part.required) {
                    (true, true) => quote!(for #value in &#body_arg.#field { #add }),
                    (true, false) => quote! {
                        for #value in #body_arg.#field.iter().flatten() { #add }
                    },
                    (false, true) => quote! {
                        let #value = &#body_arg.#field;
                        #add
                    },
                    (false, false) => quote! {
                        if let Some(#value) = &#body_arg.#field { #add }
                    },
                }
            });
            quote! {
                let mut #form = crate::multipart::Multipart::default();
                #(#parts)*
                #request = #request.multipart(#form.finish());
            }
        }
    };
    if body.required {
        write
    } else {
        quote! {
            if let Some(#body_arg) = #body_arg {
                #write
            }
        }
    }
}

/// Builds `request_url`: the path with its parameters, and the query.
pub(super) fn build_url(op: &Operation, names: &Names, values: &ValueKinds) -> TokenStream {
    let path = build_path(op, names, values);
    let query = build_query(op, names, values);
    quote! {
        #path
        #query
    }
}

/// The expression for a required parameter's value where it is written: `&T` or `&str`.
fn parameter_value(p: &Parameter) -> TokenStream {
    let arg = ident(&p.rust_name);
    let (_, borrowed) = argument_type(&p.ty);
    if borrowed {
        quote!(#arg)
    } else {
        quote!(&#arg)
    }
}

/// Sets the whole query string (OpenAPI 3.2's `in: querystring`): the value's JSON text or
/// the text given, every byte but letters and digits percent-encoded, which a server decodes
/// whatever it takes as reserved.
fn whole_query(parameter: &Parameter, names: &Names) -> TokenStream {
    let Names {
        request_url,
        request_query,
        ..
    } = names;
    let text = |argument: TokenStream| match parameter.style {
        ParameterStyle::QueryStringJson => {
            quote!(serde_json::to_string(#argument).unwrap_or_default())
        }
        _ => quote!(#argument.to_string()),
    };
    let set = |argument: TokenStream| {
        let text = text(argument);
        quote! {
            let #request_query = #text;
            #request_url.set_query(Some(
                &percent_encoding::utf8_percent_encode(&#request_query, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            ));
        }
    };
    write_parameter(parameter, names, set)
}

/// Writes a parameter with `write`, given the expression of its value (`&T`): a required
/// one from its argument, an optional one from the parameter struct, when it is set.
fn write_parameter(
    parameter: &Parameter,
    names: &Names,
    write: impl Fn(TokenStream) -> TokenStream,
) -> TokenStream {
    if parameter.required {
        return write(parameter_value(parameter));
    }
    let Names { params, value, .. } = names;
    let field = ident(&parameter.rust_name);
    let written = write(quote!(#value));
    quote! {
        if let Some(#value) = &#params.#field {
            #written
        }
    }
}

/// `encoding::Style::...` for a parameter's style (`Json` is written as `form` or `simple`).
fn style_tokens(style: ParameterStyle, location: ParameterLocation) -> TokenStream {
    match style {
        ParameterStyle::Form => quote!(encoding::Style::Form),
        ParameterStyle::Simple => quote!(encoding::Style::Simple),
        ParameterStyle::Label => quote!(encoding::Style::Label),
        ParameterStyle::Matrix => quote!(encoding::Style::Matrix),
        ParameterStyle::SpaceDelimited => quote!(encoding::Style::SpaceDelimited),
        ParameterStyle::PipeDelimited => quote!(encoding::Style::PipeDelimited),
        ParameterStyle::DeepObject => quote!(encoding::Style::DeepObject),
        // Written whole by `build_query`, not in a style.
        ParameterStyle::QueryStringJson | ParameterStyle::QueryStringText => {
            quote!(encoding::Style::Form)
        }
        ParameterStyle::Json => match location {
            ParameterLocation::Query | ParameterLocation::Cookie => quote!(encoding::Style::Form),
            ParameterLocation::Path | ParameterLocation::Header => quote!(encoding::Style::Simple),
        },
    }
}

fn build_path(op: &Operation, names: &Names, values: &ValueKinds) -> TokenStream {
    let Names {
        request_path,
        request_url,
        ..
    } = names;
    let capacity = Literal::usize_unsuffixed(op.path.len() + 16);
    let pushes = op.path_segments.iter().map(|segment| match segment {
        PathSegment::Literal(text) => match text.chars().collect::<Vec<_>>()[..] {
            [c] => quote!(#request_path.push(#c);),
            _ => quote!(#request_path.push_str(#text);),
        },
        PathSegment::Parameter(rust_name) => {
            let parameter = op
                .parameters_in(ParameterLocation::Path)
                .find(|p| p.rust_name == *rust_name)
                .expect("lower links every path segment to a path parameter");
            let wire = &parameter.name;
            let value = parameter_value(parameter);
            if values.is_plain(parameter) {
                quote!(encoding::push_path_segment(&mut #request_path, #wire, #value)?;)
            } else {
                let style = style_tokens(parameter.style, parameter.location);
                let explode = parameter.explode;
                let parts = values.parts(parameter, value);
                quote!(encoding::push_path(&mut #request_path, #wire, #style, #explode, &#parts)?;)
            }
        }
    });
    let mutable_url = op
        .parameters_in(ParameterLocation::Query)
        .next()
        .is_some()
        .then(|| quote!(mut));
    quote! {
        let mut #request_path = String::with_capacity(#capacity);
        #(#pushes)*
        let #mutable_url #request_url = self.url(&#request_path);
    }
}

fn build_query(op: &Operation, names: &Names, values: &ValueKinds) -> TokenStream {
    let Names {
        request_url,
        request_query,
        ..
    } = names;
    let parameters: Vec<&Parameter> = op.parameters_in(ParameterLocation::Query).collect();
    if let Some(whole) = parameters.iter().find(|p| p.style.is_query_string()) {
        return whole_query(whole, names);
    }
    if parameters.is_empty() {
        return TokenStream::new();
    }
    let pushes = parameters.iter().map(|p| {
        let wire = &p.name;
        // Writes the parameter from `argument` (an expression of type `&T`).
        let push = |argument: TokenStream| match &p.ty {
            _ if values.is_plain(p) => quote!(#request_query.push(#wire, #argument);),
            TypeRef::Vec(item)
                if p.style == ParameterStyle::Form && p.explode && values.is_scalar(item) =>
            {
                quote!(#request_query.push_each(#wire, #argument);)
            }
            _ => {
                let style = style_tokens(p.style, p.location);
                let explode = p.explode;
                let parts = values.parts(p, argument);
                quote!(#request_query.push_styled(#wire, #style, #explode, &#parts);)
            }
        };
        write_parameter(p, names, push)
    });
    quote! {
        let mut #request_query = encoding::Query::default();
        #(#pushes)*
        #request_query.apply(&mut #request_url);
    }
}
