//! `cargo xtask refresh`: what a scheduled job runs. Fetch GitHub's newest description from
//! the npm registry, audit the fragment against it, regenerate `generated/`, and write one
//! Markdown report of both (the body of the pull request the job opens).

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use xtask::{default_job, workspace_root, AuditJob, Changes};

pub fn main(args: &[String]) -> ExitCode {
    let mut report = workspace_root().join("target/refresh.md");
    let mut deny_breaking = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--deny-breaking" => deny_breaking = true,
            "--report" => match args.next() {
                Some(path) => report = PathBuf::from(path),
                None => {
                    eprintln!("error: --report needs a value");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("error: unknown argument `{other}`");
                return ExitCode::from(2);
            }
        }
    }
    match run(&report, deny_breaking) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the refresh is clean: the fragment explains every difference from the newest
/// description, and the regeneration was written (not refused by `--deny-breaking`).
fn run(report_path: &PathBuf, deny_breaking: bool) -> Result<bool, String> {
    let version = newest_version()?;
    let cache = workspace_root().join("target/semver-history");
    fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let description = crate::history::fetch(&cache, &version)?;
    let mut text = format!(
        "# Regeneration against `{}@{version}`\n\n## Drift of `spec/packages.yaml`\n\n",
        crate::history::PACKAGE
    );
    let audit = xtask::audit(&AuditJob::against(&description)).map_err(|f| f.to_string())?;
    let unexplained = audit.unexplained();
    if audit.rows.is_empty() {
        text.push_str("None: the fragment says what the description says.\n");
    } else {
        let advice = if unexplained == 0 {
            "all explained by `spec/audit-allowlist.yaml`".to_owned()
        } else {
            format!(
                "{unexplained} not explained by `spec/audit-allowlist.yaml`: edit the fragment \
                 for those, then regenerate"
            )
        };
        let _ = writeln!(
            text,
            "{} differences, {advice}.\n\n```\n{}```",
            audit.rows.len(),
            audit.table()
        );
    }
    text.push('\n');
    let job = xtask::Job {
        deny_breaking,
        ..default_job()
    };
    let written = match xtask::generate(&job) {
        Ok(outcome) => {
            match &outcome.changes {
                Changes::Report(report) => {
                    let _ = write!(text, "## Changes to the public API\n{}", nested(report));
                }
                Changes::NoPrevious => {
                    text.push_str("## Changes to the public API\n\nA new crate.\n")
                }
                Changes::Unreadable(why) => {
                    let _ = writeln!(text, "## Changes to the public API\n\nNot known: {why}.");
                }
            }
            true
        }
        Err(xtask::Failure::Breaking(report)) => {
            let _ = write!(
                text,
                "## Changes to the public API (not written: `--deny-breaking`)\n{}",
                nested(&report)
            );
            false
        }
        Err(failure) => return Err(failure.to_string()),
    };
    fs::write(report_path, &text)
        .map_err(|e| format!("cannot write {}: {e}", report_path.display()))?;
    print!("{text}");
    eprintln!("refresh: report written to {}", report_path.display());
    Ok(written && unexplained == 0)
}

/// The change report as a section of this document: its title dropped, its sections one
/// level down.
fn nested(report: &codegen::Report) -> String {
    let body = report.to_string();
    let body = body
        .split_once('\n')
        .map_or(body.as_str(), |(_, rest)| rest);
    body.replace("\n## ", "\n### ")
}

/// The newest release of GitHub's description on the npm registry.
fn newest_version() -> Result<String, String> {
    let output = Command::new("npm")
        .args([
            "view",
            crate::history::PACKAGE,
            "version",
            "--loglevel=error",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || version.is_empty() {
        return Err(format!(
            "npm view {} version failed: {}",
            crate::history::PACKAGE,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(version)
}
