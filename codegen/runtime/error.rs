//! The one error type every operation returns.

use crate::profile::{ErrorBody, ProfileError};
use crate::retry::RateLimited;
use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};
use std::fmt;
use std::time::SystemTime;

/// Everything that can go wrong with a call. Never contains the token.
///
/// ```no_run
/// # fn handle(error: __crate__::Error) {
/// if let Some(limited) = error.rate_limited() {
///     println!("rate limited; retry in {:?}", limited.wait);
/// } else if error.is_not_found() {
///     println!("no such resource (or no permission to see it)");
/// } else if let Some(api) = error.api() {
///     println!("{}: {}", api.status(), api.raw_body());
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid (base URL, header values).
    InvalidConfig(String),
    /// No token could be had: the token provider's error (which should not hold the token),
    /// or the OAuth2 token endpoint's refusal.
    Credentials(Box<dyn std::error::Error + Send + Sync>),
    /// An operation that needs credentials the client was not given: the schemes of each
    /// way the description allows, by name. Nothing was sent. Configure one on the
    /// [`ClientBuilder`](crate::ClientBuilder), or say that a hook supplies them
    /// ([`ClientBuilder::credentials_from_hooks`](crate::ClientBuilder::credentials_from_hooks)).
    MissingCredentials {
        operation: &'static str,
        alternatives: Vec<Vec<&'static str>>,
    },
    /// A path parameter value that cannot be sent as one path segment: empty, `.` or `..`.
    /// Sending it would reach a different resource than the one named.
    InvalidPathParameter {
        name: &'static str,
        value: String,
    },
    /// A request that the conventions of the API's vendor refuse before it is sent: see
    /// [`ProfileError`].
    Profile(ProfileError),
    /// A pagination link to another origin than the client's base URL; not followed, so
    /// that the token is not sent elsewhere.
    UntrustedLink(Url),
    /// A listing that cannot go on to its next page, though it has one: see
    /// [`PaginationError`].
    Pagination(PaginationError),
    /// A response body larger than the client's limit
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)); not
    /// read further.
    TooLarge { status: StatusCode, limit: usize },
    /// The request could not be sent, or the response could not be read (connection, TLS,
    /// timeout).
    Transport(reqwest::Error),
    /// The server answered with a status the operation does not describe as a success.
    Api(Box<ApiError>),
    /// The server answered with a success, but its body does not match the described type.
    Decode(Box<DecodeError>),
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(error) => Some(error.status),
            Error::Decode(error) => Some(error.status),
            Error::TooLarge { status, .. } => Some(*status),
            Error::Transport(error) => error.status(),
            _ => None,
        }
    }

    /// The server's refusal, when it refused.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(error) => Some(error),
            _ => None,
        }
    }

    /// See [`ApiError::kind`].
    pub fn kind(&self) -> Option<ApiErrorKind> {
        self.api().map(ApiError::kind)
    }

    pub fn is_not_found(&self) -> bool {
        self.kind() == Some(ApiErrorKind::NotFound)
    }

    /// 401 or 403 (not a rate limit): the token is missing, wrong, or lacks a scope.
    pub fn is_auth(&self) -> bool {
        matches!(self.kind(), Some(ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden))
    }

    pub fn is_validation(&self) -> bool {
        self.kind() == Some(ApiErrorKind::Validation)
    }

    /// A `304 Not Modified` answering validators the caller sent itself (a hook's, say);
    /// [`Client::if_changed`](crate::Client::if_changed) and a
    /// [`ResponseCache`](crate::ResponseCache) turn it into a success.
    pub fn is_not_modified(&self) -> bool {
        self.kind() == Some(ApiErrorKind::NotModified)
    }

    /// The wait a rate limit asks for, when one refused the request.
    pub fn rate_limited(&self) -> Option<&RateLimited> {
        self.api()?.rate_limited()
    }

    /// Wraps a reqwest error without the URL's query, which may carry a credential (a
    /// `token` parameter, say).
    pub(crate) fn transport(mut error: reqwest::Error) -> Error {
        if let Some(url) = error.url_mut() {
            url.set_query(None);
        }
        Error::Transport(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(message) => write!(f, "invalid client configuration: {message}"),
            Error::Credentials(error) => write!(f, "could not get a token: {error}"),
            Error::MissingCredentials { operation, alternatives } => {
                let ways: Vec<String> = alternatives.iter().map(|schemes| schemes.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and ")).collect();
                write!(f, "`{operation}` needs credentials the client was not given: configure {} on the client builder", ways.join(", or "))
            }
            Error::InvalidPathParameter { name, value } => {
                write!(f, "path parameter `{name}` cannot be {value:?}: it would change which resource is requested")
            }
            Error::Profile(error) => error.fmt(f),
            Error::UntrustedLink(url) => write!(
                f,
                "not following a pagination link to another origin ({})",
                url.origin().ascii_serialization()
            ),
            Error::Pagination(error) => error.fmt(f),
            Error::TooLarge { status, limit } => {
                write!(f, "the {status} response body is larger than the client's limit of {limit} bytes")
            }
            Error::Transport(error) => write!(f, "request failed: {error}"),
            Error::Api(error) => error.fmt(f),
            Error::Decode(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(error) => Some(error),
            Error::Credentials(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

/// What kind of refusal an [`ApiError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 404: no such resource, or no permission to see it.
    NotFound,
    /// 401: no valid credentials.
    Unauthorized,
    /// 403 that is not a rate limit: the token lacks a permission or scope.
    Forbidden,
    /// 400 or 422: the request cannot be carried out as asked.
    Validation,
    /// A rate limit refused it (a 429, or as the API's conventions say); see
    /// [`ApiError::rate_limited`].
    RateLimited,
    /// 5XX.
    ServerError,
    /// 304: the resource has not changed since the validators sent.
    NotModified,
    Other,
}

/// How much of a body an error keeps: enough for any error document, bounded whatever the
/// server sends (a proxy's 16 MiB HTML page keeps its first 64 KiB).
pub(crate) const KEPT_BODY: usize = 64 * 1024;

/// At most the first [`KEPT_BODY`] bytes of `bytes`, as text (invalid UTF-8 replaced).
fn kept_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(KEPT_BODY)]).into_owned()
}

/// An answer with a status the operation does not describe as a success.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<ErrorBody>,
    raw_body: String,
    body_len: u64,
    rate_limited: Option<RateLimited>,
}

