//! One task per source: fetch on a polite schedule, parse off the event loop, send results.
//!
//! A poller knows nothing about the screen. It sends owned [`Msg`] values and stops when
//! the receiver is gone. Exactly one request per source is in flight at a time, because
//! the task awaits each attempt before it schedules the next. The schedule itself
//! ([`Schedule`]) is plain arithmetic, tested without a clock.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use crate::demo::Demo;
use crate::entry::{Entry, Held, Snapshot};
use crate::format::{self, FormatError};
use crate::model::{Msg, PollResult};
use crate::query::Folded;
use crate::source::{
    Body, FetchError, HttpFetcher, Incoming, Location, Opened, Validators, open_file,
};

/// What a poller needs to know about its source.
#[derive(Debug, Clone)]
pub struct Plan {
    pub index: usize,
    pub location: Location,
    pub interval: Duration,
    pub headers: BTreeMap<String, String>,
    pub max_bytes: u64,
    pub caps: Caps,
    /// Read the JSON through this mapping instead of detecting the format.
    pub mapping: Option<crate::format::mapping::Mapping>,
}

/// Limits on what one document may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub entries: usize,
    pub entry_bytes: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        let limits = crate::config::Config::default().limits;
        Caps {
            entries: limits.max_entries_per_response,
            entry_bytes: limits.max_entry_bytes,
        }
    }
}

impl Caps {
    /// Cut a text longer than the limit (at a character boundary, marked with ` …`); whether
    /// it was cut.
    fn cut_text(&self, e: &mut crate::entry::Entry) -> bool {
        if e.text.len() <= self.entry_bytes {
            return false;
        }
        let mut end = self.entry_bytes;
        while !e.text.is_char_boundary(end) {
            end -= 1;
        }
        e.text.truncate(end);
        e.text.push_str(" …");
        true
    }
}

/// Makes a snapshot ready for the screen's thread, off that thread: each entry's text cut
/// to the caps and the entry folded for the filter as soon as it is made (the folded form
/// holds the body from then on, and the text is dropped at once, so a big document never
/// holds its bodies twice); at the end the number of entries capped, with a note of what
/// was cut.
///
/// The entries of a source's first document are not folded here but held as they came
/// ([`Folded::unfolded`]): the screen folds them once it shows them, so that the list of
/// a big blog does not wait for what only a filter reads. Later documents are folded here,
/// where a held entry is compared with what comes in.
struct Prepare {
    caps: Caps,
    cut: AtomicUsize,
    fold_now: bool,
}

impl Prepare {
    /// `fold_now`: fold each entry as it is made; else leave that to the screen.
    fn new(caps: Caps, fold_now: bool) -> Prepare {
        Prepare {
            caps,
            cut: AtomicUsize::new(0),
            fold_now,
        }
    }

    /// What the store holds of the entry's headline and body: folded or as it came.
    fn folded(&self, e: &Entry) -> Folded {
        if self.fold_now {
            Folded::from_entry(e)
        } else {
            Folded::unfolded(e)
        }
    }

    /// One entry: cut, folded, and made into the form the store holds (its text dropped,
    /// its strings given back on the core that made them; what is left of `e` is empty),
    /// unless its id is still to be made from the text ([`format::fill_missing_ids`]).
    fn entry(&self, e: &mut Entry) -> (Folded, Option<Held>) {
        if self.caps.cut_text(e) {
            self.cut.fetch_add(1, Ordering::Relaxed);
        }
        let folded = self.folded(e);
        let held = (!e.id.is_empty()).then(|| {
            crate::text::give_back(std::mem::take(&mut e.text));
            Held::new(std::mem::take(e))
        });
        (folded, held)
    }

    /// The snapshot is complete: cap the number of entries, prepare what is not yet (a
    /// document read whole, in parallel), and hold the entries whose ids came from their
    /// text. Then every entry is held, and `entries` is empty.
    fn finish(&self, s: &mut Snapshot) {
        self.finish_after(s, 0);
    }

