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
//!
//! An entry's headline and body are held only folded: [`fold_body`] also records the places
//! where folding changed the text (patches), and [`unfold`] puts them back to rebuild the
//! text exactly. Outside the patches the folded text is the text itself.

use std::borrow::Cow;
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

/// What an entry keeps, beside its folded body, to rebuild the body as it came in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum Kept {
    /// The places where folding changed the text (see [`unfold`]); none when the folded
    /// text is the text.
    #[default]
    Patches,
    /// The text itself: folding changed so much of it (Korean, where every syllable
    /// decomposes) that patches would take more than half its room.
    Whole,
}

/// The text as it came in, given its folded form (what [`fold_body`] appended to `out`)
/// and what it appended to `rest`.
pub(super) fn rebuild<'a>(folded: &'a str, rest: &'a str, kept: Kept) -> Cow<'a, str> {
    match kept {
        Kept::Whole => rest.into(),
        Kept::Patches if rest.is_empty() => folded.into(),
        Kept::Patches => unfold(folded, rest).into(),
    }
}

/// Appends the folded form of `s` to `out`, exactly as [`fold_into`] does, and to `rest`
/// what rebuilds `s` from it: patches, unless they would take more than half the room of
/// `s`, then `s` itself. Says which.
pub(super) fn fold_body(s: &str, out: &mut String, rest: &mut String) -> Kept {
    if fold_recording(s, out, s.len() / 2, rest) {
        Kept::Patches
    } else {
        rest.push_str(s);
        Kept::Whole
    }
}

/// Appends the folded form of `s` to `out`, exactly as [`fold_into`] does, and to
/// `patches` the patches that [`unfold`] needs to rebuild `s` from it. `false` (and
/// nothing appended to `patches`) once they would take more than `limit` bytes; the
/// folding is finished all the same.
///
/// Patches, in order, each starting with the folded bytes since the end of the previous
/// patch (a number, see [`crate::number`]), times two:
/// - plus one for the commonest patch, a single ASCII capital: nothing else follows (a
///   capital every sentence or so, at one or two bytes each);
/// - else followed by the folded bytes it covers (a number; 0 for a dropped combining mark,
///   or a whitespace run right after a space), then 1 when the text there is those folded
///   bytes in ASCII capitals, else twice the length of the text there (a number) followed
///   by that text.
///
/// Patches are text (their numbers are ASCII), so an entry holds them in the same string
/// as its folded text. Touching patches are merged into one (`ABC` is one patch,
/// `\n\nThe` another).
pub(super) fn fold_recording(
    s: &str,
    out: &mut String,
    limit: usize,
    patches: &mut String,
) -> bool {
    let base = out.len();
    let bytes = s.as_bytes();
    let mut recorder = Patches::new(s, limit);
    // `s[run..i]` is still to be copied to `out`: ASCII that folds to itself, or to its
    // lower case (`capitals` says whether it holds any), byte for byte.
    let mut run = 0;
    let mut capitals = false;
    let mut i = 0;
    // Bytes before this one are read one at a time (a block here had something to do).
    let mut bytewise_until = 0;
    while let Some(&b) = bytes.get(i) {
        if i >= bytewise_until {
            if let Some(mut caps) = plain_block(bytes, i, i > run) {
                // Each capital is a patch of its own, as the loop below would record it.
                capitals |= caps != 0;
                while caps != 0 {
                    let at = i + caps.trailing_zeros() as usize / 8;
                    recorder.add(out.len() - base + (at - run), 1, at, at + 1, true);
                    caps &= caps - 1;
                }
                i += 8;
                continue;
            }
            bytewise_until = i + 8;
        }
        // A single space between two printable ASCII characters folds to itself.
        if b == b' ' && i > run && bytes.get(i + 1).is_some_and(|&n| n > b' ' && n.is_ascii()) {
            i += 1;
            continue;
        }
        if b > b' ' && b.is_ascii() {
            if b.is_ascii_uppercase() {
                let at = out.len() - base + (i - run);
                recorder.add(at, 1, i, i + 1, true);
                capitals = true;
            }
            i += 1;
            continue;
        }
        let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let width = c.len_utf8();
        if c.is_whitespace() {
            let mut end = i + width;
            while let Some(w) = space_at(s, end) {
                end += w;
            }
            // With nothing pending, `out` may end with a space (one from before `s`, or one
            // before a combining mark that folded to nothing); a pending run never does.
            let after_space = i == run && out.ends_with(' ');
            if b == b' ' && end == i + 1 && !after_space {
                i = end;
                continue;
            }
            copy_run(&s[run..i], out, &mut capitals);
            let at = out.len() - base;
            if out.ends_with(' ') {
                recorder.add(at, 0, i, end, false);
            } else {
                out.push(' ');
                recorder.add(at, 1, i, end, false);
            }
            i = end;
            run = end;
            continue;
        }
        if b.is_ascii() {
            // A control character: folds to itself.
            i += 1;
            continue;
        }
        copy_run(&s[run..i], out, &mut capitals);
        let start = out.len();
        fold_char(c, &mut |f| out.push(f));
        if out.as_bytes()[start..] != bytes[i..i + width] {
            recorder.add(start - base, out.len() - start, i, i + width, false);
        }
        i += width;
        run = i;
    }
    copy_run(&s[run..], out, &mut capitals);
    recorder.finish(patches)
}

