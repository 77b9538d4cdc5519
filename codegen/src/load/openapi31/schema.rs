//! The rewrite of one schema object, before its children are visited.

use super::{Child, Kind, Sink, Task};
use crate::diagnostic::escape_pointer_token;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// Where a schema stands, which decides what becomes of the siblings of a `$ref` in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// `components/schemas/{name}`: a bare `$ref` there makes the name an alias of the
    /// target, which a wrapper would turn into a type of its own.
    Component,
    /// `properties/{name}`: the description beside a `$ref` documents the field.
    Property,
    /// An `anyOf`/`oneOf` branch: a bare `$ref` there can carry a discriminator mapping.
    Alternative,
    /// An `allOf` part.
    Part,
    Other,
}

/// Keywords that only describe (they never change which values are valid).
fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description"
            | "title"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
            | "default"
            | "example"
            | "examples"
            | "externalDocs"
            | "$comment"
    ) || key.starts_with("x-")
}

/// Keywords that apply to values of one JSON type only.
fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "string" => &[
            "format",
            "pattern",
            "minLength",
            "maxLength",
            "contentEncoding",
            "contentMediaType",
            "contentSchema",
        ],
        "number" | "integer" => &[
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
        "array" => &[
            "items",
            "prefixItems",
            "minItems",
            "maxItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "unevaluatedItems",
        ],
        "object" => OBJECT_KEYWORDS,
        _ => &[],
    }
}

const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
];

/// JSON Schema 2020-12 and OpenAPI 3.1's dialects, which this rewrite reads.
pub(super) fn is_known_dialect(uri: &str) -> bool {
    let uri = uri.trim_end_matches('#');
    uri == "https://json-schema.org/draft/2020-12/schema"
        || uri.starts_with("https://spec.openapis.org/oas/3.1/dialect/")
}

fn token(key: &str) -> String {
    format!("/{}", escape_pointer_token(key))
}

pub(super) fn visit(
    value: &mut Value,
    mut task: Task,
    place: Place,
    sink: &mut Sink,
) -> Vec<Child> {
    if let Value::Bool(admits) = *value {
        if !admits {
            sink.warn(
                task.origin.clone(),
                "a `false` schema admits no value; it is read as any JSON value",
            );
        }
        *value = Value::Object(Map::new());
        return Vec::new();
    }
    let Value::Object(schema) = value else {
        return Vec::new();
    };
    dialect(schema, &task, sink);
    hoist_definitions(schema, &task, sink);
    null_alternatives(schema, &mut task, sink);
    null_parts(schema, &mut task, sink);
    if schema.contains_key("$ref") {
        return reference_with_siblings(schema, &mut task, place, sink);
    }
    const_to_enum(schema);
    type_list(schema, &mut task, sink);
    first_example(schema);
    exclusive_bounds(schema);
    content_format(schema);
    // Before `if`/`dependentSchemas` go: they decide what `unevaluated*` means.
    unevaluated(schema, &mut task, sink);
    tuples(schema, &task, sink);
    conditionals(schema, &task, sink);
    pattern_properties(schema, &mut task, sink);
    children(schema, &task)
}

/// `$schema`, `$id`, `$anchor` and the dynamic references: identification, which 3.0 has
/// no use for, except that `$ref: '#name'` may name an `$anchor`.
fn dialect(schema: &mut Map<String, Value>, task: &Task, sink: &mut Sink) {
    if let Some(dialect) = schema.remove("$schema") {
        if !dialect.as_str().is_some_and(is_known_dialect) {
            sink.warn(
                task.origin_of("/$schema"),
                format!("this schema is read as JSON Schema 2020-12, not as the dialect {dialect}"),
            );
        }
    }
    for key in ["$id", "$comment", "$vocabulary", "$dynamicAnchor"] {
        schema.remove(key);
    }
    if let Some(Value::String(anchor)) = schema.remove("$anchor") {
        sink.anchors.push((anchor, task.at.clone()));
    }
    for key in ["$dynamicRef", "$recursiveRef"] {
        if schema.remove(key).is_some() {
            sink.warn(
                task.origin_of(&token(key)),
                format!(
                    "`{key}` cannot be followed; the value it refers to is read as any JSON value"
                ),
            );
        }
    }
}

