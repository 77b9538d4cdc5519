//! Runs inside the crate generated from `tests/specs/openapi32/streams.32.yaml` with its
//! `tracing` feature (copied there by `tests/nested.rs`): a streamed call's `request` span
//! ends when the stream does, not when the answer's headers arrive. A test binary of its
//! own, since `tracing` caches whether a callsite is wanted.

#![cfg(feature = "tracing")]

mod loopback;

use futures_util::StreamExt;
use loopback::serve;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use streams::*;

/// A `tracing` subscriber that keeps every span's name and fields.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<(&'static str, BTreeMap<&'static str, String>)>>>,
}

struct Fields<'a>(&'a mut BTreeMap<&'static str, String>);

impl tracing::field::Visit for Fields<'_> {
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
        spans.push((attributes.metadata().name(), fields));
        tracing::span::Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        values.record(&mut Fields(&mut spans[span.into_u64() as usize - 1].1));
    }

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, _: &tracing::Event<'_>) {}

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

impl Capture {
    fn request(&self) -> BTreeMap<&'static str, String> {
        let spans = self.spans.lock().unwrap();
        spans.iter().find(|(name, _)| *name == "request").expect("a request span").1.clone()
    }
}

#[tokio::test]
async fn the_request_span_ends_with_the_stream() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let (url, _requests) = serve(vec![(200, "text/event-stream", b"data: one\n\ndata: two\n\n".to_vec())]);
    let client = Client::builder().base_url(url).build().unwrap();
    let mut ticks = client.ticks().await.unwrap().into_body();
    let open = capture.request();
    assert_eq!(open.get("operation").map(String::as_str), Some("\"ticks\""), "{open:?}");
    assert!(!open.contains_key("duration_ms"), "ended before the stream did: {open:?}");
    assert_eq!(ticks.next().await.unwrap().unwrap().data, "one");
    assert!(!capture.request().contains_key("duration_ms"), "ended mid-stream");
    assert_eq!(ticks.next().await.unwrap().unwrap().data, "two");
    assert!(ticks.next().await.is_none());
    let ended = capture.request();
    assert_eq!(ended.get("status").map(String::as_str), Some("200"), "{ended:?}");
    assert_eq!(ended.get("attempts").map(String::as_str), Some("1"), "{ended:?}");
    assert!(ended.contains_key("duration_ms"), "{ended:?}");
}
