//! `--print` and `--follow`: entries as text blocks or JSON lines, for people and scripts.
//!
//! The JSON-lines fields are a contract: `source`, `id`, `published`, `updated`, `title`,
//! `authors`, `text`, `url`, `images`, `pinned`, `key_event`, `status`.

use std::io::Write;
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::{Notify, mpsc};

use crate::cli::Output;
use crate::model::{Msg, PollResult};
use crate::poll::{self, Plan};
use crate::source::{HttpFetcher, Validators};
use crate::store::{Store, Stored};
use crate::text::sanitize;

/// One entry as a JSON line.
#[derive(Serialize)]
struct JsonEntry<'a> {
    source: &'a str,
    id: &'a str,
    published: Option<String>,
    updated: Option<String>,
    title: &'a str,
    authors: Vec<&'a str>,
    text: &'a str,
    url: Option<std::borrow::Cow<'a, str>>,
    images: Vec<JsonImage<'a>>,
    pinned: bool,
    key_event: bool,
    status: &'static str,
}

#[derive(Serialize)]
struct JsonImage<'a> {
    url: Option<&'a str>,
    caption: Option<&'a str>,
    credit: Option<&'a str>,
}

/// Render one entry in `format` onto the end of `out`, ending with a newline.
fn render(s: &Stored, label: &str, format: Output, tz: &jiff::tz::TimeZone, out: &mut Vec<u8>) {
    let e = &s.entry;
    let text = s.text();
    match format {
        Output::Jsonl => {
            let j = JsonEntry {
                source: label,
                id: e.id(),
                published: e.published().map(|t| t.to_string()),
                updated: e.updated().map(|t| t.to_string()),
                title: &s.title(),
                authors: e.authors().collect(),
                text: &text,
                url: e.url(),
                images: e
                    .images()
                    .map(|i| JsonImage {
                        url: i.url,
                        caption: i.caption,
                        credit: i.credit,
                    })
                    .collect(),
                pinned: e.pinned,
                key_event: e.key_event,
                status: s.status(),
            };
            // Serializing plain strings, bools and options into memory cannot fail.
            let _ = serde_json::to_writer(&mut *out, &j);
            out.push(b'\n');
        }
        Output::Text => {
            let title = s.title();
            let mut lines = String::with_capacity(title.len() + text.len() + 256);
            let time = s
                .entry
                .time()
                .map(|t| {
                    t.to_zoned(tz.clone())
                        .strftime("%Y-%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_else(|| "(no time)".into());
            let mut head = format!("── {time}");
            if e.authors().len() > 0 {
                head.push_str(&format!(" · {}", e.byline()));
            }
            for (on, word) in [
                (e.key_event || e.pinned, "key event"),
                (s.status() == "edited", "edited"),
                (e.removed, "removed"),
            ] {
                if on {
                    head.push_str(&format!(" · {word}"));
                }
            }
            head.push_str(&format!(" · {label}"));
            lines.push_str(&head);
            lines.push('\n');
            if !title.is_empty() {
                lines.push_str(&title);
                lines.push('\n');
            }
            if !text.is_empty() {
                lines.push('\n');
                lines.push_str(&text);
                lines.push('\n');
            }
            for img in e.images() {
                let parts: Vec<&str> = [img.caption, img.credit].into_iter().flatten().collect();
                let what = if parts.is_empty() {
                    img.url.unwrap_or("").to_string()
                } else {
                    parts.join(" — ")
                };
                lines.push_str(&format!("[image] {what}\n"));
            }
            for (n, link) in e.links().enumerate() {
                lines.push_str(&format!("[{}] {link}\n", n + 1));
            }
            if let Some(url) = e.url() {
                lines.push_str(&url);
                lines.push('\n');
            }
            lines.push('\n');
            out.extend_from_slice(crate::text::sanitize_cow(&lines).as_bytes());
        }
    }
}

/// Write `entries` to stdout as `render` renders each, in blocks of about [`OUT_BLOCK`]
/// bytes, then flush; `false` when stdout is gone (a closed pipe ends the output). A write
/// per entry made a 10,000-entry `--print` make 10,042 system calls.
fn emit<'a>(
    entries: impl Iterator<Item = &'a Stored>,
    mut render: impl FnMut(&Stored, &mut Vec<u8>),
) -> bool {
    let mut out = std::io::stdout().lock();
    let mut block = Vec::with_capacity(OUT_BLOCK);
    for s in entries {
        render(s, &mut block);
        if block.len() >= OUT_BLOCK {
            if out.write_all(&block).is_err() {
                return false;
            }
            block.clear();
        }
    }
    out.write_all(&block).and_then(|()| out.flush()).is_ok()
}

/// How much output [`emit`] gathers before it writes.
const OUT_BLOCK: usize = 64 * 1024;

/// Fetch every source once and print all entries, oldest first. Returns the exit code.
pub async fn print(
    plans: Vec<Plan>,
    labels: Vec<String>,
    format: Output,
    fetcher: HttpFetcher,
) -> u8 {
    let mut failed = false;
    // Never freed: the program ends after printing, and freeing a big blog entry by entry
    // would only delay the exit.
    let mut store = std::mem::ManuallyDrop::new(Store::new());
    let now = Timestamp::now();
    let jobs = plans.iter().map(|plan| {
        let fetcher = fetcher.clone();
        async move {
            if plan.location == crate::source::Location::Demo {
                let doc = crate::demo::Demo::new(now).document(std::time::Duration::ZERO);
                return match crate::format::parse(doc.as_bytes()) {
                    Ok(s) => PollResult::Snapshot(s),
                    Err(e) => PollResult::Failed(e.to_string()),
                };
            }
            poll::fetch_and_parse(plan, &fetcher, &mut Validators::default(), &mut None, None)
                .await
                .0
        }
    });
    let results = futures_util::future::join_all(jobs).await;
    for (plan, result) in plans.iter().zip(results) {
        match result {
            PollResult::Snapshot(snapshot) => {
                store.merge(plan.index, snapshot, now);
            }
            PollResult::Failed(why) => {
                failed = true;
                eprintln!(
                    "livefeed: {}: {}",
                    sanitize(&labels[plan.index]),
                    sanitize(&why)
                );
            }
            PollResult::NotModified | PollResult::Unchanged => {}
        }
    }
    let tz = jiff::tz::TimeZone::system();
    // A closed pipe ends the output; the exit code is the same.
    emit(store.iter().rev(), |s, out| {
        render(s, &labels[s.source], format, &tz, out)
    });
    u8::from(failed)
}

/// Print what exists, then every new entry as it arrives, until interrupted.
pub async fn follow(
    plans: Vec<Plan>,
    labels: Vec<String>,
    format: Output,
    fetcher: HttpFetcher,
) -> u8 {
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    let mut tasks = Vec::new();
    for plan in plans {
        tasks.push(poll::spawn(
            plan,
            fetcher.clone(),
            tx.clone(),
            Arc::new(Notify::new()),
            // Whole: the first entries are printed oldest first, all together.
            false,
        ));
    }
    drop(tx);
    let tz = jiff::tz::TimeZone::system();
    let mut store = Store::new();
    let mut last_error: Vec<Option<String>> = vec![None; labels.len()];
    let mut failed = false;
    while let Some(msg) = rx.recv().await {
        let Msg::Fetched {
            source, at, result, ..
        } = msg
        else {
            continue;
        };
        match result {
            PollResult::Snapshot(snapshot) => {
                last_error[source] = None;
                let report = store.merge(source, snapshot, at);
                let mut added = report.added;
                // Print in time order, oldest first.
                added.sort_by_key(|&i| (store.item(i).time(), store.item(i).seq));
                let entries = added.iter().map(|&i| store.item(i));
                if !emit(entries, |s, out| {
                    render(s, &labels[source], format, &tz, out)
                }) {
                    tasks.iter().for_each(|t| t.abort());
                    return u8::from(failed);
                }
            }
            PollResult::Failed(why) => {
                if last_error[source].as_ref() != Some(&why) {
                    failed = true;
                    eprintln!(
                        "livefeed: {}: {}",
                        sanitize(&labels[source]),
                        sanitize(&why)
                    );
                    last_error[source] = Some(why);
                }
            }
            PollResult::NotModified | PollResult::Unchanged => {}
        }
    }
    u8::from(failed)
}
