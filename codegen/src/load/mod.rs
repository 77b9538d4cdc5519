//! Stage 1: spec text -> `openapiv3::OpenAPI`.
//!
//! YAML and JSON are both accepted (JSON is read with serde_json, which is much faster on the
//! 13 MB GitHub description). OpenAPI 3.0 is read straight into the model; 3.1 is read as a
//! plain value and rewritten into the 3.0 shape first ([`openapi31`]). Every failure names
//! the file, the JSON pointer of the offending value in the document as written, and its
//! line and column.

mod local_refs;
pub mod openapi31;
mod shapes;

use crate::diagnostic::{escape_pointer_token, Diagnostic, Diagnostics};
use crate::locate::PointerMap;
use openapiv3::OpenAPI;
use serde::Deserialize;

/// A document read into the generator's one input model.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub spec: OpenAPI,
    /// Problems that did not stop loading.
    pub warnings: Vec<Diagnostic>,
    /// Leads pointers into `spec` back to the document as written, where loading rewrote it.
    pub origin: PointerMap,
}

/// Parses `text`, the contents of the spec file `file` (used in messages only).
pub fn load(text: &str, file: &str) -> Result<Loaded, Diagnostics> {
    let format = Format::detect(text);
    // A valid document is read once, without tracking where the reader is: tracking makes
    // reading GitHub's description a quarter slower (BENCHMARKS.md), and only a failure
    // needs it.
    // A 3.1 document is not even tried as 3.0: where it fails to fit the model (a `type`
    // list, say), `openapiv3`'s untagged enums retry each level, in time exponential in the
    // nesting depth.
    // The text is cut into pieces (which reads no schema, so takes linear time at any depth)
    // while it is scanned.
    let (simple, pieces) = std::thread::scope(|scope| {
        let pieces = scope.spawn(|| format.pieces(text));
        let simple = !format.declares_v31(text)
            && !local_refs::needs_rewrite(text)
            && shapes::text_depth(text) <= shapes::DEEP;
        (simple, pieces.join().ok().flatten())
    });
    if simple {
        let spec = match pieces {
            Some(pieces) => pieces.read(),
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
    let version: VersionFields = format.parse(text, file)?;
    let version = check_version(&version, file).map_err(|error| error.placed_in(text))?;
    // A document the model cannot read as it is: read untyped, made readable, then read.
    let mut document: serde_json::Value = format.parse(text, file)?;
    let mut moved = PointerMap::default();
    let errors = local_refs::rewrite(&mut document, &mut moved, file);
    if !errors.is_empty() {
        return Err(Diagnostics(
            errors.into_iter().map(|e| e.placed_in(text)).collect(),
        ));
    }
    let (document, origin, mut found) = match version {
        Version::V31 => {
            let openapi31::Normalised {
                document,
                origin,
                diagnostics,
            } = openapi31::normalise(document, file);
            (document, origin.after(moved), diagnostics)
        }
        Version::V30 => {
            drop_callbacks(&mut document);
            (document, moved, Vec::new())
        }
    };
    let mut found: Vec<Diagnostic> = found
        .drain(..)
        .map(|diagnostic| diagnostic.placed_in(text))
        .collect();
    found.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    found.dedup();
    if !found.iter().any(Diagnostic::is_error) && shapes::value_depth(&document) > shapes::DEEP {
        if let Some(error) = deepest_schema_error(&document, file) {
            let error = Diagnostic {
                pointer: origin.original(&error.pointer),
                ..error
            };
            found.push(error.placed_in(text));
        }
    }
    if !found.iter().any(Diagnostic::is_error) {
        match OpenAPI::deserialize(&document) {
            Ok(spec) => {
                return Ok(Loaded {
                    spec,
                    warnings: found,
                    origin,
                })
            }
            Err(_) => {
                let error = shape_error(&document, file);
                let error = Diagnostic {
                    pointer: origin.original(&error.pointer),
                    ..error
                };
                found.push(error.placed_in(text));
            }
        }
    }
    let mut all = Diagnostics(found);
    all.sort();
    Err(all)
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

/// The innermost schema that cannot be read, each read after the schemas inside it (see
/// `shapes.rs`).
fn deepest_schema_error(document: &serde_json::Value, file: &str) -> Option<Diagnostic> {
    let places = shapes::schema_places(document);
    places.iter().rev().find_map(|(at, value)| {
        let (inner, message) = first_error_or_ref::<openapiv3::Schema>(value)?;
        Some(Diagnostic::new(
            file,
            format!("{at}{inner}"),
            describe(&strip_position(&message)),
        ))
    })
}

/// Where reading `document` as the model fails, and why.
fn shape_error(document: &serde_json::Value, file: &str) -> Diagnostic {
    let (pointer, message) = match first_error::<OpenAPI>(document) {
        Some((inner, message)) => (format!("#{inner}"), message),
        None => ("#".to_owned(), "not a valid OpenAPI document".to_owned()),
    };
    let (pointer, message) = narrow_value(document, &pointer).unwrap_or((pointer, message));
    Diagnostic::new(file, pointer, describe(&strip_position(&message)))
}

/// openapiv3 flattens its maps (`paths`, `responses`, extensions), which hides from serde
/// where inside them a value went wrong. This parses the entries of the failing map one by
/// one, as the type they must be, to find the entry and the place in it: its pointer, and
/// serde's message.
fn narrow_value(document: &serde_json::Value, pointer: &str) -> Option<(String, String)> {
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
fn first_error_or_ref<T: for<'de> Deserialize<'de>>(
    value: &serde_json::Value,
) -> Option<(String, String)> {
    if value.get("$ref").is_some() {
        first_error::<openapiv3::ReferenceOr<T>>(value)
    } else {
        first_error::<T>(value)
    }
}

/// Where in `value` deserializing a `T` fails (a pointer suffix), and serde's message.
fn first_error<T: for<'de> Deserialize<'de>>(
    value: &serde_json::Value,
) -> Option<(String, String)> {
    let error = serde_path_to_error::deserialize::<_, T>(value).err()?;
    let inner = path_to_pointer(error.path())
        .trim_start_matches('#')
        .to_owned();
    Some((inner, error.into_inner().to_string()))
}

/// Parses `text` as a plain JSON value (YAML is read as its JSON equivalent), for tools that
/// compare documents as written.
pub fn load_value(text: &str, file: &str) -> Result<serde_json::Value, Diagnostic> {
    Format::detect(text).parse(text, file)
}

/// Parses `text` as a plain JSON value in the OpenAPI 3.0 shape: a 3.1 document is rewritten
/// as `load` rewrites it (`type` lists to `nullable`, `examples` to `example`...), so that
/// tools comparing a 3.0 document with a 3.1 one see what differs in meaning, not in
/// spelling. Warnings of the rewriting are returned beside the value; pointers are into the
/// document as written.
pub fn load_value_as_30(
    text: &str,
    file: &str,
) -> Result<(serde_json::Value, Vec<Diagnostic>), Diagnostics> {
    let document = load_value(text, file)?;
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
    } = openapi31::normalise(document, file);
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

/// A JSON document in pieces: see [`Format::pieces`].
struct Pieces {
    rest: String,
    components: Vec<String>,
}

impl Pieces {
    /// The document in the model: each piece read on a thread of its own, the components
    /// joined in order. `None` when a piece does not read.
    fn read(self) -> Option<OpenAPI> {
        std::thread::scope(|scope| {
            let threads: Vec<_> = self
                .components
                .iter()
                .map(|piece| scope.spawn(|| serde_json::from_str::<OpenAPI>(piece).ok()))
                .collect();
            let rest = serde_json::from_str::<OpenAPI>(&self.rest).ok();
            let mut joined = openapiv3::Components::default();
            for thread in threads {
                let part = thread.join().ok()??.components?;
                joined.schemas.extend(part.schemas);
                joined.responses.extend(part.responses);
                joined.parameters.extend(part.parameters);
                joined.examples.extend(part.examples);
                joined.request_bodies.extend(part.request_bodies);
                joined.headers.extend(part.headers);
                joined.security_schemes.extend(part.security_schemes);
                joined.links.extend(part.links);
                joined.callbacks.extend(part.callbacks);
                joined.extensions.extend(part.extensions);
            }
            Some(OpenAPI {
                components: Some(joined),
                ..rest?
            })
        })
    }
}

/// A JSON object's text from its keys and its values' texts.
fn json_object<K: AsRef<str>, V: AsRef<str>>(entries: impl IntoIterator<Item = (K, V)>) -> String {
    let mut object = String::from("{");
    for (key, value) in entries {
        if object.len() > 1 {
            object.push(',');
        }
        object.push_str(&serde_json::Value::from(key.as_ref()).to_string());
        object.push(':');
        object.push_str(value.as_ref());
    }
    object.push('}');
    object
}

#[derive(Clone, Copy)]
enum Format {
    Json,
    Yaml,
}

impl Format {
    fn detect(text: &str) -> Format {
        if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }

    /// Whether the text says `openapi: 3.1...` at the first `openapi` key it has (a quick
    /// look at the text; the parsed document decides).
    fn declares_v31(self, text: &str) -> bool {
        let value = match self {
            Format::Json => text.find("\"openapi\"").map(|at| {
                text[at + "\"openapi\"".len()..]
                    .trim_start()
                    .trim_start_matches(':')
                    .trim_start()
            }),
            Format::Yaml => text
                .lines()
                .find_map(|line| line.strip_prefix("openapi:"))
                .map(str::trim_start),
        };
        value.is_some_and(|value| value.trim_start_matches(['"', '\'']).starts_with("3.1"))
    }

    /// The value, or `None` when `text` is not a `T`; [`Format::parse`] tells why.
    fn parse_untracked<T: for<'de> Deserialize<'de>>(self, text: &str) -> Option<T> {
        match self {
            Format::Json => serde_json::from_str(text).ok(),
            Format::Yaml => serde_yaml::from_str(text).ok(),
        }
    }

    /// A JSON document cut, without being read into the model, into documents of about
    /// equal size: one of everything but `components`, then the components' entries in order.
    /// Most of `load`'s time on a large description is `openapiv3`'s reading of schemas, which
    /// [`Pieces::read`] does on every core. `None` for YAML, or JSON without components or
    /// that does not parse (the caller then reads it whole).
    fn pieces(self, text: &str) -> Option<Pieces> {
        type Raw<'a> = indexmap::IndexMap<String, &'a serde_json::value::RawValue>;
        if matches!(self, Format::Yaml) {
            return None;
        }
        let top: Raw = serde_json::from_str(text).ok()?;
        let components: Raw = serde_json::from_str(top.get("components")?.get()).ok()?;
        let rest = json_object(
            top.iter()
                .filter(|(key, _)| *key != "components")
                .map(|(key, value)| (key.as_str(), value.get())),
        );
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let piece_size = text.len() / (2 * cores) + 1;
        // The fields the model requires, around a piece of the components.
        let document = |components: String| {
            format!(
                r#"{{"openapi":"3.0.0","info":{{"title":"","version":""}},"paths":{{}},"components":{components}}}"#
            )
        };
        let is_extension = |key: &str| key.starts_with("x-");
        // The piece being filled, as its sections' texts; the components' extensions go with
        // the first.
        let mut piece: Vec<(&str, String)> = components
            .iter()
            .filter(|(key, _)| is_extension(key))
            .map(|(key, value)| (key.as_str(), value.get().to_owned()))
            .collect();
        let mut pieces = Vec::new();
        let mut size = 0;
        for (section, entries) in components.iter().filter(|(key, _)| !is_extension(key)) {
            let entries: Raw = serde_json::from_str(entries.get()).ok()?;
            let mut taken: Vec<(&str, &str)> = Vec::new();
            for (key, value) in &entries {
                taken.push((key, value.get()));
                size += value.get().len();
                if size >= piece_size {
                    piece.push((section, json_object(taken.drain(..))));
                    pieces.push(document(json_object(piece.drain(..))));
                    size = 0;
                }
            }
            if !taken.is_empty() {
                piece.push((section, json_object(taken)));
            }
        }
        if !piece.is_empty() {
            pieces.push(document(json_object(piece)));
        }
        Some(Pieces {
            rest,
            components: pieces,
        })
    }

    fn parse<T: for<'de> Deserialize<'de>>(self, text: &str, file: &str) -> Result<T, Diagnostic> {
        match self {
            Format::Json => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                    let pointer = path_to_pointer(error.path());
                    let inner = error.into_inner();
                    let (line, column) = (inner.line(), inner.column());
                    let message = strip_position(&inner.to_string());
                    Diagnostic::new(file, pointer, describe(&message)).with_line(line, column)
                })
            }
            Format::Yaml => {
                let deserializer = serde_yaml::Deserializer::from_str(text);
                serde_path_to_error::deserialize(deserializer).map_err(|error| {
                    let pointer = path_to_pointer(error.path());
                    let inner = error.into_inner();
                    let location = inner.location();
                    let message = strip_position(&inner.to_string());
                    let diagnostic = Diagnostic::new(file, pointer, describe(&message));
                    match location {
                        Some(location) => diagnostic.with_line(location.line(), location.column()),
                        None => diagnostic,
                    }
                })
            }
        }
    }
}

/// Only the fields that say which kind of document this is; read before the full parse so
/// that a Swagger 2.0 or OpenAPI 3.1 document gets a clear message instead of a shape error.
#[derive(Deserialize)]
struct VersionFields {
    openapi: Option<serde_json::Value>,
    swagger: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V30,
    V31,
}

fn check_version(fields: &VersionFields, file: &str) -> Result<Version, Diagnostic> {
    let as_text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(swagger) = &fields.swagger {
        return Err(Diagnostic::new(
            file,
            "#/swagger",
            format!("Swagger {} documents are not supported", as_text(swagger)),
        )
        .with_hint("convert it to OpenAPI 3.0 first, e.g. with swagger2openapi"));
    }
    let Some(version) = &fields.openapi else {
        return Err(Diagnostic::new(
            file,
            "#",
            "not an OpenAPI document: the `openapi` field is missing",
        )
        .with_hint("an OpenAPI document starts with `openapi: 3.1.0` or `openapi: 3.0.3`"));
    };
    let version = as_text(version);
    if version.starts_with("3.0") {
        Ok(Version::V30)
    } else if version.starts_with("3.1") {
        Ok(Version::V31)
    } else {
        Err(Diagnostic::new(
            file,
            "#/openapi",
            format!("unknown OpenAPI version `{version}`; 3.0.x and 3.1.x are supported"),
        ))
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
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
fn strip_position(message: &str) -> String {
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
fn describe(message: &str) -> String {
    if message.starts_with("data did not match any variant of untagged enum ReferenceOr") {
        "neither a `$ref` nor a valid inline definition here".to_owned()
    } else {
        message.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one error of a failed load.
    fn load_error(text: &str, file: &str) -> Diagnostic {
        let Diagnostics(mut found) = load(text, file).unwrap_err();
        assert_eq!(found.len(), 1, "{found:?}");
        found.remove(0)
    }

    #[test]
    fn yaml_syntax_error_has_line() {
        let error = load_error("openapi: 3.0.3\ninfo: [\n", "bad.yaml");
        assert_eq!(error.file, "bad.yaml");
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

    /// Read in pieces on several threads, a document is what reading it whole gives: every
    /// section of the components, in order, with their extensions.
    #[test]
    fn a_document_read_in_pieces_is_the_document_read_whole() {
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
        let pieces = Format::Json.pieces(&text).expect("JSON with components");
        assert!(pieces.components.len() > 1, "cut in several pieces");
        let read = pieces.read().expect("every piece reads");
        assert_eq!(read, whole);
        let keys: Vec<&String> = read.components.as_ref().unwrap().schemas.keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("s0"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("s39"));
        assert!(Format::Yaml.pieces(&text).is_none());
        assert!(
            Format::Json.pieces("{\"openapi\":\"3.0.3\"}").is_none(),
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
