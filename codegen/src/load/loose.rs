//! Faults that lenient tools (swagger-parser, Prism) read past, made good with a warning
//! each: the document then reads as the description plainly means. Only cosmetic faults are
//! here; a document that is truly broken stays refused.

use crate::diagnostic::{escape_pointer_token, Diagnostic};
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Makes good what it can in an OpenAPI 3.0-shaped `document`; a warning for each.
pub(super) fn tolerate(document: &mut Value, spec_name: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut warn = |pointer: String, message: String| {
        found.push(Diagnostic::warning(spec_name, pointer, message));
    };
    let Some(root) = document.as_object_mut() else {
        return found;
    };
    if let Some(version) = root
        .get_mut("info")
        .and_then(|info| info.get_mut("version"))
    {
        if let Some(text) = scalar_text(version) {
            warn(
                "#/info/version".to_owned(),
                format!("`info.version` is {version}, not a string; read as `{text}`"),
            );
            *version = Value::String(text);
        }
    }
    if !root.contains_key("paths") {
        warn(
            "#".to_owned(),
            "the document has no `paths`: a crate of its types alone".to_owned(),
        );
        root.insert("paths".to_owned(), Value::Object(Default::default()));
    }
    servers(root.get_mut("servers"), "#/servers", &mut warn);
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let at = format!("#/paths/{}", escape_pointer_token(path));
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            servers(item.get_mut("servers"), &format!("{at}/servers"), &mut warn);
            parameters(
                item.get_mut("parameters"),
                &format!("{at}/parameters"),
                &mut warn,
            );
            for method in METHODS {
                let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let at = format!("{at}/{method}");
                if !operation.contains_key("responses") {
                    warn(
                        at.clone(),
                        "the operation has no `responses`: it returns the response as received"
                            .to_owned(),
                    );
                    operation.insert("responses".to_owned(), Value::Object(Default::default()));
                }
                servers(
                    operation.get_mut("servers"),
                    &format!("{at}/servers"),
                    &mut warn,
                );
                parameters(
                    operation.get_mut("parameters"),
                    &format!("{at}/parameters"),
                    &mut warn,
                );
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                {
                    for (status, response) in responses.iter_mut() {
                        let at = format!("{at}/responses/{}", escape_pointer_token(status));
                        describe_response(response, at, &mut warn);
                    }
                }
            }
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        if let Some(responses) = components
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        {
            for (name, response) in responses.iter_mut() {
                let at = format!("#/components/responses/{}", escape_pointer_token(name));
                describe_response(response, at, &mut warn);
            }
        }
        if let Some(parameters) = components
            .get_mut("parameters")
            .and_then(Value::as_object_mut)
        {
            for (name, parameter) in parameters.iter_mut() {
                let at = format!("#/components/parameters/{}", escape_pointer_token(name));
                header_style(parameter, at, &mut warn);
            }
        }
    }
    found
}

/// A number or boolean as the text YAML would have kept had it been quoted.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Server variables' `enum` values and `default` as text.
fn servers(servers: Option<&mut Value>, at: &str, warn: &mut impl FnMut(String, String)) {
    let Some(servers) = servers.and_then(Value::as_array_mut) else {
        return;
    };
    for (i, server) in servers.iter_mut().enumerate() {
        let Some(variables) = server.get_mut("variables").and_then(Value::as_object_mut) else {
            continue;
        };
        for (name, variable) in variables.iter_mut() {
            let at = format!("{at}/{i}/variables/{}", escape_pointer_token(name));
            if let Some(default) = variable.get_mut("default") {
                if let Some(text) = scalar_text(default) {
                    warn(format!("{at}/default"), format!("server variable `{name}`'s `default` is {default}, not a string; read as `{text}`"));
                    *default = Value::String(text);
                }
            }
            let Some(values) = variable.get_mut("enum").and_then(Value::as_array_mut) else {
                continue;
            };
            if values.iter().any(|v| scalar_text(v).is_some()) {
                warn(
                    format!("{at}/enum"),
                    format!("server variable `{name}`'s `enum` has values that are not strings; read as text"),
                );
                for value in values.iter_mut() {
                    if let Some(text) = scalar_text(value) {
                        *value = Value::String(text);
                    }
                }
            }
        }
    }
}

fn parameters(parameters: Option<&mut Value>, at: &str, warn: &mut impl FnMut(String, String)) {
    for (i, parameter) in parameters
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .enumerate()
    {
        header_style(parameter, format!("{at}/{i}"), warn);
    }
}

/// A header parameter is always `simple` (OpenAPI 3.0.3, 4.7.12.2); another style is read as
/// it.
fn header_style(parameter: &mut Value, at: String, warn: &mut impl FnMut(String, String)) {
    let Some(parameter) = parameter.as_object_mut() else {
        return;
    };
    if parameter.get("in").and_then(Value::as_str) != Some("header") {
        return;
    }
    let Some(style) = parameter.get("style").and_then(Value::as_str) else {
        return;
    };
    if style != "simple" {
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        warn(
            format!("{at}/style"),
            format!("header parameter `{name}` has `style: {style}`; headers are `simple`, and it is sent so"),
        );
        parameter.insert("style".to_owned(), Value::String("simple".to_owned()));
    }
}

/// A response without the required `description` is read as having an empty one.
fn describe_response(response: &mut Value, at: String, warn: &mut impl FnMut(String, String)) {
    let Some(response) = response.as_object_mut() else {
        return;
    };
    if response.contains_key("$ref") || response.contains_key("description") {
        return;
    }
    warn(
        at,
        "the response has no `description`; read as an empty one".to_owned(),
    );
    response.insert("description".to_owned(), Value::String(String::new()));
}
