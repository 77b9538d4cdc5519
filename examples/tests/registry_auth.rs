//! The registry client's login: the `WWW-Authenticate: Bearer` challenge, the token exchange
//! at the realm, and what it refuses. The real registry in `registry.rs` runs without auth,
//! so these run against wiremock playing ghcr.io's part.

use examples::registry::{Credentials, Digest, Registry, RegistryError, OCI_INDEX, OCI_MANIFEST};
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GITHUB_TOKEN: &str = "ghp_example_token_1234";
const REGISTRY_TOKEN: &str = "registry-token-5678";
/// `octocat:ghp_example_token_1234` in base64, computed outside this code (Python's base64).
const BASIC_LOGIN: &str = "Basic b2N0b2NhdDpnaHBfZXhhbXBsZV90b2tlbl8xMjM0";

fn index() -> (Digest, Vec<u8>) {
    let body = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": Digest::of(b"amd64").as_str(), "size": 5,
                       "platform": {"architecture": "amd64", "os": "linux"}}]
    }))
    .unwrap();
    (Digest::of(&body), body)
}

fn manifest_path(digest: &Digest) -> String {
    format!("/v2/octo-org/app/manifests/{digest}")
}

fn registry(server: &MockServer) -> Registry {
    Registry::new(
        &server.uri(),
        Some(Credentials::new("octocat", GITHUB_TOKEN)),
    )
    .unwrap()
    .retry_backoff(Duration::from_millis(1))
}

