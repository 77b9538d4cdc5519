//! `codegen::build_script`: the generated crate as one module file (paths relative to the
//! including module, no tests of the runtime's own, no feature per tag), and the directives
//! a build script prints for cargo. `tests/build-script/` is a crate that uses it and calls
//! the client.

use codegen::build_script::{generate_module, BuildScript, GeneratedModule};
use codegen::{Config, Profile};
use std::io;
use std::process::Command;
use tests::{read, workspace_root};

fn module(relative: &str) -> GeneratedModule {
    let text = read(workspace_root().join(relative));
    generate_module(&text, relative, "client", None).unwrap_or_else(|e| panic!("{e}"))
}

/// The crate form of a description, with a feature per tag, to compare with.
fn crate_files(relative: &str) -> Vec<codegen::GeneratedFile> {
    let config = Config {
        crate_name: "client".to_owned(),
        crate_version: "0.1.0".to_owned(),
        spec_name: relative.to_owned(),
        guide: None,
        profile: None,
        tag_features: true,
        generator_command: "cargo xtask generate".to_owned(),
    };
    codegen::generate(&read(workspace_root().join(relative)), &config)
        .unwrap_or_else(|e| panic!("{e}"))
        .files
}

#[test]
fn the_module_form_is_relocated_feature_free_and_deterministic() {
    for spec in [
        "spec/packages.yaml",
        "tests/specs/breadth.yaml",
        "tests/specs/tagged.yaml",
    ] {
        let generated = module(spec);
        let source = &generated.source;
        assert!(source == &module(spec).source, "{spec}: two runs differ");
        syn::parse_file(source).unwrap_or_else(|e| panic!("{spec}: not a Rust file: {e}"));
        for absent in ["crate::", "#[cfg(test)]"] {
            let found = source.lines().find(|line| line.contains(absent));
            assert!(found.is_none(), "{spec}: {absent:?} in {found:?}");
        }
        // An included file can have no inner attributes (docs among them) of its own.
        let inner = source
            .lines()
            .find(|line| line.starts_with("#!") || line.starts_with("//!"));
        assert!(inner.is_none(), "{spec}: {inner:?}");
        // Only the runtime's `tracing` is left to a feature.
        let features: Vec<&str> = source
            .match_indices("feature = \"")
            .map(|(at, _)| source[at..].split('"').nth(1).unwrap())
            .filter(|feature| *feature != "tracing")
            .collect();
        assert!(features.is_empty(), "{spec}: features {features:?}");
        // Every module of the crate is there, inline, and its inner attributes moved with it.
        let files = crate_files(spec);
        for file in &files {
            let Some(name) = file
                .path
                .strip_prefix("src/")
                .and_then(|p| p.strip_suffix(".rs"))
            else {
                continue;
            };
            if name != "lib" {
                assert!(
                    source.contains(&format!("mod {name} {{\n")),
                    "{spec}: no inline `mod {name}`"
                );
            }
        }
        assert!(source.contains("    #![forbid(unsafe_code)]\n"), "{spec}");
        assert!(!generated.dependencies.is_empty(), "{spec}");
    }
    // The tagged description does have features in its crate form: the module form above
    // left them out rather than never having had them.
    let tagged = crate_files("tests/specs/tagged.yaml");
    let manifest = &tagged
        .iter()
        .find(|f| f.path == "Cargo.toml")
        .unwrap()
        .contents;
    let operations = &tagged
        .iter()
        .find(|f| f.path == "src/operations.rs")
        .unwrap()
        .contents;
    assert!(manifest.contains("untagged = []"), "{manifest}");
    assert!(operations.contains("#[cfg(feature = \""), "{operations}");
}

#[test]
fn the_docs_examples_are_ignored_and_name_no_crate_path() {
    let source = module("spec/packages.yaml").source;
    let fences: Vec<&str> = source
        .lines()
        .map(str::trim_start)
        .filter_map(|line| line.strip_prefix("/// ").or(line.strip_prefix("//! ")))
        .filter(|doc| doc.trim_start().starts_with("```"))
        .collect();
    assert!(
        fences.iter().any(|fence| fence.trim() == "```rust,ignore"),
        "{fences:?}"
    );
    // The runtime's examples name the crate they were written for; their openings are all
    // marked, and closings, text and other languages kept.
    for fence in &fences {
        let info = fence.trim().trim_start_matches('`');
        assert!(
            ["rust,ignore", "", "text", "json", "toml", "sh", "http"].contains(&info),
            "{fence}"
        );
    }
}

