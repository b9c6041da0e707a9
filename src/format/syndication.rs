//! RSS 2.0 / RSS 1.0 (RDF) and Atom feeds, read with feed-rs.
//!
//! Many live blogs offer an RSS feed of their updates. Two things need care:
//! - Ids. feed-rs invents a random id for an entry without guid/id (and without link), so
//!   the same entry would look new on every poll. We give it a generator that returns no id
//!   and fill the gap ourselves with a hash of the entry's title, publication time and link
//!   (or, without a link, the first words of its body), which is the same on every poll.
//! - Cleaning. feed-rs hands out the raw HTML of summaries and content; it goes through
//!   [`html_to_text`] like every other format's bodies.

use feed_rs::model::{self, FeedType};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use jiff::Timestamp;

use super::mapping::{clean_names, content_key};
use crate::entry::{Entry, Image, Snapshot};
use crate::format::FormatError;
use crate::text::{HtmlText, html_to_text, plain, sanitize};

mod direct;
mod items;
pub use items::Found;
pub mod stream;

/// Whether `bytes` is an XML document whose root is `<rss>`, an Atom `<feed>` or `<rdf:RDF>`.
pub fn detect(bytes: &[u8]) -> bool {
    let Some(tag) = root_tag(bytes) else {
        return false;
    };
    let name = tag
        .split(|c: char| c.is_whitespace() || c == '/')
        .next()
        .unwrap_or("");
    let local = name.rsplit(':').next().unwrap_or(name);
    match local {
        "rss" | "RDF" => true,
        "feed" => tag.contains("http://www.w3.org/2005/Atom"),
        _ => false,
    }
}

/// The text of the first element's start tag (between `<` and `>`), skipping the XML
/// declaration, comments, processing instructions and a doctype. Looks at the first 64 KiB.
fn root_tag(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        let start = rest.find('<')?;
        if !rest[..start].trim().is_empty() {
            return None; // text before the root: not XML
        }
        rest = &rest[start..];
        let close = if rest.starts_with("<!--") {
            "-->"
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            ">"
        } else {
            let end = rest.find('>')?;
            return Some(rest[1..end].to_string());
        };
        let end = rest.find(close)?;
        rest = &rest[end + close.len()..];
    }
}

/// From this many items on, a feed is read item by item (see [`items`]).
const BY_ITEM_FROM: usize = 64;

/// How many items one parse reads, when a feed is read item by item.
const ITEMS_PER_PARSE: usize = 32;

/// Read an RSS or Atom feed.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    if let Some(cut) = items::cut(bytes).filter(|c| c.items.len() >= BY_ITEM_FROM)
        && let Some(snapshot) = parse_by_item(bytes, &cut)
    {
        return Ok(snapshot);
    }
    parse_whole(bytes)
}

/// A parser that returns no id for id-less entries; `entry` fills them in
/// deterministically.
fn parser() -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build()
}

/// Read a feed cut at its items: the rest for the feed's title and links, then the items,
/// a run at a time (see [`read_run`]), on every core. `None` if any part fails to parse
/// (the whole document is then read, and its error reported).
fn parse_by_item(bytes: &[u8], cut: &items::Cut) -> Option<Snapshot> {
    let feed = parser().parse(&cut.rest(bytes)[..]).ok()?;
    let open = &bytes[cut.open.clone()];
    // Items side by side in the document are read together, a few dozen to an envelope:
    // each parse costs feed-rs a setup about as dear as an item.
    let runs: Vec<&[std::ops::Range<usize>]> = cut.items.chunks(ITEMS_PER_PARSE).collect();
    let read = crate::par::map(&runs, 1, |run| {
        run_entries(open, bytes, run, cut.close, |e| e).ok()
    });
    let mut entries = Vec::with_capacity(cut.items.len());
    for part in read {
        entries.extend(part?);
    }
    snapshot(feed, entries).ok()
}

/// A run of items (`run`, places in `doc`) as entries, each given to `each` as soon as it
/// is made: read directly where [`direct`] can, else by feed-rs (see [`read_run`]).
///
/// One entry is made and handed on before the next is read, so what `each` gives back to
/// the thread (an entry's text, once folded) serves the next entry (see
/// [`crate::text::give_back`]).
fn run_entries<T>(
    open: &[u8],
    doc: &[u8],
    run: &[std::ops::Range<usize>],
    close: &[u8],
    each: impl Fn(Entry) -> T,
) -> Result<Vec<T>, String> {
    if let Some(made) = direct::read_run_each(open, doc, run, &each) {
        return Ok(made);
    }
    Ok(read_run(open, doc, run, close)?
        .iter()
        .map(|e| each(entry(e)))
        .collect())
}

