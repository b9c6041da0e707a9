//! The built-in demo: an invented live blog replayed on a clock.
//!
//! `livefeed` with no arguments follows this demo. It needs no network, yet it takes the same
//! path as a real feed: the demo renders a JSON Feed 1.1 document as it would be published at
//! a given moment, and the program parses, merges and shows that document exactly like one it
//! fetched. So the demo exercises (and shows off) the real pipeline, including edits, pinning,
//! withdrawals and the end of coverage.
//!
//! The content lives in `demo/blog.toml` (oldest entry first) and is embedded in the binary.
//! The schedule is fixed: the first [`PRE_START`] entries are already out when the demo
//! starts, then one entry appears every [`STEP`]; edits, pins and withdrawals happen at the
//! times the content file names; the blog is marked ended one step after the last entry.
//!
//! [`Demo::document`] is a pure function of the start instant and the elapsed time, so tests
//! (and the poller) can ask for any moment without waiting.

use std::sync::LazyLock;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The pseudo-URL the demo source is known by.
pub const DEMO_SOURCE: &str = "demo:";

/// How many entries are already published when the demo starts.
const PRE_START: usize = 8;
/// Time between two entries on the replay clock.
const STEP: Duration = Duration::from_secs(4);
/// How far apart the entries published before the start are.
const PRE_GAP: SignedDuration = SignedDuration::from_mins(4);
/// How long before the start the newest of those entries was published.
const PRE_LAST: SignedDuration = SignedDuration::from_secs(70);

const BLOG_TOML: &str = include_str!("demo/blog.toml");

/// The embedded content, read once.
static BLOG: LazyLock<Blog> = LazyLock::new(|| {
    // Cannot fail at run time: the file is embedded at build time and the test
    // `embedded_blog_parses` reads this very text.
    toml::from_str(BLOG_TOML).expect("the embedded demo blog is valid")
});

/// The content file: the blog and its entries, oldest first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Blog {
    title: String,
    description: String,
    home_page_url: String,
    entry: Vec<BlogEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlogEntry {
    id: String,
    authors: Vec<String>,
    title: String,
    body: String,
    #[serde(default)]
    images: Vec<BlogImage>,
    #[serde(default)]
    key_event: bool,
    /// Seconds after the start from which the entry is pinned as a key event.
    pin_at: Option<u64>,
    edit: Option<Edit>,
    withdraw: Option<Withdraw>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BlogImage {
    url: String,
    caption: String,
    credit: String,
}

/// A later version of an entry's text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    at: u64,
    title: Option<String>,
    body: String,
}

/// The entry is withdrawn (text kept) under a new headline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Withdraw {
    at: u64,
    title: String,
}

/// The JSON Feed 1.1 document as written out.
#[derive(Serialize)]
struct FeedOut<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    description: &'a str,
    language: &'static str,
    items: Vec<ItemOut<'a>>,
    #[serde(rename = "_livefeed")]
    ext: FeedExt,
}

#[derive(Serialize)]
struct FeedExt {
    ended: bool,
}

#[derive(Serialize)]
struct ItemOut<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    authors: Vec<AuthorOut<'a>>,
    #[serde(rename = "_livefeed")]
    ext: ItemExt<'a>,
}

#[derive(Serialize)]
struct AuthorOut<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct ItemExt<'a> {
    pinned: bool,
    key_event: bool,
    removed: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    images: &'a [BlogImage],
}

/// The demo live blog, laid out around one start instant.
#[derive(Debug, Clone)]
pub struct Demo {
    start: Timestamp,
}

impl Demo {
    /// `start`: the wall-clock instant the demo started (entry times are laid out around it).
    pub fn new(start: Timestamp) -> Self {
        Demo { start }
    }

