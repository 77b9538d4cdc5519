//! Conditional requests: the validators of a response (`ETag`, `Last-Modified`) sent back as
//! `If-None-Match` and `If-Modified-Since`, a typed outcome for `304 Not Modified`, and a
//! small cache that revalidates every `GET` by itself.

use crate::client::{Client, RawResponse, Response};
use crate::error::Error;
use reqwest::header::{HeaderMap, HeaderValue, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::{Method, StatusCode};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// What identifies the version of a resource a response carried: its `ETag` and
/// `Last-Modified` headers, as sent. Give them back with [`Client::if_changed`] to be told
/// whether the resource changed since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Validators {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since` (an HTTP date, as the server sent it).
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is nothing to send (a request with none is not conditional).
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    fn of(headers: &HeaderMap) -> Validators {
        let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        Validators {
            etag: text(ETAG),
            last_modified: text(LAST_MODIFIED),
        }
    }

    /// Writes the conditional headers; a validator that is not a valid header value is an
    /// error, not silently an unconditional request.
    fn apply(&self, headers: &mut HeaderMap) -> Result<(), Error> {
        let value = |what: &str, text: &str| {
            HeaderValue::from_str(text).map_err(|_| Error::InvalidConfig(format!("the {what} is not a valid HTTP header value")))
        };
        if let Some(etag) = &self.etag {
            headers.insert(IF_NONE_MATCH, value("ETag", etag)?);
        }
        if let Some(date) = &self.last_modified {
            headers.insert(IF_MODIFIED_SINCE, value("Last-Modified date", date)?);
        }
        Ok(())
    }
}

impl<T> Response<T> {
    /// The `ETag` header: the version of the resource this is.
    pub fn etag(&self) -> Option<&str> {
        self.headers().get(ETAG)?.to_str().ok()
    }

    /// The `Last-Modified` header, as sent (an HTTP date).
    pub fn last_modified(&self) -> Option<&str> {
        self.headers().get(LAST_MODIFIED)?.to_str().ok()
    }

    /// The `ETag` and `Last-Modified` of this response, to send back with
    /// [`Client::if_changed`].
    pub fn validators(&self) -> Validators {
        Validators::of(self.headers())
    }

    /// Whether the server answered `304 Not Modified` and this is the body a
    /// [`ResponseCache`] kept (with the headers of the `304` merged in), or, in
    /// [`Conditional::NotModified`], the bodiless `304` itself.
    pub fn is_not_modified(&self) -> bool {
        self.not_modified
    }
}

/// The outcome of [`Client::if_changed`].
#[derive(Debug, Clone)]
pub enum Conditional<T> {
    /// The resource changed (or the server ignored the validators): the new version.
    Modified(Response<T>),
    /// `304 Not Modified`: the version you have is current. The response keeps the `304`'s
    /// headers (a new `ETag`, say, or rate-limit figures).
    NotModified(Response<()>),
}

impl<T> Conditional<T> {
    pub fn is_modified(&self) -> bool {
        matches!(self, Conditional::Modified(_))
    }

    /// The new version, if the resource changed.
    pub fn modified(self) -> Option<Response<T>> {
        match self {
            Conditional::Modified(response) => Some(response),
            Conditional::NotModified(_) => None,
        }
    }
}

impl Client {
    /// Calls `call` with a client that sends `validators` on its `GET` and `HEAD` requests
    /// (`If-None-Match`, `If-Modified-Since`), and turns a `304 Not Modified` into
    /// [`Conditional::NotModified`] instead of an error.
    ///
    /// Every `GET` and `HEAD` of `call` carries the validators; when one of them is
    /// answered `304`, the call's error is replaced by that answer. A `304` is never an error
    /// here; any other error is returned as it is.
    pub async fn if_changed<T>(
        &self,
        validators: &Validators,
        call: impl AsyncFnOnce(&Client) -> Result<Response<T>, Error>,
    ) -> Result<Conditional<T>, Error> {
        let conditional = Arc::new(ConditionalCall {
            validators: validators.clone(),
            not_modified: Mutex::new(None),
        });
        let mut client = self.clone();
        client.conditional = Some(Arc::clone(&conditional));
        match call(&client).await {
            Ok(response) => Ok(Conditional::Modified(response)),
            Err(error) if error.is_not_modified() => match conditional.take() {
                Some(mut answer) => {
                    answer.not_modified = true;
                    answer.empty().map(Conditional::NotModified)
                }
                None => Err(error),
            },
            Err(error) => Err(error),
        }
    }
}

