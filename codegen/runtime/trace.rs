//! `tracing` spans, with the crate's `tracing` feature: one `request` span per call
//! (operation id, method, route template, final status, attempts, duration) and one
//! `attempt` span inside it per attempt (attempt number, status, duration). Never a URL,
//! header or parameter value, so never a token. Without the feature this is all nothing.

use crate::error::Error;
use crate::hooks::OperationInfo;
use reqwest::{Method, StatusCode};
use std::future::Future;

/// A span, or nothing without the `tracing` feature.
#[derive(Clone)]
pub(crate) struct Span {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    /// When it began; `None` for a span no subscriber wants, which costs nothing more.
    #[cfg(feature = "tracing")]
    started: Option<tokio::time::Instant>,
}

#[cfg(feature = "tracing")]
impl Span {
    /// The span of one call of an operation, retries included.
    pub(crate) fn call(operation: &OperationInfo, method: &Method) -> Span {
        let span = tracing::info_span!(
            "request",
            operation = operation.id,
            method = method.as_str(),
            route = operation.route,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            error = tracing::field::Empty,
        );
        Span::started(span)
    }

    fn started(span: tracing::Span) -> Span {
        let started = (!span.is_disabled()).then(tokio::time::Instant::now);
        Span { span, started }
    }

    /// The span of one attempt, inside this call's.
    pub(crate) fn attempt(&self, attempt: u32) -> Span {
        if self.started.is_none() {
            return Span { span: tracing::Span::none(), started: None };
        }
        let span = tracing::info_span!(
            parent: &self.span,
            "attempt",
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            error = tracing::field::Empty,
        );
        Span::started(span)
    }

    /// Records how the call or attempt ended: its status, or its error, and how long it took.
    pub(crate) fn end(&self, status: Option<StatusCode>, error: Option<&Error>, attempts: Option<u32>) {
        let Some(started) = self.started else {
            return;
        };
        if let Some(status) = status {
            self.span.record("status", status.as_u16());
        }
        if let Some(error) = error {
            self.span.record("error", tracing::field::display(error));
        }
        if let Some(attempts) = attempts {
            self.span.record("attempts", attempts);
        }
        self.span.record("duration_ms", started.elapsed().as_secs_f64() * 1e3);
    }

    /// `future`, run inside the span.
    pub(crate) fn run<F: Future>(&self, future: F) -> tracing::instrument::Instrumented<F> {
        tracing::Instrument::instrument(future, self.span.clone())
    }
}

#[cfg(not(feature = "tracing"))]
impl Span {
    pub(crate) fn call(_operation: &OperationInfo, _method: &Method) -> Span {
        Span {}
    }

    pub(crate) fn attempt(&self, _attempt: u32) -> Span {
        Span {}
    }

    pub(crate) fn end(&self, _status: Option<StatusCode>, _error: Option<&Error>, _attempts: Option<u32>) {}

    pub(crate) fn run<F: Future>(&self, future: F) -> F {
        future
    }
}
