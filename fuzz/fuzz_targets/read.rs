//! format::Reader on arbitrary bytes arriving in pieces (their size from the first two
//! bytes): it must return, every string it returns must be clean, and when both it and a
//! whole read succeed they must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let [a, b, doc @ ..] = data else {
        return;
    };
    let size = usize::from(u16::from_le_bytes([*a, *b]) % 4096) + 1;
    let mut reader = livefeed::format::Reader::new(None, 0);
    let read = doc
        .chunks(size)
        .try_for_each(|c| reader.push(c))
        .and_then(|()| reader.finish(None));
    if let Ok(snap) = &read {
        common::check(snap);
        if let Ok(whole) = livefeed::format::parse(doc) {
            assert_eq!(snap, &whole, "read in pieces of {size} and whole");
        }
    }
});
