//! A hostile corpus: escape sequences, controls, bidi controls, zero-width and other invisible
//! characters (soft hyphens, tag characters, Hangul fillers, line separators...), in every
//! field of every format, in every encoding a feed can use, pushed through every sink that
//! reaches a terminal (the screen, `--print`/`--follow`, the clipboard, notifications, the
//! browser).
//!
//! The corpus is generated: payload classes × encodings × placements × formats. Every
//! combination is its own document, so one rejected document (strict XML, say) never hides
//! the others. A document may be refused by its parser (that is a clean outcome and is
//! counted); one that parses must keep its entry, and every string in it must be clean.

mod support;

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::OnceLock;

use livefeed::entry::{Entry, Snapshot};
use livefeed::keymap::Keymap;
use livefeed::model::{Model, Msg, PollResult, safe_url};
use livefeed::text::{is_forbidden, one_line, sanitize};
use livefeed::theme::Theme;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use support::{Pty, TIMEOUT};

// ---------------------------------------------------------------------------------------
// The corpus

/// Payload classes: what a hostile feed may try to send to the terminal.
const CLASSES: &[(&str, &str)] = &[
    // C0 and DEL
    ("nul", "\u{0}"),
    ("bel", "\u{7}"),
    ("backspace", "x\u{8}\u{8}\u{8}"),
    ("vt", "\u{b}"),
    ("ff", "\u{c}"),
    ("cr-overwrite", "safe\rEVIL"),
    ("shift-out", "\u{e}"),
    ("shift-in", "\u{f}"),
    ("sub", "\u{1a}"),
    ("lone-esc", "\u{1b}"),
    ("del", "\u{7f}"),
    // C1 as characters
    ("nel", "\u{85}"),
    ("ri", "\u{8d}"),
    ("st", "\u{9c}"),
    // CSI
    ("sgr-red", "\u{1b}[31mRED\u{1b}[0m"),
    ("erase-screen", "\u{1b}[2J"),
    ("erase-line", "\u{1b}[2K"),
    ("cursor-home", "\u{1b}[H"),
    ("cursor-move", "\u{1b}[10;10H"),
    ("cursor-up", "\u{1b}[5A"),
    ("alt-screen", "\u{1b}[?1049h"),
    ("hide-cursor", "\u{1b}[?25l"),
    ("device-status", "\u{1b}[6n"),
    ("device-attributes", "\u{1b}[c"),
    ("title-report", "\u{1b}[21t"),
    ("window-ops", "\u{1b}[8;1;1t"),
    ("mouse-on", "\u{1b}[?1000h"),
    ("csi-intermediate", "\u{1b}[ q"),
    // OSC
    ("osc0-title", "\u{1b}]0;pwned\u{7}"),
    ("osc2-title-st", "\u{1b}]2;pwned\u{1b}\\"),
    (
        "osc8-link",
        "\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    ),
    ("osc52-write", "\u{1b}]52;c;cHduZWQ=\u{7}"),
    ("osc52-read", "\u{1b}]52;c;?\u{7}"),
    ("osc-unterminated", "\u{1b}]0;pwned"),
    ("osc9-notify", "\u{1b}]9;pwned\u{7}"),
    // DCS, APC, PM, SOS
    ("decrqss", "\u{1b}P$qm\u{1b}\\"),
    ("xtgettcap", "\u{1b}P+q544e\u{1b}\\"),
    ("apc-graphics", "\u{1b}_Gf=100;AAAA\u{1b}\\"),
    ("pm", "\u{1b}^private\u{1b}\\"),
    ("sos", "\u{1b}Xstring\u{1b}\\"),
    // two-character ESC sequences
    ("reset", "\u{1b}c"),
    ("save-cursor", "\u{1b}7"),
    ("line-drawing-charset", "\u{1b}(0"),
    ("decaln", "\u{1b}#8"),
    // 8-bit forms
    ("csi8-red", "\u{9b}31m"),
    ("csi8-erase", "\u{9b}2J"),
    ("osc8bit-title", "\u{9d}0;pwned\u{9c}"),
    ("osc8bit-clipboard", "\u{9d}52;c;cHduZWQ=\u{7}"),
    ("dcs8-decrqss", "\u{90}$qm\u{9c}"),
    ("apc8", "\u{9f}x\u{9c}"),
    // bidi (Trojan Source)
    ("rlo", "user\u{202e}gnp.exe"),
    ("lre-pdf", "\u{202a}x\u{202c}"),
    ("rle-lro", "\u{202b}\u{202d}x"),
    (
        "isolates",
        "if admin \u{2067}\u{2066}// check\u{2069}\u{2066} {",
    ),
    ("fsi", "\u{2068}x\u{2069}"),
    ("lrm-rlm-alm", "\u{200e}\u{200f}\u{61c}"),
    // zero-width spoofing
    ("zwsp", "pay\u{200b}pal"),
    ("word-joiner", "pay\u{2060}pal"),
    ("invisible-ops", "a\u{2061}\u{2062}\u{2063}\u{2064}b"),
    ("bom", "\u{feff}bank"),
    // line and paragraph separators (become line breaks, then spaces in one-line fields)
    ("line-separator", "\u{2028}one\u{2028}two"),
    ("paragraph-separator", "\u{2029}one\u{2029}\u{2029}two"),
    // invisible and default-ignorable characters
    ("soft-hyphen", "\u{ad}co\u{ad}op\u{ad}er\u{ad}ation"),
    (
        "tag-smuggling",
        "\u{e0001}note\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}\u{e007f}",
    ),
    (
        "tag-flag",
        "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
    ),
    ("mongolian-vowel-separator", "\u{180e}pay\u{180e}pal"),
    ("hangul-fillers", "\u{3164}\u{115f}\u{1160}name\u{ffa0}"),
    ("combining-grapheme-joiner", "\u{34f}a\u{34f}b"),
    ("arabic-letter-mark", "\u{61c}abc"),
    ("lrm-first", "\u{200e}x\u{200f}"),
    ("khmer-inherent-vowels", "\u{17b4}x\u{17b5}"),
    (
        "deprecated-format",
        "\u{206a}\u{206b}\u{206c}x\u{206d}\u{206e}\u{206f}",
    ),
    (
        "interlinear-annotation",
        "\u{fff9}base\u{fffa}hidden\u{fffb}",
    ),
    ("unassigned-ignorable", "\u{2065}x\u{e0080}\u{e0fff}"),
    ("format-controls", "\u{1bca0}x\u{1d173}\u{1d17a}"),
    // not hostile: emoji sequences need ZWJ and VS16, which must survive
    (EMOJI_CLASS, EMOJI),
];

/// Emoji with ZERO WIDTH JOINER and VARIATION SELECTOR-16; every field must keep them.
const EMOJI: &str = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{2764}\u{fe0f}";
const EMOJI_CLASS: &str = "emoji-zwj-vs16";

/// How the payload is written into the document.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Enc {
    /// The characters themselves (JSON writes C0 as `\u00XX`, as it must).
    Raw,
    /// Every non-ASCII or control character as a JSON `\uXXXX` escape.
    JsonEscape,
    /// Every forbidden character as a decimal HTML entity (`&#27;`, `&#155;`).
    Decimal,
    /// As a hexadecimal HTML entity (`&#x1b;`, `&#x9b;`).
    Hex,
    /// Entity-encoded twice (`&amp;#x1b;`).
    Double,
    /// Split across an HTML tag after its first character (`\x1b<b>[31m</b>`).
    TagSplit,
    /// As a named HTML entity where there is one (`&shy;`, `&lrm;`), else hexadecimal.
    Named,
}

