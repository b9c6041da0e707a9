//! livefeed: follow live blogs in the terminal.
//!
//! # Layout
//! - [`cli`]: command-line definitions.
//! - [`commands`]: the subcommands (completions, man page, config path/init/check).
//! - [`config`]: TOML configuration (embedded defaults < user file < command line).
//! - [`entry`]: the normalized entry and snapshot types every format produces, and the
//!   form the store holds an entry in (all its strings in one block).
//! - [`format`](mod@format): detect a document's format and parse it into a snapshot; a JSON
//!   Feed is read item by item while it arrives (`format/reader.rs`, `format/split.rs`), an
//!   RSS or Atom feed a run of items at a time (`format/syndication/stream.rs`).
//! - [`text`]: HTML to plain text, sanitizing of untrusted text, width-correct truncation.
//! - [`source`]: fetching bytes chunk by chunk: http (caps, timeouts, conditional GET) and
//!   files.
//! - [`poll`]: one task per source on its schedule, sending results over a channel.
//! - [`par`]: independent work per item spread over the cores.
//! - [`store`]: entries by id: merge, new/seen, edits, ordering.
//! - [`query`]: the filter language: parse, match, highlight ranges.
//! - [`model`]: UI state anchored to entry ids, and the pure `update`.
//! - [`number`]: small numbers written as ASCII, to share a string with text.
//! - [`keymap`]: actions and the key bindings that produce them.
//! - [`log`]: logging to a file only (`--log FILE` or `RUST_LOG`).
//! - [`theme`]: named styles; every colour on screen comes from here.
//! - [`ui`]: pure views of the model.
//! - [`app`]: terminal lifecycle and the one event loop.
//! - [`headless`]: `--print` / `--follow` output.
//! - [`demo`]: the built-in demo live blog and its replay clock.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod entry;
pub mod format;
pub mod headless;
pub mod keymap;
pub mod log;
pub mod model;
pub mod number;
pub mod par;
pub mod poll;
pub mod query;
pub mod scratch;
pub mod source;
pub mod store;
pub mod text;
pub mod theme;
pub mod ui;
