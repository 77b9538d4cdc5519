//! The generator's cost by stage (`load`, `lower`, `emit`, `format`) on the packages
//! fragment, on GitHub's whole description, and on subsets of about 10%, 25%, 50% and 100%
//! of its operations; time and peak heap. Prints Markdown for `BENCHMARKS.md`.
//!
//! `cargo bench -p tests --bench generation` (`BENCH_ROUNDS=n` for more rounds).
//!
//! The baseline, measured in the same rounds, is parsing the same text into an untyped
//! `serde_json::Value` (`serde_yaml` for YAML): what any tool must pay to read the input.

use codegen::emit::Emitter;
use codegen::pipeline::{emit_tokens, format_tokens, package, surface_file};
use codegen::profile::{self, Applied};
use codegen::{load, lower, Config, Profile};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tests::bench::{self, CountingAllocator, Mode, Table};

#[global_allocator]
static HEAP: CountingAllocator = CountingAllocator;

const STAGES: [&str; 4] = ["load", "lower", "emit", "format"];

struct Input {
    name: String,
    spec_name: String,
    text: String,
    operations: usize,
    guide: Option<String>,
}

impl Input {
    fn config(&self) -> Config {
        Config {
            crate_name: "bench-client".to_owned(),
            crate_version: "0.1.0".to_owned(),
            spec_name: self.spec_name.clone(),
            guide: self.guide.clone(),
            profile: Some(Profile::Github),
            tag_features: true,
            generator_command: "cargo xtask generate".to_owned(),
        }
    }

    fn is_yaml(&self) -> bool {
        self.spec_name.ends_with(".yaml")
    }

    /// The baseline: the text as an untyped value.
    fn parse_untyped(&self) {
        if self.is_yaml() {
            black_box(serde_yaml::from_str::<serde_yaml::Value>(&self.text).expect("valid YAML"));
        } else {
            black_box(serde_json::from_str::<serde_json::Value>(&self.text).expect("valid JSON"));
        }
    }

    /// One run of the whole pipeline as `codegen::generate` runs it; seconds per stage, each
    /// including the freeing of its input.
    fn run_timed(&self, config: &Config) -> [f64; 4] {
        let start = Instant::now();
        let spec = load(&self.text, &self.spec_name)
            .expect("the input loads")
            .spec;
        let loaded = Instant::now();
        let (api, applied) = lower_with_profile(&spec, &self.spec_name);
        drop(spec);
        let lowered = Instant::now();
        let emitted = emit_tokens(&Emitter::new(&api, &applied, package(config)));
        let (_, surface) = surface_file(&api, &applied, &package(config));
        drop(api);
        let emitted_at = Instant::now();
        let mut files = format_tokens(emitted, &self.spec_name).expect("the output formats");
        files.push(surface);
        let formatted = Instant::now();
        black_box(files);
        [
            (loaded - start).as_secs_f64(),
            (lowered - loaded).as_secs_f64(),
            (emitted_at - lowered).as_secs_f64(),
            (formatted - emitted_at).as_secs_f64(),
        ]
    }

    /// Peak heap of each stage above what was live when it began (its input included in
    /// that), and of [`codegen::generate`], which frees each stage's input once it is used.
    fn peak_heap(&self, config: &Config) -> ([usize; 4], usize) {
        let (spec, load_peak) =
            bench::peak_heap(|| load(&self.text, &self.spec_name).expect("loads").spec);
        let ((api, applied), lower_peak) =
            bench::peak_heap(|| lower_with_profile(&spec, &self.spec_name));
        drop(spec);
        let ((emitted, surface), emit_peak) = bench::peak_heap(|| {
            let emitted = emit_tokens(&Emitter::new(&api, &applied, package(config)));
            (emitted, surface_file(&api, &applied, &package(config)).1)
        });
        drop(api);
        let (files, format_peak) = bench::peak_heap(|| {
            let mut files = format_tokens(emitted, &self.spec_name).expect("formats");
            files.push(surface);
            files
        });
        drop(files);
        let (files, whole) =
            bench::peak_heap(|| codegen::generate(&self.text, config).expect("generates"));
        drop(files);
        ([load_peak, lower_peak, emit_peak, format_peak], whole)
    }
}

