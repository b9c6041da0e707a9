//! Wiring only: arguments → configuration → mode (reader, --print, --follow) → exit code.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use livefeed::cli::Cli;
use livefeed::config::Config;
use livefeed::model::Model;
use livefeed::poll::{Caps, Plan};
use livefeed::source::{HttpFetcher, Location};
use livefeed::{app, commands, headless, theme};

fn main() -> ExitCode {
    one_malloc_arena();
    let cli = Cli::parse();
    if let Some(command) = &cli.command {
        return commands::run(command);
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("livefeed: {e}");
            ExitCode::from(1)
        }
    }
}

/// All threads allocate from one glibc arena. By default each thread that reads a document
/// may get an arena of its own, and what it frees there (the pieces of the document, the
/// strings an entry was made of) serves no other thread: the peak of a 10,000-entry first
/// fetch was 1–3 MB higher, and varied more. The price is the arena's lock, which the
/// reader threads share; they keep their own buffers for what each entry is built in
/// (`scratch`) so that they seldom meet there (see docs/performance.md).
///
/// Blocks of 512 KiB and more (the vectors a first fetch is gathered in, the store's
/// chunks) are mapped apart and given back to the system when freed. By default glibc
/// raises that size each time such a block is freed, so the next ones come from the heap
/// and leave holes there once freed. Below it are the buffers the download arrives in (up
/// to 408 KiB: hyper reads into 8 KiB plus 100 × 4 KiB at most): mapped apart, each was
/// new memory, faulted in page by page and unmapped once read (3,400 of the 8,400 page
/// faults of a 10,000-entry `--print`); from the heap, the next buffer reuses the last
/// one's pages. That costs 0.2–0.4 MB of peak at 10,000 entries, none seen at 50,000.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tunables of the allocator; it runs before any other thread
    // exists.
    unsafe {
        let n: i32 = std::env::var("LF_ARENAS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        if n > 0 {
            libc::mallopt(libc::M_ARENA_MAX, n);
        }
        libc::mallopt(libc::M_MMAP_THRESHOLD, 512 * 1024);
    }
}

/// `pow` for the whole program, from the `libm` crate (FreeBSD's `e_pow.c` in Rust), so
/// that glibc's libm is never loaded. The only caller is tokio's scheduler (the average
/// time it takes to poll a task), and for that one function the 0.9 MB library cost about
/// 0.55 MB of memory: its load-time set-up touches pages all over its code, and `pow`
/// its tables. With no other symbol wanted from libm, the linker leaves it out
/// (`--as-needed`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let mut config = Config::load(cli.config.as_deref())?;
    config.apply_args(&cli);
    livefeed::log::init(cli.log.as_deref()).map_err(anyhow::Error::msg)?;
    livefeed::log::info(&format!(
        "livefeed {} starting: {}",
        env!("CARGO_PKG_VERSION"),
        if cli.sources.is_empty() {
            "the demo".to_string()
        } else {
            cli.sources.join(" ")
        }
    ));
    let interval = config.interval.max(1);
    let (plans, labels) = plans(&cli, &config, interval);
    let fetcher = HttpFetcher::new(&config.limits);
    // One worker thread for the pollers' network tasks: they wait on the network, and
    // every document is read on threads of its own (the blocking pool), while the screen
    // runs on this thread. With a worker per core (two here) the download of a big
    // document moved between them, each woken and put to sleep in turn: a third of the
    // context switches of a 50,000-entry load.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let code = runtime.block_on(async {
        if cli.print {
            Ok(headless::print(plans, labels, cli.output, fetcher).await)
        } else if cli.follow {
            Ok(headless::follow(plans, labels, cli.output, fetcher).await)
        } else {
            let keymap = config.keymap().map_err(anyhow::Error::msg)?;
            let theme = config
                .load_theme(theme::no_color_requested())
                .map_err(anyhow::Error::msg)?;
            let mut model = Model::new(labels, keymap, jiff::Timestamp::now());
            model.max_entries = config.max_entries;
            model.osc52 = config.osc52;
            model.mouse = config.mouse;
            model.saved_filters = config.filters.clone().into_iter().collect();
            for state in &mut model.sources {
                state.alerts = alert_words(&config, &state.label);
                state.short = config.find_source(&state.label).map(|s| s.name.clone());
            }
            let alerts = app::Alerts {
                notify: config.notify.clone(),
                desktop: config.desktop_notify.clone(),
            };
            app::run(plans, model, theme, alerts, fetcher).await?;
            Ok::<u8, anyhow::Error>(0)
        }
    })?;
    // Pollers may be waiting on the network; never wait for them on the way out.
    runtime.shutdown_background();
    livefeed::log::info(&format!("exiting with code {code}"));
    Ok(code)
}

/// Alert words for the source given as `label`: global ones plus its own, lower-cased.
fn alert_words(config: &Config, label: &str) -> Vec<String> {
    let own = config
        .find_source(label)
        .map(|s| s.alerts.as_slice())
        .unwrap_or(&[]);
    config
        .alerts
        .iter()
        .chain(own)
        .map(|w| w.to_lowercase())
        .collect()
}

/// One poll plan per source given (or the demo when none is).
fn plans(cli: &Cli, config: &Config, interval: u64) -> (Vec<Plan>, Vec<String>) {
    let given: Vec<String> = if cli.sources.is_empty() {
        vec![livefeed::demo::DEMO_SOURCE.to_string()]
    } else {
        cli.sources.clone()
    };
    let mut plans = Vec::new();
    let mut labels = Vec::new();
    for (index, arg) in given.iter().enumerate() {
        let named = config.find_source(arg);
        let (location, headers, every) = match named {
            Some(s) => (Location::parse(&s.url), s.headers.clone(), s.interval),
            None if arg == livefeed::demo::DEMO_SOURCE => {
                (Location::Demo, Default::default(), None)
            }
            None => (Location::parse(arg), Default::default(), None),
        };
        // Validated when the config was loaded, so this cannot fail here.
        let mapping = named.and_then(|s| s.json_mapping().ok().flatten());
        let every = cli.interval.or(every).unwrap_or(interval).max(1);
        plans.push(Plan {
            index,
            location,
            interval: Duration::from_secs(every),
            headers,
            max_bytes: config.limits.max_bytes,
            caps: Caps {
                entries: config.limits.max_entries_per_response,
                entry_bytes: config.limits.max_entry_bytes,
            },
            mapping,
        });
        labels.push(arg.clone());
    }
    (plans, labels)
}
