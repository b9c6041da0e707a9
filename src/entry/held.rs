//! An entry as the store holds it: every string of it in one block.
//!
//! An [`Entry`] holds each of its strings apart: the id, the headline, the link, every
//! author, every link and every image's url, caption and credit is an allocation of its
//! own with a 24-byte header. A store of 100,000 entries holds them for hours, so [`Held`]
//! puts them one after the other in one string, with where each ends in a second block.

use jiff::Timestamp;

use super::{Entry, Image};

/// Set in an end whose string is absent (`None`), as against empty.
const ABSENT: u32 = 1 << 31;

/// The longest block: what does not fit is cut (only a document of gigabytes could
/// hold an entry that long).
const MOST: usize = (ABSENT - 1) as usize;

/// An entry without its body (the store holds that folded), its strings in one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The headline, the entry's own link, the authors, each image's url, caption and
    /// credit, the links in the body, and last the id, one after the other.
    text: Box<str>,
    /// Where each of those strings ends in `text`, in the same order; an absent one ends
    /// where the one before it ends, with [`ABSENT`] set.
    ends: Box<[u32]>,
    /// Where the id starts in `text` (it runs to the end): the id is what the store's index
    /// reads most, and this reads it without `ends`.
    id_start: u32,
    authors: u32,
    images: u32,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub pinned: bool,
    pub key_event: bool,
    pub removed: bool,
}

/// One image of a held entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldImage<'a> {
    pub url: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
}

/// Where the fixed strings are in `ends`; the authors follow them.
const TITLE: usize = 0;
const URL: usize = 1;
const AUTHORS: usize = 2;

impl Held {
    /// Hold `entry` (its body is dropped: the store holds it folded).
    pub fn new(entry: Entry) -> Held {
        let strings = 3 + entry.authors.len() + 3 * entry.images.len() + entry.links.len();
        let bytes = entry.title.len()
            + entry.url.as_ref().map_or(0, String::len)
            + entry.authors.iter().map(String::len).sum::<usize>()
            + entry
                .images
                .iter()
                .flat_map(|i| [&i.url, &i.caption, &i.credit])
                .flatten()
                .map(String::len)
                .sum::<usize>()
            + entry.links.iter().map(String::len).sum::<usize>()
            + entry.id.len();
        let mut block = Block {
            text: String::with_capacity(bytes.min(MOST)),
            ends: Vec::with_capacity(strings),
        };
        block.push(Some(&entry.title));
        block.push(entry.url.as_deref());
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
        // At most MOST, which is below ABSENT.
        let id_start = block.text.len() as u32;
        block.push(Some(&entry.id));
        Held {
            text: block.text.into_boxed_str(),
            ends: block.ends.into_boxed_slice(),
            id_start,
            // Counts of what a document's entry holds fit: each string takes a byte.
            authors: entry.authors.len() as u32,
            images: entry.images.len() as u32,
            published: entry.published,
            updated: entry.updated,
            pinned: entry.pinned,
            key_event: entry.key_event,
            removed: entry.removed,
        }
    }

    /// The same entry under another id.
    pub fn with_id(&self, id: &str) -> Held {
        let mut e = self.to_entry(String::new());
        e.id = id.to_string();
        Held::new(e)
    }

    /// The entry again, with `text` as its body.
    pub fn to_entry(&self, text: String) -> Entry {
        let own = |s: Option<&str>| s.map(str::to_string);
        Entry {
            id: self.id().to_string(),
            published: self.published,
            updated: self.updated,
            title: self.title().to_string(),
            authors: self.authors().map(str::to_string).collect(),
            text,
            links: self.links().map(str::to_string).collect(),
            url: own(self.url()),
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

    /// The string at `i` in `ends`.
    fn get(&self, i: usize) -> Option<&str> {
        let end = self.ends[i];
        if end & ABSENT != 0 {
            return None;
        }
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j] & !ABSENT);
        Some(&self.text[start as usize..end as usize])
    }

    /// The strings at `from..to` in `ends` (none of them absent).
    fn strings(&self, from: usize, to: usize) -> impl ExactSizeIterator<Item = &str> + Clone {
        (from..to).map(|i| self.get(i).unwrap_or_default())
    }

    pub fn id(&self) -> &str {
        &self.text[self.id_start as usize..]
    }

    /// Headline; may be empty.
    pub fn title(&self) -> &str {
        self.get(TITLE).unwrap_or_default()
    }

