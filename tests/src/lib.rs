//! Shared helpers for the workspace tests: paths, reference examples, JSON comparison, and a
//! loopback HTTP server that records raw request lines.

pub mod bench;
pub mod nested;
pub mod openapi31;
pub mod tools;

use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub fn workspace_root() -> PathBuf {
    xtask::workspace_root()
}

/// `../shared/reference` beside the checkout: GitHub's description and the seed documents.
pub fn reference_dir() -> PathBuf {
    workspace_root().join("../shared/reference")
}

pub fn read(path: impl Into<PathBuf>) -> String {
    let path = path.into();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A YAML or JSON document as a JSON value.
pub fn read_document(path: impl Into<PathBuf>) -> Value {
    let text = read(path);
    serde_yaml::from_str(&text).expect("reference documents are valid YAML")
}

/// Follows a local `$ref` (`#/components/examples/x`) within `document`.
pub fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            let target = document
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"));
            resolve(document, target)
        }
        None => value,
    }
}

/// Removes object members whose value is `null`, recursively: an absent optional field and
/// an explicit `null` mean the same to the client.
pub fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Decodes `json` as `T` (failing with the JSON path of any mismatch), encodes it again,
/// and checks that nothing was lost or changed on the way.
pub fn assert_round_trip<T>(json: &Value, what: &str)
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let decoded: T = serde_path_to_error::deserialize(json)
        .unwrap_or_else(|e| panic!("{what}: does not decode at `{}`: {}", e.path(), e.inner()));
    let encoded = serde_json::to_value(&decoded).expect("models always encode");
    assert_eq!(
        without_nulls(&encoded),
        without_nulls(json),
        "{what}: re-encoding changed the document"
    );
    let again: T = serde_json::from_value(encoded).expect("re-encoded documents decode");
    assert_eq!(again, decoded, "{what}: decode(encode(x)) != x");
}

/// One canned answer of [`RawServer`].
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: body.to_owned(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The status line and headers, with the body's `content-length`; the connection closes
    /// after the reply.
    fn head(&self) -> String {
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
            self.status,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head
    }
}

/// A request as the server saw it, before any URL handling.
#[derive(Debug, Clone)]
pub struct Received {
    /// E.g. `GET /orgs/octo/packages/container/org%2Fimage HTTP/1.1`.
    pub request_line: String,
    /// Names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The request target: path and query.
    pub fn target(&self) -> &str {
        self.request_line.split(' ').nth(1).unwrap_or("")
    }
}

