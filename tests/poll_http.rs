//! The poller against a local HTTP server whose content changes between requests:
//! conditional requests, change detection, failures that keep what is held, caps.

mod support;

use std::sync::Arc;
use std::time::Duration;

use livefeed::config::Config;
use livefeed::keymap::Keymap;
use livefeed::model::{LastResult, Model, Msg, PollResult};
use livefeed::poll::{self, Plan};
use livefeed::source::{HttpFetcher, Location};
use support::{ConditionalFeed, Response, TIMEOUT, TestServer};
use tokio::sync::{Notify, mpsc};

fn feed(items: &[(&str, &str)]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .enumerate()
        .map(|(n, (id, title))| {
            serde_json::json!({
                "id": id,
                "title": title,
                "content_html": format!("<p>Body of {id}.</p><p>Second paragraph.</p>"),
                "date_published": format!("2026-03-01T12:{:02}:00Z", 59 - n),
                "authors": [{"name": "Ana Ruiz"}],
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour storm live",
        "items": items,
    })
    .to_string()
}

fn plan(url: String) -> Plan {
    Plan {
        index: 0,
        location: Location::Http(url),
        // Long: the test triggers every poll itself with "fetch now".
        interval: Duration::from_secs(3600),
        headers: Default::default(),
        max_bytes: Config::default().limits.max_bytes,
        caps: Default::default(),
        mapping: None,
    }
}

struct Poller {
    rx: mpsc::Receiver<Msg>,
    now: Arc<Notify>,
    model: Model,
}

impl Poller {
    fn start(plan: Plan, fetcher: HttpFetcher) -> Poller {
        let (tx, rx) = mpsc::channel(64);
        let now = Arc::new(Notify::new());
        poll::spawn(plan, fetcher, tx, now.clone(), true);
        let keymap = Keymap::new(&Default::default()).unwrap();
        let model = Model::new(vec!["test".into()], keymap, jiff::Timestamp::now());
        Poller { rx, now, model }
    }

    /// Wait for the next finished poll, feed it to the model and return its result.
    async fn next(&mut self) -> PollResult {
        loop {
            let msg = tokio::time::timeout(TIMEOUT, self.rx.recv())
                .await
                .expect("a poll finishes in time")
                .expect("the poller runs");
            let result = match &msg {
                Msg::Fetched { result, .. } => Some(result.clone()),
                _ => None,
            };
            self.model.update(msg);
            if let Some(r) = result {
                return r;
            }
        }
    }

    async fn poll_now(&mut self) -> PollResult {
        self.now.notify_one();
        self.next().await
    }
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(&Config::default().limits)
}

#[tokio::test]
async fn conditional_requests_and_changes_between_polls() {
    let doc = ConditionalFeed::new(feed(&[("b", "Second"), ("a", "First")]))
        .content_type("application/feed+json");
    let server = doc.start();
    let mut p = Poller::start(plan(server.url("/live.json")), fetcher());

    // First poll: everything is the starting point, nothing is new.
    let PollResult::Snapshot(s) = p.next().await else {
        panic!("first poll should give a snapshot")
    };
    assert_eq!(s.len(), 2);
    assert_eq!(p.model.store.len(), 2);
    assert_eq!(p.model.new_count(), 0);
    // A first document comes as it is; the screen folds it for the filter later.
    assert!(s.folded.iter().all(|f| f.is_unfolded()));
    assert!(p.model.has_unfolded());
    let first = &server.requests()[0];
    assert!(first.header("user-agent").unwrap().starts_with("livefeed/"));
    assert!(first.header("accept-encoding").unwrap().contains("gzip"));
    assert_eq!(first.header("if-none-match"), None);

    // Unchanged: the validators are echoed verbatim and the server says 304.
    assert_eq!(p.poll_now().await, PollResult::NotModified);
    let second = &server.requests()[1];
    assert_eq!(second.header("if-none-match"), Some(doc.etag().as_str()));
    assert_eq!(
        second.header("if-modified-since"),
        Some(doc.last_modified().as_str())
    );
    assert_eq!(p.model.sources[0].last, Some(LastResult::NotModified));

    // A new entry arrives: it is new, the old ones are not.
    let old_etag = doc.etag();
    doc.set_body(feed(&[("c", "Third"), ("b", "Second"), ("a", "First")]));
    let PollResult::Snapshot(s) = p.poll_now().await else {
        panic!("a changed body is parsed")
    };
    assert_eq!(s.len(), 3);
    assert_eq!(
        server.requests()[2].header("if-none-match"),
        Some(old_etag.as_str())
    );
    assert_eq!(p.model.store.len(), 3);
    assert_eq!(p.model.new_count(), 1);
    assert_eq!(
        p.model.sources[0].title.as_deref(),
        Some("Harbour storm live")
    );
    // A later document is folded by the poller, and compared with what was held (not
    // folded yet) by content: nothing was edited.
    assert!(s.folded.iter().all(|f| !f.is_unfolded()));
    assert!(p.model.store.iter().all(|e| e.edited_at().is_none()));
    p.model.update(Msg::Idle);
    assert!(!p.model.has_unfolded());
}

#[tokio::test]
async fn a_body_identical_to_the_last_is_not_parsed_again() {
    // No validators at all: the body hash is what tells "unchanged".
    let doc = ConditionalFeed::new(feed(&[("a", "First")]))
        .without_etag()
        .without_last_modified();
    let server = doc.start();
    let mut p = Poller::start(plan(server.url("/live.json")), fetcher());
    assert!(matches!(p.next().await, PollResult::Snapshot(_)));
    assert_eq!(p.poll_now().await, PollResult::Unchanged);
    assert_eq!(doc.full_responses(), 2);
}

#[tokio::test]
async fn failures_keep_everything_and_say_what_went_wrong() {
    let good = feed(&[("b", "Second"), ("a", "First")]);
    let server = TestServer::sequence(vec![
        Response::ok(good.clone()),
        Response::new(500).body("oops"),
        Response::ok("<html><body>Service unavailable</body></html>"),
        Response::ok(&good.as_bytes()[..good.len() / 2]),
        Response::new(503).header("Retry-After", "40"),
        Response::ok(good.clone()).gzip(),
    ]);
    let mut p = Poller::start(plan(server.url("/live.json")), fetcher());
    assert!(matches!(p.next().await, PollResult::Snapshot(_)));

    let PollResult::Failed(why) = p.poll_now().await else {
        panic!("500 is a failure")
    };
    assert_eq!(why, "HTTP 500");
    assert_eq!(
        p.model.sources[0].last,
        Some(LastResult::Error("HTTP 500".into()))
    );
    assert!(
        matches!(p.poll_now().await, PollResult::Failed(_)),
        "an HTML error page"
    );
    assert!(
        matches!(p.poll_now().await, PollResult::Failed(_)),
        "truncated JSON"
    );
    assert_eq!(p.model.store.len(), 2, "nothing held was lost");

    // 503 with Retry-After: the next poll waits for it, and "fetch now" cannot cut it short.
    let before = tokio::time::Instant::now();
    let PollResult::Failed(why) = p.poll_now().await else {
        panic!("503 is a failure")
    };
    assert_eq!(why, "HTTP 503");
    p.now.notify_one();
    let early = tokio::time::timeout(Duration::from_millis(300), p.rx.recv()).await;
    assert!(early.is_err(), "no request before Retry-After allows");
    assert_eq!(server.request_count(), 5);
    assert!(before.elapsed() < Duration::from_secs(40));
}

#[tokio::test]
async fn responses_larger_than_the_cap_are_refused() {
    let mut limits = Config::default().limits;
    limits.max_bytes = 64 * 1024;
    let small = HttpFetcher::new(&limits);
    // A gzip body of a few kilobytes that inflates to 8 MiB.
    let bomb = vec![b' '; 8 << 20];
    let server = TestServer::always(Response::ok(bomb).gzip());
    let mut plan = plan(server.url("/bomb.json"));
    plan.max_bytes = limits.max_bytes;
    let mut p = Poller::start(plan, small);
    let PollResult::Failed(why) = p.next().await else {
        panic!("the cap must stop it")
    };
    assert!(why.contains("larger than 65536 bytes"), "{why}");
}

#[tokio::test]
async fn a_page_linking_to_its_feed_is_followed() {
    let body = feed(&[("a", "First")]);
    let server = TestServer::start(move |req| {
        if req.path() == "/feed.json" {
            Response::ok(body.clone())
        } else {
            Response::ok(
                "<html><head><link rel=\"alternate\" type=\"application/feed+json\" \
                 href=\"/feed.json\"></head><body>Live</body></html>",
            )
        }
    });
    let mut p = Poller::start(plan(server.url("/live")), fetcher());
    let PollResult::Snapshot(s) = p.next().await else {
        panic!("the feed link is followed")
    };
    assert_eq!(s.len(), 1);
    assert_eq!(server.requests()[1].path(), "/feed.json");
}

#[tokio::test]
async fn an_unreachable_host_is_a_failure_not_a_hang() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/live.json", listener.local_addr().unwrap());
    drop(listener);
    let mut p = Poller::start(plan(url), fetcher());
    let PollResult::Failed(why) = p.next().await else {
        panic!("nothing listens there")
    };
    assert!(why.starts_with("cannot connect"), "{why}");
}

/// A big first document: its headlines reach the screen before the whole of it, and only
/// then; a later poll with the same entries changed sends no headlines again.
#[tokio::test]
async fn a_big_first_document_shows_its_headlines_first() {
    let n = livefeed::format::jsonfeed::PREVIEW_FROM;
    let big = |fresh: bool| {
        let start = jiff::Timestamp::from_second(1_780_000_000).unwrap();
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| (format!("e{i}"), i))
            .chain(fresh.then(|| ("fresh".to_string(), n)))
            .map(|(id, i)| {
                serde_json::json!({
                    "id": id,
                    "title": format!("Headline {id}"),
                    "content_html": format!("<p>Body of {id}.</p>"),
                    "date_published": (start + jiff::SignedDuration::from_secs(60 * i as i64)).to_string(),
                })
            })
            .collect();
        serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "items": items})
            .to_string()
    };
    let doc = ConditionalFeed::new(big(false)).content_type("application/feed+json");
    let server = doc.start();
    let mut p = Poller::start(plan(server.url("/live.json")), fetcher());
    let kinds: Vec<&str> = next_poll(&mut p)
        .await
        .iter()
        .filter_map(|msg| match msg {
            Msg::Preview { snapshot, .. } => {
                assert!(snapshot.partial);
                assert_eq!(snapshot.len(), n);
                assert!(snapshot.entries.is_empty(), "held off the screen's thread");
                assert_eq!(snapshot.folded.len(), n, "folded off the screen's thread");
                Some("preview")
            }
            Msg::Fetched { result, .. } => {
                assert!(matches!(result, PollResult::Snapshot(s) if !s.partial));
                Some("fetched")
            }
            _ => None,
        })
        .collect();
    assert_eq!(kinds, ["preview", "fetched"]);
    assert_eq!(p.model.store.len(), n);
    assert!(
        p.model
            .store
            .iter()
            .all(|s| !s.partial && !s.text().is_empty())
    );
    assert_eq!(p.model.new_count(), 0);

    // The next document, one entry more: merged as usual, no headlines first.
    doc.set_body(big(true));
    p.now.notify_one();
    let seen = next_poll(&mut p).await;
    assert!(
        !seen.iter().any(|m| matches!(m, Msg::Preview { .. })),
        "headlines only come first"
    );
    assert_eq!(p.model.new_count(), 1);
}

