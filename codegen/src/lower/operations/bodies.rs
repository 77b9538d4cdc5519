//! Request bodies: JSON, form, multipart (with its parts), text and binary.

use super::Lowerer;
use crate::diagnostic::pointer_join;
use crate::ir::{Encoding, Part, PartContent, RequestBody, TypeRef};
use crate::lower::names::{pascal_ident, snake_ident};
use crate::lower::refs::{self, Target};
use crate::lower::schema::View;
use crate::reserved::{first_free, Numbering};
use openapiv3::{MediaType, ReferenceOr, Schema};

impl<'a> Lowerer<'a> {
    pub(super) fn request_body(
        &mut self,
        body: &'a ReferenceOr<openapiv3::RequestBody>,
        operation_pointer: &str,
        type_prefix: &str,
    ) -> Option<RequestBody> {
        let pointer = pointer_join(operation_pointer, &["requestBody"]);
        let components = self.spec.components.as_ref().map(|c| &c.request_bodies);
        let (body, pointer) =
            match refs::follow(self.spec_name, "requestBodies", components, body, &pointer) {
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
            // `encoding_of`, which reads request bodies, never gives the sequential ones.
            Encoding::Binary | Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq => {
                TypeRef::Bytes
            }
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
        match refs::follow(self.spec_name, "schemas", components, schema, pointer) {
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
}

/// A media type without its parameters, lowercased (`Application/JSON; charset=utf-8` ->
/// `application/json`).
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// How a media type is written or read.
pub(super) fn encoding_of(media_type: &str) -> Encoding {
    let essence = essence(media_type);
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

/// How a response's media type is read: as [`encoding_of`] says, but the sequential media
/// types (server-sent events, JSON Lines, JSON text sequences) as streams of items.
pub(super) fn response_encoding_of(media_type: &str) -> Encoding {
    match essence(media_type).as_str() {
        "text/event-stream" => Encoding::EventStream,
        "application/jsonl" | "application/x-ndjson" | "application/x-jsonlines" => {
            Encoding::JsonLines
        }
        "application/json-seq" => Encoding::JsonSeq,
        _ => encoding_of(media_type),
    }
}

/// The representation to use among a body's media types: JSON if there is one, else form,
/// multipart (requests only), a stream of items (responses only), text or binary.
pub(super) fn pick_content(
    content: &indexmap::IndexMap<String, MediaType>,
    request: bool,
) -> Option<(&str, &MediaType, Encoding)> {
    let read = if request {
        encoding_of
    } else {
        response_encoding_of
    };
    let candidates: Vec<(&str, &MediaType, Encoding)> = content
        .iter()
        .map(|(media_type, body)| (media_type.as_str(), body, read(media_type)))
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
            Encoding::EventStream,
            Encoding::JsonLines,
            Encoding::JsonSeq,
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
