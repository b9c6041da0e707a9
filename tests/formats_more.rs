//! Guardian, WordPress liveblog, Reddit live, RSS/Atom and mapped JSON parsers, checked
//! against fixtures. Expected values were read off the fixture files, not off parser output.
//!
//! Bodies are HTML in most of these formats; the HTML converter is tested elsewhere, so
//! here text is only checked to contain a phrase, except for plain-text inputs where the
//! start of the text is checked exactly.

use jiff::Timestamp;
use livefeed::entry::{Entry, Snapshot};
use livefeed::format::{guardian, mapping, reddit, syndication, wordpress};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/");
const OWN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/more/");

/// Read a shared fixture; `None` (with a notice) when the folder is absent outside CI.
fn shared(rel: &str) -> Option<Vec<u8>> {
    let path = format!("{SHARED}{rel}");
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("CI").is_some() => panic!("missing fixture {path}: {e}"),
        Err(_) => {
            eprintln!("skipping: shared fixture {path} not found");
            None
        }
    }
}

fn own(name: &str) -> Vec<u8> {
    std::fs::read(format!("{OWN}{name}")).unwrap()
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

const MAPPING: &str = r#"
entries = "/data/posts"
id = "/uuid"
time = "/created"
updated = "/edited"
title = "/headline"
body_html = "/html"
body_text = "/text"
author = "/writer"
url = "/link"
image = "/photo/src"
caption = "/photo/text"
credit = "/photo/by"
"#;

fn mapped_mapping() -> mapping::Mapping {
    // `author` points at an object for one entry and an array for the other; the object
    // case is covered by `/writer/display` in the doc example, here arrays and misses.
    toml::from_str(MAPPING).unwrap()
}

/// Id expectation: exact, or a content hash (id-less source entries).
enum Id {
    Is(&'static str),
    Hash,
}

struct Expect {
    id: Id,
    title: &'static str,
    time: &'static str,
    authors: &'static [&'static str],
    pinned: bool,
    key_event: bool,
    removed: bool,
    /// Plain-text inputs: the text starts with this. HTML inputs: the text contains it.
    words: &'static str,
    plain_text: bool,
}

struct Case {
    name: &'static str,
    load: fn() -> Option<Snapshot>,
    format: &'static str,
    count: usize,
    newest: Expect,
    oldest: Expect,
}

fn load_guardian_item() -> Option<Snapshot> {
    let b = shared("guardian-capi/item-content-with-blocks.json")?;
    let v = json(&b);
    assert!(guardian::detect(&v));
    Some(guardian::parse(&v).unwrap())
}

fn load_guardian_bare() -> Option<Snapshot> {
    let b = shared("guardian-capi/content-with-blocks.json")?;
    let v = json(&b);
    assert!(guardian::detect(&v));
    Some(guardian::parse(&v).unwrap())
}

fn load_wordpress() -> Option<Snapshot> {
    let v = json(&own("wordpress-entries.json"));
    assert!(wordpress::detect(&v));
    Some(wordpress::parse(&v).unwrap())
}

fn load_reddit() -> Option<Snapshot> {
    let v = json(&own("reddit-live.json"));
    assert!(reddit::detect(&v));
    Some(reddit::parse(&v).unwrap())
}

fn load_xml(name: &str) -> Option<Snapshot> {
    let b = own(name);
    assert!(syndication::detect(&b), "{name} not detected");
    Some(syndication::parse(&b).unwrap())
}

fn load_mapped() -> Option<Snapshot> {
    Some(mapping::parse(&json(&own("mapped-api.json")), &mapped_mapping()).unwrap())
}

const NONE: &[&str] = &[];

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "guardian item response",
            load: load_guardian_item,
            format: "guardian",
            count: 6,
            newest: Expect {
                id: Id::Is("5530debce4b078ada18a4602"),
                title: "",
                time: "2015-04-17T11:21:49Z",
                authors: NONE,
                pinned: false,
                key_event: false,
                removed: false,
                words: "hi",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Is("55267dc0e4b091b2a1c75fe1"),
                title: "",
                time: "2015-04-09T14:30:51Z",
                authors: NONE,
                pinned: false,
                key_event: true, // attributes.summary = true
                removed: false,
                words: "summary text",
                plain_text: false,
            },
        },
        Case {
            name: "guardian bare content (string flags)",
            load: load_guardian_bare,
            format: "guardian",
            count: 6,
            newest: Expect {
                id: Id::Is("5530debce4b078ada18a4602"),
                title: "Hi",
                time: "2015-04-17T11:21:49Z",
                authors: NONE,
                pinned: false,   // "false"
                key_event: true, // summary "true"
                removed: false,
                words: "hi",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Is("55267dc0e4b091b2a1c75fe1"),
                title: "",
                time: "2015-04-09T14:30:51Z",
                authors: NONE,
                pinned: false,
                key_event: true,
                removed: false,
                words: "summary text",
                plain_text: false,
            },
        },
        Case {
            name: "wordpress liveblog",
            load: load_wordpress,
            format: "wordpress-liveblog",
            count: 4, // five records, two for id 1043
            newest: Expect {
                id: Id::Is("1045"),
                title: "",
                time: "2024-07-02T20:00:00Z",
                authors: &["Marta García", "Tom Keller"],
                pinned: false,
                key_event: true,
                removed: false,
                words: "Spain 2",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Is("1038"),
                title: "",
                time: "2024-07-02T19:00:00Z",
                authors: &["Sam Lee"],
                pinned: true,
                key_event: false,
                removed: false,
                words: "Kick-off in Berlin",
                plain_text: true,
            },
        },
        Case {
            name: "reddit live",
            load: load_reddit,
            format: "reddit-live",
            count: 3,
            newest: Expect {
                id: Id::Is("9a3c1e52-2016-11ef-9d5e-4e2f3c1d7a10"),
                title: "",
                time: "2024-06-01T14:00:00Z",
                authors: &["quake_desk"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "power restored in the north",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Is("1c2e4a60-200a-11ef-a7b3-0a58a9feac02"),
                title: "",
                time: "2024-06-01T12:00:00.5Z",
                authors: &["seismo_mod"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "magnitude 6.1 earthquake",
                plain_text: false,
            },
        },
        Case {
            name: "rss with guid",
            load: || load_xml("rss-guid.xml"),
            format: "rss",
            count: 3,
            newest: Expect {
                id: Id::Is("live-3003"),
                title: "Turnout at 61%",
                time: "2024-06-02T19:15:00Z",
                authors: &["Ana Lima"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "Turnout reached",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Is("live-3001"),
                title: "Polls open",
                time: "2024-06-02T06:00:00Z",
                authors: &["Ben Okafor"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "Polling stations opened at 8am",
                plain_text: true,
            },
        },
        Case {
            name: "rss without guid or link",
            load: || load_xml("rss-noguid.xml"),
            format: "rss",
            count: 3,
            newest: Expect {
                id: Id::Hash,
                title: "Fire under control",
                time: "2024-05-14T16:45:00Z",
                authors: NONE,
                pinned: false,
                key_event: false,
                removed: false,
                words: "Firefighters say the blaze",
                plain_text: true,
            },
            oldest: Expect {
                id: Id::Hash,
                title: "Fire reported",
                time: "2024-05-14T14:05:00Z",
                authors: NONE,
                pinned: false,
                key_event: false,
                removed: false,
                words: "A large fire has been reported",
                plain_text: true,
            },
        },
        Case {
            name: "atom",
            load: || load_xml("atom.xml"),
            format: "atom",
            count: 3,
            newest: Expect {
                id: Id::Is("tag:space.example,2024:launch-live/entry-3"),
                title: "Liftoff!",
                time: "2024-03-09T09:02:00Z",
                authors: &["Kim Park"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "cleared the tower",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Is("tag:space.example,2024:launch-live/entry-1"),
                title: "Fuelling under way",
                time: "2024-03-09T07:15:00Z",
                authors: &["Kim Park", "Luis Ortega"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "Propellant loading began",
                plain_text: true,
            },
        },
        Case {
            name: "mapped json",
            load: load_mapped,
            format: "mapped",
            count: 2,
            newest: Expect {
                id: Id::Is("p-0042"),
                title: "Ohio called",
                time: "2024-11-06T04:30:00Z",
                authors: NONE, // `/writer` is an object here, not a name
                pinned: false,
                key_event: false,
                removed: false,
                words: "Networks call",
                plain_text: false,
            },
            oldest: Expect {
                id: Id::Hash,
                title: "Polls close in Indiana",
                time: "2024-11-05T22:30:00Z",
                authors: &["Dana Cruz", "Eli Brooks"],
                pinned: false,
                key_event: false,
                removed: false,
                words: "First polls have closed",
                plain_text: true,
            },
        },
    ]
}

fn check(case: &str, which: &str, e: &Entry, want: &Expect) {
    let ctx = format!("{case}, {which} entry");
    match want.id {
        Id::Is(id) => assert_eq!(e.id, id, "{ctx}: id"),
        Id::Hash => assert!(
            e.id.len() == 32 && e.id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{ctx}: id {:?} is not a content hash",
            e.id
        ),
    }
    assert_eq!(e.title, want.title, "{ctx}: title");
    let t: Timestamp = want.time.parse().unwrap();
    assert_eq!(e.time(), Some(t), "{ctx}: time");
    assert_eq!(e.authors, want.authors, "{ctx}: authors");
    assert_eq!(
        (e.pinned, e.key_event, e.removed),
        (want.pinned, want.key_event, want.removed),
        "{ctx}: (pinned, key_event, removed)"
    );
    if want.plain_text {
        assert!(e.text.starts_with(want.words), "{ctx}: text {:?}", e.text);
    } else {
        assert!(e.text.contains(want.words), "{ctx}: text {:?}", e.text);
    }
}

#[test]
fn fixtures_table() {
    for case in cases() {
        let Some(snap) = (case.load)() else { continue };
        assert_eq!(snap.format, case.format, "{}: format", case.name);
        assert_eq!(snap.entries.len(), case.count, "{}: entry count", case.name);
        // Newest/oldest by time; the first in document order wins a tie.
        let mut newest = &snap.entries[0];
        let mut oldest = &snap.entries[0];
        for e in &snap.entries {
            if e.time() > newest.time() {
                newest = e;
            }
            if e.time() < oldest.time() {
                oldest = e;
            }
        }
        check(case.name, "newest", newest, &case.newest);
        check(case.name, "oldest", oldest, &case.oldest);
    }
}

#[test]
fn feed_ids_without_guid_or_link_are_stable_across_parses() {
    for name in ["rss-noguid.xml", "atom.xml"] {
        let b = own(name);
        let first = syndication::parse(&b).unwrap();
        let second = syndication::parse(&b).unwrap();
        let ids = |s: &Snapshot| s.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&second), "{name}");
        let mut unique = ids(&first);
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), first.entries.len(), "{name}: ids collide");
        assert!(first.entries.iter().all(|e| !e.id.is_empty()), "{name}");
    }
}

