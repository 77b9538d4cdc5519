//! Measurement for the benchmarks in `tests/benches/`: rounds that alternate between the
//! contenders, medians, ratios against a baseline measured in the same rounds, and peak heap
//! from a counting allocator.
//!
//! The machine is shared and noisy, so no figure stands alone: each contender is timed in
//! every round, in an order that rotates, and a ratio is the median of the per-round ratios
//! (noise that slows a whole round cancels out).
//!
//! `cargo bench` passes `--bench`. Without it (`cargo test --benches`, which the test command
//! runs) each benchmark does one round of one iteration on its smallest input: a smoke test
//! that keeps the benchmarks compiling and working.

use serde_json::{Map, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// `cargo bench`: every input, many rounds. Otherwise one round, as a smoke test.
    pub full: bool,
    pub rounds: usize,
}

impl Mode {
    /// From the arguments cargo passes; `BENCH_ROUNDS` overrides `default_rounds`.
    pub fn from_args(default_rounds: usize) -> Mode {
        let full = std::env::args().any(|a| a == "--bench");
        let rounds = std::env::var("BENCH_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .filter(|&r| r > 0)
            .unwrap_or(default_rounds);
        Mode {
            full,
            rounds: if full { rounds } else { 1 },
        }
    }

    /// Iterations per round such that one round of `f` takes about `target` (one when
    /// smoke testing).
    pub fn iterations(&self, target: Duration, f: &mut dyn FnMut()) -> usize {
        if !self.full {
            return 1;
        }
        let mut iterations = 1;
        loop {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            let elapsed = start.elapsed();
            if elapsed >= target || iterations >= 1 << 20 {
                return iterations;
            }
            let wanted = target.as_secs_f64() / elapsed.as_secs_f64().max(1e-9);
            iterations = (iterations as f64 * wanted.clamp(1.5, 10.0)).ceil() as usize;
        }
    }
}

/// Time per iteration of each contender, round by round.
#[derive(Debug, Clone)]
pub struct Timings {
    pub names: Vec<&'static str>,
    /// `seconds[c][r]`: contender `c` in round `r`, per iteration.
    pub seconds: Vec<Vec<f64>>,
}

impl Timings {
    pub fn median(&self, contender: usize) -> f64 {
        median(&self.seconds[contender])
    }

    /// The median over rounds of `contender / baseline` and the spread of those ratios
    /// (first and third quartile).
    pub fn ratio(&self, contender: usize, baseline: usize) -> Ratio {
        let ratios: Vec<f64> = self.seconds[contender]
            .iter()
            .zip(&self.seconds[baseline])
            .map(|(c, b)| c / b)
            .collect();
        Ratio {
            median: median(&ratios),
            low: quantile(&ratios, 0.25),
            high: quantile(&ratios, 0.75),
        }
    }
}

/// Runs `rounds` rounds; in each, every contender runs `iterations` times, starting with a
/// different contender each round.
pub fn alternate(
    rounds: usize,
    iterations: usize,
    contenders: &mut [(&'static str, &mut dyn FnMut())],
) -> Timings {
    let count = contenders.len();
    let mut seconds = vec![Vec::with_capacity(rounds); count];
    for round in 0..rounds {
        for offset in 0..count {
            let index = (round + offset) % count;
            let run = &mut contenders[index].1;
            let start = Instant::now();
            for _ in 0..iterations {
                run();
            }
            seconds[index].push(start.elapsed().as_secs_f64() / iterations as f64);
        }
    }
    Timings {
        names: contenders.iter().map(|(name, _)| *name).collect(),
        seconds,
    }
}

/// A ratio with its interquartile range over rounds.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} ({:.3}–{:.3})", self.median, self.low, self.high)
    }
}

pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// Linear interpolation between the closest ranks.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    assert!(!values.is_empty(), "no measurements");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

/// Seconds in the unit that keeps three significant digits readable.
pub fn duration(seconds: f64) -> String {
    let d = Duration::from_secs_f64(seconds.max(0.0));
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", seconds)
    } else if d >= Duration::from_millis(1) {
        format!("{:.2} ms", seconds * 1e3)
    } else if d >= Duration::from_micros(1) {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.0} ns", seconds * 1e9)
    }
}

