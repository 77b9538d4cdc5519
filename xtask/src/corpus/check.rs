//! `cargo check` (and, on request, `cargo clippy -- -D warnings`) of generated crates, each a
//! workspace of its own pinned to this workspace's `Cargo.lock`, all sharing one target
//! directory so that the dependencies are built once.

use super::cause::cause;
use super::child::{run, Ended, Limits};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long one cargo run may take: GitHub Enterprise's crates take minutes.
const CARGO_TIME: Duration = Duration::from_secs(30 * 60);

/// Diagnostic lines kept per crate (all are counted, by cause).
const LINES_KEPT: usize = 200;

/// What cargo made of one crate.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub failed: bool,
    pub timed_out: bool,
    pub errors: usize,
    pub warnings: usize,
    /// The first diagnostics, errors before warnings, as cargo's `short` format prints them
    /// (`src/types.rs:12:5: warning: unused import: ...`).
    pub lines: Vec<String>,
    /// Every diagnostic's cause (`warning: method `_` is never used`), with its count.
    pub causes: BTreeMap<String, usize>,
    pub seconds: f64,
}

impl Check {
    pub fn clean(&self) -> bool {
        !self.failed && self.warnings == 0
    }
}

/// Makes a generated crate a workspace of its own, pinned to `lockfile`.
pub fn prepare(dir: &Path, lockfile: &Path) -> Result<(), String> {
    let manifest = dir.join("Cargo.toml");
    let failed = |what: &str, error: std::io::Error| format!("{what} {}: {error}", dir.display());
    let mut text =
        std::fs::read_to_string(&manifest).map_err(|e| failed("cannot read the manifest of", e))?;
    if !text.contains("\n[workspace]") {
        text.push_str("\n[workspace]\n");
    }
    std::fs::write(&manifest, text).map_err(|e| failed("cannot write the manifest of", e))?;
    std::fs::copy(lockfile, dir.join("Cargo.lock"))
        .map_err(|e| failed("cannot copy Cargo.lock into", e))?;
    Ok(())
}

/// `cargo check`, or with `clippy` `cargo clippy -- -D warnings`, in `dir` with the target
/// directory `target`. `Err` only when cargo could not be run at all.
pub fn cargo(dir: &Path, target: &Path, clippy: bool) -> Result<Check, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut args: Vec<OsString> = if clippy {
        vec!["clippy".into()]
    } else {
        vec!["check".into()]
    };
    args.extend(["--message-format".into(), "short".into(), "--quiet".into()]);
    if clippy {
        args.extend(["--".into(), "-D".into(), "warnings".into()]);
    }
    let start = Instant::now();
    let ended = run(
        Path::new(&cargo),
        &args,
        &[("CARGO_TARGET_DIR", target)],
        Some(dir),
        Limits {
            time: CARGO_TIME,
            memory_mib: None,
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(match ended {
        Ended::Exited { status, stderr, .. } => {
            let mut check = parse(&String::from_utf8_lossy(&stderr), status.success());
            check.seconds = seconds;
            check
        }
        Ended::TimedOut { stderr } => Check {
            timed_out: true,
            seconds,
            ..parse(&String::from_utf8_lossy(&stderr), false)
        },
    })
}

/// Reads cargo's `short` diagnostics: counts errors and warnings, leaving out cargo's own
/// summaries (`generated 2 warnings`, `could not compile`), and keeps the first lines.
pub fn parse(output: &str, success: bool) -> Check {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut causes = BTreeMap::new();
    for line in output.lines().map(str::trim_end) {
        let Some((kind, message)) = severity(line) else {
            continue;
        };
        let summary = line.contains("could not compile")
            || line.contains("build failed, waiting")
            || line.contains("aborting due to")
            || (line.starts_with("warning: `") && line.contains(" generated "))
            || line.contains("warnings emitted")
            || line.contains("warning emitted");
        if summary {
            continue;
        }
        *causes.entry(without_numbers(&cause(message))).or_insert(0) += 1;
        match kind {
            "error" => errors.push(line.to_owned()),
            _ => warnings.push(line.to_owned()),
        }
    }
    let lines: Vec<String> = errors
        .iter()
        .chain(&warnings)
        .take(LINES_KEPT)
        .cloned()
        .collect();
    Check {
        failed: !success,
        timed_out: false,
        errors: errors.len(),
        warnings: warnings.len(),
        lines,
        causes,
        seconds: 0.0,
    }
}

/// `text` with every number made `N` (`too many arguments (N/N)`), but in error codes
/// (`error[E0592]`).
fn without_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        in_code = match c {
            '[' => true,
            ']' => false,
            _ => in_code,
        };
        if c.is_ascii_digit() && !in_code {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('N');
        } else {
            out.push(c);
        }
    }
    out
}

