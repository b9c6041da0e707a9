//! Checks that the test support itself works: the HTTP test server and the pty driver.
//! A plain `TcpStream` plays the client so these tests depend on nothing in the crate.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use support::{ConditionalFeed, Pty, Response, TIMEOUT, TestServer};

/// What a raw client saw: status code, headers (lower-cased names) and the body bytes it got
/// before the server closed.
struct Seen {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn get(server: &TestServer, target: &str, headers: &[(&str, &str)]) -> Seen {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut req = format!("GET {target} HTTP/1.1\r\nHost: {}\r\n", server.addr());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

fn parse(raw: &[u8]) -> Seen {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    Seen {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

#[test]
fn sequence_serves_in_order_then_repeats_the_last() {
    let server = TestServer::sequence(vec![
        Response::ok("first"),
        Response::new(503).header("Retry-After", "7"),
        Response::ok("last"),
    ]);
    let a = get(&server, "/f", &[]);
    let b = get(&server, "/f", &[]);
    let c = get(&server, "/f", &[]);
    let d = get(&server, "/f", &[]);
    assert_eq!((a.status, a.body.as_slice()), (200, &b"first"[..]));
    assert_eq!(b.status, 503);
    assert_eq!(b.header("retry-after"), Some("7"));
    assert_eq!(c.body, b"last");
    assert_eq!(d.body, b"last");
    assert_eq!(a.header("content-length"), Some("5"));
    assert_eq!(a.header("connection"), Some("close"));
}

#[test]
fn request_log_keeps_method_target_and_headers() {
    let server = TestServer::start(|req| Response::ok(format!("#{}", req.index)));
    assert!(server.url("feed.xml").ends_with("/feed.xml"));
    assert!(server.url("/feed.xml").starts_with("http://127.0.0.1:"));
    let first = get(
        &server,
        "/live?page=2",
        &[("User-Agent", "livefeed/0.1"), ("accept-encoding", "gzip")],
    );
    get(&server, "/other", &[]);
    assert_eq!(first.body, b"#0");
    assert!(server.wait_for_requests(2, TIMEOUT));
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].target, "/live?page=2");
    assert_eq!(log[0].path(), "/live");
    assert_eq!(log[0].query(), Some("page=2"));
    assert_eq!(log[0].header("user-agent"), Some("livefeed/0.1"));
    assert_eq!(log[0].header("Accept-Encoding"), Some("gzip"));
    assert_eq!(log[1].index, 1);
    assert!(!log[1].has_header("if-none-match"));
    assert_eq!(server.last_request().unwrap().path(), "/other");
}

#[test]
fn wait_for_requests_gives_up_at_the_deadline() {
    let server = TestServer::always(Response::ok(""));
    assert!(!server.wait_for_requests(1, Duration::from_millis(20)));
}

#[test]
fn conditional_feed_answers_304_until_the_body_changes() {
    let feed = ConditionalFeed::new("<rss>one</rss>");
    let server = feed.start();
    let first = get(&server, "/", &[]);
    assert_eq!(first.status, 200);
    assert_eq!(first.body, b"<rss>one</rss>");
    let etag = first.header("etag").unwrap().to_string();
    assert_eq!(etag, feed.etag());
    assert_eq!(
        first.header("last-modified"),
        Some(feed.last_modified().as_str())
    );

    let again = get(&server, "/", &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    feed.set_body("<rss>two</rss>");
    let changed = get(&server, "/", &[("If-None-Match", &etag)]);
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body, b"<rss>two</rss>");
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    assert_eq!(
        (feed.full_responses(), feed.not_modified_responses()),
        (2, 1)
    );
    assert_eq!(
        server.requests()[1].header("if-none-match"),
        Some(etag.as_str())
    );
}

#[test]
fn conditional_feed_honours_if_modified_since() {
    let feed = ConditionalFeed::new("x").without_etag();
    let server = feed.start();
    let first = get(&server, "/", &[]);
    assert_eq!(first.header("etag"), None);
    let lm = first.header("last-modified").unwrap().to_string();
    assert!(lm.ends_with(" GMT"), "{lm}");
    assert_eq!(get(&server, "/", &[("If-Modified-Since", &lm)]).status, 304);
    feed.set_body("y");
    assert_eq!(get(&server, "/", &[("If-Modified-Since", &lm)]).status, 200);
}

#[test]
fn gzip_body_decodes_to_the_original() {
    let server = TestServer::always(Response::ok("hello hello hello").gzip());
    let seen = get(&server, "/", &[("Accept-Encoding", "gzip")]);
    assert_eq!(seen.header("content-encoding"), Some("gzip"));
    let mut plain = String::new();
    flate2::read::GzDecoder::new(seen.body.as_slice())
        .read_to_string(&mut plain)
        .unwrap();
    assert_eq!(plain, "hello hello hello");
}

#[test]
fn truncated_body_closes_before_its_content_length() {
    let server = TestServer::always(Response::ok("0123456789").truncated(4));
    let seen = get(&server, "/", &[]);
    assert_eq!(seen.header("content-length"), Some("10"));
    assert_eq!(seen.body, b"0123");
}

#[test]
fn delay_and_trickle_slow_the_response() {
    let server = TestServer::sequence(vec![
        Response::ok("late").delay_ms(60),
        Response::ok("abc").trickle_ms(20),
    ]);
    let start = Instant::now();
    assert_eq!(get(&server, "/", &[]).body, b"late");
    assert!(start.elapsed() >= Duration::from_millis(60));
    let start = Instant::now();
    assert_eq!(get(&server, "/", &[]).body, b"abc");
    assert!(start.elapsed() >= Duration::from_millis(60));
}

#[test]
fn endless_body_keeps_coming_until_the_client_leaves() {
    let server = TestServer::always(Response::ok("<item/>").endless());
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut got = vec![0u8; 200_000];
    stream.read_exact(&mut got).unwrap();
    let text = String::from_utf8_lossy(&got);
    assert!(!text.to_ascii_lowercase().contains("content-length"));
    assert!(text.contains("<item/><item/>"));
    drop(stream);
    // Dropping the server must not hang on the streaming thread.
    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn drop_interrupts_a_delayed_response() {
    let server = TestServer::always(Response::ok("never").delay_ms(60_000));
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert!(server.wait_for_requests(1, TIMEOUT));
    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < Duration::from_secs(2));
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(rest.is_empty());
}

fn shell(cols: u16, rows: u16) -> Pty {
    let pty = Pty::spawn(
        Path::new("/bin/sh"),
        &[],
        &[("PS1", "$ "), ("ENV", "")],
        cols,
        rows,
    );
    pty.wait_for_text("$", TIMEOUT).unwrap();
    pty
}

#[test]
fn pty_shows_what_the_shell_prints() {
    let pty = shell(80, 24);
    pty.send("printf '%s-%s\\n' hello world\r");
    pty.wait_for_text("hello-world", TIMEOUT).unwrap();
    assert!(pty.screen_text().lines().any(|l| l == "hello-world"));
    let row = (0..24).find(|&r| pty.row(r) == "hello-world");
    assert!(row.is_some(), "{}", pty.screen_text());
    assert!(pty.is_alive());
}

#[test]
fn pty_resize_reaches_the_child() {
    let pty = shell(80, 24);
    pty.send("stty size\r");
    pty.wait_for_text("24 80", TIMEOUT).unwrap();
    pty.resize(100, 40);
    assert_eq!(pty.screen().size(), (40, 100));
    pty.send("stty size\r");
    pty.wait_for_text("40 100", TIMEOUT).unwrap();
}

#[test]
fn pty_ctrl_d_exits_the_shell() {
    let pty = shell(80, 24);
    pty.ctrl('d');
    let status = pty.wait_exit(TIMEOUT).expect("shell exits");
    assert!(status.success(), "{status}");
    assert!(!pty.is_alive());
}

#[test]
fn pty_keeps_raw_bytes_styles_and_clipboard() {
    let pty = shell(80, 24);
    pty.send("printf '\\033[?1049h\\033[1mB\\033[0m\\033]52;c;aGVsbG8=\\007\\n'\r");
    pty.wait_for(|s| s.alternate_screen(), TIMEOUT).unwrap();
    pty.wait_for_raw(b"\x1b]52;c;", TIMEOUT).unwrap();
    assert!(pty.raw_contains(b"\x1b[?1049h"));
    assert!(pty.with_screen(|s| s.cell(0, 0).unwrap().bold()));
    assert_eq!(pty.clipboard(), vec![("c".to_string(), b"hello".to_vec())]);
    pty.send("printf '\\033[?1049l'\r");
    pty.wait_for(|s| !s.alternate_screen(), TIMEOUT).unwrap();
    let raw = pty.raw_output();
    assert!(raw.windows(8).any(|w| w == b"\x1b[?1049l"));
}

#[test]
fn pty_answers_a_cursor_position_query() {
    let pty = Pty::spawn(
        Path::new("/bin/sh"),
        &[
            "-c",
            "stty -echo -icanon; printf '\\033[6n'; head -c 6 | od -An -c",
        ],
        &[],
        80,
        24,
    );
    pty.wait_for_text("R", TIMEOUT).unwrap();
    let text = pty.screen_text();
    assert!(text.contains("033") && text.contains('1'), "{text}");
    assert!(pty.wait_exit(TIMEOUT).is_some());
}

#[test]
fn pty_signal_and_hangup_end_the_child() {
    let cat = Pty::spawn(Path::new("/bin/cat"), &[], &[], 80, 24);
    cat.signal(libc::SIGTERM);
    let status = cat.wait_exit(TIMEOUT).expect("cat exits on SIGTERM");
    assert!(status.signal().is_some(), "{status}");

    let mut sh = shell(80, 24);
    sh.close_master();
    assert!(sh.wait_exit(TIMEOUT).is_some(), "shell survived a hangup");
}

#[test]
fn pty_drop_kills_and_reaps_the_child() {
    let cat = Pty::spawn(Path::new("/bin/cat"), &[], &[], 80, 24);
    let pid = cat.pid().unwrap() as libc::pid_t;
    drop(cat);
    // SAFETY: signal 0 only checks that the pid exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!alive);
}

/// The real HTTP client must get along with the server: gzip decoding, validators, and a
/// truncated body reported as an error rather than accepted.
#[tokio::test]
async fn reqwest_gets_along_with_the_server() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = TestServer::sequence(vec![
        Response::ok("zipped text").gzip(),
        Response::not_modified(),
        Response::ok("0123456789").truncated(3),
    ]);
    let client = reqwest::Client::new();

    let first = client.get(server.url("/a")).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.text().await.unwrap(), "zipped text");
    let req = server.last_request().unwrap();
    assert!(req.header("accept-encoding").unwrap().contains("gzip"));

    let second = client
        .get(server.url("/a"))
        .header("If-None-Match", "\"v1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 304);
    assert_eq!(server.requests()[1].header("if-none-match"), Some("\"v1\""));

    let third = client.get(server.url("/a")).send().await.unwrap();
    assert!(third.bytes().await.is_err());
}

#[test]
fn isolated_env_points_home_into_the_given_dir() {
    let dir = tempfile::tempdir().unwrap();
    let env = support::isolated_env(dir.path());
    let pty = Pty::spawn(
        Path::new("/bin/sh"),
        &["-c", "printf '[%s]\\n' \"$XDG_CONFIG_HOME\""],
        &support::env_refs(&env),
        200,
        5,
    );
    let want = format!("[{}/config]", dir.path().display());
    pty.wait_for_text(&want, TIMEOUT).unwrap();
    assert!(support::livefeed_bin().ends_with("livefeed"));
}
