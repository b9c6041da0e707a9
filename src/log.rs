//! Logging, only ever to a file: never onto the screen the reader draws.
//!
//! `--log FILE` turns it on at the `info` level; `RUST_LOG` (`error`, `warn`, `info` or
//! `debug`) sets the level and, without `--log`, writes to `livefeed/livefeed.log` in the
//! XDG state directory. Every line is sanitized: feed text and URLs cannot reach a terminal
//! through `tail -f` either.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// How much to log, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" | "" => Some(Level::Info),
            "debug" | "trace" => Some(Level::Debug),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
        }
    }
}

struct Sink {
    file: Mutex<File>,
    level: Level,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// The default log file: `livefeed/livefeed.log` in the XDG state directory.
pub fn default_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().ok()?;
    let dir = strategy.state_dir().unwrap_or_else(|| strategy.data_dir());
    Some(dir.join("livefeed").join("livefeed.log"))
}

/// Start logging if `--log` or `RUST_LOG` asks for it. Returns the file in use.
pub fn init(explicit: Option<&Path>) -> Result<Option<PathBuf>, String> {
    let env = std::env::var("RUST_LOG").ok();
    let level = match env.as_deref() {
        Some(v) => Level::parse(v).unwrap_or(Level::Info),
        None => Level::Info,
    };
    let path = match (explicit, env) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(_)) => default_path().ok_or("no home directory for the log file")?,
        (None, None) => return Ok(None),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open the log file {}: {e}", path.display()))?;
    let _ = SINK.set(Sink {
        file: Mutex::new(file),
        level,
    });
    Ok(Some(path))
}

/// Write one line at `level` (a no-op when logging is off or the level is filtered out).
pub fn write(level: Level, message: &str) {
    let Some(sink) = SINK.get() else {
        return;
    };
    if level > sink.level {
        return;
    }
    let line = format!(
        "{} {} {}\n",
        jiff::Timestamp::now(),
        level.name(),
        crate::text::one_line(message)
    );
    if let Ok(mut file) = sink.file.lock() {
        let _ = file.write_all(line.as_bytes());
    }
}

pub fn info(message: &str) {
    write(Level::Info, message);
}

pub fn warn(message: &str) {
    write(Level::Warn, message);
}

pub fn debug(message: &str) {
    write(Level::Debug, message);
}

#[cfg(test)]
mod tests {
    use super::Level;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(Level::parse("WARN"), Some(Level::Warn));
        assert_eq!(Level::parse("trace"), Some(Level::Debug));
        assert_eq!(Level::parse("nonsense"), None);
        assert!(Level::Error < Level::Debug);
    }
}