const ENCODINGS: [Enc; 7] = [
    Enc::Raw,
    Enc::JsonEscape,
    Enc::Decimal,
    Enc::Hex,
    Enc::Double,
    Enc::TagSplit,
    Enc::Named,
];

/// Where in an entry the payload goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Headline,
    Body,
    Author,
    Caption,
    Credit,
    Url,
    Link,
    Id,
    /// First character at the end of the headline, the rest at the start of the body.
    SplitFields,
}

const PLACES: [Place; 9] = [
    Place::Headline,
    Place::Body,
    Place::Author,
    Place::Caption,
    Place::Credit,
    Place::Url,
    Place::Link,
    Place::Id,
    Place::SplitFields,
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fmt {
    JsonFeed,
    JsonLd,
    Rss,
    Guardian,
}

const FORMATS: [Fmt; 4] = [Fmt::JsonFeed, Fmt::JsonLd, Fmt::Rss, Fmt::Guardian];

impl Fmt {
    fn is_json(self) -> bool {
        self != Fmt::Rss
    }
}

fn entity(c: char, enc: Enc) -> String {
    match enc {
        Enc::Decimal => format!("&#{};", c as u32),
        Enc::Hex => format!("&#x{:x};", c as u32),
        Enc::Double => format!("&amp;#x{:x};", c as u32),
        Enc::Named => match c {
            '\u{ad}' => "&shy;".into(),
            '\u{200b}' => "&ZeroWidthSpace;".into(),
            '\u{200e}' => "&lrm;".into(),
            '\u{200f}' => "&rlm;".into(),
            '\u{2060}' => "&NoBreak;".into(),
            '\u{2061}' => "&ApplyFunction;".into(),
            '\u{2062}' => "&InvisibleTimes;".into(),
            '\u{2063}' => "&InvisibleComma;".into(),
            c => format!("&#x{:X};", c as u32),
        },
        _ => c.to_string(),
    }
}

/// The payload as text in the field (before the container's own escaping).
fn encode(payload: &str, enc: Enc) -> String {
    match enc {
        Enc::Raw | Enc::JsonEscape => payload.to_string(),
        Enc::Decimal | Enc::Hex | Enc::Double | Enc::Named => payload
            .chars()
            .map(|c| {
                if is_forbidden(c) {
                    entity(c, enc)
                } else {
                    c.to_string()
                }
            })
            .collect(),
        Enc::TagSplit => {
            let mut chars = payload.chars();
            let first = chars.next().map(String::from).unwrap_or_default();
            format!("{first}<b>{}</b>", chars.as_str())
        }
    }
}

/// Whether this combination is one a feed could actually carry.
fn applies(fmt: Fmt, place: Place, enc: Enc) -> bool {
    match enc {
        Enc::JsonEscape => fmt.is_json(),
        // Tags are markup only in HTML fields.
        Enc::TagSplit => matches!(place, Place::Body | Place::Caption | Place::SplitFields),
        // Named entities: the text fields (numeric ones cover the rest).
        Enc::Named => matches!(
            place,
            Place::Headline | Place::Body | Place::Author | Place::Caption | Place::SplitFields
        ),
        _ => true,
    }
}

/// A JSON string literal. `escape_all` writes every non-ASCII or control character as
/// `\uXXXX` (surrogate pairs above the BMP); otherwise only what JSON requires is escaped,
/// and C1, bidi and zero-width characters go in as they are.
fn json_str(s: &str, escape_all: bool) -> String {
    if !escape_all {
        return serde_json::to_string(s).unwrap();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The fields of one hostile entry, as text (HTML where the field is HTML).
struct Fields {
    id: String,
    title: String,
    body_text: String,
    author: String,
    caption: String,
    credit: String,
    url: String,
    link: String,
}

fn fields(n: usize, place: Place, text: &str) -> Fields {
    let mut f = Fields {
        id: format!("entry-{n}"),
        // No number in the visible text: entries that parse to the same text are drawn once.
        title: "Headline".into(),
        body_text: "Body.".into(),
        author: "Ana Ruiz".into(),
        caption: "Waves over the wall".into(),
        credit: "Photo Desk".into(),
        url: format!("https://example.org/live#{n}"),
        link: "https://example.org/more".into(),
    };
    match place {
        Place::Headline => f.title = format!("Headline {text} end"),
        Place::Body => f.body_text = format!("Body {text} end"),
        Place::Author => f.author = format!("Ana {text} Ruiz"),
        Place::Caption => f.caption = format!("Waves {text} wall"),
        Place::Credit => f.credit = format!("Photo {text} Desk"),
        Place::Url => f.url = format!("https://example.org/live{text}#{n}"),
        Place::Link => f.link = format!("https://example.org/more{text}"),
        // Unique even when the payload is stripped to nothing, so no two entries merge.
        Place::Id => f.id = format!("entry-{n}-{text}"),
        Place::SplitFields => {
            let cut = text.chars().next().map_or(0, char::len_utf8);
            f.title = format!("Headline {}", &text[..cut]);
            f.body_text = format!("{} end", &text[cut..]);
        }
    }
    f
}

/// HTML body with a link and a figure (caption and credit), for the formats without native
/// image fields.
fn body_html(f: &Fields, figure: bool) -> String {
    let mut html = format!(
        "<p>{} <a href=\"{}\">more</a></p>",
        f.body_text,
        f.link.replace('"', "&quot;")
    );
    if figure {
        html.push_str(&format!(
            "<figure><img src=\"https://img.example/1.jpg\" alt=\"\"><figcaption>{} <span class=\"credit\">{}</span></figcaption></figure>",
            f.caption, f.credit
        ));
    }
    html
}

/// One item of the document's list, in the format's own syntax.
fn item(fmt: Fmt, place: Place, enc: Enc, n: usize, text: &str) -> String {
    let f = fields(n, place, text);
    let all = enc == Enc::JsonEscape;
    let j = |s: &str| json_str(s, all);
    match fmt {
        Fmt::JsonFeed => format!(
            r#"{{"id":{},"title":{},"content_html":{},"authors":[{{"name":{}}}],"url":{},"date_published":"2026-03-01T12:00:00Z"}}"#,
            j(&f.id),
            j(&f.title),
            j(&body_html(&f, true)),
            j(&f.author),
            j(&f.url)
        ),
        Fmt::JsonLd => format!(
            r#"{{"@type":"BlogPosting","@id":{},"headline":{},"articleBody":{},"author":{{"@type":"Person","name":{}}},"url":{},"datePublished":"2026-03-01T12:00:00Z","image":{{"@type":"ImageObject","url":"https://img.example/1.jpg","caption":{},"creditText":{}}}}}"#,
            j(&f.id),
            j(&f.title),
            j(&body_html(&f, false)),
            j(&f.author),
            j(&f.url),
            j(&f.caption),
            j(&f.credit)
        ),
        Fmt::Rss => format!(
            r#"<item><guid isPermaLink="false">{}</guid><title>{}</title><link>{}</link><dc:creator>{}</dc:creator><description><![CDATA[{}]]></description><pubDate>Sun, 01 Mar 2026 12:00:00 GMT</pubDate></item>"#,
            xml_text(&f.id),
            xml_text(&f.title),
            xml_text(&f.url),
            xml_text(&f.author),
            body_html(&f, true)
        ),
        Fmt::Guardian => format!(
            r#"{{"id":{},"title":{},"bodyHtml":{},"firstPublishedDate":"2026-03-01T12:00:00Z","createdBy":{{"firstName":{},"lastName":"Smith"}},"elements":[{{"type":"image","assets":[{{"file":"https://img.example/1.jpg","typeData":{{"width":1000}}}}],"imageTypeData":{{"caption":{},"credit":{}}}}}]}}"#,
            j(&f.id),
            j(&f.title),
            j(&body_html(&f, false)),
            j(&f.author),
            j(&f.caption),
            j(&f.credit)
        ),
    }
}

/// A document holding one item per payload class, each with the class written in `enc`
/// at `place`.
fn document(fmt: Fmt, place: Place, enc: Enc, first: usize) -> String {
    let items: Vec<String> = CLASSES
        .iter()
        .enumerate()
        .map(|(k, (_, p))| item(fmt, place, enc, first + k, &encode(p, enc)))
        .collect();
    match fmt {
        Fmt::JsonFeed => format!(
            r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Hostile live","items":[{}]}}"#,
            items.join(",")
        ),
        Fmt::JsonLd => format!(
            r#"<!doctype html><html><head><title>Hostile</title><script type="application/ld+json">{{"@context":"https://schema.org","@type":"LiveBlogPosting","headline":"Hostile live","liveBlogUpdate":[{}]}}</script></head><body><p>page</p></body></html>"#,
            items.join(",")
        ),
        Fmt::Rss => format!(
            r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Hostile live</title><link>https://example.org/</link><description>d</description>{}</channel></rss>"#,
            items.concat()
        ),
        Fmt::Guardian => {
            // The entry URL is the page URL plus the block id, so the page URL carries it.
            let page = if place == Place::Url {
                let all: String = CLASSES.iter().map(|(_, p)| encode(p, enc)).collect();
                format!("https://example.org/live{all}")
            } else {
                "https://www.theguardian.com/world/live".to_string()
            };
            format!(
                r#"{{"response":{{"status":"ok","content":{{"id":"world/live","webTitle":"Hostile live","webUrl":{},"apiUrl":"https://content.guardianapis.com/world/live","blocks":{{"body":[{}]}}}}}}}}"#,
                json_str(&page, enc == Enc::JsonEscape),
                items.join(",")
            )
        }
    }
}

/// One generated document: every payload class in one encoding at one place.
struct Case {
    name: String,
    fmt: Fmt,
    doc: String,
}

/// Every applicable (format, place, encoding), each a document with every class.
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut out = Vec::new();
        for fmt in FORMATS {
            for place in PLACES {
                for enc in ENCODINGS {
                    if applies(fmt, place, enc) {
                        out.push(Case {
                            name: format!("{fmt:?}/{place:?}/{enc:?}"),
                            fmt,
                            doc: document(fmt, place, enc, out.len() * CLASSES.len()),
                        });
                    }
                }
            }
        }
        out
    })
}

