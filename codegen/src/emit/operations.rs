//! Operations: one async method on `Client` per operation, and a struct for each operation's
//! optional parameters.

use super::docs::{code, doc_attrs, link, one_line, paragraphs, prose};
use super::scope::Scope;
use super::tokens::{cfg, ident, type_tokens, unraw};
use crate::ir::{
    Api, Encoding, Operation, Parameter, ParameterLocation, ParameterStyle, PartContent,
    PathSegment, RequestBody, ResponseBody, Status, Success, TypeKind, TypeRef,
};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use std::collections::HashSet;

/// The top of `operations.rs`: its docs and imports.
pub fn operations_head(api: &Api) -> TokenStream {
    let uses = |needed: bool, import: TokenStream| needed.then_some(import);
    let has_operations = !api.operations.is_empty();
    let imports = [
        uses(
            has_operations,
            quote!(
                use crate::client::{Client, Response};
            ),
        ),
        uses(
            has_operations,
            quote!(
                use crate::hooks::OperationInfo;
            ),
        ),
        uses(
            api.operations.iter().any(|o| o.pagination.is_some()),
            quote!(
                use crate::pagination::Paginated;
            ),
        ),
        uses(
            api.operations.iter().any(uses_encoding),
            quote!(
                use crate::encoding;
            ),
        ),
        uses(
            has_operations,
            quote!(
                use crate::error::Error;
            ),
        ),
    ];
    let types = (!api.types.is_empty()).then(|| {
        quote! {
            #[allow(unused_imports)]
            use crate::types::*;
        }
    });
    quote! {
        //! One method per operation, and the optional parameters of each.

        #types
        #(#imports)*
    }
}