pub fn bytes(count: usize) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if count as f64 >= MIB {
        format!("{:.1} MiB", count as f64 / MIB)
    } else {
        format!("{:.1} KiB", count as f64 / 1024.0)
    }
}

/// A Markdown table.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(cells.len(), self.header.len(), "a row per column");
        self.rows.push(cells);
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |cells: &[String]| {
            let mut out = String::from("|");
            for cell in cells {
                let _ = write!(out, " {cell} |");
            }
            out
        };
        writeln!(f, "{}", line(&self.header))?;
        writeln!(f, "|{}", "---|".repeat(self.header.len()))?;
        for row in &self.rows {
            writeln!(f, "{}", line(row))?;
        }
        Ok(())
    }
}

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting live heap bytes and their peak. A benchmark installs it
/// with `#[global_allocator]` to use [`peak_heap`].
pub struct CountingAllocator;

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        moved
    }
}

/// Runs `f` and returns its result with the most heap it held at once: the peak of live
/// bytes above those live when it started. Needs [`CountingAllocator`] installed.
pub fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Relaxed);
    let probe = black_box(Box::new(0u64));
    assert_ne!(
        LIVE.load(Relaxed),
        before,
        "peak_heap needs `#[global_allocator] static A: CountingAllocator`"
    );
    drop(probe);
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    let result = f();
    let peak = PEAK.load(Relaxed);
    (result, peak.saturating_sub(start))
}

/// An HTTP/1.1 server on 127.0.0.1 that answers every request on every connection with the
/// same `200` JSON body, keeping connections open, as GitHub does. Each connection has a
/// thread; the server stops accepting when dropped, and a connection's thread ends when its
/// client hangs up.
pub struct KeepAliveServer {
    pub base_url: String,
    stop: Arc<AtomicBool>,
    address: SocketAddr,
}

impl KeepAliveServer {
    pub fn start(body: Vec<u8>) -> KeepAliveServer {
        KeepAliveServer::answering("200 OK", "application/json; charset=utf-8", body)
    }

    /// A server that answers `status` (e.g. `500 Internal Server Error`) with `body`.
    pub fn answering(status: &str, content_type: &str, body: Vec<u8>) -> KeepAliveServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let address = listener.local_addr().expect("local address");
        let mut reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n\
             x-ratelimit-limit: 5000\r\nx-ratelimit-remaining: 4999\r\n\
             x-ratelimit-reset: 1700000000\r\nx-ratelimit-used: 1\r\n\
             x-ratelimit-resource: core\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        reply.extend_from_slice(&body);
        let reply = Arc::new(reply);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            for connection in listener.incoming() {
                if stopped.load(Relaxed) {
                    break;
                }
                let Ok(connection) = connection else {
                    continue;
                };
                let reply = Arc::clone(&reply);
                thread::spawn(move || serve(connection, &reply));
            }
        });
        KeepAliveServer {
            base_url: format!("http://{address}"),
            stop,
            address,
        }
    }
}

impl Drop for KeepAliveServer {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        // Wakes the accepting thread so that it sees `stop`.
        let _ = TcpStream::connect(self.address);
    }
}

/// Answers each request head (requests here have no body) until the client hangs up.
fn serve(connection: TcpStream, reply: &[u8]) {
    let _ = connection.set_nodelay(true);
    let mut reader = BufReader::new(&connection);
    let mut writer = &connection;
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" => {
                if writer.write_all(reply).is_err() {
                    return;
                }
            }
            Ok(_) => {}
        }
    }
}

// The client benchmarks' shared parts: their data, and the same request by hand and by
// the generated client.

/// 100 package versions cycled from the documented examples of GitHub's description, each
/// with its own id and name so that no two items are the same.
pub fn page_of_versions() -> Vec<u8> {
    let document =
        crate::read_document(crate::reference_dir().join("github-openapi/packages.yaml"));
    let examples: Vec<Value> = [
        "package-versions-for-org",
        "package-versions-for-user",
        "package-versions-for-authenticated-user",
    ]
    .iter()
    .flat_map(|name| {
        document["components"]["examples"][*name]["value"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("example {name} is a list"))
    })
    .collect();
    let page: Vec<Value> = (0..100)
        .map(|i| {
            let mut item = examples[i % examples.len()].clone();
            item["id"] = Value::from(1_000_000 + i);
            item["name"] = Value::from(format!("sha256:{i:064x}"));
            item
        })
        .collect();
    serde_json::to_vec(&page).expect("serializable")
}