/// Distinct payloads: a class written in one encoding.
fn payloads() -> Vec<String> {
    let mut out = Vec::new();
    for enc in ENCODINGS {
        for (_, p) in CLASSES {
            out.push(encode(p, enc));
        }
    }
    out
}

/// Parse every case once. Refusals are returned as `None`.
fn parsed() -> &'static [Option<Snapshot>] {
    static PARSED: OnceLock<Vec<Option<Snapshot>>> = OnceLock::new();
    PARSED.get_or_init(|| {
        cases()
            .iter()
            .map(|c| livefeed::format::parse(c.doc.as_bytes()).ok())
            .collect()
    })
}

/// Every parsed entry with the name of its case and class.
fn entries_all() -> impl Iterator<Item = (String, &'static Entry)> {
    cases().iter().zip(parsed()).flat_map(|(case, snap)| {
        snap.iter().flat_map(move |s| {
            s.entries
                .iter()
                .zip(CLASSES)
                .map(move |(e, (class, _))| (format!("{}/{class}", case.name), e))
        })
    })
}

// ---------------------------------------------------------------------------------------
// Checks

fn is_clean(s: &str) -> bool {
    !s.chars().any(is_forbidden)
}

/// Every string of an entry that can reach the user.
fn strings(e: &Entry) -> Vec<&str> {
    let mut out = vec![e.id.as_str(), &e.title, &e.text];
    out.extend(e.authors.iter().map(String::as_str));
    out.extend(e.links.iter().map(String::as_str));
    out.extend(e.url.as_deref());
    for img in &e.images {
        out.extend(
            [&img.url, &img.caption, &img.credit]
                .into_iter()
                .flatten()
                .map(String::as_str),
        );
    }
    out
}

