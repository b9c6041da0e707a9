//! Entries by identity: merge snapshots, track new/seen and edits, keep the display order.
//!
//! The store is the memory of what the user has been shown. It never forgets an entry
//! because a later response left it out (feeds return a window of the latest N), and it
//! decides "new" by identity only: timestamps from servers are not trusted for that.

use std::borrow::Cow;

use jiff::Timestamp;

use crate::entry::Held;
use crate::entry::{Entry, Snapshot, newest_first_between};
use crate::query::{Folded, fold};

/// Times further ahead of the clock than this are flagged (server clocks lie).
pub const FUTURE_SLACK: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// An id seen again with different text and a time further away than this is a reuse of
/// the id for another entry, not an edit.
pub const REUSE_GAP: jiff::SignedDuration = jiff::SignedDuration::from_hours(12);

/// Identity of an entry across all sources: (source index, entry id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub source: usize,
    pub id: String,
}

/// The edits of one entry.
#[derive(Debug, Clone)]
pub struct Edits {
    /// Earlier versions, oldest first.
    pub previous: Vec<Entry>,
    /// When the store saw the latest edit (wall clock).
    pub at: Timestamp,
}

/// One entry as held by the store.
#[derive(Debug, Clone)]
pub struct Stored {
    pub source: usize,
    /// The version currently shown, without its body: the body is held once, folded in
    /// `folded`, and read with [`Stored::text`].
    pub entry: Held,
    /// What the source's edits left: set at the first edit. Edits are rare, so they are
    /// held apart and an entry never edited pays one pointer for them.
    pub edits: Option<Box<Edits>>,
    /// When the store first saw the entry (orders entries that carry no time).
    pub first_seen: Timestamp,
    /// Arrival order, breaks ties between equal times.
    pub seq: u64,
    /// Arrived after the first fetch of its source and not yet selected by the user.
    pub new: bool,
    /// Vanished from inside the window the source still covers (treated as withdrawn).
    pub vanished: bool,
    /// Its time was more than [`FUTURE_SLACK`] ahead of the clock when it arrived.
    pub future: bool,
    /// Headline, authors, body and captions folded (lower case, no accents), for filtering;
    /// also what the body is rebuilt from. A source's first document is held as it came
    /// until [`Store::fold_some`] folds it (see [`Folded::unfolded`]).
    pub folded: Folded,
    /// Only the headline is known yet (from a partial snapshot); the body is on its way.
    pub partial: bool,
}

impl Stored {
    pub fn key(&self) -> Key {
        Key {
            source: self.source,
            id: self.entry.id().to_string(),
        }
    }

    /// The body of the version currently shown.
    pub fn text(&self) -> Cow<'_, str> {
        self.folded.body()
    }

    /// The headline of the version currently shown (held once, folded in `folded`).
    pub fn title(&self) -> Cow<'_, str> {
        self.folded.headline()
    }

    /// The version currently shown, with its headline and body.
    pub fn to_entry(&self) -> Entry {
        self.entry
            .to_entry(self.title().into_owned(), self.text().into_owned())
    }

    /// The time the entry is ordered and shown by.
    pub fn time(&self) -> Timestamp {
        self.entry.time().unwrap_or(self.first_seen)
    }

    /// Earlier versions, oldest first, kept when the source edits the entry.
    pub fn previous(&self) -> &[Entry] {
        self.edits.as_ref().map_or(&[], |e| &e.previous)
    }

    /// When the store saw the latest edit (wall clock), if it was ever edited.
    pub fn edited_at(&self) -> Option<Timestamp> {
        self.edits.as_ref().map(|e| e.at)
    }

    /// `published`, `edited` or `removed`, as in the `--output jsonl` contract.
    pub fn status(&self) -> &'static str {
        if self.is_removed() {
            "removed"
        } else if self.edits.is_some() || self.entry.source_says_updated() {
            "edited"
        } else {
            "published"
        }
    }

    /// Withdrawn: the source says so, or it vanished from inside the source's window.
    pub fn is_removed(&self) -> bool {
        self.entry.removed || self.vanished
    }

    /// Whether every word occurs in the entry's headline, authors, body or captions
    /// (case- and accent-insensitive).
    pub fn matches_all(&self, words: &[String]) -> bool {
        let folded = self.folded.fold(&self.entry);
        let f = folded.as_ref().unwrap_or(&self.folded);
        words.iter().all(|w| f.all().contains(fold(w).as_str()))
    }
}

/// What one merge changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeReport {
    /// Entries never seen before, in document order: where they are in the store
    /// ([`Store::item`]) until the next merge or eviction. (Not their keys: a first fetch
    /// of a big blog would hold a copy of every id here.)
    pub added: Vec<usize>,
    /// Entries whose content changed.
    pub edited: Vec<Key>,
    /// Entries whose flags (pinned, key event, removed) changed without a content edit.
    pub flagged: Vec<Key>,
    /// Entries that vanished from inside the window the response still covers.
    pub vanished: Vec<Key>,
    /// This merge was the source's first successful one (its entries are the baseline).
    pub baseline: bool,
}

impl MergeReport {
    pub fn changed(&self) -> bool {
        self.baseline
            || !self.added.is_empty()
            || !self.edited.is_empty()
            || !self.flagged.is_empty()
    }
}

/// The stored entries by index, in chunks that never move: adding an entry to a big store
/// never copies the others (a single `Vec` would copy all of them each time it doubles,
/// and leave up to half of its memory unused).
#[derive(Debug, Default)]
struct Slab {
    chunks: Vec<Vec<Stored>>,
    len: usize,
}

/// Entries per chunk (a power of two, so an index splits with a shift and a mask).
const CHUNK: usize = 1024;

/// While a snapshot is taken over, its unused memory is given back every this many entries.
const GIVE_BACK: usize = 2048;

impl Slab {
    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, s: Stored) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(s),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(s);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut Stored> {
        self.chunks.iter_mut().flatten()
    }

    fn into_entries(self) -> impl Iterator<Item = Stored> {
        self.chunks.into_iter().flatten()
    }
}

