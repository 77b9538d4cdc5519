//! The client: configuration, sending requests (with the opt-in retry policy), and the
//! successful response type.

use crate::error::{ApiError, DecodeError, Error};
use crate::pagination::{Links, Page};
use crate::rate_limit::{RateLimit, Retry, RetryPolicy};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{StatusCode, Url};
use std::fmt;
use std::time::Duration;

/// The `User-Agent` sent unless another is configured: GitHub rejects requests without one.
pub const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The REST API version requested unless another is configured (`X-GitHub-Api-Version`).
/// `2026-03-10` is also served; the packages endpoints are the same in both.
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

/// The `Accept` header: GitHub's recommended media type first, then `application/json`,
/// the media type the description declares, which servers that negotiate strictly by the
/// description (mock servers such as Prism) need.
pub const ACCEPT_GITHUB_JSON: &str = "application/vnd.github+json, application/json;q=0.9";

const API_VERSION_HEADER: &str = "x-github-api-version";

/// A client for the API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// let client = github_packages::Client::new(std::env::var("GITHUB_TOKEN").unwrap_or_default());
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    /// Always marked sensitive, so that neither `Debug` nor HTTP logging shows it.
    authorization: Option<HeaderValue>,
    user_agent: HeaderValue,
    api_version: HeaderValue,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("token", &self.authorization.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL) that authenticates with
    /// `token`: any kind GitHub issues (personal access token, classic or fine-grained,
    /// OAuth or GitHub App installation token), sent as `Authorization: Bearer <token>`.
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

    /// Configures a client: base URL (GitHub Enterprise Server), token, `User-Agent`, API
    /// version, timeout, retries, or your own `reqwest::Client`.
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

    /// Whether `url` is on the same scheme, host and port as the base URL: only there may
    /// the token be sent.
    pub(crate) fn is_same_origin(&self, url: &Url) -> bool {
        url.origin() == self.base_url.origin()
    }

    pub(crate) fn request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        let mut headers = HeaderMap::with_capacity(4);
        headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_GITHUB_JSON));
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(API_VERSION_HEADER, self.api_version.clone());
        if let Some(authorization) = &self.authorization {
            headers.insert(AUTHORIZATION, authorization.clone());
        }
        self.http.request(method, url).headers(headers)
    }

    /// Sends a request and reads the whole answer, retrying as the retry policy allows.
    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Result<RawResponse, Error> {
        let request = request.build().map_err(Error::transport)?;
        let Some(policy) = &self.retry else {
            return self.send_once(request).await;
        };
        let method = request.method().clone();
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(copy) = request.try_clone() else {
                return self.send_once(request).await;
            };
            let outcome = self.send_once(copy).await;
            let decision = match &outcome {
                Ok(response) if response.status.is_success() => None,
                Ok(response) => {
                    let limited = response.rate_limited();
                    policy.wait_after(&method, attempt, response.status, limited.as_ref())
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

    async fn send_once(&self, request: reqwest::Request) -> Result<RawResponse, Error> {
        let mut response = self.http.execute(request).await.map_err(Error::transport)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(Error::transport)?;
        Ok(RawResponse { status, headers, body })
    }

    /// One page of a list operation, from a URL built by an operation or a `next` link.
    pub(crate) async fn get_page<T: serde::de::DeserializeOwned>(&self, url: Url) -> Result<Page<T>, Error> {
        let response = self.send(self.request(reqwest::Method::GET, url)).await?;
        match response.status.as_u16() {
            200 => response.json(),
            _ => Err(response.into_error()),
        }
    }
}

/// Builds a [`Client`]. Every setting has a default; see [`Client::builder`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    token: Option<String>,
    user_agent: Option<String>,
    api_version: Option<String>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The URL request paths are appended to, e.g. `https://github.example.com/api/v3` for
    /// GitHub Enterprise Server, or the value of `GITHUB_API_URL` in GitHub Actions.
    /// Defaults to [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token to authenticate with. Its kind is never guessed from its prefix.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Defaults to [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The `X-GitHub-Api-Version` to request, e.g. `2026-03-10`. Defaults to
    /// [`DEFAULT_API_VERSION`].
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
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
        // An empty token (an unset `GITHUB_TOKEN`, say) means anonymous, not `Bearer `.
        let authorization = match self.token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(token) => {
                let mut value = header("token", &format!("Bearer {token}"))?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let user_agent = header("User-Agent", self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT))?;
        let api_version = header("API version", self.api_version.as_deref().unwrap_or(DEFAULT_API_VERSION))?;
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
            authorization,
            user_agent,
            api_version,
            retry: self.retry,
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

    /// GitHub's id for the request (`x-github-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-github-request-id")?.to_str().ok()
    }

    /// The rate limit this request counted against, from the `x-ratelimit-*` headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(&self.headers)
    }

    /// The `Link` header's `next`, `prev`, `first` and `last` pages (list operations).
    pub fn links(&self) -> Links {
        Links::from_headers(&self.headers)
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
    pub(crate) fn json<T: serde::de::DeserializeOwned>(self) -> Result<Response<T>, Error> {
        // Tracking the path while decoding about doubles the time it takes to decode a page,
        // and only a failure needs the path: decode plainly, then again with tracking to say
        // where it failed.
        if let Ok(body) = serde_json::from_slice(&self.body) {
            return Ok(Response {
                status: self.status,
                headers: self.headers,
                body,
            });
        }
        // Unlike `from_slice`, this accepts trailing bytes after the value, so it may succeed.
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        match serde_path_to_error::deserialize(&mut deserializer) {
            Ok(body) => Ok(Response {
                status: self.status,
                headers: self.headers,
                body,
            }),
            Err(error) => Err(Error::Decode(Box::new(DecodeError::new(
                self.status,
                &self.headers,
                &error,
                &self.body,
            )))),
        }
    }

    /// A text body (`text/*`); invalid UTF-8 is replaced, not an error.
    // Used only by specs with text responses.
    #[allow(dead_code)]
    pub(crate) fn text(self) -> Result<Response<String>, Error> {
        let text = String::from_utf8_lossy(&self.body).into_owned();
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body: text,
        })
    }

    /// A body that is neither JSON nor text, as received.
    // Used only by specs with binary responses.
    #[allow(dead_code)]
    pub(crate) fn bytes(self) -> Result<Response<bytes::Bytes>, Error> {
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body: self.body,
        })
    }

    /// A success without a body (`204 No Content`).
    pub(crate) fn empty(self) -> Result<Response<()>, Error> {
        Ok(Response {
            status: self.status,
            headers: self.headers,
            body: (),
        })
    }

    pub(crate) fn into_error(self) -> Error {
        Error::Api(Box::new(ApiError::new(self.status, self.headers, &self.body)))
    }

    fn rate_limited(&self) -> Option<crate::rate_limit::RateLimited> {
        if !matches!(self.status.as_u16(), 403 | 429) {
            return None;
        }
        let message = crate::error::ErrorBody::parse(&self.body).and_then(|body| body.message);
        crate::rate_limit::rate_limited(self.status, &self.headers, message.as_deref(), std::time::SystemTime::now())
    }
}
