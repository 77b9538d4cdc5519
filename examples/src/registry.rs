//! Just enough of the OCI distribution API to read manifests: which platform images and
//! attestation manifests an image index holds. GitHub lists each of them as an untagged
//! version of the package, so a retention job must know them before it deletes anything
//! untagged. Works with ghcr.io, `containers.HOST` on GitHub Enterprise Server, and any
//! distribution server.

use github_packages::reqwest::header::LINK;
use github_packages::reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT,
    WWW_AUTHENTICATE,
};
use github_packages::reqwest::{self, Method, StatusCode, Url};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Index types first: a registry that converts between formats must hand over the index, not
/// one platform's image picked for us.
const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The OCI distribution spec asks registries to accept manifests of at least 4 MiB; a larger
/// answer is not a manifest.
const MAX_MANIFEST_BYTES: usize = 4 << 20;
const MAX_TOKEN_ANSWER_BYTES: usize = 64 << 10;
const DOCKER_CONTENT_DIGEST: &str = "docker-content-digest";
/// Tags asked for a page; a registry may send fewer and link the next page.
const TAGS_PER_PAGE: usize = 1000;
/// A tag list longer than this many pages is a registry that does not stop.
const MAX_TAG_PAGES: usize = 10_000;
/// Attempts at one manifest on 429, 5XX and connection failures.
const MAX_TRANSIENT_ATTEMPTS: u32 = 4;
/// A `Retry-After` longer than this is not waited out: the manifest counts as unreadable.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

pub fn is_index_media_type(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_MANIFEST_LIST
}

/// A content digest, `sha256:` and 64 lowercase hex digits: the form GitHub names container
/// versions with, and the only one whose content this module can check.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    pub fn parse(text: &str) -> Option<Digest> {
        let hex = text.strip_prefix("sha256:")?;
        let lower_hex =
            hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        lower_hex.then(|| Digest(text.to_owned()))
    }

    pub fn of(content: &[u8]) -> Digest {
        let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, content);
        let mut text = String::with_capacity(71);
        text.push_str("sha256:");
        for byte in hash.as_ref() {
            text.push_str(&format!("{byte:02x}"));
        }
        Digest(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 64 hex digits, as cosign writes them in `sha256-<hex>.sig` tags.
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// `sha256:` and the first 12 digits, for tables.
    pub fn short(&self) -> &str {
        &self.0[.."sha256:".len() + 12]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a manifest of an index is for, from its descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildRole {
    /// An image for one platform, e.g. `linux/arm64/v8`.
    Platform(String),
    /// A buildx attestation manifest (SBOM, provenance) of the image with this digest.
    Attestation { of: Option<String> },
    /// A descriptor without a platform.
    Other,
}

impl fmt::Display for ChildRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildRole::Platform(platform) => write!(f, "platform image {platform}"),
            ChildRole::Attestation { .. } => f.write_str("attestation manifest"),
            ChildRole::Other => f.write_str("manifest"),
        }
    }
}

/// A manifest that an index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub digest: Digest,
    pub media_type: String,
    pub role: ChildRole,
}

impl Child {
    /// An index inside an index: its own children belong to the image too.
    pub fn is_index(&self) -> bool {
        is_index_media_type(&self.media_type)
    }
}

/// A manifest as far as retention cares: the manifests it lists, if it is an index, and the
/// manifest it is attached to, if it is a referrer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub digest: Digest,
    pub media_type: Option<String>,
    /// Empty for an image manifest.
    pub children: Vec<Child>,
    /// The OCI 1.1 `subject`: the manifest this one is a signature, SBOM or attestation of.
    pub subject: Option<Digest>,
    /// `artifactType`, or the config's media type when it is not an image's.
    pub artifact_type: Option<String>,
}

/// A manifest that names another as its `subject` (OCI 1.1): a signature, an SBOM, an
/// attestation attached to an image after it was pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    pub digest: Digest,
    pub artifact_type: Option<String>,
}

/// Reads made by a [`Registry`], by kind: what a retention run costs the registry.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ReadCounts {
    /// Pages of tag lists.
    pub tag_pages: usize,
    /// `HEAD`s of tags: which digest each points at.
    pub heads: usize,
    /// Manifests read in full.
    pub manifests: usize,
    /// Answers of the referrers API.
    pub referrers: usize,
}

impl ReadCounts {
    pub fn total(&self) -> usize {
        self.tag_pages + self.heads + self.manifests + self.referrers
    }

    /// The reads made since `earlier`.
    pub fn since(&self, earlier: ReadCounts) -> ReadCounts {
        ReadCounts {
            tag_pages: self.tag_pages.saturating_sub(earlier.tag_pages),
            heads: self.heads.saturating_sub(earlier.heads),
            manifests: self.manifests.saturating_sub(earlier.manifests),
            referrers: self.referrers.saturating_sub(earlier.referrers),
        }
    }
}

