//! A JSON-LD live blog read member by member and update by update while its page arrives
//! (see [`crate::format::html::stream`]), so that neither the page nor the block is held
//! whole: only the entries made from them.
//!
//! The result is the snapshot [`super::from_values`] makes of the whole page. An update's
//! id may depend on updates not read yet (a URL shared with a later update, fragments that
//! turn out to count positions), so each entry gets the id the updates so far give it, and
//! the few whose id changes once all are known are made again at the end.

use super::{
    Ident, Link, Obj, Update, blogs, each_id, entry, frame, identity, is_blog, snapshot, typed,
    types, updates,
};
use crate::entry::{Entry, Snapshot};
use crate::format::reader::{Made, Prepared, Ready};
use crate::format::{FormatError, clean_url, fill_missing_ids, fragment_number, lenient};
use crate::par::Helper;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::ops::Range;
use std::sync::Arc;

/// The live blog as read so far.
pub struct Streamed {
    /// The blog's members other than its updates.
    blog: Obj,
    /// The blog's own URL, as far as read.
    page: Option<String>,
    snapshot: Snapshot,
    /// The updates so far (those that are objects).
    updates: usize,
    /// What the ids of the updates so far are made from, by their place among them, for those
    /// whose id is not made from their entry's URL alone.
    kept: Vec<(usize, Kept)>,
    positional: Positional,
    /// Some update was given its id while the fragments so far counted positions.
    saw_positional: bool,
    /// Hashes of the URLs of the updates so far (a collision only costs the ids made again).
    seen: HashSet<u64>,
    hasher: RandomState,
    /// Something read may have changed an id given so far: a URL seen twice (the first
    /// holder's id was made from it as if it were its own), or the blog's own URL given
    /// after some updates.
    unsettled: bool,
}

/// What an update's id is made from, kept until all updates are read: its own id, and its
/// URL unless its entry holds it as written (most do), so that a URL is held once.
struct Kept {
    native: Option<String>,
    url: KeptUrl,
}

enum KeptUrl {
    None,
    InEntry,
    Own(String),
}

impl Kept {
    /// Whether the id is made from the entry's URL alone (or from its text, if it has none).
    fn is_plain(&self) -> bool {
        self.native.is_none() && matches!(self.url, KeptUrl::InEntry)
    }

    /// The ident, its URL from `entry_url` (the entry's) when it is there.
    fn ident<'a>(&'a self, entry_url: Option<Link<'a>>) -> Ident<'a> {
        Ident {
            native: self.native.as_deref().map(Cow::Borrowed),
            url: match &self.url {
                KeptUrl::None => None,
                KeptUrl::InEntry => entry_url,
                KeptUrl::Own(url) => Some(Link::whole(url)),
            },
        }
    }
}

/// An update read, its entry made ready: `None` when it is not JSON, `Some(None)` when it
/// is no object (and so no update).
pub struct Read(Option<Option<(Entry, Kept, Option<Prepared>)>>);

impl Read {
    /// Read one update (its JSON text): strict JSON without a value, anything else
    /// leniently, through one. Its entry is handed to `ready` (if any) right away, on the
    /// core that read it, with the id it has when its URL is its own and the fragments do
    /// not count positions (nearly always; `page` is the blog's URL so far): its id among
    /// the updates before it is known only once those are added ([`Streamed::add`]).
    fn of(raw: &[u8], page: Option<&str>, ready: Option<Ready>) -> Read {
        let make = |u: &Update| {
            let mut e = entry(u);
            let ident = Ident::of(u);
            let url = match ident.url {
                None => KeptUrl::None,
                Some(url) if e.url.as_deref() == Some(url.rest) => KeptUrl::InEntry,
                Some(url) => KeptUrl::Own(url.rest.to_string()),
            };
            let native = ident.native.map(Cow::into_owned);
            let kept = Kept { native, url };
            e.id = identity(
                &kept.ident(e.url.as_deref().map(Link::whole)),
                page,
                false,
                |_| true,
            );
            let prepared = ready.map(|ready| ready(&mut e));
            (e, kept, prepared)
        };
        let Ok(text) = std::str::from_utf8(raw) else {
            return Read(None);
        };
        if let Some(u) = typed::update(text) {
            return Read(Some(Some(make(&u))));
        }
        Read(lenient::parse(text).map(|value| value.as_object().map(|u| make(&Update::of(u)))))
    }
}

/// Whether the fragments of the URLs so far count positions (see
/// [`crate::format::positional_fragments`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Positional {
    /// No update yet.
    Start,
    /// They do so far; the next one must be this.
    Next(u64),
    No,
}

/// Whether a top-level member `@type` (its JSON text) says the object is a live blog.
pub fn is_blog_type(value: &[u8]) -> bool {
    let Some(value) = std::str::from_utf8(value).ok().and_then(lenient::parse) else {
        return false;
    };
    is_blog(&types(&Obj::from_iter([("@type".to_string(), value)])))
}

