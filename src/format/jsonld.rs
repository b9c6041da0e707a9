//! schema.org `LiveBlogPosting` in JSON-LD: a whole JSON document, or the
//! `<script type="application/ld+json">` blocks of a page (see [`super::html`]).
//!
//! Real pages vary a lot: blocks that are arrays or `@graph`s, `@type` as a list or a full
//! URL, `liveBlogUpdate` as one object or a list, HTML (even entity-encoded HTML) in text
//! fields, authors and images in every shape. This module reads them all into entries in
//! document order.

use super::{
    body_text, clean_url, fill_missing_ids, parse_time, positional_fragments, url_identity,
};
use crate::entry::{Entry, Image, Snapshot};
use crate::text::{plain, sanitize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;

pub mod stream;

type Obj = Map<String, Value>;

/// Find the live blog with the most updates in `values` (top-level JSON-LD values).
/// Pushes a note on every other typed thing it saw into `found` (for messages).
pub fn from_values(values: &[Value], found: &mut Vec<String>) -> Option<Snapshot> {
    let best = blogs(values, found)
        .into_iter()
        .max_by_key(|b| updates(b).len())?;
    if updates(best).is_empty() {
        found.push("a JSON-LD LiveBlogPosting without liveBlogUpdate entries".into());
        return None;
    }
    Some(snapshot(best))
}

/// Every live blog in `values`, in document order; a note on every other typed thing in
/// `found`.
fn blogs<'a>(values: &'a [Value], found: &mut Vec<String>) -> Vec<&'a Obj> {
    let mut blogs = Vec::new();
    let mut stack: Vec<&Value> = values.iter().rev().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(o) => {
                if let Some(Value::Array(graph)) = o.get("@graph") {
                    stack.extend(graph.iter().rev());
                }
                let types = types(o);
                if is_blog(&types) {
                    blogs.push(o);
                    continue;
                }
                for t in types {
                    let note = format!("a JSON-LD {t}");
                    if !found.contains(&note) {
                        found.push(note);
                    }
                }
                for key in ["mainEntity", "mainEntityOfPage"] {
                    if let Some(inner @ (Value::Object(_) | Value::Array(_))) = o.get(key) {
                        stack.push(inner);
                    }
                }
            }
            _ => {}
        }
    }
    blogs
}

fn is_blog(types: &[&str]) -> bool {
    types
        .iter()
        .any(|t| t.eq_ignore_ascii_case("LiveBlogPosting"))
}

/// The `@type`s of an object, without a `http(s)://schema.org/` prefix.
fn types(o: &Obj) -> Vec<&str> {
    fn short(t: &str) -> &str {
        t.rsplit(['/', '#', ':']).next().unwrap_or(t).trim()
    }
    match o.get("@type") {
        Some(Value::String(t)) => vec![short(t)],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).map(short).collect(),
        _ => Vec::new(),
    }
}

fn updates(blog: &Obj) -> Vec<&Obj> {
    match blog.get("liveBlogUpdate") {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

fn snapshot(blog: &Obj) -> Snapshot {
    let updates = updates(blog);
    let mut s = frame(blog);
    let idents: Vec<Ident> = updates.iter().map(|u| Ident::of(u)).collect();
    s.entries = updates.iter().map(|u| entry(u)).collect();
    for (e, id) in s
        .entries
        .iter_mut()
        .zip(ids(&idents, s.home_url.as_deref()))
    {
        e.id = id;
    }
    fill_missing_ids(&mut s.entries);
    s
}

/// A snapshot of `blog` without its entries: its title, page and end of coverage.
fn frame(blog: &Obj) -> Snapshot {
    Snapshot {
        title: string(blog, "headline")
            .or_else(|| string(blog, "name"))
            .map(plain),
        home_url: string(blog, "url").map(clean_url),
        coverage_end: string(blog, "coverageEndTime").and_then(parse_time),
        format: "json-ld",
        ..Snapshot::default()
    }
}

/// What an update's id is made from: its own id (`identifier`, else `@id`) and its URL.
struct Ident<'a> {
    native: Option<Cow<'a, str>>,
    url: Option<&'a str>,
}

impl Ident<'_> {
    fn of(u: &Obj) -> Ident<'_> {
        let native = match u.get("identifier") {
            Some(Value::Number(n)) => Some(Cow::Owned(n.to_string())),
            Some(Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
            _ => None,
        };
        Ident {
            native: native.or_else(|| string(u, "@id").map(Cow::Borrowed)),
            url: string(u, "url"),
        }
    }
}

