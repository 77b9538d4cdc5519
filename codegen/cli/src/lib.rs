//! The generator's file I/O around `codegen`: read the spec, then compare the result with
//! the output directory (`--check`) or replace that directory as a whole. The command line
//! that drives it (`run`) is here too, shared by the installed `openapi-rust-gen` and the
//! workspace's `cargo xtask generate`, so that the two cannot drift apart.

mod command;

pub use command::{run, CommandLine};

use codegen::{surface, Config, Diagnostics, Generated, GeneratedFile, Profile, Report, Surface};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One generation: which spec, into which directory, as which crate.
#[derive(Debug, Clone)]
pub struct Job {
    pub spec: PathBuf,
    /// How the spec is named in messages and in the `@generated` headers.
    pub spec_name: String,
    pub out: PathBuf,
    pub crate_name: String,
    /// Markdown appended to the crate documentation: a guide to the API, with examples.
    pub guide: Option<PathBuf>,
    /// The vendor conventions to follow; `None` detects them from the description.
    pub profile: Option<Profile>,
    /// Warnings fail the run, as errors do.
    pub deny_warnings: bool,
    /// The crate's version; `None` keeps the one the crate in `out` was generated with
    /// (its API surface says), or `0.1.0` for a new crate.
    pub crate_version: Option<String>,
    /// A regeneration whose change report calls for a breaking release fails, writing
    /// nothing (the report is still written).
    pub deny_breaking: bool,
    /// Where to write the change report (Markdown).
    pub report: Option<PathBuf>,
    /// The command that regenerates the crate, as its files' `@generated` notices name it.
    pub generator_command: String,
}

/// The version of a crate nobody has given one.
pub const FIRST_VERSION: &str = "0.1.0";

/// What a run made of the spec, besides the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Whether the output directory was (or, for `--check`, would be) rewritten.
    pub changed: bool,
    pub warnings: Vec<codegen::Diagnostic>,
    pub profile: Profile,
    pub profile_reason: String,
    /// What the regeneration changes in the crate's public API.
    pub changes: Changes,
}

/// The change report of a run, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    Report(Report),
    /// `out` holds no crate with an API surface: a first generation.
    NoPrevious,
    /// The surface in `out` cannot be read (a generator with another format wrote it).
    Unreadable(String),
}

impl Outcome {
    fn of(generated: &Generated, changed: bool, changes: Changes) -> Outcome {
        Outcome {
            changed,
            warnings: generated.warnings.clone(),
            profile: generated.profile,
            profile_reason: generated.profile_reason.clone(),
            changes,
        }
    }
}

#[derive(Debug)]
pub enum Failure {
    /// The spec could not be read.
    Read(PathBuf, io::Error),
    /// The spec has problems; nothing was written.
    Spec(Diagnostics),
    /// The output could not be written; the previous output is intact.
    Write(PathBuf, io::Error),
    /// `--check`: these files differ from what would be generated.
    Stale(Vec<StaleFile>),
    /// `--deny-breaking`: the changes call for a breaking release; nothing was written.
    Breaking(Box<Report>),
    /// `--deny-breaking`, and what the crate in the output directory offered cannot be
    /// established; nothing was written.
    NoBaseline(PathBuf, String),
}

/// A file of the output directory that is not what the generator makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Relative to the output directory.
    pub path: String,
    pub how: Staleness,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// A unified diff from what is on disk to what would be generated.
    Changed(String),
    Missing,
    /// On disk, but not generated.
    Stray,
}

impl fmt::Display for StaleFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.how {
            Staleness::Changed(_) => "changed",
            Staleness::Missing => "missing",
            Staleness::Stray => "not generated; remove it",
        };
        write!(f, "{} ({how})", self.path)
    }
}

/// Lines of diff shown per changed file, and in all: enough to see what changed, bounded so
/// that a stale run does not flood a CI log.
const DIFF_LINES_PER_FILE: usize = 60;
const DIFF_LINES_IN_ALL: usize = 300;