    /// The entry's own link.
    pub fn url(&self) -> Option<&str> {
        self.get(URL)
    }

    pub fn authors(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.strings(AUTHORS, self.images_start())
    }

    /// The authors as one line, "A, B".
    pub fn byline(&self) -> String {
        self.authors().collect::<Vec<_>>().join(", ")
    }

    pub fn images(&self) -> impl ExactSizeIterator<Item = HeldImage<'_>> {
        let start = self.images_start();
        (0..self.images as usize).map(move |n| {
            let i = start + 3 * n;
            HeldImage {
                url: self.get(i),
                caption: self.get(i + 1),
                credit: self.get(i + 2),
            }
        })
    }

    /// Links in the body, in order of their `[N]` markers.
    pub fn links(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.strings(self.links_start(), self.ends.len() - 1)
    }

    fn images_start(&self) -> usize {
        AUTHORS + self.authors as usize
    }

    fn links_start(&self) -> usize {
        self.images_start() + 3 * self.images as usize
    }

    /// The time the entry is ordered by: published, else updated.
    pub fn time(&self) -> Option<Timestamp> {
        self.published.or(self.updated)
    }

    /// Whether the source reports a later modification than publication.
    pub fn source_says_updated(&self) -> bool {
        matches!((self.published, self.updated), (Some(p), Some(u)) if u > p)
    }

    /// Whether the headline, link, authors or images differ (what a reader sees besides
    /// the body and the flags).
    pub fn differs_besides_text(&self, other: &Held) -> bool {
        let strings = self.links_start();
        self.authors != other.authors
            || self.images != other.images
            || self.prefix(strings) != other.prefix(strings)
    }

    /// Whether the two are equal in everything but their ids.
    pub fn same_but_id(&self, other: &Held) -> bool {
        let strings = self.ends.len() - 1;
        let Held {
            text: _,
            ends,
            id_start: _,
            authors,
            images,
            published,
            updated,
            pinned,
            key_event,
            removed,
        } = self;
        ends.len() == other.ends.len()
            && *authors == other.authors
            && *images == other.images
            && self.prefix(strings) == other.prefix(strings)
            && (*published, *updated) == (other.published, other.updated)
            && (*pinned, *key_event, *removed) == (other.pinned, other.key_event, other.removed)
    }

    /// The first `n` strings: their ends, and the text they take.
    fn prefix(&self, n: usize) -> (&[u32], &str) {
        let ends = &self.ends[..n];
        let len = ends.last().map_or(0, |e| e & !ABSENT);
        (ends, &self.text[..len as usize])
    }
}

/// A block being filled.
struct Block {
    text: String,
    ends: Vec<u32>,
}

impl Block {
    fn push(&mut self, s: Option<&str>) {
        self.text
            .push_str(fit(s.unwrap_or_default(), MOST - self.text.len()));
        // At most MOST, which is below ABSENT.
        let end = self.text.len() as u32;
        self.ends.push(if s.is_none() { end | ABSENT } else { end });
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
            assert_eq!(held.to_entry(String::new()), e);
            assert_eq!(held.id(), e.id);
            assert_eq!(held.title(), e.title);
            assert_eq!(held.url(), e.url.as_deref());
            assert!(held.authors().eq(e.authors.iter().map(String::as_str)));
            assert!(held.links().eq(e.links.iter().map(String::as_str)));
            assert_eq!(held.time(), e.time());
            assert_eq!(held.source_says_updated(), e.source_says_updated());
        }
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
        assert_eq!(empty.url(), Some(""));
        assert_ne!(empty, Held::new(Entry::default()));
    }

    #[test]
    fn the_strings_are_held_in_one_block() {
        let held = Held::new(full());
        let e = full();
        let bytes = e.id.len()
            + e.title.len()
            + e.url.as_ref().unwrap().len()
            + e.authors.concat().len()
            + e.links.concat().len()
            + "https://img.example/1.jpg".len()
            + "RainAFP".len();
        assert_eq!(held.text.len(), bytes);
        assert_eq!(held.ends.len(), 3 + 2 + 2 * 3 + 2);
        assert!(
            std::mem::size_of::<Held>() <= 96,
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
            (|e| e.title.push('!'), true, false),
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

    #[test]
    fn a_string_too_long_for_the_block_is_cut_at_a_character() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abc", 2), "ab");
        assert_eq!(fit("aéb", 2), "a");
        assert_eq!(fit("aéb", 3), "aé");
        assert_eq!(fit("é", 0), "");
    }
}