/// The ids of a blog's updates (`page`: the blog's own URL); empty means "use content".
fn ids(idents: &[Ident], page: Option<&str>) -> Vec<String> {
    let urls: Vec<Option<&str>> = idents.iter().map(|i| i.url).collect();
    let positional = positional_fragments(&urls);
    // How often each URL occurs, counted once (a shared URL names no single update).
    let mut url_count: HashMap<&str, usize> = HashMap::new();
    for url in urls.iter().flatten() {
        *url_count.entry(url.trim()).or_default() += 1;
    }
    idents
        .iter()
        .map(|i| {
            let unique = |url: &str| url_count.get(url.trim()).copied() == Some(1);
            identity(i, page, positional, unique)
        })
        .collect()
}

/// Native id first, then the URL (its fragment, when it has one, since page slugs change
/// when headlines do) when it names this update alone: not the page itself, not a
/// position-based fragment, not shared with another update (`unique`). Empty means "use
/// content".
fn identity(
    i: &Ident,
    page: Option<&str>,
    positional: bool,
    unique: impl Fn(&str) -> bool,
) -> String {
    if let Some(id) = &i.native {
        return sanitize(id.trim());
    }
    let Some(url) = i.url.map(str::trim) else {
        return String::new();
    };
    let is_page = page.is_some_and(|p| p.trim_end_matches('/') == url.trim_end_matches('/'));
    if positional || !unique(url) || is_page {
        return String::new();
    }
    url_identity(url)
}

fn entry(u: &Obj) -> Entry {
    let body = ["articleBody", "text", "description"]
        .iter()
        .find_map(|k| string(u, k).filter(|s| !s.trim().is_empty()))
        .map(body_text)
        .unwrap_or_default();
    let mut images = images(u.get("image"));
    for img in body.images {
        if !images.iter().any(|i| i.url == img.url) {
            images.push(img);
        }
    }
    Entry {
        id: String::new(),
        published: string(u, "datePublished").and_then(parse_time),
        updated: string(u, "dateModified").and_then(parse_time),
        title: string(u, "headline")
            .or_else(|| string(u, "name"))
            .map(plain)
            .unwrap_or_default(),
        authors: names(u.get("author")),
        text: body.text,
        links: body.links,
        url: string(u, "url").map(clean_url),
        images,
        ..Default::default()
    }
}

fn string<'a>(o: &'a Obj, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

/// Author names from a string, a Person/Organization object, or a list of them.
pub(crate) fn names(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let s = plain(s);
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    let one = |v: &Value, add: &mut dyn FnMut(&str)| match v {
        Value::String(s) => add(s),
        Value::Object(o) => {
            if let Some(n) = string(o, "name").or_else(|| string(o, "legalName")) {
                add(n)
            }
        }
        _ => {}
    };
    match v {
        Some(Value::Array(list)) => list.iter().for_each(|v| one(v, &mut add)),
        Some(v) => one(v, &mut add),
        None => {}
    }
    out
}

/// Images from a URL, an ImageObject, or a list of them.
fn images(v: Option<&Value>) -> Vec<Image> {
    let one = |v: &Value| -> Option<Image> {
        match v {
            Value::String(s) => Some(Image {
                url: Some(clean_url(s)),
                ..Default::default()
            }),
            Value::Object(o) => {
                let url = string(o, "url").or_else(|| string(o, "contentUrl"))?;
                let caption = match o.get("caption") {
                    Some(Value::String(s)) => Some(plain(s)),
                    Some(Value::Object(c)) => string(c, "text").map(plain),
                    _ => string(o, "description")
                        .or_else(|| string(o, "name"))
                        .map(plain),
                };
                let credit = string(o, "creditText")
                    .map(plain)
                    .or_else(|| names(o.get("copyrightHolder")).into_iter().next())
                    .or_else(|| names(o.get("author")).into_iter().next());
                Some(Image {
                    url: Some(clean_url(url)),
                    caption: caption.filter(|c| !c.is_empty()),
                    credit: credit.filter(|c| !c.is_empty()),
                })
            }
            _ => None,
        }
    };
    match v {
        Some(Value::Array(list)) => list.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}