/// A JSON Feed of `n` entries (`e0` oldest, the newest first), its `version` first as feeds
/// write it, so that it is read while it arrives; `fresh` adds one newer entry on top.
fn streamed_feed(n: usize, fresh: bool) -> String {
    streamed_feed_as(n, fresh, true, true)
}

/// [`streamed_feed`], newest first or not, its items with authors or without.
fn streamed_feed_as(n: usize, fresh: bool, newest_first: bool, authors: bool) -> String {
    let start = jiff::Timestamp::from_second(1_780_000_000).unwrap();
    let mut items: Vec<String> = (0..n)
        .map(|i| (format!("e{i}"), i))
        .chain(fresh.then(|| ("fresh".to_string(), n)))
        .map(|(id, i)| {
            let mut item = serde_json::json!({
                "id": id,
                "title": format!("Headline {id}"),
                "content_html": format!("<p>Body of {id}. {}</p>", "Words of the body. ".repeat(20)),
                "date_published": (start + jiff::SignedDuration::from_secs(60 * i as i64)).to_string(),
            });
            if authors {
                item["authors"] = serde_json::json!([{"name": "Ana Ruiz"}]);
            }
            item.to_string()
        })
        .collect();
    if newest_first {
        items.reverse();
    }
    format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Big","items":[{}]}}"#,
        items.join(",")
    )
}

