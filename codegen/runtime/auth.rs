//! Credentials: a fixed token, or a provider the client asks before each request, so that a
//! token that expires mid-run (an app's installation token that lasts an hour, say) is replaced;
//! and the schemes an API description declares (API keys, HTTP basic and bearer, OAuth2), sent
//! only to the operations that ask for them.

use crate::error::Error;
use reqwest::header::HeaderValue;
use reqwest::Url;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

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

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyLocation {
    Header,
    Query,
    Cookie,
}

/// How the API description says one scheme's credential is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeKind {
    /// An API key, under `name` in a header, the query or a cookie.
    ApiKey { location: KeyLocation, name: &'static str },
    /// HTTP basic: `Authorization: Basic base64(user:password)`.
    Basic,
    /// `Authorization: Bearer <token>`: HTTP bearer, and the OAuth2 flows and OpenID Connect
    /// that a person completes, which end in a token.
    Bearer,
    /// OAuth2 client credentials: a token fetched from `token_url` with the client's id and
    /// secret, for the scopes the operation needs.
    ClientCredentials { token_url: &'static str },
}

/// One of the description's `components.securitySchemes`, by its name there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecurityScheme {
    pub name: &'static str,
    pub kind: SchemeKind,
}

/// One way an operation may be authenticated: every scheme listed, sent together, each with
/// the OAuth2 scopes it needs. An empty one means the operation may be called without
/// credentials.
pub type SecurityRequirement = &'static [(&'static SecurityScheme, &'static [&'static str])];

/// A credential as configured on the builder, checked when the client is built. A crate has
/// the kinds its description declares.
#[allow(dead_code)]
pub(crate) enum PendingSecret {
    ApiKey(String),
    Basic { user: String, password: String },
    Token(String),
    Provider(Arc<dyn TokenProvider>),
    ClientCredentials { id: String, secret: String },
}

/// A scheme's credential, ready to send. Never shown by `Debug`.
#[derive(Clone)]
pub(crate) enum Secret {
    /// Marked sensitive; also the text of a query or cookie key.
    ApiKey(HeaderValue),
    /// `Basic <base64>`, marked sensitive.
    Basic(HeaderValue),
    Bearer(Credentials),
    ClientCredentials(Arc<ClientCredentials>),
}

impl Secret {
    pub(crate) fn of(pending: PendingSecret, scheme: &str) -> Result<Secret, Error> {
        let invalid = || Error::InvalidConfig(format!("the credential for `{scheme}` is not a valid HTTP header value"));
        let sensitive = |text: &str| {
            let mut value = HeaderValue::from_str(text).map_err(|_| invalid())?;
            value.set_sensitive(true);
            Ok::<_, Error>(value)
        };
        Ok(match pending {
            PendingSecret::ApiKey(key) => Secret::ApiKey(sensitive(key.trim())?),
            PendingSecret::Basic { user, password } => {
                Secret::Basic(sensitive(&format!("Basic {}", base64(format!("{user}:{password}").as_bytes())))?)
            }
            PendingSecret::Token(token) => Secret::Bearer(Credentials::Fixed(bearer(&token).map_err(|_| invalid())?)),
            PendingSecret::Provider(provider) => Secret::Bearer(Credentials::Provided(provider)),
            PendingSecret::ClientCredentials { id, secret } => {
                Secret::ClientCredentials(Arc::new(ClientCredentials::new(&id, &secret).map_err(|_| invalid())?))
            }
        })
    }

    /// Whether a `401` may be cured by asking for a new token.
    pub(crate) fn renews(&self) -> bool {
        matches!(self, Secret::Bearer(Credentials::Provided(_)) | Secret::ClientCredentials(_))
    }
}

/// The credentials a client holds, by scheme name, and how to find the ones an operation
/// needs.
#[derive(Clone, Default)]
pub(crate) struct Secrets {
    pub(crate) by_scheme: HashMap<&'static str, Secret>,
    /// Token URLs set on the builder instead of the description's, by scheme name.
    pub(crate) token_urls: HashMap<&'static str, String>,
    /// Set when a [`RequestHook`](crate::RequestHook) supplies credentials: an operation whose
    /// credentials are not configured is sent without them rather than refused.
    pub(crate) from_hooks: bool,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.by_scheme.keys().copied().collect();
        names.sort_unstable();
        f.debug_struct("Secrets")
            .field("schemes", &names)
            .field("from_hooks", &self.from_hooks)
            .finish()
    }
}

