//! The filter language typed at the `/` prompt: parse, match, highlight.
//!
//! A query is a list of terms that must all hold (AND):
//!
//! - `storm` — a word, found anywhere inside the title, the authors or the text (body and
//!   image captions/credits), ignoring case and accents (`cafe` finds `Café`). `bridg`
//!   finds `bridges`. The source name is only searched with `source:`.
//! - `"storm surge"` — a phrase: those words in that order (whitespace runs count as one
//!   space).
//! - `-word`, `-"a phrase"`, `-author:smith`, `-is:new` — exclude what matches.
//! - `title:`, `author:`, `source:`, `text:` — look in one field only (word or phrase).
//! - `is:new`, `is:pinned` (pinned or key event), `is:edited`, `is:removed`.
//! - `since:90s`, `since:30m`, `since:2h`, `since:1d` (age relative to now) and
//!   `since:14:30` (that clock time today in the given zone, or yesterday if that is still
//!   ahead). Entries without a time match neither `since:` nor `-since:`.
//!
//! The whitespace-only query matches everything. Malformed input is a [`QueryError`] with
//! a message for the user and the byte offset of the problem. `https://x` is a plain word
//! (a colon followed by `//` is not a qualifier).
//!
//! Matching runs on every keystroke over every entry, so the text of each entry is folded
//! once, when it is taken in or (a source's first document) right after it is first shown
//! ([`Folded`]), each query compiles its needles once (memchr's
//! `memmem::Finder`), `matches` allocates nothing, and the cheap fact tests run before the
//! text searches.

mod fold;
mod grams;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use memchr::memmem::{self, Finder};

use crate::entry::Entry;

pub use fold::fold;
use grams::Grams;

/// A parsed query, ready to test entries with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// Cheapest first (facts, then source, then text); all must hold.
    terms: Vec<Term>,
}

/// A query that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// A short message for the user.
    pub message: String,
    /// The 0-based byte offset in the input where the problem is.
    pub column: usize,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// Parses a query. `now` and `tz` resolve `since:` values into fixed instants.
