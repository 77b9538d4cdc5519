//! Operations: one async method on `Client` per operation (`request.rs` builds what it
//! sends, `response.rs` reads what comes back), and the structs of its optional parameters
//! and multipart form (`params.rs`).

mod params;
mod request;
mod response;

use params::{multipart_form, operation_params_struct};
pub(crate) use params::{params_struct, PARAMS_STRUCT_TRAITS};
use request::{build_url, write_body, write_headers};
pub(crate) use response::stream_type_name;
use response::{describes_every_success, outcome, success_enum};

use super::docs::{code, doc_attrs, link, one_line, paragraphs, prose};
use super::scope::Scope;
use super::tokens::{cfg, ident, type_tokens};
use crate::ir::{
    Api, Encoding, HttpMethod, Operation, Parameter, ParameterLocation, ParameterStyle, Success,
    TypeKind, TypeRef,
};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use std::collections::HashSet;

/// The top of `operations.rs`: its docs and imports.
/// Whether an operation answers with a stream of the public type `name`.
fn streams_of(api: &Api, name: &str) -> bool {
    api.operations
        .iter()
        .filter_map(Operation::stream)
        .any(|body| stream_type_name(body.encoding) == Some(name))
}

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
            api.operations.iter().any(|o| o.pagination.is_some()),
            quote!(
                use crate::pagination::Paginated;
            ),
        ),
        uses(
            streams_of(api, "EventStream"),
            quote!(
                use crate::stream::EventStream;
            ),
        ),
        uses(
            streams_of(api, "JsonStream"),
            quote!(
                use crate::stream::JsonStream;
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
pub fn methods(api: &Api, operations: &[Operation], values: &ValueKinds) -> TokenStream {
    let methods = operations.iter().map(|op| method(api, op, values));
    quote! {
        impl Client {
            #(#methods)*
        }
    }
}

/// Whether the operation's body writes parameters with `encoding`'s helpers.
fn uses_encoding(op: &Operation) -> bool {
    // Multipart bodies are written with `crate::multipart`, named in full.
    !op.parameters.is_empty()
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
            Encoding::Binary | Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq => {
                quote!([u8])
            }
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

fn method(api: &Api, op: &Operation, values: &ValueKinds) -> TokenStream {
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

    let method = method_tokens(&op.http_method);
    let headers = write_headers(op, &names, values);
    let body = op
        .request_body
        .as_ref()
        .map(|body| write_body(body, &names));
    let mutable_request = (!headers.is_empty() || op.request_body.is_some()).then(|| quote!(mut));
    let build_url = build_url(op, &names, values);
    let operation = operation_info(api, op);

    if let Some(stream) = op.stream() {
        let (stream_type, open) = response::stream_reader(stream, quote!(opened));
        return quote! {
            #cfg
            #docs
            #deprecated
            #many
            pub async fn #name(&self, #(#arguments),*) -> Result<Response<#stream_type>, Error> {
                #build_url
                let #mutable_request #request = self.request(#method, #request_url, #accept);
                #headers
                #body
                let opened = self.send_streaming(#request, #operation).await?;
                Ok(#open)
            }
        };
    }
    let (return_type, outcome) = outcome(op, &names);

    let Some(pagination) = &op.pagination else {
        return quote! {
            #cfg
            #docs
            #deprecated
            #many
            pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
                #build_url
                let #mutable_request #request = self.request(#method, #request_url, #accept);
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
            let #request = self.request(#method, #request_url, #accept);
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

/// The request method: `reqwest`'s constant, or one made of its name (`QUERY`; `lower`
/// checked that it is a token, which `from_bytes` accepts).
fn method_tokens(method: &HttpMethod) -> TokenStream {
    match method {
        HttpMethod::Query | HttpMethod::Other(_) => {
            let name = Literal::byte_string(method.as_str().as_bytes());
            quote!(reqwest::Method::from_bytes(#name).map_err(|error| Error::InvalidConfig(error.to_string()))?)
        }
        method => {
            let constant = ident(method.as_str());
            quote!(reqwest::Method::#constant)
        }
    }
}

/// What hooks and tracing spans are told of an operation (never a parameter's value), with
/// the credentials it takes.
pub(crate) fn operation_info(api: &Api, op: &Operation) -> TokenStream {
    let (id, route) = (&op.operation_id, &op.path);
    let info = quote!(crate::hooks::OperationInfo::new(#id, #route));
    let Some(alternatives) = &op.security else {
        return info;
    };
    let alternatives = alternatives.iter().map(|requirement| {
        let schemes = requirement.0.iter().map(|(id, scopes)| {
            let constant = ident(&api.scheme(*id).const_name);
            quote!((&crate::security::#constant, &[#(#scopes),*]))
        });
        quote!(&[#(#schemes),*])
    });
    quote!(#info.secured(&[#(#alternatives),*]))
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
            .map(|b| match stream_type_name(b.encoding) {
                Some(stream) => format!(" (`{stream}<{}>`, read as it arrives)", b.ty),
                None => format!(" (`{}`)", b.ty),
            })
            .unwrap_or_default();
        responses.push_str(&format!(
            "- `{}`{body}: {}\n",
            response.status,
            prose(&one_line(&response.description))
        ));
    }
    if !describes_every_success(op) {
        let read = match &op.success {
            Success::Single { body: Some(body) } if body.encoding.is_sequential() => {
                "read as the same stream".to_owned()
            }
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
