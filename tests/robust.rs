//! The client against real, imperfect servers, through what it offers for them: listings
//! that end in a typed error rather than loop or drop a page, thousands of pages with seeded
//! faults, successes the description does not list, bounded bodies, conditional requests
//! and the response cache, hooks, and `tracing` spans. Loopback servers on 127.0.0.1;
//! counts of items and requests, never wall time (tokio's paused clock where time matters).

use futures_util::StreamExt;
use github_packages::reqwest::StatusCode;
use github_packages::{
    Client, Conditional, Error, HookContext, ListPackagesForOrganizationParams, Package,
    PackageType, PaginationError, RawResponse, RequestHook, ResponseCache, RetryPolicy, Validators,
};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tests::{
    absolute, drain, list_packages, package, page_of, Answer, Received, Reply, ScriptedServer,
};

const TOKEN: &str = "ghp_test_token_never_printed";

/// The number in `page=N` of the request's target (1 without one).
fn page_number(request: &Received) -> usize {
    request
        .target()
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

// Listings that always end and never drop a page.

#[tokio::test]
async fn a_next_link_back_to_an_earlier_page_is_a_typed_error() {
    // Page 1 -> page 2 -> page 1 again (the URL first requested).
    let server = ScriptedServer::start(|_, request| {
        let number = page_number(request);
        let next = match number {
            1 => absolute(request, "/orgs/o/packages?page=2"),
            _ => absolute(request, "/orgs/o/packages?package_type=container"),
        };
        Answer::Reply(
            page_of(&[package(number)]).with_header("link", &format!("<{next}>; rel=\"next\"")),
        )
    })
    .await;
    let mut stream = list_packages(&server.client());
    let (ids, error) = drain(&mut stream, 100).await;
    assert_eq!(ids, [1, 2]);
    match error {
        Some(Error::Pagination(PaginationError::Loop { page, path })) => {
            assert_eq!((page, path.as_str()), (2, "/orgs/o/packages"));
        }
        other => panic!("expected a loop, got {other:?}"),
    }
    assert_eq!(server.count(), 2);
    assert_eq!(stream.pages(), 2);
}

#[tokio::test]
async fn a_page_cap_ends_a_longer_listing_with_an_error_after_its_last_page() {
    let server = ScriptedServer::start(|_, request| {
        let number = page_number(request);
        let next = format!("</orgs/o/packages?page={}>; rel=\"next\"", number + 1);
        Answer::Reply(page_of(&[package(number)]).with_header("link", &next))
    })
    .await;
    let (ids, error) = drain(&mut list_packages(&server.client()).max_pages(3), 100).await;
    assert_eq!(ids, [1, 2, 3]);
    assert!(
        matches!(
            error,
            Some(Error::Pagination(PaginationError::PageLimit { pages: 3 }))
        ),
        "{error:?}"
    );
    assert_eq!(server.count(), 3);

    // A listing within the cap is complete, with no error.
    let short = ScriptedServer::start(|_, _| Answer::Reply(page_of(&[package(1)]))).await;
    let (ids, error) = drain(&mut list_packages(&short.client()).max_pages(1), 100).await;
    assert_eq!((ids, error.is_none()), (vec![1], true));
}

#[tokio::test]
async fn unusable_and_untrusted_next_links_are_typed_errors() {
    for (link, expected) in [
        ("<https://127.0.0.1:1/a b>; rel=\"next\"", "unusable"),
        ("<https://x.test/%zz>; rel=next", "unusable"),
        (
            "<https://127.0.0.1/orgs/o/packages?page=2; rel=\"next\"",
            "unusable",
        ),
        ("<//evil.example/steal?page=2>; rel=\"next\"", "untrusted"),
    ] {
        let server = ScriptedServer::start(move |_, _| {
            Answer::Reply(page_of(&[package(1)]).with_header("link", link))
        })
        .await;
        let (ids, error) = drain(&mut list_packages(&server.client()), 100).await;
        assert_eq!(ids, [1], "{link}");
        match (expected, &error) {
            (
                "unusable",
                Some(Error::Pagination(PaginationError::UnusableLink { page: 1, .. })),
            ) => {}
            ("untrusted", Some(Error::UntrustedLink(url))) => {
                assert_eq!(
                    url.host_str(),
                    Some("evil.example"),
                    "resolved, then refused"
                );
            }
            _ => panic!("{link}: expected {expected}, got {error:?}"),
        }
        assert_eq!(server.count(), 1, "{link}");
    }
}

// Long listings over seeded faults.

/// What goes wrong with attempt `attempt` (from 0) of page `page`: at most two failures a
/// page, drawn from a fixed seed.
fn fault(page: usize, attempt: usize) -> Option<&'static str> {
    if attempt >= 2 {
        return None;
    }
    // splitmix64
    let mut x = (page as u64) << 8 | attempt as u64;
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15 ^ 20_261_123);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    match x % 10 {
        0 => Some("502"),
        1 => Some("reset"),
        2 => Some("cut"),
        3 => Some("slow"),
        _ => None,
    }
}

