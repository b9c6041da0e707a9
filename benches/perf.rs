//! Speed of the hot paths on big synthetic live blogs: parsing (against a bare serde_json
//! parse of the same bytes as the floor), merging into the store, one filter keystroke,
//! drawing one frame, and HTML to text.
//!
//! Run with `cargo bench --bench perf`; pick a group with e.g. `cargo bench --bench perf -- parse`.
//! The documents come from the same generator as `cargo run --example generate`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use jiff::Timestamp;
use livefeed::entry::{Entry, Image, Snapshot};
use livefeed::keymap::Keymap;
use livefeed::model::{Model, Msg, PollResult};

// The benchmarks use only some of the generator's helpers.
#[allow(dead_code)]
#[path = "../examples/generate/synth.rs"]
mod synth;

fn main() {
    divan::main();
}

const MB: usize = 1_000_000;

/// A clock well after every generated entry (none is flagged as from the future).
fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).expect("a valid time")
}

/// The generated posts as normalized entries (bodies through `html_to_text`), oldest first.
fn entries(n: usize) -> Vec<Entry> {
    static ALL: LazyLock<Vec<Entry>> = LazyLock::new(|| {
        synth::posts(101_000, 1)
            .into_iter()
            .map(|p| {
                let body = livefeed::text::html_to_text(&p.html);
                let mut images: Vec<Image> = body.images;
                if let Some((url, caption)) = p.image
                    && !images.iter().any(|i| i.url.as_deref() == Some(&url))
                {
                    images.push(Image {
                        url: Some(url),
                        caption: Some(caption),
                        credit: None,
                    });
                }
                Entry {
                    id: p.id,
                    published: Timestamp::from_second(p.time).ok(),
                    title: p.headline,
                    authors: p.authors,
                    text: body.text,
                    links: body.links,
                    url: Some(p.url),
                    images,
                    ..Default::default()
                }
            })
            .collect()
    });
    ALL[..n].to_vec()
}

fn snapshot(entries: Vec<Entry>) -> Snapshot {
    Snapshot {
        title: Some("World news live".into()),
        entries,
        format: "jsonfeed",
        ..Default::default()
    }
}

/// A model holding the first `n` entries, as the app holds them after one fetch.
fn model(n: usize) -> Model {
    let keymap = Keymap::new(&BTreeMap::new()).expect("the default keymap");
    let mut model = Model::new(vec!["bench".into()], keymap, now());
    model.max_entries = usize::MAX;
    model.size = (200, 60);
    model.update(Msg::Fetched {
        source: 0,
        at: now(),
        result: PollResult::Snapshot(snapshot(entries(n))),
        next_due: None,
    });
    model
}

mod parse {
    use super::*;

    fn document(format: synth::Format, size: usize) -> Vec<u8> {
        synth::document(format, &synth::posts_for_size(format, size, 1))
    }