impl ApiError {
    /// `bytes` is the body as read: all of it, or its first [`KEPT_BODY`] bytes of
    /// `body_len`.
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, bytes: &[u8], body_len: u64) -> Self {
        let body = crate::profile::parse_error_body(bytes);
        let rate_limited = crate::profile::rate_limited(status, &headers, bytes, SystemTime::now());
        ApiError {
            status,
            headers,
            body,
            raw_body: kept_text(bytes),
            body_len: body_len.max(bytes.len() as u64),
            rate_limited,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn kind(&self) -> ApiErrorKind {
        match self.status.as_u16() {
            _ if self.rate_limited.is_some() => ApiErrorKind::RateLimited,
            404 => ApiErrorKind::NotFound,
            401 => ApiErrorKind::Unauthorized,
            403 => ApiErrorKind::Forbidden,
            400 | 422 => ApiErrorKind::Validation,
            304 => ApiErrorKind::NotModified,
            500..=599 => ApiErrorKind::ServerError,
            _ => ApiErrorKind::Other,
        }
    }

    /// The kind of rate limit and the wait it asks for, when one refused the request.
    pub fn rate_limited(&self) -> Option<&RateLimited> {
        self.rate_limited.as_ref()
    }

    /// The error body, when it is one the API's conventions describe.
    pub fn body(&self) -> Option<&ErrorBody> {
        self.body.as_ref()
    }

    /// The body as received (an HTML error page from a proxy, say): all of it, or its first
    /// 64 KiB when it is longer (see [`ApiError::body_len`]).
    pub fn raw_body(&self) -> &str {
        &self.raw_body
    }

    /// The length of the whole body in bytes: its `Content-Length`, or as counted while
    /// reading it (up to the client's response size limit).
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// Whether [`ApiError::raw_body`] is only the beginning of the body.
    pub fn is_body_truncated(&self) -> bool {
        self.body_len > self.raw_body.len() as u64
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server answered {}", self.status)?;
        match self.body.as_ref().and_then(crate::profile::error_message) {
            Some(message) => write!(f, ": {message}")?,
            None if !self.raw_body.is_empty() => {
                let excerpt: String = self.raw_body.chars().take(200).collect();
                write!(f, ": {}", excerpt.trim())?
            }
            None => {}
        }
        if let Some(limited) = &self.rate_limited {
            write!(f, " (rate limited; retry in {}s)", limited.wait.as_secs())?;
        }
        crate::profile::fmt_error_notes(self, f)
    }
}

/// A success whose body does not match the described type.
#[derive(Debug, Clone)]
pub struct DecodeError {
    status: StatusCode,
    headers: HeaderMap,
    path: String,
    message: String,
    raw_body: String,
    body_len: usize,
}

impl DecodeError {
    // Used only by specs with JSON responses.
    #[allow(dead_code)]
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        error: &serde_path_to_error::Error<serde_json::Error>,
        bytes: &[u8],
    ) -> Self {
        DecodeError {
            status,
            headers,
            path: error.path().to_string(),
            message: error.inner().to_string(),
            raw_body: kept_text(bytes),
            body_len: bytes.len(),
        }
    }

    // #if streams
    /// A streamed body that ended with `partial` not yet a whole item.
    pub(crate) fn incomplete(status: StatusCode, headers: HeaderMap, partial: &[u8]) -> Self {
        DecodeError {
            status,
            headers,
            path: ".".to_owned(),
            message: "the body ended in the middle of an item".to_owned(),
            raw_body: kept_text(partial),
            body_len: partial.len(),
        }
    }

    // #endif
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Where in the body decoding failed, e.g. `[3].owner.id` (`.` for the whole body).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What serde reported.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The body as received: all of it, or its first 64 KiB when it is longer (see
    /// [`DecodeError::body_len`]).
    pub fn raw_body(&self) -> &str {
        &self.raw_body
    }

    /// The length of the whole body in bytes.
    pub fn body_len(&self) -> usize {
        self.body_len
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} response does not match the described type at `{}`: {}",
            self.status, self.path, self.message
        )
    }
}

/// Why a listing stopped before its last page. A listing is complete or ends in an error:
/// it never ends quietly while the server says there is more.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationError {
    /// Page `page`'s `next` link leads to a page this listing already fetched (a proxy's or
    /// server's bug): following it would never end. `path` is that page's path (without
    /// the query, which may carry a credential).
    Loop { page: usize, path: String },
    /// Page `page` has a `next` link whose target cannot be followed: not a URI reference.
    UnusableLink { page: usize, target: String },
    /// The listing's page cap (`Paginated::max_pages`) was reached with pages left.
    PageLimit { pages: usize },
}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaginationError::Loop { page, path } => write!(
                f,
                "the `next` link of page {page} leads back to `{path}`, a page already fetched: the listing would never end"
            ),
            PaginationError::UnusableLink { page, target } => {
                let shown: String = target.chars().take(200).collect();
                write!(f, "page {page} has a `next` link that cannot be followed: `{shown}`")
            }
            PaginationError::PageLimit { pages } => {
                write!(f, "the listing has more than the {pages} pages it may fetch")
            }
        }
    }
}
