//! Stage 2: `openapiv3::OpenAPI` -> [`Api`], the IR.
//!
//! Resolves every `$ref`, decides every Rust name, and collects every problem it finds
//! (rather than stopping at the first), each with a JSON pointer into the spec.

pub(crate) mod names;
mod schema;

use crate::diagnostic::{pointer_join, Diagnostic, Diagnostics};
use crate::ir::{
    Api, Encoding, HttpMethod, Operation, Parameter, ParameterLocation, PathSegment, RequestBody,
    Response, ResponseBody, Server, ServerVariable, Status, Success, SuccessVariant, TypeDef,
    TypeKind, TypeRef,
};
use names::{
    operation_short_name, pascal_ident, server_builder_method, snake_ident, type_ident, unique_name,
};
use openapiv3::{MediaType, OpenAPI, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use schema::{dangling_ref, unsupported_ref, Schemas};
use std::collections::{BTreeMap, HashMap};

/// Lowers a loaded spec. `file` names the spec in diagnostics.
pub fn lower(spec: &OpenAPI, file: &str) -> Result<Api, Diagnostics> {
    let mut lowerer = Lowerer {
        spec,
        file,
        schemas: Schemas::new(spec, file),
        diagnostics: Vec::new(),
    };
    let operations = lowerer.operations();
    let Lowerer {
        schemas,
        mut diagnostics,
        ..
    } = lowerer;
    let (types, schema_diagnostics) = schemas.finish();
    diagnostics.extend(schema_diagnostics);
    check_parameter_types(&operations, &types, file, &mut diagnostics);
    if !diagnostics.is_empty() {
        diagnostics.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.message.cmp(&b.message)));
        diagnostics.dedup();
        return Err(Diagnostics(diagnostics));
    }
    Ok(Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        servers: servers(spec),
        operations,
        types,
    })
}

