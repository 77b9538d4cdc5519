//! `cargo xtask bench-compile`: how long `cargo check` takes, and how much memory it needs, on
//! the crates generated from big descriptions, ours against their peers, in one run.
//!
//! ```sh
//! cargo xtask bench-compile [--rounds N] [--baseline REV | --no-baseline] [--nexus PATH]
//!                           [--write BENCHMARKS.md]
//! # the same as
//! cargo run --release -p tests --bin bench-compile -- [ARGS]
//! ```
//!
//! Not part of the test command: one run takes 20 to 30 minutes on two cores (10 with
//! `--rounds 1 --no-baseline`) and needs crates.io. Everything it writes lives under
//! `target/bench-compile/`, apart from the Markdown section that `--write` puts into the
//! file it names. Every check is non-incremental, as cargo checks a registry dependency.
//!
//! 1. Inputs: GitHub's whole description (`../shared/reference/github-openapi/`) and Oxide's
//!    `nexus.json` (`--nexus`, else `sample_openapi/nexus.json` of the local mirror of
//!    progenitor's repository; no crates.io package ships it).
//! 2. Generators: this tree's (`cargo build --release -p xtask`), and the generator at
//!    `--baseline REV` (`4a734c2`, the commit before the compile-time work), built from a
//!    temporary git worktree into a target directory of its own.
//! 3. Peers: octorust 0.10.0 from crates.io (a crate that depends on it), and the crate
//!    `cargo progenitor` 0.15.1 generates from `nexus.json`.
//! 4. Every crate is a workspace of its own (ours pinned to this workspace's `Cargo.lock`),
//!    all sharing one target directory. After an untimed `cargo check` of each (building the
//!    dependencies), each round runs, for every crate in an order that rotates,
//!    `cargo clean -p CRATE` and then `/usr/bin/time -f %M cargo check`: wall time, and peak
//!    RSS of the largest process (rustc).
//! 5. Prints a Markdown section: the crates (operations, functions, types, check times, peak
//!    memory) and the ratios, before and after, against the targets. `--write FILE` replaces
//!    the section between `<!-- bench-compile:start -->` and `<!-- bench-compile:end -->`
//!    in FILE, or appends it.

use serde_json::Value;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use tests::bench::{self, Table};
use tests::tools::{self, cargo, run, PROGENITOR_VERSION};