impl std::ops::Index<usize> for Slab {
    type Output = Stored;
    fn index(&self, i: usize) -> &Stored {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl std::ops::IndexMut<usize> for Slab {
    fn index_mut(&mut self, i: usize) -> &mut Stored {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

/// Where each entry is in the slab, found by its source and id. The table holds only slab
/// indexes: the ids it is searched by are the entries' own, not copies. It hashes an
/// entry by the hash its held form carries ([`Held::id_hash`]), so indexing an entry, or
/// looking up one that is not held, reads no id; an id is compared only when the hashes
/// match.
#[derive(Debug, Default)]
struct Index {
    table: hashbrown::HashTable<usize>,
}

impl Index {
    /// The hash of an entry of `source` whose id hashes to `id_hash`.
    fn hash(source: usize, id_hash: u64) -> u64 {
        id_hash ^ (source as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    fn get(&self, items: &Slab, source: usize, id: &str) -> Option<usize> {
        let id_hash = crate::entry::id_hash(id);
        self.find(items, source, id_hash, || id)
    }

    /// The entry of `source` with the id that hashes to `id_hash`: `id` is asked for only
    /// if an entry's hash matches.
    fn find<'a>(
        &self,
        items: &Slab,
        source: usize,
        id_hash: u64,
        id: impl Fn() -> &'a str,
    ) -> Option<usize> {
        let is_key = |&i: &usize| {
            let held = &items[i];
            held.source == source && held.entry.id_hash() == id_hash && held.entry.id() == id()
        };
        self.table
            .find(Index::hash(source, id_hash), is_key)
            .copied()
    }

    /// The hash of the entry at slab index `i` (what the table is rebuilt with when it grows).
    fn hash_of(items: &Slab, i: usize) -> u64 {
        Index::hash(items[i].source, items[i].entry.id_hash())
    }

    /// Index the entry at slab index `i` (its key is not indexed yet).
    fn insert(&mut self, items: &Slab, i: usize) {
        let hash = Index::hash_of(items, i);
        self.table
            .insert_unique(hash, i, |&j| Index::hash_of(items, j));
    }

    /// Room for `more` entries at once (a table grown by doubling can leave up to half of
    /// its memory unused).
    fn reserve(&mut self, items: &Slab, more: usize) {
        self.table.reserve(more, |&j| Index::hash_of(items, j));
    }

    /// Every entry of `items`, indexed afresh.
    fn rebuild(&mut self, items: &Slab) {
        self.table = hashbrown::HashTable::with_capacity(items.len());
        for i in 0..items.len() {
            self.insert(items, i);
        }
    }
}

/// All entries of all sources.
#[derive(Debug, Default)]
pub struct Store {
    items: Slab,
    index: Index,
    /// Indexes into `items`, newest first.
    order: Vec<usize>,
    /// Sources whose first successful fetch has been merged.
    baselined: Vec<bool>,
    next_seq: u64,
    new_count: usize,
    /// Entries evicted per source to respect the cap.
    evicted: Vec<usize>,
    /// Per source, the newest time among its evicted entries: an unknown entry of that
    /// source no newer than this was evicted (or is older still), and does not come back.
    evicted_until: Vec<Option<Timestamp>>,
    /// Bumped by every change, so views know when a cached result is stale.
    version: u64,
    /// Per source, a first document being merged in parts as it is read (see
    /// [`Snapshot::more`]), until its last part.
    open: Vec<Option<Open>>,
    /// Per source, how many entries are held: the cap on entries is checked after every
    /// merge, without counting them again.
    held: Vec<usize>,
    /// The entries the source pinned (indexes into `items`, in no order): few, and what
    /// the list shows first, so that an unfiltered list is shown without reading every
    /// entry again (see [`Store::pinned`]).
    pinned: Vec<usize>,
    /// Where the entries not folded yet are (slab indexes; empty when none is): a
    /// source's first document comes as it is, and is folded once shown (see
    /// [`Store::fold_some`]).
    unfolded: std::ops::Range<usize>,
}

/// A first document of a source merged in parts: how its entries are numbered.
#[derive(Debug, Clone, Copy)]
struct Open {
    /// Judged on the parts so far, as [`Snapshot::newest_first`] judges a whole one; if the
    /// last part judges otherwise, the document's entries are numbered again.
    newest_first: bool,
    /// The first and last times of the parts so far (what the judgement rests on).
    first_time: Option<Timestamp>,
    last_time: Option<Timestamp>,
    /// The sequence numbers set aside for its entries: after `from`, [`OPEN_SPAN`] of them.
    from: u64,
    /// How many of its entries (by position in the document) were merged so far.
    taken: u64,
    /// When its first part was merged: the time every part is merged at, as if the
    /// document had been merged whole then (an entry without a time of its own sorts by it).
    at: Timestamp,
}

/// Sequence numbers set aside for a document merged in parts: more than any document
/// within the limits holds entries.
const OPEN_SPAN: u64 = 1 << 32;

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many entries are new (arrived after the baseline, not yet selected).
    pub fn new_count(&self) -> usize {
        self.new_count
    }

    pub fn get(&self, key: &Key) -> Option<&Stored> {
        self.index
            .get(&self.items, key.source, &key.id)
            .map(|i| &self.items[i])
    }

    /// Slab indexes of all entries, newest first (see [`Store::item`]).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Whether some entries are not folded yet (see [`Folded::unfolded`]).
    pub fn has_unfolded(&self) -> bool {
        !self.unfolded.is_empty()
    }

    /// Folds the entries not folded yet, a chunk of the slab at a time, at most `chunks`
    /// chunks. Whether some are left.
    ///
    /// On this thread: a chunk takes about 2.3 ms, and two threads took as long as one
    /// (`cargo bench --bench perf -- fold`: 24.2 against 23.0 ms for 10,000 entries; they
    /// allocate from one arena, and read memory no cache holds).
    pub fn fold_some(&mut self, chunks: usize) -> bool {
        for _ in 0..chunks {
            let range = self.unfolded.clone();
            if range.is_empty() {
                break;
            }
            let (c, start) = (range.start / CHUNK, range.start % CHUNK);
            let end = (range.end - c * CHUNK).min(CHUNK);
            let Some(part) = self
                .items
                .chunks
                .get_mut(c)
                .and_then(|c| c.get_mut(start..end))
            else {
                self.unfolded = 0..0;
                break;
            };
            for s in part {
                if let Some(folded) = s.folded.fold(&s.entry) {
                    s.folded = folded;
                }
            }
            self.unfolded = ((c + 1) * CHUNK).min(range.end)..range.end;
        }
        self.has_unfolded()
    }

    /// Folds every entry not folded yet.
    pub fn fold_all(&mut self) {
        self.fold_some(usize::MAX);
    }

    /// Notes that the entry at `i` may not be folded yet.
    fn note_unfolded(&mut self, i: usize) {
        if self.items[i].folded.is_unfolded() {
            self.unfolded = if self.unfolded.is_empty() {
                i..i + 1
            } else {
                self.unfolded.start.min(i)..self.unfolded.end.max(i + 1)
            };
        }
    }

    /// The entry at slab index `i` (indexes are stable for the life of the store).
    pub fn item(&self, i: usize) -> &Stored {
        &self.items[i]
    }

    /// The slab index of `key`.
    pub fn index_of(&self, key: &Key) -> Option<usize> {
        self.index.get(&self.items, key.source, &key.id)
    }

    /// Entries newest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Stored> + ExactSizeIterator {
        self.order.iter().map(|&i| &self.items[i])
    }

    /// The entry at position `pos` of the newest-first order.
    pub fn at(&self, pos: usize) -> Option<&Stored> {
        self.order.get(pos).map(|&i| &self.items[i])
    }

    /// Whether `source` has had its first successful fetch merged.
    pub fn has_baseline(&self, source: usize) -> bool {
        self.baselined.get(source).copied().unwrap_or(false)
    }

    /// The user selected this entry: it is no longer new.
    pub fn mark_seen(&mut self, key: &Key) -> bool {
        match self.index.get(&self.items, key.source, &key.id) {
            Some(i) if self.items[i].new => {
                self.items[i].new = false;
                self.new_count -= 1;
                self.version += 1;
                true
            }
            _ => false,
        }
    }

    /// Mark every entry as seen. Returns whether anything changed.
    pub fn mark_all_seen(&mut self) -> bool {
        let changed = self.new_count > 0;
        for s in self.items.iter_mut() {
            s.new = false;
        }
        self.version += 1;
        self.new_count = 0;
        changed
    }

    /// Merge one snapshot of `source` taken at `now`.
    ///
    /// The first successful snapshot of a source is its baseline: nothing in it is new.
    /// Later ones add unknown ids as new and record edits. Entries left out of a response
    /// are kept; only those that vanished from inside the window the response covers
    /// (newer than its oldest entry) are marked removed. An empty response changes
    /// nothing. Duplicate ids inside one response keep the first; an id reused for
    /// clearly different content becomes a separate entry.
    pub fn merge(&mut self, source: usize, snapshot: Snapshot, now: Timestamp) -> MergeReport {
        if self.baselined.len() <= source {
            self.baselined.resize(source + 1, false);
            self.evicted.resize(source + 1, 0);
            self.evicted_until.resize(source + 1, None);
            self.open.resize(source + 1, None);
            self.held.resize(source + 1, 0);
        }
        // The rest of a document whose first parts are merged; any other snapshot ends a
        // document left unfinished (its download failed), which then stays unfinished.
        let continued = self.open[source].take().filter(|_| snapshot.continues);
        let in_parts = snapshot.more || continued.is_some();
        let baseline = !self.baselined[source];
        let mut report = MergeReport {
            baseline,
            ..MergeReport::default()
        };
        if !baseline && snapshot.is_empty() && !in_parts {
            return report;
        }
        // A first document is the baseline until its last part.
        self.baselined[source] |= !snapshot.more;

        // Equal times sort by arrival; give the entry that the document shows as newer the
        // higher sequence number (documents are mostly newest first).
        let newest_first = continued.map_or_else(|| snapshot.newest_first(), |o| o.newest_first);
        let open = in_parts.then(|| {
            let mut open = continued.unwrap_or_else(|| {
                let open = Open {
                    newest_first,
                    first_time: None,
                    last_time: None,
                    from: self.next_seq,
                    taken: 0,
                    at: now,
                };
                self.next_seq += OPEN_SPAN + 1;
                open
            });
            let (first, last) = snapshot.first_and_last_times();
            open.first_time = open.first_time.or(first);
            open.last_time = last.or(open.last_time);
            open
        });
        let now = open.map_or(now, |o| o.at);
        let oldest = snapshot.heads().filter_map(|(_, time)| time).min();
        let repeated = repeated_ids(&snapshot);
        // Which held entries this response lists (by slab position), for withdrawals; a
        // first, partial or parted response withdraws nothing and needs no record.
        let mut present = if baseline || snapshot.partial || in_parts {
            Vec::new()
        } else {
            vec![false; self.items.len() + snapshot.len()]
        };
        let mut fresh = Vec::new();
        let count = snapshot.len();
        if baseline {
            // Room for the whole first fetch at once (a map grown by doubling would leave
            // up to half of its memory unused, and each growth hashes every id again): for
            // a document in parts, what its first part expects of the whole.
            let expect = if continued.is_none() {
                snapshot.expect
            } else {
                0
            };
            self.index.reserve(&self.items, count.max(expect));
        }
        // Folded by the poller already, or here: the folded form is what the body is held
        // as, and what a held body is compared with.
        let mut folded = if snapshot.folded.len() == count {
            snapshot.folded
        } else {
            Vec::new()
        };
        // Made into their held form by the poller already (it then keeps no other), or here.
        let mut held = if snapshot.held.len() == count && folded.len() == count {
            snapshot.held
        } else {
            Vec::new()
        };
        // The entries are moved into the store, never copied; each body is held once, in
        // its folded form, and the text itself is dropped. They are taken, in order, from
        // the end of the reversed snapshot, which gives its memory back as it goes: a big
        // first fetch never exists twice, once in the snapshot and once in the store.
        let mut entries = snapshot.entries;
        entries.reverse();
        folded.reverse();
        held.reverse();
        for (n, &repeat) in repeated.iter().enumerate() {
            let (incoming, incoming_folded) = match (held.pop().flatten(), folded.pop()) {
                (Some(held), Some(folded)) => (held, folded),
                (_, folded) => {
                    let Some(entry) = entries.pop() else {
                        break;
                    };
                    let folded = folded.unwrap_or_else(|| Folded::from_entry(&entry));
                    (Held::new(entry), folded)
                }
            };
            // Given back as the entries left to take reach each multiple of GIVE_BACK.
            if (count - n - 1).is_multiple_of(GIVE_BACK) {
                entries.shrink_to_fit();
                folded.shrink_to_fit();
                held.shrink_to_fit();
            }
            if repeat {
                continue;
            }
            let seq = match open {
                Some(o) if newest_first => o.from + OPEN_SPAN - o.taken - n as u64,
                Some(o) => o.from + o.taken + n as u64 + 1,
                None if newest_first => self.next_seq + (count - n) as u64,
                None => self.next_seq + n as u64,
            };
            let (renamed, existing) = self.resolve(source, &incoming, &incoming_folded);
            if let (Some(i), Some(o)) = (existing, continued)
                && self.items[i].source == source
                && (o.from..=o.from + OPEN_SPAN).contains(&self.items[i].seq)
            {
                // An id an earlier part of the same document had: the first one wins.
                continue;
            }
            // An id the source reused for other content is held as `id~N`.
            let incoming = match &renamed {
                Some(id) => incoming.with_id(id),
                None => incoming,
            };
            match existing {
                None if self.evicted_until[source]
                    .is_some_and(|cut| incoming.time().is_some_and(|t| t <= cut)) =>
                {
                    // Evicted earlier (or older than what was): not new, not back.
                    continue;
                }
                None => {
                    let stored = Stored {
                        source,
                        folded: incoming_folded,
                        future: incoming.time().is_some_and(|t| t > now + FUTURE_SLACK),
                        entry: incoming,
                        edits: None,
                        first_seen: now,
                        seq,
                        new: !baseline,
                        vanished: false,
                        partial: snapshot.partial,
                    };
                    if stored.new {
                        self.new_count += 1;
                    }
                    fresh.push(self.items.len());
                    if let Some(p) = present.get_mut(self.items.len()) {
                        *p = true;
                    }
                    if stored.entry.pinned {
                        self.pinned.push(self.items.len());
                    }
                    self.items.push(stored);
                    self.note_unfolded(self.items.len() - 1);
                    self.index.insert(&self.items, self.items.len() - 1);
                    self.held[source] += 1;
                    report.added.push(self.items.len() - 1);
                }
                Some(i) => {
                    if let Some(p) = present.get_mut(i) {
                        *p = true;
                    }
                    let stored = &mut self.items[i];
                    let old_time = stored.time();
                    if snapshot.partial {
                        // A headline never replaces what is held.
                        continue;
                    }
                    // Most polls repeat what is held: compare first, replace only what changed.
                    if stored.partial {
                        // The whole entry after its headline: completed, not edited.
                        stored.folded = incoming_folded;
                        stored.entry = incoming;
                        stored.partial = false;
                        report.flagged.push(stored.key());
                    } else if incoming.differs_besides_text(&stored.entry)
                        || !incoming_folded.same_headline(&stored.folded)
                        || !incoming_folded.same_body(&stored.folded)
                    {
                        // Earlier versions are rare: they keep their text whole.
                        let title = stored.title().into_owned();
                        let text = stored.text().into_owned();
                        let old =
                            std::mem::replace(&mut stored.entry, incoming).to_entry(title, text);
                        stored.folded = incoming_folded;
                        let edits = stored.edits.get_or_insert_with(|| {
                            Box::new(Edits {
                                previous: Vec::new(),
                                at: now,
                            })
                        });
                        edits.previous.push(old);
                        edits.at = now;
                        stored.vanished = false;
                        report.edited.push(stored.key());
                    } else if !incoming.same_but_id(&stored.entry) || stored.vanished {
                        stored.entry = incoming;
                        stored.vanished = false;
                        report.flagged.push(stored.key());
                    } else {
                        continue;
                    }
                    if stored.time() != old_time {
                        fresh.push(i);
                        self.order.retain(|&j| j != i);
                    }
                    let pinned = stored.entry.pinned;
                    self.set_pinned(i, pinned);
                    self.note_unfolded(i);
                }
            }
        }
        if !baseline
            && !snapshot.partial
            && !in_parts
            && let Some(oldest) = oldest
        {
            self.mark_vanished(source, oldest, &present, &mut report);
        }
        match open {
            Some(o) if snapshot.more => {
                self.open[source] = Some(Open {
                    taken: o.taken + count as u64,
                    ..o
                });
            }
            Some(o) => {
                if newest_first_between(o.first_time, o.last_time) != o.newest_first {
                    self.number_again(source, o);
                }
            }
            None => self.next_seq += count as u64 + 1,
        }
        self.insert_ordered(fresh);
        if report.changed() {
            self.version += 1;
        }
        report
    }

    /// Keep `pinned` in step with the entry at `i`.
    fn set_pinned(&mut self, i: usize, pinned: bool) {
        match self.pinned.iter().position(|&j| j == i) {
            Some(at) if !pinned => {
                self.pinned.swap_remove(at);
            }
            None if pinned => self.pinned.push(i),
            _ => {}
        }
    }

    /// The entries the sources pinned, newest first (indexes as [`Store::order`] gives
    /// them): found among the indexes alone, without reading the entries.
    pub fn pinned(&self) -> Vec<usize> {
        if self.pinned.is_empty() {
            return Vec::new();
        }
        let mut is = vec![false; self.items.len()];
        self.pinned.iter().for_each(|&i| is[i] = true);
        self.order.iter().copied().filter(|&i| is[i]).collect()
    }

    /// The entries of a document merged in parts, numbered the other way round: its first
    /// parts were taken for newest first and the whole is not, or the reverse.
    fn number_again(&mut self, source: usize, o: Open) {
        let range = o.from..=o.from + OPEN_SPAN;
        for s in self.items.iter_mut() {
            if s.source == source && range.contains(&s.seq) {
                s.seq = 2 * o.from + OPEN_SPAN + 1 - s.seq;
            }
        }
        let items = &self.items;
        self.order
            .sort_by_key(|&i| std::cmp::Reverse((items[i].time(), items[i].seq)));
        self.version += 1;
    }

    /// Find the stored entry an incoming one is: its id, or for an id that the source
    /// reused for different content far away in time, `id~2`, `id~3`, ... Gives that other
    /// id, if it is one, and where the entry is held, if it is.
    fn resolve(
        &self,
        source: usize,
        incoming: &Held,
        incoming_folded: &Folded,
    ) -> (Option<String>, Option<usize>) {
        let mut n = 1;
        loop {
            let renamed = (n > 1).then(|| format!("{}~{n}", incoming.id()));
            let found = match &renamed {
                Some(id) => self.index.get(&self.items, source, id),
                None => self
                    .index
                    .find(&self.items, source, incoming.id_hash(), || incoming.id()),
            };
            let Some(i) = found else {
                return (renamed, None);
            };
            let held = &self.items[i];
            let far = match (held.entry.time(), incoming.time()) {
                (Some(a), Some(b)) => a.duration_since(b).abs() > REUSE_GAP,
                _ => false,
            };
            if !(far
                && !held.folded.same_body(incoming_folded)
                && !held.folded.same_headline(incoming_folded))
            {
                return (renamed, Some(i));
            }
            n += 1;
        }
    }

    /// Mark entries of `source` that are missing from a response although they are newer
    /// than its oldest entry: the source withdrew them.
    fn mark_vanished(
        &mut self,
        source: usize,
        oldest: Timestamp,
        present: &[bool],
        report: &mut MergeReport,
    ) {
        // `order` is newest first, so only its head can be newer than `oldest`: walk that
        // far and no further (a poll should not cost a pass over every entry held).
        let mut gone = Vec::new();
        for &i in &self.order {
            let s = &self.items[i];
            if s.time() <= oldest {
                break;
            }
            if s.source == source
                && !s.vanished
                && !s.entry.removed
                && !present.get(i).copied().unwrap_or(false)
                && s.entry.time().is_some_and(|t| t > oldest)
            {
                gone.push(i);
            }
        }
        // Report them in slab order, as a pass over the slab would.
        gone.sort_unstable();
        for i in gone {
            let s = &mut self.items[i];
            s.vanished = true;
            report.vanished.push(s.key());
        }
    }

    /// Drop the oldest already-seen entries of `source` beyond `cap`, never `keep`.
    /// Returns how many went.
    pub fn evict(&mut self, source: usize, cap: usize, keep: Option<&Key>) -> usize {
        let held = self.held(source);
        if held <= cap {
            return 0;
        }
        let keep = keep.and_then(|k| self.index.get(&self.items, k.source, &k.id));
        let mut excess = held - cap;
        let mut drop = vec![false; self.items.len()];
        for &i in self.order.iter().rev() {
            if excess == 0 {
                break;
            }
            let s = &self.items[i];
            if s.source == source && !s.new && Some(i) != keep {
                drop[i] = true;
                excess -= 1;
                let until = &mut self.evicted_until[source];
                *until = (*until).max(s.entry.time());
            }
        }
        let gone = drop.iter().filter(|d| **d).count();
        if gone == 0 {
            return 0;
        }
        // Rebuild the slab without the dropped entries (indexes change; callers refilter).
        let mut remap = vec![usize::MAX; self.items.len()];
        let old = std::mem::take(&mut self.items);
        for (i, s) in old.into_entries().enumerate() {
            if !drop[i] {
                remap[i] = self.items.len();
                self.items.push(s);
            }
        }
        self.order = self
            .order
            .iter()
            .filter_map(|&i| (remap[i] != usize::MAX).then_some(remap[i]))
            .collect();
        self.index.rebuild(&self.items);
        if self.has_unfolded() {
            self.unfolded = 0..self.items.len();
        }
        self.pinned = self
            .pinned
            .iter()
            .filter_map(|&i| (remap[i] != usize::MAX).then_some(remap[i]))
            .collect();
        self.held[source] -= gone;
        self.evicted[source] += gone;
        self.version += 1;
        gone
    }

    /// How many entries of `source` are held.
    pub fn held(&self, source: usize) -> usize {
        self.held.get(source).copied().unwrap_or(0)
    }

    /// How many entries of `source` were evicted to respect the cap.
    pub fn evicted(&self, source: usize) -> usize {
        self.evicted.get(source).copied().unwrap_or(0)
    }

    /// Changes whenever anything in the store changes.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The arrival mark: entries merged after this call have a higher `seq`.
    pub fn seq_mark(&self) -> u64 {
        self.next_seq
    }

    /// Put `fresh` (indexes not yet in `order`) into the newest-first order: sort them,
    /// then merge the two sorted runs in one pass.
    fn insert_ordered(&mut self, mut fresh: Vec<usize>) {
        if fresh.is_empty() {
            return;
        }
        let items = &self.items;
        let rank = |i: &usize| std::cmp::Reverse((items[*i].time(), items[*i].seq));
        fresh.sort_by_key(rank);
        // Mostly the fresh entries all go after the held ones (the next part of a big
        // first document, older than the last) or all before them (a poll's new entries):
        // then the runs are joined without comparing every held entry (which reads each
        // one's record, all over memory).
        let (first, last) = (fresh[0], fresh[fresh.len() - 1]);
        if self.order.last().is_none_or(|x| rank(x) <= rank(&first)) {
            self.order.extend(fresh);
            return;
        }
        if self.order.first().is_some_and(|x| rank(&last) < rank(x)) {
            fresh.extend_from_slice(&self.order);
            self.order = fresh;
            return;
        }
        let old = std::mem::take(&mut self.order);
        let mut merged = Vec::with_capacity(old.len() + fresh.len());
        let (mut a, mut b) = (old.into_iter().peekable(), fresh.into_iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => {
                    if rank(x) <= rank(y) {
                        merged.extend(a.next());
                    } else {
                        merged.extend(b.next());
                    }
                }
                (Some(_), None) => merged.extend(a.by_ref()),
                (None, Some(_)) => merged.extend(b.by_ref()),
                (None, None) => break,
            }
        }
        self.order = merged;
    }
}

/// For each entry, whether an earlier one in the same response has its id (the first wins).
/// Held entries come with their ids' hashes: an id is read only when two hashes match.
fn repeated_ids(snapshot: &Snapshot) -> Vec<bool> {
    let hashes: Vec<u64> = (0..snapshot.len())
        .map(|n| snapshot.id_hash_at(n))
        .collect();
    let mut seen = hashbrown::HashTable::<usize>::with_capacity(hashes.len());
    (0..hashes.len())
        .map(|n| {
            let hash = hashes[n];
            let same = |&m: &usize| hashes[m] == hash && snapshot.id_at(m) == snapshot.id_at(n);
            if seen.find(hash, same).is_some() {
                return true;
            }
            seen.insert_unique(hash, n, |&m| hashes[m]);
            false
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).unwrap()
    }

    fn entry(id: &str, secs: i64, text: &str) -> Entry {
        Entry {
            id: id.into(),
            published: Some(ts(secs)),
            title: format!("title {id}"),
            text: text.into(),
            ..Entry::default()
        }
    }

    fn snap(entries: Vec<Entry>) -> Snapshot {
        Snapshot {
            entries,
            ..Snapshot::default()
        }
    }

    fn ids(store: &Store) -> Vec<&str> {
        store.iter().map(|s| s.entry.id()).collect()
    }

    fn heads(entries: &[Entry]) -> Snapshot {
        let entries = entries
            .iter()
            .map(|e| Entry {
                text: String::new(),
                ..e.clone()
            })
            .collect();
        Snapshot {
            partial: true,
            ..snap(entries)
        }
    }

    /// `entries` as a first document sent in parts of `sizes` (the rest in the last one).
    fn parts(entries: &[Entry], sizes: &[usize]) -> Vec<Snapshot> {
        let mut rest = entries;
        let mut out = Vec::new();
        for &size in sizes {
            let (part, after) = rest.split_at(size.min(rest.len()));
            out.push(Snapshot {
                more: true,
                continues: !out.is_empty(),
                ..snap(part.to_vec())
            });
            rest = after;
        }
        out.push(Snapshot {
            continues: true,
            ..snap(rest.to_vec())
        });
        out
    }

    /// What a store holds, entry by entry, as far as the screen can tell.
    fn shown(store: &Store) -> Vec<(String, String, bool, bool)> {
        store
            .iter()
            .map(|s| {
                (
                    s.entry.id().to_string(),
                    s.text().into_owned(),
                    s.new,
                    s.vanished,
                )
            })
            .collect()
    }

    #[test]
    fn a_first_document_merged_in_parts_is_the_same_as_merged_whole() {
        let mut timeless = entry("t1", 0, "no time 1");
        timeless.published = None;
        let mut timeless2 = entry("t2", 0, "no time 2");
        timeless2.published = None;
        let newest_first = vec![
            entry("f", 60, "body f"),
            entry("e", 50, "body e"),
            entry("d", 50, "body d"),
            timeless.clone(),
            entry("c", 40, "body c"),
            entry("b", 30, "body b"),
            timeless2.clone(),
            entry("a", 10, "body a"),
        ];
        let mut oldest_first = newest_first.clone();
        oldest_first.reverse();
        // Oldest first in its first two entries, newest first as a whole.
        let turning = vec![
            entry("p", 20, "body p"),
            entry("q", 30, "body q"),
            timeless.clone(),
            entry("r", 30, "body r"),
            timeless2.clone(),
            entry("s", 5, "body s"),
        ];
        for doc in [newest_first, oldest_first, turning] {
            let mut whole = Store::new();
            whole.merge(0, snap(doc.clone()), ts(100));
            for sizes in [
                &[1][..],
                &[2],
                &[3, 2],
                &[2, 2, 2],
                &[1, 1, 1, 1, 1, 1, 1],
                &[9],
            ] {
                let mut store = Store::new();
                let mut mark = None;
                for (n, part) in parts(&doc, sizes).into_iter().enumerate() {
                    let last = !part.more;
                    let report = store.merge(0, part, ts(100 + n as i64));
                    assert!(report.baseline, "{sizes:?}: every part is the baseline");
                    assert_eq!(store.has_baseline(0), last, "{sizes:?}");
                    // The divider mark taken after the first part is past every entry.
                    let mark = *mark.get_or_insert(store.seq_mark());
                    assert!(store.iter().all(|s| s.seq < mark), "{sizes:?}");
                }
                assert_eq!(shown(&store), shown(&whole), "{sizes:?}");
                assert_eq!(store.new_count(), 0);
                // Later polls go on as after a whole first document.
                let report = store.merge(0, snap(vec![entry("g", 70, "body g")]), ts(200));
                assert!(!report.baseline && report.added.len() == 1);
                assert!(report.vanished.is_empty() && report.edited.is_empty());
                assert!(store.get(&key("g")).unwrap().new && store.new_count() == 1);
                assert!(store.get(&key("g")).unwrap().seq >= mark.unwrap());
            }
        }
    }

    #[test]
    fn the_order_stays_newest_first_whichever_way_entries_arrive() {
        let mut store = Store::new();
        let mut x: u64 = 7;
        let mut next = move |n: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % n
        };
        let mut id = 0;
        for round in 0..40 {
            // Entries all newer, all older, or mixed with what is held; some without a time.
            let base: i64 = match round % 3 {
                0 => 1000 + round * 10,
                1 => -1000 - round * 10,
                _ => 0,
            };
            let entries: Vec<Entry> = (0..1 + next(5))
                .map(|_| {
                    id += 1;
                    let mut e = entry(&format!("x{id}"), base + next(50) as i64, "t");
                    if next(6) == 0 {
                        e.published = None;
                    }
                    e
                })
                .collect();
            store.merge(0, snap(entries), ts(100 + round));
            let ranks: Vec<_> = store.iter().map(|s| (s.time(), s.seq)).collect();
            assert!(
                ranks.windows(2).all(|w| w[0] >= w[1]),
                "round {round}: {ranks:?}"
            );
            assert_eq!(store.order().len(), store.len());
        }
    }

    #[test]
    fn an_id_repeated_in_a_later_part_keeps_the_first() {
        let doc = vec![
            entry("b", 20, "first b"),
            entry("a", 10, "body a"),
            entry("b", 5, "second b"),
        ];
        let mut store = Store::new();
        for part in parts(&doc, &[2]) {
            let report = store.merge(0, part, ts(100));
            assert!(report.edited.is_empty() && report.flagged.is_empty());
        }
        assert_eq!(ids(&store), ["b", "a"]);
        assert_eq!(store.get(&key("b")).unwrap().text(), "first b");
        assert!(store.get(&key("b")).unwrap().previous().is_empty());
    }

    #[test]
    fn a_document_left_unfinished_leaves_the_next_one_the_baseline() {
        let doc = vec![entry("c", 30, "body c"), entry("b", 20, "body b")];
        let mut store = Store::new();
        let mut sent = parts(&doc, &[1]);
        let rest = sent.pop().unwrap();
        store.merge(0, sent.pop().unwrap(), ts(100));
        assert_eq!(ids(&store), ["c"]);
        assert!(!store.has_baseline(0));
        // The download failed; the next poll reads the whole document again.
        let report = store.merge(0, snap(doc.clone()), ts(130));
        assert!(report.baseline && report.edited.is_empty() && report.vanished.is_empty());
        assert_eq!(ids(&store), ["c", "b"]);
        assert!(store.has_baseline(0) && store.new_count() == 0);
        // A stray rest of the unfinished document changes nothing it should not.
        let report = store.merge(0, rest, ts(131));
        assert!(!report.changed());
        assert_eq!(ids(&store), ["c", "b"]);
    }

    #[test]
    fn headlines_first_are_completed_in_place_not_edited() {
        let mut store = Store::new();
        let full = vec![entry("b", 20, "body b"), entry("a", 10, "body a")];
        let first = store.merge(0, heads(&full), ts(100));
        assert!(first.baseline && first.added.len() == 2);
        assert!(store.iter().all(|s| s.partial && s.text().is_empty()));
        assert!(
            store
                .get(&key("b"))
                .unwrap()
                .folded
                .title()
                .contains("title b")
        );
        let version = store.version();

        let done = store.merge(0, snap(full), ts(101));
        assert!(!done.baseline);
        assert!(done.added.is_empty() && done.edited.is_empty() && done.vanished.is_empty());
        assert!(store.version() > version, "completing is a change to draw");
        assert_eq!(ids(&store), ["b", "a"]);
        for s in store.iter() {
            assert!(!s.partial && !s.new && s.previous().is_empty() && s.edited_at().is_none());
            assert!(s.folded.text().contains("body"), "{:?}", s.folded);
        }
        assert_eq!(store.get(&key("a")).unwrap().text(), "body a");
        assert_eq!(store.new_count(), 0);
    }

    /// A record is held for every entry: what only an edited entry needs stays out of it.
    #[test]
    fn a_record_stays_small() {
        assert!(
            std::mem::size_of::<Stored>() <= 288,
            "{}",
            std::mem::size_of::<Stored>()
        );
        assert_eq!(std::mem::size_of::<Option<Box<Edits>>>(), 8);
    }

    #[test]
    fn headlines_never_replace_whole_entries_or_withdraw_any() {
        let mut store = Store::new();
        let full = vec![
            entry("c", 30, "c"),
            entry("b", 20, "b"),
            entry("a", 10, "a"),
        ];
        store.merge(0, snap(full.clone()), ts(100));
        // A later look at the headlines only, one entry missing from the middle.
        let report = store.merge(0, heads(&[full[0].clone(), full[2].clone()]), ts(101));
        assert!(!report.changed(), "{report:?}");
        assert!(
            store
                .iter()
                .all(|s| !s.partial && !s.vanished && !s.text().is_empty())
        );
    }

    /// The keys of the entries a merge added.
    fn added(store: &Store, report: &MergeReport) -> Vec<Key> {
        report.added.iter().map(|&i| store.item(i).key()).collect()
    }

    fn key(id: &str) -> Key {
        Key {
            source: 0,
            id: id.into(),
        }
    }

    #[test]
    fn first_fetch_is_the_baseline_and_not_new() {
        let mut store = Store::new();
        let r = store.merge(
            0,
            snap(vec![entry("b", 20, "x"), entry("a", 10, "y")]),
            ts(100),
        );
        assert!(r.baseline);
        assert_eq!(store.new_count(), 0);
        assert_eq!(ids(&store), ["b", "a"]);
    }

    #[test]
    fn later_entries_are_new_until_seen() {
        let mut store = Store::new();
        store.merge(0, snap(vec![entry("a", 10, "y")]), ts(100));
        let r = store.merge(
            0,
            snap(vec![entry("c", 30, "z"), entry("a", 10, "y")]),
            ts(130),
        );
        assert_eq!(added(&store, &r), [key("c")]);
        assert_eq!(store.new_count(), 1);
        assert!(store.get(&key("c")).unwrap().new);
        assert!(store.mark_seen(&key("c")));
        assert!(!store.mark_seen(&key("c")));
        assert_eq!(store.new_count(), 0);
    }

    #[test]
    fn new_is_by_identity_not_by_time() {
        let mut store = Store::new();
        store.merge(0, snap(vec![entry("a", 100, "y")]), ts(100));
        // An entry with an older timestamp that was never seen is still new.
        store.merge(
            0,
            snap(vec![entry("a", 100, "y"), entry("old", 1, "o")]),
            ts(130),
        );
        assert_eq!(store.new_count(), 1);
        assert_eq!(ids(&store), ["a", "old"]);
    }

    #[test]
    fn missing_entries_are_kept_and_empty_responses_change_nothing() {
        let mut store = Store::new();
        store.merge(
            0,
            snap(vec![entry("b", 20, "x"), entry("a", 10, "y")]),
            ts(100),
        );
        let r = store.merge(0, snap(vec![entry("b", 20, "x")]), ts(130));
        assert!(!r.changed());
        let r = store.merge(0, snap(vec![]), ts(160));
        assert!(!r.changed());
        assert_eq!(ids(&store), ["b", "a"]);
    }

    #[test]
    fn an_empty_first_fetch_still_sets_the_baseline() {
        let mut store = Store::new();
        store.merge(0, snap(vec![]), ts(100));
        assert!(store.has_baseline(0));
        store.merge(0, snap(vec![entry("a", 10, "y")]), ts(130));
        assert_eq!(store.new_count(), 1);
    }

    #[test]
    fn edits_keep_the_previous_version() {
        let mut store = Store::new();
        store.merge(0, snap(vec![entry("a", 10, "first")]), ts(100));
        let r = store.merge(0, snap(vec![entry("a", 10, "second")]), ts(130));
        assert_eq!(r.edited, [key("a")]);
        let s = store.get(&key("a")).unwrap();
        assert_eq!(s.text(), "second");
        assert_eq!(s.previous()[0].text, "first");
        assert_eq!(s.edited_at(), Some(ts(130)));
        assert_eq!(s.status(), "edited");
        assert!(!s.new, "an edit does not make an entry new");
    }

    #[test]
    fn duplicate_ids_in_one_response_keep_the_first() {
        let mut store = Store::new();
        store.merge(
            0,
            snap(vec![entry("a", 10, "first"), entry("a", 10, "second")]),
            ts(100),
        );
        assert_eq!(store.len(), 1);
        assert_eq!(store.get(&key("a")).unwrap().text(), "first");
    }

    /// Held entries come with their ids' hashes: repeated ids are still told apart from
    /// different ones, the first kept, and every entry is found by its key (the index
    /// hashes a held entry by the hash it carries, a key by its id).
    #[test]
    fn held_entries_with_repeated_ids_keep_the_first_and_are_found_by_key() {
        let mut store = Store::new();
        // Enough entries that the index spreads them over many groups of its table.
        let ids: Vec<String> = (0..600).map(|n| format!("e{n}")).collect();
        let mut entries = vec![entry("a", 30, "first a"), entry("b", 20, "b")];
        entries.extend(ids.iter().map(|id| entry(id, 15, id)));
        entries.push(entry("a", 30, "second a"));
        entries.push(entry("e7", 15, "second e7"));
        entries.push(entry("c", 10, "c"));
        store.merge(0, unfolded(entries), ts(100));
        assert_eq!(store.len(), 603);
        assert_eq!(store.get(&key("a")).unwrap().text(), "first a");
        assert_eq!(store.get(&key("e7")).unwrap().text(), "e7");
        for id in ["a", "b", "c"]
            .into_iter()
            .chain(ids.iter().map(String::as_str))
        {
            let i = store.index_of(&key(id)).unwrap();
            assert_eq!(store.item(i).entry.id(), id);
            assert_eq!(store.item(i).entry.id_hash(), crate::entry::id_hash(id));
        }
        assert!(store.get(&key("d")).is_none());
        // The same ids from another source are other entries.
        store.merge(1, unfolded(vec![entry("a", 40, "a of 1")]), ts(100));
        assert_eq!(store.len(), 604);
        let other = Key {
            source: 1,
            id: "a".to_string(),
        };
        assert_eq!(store.get(&other).unwrap().text(), "a of 1");
        assert_eq!(store.get(&key("a")).unwrap().text(), "first a");
    }

    #[test]
    fn order_is_newest_first_with_ties_in_document_order() {
        let mut store = Store::new();
        store.merge(
            0,
            snap(vec![
                entry("x", 50, ""),
                entry("y", 50, ""),
                entry("z", 10, ""),
            ]),
            ts(100),
        );
        assert_eq!(ids(&store), ["x", "y", "z"]);
        store.merge(
            0,
            snap(vec![entry("m", 30, ""), entry("w", 60, "")]),
            ts(110),
        );
        assert_eq!(ids(&store), ["w", "x", "y", "m", "z"]);
    }

    #[test]
    fn entries_without_time_order_by_arrival() {
        let mut store = Store::new();
        let mut a = entry("a", 0, "");
        a.published = None;
        store.merge(0, snap(vec![a]), ts(100));
        let mut b = entry("b", 0, "");
        b.published = None;
        store.merge(0, snap(vec![b]), ts(200));
        assert_eq!(ids(&store), ["b", "a"]);
    }

    #[test]
    fn sources_are_separate() {
        let mut store = Store::new();
        store.merge(0, snap(vec![entry("a", 10, "")]), ts(100));
        let r = store.merge(1, snap(vec![entry("a", 20, "")]), ts(100));
        assert!(r.baseline);
        assert_eq!(store.len(), 2);
        assert_eq!(store.new_count(), 0);
    }

    #[test]
    fn filter_words_match_title_body_author_and_captions() {
        let mut store = Store::new();
        let mut e = entry("a", 10, "The Bridge is closed");
        e.authors = vec!["Ana Ruiz".into()];
        e.images = vec![crate::entry::Image {
            caption: Some("Flooded harbour".into()),
            ..Default::default()
        }];
        store.merge(0, snap(vec![e]), ts(100));
        let s = store.get(&key("a")).unwrap();
        let w = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(s.matches_all(&w(&["bridge", "ruiz", "harbour", "title"])));
        assert!(!s.matches_all(&w(&["bridge", "tunnel"])));
    }

    /// A snapshot as the poller sends a source's first document: its entries held as they
    /// came, not folded.
    fn unfolded(entries: Vec<Entry>) -> Snapshot {
        Snapshot {
            folded: entries.iter().map(Folded::unfolded).collect(),
            held: entries
                .iter()
                .cloned()
                .map(|e| Some(Held::new(e)))
                .collect(),
            ..Snapshot::default()
        }
    }

    /// Entries that came unfolded read the same at once, match filter words before they
    /// are folded, are folded a chunk at a time into what a folded snapshot holds, and
    /// are compared with what comes later by their content alone.
    #[test]
    fn unfolded_entries_are_folded_later_a_chunk_at_a_time() {
        let n = 2 * CHUNK + 10;
        let all: Vec<Entry> = (0..n)
            .map(|i| {
                let mut e = entry(&format!("e{i}"), i as i64, &format!("The Bridge {i}"));
                e.authors = vec!["Ana Ruiz".into()];
                e
            })
            .collect();
        let mut store = Store::new();
        store.merge(0, unfolded(all.clone()), ts(100_000));
        assert!(store.has_unfolded());
        let unfolded_count =
            |store: &Store| store.iter().filter(|s| s.folded.is_unfolded()).count();
        assert_eq!(unfolded_count(&store), n);
        let s = store.get(&key("e5")).unwrap();
        assert_eq!(
            (s.title().as_ref(), s.text().as_ref()),
            ("title e5", "The Bridge 5")
        );
        let w = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(s.matches_all(&w(&["bridge 5", "ruiz", "title e5"])));
        assert!(!s.matches_all(&w(&["bridge", "tunnel"])));
        assert!(store.fold_some(1));
        assert_eq!(unfolded_count(&store), n - CHUNK);
        store.fold_all();
        assert!(!store.has_unfolded() && !store.fold_some(1));
        for e in &all {
            let s = store.get(&key(&e.id)).unwrap();
            assert_eq!(s.folded, Folded::from_entry(e), "{}", e.id);
        }
        // The same document again, folded this time: nothing changed.
        let mut again = snap(all.clone());
        again.folded = all.iter().map(Folded::from_entry).collect();
        let r = store.merge(0, again, ts(100_100));
        assert!(!r.changed() && r.edited.is_empty(), "{r:?}");
        // One edit among them, unfolded: noted, and folded later.
        let mut next = all.clone();
        next[3].text = "The Tunnel".into();
        let r = store.merge(0, unfolded(next.clone()), ts(100_200));
        assert_eq!(r.edited, [key("e3")]);
        assert_eq!(unfolded_count(&store), 1);
        assert!(store.has_unfolded());
        assert!(store.get(&key("e3")).unwrap().matches_all(&w(&["tunnel"])));
        // Eviction moves entries; whatever is left unfolded is still found.
        store.mark_all_seen();
        assert!(store.evict(0, n - 2, None) > 0);
        store.fold_all();
        assert_eq!(unfolded_count(&store), 0);
        assert_eq!(
            store.get(&key("e3")).unwrap().folded,
            Folded::from_entry(&next[3])
        );
    }

    #[test]
    fn entries_vanishing_inside_the_window_are_removed_but_kept() {
        let mut store = Store::new();
        let all = vec![
            entry("d", 40, ""),
            entry("c", 30, ""),
            entry("b", 20, ""),
            entry("a", 10, ""),
        ];
        store.merge(0, snap(all), ts(100));
        // The window now covers 20..40: "c" vanished inside it, "a" just fell out of it.
        let r = store.merge(
            0,
            snap(vec![entry("d", 40, ""), entry("b", 20, "")]),
            ts(130),
        );
        assert_eq!(r.vanished, [key("c")]);
        assert!(store.get(&key("c")).unwrap().is_removed());
        assert_eq!(store.get(&key("c")).unwrap().status(), "removed");
        assert!(!store.get(&key("a")).unwrap().is_removed());
        assert_eq!(store.len(), 4, "nothing is deleted");
        // It comes back: no longer removed.
        let r = store.merge(
            0,
            snap(vec![entry("d", 40, ""), entry("c", 30, "")]),
            ts(160),
        );
        assert_eq!(r.flagged, [key("c")]);
        assert!(!store.get(&key("c")).unwrap().is_removed());
    }

    #[test]
    fn the_source_can_withdraw_an_entry() {
        let mut store = Store::new();
        store.merge(0, snap(vec![entry("a", 10, "text")]), ts(100));
        let mut gone = entry("a", 10, "text");
        gone.removed = true;
        let r = store.merge(0, snap(vec![gone]), ts(130));
        assert_eq!(r.flagged, [key("a")]);
        let s = store.get(&key("a")).unwrap();
        assert_eq!(s.status(), "removed");
        assert_eq!(s.text(), "text", "the text is kept");
    }

    #[test]
    fn a_reused_id_for_different_content_is_a_separate_entry() {
        let mut store = Store::new();
        store.merge(0, snap(vec![entry("post1", 0, "old story")]), ts(0));
        let mut other = entry("post1", 2 * 86_400, "a different story");
        other.title = "another headline".into();
        let r = store.merge(0, snap(vec![other.clone()]), ts(2 * 86_400));
        assert_eq!(added(&store, &r), [key("post1~2")]);
        assert_eq!(store.get(&key("post1")).unwrap().text(), "old story");
        // Seen again, it is the same separate entry, not a third one.
        let r = store.merge(0, snap(vec![other]), ts(2 * 86_400 + 30));
        assert!(r.added.is_empty());
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn future_times_are_flagged() {
        let mut store = Store::new();
        store.merge(
            0,
            snap(vec![entry("a", 100 + 3600, ""), entry("b", 100 + 60, "")]),
            ts(100),
        );
        assert!(store.get(&key("a")).unwrap().future);
        assert!(!store.get(&key("b")).unwrap().future);
    }

    #[test]
    fn eviction_drops_the_oldest_seen_never_new_or_kept_ones() {
        let mut store = Store::new();
        store.merge(
            0,
            snap((0..5).map(|n| entry(&format!("o{n}"), n, "")).collect()),
            ts(100),
        );
        store.merge(0, snap(vec![entry("n1", 1000, "")]), ts(200));
        store.merge(1, snap(vec![entry("other", 0, "")]), ts(200));
        let gone = store.evict(0, 3, Some(&key("o0")));
        assert_eq!(gone, 3);
        assert_eq!(store.evicted(0), 3);
        let left: Vec<&str> = ids(&store);
        assert_eq!(left, ["n1", "o4", "other", "o0"]);
        assert!(store.get(&key("o4")).is_some());
        assert_eq!(store.new_count(), 1);
        assert_eq!(store.evict(0, 3, None), 0);
    }

    /// The pinned entries and the entries held per source are kept as merges and evictions
    /// go: they always equal what a pass over every entry finds.
    #[test]
    fn pinned_and_held_entries_are_kept_without_a_pass_over_all() {
        let pinned = |id: &str, secs: i64| {
            let mut e = entry(id, secs, "");
            e.pinned = true;
            e
        };
        let check = |store: &Store, step: &str| {
            let scanned: Vec<usize> = store
                .order()
                .iter()
                .copied()
                .filter(|&i| store.item(i).entry.pinned)
                .collect();
            assert_eq!(store.pinned(), scanned, "{step}");
            for source in 0..2 {
                let held = store.iter().filter(|s| s.source == source).count();
                assert_eq!(store.held(source), held, "{step}");
            }
        };
        let mut store = Store::new();
        let mut first: Vec<Entry> = (0..6).map(|n| entry(&format!("e{n}"), n, "")).collect();
        first[2] = pinned("e2", 2);
        store.merge(0, snap(first), ts(100));
        check(&store, "a first document with one pinned entry");
        store.merge(
            1,
            snap(vec![pinned("p1", 50), entry("o1", 40, "")]),
            ts(100),
        );
        check(&store, "another source");
        // e2 unpinned, e4 pinned, a new pinned entry.
        let mut next: Vec<Entry> = (0..6).map(|n| entry(&format!("e{n}"), n, "")).collect();
        next[4] = pinned("e4", 4);
        next.push(pinned("e9", 90));
        store.merge(0, snap(next.clone()), ts(200));
        check(&store, "pins moved");
        store.mark_all_seen();
        assert_eq!(store.evict(0, 3, None), 4);
        check(&store, "evicted");
        // Many pinned at once.
        let many: Vec<Entry> = (0..40).map(|n| pinned(&format!("m{n}"), 100 + n)).collect();
        store.merge(1, snap(many), ts(300));
        check(&store, "many pinned");
        assert!(store.pinned().len() > 16);
        store.mark_all_seen();
        assert_eq!(store.evict(1, 10, None), 32);
        check(&store, "many evicted");
    }

    /// A source whose documents hold more than the cap: what was evicted does not come
    /// back as new with the next response that still lists it.
    #[test]
    fn evicted_entries_do_not_come_back_as_new() {
        let mut store = Store::new();
        let all: Vec<Entry> = (0..6).map(|n| entry(&format!("e{n}"), n, "")).collect();
        store.merge(0, snap(all.clone()), ts(100));
        assert_eq!(store.evict(0, 4, None), 2);
        let mut next = all;
        next.insert(0, entry("fresh", 100, ""));
        let report = store.merge(0, snap(next), ts(200));
        assert_eq!(added(&store, &report), [key("fresh")]);
        assert_eq!(store.new_count(), 1);
        assert_eq!(ids(&store), ["fresh", "e5", "e4", "e3", "e2"]);
        assert!(report.vanished.is_empty());
    }

    /// A big snapshot, folded by the poller or not, is taken over from its end (giving its
    /// memory back as it goes): every entry keeps its own folded body, repeated ids keep
    /// the first, and the report lists what was added in the snapshot's order.
    #[test]
    fn a_big_snapshot_is_taken_over_whole_and_reported_in_order() {
        let n = 2 * GIVE_BACK + 5;
        let mut entries: Vec<Entry> = (0..n)
            .map(|i| entry(&format!("e{i}"), (n - i) as i64, &format!("Body {i}")))
            .collect();
        entries.insert(7, entry("e3", 1, "a repeat"));
        for prefolded in [false, true] {
            let mut snapshot = snap(entries.clone());
            if prefolded {
                snapshot.folded = entries.iter().map(Folded::from_entry).collect();
            }
            let mut store = Store::new();
            let report = store.merge(0, snapshot, ts(100_000));
            assert_eq!(store.len(), n);
            let want: Vec<Key> = (0..n).map(|i| key(&format!("e{i}"))).collect();
            assert_eq!(added(&store, &report), want);
            for i in [0, 3, GIVE_BACK, n - 1] {
                let held = store.get(&key(&format!("e{i}"))).unwrap();
                assert_eq!(held.text(), format!("Body {i}"));
            }
            assert_eq!(ids(&store)[..3], ["e0", "e1", "e2"]);
        }
    }

    /// Thousands of entries span several chunks of the slab; lookups, order and eviction
    /// work across them.
    #[test]
    fn many_entries_span_chunks_and_evict_cleanly() {
        let mut store = Store::new();
        let n = 3 * CHUNK + 7;
        let entries = (0..n)
            .map(|i| entry(&format!("e{i}"), i as i64, "x"))
            .collect();
        store.merge(0, snap(entries), ts(10_000));
        assert_eq!(store.len(), n);
        assert_eq!(store.get(&key("e2000")).unwrap().entry.id(), "e2000");
        assert_eq!(store.at(0).unwrap().entry.id(), format!("e{}", n - 1));
        let gone = store.evict(0, 1000, Some(&key("e5")));
        assert_eq!(gone, n - 1000);
        assert_eq!(store.len(), 1000);
        // The newest stay, and the one being read.
        assert!(store.get(&key("e5")).is_some());
        assert!(store.get(&key("e6")).is_none());
        assert!(store.get(&key(&format!("e{}", n - 1))).is_some());
        let ids: Vec<&str> = store.iter().map(|s| s.entry.id()).collect();
        assert_eq!(ids.len(), 1000);
        assert_eq!(ids[0], format!("e{}", n - 1));
        assert_eq!(ids[999], "e5");
        for (pos, s) in store.iter().enumerate() {
            assert_eq!(store.index_of(&s.key()), Some(store.order()[pos]));
        }
    }

    /// Each body is held once, folded; what is read back is what came in, whether it is
    /// rebuilt from patches or kept whole.
    #[test]
    fn texts_read_back_as_they_came_in() {
        let texts = [
            "",
            "plain words",
            "Storm  Éowyn\n\nHits the COAST.\tNow ",
            "\n 서울에 폭우가 내렸다",
            "e\u{301}te\u{301} ﬁne – “quoted”",
        ];
        let mut store = Store::new();
        let entries = texts
            .iter()
            .enumerate()
            .map(|(n, t)| entry(&format!("e{n}"), n as i64, t))
            .collect();
        store.merge(0, snap(entries), ts(100));
        for (n, text) in texts.iter().enumerate() {
            let s = store.get(&key(&format!("e{n}"))).unwrap();
            assert_eq!(s.text(), *text);
            assert_eq!(s.to_entry().text, *text);
            assert_eq!(s.to_entry().title, s.title());
        }
    }

    /// Edits are found by comparing bodies in their folded forms: a change to the body
    /// alone is an edit, a change of case only too, an unchanged one is not.
    #[test]
    fn edits_to_the_body_alone_are_found_also_in_case_only() {
        let folded = |entries: Vec<Entry>| {
            let mut s = snap(entries);
            s.folded = s.entries.iter().map(Folded::from_entry).collect();
            s
        };
        for with_folded in [false, true] {
            let merge = |store: &mut Store, text: &str, at: i64| {
                let entries = vec![entry("a", 10, text)];
                let snapshot = if with_folded {
                    folded(entries)
                } else {
                    snap(entries)
                };
                store.merge(0, snapshot, ts(at))
            };
            let mut store = Store::new();
            merge(&mut store, "The Storm hits.", 100);
            let again = merge(&mut store, "The Storm hits.", 130);
            assert!(!again.changed(), "{again:?}");
            let edit = merge(&mut store, "The Storm hits hard.", 160);
            assert_eq!(edit.edited, [key("a")]);
            let case = merge(&mut store, "The storm hits hard.", 190);
            assert_eq!(case.edited, [key("a")], "a change of case is an edit");
            let s = store.get(&key("a")).unwrap();
            assert_eq!(s.text(), "The storm hits hard.");
            let previous: Vec<&str> = s.previous().iter().map(|p| p.text.as_str()).collect();
            assert_eq!(previous, ["The Storm hits.", "The Storm hits hard."]);
            assert!(!merge(&mut store, "The storm hits hard.", 220).changed());
        }
    }

    /// The headline is held only folded too: a change to it alone is an edit, a change of
    /// case only too, and every version keeps its headline exactly.
    #[test]
    fn edits_to_the_headline_alone_are_found_also_in_case_only() {
        for with_folded in [false, true] {
            let merge = |store: &mut Store, title: &str, at: i64| {
                let mut snapshot = snap(vec![Entry {
                    title: title.into(),
                    ..entry("a", 10, "Body.")
                }]);
                if with_folded {
                    snapshot.folded = snapshot.entries.iter().map(Folded::from_entry).collect();
                }
                store.merge(0, snapshot, ts(at))
            };
            let mut store = Store::new();
            merge(&mut store, "Storm  Éowyn nears", 100);
            assert!(!merge(&mut store, "Storm  Éowyn nears", 130).changed());
            let edit = merge(&mut store, "Storm Éowyn nears", 160);
            assert_eq!(edit.edited, [key("a")], "a space less is an edit");
            let case = merge(&mut store, "Storm Éowyn Nears", 190);
            assert_eq!(case.edited, [key("a")], "a change of case is an edit");
            let s = store.get(&key("a")).unwrap();
            assert_eq!(s.title(), "Storm Éowyn Nears");
            assert_eq!(s.to_entry().title, "Storm Éowyn Nears");
            let previous: Vec<&str> = s.previous().iter().map(|p| p.title.as_str()).collect();
            assert_eq!(previous, ["Storm  Éowyn nears", "Storm Éowyn nears"]);
        }
    }

    /// Entries folded by the poller are taken in order, also past a repeated id, and an
    /// edit takes the folded form of its new text.
    #[test]
    fn folded_forms_from_the_poller_stay_with_their_entries() {
        let with_folded = |entries: Vec<Entry>| {
            let mut s = snap(entries);
            s.folded = s.entries.iter().map(Folded::from_entry).collect();
            s
        };
        let mut store = Store::new();
        store.merge(
            0,
            with_folded(vec![
                entry("a", 30, "alpha"),
                entry("a", 30, "repeat"),
                entry("b", 20, "bravo"),
            ]),
            ts(100),
        );
        store.merge(
            0,
            with_folded(vec![entry("c", 40, "charlie"), entry("b", 20, "bravo two")]),
            ts(200),
        );
        for (id, text) in [("a", "alpha"), ("b", "bravo two"), ("c", "charlie")] {
            let s = store.get(&key(id)).unwrap();
            assert_eq!(s.folded, Folded::from_entry(&s.to_entry()), "{id}");
            assert!(s.folded.text().contains(text), "{id}");
        }
    }
}