    /// The JSON Feed 1.1 document as published `elapsed` after the start.
    pub fn document(&self, elapsed: Duration) -> String {
        let blog = &*BLOG;
        let mut items = Vec::new();
        for (index, entry) in blog.entry.iter().enumerate() {
            if release(index) <= elapsed {
                items.push(self.item(index, entry, elapsed));
            }
        }
        // Newest first; the entries are listed oldest first.
        items.reverse();
        let feed = FeedOut {
            version: "https://jsonfeed.org/version/1.1",
            title: &blog.title,
            home_page_url: &blog.home_page_url,
            description: &blog.description,
            language: "en",
            items,
            ext: FeedExt {
                ended: ended_at() <= elapsed,
            },
        };
        // Cannot fail: every field is a string, bool, list or struct with string keys.
        serde_json::to_string_pretty(&feed).expect("the demo document serializes")
    }

    /// The first elapsed time strictly after `elapsed` at which the document changes; None
    /// once it never changes again.
    pub fn next_change(&self, elapsed: Duration) -> Option<Duration> {
        change_times().into_iter().find(|&at| at > elapsed)
    }

    /// One entry as it stands `elapsed` after the start.
    fn item<'a>(&self, index: usize, entry: &'a BlogEntry, elapsed: Duration) -> ItemOut<'a> {
        let mut title = entry.title.as_str();
        let mut body = entry.body.as_str();
        let mut modified = None;
        if let Some(edit) = entry.edit.as_ref().filter(|e| secs(e.at) <= elapsed) {
            title = edit.title.as_deref().unwrap_or(title);
            body = &edit.body;
            modified = Some(edit.at);
        }
        let mut removed = false;
        if let Some(withdraw) = entry.withdraw.as_ref().filter(|w| secs(w.at) <= elapsed) {
            title = &withdraw.title;
            removed = true;
            modified = modified.max(Some(withdraw.at));
        }
        let pinned = entry.pin_at.is_some_and(|at| secs(at) <= elapsed);
        ItemOut {
            id: &entry.id,
            url: format!("https://example.org/live/storm-idrenne#entry-{}", entry.id),
            title,
            content_html: body.trim(),
            image: entry.images.first().map(|image| image.url.as_str()),
            date_published: self.published(index).to_string(),
            date_modified: modified.map(|at| self.at(secs(at)).to_string()),
            authors: entry
                .authors
                .iter()
                .map(|name| AuthorOut { name })
                .collect(),
            ext: ItemExt {
                pinned,
                key_event: entry.key_event || pinned,
                removed,
                images: &entry.images,
            },
        }
    }

    /// When the entry at `index` (oldest first) says it was published.
    fn published(&self, index: usize) -> Timestamp {
        if index < PRE_START {
            let steps_before_last = (PRE_START - 1 - index) as i32;
            let before = PRE_LAST + PRE_GAP * steps_before_last;
            self.start.saturating_sub(before).unwrap_or(self.start)
        } else {
            self.at(release(index))
        }
    }

    /// The wall-clock instant `elapsed` after the start.
    fn at(&self, elapsed: Duration) -> Timestamp {
        // Saturating arithmetic with a plain duration never reports an error; the fallback
        // only satisfies the type.
        self.start.saturating_add(elapsed).unwrap_or(self.start)
    }
}

fn secs(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}

/// When the entry at `index` (oldest first) appears in the document.
fn release(index: usize) -> Duration {
    let steps = index.saturating_sub(PRE_START - 1);
    STEP * steps as u32
}

/// When the blog is marked ended: one step after the last entry.
fn ended_at() -> Duration {
    release(BLOG.entry.len().saturating_sub(1)) + STEP
}

/// Every instant at which the document changes, in order.
fn change_times() -> Vec<Duration> {
    let mut times = vec![ended_at()];
    for (index, entry) in BLOG.entry.iter().enumerate() {
        times.push(release(index));
        times.extend(entry.pin_at.map(secs));
        times.extend(entry.edit.as_ref().map(|e| secs(e.at)));
        times.extend(entry.withdraw.as_ref().map(|w| secs(w.at)));
    }
    // Releases of the entries already out at the start are not changes.
    times.retain(|at| !at.is_zero());
    times.sort();
    times.dedup();
    times
}

#[cfg(test)]
mod tests;
