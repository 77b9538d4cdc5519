//! Text to values: YAML or JSON, detected; read whole, or a top-level section at a time so
//! that a shape error can be narrowed to its section; and the `openapi` version check.

use super::shape_errors::{describe, path_to_pointer, strip_position};
use crate::diagnostic::Diagnostic;
use openapiv3::OpenAPI;
use serde::Deserialize;

/// A JSON document in sections: see [`Format::sections`].
pub(super) struct Sections {
    rest: String,
    pub(super) components: Vec<String>,
}

impl Sections {
    /// The document in the model: each section read on a thread of its own, the components
    /// joined in order. `None` when a section does not read.
    pub(super) fn read(self) -> Option<OpenAPI> {
        std::thread::scope(|scope| {
            let threads: Vec<_> = self
                .components
                .iter()
                .map(|section| scope.spawn(|| serde_json::from_str::<OpenAPI>(section).ok()))
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
pub(super) fn json_object<K: AsRef<str>, V: AsRef<str>>(
    entries: impl IntoIterator<Item = (K, V)>,
) -> String {
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
pub(super) enum Format {
    Json,
    Yaml,
}

impl Format {
    pub(super) fn detect(text: &str) -> Format {
        if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }

    /// Whether the text says `openapi: 3.1...` or `3.2...` (JSON Schema 2020-12 schemas) at
    /// the first `openapi` key it has (a quick look at the text; the parsed document decides).
    pub(super) fn declares_v31_or_later(self, text: &str) -> bool {
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
        value.is_some_and(|value| {
            let version = value.trim_start_matches(['"', '\'']);
            version.starts_with("3.1") || version.starts_with("3.2")
        })
    }

    /// The value, or `None` when `text` is not a `T`; [`Format::parse`] tells why.
    pub(super) fn parse_untracked<T: for<'de> Deserialize<'de>>(self, text: &str) -> Option<T> {
        match self {
            Format::Json => serde_json::from_str(text).ok(),
            Format::Yaml => serde_yaml::from_str(text).ok(),
        }
    }

    /// A JSON document cut, without being read into the model, into documents of about
    /// equal size: one of everything but `components`, then the components' entries in order.
    /// Most of `load`'s time on a large description is `openapiv3`'s reading of schemas, which
    /// [`Sections::read`] does on every core. `None` for YAML, or JSON without components or
    /// that does not parse (the caller then reads it whole).
    pub(super) fn sections(self, text: &str) -> Option<Sections> {
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
        let section_size = text.len() / (2 * cores) + 1;
        // The fields the model requires, around a section of the components.
        let document = |components: String| {
            format!(
                r#"{{"openapi":"3.0.0","info":{{"title":"","version":""}},"paths":{{}},"components":{components}}}"#
            )
        };
        let is_extension = |key: &str| key.starts_with("x-");
        // The section being filled, as its parts' texts; the components' extensions go with
        // the first.
        let mut filling: Vec<(&str, String)> = components
            .iter()
            .filter(|(key, _)| is_extension(key))
            .map(|(key, value)| (key.as_str(), value.get().to_owned()))
            .collect();
        let mut sections = Vec::new();
        let mut size = 0;
        for (kind, entries) in components.iter().filter(|(key, _)| !is_extension(key)) {
            let entries: Raw = serde_json::from_str(entries.get()).ok()?;
            let mut taken: Vec<(&str, &str)> = Vec::new();
            for (key, value) in &entries {
                taken.push((key, value.get()));
                size += value.get().len();
                if size >= section_size {
                    filling.push((kind, json_object(taken.drain(..))));
                    sections.push(document(json_object(filling.drain(..))));
                    size = 0;
                }
            }
            if !taken.is_empty() {
                filling.push((kind, json_object(taken)));
            }
        }
        if !filling.is_empty() {
            sections.push(document(json_object(filling)));
        }
        Some(Sections {
            rest,
            components: sections,
        })
    }

    pub(super) fn parse<T: for<'de> Deserialize<'de>>(
        self,
        text: &str,
        spec_name: &str,
    ) -> Result<T, Diagnostic> {
        match self {
            Format::Json => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                    let pointer = path_to_pointer(error.path());
                    let inner = error.into_inner();
                    let (line, column) = (inner.line(), inner.column());
                    let message = strip_position(&inner.to_string());
                    Diagnostic::new(spec_name, pointer, describe(&message)).with_line(line, column)
                })
            }
            Format::Yaml => {
                let deserializer = serde_yaml::Deserializer::from_str(text);
                serde_path_to_error::deserialize(deserializer).map_err(|error| {
                    let pointer = path_to_pointer(error.path());
                    let inner = error.into_inner();
                    let location = inner.location();
                    let message = strip_position(&inner.to_string());
                    let diagnostic = Diagnostic::new(spec_name, pointer, describe(&message));
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
pub(super) struct VersionFields {
    openapi: Option<serde_json::Value>,
    swagger: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    V30,
    V31,
    V32,
}

pub(super) fn check_version(
    fields: &VersionFields,
    spec_name: &str,
) -> Result<Version, Diagnostic> {
    let as_text = |value: &serde_json::Value| match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(swagger) = &fields.swagger {
        return Err(Diagnostic::new(
            spec_name,
            "#/swagger",
            format!("Swagger {} documents are not supported", as_text(swagger)),
        )
        .with_hint("convert it to OpenAPI 3.0 first, e.g. with swagger2openapi"));
    }
    let Some(version) = &fields.openapi else {
        return Err(Diagnostic::new(
            spec_name,
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
    } else if version.starts_with("3.2") {
        Ok(Version::V32)
    } else {
        Err(Diagnostic::new(
            spec_name,
            "#/openapi",
            format!("unknown OpenAPI version `{version}`; 3.0.x, 3.1.x and 3.2.x are supported"),
        ))
    }
}
