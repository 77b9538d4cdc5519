//! OpenAPI 3.2 -> the 3.1 shape (which [`openapi31`](super::openapi31) then rewrites into
//! 3.0's), with what 3.2 adds that `openapiv3` has no field for carried in vendor
//! extensions of the places it belongs to, under the [`EXTENSION`] prefix. The generator
//! keeps one input model: `lower` reads these extensions where it reads the model, so a 3.2
//! addition is lowered by the same code as its nearest 3.0 kin (an operation, a query
//! parameter, a schema), and a 3.0 document that happens to carry such an extension is read
//! the same way.
//!
//! In two passes around the 3.1 rewrite:
//! - [`before`]: what must be in place for it. A sequential media type's `itemSchema` (the
//!   schema of each event, line or record) takes the place of its `schema`, which is how
//!   3.0 and 3.1 descriptions type streams, so that it is rewritten as any schema is; for
//!   `text/event-stream`, an event-shaped item schema gives its `data`'s schema
//!   (`contentSchema` when the data is JSON text). A response's `summary` stands in for its
//!   `description`, now optional. Content given by `$ref` to `components/mediaTypes` is
//!   written out. What is not followed gets a warning with the nearest wider meaning:
//!   a `$self` naming another file than the one read, `oauth2MetadataUrl`, the device
//!   authorization flow.
//! - [`after`]: the `query` operation and `additionalOperations` into
//!   `x-oas-operations` (by method), `in: querystring` into `in: query` with
//!   `x-oas-querystring`, a tag's `parent` and `kind`, a discriminator's `defaultMapping`.

use super::openapi31::METHODS;
use crate::diagnostic::{escape_pointer_token, Diagnostic};
use crate::locate::PointerMap;
use serde_json::{Map, Value};

/// The prefix of the extensions that carry what 3.2 adds.
pub const EXTENSION: &str = "x-oas-";
/// On a path item: the operations 3.0 has no field for, by method (`QUERY`, `COPY`).
pub const OPERATIONS: &str = "x-oas-operations";
/// On a query parameter: it is the whole query string (`in: querystring`).
pub const QUERYSTRING: &str = "x-oas-querystring";
/// On a tag: the name of the tag it belongs under.
pub const PARENT: &str = "x-oas-parent";
/// On a tag: what kind of tag it is (`nav`, `badge`, `audience`...), informational.
pub const KIND: &str = "x-oas-kind";
/// On a discriminator: the schema of a value the mapping does not list.
pub const DEFAULT_MAPPING: &str = "x-oas-default-mapping";

/// The media types whose `itemSchema` describes each item of a stream.
fn is_sequential(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "text/event-stream"
            | "application/jsonl"
            | "application/x-ndjson"
            | "application/x-jsonlines"
            | "application/json-seq"
            | "multipart/mixed"
    )
}

