//! One document per child process, so that an abort (a panic, a stack overflow, running out
//! of memory) is counted rather than fatal, with a time and a memory limit. The child is
//! this binary again, as `cargo xtask corpus-child`, which prints one JSON line.

use super::cause::cause;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use xtask::{Failure, Job};

/// Diagnostics a child reports in full; the rest are counted (and warnings, by cause).
const DIAGNOSTICS_SHOWN: usize = 20;

/// A diagnostic as the child reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diag {
    pub error: bool,
    pub file: String,
    pub pointer: String,
    pub line: Option<(u32, u32)>,
    pub message: String,
    pub hint: Option<String>,
}

impl From<&codegen::Diagnostic> for Diag {
    fn from(d: &codegen::Diagnostic) -> Diag {
        Diag {
            error: d.is_error(),
            file: d.spec_name.clone(),
            pointer: d.pointer.clone(),
            line: d.line,
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

/// What the child prints: one line of JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildReport {
    pub generated: bool,
    /// The profile the crate follows (when generated).
    pub profile: Option<String>,
    /// Errors first, then warnings; the first `DIAGNOSTICS_SHOWN` of them.
    pub diagnostics: Vec<Diag>,
    pub errors: usize,
    pub warnings: usize,
    /// Every warning's cause, with how often it occurs.
    pub warning_causes: BTreeMap<String, usize>,
    /// Generated files, and their lines.
    pub files: usize,
    pub lines: usize,
}

/// `cargo xtask corpus-child --spec FILE --name NAME [--out DIR --crate-name NAME]`:
/// generates one document with `--profile auto` (written only with `--out`) and prints a
/// `ChildReport`. Exit 0 when it did (generated or refused), 1 when the output could not be
/// written, 2 for bad usage; a panic exits 101, as panics do.
pub fn main(args: &[String]) -> ExitCode {
    let mut spec = None;
    let mut name = None;
    let mut out = None;
    let mut crate_name = None;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--spec" => &mut spec,
            "--name" => &mut name,
            "--out" => &mut out,
            "--crate-name" => &mut crate_name,
            _ => {
                eprintln!("corpus-child: unknown argument `{flag}`");
                return ExitCode::from(2);
            }
        };
        *slot = args.next().cloned();
    }
    let (Some(spec), Some(name)) = (spec, name) else {
        eprintln!("corpus-child: needs --spec FILE --name NAME");
        return ExitCode::from(2);
    };
    let job = Job {
        spec: PathBuf::from(spec),
        spec_name: name,
        out: out.clone().map(PathBuf::from).unwrap_or_default(),
        crate_name: crate_name.unwrap_or_else(|| "corpus-document".to_owned()),
        guide: None,
        profile: None,
        deny_warnings: false,
        generator_command: "cargo xtask generate".to_owned(),
        crate_version: None,
        deny_breaking: false,
        report: None,
    };
    let report = match report_of(&job, out.is_some()) {
        Ok(report) => report,
        Err(message) => {
            eprintln!("corpus-child: {message}");
            return ExitCode::FAILURE;
        }
    };
    match serde_json::to_string(&report) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("corpus-child: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the job; `Err` only when the output could not be written.
fn report_of(job: &Job, write: bool) -> Result<ChildReport, String> {
    let rendered = xtask::render(job);
    let generated = match rendered {
        Ok(generated) => generated,
        Err(Failure::Spec(diagnostics)) => {
            let mut all: Vec<&codegen::Diagnostic> = diagnostics.errors().collect();
            all.extend(diagnostics.warnings());
            return Ok(refusal(&all));
        }
        Err(Failure::Read(path, error)) => {
            let unreadable = codegen::Diagnostic::new(
                &job.spec_name,
                "#",
                format!("cannot read {}: {error}", path.display()),
            );
            return Ok(refusal(&[&unreadable]));
        }
        Err(other) => return Err(other.to_string()),
    };
    if write {
        write_crate(&job.out, &generated.files)
            .map_err(|e| format!("cannot write {}: {e}", job.out.display()))?;
    }
    let mut warning_causes = BTreeMap::new();
    for warning in &generated.warnings {
        *warning_causes.entry(cause(&warning.message)).or_insert(0) += 1;
    }
    Ok(ChildReport {
        generated: true,
        profile: Some(generated.profile.to_string()),
        diagnostics: shown(generated.warnings.iter()),
        errors: 0,
        warnings: generated.warnings.len(),
        warning_causes,
        files: generated.files.len(),
        lines: generated
            .files
            .iter()
            .map(|f| f.contents.lines().count())
            .sum(),
    })
}

/// Writes the files into `out`, a directory of their own that the parent made fresh.
fn write_crate(out: &Path, files: &[codegen::GeneratedFile]) -> std::io::Result<()> {
    for file in files {
        let path = out.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap_or(out))?;
        std::fs::write(path, &file.contents)?;
    }
    Ok(())
}

fn refusal(all: &[&codegen::Diagnostic]) -> ChildReport {
    let errors = all.iter().filter(|d| d.is_error()).count();
    ChildReport {
        generated: false,
        profile: None,
        diagnostics: shown(all.iter().copied()),
        errors,
        warnings: all.len() - errors,
        warning_causes: BTreeMap::new(),
        files: 0,
        lines: 0,
    }
}

fn shown<'a>(diagnostics: impl Iterator<Item = &'a codegen::Diagnostic>) -> Vec<Diag> {
    diagnostics
        .take(DIAGNOSTICS_SHOWN)
        .map(Diag::from)
        .collect()
}