#[test]
fn the_corpus_is_large_and_every_json_document_parses() {
    let payloads = payloads();
    let distinct: BTreeSet<&String> = payloads.iter().collect();
    assert!(
        distinct.len() >= 200,
        "{} distinct payloads",
        distinct.len()
    );
    let cases = cases();
    let parsed = parsed();
    let refused: Vec<&str> = cases
        .iter()
        .zip(parsed)
        .filter(|(_, p)| p.is_none())
        .map(|(c, _)| c.name.as_str())
        .collect();
    eprintln!(
        "hostile corpus: {} payloads, {} documents, {} refused by their parser",
        distinct.len(),
        cases.len(),
        refused.len()
    );
    // JSON documents are always well-formed here, so none may be refused; XML may refuse
    // characters XML itself forbids.
    let json_refused: Vec<&&str> = refused.iter().filter(|n| !n.starts_with("Rss")).collect();
    assert!(json_refused.is_empty(), "refused: {json_refused:?}");
    assert!(
        refused.len() * 4 < cases.len(),
        "too many refused: {refused:?}"
    );
}

#[test]
fn every_parsed_string_is_clean_and_sanitize_is_idempotent() {
    for (case, snap) in cases().iter().zip(parsed()) {
        let Some(snap) = snap else { continue };
        assert_eq!(
            snap.entries.len(),
            CLASSES.len(),
            "{}: every entry survives",
            case.name
        );
        for s in snap.title.iter().chain(&snap.home_url) {
            assert!(is_clean(s), "{}: {s:?}", case.name);
        }
    }
    let mut checked = 0;
    for (name, e) in entries_all() {
        checked += 1;
        for s in strings(e) {
            assert!(is_clean(s), "{name}: {s:?}");
            assert_eq!(sanitize(s), s, "{name}");
        }
        assert!(!e.title.contains('\n'), "{name}: {:?}", e.title);
        for a in &e.authors {
            assert!(!a.contains(['\n', '\t']), "{name}: {a:?}");
        }
        assert!(
            e.text.contains("Body") || e.text.contains("end"),
            "{name}: the clean parts are kept: {e:?}"
        );
    }
    eprintln!("{checked} hostile entries checked");
    for p in payloads() {
        let once = sanitize(&p);
        assert_eq!(sanitize(&once), once, "{p:?}");
        assert!(is_clean(&once), "{p:?}");
        let raw: String = CLASSES.iter().map(|(_, p)| *p).collect();
        assert_eq!(sanitize(&sanitize(&raw)), sanitize(&raw));
    }
}

