//! The generated client against a wiremock server: all 27 operations (method, path, query,
//! headers, documented example bodies), every error class, `Link` pagination, rate-limit
//! waits and retries, and dispatch by owner.

use futures_util::TryStreamExt;
use github_packages::reqwest::Method as HttpMethod;
use github_packages::{
    ApiErrorKind, Client, Error, GetAllPackageVersionsForPackageOwnedByAuthenticatedUserParams,
    GetAllPackageVersionsForPackageOwnedByOrgParams, ListPackagesForAuthenticatedUserParams,
    ListPackagesForOrganizationParams, ListPackagesForUserParams, Owner,
    OwnerGetAllPackageVersionsForPackageParams, OwnerRestorePackageParams, PackageType,
    ProfileError, RateLimitKind, RestorePackageForAuthenticatedUserParams,
    RestorePackageForOrgParams, RestorePackageForUserParams, RetryPolicy, RetryReason, State,
    Visibility,
};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tests::{read_document, reference_dir, without_nulls};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ghs_installation_token_for_tests";

fn example(name: &str) -> Value {
    let official = read_document(reference_dir().join("github-openapi/packages.yaml"));
    official["components"]["examples"][name]["value"].clone()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(TOKEN)
        .build()
        .unwrap()
}

fn json(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json; charset=utf-8")
}

fn encode<T: serde::Serialize>(
    result: Result<github_packages::Response<T>, Error>,
) -> Result<Value, Error> {
    result.map(|response| serde_json::to_value(response.body()).unwrap())
}

/// Serves `example` (or 204) for `verb target`, runs `call`, and checks what was sent and
/// what was decoded.
async fn check(
    verb: &str,
    target: &str,
    example_name: Option<&str>,
    call: impl AsyncFnOnce(&Client) -> Result<Value, Error>,
) {
    let server = MockServer::start().await;
    let (path_part, query) = target.split_once('?').unwrap_or((target, ""));
    let body = example_name.map(example);
    let response = match &body {
        Some(body) => json(200, body),
        None => ResponseTemplate::new(204),
    };
    Mock::given(method(verb))
        .and(path(path_part))
        .respond_with(response)
        .expect(1)
        .mount(&server)
        .await;
    let decoded = call(&client(&server))
        .await
        .unwrap_or_else(|e| panic!("{verb} {target}: {e}"));
    match &body {
        Some(body) => assert_eq!(
            without_nulls(&decoded),
            without_nulls(body),
            "{verb} {target}: decoded body"
        ),
        None => assert_eq!(decoded, Value::Null, "{verb} {target}: no content"),
    }
    let requests = server.received_requests().await.unwrap();
    let request = &requests[0];
    assert_eq!(
        request.url.query().unwrap_or(""),
        query,
        "{verb} {target}: query"
    );
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        header("accept").as_deref(),
        Some("application/vnd.github+json, application/json;q=0.9")
    );
    assert_eq!(
        header("x-github-api-version").as_deref(),
        Some("2022-11-28")
    );
    assert_eq!(header("authorization"), Some(format!("Bearer {TOKEN}")));
    assert!(header("user-agent").is_some_and(|ua| ua.starts_with("github-packages/")));
    assert!(request.body.is_empty(), "{verb} {target}: no request body");
}