#[test]
fn guardian_key_event_pinned_block_and_element_images() {
    let Some(snap) = load_guardian_item() else {
        return;
    };
    assert_eq!(snap.title.as_deref(), Some("example-liveblog"));
    assert_eq!(
        snap.home_url.as_deref(),
        Some("http://www.theguardian.com/news/blog/live/2015/apr/09/example-liveblog")
    );
    assert!(!snap.ended);
    let key = snap
        .entries
        .iter()
        .find(|e| e.id == "55267da9e4b091b2a1c75fe0")
        .unwrap();
    assert_eq!(key.title, "key event title");
    assert!(key.pinned && key.key_event);
    // Block with an image element (no assets) and a cartoon element (one file).
    let more = snap
        .entries
        .iter()
        .find(|e| e.id == "5530d2ede4b078ada18a45ff")
        .unwrap();
    assert_eq!(more.images.len(), 2);
    assert_eq!(more.images[0].url, None);
    assert_eq!(more.images[0].credit.as_deref(), Some("Image credit"));
    assert_eq!(
        more.images[1].url.as_deref(),
        Some(
            "https://api.media.test.dev-gutools.co.uk/images/75a4d4caaadaaf021c2dc6d4890b1524ef80b017"
        )
    );
    assert_eq!(
        more.images[1].caption.as_deref(),
        Some("The Mary Poppins Method")
    );
    assert_eq!(
        more.images[1].credit.as_deref(),
        Some("Illustration: Simone Lia/The Observer")
    );
}