#[test]
fn invisible_characters_leave_only_the_visible_text() {
    let want = [
        ("soft-hyphen", "cooperation"),
        ("line-separator", "one two"),
        ("paragraph-separator", "one two"),
        ("tag-smuggling", "note"),
        ("tag-flag", "\u{1f3f4}"),
        ("mongolian-vowel-separator", "paypal"),
        ("hangul-fillers", "name"),
        ("combining-grapheme-joiner", "ab"),
        ("arabic-letter-mark", "abc"),
        ("lrm-first", "x"),
        ("khmer-inherent-vowels", "x"),
        ("deprecated-format", "x"),
        ("interlinear-annotation", "basehidden"),
        ("unassigned-ignorable", "x"),
        ("format-controls", "x"),
    ];
    for (class, visible) in want {
        let mut checked = 0;
        for (name, e) in entries_all() {
            if !name.ends_with(&format!("/{class}")) {
                continue;
            }
            if name.contains("/Headline/") {
                assert_eq!(e.title, format!("Headline {visible} end"), "{name}");
                checked += 1;
            }
            if name.contains("/Author/") {
                let author = e.authors.join(" ");
                assert!(
                    author.starts_with(&format!("Ana {visible} Ruiz")),
                    "{name}: {author:?}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 20, "{class}: {checked} entries checked");
    }
}

#[test]
fn emoji_sequences_survive_every_text_field_and_encoding() {
    let mut checked = 0;
    for (name, e) in entries_all() {
        let text_field = ["Headline", "Body", "Author", "Caption", "Credit"]
            .iter()
            .any(|p| name.contains(&format!("/{p}/")));
        // Also split across a tag inside the sequence (`👨<b>\u{200d}👩</b>`): inline
        // markup joins its text runs without a space, in bodies and captions alike.
        if !name.ends_with(EMOJI_CLASS) || !text_field {
            continue;
        }
        assert!(
            strings(e).iter().any(|s| s.contains(EMOJI)),
            "{name}: {e:?}"
        );
        checked += 1;
    }
    assert!(checked >= 80, "{checked} entries checked");
}

#[test]
fn clipboard_notification_and_browser_texts_are_clean() {
    let mut urls = 0;
    for (name, e) in entries_all() {
        // Notifications and the OSC 52 text go through one_line.
        for s in strings(e) {
            let line = one_line(s);
            assert!(is_clean(&line) && !line.contains(['\n', '\t']), "{name}");
        }
        for link in e.url.iter().chain(&e.links) {
            if let Some(url) = safe_url(link) {
                urls += 1;
                assert!(
                    url.starts_with("https://") || url.starts_with("http://"),
                    "{name}: {url:?}"
                );
                assert!(url.chars().all(|c| c.is_ascii_graphic()), "{name}: {url:?}");
            }
        }
    }
    assert!(urls > 1000, "{urls} urls checked");
    for p in payloads() {
        for raw in [
            format!("https://x.example/{p}"),
            p.clone(),
            format!("{p}https://x.example/"),
        ] {
            if let Some(url) = safe_url(&raw) {
                assert!(
                    url.chars().all(|c| c.is_ascii_graphic()),
                    "{raw:?} -> {url:?}"
                );
                assert!(url.starts_with("http"), "{raw:?} -> {url:?}");
            }
            let line = one_line(&raw);
            assert!(is_clean(&line) && !line.contains(['\n', '\t']), "{raw:?}");
        }
    }
    for bad in [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "java\u{1b}script:alert(1)",
        "JaVaScRiPt:alert(1)",
        "file:///etc/passwd",
        "\u{202e}file:///etc/passwd",
        "data:text/html,x",
        "ftp://x.example/",
        "//evil.example/",
        "/relative",
    ] {
        assert_eq!(safe_url(bad), None, "{bad:?}");
    }
}

// ---------------------------------------------------------------------------------------
// The screen

/// What the byte stream of a frame contains, sequence by sequence.
#[derive(Debug, PartialEq)]
enum Seq {
    /// CSI with its parameters and final byte (`ESC [ … final`).
    Csi(String, char),
    Osc,
    Dcs,
    /// APC, PM or SOS.
    OtherString(char),
    /// Any other `ESC x`.
    Esc(char),
    Control(char),
    /// A forbidden printable-looking character (C1, bidi, zero-width).
    Forbidden(char),
}

/// Classify every escape sequence and control character in `bytes`.
fn scan(bytes: &[u8]) -> Vec<Seq> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\u{1b}' {
            if c.is_control() {
                out.push(Seq::Control(c));
            } else if is_forbidden(c) {
                out.push(Seq::Forbidden(c));
            }
            continue;
        }
        match it.next() {
            Some('[') => {
                let mut params = String::new();
                let mut fin = '\0';
                for c in it.by_ref() {
                    if ('@'..='~').contains(&c) {
                        fin = c;
                        break;
                    }
                    params.push(c);
                }
                out.push(Seq::Csi(params, fin));
            }
            Some(']') => out.push(Seq::Osc),
            Some('P') => out.push(Seq::Dcs),
            Some(c @ ('X' | '^' | '_')) => out.push(Seq::OtherString(c)),
            Some(c) => out.push(Seq::Esc(c)),
            None => out.push(Seq::Esc('\0')),
        }
    }
    out
}