/// For the fuzzer: whatever [`direct`] reads of a document's runs of items is what
/// feed-rs reads of them (panics otherwise).
#[cfg(fuzzing)]
pub fn check_direct(doc: &[u8]) {
    let Some(cut) = items::cut(doc) else {
        return;
    };
    let open = &doc[cut.open.clone()];
    for run in cut.items.chunks(ITEMS_PER_PARSE) {
        if let Some(direct) = direct::read_run(open, doc, run) {
            let feed_rs = read_run(open, doc, run, cut.close)
                .map(|read| read.iter().map(entry).collect::<Vec<_>>());
            assert_eq!(Ok(direct), feed_rs);
        }
    }
}

/// A run of items (`run`, places in `doc`) read in one envelope of the document's start
/// (`open`) and end tags (`close`), so that its encoding, namespaces and base hold. When
/// that gives another number of entries than there are items (a tag left open in one item
/// swallows the items after it, where reading the whole document would lose them), each
/// item is read in an envelope of its own. An error when an item cannot be read even alone,
/// or alone is not one entry.
fn read_run(
    open: &[u8],
    doc: &[u8],
    run: &[std::ops::Range<usize>],
    close: &[u8],
) -> Result<Vec<model::Entry>, String> {
    use std::io::Read;
    let read = |span: std::ops::Range<usize>| {
        let envelope = open.chain(&doc[span]).chain(close);
        parser().parse(envelope).map(|feed| feed.entries)
    };
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return Ok(Vec::new());
    };
    if let Ok(entries) = read(first.start..last.end)
        && entries.len() == run.len()
    {
        return Ok(entries);
    }
    let mut entries = Vec::with_capacity(run.len());
    for item in run {
        let mut alone = read(item.clone()).map_err(|e| format!("feed: {e}"))?;
        if alone.len() != 1 {
            return Err(format!("feed: an item reads as {} entries", alone.len()));
        }
        entries.append(&mut alone);
    }
    Ok(entries)
}

fn parse_whole(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    let feed = parser().parse(bytes).map_err(feed_error)?;
    let entries = feed.entries.iter().map(entry).collect();
    snapshot(feed, entries)
}

/// What feed-rs could not read, in our words.
fn feed_error(e: ParseFeedError) -> FormatError {
    match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            FormatError::NotALiveBlog("XML without an <rss>, <feed> or <rdf:RDF> root".into())
        }
        other => FormatError::Invalid(format!("feed: {other}")),
    }
}

/// The snapshot of a feed read by feed-rs, with its entries.
fn snapshot(feed: model::Feed, entries: Vec<Entry>) -> Result<Snapshot, FormatError> {
    let format = match feed.feed_type {
        FeedType::Atom => "atom",
        FeedType::RSS0 | FeedType::RSS1 | FeedType::RSS2 => "rss",
        FeedType::JSON => {
            return Err(FormatError::NotALiveBlog(
                "JSON Feed is not read here".into(),
            ));
        }
    };
    let home_url = alternate_link(&feed.links).map(|u| sanitize(&u));
    Ok(Snapshot {
        title: feed
            .title
            .as_ref()
            .map(|t| plain(&t.content))
            .filter(|t| !t.is_empty()),
        home_url,
        entries,
        coverage_end: None,
        ended: false,
        format,
        limited: None,
        folded: Vec::new(),
        held: Vec::new(),
        partial: false,
        more: false,
        continues: false,
        expect: 0,
    })
}

/// feed-rs times as (epoch seconds, nanoseconds), to a jiff timestamp.
fn stamp(parts: Option<(i64, u32)>) -> Option<Timestamp> {
    let (secs, nanos) = parts?;
    Timestamp::new(secs, i32::try_from(nanos).ok()?).ok()
}

/// The page link: `rel="alternate"` (or no rel) first, else the first link.
fn alternate_link(links: &[model::Link]) -> Option<String> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(links.first())
        .map(|l| l.href.clone())
}

/// What an entry is made of, as feed-rs or [`direct`] read it from an item.
struct Item<'a> {
    /// The guid or id, `""` when there is none.
    id: &'a str,
    published: Option<Timestamp>,
    updated: Option<Timestamp>,
    /// The page link.
    url: Option<String>,
    title: &'a str,
    /// Content, else the summary.
    body: &'a str,
    /// Whether the body is plain text rather than HTML.
    is_plain: bool,
    authors: Vec<String>,
    media: Vec<Image>,
}