/// `$defs` become component schemas (`{component}-{name}`), where `lower` can name them and
/// `$ref`s to them can be followed.
fn hoist_definitions(schema: &mut Map<String, Value>, task: &Task, sink: &mut Sink) {
    for key in ["$defs", "definitions"] {
        let Some(Value::Object(definitions)) = schema.remove(key) else {
            continue;
        };
        let owner = task
            .at
            .strip_prefix("#/components/schemas/")
            .filter(|rest| !rest.contains('/'))
            .map(|name| name.replace("~1", "/").replace("~0", "~"));
        for (name, definition) in definitions {
            // Those a reference pointed into were made components already (`local_refs`),
            // and a reference to the component stands in their place.
            let moved = definition.as_object().is_some_and(|d| {
                d.len() == 1
                    && d.get("$ref")
                        .and_then(Value::as_str)
                        .is_some_and(|r| r.starts_with("#/components/schemas/"))
            });
            if moved {
                continue;
            }
            let base = match &owner {
                Some(owner) => format!("{owner}-{name}"),
                None => name.clone(),
            };
            let origin = task.origin_of(&format!("{}{}", token(key), token(&name)));
            sink.hoist(&base, definition, origin);
        }
    }
}

/// A branch that admits only `null` (`{type: 'null'}`, `{const: null}`).
fn is_null_only(branch: &Value) -> bool {
    let Value::Object(branch) = branch else {
        return false;
    };
    let mut says_null = false;
    for (key, value) in branch {
        let null = match key.as_str() {
            "type" => value == "null" || *value == json!(["null"]),
            "const" => value.is_null(),
            "enum" => value
                .as_array()
                .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_null)),
            key if is_annotation(key) => continue,
            _ => false,
        };
        if !null {
            return false;
        }
        says_null = true;
    }
    says_null
}

/// `anyOf`/`oneOf` with a branch that is only `null` (3.1's way to write an optional
/// reference: `anyOf: [{$ref: ...}, {type: 'null'}]`): the branch goes and the schema is
/// `nullable`. One branch left becomes the schema itself (merged in, or as the one `allOf`
/// part when it is a `$ref`), which `lower` reads as that type, nullable.
fn null_alternatives(schema: &mut Map<String, Value>, task: &mut Task, sink: &mut Sink) {
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = schema.get_mut(keyword) else {
            continue;
        };
        let mut lifted = false;
        for branch in branches.iter_mut() {
            // 3.0's habit inside 3.1: `nullable` beside a `$ref`, said once for the whole.
            if let Value::Object(branch) = branch {
                if branch.contains_key("$ref") && branch.get("nullable") == Some(&json!(true)) {
                    branch.remove("nullable");
                    lifted = true;
                }
            }
        }
        if !lifted && !branches.iter().any(is_null_only) {
            continue;
        }
        // `false` branches admit nothing, so they go with the null ones.
        let kept: Vec<(usize, Value)> = std::mem::take(branches)
            .into_iter()
            .enumerate()
            .filter(|(_, branch)| !is_null_only(branch) && *branch != Value::Bool(false))
            .collect();
        schema.insert("nullable".to_owned(), json!(true));
        match kept.len() {
            0 => {
                schema.remove(keyword);
                if !schema.contains_key("type") && !schema.contains_key("enum") {
                    schema.insert("enum".to_owned(), json!([null]));
                }
            }
            1 => {
                let (index, branch) = kept.into_iter().next().expect("one branch");
                schema.remove(keyword);
                let from = task.origin_of(&format!("{}/{index}", token(keyword)));
                only_branch(schema, branch, from, task, sink);
            }
            _ => keep_branches(schema, keyword, kept, task, sink),
        }
    }
}

/// Puts the `kept` branches (each with its index as written) back under `keyword`.
fn keep_branches(
    schema: &mut Map<String, Value>,
    keyword: &str,
    kept: Vec<(usize, Value)>,
    task: &mut Task,
    sink: &mut Sink,
) {
    let mut moves = Vec::new();
    for (now, (index, _)) in kept.iter().enumerate() {
        if now != *index {
            let from = task.origin_of(&format!("{}/{index}", token(keyword)));
            moves.push((format!("{}/{now}", token(keyword)), from));
        }
    }
    for (relative, from) in moves {
        task.moved_from(&relative, from, sink);
    }
    let branches = kept.into_iter().map(|(_, branch)| branch).collect();
    schema.insert(keyword.to_owned(), Value::Array(branches));
}

