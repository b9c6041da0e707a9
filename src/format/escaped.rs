//! JSON strings read as the document spells them, their escapes undone only when they are
//! read (see [`Raw`]).

use serde::Deserialize;
use serde_json::value::RawValue;

/// A JSON string as the document spells it, between its quotes, escapes and all: a body
/// (JSON Feed's `content_html`, `content_text`, `summary`; JSON-LD's `articleBody`, `text`,
/// `description`). A body is read once, by the converter, and nearly every one holds
/// escapes (`\"` in its markup, `<\/p>`), which serde would undo into a buffer of its own,
/// grown by doubling, and then copy into a new string: every entry paid for both. Here it
/// is undone, when it has escapes, into one buffer per thread that serves every entry.
#[derive(Debug, Clone, Copy)]
pub struct Raw<'a>(pub &'a str);

impl<'a> Raw<'a> {
    /// The string that a JSON value's text (`raw`) is, if it is one.
    pub fn of_json(raw: &'a str) -> Option<Raw<'a>> {
        raw.strip_prefix('"')
            .and_then(|r| r.strip_suffix('"'))
            .map(Raw)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?.get();
        match Raw::of_json(raw) {
            Some(raw) => Ok(raw),
            None => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Other(raw.get(..1).unwrap_or("nothing")),
                &"a string",
            )),
        }
    }
}

thread_local! {
    /// The buffer [`Raw::read`] undoes escapes into.
    static UNESCAPED: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

impl Raw<'_> {
    /// `f` of the string's text, its escapes undone.
    pub fn read<R>(self, f: impl FnOnce(&str) -> R) -> R {
        if memchr::memchr(b'\\', self.0.as_bytes()).is_none() {
            return f(self.0);
        }
        let mut buf = crate::scratch::take(&UNESCAPED);
        unescape(self.0, &mut buf);
        let out = f(&buf);
        crate::scratch::keep(&UNESCAPED, buf);
        out
    }
}

/// Appends the text of a JSON string's inside (as the document spells it: the parser has
/// checked its syntax) to `out`. A `\u` escape of half a surrogate pair without its other
/// half becomes U+FFFD, as does anything else that is not an escape.
fn unescape(s: &str, out: &mut String) {
    out.reserve(s.len());
    let mut rest = s;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let (c, used) = match rest.as_bytes().get(at + 1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            Some(b'u') => unicode_escape(&rest[at..]),
            _ => ('\u{fffd}', 1),
        };
        out.push(c);
        // Every escape read is ASCII, so `used` ends on a character boundary.
        rest = &rest[at + used..];
    }
    out.push_str(rest);
}

/// The character of the `\uXXXX` escape (or surrogate pair of two) that `s` starts with,
/// and how many bytes it takes.
fn unicode_escape(s: &str) -> (char, usize) {
    let hex4 = |at: usize| {
        let digits = s.as_bytes().get(at..at + 4)?;
        digits
            .iter()
            .try_fold(0u32, |n, &d| Some(n << 4 | char::from(d).to_digit(16)?))
    };
    let Some(first) = hex4(2) else {
        return ('\u{fffd}', 2);
    };
    if (0xD800..0xDC00).contains(&first) {
        let second = s[6..].starts_with("\\u").then(|| hex4(8)).flatten();
        if let Some(low) = second.filter(|l| (0xDC00..0xE000).contains(l)) {
            let c = 0x10000 + ((first - 0xD800) << 10 | (low - 0xDC00));
            return (char::from_u32(c).unwrap_or('\u{fffd}'), 12);
        }
    }
    (char::from_u32(first).unwrap_or('\u{fffd}'), 6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn undone(inside: &str) -> String {
        let mut out = String::from("kept ");
        unescape(inside, &mut out);
        out.strip_prefix("kept ").unwrap().to_string()
    }

    proptest! {
        #[test]
        fn undoes_what_serde_json_writes(s in "\\PC*|[\"\\\\/\u{0}-\u{1f}\u{7f}-\u{a0}a<>é😀]*") {
            let json = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(undone(&json[1..json.len() - 1]), s);
        }
    }

    #[test]
    fn every_escape_json_has() {
        let cases = [
            (r#"a\"b\\c\/d"#, "a\"b\\c/d"),
            (r"\b\f\n\r\t", "\u{8}\u{c}\n\r\t"),
            (r"caf\u00e9 \u00E9", "café é"),
            (r"\ud83d\ude00!", "😀!"),
            // Half a pair, or a pair the wrong way round: the replacement character.
            (r"\ud800x", "\u{fffd}x"),
            (r"\ude00\ud83d", "\u{fffd}\u{fffd}"),
            (r"\ud83d\u0041", "\u{fffd}A"),
            // Not escapes at all (a parser would have refused them).
            (r"\uZZZZ", "\u{fffd}ZZZZ"),
            (r"\q", "\u{fffd}q"),
            ("end\\", "end\u{fffd}"),
        ];
        for (inside, text) in cases {
            assert_eq!(undone(inside), text, "{inside}");
        }
    }

    #[test]
    fn a_string_is_read_through_the_threads_buffer_only_when_escaped() {
        let raw: Raw = serde_json::from_str(r#""<p class=\"x\">caf\u00e9</p>""#).unwrap();
        assert_eq!(raw.0, r#"<p class=\"x\">caf\u00e9</p>"#);
        assert_eq!(raw.read(str::to_string), "<p class=\"x\">café</p>");
        // The next string with escapes reuses the buffer, cleared.
        assert_eq!(Raw(r"\u0041").read(str::to_string), "A");
        // Without escapes, the text is read where it stands.
        Raw("plain").read(|s| assert_eq!(s, "plain"));
    }
}
