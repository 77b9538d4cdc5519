//! Responses by status, and the success an operation method returns: one type, or an enum
//! of the described successes.

use super::bodies::pick_content;
use super::{Found, Lowerer};
use crate::diagnostic::pointer_join;
use crate::ir::{Encoding, Response, ResponseBody, Status, Success, SuccessVariant, TypeRef};
use crate::lower::names::pascal_ident;
use crate::lower::refs::{self, Target};
use openapiv3::StatusCode;

impl<'a> Lowerer<'a> {
    pub(super) fn responses(
        &mut self,
        found: &Found<'a>,
        type_prefix: &str,
    ) -> (Vec<Response>, Success) {
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
                match refs::follow(self.spec_name, "responses", components, response, &pointer) {
                    Target::Found { item, pointer, .. } => (item, pointer),
                    Target::Broken(diagnostic) => {
                        self.broken(diagnostic);
                        continue;
                    }
                };
            // RFC 9110, 15.3.5 and 15.4.5: a 204 or a 304 has no content, whatever the
            // description lists for it; decoding one would fail on the empty body.
            let without_content = matches!(status, Status::Code(204 | 304));
            if without_content && !response.content.is_empty() {
                self.warning(
                    &pointer,
                    format!("a {status} response has no content; the `content` described for it is ignored"),
                );
            }
            let content = (!without_content).then_some(&response.content);
            let body = content
                .and_then(|content| pick_content(content, false))
                .map(|(media_type, content, encoding)| {
                    let name = if status.is_success() {
                        format!("{type_prefix}Response")
                    } else {
                        format!("{type_prefix}Error{}", pascal_ident(&status.to_string()))
                    };
                    let schema_pointer = pointer_join(&pointer, &["content", media_type, "schema"]);
                    // An error's body is read whole, whatever its media type.
                    let encoding = match encoding {
                        Encoding::EventStream if !status.is_success() => Encoding::Text,
                        encoding if encoding.is_sequential() && !status.is_success() => {
                            Encoding::Binary
                        }
                        encoding => encoding,
                    };
                    // A sequential media type's schema is each item's (in 3.2 its
                    // `itemSchema`, which `load` puts there): the data of an event, a line.
                    let ty = match (encoding, &content.schema) {
                        (Encoding::Text, _) | (Encoding::EventStream, None) => TypeRef::String,
                        (Encoding::Json, Some(schema)) => self
                            .schemas
                            .lower(schema, &schema_pointer, &[name])
                            .with_null(),
                        (
                            Encoding::EventStream | Encoding::JsonLines | Encoding::JsonSeq,
                            Some(schema),
                        ) => self
                            .schemas
                            .lower(schema, &schema_pointer, &[format!("{name}Item")])
                            .with_null(),
                        (Encoding::Json | Encoding::JsonLines | Encoding::JsonSeq, None) => {
                            TypeRef::Json
                        }
                        _ => TypeRef::Bytes,
                    };
                    let encoding = match encoding {
                        Encoding::Form | Encoding::Multipart => Encoding::Binary,
                        encoding => encoding,
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
        self.streams_only_alone(&mut lowered, &base);
        let success = self.success(&lowered, type_prefix);
        (lowered, success)
    }

    /// A call answers with a stream only when every success does: a method returns one
    /// type. Where successes differ, a stream among them is read whole like any other
    /// body (events as text, lines as bytes), with a warning.
    fn streams_only_alone(&mut self, responses: &mut [Response], base: &str) {
        if !successes_differ(responses) {
            return;
        }
        for response in responses.iter_mut() {
            let Some(body) = response
                .body
                .as_mut()
                .filter(|b| b.encoding.is_sequential())
            else {
                continue;
            };
            (body.encoding, body.ty) = match body.encoding {
                Encoding::EventStream => (Encoding::Text, TypeRef::String),
                _ => (Encoding::Binary, TypeRef::Bytes),
            };
            let pointer = pointer_join(base, &[&response.status.to_string()]);
            self.warning(
                &pointer,
                format!(
                    "`{}` is read whole, not as a stream: the operation's other successes \
                     answer differently",
                    body.media_type
                ),
            )
            .hint = Some(
                "a stream is returned as one when every success status answers with it".to_owned(),
            );
        }
    }

    /// One success type, or a per-operation enum when the success statuses differ in body.
    fn success(&mut self, responses: &[Response], type_prefix: &str) -> Success {
        let successes: Vec<&Response> =
            responses.iter().filter(|r| r.status.is_success()).collect();
        if !successes_differ(responses) {
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

/// Whether the success statuses answer with bodies of different types (or some without), or
/// some with a stream of items and others with one value.
fn successes_differ(responses: &[Response]) -> bool {
    let bodies: Vec<Option<(&TypeRef, bool)>> = responses
        .iter()
        .filter(|r| r.status.is_success())
        .map(|r| r.body.as_ref().map(|b| (&b.ty, b.encoding.is_sequential())))
        .collect();
    bodies.windows(2).any(|pair| pair[0] != pair[1])
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
