//! Parameters: merged from the path and the operation, path parameters in template order,
//! each with its Rust name, location, style and type.

use super::bodies::encoding_of;
use super::{Found, Lowerer};
use crate::diagnostic::pointer_join;
use crate::ir::{Encoding, Parameter, ParameterLocation, ParameterStyle, PathSegment, TypeRef};
use crate::load::openapi32;
use crate::lower::names::{pascal_ident, snake_ident, type_ident};
use crate::lower::refs::{self, Target};
use crate::lower::schema::SchemaType;
use crate::reserved::{first_free, Numbering};
use openapiv3::{ParameterSchemaOrContent, ReferenceOr};
use std::collections::HashSet;

impl<'a> Lowerer<'a> {
    pub(super) fn parameters(&mut self, found: &Found<'a>, type_prefix: &str) -> Vec<Parameter> {
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
                let (parameter, at, component) = match refs::follow(
                    self.spec_name,
                    "parameters",
                    components,
                    parameter,
                    &pointer,
                ) {
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
        // A whole query string leaves no room for fields of it (OpenAPI 3.2 forbids them
        // beside it); form fields are fields, and may stand beside others.
        if lowered.iter().any(|p| p.style.is_query_string()) {
            let (kept, dropped): (Vec<Parameter>, Vec<Parameter>) = lowered
                .into_iter()
                .partition(|p| p.location != ParameterLocation::Query || p.style.is_query_string());
            lowered = kept;
            for parameter in dropped {
                self.warning(
                    &pointer_join(&found.pointer, &["parameters"]),
                    format!(
                        "query parameter `{}` cannot be sent beside an `in: querystring` one, \
                         which is the whole query string; it is left out",
                        parameter.name
                    ),
                );
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
        // OpenAPI 3.0.3, 4.7.12.1: these header parameters SHALL be ignored; the client
        // writes `Accept` and `Content-Type` from the description, and credentials from its
        // security schemes.
        let ignored = ["accept", "content-type", "authorization"];
        if location == ParameterLocation::Header
            && ignored.contains(&data.name.to_ascii_lowercase().as_str())
        {
            self.warning(
                pointer,
                format!(
                    "header parameter `{}` is ignored, as OpenAPI says: the client sets it",
                    data.name
                ),
            );
            return None;
        }
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
                    SchemaType {
                        ty: TypeRef::String,
                        nullable: false,
                    }
                } else {
                    self.schemas.lower(schema, &schema_pointer, &names)
                };
                (lowered, style)
            }
            ParameterSchemaOrContent::Content(content)
                if data.extensions.get(openapi32::QUERYSTRING) == Some(&true.into()) =>
            {
                // 3.2's `in: querystring`: the whole query string is the value. As form
                // fields it is what `style: form, explode: true` writes of an object; as
                // JSON, its text; as text, what the caller gives.
                let written = [Encoding::Form, Encoding::Json, Encoding::Text]
                    .into_iter()
                    .find_map(|wanted| {
                        content
                            .iter()
                            .find(|(media_type, _)| encoding_of(media_type) == wanted)
                            .map(|(media_type, media)| (wanted, media_type, media))
                    });
                let Some((encoding, media_type, media)) = written else {
                    self.leave_out(
                        pointer,
                        format!(
                            "`in: querystring` parameter `{}` is described as {}; it can be \
                             written as form fields, JSON or text",
                            data.name,
                            content.keys().next().map_or("nothing", String::as_str)
                        ),
                    );
                    return None;
                };
                let schema_pointer = pointer_join(pointer, &["content", media_type, "schema"]);
                let lowered = match (&media.schema, encoding) {
                    (_, Encoding::Text) => SchemaType {
                        ty: TypeRef::String,
                        nullable: false,
                    },
                    (Some(schema), _) => self.schemas.lower(schema, &schema_pointer, &names),
                    (None, _) => SchemaType {
                        ty: TypeRef::Json,
                        nullable: false,
                    },
                };
                let style = match encoding {
                    Encoding::Form => ParameterStyle::Form,
                    Encoding::Json => ParameterStyle::QueryStringJson,
                    _ => ParameterStyle::QueryStringText,
                };
                let mut parameter = self.finish_parameter(data, location, style, lowered);
                parameter.explode = true;
                return Some(parameter);
            }
            ParameterSchemaOrContent::Content(content) => {
                let json = content
                    .iter()
                    .find(|(media_type, _)| encoding_of(media_type) == Encoding::Json);
                let Some((media_type, media)) = json else {
                    // Text as it is: `text/plain` says so, and any other media type can only
                    // be written as the text the caller gives.
                    let Some(media_type) = content.keys().next() else {
                        self.leave_out(
                            pointer,
                            format!("parameter `{}` has an empty `content`", data.name),
                        );
                        return None;
                    };
                    if !media_type.to_ascii_lowercase().starts_with("text/") {
                        self.warning(
                            pointer,
                            format!(
                                "parameter `{}` is sent as {media_type}, which the generator cannot write; it is sent as the text the caller gives",
                                data.name
                            ),
                        );
                    }
                    let text = SchemaType {
                        ty: TypeRef::String,
                        nullable: false,
                    };
                    return Some(self.finish_parameter(data, location, style, text));
                };
                let schema_pointer = pointer_join(pointer, &["content", media_type, "schema"]);
                let lowered = match &media.schema {
                    Some(schema) => self.schemas.lower(schema, &schema_pointer, &names),
                    None => SchemaType {
                        ty: TypeRef::Json,
                        nullable: false,
                    },
                };
                (lowered, ParameterStyle::Json)
            }
        };
        Some(self.finish_parameter(data, location, style, lowered))
    }

    /// A parameter once its type and style are known: its Rust name, and what the
    /// description says of it.
    fn finish_parameter(
        &self,
        data: &openapiv3::ParameterData,
        location: ParameterLocation,
        style: ParameterStyle,
        lowered: SchemaType,
    ) -> Parameter {
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
        Parameter {
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
        }
    }

    /// The path as literal text and parameters. A `{name}` no parameter declares is sent
    /// all the same, as text the caller gives; a declared path parameter the path does not
    /// show is dropped. Both with a warning.
    pub(super) fn path_segments(
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

fn template_variables(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}
