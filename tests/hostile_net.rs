//! Hostile servers: what a misbehaving or malicious server can send, through the same fetch
//! and parse path the poller uses (`poll::fetch_and_parse`), with small limits so every
//! case ends in well under the test's patience.
//!
//! Each case must end in a clean `PollResult` (a parsed snapshot or a `Failed` with a
//! reason), never a panic, a stack overflow, a hang or a huge allocation.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use livefeed::config::{Config, Limits};
use livefeed::model::PollResult;
use livefeed::poll::{self, Plan};
use livefeed::source::{HttpFetcher, Location, Validators};
use support::{Response, TestServer};

const MIB: u64 = 1024 * 1024;

fn limits() -> Limits {
    Limits {
        max_bytes: MIB,
        connect_timeout: 2,
        read_timeout: 5,
        total_timeout: 2,
        ..Config::default().limits
    }
}

fn plan(url: String, limits: &Limits) -> Plan {
    Plan {
        index: 0,
        location: Location::Http(url),
        interval: Duration::from_secs(3600),
        headers: Default::default(),
        max_bytes: limits.max_bytes,
        caps: Default::default(),
        mapping: None,
    }
}

/// One fetch and parse of `url`, timed.
async fn fetch_with(url: String, limits: &Limits) -> (PollResult, Duration) {
    let fetcher = HttpFetcher::new(limits);
    let start = Instant::now();
    let (result, _, _) = poll::fetch_and_parse(
        &plan(url, limits),
        &fetcher,
        &mut Validators::default(),
        &mut None,
        None,
    )
    .await;
    (result, start.elapsed())
}

async fn fetch(url: String) -> (PollResult, Duration) {
    fetch_with(url, &limits()).await
}

fn failed(r: &PollResult) -> &str {
    match r {
        PollResult::Failed(why) => why,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn feed() -> String {
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour storm live",
        "items": [{"id": "a", "title": "Storm warning", "content_html": "<p>Body.</p>",
                   "date_published": "2026-03-01T12:00:00Z"}],
    })
    .to_string()
}

/// The process's peak resident memory (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Deflate blocks that inflate to `MIB` bytes of spaces each and can follow one another
/// (and a first such block) any number of times: they end on a byte boundary (sync flush)
/// and only look back into spaces. Returns (gzip header + first block, repeatable block).
fn bomb_parts() -> (Vec<u8>, Vec<u8>) {
    use flate2::{Compress, Compression, FlushCompress};
    let spaces = vec![b' '; MIB as usize];
    let mut z = Compress::new(Compression::best(), false);
    let block = |z: &mut Compress| {
        let mut out = Vec::with_capacity(64 * 1024);
        z.compress_vec(&spaces, &mut out, FlushCompress::Sync)
            .unwrap();
        assert_eq!(z.total_in() % MIB, 0, "all input taken");
        out
    };
    let mut head = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    head.extend(block(&mut z));
    let chunk = block(&mut z);
    (head, chunk)
}

