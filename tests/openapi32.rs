//! OpenAPI 3.2 documents: what each addition becomes in the IR, and diagnostics about what
//! 3.2 adds pointing into the document as written (the rewrite into 3.0's shape moves those
//! additions into extensions). Generated crates built and run: `nested.rs`.

use codegen::ir::{Encoding, HttpMethod, ParameterStyle};
use codegen::{Config, Diagnostic, Diagnostics};

fn config(spec_name: &str) -> Config {
    Config {
        crate_name: "api".to_owned(),
        crate_version: "0.1.0".to_owned(),
        spec_name: spec_name.to_owned(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    }
}

/// The warnings of generating `text`, as (pointer, line, message).
fn warnings(text: &str) -> Vec<(String, Option<u32>, String)> {
    let generated = codegen::generate(text, &config("api.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let placed = |w: Diagnostic| (w.pointer, w.line.map(|(line, _)| line), w.message);
    generated.warnings.into_iter().map(placed).collect()
}

fn errors(text: &str) -> Diagnostics {
    codegen::generate(text, &config("api.yaml")).expect_err("an error")
}

const HEAD: &str = "openapi: 3.2.0\ninfo: {title: t, version: '1'}\n";

#[test]
fn query_and_additional_operations_are_operations_with_their_methods() {
    let text = std::fs::read_to_string(
        tests::workspace_root().join("tests/specs/openapi32/additions.yaml"),
    )
    .unwrap();
    let loaded = codegen::load(&text, "additions.yaml").unwrap();
    let api = codegen::lower(&loaded.spec, "additions.yaml").unwrap().api;
    let methods: Vec<(&str, &str)> = api
        .operations
        .iter()
        .map(|op| (op.method_name.as_str(), op.http_method.as_str()))
        .collect();
    assert_eq!(
        methods,
        [
            ("query_documents", "QUERY"),
            ("get_document", "GET"),
            ("copy_document", "COPY"),
            ("lock_document", "LOCK"),
            ("find_documents", "GET"),
            ("search_by_json", "GET"),
            ("get_shape", "GET"),
        ]
    );
    let copy = api
        .operations
        .iter()
        .find(|op| op.http_method == HttpMethod::Other("COPY".into()))
        .unwrap();
    // The path item's parameters apply to the operations it carries, as to its own.
    assert_eq!(
        copy.parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["id", "Destination"]
    );
    let library = api.features.iter().find(|f| f.name == "library").unwrap();
    assert_eq!(library.includes, ["documents", "search"]);
}

#[test]
fn item_schemas_type_each_item_of_a_stream() {
    let text = std::fs::read_to_string(
        tests::workspace_root().join("tests/specs/openapi32/streams.32.yaml"),
    )
    .unwrap();
    let loaded = codegen::load(&text, "streams.yaml").unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let api = codegen::lower(&loaded.spec, "streams.yaml").unwrap().api;
    let streams: Vec<(String, Encoding, String)> = api
        .operations
        .iter()
        .map(|op| {
            let body = op.stream().expect("every operation streams");
            (op.method_name.clone(), body.encoding, body.ty.to_string())
        })
        .collect();
    assert_eq!(
        streams,
        [
            (
                "watch_topic".to_owned(),
                Encoding::EventStream,
                "Delta".to_owned()
            ),
            (
                "ticks".to_owned(),
                Encoding::EventStream,
                "String".to_owned()
            ),
            (
                "export_logs".to_owned(),
                Encoding::JsonLines,
                "LogLine".to_owned()
            ),
            (
                "export_records".to_owned(),
                Encoding::JsonSeq,
                "Record".to_owned()
            ),
        ]
    );
    // Responses with a summary and no description are documented by the summary.
    assert_eq!(
        api.operations[0].responses[0].description,
        "Each change to the topic, as it happens."
    );
}

#[test]
fn what_is_not_followed_is_a_warning_where_the_document_says_it() {
    let text = format!(
        "{HEAD}$self: https://example.com/other.yaml\npaths:\n  /x:\n    query:\n      operationId: q\n      parameters:\n        - {{name: Accept, in: header, schema: {{type: string}}}}\n      responses:\n        '200':\n          content:\n            application/json:\n              itemSchema: {{type: string}}\n    additionalOperations:\n      GET:\n        operationId: g\n        responses: {{'204': {{description: ok}}}}\n      'BAD METHOD':\n        operationId: b\n        responses: {{'204': {{description: ok}}}}\n  /y:\n    get:\n      operationId: y\n      parameters:\n        - name: filter\n          in: querystring\n          content:\n            application/xml:\n              schema: {{type: object}}\n      responses:\n        '200':\n          content:\n            application/json:\n              $ref: '#/components/mediaTypes/Missing'\n        '400':\n          content:\n            text/plain:\n              $ref: 'common.yaml#/components/mediaTypes/Text'\n"
    );
    let found = warnings(&text);
    let at = |pointer: &str| {
        found
            .iter()
            .find(|(p, _, _)| p == pointer)
            .unwrap_or_else(|| panic!("no warning at {pointer}: {found:#?}"))
    };
    assert!(at("#/$self")
        .2
        .contains("(`https://example.com/other.yaml`) is not followed"));
    assert_eq!(at("#/$self").1, Some(3));
    // Inside the carried `query` operation, where the document has it.
    let accept = at("#/paths/~1x/query/parameters/0");
    assert!(
        accept.2.contains("header parameter `Accept` is ignored"),
        "{accept:?}"
    );
    assert_eq!(accept.1, Some(9));
    let item_schema = at("#/paths/~1x/query/responses/200/content/application~1json/itemSchema");
    assert!(item_schema.2.contains("is not read"), "{item_schema:?}");
    assert!(at("#/paths/~1x/additionalOperations/GET")
        .2
        .contains("has a field of its own"));
    assert!(at("#/paths/~1x/additionalOperations/BAD METHOD")
        .2
        .contains("not a method"));
    let querystring = at("#/paths/~1y/get/parameters/0");
    assert!(
        querystring.2.contains(
            "is described as application/xml; it can be written as form fields, JSON or text"
        ),
        "{querystring:?}"
    );
    assert!(
        querystring.2.contains("the operation is left out"),
        "{querystring:?}"
    );
    let media_type = at("#/paths/~1y/get/responses/200/content/application~1json/$ref");
    assert!(
        media_type.2.contains("names no media type"),
        "{media_type:?}"
    );
    let elsewhere = at("#/paths/~1y/get/responses/400/content/text~1plain/$ref");
    assert!(
        elsewhere.2.contains("is not a media type of this document"),
        "{elsewhere:?}"
    );
}

#[test]
fn self_naming_the_file_read_is_no_warning() {
    let text = format!("{HEAD}$self: https://example.com/specs/api.yaml\npaths: {{}}\n");
    assert_eq!(warnings(&text), []);
}

#[test]
fn shape_errors_in_carried_operations_point_into_the_document_as_written() {
    let text = format!(
        "{HEAD}paths:\n  /x:\n    additionalOperations:\n      COPY:\n        operationId: c\n        parameters: 5\n        responses: {{'204': {{description: ok}}}}\n"
    );
    let found = errors(&text);
    let error = found.errors().next().unwrap_or_else(|| panic!("{found}"));
    assert_eq!(
        error.pointer, "#/paths/~1x/additionalOperations/COPY/parameters",
        "{found}"
    );
    assert!(
        error
            .message
            .starts_with("invalid type: integer `5`, expected a sequence"),
        "{found}"
    );
    assert_eq!(error.line.map(|(line, _)| line), Some(8), "{found}");
}

#[test]
fn a_whole_query_string_leaves_out_the_query_fields_beside_it() {
    let text = format!(
        "{HEAD}paths:\n  /x:\n    get:\n      operationId: x\n      parameters:\n        - {{name: page, in: query, schema: {{type: integer}}}}\n        - name: q\n          in: querystring\n          required: true\n          content:\n            application/json:\n              schema: {{type: object, properties: {{a: {{type: string}}}}}}\n      responses: {{'204': {{description: ok}}}}\n"
    );
    let found = warnings(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "#/paths/~1x/get/parameters");
    assert!(
        found[0]
            .2
            .contains("query parameter `page` cannot be sent beside an `in: querystring` one"),
        "{found:#?}"
    );
    let loaded = codegen::load(&text, "api.yaml").unwrap();
    let api = codegen::lower(&loaded.spec, "api.yaml").unwrap().api;
    let parameters: Vec<(&str, ParameterStyle)> = api.operations[0]
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.style))
        .collect();
    assert_eq!(parameters, [("q", ParameterStyle::QueryStringJson)]);
}

#[test]
fn a_stream_among_successes_that_answer_otherwise_is_read_whole() {
    let text = format!(
        "{HEAD}paths:\n  /x:\n    get:\n      operationId: x\n      responses:\n        '200':\n          description: events\n          content:\n            text/event-stream:\n              itemSchema: {{$ref: '#/components/schemas/D'}}\n        '201':\n          description: one\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/D'}}\ncomponents:\n  schemas:\n    D: {{type: object, properties: {{a: {{type: string}}}}}}\n"
    );
    let found = warnings(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "#/paths/~1x/get/responses/200");
    assert!(
        found[0].2.contains("`text/event-stream` is read whole"),
        "{found:#?}"
    );
    let loaded = codegen::load(&text, "api.yaml").unwrap();
    let api = codegen::lower(&loaded.spec, "api.yaml").unwrap().api;
    assert!(api.operations[0].stream().is_none());
    assert!(matches!(
        api.operations[0].success,
        codegen::ir::Success::Enum { .. }
    ));
}
