//! Fetching bytes from a source: http(s) with caps, timeouts and conditional requests,
//! or a local file. (The demo produces its documents itself; see [`crate::demo`].)
//!
//! Everything a server can do wrong ends here as a [`FetchError`] value, never a panic
//! and never a hang longer than the total deadline.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{
    ACCEPT, CACHE_CONTROL, ETAG, HeaderMap, HeaderName, HeaderValue, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use xxhash_rust::xxh3::{Xxh3Default, xxh3_128};

use crate::config::Limits;

mod roots;

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Http(String),
    File(PathBuf),
    Demo,
}

impl Location {
    /// An http(s) URL is fetched over the network; anything else is a file path.
    pub fn parse(s: &str) -> Location {
        let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Location::Http(s.to_string())
        } else {
            Location::File(PathBuf::from(s))
        }
    }
}

/// The validators of the last good response, echoed verbatim on the next request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A document as received, with its hash (computed while it arrived, so an unchanged body
/// is recognized without another pass over it).
///
/// The hash is XXH3's 128 bits, not a cryptographic digest: it only tells a body from the
/// same source's last one, in memory. A server that wanted two different bodies to look
/// alike could only keep its own update from being read, which it can do anyway by not
/// publishing it; by chance, two bodies meet one in 2^128. XXH3 reads a body about six
/// times as fast as SHA-256 does with the processor's SHA instructions (see
/// docs/performance.md), and faster still against SHA-256 without them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub hash: u128,
}

impl Body {
    pub fn new(bytes: Vec<u8>) -> Body {
        let hash = xxh3_128(&bytes);
        Body { bytes, hash }
    }
}

/// Why a fetch failed, in words for the status line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("timeout")]
    Timeout,
    #[error("response larger than {0} bytes (limit)")]
    TooLarge(u64),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Other(String),
}

/// An http client with livefeed's limits.
///
/// The client itself is made at the first request: making it loads the trusted roots
/// (5–8 ms), which the demo and files never need, and which a start with network sources
/// should not spend before its first frame. Clones share it.
#[derive(Debug, Clone)]
pub struct HttpFetcher {
    client: Arc<OnceLock<Result<reqwest::Client, FetchError>>>,
    timeouts: [Duration; 3],
    max_bytes: u64,
}

/// `livefeed/VERSION`, sent as the User-Agent.
pub const USER_AGENT: &str = concat!("livefeed/", env!("CARGO_PKG_VERSION"));

/// Install the TLS crypto provider once per process (reqwest is built without one).
pub fn install_crypto() {
    // Fails only when a provider is already installed, which is what we want anyway.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl HttpFetcher {
    pub fn new(limits: &Limits) -> Self {
        HttpFetcher {
            client: Arc::new(OnceLock::new()),
            timeouts: [
                limits.connect_timeout,
                limits.read_timeout,
                limits.total_timeout,
            ]
            .map(Duration::from_secs),
            max_bytes: limits.max_bytes,
        }
    }

    /// The client, made at the first call.
    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        let made = self.client.get_or_init(|| {
            install_crypto();
            let policy = reqwest::redirect::Policy::custom(|attempt| {
                match redirect_refusal(attempt.previous(), attempt.url()) {
                    Some(why) => attempt.error(why),
                    None => attempt.follow(),
                }
            });
            let [connect, read, total] = self.timeouts;
            let provider = rustls::crypto::CryptoProvider::get_default()
                .cloned()
                .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
            let tls = roots::client_config(provider)
                .map_err(|e| FetchError::Other(format!("tls settings: {e}")))?;
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls)
                .user_agent(USER_AGENT)
                .connect_timeout(connect)
                .read_timeout(read)
                .timeout(total)
                .redirect(policy)
                .build()
                .map_err(|e| FetchError::Other(format!("http client: {e}")))
        });
        made.as_ref().map_err(Clone::clone)
    }

    /// GET `url` conditionally, up to the start of the body, which the caller then reads
    /// chunk by chunk from the [`Incoming`] answer.
    pub async fn open(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        validators: &Validators,
    ) -> Result<Opened, FetchError> {
        let mut request = self.client()?.get(url).header(
            ACCEPT,
            "application/feed+json, application/json, text/html;q=0.9, */*;q=0.8",
        );
        let mut extra = HeaderMap::new();
        for (k, v) in headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| FetchError::Other(format!("bad header name {k:?}")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| FetchError::Other(format!("bad value for header {k}")))?;
            extra.insert(name, value);
        }
        request = request.headers(extra);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, lm);
        }
        let response = request.send().await.map_err(classify)?;
        let status = response.status();
        let max_age = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_max_age);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Opened::NotModified { max_age });
        }
        if status.is_redirection()
            && let Some(why) = unfollowed_redirect(response.url(), response.headers())
        {
            return Err(FetchError::Other(why));
        }
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after,
            });
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let fresh = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        Ok(Opened::Body(Box::new(Incoming {
            from: From::Http(response),
            max_bytes: self.max_bytes,
            read: 0,
            hash: Hashing::default(),
            fresh: Some(fresh),
            max_age,
        })))
    }
}

