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
                    let ty = match (encoding, &content.schema) {
                        (Encoding::Text, _) => TypeRef::String,
                        (Encoding::Json, Some(schema)) => self
                            .schemas
                            .lower(schema, &schema_pointer, &[name])
                            .with_null(),
                        (Encoding::Json, None) => TypeRef::Json,
                        _ => TypeRef::Bytes,
                    };
                    let encoding = match encoding {
                        Encoding::Json | Encoding::Text => encoding,
                        _ => Encoding::Binary,
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
        let success = self.success(&lowered, type_prefix);
        (lowered, success)
    }

    /// One success type, or a per-operation enum when the success statuses differ in body.
    fn success(&mut self, responses: &[Response], type_prefix: &str) -> Success {
        let successes: Vec<&Response> =
            responses.iter().filter(|r| r.status.is_success()).collect();
        let bodies: Vec<Option<&TypeRef>> = successes
            .iter()
            .map(|r| r.body.as_ref().map(|b| &b.ty))
            .collect();
        if bodies.windows(2).all(|pair| pair[0] == pair[1]) {
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
