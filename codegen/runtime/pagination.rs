//! `Link` header pagination: parsed links, and streams that follow `rel="next"` to the end.

use crate::client::{Client, Response};
use crate::error::Error;
use futures_core::Stream;
use reqwest::header::HeaderMap;
use reqwest::Url;
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A page of a list operation: the items, with the status, headers and links they came with.
pub type Page<T> = Response<Vec<T>>;

/// The links of a `Link` header (`<url>; rel="next", <url>; rel="last"`). Relations other
/// than these four are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub next: Option<Url>,
    pub prev: Option<Url>,
    pub first: Option<Url>,
    pub last: Option<Url>,
}

impl<T> Response<T> {
    /// The `Link` header's `next`, `prev`, `first` and `last` pages (list operations).
    pub fn links(&self) -> Links {
        Links::from_headers(self.headers())
    }
}

impl Links {
    pub fn from_headers(headers: &HeaderMap) -> Links {
        let mut links = Links::default();
        for value in headers.get_all(reqwest::header::LINK) {
            if let Ok(value) = value.to_str() {
                links.parse_into(value);
            }
        }
        links
    }

    /// Reads `<url>; param; param, <url>; ...`. A URL may contain commas, so entries are
    /// found by their angle brackets rather than by splitting on commas.
    fn parse_into(&mut self, header: &str) {
        let mut rest = header;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|i| open + i) else {
                return;
            };
            let target = &rest[open + 1..close];
            let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
            let params = &rest[close + 1..params_end];
            rest = &rest[params_end..];
            let Ok(url) = Url::parse(target.trim()) else {
                continue;
            };
            for param in params.split(';') {
                let Some((name, value)) = param.split_once('=') else {
                    continue;
                };
                if !name.trim().eq_ignore_ascii_case("rel") {
                    continue;
                }
                let value = value.trim().trim_end_matches(',').trim().trim_matches('"');
                for relation in value.split_whitespace() {
                    let slot = match relation.to_ascii_lowercase().as_str() {
                        "next" => &mut self.next,
                        "prev" | "previous" => &mut self.prev,
                        "first" => &mut self.first,
                        "last" => &mut self.last,
                        _ => continue,
                    };
                    *slot = Some(url.clone());
                }
            }
        }
    }
}

type PageFuture<T> = Pin<Box<dyn std::future::Future<Output = Result<Page<T>, Error>> + Send>>;

/// The items of a list operation, page after page, following `rel="next"` links to the end.
///
/// Yields `Err` once and then ends when a page fails: the items already yielded stay
/// yielded. A `next` link to another origin than the client's base URL is not followed (it
/// would receive the token); that ends the stream with [`Error::UntrustedLink`].
///
/// Poll it with `futures::StreamExt::next` or `futures::TryStreamExt::try_next`.
#[must_use = "streams do nothing unless polled"]
pub struct Paginated<T> {
    client: Client,
    /// The media types the operation's description lists.
    accept: Option<&'static str>,
    buffered: VecDeque<T>,
    pending: Option<PageFuture<T>>,
    /// The first request's URL could not be built; reported on the first poll.
    failed: Option<Error>,
    done: bool,
}

impl<T: serde::de::DeserializeOwned + Send + 'static> Paginated<T> {
    pub(crate) fn new(client: &Client, first: Result<Url, Error>, accept: Option<&'static str>) -> Self {
        let mut stream = Paginated {
            client: client.clone(),
            accept,
            buffered: VecDeque::new(),
            pending: None,
            failed: None,
            done: false,
        };
        match first {
            Ok(url) => stream.fetch(url),
            Err(error) => stream.failed = Some(error),
        }
        stream
    }

    fn fetch(&mut self, url: Url) {
        let client = self.client.clone();
        let accept = self.accept;
        self.pending = Some(Box::pin(async move { client.get_page(url, accept).await }));
    }
}

impl Client {
    /// Whether `url` is on the same scheme, host and port as the base URL: only there may
    /// the token be sent.
    fn is_same_origin(&self, url: &Url) -> bool {
        url.origin() == self.base_url().origin()
    }

    /// One page of a list operation, from a URL built by an operation or a `next` link.
    async fn get_page<T: serde::de::DeserializeOwned>(&self, url: Url, accept: Option<&'static str>) -> Result<Page<T>, Error> {
        let response = self.send(self.request(reqwest::Method::GET, url, accept)).await?;
        match response.status.as_u16() {
            200 => response.json(),
            _ => Err(response.into_error()),
        }
    }
}

impl<T> Unpin for Paginated<T> {}

impl<T: serde::de::DeserializeOwned + Send + 'static> Stream for Paginated<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
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
                    let next = page.links().next;
                    self.buffered.extend(page.into_body());
                    match next {
                        Some(url) if self.client.is_same_origin(&url) => self.fetch(url),
                        Some(url) => self.failed = Some(Error::UntrustedLink(url)),
                        None => {}
                    }
                }
            }
        }
    }
}

impl<T> std::fmt::Debug for Paginated<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginated")
            .field("buffered", &self.buffered.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(header: &str) -> Links {
        let mut links = Links::default();
        links.parse_into(header);
        links
    }

    #[test]
    fn github_link_header() {
        let links = parse(r#"<https://api.github.com/user/packages?page=2>; rel="next", <https://api.github.com/user/packages?page=5>; rel="last""#);
        assert_eq!(links.next.unwrap().as_str(), "https://api.github.com/user/packages?page=2");
        assert_eq!(links.last.unwrap().as_str(), "https://api.github.com/user/packages?page=5");
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
}
