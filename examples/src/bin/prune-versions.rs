//! Deletes old versions of a package: keeps the N newest tagged versions and deletes older
//! tagged ones, deletes untagged versions older than D days. A dry run unless `--execute`.
//!
//! ```text
//! prune-versions (--org ORG | --user USER | --me) --package NAME [--type container]
//!                [--keep-tagged 10] [--untagged-older-than-days 14] [--execute]
//! ```
//!
//! Reads `GITHUB_TOKEN` (`read:packages` and `delete:packages`) and `GITHUB_API_URL`.

use examples::{PruneJob, RetentionPolicy};
use github_packages::chrono::{DateTime, Duration, Utc};
use github_packages::{Owner, PackageType};
use std::process::ExitCode;

const USAGE: &str = "usage: prune-versions (--org ORG | --user USER | --me) --package NAME [--type container] [--keep-tagged 10] [--untagged-older-than-days 14] [--execute]";

fn parse(args: &[String]) -> Result<PruneJob, String> {
    let mut owner = None;
    let mut package = None;
    let mut package_type = PackageType::Container;
    let mut keep_tagged = 10;
    let mut days = 14;
    let mut execute = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--org" => owner = Some(Owner::org(value()?)),
            "--user" => owner = Some(Owner::user(value()?)),
            "--me" => owner = Some(Owner::AuthenticatedUser),
            "--package" => package = Some(value()?),
            "--type" => package_type = PackageType::from(value()?.as_str()),
            "--keep-tagged" => {
                keep_tagged = value()?
                    .parse()
                    .map_err(|_| "--keep-tagged takes a number")?
            }
            "--untagged-older-than-days" => {
                days = value()?
                    .parse()
                    .map_err(|_| "--untagged-older-than-days takes a number")?
            }
            "--execute" => execute = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(PruneJob {
        owner: owner.ok_or("one of --org, --user or --me is required")?,
        package_type,
        package: package.ok_or("--package is required")?,
        policy: RetentionPolicy {
            keep_tagged,
            untagged_older_than: Duration::days(days),
        },
        execute,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let job = match parse(&args) {
        Ok(job) => job,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        let client = examples::client_from_env()?;
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        examples::prune(&client, &job, now, &mut std::io::stdout()).await
    };
    match result.await {
        Ok(report) if report.refused.is_empty() => ExitCode::SUCCESS,
        Ok(report) => {
            eprintln!("{} deletions refused", report.refused.len());
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
