//! The terminal's lifecycle and the one event loop.
//!
//! One `select!` owns the model: terminal events, poller messages, a once-a-minute tick
//! for relative times, and termination signals. It redraws only when `update` says that
//! something visible changed. There is no fixed-rate redraw.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Notify, mpsc};

use crate::model::{Effect, Model, Msg};
use crate::poll::{self, Plan};
use crate::source::HttpFetcher;
use crate::theme::Theme;
use crate::ui;

/// How alerts reach the user besides the bell.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    /// Program and arguments; the headline is appended. Empty: no command.
    pub notify: Vec<String>,
    /// "off", "osc9" or "osc777".
    pub desktop: String,
}

/// Run the full-screen reader until the user quits or a signal ends it.
pub async fn run(
    plans: Vec<Plan>,
    model: Model,
    theme: Theme,
    alerts: Alerts,
    fetcher: HttpFetcher,
) -> anyhow::Result<()> {
    let mouse = model.mouse;
    install_panic_hook(mouse);
    let mut terminal = take_terminal()?;
    if mouse {
        let _ = execute!(std::io::stdout(), EnableMouseCapture);
    }
    let result = event_loop(&mut terminal, plans, model, theme, alerts, fetcher).await;
    if mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    ratatui::restore();
    result
}

/// Raw mode and the alternate screen. (Not `ratatui::init`: its panic hook restores the
/// terminal on a panic in any thread, see [`install_panic_hook`].)
fn take_terminal() -> anyhow::Result<ratatui::DefaultTerminal> {
    use ratatui::crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode()?;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    Ok(ratatui::Terminal::new(
        ratatui::backend::CrosstermBackend::new(std::io::stdout()),
    )?)
}

/// What a panic does to the terminal, which depends on the thread.
///
/// On the main thread (the event loop: update and draw) a panic ends the program: the
/// mouse, raw mode and the alternate screen are given back first, then the standard hook
/// reports the panic where the user can read it, then one line says what happened.
///
/// On any other thread the terminal stays as it is, because the event loop still owns it
/// and ends or carries on by itself: a crashed poller task ends the program through the
/// loop, which restores the terminal and reports it; a crashed parser is a failed fetch of
/// that document. Restoring from there would leave the loop drawing on the user's shell
/// screen, and a panic message printed there would land in the middle of the drawing. The
/// panic goes to the log instead.
fn install_panic_hook(mouse: bool) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        if thread.name() == Some("main") {
            if mouse {
                let _ = execute!(std::io::stdout(), DisableMouseCapture);
            }
            ratatui::restore();
            previous(info);
            eprintln!(
                "livefeed: internal error: the screen crashed (this is a bug); the terminal was restored"
            );
        } else {
            crate::log::write(
                crate::log::Level::Error,
                &format!(
                    "panic in thread {}: {info}",
                    thread.name().unwrap_or("unnamed")
                ),
            );
        }
    }));
}

/// The message of a panic payload, when it has one.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}

/// For tests of the crash paths, debug builds only: `LIVEFEED_DEBUG_PANIC=ui` panics while
/// drawing a frame after the first, `=poller` in a poller task after its first fetch,
/// `=parser` in the parser's thread on every document.
#[cfg(debug_assertions)]
pub fn debug_panic(place: &str) {
    if std::env::var("LIVEFEED_DEBUG_PANIC").is_ok_and(|v| v == place) {
        panic!("forced by LIVEFEED_DEBUG_PANIC={place}");
    }
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    plans: Vec<Plan>,
    model: Model,
    theme: Theme,
    alerts: Alerts,
    fetcher: HttpFetcher,
) -> anyhow::Result<()> {
    // Never freed: the program ends when this loop does, and freeing a big blog entry by
    // entry would only delay the exit (0.1 s at 50,000 entries).
    let mut model = std::mem::ManuallyDrop::new(model);
    let (tx, mut rx) = mpsc::channel::<Msg>(64);
    let mut wakers = Vec::new();
    let mut tasks = tokio::task::JoinSet::new();
    for plan in plans {
        let now = Arc::new(Notify::new());
        wakers.push(now.clone());
        tasks.spawn(poll::poll_source(
            plan,
            fetcher.clone(),
            tx.clone(),
            now,
            true,
        ));
    }
    drop(tx);

    let size = terminal.size()?;
    model.update(Msg::Resize(size.width, size.height));
    terminal.draw(|f| ui::draw(f, &model, &theme))?;

    let mut events = terminal_events();
    let mut minute = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(60),
        Duration::from_secs(60),
    );
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    // Animates the loading indicator, only while a first fetch is under way.
    let mut spinner = tokio::time::interval(Duration::from_millis(120));

    loop {
        let loading = model.loading();
        let folding = model.folding_due();
        // In this order: keys first, then what pollers sent, and only then whether a poller
        // ended (so what it sent before crashing is shown before its crash ends the program).
        let msg = tokio::select! {
            biased;
            event = events.recv() => match event {
                Some(Ok(Event::Key(key))) if is_suspend(&key) => {
                    suspend(terminal, model.mouse)?;
                    Msg::Resize(terminal.size()?.width, terminal.size()?.height)
                }
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(w, h))) => Msg::Resize(w, h),
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(_)) => continue,
                // The terminal is gone (closed session): nothing more to show.
                Some(Err(_)) | None => break,
            },
            Some(msg) = rx.recv() => msg,
            Some(done) = tasks.join_next() => match done {
                // A poller only ends when the screen is gone, or by a bug: never go on
                // with a half-working screen.
                Err(e) if e.is_panic() => {
                    let payload = e.into_panic();
                    anyhow::bail!(
                        "internal error: a source's poller crashed (this is a bug): {}",
                        crate::text::one_line(panic_message(payload.as_ref()))
                    )
                }
                _ => continue,
            },
            _ = minute.tick() => Msg::Tick(Timestamp::now()),
            _ = spinner.tick(), if loading => Msg::Spin,
            _ = term.recv() => break,
            _ = hangup.recv() => break,
            _ = interrupt.recv() => break,
            // Last: only when nothing above is ready.
            () = std::future::ready(()), if folding => Msg::Idle,
        };
        model.now = Timestamp::now();
        let (changed, effects) = model.update(msg);
        for effect in effects {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::FetchNow => wakers.iter().for_each(|w| w.notify_one()),
                Effect::Alert { headline, .. } => alert(&headline, &alerts),
                Effect::Open(url) => {
                    if let Err(why) = open_in_browser(&url) {
                        model.notice = Some(why);
                        terminal.draw(|f| ui::draw(f, &model, &theme))?;
                    }
                }
                Effect::Copy(text) => copy_osc52(&text),
            }
        }
        if changed {
            terminal.draw(|f| {
                #[cfg(debug_assertions)]
                debug_panic("ui");
                ui::draw(f, &model, &theme)
            })?;
        }
    }
    Ok(())
}