const USAGE: &str = "\
usage: cargo xtask bench-compile [--rounds N] [--baseline REV | --no-baseline] [--nexus PATH]
                                 [--write FILE]
  Generate crates from GitHub's whole description and Oxide's nexus.json with this tree's
  generator and the one at --baseline (default 4a734c2), check them beside octorust 0.10.0
  and progenitor 0.15.1's nexus crate (cargo clean -p CRATE && cargo check, dependencies
  built, medians of --rounds rounds, default 3), and print the times, peak memory and their
  ratios as Markdown. --nexus PATH: the nexus.json to use (default: from the mirror of
  progenitor's repository under /work/.mirror, skipped when there is none). --write FILE:
  also put the section into FILE (e.g. BENCHMARKS.md), replacing an earlier one.
  Scratch files live under target/bench-compile/. PROGENITOR=path uses that cargo-progenitor.";

const DEFAULT_BASELINE: &str = "4a734c2";
const DEFAULT_ROUNDS: usize = 3;
const OCTORUST_VERSION: &str = "0.10.0";
const NEXUS_MIRROR: &str = "/work/.mirror/oxidecomputer+progenitor/repo";
const START_MARKER: &str = "<!-- bench-compile:start -->";
const END_MARKER: &str = "<!-- bench-compile:end -->";
const TITLE: &str = "## 7. Compile time of big descriptions (`cargo xtask bench-compile`)";
/// The tag whose feature alone is checked against the whole crate.
const TAG: &str = "packages";

struct Options {
    rounds: usize,
    baseline: Option<String>,
    nexus: Option<PathBuf>,
    write: Option<PathBuf>,
    /// The arguments as given, for the report.
    args: Vec<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match bench_compile(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options {
        rounds: DEFAULT_ROUNDS,
        baseline: Some(DEFAULT_BASELINE.to_owned()),
        nexus: None,
        write: None,
        args: args.clone(),
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--rounds" => {
                let rounds = value()?;
                options.rounds =
                    rounds.parse().ok().filter(|&r| r > 0).ok_or_else(|| {
                        format!("--rounds takes a positive number, not `{rounds}`")
                    })?;
            }
            "--baseline" => options.baseline = Some(value()?),
            "--no-baseline" => options.baseline = None,
            "--nexus" => options.nexus = Some(PathBuf::from(value()?)),
            "--write" => options.write = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

/// Which program made a crate.
#[derive(Clone, Copy, PartialEq)]
enum Maker {
    After,
    Before,
    Peer,
}

/// A crate to check, and what is in it.
struct Subject {
    /// The row's name in the report.
    label: String,
    /// `cargo clean -p` takes this.
    package: String,
    dir: PathBuf,
    flags: Vec<String>,
    maker: Maker,
    counts: Counts,
    /// Check times (seconds) and peak RSS (KiB), round by round.
    seconds: Vec<f64>,
    peak_kib: Vec<f64>,
}

impl Subject {
    fn new(label: &str, package: &str, dir: &Path, maker: Maker, counts: Counts) -> Subject {
        Subject {
            label: label.to_owned(),
            package: package.to_owned(),
            dir: dir.to_path_buf(),
            flags: Vec::new(),
            maker,
            counts,
            seconds: Vec::new(),
            peak_kib: Vec::new(),
        }
    }
}

/// What a crate holds, counted on its source (see [`count_source`]).
#[derive(Clone, Default)]
struct Counts {
    operations: usize,
    /// `None`: not counted (a feature of a crate counted whole).
    functions: Option<usize>,
    types: Option<usize>,
    lines: Option<usize>,
}

/// Where the run writes.
struct Places {
    root: PathBuf,
    bench: PathBuf,
    crates: PathBuf,
    target: PathBuf,
}

fn bench_compile(options: &Options) -> Result<(), String> {
    let root = tests::workspace_root();
    let bench = root.join("target/bench-compile");
    let places = Places {
        crates: bench.join("crates"),
        target: bench.join("target"),
        root: root.clone(),
        bench,
    };
    fs::create_dir_all(&places.crates).map_err(|e| io_failure(&places.crates, e))?;
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return Err(
            "/usr/bin/time (GNU time) is needed for peak memory: apt-get install time".into(),
        );
    }
    let mut notes = Vec::new();

    // 1. Inputs.
    let github = tests::reference_dir().join("github-openapi/api.github.com.json");
    if !github.exists() {
        return Err(format!(
            "GitHub's description is missing: {}",
            github.display()
        ));
    }
    let nexus = match nexus_description(options, &places.bench)? {
        Ok(found) => {
            notes.push(found.1);
            Some(found.0)
        }
        Err(reason) => {
            eprintln!("skipping the nexus crates: {reason}");
            notes.push(format!("The nexus crates were skipped: {reason}."));
            None
        }
    };

    // 2. Generators.
    eprintln!("building this tree's generator (cargo build --release -p xtask)");
    let after = tools::build_xtask(&root)?;
    let after_revision = describe_tree(&root)?;
    let before = match &options.baseline {
        Some(revision) => Some(build_baseline(&places, revision)?),
        None => None,
    };

    // 3. The crates.
    let mut subjects = Vec::new();
    let github_document = read_json(&github)?;
    let github_operations = operations_with_ids(&github_document);
    let generated = generate(&after, &github, &places, "github-after")?;
    subjects.push(Subject::new(
        "ours, GitHub, after",
        "github-after",
        &generated,
        Maker::After,
        count_source(&generated, github_operations)?,
    ));
    if has_feature(&generated, TAG)? {
        let mut alone = Subject::new(
            &format!("ours, GitHub, after, `{TAG}` feature alone"),
            "github-after",
            &generated,
            Maker::After,
            Counts {
                operations: tagged_operations(&github_document, TAG),
                ..Counts::default()
            },
        );
        alone.flags = vec![
            "--no-default-features".into(),
            "--features".into(),
            TAG.into(),
        ];
        subjects.push(alone);
    } else {
        notes.push(format!(
            "The generated GitHub crate has no `{TAG}` feature, so the feature row is missing."
        ));
    }
    if let Some((before, _)) = &before {
        let generated = generate(before, &github, &places, "github-before")?;
        subjects.push(Subject::new(
            "ours, GitHub, before",
            "github-before",
            &generated,
            Maker::Before,
            count_source(&generated, github_operations)?,
        ));
    }
    let octorust = octorust_crate(&places)?;
    subjects.push(octorust.0);
    notes.push(octorust.1);
    if let Some(nexus) = &nexus {
        let nexus_operations = operations_with_ids(&read_json(nexus)?);
        let generated = generate(&after, nexus, &places, "nexus-after")?;
        subjects.push(Subject::new(
            "ours, nexus, after",
            "nexus-after",
            &generated,
            Maker::After,
            count_source(&generated, nexus_operations)?,
        ));
        if let Some((before, _)) = &before {
            let generated = generate(before, nexus, &places, "nexus-before")?;
            subjects.push(Subject::new(
                "ours, nexus, before",
                "nexus-before",
                &generated,
                Maker::Before,
                count_source(&generated, nexus_operations)?,
            ));
        }
        let progenitor = tools::progenitor(&places.bench.join("tools"))?;
        let dir = places.crates.join("nexus-progenitor");
        remove_dir(&dir)?;
        run(Command::new(&progenitor)
            .arg("progenitor")
            .arg("-i")
            .arg(nexus)
            .arg("-o")
            .arg(&dir)
            .args(["-n", "nexus-progenitor", "-v", "0.1.0"]))?;
        make_workspace(&dir, None)?;
        subjects.push(Subject::new(
            &format!("progenitor {PROGENITOR_VERSION}, nexus"),
            "nexus-progenitor",
            &dir,
            Maker::Peer,
            count_source(&dir, nexus_operations)?,
        ));
    }

    // 4. Warm-up, then the timed rounds.
    for subject in &subjects {
        eprintln!("warm-up (untimed): cargo check of {}", subject.label);
        let start = Instant::now();
        run(cargo()
            .arg("check")
            .args(&subject.flags)
            .current_dir(&subject.dir)
            .env("CARGO_INCREMENTAL", "0")
            .env("CARGO_TARGET_DIR", &places.target))?;
        eprintln!("  {:.1} s", start.elapsed().as_secs_f64());
    }
    let peak_file = places.bench.join("peak-rss.txt");
    let count = subjects.len();
    for round in 0..options.rounds {
        for offset in 0..count {
            let subject = &mut subjects[(round + offset) % count];
            run(cargo()
                .args(["clean", "-p", &subject.package])
                .current_dir(&subject.dir)
                .env("CARGO_TARGET_DIR", &places.target))?;
            let start = Instant::now();
            run(Command::new(time)
                .args(["-f", "%M", "-o"])
                .arg(&peak_file)
                .arg(cargo().get_program())
                .args(["check", "--quiet"])
                .args(&subject.flags)
                .current_dir(&subject.dir)
                // Cargo compiles a registry dependency (octorust) without incremental state
                // and a root package with it, which costs the root a quarter more here; every
                // crate is checked the first way.
                .env("CARGO_INCREMENTAL", "0")
                .env("CARGO_TARGET_DIR", &places.target))?;
            let seconds = start.elapsed().as_secs_f64();
            let written = fs::read_to_string(&peak_file).map_err(|e| io_failure(&peak_file, e))?;
            let peak: f64 = written
                .lines()
                .filter_map(|l| l.trim().parse().ok())
                .next_back()
                .ok_or_else(|| format!("no peak RSS in {}: `{written}`", peak_file.display()))?;
            eprintln!(
                "round {}/{}: {}: {seconds:.2} s, {:.0} MiB",
                round + 1,
                options.rounds,
                subject.label,
                peak / 1024.0
            );
            subject.seconds.push(seconds);
            subject.peak_kib.push(peak);
        }
    }

    // 5. The report.
    let context = Context {
        options,
        after_revision,
        before_revision: before.as_ref().map(|(_, revision)| revision.clone()),
        notes,
    };
    let section = report(&subjects, &context)?;
    println!("{section}");
    if let Some(file) = &options.write {
        write_section(file, &section)?;
        eprintln!("wrote the section into {}", file.display());
    }
    Ok(())
}

/// The nexus description to use and a sentence on where it came from; `Ok(Err(reason))`
/// when there is none.
fn nexus_description(
    options: &Options,
    bench: &Path,
) -> Result<Result<(PathBuf, String), String>, String> {
    if let Some(path) = &options.nexus {
        if !path.exists() {
            return Err(format!("--nexus {}: no such file", path.display()));
        }
        return Ok(Ok((
            path.clone(),
            format!("`nexus.json` is `{}`.", path.display()),
        )));
    }
    if !Path::new(NEXUS_MIRROR).exists() {
        return Ok(Err(format!(
            "no --nexus and no mirror of progenitor's repository at {NEXUS_MIRROR}"
        )));
    }
    let git = |args: &[&str]| {
        run(Command::new("git")
            .arg("--git-dir")
            .arg(NEXUS_MIRROR)
            .args(args))
    };
    let text = git(&["show", "HEAD:sample_openapi/nexus.json"])?.stdout;
    let commit = String::from_utf8_lossy(&git(&["rev-parse", "--short", "HEAD"])?.stdout)
        .trim()
        .to_owned();
    let path = bench.join("nexus.json");
    fs::write(&path, text).map_err(|e| io_failure(&path, e))?;
    Ok(Ok((
        path,
        format!(
            "`nexus.json` is `sample_openapi/nexus.json` of progenitor's repository at \
             {commit} (no crates.io package ships it; progenitor-impl 0.15.1's tests read it \
             from outside the package)."
        ),
    )))
}

/// This tree's commit, and whether the work tree differs from it.
fn describe_tree(root: &Path) -> Result<String, String> {
    let git = |args: &[&str]| run(Command::new("git").args(args).current_dir(root));
    let commit = String::from_utf8_lossy(&git(&["rev-parse", "--short", "HEAD"])?.stdout)
        .trim()
        .to_owned();
    let dirty = !git(&["status", "--porcelain"])?.stdout.is_empty();
    Ok(if dirty {
        format!("{commit} with uncommitted changes")
    } else {
        commit
    })
}

/// A git worktree, removed when dropped.
struct Worktree {
    root: PathBuf,
    dir: PathBuf,
}

impl Worktree {
    fn add(root: &Path, dir: &Path, revision: &str) -> Result<Worktree, String> {
        Worktree::remove(root, dir);
        run(Command::new("git")
            .args(["worktree", "add", "--detach", "--quiet"])
            .arg(dir)
            .arg(revision)
            .current_dir(root))?;
        Ok(Worktree {
            root: root.to_path_buf(),
            dir: dir.to_path_buf(),
        })
    }

    /// Removes a worktree left by an earlier run too; never fails.
    fn remove(root: &Path, dir: &Path) {
        let _ = Command::new("git")
            .args(["worktree", "remove", "--force"])
            .arg(dir)
            .current_dir(root)
            .output();
        let _ = fs::remove_dir_all(dir);
        let _ = Command::new("git")
            .args(["worktree", "prune"])
            .current_dir(root)
            .output();
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        Worktree::remove(&self.root, &self.dir);
    }
}

/// The generator at `revision`, built in a worktree of its own into
/// `target/bench-compile/baseline-target` (kept between runs; the worktree is not), and the
/// revision's short hash.
fn build_baseline(places: &Places, revision: &str) -> Result<(PathBuf, String), String> {
    let short = run(Command::new("git")
        .args(["rev-parse", "--short"])
        .arg(format!("{revision}^{{commit}}"))
        .current_dir(&places.root))?;
    let short = String::from_utf8_lossy(&short.stdout).trim().to_owned();
    let worktree = Worktree::add(
        &places.root,
        &places.bench.join("baseline-worktree"),
        revision,
    )?;
    let target = places.bench.join("baseline-target");
    eprintln!(
        "building the generator at {short} (worktree {})",
        worktree.dir.display()
    );
    run(cargo()
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .current_dir(&worktree.dir)
        .env("CARGO_TARGET_DIR", &target))?;
    drop(worktree);
    Ok((target.join("release/xtask"), short))
}

/// Generates `spec` as the crate `name` into `target/bench-compile/crates/NAME` with the
/// generator `xtask`, made a workspace of its own pinned to this workspace's `Cargo.lock`.
fn generate(xtask: &Path, spec: &Path, places: &Places, name: &str) -> Result<PathBuf, String> {
    let dir = places.crates.join(name);
    remove_dir(&dir)?;
    eprintln!("generating {name}");
    run(Command::new(xtask)
        .arg("generate")
        .arg("--spec")
        .arg(spec)
        .arg("--out")
        .arg(&dir)
        .args(["--crate-name", name, "--profile", "auto"]))?;
    make_workspace(&dir, Some(&places.root.join("Cargo.lock")))?;
    Ok(dir)
}

/// Appends `[workspace]` to the crate's manifest (so that cargo does not take it for a
/// member of this workspace) and copies `lockfile` in.
fn make_workspace(dir: &Path, lockfile: Option<&Path>) -> Result<(), String> {
    let manifest = dir.join("Cargo.toml");
    let mut text = fs::read_to_string(&manifest).map_err(|e| io_failure(&manifest, e))?;
    if !text.lines().any(|l| l.trim() == "[workspace]") {
        text.push_str("\n[workspace]\n");
    }
    fs::write(&manifest, text).map_err(|e| io_failure(&manifest, e))?;
    if let Some(lockfile) = lockfile {
        let copy = dir.join("Cargo.lock");
        fs::copy(lockfile, &copy).map_err(|e| io_failure(&copy, e))?;
    }
    Ok(())
}

/// A crate that depends on octorust, its counts (read off octorust's source in cargo's
/// registry) and a sentence on the versions cargo resolved.
fn octorust_crate(places: &Places) -> Result<(Subject, String), String> {
    let dir = places.crates.join("octorust");
    remove_dir(&dir)?;
    let src = dir.join("src");
    fs::create_dir_all(&src).map_err(|e| io_failure(&src, e))?;
    let manifest = dir.join("Cargo.toml");
    fs::write(
        &manifest,
        format!(
            "[package]\nname = \"octorust-bench\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\noctorust = \"={OCTORUST_VERSION}\"\n\n\
             [workspace]\n"
        ),
    )
    .map_err(|e| io_failure(&manifest, e))?;
    fs::write(src.join("lib.rs"), "pub use octorust;\n").map_err(|e| io_failure(&src, e))?;
    eprintln!("resolving octorust {OCTORUST_VERSION}");
    let metadata = run(cargo()
        .args(["metadata", "--format-version", "1"])
        .current_dir(&dir))?;
    let metadata: Value = serde_json::from_slice(&metadata.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let version_of = |name: &str| {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["version"].as_str())
            .map(str::to_owned)
    };
    let octorust_src = packages
        .iter()
        .find(|p| p["name"] == "octorust")
        .and_then(|p| p["manifest_path"].as_str())
        .map(|m| Path::new(m).with_file_name("src"))
        .ok_or("cargo metadata lists no octorust package")?;
    let counts = count_octorust(&octorust_src)?;
    let resolved: Vec<String> = [
        "reqwest",
        "reqwest-middleware",
        "serde",
        "schemars",
        "tokio",
    ]
    .iter()
    .filter_map(|name| version_of(name).map(|v| format!("{name} {v}")))
    .collect();
    let note = format!(
        "octorust {OCTORUST_VERSION} is checked as the one dependency of an empty crate, with its \
         default features (`middleware`, `rustls-tls`), in a fresh resolution: {} packages, \
         among them {}. It has {} operations (distinct \"performs a `METHOD` to the `PATH` \
         endpoint\" lines of its doc comments) and {} functions (`pub async fn`), of which {} \
         say they return \"all the pages of the request at once\".",
        packages.len(),
        resolved.join(", "),
        counts.0.operations,
        counts.0.functions.unwrap_or(0),
        counts.1,
    );
    Ok((
        Subject::new(
            &format!("octorust {OCTORUST_VERSION}"),
            "octorust",
            &dir,
            Maker::Peer,
            counts.0,
        ),
        note,
    ))
}

/// octorust's counts: operations are the distinct routes its functions say they call;
/// and how many functions fetch all pages.
fn count_octorust(src: &Path) -> Result<(Counts, usize), String> {
    let mut counts = count_source(src.parent().unwrap_or(src), 0)?;
    let mut routes = std::collections::BTreeSet::new();
    let mut all_pages = 0;
    for file in rust_files(src)? {
        let text = fs::read_to_string(&file).map_err(|e| io_failure(&file, e))?;
        for line in text.lines() {
            if let Some(rest) = line.split("This function performs a `").nth(1) {
                routes.insert(rest.to_owned());
            }
            if line.contains("returns all the pages of the request at once") {
                all_pages += 1;
            }
        }
    }
    counts.operations = routes.len();
    Ok((counts, all_pages))
}

/// Counts on a crate's `src/`, by line, on rustfmt- or prettyplease-formatted code:
/// functions are lines starting `pub async fn` or `pub fn NAME_stream`, types lines starting
/// `pub struct` or `pub enum`, whatever the indentation (runtime files and items behind
/// `cfg` included).
fn count_source(crate_dir: &Path, operations: usize) -> Result<Counts, String> {
    let mut counts = Counts {
        operations,
        functions: Some(0),
        types: Some(0),
        lines: Some(0),
    };
    for file in rust_files(&crate_dir.join("src"))? {
        let text = fs::read_to_string(&file).map_err(|e| io_failure(&file, e))?;
        for line in text.lines() {
            let line = line.trim_start();
            *counts.lines.get_or_insert(0) += 1;
            let stream = line.strip_prefix("pub fn ").is_some_and(|rest| {
                let name = rest.split(['(', '<']).next().unwrap_or("");
                name.ends_with("_stream")
            });
            if line.starts_with("pub async fn ") || stream {
                *counts.functions.get_or_insert(0) += 1;
            }
            if line.starts_with("pub struct ") || line.starts_with("pub enum ") {
                *counts.types.get_or_insert(0) += 1;
            }
        }
    }
    Ok(counts)
}

/// The `.rs` files under `dir`, recursively, in a stable order.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).map_err(|e| io_failure(&dir, e))? {
            let path = entry.map_err(|e| io_failure(&dir, e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = fs::read_to_string(path).map_err(|e| io_failure(path, e))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// Operations (path and method) that have an `operationId`.
fn operations_with_ids(document: &Value) -> usize {
    bench::operations(document)
        .iter()
        .filter(|(path, method)| document["paths"][path][method]["operationId"].is_string())
        .count()
}

/// Operations with an `operationId` whose tags include `tag`.
fn tagged_operations(document: &Value, tag: &str) -> usize {
    bench::operations(document)
        .iter()
        .map(|(path, method)| &document["paths"][path][method])
        .filter(|operation| operation["operationId"].is_string())
        .filter(|operation| {
            operation["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == tag))
        })
        .count()
}

/// Whether the crate's manifest declares the feature `name`.
fn has_feature(dir: &Path, name: &str) -> Result<bool, String> {
    let manifest = dir.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| io_failure(&manifest, e))?;
    let mut in_features = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features
            && line
                .split('=')
                .next()
                .is_some_and(|key| key.trim().trim_matches('"') == name)
            && line.contains('=')
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn remove_dir(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_failure(dir, e)),
    }
}

fn io_failure(path: &Path, error: std::io::Error) -> String {
    format!("{}: {error}", path.display())
}

/// What the report says about the run besides the measurements.
struct Context<'a> {
    options: &'a Options,
    after_revision: String,
    before_revision: Option<String>,
    notes: Vec<String>,
}

/// The median over rounds of `a / b`, scaled by `scale`, with the quartiles of the
/// per-round ratios.
fn ratio(a: &[f64], b: &[f64], scale: f64) -> String {
    let ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b * scale).collect();
    if ratios.len() < 3 {
        return format!("{:.2}", bench::median(&ratios));
    }
    format!(
        "{:.2} ({:.2}–{:.2})",
        bench::median(&ratios),
        bench::quantile(&ratios, 0.25),
        bench::quantile(&ratios, 0.75)
    )
}

fn median_ratio(a: &[f64], b: &[f64], scale: f64) -> f64 {
    let ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b * scale).collect();
    bench::median(&ratios)
}

