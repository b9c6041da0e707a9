//! Scheduler tests: the arithmetic without a clock, and the loop on paused time.

use super::*;
use crate::entry::{Entry, Snapshot};
use std::collections::VecDeque;
use std::sync::Mutex;

fn ok() -> Attempt {
    Attempt {
        result: PollResult::Snapshot(Snapshot::default()),
        retry_after: None,
        max_age: None,
        ended: false,
    }
}

fn failed(retry_after: Option<u64>) -> Attempt {
    Attempt {
        result: PollResult::Failed("HTTP 503".into()),
        retry_after: retry_after.map(Duration::from_secs),
        max_age: None,
        ended: false,
    }
}

const SECS_30: Duration = Duration::from_secs(30);

#[test]
fn success_waits_the_interval_plus_a_small_fixed_offset() {
    for seed in 0..200 {
        let mut s = Schedule::new(SECS_30, seed);
        assert!(s.offset <= Duration::from_secs(3), "offset {:?}", s.offset);
        let d1 = s.next_delay(&ok());
        let d2 = s.next_delay(&ok());
        assert_eq!(d1, d2, "the offset is fixed per source");
        assert_eq!(d1, SECS_30 + s.offset);
    }
    let offsets: std::collections::HashSet<_> = (0..50)
        .map(|seed| Schedule::new(SECS_30, seed).offset)
        .collect();
    assert!(offsets.len() > 10, "sources get different offsets");
}

#[test]
fn failures_back_off_with_full_jitter_capped_and_reset_on_success() {
    let mut s = Schedule::new(SECS_30, 7);
    let mut ceilings = Vec::new();
    for n in 1..=12u32 {
        let d = s.next_delay(&failed(None));
        let ceiling = (SECS_30 * 2u32.pow(n)).min(BACKOFF_CAP);
        assert!(d <= ceiling, "failure {n}: {d:?} > {ceiling:?}");
        assert!(d >= Duration::from_secs(1));
        ceilings.push(ceiling);
        assert_eq!(s.failures, n);
    }
    assert_eq!(*ceilings.last().unwrap(), BACKOFF_CAP);
    s.next_delay(&ok());
    assert_eq!(s.failures, 0);
    // The jitter really spreads: many draws at the cap are not all alike.
    let mut s = Schedule::new(SECS_30, 99);
    s.failures = 10;
    let draws: Vec<Duration> = (0..100).map(|_| s.next_delay(&failed(None))).collect();
    assert!(draws.iter().any(|d| *d < BACKOFF_CAP / 2));
    assert!(draws.iter().any(|d| *d > BACKOFF_CAP / 2));
}

#[test]
fn retry_after_and_max_age_are_honoured() {
    let mut s = Schedule::new(SECS_30, 1);
    assert_eq!(s.next_delay(&failed(Some(40))), Duration::from_secs(40));
    assert_eq!(s.next_delay(&failed(Some(3600))), Duration::from_secs(3600));
    let mut a = ok();
    a.max_age = Some(Duration::from_secs(300));
    assert_eq!(s.next_delay(&a), Duration::from_secs(300));
    a.max_age = Some(Duration::from_secs(5));
    assert_eq!(
        s.next_delay(&a),
        SECS_30 + s.offset,
        "max-age is a floor, not a target"
    );
}

#[test]
fn an_ended_blog_is_polled_ten_times_less_often() {
    let mut s = Schedule::new(SECS_30, 1);
    let mut a = ok();
    a.ended = true;
    assert_eq!(s.next_delay(&a), (SECS_30 + s.offset) * 10);
}

/// A scripted source: answers in order (the last repeats), logs when each attempt ran,
/// and counts attempts in flight.
struct Script {
    answers: VecDeque<Attempt>,
    log: Arc<Mutex<Vec<Instant>>>,
    in_flight: Arc<Mutex<(u32, u32)>>,
}

impl Fetch for Script {
    async fn attempt(&mut self) -> Attempt {
        {
            let mut f = self.in_flight.lock().unwrap();
            f.0 += 1;
            f.1 = f.1.max(f.0);
        }
        self.log.lock().unwrap().push(Instant::now());
        // A request that takes a while.
        tokio::time::sleep(Duration::from_secs(2)).await;
        self.in_flight.lock().unwrap().0 -= 1;
        if self.answers.len() > 1 {
            self.answers.pop_front().unwrap()
        } else {
            self.answers[0].clone()
        }
    }
}