fn broken(what: String) -> FormatError {
    FormatError::Invalid(format!("broken JSON-LD live blog: {what}"))
}

impl Default for Streamed {
    fn default() -> Self {
        Streamed::new()
    }
}

impl Streamed {
    pub fn new() -> Streamed {
        Streamed {
            blog: Obj::new(),
            page: None,
            snapshot: Snapshot::default(),
            updates: 0,
            kept: Vec::new(),
            positional: Positional::Start,
            saw_positional: false,
            seen: HashSet::new(),
            hasher: RandomState::new(),
            unsettled: false,
        }
    }

    /// Take one member of the blog other than its updates (its JSON text).
    pub fn member(&mut self, key: &str, value: &[u8]) -> Result<(), FormatError> {
        let value = std::str::from_utf8(value)
            .ok()
            .and_then(lenient::parse)
            .ok_or_else(|| broken(format!("`{key}` is not JSON")))?;
        if key == "url" {
            self.page = value.as_str().map(clean_url);
            self.unsettled |= self.updates > 0;
        }
        self.blog.insert(key.to_string(), value);
        Ok(())
    }

    /// Read a run of updates (their JSON texts; each core taking a stretch of them) and add
    /// their entries, each handed to `ready` (if any) as it is made (see [`Read::of`]).
    pub fn items(&mut self, raw: &[&[u8]], ready: Option<Ready>) -> Result<(), FormatError> {
        let page = self.page.as_deref();
        let read = crate::par::map(raw, 16, |raw| Read::of(raw, page, ready));
        self.add(read)
    }

    /// Give the updates read their ids among the updates so far, in order, and add their
    /// entries. An entry made ready with another id than that is made again with it.
    fn add(&mut self, read: Vec<Read>) -> Result<(), FormatError> {
        self.snapshot.entries.reserve(read.len());
        for (i, Read(r)) in read.into_iter().enumerate() {
            let Some(update) = r else {
                let n = self.updates + i + 1;
                return Err(broken(format!("update {n} is not JSON")));
            };
            // What is not an object is no update.
            let Some((mut e, kept, prepared)) = update else {
                continue;
            };
            let url = match &prepared {
                Some((_, Some(held))) => held.url_parts().map(|(page, rest)| Link { page, rest }),
                _ => e.url.as_deref().map(Link::whole),
            };
            let id = self.id_so_far(&kept.ident(url));
            if !kept.is_plain() {
                self.kept.push((self.updates, kept));
            }
            self.updates += 1;
            let prepared = match prepared {
                Some((folded, Some(held))) if held.id() != id => {
                    // Its URL is another's too, or the fragments count positions: its id is
                    // to come from its text, and it is held whole until then.
                    e = held.to_entry(folded.headline().into_owned(), folded.body().into_owned());
                    e.id = id;
                    Some((folded, None))
                }
                held @ Some((_, Some(_))) => held,
                whole => {
                    e.id = id;
                    whole
                }
            };
            self.snapshot.push(e, prepared);
        }
        Ok(())
    }

    /// The id an update's ident gives it among the updates so far.
    fn id_so_far(&mut self, ident: &Ident) -> String {
        let url = ident.url;
        let number = url.map(Link::with_fragment).and_then(fragment_number);
        self.positional = match (self.positional, number) {
            (Positional::Start, Some(n)) if n <= 1 => Positional::Next(n + 1),
            (Positional::Next(next), Some(n)) if n == next => Positional::Next(n + 1),
            _ => Positional::No,
        };
        let unique = url.is_none_or(|u| self.seen.insert(self.hasher.hash_one(u.key())));
        self.unsettled |= !unique;
        let positional = matches!(self.positional, Positional::Next(_));
        self.saw_positional |= positional;
        identity(ident, self.page.as_deref(), positional, |_| unique)
    }

    /// Whether every id given while reading is the one all the updates give it: nothing
    /// unsettled it ([`Streamed::unsettled`]), and the fragments either counted positions
    /// for none of the updates or still do after the last one.
    fn ids_are_final(&self) -> bool {
        !self.unsettled && (!self.saw_positional || matches!(self.positional, Positional::Next(_)))
    }

    /// How many entries were made so far.
    pub fn entries_so_far(&self) -> usize {
        self.snapshot.len()
    }

