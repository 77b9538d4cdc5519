//! OpenAPI 3.1 input: the same API written in 3.0 and 3.1 gives the same crate; each 3.1
//! feature becomes what it means in the IR; what 3.0 cannot say is read in a wider sense,
//! with a warning at the 3.1 document's own pointer and line; and every diagnostic points
//! into the document as written.

use codegen::ir::{Api, Field, TypeDef, TypeKind, TypeRef};
use codegen::{Config, Diagnostic, Diagnostics, Generated};
use serde_json::{json, Value};
use tests::openapi31::{assert_same_crate, to_openapi31, write_rendition};
use tests::{read, reference_dir, workspace_root};
use xtask::{default_job, Job};

fn config(spec_name: &str) -> Config {
    Config {
        crate_name: "example".into(),
        crate_version: "0.1.0".into(),
        spec_name: spec_name.into(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    }
}

fn generate(spec: &str) -> Generated {
    codegen::generate(spec, &config("s.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(spec: &str) -> Diagnostics {
    match codegen::generate(spec, &config("s.yaml")) {
        Ok(_) => panic!("expected diagnostics for:\n{spec}"),
        Err(diagnostics) => diagnostics,
    }
}

/// The IR of a spec that loads and lowers without errors.
fn api(spec: &str) -> Api {
    let loaded = codegen::load(spec, "s.yaml").unwrap_or_else(|e| panic!("{e}"));
    codegen::lower(&loaded.spec, "s.yaml")
        .unwrap_or_else(|e| panic!("{e}"))
        .api
}

fn type_def<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name} in {:#?}", api.types))
}

fn field<'a>(api: &'a Api, owner: &str, name: &str) -> &'a Field {
    match &type_def(api, owner).kind {
        TypeKind::Struct { fields, .. } => fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name} in {fields:#?}")),
        other => panic!("{owner} is not a struct: {other:?}"),
    }
}

fn named(name: &str) -> TypeRef {
    TypeRef::Named(name.to_owned())
}

fn warnings_of(spec: &str) -> Vec<Diagnostic> {
    generate(spec).warnings
}

fn find<'a>(diagnostics: &'a [Diagnostic], pointer: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|d| d.pointer == pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer} in {diagnostics:#?}"))
}

/// A 3.1 document whose one operation returns the component schema `thing`, written (block
/// style, as under `thing:`) by `thing`; `more` adds other component schemas. `thing:` is on
/// line 15, its first keyword on line 16.
fn with_thing(thing: &str, more: &str) -> String {
    let indent = |text: &str| -> String {
        text.lines()
            .map(|line| format!("      {line}\n"))
            .collect::<String>()
    };
    let more: String = more.lines().map(|line| format!("    {line}\n")).collect();
    format!(
        "openapi: 3.1.0
info: {{title: t, version: '1'}}
paths:
  /thing:
    get:
      operationId: get-thing
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/thing'}}
components:
  schemas:
    thing:
{}{more}",
        indent(thing)
    )
}

#[test]
fn packages_in_31_generate_the_same_crate() {
    let v30 = xtask::render(&default_job()).expect("the 3.0 spec generates");
    let spec = write_rendition(&workspace_root().join("spec/packages.yaml"));
    let job = Job {
        spec: spec.clone(),
        spec_name: "spec/packages.31.json".into(),
        ..default_job()
    };
    let v31 = xtask::render(&job).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_file(spec).unwrap();
    assert!(v31.warnings.is_empty(), "{:#?}", v31.warnings);
    assert!(v31.files[0]
        .contents
        .lines()
        .next()
        .unwrap()
        .contains("spec/packages.31.json"));
    assert_same_crate(&v30, "spec/packages.yaml", &v31, "spec/packages.31.json");
}

/// The crate built from the model is compared (and built with cargo) in `nested.rs`; equal
/// models make equal crates, and reading the model takes a few seconds where generating the
/// whole crate takes a minute in a debug build.
#[test]
fn github_in_31_loads_into_the_same_model() {
    let text = read(reference_dir().join("github-openapi/api.github.com.json"));
    let v30 = codegen::load(&text, "api.github.com.json").unwrap().spec;
    let document: Value = serde_json::from_str(&text).unwrap();
    let rendition = serde_json::to_string(&to_openapi31(&document)).unwrap();
    let v31 = codegen::load(&rendition, "api.github.com.31.json").unwrap();
    assert!(v31.warnings.is_empty(), "{:#?}", v31.warnings);
    let mut spec = v31.spec;
    assert_eq!(spec.openapi, "3.0.3");
    spec.openapi = v30.openapi.clone();
    assert!(spec == v30, "the 3.1 rendition reads differently");
}