/// Terminal events from a thread of their own that blocks on the terminal, so a key is
/// never left waiting behind a missed wake-up, and the loop never blocks on input.
fn terminal_events() -> mpsc::Receiver<std::io::Result<Event>> {
    let (tx, rx) = mpsc::channel(64);
    std::thread::spawn(move || {
        loop {
            let event = ratatui::crossterm::event::read();
            let failed = event.is_err();
            if tx.blocking_send(event).is_err() || failed {
                break;
            }
        }
    });
    rx
}

/// Ctrl-Z: the terminal is in raw mode, so the key arrives here instead of as a signal.
fn is_suspend(key: &ratatui::crossterm::event::KeyEvent) -> bool {
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    key.kind != KeyEventKind::Release
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && key.code == KeyCode::Char('z')
}

/// Give the terminal back, stop until `fg`, then take it again and redraw everything.
fn suspend(terminal: &mut ratatui::DefaultTerminal, mouse: bool) -> anyhow::Result<()> {
    use ratatui::crossterm::terminal;
    if mouse {
        execute!(std::io::stdout(), DisableMouseCapture)?;
    }
    ratatui::restore();
    // SAFETY: raise() only sends a signal to this process; SIGTSTP's default action stops
    // it until SIGCONT, and no handler of ours runs.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    terminal::enable_raw_mode()?;
    execute!(std::io::stdout(), terminal::EnterAlternateScreen)?;
    if mouse {
        execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    // Clear and forget what was drawn, so the next draw is complete. (Not `clear()`: it
    // asks the terminal for the cursor position, which the input thread would swallow.)
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    Ok(())
}

/// Open an http(s) URL with the user's browser: each `$BROWSER` entry (colon-separated,
/// `%s` replaced by the URL or the URL appended) is tried in turn, else `xdg-open`. The
/// URL is one argument of an argv; no shell ever sees it.
fn open_in_browser(url: &str) -> Result<(), String> {
    let url = crate::model::safe_url(url).ok_or("only http and https links are opened")?;
    let browsers: Vec<Vec<String>> = match std::env::var("BROWSER") {
        Ok(list) if !list.trim().is_empty() => list
            .split(':')
            .map(|cmd| cmd.split_whitespace().map(str::to_string).collect())
            .filter(|argv: &Vec<String>| !argv.is_empty())
            .collect(),
        _ => vec![vec!["xdg-open".to_string()]],
    };
    crate::log::info(&format!("opening {url}"));
    for argv in browsers {
        let mut args: Vec<String> = argv[1..].iter().map(|a| a.replace("%s", &url)).collect();
        if !argv.iter().any(|a| a.contains("%s")) {
            args.push(url.clone());
        }
        let child = tokio::process::Command::new(&argv[0])
            .args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            tokio::spawn(async move { child.wait().await });
            return Ok(());
        }
    }
    Err("could not start a browser: set $BROWSER".into())
}

/// Put `text` on the clipboard through the terminal (OSC 52), cleaned first.
fn copy_osc52(text: &str) {
    use std::io::Write;
    let clean = crate::text::one_line(text);
    let seq = format!("\x1b]52;c;{}\x07", crate::text::base64(clean.as_bytes()));
    let mut out = std::io::stdout();
    let _ = out.write_all(seq.as_bytes()).and_then(|()| out.flush());
}

/// Ring the bell, and notify as configured. The headline is made one clean line first;
/// the command gets it as one argument (never through a shell).
fn alert(headline: &str, alerts: &Alerts) {
    use std::io::Write;
    let line = crate::text::one_line(headline);
    crate::log::info(&format!("alert: {line}"));
    let mut seq = String::from("\x07");
    match alerts.desktop.as_str() {
        "osc9" => seq.push_str(&format!("\x1b]9;{line}\x07")),
        "osc777" => seq.push_str(&format!("\x1b]777;notify;livefeed;{line}\x07")),
        _ => {}
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(seq.as_bytes()).and_then(|()| out.flush());
    if let Some((program, args)) = alerts.notify.split_first() {
        let child = tokio::process::Command::new(program)
            .args(args)
            .arg(&line)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = child {
            // Reap it whenever it ends, without holding up the loop.
            tokio::spawn(async move { child.wait().await });
        }
    }
}
