//! The terminal's lifecycle and the one event loop.
//!
//! One `select!` owns the model: terminal events, poller messages, a once-a-minute tick
//! for relative times, and termination signals. It redraws only when `update` says that
//! something visible changed. There is no fixed-rate redraw.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use jiff::Timestamp;
use ratatui::crossterm::event::{Event, EventStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Notify, mpsc};

use crate::keymap::Keymap;
use crate::model::{Effect, Model, Msg};
use crate::poll::{self, Plan};
use crate::source::HttpFetcher;
use crate::theme::Theme;
use crate::ui;

/// Run the full-screen reader until the user quits or a signal ends it.
pub async fn run(
    plans: Vec<Plan>,
    labels: Vec<String>,
    keymap: Keymap,
    theme: Theme,
    fetcher: HttpFetcher,
) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, plans, labels, keymap, theme, fetcher).await;
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    plans: Vec<Plan>,
    labels: Vec<String>,
    keymap: Keymap,
    theme: Theme,
    fetcher: HttpFetcher,
) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    let mut wakers = Vec::new();
    let mut tasks = Vec::new();
    for plan in plans {
        let now = Arc::new(Notify::new());
        wakers.push(now.clone());
        tasks.push(poll::spawn(plan, fetcher.clone(), tx.clone(), now));
    }
    drop(tx);

    let mut model = Model::new(labels, keymap, Timestamp::now());
    let size = terminal.size()?;
    model.update(Msg::Resize(size.width, size.height));
    terminal.draw(|f| ui::draw(f, &model, &theme))?;

    let mut events = EventStream::new();
    let mut minute = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(60),
        Duration::from_secs(60),
    );
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;

    loop {
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone (closed session): nothing more to show.
                Some(Err(_)) | None => break,
            },
            Some(msg) = rx.recv() => msg,
            _ = minute.tick() => Msg::Tick(Timestamp::now()),
            _ = term.recv() => break,
            _ = hangup.recv() => break,
            _ = interrupt.recv() => break,
        };
        model.now = Timestamp::now();
        let (changed, effects) = model.update(msg);
        for effect in effects {
            match effect {
                Effect::Quit => {
                    tasks.iter().for_each(|t| t.abort());
                    return Ok(());
                }
                Effect::FetchNow => wakers.iter().for_each(|w| w.notify_one()),
            }
        }
        if changed {
            terminal.draw(|f| ui::draw(f, &model, &theme))?;
        }
    }
    tasks.iter().for_each(|t| t.abort());
    Ok(())
}