/// The answer to a conditional GET, before its body is read.
#[derive(Debug)]
pub enum Opened {
    /// 304: the document did not change.
    NotModified { max_age: Option<Duration> },
    /// A body follows.
    Body(Box<Incoming>),
}

/// A good answer whose body is still arriving (or a file being read): each chunk is counted
/// against the cap and hashed as it comes, so the body never has to be held to know
/// whether it changed.
#[derive(Debug)]
pub struct Incoming {
    from: From,
    max_bytes: u64,
    read: u64,
    hash: Hashing,
    /// The response's validators, kept once the whole body was read.
    fresh: Option<Validators>,
    /// `Cache-Control: max-age`: the server asks not to be polled again sooner.
    pub max_age: Option<Duration>,
}

/// A body's hash so far (its state is a few hundred bytes, kept apart).
#[derive(Default)]
struct Hashing(Box<Xxh3Default>);

impl std::fmt::Debug for Hashing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hashing")
    }
}

#[derive(Debug)]
enum From {
    Http(reqwest::Response),
    File { file: tokio::fs::File, len: u64 },
}

/// Bytes read from a file at a time.
const FILE_CHUNK: usize = 256 * 1024;

impl Incoming {
    /// The announced length, bounded by the cap (0 when unknown).
    pub fn length_hint(&self) -> usize {
        let hint = match &self.from {
            From::Http(response) => response.content_length().unwrap_or(0),
            From::File { len, .. } => *len,
        };
        usize::try_from(hint.min(self.max_bytes)).unwrap_or(0)
    }

    /// The next piece of the body; `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<bytes::Bytes>, FetchError> {
        let chunk = match &mut self.from {
            From::Http(response) => response.chunk().await.map_err(classify)?,
            From::File { file, .. } => {
                use tokio::io::AsyncReadExt;
                let mut buf = bytes::BytesMut::with_capacity(FILE_CHUNK);
                let n = file
                    .read_buf(&mut buf)
                    .await
                    .map_err(|e| FetchError::Other(format!("cannot read the file: {e}")))?;
                (n > 0).then(|| buf.freeze())
            }
        };
        let Some(chunk) = chunk else {
            return Ok(None);
        };
        self.read += chunk.len() as u64;
        if self.read > self.max_bytes {
            return Err(FetchError::TooLarge(self.max_bytes));
        }
        self.hash.0.update(&chunk);
        Ok(Some(chunk))
    }

    /// The whole body was read: its hash. The response's validators are kept for the next
    /// request.
    pub fn finish(self, validators: &mut Validators) -> u128 {
        if let Some(fresh) = self.fresh {
            *validators = fresh;
        }
        self.hash.0.digest128()
    }
}

/// Why a redirect to `to` must not be followed, if it must not: `previous` holds the URLs
/// requested so far (the first request and every redirect followed). At most 5 redirects,
/// only to http(s), and never from https down to http.
pub fn redirect_refusal(previous: &[reqwest::Url], to: &reqwest::Url) -> Option<String> {
    let scheme = to.scheme();
    let from_https = previous.last().is_some_and(|u| u.scheme() == "https");
    if previous.len() > 5 {
        Some("more than 5 redirects".into())
    } else if scheme != "http" && scheme != "https" {
        Some(format!("redirect to a {scheme}: URL refused"))
    } else if from_https && scheme == "http" {
        Some("redirect from https to http refused".into())
    } else {
        None
    }
}

/// Why a redirect came back as the response instead of being followed, in words. The
/// client only asks [`redirect_refusal`] about a `Location` it can take as an http URL;
/// one it cannot (`file:///etc/passwd`, `javascript:...`) ends the request with the 3xx
/// itself, which would otherwise show as a bare "HTTP 302". `from` is the URL that answered.
fn unfollowed_redirect(from: &reqwest::Url, headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?;
    let Some(to) = location
        .to_str()
        .ok()
        .and_then(|l| from.join(l.trim()).ok())
    else {
        return Some("redirect to an invalid URL refused".into());
    };
    redirect_refusal(std::slice::from_ref(from), &to)
}

/// Open a local file to be read chunk by chunk (refusing more than `max_bytes`).
pub async fn open_file(path: &std::path::Path, max_bytes: u64) -> Result<Opened, FetchError> {
    let shown = path.display();
    let cannot = |e: std::io::Error| {
        FetchError::Other(match e.kind() {
            std::io::ErrorKind::NotFound if shown.to_string().contains("://") => format!(
                "{shown} is not an http(s) address, and no file has that name: \
                 give an http:// or https:// URL or a file path"
            ),
            std::io::ErrorKind::NotFound => {
                format!("no file named {shown}: give an http(s) URL or an existing file")
            }
            _ => format!("cannot read {shown}: {e}"),
        })
    };
    let file = tokio::fs::File::open(path).await.map_err(cannot)?;
    let len = file.metadata().await.map_err(cannot)?.len();
    Ok(Opened::Body(Box::new(Incoming {
        from: From::File { file, len },
        max_bytes,
        read: 0,
        hash: Hashing::default(),
        fresh: None,
        max_age: None,
    })))
}

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_builder() {
        FetchError::Other(format!("not a usable URL ({})", root_cause(&e)))
    } else if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_connect() {
        FetchError::Connect(root_cause(&e))
    } else {
        FetchError::Other(root_cause(&e))
    }
}

