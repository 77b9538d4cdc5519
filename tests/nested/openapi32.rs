//! Runs inside the crate generated from `tests/specs/openapi32/additions.yaml` (copied there
//! by `tests/nested.rs`): what OpenAPI 3.2 adds, on the wire.

mod loopback;

use additions::*;
use loopback::serve;

fn client(url: &str) -> Client {
    Client::builder().base_url(url).build().unwrap()
}

const DOCUMENT: &[u8] = br#"{"id": "d1", "title": "Rust"}"#;

#[tokio::test]
async fn query_and_additional_operations_are_sent_with_their_own_methods() {
    let (url, requests) = serve(vec![
        (200, "application/json", [b"[", DOCUMENT, b"]"].concat()),
        (201, "application/json", DOCUMENT.to_vec()),
        (204, "application/json", Vec::new()),
    ]);
    let client = client(&url);
    let query = DocumentQuery::new("rust".to_owned()).limit(5);
    let found = client.query_documents(&query).await.unwrap().into_body();
    assert_eq!(found[0].title, "Rust");
    let sent = requests.recv().unwrap();
    assert_eq!(sent.request_line, "QUERY /documents HTTP/1.1");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body, serde_json::json!({"text": "rust", "limit": 5}));

    let copy = client.copy_document("d/1", "/archive/d1").await.unwrap();
    assert_eq!((copy.status().as_u16(), copy.body().id.as_str()), (201, "d1"));
    let sent = requests.recv().unwrap();
    assert_eq!(sent.request_line, "COPY /documents/d%2F1 HTTP/1.1");
    assert_eq!(sent.header("destination"), Some("/archive/d1"));

    client.lock_document("d1").await.unwrap();
    assert_eq!(requests.recv().unwrap().request_line, "LOCK /documents/d1 HTTP/1.1");
}

#[tokio::test]
async fn a_querystring_parameter_is_the_whole_query() {
    let (url, requests) = serve(vec![(200, "application/json", b"[]".to_vec())]);
    let criteria = Criteria::new("rust & c".to_owned()).page(2);
    client(&url).find_documents(criteria).await.unwrap();
    let sent = requests.recv().unwrap();
    // The fields in the order serde gives them.
    assert_eq!(sent.request_line, "GET /find?page=2&q=rust%20%26%20c HTTP/1.1");
}

#[tokio::test]
async fn a_querystring_parameter_described_as_json_is_its_text() {
    let (url, requests) = serve(vec![(200, "application/json", b"[]".to_vec()), (200, "application/json", b"[]".to_vec())]);
    let client = client(&url);
    let query = DocumentQuery::new("a&b=c".to_owned()).limit(2);
    client.search_by_json(&SearchByJsonParams::default().query(query)).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(
        sent.request_line,
        "GET /search?%7B%22text%22%3A%22a%26b%3Dc%22%2C%22limit%22%3A2%7D HTTP/1.1"
    );
    // Optional: without it, no query at all.
    client.search_by_json(&SearchByJsonParams::default()).await.unwrap();
    assert_eq!(requests.recv().unwrap().request_line, "GET /search HTTP/1.1");
}

#[tokio::test]
async fn content_given_by_a_media_type_component_is_typed() {
    let (url, _requests) = serve(vec![(200, "application/json", DOCUMENT.to_vec())]);
    let document: Document = client(&url).get_document("d1").await.unwrap().into_body();
    assert_eq!(document.id, "d1");
}

#[tokio::test]
async fn a_discriminator_value_not_mapped_reads_as_the_default_mapping() {
    let (url, _requests) = serve(vec![
        (200, "application/json", br#"{"kind": "circle", "radius": 2.0}"#.to_vec()),
        (200, "application/json", br#"{"kind": "hexagon", "sides": 6}"#.to_vec()),
        (200, "application/json", br#"{"sides": 5}"#.to_vec()),
        (200, "application/json", br#"{"kind": "blob"}"#.to_vec()),
    ]);
    let client = client(&url);
    let shape = |response: Response<Shape>| response.into_body();
    assert!(matches!(shape(client.get_shape(1).await.unwrap()), Shape::Circle(c) if c.radius == 2.0));
    assert!(matches!(shape(client.get_shape(2).await.unwrap()), Shape::Polygon(p) if p.sides == 6));
    assert!(matches!(shape(client.get_shape(3).await.unwrap()), Shape::Polygon(p) if p.sides == 5));
    // Not even the default decodes: kept as sent.
    assert!(matches!(shape(client.get_shape(4).await.unwrap()), Shape::Unknown(v) if v["kind"] == "blob"));
}
