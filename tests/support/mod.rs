//! Shared support for the integration tests: a local HTTP server and a pseudo-terminal
//! driver for end-to-end runs of the real binary.
//!
//! Each file in tests/ is its own crate and uses only part of this, so unused items are
//! allowed here rather than warned about in every test binary.
#![allow(dead_code, unused_imports)]

pub mod pty;
pub mod server;

pub use pty::{Pty, keys};
pub use server::{ConditionalFeed, Request, Response, TestServer};

use std::time::Duration;

/// The default patience for anything a test waits on. Generous, because the machine may be
/// busy; a passing test never waits this long.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The livefeed binary Cargo built for this test run.
pub fn livefeed_bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_livefeed"))
}

/// A file under the shared sample fixtures, which live outside the repository.
///
/// When the folder is missing this panics if `CI` is set (CI must have them) and otherwise
/// prints a notice and returns None, so the caller can skip:
/// `let Some(path) = support::fixture("x/y.html") else { return };`
pub fn fixture(relative: &str) -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"));
    if root.is_dir() {
        return Some(root.join(relative));
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "sample fixtures missing at {} (required when CI is set)",
            root.display()
        );
    }
    eprintln!("skipping: sample fixtures not found at {}", root.display());
    None
}

/// Environment that keeps the binary away from the user's own files: HOME and the XDG
/// directories point inside `dir`. Pass it to [`Pty::spawn`] through [`env_refs`].
pub fn isolated_env(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let sub = |name: &str| dir.join(name).to_string_lossy().into_owned();
    vec![
        ("HOME", dir.to_string_lossy().into_owned()),
        ("XDG_CONFIG_HOME", sub("config")),
        ("XDG_CACHE_HOME", sub("cache")),
        ("XDG_DATA_HOME", sub("data")),
        ("XDG_STATE_HOME", sub("state")),
    ]
}

/// Borrows an owned environment list in the shape [`Pty::spawn`] takes.
pub fn env_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The JSON objects of `--output jsonl` output, one per line.
pub fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}
