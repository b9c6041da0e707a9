//! Folding: the one normal form both the query and the entries are compared in.
//!
//! Folding lowercases, decomposes (NFD) and drops combining marks, so `Café`, `CAFE` and
//! `cafe` all become `cafe`; a few letters that do not decompose are spelled out (`ß`→`ss`,
//! `æ`→`ae`, `ø`→`o`, `ł`→`l`, ...). Every run of whitespace becomes one space, so a phrase
//! matches across line breaks and double spaces.
//!
//! Folding works one character at a time so that [`fold_with_map`] can tell, for every
//! folded byte, which original character it came from: that is what lets highlights land on
//! the right bytes of the unfolded text even when folding changes lengths.

use std::ops::Range;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds `s` for matching: lowercase, no accents, whitespace runs collapsed to one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// Appends the folded form of `s` to `out` (a whitespace run at the start of `s` right
/// after a space already in `out` adds nothing).
pub(super) fn fold_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        // The common case: copy each word whole, lowercase it in place.
        let mut rest = s;
        loop {
            let word = crate::text::find_space(rest).map_or(rest.len(), |(at, _)| at);
            let start = out.len();
            out.push_str(&rest[..word]);
            out[start..].make_ascii_lowercase();
            if word == rest.len() {
                return;
            }
            if !out.ends_with(' ') {
                out.push(' ');
            }
            rest = &rest[word + 1..];
        }
    }
    for c in s.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            fold_char(c, &mut |f| out.push(f));
        }
    }
}

/// Folds `s` like [`fold`] and also returns, for every byte of the folded text, the byte
/// range of the original character (or whitespace run) it came from.
pub(super) fn fold_with_map(s: &str) -> (String, Vec<Range<usize>>) {
    let mut out = String::with_capacity(s.len());
    let mut map: Vec<Range<usize>> = Vec::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        let src = i..i + c.len_utf8();
        if c.is_whitespace() {
            match map.last_mut() {
                // The previous folded byte is a space from whitespace: widen its run.
                Some(last) if out.ends_with(' ') => last.end = src.end,
                _ => {
                    out.push(' ');
                    map.push(src);
                }
            }
        } else {
            let before = map.len();
            fold_char(c, &mut |f| {
                out.push(f);
                for _ in 0..f.len_utf8() {
                    map.push(src.clone());
                }
            });
            if map.len() == before {
                // Folded to nothing (a combining mark): it belongs to the character before.
                if let Some(prev) = map.last().cloned() {
                    for m in map.iter_mut().rev().take_while(|m| **m == prev) {
                        m.end = src.end;
                    }
                }
            }
        }
    }
    (out, map)
}

/// Passes the folded form of one non-whitespace character (zero or more chars) to `out`.
fn fold_char(c: char, out: &mut impl FnMut(char)) {
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        if let Some(spelled) = spell_out(lower) {
            spelled.chars().for_each(&mut *out);
        } else {
            decompose_canonical(lower, |d| {
                if !is_combining_mark(d) {
                    out(d)
                }
            });
        }
    }
}

/// Letters (already lowercase) that canonical decomposition leaves alone but readers
/// treat as plain Latin letters, plus typographic punctuation people type plainly.
fn spell_out(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ħ' => "h",
        'ŧ' => "t",
        'ı' => "i",
        'ŀ' => "l",
        'ĳ' => "ij",
        'ſ' => "s",
        'ς' => "σ",
        'ﬁ' => "fi",
        'ﬂ' => "fl",
        '\u{2018}' | '\u{2019}' | '\u{02bc}' => "'",
        '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => "-",
        _ => return None,
    })
}