#[derive(Default)]
struct ReadCounters {
    tag_pages: AtomicUsize,
    heads: AtomicUsize,
    manifests: AtomicUsize,
    referrers: AtomicUsize,
}

/// A successful answer, as far as this module reads one.
struct Answer {
    body: Vec<u8>,
    content_type: Option<String>,
    /// `Docker-Content-Digest`.
    digest: Option<Digest>,
    /// The `Link` header's `rel="next"` target, as written.
    next: Option<String>,
}

/// A login for the registry's token endpoint: on GitHub, any user name and a GitHub token.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    password: String,
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Why a manifest could not be read. Never holds a credential: messages quoted from a
/// registry are reduced to its error codes and texts, with the password cut out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    InvalidConfig(String),
    /// A repository name the distribution API would not accept (or would read as a path).
    InvalidRepository(String),
    Transport {
        /// `GET` or `HEAD`.
        method: &'static str,
        url: String,
        message: String,
    },
    /// An answer other than success, e.g. 404 `MANIFEST_UNKNOWN`.
    Status {
        method: &'static str,
        url: String,
        status: u16,
        detail: String,
    },
    /// The registry's challenge could not be met, or it refused the token it issued.
    Unauthorized(String),
    /// The registry sent content whose digest is not the one asked for.
    DigestMismatch {
        expected: Digest,
        actual: Digest,
    },
    Malformed {
        url: String,
        message: String,
    },
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::InvalidConfig(message) => write!(f, "registry configuration: {message}"),
            RegistryError::InvalidRepository(name) => {
                write!(f, "`{name}` is not a repository name the registry accepts")
            }
            RegistryError::Transport {
                method,
                url,
                message,
            } => write!(f, "{method} {url}: {message}"),
            RegistryError::Status {
                method,
                url,
                status,
                detail,
            } if detail.is_empty() => {
                write!(f, "{method} {url}: {status}")
            }
            RegistryError::Status {
                method,
                url,
                status,
                detail,
            } => write!(f, "{method} {url}: {status} ({detail})"),
            RegistryError::Unauthorized(message) => write!(f, "registry authentication: {message}"),
            RegistryError::DigestMismatch { expected, actual } => write!(
                f,
                "asked for {expected}, the registry sent content with digest {actual}"
            ),
            RegistryError::Malformed { url, message } => write!(f, "GET {url}: {message}"),
        }
    }
}

impl std::error::Error for RegistryError {}

/// The container registry that serves a GitHub REST API: ghcr.io for api.github.com,
/// `containers.SUBDOMAIN.ghe.com` for GHE.com, `containers.HOST` for an Enterprise Server at
/// `https://HOST/api/v3`. `None` when the API URL is none of these.
pub fn registry_for_api(api: &Url) -> Option<Url> {
    let host = api.host_str()?;
    if host == "api.github.com" {
        return Url::parse("https://ghcr.io").ok();
    }
    if let Some(subdomain) = host
        .strip_prefix("api.")
        .filter(|h| h.ends_with(".ghe.com"))
    {
        return Url::parse(&format!("https://containers.{subdomain}")).ok();
    }
    if api.path().trim_end_matches('/') == "/api/v3" {
        return Url::parse(&format!("{}://containers.{host}", api.scheme())).ok();
    }
    None
}

