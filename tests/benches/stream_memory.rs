//! Peak heap of a streamed answer by its length: the crate generated from
//! `tests/specs/openapi32/streams.32.yaml` reads 1,000, 100,000 and 1,000,000 server-sent
//! events from a loopback server (`tests/nested/stream_peak.rs`, run as an example of that crate), beside
//! bare reqwest reading the same bodies whole. A stream's memory is bounded per event, so its
//! peak over 100,000 events must stay within twice its peak over 1,000; the benchmark fails
//! otherwise. Prints Markdown for `BENCHMARKS.md`.
//!
//! `cargo bench -p tests --bench stream_memory` (a release build of the generated crate);
//! `cargo test` runs it once in a debug build on 100, 10,000 and 20,000 events.

use tests::bench::{self, Mode, Table};
use tests::nested::NestedCrate;
use tests::{read, workspace_root};

/// How much more heap the longer stream may take than the shorter.
const MOST_GROWTH: f64 = 2.0;

fn main() {
    let mode = Mode::from_args(3);
    // A million more shows where the peak levels off.
    let (short, long, longest) = if mode.full {
        (1_000, 100_000, 1_000_000)
    } else {
        (100, 10_000, 20_000)
    };
    let path = "tests/specs/openapi32/streams.32.yaml";
    let generated = NestedCrate::generate(&workspace_root().join(path), path, "streams", None);
    let examples = generated.dir.join("examples");
    std::fs::create_dir_all(&examples).expect("examples directory");
    std::fs::write(
        examples.join("peak.rs"),
        read(workspace_root().join("tests/nested/stream_peak.rs")),
    )
    .expect("example written");
    let mut args = vec!["run", "--quiet", "--example", "peak"];
    if mode.full {
        args.push("--release");
    }
    let counts = [short, long, longest].map(|count| count.to_string());
    args.push("--");
    args.extend(counts.iter().map(String::as_str));
    let mut peaks: Vec<(String, usize, Vec<f64>, usize)> = Vec::new();
    for _ in 0..mode.rounds {
        let printed = generated.cargo(&args);
        for line in printed.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let ["client" | "whole", "events", count, "peak", peak, "body", body] = words[..]
            else {
                continue;
            };
            let (count, peak, body): (usize, f64, usize) = (
                count.parse().expect("a count"),
                peak.parse().expect("a peak"),
                body.parse().expect("a length"),
            );
            match peaks
                .iter_mut()
                .find(|(who, n, _, _)| who == words[0] && *n == count)
            {
                Some((_, _, found, _)) => found.push(peak),
                None => peaks.push((words[0].to_owned(), count, vec![peak], body)),
            }
        }
    }
    let median = |who: &str, count: usize| {
        let (_, _, found, _) = peaks
            .iter()
            .find(|(w, n, _, _)| w == who && *n == count)
            .unwrap_or_else(|| panic!("no `{who}` peak for {count} events"));
        bench::median(found)
    };
    let mut table = Table::new(&[
        "events",
        "body",
        "streamed: peak heap (median)",
        "whole body (bare reqwest): peak heap (median)",
        "streamed / streamed over the fewer events",
    ]);
    for &(ref who, count, _, body) in &peaks {
        if who != "client" {
            continue;
        }
        table.row(vec![
            count.to_string(),
            bench::bytes(body),
            bench::bytes(median("client", count) as usize),
            bench::bytes(median("whole", count) as usize),
            format!("{:.3}", median("client", count) / median("client", short)),
        ]);
    }
    println!("{table}");
    let growth = median("client", long) / median("client", short);
    println!(
        "streaming {long} events takes {growth:.2}x the peak heap of {short} (at most {MOST_GROWTH}x)"
    );
    if growth > MOST_GROWTH {
        eprintln!("error: a stream's memory grows with its length");
        std::process::exit(1);
    }
}
