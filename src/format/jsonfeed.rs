//! JSON Feed 1.0 and 1.1, plus livefeed's `_livefeed` extension.
//!
//! Deserialized straight into borrowed, typed structs (unknown fields are skipped without
//! building values), so reading a feed costs about as much as parsing its JSON once.

use super::escaped::Raw;
use super::{FormatError, body_text, fill_missing_ids, parse_time};
use crate::entry::{Entry, Image, Snapshot};
use crate::text::{paragraphs, plain, sanitize};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub mod stream;

type Str<'a> = Option<Text<'a>>;

/// A string field, borrowed from the document when it holds no escapes. serde borrows only
/// a `Cow` it sees as the field's own type: an `Option<Cow<str>>` is always copied, even
/// with `#[serde(borrow)]`, so the `Cow` sits in this newtype.
#[derive(Deserialize)]
#[serde(transparent)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

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
    #[serde(borrow)]
    items: Option<Items<'a>>,
    #[serde(borrow, rename = "_livefeed")]
    livefeed: Option<FeedExt<'a>>,
}

/// Where each item is in the document (a fast scan); they are read into entries later,
/// every core taking a stretch of them, so only one item's raw strings (HTML unescaped
/// from JSON, say) exist at a time per core, and each body is converted while it is still
/// in the cache.
struct Items<'a>(Vec<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Items<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Items<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of items")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Items<'a>, A::Error> {
                let mut raw = Vec::new();
                while let Some(item) = seq.next_element::<&'de RawValue>()? {
                    raw.push(item);
                }
                Ok(Items(raw))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// From this many items on, a first fetch is shown in two steps: the headlines as soon as
/// they are read ([`Head`]), then the whole entries. Reading only the headlines skips the
/// bodies, which are nearly all of a document and of the time it takes to read.
pub const PREVIEW_FROM: usize = 2_000;

/// What the list shows of an item, read without its body.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: Option<Id<'a>>,
    #[serde(borrow)]
    url: Str<'a>,
    #[serde(borrow)]
    external_url: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    #[serde(borrow)]
    date_published: Str<'a>,
    #[serde(borrow)]
    date_modified: Str<'a>,
    #[serde(borrow)]
    author: Option<Author<'a>>,
    #[serde(borrow)]
    authors: Option<Vec<Author<'a>>>,
    #[serde(rename = "_livefeed")]
    livefeed: Option<Flags>,
}

