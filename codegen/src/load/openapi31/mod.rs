//! OpenAPI 3.1 -> the 3.0 shape that `openapiv3` reads, as a pass over the untyped document.
//!
//! The generator keeps one input model (`openapiv3`, 3.0 only), so a 3.1 document is
//! rewritten before it is read: `type` arrays become `nullable` or `oneOf`, `const` a
//! one-value `enum`, `examples` `example`, numeric exclusive bounds boolean ones,
//! `contentEncoding`/`contentMediaType` a `format`, an `anyOf`/`oneOf` branch that is only
//! `null` becomes `nullable`, a `$ref` with siblings an `allOf`, `$defs` component schemas,
//! and path items given by `$ref` (to `components/pathItems`) are written out in place.
//! What 3.0 cannot say at all (`prefixItems`, `if`/`then`/`else`, `dependentSchemas`,
//! `patternProperties`, `$dynamicRef`, typed `unevaluatedProperties`) is dropped with a
//! warning, and only ever towards a wider type: dropping a keyword that adds conditions
//! admits more values, never fewer, so what the API sends still decodes.
//!
//! Webhooks and callbacks are dropped: they describe requests the API sends, which a
//! client does not make (and `lower` never reads them).
//!
//! Every move is recorded in a [`PointerMap`], so a diagnostic about the rewritten
//! document (`.../allOf/0`) points at what the user wrote (the `$ref` beside its
//! siblings). The walk keeps its own stack: a document may nest schemas as deep as it
//! likes without exhausting the thread's.

mod schema;
#[cfg(test)]
mod tests;

use crate::diagnostic::{escape_pointer_token, Diagnostic};
use crate::locate::PointerMap;
use crate::reserved::{first_free, Numbering};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A 3.1 document rewritten for `openapiv3`.
#[derive(Debug)]
pub struct Normalised {
    pub document: Value,
    /// Leads pointers into `document` back to the document as written.
    pub origin: PointerMap,
    /// Warnings for what was read in a wider sense than written, errors for what could
    /// not be read; pointers are into the document as written.
    pub diagnostics: Vec<Diagnostic>,
}

/// Rewrites the 3.1 `document` (from the spec named `spec_name` in diagnostics).
pub fn normalise(document: Value, spec_name: &str) -> Normalised {
    let mut sink = Sink {
        spec_name,
        origin: PointerMap::default(),
        diagnostics: Vec::new(),
        hoisted: Vec::new(),
        taken: document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(Map::keys)
            .cloned()
            .collect(),
        anchors: Vec::new(),
        ref_rewrites: Vec::new(),
    };
    let mut document = walk(document, Task::new("#", "#", Kind::Document), &mut sink);
    // `$defs` become components, which may hold more of them. (References into other
    // places were made references to components before this rewrite, by `local_refs`.)
    while !sink.hoisted.is_empty() {
        for Hoisted {
            name,
            value,
            origin,
        } in std::mem::take(&mut sink.hoisted)
        {
            let at = format!("#/components/schemas/{}", escape_pointer_token(&name));
            sink.origin.record(at.clone(), origin.clone());
            let kind = Kind::Schema(schema::Place::Component);
            let value = walk(value, Task::new(&at, &origin, kind), &mut sink);
            if let Some(entries) = components_section(&mut document, "schemas") {
                entries.insert(name, value);
            }
        }
    }
    rewrite_refs(&mut document, &sink.ref_rewrites, &sink.anchors);
    Normalised {
        document,
        origin: sink.origin,
        diagnostics: sink.diagnostics,
    }
}

/// What a place in the document holds, which decides what is rewritten in it and where its
/// children are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Document,
    Components,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Response,
    MediaType,
    Schema(schema::Place),
}

/// One place to rewrite.
#[derive(Debug, Clone)]
struct Task {
    /// Where it stands in the rewritten document.
    at: String,
    /// Where it stands in the document as written.
    origin: String,
    /// Parts of it brought in from elsewhere: pointers relative to `at` -> their origin.
    moved: PointerMap,
    kind: Kind,
}

