//! Format detection and dispatch: bytes in, one [`Snapshot`] out.
//!
//! Formats are detected from the content only (never the URL or file name): after an
//! optional UTF-8 byte order mark, a `{` or `[` means JSON, `<?xml`, `<rss`, `<feed` or
//! `<rdf` mean an XML feed, anything else starting with `<` is read as HTML. Each format lives
//! in its own file under `format/` and produces the same normalized entry type; the shared
//! helpers here (dates, identity) keep ids stable across polls for every format.

use crate::entry::{Entry, Snapshot};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

mod escaped;
pub mod guardian;
pub mod html;
pub mod jsonfeed;
pub mod jsonld;
pub mod lenient;
pub mod mapping;
pub mod microdata;
mod reader;
pub mod reddit;
pub mod split;
pub mod syndication;
pub mod wordpress;

pub use reader::{Made, RUN, Reader, Ready};

/// Why a document could not be read as a live blog.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    /// Parsed, but no live blog in it. The message says what was looked for and found.
    #[error("{0}")]
    NotALiveBlog(String),
    /// The document is broken (truncated JSON, not UTF-8, ...).
    #[error("{0}")]
    Invalid(String),
    /// An HTML page without a live blog that links to a JSON Feed (`href` as written, not
    /// resolved); the caller resolves it against the page URL and follows it.
    #[error("the page links to a JSON Feed: {0}")]
    FeedLink(String),
}

/// Detect the format of `bytes` and parse it.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    parse_previewing(bytes, None)
}

/// [`parse`], handing `preview` the headlines first when the format can read them apart
/// from the bodies and the document is big (see [`jsonfeed::PREVIEW_FROM`]).
pub fn parse_previewing(
    bytes: &[u8],
    preview: Option<&mut dyn FnMut(Snapshot)>,
) -> Result<Snapshot, FormatError> {
    let body = &bytes[body_start(bytes)..];
    match body.first() {
        Some(b'{' | b'[') => parse_json(body, preview),
        Some(b'<') if is_xml(body) => parse_xml(body),
        Some(b'<') => html::parse(&String::from_utf8_lossy(body)),
        Some(_) => Err(FormatError::Invalid(
            "not a feed: the document is neither JSON, XML nor HTML".into(),
        )),
        None => Err(FormatError::Invalid("the document is empty".into())),
    }
}

/// Where a document proper starts: after a UTF-8 byte order mark and white space.
pub(crate) fn body_start(bytes: &[u8]) -> usize {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    bytes[bom..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(bytes.len(), |i| bom + i)
}

/// Parse a JSON document through a source's mapping (no detection).
pub fn parse_mapped(bytes: &[u8], m: &mapping::Mapping) -> Result<Snapshot, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| FormatError::Invalid(format!("broken JSON: {e}")))?;
    mapping::parse(&value, m)
}

fn parse_json(
    bytes: &[u8],
    preview: Option<&mut dyn FnMut(Snapshot)>,
) -> Result<Snapshot, FormatError> {
    if let Some(snapshot) = jsonfeed::parse_previewing(bytes, preview)? {
        return Ok(snapshot);
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| FormatError::Invalid(format!("broken JSON: {e}")))?;
    let mut found = Vec::new();
    if let Some(snapshot) = jsonld::from_values(std::slice::from_ref(&value), &mut found) {
        return Ok(snapshot);
    }
    if guardian::detect(&value) {
        return guardian::parse(&value);
    }
    if reddit::detect(&value) {
        return reddit::parse(&value);
    }
    if wordpress::detect(&value) {
        return wordpress::parse(&value);
    }
    Err(FormatError::NotALiveBlog(not_found_message(
        "JSON document",
        "a JSON Feed (version + items), a JSON-LD LiveBlogPosting, a Guardian Content API \
         response, WordPress live blog entries or a Reddit live thread",
        &found,
    )))
}

/// Whether an angle-bracket document is an XML feed rather than an HTML page. XHTML pages
/// also start with `<?xml`, so an `<html` near the top wins.
pub(crate) fn is_xml(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<html") {
        return false;
    }
    ["<?xml", "<rss", "<feed", "<rdf"]
        .iter()
        .any(|p| head.starts_with(p))
}

fn parse_xml(bytes: &[u8]) -> Result<Snapshot, FormatError> {
    if syndication::detect(bytes) {
        return syndication::parse(bytes);
    }
    Err(FormatError::NotALiveBlog(
        "this XML document is neither an RSS nor an Atom feed".into(),
    ))
}

