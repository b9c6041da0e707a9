//! Reading a document while it arrives.
//!
//! A JSON Feed whose first member is its `version` (as feeds write it) is read item by item
//! as the bytes come in: the document is never held whole, only the entries made from it,
//! and the reading overlaps the download. An RSS 2.0 or Atom feed is read a run of items at
//! a time as they come in (see [`super::syndication::stream`]). Any other document is
//! gathered and read whole when it is complete, exactly as [`super::parse`] reads it.

use std::sync::Arc;

use super::html::stream::{self as page};
use super::jsonfeed::stream::Streamed;
use super::split::{Kind, Piece, SplitError, Splitter};
use super::syndication::Found;
use super::syndication::stream as xml;
use super::{FormatError, body_start, is_xml, mapping::Mapping, parse_mapped, parse_previewing};
pub use crate::entry::Prepared;
use crate::entry::{Entry, Snapshot};
use crate::par::Helper;

/// What a caller does to each entry of a document read piece by piece, as soon as it is
/// made and on the core that made it: for the poller, cut it to the caps, fold it for the
/// filter and make it into the form the store holds. The folded and held forms go to
/// `snapshot.folded` and `snapshot.held`, one per entry.
pub type Ready<'a> = &'a (dyn Fn(&mut Entry) -> Prepared + Sync);

/// What a helper made of a run of items.
pub enum Made {
    /// The entries of a JSON Feed's or an RSS or Atom feed's items, each with what
    /// [`Ready`] made of it, in order; or why an item could not be read.
    Entries(Vec<Result<(Entry, Option<Prepared>), FormatError>>),
    /// The updates of a JSON-LD live blog, read but not given their ids yet (those depend
    /// on the updates before them): see [`super::jsonld::stream`].
    Updates(Vec<super::jsonld::stream::Read>),
}

impl Made {
    /// The entries of a feed's run. A helper serves one document, so its runs are all of
    /// one kind: a run of updates here is a mistake in the program.
    pub fn entries(self) -> Vec<Result<(Entry, Option<Prepared>), FormatError>> {
        match self {
            Made::Entries(entries) => entries,
            Made::Updates(_) => unreachable!("a feed's helper made JSON-LD updates"),
        }
    }
}

/// A document whose first member is still unknown after this many bytes is read whole.
const SNIFF: usize = 64 * 1024;

/// An angle-bracket document is known to be a page or a feed once this many bytes are in
/// (see [`is_xml`]).
const HTML_SNIFF: usize = 1024;

/// Items are read in runs of about this many bytes, each run spread over the cores.
pub const RUN: usize = 256 * 1024;

/// Items are handed to a helper in runs of about this many bytes: a few runs are out at
/// most (see [`Helper::OUT`]), and each is memory held beside the entries.
pub const HELPED_RUN: usize = 32 * 1024;

/// A document being read; see the module's documentation.
pub struct Reader<'a> {
    state: State,
    mapping: Option<Mapping>,
    ready: Option<Ready<'a>>,
    helper: Option<Helper<'a, Made>>,
}

enum State {
    /// Not known yet whether the document can be read piece by piece: its first bytes are
    /// kept, and the splitter looks for its first member.
    Sniffing { head: Vec<u8>, split: Splitter },
    /// A JSON Feed, read piece by piece.
    Feed {
        split: Splitter,
        feed: Box<Streamed>,
    },
    /// An RSS 2.0 or Atom feed, read a run of items at a time.
    Xml(Box<xml::Streamed>),
    /// An HTML page, its JSON-LD live blog read a run of updates at a time.
    Page(Box<page::Streamed>),
    /// Anything else, gathered to be read whole.
    Whole(Vec<u8>),
}

