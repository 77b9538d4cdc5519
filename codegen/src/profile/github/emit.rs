//! `Owner` and `OwnerClient`: one method per owner family, dispatching to the operation for
//! an organization, a user or the authenticated user.

use super::{OwnerFamily, OwnerKind, OwnerMember};
use crate::emit::docs::{doc_attrs, paragraphs, prose};
use crate::emit::operations::{accept, argument_type, operation_info, params_struct};
use crate::emit::scope::Scope;
use crate::emit::tokens::{cfg_all, ident, type_tokens};
use crate::ir::{Api, Operation, Parameter, TypeRef};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// `src/owner.rs`, for an API with owner families.
pub fn owner_rs(api: &Api, families: &[OwnerFamily]) -> TokenStream {
    let params_structs = families.iter().filter_map(|family| {
        let name = family.optional_params_type.as_ref()?;
        let optional: Vec<&Parameter> = family.optional.iter().collect();
        let docs = format!(
            "Optional parameters of [`OwnerClient::{}`]. Not every kind of owner takes every \
             one: setting one the chosen operation does not take is a \
             [`ProfileError::UnsupportedParameter`](crate::ProfileError::UnsupportedParameter).",
            family.method_name
        );
        Some(params_struct(
            name,
            &optional,
            &docs,
            FamilyMethods::new(api, family).cfg(),
        ))
    });
    let methods = families
        .iter()
        .map(|family| FamilyMethods::new(api, family).methods());
    // `pagination.rs` exists only when some operation is paged; a crate whose families are
    // none of them lists has no `Paginated` to import.
    let paginated = families
        .iter()
        .any(|family| family.stream_method.is_some())
        .then(|| {
            quote! {
                #[allow(unused_imports)]
                use crate::pagination::Paginated;
            }
        });
    quote! {
        //! Operations by owner: GitHub has the same routes for an organization
        //! (`/orgs/{org}/...`), a user (`/users/{username}/...`) and the authenticated user
        //! (`/user/...`). [`Client::owner`] picks the right one, so callers handle all three
        //! with one piece of code.

        #[allow(unused_imports)]
        use crate::types::*;
        #[allow(unused_imports)]
        use crate::operations::*;
        use crate::client::{Client, Response};
        #paginated
        use crate::error::Error;

        /// Whose resources an operation addresses.
        ///
        /// `/users/{username}` shows only what is public unless `username` is the
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
            /// The operations on `owner`'s resources.
            pub fn owner<'a>(&'a self, owner: &'a Owner) -> OwnerClient<'a> {
                OwnerClient { client: self, owner }
            }
        }

        /// The operations on one owner's resources; see [`Client::owner`].
        #[derive(Debug, Clone, Copy)]
        pub struct OwnerClient<'a> {
            client: &'a Client,
            owner: &'a Owner,
        }

        #(#params_structs)*

        impl OwnerClient<'_> {
            #(#methods)*
        }
    }
}

/// The methods of one owner family, and the identifiers their bodies use.
struct FamilyMethods<'a> {
    api: &'a Api,
    family: &'a OwnerFamily,
    params: Ident,
    login: Ident,
    member_params: Ident,
}

impl<'a> FamilyMethods<'a> {
    fn new(api: &'a Api, family: &'a OwnerFamily) -> Self {
        let mut scope = Scope::new(family.required.iter().map(|p| p.rust_name.as_str()));
        FamilyMethods {
            api,
            family,
            params: scope.local("params"),
            login: scope.local("login"),
            member_params: scope.local("member_params"),
        }
    }

