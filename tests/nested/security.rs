//! Runs inside the crate generated from `tests/specs/security.yaml` (copied there by
//! `tests/nested.rs`): each credential arrives exactly where the description puts it, only
//! on the operations that ask for it, and never where it may be seen.

mod loopback;

use loopback::{serve, Received};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use vault::*;

const NO_CONTENT: (u16, &str, Vec<u8>) = (204, "text/plain", Vec::new());

fn token_answer(token: &str) -> (u16, &'static str, Vec<u8>) {
    let body = format!(r#"{{"access_token": "{token}", "token_type": "Bearer", "expires_in": 3600}}"#);
    (200, "application/json", body.into_bytes())
}

/// Keeps the `Debug` of every request and answer the hooks see.
#[derive(Clone, Default)]
struct Shown(Arc<std::sync::Mutex<Vec<String>>>);

impl RequestHook for Shown {
    fn on_request(&self, _: &HookContext, request: &mut reqwest::Request) {
        self.0.lock().unwrap().push(format!("{request:?}"));
    }

    fn on_response(&self, _: &HookContext, response: &mut RawResponse) {
        self.0.lock().unwrap().push(format!("{response:?} {}", response.url()));
    }
}

/// Every credential configured, the OAuth2 token URL on the same loopback server.
fn client(url: &str) -> Client {
    client_showing(url, Shown::default())
}

fn client_showing(url: &str, shown: Shown) -> Client {
    Client::builder()
        .hook(shown)
        .base_url(url)
        .header_key("hk-1")
        .query_key("qk-2")
        .cookie_key("ck-3")
        .basic("ada", "pa:ss")
        .bearer_jwt("jwt-4")
        .machine("client-id", "client-secret")
        .machine_token_url(format!("{url}/oauth/token"))
        .header("X-Trace", "client-wide")
        .build()
        .unwrap()
}

/// The credentials a request carried, by where they were.
fn credentials(sent: &Received) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(key) = sent.header("x-api-key") {
        found.push(format!("header {key}"));
    }
    if let Some(authorization) = sent.header("authorization") {
        found.push(format!("authorization {authorization}"));
    }
    if let Some(cookie) = sent.header("cookie") {
        found.push(format!("cookie {cookie}"));
    }
    if sent.target().contains("api_key=") {
        found.push(format!("query {}", sent.target()));
    }
    found
}

