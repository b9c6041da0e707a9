//! Soak: 10,000 simulated polls of a source that fails at fixed rates, through the real
//! parser, store, model and scheduler. Nothing may be lost and memory must stay flat.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use livefeed::keymap::Keymap;
use livefeed::model::{Model, Msg, PollResult};
use livefeed::poll::{Attempt, Schedule};
use livefeed::store::Key;

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in [0, 1000).
    fn permille(&mut self) -> u64 {
        self.next() % 1000
    }
}

/// The simulated live blog: every entry ever published, newest last.
struct Blog {
    entries: Vec<(String, i64, String, bool)>,
}

impl Blog {
    /// The feed as the server shows it: the latest `window` entries, newest first.
    fn document(&self, window: usize) -> String {
        let items: Vec<serde_json::Value> = self
            .entries
            .iter()
            .rev()
            .take(window)
            .map(|(id, t, text, removed)| {
                serde_json::json!({
                    "id": id,
                    "title": format!("Update {id}"),
                    "content_text": text,
                    "date_published": Timestamp::from_second(1_800_000_000 + t).unwrap().to_string(),
                    "_livefeed": {"removed": removed},
                })
            })
            .collect();
        serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": "Soak",
            "items": items,
        })
        .to_string()
    }
}

fn vm_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn ten_thousand_polls_lose_nothing() {
    const POLLS: usize = 10_000;
    const WINDOW: usize = 20;
    let started = Instant::now();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut blog = Blog {
        entries: (0..WINDOW)
            .map(|n| {
                (
                    format!("e{n}"),
                    n as i64 * 60,
                    format!("text {n} v0"),
                    false,
                )
            })
            .collect(),
    };
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut model = Model::new(
        vec!["soak".into()],
        keymap,
        Timestamp::from_second(1_800_000_000).unwrap(),
    );
    model.max_entries = 100_000;
    let mut schedule = Schedule::new(Duration::from_secs(30), 1);
    let mut last_body_hash = None;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut virtual_secs = 0u64;
    let mut edits = 0usize;
    let mut rss_at_1000 = 0;
    let mut seen_text: BTreeMap<String, String> = BTreeMap::new();

    for poll in 0..POLLS {
        if poll == 1000 {
            rss_at_1000 = vm_rss_kib();
        }
        // The blog moves on: a new entry on a third of the polls, plus edits and removals.
        let roll = rng.permille();
        if roll < 330 {
            let n = blog.entries.len();
            blog.entries.push((
                format!("e{n}"),
                n as i64 * 60,
                format!("text {n} v0"),
                false,
            ));
        }
        let roll = rng.permille();
        let live = blog.entries.len();
        if roll < 100 {
            let k = live - 1 - (rng.next() as usize % WINDOW);
            blog.entries[k].2 = format!("text {k} edited at poll {poll}");
            edits += 1;
        } else if roll < 120 {
            let k = live - 1 - (rng.next() as usize % WINDOW);
            blog.entries[k].3 = true;
        }
        // What the network does with this poll.
        let roll = rng.permille();
        let (kind, result, retry_after) = match roll {
            0..50 => ("5xx", PollResult::Failed("HTTP 503".into()), None),
            50..100 => ("timeout", PollResult::Failed("timeout".into()), None),
            100..120 => {
                let doc = blog.document(WINDOW);
                let cut = &doc.as_bytes()[..doc.len() / 2];
                let r = match livefeed::format::parse(cut) {
                    Ok(_) => panic!("a truncated body must not parse"),
                    Err(e) => PollResult::Failed(e.to_string()),
                };
                ("truncated", r, None)
            }
            120..140 => {
                let r = match livefeed::format::parse(
                    b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                ) {
                    Ok(_) => panic!("an error page is not a live blog"),
                    Err(e) => PollResult::Failed(e.to_string()),
                };
                ("html", r, None)
            }
            140..150 => {
                let empty = serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": "Soak", "items": []});
                let r = PollResult::Snapshot(
                    livefeed::format::parse(empty.to_string().as_bytes()).unwrap(),
                );
                ("empty", r, None)
            }
            150..160 => (
                "429",
                PollResult::Failed("HTTP 429".into()),
                Some(Duration::from_secs(120)),
            ),
            _ => {
                let doc = blog.document(WINDOW);
                let hash = doc.len() as u64
                    ^ doc
                        .bytes()
                        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
                if last_body_hash == Some(hash) {
                    ("unchanged", PollResult::Unchanged, None)
                } else {
                    last_body_hash = Some(hash);
                    (
                        "ok",
                        PollResult::Snapshot(livefeed::format::parse(doc.as_bytes()).unwrap()),
                        None,
                    )
                }
            }
        };
        *counts.entry(kind).or_default() += 1;
        let attempt = Attempt {
            result: result.clone(),
            retry_after,
            max_age: None,
            ended: false,
        };
        let delay = schedule.next_delay(&attempt);
        if let Some(wait) = retry_after {
            assert!(delay >= wait, "Retry-After is honoured");
        }
        virtual_secs += delay.as_secs();
        let at = Timestamp::from_second(1_800_000_000 + virtual_secs as i64).unwrap();
        model.update(Msg::Fetched {
            source: 0,
            at,
            result,
            next_due: None,
        });
        // The user reads along now and then.
        if poll % 7 == 0 {
            model.update(Msg::Key(ratatui::crossterm::event::KeyEvent::new(
                ratatui::crossterm::event::KeyCode::Char('n'),
                ratatui::crossterm::event::KeyModifiers::NONE,
            )));
            if let Some(s) = model.selected_entry() {
                let shown = model
                    .held
                    .as_ref()
                    .map_or_else(|| s.text().into_owned(), |held| held.text.clone());
                seen_text.insert(s.entry.id().to_string(), shown);
            }
        }
    }

    // Zero entries lost: every entry the blog ever published is held.
    let published: HashSet<String> = blog.entries.iter().map(|e| e.0.clone()).collect();
    for id in &published {
        let key = Key {
            source: 0,
            id: id.clone(),
        };
        assert!(model.store.get(&key).is_some(), "{id} was lost");
    }
    assert_eq!(
        model.store.len(),
        published.len(),
        "no duplicates, nothing extra"
    );
    // Every text the user saw is still there (current or a kept previous version).
    for (id, text) in &seen_text {
        let s = model
            .store
            .get(&Key {
                source: 0,
                id: id.clone(),
            })
            .unwrap();
        assert!(
            s.text() == *text || s.previous().iter().any(|p| p.text == *text),
            "{id}: the text the user saw is gone"
        );
    }
    // Only entries the source withdrew are removed.
    for (id, _, _, removed) in &blog.entries {
        let s = model
            .store
            .get(&Key {
                source: 0,
                id: id.clone(),
            })
            .unwrap();
        if s.entry.removed {
            assert!(removed, "{id} marked removed without the source saying so");
        }
    }
    let kept_versions: usize = model.store.iter().map(|s| s.previous().len()).sum();
    assert!(
        kept_versions <= edits,
        "previous versions only come from edits"
    );
    let rss_end = vm_rss_kib();
    let elapsed = started.elapsed();
    println!(
        "soak: {POLLS} polls in {:.1} s real, {:.1} days virtual; outcomes {counts:?}; \
         {} entries held, {kept_versions} previous versions kept ({edits} edits made); \
         VmRSS {rss_at_1000} KiB at poll 1,000, {rss_end} KiB at the end",
        elapsed.as_secs_f64(),
        virtual_secs as f64 / 86_400.0,
        model.store.len(),
    );
    // Flat memory: what is held grows with entries only (a few KiB each), not with polls.
    assert!(
        rss_end.saturating_sub(rss_at_1000) < 64 * 1024,
        "memory grew by {} KiB",
        rss_end - rss_at_1000
    );
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
}