    /// [`Prepare::finish`] for the rest of a document whose first `sent` entries were sent
    /// in parts already.
    fn finish_after(&self, s: &mut Snapshot, sent: usize) {
        let mut notes = Vec::new();
        let limit = self.caps.entries;
        let cap = limit.saturating_sub(sent);
        if s.len() > cap {
            notes.push(format!(
                "{} entries beyond the limit of {limit} dropped",
                s.len() - cap
            ));
            if s.held.is_empty() {
                s.entries.truncate(cap);
            } else {
                let whole = s.held[..cap].iter().filter(|h| h.is_none()).count();
                s.entries.truncate(whole);
                s.held.truncate(cap);
                s.folded.truncate(cap);
            }
        }
        if s.held.is_empty() {
            let prepared = crate::par::map_mut(&mut s.entries, 256, |e| self.entry(e));
            let mut entries = std::mem::take(&mut s.entries).into_iter();
            for (folded, held) in prepared {
                // What was held was taken out of its entry; only the others are left.
                let e = entries.next();
                s.entries.extend(e.filter(|_| held.is_none()));
                s.folded.push(folded);
                s.held.push(held);
            }
        }
        // The entries not held yet, one for each `None` in order: their ids came from their
        // text, and they may have inherited the feed's authors since they were folded.
        let mut whole = std::mem::take(&mut s.entries).into_iter();
        for (h, f) in s.held.iter_mut().zip(&mut s.folded) {
            if h.is_none()
                && let Some(e) = whole.next()
            {
                *f = self.folded(&e);
                *h = Some(Held::new(e));
            }
        }
        let cut = self.cut.load(Ordering::Relaxed);
        if cut > 0 {
            notes.push(format!(
                "{cut} entries cut at {} bytes",
                self.caps.entry_bytes
            ));
        }
        if !notes.is_empty() {
            s.limited = Some(notes.join(", "));
        }
        s.folded.shrink_to_fit();
        s.held.shrink_to_fit();
    }
}

/// One attempt as the scheduler sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub result: PollResult,
    /// `Retry-After` of a 429 or 503 answer.
    pub retry_after: Option<Duration>,
    /// `Cache-Control: max-age` of a good answer.
    pub max_age: Option<Duration>,
    /// The blog is over (the source says so, or its coverage end has passed).
    pub ended: bool,
}

/// Anything that can be polled: the network, a file, or a scripted fake in tests.
pub trait Fetch: Send + 'static {
    fn attempt(&mut self) -> impl Future<Output = Attempt> + Send;
}

/// Longest wait after failures (unless the interval itself is longer).
pub const BACKOFF_CAP: Duration = Duration::from_secs(600);
/// Polls of a blog that has ended are this many times further apart.
pub const ENDED_FACTOR: u32 = 10;

/// When to poll next: interval, a fixed per-source offset, backoff, server hints.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub interval: Duration,
    /// A small random offset, fixed per source, so many sources do not fire together.
    pub offset: Duration,
    /// Failures in a row (reset by any success).
    pub failures: u32,
    rng: u64,
}

impl Schedule {
    pub fn new(interval: Duration, seed: u64) -> Self {
        let mut s = Schedule {
            interval,
            offset: Duration::ZERO,
            failures: 0,
            rng: splitmix(seed) | 1,
        };
        let spread = (interval / 10).min(Duration::from_secs(5));
        s.offset = spread.mul_f64(s.unit());
        s
    }

    /// A uniform number in [0, 1) (xorshift; quality is not the point, spread is).
    fn unit(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The wait before the next attempt, given how this one went.
    pub fn next_delay(&mut self, a: &Attempt) -> Duration {
        if let PollResult::Failed(_) = a.result {
            self.failures = self.failures.saturating_add(1);
            if let Some(wait) = a.retry_after {
                return wait.max(Duration::from_secs(1));
            }
            // Exponential backoff with full jitter: uniform in [0, min(cap, interval·2ⁿ)].
            let cap = BACKOFF_CAP.max(self.interval);
            let ceiling = self
                .interval
                .saturating_mul(1u32 << self.failures.min(20))
                .min(cap);
            return ceiling.mul_f64(self.unit()).max(Duration::from_secs(1));
        }
        self.failures = 0;
        let mut delay = self.interval + self.offset;
        if a.ended {
            delay *= ENDED_FACTOR;
        }
        delay.max(a.max_age.unwrap_or_default())
    }
}

/// A poll result in a few words, for the log.
fn describe(result: &PollResult) -> String {
    match result {
        PollResult::Snapshot(s) => format!("{} entries ({})", s.len(), s.format),
        PollResult::NotModified => "not modified".into(),
        PollResult::Unchanged => "unchanged".into(),
        PollResult::Failed(why) => format!("failed: {why}"),
    }
}

/// Spread a small seed over all 64 bits.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Where a poller sends the headlines of a big first document, before the whole of it.
#[derive(Debug, Clone)]
pub struct PreviewTo {
    pub source: usize,
    pub tx: mpsc::Sender<Msg>,
    /// Also send a first document read while it arrives in parts, as its entries are made
    /// (see [`Parts`]).
    pub parts: bool,
}

/// Sends the entries of a first document read while it arrives to the screen in parts,
/// while the rest is still being read, so that a big blog's newest entries show at once
/// instead of after the whole of it (see [`Snapshot::more`]).
///
/// A part goes once the entries made since the last one are as many as all sent before
/// (and at least [`FIRST_PART`]): a document goes in about log2(its entries / the first
/// part's) parts (the 10,000-entry JSON Feed in 5 and the rest), and the screen's thread
/// merges each entry once and sorts the list a few times.
struct Parts<'a> {
    to: Option<&'a PreviewTo>,
    sent: usize,
    /// The document's announced length (0 if none), and the bytes read so far.
    length: usize,
    read: usize,
}