/// An HTTP/1.1 server on 127.0.0.1 that answers each connection with the next canned
/// reply (the last one repeats) and records what it received. It lives as long as the
/// test's runtime.
pub struct RawServer {
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl RawServer {
    pub async fn start(replies: Vec<Reply>) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("local addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            let mut served = 0usize;
            while let Ok((mut stream, _)) = listener.accept().await {
                let reply = replies
                    .get(served)
                    .or(replies.last())
                    .cloned()
                    .unwrap_or_else(|| Reply::json(200, "{}"));
                served += 1;
                if let Some(request) = read_request(&mut stream).await {
                    log.lock().expect("log lock").push(request);
                }
                let _ = stream.write_all(reply.head().as_bytes()).await;
                let _ = stream.write_all(reply.body.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        RawServer { base_url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log lock").clone()
    }

    /// A client for this server with a test token.
    pub fn client(&self) -> github_packages::Client {
        github_packages::Client::builder()
            .base_url(&self.base_url)
            .token("ghp_test_token_never_printed")
            .build()
            .expect("valid test client")
    }
}

async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        request_line,
        headers,
        body,
    })
}

/// What a [`ScriptedServer`] does with one request: answer it, or fail the way networks and
/// proxies fail.
#[derive(Debug, Clone)]
pub enum Answer {
    /// The whole reply.
    Reply(Reply),
    /// The head (with the full `content-length`) and the first `sent` bytes of the body; then
    /// the connection is closed: a body cut short.
    Cut { reply: Reply, sent: usize },
    /// The connection is closed after the request is read, without a word.
    Close,
    /// The head and the first half of the body, then a pause (on the runtime's clock, so a
    /// paused clock skips it), then the rest: a slow page.
    Stall {
        reply: Reply,
        pause: std::time::Duration,
    },
}

/// An HTTP/1.1 server on 127.0.0.1 that answers each request as a handler decides, given how
/// many requests came before it (from 0) and the request itself; one connection per request
/// (`connection: close`), each served on a task of its own. It records the request lines
/// and lives as long as the test's runtime.
pub struct ScriptedServer {
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

type Handler = dyn Fn(usize, &Received) -> Answer + Send + Sync;

impl ScriptedServer {
    pub async fn start(
        handler: impl Fn(usize, &Received) -> Answer + Send + Sync + 'static,
    ) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("local addr"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let handler: Arc<Handler> = Arc::new(handler);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                let handler = Arc::clone(&handler);
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    let answer = {
                        let mut log = log.lock().expect("log lock");
                        let index = log.len();
                        log.push(request.clone());
                        drop(log);
                        handler(index, &request)
                    };
                    let (reply, sent, pause) = match answer {
                        Answer::Close => return,
                        Answer::Reply(reply) => {
                            let length = reply.body.len();
                            (reply, length, None)
                        }
                        Answer::Cut { reply, sent } => (reply, sent, None),
                        Answer::Stall { reply, pause } => {
                            let half = reply.body.len() / 2;
                            (reply, half, Some(pause))
                        }
                    };
                    let body = reply.body.as_bytes();
                    let sent = sent.min(body.len());
                    if stream.write_all(reply.head().as_bytes()).await.is_err()
                        || stream.write_all(&body[..sent]).await.is_err()
                    {
                        return;
                    }
                    if let Some(pause) = pause {
                        let _ = stream.flush().await;
                        tokio::time::sleep(pause).await;
                        let _ = stream.write_all(&body[sent..]).await;
                    }
                    let _ = stream.shutdown().await;
                });
            }
        });
        ScriptedServer { base_url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("log lock").clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.received.lock().expect("log lock").len()
    }

    /// A client for this server with a test token.
    pub fn client(&self) -> github_packages::Client {
        self.builder().build().expect("valid test client")
    }

    /// A builder for a client of this server, with a test token.
    pub fn builder(&self) -> github_packages::ClientBuilder {
        github_packages::Client::builder()
            .base_url(&self.base_url)
            .token("ghp_test_token_never_printed")
    }
}

/// A package list's item as GitHub's documentation shows one, with its own id and name.
pub fn package(id: usize) -> Value {
    static EXAMPLE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let mut item = EXAMPLE
        .get_or_init(|| {
            let official = read_document(reference_dir().join("github-openapi/packages.yaml"));
            official["components"]["examples"]["packages-for-org"]["value"][0].clone()
        })
        .clone();
    item["id"] = Value::from(id);
    item["name"] = Value::from(format!("package-{id}"));
    item
}

/// A `200` with `items` as a JSON array.
pub fn page_of(items: &[Value]) -> Reply {
    Reply::json(200, &Value::Array(items.to_vec()).to_string())
}

/// The absolute URL of `target` on the server that received `request`.
pub fn absolute(request: &Received, target: &str) -> String {
    format!(
        "http://{}{target}",
        request.header("host").unwrap_or_default()
    )
}

/// The stream of `list_packages_for_organization("o", Container)` on `client`.
pub fn list_packages(
    client: &github_packages::Client,
) -> github_packages::Paginated<github_packages::Package> {
    client.list_packages_for_organization_stream(
        "o",
        github_packages::PackageType::Container,
        &Default::default(),
    )
}

/// Polls at most `limit` items (a listing that never ends stops there): the ids yielded,
/// and the error that ended the stream, if one did.
pub async fn drain(
    stream: &mut github_packages::Paginated<github_packages::Package>,
    limit: usize,
) -> (Vec<i64>, Option<github_packages::Error>) {
    use futures_util::StreamExt;
    let mut ids = Vec::new();
    for _ in 0..limit {
        match stream.next().await {
            Some(Ok(package)) => ids.push(package.id),
            Some(Err(error)) => return (ids, Some(error)),
            None => return (ids, None),
        }
    }
    (ids, None)
}

/// The README's examples compile (they are `no_run`: they would call GitHub).
#[doc = include_str!("../../README.md")]
mod readme {}
