//! A tiny HTTP/1.1 server on 127.0.0.1 for integration tests.
//!
//! Why our own: the fetch code must be tested against misbehaving servers (slow, truncated,
//! endless, trickling bodies) and against conditional GET, and a handful of std threads does
//! that without pulling a web framework into the dev-dependencies. It runs on plain threads,
//! so sync and async tests can both use it. Every connection gets one response and is closed
//! (`Connection: close`); there is no keep-alive to reason about.
//!
//! Tests never sleep to synchronise: `wait_for_requests` blocks on a condvar, and dropping
//! the server stops every thread it started (open connections are shut down first).

use std::io::{BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

mod conditional;
mod wire;

pub use conditional::{ConditionalFeed, http_date};
use wire::{read_request, write_response};

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Request {
    /// 0 for the first request this server received, then 1, 2, ...
    pub index: usize,
    pub method: String,
    /// Path and query, exactly as sent (`/feed.xml?page=2`).
    pub target: String,
    pub version: String,
    /// Header names as sent; use [`Request::header`] for a case-insensitive lookup.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header, looked up case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in the order sent.
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn has_header(&self, name: &str) -> bool {
        self.header(name).is_some()
    }

    /// The target without its query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query string without the `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
}

/// How the body goes on the wire.
#[derive(Clone, Debug)]
enum BodyMode {
    Whole,
    /// One byte at a time, with this pause before each byte.
    Trickle(Duration),
    /// The body repeated until the client goes away; no Content-Length.
    Endless,
    /// Content-Length of the whole body, but only this many bytes are sent before closing.
    Truncated(usize),
}

/// A response to send; build it with the chained methods.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    delay: Duration,
    mode: BodyMode,
}

impl Response {
    /// An empty response with this status.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            mode: BodyMode::Whole,
        }
    }

    /// 200 with this body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Response::new(200).body(body)
    }

    /// 304 with no body.
    pub fn not_modified() -> Self {
        Response::new(304)
    }

    pub fn status(mut self, code: u16) -> Self {
        self.status = code;
        self
    }

    /// Adds a header (replacing nothing: call twice for two values).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Compresses the current body with gzip and sets `Content-Encoding: gzip`.
    pub fn gzip(mut self) -> Self {
        self.body = gzip_bytes(&self.body);
        self.header("Content-Encoding", "gzip")
    }

    /// Waits this long after reading the request, before sending the status line.
    pub fn delay_ms(mut self, ms: u64) -> Self {
        self.delay = Duration::from_millis(ms);
        self
    }

    /// Sends the body one byte at a time, pausing `ms` before each byte.
    pub fn trickle_ms(mut self, ms: u64) -> Self {
        self.mode = BodyMode::Trickle(Duration::from_millis(ms));
        self
    }

    /// Sends the body again and again until the client disconnects (no Content-Length).
    /// An empty body is sent as an endless run of `x`.
    pub fn endless(mut self) -> Self {
        self.mode = BodyMode::Endless;
        self
    }

    /// Declares the whole body in Content-Length but sends only the first `sent` bytes,
    /// then closes the connection.
    pub fn truncated(mut self, sent: usize) -> Self {
        self.mode = BodyMode::Truncated(sent);
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    }
}

/// Gzip-compresses bytes (for building fixtures by hand).
pub fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip into a Vec cannot fail");
    enc.finish().expect("gzip into a Vec cannot fail")
}

type Handler = Box<dyn FnMut(&Request) -> Response + Send>;

struct Shared {
    log: Mutex<Vec<Request>>,
    logged: Condvar,
    stopping: Mutex<bool>,
    stop_cv: Condvar,
    /// Open connections (a clone of each stream), so drop can shut them down.
    conns: Mutex<Vec<(u64, TcpStream)>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    handler: Mutex<Handler>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    /// Waits `d` unless the server stops first; returns false when it stopped.
    fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut stop = lock(&self.stopping);
        while !*stop {
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            stop = self
                .stop_cv
                .wait_timeout(stop, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        false
    }
}

/// A running test server; dropping it stops it.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with a random port; `handler` answers every request.
    pub fn start<F>(handler: F) -> TestServer
    where
        F: FnMut(&Request) -> Response + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            log: Mutex::new(Vec::new()),
            logged: Condvar::new(),
            stopping: Mutex::new(false),
            stop_cv: Condvar::new(),
            conns: Mutex::new(Vec::new()),
            workers: Mutex::new(Vec::new()),
            handler: Mutex::new(Box::new(handler)),
        });
        let acc_shared = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("test-server".into())
            .spawn(move || accept_loop(listener, acc_shared))
            .expect("spawn server thread");
        TestServer {
            addr,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// Serves `responses` in order; the last one repeats. Panics on an empty list.
    pub fn sequence(responses: Vec<Response>) -> TestServer {
        assert!(
            !responses.is_empty(),
            "sequence needs at least one response"
        );
        TestServer::start(move |req| {
            let i = req.index.min(responses.len() - 1);
            responses[i].clone()
        })
    }

    /// Serves the same response to every request.
    pub fn always(response: Response) -> TestServer {
        TestServer::sequence(vec![response])
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/path` (a missing leading `/` is added).
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        format!("http://{}{}{}", self.addr, slash, path)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.log).clone()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.shared.log).len()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<Request> {
        lock(&self.shared.log).last().cloned()
    }

    /// Blocks until at least `n` requests have arrived; false if `timeout` passed first.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut log = lock(&self.shared.log);
        while log.len() < n {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            log = self
                .shared
                .logged
                .wait_timeout(log, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        *lock(&self.shared.stopping) = true;
        self.shared.stop_cv.notify_all();
        // Wake the blocking accept with a connection of our own.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
        for (_, s) in lock(&self.shared.conns).iter() {
            let _ = s.shutdown(Shutdown::Both);
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        for w in workers {
            let _ = w.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        next_id += 1;
        let id = next_id;
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns).push((id, clone));
        }
        let conn_shared = Arc::clone(&shared);
        let worker = thread::Builder::new()
            .name("test-server-conn".into())
            .spawn(move || {
                serve_connection(stream, &conn_shared);
                lock(&conn_shared.conns).retain(|(i, _)| *i != id);
            });
        if let Ok(w) = worker {
            let mut workers = lock(&shared.workers);
            workers.retain(|w| !w.is_finished());
            workers.push(w);
        }
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    // A client that connects and never sends must not pin the thread forever.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let Some(mut req) = read_request(&mut BufReader::new(read_half)) else {
        return;
    };
    {
        let mut log = lock(&shared.log);
        req.index = log.len();
        log.push(req.clone());
    }
    shared.logged.notify_all();

    let response = {
        let mut handler = lock(&shared.handler);
        catch_unwind(AssertUnwindSafe(|| handler(&req)))
            .unwrap_or_else(|_| Response::new(500).body("test handler panicked"))
    };
    let _ = write_response(stream, &req, &response, shared);
}
