//! The example programs, run as built, against a loopback wiremock server standing in for
//! GitHub (`GITHUB_API_URL`).

use github_packages::chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::process::{Command, Output};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn run(binary: &'static str, server: &MockServer, args: &[&str]) -> Output {
    let uri = server.uri();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .args(&args)
            .env("GITHUB_API_URL", uri)
            .env("GITHUB_TOKEN", "ghp_example")
            .output()
            .expect("the example runs")
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn package(id: u64, name: &str, versions: u64) -> Value {
    json!({
        "id": id, "name": name, "package_type": "container", "visibility": "private",
        "url": format!("https://api.github.com/orgs/octo-org/packages/container/{name}"),
        "html_url": format!("https://github.com/orgs/octo-org/packages/container/package/{name}"),
        "version_count": versions,
        "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z"
    })
}

#[tokio::test]
async fn list_org_containers_pages_through_everything() {
    let server = MockServer::start().await;
    let next = format!(
        "<{}/orgs/octo-org/packages?package_type=container&per_page=100&page=2>; rel=\"next\"",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([package(3, "worker", 7)])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages"))
        .and(|request: &Request| request.url.query() == Some("package_type=container&per_page=100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([
                    package(1, "hello_docker", 1),
                    package(2, "goodbye_docker", 2)
                ]))
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    let output = run(
        env!("CARGO_BIN_EXE_list-org-containers"),
        &server,
        &["octo-org"],
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    for line in [
        "hello_docker",
        "goodbye_docker",
        "worker",
        "3 container packages in octo-org",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.contains("     7 versions"), "{text}");
}

fn version(id: u64, tags: &[&str], age_days: i64) -> Value {
    let now: DateTime<Utc> = std::time::SystemTime::now().into();
    let created = (now - Duration::days(age_days)).to_rfc3339_opts(SecondsFormat::Secs, true);
    json!({
        "id": id, "name": format!("sha256:{id:064x}"),
        "url": format!("https://api.github.com/orgs/octo-org/packages/container/app/versions/{id}"),
        "package_html_url": "https://github.com/orgs/octo-org/packages/container/package/app",
        "created_at": created, "updated_at": created,
        "metadata": {"package_type": "container", "container": {"tags": tags}}
    })
}

async fn versions_server() -> MockServer {
    let server = MockServer::start().await;
    let versions = json!([
        version(105, &["v3", "latest"], 1),
        version(104, &[], 2),
        version(103, &["v2"], 10),
        version(102, &[], 40),
        version(101, &["v1"], 90),
    ]);
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages/container/app/versions"))
        .and(query_param("per_page", "100"))
        .and(query_param("state", "active"))
        .respond_with(ResponseTemplate::new(200).set_body_json(versions))
        .mount(&server)
        .await;
    server
}

const PRUNE_ARGS: [&str; 8] = [
    "--org",
    "octo-org",
    "--package",
    "app",
    "--keep-tagged",
    "2",
    "--untagged-older-than-days",
    "14",
];

#[tokio::test]
async fn prune_is_a_dry_run_by_default() {
    let server = versions_server().await;
    let output = run(env!("CARGO_BIN_EXE_prune-versions"), &server, &PRUNE_ARGS).await;
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("app: 5 versions, 2 to delete, 3 kept"),
        "{text}"
    );
    assert!(text.contains("[1/2] would delete 101 "), "{text}");
    assert!(
        text.contains("tagged v1, older than the 2 newest tagged"),
        "{text}"
    );
    assert!(text.contains("[2/2] would delete 102 "), "{text}");
    assert!(text.contains("untagged, 40 days old"), "{text}");
    assert!(text.contains("dry run: nothing was deleted"), "{text}");
    let deletes = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .count();
    assert_eq!(deletes, 0);
}

#[tokio::test]
async fn prune_executes_and_waits_out_a_secondary_rate_limit() {
    let server = versions_server().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}))
                .insert_header("retry-after", "1"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let mut args = PRUNE_ARGS.to_vec();
    args.push("--execute");
    let output = run(env!("CARGO_BIN_EXE_prune-versions"), &server, &args).await;
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("[1/2] deleting 101 "), "{text}");
    assert!(text.contains("[2/2] deleting 102 "), "{text}");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(
        errors.contains(
            "waiting 1s before retrying DELETE /orgs/octo-org/packages/container/app/versions/101"
        ),
        "{errors}"
    );
    let deletes: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "DELETE")
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        deletes,
        [
            "/orgs/octo-org/packages/container/app/versions/101",
            "/orgs/octo-org/packages/container/app/versions/101",
            "/orgs/octo-org/packages/container/app/versions/102",
        ]
    );
}

#[tokio::test]
async fn bad_arguments_are_usage_errors() {
    let server = MockServer::start().await;
    let output = run(
        env!("CARGO_BIN_EXE_prune-versions"),
        &server,
        &["--package", "app"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("one of --org, --user or --me is required"));
}
