//! Every fixture through `format::parse`: format or refusal, entry count, and the newest and
//! oldest entry (headline, UTC time, authors, first words). Expected values were read from
//! the raw files, not from this parser's output. Plus identity stability and hostile text.

use jiff::Timestamp;
use livefeed::entry::{Entry, Snapshot};
use livefeed::format::{self, FormatError};
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");
const OWN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/formats");

struct Ent {
    title: &'static str,
    time: Option<&'static str>,
    authors: &'static [&'static str],
    words: &'static str,
}

enum Expect {
    Blog {
        format: &'static str,
        count: usize,
        newest: Ent,
        oldest: Ent,
    },
    /// NotALiveBlog whose message contains this.
    NotBlog(&'static str),
    FeedLink(&'static str),
}

use Expect::*;

const fn ent(
    title: &'static str,
    time: Option<&'static str>,
    authors: &'static [&'static str],
    words: &'static str,
) -> Ent {
    Ent {
        title,
        time,
        authors,
        words,
    }
}

fn cases() -> Vec<(&'static str, Expect)> {
    vec![
        (
            "jsonfeed/example.json",
            Blog {
                format: "json-feed",
                count: 2,
                newest: ent("post 2", None, &["me"], "This is a second"),
                oldest: ent("", None, &["you"], "Hello, world!"),
            },
        ),
        ("jsonfeed/items-id-int.json", NotBlog("JSON Feed")),
        (
            "jsonfeed/jsonfeed_elastic_1.1.json",
            Blog {
                format: "json-feed",
                count: 3,
                newest: ent(
                    "InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark",
                    Some("2019-05-31T19:17:58Z"),
                    &["Chris Churilo", "Fake Author 1", "Fake Author 2"],
                    "This blog post has",
                ),
                oldest: ent("Fake item", None, &["Fake Author 3", "Fake Author 4"], ""),
            },
        ),
        (
            "jsonfeed/jsonfeed_example_1.json",
            Blog {
                format: "json-feed",
                count: 2,
                newest: ent(
                    "How Jeff Bezos’s iPhone X Was Hacked",
                    Some("2020-01-24T23:46:57Z"),
                    &["John Gruber"],
                    "Good summary from The",
                ),
                oldest: ent(
                    "Instagram for Windows 95",
                    Some("2020-01-21T01:07:00Z"),
                    &["John Gruber"],
                    "Delightful work by Petrick",
                ),
            },
        ),
        (
            "jsonfeed/jsonfeed_spec_1.json",
            Blog {
                format: "json-feed",
                count: 1,
                newest: ent(
                    "Announcing JSON Feed",
                    Some("2017-05-17T15:02:12Z"),
                    &["Brent Simmons and Manton Reece"],
                    "We — Manton Reece",
                ),
                oldest: ent(
                    "Announcing JSON Feed",
                    Some("2017-05-17T15:02:12Z"),
                    &["Brent Simmons and Manton Reece"],
                    "We — Manton Reece",
                ),
            },
        ),
        (
            "jsonfeed/version_json_10.json",
            Blog {
                format: "json-feed",
                count: 1,
                newest: ent(
                    "title",
                    Some("2019-10-12T07:20:50.52Z"),
                    &["author_name"],
                    "content_html",
                ),
                oldest: ent(
                    "title",
                    Some("2019-10-12T07:20:50.52Z"),
                    &["author_name"],
                    "content_html",
                ),
            },
        ),
        (
            "jsonfeed/version_json_11.json",
            Blog {
                format: "json-feed",
                count: 1,
                newest: ent(
                    "title",
                    Some("2019-10-12T07:20:50.52Z"),
                    &["author_name"],
                    "content_html",
                ),
                oldest: ent(
                    "title",
                    Some("2019-10-12T07:20:50.52Z"),
                    &["author_name"],
                    "content_html",
                ),
            },
        ),
        (
            "jsonld-html/JSONLD_with_JS_comment.html",
            NotBlog("found a JSON-LD NewsArticle"),
        ),
        (
            "jsonld-html/JSONLD_with_control_characters.html",
            NotBlog("LiveBlogPosting"),
        ),
        (
            "jsonld-html/null_ld_mock.html",
            NotBlog("found a JSON-LD LocalBusiness"),
        ),
        (
            "liveblog-html/1727473717.html",
            Blog {
                format: "json-ld",
                count: 8,
                newest: ent(
                    "19:02(IST) TOSS: Sunrisers Hyderabad win toss, opt to bat against Chennai Super Kings in Dubai",
                    Some("2020-10-02T13:32:32Z"),
                    &["Times Of India"],
                    "TOSS: Sunrisers Hyderabad win",
                ),
                oldest: ent(
                    "18:16(IST) Ambati Rayudu's much-awaited comeback will be a shot in the arm for an under-pressure Chennai Su",
                    Some("2020-10-02T12:46:25Z"),
                    &["Times Of India"],
                    "Ambati Rayudu's much-awaited comeback",
                ),
            },
        ),
        (
            "liveblog-html/Express_2024_07_18.html.gz",
            Blog {
                format: "json-ld",
                count: 9,
                newest: ent(
                    "The only person Prince Harry and Meghan Markle trust to look after Archie and Lilibet",
                    Some("2024-07-18T10:48:00Z"),
                    &["Jon King"],
                    "Meghan Markle's mum, Doria",
                ),
                oldest: ent(
                    "Meghan Markle shows true colours with tragic blog post about dad Thomas Markle",
                    Some("2024-07-18T06:06:00Z"),
                    &["Jon King"],
                    "Meghan Markle's now-defunct blog",
                ),
            },
        ),
        (
            "liveblog-html/Repubblica.it-Israele-Hamas.html",
            Blog {
                format: "json-ld",
                count: 79,
                newest: ent(
                    "Oms: “A Gaza fermi 14 ospedali su 36, gli altri in sovraccarico”",
                    Some("2023-11-02T15:56:32Z"),
                    &[],
                    r#"E' "profondamente preoccupante" che"#,
                ),
                oldest: ent(
                    "Israele: “Colpite due cellule terroristiche in Libano”",
                    Some("2023-11-01T23:30:20Z"),
                    &[],
                    "L'esercito israeliano ha riferito",
                ),
            },
        ),
        ("liveblog-html/TheGuardian_2023_05_15.html.gz", {
            const T: &str = "Russia-Ukraine war live: Sunak tells Zelenskiy UK will train pilots but supplying fighter jets to Kyiv is not ‘straightforward’";
            const A: &[&str] = &[
                "Martin Belam",
                "Jordyn Beazley",
                "Mabel Banfield-Nwachi",
                "Jennifer Rankin",
                "Philip Oltermann",
            ];
            Blog {
                format: "json-ld",
                count: 10,
                newest: ent(
                    T,
                    Some("2023-05-15T11:50:54Z"),
                    A,
                    "Jennifer Rankin reports from",
                ),
                oldest: ent(
                    T,
                    Some("2023-05-15T11:50:54Z"),
                    A,
                    "Volodymyr Zelenskiy has said",
                ),
            }
        }),
        (
            "liveblog-html/TheIndependent_2023_08_14.html.gz",
            Blog {
                format: "json-ld",
                count: 10,
                newest: ent(
                    "Women’s World Cup",
                    Some("2023-08-14T04:38:21Z"),
                    &["Jamie Braidwood"],
                    "England held a training",
                ),
                oldest: ent(
                    "Women’s World Cup",
                    Some("2023-08-14T04:15:52Z"),
                    &["Jamie Braidwood"],
                    "England are preparing to",
                ),
            },
        ),
        ("liveblog-html/TheMirror_2024_08_05.html.gz", {
            const A: &[&str] = &["Lucy Thornton", "Tim Hanlon", "Phoebe Tonks", "Joseph Gamp"];
            Blog {
                format: "json-ld",
                count: 428,
                newest: ent(
                    "Loud bang heard at Plymouth scene",
                    Some("2024-08-05T20:00:18Z"),
                    A,
                    "Local reporters have said",
                ),
                oldest: ent(
                    "UK police braced for 'at least 15' protests over the weekend",
                    Some("2024-08-02T17:42:00Z"),
                    A,
                    "Police across the UK",
                ),
            }
        }),
        (
            "liveblog-html/corkbeo.ie.level.html",
            Blog {
                format: "json-ld",
                count: 26,
                newest: ent(
                    "Goodnight",
                    Some("2020-10-06T20:22:53Z"),
                    &["Gavin O'Callaghan"],
                    "We are logging off",
                ),
                oldest: ent(
                    "'Circuit breaker' plan - NPHET vs Government",
                    Some("2020-10-06T07:44:43Z"),
                    &["Gavin O'Callaghan"],
                    "Last night Tanaiste Leo",
                ),
            },
        ),
        (
            "liveblog-html/sportowefakty.wp.pl.falubaz.html",
            NotBlog("microdata LiveBlogPosting without liveBlogUpdate"),
        ),
        (
            "liveblog-html/sports.ndtv.com-Cricket-World-Cup.html",
            Blog {
                format: "microdata",
                count: 40,
                newest: ent(
                    "India vs Sri Lanka: It's a wrap!",
                    Some("2023-11-02T15:36:52Z"),
                    &["NDTV Sports"],
                    "Okay, folks! That's it",
                ),
                oldest: ent(
                    "IND vs SL Live Score: Expensive over!",
                    Some("2023-11-02T10:30:24Z"),
                    &["NDTV Sports"],
                    "Maheesh Theekshana has bowled",
                ),
            },
        ),
        (
            "own/jsonld-graph.json",
            Blog {
                format: "json-ld",
                count: 2,
                newest: ent(
                    "Second update",
                    Some("2025-03-01T11:30:00Z"),
                    &["Ana Lima", "Ben Ode", "Example News"],
                    "First paragraph with a source [1].",
                ),
                oldest: ent(
                    "First update",
                    Some("2025-03-01T10:00:00Z"),
                    &["Example News"],
                    "Plain body.",
                ),
            },
        ),
        (
            "own/jsonld-single.html",
            Blog {
                format: "json-ld",
                count: 1,
                newest: ent(
                    "Goal! & celebrations",
                    Some("2025-04-05T09:34:05Z"),
                    &["Kim & Lee"],
                    "What a strike",
                ),
                oldest: ent(
                    "Goal! & celebrations",
                    Some("2025-04-05T09:34:05Z"),
                    &["Kim & Lee"],
                    "What a strike",
                ),
            },
        ),
        ("own/feed-link.html", FeedLink("/live/feed.json")),
        (
            "own/bom-feed.json",
            Blog {
                format: "json-feed",
                count: 3,
                newest: ent(
                    "Polls closed",
                    Some("2025-05-01T21:00:00Z"),
                    &["Desk", "Reporter"],
                    "Counting has begun.",
                ),
                oldest: ent("Opening", Some("2025-05-01T18:00:00Z"), &[], "We are live."),
            },
        ),
        (
            "own/hostile.json",
            Blog {
                format: "json-feed",
                count: 1,
                newest: ent(
                    "Red alert here cyan",
                    Some("2025-01-01T00:00:00Z"),
                    &["Malory"],
                    "Text colour and",
                ),
                oldest: ent(
                    "Red alert here cyan",
                    Some("2025-01-01T00:00:00Z"),
                    &["Malory"],
                    "Text colour and",
                ),
            },
        ),
        (
            "own/hostile-ld.html",
            Blog {
                format: "json-ld",
                count: 1,
                newest: ent(
                    "Alert blink gone",
                    Some("2025-02-02T02:02:02Z"),
                    &["Eve Spoof"],
                    "Body cyan end",
                ),
                oldest: ent(
                    "Alert blink gone",
                    Some("2025-02-02T02:02:02Z"),
                    &["Eve Spoof"],
                    "Body cyan end",
                ),
            },
        ),
        (
            "own/microdata.html",
            Blog {
                format: "microdata",
                count: 2,
                newest: ent(
                    "Full time",
                    Some("2025-06-01T19:00:00Z"),
                    &["Sam Writer"],
                    "It ends 2-1.",
                ),
                oldest: ent(
                    "Kick-off",
                    Some("2025-06-01T17:00:00Z"),
                    &["Alex Reporter"],
                    "We are under way.",
                ),
            },
        ),
    ]
}

fn shared_available() -> bool {
    if Path::new(SHARED).is_dir() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "shared fixtures missing at {SHARED}"
    );
    println!("notice: {SHARED} is missing; skipping the shared fixtures");
    false
}

