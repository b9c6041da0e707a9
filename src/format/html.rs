//! HTML pages: look for a live blog in JSON-LD blocks, then in microdata, then for a link to
//! a JSON Feed; otherwise say what the page holds instead.

use super::{FormatError, jsonld, lenient, microdata, not_found_message};
use crate::entry::Snapshot;
use scraper::{ElementRef, Html};

pub mod blocks;
pub mod stream;

/// JSON-LD blocks holding this many bytes in all are read with the page's tree let go.
const BIG_BLOCKS: usize = 1024 * 1024;

/// Read an HTML page.
pub fn parse(page: &str) -> Result<Snapshot, FormatError> {
    // Capped nesting first: html5ever is quadratic in the depth.
    let page = crate::text::limit_depth(page, crate::text::MAX_DEPTH);
    let mut doc = Some(Html::parse_document(&page));
    let blocks = doc.as_ref().map(ld_blocks).unwrap_or_default();
    if blocks.iter().map(String::len).sum::<usize>() >= BIG_BLOCKS {
        // A big live blog is nearly all JSON-LD, and the tree holds its text once more: let
        // the tree go while the blocks are read (the page is parsed again only when no
        // live blog is found in them).
        doc = None;
    }
    let mut found = Vec::new();
    // Each block is let go as soon as it is read.
    let values: Vec<serde_json::Value> = blocks
        .into_iter()
        .filter_map(|b| lenient::parse(&b))
        .collect();
    if let Some(snapshot) = jsonld::from_values(&values, &mut found) {
        return Ok(snapshot);
    }
    drop(values);
    let doc = doc.unwrap_or_else(|| Html::parse_document(&page));
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

/// The saved pages of the shared fixtures (gunzipped where stored compressed), each with
/// its name, in a stable order; none when the fixtures are not there, which fails under CI.
#[cfg(test)]
pub(crate) fn shared_pages() -> Vec<(String, Vec<u8>)> {
    let shared = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"));
    if !shared.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "shared fixtures missing at {}",
            shared.display()
        );
        eprintln!(
            "skipping: shared fixtures not found at {}",
            shared.display()
        );
        return Vec::new();
    }
    let mut paths: Vec<_> = ["jsonld-html", "liveblog-html"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(shared.join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let read = |path: &std::path::Path| {
        let raw = std::fs::read(path).unwrap();
        if path.extension().is_none_or(|e| e != "gz") {
            return raw;
        }
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut out).unwrap();
        out
    };
    let pages: Vec<_> = paths
        .iter()
        .map(|p| (p.display().to_string(), read(p)))
        .collect();
    assert!(
        pages.len() >= 10,
        "{} pages in {}",
        pages.len(),
        shared.display()
    );
    pages
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with `ld` as its JSON-LD block and `body` as its body.
    fn page(ld: &str, body: &str) -> String {
        format!(
            r#"<!DOCTYPE html><html><head><script type="application/ld+json">{ld}</script></head><body>{body}</body></html>"#
        )
    }

    #[test]
    fn a_big_json_ld_live_blog_is_read_with_the_tree_let_go() {
        let updates: Vec<serde_json::Value> = (0..2_000)
            .map(|i| {
                serde_json::json!({
                    "@type": "BlogPosting",
                    "@id": format!("u{i}"),
                    "headline": format!("Update {i}"),
                    "datePublished": "2025-06-01T19:00:00Z",
                    "articleBody": "words ".repeat(100),
                })
            })
            .collect();
        let ld = serde_json::json!({"@type": "LiveBlogPosting", "headline": "Live", "liveBlogUpdate": updates});
        let ld = ld.to_string();
        assert!(ld.len() >= BIG_BLOCKS);
        let s = parse(&page(&ld, "<p>Hello</p>")).unwrap();
        assert_eq!(s.entries.len(), 2_000);
        assert_eq!(
            s,
            jsonld::from_values(&[lenient::parse(&ld).unwrap()], &mut Vec::new()).unwrap()
        );
    }

    #[test]
    fn a_page_whose_big_json_ld_is_no_live_blog_is_parsed_again_for_microdata() {
        let article =
            serde_json::json!({"@type": "NewsArticle", "articleBody": "words ".repeat(200_000)});
        let ld = article.to_string();
        assert!(ld.len() >= BIG_BLOCKS);
        let micro = include_str!("../../tests/fixtures/formats/microdata.html");
        let body = &micro[micro.find("<div").unwrap()..micro.find("</body>").unwrap()];
        let s = parse(&page(&ld, body)).unwrap();
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s, parse(micro).unwrap());
        let link = r#"<link rel="alternate" type="application/feed+json" href="/feed.json">"#;
        assert_eq!(
            parse(&page(&ld, link)),
            Err(FormatError::FeedLink("/feed.json".into()))
        );
    }
}
