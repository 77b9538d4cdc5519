//! Crates generated from specs other than the packages fragment, built and run by cargo in
//! a temporary directory that cargo treats as a workspace of its own, pinned to this
//! workspace's lockfile, with one target directory shared by them all.

use crate::workspace_root;
use codegen::Profile;
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::Job;

/// A generated crate in a temporary directory, removed when dropped.
pub struct NestedCrate {
    pub dir: PathBuf,
}

impl NestedCrate {
    /// Generates `spec` as crate `name` (warnings denied: a spec the tests write draws
    /// none).
    pub fn generate(spec: &Path, spec_name: &str, name: &str, profile: Option<Profile>) -> Self {
        Self::generate_warned(spec, spec_name, name, profile, true).0
    }

    /// Generates `spec`, which draws warnings on purpose, as crate `name`; with them.
    pub fn generate_with_warnings(
        spec: &Path,
        spec_name: &str,
        name: &str,
    ) -> (Self, Vec<codegen::Diagnostic>) {
        Self::generate_warned(spec, spec_name, name, None, false)
    }

    fn generate_warned(
        spec: &Path,
        spec_name: &str,
        name: &str,
        profile: Option<Profile>,
        deny_warnings: bool,
    ) -> (Self, Vec<codegen::Diagnostic>) {
        let dir =
            std::env::temp_dir().join(format!("codegen-nested-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let job = Job {
            spec: spec.to_path_buf(),
            spec_name: spec_name.to_owned(),
            out: dir.clone(),
            crate_name: name.to_owned(),
            guide: None,
            profile,
            deny_warnings,
            ..xtask::default_job()
        };
        let outcome = xtask::generate(&job).unwrap_or_else(|failure| panic!("{failure}"));
        let manifest = dir.join("Cargo.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text).unwrap();
        std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        (NestedCrate { dir }, outcome.warnings)
    }

    /// Adds an integration test to the crate, with `tests/nested/loopback.rs` beside it as
    /// the module `loopback`.
    pub fn add_test(&self, name: &str, source: &str) {
        let tests = self.dir.join("tests");
        std::fs::create_dir_all(&tests).unwrap();
        std::fs::write(tests.join(format!("{name}.rs")), source).unwrap();
        std::fs::copy(
            workspace_root().join("tests/nested/loopback.rs"),
            tests.join("loopback.rs"),
        )
        .unwrap();
    }

    /// Runs cargo in the crate; returns what it printed, failing the test if cargo failed or
    /// anything in the crate drew a warning.
    pub fn cargo(&self, args: &[&str]) -> String {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args(args)
            .current_dir(&self.dir)
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
            self.dir.display()
        );
        assert!(
            !printed.contains("warning"),
            "cargo {args:?} warned in {}:\n{printed}",
            self.dir.display()
        );
        printed
    }

    pub fn read(&self, relative: &str) -> String {
        crate::read(self.dir.join(relative))
    }
}

impl Drop for NestedCrate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
