//! The command line of a generation: options, usage errors, and what a run prints. Both
//! `openapi-rust-gen` and `cargo xtask generate` are this function with other defaults.

use crate::{Changes, Job, Outcome};
use codegen::Profile;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What a command that runs the generator says, and does without options.
#[derive(Debug, Clone)]
pub struct CommandLine<'a> {
    /// The command as a user types it, which the generated files' `@generated` notice
    /// names: `cargo xtask generate`, `openapi-rust-gen`.
    pub name: &'a str,
    /// Printed by `--help`, and after a usage error.
    pub usage: &'a str,
    /// What a failed `--check` tells the user to do, e.g. "run `cargo xtask generate`".
    pub regenerate: &'a str,
    /// The job the command runs without options; `--spec` replaces its guide and profile too,
    /// which belong to its spec. `None` for a command with nothing to default to: `--spec` and
    /// `--out` are required, the profile is detected, there is no guide, and the crate is named
    /// after the `--out` directory.
    pub defaults: Option<Job>,
}

/// Parses `args` (the options, without the command's name), runs the generation and prints
/// what happened. Exit code 0 on success, 1 for a bad spec, stale output or a refused
/// regeneration, 2 for bad usage.
pub fn run(args: &[String], command: &CommandLine) -> ExitCode {
    let options = match Request::parse(args) {
        Ok(Request::Generate(options)) => options,
        Ok(Request::Help) => {
            println!("{}", command.usage);
            return ExitCode::SUCCESS;
        }
        Ok(Request::Version) => {
            println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => return usage_error(command, &message),
    };
    let check = options.check;
    let job = match options.into_job(command, command.defaults.as_ref()) {
        Ok(job) => job,
        Err(message) => return usage_error(command, &message),
    };
    let result = if check {
        crate::check(&job)
    } else {
        crate::generate(&job)
    };
    match result {
        Ok(outcome) => {
            describe(&job, &outcome, check);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{}", failure.advising(command.regenerate));
            ExitCode::FAILURE
        }
    }
}

fn usage_error(command: &CommandLine, message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{}", command.usage);
    ExitCode::from(2)
}

enum Request {
    Generate(Options),
    Help,
    Version,
}

/// The options as given; what was not given is `None` until [`Options::into_job`] fills it
/// in, so that the result does not depend on the order of the options.
#[derive(Default)]
struct Options {
    /// As written: it names the spec in messages and in the `@generated` headers.
    spec: Option<String>,
    out: Option<PathBuf>,
    guide: Option<PathBuf>,
    crate_name: Option<String>,
    crate_version: Option<String>,
    /// `Some(None)` is `--profile auto`.
    profile: Option<Option<Profile>>,
    deny_warnings: bool,
    check: bool,
    report: Option<PathBuf>,
    deny_breaking: bool,
}

impl Request {
    fn parse(args: &[String]) -> Result<Request, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--help" | "-h" => return Ok(Request::Help),
                "--version" => return Ok(Request::Version),
                "--check" => options.check = true,
                "--deny-warnings" => options.deny_warnings = true,
                "--deny-breaking" => options.deny_breaking = true,
                "--spec" => options.spec = Some(value("--spec")?),
                "--out" => options.out = Some(value("--out")?.into()),
                "--guide" => options.guide = Some(value("--guide")?.into()),
                "--report" => options.report = Some(value("--report")?.into()),
                "--crate-name" => {
                    let name = value("--crate-name")?;
                    check_package_name(&name).map_err(|why| format!("--crate-name: {why}"))?;
                    options.crate_name = Some(name);
                }
                "--crate-version" => {
                    let version = value("--crate-version")?;
                    codegen::surface::next_version(&version, None)?;
                    options.crate_version = Some(version);
                }
                "--profile" => {
                    let name = value("--profile")?;
                    let chosen = match name.as_str() {
                        "auto" => None,
                        name => Some(Profile::from_name(name).ok_or_else(|| {
                            format!("unknown profile `{name}`; expected github, generic or auto")
                        })?),
                    };
                    options.profile = Some(chosen);
                }
                other => return Err(format!("unknown argument `{other}`")),
            }
        }
        Ok(Request::Generate(options))
    }
}

impl Options {
    fn into_job(self, command: &CommandLine, defaults: Option<&Job>) -> Result<Job, String> {
        // The default guide and profile are those of the default spec; another spec gets
        // neither unless they are given.
        let defaults_for_spec = defaults.filter(|_| self.spec.is_none());
        let (spec, spec_name) = match (self.spec, defaults) {
            (Some(spec), _) => (PathBuf::from(&spec), spec),
            (None, Some(defaults)) => (defaults.spec.clone(), defaults.spec_name.clone()),
            (None, None) => return Err("--spec PATH is required".to_owned()),
        };
        let out = match (self.out, defaults) {
            (Some(out), _) => out,
            (None, Some(defaults)) => defaults.out.clone(),
            (None, None) => return Err("--out DIR is required".to_owned()),
        };
        let crate_name = match (self.crate_name, defaults) {
            (Some(name), _) => name,
            (None, Some(defaults)) => defaults.crate_name.clone(),
            (None, None) => named_after(&out)?,
        };
        Ok(Job {
            spec,
            spec_name,
            crate_name,
            guide: self
                .guide
                .or_else(|| defaults_for_spec.and_then(|d| d.guide.clone())),
            profile: self
                .profile
                .unwrap_or_else(|| defaults_for_spec.and_then(|d| d.profile)),
            out,
            deny_warnings: self.deny_warnings,
            generator_command: command.name.to_owned(),
            crate_version: self.crate_version,
            deny_breaking: self.deny_breaking,
            report: self.report,
        })
    }
}