pub fn parse(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Query, QueryError> {
    let mut terms = parse::terms(input, now, tz)?;
    terms.sort_by_key(Term::cost);
    Ok(Query { terms })
}

thread_local! {
    /// The buffer [`Folded::from_entry`] folds in.
    static FOLDING: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    /// The buffer [`Folded::from_entry`] writes what rebuilds the headline and the body in.
    static REBUILDING: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// The text of one entry, folded once (at ingestion) so matching is cheap.
///
/// Title, authors and text live in one buffer, in that order, joined by `\n` (which never
/// occurs inside a folded title or text, and only between authors): one allocation per
/// entry, and a term that may match any field is one search over one contiguous slice.
/// Needles are folded too, so they never contain `\n` and no match spans two fields.
///
/// The text is the body followed by the image captions and credits. The headline and the
/// body are held only here: [`Folded::headline`] and [`Folded::body`] rebuild them exactly,
/// from their folded forms and the few places where folding changed them, held in the
/// same string before the folded text. So two `Folded` are equal when their authors and
/// captions fold the same and their headlines and bodies are the same, byte for byte.
///
/// Folding can wait: the entries of a source's first document are held as they came
/// ([`Folded::unfolded`]: the headline and the body, nothing folded, no trigrams) and
/// folded once the screen shows them ([`Folded::fold`]), so that a big blog's list shows
/// without waiting for what only a filter needs. Only the headline and the body may be
/// read of an entry not folded yet; a filter folds every entry it reads first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    /// What rebuilds the headline, then what rebuilds the body (see `kept`), then from
    /// `all_start` on the folded title, authors and text, separated by `\n`. One string, so
    /// one allocation, per entry. The folded text comes last so that a search reads nothing
    /// past what it needs (slicing up to the end of the text would read the byte there).
    held: Box<str>,
    /// End of what rebuilds the headline.
    headline_end: u32,
    /// Start of the folded text (what rebuilds the body ends there).
    all_start: u32,
    /// End of the title in the folded text (a `\n` follows it).
    title_end: u32,
    /// End of the authors in the folded text (a `\n` follows it).
    authors_end: u32,
    /// End of the folded body in the folded text (the captions and credits follow it).
    body_end: u32,
    /// Whether the headline is rebuilt from patches or held whole.
    headline_kept: fold::Kept,
    /// Whether the body is rebuilt from patches or held whole.
    kept: fold::Kept,
    /// The trigrams of the folded text, to pass over entries without reading them.
    grams: Grams,
    /// Not folded yet: the headline and the body as they came, and nothing else (see
    /// [`Folded::unfolded`]).
    unfolded: bool,
}

impl Folded {
    /// Folds a title, authors and body (an entry without images).
    pub fn new(title: &str, authors: &[String], body: &str) -> Folded {
        Folded::with_captions(
            title,
            authors.iter().map(String::as_str),
            body,
            std::iter::empty(),
        )
    }

    /// An entry's headline and body held as they came, to be folded later with
    /// [`Folded::fold`]: a copy of the two, where folding reads every byte and writes it
    /// again with what rebuilds it. In the same layout as a folded entry whose folding
    /// changed nothing and that has no authors or captions (so its headline and body read
    /// the same way): the headline, `\n`, `\n`, the body.
    pub fn unfolded(entry: &Entry) -> Folded {
        let (title, body) = (entry.title.as_str(), entry.text.as_str());
        let mut held = String::with_capacity(title.len() + body.len() + 2);
        held.push_str(title);
        held.push_str("\n\n");
        held.push_str(body);
        match [title.len(), title.len() + 1, held.len()].map(u32::try_from) {
            [Ok(title_end), Ok(authors_end), Ok(body_end)] => Folded {
                held: held.into_boxed_str(),
                title_end,
                authors_end,
                body_end,
                unfolded: true,
                ..Folded::default()
            },
            _ => Folded::default(),
        }
    }

    /// Whether this is held as it came, not folded yet (see [`Folded::unfolded`]).
    pub fn is_unfolded(&self) -> bool {
        self.unfolded
    }

    /// The folded form of an entry held as it came, given the rest of the entry (its
    /// authors and captions); `None` when it is folded already. The same as
    /// [`Folded::from_entry`] of the whole entry.
    pub fn fold(&self, held: &crate::entry::Held) -> Option<Folded> {
        if !self.unfolded {
            return None;
        }
        let captions = held.images().flat_map(|i| [i.caption, i.credit]).flatten();
        Some(Folded::with_captions(
            self.title(),
            held.authors(),
            self.text(),
            captions,
        ))
    }

    /// Folds an entry's title, authors, and body followed by its image captions and
    /// credits (one per line), as the unqualified and `text:` terms search them.
    pub fn from_entry(entry: &Entry) -> Folded {
        let captions = entry
            .images
            .iter()
            .flat_map(|i| [&i.caption, &i.credit])
            .flatten()
            .map(String::as_str);
        let authors = entry.authors.iter().map(String::as_str);
        Folded::with_captions(&entry.title, authors, &entry.text, captions)
    }

    fn with_captions<'a>(
        title: &str,
        authors: impl Iterator<Item = &'a str>,
        body: &str,
        captions: impl Iterator<Item = &'a str> + Clone,
    ) -> Folded {
        let extra: usize = captions.clone().map(|c| c.len() + 1).sum();
        // Folded in the thread's buffer, then copied at its size: folding may change the
        // length, and a string trimmed to its size takes the allocator's lock once more.
        let mut all = crate::scratch::take(&FOLDING);
        all.reserve(title.len() + body.len() + extra + 32);
        let mut rest = crate::scratch::take(&REBUILDING);
        let headline_kept = fold::fold_body(title, &mut all, &mut rest);
        let headline_end = rest.len();
        let title_end = all.len();
        all.push('\n');
        for (n, author) in authors.enumerate() {
            if n > 0 {
                all.push('\n');
            }
            fold::fold_into(author, &mut all);
        }
        let authors_end = all.len();
        all.push('\n');
        let kept = fold::fold_body(body, &mut all, &mut rest);
        let body_end = all.len();
        // One caption per line: folded as if they followed the body after a line break.
        for caption in captions {
            fold::fold_into("\n", &mut all);
            fold::fold_into(caption, &mut all);
        }
        let grams = Grams::of(all.as_bytes());
        // Offsets are kept in 32 bits: an entry of 4 GiB or more keeps nothing (no
        // document within the limits holds one).
        let offsets = [headline_end, rest.len(), title_end, authors_end, body_end];
        let folded = match offsets.map(u32::try_from) {
            [
                Ok(headline_end),
                Ok(all_start),
                Ok(title_end),
                Ok(authors_end),
                Ok(body_end),
            ] if u32::try_from(rest.len() + all.len()).is_ok() => {
                let mut held = String::with_capacity(rest.len() + all.len());
                held.push_str(&rest);
                held.push_str(&all);
                Folded {
                    held: held.into_boxed_str(),
                    headline_end,
                    all_start,
                    title_end,
                    authors_end,
                    body_end,
                    headline_kept,
                    kept,
                    grams,
                    unfolded: false,
                }
            }
            _ => Folded::default(),
        };
        crate::scratch::keep(&FOLDING, all);
        crate::scratch::keep(&REBUILDING, rest);
        folded
    }

    /// The folded headline.
    pub fn title(&self) -> &str {
        self.part(0, self.title_end)
    }

    /// The folded authors, one per line (so no word or phrase matches across two authors).
    pub fn authors(&self) -> &str {
        self.part(self.title_end + 1, self.authors_end)
    }

    /// The folded body, image captions and credits.
    pub fn text(&self) -> &str {
        self.all()
            .get(self.authors_end as usize + 1..)
            .unwrap_or_default()
    }

    /// Asks the processor to start loading the folded text, for a pass that will read it
    /// soon. A pass over many entries otherwise waits on memory for each entry in turn,
    /// where it can wait for several at once.
    pub fn prefetch(&self) {
        #[cfg(target_arch = "x86_64")]
        {
            let at = self.held.as_ptr().wrapping_add(self.all_start as usize);
            // SAFETY: a prefetch is only a hint: it reads nothing the program sees and never
            // faults, whatever the address; SSE, which it needs, is part of every x86_64
            // processor.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
            }
        }
    }

    /// Title, authors and text in one slice, separated by `\n`.
    pub fn all(&self) -> &str {
        self.held.get(self.all_start as usize..).unwrap_or_default()
    }

    /// The headline as it came in (not folded), rebuilt: the store holds it only here.
    pub fn headline(&self) -> std::borrow::Cow<'_, str> {
        let (folded, rest, kept) = self.headline_parts();
        fold::rebuild(folded, rest, kept)
    }

    /// Whether the headlines are the same, byte for byte.
    pub fn same_headline(&self, other: &Folded) -> bool {
        if self.unfolded != other.unfolded {
            return self.headline() == other.headline();
        }
        self.headline_parts() == other.headline_parts()
    }

    /// The body as it came in (not folded), rebuilt.
    pub fn body(&self) -> std::borrow::Cow<'_, str> {
        let (folded, rest, kept) = self.body_parts();
        fold::rebuild(folded, rest, kept)
    }

    /// Whether the bodies are the same, byte for byte (captions and the rest aside).
    pub fn same_body(&self, other: &Folded) -> bool {
        if self.unfolded != other.unfolded {
            return self.body() == other.body();
        }
        self.body_parts() == other.body_parts()
    }

    /// The folded headline, what rebuilds it, and how.
    fn headline_parts(&self) -> (&str, &str, fold::Kept) {
        let rest = self.held.get(..self.headline_end as usize);
        (self.title(), rest.unwrap_or_default(), self.headline_kept)
    }

    /// The folded body, what rebuilds it, and how.
    fn body_parts(&self) -> (&str, &str, fold::Kept) {
        let rest = self
            .held
            .get(self.headline_end as usize..self.all_start as usize);
        (
            self.part(self.authors_end + 1, self.body_end),
            rest.unwrap_or_default(),
            self.kept,
        )
    }

    /// `from..to` of the folded text; empty for the default value, which has no
    /// separators.
    fn part(&self, from: u32, to: u32) -> &str {
        self.all()
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }

    /// Bytes held on the heap (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.held.len()
    }
}

