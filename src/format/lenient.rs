//! Lenient JSON for JSON-LD blocks found in web pages, which are often not valid JSON.
//!
//! Used for JSON-LD only (a JSON Feed must be valid). Repairs, in one pass over the text:
//! `<![CDATA[ … ]]>` and `<!-- … -->` wrappers around the block, `//` and `/* */` comments,
//! trailing commas before `}` or `]`, and raw control characters inside strings. Trailing
//! garbage after the first value (a stray `;`) is ignored.

use serde_json::Value;

/// Parse `s` as JSON, repairing the common breakage. `None` if it still is not JSON.
pub fn parse(s: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str(s) {
        return Some(v);
    }
    let repaired = repair(strip_wrappers(s));
    first_value(&repaired)
}

fn first_value(s: &str) -> Option<Value> {
    let mut stream = serde_json::Deserializer::from_str(s).into_iter::<Value>();
    stream.next()?.ok()
}

/// Drop CDATA and HTML comment wrappers (also when commented out with `//`).
fn strip_wrappers(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let before = s.len();
        for open in ["//<![CDATA[", "<![CDATA[", "<!--"] {
            if let Some(rest) = s.strip_prefix(open) {
                s = rest.trim_start();
            }
        }
        for close in ["//]]>", "]]>", "//-->", "-->"] {
            if let Some(rest) = s.strip_suffix(close) {
                s = rest.trim_end();
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Remove comments and trailing commas, escape control characters inside strings.
fn repair(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    out.push(c);
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => while chars.next_if(|c| *c != '\n').is_some() {},
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '}' | ']' => {
                let kept = out.trim_end().len();
                if out[..kept].ends_with(',') {
                    out.truncate(kept - 1);
                }
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repairs_common_breakage() {
        let s = "<!--//<![CDATA[\n{\"a\": \"x\ny\", // note\n \"b\": [1, 2,], /* c */ \"u\": \"http://x/\",}\n//]]>-->";
        assert_eq!(
            parse(s),
            Some(json!({"a": "x\ny", "b": [1, 2], "u": "http://x/"}))
        );
    }

    #[test]
    fn keeps_escapes_and_ignores_trailing_garbage() {
        assert_eq!(
            parse(r#"{"a": "q\"//, }"};"#),
            Some(json!({"a": "q\"//, }"}))
        );
        assert_eq!(parse("{\"a\": \"\u{1}\"}"), Some(json!({"a": "\u{1}"})));
        assert_eq!(parse("{broken"), None);
    }
}