/// A client for one registry. Tokens the registry issues are kept per repository and never
/// shown by `Debug`.
pub struct Registry {
    http: reqwest::Client,
    base_url: Url,
    credentials: Option<Credentials>,
    tokens: Mutex<HashMap<String, HeaderValue>>,
    exchanging: tokio::sync::Mutex<()>,
    retry_backoff: Duration,
    tags_per_page: usize,
    reads: ReadCounters,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tokens = self.tokens.lock().map_or(0, |tokens| tokens.len());
        f.debug_struct("Registry")
            .field("base_url", &self.base_url.as_str())
            .field("credentials", &self.credentials)
            .field("tokens", &format_args!("<{tokens} redacted>"))
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// A registry at `base_url` (`https://ghcr.io`); `credentials` are exchanged for a
    /// registry token when the registry asks for one, and never sent otherwise.
    pub fn new(
        base_url: &str,
        credentials: Option<Credentials>,
    ) -> Result<Registry, RegistryError> {
        let base_url = Url::parse(base_url.trim_end_matches('/'))
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .filter(|url| url.query().is_none() && url.fragment().is_none())
            .ok_or_else(|| {
                RegistryError::InvalidConfig(format!("`{base_url}` is not an http(s) URL"))
            })?;
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(github_packages::DEFAULT_USER_AGENT),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|error| RegistryError::InvalidConfig(error.to_string()))?;
        Ok(Registry {
            http,
            base_url,
            credentials,
            tokens: Mutex::new(HashMap::new()),
            exchanging: tokio::sync::Mutex::new(()),
            retry_backoff: Duration::from_secs(1),
            tags_per_page: TAGS_PER_PAGE,
            reads: ReadCounters::default(),
        })
    }

    /// The first wait after a 429, a 5XX or a failed connection; it doubles with each attempt.
    pub fn retry_backoff(mut self, backoff: Duration) -> Registry {
        self.retry_backoff = backoff;
        self
    }

    /// How many tags to ask for a page of the tag list (1,000 unless set).
    pub fn tags_per_page(mut self, n: usize) -> Registry {
        self.tags_per_page = n.max(1);
        self
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The manifest `digest` of `repository` (`octo-org/app`), checked against its digest.
    pub async fn manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Manifest, RegistryError> {
        self.read_manifest(repository, digest.as_str(), Some(digest))
            .await
    }

    /// The manifest `tag` points at now, named by the digest of the content the registry sent
    /// (checked against `Docker-Content-Digest` when the registry gives one).
    pub async fn manifest_of_tag(
        &self,
        repository: &str,
        tag: &str,
    ) -> Result<Manifest, RegistryError> {
        check_tag(tag)?;
        self.read_manifest(repository, tag, None).await
    }

    /// `GET` of the manifest `reference` names; its content's digest must be `expected`, else
    /// the one the registry states, if any.
    async fn read_manifest(
        &self,
        repository: &str,
        reference: &str,
        expected: Option<&Digest>,
    ) -> Result<Manifest, RegistryError> {
        check_repository(repository)?;
        let url = self.url(&format!("{repository}/manifests/{reference}"));
        let answer = self
            .send(Method::GET, &url, repository, ACCEPT_MANIFESTS)
            .await?;
        self.reads.manifests.fetch_add(1, Ordering::Relaxed);
        let actual = Digest::of(&answer.body);
        if let Some(expected) = expected.cloned().or(answer.digest) {
            if expected != actual {
                return Err(RegistryError::DigestMismatch { expected, actual });
            }
        }
        parse_manifest(actual, &answer.body, answer.content_type).map_err(|message| {
            RegistryError::Malformed {
                url: url.to_string(),
                message,
            }
        })
    }

    /// The digest `tag` points at now, from a `HEAD` (no body travels). A registry that does
    /// not say (no `Docker-Content-Digest`) is asked for the manifest itself.
    pub async fn resolve_tag(&self, repository: &str, tag: &str) -> Result<Digest, RegistryError> {
        check_repository(repository)?;
        check_tag(tag)?;
        let url = self.url(&format!("{repository}/manifests/{tag}"));
        let answer = self
            .send(Method::HEAD, &url, repository, ACCEPT_MANIFESTS)
            .await?;
        self.reads.heads.fetch_add(1, Ordering::Relaxed);
        match answer.digest {
            Some(digest) => Ok(digest),
            None => Ok(self.manifest_of_tag(repository, tag).await?.digest),
        }
    }

    /// Every tag of `repository`, following the registry's pages (`n`, `last`, `Link`); each
    /// checked against the distribution spec's tag grammar, since a tag is later put in a URL.
    /// `None` when the registry answers 404, as the distribution server does for a repository
    /// without tags (and any registry for a name it does not know).
    pub async fn tags(&self, repository: &str) -> Result<Option<Vec<String>>, RegistryError> {
        check_repository(repository)?;
        let mut url = self.url(&format!("{repository}/tags/list"));
        url.query_pairs_mut()
            .append_pair("n", &self.tags_per_page.to_string());
        let mut tags = std::collections::BTreeSet::new();
        let mut visited = std::collections::HashSet::new();
        loop {
            if !visited.insert(url.to_string()) {
                return Err(RegistryError::Malformed {
                    url: url.to_string(),
                    message: "the tag list links back to a page already read".into(),
                });
            }
            if visited.len() > MAX_TAG_PAGES {
                return Err(RegistryError::Malformed {
                    url: url.to_string(),
                    message: format!("the tag list goes on past {MAX_TAG_PAGES} pages"),
                });
            }
            let answer = match self
                .send(Method::GET, &url, repository, "application/json")
                .await
            {
                Err(RegistryError::Status { status: 404, .. }) if visited.len() == 1 => {
                    self.reads.tag_pages.fetch_add(1, Ordering::Relaxed);
                    return Ok(None);
                }
                answer => answer?,
            };
            self.reads.tag_pages.fetch_add(1, Ordering::Relaxed);
            #[derive(Deserialize)]
            struct Page {
                #[serde(default)]
                tags: Option<Vec<String>>,
            }
            let page: Page =
                serde_json::from_slice(&answer.body).map_err(|error| RegistryError::Malformed {
                    url: url.to_string(),
                    message: format!("not a tag list: {error}"),
                })?;
            for tag in page.tags.unwrap_or_default() {
                check_tag(&tag).map_err(|_| RegistryError::Malformed {
                    url: url.to_string(),
                    message: format!("the tag list names {tag:?}, which is not a valid tag"),
                })?;
                tags.insert(tag);
            }
            match answer.next {
                Some(next) => {
                    let next = url.join(&next).ok().filter(|next| {
                        next.origin() == self.base_url.origin() && next.path() == url.path()
                    });
                    url = next.ok_or_else(|| RegistryError::Malformed {
                        url: url.to_string(),
                        message: "the tag list's next page is not a page of the same list".into(),
                    })?;
                }
                None => return Ok(Some(tags.into_iter().collect())),
            }
        }
    }

    /// The OCI 1.1 referrers of `digest` (signatures, SBOMs, attestations whose `subject` it
    /// is), or `None` when the registry has no referrers API: the spec forbids a registry that
    /// has one to answer 404, so a 404 means it has none.
    pub async fn referrers(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<Option<Vec<Referrer>>, RegistryError> {
        check_repository(repository)?;
        let url = self.url(&format!("{repository}/referrers/{digest}"));
        let answer = match self.send(Method::GET, &url, repository, OCI_INDEX).await {
            Ok(answer) => answer,
            Err(RegistryError::Status { status: 404, .. }) => return Ok(None),
            Err(error) => return Err(error),
        };
        self.reads.referrers.fetch_add(1, Ordering::Relaxed);
        parse_referrers(&answer.body)
            .map(Some)
            .map_err(|message| RegistryError::Malformed {
                url: url.to_string(),
                message,
            })
    }

    /// How many reads of each kind this client has made.
    pub fn reads(&self) -> ReadCounts {
        ReadCounts {
            tag_pages: self.reads.tag_pages.load(Ordering::Relaxed),
            heads: self.reads.heads.load(Ordering::Relaxed),
            manifests: self.reads.manifests.load(Ordering::Relaxed),
            referrers: self.reads.referrers.load(Ordering::Relaxed),
        }
    }

    fn url(&self, rest: &str) -> Url {
        let mut url = self.base_url.clone();
        let path = format!("{}/v2/{rest}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url
    }

    /// One request with the repository's token, meeting a `WWW-Authenticate` challenge once
    /// and retrying transient failures a bounded number of times.
    async fn send(
        &self,
        method: Method,
        url: &Url,
        repository: &str,
        accept: &str,
    ) -> Result<Answer, RegistryError> {
        let mut exchanged = false;
        let mut transient_failures = 0;
        loop {
            let sent = self.token_for(repository);
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, accept);
            if let Some(token) = &sent {
                request = request.header(AUTHORIZATION, token.clone());
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(error)
                    if transient_failures + 1 < MAX_TRANSIENT_ATTEMPTS && is_transient(&error) =>
                {
                    transient_failures += 1;
                    tokio::time::sleep(self.backoff(transient_failures)).await;
                    continue;
                }
                Err(error) => return Err(self.transport(verb(&method), url, &error)),
            };
            let status = response.status();
            if status.is_success() {
                let header = |name| {
                    response
                        .headers()
                        .get(name)
                        .and_then(|value: &HeaderValue| value.to_str().ok())
                        .map(str::to_owned)
                };
                let content_type = header(CONTENT_TYPE.as_str()).map(|value| {
                    value
                        .split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                });
                let digest = header(DOCKER_CONTENT_DIGEST).and_then(|d| Digest::parse(d.trim()));
                let next = response
                    .headers()
                    .get_all(LINK)
                    .iter()
                    .filter_map(|value| value.to_str().ok())
                    .find_map(next_link);
                let body = if method == Method::HEAD {
                    Vec::new()
                } else {
                    read_limited(response, MAX_MANIFEST_BYTES)
                        .await
                        .map_err(|message| RegistryError::Malformed {
                            url: url.to_string(),
                            message,
                        })?
                };
                return Ok(Answer {
                    body,
                    content_type,
                    digest,
                    next,
                });
            }
            if status == StatusCode::UNAUTHORIZED {
                if exchanged {
                    return Err(RegistryError::Unauthorized(format!(
                        "{url} refused the token the registry issued for `{repository}`{}",
                        self.detail_suffix(response).await
                    )));
                }
                let challenge = Challenge::from_headers(response.headers())?;
                // Reads that met the challenge together wait here, and the first one's token
                // serves them all.
                let _exchanging = self.exchanging.lock().await;
                let current = self.token_for(repository);
                if current.is_none() || current == sent {
                    let token = self.exchange(&challenge, repository).await?;
                    if let Ok(mut tokens) = self.tokens.lock() {
                        tokens.insert(repository.to_owned(), token);
                    }
                }
                exchanged = true;
                continue;
            }
            let transient = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if transient && transient_failures + 1 < MAX_TRANSIENT_ATTEMPTS {
                transient_failures += 1;
                let wait =
                    retry_after(response.headers()).unwrap_or(self.backoff(transient_failures));
                if wait <= MAX_RETRY_AFTER {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return Err(RegistryError::Status {
                method: verb(&method),
                url: url.to_string(),
                status: status.as_u16(),
                detail: self.detail(response).await,
            });
        }
    }

    /// Trades the credentials for a pull token at the challenge's realm.
    async fn exchange(
        &self,
        challenge: &Challenge,
        repository: &str,
    ) -> Result<HeaderValue, RegistryError> {
        let mut realm = Url::parse(&challenge.realm)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| {
                RegistryError::Unauthorized(format!(
                    "the challenge's realm `{}` is not an http(s) URL",
                    challenge.realm
                ))
            })?;
        // The GitHub token travels only encrypted, or back to the registry it was configured for.
        if self.credentials.is_some()
            && realm.scheme() != "https"
            && realm.origin() != self.base_url.origin()
        {
            return Err(RegistryError::Unauthorized(format!(
                "the registry sends credentials to {realm}, which is neither https nor the registry itself; refusing"
            )));
        }
        {
            let mut query = realm.query_pairs_mut();
            if let Some(service) = &challenge.service {
                query.append_pair("service", service);
            }
            // Only ever pull, whatever the challenge asks for: reading is all this does.
            query.append_pair("scope", &format!("repository:{repository}:pull"));
        }
        let mut request = self.http.get(realm.clone());
        if let Some(credentials) = &self.credentials {
            request = request.basic_auth(&credentials.username, Some(&credentials.password));
        }
        let response = request
            .send()
            .await
            .map_err(|error| self.transport("GET", &realm, &error))?;
        let status = response.status();
        if !status.is_success() {
            return Err(RegistryError::Unauthorized(format!(
                "the token endpoint {realm} answered {status}{}",
                self.detail_suffix(response).await
            )));
        }
        let body = read_limited(response, MAX_TOKEN_ANSWER_BYTES)
            .await
            .map_err(|message| {
                RegistryError::Unauthorized(format!("the token endpoint {realm}: {message}"))
            })?;
        #[derive(Deserialize)]
        struct TokenAnswer {
            token: Option<String>,
            access_token: Option<String>,
        }
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
            RegistryError::Unauthorized(format!(
                "the token endpoint {realm} did not answer with JSON"
            ))
        })?;
        let token = answer
            .token
            .or(answer.access_token)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                RegistryError::Unauthorized(format!(
                    "the token endpoint {realm} answered without a token"
                ))
            })?;
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            RegistryError::Unauthorized(format!(
                "the token endpoint {realm} issued a token that is not a valid header value"
            ))
        })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn token_for(&self, repository: &str) -> Option<HeaderValue> {
        let tokens = self.tokens.lock().ok()?;
        tokens.get(repository).cloned()
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(8))
    }

    fn transport(&self, method: &'static str, url: &Url, error: &reqwest::Error) -> RegistryError {
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message = format!("{message}: {cause}");
            source = cause.source();
        }
        RegistryError::Transport {
            method,
            url: url.to_string(),
            message: self.redact(message),
        }
    }

    async fn detail_suffix(&self, response: reqwest::Response) -> String {
        match self.detail(response).await {
            detail if detail.is_empty() => String::new(),
            detail => format!(" ({detail})"),
        }
    }

    /// The registry's error codes and messages (`{"errors": [{"code", "message"}]}`, or an
    /// OAuth-style `error`/`details`); never the raw body, which could quote a request header.
    async fn detail(&self, response: reqwest::Response) -> String {
        let Ok(body) = read_limited(response, MAX_TOKEN_ANSWER_BYTES).await else {
            return String::new();
        };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return String::new();
        };
        let text = |value: &serde_json::Value| value.as_str().map(str::to_owned);
        let mut parts: Vec<String> = value
            .get("errors")
            .and_then(|errors| errors.as_array())
            .into_iter()
            .flatten()
            .map(|error| {
                let code = error.get("code").and_then(text).unwrap_or_default();
                let message = error.get("message").and_then(text).unwrap_or_default();
                format!("{code}: {message}")
                    .trim_matches([':', ' '])
                    .to_owned()
            })
            .filter(|part| !part.is_empty())
            .collect();
        for key in ["error", "details"] {
            parts.extend(value.get(key).and_then(text));
        }
        let mut detail = parts.join("; ");
        if detail.len() > 300 {
            let mut cut = 300;
            while !detail.is_char_boundary(cut) {
                cut -= 1;
            }
            detail.truncate(cut);
            detail.push('…');
        }
        self.redact(detail)
    }

    fn redact(&self, mut text: String) -> String {
        if let Some(credentials) = self.credentials.as_ref().filter(|c| !c.password.is_empty()) {
            text = text.replace(&credentials.password, "<redacted>");
        }
        text
    }
}

