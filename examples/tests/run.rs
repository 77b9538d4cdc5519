//! The example programs, run as built, against a loopback wiremock server standing in for
//! GitHub (`GITHUB_API_URL`) and, where a registry is incidental, for the registry too. The
//! multi-arch cases run against a real registry in `registry.rs`.

mod support;

use examples::registry::Digest;
use serde_json::{json, Value};
use support::{deletes, mount_package, run, run_with_env, stderr, stdout, Images};
use wiremock::matchers::{header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PRUNE: &str = env!("CARGO_BIN_EXE_prune-versions");

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

/// `octo-org/app`: v3 and v2 are the two newest tagged, v1 is older; one untagged version is
/// 40 days old, one 2 days. GitHub and the registry are both `server`.
#[tokio::test]
async fn a_token_that_expires_mid_run_is_renewed_by_the_token_command() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages"))
        .and(header("authorization", "Bearer ghs_fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([package(1, "app", 3)])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "Bad credentials"})),
        )
        .mount(&server)
        .await;
    // The command mints a token each time it runs: the first has already expired.
    let state = std::env::temp_dir().join(format!("token-command-{}", std::process::id()));
    let _ = std::fs::remove_file(&state);
    let command = format!(
        "if [ -e {0} ]; then echo ghs_fresh; else touch {0}; echo ghs_expired; fi",
        state.display()
    );
    let output = run_with_env(
        env!("CARGO_BIN_EXE_list-org-containers"),
        &server,
        &["octo-org"],
        &[("GITHUB_TOKEN_COMMAND", &command)],
    )
    .await;
    let _ = std::fs::remove_file(&state);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).contains("1 container packages in octo-org"),
        "{output:?}"
    );
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| {
            r.headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(sent, ["Bearer ghs_expired", "Bearer ghs_fresh"]);
    assert!(!stderr(&output).contains("ghs_"), "{}", stderr(&output));
}

async fn app_server() -> MockServer {
    let server = MockServer::start().await;
    let mut images = Images::new("octo-org/app");
    let versions = [
        images.version(105, &["v3", "latest"], 1),
        images.version(104, &[], 2),
        images.version(103, &["v2"], 10),
        images.version(102, &[], 40),
        images.version(101, &["v1"], 90),
    ];
    images.mount(&server).await;
    mount_package(&server, Some("octo-org"), "app", &versions).await;
    server
}

/// The policy the `app_server` versions are planned with, reading manifests from `server`.
fn prune_args(server: &MockServer, more: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--org",
        "octo-org",
        "--package",
        "app",
        "--keep-tagged",
        "2",
        "--untagged-older-than-days",
        "14",
        "--registry",
    ]
    .map(str::to_owned)
    .to_vec();
    args.push(server.uri());
    args.extend(more.iter().map(|arg| arg.to_string()));
    args
}

fn requests_to(requests: &[Request], method_name: &str, path_suffix: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.method.as_str() == method_name && r.url.path().ends_with(path_suffix))
        .count()
}

#[tokio::test]
async fn prune_is_a_dry_run_by_default_and_prints_a_plan() {
    let server = app_server().await;
    let output = run(PRUNE, &server, &prune_args(&server, &[])).await;
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("app: 5 versions; 4 tags and 6 manifests read from octo-org/app"),
        "{text}"
    );
    assert!(text.contains("  2 to delete, 3 kept"), "{text}");
    assert!(
        text.contains("  ACTION   ID  CREATED     VERSION"),
        "{text}"
    );
    let row = text.lines().find(|line| line.contains(" 101 ")).unwrap();
    assert!(row.starts_with("  delete  101  "), "{row}");
    assert!(
        row.contains(" (v1) ") && row.ends_with("  tagged, older than the 2 newest tagged"),
        "{row}"
    );
    assert!(text.contains("untagged, 40 days old"), "{text}");
    assert!(
        text.contains(
            "summary (dry run: nothing was deleted; pass --execute to delete): 2 to delete, 3 kept"
        ),
        "{text}"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests_to(&requests, "DELETE", ""), 0);
    // A dry run does not read versions one by one: that is the pre-delete check.
    assert_eq!(requests_to(&requests, "GET", "/versions/101"), 0);
}

