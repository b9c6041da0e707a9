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
//!
//! Markup nested deeper than [`MAX_DEPTH`] is cut by [`limit_depth`] before html5ever parses
//! it (html5ever's time grows with the square of the depth).
//!
//! Inside: `events` turns HTML into open/close/text events (a fast scanner for simple markup,
//! html5ever for the rest), `convert` writes those events as text, `sanitize` cleans text.

mod convert;
mod depth;
mod events;
mod sanitize;

pub use depth::limit_depth;
pub use sanitize::{is_forbidden, sanitize};

use crate::entry::Image;
#[cfg(test)]
use convert::convert;
use events::Ev;
pub(crate) use sanitize::sanitize_cow;
use scraper::Html;
use std::borrow::Cow;
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
    convert::convert_simple_first(html)
}

thread_local! {
    /// A body given back by [`give_back`], for the thread's next [`html_to_text`].
    static SPARE: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Gives an entry's body, read and no longer needed, to this thread's next
/// [`html_to_text`] to write in. That text is then not trimmed to its size: the caller
/// means to give it back too (as the poller does once it has folded an entry), so that
/// reading a document allocates one buffer per thread for its bodies, not one per entry.
pub fn give_back(text: String) {
    crate::scratch::keep(&SPARE, text);
}

/// A one-line field (headline, author, caption): decode entities, drop tags, collapse
/// whitespace, sanitize.
pub fn plain(s: &str) -> String {
    if plain_ascii(s, true) {
        // The common case (a headline, a name): nothing to decode, remove or collapse.
        return s.trim_matches(' ').to_string();
    }
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
    if memchr::memchr2(b'<', b'&', s.as_bytes()).is_none() {
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
        Ev::Restart => {
            out.clear();
            skip = 0;
        }
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
    while let Some(p) = memchr::memchr(b'&', &b[i..]) {
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
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `s` is printable ASCII with single spaces between words, and, when
/// `markup_free`, holds no `<` or `&` (a one-line field that [`plain`] would only trim).
fn plain_ascii(s: &str, markup_free: bool) -> bool {
    // Two passes without early exits, which the compiler turns into vector instructions.
    let b = s.as_bytes();
    let markup = u8::from(markup_free);
    let odd = b.iter().fold(0u8, |acc, &c| {
        acc | u8::from(!(0x20..0x7f).contains(&c))
            | (markup & (u8::from(c == b'<') | u8::from(c == b'&')))
    });
    let doubled = b.iter().zip(b.iter().skip(1)).fold(0u8, |acc, (&x, &y)| {
        acc | (u8::from(x == b' ') & u8::from(y == b' '))
    });
    odd | doubled == 0
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

/// Display width in terminal cells (the sum of its graphemes' widths, as the renderer counts).
pub fn width(s: &str) -> usize {
    if single_cells(s) {
        return s.chars().count();
    }
    graphemes_width(s)
}

/// The width of `s` counted grapheme by grapheme.
fn graphemes_width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Whether every character of `s` is one cell wide and a grapheme of its own (see
/// [`single_cell`]). Most of what a frame measures, cuts and draws (headlines, names, the
/// words of a body, in English and in most languages written in Latin letters) is, and
/// telling it apart costs far less than splitting it into graphemes.
pub fn single_cells(s: &str) -> bool {
    s.chars().all(single_cell)
}

/// Whether `c` is one cell wide and forms a grapheme alone beside any other such
/// character: printable ASCII, the Latin letters and signs up to U+02FF but the soft
/// hyphen, the dashes, quotes, bullets and ellipsis of U+2010–U+2027, and box drawing. No
/// combining mark, joiner, variation selector or wide character is one, so a text made of
/// them alone never joins two characters into one grapheme.
fn single_cell(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{ac}' | '\u{ae}'..='\u{2ff}' | '\u{2010}'..='\u{2027}' | '\u{2500}'..='\u{257f}')
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
    if single_cells(s) {
        let end = s.char_indices().nth(budget).map_or(s.len(), |(at, _)| at);
        return format!("{}…", &s[..end]);
    }
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

/// One line for a sink that cannot take line breaks (notifications, titles): sanitized,
/// with newlines and tabs turned into spaces.
pub fn one_line(s: &str) -> String {
    sanitize(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Standard base64 with padding (for OSC 52).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The byte offset and length of the first whitespace character in `s`: bytes at a time
/// through ASCII, a character at a time through the rest.
pub(crate) fn find_space(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if b.is_ascii_whitespace() || b == 0x0b {
                return Some((i, 1));
            }
            i += 1;
        } else {
            // `i` is on a character boundary: only whole characters are stepped over.
            let c = s.get(i..)?.chars().next()?;
            if c.is_whitespace() {
                return Some((i, c.len_utf8()));
            }
            i += c.len_utf8();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_body_given_back_is_written_in_and_not_trimmed() {
        let html = "<p>One <b>two</b></p><p>AT&T <x y='1'>three</p>";
        let fresh = html_to_text(html);
        assert_eq!(
            fresh.text.capacity(),
            fresh.text.len(),
            "trimmed to its size"
        );
        give_back(String::with_capacity(4096));
        let given = html_to_text(html);
        assert_eq!(given.text, fresh.text);
        assert_eq!(
            given.text.capacity(),
            4096,
            "written in the body given back"
        );
        // Taken: the next one is a new string again.
        assert_eq!(html_to_text(html).text.capacity(), fresh.text.len());
        // A body given back with text in it is emptied first.
        give_back("left over".repeat(100));
        assert_eq!(html_to_text(html).text, fresh.text);
    }

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
        // The scheme in any case; not a scheme alone, nor another one.
        let t = html_to_text(
            r#"<p><a href="HTTPS://c.example/">c</a> <a href="Http://d.example">d</a> <a href="http:/">e</a> <a href="ftp://f.example">f</a></p>"#,
        );
        assert_eq!(t.text, "c [1] d [2] e f");
        assert_eq!(t.links, ["HTTPS://c.example/", "Http://d.example"]);
    }

    #[test]
    fn plain_ascii_is_single_spaced_printable_ascii() {
        // (text, plain as a text run, plain as a one-line field)
        let cases = [
            ("Storm reaches the coast", true, true),
            (" leading and trailing ", true, true),
            ("", true, true),
            ("a & b", true, false),
            ("1 < 2", true, false),
            ("two  spaces", false, false),
            ("tab\there", false, false),
            ("line\nbreak", false, false),
            ("caf\u{e9}", false, false),
            ("del\u{7f}", false, false),
        ];
        for (text, run, line) in cases {
            assert_eq!(plain_ascii(text, false), run, "{text:?}");
            assert_eq!(plain_ascii(text, true), line, "{text:?}");
        }
    }

    #[test]
    fn find_space_finds_every_kind_of_space() {
        assert_eq!(find_space("ab cd"), Some((2, 1)));
        assert_eq!(find_space("é\u{a0}x"), Some((2, 2)));
        assert_eq!(find_space("日本\u{3000}"), Some((6, 3)));
        assert_eq!(find_space("a\u{b}b"), Some((1, 1)));
        assert_eq!(find_space("\tx"), Some((0, 1)));
        assert_eq!(find_space("naïve"), None);
        assert_eq!(find_space(""), None);
    }

    #[test]
    fn caption_words_split_by_inline_markup_stay_whole() {
        let t = html_to_text(
            r#"<figure><img src="https://i/1.jpg"><figcaption>Waves <b>x</b>y hit<p>the</p><p>pier</p><span class="credit">AF<i>P</i></span></figcaption></figure>"#,
        );
        assert_eq!(
            t.images[0].caption.as_deref(),
            Some("Waves xy hit the pier")
        );
        assert_eq!(t.images[0].credit.as_deref(), Some("AFP"));
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
    fn separators_follow_each_sink() {
        // One-line fields: a space.
        assert_eq!(plain("Storm\u{2028}update&#x2029;now"), "Storm update now");
        assert_eq!(one_line("a\u{2028}b\u{2029}c"), "a b c");
        // Plain-text bodies: a new paragraph.
        assert_eq!(
            paragraphs("first\u{2028}second\u{2029}third"),
            "first\n\nsecond\n\nthird"
        );
        // HTML: line structure comes from the markup; inside a run they are spaces.
        assert_eq!(html_to_text("<p>a&#x2028;b\u{2029}c</p>").text, "a b c");
    }

    #[test]
    fn entities_cannot_bring_invisible_characters_back() {
        assert_eq!(plain("co&shy;op&#173;er&#xAD;ation"), "cooperation");
        assert_eq!(plain("x&amp;shy;y&zwnj;z"), "xy\u{200c}z");
        assert_eq!(plain("a&#x3164;b&#xE0041;c&#x180E;d&#x34F;e"), "abcde");
        assert_eq!(
            html_to_text("<p>soft&shy;ly &#x115F;&#xFFA0;x</p>").text,
            "softly x"
        );
        assert_eq!(plain("&#x1F468;&zwj;&#x1F469;"), "👨\u{200d}👩");
    }

    /// Every character taken for a single cell is one cell wide, and a text of all of them,
    /// each also beside itself and beside ASCII, splits into one grapheme per character.
    #[test]
    fn single_cells_are_one_cell_and_one_grapheme_each() {
        let all: Vec<char> = (0..=0x2fff_u32)
            .filter_map(char::from_u32)
            .filter(|&c| single_cell(c))
            .collect();
        assert_eq!(all.len(), 95 + 13 + 594 + 24 + 128);
        for &c in &all {
            assert_eq!(UnicodeWidthStr::width(c.to_string().as_str()), 1, "{c:?}");
        }
        let text: String = all.iter().flat_map(|&c| [c, c, 'a', c, ' ']).collect();
        assert_eq!(text.graphemes(true).count(), text.chars().count());
        assert_eq!(width(&text), graphemes_width(&text));
        // Outside them: a soft hyphen, a combining mark, a joiner, a wide character, a
        // line separator, a bidi isolate.
        for s in [
            "a\u{ad}b",
            "e\u{301}",
            "a\u{200d}b",
            "日本",
            "a\u{2028}b",
            "\u{2066}",
        ] {
            assert!(!single_cells(s), "{s:?}");
        }
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

    /// Text, bold, italic and links, as feeds put them in a paragraph or a caption.
    fn inline() -> impl Strategy<Value = String> {
        let link = ("[a-z ]{0,8}", 0..4usize).prop_map(|(t, i)| {
            let href = [
                "https://x.test/1",
                "https://x.test/2",
                "mailto:m@x.test",
                "https://x.test/?a=1&amp;b=2",
            ][i];
            format!("<a href=\"{href}\">{t}</a>")
        });
        prop_oneof![
            4 => "[a-zA-Z.,:é ]{0,12}",
            1 => Just("&amp; &#39;".to_string()),
            1 => Just(" \n\t ".to_string()),
            1 => "[a-z ]{0,8}".prop_map(|t| format!("<strong>{t}</strong>")),
            1 => "[a-z ]{0,8}".prop_map(|t| format!("<em>{t}<b>x</b></em><i>{t}</i>")),
            2 => link,
            1 => Just("<img src=\"https://i.test/2.jpg\" alt=\"In &amp; out\">".to_string()),
        ]
    }

    /// A body of paragraphs and figures, with text between them, and now and then markup
    /// the direct reader leaves to the events.
    fn simple_body() -> impl Strategy<Value = String> {
        let paragraph =
            prop::collection::vec(inline(), 0..6).prop_map(|v| format!("<p>{}</p>", v.concat()));
        let figure = (
            prop::collection::vec(inline(), 0..4),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(caption, img, credit)| {
                let img = if img {
                    r#"<img src="https://i.test/1.jpg" alt="Alt">"#
                } else {
                    ""
                };
                let credit = if credit {
                    r#" <span class="credit">Ann</span>"#
                } else {
                    " Photograph: Bo"
                };
                let caption = caption.concat();
                format!("<figure>{img}<figcaption>{caption}{credit}</figcaption></figure>")
            });
        let odd = prop_oneof![
            Just("<p>open".to_string()),
            Just("<p><p>".to_string()),
            Just("<P>x</P>".to_string()),
            Just("<a href=\"https://x.test/3\" class=\"c\">c</a>".to_string()),
            Just("<br>".to_string()),
            Just("</b>".to_string()),
        ];
        let block = prop_oneof![
            6 => paragraph,
            2 => figure,
            1 => inline(),
            1 => Just("\n".to_string()),
            1 => odd,
        ];
        prop::collection::vec(block, 0..6).prop_map(|v| v.concat())
    }

    #[test]
    fn what_came_before_the_scanner_gave_up_is_not_kept_twice() {
        let html = "<p>one</p><p>two &foo; three</p><table><tr><td>four</td></tr></table>";
        let t = html_to_text(html);
        assert_eq!(t.text.matches("one").count(), 1, "{:?}", t.text);
        assert_eq!(t, convert(html, events::walk_tree));
        assert_eq!(plain("<b>one</b> AT&T"), "one AT&T");
    }

    proptest! {
        #[test]
        fn sanitize_is_idempotent_and_clean(s in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}-\u{200f}\u{2028}\u{2029}\u{ad}\u{34f}\u{115f}\u{1160}\u{180e}\u{3164}\u{ffa0}\u{feff}\u{fe0f}\u{e0000}-\u{e007f}\u{2060}-\u{206f}\\[\\];m0-9])*") {
            let once = sanitize(&s);
            prop_assert_eq!(sanitize(&once), once.clone());
            prop_assert!(!once.chars().any(is_forbidden));
        }

        #[test]
        fn html_text_is_clean(s in "(<p>|</p>|<br>|<li>|<ul>|</ul>|<ol>|<blockquote>|</blockquote>|<pre>|<td>|<tr>|<figure>|<figcaption>|<img src=x>|&#27;|&#x9b;|&amp;amp;|&shy;|&#x2028;|&#x2029;|&#xE0041;|\u{2028}|\u{ad}|\\PC| |\n|\u{1b}\\[31m|<a href=\"https://x\">|</a>)*") {
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

        /// Bodies built as feeds write them (and some the direct reader gives up on part
        /// way) read as html5ever and the event scanner read them.
        #[test]
        fn simple_bodies_read_as_html5ever_reads_them(s in simple_body()) {
            let direct = html_to_text(&s);
            prop_assert_eq!(&direct, &convert(&s, events::walk));
            prop_assert_eq!(direct, convert(&s, events::walk_tree));
        }

        #[test]
        fn truncate_never_exceeds(s in "\\PC*", max in 0usize..20) {
            let t = truncate(&s, max);
            prop_assert!(width(&t) <= max);
        }

        /// Text of single cells is measured and cut by its characters exactly as by its
        /// graphemes.
        #[test]
        fn single_cells_are_measured_as_graphemes_are(
            s in "[ -~]{0,30}|[ -~\u{a0}-\u{2ff}\u{2010}-\u{2027}\u{2500}-\u{257f}]{0,30}|[ -~\t\né\u{301}\u{ad}日\u{200d}]{0,30}",
            max in 0usize..32,
        ) {
            prop_assert_eq!(width(&s), graphemes_width(&s));
            let t = truncate(&s, max);
            prop_assert_eq!(width(&t), graphemes_width(&t));
            let cut: String = s.chars().take(max.saturating_sub(1)).collect();
            let want = if graphemes_width(&s) <= max {
                s.clone()
            } else if max == 0 {
                String::new()
            } else {
                format!("{cut}…")
            };
            if single_cells(&s) {
                prop_assert_eq!(t, want);
            }
        }
    }
}
