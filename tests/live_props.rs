//! A property-based state-machine test of the live behaviour: random sequences of responses
//! (new, edited, reordered, dropped, re-added, duplicated and reused ids, empty lists,
//! errors, clock skew) and keys, checked after every step.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use livefeed::entry::{Entry, Snapshot};
use livefeed::keymap::Keymap;
use livefeed::model::{Model, Msg, PollResult};
use livefeed::store::Key;
use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone)]
enum Op {
    /// A response: (id, version, clock skew in minutes, withdrawn), in this order.
    Respond(Vec<(u8, u8, i8, bool)>),
    Empty,
    Fail,
    Key(char),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => prop::collection::vec((0u8..16, 0u8..4, -3i8..4, prop::bool::weighted(0.05)), 1..10)
            .prop_map(Op::Respond),
        1 => Just(Op::Empty),
        1 => Just(Op::Fail),
        4 => prop::sample::select(vec!['j', 'k', 'n', 'g', 'G', 'a', 'u', 'd', 'p']).prop_map(Op::Key),
    ]
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + secs).unwrap()
}

/// Version 3 of an id is a reuse of it for a different story, days later.
fn entry(id: u8, version: u8, skew: i8, removed: bool) -> Entry {
    let reused = version == 3;
    let base = if reused { 3 * 86_400 } else { 0 };
    Entry {
        id: format!("i{id}"),
        published: Some(ts(base + id as i64 * 60 + skew as i64 * 60)),
        title: if reused {
            format!("another story {id}")
        } else {
            format!("story {id}")
        },
        text: format!("text of {id}, version {version}"),
        removed,
        ..Entry::default()
    }
}

fn run(ops: Vec<Op>, cap: usize) -> Result<(), TestCaseError> {
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut m = Model::new(vec!["p".into()], keymap, ts(0));
    m.tz = jiff::tz::TimeZone::UTC;
    m.max_entries = cap;
    m.update(Msg::Resize(100, 20));
    let mut now = 0i64;
    let mut seen: BTreeMap<Key, String> = BTreeMap::new();
    let mut withdrawn: BTreeSet<String> = BTreeSet::new();
    for op in ops {
        now += 30;
        let before = m.selected.clone();
        let is_key = matches!(op, Op::Key(_));
        let merged = matches!(op, Op::Respond(_) | Op::Empty);
        match op {
            Op::Respond(list) => {
                let entries: Vec<Entry> =
                    list.iter().map(|&(i, v, s, r)| entry(i, v, s, r)).collect();
                for e in &entries {
                    if e.removed {
                        withdrawn.insert(e.id.clone());
                    }
                }
                let snapshot = Snapshot {
                    entries,
                    ..Snapshot::default()
                };
                m.update(Msg::Fetched {
                    source: 0,
                    at: ts(now),
                    result: PollResult::Snapshot(snapshot),
                    next_due: None,
                });
            }
            Op::Empty => {
                m.update(Msg::Fetched {
                    source: 0,
                    at: ts(now),
                    result: PollResult::Snapshot(Snapshot::default()),
                    next_due: None,
                });
            }
            Op::Fail => {
                m.update(Msg::Fetched {
                    source: 0,
                    at: ts(now),
                    result: PollResult::Failed("HTTP 500".into()),
                    next_due: None,
                });
            }
            Op::Key(c) => {
                m.update(Msg::Key(KeyEvent::new(
                    KeyCode::Char(c),
                    KeyModifiers::NONE,
                )));
            }
        }
        // The selection never changes by itself.
        if !is_key && before.is_some() {
            prop_assert_eq!(&m.selected, &before, "the selection moved without a key");
        }
        // What the user reads now is remembered...
        if let Some(s) = m.selected_entry() {
            let shown = m
                .held
                .as_ref()
                .map_or_else(|| s.text().into_owned(), |held| held.text.clone());
            seen.insert(s.key(), shown);
        }
        // ...and everything ever shown stays retrievable with the text the user saw, unless
        // the cap evicted it (which the status line counts).
        let mut missing = 0;
        for (key, text) in &seen {
            let Some(s) = m.store.get(key) else {
                missing += 1;
                continue;
            };
            let kept = s.text() == *text || s.previous().iter().any(|p| p.text == *text);
            if !kept && m.store.evicted(0) > 0 {
                // Evicted, then fetched again as a fresh entry.
                missing += 1;
                continue;
            }
            prop_assert!(kept, "{:?}: the text the user saw is gone", key);
        }
        prop_assert!(
            missing <= m.store.evicted(0),
            "{} shown entries gone, {} evicted",
            missing,
            m.store.evicted(0)
        );
        if m.store.evicted(0) == 0 {
            prop_assert_eq!(missing, 0);
        }
        if let Some(sel) = &m.selected {
            prop_assert!(m.store.get(sel).is_some(), "the selection is never evicted");
        }
        // Only entries the source withdrew, or that vanished inside its window, are removed.
        for s in m.store.iter() {
            if s.entry.removed {
                prop_assert!(withdrawn.contains(s.entry.id()) || s.entry.id().contains('~'));
            }
            if s.vanished {
                prop_assert!(s.entry.time().is_some());
            }
        }
        // After every merge, memory is under the cap, except for entries the user has not
        // seen yet and the selection, which are never evicted.
        if merged {
            let held = m.store.len();
            let protected = m.store.iter().filter(|s| s.new).count() + 1;
            prop_assert!(held <= cap.max(protected), "{} held, cap {}", held, cap);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]
    #[test]
    fn live_behaviour_keeps_faith(ops in prop::collection::vec(op(), 1..60)) {
        // A cap never reached: nothing shown may ever go.
        run(ops, 10_000)?;
    }

    #[test]
    fn a_small_cap_bounds_memory_and_evicts_only_what_was_seen(ops in prop::collection::vec(op(), 1..60)) {
        run(ops, 6)?;
    }
}