impl Task {
    fn new(at: &str, origin: &str, kind: Kind) -> Task {
        Task {
            at: at.to_owned(),
            origin: origin.to_owned(),
            moved: PointerMap::default(),
            kind,
        }
    }

    /// Where `relative` (`/properties/a`, below this place) stands in the document as written.
    fn origin_of(&self, relative: &str) -> String {
        self.moved
            .get(relative)
            .unwrap_or_else(|| format!("{}{relative}", self.origin))
    }

    /// Records that what now stands at `relative` came from `origin`.
    fn moved_from(&mut self, relative: &str, origin: String, sink: &mut Sink) {
        sink.origin
            .record(format!("{}{relative}", self.at), origin.clone());
        self.moved.record(relative, origin);
    }

    fn child(&self, tokens: &[&str], kind: Kind) -> Child {
        let relative: String = tokens
            .iter()
            .map(|t| format!("/{}", escape_pointer_token(t)))
            .collect();
        Child {
            slot: tokens.iter().map(|t| (*t).to_owned()).collect(),
            task: Task {
                at: format!("{}{relative}", self.at),
                origin: self.origin_of(&relative),
                moved: self.moved.below(&relative),
                kind,
            },
        }
    }
}

/// A child to rewrite: where it stands inside its parent, and what it is.
struct Child {
    slot: Vec<String>,
    task: Task,
}

/// What the walk collects besides the rewritten document.
struct Sink<'f> {
    spec_name: &'f str,
    origin: PointerMap,
    diagnostics: Vec<Diagnostic>,
    /// `$defs` entries on their way to `components/schemas`.
    hoisted: Vec<Hoisted>,
    /// Component schema names taken, so that hoisted ones get fresh names.
    taken: HashSet<String>,
    /// `$anchor` names and where their schema now stands.
    anchors: Vec<(String, String)>,
    /// `$ref` targets that moved: (as written, where it now is).
    ref_rewrites: Vec<(String, String)>,
}

impl Sink<'_> {
    /// Makes `value` (written at `origin`) a component schema with a fresh name after
    /// `base`, and has `$ref`s to `origin` follow it there.
    fn hoist(&mut self, base: &str, value: Value, origin: String) {
        let base: String = base
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let base = base
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let name = first_free(&base, Numbering::JOINED, |name| self.taken.contains(name));
        self.taken.insert(name.clone());
        self.ref_rewrites.push((
            origin.clone(),
            format!("#/components/schemas/{}", escape_pointer_token(&name)),
        ));
        self.hoisted.push(Hoisted {
            name,
            value,
            origin,
        });
    }

    fn warn(&mut self, pointer: String, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(self.spec_name, pointer, message));
    }

    fn error(&mut self, pointer: String, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics
            .push(Diagnostic::new(self.spec_name, pointer, message));
        self.diagnostics.last_mut().expect("just pushed")
    }
}

struct Hoisted {
    name: String,
    value: Value,
    origin: String,
}

/// Rewrites `value` and everything below it. Each place is rewritten before its children
/// (a rule may create or move children), which are taken out, rewritten in turn and put
/// back; the frames live on the heap.
fn walk(value: Value, task: Task, sink: &mut Sink) -> Value {
    enum Frame {
        Visit(Value, Task),
        Assemble(Value, Vec<Vec<String>>),
    }
    let mut frames = vec![Frame::Visit(value, task)];
    let mut finished: Vec<Value> = Vec::new();
    while let Some(frame) = frames.pop() {
        match frame {
            Frame::Visit(mut value, task) => {
                let children = visit(&mut value, task, sink);
                if children.is_empty() {
                    finished.push(value);
                    continue;
                }
                let mut slots = Vec::with_capacity(children.len());
                let mut visits = Vec::with_capacity(children.len());
                for Child { slot, task } in children {
                    if let Some(place) = slot_mut(&mut value, &slot) {
                        visits.push(Frame::Visit(place.take(), task));
                        slots.push(slot);
                    }
                }
                frames.push(Frame::Assemble(value, slots));
                frames.extend(visits.into_iter().rev());
            }
            Frame::Assemble(mut value, slots) => {
                let done = finished.split_off(finished.len() - slots.len());
                for (slot, child) in slots.iter().zip(done) {
                    if let Some(place) = slot_mut(&mut value, slot) {
                        *place = child;
                    }
                }
                finished.push(value);
            }
        }
    }
    finished.pop().unwrap_or_default()
}