/// The first pass; returns the warnings. `document` is the whole 3.2 document.
pub fn before(document: &mut Value, spec_name: &str) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let mut warn = |pointer: String, message: String| {
        warnings.push(Diagnostic::warning(spec_name, pointer, message));
    };
    let Value::Object(root) = document else {
        return Vec::new();
    };
    // `$self` naming the file read (by its name: where it is served from is not known
    // here) changes nothing; any other location would be the base of relative references.
    let file_name = spec_name.rsplit(['/', '\\']).next().unwrap_or(spec_name);
    let own = root.remove("$self");
    let own = own.as_ref().map(|own| own.as_str().unwrap_or_default());
    let elsewhere = own.filter(|own| {
        let path = own.split(['?', '#']).next().unwrap_or_default();
        path.rsplit('/').next() != Some(file_name)
    });
    if let Some(own) = elsewhere {
        warn(
            "#/$self".to_owned(),
            format!(
                "`$self` (`{own}`) is not followed: references are resolved against this \
                 document as it was read, and those into other documents are left out"
            ),
        );
    }
    let media_types = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|components| components.remove("mediaTypes"))
        .and_then(|value| match value {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    if let Some(Value::Object(schemes)) = root
        .get_mut("components")
        .and_then(|components| components.get_mut("securitySchemes"))
    {
        for (name, scheme) in schemes.iter_mut() {
            let at = format!(
                "#/components/securitySchemes/{}",
                escape_pointer_token(name)
            );
            let Value::Object(scheme) = scheme else {
                continue;
            };
            if scheme.remove("oauth2MetadataUrl").is_some() {
                warn(
                    format!("{at}/oauth2MetadataUrl"),
                    "`oauth2MetadataUrl` is not read: the client uses the flows' URLs the \
                     description gives, which `ClientBuilder` can override"
                        .to_owned(),
                );
            }
            let flows = scheme.get_mut("flows").and_then(Value::as_object_mut);
            if flows.is_some_and(|flows| flows.remove("deviceAuthorization").is_some()) {
                warn(
                    format!("{at}/flows/deviceAuthorization"),
                    "the device authorization flow is not supported: give the client a token \
                     (or a token provider) obtained by it"
                        .to_owned(),
                );
            }
        }
    }
    for pointer in content_maps(root) {
        let Some(Value::Object(content)) = document_at(document, &pointer) else {
            continue;
        };
        for (media_type, entry) in content.iter_mut() {
            let at = format!("{pointer}/{}", escape_pointer_token(media_type));
            inline_media_type(entry, &media_types, &at, &mut warn);
            let Value::Object(entry) = entry else {
                continue;
            };
            let Some(item_schema) = entry.remove("itemSchema") else {
                continue;
            };
            if !is_sequential(media_type) || media_type.starts_with("multipart/") {
                warn(
                    format!("{at}/itemSchema"),
                    format!("`itemSchema` of `{media_type}` is not read: the body is read whole as its `schema` says"),
                );
                continue;
            }
            let item = if media_type.trim().eq_ignore_ascii_case("text/event-stream") {
                event_data_schema(item_schema)
            } else {
                item_schema
            };
            entry.insert("schema".to_owned(), item);
        }
    }
    describe_responses(document);
    warnings
}

/// The value at `pointer` (`#/a/b`), mutably.
fn document_at<'a>(document: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    document.pointer_mut(pointer.trim_start_matches('#'))
}

/// The pointers of every `content` map of requests, responses, parameters and headers.
/// The walk keeps its own stack (an extension may nest as deep as it likes) and stays out
/// of schemas and examples, which hold no `content` and are most of a large document.
fn content_maps(root: &Map<String, Value>) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack: Vec<(String, &Value)> = root
        .iter()
        .filter(|(key, _)| matches!(key.as_str(), "paths" | "components"))
        .map(|(key, child)| (format!("#/{key}"), child))
        .collect();
    while let Some((at, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if matches!(key.as_str(), "schema" | "schemas" | "examples" | "example") {
                        continue;
                    }
                    let below = format!("{at}/{}", escape_pointer_token(key));
                    if key == "content" && child.is_object() {
                        found.push(below.clone());
                    }
                    stack.push((below, child));
                }
            }
            Value::Array(list) => {
                for (index, child) in list.iter().enumerate() {
                    stack.push((format!("{at}/{index}"), child));
                }
            }
            _ => {}
        }
    }
    found.sort();
    found
}

