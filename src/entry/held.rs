//! An entry as the store holds it: every string of it in one block.
//!
//! An [`Entry`] holds each of its strings apart: the id, the headline, the link, every
//! author, every link and every image's url, caption and credit is an allocation of its
//! own with a 24-byte header. A store of 100,000 entries holds them for hours, so [`Held`]
//! puts them one after the other in one string, after their lengths.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{LazyLock, Mutex, PoisonError};

use jiff::Timestamp;

use super::{Entry, Image};

/// The longest run of strings: what does not fit is cut (only a document of gigabytes could
/// hold an entry that long).
const MOST: usize = (1 << 31) - 1;

/// An entry without its headline and body (the store holds those folded, see
/// [`crate::query::Folded`]), its other strings in one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// First the length of each string, in order, times two, plus one for an absent string
    /// (`None`, as against empty), each a [`crate::number`]; then the strings one after the
    /// other: the entry's own link, the authors, each image's url, caption and credit, the
    /// links in the body, and last the id.
    block: Box<str>,
    /// Where the strings start in `block` (the lengths end).
    head: u32,
    /// Where the id starts in `block` (it runs to the end): the id is what the store's index
    /// reads most, and this reads it without the lengths.
    id_start: u32,
    authors: u32,
    images: u32,
    links: u32,
    /// When it was published and updated: whole seconds ([`NO_TIME`] for none), then the
    /// nanoseconds, apart so that no padding is held (an `Option<Timestamp>` takes 24
    /// bytes).
    seconds: [i64; 2],
    nanos: [i32; 2],
    pub pinned: bool,
    pub key_event: bool,
    pub removed: bool,
    /// The page the entry's link points into (see [`Pages`]), numbered from 1; 0 when the
    /// link is held whole.
    page: u8,
    /// The id's hash (see [`id_hash`]), made with the rest on the thread that read the
    /// entry: the store looks the id up and indexes it by this, without reading the id
    /// itself (on the screen's thread, which did not write it, that read is a cache miss
    /// per entry).
    id_hash: u64,
}

/// The hash an id is indexed by: SipHash with keys drawn once per process, the same for
/// every thread (a server that picks ids cannot make them collide).
pub fn id_hash(id: &str) -> u64 {
    static KEYS: LazyLock<std::hash::RandomState> = LazyLock::new(std::hash::RandomState::new);
    KEYS.hash_one(id)
}

/// The pages that entries' links point into, each held once for the whole program.
///
/// The link of an entry of a live blog is the blog's page with something of the entry's
/// own after it (`https://news.example/live/storm#update-12`, or
/// `…/storm?page=with:block-12#block-12`): 60 to 100 bytes, most of them the same for
/// every entry. A link with a query or an anchor is held as the number of its page (what
/// comes before the `?` or `#`) and the rest. Pages are kept for good, at most 255 (what
/// the byte in [`Held`] can number): links into any other page are held whole. A page,
/// once numbered or not, stays so, so the same link is always held the same way and
/// entries compare by their blocks.
struct Pages {
    list: Vec<&'static str>,
    numbers: HashMap<&'static str, u8>,
}

static PAGES: LazyLock<Mutex<Pages>> = LazyLock::new(|| {
    Mutex::new(Pages {
        list: Vec::new(),
        numbers: HashMap::new(),
    })
});

/// The number of `page` (from 1), numbering it now if there is room; `None` if there is not.
fn page_number(page: &str) -> Option<u8> {
    let mut pages = PAGES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&n) = pages.numbers.get(page) {
        return Some(n);
    }
    let n = u8::try_from(pages.list.len() + 1).ok()?;
    // Held for the rest of the run, like the number that stands for it; at most 255.
    let page: &'static str = Box::leak(page.into());
    pages.list.push(page);
    pages.numbers.insert(page, n);
    Some(n)
}

