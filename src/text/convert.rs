//! The HTML-to-text writer: turns open/close/text events into paragraphs, list items,
//! quotes, numbered links and figures.

use super::events::{Ev, Tag};
use super::{HtmlText, collapse_ws, decode_again, is_block, is_forbidden, is_skipped, plain};
use super::{sanitize, sanitize_cow};
use crate::entry::Image;
use std::borrow::Cow;

/// A way to turn HTML into events ([`events::walk`] or, in tests, the html5ever path only).
#[cfg(test)]
pub(super) type Walk = fn(&str, &mut dyn FnMut(Ev));

thread_local! {
    /// The buffer a body is written in when the thread has none given back: it is then
    /// copied out at its size, and the buffer serves the thread's next body.
    static WRITING: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    /// The buffer the paragraph being written is built in.
    static PARAGRAPHS: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

#[cfg(test)]
pub(super) fn convert(html: &str, walk: Walk) -> HtmlText {
    let mut w = Writer::start(html);
    walk(html, &mut |ev| w.event(ev));
    w.finish()
}

/// [`convert`] through [`events::walk`], but the markup of most feed bodies (paragraphs
/// of text with bold, italic and links, and figures with an image and a caption) is read
/// straight into the writer first ([`Writer::simple`]), without making an event of each
/// element; anything else starts the body again through the events.
///
/// [`events::walk`]: super::events::walk
pub(super) fn convert_simple_first(html: &str) -> HtmlText {
    let mut w = Writer::start(html);
    if w.simple(html).is_none() {
        w.restart();
        super::events::walk(html, &mut |ev| w.event(ev));
    }
    w.finish()
}

/// The room the paragraph being written starts with (bytes of markup, at most).
const PARAGRAPH: usize = 1024;

#[derive(Default)]
struct Writer {
    /// The finished paragraphs, joined as they are finished.
    text: String,
    /// `text` is a body given back, which will be given back again: it is not trimmed.
    given: bool,
    /// Whether the last finished paragraph was `tight` (a list item, a table row: two in a
    /// row are separated by one newline instead of a blank line); `None` before the first.
    last_tight: Option<bool>,
    /// The paragraph being written (its buffer is reused for the next one).
    cur: String,
    links: Vec<String>,
    images: Vec<Image>,
    /// Depth inside skipped elements (script, style, ...).
    skip: usize,
    pre: usize,
    quote: usize,
    /// One entry per open list: `None` for `ul`, `Some(next number)` for `ol`.
    lists: Vec<Option<usize>>,
    /// Marker waiting to be put before the next paragraph (`• `, `3. `).
    marker: Option<String>,
    in_li: bool,
    cells: usize,
    in_cell: usize,
    in_row: bool,
    /// Open `<a>` elements: the link number if it got one.
    anchors: Vec<Option<usize>>,
    figures: Vec<Figure>,
}

#[derive(Default)]
struct Figure {
    first_image: usize,
    caption: String,
    credit: String,
    in_caption: usize,
    in_credit: usize,
}

impl Figure {
    /// An element opens or closes inside the caption or credit: a block (a paragraph, a
    /// line break) separates words, inline markup (`<b>x</b>y`) does not.
    fn boundary(&mut self, name: &str) {
        if is_inline(name) {
            return;
        }
        if self.in_credit > 0 {
            self.credit.push(' ');
        } else if self.in_caption > 0 {
            self.caption.push(' ');
        }
    }
}

/// Elements that sit inside a line of text without breaking it.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "cite"
            | "code"
            | "data"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
    )
}

impl Writer {
    /// A writer for the text of `html`.
    fn start(html: &str) -> Writer {
        // The text is rarely longer than its markup. It is written in a body the thread was
        // given back (see [`super::give_back`]), which is handed on as it is, or else in the
        // thread's own buffer, and copied out at its size: no allocation but the text's own,
        // and none while it grows.
        let spare = crate::scratch::take(&super::SPARE);
        let given = spare.capacity() > 0;
        let mut text = if given {
            spare
        } else {
            crate::scratch::take(&WRITING)
        };
        text.reserve(html.len());
        // Room for a paragraph of most bodies, instead of growing to it by doubling.
        let mut cur = crate::scratch::take(&PARAGRAPHS);
        cur.reserve(html.len().min(PARAGRAPH));
        Writer {
            text,
            given,
            cur,
            ..Writer::default()
        }
    }

