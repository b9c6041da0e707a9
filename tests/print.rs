//! `--print` and `--follow`: the output contract for scripts.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::{ConditionalFeed, TIMEOUT};

fn feed(items: &[(&str, &str, u32)]) -> String {
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|(id, title, minute)| {
            serde_json::json!({
                "id": id,
                "title": title,
                "content_html": format!("<p>Body of <b>{id}</b> &amp; more.</p><p>Second paragraph.</p>"),
                "date_published": format!("2026-03-01T12:{minute:02}:00+01:00"),
                "authors": [{"name": "Ana Ruiz"}, {"name": "Ben Okoro"}],
                "url": format!("https://example.org/live#{id}"),
            })
        })
        .collect();
    serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour storm live",
        "items": items,
    })
    .to_string()
}

fn livefeed() -> Command {
    let mut cmd = Command::new(support::livefeed_bin());
    let home = std::env::temp_dir().join("livefeed-print-tests-home");
    cmd.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("TZ", "UTC");
    cmd
}

fn write_feed(dir: &tempfile::TempDir, body: &str) -> String {
    let path = dir.path().join("feed.json");
    std::fs::write(&path, body).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn jsonl_has_exactly_the_contract_fields_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_feed(&dir, &feed(&[("b", "Second", 20), ("a", "First", 10)]));
    let out = livefeed()
        .args(["--print", "--output", "jsonl", &path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = support::json_lines(&out.stdout);
    assert_eq!(lines.len(), 2);
    let first = lines[0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "authors",
            "id",
            "images",
            "key_event",
            "pinned",
            "published",
            "source",
            "status",
            "text",
            "title",
            "updated",
            "url"
        ]
    );
    assert_eq!(first["source"], path.as_str());
    assert_eq!(first["id"], "a");
    assert_eq!(first["title"], "First");
    assert_eq!(
        first["published"], "2026-03-01T11:10:00Z",
        "RFC 3339 in UTC"
    );
    assert_eq!(first["updated"], serde_json::Value::Null);
    assert_eq!(
        first["authors"],
        serde_json::json!(["Ana Ruiz", "Ben Okoro"])
    );
    assert_eq!(first["text"], "Body of a & more.\n\nSecond paragraph.");
    assert_eq!(first["url"], "https://example.org/live#a");
    assert_eq!(first["images"], serde_json::json!([]));
    assert_eq!(first["pinned"], false);
    assert_eq!(first["key_event"], false);
    assert_eq!(first["status"], "published");
    assert_eq!(lines[1]["id"], "b");
}

#[test]
fn text_output_is_a_readable_block_per_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_feed(&dir, &feed(&[("a", "First", 10)]));
    let out = livefeed().args(["--print", &path]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2026-03-01 11:10"), "{text}");
    assert!(text.contains("Ana Ruiz, Ben Okoro"), "{text}");
    assert!(
        text.contains("First\n\nBody of a & more.\n\nSecond paragraph.\n"),
        "{text}"
    );
    assert!(text.contains("https://example.org/live#a"), "{text}");
}

#[test]
fn a_failing_source_is_named_on_stderr_and_the_others_still_print() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_feed(&dir, &feed(&[("a", "First", 10)]));
    let missing = dir.path().join("missing.json");
    let missing = missing.to_string_lossy();
    let out = livefeed()
        .args(["--print", "--output", "jsonl", &path, &missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(missing.as_ref()), "{stderr}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
}

#[test]
fn a_page_without_a_live_blog_is_an_error_saying_what_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.html");
    std::fs::write(&path, "<html><body><p>Just a page</p></body></html>").unwrap();
    let out = livefeed()
        .args(["--print", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("page.html"), "{stderr}");
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["--interval", "0"][..],
        &["--print", "--follow", "x"],
        &["--output", "xml"],
    ] {
        let out = livefeed().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn follow_prints_what_exists_then_each_new_entry() {
    let doc = ConditionalFeed::new(feed(&[("b", "Second", 20), ("a", "First", 10)]));
    let server = doc.start();
    let url = server.url("/live.json");
    let mut child = livefeed()
        .args(["--follow", "--output", "jsonl", "--interval", "1", &url])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let id = |line: String| serde_json::from_str::<serde_json::Value>(&line).unwrap()["id"].clone();
    assert_eq!(id(rx.recv_timeout(TIMEOUT).unwrap()), "a");
    assert_eq!(id(rx.recv_timeout(TIMEOUT).unwrap()), "b");
    doc.set_body(feed(&[
        ("c", "Third", 30),
        ("b", "Second", 20),
        ("a", "First", 10),
    ]));
    assert_eq!(id(rx.recv_timeout(TIMEOUT).unwrap()), "c");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn log_lines_go_to_the_log_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_feed(&dir, &feed(&[("a", "First", 10)]));
    let log = dir.path().join("logs/livefeed.log");
    let out = livefeed()
        .args(["--print", "--log", log.to_str().unwrap(), &path])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "nothing on the terminal");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("INFO livefeed"), "{text}");
    assert!(text.contains("exiting with code 0"), "{text}");
}

#[test]
fn a_named_source_with_a_json_mapping_is_read_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let api = dir.path().join("api.json");
    std::fs::write(
        &api,
        r#"{"data": {"posts": [
            {"uuid": "p-2", "created": 1717243260, "headline": "Polls close",
             "html": "<p>Counting starts <b>now</b>.</p>", "writer": {"display": "Ana Lima"},
             "photo": {"src": "https://example.org/count.jpg", "text": "The count", "by": "AP"}},
            {"uuid": "p-1", "created": 1717243200, "headline": "Turnout high",
             "html": "<p>Queues everywhere.</p>", "writer": {"display": "Ben Okoro"}}
        ]}}"#,
    )
    .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[[source]]
