//! Table tests of `update`: messages in, state out, no terminal.

use super::*;
use crate::entry::Entry;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).unwrap()
}

fn entry(id: &str, secs: i64) -> Entry {
    Entry {
        id: id.into(),
        published: Some(ts(secs)),
        title: format!("headline {id}"),
        authors: vec![format!("author {id}")],
        text: (0..40)
            .map(|n| format!("paragraph {n} of {id}"))
            .collect::<Vec<_>>()
            .join("\n\n"),
        ..Entry::default()
    }
}

fn snapshot(ids: &[(&str, i64)]) -> PollResult {
    PollResult::Snapshot(Snapshot {
        title: Some("Test blog".into()),
        entries: ids.iter().map(|(id, t)| entry(id, *t)).collect(),
        ..Snapshot::default()
    })
}

fn fetched(result: PollResult, at: i64) -> Msg {
    Msg::Fetched {
        source: 0,
        at: ts(at),
        result,
        next_due: Some(ts(at + 30)),
    }
}

fn model() -> Model {
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut m = Model::new(vec!["test".into()], keymap, ts(0));
    m.tz = jiff::tz::TimeZone::UTC;
    m.update(Msg::Resize(120, 30));
    m
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn selected(m: &Model) -> &str {
    m.selected.as_ref().map_or("", |k| k.id.as_str())
}

/// A model holding entries e1 (oldest) .. e5 (newest) from a first fetch.
fn loaded() -> Model {
    let mut m = model();
    m.update(fetched(
        snapshot(&[("e5", 50), ("e4", 40), ("e3", 30), ("e2", 20), ("e1", 10)]),
        100,
    ));
    m
}

#[test]
fn the_first_fetch_selects_the_newest_and_nothing_is_new() {
    let m = loaded();
    assert_eq!(selected(&m), "e5");
    assert_eq!(m.new_count(), 0);
    assert_eq!(m.sources[0].title.as_deref(), Some("Test blog"));
    assert_eq!(m.sources[0].last, Some(LastResult::Fetched));
}

#[test]
fn movement_keys_walk_the_list() {
    let cases: &[(&[Msg], &str)] = &[
        (&[ch('j')], "e4"),
        (&[key(KeyCode::Down), key(KeyCode::Down)], "e3"),
        (&[ch('j'), ch('k')], "e5"),
        (&[key(KeyCode::Up)], "e5"),
        (&[ch('G')], "e1"),
        (&[key(KeyCode::End)], "e1"),
        (&[ch('G'), ch('g')], "e5"),
        (&[ch('G'), key(KeyCode::Home)], "e5"),
        (&[key(KeyCode::PageDown)], "e1"),
        (&[ch('G'), key(KeyCode::PageUp)], "e5"),
        (&[ch('G'), ch('j')], "e1"),
    ];
    for (keys, want) in cases {
        let mut m = loaded();
        for k in keys.iter() {
            m.update(k.clone());
        }
        assert_eq!(selected(&m), *want, "after {keys:?}");
    }
}

#[test]
fn arrivals_are_new_and_the_selection_and_detail_scroll_stay() {
    let mut m = loaded();
    m.update(ch('j')); // e4
    m.update(key(KeyCode::Tab));
    m.update(ch('j'));
    m.update(ch('j'));
    assert_eq!(m.focus, Focus::Detail);
    assert_eq!(m.detail_scroll, 2);
    m.update(fetched(
        snapshot(&[("e7", 70), ("e6", 60), ("e5", 50), ("e4", 40)]),
        130,
    ));
    assert_eq!(selected(&m), "e4");
    assert_eq!(m.detail_scroll, 2);
    assert_eq!(m.new_count(), 2);
    assert_eq!(m.selected_pos(), Some(3));
}

#[test]
fn selecting_a_new_entry_marks_it_seen() {
    let mut m = loaded();
    m.update(fetched(snapshot(&[("e6", 60)]), 130));
    assert_eq!(m.new_count(), 1);
    m.update(ch('k'));
    assert_eq!(selected(&m), "e6");
    assert_eq!(m.new_count(), 0);
}

#[test]
fn n_jumps_to_the_next_new_entry_wrapping_to_the_top() {
    let mut m = loaded();
    m.update(ch('G'));
    m.update(fetched(snapshot(&[("e7", 70), ("e6", 60)]), 130));
    m.update(ch('n'));
    assert_eq!(selected(&m), "e7");
    m.update(ch('n'));
    assert_eq!(selected(&m), "e6");
    let (changed, _) = m.update(ch('n'));
    assert!(!changed, "no new entry left");
    assert_eq!(selected(&m), "e6");
}

#[test]
fn mark_all_seen_clears_the_count() {
    let mut m = loaded();
    m.update(fetched(snapshot(&[("e7", 70), ("e6", 60)]), 130));
    assert_eq!(m.new_count(), 2);
    m.update(ch('a'));
    assert_eq!(m.new_count(), 0);
}

#[test]
fn quit_refresh_and_help() {
    let mut m = loaded();
    assert_eq!(m.update(ch('q')).1, [Effect::Quit]);
    assert_eq!(
        m.update(Msg::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL
        )))
        .1,
        [Effect::Quit]
    );
    assert_eq!(m.update(ch('r')).1, [Effect::FetchNow]);
    m.update(ch('?'));
    assert!(m.help);
    let (_, effects) = m.update(ch('j'));
    assert!(!m.help, "any key closes the help");
    assert!(effects.is_empty());
    assert_eq!(selected(&m), "e5", "the closing key does nothing else");
}

