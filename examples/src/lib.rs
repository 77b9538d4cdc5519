//! Two programs that users of the Packages API write again and again, built on the generated
//! client: an inventory of an organization's container images, and a retention job that
//! prunes old versions without breaking the multi-arch images it keeps. The binaries in
//! `src/bin/` parse arguments and call these.
//!
//! - [`retention`]: the policy's rules.
//! - [`proof`]: the registry's word on what must be kept, taken again before deletes.
//! - [`registry`]: reads manifests from an OCI distribution registry (ghcr.io).
//! - [`mod@prune`]: the job: listing, plan, deletions, report.
//! - [`progress`]: progress on standard error.

pub mod progress;
pub mod proof;
pub mod prune;
pub mod registry;
pub mod retention;

pub use prune::{prune, Format, PruneJob, RunReport};
pub use registry::{Credentials, Registry};
pub use retention::{RetentionPolicy, TagPattern};

use futures_util::TryStreamExt;
use github_packages::reqwest::Method;
use github_packages::{
    Client, Error, ListPackagesForOrganizationParams, Pacing, PackageType, RetryPolicy,
};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// GitHub's documented limits for requests that change content: at most 80 a minute, and
/// no two at once. A bulk delete paced so never meets a secondary rate limit.
pub fn github_pacing() -> Pacing {
    Pacing::new().per_minute(80).max_in_flight(1)
}

/// A client from the environment, as in GitHub Actions: `GITHUB_TOKEN`, and `GITHUB_API_URL`
/// for GitHub Enterprise Server, its requests that change content paced by `pacing`. It waits
/// out rate limits, for `DELETE` too: a delete that a rate limit refused was not carried out,
/// so sending it again is safe.
///
/// `GITHUB_TOKEN_COMMAND`, when set, is a command that prints a token (one that mints a
/// GitHub App installation token, say). It is run before the first request and again each
/// time GitHub refuses the token, so that a run longer than the token's hour goes on.
pub fn client_from_env(pacing: Pacing) -> Result<Client, Error> {
    let mut builder = Client::builder().pacing(pacing).retry(
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
    if let Ok(command) = std::env::var("GITHUB_TOKEN_COMMAND") {
        let command = Arc::new(TokenCommand::new(command));
        builder = builder.token_provider(move |refresh: bool| {
            let command = Arc::clone(&command);
            async move {
                tokio::task::spawn_blocking(move || command.token(refresh))
                    .await
                    .map_err(|error| error.to_string())?
            }
        });
    } else if let Ok(token) = std::env::var("GITHUB_TOKEN") {
        builder = builder.token(token);
    }
    if let Ok(url) = std::env::var("GITHUB_API_URL") {
        builder = builder.base_url(url);
    }
    builder.build()
}

/// A token printed by a command, kept until GitHub refuses it.
pub struct TokenCommand {
    command: String,
    current: Mutex<Option<String>>,
}

impl TokenCommand {
    pub fn new(command: impl Into<String>) -> Self {
        TokenCommand {
            command: command.into(),
            current: Mutex::new(None),
        }
    }

    /// The token: the one kept, unless `refresh` asks for a new one or there is none yet.
    pub fn token(&self, refresh: bool) -> Result<String, String> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let (false, Some(token)) = (refresh, current.as_ref()) {
            return Ok(token.clone());
        }
        let output = std::process::Command::new("sh")
            .args(["-c", &self.command])
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|error| format!("cannot run GITHUB_TOKEN_COMMAND: {error}"))?;
        let token = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if !output.status.success() || token.is_empty() {
            // The output is not shown: it may be a token.
            return Err(format!(
                "GITHUB_TOKEN_COMMAND printed no token ({})",
                output.status
            ));
        }
        *current = Some(token.clone());
        Ok(token)
    }
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
    let token = match std::env::var("GITHUB_TOKEN_COMMAND") {
        Ok(command) => Some(TokenCommand::new(command).token(false)?),
        Err(_) => std::env::var("GITHUB_TOKEN").ok(),
    }
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