#[test]
fn type_lists_with_null_are_nullable() {
    let api = api(&with_thing(
        "type: object\nrequired: [a]\nproperties:\n  a: {type: [string, 'null']}\n  b: {type: ['null', integer], format: int32}\n  c: {type: 'null'}\n",
        "",
    ));
    let a = field(&api, "Thing", "a");
    assert_eq!(
        (&a.ty, a.nullable, a.required),
        (&TypeRef::String, true, true)
    );
    let b = field(&api, "Thing", "b");
    assert_eq!((&b.ty, b.nullable), (&TypeRef::I32, true));
    // Only `null`: the nearest type the IR has is any JSON value, optional.
    let c = field(&api, "Thing", "c");
    assert_eq!((&c.ty, c.nullable), (&TypeRef::Json, true));
}

#[test]
fn type_lists_of_several_types_are_alternatives() {
    let api = api(&with_thing(
        "type: object\nproperties:\n  id: {type: [string, integer, 'null'], minLength: 1, minimum: 0}\n  size: {type: [integer, number]}\n  mode: {type: [string, boolean], enum: [auto, true]}\n",
        "",
    ));
    let id = field(&api, "Thing", "id");
    assert!(id.nullable);
    let TypeRef::Named(name) = &id.ty else {
        panic!("{id:?}")
    };
    match &type_def(&api, name).kind {
        TypeKind::OneOf { variants, .. } => {
            let types: Vec<&TypeRef> = variants.iter().map(|v| &v.ty).collect();
            assert_eq!(types, [&TypeRef::String, &TypeRef::I64]);
        }
        other => panic!("{other:?}"),
    }
    // Every integer is a number.
    assert_eq!(field(&api, "Thing", "size").ty, TypeRef::F64);
    let TypeRef::Named(mode) = &field(&api, "Thing", "mode").ty else {
        panic!()
    };
    let TypeKind::OneOf { variants, .. } = &type_def(&api, mode).kind else {
        panic!()
    };
    assert_eq!(variants[1].ty, TypeRef::Bool);
    let TypeRef::Named(values) = &variants[0].ty else {
        panic!("{variants:?}")
    };
    assert!(
        matches!(&type_def(&api, values).kind, TypeKind::Enum { variants, .. } if variants.len() == 1 && variants[0].value == "auto")
    );
}

#[test]
fn const_is_a_one_value_enum_of_its_type() {
    let api = api(&with_thing(
        "type: object\nproperties:\n  kind: {const: user}\n  version: {const: 3}\n  typed: {type: string, const: fixed}\n",
        "",
    ));
    let TypeRef::Named(kind) = &field(&api, "Thing", "kind").ty else {
        panic!()
    };
    assert!(
        matches!(&type_def(&api, kind).kind, TypeKind::Enum { variants, .. } if variants.len() == 1 && variants[0].value == "user")
    );
    assert_eq!(field(&api, "Thing", "version").ty, TypeRef::I64);
    assert!(matches!(
        field(&api, "Thing", "typed").ty,
        TypeRef::Named(_)
    ));
}

#[test]
fn examples_bounds_and_content_encodings_take_their_30_form() {
    use codegen::openapiv3::{
        ReferenceOr, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
    };
    let spec = with_thing(
        "type: object\nproperties:\n  count: {type: integer, exclusiveMinimum: 5, maximum: 9, exclusiveMaximum: 10, examples: [6, 7]}\n  avatar: {type: string, contentEncoding: base64, contentMediaType: image/png}\n  raw: {type: string, contentMediaType: application/octet-stream}\n  json: {type: string, contentMediaType: application/json}\n",
        "",
    );
    let loaded = codegen::load(&spec, "s.yaml").unwrap();
    let components = loaded.spec.components.unwrap();
    let ReferenceOr::Item(thing) = &components.schemas["thing"] else {
        panic!()
    };
    let SchemaKind::Type(Type::Object(object)) = &thing.schema_kind else {
        panic!()
    };
    let property = |name: &str| match &object.properties[name] {
        ReferenceOr::Item(schema) => schema.as_ref().clone(),
        other => panic!("{other:?}"),
    };
    let count = property("count");
    assert_eq!(count.schema_data.example, Some(json!(6)));
    let SchemaKind::Type(Type::Integer(integer)) = &count.schema_kind else {
        panic!("{count:?}")
    };
    assert_eq!(
        (integer.minimum, integer.exclusive_minimum),
        (Some(5), true)
    );
    // The inclusive `maximum: 9` is stricter than `exclusiveMaximum: 10`.
    assert_eq!(
        (integer.maximum, integer.exclusive_maximum),
        (Some(9), false)
    );
    let format = |name: &str| match property(name).schema_kind {
        SchemaKind::Type(Type::String(string)) => string.format,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        format("avatar"),
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte)
    );
    assert_eq!(
        format("raw"),
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
    );
    assert_eq!(format("json"), VariantOrUnknownOrEmpty::Empty);
    // A binary body needs no schema at all in 3.1; it is bytes either way.
    let api = api(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /upload:\n    post:\n      operationId: upload\n      requestBody:\n        content:\n          image/png: {schema: {contentMediaType: image/png}}\n      responses:\n        '204': {description: done}\n",
    );
    assert_eq!(
        api.operations[0].request_body.as_ref().unwrap().ty,
        TypeRef::Bytes
    );
}

