//! Crates generated from specs other than the packages fragment, built and run by cargo in
//! a temporary directory: the breadth spec (every construct the generator supports), a
//! small non-GitHub API (no vendor profile), each with tests that run inside the generated
//! crate; an API with several tags, built with each tag's feature alone, all and none; and
//! GitHub's entire REST description, whole and one tag at a time.
//!
//! The whole-description checks take a few minutes cold, so they are `#[ignore]`d here and
//! run by `cargo xtask test` as a step of its own.

use std::path::PathBuf;
use tests::nested::NestedCrate;
use tests::{read, reference_dir, workspace_root};
use xtask::Job;

#[test]
fn breadth_client_builds_without_warnings_and_behaves() {
    let generated = NestedCrate::generate(
        &workspace_root().join("tests/specs/breadth.yaml"),
        "tests/specs/breadth.yaml",
        "breadth",
        None,
    );
    generated.add_test(
        "breadth",
        &read(workspace_root().join("tests/nested/breadth.rs")),
    );
    let printed = generated.cargo(&["test", "--quiet", "--test", "breadth"]);
    assert!(printed.contains("7 passed"), "{printed}");
}

#[test]
fn a_client_without_a_vendor_profile_is_vendor_neutral() {
    let generated = NestedCrate::generate(
        &workspace_root().join("tests/specs/generic.yaml"),
        "tests/specs/generic.yaml",
        "generic",
        None,
    );
    let lib = generated.read("src/lib.rs");
    assert!(
        lib.contains("Generated with the `generic` profile (detected:"),
        "the docs say which profile, and that it was detected:\n{lib}"
    );
    // Every file, the runtime's comments and doc examples too: nothing speaks of a vendor.
    let mut files = vec![generated.dir.join("Cargo.toml")];
    for entry in std::fs::read_dir(generated.dir.join("src")).unwrap() {
        files.push(entry.unwrap().path());
    }
    assert!(files.len() > 10, "{files:?}");
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap().to_ascii_lowercase();
        assert!(
            !source.contains("github"),
            "{} speaks of GitHub",
            path.display()
        );
    }
    assert!(
        !generated.read("src/operations.rs").contains("_stream"),
        "no `Link` pagination without the GitHub profile"
    );
    generated.add_test(
        "generic",
        &read(workspace_root().join("tests/nested/generic.rs")),
    );
    let printed = generated.cargo(&["test", "--quiet", "--test", "generic"]);
    assert!(printed.contains("3 passed"), "{printed}");
    // The runtime's doc examples name this crate (`generic::Client`), not the one this
    // workspace checks in: they compile and run under its name.
    let printed = generated.cargo(&["test", "--quiet", "--doc"]);
    assert!(
        printed.contains("test result: ok.") && !printed.contains(" 0 passed"),
        "{printed}"
    );
}

/// A client of an API that declares every kind of credential: each arrives where the
/// description puts it, only on the operations that ask for it (`tests/nested/security.rs`).
#[test]
fn credentials_go_where_the_description_puts_them() {
    let generated = NestedCrate::generate(
        &workspace_root().join("tests/specs/security.yaml"),
        "tests/specs/security.yaml",
        "vault",
        None,
    );
    generated.add_test(
        "security",
        &read(workspace_root().join("tests/nested/security.rs")),
    );
    let printed = generated.cargo(&["test", "--quiet", "--test", "security"]);
    assert!(printed.contains("5 passed"), "{printed}");
    generated.cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
}

/// Specs whose shape once made a crate that warned, or no crate: a multipart body and no
/// parameter (an unused `encoding` import), parameters described by `content` (left out),
/// input structs whose constructors and setters meet long argument lists and names that are
/// methods already or that clippy takes for operator traits, and one kind of stream alone
/// (the runtime's other kinds unused).
#[test]
fn odd_shapes_build_without_warnings() {
    for spec in [
        "multipart_only",
        "content_parameters",
        "input_bodies",
        "events_only",
        "json_lines_only",
    ] {
        let path = format!("tests/specs/{spec}.yaml");
        let generated = NestedCrate::generate(&workspace_root().join(&path), &path, spec, None);
        generated.cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
    }
}

