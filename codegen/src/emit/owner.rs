//! `Owner` and `OwnerClient`: one method per owner family, dispatching to the operation for
//! an organization, a user or the authenticated user.

use super::docs::doc_attrs;
use super::operations::params_struct;
use super::{ident, type_tokens};
use crate::ir::{Api, Operation, OwnerFamily, OwnerKind, Parameter, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

pub fn owner_rs(api: &Api) -> Option<TokenStream> {
    if api.owner_families.is_empty() {
        return None;
    }
    let params_structs = api.owner_families.iter().filter_map(|family| {
        let name = family.optional_params_type.as_ref()?;
        let optional: Vec<&Parameter> = family.optional.iter().collect();
        let docs = format!(
            "Optional parameters of [`OwnerClient::{}`]. Not every kind of owner takes every \
             one: setting one the chosen operation does not take is an \
             [`Error::UnsupportedParameter`].",
            family.method_name
        );
        Some(params_struct(name, &optional, &docs))
    });
    let methods = api
        .owner_families
        .iter()
        .map(|family| family_methods(api, family));
    Some(quote! {
        //! Operations by owner: GitHub has the same routes for an organization's packages
        //! (`/orgs/{org}/...`), a user's (`/users/{username}/...`) and the authenticated
        //! user's (`/user/...`). [`Client::owner`] picks the right one, so callers handle all
        //! three with one piece of code.

        #[allow(unused_imports)]
        use crate::types::*;
        #[allow(unused_imports)]
        use crate::operations::*;
        use crate::client::{Client, Response};
        #[allow(unused_imports)]
        use crate::pagination::Paginated;
        use crate::error::Error;

        /// Whose packages an operation addresses.
        ///
        /// `/users/{username}` shows only public packages unless `username` is the
        /// authenticated user; use [`Owner::AuthenticatedUser`] for your own private ones.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Owner {
            /// An organization, by login (`/orgs/{org}/...`).
            Organization(String),
            /// A user, by login (`/users/{username}/...`).
            User(String),
            /// The user the token belongs to (`/user/...`).
            AuthenticatedUser,
        }

        impl Owner {
            pub fn org(login: impl Into<String>) -> Owner {
                Owner::Organization(login.into())
            }

            pub fn user(login: impl Into<String>) -> Owner {
                Owner::User(login.into())
            }
        }

        impl Client {
            /// The operations on `owner`'s packages.
            pub fn owner<'a>(&'a self, owner: &'a Owner) -> OwnerClient<'a> {
                OwnerClient { client: self, owner }
            }
        }

        /// The operations on one owner's packages; see [`Client::owner`].
        #[derive(Debug, Clone, Copy)]
        pub struct OwnerClient<'a> {
            client: &'a Client,
            owner: &'a Owner,
        }

        #(#params_structs)*

        impl OwnerClient<'_> {
            #(#methods)*
        }
    })
}

