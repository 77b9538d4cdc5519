//! GitHub's conventions, beyond what its OpenAPI description states: the media type and API
//! version headers, the error body (`message`, `documentation_url`, `errors`), request ids,
//! and the primary and secondary rate limits with their `x-ratelimit-*` headers.
//!
//! The generator includes this file, as `profile.rs`, in clients generated with the GitHub
//! profile; other clients get the vendor-neutral one.

use crate::client::{ClientBuilder, Response};
use crate::error::{ApiError, DecodeError, Error};
use crate::retry::{retry_after, RateLimited};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The `Accept` header: GitHub's recommended media type first, then `application/json`,
/// the media type the description declares, which servers that negotiate strictly by the
/// description (mock servers such as Prism) need.
pub const ACCEPT_GITHUB_JSON: &str = "application/vnd.github+json, application/json;q=0.9";

/// The REST API version requested unless another is configured (`X-GitHub-Api-Version`).
/// `2026-03-10` is also served; the packages endpoints are the same in both.
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

const API_VERSION_HEADER: &str = "x-github-api-version";

const REQUEST_ID_HEADER: &str = "x-github-request-id";

/// What a [`ClientBuilder`] knows beyond plain HTTP.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    api_version: Option<String>,
}

impl Settings {
    /// The headers every request carries.
    pub(crate) fn headers(&self) -> Result<HeaderMap, Error> {
        let version = self.api_version.as_deref().unwrap_or(DEFAULT_API_VERSION);
        let version = HeaderValue::from_str(version)
            .map_err(|_| Error::InvalidConfig("the API version is not a valid HTTP header value".to_owned()))?;
        let mut headers = HeaderMap::with_capacity(1);
        headers.insert(API_VERSION_HEADER, version);
        Ok(headers)
    }
}

impl ClientBuilder {
    /// The `X-GitHub-Api-Version` to request, e.g. `2026-03-10`. Defaults to
    /// [`DEFAULT_API_VERSION`].
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.profile.api_version = Some(version.into());
        self
    }
}

/// The `Accept` header for an operation whose description lists `described`: GitHub's own
/// JSON media type wherever JSON (or nothing) is described.
pub(crate) fn accept(described: Option<&'static str>) -> Option<HeaderValue> {
    match described {
        None | Some("application/json") => Some(HeaderValue::from_static(ACCEPT_GITHUB_JSON)),
        Some(other) => Some(HeaderValue::from_static(other)),
    }
}

/// GitHub's error body: `{"message": ..., "documentation_url": ..., "errors": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ErrorBody {
    pub message: Option<String>,
    pub documentation_url: Option<String>,
    /// Details of validation failures, as sent.
    #[serde(default)]
    pub errors: Vec<serde_json::Value>,
}

/// `None` when the body is not such a JSON object (an HTML page, say).
pub(crate) fn parse_error_body(bytes: &[u8]) -> Option<ErrorBody> {
    serde_json::from_slice(bytes).ok()
}

/// What an error's one-line summary quotes from its body.
pub(crate) fn error_message(body: &ErrorBody) -> Option<&str> {
    body.message.as_deref()
}

/// What an error's one-line summary adds after the message: where to read more, and the id
/// GitHub's support asks for.
pub(crate) fn fmt_error_notes(error: &ApiError, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if let Some(url) = error.documentation_url() {
        write!(f, " (see {url})")?;
    }
    if let Some(id) = error.request_id() {
        write!(f, " [request {id}]")?;
    }
    Ok(())
}

impl ApiError {
    /// `message` from GitHub's error body.
    pub fn message(&self) -> Option<&str> {
        self.body()?.message.as_deref()
    }

    /// `documentation_url` from GitHub's error body: for 401 and 403, the page that says
    /// which token and permission the endpoint needs.
    pub fn documentation_url(&self) -> Option<&str> {
        self.body()?.documentation_url.as_deref()
    }

    /// `errors` from GitHub's error body (validation details).
    pub fn errors(&self) -> &[serde_json::Value] {
        self.body().map_or(&[], |b| &b.errors)
    }

    /// GitHub's id for the request (`x-github-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        header_text(self.headers(), REQUEST_ID_HEADER)
    }

    /// The `x-ratelimit-*` headers of this answer.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(self.headers())
    }
}

impl DecodeError {
    /// GitHub's id for the request (`x-github-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        header_text(self.headers(), REQUEST_ID_HEADER)
    }
}

impl<T> Response<T> {
    /// GitHub's id for the request (`x-github-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        header_text(self.headers(), REQUEST_ID_HEADER)
    }

    /// The rate limit this request counted against, from the `x-ratelimit-*` headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        RateLimit::from_headers(self.headers())
    }
}