#[tokio::test]
async fn each_credential_arrives_where_the_description_puts_it_and_nowhere_else() {
    let (url, requests) = serve(vec![NO_CONTENT; 8]);
    let shown = Shown::default();
    let client = client_showing(&url, shown.clone());

    client.by_header_key(&ByHeaderKeyParams::default().x_trace("mine")).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(credentials(&sent), ["header hk-1"]);
    let traces: Vec<&str> = sent.headers.iter().filter(|(n, _)| n == "x-trace").map(|(_, v)| v.as_str()).collect();
    assert_eq!(traces, ["mine"], "the operation's header goes once, over the client's");

    let response = client.by_query_key(&ByQueryKeyParams::default().limit(5)).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(sent.target(), "/query?limit=5&api_key=qk-2");
    assert_eq!(credentials(&sent), ["query /query?limit=5&api_key=qk-2"]);
    assert!(!response.url().as_str().contains("qk-2"), "{}", response.url());
    assert!(!format!("{response:?}").contains("qk-2"));

    client.by_cookie_key(&ByCookieKeyParams::default().theme("dark")).await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), ["cookie theme=dark; session=ck-3"]);

    client.by_basic().await.unwrap();
    // base64("ada:pa:ss")
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Basic YWRhOnBhOnNz"]);

    client.by_document_default().await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Bearer jwt-4"]);

    client.without_credentials().await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), Vec::<String>::new());

    client.with_two_together().await.unwrap();
    assert_eq!(
        credentials(&requests.recv().unwrap()),
        ["header hk-1", "authorization Basic YWRhOnBhOnNz"]
    );

    // Neither the client's `Debug` nor what the hooks see shows a credential.
    let seen = shown.0.lock().unwrap().join("\n");
    assert!(seen.matches("Sensitive").count() >= 5, "{seen}");
    for shown in [format!("{client:?}"), seen] {
        for secret in ["hk-1", "qk-2", "ck-3", "YWRhOnBhOnNz", "pa:ss", "jwt-4", "client-secret"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

#[tokio::test]
async fn the_oauth2_token_is_fetched_once_reused_and_fetched_again_after_a_401() {
    let (url, requests) = serve(vec![
        token_answer("t-1"),
        NO_CONTENT,
        NO_CONTENT,
        (401, "application/json", br#"{"message": "expired"}"#.to_vec()),
        token_answer("t-2"),
        NO_CONTENT,
    ]);
    let client = client(&url);
    client.by_client_credentials().await.unwrap();
    let token_request = requests.recv().unwrap();
    assert_eq!(token_request.request_line, "POST /oauth/token HTTP/1.1");
    // base64("client-id:client-secret")
    assert_eq!(
        token_request.header("authorization"),
        Some("Basic Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQ=")
    );
    assert_eq!(
        String::from_utf8_lossy(&token_request.body),
        "grant_type=client_credentials&scope=vault.read"
    );
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Bearer t-1"]);

    client.by_client_credentials().await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Bearer t-1"], "reused");

    client.by_client_credentials().await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Bearer t-1"]);
    let again = requests.recv().unwrap();
    assert_eq!(again.request_line, "POST /oauth/token HTTP/1.1", "fetched again after the 401");
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Bearer t-2"]);
}

#[tokio::test]
async fn alternatives_go_by_what_is_configured_and_a_missing_credential_sends_nothing() {
    let (url, requests) = serve(vec![NO_CONTENT, NO_CONTENT]);
    // Only the query key: the second way of `with_alternatives`.
    let client = Client::builder().base_url(&url).query_key("qk-2").build().unwrap();
    client.with_alternatives().await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), ["query /either?api_key=qk-2"]);

    match client.by_basic().await {
        Err(Error::MissingCredentials { operation, alternatives }) => {
            assert_eq!(operation, "by-basic");
            assert_eq!(alternatives, [vec!["basic"]]);
        }
        other => panic!("expected MissingCredentials, got {other:?}"),
    }
    // Nothing was sent: the next request the server sees is this one.
    client.without_credentials().await.unwrap();
    assert_eq!(requests.recv().unwrap().target(), "/public");
}

/// A hook that adds the credentials itself, and counts the operations it saw ask for them.
struct SignsRequests {
    asked: Arc<AtomicUsize>,
}

impl RequestHook for SignsRequests {
    fn on_request(&self, context: &HookContext, request: &mut reqwest::Request) {
        let wants_basic = context
            .operation
            .security
            .is_some_and(|ways| ways.iter().any(|way| way.iter().any(|(scheme, _)| scheme.name == "basic")));
        if wants_basic {
            self.asked.fetch_add(1, Ordering::Relaxed);
            request
                .headers_mut()
                .insert("authorization", reqwest::header::HeaderValue::from_static("Signed by-hook"));
        }
    }
}

#[tokio::test]
async fn a_hook_may_supply_the_credentials_when_the_client_says_so() {
    let (url, requests) = serve(vec![NO_CONTENT]);
    let asked = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .base_url(&url)
        .hook(SignsRequests { asked: asked.clone() })
        .credentials_from_hooks()
        .build()
        .unwrap();
    client.by_basic().await.unwrap();
    assert_eq!(credentials(&requests.recv().unwrap()), ["authorization Signed by-hook"]);
    assert_eq!(asked.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn an_api_key_header_does_not_follow_a_redirect_to_another_origin() {
    let (other, other_requests) = serve(vec![NO_CONTENT]);
    // The loopback server writes the content type as given: a `location` rides along.
    let redirect: &'static str = Box::leak(format!("text/plain\r\nlocation: {other}/header").into_boxed_str());
    let (url, requests) = serve(vec![(307, redirect, Vec::new())]);
    let outcome = client(&url).by_header_key(&ByHeaderKeyParams::default()).await;
    assert_eq!(credentials(&requests.recv().unwrap()), ["header hk-1"]);
    // Not followed: the redirect comes back as it is, and the other origin sees nothing.
    let error = outcome.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(307), "{error:?}");
    assert!(other_requests.recv_timeout(std::time::Duration::from_millis(500)).is_err());
}