impl Failure {
    /// The message, where a stale output is followed by `regenerate`, the way to bring it up to
    /// date with the command the user ran (e.g. "run `cargo xtask generate`").
    pub fn advising<'a>(&'a self, regenerate: &'a str) -> impl fmt::Display + 'a {
        Advised {
            failure: self,
            regenerate,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, regenerate: &str) -> fmt::Result {
        match self {
            Failure::Read(path, error) => {
                write!(f, "error: cannot read {}: {error}", path.display())
            }
            Failure::Spec(diagnostics) => write!(f, "{diagnostics}; nothing was written"),
            Failure::Breaking(report) => write!(
                f,
                "{report}\nerror: --deny-breaking: {}; nothing was written",
                report.summary()
            ),
            Failure::NoBaseline(path, why) => write!(
                f,
                "error: --deny-breaking: cannot compare with {}: {why}; nothing was written",
                path.display()
            ),
            Failure::Write(path, error) => write!(
                f,
                "error: cannot write {}: {error}; the previous output is unchanged",
                path.display()
            ),
            Failure::Stale(files) => {
                writeln!(f, "generated code is stale; {regenerate}. Differences:")?;
                for file in files {
                    writeln!(f, "  {file}")?;
                }
                let mut budget = DIFF_LINES_IN_ALL;
                for file in files {
                    let Staleness::Changed(diff) = &file.how else {
                        continue;
                    };
                    let lines: Vec<&str> = diff.lines().collect();
                    let shown = lines.len().min(DIFF_LINES_PER_FILE).min(budget);
                    writeln!(f)?;
                    for line in &lines[..shown] {
                        writeln!(f, "{line}")?;
                    }
                    if shown < lines.len() {
                        writeln!(f, "... {} more lines of diff", lines.len() - shown)?;
                    }
                    budget -= shown;
                }
                Ok(())
            }
        }
    }
}

/// Without a command to name, the library cannot say which one regenerates.
impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, "regenerate it")
    }
}

struct Advised<'a> {
    failure: &'a Failure,
    regenerate: &'a str,
}

impl fmt::Display for Advised<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.failure.write(f, self.regenerate)
    }
}

/// A file's text, or the failure that names it.
fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| Failure::Read(path.to_path_buf(), e))
}

/// Runs the generator; nothing touches the disk. With `deny_warnings`, warnings fail it.
pub fn render(job: &Job) -> Result<Generated, Failure> {
    render_after(job, &previous_surface(&job.out))
}

/// [`render`], given what [`previous_surface`] read (the crate keeps its version).
fn render_after(
    job: &Job,
    previous: &Result<Option<Surface>, String>,
) -> Result<Generated, Failure> {
    let text = read(&job.spec)?;
    let guide = job.guide.as_deref().map(read).transpose()?;
    let crate_version = match &job.crate_version {
        Some(version) => version.clone(),
        None => match previous {
            Ok(Some(surface)) => surface.crate_version.clone(),
            _ => FIRST_VERSION.to_owned(),
        },
    };
    let config = Config {
        crate_name: job.crate_name.clone(),
        crate_version,
        spec_name: job.spec_name.clone(),
        guide,
        profile: job.profile,
        // A crate of its own, so it can declare a feature per tag.
        tag_features: true,
        generator_command: job.generator_command.clone(),
    };
    let generated = codegen::generate(&text, &config).map_err(Failure::Spec)?;
    if job.deny_warnings && !generated.warnings.is_empty() {
        let denied = generated
            .warnings
            .into_iter()
            .map(|warning| codegen::Diagnostic {
                severity: codegen::Severity::Error,
                ..warning
            })
            .collect();
        return Err(Failure::Spec(Diagnostics(denied)));
    }
    Ok(generated)
}

/// The files that differ between `files` and the directory `out`: changed, missing, or
/// present but not generated.
pub fn stale_files(files: &[GeneratedFile], out: &Path) -> Vec<StaleFile> {
    let mut stale = Vec::new();
    for file in files {
        let how = match fs::read_to_string(out.join(&file.path)) {
            Ok(existing) if existing == file.contents => continue,
            Ok(existing) => Staleness::Changed(
                similar::TextDiff::configure()
                    // Myers' diff is quadratic in the worst case; a file of tens of MiB that
                    // changed throughout gets a coarser diff instead of minutes of work.
                    .timeout(std::time::Duration::from_secs(2))
                    .diff_lines(&existing, &file.contents)
                    .unified_diff()
                    .context_radius(2)
                    .header(
                        &format!("{} (on disk)", file.path),
                        &format!("{} (generated)", file.path),
                    )
                    .to_string(),
            ),
            Err(_) => Staleness::Missing,
        };
        stale.push(StaleFile {
            path: file.path.clone(),
            how,
        });
    }
    for path in files_under(out) {
        if !files.iter().any(|f| f.path == path) {
            stale.push(StaleFile {
                path,
                how: Staleness::Stray,
            });
        }
    }
    stale
}