#[test]
fn wordpress_update_wins_and_delete_is_kept_as_removed() {
    let snap = load_wordpress().unwrap();
    let ids: Vec<&str> = snap.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["1045", "1043", "1040", "1038"]);
    let updated = &snap.entries[1];
    assert!(
        updated.text.contains("corrected scorer"),
        "{:?}",
        updated.text
    );
    assert!(updated.source_says_updated());
    assert_eq!(
        updated.updated,
        Some("2024-07-02T19:40:00Z".parse().unwrap())
    );
    let deleted = &snap.entries[2];
    assert!(deleted.removed);
    assert_eq!(deleted.text, "");
    assert_eq!(
        snap.entries[0].url.as_deref(),
        Some("https://sport.example/2024/07/02/spain-germany-live/#1045")
    );
}

#[test]
fn reddit_stricken_update_is_removed_and_embed_thumbnail_is_an_image() {
    let snap = load_reddit().unwrap();
    let struck = &snap.entries[1];
    assert!(struck.removed);
    assert!(struck.text.contains("second quake"));
    // The escaped markup was unescaped once: no literal "&lt;" left for the converter.
    assert!(snap.entries.iter().all(|e| !e.text.contains("&lt;")));
    let oldest = &snap.entries[2];
    assert_eq!(oldest.images.len(), 1);
    assert_eq!(
        oldest.images[0].url.as_deref(),
        Some("https://video.example/thumb/abc.jpg")
    );
    assert_eq!(
        oldest.images[0].caption.as_deref(),
        Some("Shaking recorded in the city centre")
    );
}

