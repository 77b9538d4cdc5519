//! The retention job: for each package, list every version, decide with the policy, check
//! the decision against the registry, print the plan, and carry it out (or not, in a dry run).

use crate::progress::Progress;
use crate::proof::{Freshness, Objection, Pending, Proof, Prover};
use crate::registry::{Digest, ReadCounts, Registry};
use crate::retention::{self, hold_back, select, Action, Entry, Outcome, Reason, RetentionPolicy};
use futures_util::TryStreamExt;
use github_packages::chrono::{DateTime, SecondsFormat, Utc};
use github_packages::{
    ApiErrorKind, Client, Error, Owner, OwnerClient, OwnerGetAllPackageVersionsForPackageParams,
    OwnerListPackagesParams, PackageType, PackageVersion, State,
};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

/// Manifest reads in flight at once, per package.
const REGISTRY_CONCURRENCY: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table per package as it is planned, and a summary at the end.
    Table,
    /// One JSON document at the end.
    Json,
}

/// What to prune, and how.
#[derive(Debug, Clone)]
pub struct PruneJob {
    pub owner: Owner,
    pub package_type: PackageType,
    /// Package names, or patterns with `*` and `?` matched against the owner's packages.
    pub packages: Vec<String>,
    pub policy: RetentionPolicy,
    /// Without it, a dry run: the plan is printed and nothing is deleted.
    pub execute: bool,
    /// At most this many deletions in the run (tagged versions first, then untagged ones,
    /// oldest first); the rest are left for the next run.
    pub max_deletions: Option<usize>,
    pub format: Format,
    /// How old a registry proof may be when a delete relies on it.
    pub freshness: Freshness,
}

/// One package of a run.
#[derive(Debug, Clone, Default)]
pub struct PackageReport {
    pub package: String,
    /// Where its manifests were read: `owner/name` in the registry.
    pub repository: Option<String>,
    /// Every version, newest first, with the decision and, once carried out, the outcome.
    pub entries: Vec<Entry>,
    /// What the registry was asked, for container packages.
    pub registry: Option<RegistryUse>,
    /// Why the package's deletions were held back (fail closed), when they were.
    pub held_back: Vec<String>,
    /// Where GitHub's listing and the registry disagree; never a reason to delete.
    pub notes: Vec<String>,
    /// Why the package could not be planned at all.
    pub error: Option<String>,
}

/// What the registry checks of one package cost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegistryUse {
    /// Tags in the registry when the plan was made.
    pub tags: usize,
    /// Proofs taken: the plan's, and one before each run of deletes.
    pub proofs: usize,
    pub reads_for_plan: ReadCounts,
    pub reads_before_deletes: ReadCounts,
}

/// Everything a run did, package by package.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub execute: bool,
    pub packages: Vec<PackageReport>,
}

/// How many versions ended how.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub kept: usize,
    pub deleted: usize,
    pub would_delete: usize,
    pub already_gone: usize,
    pub deferred: usize,
    pub spared: usize,
    pub refused: usize,
    pub failed: usize,
    pub not_attempted: usize,
    pub held_back: usize,
}

impl Counts {
    fn of(entries: &[Entry]) -> Counts {
        let mut counts = Counts::default();
        for entry in entries {
            match (&entry.action, &entry.outcome) {
                (Action::Keep, _) => counts.kept += 1,
                (Action::HeldBack, _) => counts.held_back += 1,
                (Action::Delete, None) => counts.not_attempted += 1,
                (Action::Delete, Some(outcome)) => match outcome {
                    Outcome::Deleted => counts.deleted += 1,
                    Outcome::WouldDelete => counts.would_delete += 1,
                    Outcome::AlreadyGone => counts.already_gone += 1,
                    Outcome::Deferred => counts.deferred += 1,
                    Outcome::Spared(_) => counts.spared += 1,
                    Outcome::Refused(_) => counts.refused += 1,
                    Outcome::Failed(_) => counts.failed += 1,
                    Outcome::NotAttempted(_) => counts.not_attempted += 1,
                },
            }
        }
        counts
    }