/// The `x-ratelimit-*` headers GitHub sends with every response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window (`x-ratelimit-limit`).
    pub limit: u64,
    /// Requests left in this window (`x-ratelimit-remaining`).
    pub remaining: u64,
    /// Requests made in this window (`x-ratelimit-used`).
    pub used: Option<u64>,
    /// When the window resets (`x-ratelimit-reset`).
    pub reset: SystemTime,
    /// Which budget this counts against, e.g. `core` (`x-ratelimit-resource`).
    pub resource: Option<String>,
}

impl RateLimit {
    /// Reads the headers; `None` when `limit`, `remaining` or `reset` is missing.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        Some(RateLimit {
            limit: header_number(headers, "x-ratelimit-limit")?,
            remaining: header_number(headers, "x-ratelimit-remaining")?,
            used: header_number(headers, "x-ratelimit-used"),
            reset: UNIX_EPOCH + Duration::from_secs(header_number(headers, "x-ratelimit-reset")?),
            resource: header_text(headers, "x-ratelimit-resource").map(str::to_owned),
        })
    }
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok()
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_text(headers, name)?.trim().parse().ok()
}

/// A request refused before it is sent by GitHub's conventions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileError {
    /// An optional parameter that the operation `Client::owner`'s dispatch chose does not
    /// take: the routes of an organization, a user and the authenticated user differ slightly
    /// in what they take. Never dropped silently.
    UnsupportedParameter {
        operation: &'static str,
        parameter: &'static str,
    },
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileError::UnsupportedParameter { operation, parameter } => {
                write!(f, "`{operation}` does not take the parameter `{parameter}`")
            }
        }
    }
}

/// Which of GitHub's limits refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitKind {
    /// The hourly budget is spent (`x-ratelimit-remaining: 0`).
    Primary,
    /// Too many requests too fast, or too many concurrent ones; bulk deletes hit this.
    Secondary,
}

const SECONDARY_DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Recognises a rate-limit refusal the way GitHub documents it: a 403 or 429 with
/// `retry-after`, with `x-ratelimit-remaining: 0`, or saying "secondary rate limit". The
/// wait is `retry-after` if sent, else until `x-ratelimit-reset` for the primary limit, else
/// one minute (GitHub's advice for secondary limits).
pub(crate) fn rate_limited(status: StatusCode, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Option<RateLimited> {
    if !matches!(status.as_u16(), 403 | 429) {
        return None;
    }
    let message = parse_error_body(body).and_then(|body| body.message);
    let retry_after = retry_after(headers, now);
    let primary = header_number(headers, "x-ratelimit-remaining") == Some(0);
    let says_secondary = message.is_some_and(|m| m.to_ascii_lowercase().contains("secondary rate limit"));
    let kind = if primary && !says_secondary {
        RateLimitKind::Primary
    } else if says_secondary || retry_after.is_some() || status == StatusCode::TOO_MANY_REQUESTS {
        RateLimitKind::Secondary
    } else {
        return None;
    };
    let until_reset = || {
        let reset = UNIX_EPOCH + Duration::from_secs(header_number(headers, "x-ratelimit-reset")?);
        Some(reset.duration_since(now).unwrap_or(Duration::ZERO) + Duration::from_secs(1))
    };
    let wait = match (retry_after, kind) {
        (Some(wait), _) => wait,
        (None, RateLimitKind::Primary) => until_reset().unwrap_or(SECONDARY_DEFAULT_WAIT),
        (None, RateLimitKind::Secondary) => SECONDARY_DEFAULT_WAIT,
    };
    Some(RateLimited { kind, wait })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn primary_waits_until_reset() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let h = headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1030")]);
        let limited = rate_limited(StatusCode::FORBIDDEN, &h, b"", now).unwrap();
        assert_eq!(limited, RateLimited { kind: RateLimitKind::Primary, wait: Duration::from_secs(31) });
    }

    #[test]
    fn secondary_honours_retry_after_else_a_minute() {
        let now = UNIX_EPOCH;
        let h = headers(&[("retry-after", "7")]);
        let limited = rate_limited(StatusCode::FORBIDDEN, &h, b"", now).unwrap();
        assert_eq!(limited, RateLimited { kind: RateLimitKind::Secondary, wait: Duration::from_secs(7) });
        let body = br#"{"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}"#;
        let limited = rate_limited(StatusCode::FORBIDDEN, &HeaderMap::new(), body, now).unwrap();
        assert_eq!(limited.wait, Duration::from_secs(60));
        assert_eq!(rate_limited(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), b"", now).map(|l| l.kind), Some(RateLimitKind::Secondary));
    }

    #[test]
    fn plain_forbidden_is_not_a_rate_limit() {
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        let body = br#"{"message": "Must have admin rights"}"#;
        assert_eq!(rate_limited(StatusCode::FORBIDDEN, &h, body, UNIX_EPOCH), None);
        assert_eq!(rate_limited(StatusCode::NOT_FOUND, &headers(&[("retry-after", "1")]), b"", UNIX_EPOCH), None);
    }
}
