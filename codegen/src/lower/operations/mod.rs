//! Operations: which the description has, their method names, and each one lowered:
//! `parameters.rs`, `bodies.rs` (request bodies), `responses.rs`.

mod bodies;
mod parameters;
mod responses;

use super::names::{operation_short_name, pascal_ident, snake_ident};
use super::refs::{self};
use super::schema::Schemas;
use crate::diagnostic::{pointer_join, Diagnostic};
use crate::ir::{HttpMethod, Operation, SecurityScheme, TypeDef};
use crate::load::{self, openapi31, openapi32};
use crate::reserved::{first_free, Numbering, Reserved};
use openapiv3::{OpenAPI, ReferenceOr};
use std::collections::HashMap;

/// Lowers every operation, and the types they reach.
pub(super) fn lower_operations(
    spec: &OpenAPI,
    spec_name: &str,
    reserved: &Reserved,
    security_schemes: &[SecurityScheme],
) -> (Vec<Operation>, Vec<TypeDef>, Vec<Diagnostic>) {
    let (carried, carried_diagnostics) = carried_operations(spec, spec_name);
    let mut lowerer = Lowerer {
        spec,
        spec_name,
        reserved,
        security_schemes,
        schemas: Schemas::new(spec, spec_name, reserved),
        diagnostics: carried_diagnostics,
        left_out: None,
    };
    let found = lowerer.find_operations(&carried);
    let method_names = lowerer.method_names(&found);
    let mut operations = Vec::with_capacity(found.len());
    for (found, method_name) in found.iter().zip(method_names) {
        if let Some(operation) = lowerer.operation(found, method_name) {
            operations.push(operation);
        }
    }
    let Lowerer {
        mut schemas,
        mut diagnostics,
        ..
    } = lowerer;
    // A description without operations is one of types: all of them.
    if found.is_empty() {
        schemas.refer_to_every_component();
    }
    let (types, schema_diagnostics) = schemas.finish();
    diagnostics.extend(schema_diagnostics);
    (operations, types, diagnostics)
}

struct Lowerer<'a> {
    spec: &'a OpenAPI,
    spec_name: &'a str,
    reserved: &'a Reserved,
    security_schemes: &'a [SecurityScheme],
    schemas: Schemas<'a>,
    diagnostics: Vec<Diagnostic>,
    /// Why the operation being lowered cannot be generated, if it cannot.
    left_out: Option<Diagnostic>,
}

/// An operation as found in the spec, before names are decided.
struct Found<'a> {
    path: &'a str,
    method: HttpMethod,
    operation: &'a openapiv3::Operation,
    path_parameters: &'a [ReferenceOr<openapiv3::Parameter>],
    pointer: String,
}

impl<'a> Lowerer<'a> {
    fn warning(&mut self, pointer: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::warning(self.spec_name, pointer, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// The operation being lowered cannot be generated: it is left out, with a warning
    /// saying why. The first reason is the one reported.
    fn leave_out(&mut self, pointer: &str, reason: impl Into<String>) -> &mut Diagnostic {
        let reason = reason.into();
        self.left_out.get_or_insert_with(|| {
            Diagnostic::warning(
                self.spec_name,
                pointer,
                format!("{reason}; the operation is left out"),
            )
        })
    }

    /// A reference that could not be followed: an error when the document is broken, and
    /// the operation left out when it refers to another document.
    fn broken(&mut self, diagnostic: Diagnostic) {
        if diagnostic.is_error() {
            self.diagnostics.push(diagnostic);
        } else if self.left_out.is_none() {
            self.left_out = Some(Diagnostic {
                message: format!("{}; the operation is left out", diagnostic.message),
                ..diagnostic
            });
        }
    }

    fn find_operations(&mut self, carried: &'a [Carried<'a>]) -> Vec<Found<'a>> {
        let mut found = Vec::new();
        for (path, item) in &self.spec.paths.paths {
            let item_pointer = pointer_join("#/paths", &[path]);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    // `load` inlines path items referred to within the document; what is
                    // left refers to another one.
                    let diagnostic =
                        refs::unsupported(self.spec_name, &item_pointer, reference, "pathItems");
                    if diagnostic.is_error() {
                        self.diagnostics.push(diagnostic);
                    } else {
                        self.diagnostics.push(Diagnostic {
                            message: format!("{}; its operations are left out", diagnostic.message),
                            ..diagnostic
                        });
                    }
                    continue;
                }
            };
            for (method, operation) in item.iter() {
                found.push(Found {
                    path,
                    method: http_method(method),
                    operation,
                    path_parameters: &item.parameters,
                    pointer: pointer_join(&item_pointer, &[method]),
                });
            }
            found.extend(carried.iter().filter(|c| c.path == path).map(|c| Found {
                path,
                method: c.method.clone(),
                operation: &c.operation,
                path_parameters: &item.parameters,
                pointer: c.pointer.clone(),
            }));
        }
        found
    }

    /// Method names: from the operationId (the part after a namespace such as `packages/`
    /// where that is unique, else the whole id), or, without one, from the method and path
    /// (`get /orgs/{org}/packages` -> `get_orgs_org_packages`). Names that would clash
    /// with each other or with the client's own methods are numbered, with a warning.
    fn method_names(&mut self, found: &[Found<'a>]) -> Vec<String> {
        let ids: Vec<String> = found
            .iter()
            .map(|f| match &f.operation.operation_id {
                Some(id) => id.clone(),
                None => derived_id(f),
            })
            .collect();
        let mut short_counts: HashMap<String, usize> = HashMap::new();
        for id in &ids {
            *short_counts
                .entry(snake_ident(operation_short_name(id)))
                .or_default() += 1;
        }
        let mut taken: HashMap<String, &str> = self
            .reserved
            .client_methods
            .iter()
            .map(|name| (name.clone(), "the client's own method"))
            .collect();
        let mut names = Vec::with_capacity(found.len());
        for (f, id) in found.iter().zip(&ids) {
            let short = snake_ident(operation_short_name(id));
            let wanted = if short_counts[&short] > 1 {
                snake_ident(id)
            } else {
                short
            };
            let name = match taken.get(&wanted) {
                None => wanted,
                Some(other) => {
                    let unique = first_free(&wanted, Numbering::SNAKE, |n| taken.contains_key(n));
                    let what = if *other == id {
                        format!("operationId `{id}` is used twice")
                    } else {
                        format!(
                            "operationIds `{other}` and `{id}` both become the method `{wanted}`"
                        )
                    };
                    self.warning(
                        &pointer_join(&f.pointer, &["operationId"]),
                        format!("{what}; this one is `{unique}`"),
                    )
                    .hint = Some("give each operation an operationId of its own".to_owned());
                    unique
                }
            };
            taken.insert(name.clone(), id);
            names.push(name);
        }
        names
    }

    fn operation(&mut self, found: &Found<'a>, method_name: String) -> Option<Operation> {
        self.left_out = None;
        let op = found.operation;
        let type_prefix = pascal_ident(&method_name);
        let mut parameters = self.parameters(found, &type_prefix);
        let path_segments = self.path_segments(found, &mut parameters);
        let request_body = op
            .request_body
            .as_ref()
            .and_then(|body| self.request_body(body, &found.pointer, &type_prefix));
        let (responses, success) = self.responses(found, &type_prefix);
        if let Some(reason) = self.left_out.take() {
            self.diagnostics.push(reason);
            return None;
        }
        let optional_params_type = parameters
            .iter()
            .any(|p| !p.required)
            .then(|| self.schemas.reserve(&format!("{type_prefix}Params")));
        let security = super::security::requirements(
            self.spec,
            op,
            self.security_schemes,
            self.spec_name,
            &found.pointer,
            &mut self.diagnostics,
        );
        Some(Operation {
            operation_id: op.operation_id.clone().unwrap_or_default(),
            method_name,
            http_method: found.method.clone(),
            path: found.path.to_owned(),
            path_segments,
            summary: op.summary.clone(),
            description: op.description.clone(),
            docs_url: op.external_docs.as_ref().map(|docs| docs.url.clone()),
            deprecated: op.deprecated,
            tags: op.tags.clone(),
            gate: Vec::new(),
            parameters,
            optional_params_type,
            request_body,
            responses,
            success,
            pagination: None,
            security,
            pointer: found.pointer.clone(),
        })
    }
}

