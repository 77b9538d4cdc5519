//! What the generated client costs over the code a user would write by hand: decoding a
//! 100-item page of package versions, and whole requests against a loopback server.
//! Prints Markdown for `BENCHMARKS.md`. (Peak heap of huge answers: `memory.rs`.)
//!
//! `cargo bench -p tests --bench client` (`BENCH_ROUNDS=n` for more rounds).
//!
//! The baselines, timed in the same rounds: a minimal hand-written serde struct with the same
//! fields and field types as the generated `PackageVersion`, and bare reqwest sending the
//! same request (same headers, same shared `reqwest::Client`) and decoding into that struct.

use github_packages::chrono::{DateTime, Utc};
use github_packages::reqwest;
use github_packages::{
    GetAllPackageVersionsForPackageOwnedByOrgParams, PackageType, PackageVersion, State,
};
use serde::Deserialize;
use serde_json::Value;
use std::hint::black_box;
use std::time::Duration;
use tests::bench::{
    self, bare_get, client, page_of_versions, KeepAliveServer, Mode, Table, Timings,
};

/// A package version as a user would declare it for serde, with the generated type's fields.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandVersion {
    id: i64,
    name: String,
    url: String,
    package_html_url: String,
    html_url: Option<String>,
    license: Option<String>,
    description: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    metadata: Option<HandMetadata>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandMetadata {
    package_type: HandPackageType,
    container: Option<HandTags>,
    docker: Option<HandTags>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum HandPackageType {
    Npm,
    Maven,
    Rubygems,
    Docker,
    Nuget,
    Container,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandTags {
    tags: Vec<String>,
}

/// Alternating rounds of the generated code (contender 0) and its baseline (contender 1),
/// with enough iterations of each per round to time.
fn generated_against(
    mode: &Mode,
    generated: &mut dyn FnMut(),
    baseline: &mut dyn FnMut(),
) -> Timings {
    let iterations = mode.iterations(Duration::from_millis(50), baseline);
    bench::alternate(
        mode.rounds,
        iterations,
        &mut [("generated", generated), ("baseline", baseline)],
    )
}

fn ratio_row(table: &mut Table, what: &str, timings: &Timings) {
    table.row(vec![
        what.to_owned(),
        bench::duration(timings.median(1)),
        bench::duration(timings.median(0)),
        timings.ratio(0, 1).to_string(),
    ]);
}

fn main() {
    let mode = Mode::from_args(31);
    let page = page_of_versions();
    let mut table = Table::new(&[
        "benchmark",
        "baseline (median)",
        "generated (median)",
        "generated / baseline (IQR)",
    ]);

    if !mode.full {
        println!("(smoke test: one round of one iteration; `cargo bench` measures)\n");
    }

    // Both sides must decode the same data, or the comparison means nothing.
    let generated_page: Vec<PackageVersion> = serde_json::from_slice(&page).expect("decodes");
    let hand_page: Vec<HandVersion> = serde_json::from_slice(&page).expect("decodes");
    assert_eq!(generated_page.len(), 100);
    for (generated, hand) in generated_page.iter().zip(&hand_page) {
        assert_eq!(
            (
                generated.id,
                &generated.name,
                generated.created_at,
                &generated.html_url
            ),
            (hand.id, &hand.name, hand.created_at, &hand.html_url)
        );
        assert_eq!(generated.metadata.is_some(), hand.metadata.is_some());
    }

    // Decoding alone.
    let mut generated = || {
        black_box(
            serde_json::from_slice::<Vec<PackageVersion>>(black_box(&page)).expect("decodes"),
        );
    };
    let mut hand = || {
        black_box(serde_json::from_slice::<Vec<HandVersion>>(black_box(&page)).expect("decodes"));
    };
    let decode = generated_against(&mode, &mut generated, &mut hand);
    ratio_row(
        &mut table,
        &format!("decode a 100-item page ({})", bench::bytes(page.len())),
        &decode,
    );

    // Whole requests: the 100-item page, and one version.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let http = reqwest::Client::new();
    let list_server = KeepAliveServer::start(page.clone());
    let list_client = client(&list_server.base_url, &http);
    let params = GetAllPackageVersionsForPackageOwnedByOrgParams::default()
        .page(1)
        .per_page(100)
        .state(State::Active);
    let mut generated = || {
        runtime.block_on(async {
            let response = list_client
                .get_all_package_versions_for_package_owned_by_org(
                    "octo-org",
                    PackageType::Container,
                    "hello_docker",
                    &params,
                )
                .await
                .expect("loopback answers");
            black_box(response.into_body());
        });
    };
    let list_url = format!(
        "{}/orgs/octo-org/packages/container/hello_docker/versions?page=1&per_page=100&state=active",
        list_server.base_url
    );
    let mut hand = || {
        runtime.block_on(async {
            black_box(bare_get::<Vec<HandVersion>>(&http, list_url.clone()).await);
        });
    };
    let list = generated_against(&mode, &mut generated, &mut hand);
    ratio_row(&mut table, "list 100 versions over loopback", &list);

    let one: Value = serde_json::from_slice::<Vec<Value>>(&page).expect("a list")[0].clone();
    let one_server = KeepAliveServer::start(serde_json::to_vec(&one).expect("serializable"));
    let one_client = client(&one_server.base_url, &http);
    let mut generated = || {
        runtime.block_on(async {
            let response = one_client
                .get_package_version_for_organization(
                    "octo-org",
                    PackageType::Container,
                    "hello_docker",
                    1_000_000,
                )
                .await
                .expect("loopback answers");
            black_box(response.into_body());
        });
    };
    let one_url = format!(
        "{}/orgs/octo-org/packages/container/hello_docker/versions/1000000",
        one_server.base_url
    );
    let mut hand = || {
        runtime.block_on(async {
            black_box(bare_get::<HandVersion>(&http, one_url.clone()).await);
        });
    };
    let single = generated_against(&mode, &mut generated, &mut hand);
    ratio_row(&mut table, "get one version over loopback", &single);

    println!(
        "### Generated client against hand-written code\n\nMedians of {} rounds, contenders \
         alternating; the ratio is the median of per-round ratios, with its interquartile \
         range.\n\n{table}",
        mode.rounds
    );
    println!("### Target\n");
    for (what, timings) in [
        ("decode", &decode),
        ("list round trip", &list),
        ("single round trip", &single),
    ] {
        let ratio = timings.ratio(0, 1).median;
        println!(
            "- {what}: {:+.1}% (target within 5%): {}",
            (ratio - 1.0) * 100.0,
            if ratio <= 1.05 { "met" } else { "NOT MET" }
        );
    }
}