const ITEMS_PER_PAGE: usize = 2;

/// `pages` pages of two items each, failing as [`fault`] says; counts the faults served.
async fn faulty_listing(pages: usize) -> (ScriptedServer, Arc<AtomicUsize>) {
    let attempts: Arc<Mutex<HashMap<usize, usize>>> = Arc::default();
    let faults = Arc::new(AtomicUsize::new(0));
    let served = Arc::clone(&faults);
    let server = ScriptedServer::start(move |_, request| {
        let number = page_number(request);
        let attempt = {
            let mut attempts = attempts.lock().unwrap();
            let count = attempts.entry(number).or_default();
            *count += 1;
            *count - 1
        };
        let first = (number - 1) * ITEMS_PER_PAGE + 1;
        let items: Vec<Value> = (first..first + ITEMS_PER_PAGE).map(package).collect();
        let mut reply = page_of(&items);
        if number < pages {
            let next = absolute(
                request,
                &format!(
                    "/orgs/o/packages?package_type=container&page={}",
                    number + 1
                ),
            );
            reply = reply.with_header("link", &format!("<{next}>; rel=\"next\""));
        }
        let failure = fault(number, attempt);
        if failure.is_some() {
            served.fetch_add(1, Ordering::SeqCst);
        }
        match failure {
            Some("502") => Answer::Reply(Reply {
                status: 502,
                headers: vec![("content-type".into(), "text/html".into())],
                body: "<html><h1>502 Bad Gateway</h1></html>".into(),
            }),
            Some("reset") => Answer::Close,
            Some("cut") => Answer::Cut {
                sent: reply.body.len() / 3,
                reply,
            },
            Some(_) => Answer::Stall {
                reply,
                pause: Duration::from_secs(600),
            },
            None => Answer::Reply(reply),
        }
    })
    .await;
    (server, faults)
}

#[tokio::test(start_paused = true)]
async fn thousands_of_pages_with_seeded_faults_yield_every_item_once_in_order() {
    const PAGES: usize = 2_000;
    let (server, faults) = faulty_listing(PAGES).await;
    let retries = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&retries);
    let client = server
        .builder()
        .timeout(Duration::from_secs(30))
        .retry(RetryPolicy::default().on_retry(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        }))
        .build()
        .unwrap();
    let mut stream = list_packages(&client);
    let (ids, error) = drain(&mut stream, PAGES * ITEMS_PER_PAGE + 1).await;
    assert!(error.is_none(), "after {} items: {error:?}", ids.len());
    let expected: Vec<i64> = (1..=(PAGES * ITEMS_PER_PAGE) as i64).collect();
    assert!(
        ids == expected,
        "{} items, not every one once in order",
        ids.len()
    );
    let faults = faults.load(Ordering::SeqCst);
    assert!(faults > PAGES / 5, "the seed makes faults: {faults}");
    assert_eq!(server.count(), PAGES + faults, "each fault retried once");
    assert_eq!(retries.load(Ordering::SeqCst), faults);
    // Every kind of fault was met.
    let kinds: std::collections::BTreeSet<_> = (1..=PAGES)
        .flat_map(|page| (0..2).filter_map(move |attempt| fault(page, attempt)))
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
}