    fn event(&mut self, ev: Ev) {
        match ev {
            Ev::Open(tag) => self.open(&tag),
            Ev::Close(tag) => self.close(&tag),
            Ev::Text(t) => self.text(&t),
            Ev::Restart => self.restart(),
        }
    }

    /// Forget everything written (keeping the buffers).
    fn restart(&mut self) {
        let (mut text, mut cur) = (
            std::mem::take(&mut self.text),
            std::mem::take(&mut self.cur),
        );
        text.clear();
        cur.clear();
        *self = Writer {
            text,
            given: self.given,
            cur,
            ..Writer::default()
        };
    }

    /// Write `html` as the events of [`super::events::walk`] would, if it is made only of
    /// the elements of [`Simple`], each written as the scanner there reads it (lower case,
    /// `a` with only its `href`, `img` with attributes in double quotes), properly nested and
    /// all closed, with no `p`, `figure` or `figcaption` inside a `p` and no link in a
    /// link. `None` as soon as it is not (what was written is then to be thrown away).
    ///
    /// Paragraphs, bold, italic and links outside figures are written here; text goes to
    /// [`Writer::text`] (copied at once when it is plain), and figures, captions, images
    /// and anything inside a figure to [`Writer::open`] and [`Writer::close`], as events.
    fn simple(&mut self, html: &str) -> Option<()> {
        let mut open = [Simple::P; 16];
        let mut depth = 0;
        let mut rest = html;
        while !rest.is_empty() {
            let lt = memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len());
            if lt > 0 {
                let t = &rest[..lt];
                if self.figures.is_empty() && super::plain_ascii(t, true) {
                    // Nothing to decode, remove or collapse (see `Writer::text`).
                    self.push_plain(t);
                } else {
                    self.text(&super::events::decode(t)?);
                }
            }
            rest = &rest[lt..];
            if rest.is_empty() {
                break;
            }
            let (el, closing, after) = Simple::tag(rest)?;
            let open_now = &open[..depth];
            if closing {
                rest = after.strip_prefix('>')?;
                if open_now.last() != Some(&el) {
                    return None;
                }
                depth -= 1;
                self.close_simple(el);
                continue;
            }
            let (attrs, after) = el.attributes(after)?;
            rest = after;
            let inside_p = open_now.contains(&Simple::P);
            if (el.is_block() && inside_p) || (el == Simple::A && open_now.contains(&Simple::A)) {
                // html5ever would close an element first.
                return None;
            }
            if el == Simple::Img {
                self.open(&Tag {
                    name: Cow::Borrowed("img"),
                    attrs,
                });
                self.close(&Tag {
                    name: Cow::Borrowed("img"),
                    attrs: Vec::new(),
                });
                continue;
            }
            *open.get_mut(depth)? = el;
            depth += 1;
            self.open_simple(el, attrs);
        }
        (depth == 0).then_some(())
    }

    fn open_simple(&mut self, el: Simple, attrs: Vec<(Cow<str>, Cow<str>)>) {
        if !self.figures.is_empty() || matches!(el, Simple::Figure | Simple::Figcaption) {
            self.open(&Tag {
                name: Cow::Borrowed(el.name()),
                attrs,
            });
            return;
        }
        match el {
            Simple::P => self.flush(),
            Simple::A => {
                let href = attrs.first().map(|(_, v)| v.trim());
                let n = href.filter(|h| is_web(h)).map(|h| self.link(h));
                self.anchors.push(n);
            }
            _ => {}
        }
    }

    fn close_simple(&mut self, el: Simple) {
        if !self.figures.is_empty() {
            self.close(&Tag {
                name: Cow::Borrowed(el.name()),
                attrs: Vec::new(),
            });
            return;
        }
        match el {
            Simple::P => self.flush(),
            Simple::A => self.end_link(),
            _ => {}
        }
    }

    fn open(&mut self, el: &Tag) {
        let name = el.name();
        if self.skip > 0 || is_skipped(name) {
            if is_skipped(name) {
                self.skip += 1;
            }
            return;
        }
        if let Some(fig) = self.figures.last_mut() {
            fig.boundary(name);
            if name == "figcaption" {
                fig.in_caption += 1;
                return;
            }
            if el
                .attr("class")
                .is_some_and(|c| c.contains("credit") || c.contains("copyright"))
            {
                fig.in_credit += 1;
            }
        }
        match name {
            "br" => self.push_raw("\n"),
            "a" => {
                let n = el
                    .attr("href")
                    .map(str::trim)
                    .filter(|h| is_web(h))
                    .map(|h| self.link(h));
                self.anchors.push(n);
            }
            "img" => self.image(el),
            "figure" => {
                self.flush();
                let first_image = self.images.len();
                self.figures.push(Figure {
                    first_image,
                    ..Default::default()
                });
            }
            "ul" => {
                self.flush();
                self.lists.push(None);
            }
            "ol" => {
                self.flush();
                let start = el
                    .attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                self.lists.push(Some(start));
            }
            "li" => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let indent = "  ".repeat(depth);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{indent}{n}. ");
                        *n += 1;
                        m
                    }
                    _ => format!("{indent}• "),
                };
                self.marker = Some(marker);
                self.in_li = true;
            }
            "blockquote" => {
                self.flush();
                self.quote += 1;
            }
            "pre" => {
                self.flush();
                self.pre += 1;
            }
            "tr" => {
                self.flush();
                self.in_row = true;
                self.cells = 0;
            }
            "td" | "th" => {
                if self.cells > 0 {
                    self.push_raw(" | ");
                }
                self.cells += 1;
                self.in_cell += 1;
            }
            _ if is_block(name) => {
                if self.in_cell > 0 {
                    self.push_text(" ");
                } else {
                    self.flush();
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, el: &Tag) {
        let name = el.name();
        if self.skip > 0 {
            if is_skipped(name) {
                self.skip -= 1;
            }
            return;
        }
        if let Some(fig) = self.figures.last_mut() {
            fig.boundary(name);
            if name == "figcaption" {
                fig.in_caption = fig.in_caption.saturating_sub(1);
                return;
            }
            if fig.in_credit > 0
                && el
                    .attr("class")
                    .is_some_and(|c| c.contains("credit") || c.contains("copyright"))
            {
                fig.in_credit -= 1;
            }
        }
        match name {
            "a" => self.end_link(),
            "figure" => {
                self.flush();
                if let Some(fig) = self.figures.pop() {
                    self.end_figure(fig);
                }
            }
            "ul" | "ol" => {
                self.flush();
                self.lists.pop();
                self.in_li = false;
            }
            "li" => {
                self.flush();
                self.in_li = false;
            }
            "blockquote" => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
            }
            "pre" => {
                self.flush();
                self.pre = self.pre.saturating_sub(1);
            }
            "tr" => {
                self.flush();
                self.in_row = false;
            }
            "td" | "th" => self.in_cell = self.in_cell.saturating_sub(1),
            _ if is_block(name) && self.in_cell == 0 => self.flush(),
            _ => {}
        }
    }

    /// A link ends: its number after its text, if it has one.
    fn end_link(&mut self) {
        if let Some(Some(n)) = self.anchors.pop() {
            use std::fmt::Write;
            // Never fails: it writes to a string.
            let _ = write!(self.cur, " [{n}]");
        }
    }

    fn text(&mut self, t: &str) {
        if self.skip > 0 {
            return;
        }
        if self.pre == 0 && self.figures.is_empty() && super::plain_ascii(t, true) {
            // The common case: printable ASCII words with single spaces, nothing to decode
            // or remove.
            self.push_plain(t);
            return;
        }
        let decoded = decode_again(t);
        let t = sanitize_cow(&decoded);
        if let Some(fig) = self.figures.last_mut() {
            if fig.in_credit > 0 {
                fig.credit.push_str(&t);
                return;
            }
            if fig.in_caption > 0 {
                fig.caption.push_str(&t);
                return;
            }
        }
        if self.pre > 0 {
            self.push_raw(&t);
        } else {
            self.push_text(&t);
        }
    }

    fn link(&mut self, href: &str) -> usize {
        let href = sanitize(href);
        match self.links.iter().position(|l| *l == href) {
            Some(i) => i + 1,
            None => {
                // Room for one at first: most entries link once or not at all.
                self.links.reserve_exact(usize::from(self.links.is_empty()));
                self.links.push(href);
                self.links.len()
            }
        }
    }

    fn image(&mut self, el: &Tag) {
        let src = el
            .attr("src")
            .or_else(|| el.attr("data-src"))
            .map(|s| sanitize(s.trim()))
            .filter(|s| !s.is_empty() && !s.starts_with("data:"));
        let Some(src) = src else { return };
        let alt = el.attr("alt").map(plain).filter(|a| !a.is_empty());
        self.images.push(Image {
            url: Some(src),
            caption: alt,
            credit: None,
        });
    }

    fn end_figure(&mut self, fig: Figure) {
        let caption = collapse_ws(&fig.caption);
        let credit = collapse_ws(&fig.credit);
        let (caption, credit) = if credit.is_empty() {
            split_credit(&caption)
        } else {
            (caption, Some(credit))
        };
        match self.images.get_mut(fig.first_image) {
            Some(img) => {
                if !caption.is_empty() {
                    img.caption = Some(caption);
                }
                if credit.is_some() {
                    img.credit = credit;
                }
            }
            None => {
                // A figure without an image (an embed, a quote): keep its caption as text.
                let all = [caption, credit.unwrap_or_default()].join(" ");
                self.push_text(all.trim());
                self.flush();
            }
        }
    }

    /// Append inline text, collapsing whitespace.
    fn push_text(&mut self, t: &str) {
        // Most runs are ASCII words with single spaces between them (the text is sanitized:
        // no controls but line breaks and tabs): copied whole.
        if super::plain_ascii(t, false) {
            self.push_plain(t);
            return;
        }
        self.push_words(t);
    }

    /// Append ASCII words with single spaces between them (a space first is collapsed with
    /// any space before it).
    fn push_plain(&mut self, t: &str) {
        let rest = match t.strip_prefix(' ') {
            Some(rest) => {
                self.space();
                rest
            }
            None => t,
        };
        self.cur.push_str(rest);
    }

    /// Append inline text one word at a time, each whitespace run becoming one space.
    fn push_words(&mut self, t: &str) {
        let mut rest = t;
        while let Some((at, len)) = super::find_space(rest) {
            self.cur.push_str(&rest[..at]);
            self.space();
            rest = &rest[at + len..];
        }
        self.cur.push_str(rest);
    }

    fn space(&mut self) {
        if !matches!(self.cur.as_bytes().last(), None | Some(b' ' | b'\n')) {
            self.cur.push(' ');
        }
    }

    /// Append text as is (preformatted text, line breaks, link markers).
    fn push_raw(&mut self, t: &str) {
        if t == "\n" {
            // Trailing spaces before a line break are noise.
            let kept = self.cur.trim_end_matches(' ').len();
            self.cur.truncate(kept);
        }
        self.cur.push_str(t);
    }

    /// Append a finished paragraph to the text.
    fn finish_para(&mut self, para: &str, tight: bool) {
        if let Some(last) = self.last_tight {
            self.text
                .push_str(if last && tight { "\n" } else { "\n\n" });
        }
        self.text.push_str(para);
        self.last_tight = Some(tight);
    }

    fn flush(&mut self) {
        let mut body = std::mem::take(&mut self.cur);
        self.flush_body(&body);
        body.clear();
        self.cur = body;
    }

    fn flush_body(&mut self, body: &str) {
        if self.quote == 0
            && self.marker.is_none()
            && memchr::memchr(b'\n', body.as_bytes()).is_none()
        {
            // The common case: one plain line, no prefixes.
            let trimmed = body.trim();
            if !trimmed.is_empty() {
                self.finish_para(trimmed, self.in_li || self.in_row);
            }
            return;
        }
        let lines: Vec<&str> = body.lines().map(str::trim_end).collect();
        let start = lines.iter().position(|l| !l.trim().is_empty());
        let end = lines.iter().rposition(|l| !l.trim().is_empty());
        let (Some(start), Some(end)) = (start, end) else {
            return;
        };
        let quote = "│ ".repeat(self.quote);
        let marker = self.marker.take();
        let hang = marker
            .as_ref()
            .map(|m| " ".repeat(m.chars().count()))
            .unwrap_or_default();
        let mut text = String::new();
        let mut prev_empty = false;
        for (i, line) in lines[start..=end].iter().enumerate() {
            let empty = line.trim().is_empty();
            if empty && prev_empty {
                continue; // at most one blank line
            }
            prev_empty = empty;
            if i > 0 {
                text.push('\n');
            }
            if empty {
                text.push_str(quote.trim_end());
                continue;
            }
            text.push_str(&quote);
            let line = if self.pre > 0 {
                *line
            } else {
                line.trim_start()
            };
            match (&marker, i) {
                (Some(m), 0) => text.push_str(m),
                (Some(_), _) => text.push_str(&hang),
                _ => {}
            }
            text.push_str(line);
        }
        let tight = self.in_li || self.in_row || marker.is_some();
        self.finish_para(&text, tight);
    }

    fn finish(mut self) -> HtmlText {
        self.flush();
        crate::scratch::keep(&PARAGRAPHS, std::mem::take(&mut self.cur));
        let mut text = std::mem::take(&mut self.text);
        // Every piece was sanitized on the way in, and joining clean pieces cannot create a
        // forbidden character, so the text needs no second pass.
        debug_assert!(!text.chars().any(is_forbidden));
        if !self.given {
            // The thread's buffer: the text is copied out at its size (a string grown by
            // doubling keeps a third more than it uses on average).
            let out = text.trim().to_string();
            crate::scratch::keep(&WRITING, text);
            text = out;
        } else if text.trim().len() != text.len() {
            text = text.trim().to_string();
        }
        HtmlText {
            text,
            links: self.links,
            images: self.images,
        }
    }
}