impl<'a> Reader<'a> {
    /// A reader for one document; `mapping` reads it through a source's mapping (always
    /// whole). `size_hint`: the announced length, if any.
    pub fn new(mapping: Option<Mapping>, size_hint: usize) -> Reader<'a> {
        let state = if mapping.is_some() {
            State::Whole(Vec::with_capacity(size_hint))
        } else {
            State::Sniffing {
                head: Vec::new(),
                split: Splitter::new("items"),
            }
        };
        Reader {
            state,
            mapping,
            ready: None,
            helper: None,
        }
    }

    /// Read the items of a JSON Feed, RSS or Atom feed with `helper`, if any: while this
    /// thread reads on, it makes the entries of a run (see [`Helper`]).
    pub fn helped(self, helper: Option<Helper<'a, Made>>) -> Reader<'a> {
        Reader { helper, ..self }
    }

    /// Read the pieces of a JSON Feed completed so far (see [`read_helped_pieces`]).
    fn read_feed(&mut self, split: &mut Splitter, feed: &mut Streamed) -> Result<(), FormatError> {
        read_helped_pieces(split, feed, self.ready, self.helper.as_mut(), false)
    }

    /// Hand each entry to `ready` as soon as it is made (only a document read piece by
    /// piece makes entries before it ends).
    pub fn preparing(self, ready: Ready<'a>) -> Reader<'a> {
        Reader {
            ready: Some(ready),
            ..self
        }
    }

    /// Take the next bytes of the document.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FormatError> {
        let state = std::mem::replace(&mut self.state, State::Whole(Vec::new()));
        self.state = match state {
            State::Whole(mut bytes) => {
                bytes.extend_from_slice(chunk);
                State::Whole(bytes)
            }
            State::Feed {
                mut split,
                mut feed,
            } => {
                split.push(chunk).map_err(broken)?;
                self.read_feed(&mut split, &mut feed)?;
                State::Feed { split, feed }
            }
            State::Xml(mut feed) => match feed.push(chunk, self.ready, self.helper.as_mut())? {
                None => State::Xml(feed),
                Some(whole) => State::Whole(whole),
            },
            State::Page(mut page) => {
                page.push(chunk, self.ready, self.helper.as_mut())?;
                State::Page(page)
            }
            State::Sniffing { mut head, split } if starts_xml(&head, chunk) => {
                head.extend_from_slice(chunk);
                // No JSON starts with `<`: the splitter is not needed.
                let body = &head[body_start(&head)..];
                if body.len() >= HTML_SNIFF && !is_xml(body) {
                    let page = page::Streamed::new(head, self.ready, self.helper.as_mut())?;
                    self.state = State::Page(Box::new(page));
                    return Ok(());
                }
                match xml::sniff(&head) {
                    Found::Yes(()) => match xml::Streamed::new(head) {
                        Ok(feed) => State::Xml(Box::new(feed)),
                        Err(head) => State::Whole(head),
                    },
                    Found::More if head.len() <= SNIFF => State::Sniffing { head, split },
                    Found::More | Found::No => State::Whole(head),
                }
            }
            State::Sniffing {
                mut head,
                mut split,
            } => {
                head.extend_from_slice(chunk);
                let pushed = split.push(chunk);
                let feed = match split.ready().first() {
                    Some(Piece {
                        kind: Kind::Member(key),
                        range,
                    }) if key == "version" => {
                        Streamed::new(&split.buffer()[range.clone()]).map(Box::new)
                    }
                    _ => None,
                };
                match (feed, pushed) {
                    (Some(mut feed), Ok(())) => {
                        drop(head);
                        self.read_feed(&mut split, &mut feed)?;
                        State::Feed { split, feed }
                    }
                    // A JSON Feed broken early is broken: no need to wait for the rest.
                    (Some(_), Err(e)) => return Err(broken(e)),
                    // Not an object, broken, or not a JSON Feed: reading it whole says what
                    // it is.
                    (None, Err(_)) => State::Whole(head),
                    (None, Ok(())) if !split.ready().is_empty() || head.len() > SNIFF => {
                        State::Whole(head)
                    }
                    (None, Ok(())) => State::Sniffing { head, split },
                }
            }
        };
        Ok(())
    }

    /// Wait for the entries the helper is still making of the bytes pushed so far, and
    /// take them in (so that they count in [`Reader::entries_so_far`], and a part can
    /// show them even if the rest of the document never comes).
    pub fn settle(&mut self) -> Result<(), FormatError> {
        let Some(helper) = &mut self.helper else {
            return Ok(());
        };
        match &mut self.state {
            State::Feed { feed, .. } => feed.collect(helper, true),
            State::Xml(feed) => feed.collect(helper, true),
            State::Page(page) => page.collect(helper),
            _ => Ok(()),
        }
    }

    /// How many entries were made so far (only a document read piece by piece makes
    /// them before it ends).
    pub fn entries_so_far(&self) -> usize {
        match &self.state {
            State::Feed { feed, .. } => feed.entries_so_far(),
            State::Xml(feed) => feed.entries_so_far(),
            State::Page(page) => page.entries_so_far(),
            _ => 0,
        }
    }

    /// The entries made so far as a part of the document (see [`Snapshot::more`]), taken
    /// out of it, when they are final already. Only a JSON Feed, RSS or Atom feed read
    /// piece by piece gives parts, and only one that lists its entries newest first (judged
    /// on the `first` part); `None` for any other document, and for a feed whose entries
    /// may still change at its end (their ids or authors come from elsewhere): it never
    /// gives one later.
    pub fn take_part(&mut self, first: bool) -> Option<Snapshot> {
        match &mut self.state {
            State::Feed { feed, .. } => feed.take_part(first),
            State::Xml(feed) => feed.take_part(first),
            _ => None,
        }
    }

    /// The document is complete: read what is left. A document read whole hands its
    /// headlines to `preview` first when it can (see [`super::parse_previewing`]).
    pub fn finish(
        self,
        preview: Option<&mut dyn FnMut(Snapshot)>,
    ) -> Result<Snapshot, FormatError> {
        let Reader {
            state,
            mapping,
            ready,
            mut helper,
        } = self;
        match (state, mapping) {
            (State::Whole(bytes), Some(m)) => parse_mapped(&bytes, &m),
            (State::Whole(bytes) | State::Sniffing { head: bytes, .. }, None) => {
                parse_previewing(&bytes, preview)
            }
            (State::Sniffing { head, .. }, Some(m)) => parse_mapped(&head, &m),
            (State::Page(page), _) => page.finish(ready, helper.as_mut())?.read(preview),
            (State::Xml(feed), _) => feed.finish(ready, helper.as_mut())?.read(preview),
            (
                State::Feed {
                    mut split,
                    mut feed,
                },
                _,
            ) => {
                split.finish().map_err(broken)?;
                read_helped_pieces(&mut split, feed.as_mut(), ready, helper.as_mut(), true)?;
                if let Some(helper) = &mut helper {
                    feed.collect(helper, true)?;
                }
                feed.finish(split.arrays() > 0)
            }
        }
    }
}

