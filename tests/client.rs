//! The generated client against a loopback server that records raw request lines: exactly
//! what goes on the wire (paths, queries, headers, credentials). How answers become results
//! is tested against wiremock in `wire.rs`.

use github_packages::{
    Client, Error, GetAllPackageVersionsForPackageOwnedByOrgParams,
    ListPackagesForOrganizationParams, PackageType, State, Visibility,
};
use tests::{read_document, reference_dir, RawServer, Reply};

fn example(name: &str) -> String {
    let official = read_document(reference_dir().join("github-openapi/packages.yaml"));
    official["components"]["examples"][name]["value"].to_string()
}

#[tokio::test]
async fn path_parameters_are_always_one_segment() {
    let server = RawServer::start(vec![Reply::json(200, &example("package-org"))]).await;
    let client = server.client();
    let cases = [
        ("org/image", "org%2Fimage"),
        ("..%2F..%2Fadmin", "..%252F..%252Fadmin"),
        ("%2e%2e", "%252e%252e"),
        ("a?b=c", "a%3Fb%3Dc"),
        ("a#frag", "a%23frag"),
        ("a b", "a%20b"),
        ("a\\b", "a%5Cb"),
        ("../x", "..%2Fx"),
        ("...", "..."),
        ("naïve", "na%C3%AFve"),
    ];
    for (name, _) in cases {
        client
            .get_package_for_organization("octo-org", PackageType::Container, name)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let lines: Vec<String> = server
        .received()
        .into_iter()
        .map(|r| r.request_line)
        .collect();
    let expected: Vec<String> = cases
        .iter()
        .map(|(_, encoded)| format!("GET /orgs/octo-org/packages/container/{encoded} HTTP/1.1"))
        .collect();
    assert_eq!(lines, expected);
}

#[tokio::test]
async fn dot_and_empty_segments_are_refused_before_sending() {
    let server = RawServer::start(vec![Reply::json(200, "{}")]).await;
    let client = server.client();
    for name in [".", "..", ""] {
        match client
            .delete_package_for_org("octo-org", PackageType::Npm, name)
            .await
        {
            Err(Error::InvalidPathParameter {
                name: "package_name",
                value,
            }) => assert_eq!(value, name),
            other => panic!("{name:?}: expected InvalidPathParameter, got {other:?}"),
        }
    }
    match client
        .delete_package_for_user("..", PackageType::Npm, "pkg")
        .await
    {
        Err(Error::InvalidPathParameter {
            name: "username", ..
        }) => {}
        other => panic!("expected InvalidPathParameter, got {other:?}"),
    }
    assert!(server.received().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn base_url_path_is_kept_for_enterprise_server() {
    let server = RawServer::start(vec![Reply::json(200, "[]")]).await;
    let client = Client::builder()
        .base_url(format!("{}/api/v3/", server.base_url))
        .build()
        .unwrap();
    client
        .list_docker_migration_conflicting_packages_for_authenticated_user()
        .await
        .unwrap();
    assert_eq!(
        server.received()[0].request_line,
        "GET /api/v3/user/docker/conflicts HTTP/1.1"
    );
}

#[tokio::test]
async fn required_and_optional_query_parameters() {
    let server = RawServer::start(vec![Reply::json(200, &example("packages-for-org"))]).await;
    let client = server.client();
    let packages = client
        .list_packages_for_organization("github", PackageType::Container, &Default::default())
        .await
        .unwrap()
        .into_body();
    assert_eq!(packages.len(), 2);
    let params = ListPackagesForOrganizationParams::default()
        .visibility(Visibility::Internal)
        .page(2)
        .per_page(100);
    client
        .list_packages_for_organization("github", PackageType::Container, &params)
        .await
        .unwrap();
    let versions = GetAllPackageVersionsForPackageOwnedByOrgParams::default().state(State::Deleted);
    client
        .get_all_package_versions_for_package_owned_by_org(
            "github",
            PackageType::Npm,
            "a/b",
            &versions,
        )
        .await
        .unwrap_err(); // the canned body is a package list, not versions: a decode error
    let targets: Vec<String> = server
        .received()
        .iter()
        .map(|r| r.target().to_owned())
        .collect();
    assert_eq!(
        targets,
        [
            "/orgs/github/packages?package_type=container",
            "/orgs/github/packages?package_type=container&visibility=internal&page=2&per_page=100",
            "/orgs/github/packages/npm/a%2Fb/versions?state=deleted",
        ]
    );
}

#[tokio::test]
async fn default_headers_are_sent() {
    let server = RawServer::start(vec![Reply {
        status: 204,
        headers: vec![],
        body: String::new(),
    }])
    .await;
    server
        .client()
        .delete_package_for_authenticated_user(PackageType::Container, "img")
        .await
        .unwrap();
    let request = &server.received()[0];
    assert_eq!(
        request.request_line,
        "DELETE /user/packages/container/img HTTP/1.1"
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer ghp_test_token_never_printed")
    );
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json, application/json;q=0.9")
    );
    assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(
        request.header("user-agent"),
        Some(github_packages::DEFAULT_USER_AGENT)
    );
    assert!(github_packages::DEFAULT_USER_AGENT.starts_with("github-packages/0."));

    let server = RawServer::start(vec![Reply {
        status: 204,
        headers: vec![],
        body: String::new(),
    }])
    .await;
    let client = Client::builder()
        .base_url(&server.base_url)
        .api_version("2026-03-10")
        .user_agent("retention-bot/2.0")
        .build()
        .unwrap();
    client
        .restore_package_for_authenticated_user(PackageType::Npm, "p", &Default::default())
        .await
        .unwrap();
    let request = &server.received()[0];
    assert_eq!(
        request.request_line,
        "POST /user/packages/npm/p/restore HTTP/1.1"
    );
    assert_eq!(request.header("authorization"), None, "no token configured");
    assert_eq!(request.header("x-github-api-version"), Some("2026-03-10"));
    assert_eq!(request.header("user-agent"), Some("retention-bot/2.0"));
}

#[tokio::test]
async fn an_empty_token_means_anonymous() {
    let server = RawServer::start(vec![Reply::json(200, "[]")]).await;
    let client = Client::builder()
        .base_url(&server.base_url)
        .token("  \n")
        .build()
        .unwrap();
    client
        .list_docker_migration_conflicting_packages_for_user("octocat")
        .await
        .unwrap();
    assert_eq!(server.received()[0].header("authorization"), None);
}

#[tokio::test]
async fn no_content_is_unit_and_keeps_headers() {
    let server = RawServer::start(vec![Reply {
        status: 204,
        headers: vec![("x-github-request-id".into(), "ABCD:1234".into())],
        body: String::new(),
    }])
    .await;
    let response = server
        .client()
        .delete_package_version_for_org("o", PackageType::Container, "img", 412_345_678_901)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.request_id(), Some("ABCD:1234"));
    assert_eq!(
        server.received()[0].request_line,
        "DELETE /orgs/o/packages/container/img/versions/412345678901 HTTP/1.1"
    );
}

#[tokio::test]
async fn the_token_never_shows() {
    let token = "ghp_test_token_never_printed";
    let client = Client::builder().token(token).build().unwrap();
    assert!(!format!("{client:?}").contains(token));
    assert!(!format!("{:?}", Client::builder().token(token)).contains(token));
    // A transport error (nothing listens on the port) shows neither the token nor the query,
    // where the restore operations' package `token` parameter travels.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .token(token)
        .build()
        .unwrap();
    let params = github_packages::RestorePackageForOrgParams::default().token("package-secret");
    assert_eq!(
        format!("{params:?}"),
        r#"RestorePackageForOrgParams { token: Some("<redacted>") }"#
    );
    let error = client
        .restore_package_for_org("o", PackageType::Npm, "p", &params)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(token), "{shown}");
        assert!(!shown.contains("package-secret"), "{shown}");
    }
}

#[test]
fn invalid_configuration_is_an_error() {
    for url in ["not a url", "ftp://example.com", "file:///etc/passwd"] {
        match Client::builder().base_url(url).build() {
            Err(Error::InvalidConfig(message)) => assert!(message.contains(url), "{message}"),
            other => panic!("{url}: expected InvalidConfig, got {other:?}"),
        }
    }
    assert!(matches!(
        Client::builder().token("a\nb").build(),
        Err(Error::InvalidConfig(_))
    ));
}