/// The elements [`Writer::simple`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simple {
    P,
    B,
    Strong,
    I,
    Em,
    A,
    Figure,
    Figcaption,
    Img,
}

impl Simple {
    fn name(self) -> &'static str {
        match self {
            Simple::P => "p",
            Simple::B => "b",
            Simple::Strong => "strong",
            Simple::I => "i",
            Simple::Em => "em",
            Simple::A => "a",
            Simple::Figure => "figure",
            Simple::Figcaption => "figcaption",
            Simple::Img => "img",
        }
    }

    /// Whether html5ever closes an open `p` before this element.
    fn is_block(self) -> bool {
        matches!(self, Simple::P | Simple::Figure | Simple::Figcaption)
    }

    /// The tag at the start of `s` (which starts with `<`): the element, whether it is an
    /// end tag, and what follows its name. `None` for any other element.
    fn tag(s: &str) -> Option<(Simple, bool, &str)> {
        let (closing, body) = match s.strip_prefix("</") {
            Some(body) => (true, body),
            None => (false, &s[1..]),
        };
        // Byte by byte: the name is ASCII, and anything else ends it.
        let end = body.bytes().position(|c| !c.is_ascii_lowercase())?;
        let el = match &body[..end] {
            "p" => Simple::P,
            "b" => Simple::B,
            "strong" => Simple::Strong,
            "i" => Simple::I,
            "em" => Simple::Em,
            "a" => Simple::A,
            "figure" => Simple::Figure,
            "figcaption" => Simple::Figcaption,
            "img" if !closing => Simple::Img,
            _ => return None,
        };
        Some((el, closing, &body[end..]))
    }

    /// The attributes of a start tag (`s` follows its name), and what follows the tag:
    /// only `a` and `img` have any. `None` for a tag written otherwise.
    #[allow(clippy::type_complexity)]
    fn attributes(self, s: &str) -> Option<(Vec<(Cow<'_, str>, Cow<'_, str>)>, &str)> {
        let mut rest = s;
        let mut attrs = Vec::new();
        loop {
            if let Some(after) = rest.strip_prefix('>') {
                return Some((attrs, after));
            }
            if !matches!(self, Simple::A | Simple::Img) {
                return None;
            }
            // ` name="value"`: a space, a lower-case name, a value in double quotes.
            let r = rest.strip_prefix(' ')?;
            let eq = r.find('=')?;
            let key = &r[..eq];
            if key.is_empty() || !key.bytes().all(|c| c.is_ascii_lowercase() || c == b'-') {
                return None;
            }
            let value = r[eq + 1..].strip_prefix('"')?;
            let close = memchr::memchr(b'"', value.as_bytes())?;
            let v = &value[..close];
            if memchr::memchr2(b'<', b'>', v.as_bytes()).is_some() {
                return None;
            }
            // Each attribute once, and a link with only its target.
            if attrs.iter().any(|(k, _): &(Cow<str>, Cow<str>)| k == key)
                || (self == Simple::A && key != "href")
            {
                return None;
            }
            attrs.push((Cow::Borrowed(key), super::events::decode(v)?));
            rest = &value[close + 1..];
        }
    }
}

