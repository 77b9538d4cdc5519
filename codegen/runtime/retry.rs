//! The opt-in policy that waits out rate limits and retries transient failures.

use crate::profile::RateLimitKind;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A request refused by a rate limit, and how long to wait before trying again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    pub kind: RateLimitKind,
    /// What the server asked for (`retry-after`), or what the API's conventions say.
    pub wait: Duration,
}

/// `retry-after` as a wait from `now`: delay-seconds or an HTTP date (RFC 9110, 10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date.with_timezone(&chrono::Utc));
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

type Observer = Arc<dyn Fn(&Retry) + Send + Sync>;

/// When and how often a request is sent again. Off unless set with
/// [`ClientBuilder::retry`](crate::ClientBuilder::retry).
///
/// - A request refused by a rate limit is retried after the wait the server asks for. It was
///   not carried out, so this is safe for any method; by default only `GET` and `HEAD` are
///   retried all the same, and the other methods must be named with
///   [`RetryPolicy::retry_rate_limits_for`] (a bulk delete would add `DELETE`).
/// - A server error (5XX), a timeout, a failed or reset connection, or an answer whose body
///   is cut short, reset or timed out is retried with exponential backoff (or after the
///   server's `retry-after`, if longer) for `GET` and `HEAD` only: a `DELETE` that timed out
///   may have been carried out, and retrying it then answers 404. `POST` is never retried
///   unless named.
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

    /// The methods retried after a server error, a timeout, a failed connection or a body cut
    /// short (default `GET`, `HEAD`).
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
    /// `asked` is the server's `retry-after`.
    pub(crate) fn wait_after(
        &self,
        method: &Method,
        attempt: u32,
        status: StatusCode,
        limited: Option<&RateLimited>,
        asked: Option<Duration>,
    ) -> Option<(Duration, RetryReason)> {
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
            let wait = self.backoff(attempt).max(asked.unwrap_or_default());
            return Some((wait, RetryReason::ServerError(status)));
        }
        None
    }

    pub(crate) fn wait_after_transport(&self, method: &Method, attempt: u32, error: &reqwest::Error) -> Option<(Duration, RetryReason)> {
        // No answer, or one whose body was cut short, reset or timed out: for the methods
        // named, the same as a failed connection. A request that cannot be built, or a
        // redirect loop, would fail the same way again.
        let retryable = !(error.is_builder() || error.is_redirect() || error.is_status());
        (attempt <= self.max_retries && retryable && self.server_error_methods.contains(method))
            .then(|| (self.backoff(attempt), RetryReason::Transport))
    }

    /// Exponential, with up to a quarter more at random, so that clients that failed
    /// together do not all come back at once.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.initial_backoff.saturating_mul(1 << attempt.saturating_sub(1).min(16));
        base + base.mul_f64(0.25 * jitter())
    }
}

/// A number in `[0, 1)`, different at each call: a xorshift over a counter seeded by the
/// clock (no cryptographic quality is needed to spread retries).
fn jitter() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = || {
        let nanos = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        nanos | 1
    };
    let mut x = match STATE.load(Ordering::Relaxed) {
        0 => seed(),
        x => x,
    };
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Why a request is being sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    RateLimited(RateLimitKind),
    ServerError(StatusCode),
    /// A timeout, a failed or reset connection, or a body cut short.
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
    use std::time::UNIX_EPOCH;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        headers.insert("retry-after", HeaderValue::from_static("120"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(120)));
        headers.insert("retry-after", HeaderValue::from_static("Sun, 06 Nov 1994 08:49:47 GMT"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(10)));
        headers.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn policy_respects_methods_attempts_and_retry_after() {
        let policy = RetryPolicy::default();
        // Every profile reads a bare 429 as a rate limit.
        let limited = crate::profile::rate_limited(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), b"", UNIX_EPOCH).unwrap();
        assert!(policy.wait_after(&Method::GET, 1, StatusCode::TOO_MANY_REQUESTS, Some(&limited), None).is_some());
        assert!(policy.wait_after(&Method::DELETE, 1, StatusCode::TOO_MANY_REQUESTS, Some(&limited), None).is_none());
        assert!(policy.wait_after(&Method::POST, 1, StatusCode::BAD_GATEWAY, None, None).is_none());
        assert!(policy.wait_after(&Method::GET, 4, StatusCode::BAD_GATEWAY, None, None).is_none());
        for (attempt, base) in [(1, 1), (2, 2), (3, 4)] {
            let wait = policy.wait_after(&Method::GET, attempt, StatusCode::BAD_GATEWAY, None, None).unwrap().0;
            let base = Duration::from_secs(base);
            assert!(wait >= base && wait <= base.mul_f64(1.25), "attempt {attempt}: {wait:?}");
        }
        let asked = Some(Duration::from_secs(30));
        assert!(policy.wait_after(&Method::GET, 1, StatusCode::SERVICE_UNAVAILABLE, None, asked).unwrap().0 >= Duration::from_secs(30));
        let deletes = RetryPolicy::default().retry_rate_limits_for([Method::GET, Method::DELETE]);
        assert!(deletes.wait_after(&Method::DELETE, 1, StatusCode::TOO_MANY_REQUESTS, Some(&limited), None).is_some());
        assert!(deletes.wait_after(&Method::DELETE, 1, StatusCode::BAD_GATEWAY, None, None).is_none());
    }
}
