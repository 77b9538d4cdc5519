//! `$ref`s to any place in the document, made references to components.
//!
//! A JSON pointer may point anywhere in the document (`#/paths/~1pets/get/responses/200`,
//! `#/components/schemas/pet/properties/owner`), but `openapiv3` and `lower` follow
//! references among components only. This pass, over the untyped document, moves each such
//! target into the components of its kind under a name made from where it stood, puts a
//! reference in its place, and points every reference to it there: each is then one
//! component, lowered once. A path item referring to another is given a copy of it. The
//! pointer map leads the new components back to where the user wrote them.

use crate::diagnostic::{escape_pointer_token, Diagnostic};
use crate::locate::PointerMap;
use crate::reserved::{first_free, Numbering};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};

/// Whether `text` has a local `$ref` to something other than a component: a cheap scan, so
/// that documents without one are read as fast as before. (A reference to an anchor, `#a`,
/// is not a JSON pointer; a 3.1 document's are followed by its rewrite.)
pub fn needs_rewrite(text: &str) -> bool {
    text.match_indices("$ref").any(|(at, _)| {
        let rest = text[at + 4..].trim_start_matches(['"', '\'']).trim_start();
        let Some(value) = rest.strip_prefix(':') else {
            return false;
        };
        let value = value.trim_start().trim_start_matches(['"', '\'']);
        let end = value
            .find(['"', '\'', '\n', '\r', ',', '}'])
            .unwrap_or(value.len());
        let reference = value[..end].trim();
        reference.starts_with("#/") && component(reference).is_none()
    })
}

/// The kind and name of a reference to a component (`#/components/schemas/pet`).
fn component(reference: &str) -> Option<(&str, &str)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (kind, name) = rest.split_once('/')?;
    (!name.is_empty() && !name.contains('/')).then_some((kind, name))
}