#[test]
fn optional_references_and_references_with_siblings() {
    let api = api(&with_thing(
        "type: object
required: [owner, extended]
properties:
  owner: {anyOf: [{type: 'null'}, {$ref: '#/components/schemas/user'}]}
  either: {oneOf: [{$ref: '#/components/schemas/user'}, {type: 'null'}, {$ref: '#/components/schemas/team'}]}
  described: {$ref: '#/components/schemas/user', description: Who made it., deprecated: true}
  habit: {$ref: '#/components/schemas/user', nullable: true}
  extended:
    $ref: '#/components/schemas/user'
    required: [role]
    properties:
      role: {type: string}
",
        "user: {type: object, required: [login], properties: {login: {type: string}}}\nteam: {type: object, properties: {slug: {type: string}}}\n",
    ));
    let owner = field(&api, "Thing", "owner");
    assert_eq!((&owner.ty, owner.nullable), (&named("User"), true));
    let either = field(&api, "Thing", "either");
    assert!(either.nullable);
    let TypeRef::Named(either) = &either.ty else {
        panic!()
    };
    assert!(
        matches!(&type_def(&api, either).kind, TypeKind::OneOf { variants, .. } if variants.len() == 2)
    );
    let described = field(&api, "Thing", "described");
    assert_eq!(described.ty, named("User"));
    assert_eq!(described.description.as_deref(), Some("Who made it."));
    assert!(described.deprecated);
    assert!(field(&api, "Thing", "habit").nullable);
    // Object keywords beside a `$ref` add to the referenced object.
    let TypeRef::Named(extended) = &field(&api, "Thing", "extended").ty else {
        panic!()
    };
    let TypeKind::Struct { fields, .. } = &type_def(&api, extended).kind else {
        panic!()
    };
    let names: Vec<(&str, bool)> = fields
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(names, [("login", true), ("role", true)]);
}

#[test]
fn paths_are_optional_and_webhooks_are_left_out() {
    let spec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  newThing:\n    post:\n      requestBody:\n        content:\n          application/json: {schema: {type: object}}\n      responses:\n        '200': {description: ok}\n";
    let generated = generate(spec);
    let operations = generated
        .files
        .iter()
        .find(|f| f.path == "src/operations.rs")
        .unwrap();
    assert!(!operations.contents.contains("pub async fn"));
    let webhooks = find(&generated.warnings, "#/webhooks");
    assert_eq!(webhooks.line, Some((3, 1)));
    assert!(
        webhooks.message.contains("requests the API sends"),
        "{webhooks}"
    );
}

#[test]
fn path_items_by_reference_are_written_out_in_place() {
    let spec = "openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things/{id}:
    $ref: '#/components/pathItems/thing'
    description: One thing.
components:
  pathItems:
    thing:
      parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      get:
        operationId: get-thing
        responses:
          '200':
            description: ok
            content:
              application/json:
                schema: {type: [string, 'null']}
";
    let api = api(spec);
    assert_eq!(api.operations.len(), 1);
    assert_eq!(api.operations[0].path, "/things/{id}");
    assert_eq!(api.operations[0].parameters[0].ty, TypeRef::I64);
    // A problem inside is reported where the path item is written, not where it was copied.
    let broken = spec.replace(
        "{type: [string, 'null']}",
        "{$ref: '#/components/schemas/gone'}",
    );
    let diagnostics = problems(&broken);
    let error = diagnostics.errors().next().unwrap();
    assert_eq!(
        error.pointer,
        "#/components/pathItems/thing/get/responses/200/content/application~1json/schema"
    );
    assert_eq!(error.line, Some((19, 17)), "{error}");
    let dangling = problems(&spec.replace("pathItems/thing'", "pathItems/other'"));
    let error = dangling.errors().next().unwrap();
    assert_eq!(error.pointer, "#/paths/~1things~1{id}/$ref");
    assert_eq!(error.line, Some((5, 5)), "{error}");
    assert!(error.message.contains("does not exist"), "{error}");
}

