//! Stage 1: spec text -> `openapiv3::OpenAPI`.
//!
//! YAML and JSON are both accepted (JSON is read with serde_json, which is much faster on the
//! 13 MB GitHub description). OpenAPI 3.0 is read straight into the model; 3.1 is read as a
//! plain value and rewritten into the 3.0 shape first ([`openapi31`]), and 3.2 likewise, with
//! what it adds carried in extensions ([`openapi32`]). Every failure names
//! the file, the JSON pointer of the offending value in the document as written, and its
//! line and column.

//!
//! - `text.rs`: YAML or JSON text to values, whole or a top-level section at a time, and the
//!   version check
//! - `shape_errors.rs`: where a document that parses does not have OpenAPI's shape, as a
//!   pointer and a plain message
//! - `local_refs.rs`, `openapi31/`, `shapes.rs`: rewriting into the one input model
//! - `loose.rs`: cosmetic faults lenient tools read past, made good with a warning

mod local_refs;
mod loose;
pub mod openapi31;
pub mod openapi32;
mod shape_errors;
mod shapes;
mod text;

use crate::diagnostic::{escape_pointer_token, Diagnostic, Diagnostics};
use crate::locate::PointerMap;
use openapiv3::OpenAPI;
use serde::Deserialize;
use shape_errors::{deepest_schema_error, describe, first_error, shape_error, strip_position};
use text::{check_version, Format, Version, VersionFields};

/// Where a part of a document (`value`) does not have the shape of a `T`, as a pointer
/// below it and a plain message, the way `load` reports the shape errors of a whole
/// document: for what `lower` reads into the model itself, as 3.2's carried operations.
pub(crate) fn shape_problem<T: for<'de> Deserialize<'de>>(
    value: &serde_json::Value,
) -> Option<(String, String)> {
    let (inside, message) = first_error::<T>(value)?;
    Some((inside, describe(&strip_position(&message))))
}

/// A document read into the generator's one input model.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub spec: OpenAPI,
    /// Problems that did not stop loading.
    pub warnings: Vec<Diagnostic>,
    /// Leads pointers into `spec` back to the document as written, where loading rewrote it.
    pub origin: PointerMap,
}

