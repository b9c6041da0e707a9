//! Where each item of an RSS 2.0 or Atom document is, found without parsing it.
//!
//! feed-rs reads a whole document into its own model before livefeed sees the first
//! entry: for 10,000 items that model, the document and the entries made from it are all
//! held at once, and only one core works. Cut at its items, the document is read one item
//! at a time, each in an envelope of the document's own start (its declaration and root
//! element, so its encoding and namespaces hold) and the matching end tags, every core
//! taking items in turn; what lies between the items is read apart for the feed's title
//! and links.

use std::ops::Range;

/// A document cut at its items.
#[derive(Debug, PartialEq, Eq)]
pub struct Cut {
    /// The document up to the items' parent element's start tag, included.
    pub open: Range<usize>,
    /// The end tags that close what `open` opened.
    pub close: &'static [u8],
    /// Each item, from its start tag to its end tag.
    pub items: Vec<Range<usize>>,
}

impl Cut {
    /// Everything but the items, in order: the feed without its entries.
    pub fn rest(&self, doc: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut at = 0;
        for item in &self.items {
            out.extend_from_slice(&doc[at..item.start]);
            at = item.end;
        }
        out.extend_from_slice(&doc[at..]);
        out
    }
}

/// Where the items of a document start, once its first tags are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    /// The end of the items' parent element's start tag.
    pub end: usize,
    /// The end tags that close what the document opened up to `end`.
    pub close: &'static [u8],
    /// The name of the items' element.
    pub item: &'static [u8],
}

/// What the start of a document says of it.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<T> {
    Yes(T),
    /// Not known from these bytes: more of the document is needed.
    More,
    /// Not a document that can be cut at its items.
    No,
}

/// Where the items of `doc` (the document or its first bytes) start, if it is RSS 2.0
/// (`<rss>` holding a `<channel>`) or Atom (a `<feed>` without a prefix) in an encoding
/// where `<` and `>` are single ASCII bytes.
pub fn open(doc: &[u8]) -> Found<Open> {
    // UTF-16 or UTF-32: a byte order mark, or a zero byte within the first character or two
    // (a stray zero byte further on does not make a document UTF-16).
    if doc.starts_with(b"\xfe\xff")
        || doc.starts_with(b"\xff\xfe")
        || doc[..doc.len().min(4)].contains(&0)
    {
        return Found::No;
    }
    let start_tag = |at: usize| match next_tag(doc, at) {
        Ok(Some((_, tag, end))) if !tag.starts_with(b"/") => Found::Yes((tag, end)),
        Ok(Some(_)) => Found::No,
        Ok(None) | Err(()) => Found::More,
    };
    let (root, root_end) = match start_tag(0) {
        Found::Yes(t) => t,
        Found::More => return Found::More,
        Found::No => return Found::No,
    };
    if root.ends_with(b"/") {
        return Found::No;
    }
    match name(root) {
        b"rss" => match start_tag(root_end) {
            Found::Yes((channel, end))
                if name(channel) == b"channel" && !channel.ends_with(b"/") =>
            {
                Found::Yes(Open {
                    end,
                    close: b"</channel></rss>",
                    item: b"item",
                })
            }
            Found::More => Found::More,
            _ => Found::No,
        },
        b"feed" => Found::Yes(Open {
            end: root_end,
            close: b"</feed>",
            item: b"entry",
        }),
        _ => Found::No,
    }
}

/// What follows a place in a document, looking for items.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// An item, from its start tag to its end tag.
    Item(Range<usize>),
    /// A tag that is not an item's; it ends there.
    Other(usize),
    /// No tag is left.
    End,
    /// A tag or an item that does not end within these bytes.
    Unended,
    /// An item inside an item (no feed nests them): the document cannot be cut.
    Nested,
}

/// The next item or other tag of `doc` from `at` on, for items named `item`.
pub fn step(doc: &[u8], at: usize, item: &[u8]) -> Step {
    let (lt, tag, tag_end) = match next_tag(doc, at) {
        Ok(Some(t)) => t,
        Ok(None) => return Step::End,
        Err(()) => return Step::Unended,
    };
    if name(tag) != item {
        return Step::Other(tag_end);
    }
    if tag.ends_with(b"/") {
        return Step::Item(lt..tag_end);
    }
    let mut from = tag_end;
    loop {
        // Inside the item only its end tag, an item in it, and a comment, CDATA section or
        // processing instruction (which may hold look-alikes) matter. Any other tag is
        // passed over at its `<` (no `<` can be inside it), without looking for its end.
        let Some(next) = memchr::memchr(b'<', &doc[from..]).map(|i| from + i) else {
            return Step::Unended;
        };
        let after = &doc[next + 1..];
        let named = after.strip_prefix(b"/").unwrap_or(after);
        if !matches!(after.first(), Some(b'!' | b'?'))
            && named.len() >= item.len()
            && !named.starts_with(item)
        {
            from = next + 1;
            continue;
        }
        let (_, tag, gt) = match next_tag(doc, next) {
            Ok(Some(t)) => t,
            Ok(None) | Err(()) => return Step::Unended,
        };
        match tag.strip_prefix(b"/") {
            Some(closing) if name(closing) == item => return Step::Item(lt..gt),
            None if name(tag) == item => return Step::Nested,
            _ => from = gt,
        }
    }
}

