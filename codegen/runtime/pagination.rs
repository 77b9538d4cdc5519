//! `Link` header pagination: parsed links, and streams that follow `rel="next"` to the end.

use crate::client::{Client, Response};
use crate::error::{Error, PaginationError};
use crate::hooks::OperationInfo;
use futures_core::Stream;
use reqwest::header::HeaderMap;
use reqwest::Url;
use std::collections::{HashSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A page of a list operation: the items, with the status, headers and links they came with.
pub type Page<T> = Response<Vec<T>>;

/// The links of a `Link` header (`<url>; rel="next", <url>; rel="last"`). Relations other
/// than these four are ignored; where a relation is given twice, the first counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub next: Option<Url>,
    pub prev: Option<Url>,
    pub first: Option<Url>,
    pub last: Option<Url>,
}

impl<T> Response<T> {
    /// The `Link` header's `next`, `prev`, `first` and `last` pages (list operations),
    /// relative targets resolved against the URL that answered.
    pub fn links(&self) -> Links {
        Links::resolved(self.headers(), self.url())
    }
}

impl Links {
    /// The links with absolute targets; a relative one (`</items?page=2>`) needs the URL of
    /// the response that carried it: see [`Links::resolved`].
    pub fn from_headers(headers: &HeaderMap) -> Links {
        Links::parse(headers, None)
    }

    /// The links, relative targets resolved against `base`, the URL of the response that
    /// carried them (RFC 8288, section 3.2).
    pub fn resolved(headers: &HeaderMap, base: &Url) -> Links {
        Links::parse(headers, Some(base))
    }

    fn parse(headers: &HeaderMap, base: Option<&Url>) -> Links {
        let mut links = Links::default();
        for entry in entries(headers) {
            let Some(target) = &entry.target else {
                continue;
            };
            for relation in entry.relations() {
                let slot = match relation.as_str() {
                    "next" => &mut links.next,
                    "prev" | "previous" => &mut links.prev,
                    "first" => &mut links.first,
                    "last" => &mut links.last,
                    _ => continue,
                };
                if slot.is_none() {
                    *slot = resolve(target, base);
                }
            }
        }
        links
    }
}

/// The first `next` link, resolved against `base`: `Ok(None)` when there is none, and the
/// target as sent when there is one that cannot be followed (not a URI reference, or an
/// entry cut short), which is not the same as having no next page.
fn next_link(headers: &HeaderMap, base: &Url) -> Result<Option<Url>, String> {
    for entry in entries(headers) {
        match entry.target {
            None if entry.params.to_ascii_lowercase().contains("next") => return Err(entry.params),
            None => {}
            Some(target) if entry.relations().any(|r| r == "next") => {
                return resolve(&target, Some(base)).map(Some).ok_or(target);
            }
            Some(_) => {}
        }
    }
    Ok(None)
}

/// A `<target>; param; param` entry of a `Link` header. `target` is `None` when the `>`
/// closing it is missing; `params` is then the rest of the value.
struct Entry {
    target: Option<String>,
    params: String,
}

impl Entry {
    /// The `rel` parameter's relation types, lowercased.
    fn relations(&self) -> impl Iterator<Item = String> + '_ {
        self.params
            .split(';')
            .filter_map(|param| param.split_once('='))
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case("rel"))
            .flat_map(|(_, value)| value.trim().trim_end_matches(',').trim().trim_matches('"').split_whitespace())
            .map(str::to_ascii_lowercase)
    }
}

/// Reads `<url>; param; param, <url>; ...` in every `Link` header. A URL may contain commas,
/// so entries are found by their angle brackets rather than by splitting on commas.
fn entries(headers: &HeaderMap) -> Vec<Entry> {
    let mut entries = Vec::new();
    for value in headers.get_all(reqwest::header::LINK) {
        let value = String::from_utf8_lossy(value.as_bytes());
        let mut rest: &str = &value;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|i| open + i) else {
                entries.push(Entry {
                    target: None,
                    params: rest[open..].to_owned(),
                });
                break;
            };
            let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
            entries.push(Entry {
                target: Some(rest[open + 1..close].trim().to_owned()),
                params: rest[close + 1..params_end].to_owned(),
            });
            rest = &rest[params_end..];
        }
    }
    entries
}