/// A media type given by `$ref` to `components/mediaTypes`, written out in place (it may
/// refer on, a few times at most).
fn inline_media_type(
    entry: &mut Value,
    media_types: &Map<String, Value>,
    at: &str,
    warn: &mut impl FnMut(String, String),
) {
    for _ in 0..8 {
        let Some(reference) = entry.get("$ref").and_then(Value::as_str) else {
            return;
        };
        let Some(name) = reference.strip_prefix("#/components/mediaTypes/") else {
            warn(
                format!("{at}/$ref"),
                format!("`{reference}` is not a media type of this document's `components/mediaTypes`; the content is read without a schema"),
            );
            *entry = Value::Object(Map::new());
            return;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        match media_types.get(&name) {
            Some(target) => *entry = target.clone(),
            None => {
                warn(
                    format!("{at}/$ref"),
                    format!("`{reference}` names no media type of `components/mediaTypes`; the content is read without a schema"),
                );
                *entry = Value::Object(Map::new());
                return;
            }
        }
    }
    warn(
        format!("{at}/$ref"),
        "media types referring to each other in a loop are not followed; the content is read \
         without a schema"
            .to_owned(),
    );
    *entry = Value::Object(Map::new());
}

/// The schema of an event's `data`, from an `itemSchema` describing each event as an object
/// (`data`, `event`, `id`, `retry`): `contentSchema` when the data is JSON text, else the
/// `data` property's own. Any other item schema describes the data itself.
fn event_data_schema(item_schema: Value) -> Value {
    let data = item_schema
        .get("properties")
        .and_then(|properties| properties.get("data"))
        .cloned();
    match data {
        Some(data) => match data.get("contentSchema") {
            Some(content_schema) => content_schema.clone(),
            None => data,
        },
        None => item_schema,
    }
}

/// A response without a `description` (optional in 3.2) gets its `summary`, or nothing.
fn describe_responses(document: &mut Value) {
    fn describe(responses: Option<&mut Value>) {
        let Some(Value::Object(responses)) = responses else {
            return;
        };
        for response in responses.values_mut() {
            let Value::Object(response) = response else {
                continue;
            };
            if response.contains_key("$ref") || response.contains_key("description") {
                continue;
            }
            let summary = response.get("summary").cloned();
            response.insert(
                "description".to_owned(),
                summary.unwrap_or(Value::String(String::new())),
            );
        }
    }
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for (key, operation) in item.iter_mut() {
                if key == "additionalOperations" {
                    if let Value::Object(additional) = operation {
                        additional
                            .values_mut()
                            .for_each(|operation| describe(operation.get_mut("responses")));
                    }
                } else if METHODS.contains(&key.as_str()) || key == "query" {
                    describe(operation.get_mut("responses"));
                }
            }
        }
    }
    describe(
        document
            .get_mut("components")
            .and_then(|c| c.get_mut("responses")),
    );
}

/// The second pass, on the document in 3.0's shape; records in `origin` where what it moves
/// came from.
pub fn after(document: &mut Value, origin: &mut PointerMap) {
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            let at = format!("#/paths/{}", escape_pointer_token(path));
            let mut operations = Map::new();
            if let Some(query) = item.remove("query") {
                origin.record(format!("{at}/{OPERATIONS}/QUERY"), format!("{at}/query"));
                operations.insert("QUERY".to_owned(), query);
            }
            if let Some(Value::Object(additional)) = item.remove("additionalOperations") {
                for (method, operation) in additional {
                    let token = escape_pointer_token(&method);
                    origin.record(
                        format!("{at}/{OPERATIONS}/{token}"),
                        format!("{at}/additionalOperations/{token}"),
                    );
                    operations.insert(method, operation);
                }
            }
            if !operations.is_empty() {
                item.insert(OPERATIONS.to_owned(), Value::Object(operations));
            }
        }
    }
    mark_querystrings(document);
    if let Some(Value::Array(tags)) = document.get_mut("tags") {
        for tag in tags {
            let Value::Object(tag) = tag else { continue };
            for (from, to) in [("parent", PARENT), ("kind", KIND)] {
                if let Some(value) = tag.remove(from) {
                    tag.insert(to.to_owned(), value);
                }
            }
        }
    }
    move_default_mappings(document);
}

/// `in: querystring` becomes `in: query` with [`QUERYSTRING`], wherever parameters are
/// (outside schemas and examples).
fn mark_querystrings(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map.get("in").and_then(Value::as_str) == Some("querystring")
                    && map.contains_key("name")
                {
                    map.insert("in".to_owned(), Value::String("query".to_owned()));
                    map.insert(QUERYSTRING.to_owned(), Value::Bool(true));
                }
                for (key, child) in map.iter_mut() {
                    if !matches!(key.as_str(), "schema" | "schemas" | "examples" | "example") {
                        stack.push(child);
                    }
                }
            }
            Value::Array(list) => stack.extend(list.iter_mut()),
            _ => {}
        }
    }
}

/// A discriminator's `defaultMapping` becomes [`DEFAULT_MAPPING`], wherever schemas are.
fn move_default_mappings(value: &mut Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(discriminator)) = map.get_mut("discriminator") {
                    if let Some(default) = discriminator.remove("defaultMapping") {
                        discriminator.insert(DEFAULT_MAPPING.to_owned(), default);
                    }
                }
                stack.extend(map.values_mut());
            }
            Value::Array(list) => stack.extend(list.iter_mut()),
            _ => {}
        }
    }
}