/// Whether a document whose first bytes are `head` and then `chunk` starts with `<` (after a
/// byte order mark and white space).
fn starts_xml(head: &[u8], chunk: &[u8]) -> bool {
    match head.get(body_start(head)) {
        Some(&b) => b == b'<',
        // Only white space so far (or the start of a byte order mark).
        None => {
            let both = [head, chunk].concat();
            both.get(body_start(&both)) == Some(&b'<')
        }
    }
}

fn broken(e: SplitError) -> FormatError {
    FormatError::Invalid(e.to_string())
}

/// What became of a document read a run at a time, at its end.
pub enum Finished {
    Read(Snapshot),
    /// The document, to be read whole.
    Whole(Vec<u8>),
}

impl Finished {
    /// The snapshot, reading the document whole if it was handed back.
    fn read(self, preview: Option<&mut dyn FnMut(Snapshot)>) -> Result<Snapshot, FormatError> {
        match self {
            Finished::Read(snapshot) => Ok(snapshot),
            Finished::Whole(bytes) => parse_previewing(&bytes, preview),
        }
    }
}

/// A document read piece by piece from a [`Splitter`]: the members of its top-level object
/// one by one, the elements of its split list in runs.
pub(crate) trait Pieces {
    fn member(&mut self, key: &str, value: &[u8]) -> Result<(), FormatError>;
    /// A run of elements, each handed to `ready` (if any) once its entry is made.
    fn items(&mut self, raw: &[&[u8]], ready: Option<Ready>) -> Result<(), FormatError>;
    /// The elements at `ranges` of `bytes`, made into entries by `helper` (see
    /// [`Helper::run`]); the entries made so far are added, in order.
    fn run<'a>(
        &mut self,
        bytes: Arc<[u8]>,
        ranges: Vec<std::ops::Range<usize>>,
        ready: Option<Ready<'a>>,
        helper: &mut Helper<'a, Made>,
    ) -> Result<(), FormatError>;
    /// Add the entries `helper` made, in order, as far as they are done (all of them when
    /// `wait`).
    fn collect(&mut self, helper: &mut Helper<Made>, wait: bool) -> Result<(), FormatError>;
}