/// What an attempt sends for one scheme.
pub(crate) enum Chosen<'a> {
    Secret(&'static SecurityScheme, &'static [&'static str], &'a Secret),
    /// A bearer-kind scheme served by the client-wide token.
    Fallback(&'a Credentials),
}

impl Secrets {
    /// The credentials of the first alternative the client can satisfy (an alternative that
    /// needs none only when no other can be), or why it cannot send the operation.
    pub(crate) fn choose<'a>(
        &'a self,
        fallback: &'a Credentials,
        alternatives: &'static [SecurityRequirement],
        operation: &'static str,
    ) -> Result<Vec<Chosen<'a>>, Error> {
        let find = |scheme: &'static SecurityScheme, scopes: &'static [&'static str]| match self.by_scheme.get(scheme.name) {
            Some(secret) => Some(Chosen::Secret(scheme, scopes, secret)),
            None => match (scheme.kind, fallback) {
                (_, Credentials::None) => None,
                (SchemeKind::Bearer | SchemeKind::ClientCredentials { .. }, credentials) => Some(Chosen::Fallback(credentials)),
                _ => None,
            },
        };
        for requirement in alternatives.iter().filter(|r| !r.is_empty()) {
            let chosen: Option<Vec<Chosen>> = requirement.iter().map(|(scheme, scopes)| find(scheme, scopes)).collect();
            if let Some(chosen) = chosen {
                return Ok(chosen);
            }
        }
        if alternatives.is_empty() || alternatives.iter().any(|r| r.is_empty()) || self.from_hooks {
            return Ok(Vec::new());
        }
        Err(Error::MissingCredentials {
            operation,
            alternatives: alternatives.iter().map(|r| r.iter().map(|(scheme, _)| scheme.name).collect()).collect(),
        })
    }
}

/// An OAuth2 client's id and secret, and the tokens fetched with them, by scopes.
pub(crate) struct ClientCredentials {
    /// `Basic base64(id:secret)`, marked sensitive (RFC 6749, 2.3.1).
    authorization: HeaderValue,
    tokens: tokio::sync::Mutex<HashMap<String, (HeaderValue, Option<tokio::time::Instant>)>>,
}

/// A token is fetched again this long before the expiry the server gave.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

impl ClientCredentials {
    fn new(id: &str, secret: &str) -> Result<Self, ()> {
        let mut authorization =
            HeaderValue::from_str(&format!("Basic {}", base64(format!("{}:{}", form_encode(id), form_encode(secret)).as_bytes())))
                .map_err(|_| ())?;
        authorization.set_sensitive(true);
        Ok(ClientCredentials {
            authorization,
            tokens: tokio::sync::Mutex::new(HashMap::new()),
        })
    }

    /// `Bearer <token>` for `scopes`: the one kept while it lasts, else a new one from
    /// `token_url` (also when `refresh` asks for one). One request at a time fetches.
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        token_url: &str,
        scopes: &[&str],
        refresh: bool,
        max_response_size: usize,
    ) -> Result<HeaderValue, Error> {
        let key = scopes.join(" ");
        let mut tokens = self.tokens.lock().await;
        if !refresh {
            if let Some((token, expires)) = tokens.get(&key) {
                if expires.is_none_or(|at| tokio::time::Instant::now() + EXPIRY_MARGIN < at) {
                    return Ok(token.clone());
                }
            }
        }
        let mut body = String::from("grant_type=client_credentials");
        if !scopes.is_empty() {
            body.push_str("&scope=");
            body.push_str(&form_encode(&key));
        }
        let failed = |why: String| Error::Credentials(why.into());
        let response = http
            .post(token_url)
            .header(reqwest::header::AUTHORIZATION, self.authorization.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|error| failed(format!("the token endpoint could not be reached: {}", error.without_url())))?;
        let status = response.status();
        let bytes = read_limited(response, max_response_size.min(1 << 20)).await.map_err(|why| failed(format!("the token endpoint's answer could not be read: {why}")))?;
        if !status.is_success() {
            return Err(failed(format!(
                "the token endpoint answered {status}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
            )));
        }
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            access_token: String,
            expires_in: Option<u64>,
        }
        let parsed: TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|error| failed(format!("the token endpoint's answer is not a token: {error}")))?;
        let token = bearer(&parsed.access_token)?;
        let expires = parsed.expires_in.map(|seconds| tokio::time::Instant::now() + Duration::from_secs(seconds));
        tokens.insert(key, (token.clone(), expires));
        Ok(token)
    }
}

/// At most `limit` bytes of a body.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| error.without_url().to_string())? {
        if bytes.len() + chunk.len() > limit {
            return Err(format!("longer than {limit} bytes"));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// `application/x-www-form-urlencoded` text of a value.
fn form_encode(text: &str) -> String {
    crate::encoding::encode(text).into_owned()
}

/// Standard base64 with padding (RFC 4648, 4).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The URL without the query pairs named in `names`: what a response's URL shows of a
/// request that carried an API key in its query.
pub(crate) fn without_query_keys(url: &Url, names: &[&str]) -> Url {
    if names.is_empty() || url.query().is_none() {
        return url.clone();
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !names.contains(&name.as_ref()))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let mut stripped = url.clone();
    if kept.is_empty() {
        stripped.set_query(None);
    } else {
        stripped.query_pairs_mut().clear().extend_pairs(kept);
    }
    stripped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648() {
        for (input, output) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn query_keys_are_cut_from_urls() {
        let url = Url::parse("https://api.example.com/pets?limit=2&api_key=s3cret").unwrap();
        assert_eq!(without_query_keys(&url, &["api_key"]).as_str(), "https://api.example.com/pets?limit=2");
        let url = Url::parse("https://api.example.com/pets?api_key=s3cret").unwrap();
        assert_eq!(without_query_keys(&url, &["api_key"]).as_str(), "https://api.example.com/pets");
    }
}
