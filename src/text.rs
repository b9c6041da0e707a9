//! Text from feeds: HTML to plain text, sanitizing, width-correct truncation.
//!
//! Everything a feed says is untrusted and ends up on a terminal, so every string is decoded
//! fully (entities, also double-encoded ones) and then [`sanitize`]d before it is stored.
//! The HTML walk is iterative (ego-tree's `traverse`), so deeply nested markup cannot
//! overflow the stack; beyond [`MAX_DEPTH`] nested elements the content is dropped.
//!
//! Image credits: a `<figure>`'s credit is the text of any element inside it whose class
//! contains `credit` or `copyright`; failing that, a trailing `Photograph: …`, `Photo: …`,
//! `Photo by …`, `Picture: …`, `Image: …` or `Credit: …` in the caption is split off as the
//! credit.

use crate::entry::Image;
use events::{Ev, Tag};
use scraper::Html;
use std::borrow::Cow;

mod events;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Elements nested deeper than this are ignored (with their text).
pub const MAX_DEPTH: usize = 512;

/// The result of turning an HTML fragment into terminal text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HtmlText {
    /// Plain text: paragraphs separated by one blank line, links marked `[N]`.
    pub text: String,
    /// Link targets, `links[0]` is `[1]`.
    pub links: Vec<String>,
    /// Figures found in the HTML (img + figcaption).
    pub images: Vec<Image>,
}

/// Turn an HTML fragment into clean text (sanitized).
pub fn html_to_text(html: &str) -> HtmlText {
    convert(html, events::walk)
}

/// A way to turn HTML into events ([`events::walk`] or, in tests, the html5ever path only).
type Walk = fn(&str, &mut dyn FnMut(Ev));

fn convert(html: &str, walk: Walk) -> HtmlText {
    let mut w = Writer::default();
    walk(html, &mut |ev| match ev {
        Ev::Open(tag) => w.open(&tag),
        Ev::Close(tag) => w.close(&tag),
        Ev::Text(t) => w.text(&t),
    });
    w.finish()
}

/// A one-line field (headline, author, caption): decode entities, drop tags, collapse
/// whitespace, sanitize.
pub fn plain(s: &str) -> String {
    let mut decoded = strip_markup(s);
    if looks_like_html(&decoded) {
        // Entity-encoded markup (`&lt;b&gt;`): the first pass revealed tags, drop them too.
        decoded = strip_markup(&decoded);
    }
    collapse_ws(&sanitize(&decoded))
}

/// Whether `s` holds something that looks like a tag (`<p`, `</`).
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'))
}

/// The text of an HTML fragment with entities decoded (twice if double-encoded); script and
/// style contents dropped, block boundaries and `<br>` turned into spaces.
fn strip_markup(s: &str) -> String {
    if !s.contains(['<', '&']) {
        return s.to_string();
    }
    let mut out = String::new();
    let mut skip = 0usize;
    events::walk(s, &mut |ev| match ev {
        Ev::Open(tag) if is_skipped(tag.name()) => skip += 1,
        Ev::Close(tag) if is_skipped(tag.name()) => skip = skip.saturating_sub(1),
        Ev::Open(tag) | Ev::Close(tag) => {
            if is_block(tag.name()) || tag.name() == "br" {
                out.push(' ');
            }
        }
        Ev::Text(t) if skip == 0 => out.push_str(&decode_again(&t)),
        Ev::Text(_) => {}
    });
    out
}

/// Plain text with line structure (JSON Feed `content_text`, plain `articleBody`): every
/// non-empty line is a paragraph (news bodies use a single line break between paragraphs as
/// often as a blank line), paragraphs are separated by one blank line, whitespace inside a
/// line is collapsed, and the result is sanitized.
pub fn paragraphs(s: &str) -> String {
    let clean = sanitize(&s.replace("\r\n", "\n").replace('\r', "\n"));
    let lines: Vec<String> = clean
        .lines()
        .map(collapse_ws)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n\n")
}

/// Decode HTML entities once (for text that is not markup, e.g. entity-encoded HTML).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    // Escape `<` so the parser sees only text; it then decodes every entity for us.
    let doc = Html::parse_fragment(&s.replace('<', "&lt;"));
    doc.root_element().text().collect()
}

/// Text already decoded once may still hold entities (`&amp;#39;` in the source).
fn decode_again(t: &str) -> Cow<'_, str> {
    if has_entity(t) {
        Cow::Owned(decode_entities(t))
    } else {
        Cow::Borrowed(t)
    }
}