#[tokio::test]
async fn prune_executes_and_waits_out_a_secondary_rate_limit() {
    let server = app_server().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}))
                .insert_header("retry-after", "1"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    let output = run(PRUNE, &server, &prune_args(&server, &["--execute"])).await;
    assert!(output.status.success(), "{output:?}");
    let progress = stderr(&output);
    assert!(
        progress.contains(
            "waiting 1s before retrying DELETE /orgs/octo-org/packages/container/app/versions/101"
        ),
        "{progress}"
    );
    assert!(progress.contains("[1/2] app: 101 "), "{progress}");
    assert!(progress.contains("[2/2] app: 102 sha256:"), "{progress}");
    assert_eq!(
        deletes(&server).await,
        [
            "/orgs/octo-org/packages/container/app/versions/101",
            "/orgs/octo-org/packages/container/app/versions/101",
            "/orgs/octo-org/packages/container/app/versions/102",
        ]
    );
    assert!(stdout(&output).contains("summary: 2 deleted, 3 kept"));
}

#[tokio::test]
async fn a_partial_failure_exits_non_zero_and_says_what_was_not_deleted() {
    let server = MockServer::start().await;
    let mut images = Images::new("octo-org/app");
    let versions = [
        images.version(10, &["v2"], 1),
        images.version(9, &["v1"], 90),
        images.version(8, &["v0"], 100),
        images.version(3, &[], 60),
        images.version(2, &[], 70),
        images.version(1, &[], 80),
    ];
    images.mount(&server).await;
    let last_tagged = json!({"message": "You cannot delete the last tagged version of a package. You must delete the package instead."});
    Mock::given(method("DELETE"))
        .and(path("/orgs/octo-org/packages/container/app/versions/8"))
        .respond_with(ResponseTemplate::new(400).set_body_json(last_tagged))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/orgs/octo-org/packages/container/app/versions/1"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"))
        .with_priority(1)
        .mount(&server)
        .await;
    mount_package(&server, Some("octo-org"), "app", &versions).await;

    let uri = server.uri();
    let args = [
        "--org",
        "octo-org",
        "--package",
        "app",
        "--keep-tagged",
        "1",
        "--execute",
        "--registry",
        &uri,
    ];
    let output = run(PRUNE, &server, &args).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("summary: 1 deleted, 1 refused, 1 failed, 2 not attempted, 1 kept"),
        "{text}"
    );
    assert!(
        text.contains("    not deleted: 8 sha256:")
            && text.contains("(v0): refused: You cannot delete the last tagged version"),
        "{text}"
    );
    assert!(
        text.contains(": failed: the server answered 502 Bad Gateway"),
        "{text}"
    );
    assert_eq!(
        text.matches("not attempted: stopped after version 1 failed")
            .count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("some versions that should have been deleted were not"),
        "{text}"
    );
    // Tagged first (oldest first), then untagged oldest first; nothing after the failure.
    assert_eq!(
        deletes(&server).await,
        [
            "/orgs/octo-org/packages/container/app/versions/8",
            "/orgs/octo-org/packages/container/app/versions/9",
            "/orgs/octo-org/packages/container/app/versions/1",
        ]
    );
}

#[tokio::test]
async fn a_version_tagged_since_the_plan_is_spared() {
    let server = MockServer::start().await;
    let mut images = Images::new("octo-org/app");
    let listed = [images.version(2, &["v1"], 1), images.version(1, &[], 40)];
    let mut now = listed[1].clone();
    now["metadata"]["container"]["tags"] = json!(["hotfix"]);
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages/container/app/versions/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(now))
        .with_priority(1)
        .mount(&server)
        .await;
    images.mount(&server).await;
    mount_package(&server, Some("octo-org"), "app", &listed).await;
    let output = run(PRUNE, &server, &prune_args(&server, &["--execute"])).await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(deletes(&server).await, Vec::<String>::new());
    let text = stdout(&output);
    assert!(
        text.contains("not deleted: 1 sha256:")
            && text.contains("spared: its tags changed since the plan (planned [], now [hotfix])"),
        "{text}"
    );
}

