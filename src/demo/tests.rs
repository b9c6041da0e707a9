//! Tests of the demo: the documents it publishes and the clock they follow.
//!
//! The tests look only at the published JSON (as a consumer would), never at the content file,
//! except to check the content file itself.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::*;

fn start() -> Timestamp {
    "2026-03-14T21:30:00Z".parse().unwrap()
}

fn demo() -> Demo {
    Demo::new(start())
}

fn doc_at(demo: &Demo, elapsed: Duration) -> Value {
    serde_json::from_str(&demo.document(elapsed)).unwrap()
}

fn items(doc: &Value) -> &Vec<Value> {
    doc["items"].as_array().unwrap()
}

fn ids(doc: &Value) -> Vec<String> {
    items(doc)
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

fn by_id(doc: &Value) -> HashMap<String, Value> {
    items(doc)
        .iter()
        .map(|item| (item["id"].as_str().unwrap().to_string(), item.clone()))
        .collect()
}

fn time(value: &Value) -> Timestamp {
    value.as_str().unwrap().parse().unwrap()
}

/// Long enough to be past every change.
fn end() -> Duration {
    demo().next_change_last() + Duration::from_secs(10)
}

impl Demo {
    /// The last instant at which the document changes.
    fn next_change_last(&self) -> Duration {
        let mut at = Duration::ZERO;
        while let Some(next) = self.next_change(at) {
            at = next;
        }
        at
    }
}

/// The document at time zero and right after each change, in order.
fn all_docs() -> Vec<(Duration, Value)> {
    let demo = demo();
    let mut docs = vec![(Duration::ZERO, doc_at(&demo, Duration::ZERO))];
    let mut at = Duration::ZERO;
    while let Some(next) = demo.next_change(at) {
        docs.push((next, doc_at(&demo, next)));
        at = next;
    }
    docs
}

#[test]
fn embedded_blog_parses() {
    let blog: Blog = toml::from_str(BLOG_TOML).unwrap();
    assert!(!blog.entry.is_empty());
    // Every scheduled change happens after its entry is out, so each one shows.
    for (index, entry) in blog.entry.iter().enumerate() {
        let release = release(index);
        for at in [
            entry.pin_at,
            entry.edit.as_ref().map(|e| e.at),
            entry.withdraw.as_ref().map(|w| w.at),
        ]
        .into_iter()
        .flatten()
        {
            assert!(secs(at) > release, "{}: change at {at}s", entry.id);
        }
    }
}

#[test]
fn start_document_has_eight_items() {
    let doc = doc_at(&demo(), Duration::ZERO);
    assert_eq!(doc["version"], "https://jsonfeed.org/version/1.1");
    assert!(!doc["title"].as_str().unwrap().is_empty());
    assert!(
        doc["home_page_url"]
            .as_str()
            .unwrap()
            .starts_with("https://example.org/")
    );
    assert_eq!(items(&doc).len(), 8);
    assert_eq!(doc["_livefeed"]["ended"], false);
}

#[test]
fn entries_before_the_start_lead_up_to_it() {
    let doc = doc_at(&demo(), Duration::ZERO);
    let times: Vec<Timestamp> = items(&doc)
        .iter()
        .map(|item| time(&item["date_published"]))
        .collect();
    let newest = times[0];
    let oldest = times[times.len() - 1];
    assert!(newest < start());
    assert!(start().duration_since(newest) <= jiff::SignedDuration::from_mins(2));
    assert!(start().duration_since(oldest) >= jiff::SignedDuration::from_mins(15));
}

#[test]
fn later_document_has_more_items() {
    let demo = demo();
    let first = items(&doc_at(&demo, Duration::ZERO)).len();
    let later = items(&doc_at(&demo, Duration::from_secs(20))).len();
    assert!(later > first, "{later} items at 20 s");
}

#[test]
fn released_entries_are_published_at_their_release() {
    let demo = demo();
    let mut at = Duration::ZERO;
    while let Some(next) = demo.next_change(at) {
        let before: BTreeSet<String> = ids(&doc_at(&demo, at)).into_iter().collect();
        for item in items(&doc_at(&demo, next)) {
            if !before.contains(item["id"].as_str().unwrap()) {
                let expected = start().saturating_add(next).unwrap();
                assert_eq!(time(&item["date_published"]), expected);
            }
        }
        at = next;
    }
}

#[test]
fn every_item_has_the_required_fields() {
    for (at, doc) in all_docs() {
        for item in items(&doc) {
            let id = item["id"].as_str().unwrap();
            assert!(!id.is_empty());
            assert!(
                !item["title"].as_str().unwrap().is_empty(),
                "{id} at {at:?}"
            );
            assert!(item["content_html"].as_str().unwrap().starts_with("<p>"));
            time(&item["date_published"]);
            let authors = item["authors"].as_array().unwrap();
            assert!(!authors.is_empty(), "{id}");
            assert!(authors.iter().all(|a| a["name"].is_string()));
            let url = item["url"].as_str().unwrap();
            assert!(url.starts_with("https://example.org/live/"));
            assert!(url.ends_with(&format!("#entry-{id}")));
            for flag in ["pinned", "key_event", "removed"] {
                assert!(item["_livefeed"][flag].is_boolean(), "{id}: {flag}");
            }
        }
    }
}

#[test]
fn ids_never_change_between_documents() {
    let docs = all_docs();
    for pair in docs.windows(2) {
        let (old, new) = (ids(&pair[0].1), ids(&pair[1].1));
        // Items are only added, at the top: the old list is the tail of the new one.
        assert!(new.len() >= old.len());
        assert_eq!(new[new.len() - old.len()..], old[..], "at {:?}", pair[1].0);
    }
    let last = ids(&docs[docs.len() - 1].1);
    let unique: BTreeSet<&String> = last.iter().collect();
    assert_eq!(unique.len(), last.len(), "ids are unique");
}

#[test]
fn items_are_newest_first() {
    for (at, doc) in all_docs() {
        let times: Vec<Timestamp> = items(&doc)
            .iter()
            .map(|item| time(&item["date_published"]))
            .collect();
        assert!(times.windows(2).all(|w| w[0] > w[1]), "at {at:?}");
    }
}

#[test]
fn edit_pin_and_withdrawal_happen_in_the_first_two_minutes() {
    let (mut edited, mut pinned, mut withdrawn) = (false, false, false);
    let docs = all_docs();
    for pair in docs.windows(2) {
        let (at, new) = (pair[1].0, by_id(&pair[1].1));
        if at > Duration::from_secs(120) {
            break;
        }
        for (id, old) in by_id(&pair[0].1) {
            let new = &new[&id];
            let modified = new["date_modified"].as_str().map(|s| s.parse().unwrap());
            let now = start().saturating_add(at).unwrap();
            if old["content_html"] != new["content_html"] {
                let old_text = old["content_html"].as_str().unwrap();
                let new_text = new["content_html"].as_str().unwrap();
                assert!(
                    new_text.len() > old_text.len() + 100,
                    "{id}: a noticeable edit"
                );
                assert_eq!(modified, Some(now), "{id}: date_modified of the edit");
                edited = true;
            }
            if old["_livefeed"]["pinned"] == false && new["_livefeed"]["pinned"] == true {
                assert_eq!(new["_livefeed"]["key_event"], true);
                pinned = true;
            }
            if old["_livefeed"]["removed"] == false && new["_livefeed"]["removed"] == true {
                assert_eq!(old["content_html"], new["content_html"], "text kept");
                assert_eq!(modified, Some(now), "{id}: date_modified of the withdrawal");
                withdrawn = true;
            }
        }
    }
    assert!(edited, "no edit before 120 s");
    assert!(pinned, "no pin before 120 s");
    assert!(withdrawn, "no withdrawal before 120 s");
}

#[test]
fn next_change_matches_document_changes() {
    let demo = demo();
    // A step that is not a divisor of the entry rhythm, so changes fall at varied phases.
    let step = Duration::from_millis(750);
    let end = end();
    let mut at = Duration::ZERO;
    let mut previous = demo.document(at);
    while at < end {
        let next = at + step;
        let document = demo.document(next);
        let expected_change = demo.next_change(at).is_some_and(|change| change <= next);
        assert_eq!(
            document != previous,
            expected_change,
            "between {at:?} and {next:?}"
        );
        (at, previous) = (next, document);
    }
    // At each reported instant, and not a nanosecond before.
    let mut at = Duration::ZERO;
    let mut current = demo.document(at);
    while let Some(next) = demo.next_change(at) {
        assert!(next > at);
        let just_before = next - Duration::from_nanos(1);
        assert_eq!(demo.document(just_before), current, "before {next:?}");
        assert_eq!(demo.next_change(just_before), Some(next));
        let changed = demo.document(next);
        assert_ne!(changed, current, "at {next:?}");
        (at, current) = (next, changed);
    }
    assert_eq!(demo.document(at + Duration::from_secs(3600)), current);
}

#[test]
fn the_blog_ends() {
    let demo = demo();
    let last = demo.next_change_last();
    assert!(
        last < Duration::from_secs(240),
        "the demo is short: {last:?}"
    );
    assert_eq!(demo.next_change(last), None);
    let before = doc_at(&demo, last - Duration::from_nanos(1));
    assert_eq!(before["_livefeed"]["ended"], false);
    let after = doc_at(&demo, last);
    assert_eq!(after["_livefeed"]["ended"], true);
    assert_eq!(items(&after).len(), items(&before).len());
}

#[test]
fn enough_entries_images_and_authors() {
    let docs = all_docs();
    let doc = &docs[docs.len() - 1].1;
    assert!(items(doc).len() >= 44);
    let mut with_images = 0;
    let mut authors = BTreeSet::new();
    let mut shared = 0;
    for item in items(doc) {
        let names = item["authors"].as_array().unwrap();
        authors.extend(names.iter().map(|a| a["name"].as_str().unwrap()));
        shared += usize::from(names.len() == 2);
        let Some(images) = item["_livefeed"]["images"].as_array() else {
            assert!(item.get("image").is_none());
            continue;
        };
        let first = &images[0];
        assert_eq!(item["image"], first["url"]);
        for image in images {
            assert!(
                image["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://example.org/img/")
            );
            assert!(!image["caption"].as_str().unwrap().is_empty());
            assert!(
                image["credit"].as_str().unwrap().starts_with("Photo: ")
                    || image["credit"].as_str().unwrap().starts_with("Image: ")
            );
        }
        with_images += 1;
    }
    assert!(with_images >= 8, "{with_images} entries with images");
    assert!((4..=6).contains(&authors.len()), "{authors:?}");
    assert!(shared >= 3, "{shared} entries with two authors");
}

#[test]
fn links_point_only_to_example_domains() {
    let docs = all_docs();
    let doc = &docs[docs.len() - 1].1;
    let text = doc.to_string();
    let mut links = 0;
    for part in text.split("href=\\\"").skip(1) {
        links += 1;
        assert!(
            part.starts_with("https://example.org/") || part.starts_with("https://example.com/"),
            "{}",
            &part[..40.min(part.len())]
        );
    }
    assert!(links >= 10);
    let html: String = items(doc)
        .iter()
        .map(|item| item["content_html"].as_str().unwrap())
        .collect();
    assert!(html.contains("<ul>") && html.contains("<blockquote>"));
}

#[test]
fn output_is_deterministic() {
    let (one, two) = (demo(), demo());
    for secs in [0, 1, 30, 45, 62, 100, 1000] {
        let at = Duration::from_secs(secs);
        assert_eq!(one.document(at), two.document(at));
        assert_eq!(one.document(at), one.document(at));
    }
    let other = Demo::new("2030-01-01T08:00:00.5Z".parse().unwrap());
    assert_ne!(other.document(Duration::ZERO), one.document(Duration::ZERO));
    assert_eq!(
        other.next_change(Duration::ZERO),
        one.next_change(Duration::ZERO)
    );
}

#[test]
fn demo_source_is_a_pseudo_url() {
    assert_eq!(DEMO_SOURCE, "demo:");
}
