//! Sanitizing untrusted text for the terminal: controls, whole escape sequences, bidi
//! overrides and spoofing zero-width characters go.

use std::borrow::Cow;

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