/// The page numbered `n` (from 1).
fn page(n: u8) -> &'static str {
    let pages = PAGES.lock().unwrap_or_else(PoisonError::into_inner);
    pages
        .list
        .get(usize::from(n) - 1)
        .copied()
        .unwrap_or_default()
}

/// A link as its page and the rest (from the `?` or `#` on), if it has a query or an anchor.
pub(crate) fn split_link(url: &str) -> Option<(&str, &str)> {
    // Both are ASCII, so a byte search finds them at a character boundary (a search by
    // `char` decodes every character of the URL first: ten times the instructions).
    match memchr::memchr2(b'?', b'#', url.as_bytes()) {
        Some(at) if at > 0 => Some(url.split_at(at)),
        _ => None,
    }
}

/// One image of a held entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldImage<'a> {
    pub url: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
}

/// The seconds of an absent time (far outside the times a `Timestamp` can hold).
const NO_TIME: i64 = i64::MIN;

/// A time as [`Held`] keeps it.
fn pack(t: Option<Timestamp>) -> (i64, i32) {
    t.map_or((NO_TIME, 0), |t| (t.as_second(), t.subsec_nanosecond()))
}

/// Where the fixed strings are in the block; the authors follow them.
const URL: usize = 0;
const AUTHORS: usize = 1;

