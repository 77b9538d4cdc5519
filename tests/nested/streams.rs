//! Runs inside the crate generated from `tests/specs/openapi32/streams.32.yaml` (copied
//! there by `tests/nested.rs`): streamed answers against a loopback server that sends them
//! slowly, split at awkward places, and cut short.

mod loopback;

use futures_util::StreamExt;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use streams::*;

/// What the server does on one connection, after reading the request.
enum Step {
    Send(&'static [u8]),
    Pause(u64),
    /// Waits until the test says to go on: proves the client handed over what came before.
    Gate,
}

struct Connection {
    status: u16,
    content_type: &'static str,
    steps: Vec<Step>,
}

/// What the server saw: the request lines, and whether the client closed the connection
/// while the server was still writing.
struct Seen {
    requests: mpsc::Receiver<String>,
    /// Each request's head, lowercased.
    heads: mpsc::Receiver<String>,
    closed_early: mpsc::Receiver<bool>,
    gate: mpsc::Sender<()>,
    connections: Arc<AtomicUsize>,
}

/// Serves `connections` in order, each without a `Content-Length` (the body ends when the
/// connection closes, as a stream's does). The thread ends after the last, or when nobody
/// connects for two seconds.
fn serve_streams(connections: Vec<Connection>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (request_sender, requests) = mpsc::channel();
    let (head_sender, heads) = mpsc::channel();
    let (closed_sender, closed_early) = mpsc::channel();
    let (gate, gate_receiver) = mpsc::channel::<()>();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let connections = Mutex::new(connections.into_iter());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let Some(connection) = connections.lock().unwrap().next() else {
                return;
            };
            stream.set_nonblocking(false).unwrap();
            let mut request = Vec::new();
            let mut chunk = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&chunk[..n]);
            }
            let line = String::from_utf8_lossy(&request).lines().next().unwrap_or_default().to_owned();
            let _ = request_sender.send(line);
            let _ = head_sender.send(String::from_utf8_lossy(&request).to_ascii_lowercase());
            let head = format!(
                // A validator, which a response cache would keep the answer by.
                "HTTP/1.1 {} X\r\ncontent-type: {}\r\nx-stream: yes\r\netag: \"v1\"\r\nconnection: close\r\n\r\n",
                connection.status, connection.content_type
            );
            let mut closed = stream.write_all(head.as_bytes()).is_err();
            for step in connection.steps {
                match step {
                    Step::Send(bytes) => {
                        closed |= stream.write_all(bytes).and_then(|()| stream.flush()).is_err();
                    }
                    Step::Pause(millis) => std::thread::sleep(Duration::from_millis(millis)),
                    Step::Gate => {
                        let _ = gate_receiver.recv_timeout(Duration::from_secs(5));
                    }
                }
            }
            let _ = closed_sender.send(closed);
        }
    });
    let seen = Seen { requests, heads, closed_early, gate, connections: accepted };
    (url, seen)
}

fn client(url: &str) -> Client {
    Client::builder().base_url(url).build().unwrap()
}

#[tokio::test]
async fn events_arrive_as_sent_with_their_fields_however_the_bytes_are_split() {
    let (url, seen) = serve_streams(vec![Connection {
        status: 200,
        content_type: "text/event-stream",
        steps: vec![
            // A byte order mark, a comment, an event split mid-field and between `\r` and
            // `\n`, then held back until the test has the first event.
            Step::Send(b"\xEF\xBB\xBF: hello\r\nid: 1\r\nevent: chan"),
            Step::Pause(30),
            Step::Send(b"ge\r\ndata: {\"index\": 1, \"text\": \"a\"}\r"),
            Step::Pause(30),
            Step::Send(b"\n\r\n"),
            Step::Gate,
            // Data over two lines (joined by `\n`), a `retry`, an id kept from before.
            Step::Send(b"retry: 2500\ndata: {\"index\": 2,\ndata:  \"text\": \"b\"}\n\n"),
            // An event without data is not one; an unknown field is ignored.
            Step::Send(b"event: nothing\nfoo: bar\n\n"),
            Step::Send(b"id: 3\rdata:{\"index\":3,\"text\":\"c\"}\r\r"),
        ],
    }]);
    let response = client(&url).watch_topic("news").await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["x-stream"], "yes");
    let mut events = response.into_body();
    let first = events.next().await.unwrap().unwrap();
    assert_eq!((first.data.index, first.data.text.as_str()), (1, "a"));
    assert_eq!(first.id.as_deref(), Some("1"));
    assert_eq!(first.event.as_deref(), Some("change"));
    assert_eq!(first.retry, None);
    seen.gate.send(()).unwrap();
    let second = events.next().await.unwrap().unwrap();
    assert_eq!((second.data.index, second.data.text.as_str()), (2, "b"));
    assert_eq!((second.id.as_deref(), second.event.as_deref()), (Some("1"), None));
    assert_eq!(second.retry, Some(Duration::from_millis(2500)));
    let third = events.next().await.unwrap().unwrap();
    assert_eq!((third.data.index, third.id.as_deref()), (3, Some("3")));
    assert!(events.next().await.is_none(), "the body ended after a whole event");
    assert!(events.next().await.is_none(), "and stays ended");
    assert_eq!(seen.requests.recv().unwrap(), "GET /topics/news/events HTTP/1.1");
}