/// The consumer crate declares every dependency the generated module uses.
#[test]
fn the_consumer_declares_the_module_dependencies() {
    let dir = workspace_root().join("tests/build-script");
    let module = generate_module(&read(dir.join("api.yaml")), "api.yaml", "petstore", None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(module.warnings.is_empty(), "{:?}", module.warnings);
    let manifest = read(dir.join("Cargo.toml"));
    let declared = codegen::build_script::manifest_dependencies(&manifest);
    let declared: Vec<&str> = declared
        .iter()
        .filter_map(|line| Some(line.split_once('=')?.0.trim()))
        .collect();
    let needed: Vec<&str> = module.dependency_names().collect();
    assert!(
        needed.contains(&"reqwest") && needed.contains(&"serde"),
        "{needed:?}"
    );
    for name in needed {
        assert!(declared.contains(&name), "{name} is not in {declared:?}");
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

/// Two operations that take one operationId: a warning, and the module still generated.
fn warned_spec() -> String {
    format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: same\n      responses: {{'204': {{description: ok}}}}\n  /b:\n    get:\n      operationId: same\n      responses: {{'204': {{description: ok}}}}\n"
    )
}

/// A `$ref` to a schema that does not exist: an error.
fn broken_spec() -> String {
    format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: get-a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/missing'}}\n"
    )
}

#[test]
fn a_warning_is_one_cargo_warning_line_and_the_module_is_written() {
    let plan = BuildScript::new("api/loose.yaml").plan(Ok(warned_spec()));
    assert_eq!(
        plan.directives,
        [
            "cargo::rerun-if-changed=api/loose.yaml",
            "cargo::warning=api/loose.yaml:10:7: operationId `same` is used twice; this one is `same_2` (at #/paths/~1b/get/operationId); hint: give each operation an operationId of its own",
            "cargo::rustc-check-cfg=cfg(feature, values(\"tracing\"))",
        ]
    );
    let module = plan.module.expect("generated despite the warning");
    assert!(
        module.source.contains("pub async fn same_2("),
        "{}",
        module.source
    );
    assert_eq!(module.warnings.len(), 1);

    let denied = BuildScript::new("api/loose.yaml")
        .deny_warnings(true)
        .plan(Ok(warned_spec()));
    assert!(denied.module.is_none());
    assert_eq!(denied.directives.len(), 2, "{:?}", denied.directives);
    assert!(
        denied.directives[1].starts_with("cargo::error=api/loose.yaml:10:7: operationId `same`"),
        "{:?}",
        denied.directives
    );
}

#[test]
fn errors_are_cargo_errors_and_nothing_is_written() {
    let plan = BuildScript::new("broken.yaml")
        .module_name("client")
        .plan(Ok(broken_spec()));
    assert!(plan.module.is_none());
    assert_eq!(
        plan.directives,
        [
            "cargo::rerun-if-changed=broken.yaml",
            "cargo::error=broken.yaml:12:15: `$ref` to `#/components/schemas/missing`, which does not exist (at #/paths/~1a/get/responses/200/content/application~1json/schema); hint: check the spelling, or add the component",
        ]
    );

    let unread = BuildScript::new("missing/api.yaml").plan(Err(io::Error::new(
        io::ErrorKind::NotFound,
        "No such file or directory",
    )));
    assert!(unread.module.is_none());
    assert_eq!(
        unread.directives,
        [
            "cargo::rerun-if-changed=missing/api.yaml",
            "cargo::error=cannot read the API description missing/api.yaml: No such file or directory",
        ]
    );

    let misnamed = BuildScript::new("api.yaml")
        .module_name("../elsewhere")
        .plan(Ok(warned_spec()));
    assert!(misnamed.module.is_none());
    assert!(
        misnamed.directives[1].starts_with("cargo::error=the module name `../elsewhere`"),
        "{:?}",
        misnamed.directives
    );
}

#[test]
fn a_chosen_profile_is_followed() {
    let plan = BuildScript::new("api.yaml")
        .profile(Profile::Generic)
        .plan(Ok(warned_spec()));
    assert_eq!(plan.module.expect("generated").profile, Profile::Generic);
}

/// A crate whose build script generates from a broken description: cargo fails, and shows
/// the error with the file, the line and the pointer. In `target/nested`, where the crates
/// `tests/src/nested.rs` builds are, with the workspace's lockfile.
#[test]
fn cargo_fails_a_build_whose_description_is_broken() {
    let dir = std::env::temp_dir().join(format!(
        "codegen-build-script-broken-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let root = workspace_root();
    let write = |relative: &str, text: &str| std::fs::write(dir.join(relative), text).unwrap();
    write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"broken-consumer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [build-dependencies]\ncodegen = {{ path = {:?} }}\n\n[workspace]\n",
            root.join("codegen")
        ),
    );
    write(
        "build.rs",
        "fn main() {\n    codegen::BuildScript::new(\"api.yaml\").module_name(\"api\").run();\n}\n",
    );
    write(
        "src/lib.rs",
        "mod api {\n    include!(concat!(env!(\"OUT_DIR\"), \"/api.rs\"));\n}\n",
    );
    write("api.yaml", &broken_spec());
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", root.join("target/nested"))
        .output()
        .expect("cargo runs");
    let _ = std::fs::remove_dir_all(&dir);
    let printed = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{printed}");
    // Cargo shows it as an error of the package (`error: broken-consumer@0.1.0: ...`).
    let expected = "api.yaml:12:15: `$ref` to `#/components/schemas/missing`, which does not \
                    exist (at #/paths/~1a/get/responses/200/content/application~1json/schema); \
                    hint: check the spelling, or add the component";
    assert!(
        printed
            .lines()
            .any(|line| line.starts_with("error: ") && line.ends_with(expected)),
        "{printed}"
    );
}