#[test]
fn the_filter_applies_as_you_type_and_enter_keeps_it() {
    let mut m = loaded();
    m.update(ch('/'));
    assert!(m.prompt.is_some());
    for c in "E3".chars() {
        m.update(ch(c));
    }
    assert_eq!(m.filter, "E3");
    assert_eq!(m.visible().len(), 1);
    assert_eq!(selected(&m), "e3");
    m.update(key(KeyCode::Enter));
    assert!(m.prompt.is_none());
    assert_eq!(m.filter, "E3");
    assert_eq!(m.visible().len(), 1);
}

#[test]
fn every_filter_word_must_match_somewhere() {
    let mut m = loaded();
    m.set_filter("headline author".into());
    assert_eq!(m.visible().len(), 5);
    m.set_filter("headline e2 paragraph".into());
    assert_eq!(m.visible().len(), 1);
    m.set_filter("nothing-like-this".into());
    assert_eq!(m.visible().len(), 0);
}

#[test]
fn escape_clears_the_filter() {
    let mut m = loaded();
    m.update(ch('/'));
    m.update(ch('e'));
    m.update(ch('2'));
    m.update(key(KeyCode::Esc));
    assert!(m.prompt.is_none());
    assert_eq!(m.filter, "");
    assert_eq!(m.visible().len(), 5);
    assert_eq!(
        selected(&m),
        "e2",
        "the selection stays where the filter left it"
    );
}

#[test]
fn keys_go_to_the_prompt_while_it_is_open() {
    let mut m = loaded();
    m.update(ch('/'));
    let (_, effects) = m.update(ch('q'));
    assert!(effects.is_empty(), "q is typed, not quit");
    assert_eq!(m.filter, "q");
    m.update(key(KeyCode::Backspace));
    assert_eq!(m.filter, "");
}

#[test]
fn failures_keep_everything_and_say_why() {
    let mut m = loaded();
    m.update(fetched(PollResult::Failed("HTTP 500".into()), 130));
    assert_eq!(m.store.len(), 5);
    assert_eq!(
        m.sources[0].last,
        Some(LastResult::Error("HTTP 500".into()))
    );
    m.update(fetched(PollResult::NotModified, 160));
    assert_eq!(m.sources[0].last, Some(LastResult::NotModified));
    assert_eq!(m.sources[0].last_ok, Some(ts(160)));
}

#[test]
fn a_list_scrolled_away_from_the_top_holds_still_when_entries_arrive() {
    let mut m = model();
    let many: Vec<(String, i64)> = (0..100).map(|n| (format!("x{n}"), n)).collect();
    let refs: Vec<(&str, i64)> = many.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    m.update(fetched(snapshot(&refs), 1000));
    for _ in 0..60 {
        m.update(ch('j'));
    }
    let top_before = m.list_top.clone();
    assert!(top_before.is_some());
    let row_before = m.selected_pos().unwrap() - m.list_offset();
    m.update(fetched(snapshot(&[("y1", 500), ("y2", 501)]), 1030));
    assert_eq!(m.list_top, top_before);
    assert_eq!(m.selected_pos().unwrap() - m.list_offset(), row_before);
}

#[test]
fn the_detail_scroll_is_bounded() {
    let mut m = loaded();
    m.update(key(KeyCode::Tab));
    m.update(ch('G'));
    let max = m.detail_scroll;
    assert!(max > 0);
    m.update(ch('j'));
    assert_eq!(m.detail_scroll, max);
    m.update(ch('g'));
    assert_eq!(m.detail_scroll, 0);
}

#[test]
fn tiny_terminals_do_not_break_movement() {
    let mut m = loaded();
    m.update(Msg::Resize(1, 1));
    m.update(ch('j'));
    m.update(key(KeyCode::PageDown));
    m.update(key(KeyCode::Tab));
    m.update(key(KeyCode::PageDown));
    assert_eq!(selected(&m), "e3");
}

fn edited(id: &str, t: i64, text: &str) -> Entry {
    let mut e = entry(id, t);
    e.text = text.into();
    e
}

fn snap_of(entries: Vec<Entry>) -> PollResult {
    PollResult::Snapshot(Snapshot {
        entries,
        ..Snapshot::default()
    })
}