/// Whether a link target gets a number (only web links do).
fn is_web(href: &str) -> bool {
    let starts = |scheme: &str| {
        href.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    };
    starts("http://") || starts("https://")
}

/// Split a trailing `Photograph: X` (and similar) off a caption.
fn split_credit(caption: &str) -> (String, Option<String>) {
    let bytes = caption.as_bytes();
    // Every mark holds a colon or " by": most captions have neither and are done at once.
    if memchr::memchr(b':', bytes).is_none() && !caption.contains(" by") {
        return (caption.to_string(), None);
    }
    match last_credit_mark(caption) {
        Some((i, m)) => {
            let credit = caption[i + m.len()..].trim().to_string();
            let rest = caption[..i].trim().to_string();
            if credit.is_empty() {
                (rest, None)
            } else {
                (rest, Some(credit))
            }
        }
        None => (caption.to_string(), None),
    }
}

/// What a caption's credit starts with.
const CREDIT_MARKS: [&str; 7] = [
    "Photograph:",
    "Photograph by",
    "Photo:",
    "Photo by",
    "Picture:",
    "Image:",
    "Credit:",
];

/// Where the mark of a credit that starts last in `caption` starts, and which mark it is.
fn last_credit_mark(caption: &str) -> Option<(usize, &'static str)> {
    // Every mark starts with one of these three ASCII letters, so the places to try are
    // found from the end by a byte search (a search for each mark would set up a searcher
    // for each); at any one place at most one mark can start.
    let bytes = caption.as_bytes();
    memchr::memrchr3_iter(b'P', b'I', b'C', bytes).find_map(|i| {
        CREDIT_MARKS
            .iter()
            .find(|m| bytes[i..].starts_with(m.as_bytes()))
            .map(|m| (i, *m))
    })
}

