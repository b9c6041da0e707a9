//! An RSS 2.0 or Atom feed read while it arrives, a run of items at a time, so that a big
//! document is never held whole: only the entries made from it, the bytes not read yet,
//! and what lies between the items (for the feed's title and links, read at the end).
//!
//! Until a document has shown `BY_ITEM_FROM` (64) items, all of it is kept: a small feed, or
//! one that cannot be cut at its items, is then read whole exactly as [`super::parse`]
//! reads it. From there on the items are read as in [`super::parse`] (each run in an
//! envelope of the document's start and end, every core taking runs in turn), and their
//! bytes are let go. An item that cannot be read even alone then fails the document: the
//! bytes before it are gone, so it is not read whole instead.

use std::ops::Range;
use std::sync::Arc;

use super::items::{self, Found, Step};
use super::{BY_ITEM_FROM, ITEMS_PER_PARSE, feed_error, parser, run_entries, snapshot};
use crate::entry::{Entry, Snapshot};
use crate::format::reader::{Finished, HELPED_RUN, Made, Ready};
use crate::format::{FormatError, body_start};
use crate::par::Helper;

/// Complete items are read once they add up to this many bytes (enough runs of
/// [`ITEMS_PER_PARSE`] items for every core to take several).
const RUN: usize = if cfg!(test) { 16 * 1024 } else { 1024 * 1024 };

/// Bytes of a document's start looked at to tell a feed from an HTML page (as
/// [`crate::format::parse`] does).
const HEAD: usize = 1024;

/// Whether `head`, the first bytes of a document that starts with `<` (after a byte order
/// mark and white space), is an RSS 2.0 or Atom feed that can be read while it arrives;
/// `More` until that is known.
pub fn sniff(head: &[u8]) -> Found<()> {
    let body = &head[body_start(head)..];
    match items::open(body) {
        Found::Yes(_) if body.len() < HEAD => Found::More,
        Found::Yes(_) if crate::format::is_xml(body) && super::detect(body) => Found::Yes(()),
        Found::Yes(_) | Found::No => Found::No,
        Found::More => Found::More,
    }
}

/// A feed being read; see the module's documentation.
pub struct Streamed {
    /// The document's start, up to the items' parent's start tag.
    open: Arc<[u8]>,
    close: &'static [u8],
    item: &'static [u8],
    /// The bytes not let go yet.
    buf: Vec<u8>,
    /// Whether bytes were let go (the document can no longer be read whole).
    dropped: bool,
    /// Where the search for items goes on in `buf`.
    at: usize,
    /// A tag or item was still open at `at`: search again once `buf` is this long, so that
    /// a huge item is not searched over again for every few bytes that arrive.
    wait_for: usize,
    /// From here on, the bytes of `buf` that are not items are not in `rest` yet.
    mark: usize,
    /// The document without its items, so far.
    rest: Vec<u8>,
    /// Complete items in `buf` not read yet.
    pending: Vec<Range<usize>>,
    /// Items found so far.
    found: usize,
    /// The entries so far, in the forms `ready` made (see [`Ready`]).
    snapshot: Snapshot,
}

impl Streamed {
    /// A feed whose first bytes `head` passed [`sniff`] (else `head` back).
    pub fn new(mut head: Vec<u8>) -> Result<Streamed, Vec<u8>> {
        head.drain(..body_start(&head));
        let Found::Yes(open) = items::open(&head) else {
            return Err(head);
        };
        Ok(Streamed {
            open: head[..open.end].into(),
            close: open.close,
            item: open.item,
            at: open.end,
            wait_for: 0,
            buf: head,
            dropped: false,
            mark: 0,
            rest: Vec::new(),
            pending: Vec::new(),
            found: 0,
            snapshot: Snapshot::default(),
        })
    }

    /// Take the next bytes, and read the items they complete once there are enough.
    /// `Some(document)`: it is to be read whole after all (it nests items); nothing was
    /// read of it.
    pub fn push<'a>(
        &mut self,
        chunk: &[u8],
        ready: Option<Ready<'a>>,
        helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<Option<Vec<u8>>, FormatError> {
        self.buf.extend_from_slice(chunk);
        if self.buf.len() < self.wait_for {
            return Ok(None);
        }
        if !self.find_items()? {
            return Ok(Some(std::mem::take(&mut self.buf)));
        }
        let waiting: usize = self.pending.iter().map(|r| r.len()).sum();
        let run = if helper.is_some() { HELPED_RUN } else { RUN };
        if self.found >= BY_ITEM_FROM && waiting >= run {
            self.read(false, ready, helper)?;
        }
        Ok(None)
    }