/// The entries a first part waits for (about what the first run of items makes).
const FIRST_PART: usize = 128;

impl Parts<'_> {
    fn new(to: Option<&PreviewTo>, length: usize) -> Parts<'_> {
        Parts {
            to: to.filter(|to| to.parts),
            sent: 0,
            length,
            read: 0,
        }
    }

    /// Whether parts are to be sent and none was yet.
    fn waiting_for_first(&self) -> bool {
        self.to.is_some() && self.sent == 0
    }

    /// Send what `reader` made since the last part, if it is time to; `read` more bytes
    /// were pushed to it.
    fn offer(&mut self, reader: &mut format::Reader, cap: usize, read: usize) {
        self.read += read;
        let Some(to) = self.to else {
            return;
        };
        let made = reader.entries_so_far();
        if made < self.sent.max(FIRST_PART) {
            return;
        }
        // Past the cap on entries the rest is cut at the end, with a note of it.
        let first = self.sent == 0;
        let part = (self.sent + made <= cap)
            .then(|| reader.take_part(first))
            .flatten();
        let Some(mut part) = part else {
            // Not to be sent in parts (or no longer); the rest goes whole at the end.
            self.to = None;
            return;
        };
        if first && self.length > self.read {
            // As many entries as these per byte read, in the whole document.
            let expect = part.len() as u128 * self.length as u128 / self.read.max(1) as u128;
            part.expect = usize::try_from(expect).unwrap_or(usize::MAX).min(cap);
        }
        self.sent += part.len();
        let msg = Msg::Preview {
            source: to.source,
            snapshot: part,
        };
        if to.tx.blocking_send(msg).is_err() {
            // The screen is gone.
            self.to = None;
        }
    }
}

/// A source read over http(s) or from a file.
pub struct NetFetch {
    plan: Plan,
    fetcher: HttpFetcher,
    validators: Validators,
    last: Option<u128>,
    ended: bool,
    preview: Option<PreviewTo>,
}

impl NetFetch {
    pub fn new(plan: Plan, fetcher: HttpFetcher) -> Self {
        NetFetch {
            plan,
            fetcher,
            validators: Validators::default(),
            last: None,
            ended: false,
            preview: None,
        }
    }

    /// Send the headlines of a big first document to `to` as soon as they are read.
    pub fn previewing(self, to: PreviewTo) -> Self {
        NetFetch {
            preview: Some(to),
            ..self
        }
    }
}

impl Fetch for NetFetch {
    async fn attempt(&mut self) -> Attempt {
        let (result, retry_after, max_age) = fetch_and_parse(
            &self.plan,
            &self.fetcher,
            &mut self.validators,
            &mut self.last,
            self.preview.as_ref(),
        )
        .await;
        if let PollResult::Snapshot(s) = &result {
            self.ended = s.ended || s.coverage_end.is_some_and(|end| end <= Timestamp::now());
        }
        Attempt {
            result,
            retry_after,
            max_age,
            ended: self.ended,
        }
    }
}

