//! Credentials: the description's `securitySchemes` the client can send, the builder methods
//! that take them, and what each operation requires (its own `security`, else the document's).

use super::names::snake_ident;
use crate::diagnostic::{pointer_join, Diagnostic};
use crate::ir::{
    BearerSource, ParameterLocation, SchemeId, SchemeKind, SecurityRequirement, SecurityScheme,
};
use crate::reserved::{first_free, Numbering, Reserved};
use heck::ToShoutySnakeCase;
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr};

/// The schemes the client can send, in document order; the others are left out with a
/// warning. `taken_methods` are the builder methods the servers already took.
pub(super) fn schemes(
    spec: &OpenAPI,
    spec_name: &str,
    reserved: &Reserved,
    taken_methods: &[String],
) -> (Vec<SecurityScheme>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut diagnostics = Vec::new();
    let Some(components) = &spec.components else {
        return (found, diagnostics);
    };
    let mut methods: Vec<String> = taken_methods.to_vec();
    let mut consts: Vec<String> = Vec::new();
    for (name, scheme) in &components.security_schemes {
        let pointer = pointer_join("#/components/securitySchemes", &[name]);
        let scheme = match scheme {
            ReferenceOr::Item(scheme) => scheme,
            ReferenceOr::Reference { reference } => {
                let target = reference
                    .strip_prefix("#/components/securitySchemes/")
                    .and_then(|key| components.security_schemes.get(key));
                match target {
                    Some(ReferenceOr::Item(scheme)) => scheme,
                    _ => {
                        diagnostics.push(Diagnostic::warning(
                            spec_name,
                            &pointer,
                            format!("security scheme `{name}` refers to `{reference}`, which is no scheme; operations that need it are sent without it"),
                        ));
                        continue;
                    }
                }
            }
        };
        let (kind, description) = match scheme {
            openapiv3::SecurityScheme::APIKey {
                location,
                name: key,
                description,
                ..
            } => {
                let location = match location {
                    APIKeyLocation::Header => ParameterLocation::Header,
                    APIKeyLocation::Query => ParameterLocation::Query,
                    APIKeyLocation::Cookie => ParameterLocation::Cookie,
                };
                let valid = !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b));
                if !valid && location != ParameterLocation::Query {
                    diagnostics.push(Diagnostic::warning(
                        spec_name,
                        pointer_join(&pointer, &["name"]),
                        format!("API key name `{key}` cannot be a header or cookie name; operations that need `{name}` are sent without it"),
                    ));
                    continue;
                }
                let kind = SchemeKind::ApiKey {
                    location,
                    name: key.clone(),
                };
                (kind, description)
            }
            openapiv3::SecurityScheme::HTTP {
                scheme: http,
                bearer_format,
                description,
                ..
            } => match http.to_ascii_lowercase().as_str() {
                "basic" => (SchemeKind::Basic, description),
                "bearer" => {
                    let source = BearerSource::Http {
                        format: bearer_format.clone(),
                    };
                    (SchemeKind::Bearer { source }, description)
                }
                other => {
                    diagnostics.push(
                        Diagnostic::warning(
                            spec_name,
                            pointer_join(&pointer, &["scheme"]),
                            format!("HTTP authentication scheme `{other}` is not supported; operations that need `{name}` are sent without it"),
                        )
                        .with_hint("add its `Authorization` header with a `RequestHook`, and call `ClientBuilder::credentials_from_hooks`"),
                    );
                    continue;
                }
            },
            openapiv3::SecurityScheme::OAuth2 {
                flows, description, ..
            } => match &flows.client_credentials {
                Some(flow) => {
                    let kind = SchemeKind::ClientCredentials {
                        token_url: flow.token_url.clone(),
                        scopes: flow
                            .scopes
                            .iter()
                            .map(|(scope, text)| (scope.clone(), text.clone()))
                            .collect(),
                    };
                    (kind, description)
                }
                None => {
                    let mut names = Vec::new();
                    if flows.authorization_code.is_some() {
                        names.push("authorization code".to_owned());
                    }
                    if flows.implicit.is_some() {
                        names.push("implicit".to_owned());
                    }
                    if flows.password.is_some() {
                        names.push("password".to_owned());
                    }
                    let source = BearerSource::OAuth2 { flows: names };
                    (SchemeKind::Bearer { source }, description)
                }
            },
            openapiv3::SecurityScheme::OpenIDConnect {
                open_id_connect_url,
                description,
                ..
            } => {
                let source = BearerSource::OpenIdConnect {
                    url: open_id_connect_url.clone(),
                };
                (SchemeKind::Bearer { source }, description)
            }
        };
        let free_method = |wanted: &str, methods: &[String]| {
            first_free(wanted, Numbering::SNAKE, |taken| {
                methods.iter().any(|m| m == taken) || reserved.builder_methods.contains(taken)
            })
        };
        let builder_method = free_method(&snake_ident(name), &methods);
        methods.push(builder_method.clone());
        let companion = match &kind {
            SchemeKind::Bearer { .. } => Some("provider"),
            SchemeKind::ClientCredentials { .. } => Some("token_url"),
            _ => None,
        };
        let companion_method = companion.map(|suffix| {
            let bare = builder_method.strip_prefix("r#").unwrap_or(&builder_method);
            let method = free_method(&format!("{bare}_{suffix}"), &methods);
            methods.push(method.clone());
            method
        });
        let mut const_base = name.to_shouty_snake_case();
        const_base.retain(|c| c.is_ascii_alphanumeric() || c == '_');
        if !const_base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            const_base.insert_str(0, "SCHEME_");
        }
        let const_name = first_free(&const_base, Numbering::SNAKE, |taken| {
            consts.iter().any(|c| c == taken)
        });
        consts.push(const_name.clone());
        found.push(SecurityScheme {
            name: name.clone(),
            const_name,
            builder_method,
            companion_method,
            kind,
            description: description.clone(),
            pointer,
        });
    }
    (found, diagnostics)
}