#[tokio::test(start_paused = true)]
async fn without_retries_a_faulty_listing_yields_the_pages_it_got_then_the_error() {
    const PAGES: usize = 200;
    let (server, _) = faulty_listing(PAGES).await;
    let client = server
        .builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let first_fault = (1..=PAGES).find(|&page| fault(page, 0).is_some()).unwrap();
    let mut stream = list_packages(&client);
    let (ids, error) = drain(&mut stream, PAGES * ITEMS_PER_PAGE + 1).await;
    let expected: Vec<i64> = (1..=((first_fault - 1) * ITEMS_PER_PAGE) as i64).collect();
    assert_eq!(ids, expected, "the items of the pages before the fault");
    let error = error.expect("the fault ends the listing with an error");
    match fault(first_fault, 0) {
        Some("502") => assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY)),
        Some(_) => assert!(matches!(error, Error::Transport(_)), "{error:?}"),
        None => unreachable!(),
    }
    assert!(stream.next().await.is_none());
    assert_eq!(server.count(), first_fault);
}

// Successes the description does not list.

#[tokio::test]
async fn an_undescribed_success_keeps_its_status_and_raw_body() {
    let server = ScriptedServer::start(|index, _| match index {
        0 => Answer::Reply(Reply::json(200, "{}")),
        1 => Answer::Reply(Reply::json(203, &package(7).to_string())),
        2 => Answer::Reply(Reply::json(202, r#"{"queued": true}"#)),
        _ => Answer::Reply(Reply::json(200, &package(8).to_string())),
    })
    .await;
    let client = server.client();
    let restored = client
        .restore_package_for_org("o", PackageType::Container, "app", &Default::default())
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    assert!(!restored.is_described());
    assert_eq!(restored.raw_body(), Some(&b"{}"[..]));

    // Decoded where it matches the described type, and kept as received.
    let package = client
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap();
    assert_eq!((package.status().as_u16(), package.body().id), (203, 7));
    let raw: Value = serde_json::from_slice(package.raw_body().unwrap()).unwrap();
    assert_eq!(raw, self::package(7));

    // Where it does not, a decode error with its status: never an `Api` error.
    let error = client
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap_err();
    match &error {
        Error::Decode(decode) => assert_eq!(decode.status().as_u16(), 202),
        other => panic!("expected a decode error, got {other:?}"),
    }

    let described = client
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap();
    assert!(described.is_described());
    assert_eq!(described.raw_body(), None);
}

// Bounded memory.

#[tokio::test]
async fn error_bodies_are_bounded_and_success_bodies_limited() {
    let huge = "x".repeat(1 << 20);
    let body = huge.clone();
    let server = ScriptedServer::start(move |index, _| {
        let status = if index == 0 { 500 } else { 200 };
        Answer::Reply(Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.clone(),
        })
    })
    .await;
    let client = server
        .builder()
        .max_response_size(64 * 1024)
        .build()
        .unwrap();
    let error = client
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap_err();
    let api = error.api().unwrap();
    assert_eq!((api.raw_body().len(), api.body_len()), (64 * 1024, 1 << 20));
    assert!(api.is_body_truncated());
    assert!(
        error.to_string().len() < 1024,
        "the summary quotes an excerpt"
    );

    let too_large = client
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap_err();
    assert!(
        matches!(
            too_large,
            Error::TooLarge {
                status: StatusCode::OK,
                limit: 65_536
            }
        ),
        "{too_large:?}"
    );
}

// Conditional requests.

/// A server of one package list that honours `If-None-Match`, as GitHub does: an unchanged
/// page is a `304` without a body, and costs nothing of the rate limit.
struct Versioned {
    server: ScriptedServer,
    /// Answers that counted against the rate limit (every one but the `304`s).
    charged: Arc<AtomicUsize>,
    version: Arc<AtomicUsize>,
}

async fn versioned(pages: usize) -> Versioned {
    let charged = Arc::new(AtomicUsize::new(0));
    let version = Arc::new(AtomicUsize::new(1));
    let (counter, current) = (Arc::clone(&charged), Arc::clone(&version));
    let server = ScriptedServer::start(move |_, request| {
        let number = page_number(request);
        let etag = format!("\"v{}-p{number}\"", current.load(Ordering::SeqCst));
        let remaining = 5000 - counter.load(Ordering::SeqCst);
        if request.header("if-none-match") == Some(etag.as_str()) {
            return Answer::Reply(Reply {
                status: 304,
                headers: vec![
                    ("etag".into(), etag),
                    ("x-ratelimit-remaining".into(), remaining.to_string()),
                ],
                body: String::new(),
            });
        }
        counter.fetch_add(1, Ordering::SeqCst);
        let mut reply = page_of(&[package(number)])
            .with_header("etag", &etag)
            .with_header("last-modified", "Tue, 24 Nov 2026 08:00:00 GMT")
            .with_header("x-ratelimit-remaining", &(remaining - 1).to_string());
        if number < pages {
            let next = format!("</orgs/o/packages?page={}>; rel=\"next\"", number + 1);
            reply = reply.with_header("link", &next);
        }
        Answer::Reply(reply)
    })
    .await;
    Versioned {
        server,
        charged,
        version,
    }
}

async fn list_page(client: &Client) -> Result<github_packages::Page<Package>, Error> {
    client
        .list_packages_for_organization(
            "o",
            PackageType::Container,
            &ListPackagesForOrganizationParams::default(),
        )
        .await
}

#[tokio::test]
async fn validators_are_readable_and_if_changed_gives_a_typed_not_modified() {
    let api = versioned(1).await;
    let client = api.server.client();
    let first = list_page(&client).await.unwrap();
    assert_eq!(first.etag(), Some("\"v1-p1\""));
    assert_eq!(first.last_modified(), Some("Tue, 24 Nov 2026 08:00:00 GMT"));
    assert!(!first.is_not_modified());
    let validators = first.validators();

    let unchanged = client
        .if_changed(&validators, async |client| list_page(client).await)
        .await
        .unwrap();
    let Conditional::NotModified(answer) = unchanged else {
        panic!("unchanged, yet {unchanged:?}");
    };
    assert_eq!(answer.status(), StatusCode::NOT_MODIFIED);
    assert!(answer.is_not_modified());
    assert_eq!(answer.headers()["x-ratelimit-remaining"], "4999");

    api.version.store(2, Ordering::SeqCst);
    let changed = client
        .if_changed(&validators, async |client| list_page(client).await)
        .await
        .unwrap();
    assert!(changed.is_modified());
    assert_eq!(changed.modified().unwrap().etag(), Some("\"v2-p1\""));

    let sent: Vec<(Option<String>, Option<String>)> = api
        .server
        .received()
        .iter()
        .map(|r| {
            (
                r.header("if-none-match").map(str::to_owned),
                r.header("if-modified-since").map(str::to_owned),
            )
        })
        .collect();
    let conditional = (
        Some("\"v1-p1\"".to_owned()),
        Some("Tue, 24 Nov 2026 08:00:00 GMT".to_owned()),
    );
    assert_eq!(sent, [(None, None), conditional.clone(), conditional]);
    assert_eq!(
        api.charged.load(Ordering::SeqCst),
        2,
        "the 304 cost nothing"
    );

    // Without `if_changed`, a 304 to validators sent by other means is an error that says so.
    let hooked = api
        .server
        .builder()
        .hook(SendEtag("\"v2-p1\""))
        .build()
        .unwrap();
    let error = list_page(&hooked).await.unwrap_err();
    assert!(error.is_not_modified(), "{error:?}");

    // Validators that cannot be sent are an error, not an unconditional request.
    let broken = Validators {
        etag: Some("\"a\nb\"".into()),
        last_modified: None,
    };
    let refused = client
        .if_changed(&broken, async |client| list_page(client).await)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::InvalidConfig(_)), "{refused:?}");
}

