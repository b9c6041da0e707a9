//! Write a big synthetic live blog to stdout, for benchmarks and load tests.
//!
//! `cargo run --release --example generate -- --format jsonfeed --entries 10000 [--seed 1]`
//! Formats: jsonfeed, rss, atom, jsonld-html. The same seed gives the same bytes.

// Some helpers are used by the benchmarks only.
#[allow(dead_code)]
mod synth;

use std::io::Write;

fn usage() -> ! {
    eprintln!("usage: generate --format <jsonfeed|rss|atom|jsonld-html> --entries N [--seed S]");
    std::process::exit(2)
}

fn main() {
    let mut format = None;
    let mut entries = None;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--format" => {
                format = Some(synth::Format::from_name(&value).unwrap_or_else(|| usage()))
            }
            "--entries" => entries = Some(value.parse().unwrap_or_else(|_| usage())),
            "--seed" => seed = value.parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    let (Some(format), Some(entries)) = (format, entries) else {
        usage()
    };
    let posts = synth::posts(entries, seed);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Err(e) = synth::write(format, &posts, &mut out).and_then(|()| out.flush()) {
        eprintln!("generate: {e}");
        std::process::exit(1);
    }
}
