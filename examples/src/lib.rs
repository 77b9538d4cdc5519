//! Two programs that users of the Packages API write again and again, built on the generated
//! client: an inventory of an organization's container images, and a retention job that
//! prunes old versions without breaking the multi-arch images it keeps. The binaries in
//! `src/bin/` parse arguments and call these.
//!
//! - [`retention`]: the policy's rules, and the registry check that keeps what kept images
//!   need.
//! - [`registry`]: reads manifests from an OCI distribution registry (ghcr.io).
//! - [`mod@prune`]: the job: listing, plan, deletions, report.
//! - [`progress`]: progress on standard error.

pub mod progress;
pub mod prune;
pub mod registry;
pub mod retention;

pub use prune::{prune, Format, PruneJob, RunReport};
pub use registry::{Credentials, Registry};
pub use retention::{RetentionPolicy, TagPattern};

use futures_util::TryStreamExt;
use github_packages::reqwest::Method;
use github_packages::{Client, Error, ListPackagesForOrganizationParams, PackageType, RetryPolicy};
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

/// The container registry beside the client's API ([`registry::registry_for_api`]: ghcr.io
/// for github.com, `containers.HOST` for GitHub Enterprise Server), or `url` when given. When
/// the registry asks for a login, it gets `GITHUB_TOKEN` with the user name `GITHUB_ACTOR`
/// (which GitHub Actions sets).
pub fn registry_from_env(client: &Client, url: Option<&str>) -> Result<Registry, String> {
    let url = match url {
        Some(url) => url.to_owned(),
        None => registry::registry_for_api(client.base_url())
            .map(|url| url.to_string())
            .ok_or_else(|| {
                format!(
                    "cannot tell which container registry serves the API at {}; pass --registry URL",
                    client.base_url()
                )
            })?,
    };
    let token = std::env::var("GITHUB_TOKEN")
        .ok()
        .filter(|token| !token.trim().is_empty());
    let username = std::env::var("GITHUB_ACTOR").unwrap_or_else(|_| "github-packages".into());
    let credentials = token.map(|token| Credentials::new(username, token.trim()));
    Registry::new(&url, credentials).map_err(|error| error.to_string())
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
