//! The client: configuration, sending requests (with the opt-in retry policy, hooks, the
//! response cache and tracing), reading answers within bounds, and the successful response
//! type.

use crate::auth::{bearer, without_query_keys, Chosen, Credentials, KeyLocation, PendingSecret, SchemeKind, Secret, Secrets, SecurityScheme, TokenProvider};
use crate::conditional::{ConditionalCall, ResponseCache};
use crate::error::{ApiError, DecodeError, Error, KEPT_BODY};
use crate::hooks::{HookContext, OperationInfo, RequestHook};
use crate::pacing::{Pacer, Pacing};
use crate::retry::{Retry, RetryPolicy};
use crate::trace::Span;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, COOKIE, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The `User-Agent` sent unless another is configured (some APIs reject requests without
/// one).
pub const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The largest response body read unless another limit is configured: 256 MiB.
const DEFAULT_MAX_RESPONSE_SIZE: usize = 256 << 20;

/// A client for the API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// let client = __crate__::Client::new(std::env::var("API_TOKEN").unwrap_or_default());
/// ```
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: Url,
    /// The client-wide token: every request's when the description declares no schemes,
    /// else any bearer scheme's that has no credential of its own.
    credentials: Credentials,
    /// The credentials of the description's schemes.
    secrets: Arc<Secrets>,
    /// Sent with every request: the `User-Agent`, the profile's headers and the caller's.
    headers: HeaderMap,
    retry: Option<RetryPolicy>,
    pacer: Option<Arc<Pacer>>,
    hooks: Arc<[Arc<dyn RequestHook>]>,
    cache: Option<ResponseCache>,
    /// Set on the client [`Client::if_changed`] hands its call.
    pub(crate) conditional: Option<Arc<ConditionalCall>>,
    max_response_size: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url.as_str())
            .field("token", &self.credentials)
            .field("secrets", &self.secrets)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("retry", &self.retry)
            .field("pacing", &self.pacer)
            .field("hooks", &self.hooks.len())
            .field("cache", &self.cache)
            .field("max_response_size", &self.max_response_size)
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
        // Credentials are set on each attempt (`send_attempt`), as the operation asks.
        self.http.request(method, url).headers(headers)
    }

    /// Sends a request and reads its answer (a success whole, an error's first 64 KiB):
    /// paced, with the provider's token, retried as the retry policy allows, seen by the
    /// hooks, revalidated by the response cache, and traced.
    // #if streams
    // Unused where every operation answers with a stream.
    #[allow(dead_code)]
    // #endif
    pub(crate) async fn send(&self, request: reqwest::RequestBuilder, operation: OperationInfo) -> Result<RawResponse, Error> {
        let mut request = request.build().map_err(Error::transport)?;
        let method = request.method().clone();
        if let Some(conditional) = &self.conditional {
            conditional.prepare(&mut request)?;
        }
        let revalidation = self.cache.as_ref().and_then(|cache| cache.prepare(&mut request));
        let span = Span::call(&operation, &method);
        // #if streams
        let (outcome, attempts) = span.run(self.send_with_retries(request, operation, &span, None)).await;
        // #else
        let (outcome, attempts) = span.run(self.send_with_retries(request, operation, &span)).await;
        // #endif
        span.end(outcome.as_ref().ok().map(|r| r.status), outcome.as_ref().err(), Some(attempts));
        let response = outcome?;
        if let Some(conditional) = &self.conditional {
            conditional.answered(&response);
        }
        Ok(match revalidation {
            Some(revalidation) => revalidation.finish(response),
            None => response,
        })
    }

    // #if streams
    /// Sends a request whose successful answer is read as it arrives (`stream.rs`): paced,
    /// with the credentials it takes, retried as the retry policy allows until the server
    /// answers with a success, and seen by the hooks (status and headers; the body is not
    /// read yet). Never revalidated by the response cache. The call's span is handed over to
    /// end with the stream.
    pub(crate) async fn send_streaming(&self, request: reqwest::RequestBuilder, operation: OperationInfo) -> Result<crate::stream::Opened, Error> {
        let request = request.build().map_err(Error::transport)?;
        let span = Span::call(&operation, request.method());
        let mut body = None;
        let (outcome, attempts) = span.run(self.send_with_retries(request, operation, &span, Some(&mut body))).await;
        let error = match (outcome, body) {
            (Ok(response), Some(body)) if response.status.is_success() => {
                return Ok(crate::stream::Opened { response, body, span, attempts, limit: self.max_response_size });
            }
            (Ok(response), _) => response.into_error(),
            (Err(error), _) => error,
        };
        span.end(error.status(), Some(&error), Some(attempts));
        Err(error)
    }

    // #endif
    /// Attempts until one succeeds or the retry policy gives up; the outcome, and how many
    /// attempts it took.
    // #if streams
    /// With `body`, a success's body is left there unread (the last attempt's: a success is
    /// never sent again).
    async fn send_with_retries(&self, request: reqwest::Request, operation: OperationInfo, span: &Span, mut body: Option<&mut Option<reqwest::Response>>) -> (Result<RawResponse, Error>, u32) {
    // #else
    async fn send_with_retries(&self, request: reqwest::Request, operation: OperationInfo, span: &Span) -> (Result<RawResponse, Error>, u32) {
    // #endif
        let method = request.method().clone();
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        let mut refresh = false;
        // Each pass is an attempt: a renewed token is tried once, and every other retry
        // counts against the policy's retries and total wait.
        loop {
            attempt += 1;
            // A body that cannot be copied (a stream) is sent once.
            let Some(copy) = request.try_clone() else {
                // #if streams
                return (self.send_attempt(request, refresh, operation, attempt, span, body).await, attempt);
                // #else
                return (self.send_attempt(request, refresh, operation, attempt, span).await, attempt);
                // #endif
            };
            // #if streams
            let outcome = self.send_attempt(copy, refresh, operation, attempt, span, body.as_deref_mut()).await;
            // #else
            let outcome = self.send_attempt(copy, refresh, operation, attempt, span).await;
            // #endif
            // A refused token is renewed once, and the request sent again where it was not
            // carried out (the methods retried after a rate limit, `GET` and `HEAD` alone by
            // default).
            let unauthorized = matches!(&outcome, Ok(response) if response.status == StatusCode::UNAUTHORIZED);
            if unauthorized && self.token_renewal_helps(operation) && !refresh {
                let retried = self.retry.as_ref().map_or(&[Method::GET, Method::HEAD][..], |p| &p.rate_limit_methods[..]);
                if retried.contains(&method) {
                    refresh = true;
                    continue;
                }
            }
            refresh = false;
            let Some(policy) = &self.retry else {
                return (outcome, attempt);
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
                return (outcome, attempt);
            };
            if waited + wait > policy.max_total_wait {
                return (outcome, attempt);
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

    /// Whether a `401` to `operation` may be cured by a new token.
    fn token_renewal_helps(&self, operation: OperationInfo) -> bool {
        match operation.security {
            None => self.credentials.is_provided(),
            Some(alternatives) => match self.secrets.choose(&self.credentials, alternatives, operation.id) {
                Ok(chosen) => chosen.iter().any(|chosen| match chosen {
                    Chosen::Secret(_, _, secret) => secret.renews(),
                    Chosen::Fallback(credentials) => credentials.is_provided(),
                }),
                Err(_) => false,
            },
        }
    }

    /// Sets the credentials `operation` takes on `request`; the names of the query keys to
    /// add once the hooks have run (a URL is shown in more places than a sensitive header).
    async fn attach_credentials(&self, request: &mut reqwest::Request, operation: OperationInfo, refresh: bool) -> Result<Vec<(&'static str, HeaderValue)>, Error> {
        let Some(alternatives) = operation.security else {
            if let Some(authorization) = self.credentials.authorization(refresh).await? {
                request.headers_mut().insert(AUTHORIZATION, authorization);
            }
            return Ok(Vec::new());
        };
        let mut query_keys = Vec::new();
        for chosen in self.secrets.choose(&self.credentials, alternatives, operation.id)? {
            let (scheme, scopes, secret) = match chosen {
                Chosen::Fallback(credentials) => {
                    if let Some(authorization) = credentials.authorization(refresh).await? {
                        request.headers_mut().insert(AUTHORIZATION, authorization);
                    }
                    continue;
                }
                Chosen::Secret(scheme, scopes, secret) => (scheme, scopes, secret),
            };
            match (scheme.kind, secret) {
                (SchemeKind::ApiKey { location, name }, Secret::ApiKey(key)) => match location {
                    // The operation's own value of the header, or one set client-wide, wins.
                    KeyLocation::Header => {
                        if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                            if !request.headers().contains_key(&name) {
                                request.headers_mut().insert(name, key.clone());
                            }
                        }
                    }
                    KeyLocation::Query => query_keys.push((name, key.clone())),
                    KeyLocation::Cookie => {
                        let pair = format!("{}={}", name, key.to_str().unwrap_or_default());
                        let cookie = match request.headers().get(COOKIE).and_then(|c| c.to_str().ok()) {
                            Some(cookies) => format!("{cookies}; {pair}"),
                            None => pair,
                        };
                        if let Ok(mut value) = HeaderValue::from_str(&cookie) {
                            value.set_sensitive(true);
                            request.headers_mut().insert(COOKIE, value);
                        }
                    }
                },
                (_, Secret::ApiKey(_)) => {}
                (_, Secret::Basic(authorization)) => {
                    request.headers_mut().insert(AUTHORIZATION, authorization.clone());
                }
                (_, Secret::Bearer(credentials)) => {
                    if let Some(authorization) = credentials.authorization(refresh).await? {
                        request.headers_mut().insert(AUTHORIZATION, authorization);
                    }
                }
                (kind, Secret::ClientCredentials(client)) => {
                    let described = match kind {
                        SchemeKind::ClientCredentials { token_url } => token_url,
                        _ => "",
                    };
                    let token_url = self.secrets.token_urls.get(scheme.name).map_or(described, String::as_str);
                    let authorization = client.authorization(&self.http, token_url, scopes, refresh, self.max_response_size).await?;
                    request.headers_mut().insert(AUTHORIZATION, authorization);
                }
            }
        }
        Ok(query_keys)
    }

    /// One attempt: the credentials set, the hooks run, and the pacing budget kept.
    async fn send_attempt(
        &self,
        mut request: reqwest::Request,
        refresh: bool,
        operation: OperationInfo,
        attempt: u32,
        span: &Span,
        // #if streams
        body: Option<&mut Option<reqwest::Response>>,
        // #endif
    ) -> Result<RawResponse, Error> {
        let query_keys = self.attach_credentials(&mut request, operation, refresh).await?;
        let mut context = (!self.hooks.is_empty()).then(|| HookContext {
            operation,
            method: request.method().clone(),
            attempt,
            elapsed: None,
        });
        if let Some(context) = &context {
            for hook in self.hooks.iter() {
                hook.on_request(context, &mut request);
            }
        }
        let _admission = match &self.pacer {
            Some(pacer) => pacer.admit(request.method()).await,
            None => None,
        };
        let span = span.attempt(attempt);
        let started = context.is_some().then(tokio::time::Instant::now);
        let key_names: Vec<&str> = query_keys.iter().map(|(name, _)| *name).collect();
        if !query_keys.is_empty() {
            let url = without_query_keys(request.url(), &key_names);
            *request.url_mut() = url;
            let mut pairs = request.url_mut().query_pairs_mut();
            for (name, key) in &query_keys {
                pairs.append_pair(name, key.to_str().unwrap_or_default());
            }
        }
        // #if streams
        let mut outcome = span.run(self.send_once(request, &key_names, body)).await;
        // #else
        let mut outcome = span.run(self.send_once(request, &key_names)).await;
        // #endif
        if let (Some(context), Some(started)) = (&mut context, started) {
            context.elapsed = Some(started.elapsed());
            for hook in self.hooks.iter() {
                match &mut outcome {
                    Ok(response) => hook.on_response(context, response),
                    Err(error) => hook.on_error(context, error),
                }
            }
        }
        span.end(outcome.as_ref().ok().map(|r| r.status), outcome.as_ref().err(), None);
        outcome
    }

    /// Sends one request; the answer's URL without the query keys `hidden` names.
    // #if streams
    /// With `unread`, a success's body is left there to be read as it arrives.
    async fn send_once(&self, request: reqwest::Request, hidden: &[&str], unread: Option<&mut Option<reqwest::Response>>) -> Result<RawResponse, Error> {
    // #else
    async fn send_once(&self, request: reqwest::Request, hidden: &[&str]) -> Result<RawResponse, Error> {
    // #endif
        let mut response = self.http.execute(request).await.map_err(Error::transport)?;
        let status = response.status();
        let url = without_query_keys(response.url(), hidden);
        let headers = std::mem::take(response.headers_mut());
        let declared = response.content_length();
        // #if streams
        if let (true, Some(unread)) = (status.is_success(), unread) {
            *unread = Some(response);
            return Ok(RawResponse { status, headers, body: Bytes::new(), body_len: 0, url, described: true, not_modified: false });
        }
        // #endif
        let (body, body_len) = if status.is_success() {
            let body = read_whole(&mut response, declared, self.max_response_size, status).await?;
            let length = body.len() as u64;
            (body, length)
        } else {
            read_kept(&mut response, declared, self.max_response_size).await
        };
        Ok(RawResponse {
            status,
            headers,
            body,
            body_len,
            url,
            described: true,
            not_modified: false,
        })
    }
}

/// A success's whole body, at most `limit` bytes; one allocation of the declared length
/// (none when it arrives in one piece). A body cut short, reset or timed out is a transport
/// error, which a retry policy retries for safe methods.
async fn read_whole(response: &mut reqwest::Response, declared: Option<u64>, limit: usize, status: StatusCode) -> Result<Bytes, Error> {
    let too_large = || Error::TooLarge { status, limit };
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let Some(first) = response.chunk().await.map_err(Error::transport)? else {
        return Ok(Bytes::new());
    };
    let Some(second) = response.chunk().await.map_err(Error::transport)? else {
        return if first.len() > limit { Err(too_large()) } else { Ok(first) };
    };
    let declared = declared.map_or(0, |length| length as usize);
    let mut body = Vec::with_capacity(declared.max(first.len() + second.len()).min(limit));
    body.extend_from_slice(&first);
    body.extend_from_slice(&second);
    drop((first, second));
    // Each chunk is data the server sent; the limit bounds how many are read.
    while let Some(chunk) = response.chunk().await.map_err(Error::transport)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    if body.len() > limit {
        return Err(too_large());
    }
    Ok(Bytes::from(body))
}

/// An error's body: its first [`KEPT_BODY`] bytes, and its whole length (`Content-Length`,
/// else counted while reading on to the end or to `limit`). What follows the kept part is
/// not read when the length is declared: the connection is closed instead. A body cut short
/// keeps what arrived; the status is the answer.
async fn read_kept(response: &mut reqwest::Response, declared: Option<u64>, limit: usize) -> (Bytes, u64) {
    let mut kept = Vec::with_capacity(declared.map_or(0, |length| length.min(KEPT_BODY as u64) as usize));
    let mut seen: u64 = 0;
    while let Ok(Some(chunk)) = response.chunk().await {
        seen += chunk.len() as u64;
        let room = KEPT_BODY - kept.len();
        kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if kept.len() == KEPT_BODY && (declared.is_some() || seen >= limit as u64) {
            break;
        }
    }
    (Bytes::from(kept), declared.unwrap_or(seen).max(seen))
}

/// Builds a [`Client`]. Every setting has a default; see [`Client::builder`].
#[derive(Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    token: Option<String>,
    token_provider: Option<Arc<dyn TokenProvider>>,
    /// The credentials of the description's schemes, by scheme.
    secrets: Vec<(&'static SecurityScheme, PendingSecret)>,
    token_urls: Vec<(&'static str, String)>,
    credentials_from_hooks: bool,
    pacing: Option<Pacing>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
    hooks: Vec<Arc<dyn RequestHook>>,
    cache: Option<ResponseCache>,
    max_response_size: Option<usize>,
    /// What the API's profile adds to plain HTTP (see `profile.rs`).
    pub(crate) profile: crate::profile::Settings,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_provider", &self.token_provider.as_ref().map(|_| "<token provider>"))
            .field("secrets", &self.secrets.iter().map(|(scheme, _)| scheme.name).collect::<Vec<_>>())
            .field("token_urls", &self.token_urls)
            .field("credentials_from_hooks", &self.credentials_from_hooks)
            .field("pacing", &self.pacing)
            .field("user_agent", &self.user_agent)
            .field("headers", &self.headers.iter().map(|(name, _)| name).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("hooks", &self.hooks.len())
            .field("cache", &self.cache)
            .field("max_response_size", &self.max_response_size)
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
    /// is never guessed from its prefix. When the description declares security schemes, it
    /// goes only to the operations that ask for a bearer scheme (HTTP bearer, OAuth2, OpenID
    /// Connect) with no credential of its own; when it declares none, to every operation.
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

    /// The credential of one of the description's schemes (the generated methods named
    /// after the schemes call this).
    #[allow(dead_code)]
    pub(crate) fn scheme_secret(mut self, scheme: &'static SecurityScheme, secret: PendingSecret) -> Self {
        self.secrets.retain(|(kept, _)| kept.name != scheme.name);
        self.secrets.push((scheme, secret));
        self
    }

    /// An OAuth2 scheme's token URL, instead of the description's (a proxy, a test server).
    #[allow(dead_code)]
    pub(crate) fn scheme_token_url(mut self, scheme: &'static SecurityScheme, url: String) -> Self {
        self.token_urls.retain(|(kept, _)| *kept != scheme.name);
        self.token_urls.push((scheme.name, url));
        self
    }

    /// Says that a [`RequestHook`] adds the credentials: an operation whose credentials are
    /// not configured here is sent without them instead of failing with
    /// [`Error::MissingCredentials`] before it is sent. Credentials that are configured are
    /// still sent, before the hooks run.
    pub fn credentials_from_hooks(mut self) -> Self {
        self.credentials_from_hooks = true;
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

    /// Adds a hook that sees every request and answer: see [`RequestHook`]. Hooks run in
    /// the order added.
    pub fn hook(mut self, hook: impl RequestHook) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// Keeps `GET` answers that carry an `ETag` or `Last-Modified` and revalidates them: see
    /// [`ResponseCache`]. Off by default.
    pub fn cache(mut self, cache: ResponseCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// The largest response body the client reads (default 256 MiB): a longer success is
    /// an [`Error::TooLarge`], and an error keeps its first 64 KiB whatever its length.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = Some(bytes);
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
        let mut secrets = Secrets {
            from_hooks: self.credentials_from_hooks,
            token_urls: self.token_urls.into_iter().collect(),
            ..Secrets::default()
        };
        let mut header_keys = false;
        for (scheme, pending) in self.secrets {
            header_keys |= matches!(scheme.kind, SchemeKind::ApiKey { location: KeyLocation::Header, .. });
            secrets.by_scheme.insert(scheme.name, Secret::of(pending, scheme.name)?);
        }
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
                // reqwest drops `Authorization` and `Cookie` on a redirect to another origin,
                // but not an API key's own header: such a redirect is not followed, and its
                // answer comes back as it is.
                if header_keys {
                    builder = builder.redirect(reqwest::redirect::Policy::custom(|attempt| {
                        let other_origin = attempt.previous().last().is_some_and(|previous| previous.origin() != attempt.url().origin());
                        if other_origin {
                            attempt.stop()
                        } else if attempt.previous().len() > 10 {
                            attempt.error("too many redirects")
                        } else {
                            attempt.follow()
                        }
                    }));
                }
                builder.build().map_err(Error::transport)?
            }
        };
        Ok(Client {
            http,
            base_url,
            credentials,
            secrets: Arc::new(secrets),
            headers,
            retry: self.retry,
            pacer: self.pacing.map(|pacing| Arc::new(Pacer::new(pacing))),
            hooks: self.hooks.into(),
            cache: self.cache,
            conditional: None,
            max_response_size: self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE),
        })
    }
}

/// A successful response: the decoded body with the status, headers and URL it came with.
///
/// A success whose status the operation's description does not list is a success all the
/// same: its body is decoded where it matches the described type, and kept as received in
/// [`Response::raw_body`].
#[derive(Clone)]
pub struct Response<T> {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: T,
    pub(crate) url: Url,
    /// The body as received, for a status the description does not list.
    pub(crate) raw: Option<Bytes>,
    /// Served by the response cache after a `304 Not Modified`.
    pub(crate) not_modified: bool,
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.body)
            // The query may carry a credential.
            .field("path", &self.url.path())
            .field("raw_body", &self.raw.as_ref().map(Bytes::len))
            .field("not_modified", &self.not_modified)
            .finish()
    }
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

    /// The URL that answered (after redirects). Its query may hold parameters you sent, so
    /// log it with care.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Whether the status is one the operation's description lists.
    pub fn is_described(&self) -> bool {
        self.raw.is_none()
    }

    /// The body as received, when the status is one the description does not list (e.g. a
    /// `200 {}` where a `204` is described); `None` otherwise.
    pub fn raw_body(&self) -> Option<&[u8]> {
        self.raw.as_deref()
    }

    /// The same response with its body transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            url: self.url,
            raw: self.raw,
            not_modified: self.not_modified,
        }
    }
}