/// The sequences ratatui's crossterm backend uses for drawing: cursor position, colours
/// and attributes (SGR), clearing, and cursor show/hide.
fn is_drawing(s: &Seq) -> bool {
    match s {
        Seq::Csi(p, 'H') => p.chars().all(|c| c.is_ascii_digit() || c == ';'),
        Seq::Csi(p, 'm') => p.chars().all(|c| c.is_ascii_digit() || c == ';'),
        Seq::Csi(p, 'J' | 'K') => p.chars().all(|c| c.is_ascii_digit()),
        Seq::Csi(p, 'h' | 'l') => p == "?25",
        _ => false,
    }
}

#[derive(Default)]
struct Watch {
    title: Vec<u8>,
    clipboard: usize,
    bells: usize,
    osc: usize,
}

impl vt100::Callbacks for Watch {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.title = title.to_vec();
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.title = name.to_vec();
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], _: &[u8]) {
        self.clipboard += 1;
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, _: &[&[u8]]) {
        self.osc += 1;
    }
}

const W: u16 = 110;
const H: u16 = 40;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// A byte buffer the test keeps a handle on while the backend writes into it.
#[derive(Clone, Default)]
struct Bytes(Rc<RefCell<Vec<u8>>>);

impl Write for Bytes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Draw `m` through the real crossterm backend; return the bytes written.
fn frame(
    term: &mut Terminal<CrosstermBackend<Bytes>>,
    out: &Bytes,
    m: &Model,
    theme: &Theme,
) -> Vec<u8> {
    term.draw(|f| livefeed::ui::draw(f, m, theme)).unwrap();
    std::mem::take(&mut *out.0.borrow_mut())
}

#[test]
fn the_screen_only_ever_receives_drawing_sequences() {
    let theme = Theme::default();
    let mut vt = vt100::Parser::new_with_callbacks(H, W, 0, Watch::default());
    let at = jiff::Timestamp::from_second(1_772_366_400).unwrap();

    // Entries that differ after parsing (ignoring their unique ids and URL fragments), so
    // equal ones are drawn once.
    let mut seen = BTreeSet::new();
    let mut entries: Vec<Entry> = Vec::new();
    for (_, e) in entries_all() {
        let mut key = e.clone();
        key.id.clear();
        key.url = e
            .url
            .as_ref()
            .map(|u| u.split('#').next().unwrap_or_default().to_string());
        if seen.insert(format!("{key:?}")) {
            entries.push(e.clone());
        }
    }
    let mut frames = 0;
    let mut bytes_seen = 0;
    for chunk in entries.chunks(30) {
        let keymap = Keymap::new(&Default::default()).unwrap();
        let mut m = Model::new(vec!["hostile".into()], keymap, at);
        m.tz = jiff::tz::TimeZone::UTC;
        m.update(Msg::Resize(W, H));
        m.update(Msg::Fetched {
            source: 0,
            at,
            result: PollResult::Snapshot(Snapshot {
                title: Some("Hostile \u{1b}]0;x\u{7} live".into()),
                entries: chunk.to_vec(),
                ..Snapshot::default()
            }),
            next_due: None,
        });
        // A fresh terminal per batch draws every cell of its first frame.
        let out = Bytes::default();
        let mut term = Terminal::with_options(
            CrosstermBackend::new(out.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, W, H)),
            },
        )
        .unwrap();
        for step in 0..chunk.len() {
            if step > 0 {
                m.update(key('j'));
            }
            let bytes = frame(&mut term, &out, &m, &theme);
            bytes_seen += bytes.len();
            frames += 1;
            for seq in scan(&bytes) {
                assert!(is_drawing(&seq), "{seq:?} in the frame of {:?}", m.notice);
            }
            vt.process(&bytes);
        }
        let screen = vt.screen();
        for row in 0..H {
            for col in 0..W {
                if let Some(cell) = screen.cell(row, col) {
                    assert!(is_clean(cell.contents()), "cell {row},{col}");
                }
            }
        }
    }
    let watch = vt.callbacks();
    assert!(watch.title.is_empty(), "title set to {:?}", watch.title);
    assert_eq!((watch.clipboard, watch.bells, watch.osc), (0, 0, 0));
    eprintln!(
        "screen: {} distinct entries, {frames} frames, {bytes_seen} bytes scanned",
        entries.len()
    );
    assert!(frames >= 200);
}

