//! Text from feeds: HTML to plain text, sanitizing, width-correct truncation.
//!
//! (Signatures fixed; bodies are placeholders until the real implementation lands.)

use crate::entry::Image;

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
    HtmlText {
        text: sanitize(html),
        ..Default::default()
    }
}

/// A one-line field (headline, author, caption): decode entities, drop tags, collapse
/// whitespace, sanitize.
pub fn plain(s: &str) -> String {
    sanitize(s.trim())
}

/// Remove everything that could act on a terminal (controls, escape sequences, bidi
/// overrides, zero-width characters). Keeps `\n` and `\t`. Idempotent.
pub fn sanitize(s: &str) -> String {
    s.to_string()
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Cut `s` to at most `max` cells without splitting a grapheme (adds `…` when cut).
pub fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
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