/// The validators of one [`Client::if_changed`] call, and the `304` that answered them.
pub(crate) struct ConditionalCall {
    validators: Validators,
    not_modified: Mutex<Option<RawResponse>>,
}

impl ConditionalCall {
    /// Makes a `GET` or `HEAD` conditional.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        if matches!(*request.method(), Method::GET | Method::HEAD) {
            self.validators.apply(request.headers_mut())?;
        }
        Ok(())
    }

    /// Keeps a `304`, for [`Client::if_changed`] to return.
    pub(crate) fn answered(&self, response: &RawResponse) {
        if response.status == StatusCode::NOT_MODIFIED {
            *lock(&self.not_modified) = Some(response.clone());
        }
    }

    fn take(&self) -> Option<RawResponse> {
        lock(&self.not_modified).take()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A small in-memory cache of `GET` answers, so that asking again for what has not changed
/// costs a `304` and no body (and, where an API does not count `304`s against its rate
/// limit, no quota). Set it with [`ClientBuilder::cache`](crate::ClientBuilder::cache); clones share
/// one cache.
///
/// A `200` that carries an `ETag` or `Last-Modified` (and no `Cache-Control: no-store`) is
/// kept, by URL and `Accept` header. The next `GET` of that URL is sent with
/// `If-None-Match`/`If-Modified-Since`; when the server answers `304 Not Modified`, the
/// operation returns the kept body, with the `304`'s headers merged in and
/// [`Response::is_not_modified`] set. The server decides every time: nothing is served
/// without asking it. A request that already carries validators (see
/// [`Client::if_changed`]) is left as it is.
///
/// The cache holds at most [`ResponseCache::max_entries`] answers and
/// [`ResponseCache::max_bytes`] of them, dropping the least recently used first.
#[derive(Clone)]
pub struct ResponseCache {
    store: Arc<Mutex<Store>>,
}

impl fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the keys: a URL's query may carry a credential.
        let store = lock(&self.store);
        f.debug_struct("ResponseCache")
            .field("entries", &store.entries.len())
            .field("bytes", &store.bytes)
            .field("max_entries", &store.max_entries)
            .field("max_bytes", &store.max_bytes)
            .finish()
    }
}

impl Default for ResponseCache {
    fn default() -> Self {
        ResponseCache::new()
    }
}

impl ResponseCache {
    /// At most 1,024 answers and 64 MiB.
    pub fn new() -> Self {
        ResponseCache {
            store: Arc::new(Mutex::new(Store {
                entries: HashMap::new(),
                tick: 0,
                bytes: 0,
                max_entries: 1024,
                max_bytes: 64 << 20,
            })),
        }
    }

    /// At most `entries` answers.
    pub fn max_entries(self, entries: usize) -> Self {
        lock(&self.store).max_entries = entries;
        self
    }

    /// At most `bytes` of bodies and headers; a larger answer is not kept.
    pub fn max_bytes(self, bytes: usize) -> Self {
        lock(&self.store).max_bytes = bytes;
        self
    }

    /// How many answers are kept.
    pub fn len(&self) -> usize {
        lock(&self.store).entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self) {
        let mut store = lock(&self.store);
        store.entries.clear();
        store.bytes = 0;
    }

    /// For a `GET`: adds the kept answer's validators (unless the request has its own), and
    /// returns what [`Revalidation::finish`] needs.
    pub(crate) fn prepare(&self, request: &mut reqwest::Request) -> Option<Revalidation> {
        if *request.method() != Method::GET {
            return None;
        }
        let accept = request.headers().get(reqwest::header::ACCEPT).map(HeaderValue::as_bytes).unwrap_or_default();
        let key = format!("{}\n{}", String::from_utf8_lossy(accept), request.url());
        let own = request.headers().contains_key(IF_NONE_MATCH) || request.headers().contains_key(IF_MODIFIED_SINCE);
        let kept = if own { None } else { lock(&self.store).get(&key) };
        if let Some(kept) = &kept {
            // Valid header values when kept.
            let _ = kept.validators.apply(request.headers_mut());
        }
        Some(Revalidation { cache: self.clone(), key, kept })
    }
}

