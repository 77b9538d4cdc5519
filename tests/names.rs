//! Names decided once: a spec may name its parameters and properties after any identifier
//! the generated code uses for itself, and every argument still arrives in its own place.
//!
//! The identifiers are not listed by hand. A probe crate is generated from a spec that
//! exercises every template `emit` has (path, query, header and cookie parameters in plain
//! and styled forms, optional parameters, JSON and multipart bodies, several success
//! types, pagination, owner dispatch, server variables); every identifier in the bodies of
//! its functions is collected; and a second spec names its parameters, body properties and
//! server variables after each of them. That crate must build warning-free, and a test
//! generated with it, run against a loopback server, checks where each value arrives.

use codegen::Profile;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use syn::visit::Visit;
use tests::nested::NestedCrate;

/// Identifiers that are the spec's structure rather than names it may choose: the owner
/// parameters of GitHub's route families.
const STRUCTURAL: [&str; 2] = ["org", "username"];

/// A spec whose every operation takes one parameter (or body property) per name in
/// `names`, in each place a parameter can stand.
fn spec(names: &[String]) -> Value {
    let string = json!({"type": "string"});
    let parameters = |location: &str, required: bool, schema: &Value, extra: &Value| -> Value {
        names
            .iter()
            .map(|name| {
                let mut parameter =
                    json!({"name": name, "in": location, "required": required, "schema": schema});
                for (key, value) in extra.as_object().into_iter().flatten() {
                    parameter[key] = value.clone();
                }
                parameter
            })
            .collect()
    };
    let object_of_strings = |names: &[String]| -> Value {
        let properties: Map<String, Value> =
            names.iter().map(|n| (n.clone(), string.clone())).collect();
        json!({"type": "object", "required": names, "properties": properties})
    };
    let templated: String = names.iter().map(|n| format!("/{{{n}}}")).collect();
    let no_content = json!({"204": {"description": "done"}});
    let list = json!({"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "array", "items": string}}}}});
    let operation = |id: &str, parameters: Value| json!({"operationId": id, "parameters": parameters, "responses": no_content});
    let array = json!({"type": "array", "items": string});
    let family_member = |id: &str| {
        let mut path = parameters("path", true, &string, &json!({}));
        if let Value::Array(query) = parameters("query", false, &string, &json!({})) {
            path.as_array_mut().unwrap().extend(query);
        }
        json!({"get": {"operationId": id, "parameters": path, "responses": list}})
    };
    let server_variables: Map<String, Value> = names
        .iter()
        .map(|n| (n.clone(), json!({"default": "d"})))
        .collect();
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Names", "version": "1"},
        "servers": [
            {"url": "https://api.github.com"},
            {"url": format!("https://example.test{templated}"), "description": "Named", "variables": server_variables}
        ],
        "paths": {
            format!("/path{templated}"): {"get": operation("path-params", parameters("path", true, &string, &json!({})))},
            format!("/label{templated}"): {"get": operation("label-params", parameters("path", true, &array, &json!({"style": "label", "explode": true})))},
            "/query": {
                "get": operation("query-params", parameters("query", true, &string, &json!({}))),
                "put": operation("optional-query-params", parameters("query", false, &array, &json!({}))),
                "patch": operation("piped-query-params", parameters("query", false, &array, &json!({"style": "pipeDelimited", "explode": false}))),
            },
            "/headers": {
                "get": operation("header-params", parameters("header", true, &string, &json!({}))),
                "put": operation("optional-header-params", parameters("header", false, &array, &json!({}))),
            },
            "/cookies": {"get": operation("cookie-params", parameters("cookie", false, &string, &json!({})))},
            "/json": {"post": {
                "operationId": "json-body",
                "parameters": parameters("query", true, &string, &json!({})),
                "requestBody": {"required": true, "content": {"application/json": {"schema": object_of_strings(names)}}},
                "responses": no_content
            }},
            "/multipart": {"post": {
                "operationId": "multipart-body",
                "parameters": parameters("query", true, &string, &json!({})),
                "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": object_of_strings(names)}}},
                "responses": no_content
            }},
            "/successes": {"get": {
                "operationId": "two-successes",
                "parameters": parameters("query", true, &string, &json!({})),
                "responses": {
                    "200": {"description": "a list", "content": {"application/json": {"schema": array}}},
                    "202": {"description": "accepted", "content": {"application/json": {"schema": string}}}
                }
            }},
            format!("/orgs/{{org}}/things{templated}"): family_member("things-for-org"),
            format!("/users/{{username}}/things{templated}"): family_member("things-for-user"),
            format!("/user/things{templated}"): family_member("things-for-authenticated-user"),
        },
    })
}

