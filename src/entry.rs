//! The normalized entry: what every format parser produces and everything else consumes.
//!
//! All text in these types is clean: decoded (JSON escapes, HTML entities), turned from HTML
//! into plain text, and passed through [`crate::text::sanitize`]. Nothing downstream has to
//! think about markup or escape sequences again.

use jiff::Timestamp;

mod held;
pub(crate) use held::split_link;
pub use held::{Held, HeldImage, id_hash};

/// One image attached to an entry (a figure, a JSON Feed attachment, a schema.org image).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Image {
    pub url: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// One live-blog entry, normalized from any format. The store holds it as a [`Held`] (its
/// strings in one block) and its body only in its folded form (see
/// [`crate::store::Stored::text`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    /// Identity stable across polls (native id, `@id`, url, or a content key).
    pub id: String,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    /// Headline; may be empty when the source has none.
    pub title: String,
    pub authors: Vec<String>,
    /// Plain-text body: paragraphs separated by one blank line ("\n\n"), no markup.
    /// Links inside the body are marked `[N]` where N indexes `links` (1-based).
    pub text: String,
    /// Links found in the body, in order of their `[N]` markers.
    pub links: Vec<String>,
    /// The entry's own link (permalink), if any.
    pub url: Option<String>,
    pub images: Vec<Image>,
    pub pinned: bool,
    pub key_event: bool,
    /// The source itself says this entry was withdrawn (struck, deleted).
    pub removed: bool,
}

/// Everything one successful fetch of a source yielded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// The blog's title, if the document names one.
    pub title: Option<String>,
    /// The blog's own page, if the document names one.
    pub home_url: Option<String>,
    /// The entries in document order (parsers do not sort).
    pub entries: Vec<Entry>,
    /// The coverage end time, when the source gives one.
    pub coverage_end: Option<Timestamp>,
    /// The source says the blog is over.
    pub ended: bool,
    /// Which format the document was read as (for messages and `--print`).
    pub format: &'static str,
    /// What a safety limit cut from this document, in words for the status line.
    pub limited: Option<String>,
    /// The entries folded for the filter, one per entry, when the poller already did it
    /// (off the screen's thread); empty otherwise, and the store folds what it keeps. The
    /// folded form holds the body (read it with [`crate::query::Folded::body`]): an entry
    /// the poller folded and held has no other.
    pub folded: Vec<crate::query::Folded>,
    /// The entries as the store holds them, one per entry, when the poller made them (off
    /// the screen's thread, each right after it was folded, so that its strings are given
    /// back where they were made); empty otherwise. While `held` is not empty, `entries`
    /// holds only the entries not held yet, one for each `None` in order (their ids are
    /// still to be made from their text). Once the poller is done, every entry is held and
    /// `entries` is empty.
    pub held: Vec<Option<Held>>,
    /// A first look at a big document: each entry's identity, times, headline, authors and
    /// flags, without its body, images or links. The whole snapshot of the same document
    /// follows and completes these entries in place.
    pub partial: bool,
    /// A part of a big first document, sent while the rest is still being read so that
    /// its entries show at once: whole entries, in document order, and more of the same
    /// document follows (the store merges the parts as one document).
    pub more: bool,
    /// The rest of a document whose first parts were sent already (see `more`).
    pub continues: bool,
    /// For the first part of a document: how many entries the whole of it is expected to
    /// hold (estimated from its length), so that the store makes room for them at once;
    /// 0 when not known.
    pub expect: usize,
}

/// Whether entries whose first and last times (in the order listed) are these are listed
/// newest first: so taken when there are fewer than two times to compare.
pub fn newest_first_between(first: Option<Timestamp>, last: Option<Timestamp>) -> bool {
    match (first, last) {
        (Some(first), Some(last)) => first >= last,
        _ => true,
    }
}

/// What a reader's caller makes of an entry as soon as it is made: its folded form, and
/// its held form unless its id is still to be made (see [`crate::format::Ready`]).
pub type Prepared = (crate::query::Folded, Option<Held>);

impl Snapshot {
    /// Add an entry as a reader made it: with the folded and held forms the caller made of
    /// it as soon as it was made (see [`crate::format::Ready`]), if any. An entry not held
    /// (its id is still to be made from its text) stays whole in `entries`.
    pub fn push(&mut self, e: Entry, prepared: Option<Prepared>) {
        match prepared {
            Some((folded, held)) => {
                if held.is_none() {
                    self.entries.push(e);
                }
                self.folded.push(folded);
                self.held.push(held);
            }
            None => self.entries.push(e),
        }
    }