#[test]
fn an_edit_to_the_entry_being_read_is_held_until_asked_for() {
    let mut m = loaded();
    m.update(ch('j')); // e4
    let before = m
        .store
        .get(m.selected.as_ref().unwrap())
        .unwrap()
        .text()
        .into_owned();
    m.update(fetched(
        snap_of(vec![edited("e4", 40, "corrected text")]),
        130,
    ));
    let held = m.held.as_ref().expect("the old text stays on screen");
    assert_eq!(held.text, before);
    assert_eq!(m.selected_entry().unwrap().text(), "corrected text");
    assert_eq!(m.selected_entry().unwrap().status(), "edited");
    m.update(ch('u'));
    assert!(m.held.is_none());
    // An edit of another entry holds nothing.
    m.update(fetched(snap_of(vec![edited("e2", 20, "other")]), 160));
    assert!(m.held.is_none());
}

#[test]
fn d_shows_the_changes_of_an_edited_entry_only() {
    let mut m = loaded();
    m.update(ch('d'));
    assert!(!m.show_changes, "never edited: nothing to show");
    m.update(fetched(snap_of(vec![edited("e5", 50, "new words")]), 130));
    m.update(ch('d'));
    assert!(m.show_changes);
    m.update(ch('d'));
    assert!(!m.show_changes);
    m.update(ch('d'));
    m.update(ch('j'));
    assert!(!m.show_changes, "moving on closes the changes");
}

#[test]
fn the_divider_sits_below_what_arrived_since_you_last_looked() {
    let mut m = loaded();
    assert_eq!(m.divider(), None);
    m.update(fetched(snapshot(&[("e7", 70), ("e6", 60)]), 130));
    assert_eq!(m.divider(), Some(2));
    // Selecting them does not move it; marking all as seen does.
    m.update(ch('g'));
    assert_eq!(m.divider(), Some(2));
    m.update(ch('a'));
    assert_eq!(m.divider(), None);
    m.update(fetched(snapshot(&[("e8", 80)]), 160));
    assert_eq!(m.divider(), Some(1));
}

#[test]
fn scrolled_away_the_status_counts_new_entries_above() {
    let mut m = model();
    let many: Vec<(String, i64)> = (0..100).map(|n| (format!("x{n}"), n)).collect();
    let refs: Vec<(&str, i64)> = many.iter().map(|(s, t)| (s.as_str(), *t)).collect();
    m.update(fetched(snapshot(&refs), 1000));
    assert_eq!(m.new_above(), None, "at the top: following");
    for _ in 0..60 {
        m.update(ch('j'));
    }
    assert_eq!(m.new_above(), Some(0));
    m.update(fetched(
        snapshot(&[("y1", 500), ("y2", 501), ("y3", 502)]),
        1030,
    ));
    assert_eq!(m.new_above(), Some(3));
    m.update(ch('g'));
    assert_eq!(m.new_above(), None, "back at the top: following again");
}

#[test]
fn s_cycles_through_all_sources_and_each_one() {
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut m = Model::new(vec!["a".into(), "b".into()], keymap, ts(0));
    m.update(Msg::Resize(120, 30));
    for (source, id) in [(0, "a1"), (1, "b1")] {
        m.update(Msg::Fetched {
            source,
            at: ts(10),
            result: snap_of(vec![entry(id, source as i64)]),
            next_due: None,
        });
    }
    assert_eq!(m.visible().len(), 2);
    m.update(ch('s'));
    assert_eq!(m.source_only, Some(0));
    assert_eq!(m.visible().len(), 1);
    m.update(ch('s'));
    assert_eq!(m.source_only, Some(1));
    assert_eq!(selected(&m), "b1");
    m.update(ch('s'));
    assert_eq!(m.source_only, None);
    assert_eq!(m.visible().len(), 2);
}

#[test]
fn matching_new_entries_raise_alerts_but_the_baseline_does_not() {
    let mut m = model();
    m.sources[0].alerts = vec!["bridge".into()];
    let mut first = entry("e1", 10);
    first.title = "Bridge closed".into();
    m.update(fetched(snap_of(vec![first]), 100));
    let mut hit = entry("e2", 20);
    hit.title = "The BRIDGE reopens".into();
    let (_, effects) = m.update(fetched(snap_of(vec![hit, entry("e3", 30)]), 130));
    assert_eq!(
        effects,
        [Effect::Alert {
            source: 0,
            headline: "The BRIDGE reopens".into()
        }]
    );
}

#[test]
fn repeated_empty_responses_are_reported_and_change_nothing() {
    let mut m = loaded();
    for n in 0..3 {
        m.update(fetched(snap_of(vec![]), 200 + n * 30));
        assert!(!m.sources[0].reports_nothing(), "not yet after {n}");
    }
    m.update(fetched(snap_of(vec![]), 400));
    assert!(m.sources[0].reports_nothing());
    assert_eq!(m.store.len(), 5);
    m.update(fetched(snapshot(&[("e5", 50)]), 430));
    assert!(!m.sources[0].reports_nothing());
}