/// `allOf: [{$ref: ...}, {type: 'null'}]`, written where `anyOf` was meant. Taken
/// literally it admits at most `null`; read as the reference, nullable, it admits that and
/// more, which is the sound side to err on.
fn null_parts(schema: &mut Map<String, Value>, task: &mut Task, sink: &mut Sink) {
    let Some(Value::Array(parts)) = schema.get_mut("allOf") else {
        return;
    };
    if !parts.iter().any(is_null_only) {
        return;
    }
    let kept: Vec<(usize, Value)> = std::mem::take(parts)
        .into_iter()
        .enumerate()
        .filter(|(_, part)| !is_null_only(part))
        .collect();
    schema.insert("nullable".to_owned(), json!(true));
    if kept.is_empty() {
        schema.remove("allOf");
        if !schema.contains_key("type") && !schema.contains_key("enum") {
            schema.insert("enum".to_owned(), json!([null]));
        }
    } else {
        keep_branches(schema, "allOf", kept, task, sink);
    }
}

/// The one branch left of an `anyOf`/`oneOf` (written at `from`) becomes the schema: merged
/// into it where nothing collides, else as an `allOf` part.
fn only_branch(
    schema: &mut Map<String, Value>,
    branch: Value,
    from: String,
    task: &mut Task,
    sink: &mut Sink,
) {
    let branch = match branch {
        Value::Bool(_) => Map::new(),
        Value::Object(branch) => branch,
        other => {
            // Not a schema: `openapiv3` reports it, at the place it was written.
            let parts = vec![other];
            task.moved_from("/allOf/0", from, sink);
            schema.insert("allOf".to_owned(), Value::Array(parts));
            return;
        }
    };
    let applies_more = ["allOf", "anyOf", "oneOf", "not"]
        .iter()
        .any(|key| schema.contains_key(*key));
    let collides = branch
        .keys()
        .any(|key| key != "nullable" && schema.contains_key(key));
    if !branch.contains_key("$ref") && !applies_more && !collides {
        for (key, value) in branch {
            let relative = token(&key);
            task.moved_from(&relative, format!("{from}{relative}"), sink);
            if key != "nullable" {
                schema.insert(key, value);
            }
        }
        return;
    }
    let parts = schema
        .entry("allOf")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(parts) = parts {
        let relative = format!("/allOf/{}", parts.len());
        parts.push(Value::Object(branch));
        task.moved_from(&relative, from, sink);
    }
}

/// 3.1 lets a `$ref` have siblings (3.0 ignores them). Keywords that shape an object become
/// an `allOf` part beside the reference; a description documents a field; `nullable` (3.0's
/// keyword, still written in 3.1 documents) makes it optional. Other constraints beside a
/// `$ref` only narrow the referenced type, so leaving them out admits more values, never
/// fewer.
fn reference_with_siblings(
    schema: &mut Map<String, Value>,
    task: &mut Task,
    place: Place,
    sink: &mut Sink,
) -> Vec<Child> {
    if schema.len() == 1 {
        return Vec::new();
    }
    let mut siblings = std::mem::take(schema);
    let reference = siblings.remove("$ref").expect("checked by the caller");
    let nullable = siblings.get("nullable") == Some(&json!(true));
    let mut object_part = Map::new();
    let mut written_parts = Vec::new();
    for (key, value) in siblings {
        if OBJECT_KEYWORDS.contains(&key.as_str()) {
            object_part.insert(key, value);
        } else if key == "allOf" {
            if let Value::Array(parts) = value {
                written_parts = parts;
            }
        } else if place == Place::Property && is_annotation(&key) {
            schema.insert(key, value);
        }
    }
    let bare = Map::from_iter([("$ref".to_owned(), reference)]);
    if object_part.is_empty() && written_parts.is_empty() && schema.is_empty() && !nullable {
        *schema = bare;
        return Vec::new();
    }
    let written_origins: Vec<String> = (0..written_parts.len())
        .map(|index| task.origin_of(&format!("/allOf/{index}")))
        .collect();
    let mut parts = vec![Value::Object(bare)];
    let mut origins = vec![task.origin.clone()];
    if !object_part.is_empty() {
        parts.push(Value::Object(object_part));
        origins.push(task.origin.clone());
    }
    parts.extend(written_parts);
    origins.extend(written_origins);
    for (index, origin) in origins.into_iter().enumerate() {
        task.moved_from(&format!("/allOf/{index}"), origin, sink);
    }
    let count = parts.len();
    first_example(schema);
    schema.insert("allOf".to_owned(), Value::Array(parts));
    if nullable {
        schema.insert("nullable".to_owned(), json!(true));
    }
    (1..count)
        .map(|index| task.child(&["allOf", &index.to_string()], Kind::Schema(Place::Part)))
        .collect()
}