#[test]
fn the_scanner_sees_what_it_must() {
    let all: String = CLASSES.iter().map(|(_, p)| *p).collect();
    let seqs = scan(all.as_bytes());
    assert!(seqs.contains(&Seq::Osc));
    assert!(seqs.contains(&Seq::Dcs));
    assert!(seqs.contains(&Seq::OtherString('_')));
    assert!(seqs.iter().any(|s| *s == Seq::Csi("21".into(), 't')));
    assert!(seqs.contains(&Seq::Forbidden('\u{202e}')));
    assert!(seqs.contains(&Seq::Control('\u{9b}')));
    assert!(!seqs.iter().all(is_drawing));
    assert!(is_drawing(&Seq::Csi("1;1".into(), 'H')));
}

// ---------------------------------------------------------------------------------------
// --print and --follow

/// Write every parsed case to its own file; the list of paths, by format.
fn write_docs(dir: &std::path::Path, fmt: Fmt) -> Vec<String> {
    let mut paths = Vec::new();
    for (n, (case, snap)) in cases().iter().zip(parsed()).enumerate() {
        if case.fmt != fmt || snap.is_none() {
            continue;
        }
        let ext = match fmt {
            Fmt::Rss => "xml",
            Fmt::JsonLd => "html",
            _ => "json",
        };
        let path = dir.join(format!("{n}.{ext}"));
        std::fs::write(&path, &case.doc).unwrap();
        paths.push(path.to_string_lossy().into_owned());
    }
    paths
}

fn livefeed(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(support::livefeed_bin());
    for (k, v) in support::isolated_env(home) {
        cmd.env(k, v);
    }
    cmd.env("TZ", "UTC");
    cmd
}

/// Text output: no control character but newline and tab, nothing forbidden.
fn assert_clean_text(out: &[u8], what: &str) {
    let text = std::str::from_utf8(out).expect("utf-8 output");
    for c in text.chars() {
        assert!(
            c == '\n' || c == '\t' || !(c.is_control() || is_forbidden(c)),
            "{what}: {c:?} in output"
        );
    }
}

fn assert_clean_json(v: &serde_json::Value, what: &str) {
    match v {
        serde_json::Value::String(s) => {
            assert!(is_clean(s), "{what}: {s:?}");
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| assert_clean_json(v, what)),
        serde_json::Value::Object(o) => o.values().for_each(|v| assert_clean_json(v, what)),
        _ => {}
    }
}

#[test]
fn print_output_is_clean_in_text_and_jsonl() {
    let home = tempfile::tempdir().unwrap();
    let mut printed = 0;
    for fmt in FORMATS {
        let docs = tempfile::tempdir().unwrap();
        let paths = write_docs(docs.path(), fmt);
        for output in ["text", "jsonl"] {
            let out = livefeed(home.path())
                .args(["--print", "--output", output])
                .args(&paths)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{fmt:?} {output}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_clean_text(&out.stdout, &format!("{fmt:?} {output}"));
            assert_clean_text(&out.stderr, &format!("{fmt:?} {output} stderr"));
            let want = paths.len() * CLASSES.len();
            if output == "text" {
                let heads = out
                    .stdout
                    .split(|b| *b == b'\n')
                    .filter(|l| is_header(l))
                    .count();
                assert_eq!(heads, want, "{fmt:?}: one block per entry");
            } else {
                let lines: Vec<&[u8]> = out
                    .stdout
                    .split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .collect();
                assert_eq!(lines.len(), want, "{fmt:?}: one line per entry");
                for line in lines {
                    let v: serde_json::Value = serde_json::from_slice(line).unwrap();
                    assert_clean_json(&v, &format!("{fmt:?} jsonl"));
                }
                printed += want;
            }
        }
    }
    eprintln!("--print: {printed} hostile entries printed in both outputs");
}