/// Sends a fixed `If-None-Match`.
struct SendEtag(&'static str);

impl RequestHook for SendEtag {
    fn on_request(&self, _: &HookContext, request: &mut github_packages::reqwest::Request) {
        let value = github_packages::reqwest::header::HeaderValue::from_static(self.0);
        request.headers_mut().insert("if-none-match", value);
    }
}

#[tokio::test]
async fn the_cache_relists_an_unchanged_page_with_if_none_match_and_no_quota() {
    let api = versioned(1).await;
    let cache = ResponseCache::new();
    let client = api.server.builder().cache(cache.clone()).build().unwrap();
    let first = list_page(&client).await.unwrap();
    assert_eq!(cache.len(), 1);
    let second = list_page(&client).await.unwrap();
    assert!(second.is_not_modified());
    assert_eq!(second.status(), StatusCode::OK, "the kept answer's status");
    assert_eq!(
        second.body().iter().map(|p| p.id).collect::<Vec<_>>(),
        first.body().iter().map(|p| p.id).collect::<Vec<_>>(),
        "the cached items"
    );
    assert_eq!(
        second.headers()["x-ratelimit-remaining"],
        "4999",
        "the 304's own headers"
    );
    let received = api.server.received();
    assert_eq!(received[0].header("if-none-match"), None);
    assert_eq!(received[1].header("if-none-match"), Some("\"v1-p1\""));
    assert_eq!(
        api.charged.load(Ordering::SeqCst),
        1,
        "the second listing spent no quota"
    );

    // A change is fetched, and kept in place of the old answer.
    api.version.store(2, Ordering::SeqCst);
    let third = list_page(&client).await.unwrap();
    assert!(!third.is_not_modified());
    assert_eq!(third.etag(), Some("\"v2-p1\""));
    assert_eq!(cache.len(), 1);
    assert_eq!(api.charged.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_scheduled_relisting_of_unchanged_pages_spends_no_quota() {
    const PAGES: usize = 50;
    let api = versioned(PAGES).await;
    let client = api
        .server
        .builder()
        .cache(ResponseCache::new())
        .build()
        .unwrap();
    for run in 0..3 {
        let (ids, error) = drain(&mut list_packages(&client), PAGES + 1).await;
        assert!(error.is_none(), "run {run}: {error:?}");
        assert_eq!(ids, (1..=PAGES as i64).collect::<Vec<_>>(), "run {run}");
    }
    assert_eq!(api.server.count(), 3 * PAGES);
    assert_eq!(
        api.charged.load(Ordering::SeqCst),
        PAGES,
        "only the first run is charged"
    );
    let conditional = api
        .server
        .received()
        .iter()
        .filter(|r| r.header("if-none-match").is_some())
        .count();
    assert_eq!(conditional, 2 * PAGES);
}

#[tokio::test]
async fn the_cache_is_bounded() {
    let api = versioned(3).await;
    let cache = ResponseCache::new().max_entries(2);
    assert!(cache.is_empty());
    let client = api.server.builder().cache(cache.clone()).build().unwrap();
    let (ids, _) = drain(&mut list_packages(&client), 10).await;
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(cache.len(), 2, "the least recently used page was dropped");
    assert!(format!("{cache:?}").contains("max_entries: 2"));
    cache.clear();
    assert!(cache.is_empty());

    let tiny = ResponseCache::new().max_bytes(100);
    let client = api.server.builder().cache(tiny.clone()).build().unwrap();
    list_page(&client).await.unwrap();
    assert!(
        tiny.is_empty(),
        "an answer larger than the cache is not kept"
    );
}

// Hooks.

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
}

impl RequestHook for Recorder {
    fn on_request(&self, context: &HookContext, request: &mut github_packages::reqwest::Request) {
        let headers = format!("{:?}", request.headers());
        assert!(
            !headers.contains(TOKEN),
            "the token is marked sensitive: {headers}"
        );
        let signature = format!("signed-{}", context.attempt);
        request
            .headers_mut()
            .insert("x-signature", signature.parse().unwrap());
        self.seen.lock().unwrap().push(format!(
            "request {} {} {} attempt {}",
            context.method, context.operation.id, context.operation.route, context.attempt
        ));
    }

    fn on_response(&self, context: &HookContext, response: &mut RawResponse) {
        self.seen.lock().unwrap().push(format!(
            "response {} attempt {} elapsed {}",
            response.status().as_u16(),
            context.attempt,
            context.elapsed.is_some()
        ));
        // A hook may rewrite what it sees: here, a proxy's HTML page becomes a JSON error.
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            response.set_body(r#"{"message": "rewritten by a hook"}"#);
        }
    }

    fn on_error(&self, context: &HookContext, error: &Error) {
        let transport = matches!(error, Error::Transport(_));
        self.seen.lock().unwrap().push(format!(
            "error attempt {} transport {transport}",
            context.attempt
        ));
    }
}

#[tokio::test(start_paused = true)]
async fn hooks_see_and_adjust_every_attempt() {
    let server = ScriptedServer::start(|index, _| match index {
        0 => Answer::Reply(Reply::json(502, "<html>bad gateway</html>")),
        1 => Answer::Close,
        2 => Answer::Reply(Reply::json(200, &package(1).to_string())),
        _ => Answer::Reply(Reply::json(503, "<html>maintenance</html>")),
    })
    .await;
    let recorder = Arc::new(Recorder::default());
    struct Shared(Arc<Recorder>);
    impl RequestHook for Shared {
        fn on_request(&self, c: &HookContext, r: &mut github_packages::reqwest::Request) {
            self.0.on_request(c, r)
        }
        fn on_response(&self, c: &HookContext, r: &mut RawResponse) {
            self.0.on_response(c, r)
        }
        fn on_error(&self, c: &HookContext, e: &Error) {
            self.0.on_error(c, e)
        }
    }
    let client = server
        .builder()
        .hook(Shared(Arc::clone(&recorder)))
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    client
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap();
    let route =
        "packages/get-package-for-organization /orgs/{org}/packages/{package_type}/{package_name}";
    assert_eq!(
        *recorder.seen.lock().unwrap(),
        [
            format!("request GET {route} attempt 1"),
            "response 502 attempt 1 elapsed true".to_owned(),
            format!("request GET {route} attempt 2"),
            "error attempt 2 transport true".to_owned(),
            format!("request GET {route} attempt 3"),
            "response 200 attempt 3 elapsed true".to_owned(),
        ]
    );
    let signatures: Vec<Option<String>> = server
        .received()
        .iter()
        .map(|r| r.header("x-signature").map(str::to_owned))
        .collect();
    assert_eq!(
        signatures,
        [
            Some("signed-1".into()),
            Some("signed-2".into()),
            Some("signed-3".into())
        ]
    );

    let rewritten = server
        .client()
        .delete_package_for_org("o", PackageType::Container, "app")
        .await
        .unwrap_err();
    assert_eq!(
        rewritten.api().unwrap().message(),
        None,
        "no hook on this client"
    );
    let client = server
        .builder()
        .hook(Shared(Arc::clone(&recorder)))
        .build()
        .unwrap();
    let rewritten = client
        .delete_package_for_org("o", PackageType::Container, "app")
        .await
        .unwrap_err();
    assert_eq!(
        rewritten.api().unwrap().message(),
        Some("rewritten by a hook")
    );
}

// Tokens.

#[tokio::test]
async fn responses_and_pagination_errors_never_show_query_credentials() {
    let restore = ScriptedServer::start(|_, _| Answer::Reply(Reply::json(200, "{}"))).await;
    let params = github_packages::RestorePackageForOrgParams::default().token("package-secret");
    let restored = restore
        .client()
        .restore_package_for_org("o", PackageType::Container, "app", &params)
        .await
        .unwrap();
    assert!(
        restored.url().as_str().ends_with("token=package-secret"),
        "the URL is there to read"
    );
    let shown = format!("{restored:?}");
    assert!(
        !shown.contains("package-secret"),
        "Debug shows the path alone: {shown}"
    );

    let server = ScriptedServer::start(|_, request| {
        let own = absolute(request, request.target());
        Answer::Reply(page_of(&[package(1)]).with_header("link", &format!("<{own}>; rel=\"next\"")))
    })
    .await;
    let client = server.client();
    let params = ListPackagesForOrganizationParams::default().per_page(7);
    let (_, error) = drain(
        &mut client.list_packages_for_organization_stream("o", PackageType::Container, &params),
        10,
    )
    .await;
    let error = error.unwrap();
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("per_page"), "{shown}");
        assert!(!shown.contains(TOKEN), "{shown}");
    }
    assert!(!format!("{client:?}").contains(TOKEN));
}