impl Pieces for Streamed {
    fn member(&mut self, key: &str, value: &[u8]) -> Result<(), FormatError> {
        Streamed::member(self, key, value)
    }

    fn items(&mut self, raw: &[&[u8]], ready: Option<Ready>) -> Result<(), FormatError> {
        Streamed::items(self, raw, ready)
    }

    fn run<'a>(
        &mut self,
        bytes: Arc<[u8]>,
        ranges: Vec<std::ops::Range<usize>>,
        ready: Option<Ready<'a>>,
        helper: &mut Helper<'a, Made>,
    ) -> Result<(), FormatError> {
        Streamed::run(self, bytes, ranges, ready, helper)
    }

    fn collect(&mut self, helper: &mut Helper<Made>, wait: bool) -> Result<(), FormatError> {
        Streamed::collect(self, helper, wait)
    }
}

/// The pieces the splitter has completed, read as [`read_pieces`] reads them; with a
/// helper, their runs are read on two threads while this one goes on (see
/// [`Pieces::run`]). A member may then be read before the items ahead of it are taken
/// in: each format's reader allows for that (a feed's authors, a blog's own URL).
pub(crate) fn read_helped_pieces<'a>(
    split: &mut Splitter,
    feed: &mut impl Pieces,
    ready: Option<Ready<'a>>,
    helper: Option<&mut Helper<'a, Made>>,
    all: bool,
) -> Result<(), FormatError> {
    let Some(helper) = helper else {
        return read_pieces(split, feed, ready, all);
    };
    let pieces = split.ready();
    if pieces.is_empty() || (!all && pieces.last().is_some_and(|p| p.range.end < HELPED_RUN)) {
        return feed.collect(helper, false);
    }
    // The helper reads a copy of the pieces' bytes, at its size: the splitter keeps its
    // buffer for the bytes that come next.
    let end = pieces.last().map_or(0, |p| p.range.end);
    let bytes: Arc<[u8]> = split.buffer()[..end].into();
    let mut run = Vec::new();
    for piece in pieces {
        match &piece.kind {
            Kind::Element => run.push(piece.range.clone()),
            Kind::Member(key) => {
                if !run.is_empty() {
                    feed.run(bytes.clone(), std::mem::take(&mut run), ready, helper)?;
                }
                feed.member(key, &bytes[piece.range.clone()])?;
            }
        }
    }
    if !run.is_empty() {
        feed.run(bytes, run, ready, helper)?;
    }
    split.consume();
    Ok(())
}