/// `doc` cut at its items (see [`open`]); `None` for anything else, which is then read
/// whole.
pub fn cut(doc: &[u8]) -> Option<Cut> {
    let Found::Yes(open) = open(doc) else {
        return None;
    };
    let mut items = Vec::new();
    let mut at = open.end;
    loop {
        match step(doc, at, open.item) {
            Step::Item(range) => {
                at = range.end;
                items.push(range);
            }
            Step::Other(end) => at = end,
            Step::End => break,
            Step::Unended | Step::Nested => return None,
        }
    }
    Some(Cut {
        open: 0..open.end,
        close: open.close,
        items,
    })
}

/// The length of the comment, CDATA section, processing instruction or declaration that
/// `s` starts with (`Some(None)` if it never ends); `None` if it starts with none of them.
fn skipped(s: &[u8]) -> Option<Option<usize>> {
    let end: &[u8] = if s.starts_with(b"<!--") {
        b"-->"
    } else if s.starts_with(b"<![CDATA[") {
        b"]]>"
    } else if s.starts_with(b"<?") {
        b"?>"
    } else if s.starts_with(b"<!") {
        b">"
    } else {
        return None;
    };
    Some(memchr::memmem::find(&s[2..], end).map(|i| 2 + i + end.len()))
}

/// A tag: where it starts, its inside (between `<` and `>`) and where it ends.
type Tag<'a> = (usize, &'a [u8], usize);

/// The next tag from `at` on, past comments, CDATA sections, processing instructions and
/// declarations. `Ok(None)` when no tag is left; `Err(())` when one never ends.
fn next_tag(doc: &[u8], mut at: usize) -> Result<Option<Tag<'_>>, ()> {
    loop {
        let Some(lt) = memchr::memchr(b'<', &doc[at..]).map(|i| at + i) else {
            return Ok(None);
        };
        if let Some(skip) = skipped(&doc[lt..]) {
            at = lt + skip.ok_or(())?;
            continue;
        }
        let gt = lt + memchr::memchr(b'>', &doc[lt..]).ok_or(())? + 1;
        return Ok(Some((lt, &doc[lt + 1..gt - 1], gt)));
    }
}

/// The name of a tag from its inside.
fn name(tag: &[u8]) -> &[u8] {
    let end = tag
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/')
        .unwrap_or(tag.len());
    &tag[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items<'a>(doc: &'a str, cut: &Cut) -> Vec<&'a str> {
        cut.items.iter().map(|r| &doc[r.clone()]).collect()
    }

    #[test]
    fn rss_items_are_found_past_comments_cdata_and_look_alikes() {
        let doc = r#"<?xml version="1.0"?>
<!-- <item>not one</item> -->
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Live</title>
<items>not one</items><item id="1"><title>One</title><description><![CDATA[<p>a</item> b</p>]]></description></item>
<dc:item>not one</dc:item>
<item/><item><title>Three</title></item >
<item><items>x</items><itemized/></itemized><!-- <item> --><?x </item>?><a b="c>d"/></item>
</channel></rss>"#;
        let cut = cut(doc.as_bytes()).unwrap();
        assert_eq!(
            items(doc, &cut),
            [
                r#"<item id="1"><title>One</title><description><![CDATA[<p>a</item> b</p>]]></description></item>"#,
                "<item/>",
                "<item><title>Three</title></item >",
                r#"<item><items>x</items><itemized/></itemized><!-- <item> --><?x </item>?><a b="c>d"/></item>"#,
            ]
        );
        assert!(doc[cut.open.clone()].ends_with("<channel>"));
        assert_eq!(cut.close, b"</channel></rss>");
        let rest = String::from_utf8(cut.rest(doc.as_bytes())).unwrap();
        assert!(rest.contains("<title>Live</title>") && !rest.contains("One"));
        assert!(rest.ends_with("</channel></rss>"));
    }

    #[test]
    fn atom_entries_are_found() {
        let doc = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>Live</title><entry><id>1</id></entry><entry><id>2</id></entry></feed>"#;
        let cut = cut(doc.as_bytes()).unwrap();
        assert_eq!(
            items(doc, &cut),
            ["<entry><id>1</id></entry>", "<entry><id>2</id></entry>"]
        );
        assert_eq!(
            &doc[cut.open.clone()],
            r#"<feed xmlns="http://www.w3.org/2005/Atom">"#
        );
    }

    #[test]
    fn anything_else_is_not_cut() {
        for doc in [
            &b"<rdf:RDF><channel/><item/></rdf:RDF>"[..],
            b"<atom:feed><atom:entry/></atom:feed>",
            b"<rss><item/></rss>",
            b"<rss/>",
            b"<rss><channel/></rss>",
            b"\xff\xfe<\x00r\x00",
            // An item that never ends, or one inside another.
            b"<rss><channel><item><title>cut",
            b"<rss><channel><item><item></item></item></channel></rss>",
            b"<rss><channel><item><!-- never closed",
        ] {
            assert_eq!(cut(doc), None, "{}", String::from_utf8_lossy(doc));
        }
    }
}
