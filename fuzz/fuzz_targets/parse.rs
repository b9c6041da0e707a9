//! format::parse on arbitrary bytes: it must return (never panic, never hang), and every
//! string it returns that reaches a terminal must be clean.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(snap) = livefeed::format::parse(data) {
        common::check(&snap);
    }
});