/// `$ref`s to a parameter of another operation, or to a schema inside another: `lower`
/// follows references to components, so the targets become components.
#[test]
fn refs_into_other_places_are_followed() {
    let api = api("openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      operationId: get-thing
      parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  size: {type: integer, format: int32}
  /things/{id}/size:
    get:
      operationId: get-size
      parameters:
      - $ref: '#/paths/~1things~1%7Bid%7D/get/parameters/0'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/paths/~1things~1{id}/get/responses/200/content/application~1json/schema/properties/size'}
");
    let size = &api.operations[1];
    assert_eq!(size.parameters[0].name, "id");
    assert_eq!(size.parameters[0].ty, TypeRef::I64);
    let body = size.responses[0].body.as_ref().unwrap();
    assert!(
        matches!(&body.ty, TypeRef::I32)
            || matches!(&body.ty, TypeRef::Named(name) if matches!(&type_def(&api, name).kind, TypeKind::Alias { target: TypeRef::I32 })),
        "{:?}",
        body.ty
    );
}

#[test]
fn info_summary_license_identifier_and_dialects() {
    let spec = "openapi: 3.1.1
info:
  title: t
  version: '1'
  summary: Things, briefly.
  license: {name: MIT, identifier: MIT}
jsonSchemaDialect: https://spec.openapis.org/oas/3.1/dialect/base
paths: {}
";
    let generated = generate(spec);
    assert!(generated.warnings.is_empty(), "{:#?}", generated.warnings);
    assert_eq!(api(spec).description.as_deref(), Some("Things, briefly."));
    let other = spec.replace(
        "https://spec.openapis.org/oas/3.1/dialect/base",
        "https://json-schema.org/draft-07/schema",
    );
    let warnings = warnings_of(&other);
    assert_eq!(find(&warnings, "#/jsonSchemaDialect").line, Some((7, 1)));
}

#[test]
fn defs_become_components_and_anchors_are_followed() {
    let api = api(&with_thing(
        "type: object
properties:
  owner: {$ref: '#/components/schemas/thing/$defs/owner'}
  tag: {$ref: '#tag'}
$defs:
  owner:
    type: object
    properties:
      name: {type: string}
  tag:
    $anchor: tag
    type: string
    enum: [a, b]
",
        "",
    ));
    assert_eq!(field(&api, "Thing", "owner").ty, named("ThingOwner"));
    assert_eq!(field(&api, "Thing", "tag").ty, named("ThingTag"));
    assert!(matches!(
        &type_def(&api, "ThingTag").kind,
        TypeKind::Enum { variants, .. } if variants.len() == 2
    ));
}

/// What 3.0 cannot say is left out, towards a wider type, with a warning at the keyword as
/// written, with its line.
#[test]
fn inexpressible_keywords_warn_and_widen() {
    let spec = with_thing(
        "type: object
properties:
  pair: {type: array, prefixItems: [{type: string}, {type: integer}], items: false}
  shape:
    type: object
    properties:
      kind: {type: string}
    if: {properties: {kind: {const: circle}}}
    then: {required: [radius]}
  labels: {type: object, patternProperties: {'^x-': {type: string}}, additionalProperties: false}
  loose: {type: object, patternProperties: {'^a': {type: string}, '^b': {type: integer}}}
  strict: {allOf: [{$ref: '#/components/schemas/base'}], unevaluatedProperties: {type: integer}}
  depends: {type: object, properties: {a: {type: string}}, dependentSchemas: {a: {required: [b]}}}
  dynamic: {$dynamicRef: '#node'}
  never: false
",
        "base: {type: object, properties: {id: {type: integer}}}\n",
    );
    let generated = generate(&spec);
    let base = "#/components/schemas/thing/properties";
    for (pointer, line, says) in [
        ("pair/prefixItems", 18, "tuple"),
        ("shape/if", 23, "`if`/`then`/`else`"),
        ("loose/patternProperties", 26, "`patternProperties`"),
        (
            "strict/unevaluatedProperties",
            27,
            "`unevaluatedProperties`",
        ),
        ("depends/dependentSchemas", 28, "`dependentSchemas`"),
        ("dynamic/$dynamicRef", 29, "`$dynamicRef`"),
        ("never", 30, "`false` schema"),
    ] {
        let warning = find(&generated.warnings, &format!("{base}/{pointer}"));
        assert_eq!(warning.line.map(|(l, _)| l), Some(line), "{warning}");
        assert!(warning.message.contains(says), "{warning}");
        assert!(!warning.is_error());
    }
    assert_eq!(generated.warnings.len(), 7, "{:#?}", generated.warnings);
    let api = api(&spec);
    assert_eq!(
        field(&api, "Thing", "pair").ty,
        TypeRef::Vec(Box::new(TypeRef::Json))
    );
    // One pattern and nothing else allowed: the pattern's type is the values' type.
    assert_eq!(
        field(&api, "Thing", "labels").ty,
        TypeRef::Map(Box::new(TypeRef::String))
    );
    assert_eq!(
        field(&api, "Thing", "loose").ty,
        TypeRef::Map(Box::new(TypeRef::Json))
    );
    assert_eq!(field(&api, "Thing", "dynamic").ty, TypeRef::Json);
    assert_eq!(field(&api, "Thing", "never").ty, TypeRef::Json);
    let text: Vec<String> = generated.warnings.iter().map(|w| w.to_string()).collect();
    insta::assert_snapshot!(text.join("\n\n"));
}

#[test]
fn lower_diagnostics_point_into_the_31_document() {
    let spec = with_thing(
        "type: object
properties:
  p: {$ref: '#/components/schemas/missing', description: Gone.}
  q:
    anyOf:
    - type: 'null'
    - $ref: '#/components/schemas/absent'
",
        "",
    );
    let diagnostics = problems(&spec);
    let base = "#/components/schemas/thing/properties";
    let p = find(&diagnostics.0, &format!("{base}/p"));
    assert!(p.message.contains("`#/components/schemas/missing`"), "{p}");
    assert_eq!(p.line, Some((18, 9)), "{p}");
    let q = find(&diagnostics.0, &format!("{base}/q/anyOf/1"));
    assert!(q.message.contains("`#/components/schemas/absent`"), "{q}");
    assert_eq!(q.line, Some((22, 11)), "{q}");
    // The same in JSON: GitHub publishes JSON.
    let document: Value = serde_yaml::from_str(&spec).unwrap();
    let json = serde_json::to_string_pretty(&document).unwrap();
    let diagnostics = match codegen::generate(&json, &config("s.json")) {
        Err(diagnostics) => diagnostics,
        Ok(_) => panic!("expected diagnostics"),
    };
    let q = find(&diagnostics.0, &format!("{base}/q/anyOf/1"));
    // The line of the branch's `{`; its `$ref` is on the next.
    let (line, _) = q.line.expect("JSON diagnostics have lines");
    let line = line as usize;
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines[line - 1].trim(), "{", "{q}");
    assert!(
        lines[line].contains("\"$ref\": \"#/components/schemas/absent\""),
        "{q}"
    );
}

