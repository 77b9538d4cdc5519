//! Property-based fuzzing of the whole pipeline (`load` -> `lower` -> `emit`): arbitrary text
//! and structurally mutated specs never make it panic, and whatever it emits is valid Rust.
//!
//! A bounded run is part of the test command. For a longer one:
//! `FUZZ_CASES=20000 cargo test --release -p tests --test fuzz`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use tests::{read, workspace_root};

fn config(default_cases: u32) -> Config {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs the pipeline; a panic fails the property (proptest catches it and shrinks the input).
/// Says whether a crate was generated (rather than diagnostics).
fn pipeline(text: &str) -> Result<bool, TestCaseError> {
    let config = codegen::Config {
        crate_name: "fuzzed".into(),
        crate_version: "0.1.0".into(),
        spec_name: "fuzz.yaml".into(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    };
    // On a thread with the stack of a program's main thread, where `cargo xtask generate`
    // and build scripts run it: reading a schema nested as deep as serde_json allows (128
    // levels) takes more than a test thread's 2 MiB in a debug build (`openapiv3` buffers
    // each level), which mutations that nest a spec inside itself reach.
    let generated = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, || codegen::generate(text, &config))
            .expect("a thread starts")
            .join()
    });
    let generated = match generated {
        Ok(generated) => generated,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    match generated {
        Err(diagnostics) => {
            prop_assert!(!diagnostics.0.is_empty(), "an error must say what is wrong");
            for diagnostic in &diagnostics.0 {
                prop_assert!(diagnostic.pointer.starts_with('#'), "{diagnostic}");
                prop_assert!(
                    !diagnostic.message.contains("internal error"),
                    "{diagnostic}"
                );
            }
            Ok(false)
        }
        Ok(generated) => {
            for file in generated.files.iter().filter(|f| f.path.ends_with(".rs")) {
                if let Err(error) = syn::parse_file(&file.contents) {
                    return Err(TestCaseError::fail(format!(
                        "{} is not Rust: {error}",
                        file.path
                    )));
                }
            }
            Ok(true)
        }
    }
}

/// Specs to mutate: the packages fragment and every focused spec, each 3.0 one in OpenAPI 3.0
/// and in its 3.1 rendition, and the OpenAPI 3.2 ones.
fn bases() -> &'static [Value] {
    static BASES: OnceLock<Vec<Value>> = OnceLock::new();
    BASES.get_or_init(|| {
        let root = workspace_root();
        let mut paths = vec![root.join("spec/packages.yaml")];
        let files = |dir: &str| -> Vec<std::path::PathBuf> {
            let mut found: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|path| path.is_file())
                .collect();
            found.sort();
            found
        };
        paths.extend(files("tests/specs"));
        paths.extend(files("tests/specs/openapi32"));
        paths
            .iter()
            .map(|p| serde_yaml::from_str::<Value>(&read(p)).unwrap())
            // 3.0 documents in their 3.1 rendition too; 3.1 and 3.2 ones (and the Redocly
            // configuration beside them, which is no document) as they are.
            .filter(|document| document.get("openapi").is_some())
            .flat_map(|document| match document["openapi"].as_str() {
                Some(version) if version.starts_with("3.0") => {
                    vec![tests::openapi31::to_openapi31(&document), document]
                }
                _ => vec![document],
            })
            .collect()
    })
}

/// Every JSON pointer in `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let next = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(next.clone());
                pointers(child, next, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let next = format!("{at}/{i}");
                out.push(next.clone());
                pointers(child, next, out);
            }
        }
        _ => {}
    }
}

/// Values that tend to reach deep into the generator: references, type names, odd names.
fn interesting() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "#/components/schemas/package",
            "#/components/schemas/nullable-simple-user",
            "#/components/schemas/missing",
            "#/components/parameters/org",
            "#/components/responses/not_found",
            "#/nowhere",
            "string",
            "integer",
            "object",
            "array",
            "boolean",
            "number",
            "null",
            "date-time",
            "int32",
            "type",
            "self",
            "+1",
            "",
            "{org}",
            "/x/{y}",
            "application/json",
            "text/plain",
            "multipart/form-data",
            "query",
            "path",
            "header",
            "cookie",
            "3.1.0",
        ])
        .prop_map(Value::from),
        "[a-z{}/_+ -]{0,12}".prop_map(Value::from),
        Just(serde_json::json!({"$ref": "#/components/schemas/package"})),
        Just(serde_json::json!({"type": "object", "properties": {"type": {"type": "string"}}})),
        Just(
            serde_json::json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/package"}]})
        ),
        Just(
            serde_json::json!({"allOf": [{"$ref": "#/components/schemas/package"}, {"type": "string"}]})
        ),
        Just(serde_json::json!({"type": "array"})),
        // OpenAPI 3.1 forms.
        Just(serde_json::json!({"type": ["string", "null"], "examples": ["a"]})),
        Just(
            serde_json::json!({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/package"}]})
        ),
        Just(
            serde_json::json!({"$ref": "#/components/schemas/package", "description": "d", "properties": {"x": {"const": 1}}})
        ),
        Just(
            serde_json::json!({"type": "array", "prefixItems": [{"type": "string"}], "items": false})
        ),
        Just(serde_json::json!({"$ref": "#/components/schemas/package/properties/id"})),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove(usize),
    Replace(usize, Value),
    Copy(usize, usize),
    RenameKey(usize, String),
    /// Wraps a value in this many schemas (objects, arrays, `allOf`s in turn).
    Nest(usize, usize),
    /// Replaces a value by a `$ref` to another place in the document (not a component).
    PointTo(usize, usize),
    /// Makes a component schema contain itself: through `allOf`, `items`,
    /// `additionalProperties`, or a property that refers to it by pointer.
    SelfReference(usize, u8),
    /// Replaces a value by a discriminated `oneOf` listing one schema twice, directly and
    /// through a component that is an alias of it.
    AliasedTwice(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Remove),
        (any::<usize>(), interesting()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        (any::<usize>(), any::<usize>()).prop_map(|(from, to)| Mutation::Copy(from, to)),
        (any::<usize>(), "[a-zA-Z_{}+٣²名🚀 -]{0,10}")
            .prop_map(|(at, name)| Mutation::RenameKey(at, name)),
        (any::<usize>(), 1..40usize).prop_map(|(at, depth)| Mutation::Nest(at, depth)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, target)| Mutation::PointTo(at, target)),
        (any::<usize>(), 0..4u8).prop_map(|(at, how)| Mutation::SelfReference(at, how)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, of)| Mutation::AliasedTwice(at, of)),
    ]
}