fn slot_mut<'v>(value: &'v mut Value, slot: &[String]) -> Option<&'v mut Value> {
    slot.iter().try_fold(value, |value, token| match value {
        Value::Object(map) => map.get_mut(token),
        Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    })
}

/// `components/{section}`, made where missing.
fn components_section<'v>(
    document: &'v mut Value,
    section: &str,
) -> Option<&'v mut Map<String, Value>> {
    let mut value = document;
    for key in ["components", section] {
        value = value
            .as_object_mut()?
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
    }
    value.as_object_mut()
}

/// Rewrites one place; returns its children.
fn visit(value: &mut Value, task: Task, sink: &mut Sink) -> Vec<Child> {
    if let Kind::Schema(place) = task.kind {
        return schema::visit(value, task, place, sink);
    }
    let Value::Object(map) = value else {
        return Vec::new();
    };
    if map.contains_key("$ref") {
        // References to parameters, responses and the like: `lower` follows them, and
        // `openapiv3` ignores the `summary` and `description` 3.1 allows beside them.
        return Vec::new();
    }
    let mut task = task;
    let mut children = Vec::new();
    match task.kind {
        Kind::Document => {
            document(map, &mut task, sink);
            entries(map, "paths", Kind::PathItem, &task, &mut children);
            if map.get("components").is_some_and(Value::is_object) {
                children.push(task.child(&["components"], Kind::Components));
            }
        }
        Kind::Components => {
            for key in ["pathItems", "callbacks"] {
                map.remove(key);
            }
            drop_mutual_tls(map, &task, sink);
            entries(
                map,
                "schemas",
                Kind::Schema(schema::Place::Component),
                &task,
                &mut children,
            );
            entries(map, "parameters", Kind::Parameter, &task, &mut children);
            entries(map, "headers", Kind::Header, &task, &mut children);
            entries(map, "responses", Kind::Response, &task, &mut children);
            entries(
                map,
                "requestBodies",
                Kind::RequestBody,
                &task,
                &mut children,
            );
        }
        Kind::PathItem => {
            // 3.2's `query` and `additionalOperations` are operations too (`openapi32`).
            for method in METHODS.into_iter().chain(["query"]) {
                if map.get(method).is_some_and(Value::is_object) {
                    children.push(task.child(&[method], Kind::Operation));
                }
            }
            if let Some(Value::Object(additional)) = map.get("additionalOperations") {
                for method in additional.keys() {
                    let tokens = ["additionalOperations", method.as_str()];
                    children.push(task.child(&tokens, Kind::Operation));
                }
            }
            items(map, "parameters", Kind::Parameter, &task, &mut children);
        }
        Kind::Operation => {
            if map.remove("callbacks").is_some() {
                sink.warn(
                    task.origin_of("/callbacks"),
                    "callbacks are not part of the generated client: they describe requests \
                     the API sends, not ones a client makes",
                );
            }
            // 3.1 makes `responses` optional; 3.0 (and so `openapiv3`) requires it.
            map.entry("responses")
                .or_insert_with(|| Value::Object(Map::new()));
            items(map, "parameters", Kind::Parameter, &task, &mut children);
            if map.get("requestBody").is_some_and(Value::is_object) {
                children.push(task.child(&["requestBody"], Kind::RequestBody));
            }
            entries(map, "responses", Kind::Response, &task, &mut children);
        }
        Kind::Parameter | Kind::Header => {
            if map.contains_key("schema") {
                let place = schema::Place::Other;
                children.push(task.child(&["schema"], Kind::Schema(place)));
            }
            entries(map, "content", Kind::MediaType, &task, &mut children);
        }
        Kind::RequestBody => entries(map, "content", Kind::MediaType, &task, &mut children),
        Kind::Response => {
            entries(map, "headers", Kind::Header, &task, &mut children);
            entries(map, "content", Kind::MediaType, &task, &mut children);
        }
        Kind::MediaType => {
            if map.contains_key("schema") {
                let place = schema::Place::Other;
                children.push(task.child(&["schema"], Kind::Schema(place)));
            }
            if let Some(Value::Object(encodings)) = map.get("encoding") {
                for (name, encoding) in encodings {
                    if let Some(Value::Object(headers)) = encoding.get("headers") {
                        for header in headers.keys() {
                            let tokens = ["encoding", name, "headers", header];
                            children.push(task.child(&tokens, Kind::Header));
                        }
                    }
                }
            }
        }
        Kind::Schema(_) => unreachable!("schemas return above"),
    }
    children
}

