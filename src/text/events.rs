//! HTML as a flat stream of open/close/text events, for the text converter.
//!
//! Feed bodies are mostly simple markup (`p`, `a`, `strong`, lists, figures). For those a
//! small scanner here produces the events without building a DOM, which is many times faster
//! than html5ever; anything it is not sure about (scripts, tables, unknown entities, odd
//! syntax, deep nesting) makes it give up, and the caller walks an html5ever tree instead.
//! Both paths produce the same events for the markup the scanner accepts.

use super::MAX_DEPTH;
use scraper::{Html, Node};
use std::borrow::Cow;

/// An element as the converter sees it: a lower-case name and the attributes it needs.
pub struct Tag<'a> {
    pub name: Cow<'a, str>,
    pub attrs: Attrs<'a>,
}

impl Tag<'_> {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }
}

type Attrs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

pub enum Ev<'a> {
    Open(Tag<'a>),
    Close(Tag<'a>),
    Text(Cow<'a, str>),
    /// Forget every event so far: the scanner gave up part way, and the events of the whole
    /// fragment follow again, from html5ever.
    Restart,
}

/// Feed the events of `html` (a fragment) to `sink`. Elements nested deeper than
/// [`MAX_DEPTH`] are left out with their text.
///
/// The scanner's events go to `sink` as they are found, without being collected first;
/// when it gives up, `sink` gets [`Ev::Restart`] and then html5ever's events.
pub fn walk(html: &str, sink: &mut dyn FnMut(Ev)) {
    if scan_into(html, sink).is_some() {
        return;
    }
    sink(Ev::Restart);
    walk_tree(html, sink);
}

/// The html5ever path of [`walk`].
pub fn walk_tree(html: &str, sink: &mut dyn FnMut(Ev)) {
    let doc = Html::parse_fragment(&super::limit_depth(html, MAX_DEPTH));
    let mut depth = 0usize;
    for edge in doc.root_element().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    depth += 1;
                    if depth <= MAX_DEPTH {
                        sink(Ev::Open(tag_of(el)));
                    }
                }
                Node::Text(t) if depth <= MAX_DEPTH => sink(Ev::Text(Cow::Borrowed(t))),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    if depth <= MAX_DEPTH {
                        sink(Ev::Close(tag_of(el)));
                    }
                    depth -= 1;
                }
            }
        }
    }
}

fn tag_of(el: &scraper::node::Element) -> Tag<'_> {
    Tag {
        name: Cow::Borrowed(el.name()),
        attrs: el
            .attrs()
            .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
            .collect(),
    }
}

/// Elements the scanner handles; any other makes it give up.
fn simple(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "span"
            | "a"
            | "b"
            | "strong"
            | "i"
            | "em"
            | "u"
            | "s"
            | "small"
            | "sup"
            | "sub"
            | "code"
            | "br"
            | "hr"
            | "img"
            | "figure"
            | "figcaption"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "blockquote"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "cite"
            | "q"
            | "mark"
            | "abbr"
            | "time"
            | "del"
            | "ins"
            | "picture"
            | "source"
    )
}

fn void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img" | "source")
}

/// Scan simple markup, each event to `sink` as it is found; `None` when html5ever is
/// needed (`sink` then has the events up to there).
fn scan_into<'a>(html: &'a str, sink: &mut dyn FnMut(Ev<'a>)) -> Option<()> {
    // Open elements: name and class (closing events carry the class, which is all the
    // writer reads of them; a copy of every attribute cost an allocation per link).
    let mut open: Vec<(Cow<str>, Attrs)> = Vec::with_capacity(16);
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) else {
            sink(Ev::Text(decode(rest)?));
            break;
        };
        if lt > 0 {
            sink(Ev::Text(decode(&rest[..lt])?));
        }
        rest = &rest[lt..];
        let next = rest[1..].chars().next();
        match next {
            Some('!') => {
                let body = rest.strip_prefix("<!--")?;
                let end = body.find("-->")?;
                rest = &body[end + 3..];
            }
            Some('/') => {
                let end = memchr::memchr(b'>', rest.as_bytes())?;
                let name = lower(rest[2..end].trim());
                if !simple(&name) {
                    return None;
                }
                rest = &rest[end + 1..];
                // Only properly nested markup: html5ever repairs anything else in ways
                // (implied paragraphs, reopened formatting) that are not worth copying.
                if open.last().is_none_or(|(n, _)| *n != name) {
                    return None;
                }
                let (name, attrs) = open.pop()?;
                sink(Ev::Close(Tag { name, attrs }));
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (tag, after) = tag(rest)?;
                rest = after;
                let name = tag.name.clone();
                if implies_close(&name, &open) {
                    return None;
                }
                if !void(&name) {
                    if open.len() >= MAX_DEPTH {
                        return None;
                    }
                    let class = tag.attrs.iter().filter(|(k, _)| k == "class").cloned();
                    open.push((name.clone(), class.collect()));
                }
                sink(Ev::Open(tag));
                if void(&name) {
                    sink(Ev::Close(Tag {
                        name,
                        attrs: Vec::new(),
                    }));
                }
            }
            _ => {
                sink(Ev::Text(Cow::Borrowed("<")));
                rest = &rest[1..];
            }
        }
    }
    while let Some((name, attrs)) = open.pop() {
        sink(Ev::Close(Tag { name, attrs }));
    }
    Some(())
}

