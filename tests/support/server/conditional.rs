//! A document with validators that answers conditional requests with 304, for testing
//! conditional GET and change detection between polls.

use std::sync::{Arc, Mutex};

use super::{Request, Response, TestServer, lock};

struct FeedState {
    body: Vec<u8>,
    version: u64,
    content_type: String,
    send_etag: bool,
    send_last_modified: bool,
    full: usize,
    not_modified: usize,
}

/// A document served with validators that answers conditional requests with 304.
///
/// The ETag is `"v1"`, `"v2"`, ... and Last-Modified starts at 2026-01-01 00:00:00 GMT and
/// moves one minute per version; both change on [`ConditionalFeed::set_body`]. A request's
/// If-None-Match wins over If-Modified-Since (RFC 9110). Clones share state, so keep one
/// handle in the test and give another to the server.
#[derive(Clone)]
pub struct ConditionalFeed {
    state: Arc<Mutex<FeedState>>,
}

impl ConditionalFeed {
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        ConditionalFeed {
            state: Arc::new(Mutex::new(FeedState {
                body: body.into(),
                version: 1,
                content_type: "application/rss+xml".to_string(),
                send_etag: true,
                send_last_modified: true,
                full: 0,
                not_modified: 0,
            })),
        }
    }

    pub fn content_type(self, content_type: &str) -> Self {
        lock(&self.state).content_type = content_type.to_string();
        self
    }

    /// Do not send (or honour) an ETag.
    pub fn without_etag(self) -> Self {
        lock(&self.state).send_etag = false;
        self
    }

    /// Do not send (or honour) Last-Modified.
    pub fn without_last_modified(self) -> Self {
        lock(&self.state).send_last_modified = false;
        self
    }

    /// Starts a server answering every path with this feed.
    pub fn start(&self) -> TestServer {
        let feed = self.clone();
        TestServer::start(move |req| feed.respond(req))
    }

    /// Replaces the document; the validators change with it.
    pub fn set_body(&self, body: impl Into<Vec<u8>>) {
        let mut s = lock(&self.state);
        s.body = body.into();
        s.version += 1;
    }

    /// The current ETag, quotes included.
    pub fn etag(&self) -> String {
        etag_of(lock(&self.state).version)
    }

    /// The current Last-Modified as an HTTP date.
    pub fn last_modified(&self) -> String {
        http_date(modified_at(lock(&self.state).version))
    }

    /// How many 200 responses were sent.
    pub fn full_responses(&self) -> usize {
        lock(&self.state).full
    }

    /// How many 304 responses were sent.
    pub fn not_modified_responses(&self) -> usize {
        lock(&self.state).not_modified
    }

    /// The answer to `req`; usable from a custom handler too.
    pub fn respond(&self, req: &Request) -> Response {
        let mut s = lock(&self.state);
        let etag = etag_of(s.version);
        let modified = modified_at(s.version);
        let fresh = match req.header("if-none-match") {
            Some(inm) => s.send_etag && etag_matches(inm, &etag),
            None => {
                s.send_last_modified
                    && req
                        .header("if-modified-since")
                        .and_then(parse_http_date)
                        .is_some_and(|since| modified <= since)
            }
        };
        let mut resp = if fresh {
            s.not_modified += 1;
            Response::not_modified()
        } else {
            s.full += 1;
            Response::ok(s.body.clone()).header("Content-Type", &s.content_type)
        };
        if s.send_etag {
            resp = resp.header("ETag", &etag);
        }
        if s.send_last_modified {
            resp = resp.header("Last-Modified", &http_date(modified));
        }
        resp
    }
}

fn etag_of(version: u64) -> String {
    format!("\"v{version}\"")
}

/// Weak comparison, as If-None-Match requires: `W/` prefixes are ignored, `*` matches.
fn etag_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.trim_start_matches("W/") == etag.trim_start_matches("W/")
    })
}

fn modified_at(version: u64) -> jiff::Timestamp {
    // 2026-01-01T00:00:00Z
    let base = 1_767_225_600i64;
    jiff::Timestamp::from_second(base + version as i64 * 60).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// Formats a time as an HTTP date (`Thu, 01 Jan 2026 00:01:00 GMT`).
pub fn http_date(t: jiff::Timestamp) -> String {
    jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&t)
        .unwrap_or_default()
}

fn parse_http_date(s: &str) -> Option<jiff::Timestamp> {
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(s)
        .ok()
}