struct Rig {
    log: Arc<Mutex<Vec<Instant>>>,
    in_flight: Arc<Mutex<(u32, u32)>>,
    rx: mpsc::Receiver<Msg>,
    now: Arc<Notify>,
    start: Instant,
}

fn rig(answers: Vec<Attempt>, interval: Duration) -> Rig {
    let log = Arc::new(Mutex::new(Vec::new()));
    let in_flight = Arc::new(Mutex::new((0, 0)));
    let script = Script {
        answers: answers.into(),
        log: log.clone(),
        in_flight: in_flight.clone(),
    };
    let (tx, rx) = mpsc::channel(1024);
    let now = Arc::new(Notify::new());
    let mut schedule = Schedule::new(interval, 3);
    schedule.offset = Duration::ZERO;
    tokio::spawn(run(0, script, schedule, tx, now.clone()));
    Rig {
        log,
        in_flight,
        rx,
        now,
        start: Instant::now(),
    }
}

impl Rig {
    /// Seconds after the start at which each attempt began.
    fn times(&self) -> Vec<u64> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|t| (*t - self.start).as_secs())
            .collect()
    }

    async fn drain(&mut self) -> Vec<Msg> {
        let mut out = Vec::new();
        while let Ok(m) = self.rx.try_recv() {
            out.push(m);
        }
        out
    }
}

#[tokio::test(start_paused = true)]
async fn polls_on_the_interval_with_one_request_in_flight() {
    let mut r = rig(vec![ok()], Duration::from_secs(30));
    tokio::time::sleep(Duration::from_secs(100)).await;
    // Each attempt takes 2 s, then the 30 s wait starts.
    assert_eq!(r.times(), [0, 32, 64, 96]);
    assert_eq!(
        r.in_flight.lock().unwrap().1,
        1,
        "never two requests at once"
    );
    let msgs = r.drain().await;
    assert!(matches!(msgs[0], Msg::Fetching { source: 0 }));
    assert!(matches!(msgs[1], Msg::Fetched { .. }));
}

#[tokio::test(start_paused = true)]
async fn fetch_now_wakes_the_poller_but_not_before_retry_after() {
    let mut r = rig(vec![ok(), failed(Some(60)), ok()], Duration::from_secs(30));
    tokio::time::sleep(Duration::from_secs(10)).await;
    r.now.notify_one(); // at 10 s: fetch now
    tokio::time::sleep(Duration::from_secs(10)).await;
    // The second attempt (at 10 s) got a 503 with Retry-After: 60.
    assert_eq!(r.times(), [0, 10]);
    r.now.notify_one(); // at 20 s: refused, the server asked for 60 s from 12 s
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(r.times(), [0, 10]);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(r.times(), [0, 10, 72]);
    r.drain().await;
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_then_resets_after_a_success() {
    let answers = vec![
        failed(None),
        failed(None),
        failed(None),
        failed(None),
        ok(),
        ok(),
    ];
    let r = rig(answers, Duration::from_secs(10));
    tokio::time::sleep(Duration::from_secs(2000)).await;
    let t = r.times();
    let gaps: Vec<u64> = t.windows(2).map(|w| w[1] - w[0] - 2).collect();
    // Failure n waits at most 10·2ⁿ s; after the first success it is the interval again.
    for (n, gap) in gaps.iter().take(4).enumerate() {
        assert!(*gap <= 10 * 2u64.pow(n as u32 + 1), "gap {n} = {gap}");
    }
    assert_eq!(gaps[4], 10);
    assert_eq!(gaps[5], 10);
}

#[tokio::test(start_paused = true)]
async fn the_poller_stops_when_the_receiver_is_gone() {
    let r = rig(vec![ok()], Duration::from_secs(1));
    drop(r.rx);
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(r.log.lock().unwrap().len() <= 1);
}

#[tokio::test(start_paused = true)]
async fn ended_blogs_slow_down() {
    let mut a = ok();
    a.ended = true;
    let r = rig(vec![a], Duration::from_secs(30));
    tokio::time::sleep(Duration::from_secs(700)).await;
    assert_eq!(r.times(), [0, 302, 604]);
}

#[test]
fn a_snapshot_attempt_carries_entries() {
    let mut a = ok();
    a.result = PollResult::Snapshot(Snapshot {
        entries: vec![Entry::default()],
        ..Snapshot::default()
    });
    assert!(matches!(a.result, PollResult::Snapshot(ref s) if s.entries.len() == 1));
}

/// A prepared snapshot holds each body once, in its folded form, folded with the authors
/// the entry ends up with, even when the feed names them after its items.
#[tokio::test]
async fn a_prepared_snapshot_holds_bodies_folded_with_their_final_authors() {
    let items: Vec<serde_json::Value> = (0..2_000)
        .map(|i| {
            serde_json::json!({
                "id": format!("e{i}"),
                "content_html": format!("<p>Body of Entry {i}, {}.</p>", "words ".repeat(40)),
            })
        })
        .collect();
    let doc = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","items":{},"authors":[{{"name":"Late Desk"}}]}}"#,
        serde_json::to_string(&items).unwrap()
    );
    let whole = crate::format::parse(doc.as_bytes()).unwrap();
    let s = read_whole(doc.into_bytes(), None, Caps::default())
        .await
        .unwrap();
    assert!(
        s.entries.is_empty(),
        "every entry is held, in no other form"
    );
    assert_eq!(
        (s.len(), s.folded.len(), s.held.len()),
        (2_000, 2_000, 2_000)
    );
    for ((f, h), want) in s.folded.iter().zip(&s.held).zip(&whole.entries) {
        let h = h.as_ref().expect("every entry is made into its held form");
        assert_eq!(f.body(), want.text);
        assert!(h.authors().eq(["Late Desk"]));
        assert_eq!(f.authors(), "late desk");
        assert_eq!(*f, crate::query::Folded::from_entry(want));
        assert_eq!(
            h.to_entry(f.headline().into_owned(), f.body().into_owned()),
            *want
        );
    }
    assert_eq!(s.entry(1_999).as_ref(), whole.entries.last());
}

