//! Screen tests: TestBackend snapshots of whole frames, and explicit style asserts (insta
//! snapshots drop colours, so highlights are checked cell by cell).

use jiff::Timestamp;
use livefeed::entry::{Entry, Image, Snapshot};
use livefeed::keymap::Keymap;
use livefeed::model::{Model, Msg, PollResult};
use livefeed::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ts(secs: i64) -> Timestamp {
    // 2026-03-01 12:00:00 UTC
    Timestamp::from_second(1_772_366_400 + secs).unwrap()
}

fn entry(n: i64) -> Entry {
    Entry {
        id: format!("e{n}"),
        published: Some(ts(n * 60)),
        title: format!("Headline number {n}"),
        authors: vec![format!("Reporter {n}")],
        text: format!(
            "First paragraph of entry {n}, long enough to wrap across the detail pane when it is narrow.\n\nSecond paragraph."
        ),
        url: Some(format!("https://example.org/live#e{n}")),
        images: if n == 3 {
            vec![Image {
                url: Some("https://example.org/a.jpg".into()),
                caption: Some("Waves over the harbour wall".into()),
                credit: Some("Photo: A. Person".into()),
            }]
        } else {
            vec![]
        },
        ..Entry::default()
    }
}

fn fetched(entries: Vec<Entry>, at: i64) -> Msg {
    Msg::Fetched {
        source: 0,
        at: ts(at),
        result: PollResult::Snapshot(Snapshot {
            title: Some("Storm live".into()),
            entries,
            ..Snapshot::default()
        }),
        next_due: Some(ts(at + 30)),
    }
}

fn model(w: u16, h: u16) -> Model {
    let keymap = Keymap::new(&Default::default()).unwrap();
    let mut m = Model::new(vec!["https://example.org/live".into()], keymap, ts(0));
    m.tz = jiff::tz::TimeZone::UTC;
    m.update(Msg::Resize(w, h));
    m.update(fetched((1..=4).rev().map(entry).collect(), 300));
    m.update(fetched((1..=6).rev().map(entry).collect(), 400));
    m.now = ts(412);
    m
}

fn theme() -> Theme {
    Theme::default()
}

fn render(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = theme();
    terminal.draw(|f| livefeed::ui::draw(f, m, &theme)).unwrap();
    terminal
}

fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn wide_screen_side_by_side() {
    let m = model(120, 24);
    insta::assert_snapshot!(render(&m, 120, 24).backend());
}

#[test]
fn narrow_screen_list_above_detail() {
    let m = model(60, 30);
    insta::assert_snapshot!(render(&m, 60, 30).backend());
}

#[test]
fn new_entries_carry_a_word_and_the_new_style() {
    let m = model(120, 24);
    let t = render(&m, 120, 24);
    let text = screen_text(&t);
    assert!(text.contains("2 new"), "status counts new entries:\n{text}");
    let buf = t.backend().buffer();
    let theme = theme();
    // Rows 1 and 2 of the list hold e6 and e5, both new; the marker is the word NEW.
    for y in [1u16, 2] {
        let word: String = (1..4).map(|x| buf[(x, y)].symbol().to_string()).collect();
        assert_eq!(word, "NEW", "row {y}");
        for x in 1..4 {
            let cell = &buf[(x, y)];
            assert_eq!(
                cell.fg,
                theme.new_marker.fg.unwrap_or(cell.fg),
                "fg at {x},{y}"
            );
            assert!(
                cell.modifier.contains(theme.new_marker.add_modifier),
                "modifiers at {x},{y}"
            );
        }
    }
    // Then the divider where "new since you last looked" begins, in its own style.
    let divider: String = (1..46).map(|x| buf[(x, 3)].symbol().to_string()).collect();
    assert!(divider.contains("new since you last looked"), "{divider}");
    assert_eq!(buf[(1, 3)].fg, theme.divider.fg.unwrap_or(buf[(1, 3)].fg));
    // The selected (old) entry e4 has no NEW marker and carries the selection style.
    let row: String = (1..10).map(|x| buf[(x, 4)].symbol().to_string()).collect();
    assert!(!row.contains("NEW"), "{row}");
    let sel = &buf[(8, 4)];
    assert!(sel.modifier.contains(theme.selected.add_modifier));
}

