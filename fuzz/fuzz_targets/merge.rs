//! A sequence of small generated snapshots merged into a Store (with the occasional
//! eviction, and first documents merged in parts); after every step the store's own
//! bookkeeping must agree with itself.
#![no_main]

use std::collections::HashSet;

use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use livefeed::entry::{Entry, Snapshot};
use livefeed::store::{Key, Store};

/// Reads small numbers from the fuzzer's bytes; zero once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self, n: u8) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b % n
    }
}

const BASE: i64 = 1_772_366_400;

fn time(b: &mut Bytes, now: i64) -> Option<Timestamp> {
    match b.next(4) {
        0 => None,
        // Mostly the recent past, sometimes the far past or the future.
        1 | 2 => Timestamp::from_second(now - i64::from(b.next(120)) * 60).ok(),
        _ => Timestamp::from_second(now + (i64::from(b.next(200)) - 100) * 3600).ok(),
    }
}

fn entry(b: &mut Bytes, now: i64) -> Entry {
    const TITLES: [&str; 4] = ["", "Storm", "Storm hits", "Ferries stop"];
    const TEXTS: [&str; 4] = ["", "a", "a\n\nb", "longer text"];
    Entry {
        id: format!("e{}", b.next(10)),
        published: time(b, now),
        updated: time(b, now),
        title: TITLES[usize::from(b.next(4))].to_string(),
        text: TEXTS[usize::from(b.next(4))].to_string(),
        authors: (0..b.next(3)).map(|n| format!("A{n}")).collect(),
        url: (b.next(2) == 1).then(|| format!("https://x.example/{}", b.next(4))),
        pinned: b.next(8) == 0,
        key_event: b.next(8) == 0,
        removed: b.next(8) == 0,
        ..Entry::default()
    }
}

fn check(store: &Store) {
    let n = store.len();
    assert_eq!(store.order().len(), n, "order covers every entry once");
    let positions: HashSet<usize> = store.order().iter().copied().collect();
    assert_eq!(positions.len(), n, "order has no duplicates");
    let mut keys = HashSet::new();
    let mut new = 0;
    for pos in 0..n {
        let s = store.at(pos).expect("a position below len");
        let key = s.key();
        assert!(keys.insert(key.clone()), "key {key:?} twice");
        let slab = store.order()[pos];
        assert_eq!(store.index_of(&key), Some(slab), "index of {key:?}");
        assert_eq!(store.item(slab).key(), key);
        assert_eq!(store.get(&key).map(|g| g.seq), Some(s.seq));
        new += usize::from(s.new);
    }
    assert_eq!(store.new_count(), new, "new count");
    assert!(store.at(n).is_none());
    let pinned: Vec<usize> = (store.order().iter().copied())
        .filter(|&i| store.item(i).entry.pinned)
        .collect();
    assert_eq!(store.pinned(), pinned, "the pinned entries, newest first");
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let mut store = Store::new();
    let mut now = BASE;
    let steps = 1 + b.next(12);
    for _ in 0..steps {
        now += i64::from(b.next(60)) * 60;
        let source = usize::from(b.next(2));
        match b.next(8) {
            0 => {
                let cap = usize::from(b.next(6));
                let keep = (b.next(2) == 1).then(|| Key {
                    source,
                    id: format!("e{}", b.next(10)),
                });
                let before = store.len();
                let gone = store.evict(source, cap, keep.as_ref());
                assert_eq!(store.len() + gone, before, "evict reports what it removed");
            }
            1 => {
                if let Some(s) = store.at(usize::from(b.next(8))) {
                    let key = s.key();
                    store.mark_seen(&key);
                    assert!(!store.get(&key).is_some_and(|s| s.new));
                }
            }
            2 => {
                store.mark_all_seen();
                assert_eq!(store.new_count(), 0);
            }
            _ => {
                let entries: Vec<Entry> = (0..b.next(6)).map(|_| entry(&mut b, now)).collect();
                let before = store.len();
                // Sometimes a part of a first document, or the rest of one (see
                // `Snapshot::more`), in any order the steps make.
                let more = b.next(4) == 0;
                let continues = b.next(4) == 0;
                let snapshot = Snapshot {
                    entries,
                    format: "fuzz",
                    more,
                    continues,
                    ..Snapshot::default()
                };
                let at = Timestamp::from_second(now).expect("a time in range");
                let report = store.merge(source, snapshot, at);
                assert!(store.len() >= before, "merge never forgets");
                for key in report.added.iter().chain(&report.edited) {
                    assert!(store.get(key).is_some(), "reported {key:?} is held");
                }
            }
        }
        check(&store);
    }
});