#[test]
fn the_cap_evicts_old_entries_but_never_the_selection() {
    let mut m = loaded();
    m.max_entries = 3;
    m.update(ch('G')); // e1, the oldest
    m.update(fetched(snapshot(&[("e6", 60)]), 130));
    assert_eq!(m.store.len(), 3);
    assert_eq!(selected(&m), "e1");
    assert!(
        m.store
            .get(&Key {
                source: 0,
                id: "e1".into()
            })
            .is_some()
    );
    assert_eq!(m.store.evicted(0), 3);
    assert_eq!(m.visible().len(), 3);
}

#[test]
fn pinned_entries_are_listed_for_the_band_and_p_shows_key_events_only() {
    let mut m = loaded();
    let mut pin = entry("e2", 20);
    pin.pinned = true;
    let mut key_event = entry("e3", 30);
    key_event.key_event = true;
    m.update(fetched(snap_of(vec![pin, key_event]), 130));
    assert_eq!(m.pinned.len(), 1);
    m.update(ch('p'));
    assert_eq!(m.visible().len(), 2);
    m.update(ch('p'));
    assert_eq!(m.visible().len(), 5);
}

fn type_in(m: &mut Model, text: &str) {
    for c in text.chars() {
        m.update(ch(c));
    }
}

#[test]
fn a_malformed_filter_says_why_and_keeps_the_last_valid_one() {
    let mut m = loaded();
    m.update(ch('/'));
    type_in(&mut m, "e2");
    assert_eq!(m.visible().len(), 1);
    type_in(&mut m, " title:");
    let error = m.prompt.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("title:"), "{error}");
    assert_eq!(m.filter, "e2 title", "the last valid filter stays");
    assert_eq!(m.visible().len(), 0);
    type_in(&mut m, "headline");
    assert!(m.prompt.as_ref().unwrap().error.is_none());
    assert_eq!(m.filter, "e2 title:headline");
    assert_eq!(m.visible().len(), 1);
}

#[test]
fn the_filter_language_reaches_fields_and_flags() {
    let mut m = loaded();
    m.update(fetched(snapshot(&[("e6", 60)]), 130));
    let cases: &[(&str, usize)] = &[
        ("author:\"author e3\"", 1),
        ("-e3", 5),
        ("is:new", 1),
        ("-is:new", 5),
        ("title:headline -title:e6", 5),
        ("\"paragraph 3 of e1\"", 1),
        ("source:test", 6),
        ("since:100m", 6),
    ];
    for (filter, want) in cases {
        m.set_filter(filter.to_string());
        assert_eq!(m.visible().len(), *want, "{filter}");
    }
}

#[test]
fn arrivals_that_do_not_match_the_filter_are_counted_as_hidden() {
    let mut m = loaded();
    m.set_filter("e7".into());
    m.update(fetched(
        snapshot(&[("e7", 70), ("e6", 60), ("e5", 50)]),
        130,
    ));
    assert_eq!(m.visible().len(), 1, "the matching arrival shows");
    assert_eq!(m.new_count(), 2);
    assert_eq!(m.hidden_new, 1);
    m.set_filter(String::new());
    assert_eq!(m.visible().len(), 7, "clearing the filter shows it");
}

#[test]
fn up_and_down_walk_the_filter_history() {
    let mut m = loaded();
    for f in ["e1", "e2"] {
        m.update(ch('/'));
        m.update(Msg::Key(KeyEvent::new(
            KeyCode::Char('u'),
            KeyModifiers::CONTROL,
        )));
        type_in(&mut m, f);
        m.update(key(KeyCode::Enter));
    }
    assert_eq!(m.history, ["e1", "e2"]);
    m.update(ch('/'));
    m.update(key(KeyCode::Up));
    assert_eq!(m.prompt.as_ref().unwrap().text, "e2");
    m.update(key(KeyCode::Up));
    assert_eq!(m.prompt.as_ref().unwrap().text, "e1");
    assert_eq!(m.filter, "e1");
    m.update(key(KeyCode::Down));
    assert_eq!(m.prompt.as_ref().unwrap().text, "e2");
}

#[test]
fn saved_filters_apply_in_turn() {
    let mut m = loaded();
    m.saved_filters = vec![("one".into(), "e1".into()), ("two".into(), "e2 OR".into())];
    m.update(ch('f'));
    assert_eq!(m.filter, "e1");
    m.update(ch('f'));
    assert_eq!(m.filter, "e2 OR");
    m.update(ch('f'));
    assert_eq!(m.filter, "");
}

