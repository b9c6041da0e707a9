//! Capping how deep markup nests before html5ever sees it.
//!
//! html5ever's tree builder scans its stack of open elements for many start tags, so a
//! document of 100,000 nested `<div>` (500 KB) takes minutes to parse: time quadratic in
//! the depth. Nothing a person reads nests that deep, so one linear pass first drops
//! every tag (with its text) that would open deeper than the cap, as the walk after the
//! parse would drop it anyway.
//!
//! The pass models nesting simply: void elements and elements whose end tag may be left
//! out (`p`, `li`, `td`, …) do not count; an end tag closes the nearest open element of its
//! name unless a scope boundary (`table`, `td`, …) lies between, as in html5ever; raw-text
//! elements (`script`, `style`, …) are skipped whole; comments and doctypes are not tags.

use std::borrow::Cow;

/// `html` with every element nested deeper than `max` left out, with its content.
/// Borrowed unchanged when it cannot nest that deep.
pub fn limit_depth(html: &str, max: usize) -> Cow<'_, str> {
    if html.bytes().filter(|&b| b == b'<').count() <= max {
        return Cow::Borrowed(html);
    }
    let b = html.as_bytes();
    // The output is the input itself until something is left out: only then is it copied.
    let mut out: Option<String> = None;
    let keep = |out: &mut Option<String>, range: std::ops::Range<usize>| {
        if let Some(out) = out {
            out.push_str(&html[range]);
        }
    };
    let leave_out = |out: &mut Option<String>, from: usize| {
        if out.is_none() {
            let mut copy = String::with_capacity(html.len());
            copy.push_str(&html[..from]);
            *out = Some(copy);
        }
    };
    let mut open: Vec<String> = Vec::new();
    // Elements opened beyond the cap and not closed yet: everything inside goes.
    let mut excess = 0usize;
    let mut i = 0;
    while i < b.len() {
        let Some(lt) = b[i..].iter().position(|&c| c == b'<').map(|p| i + p) else {
            if excess == 0 {
                keep(&mut out, i..b.len());
            } else {
                leave_out(&mut out, i);
            }
            break;
        };
        if excess == 0 {
            keep(&mut out, i..lt);
        } else if lt > i {
            leave_out(&mut out, i);
        }
        let (end, tag) = token(html, lt);
        let kept = match &tag {
            Tag::Other => excess == 0,
            Tag::Open(name) if !counts(name) => excess == 0,
            Tag::Close(name) if !counts(name) => excess == 0,
            Tag::Open(name) => {
                if excess > 0 || open.len() >= max {
                    excess += 1;
                    false
                } else {
                    open.push(name.clone());
                    true
                }
            }
            Tag::Close(name) => {
                if excess > 0 {
                    excess -= 1;
                    false
                } else {
                    close(&mut open, name);
                    true
                }
            }
        };
        if kept {
            keep(&mut out, lt..end);
        } else {
            leave_out(&mut out, lt);
        }
        i = end;
    }
    out.map_or(Cow::Borrowed(html), Cow::Owned)
}

enum Tag {
    Open(String),
    Close(String),
    /// A comment, doctype, processing instruction or a `<` that starts no tag.
    Other,
}

/// The token starting at `b[lt] == b'<'`: where it ends, and what it is. A raw-text
/// element's start tag runs to the end of its end tag.
fn token(html: &str, lt: usize) -> (usize, Tag) {
    let b = html.as_bytes();
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    match at(lt + 1) {
        b'!' if html[lt..].starts_with("<!--") => {
            let end = html[lt + 4..]
                .find("-->")
                .map_or(b.len(), |p| lt + 4 + p + 3);
            (end, Tag::Other)
        }
        b'!' | b'?' => (to_gt(b, lt + 1), Tag::Other),
        b'/' if at(lt + 2).is_ascii_alphabetic() => {
            let name = name_at(b, lt + 2);
            (to_gt(b, lt + 2), Tag::Close(name))
        }
        c if c.is_ascii_alphabetic() => {
            let name = name_at(b, lt + 1);
            let mut end = tag_end(b, lt + 1);
            if is_raw_text(&name) {
                end = raw_text_end(html, end, &name);
            }
            (end, Tag::Open(name))
        }
        _ => (lt + 1, Tag::Other),
    }
}

fn name_at(b: &[u8], from: usize) -> String {
    b[from..]
        .iter()
        .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>'))
        .map(|c| c.to_ascii_lowercase() as char)
        .collect()
}

/// Just past the next `>` (or the end).
fn to_gt(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'>')
        .map_or(b.len(), |p| from + p + 1)
}

/// Just past the `>` that ends a start tag, skipping quoted attribute values.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut quote = None;
    for (k, &c) in b.iter().enumerate().skip(from) {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, b'>') => return k + 1,
            _ => {}
        }
    }
    b.len()
}

/// Just past the end tag `</name …>` that closes a raw-text element (or the end).
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let b = html.as_bytes();
    let mut k = from;
    while let Some(p) = html[k..].find("</") {
        let start = k + p + 2;
        let candidate = b.get(start..start + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes())) {
            return to_gt(b, start);
        }
        k = start;
    }
    b.len()
}

fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
    )
}

/// Whether the element adds to the nesting: not void, and its end tag is not optional.
fn counts(name: &str) -> bool {
    !matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "param"
            | "keygen"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rp"
            | "rt"
            | "html"
            | "head"
            | "body"
    )
}

/// Close the nearest open `name`, unless a scope boundary is nearer (html5ever would then
/// ignore the end tag).
fn close(open: &mut Vec<String>, name: &str) {
    for k in (0..open.len()).rev() {
        if open[k] == name {
            open.truncate(k);
            return;
        }
        if matches!(
            open[k].as_str(),
            "table" | "applet" | "marquee" | "object" | "template" | "button" | "svg" | "math"
        ) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_markup_is_untouched() {
        let html = "<div><p>a<p>b<ul><li>c<li>d</ul></div><br><img src=x>";
        assert_eq!(limit_depth(html, 3), html);
        // Many tags, none too deep: the page itself, not a copy.
        let long = "<div><p>a</p><b>x</b></div>".repeat(1_000);
        assert!(matches!(limit_depth(&long, 3), Cow::Borrowed(s) if s == long));
        let cut = format!("{long}<div><div><div><div>deep</div></div></div></div>");
        assert_eq!(
            limit_depth(&cut, 3),
            format!("{long}<div><div><div></div></div></div>")
        );
    }

    #[test]
    fn deep_elements_go_with_their_text() {
        let html = "<div><div><div>deep</div>mid</div>top</div>after";
        assert_eq!(limit_depth(html, 2), "<div><div>mid</div>top</div>after");
    }

    #[test]
    fn stray_end_tags_do_not_lower_the_depth() {
        let html = "<div></span><div></span><div></span><div>x";
        assert_eq!(limit_depth(html, 2), "<div></span><div></span>");
    }

    #[test]
    fn scripts_comments_and_quoted_brackets_are_not_tags() {
        let html = "<a title='<b>'><script>'<div><div><div>'</script><!-- <i><i><i> --></a>";
        assert_eq!(limit_depth(html, 2), html);
    }

    #[test]
    fn quadratic_parse_of_deeply_nested_html_is_cut_off() {
        let n = 100_000;
        let html = format!("{}deep{}", "<div>".repeat(n), "</div>".repeat(n));
        let out = limit_depth(&html, 512);
        assert_eq!(out.matches("<div>").count(), 512);
        assert_eq!(out.matches("</div>").count(), 512);
        assert!(!out.contains("deep"));
    }
}
