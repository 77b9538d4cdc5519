//! `security.rs`: the description's security schemes, and a `ClientBuilder` method named
//! after each that takes its credential.

use super::docs::{code, doc_attrs, paragraphs, prose};
use super::tokens::ident;
use crate::ir::{Api, BearerSource, ParameterLocation, SchemeKind, SecurityScheme};
use proc_macro2::TokenStream;
use quote::quote;

/// The file, for an API that declares schemes the client can send.
pub(super) fn security_rs(api: &Api) -> TokenStream {
    let consts = api.security_schemes.iter().map(scheme_const);
    let methods = api.security_schemes.iter().map(builder_methods);
    let provider = api
        .security_schemes
        .iter()
        .any(|s| matches!(s.kind, SchemeKind::Bearer { .. }))
        .then(|| {
            quote! {
                use crate::auth::TokenProvider;
            }
        });
    quote! {
        //! The credentials the API description declares (`components.securitySchemes`). Each
        //! has a [`ClientBuilder`] method named after it; the client sends a credential only
        //! to the operations whose description asks for its scheme, and fails with
        //! [`Error::MissingCredentials`](crate::Error::MissingCredentials) before sending an
        //! operation whose credentials it was not given.

        #[allow(unused_imports)]
        use crate::auth::{KeyLocation, SchemeKind, SecurityScheme};
        use crate::client::ClientBuilder;
        #provider

        #(#consts)*

        impl ClientBuilder {
            #(#methods)*
        }
    }
}

fn scheme_const(scheme: &SecurityScheme) -> TokenStream {
    let name = ident(&scheme.const_name);
    let scheme_name = &scheme.name;
    let kind = match &scheme.kind {
        SchemeKind::ApiKey { location, name } => {
            let location = match location {
                ParameterLocation::Query => quote!(KeyLocation::Query),
                ParameterLocation::Cookie => quote!(KeyLocation::Cookie),
                _ => quote!(KeyLocation::Header),
            };
            quote!(SchemeKind::ApiKey { location: #location, name: #name })
        }
        SchemeKind::Basic => quote!(SchemeKind::Basic),
        SchemeKind::Bearer { .. } => quote!(SchemeKind::Bearer),
        SchemeKind::ClientCredentials { token_url, .. } => {
            quote!(SchemeKind::ClientCredentials { token_url: #token_url })
        }
    };
    let docs = doc_attrs(&format!("The scheme {}.", code(&scheme.name)));
    quote! {
        #docs
        pub(crate) const #name: SecurityScheme = SecurityScheme { name: #scheme_name, kind: #kind };
    }
}

/// What the description says of a scheme, after what the method does.
fn described(scheme: &SecurityScheme, what: String) -> String {
    paragraphs([
        Some(what.as_str()),
        scheme.description.as_deref().map(prose).as_deref(),
    ])
}

fn builder_methods(scheme: &SecurityScheme) -> TokenStream {
    let constant = ident(&scheme.const_name);
    let method = ident(&scheme.builder_method);
    let name = code(&scheme.name);
    let sent_to = "to the operations that take it";
    match &scheme.kind {
        SchemeKind::ApiKey {
            location,
            name: key,
        } => {
            let place = match location {
                ParameterLocation::Query => "the query parameter",
                ParameterLocation::Cookie => "the cookie",
                _ => "the header",
            };
            let docs = doc_attrs(&described(
                scheme,
                format!(
                    "The API key of {name}, sent in {place} {} {sent_to}. It never appears in \
                     `Debug` output, errors or the URL a response shows.",
                    code(key)
                ),
            ));
            quote! {
                #docs
                pub fn #method(self, key: impl Into<String>) -> Self {
                    self.scheme_secret(&#constant, crate::auth::PendingSecret::ApiKey(key.into()))
                }
            }
        }
        SchemeKind::Basic => {
            let docs = doc_attrs(&described(
                scheme,
                format!("The user and password of {name} (HTTP basic), sent {sent_to}."),
            ));
            quote! {
                #docs
                pub fn #method(self, user: impl Into<String>, password: impl Into<String>) -> Self {
                    self.scheme_secret(&#constant, crate::auth::PendingSecret::Basic { user: user.into(), password: password.into() })
                }
            }
        }
        SchemeKind::Bearer { source } => {
            let origin = match source {
                BearerSource::Http {
                    format: Some(format),
                } => {
                    format!("HTTP bearer, {}", prose(format))
                }
                BearerSource::Http { format: None } => "HTTP bearer".to_owned(),
                BearerSource::OAuth2 { flows } if flows.is_empty() => "OAuth2".to_owned(),
                BearerSource::OAuth2 { flows } => {
                    format!("OAuth2: the token a {} flow ends in", flows.join(" or "))
                }
                BearerSource::OpenIdConnect { url } => {
                    format!("OpenID Connect, {}", code(url))
                }
            };
            let provider = ident(scheme.companion_method.as_deref().unwrap_or_default());
            let docs = doc_attrs(&described(
                scheme,
                format!(
                    "The token of {name} ({origin}), sent as `Authorization: Bearer <token>` \
                     {sent_to}. Without it, the client's \
                     [`token`](ClientBuilder::token) serves."
                ),
            ));
            let provider_docs = doc_attrs(&format!(
                "Asks `provider` for the token of {name} before each request that needs it, and \
                 for a new one after a `401`: see [`TokenProvider`]."
            ));
            quote! {
                #docs
                pub fn #method(self, token: impl Into<String>) -> Self {
                    self.scheme_secret(&#constant, crate::auth::PendingSecret::Token(token.into()))
                }

                #provider_docs
                pub fn #provider(self, provider: impl TokenProvider) -> Self {
                    self.scheme_secret(&#constant, crate::auth::PendingSecret::Provider(std::sync::Arc::new(provider)))
                }
            }
        }
        SchemeKind::ClientCredentials { token_url, scopes } => {
            let token_url_method = ident(scheme.companion_method.as_deref().unwrap_or_default());
            let scopes_text = if scopes.is_empty() {
                String::new()
            } else {
                let listed: Vec<String> = scopes.iter().map(|(scope, _)| code(scope)).collect();
                format!(" The description's scopes: {}.", listed.join(", "))
            };
            let docs = doc_attrs(&described(
                scheme,
                format!(
                    "The OAuth2 client of {name}: the client fetches a token from {} \
                     (`grant_type=client_credentials`, the id and secret in HTTP basic), for \
                     the scopes each operation needs, keeps it until it expires and fetches \
                     again after a `401`. The token goes as `Authorization: Bearer <token>` \
                     {sent_to}.{scopes_text}",
                    code(token_url)
                ),
            ));
            let url_docs = doc_attrs(&format!(
                "Fetches the tokens of {name} from `url` instead of {} (a proxy, a test server).",
                code(token_url)
            ));
            quote! {
                #docs
                pub fn #method(self, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
                    self.scheme_secret(&#constant, crate::auth::PendingSecret::ClientCredentials { id: client_id.into(), secret: client_secret.into() })
                }

                #url_docs
                pub fn #token_url_method(self, url: impl Into<String>) -> Self {
                    self.scheme_token_url(&#constant, url.into())
                }
            }
        }
    }
}