/// Streamed answers (server-sent events, JSON Lines, JSON text sequences) as OpenAPI 3.2
/// types them: the crate builds without a warning under clippy and rustdoc, and reads
/// streams sent slowly, split at awkward places and cut short (`tests/nested/streams.rs`),
/// and a streamed call's tracing span ends with its stream (`tests/nested/stream_spans.rs`).
/// The 3.1 and 3.0 renditions of the same API (`schema` per item where 3.2 has
/// `itemSchema`) give the same crate.
#[test]
fn streams_are_read_as_they_arrive_whichever_version_describes_them() {
    let path = "tests/specs/openapi32/streams.32.yaml";
    let generated = NestedCrate::generate(&workspace_root().join(path), path, "streams", None);
    for earlier in ["streams.31.yaml", "streams.30.yaml"] {
        let other_path = format!("tests/specs/openapi32/{earlier}");
        let other = NestedCrate::generate(
            &workspace_root().join(&other_path),
            &other_path,
            &format!("streams-{}", &earlier[8..10]),
            None,
        );
        for file in [
            "src/operations.rs",
            "src/types.rs",
            "src/stream.rs",
            "src/client.rs",
            "src/lib.rs",
            "api-surface.json",
            "Cargo.toml",
        ] {
            let normalise = |text: String, spec: &str, name: &str| {
                text.replace(spec, "SPEC")
                    .replace(name, "streams")
                    .replace(&name.replace('-', "_"), "streams")
            };
            assert_eq!(
                normalise(
                    other.read(file),
                    &other_path,
                    &format!("streams-{}", &earlier[8..10])
                ),
                normalise(generated.read(file), path, "streams"),
                "{earlier} and 3.2 differ in {file}"
            );
        }
    }
    // No vendor's conventions in a crate without a vendor profile, streams included.
    for entry in std::fs::read_dir(generated.dir.join("src")).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap().to_ascii_lowercase();
        assert!(
            !source.contains("github"),
            "{} speaks of GitHub",
            path.display()
        );
    }
    generated.add_test(
        "streams",
        &read(workspace_root().join("tests/nested/streams.rs")),
    );
    let printed = generated.cargo(&["test", "--quiet", "--test", "streams"]);
    assert!(printed.contains("9 passed"), "{printed}");
    generated.add_test(
        "stream_spans",
        &read(workspace_root().join("tests/nested/stream_spans.rs")),
    );
    let printed = generated.cargo(&[
        "test",
        "--quiet",
        "--features",
        "tracing",
        "--test",
        "stream_spans",
    ]);
    assert!(printed.contains("1 passed"), "{printed}");
    generated.cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
    generated.cargo(&["doc", "--quiet", "--no-deps"]);
}

/// A 3.2 document with each addition a client acts on: `QUERY` and other methods, a
/// `querystring` parameter, tags under a `parent` (whose feature turns on theirs), a
/// discriminator's `defaultMapping`, responses with a `summary` and no `description`,
/// content given by a `mediaTypes` component; and warnings, where each is, for what is not
/// followed (`$self`, `oauth2MetadataUrl`, the device flow). Built without a warning and run
/// against a loopback server (`tests/nested/openapi32.rs`).
#[test]
fn openapi_32_additions_generate_build_and_work_on_the_wire() {
    let path = "tests/specs/openapi32/additions.yaml";
    let (generated, warnings) =
        NestedCrate::generate_with_warnings(&workspace_root().join(path), path, "additions");
    let warned: Vec<(&str, Option<u32>)> = warnings
        .iter()
        .map(|w| (w.pointer.as_str(), w.line.map(|(line, _)| line)))
        .collect();
    assert_eq!(
        warned,
        [
            ("#/$self", Some(2)),
            (
                "#/components/securitySchemes/oauth/flows/deviceAuthorization",
                Some(154)
            ),
            (
                "#/components/securitySchemes/oauth/oauth2MetadataUrl",
                Some(148)
            ),
        ],
        "{warnings:#?}"
    );
    let manifest = generated.read("Cargo.toml");
    assert!(
        manifest.contains("\nlibrary = [\"documents\", \"search\"]\n"),
        "{manifest}"
    );
    generated.add_test(
        "openapi32",
        &read(workspace_root().join("tests/nested/openapi32.rs")),
    );
    let printed = generated.cargo(&["test", "--quiet", "--test", "openapi32"]);
    assert!(printed.contains("5 passed"), "{printed}");
    generated.cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
    // A feature of a child tag alone builds; the parent's turns on its children's.
    generated.cargo(&[
        "check",
        "--quiet",
        "--no-default-features",
        "--features",
        "search",
    ]);
    generated.cargo(&[
        "check",
        "--quiet",
        "--no-default-features",
        "--features",
        "library",
    ]);
}