/// Rewrites `document` as described above; what cannot be followed (a pointer to nothing)
/// is an error with the place of the reference.
pub fn rewrite(document: &mut Value, origin: &mut PointerMap, spec_name: &str) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    // Every local reference that is not to a component, by where it stands; and each
    // target, as the pointer to where it is written.
    let references = local_references(document);
    let mut targets: BTreeMap<String, String> = BTreeMap::new();
    for (at, reference) in &references {
        match resolve(document, reference) {
            Some(target) => {
                targets.insert(reference.clone(), target);
            }
            None => diagnostics.push(
                Diagnostic::new(
                    spec_name,
                    format!("{at}/$ref"),
                    format!("`$ref` to `{reference}`, which does not exist"),
                )
                .with_hint(
                    "a reference is a JSON pointer into this document; check each step of it",
                ),
            ),
        }
    }
    if !diagnostics.is_empty() {
        return diagnostics;
    }
    // Deepest first: a target inside another is moved out before its container is.
    let mut by_depth: Vec<&String> = targets.values().collect();
    by_depth.sort_by(|a, b| {
        b.matches('/')
            .count()
            .cmp(&a.matches('/').count())
            .then(a.cmp(b))
    });
    by_depth.dedup();
    let mut moved: BTreeMap<String, String> = BTreeMap::new();
    let mut path_items: Vec<(String, String)> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    for target in by_depth {
        let referrers: Vec<(&str, &str)> = references
            .iter()
            .filter(|(_, reference)| targets.get(reference) == Some(target))
            .map(|(at, reference)| (at.as_str(), reference.as_str()))
            .collect();
        let Some(&(first, _)) = referrers.first() else {
            continue;
        };
        let kind = kind_of(first).unwrap_or("schemas");
        let mismatched = referrers.iter().find(|(at, _)| {
            kind_of(at).unwrap_or("schemas") != kind
                || kind_of(target).is_some_and(|own| own != kind)
        });
        if let Some((at, reference)) = mismatched {
            let own = kind_of(target).unwrap_or("schemas");
            diagnostics.push(
                Diagnostic::new(
                    spec_name,
                    format!("{at}/$ref"),
                    format!("`$ref` to `{reference}`, which is one of the `{own}`, where one of the `{}` belongs", kind_of(at).unwrap_or("schemas")),
                )
                .with_hint("refer to a definition of the kind this place needs"),
            );
            continue;
        }
        if kind == "pathItems" {
            let referrers = referrers.iter().map(|(at, _)| *at);
            path_items.extend(referrers.map(|at| (at.to_owned(), target.clone())));
            continue;
        }
        let name = component_name(target, |candidate| {
            taken.contains(candidate)
                || document
                    .pointer(&format!(
                        "/components/{kind}/{}",
                        escape_pointer_token(candidate)
                    ))
                    .is_some()
        });
        taken.insert(name.clone());
        let new_reference = format!("#/components/{kind}/{}", escape_pointer_token(&name));
        let Some(place) = document.pointer_mut(target.trim_start_matches('#')) else {
            continue;
        };
        let value = std::mem::replace(place, reference_to(&new_reference));
        let components = document
            .as_object_mut()
            .expect("a document is an object")
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(section) = components
            .as_object_mut()
            .map(|c| c.entry(kind).or_insert_with(|| Value::Object(Map::new())))
            .and_then(Value::as_object_mut)
        {
            section.insert(name, value);
        }
        origin.record(new_reference.clone(), target.clone());
        moved.insert(target.clone(), new_reference);
    }
    // A path item referring to another gets a copy of it (references inside included).
    for (at, target) in path_items {
        let copy = document.pointer(target.trim_start_matches('#')).cloned();
        if let (Some(copy), Some(place)) = (copy, document.pointer_mut(at.trim_start_matches('#')))
        {
            *place = copy;
            origin.record(at, target);
        }
    }
    // Every reference, wherever it now stands, to where its target went.
    let mut stack: Vec<&mut Value> = vec![document];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(members) => {
                if let Some(Value::String(reference)) = members.get_mut("$ref") {
                    if let Some(new_reference) =
                        targets.get(reference.as_str()).and_then(|t| moved.get(t))
                    {
                        *reference = new_reference.clone();
                    }
                }
                stack.extend(members.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
    diagnostics
}

/// Where each local reference that is not to a component stands, and what it says.
fn local_references(document: &Value) -> Vec<(String, String)> {
    let mut references = Vec::new();
    let mut stack: Vec<(String, &Value)> = vec![("#".to_owned(), document)];
    while let Some((at, value)) = stack.pop() {
        match value {
            Value::Object(members) => {
                if let Some(Value::String(reference)) = members.get("$ref") {
                    if reference.starts_with("#/") && component(reference).is_none() {
                        references.push((at.clone(), reference.clone()));
                    }
                }
                for (key, child) in members {
                    stack.push((format!("{at}/{}", escape_pointer_token(key)), child));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    stack.push((format!("{at}/{i}"), child));
                }
            }
            _ => {}
        }
    }
    references.sort();
    references
}

/// The pointer to where `reference` leads, as written in the document: the fragment
/// percent-decoded (it is part of a URI), and any `$ref` on the way followed (tools that
/// write such references resolve them so), at most a few, so that cycles end.
fn resolve(document: &Value, reference: &str) -> Option<String> {
    /// The tokens of a pointer, last first, to pop in order.
    fn tokens(reference: &str) -> Option<Vec<String>> {
        let fragment = percent_decode(reference.strip_prefix("#/")?);
        let mut tokens: Vec<String> = fragment
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        tokens.reverse();
        Some(tokens)
    }
    let mut pending = tokens(reference)?;
    let mut at = String::from("#");
    let mut node = document;
    let mut followed = 0;
    while let Some(token) = pending.pop() {
        let child = match node {
            Value::Object(members) => members.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        if let Some(child) = child {
            at.push('/');
            at.push_str(&escape_pointer_token(&token));
            node = child;
            continue;
        }
        // Not here: through the `$ref` that stands here, from the document's root.
        let inner = node.get("$ref").and_then(Value::as_str)?;
        followed += 1;
        if followed > 8 {
            return None;
        }
        pending.push(token);
        pending.extend(tokens(inner)?);
        at = String::from("#");
        node = document;
    }
    Some(at)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reference_to(reference: &str) -> Value {
    let mut members = Map::new();
    members.insert("$ref".to_owned(), Value::String(reference.to_owned()));
    Value::Object(members)
}

/// Which kind of component the place at `pointer` holds (a place under `parameters` holds a
/// parameter), when its place says; `None` for a schema's places and any other.
fn kind_of(pointer: &str) -> Option<&'static str> {
    let tokens: Vec<&str> = pointer.split('/').collect();
    let parent = tokens.iter().rev().nth(1).copied().unwrap_or_default();
    let own = tokens.last().copied().unwrap_or_default();
    // Under `properties`, any name is a property's: `parameters` there is a schema.
    let grandparent = tokens.iter().rev().nth(2).copied().unwrap_or_default();
    if grandparent == "properties" || parent == "properties" {
        return None;
    }
    Some(match (parent, own) {
        ("paths", _) => "pathItems",
        ("parameters", _) => "parameters",
        ("responses", _) => "responses",
        (_, "requestBody") => "requestBodies",
        ("requestBodies", _) => "requestBodies",
        ("headers", _) => "headers",
        ("examples", _) => "examples",
        ("links", _) => "links",
        ("callbacks", _) => "callbacks",
        _ => return None,
    })
}

/// A component name from where a target stood: its meaningful steps
/// (`#/paths/~1pets/get/responses/200/content/application~1json/schema` ->
/// `pets-get-200`), numbered when taken.
fn component_name(target: &str, taken: impl Fn(&str) -> bool) -> String {
    const STRUCTURE: &[&str] = &[
        "paths",
        "components",
        "schemas",
        "properties",
        "items",
        "content",
        "schema",
        "responses",
        "parameters",
        "requestBody",
        "requestBodies",
        "allOf",
        "oneOf",
        "anyOf",
        "additionalProperties",
        "headers",
        "$defs",
        "definitions",
    ];
    let words: Vec<String> = target
        .trim_start_matches('#')
        .split('/')
        .filter(|token| !token.is_empty() && !STRUCTURE.contains(token))
        .map(|token| token.replace("~1", "/").replace("~0", "~"))
        .filter(|token| !token.contains('/') || token.starts_with('/'))
        .flat_map(|token| {
            token
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let base = if words.is_empty() {
        "referenced".to_owned()
    } else {
        words.join("-")
    };
    first_free(&base, Numbering::KEBAB, taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_local_references_to_other_places_need_a_rewrite() {
        assert!(!needs_rewrite(r##"{"$ref": "#/components/schemas/pet"}"##));
        assert!(!needs_rewrite(
            "schema:\n  $ref: '#/components/schemas/pet'\n"
        ));
        assert!(!needs_rewrite("$ref: 'other.yaml#/components/schemas/pet'"));
        assert!(needs_rewrite(
            r##"{"$ref": "#/components/schemas/pet/properties/owner"}"##
        ));
        assert!(needs_rewrite(
            "schema:\n  $ref: \"#/paths/~1pets/get/responses/200\"\n"
        ));
    }

    #[test]
    fn targets_become_components_that_every_reference_shares() {
        let mut document = json!({
            "paths": {
                "/pets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {"owner": {"type": "string"}}}}}}}}},
                "/more": {"get": {"responses": {
                    "200": {"$ref": "#/paths/~1pets/get/responses/200"},
                    "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/paths/~1pets/get/responses/200/content/application~1json/schema/properties/owner"}}}}
                }}},
                "/copy": {"$ref": "#/paths/~1pets"}
            }
        });
        let mut origin = PointerMap::default();
        let diagnostics = rewrite(&mut document, &mut origin, "a.json");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            document["components"]["schemas"]["pets-get-200-owner"],
            json!({"type": "string"})
        );
        assert_eq!(
            document["components"]["responses"]["pets-get-200"]["content"]["application/json"]
                ["schema"]["properties"]["owner"],
            json!({"$ref": "#/components/schemas/pets-get-200-owner"})
        );
        assert_eq!(
            document["paths"]["/more"]["get"]["responses"]["200"],
            json!({"$ref": "#/components/responses/pets-get-200"})
        );
        assert_eq!(
            document["paths"]["/pets"]["get"]["responses"]["200"],
            json!({"$ref": "#/components/responses/pets-get-200"})
        );
        assert_eq!(
            document["paths"]["/copy"]["get"]["responses"]["200"],
            json!({"$ref": "#/components/responses/pets-get-200"})
        );
        assert_eq!(
            origin.original("#/components/responses/pets-get-200/description"),
            "#/paths/~1pets/get/responses/200/description"
        );
    }

    #[test]
    fn pointers_are_percent_decoded_and_follow_references_on_the_way() {
        let mut document = json!({
            "paths": {"/a/{id}": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/pet"}}}}}}}},
            "components": {"schemas": {
                "pet": {"type": "object", "properties": {"name": {"type": "string"}}},
                "uses": {"type": "object", "properties": {
                    "name": {"$ref": "#/paths/~1a~1%7Bid%7D/get/responses/200/content/application~1json/schema/properties/name"}
                }}
            }}
        });
        let mut origin = PointerMap::default();
        let diagnostics = rewrite(&mut document, &mut origin, "a.json");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(
            document["components"]["schemas"]["uses"]["properties"]["name"],
            json!({"$ref": "#/components/schemas/pet-name"})
        );
        assert_eq!(
            document["components"]["schemas"]["pet"]["properties"]["name"],
            json!({"$ref": "#/components/schemas/pet-name"})
        );
    }

    #[test]
    fn a_schema_referring_to_a_parameter_is_an_error() {
        let mut document = json!({"paths": {"/a": {"get": {
            "parameters": [{"name": "p", "in": "query", "schema": {"type": "array", "items": {"$ref": "#/paths/~1a/get/parameters/1"}}}, {"name": "q", "in": "query"}],
            "responses": {}
        }}}});
        let diagnostics = rewrite(&mut document, &mut PointerMap::default(), "a.json");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(
            diagnostics[0]
                .message
                .contains("which is one of the `parameters`, where one of the `schemas` belongs"),
            "{:?}",
            diagnostics[0]
        );
    }

    #[test]
    fn a_pointer_to_nothing_is_an_error_at_the_reference() {
        let mut document = json!({"paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/paths/~1b/get/responses/200"}}}}}});
        let diagnostics = rewrite(&mut document, &mut PointerMap::default(), "a.json");
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].pointer, "#/paths/~1a/get/responses/200/$ref");
        assert!(
            diagnostics[0].message.contains("does not exist"),
            "{:?}",
            diagnostics[0]
        );
    }
}
