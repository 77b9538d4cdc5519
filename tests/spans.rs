//! `tracing` spans (the crate's `tracing` feature, which this test crate turns on): a
//! subscriber captures the spans of a retried call. A test binary of its own: `tracing`
//! caches whether a callsite is wanted, and a test running beside it without a subscriber
//! could settle that before this one's subscriber is set.

use github_packages::{PackageType, RetryPolicy};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tests::{Answer, Reply, ScriptedServer};

const TOKEN: &str = "ghp_test_token_never_printed";

/// A `tracing` subscriber that keeps every span's name, parent and fields.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<CapturedSpan>>>,
}

#[derive(Debug, Clone)]
struct CapturedSpan {
    name: &'static str,
    parent: Option<u64>,
    fields: BTreeMap<&'static str, String>,
}

struct Fields<'a>(&'a mut BTreeMap<&'static str, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push(CapturedSpan {
            name: attributes.metadata().name(),
            parent: attributes.parent().map(tracing::span::Id::into_u64),
            fields,
        });
        tracing::span::Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let captured = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut captured.fields));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test(start_paused = true)]
async fn a_subscriber_captures_the_spans_of_a_retried_call() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = ScriptedServer::start(|index, _| match index {
        0 => Answer::Reply(Reply::json(502, "<html>bad gateway</html>")),
        _ => Answer::Reply(Reply::json(204, "")),
    })
    .await;
    let client = server
        .builder()
        .retry(
            RetryPolicy::default()
                .retry_server_errors_for([github_packages::reqwest::Method::POST]),
        )
        .build()
        .unwrap();
    let params = github_packages::RestorePackageForOrgParams::default().token("package-secret");
    client
        .restore_package_for_org("o", PackageType::Container, "app", &params)
        .await
        .unwrap();
    let spans = capture.spans.lock().unwrap().clone();
    let calls: Vec<&CapturedSpan> = spans.iter().filter(|s| s.name == "request").collect();
    assert_eq!(calls.len(), 1, "{spans:#?}");
    let call = &calls[0].fields;
    assert_eq!(call["operation"], "packages/restore-package-for-org");
    assert_eq!(call["method"], "POST");
    assert_eq!(
        call["route"],
        "/orgs/{org}/packages/{package_type}/{package_name}/restore"
    );
    assert_eq!(
        (call["status"].as_str(), call["attempts"].as_str()),
        ("204", "2")
    );
    assert!(call.contains_key("duration_ms"), "{call:?}");
    let call_id = spans.iter().position(|s| s.name == "request").unwrap() as u64 + 1;
    let attempts: Vec<(String, String)> = spans
        .iter()
        .filter(|s| s.name == "attempt")
        .map(|s| {
            assert_eq!(s.parent, Some(call_id), "inside the call's span");
            assert!(s.fields.contains_key("duration_ms"));
            (s.fields["attempt"].clone(), s.fields["status"].clone())
        })
        .collect();
    assert_eq!(
        attempts,
        [
            ("1".to_owned(), "502".to_owned()),
            ("2".to_owned(), "204".to_owned())
        ]
    );
    let everything = format!("{spans:?}");
    for secret in [TOKEN, "package-secret"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}
