//! RSS 2.0 items and Atom entries read straight from their bytes, without feed-rs.
//!
//! feed-rs builds an owned event for every tag, text and entity of an item (a body written
//! as escaped HTML is hundreds of entities), under one allocator lock shared by the reader
//! threads: it was more than half of the time spent reading an RSS feed. Most items hold a
//! few plain elements (title, link, guid, pubDate, description, content:encoded,
//! dc:creator; for Atom id, title, link, published, updated, author, content, summary),
//! which are read here in one pass over the item's bytes.
//!
//! This reader gives exactly what feed-rs gives, or nothing: anything it does not handle
//! the way feed-rs does (another encoding, a doctype, a default namespace or `xml:base`
//! other than Atom's own on the feed, markup inside a text field, Media RSS groups and
//! thumbnails, enclosures, iTunes, a date in another shape, broken markup) returns `None`,
//! and the run of items is read by feed-rs instead.

use std::ops::Range;

use jiff::Timestamp;

use super::Item;
use crate::entry::Entry;

/// The namespaces feed-rs tells apart in an item, by URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Rss,
    Atom,
    Content,
    Dublin,
    Media,
    /// iTunes, which this reader leaves to feed-rs.
    Itunes,
    Other,
}

impl Ns {
    fn of(uri: &[u8]) -> Ns {
        match uri {
            b"http://purl.org/rss/1.0/" => Ns::Rss,
            ATOM => Ns::Atom,
            b"http://purl.org/rss/1.0/modules/content/" => Ns::Content,
            b"http://purl.org/dc/elements/1.1/" => Ns::Dublin,
            b"http://search.yahoo.com/mrss/" => Ns::Media,
            b"http://www.itunes.com/dtds/podcast-1.0.dtd" => Ns::Itunes,
            _ => Ns::Other,
        }
    }
}

const ATOM: &[u8] = b"http://www.w3.org/2005/Atom";

/// What the document's start tells of its items.
struct Doc<'a> {
    /// RSS 2.0, else Atom.
    rss: bool,
    /// The prefixes declared, with their namespaces.
    prefixes: Vec<(&'a [u8], Ns)>,
    /// An Atom feed's `xml:base`.
    base: Option<url::Url>,
}

/// Read a run of items (`run`, places in `doc`) of the document starting with `open` (for
/// RSS up to and with the `<channel>` start tag, for Atom the `<feed>` start tag). `None`
/// when any of them is not read here.
#[cfg(any(test, fuzzing))]
pub fn read_run(open: &[u8], doc: &[u8], run: &[Range<usize>]) -> Option<Vec<Entry>> {
    read_run_each(open, doc, run, |e| e)
}

/// [`read_run`], with `each` applied to every entry as soon as it is made, before the next
/// item is read (what `each` makes of the entries read before one that is not read here is
/// thrown away).
pub fn read_run_each<T>(
    open: &[u8],
    doc: &[u8],
    run: &[Range<usize>],
    each: impl Fn(Entry) -> T,
) -> Option<Vec<T>> {
    let d = document(open)?;
    run.iter()
        .map(|r| {
            let b = doc.get(r.clone())?;
            let entry = if d.rss {
                item(&d, b).map(Fields::entry)
            } else {
                atom_entry(&d, b)
            };
            entry.map(&each)
        })
        .collect()
}

/// The start of a UTF-8 RSS 2.0 or Atom document: its declaration, comments, and `<rss
/// version="2.0">` and `<channel>`, or `<feed>` in Atom's namespace, and nothing else.
fn document(open: &[u8]) -> Option<Doc<'_>> {
    let b = open.strip_prefix(b"\xef\xbb\xbf").unwrap_or(open);
    std::str::from_utf8(b).ok()?;
    let mut d = Doc {
        rss: true,
        prefixes: Vec::new(),
        base: None,
    };
    let mut names: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    loop {
        at += b[at..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        let rest = &b[at..];
        if rest.is_empty() {
            break;
        }
        if rest.starts_with(b"<?xml") && rest.get(5).is_some_and(u8::is_ascii_whitespace) {
            let end = find(rest, b"?>")?;
            if !utf8_declared(&rest[5..end]) {
                return None;
            }
            at += end + 2;
        } else if rest.starts_with(b"<!--") {
            at += 4 + find(&rest[4..], b"-->")? + 3;
        } else if rest.starts_with(b"<?") {
            at += find(rest, b"?>")? + 2;
        } else if rest.starts_with(b"<") && !rest.starts_with(b"<!") && !rest.starts_with(b"</") {
            let tag = start_tag(b, at)?;
            if tag.empty || names.len() == 2 {
                return None;
            }
            let mut version = None;
            let mut default = None;
            let attrs = attributes(tag.attrs)?;
            for &(name, value) in &attrs {
                // A value with references, an empty or reserved binding: left to feed-rs.
                if value.contains(&b'&') {
                    return None;
                } else if name == b"xmlns" {
                    default = Some(value);
                } else if name == b"xml:base" {
                    // On an Atom feed only, and an absolute URL (feed-rs fails on a broken
                    // one and passes over a relative one).
                    d.base = Some(url::Url::parse(std::str::from_utf8(value).ok()?).ok()?);
                } else if let Some(prefix) = name.strip_prefix(b"xmlns:") {
                    if value.is_empty() || prefix == b"xml" || prefix == b"xmlns" {
                        return None;
                    }
                    d.prefixes.push((prefix, Ns::of(value)));
                } else if name == b"version" {
                    version = Some(value);
                }
            }
            match (&names[..], tag.name) {
                ([], b"rss") if version == Some(&b"2.0"[..]) && default.is_none() => {}
                ([b"rss"], b"channel") if default.is_none() => {}
                ([], b"feed") if default == Some(ATOM) => d.rss = false,
                _ => return None,
            }
            if d.rss && d.base.is_some() {
                return None;
            }
            names.push(tag.name);
            at = tag.end;
        } else {
            return None;
        }
    }
    let complete = if d.rss {
        names.len() == 2
    } else {
        names.len() == 1
    };
    complete.then_some(d)
}

/// Whether an XML declaration's pseudo-attributes (after `<?xml`) name no encoding or
/// UTF-8.
fn utf8_declared(decl: &[u8]) -> bool {
    let Some(at) = find(decl, b"encoding") else {
        return true;
    };
    let rest = decl[at + 8..].trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"=") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    let Some((&quote, rest)) = rest.split_first() else {
        return false;
    };
    let Some(end) = rest.iter().position(|&c| c == quote) else {
        return false;
    };
    (quote == b'"' || quote == b'\'')
        && (rest[..end].eq_ignore_ascii_case(b"utf-8") || rest[..end].eq_ignore_ascii_case(b"utf8"))
}

/// What an item's elements gave, as feed-rs would have them.
#[derive(Debug, Default)]
struct Fields {
    title: Option<String>,
    links: Vec<String>,
    summary: Option<String>,
    content: Option<String>,
    authors: Vec<String>,
    id: String,
    published: Option<Timestamp>,
    media: Media,
}

/// The item's Media RSS elements outside a group: feed-rs's default media object.
#[derive(Debug, Default)]
struct Media {
    title: Option<String>,
    description: Option<String>,
    credits: Vec<String>,
    /// Each `media:content` with a URL: the URL (normalized) and its declared type.
    content: Vec<(String, Option<String>)>,
}

impl Fields {
    fn entry(self) -> Entry {
        let url = self.links.into_iter().next();
        // Content first, else the summary; both are HTML in RSS.
        let body = match (&self.content, &self.summary) {
            (Some(c), _) if !c.trim().is_empty() => c.as_str(),
            (_, Some(s)) => s.as_str(),
            _ => "",
        };
        let m = self.media;
        let media = if m.title.is_some() || m.description.is_some() || !m.content.is_empty() {
            let urls = m
                .content
                .into_iter()
                .filter(|(url, kind)| super::is_image(url, kind.as_deref()))
                .map(|(url, _)| url)
                .collect();
            super::images(
                m.description.as_deref().or(m.title.as_deref()),
                m.credits.first().map(String::as_str),
                urls,
            )
        } else {
            Vec::new()
        };
        let entry = super::made(Item {
            id: &self.id,
            published: self.published,
            updated: self.published,
            url,
            title: self.title.as_deref().unwrap_or(""),
            body,
            is_plain: false,
            authors: self.authors,
            media,
        });
        give_back_body([self.content, self.summary].into_iter().flatten());
        entry
    }
}