    /// A document of `format` read while it arrives, in 64 KB chunks, as the first fetch of
    /// a source reads it.
    fn arriving(bencher: Bencher, format: synth::Format, size: usize) {
        let doc = document(format, size);
        bencher.counter(BytesCount::of_slice(&doc)).bench(|| {
            let mut reader = livefeed::format::Reader::new(None, 0);
            for chunk in divan::black_box(&doc).chunks(64 * 1024) {
                reader.push(chunk)?;
            }
            reader.finish(None).map(|s| s.entries.len())
        });
    }

    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn jsonfeed(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::JsonFeed, size);
        bencher
            .counter(BytesCount::of_slice(&doc))
            .bench(|| livefeed::format::parse(divan::black_box(&doc)).map(|s| s.entries.len()));
    }

    /// The same feed read while it arrives, in 64 KB chunks (as the first fetch of a
    /// source reads it): item by item, never holding the document.
    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn jsonfeed_arriving(bencher: Bencher, size: usize) {
        arriving(bencher, synth::Format::JsonFeed, size);
    }

    /// Finding the items' boundaries alone (the scan under `jsonfeed_arriving`).
    #[divan::bench(args = [20 * MB], sample_count = 10)]
    fn jsonfeed_split(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::JsonFeed, size);
        bencher.counter(BytesCount::of_slice(&doc)).bench(|| {
            let mut split = livefeed::format::split::Splitter::new("items");
            let mut pieces = 0;
            for chunk in divan::black_box(&doc).chunks(64 * 1024) {
                split.push(chunk)?;
                pieces += split.ready().len();
                split.consume();
            }
            split.finish().map(|()| pieces)
        });
    }

    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn jsonfeed_serde_floor(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::JsonFeed, size);
        bencher.counter(BytesCount::of_slice(&doc)).bench(|| {
            serde_json::from_slice::<serde_json::Value>(divan::black_box(&doc)).map(|_| ())
        });
    }

    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn jsonld_html(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::JsonLdHtml, size);
        bencher
            .counter(BytesCount::of_slice(&doc))
            .bench(|| livefeed::format::parse(divan::black_box(&doc)).map(|s| s.entries.len()));
    }

    /// The same page read while it arrives, in 64 KB chunks (as the first fetch of a source
    /// reads it): the live blog update by update, the page let go.
    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn jsonld_html_arriving(bencher: Bencher, size: usize) {
        arriving(bencher, synth::Format::JsonLdHtml, size);
    }

    /// The floor for the page: its ld+json block alone through serde_json. Counted in the
    /// page's bytes, so the MB/s compare with `jsonld_html`.
    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn jsonld_html_serde_floor(bencher: Bencher, size: usize) {
        let format = synth::Format::JsonLdHtml;
        let posts = synth::posts_for_size(format, size, 1);
        let page = synth::document(format, &posts).len();
        let block = synth::jsonld(&posts);
        bencher.counter(BytesCount::new(page)).bench(|| {
            serde_json::from_str::<serde_json::Value>(divan::black_box(&block)).map(|_| ())
        });
    }

    /// The hash that tells an unchanged body from a changed one, over a whole document
    /// (while a body arrives, the same work is done a chunk at a time).
    #[divan::bench(args = [20 * MB], sample_count = 10)]
    fn body_hash(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::JsonFeed, size);
        bencher
            .counter(BytesCount::of_slice(&doc))
            .with_inputs(|| doc.clone())
            .bench_local_values(livefeed::source::Body::new);
    }

    #[divan::bench(args = [MB], sample_count = 10)]
    fn rss(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::Rss, size);
        bencher
            .counter(BytesCount::of_slice(&doc))
            .bench(|| livefeed::format::parse(divan::black_box(&doc)).map(|s| s.entries.len()));
    }

    /// The same RSS feed read while it arrives, in 64 KB chunks (as the first fetch of a
    /// source reads it): a run of items at a time, letting their bytes go.
    #[divan::bench(args = [MB, 20 * MB], sample_count = 10)]
    fn rss_arriving(bencher: Bencher, size: usize) {
        arriving(bencher, synth::Format::Rss, size);
    }

    #[divan::bench(args = [MB], sample_count = 10)]
    fn atom(bencher: Bencher, size: usize) {
        let doc = document(synth::Format::Atom, size);
        bencher
            .counter(BytesCount::of_slice(&doc))
            .bench(|| livefeed::format::parse(divan::black_box(&doc)).map(|s| s.entries.len()));
    }
}

mod merge {
    use super::*;
    use livefeed::store::Store;

    const HELD: usize = 100_000;

    /// A snapshot as the poller hands it over: every entry folded (the folded form holds
    /// the body) and made into the form the store holds, in no other form.
    fn prepared(mut s: livefeed::entry::Snapshot) -> livefeed::entry::Snapshot {
        s.folded = s
            .entries
            .iter()
            .map(livefeed::query::Folded::from_entry)
            .collect();
        s.held = std::mem::take(&mut s.entries)
            .into_iter()
            .map(|e| Some(livefeed::entry::Held::new(e)))
            .collect();
        s
    }

