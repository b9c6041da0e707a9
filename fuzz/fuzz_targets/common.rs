//! What every parser's result must be: each string that reaches a terminal clean, and
//! headlines on one line.

use livefeed::entry::Snapshot;
use livefeed::text::is_forbidden;

fn clean(s: &str) -> bool {
    !s.chars().any(is_forbidden)
}

pub fn check(snap: &Snapshot) {
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
}