#[tokio::test]
async fn all_27_operations() {
    use PackageType::{Container, Npm, Rubygems};
    // Organization.
    check(
        "GET",
        "/orgs/octo-org/docker/conflicts",
        Some("packages-for-org"),
        async |c| {
            encode(
                c.list_docker_migration_conflicting_packages_for_organization("octo-org")
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/orgs/octo-org/packages?package_type=container&visibility=public&page=2&per_page=50",
        Some("packages-for-org"),
        async |c| {
            let params = ListPackagesForOrganizationParams::default()
                .visibility(Visibility::Public)
                .page(2)
                .per_page(50);
            encode(
                c.list_packages_for_organization("octo-org", Container, &params)
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/orgs/octo-org/packages/container/hello_docker",
        Some("package-org"),
        async |c| {
            encode(
                c.get_package_for_organization("octo-org", Container, "hello_docker")
                    .await,
            )
        },
    )
    .await;
    check(
        "DELETE",
        "/orgs/octo-org/packages/container/hello_docker",
        None,
        async |c| {
            encode(
                c.delete_package_for_org("octo-org", Container, "hello_docker")
                    .await,
            )
        },
    )
    .await;
    check(
        "POST",
        "/orgs/octo-org/packages/container/hello_docker/restore?token=pkg-token",
        None,
        async |c| {
            let params = RestorePackageForOrgParams::default().token("pkg-token");
            encode(
                c.restore_package_for_org("octo-org", Container, "hello_docker", &params)
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/orgs/octo-org/packages/npm/hello-world-npm/versions?page=1&per_page=100&state=deleted",
        Some("package-versions-for-org"),
        async |c| {
            let params = GetAllPackageVersionsForPackageOwnedByOrgParams::default()
                .page(1)
                .per_page(100)
                .state(State::Deleted);
            encode(
                c.get_all_package_versions_for_package_owned_by_org(
                    "octo-org",
                    Npm,
                    "hello-world-npm",
                    &params,
                )
                .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/orgs/octo-org/packages/container/hello_docker/versions/836",
        Some("package-version-org"),
        async |c| {
            encode(
                c.get_package_version_for_organization("octo-org", Container, "hello_docker", 836)
                    .await,
            )
        },
    )
    .await;
    check(
        "DELETE",
        "/orgs/octo-org/packages/container/hello_docker/versions/836",
        None,
        async |c| {
            encode(
                c.delete_package_version_for_org("octo-org", Container, "hello_docker", 836)
                    .await,
            )
        },
    )
    .await;
    check(
        "POST",
        "/orgs/octo-org/packages/container/hello_docker/versions/836/restore",
        None,
        async |c| {
            encode(
                c.restore_package_version_for_org("octo-org", Container, "hello_docker", 836)
                    .await,
            )
        },
    )
    .await;
    // Authenticated user.
    check(
        "GET",
        "/user/docker/conflicts",
        Some("packages-for-user"),
        async |c| {
            encode(
                c.list_docker_migration_conflicting_packages_for_authenticated_user()
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/user/packages?package_type=container&visibility=internal",
        Some("packages-for-user"),
        async |c| {
            let params =
                ListPackagesForAuthenticatedUserParams::default().visibility(Visibility::Internal);
            encode(
                c.list_packages_for_authenticated_user(Container, &params)
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/user/packages/container/hello_docker",
        Some("package-user"),
        async |c| {
            encode(
                c.get_package_for_authenticated_user(Container, "hello_docker")
                    .await,
            )
        },
    )
    .await;
    check(
        "DELETE",
        "/user/packages/container/hello_docker",
        None,
        async |c| {
            encode(
                c.delete_package_for_authenticated_user(Container, "hello_docker")
                    .await,
            )
        },
    )
    .await;
    check(
        "POST",
        "/user/packages/container/hello_docker/restore",
        None,
        async |c| {
            let params = RestorePackageForAuthenticatedUserParams::default();
            encode(
                c.restore_package_for_authenticated_user(Container, "hello_docker", &params)
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/user/packages/container/hello_docker/versions?state=active",
        Some("package-versions-for-authenticated-user"),
        async |c| {
            let params = GetAllPackageVersionsForPackageOwnedByAuthenticatedUserParams::default()
                .state(State::Active);
            encode(
                c.get_all_package_versions_for_package_owned_by_authenticated_user(
                    Container,
                    "hello_docker",
                    &params,
                )
                .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/user/packages/container/hello_docker/versions/214",
        Some("package-version-authenticated-user"),
        async |c| {
            encode(
                c.get_package_version_for_authenticated_user(Container, "hello_docker", 214)
                    .await,
            )
        },
    )
    .await;
    check(
        "DELETE",
        "/user/packages/container/hello_docker/versions/214",
        None,
        async |c| {
            encode(
                c.delete_package_version_for_authenticated_user(Container, "hello_docker", 214)
                    .await,
            )
        },
    )
    .await;
    check(
        "POST",
        "/user/packages/container/hello_docker/versions/214/restore",
        None,
        async |c| {
            encode(
                c.restore_package_version_for_authenticated_user(Container, "hello_docker", 214)
                    .await,
            )
        },
    )
    .await;
    // User by name.
    check(
        "GET",
        "/users/octocat/docker/conflicts",
        Some("packages-for-user"),
        async |c| {
            encode(
                c.list_docker_migration_conflicting_packages_for_user("octocat")
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/users/octocat/packages?package_type=rubygems&per_page=10",
        Some("packages-for-user"),
        async |c| {
            let params = ListPackagesForUserParams::default().per_page(10);
            encode(c.list_packages_for_user("octocat", Rubygems, &params).await)
        },
    )
    .await;
    check(
        "GET",
        "/users/octocat/packages/rubygems/octo-name",
        Some("package-user"),
        async |c| {
            encode(
                c.get_package_for_user("octocat", Rubygems, "octo-name")
                    .await,
            )
        },
    )
    .await;
    check(
        "DELETE",
        "/users/octocat/packages/rubygems/octo-name",
        None,
        async |c| {
            encode(
                c.delete_package_for_user("octocat", Rubygems, "octo-name")
                    .await,
            )
        },
    )
    .await;
    check(
        "POST",
        "/users/octocat/packages/rubygems/octo-name/restore?token=t",
        None,
        async |c| {
            let params = RestorePackageForUserParams::default().token("t");
            encode(
                c.restore_package_for_user("octocat", Rubygems, "octo-name", &params)
                    .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/users/octocat/packages/rubygems/octo-name/versions",
        Some("package-versions-for-user"),
        async |c| {
            encode(
                c.get_all_package_versions_for_package_owned_by_user(
                    "octocat",
                    Rubygems,
                    "octo-name",
                )
                .await,
            )
        },
    )
    .await;
    check(
        "GET",
        "/users/octocat/packages/rubygems/octo-name/versions/387039",
        Some("package-version-user"),
        async |c| {
            encode(
                c.get_package_version_for_user("octocat", Rubygems, "octo-name", 387039)
                    .await,
            )
        },
    )
    .await;
    check(
        "DELETE",
        "/users/octocat/packages/rubygems/octo-name/versions/387039",
        None,
        async |c| {
            encode(
                c.delete_package_version_for_user("octocat", Rubygems, "octo-name", 387039)
                    .await,
            )
        },
    )
    .await;
    check(
        "POST",
        "/users/octocat/packages/rubygems/octo-name/versions/387039/restore",
        None,
        async |c| {
            encode(
                c.restore_package_version_for_user("octocat", Rubygems, "octo-name", 387039)
                    .await,
            )
        },
    )
    .await;
}

/// Serves one answer to any request and returns the error the client makes of it.
async fn error_for(response: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(response)
        .mount(&server)
        .await;
    client(&server)
        .delete_package_version_for_org("octo-org", PackageType::Container, "app", 1)
        .await
        .expect_err("the server refused")
}

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn error_classes() {
    let docs =
        "https://docs.github.com/rest/packages/packages#delete-package-version-for-an-organization";
    let unauthorized = error_for(json(
        401,
        &serde_json::json!({"message": "Requires authentication", "documentation_url": docs}),
    ))
    .await;
    assert_eq!(unauthorized.kind(), Some(ApiErrorKind::Unauthorized));
    assert!(unauthorized.is_auth());
    assert_eq!(unauthorized.api().unwrap().documentation_url(), Some(docs));

    let forbidden = error_for(
        json(403, &serde_json::json!({"message": "Must have admin rights to Repository.", "documentation_url": docs}))
            .insert_header("x-ratelimit-remaining", "4990")
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-reset", "1700000000"),
    )
    .await;
    assert_eq!(forbidden.kind(), Some(ApiErrorKind::Forbidden));
    assert!(forbidden.rate_limited().is_none());
    let rate = forbidden.api().unwrap().rate_limit().unwrap();
    assert_eq!((rate.limit, rate.remaining), (5000, 4990));

    let not_found = error_for(json(
        404,
        &serde_json::json!({"message": "Not Found", "documentation_url": docs}),
    ))
    .await;
    assert!(not_found.is_not_found());
    assert_eq!(
        not_found.to_string(),
        format!("the server answered 404 Not Found: Not Found (see {docs})")
    );

    let last_tag = error_for(
        json(400, &serde_json::json!({"message": "You cannot delete the last tagged version of a package. You must delete the package instead.", "documentation_url": docs}))
            .insert_header("x-github-request-id", "C0DE:1:2:3"),
    )
    .await;
    assert!(last_tag.is_validation());
    let api = last_tag.api().unwrap();
    assert!(api
        .message()
        .unwrap()
        .starts_with("You cannot delete the last tagged version"));
    assert_eq!(api.request_id(), Some("C0DE:1:2:3"));

    let unprocessable = error_for(json(
        422,
        &serde_json::json!({
            "message": "Validation Failed",
            "errors": [{"resource": "Package", "field": "name", "code": "invalid"}],
            "documentation_url": docs
        }),
    ))
    .await;
    assert_eq!(unprocessable.kind(), Some(ApiErrorKind::Validation));
    assert_eq!(unprocessable.api().unwrap().errors()[0]["field"], "name");

    let reset = epoch_now() + 120;
    let primary = error_for(
        json(403, &serde_json::json!({"message": "API rate limit exceeded for installation ID 1.", "documentation_url": docs}))
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-limit", "5000")
            .insert_header("x-ratelimit-used", "5000")
            .insert_header("x-ratelimit-resource", "core")
            .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
    )
    .await;
    let limited = primary.rate_limited().expect("primary rate limit");
    assert_eq!(limited.kind, RateLimitKind::Primary);
    assert!(
        (100..=122).contains(&limited.wait.as_secs()),
        "{:?}",
        limited.wait
    );
    assert_eq!(primary.kind(), Some(ApiErrorKind::RateLimited));
    assert_eq!(
        primary
            .api()
            .unwrap()
            .rate_limit()
            .unwrap()
            .resource
            .as_deref(),
        Some("core")
    );

    let secondary = error_for(
        json(403, &serde_json::json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": docs})),
    )
    .await;
    assert_eq!(
        secondary.rate_limited().map(|l| (l.kind, l.wait.as_secs())),
        Some((RateLimitKind::Secondary, 60))
    );

    let too_many = error_for(ResponseTemplate::new(429).insert_header("retry-after", "17")).await;
    assert_eq!(
        too_many.rate_limited().map(|l| (l.kind, l.wait.as_secs())),
        Some((RateLimitKind::Secondary, 17))
    );

    let html = "<!DOCTYPE html><html><head><title>Unicorn! &middot; GitHub</title></head><body>502</body></html>";
    let bad_gateway = error_for(ResponseTemplate::new(502).set_body_raw(html, "text/html")).await;
    assert_eq!(bad_gateway.kind(), Some(ApiErrorKind::ServerError));
    assert_eq!(bad_gateway.api().unwrap().raw_body(), html);
    assert_eq!(bad_gateway.api().unwrap().message(), None);
    assert_eq!(bad_gateway.status().map(|s| s.as_u16()), Some(502));
    assert!(
        bad_gateway.to_string().contains("<title>Unicorn!"),
        "{bad_gateway}"
    );
}

#[tokio::test]
async fn decode_failures_name_the_path_and_keep_the_body() {
    let server = MockServer::start().await;
    let mut body = example("package-versions-for-org");
    body[1]["id"] = Value::String("not a number".into());
    Mock::given(method("GET"))
        .respond_with(json(200, &body))
        .mount(&server)
        .await;
    let params = GetAllPackageVersionsForPackageOwnedByOrgParams::default();
    let error = client(&server)
        .get_all_package_versions_for_package_owned_by_org("o", PackageType::Npm, "p", &params)
        .await
        .unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path(), "[1].id");
    assert_eq!(decode.raw_body(), body.to_string());
}

/// Three pages of versions, linked as GitHub links them.
async fn three_pages(server: &MockServer, failing_second_page: bool) {
    let versions = example("package-versions-for-user");
    let base = format!("{}/user/packages/container/app/versions", server.uri());
    for page in 1..=3u32 {
        let items: Vec<Value> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let mut v = v.clone();
                v["id"] = Value::from(u64::from(page) * 100 + v["id"].as_u64().unwrap() % 100);
                v
            })
            .collect();
        let mut links = Vec::new();
        if page < 3 {
            links.push(format!(
                "<{base}?per_page=3&page={}>; rel=\"next\"",
                page + 1
            ));
            links.push(format!("<{base}?per_page=3&page=3>; rel=\"last\""));
        }
        if page > 1 {
            links.push(format!(
                "<{base}?per_page=3&page={}>; rel=\"prev\"",
                page - 1
            ));
            links.push(format!("<{base}?per_page=3&page=1>; rel=\"first\""));
        }
        links.push(format!("<{}/hub>; rel=\"hub\"", server.uri()));
        let response = if page == 2 && failing_second_page {
            ResponseTemplate::new(500).set_body_string("boom")
        } else {
            json(200, &Value::Array(items)).insert_header("link", links.join(", ").as_str())
        };
        let matcher = move |request: &Request| {
            let query = request.url.query().unwrap_or("");
            if page == 1 {
                query == "per_page=3"
            } else {
                query == format!("per_page=3&page={page}")
            }
        };
        Mock::given(method("GET"))
            .and(path("/user/packages/container/app/versions"))
            .and(matcher)
            .respond_with(response)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn streams_follow_link_headers_to_the_last_page() {
    let server = MockServer::start().await;
    three_pages(&server, false).await;
    let client = client(&server);
    let params =
        GetAllPackageVersionsForPackageOwnedByAuthenticatedUserParams::default().per_page(3);

    let first = client
        .get_all_package_versions_for_package_owned_by_authenticated_user(
            PackageType::Container,
            "app",
            &params,
        )
        .await
        .unwrap();
    let links = first.links();
    assert!(links.next.unwrap().as_str().ends_with("?per_page=3&page=2"));
    assert!(links.last.unwrap().as_str().ends_with("?per_page=3&page=3"));
    assert_eq!(links.prev, None);

    let ids: Vec<i64> = client
        .get_all_package_versions_for_package_owned_by_authenticated_user_stream(
            PackageType::Container,
            "app",
            &params,
        )
        .map_ok(|version| version.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [168, 139, 170, 268, 239, 270, 368, 339, 370]);
    let targets: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{}?{}", r.url.path(), r.url.query().unwrap_or("")))
        .collect();
    assert_eq!(
        targets[1..],
        [
            "/user/packages/container/app/versions?per_page=3",
            "/user/packages/container/app/versions?per_page=3&page=2",
            "/user/packages/container/app/versions?per_page=3&page=3",
        ]
    );
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_after_the_items_already_yielded() {
    let server = MockServer::start().await;
    three_pages(&server, true).await;
    let params =
        GetAllPackageVersionsForPackageOwnedByAuthenticatedUserParams::default().per_page(3);
    let mut stream = client(&server)
        .get_all_package_versions_for_package_owned_by_authenticated_user_stream(
            PackageType::Container,
            "app",
            &params,
        );
    let mut ids = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(version)) => ids.push(version.id),
            Ok(None) => panic!("the second page fails"),
            Err(error) => break error,
        }
    };
    assert_eq!(ids, [168, 139, 170]);
    assert_eq!(error.kind(), Some(ApiErrorKind::ServerError));
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the stream ends after an error"
    );
}

#[tokio::test]
async fn next_links_to_another_origin_are_not_followed() {
    let server = MockServer::start().await;
    let page = example("packages-for-org");
    Mock::given(method("GET"))
        .respond_with(
            json(200, &page)
                .insert_header("link", "<https://evil.example/steal?page=2>; rel=\"next\""),
        )
        .expect(1)
        .mount(&server)
        .await;
    let items: Vec<Result<String, Error>> =
        futures_util::StreamExt::collect(futures_util::StreamExt::map(
            client(&server)
                .list_docker_migration_conflicting_packages_for_organization_stream("octo-org"),
            |item| item.map(|package| package.name),
        ))
        .await;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_ref().unwrap(), "hello_docker");
    assert!(
        matches!(&items[2], Err(Error::UntrustedLink(url)) if url.host_str() == Some("evil.example"))
    );
}

#[tokio::test]
async fn retries_wait_out_rate_limits_and_server_errors() {
    let server = MockServer::start().await;
    let reset = epoch_now();
    Mock::given(method("GET"))
        .respond_with(
            json(
                403,
                &serde_json::json!({"message": "You have exceeded a secondary rate limit."}),
            )
            .insert_header("retry-after", "1"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            json(
                403,
                &serde_json::json!({"message": "API rate limit exceeded"}),
            )
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", reset.to_string().as_str()),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json(200, &example("package-org")))
        .mount(&server)
        .await;

    let seen: Arc<Mutex<Vec<(u32, RetryReason, Duration)>>> = Arc::default();
    let log = Arc::clone(&seen);
    let policy = RetryPolicy::default()
        .initial_backoff(Duration::from_millis(20))
        .on_retry(move |retry| {
            log.lock()
                .unwrap()
                .push((retry.attempt, retry.reason, retry.wait))
        });
    let client = Client::builder()
        .base_url(server.uri())
        .retry(policy)
        .build()
        .unwrap();
    let package = client
        .get_package_for_organization("github", PackageType::Container, "hello_docker")
        .await
        .unwrap();
    assert_eq!(package.body().name, "hello_docker");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[0],
        (
            1,
            RetryReason::RateLimited(RateLimitKind::Secondary),
            Duration::from_secs(1)
        )
    );
    assert_eq!(seen[1].1, RetryReason::RateLimited(RateLimitKind::Primary));
    assert!(
        seen[1].2 <= Duration::from_secs(2),
        "waits until the reset, which is now: {seen:?}"
    );
    let (attempt, reason, wait) = seen[2];
    assert_eq!(
        (attempt, reason),
        (
            3,
            RetryReason::ServerError(github_packages::reqwest::StatusCode::BAD_GATEWAY)
        )
    );
    assert!(
        (Duration::from_millis(80)..=Duration::from_millis(100)).contains(&wait),
        "backoff 20 ms doubled twice, plus up to a quarter at random: {wait:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
}

/// Answers every request with `response`; returns how many requests arrived.
async fn attempts(
    verb: &str,
    response: ResponseTemplate,
    policy: RetryPolicy,
) -> (usize, Result<(), Error>) {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .respond_with(response)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .retry(policy)
        .build()
        .unwrap();
    let result = match verb {
        "DELETE" => client
            .delete_package_for_org("o", PackageType::Npm, "p")
            .await
            .map(drop),
        "POST" => client
            .restore_package_for_org("o", PackageType::Npm, "p", &Default::default())
            .await
            .map(drop),
        _ => client
            .get_package_for_organization("o", PackageType::Npm, "p")
            .await
            .map(drop),
    };
    (server.received_requests().await.unwrap().len(), result)
}

#[tokio::test]
async fn retries_are_bounded_and_only_for_safe_methods_unless_asked() {
    let fast = || RetryPolicy::default().initial_backoff(Duration::from_millis(1));
    let limited = || ResponseTemplate::new(429).insert_header("retry-after", "0");

    let (count, result) = attempts("GET", ResponseTemplate::new(503), fast().max_retries(2)).await;
    assert_eq!(count, 3, "one try and two retries");
    assert_eq!(result.unwrap_err().kind(), Some(ApiErrorKind::ServerError));

    let (count, _) = attempts("DELETE", ResponseTemplate::new(502), fast()).await;
    assert_eq!(
        count, 1,
        "a DELETE that failed with a 5XX may have been carried out"
    );
    let (count, _) = attempts("DELETE", limited(), fast()).await;
    assert_eq!(count, 1, "DELETE is not retried by default");
    let (count, result) = attempts(
        "DELETE",
        limited(),
        fast()
            .max_retries(1)
            .retry_rate_limits_for([HttpMethod::DELETE]),
    )
    .await;
    assert_eq!((count, result.is_err()), (2, true), "unless asked");

    let (count, _) = attempts("POST", limited(), fast()).await;
    assert_eq!(count, 1, "restore is never retried unless asked");
    let (count, _) = attempts("POST", ResponseTemplate::new(500), fast()).await;
    assert_eq!(count, 1);

    let started = Instant::now();
    let long_wait = ResponseTemplate::new(429).insert_header("retry-after", "3600");
    let (count, result) = attempts(
        "GET",
        long_wait,
        fast().max_total_wait(Duration::from_secs(5)),
    )
    .await;
    assert_eq!(count, 1, "a wait beyond the budget is not started");
    assert_eq!(
        result.unwrap_err().rate_limited().map(|l| l.wait),
        Some(Duration::from_secs(3600))
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, &example("package-org")).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    match client
        .get_package_for_user("octocat", PackageType::Npm, "p")
        .await
    {
        Err(Error::Transport(error)) => assert!(error.is_timeout(), "{error}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn owners_dispatch_to_their_route_family() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, &example("package-org")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let client = client(&server);
    for owner in [
        Owner::org("octo-org"),
        Owner::user("octocat"),
        Owner::AuthenticatedUser,
    ] {
        let package = client
            .owner(&owner)
            .get_package(PackageType::Container, "hello_docker")
            .await
            .unwrap();
        assert_eq!(package.body().id, 197);
        let params = OwnerRestorePackageParams::default().token("pkg");
        client
            .owner(&owner)
            .restore_package(PackageType::Container, "hello_docker", &params)
            .await
            .unwrap();
    }
    let targets: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}{}",
                r.method,
                r.url.path(),
                r.url.query().map(|q| format!("?{q}")).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            "GET /orgs/octo-org/packages/container/hello_docker",
            "POST /orgs/octo-org/packages/container/hello_docker/restore?token=pkg",
            "GET /users/octocat/packages/container/hello_docker",
            "POST /users/octocat/packages/container/hello_docker/restore?token=pkg",
            "GET /user/packages/container/hello_docker",
            "POST /user/packages/container/hello_docker/restore?token=pkg",
        ]
    );
}

#[tokio::test]
async fn a_parameter_the_owners_route_lacks_is_an_error_not_dropped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, &Value::Array(vec![])))
        .mount(&server)
        .await;
    let client = client(&server);
    let params = OwnerGetAllPackageVersionsForPackageParams::default().per_page(100);
    let user = Owner::user("octocat");
    match client
        .owner(&user)
        .get_all_package_versions_for_package(PackageType::Npm, "p", &params)
        .await
    {
        Err(Error::Profile(ProfileError::UnsupportedParameter {
            operation,
            parameter,
        })) => {
            assert_eq!(
                (operation, parameter),
                (
                    "get_all_package_versions_for_package_owned_by_user",
                    "per_page"
                )
            );
        }
        other => panic!("expected UnsupportedParameter, got {other:?}"),
    }
    let streamed: Vec<_> = futures_util::StreamExt::collect::<Vec<_>>(
        client
            .owner(&user)
            .get_all_package_versions_for_package_stream(PackageType::Npm, "p", &params),
    )
    .await;
    assert!(matches!(
        streamed.as_slice(),
        [Err(Error::Profile(
            ProfileError::UnsupportedParameter { .. }
        ))]
    ));
    assert!(server.received_requests().await.unwrap().is_empty());

    let org = Owner::org("octo-org");
    client
        .owner(&org)
        .get_all_package_versions_for_package(PackageType::Npm, "p", &params)
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some("per_page=100"));
}

#[test]
fn enterprise_server_from_the_description() {
    let client = Client::builder()
        .github_enterprise_server("ghe.example.com")
        .build()
        .unwrap();
    assert_eq!(client.base_url().as_str(), "https://ghe.example.com/api/v3");
}