    fn store() -> Store {
        let mut store = Store::new();
        store.merge(0, snapshot(entries(HELD)), now());
        store
    }

    /// A poll that brings 1,000 entries never seen before into a store of 100,000 (all
    /// merges here take snapshots as the poller hands them over).
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn new_1000_into_100k(bencher: Bencher) {
        let fresh = prepared(snapshot(entries(HELD + 1_000)[HELD..].to_vec()));
        bencher
            .with_inputs(|| (store(), fresh.clone()))
            .bench_local_values(|(mut store, fresh)| {
                let report = store.merge(0, fresh, now());
                (store, report)
            });
    }

    /// A poll of a blog of 100,000 entries as the screen's thread takes it (the merge, the
    /// cap on entries, the list to show): its newest 1,000 entries, 10 of them new.
    #[divan::bench(sample_count = 10, sample_size = 1)]
    fn poll_into_model_of_100k(bencher: Bencher) {
        let all = entries(HELD + 10);
        let response = prepared(snapshot(all[HELD + 10 - 1_000..].to_vec()));
        bencher
            .with_inputs(|| (model(HELD), response.clone()))
            .bench_local_values(|(mut model, response)| {
                model.update(Msg::Fetched {
                    source: 0,
                    at: now(),
                    result: PollResult::Snapshot(response),
                    next_due: None,
                });
                model
            });
    }

    /// The first fetch of a 50,000-entry blog into an empty store (prepared beforehand, as
    /// the poller does): what the screen's thread does before it can draw the list.
    #[divan::bench(sample_count = 5, sample_size = 1)]
    fn first_50k(bencher: Bencher) {
        let first = prepared(snapshot(entries(50_000)));
        bencher
            .with_inputs(|| (Store::new(), first.clone()))
            .bench_local_values(|(mut store, first)| {
                let report = store.merge(0, first, now());
                (store, report)
            });
    }

    /// The same first fetch of 50,000 entries merged in parts, as a big feed read while it
    /// arrives is shown: parts of 230, 230, 460, ... entries (each as big as all before
    /// it), then the rest. `expect`: whether the first part says how many entries the
    /// whole document holds (as the poller estimates it from the document's length).
    #[divan::bench(args = [false, true], sample_count = 5, sample_size = 1)]
    fn first_50k_in_parts(bencher: Bencher, expect: bool) {
        let first = prepared(snapshot(entries(50_000)));
        let parts = |first: Snapshot| {
            let (mut held, mut folded) = (first.held, first.folded);
            let mut parts = Vec::new();
            let mut sent = 0;
            while !held.is_empty() {
                let size = sent.max(230);
                let rest = if held.len() > size * 2 {
                    size
                } else {
                    held.len()
                };
                let more = rest < held.len();
                parts.push(Snapshot {
                    held: held.drain(..rest).collect(),
                    folded: folded.drain(..rest).collect(),
                    more,
                    continues: sent > 0,
                    expect: if expect && sent == 0 { 50_000 } else { 0 },
                    ..Snapshot::default()
                });
                sent += rest;
            }
            parts
        };
        bencher
            .with_inputs(|| (Store::new(), parts(first.clone())))
            .bench_local_values(|(mut store, parts)| {
                for part in parts {
                    store.merge(0, part, now());
                }
                store
            });
    }

    /// A poll whose 1,000 entries are all known and unchanged.
    #[divan::bench(sample_count = 20)]
    fn unchanged_1000_in_100k(bencher: Bencher) {
        let mut store = store();
        let same = prepared(snapshot(entries(HELD)[HELD - 1_000..].to_vec()));
        bencher
            .with_inputs(|| same.clone())
            .bench_local_values(|same| store.merge(0, same, now()).changed());
    }
}

mod filter {
    use super::*;