/// Read the pieces the splitter has completed, once they add up to a run (or `all`):
/// members one by one, items a run at a time, in document order.
pub(crate) fn read_pieces(
    split: &mut Splitter,
    feed: &mut impl Pieces,
    ready: Option<Ready>,
    all: bool,
) -> Result<(), FormatError> {
    let pieces = split.ready();
    if pieces.is_empty() || (!all && pieces.last().is_some_and(|p| p.range.end < RUN)) {
        return Ok(());
    }
    let bytes = split.buffer();
    let mut run: Vec<&[u8]> = Vec::new();
    for piece in pieces {
        let value = &bytes[piece.range.clone()];
        match &piece.kind {
            Kind::Element => run.push(value),
            Kind::Member(key) => {
                if !run.is_empty() {
                    feed.items(&run, ready)?;
                    run.clear();
                }
                feed.member(key, value)?;
            }
        }
    }
    if !run.is_empty() {
        feed.items(&run, ready)?;
    }
    split.consume();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Held;
    use crate::query::Folded;
    use serde_json::json;

    fn feed(n: usize, extra: serde_json::Value) -> String {
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                json!({
                    "id": format!("e{i}"),
                    "title": format!("Headline {i}"),
                    "content_html": format!("<p>Body of {i}, {}.</p>", "words ".repeat(40)),
                    "date_published": "2026-03-01T12:00:00Z",
                })
            })
            .collect();
        // `version` first, as feeds write it; the extra members after the items.
        let mut doc = format!(
            r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Live","items":{}"#,
            serde_json::to_string(&items).unwrap()
        );
        for (k, v) in extra.as_object().unwrap() {
            doc.push_str(&format!(",{}:{v}", json!(k)));
        }
        doc.push('}');
        doc
    }

    /// An RSS feed of `n` items, each with a body of a few words.
    fn rss(n: usize) -> String {
        let mut rss = String::from("\n<rss version=\"2.0\"><channel><title>Live</title>");
        for i in 0..n {
            rss.push_str(&format!(
                "<item><guid>g{i}</guid><title>T{i}</title><description>{}</description></item>",
                "words ".repeat(20)
            ));
        }
        rss.push_str("</channel></rss>");
        rss
    }

    fn read_in(doc: &[u8], size: usize) -> Result<Snapshot, FormatError> {
        let mut reader = Reader::new(None, 0);
        doc.chunks(size).try_for_each(|c| reader.push(c))?;
        reader.finish(None)
    }

    /// `doc` pushed in pieces: after its first half, more than `least` entries are made;
    /// at its end, the snapshot is the one a whole read makes.
    fn made_before_the_end(doc: &str, least: usize) {
        let mut reader = Reader::new(None, 0);
        let half = doc.len() / 2;
        for chunk in doc.as_bytes()[..half].chunks(4096) {
            reader.push(chunk).unwrap();
        }
        let read = reader.entries_so_far();
        assert!(read > least, "{read} entries read from the first half");
        for chunk in doc.as_bytes()[half..].chunks(4096) {
            reader.push(chunk).unwrap();
        }
        let s = reader.finish(None).unwrap();
        assert_eq!(s, crate::format::parse(doc.as_bytes()).unwrap());
        assert_eq!(s.len(), 2_000);
    }

    #[test]
    fn entries_are_made_before_the_document_ends() {
        made_before_the_end(&feed(2_000, json!({})), 100);
        made_before_the_end(&rss(2_000), 500);
        let updates: Vec<serde_json::Value> = (0..2_000)
            .map(|i| {
                json!({
                    "@type": "BlogPosting",
                    "url": format!("https://x.test/live#u{i}"),
                    "headline": format!("T{i}"),
                    "articleBody": "words ".repeat(100),
                })
            })
            .collect();
        let blog =
            json!({"@type": "LiveBlogPosting", "headline": "Live", "liveBlogUpdate": updates});
        let page = format!(
            r#"<!DOCTYPE html><html><head><script type="application/ld+json">{blog}</script></head><body><p>Hi</p></body></html>"#
        );
        made_before_the_end(&page, 500);
    }

    #[test]
    fn feed_authors_after_the_items_still_reach_them() {
        let doc = feed(3, json!({"authors": [{"name": "Desk"}]}));
        let mut reader = Reader::new(None, 0);
        reader.push(doc.as_bytes()).unwrap();
        let s = reader.finish(None).unwrap();
        assert!(s.entries.iter().all(|e| e.authors == ["Desk"]));
        assert_eq!(s, crate::format::parse(doc.as_bytes()).unwrap());
    }

    /// A page with a JSON-LD live blog of `n` updates, the `i`-th at `url(i)`, with the
    /// blog's `extra` members after them.
    fn ld_page(n: usize, url: impl Fn(usize) -> String, extra: serde_json::Value) -> String {
        let updates: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                json!({
                    "@type": "BlogPosting",
                    "url": url(i),
                    "headline": format!("T{i}"),
                    "datePublished": "2026-03-01T12:00:00Z",
                    "articleBody": format!("<p>{i} {}</p>", "words ".repeat(30)),
                })
            })
            .collect();
        let mut blog = format!(
            r#"{{"@type":"LiveBlogPosting","headline":"Live","liveBlogUpdate":{}"#,
            serde_json::to_string(&updates).unwrap()
        );
        for (k, v) in extra.as_object().unwrap() {
            blog.push_str(&format!(",{}:{v}", json!(k)));
        }
        blog.push('}');
        format!(
            r#"<!DOCTYPE html><html><head><script type="application/ld+json">{blog}</script></head><body><p>Hi</p></body></html>"#
        )
    }

    /// The entries of a snapshot read with [`prepare`] or without, in order.
    fn entries_of(s: &Snapshot) -> Vec<Entry> {
        if s.held.is_empty() {
            return s.entries.clone();
        }
        let mut whole = s.entries.iter();
        let held = s.held.iter().zip(&s.folded);
        held.map(|(h, f)| match h {
            Some(h) => h.to_entry(f.headline().into_owned(), f.body().into_owned()),
            None => whole.next().cloned().unwrap_or_default(),
        })
        .collect()
    }

    /// An entry made ready for the store, as the poller does (without its caps).
    fn prepare(e: &mut Entry) -> Prepared {
        let folded = Folded::from_entry(e);
        (folded, Some(Held::new(std::mem::take(e))))
    }

    /// `doc` read in chunks of `size` with a helper thread, each entry made ready for the
    /// store when `prepared`.
    fn read_helped(doc: &[u8], size: usize, prepared: bool) -> Result<Snapshot, FormatError> {
        std::thread::scope(|scope| {
            let mut reader = Reader::new(None, 0).helped(Helper::start(scope));
            if prepared {
                reader = reader.preparing(&prepare);
            }
            doc.chunks(size).try_for_each(|c| reader.push(c))?;
            reader.finish(None)
        })
    }

    #[test]
    fn a_feed_read_with_a_helper_is_read_alike() {
        let mut atom =
            String::from(r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Live</title>"#);
        for i in 0..3_000 {
            atom.push_str(&format!(
                "<entry><id>e{i}</id><title>T{i}</title><content>{}</content></entry>",
                "words ".repeat(20)
            ));
        }
        atom.push_str("</feed>");
        let docs = [
            feed(3_000, json!({})),
            feed(
                3_000,
                json!({"authors": [{"name": "Desk"}], "title": "Late"}),
            ),
            feed(5, json!({})),
            feed(0, json!({})),
            rss(3_000),
            atom,
            ld_page(3_000, |i| format!("https://x.test/live#u{i}"), json!({})),
            // A URL shared by two updates far apart: the first one's id changes at the end.
            ld_page(
                3_000,
                |i| format!("https://x.test/live#u{}", if i == 2_900 { 7 } else { i }),
                json!({}),
            ),
            // Fragments that count positions, and the blog's own URL after its updates.
            ld_page(
                3_000,
                |i| format!("https://x.test/live#{}", i + 1),
                json!({"url": "https://x.test/live#2999"}),
            ),
        ];
        for doc in &docs {
            for prepared in [false, true] {
                let mut alone = Reader::new(None, 0);
                if prepared {
                    alone = alone.preparing(&prepare);
                }
                doc.as_bytes()
                    .chunks(4096)
                    .try_for_each(|c| alone.push(c))
                    .unwrap();
                let alone = alone.finish(None).unwrap();
                // (One feed names its title twice, which only a whole read minds.)
                if let Ok(whole) = crate::format::parse(doc.as_bytes()) {
                    let start = doc.get(..80).unwrap_or(doc);
                    assert_eq!(entries_of(&alone), whole.entries, "{start}");
                }
                for size in [4096, 100_000] {
                    let helped = read_helped(doc.as_bytes(), size, prepared).unwrap();
                    assert_eq!(helped, alone, "{} bytes in {size}", doc.len());
                }
            }
        }
        for doc in &docs[4..] {
            let read = read_helped(doc.as_bytes(), 4096, false).unwrap();
            assert_eq!(read.len(), 3_000);
        }
        let late = read_helped(docs[1].as_bytes(), 4096, false).unwrap();
        assert!(late.entries.iter().all(|e| e.authors == ["Desk"]));
        assert_eq!(late.len(), 3_000);
    }

    #[test]
    fn a_broken_item_read_by_a_helper_breaks_the_feed() {
        let good = feed(3_000, json!({}));
        let rss = rss(3_000);
        let page = ld_page(3_000, |i| format!("https://x.test/live#u{i}"), json!({}));
        for at in [3, 1_500, 2_999] {
            // An update that is not JSON, after the page was let go.
            let broken = page.replacen(&format!(r#""headline":"T{at}""#), r#""headline":}"#, 1);
            let read = read_helped(broken.as_bytes(), 4096, true);
            if at > 100 {
                assert!(
                    matches!(read, Err(FormatError::Invalid(_))),
                    "page {at}: {read:?}"
                );
            }
            let broken = good.replacen(&format!(r#""title":"Headline {at}""#), r#""title":{}"#, 1);
            let read = read_helped(broken.as_bytes(), 4096, true);
            assert!(
                matches!(read, Err(FormatError::Invalid(_))),
                "{at}: {read:?}"
            );
            // An item with a tag left open.
            let broken = rss.replacen(&format!("<title>T{at}</title>"), "<title>T", 1);
            let whole = crate::format::parse(broken.as_bytes());
            assert!(whole.is_err(), "{at}: {whole:?}");
            let read = read_helped(broken.as_bytes(), 4096, true);
            assert!(
                matches!(read, Err(FormatError::Invalid(_))),
                "rss {at}: {read:?}"
            );
        }
    }

    #[test]
    fn a_feed_without_its_version_first_is_read_whole() {
        let doc = r#"{"items":[{"id":"a","content_text":"x"}],"version":"https://jsonfeed.org/version/1"}"#;
        let mut reader = Reader::new(None, 0);
        reader.push(doc.as_bytes()).unwrap();
        assert_eq!(reader.entries_so_far(), 0);
        assert_eq!(reader.finish(None), crate::format::parse(doc.as_bytes()));
    }

    #[test]
    fn a_broken_item_stops_the_reading_before_the_end() {
        let good = feed(2_000, json!({}));
        let broken = good.replacen(r#""title":"Headline 3""#, r#""title":{}"#, 1);
        let mut reader = Reader::new(None, 0);
        let at = broken
            .as_bytes()
            .chunks(4096)
            .position(|c| reader.push(c).is_err())
            .expect("an error");
        assert!(at * 4096 < broken.len() / 2, "stopped at chunk {at}");
        let whole = crate::format::parse(broken.as_bytes());
        assert!(matches!(whole, Err(FormatError::Invalid(_))), "{whole:?}");
    }

    #[test]
    fn odd_feeds_read_alike_in_pieces_and_whole() {
        let docs = [
            feed(0, json!({})),
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"No items"}"#.to_string(),
            r#"{"version":"https://jsonfeed.org/version/1.1","items":{}}"#.to_string(),
            r#"{"version":"https://jsonfeed.org/version/1.1","items":[{"content_text":"no id"}]}"#
                .to_string(),
            r#"{"version":"2","items":[]}"#.to_string(),
            feed(
                2,
                json!({"_livefeed": {"ended": true}, "home_page_url": " https://x.test/ "}),
            ),
            r#"  {"version":"https://jsonfeed.org/version/1.1","items":[1]}"#.to_string(),
            "[]".to_string(),
            "<rss></rss>".to_string(),
        ];
        for doc in docs {
            let whole = crate::format::parse(doc.as_bytes());
            for size in [1, 7, 4096] {
                let arriving = read_in(doc.as_bytes(), size);
                match (&whole, &arriving) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc}"),
                    (Err(_), Err(_)) => {}
                    _ => panic!("{doc} in {size}: whole {whole:?}, arriving {arriving:?}"),
                }
            }
        }
    }
}