#[test]
fn security_schemes_callbacks_and_versions() {
    let spec = "openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    post:
      operationId: a
      callbacks:
        done:
          '{$request.body#/url}':
            post: {responses: {'200': {description: ok}}}
components:
  securitySchemes:
    cert: {type: mutualTLS}
    token: {type: http, scheme: bearer}
";
    let warnings = warnings_of(spec);
    assert_eq!(
        find(&warnings, "#/paths/~1a/post/callbacks").line,
        Some((7, 7))
    );
    assert_eq!(
        find(&warnings, "#/components/securitySchemes/cert").line,
        Some((13, 5))
    );
    let swagger = problems("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(swagger
        .to_string()
        .contains("Swagger 2.0 documents are not supported"));
    let future = problems("openapi: 3.3.0\ninfo: {title: t, version: '1'}\n");
    assert!(
        future
            .to_string()
            .contains("unknown OpenAPI version `3.3.0`"),
        "{future}"
    );
}

/// Nesting is bounded by the parsers (JSON and YAML refuse more than 128 levels), and every
/// walk over the document keeps its own stack; either way, no input overflows the thread's.
#[test]
fn deep_nesting_never_overflows_the_stack() {
    // Built as text: building (or dropping) a deep `Value` would recurse here.
    let nested = |depth: usize| -> String {
        format!(
            r#"{{"openapi": "3.1.0", "info": {{"title": "t", "version": "1"}}, "components": {{"schemas": {{"deep": {}{{"type": ["string", "null"]}}{}}}}}}}"#,
            r#"{"type": "array", "items": {"anyOf": ["#.repeat(depth),
            r#", {"type": "null"}]}}"#.repeat(depth),
        )
    };
    generate(&nested(20));
    let diagnostics = codegen::generate(&nested(100_000), &config("deep.json")).unwrap_err();
    assert!(
        diagnostics.to_string().contains("recursion limit"),
        "{diagnostics}"
    );
}
