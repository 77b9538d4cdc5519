//! Bad specs get every problem reported, each with the file and a JSON pointer; never a panic.

fn problems(spec: &str) -> String {
    let config = codegen::Config {
        crate_name: "example".into(),
        crate_version: "0.1.0".into(),
        spec_name: "bad.yaml".into(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    };
    match codegen::generate(spec, &config) {
        Ok(_) => panic!("expected diagnostics for:\n{spec}"),
        Err(diagnostics) => diagnostics.to_string(),
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn dangling_reference() {
    let message = problems(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: get-a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/missing'}}\n"
    ));
    assert!(
        message.contains("`$ref` to `#/components/schemas/missing`, which does not exist"),
        "{message}"
    );
    assert!(
        message.contains("--> bad.yaml:12:15\n"),
        "the line of `schema:`: {message}"
    );
    assert!(
        message.contains("at #/paths/~1a/get/responses/200/content/application~1json/schema"),
        "{message}"
    );
}

/// Generates `spec`, which must succeed; returns the warnings as printed, and the code.
fn warnings(spec: &str) -> (String, String) {
    let config = codegen::Config {
        crate_name: "example".into(),
        crate_version: "0.1.0".into(),
        spec_name: "loose.yaml".into(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    };
    let generated = codegen::generate(spec, &config).unwrap_or_else(|e| panic!("{e}"));
    let printed: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    let code = generated
        .files
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| f.contents.as_str())
        .collect();
    (printed.join("\n\n"), code)
}

#[test]
fn loose_operations_generate_what_can_be_sent_and_warn() {
    let (warned, code) = warnings(&format!(
        "{HEAD}paths:
  /a/{{id}}:
    get:
      responses: {{'204': {{description: ok}}}}
    delete:
      operationId: same
      responses: {{'204': {{description: ok}}}}
      parameters:
      - {{name: id, in: path, required: true, schema: {{type: string}}}}
      - {{name: other, in: path, required: true, schema: {{type: string}}}}
  /b/{{x}}:
    get:
      operationId: same
      responses: {{'204': {{description: ok}}}}
"
    ));
    for expected in [
        "warning: operationId `same` is used twice; this one is `same_2`",
        "warning: path parameter `other` does not appear in the path `/a/{id}`; it is not sent",
        "warning: path `/a/{id}` has `{id}`, but the operation declares no path parameter `id`; it is taken as text",
        "warning: path `/b/{x}` has `{x}`, but the operation declares no path parameter `x`",
        "--> loose.yaml:",
    ] {
        assert!(
            warned.contains(expected),
            "missing {expected:?} in:\n{warned}"
        );
    }
    // Without an operationId, the method is named after the method and the path.
    for method in [
        "pub async fn get_a_id(&self, id: &str)",
        "pub async fn same(&self, id: &str)",
        "pub async fn same_2(&self, x: &str)",
    ] {
        assert!(code.contains(method), "missing `{method}` in:\n{code}");
    }
    assert!(
        !code.contains("other: &str"),
        "the undeclared parameter is not sent"
    );
}

#[test]
fn names_that_collide_in_rust_are_numbered_and_said() {
    let (warned, code) = warnings(&format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getThing
      responses: {{'204': {{description: ok}}}}
  /b:
    get:
      operationId: get-thing
      parameters:
      - {{name: id, in: path, required: true, schema: {{type: string}}}}
      - {{name: id, in: query, required: true, schema: {{type: integer}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  fooBar: {{type: string}}
                  foo_bar: {{type: string}}
components:
  schemas:
    Thing: {{type: string}}
    thing: {{type: integer}}
"
    ));
    for expected in [
        "operationIds `getThing` and `get-thing` both become the method `get_thing`; this one is `get_thing_2`",
        "properties `fooBar` and `foo_bar` both become the Rust field `foo_bar`; `foo_bar` is `foo_bar_2`",
        "path parameter `id` and query parameter `id` both become the Rust argument `id`; the second is `id_2`",
        "component schemas `Thing` and `thing` both become the Rust type `Thing`; `thing` is `Thing2`",
    ] {
        assert!(
            warned.contains(expected),
            "missing {expected:?} in:\n{warned}"
        );
    }
    for generated in [
        "pub async fn get_thing_2(",
        "pub foo_bar_2: Option<String>",
        "#[serde(rename = \"foo_bar\")]",
        "id_2: i64",
    ] {
        assert!(
            code.contains(generated),
            "missing `{generated}` in:\n{code}"
        );
    }
}

#[test]
fn unsupported_documents_and_constructs() {
    let swagger = problems("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(
        swagger.contains("Swagger 2.0 documents are not supported"),
        "{swagger}"
    );
    // 3.2 is read (`tests/openapi32.rs`); a version after it is not guessed at.
    let v33 = problems("openapi: 3.3.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(
        v33.contains("unknown OpenAPI version `3.3.0`; 3.0.x, 3.1.x and 3.2.x are supported"),
        "{v33}"
    );
    let syntax = problems("openapi: 3.0.3\ninfo: [unclosed\n");
    assert!(syntax.contains("--> bad.yaml:"), "{syntax}");
    let cycle = problems(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/x'}}\ncomponents:\n  schemas:\n    x:\n      allOf:\n      - $ref: '#/components/schemas/x'\n      - {{properties: {{a: {{type: string}}}}}}\n"
    ));
    assert!(cycle.contains("`allOf` cycle: x -> x"), "{cycle}");
}

#[test]
fn an_operation_that_cannot_be_generated_is_left_out_with_a_warning() {
    let (warned, code) = warnings(&format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: kept
      responses: {{'204': {{description: ok}}}}
  /b:
    get:
      operationId: elsewhere
      parameters:
      - $ref: 'other.yaml#/components/parameters/x'
      responses: {{'204': {{description: ok}}}}
"
    ));
    assert!(
        warned.contains("`$ref` to `other.yaml#/components/parameters/x`, in another document, which is not supported; the operation is left out"),
        "{warned}"
    );
    assert!(code.contains("pub async fn kept("), "{code}");
    assert!(!code.contains("fn elsewhere("), "{code}");
}

#[test]
fn cyclic_component_references() {
    let message = problems(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/x'}}\ncomponents:\n  schemas:\n    x: {{$ref: '#/components/schemas/y'}}\n    y: {{$ref: '#/components/schemas/x'}}\n"
    ));
    assert!(message.contains("`$ref` cycle: x -> y -> x"), "{message}");
}

#[test]
fn recursive_schemas_are_boxed() {
    let spec = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/node'}}\ncomponents:\n  schemas:\n    node:\n      type: object\n      properties:\n        next: {{$ref: '#/components/schemas/node'}}\n        children: {{type: array, items: {{$ref: '#/components/schemas/node'}}}}\n"
    );
    let config = codegen::Config {
        crate_name: "e".into(),
        crate_version: "0.1.0".into(),
        spec_name: "r.yaml".into(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    };
    let files = codegen::generate(&spec, &config)
        .unwrap_or_else(|e| panic!("{e}"))
        .files;
    let types = &files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .unwrap()
        .contents;
    assert!(types.contains("pub next: Option<Box<Node>>"), "{types}");
    assert!(types.contains("pub children: Option<Vec<Node>>"), "{types}");
}

/// OpenAPI says header parameters named `Accept`, `Content-Type` and `Authorization` are
/// ignored: the client sets those. Each is left out with a warning that points at it.
#[test]
fn headers_the_client_sets_are_not_parameters() {
    let (warned, code) = warnings(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: get-a\n      parameters:\n        - {{name: Accept, in: header, schema: {{type: string}}}}\n        - {{name: content-type, in: header, schema: {{type: string}}}}\n        - {{name: Authorization, in: header, required: true, schema: {{type: string}}}}\n        - {{name: X-Request-Id, in: header, schema: {{type: string}}}}\n      responses: {{'204': {{description: done}}}}\n"
    ));
    for name in ["Accept", "content-type", "Authorization"] {
        assert!(
            warned.contains(&format!("header parameter `{name}` is ignored")),
            "{name}: {warned}"
        );
    }
    assert!(
        warned.contains("at #/paths/~1a/get/parameters/2"),
        "{warned}"
    );
    assert!(code.contains("\"X-Request-Id\""), "the others stay");
    assert!(
        !code.contains("authorization: &str") && !code.contains("pub accept:"),
        "{code}"
    );
}

