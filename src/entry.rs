//! The normalized entry: what every format parser produces and everything else consumes.
//!
//! All text in these types is clean: decoded (JSON escapes, HTML entities), turned from HTML
//! into plain text, and passed through [`crate::text::sanitize`]. Nothing downstream has to
//! think about markup or escape sequences again.

use jiff::Timestamp;

/// One image attached to an entry (a figure, a JSON Feed attachment, a schema.org image).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Image {
    pub url: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// One live-blog entry, normalized from any format.
///
/// `Text` is the body's type: the text itself, or `()` in an entry whose body is held
/// elsewhere (the store keeps each body only in its folded form, and rebuilds it on
/// demand: see [`crate::store::Stored::text`]), so that such an entry cannot be read as
/// one with an empty body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry<Text = String> {
    /// Identity stable across polls (native id, `@id`, url, or a content key).
    pub id: String,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    /// Headline; may be empty when the source has none.
    pub title: String,
    pub authors: Vec<String>,
    /// Plain-text body: paragraphs separated by one blank line ("\n\n"), no markup.
    /// Links inside the body are marked `[N]` where N indexes `links` (1-based).
    pub text: Text,
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
    /// folded form holds the body: once the poller folded an entry, its `text` is emptied
    /// (read it with [`crate::query::Folded::body`]).
    pub folded: Vec<crate::query::Folded>,
    /// A first look at a big document: each entry's identity, times, headline, authors and
    /// flags, without its body, images or links. The whole snapshot of the same document
    /// follows and completes these entries in place.
    pub partial: bool,
}

impl<Text> Entry<Text> {
    /// The time the entry is ordered by: published, else updated.
    pub fn time(&self) -> Option<Timestamp> {
        self.published.or(self.updated)
    }

    /// Whether the source reports a later modification than publication.
    pub fn source_says_updated(&self) -> bool {
        matches!((self.published, self.updated), (Some(p), Some(u)) if u > p)
    }

    /// Whether the user-visible content other than the body differs from `other`
    /// (ignoring flags like pinned).
    pub fn differs_besides_text<T>(&self, other: &Entry<T>) -> bool {
        self.title != other.title
            || self.authors != other.authors
            || self.images != other.images
            || self.url != other.url
    }

    /// Give back what the lists of authors, links and images hold beyond their length:
    /// they grow as a document is read, and an entry may then be held for hours.
    pub fn shrink_to_fit(&mut self) {
        self.authors.shrink_to_fit();
        self.links.shrink_to_fit();
        self.images.shrink_to_fit();
    }

    /// The same entry with `text` as its body.
    pub fn with_text<T>(self, text: T) -> Entry<T> {
        let Entry {
            id,
            published,
            updated,
            title,
            authors,
            text: _,
            links,
            url,
            images,
            pinned,
            key_event,
            removed,
        } = self;
        Entry {
            id,
            published,
            updated,
            title,
            authors,
            text,
            links,
            url,
            images,
            pinned,
            key_event,
            removed,
        }
    }
}
