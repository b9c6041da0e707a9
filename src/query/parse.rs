//! The parser: query text → terms, or an error that points at the offending byte.
//!
//! The grammar is one term after another, separated by whitespace:
//!
//! ```text
//! term  = ["-"] [field ":"] value
//! value = word | '"' anything but a quote '"'
//! field = title | author | source | text | is | since      (any case)
//! ```
//!
//! A term is a qualifier only when it starts with ASCII letters followed by `:`. Two
//! exceptions keep ordinary words usable: a colon followed by `//` is a URL (`https://x` is
//! the plain word `https://x`), and anything not starting with letters (`14:30`, `:)`) is a
//! plain word. Quotes only open a phrase at the start of a value; elsewhere they are
//! ordinary characters. Empty quotes (`""`) without a field match everything.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use memchr::memmem::Finder;

use super::{Field, Flag, Grams, QueryError, Term, Test, fold};

/// Parses `input` into terms (in input order).
pub(super) fn terms(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Vec<Term>, QueryError> {
    let mut terms = Vec::new();
    let mut pos = 0;
    loop {
        pos = skip_whitespace(input, pos);
        if pos >= input.len() {
            return Ok(terms);
        }
        let mut negated = false;
        if input[pos..].starts_with('-') {
            if ends_value(input, pos + 1) {
                return Err(error(
                    pos,
                    "a lone `-` excludes nothing: write the word right after it, like -rumour",
                ));
            }
            negated = true;
            pos += 1;
        }
        let field_at = pos;
        let field = match qualifier(input, pos) {
            Some((name, value_at)) => {
                pos = value_at;
                Some((
                    name,
                    parse_field(name).ok_or_else(|| unknown_field(name, field_at))?,
                ))
            }
            None => None,
        };
        let value_at = pos;
        let (value, end) = value(input, pos)?;
        pos = end;
        let test = match field {
            None => match text_test(Field::Any, value) {
                Some(test) => test,
                None => continue,
            },
            Some((name, field)) => {
                if value.trim().is_empty() {
                    return Err(error(
                        field_at,
                        format!(
                            "`{name}:` needs a value right after the colon, like {name}:{}",
                            example(&field)
                        ),
                    ));
                }
                qualified(field, value, value_at, now, tz)?
            }
        };
        terms.push(Term { negated, test });
    }
}

/// What a qualifier names. `Text` fields turn into [`Test::Text`].
enum Qualifier {
    Text(Field),
    Is,
    Since,
}

/// A value to show in the "needs a value" message.
fn example(field: &Qualifier) -> &'static str {
    match field {
        Qualifier::Text(_) => "word",
        Qualifier::Is => "new",
        Qualifier::Since => "30m",
    }
}

fn parse_field(name: &str) -> Option<Qualifier> {
    Some(match name.to_ascii_lowercase().as_str() {
        "title" => Qualifier::Text(Field::Title),
        "author" => Qualifier::Text(Field::Author),
        "source" => Qualifier::Text(Field::Source),
        "text" => Qualifier::Text(Field::Text),
        "is" => Qualifier::Is,
        "since" => Qualifier::Since,
        _ => return None,
    })
}

fn qualified(
    field: Qualifier,
    value: &str,
    value_at: usize,
    now: Timestamp,
    tz: &TimeZone,
) -> Result<Test, QueryError> {
    match field {
        Qualifier::Text(f) => {
            // A value that folds to nothing (a lone combining mark) still needs saying.
            text_test(f, value).ok_or_else(|| error(value_at, "this value has no letters to look for"))
        }
        Qualifier::Is => {
            let flag = match fold(value.trim()).as_str() {
                "new" => Flag::New,
                "pinned" => Flag::Pinned,
                "edited" => Flag::Edited,
                "removed" => Flag::Removed,
                _ => {
                    return Err(error(
                        value_at,
                        format!(
                            "unknown `is:{}` (use is:new, is:pinned, is:edited, is:removed)",
                            value.trim()
                        ),
                    ));
                }
            };
            Ok(Test::Is(flag))
        }
        Qualifier::Since => since(value.trim(), now, tz).map(Test::Since).ok_or_else(|| {
            error(
                value_at,
                format!(
                    "cannot read `since:{}` (use an age like 90s, 30m, 2h, 1d or a clock time like 14:30)",
                    value.trim()
                ),
            )
        }),
    }
}