#[tokio::test]
async fn patterns_choose_packages_and_tags() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            package(1, "app-api", 3),
            package(2, "app-web", 3),
            package(3, "tools", 1)
        ])))
        .mount(&server)
        .await;
    for name in ["app-api", "app-web"] {
        let mut images = Images::new(&format!("octo-org/{name}"));
        let versions = [
            images.version(30, &["pr-12"], 1),
            images.version(20, &["pr-11"], 20),
            images.version(15, &["pr-10", "release-1.0"], 25),
            images.version(10, &["v1.0"], 30),
        ];
        images.mount(&server).await;
        mount_package(&server, Some("octo-org"), name, &versions).await;
    }
    let uri = server.uri();
    let args = [
        "--org",
        "octo-org",
        "--package",
        "app-*",
        "--package",
        "app-api",
        "--tag",
        "pr-*",
        "--keep-tag",
        "release-*",
        "--keep-tagged",
        "1",
        "--registry",
        &uri,
        "--execute",
    ];
    let output = run(PRUNE, &server, &args).await;
    assert!(output.status.success(), "{output:?}");
    // Per package: pr-11 goes; pr-12 is the newest PR build, v1.0 matches no --tag pattern,
    // and 15 is a release as well as a PR build.
    assert_eq!(
        deletes(&server).await,
        [
            "/orgs/octo-org/packages/container/app-api/versions/20",
            "/orgs/octo-org/packages/container/app-web/versions/20",
        ]
    );
    let text = stdout(&output);
    assert!(text.contains("tag v1.0 matches no --tag pattern"), "{text}");
    assert!(
        text.contains("tag release-1.0 matches --keep-tag release-*"),
        "{text}"
    );
    assert!(text.contains("summary: 2 deleted, 6 kept"), "{text}");

    let output = run(
        PRUNE,
        &server,
        &[
            "--org",
            "octo-org",
            "--package",
            "nothing-*",
            "--registry",
            &uri,
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stdout(&output).contains("nothing-*: not pruned: no container package matches `nothing-*`")
    );
}

#[tokio::test]
async fn max_deletions_leaves_the_rest_for_the_next_run() {
    let server = app_server().await;
    let output = run(
        PRUNE,
        &server,
        &prune_args(&server, &["--execute", "--max-deletions", "1"]),
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        deletes(&server).await,
        ["/orgs/octo-org/packages/container/app/versions/101"]
    );
    assert!(stdout(&output).contains("summary: 1 deleted, 1 deferred to the next run, 3 kept"));
}

#[tokio::test]
async fn the_authenticated_user_s_images_are_read_under_their_login() {
    let server = MockServer::start().await;
    let mut images = Images::new("octocat/app");
    let versions = [
        images.version(2, &["v2"], 1),
        images.version(1, &["v1"], 30),
    ];
    images.mount(&server).await;
    mount_package(&server, None, "app", &versions).await;
    let uri = server.uri();
    let args = [
        "--me",
        "--package",
        "app",
        "--keep-tagged",
        "1",
        "--registry",
        &uri,
        "--execute",
    ];
    let output = run(PRUNE, &server, &args).await;
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).contains("manifests read from octocat/app"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        deletes(&server).await,
        ["/user/packages/container/app/versions/1"]
    );
}

