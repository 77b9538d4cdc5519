//! The checked-in `generated/` is what the generator makes of `spec/packages.yaml` today,
//! output is deterministic, and writing is all-or-nothing.

use std::fs;
use std::path::PathBuf;
use tests::read;
use xtask::{default_job, Failure, Job};

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("codegen-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn checked_in_client_is_up_to_date() {
    if let Err(failure) = xtask::check(&default_job()) {
        panic!("{failure}");
    }
}

#[test]
fn generation_is_deterministic() {
    let first = xtask::render(&default_job()).expect("spec generates");
    let second = xtask::render(&default_job()).expect("spec generates");
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert_eq!(first, second);
}

#[test]
fn every_generated_file_is_marked() {
    for file in xtask::render(&default_job()).expect("spec generates").files {
        // JSON has no comments: the notice is the value of its first key.
        let line = if file.path.ends_with(".json") { 1 } else { 0 };
        let first_line = file.contents.lines().nth(line).unwrap_or_default();
        assert!(
            first_line.contains("@generated") && first_line.contains("Do not edit"),
            "{} starts with {first_line:?}",
            file.path
        );
    }
}

fn temp_job(dir: &TempDir) -> Job {
    Job {
        out: dir.0.join("client"),
        ..default_job()
    }
}

#[test]
fn check_names_hand_edited_and_stray_files() {
    let dir = TempDir::new("check");
    let job = temp_job(&dir);
    assert!(
        xtask::generate(&job).expect("generates").changed,
        "first run writes"
    );
    assert!(
        !xtask::generate(&job).expect("generates").changed,
        "second run has nothing to do"
    );
    xtask::check(&job).expect("fresh output passes the check");

    let types = job.out.join("src/types.rs");
    let edited = read(&types).replace(
        "pub struct Package {",
        "pub struct Package {\n    pub extra: u8,",
    );
    fs::write(&types, edited).unwrap();
    fs::write(job.out.join("src/extra.rs"), "// hand-written\n").unwrap();
    fs::remove_file(job.out.join("src/error.rs")).unwrap();

    let failure = xtask::check(&job).expect_err("hand edits are stale");
    let Failure::Stale(files) = &failure else {
        panic!("expected stale files, got {failure:?}");
    };
    let labels: Vec<String> = files.iter().map(ToString::to_string).collect();
    assert_eq!(
        labels,
        [
            "src/error.rs (missing)",
            "src/types.rs (changed)",
            "src/extra.rs (not generated; remove it)"
        ]
    );
    // Like `rustfmt --check`, the message shows how a changed file differs.
    let message = failure.to_string();
    assert!(
        message.contains("--- src/types.rs (on disk)\n+++ src/types.rs (generated)\n"),
        "{message}"
    );
    assert!(message.contains("\n-    pub extra: u8,\n"), "{message}");
    xtask::generate(&job).expect("regenerates");
    xtask::check(&job).expect("regenerated output passes the check");
    assert!(
        !job.out.join("src/extra.rs").exists(),
        "output is replaced as a whole"
    );
}

#[test]
fn a_bad_spec_writes_nothing() {
    let dir = TempDir::new("atomic");
    let good = temp_job(&dir);
    xtask::generate(&good).expect("generates");
    let before = read(good.out.join("src/operations.rs"));

    let spec = dir.0.join("broken.yaml");
    let broken = read(&good.spec).replace(
        "$ref: '#/components/schemas/package-version'",
        "$ref: '#/components/schemas/package-versoin'",
    );
    fs::write(&spec, broken).unwrap();
    let bad = Job {
        spec,
        spec_name: "broken.yaml".to_owned(),
        ..good.clone()
    };
    match xtask::generate(&bad) {
        Err(Failure::Spec(diagnostics)) => {
            let message = diagnostics.to_string();
            assert!(message.contains("broken.yaml"), "{message}");
            assert!(message.contains("package-versoin"), "{message}");
        }
        other => panic!("expected a spec failure, got {other:?}"),
    }
    assert_eq!(read(good.out.join("src/operations.rs")), before);
    let leftovers: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging directories left behind: {leftovers:?}"
    );
}

/// Against GitHub's own description: every packages operation is a method named after its
/// operationId.
#[test]
fn all_27_official_operations_are_generated_with_their_names() {
    let official =
        tests::read_document(tests::reference_dir().join("github-openapi/packages.yaml"));
    let operations = read(default_job().out.join("src/operations.rs"));
    let mut count = 0;
    for (_, item) in official["paths"].as_object().expect("paths") {
        for (_, operation) in item.as_object().expect("path item") {
            let id = operation["operationId"].as_str().expect("operationId");
            let name = id.trim_start_matches("packages/").replace('-', "_");
            let method = format!("pub async fn {name}(");
            assert!(operations.contains(&method), "missing `{method}`");
            count += 1;
        }
    }
    assert_eq!(count, 27);
}
