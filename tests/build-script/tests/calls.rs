//! The client the build script generated, against a wiremock server on 127.0.0.1 (it stops
//! when the test drops it): what it sends, and the typed values it makes of the answers.

use build_script_consumer::pet_names;
use build_script_consumer::petstore::types::Problem;
use build_script_consumer::petstore::{Client, Error, Kind, NewPet, Pet, PetPage};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .build()
        .expect("the client builds")
}

async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.expect("recording is on");
    assert_eq!(received.len(), 1, "{received:?}");
    received.remove(0)
}

#[tokio::test]
async fn a_get_sends_its_path_and_query_and_decodes_the_object() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/stores/north%20side/pets"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "pets": [
                {"id": 7, "name": "Rex", "kind": "dog", "born": "2019-04-01"},
                {"id": 8, "name": "Fido", "kind": "dog"}
            ],
            "total": 2,
            "next": null
        })))
        .mount(&server)
        .await;

    let names = pet_names(&client(&server), "north side", Kind::Dog)
        .await
        .expect("the listing succeeds");
    assert_eq!(names, ["Rex", "Fido"]);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/stores/north%20side/pets");
    assert_eq!(request.url.query(), Some("kind=dog&limit=50"));
    assert_eq!(request.headers["accept"], "application/json");
    // The user agent names the crate that includes the module, where `CARGO_PKG_NAME` is read.
    let agent = request.headers["user-agent"].to_str().unwrap();
    assert!(agent.starts_with("build-script-consumer/"), "{agent}");
}

#[tokio::test]
async fn the_typed_page_keeps_every_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/stores/s1/pets"))
        .and(query_param("kind", "cat"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "pets": [{"id": 1, "name": "Tom", "kind": "cat", "born": "2020-02-29"}],
            "total": 40,
            "next": "page-2"
        })))
        .mount(&server)
        .await;
    let params = build_script_consumer::petstore::ListPetsParams::default().kind(Kind::Cat);
    let page: PetPage = client(&server)
        .list_pets("s1", &params)
        .await
        .expect("the listing succeeds")
        .body()
        .clone();
    assert_eq!(page.total, 40);
    assert_eq!(page.next.as_deref(), Some("page-2"));
    let [tom] = page.pets.as_slice() else {
        panic!("one pet: {:?}", page.pets)
    };
    assert_eq!(
        (tom.id, tom.name.as_str(), &tom.kind),
        (1, "Tom", &Kind::Cat)
    );
    assert_eq!(
        tom.born.map(|day| day.to_string()).as_deref(),
        Some("2020-02-29")
    );
}

#[tokio::test]
async fn a_post_sends_its_json_body_and_decodes_the_created_value() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/stores/s1/pets"))
        .and(body_json(json!({"name": "Nemo", "kind": "fish"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": 99, "name": "Nemo", "kind": "fish"
        })))
        .mount(&server)
        .await;

    let created = client(&server)
        .add_pet("s1", &NewPet::new("Nemo", Kind::Fish))
        .await
        .expect("the pet is added");
    assert_eq!(created.status().as_u16(), 201);
    let pet: &Pet = created.body();
    assert_eq!(
        (pet.id, pet.name.as_str(), &pet.kind, pet.born),
        (99, "Nemo", &Kind::Fish, None)
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.headers["content-type"], "application/json");
    let sent: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(sent, json!({"name": "Nemo", "kind": "fish"}));
}

#[tokio::test]
async fn an_error_response_is_an_api_error_with_its_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/stores/s1/pets"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "a pet needs a name", "field": "name"
        })))
        .mount(&server)
        .await;

    let error = client(&server)
        .add_pet("s1", &NewPet::new("", Kind::Dog))
        .await
        .expect_err("the server refuses");
    let Error::Api(refusal) = &error else {
        panic!("an API error: {error:?}")
    };
    assert_eq!(refusal.status().as_u16(), 422);
    assert!(error.is_validation(), "{error:?}");
    let problem: Problem = serde_json::from_str(refusal.raw_body()).unwrap();
    assert_eq!(problem.message, "a pet needs a name");
    assert_eq!(problem.field.as_deref(), Some("name"));
}

/// `list-stores` has another tag than `list-pets`: a generated crate would compile each
/// behind its own feature, the module compiles both.
#[tokio::test]
async fn operations_of_every_tag_are_there() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/stores"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(["north side", "s1"])))
        .mount(&server)
        .await;
    let stores = client(&server)
        .list_stores()
        .await
        .expect("the stores list");
    assert_eq!(stores.body(), &["north side", "s1"]);
}

#[tokio::test]
async fn a_streamed_answer_from_the_module_form_is_read_event_by_event() {
    use futures_util::StreamExt;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/topics/news/events"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "id: 1\ndata: {\"index\": 1, \"text\": \"a\"}\n\ndata: {\"index\": 2, \"text\": \"b\"}\n\n",
            "text/event-stream",
        ))
        .mount(&server)
        .await;
    let client = build_script_consumer::streams::Client::builder()
        .base_url(server.uri())
        .build()
        .expect("the client builds");
    let events: Vec<_> = client
        .watch_topic("news")
        .await
        .expect("a stream")
        .into_body()
        .collect()
        .await;
    let texts: Vec<(i64, String, Option<String>)> = events
        .into_iter()
        .map(|event| {
            let event = event.expect("an event");
            (event.data.index, event.data.text, event.id)
        })
        .collect();
    assert_eq!(
        texts,
        [
            (1, "a".to_owned(), Some("1".to_owned())),
            (2, "b".to_owned(), Some("1".to_owned()))
        ]
    );
}