/// What follows in an element's content: a child's start tag, or the element's end tag
/// (where it ends). Whitespace, comments and processing instructions are passed over.
enum Next<'b> {
    Child(Tag<'b>),
    End(usize),
}

/// The next child of the element named `parent`, from `at` on; `None` for text, CDATA, a
/// doctype, a child declaring a namespace or base, or an end tag of another name.
fn next_child<'b>(b: &'b [u8], mut at: usize, parent: &[u8]) -> Option<Next<'b>> {
    loop {
        let lt = at + memchr::memchr(b'<', &b[at..])?;
        if !b[at..lt].iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        match markup(b, lt)? {
            Markup::Passed(end) => at = end,
            Markup::Cdata(..) => return None,
            Markup::End(name, end) => return (name == parent).then_some(Next::End(end)),
            Markup::Start(tag) => return plain_attributes(tag.attrs)?.then_some(Next::Child(tag)),
        }
    }
}

/// A child's text and where the child ends (see [`content`]); `s` is the item it is in.
fn text_of(s: &str, child: &Tag) -> Option<(Option<String>, bool, usize)> {
    text_or_body_of(s, child, false)
}

/// [`text_of`]; an entry's body (`body`) is written in the thread's buffer for bodies: it
/// is only read once, to be turned into text, and given back then (see [`give_back_body`]).
fn text_or_body_of(s: &str, child: &Tag, body: bool) -> Option<(Option<String>, bool, usize)> {
    if child.empty {
        return Some((None, false, child.end));
    }
    let buffer = if body {
        crate::scratch::take(&BODY)
    } else {
        String::new()
    };
    content(s, child.end, child.name, buffer)
}

/// An entry's bodies (content, summary) were turned into its text: the biggest buffer of
/// them serves the thread's next body.
fn give_back_body(bodies: impl Iterator<Item = String>) {
    if let Some(spare) = bodies.max_by_key(String::capacity) {
        crate::scratch::keep(&BODY, spare);
    }
}

thread_local! {
    /// A body read and no longer needed, for the thread's next body (see [`item`]): a body
    /// is about as long as the next, too long for malloc's cache of small blocks, so each
    /// would take (and free) its memory under the lock every thread shares.
    static BODY: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// The item `b` as text, checked as UTF-8 once for all its pieces, and where its start tag
/// ends; `None` unless it is UTF-8, named `name`, not empty and declares no namespace or
/// base.
fn opened<'b>(b: &'b [u8], name: &[u8]) -> Option<(&'b str, usize)> {
    let s = std::str::from_utf8(b).ok()?;
    let tag = start_tag(b, 0)?;
    (tag.name == name && !tag.empty && plain_attributes(tag.attrs)?).then_some((s, tag.end))
}

/// One `<item>…</item>`, or `None` when it is not read here.
fn item(d: &Doc, b: &[u8]) -> Option<Fields> {
    let mut f = Fields::default();
    let (s, mut at) = opened(b, b"item")?;
    loop {
        let child = match next_child(b, at, b"item")? {
            Next::Child(child) => child,
            Next::End(end) => return b[end..].iter().all(u8::is_ascii_whitespace).then_some(f),
        };
        let (ns, local) = resolve(d, child.name)?;
        if (ns, local) == (Ns::Media, &b"content"[..]) {
            at = media_content(d, s, &child, &mut f.media)?;
            continue;
        }
        let body = matches!(
            (ns, local),
            (Ns::Rss, b"description") | (Ns::Content, b"encoded")
        );
        let (text, nested, end) = text_or_body_of(s, &child, body)?;
        at = end;
        // feed-rs reads some fields with `children_as_string` (the text, even when empty)
        // and others with `child_as_text` (none for an empty element). Markup inside them
        // is left to feed-rs.
        let read = matches!(
            (ns, local),
            (
                Ns::Rss,
                b"title" | b"link" | b"description" | b"author" | b"guid" | b"pubDate"
            ) | (Ns::Dublin | Ns::Content | Ns::Media, _)
        );
        if nested && read {
            return None;
        }
        match (ns, local) {
            (Ns::Rss, b"title") => f.title = Some(trimmed(text.unwrap_or_default())),
            (Ns::Rss, b"link") => f.links.extend(text.as_deref().map(link)),
            (Ns::Rss, b"description") => {
                f.summary = Some(trimmed(text.unwrap_or_default()));
            }
            (Ns::Rss, b"author") => f
                .authors
                .extend(text.as_deref().map(|c| super::contact_name(c).to_string())),
            (Ns::Rss, b"guid") => {
                if let Some(guid) = text {
                    f.id = trimmed(guid);
                }
            }
            (Ns::Rss, b"pubDate") | (Ns::Dublin, b"date") => {
                f.published = date(text.as_deref())?;
            }
            (Ns::Rss, b"enclosure") | (Ns::Itunes, _) => return None,
            (Ns::Dublin, b"creator") => f.authors.push(trimmed(text.unwrap_or_default())),
            (Ns::Content, b"encoded") => {
                let body = text.unwrap_or_default();
                f.content = (!body.is_empty()).then_some(body);
            }
            (Ns::Media, b"title") => {
                f.media.title = Some(media_text(&child, text.unwrap_or_default())?)
            }
            (Ns::Media, b"description") => {
                f.media.description = Some(media_text(&child, text.unwrap_or_default())?);
            }
            (Ns::Media, b"credit") => f.media.credits.extend(text),
            (Ns::Media, _) => return None,
            _ => {}
        }
    }
}

/// A date element's time, as feed-rs reads it: none for an empty element; `None` (leave
/// it to feed-rs) for text that is not a date as RSS writes it (RFC 2822) or as `dc:date`
/// and many a `pubDate` do (RFC 3339). The two shapes never both read one text, so the
/// order feed-rs tries them in does not matter.
fn date(text: Option<&str>) -> Option<Option<Timestamp>> {
    match text {
        None => Some(None),
        Some(t) => rfc2822(t).or_else(|| rfc3339(t)).map(Some),
    }
}

/// A Media RSS title or description: trimmed, and only of the types feed-rs knows.
fn media_text(tag: &Tag, text: String) -> Option<String> {
    for (name, value) in attributes(tag.attrs)? {
        if name == b"type" && value != b"plain" && value != b"html" {
            return None;
        }
    }
    Some(trimmed(text))
}

/// A `media:content` element: its URL and type, and the title, description and credits
/// inside it. Returns where it ends.
fn media_content(d: &Doc, s: &str, tag: &Tag, media: &mut Media) -> Option<usize> {
    let b = s.as_bytes();
    let (mut url, mut kind) = (None, None);
    for (name, value) in attributes(tag.attrs)? {
        let v = attribute(value)?;
        match name {
            b"url" if written_as_parsed(&v) => url = Some(Some(v)),
            b"url" => url = Some(url::Url::parse(&v).ok().map(|u| u.to_string())),
            b"type" => {
                let simple = v.split_once('/').is_some_and(|(a, b)| {
                    !a.is_empty()
                        && !b.is_empty()
                        && a.bytes().all(|c| c.is_ascii_lowercase())
                        && b.bytes().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || b".+-".contains(&c)
                        })
                });
                if !simple {
                    return None;
                }
                kind = Some(v);
            }
            _ => {}
        }
    }
    let mut at = tag.end;
    if !tag.empty {
        loop {
            let child = match next_child(b, at, tag.name)? {
                Next::Child(child) => child,
                Next::End(end) => {
                    at = end;
                    break;
                }
            };
            let (ns, local) = resolve(d, child.name)?;
            let (text, nested, end) = text_of(s, &child)?;
            at = end;
            if nested && ns == Ns::Media {
                return None;
            }
            match (ns, local) {
                (Ns::Media, b"title") => {
                    let t = media_text(&child, text.unwrap_or_default())?;
                    media.title.get_or_insert(t);
                }
                (Ns::Media, b"description") => {
                    let t = media_text(&child, text.unwrap_or_default())?;
                    media.description.get_or_insert(t);
                }
                (Ns::Media, b"credit") => media.credits.extend(text),
                (Ns::Media, _) => return None,
                _ => {}
            }
        }
    }
    if let Some(Some(url)) = url {
        media.content.push((url, kind));
    }
    Some(at)
}