fn report(subjects: &[Subject], context: &Context) -> Result<String, String> {
    let options = context.options;
    let rustc = run(Command::new("rustc").arg("-V"))?;
    let rustc = String::from_utf8_lossy(&rustc.stdout).trim().to_owned();
    let date = run(Command::new("date").args(["-u", "+%Y-%m-%d"]))?;
    let date = String::from_utf8_lossy(&date.stdout).trim().to_owned();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kib| format!(", {:.0} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_default();
    let command = std::iter::once("cargo xtask bench-compile".to_owned())
        .chain(options.args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");

    let mut out = String::new();
    let _ = writeln!(out, "{START_MARKER}\n{TITLE}\n");
    let _ = writeln!(
        out,
        "`{command}`, run on {date}: {cores} cores{memory}, {rustc}. \"After\" is this tree \
         ({}); \"before\" is {}.\n",
        context.after_revision,
        match &context.before_revision {
            Some(revision) =>
                format!("the generator at `{revision}`, built in a worktree of its own"),
            None => "not measured (`--no-baseline`)".to_owned(),
        }
    );
    let _ = writeln!(
        out,
        "Each crate is a workspace of its own (ours pinned to this workspace's `Cargo.lock`), \
         all sharing one target directory, so that after an untimed `cargo check` of each only \
         the crate itself is checked. {}, for every crate in an order that rotates, \
         `cargo clean -p CRATE` and then `/usr/bin/time -f %M cargo check`: wall time, and the \
         peak RSS of the largest process (rustc). Cells are medians; a ratio is the median of \
         the per-round ratios, with their quartiles when there are three rounds or more.\n",
        if options.rounds == 1 {
            "One round runs".to_owned()
        } else {
            format!("Each of {} rounds runs", options.rounds)
        }
    );

    let mut crates = Table::new(&[
        "crate",
        "operations",
        "functions",
        "types",
        "lines",
        "check (median)",
        "every round",
        "peak RSS (median)",
    ]);
    let optional = |n: Option<usize>| n.map_or("—".to_owned(), |n| n.to_string());
    for subject in subjects {
        crates.row(vec![
            subject.label.clone(),
            subject.counts.operations.to_string(),
            optional(subject.counts.functions),
            optional(subject.counts.types),
            optional(subject.counts.lines),
            format!("{:.2} s", bench::median(&subject.seconds)),
            subject
                .seconds
                .iter()
                .map(|s| format!("{s:.1}"))
                .collect::<Vec<_>>()
                .join(", "),
            format!("{:.0} MiB", bench::median(&subject.peak_kib) / 1024.0),
        ]);
    }
    let _ = writeln!(out, "{crates}");

    let find = |label_start: &str, maker: Maker, flags: bool| {
        subjects.iter().find(|s| {
            s.label.starts_with(label_start) && s.maker == maker && s.flags.is_empty() != flags
        })
    };
    let github_after = find("ours, GitHub", Maker::After, false);
    let github_before = find("ours, GitHub", Maker::Before, false);
    let feature = find("ours, GitHub", Maker::After, true);
    let octorust = find("octorust", Maker::Peer, false);
    let nexus_after = find("ours, nexus", Maker::After, false);
    let nexus_before = find("ours, nexus", Maker::Before, false);
    let progenitor = find("progenitor", Maker::Peer, false);

    let mut ratios = Table::new(&["ratio", "before", "after", "target", "met?"]);
    // One row: `measure` of `ours` against `theirs`, before and after, scaled by the counts.
    let mut row = |what: &str,
                   before: Option<&Subject>,
                   after: Option<&Subject>,
                   theirs: Option<&Subject>,
                   measure: fn(&Subject) -> &[f64],
                   per: fn(&Counts) -> Option<usize>,
                   target: Option<(f64, bool)>| {
        let Some(theirs) = theirs else { return };
        let scale = |ours: &Subject| match (per(&ours.counts), per(&theirs.counts)) {
            (Some(o), Some(t)) if o > 0 => Some(t as f64 / o as f64),
            _ => None,
        };
        let cell = |ours: Option<&Subject>| {
            ours.and_then(|ours| scale(ours).map(|s| ratio(measure(ours), measure(theirs), s)))
                .unwrap_or_else(|| "—".to_owned())
        };
        let (target_cell, met) = match (target, after) {
            (Some((limit, strict)), Some(after)) => {
                let value = scale(after).map(|s| median_ratio(measure(after), measure(theirs), s));
                let met = value.map(|v| if strict { v < limit } else { v <= limit });
                (
                    format!("{} {limit}", if strict { "<" } else { "≤" }),
                    match met {
                        Some(true) => "met".to_owned(),
                        Some(false) => "**not met**".to_owned(),
                        None => "—".to_owned(),
                    },
                )
            }
            _ => ("—".to_owned(), "—".to_owned()),
        };
        ratios.row(vec![
            what.to_owned(),
            cell(before),
            cell(after),
            target_cell,
            met,
        ]);
    };
    let seconds: fn(&Subject) -> &[f64] = |s| &s.seconds;
    let peak: fn(&Subject) -> &[f64] = |s| &s.peak_kib;
    let per_operation: fn(&Counts) -> Option<usize> = |c| Some(c.operations);
    let per_function: fn(&Counts) -> Option<usize> = |c| c.functions;
    let whole: fn(&Counts) -> Option<usize> = |_| Some(1);
    let octo = format!("octorust {OCTORUST_VERSION}");
    let prog = format!("progenitor {PROGENITOR_VERSION}");
    row(
        &format!("GitHub: check time per operation, ours / {octo}"),
        github_before,
        github_after,
        octorust,
        seconds,
        per_operation,
        Some((0.8, false)),
    );
    row(
        &format!("GitHub: peak memory per operation, ours / {octo}"),
        github_before,
        github_after,
        octorust,
        peak,
        per_operation,
        Some((0.8, false)),
    );
    row(
        &format!("GitHub: check time per function, ours / {octo}"),
        github_before,
        github_after,
        octorust,
        seconds,
        per_function,
        None,
    );
    row(
        &format!("GitHub: peak memory per function, ours / {octo}"),
        github_before,
        github_after,
        octorust,
        peak,
        per_function,
        None,
    );
    row(
        &format!("GitHub: whole-crate check time, ours / {octo}"),
        github_before,
        github_after,
        octorust,
        seconds,
        whole,
        None,
    );
    row(
        &format!("GitHub: whole-crate peak memory, ours / {octo}"),
        github_before,
        github_after,
        octorust,
        peak,
        whole,
        None,
    );
    row(
        &format!("nexus: warm check time, whole crate, ours / {prog}"),
        nexus_before,
        nexus_after,
        progenitor,
        seconds,
        whole,
        Some((1.0, false)),
    );
    row(
        &format!("nexus: check time per operation, ours / {prog}"),
        nexus_before,
        nexus_after,
        progenitor,
        seconds,
        per_operation,
        None,
    );
    row(
        &format!("nexus: check time per function, ours / {prog}"),
        nexus_before,
        nexus_after,
        progenitor,
        seconds,
        per_function,
        None,
    );
    row(
        &format!("nexus: peak memory, whole crate, ours / {prog}"),
        nexus_before,
        nexus_after,
        progenitor,
        peak,
        whole,
        None,
    );
    row(
        &format!("GitHub, after: `{TAG}` feature alone / whole crate, check time"),
        None,
        feature,
        github_after,
        seconds,
        whole,
        Some((0.1, true)),
    );
    row(
        &format!("GitHub, after: `{TAG}` feature alone / whole crate, peak memory"),
        None,
        feature,
        github_after,
        peak,
        whole,
        None,
    );
    let _ = writeln!(out, "{ratios}");

    let _ = writeln!(
        out,
        "How the columns are counted. Operations: path and method pairs with an \
         `operationId` in the description (for the feature row, those tagged `{TAG}`). \
         Functions and types are counted by line on each crate's `src/`, runtime and items \
         behind `cfg` included: lines starting `pub async fn` or `pub fn NAME_stream`, and \
         lines starting `pub struct` or `pub enum`. Lines are all lines of `src/`. \
         \"Per operation\" divides each crate's time or memory by its own operation count \
         before comparing; \"whole crate\" compares them as they are. octorust is a \
         dependency, so cargo caps its lints; ours are checked as the root package, with \
         lints on. Every check is non-incremental (`CARGO_INCREMENTAL=0`), as cargo builds \
         a registry dependency such as octorust: with incremental state, a root package's \
         check of the whole-GitHub crate took about a quarter longer here.\n"
    );
    for note in &context.notes {
        let _ = writeln!(out, "- {note}");
    }
    let _ = write!(out, "\n{END_MARKER}");
    Ok(out)
}

/// Replaces the marked section of `file` with `section`, or appends it.
fn write_section(file: &Path, section: &str) -> Result<(), String> {
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_failure(file, e)),
    };
    let updated = match (text.find(START_MARKER), text.find(END_MARKER)) {
        (Some(start), Some(end)) if start < end => format!(
            "{}{section}{}",
            &text[..start],
            &text[end + END_MARKER.len()..]
        ),
        _ if text.is_empty() => format!("{section}\n"),
        _ => format!("{}\n\n{section}\n", text.trim_end()),
    };
    fs::write(file, updated).map_err(|e| io_failure(file, e))
}

