//! `cargo xtask wire`: clients generated from public descriptions, proven on the wire. For a
//! seeded sample of APIs.guru's OpenAPI 3.0 documents and GitHub Enterprise Server 3.19, it
//! generates the crate, adds a driver that calls every operation with arguments built from
//! the description (`driver.rs`, `sample.rs`), runs it against Prism serving that same
//! document (`--errors`, security validation on), and judges each call (`verdict.rs`): the
//! request accepted with no violation and the answer decoded, or why not, by whose fault.

mod driver;
mod pattern;
mod sample;
mod verdict;

use super::check;
use super::child::{self, Ended, Limits, Outcome};
use super::fetch::{self, Version, DIRECTORY, GITHUB_PREFIX, OCTOKIT};
use super::select;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use verdict::{Call, Described, DocumentRun};

const DEFAULT_SAMPLE: usize = 40;
const DEFAULT_SEED: u64 = 11;
/// GitHub's description in the run (its whole API: the largest crate).
const GITHUB_DOCUMENT: &str = "ghes-3.19.json";
/// The smoke run (part of `cargo xtask test`): small documents whose every operation passes,
/// so that a regression in what the client sends or reads fails it.
const SMOKE: &[&str] = &["balldontlie.io.json", "randomlovecraft.com.json"];

#[derive(Debug, Clone, PartialEq)]
struct Options {
    sample: usize,
    seed: u64,
    only: Vec<String>,
    report: Option<PathBuf>,
    keep: Option<PathBuf>,
    smoke: bool,
    github: bool,
    args: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        sample: DEFAULT_SAMPLE,
        seed: DEFAULT_SEED,
        only: Vec::new(),
        report: None,
        keep: None,
        smoke: false,
        github: true,
        args: args.to_vec(),
    };
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
            "--only" => options.only.push(value(arg)?),
            "--report" => options.report = Some(PathBuf::from(value(arg)?)),
            "--keep" => options.keep = Some(PathBuf::from(value(arg)?)),
            "--smoke" => options.smoke = true,
            "--no-github" => options.github = false,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if options.smoke {
        options.github = false;
    }
    Ok(options)
}

/// `cargo xtask wire ...`.
pub fn main(args: &[String]) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The smoke run as a step of `cargo xtask test`.
pub fn smoke_step() -> Result<(), String> {
    eprintln!("==> wire smoke run: cargo xtask wire --smoke");
    match run(&parse(&["--smoke".to_owned()])?)? {
        true => Ok(()),
        false => Err("the wire smoke run found calls that fail".to_owned()),
    }
}

/// Prism, installed from `tests/oracles` (with `npm ci` when it is not there yet).
fn prism() -> Result<PathBuf, String> {
    let root = xtask::workspace_root();
    let prism = root.join("tests/oracles/node_modules/.bin/prism");
    if !prism.exists() {
        let status = Command::new("npm")
            .args(["ci", "--prefix"])
            .arg(root.join("tests/oracles"))
            .status()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !status.success() || !prism.exists() {
            return Err("`npm ci --prefix tests/oracles` did not install prism".to_owned());
        }
    }
    Ok(prism)
}

/// A Prism mock of one document on a free loopback port, stopped when dropped.
struct Mock {
    child: Child,
    base_url: String,
}