#[test]
fn links_open_and_copy_only_as_http() {
    let mut m = model();
    let mut e = entry("a", 10);
    e.url = Some("https://example.org/live#a".into());
    e.links = vec![
        "https://example.com/one".into(),
        "javascript:alert(1)".into(),
    ];
    m.update(fetched(snap_of(vec![e]), 100));
    assert_eq!(
        m.update(ch('o')).1,
        [Effect::Open("https://example.org/live#a".into())]
    );
    m.update(ch('1'));
    assert_eq!(
        m.update(ch('y')).1,
        [Effect::Copy("https://example.com/one".into())]
    );
    m.update(ch('2'));
    assert!(m.update(ch('o')).1.is_empty(), "javascript: is refused");
    assert!(m.notice.as_ref().unwrap().contains("http"));
    m.update(ch('3'));
    assert!(m.notice.as_ref().unwrap().contains("2 links"));
    m.osc52 = false;
    assert!(m.update(ch('y')).1.is_empty());
}

#[test]
fn zoom_split_and_hiding_the_detail() {
    let mut m = loaded();
    m.update(ch('z'));
    assert!(m.zoom);
    assert_eq!(m.focus, Focus::Detail);
    m.update(ch('z'));
    assert!(!m.zoom);
    m.update(ch('>'));
    assert_eq!(m.split, 45);
    for _ in 0..20 {
        m.update(ch('<'));
    }
    assert_eq!(m.split, 15);
    m.update(ch('v'));
    assert!(m.detail_hidden);
    assert_eq!(crate::ui::detail_rows(&m), 0);
}

#[test]
fn t_jumps_to_the_entry_nearest_a_time() {
    let mut m = loaded();
    m.tz = jiff::tz::TimeZone::UTC;
    m.now = ts(100);
    m.update(ch('t'));
    // e3 is at +30 s, e2 at +20 s: 75 s ago is +25 s... nearest by a hair: e3 (30) vs e2 (20).
    type_in(&mut m, "-71s");
    m.update(key(KeyCode::Enter));
    assert_eq!(selected(&m), "e3");
    // A clock time: 1_700_000_000 is 22:13:20 UTC; 22:13 is 20 s before e1.
    m.update(ch('t'));
    type_in(&mut m, "22:13");
    m.update(key(KeyCode::Enter));
    assert_eq!(selected(&m), "e1");
    m.update(ch('t'));
    type_in(&mut m, "soon");
    m.update(key(KeyCode::Enter));
    assert!(m.notice.as_ref().unwrap().contains("not a time"));
}

#[test]
fn search_in_the_detail_moves_between_matches() {
    let mut m = loaded();
    m.update(key(KeyCode::Tab));
    m.update(ch('/'));
    assert_eq!(m.prompt.as_ref().unwrap().kind, PromptKind::Search);
    type_in(&mut m, "paragraph 3");
    m.update(key(KeyCode::Enter));
    let first = m.search_line.unwrap();
    m.update(ch('n'));
    let second = m.search_line.unwrap();
    assert!(second > first, "{first} then {second}");
    m.update(ch('N'));
    assert_eq!(m.search_line, Some(first));
}

#[test]
fn the_mouse_selects_scrolls_and_moves_focus() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut m = loaded();
    let click = |col, row, kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // 120 wide: list on the left, rows start at y = 1.
    m.update(click(5, 3, MouseEventKind::Down(MouseButton::Left)));
    assert_eq!(selected(&m), "e3");
    m.update(click(80, 5, MouseEventKind::Down(MouseButton::Left)));
    assert_eq!(m.focus, Focus::Detail);
    m.update(click(80, 5, MouseEventKind::ScrollDown));
    assert_eq!(m.detail_scroll, 3);
    m.mouse = false;
    m.update(click(80, 5, MouseEventKind::ScrollDown));
    assert_eq!(m.detail_scroll, 3);
}

/// Everything an action may change, for before/after comparisons.
fn state(m: &Model) -> String {
    format!(
        "{:?}",
        (
            (
                &m.selected,
                m.focus,
                m.detail_scroll,
                &m.prompt,
                m.help,
                m.pinned_only
            ),
            (m.source_only, m.zoom, m.split, m.detail_hidden, &m.filter),
            (
                m.store.new_count(),
                &m.held,
                m.show_changes,
                m.link_pick,
                m.search_line,
                &m.notice
            ),
        )
    )
}