/// GitHub's profile in each of its shapes builds without a warning: owner families with list
/// operations (the packages fragment, `generated/`), owner families with none (no
/// `pagination.rs` to import from), and pagination without owner families.
#[test]
fn every_shape_of_the_github_profile_builds_without_warnings() {
    for (spec, owner, pagination) in [
        ("github_owners_without_lists", true, false),
        ("github_pagination_without_owners", false, true),
    ] {
        let path = format!("tests/specs/{spec}.yaml");
        let generated = NestedCrate::generate(&workspace_root().join(&path), &path, spec, None);
        let lib = generated.read("src/lib.rs");
        assert!(lib.contains("`github` profile"), "{spec}: {lib}");
        assert_eq!(generated.dir.join("src/owner.rs").exists(), owner, "{spec}");
        assert_eq!(
            generated.dir.join("src/pagination.rs").exists(),
            pagination,
            "{spec}"
        );
        generated.cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
    }
}

/// A feature per tag: each alone, all, and none build without a warning under clippy, and
/// each compiles what its operations reach.
#[test]
fn every_tag_feature_alone_all_and_none_build_without_warnings() {
    let spec_path = workspace_root().join("tests/specs/tagged.yaml");
    let loaded = codegen::load(&read(&spec_path), "tagged.yaml").unwrap_or_else(|e| panic!("{e}"));
    let api = codegen::lower(&loaded.spec, "tagged.yaml")
        .unwrap_or_else(|e| panic!("{e}"))
        .api;
    let features: Vec<&str> = api.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        features,
        ["pets", "stores", "tracing-operations", "untagged"],
        "sorted, kebab case, clear of the manifest's `tracing`, and one for no tag"
    );
    let gate = |name: &str| -> Vec<String> {
        match api.types.iter().find(|t| t.name == name) {
            Some(def) => def.gate.clone(),
            None => panic!("no type {name}"),
        }
    };
    let operation_gate = |name: &str| -> Vec<String> {
        match api.operations.iter().find(|o| o.method_name == name) {
            Some(op) => op.gate.clone(),
            None => panic!("no operation {name}"),
        }
    };
    assert_eq!(operation_gate("get_pet_store"), ["pets", "stores"]);
    assert_eq!(operation_gate("get_health"), ["untagged"]);
    assert_eq!(
        gate("Pet"),
        ["pets", "stores"],
        "shared: either tag compiles it"
    );
    assert_eq!(gate("Size"), ["pets"], "a query parameter's enum");
    assert_eq!(gate("Sale"), ["stores"], "reached through a oneOf");
    assert_eq!(
        gate("Reason"),
        ["stores"],
        "reached through a oneOf's variant"
    );
    assert_eq!(gate("GetHealthResponse"), ["untagged"]);
    // The store's manager, the pet's owner and the new store's manager have one shape; so do
    // the bodies of create-store and send-trace, once their managers are one type.
    assert_eq!(
        gate("CreateStoreRequestManager"),
        ["pets", "stores", "tracing-operations"],
        "no operation reaches it: it is there when the type it names is"
    );
    assert_eq!(
        api.types
            .iter()
            .find(|t| t.name == "CreateStoreRequest")
            .unwrap()
            .kind,
        codegen::ir::TypeKind::Alias {
            target: codegen::ir::TypeRef::Named("SendTraceRequest".to_owned())
        },
    );
    for alias in ["StoreManager", "CreateStoreRequestManager"] {
        let def = api.types.iter().find(|t| t.name == alias).unwrap();
        assert_eq!(
            def.kind,
            codegen::ir::TypeKind::Alias {
                target: codegen::ir::TypeRef::Named("PetOwner".to_owned())
            },
            "{alias}"
        );
    }

    let generated = NestedCrate::generate(&spec_path, "tests/specs/tagged.yaml", "tagged", None);
    let manifest = generated.read("Cargo.toml");
    for feature in &features {
        assert!(
            manifest.contains(&format!("\n{feature} = []\n")),
            "{manifest}"
        );
        assert!(
            manifest.contains(&format!("    \"{feature}\",\n")),
            "on by default"
        );
    }
    let clippy = |features: &str| {
        generated.cargo(&[
            "clippy",
            "--quiet",
            "--all-targets",
            "--no-default-features",
            "--features",
            features,
            "--",
            "-D",
            "warnings",
        ]);
    };
    clippy("rustls,http2");
    for feature in &features {
        clippy(&format!("rustls,http2,{feature}"));
    }
    generated.cargo(&["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"]);
}

