//! text::html_to_text, text::plain and text::sanitize on arbitrary text: clean output,
//! and sanitize is idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livefeed::text::{html_to_text, is_forbidden, one_line, plain, sanitize};

fn clean(s: &str) -> bool {
    !s.chars().any(is_forbidden)
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);

    let once = sanitize(&s);
    assert!(clean(&once));
    assert_eq!(sanitize(&once), once, "sanitize is not idempotent");

    let t = html_to_text(&s);
    assert!(clean(&t.text), "text {:?}", t.text);
    assert_eq!(sanitize(&t.text), t.text);
    for l in &t.links {
        assert!(clean(l), "link {l:?}");
    }
    for img in &t.images {
        for f in [&img.url, &img.caption, &img.credit].into_iter().flatten() {
            assert!(clean(f), "image field {f:?}");
        }
    }

    let p = plain(&s);
    assert!(clean(&p) && !p.contains('\n'), "plain {p:?}");
    let o = one_line(&s);
    assert!(clean(&o) && !o.contains(['\n', '\t']), "one_line {o:?}");
});