#[test]
fn rss_feed_fields() {
    let snap = load_xml("rss-guid.xml").unwrap();
    assert_eq!(
        snap.title.as_deref(),
        Some("Election night & results: live")
    );
    assert_eq!(
        snap.home_url.as_deref(),
        Some("https://news.example/live/election")
    );
    let first = &snap.entries[0];
    assert_eq!(
        first.url.as_deref(),
        Some("https://news.example/live/election#post-3003")
    );
    assert!(
        first
            .images
            .iter()
            .any(|i| i.url.as_deref() == Some("https://news.example/img/turnout.jpg"))
    );
    // content:encoded is preferred over description.
    assert!(snap.entries[1].text.contains("More soon"));
    assert_eq!(snap.entries[1].authors, ["Ana Lima", "Ben Okafor"]);
}

#[test]
fn atom_feed_fields() {
    let snap = load_xml("atom.xml").unwrap();
    assert_eq!(snap.title.as_deref(), Some("Launch day live"));
    assert_eq!(
        snap.home_url.as_deref(),
        Some("https://space.example/launch")
    );
    let first = &snap.entries[0];
    assert!(first.source_says_updated());
    assert!(!snap.entries[1].id.is_empty());
}

#[test]
fn mapped_entry_fields() {
    let snap = load_mapped().unwrap();
    let e = &snap.entries[0];
    assert_eq!(e.updated, Some("2024-11-06T04:35:00Z".parse().unwrap()));
    assert_eq!(e.url.as_deref(), Some("https://vote.example/live#p-0042"));
    assert_eq!(
        e.images[0].url.as_deref(),
        Some("https://vote.example/img/oh.jpg")
    );
    assert_eq!(e.images[0].caption.as_deref(), Some("Supporters cheer"));
    assert_eq!(e.images[0].credit.as_deref(), Some("AP"));
    // Same content, same id, across parses.
    let again = load_mapped().unwrap();
    assert_eq!(snap.entries[1].id, again.entries[1].id);
}

#[test]
fn mapping_with_missing_entries_pointer_is_not_a_live_blog() {
    let m: mapping::Mapping = toml::from_str("entries = \"/nope\"").unwrap();
    let err = mapping::parse(&json(&own("mapped-api.json")), &m).unwrap_err();
    assert!(matches!(
        err,
        livefeed::format::FormatError::NotALiveBlog(_)
    ));
}

#[test]
fn detectors_do_not_claim_each_other() {
    let guardian = load_raw_json("guardian-capi/item-content-with-blocks.json");
    let wp = json(&own("wordpress-entries.json"));
    let rd = json(&own("reddit-live.json"));
    let mapped = json(&own("mapped-api.json"));
    for (name, v, want) in [
        ("wordpress", &wp, [false, true, false]),
        ("reddit", &rd, [false, false, true]),
        ("mapped", &mapped, [false, false, false]),
    ] {
        let got = [guardian::detect(v), wordpress::detect(v), reddit::detect(v)];
        assert_eq!(got, want, "{name}");
    }
    if let Some(g) = guardian {
        assert!(!wordpress::detect(&g) && !reddit::detect(&g));
    }
    assert!(!syndication::detect(&own("mapped-api.json")));
}

fn load_raw_json(rel: &str) -> Option<serde_json::Value> {
    shared(rel).map(|b| json(&b))
}
