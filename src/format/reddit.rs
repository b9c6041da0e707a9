//! Reddit live threads (`https://www.reddit.com/live/<thread>.json`).
//!
//! The thread is a `Listing` of `LiveUpdate` things. `body_html` is HTML that Reddit has
//! escaped once more (`&lt;div class="md"&gt;...`), so it is unescaped before it goes
//! through the HTML converter. A `stricken` update was struck through by the thread's
//! editors: it stays visible but is marked removed.

use serde_json::Value;

use super::mapping::{clean_names, string_of, time_value};
use crate::entry::{Entry, Image, Snapshot};
use crate::format::FormatError;
use crate::text::{html_to_text, plain, sanitize};

fn updates(v: &Value) -> Option<impl Iterator<Item = &Value>> {
    if v.get("kind").and_then(Value::as_str) != Some("Listing") {
        return None;
    }
    let children = v.pointer("/data/children")?.as_array()?;
    Some(
        children
            .iter()
            .filter(|c| c.get("kind").and_then(Value::as_str) == Some("LiveUpdate"))
            .filter_map(|c| c.get("data")),
    )
}

/// Whether `v` is a Listing holding at least one `LiveUpdate`.
pub fn detect(v: &Value) -> bool {
    updates(v).is_some_and(|mut u| u.next().is_some())
}

/// Read a Reddit live thread listing.
pub fn parse(v: &Value) -> Result<Snapshot, FormatError> {
    let Some(list) = updates(v) else {
        return Err(FormatError::NotALiveBlog(
            "Reddit: not a Listing with data.children".into(),
        ));
    };
    Ok(Snapshot {
        entries: list.map(update).collect(),
        format: "reddit-live",
        limited: None,
        ..Default::default()
    })
}

fn update(d: &Value) -> Entry {
    let s = |k: &str| d.get(k).and_then(Value::as_str);
    let id = d
        .get("id")
        .and_then(string_of)
        .or_else(|| s("name").map(str::to_string))
        .map(|i| sanitize(&i))
        .unwrap_or_default();
    let body = match s("body_html").filter(|h| !h.trim().is_empty()) {
        Some(escaped) => html_to_text(&unescape_markup(escaped)),
        None => crate::text::HtmlText {
            text: sanitize(s("body").unwrap_or_default()),
            ..Default::default()
        },
    };
    let mut images = body.images;
    for embed in d
        .get("embeds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(url) = embed.get("thumbnail_url").and_then(Value::as_str) {
            let caption = embed.get("title").and_then(Value::as_str).map(plain);
            let credit = embed.get("author_name").and_then(Value::as_str).map(plain);
            images.push(Image {
                url: Some(sanitize(url)),
                caption: caption.filter(|c| !c.is_empty()),
                credit: credit.filter(|c| !c.is_empty()),
            });
        }
    }
    let author = s("author")
        .filter(|a| *a != "[deleted]")
        .map(str::to_string);
    Entry {
        id,
        published: d.get("created_utc").and_then(time_value),
        updated: None,
        title: String::new(),
        authors: clean_names(author.into_iter().collect()),
        text: body.text,
        links: body.links,
        url: None,
        images,
        pinned: false,
        key_event: false,
        removed: d.get("stricken").and_then(Value::as_bool).unwrap_or(false),
    }
}

/// Undo Reddit's extra escaping of `body_html`. Only the five escapes Reddit produces are
/// touched, in one pass, so `&amp;lt;` correctly becomes the entity `&lt;` again.
fn unescape_markup(s: &str) -> String {
    const ESCAPES: [(&str, char); 6] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&#x27;", '\''),
        ("&amp;", '&'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        match ESCAPES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push(*c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_once() {
        assert_eq!(
            unescape_markup("&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt; & more"),
            "<p>Tom &amp; Jerry</p> & more"
        );
    }
}