/// An answer as read, before it is decoded or turned into an error: what
/// [`RequestHook::on_response`] sees and may change. A success's body is whole; an error's is
/// its first 64 KiB.
#[derive(Clone)]
pub struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The whole body's length: more than `body` holds when an error's was long.
    pub(crate) body_len: u64,
    pub(crate) url: Url,
    /// False for a success the description does not list: its body is kept as received.
    pub(crate) described: bool,
    pub(crate) not_modified: bool,
}

impl fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("path", &self.url.path())
            .field("headers", &self.headers)
            .field("body_len", &self.body_len)
            .finish_non_exhaustive()
    }
}

impl RawResponse {
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn set_status(&mut self, status: StatusCode) {
        self.status = status;
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }

    /// The body as read: a success's whole, an error's first 64 KiB.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    pub fn set_body(&mut self, body: impl Into<Bytes>) {
        self.body = body.into();
        self.body_len = self.body.len() as u64;
    }

    /// The length of the whole body, read or not.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// The URL that answered (after redirects).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Marks a success the description does not list: it is read as the described type
    /// where it matches, and its body is kept as received.
    // Used only by specs with operations that do not describe every 2XX.
    #[allow(dead_code)]
    pub(crate) fn undescribed(mut self) -> Self {
        self.described = false;
        self
    }

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

    // #if streams
    /// A success whose body is read as it arrives, as `body`.
    pub(crate) fn streaming<S>(self, body: S) -> Response<S> {
        self.with_body(body)
    }

    // #endif
    fn with_body<T>(self, body: T) -> Response<T> {
        Response {
            status: self.status,
            headers: self.headers,
            body,
            url: self.url,
            raw: (!self.described).then_some(self.body),
            not_modified: self.not_modified,
        }
    }

    pub(crate) fn into_error(self) -> Error {
        Error::Api(Box::new(ApiError::new(self.status, self.headers, &self.body, self.body_len)))
    }
}