/// A link as feed-rs keeps it: normalized when it is an absolute URL.
fn link(href: &str) -> String {
    if written_as_parsed(href) {
        return href.to_string();
    }
    match url::Url::parse(href) {
        Ok(u) => {
            let s = String::from(u);
            if s.trim().len() == s.len() {
                s
            } else {
                s.trim().to_string()
            }
        }
        Err(_) => href.trim().to_string(),
    }
}

/// Whether `s` is an absolute web URL written exactly as the url crate writes it, so that
/// parsing it gives it back unchanged (most feeds' links; parsing each took about 5 % of
/// reading an RSS feed). Only a narrow shape is taken, and any other URL is parsed: a
/// lower-case `http://` or `https://`, a host of lower-case letters, digits and `-` in
/// dot-separated labels, the last of them letters only (so it is no IP address) and none
/// punycode, no user or port, a path that starts with `/` and has no `.` or `..`
/// segment, and no character the parser would escape, decode or drop (no `%`, quotes,
/// spaces, backslashes, brackets or `@`).
fn written_as_parsed(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(rest) = b
        .strip_prefix(b"https://")
        .or_else(|| b.strip_prefix(b"http://"))
    else {
        return false;
    };
    // One pass over the host, label by label, up to the path's `/`.
    let label = |l: &[u8]| !l.is_empty() && !l.starts_with(b"xn--");
    let (mut start, mut letters) = (0, true);
    let mut end = None;
    for (i, &c) in rest.iter().enumerate() {
        match c {
            b'a'..=b'z' => {}
            b'0'..=b'9' | b'-' => letters = false,
            b'.' if label(&rest[start..i]) => (start, letters) = (i + 1, true),
            b'/' => {
                end = Some(i);
                break;
            }
            _ => return false,
        }
    }
    let Some(end) = end else {
        return false;
    };
    if !label(&rest[start..end]) || !letters {
        return false;
    }
    // Then one over the path, its segments checked up to the query or fragment.
    let path = &rest[end..];
    let dots = |seg: &[u8]| seg == b"." || seg == b"..";
    let (mut seg, mut query) = (0, false);
    for (i, &c) in path.iter().enumerate() {
        if !PLAIN[usize::from(c)] {
            return false;
        }
        if !query && matches!(c, b'/' | b'?' | b'#') {
            if dots(&path[seg..i]) {
                return false;
            }
            seg = i + 1;
            query = c != b'/';
        }
    }
    query || !dots(&path[seg..])
}

/// The bytes a URL's path, query and fragment may hold for [`written_as_parsed`].
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let more = b"-._~/?#=&+,;:!$()*";
    let mut i = 0;
    while i < more.len() {
        t[more[i] as usize] = true;
        i += 1;
    }
    t
};

/// The namespace and local name of an element's name; `None` for a prefix the document's
/// start did not declare.
fn resolve<'n>(d: &Doc, name: &'n [u8]) -> Option<(Ns, &'n [u8])> {
    let Some(colon) = name.iter().position(|&c| c == b':') else {
        return Some((if d.rss { Ns::Rss } else { Ns::Atom }, name));
    };
    let (prefix, local) = (&name[..colon], &name[colon + 1..]);
    if local.contains(&b':') {
        return None;
    }
    let ns = d.prefixes.iter().rev().find(|(p, _)| *p == prefix)?.1;
    Some((ns, local))
}

/// What an Atom entry's elements gave, as feed-rs would have them.
#[derive(Debug, Default)]
struct AtomFields {
    id: String,
    /// Text fields: the text and whether it is plain (`type="text"`).
    title: Option<(String, bool)>,
    content: Option<(String, bool)>,
    summary: Option<(String, bool)>,
    /// Each link's URL (resolved against the feed's base) and `rel`.
    links: Vec<(String, Option<String>)>,
    authors: Vec<String>,
    published: Option<Timestamp>,
    updated: Option<Timestamp>,
}

