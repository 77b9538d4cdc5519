//! Pacing: a budget for the requests that change something, kept before they are sent, so
//! that a bulk job stays under a server's limits instead of waiting them out afterwards.

use reqwest::Method;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How fast, and how many at once, the client sends the requests it paces (by default
/// `POST`, `PUT`, `PATCH` and `DELETE`; reads are not paced). Off unless set with
/// [`ClientBuilder::pacing`](crate::ClientBuilder::pacing).
///
/// Requests are started evenly spaced (`per_minute`), never more than `per_hour` in any
/// hour, and never more than `max_in_flight` at once; clones of a client share one budget.
///
/// ```
/// # use __crate__::{self as api};
/// // A budget for requests that create or delete content: 80 a minute, 500 an hour.
/// let pacing = api::Pacing::new().per_minute(80).per_hour(500).max_in_flight(1);
/// let client = api::Client::builder().pacing(pacing).build();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacing {
    pub(crate) methods: Vec<Method>,
    pub(crate) per_minute: Option<u32>,
    pub(crate) per_hour: Option<u32>,
    pub(crate) max_in_flight: Option<usize>,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing::new()
    }
}

impl Pacing {
    /// Paces `POST`, `PUT`, `PATCH` and `DELETE`, with no limit until one is set.
    pub fn new() -> Self {
        Pacing {
            methods: vec![Method::POST, Method::PUT, Method::PATCH, Method::DELETE],
            per_minute: None,
            per_hour: None,
            max_in_flight: None,
        }
    }

    /// At most `requests` a minute, started evenly spaced (`60 s / requests` apart).
    pub fn per_minute(mut self, requests: u32) -> Self {
        self.per_minute = Some(requests.max(1));
        self
    }

    /// At most `requests` in any hour.
    pub fn per_hour(mut self, requests: u32) -> Self {
        self.per_hour = Some(requests.max(1));
        self
    }

    /// At most `requests` waiting for an answer at once.
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = Some(requests.max(1));
        self
    }

    /// The methods paced (default `POST`, `PUT`, `PATCH`, `DELETE`).
    pub fn methods(mut self, methods: impl IntoIterator<Item = Method>) -> Self {
        self.methods = methods.into_iter().collect();
        self
    }
}

/// A pacing budget shared by a client and its clones.
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    in_flight: Option<Arc<Semaphore>>,
    schedule: Mutex<Schedule>,
}

#[derive(Debug, Default)]
struct Schedule {
    /// When the next paced request may start, by `per_minute`.
    next: Option<Instant>,
    /// When the paced requests of the last hour started, oldest first (`per_hour`).
    started: VecDeque<Instant>,
}

/// Held while a paced request is in flight.
pub(crate) struct Admission {
    _permit: Option<OwnedSemaphorePermit>,
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Self {
        Pacer {
            in_flight: pacing.max_in_flight.map(|n| Arc::new(Semaphore::new(n))),
            pacing,
            schedule: Mutex::new(Schedule::default()),
        }
    }

    /// Waits until a request of `method` may start; `None` for methods not paced.
    pub(crate) async fn admit(&self, method: &Method) -> Option<Admission> {
        if !self.pacing.methods.contains(method) {
            return None;
        }
        let permit = match &self.in_flight {
            // The semaphore is never closed.
            Some(semaphore) => Arc::clone(semaphore).acquire_owned().await.ok(),
            None => None,
        };
        let start = self.reserve(Instant::now());
        tokio::time::sleep_until(start).await;
        Some(Admission { _permit: permit })
    }

    /// Books the earliest start at or after `now` that the budget allows.
    fn reserve(&self, now: Instant) -> Instant {
        let mut schedule = self.schedule.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut start = schedule.next.map_or(now, |next| next.max(now));
        if let Some(per_hour) = self.pacing.per_hour {
            let hour = Duration::from_secs(3600);
            while schedule.started.front().is_some_and(|&oldest| oldest + hour <= start) {
                schedule.started.pop_front();
            }
            if schedule.started.len() >= per_hour as usize {
                if let Some(&oldest) = schedule.started.front() {
                    start = start.max(oldest + hour);
                }
                schedule.started.pop_front();
            }
            schedule.started.push_back(start);
        }
        if let Some(per_minute) = self.pacing.per_minute {
            schedule.next = Some(start + Duration::from_secs(60) / per_minute);
        }
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_spaced_and_hourly_budgets_wait_for_the_oldest() {
        let pacer = Pacer::new(Pacing::new().per_minute(60).per_hour(3));
        let t0 = Instant::now();
        let starts: Vec<Duration> = (0..5).map(|_| pacer.reserve(t0) - t0).collect();
        let secs: Vec<u64> = starts.iter().map(Duration::as_secs).collect();
        // One a second, three an hour: the fourth waits for the first to be an hour old.
        assert_eq!(secs, [0, 1, 2, 3600, 3601]);
    }
}
