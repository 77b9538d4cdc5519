//! `cargo xtask semver-history`: our change report against `cargo-semver-checks`, over the
//! releases of GitHub's description on the npm registry (`@octokit/openapi`).
//!
//! Each release's `generated/api.github.com.json` becomes a crate (the whole description,
//! GitHub profile); consecutive pairs are compared twice: by our report, restricted to what a
//! build with one feature sees, and by `cargo-semver-checks` on rustdoc of that same build.
//! Every breaking change `cargo-semver-checks` finds must be an entry of our report; what our
//! report finds beyond it (changed field types, which it does not check) is counted too.

use codegen::{Report, Surface};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;
use xtask::{workspace_root, Job};

pub(crate) const PACKAGE: &str = "@octokit/openapi";
const DESCRIPTION: &str = "package/generated/api.github.com.json";
const SEMVER_CHECKS_VERSION: &str = "0.51.0";
/// The heading of the section `--write` replaces.
const HEADING: &str = "## Change reports against cargo-semver-checks";

struct Options {
    feature: String,
    write: Option<PathBuf>,
    versions: Option<Vec<String>>,
}

pub fn main(args: &[String]) -> ExitCode {
    let mut options = Options {
        feature: "packages".to_owned(),
        write: None,
        versions: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let Some(value) = args.next() else {
            eprintln!("error: {arg} needs a value");
            return ExitCode::from(2);
        };
        match arg.as_str() {
            "--feature" => options.feature = value.clone(),
            "--write" => options.write = Some(PathBuf::from(value)),
            "--versions" => {
                options.versions = Some(value.split(',').map(str::to_owned).collect());
            }
            other => {
                eprintln!("error: unknown argument `{other}`");
                return ExitCode::from(2);
            }
        }
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One release: its crate and surface.
struct Release {
    version: String,
    crate_dir: PathBuf,
    surface: Surface,
    /// rustdoc JSON of the build with only the feature, when the release has the feature.
    rustdoc: Option<PathBuf>,
}

/// One consecutive pair, compared both ways.
struct Row {
    from: String,
    to: String,
    report: Option<Report>,
    findings: Option<Vec<Finding>>,
    note: String,
}

/// One item `cargo-semver-checks` names under a failing lint.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    lint: String,
    item: String,
}

fn run(options: &Options) -> Result<(), String> {
    let started = Instant::now();
    let root = workspace_root();
    let cache = root.join("target/semver-history");
    fs::create_dir_all(&cache).map_err(|e| format!("cannot create {}: {e}", cache.display()))?;
    let semver_checks = install_semver_checks(&root)?;
    let versions = match &options.versions {
        Some(versions) => versions.clone(),
        None => released_versions()?,
    };
    eprintln!("semver-history: {} releases of {PACKAGE}", versions.len());
    let target = cache.join("target");
    let mut releases = Vec::new();
    for version in &versions {
        let description = fetch(&cache, version)?;
        let crate_dir = cache.join("crates").join(version);
        let job = Job {
            spec: description,
            spec_name: format!("{PACKAGE}@{version}/generated/api.github.com.json"),
            out: crate_dir.clone(),
            crate_name: "github".to_owned(),
            guide: None,
            profile: None,
            deny_warnings: false,
            generator_command: "cargo xtask generate".to_owned(),
            // One version for all: each pair is judged by what changed, not by its numbers.
            crate_version: Some("1.0.0".to_owned()),
            deny_breaking: false,
            report: None,
        };
        let generated = xtask::render(&job).map_err(|f| format!("{version}: {f}"))?;
        // A fresh directory, so that no report is made against another release's crate.
        let _ = fs::remove_dir_all(&crate_dir);
        for file in &generated.files {
            let path = crate_dir.join(&file.path);
            fs::create_dir_all(path.parent().expect("a file has a directory"))
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            fs::write(&path, &file.contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let manifest = crate_dir.join("Cargo.toml");
        let mut text = fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
        text.push_str("\n[workspace]\n");
        fs::write(&manifest, text).map_err(|e| e.to_string())?;
        let has_feature = generated
            .surface
            .features
            .iter()
            .any(|f| f.name == options.feature);
        let rustdoc = if has_feature {
            Some(rustdoc_json(
                &crate_dir,
                &target,
                &options.feature,
                &cache,
                version,
            )?)
        } else {
            eprintln!(
                "semver-history: {version} has no `{}` feature",
                options.feature
            );
            None
        };
        releases.push(Release {
            version: version.clone(),
            crate_dir,
            surface: generated.surface,
            rustdoc,
        });
    }
    let mut rows = Vec::new();
    for pair in releases.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let report = Some(Report::new(
            &a.surface.restricted_to(&options.feature),
            &b.surface.restricted_to(&options.feature),
        ));
        if let Some(report) = &report {
            let path = cache.join(format!("report-{}-{}.md", a.version, b.version));
            fs::write(&path, report.to_string()).map_err(|e| e.to_string())?;
        }
        let (findings, note) = match (&a.rustdoc, &b.rustdoc) {
            (Some(old), Some(new)) => (
                Some(semver_checks_findings(
                    &semver_checks,
                    &b.crate_dir,
                    old,
                    new,
                    &cache.join(format!("semver-checks-{}-{}.txt", a.version, b.version)),
                )?),
                String::new(),
            ),
            _ => (
                None,
                format!("`{}` has no `{}` feature", a.version, options.feature),
            ),
        };
        rows.push(Row {
            from: a.version.clone(),
            to: b.version.clone(),
            report,
            findings,
            note,
        });
    }
    let section = table(&rows, &options.feature, started.elapsed().as_secs());
    eprintln!(
        "semver-history: each pair's report and cargo-semver-checks output are in {}",
        cache.display()
    );
    print!("{section}");
    if let Some(path) = &options.write {
        xtask::write_section(path, HEADING, &section)?;
        eprintln!("semver-history: wrote {}", path.display());
    }
    let missed: usize = rows.iter().map(|r| missed(r).len()).sum();
    if missed > 0 {
        return Err(format!(
            "{missed} breaking changes cargo-semver-checks finds are not in our reports"
        ));
    }
    Ok(())
}

/// `cargo-semver-checks` at the pinned version, installed under `target/tools` when absent
/// (a build of several minutes).
fn install_semver_checks(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/tools");
    let binary = tools.join("bin/cargo-semver-checks");
    let pinned = Command::new(&binary)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SEMVER_CHECKS_VERSION));
    if pinned {
        return Ok(binary);
    }
    eprintln!("semver-history: cargo install cargo-semver-checks {SEMVER_CHECKS_VERSION} (several minutes)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "install",
            "--locked",
            "cargo-semver-checks",
            "--version",
            SEMVER_CHECKS_VERSION,
            "--root",
        ])
        .arg(&tools)
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo install cargo-semver-checks failed ({status})"
        ));
    }
    Ok(binary)
}