fn entry(e: &model::Entry) -> Entry {
    let published = stamp(
        e.published
            .map(|t| (t.timestamp(), t.timestamp_subsec_nanos())),
    );
    let updated = stamp(
        e.updated
            .map(|t| (t.timestamp(), t.timestamp_subsec_nanos())),
    );
    // (body, is plain text): content first, else summary. feed-rs marks RSS bodies as
    // HTML and Atom ones by their `type`; Atom `type="text"` must not be read as markup.
    let (body, is_plain) = e
        .content
        .as_ref()
        .and_then(|c| {
            let body = c.body.as_deref().filter(|b| !b.trim().is_empty())?;
            Some((body, c.content_type.as_str() == "text/plain"))
        })
        .or_else(|| {
            let s = e.summary.as_ref()?;
            Some((s.content.as_str(), s.content_type.as_str() == "text/plain"))
        })
        .unwrap_or(("", false));
    made(Item {
        id: &e.id,
        published,
        updated,
        url: alternate_link(&e.links),
        title: e.title.as_ref().map(|t| t.content.as_str()).unwrap_or(""),
        body,
        is_plain,
        authors: e
            .authors
            .iter()
            .map(|p| person_name(&p.name, p.email.as_deref()))
            .collect(),
        media: e.media.iter().flat_map(media_images).collect(),
    })
}

/// An author's name. feed-rs names a person it was given no name for: an RSS `<author>`
/// (an e-mail address, by the spec) is "author" with that address, an Atom author without
/// `<name>` is "unknown". The address's name is taken then, and no name is shown without
/// one.
fn person_name(name: &str, email: Option<&str>) -> String {
    match (name, email) {
        ("author" | "unknown", Some(email)) => contact_name(email).to_string(),
        ("unknown", None) => String::new(),
        _ => name.to_string(),
    }
}

/// The name in an RSS contact: `jane@example.org (Jane Roe)` and `Jane Roe
/// <jane@example.org>` give `Jane Roe`; anything else is kept as written.
fn contact_name(contact: &str) -> &str {
    let c = contact.trim();
    if let Some(inner) = c.strip_suffix(')')
        && let Some(open) = inner.find('(')
        && !inner[open + 1..].trim().is_empty()
    {
        return inner[open + 1..].trim();
    }
    if let Some(lt) = c.find('<')
        && c.ends_with('>')
        && !c[..lt].trim().is_empty()
    {
        return c[..lt].trim().trim_matches('"').trim();
    }
    c
}

/// An entry from what its item gave.
fn made(item: Item) -> Entry {
    let Item {
        id,
        published,
        updated,
        url,
        title,
        body,
        is_plain,
        authors,
        media,
    } = item;
    let id = if id.is_empty() {
        let time = published
            .or(updated)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let anchor = match &url {
            Some(u) => u.clone(),
            None => body
                .split_whitespace()
                .take(24)
                .collect::<Vec<_>>()
                .join(" "),
        };
        content_key(&[title, &time, &anchor])
    } else {
        sanitize(id)
    };
    let text = if is_plain {
        HtmlText {
            text: sanitize(body),
            ..Default::default()
        }
    } else {
        html_to_text(body)
    };
    let mut images = text.images;
    images.extend(media);
    Entry {
        id,
        published,
        updated,
        title: plain(title),
        authors: clean_names(authors),
        text: text.text,
        links: text.links,
        url: url.map(|u| sanitize(&u)),
        images,
        ..Default::default()
    }
}

/// Images among an entry's media (enclosures, Media RSS): image content, else thumbnails.
fn media_images(m: &model::MediaObject) -> Vec<Image> {
    let caption = m.description.as_ref().or(m.title.as_ref());
    let mut urls: Vec<String> = m
        .content
        .iter()
        .filter_map(|c| {
            let url = c.url.as_ref()?.as_str();
            let kind = c.content_type.as_ref().map(|t| t.as_str());
            is_image(url, kind).then(|| url.to_string())
        })
        .collect();
    if urls.is_empty() {
        urls = m.thumbnails.iter().map(|t| t.image.uri.clone()).collect();
    }
    images(
        caption.map(|t| t.content.as_str()),
        m.credits.first().map(|c| c.entity.as_str()),
        urls,
    )
}