/// A parameter described by `content` is sent: JSON serialized, text as it is, any other
/// media type as text with a warning. The operation stays.
#[test]
fn content_described_parameters_are_sent() {
    let (warned, code) = warnings(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: get-a\n      parameters:\n        - name: filter\n          in: query\n          content: {{application/json: {{schema: {{type: object, properties: {{n: {{type: integer}}}}}}}}}}\n        - name: note\n          in: query\n          content: {{text/plain: {{schema: {{type: string}}}}}}\n        - name: shape\n          in: header\n          content: {{application/xml: {{schema: {{type: string}}}}}}\n      responses: {{'204': {{description: done}}}}\n"
    ));
    assert!(
        code.contains("pub async fn get_a("),
        "the operation stays: {warned}"
    );
    assert!(code.contains("pub note: Option<String>"), "{code}");
    assert!(code.contains("pub shape: Option<String>"), "{code}");
    assert!(
        warned.contains("parameter `shape` is sent as application/xml")
            && !warned.contains("`note`"),
        "{warned}"
    );
}

/// What lenient tools read past generates, each fault with a warning that points at it:
/// an integer version, integer server variable values, a response without `description`,
/// an operation without `responses`, a header parameter with `style: form`.
#[test]
fn cosmetic_faults_generate_with_a_located_warning_each() {
    let spec = "openapi: 3.0.3\ninfo:\n  title: t\n  version: 1\nservers:\n  - url: 'http://{host}:{port}'\n    variables:\n      host: {default: localhost}\n      port: {default: 80, enum: [80, 8080]}\npaths:\n  /a:\n    get:\n      operationId: get-a\n      parameters:\n        - {name: X-Tags, in: header, style: form, schema: {type: array, items: {type: string}}}\n      responses:\n        '200':\n          content: {application/json: {schema: {type: string}}}\n  /b:\n    delete:\n      operationId: delete-b\n";
    let (warned, code) = warnings(spec);
    for (message, place) in [
        (
            "`info.version` is 1, not a string; read as `1`",
            "loose.yaml:4:",
        ),
        ("`default` is 80, not a string", "loose.yaml:9:"),
        ("`enum` has values that are not strings", "loose.yaml:9:"),
        (
            "header parameter `X-Tags` has `style: form`",
            "loose.yaml:15:",
        ),
        ("the response has no `description`", "loose.yaml:17:"),
        ("the operation has no `responses`", "loose.yaml:20:"),
    ] {
        let at = warned
            .split("\n\n")
            .find(|w| w.contains(message))
            .unwrap_or_else(|| panic!("no warning {message:?} in:\n{warned}"));
        assert!(at.contains(place), "{message} at {place}:\n{at}");
    }
    assert!(code.contains("pub async fn delete_b("), "{code}");
    assert!(code.contains("one of `80`, `8080`"), "{code}");
}

#[test]
fn a_document_without_paths_is_a_crate_of_types() {
    let (warned, code) = warnings("openapi: 3.0.3\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n");
    assert!(warned.contains("no `paths`"), "{warned}");
    assert!(code.contains("pub struct Pet"), "{code}");
}

/// Every shape error of a document in one run, each with its line; a missing top-level field
/// at the document's first line.
#[test]
fn every_shape_error_is_reported_at_once() {
    let message = problems(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: get-a\n      parameters:\n        - {{name: x, in: nowhere}}\n      responses: {{'204': {{description: done}}}}\n  /b:\n    get:\n      operationId: get-b\n      responses: 7\ncomponents:\n  schemas:\n    Pet: {{type: object, properties: 3}}\n"
    ));
    for place in ["bad.yaml:8:", "bad.yaml:13:", "bad.yaml:16:"] {
        assert!(message.contains(place), "{place}:\n{message}");
    }
    let message = problems("openapi: 3.0.3\npaths: {}\n");
    assert!(message.contains("`info`"), "{message}");
    assert!(message.contains("--> bad.yaml:1:1"), "{message}");
}