/// `const: v` is `enum: [v]`; the type is the value's where none is given, so that `lower`
/// sees e.g. a one-value string enum rather than any JSON value.
fn const_to_enum(schema: &mut Map<String, Value>) {
    let Some(value) = schema.remove("const") else {
        return;
    };
    if !schema.contains_key("type") {
        let inferred = match &value {
            Value::Null => Some("null"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            Value::String(_) => Some("string"),
            Value::Array(_) | Value::Object(_) => None,
        };
        if let Some(ty) = inferred {
            schema.insert("type".to_owned(), json!(ty));
        }
    }
    schema.insert("enum".to_owned(), json!([value]));
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        _ => false,
    }
}

/// `type: [T, 'null']` is `type: T, nullable: true`; several types become a `oneOf` with a
/// branch per type, each with the keywords that apply to it.
fn type_list(schema: &mut Map<String, Value>, task: &mut Task, sink: &mut Sink) {
    let mut types: Vec<String> = match schema.get("type") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(ty)) if ty == "null" => vec![ty.clone()],
        Some(Value::String(_)) | None => return,
        Some(_) => {
            schema.remove("type");
            sink.warn(
                task.origin_of("/type"),
                "`type` must be a type name or a list of them; it is left out, so the value \
                 is read as any JSON value",
            );
            return;
        }
    };
    let mut seen = Vec::new();
    types.retain(|t| {
        let new = !seen.contains(t);
        seen.push(t.clone());
        new
    });
    let nullable = types.iter().any(|t| t == "null");
    types.retain(|t| t != "null");
    if let Some(Value::Array(values)) = schema.get("enum") {
        if !values.is_empty() {
            types.retain(|t| values.iter().any(|v| has_type(v, t)));
        }
    }
    // Every integer is a number.
    if types.iter().any(|t| t == "number") {
        types.retain(|t| t != "integer");
    }
    if nullable {
        schema.insert("nullable".to_owned(), json!(true));
    }
    match types.as_slice() {
        [] => {
            schema.remove("type");
            if nullable && !schema.contains_key("enum") {
                schema.insert("enum".to_owned(), json!([null]));
            }
        }
        [only] => {
            schema.insert("type".to_owned(), json!(only));
        }
        // The alternatives say which forms a value takes.
        _ if schema.contains_key("oneOf") || schema.contains_key("anyOf") => {
            schema.remove("type");
        }
        _ => split_types(schema, &types, task, sink),
    }
}

fn split_types(
    schema: &mut Map<String, Value>,
    types: &[String],
    task: &mut Task,
    sink: &mut Sink,
) {
    schema.remove("type");
    let values = schema.remove("enum");
    let branches: Vec<Map<String, Value>> = types
        .iter()
        .map(|ty| {
            let mut branch = Map::from_iter([("type".to_owned(), json!(ty))]);
            for key in keywords_of(ty) {
                if let Some(value) = schema.get(*key) {
                    branch.insert((*key).to_owned(), value.clone());
                }
            }
            if let Some(Value::Array(values)) = &values {
                let own: Vec<Value> = values.iter().filter(|v| has_type(v, ty)).cloned().collect();
                if !own.is_empty() {
                    branch.insert("enum".to_owned(), Value::Array(own));
                }
            }
            branch
        })
        .collect();
    for ty in types {
        for key in keywords_of(ty) {
            schema.remove(*key);
        }
    }
    for (index, branch) in branches.iter().enumerate() {
        let relative = format!("/oneOf/{index}");
        let origin = task.origin.clone();
        for key in branch.keys() {
            if let Some(from) = task.moved.get(&token(key)) {
                task.moved_from(&format!("{relative}{}", token(key)), from, sink);
            }
        }
        task.moved_from(&relative, origin, sink);
    }
    let branches = branches.into_iter().map(Value::Object).collect();
    schema.insert("oneOf".to_owned(), Value::Array(branches));
}

