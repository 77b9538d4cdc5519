//! Two programs that users of the Packages API write again and again, built on the generated
//! client: an inventory of an organization's container images, and a retention job that
//! prunes old versions. The binaries in `src/bin/` parse arguments and call these.

use futures_util::TryStreamExt;
use github_packages::chrono::{DateTime, Duration as Age, Utc};
use github_packages::reqwest::Method;
use github_packages::{
    ApiErrorKind, Client, Error, ListPackagesForOrganizationParams, Owner,
    OwnerGetAllPackageVersionsForPackageParams, PackageType, PackageVersion, RetryPolicy, State,
};
use std::io::Write;
use std::time::Duration;

/// A client from the environment, as in GitHub Actions: `GITHUB_TOKEN`, and `GITHUB_API_URL`
/// for GitHub Enterprise Server. It waits out rate limits, for `DELETE` too: a delete that a
/// rate limit refused was not carried out, so sending it again is safe.
pub fn client_from_env() -> Result<Client, Error> {
    let mut builder = Client::builder().retry(
        RetryPolicy::default()
            .max_retries(5)
            .max_total_wait(Duration::from_secs(15 * 60))
            .retry_rate_limits_for([Method::GET, Method::DELETE])
            .on_retry(|retry| {
                eprintln!(
                    "  waiting {}s before retrying {} {} ({:?})",
                    retry.wait.as_secs(),
                    retry.method,
                    retry.path,
                    retry.reason
                )
            }),
    );
    if let Ok(token) = std::env::var("GITHUB_TOKEN") {
        builder = builder.token(token);
    }
    if let Ok(url) = std::env::var("GITHUB_API_URL") {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// Prints every container package of `org` with its version count; returns how many.
pub async fn list_org_containers(
    client: &Client,
    org: &str,
    out: &mut impl Write,
) -> Result<usize, Error> {
    let params = ListPackagesForOrganizationParams::default().per_page(100);
    let mut packages =
        client.list_packages_for_organization_stream(org, PackageType::Container, &params);
    let mut count = 0;
    while let Some(package) = packages.try_next().await? {
        count += 1;
        let _ = writeln!(
            out,
            "{:<40} {:>6} versions  {}",
            package.name, package.version_count, package.visibility
        );
    }
    let _ = writeln!(out, "{count} container packages in {org}");
    Ok(count)
}

/// Which versions of a package to delete.
#[derive(Debug, Clone)]
pub struct RetentionPolicy {
    /// Tagged versions to keep, newest first; older tagged versions are deleted.
    pub keep_tagged: usize,
    /// Untagged versions older than this are deleted; newer ones are kept.
    pub untagged_older_than: Age,
}

/// What [`prune`] did, or would have done in a dry run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    pub examined: usize,
    pub kept: usize,
    /// The ids deleted, or that would be deleted in a dry run.
    pub deleted: Vec<i64>,
    /// Ids already gone when deleted (deleted elsewhere meanwhile).
    pub already_gone: Vec<i64>,
    /// Ids GitHub refused to delete, with its message.
    pub refused: Vec<(i64, String)>,
}

fn tags(version: &PackageVersion) -> &[String] {
    let Some(metadata) = &version.metadata else {
        return &[];
    };
    if let Some(container) = &metadata.container {
        return &container.tags;
    }
    metadata.docker.as_ref().map_or(&[], |docker| &docker.tags)
}

/// The versions `policy` deletes, each with the reason, oldest rules first.
pub fn select(
    versions: &[PackageVersion],
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
) -> Vec<(i64, String)> {
    let mut tagged: Vec<&PackageVersion> =
        versions.iter().filter(|v| !tags(v).is_empty()).collect();
    tagged.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let mut doomed: Vec<(i64, String)> = tagged
        .iter()
        .skip(policy.keep_tagged)
        .map(|v| {
            (
                v.id,
                format!(
                    "tagged {}, older than the {} newest tagged",
                    tags(v).join(","),
                    policy.keep_tagged
                ),
            )
        })
        .collect();
    for version in versions.iter().filter(|v| tags(v).is_empty()) {
        let age = now - version.created_at;
        if age > policy.untagged_older_than {
            doomed.push((version.id, format!("untagged, {} days old", age.num_days())));
        }
    }
    doomed
}

/// One package to prune, and how.
#[derive(Debug, Clone)]
pub struct PruneJob {
    pub owner: Owner,
    pub package_type: PackageType,
    pub package: String,
    pub policy: RetentionPolicy,
    /// Without it, a dry run: prints what would be deleted and deletes nothing.
    pub execute: bool,
}

/// Applies the job's policy to its package, printing a line per version it deletes.
pub async fn prune(
    client: &Client,
    job: &PruneJob,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<PruneReport, Error> {
    let PruneJob {
        owner,
        package_type,
        package,
        policy,
        execute,
    } = job;
    let execute = *execute;
    // GitHub's route for a user's package versions takes no `per_page` or `state`.
    let params = match owner {
        Owner::User(_) => OwnerGetAllPackageVersionsForPackageParams::default(),
        _ => OwnerGetAllPackageVersionsForPackageParams::default()
            .per_page(100)
            .state(State::Active),
    };
    let owned = client.owner(owner);
    let versions: Vec<PackageVersion> = owned
        .get_all_package_versions_for_package_stream(package_type.clone(), package, &params)
        .try_collect()
        .await?;
    let doomed = select(&versions, policy, now);
    let mut report = PruneReport {
        examined: versions.len(),
        kept: versions.len() - doomed.len(),
        ..PruneReport::default()
    };
    let verb = if execute { "deleting" } else { "would delete" };
    let _ = writeln!(
        out,
        "{package}: {} versions, {} to delete, {} kept",
        versions.len(),
        doomed.len(),
        report.kept
    );
    for (done, (id, reason)) in doomed.iter().enumerate() {
        let name = versions
            .iter()
            .find(|v| v.id == *id)
            .map_or("", |v| v.name.as_str());
        let _ = writeln!(
            out,
            "[{}/{}] {verb} {id} {name} ({reason})",
            done + 1,
            doomed.len()
        );
        if !execute {
            report.deleted.push(*id);
            continue;
        }
        match owned
            .delete_package_version(package_type.clone(), package, *id)
            .await
        {
            Ok(_) => report.deleted.push(*id),
            Err(error) if error.kind() == Some(ApiErrorKind::NotFound) => {
                report.already_gone.push(*id)
            }
            Err(error) if error.kind() == Some(ApiErrorKind::Validation) => {
                let message = error
                    .api()
                    .and_then(|a| a.message())
                    .unwrap_or_default()
                    .to_owned();
                let _ = writeln!(out, "  refused: {message}");
                report.refused.push((*id, message));
            }
            Err(error) => return Err(error),
        }
    }
    if !execute && !doomed.is_empty() {
        let _ = writeln!(
            out,
            "dry run: nothing was deleted; pass --execute to delete"
        );
    }
    Ok(report)
}
