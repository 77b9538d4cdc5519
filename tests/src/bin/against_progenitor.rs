//! Our generator against progenitor (`cargo progenitor`, oxidecomputer), the closest peer,
//! on the same packages fragment. Not part of CI: it installs cargo-progenitor from
//! crates.io and builds both generated crates from scratch, which takes minutes.
//!
//! ```sh
//! cargo run --release -p tests --bin against-progenitor            # installs into a temp root
//! PROGENITOR=/path/to/cargo-progenitor cargo run --release -p tests --bin against-progenitor
//! ```
//!
//! 1. Which operations of `spec/packages.yaml` progenitor can generate at all, one by one;
//!    the fragment both tools are timed on is the part it accepts.
//! 2. Generation as whole processes, the two tools alternating, each writing a fresh crate.
//! 3. `cargo build` of both generated crates: cold (own empty target directory) and warm
//!    (after touching the crate's `src/lib.rs`), alternating; and their dependency counts.
//! 4. Whether progenitor generates anything from GitHub's whole description.
//!
//! Prints Markdown for `BENCHMARKS.md`. `BENCH_ROUNDS` sets the rounds (default 11).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;
use tests::bench::{self, Table};
use tests::tools::{self, cargo, PROGENITOR_VERSION};

fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(11);
    let root = tests::workspace_root();
    let scratch = Scratch::new();
    let progenitor =
        tools::progenitor(&scratch.0.join("tools")).unwrap_or_else(|failure| panic!("{failure}"));
    let xtask = tools::build_xtask(&root).unwrap_or_else(|failure| panic!("{failure}"));

    // 1. What progenitor accepts, operation by operation, and whether what it makes compiles.
    let spec_text = tests::read(root.join("spec/packages.yaml"));
    let spec: serde_json::Value = serde_yaml::from_str(&spec_text).expect("valid YAML");
    let operation_count = bench::operations(&spec).len();
    let mut accepted = Vec::new();
    let mut compiling = Vec::new();
    let mut failures = Table::new(&["operation", "progenitor's failure"]);
    let check_target = scratch.0.join("target-check");
    for operation in bench::operations(&spec) {
        let id = format!(
            "`{}`",
            spec["paths"][&operation.0][&operation.1]["operationId"]
                .as_str()
                .unwrap_or("?")
        );
        let fragment = scratch.write_json(
            "one-operation.json",
            &bench::with_operations(&spec, std::slice::from_ref(&operation)),
        );
        let out = scratch.0.join("one-operation-crate");
        let _ = fs::remove_dir_all(&out);
        let run = run_progenitor(&progenitor, &fragment, &out);
        if !run.status.success() {
            failures.row(vec![id, format!("generation fails: {}", failure(&run))]);
            continue;
        }
        accepted.push(operation.clone());
        let check = cargo_in(&out, &check_target, "check", &[]);
        if check.status.success() {
            compiling.push(operation);
        } else {
            failures.row(vec![
                id,
                format!("output does not compile: {}", first_error(&check)),
            ]);
        }
    }
    let whole = run_progenitor(
        &progenitor,
        &root.join("spec/packages.yaml"),
        &scratch.0.join("whole"),
    );
    println!(
        "### What progenitor {PROGENITOR_VERSION} generates\n\n\
         On the whole of `spec/packages.yaml` ({operation_count} operations): {}.\n\n\
         One operation at a time, it generates {} of {operation_count}, and {} of those \
         compile; the others:\n\n{failures}",
        if whole.status.success() {
            "generates".to_owned()
        } else {
            format!("fails ({})", failure(&whole))
        },
        accepted.len(),
        compiling.len(),
    );
    assert!(
        !compiling.is_empty(),
        "no operation progenitor generates compiles; nothing to compare"
    );
    let common = scratch.write_json("common.json", &bench::with_operations(&spec, &accepted));
    let buildable =
        scratch.write_json("buildable.json", &bench::with_operations(&spec, &compiling));

    // 2. Generation as whole processes.
    let ours_out = scratch.0.join("ours");
    let theirs_out = scratch.0.join("theirs");
    let mut timings = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for offset in 0..2 {
            let which = (round + offset) % 2;
            let out = if which == 0 { &ours_out } else { &theirs_out };
            let _ = fs::remove_dir_all(out);
            let start = Instant::now();
            let run = if which == 0 {
                run_ours(&xtask, &common, out)
            } else {
                run_progenitor(&progenitor, &common, out)
            };
            timings[which].push(start.elapsed().as_secs_f64());
            assert!(run.status.success(), "generation failed: {}", failure(&run));
        }
    }
    let mut generation = Table::new(&[
        "generator",
        "median (whole process)",
        "ratio to `cargo xtask generate`",
    ]);
    let ratios: Vec<f64> = timings[1]
        .iter()
        .zip(&timings[0])
        .map(|(t, o)| t / o)
        .collect();
    generation.row(vec![
        "`cargo xtask generate` (release)".into(),
        bench::duration(bench::median(&timings[0])),
        "1".into(),
    ]);
    generation.row(vec![
        format!("`cargo progenitor` {PROGENITOR_VERSION}"),
        bench::duration(bench::median(&timings[1])),
        format!(
            "{:.2} ({:.2}–{:.2})",
            bench::median(&ratios),
            bench::quantile(&ratios, 0.25),
            bench::quantile(&ratios, 0.75)
        ),
    ]);
    println!(
        "### Generation on the common fragment ({} operations)\n\nMedians of {rounds} \
         alternating rounds; each run writes a fresh crate.\n\n{generation}",
        accepted.len()
    );

    // 3. Building what each generates from the operations whose progenitor output compiles.
    let ours_out = scratch.0.join("ours-buildable");
    let theirs_out = scratch.0.join("theirs-buildable");
    let run = run_ours(&xtask, &buildable, &ours_out);
    assert!(run.status.success(), "generation failed: {}", failure(&run));
    let run = run_progenitor(&progenitor, &buildable, &theirs_out);
    assert!(run.status.success(), "generation failed: {}", failure(&run));
    // progenitor-client's reqwest has no TLS; ours has rustls by default (GitHub is HTTPS
    // only). Ours without it is the like-for-like build.
    let crates: [(&str, &PathBuf, &[&str]); 3] = [
        ("progenitor's (no TLS)", &theirs_out, &[]),
        ("ours (rustls, the default)", &ours_out, &[]),
        (
            "ours without TLS (`--no-default-features`)",
            &ours_out,
            &["--no-default-features"],
        ),
    ];
    let count = crates.len();
    let target = |which: usize| scratch.0.join(format!("target-{which}"));
    let mut cold = vec![Vec::new(); count];
    let mut compiled = vec![0; count];
    let cold_rounds = rounds.min(2);
    for round in 0..cold_rounds {
        for offset in 0..count {
            let which = (round + offset) % count;
            let (_, dir, flags) = crates[which];
            let _ = fs::remove_dir_all(target(which));
            let start = Instant::now();
            let run = cargo_in(dir, &target(which), "build", flags);
            cold[which].push(start.elapsed().as_secs_f64());
            assert!(
                run.status.success(),
                "cold build failed: {}",
                first_error(&run)
            );
            compiled[which] = String::from_utf8_lossy(&run.stderr)
                .lines()
                .filter(|l| l.trim_start().starts_with("Compiling "))
                .count();
        }
    }
    let mut warm = vec![Vec::new(); count];
    for round in 0..rounds {
        for offset in 0..count {
            let which = (round + offset) % count;
            let (_, dir, flags) = crates[which];
            let lib = dir.join("src/lib.rs");
            let text = fs::read_to_string(&lib).expect("generated lib.rs");
            fs::write(&lib, text).expect("touch lib.rs");
            let start = Instant::now();
            let run = cargo_in(dir, &target(which), "build", flags);
            warm[which].push(start.elapsed().as_secs_f64());
            assert!(
                run.status.success(),
                "warm build failed: {}",
                first_error(&run)
            );
        }
    }
    let ratio = |times: &[Vec<f64>], which: usize| {
        let ratios: Vec<f64> = times[which]
            .iter()
            .zip(&times[0])
            .map(|(t, p)| t / p)
            .collect();
        format!("{:.2}", bench::median(&ratios))
    };
    let mut builds = Table::new(&[
        "generated crate",
        "lines of Rust",
        "packages in `cargo tree`",
        "crates compiled cold",
        "cold build (median)",
        "cold / progenitor's",
        "warm build (median)",
        "warm / progenitor's",
    ]);
    for (which, (name, dir, flags)) in crates.iter().enumerate() {
        builds.row(vec![
            (*name).to_owned(),
            rust_lines(&dir.join("src")).to_string(),
            dependency_count(dir, flags).to_string(),
            compiled[which].to_string(),
            bench::duration(bench::median(&cold[which])),
            ratio(&cold, which),
            bench::duration(bench::median(&warm[which])),
            ratio(&warm, which),
        ]);
    }
    println!(
        "### Building the generated crates\n\nBoth generated from the {} operations whose \
         progenitor output compiles. Cold: {cold_rounds} rounds, each build in its own empty \
         target directory (the registry cache is warm). Warm: {rounds} rounds, rebuilding after \
         rewriting `src/lib.rs`. Builds alternate; ratios are medians of per-round \
         ratios.\n\n{builds}",
        compiling.len(),
    );

    // 4. GitHub's whole description.
    let full = tests::reference_dir().join("github-openapi/api.github.com.json");
    let run = run_progenitor(&progenitor, &full, &scratch.0.join("full"));
    println!(
        "### GitHub's whole description\n\n`cargo progenitor` {}.",
        if run.status.success() {
            "generates a crate".to_owned()
        } else {
            format!("fails: {}", failure(&run))
        }
    );
}