/// `lower`, then the GitHub profile's part of lowering, as `generate` runs them.
fn lower_with_profile(
    spec: &codegen::openapiv3::OpenAPI,
    spec_name: &str,
) -> (codegen::ir::Api, Applied) {
    let mut api = lower(spec, spec_name).expect("the input lowers").api;
    let applied = profile::apply(Profile::Github, "chosen".to_owned(), &mut api);
    (api, applied)
}

fn main() {
    let mode = Mode::from_args(15);
    let root = tests::workspace_root();
    let full_path = tests::reference_dir().join("github-openapi/api.github.com.json");
    let full_text = tests::read(&full_path);
    let full: serde_json::Value = serde_json::from_str(&full_text).expect("valid JSON");

    let packages_text = tests::read(root.join("spec/packages.yaml"));
    let packages_document: serde_json::Value =
        serde_yaml::from_str(&packages_text).expect("valid YAML");
    let mut inputs = vec![Input {
        name: "packages fragment".to_owned(),
        spec_name: "spec/packages.yaml".to_owned(),
        operations: bench::operations(&packages_document).len(),
        text: packages_text,
        guide: Some(tests::read(root.join("spec/guide.md"))),
    }];
    let fractions: &[f64] = if mode.full {
        &[0.10, 0.25, 0.50, 1.00]
    } else {
        &[0.10]
    };
    for &fraction in fractions {
        let document = bench::subset(&full, fraction);
        inputs.push(Input {
            name: format!("{:.0}% subset", fraction * 100.0),
            spec_name: format!("subset-{:.0}.json", fraction * 100.0),
            operations: bench::operations(&document).len(),
            text: serde_json::to_string(&document).expect("serializable"),
            guide: None,
        });
    }
    if mode.full {
        inputs.push(Input {
            name: "full description".to_owned(),
            spec_name: "api.github.com.json".to_owned(),
            operations: bench::operations(&full).len(),
            text: full_text,
            guide: None,
        });
    }
    drop(full);
    let configs: Vec<Config> = inputs.iter().map(Input::config).collect();

    if !mode.full {
        println!("(smoke test: one round of one iteration; `cargo bench` measures)\n");
    }

    // What is timed stage by stage must be what `generate` does.
    for (input, config) in inputs.iter().zip(&configs) {
        let spec = load(&input.text, &input.spec_name).expect("loads").spec;
        let (api, applied) = lower_with_profile(&spec, &input.spec_name);
        let emitted = emit_tokens(&Emitter::new(&api, &applied, package(config)));
        let mut staged = format_tokens(emitted, &input.spec_name).expect("formats");
        staged.push(surface_file(&api, &applied, &package(config)).1);
        let whole = codegen::generate(&input.text, config)
            .expect("generates")
            .files;
        assert!(
            staged == whole,
            "{}: the stages differ from `generate`",
            input.name
        );
    }

    // Small inputs run several times per round so that a round is long enough to time.
    let iterations: Vec<usize> = inputs
        .iter()
        .zip(&configs)
        .map(|(input, config)| {
            mode.iterations(Duration::from_millis(200), &mut || {
                black_box(input.run_timed(config));
            })
        })
        .collect();

    // stage_seconds[input][stage][round]; baseline_seconds[input][round]
    let mut stage_seconds = vec![vec![Vec::new(); STAGES.len()]; inputs.len()];
    let mut total_seconds = vec![Vec::new(); inputs.len()];
    let mut baseline_seconds = vec![Vec::new(); inputs.len()];
    for round in 0..mode.rounds {
        for offset in 0..inputs.len() {
            let index = (round + offset) % inputs.len();
            let (input, config, n) = (&inputs[index], &configs[index], iterations[index]);
            let mut sums = [0.0; 4];
            for _ in 0..n {
                for (sum, stage) in sums.iter_mut().zip(input.run_timed(config)) {
                    *sum += stage;
                }
            }
            let start = Instant::now();
            for _ in 0..n {
                input.parse_untyped();
            }
            baseline_seconds[index].push(start.elapsed().as_secs_f64() / n as f64);
            for (stage, sum) in sums.iter().enumerate() {
                stage_seconds[index][stage].push(sum / n as f64);
            }
            total_seconds[index].push(sums.iter().sum::<f64>() / n as f64);
        }
    }

    let mut time = Table::new(&[
        "input",
        "operations",
        "size",
        "load",
        "lower",
        "emit",
        "format",
        "total",
        "untyped parse",
        "total / parse",
    ]);
    let mut memory = Table::new(&[
        "input",
        "load",
        "lower",
        "emit",
        "format",
        "whole pipeline",
        "input text",
    ]);
    let mut totals = Vec::new();
    let mut peaks = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let stage_medians: Vec<String> = stage_seconds[index]
            .iter()
            .map(|s| bench::duration(bench::median(s)))
            .collect();
        let total = bench::median(&total_seconds[index]);
        let ratios: Vec<f64> = total_seconds[index]
            .iter()
            .zip(&baseline_seconds[index])
            .map(|(t, b)| t / b)
            .collect();
        let mut row = vec![
            input.name.clone(),
            input.operations.to_string(),
            bench::bytes(input.text.len()),
        ];
        row.extend(stage_medians);
        row.extend([
            bench::duration(total),
            bench::duration(bench::median(&baseline_seconds[index])),
            format!("{:.1}×", bench::median(&ratios)),
        ]);
        time.row(row);

        let (stages, whole) = input.peak_heap(&configs[index]);
        let mut row = vec![input.name.clone()];
        row.extend(stages.iter().map(|&b| bench::bytes(b)));
        row.extend([bench::bytes(whole), bench::bytes(input.text.len())]);
        memory.row(row);
        totals.push(total);
        peaks.push(whole);
    }

    println!(
        "### Generation by stage\n\nMedian of {} rounds; inputs interleaved within each round; \
         iterations per round: {:?}.\n\n{time}",
        mode.rounds, iterations
    );
    println!(
        "### Peak heap by stage\n\nThe most heap each stage held at once above what was live \
         when it began; \"whole pipeline\" is `codegen::generate`, which frees each stage's \
         input once the next stage has it.\n\n{memory}"
    );

    // Growth: how cost scales with the number of operations, against the smallest subset.
    let subsets: Vec<usize> = (0..inputs.len())
        .filter(|&i| inputs[i].name.ends_with("subset"))
        .collect();
    if let Some(&first) = subsets.first() {
        let mut growth = Table::new(&[
            "subset",
            "operations",
            "× operations",
            "× time",
            "× peak heap",
            "time per operation",
        ]);
        for &i in &subsets {
            let times: Vec<f64> = total_seconds[i]
                .iter()
                .zip(&total_seconds[first])
                .map(|(t, f)| t / f)
                .collect();
            growth.row(vec![
                inputs[i].name.clone(),
                inputs[i].operations.to_string(),
                format!(
                    "{:.2}",
                    inputs[i].operations as f64 / inputs[first].operations as f64
                ),
                format!("{:.2}", bench::median(&times)),
                format!("{:.2}", peaks[i] as f64 / peaks[first] as f64),
                bench::duration(totals[i] / inputs[i].operations as f64),
            ]);
        }
        println!(
            "### Growth with size\n\nRatios against the {} (same rounds). Growth no worse \
             than linear means \"× time\" at most \"× operations\".\n\n{growth}",
            inputs[first].name
        );
    }

    let target = |name: &str, value: String, limit: &str, met: bool| {
        println!(
            "- {name}: {value} (target {limit}): {}",
            if met { "met" } else { "NOT MET" }
        );
    };
    println!("### Targets\n");
    target(
        "packages fragment end to end",
        bench::duration(totals[0]),
        "< 50 ms",
        totals[0] < 0.050,
    );
    if let Some(full) = inputs.iter().position(|i| i.name == "full description") {
        target(
            "full description end to end",
            bench::duration(totals[full]),
            "< 1.5 s",
            totals[full] < 1.5,
        );
        target(
            "full description peak heap",
            bench::bytes(peaks[full]),
            "< 500 MB",
            peaks[full] < 500_000_000,
        );
    }
}