/// A `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Challenge {
    realm: String,
    service: Option<String>,
}

impl Challenge {
    fn from_headers(headers: &HeaderMap) -> Result<Challenge, RegistryError> {
        let mut schemes = Vec::new();
        for value in headers.get_all(WWW_AUTHENTICATE) {
            let Ok(value) = value.to_str() else { continue };
            let (scheme, params) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
            if !scheme.eq_ignore_ascii_case("bearer") {
                schemes.push(scheme.to_owned());
                continue;
            }
            let params = auth_params(params);
            let Some(realm) = params.get("realm").filter(|realm| !realm.is_empty()) else {
                return Err(RegistryError::Unauthorized(
                    "the Bearer challenge names no realm".into(),
                ));
            };
            return Ok(Challenge {
                realm: realm.clone(),
                service: params.get("service").cloned(),
            });
        }
        Err(RegistryError::Unauthorized(if schemes.is_empty() {
            "401 without a WWW-Authenticate challenge".into()
        } else {
            format!(
                "the registry asks for {} authentication; only Bearer token exchange is supported",
                schemes.join(", ")
            )
        }))
    }
}

/// `key=value` and `key="quoted, with \"escapes\""` pairs separated by commas (RFC 9110
/// auth-params); keys in lower case.
fn auth_params(text: &str) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ',' || c.is_whitespace()).is_some() {}
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ',') {
            key.push(c);
        }
        if key.is_empty() && chars.peek().is_none() {
            return params;
        }
        if chars.next_if_eq(&'=').is_none() {
            continue;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => value.extend(chars.next()),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',') {
                value.push(c);
            }
            value = value.trim_end().to_owned();
        }
        params.insert(key.trim().to_ascii_lowercase(), value);
    }
}