    /// Time `to` typed over `from`. Before each sample, other filters push `to` out of the
    /// results kept for backspacing (unless `keep` says it may stay), so every sample
    /// filters for real.
    fn keystroke_from(bencher: Bencher, n: usize, from: &str, to: &str, keep: bool) {
        let model = RefCell::new(model(n));
        bencher
            .with_inputs(|| {
                let mut m = model.borrow_mut();
                if keep {
                    m.set_filter(to.into());
                } else {
                    for other in ["a", "b", "c", "d", "e"] {
                        m.set_filter(other.into());
                    }
                }
                m.set_filter(from.into());
            })
            .bench_local_values(|()| model.borrow_mut().set_filter(to.into()));
    }

    /// Typing on: the filter goes from "riv" to "rive" (most entries still match).
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20, sample_size = 1)]
    fn keystroke(bencher: Bencher, n: usize) {
        keystroke_from(bencher, n, "riv", "rive", false);
    }

    /// The first letter over everything: "" to "r".
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20, sample_size = 1)]
    fn first_letter(bencher: Bencher, n: usize) {
        keystroke_from(bencher, n, "", "r", false);
    }

    /// A letter that leaves few: "an" to "ana" (a name; most texts are read to the end).
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20, sample_size = 1)]
    fn to_few(bencher: Bencher, n: usize) {
        keystroke_from(bencher, n, "an", "ana", false);
    }

    /// A letter that leaves none: "the" to "thez" (every text is read to the end).
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20, sample_size = 1)]
    fn to_none(bencher: Bencher, n: usize) {
        keystroke_from(bencher, n, "the", "thez", false);
    }

    /// A backspace: "rive" back to "riv", shown a moment before.
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 20, sample_size = 1)]
    fn backspace(bencher: Bencher, n: usize) {
        keystroke_from(bencher, n, "rive", "riv", true);
    }
}

mod render {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// One full frame, 200×60, with `n` entries held and the newest one selected.
    #[divan::bench(args = [100, 10_000, 100_000], sample_count = 50)]
    fn frame(bencher: Bencher, n: usize) {
        let mut model = model(n);
        model.set_filter(String::new());
        let theme = livefeed::theme::Theme::default();
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("a test terminal");
        bencher.bench_local(|| {
            terminal
                .draw(|frame| livefeed::ui::draw(frame, &model, &theme))
                .map(|_| ())
        });
    }
}

mod text {
    use super::*;

    /// One long entry body (~20 KB of HTML) to plain text.
    #[divan::bench]
    fn html_to_text_20k(bencher: Bencher) {
        let html = synth::long_html(20_000, 1);
        bencher
            .counter(BytesCount::of_str(&html))
            .bench(|| livefeed::text::html_to_text(divan::black_box(&html)));
    }
}

mod fold {
    use super::*;

    /// Folding 10,000 entries for the filter (what a first fetch of a big blog costs on
    /// top of parsing), on one thread.
    #[divan::bench(sample_count = 10)]
    fn entries_10k(bencher: Bencher) {
        let all = entries(10_000);
        let bytes: usize = all.iter().map(|e| e.title.len() + e.text.len()).sum();
        bencher
            .counter(BytesCount::new(bytes))
            .bench(|| all.iter().map(livefeed::query::Folded::from_entry).count());
    }

    /// Folding a first document of 10,000 entries once it is on screen, as the store does
    /// it (`Store::fold_all`: a chunk of the slab at a time).
    #[divan::bench(sample_count = 10)]
    fn first_document_10k_in_the_store(bencher: Bencher) {
        let all = entries(10_000);
        let bytes: usize = all.iter().map(|e| e.title.len() + e.text.len()).sum();
        bencher
            .counter(BytesCount::new(bytes))
            .with_inputs(|| {
                let mut store = livefeed::store::Store::new();
                let snapshot = Snapshot {
                    folded: all.iter().map(livefeed::query::Folded::unfolded).collect(),
                    held: all
                        .iter()
                        .map(|e| Some(livefeed::entry::Held::new(e.clone())))
                        .collect(),
                    ..Snapshot::default()
                };
                store.merge(0, snapshot, now());
                store
            })
            .bench_local_values(|mut store| {
                store.fold_all();
                store
            });
    }
}