/// One image per URL, each with the media's caption and credit.
fn images(caption: Option<&str>, credit: Option<&str>, urls: Vec<String>) -> Vec<Image> {
    let caption = caption.map(plain).filter(|c| !c.is_empty());
    let credit = credit.map(plain).filter(|c| !c.is_empty());
    urls.into_iter()
        .map(|u| Image {
            url: Some(sanitize(&u)),
            caption: caption.clone(),
            credit: credit.clone(),
        })
        .collect()
}

/// Whether media content is an image: by its declared type, else (no type) by its URL.
fn is_image(url: &str, content_type: Option<&str>) -> bool {
    if let Some(t) = content_type {
        return t.starts_with("image/");
    }
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_roots() {
        assert!(detect(
            b"<?xml version=\"1.0\"?>\n<!-- c --><rss version=\"2.0\"><channel/></rss>"
        ));
        assert!(detect(
            b"\xef\xbb\xbf<feed xmlns=\"http://www.w3.org/2005/Atom\"></feed>"
        ));
        assert!(detect(b"<rdf:RDF xmlns:rdf=\"x\"></rdf:RDF>"));
        assert!(!detect(b"<feed></feed>"));
        assert!(!detect(b"<!DOCTYPE html><html></html>"));
        assert!(!detect(b"{\"rss\": 1}"));
    }

    /// The same snapshot read item by item and whole.
    fn read_both_ways(doc: &[u8]) -> Snapshot {
        let cut = items::cut(doc).expect("an RSS 2.0 or Atom document");
        let by_item = parse_by_item(doc, &cut).expect("every item reads alone");
        let whole = parse_whole(doc).unwrap();
        assert_eq!(by_item, whole);
        whole
    }

    #[test]
    fn reading_item_by_item_gives_what_reading_whole_gives() {
        for doc in [
            &include_bytes!("../../tests/fixtures/more/atom.xml")[..],
            include_bytes!("../../tests/fixtures/more/rss-guid.xml"),
            include_bytes!("../../tests/fixtures/more/rss-noguid.xml"),
        ] {
            assert!(!read_both_ways(doc).entries.is_empty());
        }
    }

    #[test]
    fn namespaces_media_cdata_and_the_encoding_reach_every_item() {
        let mut rss = String::from(
            r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Caf&#233; live</title><link>https://x.example/live</link>"#,
        );
        for i in 0..BY_ITEM_FROM + 6 {
            let guid = if i % 3 == 0 {
                String::new()
            } else {
                format!("<guid>g{i}</guid>")
            };
            rss.push_str(&format!(
                "<item>{guid}<title>Update {i} caf\u{e9}</title><dc:creator>Ana {i}</dc:creator>\
                 <pubDate>Tue, 14 May 2024 16:{:02}:00 GMT</pubDate>\
                 <content:encoded><![CDATA[<p>Body {i} with <a href=\"https://x.example/{i}\">a link</a></item></p>]]></content:encoded>\
                 <media:content url=\"https://x.example/{i}.jpg\" medium=\"image\"><media:description>Quay {i}</media:description><media:credit>Photo desk</media:credit></media:content>\
                 </item>\n",
                i % 60
            ));
        }
        rss.push_str("<!-- the end --></channel></rss>");
        // In UTF-8 every item is read directly, which must give what feed-rs gives.
        let utf8 = rss.replace("ISO-8859-1", "UTF-8");
        let cut = items::cut(utf8.as_bytes()).unwrap();
        let open = &utf8.as_bytes()[cut.open.clone()];
        assert!(direct::read_run(open, utf8.as_bytes(), &cut.items).is_some());
        assert_eq!(
            read_both_ways(utf8.as_bytes()).entries.len(),
            BY_ITEM_FROM + 6
        );
        // Latin-1 bytes, as the declaration says.
        let doc: Vec<u8> = rss
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect();
        let read = read_both_ways(&doc);
        assert_eq!(read.title.as_deref(), Some("Café live"));
        assert_eq!(read.entries.len(), BY_ITEM_FROM + 6);
        let e = &read.entries[1];
        assert_eq!(e.title, "Update 1 café");
        assert_eq!(e.authors, ["Ana 1"]);
        assert_eq!(e.images[0].caption.as_deref(), Some("Quay 1"));
        assert!(e.text.starts_with("Body 1 with a link"), "{}", e.text);
        assert!(parse(&doc).is_ok());
    }

    #[test]
    fn atom_entries_keep_the_feeds_base_and_default_namespace() {
        let mut atom = String::from(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://y.example/live/"><title type="html">Storm &amp;lt;live&amp;gt;</title><link href="https://y.example/live"/>"#,
        );
        for i in 0..BY_ITEM_FROM {
            atom.push_str(&format!(
                r#"<entry><id>e{i}</id><title>Entry {i}</title><link href="entry-{i}"/><updated>2024-03-09T10:{:02}:00Z</updated><author><name>Kim</name></author><content type="text">Plain &lt;b&gt; {i}</content></entry>"#,
                i % 60
            ));
        }
        atom.push_str("</feed>");
        // Every entry is read directly, which must give what feed-rs gives.
        let cut = items::cut(atom.as_bytes()).unwrap();
        let open = &atom.as_bytes()[cut.open.clone()];
        assert!(direct::read_run(open, atom.as_bytes(), &cut.items).is_some());
        let read = read_both_ways(atom.as_bytes());
        assert_eq!(read.format, "atom");
        assert_eq!(
            read.entries[5].url.as_deref(),
            Some("https://y.example/live/entry-5")
        );
        assert_eq!(read.entries.len(), BY_ITEM_FROM);
        assert_eq!(read.entries[5].text, "Plain <b> 5");
    }

    #[test]
    fn an_item_broken_alone_sends_the_document_to_the_whole_reader() {
        let mut rss = String::from(r#"<rss version="2.0"><channel><title>Live</title>"#);
        for i in 0..BY_ITEM_FROM {
            rss.push_str(&format!(
                "<item><guid>g{i}</guid><title>T{i}</title></item>"
            ));
        }
        // Markup broken inside one item: an end tag that nothing opened.
        rss.push_str("<item><guid>x</guid><title>T</title></bogus></item>");
        rss.push_str("</channel></rss>");
        let cut = items::cut(rss.as_bytes()).unwrap();
        assert_eq!(parse_by_item(rss.as_bytes(), &cut), None);
        // Read whole instead: the same error as before items were read alone.
        let whole = parse_whole(rss.as_bytes());
        assert!(matches!(whole, Err(FormatError::Invalid(_))), "{whole:?}");
        assert_eq!(parse(rss.as_bytes()), whole);
    }

    #[test]
    fn an_rss_author_is_named_by_the_name_beside_its_address() {
        let mut rss = String::from(r#"<rss version="2.0"><channel><title>Live</title>"#);
        for (i, contact) in [
            "jane@example.org (Jane Roe)",
            "Jane Roe &lt;jane@example.org&gt;",
            " desk@example.org ",
            "author@example.org ()",
        ]
        .iter()
        .enumerate()
        {
            rss.push_str(&format!(
                "<item><guid>g{i}</guid><title>T</title><author>{contact}</author></item>"
            ));
        }
        rss.push_str("</channel></rss>");
        let read = parse(rss.as_bytes()).unwrap();
        let names: Vec<&[String]> = read.entries.iter().map(|e| &e.authors[..]).collect();
        assert_eq!(
            names,
            [
                &["Jane Roe".to_string()][..],
                &["Jane Roe".to_string()],
                &["desk@example.org".to_string()],
                &["author@example.org ()".to_string()],
            ]
        );
    }

    #[test]
    fn an_atom_author_without_a_name_is_named_by_its_address_or_not_at_all() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Live</title>
            <entry><id>1</id><title>T</title><author><email>desk@example.org</email></author></entry>
            <entry><id>2</id><title>T</title><author><uri>https://example.org/kim</uri></author></entry>
            <entry><id>3</id><title>T</title><author><name> Kim </name><email>k@example.org</email></author></entry>
            </feed>"#;
        let read = parse(atom.as_bytes()).unwrap();
        let names: Vec<&[String]> = read.entries.iter().map(|e| &e.authors[..]).collect();
        assert_eq!(
            names,
            [
                &["desk@example.org".to_string()][..],
                &[],
                &["Kim".to_string()],
            ]
        );
    }

    #[test]
    fn other_xml_is_not_a_live_blog_and_broken_xml_is_invalid() {
        assert!(matches!(
            parse(b"<html><body/></html>"),
            Err(FormatError::NotALiveBlog(_))
        ));
        let cut = b"<rss version=\"2.0\"><channel><item><title>Cut";
        assert!(matches!(parse(cut), Err(FormatError::Invalid(_))));
    }
}
