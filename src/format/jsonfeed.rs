//! JSON Feed 1.0 and 1.1, plus livefeed's `_livefeed` extension.
//!
//! Deserialized straight into borrowed, typed structs (unknown fields are skipped without
//! building values), so reading a feed costs about as much as parsing its JSON once.

use super::{FormatError, body_text, fill_missing_ids, parse_time};
use crate::entry::{Entry, Image, Snapshot};
use crate::text::{paragraphs, plain, sanitize};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

type Str<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize)]
struct Feed<'a> {
    #[serde(borrow)]
    version: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    #[serde(borrow)]
    home_page_url: Str<'a>,
    #[serde(borrow)]
    author: Option<Author<'a>>,
    #[serde(borrow)]
    authors: Option<Vec<Author<'a>>>,
    items: Option<Items>,
    #[serde(borrow, rename = "_livefeed")]
    livefeed: Option<FeedExt<'a>>,
}

/// The items, each turned into an [`Entry`] as soon as it is read: only one item's raw
/// strings (HTML unescaped from JSON, say) exist at a time per core, and each body is
/// converted while it is still in the cache.
struct Items(Vec<Entry>);

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Items;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of items")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Items, A::Error> {
                // First only where each item is (a fast scan), then every core reads its
                // stretch of items into entries.
                let mut raw: Vec<&'de RawValue> = Vec::new();
                while let Some(item) = seq.next_element()? {
                    raw.push(item);
                }
                let read = crate::par::map(&raw, 256, |item| {
                    serde_json::from_str::<Item>(item.get()).map(entry)
                });
                read.into_iter()
                    .collect::<Result<Vec<Entry>, _>>()
                    .map(Items)
                    .map_err(serde::de::Error::custom)
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Deserialize)]
struct FeedExt<'a> {
    #[serde(default)]
    ended: bool,
    #[serde(borrow)]
    coverage_end: Str<'a>,
}

#[derive(Deserialize)]
struct Item<'a> {
    id: Option<Id>,
    #[serde(borrow)]
    url: Str<'a>,
    #[serde(borrow)]
    external_url: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    #[serde(borrow)]
    content_html: Str<'a>,
    #[serde(borrow)]
    content_text: Str<'a>,
    #[serde(borrow)]
    summary: Str<'a>,
    #[serde(borrow)]
    image: Str<'a>,
    #[serde(borrow)]
    banner_image: Str<'a>,
    #[serde(borrow)]
    date_published: Str<'a>,
    #[serde(borrow)]
    date_modified: Str<'a>,
    #[serde(borrow)]
    author: Option<Author<'a>>,
    #[serde(borrow)]
    authors: Option<Vec<Author<'a>>>,
    #[serde(borrow)]
    attachments: Option<Vec<Attachment<'a>>>,
    #[serde(borrow, rename = "_livefeed")]
    livefeed: Option<ItemExt<'a>>,
}

#[derive(Deserialize)]
struct Author<'a> {
    #[serde(borrow)]
    name: Str<'a>,
}

#[derive(Deserialize)]
struct Attachment<'a> {
    #[serde(borrow)]
    url: Str<'a>,
    #[serde(borrow)]
    mime_type: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
}

#[derive(Deserialize)]
struct ItemExt<'a> {
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    key_event: bool,
    #[serde(default)]
    removed: bool,
    #[serde(borrow, default)]
    images: Vec<ExtImage<'a>>,
}

#[derive(Deserialize)]
struct ExtImage<'a> {
    #[serde(borrow)]
    url: Str<'a>,
    #[serde(borrow)]
    caption: Str<'a>,
    #[serde(borrow)]
    credit: Str<'a>,
}