/// The fields of a path item that are operations, by their method's name.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn entries(map: &Map<String, Value>, key: &str, kind: Kind, task: &Task, into: &mut Vec<Child>) {
    if let Some(Value::Object(entries)) = map.get(key) {
        for name in entries.keys() {
            into.push(task.child(&[key, name], kind));
        }
    }
}

fn items(map: &Map<String, Value>, key: &str, kind: Kind, task: &Task, into: &mut Vec<Child>) {
    if let Some(Value::Array(list)) = map.get(key) {
        for index in 0..list.len() {
            into.push(task.child(&[key, &index.to_string()], kind));
        }
    }
}

/// The document's own fields: version, `info`, `jsonSchemaDialect`, `webhooks`, and path
/// items given by `$ref`.
fn document(map: &mut Map<String, Value>, task: &mut Task, sink: &mut Sink) {
    map.insert("openapi".to_owned(), Value::String("3.0.3".to_owned()));
    if let Some(dialect) = map.remove("jsonSchemaDialect") {
        if !dialect.as_str().is_some_and(schema::is_known_dialect) {
            sink.warn(
                task.origin_of("/jsonSchemaDialect"),
                format!(
                    "schemas are read as JSON Schema 2020-12 with OpenAPI's vocabulary, not \
                     as the dialect {dialect}"
                ),
            );
        }
    }
    if let Some(Value::Object(info)) = map.get_mut("info") {
        // `openapiv3` has no `summary`; the crate documentation takes the description.
        if let Some(summary) = info.remove("summary") {
            info.entry("description").or_insert(summary);
        }
        if let Some(Value::Object(license)) = info.get_mut("license") {
            license.remove("identifier");
        }
    }
    if let Some(webhooks) = map.remove("webhooks") {
        if webhooks.as_object().is_some_and(|w| !w.is_empty()) {
            sink.warn(
                task.origin_of("/webhooks"),
                "webhooks are not part of the generated client: they describe requests the \
                 API sends, not ones a client makes",
            );
        }
    }
    // 3.1 makes `paths` optional (a document may hold only webhooks or components).
    let paths = map
        .entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(paths) = paths.as_object() else {
        return;
    };
    let referenced: Vec<String> = paths
        .iter()
        .filter(|(_, item)| item.get("$ref").is_some())
        .map(|(path, _)| path.clone())
        .collect();
    for path in referenced {
        inline_path_item(map, &path, task, sink);
    }
}

/// Replaces the path item at `paths/{path}`, a `$ref`, by a copy of what it refers to (with
/// the `summary` and `description` written beside the `$ref` taking precedence), so that
/// `lower` sees a plain path item.
fn inline_path_item(map: &mut Map<String, Value>, path: &str, task: &mut Task, sink: &mut Sink) {
    let relative = format!("/paths/{}", escape_pointer_token(path));
    let Some(Value::Object(written)) = map.get("paths").and_then(|p| p.get(path)).cloned() else {
        return;
    };
    let (target, mut item) = match resolve_path_item(map, &written) {
        Ok(found) => found,
        Err(message) => {
            sink.error(task.origin_of(&format!("{relative}/$ref")), message)
                .hint = Some("write the path item inline, or refer to one in the same document (`#/components/pathItems/...`)".to_owned());
            if let Some(Value::Object(paths)) = map.get_mut("paths") {
                paths.remove(path);
            }
            return;
        }
    };
    for key in item.keys() {
        let token = escape_pointer_token(key);
        task.moved_from(
            &format!("{relative}/{token}"),
            format!("{target}/{token}"),
            sink,
        );
    }
    for (key, value) in written {
        let overrides = key == "summary" || key == "description";
        if key != "$ref" && (overrides || !item.contains_key(&key)) {
            item.insert(key, value);
        }
    }
    if let Some(Value::Object(paths)) = map.get_mut("paths") {
        paths.insert(path.to_owned(), Value::Object(item));
    }
}

