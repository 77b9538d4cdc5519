//! The programs the benchmark binaries (`src/bin/`) run: cargo, this workspace's generator,
//! and progenitor installed from crates.io. Failures come back as messages that name the
//! command and end with the tail of what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The progenitor release the benchmarks compare against.
pub const PROGENITOR_VERSION: &str = "0.15.1";

/// Lines of a failed command's stderr kept in its message.
const STDERR_TAIL: usize = 25;

/// The cargo that runs this program (`CARGO`), else `cargo` on the `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The command as a shell line, for messages: its directory, its environment changes, its
/// program and arguments.
pub fn describe(command: &Command) -> String {
    let mut line = String::new();
    if let Some(dir) = command.get_current_dir() {
        line.push_str(&format!("(in {}) ", dir.display()));
    }
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            line.push_str(&format!(
                "{}={} ",
                key.to_string_lossy(),
                value.to_string_lossy()
            ));
        }
    }
    line.push_str(&command.get_program().to_string_lossy());
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// The last lines of what a run printed on stderr.
pub fn stderr_tail(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    lines[lines.len().saturating_sub(STDERR_TAIL)..].join("\n")
}

/// Runs `command` to its end, capturing its output; `Err` names the command and ends with
/// the tail of its stderr when it cannot start or does not succeed.
pub fn run(command: &mut Command) -> Result<Output, String> {
    let output = command
        .output()
        .map_err(|error| format!("cannot run `{}`: {error}", describe(command)))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "`{}` failed ({}); the end of its stderr:\n{}",
            describe(command),
            output.status,
            stderr_tail(&output)
        ))
    }
}

/// `cargo-progenitor` [`PROGENITOR_VERSION`]: the one `PROGENITOR` names, else installed
/// from crates.io into `root` (`cargo install` returns at once when it is there already).
pub fn progenitor(root: &Path) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("PROGENITOR") {
        return Ok(PathBuf::from(path));
    }
    eprintln!(
        "installing cargo-progenitor {PROGENITOR_VERSION} into {}",
        root.display()
    );
    run(cargo()
        .args([
            "install",
            "--locked",
            "--quiet",
            "cargo-progenitor",
            "--version",
        ])
        .arg(format!("={PROGENITOR_VERSION}"))
        .arg("--root")
        .arg(root))?;
    Ok(root.join("bin/cargo-progenitor"))
}

/// Builds this workspace's `xtask` (the generator's command line) in release mode and
/// returns the binary.
pub fn build_xtask(root: &Path) -> Result<PathBuf, String> {
    run(cargo()
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .current_dir(root))?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/xtask"))
}
