//! Hooks: code of the caller's that sees (and may adjust) every request the client sends and
//! every answer it gets, for logging, metrics, custom authentication or caching, without
//! changing the client.

use crate::auth::SecurityRequirement;
use crate::client::RawResponse;
use crate::error::Error;
use reqwest::Method;
use std::time::Duration;

/// Which operation of the description a request is for: what hooks and tracing spans are
/// told. Never holds a parameter's value, only the route as the description writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperationInfo {
    /// The description's `operationId`, e.g. `widgets/get-widget`.
    pub id: &'static str,
    /// The path template, e.g. `/widgets/{widget_id}`.
    pub route: &'static str,
    /// The credentials it takes: the ways its description allows, in order, each a set of
    /// schemes sent together. `None` when the description declares no schemes: then the
    /// client's token goes to every operation. A hook that adds credentials itself reads this.
    pub security: Option<&'static [SecurityRequirement]>,
}

impl OperationInfo {
    pub(crate) const fn new(id: &'static str, route: &'static str) -> Self {
        OperationInfo { id, route, security: None }
    }

    /// With the credentials the description asks for.
    #[allow(dead_code)]
    pub(crate) const fn secured(self, security: &'static [SecurityRequirement]) -> Self {
        OperationInfo { security: Some(security), ..self }
    }
}

/// What a [`RequestHook`] is told about the attempt at hand.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HookContext {
    pub operation: OperationInfo,
    pub method: Method,
    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub attempt: u32,
    /// From sending the request to its answer (or failure); `None` before sending.
    pub elapsed: Option<Duration>,
}

/// Sees every attempt the client makes: each retry, each page of a listing. Set with
/// [`ClientBuilder::hook`](crate::ClientBuilder::hook); several hooks run in the order they
/// were added. Every method does nothing unless implemented.
///
/// Hooks run on the client's task and should return quickly. A request reaches
/// [`RequestHook::on_request`] with the client's headers and token already set (the token
/// value is marked sensitive, so `Debug` shows `Sensitive`); whatever the hook changes is
/// sent. [`RequestHook::on_response`] sees the answer before it is retried, decoded or made
/// an error, and may change it; an error's body is its bounded prefix.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use __crate__::{Client, HookContext, RawResponse, RequestHook};
///
/// #[derive(Default)]
/// struct Metrics {
///     server_errors: AtomicUsize,
/// }
///
/// impl RequestHook for Metrics {
///     fn on_response(&self, context: &HookContext, response: &mut RawResponse) {
///         if response.status().is_server_error() {
///             self.server_errors.fetch_add(1, Ordering::Relaxed);
///         }
///         eprintln!("{} {} -> {} in {:?}", context.method, context.operation.route, response.status(), context.elapsed);
///     }
/// }
///
/// let client = Client::builder().hook(Metrics::default()).build();
/// ```
pub trait RequestHook: Send + Sync + 'static {
    /// Before each attempt is sent: may add or change headers (a signature, a trace id).
    fn on_request(&self, context: &HookContext, request: &mut reqwest::Request) {
        let _ = (context, request);
    }

    /// After each answer, before anything else reads it: may change its status, headers or
    /// body.
    fn on_response(&self, context: &HookContext, response: &mut RawResponse) {
        let _ = (context, response);
    }

    /// After an attempt that got no answer (connection, timeout, a body cut short) or could
    /// not be sent.
    fn on_error(&self, context: &HookContext, error: &Error) {
        let _ = (context, error);
    }
}
