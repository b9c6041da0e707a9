//! A JSON Feed read member by member and item by item while it arrives, so that the
//! document itself is never held: only the entries made from it.
//!
//! [`crate::format::Reader`] cuts the document into its top-level members and the elements
//! of `items` ([`crate::format::split`]); this file turns those pieces into the same
//! snapshot [`super::parse`] makes of the whole document.

use std::ops::Range;
use std::sync::Arc;

use serde::de::IgnoredAny;

use super::{Author, FeedExt, Item, entry, inherit_authors, names};
use crate::entry::{Entry, Held, Snapshot};
use crate::format::reader::{Made, Prepared, Ready};
use crate::format::{FormatError, fill_missing_ids, parse_time};
use crate::par::Helper;
use crate::query::Folded;
use crate::text::{plain, sanitize};

/// The feed as read so far.
pub struct Streamed {
    snapshot: Snapshot,
    feed_authors: Vec<String>,
    /// The feed's authors came after some items were read (they inherit them at the end).
    authors_late: bool,
    /// Runs of items were handed to a helper (see [`Streamed::run`]).
    helped: bool,
}

/// What makes an item's entry: the feed's authors known when the item was reached, and
/// what is done to each entry once made.
struct Maker<'a> {
    authors: Vec<String>,
    ready: Option<Ready<'a>>,
}

impl Maker<'_> {
    fn one(&self, item: &[u8]) -> Result<(Entry, Option<Prepared>), FormatError> {
        // The item checked as UTF-8 in one pass, so that its strings are not checked one by
        // one (a call each); one that is not is left to serde_json's error.
        match std::str::from_utf8(item) {
            Ok(item) => serde_json::from_str::<Item>(item),
            Err(_) => serde_json::from_slice::<Item>(item),
        }
        .map(|item| {
            let mut e = entry(item);
            inherit_authors(std::slice::from_mut(&mut e), &self.authors);
            let prepared = self.ready.map(|ready| ready(&mut e));
            (e, prepared)
        })
        .map_err(|e| FormatError::Invalid(format!("broken JSON Feed: {e}")))
    }
}

impl Streamed {
    /// A feed whose `version` member (its first) holds `version`; `None` when that is not a
    /// JSON Feed version.
    pub fn new(version: &[u8]) -> Option<Streamed> {
        let version: String = serde_json::from_slice(version).ok()?;
        version.contains("jsonfeed.org").then(|| Streamed {
            snapshot: Snapshot {
                format: "json-feed",
                ..Snapshot::default()
            },
            feed_authors: Vec::new(),
            authors_late: false,
            helped: false,
        })
    }

    /// Take one top-level member other than the items.
    pub fn member(&mut self, key: &str, value: &[u8]) -> Result<(), FormatError> {
        let broken = |e: serde_json::Error| FormatError::Invalid(format!("broken JSON Feed: {e}"));
        match key {
            "title" => {
                let title: Option<String> = serde_json::from_slice(value).map_err(broken)?;
                self.snapshot.title = title.map(|t| plain(&t)).filter(|t| !t.is_empty());
            }
            "home_page_url" => {
                let url: Option<String> = serde_json::from_slice(value).map_err(broken)?;
                self.snapshot.home_url = url.map(|u| sanitize(u.trim()));
            }
            "author" | "authors" => {
                let (one, many): (Option<Author>, Option<Vec<Author>>) = if key == "author" {
                    (serde_json::from_slice(value).map_err(broken)?, None)
                } else {
                    (None, serde_json::from_slice(value).map_err(broken)?)
                };
                for name in names(&many, &one) {
                    if !self.feed_authors.contains(&name) {
                        self.feed_authors.push(name);
                    }
                }
                self.authors_late |= !self.snapshot.is_empty() || self.helped;
            }
            "_livefeed" => {
                let ext: Option<FeedExt> = serde_json::from_slice(value).map_err(broken)?;
                self.snapshot.coverage_end = ext
                    .as_ref()
                    .and_then(|x| x.coverage_end.as_deref())
                    .and_then(parse_time);
                self.snapshot.ended = ext.is_some_and(|x| x.ended);
            }
            "items" => {
                return Err(FormatError::Invalid(
                    "broken JSON Feed: `items` is not a list".into(),
                ));
            }
            // Anything else is skipped, but must still be JSON.
            _ => {
                serde_json::from_slice::<IgnoredAny>(value).map_err(broken)?;
            }
        }
        Ok(())
    }

    /// Read a run of items (each core taking a stretch of them) and add their entries,
    /// each handed to `ready` (if any) right after it is made.
    pub fn items(&mut self, raw: &[&[u8]], ready: Option<Ready>) -> Result<(), FormatError> {
        let maker = Maker {
            authors: self.feed_authors.clone(),
            ready,
        };
        let read = crate::par::map(raw, 64, |item| maker.one(item));
        self.snapshot.push_all(read)
    }

    /// The items at `ranges` of `bytes`, made into entries by `helper` (see
    /// [`Helper::run`]); the entries made so far are added, in order.
    pub fn run<'a>(
        &mut self,
        bytes: Arc<[u8]>,
        ranges: Vec<Range<usize>>,
        ready: Option<Ready<'a>>,
        helper: &mut Helper<'a, Made>,
    ) -> Result<(), FormatError> {
        let maker = Maker {
            authors: self.feed_authors.clone(),
            ready,
        };
        helper.run(Box::new(move || {
            Made::Entries(
                ranges
                    .iter()
                    .map(|r| maker.one(&bytes[r.clone()]))
                    .collect(),
            )
        }));
        self.helped = true;
        self.collect(helper, false)
    }

    /// Add the entries `helper` made, in order, as far as they are done (all of them when
    /// `wait`).
    pub fn collect(&mut self, helper: &mut Helper<Made>, wait: bool) -> Result<(), FormatError> {
        while let Some(made) = helper.next(wait) {
            self.snapshot.push_all(made.entries())?;
        }
        Ok(())
    }

    /// How many entries were made so far.
    pub fn entries_so_far(&self) -> usize {
        self.snapshot.len()
    }

    /// The entries made so far, as a part of the document (see [`Snapshot::take_part`]),
    /// if each is final already: with authors of its own or inherited (the feed's authors
    /// may come after the items, and entries without authors would inherit them).
    pub fn take_part(&mut self, first: bool) -> Option<Snapshot> {
        self.snapshot
            .take_part(first, |held: &Held| held.authors().len() > 0)
    }

    /// The document ended (`has_items`: it had a list of items, maybe empty). When the
    /// feed's authors came after some items, the entries without authors inherit them now:
    /// those held already are folded and held again, and a caller that folded the others
    /// folds them again.
    pub fn finish(mut self, has_items: bool) -> Result<Snapshot, FormatError> {
        if !has_items {
            return Err(FormatError::Invalid(
                "broken JSON Feed: it has no `items`".into(),
            ));
        }
        if self.authors_late && !self.feed_authors.is_empty() {
            inherit_authors(&mut self.snapshot.entries, &self.feed_authors);
            let s = &mut self.snapshot;
            for (h, f) in s.held.iter_mut().zip(&mut s.folded) {
                if let Some(held) = h
                    && held.authors().len() == 0
                {
                    let mut e = held.to_entry(f.headline().into_owned(), f.body().into_owned());
                    e.authors.clone_from(&self.feed_authors);
                    *f = Folded::from_entry(&e);
                    *h = Some(Held::new(e));
                }
            }
        }
        fill_missing_ids(&mut self.snapshot.entries);
        self.snapshot.entries.shrink_to_fit();
        Ok(self.snapshot)
    }
}
