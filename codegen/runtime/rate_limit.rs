//! GitHub's rate limits, and the opt-in policy that waits them out and retries.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

pub(crate) fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok()
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_text(headers, name)?.trim().parse().ok()
}

/// Which of GitHub's limits refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitKind {
    /// The hourly budget is spent (`x-ratelimit-remaining: 0`).
    Primary,
    /// Too many requests too fast, or too many concurrent ones; bulk deletes hit this.
    Secondary,
}

/// A request refused by a rate limit, and how long to wait before trying again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    pub kind: RateLimitKind,
    /// From `retry-after` if sent, else until `x-ratelimit-reset` for the primary limit,
    /// else one minute (GitHub's advice for secondary limits).
    pub wait: Duration,
}

const SECONDARY_DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Recognises a rate-limit refusal the way GitHub documents it: a 403 or 429 with
/// `retry-after`, with `x-ratelimit-remaining: 0`, or saying "secondary rate limit".
pub(crate) fn rate_limited(status: StatusCode, headers: &HeaderMap, message: Option<&str>, now: SystemTime) -> Option<RateLimited> {
    if !matches!(status.as_u16(), 403 | 429) {
        return None;
    }
    let retry_after = header_number(headers, "retry-after").map(Duration::from_secs);
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

type Observer = Arc<dyn Fn(&Retry) + Send + Sync>;

/// When and how often a request is sent again. Off unless set with
/// [`ClientBuilder::retry`](crate::ClientBuilder::retry).
///
/// - A request refused by a rate limit is retried after the wait GitHub asks for. It was
///   not carried out, so this is safe for any method; by default only `GET` and `HEAD` are
///   retried all the same, and the other methods must be named with
///   [`RetryPolicy::retry_rate_limits_for`] (a bulk delete would add `DELETE`).
/// - A server error (5XX), a timeout or a failed connection is retried with exponential
///   backoff for `GET` and `HEAD` only: a `DELETE` that timed out may have been carried
///   out, and retrying it then answers 404. `POST` (restore) is never retried unless named.
/// - Retries stop after [`RetryPolicy::max_retries`], and a wait that would take the total
///   past [`RetryPolicy::max_total_wait`] is not started: the error is returned instead.
#[derive(Clone)]
pub struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) max_total_wait: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) rate_limit_methods: Vec<Method>,
    pub(crate) server_error_methods: Vec<Method>,
    pub(crate) observer: Option<Observer>,
}

impl Default for RetryPolicy {
    /// Three retries, at most 15 minutes of waiting in all, backoff from one second;
    /// `GET` and `HEAD` only.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_total_wait: Duration::from_secs(15 * 60),
            initial_backoff: Duration::from_secs(1),
            rate_limit_methods: vec![Method::GET, Method::HEAD],
            server_error_methods: vec![Method::GET, Method::HEAD],
            observer: None,
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("max_total_wait", &self.max_total_wait)
            .field("initial_backoff", &self.initial_backoff)
            .field("rate_limit_methods", &self.rate_limit_methods)
            .field("server_error_methods", &self.server_error_methods)
            .field("observer", &self.observer.as_ref().map(|_| "Fn(&Retry)"))
            .finish()
    }
}

impl RetryPolicy {
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// The first backoff after a server error; it doubles with each retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The methods retried after a rate-limit refusal (default `GET`, `HEAD`).
    pub fn retry_rate_limits_for(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.rate_limit_methods = methods.into_iter().collect();
        self
    }

    /// The methods retried after a server error, timeout or failed connection (default
    /// `GET`, `HEAD`).
    pub fn retry_server_errors_for(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.server_error_methods = methods.into_iter().collect();
        self
    }

