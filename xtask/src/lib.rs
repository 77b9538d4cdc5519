//! File I/O around `codegen`: read the spec, compare with or replace the output directory.
//! A library so that the workspace tests can run the same staleness check as
//! `cargo xtask generate --check`.

use codegen::{Config, Diagnostics, Generated, GeneratedFile, Profile};
use std::fmt;
use std::fs;
use std::io;
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
    }
}

/// One generation: which spec, into which directory, as which crate.
#[derive(Debug, Clone)]
pub struct Job {
    pub spec: PathBuf,
    /// How the spec is named in messages and in the `@generated` headers.
    pub spec_name: String,
    pub out: PathBuf,
    pub crate_name: String,
    /// Markdown for the crate documentation (`spec/guide.md` by default).
    pub guide: Option<PathBuf>,
    /// The vendor conventions to follow; `None` detects them from the description.
    pub profile: Option<Profile>,
}

#[derive(Debug)]
pub enum Failure {
    /// The spec could not be read.
    Read(PathBuf, io::Error),
    /// The spec has problems; nothing was written.
    Spec(Diagnostics),
    /// The output could not be written; the previous output is intact.
    Write(PathBuf, io::Error),
    /// `--check`: these paths (relative to the output directory) differ from what would be
    /// generated.
    Stale(Vec<String>),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Read(path, error) => {
                write!(f, "error: cannot read {}: {error}", path.display())
            }
            Failure::Spec(diagnostics) => write!(f, "{diagnostics}; nothing was written"),
            Failure::Write(path, error) => write!(
                f,
                "error: cannot write {}: {error}; the previous output is unchanged",
                path.display()
            ),
            Failure::Stale(paths) => {
                writeln!(
                    f,
                    "generated code is stale; run `cargo xtask generate`. Differences:"
                )?;
                for path in paths {
                    writeln!(f, "  {path}")?;
                }
                Ok(())
            }
        }
    }
}

/// Runs the generator; nothing touches the disk.
pub fn render(job: &Job) -> Result<Generated, Failure> {
    let read =
        |path: &PathBuf| fs::read_to_string(path).map_err(|e| Failure::Read(path.clone(), e));
    let text = read(&job.spec)?;
    let guide = job.guide.as_ref().map(read).transpose()?;
    let config = Config {
        crate_name: job.crate_name.clone(),
        crate_version: "0.1.0".to_owned(),
        spec_name: job.spec_name.clone(),
        guide,
        profile: job.profile,
    };
    codegen::generate(&text, &config).map_err(Failure::Spec)
}

/// The paths that differ between `files` and the directory `out`: changed, missing, or
/// present but not generated.
pub fn stale_paths(files: &[GeneratedFile], out: &Path) -> Vec<String> {
    let mut stale = Vec::new();
    for file in files {
        match fs::read_to_string(out.join(&file.path)) {
            Ok(existing) if existing == file.contents => {}
            Ok(_) => stale.push(format!("{} (changed)", file.path)),
            Err(_) => stale.push(format!("{} (missing)", file.path)),
        }
    }
    for path in files_under(out) {
        if !files.iter().any(|f| f.path == path) {
            stale.push(format!("{path} (not generated; remove it)"));
        }
    }
    stale
}

/// `--check`: fails naming every stale path.
pub fn check(job: &Job) -> Result<(), Failure> {
    let files = render(job)?.files;
    let stale = stale_paths(&files, &job.out);
    if stale.is_empty() {
        Ok(())
    } else {
        Err(Failure::Stale(stale))
    }
}

/// Generates and replaces the output directory as a whole, or leaves it untouched when it is
/// already up to date. Returns whether anything changed.
pub fn generate(job: &Job) -> Result<bool, Failure> {
    let files = render(job)?.files;
    if stale_paths(&files, &job.out).is_empty() {
        return Ok(false);
    }
    replace_dir(&job.out, &files).map_err(|e| Failure::Write(job.out.clone(), e))?;
    Ok(true)
}