/// A `GET` on its way, as far as the cache is concerned.
pub(crate) struct Revalidation {
    cache: ResponseCache,
    key: String,
    kept: Option<Arc<Kept>>,
}

impl Revalidation {
    /// The kept answer for a `304` to validators the cache sent; a new `200` with validators
    /// kept; a `404` or `410` forgotten.
    pub(crate) fn finish(self, response: RawResponse) -> RawResponse {
        let mut store = lock(&self.cache.store);
        match response.status.as_u16() {
            304 => match self.kept {
                Some(kept) => {
                    let mut headers = kept.headers.clone();
                    for name in response.headers.keys() {
                        if !matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection") {
                            headers.remove(name);
                            for value in response.headers.get_all(name) {
                                headers.append(name.clone(), value.clone());
                            }
                        }
                    }
                    let replayed = RawResponse {
                        status: kept.status,
                        headers,
                        body: kept.body.clone(),
                        body_len: kept.body.len() as u64,
                        url: kept.url.clone(),
                        described: true,
                        not_modified: true,
                    };
                    // The same body, with the headers the `304` brought (a new `ETag`, say).
                    let renewed = Kept {
                        status: kept.status,
                        headers: replayed.headers.clone(),
                        body: kept.body.clone(),
                        url: kept.url.clone(),
                        validators: Validators::of(&replayed.headers),
                        size: Kept::size(&replayed),
                    };
                    store.insert(self.key, Arc::new(renewed));
                    replayed
                }
                None => response,
            },
            200 if Kept::worth_keeping(&response) => {
                store.insert(self.key, Kept::of(&response));
                response
            }
            404 | 410 => {
                store.remove(&self.key);
                response
            }
            _ => response,
        }
    }
}

/// An answer the cache keeps.
struct Kept {
    status: StatusCode,
    headers: HeaderMap,
    body: bytes::Bytes,
    url: reqwest::Url,
    validators: Validators,
    size: usize,
}

impl Kept {
    fn worth_keeping(response: &RawResponse) -> bool {
        let validators = Validators::of(&response.headers);
        let no_store = response
            .headers
            .get_all(reqwest::header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.to_ascii_lowercase().contains("no-store"));
        !validators.is_empty() && !no_store
    }

    /// About what keeping `response` costs: its body, URL and headers.
    fn size(response: &RawResponse) -> usize {
        response.body.len()
            + response.url.as_str().len()
            + response.headers.iter().map(|(n, v)| n.as_str().len() + v.len() + 32).sum::<usize>()
    }

    fn of(response: &RawResponse) -> Arc<Kept> {
        let size = Kept::size(response);
        Arc::new(Kept {
            status: response.status,
            headers: response.headers.clone(),
            // A copy of its own, not a slice that keeps a larger read buffer alive.
            body: bytes::Bytes::copy_from_slice(&response.body),
            url: response.url.clone(),
            validators: Validators::of(&response.headers),
            size,
        })
    }
}

struct Store {
    /// Each answer with when it was last used.
    entries: HashMap<String, (Arc<Kept>, u64)>,
    tick: u64,
    bytes: usize,
    max_entries: usize,
    max_bytes: usize,
}

impl Store {
    fn get(&mut self, key: &str) -> Option<Arc<Kept>> {
        self.tick += 1;
        let tick = self.tick;
        let (kept, used) = self.entries.get_mut(key)?;
        *used = tick;
        Some(Arc::clone(kept))
    }

    fn remove(&mut self, key: &str) {
        if let Some((kept, _)) = self.entries.remove(key) {
            self.bytes -= kept.size + key.len();
        }
    }

    fn insert(&mut self, key: String, kept: Arc<Kept>) {
        self.remove(&key);
        let size = kept.size + key.len();
        if size > self.max_bytes || self.max_entries == 0 {
            return;
        }
        // Each pass drops one answer, so this ends.
        while self.entries.len() >= self.max_entries || self.bytes + size > self.max_bytes {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, (_, used))| *used).map(|(key, _)| key.clone()) else {
                break;
            };
            self.remove(&oldest);
        }
        self.tick += 1;
        self.bytes += size;
        self.entries.insert(key, (kept, self.tick));
    }
}
