//! The Guardian Content API (`show-blocks=all`): a live blog is a content item whose
//! `blocks.body[]` are the entries.
//!
//! Accepts the API's item response (`{"response": {"content": {...}}}`) and a bare content
//! object. The API is loosely typed in places: block attributes such as `pinned` come as
//! booleans or as the strings `"true"`/`"false"`, so every flag goes through
//! [`truthy`](super::mapping::truthy).

use serde_json::Value;

use super::mapping::{clean_names, explicitly_false, parse_time, truthy};
use crate::entry::{Entry, Image, Snapshot};
use crate::format::FormatError;
use crate::text::{html_to_text, plain, sanitize};

/// The content object: under `response.content`, or the document itself.
fn content(v: &Value) -> Option<&Value> {
    let c = v.pointer("/response/content").unwrap_or(v);
    let looks_like_capi = c.get("blocks").is_some_and(Value::is_object)
        || (c.get("webUrl").is_some_and(Value::is_string)
            && c.get("apiUrl").is_some_and(Value::is_string));
    looks_like_capi.then_some(c)
}

/// Whether `v` is a Guardian Content API item.
pub fn detect(v: &Value) -> bool {
    content(v).is_some()
}

/// Read a Guardian Content API item as a live blog.
pub fn parse(v: &Value) -> Result<Snapshot, FormatError> {
    let Some(c) = content(v) else {
        return Err(FormatError::NotALiveBlog(
            "Guardian Content API: no content object found".into(),
        ));
    };
    let blocks = body_blocks(c);
    if blocks.is_empty() && c.pointer("/blocks/body").is_none() {
        return Err(FormatError::NotALiveBlog(
            "Guardian Content API item without body blocks (request show-blocks=all or body:latest)"
                .into(),
        ));
    }
    let home_url = str_at(c, "webUrl").map(sanitize);
    let entries = blocks
        .into_iter()
        .filter(|b| !explicitly_false(b.get("published")))
        .map(|b| block(b, home_url.as_deref()))
        .collect();
    Ok(Snapshot {
        title: str_at(c, "webTitle").map(plain).filter(|t| !t.is_empty()),
        home_url,
        entries,
        coverage_end: None,
        ended: explicitly_false(c.pointer("/fields/liveBloggingNow")),
        format: "guardian",
        limited: None,
        folded: Vec::new(),
        held: Vec::new(),
        partial: false,
        more: false,
        continues: false,
        expect: 0,
    })
}

/// The body blocks: `blocks.body` (show-blocks=all), else the lists under
/// `blocks.requestedBodyBlocks` (show-blocks=body:latest:N and friends), each block once.
fn body_blocks(c: &Value) -> Vec<&Value> {
    if let Some(body) = c.pointer("/blocks/body").and_then(Value::as_array) {
        return body.iter().collect();
    }
    let mut out: Vec<&Value> = Vec::new();
    let lists = c
        .pointer("/blocks/requestedBodyBlocks")
        .and_then(Value::as_object);
    for list in lists
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
    {
        for b in list {
            let id = b.get("id");
            if id.is_none() || !out.iter().any(|seen| seen.get("id") == id) {
                out.push(b);
            }
        }
    }
    out
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn block(b: &Value, home_url: Option<&str>) -> Entry {
    let id = str_at(b, "id").map(sanitize).unwrap_or_default();
    let attrs = b.get("attributes");
    let attr = |k: &str| attrs.and_then(|a| a.get(k));
    let title = str_at(b, "title")
        .or_else(|| attr("title").and_then(Value::as_str))
        .map(plain)
        .unwrap_or_default();
    let published = ["firstPublishedDate", "publishedDate", "createdDate"]
        .iter()
        .find_map(|k| str_at(b, k).and_then(parse_time));
    let body = match str_at(b, "bodyHtml").filter(|h| !h.trim().is_empty()) {
        Some(html) => html_to_text(html),
        None => crate::text::HtmlText {
            text: sanitize(str_at(b, "bodyTextSummary").unwrap_or_default()),
            ..Default::default()
        },
    };
    // Image elements carry the best data (largest file, caption, credit); the figures in
    // the HTML are a rendering of the same pictures, so use them only as a fallback.
    let elements: Vec<Image> = b
        .get("elements")
        .and_then(Value::as_array)
        .map(|els| els.iter().filter_map(element_image).collect())
        .unwrap_or_default();
    let images = if elements.is_empty() {
        body.images
    } else {
        elements
    };
    let url = match (home_url, id.is_empty()) {
        (Some(home), false) => Some(format!("{home}?page=with:block-{id}#block-{id}")),
        _ => None,
    };
    Entry {
        published,
        updated: str_at(b, "lastModifiedDate").and_then(parse_time),
        title,
        authors: authors(b),
        text: body.text,
        links: body.links,
        url,
        images,
        pinned: truthy(attr("pinned")),
        // A summary block is the blog's own "key points" digest: as important as a key event.
        key_event: truthy(attr("keyEvent")) || truthy(attr("summary")),
        removed: false,
        id,
    }
}

/// `createdBy` names a person; `contributors` holds profile tags ("profile/jane-doe") or
/// tag objects with a `webTitle`. E-mail addresses are never shown as names.
fn authors(b: &Value) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(user) = b.get("createdBy") {
        let first = str_at(user, "firstName").unwrap_or_default();
        let last = str_at(user, "lastName").unwrap_or_default();
        let full = format!("{first} {last}");
        if !full.trim().is_empty() {
            names.push(full);
        }
    }
    if names.is_empty() {
        for c in b
            .get("contributors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match c {
                Value::String(tag) => names.push(name_from_tag(tag)),
                other => names.extend(str_at(other, "webTitle").map(str::to_string)),
            }
        }
    }
    clean_names(names)
}

