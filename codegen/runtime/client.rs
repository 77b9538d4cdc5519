//! The client: configuration, and sending requests.

use crate::error::{DecodeError, Error};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{StatusCode, Url};
use std::fmt;
use std::time::Duration;

/// The `User-Agent` sent unless another is configured: GitHub rejects requests without one.
pub const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The REST API version requested unless another is configured (`X-GitHub-Api-Version`).
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

/// The media type GitHub recommends asking for.
pub const ACCEPT_GITHUB_JSON: &str = "application/vnd.github+json";

const API_VERSION_HEADER: &str = "x-github-api-version";

/// A client for the API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), github_packages::Error> {
/// let client = github_packages::Client::new(std::env::var("GITHUB_TOKEN").unwrap_or_default());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    /// Always marked sensitive, so that neither `Debug` nor HTTP logging shows it.
    authorization: Option<HeaderValue>,
    user_agent: HeaderValue,
    api_version: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("token", &self.authorization.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
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
    /// version, timeout, or your own `reqwest::Client`.
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

    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, Error> {
        request.send().await.map_err(Error::transport)
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
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
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
        let authorization = match &self.token {
            Some(token) => {
                let mut value = header("token", &format!("Bearer {}", token.trim()))?;
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

    /// GitHub's id for the request (`x-github-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-github-request-id")?.to_str().ok()
    }
}

/// Decodes a JSON body into `T`; a mismatch names the JSON path that failed.
pub(crate) async fn decode_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<Response<T>, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.map_err(Error::transport)?;
    let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(body) => Ok(Response { status, headers, body }),
        Err(error) => Err(Error::Decode(Box::new(DecodeError::new(status, &headers, &error, &bytes)))),
    }
}

/// A success without a body (`204 No Content`).
pub(crate) fn empty(response: reqwest::Response) -> Response<()> {
    Response {
        status: response.status(),
        headers: response.headers().clone(),
        body: (),
    }
}