/// Limits on one child.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    /// Address space, through the shell's `ulimit -v`; `None` for none.
    pub memory_mib: Option<u64>,
}

/// How a child process ended.
#[derive(Debug)]
pub enum Ended {
    Exited {
        status: ExitStatus,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    TimedOut {
        stderr: Vec<u8>,
    },
}

/// What is kept of a child's output: a result line, or cargo's diagnostics.
const OUTPUT_KEPT: usize = 4 << 20;

/// Runs `program` with `args` in `dir`, within `limits`; its output is read as it comes (so
/// that a full pipe cannot stall it), and kept up to `OUTPUT_KEPT` bytes a stream.
pub fn run(
    program: &Path,
    args: &[OsString],
    env: &[(&str, &Path)],
    dir: Option<&Path>,
    limits: Limits,
) -> Result<Ended, String> {
    let mut command = match limits.memory_mib {
        Some(mib) => {
            let mut shell = Command::new("sh");
            shell
                .arg("-c")
                .arg(format!(
                    "ulimit -v {} 2>/dev/null; exec \"$0\" \"$@\"",
                    mib * 1024
                ))
                .arg(program);
            shell
        }
        None => Command::new(program),
    };
    command
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let Some(mut stream) = stream else {
                return kept;
            };
            let mut buffer = [0u8; 16 << 10];
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let room = OUTPUT_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
            }
            kept
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= limits.time => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("cannot wait for {}: {error}", program.display()));
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    Ok(match status {
        Some(status) => Ended::Exited {
            status,
            stdout,
            stderr,
        },
        None => Ended::TimedOut { stderr },
    })
}

/// What became of one document.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Generated(ChildReport),
    Refused(ChildReport),
    /// The child died: `how` (a signal, an exit code), and what it said about it.
    Aborted {
        how: String,
        message: String,
    },
    TimedOut,
}

impl Outcome {
    pub fn generated(&self) -> Option<&ChildReport> {
        match self {
            Outcome::Generated(report) => Some(report),
            _ => None,
        }
    }
}

/// Generates `spec` in a child; writes the crate to `out` (as `crate_name`) when given.
/// `Err` is a failure of this machine, not of the generator: the child could not be
/// started, or could not write its output.
pub fn generate(
    spec: &Path,
    name: &str,
    out: Option<(&Path, &str)>,
    limits: Limits,
) -> Result<(Outcome, f64), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let mut args: Vec<OsString> = vec![
        "corpus-child".into(),
        "--spec".into(),
        spec.into(),
        "--name".into(),
        name.into(),
    ];
    if let Some((dir, crate_name)) = out {
        args.extend([
            "--out".into(),
            dir.into(),
            "--crate-name".into(),
            crate_name.into(),
        ]);
    }
    let start = Instant::now();
    let ended = run(&exe, &args, &[], None, limits)?;
    let seconds = start.elapsed().as_secs_f64();
    let (status, stdout, stderr) = match ended {
        Ended::TimedOut { .. } => return Ok((Outcome::TimedOut, seconds)),
        Ended::Exited {
            status,
            stdout,
            stderr,
        } => (status, stdout, stderr),
    };
    let stderr = String::from_utf8_lossy(&stderr);
    if status.success() {
        let line = String::from_utf8_lossy(&stdout);
        return match serde_json::from_str::<ChildReport>(line.trim()) {
            Ok(report) if report.generated => Ok((Outcome::Generated(report), seconds)),
            Ok(report) => Ok((Outcome::Refused(report), seconds)),
            Err(error) => Ok((
                Outcome::Aborted {
                    how: "no result".to_owned(),
                    message: format!("the child's result is unreadable: {error}"),
                },
                seconds,
            )),
        };
    }
    if status.code() == Some(1) && stderr.starts_with("corpus-child:") {
        return Err(format!("{name}: {}", stderr.trim()));
    }
    Ok((
        Outcome::Aborted {
            how: describe(status),
            message: abort_message(&stderr),
        },
        seconds,
    ))
}

