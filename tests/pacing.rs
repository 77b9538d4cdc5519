//! Long jobs against a loopback server on tokio's paused clock: a paced bulk delete keeps
//! its budget (counted in the requests the server saw and when, not in wall time), and a
//! token that expires is renewed by the provider and the request sent again.

use futures_util::StreamExt;
use github_packages::reqwest::Method;
use github_packages::{ApiErrorKind, Client, Pacing, PackageType, RetryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

/// What the server saw: when each request arrived (on the runtime's clock), and the most
/// requests it held at once.
#[derive(Default)]
struct Seen {
    arrivals: Mutex<Vec<(Instant, String)>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// A server that answers each request after `hold` (so that overlapping requests would be
/// seen), with `answer` for the `Authorization` header the request carries.
async fn serve(hold: Duration, answer: fn(Option<&str>) -> u16) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buffer).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                let authorization = head
                    .lines()
                    .find_map(|l| l.strip_prefix("authorization: "))
                    .map(str::to_owned);
                let now = log.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                log.most_in_flight.fetch_max(now, Ordering::SeqCst);
                log.arrivals.lock().unwrap().push((Instant::now(), line));
                tokio::time::sleep(hold).await;
                log.in_flight.fetch_sub(1, Ordering::SeqCst);
                let status = answer(authorization.as_deref());
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

#[tokio::test(start_paused = true)]
async fn a_paced_bulk_delete_keeps_its_budget() {
    const DELETES: usize = 5_000;
    let (url, seen) = serve(Duration::from_millis(200), |_| 204).await;
    let client = Client::builder()
        .base_url(&url)
        .token("t")
        .pacing(Pacing::new().per_minute(80).max_in_flight(1))
        .build()
        .unwrap();
    // Many deletes at once, as a careless job would send them: pacing keeps them in line.
    let results: Vec<_> = futures_util::stream::iter(0..DELETES)
        .map(|id| {
            let client = client.clone();
            async move {
                client
                    .delete_package_version_for_org("o", PackageType::Container, "app", id as i64)
                    .await
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    assert!(results.iter().all(Result::is_ok), "every delete succeeded");
    let arrivals = seen.arrivals.lock().unwrap().clone();
    assert_eq!(arrivals.len(), DELETES);
    assert!(arrivals.iter().all(|(_, line)| line.starts_with("DELETE ")));
    let spacing = Duration::from_secs(60) / 80;
    let too_soon = arrivals
        .windows(2)
        .filter(|pair| pair[1].0 - pair[0].0 < spacing)
        .count();
    assert_eq!(
        too_soon, 0,
        "requests closer together than the budget allows"
    );
    let busiest_minute = arrivals
        .iter()
        .map(|(start, _)| {
            arrivals
                .iter()
                .filter(|(t, _)| *t >= *start && *t - *start < Duration::from_secs(60))
                .count()
        })
        .max()
        .unwrap();
    assert!(
        busiest_minute <= 80,
        "{busiest_minute} requests in one minute"
    );
    assert_eq!(
        seen.most_in_flight.load(Ordering::SeqCst),
        1,
        "one mutation at a time"
    );
    let took = arrivals.last().unwrap().0 - arrivals[0].0;
    assert!(took >= spacing * (DELETES as u32 - 1), "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn reads_are_not_paced() {
    let (url, seen) = serve(Duration::ZERO, |_| 200).await;
    let client = Client::builder()
        .base_url(&url)
        .pacing(Pacing::new().per_minute(1).max_in_flight(1))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        let _ = client
            .get_package_for_organization("o", PackageType::Npm, "p")
            .await;
    }
    assert_eq!(seen.arrivals.lock().unwrap().len(), 3);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "GETs wait for no budget"
    );
}

/// A provider whose first token has expired: a fresh one is minted on `refresh`.
fn provider(
    calls: Arc<AtomicUsize>,
) -> impl Fn(bool) -> std::future::Ready<Result<String, std::io::Error>> + Send + Sync + 'static {
    move |refresh| {
        calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok(
            if refresh { "ghs_fresh" } else { "ghs_expired" }.to_owned()
        ))
    }
}

fn only_fresh(authorization: Option<&str>) -> u16 {
    if authorization == Some("Bearer ghs_fresh") {
        200
    } else {
        401
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_a_safe_request_sent_again() {
    let (url, seen) = serve(Duration::ZERO, only_fresh).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .base_url(&url)
        .token_provider(provider(Arc::clone(&calls)))
        .build()
        .unwrap();
    let error = client
        .get_package_for_organization("o", PackageType::Npm, "p")
        .await
        .expect_err("the body `{}` is no package, but the request got through");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200), "{error}");
    assert_eq!(
        seen.arrivals.lock().unwrap().len(),
        2,
        "sent, refused, sent again"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "asked, then asked to refresh"
    );
    let debug = format!("{client:?}");
    assert!(!debug.contains("ghs_"), "{debug}");
    assert!(debug.contains("<token provider>"), "{debug}");
}

#[tokio::test]
async fn a_delete_is_sent_again_only_when_the_policy_says_it_was_not_carried_out() {
    let (url, seen) = serve(Duration::ZERO, only_fresh).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let client = Client::builder()
        .base_url(&url)
        .token_provider(provider(Arc::clone(&calls)))
        .build()
        .unwrap();
    let error = client
        .delete_package_for_org("o", PackageType::Npm, "p")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(ApiErrorKind::Unauthorized));
    assert!(!error.to_string().contains("ghs_"), "{error}");
    assert_eq!(
        seen.arrivals.lock().unwrap().len(),
        1,
        "a DELETE is not repeated by default"
    );

    let (url, seen) = serve(Duration::ZERO, only_fresh).await;
    let client = Client::builder()
        .base_url(&url)
        .token_provider(provider(Arc::new(AtomicUsize::new(0))))
        .retry(RetryPolicy::default().retry_rate_limits_for([Method::GET, Method::DELETE]))
        .build()
        .unwrap();
    // GitHub answers a delete with an empty 204; this server's `{}` with 200 is a success
    // the description does not list, and the request got through.
    let second = client
        .delete_package_for_org("o", PackageType::Npm, "p")
        .await;
    assert_ne!(
        second.err().and_then(|e| e.kind()),
        Some(ApiErrorKind::Unauthorized)
    );
    assert_eq!(
        seen.arrivals.lock().unwrap().len(),
        2,
        "refused, renewed, sent again"
    );
}