/// Whether `s` contains something that looks like a complete entity reference.
fn has_entity(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = s[i..].find('&') {
        let start = i + p + 1;
        let mut j = start;
        if j < b.len() && b[j] == b'#' {
            j += 1;
            if j < b.len() && (b[j] == b'x' || b[j] == b'X') {
                j += 1;
            }
        }
        let name_start = j;
        while j < b.len() && b[j].is_ascii_alphanumeric() && j - name_start < 32 {
            j += 1;
        }
        if j > name_start && j < b.len() && b[j] == b';' {
            return true;
        }
        i = start;
    }
    false
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "iframe" | "template" | "svg" | "object" | "head"
    )
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "aside"
            | "main"
            | "nav"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "hr"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "figure"
            | "figcaption"
            | "address"
            | "details"
            | "summary"
            | "caption"
    )
}

/// One finished paragraph; `tight` ones (list items, table rows) following each other are
/// separated by a single newline instead of a blank line.
struct Para {
    text: String,
    tight: bool,
}

#[derive(Default)]
struct Writer {
    paras: Vec<Para>,
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
                    let mark = format!(" [{n}]");
                    self.push_raw(&mark);
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
        let decoded = decode_again(t);
        let t = sanitize_cow(&decoded);
        if let Some(fig) = self.figures.last_mut() {
            if fig.in_credit > 0 {
                fig.credit.push_str(&t);
                fig.credit.push(' ');
                return;
            }
            if fig.in_caption > 0 {
                fig.caption.push_str(&t);
                fig.caption.push(' ');
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
        for c in t.chars() {
            if c.is_whitespace() {
                self.space();
            } else {
                self.cur.push(c);
            }
        }
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

    fn flush(&mut self) {
        let mut body = std::mem::take(&mut self.cur);
        if self.quote == 0 && self.marker.is_none() && !body.contains('\n') {
            // The common case: one plain line, no prefixes.
            let trimmed = body.trim();
            if !trimmed.is_empty() {
                if trimmed.len() != body.len() {
                    body = trimmed.to_string();
                }
                self.paras.push(Para {
                    text: body,
                    tight: self.in_li || self.in_row,
                });
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
        self.paras.push(Para { text, tight });
    }

    fn finish(mut self) -> HtmlText {
        self.flush();
        let mut text = String::new();
        let mut prev_tight = false;
        for (i, p) in self.paras.iter().enumerate() {
            if i > 0 {
                text.push_str(if prev_tight && p.tight { "\n" } else { "\n\n" });
            }
            text.push_str(&p.text);
            prev_tight = p.tight;
        }
        // Every piece was sanitized on the way in, and joining clean pieces cannot create a
        // forbidden character, so the text needs no second pass.
        debug_assert!(!text.chars().any(is_forbidden));
        if text.trim().len() != text.len() {
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
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Split a trailing `Photograph: X` (and similar) off a caption.
fn split_credit(caption: &str) -> (String, Option<String>) {
    const MARKS: [&str; 7] = [
        "Photograph:",
        "Photograph by",
        "Photo:",
        "Photo by",
        "Picture:",
        "Image:",
        "Credit:",
    ];
    let best = MARKS
        .iter()
        .filter_map(|m| caption.rfind(m).map(|i| (i, *m)))
        .max_by_key(|(i, _)| *i);
    match best {
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

/// Whether `c` may never reach the terminal.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// Remove everything that could act on a terminal (controls, escape sequences, bidi
/// overrides, zero-width characters). Keeps `\n` and `\t`. Idempotent.
///
/// Escape sequences are removed whole: CSI (`ESC [` or U+009B, parameters, final byte),
/// string sequences (OSC, DCS, SOS, PM, APC, 7- or 8-bit, up to BEL, ST or a line end) and
/// two-character `ESC x` sequences. Since the output holds no forbidden character at all, a
/// second pass finds nothing to remove.
pub fn sanitize(s: &str) -> String {
    sanitize_cow(s).into_owned()
}

/// [`sanitize`] without copying text that is already clean.
fn sanitize_cow(s: &str) -> Cow<'_, str> {
    if !suspect_bytes(s) || !s.chars().any(is_forbidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\u{1b}' => match it.peek().copied() {
                Some('[') => {
                    it.next();
                    skip_csi(&mut it);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    it.next();
                    skip_string(&mut it);
                }
                Some(' '..='/') => {
                    while it.next_if(|c| (' '..='/').contains(c)).is_some() {}
                    it.next_if(|c| ('0'..='~').contains(c));
                }
                Some('0'..='~') => {
                    it.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut it),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut it),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A fast byte-level pre-check: `false` means `s` has no forbidden character. (It may say
/// `true` for a few harmless characters such as U+200D; the exact check follows.)
fn suspect_bytes(s: &str) -> bool {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    b.iter().enumerate().any(|(i, &c)| match c {
        0..=8 | 11..=31 | 0x7f => true,
        0xc2 => (0x80..=0x9f).contains(&at(i + 1)),
        0xd8 => at(i + 1) == 0x9c,
        0xe2 => matches!(
            (at(i + 1), at(i + 2)),
            (0x80, 0x8b..=0x8f | 0xaa..=0xae) | (0x81, 0xa0..=0xa4 | 0xa6..=0xa9)
        ),
        0xef => at(i + 1) == 0xbb && at(i + 2) == 0xbf,
        _ => false,
    })
}

/// Skip a CSI's parameter and intermediate bytes and its final byte.
fn skip_csi(it: &mut std::iter::Peekable<std::str::Chars>) {
    while it.next_if(|c| ('0'..='?').contains(c)).is_some() {}
    while it.next_if(|c| (' '..='/').contains(c)).is_some() {}
    it.next_if(|c| ('@'..='~').contains(c));
}

/// Skip a control string up to its terminator (BEL, ESC \, U+009C) or a line end.
fn skip_string(it: &mut std::iter::Peekable<std::str::Chars>) {
    while let Some(&c) = it.peek() {
        match c {
            '\u{7}' | '\u{9c}' => {
                it.next();
                return;
            }
            '\u{1b}' => {
                it.next();
                it.next_if(|c| *c == '\\');
                return;
            }
            '\n' => return,
            _ => {
                it.next();
            }
        }
    }
}

/// Display width in terminal cells (the sum of its graphemes' widths, as the renderer counts).
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cut `s` to at most `max` cells without splitting a grapheme (adds `…` when cut).
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1;
    let mut used = 0;
    let mut out = String::new();
    for g in s.graphemes(true) {
        let w = UnicodeWidthStr::width(g);
        if used + w > budget {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paragraphs_and_breaks() {
        let t = html_to_text("<p>One\n   two</p><p>Three<br>four</p>\n\n<div>five</div>");
        assert_eq!(t.text, "One two\n\nThree\nfour\n\nfive");
    }

    #[test]
    fn breaks_never_make_two_blank_lines() {
        let t = html_to_text("<p>a<br><br><br><br>b</p><ul><li><p>item</p></li></ul>");
        assert_eq!(t.text, "a\n\nb\n\n• item");
        let t = html_to_text("<blockquote>q<br><br>r</blockquote>");
        assert_eq!(t.text, "│ q\n│\n│ r");
    }

    #[test]
    fn lists_and_headings() {
        let t =
            html_to_text("<h2>Head</h2><ul><li>a</li><li>b</li></ul><ol><li>x</li><li>y</li></ol>");
        assert_eq!(t.text, "Head\n\n• a\n• b\n1. x\n2. y");
    }

    #[test]
    fn blockquote_prefixes_lines() {
        let t = html_to_text("<p>said:</p><blockquote><p>one<br>two</p></blockquote>");
        assert_eq!(t.text, "said:\n\n│ one\n│ two");
    }

    #[test]
    fn links_numbered_web_only() {
        let t = html_to_text(
            r#"<p>See <a href="https://a.example/">this</a>, <a href="mailto:x@y">mail</a> and <a href="https://a.example/">again</a> <a href="http://b.example">b</a></p>"#,
        );
        assert_eq!(t.text, "See this [1], mail and again [1] b [2]");
        assert_eq!(t.links, ["https://a.example/", "http://b.example"]);
    }

    #[test]
    fn figures_with_caption_and_credit() {
        let t = html_to_text(
            r#"<p>a</p><figure><img src="https://i/1.jpg" alt="alt"><figcaption>Crowds gather. Photograph: Jane Doe/AP</figcaption></figure><figure><img src="https://i/2.jpg"><figcaption>Rain <span class="credit">Agency</span></figcaption></figure><img src="https://i/3.jpg" alt="loose">"#,
        );
        assert_eq!(t.text, "a");
        assert_eq!(t.images.len(), 3);
        assert_eq!(t.images[0].caption.as_deref(), Some("Crowds gather."));
        assert_eq!(t.images[0].credit.as_deref(), Some("Jane Doe/AP"));
        assert_eq!(t.images[1].caption.as_deref(), Some("Rain"));
        assert_eq!(t.images[1].credit.as_deref(), Some("Agency"));
        assert_eq!(t.images[2].caption.as_deref(), Some("loose"));
    }

    #[test]
    fn tables_scripts_and_entities() {
        let t = html_to_text(
            "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table><script>alert(1)</script><style>p{}</style><noscript>no</noscript><p>it&amp;#39;s &lt;fine&gt;</p>",
        );
        assert_eq!(t.text, "A | B\n1 | 2\n\nit's <fine>");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = format!("{}deep{}", "<div>".repeat(2_000), "</div>".repeat(2_000));
        let t = html_to_text(&format!("<p>top</p>{html}"));
        assert_eq!(t.text, "top");
    }

    #[test]
    fn plain_decodes_twice_and_collapses() {
        assert_eq!(
            plain("  Don&amp;#39;t <b>panic</b>\n now "),
            "Don't panic now"
        );
        assert_eq!(plain("&ldquo;Quote&rdquo;\n"), "\u{201c}Quote\u{201d}");
        assert_eq!(plain("a \u{202e} b"), "a b");
        assert_eq!(plain("x < y"), "x < y");
    }

    #[test]
    fn paragraphs_keep_structure() {
        assert_eq!(
            paragraphs("  a  b \r\n c\n\n\n\n d\u{1b}[1m \re"),
            "a b\n\nc\n\nd\n\ne"
        );
    }

    #[test]
    fn sanitize_removes_sequences_whole() {
        assert_eq!(sanitize("a\u{1b}[0;36mb\u{1b}[0m"), "ab");
        assert_eq!(sanitize("a\u{1b}]0;title\u{7}b"), "ab");
        assert_eq!(sanitize("a\u{1b}]8;;http://x\u{1b}\\b"), "ab");
        assert_eq!(sanitize("a\u{9b}31mb\u{9d}2;t\u{9c}c"), "abc");
        assert_eq!(sanitize("a\u{1b}(Bb\u{1b}7c"), "abc");
        assert_eq!(sanitize("a\u{1b}Pq#0\u{1b}\\b"), "ab");
        assert_eq!(
            sanitize("l\u{202e}r\u{2066}\u{200b}\u{feff}x\u{0}\u{7f}\r"),
            "lrx"
        );
        assert_eq!(
            sanitize("keep\ttab\nline 👨\u{200d}👩"),
            "keep\ttab\nline 👨\u{200d}👩"
        );
    }

    #[test]
    fn width_and_truncate_respect_graphemes() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("日本"), 4);
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
    }

    proptest! {
        #[test]
        fn sanitize_is_idempotent_and_clean(s in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}-\u{200f}\u{feff}\\[\\];m0-9])*") {
            let once = sanitize(&s);
            prop_assert_eq!(sanitize(&once), once.clone());
            prop_assert!(!once.chars().any(is_forbidden));
        }

        #[test]
        fn html_text_is_clean(s in "(<p>|</p>|<br>|<li>|<ul>|</ul>|<ol>|<blockquote>|</blockquote>|<pre>|<td>|<tr>|<figure>|<figcaption>|<img src=x>|&#27;|&#x9b;|&amp;amp;|\\PC| |\n|\u{1b}\\[31m|<a href=\"https://x\">|</a>)*") {
            let t = html_to_text(&s);
            prop_assert!(!t.text.chars().any(is_forbidden));
            prop_assert!(!t.text.contains("\n\n\n"), "{:?}", t.text);
            prop_assert_eq!(t.text.trim(), t.text.as_str());
            let p = plain(&s);
            prop_assert!(!p.chars().any(is_forbidden) && !p.contains('\n'));
        }

        #[test]
        fn fast_path_matches_html5ever(s in "(<p>|</p>|<br>|<li>|</li>|<ul>|</ul>|<ol>|</ol>|<blockquote>|</blockquote>|<figure>|</figure>|<figcaption>|</figcaption>|<b>|</b>|<div>|</div>|<h2>|</h2>|<img src=x alt=y>|<span class=credit>|</span>|&amp;|&lt;|&ndash;|&#39;|&#x2B;|AT&T|x < y|<!-- c -->|<br/>|<P>|</P>|<img src='q' alt=\"A&amp;B\">|<span class=\"photo-credit\">|a|b| |\n|\t|<a href=\"https://x\">|<a href=\"https://y?a=1&amp;b=2\">|<a href=mailto:z>|</a>)*") {
            prop_assert_eq!(html_to_text(&s), convert(&s, events::walk_tree));
        }

        #[test]
        fn truncate_never_exceeds(s in "\\PC*", max in 0usize..20) {
            let t = truncate(&s, max);
            prop_assert!(width(&t) <= max);
        }
    }
}