/// A temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("against-progenitor-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("create scratch directory");
        Scratch(dir)
    }

    fn write_json(&self, name: &str, value: &serde_json::Value) -> PathBuf {
        let path = self.0.join(name);
        fs::write(
            &path,
            serde_json::to_vec_pretty(value).expect("serializable"),
        )
        .expect("write fragment");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run_progenitor(progenitor: &Path, spec: &Path, out: &Path) -> Output {
    Command::new(progenitor)
        .arg("progenitor")
        .arg("-i")
        .arg(spec)
        .arg("-o")
        .arg(out)
        .args(["-n", "packages-progenitor", "-v", "0.1.0"])
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run cargo-progenitor")
}

fn run_ours(xtask: &Path, spec: &Path, out: &Path) -> Output {
    Command::new(xtask)
        .arg("generate")
        .arg("--spec")
        .arg(spec)
        .arg("--out")
        .arg(out)
        .args(["--crate-name", "packages-ours"])
        .output()
        .expect("run xtask")
}

/// `cargo <command> <flags>` (build or check) in the crate `dir`, into `target`.
fn cargo_in(dir: &Path, target: &Path, command: &str, flags: &[&str]) -> Output {
    cargo()
        .arg(command)
        .args(flags)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run cargo")
}

/// The first compiler error of a failed cargo run.
fn first_error(run: &Output) -> String {
    let stderr = String::from_utf8_lossy(&run.stderr);
    let message = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or("no error message");
    format!("`{}`", message.replace('`', "'"))
}

/// The line that says why a run failed: a panic message, or the last line of stderr.
fn failure(run: &Output) -> String {
    let stderr = String::from_utf8_lossy(&run.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let message = lines
        .iter()
        .position(|l| l.starts_with("thread '") && l.contains("panicked"))
        .and_then(|at| lines.get(at + 1))
        .or(lines.last())
        .copied()
        .unwrap_or("no message");
    format!("`{}`", message.replace('`', "'"))
}

/// Packages the crate's normal and build dependencies resolve to, the crate included.
fn dependency_count(dir: &Path, flags: &[&str]) -> usize {
    let run = cargo()
        .args(["tree", "--quiet", "-e", "normal,build", "--prefix", "none"])
        .args(flags)
        .current_dir(dir)
        .output()
        .expect("run cargo tree");
    assert!(run.status.success(), "cargo tree failed: {}", failure(&run));
    let mut packages: Vec<String> = String::from_utf8_lossy(&run.stdout)
        .lines()
        .map(|l| l.trim_end_matches(" (*)").to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    packages.sort();
    packages.dedup();
    packages.len()
}

fn rust_lines(dir: &Path) -> usize {
    fs::read_dir(dir)
        .expect("generated src")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            fs::read_to_string(path)
                .map(|t| t.lines().count())
                .unwrap_or(0)
        })
        .sum()
}