/// Every action of the key map against the model, with no terminal: each one does
/// what it says (a visible change or an effect) from a state where it can.
#[test]
fn every_action_of_the_keymap_acts_on_the_model() {
    use crate::keymap::Action;
    for action in Action::ALL {
        let mut m = loaded();
        let mut second = entry("e9", 90);
        second.url = Some("https://example.org/e9".into());
        second.links = vec!["https://example.org/one".into(); 9];
        second.pinned = true;
        m.update(fetched(snapshot(&[("e6", 60)]), 130));
        m.update(fetched(
            snap_of(vec![second, edited("e5", 50, "changed")]),
            160,
        ));
        m.sources.push(SourceState {
            label: "other".into(),
            ..SourceState::default()
        });
        m.saved_filters = vec![("mine".into(), "e1".into())];
        m.search = "paragraph".into();
        // Start from the middle of the list, in the pane the action is about.
        m.update(ch('j'));
        if matches!(action, Action::PrevMatch) {
            m.focus = Focus::Detail;
        }
        if matches!(action, Action::ShowChanges) {
            m.update(ch('g')); // e9
            m.update(ch('j')); // e6
            m.update(ch('j')); // e5, edited
        }
        if matches!(action, Action::ShowUpdate) {
            m.update(ch('g'));
            m.update(ch('j'));
            m.update(ch('j'));
            m.update(fetched(
                snap_of(vec![edited("e5", 50, "changed again")]),
                190,
            ));
        }
        if matches!(action, Action::OpenLink | Action::CopyLink)
            || action.name().starts_with("link_")
        {
            m.update(ch('g')); // e9 has a url and nine links
        }
        let before = state(&m);
        let (changed, effects) = m.act(action);
        let after = state(&m);
        let expected_effect = match action {
            Action::Quit => Some(Effect::Quit),
            Action::Refresh => Some(Effect::FetchNow),
            Action::OpenLink => Some(Effect::Open("https://example.org/e9".into())),
            Action::CopyLink => Some(Effect::Copy("https://example.org/e9".into())),
            _ => None,
        };
        match expected_effect {
            Some(effect) => assert_eq!(effects, [effect], "{}", action.name()),
            None => {
                assert!(changed, "{} reported no change", action.name());
                assert_ne!(before, after, "{} changed nothing", action.name());
            }
        }
    }
}

/// Typing on narrows the last result and starts each search where the shorter word was
/// found: the result must be exactly what the same filter gives from scratch.
#[test]
fn typing_on_gives_what_the_whole_filter_gives() {
    let texts = [
        "the river rose",
        "arrived at the riverbank",
        "a rival said driver",
        "riverriver",
        "nothing here",
        "rive gauche then river",
        "Rivière in French",
        "ri ver split",
    ];
    let entries: Vec<Entry> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| edited(&format!("e{n}"), n as i64 * 10, t))
        .collect();
    let load = || {
        let mut m = model();
        m.update(fetched(snap_of(entries.clone()), 100));
        m
    };
    let shown = |m: &Model| -> Vec<String> {
        m.visible()
            .iter()
            .map(|&i| m.store.item(i).entry.id().to_string())
            .collect()
    };
    let sequences = [
        &["r", "ri", "riv", "rive", "river", "riverr", "riverri"][..],
        &["ive", "iver", "river", "rivers"],
        &["ver", "river", "driver"],
        &["riv", "riv x", "riv -rose", "riv -rose -rival"],
        &["river", "riverriver", "the river"],
        &["riv", "rivi", "riviere", "rivière"],
        // Backspaces take earlier results back.
        &[
            "riv", "rive", "riv", "ri", "riv", "rive", "river", "rive", "",
        ],
        &["the", "the river", "the", "", "the", "-the", "the"],
    ];
    for typed in sequences {
        let mut m = load();
        for filter in typed {
            m.set_filter(filter.to_string());
            let mut fresh = load();
            fresh.set_filter(filter.to_string());
            assert_eq!(
                shown(&m),
                shown(&fresh),
                "after typing {typed:?} up to {filter:?}"
            );
        }
    }
}

/// A result kept for a backspace is never taken back once the store changed.
#[test]
fn a_backspace_after_new_entries_arrive_sees_them() {
    let mut m = model();
    m.update(fetched(snap_of(vec![edited("a", 10, "the river")]), 100));
    m.set_filter("riv".into());
    m.set_filter("rive".into());
    m.update(fetched(
        snap_of(vec![
            edited("a", 10, "the river"),
            edited("b", 20, "a rival"),
        ]),
        130,
    ));
    m.set_filter("riv".into());
    let shown: Vec<&str> = m
        .visible()
        .iter()
        .map(|&i| m.store.item(i).entry.id())
        .collect();
    assert_eq!(shown, ["b", "a"]);
}

/// A blog big enough to be filtered in stretches on several threads gives the same
/// result, in the same order, as one pass.
#[test]
fn big_blogs_filter_in_parallel_with_the_same_result() {
    let entries: Vec<Entry> = (0..40_000)
        .map(|n| {
            let mut e = Entry {
                id: format!("e{n}"),
                published: Some(ts(n)),
                title: format!("update {n}"),
                text: if n % 3 == 0 { "the river" } else { "the road" }.into(),
                ..Entry::default()
            };
            e.pinned = n % 1000 == 0;
            e
        })
        .collect();
    let mut m = model();
    m.max_entries = usize::MAX;
    m.update(fetched(snap_of(entries), 50_000));
    assert_eq!(m.store.len(), 40_000);
    m.set_filter("river".into());
    let want: Vec<usize> = m
        .store
        .order()
        .iter()
        .copied()
        .filter(|&i| m.store.item(i).text().contains("river"))
        .collect();
    assert_eq!(m.visible(), want.as_slice());
    // Pinned among what shows: every 3,000th.
    assert_eq!(m.pinned.len(), 14);
    m.set_filter("rive".into());
    m.set_filter("river".into());
    assert_eq!(m.visible(), want.as_slice());
}

