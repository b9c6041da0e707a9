//! HTML pages: look for a live blog in JSON-LD blocks, then in microdata, then for a link to
//! a JSON Feed; otherwise say what the page holds instead.

use super::{FormatError, jsonld, lenient, microdata, not_found_message};
use crate::entry::Snapshot;
use scraper::{ElementRef, Html};

/// Read an HTML page.
pub fn parse(page: &str) -> Result<Snapshot, FormatError> {
    // Capped nesting first: html5ever is quadratic in the depth.
    let doc = Html::parse_document(&crate::text::limit_depth(page, crate::text::MAX_DEPTH));
    let mut found = Vec::new();
    let values: Vec<serde_json::Value> = ld_blocks(&doc)
        .iter()
        .filter_map(|b| lenient::parse(b))
        .collect();
    if let Some(snapshot) = jsonld::from_values(&values, &mut found) {
        return Ok(snapshot);
    }
    if let Some(snapshot) = microdata::parse(&doc, &mut found) {
        return Ok(snapshot);
    }
    if let Some(href) = feed_link(&doc) {
        return Err(FormatError::FeedLink(href));
    }
    Err(FormatError::NotALiveBlog(not_found_message(
        "HTML page",
        "a JSON-LD LiveBlogPosting, a microdata LiveBlogPosting and a JSON Feed link",
        &found,
    )))
}

/// Every element named `name` in the document.
fn elements<'a>(doc: &'a Html, name: &'a str) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    doc.root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(move |e| e.value().name() == name)
}

/// The text of every `<script type="application/ld+json">` (type compared loosely).
pub fn ld_blocks(doc: &Html) -> Vec<String> {
    elements(doc, "script")
        .filter(|s| {
            let t = s.value().attr("type").unwrap_or_default();
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("application/ld+json")
        })
        .map(|s| s.text().collect())
        .collect()
}

/// The `href` of `<link rel="alternate" type="application/feed+json">`, if any.
pub fn feed_link(doc: &Html) -> Option<String> {
    elements(doc, "link")
        .find(|l| {
            let v = l.value();
            let rel = v.attr("rel").unwrap_or_default();
            let ty = v.attr("type").unwrap_or_default().trim();
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("alternate"))
                && ty.eq_ignore_ascii_case("application/feed+json")
        })
        .and_then(|l| l.value().attr("href"))
        .map(|h| crate::text::sanitize(h.trim()))
}