/// The message for a document without a live blog: what was looked for, what was found.
pub(crate) fn not_found_message(what: &str, looked_for: &str, found: &[String]) -> String {
    let mut msg = format!("no live blog in this {what}: looked for {looked_for}");
    if found.is_empty() {
        msg.push_str("; found nothing of the sort");
    } else {
        msg.push_str("; found ");
        msg.push_str(&found.join(", "));
    }
    msg
}

/// Parse a feed time: RFC 3339 (fractional seconds, `+0000` offsets, `Z`), RFC 2822, or a
/// time without offset (taken as UTC).
pub fn parse_time(s: &str) -> Option<Timestamp> {
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
    if s.contains('&') {
        let decoded = crate::text::plain(s);
        if decoded != s {
            return parse_time(&decoded);
        }
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    None
}

/// A stable key from an entry's content, for entries whose source gives no usable id.
pub fn content_key(time: Option<Timestamp>, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    if let Some(t) = time {
        h.update(t.as_second().to_string());
    }
    for p in parts {
        h.update([0u8]);
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("key:{hex}")
}

/// The first `n` words of `text`.
pub(crate) fn first_words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Give content keys to entries that have no id yet: the time plus the headline (or the
/// first words of the text); entries that would share a key also hash their first words.
pub(crate) fn fill_missing_ids(entries: &mut [Entry]) {
    let base = |e: &Entry| {
        let lead = if e.title.is_empty() {
            first_words(&e.text, 12)
        } else {
            e.title.clone()
        };
        content_key(e.time(), &[&lead])
    };
    let keys: Vec<Option<String>> = entries
        .iter()
        .map(|e| e.id.is_empty().then(|| base(e)))
        .collect();
    // How many entries share each key, counted once.
    let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for key in keys.iter().flatten() {
        *count.entry(key.as_str()).or_default() += 1;
    }
    for (i, e) in entries.iter_mut().enumerate() {
        let Some(key) = &keys[i] else { continue };
        let shared = count.get(key.as_str()).copied().unwrap_or(0) > 1;
        e.id = if shared {
            content_key(e.time(), &[&e.title, &first_words(&e.text, 12)])
        } else {
            key.clone()
        };
    }
}

/// Turn a body that may be HTML, entity-encoded HTML or plain text into entry text.
pub(crate) fn body_text(s: &str) -> crate::text::HtmlText {
    use crate::text::looks_like_html;
    if looks_like_html(s) {
        return crate::text::html_to_text(s);
    }
    let decoded = crate::text::decode_entities(s);
    if looks_like_html(&decoded) {
        return crate::text::html_to_text(&decoded);
    }
    crate::text::HtmlText {
        text: crate::text::paragraphs(&decoded),
        ..Default::default()
    }
}

/// The identity an update's URL gives: its fragment (`#live-123`) when it has one, so a
/// renamed page slug keeps the ids; else the whole URL.
pub(crate) fn url_identity(url: &str) -> String {
    // Made in one allocation, and sanitized without a copy when clean (nearly always).
    let id = match url.split_once('#') {
        Some((_, frag)) if !frag.trim().is_empty() => {
            let frag = frag.trim();
            let mut id = String::with_capacity(frag.len() + 1);
            id.push('#');
            id.push_str(frag);
            id
        }
        _ => url.trim().to_string(),
    };
    match crate::text::sanitize_cow(&id) {
        std::borrow::Cow::Owned(clean) => clean,
        std::borrow::Cow::Borrowed(_) => id,
    }
}

/// A URL from JSON inside a page: trimmed, `&amp;` decoded (script text is not decoded by
/// the HTML parser, yet some sites escape it anyway), sanitized.
pub(crate) fn clean_url(url: &str) -> String {
    let url = url.trim();
    if url.contains("&amp;") {
        crate::text::sanitize(&crate::text::decode_entities(url))
    } else {
        crate::text::sanitize(url)
    }
}

/// Whether the fragments of the entries' URLs are positions counted from the top of the
/// page (`#post1`, `#post2`, ... in document order), which change when an update is added.
pub(crate) fn positional_fragments<'a>(urls: impl IntoIterator<Item = Option<&'a str>>) -> bool {
    // The number the next fragment must end in; none before the first.
    let mut next = None;
    for url in urls {
        let Some(n) = url.and_then(fragment_number) else {
            return false;
        };
        match next {
            None if n <= 1 => {}
            Some(want) if n == want => {}
            _ => return false,
        }
        // At most one more than the updates so far: no overflow.
        next = Some(n + 1);
    }
    next.is_some()
}

/// The number a URL's fragment ends in, when digits alone end it (`#post12`: 12).
pub(crate) fn fragment_number(url: &str) -> Option<u64> {
    let frag = url.split_once('#')?.1;
    let digits = frag.trim_start_matches(|c: char| !c.is_ascii_digit());
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Option<Timestamp> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn times_in_every_shape() {
        assert_eq!(
            parse_time("2023-05-15T11:50:54+0000"),
            ts("2023-05-15T11:50:54Z")
        );
        assert_eq!(
            parse_time("2023-11-02T21:06:52&#x2B;05:30"),
            ts("2023-11-02T15:36:52Z")
        );
        assert_eq!(
            parse_time("2019-10-12T07:20:50.52Z"),
            ts("2019-10-12T07:20:50.52Z")
        );
        assert_eq!(
            parse_time("Fri, 31 May 2019 12:17:58 -0700"),
            ts("2019-05-31T19:17:58Z")
        );
        assert_eq!(
            parse_time(" 2020-01-01T00:00:00 "),
            ts("2020-01-01T00:00:00Z")
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn position_fragments_are_detected() {
        let page = |f: &str| Some(format!("https://x/live#{f}"));
        let urls: Vec<_> = ["post1", "post2", "post3"].map(page).to_vec();
        let refs: Vec<_> = urls.iter().map(|u| u.as_deref()).collect();
        assert!(positional_fragments(refs.iter().copied()));
        let urls: Vec<_> = ["80", "79", "78"].map(page).to_vec();
        let refs: Vec<_> = urls.iter().map(|u| u.as_deref()).collect();
        assert!(
            !positional_fragments(refs.iter().copied()),
            "counted from the bottom: stable"
        );
        let urls: Vec<_> = ["751105", "751080"].map(page).to_vec();
        let refs: Vec<_> = urls.iter().map(|u| u.as_deref()).collect();
        assert!(!positional_fragments(refs.iter().copied()));
        assert!(!positional_fragments([None, None]));
        assert!(!positional_fragments([]));
        let urls: Vec<_> = ["post1", "post3"].map(page).to_vec();
        let refs: Vec<_> = urls.iter().map(|u| u.as_deref()).collect();
        assert!(!positional_fragments(refs.iter().copied()), "a gap");
        let urls = [page("post0"), page("post1"), None];
        let refs: Vec<_> = urls.iter().map(|u| u.as_deref()).collect();
        assert!(!positional_fragments(refs.iter().copied()), "one without");
    }

    #[test]
    fn content_keys_are_stable_and_split_collisions() {
        let e = |title: &str, text: &str| Entry {
            title: title.into(),
            text: text.into(),
            published: ts("2025-01-01T00:00:00Z"),
            ..Default::default()
        };
        let mut a = vec![e("Same", "one"), e("Same", "two"), e("", "just text here")];
        let mut b = a.clone();
        fill_missing_ids(&mut a);
        fill_missing_ids(&mut b);
        assert_eq!(a, b, "deterministic");
        assert_ne!(a[0].id, a[1].id, "equal time and headline: text decides");
        assert!(a.iter().all(|e| e.id.starts_with("key:")));
        let mut kept = vec![Entry {
            id: "native".into(),
            ..e("x", "y")
        }];
        fill_missing_ids(&mut kept);
        assert_eq!(kept[0].id, "native");
    }

    #[test]
    fn detection_by_content() {
        assert!(matches!(
            parse(b"<?xml version=\"1.0\"?><rss/>"),
            Err(FormatError::NotALiveBlog(_))
        ));
        assert!(
            matches!(parse(b"\xEF\xBB\xBF  <html></html>"), Err(FormatError::NotALiveBlog(m)) if m.contains("HTML page"))
        );
        assert!(
            matches!(parse(b"[1, 2]"), Err(FormatError::NotALiveBlog(m)) if m.contains("JSON Feed"))
        );
        assert!(matches!(parse(b"{\"a\": "), Err(FormatError::Invalid(_))));
        let xhtml =
            b"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>";
        assert!(
            matches!(parse(xhtml), Err(FormatError::NotALiveBlog(m)) if m.contains("HTML page"))
        );
    }
}