/// 3.0 has one `example`; 3.1 schemas list `examples`.
fn first_example(schema: &mut Map<String, Value>) {
    if let Some(Value::Array(examples)) = schema.remove("examples") {
        if let Some(first) = examples.into_iter().next() {
            schema.entry("example").or_insert(first);
        }
    }
}

/// 3.1's `exclusiveMinimum: 5` is 3.0's `minimum: 5, exclusiveMinimum: true` (unless an
/// inclusive bound beside it is stricter).
fn exclusive_bounds(schema: &mut Map<String, Value>) {
    for (exclusive, inclusive, stricter) in [
        ("exclusiveMinimum", "minimum", Ordering::Greater),
        ("exclusiveMaximum", "maximum", Ordering::Less),
    ] {
        let Some(Value::Number(bound)) = schema.get(exclusive).cloned() else {
            continue;
        };
        let inclusive_is_stricter = schema
            .get(inclusive)
            .and_then(Value::as_f64)
            .zip(bound.as_f64())
            .is_some_and(|(inclusive, exclusive)| {
                inclusive.partial_cmp(&exclusive) == Some(stricter)
            });
        if inclusive_is_stricter {
            schema.remove(exclusive);
        } else {
            schema.insert(inclusive.to_owned(), Value::Number(bound));
            schema.insert(exclusive.to_owned(), json!(true));
        }
    }
}

/// `contentEncoding: base64` is 3.0's `format: byte`; a `contentMediaType` that is not text
/// (with no encoding: raw octets) is `format: binary`.
fn content_format(schema: &mut Map<String, Value>) {
    let encoding = schema.remove("contentEncoding");
    let media_type = schema.remove("contentMediaType");
    schema.remove("contentSchema");
    if schema.contains_key("format") {
        return;
    }
    let encoding = encoding.as_ref().and_then(Value::as_str);
    let media_type = media_type.as_ref().and_then(Value::as_str);
    let format = match (encoding, media_type) {
        (Some(encoding), _)
            if encoding.eq_ignore_ascii_case("base64")
                || encoding.eq_ignore_ascii_case("base64url") =>
        {
            "byte"
        }
        (None, Some(media_type)) if !is_textual(media_type) => "binary",
        _ => return,
    };
    schema.insert("format".to_owned(), json!(format));
}

fn is_textual(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence == "application/json"
        || essence.ends_with("+json")
        || essence == "application/xml"
        || essence.ends_with("+xml")
        || essence == "application/x-www-form-urlencoded"
}

/// `unevaluatedProperties`/`unevaluatedItems` mean `additionalProperties`/`items` where no
/// other keyword evaluates anything in place; beside `allOf` and its kind they cannot be
/// expressed.
fn unevaluated(schema: &mut Map<String, Value>, task: &mut Task, sink: &mut Sink) {
    let in_place = [
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentSchemas",
    ]
    .iter()
    .any(|key| schema.contains_key(*key));
    for (keyword, plain, covered_by) in [
        (
            "unevaluatedProperties",
            "additionalProperties",
            &["additionalProperties", "patternProperties"][..],
        ),
        ("unevaluatedItems", "items", &["items", "prefixItems"][..]),
    ] {
        let Some(rest) = schema.remove(keyword) else {
            continue;
        };
        if covered_by.iter().any(|key| schema.contains_key(*key)) {
            // The other keyword evaluates everything `rest` would apply to.
            continue;
        }
        if !in_place {
            if keyword == "unevaluatedProperties" || rest.is_object() {
                task.moved_from(&token(plain), task.origin_of(&token(keyword)), sink);
                schema.insert(plain.to_owned(), rest);
            }
        } else if rest.is_object() {
            sink.warn(
                task.origin_of(&token(keyword)),
                format!(
                    "`{keyword}` beside `allOf`, `anyOf` or `oneOf` cannot be expressed; what \
                     no part names is read as any JSON value"
                ),
            );
        }
        // `false` there forbids what no part names; the generated types ignore what they
        // do not name either way, so leaving it out loses nothing from them.
    }
}

