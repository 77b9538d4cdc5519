//! The driver: a test of the generated crate (`tests/wire.rs`) that calls every operation
//! once, with arguments built from the description, against the server at `WIRE_BASE_URL`,
//! and prints one `WIRE {json}` line per operation for the command to judge.

use super::sample::{resolve, sample};
use codegen::ir::{Api, Encoding, Operation, ParameterLocation, SchemeKind, TypeRef};
use codegen::openapiv3::{
    OpenAPI, Parameter as SpecParameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
};
use serde_json::Value;

/// The driver's source for the crate `crate_ident` generated from `spec` as `api`.
pub fn driver(api: &Api, spec: &OpenAPI, crate_ident: &str) -> String {
    // A function per operation, each future boxed: one async body with a thousand calls
    // would not fit on a test thread's stack.
    let mut functions = String::new();
    let mut calls = String::new();
    for (i, operation) in api.operations.iter().enumerate() {
        functions.push_str(&format!(
            "async fn op_{i}(client: &Client) {{\n{}}}\n\n",
            call(spec, operation)
        ));
        calls.push_str(&format!("    Box::pin(op_{i}(&client)).await;\n"));
    }
    let mut credentials = String::from(".token(\"wire-token\")");
    for scheme in &api.security_schemes {
        let method = &scheme.builder_method;
        match &scheme.kind {
            SchemeKind::ApiKey { .. } => credentials.push_str(&format!(".{method}(\"wire-key\")")),
            SchemeKind::Basic => credentials.push_str(&format!(".{method}(\"wire\", \"wire\")")),
            SchemeKind::Bearer { .. } => {
                credentials.push_str(&format!(".{method}(\"wire-token\")"))
            }
            // Served by the client-wide token: the mock issues no tokens.
            SchemeKind::ClientCredentials { .. } => {}
        }
    }
    format!(
        r#"//! Calls every operation once against the server at `WIRE_BASE_URL` (written by
//! `cargo xtask wire`).

#![allow(unused_imports, clippy::all)]

use {crate_ident}::*;

fn value<T: serde::de::DeserializeOwned>(json: &str) -> Option<T> {{
    serde_json::from_str(json).ok()
}}

fn report(operation: &str, from_example: bool, sent_query: &[&str], outcome: Result<(u16, Option<String>), Error>) {{
    let line = match outcome {{
        Ok((status, violations)) => serde_json::json!({{"operation": operation, "from_example": from_example, "sent_query": sent_query, "status": status, "violations": violations}}),
        Err(error) => {{
            let (status, violations, body) = match &error {{
                Error::Api(api) => (
                    Some(api.status().as_u16()),
                    api.headers().get("sl-violations").and_then(|v| v.to_str().ok()).map(str::to_owned),
                    Some(api.raw_body().to_owned()),
                ),
                _ => (error.status().map(|s| s.as_u16()), None, None),
            }};
            let kind = match &error {{
                Error::Api(_) => "api",
                Error::Decode(_) => "decode",
                Error::Transport(_) => "transport",
                Error::MissingCredentials {{ .. }} => "credentials",
                _ => "other",
            }};
            serde_json::json!({{"operation": operation, "from_example": from_example, "sent_query": sent_query, "status": status, "violations": violations, "error": kind, "message": error.to_string(), "body": body}})
        }}
    }};
    println!("WIRE {{line}}");
}}

fn driver_failed(operation: &str, why: &str) {{
    println!("WIRE {{}}", serde_json::json!({{"operation": operation, "driver": why}}));
}}

{functions}
/// On a thread with room for the largest models: a test thread's 2 MiB does not hold
/// GitHub's repository objects decoded in place.
#[test]
fn every_operation() {{
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {{
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(call_every_operation())
        }})
        .expect("a thread")
        .join()
        .expect("the driver ends");
}}

async fn call_every_operation() {{
    let base_url = std::env::var("WIRE_BASE_URL").expect("WIRE_BASE_URL");
    let client = Client::builder().base_url(base_url){credentials}.build().expect("the client builds");
{calls}}}
"#
    )
}