/// An entry made ready for the store is made into its held form on the core that made it
/// (all its strings in one block), and nothing of it is left behind; one whose id is still
/// to be made from its text stays whole.
#[test]
fn a_prepared_entry_is_made_into_its_held_form() {
    let mut e = Entry {
        id: "a".into(),
        title: "Title".into(),
        text: "Body".into(),
        published: Some("2026-01-01T10:00:00Z".parse().unwrap()),
        pinned: true,
        ..Entry::default()
    };
    e.authors.push("Desk".into());
    e.links.push("https://example.test/a".into());
    e.images.push(crate::entry::Image::default());
    let whole = e.clone();
    let (folded, held) = Prepare::new(Caps::default(), true).entry(&mut e);
    let held = held.expect("an entry with an id is held");
    assert_eq!(
        held.to_entry(folded.headline().into_owned(), folded.body().into_owned()),
        whole
    );
    assert_eq!(e, Entry::default(), "nothing is left behind");
    let mut no_id = Entry {
        text: "Body".into(),
        ..Entry::default()
    };
    let (_, held) = Prepare::new(Caps::default(), true).entry(&mut no_id);
    assert!(held.is_none());
    assert_eq!(no_id.text, "Body");
}

/// A chunk from the network goes to the reader in pieces of at most `PIECE` bytes, in
/// order and without copies, so what waits for the reader is bounded in bytes.
#[test]
fn chunks_go_to_the_reader_in_small_pieces_of_the_same_memory() {
    for len in [0, 1, PIECE - 1, PIECE, PIECE + 1, 356 * 1024] {
        let chunk = bytes::Bytes::from((0..len).map(|i| i as u8).collect::<Vec<u8>>());
        let start = chunk.as_ptr() as usize;
        let cut: Vec<bytes::Bytes> = pieces(chunk.clone()).collect();
        assert_eq!(cut.len(), len.div_ceil(PIECE), "{len}");
        assert!(cut.iter().all(|p| !p.is_empty() && p.len() <= PIECE));
        assert_eq!(cut.concat(), chunk.to_vec());
        let mut at = start;
        for p in &cut {
            assert_eq!(p.as_ptr() as usize, at, "a slice of the chunk, not a copy");
            at += p.len();
        }
    }
}