/// One `<entry>…</entry>` of an Atom feed, or `None` when it is not read here.
fn atom_entry(d: &Doc, b: &[u8]) -> Option<Entry> {
    let mut f = AtomFields::default();
    let (s, mut at) = opened(b, b"entry")?;
    loop {
        let child = match next_child(b, at, b"entry")? {
            Next::Child(child) => child,
            Next::End(end) => {
                if !b[end..].iter().all(u8::is_ascii_whitespace) {
                    return None;
                }
                break;
            }
        };
        let (ns, local) = resolve(d, child.name)?;
        match (ns, local) {
            (Ns::Atom, b"author") => {
                let (end, name) = person(s, &child)?;
                f.authors.push(name);
                at = end;
                continue;
            }
            (Ns::Atom, b"contributor") => {
                at = person(s, &child)?.0;
                continue;
            }
            (Ns::Atom, b"link") => {
                let mut href = None;
                let mut rel = None;
                for (name, value) in attributes(child.attrs)? {
                    match name {
                        b"href" => href = Some(attribute(value)?),
                        b"rel" => rel = Some(attribute(value)?),
                        _ => {}
                    }
                }
                if let Some(href) = href {
                    f.links.push((atom_link(d, &href), rel));
                }
                at = text_of(s, &child)?.2;
                continue;
            }
            (Ns::Media, _) => return None,
            _ => {}
        }
        let body = ns == Ns::Atom && matches!(local, b"content" | b"summary");
        let (text, nested, end) = text_or_body_of(s, &child, body)?;
        at = end;
        let known = ns == Ns::Atom
            && matches!(
                local,
                b"id"
                    | b"title"
                    | b"updated"
                    | b"published"
                    | b"pubDate"
                    | b"content"
                    | b"summary"
                    | b"rights"
            );
        if nested && known {
            return None;
        }
        match (ns, local) {
            (Ns::Atom, b"id") => {
                if let Some(id) = text {
                    f.id = id;
                }
            }
            (Ns::Atom, b"updated") => {
                if let Some(t) = text {
                    f.updated = Some(rfc3339(&t)?);
                }
            }
            (Ns::Atom, b"published" | b"pubDate") => {
                if let Some(t) = text {
                    f.published = Some(rfc3339(&t)?);
                }
            }
            (Ns::Atom, b"title") => f.title = Some(atom_text(&child, text)?),
            (Ns::Atom, b"summary") => f.summary = Some(atom_text(&child, text)?),
            (Ns::Atom, b"rights") => {
                atom_text(&child, text)?;
            }
            (Ns::Atom, b"content") => {
                for (name, _) in attributes(child.attrs)? {
                    if name == b"src" {
                        return None;
                    }
                }
                f.content = Some(atom_text(&child, text)?);
            }
            _ => {}
        }
    }
    let url = f
        .links
        .iter()
        .find(|(_, rel)| rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(f.links.first())
        .map(|(href, _)| href.clone());
    let (body, is_plain) = f
        .content
        .as_ref()
        .filter(|(c, _)| !c.trim().is_empty())
        .or(f.summary.as_ref())
        .map(|(t, plain)| (t.as_str(), *plain))
        .unwrap_or(("", false));
    let entry = super::made(Item {
        id: &f.id,
        published: f.published,
        updated: f.updated,
        url,
        title: f.title.as_ref().map_or("", |(t, _)| t.as_str()),
        body,
        is_plain,
        authors: f.authors,
        media: Vec::new(),
    });
    give_back_body([f.content, f.summary].into_iter().flatten().map(|(t, _)| t));
    Some(entry)
}

/// An Atom text construct as feed-rs reads it: of type `text` (plain, the default),
/// `html`, `xhtml` or `text/html`, trimmed. `None` for any other type, which feed-rs
/// refuses.
fn atom_text(tag: &Tag, text: Option<String>) -> Option<(String, bool)> {
    let mut plain = true;
    for (name, value) in attributes(tag.attrs)? {
        if name == b"type" {
            match &attribute(value)?[..] {
                "text" => plain = true,
                "html" | "xhtml" | "text/html" => plain = false,
                _ => return None,
            }
        }
    }
    Some((trimmed(text.unwrap_or_default()), plain))
}

/// An Atom person (`author`, `contributor`): where it ends and its name as livefeed shows
/// it (see [`super::person_name`]).
fn person(s: &str, tag: &Tag) -> Option<(usize, String)> {
    let b = s.as_bytes();
    let (mut name, mut email) = (None, None);
    let mut at = tag.end;
    if tag.empty {
        return Some((at, super::person_name("unknown", None)));
    }
    loop {
        let child = match next_child(b, at, tag.name)? {
            Next::Child(child) => child,
            Next::End(end) => {
                at = end;
                break;
            }
        };
        let (text, nested, end) = text_of(s, &child)?;
        at = end;
        if nested {
            return None;
        }
        // feed-rs goes by the local name here, whatever the namespace.
        let local = child
            .name
            .rsplit(|&c| c == b':')
            .next()
            .unwrap_or(child.name);
        match local {
            b"name" if text.is_some() => name = text,
            b"email" => email = text,
            _ => {}
        }
    }
    let name = name.unwrap_or_else(|| "unknown".to_string());
    Some((at, super::person_name(&name, email.as_deref())))
}

/// An attribute's value with its references resolved; `None` where quick-xml would keep
/// it as written.
fn attribute(raw: &[u8]) -> Option<String> {
    if !predefined_only(raw) {
        return None;
    }
    let mut v = String::new();
    unescape(std::str::from_utf8(raw).ok()?, &mut v)?;
    Some(v)
}

/// An Atom link as feed-rs keeps it: resolved against the feed's base, normalized when it
/// is an absolute URL.
fn atom_link(d: &Doc, href: &str) -> String {
    if written_as_parsed(href) {
        return href.to_string();
    }
    match url::Url::parse(href) {
        Ok(u) => u.to_string(),
        Err(url::ParseError::RelativeUrlWithoutBase) => d
            .base
            .as_ref()
            .and_then(|base| base.join(href).ok())
            .map_or_else(|| href.to_string(), |u| u.to_string()),
        Err(_) => href.to_string(),
    }
    .trim()
    .to_string()
}

/// A date as Atom writes it (`2026-01-07T22:39:00Z`, `…:00.5+01:00`). `None` for any other
/// shape, which feed-rs's lenient reading may still read.
fn rfc3339(text: &str) -> Option<Timestamp> {
    let s = text.trim().as_bytes();
    let digits = |r: Range<usize>| -> Option<i32> {
        let part = s.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || s[10] != b'T'
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut at = 19;
    let mut nanos = 0;
    if s[at] == b'.' {
        let n = s[at + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=9).contains(&n) {
            return None;
        }
        nanos = digits(at + 1..at + 1 + n)? * 10i32.pow(9 - n as u32);
        at += 1 + n;
    }
    let offset = match &s[at..] {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (digits(at + 1..at + 3)?, digits(at + 4..at + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'-' {
                -(h * 3600 + m * 60)
            } else {
                h * 3600 + m * 60
            }
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let time = jiff::civil::Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    let offset = jiff::tz::Offset::from_seconds(offset).ok()?;
    offset.to_timestamp(date.to_datetime(time)).ok()
}

/// The text of an element whose start tag ends at `at`, up to its end tag: the text (with
/// CDATA sections and references resolved) before any markup inside, whether there was
/// markup inside, and where the end tag ends. The text is `None` when there was none, as
/// feed-rs has it: an element with only empty CDATA sections or comments has no text.
/// Text inside nested markup is checked the way feed-rs decodes it, not kept.
fn content(
    s: &str,
    mut at: usize,
    name: &[u8],
    mut text: String,
) -> Option<(Option<String>, bool, usize)> {
    let b = s.as_bytes();
    let mut scratch = String::new();
    // Whether any text came before the markup inside, if any (empty pieces do not count).
    let mut any = false;
    let mut open: Vec<&[u8]> = Vec::new();
    let mut nested = false;
    loop {
        let lt = at + memchr::memchr(b'<', &b[at..])?;
        let out = if nested {
            scratch.clear();
            &mut scratch
        } else {
            &mut text
        };
        if lt > at {
            // Both ends are ASCII (`>` or the item's start before, `<` after).
            unescape(s.get(at..lt)?, out)?;
            any |= !nested;
        }
        match markup(b, lt)? {
            Markup::Passed(end) => at = end,
            Markup::Cdata(raw, end) => {
                if !raw.is_empty() {
                    out.push_str(std::str::from_utf8(raw).ok()?);
                    any |= !nested;
                }
                at = end;
            }
            Markup::End(closed, end) => match open.pop() {
                Some(n) if n == closed => at = end,
                None if closed == name => return Some((any.then_some(text), nested, end)),
                _ => return None,
            },
            Markup::Start(tag) => {
                if !plain_attributes(tag.attrs)? {
                    return None;
                }
                nested = true;
                if !tag.empty {
                    open.push(tag.name);
                }
                at = tag.end;
            }
        }
    }
}

/// What starts with the `<` at `lt`.
enum Markup<'b> {
    /// A comment or a processing instruction, which ends there.
    Passed(usize),
    /// A CDATA section: its text, and where it ends.
    Cdata(&'b [u8], usize),
    /// An end tag: its name, and where it ends.
    End(&'b [u8], usize),
    Start(Tag<'b>),
}

/// The markup at `lt`; `None` for a doctype or markup that does not end or is not read
/// here.
fn markup(b: &[u8], lt: usize) -> Option<Markup<'_>> {
    let rest = &b[lt..];
    Some(if rest.starts_with(b"<![CDATA[") {
        let len = find(&rest[9..], b"]]>")?;
        Markup::Cdata(&rest[9..9 + len], lt + 9 + len + 3)
    } else if rest.starts_with(b"<!--") {
        Markup::Passed(lt + 4 + find(&rest[4..], b"-->")? + 3)
    } else if rest.starts_with(b"<?") {
        Markup::Passed(lt + find(rest, b"?>")? + 2)
    } else if rest.starts_with(b"<!") {
        return None;
    } else if rest.starts_with(b"</") {
        let (name, end) = end_tag(b, lt)?;
        Markup::End(name, end)
    } else {
        Markup::Start(start_tag(b, lt)?)
    })
}

/// `s` without white space at either end: the same string, not a copy (a body is most of
/// an item, and copying it took the allocator's lock once more).
fn trimmed(mut s: String) -> String {
    s.truncate(s.trim_end().len());
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    s
}

/// Append `raw` text with its references resolved as feed-rs resolves them: character
/// references and the five predefined entities, other named entities kept as written.
/// `None` for a reference quick-xml would reject or that this reader does not read alike.
///
/// Room for all of the text is made at once (resolving never lengthens it): escaped HTML
/// has a reference every few bytes, and appending piece by piece made a string grow a
/// step at a time. The text comes checked as UTF-8 with the rest of its item (see
/// [`opened`]).
fn unescape(raw: &str, out: &mut String) -> Option<()> {
    out.reserve(raw.len());
    let bytes = raw.as_bytes();
    let mut at = 0;
    while let Some(amp) = memchr::memchr(b'&', &bytes[at..]) {
        let amp = at + amp;
        out.push_str(&raw[at..amp]);
        let start = amp + 1;
        // The references escaped HTML is made of, first; then any other.
        let (resolved, len) = match &bytes[start..] {
            [b'l', b't', b';', ..] => ('<', 2),
            [b'g', b't', b';', ..] => ('>', 2),
            [b'a', b'm', b'p', b';', ..] => ('&', 3),
            [b'q', b'u', b'o', b't', b';', ..] => ('"', 4),
            [b'a', b'p', b'o', b's', b';', ..] => ('\'', 4),
            rest => {
                let len = rest.iter().take(40).position(|&c| c == b';')?;
                // Both ends are ASCII (`&` before, `;` after): character boundaries.
                let name = &raw[start..start + len];
                let resolved = match name.as_bytes() {
                    [b'#', b'x', hex @ ..]
                        if !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit) =>
                    {
                        code_point(hex, 16)?
                    }
                    [b'#', dec @ ..] if !dec.is_empty() && dec.iter().all(u8::is_ascii_digit) => {
                        code_point(dec, 10)?
                    }
                    [first, more @ ..]
                        if first.is_ascii_alphabetic()
                            && more.iter().all(u8::is_ascii_alphanumeric) =>
                    {
                        // Kept as written, `;` and all.
                        out.push_str(&raw[amp..start + len + 1]);
                        at = start + len + 1;
                        continue;
                    }
                    _ => return None,
                };
                (resolved, len)
            }
        };
        out.push(resolved);
        at = start + len + 1;
    }
    out.push_str(&raw[at..]);
    Some(())
}

/// Whether every reference in `raw` is a character reference or a predefined entity.
fn predefined_only(raw: &[u8]) -> bool {
    memchr::memchr_iter(b'&', raw).all(|amp| {
        let rest = &raw[amp + 1..];
        ["lt;", "gt;", "amp;", "apos;", "quot;", "#"]
            .iter()
            .any(|r| rest.starts_with(r.as_bytes()))
    })
}

/// A character reference's character; `None` for zero or no character.
fn code_point(digits: &[u8], radix: u32) -> Option<char> {
    let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()?;
    (code != 0).then(|| char::from_u32(code)).flatten()
}

/// A date as RSS writes it (`Wed, 7 Jan 2026 22:39:00 +0000`, the weekday optional and not
/// checked, as feed-rs drops it; `GMT` for the offset). `None` for any other shape, which
/// feed-rs's lenient reading may still read.
fn rfc2822(text: &str) -> Option<Timestamp> {
    let mut s = text.trim();
    if let Some(comma) = s.find(", ") {
        let day = &s[..comma];
        let known = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            .iter()
            .any(|d| day.starts_with(d) && day[3..].bytes().all(|c| c.is_ascii_lowercase()));
        if !known {
            return None;
        }
        s = &s[comma + 2..];
    }
    let [day, month, year, time, zone] = split_exact(s, ' ')?;
    let digits = |t: &str, min: usize, max: usize| {
        (min..=max).contains(&t.len()) && t.bytes().all(|c| c.is_ascii_digit())
    };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == month)? + 1;
    let [h, m, sec] = split_exact(time, ':')?;
    if !(digits(day, 1, 2) && digits(year, 4, 4) && [h, m, sec].iter().all(|t| digits(t, 2, 2))) {
        return None;
    }
    let offset = match zone.as_bytes() {
        b"GMT" => 0,
        [sign @ (b'+' | b'-'), rest @ ..]
            if rest.len() == 4 && rest.iter().all(u8::is_ascii_digit) =>
        {
            let hours: i32 = zone[1..3].parse().ok()?;
            let minutes: i32 = zone[3..5].parse().ok()?;
            if minutes > 59 || hours > 23 {
                return None;
            }
            let secs = hours * 3600 + minutes * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    let (hour, minute, second): (i8, i8, i8) =
        (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date = jiff::civil::Date::new(
        year.parse().ok()?,
        i8::try_from(month).ok()?,
        day.parse().ok()?,
    )
    .ok()?;
    let time = jiff::civil::Time::new(hour, minute, second, 0).ok()?;
    let offset = jiff::tz::Offset::from_seconds(offset).ok()?;
    offset.to_timestamp(date.to_datetime(time)).ok()
}

/// `s` split at every `sep` into exactly `N` pieces, else `None`.
fn split_exact<const N: usize>(s: &str, sep: char) -> Option<[&str; N]> {
    let mut pieces = s.split(sep);
    let mut out = [""; N];
    for slot in &mut out {
        *slot = pieces.next()?;
    }
    pieces.next().is_none().then_some(out)
}

/// A start tag at `at` (`b[at]` is `<`).
struct Tag<'b> {
    name: &'b [u8],
    attrs: &'b [u8],
    /// `<name/>`.
    empty: bool,
    /// Just past the `>`.
    end: usize,
}

fn start_tag(b: &[u8], at: usize) -> Option<Tag<'_>> {
    let body = &b[at + 1..];
    let name_len = body
        .iter()
        .position(|&c| c.is_ascii_whitespace() || c == b'/' || c == b'>')?;
    if name_len == 0 || !body[..name_len].iter().copied().all(name_byte) {
        return None;
    }
    let mut quote = None;
    let mut gt = None;
    for (i, &c) in body.iter().enumerate().skip(name_len) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => {
                gt = Some(i);
                break;
            }
            None => {}
        }
    }
    let gt = gt?;
    let empty = body[..gt].ends_with(b"/");
    let attrs_end = if empty { gt - 1 } else { gt };
    if attrs_end < name_len {
        return None;
    }
    Some(Tag {
        name: &body[..name_len],
        attrs: &body[name_len..attrs_end],
        empty,
        end: at + 1 + gt + 1,
    })
}

/// An end tag at `at` (`b[at..]` starts with `</`): its name and where it ends.
fn end_tag(b: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let body = &b[at + 2..];
    let gt = memchr::memchr(b'>', body)?;
    let name = body[..gt].trim_ascii_end();
    if name.is_empty() || !name.iter().copied().all(name_byte) {
        return None;
    }
    Some((name, at + 2 + gt + 1))
}

/// Whether a byte may be part of an element's or attribute's name here: letters, digits,
/// `-`, `_`, `.`, `:` and any byte of a non-ASCII character. (quick-xml takes a quote in
/// a name for the start of a value, for one.)
fn name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':') || c >= 0x80
}

/// A start tag's attributes as (name, raw value) pairs; `None` when they are not all
/// `name="value"` or `name='value'`, or one is given twice (quick-xml passes over the
/// second, a reader taking the last would not).
fn attributes(mut s: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    let mut out = Vec::new();
    loop {
        let trimmed = s.trim_ascii_start();
        if trimmed.is_empty() {
            return Some(out);
        }
        if trimmed.len() == s.len() && !out.is_empty() {
            return None; // no space between two attributes
        }
        let eq = trimmed.iter().position(|&c| c == b'=')?;
        let name = trimmed[..eq].trim_ascii_end();
        if name.is_empty() || !name.iter().copied().all(name_byte) {
            return None;
        }
        let rest = trimmed[eq + 1..].trim_ascii_start();
        let (&quote, rest) = rest.split_first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = rest.iter().position(|&c| c == quote)?;
        let value = &rest[..end];
        if value.contains(&b'<') {
            return None;
        }
        if out.iter().any(|(n, _)| *n == name) {
            return None;
        }
        out.push((name, value));
        s = &rest[end + 1..];
    }
}

/// Whether a start tag's attributes are well formed and neither declare a namespace nor a
/// base (`None` when they are not well formed).
fn plain_attributes(attrs: &[u8]) -> Option<bool> {
    Some(
        attributes(attrs)?
            .iter()
            .all(|(name, _)| !name.starts_with(b"xmlns") && *name != b"xml:base"),
    )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const OPEN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
        xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
        xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
        xmlns:media=\"http://search.yahoo.com/mrss/\" xmlns:x=\"urn:x\">\n<channel>";
    const CLOSE: &str = "</channel></rss>";

    /// The entries of `items` read here (`None` if not) and by feed-rs.
    const ATOM_OPEN: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
        <feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:x=\"urn:x\" \
        xmlns:media=\"http://search.yahoo.com/mrss/\" xml:base=\"https://base.example/live/\">";
    const ATOM_CLOSE: &str = "</feed>";

    fn both(open: &str, items: &[String]) -> (Option<Vec<Entry>>, Result<Vec<Entry>, String>) {
        let close = if open.contains("<feed") {
            ATOM_CLOSE
        } else {
            CLOSE
        };
        let mut doc = open.to_string();
        let mut run = Vec::new();
        for i in items {
            doc.push('\n');
            run.push(doc.len()..doc.len() + i.len());
            doc.push_str(i);
        }
        doc.push_str(close);
        let doc = doc.as_bytes();
        let open = &doc[..open.len()];
        let direct = read_run(open, doc, &run);
        let feed_rs = super::super::read_run(open, doc, &run, close.as_bytes())
            .map(|read| read.iter().map(super::super::entry).collect());
        (direct, feed_rs)
    }

    fn same(items: &[String]) -> Option<Vec<Entry>> {
        same_in(OPEN, items)
    }

    fn same_in(open: &str, items: &[String]) -> Option<Vec<Entry>> {
        let (direct, feed_rs) = both(open, items);
        if let Some(direct) = &direct {
            assert_eq!(Ok(direct.clone()), feed_rs, "{items:#?}");
        }
        direct
    }

    /// [`same_in`] for items made of `parts` by `wrap`.
    fn same_from_parts(open: &str, wrap: fn(&[&str]) -> String, parts: &[Vec<String>]) {
        let items: Vec<String> = parts
            .iter()
            .map(|p| wrap(&p.iter().map(String::as_str).collect::<Vec<_>>()))
            .collect();
        same_in(open, &items);
    }

    fn item(parts: &[&str]) -> String {
        format!("<item>{}</item>", parts.concat())
    }

    #[test]
    fn a_plain_item_is_read_here_as_feed_rs_reads_it() {
        let it = item(&[
            "<title> Storm &amp; rain &#8217;here&#x2019; </title>\n",
            "<link>https://Example.org/live#update-1</link>",
            "<guid isPermaLink=\"false\"> update-1 </guid>",
            "<pubDate>Wed, 7 Jan 2026 22:39:00 +0100</pubDate>",
            "<dc:date>2026-01-07T21:39:00.5Z</dc:date>",
            "<dc:creator> Ana Ruiz </dc:creator><dc:creator>Kim</dc:creator>",
            "<author>desk@example.org (News Desk)</author>",
            "<category domain=\"x\">World <b>news</b></category><x:other><x:y/>t</x:other>",
            "<!-- a comment --><?pi here?>",
            "<description>&lt;p&gt;Short&lt;/p&gt;</description>",
            "<content:encoded><![CDATA[<p>Long <a href=\"/a\">one</a></p>]]></content:encoded>",
            "<media:content url=\"https://media.example.org/a.jpg?w=1&amp;h=2\" medium=\"image\">\
             <media:description type=\"plain\"> Crowds </media:description>\
             <media:credit>Photo: Kim</media:credit></media:content>",
        ]);
        let read = same(&[it]).expect("read here");
        let e = &read[0];
        assert_eq!(e.title, "Storm & rain \u{2019}here\u{2019}");
        assert_eq!(e.id, "update-1");
        assert_eq!(e.authors, ["Ana Ruiz", "Kim", "News Desk"]);
        assert_eq!(e.url.as_deref(), Some("https://example.org/live#update-1"));
        assert_eq!(e.images[0].caption.as_deref(), Some("Crowds"));
        assert_eq!(e.images[0].credit.as_deref(), Some("Photo: Kim"));
        assert!(e.published.is_some());
    }

    /// Bodies are written in a buffer the thread passes from one item to the next: a long
    /// body, a short one, an item without one and a CDATA body after them each read as
    /// feed-rs reads them alone, nothing of one left in the next.
    #[test]
    fn each_body_is_its_own_though_they_share_a_buffer() {
        let long = format!(
            "&lt;p&gt;{}&lt;/p&gt;",
            "Flood barriers raised. ".repeat(80)
        );
        let items = [
            item(&["<guid>a</guid><description>", &long, "</description>"]),
            item(&["<guid>b</guid><description>&lt;p&gt;Short&lt;/p&gt;</description>"]),
            item(&["<guid>c</guid><title>No body</title>"]),
            item(&["<guid>d</guid><content:encoded><![CDATA[<p>Kept</p>]]></content:encoded>"]),
            item(&["<guid>e</guid><description></description>"]),
        ];
        let read = same(&items).expect("read here");
        let texts: Vec<&str> = read.iter().map(|e| e.text.as_str()).collect();
        assert!(texts[0].starts_with("Flood barriers raised."), "{texts:?}");
        assert_eq!(texts[1..], ["Short", "", "Kept", ""]);
        // Alone, each reads the same.
        for (it, e) in items.iter().zip(&read) {
            assert_eq!(same(std::slice::from_ref(it)).expect("read here")[0], *e);
        }
    }

    /// The same in Atom: content and summary share the thread's buffer for bodies.
    #[test]
    fn each_atom_body_is_its_own_though_they_share_a_buffer() {
        let long = format!("&lt;p&gt;{}&lt;/p&gt;", "Roads closed. ".repeat(120));
        let entries = [
            entry(&["<id>a</id><content type=\"html\">", &long, "</content>"]),
            entry(&["<id>b</id><summary>Short</summary>"]),
            entry(&["<id>c</id><title>No body</title>"]),
            entry(&[
                "<id>d</id><summary>Sum</summary><content type=\"html\">&lt;p&gt;Both&lt;/p&gt;</content>",
            ]),
        ];
        let read = same_in(ATOM_OPEN, &entries).expect("read here");
        let texts: Vec<&str> = read.iter().map(|e| e.text.as_str()).collect();
        assert!(texts[0].starts_with("Roads closed."), "{texts:?}");
        assert_eq!(texts[1..], ["Short", "", "Both"]);
        for (it, e) in entries.iter().zip(&read) {
            assert_eq!(
                same_in(ATOM_OPEN, std::slice::from_ref(it)).expect("read here")[0],
                *e
            );
        }
    }

    /// Dates of RSS's shape with a piece too many or too few are not read here as dates.
    #[test]
    fn a_date_has_exactly_its_pieces() {
        for (date, read) in [
            ("Wed, 7 Jan 2026 22:39:00 +0100", true),
            ("7 Jan 2026 22:39:00 GMT", true),
            ("Wed, 7 Jan 2026 22:39 +0100", false),
            ("Wed, 7 Jan 2026 22:39:00:01 +0100", false),
            ("Wed, 7 Jan 2026 22:39:00 +0100 x", false),
            ("Wed, 7 Jan 22:39:00 +0100", false),
            ("Wed, 7  Jan 2026 22:39:00 +0100", false),
        ] {
            assert_eq!(rfc2822(date).is_some(), read, "{date:?}");
        }
        assert_eq!(split_exact::<2>("a:b", ':'), Some(["a", "b"]));
        assert_eq!(split_exact::<2>("a", ':'), None);
        assert_eq!(split_exact::<2>("a:b:c", ':'), None);
        assert_eq!(split_exact::<3>("::", ':'), Some(["", "", ""]));
    }

    #[test]
    fn trimmed_is_str_trim_without_a_copy() {
        for s in ["", " ", "x", "  a b \n", "\u{a0}é\u{2003}", "\t\r\n", "a  "] {
            let owned = String::from(s);
            assert_eq!(trimmed(owned), s.trim(), "{s:?}");
        }
        let body = String::from("<p>body</p>");
        let at = body.as_ptr();
        let kept = trimmed(body);
        assert_eq!(kept.as_ptr(), at, "the same string");
    }

    #[test]
    fn what_is_not_read_here_is_left_to_feed_rs() {
        for part in [
            "<title>A <b>bold</b> one</title>",
            "<pubDate>Wed, 7 Jan 2026 9:39:00 GMT</pubDate>",
            "<pubDate>2026-01-07T22:39:00+0100</pubDate>",
            "<enclosure url=\"https://x.example/a.mp3\" type=\"audio/mpeg\"/>",
            "<media:thumbnail url=\"https://x.example/t.jpg\"/>",
            "<media:group><media:content url=\"https://x.example/g.jpg\"/></media:group>",
            "<media:content url=\"https://x.example/a.jpg\" type=\"Image/JPEG\"/>",
            "<title>Cut</titel>",
            "<title>a &nbsp b</title>",
            "<title>&#0;</title>",
            "<guid xmlns:g=\"urn:g\">g</guid>",
            "<y:title>undeclared</y:title>",
            "text beside the elements",
        ] {
            assert_eq!(both(OPEN, &[item(&[part])]).0, None, "{part}");
        }
        let latin1 = OPEN.replace("UTF-8", "ISO-8859-1");
        assert_eq!(both(&latin1, &[item(&["<title>T</title>"])]).0, None);
        let atom_default = OPEN.replace(
            "<channel>",
            "<channel xmlns=\"http://www.w3.org/2005/Atom\">",
        );
        assert_eq!(both(&atom_default, &[item(&["<title>T</title>"])]).0, None);
        let old = OPEN.replace("version=\"2.0\"", "version=\"0.91\"");
        assert_eq!(both(&old, &[item(&["<title>T</title>"])]).0, None);
    }

    #[test]
    fn an_rss_author_is_named_by_its_address() {
        for (contact, name) in [
            ("jane@example.org (Jane Roe)", "Jane Roe"),
            ("Jane Roe &lt;jane@example.org&gt;", "Jane Roe"),
            ("desk@example.org", "desk@example.org"),
        ] {
            let it = item(&["<guid>a</guid><author>", contact, "</author>"]);
            let read = same(std::slice::from_ref(&it)).expect("read here");
            assert_eq!(read[0].authors, [name]);
            // feed-rs's reading, alone, names it the same.
            let (_, feed_rs) = both(
                OPEN,
                &[it.replace("<guid>a</guid>", "<guid>a</guid><enclosure url=\"x\"/>")],
            );
            assert_eq!(feed_rs.unwrap()[0].authors, [name]);
        }
    }

    /// Text of an element, in the shapes feeds write it and a few they should not.
    fn text() -> impl Strategy<Value = String> + Clone {
        prop_oneof![
            Just(String::new()),
            Just(" ".to_string()),
            "[a-zA-Z <>&;é\u{2019}]{0,12}"
                .prop_map(|s| s.replace('&', "&amp;").replace('<', "&lt;")),
            Just("a &lt;b&gt; &quot;c&quot; &apos;d&apos; &#233;&#xe9;".to_string()),
            Just("<![CDATA[<p>x & y</p>]]>".to_string()),
            Just("<![CDATA[]]>".to_string()),
            Just("a<!-- c -->b".to_string()),
            Just("&unknown; x".to_string()),
            Just("x <i>y</i> z".to_string()),
        ]
    }

    /// Pieces of items, in the shapes feeds write them and a few they should not.
    fn part() -> impl Strategy<Value = String> {
        let text = text();
        let date = prop_oneof![
            Just("Wed, 7 Jan 2026 22:39:00 +0000"),
            Just(" Tue, 14 May 2024 16:05:09 GMT "),
            Just("14 May 2024 16:05:09 -0230"),
            Just("Thursday, 13 Jul 2011 07:38:00 +0000"),
            Just("Wed, 31 Feb 2026 22:39:00 +0000"),
            Just("Wed, 7 Jan 2026 24:39:00 +0000"),
            Just("2024-05-14T16:05:09Z"),
            Just(" 2024-05-14T16:05:09.25-02:30 "),
            Just("2024-05-14T16:05:09+0200"),
            Just("2024-05-14"),
            Just("soon"),
            Just(""),
        ];
        let link = prop_oneof![
            Just("https://example.org/a b"),
            Just(" https://EXAMPLE.org/x?y=1&amp;z=2 "),
            Just("/relative"),
            Just(""),
        ];
        let media = prop_oneof![
            Just("<media:content url=\"https://m.example/p.jpg\"/>"),
            Just("<media:content url=\"https://m.example/p\" type=\"image/png\"></media:content>"),
            Just("<media:content url=\"https://m.example/v.mp4\" type=\"video/mp4\"/>"),
            Just("<media:content url=\"rel.jpg\"><media:title>T</media:title></media:content>"),
            Just(
                "<media:content url=\"https://m.example/q.png\" width=\"x\"><media:credit> C </media:credit><media:description type=\"html\">&lt;b&gt;D&lt;/b&gt;</media:description></media:content>"
            ),
            Just("<media:description>Item level</media:description>"),
            Just("<media:title></media:title>"),
            Just("<media:credit>Desk</media:credit>"),
        ];
        prop_oneof![
            text.clone().prop_map(|t| format!("<title>{t}</title>")),
            text.clone()
                .prop_map(|t| format!("<description>{t}</description>")),
            text.clone()
                .prop_map(|t| format!("<content:encoded>{t}</content:encoded>")),
            text.clone()
                .prop_map(|t| format!("<dc:creator>{t}</dc:creator>")),
            text.clone().prop_map(|t| format!("<author>{t}</author>")),
            text.clone().prop_map(|t| format!("<guid>{t}</guid>")),
            text.clone()
                .prop_map(|t| format!("<category>{t}</category>")),
            text.prop_map(|t| format!("<x:note a='1'>{t}</x:note>")),
            date.clone().prop_map(|d| format!("<pubDate>{d}</pubDate>")),
            date.prop_map(|d| format!("<dc:date>{d}</dc:date>")),
            link.prop_map(|l| format!("<link>{l}</link>")),
            media.prop_map(str::to_string),
            Just("<title/>".to_string()),
            Just("<guid/>".to_string()),
            Just("<!-- between -->".to_string()),
        ]
    }

    fn entry(parts: &[&str]) -> String {
        format!("<entry>{}</entry>", parts.concat())
    }

    #[test]
    fn a_plain_atom_entry_is_read_here_as_feed_rs_reads_it() {
        let it = entry(&[
            "<id> urn:e1 </id><title type=\"html\"> Storm &amp;amp; rain </title>",
            "<link rel=\"self\" href=\"https://x.example/self\"/>",
            "<link href=\"entry-1\"/><link rel=\"alternate\" href=\"other\"/>",
            "<published>2026-01-07T22:39:00Z</published>",
            "<updated>2026-01-07T23:39:00.250+01:00</updated>",
            "<author><name> Kim </name><email>k@x.example</email></author>",
            "<author><email>desk@x.example</email></author><author><uri>u</uri></author>",
            "<contributor><name>C</name></contributor><category term=\"t\"/>",
            "<x:other><x:y>z</x:y></x:other><source><id>s</id><title>S</title></source>",
            "<summary>Short</summary>",
            "<content type=\"html\">&lt;p&gt;Long &lt;a href=\"/a\"&gt;one&lt;/a&gt;&lt;/p&gt;</content>",
        ]);
        let read = same_in(ATOM_OPEN, &[it]).expect("read here");
        let e = &read[0];
        assert_eq!(e.id, " urn:e1 ", "kept as written, as feed-rs keeps it");
        assert_eq!(e.url.as_deref(), Some("https://base.example/live/entry-1"));
        assert_eq!(e.authors, ["Kim", "desk@x.example"]);
        assert!(e.published.is_some() && e.updated.is_some());
    }

    #[test]
    fn what_is_not_read_here_in_atom_is_left_to_feed_rs() {
        for part in [
            "<title type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">x</div></title>",
            "<title type=\"other\">x</title>",
            "<content src=\"https://x.example/c\"/>",
            "<content type=\"image/png\">x</content>",
            "<updated>2026-01-07 22:39:00Z</updated>",
            "<updated>2026-01-07T22:39:00+0100</updated>",
            "<media:thumbnail url=\"https://x.example/t.jpg\"/>",
            "<author><name>A <b>B</b></name></author>",
            "<link href=\"a&nbsp;b\"/>",
            "<link href=\"first\" href=\"second\"/>",
            "<summary\"/>S</summary>",
            "<summary a\"b=\"c\">S</summary>",
        ] {
            assert_eq!(both(ATOM_OPEN, &[entry(&[part])]).0, None, "{part}");
        }
        let no_ns = ATOM_OPEN.replace("xmlns=\"http://www.w3.org/2005/Atom\"", "");
        assert_eq!(both(&no_ns, &[entry(&["<id>1</id>"])]).0, None);
        let bad_base = ATOM_OPEN.replace("https://base.example/live/", "relative/");
        assert_eq!(both(&bad_base, &[entry(&["<id>1</id>"])]).0, None);
    }

    /// Pieces of Atom entries.
    fn atom_part() -> impl Strategy<Value = String> {
        let text = text();
        let kind = prop_oneof![
            Just(""),
            Just(" type=\"text\""),
            Just(" type=\"html\""),
            Just(" type=\"text/html\""),
            Just(" type=\"xhtml\""),
        ];
        let date = prop_oneof![
            Just("2026-01-07T22:39:00Z"),
            Just(" 2024-05-14T16:05:09.123456789-02:30 "),
            Just("2024-05-14T16:05:09.5+00:00"),
            Just("2024-02-30T16:05:09Z"),
            Just("2024-05-14"),
            Just("Tue, 14 May 2024 16:05:09 GMT"),
            Just(""),
        ];
        let link = prop_oneof![
            Just("<link href=\"https://Example.org/a b\"/>"),
            Just("<link rel=\"self\" href=\"/self\"/>"),
            Just("<link rel=\"alternate\" href=\"../up?x=1&amp;y=2\"></link>"),
            Just("<link href=\"\"/>"),
            Just("<link rel=\"enclosure\"/>"),
        ];
        let person = prop_oneof![
            Just("<author><name>Ana</name></author>"),
            Just("<author><name></name><email>e@x.example</email></author>"),
            Just("<author><email>Desk &lt;d@x.example&gt;</email></author>"),
            Just("<author><uri>https://x.example/u</uri></author>"),
            Just("<author/>"),
            Just("<author><x:name>X</x:name></author>"),
            Just("<contributor><name>C</name></contributor>"),
        ];
        prop_oneof![
            text.clone().prop_map(|t| format!("<id>{t}</id>")),
            (kind.clone(), text.clone()).prop_map(|(k, t)| format!("<title{k}>{t}</title>")),
            (kind.clone(), text.clone()).prop_map(|(k, t)| format!("<summary{k}>{t}</summary>")),
            (kind.clone(), text.clone()).prop_map(|(k, t)| format!("<content{k}>{t}</content>")),
            (kind, text.clone()).prop_map(|(k, t)| format!("<rights{k}>{t}</rights>")),
            text.prop_map(|t| format!("<x:note>{t}</x:note>")),
            date.clone().prop_map(|d| format!("<updated>{d}</updated>")),
            date.prop_map(|d| format!("<published>{d}</published>")),
            link.prop_map(str::to_string),
            person.prop_map(str::to_string),
            Just("<category term=\"a\"/>".to_string()),
            Just("<id/>".to_string()),
        ]
    }

    #[test]
    fn feed_links_are_taken_as_written() {
        for url in [
            "https://news.example.org/live/2026/jan/01/world-news-live#update-100999",
            "http://x.test/",
            "https://www.theguardian.com/world/live/2023/may/15/a-b?page=with:block-1#block-2",
            "https://a-b.c9.example/p//q/file.html?x=1&y=a,b;c",
        ] {
            assert!(written_as_parsed(url), "{url}");
            assert_eq!(link(url), url);
        }
        for url in [
            "https://news.example.org",
            "HTTPS://x.test/",
            "https://X.test/",
            "https://x.test:443/",
            "https://127.0.0.1/",
            "https://x.test/a/../b",
            "https://x.test/a b",
            "https://x.test/%7e",
            "https://user@x.test/",
            "https://xn--p1ai.test/",
            " https://x.test/",
            "/relative",
        ] {
            assert!(!written_as_parsed(url), "{url}");
        }
    }

    /// The shape [`written_as_parsed`] takes, as first written: clear, and slow.
    fn written_as_parsed_slowly(s: &str) -> bool {
        let Some(rest) = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
        else {
            return false;
        };
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (host, path) = rest.split_at(host_end);
        let label = |l: &str| {
            !l.is_empty()
                && !l.starts_with("xn--")
                && l.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        };
        let last_letters = host
            .rsplit('.')
            .next()
            .is_some_and(|l| l.bytes().all(|c| c.is_ascii_lowercase()));
        let plain = |c: u8| c.is_ascii_alphanumeric() || b"-._~/?#=&+,;:!$()*".contains(&c);
        let before_query = &path[..path.find(['?', '#']).unwrap_or(path.len())];
        host.split('.').all(label)
            && last_letters
            && path.starts_with('/')
            && path.bytes().all(plain)
            && !before_query.split('/').any(|seg| seg == "." || seg == "..")
    }

    /// One of `good` mostly, now and then one of `bad`.
    fn url_part(
        good: &'static [&'static str],
        bad: &'static [&'static str],
    ) -> BoxedStrategy<&'static str> {
        prop_oneof![6 => prop::sample::select(good), 1 => prop::sample::select(bad)].boxed()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// A URL taken as written is what the url crate makes of it.
        #[test]
        fn urls_taken_as_written_parse_to_themselves(
            scheme in url_part(&["https://", "http://"], &["HTTP://", "ftp://", ""]),
            host in prop::collection::vec(
                url_part(&["a", "news", "org", "b-c", "x9"], &["1", "0x7f", "xn--p1ai", "EX", "", "é"]),
                1..4,
            ),
            port in url_part(&[""], &[":80", ":443", ":8080"]),
            path in prop::collection::vec(
                url_part(&["", "a", "A", "b.html", "~u", ":", "x=1", "!$()*+,;"], &[".", "..", "%2e", "%41", "x y", "'", "@", "\\", "[", "é", "\t"]),
                0..5,
            ),
            query in url_part(&["", "?", "?q=1&b=x"], &["?a='b'", "?c=<d>", "?e=\"f\"", "?g=%zz"]),
            fragment in url_part(&["", "#", "#x", "#c?d"], &["#a b", "#`", "#%41"]),
        ) {
            let s = format!("{scheme}{}{port}/{}{query}{fragment}", host.join("."), path.join("/"));
            prop_assert_eq!(written_as_parsed(&s), written_as_parsed_slowly(&s), "{}", s);
            let cut = &s[..s.floor_char_boundary(s.len() * 2 / 3)];
            prop_assert_eq!(written_as_parsed(cut), written_as_parsed_slowly(cut), "{}", cut);
            if written_as_parsed(&s) {
                prop_assert_eq!(url::Url::parse(&s).map(String::from), Ok(s.clone()));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever RSS item is read here is what feed-rs reads.
        #[test]
        fn read_here_as_feed_rs_reads(items in prop::collection::vec(prop::collection::vec(part(), 0..8), 1..4)) {
            same_from_parts(OPEN, item, &items);
        }

        /// Whatever Atom entry is read here is what feed-rs reads.
        #[test]
        fn atom_read_here_as_feed_rs_reads(entries in prop::collection::vec(prop::collection::vec(atom_part(), 0..8), 1..4)) {
            same_from_parts(ATOM_OPEN, entry, &entries);
        }
    }
}