/// A text test for the folded, trimmed `value`; `None` when nothing is left to look for.
fn text_test(field: Field, value: &str) -> Option<Test> {
    let folded = fold(value);
    let needle = folded.trim();
    if needle.is_empty() {
        return None;
    }
    Some(Test::Text {
        field,
        finder: Box::new(Finder::new(needle.as_bytes()).into_owned()),
        grams: Box::new(Grams::of(needle.as_bytes())),
    })
}

/// The value starting at `pos`: a quoted phrase (without its quotes) or a word. Returns it
/// and the position just after it.
fn value(input: &str, pos: usize) -> Result<(&str, usize), QueryError> {
    let rest = &input[pos..];
    if let Some(inner) = rest.strip_prefix('"') {
        return match inner.find('"') {
            Some(close) => Ok((&inner[..close], pos + 1 + close + 1)),
            None => Err(error(
                pos,
                "unterminated quote: close the phrase with another `\"`",
            )),
        };
    }
    let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Ok((&rest[..len], pos + len))
}

/// If a qualifier starts at `pos`, its name and where its value starts.
fn qualifier(input: &str, pos: usize) -> Option<(&str, usize)> {
    let rest = &input[pos..];
    let letters = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let after = &rest[letters..];
    if letters == 0 || !after.starts_with(':') || after.starts_with("://") {
        return None;
    }
    Some((&rest[..letters], pos + letters + 1))
}

/// Parses a since value: an age (`90s`, `30m`, `2h`, `1d`) or a clock time (`14:30`).
fn since(value: &str, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    if let Some((h, m)) = value.split_once(':') {
        return clock_time(h, m, now, tz);
    }
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let per_unit: i64 = match unit.to_ascii_lowercase() {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    // Ages too large for a timestamp mean "since the beginning".
    let seconds = digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(per_unit));
    Some(
        seconds
            .and_then(|s| now.checked_sub(SignedDuration::from_secs(s)).ok())
            .unwrap_or(Timestamp::MIN),
    )
}

/// The last moment, at or before `now`, when the clock in `tz` showed `h:m`.
fn clock_time(h: &str, m: &str, now: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
    let two_digits = |s: &str, min_len: usize| {
        (min_len..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !two_digits(h, 1) || !two_digits(m, 2) {
        return None;
    }
    let (hour, minute): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    if hour > 23 || minute > 59 {
        return None;
    }
    let at = |day: Date| {
        day.at(hour, minute, 0, 0)
            .to_zoned(tz.clone())
            .ok()
            .map(|z| z.timestamp())
    };
    let today = now.to_zoned(tz.clone()).date();
    let t = at(today)?;
    if t <= now {
        Some(t)
    } else {
        at(today.yesterday().ok()?)
    }
}

fn skip_whitespace(input: &str, pos: usize) -> usize {
    let rest = &input[pos..];
    pos + (rest.len() - rest.trim_start().len())
}

/// Whether no value can start at `pos` (end of input or whitespace).
fn ends_value(input: &str, pos: usize) -> bool {
    input[pos..].chars().next().is_none_or(char::is_whitespace)
}

fn unknown_field(name: &str, column: usize) -> QueryError {
    error(
        column,
        format!("unknown field `{name}` (use title:, author:, source:, text:, is:, since:)"),
    )
}

fn error(column: usize, message: impl Into<String>) -> QueryError {
    QueryError {
        message: message.into(),
        column,
    }
}
