//! RSS items and Atom entries read directly against feed-rs's reading of them.
//!
//! The input is the items of a feed; its first byte chooses an RSS 2.0 or an Atom
//! envelope (with the namespaces and base feeds declare), the rest goes between.
#![no_main]

use libfuzzer_sys::fuzz_target;

const RSS: (&str, &str) = (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
     xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
     xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
     xmlns:media=\"http://search.yahoo.com/mrss/\" xmlns:x=\"urn:x\">\n<channel>",
    "</channel></rss>",
);
const ATOM: (&str, &str) = (
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
     xmlns:media=\"http://search.yahoo.com/mrss/\" xml:base=\"https://base.example/live/\">",
    "</feed>",
);

fuzz_target!(|data: &[u8]| {
    let Some((&first, items)) = data.split_first() else {
        return;
    };
    let (open, close) = if first & 1 == 0 { RSS } else { ATOM };
    let mut doc = open.as_bytes().to_vec();
    doc.extend_from_slice(items);
    doc.extend_from_slice(close.as_bytes());
    livefeed::format::syndication::check_direct(&doc);
});
