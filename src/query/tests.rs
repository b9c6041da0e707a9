use jiff::tz::{self, TimeZone};
use proptest::prelude::*;

use super::*;

/// Sunday 2026-11-29 12:00:00 UTC.
fn now() -> Timestamp {
    "2026-11-29T12:00:00Z".parse().unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn q(input: &str) -> Query {
    parse(input, now(), &TimeZone::UTC).unwrap_or_else(|e| panic!("{input:?}: {e:?}"))
}

/// One term as text, to compare parses in tables.
fn describe(t: &Term) -> String {
    let body = match &t.test {
        Test::Text { field, finder, .. } => {
            let needle = std::str::from_utf8(finder.needle()).unwrap();
            let quoted = if needle.contains(' ') {
                format!("\"{needle}\"")
            } else {
                needle.to_string()
            };
            match field {
                Field::Any => quoted,
                Field::Title => format!("title:{quoted}"),
                Field::Author => format!("author:{quoted}"),
                Field::Source => format!("source:{quoted}"),
                Field::Text => format!("text:{quoted}"),
            }
        }
        Test::Is(flag) => format!("is:{flag:?}").to_lowercase(),
        Test::Since(t) => format!("since:{t}"),
    };
    if t.negated { format!("-{body}") } else { body }
}

fn described(query: &Query) -> String {
    query
        .terms
        .iter()
        .map(describe)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn query_parses_every_construct() {
    let cases = [
        ("", ""),
        ("   \t ", ""),
        ("storm", "storm"),
        ("Storm  SURGE", "storm surge"),
        ("Café MÜNCHEN Straße", "cafe munchen strasse"),
        ("\"storm surge\"", "\"storm surge\""),
        ("\"  Storm \n  Surge \"", "\"storm surge\""),
        ("\"\" storm", "storm"),
        ("-rumour", "-rumour"),
        ("-\"storm surge\"", "-\"storm surge\""),
        ("title:storm", "title:storm"),
        ("TITLE:Storm", "title:storm"),
        ("author:smith", "author:smith"),
        ("source:bbc", "source:bbc"),
        ("text:flood", "text:flood"),
        ("title:\"storm surge\"", "title:\"storm surge\""),
        ("-author:smith", "-author:smith"),
        ("-title:\"a b\"", "-title:\"a b\""),
        // Facts sort before text.
        ("flood is:new", "is:new flood"),
        (
            "is:pinned -is:edited is:REMOVED",
            "is:pinned -is:edited is:removed",
        ),
        ("since:30m", "since:2026-11-29T11:30:00Z"),
        ("since:2h", "since:2026-11-29T10:00:00Z"),
        ("since:90s", "since:2026-11-29T11:58:30Z"),
        ("since:1d", "since:2026-11-28T12:00:00Z"),
        ("since:2H", "since:2026-11-29T10:00:00Z"),
        ("-since:1d", "-since:2026-11-28T12:00:00Z"),
        ("since:\"2h\"", "since:2026-11-29T10:00:00Z"),
        // Earlier today, and the future means yesterday.
        ("since:09:15", "since:2026-11-29T09:15:00Z"),
        ("since:9:15", "since:2026-11-29T09:15:00Z"),
        ("since:12:00", "since:2026-11-29T12:00:00Z"),
        ("since:14:30", "since:2026-11-28T14:30:00Z"),
        ("since:0:00", "since:2026-11-29T00:00:00Z"),
        // Ages beyond the timestamp range mean "since the beginning".
        (
            "since:99999999999999999999d",
            "since:-009999-01-02T01:59:59Z",
        ),
        // Colons that are not qualifiers.
        ("https://example.com/x", "https://example.com/x"),
        ("14:30", "14:30"),
        (":)", ":)"),
        // Quotes inside a word are ordinary; a closed phrase ends the term.
        ("it\"s", "it\"s"),
        ("\"a b\"c", "\"a b\" c"),
        ("a-b -c-d", "a-b -c-d"),
        ("don’t", "don't"),
    ];
    for (input, want) in cases {
        assert_eq!(described(&q(input)), want, "input {input:?}");
    }
}

#[test]
fn query_since_clock_time_in_other_zones() {
    let plus2 = TimeZone::fixed(tz::offset(2));
    let minus5 = TimeZone::fixed(tz::offset(-5));
    let cet = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
    let cases = [
        // Local 14:00 at +02: 13:30 is today, 14:30 yesterday.
        (&plus2, "since:13:30", "since:2026-11-29T11:30:00Z"),
        (&plus2, "since:14:30", "since:2026-11-28T12:30:00Z"),
        (&plus2, "since:14:00", "since:2026-11-29T12:00:00Z"),
        // Local 07:00 at -05: 06:59 today, 07:01 yesterday.
        (&minus5, "since:6:59", "since:2026-11-29T11:59:00Z"),
        (&minus5, "since:07:01", "since:2026-11-28T12:01:00Z"),
        // Ages do not depend on the zone.
        (&minus5, "since:2h", "since:2026-11-29T10:00:00Z"),
        // Winter time in CET (+01): local 13:00.
        (&cet, "since:12:30", "since:2026-11-29T11:30:00Z"),
    ];
    for (zone, input, want) in cases {
        let query = parse(input, now(), zone).unwrap();
        assert_eq!(described(&query), want, "input {input:?}");
    }
    // Across a DST change: at 2026-03-29 12:00 CEST (+02), 01:30 was still CET (+01).
    let spring = ts("2026-03-29T10:00:00Z");
    let query = parse("since:01:30", spring, &cet).unwrap();
    assert_eq!(described(&query), "since:2026-03-29T00:30:00Z");
}

#[test]
fn query_rejects_malformed_input_with_message_and_column() {
    let fields = "(use title:, author:, source:, text:, is:, since:)";
    let since_help = "(use an age like 90s, 30m, 2h, 1d or a clock time like 14:30)";
    let is_help = "(use is:new, is:pinned, is:edited, is:removed)";
    let cases: Vec<(&str, String, usize)> = vec![
        ("foo:bar", format!("unknown field `foo` {fields}"), 0),
        ("storm Foo:bar", format!("unknown field `Foo` {fields}"), 6),
        ("-foo:bar", format!("unknown field `foo` {fields}"), 1),
        ("note:", format!("unknown field `note` {fields}"), 0),
        ("is:old", format!("unknown `is:old` {is_help}"), 3),
        ("a -is:x", format!("unknown `is:x` {is_help}"), 6),
        (
            "since:soon",
            format!("cannot read `since:soon` {since_help}"),
            6,
        ),
        (
            "since:5y",
            format!("cannot read `since:5y` {since_help}"),
            6,
        ),
        ("since:m", format!("cannot read `since:m` {since_help}"), 6),
        (
            "since:-5m",
            format!("cannot read `since:-5m` {since_help}"),
            6,
        ),
        (
            "since:24:00",
            format!("cannot read `since:24:00` {since_help}"),
            6,
        ),
        (
            "since:12:60",
            format!("cannot read `since:12:60` {since_help}"),
            6,
        ),
        (
            "since:12:5",
            format!("cannot read `since:12:5` {since_help}"),
            6,
        ),
        (
            "since:123:00",
            format!("cannot read `since:123:00` {since_help}"),
            6,
        ),
        (
            "since:12:00pm",
            format!("cannot read `since:12:00pm` {since_help}"),
            6,
        ),
        (
            "\"storm surge",
            "unterminated quote: close the phrase with another `\"`".into(),
            0,
        ),
        (
            "a title:\"storm",
            "unterminated quote: close the phrase with another `\"`".into(),
            8,
        ),
        (
            "\"a\" \"b",
            "unterminated quote: close the phrase with another `\"`".into(),
            4,
        ),
        (
            "title:",
            "`title:` needs a value right after the colon, like title:word".into(),
            0,
        ),
        (
            "x -author: y",
            "`author:` needs a value right after the colon, like author:word".into(),
            3,
        ),
        (
            "title:\"  \"",
            "`title:` needs a value right after the colon, like title:word".into(),
            0,
        ),
        (
            "since:",
            "`since:` needs a value right after the colon, like since:30m".into(),
            0,
        ),
        (
            "-",
            "a lone `-` excludes nothing: write the word right after it, like -rumour".into(),
            0,
        ),
        (
            "storm - surge",
            "a lone `-` excludes nothing: write the word right after it, like -rumour".into(),
            6,
        ),
        // Columns are byte offsets, also after multi-byte characters.
        ("café foo:x", format!("unknown field `foo` {fields}"), 6),
    ];
    for (input, message, column) in cases {
        let err = parse(input, now(), &TimeZone::UTC).unwrap_err();
        assert_eq!(err, QueryError { message, column }, "input {input:?}");
        assert_eq!(err.to_string(), err.message);
    }
}

#[test]
fn query_fold_lowercases_strips_accents_and_collapses_whitespace() {
    let cases = [
        ("Café", "cafe"),
        ("MÜNCHEN", "munchen"),
        ("Straße STRAẞE", "strasse strasse"),
        ("Æther Œuvre Ørsted Łódź", "aether oeuvre orsted lodz"),
        ("İstanbul", "istanbul"),
        ("e\u{301}te\u{301}", "ete"),
        ("  a \n\n\t b  ", " a b "),
        ("a\u{a0}b", "a b"),
        ("ΣΟΦΟΣ", "σοφοσ"),
        ("Ñandú", "nandu"),
        ("it’s 1990–2000", "it's 1990-2000"),
    ];
    for (input, want) in cases {
        assert_eq!(fold(input), want, "input {input:?}");
    }
}

/// An entry for the matcher tables.
struct Case {
    title: &'static str,
    authors: &'static [&'static str],
    text: &'static str,
    source: &'static str,
    new: bool,
    pinned: bool,
    edited: bool,
    removed: bool,
    time: Option<&'static str>,
}

const BASE: Case = Case {
    title: "Storm surge floods the Café Müller",
    authors: &["Anna Smith", "Jörg Weiß"],
    text: "Water reached the bridges.\n\nThe  mayor spoke at 14:30. Photo: Reuters",
    source: "BBC News",
    new: false,
    pinned: false,
    edited: false,
    removed: false,
    time: Some("2026-11-29T11:30:00Z"),
};

fn check(query: &str, case: &Case) -> bool {
    let authors: Vec<String> = case.authors.iter().map(|a| a.to_string()).collect();
    let folded = Folded::new(case.title, &authors, case.text);
    let source = fold(case.source);
    let facts = Facts {
        source: &source,
        new: case.new,
        pinned: case.pinned,
        edited: case.edited,
        removed: case.removed,
        time: case.time.map(ts),
    };
    q(query).matches(&folded, &facts)
}

#[test]
fn query_matches_words_phrases_fields_and_negation() {
    let cases = [
        ("", true),
        ("   ", true),
        ("storm", true),
        ("STORM", true),
        ("bridg", true),
        ("storm bridges", true),
        ("storm hurricane", false),
        // Accents both ways, ß both ways.
        ("cafe", true),
        ("CAFÉ", true),
        ("muller", true),
        ("müller", true),
        ("MÜLLER", true),
        ("jorg weiss", true),
        ("weiß", true),
        ("WEISS", true),
        // Phrases: order matters, whitespace runs count as one space.
        ("\"storm surge\"", true),
        ("\"surge storm\"", false),
        ("\"the mayor spoke\"", true),
        ("\"bridges. the mayor\"", true),
        ("\"cafe muller\"", true),
        // A phrase does not join two authors.
        ("\"smith jorg\"", false),
        // Negation.
        ("-storm", false),
        ("-hurricane", true),
        ("storm -hurricane", true),
        ("-\"storm surge\"", false),
        ("-\"surge storm\"", true),
        // Fields.
        ("title:storm", true),
        ("title:bridges", false),
        ("text:bridges", true),
        ("text:storm", false),
        ("text:reuters", true),
        ("author:smith", true),
        ("author:storm", false),
        ("-author:smith", false),
        ("-author:jones", true),
        ("title:\"storm surge\"", true),
        ("text:\"storm surge\"", false),
        ("source:bbc", true),
        ("source:\"bbc news\"", true),
        ("source:guardian", false),
        ("-source:bbc", false),
        // The source name is only searched with source:.
        ("bbc", false),
        ("news", false),
        // Words with colons.
        ("14:30", true),
    ];
    for (query, want) in cases {
        assert_eq!(check(query, &BASE), want, "query {query:?}");
    }
}

#[test]
fn query_matches_is_terms() {
    let flagged = |new, pinned, edited, removed| Case {
        new,
        pinned,
        edited,
        removed,
        ..BASE
    };
    let plain = flagged(false, false, false, false);
    let cases = [
        ("is:new", flagged(true, false, false, false), true),
        ("is:new", flagged(false, true, true, true), false),
        ("-is:new", flagged(true, false, false, false), false),
        ("-is:new", flagged(false, false, false, false), true),
        ("is:pinned", flagged(false, true, false, false), true),
        ("is:pinned", flagged(true, false, true, true), false),
        ("is:edited", flagged(false, false, true, false), true),
        ("is:edited", flagged(true, true, false, true), false),
        ("is:removed", flagged(false, false, false, true), true),
        ("is:removed", flagged(true, true, true, false), false),
        ("-is:removed", flagged(false, false, false, true), false),
        ("is:new is:pinned", flagged(true, true, false, false), true),
        (
            "is:new is:pinned",
            flagged(true, false, false, false),
            false,
        ),
        ("is:new storm", flagged(true, false, false, false), true),
        (
            "is:new hurricane",
            flagged(true, false, false, false),
            false,
        ),
    ];
    for (query, case, want) in cases {
        assert_eq!(check(query, &case), want, "query {query:?}");
    }
    assert!(check("-is:new -is:pinned -is:edited -is:removed", &plain));
}

#[test]
fn query_matches_since_boundaries() {
    let at = |time| Case { time, ..BASE };
    let cases = [
        // since:30m = 11:30:00 inclusive.
        ("since:30m", Some("2026-11-29T11:30:00Z"), true),
        ("since:30m", Some("2026-11-29T11:29:59Z"), false),
        ("since:30m", Some("2026-11-29T11:59:00Z"), true),
        ("since:90s", Some("2026-11-29T11:58:30Z"), true),
        ("since:90s", Some("2026-11-29T11:58:29Z"), false),
        ("since:1d", Some("2026-11-28T12:00:00Z"), true),
        ("since:1d", Some("2026-11-28T11:59:59Z"), false),
        ("since:09:15", Some("2026-11-29T09:15:00Z"), true),
        ("since:09:15", Some("2026-11-29T09:14:59Z"), false),
        // 14:30 is still ahead today, so it means yesterday.
        ("since:14:30", Some("2026-11-28T14:30:00Z"), true),
        ("since:14:30", Some("2026-11-28T14:29:00Z"), false),
        ("-since:30m", Some("2026-11-29T11:29:59Z"), true),
        ("-since:30m", Some("2026-11-29T11:30:00Z"), false),
        // No time: neither since: nor -since: matches.
        ("since:1d", None, false),
        ("-since:1d", None, false),
        ("storm", None, true),
    ];
    for (query, time, want) in cases {
        assert_eq!(check(query, &at(time)), want, "query {query:?} at {time:?}");
    }
}

#[test]
fn query_folded_is_compact() {
    let folded = Folded::new("Café", &["A".into(), "B".into()], "x  y");
    assert_eq!(folded.title(), "cafe");
    assert_eq!(folded.authors(), "a\nb");
    assert_eq!(folded.text(), "x y");
    assert_eq!(folded.all(), "cafe\na\nb\nx y");
    // The headline "Café" and the body "x  y" are kept whole: their patches would take
    // more than half their room.
    assert_eq!(folded.heap_bytes(), 4 + 1 + 3 + 1 + 3 + 5 + 4);
    assert_eq!(folded.headline(), "Café");
    assert_eq!(folded.body(), "x  y");
    let titled = Folded::new("Storm Éowyn: live", &[], "");
    // "S", "É" and nothing else: 1 + 5 bytes of patches.
    assert_eq!(titled.heap_bytes(), 17 + 1 + 1 + 6);
    assert_eq!(titled.headline(), "Storm Éowyn: live");
    let long = Folded::new("", &[], "The river rose over the banks  at dawn");
    // One patch for "T", one for the double space: 1 + 5 bytes.
    assert_eq!(long.heap_bytes(), 2 + 37 + 6);
    assert_eq!(long.body(), "The river rose over the banks  at dawn");
}

#[test]
fn query_folded_rebuilds_the_body_and_tells_bodies_apart() {
    let body = "Storm  Éowyn hits\n\nthe COAST. 한국어 ﬁne";
    let folded = Folded::new("Title", &["Ana".into()], body);
    assert_eq!(folded.body(), body);
    assert_eq!(
        folded.text(),
        "storm eowyn hits the coast. \u{1112}\u{1161}\u{11ab}\u{1100}\u{116e}\u{11a8}\u{110b}\u{1165} fine"
    );
    let same = Folded::new("TITLE", &["ana".into()], body);
    assert!(folded.same_body(&same));
    // Only the case differs: the folded text is the same, the body is not.
    let lower = Folded::new("Title", &["Ana".into()], &body.to_lowercase());
    assert_eq!(lower.text(), folded.text());
    assert!(!folded.same_body(&lower));
    assert_ne!(folded, lower);
    // Captions are searched with the body but are not part of it.
    let entry = crate::entry::Entry {
        text: "Body".into(),
        images: vec![crate::entry::Image {
            caption: Some("Caption".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let with_caption = Folded::from_entry(&entry);
    assert_eq!(with_caption.text(), "body caption");
    assert_eq!(with_caption.body(), "Body");
    assert!(with_caption.same_body(&Folded::new("", &[], "Body")));
    assert_eq!(Folded::default().body(), "");
}

#[test]
fn query_fold_patches_record_what_folding_changed() {
    let cases: [(&str, &str, &[u8]); 10] = [
        ("", "storm", &[]),
        ("", "Storm", &[1]),
        // A single capital is one number; the next counts from the end of the last.
        ("", "New York", &[1, 7]),
        ("", "the ABC", &[8, 3, 1]),
        ("", "a\n\nb", &[2, 1, 4, b'\n', b'\n']),
        ("", "a b\tc", &[6, 1, 2, b'\t']),
        ("", "café", &[6, 1, 4, 0xc3, 0xa9]),
        // A whitespace run right after a space adds nothing.
        ("x ", "  a", &[0, 0, 4, b' ', b' ']),
        // A combining mark at the start is dropped.
        ("", "\u{301}a", &[0, 0, 4, 0xcc, 0x81]),
        // Touching patches are one.
        ("", "x\n\nThe", &[2, 2, 6, b'\n', b'\n', b'T']),
    ];
    for (before, text, want) in cases {
        let mut out = before.to_string();
        let mut patches = String::new();
        assert!(super::fold::fold_recording(
            text,
            &mut out,
            usize::MAX,
            &mut patches
        ));
        assert_eq!(patches.as_bytes(), want, "{text:?}");
        assert_eq!(super::fold::unfold(&out[before.len()..], &patches), text);
    }
}

#[test]
fn query_fold_body_keeps_text_whole_when_patches_would_be_big() {
    use super::fold::{Kept, fold_body, rebuild};
    for (text, whole) in [
        ("plain lower case text", false),
        ("Some Capitals Here and there", false),
        ("서울에 폭우가 내렸다", true),
        ("A", true),
        ("", false),
    ] {
        let (mut out, mut rest) = (String::new(), String::new());
        let kept = fold_body(text, &mut out, &mut rest);
        assert_eq!(kept == Kept::Whole, whole, "{text:?}");
        assert_eq!(out, fold(text));
        assert_eq!(rebuild(&out, &rest, kept), text);
    }
    // Broken patches end the rebuilding early, never panic.
    assert_eq!(super::fold::unfold("abc", "\u{9}\u{1}\u{1}"), "abc");
    assert_eq!(super::fold::unfold("abc", "\0\u{1}\u{8}x"), "abc");
    assert_eq!(super::fold::unfold("abc", "\0\u{1}é"), "abc");
}

#[test]
fn query_folded_from_entry_includes_captions_and_credits() {
    let entry = crate::entry::Entry {
        title: "Pont Neuf".into(),
        authors: vec!["Zoë".into()],
        text: "Body".into(),
        images: vec![
            crate::entry::Image {
                caption: Some("Crowds gather".into()),
                credit: Some("AFP".into()),
                url: None,
            },
            crate::entry::Image {
                caption: None,
                credit: Some("Getty".into()),
                url: None,
            },
        ],
        ..Default::default()
    };
    let folded = Folded::from_entry(&entry);
    assert_eq!(folded.title(), "pont neuf");
    assert_eq!(folded.authors(), "zoe");
    assert_eq!(folded.text(), "body crowds gather afp getty");
    assert_eq!(folded.body(), "Body");
    assert!(q("text:afp author:zoe title:pont").matches(&folded, &Facts::default()));
}

#[test]
fn query_highlights_map_back_to_original_bytes() {
    let cases: [(&str, &str, &[&str]); 16] = [
        ("storm", "Storm surge", &["Storm"]),
        ("storm surge", "Storm surge", &["Storm", "surge"]),
        ("cafe", "Le Café Müller", &["Café"]),
        ("müller", "Le Café MÜLLER", &["MÜLLER"]),
        ("strasse", "Die Straße", &["Straße"]),
        ("ss", "Straße", &["ß"]),
        ("stras", "Straße", &["Straß"]),
        // Decomposed input: the combining mark goes with its letter.
        ("e", "e\u{301}t", &["e\u{301}"]),
        (
            "\"storm surge\"",
            "A storm   surge came",
            &["storm   surge"],
        ),
        // Every occurrence, overlapping ones merged.
        ("a", "a banana", &["a", "a", "a", "a"]),
        ("aa", "aaa b aa", &["aaa", "aa"]),
        ("\"storm surge\" surge", "storm surge", &["storm surge"]),
        ("sto storm", "storm", &["storm"]),
        // Excluded terms and source: are not highlighted; facts are ignored.
        ("-storm surge", "storm surge", &["surge"]),
        ("source:storm is:new since:1h", "storm", &[]),
        (
            "title:storm author:surge",
            "storm surge",
            &["storm", "surge"],
        ),
    ];
    for (query, original, want) in cases {
        let ranges = q(query).highlights(original);
        let got: Vec<&str> = ranges.iter().map(|r| &original[r.clone()]).collect();
        assert_eq!(got, want, "query {query:?} on {original:?}");
        assert!(
            ranges.windows(2).all(|w| w[0].end < w[1].start),
            "{ranges:?}"
        );
    }
    assert_eq!(q("weiss").highlights("Jörg Weiß!"), vec![6..11]);
    assert!(q("").highlights("anything").is_empty());
}

#[test]
fn query_is_narrowed_by() {
    let cases = [
        ("", "", true),
        ("", "storm", true),
        ("", "-storm is:new", true),
        ("stor", "storm", true),
        ("storm", "storm surge", true),
        ("storm", "surge storm", true),
        ("storm", "storm -rumour", true),
        ("storm", "\"storm surge\"", true),
        ("surge", "\"storm surge\"", true),
        ("\"storm surge\"", "\"storm surges\"", true),
        ("storm", "title:storm", true),
        ("storm", "author:storms", true),
        ("storm", "text:storm", true),
        ("is:new", "is:new storm", true),
        ("-is:new", "-is:new since:1h", true),
        ("since:2h", "since:1h", true),
        ("since:2h", "since:2h", true),
        ("-since:1h", "-since:2h", true),
        ("-rumour", "-rumour storm", true),
        ("-rumour", "-rumo", true),
        ("-title:rumour", "-rumour", true),
        ("-\"storm surge\"", "-storm", true),
        ("source:bb", "source:bbc", true),
        // Wider or different queries.
        ("storm", "", false),
        ("storm surge", "storm", false),
        ("storm", "stor", false),
        ("storm", "-storm", false),
        ("-rumo", "-rumour", false),
        ("-rumour", "-title:rumour", false),
        ("title:storm", "storm", false),
        ("author:storm", "title:storm", false),
        ("storm", "source:storm", false),
        ("source:storm", "storm", false),
        ("since:1h", "since:2h", false),
        ("-since:2h", "-since:1h", false),
        ("since:1h", "-since:1h", false),
        ("is:new", "is:pinned", false),
        ("is:new", "-is:new", false),
        ("is:new", "storm", false),
    ];
    for (broad, narrow, want) in cases {
        assert_eq!(
            q(broad).is_narrowed_by(&q(narrow)),
            want,
            "{broad:?} narrowed by {narrow:?}"
        );
    }
}

/// One generated term: negated?, field (0 any, 1 title, 2 author, 3 text), word.
type GenTerm = (bool, u8, String);

fn render(terms: &[GenTerm]) -> String {
    let fields = ["", "title:", "author:", "text:"];
    terms
        .iter()
        .map(|(neg, field, word)| {
            let neg = if *neg { "-" } else { "" };
            let body = if word.contains(' ') {
                format!("\"{word}\"")
            } else {
                word.clone()
            };
            format!("{neg}{}{body}", fields[*field as usize])
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn gen_term() -> impl Strategy<Value = GenTerm> {
    (any::<bool>(), 0u8..4, "[abé]{1,3}( [ab]{1,2})?")
}

fn gen_entry() -> impl Strategy<Value = (String, Vec<String>, String)> {
    (
        "[abeé ]{0,8}",
        prop::collection::vec("[abÉ ]{0,4}", 0..3),
        "[abe ]{0,12}",
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Narrowing by extending positive words and adding terms is recognized, and whenever
    /// `is_narrowed_by` says so, the narrower query's matches are a subset of the broader's.
    #[test]
    fn query_narrowing_is_sound(
        broad in prop::collection::vec(gen_term(), 0..4),
        suffixes in prop::collection::vec(prop::option::of("[ab]{1,2}"), 4),
        extra in prop::collection::vec(gen_term(), 0..3),
        other in prop::collection::vec(gen_term(), 0..4),
        entries in prop::collection::vec(gen_entry(), 12),
    ) {
        let mut narrow = broad.clone();
        for (term, suffix) in narrow.iter_mut().zip(&suffixes) {
            if let (false, Some(s)) = (term.0, suffix) {
                term.2.push_str(s);
            }
        }
        narrow.extend(extra);
        let broad_q = q(&render(&broad));
        let narrow_q = q(&render(&narrow));
        let other_q = q(&render(&other));
        prop_assert!(broad_q.is_narrowed_by(&narrow_q), "{:?} / {:?}", render(&broad), render(&narrow));
        let pairs = [
            (&broad_q, &narrow_q),
            (&broad_q, &other_q),
            (&other_q, &broad_q),
            (&narrow_q, &other_q),
        ];
        for (wide, tight) in pairs {
            if !wide.is_narrowed_by(tight) {
                continue;
            }
            for (title, authors, text) in &entries {
                let folded = Folded::new(title, authors, text);
                let facts = Facts::default();
                if tight.matches(&folded, &facts) {
                    prop_assert!(wide.matches(&folded, &facts), "{wide:?} / {tight:?} on {folded:?}");
                }
            }
        }
    }

    /// Folding ASCII runs in one pass gives what folding character by character gives.
    #[test]
    fn query_ascii_fold_matches_the_general_fold(
        before in "[a ]{0,2}",
        s in "[aZ9 \t\n\r\x0b\x0c.éÉß\u{301}\u{a0}\u{2019}\u{3000}]{0,24}",
    ) {
        let mut fast = fold(&before);
        super::fold::fold_into(&s, &mut fast);
        let general = super::fold::fold_with_map(&format!("{before}{s}")).0;
        prop_assert_eq!(fast, general);
    }

    /// Folding a body while recording patches gives what folding gives, after any text
    /// already in the buffer, and the patches rebuild the body exactly; past the limit the
    /// body is kept whole.
    #[test]
    fn query_fold_patches_rebuild_the_text(
        before in "(|x|x |\n| )",
        text in "(\n\n|\r\n| |  |[aZ9.\t\n\x0b\x0c\x01\u{7f}éÉe\u{301}\u{308}ßẞﬁ\u{2018}\u{2019}ΣΟσςДЖжİı한국어😀\u{200d}👩\u{a0}\u{85}\u{2028}\u{3000}]){0,40}",
    ) {
        check_patches(&before, &text)?;
    }

    /// The same for text that is mostly plain ASCII (read eight bytes at a time), with a
    /// capital, a double space, a line break or an accent here and there.
    #[test]
    fn query_fold_patches_rebuild_mostly_plain_text(
        before in "(|x|x |\n| )",
        text in "([a-z.,!~\x7f]{1,9}|[ ]|[A-Z]|  |\n|\t|é){0,60}",
    ) {
        check_patches(&before, &text)?;
    }

    /// The same for any string at all.
    #[test]
    fn query_fold_patches_rebuild_any_text(before in "(|x|x )", text in any::<String>()) {
        check_patches(&before, &text)?;
    }

    /// An entry's folded form gives back its headline and body exactly, whatever they
    /// hold, beside any authors and captions; and tells headlines and bodies apart.
    #[test]
    fn query_folded_rebuilds_any_headline_and_body(
        title in "[aAéÉß \u{301}\n\t.:]{0,40}|\\PC{0,40}",
        authors in prop::collection::vec("\\PC{0,12}", 0..3),
        body in "[aAéÉß \u{301}\n.]{0,80}|\\PC{0,80}",
        caption in "\\PC{0,12}",
        other in "[aAé ]{0,6}",
    ) {
        let folded =
            Folded::with_captions(&title, authors.iter().map(String::as_str), &body, [caption.as_str()].into_iter());
        prop_assert_eq!(folded.headline(), title.as_str());
        prop_assert_eq!(folded.body(), body.as_str());
        prop_assert_eq!(folded.title(), fold(&title));
        let again = Folded::new(&title, &authors, &body);
        prop_assert!(folded.same_headline(&again) && folded.same_body(&again));
        let retitled = Folded::new(&other, &authors, &body);
        prop_assert_eq!(folded.same_headline(&retitled), other == title);
        prop_assert!(folded.same_body(&retitled));
        let rewritten = Folded::new(&title, &authors, &other);
        prop_assert_eq!(folded.same_body(&rewritten), other == body);
        prop_assert!(folded.same_headline(&rewritten));
    }

    /// An entry held as it came reads the same as the folded one, folds into the same
    /// form later (its authors and captions taken from the rest of the entry), and is
    /// compared with a folded one by its headline and body alone.
    #[test]
    fn query_unfolded_entries_fold_later_into_the_same_form(
        title in "[aAéÉß \u{301}\n\t.:]{0,40}|\\PC{0,40}",
        authors in prop::collection::vec("\\PC{0,12}", 0..3),
        body in "[aAéÉß \u{301}\n.]{0,80}|\\PC{0,80}",
        captions in prop::collection::vec(
            (prop::option::of("\\PC{0,12}"), prop::option::of("[aA \n]{0,8}")),
            0..3,
        ),
        other in "[aAé ]{0,6}",
    ) {
        let entry = Entry {
            id: "e".into(),
            title: title.clone(),
            authors: authors.clone(),
            text: body.clone(),
            images: captions
                .iter()
                .map(|(caption, credit)| crate::entry::Image {
                    url: None,
                    caption: caption.clone(),
                    credit: credit.clone(),
                })
                .collect(),
            ..Entry::default()
        };
        let unfolded = Folded::unfolded(&entry);
        prop_assert!(unfolded.is_unfolded());
        prop_assert_eq!(unfolded.headline(), title.as_str());
        prop_assert_eq!(unfolded.body(), body.as_str());
        let folded = Folded::from_entry(&entry);
        prop_assert!(!folded.is_unfolded() && folded.fold(&crate::entry::Held::new(entry.clone())).is_none());
        prop_assert_eq!(unfolded.fold(&crate::entry::Held::new(entry.clone())), Some(folded.clone()));
        for (a, b) in [(&unfolded, &folded), (&folded, &unfolded)] {
            prop_assert!(a.same_headline(b) && a.same_body(b));
        }
        let retitled = Folded::unfolded(&Entry { title: other.clone(), ..entry.clone() });
        let rewritten = Folded::unfolded(&Entry { text: other.clone(), ..entry.clone() });
        prop_assert_eq!(folded.same_headline(&retitled), other == title);
        prop_assert_eq!(retitled.same_headline(&folded), other == title);
        prop_assert_eq!(folded.same_body(&rewritten), other == body);
        prop_assert_eq!(rewritten.same_body(&folded), other == body);
    }

    /// Highlights are sorted, disjoint and on char boundaries for any text.
    #[test]
    fn query_highlights_are_well_formed(
        terms in prop::collection::vec(gen_term(), 0..4),
        original in "[aAbBéÉß \u{301}\n]{0,16}",
    ) {
        let ranges = q(&render(&terms)).highlights(&original);
        for r in &ranges {
            prop_assert!(r.start < r.end);
            prop_assert!(original.is_char_boundary(r.start) && original.is_char_boundary(r.end));
        }
        prop_assert!(ranges.windows(2).all(|w| w[0].end < w[1].start));
    }
}

fn check_patches(before: &str, text: &str) -> Result<(), TestCaseError> {
    use super::fold::{Kept, fold_body, fold_into, fold_recording, rebuild, unfold};
    let mut want = before.to_string();
    fold_into(text, &mut want);
    let mut out = before.to_string();
    let mut patches = String::new();
    prop_assert!(fold_recording(text, &mut out, usize::MAX, &mut patches));
    prop_assert_eq!(&out, &want);
    prop_assert_eq!(unfold(&out[before.len()..], &patches), text);
    let mut out = before.to_string();
    let mut rest = String::new();
    let kept = fold_body(text, &mut out, &mut rest);
    prop_assert_eq!(&out, &want);
    prop_assert_eq!(rebuild(&out[before.len()..], &rest, kept), text);
    let whole = patches.len() > text.len() / 2;
    prop_assert_eq!(
        kept == Kept::Whole,
        whole,
        "{} bytes of patches",
        patches.len()
    );
    Ok(())
}

/// Rough speed check over 100,000 entries; meaningful only in a release build:
/// `cargo test --release --lib query_speed -- --ignored --nocapture`.
#[test]
#[ignore]
fn query_speed_over_100k_entries() {
    let body = "The storm surge reached the harbour walls before dawn, and the mayor said \
                the bridges would stay closed until engineers had inspected them. "
        .repeat(3);
    let entries: Vec<Folded> = (0..100_000)
        .map(|i| {
            Folded::new(
                &format!("Update {i}: Café news"),
                &["Anna Smith".into()],
                &body,
            )
        })
        .collect();
    let source = fold("BBC News");
    let facts = Facts {
        source: &source,
        time: Some(now()),
        ..Facts::default()
    };
    for input in [
        "hurricane",
        "storm bridges -rumour",
        "\"engineers had inspected\" cafe",
    ] {
        let query = q(input);
        let start = std::time::Instant::now();
        let hits = entries.iter().filter(|e| query.matches(e, &facts)).count();
        println!("{input}: {hits} hits in {:?}", start.elapsed());
    }
}

#[test]
fn query_anchor_shift_bounds_where_the_longer_word_starts() {
    assert_eq!(q("riv").anchor_shift(&q("rive")), Some(0));
    assert_eq!(q("ive").anchor_shift(&q("river")), Some(1));
    assert_eq!(q("ver").anchor_shift(&q("river -x")), Some(2));
    // No anchor on one side, or the new word does not hold the old one.
    assert_eq!(q("-riv").anchor_shift(&q("-rive")), None);
    assert_eq!(q("title:riv").anchor_shift(&q("title:rive")), None);
    assert_eq!(q("riv").anchor_shift(&q("rav")), None);
}

#[test]
fn query_matches_from_reports_the_first_anchor_and_respects_the_start() {
    let folded = Folded::new("River", &[], "the river and the rivers");
    let facts = Facts::default();
    let river = q("river");
    assert_eq!(river.matches_from(&folded, &facts, 0), Some(0));
    assert_eq!(river.matches_from(&folded, &facts, 1), Some(11));
    assert_eq!(river.matches_from(&folded, &facts, 12), Some(25));
    assert_eq!(river.matches_from(&folded, &facts, 26), None);
    assert_eq!(river.matches_from(&folded, &facts, 1000), None);
    // The other terms still hold everywhere; without an anchor the position is 0.
    assert_eq!(q("river -and").matches_from(&folded, &facts, 0), None);
    assert_eq!(q("is:new").matches_from(&folded, &facts, 0), None);
    assert_eq!(q("-zebra").matches_from(&folded, &facts, 5), Some(0));
}

#[test]
fn plain_blocks_are_told_apart() {
    use super::fold::plain_block;
    // The top bit of the bytes of capitals.
    let caps = |at: &[usize]| at.iter().map(|k| 0x80u64 << (8 * k)).sum::<u64>();
    // (bytes, start, a byte of the run being copied comes before, the capitals if plain)
    let cases: &[(&[u8], usize, bool, Option<u64>)] = &[
        (b"the storm hit", 0, false, Some(0)),
        (b"storm hit", 0, false, Some(0)),
        (b" storm hit", 0, false, None),
        (b" storm hit", 0, true, Some(0)),
        (b"the Storm hit", 0, false, Some(caps(&[4]))),
        (b"THE STORM", 0, false, Some(caps(&[0, 1, 2, 4, 5, 6, 7]))),
        (b"A Storm hit", 0, false, Some(caps(&[0, 2]))),
        (b"the  storm", 0, false, None),
        (b"the\nstorm", 0, false, None),
        (b"the sto", 0, false, None),
        (b"rain at ", 0, false, None),
        (b"rain at x", 0, false, Some(0)),
        (b"rain at X", 0, false, Some(0)),
        (b"rain at  x", 0, false, None),
        (b"caf\xc3\xa9 ok", 0, false, None),
        (b"[1] ~{}|\x7f", 0, false, Some(0)),
        (b"a@Z[`{ok", 0, false, Some(caps(&[2]))),
        (b"a@[`{ok!", 0, false, Some(0)),
    ];
    for &(bytes, at, ok_first, want) in cases {
        assert_eq!(
            plain_block(bytes, at, ok_first),
            want,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}