    fn add(&mut self, other: Counts) {
        self.kept += other.kept;
        self.deleted += other.deleted;
        self.would_delete += other.would_delete;
        self.already_gone += other.already_gone;
        self.deferred += other.deferred;
        self.spared += other.spared;
        self.refused += other.refused;
        self.failed += other.failed;
        self.not_attempted += other.not_attempted;
        self.held_back += other.held_back;
    }

    /// `3 deleted, 1 failed`: the non-zero counts.
    fn describe(&self) -> String {
        let parts = [
            (self.deleted, "deleted"),
            (self.would_delete, "to delete"),
            (self.already_gone, "already gone"),
            (self.deferred, "deferred to the next run"),
            (self.spared, "spared (tags changed)"),
            (self.refused, "refused"),
            (self.failed, "failed"),
            (self.not_attempted, "not attempted"),
            (self.held_back, "held back"),
            (self.kept, "kept"),
        ];
        let text: Vec<String> = parts
            .iter()
            .filter(|(count, _)| *count > 0)
            .map(|(count, what)| format!("{count} {what}"))
            .collect();
        if text.is_empty() {
            "no versions".into()
        } else {
            text.join(", ")
        }
    }
}

impl PackageReport {
    pub fn counts(&self) -> Counts {
        Counts::of(&self.entries)
    }

    /// Whether everything the plan deletes was deleted (or is deferred, or was spared).
    pub fn succeeded(&self) -> bool {
        let counts = self.counts();
        self.error.is_none()
            && self.held_back.is_empty()
            && counts.refused + counts.failed + counts.not_attempted == 0
    }
}

impl RunReport {
    pub fn succeeded(&self) -> bool {
        self.packages.iter().all(PackageReport::succeeded)
    }

    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for package in &self.packages {
            counts.add(package.counts());
        }
        counts
    }

    /// What was and was not deleted, package by package; every version that should have
    /// gone and did not is named.
    pub fn write_summary(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mode = if self.execute {
            ""
        } else {
            " (dry run: nothing was deleted; pass --execute to delete)"
        };
        writeln!(out, "summary{mode}: {}", self.counts().describe())?;
        for package in &self.packages {
            if let Some(error) = &package.error {
                writeln!(out, "  {}: not pruned: {error}", package.package)?;
                continue;
            }
            writeln!(
                out,
                "  {}: {}",
                package.package,
                package.counts().describe()
            )?;
            for why in &package.held_back {
                writeln!(out, "    nothing deleted: {why}")?;
            }
            if let Some(registry) = package.registry.as_ref().filter(|_| self.execute) {
                writeln!(
                    out,
                    "    registry: {} proofs; {} reads for the plan, {} before deletes",
                    registry.proofs,
                    registry.reads_for_plan.total(),
                    registry.reads_before_deletes.total()
                )?;
            }
            for entry in &package.entries {
                if let Some(outcome) = entry
                    .outcome
                    .as_ref()
                    .filter(|o| o.is_failure() || matches!(o, Outcome::Spared(_)))
                {
                    writeln!(
                        out,
                        "    not deleted: {} {}: {outcome}",
                        entry.id,
                        entry.label()
                    )?;
                }
            }
        }
        if !self.succeeded() {
            writeln!(
                out,
                "some versions that should have been deleted were not (see above)"
            )?;
        }
        Ok(())
    }

    /// The whole run as one JSON document, written as it is serialized: a run of 100,000
    /// versions is not built as a tree in memory first.
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let document = RunJson {
            dry_run: !self.execute,
            succeeded: self.succeeded(),
            summary: self.counts(),
            packages: PackagesJson(&self.packages),
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    }
}

#[derive(Serialize)]
struct RunJson<'a> {
    dry_run: bool,
    succeeded: bool,
    summary: Counts,
    packages: PackagesJson<'a>,
}

struct PackagesJson<'a>(&'a [PackageReport]);

