//! Stage 2: `openapiv3::OpenAPI` -> [`Api`], the IR.
//!
//! Resolves every `$ref`, decides every Rust name, and collects every problem it finds
//! (rather than stopping at the first), each with a JSON pointer into the spec. Lenient
//! where the description is loose (no operationId, names that collide in Rust, a path
//! parameter declared twice or not at all): it generates what can be sent and warns. Strict
//! where it is broken (a dangling `$ref`, a cycle): an error, and nothing is generated. An
//! operation it cannot support is left out with a warning; the rest still generates.
//!
//! - `operations.rs`: operations, their parameters, bodies and responses
//! - `schema/`: schemas to named types
//! - `names.rs`: every Rust identifier
//! - `refs.rs`: following `$ref`s among components
//! - `layout.rs`: which fields and variants are boxed
//! - `dedup.rs`: one definition for inline types of the same shape
//! - `features.rs`: a cargo feature per tag, and what each compiles
//! - `security.rs`: the credentials the description declares, and what each operation needs

mod dedup;
mod features;
mod inputs;
mod layout;
pub(crate) mod names;
mod operations;
mod refs;
mod schema;
mod security;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::{Api, Server, ServerVariable};
use crate::reserved::{first_free, Numbering, Reserved};
use names::{server_builder_method, snake_ident};
use openapiv3::OpenAPI;

/// A lowered spec, and the warnings met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    pub api: Api,
    pub warnings: Vec<Diagnostic>,
}

/// Lowers a loaded spec. `spec_name` names it in diagnostics; no name the IR gives takes one
/// of `reserved`. Fails when the spec has errors; the warnings found beside them come with
/// them.
pub fn lower(spec: &OpenAPI, spec_name: &str, reserved: &Reserved) -> Result<Lowered, Diagnostics> {
    let servers = servers(spec, reserved);
    let server_methods: Vec<String> = servers
        .iter()
        .filter_map(|s| s.builder_method.clone())
        .collect();
    let (security_schemes, mut found) =
        security::schemes(spec, spec_name, reserved, &server_methods);
    let (operations, types, operation_diagnostics) =
        operations::lower_operations(spec, spec_name, reserved, &security_schemes);
    found.extend(operation_diagnostics);
    let mut found = Diagnostics(found);
    found.sort();
    if found.has_errors() {
        return Err(found);
    }
    let mut api = Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        servers,
        operations,
        types,
        features: Vec::new(),
        security_schemes,
    };
    dedup::merge_identical(&mut api.types);
    layout::lay_out(&mut api);
    found
        .0
        .extend(features::assign(&mut api, spec, spec_name, reserved));
    inputs::mark(&mut api, reserved);
    found.sort();
    Ok(Lowered {
        api,
        warnings: found.0,
    })
}

/// The servers, each with a variable gets a builder method; two whose descriptions give one
/// name are told apart by a number.
fn servers(spec: &OpenAPI, reserved: &Reserved) -> Vec<Server> {
    let mut methods: Vec<String> = Vec::new();
    spec.servers
        .iter()
        .enumerate()
        .map(|(index, server)| {
            let mut variables: Vec<ServerVariable> = Vec::new();
            for (name, variable) in server.variables.iter().flatten() {
                let rust_name = first_free(&snake_ident(name), Numbering::JOINED, |taken| {
                    variables.iter().any(|v| v.rust_name == taken)
                });
                variables.push(ServerVariable {
                    name: name.clone(),
                    rust_name,
                    default: variable.default.clone(),
                    allowed: variable.enumeration.clone(),
                    description: variable.description.clone(),
                });
            }
            let builder_method = (!variables.is_empty()).then(|| {
                let wanted = server_builder_method(server.description.as_deref(), index);
                let method = first_free(&wanted, Numbering::SNAKE, |taken| {
                    methods.iter().any(|m| m == taken) || reserved.builder_methods.contains(taken)
                });
                methods.push(method.clone());
                method
            });
            Server {
                url: server.url.clone(),
                builder_method,
                description: server.description.clone(),
                variables,
            }
        })
        .collect()
}
