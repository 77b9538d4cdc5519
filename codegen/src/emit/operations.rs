//! Operations: one async method on `Client` per operation, and a struct for each operation's
//! optional parameters.

use super::docs::{doc_attrs, paragraphs};
use super::{ident, type_tokens};
use crate::ir::{Api, Operation, Parameter, ParameterLocation, PathSegment, Status, TypeRef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn operations_rs(api: &Api) -> TokenStream {
    let params_structs = api.operations.iter().filter_map(operation_params_struct);
    let methods = api.operations.iter().map(method);
    quote! {
        //! One method per operation, and the optional parameters of each.

        #[allow(unused_imports)]
        use crate::types::*;
        use crate::client::{Client, Response};
        #[allow(unused_imports)]
        use crate::pagination::Paginated;
        use crate::encoding;
        use crate::error::Error;

        #(#params_structs)*

        impl Client {
            #(#methods)*
        }
    }
}

/// How an argument is taken: strings and lists borrowed, everything else by value.
fn argument_type(ty: &TypeRef) -> (TokenStream, bool) {
    match ty {
        TypeRef::String => (quote!(&str), true),
        TypeRef::Vec(item) => {
            let item = type_tokens(item);
            (quote!(&[#item]), true)
        }
        other => (type_tokens(other), false),
    }
}

/// The method's arguments after `&self` (declarations), and the names to pass them on.
fn arguments(op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut declarations = Vec::new();
    let mut names = Vec::new();
    for p in op.parameters.iter().filter(|p| p.required) {
        let arg = ident(&p.rust_name);
        let (ty, _) = argument_type(&p.ty);
        declarations.push(quote!(#arg: #ty));
        names.push(quote!(#arg));
    }
    if let Some(body) = &op.request_body {
        let ty = type_tokens(&body.ty);
        declarations.push(if body.required {
            quote!(body: &#ty)
        } else {
            quote!(body: Option<&#ty>)
        });
        names.push(quote!(body));
    }
    if let Some(params_type) = &op.optional_params_type {
        let params_type = ident(params_type);
        declarations.push(quote!(params: &#params_type));
        names.push(quote!(params));
    }
    (declarations, names)
}

fn method(op: &Operation) -> TokenStream {
    let name = ident(&op.method_name);
    let docs = doc_attrs(&method_docs(op));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let (arguments, argument_names) = arguments(op);

    let method = ident(op.http_method.as_str());
    let headers = op.parameters_in(ParameterLocation::Header).map(|p| {
        let wire = &p.name;
        let value = parameter_value(p);
        if p.required {
            quote! {
                request = request.header(#wire, encoding::ParamValue::to_param(#value).as_ref());
            }
        } else {
            quote! {
                if let Some(value) = &params.#value {
                    request = request.header(#wire, encoding::ParamValue::to_param(value).as_ref());
                }
            }
        }
    });
    let body = op.request_body.as_ref().map(|body| {
        if body.required {
            quote!(request = request.json(body);)
        } else {
            quote! {
                if let Some(body) = body {
                    request = request.json(body);
                }
            }
        }
    });
    let (return_type, outcome) = outcome(op);
    let mutable_request = (op.parameters_in(ParameterLocation::Header).next().is_some()
        || op.request_body.is_some())
    .then(|| quote!(mut));
    let build_url = build_url(op);

    let Some(pagination) = &op.pagination else {
        return quote! {
            #docs
            #deprecated
            pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
                #build_url
                let #mutable_request request = self.request(reqwest::Method::#method, request_url);
                #(#headers)*
                #body
                let response = self.send(request).await?;
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
            Ok(request_url)
        }

        #docs
        #deprecated
        pub async fn #name(&self, #(#arguments),*) -> Result<Response<#return_type>, Error> {
            let request_url = self.#url_method(#(#argument_names),*)?;
            let request = self.request(reqwest::Method::#method, request_url);
            let response = self.send(request).await?;
            #outcome
        }

        #stream_docs
        #deprecated
        pub fn #stream_method(&self, #(#arguments),*) -> Paginated<#item> {
            Paginated::new(self, self.#url_method(#(#argument_names),*))
        }
    }
}

/// Builds `request_url`: the path with its parameters, and the query.
fn build_url(op: &Operation) -> TokenStream {
    let path = build_path(op);
    let query = build_query(op);
    quote! {
        #path
        #query
    }
}

/// The expression for a parameter's value where it is written: `&T` or `&str`.
fn parameter_value(p: &Parameter) -> TokenStream {
    let arg = ident(&p.rust_name);
    if !p.required {
        return quote!(#arg);
    }
    let (_, borrowed) = argument_type(&p.ty);
    if borrowed {
        quote!(#arg)
    } else {
        quote!(&#arg)
    }
}

fn build_path(op: &Operation) -> TokenStream {
    let capacity = Literal::usize_unsuffixed(op.path.len() + 16);
    let pushes = op.path_segments.iter().map(|segment| match segment {
        PathSegment::Literal(text) => match text.chars().collect::<Vec<_>>()[..] {
            [c] => quote!(request_path.push(#c);),
            _ => quote!(request_path.push_str(#text);),
        },
        PathSegment::Parameter(rust_name) => {
            let parameter = op
                .parameters_in(ParameterLocation::Path)
                .find(|p| p.rust_name == *rust_name)
                .expect("lower links every path segment to a path parameter");
            let wire = &parameter.name;
            let value = parameter_value(parameter);
            quote!(encoding::push_path_segment(&mut request_path, #wire, #value)?;)
        }
    });
    let mutable_url = op
        .parameters_in(ParameterLocation::Query)
        .next()
        .is_some()
        .then(|| quote!(mut));
    quote! {
        let mut request_path = String::with_capacity(#capacity);
        #(#pushes)*
        let #mutable_url request_url = self.url(&request_path);
    }
}

fn build_query(op: &Operation) -> TokenStream {
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
            let value = parameter_value(p);
            quote!(request_query.#push(#wire, #value);)
        } else {
            let field = ident(&p.rust_name);
            quote! {
                if let Some(value) = &params.#field {
                    request_query.#push(#wire, value);
                }
            }
        }
    });
    quote! {
        let mut request_query = encoding::Query::default();
        #(#pushes)*
        request_query.apply(&mut request_url);
    }
}

/// The success type, and the code that turns the response into the result.
fn outcome(op: &Operation) -> (TokenStream, TokenStream) {
    let successes: Vec<_> = op.successes().collect();
    let patterns: Vec<TokenStream> = if successes.is_empty() {
        vec![quote!(200..=299)]
    } else {
        successes
            .iter()
            .map(|r| match r.status {
                Status::Code(code) => {
                    let code = Literal::u16_unsuffixed(code);
                    quote!(#code)
                }
                _ => quote!(200..=299),
            })
            .collect()
    };
    let body = successes.iter().find_map(|r| r.body.as_ref());
    let (return_type, decode) = match body {
        Some(body) => (type_tokens(&body.ty), quote!(response.json())),
        None => (quote!(()), quote!(response.empty())),
    };
    let outcome = quote! {
        match response.status.as_u16() {
            #(#patterns)|* => #decode,
            _ => Err(response.into_error()),
        }
    };
    (return_type, outcome)
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
pub(super) fn params_struct(name: &str, optional: &[&Parameter], docs: &str) -> TokenStream {
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
        let docs = doc_attrs(&format!("Sets `{}`.", crate::lower::unraw(&p.rust_name)));
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
            let label = crate::lower::unraw(&p.rust_name);
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