fn path_of(name: &str) -> PathBuf {
    match name.strip_prefix("own/") {
        Some(own) => Path::new(OWN).join(own),
        None => Path::new(SHARED).join(name),
    }
}

fn read(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

/// Entries ordered oldest first; equal times keep the later-in-document one older (pages
/// list newest first).
fn by_time(s: &Snapshot) -> Vec<&Entry> {
    let mut idx: Vec<usize> = (0..s.entries.len()).collect();
    idx.sort_by_key(|&i| (s.entries[i].time(), std::cmp::Reverse(i)));
    idx.into_iter().map(|i| &s.entries[i]).collect()
}

fn words(text: &str, n: usize) -> String {
    text.split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_entry(name: &str, which: &str, e: &Entry, want: &Ent) {
    let ctx = format!("{name} {which}");
    assert_eq!(e.title, want.title, "{ctx}: title");
    let want_time = want
        .time
        .map(|t| t.parse::<Timestamp>().unwrap().as_second());
    assert_eq!(e.time().map(|t| t.as_second()), want_time, "{ctx}: time");
    assert_eq!(e.authors, want.authors, "{ctx}: authors");
    let n = want.words.split_whitespace().count();
    assert_eq!(words(&e.text, n), want.words, "{ctx}: first words");
}

/// All fixture files, as names used in the table.
fn all_files(shared: bool) -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |dir: &Path, prefix: &str| {
        for e in std::fs::read_dir(dir).unwrap() {
            let file = e.unwrap().file_name().into_string().unwrap();
            names.push(format!("{prefix}{file}"));
        }
    };
    if shared {
        for dir in ["jsonfeed", "jsonld-html", "liveblog-html"] {
            add(&Path::new(SHARED).join(dir), &format!("{dir}/"));
        }
    }
    add(Path::new(OWN), "own/");
    names.sort();
    names
}

#[test]
fn every_fixture_parses_as_expected() {
    let shared = shared_available();
    let cases = cases();
    for name in all_files(shared) {
        let (_, expect) = cases
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("fixture {name} has no row in the table"));
        let result = format::parse(&read(&path_of(&name)));
        match (expect, result) {
            (
                Blog {
                    format,
                    count,
                    newest,
                    oldest,
                },
                Ok(s),
            ) => {
                assert_eq!(s.format, *format, "{name}: format");
                assert_eq!(s.entries.len(), *count, "{name}: count");
                let ordered = by_time(&s);
                check_entry(&name, "newest", ordered[ordered.len() - 1], newest);
                check_entry(&name, "oldest", ordered[0], oldest);
            }
            (NotBlog(part), Err(FormatError::NotALiveBlog(msg))) => {
                assert!(msg.contains(part), "{name}: message {msg:?} lacks {part:?}");
                assert!(
                    msg.contains("LiveBlogPosting"),
                    "{name}: says what it looked for"
                );
            }
            (FeedLink(want), Err(FormatError::FeedLink(href))) => assert_eq!(href, *want),
            (_, other) => panic!("{name}: unexpected {other:?}"),
        }
    }
}