/// Parses `text`, the contents of the spec named `spec_name` (used in messages only).
pub fn load(text: &str, spec_name: &str) -> Result<Loaded, Diagnostics> {
    let format = Format::detect(text);
    // A valid document is read once, without tracking where the reader is: tracking makes
    // reading GitHub's description a quarter slower (BENCHMARKS.md), and only a failure
    // needs it.
    // A 3.1 document is not even tried as 3.0: where it fails to fit the model (a `type`
    // list, say), `openapiv3`'s untagged enums retry each level, in time exponential in the
    // nesting depth.
    // The text is cut into sections (which reads no schema, so takes linear time at any depth)
    // while it is scanned.
    let (simple, sections) = std::thread::scope(|scope| {
        let sections = scope.spawn(|| format.sections(text));
        let simple = !format.declares_v31_or_later(text)
            && !local_refs::needs_rewrite(text)
            && shapes::text_depth(text) <= shapes::DEEP;
        (simple, sections.join().ok().flatten())
    });
    if simple {
        let spec = match sections {
            Some(sections) => sections.read(),
            None => format.parse_untracked::<OpenAPI>(text),
        };
        if let Some(spec) = spec {
            if spec.openapi.starts_with("3.0") {
                return Ok(Loaded {
                    spec,
                    warnings: Vec::new(),
                    origin: PointerMap::default(),
                });
            }
        }
    }
    let version: VersionFields = format.parse(text, spec_name)?;
    let version = check_version(&version, spec_name).map_err(|error| error.placed_in(text))?;
    // A document the model cannot read as it is: read untyped, made readable, then read.
    let mut document: serde_json::Value = format.parse(text, spec_name)?;
    let mut moved = PointerMap::default();
    let errors = local_refs::rewrite(&mut document, &mut moved, spec_name);
    if !errors.is_empty() {
        return Err(Diagnostics(
            errors.into_iter().map(|e| e.placed_in(text)).collect(),
        ));
    }
    let (mut document, origin, mut found) = match version {
        Version::V31 => {
            let openapi31::Normalised {
                document,
                origin,
                diagnostics,
            } = openapi31::normalise(document, spec_name);
            (document, origin.after(moved), diagnostics)
        }
        Version::V32 => {
            let mut found = openapi32::before(&mut document, spec_name);
            let openapi31::Normalised {
                mut document,
                origin,
                diagnostics,
            } = openapi31::normalise(document, spec_name);
            found.extend(diagnostics);
            let mut moved_here = PointerMap::default();
            openapi32::after(&mut document, &mut moved_here);
            (document, moved_here.after(origin.after(moved)), found)
        }
        Version::V30 => {
            drop_callbacks(&mut document);
            (document, moved, Vec::new())
        }
    };
    found.extend(
        loose::tolerate(&mut document, spec_name)
            .into_iter()
            .map(|warning| Diagnostic {
                pointer: origin.original(&warning.pointer),
                ..warning
            }),
    );
    let mut found: Vec<Diagnostic> = found
        .drain(..)
        .map(|diagnostic| diagnostic.placed_in(text))
        .collect();
    found.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    found.dedup();
    if !found.iter().any(Diagnostic::is_error) && shapes::value_depth(&document) > shapes::DEEP {
        if let Some(error) = deepest_schema_error(&document, spec_name) {
            let error = Diagnostic {
                pointer: origin.original(&error.pointer),
                ..error
            };
            found.push(error.placed_in(text));
        }
    }
    if !found.iter().any(Diagnostic::is_error) {
        match every_shape_error(document, spec_name) {
            Ok(spec) => {
                return Ok(Loaded {
                    spec,
                    warnings: found,
                    origin,
                })
            }
            Err(errors) => found.extend(errors.into_iter().map(|error| {
                Diagnostic {
                    pointer: origin.original(&error.pointer),
                    ..error
                }
                .placed_in(text)
            })),
        }
    }
    let mut all = Diagnostics(found);
    all.sort();
    Err(all)
}

/// The document in the model, or every place it does not fit (at most [`MAX_SHAPE_ERRORS`]).
/// After each error the object member it is in is taken out, and the document read again:
/// an error inside what was taken out is a consequence, not reported.
fn every_shape_error(
    mut document: serde_json::Value,
    spec_name: &str,
) -> Result<OpenAPI, Vec<Diagnostic>> {
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    // Each pass takes a member out, so the passes end; the bound keeps them few.
    for _ in 0..MAX_SHAPE_ERRORS * 4 {
        match OpenAPI::deserialize(&document) {
            Ok(spec) if errors.is_empty() => return Ok(spec),
            Ok(_) => break,
            Err(_) => {}
        }
        let error = shape_error(&document, spec_name);
        let inside_removed = removed
            .iter()
            .any(|gone| *gone == error.pointer || gone.starts_with(&format!("{}/", error.pointer)));
        let gone = take_out(&mut document, &error.pointer);
        if !inside_removed || errors.is_empty() {
            errors.push(error);
        }
        match gone {
            Some(gone) if errors.len() < MAX_SHAPE_ERRORS => removed.push(gone),
            _ => break,
        }
    }
    Err(errors)
}

/// How many shape errors one run reports.
const MAX_SHAPE_ERRORS: usize = 50;