    fn operation(&self, member: &OwnerMember) -> &'a Operation {
        self.api.operation(member.operation)
    }

    /// Compiled when every member is: a feature of each member's tag.
    fn cfg(&self) -> Option<TokenStream> {
        let gates: Vec<&[String]> = self
            .family
            .members
            .iter()
            .map(|member| self.operation(member).gate.as_slice())
            .collect();
        cfg_all(&gates)
    }

    /// The `async fn`, and the `_stream` fn for list families.
    fn methods(&self) -> TokenStream {
        let family = self.family;
        let cfg = self.cfg();
        let name = ident(&family.method_name);
        let arguments = self.arguments();
        let many = (arguments.len() >= 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let success = family
            .success
            .as_ref()
            .map_or_else(|| quote!(()), type_tokens);
        let docs = doc_attrs(&self.docs());
        let call = self.dispatch(false);
        let stream = family.stream_method.as_ref().map(|stream_method| {
            let stream_name = ident(stream_method);
            let item = match &family.success {
                Some(TypeRef::Vec(item)) => type_tokens(item),
                _ => unreachable!("stream families answer lists"),
            };
            let body = self.dispatch(true);
            let docs = doc_attrs(&format!(
                "Every item of [`OwnerClient::{}`], page after page. See [`Paginated`].",
                family.method_name
            ));
            quote! {
                #cfg
                #docs
                #[allow(deprecated)]
                #many
                pub fn #stream_name(&self, #(#arguments),*) -> Paginated<#item> {
                    #body
                }
            }
        });
        quote! {
            #cfg
            #docs
            #[allow(deprecated)]
            #many
            pub async fn #name(&self, #(#arguments),*) -> Result<Response<#success>, Error> {
                #call
            }

            #stream
        }
    }

    fn arguments(&self) -> Vec<TokenStream> {
        let mut arguments: Vec<TokenStream> = self
            .family
            .required
            .iter()
            .map(|p| {
                let arg = ident(&p.rust_name);
                let (ty, _) = argument_type(&p.ty);
                quote!(#arg: #ty)
            })
            .collect();
        if let Some(params_type) = &self.family.optional_params_type {
            let params_type = ident(params_type);
            let params = &self.params;
            arguments.push(quote!(#params: &#params_type));
        }
        arguments
    }

    fn docs(&self) -> String {
        let owner_words = |kind: OwnerKind| match kind {
            OwnerKind::Organization => "an organization",
            OwnerKind::User => "a user",
            OwnerKind::AuthenticatedUser => "the authenticated user",
        };
        let members: Vec<String> = self
            .family
            .members
            .iter()
            .map(|m| {
                let method = &self.operation(m).method_name;
                format!("[`Client::{method}`] for {}", owner_words(m.owner))
            })
            .collect();
        let summary = self
            .operation(&self.family.members[0])
            .summary
            .as_deref()
            .map(prose);
        paragraphs([
            summary.as_deref(),
            Some(&format!("For any owner: calls {}.", members.join(", "))),
        ])
    }

    /// `match self.owner { ... }`, one arm per member, calling its operation (or stream).
    fn dispatch(&self, stream: bool) -> TokenStream {
        let arms = self.family.members.iter().map(|member| {
            let login = &self.login;
            let pattern = match member.owner {
                OwnerKind::Organization => quote!(Owner::Organization(#login)),
                OwnerKind::User => quote!(Owner::User(#login)),
                OwnerKind::AuthenticatedUser => quote!(Owner::AuthenticatedUser),
            };
            let unsupported = self.unsupported_checks(member, stream);
            let (member_params, call) = self.member_call(member, stream);
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
    }

    /// Fails with `UnsupportedParameter` for each optional parameter set that the member's
    /// operation does not take: never dropped silently.
    fn unsupported_checks(&self, member: &OwnerMember, stream: bool) -> Vec<TokenStream> {
        let params = &self.params;
        self.family
            .optional
            .iter()
            .filter(|p| !member.optional.contains(&p.rust_name))
            .map(|p| {
                let field = ident(&p.rust_name);
                let operation_name = &self.operation(member).method_name;
                let parameter_name = &p.name;
                let error = quote!(Error::Profile(crate::ProfileError::UnsupportedParameter {
                    operation: #operation_name,
                    parameter: #parameter_name,
                }));
                let fail = if stream {
                    let operation = self.operation(member);
                    let accept = accept(operation);
                    let info = operation_info(self.api, operation);
                    quote!(return Paginated::new(self.client, Err(#error), #accept, #info);)
                } else {
                    quote!(return Err(#error);)
                };
                quote! {
                    if #params.#field.is_some() {
                        #fail
                    }
                }
            })
            .collect()
    }

    /// The member's own parameter struct, filled from the family's, and the call.
    fn member_call(
        &self,
        member: &OwnerMember,
        stream: bool,
    ) -> (Option<TokenStream>, TokenStream) {
        let op = self.operation(member);
        let (params, login, member_params) = (&self.params, &self.login, &self.member_params);
        let mut call_arguments: Vec<TokenStream> = Vec::new();
        if member.owner != OwnerKind::AuthenticatedUser {
            call_arguments.push(quote!(#login));
        }
        call_arguments.extend(self.family.required.iter().map(|p| {
            let arg = ident(&p.rust_name);
            quote!(#arg)
        }));
        let fill = op.optional_params_type.as_ref().map(|params_type| {
            let params_type = ident(params_type);
            let fields = member.optional.iter().map(|field| {
                let copy = self
                    .family
                    .optional
                    .iter()
                    .any(|p| p.rust_name == *field && is_copy(&p.ty));
                let field = ident(field);
                if copy {
                    quote!(#field: #params.#field)
                } else {
                    quote!(#field: #params.#field.clone())
                }
            });
            call_arguments.push(quote!(&#member_params));
            quote!(let #member_params = #params_type { #(#fields),* };)
        });
        let call = if stream {
            let pagination = op
                .pagination
                .as_ref()
                .expect("stream families are paginated");
            let method = ident(&pagination.stream_method);
            quote!(self.client.#method(#(#call_arguments),*))
        } else {
            let method = ident(&op.method_name);
            quote!(self.client.#method(#(#call_arguments),*).await)
        };
        (fill, call)
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

#[cfg(test)]
mod tests {
    use crate::profile::github::OWNER_TYPES;
    use crate::{generate, Config};
    use std::collections::BTreeSet;

    /// The types `owner.rs` defines are `OWNER_TYPES` and the families' parameter structs:
    /// the names the profile yields to a schema are the names it prints.
    #[test]
    fn owner_types_are_what_owner_rs_defines() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join("spec/packages.yaml")).expect("reads");
        let config = Config {
            crate_name: "owners".to_owned(),
            crate_version: "0.1.0".to_owned(),
            spec_name: "spec/packages.yaml".to_owned(),
            guide: None,
            profile: None,
            tag_features: true,
            generator_command: "cargo xtask generate".to_owned(),
        };
        let generated = generate(&text, &config).unwrap_or_else(|e| panic!("{e}"));
        let owner_rs = &generated
            .files
            .iter()
            .find(|f| f.path == "src/owner.rs")
            .expect("the packages crate has owner dispatch")
            .contents;
        let defined: BTreeSet<&str> = owner_rs
            .lines()
            .filter_map(|line| {
                let rest = line
                    .strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "))?;
                rest.split(|c: char| !c.is_alphanumeric()).next()
            })
            .collect();
        let params: BTreeSet<&str> = defined
            .iter()
            .copied()
            .filter(|name| name.starts_with("Owner") && name.ends_with("Params"))
            .collect();
        assert!(params.len() >= 3, "{params:?}");
        let others: BTreeSet<&str> = defined.difference(&params).copied().collect();
        assert_eq!(others, OWNER_TYPES.into_iter().collect::<BTreeSet<_>>());
    }
}
