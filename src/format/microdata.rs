//! schema.org `LiveBlogPosting` as HTML microdata (`itemscope`/`itemprop`), for pages that
//! carry their updates only that way.
//!
//! An item's properties are the `itemprop` elements below it that are not inside a nested
//! item; a nested item is itself the value of its `itemprop`. The walk uses an explicit
//! stack, so nesting depth does not matter.

use super::{body_text, fill_missing_ids, parse_time, positional_fragments, url_identity};
use crate::entry::{Entry, Image, Snapshot};
use crate::text::{plain, sanitize};
use scraper::{ElementRef, Html, Selector};

/// Find a microdata live blog with updates. Notes what else it saw in `found`.
pub fn parse(doc: &Html, found: &mut Vec<String>) -> Option<Snapshot> {
    let Ok(sel) = Selector::parse("[itemscope][itemtype]") else {
        return None;
    };
    let mut best: Option<(ElementRef, Vec<ElementRef>)> = None;
    let mut empty_blog = false;
    for item in doc.select(&sel) {
        let is_blog = item
            .value()
            .attr("itemtype")
            .unwrap_or_default()
            .split_ascii_whitespace()
            .any(|t| t.ends_with("LiveBlogPosting"));
        if !is_blog {
            continue;
        }
        let updates: Vec<ElementRef> = props(item, "liveBlogUpdate")
            .into_iter()
            .filter(|u| u.value().attr("itemscope").is_some())
            .collect();
        if updates.is_empty() {
            empty_blog = true;
        } else if best.as_ref().is_none_or(|(_, b)| b.len() < updates.len()) {
            best = Some((item, updates));
        }
    }
    let Some((blog, updates)) = best else {
        if empty_blog {
            found.push("a microdata LiveBlogPosting without liveBlogUpdate items".into());
        }
        return None;
    };
    let home_url = prop_value(blog, "url").map(|u| sanitize(u.trim()));
    let urls: Vec<Option<String>> = updates.iter().map(|u| prop_value(*u, "url")).collect();
    let url_refs: Vec<Option<&str>> = urls.iter().map(|u| u.as_deref()).collect();
    let positional = positional_fragments(url_refs.iter().copied());
    let mut entries: Vec<Entry> = updates.iter().map(|u| entry(*u)).collect();
    for (e, url) in entries.iter_mut().zip(&url_refs) {
        let unique = url_refs.iter().filter(|o| *o == url).count() == 1;
        let is_page = home_url.as_deref() == url.map(str::trim);
        if let Some(url) = url.filter(|_| unique && !positional && !is_page) {
            e.id = url_identity(url.trim());
        }
    }
    fill_missing_ids(&mut entries);
    Some(Snapshot {
        title: prop_value(blog, "headline")
            .or_else(|| prop_value(blog, "name"))
            .map(|t| plain(&t)),
        home_url,
        entries,
        coverage_end: prop_value(blog, "coverageEndTime").and_then(|t| parse_time(&t)),
        ended: false,
        format: "microdata",
        limited: None,
        folded: Vec::new(),
        held: Vec::new(),
        partial: false,
        more: false,
        continues: false,
        expect: 0,
    })
}

fn entry(u: ElementRef) -> Entry {
    let body = props(u, "articleBody")
        .into_iter()
        .chain(props(u, "text"))
        .chain(props(u, "description"))
        .find_map(|el| {
            let body = match el.value().attr("content") {
                Some(c) => body_text(c),
                None if el.value().name() == "meta" => return None,
                None => crate::text::html_to_text(&el.inner_html()),
            };
            (!body.text.is_empty()).then_some(body)
        })
        .unwrap_or_default();
    let authors = props(u, "author")
        .into_iter()
        .filter_map(|a| match a.value().attr("itemscope") {
            Some(_) => prop_value(a, "name"),
            None => Some(value(a)),
        })
        .map(|n| plain(&n))
        .filter(|n| !n.is_empty())
        .fold(Vec::new(), |mut acc, n| {
            if !acc.contains(&n) {
                acc.push(n);
            }
            acc
        });
    let mut images: Vec<Image> = props(u, "image")
        .into_iter()
        .filter_map(|i| match i.value().attr("itemscope") {
            Some(_) => prop_value(i, "url").or_else(|| prop_value(i, "contentUrl")),
            None => Some(value(i)),
        })
        .filter(|u| !u.trim().is_empty())
        .map(|u| Image {
            url: Some(sanitize(u.trim())),
            ..Default::default()
        })
        .collect();
    for img in body.images {
        if !images.iter().any(|i| i.url == img.url) {
            images.push(img);
        }
    }
    Entry {
        published: prop_value(u, "datePublished").and_then(|t| parse_time(&t)),
        updated: prop_value(u, "dateModified").and_then(|t| parse_time(&t)),
        title: prop_value(u, "headline")
            .or_else(|| prop_value(u, "name"))
            .map(|t| plain(&t))
            .unwrap_or_default(),
        authors,
        text: body.text,
        links: body.links,
        url: prop_value(u, "url").map(|s| sanitize(s.trim())),
        images,
        ..Default::default()
    }
}

/// The elements that are property `name` of `item` (not of an item nested inside it).
fn props<'a>(item: ElementRef<'a>, name: &str) -> Vec<ElementRef<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<ElementRef<'a>> = item.child_elements().collect();
    stack.reverse();
    while let Some(el) = stack.pop() {
        let v = el.value();
        if v.attr("itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == name))
        {
            out.push(el);
        }
        if v.attr("itemscope").is_none() {
            let start = stack.len();
            stack.extend(el.child_elements());
            stack[start..].reverse();
        }
    }
    out
}

/// The first value of property `name` that is not empty.
fn prop_value(item: ElementRef, name: &str) -> Option<String> {
    props(item, name)
        .into_iter()
        .map(value)
        .find(|v| !v.trim().is_empty())
}

/// A property's value as microdata defines it (attributes for meta, time, links, media).
fn value(el: ElementRef) -> String {
    let v = el.value();
    let attr = match v.name() {
        "meta" => v.attr("content"),
        "time" => v.attr("datetime"),
        "a" | "link" | "area" => v.attr("href"),
        "img" | "audio" | "video" | "source" | "iframe" | "embed" => v.attr("src"),
        "data" | "meter" => v.attr("value"),
        _ => v.attr("content"),
    };
    match attr {
        Some(a) => a.to_string(),
        None => el.text().collect(),
    }
}