#[test]
fn follow_output_is_clean() {
    let home = tempfile::tempdir().unwrap();
    for (fmt, output) in [
        (Fmt::JsonFeed, "jsonl"),
        (Fmt::Guardian, "text"),
        (Fmt::JsonLd, "jsonl"),
        (Fmt::Rss, "text"),
    ] {
        let docs = tempfile::tempdir().unwrap();
        let paths = write_docs(docs.path(), fmt);
        let mut child = livefeed(home.path())
            .args(["--follow", "--interval", "3600", "--output", output])
            .args(&paths)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        // Count entries by their head line (text) or their line (jsonl) until all are there.
        let want = paths.len() * CLASSES.len();
        let mut got = 0;
        let mut all = Vec::new();
        let deadline = std::time::Instant::now() + TIMEOUT * 3;
        while got < want && std::time::Instant::now() < deadline {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line).unwrap() == 0 {
                break;
            }
            if output == "jsonl" || is_header(&line) {
                got += 1;
            }
            all.extend_from_slice(&line);
        }
        let _ = child.kill();
        let _ = child.wait();
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest);
        all.extend_from_slice(&rest);
        assert_clean_text(&all, &format!("--follow {fmt:?} {output}"));
        assert_eq!(got, want, "{fmt:?}: every entry followed");
        if output == "jsonl" {
            for line in all.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let v: serde_json::Value = serde_json::from_slice(line).unwrap();
                assert_clean_json(&v, "--follow jsonl");
            }
        }
    }
}

/// A text block's first line (time, authors, source).
fn is_header(line: &[u8]) -> bool {
    line.starts_with("── ".as_bytes())
}

// ---------------------------------------------------------------------------------------
// End to end: copy and open a hostile link

/// A fake browser that writes its arguments, one per line, to `log`.
fn fake_browser(dir: &std::path::Path, log: &std::path::Path) -> String {
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}.tmp'\nmv '{}.tmp' '{}'\n",
            log.display(),
            log.display(),
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.to_string_lossy().into_owned()
}

fn wait_for_file(path: &std::path::Path) -> String {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        if let Ok(s) = std::fs::read_to_string(path) {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the browser never ran"
        );
        std::thread::yield_now();
    }
}

fn one_entry_feed(url: &str) -> String {
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Hostile live",
        "items": [{
            "id": "a",
            "title": "Hostile link",
            "content_html": "<p>Body.</p>",
            "url": url,
            "date_published": "2026-03-01T12:00:00Z",
        }],
    })
    .to_string()
}

fn spawn_on(doc: &str, home: &tempfile::TempDir, browser: &str) -> Pty {
    let path = home.path().join("feed.json");
    std::fs::write(&path, doc).unwrap();
    let env = support::isolated_env(home.path());
    let mut env = support::env_refs(&env);
    env.push(("TZ", "UTC"));
    env.push(("BROWSER", browser));
    let path = path.to_string_lossy().into_owned();
    Pty::spawn(support::livefeed_bin(), &[&path], &env, 120, 30)
}

#[test]
fn a_hostile_link_is_copied_and_opened_clean() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("argv");
    let browser = fake_browser(home.path(), &log);
    let hostile = "https://example.org/live\u{1b}]52;c;cHduZWQ=\u{7}\u{202e}/page\u{200b}?q=1\u{1b}[2J#e\u{9b}31m1";
    let clean = "https://example.org/live/page?q=1#e1";
    let pty = spawn_on(&one_entry_feed(hostile), &home, &browser);
    pty.wait_for_text("Hostile link", TIMEOUT).unwrap();

    pty.send("y");
    pty.wait_for_text("copied", TIMEOUT).unwrap();
    let clip = pty.clipboard();
    assert_eq!(clip.len(), 1, "one clipboard write: {clip:?}");
    assert_eq!(String::from_utf8_lossy(&clip[0].1), clean);

    pty.send("o");
    let argv = wait_for_file(&log);
    assert_eq!(argv, format!("{clean}\n"), "one argument, the clean URL");
    assert!(pty.title().is_empty(), "title {:?}", pty.title());
    let raw = pty.raw_output();
    assert!(!String::from_utf8_lossy(&raw).contains('\u{202e}'));
}

#[test]
fn javascript_and_file_links_are_refused() {
    for bad in ["javascript:alert(document.cookie)", "file:///etc/passwd"] {
        let home = tempfile::tempdir().unwrap();
        let log = home.path().join("argv");
        let browser = fake_browser(home.path(), &log);
        let pty = spawn_on(&one_entry_feed(bad), &home, &browser);
        pty.wait_for_text("Hostile link", TIMEOUT).unwrap();
        pty.send("o");
        pty.wait_for_text("only http and https", TIMEOUT).unwrap();
        pty.send("y");
        pty.wait_for_text("only http and https", TIMEOUT).unwrap();
        // The refusal is on screen; the browser was not started and nothing was copied.
        assert!(!log.exists(), "{bad}: the browser ran");
        assert!(pty.clipboard().is_empty(), "{bad}: copied");
    }
}
