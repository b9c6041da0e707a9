//! Any JSON API, read through a per-source mapping of JSON pointers.
//!
//! Many sites serve their live blog from an ad-hoc JSON endpoint that no detector can know.
//! Rather than a parser per site, a source may carry a [`Mapping`]: JSON pointers (RFC 6901)
//! that say where the entry list is and where each field sits inside one entry. Nothing is
//! guessed; a field the mapping does not name stays empty.
//!
//! This module also holds the small value helpers (times, flags, ids, content keys) that the
//! other JSON formats share, since they all face the same loose typing.
//!
//! # Example
//!
//! A site answers with
//!
//! ```json
//! {
//!   "data": {
//!     "posts": [
//!       {
//!         "uuid": "p-2",
//!         "created": 1717243200,
//!         "headline": "Polls close",
//!         "html": "<p>Counting starts <b>now</b>.</p>",
//!         "writer": { "display": "Ana Lima" },
//!         "photo": { "src": "https://example.org/count.jpg", "text": "The count", "by": "AP" }
//!       }
//!     ]
//!   }
//! }
//! ```
//!
//! and the source is configured with
//!
//! ```toml
//! [sources.mapping]
//! entries = "/data/posts"
//! id = "/uuid"
//! time = "/created"           # RFC 3339, RFC 2822, or epoch seconds (number or string)
//! title = "/headline"
//! body_html = "/html"         # or body_text = "/..." for plain text
//! author = "/writer/display"  # a string, or an array of strings
//! image = "/photo/src"
//! caption = "/photo/text"
//! credit = "/photo/by"
//! ```
//!
//! Pointers inside an entry are relative to that entry. All fields but `entries` are
//! optional. Without `id`, an entry's id is a hash of its time, title and body, so it stays
//! the same across polls as long as the entry does not change.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::entry::{Entry, Image, Snapshot};
use crate::format::FormatError;
use crate::text::{html_to_text, plain, sanitize};

/// Where to find a live blog's entries and their fields in a JSON document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Pointer from the document root to the array of entries.
    pub entries: String,
    /// The rest point into one entry.
    pub id: Option<String>,
    pub time: Option<String>,
    pub updated: Option<String>,
    pub title: Option<String>,
    pub body_html: Option<String>,
    pub body_text: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub image: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// Read `v` as a live blog through `m`.
pub fn parse(v: &Value, m: &Mapping) -> Result<Snapshot, FormatError> {
    let list = v.pointer(&m.entries).ok_or_else(|| {
        let hint = if m.entries.is_empty() || m.entries.starts_with('/') {
            ""
        } else {
            " (JSON pointers start with '/')"
        };
        FormatError::NotALiveBlog(format!(
            "mapping: nothing at entries pointer {:?}{hint}",
            m.entries
        ))
    })?;
    let Some(items) = list.as_array() else {
        return Err(FormatError::NotALiveBlog(format!(
            "mapping: entries pointer {:?} is not an array",
            m.entries
        )));
    };
    let entries = items.iter().map(|item| entry(item, m)).collect();
    Ok(Snapshot {
        entries,
        format: "mapped",
        limited: None,
        ..Default::default()
    })
}

fn entry(item: &Value, m: &Mapping) -> Entry {
    let at = |p: &Option<String>| p.as_deref().and_then(|p| item.pointer(p));
    let text_at = |p: &Option<String>| at(p).and_then(string_of);

    let raw_html = text_at(&m.body_html);
    let raw_text = text_at(&m.body_text);
    let body = match (&raw_html, &raw_text) {
        (Some(h), _) => html_to_text(h),
        (None, Some(t)) => crate::text::HtmlText {
            text: sanitize(t),
            ..Default::default()
        },
        (None, None) => Default::default(),
    };
    let published = at(&m.time).and_then(time_value);
    let raw_title = text_at(&m.title).unwrap_or_default();
    let id = match text_at(&m.id) {
        Some(id) if !id.is_empty() => sanitize(&id),
        _ => content_key(&[
            &published.map(|t| t.to_string()).unwrap_or_default(),
            &raw_title,
            raw_html.as_deref().or(raw_text.as_deref()).unwrap_or(""),
        ]),
    };
    let authors = match at(&m.author) {
        Some(Value::Array(list)) => list.iter().filter_map(string_of).collect(),
        Some(one) => string_of(one).into_iter().collect(),
        None => Vec::new(),
    };
    let mut images = body.images;
    if let Some(url) = text_at(&m.image) {
        images.insert(
            0,
            Image {
                url: Some(sanitize(&url)),
                caption: text_at(&m.caption)
                    .map(|c| plain(&c))
                    .filter(|c| !c.is_empty()),
                credit: text_at(&m.credit)
                    .map(|c| plain(&c))
                    .filter(|c| !c.is_empty()),
            },
        );
    }
    Entry {
        id,
        published,
        updated: at(&m.updated).and_then(time_value),
        title: plain(&raw_title),
        authors: clean_names(authors),
        text: body.text,
        links: body.links,
        url: text_at(&m.url).map(|u| sanitize(&u)),
        images,
        ..Default::default()
    }
}