/// Fills in the owner parameters the family paths need (`org`, `username`).
fn with_owner_parameters(mut spec: Value) -> Value {
    let paths = spec["paths"].as_object_mut().unwrap();
    for (path, item) in paths.iter_mut() {
        for owner in STRUCTURAL {
            if path.contains(&format!("{{{owner}}}")) {
                let parameters = item["get"]["parameters"].as_array_mut().unwrap();
                parameters.insert(0, json!({"name": owner, "in": "path", "required": true, "schema": {"type": "string"}}));
            }
        }
    }
    spec
}

fn generate(spec: &Value, name: &str) -> NestedCrate {
    let path =
        std::env::temp_dir().join(format!("codegen-names-{name}-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_string_pretty(spec).unwrap()).unwrap();
    let generated =
        NestedCrate::generate(&path, &format!("{name}.json"), name, Some(Profile::Github));
    let _ = std::fs::remove_file(&path);
    generated
}

/// Every lowercase identifier in the bodies of the functions of `source`'s impl blocks.
fn body_identifiers(source: &str, found: &mut BTreeSet<String>) {
    struct Bodies<'a>(&'a mut BTreeSet<String>);
    impl<'ast> Visit<'ast> for Bodies<'_> {
        fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
            // The arguments and everything the body mentions.
            let mut all = Identifiers(Vec::new());
            all.visit_impl_item_fn(function);
            self.0.extend(all.0);
        }
    }
    struct Identifiers(Vec<String>);
    impl<'ast> Visit<'ast> for Identifiers {
        fn visit_ident(&mut self, ident: &'ast syn::Ident) {
            self.0.push(ident.to_string());
        }
    }
    let file = syn::parse_file(source).expect("generated code parses");
    Bodies(found).visit_file(&file);
}

fn is_choosable(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<syn::Ident>(name).is_ok()
        && !matches!(name, "self" | "crate" | "super")
        && !STRUCTURAL.contains(&name)
}