/// Whether the 8 bytes at `i` fold to themselves or to their lower case, each exactly as
/// the byte-by-byte loop of [`fold_recording`] would fold it: ASCII from `!` to DEL, and
/// single spaces each followed by such a byte (a space first in the block only when
/// `space_first_ok`, that is when a byte of the run being copied comes before it). If so,
/// the capitals among them: the top bit of each of their bytes.
pub(super) fn plain_block(bytes: &[u8], i: usize, space_first_ok: bool) -> Option<u64> {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let x = u64::from_le_bytes(*bytes.get(i..)?.first_chunk::<8>()?);
    if x & H != 0 {
        return None;
    }
    // Per byte (all below 0x80 now, so no borrow crosses bytes): the top bit of
    // `(x | H) - k·L` is set exactly where the byte is at least `k`.
    let at_least = |k: u64| ((x | H) - k * L) & H;
    let controls = !at_least(0x20) & H;
    let capitals = at_least(0x41) & !at_least(0x5b);
    let t = x ^ (0x20 * L);
    // Exactly the bytes that are 0 in `t`, that is spaces in `x`.
    let spaces = !(((t & !H) + !H) | t | !H);
    if controls | (spaces & (spaces >> 8)) != 0 {
        return None;
    }
    if spaces & 0x80 != 0 && !space_first_ok {
        return None;
    }
    // A space last in the block needs a printable ASCII byte after it.
    let last_ok = spaces >> 63 == 0 || bytes.get(i + 8).is_some_and(|&n| n > b' ' && n.is_ascii());
    last_ok.then_some(capitals)
}

/// Appends `run` (ASCII) to `out`, in lower case if it holds capitals.
fn copy_run(run: &str, out: &mut String, capitals: &mut bool) {
    let start = out.len();
    out.push_str(run);
    if std::mem::take(capitals) {
        out[start..].make_ascii_lowercase();
    }
}

/// The length of the whitespace character at byte `at` of `s`, if there is one.
fn space_at(s: &str, at: usize) -> Option<usize> {
    match *s.as_bytes().get(at)? {
        b' ' | b'\t'..=b'\r' => Some(1),
        b if b.is_ascii() => None,
        _ => s
            .get(at..)?
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
            .map(char::len_utf8),
    }
}

thread_local! {
    /// The buffer [`Patches`] writes in.
    static PATCHES: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// The patches of one text as they are found (see [`fold_recording`]).
struct Patches<'a> {
    text: &'a str,
    out: String,
    /// The latest patch, still growing while the next one touches it.
    open: Option<Patch>,
    /// Where the last patch written ends in the folded text.
    written_to: usize,
    limit: usize,
    over: bool,
}

struct Patch {
    folded: Range<usize>,
    text: Range<usize>,
    /// The text there is the folded bytes in ASCII capitals.
    capitals: bool,
}

