//! `prune-versions` against a real registry: Debian's `docker-registry` (the CNCF
//! distribution server) on loopback, holding multi-arch images this test pushes through the
//! distribution API; GitHub's REST side is wiremock, listing versions named by the same
//! digests.

mod support;

use examples::retention::{select, Action, RetentionPolicy};
use github_packages::chrono::Duration;
use github_packages::PackageVersion;
use serde_json::Value;
use std::collections::BTreeSet;
use support::{digest_of, mount_package, run, stderr, stdout, version, ImageFormat, RealRegistry};
use wiremock::MockServer;

const REPOSITORY: &str = "octo-org/app";

/// What the registry holds and GitHub lists for `octo-org/app`.
struct App {
    versions: Vec<Value>,
    /// Version ids by role.
    v3_index: i64,
    v3_children: Vec<i64>,
    v3_signature: i64,
    v2_index: i64,
    v2_children: Vec<i64>,
    v1_index: i64,
    v1_children: Vec<i64>,
    v1_signature: i64,
    orphan: i64,
    fresh: i64,
    v3_digest: examples::registry::Digest,
}

/// v3: an OCI index of two platform images and an attestation, 30 days old and still the
/// newest release; v2: a Docker manifest list of two platforms, 60 days old; v1: an OCI index
/// like v3, 90 days old. Each index's children are untagged versions as old as it. A cosign
/// signature of v3 and one of v1; an untagged image 40 days old, and one 2 days old.
async fn push_app(registry: &RealRegistry) -> App {
    let mut versions = Vec::new();
    let mut next_id = 100;
    let mut add = |name: &str, tags: &[&str], days: i64| {
        next_id += 1;
        versions.push(version(next_id, name, tags, days));
        next_id
    };
    let (r, oci, docker) = (registry, ImageFormat::Oci, ImageFormat::Docker);

    let v1_amd64 = r.push_image(REPOSITORY, oci, "amd64", "v1 amd64").await;
    let v1_arm64 = r.push_image(REPOSITORY, oci, "arm64", "v1 arm64").await;
    let v1_attestation = r.push_attestation(REPOSITORY, &v1_amd64, "v1").await;
    let v1 = r
        .push_index(
            REPOSITORY,
            oci,
            "v1",
            &[&v1_amd64, &v1_arm64, &v1_attestation],
        )
        .await;
    let v1_signature = r.push_signature(REPOSITORY, &v1).await;
    let v1_children = [&v1_amd64, &v1_arm64, &v1_attestation]
        .map(|child| add(digest_of(child).as_str(), &[], 90))
        .to_vec();
    let v1_index = add(v1.as_str(), &["v1"], 90);
    let v1_signature = add(
        v1_signature.as_str(),
        &[&format!("sha256-{}.sig", v1.hex())],
        90,
    );

    let v2_amd64 = r.push_image(REPOSITORY, docker, "amd64", "v2 amd64").await;
    let v2_arm64 = r.push_image(REPOSITORY, docker, "arm64", "v2 arm64").await;
    let v2 = r
        .push_index(REPOSITORY, docker, "v2", &[&v2_amd64, &v2_arm64])
        .await;
    let v2_children = [&v2_amd64, &v2_arm64]
        .map(|child| add(digest_of(child).as_str(), &[], 60))
        .to_vec();
    let v2_index = add(v2.as_str(), &["v2"], 60);

    let orphan = r.push_image(REPOSITORY, oci, "amd64", "orphan").await;
    let orphan = add(digest_of(&orphan).as_str(), &[], 40);

    let v3_amd64 = r.push_image(REPOSITORY, oci, "amd64", "v3 amd64").await;
    let v3_arm64 = r.push_image(REPOSITORY, oci, "arm64", "v3 arm64").await;
    let v3_attestation = r.push_attestation(REPOSITORY, &v3_amd64, "v3").await;
    let v3 = r
        .push_index(
            REPOSITORY,
            oci,
            "v3",
            &[&v3_amd64, &v3_arm64, &v3_attestation],
        )
        .await;
    let v3_signature = r.push_signature(REPOSITORY, &v3).await;
    let v3_children = [&v3_amd64, &v3_arm64, &v3_attestation]
        .map(|child| add(digest_of(child).as_str(), &[], 30))
        .to_vec();
    let v3_index = add(v3.as_str(), &["v3", "latest"], 30);
    let v3_signature = add(
        v3_signature.as_str(),
        &[&format!("sha256-{}.sig", v3.hex())],
        30,
    );

    let fresh = r.push_image(REPOSITORY, oci, "amd64", "fresh").await;
    let fresh = add(digest_of(&fresh).as_str(), &[], 2);

    versions.reverse(); // GitHub lists the newest first
    App {
        versions,
        v3_index,
        v3_children,
        v3_signature,
        v2_index,
        v2_children,
        v1_index,
        v1_children,
        v1_signature,
        orphan,
        fresh,
        v3_digest: v3,
    }
}

