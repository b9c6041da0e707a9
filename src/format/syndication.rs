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

/// Read an RSS or Atom feed.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    // Return no id for id-less entries; `entry` fills them in deterministically.
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser.parse(bytes).map_err(|e| match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => {
            FormatError::NotALiveBlog("XML without an <rss>, <feed> or <rdf:RDF> root".into())
        }
        other => FormatError::Invalid(format!("feed: {other}")),
    })?;
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
        entries: feed.entries.iter().map(entry).collect(),
        coverage_end: None,
        ended: false,
        format,
        limited: None,
        folded: Vec::new(),
        held: Vec::new(),
        partial: false,
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

fn entry(e: &model::Entry) -> Entry {
    let published = stamp(
        e.published
            .map(|t| (t.timestamp(), t.timestamp_subsec_nanos())),
    );
    let updated = stamp(
        e.updated
            .map(|t| (t.timestamp(), t.timestamp_subsec_nanos())),
    );
    let url = alternate_link(&e.links);
    let raw_title = e.title.as_ref().map(|t| t.content.as_str()).unwrap_or("");
    // (body, is plain text): content first, else summary. feed-rs marks RSS bodies as
    // HTML and Atom ones by their `type`; Atom `type="text"` must not be read as markup.
    let (raw_body, is_plain) = e
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
    let id = if e.id.is_empty() {
        let time = published
            .or(updated)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let anchor = match &url {
            Some(u) => u.clone(),
            None => raw_body
                .split_whitespace()
                .take(24)
                .collect::<Vec<_>>()
                .join(" "),
        };
        content_key(&[raw_title, &time, &anchor])
    } else {
        sanitize(&e.id)
    };
    let body = if is_plain {
        HtmlText {
            text: sanitize(raw_body),
            ..Default::default()
        }
    } else {
        html_to_text(raw_body)
    };
    let mut images = body.images;
    images.extend(e.media.iter().flat_map(media_images));
    Entry {
        id,
        published,
        updated,
        title: plain(raw_title),
        authors: clean_names(e.authors.iter().map(|p| p.name.clone()).collect()),
        text: body.text,
        links: body.links,
        url: url.map(|u| sanitize(&u)),
        images,
        ..Default::default()
    }
}

/// Images among an entry's media (enclosures, Media RSS): image content, else thumbnails.
fn media_images(m: &model::MediaObject) -> Vec<Image> {
    let caption = m
        .description
        .as_ref()
        .or(m.title.as_ref())
        .map(|t| plain(&t.content))
        .filter(|c| !c.is_empty());
    let credit = m
        .credits
        .first()
        .map(|c| plain(&c.entity))
        .filter(|c| !c.is_empty());
    let mut urls: Vec<String> = m
        .content
        .iter()
        .filter(|c| {
            c.content_type
                .as_ref()
                .is_none_or(|t| t.as_str().starts_with("image/"))
                && c.url
                    .as_ref()
                    .is_some_and(|u| looks_like_image(u.as_str(), c))
        })
        .filter_map(|c| c.url.as_ref().map(|u| u.to_string()))
        .collect();
    if urls.is_empty() {
        urls = m.thumbnails.iter().map(|t| t.image.uri.clone()).collect();
    }
    urls.into_iter()
        .map(|u| Image {
            url: Some(sanitize(&u)),
            caption: caption.clone(),
            credit: credit.clone(),
        })
        .collect()
}

/// Content without a declared type counts as an image only when its URL says so.
fn looks_like_image(url: &str, c: &model::MediaContent) -> bool {
    if c.content_type.is_some() {
        return true;
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