    /// How many entries were made so far.
    pub fn entries_so_far(&self) -> usize {
        self.snapshot.len()
    }

    /// The entries made so far, as a part of the document (see [`Snapshot::take_part`]).
    /// Each is final once made: it was read with all of the document before the items.
    /// Only once bytes were let go, when the document can no longer be read whole instead.
    pub fn take_part(&mut self, first: bool) -> Option<Snapshot> {
        if !self.dropped {
            return None;
        }
        self.snapshot.take_part(first, |_| true)
    }

    /// The document ended: read what is left, and the feed's title and links.
    pub fn finish<'a>(
        mut self,
        ready: Option<Ready<'a>>,
        helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<Finished, FormatError> {
        if !self.find_items()? || self.found < BY_ITEM_FROM {
            return Ok(Finished::Whole(self.buf));
        }
        self.read(true, ready, helper)?;
        self.rest.extend_from_slice(&self.buf[self.mark..]);
        drop(std::mem::take(&mut self.buf));
        let feed = parser().parse(&self.rest[..]).map_err(feed_error)?;
        let mut s = snapshot(feed, Vec::new())?;
        s.entries = std::mem::take(&mut self.snapshot.entries);
        s.held = std::mem::take(&mut self.snapshot.held);
        s.folded = std::mem::take(&mut self.snapshot.folded);
        Ok(Finished::Read(s))
    }

    /// Add the entries `helper` made, in order, as far as they are done (all of them when
    /// `wait`).
    pub fn collect(&mut self, helper: &mut Helper<Made>, wait: bool) -> Result<(), FormatError> {
        while let Some(made) = helper.next(wait) {
            self.snapshot.push_all(made.entries())?;
        }
        Ok(())
    }

    /// Find the items `buf` completes. `false`: an item holds another, and the document
    /// is still whole (it is to be read whole); an error if it is not.
    fn find_items(&mut self) -> Result<bool, FormatError> {
        loop {
            match items::step(&self.buf, self.at, self.item) {
                Step::Item(range) => {
                    self.rest
                        .extend_from_slice(&self.buf[self.mark..range.start]);
                    self.at = range.end;
                    self.mark = range.end;
                    self.pending.push(range);
                    self.found += 1;
                }
                Step::Other(end) => self.at = end,
                Step::End => return Ok(true),
                Step::Unended => {
                    self.wait_for = self.buf.len() + (self.buf.len() - self.at);
                    return Ok(true);
                }
                Step::Nested if self.dropped => {
                    return Err(FormatError::Invalid(
                        "feed: an item holds another item".into(),
                    ));
                }
                Step::Nested => return Ok(false),
            }
        }
    }

