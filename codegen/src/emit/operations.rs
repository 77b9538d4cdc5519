//! Operations: one async method on `Client` per operation, and a struct for each operation's
//! optional parameters.

use super::docs::{doc_attrs, paragraphs};
use super::scope::Scope;
use super::{ident, type_tokens, unraw};
use crate::ir::{
    Api, Encoding, Operation, Parameter, ParameterLocation, PathSegment, ResponseBody, Status,
    Success, TypeRef,
};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

pub fn operations_rs(api: &Api) -> TokenStream {
    let params_structs = api.operations.iter().filter_map(operation_params_struct);
    let success_enums = api.operations.iter().filter_map(success_enum);
    let methods = api.operations.iter().map(method);
    let pagination_import = api
        .operations
        .iter()
        .any(|o| o.pagination.is_some())
        .then(|| {
            quote!(
                use crate::pagination::Paginated;
            )
        });
    quote! {
        //! One method per operation, and the optional parameters of each.

        #[allow(unused_imports)]
        use crate::types::*;
        use crate::client::{Client, Response};
        #pagination_import
        use crate::encoding;
        use crate::error::Error;

        #(#params_structs)*

        #(#success_enums)*

        impl Client {
            #(#methods)*
        }
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
            Encoding::Json | Encoding::Form => type_tokens(&body.ty),
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

fn method(op: &Operation) -> TokenStream {
    let names = Names::new(op);
    let Names {
        body: body_arg,
        params,
        request_url,
        request,
        response,
        value,
        ..
    } = &names;
    let name = ident(&op.method_name);
    let docs = doc_attrs(&method_docs(op));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let (arguments, argument_names) = arguments(op, &names);
    let accept = accept(op);

    let method = ident(op.http_method.as_str());
    let headers = op.parameters_in(ParameterLocation::Header).map(|p| {
        let wire = &p.name;
        if p.required {
            let argument = parameter_value(p);
            quote! {
                #request = #request.header(#wire, encoding::ParamValue::to_param(#argument).as_ref());
            }
        } else {
            let field = ident(&p.rust_name);
            quote! {
                if let Some(#value) = &#params.#field {
                    #request = #request.header(#wire, encoding::ParamValue::to_param(#value).as_ref());
                }
            }
        }
    });
    let body = op.request_body.as_ref().map(|body| {
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
    });
    let (return_type, outcome) = outcome(op, &names);
    let mutable_request = (op.parameters_in(ParameterLocation::Header).next().is_some()
        || op.request_body.is_some())
    .then(|| quote!(mut));
    let build_url = build_url(op, &names);

    let Some(pagination) = &op.pagination else {
        return quote! {
            #docs
            #deprecated
            pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
                #build_url
                let #mutable_request #request = self.request(reqwest::Method::#method, #request_url, #accept);
                #(#headers)*
                #body
                let #response = self.send(#request).await?;
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
        fn #url_method(&self, #(#arguments),*) -> Result<reqwest::Url, Error> {
            #build_url
            Ok(#request_url)
        }

        #docs
        #deprecated
        pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
            let #request_url = self.#url_method(#(#argument_names),*)?;
            let #request = self.request(reqwest::Method::#method, #request_url, #accept);
            let #response = self.send(#request).await?;
            #outcome
        }

        #stream_docs
        #deprecated
        pub fn #stream_method(&self, #(#arguments),*) -> Paginated<#item> {
            Paginated::new(self, self.#url_method(#(#argument_names),*), #accept)
        }
    }
}

/// Builds `request_url`: the path with its parameters, and the query.
fn build_url(op: &Operation, names: &Names) -> TokenStream {
    let path = build_path(op, names);
    let query = build_query(op, names);
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

fn build_path(op: &Operation, names: &Names) -> TokenStream {
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
            quote!(encoding::push_path_segment(&mut #request_path, #wire, #value)?;)
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

fn build_query(op: &Operation, names: &Names) -> TokenStream {
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
        let push = if matches!(p.ty, TypeRef::Vec(_)) {
            quote!(push_each)
        } else {
            quote!(push)
        };
        if p.required {
            let argument = parameter_value(p);
            quote!(#request_query.#push(#wire, #argument);)
        } else {
            let field = ident(&p.rust_name);
            quote! {
                if let Some(#value) = &#params.#field {
                    #request_query.#push(#wire, #value);
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

/// Reads a body as the IR says: JSON, text or bytes; `()` without one.
fn read_body(body: Option<&ResponseBody>, response: &Ident) -> (TokenStream, TokenStream) {
    match body {
        None => (quote!(()), quote!(#response.empty())),
        Some(body) => {
            let reader = match body.encoding {
                Encoding::Json => quote!(#response.json()),
                Encoding::Text => quote!(#response.text()),
                Encoding::Binary | Encoding::Form => quote!(#response.bytes()),
            };
            (type_tokens(&body.ty), reader)
        }
    }
}

/// The success type, and the code that turns the response into the result.
fn outcome(op: &Operation, names: &Names) -> (TokenStream, TokenStream) {
    let response = &names.response;
    let arms: Vec<TokenStream>;
    let return_type;
    match &op.success {
        Success::Single { body } => {
            let statuses: Vec<TokenStream> =
                op.successes().map(|r| status_pattern(r.status)).collect();
            let patterns = if statuses.is_empty() {
                vec![quote!(200..=299)]
            } else {
                statuses
            };
            let (ty, reader) = read_body(body.as_ref(), response);
            return_type = ty;
            arms = vec![quote!(#(#patterns)|* => #reader,)];
        }
        Success::Enum {
            type_name,
            variants,
        } => {
            let enum_name = ident(type_name);
            return_type = quote!(#enum_name);
            arms = variants
                .iter()
                .map(|variant| {
                    let pattern = status_pattern(variant.status);
                    let name = ident(&variant.rust_name);
                    let (_, reader) = read_body(variant.body.as_ref(), response);
                    let wrap = if variant.body.is_some() {
                        quote!(#enum_name::#name)
                    } else {
                        quote!(|()| #enum_name::#name)
                    };
                    quote!(#pattern => #reader.map(|#response| #response.map(#wrap)),)
                })
                .collect();
        }
    }
    let outcome = quote! {
        match #response.status.as_u16() {
            #(#arms)*
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
            .map(|r| r.description.trim().to_owned())
            .unwrap_or_default();
        let docs = doc_attrs(&format!("`{}`: {}", variant.status, description));
        let variant_name = ident(&variant.rust_name);
        match &variant.body {
            Some(body) => {
                let ty = type_tokens(&body.ty);
                quote!(#docs #variant_name(#ty))
            }
            None => quote!(#docs #variant_name),
        }
    });
    Some(quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants,)*
        }
    })
}

fn method_docs(op: &Operation) -> String {
    let request_line = format!("`{} {}`", op.http_method.as_str(), op.path);
    let docs_link = op
        .docs_url
        .as_ref()
        .map(|url| format!("[API documentation]({url})"));
    let mut responses = String::new();
    for response in &op.responses {
        let description = response.description.trim();
        let body = response
            .body
            .as_ref()
            .map(|b| format!(" (`{}`)", b.ty))
            .unwrap_or_default();
        responses.push_str(&format!(
            "- `{}`{body}: {}\n",
            response.status,
            description.replace('\n', " ")
        ));
    }
    let responses = (!responses.is_empty()).then(|| format!("# Responses\n\n{responses}"));
    paragraphs([
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(request_line.as_str()),
        docs_link.as_deref(),
        responses.as_deref(),
    ])
}

fn operation_params_struct(op: &Operation) -> Option<TokenStream> {
    let name = op.optional_params_type.as_ref()?;
    let optional: Vec<&Parameter> = op.parameters.iter().filter(|p| !p.required).collect();
    let docs = format!(
        "Optional parameters of [`Client::{}`]. `Default::default()` sends none of them.",
        op.method_name
    );
    Some(params_struct(name, &optional, &docs))
}

/// A struct of optional parameters, all `None` by default, with a setter for each.
pub(crate) fn params_struct(name: &str, optional: &[&Parameter], docs: &str) -> TokenStream {
    let label = name;
    let name = ident(name);
    let docs = doc_attrs(docs);
    let fields = optional.iter().map(|p| {
        let field = ident(&p.rust_name);
        let ty = type_tokens(&p.ty);
        let default = p
            .default
            .as_ref()
            .map(|value| format!("When `None`, the server uses `{value}`."));
        let docs = doc_attrs(&paragraphs([p.description.as_deref(), default.as_deref()]));
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
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#label) #(#entries)* .finish()
                }
            }
        };
        (quote!(#[derive(Clone, Default, PartialEq)]), manual)
    } else {
        (
            quote!(#[derive(Debug, Clone, Default, PartialEq)]),
            TokenStream::new(),
        )
    };
    quote! {
        #docs
        #derive_debug
        pub struct #name {
            #(#fields,)*
        }

        impl #name {
            #(#setters)*
        }

        #manual_debug
    }
}