/// After the window grew, the list shows no blank rows below its last entry while
/// entries are hidden above; the selection stays in view.
#[test]
fn a_window_that_grows_fills_the_list_again() {
    let mut m = loaded();
    m.update(key(KeyCode::Char('G')));
    let last = m.visible().len() - 1;
    m.update(Msg::Resize(20, 6));
    assert!(m.list_offset() > 0);
    m.update(Msg::Resize(120, 40));
    let rows = crate::ui::list_rows(&m);
    assert_eq!(m.list_offset(), (last + 1).saturating_sub(rows));
    assert_eq!(m.selected_pos(), Some(last));
}

/// `o` on an entry without a link of its own points at the links in its text.
#[test]
fn o_without_an_own_link_points_at_the_numbered_links() {
    let mut e = edited("a", 10, "see [1] and [2]");
    e.links = vec!["https://a.example/".into(), "https://b.example/".into()];
    e.url = None;
    let mut m = model();
    m.update(fetched(snap_of(vec![e]), 100));
    let (_, effects) = m.update(ch('o'));
    assert!(effects.is_empty());
    assert_eq!(
        m.notice.as_deref(),
        Some("this entry has no link of its own: 1–2 then o opens a link in its text")
    );
    m.update(ch('2'));
    let (_, effects) = m.update(ch('o'));
    assert!(matches!(&effects[..], [Effect::Open(u)] if u == "https://b.example/"));
}