/// One operation's call, in a block of its own.
fn call(spec: &OpenAPI, operation: &Operation) -> String {
    let id = rust_string(&operation.method_name);
    let Some(described) = described_operation(spec, operation) else {
        return format!("    driver_failed({id}, \"the operation is not in the description\");\n");
    };
    let mut from_example = false;
    let mut lets = String::new();
    let mut arguments = Vec::new();
    for (i, parameter) in operation
        .parameters
        .iter()
        .filter(|p| p.required)
        .enumerate()
    {
        let json = parameter_value(
            spec,
            &described,
            &parameter.name,
            parameter.location,
            &mut from_example,
        );
        let json = fit(json, &parameter.ty);
        let ty = rust_type(&parameter.ty);
        lets.push_str(&format!(
            "        let Some(a{i}) = value::<{ty}>({}) else {{ return driver_failed({id}, \"no value of `{}` fits its type\"); }};\n",
            rust_string(&json.to_string()),
            parameter.name.replace('"', "'"),
        ));
        arguments.push(match &parameter.ty {
            TypeRef::String | TypeRef::Vec(_) => format!("&a{i}"),
            _ => format!("a{i}"),
        });
    }
    if let Some(body) = &operation.request_body {
        let ty = match body.encoding {
            Encoding::Multipart => {
                return format!(
                    "    driver_failed({id}, \"multipart bodies are not built by the driver\");\n"
                );
            }
            // `codegen` reads the sequential media types of request bodies as bytes.
            Encoding::Binary | Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq => {
                None
            }
            Encoding::Text => Some("String".to_owned()),
            Encoding::Json | Encoding::Form => Some(rust_type(&body.ty)),
        };
        let argument = match ty {
            None => "&b\"wire\"[..]".to_owned(),
            Some(ty) => {
                let json = body_value(spec, &described, &body.media_type, &mut from_example);
                let json = fit(json, &body.ty);
                lets.push_str(&format!(
                    "        let Some(body) = value::<{ty}>({}) else {{ return driver_failed({id}, \"no body fits its type\"); }};\n",
                    rust_string(&json.to_string())
                ));
                "&body".to_owned()
            }
        };
        arguments.push(if body.required {
            argument
        } else {
            format!("Some({argument})")
        });
    }
    if operation.optional_params_type.is_some() {
        arguments.push("&Default::default()".to_owned());
    }
    // The query parameters the call sends: the required ones.
    let sent_query: Vec<String> = operation
        .parameters
        .iter()
        .filter(|p| p.required && p.location == ParameterLocation::Query)
        .map(|p| rust_string(&p.name))
        .collect();
    let sent_query = format!("&[{}]", sent_query.join(", "));
    format!(
        "    {{\n{lets}        let outcome = client.{}({}).await;\n        report({id}, {from_example}, {sent_query}, outcome.map(|r| (r.status().as_u16(), r.headers().get(\"sl-violations\").and_then(|v| v.to_str().ok()).map(str::to_owned))));\n    }}\n",
        operation.method_name,
        arguments.join(", ")
    )
}

/// The operation as the description has it, with the path item's parameters.
struct Described<'a> {
    operation: &'a codegen::openapiv3::Operation,
    path_parameters: &'a [ReferenceOr<SpecParameter>],
}

fn described_operation<'a>(spec: &'a OpenAPI, operation: &Operation) -> Option<Described<'a>> {
    let item = match spec.paths.paths.get(&operation.path)? {
        ReferenceOr::Item(item) => item,
        ReferenceOr::Reference { .. } => return None,
    };
    let method = operation.http_method.as_str().to_ascii_lowercase();
    let described = item.iter().find(|(m, _)| *m == method)?.1;
    Some(Described {
        operation: described,
        path_parameters: &item.parameters,
    })
}