/// Every release of the package, oldest first, as the registry lists them.
fn released_versions() -> Result<Vec<String>, String> {
    let output = Command::new("npm")
        .args(["view", PACKAGE, "versions", "--json", "--loglevel=error"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "npm view {PACKAGE} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let versions: Vec<String> = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("npm view {PACKAGE}: not a list of versions: {e}"))?;
    Ok(versions.into_iter().filter(|v| !v.contains('-')).collect())
}

/// The release's description, from the cache or `npm pack` (only that file is kept).
pub(crate) fn fetch(cache: &Path, version: &str) -> Result<PathBuf, String> {
    let kept = cache.join(format!("api.github.com-{version}.json"));
    if kept.is_file() {
        return Ok(kept);
    }
    let staging = cache.join(format!(".pack-{version}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(|e| e.to_string())?;
    eprintln!("semver-history: npm pack {PACKAGE}@{version}");
    let packed = Command::new("npm")
        .args([
            "pack",
            &format!("{PACKAGE}@{version}"),
            "--loglevel=error",
            "--pack-destination",
        ])
        .arg(&staging)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    let tarball = fs::read_dir(&staging)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz"));
    let (true, Some(tarball)) = (packed.success(), tarball) else {
        let _ = fs::remove_dir_all(&staging);
        return Err(format!("npm pack {PACKAGE}@{version} failed ({packed})"));
    };
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&staging)
        .arg(DESCRIPTION)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let result = if untar.success() {
        fs::rename(staging.join(DESCRIPTION), &kept).map_err(|e| e.to_string())
    } else {
        Err(format!("{PACKAGE}@{version} has no {DESCRIPTION}"))
    };
    let _ = fs::remove_dir_all(&staging);
    result.map(|()| kept)
}

/// rustdoc JSON of the crate built with only `feature`, kept beside the cache.
fn rustdoc_json(
    crate_dir: &Path,
    target: &Path,
    feature: &str,
    cache: &Path,
    version: &str,
) -> Result<PathBuf, String> {
    let kept = cache.join(format!("rustdoc-{version}.json"));
    eprintln!("semver-history: rustdoc JSON of {version} (--features {feature})");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([
            "rustdoc",
            "--lib",
            "--quiet",
            "--no-default-features",
            "--features",
            feature,
        ])
        .arg("--manifest-path")
        .arg(crate_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        // rustdoc's JSON output is unstable; cargo-semver-checks reads it the same way.
        .env("RUSTC_BOOTSTRAP", "1")
        .status()
        .map_err(|e| format!("cannot run cargo rustdoc: {e}"))?;
    if !status.success() {
        return Err(format!("cargo rustdoc of {version} failed ({status})"));
    }
    fs::copy(target.join("doc/github.json"), &kept).map_err(|e| e.to_string())?;
    Ok(kept)
}

/// The items `cargo-semver-checks` names under each failing lint, from `old` to `new`.
fn semver_checks_findings(
    binary: &Path,
    crate_dir: &Path,
    old: &Path,
    new: &Path,
    kept: &Path,
) -> Result<Vec<Finding>, String> {
    let output = Command::new(binary)
        .args([
            "semver-checks",
            "check-release",
            "--color",
            "never",
            "--release-type",
            "minor",
        ])
        .arg("--baseline-rustdoc")
        .arg(old)
        .arg("--current-rustdoc")
        .arg(new)
        .current_dir(crate_dir)
        .output()
        .map_err(|e| format!("cannot run cargo-semver-checks: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    fs::write(kept, &text).map_err(|e| e.to_string())?;
    let findings = parse_findings(&text);
    if !output.status.success() && findings.is_empty() {
        return Err(format!(
            "cargo-semver-checks failed without findings:\n{text}"
        ));
    }
    Ok(findings)
}

/// `--- failure LINT: ... ---`, then `Failed in:` and one indented line per item.
fn parse_findings(text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut lint: Option<String> = None;
    let mut listing = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("--- failure ") {
            lint = rest.split(':').next().map(str::to_owned);
            listing = false;
        } else if line.trim() == "Failed in:" {
            listing = lint.is_some();
        } else if listing && line.starts_with("  ") && !line.starts_with("   ") {
            let finding = Finding {
                lint: lint.clone().unwrap_or_default(),
                item: line.trim().to_owned(),
            };
            if !findings.contains(&finding) {
                findings.push(finding);
            }
        } else if line.trim().is_empty() {
            listing = false;
        }
    }
    findings
}

/// The names a finding is about: its identifiers, less the words and modules around them
/// (`field repository of struct Package in src/types.rs:12` -> `repository`, `Package`).
fn finding_names(item: &str) -> Vec<&str> {
    const WORDS: &[&str] = &[
        "struct",
        "enum",
        "field",
        "variant",
        "method",
        "function",
        "fn",
        "of",
        "the",
        "in",
        "pub",
        "type",
        "trait",
        "impl",
        "previously",
        "file",
        "github",
        "types",
        "operations",
        "owner",
        "crate",
        "mod",
        "module",
        "tuple",
        "plain",
        "inherent",
        "associated",
        "const",
        "src",
        "rs",
        "with",
        "now",
        "was",
        "new",
        "a",
        "an",
        "to",
        "from",
        "is",
        "by",
    ];
    let head = item
        .split(" in /")
        .next()
        .unwrap_or(item)
        .split(", previously")
        .next()
        .unwrap_or(item);
    head.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !WORDS.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

/// The findings of a row that no entry of our report names.
fn missed(row: &Row) -> Vec<&Finding> {
    let (Some(findings), Some(report)) = (&row.findings, &row.report) else {
        return Vec::new();
    };
    findings
        .iter()
        .filter(|f| {
            let names = finding_names(&f.item);
            !report.changes.iter().any(|change| {
                let segments: Vec<&str> = change
                    .item
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .collect();
                !names.is_empty() && names.iter().all(|n| segments.contains(n))
            })
        })
        .collect()
}

fn table(rows: &[Row], feature: &str, seconds: u64) -> String {
    let mut text = format!("{HEADING}\n\n");
    let _ = writeln!(
        text,
        "`cargo xtask semver-history` ({seconds} s on this machine, cargo-semver-checks \
         {SEMVER_CHECKS_VERSION} installed beforehand): each consecutive pair of the releases \
         of `{PACKAGE}` on the npm registry, generated whole with the GitHub profile and \
         compared as a build with only the `{feature}` feature sees it: by our report (the \
         API surface restricted to what `{feature}` compiles) and by cargo-semver-checks \
         (rustdoc JSON of `--no-default-features --features {feature}`). A feature-subset \
         comparison cannot see changes to items only other features compile, nor an item \
         moving between two other features.\n"
    );
    text.push_str(
        "| from | to | our report: major / possibly / minor / patch | calls for | cargo-semver-checks: failing items (lints) | named by our report | ours beyond it (major) |\n",
    );
    text.push_str("|---|---|---|---|---|---|---|\n");
    for row in rows {
        let ours = match &row.report {
            Some(report) => {
                let count = |class| report.changes.iter().filter(|c| c.class == class).count();
                use codegen::surface::Class::*;
                format!(
                    "{} / {} / {} / {}",
                    count(Major),
                    count(PossiblyBreaking),
                    count(Minor),
                    count(Patch)
                )
            }
            None => "n/a".to_owned(),
        };
        let calls_for = match row.report.as_ref().map(Report::class) {
            Some(Some(class)) => class.label().to_owned(),
            Some(None) => "no change".to_owned(),
            None => "n/a".to_owned(),
        };
        let (theirs, named, beyond) = match (&row.findings, &row.report) {
            (Some(findings), Some(report)) => {
                let mut lints: Vec<&str> = findings.iter().map(|f| f.lint.as_str()).collect();
                lints.sort();
                lints.dedup();
                let missed = missed(row);
                let major = report
                    .changes
                    .iter()
                    .filter(|c| c.class == codegen::surface::Class::Major)
                    .filter(|c| {
                        !findings.iter().any(|f| {
                            let names = finding_names(&f.item);
                            let segments: Vec<&str> = c
                                .item
                                .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                                .collect();
                            !names.is_empty() && names.iter().all(|n| segments.contains(n))
                        })
                    })
                    .count();
                (
                    if findings.is_empty() {
                        "none".to_owned()
                    } else {
                        format!("{} ({})", findings.len(), lints.join(", "))
                    },
                    if missed.is_empty() {
                        format!("all {}", findings.len())
                    } else {
                        let names: Vec<String> =
                            missed.iter().map(|f| format!("`{}`", f.item)).collect();
                        format!(
                            "{} of {}; missed: {}",
                            findings.len() - missed.len(),
                            findings.len(),
                            names.join(", ")
                        )
                    },
                    major.to_string(),
                )
            }
            _ => (
                format!("n/a ({})", row.note),
                "n/a".to_owned(),
                "n/a".to_owned(),
            ),
        };
        let _ = writeln!(
            text,
            "| {} | {} | {ours} | {calls_for} | {theirs} | {named} | {beyond} |",
            row.from, row.to
        );
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
     Checked [   0.242s] 202 checks: 200 pass, 2 fail, 0 warn, 58 skip

--- failure struct_marked_non_exhaustive: struct marked #[non_exhaustive] ---

Description:
A public struct has been marked #[non_exhaustive].

Failed in:
  struct Package in /tmp/new/src/types.rs:233
  struct Package in /tmp/new/src/types.rs:233
  field repository of struct Package, previously in file /tmp/old/src/types.rs:40

--- failure enum_variant_missing: pub enum variant removed or renamed ---

Failed in:
  variant PackageType::Docker, previously in file /tmp/old/src/types.rs:250
    Checking <unknown> v1.0.0 -> v1.0.0 (assume minor change)
     Checked [   0.077s] 202 checks: 201 pass, 1 fail, 0 warn, 58 skip

     Summary semver requires new major version: 2 major and 0 minor checks failed
";

    #[test]
    fn findings_are_read_off_the_output() {
        let findings = parse_findings(OUTPUT);
        let items: Vec<&str> = findings.iter().map(|f| f.item.as_str()).collect();
        assert_eq!(
            items,
            [
                "struct Package in /tmp/new/src/types.rs:233",
                "field repository of struct Package, previously in file /tmp/old/src/types.rs:40",
                "variant PackageType::Docker, previously in file /tmp/old/src/types.rs:250",
            ]
        );
        assert_eq!(findings[2].lint, "enum_variant_missing");
        assert_eq!(finding_names(items[1]), ["repository", "Package"]);
        assert_eq!(finding_names(items[2]), ["PackageType", "Docker"]);
    }
}