pub const TOKEN: &str = "ghp_bench_token";
pub const USER_AGENT: &str = "github-packages-bench";
pub const API_VERSION: &str = "2022-11-28";

/// The same request by hand: URL by `format!`, the client's four headers, one body read.
pub async fn bare_get<T: serde::de::DeserializeOwned>(
    http: &github_packages::reqwest::Client,
    url: String,
) -> T {
    let response = http
        .get(url)
        .header(
            github_packages::reqwest::header::ACCEPT,
            github_packages::ACCEPT_GITHUB_JSON,
        )
        .header(github_packages::reqwest::header::USER_AGENT, USER_AGENT)
        .header("x-github-api-version", API_VERSION)
        .header(
            github_packages::reqwest::header::AUTHORIZATION,
            format!("Bearer {TOKEN}"),
        )
        .send()
        .await
        .expect("loopback answers");
    assert!(response.status().is_success());
    let body = response.bytes().await.expect("whole body");
    serde_json::from_slice(&body).expect("decodes")
}

pub fn client(base_url: &str, http: &github_packages::reqwest::Client) -> github_packages::Client {
    github_packages::Client::builder()
        .base_url(base_url)
        .token(TOKEN)
        .user_agent(USER_AGENT)
        .api_version(API_VERSION)
        .http_client(http.clone())
        .build()
        .expect("valid client")
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `(path, method)` of every operation, in document order.
pub fn operations(document: &Value) -> Vec<(String, String)> {
    let Some(paths) = document.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (path.clone(), (*method).to_owned()))
        })
        .collect()
}

/// A valid document with about `fraction` of `document`'s operations, drawn in a fixed
/// pseudo-random order so that every part of the API is represented and smaller subsets
/// are contained in larger ones. See [`with_operations`] for what else is kept.
pub fn subset(document: &Value, fraction: f64) -> Value {
    let mut all = operations(document);
    all.sort_by_key(|(path, method)| fnv1a(format!("{method} {path}").as_bytes()));
    let keep = ((all.len() as f64 * fraction).round() as usize).clamp(1, all.len().max(1));
    all.truncate(keep);
    with_operations(document, &all)
}