#[tokio::test]
async fn a_body_cut_in_the_middle_of_an_event_ends_in_an_error_not_silently() {
    let (url, _seen) = serve_streams(vec![Connection {
        status: 200,
        content_type: "text/event-stream",
        steps: vec![Step::Send(b"data: tick 1\n\ndata: tick 2\n\ndata: tic")],
    }]);
    let mut ticks = client(&url).ticks().await.unwrap().into_body();
    assert_eq!(ticks.next().await.unwrap().unwrap().data, "tick 1");
    assert_eq!(ticks.next().await.unwrap().unwrap().data, "tick 2");
    let error = ticks.next().await.unwrap().unwrap_err();
    let Error::Decode(decode) = &error else { panic!("{error:?}") };
    assert!(decode.message().contains("ended in the middle"), "{error}");
    assert!(decode.raw_body().contains("tic"), "what arrived is kept: {error:?}");
    assert!(ticks.next().await.is_none());
}

#[tokio::test]
async fn json_lines_decode_line_by_line_and_a_bad_line_is_an_error_in_its_place() {
    let (url, seen) = serve_streams(vec![Connection {
        status: 200,
        content_type: "application/jsonl",
        steps: vec![
            Step::Send(b"{\"level\": \"info\", \"message\": \"one\"}\n{\"level\": \"wa"),
            Step::Pause(30),
            Step::Send(b"rn\", \"message\": \"two\"}\r\n\n   \n{\"level\": 7}\n"),
            // The last line may lack its line feed.
            Step::Send(b"{\"level\": \"error\", \"message\": \"three\"}"),
        ],
    }]);
    let params = ExportLogsParams::default().since(42);
    let lines: Vec<Result<LogLine, Error>> = client(&url).export_logs(&params).await.unwrap().into_body().collect().await;
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0].as_ref().unwrap().message, "one");
    assert_eq!(lines[1].as_ref().unwrap().level, Level::Warn);
    assert!(matches!(&lines[2], Err(Error::Decode(e)) if e.path() == "level"), "{:?}", lines[2]);
    assert_eq!(lines[3].as_ref().unwrap().message, "three");
    assert_eq!(seen.requests.recv().unwrap(), "GET /logs?since=42 HTTP/1.1");
}

#[tokio::test]
async fn json_text_sequences_hold_values_over_several_lines() {
    let (url, _seen) = serve_streams(vec![Connection {
        status: 200,
        content_type: "application/json-seq",
        steps: vec![
            Step::Send(b"\x1e{\"id\": 1,\n \"name\": \"a\"}\n\x1e{\"id\": 2"),
            Step::Pause(30),
            Step::Send(b", \"name\": null}\n\x1e{\"id\": 3, \"na"),
        ],
    }]);
    let records: Vec<Result<Record, Error>> = client(&url).export_records().await.unwrap().into_body().collect().await;
    assert_eq!(records.len(), 3, "{records:?}");
    assert_eq!(records[0].as_ref().unwrap().name.as_deref(), Some("a"));
    assert_eq!(records[1].as_ref().unwrap().id, 2);
    assert!(matches!(&records[2], Err(Error::Decode(e)) if e.message().contains("ended in the middle")), "{:?}", records[2]);
}