/// Fetch one document and parse it. `last` is the hash of the previous body: an identical
/// body is reported as unchanged and neither parsed nor merged. The first document of a
/// source is read while it arrives (there is no previous hash to compare with); later ones
/// are received whole, compared, and only then read. Before a first document that is read
/// whole is complete, its headlines go to `preview` (when the format and size allow).
pub async fn fetch_and_parse(
    plan: &Plan,
    fetcher: &HttpFetcher,
    validators: &mut Validators,
    last: &mut Option<u128>,
    preview: Option<&PreviewTo>,
) -> (PollResult, Option<Duration>, Option<Duration>) {
    let mut url = match &plan.location {
        Location::Http(url) => url.clone(),
        _ => String::new(),
    };
    // A page may point to its feed; follow such a link once.
    for _ in 0..2 {
        let opened = match &plan.location {
            Location::File(path) => open_file(path, plan.max_bytes).await,
            _ => fetcher.open(&url, &plan.headers, validators).await,
        };
        let mut incoming = match opened {
            Ok(Opened::NotModified { max_age }) => return (PollResult::NotModified, None, max_age),
            Ok(Opened::Body(incoming)) => incoming,
            Err(e) => return failed(e),
        };
        let max_age = incoming.max_age;
        let mapping = plan.mapping.clone();
        let read = if last.is_none() {
            let preview = preview.cloned();
            match read_while_arriving(incoming, validators, mapping, plan.caps, preview).await {
                Ok(read) => read,
                Err(e) => return failed(e),
            }
        } else {
            let mut body = Vec::with_capacity(incoming.length_hint());
            loop {
                match incoming.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    Ok(None) => break,
                    Err(e) => return failed(e),
                }
            }
            let hash = incoming.finish(validators);
            if *last == Some(hash) {
                return (PollResult::Unchanged, None, max_age);
            }
            read_whole(body, mapping, plan.caps)
                .await
                .map(|s| (s, hash))
        };
        match read {
            Ok((snapshot, hash)) => {
                *last = Some(hash);
                return (PollResult::Snapshot(snapshot), None, max_age);
            }
            Err(FormatError::FeedLink(href)) if !url.is_empty() => {
                match reqwest::Url::parse(&url).and_then(|base| base.join(&href)) {
                    Ok(next) if matches!(next.scheme(), "http" | "https") => {
                        url = next.to_string();
                        *validators = Validators::default();
                    }
                    _ => {
                        let why =
                            format!("the page links to a feed at an unusable address {href:?}");
                        return (PollResult::Failed(why), None, None);
                    }
                }
            }
            Err(e) => return (PollResult::Failed(e.to_string()), None, None),
        }
    }
    let why = "the page's feed link leads to another page, not a feed".to_string();
    (PollResult::Failed(why), None, None)
}

/// A failed fetch as a poll result, with the server's `Retry-After` if it gave one.
fn failed(e: FetchError) -> (PollResult, Option<Duration>, Option<Duration>) {
    let retry = match &e {
        FetchError::Status { retry_after, .. } => *retry_after,
        _ => None,
    };
    (PollResult::Failed(e.to_string()), retry, None)
}

/// How many pieces of the body may wait between the download and the reader.
const PIECES_IN_FLIGHT: usize = 4;

/// The largest piece the download hands the reader. A chunk from the network can be
/// hundreds of kilobytes (356 KB on average, measured over loopback), so a bound on the
/// number of chunks alone let about 20 MB wait for a reader that was behind. Pieces share
/// their chunk's memory, and at most [`PIECES_IN_FLIGHT`] of them wait (1 MB).
///
/// A reader that is behind takes a piece, which wakes the download for the next one:
/// each piece is a hand-over between two threads. Pieces of 64 KB made 1,200 of them for
/// an 80 MB feed; pieces of 256 KB, 300 (the reader still reads them [`PUSH`] at a time).
const PIECE: usize = 256 * 1024;

/// The most the reader is given at once: what it reads of it goes to its helper thread as
/// one run, and the helper may have a few runs waiting, each a copy of its bytes.
const PUSH: usize = 64 * 1024;

/// `chunk` cut into pieces of at most [`PIECE`] bytes, in order, sharing its memory.
fn pieces(mut chunk: bytes::Bytes) -> impl Iterator<Item = bytes::Bytes> {
    std::iter::from_fn(move || (!chunk.is_empty()).then(|| chunk.split_to(chunk.len().min(PIECE))))
}