/// The detail pane's text, as plain lines.
fn detail_text(m: &Model) -> String {
    crate::ui::detail_lines(m, 200)
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `entries` as a first look at their document would give them: headlines, no bodies.
fn headlines(entries: &[Entry]) -> Snapshot {
    Snapshot {
        entries: entries
            .iter()
            .map(|e| Entry {
                text: String::new(),
                ..e.clone()
            })
            .collect(),
        partial: true,
        ..Snapshot::default()
    }
}

/// The headlines of a big first document come first, then the whole of it: the list is
/// there at once, the selection stays put, and completing the entries is not news.
#[test]
fn headlines_first_then_the_whole_document() {
    let mut m = model();
    let Snapshot { entries, .. } = match snapshot(&[("e3", 30), ("e2", 20), ("e1", 10)]) {
        PollResult::Snapshot(s) => s,
        _ => unreachable!(),
    };
    let (changed, effects) = m.update(Msg::Preview {
        source: 0,
        snapshot: Snapshot {
            title: Some("Test blog".into()),
            ..headlines(&entries)
        },
    });
    assert!(changed && effects.is_empty());
    assert_eq!(m.visible().len(), 3);
    assert_eq!(m.sources[0].title.as_deref(), Some("Test blog"));
    assert_eq!(m.sources[0].last, None, "the poll itself has not finished");
    m.update(ch('j'));
    assert_eq!(selected(&m), "e2");
    assert!(
        detail_text(&m).contains("reading the text…"),
        "{}",
        detail_text(&m)
    );
    // A filter over headlines works already.
    m.update(ch('/'));
    m.update(ch('e'));
    m.update(ch('2'));
    assert_eq!(m.visible().len(), 1);
    m.update(key(KeyCode::Esc));

    m.update(fetched(
        snapshot(&[("e3", 30), ("e2", 20), ("e1", 10)]),
        100,
    ));
    assert_eq!(selected(&m), "e2");
    assert_eq!(m.new_count(), 0);
    assert!(
        m.store
            .iter()
            .all(|s| !s.partial && s.edited_at().is_none())
    );
    assert!(!detail_text(&m).contains("reading the text"));
    assert!(detail_text(&m).contains("paragraph 0 of e2"));
    assert_eq!(m.sources[0].last, Some(LastResult::Fetched));
}

/// A big first document sent in parts while it is read: each part shows at once, the
/// selection stays where the reader put it, and nothing of the document is new.
#[test]
fn a_first_document_in_parts() {
    let mut m = model();
    m.update(Msg::Fetching { source: 0 });
    let part = |ids: &[(&str, i64)], continues: bool| {
        let PollResult::Snapshot(s) = snapshot(ids) else {
            unreachable!()
        };
        Snapshot {
            title: None,
            more: true,
            continues,
            ..s
        }
    };
    let (changed, effects) = m.update(Msg::Preview {
        source: 0,
        snapshot: part(&[("e6", 60), ("e5", 50)], false),
    });
    assert!(changed && effects.is_empty());
    assert_eq!(m.visible().len(), 2);
    assert_eq!(selected(&m), "e6");
    assert!(detail_text(&m).contains("paragraph 0 of e6"));
    m.update(ch('j'));
    m.update(Msg::Preview {
        source: 0,
        snapshot: part(&[("e4", 40), ("e3", 30)], true),
    });
    assert_eq!(selected(&m), "e5");
    assert_eq!(m.new_count(), 0);
    assert_eq!(m.sources[0].last, None, "the poll itself has not finished");
    let PollResult::Snapshot(rest) = snapshot(&[("e2", 20), ("e1", 10)]) else {
        unreachable!()
    };
    m.update(fetched(
        PollResult::Snapshot(Snapshot {
            continues: true,
            ..rest
        }),
        100,
    ));
    let ids: Vec<&str> = m.store.iter().map(|s| s.entry.id()).collect();
    assert_eq!(ids, ["e6", "e5", "e4", "e3", "e2", "e1"]);
    assert_eq!(selected(&m), "e5");
    assert_eq!(m.new_count(), 0);
    assert_eq!(m.sources[0].title.as_deref(), Some("Test blog"));
    assert_eq!(m.sources[0].last, Some(LastResult::Fetched));
    // The next poll brings one more: it is new.
    m.update(fetched(snapshot(&[("e7", 70), ("e6", 60)]), 130));
    assert_eq!(m.new_count(), 1);
    assert!(m.store.iter().all(|s| !s.vanished));
}

/// Headlines whose document then fails to be read whole stay listed, and their detail
/// says why the text is missing instead of promising it.
#[test]
fn headlines_whose_bodies_fail_say_so() {
    let mut m = model();
    m.update(Msg::Fetching { source: 0 });
    m.update(Msg::Preview {
        source: 0,
        snapshot: headlines(&[entry("e1", 10)]),
    });
    assert!(detail_text(&m).contains("reading the text…"));
    m.update(fetched(
        PollResult::Failed("broken JSON Feed: bad item".into()),
        5,
    ));
    assert_eq!(m.visible().len(), 1, "the headline stays");
    assert!(
        detail_text(&m).contains("the text could not be read: broken JSON Feed: bad item"),
        "{}",
        detail_text(&m)
    );
    m.update(Msg::Fetching { source: 0 });
    assert!(detail_text(&m).contains("reading the text…"));
}

/// A first document bigger than the cap, headlines first: the whole entries that follow
/// do not bring back the evicted ones as new.
#[test]
fn headlines_beyond_the_cap_stay_evicted() {
    let mut m = model();
    m.max_entries = 2;
    let ids = [("e4", 40), ("e3", 30), ("e2", 20), ("e1", 10)];
    let PollResult::Snapshot(whole) = snapshot(&ids) else {
        unreachable!()
    };
    m.update(Msg::Preview {
        source: 0,
        snapshot: headlines(&whole.entries),
    });
    assert_eq!(m.store.len(), 2);
    m.update(fetched(PollResult::Snapshot(whole), 100));
    assert_eq!(m.store.len(), 2);
    assert_eq!(m.new_count(), 0);
    assert!(m.store.iter().all(|s| !s.partial));
}

/// A first document as the poller sends it: entries held as they came, not folded.
fn unfolded_snapshot(entries: Vec<Entry>) -> PollResult {
    PollResult::Snapshot(Snapshot {
        folded: entries.iter().map(crate::query::Folded::unfolded).collect(),
        held: entries
            .into_iter()
            .map(|e| Some(crate::entry::Held::new(e)))
            .collect(),
        ..Snapshot::default()
    })
}

/// A first document shows before it is folded; idle steps fold it a chunk at a time
/// without redrawing, and a filter typed before they are done folds what is left first.
#[test]
fn a_first_document_is_folded_while_idle_or_by_the_first_filter() {
    let entries: Vec<Entry> = (0..3000).map(|n| entry(&format!("e{n}"), n)).collect();
    for steps in [0, 1, 10] {
        let mut m = model();
        m.max_entries = usize::MAX;
        m.update(fetched(unfolded_snapshot(entries.clone()), 5_000));
        assert_eq!(m.store.len(), 3000);
        assert_eq!(selected(&m), "e2999");
        assert!(m.has_unfolded());
        for _ in 0..steps {
            let (changed, effects) = m.update(Msg::Idle);
            assert!(!changed && effects.is_empty());
        }
        assert_eq!(m.has_unfolded(), steps < 3, "after {steps} idle steps");
        for c in "/E12 AUTHOR".chars() {
            m.update(ch(c));
        }
        assert!(!m.has_unfolded());
        let shown: Vec<&str> = (0..m.visible().len())
            .map(|p| m.store.item(m.visible()[p]).entry.id())
            .collect();
        assert_eq!(shown.len(), 111, "{shown:?}");
        assert!(shown.iter().all(|id| id.starts_with("e12")));
    }
}