impl Patch {
    /// The bytes of text it will write.
    fn text_bytes(&self) -> usize {
        if self.capitals { 0 } else { self.text.len() }
    }
}

impl<'a> Patches<'a> {
    fn new(text: &'a str, limit: usize) -> Patches<'a> {
        Patches {
            text,
            // The thread's buffer, with room for a capital every sentence or so.
            out: {
                let mut out = crate::scratch::take(&PATCHES);
                out.reserve(text.len() / 16);
                out
            },
            open: None,
            written_to: 0,
            limit,
            over: false,
        }
    }

    /// Folded bytes `at..at + len` stand for `text[from..to]`.
    fn add(&mut self, at: usize, len: usize, from: usize, to: usize, capitals: bool) {
        if self.over {
            return;
        }
        match &mut self.open {
            Some(p) if p.folded.end == at && p.text.end == from => {
                p.folded.end = at + len;
                p.text.end = to;
                p.capitals &= capitals;
            }
            _ => {
                self.write();
                self.open = Some(Patch {
                    folded: at..at + len,
                    text: from..to,
                    capitals,
                });
            }
        }
        let open = self.open.as_ref().map_or(0, Patch::text_bytes);
        self.over = self.out.len() + open > self.limit;
    }

    fn write(&mut self) {
        let Some(p) = self.open.take() else { return };
        let gap = p.folded.start - self.written_to;
        self.written_to = p.folded.end;
        if p.capitals && p.folded.len() == 1 {
            crate::number::push(&mut self.out, gap * 2 + 1);
            return;
        }
        crate::number::push(&mut self.out, gap * 2);
        crate::number::push(&mut self.out, p.folded.len());
        if p.capitals {
            crate::number::push(&mut self.out, 1);
        } else {
            // Patches start and end on characters of the text.
            let text = self.text.get(p.text.clone()).unwrap_or_default();
            crate::number::push(&mut self.out, text.len() * 2);
            self.out.push_str(text);
        }
    }

    /// Appends the patches to `to` unless they went over the limit (the thread's buffer
    /// is kept for the next).
    fn finish(mut self, to: &mut String) -> bool {
        self.write();
        let fits = !self.over && self.out.len() <= self.limit;
        if fits {
            to.push_str(&self.out);
        }
        crate::scratch::keep(&PATCHES, self.out);
        fits
    }
}

/// The text that [`fold_recording`] folded into `folded` and described with `patches`.
///
/// Patches that do not fit `folded` (which [`fold_recording`] never writes) end the
/// rebuilding early rather than panic: what is left of `folded` follows as it is.
pub(super) fn unfold(folded: &str, patches: &str) -> String {
    let folded = folded.as_bytes();
    let mut out = Vec::with_capacity(folded.len() + patches.len());
    let mut at = 0;
    let mut rest = patches.as_bytes();
    while !rest.is_empty() {
        let Some(next) = unfold_one(folded, at, &mut rest, &mut out) else {
            break;
        };
        at = next;
    }
    out.extend_from_slice(folded.get(at..).unwrap_or_default());
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Applies the patch at the front of `patches` to the folded text from byte `at` on:
/// writes the folded bytes before it and the text it stands for. Returns where it ends.
fn unfold_one(folded: &[u8], at: usize, patches: &mut &[u8], out: &mut Vec<u8>) -> Option<usize> {
    let first = crate::number::read(patches)?;
    let start = at.checked_add(first / 2)?;
    if first % 2 == 1 {
        let capital = folded.get(start)?.to_ascii_uppercase();
        out.extend_from_slice(folded.get(at..start)?);
        out.push(capital);
        return Some(start + 1);
    }
    let end = start.checked_add(crate::number::read(patches)?)?;
    let code = crate::number::read(patches)?;
    let covered = folded.get(start..end)?;
    out.extend_from_slice(folded.get(at..start)?);
    if code == 1 {
        out.extend(covered.iter().map(u8::to_ascii_uppercase));
    } else {
        let (text, rest) = patches.split_at_checked(code / 2)?;
        out.extend_from_slice(text);
        *patches = rest;
    }
    Some(end)
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