fn parse_own(name: &str) -> Snapshot {
    format::parse(&read(&Path::new(OWN).join(name))).unwrap()
}

#[test]
fn graph_document_reads_every_shape() {
    let s = parse_own("jsonld-graph.json");
    assert_eq!(s.title.as_deref(), Some("Graph & list blog"));
    assert_eq!(s.home_url.as_deref(), Some("https://example.org/live"));
    assert_eq!(
        s.coverage_end,
        Some("2025-03-01T18:00:00Z".parse().unwrap())
    );
    let e = &s.entries[0];
    assert_eq!(e.id, "https://example.org/live#u2");
    assert_eq!(
        e.text,
        "First paragraph with a source [1].\n\nSecond paragraph."
    );
    assert_eq!(e.links, ["https://example.org/src"]);
    let imgs: Vec<_> = e
        .images
        .iter()
        .map(|i| {
            (
                i.url.as_deref().unwrap(),
                i.caption.as_deref(),
                i.credit.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        imgs,
        [
            ("https://example.org/a.jpg", None, None),
            (
                "https://example.org/b.jpg",
                Some("Harbour at dawn"),
                Some("C. Photog")
            ),
            ("https://example.org/c.jpg", Some("Crowd"), Some("Agency")),
            ("https://example.org/d.jpg", None, Some("D. Shooter")),
        ]
    );
    assert_eq!(s.entries[1].text, "Plain body.\n\nWith two paragraphs.");
    assert_eq!(s.entries[1].images.len(), 1);
}

#[test]
fn single_update_page_decodes_encoded_html() {
    let s = parse_own("jsonld-single.html");
    assert_eq!(s.title.as_deref(), Some("Match day 'live'"));
    let e = &s.entries[0];
    assert_eq!(e.text, "What a strike from the captain [1].\n\n1-0.");
    assert_eq!(e.links, ["https://example.org/player"]);
    assert_eq!(e.published.unwrap().to_string(), "2025-04-05T09:34:05.25Z");
    assert!(e.id.starts_with("key:"), "no id or url: a content key");
}

#[test]
fn json_feed_extension_and_bom() {
    let s = parse_own("bom-feed.json");
    assert_eq!(s.title.as_deref(), Some("Election night"));
    assert!(s.ended);
    assert_eq!(
        s.coverage_end,
        Some("2025-05-02T06:00:00Z".parse().unwrap())
    );
    let [polls, correction, opening] = &s.entries[..] else {
        panic!("three entries")
    };
    assert_eq!(polls.id, "1002");
    assert!(polls.pinned && polls.key_event && !polls.removed);
    assert_eq!(
        polls.text,
        "Counting has begun.\n\nFirst results expected at midnight."
    );
    assert_eq!(polls.images[0].caption.as_deref(), Some("Ballot boxes"));
    assert_eq!(polls.images[0].credit.as_deref(), Some("Pool"));
    assert!(correction.removed && !correction.pinned);
    assert!(correction.id.starts_with("key:"));
    assert_eq!(
        correction.published.unwrap().to_string(),
        "2025-05-01T20:00:00.125Z"
    );
    assert_eq!(correction.images.len(), 1, "only image attachments");
    assert_eq!(correction.images[0].caption.as_deref(), Some("Turnout"));
    assert_eq!(opening.id, "https://example.org/election#opening");
    assert_eq!(opening.text, "We are live.");
}

fn forbidden(s: &str) -> bool {
    s.chars().any(livefeed::text::is_forbidden)
}

fn all_strings(s: &Snapshot) -> Vec<String> {
    let mut out: Vec<String> = s.title.iter().cloned().collect();
    for e in &s.entries {
        out.extend([e.id.clone(), e.title.clone(), e.text.clone()]);
        out.extend(e.authors.iter().cloned());
        out.extend(e.links.iter().cloned());
        out.extend(e.url.iter().cloned());
        for i in &e.images {
            out.extend(
                [&i.url, &i.caption, &i.credit]
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
    }
    out
}

#[test]
fn hostile_text_is_neutralized() {
    let s = parse_own("hostile.json");
    assert_eq!(s.title.as_deref(), Some("Evil feed"));
    let e = &s.entries[0];
    assert_eq!(e.id, "x1");
    // `&#x9b;`/`&#x9d;` are mapped to Windows-1252 characters by the HTML parser (as the
    // HTML standard says), so they arrive as harmless `›`/U+009D-free text.
    assert!(e.text.starts_with("Text colour and "), "{:?}", e.text);
    assert!(e.text.contains("osc evil iso zwsp"), "{:?}", e.text);
    assert!(e.text.ends_with("bell del c1"), "{:?}", e.text);
    for text in all_strings(&s) {
        assert!(!forbidden(&text), "{text:?}");
        assert!(
            !text.contains("[0;36m") && !text.contains("[31m") && !text.contains("[0m"),
            "{text:?}"
        );
    }
}

#[test]
fn hostile_json_ld_is_neutralized() {
    let s = parse_own("hostile-ld.html");
    assert_eq!(s.title.as_deref(), Some("Live now"));
    assert_eq!(s.entries[0].text, "Body cyan end");
    for text in all_strings(&s) {
        assert!(!forbidden(&text), "{text:?}");
        assert!(
            !text.contains("[0;36m") && !text.contains("[5m") && !text.contains("[2J"),
            "{text:?}"
        );
    }
}

#[test]
fn real_pages_yield_clean_text() {
    if !shared_available() {
        return;
    }
    for name in all_files(true).iter().filter(|n| !n.starts_with("own/")) {
        let Ok(s) = format::parse(&read(&path_of(name))) else {
            continue;
        };
        for text in all_strings(&s) {
            assert!(!forbidden(&text), "{name}: {text:?}");
            assert!(
                !text.contains("&amp;") && !text.contains("&#39;") && !text.contains("<p>"),
                "{name}: {text:?}"
            );
        }
        for e in &s.entries {
            assert!(!e.text.contains("\n\n\n"), "{name}: at most one blank line");
            assert_eq!(e.text.trim(), e.text, "{name}: trimmed");
        }
    }
}

fn ids(s: &Snapshot) -> Vec<String> {
    s.entries.iter().map(|e| e.id.clone()).collect()
}

/// The LiveBlogPosting object with updates in a page's JSON-LD.
fn blog_json(page: &str) -> Value {
    let doc = scraper::Html::parse_document(page);
    let mut stack: Vec<Value> = format::html::ld_blocks(&doc)
        .iter()
        .filter_map(|b| format::lenient::parse(b))
        .collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(mut o) => {
                let is_blog = o
                    .get("@type")
                    .is_some_and(|t| t.to_string().contains("LiveBlogPosting"));
                if is_blog && o.get("liveBlogUpdate").is_some() {
                    return Value::Object(o);
                }
                if let Some(g) = o.remove("@graph") {
                    stack.push(g);
                }
            }
            _ => {}
        }
    }
    panic!("no LiveBlogPosting")
}

/// Prepend an update the way the site would: `#postN` fragments counted from the top move
/// down by one, other sites give the new update its own id.
fn prepend_update(blog: &mut Value) {
    let updates = blog["liveBlogUpdate"].as_array_mut().unwrap();
    let first_url = updates[0]["url"].as_str().map(str::to_string);
    let mut new = json!({
        "@type": "BlogPosting",
        "headline": "Fresh news",
        "articleBody": "Something new happened.",
        "datePublished": "2030-01-01T00:00:00Z",
    });
    if let Some(url) = first_url {
        let (page, frag) = url.split_once('#').unwrap_or((&url, ""));
        if frag.starts_with("post") {
            for u in updates.iter_mut() {
                let old = u["url"].as_str().unwrap().to_string();
                let n: u64 = old.rsplit("#post").next().unwrap().parse().unwrap();
                u["url"] = json!(format!("{page}#post{}", n + 1));
            }
            new["url"] = json!(format!("{page}#post1"));
        } else {
            new["url"] = json!(format!("{page}#fresh-1"));
        }
    }
    if updates[0].get("@id").is_some() {
        new["@id"] = json!("fresh-id");
    }
    updates.insert(0, new);
}

#[test]
fn ids_are_stable_across_reads_and_new_updates() {
    if !shared_available() {
        return;
    }
    for name in all_files(true) {
        if !name.starts_with("liveblog-html/") {
            continue;
        }
        let bytes = read(&path_of(&name));
        let Ok(first) = format::parse(&bytes) else {
            continue;
        };
        let again = format::parse(&bytes).unwrap();
        assert_eq!(
            ids(&first),
            ids(&again),
            "{name}: same ids on a second read"
        );
        assert!(
            ids(&first).iter().all(|id| !id.is_empty()),
            "{name}: every entry has an id"
        );
        let grown = if first.format == "json-ld" {
            let mut blog = blog_json(&String::from_utf8_lossy(&bytes));
            prepend_update(&mut blog);
            format::parse(&serde_json::to_vec(&blog).unwrap()).unwrap()
        } else {
            let page = String::from_utf8_lossy(&bytes);
            let at = page.find(r#"<li class="liv-blg_li"#).unwrap();
            let new = r#"<li><div itemprop="liveBlogUpdate" itemscope itemtype="https://schema.org/BlogPosting"><meta itemprop="url" content="https://sports.ndtv.com/x#81"><meta itemprop="datePublished" content="2030-01-01T00:00:00Z"><meta itemprop="headline" content="Fresh"></div></li>"#;
            format::parse(format!("{}{new}{}", &page[..at], &page[at..]).as_bytes()).unwrap()
        };
        assert_eq!(grown.entries.len(), first.entries.len() + 1, "{name}");
        assert_eq!(
            ids(&grown)[1..],
            ids(&first)[..],
            "{name}: old ids survive a new update"
        );
    }
}

#[test]
fn json_ld_document_parses_without_html() {
    let doc = json!([null, {"@type": "LiveBlogPosting", "headline": "Doc", "liveBlogUpdate": {
        "headline": "Only", "datePublished": "2025-01-01T00:00:00+0000", "articleBody": "Body"}}]);
    let s = format::parse(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!((s.format, s.entries.len()), ("json-ld", 1));
    assert_eq!(
        s.entries[0].published,
        Some("2025-01-01T00:00:00Z".parse().unwrap())
    );
}

#[test]
fn broken_and_empty_documents_are_invalid() {
    assert!(matches!(
        format::parse(b"{\"version\": \"1.1\", \"items\": ["),
        Err(FormatError::Invalid(_))
    ));
    assert!(matches!(
        format::parse(b"   "),
        Err(FormatError::Invalid(_))
    ));
    assert!(matches!(
        format::parse(b"hello"),
        Err(FormatError::Invalid(_))
    ));
}

#[test]
fn json_feed_items_inherit_feed_authors() {
    let feed = br#"{"version": "https://jsonfeed.org/version/1.1", "authors": [{"name": "Feed Desk"}],
        "items": [{"id": "a", "content_text": "x"}, {"id": "b", "content_text": "y", "authors": [{"name": "Own"}]}]}"#;
    let s = format::parse(feed).unwrap();
    assert_eq!(s.entries[0].authors, ["Feed Desk"]);
    assert_eq!(s.entries[1].authors, ["Own"]);
}

/// Every fixture read while it arrives, in chunks of any size, gives what reading it whole
/// gives (JSON Feeds are read item by item; everything else is gathered first).
#[test]
fn every_fixture_reads_the_same_while_arriving() {
    for name in all_files(shared_available()) {
        let bytes = read(&path_of(&name));
        let whole = format::parse(&bytes);
        let mut sizes = vec![13, 4096, 300_000];
        if bytes.len() < 200_000 {
            sizes.push(1);
        }
        for size in sizes {
            let mut reader = format::Reader::new(None, 0);
            let pushed = bytes.chunks(size).try_for_each(|c| reader.push(c));
            let arriving = pushed.and_then(|()| reader.finish(None));
            assert_eq!(arriving, whole, "{name} in chunks of {size}");
        }
    }
}
