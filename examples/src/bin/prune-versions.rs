//! Deletes old versions of packages without breaking the images it keeps. A dry run unless
//! `--execute`. See `USAGE`.
//!
//! Reads `GITHUB_TOKEN` (`read:packages`, and `delete:packages` to delete), or
//! `GITHUB_TOKEN_COMMAND` (a command that prints one, run again when it expires),
//! `GITHUB_API_URL` and `GITHUB_ACTOR`.

use examples::proof::Freshness;
use examples::{Format, PruneJob, RetentionPolicy, TagPattern};
use github_packages::chrono::{DateTime, Duration, Utc};
use github_packages::{Owner, PackageType};
use std::process::ExitCode;

const USAGE: &str = "\
usage: prune-versions (--org ORG | --user USER | --me) --package NAME [--package NAME ...] [options]

Plans which versions to delete, prints the plan, and deletes them with --execute. Exit
status: 0 when everything planned was done, 1 when anything was not (a failed listing, a
refused or failed delete, a package held back because its registry check failed), 2 for bad
usage.

  --package NAME|GLOB          a package, or a pattern (* and ?) matched against the owner's
                               packages; repeat for more
  --type TYPE                  package type (default container)
  --keep-tagged N              keep the N newest tagged versions the tag patterns select
                               (default 10); older ones are deleted
  --tag GLOB                   only tagged versions whose every tag matches one of these
                               patterns may be deleted (repeatable; default: all)
  --keep-tag GLOB              always keep versions with a tag matching this (repeatable)
  --tagged-older-than-days D   keep tagged versions younger than D days (default 0)
  --untagged-older-than-days D delete untagged versions older than D days (default 14)
  --registry URL               container registry (default: ghcr.io, or containers.HOST
                               for GitHub Enterprise Server)
  --max-deletions N            delete at most N versions, oldest first; the rest wait for
                               the next run
  --deletes-per-minute N       pace deletes at N a minute, one at a time (default 80,
                               GitHub's documented limit for requests that change content)
  --proof-max-deletes N        before deleting, the registry's tags are read again and what
                               they need is kept; a proof serves at most N deletes
                               (default 250) ...
  --proof-max-seconds S        ... and at most S seconds (default 180)
  --json                       print the plan and the outcome as one JSON document
  --execute                    delete; without it, nothing is deleted

Container packages: what is kept is computed from the registry's own tags, not only from
GitHub's listing: every image a tag points at, with its platform images, attestation
manifests, cosign signatures and OCI referrers, at any depth, and the same for every version
the policy keeps. This is checked again shortly before deletes (see --proof-max-deletes), so
that a version a tag needs now is spared whatever the plan said. When what the tags need
cannot be read, nothing more of that package is deleted.";

struct Arguments {
    job: PruneJob,
    registry: Option<String>,
    deletes_per_minute: u32,
}

fn parse(args: &[String]) -> Result<Arguments, String> {
    let mut owner = None;
    let mut packages = Vec::new();
    let mut package_type = PackageType::Container;
    let mut policy = RetentionPolicy::default();
    let mut registry = None;
    let mut max_deletions = None;
    let mut format = Format::Table;
    let mut execute = false;
    let mut deletes_per_minute = 80;
    let mut freshness = Freshness::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        let mut set_owner = |new: Owner| match owner.replace(new) {
            None => Ok(()),
            Some(_) => Err("give only one of --org, --user or --me".to_owned()),
        };
        match arg.as_str() {
            "--org" => set_owner(Owner::org(value()?))?,
            "--user" => set_owner(Owner::user(value()?))?,
            "--me" => set_owner(Owner::AuthenticatedUser)?,
            "--package" => packages.push(non_empty(arg, value()?)?),
            "--type" => package_type = PackageType::from(non_empty(arg, value()?)?.as_str()),
            "--keep-tagged" => policy.keep_tagged = number(arg, &value()?)?,
            "--tag" => policy.delete_tags.push(TagPattern::new(&value()?)?),
            "--keep-tag" => policy.keep_tags.push(TagPattern::new(&value()?)?),
            "--tagged-older-than-days" => policy.tagged_older_than = days(arg, &value()?)?,
            "--untagged-older-than-days" => policy.untagged_older_than = days(arg, &value()?)?,
            "--registry" => registry = Some(non_empty(arg, value()?)?),
            "--max-deletions" => max_deletions = Some(number(arg, &value()?)?),
            "--deletes-per-minute" => {
                deletes_per_minute = u32::try_from(number(arg, &value()?)?)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--deletes-per-minute takes a number from 1")?;
            }
            "--proof-max-deletes" => {
                freshness.deletes = Some(number(arg, &value()?)?)
                    .filter(|n| *n > 0)
                    .ok_or("--proof-max-deletes takes a number from 1")?;
            }
            "--proof-max-seconds" => {
                freshness.age = std::time::Duration::from_secs(number(arg, &value()?)? as u64);
            }
            "--json" => format = Format::Json,
            "--execute" => execute = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if packages.is_empty() {
        return Err("--package is required".into());
    }
    Ok(Arguments {
        job: PruneJob {
            owner: owner.ok_or("one of --org, --user or --me is required")?,
            package_type,
            packages,
            policy,
            execute,
            max_deletions,
            format,
            freshness,
        },
        registry,
        deletes_per_minute,
    })
}

fn non_empty(flag: &str, value: String) -> Result<String, String> {
    if value.trim().is_empty() {
        Err(format!("{flag} cannot be empty"))
    } else {
        Ok(value)
    }
}

fn number(flag: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} takes a whole number, not `{value}`"))
}

fn days(flag: &str, value: &str) -> Result<Duration, String> {
    let days: u32 = value
        .parse()
        .map_err(|_| format!("{flag} takes a whole number of days, not `{value}`"))?;
    Ok(Duration::days(days.into()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Arguments {
        job,
        registry,
        deletes_per_minute,
    } = match parse(&args) {
        Ok(arguments) => arguments,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let pacing = examples::github_pacing().per_minute(deletes_per_minute);
    let client = match examples::client_from_env(pacing) {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let registry = if job.package_type == PackageType::Container {
        match examples::registry_from_env(&client, registry.as_deref()) {
            Ok(registry) => Some(registry),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let now: DateTime<Utc> = std::time::SystemTime::now().into();
    let mut progress = examples::progress::Progress::stderr();
    // `prune` flushes after each package's plan; in between, a plan of 100,000 lines is
    // written in large blocks rather than a line at a time.
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match examples::prune(
        &client,
        registry.as_ref(),
        &job,
        now,
        &mut stdout,
        &mut progress,
    )
    .await
    {
        Ok(report) if report.succeeded() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: cannot write the report: {error}");
            ExitCode::FAILURE
        }
    }
}
