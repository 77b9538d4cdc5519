//! `lib.rs`: the crate documentation, the modules and what the crate root re-exports.

use super::docs;
use super::extension::Extension;
use super::manifest::feature_summary;
use super::tokens::ident;
use super::Package;
use crate::ir::{Api, Encoding, Success};
use crate::runtime::{self, RuntimeFile};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub(super) fn lib_rs(
    api: &Api,
    extension: &dyn Extension,
    package: &Package,
    runtime: &[RuntimeFile],
) -> TokenStream {
    let mut text = format!("# {}\n", docs::prose(&docs::one_line(&api.title)));
    if let Some(description) = &api.description {
        text.push('\n');
        text.push_str(&docs::prose(description));
        text.push('\n');
    }
    text.push_str(&format!(
        "\nA typed async client generated from {} (API description version {}). \
         Every operation is a method on [`Client`]; models are in [`types`].\n",
        docs::code(package.spec_name),
        docs::code(&api.version)
    ));
    text.push_str(&format!(
        "\nGenerated with the `{}` profile ({}): {}\n",
        extension.name(),
        docs::prose(extension.reason()),
        extension.conventions()
    ));
    if !api.servers.is_empty() {
        text.push_str("\n## Servers\n\n");
        for server in &api.servers {
            text.push_str(&format!("- {}", docs::code(&server.url)));
            if let Some(description) = &server.description {
                text.push_str(&format!(": {}", docs::prose(&docs::one_line(description))));
            }
            text.push('\n');
            for variable in &server.variables {
                text.push_str(&format!(
                    "  - {} (default {}",
                    docs::code(&variable.name),
                    docs::code(&variable.default)
                ));
                if !variable.allowed.is_empty() {
                    let allowed: Vec<String> =
                        variable.allowed.iter().map(|v| docs::code(v)).collect();
                    text.push_str(&format!("; one of {}", allowed.join(", ")));
                }
                text.push(')');
                if let Some(description) = &variable.description {
                    text.push_str(&format!(": {}", docs::prose(&docs::one_line(description))));
                }
                text.push('\n');
            }
        }
        text.push_str("\nPoint the client at another server with [`ClientBuilder::base_url`].\n");
    }
    if !api.features.is_empty() {
        text.push_str(&features_docs(api, package));
    }
    if let Some(guide) = package.guide {
        text.push('\n');
        text.push_str(guide.trim());
        text.push('\n');
    }
    let crate_docs = docs::inner_doc_attrs(&text);
    // A description of models alone (webhook payloads, say) sends no request: the client is
    // there for the same API, unused by the crate itself.
    let unused = api
        .operations
        .is_empty()
        .then(|| quote!(#[allow(dead_code)]));
    let runtime_modules = runtime.iter().map(|file| {
        let module = ident(file.module);
        let mut items = runtime::public_items(file.source);
        items.sort_unstable();
        let items: Vec<Ident> = items.into_iter().map(ident).collect();
        let exports = (!items.is_empty()).then(|| quote!(pub use #module::{#(#items),*};));
        quote! {
            #unused
            mod #module;
            #exports
        }
    });
    // A glob re-export of a module with nothing public is an unused import.
    let operations_export = api.operations.iter().any(|o| {
        o.optional_params_type.is_some()
            || matches!(o.success, Success::Enum { .. })
            || o.request_body
                .as_ref()
                .is_some_and(|b| b.encoding == Encoding::Multipart)
    });
    let generated_modules = [("operations", operations_export), ("servers", true)]
        .into_iter()
        .chain((!api.security_schemes.is_empty()).then_some(("security", false)))
        .chain(extension.modules().into_iter().map(|module| (module, true)))
        .map(|(module, exported)| {
            let module = ident(module);
            let export = exported.then(|| quote!(pub use #module::*;));
            quote! {
                mod #module;
                #export
            }
        });
    let types_export = (!api.types.is_empty()).then(|| {
        quote!(
            pub use types::*;
        )
    });
    let has = |module: &str| runtime.iter().any(|file| file.module == module);
    let implementors = match (has(runtime::PAGINATION.module), has(runtime::STREAM.module)) {
        (true, false) => Some("[`Paginated`] implements"),
        (false, true) => Some("[`EventStream`] and [`JsonStream`] implement"),
        (true, true) => Some("[`Paginated`], [`EventStream`] and [`JsonStream`] implement"),
        (false, false) => None,
    };
    let pagination = implementors.map(|implementors| {
        let docs = format!(" The trait {implementors}; use `futures::StreamExt` to consume it.");
        quote! {
            #[doc = #docs]
            pub use futures_core::Stream;
        }
    });
    // With only some features on, runtime helpers and imports that just the other features'
    // operations use are unused; that is expected, not a warning.
    let partial = (!api.features.is_empty()).then(|| {
        let features = api.features.iter().map(|f| &f.name);
        quote!(#![cfg_attr(not(all(#(feature = #features),*)), allow(dead_code, unused_imports))])
    });
    quote! {
        #crate_docs
        #![forbid(unsafe_code)]
        #partial

        #(#runtime_modules)*
        #(#generated_modules)*
        pub mod types;
        #types_export

        /// Re-exported so that callers use the same version as the models.
        pub use chrono;
        /// Re-exported so that callers use the same version as the client.
        pub use reqwest;
        #pagination
    }
}

/// The crate docs' list of features.
fn features_docs(api: &Api, package: &Package) -> String {
    let mut text = String::from(
        "\n## Features\n\nOne cargo feature per tag of the API description compiles its \
         operations and the types only they use; all are on by default. To build only the \
         parts you call, turn the defaults off and name them, with a TLS backend:\n\n",
    );
    let example = &api.features[0].name;
    text.push_str(&format!(
        "```toml\n[dependencies]\n{} = {{ version = \"{}\", default-features = false, features = [\"rustls\", \"http2\", \"{example}\"] }}\n```\n\n",
        package.name, package.version
    ));
    for feature in &api.features {
        let prose = |text: &str| docs::prose(&docs::one_line(text));
        let (operations, what) = feature_summary(api, feature, docs::code, prose);
        text.push_str(&format!(
            "- {} ({operations}): {what}\n",
            docs::code(&feature.name)
        ));
    }
    text
}