#[cfg(test)]
mod unit {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bench-compile-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src/nested")).unwrap();
        dir
    }

    #[test]
    fn sections_are_replaced_or_appended() {
        let dir = scratch("sections");
        let file = dir.join("BENCHMARKS.md");
        let section = |body: &str| format!("{START_MARKER}\n{body}\n{END_MARKER}");
        write_section(&file, &section("one")).unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            format!("{}\n", section("one"))
        );
        fs::write(&file, "# Benchmarks\n\ntext\n").unwrap();
        write_section(&file, &section("one")).unwrap();
        write_section(&file, &section("two")).unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            format!("# Benchmarks\n\ntext\n\n{}\n", section("two"))
        );
        fs::write(&file, format!("a\n{}\nb\n", section("old"))).unwrap();
        write_section(&file, &section("new")).unwrap();
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            format!("a\n{}\nb\n", section("new"))
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn features_are_read_from_the_features_table() {
        let dir = scratch("features");
        fs::write(
            dir.join("Cargo.toml"),
            "[package]\npackages = 1\n[features]\ndefault = [\"packages\"]\n\
             # packages = []\npackages-extra = []\n",
        )
        .unwrap();
        assert!(!has_feature(&dir, "packages").unwrap());
        fs::write(
            dir.join("Cargo.toml"),
            "[features]\npackages = [\"dep:x\"]\n",
        )
        .unwrap();
        assert!(has_feature(&dir, "packages").unwrap());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn functions_and_types_are_counted_by_line() {
        let dir = scratch("counts");
        fs::write(
            dir.join("src/lib.rs"),
            "pub struct A;\npub enum B {}\nstruct C;\nimpl A {\n    pub async fn get(&self) {}\n    \
             pub fn get_stream(&self) {}\n    pub fn list_stream<'a>(&'a self) {}\n    \
             pub fn streamed(&self) {}\n}\n",
        )
        .unwrap();
        fs::write(
            dir.join("src/nested/more.rs"),
            "    pub async fn more() {}\n",
        )
        .unwrap();
        let counts = count_source(&dir, 7).unwrap();
        assert_eq!(counts.operations, 7);
        assert_eq!(counts.functions, Some(4));
        assert_eq!(counts.types, Some(2));
        assert_eq!(counts.lines, Some(10));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn tagged_operations_need_an_id_and_the_tag() {
        let document = serde_json::json!({"paths": {
            "/a": {"get": {"operationId": "a", "tags": ["packages"]},
                   "post": {"tags": ["packages"]}},
            "/b": {"get": {"operationId": "b", "tags": ["users", "packages"]},
                   "put": {"operationId": "c", "tags": ["users"]}}
        }});
        assert_eq!(operations_with_ids(&document), 3);
        assert_eq!(tagged_operations(&document, "packages"), 2);
    }

    #[test]
    fn ratios_are_scaled_medians_of_rounds() {
        assert_eq!(ratio(&[2.0], &[4.0], 2.0), "1.00");
        assert_eq!(
            ratio(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], 0.5),
            "1.00 (0.75–1.25)"
        );
        assert_eq!(median_ratio(&[1.0, 9.0, 3.0], &[1.0, 1.0, 1.0], 1.0), 3.0);
    }
}