/// `target` as a URL: absolute, or resolved against `base`. `None` unless it is a URI
/// reference (RFC 3986: printable ASCII without spaces, quotes or angle brackets, and `%`
/// only before two hex digits), which `Url::join` would otherwise take as a path.
fn resolve(target: &str, base: Option<&Url>) -> Option<Url> {
    let bytes = target.as_bytes();
    let valid = bytes.iter().enumerate().all(|(at, &b)| match b {
        b'%' => bytes.get(at + 1..at + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)),
        b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`' => false,
        _ => b.is_ascii_graphic(),
    });
    if !valid {
        return None;
    }
    match base {
        Some(base) => base.join(target).ok(),
        None => Url::parse(target).ok(),
    }
}

type PageFuture<T> = Pin<Box<dyn std::future::Future<Output = Result<Page<T>, Error>> + Send>>;

/// The items of a list operation, page after page, following `rel="next"` links to the end.
///
/// A listing is complete, or ends in an error; it never ends quietly while the server says
/// there is more. It yields `Err` once and then ends when:
///
/// - a page fails (after the client's retry policy, if any): the items already yielded stay
///   yielded;
/// - a `next` link leads to another origin than the client's base URL, which would receive
///   the token: [`Error::UntrustedLink`] (relative links are resolved against the URL of the
///   page that carried them first);
/// - a `next` link leads back to a page already fetched, which would never end;
///   a `next` link cannot be followed; or the page cap ([`Paginated::max_pages`]) is reached
///   with pages left: [`Error::Pagination`].
///
/// Poll it with `futures::StreamExt::next` or `futures::TryStreamExt::try_next`.
#[must_use = "streams do nothing unless polled"]
pub struct Paginated<T> {
    client: Client,
    /// The media types the operation's description lists.
    accept: Option<&'static str>,
    operation: OperationInfo,
    buffered: VecDeque<T>,
    pending: Option<PageFuture<T>>,
    /// The first request's URL could not be built; reported on the first poll.
    failed: Option<Error>,
    done: bool,
    /// Every page requested, and every URL that answered, without fragments.
    visited: HashSet<String>,
    /// Pages received.
    pages: usize,
    max_pages: Option<usize>,
}

impl<T: serde::de::DeserializeOwned + Send + 'static> Paginated<T> {
    pub(crate) fn new(client: &Client, first: Result<Url, Error>, accept: Option<&'static str>, operation: OperationInfo) -> Self {
        let mut stream = Paginated {
            client: client.clone(),
            accept,
            operation,
            buffered: VecDeque::new(),
            pending: None,
            failed: None,
            done: false,
            visited: HashSet::new(),
            pages: 0,
            max_pages: None,
        };
        match first {
            Ok(url) => stream.fetch(url),
            Err(error) => stream.failed = Some(error),
        }
        stream
    }

    fn fetch(&mut self, url: Url) {
        self.visited.insert(visited_key(&url));
        let client = self.client.clone();
        let accept = self.accept;
        let operation = self.operation;
        self.pending = Some(Box::pin(async move { client.get_page(url, accept, operation).await }));
    }
}

impl<T> Paginated<T> {
    /// Fetches at most `pages` pages (at least one): a listing with more ends with
    /// [`PaginationError::PageLimit`] after the items of the last page allowed.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = Some(pages.max(1));
        self
    }

    /// How many pages have been received so far.
    pub fn pages(&self) -> usize {
        self.pages
    }
}

/// A URL as the pages visited are told apart: without its fragment.
fn visited_key(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    url.into()
}

impl Client {
    /// Whether `url` is on the same scheme, host and port as the base URL: only there may
    /// the token be sent.
    fn is_same_origin(&self, url: &Url) -> bool {
        url.origin() == self.base_url().origin()
    }

    /// One page of a list operation, from a URL built by an operation or a `next` link.
    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
        accept: Option<&'static str>,
        operation: OperationInfo,
    ) -> Result<Page<T>, Error> {
        let response = self.send(self.request(reqwest::Method::GET, url, accept), operation).await?;
        match response.status.as_u16() {
            200 => response.json(),
            _ if response.status.is_success() => response.undescribed().json(),
            _ => Err(response.into_error()),
        }
    }
}

impl<T> Unpin for Paginated<T> {}

impl<T: serde::de::DeserializeOwned + Send + 'static> Stream for Paginated<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Each pass yields, waits, ends, or takes in a page; pages are bounded by the
        // visited set (no page twice) and the optional cap.
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(error) = self.failed.take() {
                self.done = true;
                return Poll::Ready(Some(Err(error)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            let Some(pending) = self.pending.as_mut() else {
                self.done = true;
                return Poll::Ready(None);
            };
            let page = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(page) => page,
            };
            self.pending = None;
            match page {
                Err(error) => self.failed = Some(error),
                Ok(page) => {
                    self.pages += 1;
                    let page_number = self.pages;
                    let next = next_link(page.headers(), page.url());
                    let answered = visited_key(page.url());
                    self.visited.insert(answered);
                    self.buffered.extend(page.into_body());
                    let failure = match next {
                        Ok(None) => None,
                        Ok(Some(url)) if !self.client.is_same_origin(&url) => Some(Error::UntrustedLink(url)),
                        Ok(Some(url)) if self.visited.contains(&visited_key(&url)) => {
                            Some(Error::Pagination(PaginationError::Loop {
                                page: page_number,
                                path: url.path().to_owned(),
                            }))
                        }
                        Ok(Some(_)) if self.max_pages.is_some_and(|most| page_number >= most) => {
                            Some(Error::Pagination(PaginationError::PageLimit { pages: page_number }))
                        }
                        Ok(Some(url)) => {
                            self.fetch(url);
                            None
                        }
                        Err(target) => Some(Error::Pagination(PaginationError::UnusableLink {
                            page: page_number,
                            target,
                        })),
                    };
                    self.failed = failure;
                }
            }
        }
    }
}

impl<T> std::fmt::Debug for Paginated<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginated")
            .field("operation", &self.operation.id)
            .field("pages", &self.pages)
            .field("buffered", &self.buffered.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(header: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::LINK, header.parse().unwrap());
        headers
    }

    fn parse(header: &str) -> Links {
        Links::from_headers(&headers(header))
    }

    #[test]
    fn next_and_last_links() {
        let links = parse(r#"<https://api.example.com/user/packages?page=2>; rel="next", <https://api.example.com/user/packages?page=5>; rel="last""#);
        assert_eq!(links.next.unwrap().as_str(), "https://api.example.com/user/packages?page=2");
        assert_eq!(links.last.unwrap().as_str(), "https://api.example.com/user/packages?page=5");
        assert_eq!(links.prev, None);
    }

    #[test]
    fn unknown_relations_commas_and_odd_spacing() {
        let links = parse(r#"<https://x.test/a?ids=1,2&page=3>;rel=next ,<https://x.test/a?page=1>; rel="first prev"; title="t", <https://x.test/h>; rel="hub""#);
        assert_eq!(links.next.unwrap().as_str(), "https://x.test/a?ids=1,2&page=3");
        assert_eq!(links.first.as_ref().unwrap().as_str(), "https://x.test/a?page=1");
        assert_eq!(links.prev, links.first);
        assert_eq!(links.last, None);
    }

    #[test]
    fn garbage_is_ignored() {
        assert_eq!(parse("no links here"), Links::default());
        assert_eq!(parse("<not a url>; rel=next"), Links::default());
        assert_eq!(parse("<https://x.test/"), Links::default());
    }

    #[test]
    fn relative_targets_resolve_against_the_response_url() {
        let base = Url::parse("https://x.test/api/v3/orgs/o/packages?package_type=npm").unwrap();
        let links = Links::resolved(&headers(r#"</api/v3/orgs/o/packages?page=2>; rel="next", <?page=9>; rel="last""#), &base);
        assert_eq!(links.next.unwrap().as_str(), "https://x.test/api/v3/orgs/o/packages?page=2");
        assert_eq!(links.last.unwrap().as_str(), "https://x.test/api/v3/orgs/o/packages?page=9");
        assert_eq!(parse(r#"</orgs/o/packages?page=2>; rel="next""#).next, None, "no base, no relative links");
    }

    #[test]
    fn a_next_that_cannot_be_followed_is_not_the_same_as_none() {
        let base = Url::parse("https://x.test/items").unwrap();
        assert_eq!(next_link(&headers(r#"<https://x.test/first>; rel="first""#), &base), Ok(None));
        assert_eq!(next_link(&headers(r#"<not a url>; rel="next""#), &base), Err("not a url".to_owned()));
        assert_eq!(next_link(&headers(r#"<https://x.test/a%zz>; rel=next"#), &base), Err("https://x.test/a%zz".to_owned()));
        assert!(next_link(&headers(r#"<https://x.test/first>; rel="first", <https://x.test/items?page=2; rel="next""#), &base).is_err());
        assert_eq!(
            next_link(&headers(r#"<https://x.test/items?page=2>; rel="next", <https://x.test/items?page=3>; rel="next""#), &base)
                .unwrap()
                .unwrap()
                .as_str(),
            "https://x.test/items?page=2",
            "the first `next` counts"
        );
    }
}
