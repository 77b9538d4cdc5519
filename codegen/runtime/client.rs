//! The client: configuration, sending requests (with the opt-in retry policy), and the
//! successful response type.

use crate::auth::{bearer, Credentials, TokenProvider};
use crate::error::{ApiError, DecodeError, Error};
use crate::pacing::{Pacer, Pacing};
use crate::retry::{Retry, RetryPolicy};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The `User-Agent` sent unless another is configured (some APIs reject requests without
/// one).
pub const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A client for the API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// let client = github_packages::Client::new(std::env::var("API_TOKEN").unwrap_or_default());
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    credentials: Credentials,
    /// Sent with every request: the `User-Agent`, the profile's headers and the caller's.
    headers: HeaderMap,
    retry: Option<RetryPolicy>,
    pacer: Option<Arc<Pacer>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("token", &self.credentials)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("retry", &self.retry)
            .field("pacing", &self.pacer)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL) that sends `token` as
    /// `Authorization: Bearer <token>`; an empty token sends none.
    ///
    /// # Panics
    ///
    /// When the token is not a valid header value (it contains a line break), or when the
    /// TLS backend cannot be initialised (as [`reqwest::Client::new`]). Use
    /// [`Client::builder`] to get these as errors instead.
    pub fn new(token: impl Into<String>) -> Self {
        Client::builder()
            .token(token)
            .build()
            .expect("invalid token or TLS backend; use Client::builder() to handle this")
    }

    /// Configures a client: base URL, token, headers, `User-Agent`, timeout, retries, or your
    /// own `reqwest::Client`.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The URL every request path is appended to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// `base_url` followed by `path` (already percent-encoded, starting with `/`).
    pub(crate) fn url(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        let base_path = url.path().trim_end_matches('/');
        let full = format!("{base_path}{path}");
        url.set_path(&full);
        url
    }

    /// A request with the client's headers; `accept` is the media types the operation's
    /// description lists for its responses.
    pub(crate) fn request(&self, method: reqwest::Method, url: Url, accept: Option<&'static str>) -> reqwest::RequestBuilder {
        let mut headers = self.headers.clone();
        if let Some(accept) = crate::profile::accept(accept) {
            headers.insert(ACCEPT, accept);
        }
        // A provider's token is asked for when the request is sent (`send`).
        if let Credentials::Fixed(authorization) = &self.credentials {
            headers.insert(AUTHORIZATION, authorization.clone());
        }
        self.http.request(method, url).headers(headers)
    }

    /// Sends a request and reads the whole answer: paced, with the provider's token, and
    /// retried as the retry policy allows.
    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Result<RawResponse, Error> {
        let request = request.build().map_err(Error::transport)?;
        let method = request.method().clone();
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        let mut refresh = false;
        loop {
            attempt += 1;
            // A body that cannot be copied (a stream) is sent once.
            let Some(copy) = request.try_clone() else {
                return self.send_attempt(request, refresh).await;
            };
            let outcome = self.send_attempt(copy, refresh).await;
            // A refused token is renewed once, and the request sent again where it was not
            // carried out (the methods retried after a rate limit, `GET` and `HEAD` alone by
            // default).
            let unauthorized = matches!(&outcome, Ok(response) if response.status == StatusCode::UNAUTHORIZED);
            if unauthorized && self.credentials.is_provided() && !refresh {
                let retried = self.retry.as_ref().map_or(&[Method::GET, Method::HEAD][..], |p| &p.rate_limit_methods[..]);
                if retried.contains(&method) {
                    refresh = true;
                    continue;
                }
            }
            refresh = false;
            let Some(policy) = &self.retry else {
                return outcome;
            };
            let decision = match &outcome {
                Ok(response) if response.status.is_success() => None,
                Ok(response) => {
                    let now = SystemTime::now();
                    let limited = crate::profile::rate_limited(response.status, &response.headers, &response.body, now);
                    let asked = crate::retry::retry_after(&response.headers, now);
                    policy.wait_after(&method, attempt, response.status, limited.as_ref(), asked)
                }
                Err(Error::Transport(error)) => policy.wait_after_transport(&method, attempt, error),
                Err(_) => None,
            };
            let Some((wait, reason)) = decision else {
                return outcome;
            };
            if waited + wait > policy.max_total_wait {
                return outcome;
            }
            if let Some(observer) = &policy.observer {
                observer(&Retry {
                    method: method.clone(),
                    path: request.url().path().to_owned(),
                    attempt,
                    wait,
                    reason,
                });
            }
            tokio::time::sleep(wait).await;
            waited += wait;
        }
    }

    /// One attempt: the provider's token set, and the pacing budget kept.
    async fn send_attempt(&self, mut request: reqwest::Request, refresh: bool) -> Result<RawResponse, Error> {
        if self.credentials.is_provided() {
            if let Some(authorization) = self.credentials.authorization(refresh).await? {
                request.headers_mut().insert(AUTHORIZATION, authorization);
            }
        }
        let _admission = match &self.pacer {
            Some(pacer) => pacer.admit(request.method()).await,
            None => None,
        };
        self.send_once(request).await
    }

    async fn send_once(&self, request: reqwest::Request) -> Result<RawResponse, Error> {
        let mut response = self.http.execute(request).await.map_err(Error::transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(Error::transport)?;
        Ok(RawResponse { status, headers, body })
    }
}