/// The scanner's events, collected; `None` when html5ever is needed.
#[cfg(test)]
fn scan(html: &str) -> Option<Vec<Ev<'_>>> {
    let mut out = Vec::new();
    scan_into(html, &mut |ev| out.push(ev))?;
    Some(out)
}

/// Parse a start tag at the beginning of `s` (which starts with `<` and a letter).
fn tag(s: &str) -> Option<(Tag<'_>, &str)> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() && b[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = lower(&s[1..i]);
    if !simple(&name) {
        return None;
    }
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some((Tag { name, attrs }, &s[i + 1..])),
            b'/' if b.get(i + 1) == Some(&b'>') => {
                return Some((Tag { name, attrs }, &s[i + 2..]));
            }
            _ => {}
        }
        let start = i;
        while i < b.len()
            && !b[i].is_ascii_whitespace()
            && !matches!(b[i], b'=' | b'>' | b'/' | b'"' | b'\'' | b'<')
        {
            i += 1;
        }
        if i == start {
            return None;
        }
        let key = lower(&s[start..i]);
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = Cow::Borrowed("");
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let q = *b.get(i)?;
            if q == b'"' || q == b'\'' {
                let end = s[i + 1..].find(q as char)? + i + 1;
                value = decode(&s[i + 1..end])?;
                i = end + 1;
            } else {
                let start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = decode(&s[start..i])?;
            }
        }
        if !attrs.iter().any(|(k, _): &(Cow<str>, Cow<str>)| *k == key) {
            attrs.push((key, value));
        }
    }
}

