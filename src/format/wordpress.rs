//! The WordPress Liveblog plugin's entries JSON (`/wp-json/liveblog/v1/<post>/entries/...`
//! and the older `?liveblog=` endpoint).
//!
//! The plugin stores every change as a new record that points at the entry it replaces:
//! `type` is `new`, `update` (same `id`, new content) or `delete` (same `id`, empty
//! content). One document may therefore hold several records for one id; the newest record
//! (by its `timestamp`) wins and keeps the position of the first. A delete becomes an entry
//! with `removed` set, so the store can withdraw it.

use serde_json::Value;

use super::mapping::{clean_names, string_of, time_value, truthy};
use crate::entry::{Entry, Snapshot};
use crate::format::FormatError;
use crate::text::{html_to_text, plain, sanitize};

/// Whether `v` looks like a Liveblog plugin entries response.
pub fn detect(v: &Value) -> bool {
    let Some(entries) = v.get("entries").and_then(Value::as_array) else {
        return false;
    };
    v.get("latest_timestamp").is_some()
        || entries
            .iter()
            .any(|e| e.get("entry_time").is_some() || e.get("render").is_some())
}

/// Read a Liveblog plugin entries response.
pub fn parse(v: &Value) -> Result<Snapshot, FormatError> {
    let Some(records) = v.get("entries").and_then(Value::as_array) else {
        return Err(FormatError::NotALiveBlog(
            "WordPress liveblog: no \"entries\" array".into(),
        ));
    };
    // (entry, record time) in first-seen order; later records for an id replace earlier ones.
    let mut out: Vec<(Entry, Option<jiff::Timestamp>)> = Vec::new();
    for r in records {
        let e = record(r);
        let stamp = r.get("timestamp").and_then(time_value);
        match out.iter_mut().find(|(seen, _)| seen.id == e.id) {
            Some(slot) if stamp >= slot.1 => *slot = (e, stamp),
            Some(_) => {}
            None => out.push((e, stamp)),
        }
    }
    Ok(Snapshot {
        entries: out.into_iter().map(|(e, _)| e).collect(),
        format: "wordpress-liveblog",
        limited: None,
        ..Default::default()
    })
}

fn record(r: &Value) -> Entry {
    let id = r
        .get("id")
        .and_then(string_of)
        .map(|s| sanitize(&s))
        .unwrap_or_default();
    // `render` is the displayed HTML (shortcodes and embeds expanded); `content` is the raw
    // edit text, used when a site filters `render` out.
    let html = ["render", "content", "html"]
        .iter()
        .find_map(|k| {
            r.get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or("");
    let body = html_to_text(html);
    let published = r
        .get("entry_time")
        .or_else(|| r.get("timestamp"))
        .and_then(time_value);
    let classes: Vec<&str> = r
        .get("css_classes")
        .and_then(Value::as_str)
        .map(|c| c.split_whitespace().collect())
        .unwrap_or_default();
    Entry {
        id,
        published,
        updated: r.get("timestamp").and_then(time_value),
        title: r
            .get("title")
            .and_then(Value::as_str)
            .map(plain)
            .unwrap_or_default(),
        authors: authors(r),
        text: body.text,
        links: body.links,
        url: r.get("share_link").and_then(Value::as_str).map(sanitize),
        images: body.images,
        pinned: truthy(r.get("pinned")) || truthy(r.get("is_pinned")),
        // The `/key` command marks key events with the class `type-key`.
        key_event: truthy(r.get("key_event")) || classes.contains(&"type-key"),
        removed: r.get("type").and_then(Value::as_str) == Some("delete"),
    }
}

/// `authors: [{name}]` in current versions, `author: {name}` or a string in older ones.
fn authors(r: &Value) -> Vec<String> {
    let name = |a: &Value| match a {
        Value::String(s) => Some(s.clone()),
        other => other
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let mut names: Vec<String> = r
        .get("authors")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(name).collect())
        .unwrap_or_default();
    if names.is_empty() {
        names.extend(r.get("author").and_then(name));
    }
    clean_names(names)
}