/// Repository names as the distribution spec defines them: lower-case path components of
/// letters and digits joined by `.`, `_`, `__` or dashes. Anything else could change which
/// URL is read.
fn check_repository(name: &str) -> Result<(), RegistryError> {
    let component_ok = |component: &str| {
        let bytes = component.as_bytes();
        !bytes.is_empty()
            && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.iter().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            })
            && !component.contains("..")
    };
    if name.len() <= 255 && name.split('/').all(component_ok) {
        Ok(())
    } else {
        Err(RegistryError::InvalidRepository(name.to_owned()))
    }
}

/// The methods this module sends, for messages.
fn verb(method: &Method) -> &'static str {
    if *method == Method::HEAD {
        "HEAD"
    } else {
        "GET"
    }
}

/// Tags as the distribution spec defines them: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`, which
/// keeps a tag one path segment.
pub fn check_tag(tag: &str) -> Result<(), RegistryError> {
    let bytes = tag.as_bytes();
    let valid = (1..=128).contains(&bytes.len())
        && (bytes[0].is_ascii_alphanumeric() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(RegistryError::InvalidRepository(format!("tag {tag:?}")))
    }
}

/// The target of a `Link` header's `rel="next"`: `<url>; rel="next"`, among others.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .filter_map(|param| param.trim().split_once('='))
            .any(|(key, value)| {
                key.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            })
            .then(|| target.to_owned())
    })
}