/// Follows a path item's `$ref` (through further `$ref`s) to a definition: its pointer and
/// a copy of it.
fn resolve_path_item(
    document: &Map<String, Value>,
    written: &Map<String, Value>,
) -> Result<(String, Map<String, Value>), String> {
    let mut current = written.clone();
    let mut seen: Vec<String> = Vec::new();
    while let Some(reference) = current.get("$ref") {
        let Some(reference) = reference.as_str() else {
            return Err("`$ref` must be a string".to_owned());
        };
        if seen.iter().any(|s| s == reference) {
            seen.push(reference.to_owned());
            return Err(format!("`$ref` cycle: {}", seen.join(" -> ")));
        }
        let Some(pointer) = reference.strip_prefix('#') else {
            return Err(format!(
                "`$ref` to `{reference}` is not supported: only references within the document are"
            ));
        };
        let Some(Value::Object(target)) = lookup(document, pointer) else {
            return Err(format!("`$ref` to `{reference}`, which does not exist"));
        };
        seen.push(reference.to_owned());
        current = target.clone();
    }
    let target = seen.last().cloned().unwrap_or_default();
    Ok((target, current))
}

/// The value at the JSON pointer `pointer` (without `#`) in the document `root`.
fn lookup<'v>(root: &'v Map<String, Value>, pointer: &str) -> Option<&'v Value> {
    let mut tokens = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"));
    let first = root.get(&tokens.next()?)?;
    tokens.try_fold(first, |value, token| match value {
        Value::Object(map) => map.get(&token),
        Value::Array(items) => items.get(token.parse::<usize>().ok()?),
        _ => None,
    })
}

/// `openapiv3` knows no `mutualTLS` security scheme (new in 3.1) and would refuse the
/// document; the client configures certificates on its HTTP client instead.
fn drop_mutual_tls(map: &mut Map<String, Value>, task: &Task, sink: &mut Sink) {
    let Some(Value::Object(schemes)) = map.get_mut("securitySchemes") else {
        return;
    };
    let mutual: Vec<String> = schemes
        .iter()
        .filter(|(_, scheme)| scheme.get("type").and_then(Value::as_str) == Some("mutualTLS"))
        .map(|(name, _)| name.clone())
        .collect();
    for name in mutual {
        schemes.shift_remove(&name);
        sink.warn(
            task.origin_of(&format!("/securitySchemes/{}", escape_pointer_token(&name))),
            "mutual TLS is not described in the generated client: give the client a \
             `reqwest::Client` configured with the certificate",
        );
    }
}

/// Points `$ref`s at where their targets now stand (hoisted `$defs`, `$anchor`s).
fn rewrite_refs(document: &mut Value, moved: &[(String, String)], anchors: &[(String, String)]) {
    if moved.is_empty() && anchors.is_empty() {
        return;
    }
    let mut stack = vec![document];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get_mut("$ref") {
                    if let Some(now) = relocated(reference, moved, anchors) {
                        *reference = now;
                    }
                }
                stack.extend(object.values_mut());
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Where a `$ref` written as `reference` now points, if its target moved.
fn relocated(
    reference: &str,
    moved: &[(String, String)],
    anchors: &[(String, String)],
) -> Option<String> {
    if let Some(name) = reference.strip_prefix('#').filter(|r| !r.starts_with('/')) {
        return anchors
            .iter()
            .find(|(anchor, _)| anchor == name)
            .map(|(_, at)| at.clone());
    }
    moved
        .iter()
        .filter(|(written, _)| {
            reference
                .strip_prefix(written.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|(written, _)| written.len())
        .map(|(written, now)| format!("{now}{}", &reference[written.len()..]))
}