fn servers(spec: &OpenAPI) -> Vec<Server> {
    spec.servers
        .iter()
        .enumerate()
        .map(|(index, server)| Server {
            url: server.url.clone(),
            builder_method: server
                .variables
                .as_ref()
                .is_some_and(|v| !v.is_empty())
                .then(|| server_builder_method(server.description.as_deref(), index)),
            description: server.description.clone(),
            variables: {
                let mut variables: Vec<ServerVariable> = Vec::new();
                for (name, variable) in server.variables.iter().flatten() {
                    let rust_name = unique_name(&snake_ident(name), |taken| {
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
                variables
            },
        })
        .collect()
}

struct Lowerer<'a> {
    spec: &'a OpenAPI,
    file: &'a str,
    schemas: Schemas<'a>,
    diagnostics: Vec<Diagnostic>,
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
    fn error(&mut self, pointer: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(self.file, pointer, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn operations(&mut self) -> Vec<Operation> {
        let found = self.find_operations();
        let method_names = self.method_names(&found);
        let mut operations = Vec::with_capacity(found.len());
        for (found, method_name) in found.iter().zip(method_names) {
            operations.push(self.operation(found, method_name));
        }
        operations
    }

    fn find_operations(&mut self) -> Vec<Found<'a>> {
        let mut found = Vec::new();
        for (path, item) in &self.spec.paths.paths {
            let item_pointer = pointer_join("#/paths", &[path]);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    self.error(
                        &item_pointer,
                        "path items given by `$ref` are not supported",
                    )
                    .hint = Some("write the path item inline".to_owned());
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
        }
        found
    }

    /// Method names from operationIds: the part after the namespace (`packages/`) where that
    /// is unique, else the whole id. An operation whose name is missing or taken still gets a
    /// stand-in name, so that its other problems are found in the same run.
    fn method_names(&mut self, found: &[Found<'a>]) -> Vec<String> {
        let mut short_counts: HashMap<String, usize> = HashMap::new();
        let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
        for f in found {
            let Some(id) = f.operation.operation_id.as_deref() else {
                let hint = format!(
                    "add `operationId: {}`; it names the generated method",
                    suggested_id(f)
                );
                self.error(&f.pointer, "operation has no operationId").hint = Some(hint);
                continue;
            };
            if let Some(first) = ids.insert(id, &f.pointer) {
                self.error(
                    &pointer_join(&f.pointer, &["operationId"]),
                    format!("duplicate operationId `{id}` (first used at {first})"),
                )
                .hint = Some("operationIds must be unique".to_owned());
            }
            *short_counts
                .entry(snake_ident(operation_short_name(id)))
                .or_default() += 1;
        }
        let mut taken: BTreeMap<String, &str> = BTreeMap::new();
        let mut names = Vec::with_capacity(found.len());
        for (index, f) in found.iter().enumerate() {
            let stand_in = format!("operation_{index}");
            let Some(id) = f.operation.operation_id.as_deref() else {
                names.push(stand_in);
                continue;
            };
            let short = snake_ident(operation_short_name(id));
            let name = if short_counts[&short] > 1 {
                snake_ident(id)
            } else {
                short
            };
            match taken.get(&name) {
                Some(other) if *other != id => {
                    let message = format!(
                        "operationIds `{other}` and `{id}` both become the method `{name}`"
                    );
                    self.error(&pointer_join(&f.pointer, &["operationId"]), message)
                        .hint = Some("rename one of them".to_owned());
                    names.push(stand_in);
                }
                Some(_) => names.push(stand_in),
                None => {
                    taken.insert(name.clone(), id);
                    names.push(name);
                }
            }
        }
        names
    }

    fn operation(&mut self, found: &Found<'a>, method_name: String) -> Operation {
        let op = found.operation;
        let type_prefix = pascal_ident(&method_name);
        let parameters = self.parameters(found, &type_prefix);
        let path_segments = self.path_segments(found, &parameters);
        let request_body = op
            .request_body
            .as_ref()
            .and_then(|body| self.request_body(body, &found.pointer, &type_prefix));
        let (responses, success) = self.responses(found, &type_prefix);
        let optional_params_type = parameters
            .iter()
            .any(|p| !p.required)
            .then(|| format!("{type_prefix}Params"));
        if let Some(name) = &optional_params_type {
            if !self.schemas.reserve(name) {
                self.error(
                    &found.pointer,
                    format!("the parameter struct `{name}` collides with a type of the same name"),
                )
                .hint = Some("rename the schema or the operationId".to_owned());
            }
        }
        Operation {
            operation_id: op.operation_id.clone().unwrap_or_default(),
            method_name,
            http_method: found.method,
            path: found.path.to_owned(),
            path_segments,
            summary: op.summary.clone(),
            description: op.description.clone(),
            docs_url: op.external_docs.as_ref().map(|docs| docs.url.clone()),
            deprecated: op.deprecated,
            parameters,
            optional_params_type,
            request_body,
            responses,
            success,
            pagination: None,
            pointer: found.pointer.clone(),
        }
    }

    fn parameters(&mut self, found: &Found<'a>, type_prefix: &str) -> Vec<Parameter> {
        // Operation-level parameters override path-level ones with the same name and location.
        let mut merged: Vec<(String, &'a ReferenceOr<openapiv3::Parameter>)> = Vec::new();
        let path_pointer = found
            .pointer
            .rsplit_once('/')
            .map_or("#", |(p, _)| p)
            .to_owned();
        let sources = [
            (
                found.path_parameters,
                pointer_join(&path_pointer, &["parameters"]),
            ),
            (
                &found.operation.parameters[..],
                pointer_join(&found.pointer, &["parameters"]),
            ),
        ];
        for (list, list_pointer) in sources {
            for (i, parameter) in list.iter().enumerate() {
                merged.push((pointer_join(&list_pointer, &[&i.to_string()]), parameter));
            }
        }
        let mut lowered: Vec<Parameter> = Vec::new();
        for (pointer, parameter) in merged {
            let Some((parameter, component)) = self.resolve_parameter(parameter, &pointer) else {
                continue;
            };
            let Some(parameter) = self.parameter(parameter, component, &pointer, type_prefix)
            else {
                continue;
            };
            lowered.retain(|p| !(p.name == parameter.name && p.location == parameter.location));
            if let Some(other) = lowered.iter().find(|p| p.rust_name == parameter.rust_name) {
                let message = format!(
                    "parameters `{}` and `{}` both become the Rust argument `{}`",
                    other.name, parameter.name, parameter.rust_name
                );
                self.error(&pointer, message).hint = Some("rename one of them".to_owned());
                continue;
            }
            lowered.push(parameter);
        }
        // Path parameters in template order, then query, then header.
        let template_order: Vec<&str> = template_variables(found.path);
        let position = |p: &Parameter| -> (u8, usize) {
            match p.location {
                ParameterLocation::Path => (
                    0,
                    template_order
                        .iter()
                        .position(|v| *v == p.name)
                        .unwrap_or(usize::MAX),
                ),
                ParameterLocation::Query => (1, 0),
                ParameterLocation::Header => (2, 0),
            }
        };
        lowered.sort_by_key(|p| position(p));
        lowered
    }

    fn resolve_parameter(
        &mut self,
        parameter: &'a ReferenceOr<openapiv3::Parameter>,
        pointer: &str,
    ) -> Option<(&'a openapiv3::Parameter, Option<&'a str>)> {
        const PREFIX: &str = "#/components/parameters/";
        let mut current = parameter;
        let mut component = None;
        for _ in 0..32 {
            match current {
                ReferenceOr::Item(parameter) => return Some((parameter, component)),
                ReferenceOr::Reference { reference } => {
                    let Some(key) = reference.strip_prefix(PREFIX) else {
                        self.diagnostics
                            .push(unsupported_ref(self.file, pointer, reference));
                        return None;
                    };
                    let Some(next) = self
                        .spec
                        .components
                        .as_ref()
                        .and_then(|c| c.parameters.get_key_value(key))
                    else {
                        self.diagnostics
                            .push(dangling_ref(self.file, pointer, reference));
                        return None;
                    };
                    component = Some(next.0.as_str());
                    current = next.1;
                }
            }
        }
        self.error(pointer, "`$ref` cycle among component parameters");
        None
    }

    fn parameter(
        &mut self,
        parameter: &'a openapiv3::Parameter,
        component: Option<&str>,
        pointer: &str,
        type_prefix: &str,
    ) -> Option<Parameter> {
        let location = match parameter {
            openapiv3::Parameter::Path { .. } => ParameterLocation::Path,
            openapiv3::Parameter::Query { .. } => ParameterLocation::Query,
            openapiv3::Parameter::Header { .. } => ParameterLocation::Header,
            openapiv3::Parameter::Cookie { .. } => {
                self.error(pointer, "cookie parameters are not supported yet");
                return None;
            }
        };
        let data = parameter.parameter_data_ref();
        let schema = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => schema,
            ParameterSchemaOrContent::Content(_) => {
                self.error(
                    pointer,
                    format!(
                        "parameter `{}` is described by `content`, which is not supported yet",
                        data.name
                    ),
                )
                .hint = Some("describe it with `schema`".to_owned());
                return None;
            }
        };
        let mut names = vec![type_ident(&data.name)];
        if let Some(component) = component {
            names.push(type_ident(component));
        }
        names.push(format!("{type_prefix}{}", pascal_ident(&data.name)));
        let schema_pointer = pointer_join(pointer, &["schema"]);
        // A parameter that may take several forms (`oneOf: [string, array]`) is text in the
        // URL whichever it takes; the caller writes it as the description shows.
        let lowered = if self.schemas.is_alternatives(schema) {
            schema::Lowered {
                ty: TypeRef::String,
                nullable: false,
            }
        } else {
            self.schemas.lower(schema, &schema_pointer, &names)
        };
        let default = match schema {
            ReferenceOr::Item(schema) => schema.schema_data.default.clone(),
            ReferenceOr::Reference { .. } => None,
        };
        Some(Parameter {
            name: data.name.clone(),
            rust_name: snake_ident(&data.name),
            location,
            required: data.required || location == ParameterLocation::Path,
            ty: lowered.ty,
            default,
            description: data.description.clone(),
            deprecated: data.deprecated.unwrap_or(false),
            sensitive: is_credential(&data.name),
        })
    }

    fn path_segments(&mut self, found: &Found<'a>, parameters: &[Parameter]) -> Vec<PathSegment> {
        let mut segments = Vec::new();
        let mut rest = found.path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.error(
                    &found.pointer,
                    format!("unclosed `{{` in path `{}`", found.path),
                );
                return segments;
            };
            let name = &rest[open + 1..open + close];
            match parameters
                .iter()
                .find(|p| p.location == ParameterLocation::Path && p.name == name)
            {
                Some(parameter) => {
                    segments.push(PathSegment::Parameter(parameter.rust_name.clone()))
                }
                None => {
                    self.error(
                        &found.pointer,
                        format!("path `{}` has `{{{name}}}`, but the operation declares no path parameter `{name}`", found.path),
                    )
                    .hint = Some(format!("add a parameter with `name: {name}` and `in: path`"));
                }
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
        }
        let variables = template_variables(found.path);
        for parameter in parameters
            .iter()
            .filter(|p| p.location == ParameterLocation::Path)
        {
            if !variables.contains(&parameter.name.as_str()) {
                self.error(
                    &found.pointer,
                    format!(
                        "path parameter `{}` does not appear in the path `{}`",
                        parameter.name, found.path
                    ),
                )
                .hint = Some(format!(
                    "add `{{{}}}` to the path or remove the parameter",
                    parameter.name
                ));
            }
        }
        segments
    }

    fn request_body(
        &mut self,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
        operation_pointer: &str,
        type_prefix: &str,
    ) -> Option<RequestBody> {
        let pointer = pointer_join(operation_pointer, &["requestBody"]);
        let body = match body {
            ReferenceOr::Item(body) => body,
            ReferenceOr::Reference { reference } => {
                let found = reference
                    .strip_prefix("#/components/requestBodies/")
                    .and_then(|key| self.spec.components.as_ref()?.request_bodies.get(key));
                match found {
                    Some(ReferenceOr::Item(body)) => body,
                    _ => {
                        self.diagnostics
                            .push(dangling_ref(self.file, &pointer, reference));
                        return None;
                    }
                }
            }
        };
        let Some((media_type, content, encoding)) = pick_content(&body.content) else {
            let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
            self.error(
                &pointer,
                format!(
                    "request bodies of type {} are not supported yet",
                    types.join(", ")
                ),
            )
            .hint = Some("JSON, text, form-urlencoded and binary bodies are supported".to_owned());
            return None;
        };
        let schema_pointer = pointer_join(&pointer, &["content", media_type, "schema"]);
        let ty = match encoding {
            Encoding::Text => TypeRef::String,
            Encoding::Binary => TypeRef::Bytes,
            Encoding::Json | Encoding::Form => match &content.schema {
                Some(schema) => self
                    .schemas
                    .lower(schema, &schema_pointer, &[format!("{type_prefix}Request")])
                    .with_null(),
                None => TypeRef::Json,
            },
        };
        Some(RequestBody {
            media_type: media_type.to_owned(),
            encoding,
            ty,
            required: body.required,
            description: body.description.clone(),
        })
    }

    fn responses(&mut self, found: &Found<'a>, type_prefix: &str) -> (Vec<Response>, Success) {
        let responses = &found.operation.responses;
        let base = pointer_join(&found.pointer, &["responses"]);
        let mut lowered = Vec::new();
        let listed = responses
            .responses
            .iter()
            .map(|(code, response)| {
                let status = match code {
                    StatusCode::Code(code) => Status::Code(*code),
                    StatusCode::Range(class) => Status::Range(*class),
                };
                (status, response)
            })
            .chain(responses.default.iter().map(|r| (Status::Default, r)));
        for (status, response) in listed {
            let pointer = pointer_join(&base, &[&status.to_string()]);
            let Some(response) = self.resolve_response(response, &pointer) else {
                continue;
            };
            let body = match pick_content(&response.content) {
                None if response.content.is_empty() => None,
                None => {
                    let types: Vec<&str> = response.content.keys().map(String::as_str).collect();
                    self.error(
                        &pointer,
                        format!(
                            "responses of type {} are not supported yet",
                            types.join(", ")
                        ),
                    );
                    None
                }
                Some((media_type, content, encoding)) => {
                    let name = if status.is_success() {
                        format!("{type_prefix}Response")
                    } else {
                        format!("{type_prefix}Error{}", pascal_ident(&status.to_string()))
                    };
                    let schema_pointer = pointer_join(&pointer, &["content", media_type, "schema"]);
                    let ty = match (encoding, &content.schema) {
                        (Encoding::Text, _) => Some(TypeRef::String),
                        (Encoding::Binary | Encoding::Form, _) => Some(TypeRef::Bytes),
                        (Encoding::Json, Some(schema)) => Some(
                            self.schemas
                                .lower(schema, &schema_pointer, &[name])
                                .with_null(),
                        ),
                        (Encoding::Json, None) => Some(TypeRef::Json),
                    };
                    ty.map(|ty| ResponseBody {
                        media_type: media_type.to_owned(),
                        encoding: if encoding == Encoding::Form {
                            Encoding::Binary
                        } else {
                            encoding
                        },
                        ty,
                    })
                }
            };
            lowered.push(Response {
                status,
                description: response.description.clone(),
                body,
            });
        }
        let success = self.success(&lowered, &found.pointer, type_prefix);
        (lowered, success)
    }

    /// One success type, or a per-operation enum when the success statuses differ in body.
    fn success(&mut self, responses: &[Response], pointer: &str, type_prefix: &str) -> Success {
        let successes: Vec<&Response> =
            responses.iter().filter(|r| r.status.is_success()).collect();
        let bodies: Vec<Option<&TypeRef>> = successes
            .iter()
            .map(|r| r.body.as_ref().map(|b| &b.ty))
            .collect();
        if bodies.windows(2).all(|pair| pair[0] == pair[1]) {
            return Success::Single {
                body: successes.first().and_then(|r| r.body.clone()),
            };
        }
        let type_name = format!("{type_prefix}Success");
        if !self.schemas.reserve(&type_name) {
            self.error(
                pointer,
                format!("the response enum `{type_name}` collides with a type of the same name"),
            )
            .hint = Some("rename the schema or the operationId".to_owned());
        }
        let variants = successes
            .iter()
            .map(|r| SuccessVariant {
                status: r.status,
                rust_name: status_variant(r.status),
                body: r.body.clone(),
            })
            .collect();
        Success::Enum {
            type_name,
            variants,
        }
    }

    fn resolve_response(
        &mut self,
        response: &'a ReferenceOr<openapiv3::Response>,
        pointer: &str,
    ) -> Option<&'a openapiv3::Response> {
        match response {
            ReferenceOr::Item(response) => Some(response),
            ReferenceOr::Reference { reference } => {
                let Some(key) = reference.strip_prefix("#/components/responses/") else {
                    self.diagnostics
                        .push(unsupported_ref(self.file, pointer, reference));
                    return None;
                };
                match self
                    .spec
                    .components
                    .as_ref()
                    .and_then(|c| c.responses.get(key))
                {
                    Some(ReferenceOr::Item(response)) => Some(response),
                    Some(ReferenceOr::Reference { .. }) => {
                        self.error(
                            pointer,
                            format!("`{reference}` is itself a `$ref`, which is not supported yet"),
                        );
                        None
                    }
                    None => {
                        self.diagnostics
                            .push(dangling_ref(self.file, pointer, reference));
                        None
                    }
                }
            }
        }
    }
}

/// Parameter names that carry credentials, by the words they contain.
fn is_credential(name: &str) -> bool {
    snake_ident(name)
        .split('_')
        .any(|word| matches!(word, "token" | "secret" | "password" | "passphrase"))
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

/// An operationId for an operation that has none: `get /orgs/{org}/packages` ->
/// `get-orgs-org-packages`.
fn suggested_id(found: &Found<'_>) -> String {
    let words: Vec<&str> = found
        .path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!(
        "{}-{}",
        found.method.as_str().to_lowercase(),
        words.join("-")
    )
}

fn template_variables(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

/// The representation to use among a body's media types: JSON if there is one, else text,
/// form or binary. `None` for types the client cannot send or read (multipart).
fn pick_content(
    content: &indexmap::IndexMap<String, MediaType>,
) -> Option<(&str, &MediaType, Encoding)> {
    let encoding = |media_type: &str| -> Option<Encoding> {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            Some(Encoding::Json)
        } else if essence.starts_with("text/") {
            Some(Encoding::Text)
        } else if essence == "application/x-www-form-urlencoded" {
            Some(Encoding::Form)
        } else if essence.starts_with("multipart/") {
            None
        } else {
            Some(Encoding::Binary)
        }
    };
    let candidates: Vec<(&str, &MediaType, Encoding)> = content
        .iter()
        .filter_map(|(media_type, body)| Some((media_type.as_str(), body, encoding(media_type)?)))
        .collect();
    [
        Encoding::Json,
        Encoding::Form,
        Encoding::Text,
        Encoding::Binary,
    ]
    .into_iter()
    .find_map(|wanted| candidates.iter().find(|(_, _, e)| *e == wanted).copied())
}

/// The variant of a per-operation success enum for a status: `Ok` for 200, `NoContent` for
/// 204, and so on.
fn status_variant(status: Status) -> String {
    match status {
        Status::Code(200) => "Ok".to_owned(),
        Status::Code(201) => "Created".to_owned(),
        Status::Code(202) => "Accepted".to_owned(),
        Status::Code(203) => "NonAuthoritativeInformation".to_owned(),
        Status::Code(204) => "NoContent".to_owned(),
        Status::Code(205) => "ResetContent".to_owned(),
        Status::Code(206) => "PartialContent".to_owned(),
        Status::Code(207) => "MultiStatus".to_owned(),
        Status::Code(code) => format!("Status{code}"),
        Status::Range(class) => format!("Status{class}xx"),
        Status::Default => "Default".to_owned(),
    }
}

/// Parameters are written into a URL or a header, so their values must be scalars (or, in a
/// query, a list of scalars).
fn check_parameter_types(
    operations: &[Operation],
    types: &[TypeDef],
    file: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    fn is_scalar(ty: &TypeRef, types: &[TypeDef], depth: usize) -> bool {
        match ty {
            TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F64
            | TypeRef::String
            | TypeRef::Date
            | TypeRef::DateTime => true,
            TypeRef::Named(name) => types.iter().any(|t| {
                t.name == *name
                    && match &t.kind {
                        TypeKind::Enum { .. } => true,
                        TypeKind::Alias { target } => {
                            depth < 8 && is_scalar(target, types, depth + 1)
                        }
                        _ => false,
                    }
            }),
            _ => false,
        }
    }
    let is_scalar = |ty: &TypeRef| is_scalar(ty, types, 0);
    for operation in operations {
        for parameter in &operation.parameters {
            let fits = match &parameter.ty {
                TypeRef::Vec(item) => {
                    parameter.location == ParameterLocation::Query && is_scalar(item)
                }
                ty => is_scalar(ty),
            };
            if !fits {
                diagnostics.push(
                    Diagnostic::new(
                        file,
                        operation.pointer.clone(),
                        format!(
                            "{} parameter `{}` of type `{}` is not supported yet",
                            match parameter.location {
                                ParameterLocation::Path => "path",
                                ParameterLocation::Query => "query",
                                ParameterLocation::Header => "header",
                            },
                            parameter.name,
                            parameter.ty
                        ),
                    )
                    .with_hint("parameters must be strings, numbers, booleans or enums (or, in a query, arrays of those)"),
                );
            }
        }
    }
}