name = "api"
url = "{}"

[source.mapping]
entries = "/data/posts"
id = "/uuid"
time = "/created"
title = "/headline"
body_html = "/html"
author = "/writer/display"
image = "/photo/src"
caption = "/photo/text"
credit = "/photo/by"
"#,
            api.display()
        ),
    )
    .unwrap();
    let out = livefeed()
        .args([
            "--config",
            config.to_str().unwrap(),
            "--print",
            "--output",
            "jsonl",
            "api",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = support::json_lines(&out.stdout);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "p-1");
    assert_eq!(lines[1]["title"], "Polls close");
    assert_eq!(lines[1]["text"], "Counting starts now.");
    assert_eq!(lines[1]["authors"], serde_json::json!(["Ana Lima"]));
    assert_eq!(lines[1]["published"], "2024-06-01T12:01:00Z");
    assert_eq!(
        lines[1]["images"],
        serde_json::json!([{"url": "https://example.org/count.jpg", "caption": "The count", "credit": "AP"}])
    );
    // A mapping with an unknown key is a config error naming it.
    std::fs::write(&config, "[[source]]\nname = \"api\"\nurl = \"x\"\n[source.mapping]\nentries = \"/a\"\nheadline = \"/b\"\n").unwrap();
    let out = livefeed()
        .args(["config", "check", config.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mapping") && stderr.contains("headline"),
        "{stderr}"
    );
}

/// A feed of `n` entries, newest first, each body long enough that the output of a few
/// hundred of them fills a pipe.
fn big_feed(n: u32) -> String {
    let items: Vec<(String, String, u32)> = (0..n)
        .rev()
        .map(|i| (format!("e{i}"), format!("Update {i}"), i % 60))
        .collect();
    let items: Vec<(&str, &str, u32)> = items
        .iter()
        .map(|(id, title, minute)| (id.as_str(), title.as_str(), *minute))
        .collect();
    feed(&items)
}

#[test]
fn print_writes_every_entry_of_a_big_feed_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_feed(&dir, &big_feed(3_000));
    let out = livefeed()
        .args(["--print", "--output", "jsonl", &path])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.len() > 4 * 64 * 1024, "several blocks of output");
    let lines = support::json_lines(&out.stdout);
    assert_eq!(lines.len(), 3_000);
    let mut ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3_000);
}

#[test]
fn a_closed_pipe_ends_print_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_feed(&dir, &big_feed(3_000));
    let mut child = livefeed()
        .args(["--print", &path])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("── 2026-03-01"), "{first}");
    // The reader is gone (as after `| head -1`): the program stops writing and exits.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let out = child.wait_with_output().unwrap();
        let _ = tx.send(out);
    });
    let out = rx
        .recv_timeout(TIMEOUT)
        .expect("exits once its reader is gone");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
