//! Runs inside the crate generated from `tests/specs/breadth.yaml` (copied there by
//! `tests/nested.rs`): the constructs decode, encode and travel as the description says.

mod loopback;

use breadth::*;
use loopback::serve;
use serde_json::json;

fn client(url: &str) -> Client {
    Client::builder().base_url(url).build().unwrap()
}

#[test]
fn discriminated_one_of_picks_by_property_and_keeps_unknown_values() {
    let dog = json!({"kind": "doggo", "name": "Rex", "barks": true, "tricks": {"sit": 3}});
    let Pet::Dog(rex) = serde_json::from_value(dog.clone()).unwrap() else { panic!("a dog") };
    assert_eq!(rex.tricks.as_ref().unwrap()["sit"], 3);
    assert_eq!(serde_json::to_value(Pet::Dog(rex)).unwrap(), dog);

    let cat = json!({"kind": "cat", "name": "Tom", "mood": "with space", "lives": 9});
    let Pet::Cat(tom) = serde_json::from_value(cat.clone()).unwrap() else { panic!("a cat") };
    assert_eq!(tom.mood, Some(Mood::WithSpace));
    assert_eq!(serde_json::to_value(Pet::Cat(tom)).unwrap(), cat);

    let parrot = json!({"kind": "parrot", "name": "Polly"});
    assert_eq!(serde_json::from_value::<Pet>(parrot.clone()).unwrap(), Pet::Unknown(parrot));
    assert!(serde_json::from_value::<Pet>(json!({"kind": "cat", "name": 7})).is_err());
}

#[test]
fn enums_with_odd_values_and_null() {
    for (value, expected) in [("+1", Mood::Plus1), ("2fa", Mood::V2fa)] {
        assert_eq!(Mood::from(value), expected);
        assert_eq!(expected.as_str(), value);
    }
    let cat: Cat = serde_json::from_value(json!({"kind": "cat", "name": "Tom", "mood": null})).unwrap();
    assert_eq!(cat.mood, None);
}

#[test]
fn untagged_any_of_tries_each_in_order() {
    let values: Vec<ValueSchema> = serde_json::from_value(json!(["text", 42, {"label": "l", "extra": [1]}])).unwrap();
    assert_eq!(values[0], ValueSchema::String("text".into()));
    assert_eq!(values[1], ValueSchema::Integer(42));
    let ValueSchema::LabelledValue(labelled) = &values[2] else { panic!("labelled") };
    assert_eq!(labelled.additional_properties["extra"], json!([1]));
    assert_eq!(serde_json::to_value(&values).unwrap(), json!(["text", 42, {"label": "l", "extra": [1]}]));
}

#[test]
fn recursive_all_of_parents() {
    let animal: Animal = serde_json::from_value(json!({
        "kind": "dog", "name": "a", "parent": {"kind": "dog", "name": "b", "parent": {"kind": "dog", "name": "c"}}
    }))
    .unwrap();
    assert_eq!(animal.parent.unwrap().parent.unwrap().name, "c");
}

#[tokio::test]
#[allow(deprecated)]
async fn one_enum_for_several_success_types() {
    let dog = json!({"kind": "doggo", "name": "Rex", "barks": false});
    let (url, _requests) = serve(vec![
        (200, "application/json", dog.to_string().into_bytes()),
        (202, "application/json", br#"{"job_id":"j1"}"#.to_vec()),
        (204, "application/json", Vec::new()),
    ]);
    let client = client(&url);
    let body: Dog = serde_json::from_value(dog).unwrap();
    let answers = [
        client.replace_pet(1, &body).await.unwrap().into_body(),
        client.replace_pet(1, &body).await.unwrap().into_body(),
        client.replace_pet(1, &body).await.unwrap().into_body(),
    ];
    assert!(matches!(&answers[0], ReplacePetSuccess::Ok(d) if d.name == "Rex"));
    assert!(matches!(&answers[1], ReplacePetSuccess::Accepted(r) if r.job_id.as_deref() == Some("j1")));
    assert!(matches!(&answers[2], ReplacePetSuccess::NoContent));
}

#[tokio::test]
async fn text_binary_and_form_bodies() {
    let (url, requests) = serve(vec![
        (200, "text/html", b"<p>hi</p>".to_vec()),
        (200, "application/octet-stream", vec![0, 159, 146, 150]),
        (204, "text/plain", Vec::new()),
        (204, "text/plain", Vec::new()),
    ]);
    let client = client(&url);
    assert_eq!(client.render("*hi*").await.unwrap().into_body(), "<p>hi</p>");
    let sent = requests.recv().unwrap();
    assert!(sent.header("content-type").unwrap().starts_with("text/plain"), "{sent:?}");
    assert_eq!(sent.body, b"*hi*");

    assert_eq!(client.get_photo(7).await.unwrap().into_body().as_ref(), &[0, 159, 146, 150]);
    assert!(requests.recv().unwrap().request_line.starts_with("GET /pets/7/photo "));

    client.upload_photo(7, &[1, 2, 3]).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(sent.header("content-type"), Some("application/octet-stream"), "{sent:?}");
    assert_eq!(sent.body, [1, 2, 3]);

    client.login(&LoginRequest::new("ann lee").remember(true)).await.unwrap();
    let sent = requests.recv().unwrap();
    assert_eq!(sent.header("content-type"), Some("application/x-www-form-urlencoded"), "{sent:?}");
    assert_eq!(sent.body, b"user=ann+lee&remember=true");
}

#[tokio::test]
async fn header_parameters_and_default_error_responses() {
    let (url, requests) = serve(vec![(500, "application/json", br#"{"message":"boom"}"#.to_vec())]);
    let error = client(&url).get_pet(3, "req-42").await.unwrap_err();
    // Without a vendor profile, an error body is kept as the JSON it is.
    let body = error.api().unwrap().body().expect("a JSON error body");
    assert_eq!(body["message"], "boom");
    assert_eq!(requests.recv().unwrap().header("x-request-id"), Some("req-42"));
}
