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
