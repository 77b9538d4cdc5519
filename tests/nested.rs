//! Crates generated from specs other than the packages fragment, built and run by cargo in
//! a temporary directory: the breadth spec (every construct the generator supports), a
//! small non-GitHub API (no vendor profile), each with tests that run inside the generated
//! crate; and GitHub's entire REST description.
//!
//! The whole-description check takes a few minutes cold, so it is `#[ignore]`d here and run
//! by `cargo xtask test` as a step of its own.

use tests::nested::NestedCrate;
use tests::{read, reference_dir, workspace_root};

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
    let sources = [
        "src/client.rs",
        "src/error.rs",
        "src/retry.rs",
        "src/profile.rs",
        "src/operations.rs",
    ];
    for path in sources {
        let source = generated.read(path).to_ascii_lowercase();
        assert!(!source.contains("github"), "{path} speaks of GitHub");
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
}