#[cfg(test)]
mod tests {
    use super::Writer;
    use proptest::prelude::*;

    #[test]
    fn feed_bodies_are_read_without_events() {
        for html in [
            r#"<p><strong>Storm.</strong> <a href="https://x.test/a">More</a>. Text.</p><figure><img src="https://i.test/1.jpg" alt="Pier"><figcaption>Waves. Photograph: Ann</figcaption></figure><p>Caf&eacute; &amp; bar.</p>"#,
            "<p>One</p>\n<p>Two <em>and</em> <b>three</b></p>",
            "",
        ] {
            assert!(Writer::start(html).simple(html).is_some(), "{html}");
        }
        for html in [
            "<p>open",
            "<div>x</div>",
            "<p>a<figure></figure></p>",
            "x <!-- c -->",
        ] {
            assert!(Writer::start(html).simple(html).is_none(), "{html}");
        }
    }

    proptest! {
        /// Copying a plain run whole gives what copying it word by word gives.
        #[test]
        fn whole_runs_match_word_by_word(
            before in "[a\n ]{0,2}",
            t in "[ab. \t\n\x0bé\u{a0}]{0,16}",
        ) {
            let mut whole = Writer { cur: before.clone(), ..Writer::default() };
            let mut words = Writer { cur: before, ..Writer::default() };
            whole.push_text(&t);
            words.push_words(&t);
            prop_assert_eq!(whole.cur, words.cur);
        }

        /// The last credit mark is the one that a search for each mark from the end finds
        /// last.
        #[test]
        fn the_last_credit_mark_is_the_latest_of_each_marks_last(
            caption in "(Photograph|Photo|Picture|Image|Credit|P|I|C|:| by|by|é| |x){0,12}",
        ) {
            let each = super::CREDIT_MARKS
                .iter()
                .filter_map(|m| caption.rfind(m).map(|i| (i, *m)))
                .max_by_key(|(i, _)| *i);
            prop_assert_eq!(super::last_credit_mark(&caption), each);
        }
    }
}
