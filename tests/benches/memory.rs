//! Peak heap of huge answers: a 50 MiB error body and a 50 MiB list, the generated client
//! against bare reqwest reading the same answers, from a counting allocator (a benchmark of
//! its own, so that counting does not weigh on the timings of `client.rs`). Prints Markdown
//! for `BENCHMARKS.md`.
//!
//! `cargo bench -p tests --bench memory` (`BENCH_ROUNDS=n` for more rounds, at most 5 used).

use github_packages::reqwest;
use github_packages::{
    GetAllPackageVersionsForPackageOwnedByOrgParams, PackageType, PackageVersion,
};
use serde_json::Value;
use tests::bench::{
    self, bare_get, client, page_of_versions, KeepAliveServer, Mode, Table, USER_AGENT,
};

#[global_allocator]
static ALLOCATOR: bench::CountingAllocator = bench::CountingAllocator;

fn main() {
    let mode = Mode::from_args(5);
    if !mode.full {
        println!("(smoke test: one round on 1 MiB answers; `cargo bench` measures 50 MiB)\n");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let http = reqwest::Client::new();
    memory(&mode, &runtime, &http, &page_of_versions());
}

/// A JSON array of package versions cycled from `page`, each with its own id and name, of
/// at least `bytes`; and how many it holds.
fn list_of_at_least(bytes: usize, page: &[u8]) -> (Vec<u8>, usize) {
    let items: Vec<Value> = serde_json::from_slice(page).expect("a list");
    let mut list = Vec::with_capacity(bytes + 4096);
    list.push(b'[');
    let mut count = 0;
    while list.len() < bytes {
        if count > 0 {
            list.push(b',');
        }
        let mut item = items[count % items.len()].clone();
        item["id"] = Value::from(10_000_000 + count);
        item["name"] = Value::from(format!("sha256:{count:064x}"));
        serde_json::to_writer(&mut list, &item).expect("serializable");
        count += 1;
    }
    list.push(b']');
    (list, count)
}

/// Peak heap of a huge error body and a huge list, the generated client against bare
/// reqwest reading the same answer the way a hand-written client does (`text()` for the
/// error; `bytes()` and serde into the same generated `PackageVersion` for the list, so
/// that only the client differs), in alternating rounds.
fn memory(mode: &Mode, runtime: &tokio::runtime::Runtime, http: &reqwest::Client, page: &[u8]) {
    let size: usize = if mode.full { 50 << 20 } else { 1 << 20 };
    let rounds = mode.rounds.min(5);
    let mut table = Table::new(&[
        "answer",
        "body",
        "baseline peak heap (median)",
        "generated peak heap (median)",
        "generated / baseline",
        "generated / body",
    ]);

    let html: Vec<u8> = b"<html><body>"
        .iter()
        .chain(b"upstream error ".iter().cycle().take(size - 26))
        .chain(b"</body></html>")
        .copied()
        .collect();
    let error_server = KeepAliveServer::answering("500 Internal Server Error", "text/html", html);
    let error_client = client(&error_server.base_url, http);
    let error_url = format!(
        "{}/orgs/octo-org/packages/container/hello_docker/versions/1",
        error_server.base_url
    );
    let mut generated = || {
        let (error, peak) = bench::peak_heap(|| {
            runtime.block_on(async {
                error_client
                    .get_package_version_for_organization(
                        "octo-org",
                        PackageType::Container,
                        "hello_docker",
                        1,
                    )
                    .await
                    .expect_err("a 500")
            })
        });
        assert!(error.api().expect("an API error").raw_body().len() <= 64 * 1024);
        peak
    };
    let mut baseline = || {
        let (text, peak) = bench::peak_heap(|| {
            runtime.block_on(async {
                let response = http
                    .get(&error_url)
                    .header(reqwest::header::USER_AGENT, USER_AGENT)
                    .send()
                    .await
                    .expect("loopback answers");
                assert_eq!(response.status().as_u16(), 500);
                response.text().await.expect("whole body")
            })
        });
        assert_eq!(text.len(), size);
        peak
    };
    let peaks = alternate_peaks(rounds, &mut generated, &mut baseline);
    memory_row(&mut table, "500 with an HTML body", size, peaks);

    let (list, count) = list_of_at_least(size, page);
    let list_len = list.len();
    let list_server = KeepAliveServer::start(list);
    let list_client = client(&list_server.base_url, http);
    let params = GetAllPackageVersionsForPackageOwnedByOrgParams::default();
    let list_url = format!(
        "{}/orgs/octo-org/packages/container/hello_docker/versions",
        list_server.base_url
    );
    let mut generated = || {
        let (versions, peak) = bench::peak_heap(|| {
            runtime.block_on(async {
                list_client
                    .get_all_package_versions_for_package_owned_by_org(
                        "octo-org",
                        PackageType::Container,
                        "hello_docker",
                        &params,
                    )
                    .await
                    .expect("loopback answers")
                    .into_body()
            })
        });
        assert_eq!(versions.len(), count);
        peak
    };
    let mut baseline = || {
        let (versions, peak) = bench::peak_heap(|| {
            runtime
                .block_on(async { bare_get::<Vec<PackageVersion>>(http, list_url.clone()).await })
        });
        assert_eq!(versions.len(), count);
        peak
    };
    let peaks = alternate_peaks(rounds, &mut generated, &mut baseline);
    memory_row(
        &mut table,
        &format!("200 with {count} package versions"),
        list_len,
        peaks,
    );

    println!(
        "### Peak heap of huge answers\n\nMost heap held at once while sending the request and \
         reading the answer (and keeping the result), from a counting allocator; medians of {rounds} \
         rounds, contenders alternating.\n\n{table}"
    );
}

/// `(generated, baseline)` peaks, round by round, the first contender alternating.
fn alternate_peaks(
    rounds: usize,
    generated: &mut dyn FnMut() -> usize,
    baseline: &mut dyn FnMut() -> usize,
) -> (Vec<f64>, Vec<f64>) {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            ours.push(generated() as f64);
            theirs.push(baseline() as f64);
        } else {
            theirs.push(baseline() as f64);
            ours.push(generated() as f64);
        }
    }
    (ours, theirs)
}

fn memory_row(table: &mut Table, what: &str, body: usize, (ours, theirs): (Vec<f64>, Vec<f64>)) {
    let (ours, theirs) = (bench::median(&ours), bench::median(&theirs));
    table.row(vec![
        what.to_owned(),
        bench::bytes(body),
        bench::bytes(theirs as usize),
        bench::bytes(ours as usize),
        format!("{:.3}", ours / theirs),
        format!("{:.3}", ours / body as f64),
    ]);
}