/// `document` with only the operations `keep` lists (`(path, method)`, as [`operations`]
/// gives them) and the components they reach, directly or through other components, so
/// that the result is what a smaller API would look like. Extensions outside `paths` and
/// `components` (`x-webhooks`) are dropped.
pub fn with_operations(document: &Value, keep: &[(String, String)]) -> Value {
    let mut paths = Map::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        let mut kept = item.clone();
        let Some(kept_item) = kept.as_object_mut() else {
            continue;
        };
        kept_item.retain(|key, _| {
            !METHODS.contains(&key.as_str()) || keep.iter().any(|(p, m)| p == path && m == key)
        });
        if METHODS.iter().any(|m| kept_item.contains_key(*m)) {
            paths.insert(path.clone(), kept);
        }
    }

    // Follow `$ref`s from the kept paths until no new component turns up.
    let mut reached = BTreeSet::new();
    let mut pending = Vec::new();
    collect_refs(&Value::Object(paths.clone()), &mut pending);
    while let Some(reference) = pending.pop() {
        if reached.insert(reference.clone()) {
            if let Some(target) = document.pointer(&reference) {
                collect_refs(target, &mut pending);
            }
        }
    }
    let mut components = Map::new();
    for (kind, entries) in document["components"].as_object().into_iter().flatten() {
        let Some(entries) = entries.as_object() else {
            continue;
        };
        let kept: Map<String, Value> = entries
            .iter()
            .filter(|(name, _)| {
                kind == "securitySchemes"
                    || reached.contains(&format!("/components/{kind}/{}", escape_pointer(name)))
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        if !kept.is_empty() {
            components.insert(kind.clone(), Value::Object(kept));
        }
    }

    let mut out = Map::new();
    for (key, value) in document.as_object().into_iter().flatten() {
        match key.as_str() {
            "paths" => {
                out.insert(key.clone(), Value::Object(paths.clone()));
            }
            "components" => {
                out.insert(key.clone(), Value::Object(components.clone()));
            }
            _ if key.starts_with("x-") => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// Local `$ref`s under `value`, as JSON pointers without the leading `#`.
fn collect_refs(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                if let Some(pointer) = reference.strip_prefix('#') {
                    into.push(pointer.to_owned());
                }
            }
            map.values().for_each(|v| collect_refs(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

fn escape_pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let values = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(median(&values), 2.5);
        assert_eq!(quantile(&values, 0.0), 1.0);
        assert_eq!(quantile(&values, 1.0), 4.0);
        assert_eq!(quantile(&values, 0.25), 1.75);
    }

    #[test]
    fn ratios_pair_rounds() {
        // Round 2 is slow for both: the per-round ratio stays 2.
        let timings = Timings {
            names: vec!["a", "b"],
            seconds: vec![vec![2.0, 20.0, 2.0], vec![1.0, 10.0, 1.0]],
        };
        let ratio = timings.ratio(0, 1);
        assert_eq!((ratio.median, ratio.low, ratio.high), (2.0, 2.0, 2.0));
        assert_eq!(timings.median(0), 2.0);
    }

    #[test]
    fn alternation_rotates_the_order() {
        let order = std::cell::RefCell::new(Vec::new());
        let mut a = || order.borrow_mut().push('a');
        let mut b = || order.borrow_mut().push('b');
        let timings = alternate(2, 1, &mut [("a", &mut a), ("b", &mut b)]);
        assert_eq!(*order.borrow(), ['a', 'b', 'b', 'a']);
        assert_eq!(timings.seconds[0].len(), 2);
    }

    #[test]
    fn units() {
        assert_eq!(duration(1.5), "1.50 s");
        assert_eq!(duration(0.0123), "12.30 ms");
        assert_eq!(duration(0.000_004_5), "4.50 µs");
        assert_eq!(duration(0.000_000_25), "250 ns");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn tables_are_markdown() {
        let mut table = Table::new(&["x", "y"]);
        table.row(vec!["1".into(), "2".into()]);
        assert_eq!(table.to_string(), "| x | y |\n|---|---|\n| 1 | 2 |\n");
    }

    #[test]
    fn subsets_keep_what_their_operations_reach() {
        let document = serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"parameters": [], "get": {"responses": {"200": {"$ref": "#/components/responses/a"}}}},
                "/b": {"get": {"responses": {}}, "post": {"responses": {}}},
                "/c": {"delete": {"responses": {}}}
            },
            "components": {
                "responses": {"a": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/x~1y"}}}}},
                "schemas": {"x/y": {"$ref": "#/components/schemas/z"}, "z": {}, "unused": {}},
                "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}
            },
            "x-webhooks": {}
        });
        assert_eq!(operations(&document).len(), 4);
        let all = subset(&document, 1.0);
        assert_eq!(operations(&all).len(), 4);
        let schemas = all["components"]["schemas"].as_object().unwrap();
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["x/y", "z"]);
        assert!(all["components"]["securitySchemes"]["token"].is_object());
        assert!(all.get("x-webhooks").is_none());
        assert!(all["paths"]["/a"].get("parameters").is_some());

        let half = subset(&document, 0.5);
        assert_eq!(operations(&half).len(), 2);
        let quarter = subset(&document, 0.25);
        assert_eq!(operations(&quarter).len(), 1);
        // Smaller subsets are contained in larger ones.
        for (path, method) in operations(&quarter) {
            assert!(
                half["paths"][&path].get(&method).is_some(),
                "{method} {path}"
            );
        }
        // No path is left without operations.
        for item in half["paths"].as_object().unwrap().values() {
            assert!(METHODS.iter().any(|m| item.get(*m).is_some()));
        }
    }
}
