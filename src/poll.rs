//! One task per source: fetch on a schedule, parse off the event loop, send the result.
//!
//! A poller knows nothing about the screen. It sends owned [`Msg`] values and stops when
//! the receiver is gone. Exactly one request per source is in flight at a time, because
//! the task awaits each fetch before it schedules the next.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use crate::demo::Demo;
use crate::format::{self, FormatError};
use crate::model::{Msg, PollResult};
use crate::source::{FetchError, Fetched, HttpFetcher, Location, Validators, read_file};

/// What a poller needs to know about its source.
#[derive(Debug, Clone)]
pub struct Plan {
    pub index: usize,
    pub location: Location,
    pub interval: Duration,
    pub headers: BTreeMap<String, String>,
    pub max_bytes: u64,
}

/// Start the poller of `plan`. `now` wakes it for an immediate fetch.
pub fn spawn(
    plan: Plan,
    fetcher: HttpFetcher,
    tx: mpsc::Sender<Msg>,
    now: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match plan.location.clone() {
            Location::Demo => run_demo(plan, tx, now).await,
            _ => run(plan, fetcher, tx, now).await,
        }
    })
}

/// Fetch one document and turn it into a poll result. `last` is the hash of the previous
/// body: an identical body is reported as unchanged and not parsed again.
pub async fn poll_once(
    plan: &Plan,
    fetcher: &HttpFetcher,
    validators: &mut Validators,
    last: &mut Option<[u8; 32]>,
) -> PollResult {
    let mut url = match &plan.location {
        Location::Http(url) => url.clone(),
        _ => String::new(),
    };
    // A page may point to its feed; follow such a link once.
    for _ in 0..2 {
        let fetched = match &plan.location {
            Location::File(path) => read_file(path, plan.max_bytes).await.map(Fetched::Body),
            _ => fetcher.fetch(&url, &plan.headers, validators).await,
        };
        let body = match fetched {
            Ok(Fetched::NotModified) => return PollResult::NotModified,
            Ok(Fetched::Body(body)) => body,
            Err(e) => return PollResult::Failed(describe(&e)),
        };
        let hash: [u8; 32] = Sha256::digest(&body).into();
        if *last == Some(hash) {
            return PollResult::Unchanged;
        }
        let parsed = tokio::task::spawn_blocking(move || format::parse(&body)).await;
        match parsed {
            Ok(Ok(snapshot)) => {
                *last = Some(hash);
                return PollResult::Snapshot(snapshot);
            }
            Ok(Err(FormatError::FeedLink(href))) if !url.is_empty() => {
                match reqwest::Url::parse(&url).and_then(|base| base.join(&href)) {
                    Ok(next) if matches!(next.scheme(), "http" | "https") => {
                        url = next.to_string();
                        *validators = Validators::default();
                    }
                    _ => return PollResult::Failed(format!("bad feed link {href:?}")),
                }
            }
            Ok(Err(e)) => return PollResult::Failed(e.to_string()),
            Err(_) => return PollResult::Failed("the parser crashed on this document".into()),
        }
    }
    PollResult::Failed("the page's feed link leads to another page".into())
}

fn describe(e: &FetchError) -> String {
    e.to_string()
}

async fn run(plan: Plan, fetcher: HttpFetcher, tx: mpsc::Sender<Msg>, now: Arc<Notify>) {
    let mut validators = Validators::default();
    let mut last = None;
    loop {
        if tx.send(Msg::Fetching { source: plan.index }).await.is_err() {
            return;
        }
        let result = poll_once(&plan, &fetcher, &mut validators, &mut last).await;
        let delay = plan.interval;
        let at = Timestamp::now();
        let msg = Msg::Fetched {
            source: plan.index,
            at,
            result,
            next_due: at.checked_add(delay).ok(),
        };
        if tx.send(msg).await.is_err() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = now.notified() => {}
        }
    }
}

/// The demo: documents come from the replay clock instead of the network, then go through
/// the same parser and messages as any fetched document.
async fn run_demo(plan: Plan, tx: mpsc::Sender<Msg>, now: Arc<Notify>) {
    let started = Instant::now();
    let demo = Demo::new(Timestamp::now());
    let mut last = None;
    loop {
        let elapsed = started.elapsed();
        let doc = demo.document(elapsed).into_bytes();
        let hash: [u8; 32] = Sha256::digest(&doc).into();
        let result = if last == Some(hash) {
            PollResult::Unchanged
        } else {
            last = Some(hash);
            match tokio::task::spawn_blocking(move || format::parse(&doc)).await {
                Ok(Ok(snapshot)) => PollResult::Snapshot(snapshot),
                Ok(Err(e)) => PollResult::Failed(e.to_string()),
                Err(_) => PollResult::Failed("the parser crashed on this document".into()),
            }
        };
        let next = demo.next_change(elapsed);
        let at = Timestamp::now();
        let next_due = next.and_then(|n| at.checked_add(n.saturating_sub(elapsed)).ok());
        let msg = Msg::Fetched {
            source: plan.index,
            at,
            result,
            next_due,
        };
        if tx.send(msg).await.is_err() {
            return;
        }
        match next {
            Some(n) => tokio::select! {
                () = tokio::time::sleep_until(started + n) => {}
                () = now.notified() => {}
            },
            None => now.notified().await,
        }
    }
}
