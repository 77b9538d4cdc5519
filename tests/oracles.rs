//! Independent oracles: Redocly CLI lints the spec, and Stoplight Prism, serving our spec or
//! GitHub's own description, judges every request the generated client sends and every
//! response it decodes. Both are pinned in `tests/oracles/package.json` and installed by
//! `cargo xtask test` (`npm ci`). Without them a local run skips these tests with a message;
//! with `CI=true` a missing tool fails them.

use github_packages::{Client, Error, PackageType};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tests::{reference_dir, workspace_root};

/// `tests/oracles/node_modules/.bin/<name>`, or `None` (after saying why) when it is not
/// installed and this is not CI.
fn tool(name: &str) -> Option<PathBuf> {
    let path = workspace_root()
        .join("tests/oracles/node_modules/.bin")
        .join(name);
    if path.exists() {
        return Some(path);
    }
    let hint = "run `npm ci --prefix tests/oracles` (cargo xtask test does)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{name} is not installed: {hint}");
    }
    eprintln!("skipping: {name} is not installed; {hint}");
    None
}

fn our_spec() -> PathBuf {
    workspace_root().join("spec/packages.yaml")
}

fn official_spec() -> PathBuf {
    reference_dir().join("github-openapi/packages.yaml")
}

fn redocly(spec: &Path) -> (bool, String) {
    redocly_with(spec, &workspace_root().join("spec/redocly.yaml"))
}