    /// Called before each wait, e.g. to print a progress line.
    pub fn on_retry(mut self, observer: impl Fn(&Retry) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// How long to wait before retrying after a response, if it should be retried at all.
    pub(crate) fn wait_after(&self, method: &Method, attempt: u32, status: StatusCode, limited: Option<&RateLimited>) -> Option<(Duration, RetryReason)> {
        if attempt > self.max_retries {
            return None;
        }
        if let Some(limited) = limited {
            return self
                .rate_limit_methods
                .contains(method)
                .then_some((limited.wait, RetryReason::RateLimited(limited.kind)));
        }
        if status.is_server_error() && self.server_error_methods.contains(method) {
            return Some((self.backoff(attempt), RetryReason::ServerError(status)));
        }
        None
    }

    pub(crate) fn wait_after_transport(&self, method: &Method, attempt: u32, error: &reqwest::Error) -> Option<(Duration, RetryReason)> {
        let retryable = error.is_timeout() || error.is_connect();
        (attempt <= self.max_retries && retryable && self.server_error_methods.contains(method))
            .then(|| (self.backoff(attempt), RetryReason::Transport))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.initial_backoff.saturating_mul(1 << attempt.saturating_sub(1).min(16))
    }
}

/// Why a request is being sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    RateLimited(RateLimitKind),
    ServerError(StatusCode),
    /// A timeout or a failed connection.
    Transport,
}

/// What [`RetryPolicy::on_retry`] observers are told before each wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub method: Method,
    /// The URL path (never the query, which may carry a credential).
    pub path: String,
    /// 1 for the first retry.
    pub attempt: u32,
    pub wait: Duration,
    pub reason: RetryReason,
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
        let limited = rate_limited(StatusCode::FORBIDDEN, &h, None, now).unwrap();
        assert_eq!(limited, RateLimited { kind: RateLimitKind::Primary, wait: Duration::from_secs(31) });
    }

    #[test]
    fn secondary_honours_retry_after_else_a_minute() {
        let now = UNIX_EPOCH;
        let h = headers(&[("retry-after", "7")]);
        let limited = rate_limited(StatusCode::FORBIDDEN, &h, None, now).unwrap();
        assert_eq!(limited, RateLimited { kind: RateLimitKind::Secondary, wait: Duration::from_secs(7) });
        let message = Some("You have exceeded a secondary rate limit. Please wait a few minutes.");
        let limited = rate_limited(StatusCode::FORBIDDEN, &HeaderMap::new(), message, now).unwrap();
        assert_eq!(limited.wait, Duration::from_secs(60));
        assert_eq!(rate_limited(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), None, now).map(|l| l.kind), Some(RateLimitKind::Secondary));
    }

    #[test]
    fn plain_forbidden_is_not_a_rate_limit() {
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        assert_eq!(rate_limited(StatusCode::FORBIDDEN, &h, Some("Must have admin rights"), UNIX_EPOCH), None);
        assert_eq!(rate_limited(StatusCode::NOT_FOUND, &headers(&[("retry-after", "1")]), None, UNIX_EPOCH), None);
    }

    #[test]
    fn policy_respects_methods_and_attempts() {
        let policy = RetryPolicy::default();
        let limited = RateLimited { kind: RateLimitKind::Secondary, wait: Duration::from_secs(2) };
        assert!(policy.wait_after(&Method::GET, 1, StatusCode::FORBIDDEN, Some(&limited)).is_some());
        assert!(policy.wait_after(&Method::DELETE, 1, StatusCode::FORBIDDEN, Some(&limited)).is_none());
        assert!(policy.wait_after(&Method::POST, 1, StatusCode::BAD_GATEWAY, None).is_none());
        assert!(policy.wait_after(&Method::GET, 4, StatusCode::BAD_GATEWAY, None).is_none());
        let backoffs: Vec<_> = (1..=3)
            .map(|a| policy.wait_after(&Method::GET, a, StatusCode::BAD_GATEWAY, None).unwrap().0)
            .collect();
        assert_eq!(backoffs, [Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(4)]);
        let deletes = RetryPolicy::default().retry_rate_limits_for([Method::GET, Method::DELETE]);
        assert!(deletes.wait_after(&Method::DELETE, 1, StatusCode::FORBIDDEN, Some(&limited)).is_some());
        assert!(deletes.wait_after(&Method::DELETE, 1, StatusCode::BAD_GATEWAY, None).is_none());
    }
}