/// A snapshot the poller made ready (its entries held, in no other form) merges as a whole
/// one does: the first is the baseline, a later one adds what is new.
#[tokio::test]
async fn prepared_snapshots_merge_like_whole_ones() {
    let doc = |n: usize| {
        let items: Vec<serde_json::Value> = (0..n)
            .rev()
            .map(|i| {
                serde_json::json!({
                    "id": format!("e{i}"),
                    "title": format!("Title {i}"),
                    "date_published": format!("2026-01-01T10:{i:02}:00Z"),
                    "content_html": "<p>Body</p>",
                })
            })
            .collect();
        serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "items": items})
            .to_string()
    };
    let now = Timestamp::now();
    let mut store = crate::store::Store::new();
    let mut whole = crate::store::Store::new();
    for n in [2, 3, 3] {
        let prepared = read_whole(doc(n).into_bytes(), None, Caps::default())
            .await
            .unwrap();
        assert!(prepared.entries.is_empty() && prepared.len() == n);
        let report = store.merge(0, prepared, now);
        let want = whole.merge(0, crate::format::parse(doc(n).as_bytes()).unwrap(), now);
        assert_eq!(report, want, "{n} entries");
    }
    assert_eq!(store.new_count(), 1);
    let entries = |s: &crate::store::Store| s.iter().map(|e| e.to_entry()).collect::<Vec<_>>();
    assert_eq!(entries(&store), entries(&whole));
}

/// Entries whose ids are made from their text wait, whole, for the end of the document
/// beside the held ones; the snapshot the poller makes of them is the one a whole read
/// makes, in order, also when the feed names its authors after its items and when the
/// number of entries is capped.
#[tokio::test]
async fn entries_without_ids_are_held_in_their_place() {
    let items: Vec<serde_json::Value> = (0..600)
        .map(|i| {
            let mut item = serde_json::json!({
                "title": format!("Update {i}"),
                "date_published": format!("2026-01-01T{:02}:{:02}:00Z", i / 60, i % 60),
                // Long enough that the document (over 512 KB) is read with a helper.
                "content_html": format!("<p>Body {i} {}</p>", "words ".repeat(200)),
            });
            if i % 3 != 0 {
                item["id"] = format!("e{i}").into();
            }
            if i % 5 == 0 {
                item["authors"] = serde_json::json!([{"name": "Own"}]);
            }
            item
        })
        .collect();
    // The version first, so that the document is read item by item as it comes.
    let doc = format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","items":{},"authors":[{{"name":"Late Desk"}}]}}"#,
        serde_json::to_string(&items).unwrap()
    );
    assert!(doc.len() > 2 * crate::format::RUN, "{} bytes", doc.len());
    let whole = crate::format::parse(doc.as_bytes()).unwrap();
    for cap in [600, 250] {
        let caps = Caps {
            entries: cap,
            ..Caps::default()
        };
        let s = read_whole(doc.clone().into_bytes(), None, caps)
            .await
            .unwrap();
        assert!(s.entries.is_empty() && s.held.iter().all(Option::is_some));
        let read: Vec<Entry> = (0..s.len()).filter_map(|i| s.entry(i)).collect();
        assert_eq!(read, whole.entries[..cap], "cap {cap}");
        for (f, e) in s.folded.iter().zip(&read) {
            assert_eq!(*f, crate::query::Folded::from_entry(e));
        }
    }
}

/// A big RSS feed is read a run of items at a time while it comes: the snapshot the poller
/// makes of it (every entry held, folded as made) is the one a whole read makes.
#[tokio::test]
async fn a_big_rss_feed_is_prepared_as_it_is_read() {
    let mut doc = String::from(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Live</title>"#,
    );
    // Over 512 KB: read with a helper.
    for i in 0..3_000 {
        let guid = if i % 4 == 0 {
            String::new()
        } else {
            format!("<guid>g{i}</guid>")
        };
        doc.push_str(&format!(
            "<item>{guid}<title>Update {i}</title><dc:creator>Desk</dc:creator>\
             <pubDate>Tue, 14 May 2024 16:{:02}:00 GMT</pubDate>\
             <description><![CDATA[<p>Body of update {i}, {}.</p>]]></description></item>\n",
            i % 60,
            "words ".repeat(20)
        ));
    }
    doc.push_str("</channel></rss>");
    assert!(doc.len() > 2 * crate::format::RUN, "{} bytes", doc.len());
    prepared_as_read_whole(doc, "rss").await;
}