fn redocly_with(spec: &Path, config: &Path) -> (bool, String) {
    let redocly = tool("redocly").expect("checked by the caller");
    let output = Command::new(redocly)
        .arg("lint")
        .arg(spec)
        .arg("--format=stylish")
        .arg("--config")
        .arg(config)
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .output()
        .expect("redocly runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn redocly_lints_the_spec_clean() {
    if tool("redocly").is_none() {
        return;
    }
    let (ok, output) = redocly(&our_spec());
    assert!(ok, "redocly lint failed:\n{output}");
}

/// The OpenAPI 3.2 test documents have 3.2's shape as Redocly (which reads 3.2) knows it:
/// `query`, `additionalOperations`, `in: querystring`, `itemSchema`, tag `parent` and
/// `kind`, `$self`, `mediaTypes`, `defaultMapping`, `oauth2MetadataUrl`, the device flow.
/// The one complaint allowed is Redocly's: it still requires a response's `description`,
/// which 3.2 made optional (and which these documents leave out on purpose, for `summary`).
#[test]
fn redocly_reads_the_openapi_32_documents_as_32() {
    if tool("redocly").is_none() {
        return;
    }
    let dir = workspace_root().join("tests/specs/openapi32");
    for name in ["additions.yaml", "streams.32.yaml"] {
        let (_, output) = redocly_with(&dir.join(name), &dir.join("redocly.yaml"));
        assert!(output.contains("validated in"), "{name}: {output}");
        let errors: Vec<&str> = output
            .lines()
            // Stylish problem lines: `  35:9  error  struct  The field ...`.
            .filter(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .filter(|line| !line.contains("The field `description` must be present on this level."))
            .collect();
        assert!(errors.is_empty(), "{name}:\n{output}");
        assert!(
            output.contains("must be present"),
            "the known gap is still there; {name}: {output}"
        );
    }
}

#[test]
fn redocly_rejects_an_example_that_contradicts_its_schema() {
    if tool("redocly").is_none() {
        return;
    }
    let broken = std::env::temp_dir().join(format!("broken-spec-{}.yaml", std::process::id()));
    let spec = std::fs::read_to_string(our_spec()).unwrap();
    let spec = spec.replacen(
        "        version_count: 1\n",
        "        version_count: one\n",
        1,
    );
    std::fs::write(&broken, spec).unwrap();
    let (ok, output) = redocly(&broken);
    let _ = std::fs::remove_file(&broken);
    assert!(!ok, "the broken spec passed:\n{output}");
    assert!(
        output.contains("no-invalid-media-type-examples"),
        "{output}"
    );
}

/// A Prism mock server on a free loopback port, killed when dropped.
struct Prism {
    child: Child,
    base_url: String,
}

impl Prism {
    fn start(spec: &Path, extra: &[&str]) -> Option<Prism> {
        let prism = tool("prism")?;
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(prism)
            .arg("mock")
            .arg(spec)
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--errors"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prism starts");
        let prism = Prism {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "prism did not start listening on {address}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(prism)
    }

    fn client(&self) -> Client {
        Client::builder()
            .base_url(&self.base_url)
            .token("ghp_prism")
            .build()
            .unwrap()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether Prism found the request (or its own response) in violation of the spec.
fn violations(headers: &github_packages::reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get("sl-violations")
        .map(|v| v.to_str().unwrap_or("<binary>").to_owned())
}

fn report<T>(
    name: &str,
    result: Result<github_packages::Response<T>, Error>,
    failures: &mut Vec<String>,
) {
    match result {
        Ok(response) => {
            if let Some(found) = violations(response.headers()) {
                failures.push(format!("{name}: sl-violations {found}"));
            }
        }
        Err(error) => failures.push(format!("{name}: {error}")),
    }
}

/// Calls all 27 operations with valid arguments; returns what went wrong.
async fn call_every_operation(client: &Client) -> Vec<String> {
    use PackageType::Container;
    let mut failures = Vec::new();
    let f = &mut failures;
    let (org, user, name, id) = ("octo-org", "octocat", "hello_docker", 836);
    report(
        "list_docker_migration_conflicting_packages_for_organization",
        client
            .list_docker_migration_conflicting_packages_for_organization(org)
            .await,
        f,
    );
    let params = github_packages::ListPackagesForOrganizationParams::default()
        .per_page(100)
        .page(1)
        .visibility(github_packages::Visibility::Public);
    report(
        "list_packages_for_organization",
        client
            .list_packages_for_organization(org, Container, &params)
            .await,
        f,
    );
    report(
        "get_package_for_organization",
        client
            .get_package_for_organization(org, Container, name)
            .await,
        f,
    );
    report(
        "delete_package_for_org",
        client.delete_package_for_org(org, Container, name).await,
        f,
    );
    let restore = github_packages::RestorePackageForOrgParams::default().token("t");
    report(
        "restore_package_for_org",
        client
            .restore_package_for_org(org, Container, name, &restore)
            .await,
        f,
    );
    let versions = github_packages::GetAllPackageVersionsForPackageOwnedByOrgParams::default()
        .state(github_packages::State::Deleted)
        .per_page(10);
    report(
        "get_all_package_versions_for_package_owned_by_org",
        client
            .get_all_package_versions_for_package_owned_by_org(org, Container, name, &versions)
            .await,
        f,
    );
    report(
        "get_package_version_for_organization",
        client
            .get_package_version_for_organization(org, Container, name, id)
            .await,
        f,
    );
    report(
        "delete_package_version_for_org",
        client
            .delete_package_version_for_org(org, Container, name, id)
            .await,
        f,
    );
    report(
        "restore_package_version_for_org",
        client
            .restore_package_version_for_org(org, Container, name, id)
            .await,
        f,
    );
    report(
        "list_docker_migration_conflicting_packages_for_authenticated_user",
        client
            .list_docker_migration_conflicting_packages_for_authenticated_user()
            .await,
        f,
    );
    report(
        "list_packages_for_authenticated_user",
        client
            .list_packages_for_authenticated_user(Container, &Default::default())
            .await,
        f,
    );
    report(
        "get_package_for_authenticated_user",
        client
            .get_package_for_authenticated_user(Container, name)
            .await,
        f,
    );
    report(
        "delete_package_for_authenticated_user",
        client
            .delete_package_for_authenticated_user(Container, name)
            .await,
        f,
    );
    report(
        "restore_package_for_authenticated_user",
        client
            .restore_package_for_authenticated_user(Container, name, &Default::default())
            .await,
        f,
    );
    report(
        "get_all_package_versions_for_package_owned_by_authenticated_user",
        client
            .get_all_package_versions_for_package_owned_by_authenticated_user(
                Container,
                name,
                &Default::default(),
            )
            .await,
        f,
    );
    report(
        "get_package_version_for_authenticated_user",
        client
            .get_package_version_for_authenticated_user(Container, name, id)
            .await,
        f,
    );
    report(
        "delete_package_version_for_authenticated_user",
        client
            .delete_package_version_for_authenticated_user(Container, name, id)
            .await,
        f,
    );
    report(
        "restore_package_version_for_authenticated_user",
        client
            .restore_package_version_for_authenticated_user(Container, name, id)
            .await,
        f,
    );
    report(
        "list_docker_migration_conflicting_packages_for_user",
        client
            .list_docker_migration_conflicting_packages_for_user(user)
            .await,
        f,
    );
    report(
        "list_packages_for_user",
        client
            .list_packages_for_user(user, Container, &Default::default())
            .await,
        f,
    );
    report(
        "get_package_for_user",
        client.get_package_for_user(user, Container, name).await,
        f,
    );
    report(
        "delete_package_for_user",
        client.delete_package_for_user(user, Container, name).await,
        f,
    );
    report(
        "restore_package_for_user",
        client
            .restore_package_for_user(user, Container, name, &Default::default())
            .await,
        f,
    );
    report(
        "get_all_package_versions_for_package_owned_by_user",
        client
            .get_all_package_versions_for_package_owned_by_user(user, Container, name)
            .await,
        f,
    );
    report(
        "get_package_version_for_user",
        client
            .get_package_version_for_user(user, Container, name, id)
            .await,
        f,
    );
    report(
        "delete_package_version_for_user",
        client
            .delete_package_version_for_user(user, Container, name, id)
            .await,
        f,
    );
    report(
        "restore_package_version_for_user",
        client
            .restore_package_version_for_user(user, Container, name, id)
            .await,
        f,
    );
    failures
}

async fn conformance(spec: &Path, extra: &[&str]) {
    let Some(prism) = Prism::start(spec, extra) else {
        return;
    };
    let failures = call_every_operation(&prism.client()).await;
    assert!(
        failures.is_empty(),
        "Prism ({}) rejected:\n{}",
        spec.display(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn prism_serving_our_spec_accepts_every_operation() {
    conformance(&our_spec(), &[]).await;
}

#[tokio::test]
async fn prism_serving_githubs_description_accepts_every_operation() {
    conformance(&official_spec(), &[]).await;
}

/// Responses generated from the schemas (with properties the spec does not list) decode.
#[tokio::test]
async fn prism_dynamic_responses_decode() {
    conformance(&our_spec(), &["-d", "--seed", "20261123"]).await;
}

/// The negative control: requests that break the spec are flagged, so a clean run above
/// means something.
#[tokio::test]
async fn prism_flags_invalid_requests() {
    let Some(prism) = Prism::start(&our_spec(), &[]) else {
        return;
    };
    let http = github_packages::reqwest::Client::new();
    for (what, target) in [
        (
            "an unknown package type",
            "/orgs/octo-org/packages?package_type=cargo",
        ),
        (
            "a missing required query parameter",
            "/orgs/octo-org/packages",
        ),
        (
            "a version id that is not an integer",
            "/orgs/octo-org/packages/npm/p/versions/latest",
        ),
    ] {
        let response = http
            .get(format!("{}{target}", prism.base_url))
            .header("authorization", "Bearer ghp_prism")
            .send()
            .await
            .unwrap();
        let status = response.status();
        // Prism reports a violation in `sl-violations`, or, where the operation describes no
        // error response to use, in a problem document of its own.
        let header = violations(response.headers());
        let body = response.text().await.unwrap();
        assert!(
            header.is_some() || body.contains("\"validation\":[{"),
            "Prism did not flag {what} ({target}): {status} {body}"
        );
    }
    // And the client's own calls never look like that.
    let client = prism.client();
    match client
        .list_packages_for_organization("octo-org", "cargo".into(), &Default::default())
        .await
    {
        Err(error) => assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}"),
        Ok(_) => panic!("an unknown package type was accepted"),
    }
}