/// Read a body while it arrives: the chunks go to a reader on the blocking pool, which
/// makes entries of them as they come (see [`format::Reader`]). A failed download is the
/// outer error; a document that cannot be read, the inner one (the download stops there).
async fn read_while_arriving(
    mut incoming: Box<Incoming>,
    validators: &mut Validators,
    mapping: Option<crate::format::mapping::Mapping>,
    caps: Caps,
    preview: Option<PreviewTo>,
) -> Result<Result<(crate::entry::Snapshot, u128), FormatError>, FetchError> {
    let (tx, mut rx) = mpsc::channel::<bytes::Bytes>(PIECES_IN_FLIGHT);
    let hint = incoming.length_hint();
    let reading = tokio::task::spawn_blocking(move || {
        // A first document: shown first, folded by the screen after.
        let prepare = Prepare::new(caps, false);
        let ready = |e: &mut Entry| prepare.entry(e);
        std::thread::scope(|scope| {
            let mut reader = format::Reader::new(mapping, hint)
                .preparing(&ready)
                .helped(helper(scope, hint));
            let mut parts = Parts::new(preview.as_ref(), hint);
            while let Some(piece) = rx.blocking_recv() {
                for chunk in piece.chunks(PUSH) {
                    reader.push(chunk)?;
                    if parts.waiting_for_first() {
                        // The first part tells how many entries the whole document will
                        // hold, from the entries made per byte read: the helper's are
                        // counted too.
                        reader.settle()?;
                    }
                    parts.offer(&mut reader, caps.entries, chunk.len());
                }
            }
            // The bytes stopped coming: what the helper still makes of them may go out as a
            // part too, for a download that broke never reaches the end of its document.
            reader.settle()?;
            parts.offer(&mut reader, caps.entries, 0);
            let sent = parts.sent;
            finish_reading(reader, &prepare, preview, sent)
        })
    });
    let mut stopped = false;
    'download: loop {
        match incoming.chunk().await {
            Ok(Some(chunk)) => {
                for piece in pieces(chunk) {
                    if tx.send(piece).await.is_err() {
                        // The reader gave up: the document is broken; no need for the rest.
                        stopped = true;
                        break 'download;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                // The parts the reader sends of what did arrive reach the screen before
                // this failure does.
                drop(tx);
                let _ = reading.await;
                return Err(e);
            }
        }
    }
    drop(tx);
    let read = match reading.await.unwrap_or_else(|_| Err(crashed())) {
        Ok(read) => read,
        Err(e) => return Ok(Err(e)),
    };
    if stopped {
        // Only a reader that failed stops taking chunks.
        return Ok(Err(crashed()));
    }
    Ok(Ok((read, incoming.finish(validators))))
}

/// Read a body received whole, on the blocking pool.
async fn read_whole(
    body: Vec<u8>,
    mapping: Option<crate::format::mapping::Mapping>,
    caps: Caps,
) -> Result<crate::entry::Snapshot, FormatError> {
    tokio::task::spawn_blocking(move || {
        let prepare = Prepare::new(caps, true);
        let ready = |e: &mut Entry| prepare.entry(e);
        std::thread::scope(|scope| {
            let mut reader = format::Reader::new(mapping, body.len())
                .preparing(&ready)
                .helped(helper(scope, body.len()));
            // In runs, so that a reader that splits the document never holds a second copy.
            for run in body.chunks(READ_RUN) {
                reader.push(run)?;
            }
            drop(body);
            finish_reading(reader, &prepare, None, 0)
        })
    })
    .await
    .unwrap_or_else(|_| Err(crashed()))
}

/// A second thread to make entries while the reader reads on, for a document that may take
/// more than two runs (`size`: its announced length, 0 when unknown).
fn helper<'a, 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    size: usize,
) -> Option<crate::par::Helper<'a, format::Made>>
where
    'a: 'scope,
{
    (size == 0 || size > 2 * format::RUN)
        .then(|| crate::par::Helper::start(scope))
        .flatten()
}

/// Bytes handed to the reader at a time from a body received whole.
const READ_RUN: usize = 256 * 1024;

/// The end of a document: the reader reads what is left, and the snapshot is made ready.
/// A document read whole sends its headlines to `preview` first (when it can). `sent`:
/// the entries already sent in parts; the snapshot then holds the rest.
fn finish_reading(
    reader: format::Reader,
    prepare: &Prepare,
    preview: Option<PreviewTo>,
    sent: usize,
) -> Result<Snapshot, FormatError> {
    #[cfg(debug_assertions)]
    crate::app::debug_panic("parser");
    let mut send = |mut first: Snapshot| {
        Prepare::new(prepare.caps, prepare.fold_now).finish(&mut first);
        if let Some(to) = &preview {
            let msg = Msg::Preview {
                source: to.source,
                snapshot: first,
            };
            // The screen may be gone; the whole document is read all the same.
            let _ = to.tx.blocking_send(msg);
        }
    };
    let mut snapshot = reader.finish(
        preview
            .is_some()
            .then_some(&mut send as &mut dyn FnMut(Snapshot)),
    )?;
    prepare.finish_after(&mut snapshot, sent);
    snapshot.continues = sent > 0;
    Ok(snapshot)
}