impl Serialize for PackagesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|package| PackageJson {
            package: &package.package,
            repository: package.repository.as_deref(),
            error: package.error.as_deref(),
            held_back: &package.held_back,
            notes: &package.notes,
            registry: package.registry.as_ref(),
            summary: package.counts(),
            versions: VersionsJson(&package.entries),
        }))
    }
}

#[derive(Serialize)]
struct PackageJson<'a> {
    package: &'a str,
    repository: Option<&'a str>,
    error: Option<&'a str>,
    held_back: &'a [String],
    notes: &'a [String],
    registry: Option<&'a RegistryUse>,
    summary: Counts,
    versions: VersionsJson<'a>,
}

struct VersionsJson<'a>(&'a [Entry]);

impl Serialize for VersionsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(VersionJson::of))
    }
}

#[derive(Serialize)]
struct VersionJson<'a> {
    id: i64,
    name: &'a str,
    tags: &'a [String],
    created_at: String,
    action: &'static str,
    rule: &'static str,
    reason: String,
    /// For a version the registry's tags need: which image, and through what.
    needed_by: Option<NeededByJson<'a>>,
    outcome: Option<&'static str>,
    outcome_detail: Option<&'a str>,
}

#[derive(Serialize)]
struct NeededByJson<'a> {
    /// `tag latest`, or `kept version 12 sha256:…`.
    root: &'a str,
    image: &'a str,
    /// `tag` (it is the image), `child`, `attestation`, `signature`, `referrer`.
    through: &'static str,
    parent: Option<&'a str>,
}