fn parameter_of<'a>(
    spec: &'a OpenAPI,
    parameter: &'a ReferenceOr<SpecParameter>,
) -> Option<&'a SpecParameter> {
    match parameter {
        ReferenceOr::Item(parameter) => Some(parameter),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/parameters/")?;
            match spec.components.as_ref()?.parameters.get(name)? {
                ReferenceOr::Item(parameter) => Some(parameter),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

/// A value of the parameter `name`: its example, else its schema's.
fn parameter_value(
    spec: &OpenAPI,
    described: &Described,
    name: &str,
    location: ParameterLocation,
    from_example: &mut bool,
) -> Value {
    let parameters = described
        .operation
        .parameters
        .iter()
        .chain(described.path_parameters);
    let found = parameters.filter_map(|p| parameter_of(spec, p)).find(|p| {
        let data = p.parameter_data_ref();
        let same_place = matches!(
            (p, location),
            (SpecParameter::Path { .. }, ParameterLocation::Path)
                | (SpecParameter::Query { .. }, ParameterLocation::Query)
                | (SpecParameter::Header { .. }, ParameterLocation::Header)
                | (SpecParameter::Cookie { .. }, ParameterLocation::Cookie)
        );
        same_place && data.name.eq_ignore_ascii_case(name)
    });
    let Some(parameter) = found else {
        // Declared by the path template alone.
        return Value::String("wire".to_owned());
    };
    let data = parameter.parameter_data_ref();
    if let Some(example) = data.example.as_ref().filter(|e| !e.is_null()) {
        *from_example = true;
        return example.clone();
    }
    let first_example = data.examples.values().find_map(|e| match e {
        ReferenceOr::Item(example) => example.value.clone(),
        ReferenceOr::Reference { .. } => None,
    });
    if let Some(example) = first_example {
        *from_example = true;
        return example;
    }
    match &data.format {
        ParameterSchemaOrContent::Schema(schema) => sample(spec, schema, from_example),
        ParameterSchemaOrContent::Content(content) => match content.values().next() {
            Some(media) => match (&media.example, &media.schema) {
                (Some(example), _) => {
                    *from_example = true;
                    example.clone()
                }
                (None, Some(schema)) => sample(spec, schema, from_example),
                (None, None) => Value::String("wire".to_owned()),
            },
            None => Value::String("wire".to_owned()),
        },
    }
}

/// A value of the request body in `media_type`: its example, else its schema's.
fn body_value(
    spec: &OpenAPI,
    described: &Described,
    media_type: &str,
    from_example: &mut bool,
) -> Value {
    let body: Option<&RequestBody> = match described.operation.request_body.as_ref() {
        Some(ReferenceOr::Item(body)) => Some(body),
        Some(ReferenceOr::Reference { reference }) => reference
            .strip_prefix("#/components/requestBodies/")
            .and_then(|name| spec.components.as_ref()?.request_bodies.get(name))
            .and_then(|body| match body {
                ReferenceOr::Item(body) => Some(body),
                ReferenceOr::Reference { .. } => None,
            }),
        None => None,
    };
    let Some(media) = body.and_then(|b| {
        b.content
            .get(media_type)
            .or_else(|| b.content.values().next())
    }) else {
        return Value::Object(Default::default());
    };
    if let Some(example) = media.example.as_ref().filter(|e| !e.is_null()) {
        *from_example = true;
        return example.clone();
    }
    let first_example = media.examples.values().find_map(|e| match e {
        ReferenceOr::Item(example) => example.value.clone(),
        ReferenceOr::Reference { .. } => None,
    });
    if let Some(example) = first_example {
        *from_example = true;
        return example;
    }
    match &media.schema {
        Some(schema) if resolve(spec, schema).is_some() => sample(spec, schema, from_example),
        _ => Value::Object(Default::default()),
    }
}

/// `json` made to fit a text or list argument: a number where text is asked for is its
/// text, one value where a list is asked for is a list of it.
fn fit(json: Value, ty: &TypeRef) -> Value {
    match (ty, json) {
        (TypeRef::String, Value::String(text)) => Value::String(text),
        (TypeRef::String, Value::Null) => Value::String("wire".to_owned()),
        (TypeRef::String, other) => Value::String(other.to_string()),
        (TypeRef::Vec(item), Value::Array(items)) => {
            Value::Array(items.into_iter().map(|v| fit(v, item)).collect())
        }
        (TypeRef::Vec(item), other) => Value::Array(vec![fit(other, item)]),
        (_, other) => other,
    }
}

/// The Rust type of an argument's value, in the crate's terms (its root re-exports every
/// model).
fn rust_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::DateTime => "chrono::DateTime<chrono::Utc>".to_owned(),
        TypeRef::Date => "chrono::NaiveDate".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::Bytes => "Vec<u8>".to_owned(),
        TypeRef::File => "FilePart".to_owned(),
        TypeRef::Named(name) => name.strip_prefix("r#").unwrap_or(name).to_owned(),
        TypeRef::Vec(item) => format!("Vec<{}>", rust_type(item)),
        TypeRef::Map(item) => format!("std::collections::BTreeMap<String, {}>", rust_type(item)),
        TypeRef::Option(item) => format!("Option<{}>", rust_type(item)),
    }
}

/// A Rust string literal of `text`.
fn rust_string(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fit_text_and_list_arguments() {
        assert_eq!(
            fit(serde_json::json!(5), &TypeRef::String),
            serde_json::json!("5")
        );
        assert_eq!(
            fit(
                serde_json::json!("a"),
                &TypeRef::Vec(Box::new(TypeRef::String))
            ),
            serde_json::json!(["a"])
        );
        assert_eq!(
            rust_type(&TypeRef::Vec(Box::new(TypeRef::Named("r#Type".into())))),
            "Vec<Type>"
        );
        assert_eq!(rust_string("a\"b"), "\"a\\\"b\"");
    }
}
