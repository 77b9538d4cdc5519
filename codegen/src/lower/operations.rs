//! Operations: method names, parameters, request bodies and responses.

use super::names::{operation_short_name, pascal_ident, snake_ident, type_ident};
use crate::reserved::{first_free, Numbering, Reserved};
use super::refs::{self, Target};
use super::schema::{Lowered, Schemas, View};
use crate::diagnostic::{pointer_join, Diagnostic};
use crate::ir::{
    Encoding, HttpMethod, Operation, Parameter, ParameterLocation, ParameterStyle, Part,
    PartContent, PathSegment, RequestBody, Response, ResponseBody, Status, Success, SuccessVariant,
    TypeDef, TypeRef,
};
use openapiv3::{MediaType, OpenAPI, ParameterSchemaOrContent, ReferenceOr, Schema, StatusCode};
use std::collections::{HashMap, HashSet};

/// Lowers every operation, and the types they reach.
pub(super) fn lower_operations(
    spec: &OpenAPI,
    file: &str,
    reserved: &Reserved,
) -> (Vec<Operation>, Vec<TypeDef>, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        spec,
        file,
        reserved,
        schemas: Schemas::new(spec, file, reserved),
        diagnostics: Vec::new(),
        left_out: None,
    };
    let found = lowerer.find_operations();
    let method_names = lowerer.method_names(&found);
    let mut operations = Vec::with_capacity(found.len());
    for (found, method_name) in found.iter().zip(method_names) {
        if let Some(operation) = lowerer.operation(found, method_name) {
            operations.push(operation);
        }
    }
    let Lowerer {
        schemas,
        mut diagnostics,
        ..
    } = lowerer;
    let (types, schema_diagnostics) = schemas.finish();
    diagnostics.extend(schema_diagnostics);
    (operations, types, diagnostics)
}