    /// The page ended. `before` and `after` are the page's other JSON-LD values, before
    /// and after this blog's block: the blog with the most updates wins, as in
    /// [`super::from_values`] (the later of two with as many). Another blog is returned
    /// whole, its entries not prepared.
    pub fn finish(mut self, before: &[Value], after: &[Value]) -> Snapshot {
        // Only for the ids made while reading.
        drop(std::mem::take(&mut self.seen));
        // The blog's own `@graph` comes right after it.
        let own = [Value::Object(std::mem::take(&mut self.blog))];
        let mut found = Vec::new();
        let mut candidates: Vec<Option<&Obj>> =
            blogs(before, &mut found).into_iter().map(Some).collect();
        candidates.push(None);
        let own_graph = blogs(&own, &mut found).into_iter().skip(1);
        candidates.extend(own_graph.chain(blogs(after, &mut found)).map(Some));
        let n = self.updates;
        let best = candidates
            .into_iter()
            .max_by_key(|b| b.map_or(n, |b| updates(b).len()))
            .flatten();
        if let Some(other) = best {
            return snapshot(other);
        }
        let Value::Object(blog) = &own[0] else {
            unreachable!("made an object above")
        };
        let final_ids = self.ids_are_final();
        let s = &mut self.snapshot;
        // The updates whose id differs from the one they were given, with their new ids:
        // few, since an id only changes when a later update shares its URL or makes the
        // fragments count positions, and none are looked for when nothing read could have
        // changed one.
        let mut changed: Vec<(usize, String)> = Vec::new();
        if !final_ids {
            // Entries not held (those whose id comes from their text) are in `entries`, in
            // order: where each is, by its place among all.
            let whole: Vec<usize> = (0..s.held.len()).filter(|&i| s.held[i].is_none()).collect();
            let whole_entry = |i: usize| {
                if s.held.is_empty() {
                    Some(&s.entries[i])
                } else {
                    whole.binary_search(&i).ok().map(|k| &s.entries[k])
                }
            };
            let url = |i: usize| match s.held.get(i) {
                Some(Some(h)) => h.url_parts().map(|(page, rest)| Link { page, rest }),
                _ => whole_entry(i).and_then(|e| e.url.as_deref().map(Link::whole)),
            };
            let kept = &self.kept;
            let ident = |i: usize| match kept.binary_search_by_key(&i, |(at, _)| *at) {
                Ok(k) => kept[k].1.ident(url(i)),
                Err(_) => Ident {
                    native: None,
                    url: url(i),
                },
            };
            each_id(self.updates, ident, self.page.as_deref(), |i, id| {
                let now = match s.held.get(i) {
                    Some(Some(h)) => h.id(),
                    _ => whole_entry(i).map_or("", |e| e.id.as_str()),
                };
                if now != id {
                    changed.push((i, id));
                }
            });
        }
        let mut changed = changed.into_iter().peekable();
        if s.held.is_empty() {
            for (i, id) in changed {
                s.entries[i].id = id;
            }
        } else {
            // The entries whose id changed are made again; those whose id is now to come
            // from their text go back to being whole.
            let mut whole = std::mem::take(&mut s.entries).into_iter();
            for (i, (h, f)) in s.held.iter_mut().zip(&s.folded).enumerate() {
                let id = changed.next_if(|(at, _)| *at == i).map(|(_, id)| id);
                match (h, id) {
                    (None, id) => s.entries.extend(whole.next().map(|mut e| {
                        if let Some(id) = id {
                            e.id = id;
                        }
                        e
                    })),
                    (Some(_), None) => {}
                    (Some(held), Some(id)) if !id.is_empty() => *held = held.with_id(&id),
                    (h @ Some(_), Some(_)) => {
                        let held = h.take().expect("matched as held");
                        let mut e = held.to_entry(f.headline().into_owned(), f.body().into_owned());
                        e.id.clear();
                        s.entries.push(e);
                    }
                }
            }
        }
        fill_missing_ids(&mut s.entries);
        s.entries.shrink_to_fit();
        Snapshot {
            entries: std::mem::take(&mut s.entries),
            folded: std::mem::take(&mut s.folded),
            held: std::mem::take(&mut s.held),
            ..frame(blog)
        }
    }
}

impl crate::format::reader::Pieces for Streamed {
    fn member(&mut self, key: &str, value: &[u8]) -> Result<(), FormatError> {
        Streamed::member(self, key, value)
    }

    fn items(&mut self, raw: &[&[u8]], ready: Option<Ready>) -> Result<(), FormatError> {
        Streamed::items(self, raw, ready)
    }

    /// The updates at `ranges` of `bytes`, read by `helper` (see [`Helper::run`]); the
    /// entries of those read so far are added, in order.
    fn run<'a>(
        &mut self,
        bytes: Arc<[u8]>,
        ranges: Vec<Range<usize>>,
        ready: Option<Ready<'a>>,
        helper: &mut Helper<'a, Made>,
    ) -> Result<(), FormatError> {
        let page = self.page.clone();
        helper.run(Box::new(move || {
            let read = |r: &Range<usize>| Read::of(&bytes[r.clone()], page.as_deref(), ready);
            Made::Updates(ranges.iter().map(read).collect())
        }));
        self.collect(helper, false)
    }

    /// Add the entries of the updates `helper` read, in order, as far as they are done (all
    /// of them when `wait`).
    fn collect(&mut self, helper: &mut Helper<Made>, wait: bool) -> Result<(), FormatError> {
        while let Some(made) = helper.next(wait) {
            let Made::Updates(read) = made else {
                unreachable!("a JSON-LD blog's helper made a feed's entries")
            };
            self.add(read)?;
        }
        Ok(())
    }
}