thread_local! {
    /// The buffers [`Held::new`] writes the lengths and the strings in.
    static HEAD: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    static TEXT: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

impl Held {
    /// Hold `entry` (its headline and body are dropped: the store holds them folded).
    pub fn new(entry: Entry) -> Held {
        let mut block = Block {
            head: crate::scratch::take(&HEAD),
            text: crate::scratch::take(&TEXT),
        };
        let url = entry.url.as_deref();
        let (page, rest) = match url.and_then(split_link) {
            Some((page, rest)) => page_number(page).map_or((0, url), |n| (n, Some(rest))),
            None => (0, url),
        };
        block.push(rest);
        for a in &entry.authors {
            block.push(Some(a));
        }
        for i in &entry.images {
            block.push(i.url.as_deref());
            block.push(i.caption.as_deref());
            block.push(i.credit.as_deref());
        }
        for l in &entry.links {
            block.push(Some(l));
        }
        let id_start = block.text.len();
        block.push(Some(&entry.id));
        let Block { head, text } = block;
        let (published, updated) = (pack(entry.published), pack(entry.updated));
        let mut joined = String::with_capacity(head.len() + text.len());
        joined.push_str(&head);
        joined.push_str(&text);
        // The strings take at most MOST bytes and their lengths a few bytes each: only an
        // entry of millions of strings, from a document of gigabytes, could pass 4 GiB, and
        // its block would then read as empty rather than wrong.
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let held = Held {
            block: joined.into_boxed_str(),
            head: narrow(head.len()),
            id_start: narrow(head.len() + id_start),
            // Counts of what a document's entry holds fit: each string takes a byte.
            authors: entry.authors.len() as u32,
            images: entry.images.len() as u32,
            links: entry.links.len() as u32,
            seconds: [published.0, updated.0],
            nanos: [published.1, updated.1],
            pinned: entry.pinned,
            key_event: entry.key_event,
            removed: entry.removed,
            page,
            id_hash: id_hash(&entry.id),
        };
        crate::scratch::keep(&HEAD, head);
        crate::scratch::keep(&TEXT, text);
        held
    }

    /// The same entry under another id.
    pub fn with_id(&self, id: &str) -> Held {
        let mut e = self.to_entry(String::new(), String::new());
        e.id = id.to_string();
        Held::new(e)
    }

    /// The entry again, with `title` as its headline and `text` as its body.
    pub fn to_entry(&self, title: String, text: String) -> Entry {
        let own = |s: Option<&str>| s.map(str::to_string);
        Entry {
            id: self.id().to_string(),
            published: self.published(),
            updated: self.updated(),
            title,
            authors: self.authors().map(str::to_string).collect(),
            text,
            links: self.links().map(str::to_string).collect(),
            url: self.url().map(Cow::into_owned),
            images: self
                .images()
                .map(|i| Image {
                    url: own(i.url),
                    caption: own(i.caption),
                    credit: own(i.credit),
                })
                .collect(),
            pinned: self.pinned,
            key_event: self.key_event,
            removed: self.removed,
        }
    }

    /// The strings from the one at `skip` on.
    fn cursor(&self, skip: usize) -> Cursor<'_> {
        let mut c = Cursor {
            block: &self.block,
            head: self
                .block
                .as_bytes()
                .get(..self.head as usize)
                .unwrap_or_default(),
            at: self.head as usize,
        };
        for _ in 0..skip {
            c.next();
        }
        c
    }

    /// The string at `i`.
    fn get(&self, i: usize) -> Option<&str> {
        self.cursor(i).next().flatten()
    }

    /// The strings at `from..to` (none of them absent).
    fn strings(&self, from: usize, to: usize) -> impl ExactSizeIterator<Item = &str> + Clone {
        let mut c = self.cursor(from);
        (from..to).map(move |_| c.next().flatten().unwrap_or_default())
    }

    pub fn id(&self) -> &str {
        self.block.get(self.id_start as usize..).unwrap_or_default()
    }

    /// The hash of [`Held::id`] ([`id_hash`]).
    pub fn id_hash(&self) -> u64 {
        self.id_hash
    }

    /// The entry's own link as held: the page it points into (empty when the link is held
    /// whole) and the rest, which follows it.
    pub fn url_parts(&self) -> Option<(&'static str, &str)> {
        let rest = self.get(URL)?;
        Some((if self.page == 0 { "" } else { page(self.page) }, rest))
    }

    /// The entry's own link.
    pub fn url(&self) -> Option<Cow<'_, str>> {
        let (page, rest) = self.url_parts()?;
        Some(if page.is_empty() {
            Cow::Borrowed(rest)
        } else {
            Cow::Owned(format!("{page}{rest}"))
        })
    }

    pub fn authors(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.strings(AUTHORS, self.images_start())
    }

    /// The authors as one line, "A, B".
    pub fn byline(&self) -> String {
        self.authors().collect::<Vec<_>>().join(", ")
    }

    pub fn images(&self) -> impl ExactSizeIterator<Item = HeldImage<'_>> + Clone {
        let mut c = self.cursor(self.images_start());
        (0..self.images).map(move |_| HeldImage {
            url: c.next().flatten(),
            caption: c.next().flatten(),
            credit: c.next().flatten(),
        })
    }

    /// Links in the body, in order of their `[N]` markers.
    pub fn links(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        let start = self.links_start();
        self.strings(start, start + self.links as usize)
    }

    fn images_start(&self) -> usize {
        AUTHORS + self.authors as usize
    }

    fn links_start(&self) -> usize {
        self.images_start() + 3 * self.images as usize
    }

    /// When the source says the entry was published.
    pub fn published(&self) -> Option<Timestamp> {
        self.time_at(0)
    }

    /// When the source says the entry was last updated.
    pub fn updated(&self) -> Option<Timestamp> {
        self.time_at(1)
    }

    fn time_at(&self, i: usize) -> Option<Timestamp> {
        match self.seconds[i] {
            NO_TIME => None,
            s => Timestamp::new(s, self.nanos[i]).ok(),
        }
    }

    /// The time the entry is ordered by: published, else updated.
    pub fn time(&self) -> Option<Timestamp> {
        self.published().or_else(|| self.updated())
    }

    /// Whether the source reports a later modification than publication.
    pub fn source_says_updated(&self) -> bool {
        matches!((self.published(), self.updated()), (Some(p), Some(u)) if u > p)
    }

    /// Whether the link, authors or images differ (what a reader sees besides the headline,
    /// the body and the flags).
    pub fn differs_besides_text(&self, other: &Held) -> bool {
        let strings = self.links_start();
        self.authors != other.authors
            || self.images != other.images
            || self.page != other.page
            || self.prefix(strings) != other.prefix(strings)
    }

    /// Whether the two are equal in everything but their ids (headline and body aside).
    pub fn same_but_id(&self, other: &Held) -> bool {
        let Held {
            block: _,
            head: _,
            id_start: _,
            authors,
            images,
            links,
            seconds,
            nanos,
            pinned,
            key_event,
            removed,
            page,
            id_hash: _,
        } = self;
        let strings = self.links_start() + *links as usize;
        *page == other.page
            && *authors == other.authors
            && *images == other.images
            && *links == other.links
            && self.prefix(strings) == other.prefix(strings)
            && (*seconds, *nanos) == (other.seconds, other.nanos)
            && (*pinned, *key_event, *removed) == (other.pinned, other.key_event, other.removed)
    }

    /// The first `n` strings: their lengths as written, and the text they take.
    fn prefix(&self, n: usize) -> (&str, &str) {
        let bytes = self.block.as_bytes();
        let mut head = bytes.get(..self.head as usize).unwrap_or_default();
        let mut len = 0usize;
        for _ in 0..n {
            let Some(l) = crate::number::read(&mut head) else {
                break;
            };
            len = len.saturating_add(l / 2);
        }
        let lengths = self.head as usize - head.len();
        let start = self.head as usize;
        (
            self.block.get(..lengths).unwrap_or_default(),
            self.block
                .get(start..start.saturating_add(len))
                .unwrap_or_default(),
        )
    }
}