/// The optional-parameter structs of `operations`, in their order.
pub fn params_structs(operations: &[Operation]) -> TokenStream {
    let structs = operations.iter().filter_map(operation_params_struct);
    quote!(#(#structs)*)
}

/// The enums of several success types of `operations`.
pub fn success_enums(operations: &[Operation]) -> TokenStream {
    let enums = operations.iter().filter_map(success_enum);
    quote!(#(#enums)*)
}

/// The multipart forms `operations` send.
pub fn forms(operations: &[Operation]) -> TokenStream {
    let forms = operations.iter().filter_map(multipart_form);
    quote!(#(#forms)*)
}

/// The methods of `operations`, in one `impl Client` block.
pub fn methods(operations: &[Operation], values: &ValueKinds) -> TokenStream {
    let methods = operations.iter().map(|op| method(op, values));
    quote! {
        impl Client {
            #(#methods)*
        }
    }
}

/// Whether the operation's body writes parameters with `encoding`'s helpers.
fn uses_encoding(op: &Operation) -> bool {
    !op.parameters.is_empty()
        || op
            .request_body
            .as_ref()
            .is_some_and(|body| body.encoding == Encoding::Multipart)
}

/// Which named types are string enums (written as they are) rather than objects
/// (written member by member): how `emit` writes a parameter of that type.
pub(crate) struct ValueKinds<'a> {
    enums: HashSet<&'a str>,
}

impl<'a> ValueKinds<'a> {
    pub(crate) fn of(api: &'a Api) -> Self {
        ValueKinds {
            enums: api
                .types
                .iter()
                .filter(|t| matches!(t.kind, TypeKind::Enum { .. }))
                .map(|t| t.name.as_str())
                .collect(),
        }
    }

    /// A value written as one string.
    fn is_scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64
            | TypeRef::String
            | TypeRef::Date
            | TypeRef::DateTime => true,
            TypeRef::Named(name) => self.enums.contains(name.as_str()),
            _ => false,
        }
    }

    /// `encoding::Parts` for a value of `ty` in `value` (an expression of type `&T`).
    fn parts(&self, parameter: &Parameter, value: TokenStream) -> TokenStream {
        if parameter.style == ParameterStyle::Json {
            return quote!(encoding::Parts::json(#value));
        }
        match &parameter.ty {
            ty if self.is_scalar(ty) => quote!(encoding::Parts::one(#value)),
            TypeRef::Vec(item) if self.is_scalar(item) => quote!(encoding::Parts::list(#value)),
            _ => quote!(encoding::Parts::serialized(#value)),
        }
    }

    /// Whether the parameter is written the way most are, with the shortest code: a single
    /// value in its location's default style.
    fn is_plain(&self, parameter: &Parameter) -> bool {
        let default_style = match parameter.location {
            ParameterLocation::Query | ParameterLocation::Cookie => ParameterStyle::Form,
            ParameterLocation::Path | ParameterLocation::Header => ParameterStyle::Simple,
        };
        parameter.style == default_style && self.is_scalar(&parameter.ty)
    }
}

/// How an argument is taken: strings and lists borrowed, everything else by value; and
/// whether it is a borrow.
pub(crate) fn argument_type(ty: &TypeRef) -> (TokenStream, bool) {
    match ty {
        TypeRef::String => (quote!(&str), true),
        TypeRef::Vec(item) => {
            let item = type_tokens(item);
            (quote!(&[#item]), true)
        }
        other => (type_tokens(other), false),
    }
}

/// The identifiers of one operation's method bodies: its arguments as `lower` named them,
/// and the locals `emit` adds, none of which shadows an argument.
struct Names {
    body: Ident,
    params: Ident,
    request_path: Ident,
    request_url: Ident,
    request_query: Ident,
    request: Ident,
    response: Ident,
    value: Ident,
    cookies: Ident,
    form: Ident,
}

impl Names {
    fn new(op: &Operation) -> Names {
        let mut scope = Scope::new(
            op.parameters
                .iter()
                .filter(|p| p.required)
                .map(|p| p.rust_name.as_str()),
        );
        Names {
            body: scope.local("body"),
            params: scope.local("params"),
            request_path: scope.local("request_path"),
            request_url: scope.local("request_url"),
            request_query: scope.local("request_query"),
            request: scope.local("request"),
            response: scope.local("response"),
            value: scope.local("value"),
            cookies: scope.local("cookies"),
            form: scope.local("form"),
        }
    }
}

/// The method's arguments after `&self` (declarations), and the names to pass them on.
fn arguments(op: &Operation, names: &Names) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut declarations = Vec::new();
    let mut passed = Vec::new();
    for p in op.parameters.iter().filter(|p| p.required) {
        let arg = ident(&p.rust_name);
        let (ty, _) = argument_type(&p.ty);
        declarations.push(quote!(#arg: #ty));
        passed.push(quote!(#arg));
    }
    if let Some(body) = &op.request_body {
        let ty = match body.encoding {
            Encoding::Text => quote!(str),
            Encoding::Binary => quote!([u8]),
            Encoding::Json | Encoding::Form | Encoding::Multipart => type_tokens(&body.ty),
        };
        let name = &names.body;
        declarations.push(if body.required {
            quote!(#name: &#ty)
        } else {
            quote!(#name: Option<&#ty>)
        });
        passed.push(quote!(#name));
    }
    if let Some(params_type) = &op.optional_params_type {
        let params_type = ident(params_type);
        let name = &names.params;
        declarations.push(quote!(#name: &#params_type));
        passed.push(quote!(#name));
    }
    (declarations, passed)
}

/// The media types the operation's responses are described in, for the `Accept` header.
pub(crate) fn accept(op: &Operation) -> TokenStream {
    let mut media_types: Vec<&str> = Vec::new();
    let ordered = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .chain(op.responses.iter().filter(|r| !r.status.is_success()));
    for body in ordered.filter_map(|r| r.body.as_ref()) {
        if !media_types.contains(&body.media_type.as_str()) {
            media_types.push(&body.media_type);
        }
    }
    if media_types.is_empty() {
        quote!(None)
    } else {
        let joined = media_types.join(", ");
        quote!(Some(#joined))
    }
}

fn method(op: &Operation, values: &ValueKinds) -> TokenStream {
    let names = Names::new(op);
    let Names {
        request_url,
        request,
        response,
        ..
    } = &names;
    let name = ident(&op.method_name);
    let cfg = cfg(&op.gate);
    let docs = doc_attrs(&method_docs(op));
    let (arguments, argument_names) = arguments(op, &names);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    // The arguments are the description's required parameters, however many it has.
    let many = (arguments.len() >= 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let accept = accept(op);

    let method = ident(op.http_method.as_str());
    let headers = write_headers(op, &names, values);
    let body = op
        .request_body
        .as_ref()
        .map(|body| write_body(body, &names));
    let (return_type, outcome) = outcome(op, &names);
    let mutable_request = (!headers.is_empty() || op.request_body.is_some()).then(|| quote!(mut));
    let build_url = build_url(op, &names, values);
    // What hooks and tracing spans are told: never a parameter's value.
    let (operation_id, route) = (&op.operation_id, &op.path);
    let operation = quote!(OperationInfo::new(#operation_id, #route));

    let Some(pagination) = &op.pagination else {
        return quote! {
            #cfg
            #docs
            #deprecated
            #many
            pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
                #build_url
                let #mutable_request #request = self.request(reqwest::Method::#method, #request_url, #accept);
                #headers
                #body
                let #response = self.send(#request, #operation).await?;
                #outcome
            }
        };
    };
    // List operations share the URL building with their streaming form.
    let url_method = ident(&pagination.url_method);
    let stream_method = ident(&pagination.stream_method);
    let item = type_tokens(&pagination.item);
    let stream_docs = doc_attrs(&format!(
        "Every item of [`Client::{}`], page after page: follows the `Link` header's \
         `rel=\"next\"` to the last page. See [`Paginated`].",
        op.method_name
    ));
    quote! {
        #cfg
        #many
        fn #url_method(&self, #(#arguments),*) -> Result<reqwest::Url, Error> {
            #build_url
            Ok(#request_url)
        }

        #cfg
        #docs
        #deprecated
        #many
        pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
            let #request_url = self.#url_method(#(#argument_names),*)?;
            let #request = self.request(reqwest::Method::#method, #request_url, #accept);
            let #response = self.send(#request, #operation).await?;
            #outcome
        }

        #cfg
        #stream_docs
        #deprecated
        #many
        pub fn #stream_method(&self, #(#arguments),*) -> Paginated<#item> {
            Paginated::new(self, self.#url_method(#(#argument_names),*), #accept, #operation)
        }
    }
}

/// The header and cookie parameters, added to `request`.
fn write_headers(op: &Operation, names: &Names, values: &ValueKinds) -> TokenStream {
    let Names {
        params,
        request,
        value,
        cookies,
        ..
    } = names;
    // Sets one parameter from `argument` (an expression of type `&T`).
    let set = |p: &Parameter, argument: TokenStream| -> TokenStream {
        let wire = &p.name;
        let explode = p.explode;
        if p.location == ParameterLocation::Cookie {
            let parts = values.parts(p, argument);
            quote!(#cookies.push(#wire, #explode, &#parts);)
        } else if values.is_plain(p) {
            quote!(#request = #request.header(#wire, encoding::ParamValue::to_param(#argument).as_ref());)
        } else {
            let parts = values.parts(p, argument);
            quote!(#request = #request.header(#wire, encoding::header_value(#explode, &#parts));)
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
        if p.required {
            written.extend(set(p, parameter_value(p)));
        } else {
            let field = ident(&p.rust_name);
            let write = set(p, quote!(#value));
            written.extend(quote! {
                if let Some(#value) = &#params.#field {
                    #write
                }
            });
        }
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
fn write_body(body: &RequestBody, names: &Names) -> TokenStream {
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
        Encoding::Binary => quote! {
            #request = #request.header(reqwest::header::CONTENT_TYPE, #media_type).body(#body_arg.to_vec());
        },
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
fn build_url(op: &Operation, names: &Names, values: &ValueKinds) -> TokenStream {
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
        params,
        request_url,
        request_query,
        value,
        ..
    } = names;
    let parameters: Vec<&Parameter> = op.parameters_in(ParameterLocation::Query).collect();
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
        if p.required {
            push(parameter_value(p))
        } else {
            let field = ident(&p.rust_name);
            let write = push(quote!(#value));
            quote! {
                if let Some(#value) = &#params.#field {
                    #write
                }
            }
        }
    });
    quote! {
        let mut #request_query = encoding::Query::default();
        #(#pushes)*
        #request_query.apply(&mut #request_url);
    }
}

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
                Encoding::Binary | Encoding::Form | Encoding::Multipart => {
                    quote!(#response.bytes())
                }
            };
            (type_tokens(&body.ty), reader)
        }
    }
}

/// Whether the operation describes every `2XX` (a `2XX` range, or no success at all, which
/// reads any `2XX` as the one success): then no success is left undescribed.
fn describes_every_success(op: &Operation) -> bool {
    op.successes().next().is_none() || op.successes().any(|r| r.status == Status::Range(2))
}

/// The success type, and the code that turns the response into the result. A `2XX` the
/// description does not list is a success too: read as the first described success it
/// matches (bodies first, in the order described; a success without a body matches any),
/// with its body kept as received.
fn outcome(op: &Operation, names: &Names) -> (TokenStream, TokenStream) {
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
fn success_enum(op: &Operation) -> Option<TokenStream> {
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
    Some(quote! {
        #cfg
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants,)*
        }
    })
}

fn method_docs(op: &Operation) -> String {
    let request_line = code(&format!("{} {}", op.http_method.as_str(), op.path));
    let docs_link = op
        .docs_url
        .as_ref()
        .map(|url| link("API documentation", url));
    let mut responses = String::new();
    for response in &op.responses {
        let body = response
            .body
            .as_ref()
            .map(|b| format!(" (`{}`)", b.ty))
            .unwrap_or_default();
        responses.push_str(&format!(
            "- `{}`{body}: {}\n",
            response.status,
            prose(&one_line(&response.description))
        ));
    }
    if !describes_every_success(op) {
        let read = match &op.success {
            Success::Single { body: Some(body) } if body.encoding == Encoding::Json => format!(
                "decoded as `{}` where it matches (else a decode error), its body kept as \
                 received in [`Response::raw_body`]",
                body.ty
            ),
            Success::Single { body: Some(body) } => format!(
                "read as `{}`, its body kept as received in [`Response::raw_body`]",
                body.ty
            ),
            Success::Single { body: None } => {
                "its body, if any, kept as received in [`Response::raw_body`]".to_owned()
            }
            Success::Enum { .. } => "read as the first success above that it matches, its body \
                 kept as received in [`Response::raw_body`]"
                .to_owned(),
        };
        responses.push_str(&format!("- any other `2XX`: a success too, {read}\n"));
    }
    let responses = (!responses.is_empty()).then(|| format!("# Responses\n\n{responses}"));
    let summary = op.summary.as_deref().map(prose);
    let description = op.description.as_deref().map(prose);
    paragraphs([
        summary.as_deref(),
        description.as_deref(),
        Some(request_line.as_str()),
        docs_link.as_deref(),
        responses.as_deref(),
    ])
}

/// The struct a `multipart/*` body is given as: a field per part.
fn multipart_form(op: &Operation) -> Option<TokenStream> {
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

fn operation_params_struct(op: &Operation) -> Option<TokenStream> {
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
