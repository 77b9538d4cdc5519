//! Crates generated from specs other than the packages fragment, built and run by cargo in
//! a temporary directory: the breadth spec (every construct the generator supports, with
//! tests that run inside the generated crate), and GitHub's entire REST description.
//!
//! The whole-description checks take a few minutes cold, so they are `#[ignore]`d here and
//! run by `cargo xtask test` as a step of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use tests::{reference_dir, workspace_root};
use xtask::Job;

/// Generates `spec` as crate `name` into a fresh temporary directory that cargo treats as a
/// workspace of its own, pinned to this workspace's lockfile.
fn generate(spec: &Path, spec_name: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("codegen-nested-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let job = Job {
        spec: spec.to_path_buf(),
        spec_name: spec_name.to_owned(),
        out: dir.clone(),
        crate_name: name.to_owned(),
        guide: None,
    };
    xtask::generate(&job).unwrap_or_else(|failure| panic!("{failure}"));
    let manifest = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text).unwrap();
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

/// Runs cargo in `dir` with a target directory shared by these tests; returns what it
/// printed, failing the test if cargo failed or anything in the crate drew a warning.
fn cargo(dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", workspace_root().join("target/nested"))
        .output()
        .expect("cargo runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "cargo {args:?} failed in {}:\n{printed}",
        dir.display()
    );
    assert!(
        !printed.contains("warning"),
        "cargo {args:?} warned in {}:\n{printed}",
        dir.display()
    );
    printed
}

#[test]
fn breadth_client_builds_without_warnings_and_behaves() {
    let dir = generate(
        &workspace_root().join("tests/specs/breadth.yaml"),
        "tests/specs/breadth.yaml",
        "breadth",
    );
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::copy(
        workspace_root().join("tests/breadth/decode.rs"),
        dir.join("tests/decode.rs"),
    )
    .unwrap();
    let printed = cargo(&dir, &["test", "--quiet", "--test", "decode"]);
    assert!(printed.contains("7 passed"), "{printed}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "a few minutes cold; `cargo xtask test` runs it"]
fn whole_github_description_builds_without_warnings() {
    let spec = reference_dir().join("github-openapi/api.github.com.json");
    let started = std::time::Instant::now();
    let dir = generate(&spec, "api.github.com.json", "github-api");
    let generated = started.elapsed();
    let operations = std::fs::read_to_string(dir.join("src/operations.rs")).unwrap();
    assert_eq!(
        operations.matches("pub async fn ").count(),
        1223,
        "one method per operation"
    );
    cargo(&dir, &["check", "--quiet"]);
    eprintln!(
        "generated in {:.1}s; generated + cargo check in {:.1}s",
        generated.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
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