/// Writes every file into a sibling directory first, then swaps it in with renames, so a
/// failure or an interruption leaves either the old output or the new one, never a mix.
fn replace_dir(out: &Path, files: &[GeneratedFile]) -> io::Result<()> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "output path has no name"))?
        .to_string_lossy()
        .into_owned();
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    let write_all = || -> io::Result<()> {
        for file in files {
            let path = staging.join(&file.path);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            fs::write(&path, &file.contents)?;
        }
        Ok(())
    };
    if let Err(error) = write_all() {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    if out.exists() {
        fs::rename(out, &retired)?;
        if let Err(error) = fs::rename(&staging, out) {
            let _ = fs::rename(&retired, out);
            let _ = fs::remove_dir_all(&staging);
            return Err(error);
        }
        fs::remove_dir_all(&retired)?;
    } else {
        fs::rename(&staging, out)?;
    }
    Ok(())
}

/// Every file below `dir`, relative and with `/` separators; build output is skipped.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if entry.file_name() != "target" {
                    stack.push(path);
                }
            } else if let Ok(relative) = path.strip_prefix(dir) {
                let relative: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                found.push(relative.join("/"));
            }
        }
    }
    found.sort();
    found
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

/// The result of an audit: every difference, which of them the allowlist explains (with
/// the reason), and allowlist entries that no longer match anything.
#[derive(Debug)]
pub struct AuditReport {
    pub rows: Vec<(codegen::audit::Difference, Option<String>)>,
    pub stale: Vec<codegen::audit::Allowed>,
}

impl AuditReport {
    pub fn unexplained(&self) -> usize {
        self.rows
            .iter()
            .filter(|(_, reason)| reason.is_none())
            .count()
    }

    /// A table for people: one row per difference.
    pub fn table(&self) -> String {
        let headers = ["PLACE", "FIELD", "OURS", "OFFICIAL", "ALLOWED BECAUSE"];
        let cells: Vec<[String; 5]> = self
            .rows
            .iter()
            .map(|(d, reason)| {
                [
                    d.place.clone(),
                    d.field.clone(),
                    clip(&d.ours),
                    clip(&d.official),
                    reason.clone().unwrap_or_else(|| "NOT ALLOWED".to_owned()),
                ]
            })
            .collect();
        let mut widths = headers.map(str::len);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |row: &[&str]| -> String {
            let padded: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            padded.join("  ").trim_end().to_owned() + "\n"
        };
        let mut out = line(&headers);
        for row in &cells {
            out.push_str(&line(&row.each_ref().map(String::as_str)));
        }
        out
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text.to_owned()
    }
}

/// Compares the spec with an official description; nothing is written.
pub fn audit(job: &AuditJob) -> Result<AuditReport, Failure> {
    let read =
        |path: &PathBuf| fs::read_to_string(path).map_err(|e| Failure::Read(path.clone(), e));
    let name = |path: &PathBuf| path.display().to_string();
    let ours = codegen::load_value(&read(&job.spec)?, &name(&job.spec))
        .map_err(|d| Failure::Spec(d.into()))?;
    let official = codegen::load_value(&read(&job.against)?, &name(&job.against))
        .map_err(|d| Failure::Spec(d.into()))?;
    let allowed = codegen::audit::parse_allowlist(&read(&job.allowlist)?, &name(&job.allowlist))
        .map_err(|d| Failure::Spec(d.into()))?;
    let differences = codegen::audit::audit(&ours, &official);
    let (_, stale) = codegen::audit::unexplained(&differences, &allowed);
    let rows = differences
        .into_iter()
        .map(|d| {
            let reason = allowed
                .iter()
                .find(|a| a.place == d.place && a.field == d.field)
                .map(|a| a.reason.clone());
            (d, reason)
        })
        .collect();
    Ok(AuditReport { rows, stale })
}
