//! `livefeed --print --output jsonl FILE` gives, for every sample, what the parser gives:
//! the same entries (ids, headlines, UTC times, authors, text), oldest first.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for dir in ["formats", "more"] {
        for e in std::fs::read_dir(own.join(dir)).unwrap() {
            out.push(e.unwrap().path());
        }
    }
    if let Some(shared) = support::fixture("") {
        for dir in ["jsonfeed", "jsonld-html", "liveblog-html", "guardian-capi"] {
            for e in std::fs::read_dir(shared.join(dir)).unwrap() {
                out.push(e.unwrap().path());
            }
        }
    }
    out.sort();
    out
}

/// The bytes of a sample, gunzipped when it is stored compressed.
fn bytes(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

#[test]
fn the_command_line_prints_what_the_parser_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for path in samples() {
        let data = bytes(&path);
        let file = tmp.path().join(path.file_name().unwrap());
        std::fs::write(&file, &data).unwrap();
        let out = Command::new(support::livefeed_bin())
            .args(["--print", "--output", "jsonl"])
            .arg(&file)
            .env("HOME", tmp.path())
            .output()
            .unwrap();
        let name = path.display();
        match livefeed::format::parse(&data) {
            Err(_) => {
                assert_eq!(out.status.code(), Some(1), "{name}: refused by both");
                assert!(out.stdout.is_empty(), "{name}");
            }
            Ok(snapshot) => {
                assert!(
                    out.status.success(),
                    "{name}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let lines = support::json_lines(&out.stdout);
                // Duplicate ids inside one document keep the first.
                let mut seen = std::collections::HashSet::new();
                let mut want: Vec<&livefeed::entry::Entry> = snapshot
                    .entries
                    .iter()
                    .filter(|e| seen.insert(e.id.clone()))
                    .collect();
                assert_eq!(lines.len(), want.len(), "{name}: entry count");
                want.sort_by_key(|e| e.time());
                let printed_ids: std::collections::BTreeSet<&str> =
                    lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
                for e in &want {
                    assert!(
                        printed_ids.contains(e.id.as_str()),
                        "{name}: {} missing",
                        e.id
                    );
                }
                for line in &lines {
                    let e = want.iter().find(|e| e.id == line["id"]).unwrap();
                    assert_eq!(line["title"], e.title.as_str(), "{name}");
                    assert_eq!(line["text"], e.text.as_str(), "{name}");
                    assert_eq!(
                        line["published"],
                        e.published
                            .map(|t| t.to_string())
                            .map_or(serde_json::Value::Null, Into::into),
                        "{name}"
                    );
                    assert_eq!(line["authors"], serde_json::json!(e.authors), "{name}");
                }
                // Oldest first.
                let times: Vec<&str> = lines
                    .iter()
                    .filter_map(|l| l["published"].as_str())
                    .collect();
                let mut sorted = times.clone();
                sorted.sort();
                assert_eq!(times, sorted, "{name}: oldest first");
            }
        }
        checked += 1;
    }
    assert!(checked >= 13, "only {checked} samples");
}