/// Removes the innermost object member at or around `pointer`; its pointer, or `None` at
/// the root.
fn take_out(document: &mut serde_json::Value, pointer: &str) -> Option<String> {
    let tokens = crate::locate::pointer_tokens(pointer);
    for len in (1..=tokens.len()).rev() {
        let (parent, last) = (&tokens[..len - 1], &tokens[len - 1]);
        let mut value = &mut *document;
        for token in parent {
            value = match value {
                serde_json::Value::Object(map) => map.get_mut(token)?,
                serde_json::Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        if let serde_json::Value::Object(map) = value {
            if map.remove(last).is_some() {
                let escaped: Vec<String> = tokens[..len]
                    .iter()
                    .map(|t| escape_pointer_token(t))
                    .collect();
                return Some(format!("#/{}", escaped.join("/")));
            }
        }
    }
    None
}

/// Callbacks are requests the API sends, not ones a client makes; `openapiv3` cannot read
/// them when they are `$ref`s, and nothing needs them. (A 3.1 document's are dropped, with
/// a warning, with its webhooks.)
fn drop_callbacks(document: &mut serde_json::Value) {
    if let Some(components) = document
        .get_mut("components")
        .and_then(|c| c.as_object_mut())
    {
        components.remove("callbacks");
    }
    let paths = document.get_mut("paths").and_then(|p| p.as_object_mut());
    for item in paths.into_iter().flat_map(|paths| paths.values_mut()) {
        let operations = item
            .as_object_mut()
            .into_iter()
            .flat_map(|item| item.values_mut());
        for operation in operations.filter_map(|o| o.as_object_mut()) {
            operation.remove("callbacks");
        }
    }
}

/// Parses `text` as a plain JSON value (YAML is read as its JSON equivalent), for tools that
/// compare documents as written.
pub fn load_value(text: &str, spec_name: &str) -> Result<serde_json::Value, Diagnostic> {
    Format::detect(text).parse(text, spec_name)
}

/// Parses `text` as a plain JSON value in the OpenAPI 3.0 shape: a 3.1 document is rewritten
/// as `load` rewrites it (`type` lists to `nullable`, `examples` to `example`...), so that
/// tools comparing a 3.0 document with a 3.1 one see what differs in meaning, not in
/// spelling. Warnings of the rewriting are returned beside the value; pointers are into the
/// document as written.
pub fn load_value_as_30(
    text: &str,
    spec_name: &str,
) -> Result<(serde_json::Value, Vec<Diagnostic>), Diagnostics> {
    let document = load_value(text, spec_name)?;
    let declares_31 = document
        .get("openapi")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|version| version.starts_with("3.1"));
    if !declares_31 {
        return Ok((document, Vec::new()));
    }
    let openapi31::Normalised {
        document,
        diagnostics,
        ..
    } = openapi31::normalise(document, spec_name);
    let diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .map(|diagnostic| diagnostic.placed_in(text))
        .collect();
    if diagnostics.iter().any(Diagnostic::is_error) {
        let mut all = Diagnostics(diagnostics);
        all.sort();
        return Err(all);
    }
    Ok((document, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::shape_errors::strip_position;
    use super::*;

    /// The one error of a failed load.
    fn load_error(text: &str, spec_name: &str) -> Diagnostic {
        let Diagnostics(mut found) = load(text, spec_name).unwrap_err();
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }

    #[test]
    fn yaml_syntax_error_has_line() {
        let error = load_error("openapi: 3.0.3\ninfo: [\n", "bad.yaml");
        assert_eq!(error.spec_name, "bad.yaml");
        assert!(error.line.is_some(), "{error}");
    }

    #[test]
    fn positions_are_cut_out_of_messages() {
        assert_eq!(
            strip_position("bad thing at line 3 column 1, while parsing"),
            "bad thing, while parsing"
        );
        assert_eq!(strip_position("bad thing at line 3 column 12"), "bad thing");
        assert_eq!(strip_position("no position"), "no position");
        assert_eq!(
            strip_position("a at line 3 column 1, while b at line 2 column 7"),
            "a, while b"
        );
    }

    #[test]
    fn swagger_is_rejected_with_hint() {
        let error = load_error("swagger: '2.0'\ninfo: {}\n", "old.yaml");
        assert_eq!(error.pointer, "#/swagger");
        assert!(error.message.contains("Swagger 2.0"), "{error}");
        assert!(error.hint.is_some());
    }

    #[test]
    fn openapi_31_is_read_and_other_versions_are_refused() {
        let loaded = load(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n",
            "new.yaml",
        )
        .unwrap();
        assert!(loaded.spec.paths.paths.is_empty());
        let error = load_error(
            "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "new.yaml",
        );
        assert_eq!(error.pointer, "#/openapi");
        assert!(
            error.message.contains("unknown OpenAPI version `4.0.0`"),
            "{error}"
        );
        assert_eq!(error.line, Some((1, 1)), "{error}");
    }

    #[test]
    fn openapi_31_shape_errors_point_into_the_document_as_written() {
        // The bad `minLength` is moved into a `oneOf` branch (`openapiv3` tells no deeper
        // than the schema); the error is reported at the schema as written.
        let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    a:\n      type: [integer, string]\n      minLength: many\n";
        let error = load_error(text, "s.yaml");
        assert_eq!(error.pointer, "#/components/schemas/a", "{error}");
        assert_eq!(error.line, Some((5, 5)), "{error}");
        assert!(error.message.contains("expected usize"), "{error}");
    }

    #[test]
    fn openapi_31_json_syntax_errors_have_a_line() {
        let error = load_error("{\"openapi\": \"3.1.0\",\n \"info\": }", "s.json");
        assert_eq!(error.line.map(|(line, _)| line), Some(2), "{error}");
    }

    /// Read in sections on several threads, a document is what reading it whole gives: every
    /// section of the components, in order, with their extensions.
    #[test]
    fn a_document_read_in_sections_is_the_document_read_whole() {
        let schemas: Vec<String> = (0..40)
            .map(|n| {
                format!(r#""s{n}":{{"type":"object","properties":{{"a{n}":{{"type":"string"}}}}}}"#)
            })
            .collect();
        let text = format!(
            r#"{{"openapi":"3.0.3","info":{{"title":"t","version":"1"}},"x-top":1,
            "paths":{{"/a":{{"get":{{"responses":{{"204":{{"description":"none"}}}}}}}}}},
            "components":{{"x-first":true,"schemas":{{{}}},
            "parameters":{{"p":{{"name":"p","in":"query","schema":{{"type":"integer"}}}}}},
            "responses":{{"r":{{"description":"r"}}}},"x-last":[1]}}}}"#,
            schemas.join(",")
        );
        let whole: OpenAPI = serde_json::from_str(&text).unwrap();
        let sections = Format::Json.sections(&text).expect("JSON with components");
        assert!(sections.components.len() > 1, "cut in several sections");
        let read = sections.read().expect("every section reads");
        assert_eq!(read, whole);
        let keys: Vec<&String> = read.components.as_ref().unwrap().schemas.keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("s0"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("s39"));
        assert!(Format::Yaml.sections(&text).is_none());
        assert!(
            Format::Json.sections("{\"openapi\":\"3.0.3\"}").is_none(),
            "no components"
        );
    }

    #[test]
    fn shape_error_has_pointer() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n";
        let error = load_error(text, "shape.yaml");
        // openapiv3 flattens `paths`; `narrow` finds the entry and the place in it.
        assert_eq!(error.pointer, "#/paths/~1a/get/responses", "{error}");
        assert_eq!(error.line, Some((6, 7)), "{error}");
    }

    #[test]
    fn shape_errors_in_responses_and_components_are_narrowed() {
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: [not, text]\ncomponents:\n  schemas:\n    ok: {type: string}\n";
        let error = load_error(text, "r.yaml");
        assert_eq!(
            error.pointer, "#/paths/~1a/get/responses/200/description",
            "{error}"
        );
        assert_eq!(error.line, Some((8, 11)), "{error}");
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  parameters:\n    p:\n      name: p\n      in: nowhere\n";
        let error = load_error(text, "c.yaml");
        assert!(
            error.pointer.starts_with("#/components/parameters/p"),
            "{error}"
        );
    }

    #[test]
    fn json_is_accepted() {
        let text = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}"#;
        assert!(load(text, "a.json").is_ok());
    }
}