/// The package name a crate generated into `out` gets without `--crate-name`: the
/// directory's, as `cargo new` names a package.
fn named_after(out: &Path) -> Result<String, String> {
    let name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| {
            format!(
                "--out {} names no directory to name the crate after; give --crate-name",
                out.display()
            )
        })?;
    check_package_name(&name).map_err(|why| {
        format!(
            "the crate would be named after --out {}, but {why}; give --crate-name",
            out.display()
        )
    })?;
    Ok(name)
}

/// Cargo's rule for package names (the ASCII one crates.io applies): letters, digits, `-` and
/// `_`, starting with a letter or `_`. Checked here because the name is written into
/// `Cargo.toml` and the doc examples, where a bad one would only fail the generated crate's
/// build.
fn check_package_name(name: &str) -> Result<(), String> {
    let valid = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a package name (ASCII letters, digits, `-` and `_`, starting with a letter or `_`)",
            name.escape_debug()
        ))
    }
}

/// Warnings first, then which profile the crate follows and what was written.
fn describe(job: &Job, outcome: &Outcome, check: bool) {
    for warning in &outcome.warnings {
        eprintln!("{warning}\n");
    }
    if !outcome.warnings.is_empty() {
        eprintln!("{} warnings", outcome.warnings.len());
    }
    eprintln!("profile: {} ({})", outcome.profile, outcome.profile_reason);
    match &outcome.changes {
        Changes::Report(report) if report.changes.is_empty() => {
            eprintln!("{}", report.summary())
        }
        Changes::Report(report) => eprintln!("{report}\n{}", report.summary()),
        Changes::NoPrevious => eprintln!(
            "no change report: {} held no {} to compare with",
            job.out.display(),
            codegen::surface::FILE
        ),
        Changes::Unreadable(why) => eprintln!(
            "no change report: {} cannot be read: {why}",
            job.out.join(codegen::surface::FILE).display()
        ),
    }
    if let Some(path) = &job.report {
        eprintln!("change report written to {}", path.display());
    }
    let out = job.out.display();
    match (check, outcome.changed) {
        (true, _) => eprintln!("{out} is up to date"),
        (false, true) => eprintln!("wrote {out}"),
        (false, false) => eprintln!("{out} is already up to date"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    fn job(text: &str, defaults: Option<&Job>) -> Result<Job, String> {
        match Request::parse(&args(text))? {
            Request::Generate(options) => {
                let command = CommandLine {
                    name: "openapi-rust-gen",
                    usage: "",
                    regenerate: "",
                    defaults: None,
                };
                options.into_job(&command, defaults)
            }
            Request::Help | Request::Version => panic!("`{text}` generates"),
        }
    }

    fn workspace_defaults() -> Job {
        Job {
            spec: PathBuf::from("/repo/spec/packages.yaml"),
            spec_name: "spec/packages.yaml".to_owned(),
            out: PathBuf::from("/repo/generated"),
            crate_name: "github-packages".to_owned(),
            guide: Some(PathBuf::from("/repo/spec/guide.md")),
            profile: Some(Profile::Github),
            deny_warnings: false,
            generator_command: "cargo xtask generate".to_owned(),
            crate_version: None,
            deny_breaking: false,
            report: None,
        }
    }

    #[test]
    fn without_options_the_defaults_run() {
        let defaults = workspace_defaults();
        let job = job("", Some(&defaults)).unwrap();
        assert_eq!(job.spec, defaults.spec);
        assert_eq!(job.guide, defaults.guide);
        assert_eq!(job.profile, Some(Profile::Github));
        assert_eq!(job.crate_name, "github-packages");
    }

    #[test]
    fn another_spec_drops_the_default_guide_and_profile_whatever_the_order() {
        let defaults = workspace_defaults();
        let spec_only = job("--spec other.yaml", Some(&defaults)).unwrap();
        assert_eq!((spec_only.guide, spec_only.profile), (None, None));
        assert_eq!(spec_only.spec_name, "other.yaml");
        for text in [
            "--profile generic --guide g.md --spec other.yaml",
            "--spec other.yaml --profile generic --guide g.md",
        ] {
            let job = job(text, Some(&defaults)).unwrap();
            assert_eq!(job.profile, Some(Profile::Generic), "{text}");
            assert_eq!(job.guide, Some(PathBuf::from("g.md")), "{text}");
        }
    }

    #[test]
    fn without_defaults_spec_and_out_are_required() {
        assert_eq!(job("--out x", None).unwrap_err(), "--spec PATH is required");
        assert_eq!(
            job("--spec a.yaml", None).unwrap_err(),
            "--out DIR is required"
        );
        let job = job("--spec a.yaml --out clients/pet-store", None).unwrap();
        assert_eq!(job.crate_name, "pet-store");
        assert_eq!((job.guide, job.profile), (None, None));
    }

    #[test]
    fn crate_names_are_package_names() {
        assert!(job("--spec a.yaml --out clients/..", None)
            .unwrap_err()
            .contains("give --crate-name"));
        let refused = job("--spec a.yaml --out clients/pets.v2", None).unwrap_err();
        assert!(refused.contains("is not a package name"), "{refused}");
        let refused = job("--spec a.yaml --out x --crate-name 1st", None).unwrap_err();
        assert!(refused.starts_with("--crate-name: `1st`"), "{refused}");
        let given = job("--spec a.yaml --out . --crate-name pets_v2", None).unwrap();
        assert_eq!(given.crate_name, "pets_v2");
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for (text, expected) in [
            ("--spec", "--spec needs a value"),
            ("--profile aws", "unknown profile `aws`"),
            ("--crate-version one", "is not a SemVer version"),
            ("--frobnicate", "unknown argument `--frobnicate`"),
        ] {
            let message = job(text, None).unwrap_err();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }
}