// ---- Helpers shared by the JSON formats ----

/// A string field that may arrive as a string or a number (ids, epoch times).
pub(crate) fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A flag that APIs send as `true`, `"true"`, `1` or `"1"`.
pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => {
            matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes")
        }
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        _ => false,
    }
}

/// Like [`truthy`], but tells an explicit "false" apart from a missing field.
pub(crate) fn explicitly_false(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => !*b,
        Some(Value::String(s)) => {
            matches!(s.trim().to_ascii_lowercase().as_str(), "false" | "0" | "no")
        }
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// A time as a JSON number (epoch seconds) or string (RFC 3339, RFC 2822, epoch digits).
pub(crate) fn time_value(v: &Value) -> Option<Timestamp> {
    match v {
        Value::Number(n) => n.as_f64().and_then(epoch),
        Value::String(s) => parse_time(s),
        _ => None,
    }
}

/// RFC 3339 (any offset), RFC 2822, or epoch seconds written as digits.
pub(crate) fn parse_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(z) = jiff::fmt::rfc2822::parse(s) {
        return Some(z.timestamp());
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return s.parse::<f64>().ok().and_then(epoch);
    }
    None
}

/// Epoch seconds, possibly fractional. Values too large to be seconds in this era
/// (over 10^11, i.e. after the year 5138) are taken as milliseconds, which some APIs use.
pub(crate) fn epoch(secs: f64) -> Option<Timestamp> {
    if !secs.is_finite() {
        return None;
    }
    let secs = if secs.abs() > 1e11 {
        secs / 1000.0
    } else {
        secs
    };
    let whole = secs.floor();
    let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0);
    // `as` saturates; Timestamp::new rejects anything out of its range.
    Timestamp::new(whole as i64, nanos as i32).ok()
}

/// A stable id from content that identifies an entry: hex of a SHA-256 over the parts.
pub(crate) fn content_key(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Clean author names, dropping empty ones and repeats.
pub(crate) fn clean_names(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let n = plain(&n);
        if !n.is_empty() && !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_all_shapes() {
        let want: Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
        assert_eq!(parse_time("2024-06-01T14:00:00+02:00"), Some(want));
        assert_eq!(parse_time("Sat, 01 Jun 2024 12:00:00 +0000"), Some(want));
        assert_eq!(parse_time("1717243200"), Some(want));
        assert_eq!(time_value(&serde_json::json!(1717243200)), Some(want));
        assert_eq!(time_value(&serde_json::json!(1717243200000u64)), Some(want));
        assert_eq!(parse_time("soon"), None);
    }

    #[test]
    fn flags_as_bools_or_strings() {
        use serde_json::json;
        assert!(truthy(Some(&json!(true))));
        assert!(truthy(Some(&json!("true"))));
        assert!(!truthy(Some(&json!("false"))));
        assert!(!truthy(None));
        assert!(explicitly_false(Some(&json!("false"))));
        assert!(!explicitly_false(None));
    }

    #[test]
    fn mapping_rejects_unknown_keys() {
        let bad: Result<Mapping, _> = toml::from_str("entries = \"/a\"\nheadline = \"/b\"\n");
        assert!(bad.is_err());
    }
}
