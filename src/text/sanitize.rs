//! Sanitizing untrusted text for the terminal: controls, whole escape sequences, bidi
//! controls and invisible characters go.
//!
//! What is removed, and why:
//! - C0 and C1 controls (all but `\n` and `\t`) and DEL, with any escape sequence they
//!   start: they act on the terminal.
//! - Bidi controls (embeddings, overrides, isolates, LRM, RLM, ARABIC LETTER MARK): they
//!   reorder what is shown ("Trojan Source").
//! - Invisible, default-ignorable characters that serve to spoof or smuggle text: zero-width
//!   space, word joiner and the invisible operators, BOM, soft hyphen, COMBINING GRAPHEME
//!   JOINER, MONGOLIAN VOWEL SEPARATOR, the Khmer inherent vowels, the Hangul fillers
//!   (U+115F, U+1160, U+3164, U+FFA0), the deprecated format characters U+206A–U+206F,
//!   interlinear annotation marks, the shorthand and musical format controls, tag characters
//!   (U+E0000–U+E007F, which can carry hidden ASCII) and the unassigned default-ignorable
//!   code points. A side effect: the three subdivision flags (England, Scotland, Wales),
//!   which are built from tag characters, show as a plain black flag.
//!
//! What is kept on purpose: ZERO WIDTH JOINER (U+200D) and variation selectors (U+FE00–
//! U+FE0F, U+E0100–U+E01EF, the Mongolian ones), which emoji sequences need (`👨‍👩`, `❤️`),
//! and ZERO WIDTH NON-JOINER (U+200C), which Persian and Indic scripts need.
//!
//! LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029) become `\n`, which is what they
//! mean. Each sink then does with it what it does with any line break: one-line fields
//! (headlines, authors, captions, [`super::one_line`]) and HTML text runs collapse it into
//! a space; plain-text bodies ([`super::paragraphs`]) start a new paragraph there.

use std::borrow::Cow;

/// Whether `c` may never reach the terminal (see the module doc for the classes).
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        // Controls.
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi controls.
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200e}' | '\u{200f}' | '\u{061c}'
        // Line and paragraph separators (replaced by `\n`).
        | '\u{2028}' | '\u{2029}'
        // Invisible and default-ignorable characters, but for ZWNJ, ZWJ and the variation
        // selectors.
        | '\u{ad}' | '\u{34f}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180e}' | '\u{200b}' | '\u{2060}'..='\u{2065}' | '\u{206a}'..='\u{206f}'
        | '\u{3164}' | '\u{feff}' | '\u{ffa0}' | '\u{fff0}'..='\u{fffb}'
        | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e00ff}' | '\u{e01f0}'..='\u{e0fff}')
}

/// Remove everything that could act on a terminal or hide text (controls, escape sequences,
/// bidi controls, invisible characters). Keeps `\n` and `\t`; turns U+2028 and U+2029 into
/// `\n`. Idempotent.
///
/// Escape sequences are removed whole: CSI (`ESC [` or U+009B, parameters, final byte),
/// string sequences (OSC, DCS, SOS, PM, APC, 7- or 8-bit, up to BEL, ST or a line end) and
/// two-character `ESC x` sequences. Since the output holds no forbidden character at all, a
/// second pass finds nothing to remove.
pub fn sanitize(s: &str) -> String {
    sanitize_cow(s).into_owned()
}

/// [`sanitize`] without copying text that is already clean.
pub(crate) fn sanitize_cow(s: &str) -> Cow<'_, str> {
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
            '\u{2028}' | '\u{2029}' => out.push('\n'),
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
    // Printable ASCII with line breaks and tabs, by far the most common text, is settled
    // in 64-byte blocks the compiler turns into vector instructions; only the blocks with
    // other bytes are looked at byte by byte (a long text with a few dashes or accents,
    // such as `--print`'s output, is mostly plain blocks).
    let plain = |block: &[u8]| {
        block.iter().fold(true, |ok, &c| {
            ok & ((0x20..0x7f).contains(&c) | (c == b'\n') | (c == b'\t'))
        })
    };
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let suspect = |i: usize, c: u8| match c {
        0..=8 | 11..=31 | 0x7f => true,
        0xc2 => matches!(at(i + 1), 0x80..=0x9f | 0xad),
        0xcd => at(i + 1) == 0x8f,
        0xd8 => at(i + 1) == 0x9c,
        0xe1 => matches!(
            (at(i + 1), at(i + 2)),
            (0x85, 0x9f | 0xa0) | (0x9e, 0xb4 | 0xb5) | (0xa0, 0x8e)
        ),
        0xe2 => matches!(
            (at(i + 1), at(i + 2)),
            (0x80, 0x8b..=0x8f | 0xa8..=0xae) | (0x81, 0xa0..=0xaf)
        ),
        0xe3 => at(i + 1) == 0x85 && at(i + 2) == 0xa4,
        0xef => matches!(
            (at(i + 1), at(i + 2)),
            (0xbb, 0xbf) | (0xbe, 0xa0) | (0xbf, 0xb0..=0xbb)
        ),
        0xf0 => matches!(
            (at(i + 1), at(i + 2), at(i + 3)),
            (0x9b, 0xb2, 0xa0..=0xa3) | (0x9d, 0x85, 0xb3..=0xba)
        ),
        0xf3 => at(i + 1) == 0xa0,
        _ => false,
    };
    // A character's first byte is in the block it starts; the bytes after it are read
    // from the whole text.
    b.chunks(64).enumerate().any(|(n, block)| {
        !plain(block)
            && block
                .iter()
                .enumerate()
                .any(|(j, &c)| suspect(n * 64 + j, c))
    })
}