#[test]
#[ignore = "a few minutes cold; `cargo xtask test` runs it"]
fn whole_github_description_builds_without_warnings() {
    let spec = reference_dir().join("github-openapi/api.github.com.json");
    let started = std::time::Instant::now();
    let generated = NestedCrate::generate(&spec, "api.github.com.json", "github-api", None);
    let elapsed = started.elapsed();
    assert!(
        generated
            .read("src/lib.rs")
            .contains("Generated with the `github` profile (detected:"),
        "api.github.com is detected"
    );
    let operations = generated.read("src/operations.rs");
    assert_eq!(
        operations.matches("pub async fn ").count(),
        1223,
        "one method per operation"
    );
    generated.cargo(&["check", "--quiet"]);
    eprintln!(
        "generated in {:.1}s; generated + cargo check in {:.1}s",
        elapsed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    // No tag's feature, then each alone: what a feature compiles refers only to what it
    // compiles.
    let manifest = generated.read("Cargo.toml");
    let features: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.strip_suffix(" = []"))
        .collect();
    assert_eq!(features.len(), 47, "a feature per tag:\n{manifest}");
    generated.cargo(&[
        "check",
        "--quiet",
        "--no-default-features",
        "--features",
        "rustls,http2",
    ]);
    for feature in features {
        let started = std::time::Instant::now();
        generated.cargo(&[
            "check",
            "--quiet",
            "--no-default-features",
            "--features",
            &format!("rustls,http2,{feature}"),
        ]);
        eprintln!(
            "{feature} alone: cargo check in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
}

/// GitHub's whole description rendered in OpenAPI 3.1 (by the converter in
/// `tests/src/openapi31.rs`) generates the crate the 3.0 description does, so the build
/// above covers the 3.1 crate too.
#[test]
#[ignore = "a minute in a debug build; `cargo xtask test` runs it"]
fn whole_github_description_in_31_generates_the_same_crate() {
    let spec = reference_dir().join("github-openapi/api.github.com.json");
    // Rendering writes nothing, so the default job's output directory is never touched.
    let job = |spec: PathBuf, spec_name: &str| Job {
        spec,
        spec_name: spec_name.to_owned(),
        crate_name: "github-api".to_owned(),
        guide: None,
        ..xtask::default_job()
    };
    let v30 = xtask::render(&job(spec.clone(), "api.github.com.json"))
        .unwrap_or_else(|failure| panic!("{failure}"));
    let rendition = tests::openapi31::write_rendition(&spec);
    let v31 = xtask::render(&job(rendition.clone(), "api.github.com.31.json"));
    let _ = std::fs::remove_file(rendition);
    let v31 = v31.unwrap_or_else(|failure| panic!("{failure}"));
    assert!(v31.warnings.is_empty(), "{:#?}", v31.warnings);
    tests::openapi31::assert_same_crate(
        &v30,
        "api.github.com.json",
        &v31,
        "api.github.com.31.json",
    );
}
