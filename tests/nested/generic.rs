//! Runs inside the crate generated from `tests/specs/generic.yaml` without a vendor
//! profile (copied there by `tests/nested.rs`): the client sends no vendor's headers and
//! reads errors as the JSON they are.

mod loopback;

use generic::*;
use loopback::serve;

fn client(url: &str) -> Client {
    Client::builder().base_url(url).token("secret-token").build().unwrap()
}

#[tokio::test]
async fn sends_what_the_description_asks_for_and_nothing_else() {
    let (url, requests) = serve(vec![(200, "application/json", br#"[{"id": 1, "name": "a"}]"#.to_vec())]);
    let widgets = client(&url)
        .list_widgets(&ListWidgetsParams::default().page(2))
        .await
        .unwrap()
        .into_body();
    assert_eq!(widgets[0].name, "a");
    let sent = requests.recv().unwrap();
    assert_eq!(sent.request_line, "GET /widgets?page=2 HTTP/1.1");
    assert_eq!(sent.header("accept"), Some("application/json, application/problem+json"));
    assert_eq!(sent.header("authorization"), Some("Bearer secret-token"));
    assert_eq!(sent.header("user-agent"), Some(concat!("generic/", env!("CARGO_PKG_VERSION"))));
    for (name, value) in &sent.headers {
        assert!(!name.contains("github") && !value.contains("github"), "{name}: {value}");
    }
}

#[tokio::test]
async fn errors_keep_their_json_body_and_status() {
    let problem = br#"{"title": "Not Found", "detail": "no widget 7", "status": 404}"#.to_vec();
    let (url, _requests) = serve(vec![
        (404, "application/problem+json", problem),
        (500, "text/html", b"<html><body>upstream down</body></html>".to_vec()),
    ]);
    let client = client(&url);
    let error = client.get_widget(7).await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    let api = error.api().unwrap();
    let body: &serde_json::Value = api.body().expect("a JSON body");
    assert_eq!(body["detail"], "no widget 7");
    assert!(error.to_string().contains("no widget 7"), "{error}");

    let error = client.get_widget(7).await.unwrap_err();
    assert_eq!(error.kind(), Some(ApiErrorKind::ServerError));
    assert_eq!(error.api().unwrap().body(), None);
    assert!(error.api().unwrap().raw_body().contains("upstream down"));
}

#[tokio::test]
async fn only_429_is_a_rate_limit() {
    // GitHub reads a 403 with `retry-after` as its secondary rate limit; plain HTTP does not.
    let (url, _requests) = serve(vec![
        (403, "application/json", br#"{"message": "You have exceeded a secondary rate limit"}"#.to_vec()),
        (429, "application/json", b"{}".to_vec()),
    ]);
    let client = client(&url);
    let forbidden = client.delete_widget(1).await.unwrap_err();
    assert_eq!(forbidden.kind(), Some(ApiErrorKind::Forbidden));
    assert!(forbidden.rate_limited().is_none());
    let limited = client.delete_widget(1).await.unwrap_err();
    assert_eq!(limited.kind(), Some(ApiErrorKind::RateLimited));
    assert_eq!(limited.rate_limited().unwrap().kind, RateLimitKind::TooManyRequests);
}