/// An operation 3.0 has no field for (3.2's `query` and `additionalOperations`), which
/// `load` carries in the path item's extension [`openapi32::OPERATIONS`].
struct Carried<'a> {
    path: &'a str,
    method: HttpMethod,
    operation: openapiv3::Operation,
    pointer: String,
}

/// The operations carried in path items' extensions, read into the model: one that does not
/// fit it is an error, as a malformed `get` is; one whose method cannot be sent, or has a
/// field of its own, is left out with a warning.
fn carried_operations<'a>(
    spec: &'a OpenAPI,
    spec_name: &str,
) -> (Vec<Carried<'a>>, Vec<Diagnostic>) {
    let mut carried = Vec::new();
    let mut diagnostics = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let Some(serde_json::Value::Object(operations)) =
            item.extensions.get(openapi32::OPERATIONS)
        else {
            continue;
        };
        let item_pointer = pointer_join("#/paths", &[path]);
        for (name, operation) in operations {
            let pointer = pointer_join(&item_pointer, &[openapi32::OPERATIONS, name]);
            let is_token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            let field = name.to_ascii_lowercase();
            let method = if name == "QUERY" {
                HttpMethod::Query
            } else if !is_token {
                diagnostics.push(Diagnostic::warning(
                    spec_name,
                    &pointer,
                    format!("`{name}` is not a method a request can be sent with; the operation is left out"),
                ));
                continue;
            } else if openapi31::METHODS.contains(&field.as_str()) || field == "query" {
                diagnostics.push(
                    Diagnostic::warning(
                        spec_name,
                        &pointer,
                        format!("`{name}` has a field of its own, which `additionalOperations` must not stand in for; the operation is left out"),
                    )
                    .with_hint(format!("describe it as the path item's `{field}`")),
                );
                continue;
            } else {
                HttpMethod::Other(name.clone())
            };
            // An extension is any JSON to the model, so it is read here: a malformed one is
            // the same error a malformed `get` is, at the place inside it.
            match serde_json::from_value::<openapiv3::Operation>(operation.clone()) {
                Ok(operation) => carried.push(Carried {
                    path,
                    method,
                    operation,
                    pointer,
                }),
                Err(error) => {
                    let (inside, message) = load::shape_problem::<openapiv3::Operation>(operation)
                        .unwrap_or_else(|| (String::new(), error.to_string()));
                    diagnostics.push(Diagnostic::new(
                        spec_name,
                        format!("{pointer}{inside}"),
                        message,
                    ));
                }
            }
        }
    }
    (carried, diagnostics)
}

fn http_method(method: &str) -> HttpMethod {
    match method {
        "get" => HttpMethod::Get,
        "put" => HttpMethod::Put,
        "post" => HttpMethod::Post,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        _ => HttpMethod::Trace,
    }
}

/// The name of an operation without an operationId: `get /orgs/{org}/packages` ->
/// `get-orgs-org-packages`.
fn derived_id(found: &Found<'_>) -> String {
    let words: Vec<&str> = found
        .path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let method = found.method.as_str().to_lowercase();
    if words.is_empty() {
        method
    } else {
        format!("{method}-{}", words.join("-"))
    }
}