#[test]
fn the_detail_shows_everything_about_the_entry() {
    let mut m = model(120, 30);
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::NONE,
    )));
    let text = screen_text(&render(&m, 120, 30));
    for want in [
        "Headline number 3",
        "By Reporter 3",
        "Published 2026-03-01 12:03 UTC",
        "First paragraph of entry 3",
        "Second paragraph.",
        "[image] Waves over the harbour wall — Photo: A. Person",
        "Link: https://example.org/live#e3",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn status_line_names_the_blog_fetch_and_next_poll() {
    let m = model(120, 24);
    let text = screen_text(&render(&m, 120, 24));
    let status = text.lines().last().unwrap();
    for want in ["Storm live", "fetched 12s ago", "next in 18s", "2 new"] {
        assert!(status.contains(want), "missing {want:?} in {status:?}");
    }
}

#[test]
fn errors_and_the_filter_show_in_the_status_line() {
    let mut m = model(160, 24);
    m.update(Msg::Fetched {
        source: 0,
        at: ts(410),
        result: PollResult::Failed("HTTP 500".into()),
        next_due: Some(ts(440)),
    });
    m.set_filter("number".into());
    let text = screen_text(&render(&m, 160, 24));
    let status = text.lines().last().unwrap();
    assert!(status.contains("error: HTTP 500"), "{status}");
    assert!(status.contains("filter: number"), "{status}");
}

#[test]
fn new_entries_stay_counted_beside_long_errors() {
    // Three sources, two failing with long messages: the errors give way, not `N new`.
    let keymap = Keymap::new(&Default::default()).unwrap();
    let labels = [
        "https://example.org/live",
        "https://a.example/feed",
        "https://b.example/feed",
    ];
    let mut m = Model::new(labels.map(String::from).to_vec(), keymap, ts(0));
    m.tz = jiff::tz::TimeZone::UTC;
    m.update(Msg::Resize(100, 20));
    m.update(fetched((1..=4).rev().map(entry).collect(), 300));
    m.update(fetched((1..=6).rev().map(entry).collect(), 400));
    for source in [1, 2] {
        m.update(Msg::Fetched {
            source,
            at: ts(410),
            result: PollResult::Failed(
                "not a feed: the document is neither JSON, XML nor HTML (it starts with binary bytes)"
                    .into(),
            ),
            next_due: Some(ts(440)),
        });
    }
    for w in [100, 160, 200] {
        m.update(Msg::Resize(w, 20));
        let text = screen_text(&render(&m, w, 20));
        let status = text.lines().last().unwrap();
        assert!(status.contains("2 new"), "{w} columns: {status:?}");
        assert!(status.contains("error: not a"), "{w} columns: {status:?}");
    }
}

#[test]
fn help_overlay_lists_the_keys() {
    let mut m = model(120, 30);
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    )));
    // Tall enough for one column, and short enough to need two: every key is there.
    for (w, h) in [(120, 50), (220, 24)] {
        m.update(Msg::Resize(w, h));
        let text = screen_text(&render(&m, w, h));
        assert!(text.contains("keys (any key closes)"), "{text}");
        for (keys, action) in m.keymap.help() {
            if action.name().starts_with("link_") {
                assert!(text.contains("1 … 9"), "{text}");
            } else {
                assert!(
                    text.contains(action.description()),
                    "{keys} missing at {w}x{h}:\n{text}"
                );
            }
        }
    }
}

#[test]
fn no_panic_at_any_size() {
    let mut m = model(80, 24);
    for (w, h) in [
        (0, 0),
        (1, 1),
        (2, 1),
        (1, 5),
        (10, 3),
        (30, 8),
        (99, 10),
        (100, 10),
        (250, 80),
    ] {
        for setup in 0..3 {
            m.help = setup == 1;
            if setup == 2 {
                m.update(Msg::Key(KeyEvent::new(
                    KeyCode::Char('/'),
                    KeyModifiers::NONE,
                )));
            }
            m.update(Msg::Resize(w, h));
            let _ = render(&m, w, h);
            m.prompt = None;
        }
    }
}

#[test]
fn filter_matches_are_highlighted_in_the_list_and_the_detail() {
    let mut m = model(120, 24);
    m.set_filter("number".into());
    let t = render(&m, 120, 24);
    let buf = t.backend().buffer();
    let theme = theme();
    let find = |y: u16, word: &str, from: u16, to: u16| -> Option<u16> {
        let row: String = (from..to)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        row.find(word)
            .map(|i| from + row[..i].chars().count() as u16)
    };
    // List row 1 (e6, not selected): "number" is highlighted, "Headline" is not.
    let x = find(1, "number", 1, 46).expect("the match is on the row");
    for dx in 0..6 {
        let cell = &buf[(x + dx, 1)];
        assert!(
            cell.modifier.contains(theme.highlight.add_modifier),
            "list cell {dx}"
        );
        if let Some(bg) = theme.highlight.bg {
            assert_eq!(cell.bg, bg);
        }
    }
    let h = find(1, "Headline", 1, 46).unwrap();
    assert!(
        !buf[(h, 1)].modifier.contains(theme.highlight.add_modifier)
            || theme.highlight.add_modifier.is_empty()
    );
    // The detail's headline (row 1, right pane) too.
    let x = find(1, "number", 48, 119).expect("the detail headline matches");
    assert!(buf[(x, 1)].modifier.contains(theme.highlight.add_modifier));
    assert!(
        !theme.highlight.add_modifier.is_empty(),
        "highlight is not colour alone"
    );
    insta::assert_snapshot!(t.backend());
}

#[test]
fn author_matches_are_highlighted_in_the_list() {
    let mut m = model(120, 24);
    m.set_filter("author:\"reporter 5\"".into());
    let t = render(&m, 120, 24);
    let buf = t.backend().buffer();
    let theme = theme();
    let row: String = (1..46).map(|x| buf[(x, 1)].symbol().to_string()).collect();
    let at = row
        .find("Reporter 5")
        .expect("the author is on the first row") as u16
        + 1;
    for dx in 0.."Reporter 5".len() as u16 {
        assert!(
            buf[(at + dx, 1)]
                .modifier
                .contains(theme.highlight.add_modifier),
            "author cell {dx}: {row}"
        );
    }
}

#[test]
fn the_help_fits_a_120_column_terminal_whole() {
    let mut m = model(120, 40);
    m.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    )));
    let text = screen_text(&render(&m, 120, 40));
    for whole in [
        "since:30m",
        "Enter keeps the filter, Esc clears it, ↑/↓ walk this run's filters",
        "(detail focused: search it)",
    ] {
        assert!(text.contains(whole), "{whole:?} missing from:\n{text}");
    }
}

#[test]
fn a_shrink_between_layout_and_draw_does_not_panic() {
    // The model still believes the terminal is large while the frame is already tiny.
    let mut m = model(250, 80);
    for setup in 0..3 {
        m.help = setup == 1;
        m.zoom = setup == 2;
        for (w, h) in [(0, 0), (1, 1), (3, 2), (20, 4)] {
            let _ = render(&m, w, h);
        }
    }
}