#[tokio::test]
async fn the_registry_login_is_the_github_token_under_github_actor() {
    let server = app_server().await;
    let challenge = format!(
        r#"Bearer realm="{}/token",service="registry.test""#,
        server.uri()
    );
    Mock::given(method("GET"))
        .and(|request: &Request| {
            let bearer = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok());
            request.url.path().starts_with("/v2/") && bearer != Some("Bearer pull-token")
        })
        .respond_with(
            ResponseTemplate::new(401).insert_header("www-authenticate", challenge.as_str()),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    // `octo-bot:ghp_example_token_1234` in base64, computed outside this code.
    Mock::given(method("GET"))
        .and(path("/token"))
        .and(header(
            "authorization",
            "Basic b2N0by1ib3Q6Z2hwX2V4YW1wbGVfdG9rZW5fMTIzNA==",
        ))
        .and(query_param("scope", "repository:octo-org/app:pull"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": "pull-token"})))
        .mount(&server)
        .await;
    let output = run_with_env(
        PRUNE,
        &server,
        &prune_args(&server, &[]),
        &[("GITHUB_ACTOR", "octo-bot")],
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout(&output).contains("4 tags and 6 manifests read from octo-org/app"),
        "{}",
        stdout(&output)
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests_to(&requests, "GET", "/token"), 1);
}

/// `count` old untagged versions, 100 a page, with `Link` headers; the page numbered
/// `failing` (if any) answers 422.
async fn long_listing(count: i64, failing: Option<i64>) -> MockServer {
    let server = MockServer::start().await;
    let versions: Vec<Value> = (1..=count)
        .rev()
        .map(|id| support::version(id, Digest::of(&id.to_be_bytes()).as_str(), &[], 30))
        .collect();
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages/container/app"))
        .respond_with(ResponseTemplate::new(200).set_body_json(package(1, "app", count as u64)))
        .mount(&server)
        .await;
    // The registry has no tags: nothing needs the untagged versions.
    Mock::given(method("GET"))
        .and(path("/v2/octo-org/app/tags/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tags": []})))
        .mount(&server)
        .await;
    let pages = versions.chunks(100).count() as i64;
    for (number, page) in (1..).zip(versions.chunks(100)) {
        let mut answer = ResponseTemplate::new(200).set_body_json(page);
        if number < pages {
            let next = format!(
                "<{}/orgs/octo-org/packages/container/app/versions?per_page=100&state=active&page={}>; rel=\"next\"",
                server.uri(),
                number + 1
            );
            answer = answer.insert_header("link", next.as_str());
        }
        if failing == Some(number) {
            answer =
                ResponseTemplate::new(422).set_body_json(json!({"message": "Validation Failed"}));
        }
        let page_param = number.to_string();
        Mock::given(method("GET"))
            .and(path("/orgs/octo-org/packages/container/app/versions"))
            .and(move |request: &Request| {
                let page = request
                    .url
                    .query_pairs()
                    .find(|(key, _)| key == "page")
                    .map(|(_, v)| v.into_owned());
                page.as_deref().unwrap_or("1") == page_param
            })
            .respond_with(answer)
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn a_long_listing_reports_progress_in_plain_lines() {
    let server = long_listing(2500, None).await;
    let output = run(PRUNE, &server, &prune_args(&server, &["--json"])).await;
    assert!(output.status.success(), "{output:?}");
    let progress = stderr(&output);
    assert!(
        progress
            .contains("listing app: 1000 of 2500 versions\nlisting app: 2000 of 2500 versions\n"),
        "{progress}"
    );
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["summary"]["would_delete"], 2500);
}

#[tokio::test]
async fn a_listing_that_fails_part_way_plans_nothing() {
    let server = long_listing(300, Some(2)).await;
    let output = run(PRUNE, &server, &prune_args(&server, &["--execute"])).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("app: the listing failed after 100 versions: "),
        "{text}"
    );
    assert!(text.contains("Validation Failed"), "{text}");
    assert_eq!(deletes(&server).await, Vec::<String>::new());
}