/// `error` or `warning`, and the message from that word on, for a diagnostic line: one
/// that starts with the word, or has it after a `file:line:column: ` location.
fn severity(line: &str) -> Option<(&'static str, &str)> {
    let rest = match line.find(": ") {
        Some(at)
            if line[..at].contains(".rs:")
                || (line[..at].ends_with(char::is_numeric) && line[..at].contains(':')) =>
        {
            &line[at + 2..]
        }
        _ => line,
    };
    if rest.starts_with("error:") || rest.starts_with("error[") {
        Some(("error", rest))
    } else if rest.starts_with("warning:") || rest.starts_with("warning[") {
        Some(("warning", rest))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_diagnostics_are_counted_without_summaries() {
        let output = "\
src/types.rs:12:5: warning: unused import: `std::fmt`
src/lib.rs:3:1: error[E0432]: unresolved import `crate::x`
src/lib.rs:9:9: error: expected one of `,` or `}`, found `=`
warning: `corpus-x` (lib) generated 1 warning
error: could not compile `corpus-x` (lib) due to 2 previous errors; 1 warning emitted
    Checking corpus-x v0.1.0
some note: error: not at the start
";
        let check = parse(output, false);
        assert!(check.failed);
        assert_eq!((check.errors, check.warnings), (2, 1));
        assert_eq!(
            check.lines,
            [
                "src/lib.rs:3:1: error[E0432]: unresolved import `crate::x`",
                "src/lib.rs:9:9: error: expected one of `,` or `}`, found `=`",
                "src/types.rs:12:5: warning: unused import: `std::fmt`",
            ]
        );
        assert!(!check.clean());
        assert_eq!(
            check.causes.keys().collect::<Vec<_>>(),
            [
                "error: expected one of `,` or `}`, found `=`",
                "error[E0432]: unresolved import `_`",
                "warning: unused import: `_`",
            ]
        );
    }

    #[test]
    fn numbers_are_one_cause() {
        assert_eq!(
            without_numbers("error[E0592]: this function has too many arguments (11/7)"),
            "error[E0592]: this function has too many arguments (N/N)"
        );
        let check = parse(
            "src/a.rs:1:1: warning: the enum is at least 1544 bytes\nsrc/a.rs:9:1: warning: the enum is at least 96 bytes\n",
            true,
        );
        assert_eq!(
            check.causes.into_iter().collect::<Vec<_>>(),
            [("warning: the enum is at least N bytes".to_owned(), 2)]
        );
    }

    #[test]
    fn clean_and_warned_crates() {
        assert!(parse("", true).clean());
        assert!(parse("    Finished `dev` profile\n", true).clean());
        let warned = parse("warning: unused manifest key: package.foo\n", true);
        assert_eq!(warned.warnings, 1);
        assert!(!warned.clean());
        let many: String = (0..300)
            .map(|i| format!("src/lib.rs:{i}:1: warning: method `m{i}` is never used\n"))
            .collect();
        let many = parse(&many, true);
        assert_eq!(many.warnings, 300);
        assert_eq!(many.lines.len(), LINES_KEPT);
        assert_eq!(
            many.causes.into_iter().collect::<Vec<_>>(),
            [("warning: method `_` is never used".to_owned(), 300)]
        );
    }
}
