//! The one error type every operation returns.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;
use std::fmt;

/// Everything that can go wrong with a call. Never contains the token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid (base URL, header values).
    InvalidConfig(String),
    /// A path parameter value that cannot be sent as one path segment: empty, `.` or `..`.
    /// Sending it would reach a different resource than the one named.
    InvalidPathParameter {
        name: &'static str,
        value: String,
    },
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
            Error::Transport(error) => error.status(),
            Error::InvalidConfig(_) | Error::InvalidPathParameter { .. } => None,
        }
    }

    /// Wraps a reqwest error without the URL's query, which may carry a credential (the
    /// `token` parameter of the restore operations).
    pub(crate) fn transport(mut error: reqwest::Error) -> Error {
        if let Some(url) = error.url_mut() {
            url.set_query(None);
        }
        Error::Transport(error)
    }

    pub(crate) async fn from_response(response: reqwest::Response) -> Error {
        let status = response.status();
        let headers = response.headers().clone();
        match response.bytes().await {
            Ok(bytes) => Error::Api(Box::new(ApiError::new(status, headers, &bytes))),
            Err(error) => Error::transport(error),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig(message) => write!(f, "invalid client configuration: {message}"),
            Error::InvalidPathParameter { name, value } => {
                write!(f, "path parameter `{name}` cannot be {value:?}: it would change which resource is requested")
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
            _ => None,
        }
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

/// An answer with a status the operation does not describe as a success.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    body: Option<ErrorBody>,
    raw_body: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, bytes: &[u8]) -> Self {
        ApiError {
            status,
            headers,
            body: serde_json::from_slice(bytes).ok(),
            raw_body: String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// GitHub's error body, when the body was one.
    pub fn body(&self) -> Option<&ErrorBody> {
        self.body.as_ref()
    }

    /// `message` from GitHub's error body.
    pub fn message(&self) -> Option<&str> {
        self.body.as_ref()?.message.as_deref()
    }

    /// `documentation_url` from GitHub's error body.
    pub fn documentation_url(&self) -> Option<&str> {
        self.body.as_ref()?.documentation_url.as_deref()
    }

    /// The body exactly as received (an HTML error page from a proxy, say).
    pub fn raw_body(&self) -> &str {
        &self.raw_body
    }

    /// GitHub's id for the request (`x-github-request-id`), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-github-request-id")?.to_str().ok()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the server answered {}", self.status)?;
        match self.message() {
            Some(message) => write!(f, ": {message}")?,
            None if !self.raw_body.is_empty() => {
                let excerpt: String = self.raw_body.chars().take(200).collect();
                write!(f, ": {}", excerpt.trim())?
            }
            None => {}
        }
        if let Some(url) = self.documentation_url() {
            write!(f, " (see {url})")?;
        }
        Ok(())
    }
}

/// A success whose body does not match the described type.
#[derive(Debug, Clone)]
pub struct DecodeError {
    status: StatusCode,
    request_id: Option<String>,
    path: String,
    message: String,
    raw_body: String,
}

impl DecodeError {
    pub(crate) fn new(
        status: StatusCode,
        headers: &HeaderMap,
        error: &serde_path_to_error::Error<serde_json::Error>,
        bytes: &[u8],
    ) -> Self {
        DecodeError {
            status,
            request_id: headers
                .get("x-github-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            path: error.path().to_string(),
            message: error.inner().to_string(),
            raw_body: String::from_utf8_lossy(bytes).into_owned(),
        }
    }

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

    pub fn raw_body(&self) -> &str {
        &self.raw_body
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
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
