//! No vendor conventions: plain HTTP, as the API description states it. Error bodies are
//! kept as JSON, and a `429 Too Many Requests` is the one rate limit recognised.
//!
//! The generator includes this file, as `profile.rs`, in clients generated without a vendor
//! profile.

use crate::error::{ApiError, Error};
use crate::retry::{retry_after, RateLimited};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use std::fmt;
use std::time::{Duration, SystemTime};

/// What a [`ClientBuilder`](crate::ClientBuilder) knows beyond plain HTTP: nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings;

impl Settings {
    /// The headers every request carries: none of the profile's own.
    pub(crate) fn headers(&self) -> Result<HeaderMap, Error> {
        Ok(HeaderMap::new())
    }
}

/// The `Accept` header for an operation: the media types its description lists.
pub(crate) fn accept(described: Option<&'static str>) -> Option<HeaderValue> {
    described.map(HeaderValue::from_static)
}

/// An error body, when it is JSON.
pub type ErrorBody = serde_json::Value;

pub(crate) fn parse_error_body(bytes: &[u8]) -> Option<ErrorBody> {
    serde_json::from_slice(bytes).ok()
}

/// What an error's one-line summary quotes from its body: no field is known to hold a
/// message, so the summary quotes the body itself.
pub(crate) fn error_message(_body: &ErrorBody) -> Option<&str> {
    None
}

/// What an error's one-line summary adds after the message: nothing.
pub(crate) fn fmt_error_notes(_error: &ApiError, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
    Ok(())
}

/// A request refused before it is sent by a vendor's conventions: there are none here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {}

impl fmt::Display for ProfileError {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// The rate limits this client recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitKind {
    /// `429 Too Many Requests` (RFC 6585).
    TooManyRequests,
}

/// The wait when a 429 does not say how long: a minute.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// A 429, with the wait its `retry-after` asks for.
pub(crate) fn rate_limited(status: StatusCode, headers: &HeaderMap, _body: &[u8], now: SystemTime) -> Option<RateLimited> {
    (status == StatusCode::TOO_MANY_REQUESTS).then(|| RateLimited {
        kind: RateLimitKind::TooManyRequests,
        wait: retry_after(headers, now).unwrap_or(DEFAULT_WAIT),
    })
}