/// Whether opening `name` here makes html5ever close an open element first (a block in a
/// paragraph, a list item in a list item, a link in a link, a heading in a heading).
fn implies_close(name: &str, open: &[(Cow<str>, Attrs)]) -> bool {
    let is_open = |n: &str| open.iter().any(|(o, _)| o == n);
    let heading = |n: &str| matches!(n, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
    let inline = matches!(
        name,
        "a" | "b"
            | "strong"
            | "i"
            | "em"
            | "u"
            | "s"
            | "small"
            | "sup"
            | "sub"
            | "code"
            | "span"
            | "cite"
            | "q"
            | "mark"
            | "abbr"
            | "time"
            | "del"
            | "ins"
            | "img"
            | "br"
            | "picture"
            | "source"
    );
    (!inline && is_open("p"))
        || (name == "li"
            && open
                .iter()
                .rev()
                .find(|(o, _)| matches!(o.as_ref(), "ul" | "ol" | "li"))
                .is_some_and(|(o, _)| o == "li"))
        || (name == "a" && is_open("a"))
        || (heading(name) && open.last().is_some_and(|(o, _)| heading(o)))
}

/// `s` in lower case, copied only when it has upper-case letters.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Decode character references the way html5ever would, or give up (`None`).
pub(super) fn decode(s: &str) -> Option<Cow<'_, str>> {
    // Passes without early exits, which the compiler turns into vector instructions.
    let odd = s
        .bytes()
        .fold(0u8, |acc, b| acc | u8::from(b == b'\r') | u8::from(b == 0));
    if odd != 0 {
        return None;
    }
    if s.bytes().fold(0u8, |acc, b| acc | u8::from(b == b'&')) == 0 {
        return Some(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = &rest[amp + 1..];
        let semi = memchr::memchr(b';', &rest.as_bytes()[..rest.len().min(33)]);
        let next = rest.chars().next();
        if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '#') {
            out.push('&');
            continue;
        }
        let name = &rest[..semi?];
        out.push(reference(name)?);
        rest = &rest[name.len() + 1..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// One character reference (without `&` and `;`), if it is one the scanner knows.
fn reference(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        // html5ever remaps 0x80–0x9F and replaces invalid values; leave those to it.
        if n == 0 || (0x80..=0x9f).contains(&n) {
            return None;
        }
        return char::from_u32(n);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "hellip" => '…',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "deg" => '°',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "ccedil" => 'ç',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "szlig" => 'ß',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(events: &[Ev]) -> String {
        let mut s = String::new();
        let mut text = String::new();
        for e in events {
            if let Ev::Text(t) = e {
                text.push_str(t);
                continue;
            }
            if !text.is_empty() {
                s.push_str(&format!("{text:?}"));
                text.clear();
            }
            match e {
                Ev::Open(t) => {
                    s.push_str(&format!("<{}", t.name));
                    let mut attrs: Vec<_> = t.attrs.iter().collect();
                    attrs.sort();
                    for (k, v) in attrs {
                        s.push_str(&format!(" {k}={v:?}"));
                    }
                    s.push('>');
                }
                Ev::Close(t) => s.push_str(&format!("</{}>", t.name)),
                Ev::Text(_) => {}
                Ev::Restart => s.push_str("(restart)"),
            }
        }
        s.push_str(&format!("{text:?}"));
        s
    }

    fn slow(html: &str) -> String {
        let mut events = Vec::new();
        let doc = Html::parse_fragment(html);
        for edge in doc.root_element().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(n) => match n.value() {
                    Node::Element(el) if el.name() != "html" => events.push(Ev::Open(tag_of(el))),
                    Node::Text(t) => events.push(Ev::Text(Cow::Owned(t.to_string()))),
                    _ => {}
                },
                ego_tree::iter::Edge::Close(n) => {
                    if let Node::Element(el) = n.value()
                        && el.name() != "html"
                    {
                        events.push(Ev::Close(tag_of(el)))
                    }
                }
            }
        }
        render(&events)
    }

    #[test]
    fn scanner_matches_html5ever_on_simple_markup() {
        for html in [
            "<p>a &amp; b <a href=\"https://x/?a=1&amp;b=2\" class=c>link</a></p><p>c<br/>d</p>",
            "<ul><li>one</li><li>two <b>bold</b></li></ul>",
            "x < y &ndash; <!-- note --><img src='i.jpg' alt=\"A\">",
            "<figure><img src=a.jpg><figcaption>Cap <span class=\"credit\">Cr</span></figcaption></figure>",
        ] {
            assert_eq!(render(&scan(html).unwrap()), slow(html), "{html}");
        }
    }

    #[test]
    fn a_scanner_that_gives_up_part_way_restarts_the_sink() {
        let html = "<p>one</p><p>two &foo; three</p>";
        let owned = |t: Tag| Tag {
            name: Cow::Owned(t.name.into_owned()),
            attrs: (t.attrs.into_iter())
                .map(|(k, v)| (Cow::Owned(k.into_owned()), Cow::Owned(v.into_owned())))
                .collect(),
        };
        let mut events: Vec<Ev<'static>> = Vec::new();
        walk(html, &mut |ev| {
            events.push(match ev {
                Ev::Open(t) => Ev::Open(owned(t)),
                Ev::Close(t) => Ev::Close(owned(t)),
                Ev::Text(t) => Ev::Text(Cow::Owned(t.into_owned())),
                Ev::Restart => Ev::Restart,
            })
        });
        let restart = events.iter().position(|e| matches!(e, Ev::Restart));
        // The first paragraph went to the sink before the unknown entity stopped the scanner.
        assert!(restart.is_some_and(|at| at > 0), "{}", render(&events));
        let after = &events[restart.unwrap() + 1..];
        // html5ever's events, whole (its root element aside).
        let after = render(after).replace("<html>", "").replace("</html>", "");
        assert_eq!(after, slow(html));
    }

    #[test]
    fn scanner_gives_up_on_hard_cases() {
        for html in [
            "<table><tr><td>x</td></tr></table>",
            "<script>x</script>",
            "a &foo; b",
            "AT&T",
            "&#x9b;",
            "<p>x\r\n</p>",
        ] {
            assert!(scan(html).is_none(), "{html}");
        }
    }
}