/// What an operation requires: its own `security` (`security: []` needs nothing), else the
/// document's. `None` when the client sends no schemes (the document declares none it can).
/// An alternative that names a scheme the client cannot send is left out with a warning.
pub(super) fn requirements(
    spec: &OpenAPI,
    operation: &openapiv3::Operation,
    schemes: &[SecurityScheme],
    spec_name: &str,
    pointer: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<SecurityRequirement>> {
    if schemes.is_empty() {
        return None;
    }
    let (declared, at) = match (&operation.security, &spec.security) {
        (Some(own), _) => (own, pointer_join(pointer, &["security"])),
        (None, Some(document)) => (document, "#/security".to_owned()),
        (None, None) => return Some(Vec::new()),
    };
    let mut lowered = Vec::new();
    for (i, requirement) in declared.iter().enumerate() {
        let mut schemes_of = Vec::new();
        for (name, scopes) in requirement {
            match schemes.iter().position(|s| s.name == *name) {
                Some(index) => schemes_of.push((SchemeId(index), scopes.clone())),
                None => {
                    let declared_at_all = spec
                        .components
                        .as_ref()
                        .is_some_and(|c| c.security_schemes.contains_key(name));
                    let warning = Diagnostic::warning(
                        spec_name,
                        pointer_join(&at, &[&i.to_string()]),
                        format!("security requirement names `{name}`, which `components.securitySchemes` does not declare; this way of authenticating is left out"),
                    );
                    // The document's requirements are every operation's: said once.
                    if !declared_at_all && !diagnostics.contains(&warning) {
                        diagnostics.push(warning);
                    }
                    schemes_of.clear();
                    break;
                }
            }
        }
        // A requirement that named an unsendable scheme is dropped, unless it was empty.
        if !schemes_of.is_empty() || requirement.is_empty() {
            lowered.push(SecurityRequirement(schemes_of));
        }
    }
    Some(lowered)
}