fn parse_referrers(body: &[u8]) -> Result<Vec<Referrer>, String> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(default)]
        manifests: Vec<WireReferrer>,
    }
    #[derive(Deserialize)]
    struct WireReferrer {
        digest: String,
        #[serde(rename = "artifactType", default)]
        artifact_type: Option<String>,
    }
    let wire: Wire =
        serde_json::from_slice(body).map_err(|error| format!("not a referrers index: {error}"))?;
    wire.manifests
        .into_iter()
        .map(|referrer| {
            Ok(Referrer {
                digest: Digest::parse(&referrer.digest).ok_or_else(|| {
                    format!(
                        "the referrers list `{}`, not a sha256 digest",
                        referrer.digest
                    )
                })?,
                artifact_type: referrer.artifact_type,
            })
        })
        .collect()
}

fn is_transient(error: &reqwest::Error) -> bool {
    error.is_connect() || error.is_timeout() || error.is_request()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(format!("the answer is larger than {limit} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| error.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(format!("the answer is larger than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_manifest(
    digest: Digest,
    body: &[u8],
    content_type: Option<String>,
) -> Result<Manifest, String> {
    #[derive(Deserialize)]
    struct Wire {
        #[serde(rename = "mediaType", default)]
        media_type: Option<String>,
        #[serde(default)]
        manifests: Vec<WireDescriptor>,
        #[serde(default)]
        subject: Option<WireSubject>,
        #[serde(rename = "artifactType", default)]
        artifact_type: Option<String>,
        #[serde(default)]
        config: Option<WireConfig>,
    }
    #[derive(Deserialize)]
    struct WireSubject {
        digest: String,
    }
    #[derive(Deserialize)]
    struct WireConfig {
        #[serde(rename = "mediaType", default)]
        media_type: String,
    }
    #[derive(Deserialize)]
    struct WireDescriptor {
        #[serde(rename = "mediaType", default)]
        media_type: String,
        digest: String,
        #[serde(default)]
        platform: Option<WirePlatform>,
        #[serde(default)]
        annotations: BTreeMap<String, String>,
    }
    #[derive(Deserialize)]
    struct WirePlatform {
        #[serde(default)]
        architecture: String,
        #[serde(default)]
        os: String,
        #[serde(default)]
        variant: Option<String>,
    }
    let wire: Wire =
        serde_json::from_slice(body).map_err(|error| format!("not a manifest: {error}"))?;
    let mut children = Vec::with_capacity(wire.manifests.len());
    for descriptor in wire.manifests {
        // A child this module cannot name could be a version it would then fail to protect.
        let child_digest = Digest::parse(&descriptor.digest).ok_or_else(|| {
            format!(
                "the index lists `{}`, not a sha256 digest",
                descriptor.digest
            )
        })?;
        let role = if descriptor
            .annotations
            .get("vnd.docker.reference.type")
            .map(String::as_str)
            == Some("attestation-manifest")
        {
            ChildRole::Attestation {
                of: descriptor
                    .annotations
                    .get("vnd.docker.reference.digest")
                    .cloned(),
            }
        } else if let Some(platform) = descriptor.platform {
            let mut name = format!("{}/{}", platform.os, platform.architecture);
            if let Some(variant) = platform.variant.filter(|v| !v.is_empty()) {
                name = format!("{name}/{variant}");
            }
            ChildRole::Platform(name)
        } else {
            ChildRole::Other
        };
        children.push(Child {
            digest: child_digest,
            media_type: descriptor.media_type,
            role,
        });
    }
    let subject =
        match wire.subject {
            // A referrer whose subject cannot be named could be one a kept image needs.
            Some(subject) => Some(Digest::parse(&subject.digest).ok_or_else(|| {
                format!("the subject `{}` is not a sha256 digest", subject.digest)
            })?),
            None => None,
        };
    let image_config = |media_type: &str| {
        matches!(
            media_type,
            "application/vnd.oci.image.config.v1+json"
                | "application/vnd.docker.container.image.v1+json"
                | "application/vnd.oci.empty.v1+json"
                | ""
        )
    };
    let artifact_type = wire.artifact_type.or_else(|| {
        wire.config
            .map(|config| config.media_type)
            .filter(|media_type| !image_config(media_type))
    });
    Ok(Manifest {
        digest,
        media_type: wire.media_type.or(content_type),
        children,
        subject,
        artifact_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_and_tags() {
        assert_eq!(
            next_link(r#"</v2/a/b/tags/list?last=v9&n=2>; rel="next""#).as_deref(),
            Some("/v2/a/b/tags/list?last=v9&n=2")
        );
        assert_eq!(
            next_link(r#"<https://x/1>; rel="prev", <https://x/3>; rel=next"#).as_deref(),
            Some("https://x/3")
        );
        assert_eq!(next_link(r#"<https://x/1>; rel="last""#), None);
        assert_eq!(next_link("garbage"), None);
        for good in ["latest", "v1.2.3", "_x", "sha256-abc.sig", &"a".repeat(128)] {
            assert_eq!(check_tag(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            ".x",
            "-x",
            "a/b",
            "a?b",
            "a%2f",
            "..",
            &"a".repeat(129),
            "a b",
        ] {
            assert!(check_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn referrers_and_subjects() {
        let subject = format!("sha256:{}", "3".repeat(64));
        let referrer = format!("sha256:{}", "4".repeat(64));
        let index = serde_json::json!({"manifests": [
            {"mediaType": OCI_MANIFEST, "digest": referrer, "size": 1, "artifactType": "application/spdx+json"}
        ]});
        let referrers = parse_referrers(index.to_string().as_bytes()).unwrap();
        assert_eq!(referrers[0].digest.as_str(), referrer);
        assert_eq!(
            referrers[0].artifact_type.as_deref(),
            Some("application/spdx+json")
        );
        assert!(parse_referrers(br#"{"manifests": [{"digest": "md5:1"}]}"#).is_err());

        // An OCI 1.1 artifact: `subject` and `artifactType`; an older one: the config's type.
        let artifact = serde_json::json!({"mediaType": OCI_MANIFEST, "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json"}, "subject": {"digest": subject}});
        let manifest =
            parse_manifest(Digest::of(b"x"), artifact.to_string().as_bytes(), None).unwrap();
        assert_eq!(
            manifest.subject.as_ref().map(Digest::as_str),
            Some(subject.as_str())
        );
        assert_eq!(
            manifest.artifact_type.as_deref(),
            Some("application/vnd.dev.sigstore.bundle.v0.3+json")
        );
        let old =
            serde_json::json!({"config": {"mediaType": "application/vnd.cncf.notary.signature"}});
        let manifest = parse_manifest(Digest::of(b"x"), old.to_string().as_bytes(), None).unwrap();
        assert_eq!(
            manifest.artifact_type.as_deref(),
            Some("application/vnd.cncf.notary.signature")
        );
        let image = serde_json::json!({"config": {"mediaType": "application/vnd.oci.image.config.v1+json"}});
        let manifest =
            parse_manifest(Digest::of(b"x"), image.to_string().as_bytes(), None).unwrap();
        assert_eq!((manifest.subject, manifest.artifact_type), (None, None));
        // A subject that is not a digest is not skipped: it could be a kept image's.
        let bad = serde_json::json!({"subject": {"digest": "latest"}});
        assert!(parse_manifest(Digest::of(b"x"), bad.to_string().as_bytes(), None).is_err());
    }

    #[test]
    fn digests_are_parsed_strictly() {
        let hex = "a".repeat(64);
        assert!(Digest::parse(&format!("sha256:{hex}")).is_some());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_none());
        assert!(Digest::parse(&format!("sha512:{hex}")).is_none());
        assert!(Digest::parse("sha256:abc").is_none());
        assert!(Digest::parse(&format!("sha256:{hex}/../x")).is_none());
        assert_eq!(
            Digest::of(b"").as_str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn challenge_parameters() {
        let params = auth_params(
            r#"realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(params["realm"], "https://ghcr.io/token");
        assert_eq!(params["service"], "ghcr.io");
        assert_eq!(params["scope"], "repository:a/b:pull,push");
        let params = auth_params(r#" Realm = "a\"b" , service=plain ,, junk, scope="#);
        assert_eq!(params["realm"], "a\"b");
        assert_eq!(params["service"], "plain");
        assert_eq!(params["scope"], "");
        assert!(auth_params("").is_empty());
        assert!(auth_params(r#"realm="unterminated"#).contains_key("realm"));
    }

    #[test]
    fn repository_names() {
        for good in ["octo-org/app", "a/b/c", "octo_org/app.v2", "a__b/c"] {
            assert_eq!(check_repository(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "Octo/app",
            "octo//app",
            "octo/../app",
            "octo/app/",
            "-a/b",
            "a/b?c",
            "a/b%2f",
            "a/b c",
        ] {
            assert!(check_repository(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registries_of_github_apis() {
        let of = |api: &str| registry_for_api(&Url::parse(api).unwrap()).map(|url| url.to_string());
        assert_eq!(
            of("https://api.github.com").as_deref(),
            Some("https://ghcr.io/")
        );
        assert_eq!(
            of("https://github.example.com/api/v3").as_deref(),
            Some("https://containers.github.example.com/")
        );
        assert_eq!(
            of("https://api.octocorp.ghe.com").as_deref(),
            Some("https://containers.octocorp.ghe.com/")
        );
        assert_eq!(of("http://127.0.0.1:8080"), None);
    }

    #[test]
    fn credentials_and_tokens_stay_out_of_debug() {
        let registry = Registry::new(
            "https://ghcr.io",
            Some(Credentials::new("octocat", "ghp_secret")),
        )
        .unwrap();
        registry.tokens.lock().unwrap().insert(
            "a/b".into(),
            HeaderValue::from_static("Bearer registry_secret"),
        );
        let shown = format!("{registry:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("octocat"), "{shown}");
    }

    #[test]
    fn index_children_and_their_roles() {
        let amd64 = format!("sha256:{}", "1".repeat(64));
        let attestation = format!("sha256:{}", "2".repeat(64));
        let body = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": amd64, "size": 1,
                 "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}},
                {"mediaType": OCI_MANIFEST, "digest": attestation, "size": 1,
                 "platform": {"architecture": "unknown", "os": "unknown"},
                 "annotations": {"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amd64}}
            ]
        });
        let manifest = parse_manifest(Digest::of(b"x"), body.to_string().as_bytes(), None).unwrap();
        assert_eq!(manifest.media_type.as_deref(), Some(OCI_INDEX));
        assert_eq!(
            manifest.children[0].role,
            ChildRole::Platform("linux/arm64/v8".into())
        );
        assert_eq!(
            manifest.children[1].role,
            ChildRole::Attestation { of: Some(amd64) }
        );

        let sha512 = serde_json::json!({"manifests": [{"mediaType": OCI_MANIFEST, "digest": format!("sha512:{}", "1".repeat(128))}]});
        let error =
            parse_manifest(Digest::of(b"x"), sha512.to_string().as_bytes(), None).unwrap_err();
        assert!(error.contains("not a sha256 digest"), "{error}");
        assert!(parse_manifest(Digest::of(b"x"), b"<html>", None).is_err());
    }
}