/// Every message of the next poll, each fed to the model, up to its `Fetched`.
async fn next_poll(p: &mut Poller) -> Vec<Msg> {
    let mut seen = Vec::new();
    loop {
        let msg = tokio::time::timeout(TIMEOUT, p.rx.recv())
            .await
            .expect("in time")
            .expect("the poller runs");
        let done = matches!(msg, Msg::Fetched { .. });
        seen.push(msg.clone());
        p.model.update(msg);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_big_first_document_shows_in_parts_while_it_is_read() {
    let n = 3000;
    let doc = ConditionalFeed::new(streamed_feed(n, false)).content_type("application/feed+json");
    let server = doc.start();
    let mut p = Poller::start(plan(server.url("/live.json")), fetcher());
    let seen = next_poll(&mut p).await;
    let mut sizes = Vec::new();
    for msg in &seen {
        match msg {
            Msg::Preview { snapshot: s, .. } => {
                assert!(s.more && !s.partial && !s.continues && !s.is_empty());
                assert!(s.entries.is_empty() && s.held.len() == s.folded.len());
                // The feed's title came before its items.
                assert_eq!(s.title.as_deref(), Some("Big"));
                if sizes.is_empty() {
                    // Estimated from the announced length: room made for all at once.
                    assert!((n * 3 / 4..=n * 5 / 4).contains(&s.expect), "{}", s.expect);
                } else {
                    assert_eq!(s.expect, 0);
                }
                sizes.push(s.len());
            }
            Msg::Fetched {
                result: PollResult::Snapshot(s),
                ..
            } => {
                assert!(s.continues && !s.more);
                sizes.push(s.len());
            }
            Msg::Fetching { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(sizes.len() >= 3, "parts, then the rest: {sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), n, "{sizes:?}");
    // Each part is about as big as all before it: few of them.
    assert!(sizes.len() <= 12, "{sizes:?}");

    let store = &p.model.store;
    let ids: Vec<String> = store.iter().map(|s| s.entry.id().to_string()).collect();
    let want: Vec<String> = (0..n).rev().map(|i| format!("e{i}")).collect();
    assert_eq!(ids, want, "newest first, as if read whole");
    assert!(store.iter().all(|s| s.text().starts_with("Body of e")));
    assert!(store.has_baseline(0));
    assert_eq!(p.model.new_count(), 0, "a first document is not new");

    // The next poll, one entry more: read whole, one new entry, nothing withdrawn.
    doc.set_body(streamed_feed(n, true));
    p.now.notify_one();
    let seen = next_poll(&mut p).await;
    assert!(!seen.iter().any(|m| matches!(m, Msg::Preview { .. })));
    assert_eq!(p.model.new_count(), 1);
    assert_eq!(p.model.store.len(), n + 1);
    assert!(p.model.store.iter().all(|s| !s.vanished));
}

/// An RSS 2.0 feed of `n` items (`e0` oldest), the newest first.
fn streamed_rss(n: usize) -> String {
    let start = jiff::Timestamp::from_second(1_780_000_000).unwrap();
    let items: String = (0..n)
        .rev()
        .map(|i| {
            let at = start + jiff::SignedDuration::from_secs(60 * i as i64);
            let date =
                jiff::fmt::rfc2822::to_string(&at.to_zoned(jiff::tz::TimeZone::UTC)).unwrap();
            format!(
                "<item><guid>e{i}</guid><title>Headline e{i}</title><pubDate>{date}</pubDate>\
                 <description>&lt;p&gt;Body of e{i}. {}&lt;/p&gt;</description></item>",
                "Words of the body. ".repeat(20)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>\
         <link>http://example.com/</link><description>d</description>{items}</channel></rss>"
    )
}

#[tokio::test]
async fn a_big_rss_feed_shows_in_parts_too() {
    let n = 6000;
    let doc = ConditionalFeed::new(streamed_rss(n)).content_type("application/rss+xml");
    let server = doc.start();
    let mut p = Poller::start(plan(server.url("/live.rss")), fetcher());
    let seen = next_poll(&mut p).await;
    let parts = seen
        .iter()
        .filter(|m| matches!(m, Msg::Preview { snapshot, .. } if snapshot.more))
        .count();
    assert!(parts >= 2, "{parts} parts");
    let store = &p.model.store;
    let ids: Vec<String> = store.iter().map(|s| s.entry.id().to_string()).collect();
    let want: Vec<String> = (0..n).rev().map(|i| format!("e{i}")).collect();
    assert_eq!(ids, want);
    assert!(store.iter().all(|s| s.text().starts_with("Body of e")));
    assert_eq!(p.model.new_count(), 0);
    assert_eq!(p.model.sources[0].title.as_deref(), Some("Big"));
}

#[tokio::test]
async fn a_feed_listed_oldest_first_or_without_authors_comes_whole() {
    // Oldest first, parts would put newer entries above the ones on screen; without
    // authors, the feed's authors might still come after the items.
    for (newest_first, authors) in [(false, true), (true, false)] {
        let body = streamed_feed_as(3000, false, newest_first, authors);
        let doc = ConditionalFeed::new(body).content_type("application/feed+json");
        let server = doc.start();
        let mut p = Poller::start(plan(server.url("/live.json")), fetcher());
        let seen = next_poll(&mut p).await;
        assert!(!seen.iter().any(|m| matches!(m, Msg::Preview { .. })));
        let store = &p.model.store;
        assert_eq!(store.len(), 3000);
        assert_eq!(store.at(0).unwrap().entry.id(), "e2999");
        assert_eq!(p.model.new_count(), 0);
    }
}

#[tokio::test]
async fn parts_stop_at_the_cap_on_entries() {
    let n = 3000;
    let doc = ConditionalFeed::new(streamed_feed(n, false)).content_type("application/feed+json");
    let server = doc.start();
    let mut capped = plan(server.url("/live.json"));
    capped.caps.entries = 1000;
    let mut p = Poller::start(capped, fetcher());
    let seen = next_poll(&mut p).await;
    let parts = seen
        .iter()
        .filter(|m| matches!(m, Msg::Preview { .. }))
        .count();
    assert!(parts >= 1);
    let Some(Msg::Fetched {
        result: PollResult::Snapshot(last),
        ..
    }) = seen.last()
    else {
        panic!("{:?}", seen.last());
    };
    assert_eq!(
        last.limited.as_deref(),
        Some("2000 entries beyond the limit of 1000 dropped")
    );
    let ids: Vec<String> = p
        .model
        .store
        .iter()
        .map(|s| s.entry.id().to_string())
        .collect();
    let want: Vec<String> = (n - 1000..n).rev().map(|i| format!("e{i}")).collect();
    assert_eq!(ids, want, "the first 1,000 of the document");
}

/// A page holding a big JSON-LD live blog, read while it arrives, then again once a new
/// update is added on top and another is edited: one new entry, one edit, nothing lost.
#[tokio::test]
async fn a_big_live_blog_page_changes_between_polls() {
    let page = |fresh: bool, edited: bool| {
        let updates: Vec<serde_json::Value> = (0..2_000)
            .rev()
            // Fragments that do not count from the top (those would be positions, not ids).
            .map(|i| (format!("u{}", 5_000 + i), i))
            .chain(fresh.then(|| ("fresh".to_string(), 2_000)))
            .rev()
            .map(|(id, i)| {
                let body = if edited && i == 10 {
                    "<p>Corrected.</p>".to_string()
                } else {
                    format!("<p>Body of {id}, {}</p>", "words ".repeat(20))
                };
                serde_json::json!({
                    "@type": "BlogPosting",
                    "url": format!("https://news.test/live#{id}"),
                    "headline": format!("Update {id}"),
                    "datePublished": jiff::Timestamp::from_second(1_780_000_000 + 60 * i).unwrap().to_string(),
                    "articleBody": body,
                })
            })
            .collect();
        let blog = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "LiveBlogPosting",
            "headline": "Storm live",
            "url": "https://news.test/live",
            "liveBlogUpdate": updates,
        });
        format!(
            "<!DOCTYPE html><html><head><title>Storm</title>\
             <script type=\"application/ld+json\">{blog}</script></head>\
             <body><h1>Storm live</h1></body></html>"
        )
    };
    let doc = ConditionalFeed::new(page(false, false)).content_type("text/html; charset=utf-8");
    let server = doc.start();
    let mut p = Poller::start(plan(server.url("/live")), fetcher());
    let PollResult::Snapshot(s) = p.next().await else {
        panic!("the page gives a snapshot")
    };
    assert_eq!((s.len(), s.format), (2_000, "json-ld"));
    assert_eq!(p.model.store.len(), 2_000);
    assert_eq!(p.model.new_count(), 0);
    assert_eq!(p.model.sources[0].title.as_deref(), Some("Storm live"));

    doc.set_body(page(true, true));
    let PollResult::Snapshot(s) = p.poll_now().await else {
        panic!("a changed page is read")
    };
    assert_eq!(s.len(), 2_001);
    assert_eq!(p.model.store.len(), 2_001);
    assert_eq!(p.model.new_count(), 1);
    let edited = p
        .model
        .store
        .iter()
        .find(|s| s.entry.id() == "#u5010")
        .expect("the edited update is held");
    assert_eq!(edited.text(), "Corrected.");
    assert_eq!(edited.previous().len(), 1);
}