/// Facts about an entry that are not text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// The source's name, folded with [`fold`].
    pub source: &'a str,
    pub new: bool,
    /// Pinned or a key event.
    pub pinned: bool,
    pub edited: bool,
    pub removed: bool,
    pub time: Option<Timestamp>,
}

#[derive(Debug, Clone)]
struct Term {
    negated: bool,
    test: Test,
}

impl PartialEq for Term {
    fn eq(&self, other: &Term) -> bool {
        self.negated == other.negated
            && match (&self.test, &other.test) {
                (Test::Is(a), Test::Is(b)) => a == b,
                (Test::Since(a), Test::Since(b)) => a == b,
                (a, b) => a.text().is_some() && a.text() == b.text(),
            }
    }
}

#[derive(Debug, Clone)]
enum Test {
    /// The folded needle occurs in the field.
    Text {
        field: Field,
        /// Boxed: a finder is large and the other variants are tiny.
        finder: Box<Finder<'static>>,
        /// The needle's trigrams: an entry whose set lacks one cannot hold the needle.
        grams: Box<Grams>,
    },
    Is(Flag),
    /// The entry's time is at or after this instant.
    Since(Timestamp),
}

impl Test {
    /// The field and folded needle of a text test.
    fn text(&self) -> Option<(Field, &[u8])> {
        match self {
            Test::Text { field, finder, .. } => Some((*field, finder.needle())),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Title, authors or text (not the source).
    Any,
    Title,
    Author,
    Source,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    New,
    Pinned,
    Edited,
    Removed,
}

impl Term {
    fn cost(&self) -> u8 {
        match self.test {
            Test::Is(_) | Test::Since(_) => 0,
            Test::Text {
                field: Field::Source,
                ..
            } => 1,
            Test::Text { .. } => 2,
        }
    }

    fn holds(&self, folded: &Folded, facts: &Facts) -> bool {
        let found = match &self.test {
            Test::Is(flag) => match flag {
                Flag::New => facts.new,
                Flag::Pinned => facts.pinned,
                Flag::Edited => facts.edited,
                Flag::Removed => facts.removed,
            },
            Test::Since(cutoff) => match facts.time {
                Some(t) => t >= *cutoff,
                // No time: neither since: nor -since: can say anything about it.
                None => return false,
            },
            Test::Text {
                field,
                finder,
                grams,
            } => {
                let has = |s: &str| finder.find(s.as_bytes()).is_some();
                match field {
                    Field::Source => has(facts.source),
                    // Cheaper than reading the text, and usually enough for a rare word.
                    _ if finder.needle().len() >= 3 && !folded.grams.covers(grams) => false,
                    Field::Any => has(folded.all()),
                    Field::Title => has(folded.title()),
                    Field::Author => has(folded.authors()),
                    Field::Text => has(folded.text()),
                }
            }
        };
        found != self.negated
    }

    /// Whether every entry passing `self` also passes `other` (false when unsure).
    fn implies(&self, other: &Term) -> bool {
        if self.negated != other.negated {
            return false;
        }
        match (&self.test, &other.test) {
            (Test::Is(a), Test::Is(b)) => a == b,
            // Entries without a time fail both polarities, so only the cutoffs matter.
            (Test::Since(a), Test::Since(b)) => {
                if self.negated {
                    a <= b
                } else {
                    a >= b
                }
            }
            (a, b) => match (a.text(), b.text()) {
                (Some((fa, a)), Some((fb, b))) => {
                    if self.negated {
                        // Lacking `a` in a wide field implies lacking anything containing
                        // `a` in a field inside it.
                        field_within(fb, fa) && contains(b, a)
                    } else {
                        // Having `a` implies having any part of `a`, in any wider field.
                        field_within(fa, fb) && contains(a, b)
                    }
                }
                _ => false,
            },
        }
    }
}

/// Whether every text field `inner` searches is also searched by `outer`.
fn field_within(inner: Field, outer: Field) -> bool {
    inner == outer || (outer == Field::Any && inner != Field::Source)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memmem::find(haystack, needle).is_some()
}

impl Query {
    /// True for the empty (or whitespace-only) query, which matches everything.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the entry passes every term. Allocates nothing.
    pub fn matches(&self, folded: &Folded, facts: &Facts) -> bool {
        self.matches_from(folded, facts, 0).is_some()
    }

    /// The anchor: the first word or phrase that must occur in any field. Where it first
    /// occurs in an entry is remembered between keystrokes (see [`Query::anchor_shift`]).
    fn anchor(&self) -> Option<usize> {
        self.terms.iter().position(|t| {
            !t.negated
                && matches!(
                    t.test,
                    Test::Text {
                        field: Field::Any,
                        ..
                    }
                )
        })
    }

    /// The anchor's folded needle, if the query has an anchor.
    pub fn anchor_needle(&self) -> Option<&[u8]> {
        self.terms[self.anchor()?]
            .test
            .text()
            .map(|(_, needle)| needle)
    }

    /// Like [`Query::matches`], for an entry whose anchor cannot occur before byte `from`
    /// of [`Folded::all`]. On a match, returns where the anchor first occurs (0 when the
    /// query has no anchor).
    pub fn matches_from(&self, folded: &Folded, facts: &Facts, from: usize) -> Option<usize> {
        self.matches_known(folded, || *facts, from, &[])
    }

    /// Which of this query's terms are also terms of `previous`: an entry that passed
    /// `previous` (with nothing changed since) passes those without a test.
    pub fn known_terms(&self, previous: &Query) -> Vec<bool> {
        self.terms
            .iter()
            .map(|t| previous.terms.contains(t))
            .collect()
    }

    /// Whether every term but the anchor is flagged in `known` (see [`Query::known_terms`]):
    /// then an entry that passed the previous query passes this one exactly when the
    /// anchor occurs in it.
    pub fn only_anchor_unknown(&self, known: &[bool]) -> bool {
        let anchor = self.anchor();
        (0..self.terms.len()).all(|k| Some(k) == anchor || known.get(k).copied().unwrap_or(false))
    }

    /// Like [`Query::matches_from`], skipping the terms flagged in `known` (see
    /// [`Query::known_terms`]; an empty slice knows nothing). A known anchor is taken to
    /// occur at `from`.
    ///
    /// The facts are asked for only if a term needs them (reading them costs memory reads
    /// on a big blog).
    /// Whether testing `folded` may read its text: not when the anchor's trigrams already
    /// rule the entry out.
    pub fn may_read(&self, folded: &Folded) -> bool {
        match self
            .anchor()
            .and_then(|k| self.terms.get(k))
            .map(|t| &t.test)
        {
            Some(Test::Text { finder, grams, .. }) if finder.needle().len() >= 3 => {
                folded.grams.covers(grams)
            }
            _ => true,
        }
    }

    pub fn matches_known<'a>(
        &self,
        folded: &Folded,
        facts: impl FnOnce() -> Facts<'a>,
        from: usize,
        known: &[bool],
    ) -> Option<usize> {
        let anchor = self.anchor();
        let mut at = 0;
        let mut facts = Some(facts);
        let mut got: Option<Facts> = None;
        for (k, term) in self.terms.iter().enumerate() {
            let is_known = known.get(k).copied().unwrap_or(false);
            match &term.test {
                _ if is_known && Some(k) == anchor => at = from,
                _ if is_known => {}
                Test::Text { finder, grams, .. } if Some(k) == anchor => {
                    if finder.needle().len() >= 3 && !folded.grams.covers(grams) {
                        return None;
                    }
                    let rest = folded.all().as_bytes().get(from..).unwrap_or_default();
                    // Typing on usually extends the very occurrence found last time: a
                    // plain comparison settles it (cheap, and lets the CPU overlap the
                    // memory reads of many entries); search only when it does not.
                    at = if rest.starts_with(finder.needle()) {
                        from
                    } else {
                        from + finder.find(rest)?
                    };
                }
                Test::Text {
                    field: Field::Any | Field::Title | Field::Author | Field::Text,
                    ..
                } => {
                    if !term.holds(folded, &Facts::default()) {
                        return None;
                    }
                }
                _ => {
                    let facts = match (got, facts.take()) {
                        (Some(f), _) => f,
                        (None, Some(make)) => make(),
                        (None, None) => Facts::default(),
                    };
                    got = Some(facts);
                    if !term.holds(folded, &facts) {
                        return None;
                    }
                }
            }
        }
        Some(at)
    }

    /// For a `narrower` query (see [`Query::is_narrowed_by`]): how far before the old
    /// anchor's first occurrence the new anchor can start, when the new anchor contains the
    /// old one (typing on at the end of a word gives 0). Every occurrence of the new anchor
    /// holds the old one, so in an entry whose old anchor first occurs at `p`, the new one
    /// first occurs at `p - shift` or later. `None`: no such bound.
    pub fn anchor_shift(&self, narrower: &Query) -> Option<usize> {
        memmem::find(narrower.anchor_needle()?, self.anchor_needle()?)
    }

    /// Byte ranges in `original` (unfolded display text, e.g. a headline or a body line)
    /// that the query's positive words and phrases match, for highlighting. Sorted,
    /// non-overlapping (touching ranges are merged), on char boundaries. Terms limited to
    /// `source:` are not highlighted; other fields' terms are, wherever they occur.
    pub fn highlights(&self, original: &str) -> Vec<Range<usize>> {
        let needles: Vec<&[u8]> = self
            .terms
            .iter()
            .filter_map(|t| match &t.test {
                Test::Text { field, finder, .. } if !t.negated && *field != Field::Source => {
                    Some(finder.needle())
                }
                _ => None,
            })
            .collect();
        if needles.is_empty() || original.is_empty() {
            return Vec::new();
        }
        let (folded, map) = fold::fold_with_map(original);
        let mut ranges = Vec::new();
        for needle in needles {
            let mut from = 0;
            // Overlapping occurrences too (`aa` in `aaa`): restart one byte after each hit.
            while let Some(i) = memmem::find(&folded.as_bytes()[from..], needle) {
                let start = from + i;
                let end = start + needle.len();
                ranges.push(map[start].start..map[end - 1].end);
                from = start + 1;
            }
        }
        ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// Whether every entry matching `narrower` also matches `self`: true when `narrower`
    /// only adds restrictions (one more letter of a word, another word, another exclusion,
    /// a later `since:`), so the caller may filter only the previous result instead of
    /// everything. Conservative: false when unsure.
    pub fn is_narrowed_by(&self, narrower: &Query) -> bool {
        self.terms
            .iter()
            .all(|mine| narrower.terms.iter().any(|theirs| theirs.implies(mine)))
    }
}