/// Skip a CSI's parameter and intermediate bytes and its final byte.
fn skip_csi(it: &mut std::iter::Peekable<std::str::Chars>) {
    while it.next_if(|c| ('0'..='?').contains(c)).is_some() {}
    while it.next_if(|c| (' '..='/').contains(c)).is_some() {}
    it.next_if(|c| ('@'..='~').contains(c));
}

/// Skip a control string up to its terminator (BEL, ESC \, U+009C) or a line end
/// (`\n`, U+2028, U+2029).
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
            '\n' | '\u{2028}' | '\u{2029}' => return,
            _ => {
                it.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_pre_check_never_misses_a_forbidden_character() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            if is_forbidden(c) {
                assert!(suspect_bytes(c.encode_utf8(&mut buf)), "{:04X}", c as u32);
                // Also where it starts in one 64-byte block and ends in the next, after a
                // block with a harmless dash.
                for pad in [0, 1, 61, 62, 63, 64, 125, 126, 127] {
                    let text = format!("\u{2014}{}{c}plain", "a".repeat(pad));
                    assert!(suspect_bytes(&text), "{:04X} after {pad}", c as u32);
                }
            }
        }
        let clean = format!("{}\u{2014}{}\u{e9}", "a".repeat(63), "b".repeat(200));
        assert!(!suspect_bytes(&clean));
    }

    #[test]
    fn invisible_and_spoofing_characters_go() {
        for c in [
            '\u{ad}',
            '\u{34f}',
            '\u{61c}',
            '\u{115f}',
            '\u{1160}',
            '\u{17b4}',
            '\u{17b5}',
            '\u{180e}',
            '\u{200b}',
            '\u{200e}',
            '\u{200f}',
            '\u{2060}',
            '\u{2064}',
            '\u{2065}',
            '\u{206a}',
            '\u{206f}',
            '\u{3164}',
            '\u{feff}',
            '\u{ffa0}',
            '\u{fff9}',
            '\u{fffb}',
            '\u{1bca0}',
            '\u{1d173}',
            '\u{e0000}',
            '\u{e0001}',
            '\u{e0041}',
            '\u{e007f}',
            '\u{e0080}',
            '\u{e0fff}',
        ] {
            assert!(is_forbidden(c), "{:04X}", c as u32);
            assert_eq!(sanitize(&format!("a{c}b")), "ab", "{:04X}", c as u32);
        }
        // Hidden ASCII in tag characters ("ignore all") vanishes whole.
        let smuggled: String = "ignore all"
            .chars()
            .map(|c| char::from_u32(0xe0000 + c as u32).unwrap())
            .collect();
        assert_eq!(sanitize(&format!("Storm{smuggled} update")), "Storm update");
        assert_eq!(sanitize("co\u{ad}op\u{ad}er\u{ad}ation"), "cooperation");
    }

    #[test]
    fn emoji_joiners_and_selectors_stay() {
        for s in [
            "👨\u{200d}👩\u{200d}👧",
            "❤\u{fe0f}",
            "🏳\u{fe0f}\u{200d}🌈",
            "ب\u{200c}ب",
            "\u{845b}\u{e0100}",
            "ᠠ\u{180b}",
        ] {
            assert_eq!(sanitize(s), s);
            assert!(!s.chars().any(is_forbidden), "{s:?}");
        }
        // Subdivision flags are built from tag characters: only the black flag is left.
        assert_eq!(
            sanitize("🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}"),
            "🏴"
        );
    }

    #[test]
    fn line_and_paragraph_separators_become_line_breaks() {
        assert_eq!(sanitize("one\u{2028}two\u{2029}three"), "one\ntwo\nthree");
        // Like `\n`, they end a control string.
        assert_eq!(sanitize("a\u{1b}]0;title\u{2028}b"), "a\nb");
        assert_eq!(sanitize(&sanitize("x\u{2029}\u{2028}y")), "x\n\ny");
    }
}
