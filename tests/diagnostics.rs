//! Bad specs get every problem reported, each with the file and a JSON pointer; never a panic.

fn problems(spec: &str) -> String {
    let config = codegen::Config {
        crate_name: "example".into(),
        crate_version: "0.1.0".into(),
        spec_name: "bad.yaml".into(),
        guide: None,
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

#[test]
fn operation_problems_are_all_reported() {
    let message = problems(&format!(
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
        "operation has no operationId",
        "hint: add `operationId: get-a-id`",
        "duplicate operationId `same`",
        "path parameter `other` does not appear in the path `/a/{id}`",
        "path `/a/{id}` has `{id}`, but the operation declares no path parameter `id`",
        "path `/b/{x}` has `{x}`, but the operation declares no path parameter `x`",
        "errors",
    ] {
        assert!(
            message.contains(expected),
            "missing {expected:?} in:\n{message}"
        );
    }
}

#[test]
fn names_that_collide_after_case_conversion() {
    let message = problems(&format!(
        "{HEAD}paths:
  /a:
    get:
      operationId: getThing
      responses: {{'204': {{description: ok}}}}
  /b:
    get:
      operationId: get-thing
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
"
    ));
    assert!(
        message
            .contains("operationIds `getThing` and `get-thing` both become the method `get_thing`"),
        "{message}"
    );
    assert!(
        message.contains("properties `fooBar` and `foo_bar` both become the Rust field `foo_bar`"),
        "{message}"
    );
}

#[test]
fn unsupported_documents_and_constructs() {
    let swagger = problems("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(
        swagger.contains("Swagger 2.0 documents are not supported"),
        "{swagger}"
    );
    let v32 = problems("openapi: 3.2.0\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(v32.contains("unknown OpenAPI version `3.2.0`"), "{v32}");
    let syntax = problems("openapi: 3.0.3\ninfo: [unclosed\n");
    assert!(syntax.contains("--> bad.yaml:"), "{syntax}");
    let multipart = problems(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            multipart/mixed:\n              schema: {{type: string}}\n"
    ));
    assert!(
        multipart.contains("responses of type multipart/mixed are not supported yet"),
        "{multipart}"
    );
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