struct Lowerer<'a> {
    spec: &'a OpenAPI,
    file: &'a str,
    reserved: &'a Reserved,
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
            .push(Diagnostic::warning(self.file, pointer, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// The operation being lowered cannot be generated: it is left out, with a warning
    /// saying why. The first reason is the one reported.
    fn leave_out(&mut self, pointer: &str, reason: impl Into<String>) -> &mut Diagnostic {
        let reason = reason.into();
        self.left_out.get_or_insert_with(|| {
            Diagnostic::warning(
                self.file,
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

    fn find_operations(&mut self) -> Vec<Found<'a>> {
        let mut found = Vec::new();
        for (path, item) in &self.spec.paths.paths {
            let item_pointer = pointer_join("#/paths", &[path]);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    // `load` inlines path items referred to within the document; what is
                    // left refers to another one.
                    let diagnostic =
                        refs::unsupported(self.file, &item_pointer, reference, "pathItems");
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
        Some(Operation {
            operation_id: op.operation_id.clone().unwrap_or_default(),
            method_name,
            http_method: found.method,
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
            pointer: found.pointer.clone(),
        })
    }

    fn parameters(&mut self, found: &Found<'a>, type_prefix: &str) -> Vec<Parameter> {
        // Operation-level parameters override path-level ones with the same name and location.
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
        let mut lowered: Vec<Parameter> = Vec::new();
        for (list, list_pointer) in sources {
            for (i, parameter) in list.iter().enumerate() {
                let pointer = pointer_join(&list_pointer, &[&i.to_string()]);
                let components = self.spec.components.as_ref().map(|c| &c.parameters);
                let (parameter, at, component) =
                    match refs::follow(self.file, "parameters", components, parameter, &pointer) {
                        Target::Found {
                            item,
                            pointer,
                            component,
                        } => (item, pointer, component),
                        Target::Broken(diagnostic) => {
                            self.broken(diagnostic);
                            continue;
                        }
                    };
                let Some(parameter) = self.parameter(parameter, component, &at, type_prefix) else {
                    continue;
                };
                lowered.retain(|p| !(p.name == parameter.name && p.location == parameter.location));
                lowered.push(parameter);
            }
        }
        // Path parameters in template order, then query, header and cookie.
        let template_order: Vec<&str> = template_variables(found.path);
        lowered.sort_by_key(|p| match p.location {
            ParameterLocation::Path => (
                0,
                template_order
                    .iter()
                    .position(|v| *v == p.name)
                    .unwrap_or(usize::MAX),
            ),
            ParameterLocation::Query => (1, 0),
            ParameterLocation::Header => (2, 0),
            ParameterLocation::Cookie => (3, 0),
        });
        self.distinct_rust_names(&mut lowered, &found.pointer);
        lowered
    }

    /// Two parameters whose names become one Rust name (`fooBar` and `foo_bar`, or `id` in
    /// the path and in the query) are told apart by a number. Required parameters are the
    /// method's arguments and optional ones the fields of its parameter struct: each group
    /// needs distinct names of its own.
    fn distinct_rust_names(&mut self, parameters: &mut [Parameter], pointer: &str) {
        for required in [true, false] {
            let mut taken: HashSet<String> = HashSet::new();
            for i in 0..parameters.len() {
                if parameters[i].required != required {
                    continue;
                }
                let wanted = parameters[i].rust_name.clone();
                if taken.insert(wanted.clone()) {
                    continue;
                }
                let unique = first_free(&wanted, Numbering::SNAKE, |n| taken.contains(n));
                taken.insert(unique.clone());
                let first = parameters[..i]
                    .iter()
                    .find(|p| p.rust_name == wanted && p.required == required)
                    .map(|p| format!("{} `{}`", location_word(p.location), p.name))
                    .unwrap_or_default();
                let this = &parameters[i];
                let message = format!(
                    "{first} and {} `{}` both become the Rust {} `{wanted}`; the second is `{unique}`",
                    location_word(this.location),
                    this.name,
                    if required { "argument" } else { "field" },
                );
                self.warning(pointer, message).hint =
                    Some("rename one of them for a name that says more".to_owned());
                parameters[i].rust_name = unique;
            }
        }
    }

    fn parameter(
        &mut self,
        parameter: &'a openapiv3::Parameter,
        component: Option<&str>,
        pointer: &str,
        type_prefix: &str,
    ) -> Option<Parameter> {
        use openapiv3::Parameter as P;
        let (location, style) = match parameter {
            P::Path { style, .. } => (
                ParameterLocation::Path,
                match style {
                    openapiv3::PathStyle::Matrix => ParameterStyle::Matrix,
                    openapiv3::PathStyle::Label => ParameterStyle::Label,
                    openapiv3::PathStyle::Simple => ParameterStyle::Simple,
                },
            ),
            P::Query { style, .. } => (
                ParameterLocation::Query,
                match style {
                    openapiv3::QueryStyle::Form => ParameterStyle::Form,
                    openapiv3::QueryStyle::SpaceDelimited => ParameterStyle::SpaceDelimited,
                    openapiv3::QueryStyle::PipeDelimited => ParameterStyle::PipeDelimited,
                    openapiv3::QueryStyle::DeepObject => ParameterStyle::DeepObject,
                },
            ),
            P::Header { .. } => (ParameterLocation::Header, ParameterStyle::Simple),
            P::Cookie { .. } => (ParameterLocation::Cookie, ParameterStyle::Form),
        };
        let data = parameter.parameter_data_ref();
        let mut names = vec![type_ident(&data.name, self.reserved)];
        if let Some(component) = component {
            names.push(type_ident(component, self.reserved));
        }
        names.push(format!("{type_prefix}{}", pascal_ident(&data.name)));
        let (lowered, style) = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                let schema_pointer = pointer_join(pointer, &["schema"]);
                // A parameter that may take several forms (`oneOf: [string, array]`) is
                // text in the URL whichever it takes; the caller writes it as the
                // description shows.
                let lowered = if self.schemas.is_alternatives(schema, &schema_pointer) {
                    Lowered {
                        ty: TypeRef::String,
                        nullable: false,
                    }
                } else {
                    self.schemas.lower(schema, &schema_pointer, &names)
                };
                (lowered, style)
            }
            ParameterSchemaOrContent::Content(content) => {
                let json = content
                    .iter()
                    .find(|(media_type, _)| encoding_of(media_type) == Encoding::Json);
                let Some((media_type, media)) = json else {
                    let types: Vec<&str> = content.keys().map(String::as_str).collect();
                    self.leave_out(
                        pointer,
                        format!(
                            "parameter `{}` is sent as {}, which the generator cannot write",
                            data.name,
                            types.join(", ")
                        ),
                    )
                    .hint = Some("describe it with `schema`, or as `application/json`".to_owned());
                    return None;
                };
                let schema_pointer = pointer_join(pointer, &["content", media_type, "schema"]);
                let lowered = match &media.schema {
                    Some(schema) => self.schemas.lower(schema, &schema_pointer, &names),
                    None => Lowered {
                        ty: TypeRef::Json,
                        nullable: false,
                    },
                };
                (lowered, ParameterStyle::Json)
            }
        };
        let default = match &data.format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => {
                schema.schema_data.default.clone()
            }
            _ => None,
        };
        let required = data.required || location == ParameterLocation::Path;
        let mut rust_name = snake_ident(&data.name);
        if !required && self.reserved.params_struct_methods.contains(&rust_name) {
            rust_name.push_str("_value");
        }
        Some(Parameter {
            name: data.name.clone(),
            rust_name,
            location,
            required,
            ty: lowered.ty,
            style,
            explode: data.explode.unwrap_or(style == ParameterStyle::Form),
            default,
            description: data.description.clone(),
            deprecated: data.deprecated.unwrap_or(false),
            sensitive: is_credential(&data.name),
        })
    }

    /// The path as literal text and parameters. A `{name}` no parameter declares is sent
    /// all the same, as text the caller gives; a declared path parameter the path does not
    /// show is dropped. Both with a warning.
    fn path_segments(
        &mut self,
        found: &Found<'a>,
        parameters: &mut Vec<Parameter>,
    ) -> Vec<PathSegment> {
        let variables = template_variables(found.path);
        let undeclared: Vec<String> = parameters
            .iter()
            .filter(|p| {
                p.location == ParameterLocation::Path && !variables.contains(&p.name.as_str())
            })
            .map(|p| p.name.clone())
            .collect();
        for name in undeclared {
            self.warning(
                &found.pointer,
                format!(
                    "path parameter `{name}` does not appear in the path `{}`; it is not sent",
                    found.path
                ),
            )
            .hint = Some(format!(
                "add `{{{name}}}` to the path or remove the parameter"
            ));
            parameters.retain(|p| !(p.location == ParameterLocation::Path && p.name == name));
        }
        let mut segments = Vec::new();
        let mut rest = found.path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(PathSegment::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.leave_out(
                    &found.pointer,
                    format!("the path `{}` has an unclosed `{{`", found.path),
                );
                return segments;
            };
            let name = &rest[open + 1..open + close];
            let declared = parameters
                .iter()
                .find(|p| p.location == ParameterLocation::Path && p.name == name);
            let rust_name = match declared {
                Some(parameter) => parameter.rust_name.clone(),
                None => {
                    self.warning(
                        &found.pointer,
                        format!(
                            "path `{}` has `{{{name}}}`, but the operation declares no path parameter `{name}`; it is taken as text",
                            found.path
                        ),
                    )
                    .hint = Some(format!("add a parameter with `name: {name}` and `in: path`"));
                    let parameter = implicit_path_parameter(name);
                    let rust_name = parameter.rust_name.clone();
                    let at = parameters
                        .iter()
                        .position(|p| p.location != ParameterLocation::Path)
                        .unwrap_or(parameters.len());
                    parameters.insert(at, parameter);
                    self.distinct_rust_names(parameters, &found.pointer);
                    parameters
                        .iter()
                        .find(|p| p.location == ParameterLocation::Path && p.name == name)
                        .map_or(rust_name, |p| p.rust_name.clone())
                }
            };
            segments.push(PathSegment::Parameter(rust_name));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            segments.push(PathSegment::Literal(rest.to_owned()));
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
        let components = self.spec.components.as_ref().map(|c| &c.request_bodies);
        let (body, pointer) =
            match refs::follow(self.file, "requestBodies", components, body, &pointer) {
                Target::Found { item, pointer, .. } => (item, pointer),
                Target::Broken(diagnostic) => {
                    self.broken(diagnostic);
                    return None;
                }
            };
        let Some((media_type, content, encoding)) = pick_content(&body.content, true) else {
            // No content at all: nothing to send.
            return None;
        };
        let schema_pointer = pointer_join(&pointer, &["content", media_type, "schema"]);
        let mut parts = Vec::new();
        let mut encoding = encoding;
        if encoding == Encoding::Multipart {
            parts = self.multipart_parts(content, &schema_pointer, type_prefix);
            if parts.is_empty() {
                // Nothing says what the parts are: the caller writes the body.
                self.warning(
                    &pointer,
                    format!("the `{media_type}` body lists no parts (no schema properties); it is sent as bytes the caller writes"),
                )
                .hint = Some("describe the parts as the properties of an object schema".to_owned());
                encoding = Encoding::Binary;
            }
        }
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
            Encoding::Multipart => {
                TypeRef::Named(self.schemas.reserve(&format!("{type_prefix}Form")))
            }
        };
        Some(RequestBody {
            media_type: media_type.to_owned(),
            encoding,
            ty,
            required: body.required,
            description: body.description.clone(),
            parts,
        })
    }

    /// The parts of a `multipart/*` body: one per property of its schema (a list property
    /// is a part per item), each written as text, a file or JSON as its schema and the
    /// `encoding` say.
    fn multipart_parts(
        &mut self,
        content: &'a MediaType,
        pointer: &str,
        type_prefix: &str,
    ) -> Vec<Part> {
        let Some(schema) = &content.schema else {
            return Vec::new();
        };
        let Some((schema, at)) = self.schema_definition(schema, pointer) else {
            return Vec::new();
        };
        let view = View::of(schema);
        let mut parts: Vec<Part> = Vec::new();
        for (name, property) in view.properties.into_iter().flatten() {
            let property_pointer = pointer_join(&at, &["properties", name]);
            let content_type = content
                .encoding
                .get(name)
                .and_then(|e| e.content_type.clone());
            let (item, repeated) = match self.boxed_definition(property) {
                Some(definition) => {
                    let view = View::of(definition);
                    match (view.typ, view.items) {
                        (Some("array"), Some(items)) => (self.boxed_definition(items), true),
                        _ => (Some(definition), false),
                    }
                }
                None => (None, false),
            };
            let part_content = match item.map(View::of) {
                Some(view) if view.typ == Some("string") && view.format == Some("binary") => {
                    PartContent::File
                }
                Some(view)
                    if matches!(view.typ, Some("string" | "integer" | "number" | "boolean"))
                        && view.one_of.is_empty()
                        && view.any_of.is_empty() =>
                {
                    PartContent::Text
                }
                _ => PartContent::Json,
            };
            let names = [format!("{type_prefix}Form{}", pascal_ident(name))];
            let ty = match part_content {
                PartContent::File if repeated => TypeRef::Vec(Box::new(TypeRef::File)),
                PartContent::File => TypeRef::File,
                _ => self
                    .schemas
                    .lower_boxed(property, &property_pointer, &names)
                    .with_null(),
            };
            let rust_name = first_free(&snake_ident(name), Numbering::SNAKE, |n| {
                parts.iter().any(|p| p.rust_name == n)
            });
            parts.push(Part {
                name: name.clone(),
                rust_name,
                content: part_content,
                repeated,
                content_type,
                ty,
                required: view.required.iter().any(|r| r == name),
            });
        }
        parts
    }

    /// The definition behind a schema or a component `$ref`, with where it stands.
    fn schema_definition(
        &mut self,
        schema: &'a ReferenceOr<Schema>,
        pointer: &str,
    ) -> Option<(&'a Schema, String)> {
        let components = self.spec.components.as_ref().map(|c| &c.schemas);
        match refs::follow(self.file, "schemas", components, schema, pointer) {
            Target::Found { item, pointer, .. } => Some((item, pointer)),
            Target::Broken(diagnostic) => {
                self.broken(diagnostic);
                None
            }
        }
    }

    fn boxed_definition(&self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        match schema {
            ReferenceOr::Item(schema) => Some(schema),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/schemas/")?;
                match self.spec.components.as_ref()?.schemas.get(key)? {
                    ReferenceOr::Item(schema) => Some(schema),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        }
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
            let components = self.spec.components.as_ref().map(|c| &c.responses);
            let (response, pointer) =
                match refs::follow(self.file, "responses", components, response, &pointer) {
                    Target::Found { item, pointer, .. } => (item, pointer),
                    Target::Broken(diagnostic) => {
                        self.broken(diagnostic);
                        continue;
                    }
                };
            let body =
                pick_content(&response.content, false).map(|(media_type, content, encoding)| {
                    let name = if status.is_success() {
                        format!("{type_prefix}Response")
                    } else {
                        format!("{type_prefix}Error{}", pascal_ident(&status.to_string()))
                    };
                    let schema_pointer = pointer_join(&pointer, &["content", media_type, "schema"]);
                    let ty = match (encoding, &content.schema) {
                        (Encoding::Text, _) => TypeRef::String,
                        (Encoding::Json, Some(schema)) => self
                            .schemas
                            .lower(schema, &schema_pointer, &[name])
                            .with_null(),
                        (Encoding::Json, None) => TypeRef::Json,
                        _ => TypeRef::Bytes,
                    };
                    let encoding = match encoding {
                        Encoding::Json | Encoding::Text => encoding,
                        _ => Encoding::Binary,
                    };
                    ResponseBody {
                        media_type: media_type.to_owned(),
                        encoding,
                        ty,
                    }
                });
            lowered.push(Response {
                status,
                description: response.description.clone(),
                body,
            });
        }
        let success = self.success(&lowered, type_prefix);
        (lowered, success)
    }

    /// One success type, or a per-operation enum when the success statuses differ in body.
    fn success(&mut self, responses: &[Response], type_prefix: &str) -> Success {
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
        let type_name = self.schemas.reserve(&format!("{type_prefix}Success"));
        let variants = successes
            .iter()
            .map(|r| SuccessVariant {
                status: r.status,
                rust_name: status_variant(r.status),
                body: r.body.clone(),
                boxed: false,
            })
            .collect();
        Success::Enum {
            type_name,
            variants,
        }
    }
}

/// A path parameter the template shows but the operation does not declare: text.
fn implicit_path_parameter(name: &str) -> Parameter {
    Parameter {
        name: name.to_owned(),
        rust_name: snake_ident(name),
        location: ParameterLocation::Path,
        required: true,
        ty: TypeRef::String,
        style: ParameterStyle::Simple,
        explode: false,
        default: None,
        description: None,
        deprecated: false,
        sensitive: is_credential(name),
    }
}

fn location_word(location: ParameterLocation) -> &'static str {
    match location {
        ParameterLocation::Path => "path parameter",
        ParameterLocation::Query => "query parameter",
        ParameterLocation::Header => "header",
        ParameterLocation::Cookie => "cookie",
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

fn template_variables(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

/// How a media type is written or read.
fn encoding_of(media_type: &str) -> Encoding {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Encoding::Json
    } else if essence.starts_with("text/") {
        Encoding::Text
    } else if essence == "application/x-www-form-urlencoded" {
        Encoding::Form
    } else if essence.starts_with("multipart/") {
        Encoding::Multipart
    } else {
        Encoding::Binary
    }
}

/// The representation to use among a body's media types: JSON if there is one, else form,
/// multipart (requests only), text or binary.
fn pick_content(
    content: &indexmap::IndexMap<String, MediaType>,
    request: bool,
) -> Option<(&str, &MediaType, Encoding)> {
    let candidates: Vec<(&str, &MediaType, Encoding)> = content
        .iter()
        .map(|(media_type, body)| (media_type.as_str(), body, encoding_of(media_type)))
        .collect();
    let preference: &[Encoding] = if request {
        &[
            Encoding::Json,
            Encoding::Form,
            Encoding::Multipart,
            Encoding::Text,
            Encoding::Binary,
        ]
    } else {
        &[
            Encoding::Json,
            Encoding::Text,
            Encoding::Binary,
            Encoding::Form,
            Encoding::Multipart,
        ]
    };
    preference
        .iter()
        .find_map(|wanted| candidates.iter().find(|(_, _, e)| e == wanted).copied())
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
