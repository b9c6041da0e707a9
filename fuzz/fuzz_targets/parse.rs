//! format::parse on arbitrary bytes: it must return (never panic, never hang), and every
//! string it returns that reaches a terminal must be clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use livefeed::text::is_forbidden;

fn clean(s: &str) -> bool {
    !s.chars().any(is_forbidden)
}

fuzz_target!(|data: &[u8]| {
    let Ok(snap) = livefeed::format::parse(data) else {
        return;
    };
    for s in snap.title.iter().chain(snap.home_url.iter()) {
        assert!(clean(s), "snapshot field {s:?}");
    }
    for e in &snap.entries {
        let fields = [&e.title, &e.text]
            .into_iter()
            .chain(&e.authors)
            .chain(&e.links)
            .chain(e.url.iter());
        for s in fields {
            assert!(clean(s), "entry field {s:?}");
        }
        assert!(!e.title.contains('\n'), "multi-line title {:?}", e.title);
        for img in &e.images {
            for s in [&img.url, &img.caption, &img.credit].into_iter().flatten() {
                assert!(clean(s), "image field {s:?}");
            }
        }
    }
});
