//! `servers.rs`: the servers the description lists, and a builder method for each server
//! with variables.

use super::docs;
use super::scope::Scope;
use super::tokens::ident;
use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// `DEFAULT_BASE_URL`: the first server without variables, else `http://localhost`.
pub fn default_base_url(api: &Api) -> String {
    api.servers
        .iter()
        .find(|s| s.variables.is_empty())
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| "http://localhost".to_owned())
}

/// The servers the description lists: the default base URL, and a `ClientBuilder` method for
/// each server with variables (`{protocol}://{hostname}/api/v3`, say).
pub(super) fn servers_rs(api: &Api) -> TokenStream {
    let default_base_url = default_base_url(api);
    let methods = api.servers.iter().filter_map(|server| {
        let method = ident(server.builder_method.as_ref()?);
        // Variables with a fixed set of values keep their default; the others are arguments.
        let free: Vec<_> = server
            .variables
            .iter()
            .filter(|v| v.allowed.is_empty())
            .collect();
        let mut scope = Scope::new(free.iter().map(|v| v.rust_name.as_str()));
        let url = scope.local("url");
        let arguments = free.iter().map(|v| {
            let name = ident(&v.rust_name);
            quote!(#name: &str)
        });
        let server_url = &server.url;
        let replacements = server.variables.iter().map(|v| {
            let placeholder = format!("{{{}}}", v.name);
            if v.allowed.is_empty() {
                let name = ident(&v.rust_name);
                quote!(let #url = #url.replace(#placeholder, #name);)
            } else {
                let default = &v.default;
                quote!(let #url = #url.replace(#placeholder, #default);)
            }
        });
        let mut text = format!(
            "Selects the server {}{}.",
            docs::code(&server.url),
            server
                .description
                .as_deref()
                .map(|d| format!(" ({})", docs::prose(&docs::one_line(d))))
                .unwrap_or_default()
        );
        for variable in &server.variables {
            if variable.allowed.is_empty() {
                text.push_str(&format!(
                    "\n\n{}: {}",
                    docs::code(&variable.name),
                    docs::prose(variable.description.as_deref().unwrap_or(""))
                ));
            } else {
                text.push_str(&format!(
                    "\n\n{} is {}; for another of {}, use [`ClientBuilder::base_url`].",
                    docs::code(&variable.name),
                    docs::code(&variable.default),
                    variable
                        .allowed
                        .iter()
                        .map(|a| docs::code(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let docs = docs::doc_attrs(&text);
        Some(quote! {
            #docs
            pub fn #method(self, #(#arguments),*) -> Self {
                let #url = String::from(#server_url);
                #(#replacements)*
                self.base_url(#url)
            }
        })
    });
    quote! {
        //! The servers the API description lists.

        use crate::client::ClientBuilder;

        /// The first server the API description lists, used unless another is configured.
        pub const DEFAULT_BASE_URL: &str = #default_base_url;

        impl ClientBuilder {
            #(#methods)*
        }
    }
}