/// `prefixItems` (and a list under `items`, the older form): a tuple, each position its own
/// type, which the IR cannot hold; any JSON value holds every item.
fn tuples(schema: &mut Map<String, Value>, task: &Task, sink: &mut Sink) {
    let keyword = if schema.contains_key("prefixItems") {
        "prefixItems"
    } else if schema.get("items").is_some_and(Value::is_array) {
        "items"
    } else {
        return;
    };
    schema.remove("prefixItems");
    sink.warn(
        task.origin_of(&token(keyword)),
        format!(
            "`{keyword}` describes a tuple (a type per position), which cannot be expressed; \
             the items are read as any JSON value"
        ),
    );
    schema.insert("items".to_owned(), Value::Object(Map::new()));
}

/// `if`/`then`/`else` and `dependentSchemas` only add conditions to what the rest of the
/// schema says, so without them the type still admits every valid value.
fn conditionals(schema: &mut Map<String, Value>, task: &Task, sink: &mut Sink) {
    let dropped: Vec<&str> = ["if", "then", "else"]
        .into_iter()
        .filter(|key| schema.remove(*key).is_some())
        .collect();
    if let Some(first) = dropped.first() {
        sink.warn(
            task.origin_of(&token(first)),
            "`if`/`then`/`else` cannot be expressed and is left out: it only adds conditions, \
             so the type without it admits every valid value",
        );
    }
    if schema.remove("dependentSchemas").is_some() {
        sink.warn(
            task.origin_of("/dependentSchemas"),
            "`dependentSchemas` cannot be expressed and is left out: it only adds conditions, \
             so the type without it admits every valid value",
        );
    }
}

/// `patternProperties`: typed values for properties whose names match a pattern. With no
/// other properties allowed and one pattern, that is `additionalProperties`; otherwise
/// such values are read as any JSON value.
fn pattern_properties(schema: &mut Map<String, Value>, task: &mut Task, sink: &mut Sink) {
    let Some(Value::Object(patterns)) = schema.remove("patternProperties") else {
        return;
    };
    let closed = schema.get("additionalProperties") == Some(&json!(false));
    if closed && patterns.len() == 1 {
        let (pattern, values) = patterns.into_iter().next().expect("one pattern");
        let from = task.origin_of(&format!("/patternProperties{}", token(&pattern)));
        task.moved_from("/additionalProperties", from, sink);
        schema.insert("additionalProperties".to_owned(), values);
        return;
    }
    if patterns.is_empty() {
        return;
    }
    // `additionalProperties` does not apply to names that match a pattern; kept, it would
    // refuse or mistype them.
    if schema.contains_key("additionalProperties") {
        schema.insert("additionalProperties".to_owned(), json!(true));
    }
    sink.warn(
        task.origin_of("/patternProperties"),
        "`patternProperties` cannot be expressed; the values of properties that \
         `properties` does not name are read as any JSON value",
    );
}

fn children(schema: &Map<String, Value>, task: &Task) -> Vec<Child> {
    let mut children = Vec::new();
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for name in properties.keys() {
            children.push(task.child(&["properties", name], Kind::Schema(Place::Property)));
        }
    }
    for key in ["items", "not", "additionalProperties"] {
        let is_schema = match schema.get(key) {
            Some(Value::Object(_)) => true,
            // `additionalProperties: false` is 3.0 as well.
            Some(Value::Bool(_)) => key != "additionalProperties",
            _ => false,
        };
        if is_schema {
            children.push(task.child(&[key], Kind::Schema(Place::Other)));
        }
    }
    for (key, place) in [
        ("allOf", Place::Part),
        ("anyOf", Place::Alternative),
        ("oneOf", Place::Alternative),
    ] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            for index in 0..parts.len() {
                children.push(task.child(&[key, &index.to_string()], Kind::Schema(place)));
            }
        }
    }
    children
}