/// ghcr.io's part: the manifest for the registry token only, a challenge otherwise, and a
/// token endpoint that checks the login, service and scope before answering `token_answer`.
async fn challenging_registry(
    realm: Option<&str>,
    token_answer: ResponseTemplate,
) -> (MockServer, Digest) {
    let server = MockServer::start().await;
    let (digest, body) = index();
    Mock::given(method("GET"))
        .and(path(manifest_path(&digest)))
        .and(header(
            "authorization",
            format!("Bearer {REGISTRY_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, OCI_INDEX))
        .with_priority(1)
        .mount(&server)
        .await;
    let realm = realm.map_or(format!("{}/token", server.uri()), str::to_owned);
    let challenge = format!(
        r#"Bearer realm="{realm}",service="registry.test",scope="repository:octo-org/app:pull""#
    );
    Mock::given(method("GET"))
        .and(path(manifest_path(&digest)))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", challenge.as_str())
                .set_body_json(json!({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .and(header("authorization", BASIC_LOGIN))
        .and(query_param("service", "registry.test"))
        .and(query_param("scope", "repository:octo-org/app:pull"))
        .respond_with(token_answer)
        .mount(&server)
        .await;
    (server, digest)
}

async fn count(server: &MockServer, path_is: &str) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|request| request.url.path() == path_is)
        .count()
}

#[tokio::test]
async fn the_github_token_is_exchanged_once_for_a_pull_token() {
    for answer in [
        json!({"token": REGISTRY_TOKEN}),
        json!({"access_token": REGISTRY_TOKEN, "expires_in": 300}),
    ] {
        let (server, digest) =
            challenging_registry(None, ResponseTemplate::new(200).set_body_json(&answer)).await;
        let registry = registry(&server);
        let manifest = registry.manifest("octo-org/app", &digest).await.unwrap();
        assert_eq!(
            manifest.children[0].digest,
            Digest::of(b"amd64"),
            "{answer}"
        );
        // The token is kept for the repository: the second read needs no exchange.
        registry.manifest("octo-org/app", &digest).await.unwrap();
        assert_eq!(count(&server, "/token").await, 1);
        assert_eq!(count(&server, &manifest_path(&digest)).await, 3);
        let shown = format!("{registry:?}");
        assert!(
            !shown.contains(REGISTRY_TOKEN) && !shown.contains(GITHUB_TOKEN),
            "{shown}"
        );
    }
}

async fn read_error(server: &MockServer, digest: &Digest) -> RegistryError {
    registry(server)
        .manifest("octo-org/app", digest)
        .await
        .unwrap_err()
}

fn assert_no_secret(error: &RegistryError) {
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(
            !shown.contains(GITHUB_TOKEN) && !shown.contains(REGISTRY_TOKEN),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn a_refused_login_is_an_error_without_the_token() {
    // Some servers quote what they were sent.
    let echo = json!({"errors": [{"code": "DENIED", "message": format!("bad credentials {GITHUB_TOKEN}")}]});
    let (server, digest) =
        challenging_registry(None, ResponseTemplate::new(403).set_body_json(echo)).await;
    let error = read_error(&server, &digest).await;
    assert!(matches!(error, RegistryError::Unauthorized(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("answered 403 Forbidden (DENIED: bad credentials <redacted>)"),
        "{error}"
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_token_the_registry_then_refuses_ends_after_one_exchange() {
    let (server, digest) = challenging_registry(
        None,
        ResponseTemplate::new(200).set_body_json(json!({"token": "not-what-it-wants"})),
    )
    .await;
    let error = read_error(&server, &digest).await;
    assert!(
        error
            .to_string()
            .contains("refused the token the registry issued"),
        "{error}"
    );
    assert_no_secret(&error);
    assert_eq!(count(&server, "/token").await, 1);
    assert_eq!(count(&server, &manifest_path(&digest)).await, 2);
}

#[tokio::test]
async fn credentials_never_go_to_a_plain_http_realm_elsewhere() {
    let elsewhere = MockServer::start().await;
    let realm = format!("{}/token", elsewhere.uri());
    let (server, digest) = challenging_registry(Some(&realm), ResponseTemplate::new(200)).await;
    let error = read_error(&server, &digest).await;
    assert!(
        error
            .to_string()
            .contains("neither https nor the registry itself; refusing"),
        "{error}"
    );
    assert_eq!(elsewhere.received_requests().await.unwrap().len(), 0);
    assert_eq!(count(&server, "/token").await, 0);
}

#[tokio::test]
async fn challenges_it_cannot_meet() {
    let (_, body) = index();
    let digest = Digest::of(&body);
    for (challenge, expected) in [
        (
            Some(r#"Basic realm="registry""#),
            "asks for Basic authentication",
        ),
        (Some(r#"Bearer service="registry.test""#), "names no realm"),
        (None, "401 without a WWW-Authenticate challenge"),
    ] {
        let server = MockServer::start().await;
        let mut answer = ResponseTemplate::new(401);
        if let Some(challenge) = challenge {
            answer = answer.insert_header("www-authenticate", challenge);
        }
        Mock::given(method("GET"))
            .respond_with(answer)
            .mount(&server)
            .await;
        let error = read_error(&server, &digest).await;
        assert!(
            error.to_string().contains(expected),
            "{challenge:?}: {error}"
        );
    }
}

async fn serving(answers: Vec<ResponseTemplate>) -> (MockServer, Digest) {
    let server = MockServer::start().await;
    let (digest, _) = index();
    let last = answers.len() - 1;
    for (n, answer) in answers.into_iter().enumerate() {
        let mut mock = Mock::given(method("GET"))
            .and(path(manifest_path(&digest)))
            .respond_with(answer);
        if n < last {
            mock = mock.up_to_n_times(1).with_priority(1);
        }
        mock.mount(&server).await;
    }
    (server, digest)
}

#[tokio::test]
async fn transient_failures_are_retried_and_lasting_ones_reported() {
    let (_, body) = index();
    let ok = ResponseTemplate::new(200).set_body_raw(body, OCI_INDEX);
    let (server, digest) = serving(vec![ResponseTemplate::new(503), ok]).await;
    registry(&server)
        .manifest("octo-org/app", &digest)
        .await
        .unwrap();
    assert_eq!(count(&server, &manifest_path(&digest)).await, 2);

    let (server, digest) = serving(vec![ResponseTemplate::new(503)]).await;
    let error = read_error(&server, &digest).await;
    assert!(
        matches!(error, RegistryError::Status { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(count(&server, &manifest_path(&digest)).await, 4, "bounded");

    let unknown = json!({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]});
    let (server, digest) = serving(vec![ResponseTemplate::new(404).set_body_json(unknown)]).await;
    let error = read_error(&server, &digest).await;
    assert!(
        error
            .to_string()
            .ends_with(": 404 (MANIFEST_UNKNOWN: manifest unknown)"),
        "{error}"
    );
    assert_eq!(
        count(&server, &manifest_path(&digest)).await,
        1,
        "a 404 is not retried"
    );

    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let nowhere = Registry::new(
        &format!("http://{free}"),
        Some(Credentials::new("octocat", GITHUB_TOKEN)),
    )
    .unwrap()
    .retry_backoff(Duration::from_millis(1));
    let error = nowhere.manifest("octo-org/app", &digest).await.unwrap_err();
    assert!(
        matches!(error, RegistryError::Transport { .. }),
        "{error:?}"
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn content_that_is_not_the_digest_asked_for_is_refused() {
    let (server, digest) = serving(vec![
        ResponseTemplate::new(200).set_body_raw(b"{\"manifests\": []}".to_vec(), OCI_INDEX)
    ])
    .await;
    let error = read_error(&server, &digest).await;
    assert_eq!(
        error,
        RegistryError::DigestMismatch {
            expected: digest,
            actual: Digest::of(b"{\"manifests\": []}")
        }
    );
    // Names that would change the URL are refused before anything is sent.
    let error = registry(&server)
        .manifest("octo-org/../admin", &Digest::of(b"x"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RegistryError::InvalidRepository(_)),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
