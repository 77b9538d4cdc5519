//! What proving each delete against the registry costs, in registry reads and in time, for a
//! run over 2,000 versions: 40 tagged multi-arch images (2 platform images each) and 1,880 old
//! untagged orphans, in Debian's `docker-registry`, with GitHub's side scripted. The baseline,
//! measured in the same run, proves only for the plan and before the first untagged delete.

#[path = "../tests/support/mod.rs"]
mod support;

use examples::registry::OCI_MANIFEST;
use github_packages::chrono::Duration;
use serde_json::{json, Value};
use std::time::Instant;
use support::world::{aged, World, REPOSITORY};
use support::{digest_of, stdout, ImageFormat, RealRegistry};
use wiremock::MockServer;

const TAGGED: usize = 40;
const ORPHANS: usize = 1_880;
const PRUNE: &str = env!("CARGO_BIN_EXE_prune-versions");

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(template) = RealRegistry::start().await else {
        eprintln!("no registry: nothing measured");
        return;
    };
    let mut versions = Vec::new();
    let mut id = 0;
    let mut add = |digest: &examples::registry::Digest, days: i64| {
        id += 1;
        versions.push(aged(id, digest, Duration::days(days)));
    };
    for n in 0..TAGGED {
        let days = 10 + 2 * (TAGGED - n) as i64;
        let amd64 = template
            .push_image(REPOSITORY, ImageFormat::Oci, "amd64", &format!("{n} amd64"))
            .await;
        let arm64 = template
            .push_image(REPOSITORY, ImageFormat::Oci, "arm64", &format!("{n} arm64"))
            .await;
        let index = template
            .push_index(
                REPOSITORY,
                ImageFormat::Oci,
                &format!("v{n}"),
                &[&amd64, &arm64],
            )
            .await;
        add(&digest_of(&amd64), days);
        add(&digest_of(&arm64), days);
        add(&index, days);
    }
    let config = template
        .push_blob(
            REPOSITORY,
            "application/vnd.oci.image.config.v1+json",
            b"{}",
        )
        .await;
    let layer = template
        .push_blob(
            REPOSITORY,
            "application/vnd.oci.image.layer.v1.tar+gzip",
            b"orphan",
        )
        .await;
    for n in 0..ORPHANS {
        let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config,
            "layers": [layer], "annotations": {"n": n.to_string()}});
        let digest = template.push_manifest(REPOSITORY, None, &manifest).await;
        add(&digest, 100);
    }
    println!(
        "{} versions: {TAGGED} tags (multi-arch images, the 10 newest kept), {ORPHANS} old untagged orphans",
        versions.len()
    );
    println!();
    println!("| proofs every | proofs | reads for the plan | reads before deletes | extra reads / tags | run time / baseline |");
    println!("|---|---|---|---|---|---|");
    let mut baseline_time = None;
    for (label, deletes) in [
        ("plan and phase only (baseline)", "1000000"),
        ("250 deletes (default)", "250"),
        ("100 deletes", "100"),
        ("1 delete", "1"),
    ] {
        let registry = RealRegistry::start_copy(&template).await.unwrap();
        let github = MockServer::start().await;
        let world = World::mount(&github, &registry, &versions, 100).await;
        let args = [
            "--org",
            "octo-org",
            "--package",
            "app",
            "--keep-tagged",
            "10",
            "--untagged-older-than-days",
            "14",
            "--deletes-per-minute",
            "1000000",
            "--proof-max-deletes",
            deletes,
            "--proof-max-seconds",
            "100000",
            "--registry",
            &registry.url,
            "--json",
            "--execute",
        ];
        let started = Instant::now();
        let output = support::run(PRUNE, &github, &args).await;
        let elapsed = started.elapsed();
        let text = stdout(&output);
        let report: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{output:?}"));
        let registry_use = &report["packages"][0]["registry"];
        let total = |reads: &Value| -> u64 {
            ["tag_pages", "heads", "manifests", "referrers"]
                .iter()
                .map(|kind| reads[kind].as_u64().unwrap())
                .sum()
        };
        let plan = total(&registry_use["reads_for_plan"]);
        let before = &registry_use["reads_before_deletes"];
        let baseline = *baseline_time.get_or_insert(elapsed);
        println!(
            "| {label} | {} | {plan} | {} ({} tag pages, {} HEADs, {} manifests) | {:.1} | {:.2} |",
            registry_use["proofs"],
            total(before),
            before["tag_pages"],
            before["heads"],
            before["manifests"],
            total(before) as f64 / TAGGED as f64,
            elapsed.as_secs_f64() / baseline.as_secs_f64(),
        );
        assert_eq!(report["summary"]["deleted"], world.deletes(), "{text}");
    }
}