/// Builds a [`Client`]. Every setting has a default; see [`Client::builder`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    token: Option<String>,
    token_provider: Option<Arc<dyn TokenProvider>>,
    pacing: Option<Pacing>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
    /// What the API's profile adds to plain HTTP (see `profile.rs`).
    pub(crate) profile: crate::profile::Settings,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_provider", &self.token_provider.as_ref().map(|_| "<token provider>"))
            .field("pacing", &self.pacing)
            .field("user_agent", &self.user_agent)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The URL request paths are appended to. Defaults to
    /// [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token sent as `Authorization: Bearer <token>`; an empty one sends none. Its kind
    /// is never guessed from its prefix.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Asks `provider` for the token before each request, instead of a fixed one: see
    /// [`TokenProvider`].
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.token_provider = Some(Arc::new(provider));
        self
    }

    /// Paces the requests that change something: see [`Pacing`]. Off by default.
    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = Some(pacing);
        self
    }

    /// Defaults to [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request, e.g. an API key. Its value is treated as a
    /// credential: `Debug` shows only the name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A limit on each whole request. Ignored with [`ClientBuilder::http_client`], whose own
    /// settings apply.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends requests through this `reqwest::Client` (proxies, TLS roots, connection pool).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Waits out rate limits and retries transient failures as `policy` says. Off by
    /// default: every failure is returned at once.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.base_url.as_deref().unwrap_or(crate::DEFAULT_BASE_URL);
        let base_url = Url::parse(base_url.trim_end_matches('/'))
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| Error::InvalidConfig(format!("base URL `{base_url}` is not an http(s) URL")))?;
        let header = |what: &str, value: &str| {
            HeaderValue::from_str(value)
                .map_err(|_| Error::InvalidConfig(format!("the {what} is not a valid HTTP header value")))
        };
        // An empty token (an unset environment variable, say) means anonymous, not `Bearer `.
        let credentials = match (self.token_provider, self.token.as_deref().map(str::trim)) {
            (Some(provider), _) => Credentials::Provided(provider),
            (None, Some(token)) if !token.is_empty() => Credentials::Fixed(bearer(token)?),
            (None, _) => Credentials::None,
        };
        let mut headers = self.profile.headers()?;
        headers.insert(USER_AGENT, header("User-Agent", self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT))?);
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidConfig(format!("`{name}` is not a valid HTTP header name")))?;
            let mut value = header(&format!("value of header `{name}`"), value)?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder();
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                builder.build().map_err(Error::transport)?
            }
        };
        Ok(Client {
            http,
            base_url,
            credentials,
            headers,
            retry: self.retry,
            pacer: self.pacing.map(|pacing| Arc::new(Pacer::new(pacing))),
        })
    }
}

/// A successful response: the decoded body with the status and headers it came with.
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body(&self) -> &T {
        &self.body
    }

    pub fn into_body(self) -> T {
        self.body
    }

    /// The same response with its body transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
        }
    }
}

/// An answer read in full, before it is decoded or turned into an error.
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
    body: bytes::Bytes,
}

impl RawResponse {
    /// Decodes a JSON body into `T`; a mismatch names the JSON path that failed.
    // Used only by specs with JSON responses.
    #[allow(dead_code)]
    pub(crate) fn json<T: serde::de::DeserializeOwned>(self) -> Result<Response<T>, Error> {
        // Tracking the path while decoding about doubles the time it takes to decode a page,
        // and only a failure needs the path: decode plainly, then again with tracking to say
        // where it failed.
        if let Ok(body) = serde_json::from_slice(&self.body) {
            return Ok(self.with_body(body));
        }
        // Unlike `from_slice`, this accepts trailing bytes after the value, so it may succeed.
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(body) => Ok(self.with_body(body)),
            Err(error) => Err(Error::Decode(Box::new(DecodeError::new(self.status, self.headers, &error, &self.body)))),
        }
    }

    /// A text body (`text/*`); invalid UTF-8 is replaced, not an error.
    // Used only by specs with text responses.
    #[allow(dead_code)]
    pub(crate) fn text(self) -> Result<Response<String>, Error> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        Ok(self.with_body(text))
    }

    /// A body that is neither JSON nor text, as received.
    // Used only by specs with binary responses.
    #[allow(dead_code)]
    pub(crate) fn bytes(self) -> Result<Response<bytes::Bytes>, Error> {
        let body = self.body.clone();
        Ok(self.with_body(body))
    }

    /// A success without a body (`204 No Content`).
    // Used only by specs with responses without a body.
    #[allow(dead_code)]
    pub(crate) fn empty(self) -> Result<Response<()>, Error> {
        Ok(self.with_body(()))
    }

    fn with_body<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status,
            headers: self.headers,
            body,
        }
    }

    pub(crate) fn into_error(self) -> Error {
        Error::Api(Box::new(ApiError::new(self.status, self.headers, &self.body)))
    }
}
