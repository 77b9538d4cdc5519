//! The workspace's side of the generator: its defaults (`spec/packages.yaml` into
//! `generated/`), the drift audit, and Markdown upkeep. The generation itself (staleness check
//! with a bounded diff, atomic directory swap) is `openapi-rust-gen`'s library, re-exported
//! here so that the workspace tests run the same check as `cargo xtask generate --check`.

pub use openapi_rust_gen::{
    check, generate, previous_surface, render, stale_files, Changes, Failure, Job, Outcome,
    StaleFile, Staleness, FIRST_VERSION,
};

use codegen::Profile;
use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root (this crate's parent directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// What `cargo xtask generate` does without options.
pub fn default_job() -> Job {
    let root = workspace_root();
    Job {
        spec: root.join("spec/packages.yaml"),
        spec_name: "spec/packages.yaml".to_owned(),
        out: root.join("generated"),
        crate_name: "github-packages".to_owned(),
        guide: Some(root.join("spec/guide.md")),
        profile: Some(Profile::Github),
        deny_warnings: false,
        generator_command: "cargo xtask generate".to_owned(),
        crate_version: None,
        deny_breaking: false,
        report: None,
    }
}

/// A file's text, or the failure that names it.
fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| Failure::Read(path.to_path_buf(), e))
}

/// What `cargo xtask audit` compares.
#[derive(Debug, Clone)]
pub struct AuditJob {
    pub spec: PathBuf,
    pub against: PathBuf,
    pub allowlist: PathBuf,
}

impl AuditJob {
    /// Our spec and allowlist, against `against`.
    pub fn against(against: impl Into<PathBuf>) -> AuditJob {
        let root = workspace_root();
        AuditJob {
            spec: root.join("spec/packages.yaml"),
            against: against.into(),
            allowlist: root.join("spec/audit-allowlist.yaml"),
        }
    }
}

/// Compares the spec with an official description; nothing is written.
pub fn audit(job: &AuditJob) -> Result<spec_audit::Report, Failure> {
    let name = |path: &Path| path.display().to_string();
    let ours = codegen::load_value(&read(&job.spec)?, &name(&job.spec))
        .map_err(|d| Failure::Spec(d.into()))?;
    // GitHub's next description is 3.1; it is compared in the 3.0 shape our fragment has.
    let (official, _rewritten) =
        codegen::load_value_as_30(&read(&job.against)?, &name(&job.against))
            .map_err(Failure::Spec)?;
    let allowed = spec_audit::parse_allowlist(&read(&job.allowlist)?, &name(&job.allowlist))
        .map_err(|d| Failure::Spec(d.into()))?;
    let differences = spec_audit::audit(&ours, &official);
    Ok(spec_audit::Report::new(differences, &allowed))
}

/// Puts `section`, which starts with `heading`, into the Markdown file at `path` in place of
/// the section of that heading it had (up to the next `## `), or at its end.
pub fn write_section(path: &Path, heading: &str, section: &str) -> Result<(), String> {
    let old = fs::read_to_string(path).unwrap_or_default();
    let new = match old.find(heading) {
        Some(start) => {
            let end = old[start + 3..]
                .find("\n## ")
                .map_or(old.len(), |e| start + 3 + e + 1);
            format!("{}{}{}", &old[..start], section, &old[end..])
        }
        None => format!("{}\n\n{section}", old.trim_end()),
    };
    fs::write(path, new).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
