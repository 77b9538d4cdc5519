//! The client against a loopback server that answers the way real servers, proxies and
//! networks sometimes do (issue 15's table). Each test here compiles against the client as
//! it was before that issue, and failed on it: they use only what that client had, so the
//! same file shows the old behaviour and the new one.

use futures_util::StreamExt;
use github_packages::{ApiErrorKind, PackageType, RetryPolicy};
use tests::{
    absolute, drain, list_packages, package, page_of as page, Answer, Received, Reply,
    ScriptedServer,
};

fn list(server: &ScriptedServer) -> github_packages::Paginated<github_packages::Package> {
    list_packages(&server.client())
}

#[tokio::test]
async fn a_next_link_to_the_page_just_fetched_ends_the_stream_with_an_error() {
    let server = ScriptedServer::start(|_, request| {
        let own = absolute(request, request.target());
        Answer::Reply(page(&[package(1)]).with_header("link", &format!("<{own}>; rel=\"next\"")))
    })
    .await;
    let mut stream = list(&server);
    let (ids, error) = drain(&mut stream, 100).await;
    let error = error.unwrap_or_else(|| {
        panic!(
            "the stream must end with an error; it yielded {} items over {} requests",
            ids.len(),
            server.count()
        )
    });
    assert_eq!(ids, [1], "the page's items, once");
    assert_eq!(server.count(), 1, "the page is not fetched again");
    assert!(error.to_string().contains("already"), "{error}");
    assert!(
        stream.next().await.is_none(),
        "the stream ends after the error"
    );
}

#[tokio::test]
async fn relative_next_links_are_resolved_against_the_response_url() {
    let server = ScriptedServer::start(|_, request| {
        if request.target().contains("page=2") {
            Answer::Reply(page(&[package(3)]))
        } else {
            Answer::Reply(
                page(&[package(1), package(2)])
                    .with_header("link", "</orgs/o/packages?page=2>; rel=\"next\""),
            )
        }
    })
    .await;
    let (ids, error) = drain(&mut list(&server), 100).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, [1, 2, 3], "every page, the relative `next` included");
    let targets: Vec<String> = server
        .received()
        .iter()
        .map(|r| r.target().to_owned())
        .collect();
    assert_eq!(
        targets,
        [
            "/orgs/o/packages?package_type=container",
            "/orgs/o/packages?page=2"
        ]
    );
}

#[tokio::test]
async fn a_next_link_that_cannot_be_used_is_an_error_not_the_end() {
    let server = ScriptedServer::start(|_, _| {
        Answer::Reply(
            page(&[package(1), package(2)]).with_header("link", "<not a url>; rel=\"next\""),
        )
    })
    .await;
    let (ids, error) = drain(&mut list(&server), 100).await;
    assert_eq!(ids, [1, 2]);
    let error = error.expect("a `next` that cannot be followed is not the last page");
    assert!(error.to_string().contains("not a url"), "{error}");
    assert_eq!(server.count(), 1);
}

/// Page `n` of `pages` one-item pages, linked to page `n + 1`.
fn one_item_page(request: &Received, pages: usize) -> (usize, Reply) {
    let number: usize = request
        .target()
        .split("page=")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let mut reply = page(&[package(number)]);
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
    (number, reply)
}

#[tokio::test(start_paused = true)]
async fn a_long_listing_survives_502s_and_cut_bodies() {
    const PAGES: usize = 40;
    // One request in four fails: a 502 from a proxy, or a body cut short by a closed
    // connection.
    let server = ScriptedServer::start(|index, request| {
        let (_, reply) = one_item_page(request, PAGES);
        match index % 8 {
            3 => Answer::Cut {
                sent: reply.body.len() / 2,
                reply,
            },
            7 => Answer::Reply(Reply {
                status: 502,
                headers: vec![("content-type".into(), "text/html".into())],
                body: "<html>Bad Gateway</html>".into(),
            }),
            _ => Answer::Reply(reply),
        }
    })
    .await;
    let client = server
        .builder()
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    let (ids, error) = drain(&mut list_packages(&client), 1_000).await;
    assert!(
        error.is_none(),
        "after {} items: {}",
        ids.len(),
        error.map(|e| e.to_string()).unwrap_or_default()
    );
    assert_eq!(
        ids,
        (1..=PAGES as i64).collect::<Vec<_>>(),
        "every item once, in order"
    );
    let failed = (0..server.count()).filter(|index| index % 4 == 3).count();
    assert_eq!(
        server.count() - failed,
        PAGES,
        "one retry per failed request"
    );
}

#[tokio::test]
async fn a_success_the_description_does_not_list_is_a_success() {
    // The description says `204 No Content`; this server says `200 {}`: restored all the same.
    let server = ScriptedServer::start(|_, _| Answer::Reply(Reply::json(200, "{}"))).await;
    let restored = server
        .client()
        .restore_package_for_org("o", PackageType::Container, "app", &Default::default())
        .await;
    match restored {
        Ok(response) => assert_eq!(response.status().as_u16(), 200),
        Err(error) => panic!(
            "the package was restored, but: {error} ({:?})",
            error.kind()
        ),
    }
}

#[tokio::test]
async fn an_error_keeps_a_bounded_prefix_of_a_huge_body() {
    const SIXTEEN_MIB: usize = 16 << 20;
    let server = ScriptedServer::start(|_, _| {
        let mut html = String::with_capacity(SIXTEEN_MIB);
        html.push_str("<html><body>");
        while html.len() < SIXTEEN_MIB - 14 {
            html.push_str("upstream error ");
        }
        html.truncate(SIXTEEN_MIB - 14);
        html.push_str("</body></html>");
        Answer::Reply(Reply {
            status: 500,
            headers: vec![("content-type".into(), "text/html".into())],
            body: html,
        })
    })
    .await;
    let error = server
        .client()
        .get_package_for_organization("o", PackageType::Container, "app")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(ApiErrorKind::ServerError));
    let kept = error.api().unwrap().raw_body();
    assert!(
        kept.starts_with("<html><body>upstream error"),
        "{}",
        &kept[..40]
    );
    assert!(
        kept.len() <= 64 * 1024,
        "the error keeps {} bytes of a 16 MiB body",
        kept.len()
    );
}