/// `signal 6 (SIGABRT)`, `exit code 101`.
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL)",
                6 => " (SIGABRT)",
                7 => " (SIGBUS)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                _ => "",
            };
            return format!("signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => status.to_string(),
    }
}

/// What a dying child said: from the first line that tells why (a panic, a stack overflow,
/// a failed allocation), a few lines; else the last lines of its standard error.
pub fn abort_message(stderr: &str) -> String {
    const LINES: usize = 4;
    const MARKS: [&str; 5] = [
        "panicked at",
        "overflowed its stack",
        "memory allocation of",
        "fatal runtime error",
        "out of memory",
    ];
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let chosen: Vec<&str> = match lines
        .iter()
        .position(|l| MARKS.iter().any(|m| l.contains(m)))
    {
        Some(at) => lines[at..]
            .iter()
            .copied()
            .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE"))
            .take(LINES)
            .collect(),
        None => lines[lines.len().saturating_sub(LINES)..].to_vec(),
    };
    if chosen.is_empty() {
        "(nothing on standard error)".to_owned()
    } else {
        chosen.join("\n")
    }
}

/// Runs `work` on every item, `jobs` at a time, and returns the results in the items'
/// order. After the first `Err`, no more items are started.
pub fn pool<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    work: impl Fn(usize, &T) -> Result<R, String> + Sync,
) -> Result<Vec<R>, String> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<R, String>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(index) else {
                    break;
                };
                let result = work(index, item);
                if result.is_err() {
                    stop.store(true, Ordering::SeqCst);
                }
                results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut done = Vec::with_capacity(items.len());
    for result in results {
        match result {
            Some(Ok(value)) => done.push(value),
            Some(Err(message)) => return Err(message),
            None => return Err("stopped after a failure".to_owned()),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abort_messages() {
        let panic = "thread 'main' panicked at codegen/src/lower/mod.rs:10:5:\nindex out of bounds\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";
        assert_eq!(
            abort_message(panic),
            "thread 'main' panicked at codegen/src/lower/mod.rs:10:5:\nindex out of bounds"
        );
        let overflow =
            "\nthread 'main' has overflowed its stack\nfatal runtime error: stack overflow\n";
        assert_eq!(
            abort_message(overflow),
            "thread 'main' has overflowed its stack\nfatal runtime error: stack overflow"
        );
        assert_eq!(abort_message("a\nb\nc\nd\ne\n"), "b\nc\nd\ne");
        assert_eq!(abort_message(""), "(nothing on standard error)");
    }

    #[test]
    fn pools_keep_the_order_and_stop_on_failure() {
        let items: Vec<u32> = (0..50).collect();
        let doubled = pool(&items, 3, |i, x| Ok((i, x * 2))).unwrap();
        assert_eq!(doubled.len(), 50);
        assert!(doubled
            .iter()
            .enumerate()
            .all(|(i, &(j, x))| i == j && x == 2 * i as u32));
        let failed = pool(&items, 2, |_, &x| {
            if x == 7 {
                Err("seven".to_owned())
            } else {
                Ok(x)
            }
        });
        assert_eq!(failed.unwrap_err(), "seven");
        assert!(pool(&Vec::<u32>::new(), 2, |_, &x| Ok(x))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn children_are_timed_out_and_their_output_kept() {
        let sh = Path::new("/bin/sh");
        let limits = |seconds| Limits {
            time: Duration::from_secs_f64(seconds),
            memory_mib: Some(1024),
        };
        let args = |script: &str| vec![OsString::from("-c"), OsString::from(script)];
        match run(
            sh,
            &args("echo out; echo err >&2; exit 3"),
            &[],
            None,
            limits(10.0),
        )
        .unwrap()
        {
            Ended::Exited {
                status,
                stdout,
                stderr,
            } => {
                assert_eq!(status.code(), Some(3));
                assert_eq!(stdout, b"out\n");
                assert_eq!(stderr, b"err\n");
            }
            other => panic!("{other:?}"),
        }
        let start = Instant::now();
        let ended = run(sh, &args("exec sleep 5"), &[], None, limits(0.2)).unwrap();
        assert!(matches!(ended, Ended::TimedOut { .. }), "{ended:?}");
        assert!(start.elapsed() < Duration::from_secs(4));
        // More output than a pipe holds does not stall the child.
        let big = "head -c 300000 /dev/zero";
        match run(sh, &args(big), &[], None, limits(10.0)).unwrap() {
            Ended::Exited { stdout, .. } => assert_eq!(stdout.len(), 300_000),
            other => panic!("{other:?}"),
        }
        assert!(run(
            Path::new("/nonexistent/program"),
            &[],
            &[],
            None,
            Limits {
                time: Duration::from_secs(1),
                memory_mib: None,
            }
        )
        .is_err());
    }
}
