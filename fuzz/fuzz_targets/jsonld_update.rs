//! A JSON-LD update read directly from its text against its reading through a
//! `serde_json::Value`: whatever the value gives, the direct reading must give.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        livefeed::format::jsonld::check_typed(text);
    }
});
