//! Where a document that parses is not the shape OpenAPI says: the deepest place serde
//! stopped at, as a JSON pointer, with its message in plain words.

use super::shapes;
use crate::diagnostic::{escape_pointer_token, Diagnostic};
use openapiv3::OpenAPI;
use serde::Deserialize;

/// The innermost schema that cannot be read, each read after the schemas inside it (see
/// `shapes.rs`).
pub(super) fn deepest_schema_error(
    document: &serde_json::Value,
    spec_name: &str,
) -> Option<Diagnostic> {
    let places = shapes::schema_places(document);
    places.iter().rev().find_map(|(at, value)| {
        let (inner, message) = first_error_or_ref::<openapiv3::Schema>(value)?;
        Some(Diagnostic::new(
            spec_name,
            format!("{at}{inner}"),
            describe(&strip_position(&message)),
        ))
    })
}

/// Where reading `document` as the model fails, and why.
pub(super) fn shape_error(document: &serde_json::Value, spec_name: &str) -> Diagnostic {
    let (pointer, message) = match first_error::<OpenAPI>(document) {
        Some((inner, message)) => (format!("#{inner}"), message),
        None => ("#".to_owned(), "not a valid OpenAPI document".to_owned()),
    };
    let (pointer, message) = narrow_value(document, &pointer).unwrap_or((pointer, message));
    Diagnostic::new(spec_name, pointer, describe(&strip_position(&message)))
}

/// openapiv3 flattens its maps (`paths`, `responses`, extensions), which hides from serde
/// where inside them a value went wrong. This parses the entries of the failing map one by
/// one, as the type they must be, to find the entry and the place in it: its pointer, and
/// serde's message.
pub(super) fn narrow_value(
    document: &serde_json::Value,
    pointer: &str,
) -> Option<(String, String)> {
    let entry = |value: &serde_json::Value,
                 base: &str,
                 check: &dyn Fn(&serde_json::Value) -> Option<(String, String)>| {
        value.as_object()?.iter().find_map(|(key, child)| {
            check(child).map(|(inner, message)| {
                (
                    format!("{base}/{}{inner}", escape_pointer_token(key)),
                    message,
                )
            })
        })
    };
    let found = match pointer {
        "#/paths" => entry(&document["paths"], "#/paths", &|item| {
            first_error_or_ref::<openapiv3::PathItem>(item).map(|(inner, message)| {
                // Inside a path item, look at each operation, then at each response.
                for method in [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ] {
                    let Some(operation) = item.get(method) else {
                        continue;
                    };
                    if let Some((inner, message)) = first_error::<openapiv3::Operation>(operation) {
                        if inner == "/responses" {
                            for (status, response) in
                                operation["responses"].as_object().into_iter().flatten()
                            {
                                if let Some((deeper, message)) =
                                    first_error_or_ref::<openapiv3::Response>(response)
                                {
                                    return (
                                        format!(
                                            "/{method}/responses/{}{deeper}",
                                            escape_pointer_token(status)
                                        ),
                                        message,
                                    );
                                }
                            }
                        }
                        return (format!("/{method}{inner}"), message);
                    }
                }
                (inner, message)
            })
        }),
        "#/components" => ["schemas", "parameters", "responses", "requestBodies"]
            .iter()
            .find_map(|section| {
                let base = format!("#/components/{section}");
                let value = &document["components"][*section];
                match *section {
                    "schemas" => entry(value, &base, &first_error_or_ref::<openapiv3::Schema>),
                    "parameters" => {
                        entry(value, &base, &first_error_or_ref::<openapiv3::Parameter>)
                    }
                    "responses" => entry(value, &base, &first_error_or_ref::<openapiv3::Response>),
                    _ => entry(value, &base, &first_error_or_ref::<openapiv3::RequestBody>),
                }
            }),
        _ => None,
    };
    found
}

/// Like [`first_error`] for a place that may hold a `$ref` instead: parsing as the untagged
/// `ReferenceOr` would hide the path, so a value without `$ref` is parsed as `T` itself.
pub(super) fn first_error_or_ref<T: for<'de> Deserialize<'de>>(
    value: &serde_json::Value,
) -> Option<(String, String)> {
    if value.get("$ref").is_some() {
        first_error::<openapiv3::ReferenceOr<T>>(value)
    } else {
        first_error::<T>(value)
    }
}

/// Where in `value` deserializing a `T` fails (a pointer suffix), and serde's message.
pub(super) fn first_error<T: for<'de> Deserialize<'de>>(
    value: &serde_json::Value,
) -> Option<(String, String)> {
    let error = serde_path_to_error::deserialize::<_, T>(value).err()?;
    let inner = path_to_pointer(error.path())
        .trim_start_matches('#')
        .to_owned();
    Some((inner, error.into_inner().to_string()))
}

pub(super) fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::from("#");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                pointer.push('/');
                pointer.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer_token(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// serde's messages contain " at line X column Y" (YAML's even twice); the location is
/// reported separately.
pub(super) fn strip_position(message: &str) -> String {
    let mut message = message.to_owned();
    while let Some(start) = message.find(" at line ") {
        let rest = &message[start + " at line ".len()..];
        let after_line = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        let after_column = after_line.strip_prefix(" column ").map_or(after_line, |r| {
            r.trim_start_matches(|c: char| c.is_ascii_digit())
        });
        message = format!("{}{after_column}", &message[..start]);
    }
    message
}

/// Rewords the one serde message that means nothing to a spec author.
pub(super) fn describe(message: &str) -> String {
    if message.starts_with("data did not match any variant of untagged enum ReferenceOr") {
        "neither a `$ref` nor a valid inline definition here".to_owned()
    } else {
        message.to_owned()
    }
}