/// A test for the collisions crate: each operation called with `v-<name>` for each name,
/// and the request checked against where each value must arrive. `rust_name` gives the
/// field (and setter) of an optional parameter or body property, as the IR names it.
fn behaviour_test(names: &[String], rust_name: &dyn Fn(&str) -> String) -> String {
    let values = |each: &dyn Fn(&str) -> String| {
        names.iter().map(|n| each(n)).collect::<Vec<_>>().join(", ")
    };
    let strings = values(&|n| format!("\"v-{n}\""));
    let lists = values(&|n| format!("&[\"v-{n}\".to_owned(), \"w-{n}\".to_owned()][..]"));
    let setters = |each: &dyn Fn(&str) -> String| {
        names
            .iter()
            .map(|n| format!(".{}({})", rust_name(n), each(n)))
            .collect::<String>()
    };
    let optional_lists = setters(&|n| format!("vec![\"v-{n}\".to_owned(), \"w-{n}\".to_owned()]"));
    let optional_strings = setters(&|n| format!("\"v-{n}\""));
    // Body properties are required: the arguments of the JSON body's constructor, in
    // order, and the fields of the multipart form, a plain struct.
    let form_fields = names
        .iter()
        .map(|n| format!("{n}: \"b-{n}\".to_owned()"))
        .collect::<Vec<_>>()
        .join(", ");
    let body_arguments = names
        .iter()
        .map(|n| format!("\"b-{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let expected_path: String = names.iter().map(|n| format!("/v-{n}")).collect();
    let expected_label: String = names.iter().map(|n| format!("/.v-{n}.w-{n}")).collect();
    let query =
        |each: &dyn Fn(&str) -> String| names.iter().map(|n| each(n)).collect::<Vec<_>>().join("&");
    let expected_query = query(&|n| format!("{n}=v-{n}"));
    let expected_exploded = query(&|n| format!("{n}=v-{n}&{n}=w-{n}"));
    let expected_piped = query(&|n| format!("{n}=v-{n}%7Cw-{n}"));
    let expected_cookies = names
        .iter()
        .map(|n| format!("{n}=v-{n}"))
        .collect::<Vec<_>>()
        .join("; ");
    let names_list = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r##"//! Generated by `tests/names.rs`: every argument arrives in its own place.

mod loopback;

use collisions::*;
use loopback::serve;

const NAMES: &[&str] = &[{names_list}];

fn answers(count: usize, status: u16, body: &'static [u8]) -> Vec<(u16, &'static str, Vec<u8>)> {{
    (0..count).map(|_| (status, "application/json", body.to_vec())).collect()
}}

fn client(url: &str) -> Client {{
    Client::builder().base_url(url).build().unwrap()
}}

#[tokio::test]
async fn path_query_header_and_cookie_parameters() {{
    let (url, requests) = serve(answers(8, 204, b""));
    let client = client(&url);
    client.path_params({strings}).await.unwrap();
    assert_eq!(requests.recv().unwrap().target(), "/path{expected_path}");
    client.label_params({lists}).await.unwrap();
    assert_eq!(requests.recv().unwrap().target(), "/label{expected_label}");
    client.query_params({strings}).await.unwrap();
    assert_eq!(requests.recv().unwrap().target(), "/query?{expected_query}");
    client.optional_query_params(&OptionalQueryParamsParams::default(){optional_lists}).await.unwrap();
    assert_eq!(requests.recv().unwrap().target(), "/query?{expected_exploded}");
    client.piped_query_params(&PipedQueryParamsParams::default(){optional_lists}).await.unwrap();
    assert_eq!(requests.recv().unwrap().target(), "/query?{expected_piped}");
    client.header_params({strings}).await.unwrap();
    let sent = requests.recv().unwrap();
    for name in NAMES {{
        assert_eq!(sent.header(name), Some(format!("v-{{name}}").as_str()), "{{name}}");
    }}
    client.optional_header_params(&OptionalHeaderParamsParams::default(){optional_lists}).await.unwrap();
    let sent = requests.recv().unwrap();
    for name in NAMES {{
        assert_eq!(sent.header(name), Some(format!("v-{{name}},w-{{name}}").as_str()), "{{name}}");
    }}
    client.cookie_params(&CookieParamsParams::default(){optional_strings}).await.unwrap();
    assert_eq!(requests.recv().unwrap().header("cookie"), Some("{expected_cookies}"));
}}

#[tokio::test]
async fn bodies_beside_parameters_of_every_name() {{
    let (url, requests) = serve(answers(2, 204, b""));
    let client = client(&url);
    let body = JsonBodyRequest::new({body_arguments});
    client.json_body({strings}, &body).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(sent.target(), "/json?{expected_query}");
    let json: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    for name in NAMES {{
        assert_eq!(json[name], format!("b-{{name}}"), "{{name}}");
    }}
    let form = MultipartBodyForm {{ {form_fields} }};
    client.multipart_body({strings}, &form).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(sent.target(), "/multipart?{expected_query}");
    let text = String::from_utf8_lossy(&sent.body);
    for name in NAMES {{
        let part = format!("name=\"{{name}}\"\r\n\r\nb-{{name}}\r\n");
        assert!(text.contains(&part), "{{name}} in {{text}}");
    }}
}}

#[tokio::test]
async fn several_success_types() {{
    let (url, requests) = serve(answers(1, 202, b"\"queued\""));
    let answer = client(&url).two_successes({strings}).await.unwrap().into_body();
    assert_eq!(answer, TwoSuccessesSuccess::Accepted("queued".to_owned()));
    assert_eq!(requests.recv().unwrap().target(), "/successes?{expected_query}");
}}

#[tokio::test]
async fn owner_dispatch_and_streams() {{
    let (url, requests) = serve(answers(4, 200, b"[\"x\"]"));
    let client = client(&url);
    let params = OwnerThingsParams::default(){optional_strings};
    for (owner, prefix) in [
        (Owner::org("o"), "/orgs/o"),
        (Owner::user("u"), "/users/u"),
        (Owner::AuthenticatedUser, "/user"),
    ] {{
        client.owner(&owner).things({strings}, &params).await.unwrap();
        assert_eq!(requests.recv().unwrap().target(), format!("{{prefix}}/things{expected_path}?{expected_query}"));
    }}
    let mut stream = client.owner(&Owner::org("o")).things_stream({strings}, &params);
    let mut items = Vec::new();
    while let Some(item) = futures_util::StreamExt::next(&mut stream).await {{
        items.push(item.unwrap());
    }}
    assert_eq!(items, ["x"]);
    assert_eq!(requests.recv().unwrap().target(), "/orgs/o/things{expected_path}?{expected_query}");
}}

#[test]
fn server_variables() {{
    let client = Client::builder().named({strings}).build().unwrap();
    assert_eq!(client.base_url().as_str(), "https://example.test{expected_path}");
}}
"##
    )
}

/// The Rust names `lower` gives the optional query parameters of the collisions spec, by
/// wire name: the names are already snake case, but a few are renamed (a setter named
/// `default` would hide `Default::default`).
fn optional_rust_names(spec: &Value) -> std::collections::HashMap<String, String> {
    let text = serde_json::to_string(spec).unwrap();
    let loaded = codegen::load(&text, "collisions.json").unwrap_or_else(|e| panic!("{e}"));
    let api = codegen::lower(&loaded.spec, "collisions.json")
        .unwrap_or_else(|e| panic!("{e}"))
        .api;
    let operation = api
        .operations
        .iter()
        .find(|o| o.method_name == "optional_query_params")
        .expect("the operation");
    operation
        .parameters
        .iter()
        .map(|p| (p.name.clone(), p.rust_name.clone()))
        .collect()
}

#[test]
fn parameters_and_properties_may_take_any_name_the_generated_code_uses() {
    let probe_names: Vec<String> = ["alpha", "beta"].map(str::to_owned).to_vec();
    let probe = generate(&with_owner_parameters(spec(&probe_names)), "probe");
    let mut found = BTreeSet::new();
    for file in ["src/operations.rs", "src/owner.rs", "src/servers.rs"] {
        body_identifiers(&probe.read(file), &mut found);
    }
    drop(probe);
    let names: Vec<String> = found
        .into_iter()
        .filter(|name| is_choosable(name) && !probe_names.contains(name))
        .collect();
    for expected in [
        "request",
        "response",
        "params",
        "body",
        "value",
        "login",
        "member_params",
        "url",
        "form",
        "cookies",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "`{expected}` not collected from the probe: {names:?}"
        );
    }
    let collisions_spec = with_owner_parameters(spec(&names));
    let optional = optional_rust_names(&collisions_spec);
    let collisions = generate(&collisions_spec, "collisions");
    let rust_name = |name: &str| optional[name].clone();
    collisions.add_test("collisions", &behaviour_test(&names, &rust_name));
    let printed = collisions.cargo(&["test", "--quiet", "--test", "collisions"]);
    assert!(printed.contains("5 passed"), "{printed}");
    eprintln!(
        "{} identifiers from the generated code, each a parameter and a property: {names:?}",
        names.len()
    );
}