/// Reads a block's strings in order.
#[derive(Clone)]
struct Cursor<'a> {
    block: &'a str,
    /// The lengths still to read.
    head: &'a [u8],
    /// Where the next string starts.
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The next string (`Some(None)` if it is absent); `None` past the last one, or where a
    /// length does not fit the block (which [`Held::new`] never writes).
    fn next(&mut self) -> Option<Option<&'a str>> {
        let n = crate::number::read(&mut self.head)?;
        let start = self.at;
        self.at = start.checked_add(n / 2)?;
        let s = self.block.get(start..self.at)?;
        Some((n % 2 == 0).then_some(s))
    }
}

/// A block being filled: the lengths, and the strings.
struct Block {
    head: String,
    text: String,
}

impl Block {
    fn push(&mut self, s: Option<&str>) {
        let text = fit(s.unwrap_or_default(), MOST - self.text.len());
        self.text.push_str(text);
        crate::number::push(&mut self.head, text.len() * 2 + usize::from(s.is_none()));
    }
}

/// The start of `s` that takes at most `room` bytes, cut between characters.
fn fit(s: &str, room: usize) -> &str {
    if s.len() <= room {
        return s;
    }
    let mut cut = room;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(url: Option<&str>, caption: Option<&str>, credit: Option<&str>) -> Image {
        Image {
            url: url.map(str::to_string),
            caption: caption.map(str::to_string),
            credit: credit.map(str::to_string),
        }
    }

    fn full() -> Entry {
        Entry {
            id: "update-7".into(),
            published: Some("2026-01-01T10:00:00Z".parse().unwrap()),
            updated: Some("2026-01-01T10:05:00Z".parse().unwrap()),
            title: "Crowds gather in Kraków’s square".into(),
            authors: vec!["Ana Núñez".into(), "Kenji Sato".into()],
            text: String::new(),
            links: vec!["https://a.example/1".into(), "https://a.example/2".into()],
            url: Some("https://news.example/live#update-7".into()),
            images: vec![
                image(Some("https://img.example/1.jpg"), Some("Rain"), None),
                image(None, Some(""), Some("AFP")),
            ],
            pinned: true,
            key_event: false,
            removed: true,
        }
    }

    #[test]
    fn every_field_comes_back_as_it_went_in() {
        let bare = Entry {
            id: "x".into(),
            ..Entry::default()
        };
        let empty_link = Entry {
            url: Some(String::new()),
            title: String::new(),
            ..full()
        };
        for e in [full(), bare, empty_link, Entry::default()] {
            let held = Held::new(e.clone());
            assert_eq!(held.to_entry(e.title.clone(), String::new()), e);
            assert_eq!(held.id(), e.id);
            assert_eq!(held.url().as_deref(), e.url.as_deref());
            assert!(held.authors().eq(e.authors.iter().map(String::as_str)));
            assert!(held.links().eq(e.links.iter().map(String::as_str)));
            assert_eq!(held.time(), e.time());
            assert_eq!(held.source_says_updated(), e.source_says_updated());
        }
    }

    #[test]
    fn times_come_back_to_the_nanosecond() {
        let times = [
            None,
            Some(Timestamp::MIN),
            Some(Timestamp::MAX),
            Some(Timestamp::UNIX_EPOCH),
            Some(Timestamp::new(-1, -500_000_000).unwrap()),
            Some("2026-01-01T10:00:00.123456789Z".parse().unwrap()),
        ];
        for published in times {
            for updated in times {
                let held = Held::new(Entry {
                    published,
                    updated,
                    ..Entry::default()
                });
                assert_eq!((held.published(), held.updated()), (published, updated));
            }
        }
    }

    /// The hash a held entry carries is its id's, under another id too.
    #[test]
    fn the_held_id_hash_is_the_ids() {
        let held = Held::new(full());
        assert_eq!(held.id_hash(), id_hash(held.id()));
        let renamed = held.with_id("other~2");
        assert_eq!(renamed.id_hash(), id_hash("other~2"));
        assert_ne!(renamed.id_hash(), held.id_hash());
    }

    #[test]
    fn absent_and_empty_strings_stay_apart() {
        let held = Held::new(full());
        let images: Vec<_> = held.images().collect();
        assert_eq!(images[1].url, None);
        assert_eq!(images[1].caption, Some(""));
        assert_eq!(images[0].credit, None);
        assert_eq!(Held::new(Entry::default()).url(), None);
        let empty = Held::new(Entry {
            url: Some(String::new()),
            ..Entry::default()
        });
        assert_eq!(empty.url().as_deref(), Some(""));
        assert_ne!(empty, Held::new(Entry::default()));
    }

    #[test]
    fn the_strings_are_held_in_one_block() {
        let held = Held::new(full());
        let e = full();
        // The headline is not held here (the store holds it folded), nor the page the
        // link points into (see `Pages`).
        let bytes = e.id.len()
            + "#update-7".len()
            + e.authors.concat().len()
            + e.links.concat().len()
            + "https://img.example/1.jpg".len()
            + "RainAFP".len();
        // The lengths of the 12 strings: one byte each. Then the strings.
        assert_eq!(held.head, 12);
        assert_eq!(held.block.len(), held.head as usize + bytes);
        assert!(
            std::mem::size_of::<Held>() <= 72,
            "{}",
            std::mem::size_of::<Held>()
        );
    }

    #[test]
    fn what_differs_besides_the_text() {
        let base = Held::new(full());
        let changed = |f: fn(&mut Entry)| {
            let mut e = full();
            f(&mut e);
            Held::new(e)
        };
        type Change = fn(&mut Entry);
        // (change, differs besides the text, same but the id)
        let cases: [(Change, bool, bool); 10] = [
            (|_| {}, false, true),
            (|e| e.id = "update-7~2".into(), false, true),
            // The headline is not held here: the store compares its folded forms.
            (|e| e.title.push('!'), false, true),
            (|e| e.url = None, true, false),
            (
                |e| e.authors.pop().map(drop).unwrap_or_default(),
                true,
                false,
            ),
            (|e| e.images[1].caption = None, true, false),
            (|e| e.images.push(Image::default()), true, false),
            (|e| e.links[0].push('x'), false, false),
            (|e| e.pinned = false, false, false),
            (|e| e.updated = None, false, false),
        ];
        for (n, (change, differs, same)) in cases.into_iter().enumerate() {
            let other = changed(change);
            assert_eq!(other.differs_besides_text(&base), differs, "case {n}");
            assert_eq!(base.differs_besides_text(&other), differs, "case {n}");
            assert_eq!(other.same_but_id(&base), same, "case {n}");
        }
        // A string moved from one field to the next is a change.
        let moved = changed(|e| {
            e.authors = vec!["Ana NúñezKenji".into(), " Sato".into()];
        });
        assert!(moved.differs_besides_text(&base));
    }

    proptest::proptest! {
        /// Any entry comes back as it went in, its headline and body aside (those are held
        /// folded), whatever its strings hold and however long they are.
        #[test]
        fn any_entry_comes_back(
            id in "\\PC{0,80}",
            url in proptest::option::of("\\PC{0,80}"),
            authors in proptest::collection::vec("\\PC{0,40}", 0..4),
            images in proptest::collection::vec(
                (
                    proptest::option::of("\\PC{0,70}"),
                    proptest::option::of("\\PC{0,10}"),
                    proptest::option::of("\\PC{0,10}"),
                ),
                0..3,
            ),
            links in proptest::collection::vec("\\PC{0,90}", 0..4),
            seconds in proptest::option::of(-9_000_000_000i64..9_000_000_000),
            flags in proptest::array::uniform3(proptest::bool::ANY),
        ) {
            let e = Entry {
                id,
                published: seconds.map(|s| Timestamp::from_second(s).unwrap()),
                updated: seconds.map(|s| Timestamp::from_second(s / 2).unwrap()),
                title: "Headline".into(),
                authors,
                links,
                url,
                images: images.into_iter().map(|(u, c, r)| image(u.as_deref(), c.as_deref(), r.as_deref())).collect(),
                pinned: flags[0],
                key_event: flags[1],
                removed: flags[2],
                ..Entry::default()
            };
            let held = Held::new(e.clone());
            proptest::prop_assert_eq!(held.to_entry(e.title.clone(), String::new()), e.clone());
            proptest::prop_assert!(held.same_but_id(&held.with_id("other")));
            proptest::prop_assert_eq!(held.with_id(&e.id), held);
        }
    }

    /// Entries linking into the same page hold it once: each holds only what follows it.
    #[test]
    fn links_into_one_page_share_it() {
        let at = |url: &str| Entry {
            id: "x".into(),
            url: Some(url.into()),
            ..Entry::default()
        };
        let page = "https://news.example/live/held-page-test";
        let a = Held::new(at(&format!("{page}#update-1")));
        let b = Held::new(at(&format!("{page}?page=with:block-2#block-2")));
        assert!(a.page > 0 && a.page == b.page);
        assert_eq!(a.get(URL), Some("#update-1"));
        assert_eq!(a.url().as_deref(), Some(&*format!("{page}#update-1")));
        assert_eq!(
            b.url().as_deref(),
            Some(&*format!("{page}?page=with:block-2#block-2"))
        );
        // A link of its own page only, or one that starts with its anchor, is held whole.
        for whole in ["https://news.example/live/held-page-test", "#update-3", ""] {
            let held = Held::new(at(whole));
            assert_eq!((held.page, held.get(URL)), (0, Some(whole)));
        }
        // Another anchor, or another page, is another link.
        let other = Held::new(at("https://news.example/elsewhere#update-1"));
        assert!(other.differs_besides_text(&a));
        assert!(!a.same_but_id(&other));
        assert!(b.differs_besides_text(&a));
        assert!(a.same_but_id(&Held::new(at(&format!("{page}#update-1")))));
    }

    #[test]
    fn a_string_too_long_for_the_block_is_cut_at_a_character() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abc", 2), "ab");
        assert_eq!(fit("aéb", 2), "a");
        assert_eq!(fit("aéb", 3), "aé");
        assert_eq!(fit("é", 0), "");
    }
}