    /// Read the items found (in whole runs only, unless `all`), every core taking runs in
    /// turn (or this one and `helper`, which goes on with them while this one reads on),
    /// and let their bytes go.
    fn read<'a>(
        &mut self,
        all: bool,
        ready: Option<Ready<'a>>,
        helper: Option<&mut Helper<'a, Made>>,
    ) -> Result<(), FormatError> {
        let n = if all {
            self.pending.len()
        } else {
            self.pending.len() / ITEMS_PER_PARSE * ITEMS_PER_PARSE
        };
        let (open, buf, close) = (&self.open, &self.buf, self.close);
        let made = move |mut e: Entry| {
            let prepared = ready.map(|ready| ready(&mut e));
            (e, prepared)
        };
        if let Some(helper) = helper {
            if let (Some(first), Some(last)) = (self.pending.first(), self.pending[..n].last()) {
                // The helper reads a copy of the items (the bytes here are let go below).
                let bytes = buf[first.start..last.end].to_vec();
                let at = first.start;
                let items: Vec<Range<usize>> = self.pending[..n]
                    .iter()
                    .map(|r| r.start - at..r.end - at)
                    .collect();
                let open = Arc::clone(open);
                helper.run(Box::new(move || {
                    let mut out = Vec::with_capacity(items.len());
                    for run in items.chunks(ITEMS_PER_PARSE) {
                        match run_entries(&open, &bytes, run, close, made) {
                            Ok(entries) => out.extend(entries.into_iter().map(Ok)),
                            Err(e) => {
                                out.push(Err(FormatError::Invalid(e)));
                                break;
                            }
                        }
                    }
                    Made::Entries(out)
                }));
            }
            self.collect(helper, all)?;
        } else {
            let runs: Vec<&[Range<usize>]> = self.pending[..n].chunks(ITEMS_PER_PARSE).collect();
            let read = crate::par::map(&runs, 1, |run| {
                run_entries(open, buf, run, close, made).map_err(FormatError::Invalid)
            });
            for part in read {
                for (e, prepared) in part? {
                    self.snapshot.push(e, prepared);
                }
            }
        }
        // Let go of the bytes read: everything before the first item still waiting (or
        // before `mark`, past which the bytes between items are not in `rest` yet).
        let cut = self.pending.get(n).map_or(self.mark, |r| r.start);
        self.pending.drain(..n);
        self.buf.drain(..cut);
        self.dropped |= cut > 0;
        self.at -= cut;
        self.mark -= cut;
        self.wait_for = self.wait_for.saturating_sub(cut);
        for r in &mut self.pending {
            *r = r.start - cut..r.end - cut;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Reader, parse};

    /// An RSS feed of `n` items in Latin-1, with what makes cutting it hard: CDATA holding
    /// end tags, comments and look-alike elements between items, items without a guid.
    fn rss(n: usize) -> Vec<u8> {
        let mut doc = String::from(
            "\u{feff}\n  <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n\
             <!-- <item>not one</item> -->\n\
             <rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
             xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel><title>Caf&#233; live</title>",
        );
        for i in 0..n {
            let guid = if i % 3 == 0 {
                String::new()
            } else {
                format!("<guid>g{i}</guid>")
            };
            doc.push_str(&format!(
                "<item>{guid}<title>Update {i} caf\u{e9}</title><dc:creator>Ana {i}</dc:creator>\
                 <pubDate>Tue, 14 May 2024 16:{:02}:00 GMT</pubDate>\
                 <content:encoded><![CDATA[<p>Body {i} </item> with <a href=\"https://x.example/{i}\">a link</a></p>]]></content:encoded>\
                 <media:content url=\"https://x.example/{i}.jpg\" medium=\"image\"><media:description>Quay {i}</media:description></media:content>\
                 </item>\n<!-- <item> --><items>not one</items>\n",
                i % 60
            ));
            if i == 5 {
                doc.push_str("<link>https://x.example/live</link>");
            }
        }
        doc.push_str("</channel></rss>\n");
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend(
            doc.chars()
                .skip(1)
                .map(|c| u8::try_from(u32::from(c)).unwrap()),
        );
        bytes
    }

    fn atom(n: usize) -> Vec<u8> {
        let mut doc = String::from(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://y.example/live/"><title>Storm</title><link href="https://y.example/live"/>"#,
        );
        for i in 0..n {
            doc.push_str(&format!(
                r#"<entry><id>e{i}</id><title>Entry {i}</title><link href="entry-{i}"/><updated>2024-03-09T10:{:02}:00Z</updated><author><name>Kim</name></author><content type="html">&lt;p&gt;Storm {i} &lt;/p&gt;</content></entry>"#,
                i % 60
            ));
        }
        doc.push_str("</feed>");
        doc.into_bytes()
    }

    fn read_in(doc: &[u8], size: usize) -> Result<Snapshot, FormatError> {
        let mut reader = Reader::new(None, 0);
        doc.chunks(size).try_for_each(|c| reader.push(c))?;
        reader.finish(None)
    }

    #[test]
    fn feeds_read_while_arriving_give_what_reading_whole_gives() {
        let html = format!(
            "<!DOCTYPE html><html><body>{}</body></html>",
            "<p>x</p>".repeat(200)
        );
        let docs = [
            rss(400),
            atom(300),
            rss(BY_ITEM_FROM - 1),
            rss(BY_ITEM_FROM),
            rss(0),
            include_bytes!("../../../tests/fixtures/more/atom.xml").to_vec(),
            include_bytes!("../../../tests/fixtures/more/rss-guid.xml").to_vec(),
            html.into_bytes(),
            b"  <rss version=\"2.0\"><channel><title>Cut".to_vec(),
        ];
        for doc in docs {
            let whole = parse(&doc);
            assert!(whole.as_ref().is_ok_and(|s| s.len() >= 300) || doc.len() < 200_000);
            for size in [1, 997, 64 * 1024, doc.len().max(1)] {
                let arriving = read_in(&doc, size);
                match (&whole, &arriving) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "in pieces of {size}"),
                    (Err(_), Err(_)) => {}
                    _ => panic!("in {size}: whole {whole:?}, arriving {arriving:?}"),
                }
            }
        }
    }

    /// `doc` pushed in pieces of `size` up to `upto`, straight into a [`Streamed`].
    fn streamed(doc: &[u8], upto: usize, size: usize) -> Result<Streamed, FormatError> {
        let head = &doc[..HEAD * 2];
        assert_eq!(sniff(head), Found::Yes(()));
        let mut s = Streamed::new(head.to_vec()).ok().unwrap();
        for c in doc[head.len()..upto].chunks(size) {
            assert_eq!(s.push(c, None, None)?, None);
        }
        Ok(s)
    }

    #[test]
    fn the_bytes_of_items_read_are_let_go() {
        let doc = rss(2_000);
        let s = streamed(&doc, doc.len() - 100, 4096).unwrap();
        assert!(s.entries_so_far() > 1_500, "{}", s.entries_so_far());
        assert!(
            s.buf.capacity() < doc.len() / 8,
            "{} bytes kept",
            s.buf.capacity()
        );
        assert!(
            s.rest.len() < doc.len() / 8,
            "{} bytes between items",
            s.rest.len()
        );
    }

    /// `doc` with its `nth` `</title>` replaced by `with`.
    fn break_title(doc: &[u8], nth: usize, with: &str) -> Vec<u8> {
        let text: String = doc.iter().map(|&b| char::from(b)).collect();
        let at = text.match_indices("</title>").nth(nth).unwrap().0;
        let text = format!("{}{with}{}", &text[..at], &text[at + "</title>".len()..]);
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect()
    }

    #[test]
    fn a_tag_left_open_in_one_item_loses_no_other_item() {
        // Read whole, feed-rs lets the open `<title>` swallow the items after it.
        let broken = break_title(&rss(2_000), 1_000, "</bogus>");
        let read = read_in(&broken, 4096).unwrap();
        assert_eq!(read.len(), 2_000);
        assert_eq!(parse(&broken).unwrap(), read);
        assert_eq!(read.entries[1_001].title, "Update 1001 caf\u{e9}");
        // A stray zero byte further on (not UTF-16 for that) changes none of it.
        let at = memchr::memmem::find(&broken, b"Update 1500").unwrap();
        let mut stray = broken;
        stray.insert(at, 0);
        let read = read_in(&stray, 4096).unwrap();
        assert_eq!(read.len(), 2_000);
        assert_eq!(parse(&stray).unwrap(), read);
    }

    #[test]
    fn an_item_that_cannot_be_read_fails_the_document_once_items_were_let_go() {
        // An end tag that nothing opened: not even the item alone can be read.
        let broken = break_title(&rss(2_000), 1_000, "</title></bogus>");
        let failed = streamed(&broken, broken.len(), 4096);
        assert!(matches!(failed, Err(FormatError::Invalid(_))));
        assert!(matches!(
            read_in(&broken, 4096),
            Err(FormatError::Invalid(_))
        ));
        assert!(matches!(parse(&broken), Err(FormatError::Invalid(_))));
    }

    #[test]
    fn nested_items_are_read_whole_until_items_were_let_go() {
        let nest = |doc: Vec<u8>, nth: usize| {
            let text = String::from_utf8_lossy(&doc).into_owned();
            let mut at = 0;
            for _ in 0..nth {
                at += text[at..].find("<item>").unwrap() + 1;
            }
            let mut doc = text.clone();
            doc.insert_str(at + 5, "<item></item>");
            doc.into_bytes()
        };
        let early = nest(atom_as_rss(), 3);
        assert_eq!(read_in(&early, 4096), parse(&early));
        let late = nest(atom_as_rss(), 1_500);
        let failed = read_in(&late, 4096);
        assert!(matches!(failed, Err(FormatError::Invalid(ref why)) if why.contains("another")));
    }

    /// A plain RSS feed of 2,000 items (UTF-8).
    fn atom_as_rss() -> Vec<u8> {
        let mut doc = String::from(r#"<rss version="2.0"><channel><title>Live</title>"#);
        for i in 0..2_000 {
            doc.push_str(&format!(
                "<item><guid>g{i}</guid><title>T{i}</title><description>Text {i}</description></item>"
            ));
        }
        doc.push_str("</channel></rss>");
        doc.into_bytes()
    }

    #[test]
    fn a_huge_item_is_not_searched_again_for_every_piece() {
        let mut doc = atom_as_rss();
        // Between two items near the middle.
        let at = doc.len() / 2 + memchr::memmem::find(&doc[doc.len() / 2..], b"<item>").unwrap();
        let big = format!(
            "<item><guid>big</guid><description>{}</description></item>",
            "words ".repeat(100_000)
        );
        doc.splice(at..at, big.bytes());
        // Up to the middle of the big item.
        let s = streamed(&doc, at + 300_000, 1024).unwrap();
        assert!(
            s.wait_for > s.buf.len(),
            "{} <= {}",
            s.wait_for,
            s.buf.len()
        );
        assert!(s.wait_for - s.buf.len() > 100_000);
    }
}