#[derive(Deserialize, Default)]
struct Flags {
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    key_event: bool,
    #[serde(default)]
    removed: bool,
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
    #[serde(borrow)]
    id: Option<Id<'a>>,
    #[serde(borrow)]
    url: Str<'a>,
    #[serde(borrow)]
    external_url: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    #[serde(borrow)]
    content_html: Option<Raw<'a>>,
    #[serde(borrow)]
    content_text: Option<Raw<'a>>,
    #[serde(borrow)]
    summary: Option<Raw<'a>>,
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
struct Id<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Id<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or number id")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Id<'a>, E> {
                Ok(Id(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Read `bytes` as a JSON Feed. `Ok(None)`: this JSON is not a JSON Feed (no `version` and
/// `items`); an error: it says it is one but is broken.
pub fn parse(bytes: &[u8]) -> Result<Option<Snapshot>, FormatError> {
    parse_previewing(bytes, None)
}

/// [`parse`], and for a feed of [`PREVIEW_FROM`] items or more, first hand `preview` (if any) a
/// snapshot of the headlines (marked `partial`) while the entries are being read.
pub fn parse_previewing(
    bytes: &[u8],
    preview: Option<&mut dyn FnMut(Snapshot)>,
) -> Result<Option<Snapshot>, FormatError> {
    let feed: Feed = match serde_json::from_slice(bytes) {
        Ok(feed) => feed,
        Err(e) if e.is_syntax() || e.is_eof() => {
            return Err(FormatError::Invalid(format!("broken JSON: {e}")));
        }
        Err(e) => return claims_to_be_feed(bytes, e),
    };
    let (Some(version), Some(Items(items))) = (feed.version, feed.items) else {
        return Ok(None);
    };
    if !version.contains("jsonfeed.org") && !version.starts_with('1') {
        return Ok(None);
    }
    // Items without authors inherit the feed's (JSON Feed 1.1, "authors").
    let feed_authors = names(&feed.authors, &feed.author);
    let ext = feed.livefeed;
    let mut snapshot = Snapshot {
        title: feed.title.map(|t| plain(&t)).filter(|t| !t.is_empty()),
        home_url: feed.home_page_url.map(|u| sanitize(u.trim())),
        coverage_end: ext
            .as_ref()
            .and_then(|x| x.coverage_end.as_deref())
            .and_then(parse_time),
        ended: ext.is_some_and(|x| x.ended),
        format: "json-feed",
        ..Snapshot::default()
    };
    if let Some(preview) = preview
        && items.len() >= PREVIEW_FROM
        && let Some(heads) = heads(&items)
    {
        let mut first = Snapshot {
            entries: heads,
            partial: true,
            ..snapshot.clone()
        };
        inherit_authors(&mut first.entries, &feed_authors);
        preview(first);
    }
    let read = crate::par::map(&items, 256, |item| {
        serde_json::from_str::<Item>(item.get()).map(entry)
    });
    drop(items);
    snapshot.entries = match read.into_iter().collect::<Result<Vec<Entry>, _>>() {
        Ok(entries) => entries,
        // An item that does not fit: broken if the document calls itself a JSON Feed.
        Err(e) if version.contains("jsonfeed.org") => {
            return Err(FormatError::Invalid(format!("broken JSON Feed: {e}")));
        }
        Err(_) => return Ok(None),
    };
    inherit_authors(&mut snapshot.entries, &feed_authors);
    fill_missing_ids(&mut snapshot.entries);
    Ok(Some(snapshot))
}

fn inherit_authors(entries: &mut [Entry], feed_authors: &[String]) {
    for e in entries.iter_mut().filter(|e| e.authors.is_empty()) {
        e.authors = feed_authors.to_vec();
    }
}

/// The headlines of every item, or `None` when one of them has no id or URL (its id would
/// come from its body) or cannot be read (the whole read will say why).
fn heads(items: &[&RawValue]) -> Option<Vec<Entry>> {
    let read = crate::par::map(items, 256, |item| {
        let h = serde_json::from_str::<Head>(item.get()).ok()?;
        let url = url(&h.url, &h.external_url);
        let flags = h.livefeed.unwrap_or_default();
        let e = Entry {
            id: id(h.id, &url)?,
            published: h.date_published.as_deref().and_then(parse_time),
            updated: h.date_modified.as_deref().and_then(parse_time),
            title: h.title.as_deref().map(plain).unwrap_or_default(),
            authors: names(&h.authors, &h.author),
            url,
            pinned: flags.pinned,
            key_event: flags.key_event,
            removed: flags.removed,
            ..Entry::default()
        };
        (!e.id.is_empty()).then_some(e)
    });
    read.into_iter().collect()
}

/// An item's link: `url`, else `external_url`.
fn url(url: &Str, external_url: &Str) -> Option<String> {
    url.as_deref()
        .or(external_url.as_deref())
        .map(|u| sanitize(u.trim()))
}

/// An item's identity: its id, else its link (`None`: neither, the id will come from the
/// content).
fn id(id: Option<Id>, url: &Option<String>) -> Option<String> {
    id.map(|Id(id)| sanitize(id.trim()))
        .filter(|id| !id.is_empty())
        .or_else(|| url.clone())
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
    // Sized for them all up front: most items name one or two, and a list grown one by
    // one would hold room for four.
    let mut out: Vec<String> =
        Vec::with_capacity(authors.as_ref().map_or(0, Vec::len) + usize::from(author.is_some()));
    let listed = authors.iter().flatten().chain(author.iter());
    for name in listed.filter_map(|a| a.name.as_deref()).map(plain) {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn entry(item: Item) -> Entry {
    let html = item.content_html.and_then(|html| {
        html.read(|html| (!html.trim().is_empty()).then(|| crate::text::html_to_text(html)))
    });
    let body = match (html, item.content_text, item.summary) {
        (Some(body), _, _) => body,
        (_, Some(text), _) => crate::text::HtmlText {
            text: text.read(paragraphs),
            ..Default::default()
        },
        (_, _, Some(summary)) => summary.read(body_text),
        _ => Default::default(),
    };
    let url = url(&item.url, &item.external_url);
    let authors = names(&item.authors, &item.author);
    let mut images = Vec::new();
    let mut add = |img: Image| {
        if img.url.is_some() && !images.iter().any(|i: &Image| i.url == img.url) {
            // Room for one at first: most items have one image or none.
            images.reserve_exact(usize::from(images.is_empty()));
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
    Entry {
        id: id(item.id, &url).unwrap_or_default(),
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

#[cfg(test)]
mod borrow_tests {
    use super::*;

    #[test]
    fn string_fields_are_borrowed_unless_escaped() {
        let doc = br#"{"id": "7", "title": "Storm", "url": "https://x/\u00e9", "content_html": "<p>a</p>",
            "authors": [{"name": "Ana"}], "_livefeed": {"images": [{"caption": "Quay"}]}}"#;
        let item: Item = serde_json::from_slice(doc).unwrap();
        let borrowed = |t: &Str| matches!(t, Some(Text(Cow::Borrowed(_))));
        assert!(matches!(item.id, Some(Id(Cow::Borrowed("7")))));
        assert!(borrowed(&item.title) && matches!(item.content_html, Some(Raw("<p>a</p>"))));
        assert!(borrowed(&item.authors.as_ref().unwrap()[0].name));
        assert!(borrowed(&item.livefeed.as_ref().unwrap().images[0].caption));
        // An escape must be undone, so that string is a copy.
        assert!(matches!(&item.url, Some(Text(Cow::Owned(u))) if u == "https://x/é"));
    }
}

#[cfg(test)]
mod body_tests {
    use super::*;

    #[test]
    fn a_body_is_read_through_the_threads_buffer_only_when_escaped() {
        let doc = br#"{"content_html": "<p class=\"x\">caf\u00e9</p>", "content_text": "plain"}"#;
        let item: Item = serde_json::from_slice(doc).unwrap();
        assert!(matches!(item.content_text, Some(Raw("plain"))));
        let html = item.content_html.unwrap();
        assert_eq!(html.read(str::to_string), "<p class=\"x\">café</p>");
        assert_eq!(entry(item).text, "café");
        // The next body with escapes reuses the buffer, cleared.
        assert_eq!(Raw(r"\u0041").read(str::to_string), "A");
    }

    #[test]
    fn half_a_surrogate_pair_in_a_body_is_a_replacement_character() {
        // serde_json refuses it in a string it unescapes; a body keeps the rest of its text.
        assert!(serde_json::from_str::<String>(r#""a\ud800b""#).is_err());
        let item: Item = serde_json::from_str(r#"{"content_html": "<p>a\ud800b</p>"}"#).unwrap();
        assert_eq!(entry(item).text, "a\u{fffd}b");
    }

    #[test]
    fn a_body_that_is_not_a_string_breaks_its_item() {
        for body in ["5", "{}", "[\"a\"]", "true"] {
            let doc = format!(r#"{{"content_html": {body}}}"#);
            assert!(serde_json::from_str::<Item>(&doc).is_err(), "{body}");
        }
        let item: Item = serde_json::from_str(r#"{"content_html": null}"#).unwrap();
        assert!(item.content_html.is_none());
    }
}

#[cfg(test)]
mod preview_tests {
    use super::*;

    fn doc(n: usize, without_id: Option<usize>) -> String {
        let items: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut item = serde_json::json!({
                    "title": format!("Head &amp; line {i}"),
                    "content_html": format!("<p>Body {i}</p>"),
                    "date_published": "2026-03-01T12:00:00Z",
                    "_livefeed": {"pinned": i == 3},
                });
                if Some(i) != without_id {
                    // Some items are known by their URL only.
                    let key = if i % 2 == 0 { "id" } else { "url" };
                    item[key] = format!("https://example.org/live#{i}").into();
                }
                item
            })
            .collect();
        serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "authors": [{"name": "Desk"}],
            "items": items,
        })
        .to_string()
    }

    fn previews(doc: &str) -> (Vec<Snapshot>, Snapshot) {
        let mut seen = Vec::new();
        let full = parse_previewing(doc.as_bytes(), Some(&mut |s| seen.push(s)))
            .unwrap()
            .unwrap();
        (seen, full)
    }

    #[test]
    fn big_feeds_preview_the_entries_they_then_read_whole() {
        let (seen, full) = previews(&doc(PREVIEW_FROM, None));
        let [first] = &seen[..] else {
            panic!("one preview, got {}", seen.len())
        };
        assert!(first.partial && !full.partial);
        assert_eq!(first.entries.len(), full.entries.len());
        for (head, whole) in first.entries.iter().zip(&full.entries) {
            assert_eq!(
                Entry {
                    text: String::new(),
                    links: Vec::new(),
                    images: Vec::new(),
                    ..whole.clone()
                },
                *head
            );
            assert!(head.text.is_empty() && !whole.text.is_empty());
        }
        assert_eq!(first.entries[1].title, "Head & line 1");
        assert_eq!(first.entries[1].authors, ["Desk"]);
        assert!(first.entries[3].pinned);
    }

    #[test]
    fn a_body_that_cannot_be_read_fails_the_document_after_its_preview() {
        let mut doc: serde_json::Value = serde_json::from_str(&doc(PREVIEW_FROM, None)).unwrap();
        doc["items"][5]["content_html"] = serde_json::json!({"not": "a string"});
        let mut seen = 0;
        let result = parse_previewing(doc.to_string().as_bytes(), Some(&mut |_| seen += 1));
        assert_eq!(seen, 1);
        assert!(
            matches!(&result, Err(FormatError::Invalid(why)) if why.starts_with("broken JSON Feed")),
            "{result:?}"
        );
    }

    #[test]
    fn no_preview_for_small_feeds_or_entries_known_by_their_content() {
        assert!(previews(&doc(PREVIEW_FROM - 1, None)).0.is_empty());
        assert!(previews(&doc(PREVIEW_FROM, Some(7))).0.is_empty());
        // Without anyone to show it to, no preview is made.
        assert!(parse(doc(PREVIEW_FROM, None).as_bytes()).unwrap().is_some());
    }
}