#[tokio::test]
async fn an_endless_gzip_bomb_stops_at_the_cap_without_inflating_it() {
    let (head, chunk) = bomb_parts();
    // Compressed 1024:1 (the most deflate can do): the gzip on the wire is small, what it
    // inflates to is not.
    assert!(
        chunk.len() < 2048,
        "one MiB inflates from {} bytes",
        chunk.len()
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(AtomicU64::new(0));
    let sent_by_server = Arc::clone(&sent);
    // The server streams the bomb until the client hangs up: it is endless, and only the
    // client's cap can end it. It never holds more than one block in memory.
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 2 {
            line.clear();
        }
        let mut out = stream;
        let head_line = "HTTP/1.1 200 OK\r\nContent-Type: application/feed+json\r\n\
                         Content-Encoding: gzip\r\nConnection: close\r\n\r\n";
        out.write_all(head_line.as_bytes()).unwrap();
        out.write_all(&head).unwrap();
        let mut inflated = MIB;
        // 1 TiB of spaces at most, should the client never stop.
        while inflated < 1024 * 1024 * MIB {
            if out.write_all(&chunk).is_err() {
                return inflated;
            }
            inflated += MIB;
            sent_by_server.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        inflated
    });
    let before = peak_rss();
    let (result, took) = fetch(format!("http://{addr}/bomb.json")).await;
    let why = failed(&result);
    assert!(why.contains("larger than 1048576"), "{why}");
    // Join off the runtime: the client's connection closes on a task of this runtime.
    let offered = tokio::task::spawn_blocking(move || server.join().unwrap())
        .await
        .unwrap();
    let wire = sent.load(Ordering::Relaxed);
    let grew = peak_rss().saturating_sub(before);
    eprintln!(
        "gzip bomb: stopped after {took:?}; server wrote {wire} gzip bytes (= {} MiB inflated, \
         most of it never read) before the client hung up; peak memory grew {} KiB",
        offered / MIB,
        grew / 1024
    );
    // The client read at most the cap; its memory never came near what was offered.
    assert!(grew < 64 * MIB, "peak memory grew by {grew} bytes");
    assert!(took < Duration::from_secs(10));
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let server = TestServer::always(Response::ok("[".repeat(64 * 1024)).endless());
    let (result, took) = fetch(server.url("/endless")).await;
    assert!(failed(&result).contains("larger than"), "{result:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

/// A first document is read while it arrives, so a feed that breaks early is dropped there:
/// the rest of an endless body is never downloaded.
#[tokio::test]
async fn a_broken_feed_stops_the_download_where_it_breaks() {
    let broken = r#"{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1"}}"#;
    let server = TestServer::always(Response::ok(broken).endless());
    let (result, took) = fetch(server.url("/broken")).await;
    let why = failed(&result);
    assert!(why.contains("broken JSON"), "{why}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn one_byte_per_second_is_ended_by_the_total_deadline() {
    let server = TestServer::always(Response::ok(feed()).trickle_ms(1000));
    let (result, took) = fetch(server.url("/slow")).await;
    assert_eq!(failed(&result), "timeout");
    // total_timeout is 2 s; each byte comes well within the 5 s read timeout, so only the
    // total deadline can have ended it.
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(4),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_slow_header_is_ended_by_the_total_deadline() {
    let server = TestServer::always(Response::ok(feed()).delay_ms(4000));
    let (result, took) = fetch(server.url("/late")).await;
    assert_eq!(failed(&result), "timeout");
    assert!(took < Duration::from_secs(4), "{took:?}");
}

#[tokio::test]
async fn a_redirect_loop_is_refused_after_five() {
    let server = TestServer::start(|req| {
        Response::new(302).header("Location", &format!("/loop{}", req.index + 1))
    });
    let (result, _) = fetch(server.url("/loop0")).await;
    assert_eq!(failed(&result), "more than 5 redirects");
    // The first request and five redirects followed; the sixth is refused unsent.
    assert_eq!(server.request_count(), 6);
}

#[tokio::test]
async fn five_redirects_are_followed() {
    let body = feed();
    let server = TestServer::start(move |req| {
        if req.index < 5 {
            Response::new(301).header("Location", &format!("/hop{}", req.index + 1))
        } else {
            Response::ok(body.clone())
        }
    });
    let (result, _) = fetch(server.url("/hop0")).await;
    assert!(matches!(result, PollResult::Snapshot(_)), "{result:?}");
}

#[tokio::test]
async fn redirects_to_other_schemes_are_refused_with_the_reason() {
    for (target, reason) in [
        ("file:///etc/passwd", "redirect to a file: URL refused"),
        (
            "ftp://127.0.0.1/feed.json",
            "redirect to a ftp: URL refused",
        ),
        (
            "FTP://127.0.0.1/feed.json",
            "redirect to a ftp: URL refused",
        ),
        (
            "javascript:alert(1)",
            "redirect to a javascript: URL refused",
        ),
        (
            "data:application/json,{}",
            "redirect to a data: URL refused",
        ),
        ("http://[::1", "redirect to an invalid URL refused"),
    ] {
        for status in [301, 302, 303, 307, 308] {
            let server = TestServer::always(Response::new(status).header("Location", target));
            let (result, _) = fetch(server.url("/away")).await;
            // Whether the client refused it through the redirect rule or handed the 3xx
            // back, the user reads the reason, never a bare "HTTP 302".
            assert_eq!(failed(&result), reason, "{status} to {target}");
            assert_eq!(server.request_count(), 1, "{status} to {target}");
        }
    }
}

#[tokio::test]
async fn a_redirect_to_a_file_after_a_followed_one_is_refused_with_the_reason() {
    for (target, reason) in [
        ("file:///etc/passwd", "redirect to a file: URL refused"),
        (
            "ftp://127.0.0.1/feed.json",
            "redirect to a ftp: URL refused",
        ),
    ] {
        let server = TestServer::start(move |req| match req.index {
            0 => Response::new(302).header("Location", "/next"),
            _ => Response::new(302).header("Location", target),
        });
        let (result, _) = fetch(server.url("/first")).await;
        assert_eq!(failed(&result), reason, "{target}");
        assert_eq!(server.request_count(), 2, "{target}");
    }
}

#[tokio::test]
async fn a_redirect_refusal_reaches_the_status_line() {
    let server = TestServer::always(Response::new(302).header("Location", "file:///etc/passwd"));
    let fetcher = HttpFetcher::new(&limits());
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let plan = plan(server.url("/away"), &limits());
    let task = poll::spawn(
        plan,
        fetcher,
        tx,
        Arc::new(tokio::sync::Notify::new()),
        true,
    );
    let keymap = livefeed::keymap::Keymap::new(&Default::default()).unwrap();
    let mut model = livefeed::model::Model::new(vec!["s".into()], keymap, jiff::Timestamp::now());
    while let Some(msg) = rx.recv().await {
        let done = matches!(msg, livefeed::model::Msg::Fetched { .. });
        model.update(msg);
        if done {
            break;
        }
    }
    task.abort();
    let backend = ratatui::backend::TestBackend::new(100, 10);
    let mut term = ratatui::Terminal::new(backend).unwrap();
    model.update(livefeed::model::Msg::Resize(100, 10));
    let theme = livefeed::theme::Theme::default();
    term.draw(|f| livefeed::ui::draw(f, &model, &theme))
        .unwrap();
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("redirect to a file: URL refused"),
        "{screen}"
    );
    assert!(!screen.contains("HTTP 302"), "{screen}");
}

#[tokio::test]
async fn an_html_error_page_with_status_200_is_a_clean_failure() {
    let page = "<!doctype html><html><head><title>502 Bad Gateway</title></head>\
                <body><h1>Bad Gateway</h1><p>\u{1b}]0;pwned\u{7}upstream down</p></body></html>";
    let server =
        TestServer::always(Response::ok(page).header("Content-Type", "text/html; charset=utf-8"));
    let (result, _) = fetch(server.url("/live")).await;
    let why = failed(&result);
    assert!(!why.chars().any(livefeed::text::is_forbidden), "{why:?}");
}

#[tokio::test]
async fn a_body_cut_short_is_a_clean_failure() {
    let body = feed();
    let server = TestServer::always(Response::ok(body.clone()).truncated(body.len() / 2));
    let (result, _) = fetch(server.url("/cut")).await;
    failed(&result);
}

#[tokio::test]
async fn truncated_json_is_a_clean_failure() {
    let body = feed();
    for cut in [1, 10, body.len() / 2, body.len() - 1] {
        let server = TestServer::always(Response::ok(body[..cut].to_string()));
        let (result, _) = fetch(server.url("/half.json")).await;
        failed(&result);
    }
}

/// Deeply nested documents: the result is whatever it is, as long as it is a result.
async fn survives(doc: String, what: &str) -> PollResult {
    let server = TestServer::always(Response::ok(doc));
    let lim = Limits {
        max_bytes: 8 * MIB,
        total_timeout: 30,
        read_timeout: 30,
        ..limits()
    };
    let (result, took) = fetch_with(server.url("/deep"), &lim).await;
    eprintln!("{what}: {took:?}");
    assert!(took < Duration::from_secs(20), "{what}: {took:?}");
    result
}

#[tokio::test]
async fn deeply_nested_json_does_not_overflow_the_stack() {
    let n = 100_000;
    let arrays = "[".repeat(n);
    failed(&survives(arrays.clone(), "100,000 [").await);
    let closed = format!("{}{}", "[".repeat(n), "]".repeat(n));
    failed(&survives(closed, "100,000 [ ]").await);
    let objects = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    failed(&survives(objects, "100,000 {\"a\":").await);
    // In a JSON Feed item and in a JSON-LD block (which goes through the lenient parser).
    let item = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{{"id":"a","content_html":"x","extra":{arrays}}}]}}"#
    );
    failed(&survives(item, "JSON Feed item with 100,000 [").await);
    let page = format!(
        r#"<html><head><script type="application/ld+json">{{"@type":"LiveBlogPosting","liveBlogUpdate":{arrays}</script></head><body></body></html>"#
    );
    failed(&survives(page, "JSON-LD with 100,000 [").await);
}

#[tokio::test]
async fn deeply_nested_html_does_not_overflow_the_stack() {
    let n = 100_000;
    let divs = format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n));
    // A page of nothing but nesting: no live blog in it.
    let page = format!("<!doctype html><html><body>{divs}</body></html>");
    failed(&survives(page, "page with 100,000 <div>").await);
    // Nesting inside an entry body: the entry is kept, the nested text is dropped.
    let item = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "a", "title": "Deep", "content_html": format!("<p>top</p>{divs}")}],
    })
    .to_string();
    match survives(item, "JSON Feed body with 100,000 <div>").await {
        PollResult::Snapshot(s) => assert_eq!(s.entry(0).unwrap().title, "Deep"),
        other => panic!("{other:?}"),
    }
    let quotes = format!("{}q", "<blockquote>".repeat(n));
    let item = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "a", "title": "Quotes", "content_html": quotes}],
    })
    .to_string();
    let _ = survives(item, "JSON Feed body with 100,000 unclosed <blockquote>").await;
}
