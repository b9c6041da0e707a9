//! The HTML-to-text writer: turns open/close/text events into paragraphs, list items,
//! quotes, numbered links and figures.

use super::events::{Ev, Tag};
use super::{HtmlText, collapse_ws, decode_again, is_block, is_forbidden, is_skipped, plain};
use super::{sanitize, sanitize_cow};
use crate::entry::Image;

/// A way to turn HTML into events ([`events::walk`] or, in tests, the html5ever path only).
pub(super) type Walk = fn(&str, &mut dyn FnMut(Ev));

thread_local! {
    /// The buffer a body is written in when the thread has none given back: it is then
    /// copied out at its size, and the buffer serves the thread's next body.
    static WRITING: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    /// The buffer the paragraph being written is built in.
    static PARAGRAPHS: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

pub(super) fn convert(html: &str, walk: Walk) -> HtmlText {
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
    let mut w = Writer {
        text,
        given,
        cur,
        ..Writer::default()
    };
    walk(html, &mut |ev| match ev {
        Ev::Open(tag) => w.open(&tag),
        Ev::Close(tag) => w.close(&tag),
        Ev::Text(t) => w.text(&t),
        Ev::Restart => {
            let (mut text, mut cur) = (std::mem::take(&mut w.text), std::mem::take(&mut w.cur));
            text.clear();
            cur.clear();
            w = Writer {
                text,
                given: w.given,
                cur,
                ..Writer::default()
            };
        }
    });
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
            "a" => {
                if let Some(Some(n)) = self.anchors.pop() {
                    use std::fmt::Write;
                    // Never fails: it writes to a string.
                    let _ = write!(self.cur, " [{n}]");
                }
            }
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