fn crashed() -> FormatError {
    FormatError::Invalid("the parser crashed on this document".into())
}

/// Start the poller of `plan` on its own task. `now` wakes it for an immediate fetch.
/// `parts`: see [`poll_source`].
pub fn spawn(
    plan: Plan,
    fetcher: HttpFetcher,
    tx: mpsc::Sender<Msg>,
    now: Arc<Notify>,
    parts: bool,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(poll_source(plan, fetcher, tx, now, parts))
}

/// The whole life of one source's poller; ends when the receiver is gone. A big first
/// document goes to `tx` in parts while it is read (`Msg::Preview`, see [`Parts`]) when
/// `parts` is set, as the screen wants it; otherwise whole, once read.
pub async fn poll_source(
    plan: Plan,
    fetcher: HttpFetcher,
    tx: mpsc::Sender<Msg>,
    now: Arc<Notify>,
    parts: bool,
) {
    let seed = seed(plan.index);
    match plan.location {
        Location::Demo => run_demo(plan.index, tx, now).await,
        _ => {
            let schedule = Schedule::new(plan.interval, seed);
            let index = plan.index;
            let to = PreviewTo {
                source: index,
                tx: tx.clone(),
                parts,
            };
            let fetch = NetFetch::new(plan, fetcher).previewing(to);
            run(index, fetch, schedule, tx, now).await
        }
    }
}

fn seed(index: usize) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_usize(index);
    h.finish()
}

/// The poll loop of one source: attempt, report, wait (or be woken by "fetch now", which
/// never cuts short a server's `Retry-After`).
pub async fn run<F: Fetch>(
    index: usize,
    mut fetch: F,
    mut schedule: Schedule,
    tx: mpsc::Sender<Msg>,
    now: Arc<Notify>,
) {
    loop {
        if tx.send(Msg::Fetching { source: index }).await.is_err() {
            return;
        }
        let attempt = fetch.attempt().await;
        let delay = schedule.next_delay(&attempt);
        crate::log::write(
            if matches!(attempt.result, PollResult::Failed(_)) {
                crate::log::Level::Warn
            } else {
                crate::log::Level::Info
            },
            &format!(
                "source {index}: {}; next poll in {}s",
                describe(&attempt.result),
                delay.as_secs()
            ),
        );
        let hold = attempt.retry_after.map(|_| Instant::now() + delay);
        let at = Timestamp::now();
        let msg = Msg::Fetched {
            source: index,
            at,
            result: attempt.result,
            next_due: at.checked_add(delay).ok(),
        };
        if tx.send(msg).await.is_err() {
            return;
        }
        #[cfg(debug_assertions)]
        crate::app::debug_panic("poller");
        let deadline = Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => break,
                () = now.notified() => {
                    if hold.is_none_or(|h| Instant::now() >= h) {
                        break;
                    }
                }
            }
        }
    }
}

/// The demo: documents come from the replay clock instead of the network, then go through
/// the same parser and messages as any fetched document.
async fn run_demo(index: usize, tx: mpsc::Sender<Msg>, now: Arc<Notify>) {
    let started = Instant::now();
    let demo = Demo::new(Timestamp::now());
    let mut last = None;
    loop {
        let elapsed = started.elapsed();
        let doc = Body::new(demo.document(elapsed).into_bytes());
        let result = if last == Some(doc.hash) {
            PollResult::Unchanged
        } else {
            last = Some(doc.hash);
            match read_whole(doc.bytes, None, Caps::default()).await {
                Ok(snapshot) => PollResult::Snapshot(snapshot),
                Err(e) => PollResult::Failed(e.to_string()),
            }
        };
        let next = demo.next_change(elapsed);
        let at = Timestamp::now();
        let next_due = next.and_then(|n| at.checked_add(n.saturating_sub(elapsed)).ok());
        let msg = Msg::Fetched {
            source: index,
            at,
            result,
            next_due,
        };
        if tx.send(msg).await.is_err() {
            return;
        }
        #[cfg(debug_assertions)]
        crate::app::debug_panic("poller");
        match next {
            Some(n) => tokio::select! {
                () = tokio::time::sleep_until(started + n) => {}
                () = now.notified() => {}
            },
            None => now.notified().await,
        }
    }
}

#[cfg(test)]
mod tests;
