//! `prune-versions` against a real registry: Debian's `docker-registry` (the CNCF
//! distribution server) on loopback, holding multi-arch images this test pushes through the
//! distribution API. GitHub's REST side is scripted ([`support::world`]): it lists versions
//! named by the same digests, deletes from the registry what it is asked to delete, and lets
//! other jobs, people and CI act during the run. Each test ends by reading the registry
//! itself: every tag must still point at a complete image.

mod support;

use examples::registry::Digest;
use examples::retention::{select, Action, RetentionPolicy};
use github_packages::chrono::Duration;
use github_packages::PackageVersion;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use support::world::{Event, Trigger, World, REPOSITORY};
use support::{digest_of, mount_package, run, stderr, stdout, version, ImageFormat, RealRegistry};
use wiremock::MockServer;

/// What the registry holds and GitHub lists for `octo-org/app`.
struct App {
    versions: Vec<Value>,
    /// Descriptors of the untagged children, to list them in another index.
    descriptors: Vec<Value>,
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
    let mut descriptors = vec![v1_amd64.clone(), v1_arm64.clone(), v1_attestation.clone()];
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
    descriptors.extend([v2_amd64.clone(), v2_arm64.clone()]);
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
    assert!(r.tag(REPOSITORY, "latest", &v3).await);
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
        descriptors,
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

/// A registry holding `octo-org/app`; `None` when there is no registry to run (the test is
/// skipped).
async fn app_registry() -> Option<(RealRegistry, App)> {
    let registry = RealRegistry::start().await?;
    let app = push_app(&registry).await;
    Some((registry, app))
}

/// GitHub listing `versions` of the app, `page_size` a page.
async fn github_listing(
    registry: &RealRegistry,
    app: &App,
    versions: &[Value],
    page_size: usize,
) -> (MockServer, World) {
    let github = MockServer::start().await;
    let world = World::mount(&github, registry, versions, page_size).await;
    for descriptor in &app.descriptors {
        world.describe(descriptor);
    }
    (github, world)
}

/// The app in the registry, and GitHub listing its versions `page_size` a page.
async fn app_scenario(page_size: usize) -> Option<(RealRegistry, App, MockServer, World)> {
    let (registry, app) = app_registry().await?;
    let (github, world) = github_listing(&registry, &app, &app.versions, page_size).await;
    Some((registry, app, github, world))
}

/// The registry's final state, read by the test: every tag points at a complete image.
async fn assert_images_whole(
    registry: &RealRegistry,
    world: &World,
    referrers: &[(Digest, Digest)],
    output: &str,
) {
    let broken = registry.broken_images(REPOSITORY, referrers).await;
    assert!(
        broken.is_empty(),
        "images broken: {broken:#?}\nwhat happened:\n{}\n{output}",
        world.log()
    );
}

/// `prune-versions --execute` with [`POLICY`] against `github` and `registry`; what it printed,
/// once the registry's final state is checked (every tag a complete image).
async fn execute(
    registry: &RealRegistry,
    github: &MockServer,
    world: &World,
    referrers: &[(Digest, Digest)],
) -> (std::process::Output, String) {
    let args = prune_args(&["app"], registry, &[POLICY, &["--execute"]].concat());
    let output = run(PRUNE, github, &args).await;
    let text = stdout(&output);
    assert_images_whole(registry, world, referrers, &text).await;
    (output, text)
}

/// `app`'s versions, and `digests` listed as untagged versions `age` old, ids from `first`.
fn listed_with(app: &App, first: i64, digests: &[&Digest], age: Duration) -> Vec<Value> {
    let mut versions = app.versions.clone();
    for (n, digest) in (first..).zip(digests) {
        versions.push(support::world::aged(n, digest, age));
    }
    versions
}

fn digest_of_version(app: &App, id: i64) -> Digest {
    let version = app.versions.iter().find(|v| v["id"] == id).unwrap();
    Digest::parse(version["name"].as_str().unwrap()).unwrap()
}

/// Deletes unpaced: GitHub's pace (80 a minute) is tested elsewhere, with wiremock.
const POLICY: &[&str] = &[
    "--keep-tagged",
    "2",
    "--untagged-older-than-days",
    "14",
    "--deletes-per-minute",
    "60000",
];

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
    let Some((registry, app, github, world)) = app_scenario(100).await else {
        return;
    };
    let (output, text) = execute(&registry, &github, &world, &[]).await;
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
    // The plan says why each child stays: the image that needs it, and through what.
    assert!(
        text.contains("platform image linux/arm64 of sha256:")
            && text.contains("(latest, v3), needed by tag latest"),
        "{text}"
    );
    assert!(text.contains("attestation manifest (of sha256:"), "{text}");
    assert!(
        text.contains("signature or attestation (.sig) of sha256:"),
        "{text}"
    );
    assert!(
        text.contains("6 tags and ") && text.contains(" manifests read from octo-org/app"),
        "{text}"
    );
    assert!(text.contains("summary: 6 deleted, 9 kept"), "{text}");
    // The deleted manifests are gone from the registry: GitHub's deletes reached it.
    for id in &app.v1_children {
        let digest = digest_of_version(&app, *id);
        assert!(registry
            .get_manifest(REPOSITORY, digest.as_str())
            .await
            .is_none());
    }

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
    let Some((registry, app, github, _world)) = app_scenario(100).await else {
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
    // Which image needs it, and through what.
    let versions = package["versions"].as_array().unwrap();
    let child = versions
        .iter()
        .find(|v| v["id"] == app.v3_children[2])
        .unwrap();
    assert_eq!(child["needed_by"]["root"], "tag latest", "{child:#}");
    assert_eq!(child["needed_by"]["image"], app.v3_digest.as_str());
    assert_eq!(child["needed_by"]["through"], "attestation");
    let signature = versions
        .iter()
        .find(|v| v["id"] == app.v3_signature)
        .unwrap();
    assert_eq!(
        signature["needed_by"]["through"], "signature",
        "{signature:#}"
    );
    assert_eq!(package["registry"]["tags"], 6);
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
    let Some((registry, app, github, world)) = app_scenario(100).await else {
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
        "the registry knows no tags of octo-org/broken (its tag list answered 404), and the package's manifest {} is not there either",
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
    assert_images_whole(&registry, &world, &[], &text).await;
}

// The situations of a run while other jobs, people and CI change the same package. Each
// failed on the code before the registry became the ground truth (the closing note of the
// issue shows how); each ends with the registry's own state read back.

/// An untagged multi-arch index 100 days old, with three platform images and an attestation,
/// all untagged and as old: what the policy deletes, unless a tag comes to need it.
async fn push_old_index(registry: &RealRegistry) -> (Digest, Vec<Digest>) {
    let (r, oci) = (registry, ImageFormat::Oci);
    let amd64 = r.push_image(REPOSITORY, oci, "amd64", "old amd64").await;
    let arm64 = r.push_image(REPOSITORY, oci, "arm64", "old arm64").await;
    let ppc = r
        .push_image(REPOSITORY, oci, "ppc64le", "old ppc64le")
        .await;
    let attestation = r.push_attestation(REPOSITORY, &amd64, "old").await;
    let children = [&amd64, &arm64, &ppc, &attestation];
    let index = json!({"schemaVersion": 2, "mediaType": examples::registry::OCI_INDEX, "manifests": children});
    let index = r.push_manifest(REPOSITORY, None, &index).await;
    (index, children.map(digest_of).to_vec())
}

#[tokio::test]
async fn a_listing_that_shifts_mid_run_skips_a_tagged_index_whose_parts_are_kept() {
    // Seven a page: v2's index (108) opens page 2. Once page 1 is served, another job deletes
    // the orphan (109) on it, every later version moves up one, and 108 is never served.
    let Some((registry, app, github, world)) = app_scenario(7).await else {
        return;
    };
    world.at(Trigger::AfterPage(1), Event::DeleteVersion(app.orphan));
    let (output, text) = execute(&registry, &github, &world, &[]).await;
    assert!(output.status.success(), "{output:?}\n{text}");
    // The listing showed v3 and v1 as the tagged ones: v1 is kept as one of the two newest.
    // v2's platform images are kept because the registry's tag v2 needs them.
    for child in &app.v2_children {
        assert!(world.remaining().contains(child), "{text}");
    }
    assert!(
        text.contains("note: GitHub lists 14 versions but counts 15"),
        "{text}"
    );
    assert!(
        text.contains("1 tags in the registry point at manifests the listing did not show (v2)"),
        "{text}"
    );
    assert!(text.contains("needed by tag v2"), "{text}");
}

#[tokio::test]
async fn a_rollback_after_the_plan_keeps_the_old_index_and_all_its_parts() {
    let Some((registry, app)) = app_registry().await else {
        return;
    };
    let (old, old_children) = push_old_index(&registry).await;
    let listed: Vec<&Digest> = old_children.iter().chain([&old]).collect();
    let versions = listed_with(&app, 900, &listed, Duration::days(100));
    let (github, world) = github_listing(&registry, &app, &versions, 100).await;
    // Right after the first delete (v1's index), `latest` is rolled back onto the old index.
    world.at(
        Trigger::AfterDelete(1),
        Event::MoveTag {
            tag: "latest".into(),
            digest: old.clone(),
        },
    );
    let (output, text) = execute(&registry, &github, &world, &[]).await;
    assert!(output.status.success(), "{output:?}\n{text}");
    for id in 900..905 {
        assert!(world.remaining().contains(&id), "{id} was deleted:\n{text}");
    }
    assert!(text.contains("needed by tag latest"), "{text}");
    // v1's children still went: the proof before them found v1's tag gone.
    for child in &app.v1_children {
        assert!(!world.remaining().contains(child), "{text}");
    }
}

#[tokio::test]
async fn a_refused_delete_of_a_tagged_index_keeps_its_parts() {
    let Some((registry, app, github, world)) = app_scenario(100).await else {
        return;
    };
    world.at(Trigger::AfterPage(1), Event::Refuse(app.v1_index));
    let (output, text) = execute(&registry, &github, &world, &[]).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}\n{text}");
    assert!(
        text.contains("refused: You cannot delete the last tagged version"),
        "{text}"
    );
    for id in app.v1_children.iter().chain([&app.v1_signature]) {
        assert!(world.remaining().contains(id), "{id} was deleted:\n{text}");
    }
    assert!(text.contains("needed by tag v1"), "{text}");
    // The orphan was not anyone's part: it went.
    assert!(!world.remaining().contains(&app.orphan), "{text}");
}

#[tokio::test]
async fn referrers_of_kept_images_are_kept_and_those_of_deleted_ones_go() {
    let Some((registry, app)) = app_registry().await else {
        return;
    };
    // Untagged OCI 1.1 referrers, listed as old untagged versions: a sigstore bundle of v3's
    // index, an SBOM of one of v3's platform images, and a bundle of v1 (which goes).
    let bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let v3_platform = digest_of_version(&app, app.v3_children[0]);
    let v1 = digest_of_version(&app, app.v1_index);
    let of_v3 = registry
        .push_referrer(REPOSITORY, &app.v3_digest, bundle)
        .await;
    let of_platform = registry
        .push_referrer(REPOSITORY, &v3_platform, "application/spdx+json")
        .await;
    let of_v1 = registry.push_referrer(REPOSITORY, &v1, bundle).await;
    let referrers = [
        (app.v3_digest.clone(), of_v3.clone()),
        (v3_platform.clone(), of_platform.clone()),
        (v1.clone(), of_v1.clone()),
    ];
    let listed: Vec<&Digest> = referrers.iter().map(|(_, referrer)| referrer).collect();
    let versions = listed_with(&app, 950, &listed, Duration::days(80));
    let (github, world) = github_listing(&registry, &app, &versions, 100).await;
    let (output, text) = execute(&registry, &github, &world, &referrers).await;
    assert!(output.status.success(), "{output:?}\n{text}");
    assert!(
        world.remaining().contains(&950) && world.remaining().contains(&951),
        "{text}"
    );
    assert!(!world.remaining().contains(&952), "{text}");
    assert!(
        text.contains(&format!(
            "referrer ({bundle}) of {}",
            &app.v3_digest.as_str()[..19]
        )),
        "{text}"
    );
    assert!(
        text.contains("referrer (application/spdx+json) of"),
        "{text}"
    );
}

#[tokio::test]
async fn a_push_during_the_run_that_reuses_old_platform_images_keeps_them() {
    let Some((registry, app, github, world)) = app_scenario(100).await else {
        return;
    };
    // After the first delete, CI pushes a new `latest` that lists two of v1's platform
    // images, which the plan deletes (untagged, 90 days old).
    let reused: Vec<Digest> = app.v1_children[..2]
        .iter()
        .map(|id| digest_of_version(&app, *id))
        .collect();
    world.at(
        Trigger::AfterDelete(1),
        Event::PushIndex {
            tag: "latest".into(),
            reuse: reused,
        },
    );
    let (output, text) = execute(&registry, &github, &world, &[]).await;
    assert!(output.status.success(), "{output:?}\n{text}");
    for id in &app.v1_children[..2] {
        assert!(world.remaining().contains(id), "{id} was deleted:\n{text}");
    }
    assert!(!world.remaining().contains(&app.v1_children[2]), "{text}");
    assert!(text.contains("spared: platform image linux/"), "{text}");
}

/// A small deterministic generator (xorshift64*), so that a failing seed can be run again.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Pushes, tag moves, deletes by another job and refusals at random points of a run (after a
/// page of the listing, after a delete); with a proof before every delete, no seed may delete
/// a manifest that an image tagged at the end needs.
#[tokio::test]
async fn seeded_interleavings_never_delete_what_a_tag_needs() {
    const SEEDS: u64 = 50;
    let mut deleted_in_all = 0;
    let mut broken_by_others = 0;
    // Pushed once; each seed starts a registry on a copy.
    let Some(template) = RealRegistry::start().await else {
        return;
    };
    let app = push_app(&template).await;
    let (old, old_children) = push_old_index(&template).await;
    let v1 = digest_of_version(&app, app.v1_index);
    let bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let referrers = [
        (
            app.v3_digest.clone(),
            template
                .push_referrer(REPOSITORY, &app.v3_digest, bundle)
                .await,
        ),
        (
            v1.clone(),
            template
                .push_referrer(REPOSITORY, &v1, "application/spdx+json")
                .await,
        ),
    ];
    let listed: Vec<&Digest> = old_children
        .iter()
        .chain([&old])
        .chain(referrers.iter().map(|(_, r)| r))
        .collect();
    let versions = listed_with(&app, 900, &listed, Duration::days(100));
    // Two seeds at a time: a run mostly waits on the registry and the scripted server.
    let one_seed = |seed: u64| {
        let (template, app, versions, old_children, referrers) =
            (&template, &app, &versions, &old_children, &referrers);
        async move {
            let mut random = Seeded(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let registry = RealRegistry::start_copy(template).await.unwrap();
            let github = MockServer::start().await;
            let page_size = 3 + random.below(6);
            let world = World::mount(&github, &registry, versions, page_size).await;
            for descriptor in &app.descriptors {
                world.describe(descriptor);
            }
            let ids: Vec<i64> = versions.iter().map(|v| v["id"].as_i64().unwrap()).collect();
            let digests: Vec<Digest> = versions
                .iter()
                .map(|v| Digest::parse(v["name"].as_str().unwrap()).unwrap())
                .collect();
            let tagged = [app.v1_index, app.v2_index, app.v3_index];
            let untagged: Vec<Digest> = app
                .v1_children
                .iter()
                .chain(&app.v2_children)
                .map(|id| digest_of_version(app, *id))
                .chain(old_children.iter().cloned())
                .collect();
            for _ in 0..(2 + random.below(4)) {
                let trigger = if random.below(3) == 0 {
                    Trigger::AfterPage(1 + random.below(3))
                } else {
                    Trigger::AfterDelete(1 + random.below(10))
                };
                let event = match random.below(4) {
                    0 => Event::DeleteVersion(*random.pick(&ids)),
                    1 => Event::MoveTag {
                        tag: random.pick(&["latest", "v1", "v2", "edge"]).to_string(),
                        digest: random.pick(&digests).clone(),
                    },
                    2 => {
                        let mut reuse = Vec::new();
                        for _ in 0..(1 + random.below(3)) {
                            reuse.push(random.pick(&untagged).clone());
                        }
                        Event::PushIndex {
                            tag: random.pick(&["latest", "edge", "v4"]).to_string(),
                            reuse,
                        }
                    }
                    _ => Event::Refuse(*random.pick(&tagged)),
                };
                world.at(trigger, event);
            }
            let keep = random.below(3).to_string();
            let more = [
                "--keep-tagged",
                &keep,
                "--untagged-older-than-days",
                "14",
                "--proof-max-deletes",
                "1",
                "--deletes-per-minute",
                "60000",
                "--execute",
            ];
            let output = run(PRUNE, &github, &prune_args(&["app"], &registry, &more)).await;
            let text = stdout(&output);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "seed {seed}: {output:?}"
            );
            // Another job's delete may break an image by itself; the run under test must not.
            let by_run: BTreeSet<String> = world
                .deleted_by_run()
                .iter()
                .map(|d| d.to_string())
                .collect();
            let broken = registry.broken_images(REPOSITORY, referrers).await;
            let by_us: Vec<&String> = broken
                .iter()
                .filter(|problem| {
                    by_run
                        .iter()
                        .any(|digest| problem.ends_with(&format!("needs {digest}, which is gone")))
                })
                .collect();
            assert!(
            by_us.is_empty(),
            "seed {seed} (page size {page_size}, keep {keep}): the run deleted what a tag needs: {by_us:#?}\nwhat happened:\n{}\n{text}",
            world.log()
        );
            (world.deletes(), broken.len())
        }
    };
    let seeds: Vec<u64> = (1..=SEEDS).collect();
    for pair in seeds.chunks(2) {
        for (deletes, broken) in
            futures_util::future::join_all(pair.iter().map(|&s| one_seed(s))).await
        {
            deleted_in_all += deletes;
            broken_by_others += broken;
        }
    }
    // Not vacuous: the runs deleted plenty.
    assert!(
        deleted_in_all > 5 * SEEDS as usize,
        "{deleted_in_all} deletes in all"
    );
    eprintln!(
        "{SEEDS} seeds: {deleted_in_all} deletes, {broken_by_others} parts broken by other jobs"
    );
}

#[tokio::test]
async fn the_tag_list_is_read_whole_and_an_unknown_repository_has_none() {
    let Some(registry) = RealRegistry::start().await else {
        return;
    };
    let mut expected = Vec::new();
    for n in 0..5 {
        let image = registry
            .push_image(REPOSITORY, ImageFormat::Oci, "amd64", &format!("t{n}"))
            .await;
        assert!(
            registry
                .tag(REPOSITORY, &format!("t{n}"), &digest_of(&image))
                .await
        );
        expected.push(format!("t{n}"));
    }
    let client = examples::Registry::new(&registry.url, None)
        .unwrap()
        .tags_per_page(2);
    let tags = client.tags(REPOSITORY).await.unwrap();
    assert_eq!(tags, Some(expected));
    // Distribution 2.8 answers the whole list whatever `n` asks (paging came with 3.0), so
    // following `Link` is tested against a scripted registry (`tests/run.rs`).
    assert_eq!(client.reads().tag_pages, 1);
    // A repository the registry does not know answers 404: no tags.
    assert_eq!(client.tags("octo-org/nothing").await.unwrap(), None);
}