#[tokio::test]
async fn an_error_status_is_an_error_before_any_item() {
    let (url, _seen) = serve_streams(vec![Connection {
        status: 404,
        content_type: "application/json",
        steps: vec![Step::Send(br#"{"message": "no topic news"}"#)],
    }]);
    let error = client(&url).watch_topic("news").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(error.to_string().contains("no topic news"), "{error}");
}

#[tokio::test]
async fn an_event_larger_than_the_limit_ends_the_stream() {
    let (url, _seen) = serve_streams(vec![Connection {
        status: 200,
        content_type: "text/event-stream",
        steps: vec![Step::Send(b"data: small\n\n"), Step::Send(&[b'x'; 4096])],
    }]);
    let client = Client::builder().base_url(url).max_response_size(1024).build().unwrap();
    let mut ticks = client.ticks().await.unwrap().into_body();
    assert_eq!(ticks.next().await.unwrap().unwrap().data, "small");
    let error = ticks.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::TooLarge { limit: 1024, .. }), "{error:?}");
    assert!(ticks.next().await.is_none());
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let (url, seen) = serve_streams(vec![Connection {
        status: 200,
        content_type: "text/event-stream",
        steps: vec![
            Step::Send(b"data: first\n\n"),
            Step::Gate,
            Step::Pause(100),
            // Enough that a closed socket refuses it.
            Step::Send(&[b':'; 256 * 1024]),
            Step::Send(&[b':'; 256 * 1024]),
        ],
    }]);
    let mut ticks = client(&url).ticks().await.unwrap().into_body();
    assert_eq!(ticks.next().await.unwrap().unwrap().data, "first");
    drop(ticks);
    seen.gate.send(()).unwrap();
    let closed = tokio::task::spawn_blocking(move || seen.closed_early.recv_timeout(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(closed, Ok(true), "the server could write on: the connection was left open");
}

/// What a hook is shown of an answer: status, the `x-stream` header, body length.
type Shown = (u16, Option<String>, usize);

/// Sees what hooks are shown of each answer.
struct Recorder(Arc<Mutex<Vec<Shown>>>);

impl RequestHook for Recorder {
    fn on_response(&self, _context: &HookContext, response: &mut RawResponse) {
        let header = response.headers().get("x-stream").and_then(|v| v.to_str().ok()).map(str::to_owned);
        self.0.lock().unwrap().push((response.status().as_u16(), header, response.body().len()));
    }
}

#[tokio::test]
async fn a_stream_is_retried_before_it_answers_and_never_after() {
    let (url, seen) = serve_streams(vec![
        Connection { status: 503, content_type: "text/plain", steps: vec![Step::Send(b"busy")] },
        Connection {
            status: 200,
            content_type: "text/event-stream",
            steps: vec![Step::Send(b"data: one\n\n"), Step::Send(b"data: tw")],
        },
        // Only a retry after the cut would reach this.
        Connection { status: 200, content_type: "text/event-stream", steps: vec![Step::Send(b"data: one\n\n")] },
    ]);
    let seen_by_hooks = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder()
        .base_url(url)
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(10)))
        .hook(Recorder(seen_by_hooks.clone()))
        .build()
        .unwrap();
    let items: Vec<_> = client.ticks().await.unwrap().into_body().collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().data, "one");
    assert!(items[1].is_err(), "{items:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2, "a 503 is retried, a cut stream is not");
    let hooks = seen_by_hooks.lock().unwrap().clone();
    let header = Some("yes".to_owned());
    assert_eq!(hooks, vec![(503, header.clone(), 4), (200, header, 0)], "hooks see status and headers, not the stream");
}

#[tokio::test]
async fn the_response_cache_does_not_apply_to_a_stream() {
    let answer = || Connection {
        status: 200,
        content_type: "text/event-stream",
        steps: vec![Step::Send(b"id: 1\ndata: one\n\n")],
    };
    let (url, seen) = serve_streams(vec![answer(), answer()]);
    let client = Client::builder().base_url(url).cache(ResponseCache::new()).build().unwrap();
    for _ in 0..2 {
        let items: Vec<_> = client.ticks().await.unwrap().into_body().collect().await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().data, "one");
    }
    // Both calls reached the server, the second without revalidating what the first had
    // (its `ETag`): a stream is not kept.
    for _ in 0..2 {
        let head = seen.heads.recv().unwrap();
        assert!(head.starts_with("get /ticks "), "{head}");
        assert!(!head.contains("if-none-match"), "{head}");
    }
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2);
}
