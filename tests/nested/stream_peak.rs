//! Peak heap of reading a stream of server-sent events, by number of events: copied as an
//! example into the crate generated from `tests/specs/openapi32/streams.32.yaml` and run by
//! `tests/benches/stream_memory.rs`. For each count in the arguments, a loopback server
//! sends that many events (in 64 KiB writes, so events are split across chunks) and the
//! generated client reads them one by one; prints `events <count> peak <bytes> body <bytes>`
//! for the client, and the same for bare reqwest reading the body whole, the way a client
//! without streams reads it.

use futures_util::StreamExt;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting live heap bytes and their peak.
struct Counting;

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        moved
    }
}

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(live, Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The events, as the server sends them.
fn events(count: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for index in 0..count {
        let line = format!(
            "id: {index}\nevent: change\ndata: {{\"index\": {index}, \"text\": \"change number {index} to the topic\"}}\n\n"
        );
        body.extend_from_slice(line.as_bytes());
    }
    body
}

/// Serves `body` once, without a length, in 64 KiB writes; the thread ends with the
/// connection. The body is made before the measurement starts, so it is not counted.
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a client");
        let mut request = [0u8; 4096];
        let mut read = Vec::new();
        while !read.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut request).expect("request");
            if n == 0 {
                return;
            }
            read.extend_from_slice(&request[..n]);
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
        let _ = stream.write_all(head.as_bytes());
        for chunk in body.chunks(64 * 1024) {
            if stream.write_all(chunk).is_err() {
                return;
            }
        }
    });
    url
}

/// Runs `f`, returning what it gives and the most heap it held at once above what was live
/// when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let start = LIVE.load(Relaxed);
    PEAK.store(start, Relaxed);
    let result = f();
    (result, PEAK.load(Relaxed).saturating_sub(start))
}

fn main() {
    let counts: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("a count")).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    for count in counts {
        let body = events(count);
        let body_len = body.len();
        let url = serve(body.clone());
        let (read, peak) = peak_of(|| {
            runtime.block_on(async {
                let client = streams::Client::builder().base_url(&url).build().expect("client");
                let mut events = client.watch_topic("news").await.expect("a stream").into_body();
                let mut read = 0;
                while let Some(event) = events.next().await {
                    let event = event.expect("an event");
                    assert_eq!(event.data.index, read as i64);
                    read += 1;
                }
                read
            })
        });
        assert_eq!(read, count, "every event read");
        println!("client events {count} peak {peak} body {body_len}");

        let url = serve(body);
        let (whole, peak) = peak_of(|| {
            runtime.block_on(async {
                let client = streams::reqwest::Client::new();
                let response = client.get(format!("{url}/topics/news/events")).send().await.expect("an answer");
                response.bytes().await.expect("the body").len()
            })
        });
        assert_eq!(whole, body_len);
        println!("whole events {count} peak {peak} body {body_len}");
    }
}