/// A registry holding `octo-org/app`, and GitHub listing its versions; `None` when there is
/// no registry to run (the test is skipped).
async fn app_scenario() -> Option<(RealRegistry, App, MockServer)> {
    let registry = RealRegistry::start().await?;
    let app = push_app(&registry).await;
    let github = MockServer::start().await;
    mount_package(&github, Some("octo-org"), "app", &app.versions).await;
    Some((registry, app, github))
}

const POLICY: &[&str] = &["--keep-tagged", "2", "--untagged-older-than-days", "14"];

/// `--org octo-org`, the packages, the registry, `more`.
fn prune_args<'a>(
    packages: &[&'a str],
    registry: &'a RealRegistry,
    more: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec!["--org", "octo-org"];
    for package in packages {
        args.extend(["--package", package]);
    }
    args.extend(["--registry", &registry.url]);
    args.extend(more);
    args
}

const PRUNE: &str = env!("CARGO_BIN_EXE_prune-versions");

fn ids_of(paths: &[String]) -> BTreeSet<i64> {
    paths
        .iter()
        .map(|path| path.rsplit('/').next().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn the_children_of_a_kept_index_survive_and_those_of_a_deleted_one_go() {
    let Some((registry, app, github)) = app_scenario().await else {
        return;
    };
    let args = prune_args(&["app"], &registry, &[POLICY, &["--execute"]].concat());
    let output = run(PRUNE, &github, &args).await;
    let text = stdout(&output);
    assert!(output.status.success(), "{output:?}\n{text}");

    let deleted = ids_of(&support::deletes(&github).await);
    let mut expected: BTreeSet<i64> = app.v1_children.iter().copied().collect();
    expected.extend([app.v1_index, app.v1_signature, app.orphan]);
    assert_eq!(deleted, expected, "{text}");
    for kept in app.v3_children.iter().chain(&app.v2_children).chain([
        &app.v3_index,
        &app.v3_signature,
        &app.v2_index,
        &app.fresh,
    ]) {
        assert!(!deleted.contains(kept), "{kept} was deleted:\n{text}");
    }
    // The plan says why each child stays, and that every kept version was read.
    assert!(
        text.contains("platform image linux/arm64 of kept sha256:"),
        "{text}"
    );
    assert!(text.contains("attestation manifest (of sha256:"), "{text}");
    assert!(text.contains("signature or attestation of kept"), "{text}");
    assert!(text.contains("(v3, latest)"), "{text}");
    assert!(text.contains("manifests read from octo-org/app"), "{text}");
    assert!(text.contains("summary: 6 deleted, 9 kept"), "{text}");

    // The negative control: the policy alone, without the registry, is the bug this test is
    // about. It deletes children of v3, which the real registry says v3 is made of.
    let versions: Vec<PackageVersion> =
        serde_json::from_value(Value::Array(app.versions.clone())).unwrap();
    let policy = RetentionPolicy {
        keep_tagged: 2,
        untagged_older_than: Duration::days(14),
        ..RetentionPolicy::default()
    };
    let policy_alone: Vec<String> = select(&versions, &policy, std::time::SystemTime::now().into())
        .into_iter()
        .filter(|entry| entry.action == Action::Delete && app.v3_children.contains(&entry.id))
        .map(|entry| entry.name)
        .collect();
    let v3_holds = registry.children(REPOSITORY, &app.v3_digest).await;
    assert_eq!(
        policy_alone.len(),
        3,
        "the policy alone deletes every child of v3"
    );
    for child in &policy_alone {
        assert!(
            v3_holds.contains(child),
            "{child} is not a child of v3: {v3_holds:?}"
        );
    }
}

#[tokio::test]
async fn a_dry_run_plans_the_same_and_deletes_nothing() {
    let Some((registry, app, github)) = app_scenario().await else {
        return;
    };
    let args = prune_args(&["app"], &registry, &[POLICY, &["--json"]].concat());
    let output = run(PRUNE, &github, &args).await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(support::deletes(&github).await, Vec::<String>::new());
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["summary"]["would_delete"], 6, "{plan:#}");
    let package = &plan["packages"][0];
    assert_eq!(package["repository"], REPOSITORY);
    let rule_of = |id: i64| {
        let versions = package["versions"].as_array().unwrap();
        let version = versions.iter().find(|v| v["id"] == id).unwrap();
        (
            version["action"].as_str().unwrap().to_owned(),
            version["rule"].as_str().unwrap().to_owned(),
        )
    };
    for child in app.v3_children.iter().chain(&app.v2_children) {
        assert_eq!(
            rule_of(*child),
            ("keep".into(), "part-of-kept-image".into())
        );
    }
    assert_eq!(
        rule_of(app.v3_signature),
        ("keep".into(), "attached-to-kept".into())
    );
    assert_eq!(
        rule_of(app.v1_signature),
        ("delete".into(), "old-attachment".into())
    );
    assert_eq!(
        rule_of(app.v1_children[0]),
        ("delete".into(), "old-untagged".into())
    );
}

#[tokio::test]
async fn an_unreadable_kept_manifest_deletes_nothing_of_its_package() {
    let Some((registry, app, github)) = app_scenario().await else {
        return;
    };
    // `broken`: v5 is kept, but its manifest is not in the registry (never pushed); it would
    // otherwise delete an old tag and an old untagged version.
    let absent = examples::registry::Digest::of(b"never pushed");
    let old_tagged = registry
        .push_image("octo-org/broken", ImageFormat::Oci, "amd64", "old")
        .await;
    let old_untagged = registry
        .push_image("octo-org/broken", ImageFormat::Oci, "amd64", "untagged")
        .await;
    let broken = vec![
        version(7, absent.as_str(), &["v5"], 3),
        version(6, digest_of(&old_untagged).as_str(), &[], 50),
        version(5, digest_of(&old_tagged).as_str(), &["v4"], 60),
    ];
    mount_package(&github, Some("octo-org"), "broken", &broken).await;

    let more = [
        "--keep-tagged",
        "1",
        "--untagged-older-than-days",
        "14",
        "--execute",
    ];
    let args = prune_args(&["broken", "app"], &registry, &more);
    let output = run(PRUNE, &github, &args).await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{output:?}\n{text}");

    let deleted = support::deletes(&github).await;
    assert!(
        !deleted.iter().any(|path| path.contains("/broken/")),
        "{deleted:?}"
    );
    // The other package of the run is pruned as usual (keep-tagged 1: v2 goes too, and its
    // children are no longer protected).
    assert!(
        deleted
            .iter()
            .any(|path| path.ends_with(&format!("/app/versions/{}", app.v1_index))),
        "{deleted:?}"
    );
    assert!(
        !deleted.iter().any(|path| app
            .v3_children
            .iter()
            .any(|id| path.ends_with(&format!("/{id}")))),
        "{deleted:?}"
    );
    let why = format!(
        "the manifest of kept {} (v5) could not be read",
        &absent.as_str()[..19]
    );
    assert!(
        text.contains(&format!(
            "HELD BACK, nothing of this package will be deleted: {why}"
        )),
        "{text}"
    );
    assert!(text.contains("MANIFEST_UNKNOWN"), "{text}");
    assert!(
        text.contains(&format!(
            "  broken: 2 held back, 1 kept\n    nothing deleted: {why}"
        )),
        "{text}"
    );
    assert!(
        text.contains("some versions that should have been deleted were not"),
        "{text}"
    );
    assert!(!stderr(&output).contains(support::TOKEN) && !text.contains(support::TOKEN));
}