#[tokio::test]
async fn bad_arguments_are_usage_errors() {
    let server = MockServer::start().await;
    let cases: [(&[&str], &str); 8] = [
        (
            &["--package", "app"],
            "one of --org, --user or --me is required",
        ),
        (&["--org", "o"], "--package is required"),
        (
            &["--org", "o", "--me", "--package", "app"],
            "give only one of --org, --user or --me",
        ),
        (
            &["--org", "o", "--package", "app", "--keep-tagged", "-1"],
            "--keep-tagged takes a whole number, not `-1`",
        ),
        (
            &[
                "--org",
                "o",
                "--package",
                "app",
                "--untagged-older-than-days",
                "2w",
            ],
            "takes a whole number of days, not `2w`",
        ),
        (
            &["--org", "o", "--package", "app", "--tag", ""],
            "a tag pattern cannot be empty",
        ),
        (
            &["--org", "o", "--package", "app", "--max-deletions"],
            "--max-deletions needs a value",
        ),
        (
            &["--org", "o", "--package", "app", "--frobnicate"],
            "unknown argument `--frobnicate`",
        ),
    ];
    for (args, message) in cases {
        let output = run(PRUNE, &server, args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let errors = stderr(&output);
        assert!(errors.contains(message), "{args:?}: {errors}");
        assert!(errors.contains("usage: prune-versions"), "{errors}");
    }
    // Container packages need a registry, and a loopback API has no registry of its own.
    let output = run(PRUNE, &server, &["--org", "o", "--package", "app"]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(stderr(&output)
        .contains("cannot tell which container registry serves the API at http://127.0.0.1:"));
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn packages_without_manifests_need_no_registry() {
    let server = MockServer::start().await;
    let versions = [
        support::version(2, "1.0.1", &[], 1),
        support::version(1, "1.0.0", &[], 40),
    ];
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages/npm/lib"))
        .respond_with(ResponseTemplate::new(200).set_body_json(package(1, "lib", 2)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/orgs/octo-org/packages/npm/lib/versions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(versions))
        .mount(&server)
        .await;
    let output = run(
        PRUNE,
        &server,
        &["--org", "octo-org", "--type", "npm", "--package", "lib"],
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).contains(
        "summary (dry run: nothing was deleted; pass --execute to delete): 1 to delete, 1 kept"
    ));
}

/// A registry with the OCI 1.1 referrers API (distribution 3, several hosted registries;
/// Debian's 2.8 has none, so it is scripted here): the referrers of what a tag needs come from
/// it, and untagged candidates are not read one by one.
#[tokio::test]
async fn referrers_come_from_the_referrers_api_where_the_registry_has_one() {
    let server = MockServer::start().await;
    let mut images = Images::new("octo-org/app");
    let v1 = images.version(3, &["v1"], 1);
    let kept = Digest::parse(v1["name"].as_str().unwrap()).unwrap();
    let signature = Digest::of(b"a sigstore bundle of v1, never served");
    let orphan = Digest::of(b"an old untagged image, never served");
    let versions = [
        v1,
        support::version(2, signature.as_str(), &[], 40),
        support::version(1, orphan.as_str(), &[], 40),
    ];
    images.mount(&server).await;
    let bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    Mock::given(method("GET"))
        .and(path(format!("/v2/octo-org/app/referrers/{kept}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "digest": signature.as_str(), "size": 1, "artifactType": bundle}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/octo-org/app/referrers/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []
        })))
        .mount(&server)
        .await;
    mount_package(&server, Some("octo-org"), "app", &versions).await;
    let output = run(PRUNE, &server, &prune_args(&server, &["--execute"])).await;
    let text = stdout(&output);
    assert!(output.status.success(), "{output:?}\n{text}");
    assert!(
        text.contains(&format!("referrer ({bundle}) of {}", &kept.as_str()[..19])),
        "{text}"
    );
    assert_eq!(
        deletes(&server).await,
        ["/orgs/octo-org/packages/container/app/versions/1"]
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests_to(&requests, "GET", &format!("/manifests/{signature}")),
        0
    );
    assert_eq!(
        requests_to(&requests, "GET", &format!("/manifests/{orphan}")),
        0
    );
    assert!(requests_to(&requests, "GET", &format!("/referrers/{kept}")) >= 1);
}

/// The registry check before the untagged deletes fails: nothing more of the package is
/// deleted, and the run says why and exits 1.
#[tokio::test]
async fn a_registry_check_that_fails_mid_run_stops_the_package_s_deletes() {
    let server = MockServer::start().await;
    let mut images = Images::new("octo-org/app");
    let versions = [
        images.version(3, &["v2"], 1),
        images.version(2, &["v1"], 90),
        images.version(1, &[], 40),
    ];
    // The plan's tag list is served; the next one, before the untagged delete, is refused.
    Mock::given(method("GET"))
        .and(path("/v2/octo-org/app/tags/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tags": ["v2", "v1"]})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/octo-org/app/tags/list"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"errors": [{"code": "DENIED", "message": "requested access to the resource is denied"}]}),
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    images.mount(&server).await;
    mount_package(&server, Some("octo-org"), "app", &versions).await;
    let args = prune_args(&server, &["--keep-tagged", "1", "--execute"]);
    let output = run(PRUNE, &server, &args).await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{output:?}\n{text}");
    assert_eq!(
        deletes(&server).await,
        ["/orgs/octo-org/packages/container/app/versions/2"],
        "{text}"
    );
    assert!(
        text.contains("nothing deleted: the registry check before deleting failed, so nothing more was deleted: the registry's tag list could not be read")
            && text.contains("DENIED"),
        "{text}"
    );
    assert!(
        text.contains("1 deleted, 1 not attempted, 1 kept"),
        "{text}"
    );
}

/// A registry that pages its tag list (distribution 3, ghcr.io): `n`, then the `Link` header's
/// next page, relative or absolute; a link back to a page already read, or to another
/// server, is an error rather than a loop or a leak.
#[tokio::test]
async fn the_tag_list_follows_the_registry_s_pages() {
    let server = MockServer::start().await;
    let list = "/v2/octo-org/app/tags/list";
    let page = |tags: &[&str], next: Option<String>| {
        let mut answer = ResponseTemplate::new(200).set_body_json(json!({"tags": tags}));
        if let Some(next) = next {
            answer = answer.insert_header("link", next.as_str());
        }
        answer
    };
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("n", "2"))
        .and(|request: &Request| !request.url.query().unwrap_or("").contains("last="))
        .respond_with(page(
            &["a", "b"],
            Some(format!("<{list}?last=b&n=2>; rel=\"next\"")),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("last", "b"))
        .respond_with(page(
            &["c", "d"],
            Some(format!("<{}{list}?last=d&n=2>; rel=\"next\"", server.uri())),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("last", "d"))
        .respond_with(page(&["e"], None))
        .mount(&server)
        .await;
    let registry = examples::Registry::new(&server.uri(), None)
        .unwrap()
        .tags_per_page(2);
    let tags = registry.tags("octo-org/app").await.unwrap().unwrap();
    assert_eq!(tags, ["a", "b", "c", "d", "e"]);
    assert_eq!(registry.reads().tag_pages, 3);

    // A loop, a page elsewhere, and a tag that is not one.
    for (repository, next, tags) in [
        (
            "octo-org/loop",
            Some("</v2/octo-org/loop/tags/list?n=2>; rel=\"next\"".to_owned()),
            vec!["a"],
        ),
        (
            "octo-org/away",
            Some(
                "<http://elsewhere.test/v2/octo-org/away/tags/list?last=a>; rel=\"next\""
                    .to_owned(),
            ),
            vec!["a"],
        ),
        ("octo-org/odd", None, vec!["../x"]),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/{repository}/tags/list")))
            .respond_with(page(&tags, next))
            .mount(&server)
            .await;
        let error = registry.tags(repository).await.unwrap_err().to_string();
        assert!(
            error.contains("already read")
                || error.contains("not a page of the same list")
                || error.contains("not a valid tag"),
            "{repository}: {error}"
        );
    }
}