    /// Add entries as [`Snapshot::push`] does, in order, up to the first that could not be
    /// made: that error is returned.
    pub fn push_all<E>(
        &mut self,
        made: Vec<Result<(Entry, Option<Prepared>), E>>,
    ) -> Result<(), E> {
        self.entries.reserve(made.len());
        for m in made {
            let (e, prepared) = m?;
            self.push(e, prepared);
        }
        Ok(())
    }

    /// The entries so far as a part of the document (see `more`), taken out of this
    /// snapshot, if every one is held already and `settled` (it will not change by the end
    /// of the document). A `first` part is taken only from entries listed newest first:
    /// the later parts then add older entries below the ones on screen, never above them.
    /// `None` leaves the snapshot as it was.
    pub fn take_part(&mut self, first: bool, settled: impl Fn(&Held) -> bool) -> Option<Snapshot> {
        let done = self.entries.is_empty()
            && !self.held.is_empty()
            && self.held.iter().all(|h| h.as_ref().is_some_and(&settled));
        (done && (!first || self.newest_first())).then(|| Snapshot {
            // The blog's title, if the document named it before its entries: the status
            // line shows it while the rest is read.
            title: self.title.clone(),
            format: self.format,
            folded: std::mem::take(&mut self.folded),
            held: std::mem::take(&mut self.held),
            more: true,
            ..Snapshot::default()
        })
    }

    /// The first and the last time among the entries, in document order.
    pub fn first_and_last_times(&self) -> (Option<Timestamp>, Option<Timestamp>) {
        let time = |(_, time): (&str, Option<Timestamp>)| time;
        (
            self.heads().find_map(time),
            self.heads().rev().find_map(time),
        )
    }

    /// Whether the document lists its entries newest first, judged by its first and last
    /// times (see [`newest_first_between`]).
    pub fn newest_first(&self) -> bool {
        let (first, last) = self.first_and_last_times();
        newest_first_between(first, last)
    }

    /// How many entries the snapshot holds, in either form (see `held`).
    pub fn len(&self) -> usize {
        if self.held.is_empty() {
            self.entries.len()
        } else {
            self.held.len()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each entry's id and time, in document order, in either form (an entry not held yet
    /// beside held ones counts with no id and no time).
    pub fn heads(&self) -> impl DoubleEndedIterator<Item = (&str, Option<Timestamp>)> {
        let (whole, held) = if self.held.is_empty() {
            (&self.entries[..], &[][..])
        } else {
            (&[][..], &self.held[..])
        };
        let whole = whole.iter().map(|e| (e.id.as_str(), e.time()));
        let held = held
            .iter()
            .map(|h| h.as_ref().map_or(("", None), |h| (h.id(), h.time())));
        whole.chain(held)
    }

    /// The id of entry `i`, as [`Snapshot::heads`] gives it.
    pub fn id_at(&self, i: usize) -> &str {
        if self.held.is_empty() {
            self.entries.get(i).map_or("", |e| e.id.as_str())
        } else {
            self.held
                .get(i)
                .and_then(Option::as_ref)
                .map_or("", Held::id)
        }
    }

    /// The hash of [`Snapshot::id_at`] (see [`id_hash`]): a held entry's is made
    /// already, and its id is not read.
    pub fn id_hash_at(&self, i: usize) -> u64 {
        match self.held.get(i) {
            Some(Some(held)) => held.id_hash(),
            _ => id_hash(self.id_at(i)),
        }
    }

    /// Entry `i` whole, however the snapshot holds it (see `folded` and `held`).
    pub fn entry(&self, i: usize) -> Option<Entry> {
        let folded = self.folded.get(i);
        let body = folded.map(|f| f.body().into_owned());
        let mut e = match self.held.get(i) {
            Some(Some(held)) => {
                let title = folded.map(|f| f.headline().into_owned());
                return Some(held.to_entry(title.unwrap_or_default(), body.unwrap_or_default()));
            }
            Some(None) => {
                let whole = self.held[..i].iter().filter(|h| h.is_none()).count();
                self.entries.get(whole)?.clone()
            }
            None if self.held.is_empty() => self.entries.get(i)?.clone(),
            None => return None,
        };
        if let Some(body) = body {
            e.text = body;
        }
        Some(e)
    }
}

impl Entry {
    /// The time the entry is ordered by: published, else updated.
    pub fn time(&self) -> Option<Timestamp> {
        self.published.or(self.updated)
    }

    /// Whether the source reports a later modification than publication.
    pub fn source_says_updated(&self) -> bool {
        matches!((self.published, self.updated), (Some(p), Some(u)) if u > p)
    }
}
