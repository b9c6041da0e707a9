//! The user's TOML document as written, with spans: merging it over the defaults and
//! finding the line of a key, so every config error can point at where to look.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{KNOWN_KEYS, LIMIT_KEYS, SOURCE_KEYS};

/// One step of the path to a key in the document.
#[derive(Debug, Clone)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

/// Rejects keys the config does not have, with the path to the first one. Checked on the
/// user's document (not the merged one) so the error can point at its line.
pub(super) fn check_known_keys(user: &DeTable<'_>) -> Result<(), (Vec<Step>, String)> {
    let unknown = |path: Vec<Step>, key: &str, place: &str, known: &[&str]| {
        let hint = match closest(key, known) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        let known = known.join(", ");
        let message = format!("unknown key `{key}`{place} ({hint}known keys: {known})");
        Err((path, message))
    };
    for key in user.keys() {
        if !KNOWN_KEYS.contains(&key.get_ref().as_ref()) {
            return unknown(
                vec![Step::Key(key.to_string())],
                key.get_ref(),
                "",
                &KNOWN_KEYS,
            );
        }
    }
    if let Some(DeValue::Table(limits)) = user.get("limits").map(Spanned::get_ref) {
        for key in limits.keys() {
            if !LIMIT_KEYS.contains(&key.get_ref().as_ref()) {
                let path = vec![Step::Key("limits".into()), Step::Key(key.to_string())];
                return unknown(path, key.get_ref(), " in [limits]", &LIMIT_KEYS);
            }
        }
    }
    if let Some(DeValue::Array(sources)) = user.get("source").map(Spanned::get_ref) {
        for (index, source) in sources.iter().enumerate() {
            let DeValue::Table(source) = source.get_ref() else {
                continue;
            };
            for key in source.keys() {
                if !SOURCE_KEYS.contains(&key.get_ref().as_ref()) {
                    let path = vec![
                        Step::Key("source".into()),
                        Step::Index(index),
                        Step::Key(key.to_string()),
                    ];
                    return unknown(path, key.get_ref(), " in [[source]]", &SOURCE_KEYS);
                }
            }
        }
    }
    Ok(())
}

/// The known name nearest to a misspelt `name`, if it is only a typo or two away.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance by characters (names are short, so the plain quadratic way).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Merges `over` into `base`: tables merge key by key, anything else (arrays too) replaces.
pub(super) fn merge<'a>(base: &mut DeTable<'a>, over: DeTable<'a>) {
    for (key, value) in over {
        let old = base.get_mut(key.get_ref().as_ref()).map(Spanned::get_mut);
        if let (Some(DeValue::Table(old_table)), DeValue::Table(new_table)) = (old, value.get_ref())
        {
            merge(old_table, new_table.clone());
            continue;
        }
        // Remove first so the key keeps the user's span too.
        base.remove(key.get_ref().as_ref());
        base.insert(key, value);
    }
}

/// The span of the deepest step along `path` that the user's document has: the key itself
/// (so the line is where the user wrote it), or the element for an array index.
pub(super) fn span_at(root: &DeTable<'_>, path: &[Step]) -> Option<Range<usize>> {
    let mut found = None;
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    for step in path {
        match step {
            Step::Key(name) => {
                let table = match value.map(Spanned::get_ref) {
                    None => root,
                    Some(DeValue::Table(table)) => table,
                    Some(_) => break,
                };
                let Some((key, next)) = table.get_key_value(name.as_str()) else {
                    break;
                };
                found = Some(key.span());
                value = Some(next);
            }
            Step::Index(index) => {
                let Some(DeValue::Array(array)) = value.map(Spanned::get_ref) else {
                    break;
                };
                let Some(element) = array.get(*index) else {
                    break;
                };
                found = Some(element.span());
                value = Some(element);
            }
        }
    }
    found
}

/// The dotted name of the key whose value sits at `span`, to name it in type errors.
pub(super) fn key_of_value(table: &DeTable<'_>, span: &Range<usize>) -> Option<String> {
    for (key, value) in table {
        if value.span() == *span {
            return Some(key.get_ref().to_string());
        }
        let inner = match value.get_ref() {
            DeValue::Table(inner) => key_of_value(inner, span),
            DeValue::Array(array) => array.iter().find_map(|element| match element.get_ref() {
                DeValue::Table(inner) => key_of_value(inner, span),
                _ => None,
            }),
            _ => None,
        };
        if let Some(inner) = inner {
            return Some(format!("{}.{inner}", key.get_ref()));
        }
    }
    None
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Error messages from toml can span lines; ours are one sentence.
pub(super) fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(edit_distance("intervall", "interval"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("thme", &KNOWN_KEYS), Some("theme"));
        assert_eq!(closest("colour", &KNOWN_KEYS), Some("colors"));
        assert_eq!(closest("banana", &KNOWN_KEYS), None);
    }
}