/// The innermost error message (reqwest's outer ones only say "error sending request").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `max-age` from a `Cache-Control` value, capped at one hour.
pub fn parse_max_age(v: &str) -> Option<Duration> {
    v.split(',').find_map(|part| {
        let (k, val) = part.trim().split_once('=')?;
        let secs: u64 = k
            .trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| val.trim().parse().ok())??;
        Some(Duration::from_secs(secs.min(3600)))
    })
}

/// `Retry-After` as seconds or an HTTP date, capped at one hour.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    const CAP: u64 = 3600;
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(CAP)));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let secs = (when.as_second() - jiff::Timestamp::now().as_second()).clamp(0, CAP as i64);
    Some(Duration::from_secs(secs as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client is made at the first request, once for all clones.
    #[tokio::test]
    async fn the_client_is_made_at_the_first_request() {
        let fetcher = HttpFetcher::new(&crate::config::Config::default().limits);
        let clone = fetcher.clone();
        assert!(fetcher.client.get().is_none(), "not made up front");
        // A port nobody listens on: the request fails, but the client is made.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        let opened = clone
            .open(&url, &BTreeMap::new(), &Validators::default())
            .await;
        assert!(opened.is_err());
        assert!(
            matches!(fetcher.client.get(), Some(Ok(_))),
            "shared with the clone"
        );
    }

    #[test]
    fn urls_are_http_and_everything_else_is_a_file() {
        assert_eq!(
            Location::parse("https://example.org/live"),
            Location::Http("https://example.org/live".into())
        );
        assert_eq!(
            Location::parse("HTTP://example.org"),
            Location::Http("HTTP://example.org".into())
        );
        assert_eq!(
            Location::parse("feed.json"),
            Location::File("feed.json".into())
        );
    }

    #[test]
    fn redirects_down_to_http_to_other_schemes_or_beyond_five_are_refused() {
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        let https = [url("https://a.example/live")];
        let http = [url("http://a.example/live")];
        assert_eq!(
            redirect_refusal(&https, &url("http://a.example/live")).as_deref(),
            Some("redirect from https to http refused")
        );
        assert_eq!(redirect_refusal(&https, &url("https://b.example/")), None);
        assert_eq!(redirect_refusal(&http, &url("https://b.example/")), None);
        assert_eq!(redirect_refusal(&http, &url("http://b.example/")), None);
        // Back down to http after an upgrade is still a downgrade.
        let up = [url("http://a.example/"), url("https://a.example/")];
        assert!(redirect_refusal(&up, &url("http://a.example/x")).is_some());
        for other in [
            "file:///etc/passwd",
            "ftp://a.example/",
            "data:text/plain,x",
        ] {
            let why = redirect_refusal(&https, &url(other)).unwrap();
            assert!(why.ends_with("URL refused"), "{why}");
        }
        let five: Vec<_> = (0..6)
            .map(|n| url(&format!("https://a.example/{n}")))
            .collect();
        assert_eq!(
            redirect_refusal(&five[..5], &url("https://a.example/x")),
            None
        );
        assert_eq!(
            redirect_refusal(&five, &url("https://a.example/x")).as_deref(),
            Some("more than 5 redirects")
        );
    }

    #[test]
    fn a_redirect_handed_back_says_why() {
        let from = reqwest::Url::parse("https://a.example/live").unwrap();
        let why = |location: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(LOCATION, HeaderValue::from_str(location).unwrap());
            unfollowed_redirect(&from, &headers)
        };
        assert_eq!(
            why("file:///etc/passwd").as_deref(),
            Some("redirect to a file: URL refused")
        );
        assert_eq!(
            why("ftp://b.example/f").as_deref(),
            Some("redirect to a ftp: URL refused")
        );
        assert_eq!(
            why("http://a.example/x").as_deref(),
            Some("redirect from https to http refused")
        );
        assert_eq!(
            why("http://[::1").as_deref(),
            Some("redirect to an invalid URL refused")
        );
        // An http(s) target the client chose not to follow (a 300, say): the status says it.
        assert_eq!(why("/elsewhere"), None);
        assert_eq!(unfollowed_redirect(&from, &HeaderMap::new()), None);
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            parse_max_age("public, max-age=60"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_max_age("no-cache"), None);
        assert_eq!(
            parse_max_age("max-age=999999"),
            Some(Duration::from_secs(3600))
        );
    }

    #[test]
    fn retry_after_seconds_are_capped_at_an_hour() {
        assert_eq!(parse_retry_after("40"), Some(Duration::from_secs(40)));
        assert_eq!(parse_retry_after("99999"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(
            parse_retry_after("Mon, 01 Jan 2001 00:00:00 GMT"),
            Some(Duration::ZERO)
        );
    }
}