/// The snapshot the poller makes of `doc` (titled "Live", in `format`) holds every entry,
/// folded as made, and is the one a whole read makes.
async fn prepared_as_read_whole(doc: String, format: &str) {
    let whole = crate::format::parse(doc.as_bytes()).unwrap();
    assert_eq!(whole.format, format);
    let s = read_whole(doc.into_bytes(), None, Caps::default())
        .await
        .unwrap();
    assert!(s.entries.is_empty() && s.held.iter().all(Option::is_some));
    assert_eq!((s.title.as_deref(), s.format), (Some("Live"), format));
    let read: Vec<Entry> = (0..s.len()).filter_map(|i| s.entry(i)).collect();
    assert_eq!(read, whole.entries);
    for (f, e) in s.folded.iter().zip(&read) {
        assert_eq!(*f, crate::query::Folded::from_entry(e));
    }
}

/// A page holding a big JSON-LD live blog: the snapshot the poller makes while it comes
/// (every entry held, folded as made) is the one a whole read makes, also when an update's
/// id only shows at the end: its URL is shared with a later update, is the page's own (named
/// after the updates), or its fragments turn out to count positions, or not (the last one
/// breaks the count); each of these alone, and none of them (the ids given while reading
/// are then kept as they are).
#[tokio::test]
async fn a_json_ld_page_is_prepared_as_it_is_read() {
    let page = |positional: bool, broken: bool, url_first: bool, shared: bool| {
        let updates: Vec<serde_json::Value> = (0..1_500)
            .map(|i| {
                let url = match i {
                    1_499 if broken => "https://x.test/live#post9999".to_string(),
                    _ if positional => format!("https://x.test/live#post{}", i + 1),
                    3 | 1_401 if shared => "https://x.test/live#shared".to_string(),
                    5 => "https://x.test/live/".to_string(),
                    // Held as the entry's URL only once cleaned.
                    9 => " https://x.test/live?a=1&amp;b=2#u9".to_string(),
                    // Numbered from 1,000: they do not count positions.
                    _ => format!("https://x.test/live#u{}", 1_000 + i),
                };
                let mut u = serde_json::json!({
                    "@type": "BlogPosting",
                    "url": url,
                    "headline": format!("Update {i}"),
                    "datePublished": format!("2024-05-14T16:{:02}:00Z", i % 60),
                    "author": {"@type": "Person", "name": "Desk"},
                    "articleBody": format!("<p>Body of update {i}, {}.</p>", "words ".repeat(20)),
                });
                if i % 7 == 0 {
                    u["identifier"] = serde_json::json!(i);
                }
                u
            })
            .collect();
        // The page's own URL before or after the updates (written by hand: serde_json's
        // map orders its keys).
        let updates = serde_json::Value::from(updates);
        let url = r#""url": "https://x.test/live""#;
        let (before, after) = if url_first { (url, "") } else { ("", url) };
        let blog = format!(
            r#"{{"@type": "LiveBlogPosting", "headline": "Live", {before}{}"liveBlogUpdate": {updates}{}{after}}}"#,
            if url_first { ", " } else { "" },
            if url_first { "" } else { ", " },
        );
        format!(
            r#"<!DOCTYPE html><html><head><title>Live</title><script type="application/ld+json">{blog}</script></head><body></body></html>"#
        )
    };
    for (positional, broken, url_first, shared) in [
        (false, false, false, true),
        (true, false, false, false),
        (true, true, false, false),
        // Each alone: a shared URL, positions that stop counting, the page's URL late.
        (false, false, true, true),
        (true, true, true, false),
        (false, false, false, false),
        // None: the ids given while reading stand.
        (false, false, true, false),
        (true, false, true, false),
    ] {
        let doc = page(positional, broken, url_first, shared);
        let whole = crate::format::parse(doc.as_bytes()).unwrap();
        assert_eq!(whole.format, "json-ld");
        let ids: Vec<&str> = whole.entries.iter().map(|e| e.id.as_str()).collect();
        let from_urls = ids.iter().filter(|id| id.starts_with('#')).count();
        match (positional, broken) {
            (false, _) => {
                assert_eq!(&ids[..2], ["0", "#u1001"]);
                // Every 7th has an identifier; the page's own URL and a shared one give none.
                assert_eq!(from_urls, 1_500 - 215 - 1 - 2 * usize::from(shared));
            }
            (true, false) => assert_eq!(from_urls, 0),
            (true, true) => {
                assert_eq!(&ids[..2], ["0", "#post2"]);
                assert_eq!(from_urls, 1_500 - 215);
            }
        }
        prepared_as_read_whole(doc, "json-ld").await;
    }
}
