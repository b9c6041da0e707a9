//! HTML pages: look for a live blog in JSON-LD blocks, then in microdata, then for a link to
//! a JSON Feed; otherwise say what the page holds instead.

use super::{FormatError, jsonld, lenient, microdata, not_found_message};
use crate::entry::Snapshot;
use scraper::{Html, Selector};

/// Read an HTML page.
pub fn parse(page: &str) -> Result<Snapshot, FormatError> {
    let doc = Html::parse_document(page);
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

fn selector(s: &str) -> Selector {
    // The selectors passed here are literals that parse; a failure would be a typo caught
    // by every test that reads a page.
    Selector::parse(s).unwrap_or_else(|_| unreachable!("bad selector literal {s}"))
}

/// The text of every `<script type="application/ld+json">` (type compared loosely).
pub fn ld_blocks(doc: &Html) -> Vec<String> {
    doc.select(&selector("script[type]"))
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
    doc.select(&selector("link[href]"))
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