impl Mock {
    fn start(prism: &Path, document: &Path) -> Result<Mock, String> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let child = Command::new(prism)
            .arg("mock")
            .arg(document)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--errors"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start prism: {e}"))?;
        let mut mock = Mock {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            if Instant::now() > deadline || matches!(mock.child.try_wait(), Ok(Some(_))) {
                return Err("prism did not start serving the document".to_owned());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(mock)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(options: &Options) -> Result<bool, String> {
    let root = xtask::workspace_root();
    let target = super::target_dir();
    let cache = target.join("corpus");
    let directory = match fetch::fetch(&cache, DIRECTORY) {
        Ok(directory) => directory,
        // As the corpus smoke run: outside CI, an unreachable registry skips it.
        Err(error) if options.smoke && !super::ci() => {
            eprintln!(
                "warning: the wire smoke run is skipped, the corpus cannot be fetched: {error}"
            );
            return Ok(true);
        }
        Err(error) => return Err(error.to_string()),
    };
    let mut documents = fetch::directory_documents(&directory)?;
    let v30: Vec<String> = documents
        .iter()
        .filter(|d| {
            std::fs::read(&d.path).is_ok_and(|bytes| fetch::version_of(&bytes) == Version::V30)
        })
        .map(|d| d.name.clone())
        .collect();
    let chosen: Vec<String> = if options.smoke {
        SMOKE.iter().map(|s| (*s).to_owned()).collect()
    } else if !options.only.is_empty() {
        v30.iter()
            .filter(|name| options.only.iter().any(|g| select::glob(g, name)))
            .cloned()
            .collect()
    } else {
        let names: Vec<&str> = v30.iter().map(String::as_str).collect();
        select::sample(&names, options.sample, options.seed)
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    documents.retain(|d| chosen.contains(&d.name));
    if options.github {
        let octokit = fetch::fetch(&cache, OCTOKIT).map_err(|e| e.to_string())?;
        let github = fetch::github_documents(&octokit)?;
        documents.extend(
            github
                .into_iter()
                .filter(|d| d.name == format!("{GITHUB_PREFIX}{GITHUB_DOCUMENT}")),
        );
    }
    if documents.is_empty() {
        return Err("no document to run".to_owned());
    }
    let prism = prism()?;
    let work = options
        .keep
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("xtask-wire-{}", std::process::id())));
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let names: Vec<&str> = documents.iter().map(|d| d.name.as_str()).collect();
    let crate_names = select::crate_names(&names);
    let lockfile = root.join("Cargo.lock");
    // The nested crates' target directory: the tests build the same dependencies there.
    let wire_target = target.join("nested");
    let started = Instant::now();
    let mut runs = Vec::new();
    for (i, (document, crate_name)) in documents.iter().zip(&crate_names).enumerate() {
        let begun = Instant::now();
        let run = run_document(
            &document.path,
            &document.name,
            &work.join(crate_name),
            crate_name,
            &prism,
            &lockfile,
            &wire_target,
        );
        let run = run.unwrap_or_else(|why| DocumentRun::failed(&document.name, why));
        eprintln!(
            "wire {}/{}: {}: {} in {:.0} s",
            i + 1,
            documents.len(),
            document.name,
            run.summary(),
            begun.elapsed().as_secs_f64()
        );
        runs.push(run);
    }
    if options.keep.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    let command = std::iter::once("cargo xtask wire".to_owned())
        .chain(options.args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let markdown = verdict::markdown(&runs, &command, started.elapsed().as_secs_f64());
    eprint!("{}", verdict::summary(&runs));
    if let Some(path) = &options.report {
        xtask::write_section(path, "## Wire conformance", &markdown)?;
        eprintln!("wire: wrote {}", path.display());
    }
    Ok(!options.smoke || runs.iter().all(DocumentRun::all_pass))
}

/// Generates one document's crate with its driver, and runs the driver against Prism.
fn run_document(
    path: &Path,
    name: &str,
    dir: &Path,
    crate_name: &str,
    prism: &Path,
    lockfile: &Path,
    target: &Path,
) -> Result<DocumentRun, String> {
    let limits = Limits {
        time: Duration::from_secs(60),
        memory_mib: Some(6 * 1024),
    };
    let (outcome, _) = child::generate(path, name, Some((dir, crate_name)), limits)?;
    if !matches!(outcome, Outcome::Generated(_)) {
        return Err("does not generate".to_owned());
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let spec = codegen::load(&text, name).map_err(|e| e.to_string())?.spec;
    let mut api = codegen::lower(&spec, name).map_err(|e| e.to_string())?.api;
    let (profile, reason) = codegen::Profile::detect(&api);
    codegen::profile::apply(profile, reason, &mut api);
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests)
        .map_err(|e| format!("cannot create {}: {e}", tests.display()))?;
    let crate_ident = crate_name.replace('-', "_");
    std::fs::write(
        tests.join("wire.rs"),
        driver::driver(&api, &spec, &crate_ident),
    )
    .map_err(|e| format!("cannot write the driver: {e}"))?;
    check::prepare(dir, lockfile)?;
    let mock = Mock::start(prism, path)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let args: Vec<OsString> = ["test", "--quiet", "--test", "wire", "--", "--nocapture"]
        .into_iter()
        .map(OsString::from)
        .collect();
    let ended = child::run(
        Path::new(&cargo),
        &args,
        &[
            ("CARGO_TARGET_DIR", target),
            ("WIRE_BASE_URL", Path::new(&mock.base_url)),
        ],
        Some(dir),
        Limits {
            time: Duration::from_secs(30 * 60),
            memory_mib: None,
        },
    )?;
    drop(mock);
    let (stdout, stderr) = match ended {
        Ended::Exited { stdout, stderr, .. } => (stdout, stderr),
        Ended::TimedOut { .. } => return Err("the driver timed out".to_owned()),
    };
    let stdout = String::from_utf8_lossy(&stdout);
    // Kept beside the crate for `--keep`.
    let _ = std::fs::write(dir.join("wire-output.txt"), stdout.as_bytes());
    let calls: Vec<Call> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("WIRE "))
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect();
    if calls.is_empty() {
        let stderr = String::from_utf8_lossy(&stderr);
        let first: String = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .take(3)
            .collect::<Vec<_>>()
            .join(" / ");
        return Err(format!("the driver did not run: {first}"));
    }
    let document: serde_json::Value =
        codegen::load_value(&text, name).map_err(|e| e.to_string())?;
    let described: BTreeMap<String, Described> = api
        .operations
        .iter()
        .map(|o| {
            let statuses = o
                .responses
                .iter()
                .filter_map(|r| match r.status {
                    codegen::ir::Status::Code(code) => Some(code),
                    _ => None,
                })
                .collect();
            let responses = document
                .pointer(o.pointer.trim_start_matches('#'))
                .and_then(|operation| operation.get("responses"));
            let examples = responses.is_some_and(|r| has_examples(&document, r, &mut Vec::new()));
            (o.method_name.clone(), Described { statuses, examples })
        })
        .collect();
    Ok(DocumentRun::judged(name, calls, &described))
}

/// Whether `value`, or a component it refers to, gives an example: what Prism serves when
/// there is one, instead of a value of its own making.
fn has_examples(
    document: &serde_json::Value,
    value: &serde_json::Value,
    seen: &mut Vec<String>,
) -> bool {
    match value {
        serde_json::Value::Object(members) => {
            members
                .iter()
                .any(|(key, member)| match (key.as_str(), member) {
                    ("example" | "examples", _) => true,
                    ("$ref", serde_json::Value::String(reference)) => {
                        if seen.contains(reference) || seen.len() > 200 {
                            return false;
                        }
                        seen.push(reference.clone());
                        document
                            .pointer(reference.trim_start_matches('#'))
                            .is_some_and(|target| has_examples(document, target, seen))
                    }
                    _ => has_examples(document, member, seen),
                })
        }
        serde_json::Value::Array(items) => {
            items.iter().any(|item| has_examples(document, item, seen))
        }
        _ => false,
    }
}
