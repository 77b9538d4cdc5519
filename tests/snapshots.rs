//! Snapshots of what the generator understands (the IR of `spec/packages.yaml`) and of what
//! it prints for small specs, one per feature. Each snapshot also has assertions on the
//! behaviour it stands for, so that an accepted snapshot cannot hide a regression.

use codegen::ir::{Api, TypeKind, TypeRef};
use codegen::profile::Applied;
use codegen::Profile;
use codegen::{Config, GeneratedFile};
use tests::{read, workspace_root};

fn config(spec_name: &str) -> Config {
    Config {
        crate_name: "example".to_owned(),
        crate_version: "0.1.0".to_owned(),
        spec_name: spec_name.to_owned(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    }
}

/// The IR of a spec, with what the GitHub profile adds to it.
fn lower_file(relative: &str) -> (Api, Applied) {
    let text = read(workspace_root().join(relative));
    let spec = codegen::load(&text, relative)
        .unwrap_or_else(|e| panic!("{e}"))
        .spec;
    let mut api = codegen::lower(&spec, relative)
        .unwrap_or_else(|e| panic!("{e}"))
        .api;
    let applied = codegen::profile::apply(Profile::Github, "chosen".to_owned(), &mut api);
    (api, applied)
}

/// The models and operations generated from `tests/specs/<name>.yaml`.
fn generate_spec(name: &str) -> String {
    let relative = format!("tests/specs/{name}.yaml");
    let text = read(workspace_root().join(&relative));
    let files = codegen::generate(&text, &config(&relative))
        .unwrap_or_else(|e| panic!("{e}"))
        .files;
    let pick = |path: &str| -> String {
        files
            .iter()
            .find(|f: &&GeneratedFile| f.path == path)
            .map(|f| f.contents.clone())
            .unwrap_or_default()
    };
    format!("{}\n{}", pick("src/types.rs"), pick("src/operations.rs"))
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn packages_ir() {
    let (api, applied) = lower_file("spec/packages.yaml");
    assert_eq!(api.operations.len(), 27);
    let families: Vec<&str> = applied
        .owner_families
        .iter()
        .map(|f| f.method_name.as_str())
        .collect();
    assert_eq!(
        families.len(),
        9,
        "nine operations exist once per kind of owner: {families:?}"
    );
    assert_eq!(
        api.operations
            .iter()
            .filter(|o| o.pagination.is_some())
            .count(),
        9,
        "every list operation streams"
    );
    let type_named = |name: &str| api.types.iter().find(|t| t.name == name);
    assert_eq!(
        api.types.iter().filter(|t| matches!(&t.kind, TypeKind::Enum { variants, .. } if variants.iter().any(|v| v.value == "rubygems"))).count(),
        1,
        "one package type enum"
    );
    assert!(type_named("NullableSimpleUser").is_none());
    let Some(TypeKind::Struct { fields, .. }) = type_named("Package").map(|t| &t.kind) else {
        panic!("Package is a struct");
    };
    let owner = fields
        .iter()
        .find(|f| f.name == "owner")
        .expect("owner field");
    assert_eq!(
        owner.rust_type(),
        TypeRef::option(TypeRef::Named("SimpleUser".into()))
    );
    let created = fields
        .iter()
        .find(|f| f.name == "created_at")
        .expect("created_at");
    assert_eq!(created.rust_type(), TypeRef::DateTime);
    let delete = api
        .operations
        .iter()
        .find(|o| o.method_name == "delete_package_version_for_org")
        .expect("operation");
    let arguments: Vec<(&str, String)> = delete
        .parameters
        .iter()
        .map(|p| (p.rust_name.as_str(), p.ty.to_string()))
        .collect();
    assert_eq!(
        arguments,
        [
            ("org", "String".to_owned()),
            ("package_type", "PackageType".to_owned()),
            ("package_name", "String".to_owned()),
            ("package_version_id", "i64".to_owned()),
        ]
    );
    insta::assert_yaml_snapshot!("packages_ir", api);
    insta::assert_yaml_snapshot!("packages_github_profile", applied);
}

#[test]
fn enum_dedup() {
    let code = generate_spec("enum_dedup");
    assert_eq!(count(&code, "pub enum Kind {"), 1, "{code}");
    assert_eq!(
        count(&code, "pub enum "),
        3,
        "Kind, Visibility and ThingVisibility: {code}"
    );
    assert!(
        code.contains("pub visibility: Option<ThingVisibility>"),
        "{code}"
    );
    assert!(
        code.contains("pub visibility: Option<Visibility>"),
        "{code}"
    );
    insta::assert_snapshot!("enum_dedup", code);
}

#[test]
fn nullable_ref() {
    let code = generate_spec("nullable_ref");
    assert!(!code.contains("NullableUser"), "{code}");
    assert!(code.contains("pub owner: Option<User>,"), "{code}");
    assert!(code.contains("pub creator: Option<User>,"), "{code}");
    assert!(code.contains("pub description: Option<String>,"), "{code}");
    assert!(
        code.contains("pub created_at: chrono::DateTime<chrono::Utc>,"),
        "{code}"
    );
    assert!(code.contains("pub size: Option<i64>,"), "{code}");
    assert!(code.contains("pub stars: Option<i32>,"), "{code}");
    insta::assert_snapshot!("nullable_ref", code);
}

#[test]
fn keyword_field() {
    let code = generate_spec("keyword_field");
    for field in [
        "pub r#type: String",
        "pub self_: Option<String>",
        "pub plus_1: Option<i64>",
        "pub minus_1: Option<i64>",
        "pub html_url: Option<String>",
        "pub _2fa: Option<bool>",
    ] {
        assert!(code.contains(field), "missing `{field}` in {code}");
    }
    for rename in ["\"self\"", "\"+1\"", "\"-1\"", "\"htmlURL\"", "\"2fa\""] {
        assert!(
            code.contains(&format!("#[serde(rename = {rename})]")),
            "missing rename {rename}"
        );
    }
    insta::assert_snapshot!("keyword_field", code);
}

#[test]
fn ref_parameter() {
    let code = generate_spec("ref_parameter");
    assert!(
        code.contains("org: &str,\n        item_id: i64,\n        params: &GetItemParams,"),
        "{code}"
    );
    assert!(
        code.contains(
            "encoding::set_header(\n                request,\n                \"X-Trace-Id\","
        ),
        "{code}"
    );
    insta::assert_snapshot!("ref_parameter", code);
}

#[test]
fn no_content() {
    let code = generate_spec("no_content");
    assert!(code.contains("-> Result<Response<()>, Error>"), "{code}");
    assert!(code.contains("204 => response.empty(),"), "{code}");
    insta::assert_snapshot!("no_content", code);
}

/// The constructs beyond the packages fragment; tests/nested.rs also builds and runs them.
#[test]
fn breadth() {
    let code = generate_spec("breadth");
    assert!(
        code.contains("#[serde(untagged)]\n#[non_exhaustive]\npub enum ValueSchema {"),
        "{code}"
    );
    assert!(code.contains("pub enum ReplacePetSuccess {"), "{code}");
    assert!(code.contains("#[deprecated]"), "{code}");
    insta::assert_snapshot!("breadth", code);
}

#[test]
fn optional_query_default() {
    let code = generate_spec("optional_query_default");
    assert!(
        code.contains("When `None`, the server uses `30`."),
        "{code}"
    );
    assert!(
        code.contains("When `None`, the server uses `\"active\"`."),
        "{code}"
    );
    assert!(code.contains("pub labels: Option<Vec<String>>"), "{code}");
    assert!(
        code.contains("request_query.push_each(\"labels\", value);"),
        "{code}"
    );
    insta::assert_snapshot!("optional_query_default", code);
}