/// An item id: the spec says string, but numbers occur (and are coerced to strings).
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or number id")
            }
            fn visit_str<E>(self, v: &str) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Id, E> {
                Ok(Id(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Read `bytes` as a JSON Feed. `Ok(None)`: this JSON is not a JSON Feed (no `version` and
/// `items`); an error: it says it is one but is broken.
pub fn parse(bytes: &[u8]) -> Result<Option<Snapshot>, FormatError> {
    let feed: Feed = match serde_json::from_slice(bytes) {
        Ok(feed) => feed,
        Err(e) if e.is_syntax() || e.is_eof() => {
            return Err(FormatError::Invalid(format!("broken JSON: {e}")));
        }
        Err(e) => return claims_to_be_feed(bytes, e),
    };
    let (Some(version), Some(items)) = (feed.version, feed.items) else {
        return Ok(None);
    };
    if !version.contains("jsonfeed.org") && !version.starts_with('1') {
        return Ok(None);
    }
    // Items without authors inherit the feed's (JSON Feed 1.1, "authors").
    let feed_authors = names(&feed.authors, &feed.author);
    let Items(mut entries) = items;
    for e in entries.iter_mut().filter(|e| e.authors.is_empty()) {
        e.authors.clone_from(&feed_authors);
    }
    fill_missing_ids(&mut entries);
    let ext = feed.livefeed;
    Ok(Some(Snapshot {
        title: feed.title.map(|t| plain(&t)).filter(|t| !t.is_empty()),
        home_url: feed.home_page_url.map(|u| sanitize(u.trim())),
        entries,
        coverage_end: ext
            .as_ref()
            .and_then(|x| x.coverage_end.as_deref())
            .and_then(parse_time),
        ended: ext.is_some_and(|x| x.ended),
        format: "json-feed",
        limited: None,
        folded: Vec::new(),
    }))
}

/// A document that did not fit the typed structs: an error if it calls itself a JSON Feed.
fn claims_to_be_feed(bytes: &[u8], e: serde_json::Error) -> Result<Option<Snapshot>, FormatError> {
    #[derive(Deserialize)]
    struct Version<'a> {
        #[serde(borrow)]
        version: Option<Cow<'a, str>>,
    }
    match serde_json::from_slice::<Version>(bytes) {
        Ok(Version { version: Some(v) }) if v.contains("jsonfeed.org") => {
            Err(FormatError::Invalid(format!("broken JSON Feed: {e}")))
        }
        _ => Ok(None),
    }
}

/// Author names: the 1.1 `authors` list, then the 1.0 `author`, without repeats.
fn names(authors: &Option<Vec<Author>>, author: &Option<Author>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let listed = authors.iter().flatten().chain(author.iter());
    for name in listed.filter_map(|a| a.name.as_deref()).map(plain) {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn entry(item: Item) -> Entry {
    let body = match (&item.content_html, &item.content_text, &item.summary) {
        (Some(html), _, _) if !html.trim().is_empty() => crate::text::html_to_text(html),
        (_, Some(text), _) => crate::text::HtmlText {
            text: paragraphs(text),
            ..Default::default()
        },
        (_, _, Some(summary)) => body_text(summary),
        _ => Default::default(),
    };
    let url = item
        .url
        .as_deref()
        .or(item.external_url.as_deref())
        .map(|u| sanitize(u.trim()));
    let authors = names(&item.authors, &item.author);
    let mut images = Vec::new();
    let mut add = |img: Image| {
        if img.url.is_some() && !images.iter().any(|i: &Image| i.url == img.url) {
            images.push(img);
        }
    };
    for u in [&item.image, &item.banner_image].into_iter().flatten() {
        add(Image {
            url: Some(sanitize(u.trim())),
            ..Default::default()
        });
    }
    for a in item.attachments.iter().flatten() {
        if a.mime_type
            .as_deref()
            .is_some_and(|m| m.starts_with("image/"))
        {
            add(Image {
                url: a.url.as_deref().map(|u| sanitize(u.trim())),
                caption: a.title.as_deref().map(plain).filter(|c| !c.is_empty()),
                credit: None,
            });
        }
    }
    let ext = item.livefeed;
    for i in ext.iter().flat_map(|x| &x.images) {
        add(Image {
            url: i.url.as_deref().map(|u| sanitize(u.trim())),
            caption: i.caption.as_deref().map(plain).filter(|c| !c.is_empty()),
            credit: i.credit.as_deref().map(plain).filter(|c| !c.is_empty()),
        });
    }
    for img in body.images {
        add(img);
    }
    let id = item
        .id
        .map(|Id(id)| sanitize(id.trim()))
        .filter(|id| !id.is_empty());
    Entry {
        id: id.or_else(|| url.clone()).unwrap_or_default(),
        published: item.date_published.as_deref().and_then(parse_time),
        updated: item.date_modified.as_deref().and_then(parse_time),
        title: item.title.as_deref().map(plain).unwrap_or_default(),
        authors,
        text: body.text,
        links: body.links,
        url,
        images,
        pinned: ext.as_ref().is_some_and(|x| x.pinned),
        key_event: ext.as_ref().is_some_and(|x| x.key_event),
        removed: ext.as_ref().is_some_and(|x| x.removed),
    }
}