/// The names of the document's component schemas.
fn component_names(document: &Value) -> Vec<String> {
    document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default()
}

fn split(pointer: &str) -> (&str, String) {
    let (parent, last) = pointer.rsplit_once('/').expect("pointers have a parent");
    (parent, last.replace("~1", "/").replace("~0", "~"))
}

fn apply(document: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(document, String::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let pick = |i: usize| all[i % all.len()].clone();
    match mutation {
        Mutation::Remove(at) => {
            let pointer = pick(*at);
            let (parent, key) = split(&pointer);
            match document.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
        Mutation::Replace(at, value) => {
            if let Some(slot) = document.pointer_mut(&pick(*at)) {
                *slot = value.clone();
            }
        }
        Mutation::Copy(from, to) => {
            let value = document.pointer(&pick(*from)).cloned();
            if let (Some(value), Some(slot)) = (value, document.pointer_mut(&pick(*to))) {
                *slot = value;
            }
        }
        Mutation::RenameKey(at, name) => {
            let pointer = pick(*at);
            let (parent, key) = split(&pointer);
            if let Some(Value::Object(map)) = document.pointer_mut(parent) {
                if let Some(value) = map.remove(&key) {
                    map.insert(name.clone(), value);
                }
            }
        }
        Mutation::Nest(at, depth) => {
            if let Some(slot) = document.pointer_mut(&pick(*at)) {
                let mut value = slot.take();
                for level in 0..*depth {
                    value = match level % 3 {
                        0 => json!({"type": "object", "properties": {"inner": value}}),
                        1 => json!({"type": "array", "items": value}),
                        _ => json!({"allOf": [value, {"description": "nested"}]}),
                    };
                }
                *slot = value;
            }
        }
        Mutation::PointTo(at, target) => {
            let reference = format!("#{}", pick(*target));
            if let Some(slot) = document.pointer_mut(&pick(*at)) {
                *slot = json!({"$ref": reference});
            }
        }
        Mutation::SelfReference(at, how) => {
            let names = component_names(document);
            if names.is_empty() {
                return;
            }
            let name = &names[at % names.len()];
            let pointer = format!(
                "/components/schemas/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            let myself = json!({"$ref": format!("#{pointer}")});
            let definition = match how {
                0 => {
                    json!({"allOf": [myself, {"type": "object", "properties": {"more": {"type": "string"}}}]})
                }
                1 => json!({"type": "array", "items": myself}),
                2 => json!({"type": "object", "additionalProperties": myself}),
                _ => {
                    json!({"type": "object", "properties": {"again": {"$ref": format!("#{pointer}/properties/again")}}})
                }
            };
            if let Some(slot) = document.pointer_mut(&pointer) {
                *slot = definition;
            }
        }
        Mutation::AliasedTwice(at, of) => {
            let names = component_names(document);
            if names.is_empty() {
                return;
            }
            let target = names[of % names.len()].clone();
            let alias = format!("{target}-alias");
            let direct = json!({"$ref": format!("#/components/schemas/{target}")});
            if let Some(Value::Object(schemas)) = document.pointer_mut("/components/schemas") {
                schemas.insert(alias.clone(), direct.clone());
            }
            if let Some(slot) = document.pointer_mut(&pick(*at)) {
                *slot = json!({
                    "oneOf": [direct, {"$ref": format!("#/components/schemas/{alias}")}, {"type": "string"}],
                    "discriminator": {"propertyName": "kind"}
                });
            }
        }
    }
}

#[test]
fn arbitrary_text_never_panics() {
    let text = prop_oneof![
        "[ -~\n]{0,300}",
        "[ -~\n]{0,300}"
            .prop_map(|body| format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\n{body}")),
        "[a-z{}:/ \n-]{0,300}".prop_map(|body| format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  {body}"
        )),
        "[ -~\n]{0,300}"
            .prop_map(|body| format!("openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\n{body}")),
    ];
    TestRunner::new(config(300))
        .run(&text, |text| pipeline(&text).map(drop))
        .unwrap();
}

#[test]
fn mutated_specs_never_panic_and_emit_valid_rust() {
    let cases = (0..bases().len(), prop::collection::vec(mutation(), 1..6));
    // The harness must reach `emit`, not only bounce off `load`: count what generated.
    let generated = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    TestRunner::new(config(120))
        .run(&cases, |(base, mutations)| {
            let mut document = bases()[base].clone();
            for mutation in &mutations {
                apply(&mut document, mutation);
            }
            total.fetch_add(1, Ordering::Relaxed);
            if pipeline(&document.to_string())? {
                generated.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .unwrap();
    let (generated, total) = (generated.into_inner(), total.into_inner());
    eprintln!("mutated specs: {generated} of {total} generated a crate; the rest got diagnostics");
    assert!(
        generated * 10 >= total,
        "too few mutations reached emit: {generated} of {total}"
    );
}