/// Whether `out` holds exactly `files`: the question `stale_files` answers, without diffs.
fn is_up_to_date(files: &[GeneratedFile], out: &Path) -> bool {
    files.iter().all(|file| {
        fs::read(out.join(&file.path)).is_ok_and(|existing| existing == file.contents.as_bytes())
    }) && files_under(out)
        .iter()
        .all(|path| files.iter().any(|f| &f.path == path))
}

/// The API surface the crate in `out` was generated with: `None` when there is none.
pub fn previous_surface(out: &Path) -> Result<Option<Surface>, String> {
    let path = out.join(surface::FILE);
    match fs::read_to_string(&path) {
        Ok(text) => Surface::from_json(&text).map(Some),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.to_string()),
    }
}

/// The change report of `generated` against the crate in `job.out`, written where
/// `job.report` says; with `job.deny_breaking`, a breaking one (or none to be had) fails.
fn changes(
    job: &Job,
    generated: &Generated,
    previous: Result<Option<Surface>, String>,
) -> Result<Changes, Failure> {
    let changes = match previous {
        Ok(Some(previous)) => Changes::Report(Report::new(&previous, &generated.surface)),
        Ok(None) => Changes::NoPrevious,
        Err(why) => Changes::Unreadable(why),
    };
    if let Some(path) = &job.report {
        let text = match &changes {
            Changes::Report(report) => report.to_string(),
            Changes::NoPrevious => format!(
                "# Changes to the public API of `{}`\n\nA new crate: {} held no `{}` to compare with.\n",
                job.crate_name,
                job.out.display(),
                surface::FILE
            ),
            Changes::Unreadable(why) => format!(
                "# Changes to the public API of `{}`\n\nNot known: {} cannot be read ({why}).\n",
                job.crate_name,
                job.out.join(surface::FILE).display()
            ),
        };
        fs::write(path, text).map_err(|e| Failure::Write(path.clone(), e))?;
    }
    if job.deny_breaking {
        match &changes {
            Changes::Report(report) if report.is_breaking() => {
                return Err(Failure::Breaking(Box::new(report.clone())))
            }
            Changes::Unreadable(why) => {
                return Err(Failure::NoBaseline(
                    job.out.join(surface::FILE),
                    why.clone(),
                ))
            }
            _ => {}
        }
    }
    Ok(changes)
}

/// `--check`: fails naming every stale file, with a diff of each changed one.
pub fn check(job: &Job) -> Result<Outcome, Failure> {
    let previous = previous_surface(&job.out);
    let generated = render_after(job, &previous)?;
    let changes = changes(job, &generated, previous)?;
    let stale = stale_files(&generated.files, &job.out);
    if stale.is_empty() {
        Ok(Outcome::of(&generated, false, changes))
    } else {
        Err(Failure::Stale(stale))
    }
}

/// Generates and replaces the output directory as a whole, or leaves it untouched when it is
/// already up to date.
pub fn generate(job: &Job) -> Result<Outcome, Failure> {
    let previous = previous_surface(&job.out);
    let generated = render_after(job, &previous)?;
    let changes = changes(job, &generated, previous)?;
    if is_up_to_date(&generated.files, &job.out) {
        return Ok(Outcome::of(&generated, false, changes));
    }
    replace_dir(&job.out, &generated.files).map_err(|e| Failure::Write(job.out.clone(), e))?;
    Ok(Outcome::of(&generated, true, changes))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_diffs_are_bounded() {
        let old: String = (0..500).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..500).map(|i| format!("new {i}\n")).collect();
        let diff = similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .to_string();
        let file = |path: &str| StaleFile {
            path: path.to_owned(),
            how: Staleness::Changed(diff.clone()),
        };
        let files: Vec<StaleFile> = (0..10).map(|i| file(&format!("src/{i}.rs"))).collect();
        let message = Failure::Stale(files).to_string();
        let shown = message
            .lines()
            .filter(|l| l.starts_with(['+', '-']))
            .count();
        assert!(shown <= DIFF_LINES_IN_ALL, "{shown} diff lines shown");
        assert!(message.contains("more lines of diff"), "{message}");
    }
}