fn family_methods(api: &Api, family: &OwnerFamily) -> TokenStream {
    let name = ident(&family.method_name);
    let mut arguments: Vec<TokenStream> = family
        .required
        .iter()
        .map(|p| {
            let arg = ident(&p.rust_name);
            let ty = match &p.ty {
                TypeRef::String => quote!(&str),
                TypeRef::Vec(item) => {
                    let item = type_tokens(item);
                    quote!(&[#item])
                }
                other => type_tokens(other),
            };
            quote!(#arg: #ty)
        })
        .collect();
    if let Some(params_type) = &family.optional_params_type {
        let params_type = ident(params_type);
        arguments.push(quote!(params: &#params_type));
    }
    let operation = |method: &str| -> &Operation {
        api.operations
            .iter()
            .find(|o| o.method_name == method)
            .expect("families name lowered operations")
    };
    let owner_words = |kind: OwnerKind| match kind {
        OwnerKind::Organization => "an organization",
        OwnerKind::User => "a user",
        OwnerKind::AuthenticatedUser => "the authenticated user",
    };
    let members: Vec<String> = family
        .members
        .iter()
        .map(|m| format!("[`Client::{}`] for {}", m.operation, owner_words(m.owner)))
        .collect();
    let summary = operation(&family.members[0].operation).summary.clone();
    let docs = doc_attrs(&super::docs::paragraphs([
        summary.as_deref(),
        Some(&format!("For any owner: calls {}.", members.join(", "))),
    ]));
    let success = family
        .success
        .as_ref()
        .map_or_else(|| quote!(()), type_tokens);
    let dispatch = |stream: bool| -> TokenStream {
        let arms = family.members.iter().map(|member| {
            let op = operation(&member.operation);
            let pattern = match member.owner {
                OwnerKind::Organization => quote!(Owner::Organization(login)),
                OwnerKind::User => quote!(Owner::User(login)),
                OwnerKind::AuthenticatedUser => quote!(Owner::AuthenticatedUser),
            };
            let mut call_arguments: Vec<TokenStream> = Vec::new();
            if member.owner != OwnerKind::AuthenticatedUser {
                call_arguments.push(quote!(login));
            }
            call_arguments.extend(family.required.iter().map(|p| {
                let arg = ident(&p.rust_name);
                quote!(#arg)
            }));
            let unsupported: Vec<TokenStream> = family
                .optional
                .iter()
                .filter(|p| !member.optional.contains(&p.rust_name))
                .map(|p| {
                    let field = ident(&p.rust_name);
                    let operation_name = &member.operation;
                    let parameter_name = &p.name;
                    let error = quote!(Error::UnsupportedParameter { operation: #operation_name, parameter: #parameter_name });
                    let fail = if stream {
                        quote!(return Paginated::new(self.client, Err(#error));)
                    } else {
                        quote!(return Err(#error);)
                    };
                    quote! {
                        if params.#field.is_some() {
                            #fail
                        }
                    }
                })
                .collect();
            let member_params = op.optional_params_type.as_ref().map(|params_type| {
                let params_type = ident(params_type);
                let fields = member.optional.iter().map(|field| {
                    let copy = family
                        .optional
                        .iter()
                        .any(|p| p.rust_name == *field && is_copy(&p.ty));
                    let field = ident(field);
                    if copy {
                        quote!(#field: params.#field)
                    } else {
                        quote!(#field: params.#field.clone())
                    }
                });
                call_arguments.push(quote!(&member_params));
                quote!(let member_params = #params_type { #(#fields),* };)
            });
            let method = if stream {
                ident(&op.pagination.as_ref().expect("stream families are paginated").stream_method)
            } else {
                ident(&op.method_name)
            };
            let call = if stream {
                quote!(self.client.#method(#(#call_arguments),*))
            } else {
                quote!(self.client.#method(#(#call_arguments),*).await)
            };
            quote! {
                #pattern => {
                    #(#unsupported)*
                    #member_params
                    #call
                }
            }
        });
        quote! {
            match self.owner {
                #(#arms)*
            }
        }
    };
    let call = dispatch(false);
    let stream = family.stream_method.as_ref().map(|stream_method| {
        let stream_name = ident(stream_method);
        let item = match &family.success {
            Some(TypeRef::Vec(item)) => type_tokens(item),
            _ => unreachable!("stream families answer lists"),
        };
        let body = dispatch(true);
        let docs = doc_attrs(&format!(
            "Every item of [`OwnerClient::{}`], page after page. See [`Paginated`].",
            family.method_name
        ));
        quote! {
            #docs
            #[allow(deprecated)]
            pub fn #stream_name(&self, #(#arguments),*) -> Paginated<#item> {
                #body
            }
        }
    });
    quote! {
        #docs
        #[allow(deprecated)]
        pub async fn #name(&self, #(#arguments),*) -> Result<Response<#success>, Error> {
            #call
        }

        #stream
    }
}

fn is_copy(ty: &TypeRef) -> bool {
    matches!(
        ty,
        TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64
            | TypeRef::Date
            | TypeRef::DateTime
    )
}