/// "profile/jane-doe" → "Jane Doe".
fn name_from_tag(tag: &str) -> String {
    let slug = tag.rsplit('/').next().unwrap_or(tag);
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_uppercase().chain(cs).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// An image or cartoon element as an [`Image`], using its largest file.
fn element_image(el: &Value) -> Option<Image> {
    let (data, files): (&Value, Vec<&Value>) = match str_at(el, "type")? {
        "image" => {
            let assets = el.get("assets").and_then(Value::as_array);
            (
                el.get("imageTypeData")?,
                assets.into_iter().flatten().collect(),
            )
        }
        "cartoon" => {
            let data = el.get("cartoonTypeData")?;
            let variants = data.get("variants").and_then(Value::as_array);
            let files = variants
                .into_iter()
                .flatten()
                .filter_map(|v| v.get("images").and_then(Value::as_array))
                .flatten()
                .collect();
            (data, files)
        }
        _ => return None,
    };
    let width = |f: &&Value| {
        f.get("width")
            .or_else(|| f.pointer("/typeData/width"))
            .and_then(|w| {
                w.as_f64()
                    .or_else(|| w.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(0.0)
    };
    let largest = files
        .iter()
        .filter(|f| str_at(f, "file").is_some())
        .max_by(|a, b| width(a).total_cmp(&width(b)));
    let text = |k: &str| str_at(data, k).map(plain).filter(|s| !s.is_empty());
    let credit = if explicitly_false(data.get("displayCredit")) {
        None
    } else {
        text("credit")
    };
    Some(Image {
        url: largest.and_then(|f| str_at(f, "file")).map(sanitize),
        caption: text("caption"),
        credit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_body_blocks_are_read_once() {
        let b1 = serde_json::json!({"id": "b1", "bodyTextSummary": "one"});
        let b2 = serde_json::json!({"id": "b2", "bodyTextSummary": "two"});
        let v = serde_json::json!({"response": {"content": {"blocks": {"requestedBodyBlocks": {
            "body:latest:2": [b2, b1], "body:oldest:1": [b1]}}}}});
        let ids: Vec<String> = parse(&v)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, ["b2", "b1"]);
    }

    #[test]
    fn profile_tags_become_names() {
        assert_eq!(name_from_tag("profile/jane-doe"), "Jane Doe");
    }

    #[test]
    fn largest_asset_wins_and_ended_flag_is_read() {
        let v = serde_json::json!({"response": {"content": {
            "webTitle": "Blog", "webUrl": "https://g.example/blog",
            "fields": {"liveBloggingNow": "false"},
            "blocks": {"body": [{"id": "b1", "bodyHtml": "", "bodyTextSummary": "Words here",
                "createdBy": {"firstName": "Jane", "lastName": "Doe"},
                "contributors": ["profile/other-person"],
                "elements": [{"type": "image", "imageTypeData": {"caption": "Cap", "credit": "Cred"},
                    "assets": [
                        {"file": "https://i.example/small.jpg", "typeData": {"width": 500}},
                        {"file": "https://i.example/big.jpg", "typeData": {"width": "2000"}},
                        {"file": "https://i.example/mid.jpg", "typeData": {"width": 1000}}]}]}]}
        }}});
        let s = parse(&v).unwrap();
        assert!(s.ended);
        let e = &s.entries[0];
        assert_eq!(e.text, "Words here");
        assert_eq!(e.authors, vec!["Jane Doe"]);
        assert_eq!(
            e.url.as_deref(),
            Some("https://g.example/blog?page=with:block-b1#block-b1")
        );
        assert_eq!(
            e.images[0].url.as_deref(),
            Some("https://i.example/big.jpg")
        );
        assert_eq!(e.images[0].credit.as_deref(), Some("Cred"));
    }
}
