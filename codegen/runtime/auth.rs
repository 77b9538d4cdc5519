//! Credentials: a fixed token, or a provider the client asks before each request, so that a
//! token that expires mid-run (an app's installation token that lasts an hour, say) is replaced.

use crate::error::Error;
use reqwest::header::HeaderValue;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a [`TokenProvider`] returns: the token, or why there is none.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, Box<dyn std::error::Error + Send + Sync>>> + Send + 'a>>;

/// Gives the client the token to send as `Authorization: Bearer <token>`. It is asked before
/// every request (keep what it returns and renew it before it expires), and once more with
/// `refresh: true` after a `401`, when the client then sends the request again if it was not
/// carried out.
///
/// Any `Fn(bool) -> impl Future<Output = Result<String, _>>` is one:
///
/// ```
/// # use __crate__::{self as api};
/// let client = api::Client::builder()
///     .token_provider(|refresh: bool| async move {
///         // Mint or read an installation token here; `refresh` asks for a new one.
///         let _ = refresh;
///         Ok::<_, std::io::Error>("ghs_installation_token".to_owned())
///     })
///     .build();
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    fn token(&self, refresh: bool) -> TokenFuture<'_>;
}

impl<F, Fut, E> TokenProvider for F
where
    F: Fn(bool) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn token(&self, refresh: bool) -> TokenFuture<'_> {
        let future = self(refresh);
        Box::pin(async move { future.await.map_err(Into::into) })
    }
}

/// How a client authenticates. Never shows the token.
#[derive(Clone)]
pub(crate) enum Credentials {
    None,
    /// Marked sensitive, so that neither `Debug` nor HTTP logging shows it.
    Fixed(HeaderValue),
    Provided(Arc<dyn TokenProvider>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Credentials::None => "none",
            Credentials::Fixed(_) => "<redacted>",
            Credentials::Provided(_) => "<token provider>",
        })
    }
}

impl Credentials {
    /// The `Authorization` header to send now, if any; `refresh` asks a provider for a new
    /// token.
    pub(crate) async fn authorization(&self, refresh: bool) -> Result<Option<HeaderValue>, Error> {
        match self {
            Credentials::None => Ok(None),
            Credentials::Fixed(value) => Ok(Some(value.clone())),
            Credentials::Provided(provider) => {
                let token = provider.token(refresh).await.map_err(Error::Credentials)?;
                bearer(&token).map(Some)
            }
        }
    }

    pub(crate) fn is_provided(&self) -> bool {
        matches!(self, Credentials::Provided(_))
    }
}

/// `Bearer <token>`, marked sensitive; an error that never shows the token.
pub(crate) fn bearer(token: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
        .map_err(|_| Error::InvalidConfig("the token is not a valid HTTP header value".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}