impl<'a> VersionJson<'a> {
    fn of(entry: &'a Entry) -> VersionJson<'a> {
        let (outcome, outcome_detail) = match &entry.outcome {
            None => (None, None),
            Some(Outcome::Deleted) => (Some("deleted"), None),
            Some(Outcome::WouldDelete) => (Some("would-delete"), None),
            Some(Outcome::AlreadyGone) => (Some("already-gone"), None),
            Some(Outcome::Deferred) => (Some("deferred"), None),
            Some(Outcome::Spared(why)) => (Some("spared"), Some(why.as_str())),
            Some(Outcome::Refused(why)) => (Some("refused"), Some(why.as_str())),
            Some(Outcome::Failed(why)) => (Some("failed"), Some(why.as_str())),
            Some(Outcome::NotAttempted(why)) => (Some("not-attempted"), Some(why.as_str())),
        };
        VersionJson {
            id: entry.id,
            name: &entry.name,
            tags: &entry.tags,
            created_at: entry.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            action: entry.action.as_str(),
            rule: entry.reason.rule(),
            reason: entry.reason.to_string(),
            needed_by: match &entry.reason {
                Reason::Registry(Objection::Needed(need)) => Some(NeededByJson {
                    root: &need.root,
                    image: need.root_digest.as_str(),
                    through: need.kind,
                    parent: need.parent.as_ref().map(Digest::as_str),
                }),
                _ => None,
            },
            outcome,
            outcome_detail,
        }
    }
}

/// The plan of one package as a table: every version, newest first.
pub fn write_plan(package: &PackageReport, out: &mut dyn Write) -> std::io::Result<()> {
    let counts = package.counts();
    let read = match (&package.repository, &package.registry) {
        (Some(repository), Some(registry)) => format!(
            "; {} tags and {} manifests read from {repository}",
            registry.tags, registry.reads_for_plan.manifests
        ),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}: {} versions{read}",
        package.package,
        package.entries.len()
    )?;
    for why in &package.held_back {
        writeln!(
            out,
            "  HELD BACK, nothing of this package will be deleted: {why}"
        )?;
    }
    for note in &package.notes {
        writeln!(out, "  note: {note}")?;
    }
    let to_delete = package
        .entries
        .iter()
        .filter(|e| e.action == Action::Delete)
        .count();
    writeln!(
        out,
        "  {to_delete} to delete, {} kept{}",
        counts.kept,
        if counts.held_back > 0 {
            format!(", {} held back", counts.held_back)
        } else {
            String::new()
        }
    )?;
    let rows: Vec<[String; 5]> = package
        .entries
        .iter()
        .map(|entry| {
            [
                entry.action.as_str().to_owned(),
                entry.id.to_string(),
                entry.created_at.format("%Y-%m-%d").to_string(),
                entry.label(),
                entry.reason.to_string(),
            ]
        })
        .collect();
    let header = ["ACTION", "ID", "CREATED", "VERSION", "REASON"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line = format!(
            "  {:<w0$}  {:>w1$}  {:<w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Runs the job: plans, prints and carries out each package in turn, so that the plan a
/// deletion follows is as fresh as it can be. Every failure is in the report, none stops
/// the other packages; `out` gets the plans and the summary (or the JSON document).
pub async fn prune(
    client: &Client,
    registry: Option<&Registry>,
    job: &PruneJob,
    now: DateTime<Utc>,
    out: &mut dyn Write,
    progress: &mut Progress,
) -> std::io::Result<RunReport> {
    let mut report = RunReport {
        execute: job.execute,
        packages: Vec::new(),
    };
    let owned = client.owner(&job.owner);
    let mut deletions_left = job.max_deletions;
    for target in resolve_packages(owned, job).await {
        let name = match target {
            Ok(name) => name,
            Err(failed) => {
                progress.line(&format!(
                    "{}: {}",
                    failed.package,
                    failed.error.as_deref().unwrap_or_default()
                ));
                report.packages.push(failed);
                continue;
            }
        };
        let (mut package, mut checks) =
            plan_package(owned, registry, job, &name, now, progress).await;
        if job.format == Format::Table {
            if package.error.is_none() {
                write_plan(&package, out)?;
            } else {
                writeln!(
                    out,
                    "{name}: {}",
                    package.error.as_deref().unwrap_or_default()
                )?;
            }
            out.flush()?;
        }
        if package.error.is_none() {
            carry_out(
                owned,
                job,
                &mut package,
                checks.as_mut(),
                &mut deletions_left,
                progress,
            )
            .await;
        }
        if let (Some(checks), Some(used)) = (&checks, package.registry.as_mut()) {
            let (for_plan, before_deletes) = checks.prover.reads();
            used.proofs = checks.prover.proofs();
            used.reads_for_plan = for_plan;
            used.reads_before_deletes = before_deletes;
        }
        report.packages.push(package);
    }
    progress.clear();
    match job.format {
        Format::Table => report.write_summary(out)?,
        Format::Json => report.write_json(out)?,
    }
    out.flush()?;
    Ok(report)
}

/// The packages named, with patterns matched against the owner's packages of the type; a
/// pattern that matches nothing is an error (a misspelt pattern must not pass as "nothing to
/// do").
async fn resolve_packages(
    owned: OwnerClient<'_>,
    job: &PruneJob,
) -> Vec<Result<String, PackageReport>> {
    let failed = |package: &str, error: String| PackageReport {
        package: package.to_owned(),
        error: Some(error),
        ..PackageReport::default()
    };
    let mut listed: Option<Result<Vec<String>, String>> = None;
    let mut resolved: Vec<Result<String, PackageReport>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for pattern in &job.packages {
        if !retention::is_glob(pattern) {
            if seen.insert(pattern.clone()) {
                resolved.push(Ok(pattern.clone()));
            }
            continue;
        }
        if listed.is_none() {
            let params = OwnerListPackagesParams::default().per_page(100);
            let names = owned
                .list_packages_stream(job.package_type.clone(), &params)
                .map_ok(|package| package.name)
                .try_collect()
                .await
                .map_err(|error: Error| format!("listing the packages failed: {error}"));
            listed = Some(names);
        }
        match listed.as_ref() {
            Some(Ok(names)) => {
                let matching: Vec<&String> = names
                    .iter()
                    .filter(|name| retention::glob_matches(pattern, name))
                    .collect();
                if matching.is_empty() {
                    let error = format!(
                        "no {} package matches `{pattern}`",
                        job.package_type.as_str()
                    );
                    resolved.push(Err(failed(pattern, error)));
                }
                for name in matching {
                    if seen.insert(name.clone()) {
                        resolved.push(Ok(name.clone()));
                    }
                }
            }
            Some(Err(error)) => resolved.push(Err(failed(pattern, error.clone()))),
            None => {}
        }
    }
    resolved
}

/// The registry side of a container package's run: the prover, which keeps what it has read,
/// and the versions the policy keeps, which are roots of every proof.
struct RegistryChecks<'r> {
    prover: Prover<'r>,
    kept: Vec<(Digest, String)>,
    /// The plan's proof, while it is fresh enough for the first deletes.
    proof: Option<Proof>,
}

async fn plan_package<'r>(
    owned: OwnerClient<'_>,
    registry: Option<&'r Registry>,
    job: &PruneJob,
    name: &str,
    now: DateTime<Utc>,
    progress: &mut Progress,
) -> (PackageReport, Option<RegistryChecks<'r>>) {
    let mut report = PackageReport {
        package: name.to_owned(),
        ..PackageReport::default()
    };
    let package = match owned.get_package(job.package_type.clone(), name).await {
        Ok(package) => package.into_body(),
        Err(error) => {
            report.error = Some(format!("cannot read the package: {error}"));
            return (report, None);
        }
    };
    let versions = match list_versions(owned, job, name, package.version_count, progress).await {
        Ok(versions) => versions,
        Err(error) => {
            report.error = Some(error);
            return (report, None);
        }
    };
    // The user route lists deleted versions too; `version_count` counts the others.
    let active = versions.iter().filter(|v| v.deleted_at.is_none()).count();
    if i64::try_from(active).ok() != Some(package.version_count) {
        report.notes.push(format!(
            "GitHub lists {active} versions but counts {}: the listing may have skipped some; \
             what the registry's tags need is kept all the same",
            package.version_count
        ));
    }
    report.entries = select(&versions, &job.policy, now);
    if job.package_type != PackageType::Container {
        return (report, None);
    }
    let login = package.owner.map(|owner| owner.login).or(match &job.owner {
        Owner::Organization(login) | Owner::User(login) => Some(login.clone()),
        Owner::AuthenticatedUser => None,
    });
    let (Some(registry), Some(login)) = (registry, login) else {
        let why = if registry.is_none() {
            "no container registry is configured, so multi-arch images cannot be checked"
        } else {
            "GitHub did not say who owns the package, so its registry path is unknown"
        };
        report.held_back.push(why.to_owned());
        hold_back(&mut report.entries);
        return (report, None);
    };
    let repository = format!("{login}/{name}").to_ascii_lowercase();
    report.repository = Some(repository.clone());

    let mut kept = Vec::new();
    let mut failures = Vec::new();
    for entry in report.entries.iter().filter(|e| e.action == Action::Keep) {
        match Digest::parse(&entry.name) {
            Some(digest) => kept.push((digest, format!("{} {}", entry.id, entry.label()))),
            None => failures.push(format!(
                "kept version {} is named `{}`, not a sha256 digest, so its manifest cannot be read",
                entry.id, entry.name
            )),
        }
    }
    let candidates: Vec<Digest> = report
        .entries
        .iter()
        .filter(|e| e.action == Action::Delete && e.tags.is_empty())
        .filter_map(|e| Digest::parse(&e.name))
        .collect();
    let mut prover = Prover::new(registry, &repository, candidates, REGISTRY_CONCURRENCY);
    progress.checking(name);
    let proof = match failures.is_empty() {
        true => prover.prove(&pending(&report.entries), &kept).await,
        false => Err(failures),
    };
    progress.clear();
    let proof = match proof {
        Ok(proof) => proof,
        Err(failures) => {
            hold_back(&mut report.entries);
            report.held_back = failures;
            report.registry = Some(RegistryUse::default());
            return (
                report,
                Some(RegistryChecks {
                    prover,
                    kept,
                    proof: None,
                }),
            );
        }
    };
    report.registry = Some(RegistryUse {
        tags: proof.tags.len(),
        proofs: 1,
        reads_for_plan: prover.reads().0,
        ..RegistryUse::default()
    });
    let labels = Labels::of(&report.entries);
    let label = |digest: &Digest| labels.name(digest, &proof);
    // A tagged version the plan now keeps was counted on to go: the plan's proof no longer
    // holds for the deletes, which then start with a proof of their own.
    let mut kept_tagged = false;
    for entry in report
        .entries
        .iter_mut()
        .filter(|e| e.action == Action::Delete)
    {
        let objection = match Digest::parse(&entry.name) {
            Some(digest) => proof.objection(&digest, &entry.tags, &label),
            None => Some(Objection::Unreadable(format!(
                "`{}` is not a sha256 digest",
                entry.name
            ))),
        };
        // A part of a tagged image this run deletes first is judged when its turn comes.
        let objection = objection.filter(|o| !matches!(o, Objection::PartOfDeleted(_)));
        if let Some(objection) = objection {
            kept_tagged |= !entry.tags.is_empty();
            entry.action = Action::Keep;
            entry.reason = Reason::Registry(objection);
        }
    }
    let listed: std::collections::HashSet<&str> =
        report.entries.iter().map(|e| e.name.as_str()).collect();
    let unlisted: Vec<&String> = proof
        .tags
        .iter()
        .filter(|(_, digest)| !listed.contains(digest.as_str()))
        .map(|(tag, _)| tag)
        .collect();
    if !unlisted.is_empty() {
        let shown: Vec<&str> = unlisted.iter().take(10).map(|tag| tag.as_str()).collect();
        report.notes.push(format!(
            "{} tags in the registry point at manifests the listing did not show ({}{}): what \
             they need is kept",
            unlisted.len(),
            shown.join(", "),
            if unlisted.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    let checks = RegistryChecks {
        prover,
        kept,
        proof: (!kept_tagged).then_some(proof),
    };
    (report, Some(checks))
}

/// The tagged versions still to be deleted, with the tags they were planned with.
fn pending(entries: &[Entry]) -> Vec<Pending> {
    entries
        .iter()
        .filter(|e| e.action == Action::Delete && e.outcome.is_none() && !e.tags.is_empty())
        .filter_map(|e| {
            Some(Pending {
                digest: Digest::parse(&e.name)?,
                tags: e.tags.clone(),
            })
        })
        .collect()
}

/// How plans and outcomes name a digest: a listed version's label, else the digest with the
/// tags the registry gives it.
struct Labels(HashMap<Digest, String>);

impl Labels {
    fn of(entries: &[Entry]) -> Labels {
        Labels(
            entries
                .iter()
                .filter_map(|e| Some((Digest::parse(&e.name)?, e.label())))
                .collect(),
        )
    }

    fn name(&self, digest: &Digest, proof: &Proof) -> String {
        if let Some(label) = self.0.get(digest) {
            return label.clone();
        }
        match proof.tags_of(digest) {
            [] => digest.short().to_owned(),
            tags => format!("{} ({})", digest.short(), tags.join(", ")),
        }
    }
}

/// Every version of the package, or an error: a plan is never made from part of a listing.
async fn list_versions(
    owned: OwnerClient<'_>,
    job: &PruneJob,
    name: &str,
    version_count: i64,
    progress: &mut Progress,
) -> Result<Vec<PackageVersion>, String> {
    // GitHub's route for a user's package versions takes no `per_page` or `state`.
    let params = match job.owner {
        Owner::User(_) => OwnerGetAllPackageVersionsForPackageParams::default(),
        _ => OwnerGetAllPackageVersionsForPackageParams::default()
            .per_page(100)
            .state(State::Active),
    };
    let expected = usize::try_from(version_count).ok();
    // Versions pushed during a long listing shift pages and repeat a few versions; a listing
    // far longer than the package (even if GitHub's count lags) is a server that does not stop.
    let limit = expected
        .unwrap_or(0)
        .saturating_mul(2)
        .saturating_add(50_000);
    let mut stream =
        owned.get_all_package_versions_for_package_stream(job.package_type.clone(), name, &params);
    let mut versions: Vec<PackageVersion> = Vec::new();
    let mut position: HashMap<i64, usize> = HashMap::new();
    let mut received = 0usize;
    loop {
        let version = match stream.try_next().await {
            Ok(Some(version)) => version,
            Ok(None) => break,
            Err(error) => {
                progress.clear();
                return Err(format!(
                    "the listing failed after {} versions: {error}",
                    versions.len()
                ));
            }
        };
        received += 1;
        if received > limit {
            progress.clear();
            return Err(format!(
                "the listing went past {limit} versions for a package of {version_count}; stopped"
            ));
        }
        match position.get(&version.id) {
            // Seen on an earlier page: keep every tag either copy had, so a tag added between
            // the two pages still protects it.
            Some(&at) => merge_tags(&mut versions[at], &version),
            None => {
                position.insert(version.id, versions.len());
                versions.push(version);
            }
        }
        progress.listing(name, versions.len(), expected);
    }
    progress.clear();
    Ok(versions)
}

fn merge_tags(kept: &mut PackageVersion, again: &PackageVersion) {
    let extra: Vec<String> = retention::tags(again)
        .iter()
        .filter(|tag| !retention::tags(kept).contains(tag))
        .cloned()
        .collect();
    if extra.is_empty() {
        return;
    }
    if let Some(container) = kept.metadata.as_mut().and_then(|m| m.container.as_mut()) {
        container.tags.extend(extra);
    } else {
        *kept = again.clone();
    }
}

/// Deletes what the plan deletes, tagged versions first (signatures last among them), oldest
/// first; in a dry run, records what it would delete. Tagged first: an index goes before the
/// platform images it lists, so a run cut short leaves untagged orphans for the next run,
/// never a tag whose image is missing a part. A tagged part of a tagged image still to be
/// deleted waits until that image is gone.
///
/// For a container package every delete relies on a [`Proof`] no older than the job's
/// [`Freshness`], and one taken before the first untagged delete and after any tagged delete
/// that did not happen: a version that a tag in the registry now needs is spared, whatever the
/// plan said, and so are the parts of a tagged image whose delete was refused. Before each
/// delete the version is also read again from GitHub, and spared if its tags changed since the
/// plan. When a proof cannot be taken, nothing more of the package is deleted.
async fn carry_out(
    owned: OwnerClient<'_>,
    job: &PruneJob,
    package: &mut PackageReport,
    mut checks: Option<&mut RegistryChecks<'_>>,
    deletions_left: &mut Option<usize>,
    progress: &mut Progress,
) {
    let mut order: Vec<usize> = (0..package.entries.len())
        .filter(|&i| package.entries[i].action == Action::Delete)
        .collect();
    // Signatures after the images they sign, so that a signature whose image stays stays too.
    order.sort_by_key(|&i| {
        let entry = &package.entries[i];
        let attachment = !entry.tags.is_empty()
            && entry
                .tags
                .iter()
                .all(|tag| retention::attachment_subject(tag).is_some());
        (
            entry.tags.is_empty(),
            attachment,
            entry.created_at,
            entry.id,
        )
    });
    let total = order.len();
    let mut stopped_by: Option<i64> = None;
    let mut untagged_proven = false;
    let mut unprovable: Option<String> = None;
    let labels = Labels::of(&package.entries);
    for (done, index) in order.into_iter().enumerate() {
        let entry = &package.entries[index];
        let tagged = !entry.tags.is_empty();
        let outcome = if deletions_left.is_some_and(|left| left == 0) {
            Outcome::Deferred
        } else if let Some(failed) = stopped_by {
            Outcome::NotAttempted(format!("stopped after version {failed} failed"))
        } else if !job.execute {
            Outcome::WouldDelete
        } else if let Some(why) = &unprovable {
            Outcome::NotAttempted(format!("the registry check before deleting failed: {why}"))
        } else {
            let objection = match checks.as_deref_mut() {
                None => Ok(None),
                Some(checks) => {
                    let stale = checks
                        .proof
                        .as_ref()
                        .is_none_or(|proof| !proof.is_fresh(job.freshness));
                    if stale || (!tagged && !untagged_proven) {
                        untagged_proven |= !tagged;
                        let pending = pending(&package.entries);
                        match checks.prover.prove(&pending, &checks.kept).await {
                            Ok(proof) => checks.proof = Some(proof),
                            Err(failures) => {
                                checks.proof = None;
                                unprovable = Some(failures.join("; "));
                            }
                        }
                    }
                    match (&checks.proof, Digest::parse(&entry.name)) {
                        (Some(proof), Some(digest)) => {
                            let label = |digest: &Digest| labels.name(digest, proof);
                            Ok(proof.objection(&digest, &entry.tags, &label))
                        }
                        (Some(_), None) => Ok(Some(Objection::Unreadable(format!(
                            "`{}` is not a sha256 digest",
                            entry.name
                        )))),
                        (None, _) => Err(unprovable.clone().unwrap_or_default()),
                    }
                }
            };
            match objection {
                Err(why) => {
                    package.held_back.push(format!(
                        "the registry check before deleting failed, so nothing more was deleted: {why}"
                    ));
                    Outcome::NotAttempted(format!(
                        "the registry check before deleting failed: {why}"
                    ))
                }
                Ok(Some(objection)) => Outcome::Spared(objection.to_string()),
                Ok(None) => {
                    let outcome =
                        delete_if_unchanged(owned, &job.package_type, &package.package, entry)
                            .await;
                    if let Some(proof) = checks.as_deref_mut().and_then(|c| c.proof.as_mut()) {
                        proof.deletes += 1;
                        if matches!(outcome, Outcome::Deleted | Outcome::AlreadyGone) {
                            if let Some(digest) = Digest::parse(&entry.name) {
                                proof.gone(&digest);
                            }
                        }
                    }
                    if matches!(outcome, Outcome::Failed(_)) {
                        stopped_by = Some(entry.id);
                    }
                    outcome
                }
            }
        };
        // A tagged version that stays keeps what it needs: the proof that counted on its
        // going no longer holds.
        if tagged && !matches!(outcome, Outcome::Deleted | Outcome::AlreadyGone) {
            if let Some(checks) = checks.as_deref_mut() {
                checks.proof = None;
            }
        }
        if let (Some(left), Outcome::Deleted | Outcome::WouldDelete) =
            (deletions_left.as_mut(), &outcome)
        {
            *left -= 1;
        }
        if job.execute {
            let what = format!(
                "{} {}: {outcome} ({})",
                entry.id,
                entry.label(),
                entry.reason
            );
            progress.deleting(&package.package, done + 1, total, &what);
        }
        package.entries[index].outcome = Some(outcome);
    }
    progress.clear();
}

async fn delete_if_unchanged(
    owned: OwnerClient<'_>,
    package_type: &PackageType,
    package: &str,
    entry: &Entry,
) -> Outcome {
    match owned
        .get_package_version(package_type.clone(), package, entry.id)
        .await
    {
        Ok(now) => {
            let mut tags_now = retention::tags(now.body()).to_vec();
            let mut planned = entry.tags.clone();
            tags_now.sort();
            planned.sort();
            if tags_now != planned {
                return Outcome::Spared(format!(
                    "its tags changed since the plan (planned [{}], now [{}])",
                    planned.join(", "),
                    tags_now.join(", ")
                ));
            }
        }
        Err(error) => return failure(error),
    }
    match owned
        .delete_package_version(package_type.clone(), package, entry.id)
        .await
    {
        Ok(_) => Outcome::Deleted,
        Err(error) => failure(error),
    }
}

fn failure(error: Error) -> Outcome {
    match error.kind() {
        Some(ApiErrorKind::NotFound) => Outcome::AlreadyGone,
        Some(ApiErrorKind::Validation) => {
            let message = error
                .api()
                .and_then(|api| api.message())
                .unwrap_or_default();
            Outcome::Refused(message.to_owned())
        }
        _ => Outcome::Failed(error.to_string()),
    }
}
