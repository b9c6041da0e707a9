//! Every way out gives the terminal back: the real binary in a pseudo-terminal, ended by
//! keys, signals, a vanished terminal and a crash (a panic while drawing or in a poller,
//! forced through `LIVEFEED_DEBUG_PANIC`, which only debug builds read), but not by a panic
//! in a parser thread; Ctrl-Z and fg; resizes through tiny sizes.

mod support;

use std::time::{Duration, Instant};

use support::{Pty, Response, TIMEOUT, TestServer};

/// Leaving the alternate screen, showing the cursor, mouse reporting off.
const RESTORE: [&[u8]; 3] = [b"\x1b[?1049l", b"\x1b[?25h", b"\x1b[?1000l"];

fn demo(cols: u16, rows: u16) -> (Pty, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let env = support::isolated_env(home.path());
    let env = support::env_refs(&env);
    let pty = Pty::spawn(support::livefeed_bin(), &[], &env, cols, rows);
    pty.wait_for_text("Storm Idrenne", TIMEOUT).unwrap();
    (pty, home)
}

fn assert_restored(pty: &Pty, how: &str) {
    let raw = pty.raw_output();
    for seq in RESTORE {
        let entered = raw.windows(seq.len()).rposition(|w| w == seq);
        assert!(
            entered.is_some(),
            "{how}: {:?} missing",
            String::from_utf8_lossy(seq)
        );
    }
    // The last alternate-screen switch is the one out of it.
    let enter = raw.windows(8).rposition(|w| w == b"\x1b[?1049h");
    let leave = raw.windows(8).rposition(|w| w == b"\x1b[?1049l");
    assert!(leave > enter, "{how}: still in the alternate screen");
}

#[test]
fn q_and_ctrl_c_restore_the_terminal() {
    for key in ["q", "\x03"] {
        let (pty, _home) = demo(80, 24);
        pty.send(key);
        let status = pty.wait_exit(TIMEOUT).expect("it quits");
        assert!(status.success(), "{key:?}");
        assert_restored(&pty, key);
    }
}

#[test]
fn signals_restore_the_terminal() {
    for (name, sig) in [
        ("SIGTERM", libc::SIGTERM),
        ("SIGHUP", libc::SIGHUP),
        ("SIGINT", libc::SIGINT),
    ] {
        let (pty, _home) = demo(80, 24);
        pty.signal(sig);
        assert!(pty.wait_exit(TIMEOUT).is_some(), "{name} ends it");
        assert_restored(&pty, name);
    }
}

#[test]
fn a_vanished_terminal_ends_the_program_quickly() {
    let (mut pty, _home) = demo(80, 24);
    let pid = pty.pid().unwrap();
    let start = Instant::now();
    pty.close_master();
    // Wait for the process to go, without the pty (its master is closed).
    let gone = loop {
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z ");
        if !alive || start.elapsed() > Duration::from_secs(5) {
            break !alive;
        }
        std::thread::yield_now();
    };
    assert!(gone, "still running after the terminal closed");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn ctrl_z_suspends_with_the_terminal_restored_and_fg_redraws() {
    // Job control needs a shell: run livefeed from an interactive bash, as a user would.
    let home = tempfile::tempdir().unwrap();
    let env = support::isolated_env(home.path());
    let mut env = support::env_refs(&env);
    env.push(("PS1", "shell$ "));
    let bash = std::path::Path::new("/bin/bash");
    let pty = Pty::spawn(bash, &["--norc", "--noprofile", "-i"], &env, 100, 30);
    pty.wait_for_text("shell$", TIMEOUT).unwrap();
    pty.send(&format!("{}\r", support::livefeed_bin().display()));
    pty.wait_for_text("Storm Idrenne", TIMEOUT).unwrap();
    let before = pty.raw_output().len();
    pty.send("\x1a");
    // Stopped, with the terminal given back to the shell.
    pty.wait_for_text("Stopped", TIMEOUT).unwrap();
    let raw = pty.raw_output();
    assert!(
        raw[before..].windows(8).any(|w| w == b"\x1b[?1049l"),
        "left the alternate screen"
    );
    assert!(
        raw[before..].windows(8).any(|w| w == b"\x1b[?1000l"),
        "mouse reporting off"
    );
    // fg: it takes the screen back and draws everything again.
    pty.send("fg\r");
    pty.wait_for_text("Storm Idrenne", TIMEOUT).unwrap();
    pty.wait_for_text("? help", TIMEOUT).unwrap();
    pty.send("q");
    // Out for good: the second time it leaves the alternate screen.
    let leaves = |raw: &[u8]| raw.windows(8).filter(|w| *w == b"\x1b[?1049l").count();
    let start = Instant::now();
    while leaves(&pty.raw_output()) < 2 {
        assert!(start.elapsed() < TIMEOUT, "livefeed did not quit after fg");
        std::thread::yield_now();
    }
    pty.wait_for_raw(b"\x1b[?25h", TIMEOUT).unwrap();
    assert_restored(&pty, "after fg");
    pty.send("exit\r");
    pty.wait_exit(TIMEOUT);
}

#[test]
fn resizes_through_tiny_sizes_keep_it_alive() {
    let (pty, _home) = demo(80, 24);
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 3),
        (10, 2),
        (250, 80),
        (3, 3),
        (99, 10),
        (100, 10),
        (80, 24),
    ] {
        pty.resize(w, h);
    }
    // Help open through tiny sizes (the filter prompt and other states at every size are
    // covered on the TestBackend in tests/ui.rs).
    pty.send("?");
    pty.wait_for_text("any key closes", TIMEOUT).unwrap();
    for (w, h) in [(20, 6), (120, 40)] {
        pty.resize(w, h);
    }
    pty.wait_for_text("any key closes", TIMEOUT).unwrap();
    assert!(pty.is_alive());
    pty.send("x");
    // Under heavy load a key typed right after a burst of resizes has been seen to go
    // unnoticed by this harness; a second one always lands.
    if pty
        .wait_for_no_text("any key closes", Duration::from_secs(3))
        .is_err()
    {
        pty.send("x");
        pty.wait_for_no_text("any key closes", TIMEOUT).unwrap();
    }
    pty.send("q");
    let status = pty.wait_exit(TIMEOUT);
    assert!(
        status.is_some(),
        "still running; screen:\n{}",
        pty.screen_text()
    );
}

// ---------------------------------------------------------------------------------------
// Crashes

/// The terminal after the program: the shell's screen, cursor shown, mouse reporting off,
/// line editing and echo back on.
fn assert_modes_restored(pty: &Pty, how: &str) {
    let screen = pty.screen();
    assert!(!screen.alternate_screen(), "{how}: alternate screen");
    assert!(!screen.hide_cursor(), "{how}: cursor hidden");
    assert_eq!(
        screen.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "{how}: mouse reporting on"
    );
    assert_eq!(pty.is_cooked(), Some(true), "{how}: still in raw mode");
}

/// `livefeed ARGS` with `LIVEFEED_DEBUG_PANIC=place`, in a terminal wide enough that the
/// report's one line stays one row.
fn crashing(place: &str, args: &[&str]) -> (Pty, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let env = support::isolated_env(home.path());
    let mut env = support::env_refs(&env);
    env.push(("LIVEFEED_DEBUG_PANIC", place));
    env.push(("RUST_BACKTRACE", "0"));
    let pty = Pty::spawn(support::livefeed_bin(), args, &env, 200, 30);
    (pty, home)
}

/// The screen's rows that start with `prefix`.
fn rows_starting(pty: &Pty, prefix: &str) -> Vec<String> {
    pty.screen_text()
        .lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_panic_while_drawing_restores_the_terminal_and_says_so() {
    let (pty, _home) = crashing("ui", &[]);
    let status = pty.wait_exit(TIMEOUT).expect("the program ends");
    assert!(!status.success(), "{status:?}");
    assert_eq!(status.exit_code(), 101, "the exit code of a panic");
    // It had taken the terminal and drawn the first frame before the crash.
    assert!(pty.raw_contains(b"\x1b[?1049h"));
    assert!(pty.raw_contains(b"\x1b[?1000h"), "mouse reporting was on");
    assert_restored(&pty, "a panic while drawing");
    assert_modes_restored(&pty, "a panic while drawing");
    // On the shell's screen: the panic itself, then one line saying what happened.
    let screen = pty.screen_text();
    assert!(
        screen.contains("forced by LIVEFEED_DEBUG_PANIC=ui"),
        "{screen}"
    );
    assert_eq!(
        rows_starting(&pty, "livefeed:"),
        ["livefeed: internal error: the screen crashed (this is a bug); the terminal was restored"],
        "{screen}"
    );
}

/// A poller panic ends the program: terminal restored, non-zero exit, one line that says
/// so, and nothing of the reader drawn on the shell's screen after it.
fn assert_poller_crash_ends_cleanly(pty: &Pty, drawn: &[u8], how: &str) {
    let status = pty.wait_exit(TIMEOUT).expect("the program ends");
    assert_eq!(status.exit_code(), 1, "{how}: {status:?}");
    assert!(pty.raw_contains(drawn), "{how}: the first fetch was shown");
    assert_restored(pty, how);
    assert_modes_restored(pty, how);
    let screen = pty.screen_text();
    assert_eq!(
        rows_starting(pty, "livefeed:"),
        [
            "livefeed: internal error: a source's poller crashed (this is a bug): forced by LIVEFEED_DEBUG_PANIC=poller"
        ],
        "{how}: {screen}"
    );
    // The message is all there is: no panic report mid-drawing, no frame after the restore.
    assert_eq!(screen.trim(), rows_starting(pty, "livefeed:")[0], "{how}");
}

#[test]
fn a_panic_in_the_demo_poller_ends_the_program_cleanly() {
    let (pty, _home) = crashing("poller", &[]);
    assert_poller_crash_ends_cleanly(&pty, b"Storm Idrenne", "demo");
}

#[test]
fn a_panic_in_a_network_poller_ends_the_program_cleanly() {
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Harbour storm live",
        "items": [{"id": "a", "title": "Storm warning", "content_html": "<p>Body.</p>",
                   "date_published": "2026-03-01T12:00:00Z"}],
    })
    .to_string();
    let server = TestServer::always(Response::ok(feed));
    let url = server.url("/live");
    let (pty, _home) = crashing("poller", &[&url]);
    assert_poller_crash_ends_cleanly(&pty, b"Harbour storm live", "network");
    assert_eq!(server.request_count(), 1, "no poll after the crash");
}

#[test]
fn a_panic_in_the_parser_thread_leaves_the_reader_running() {
    let (pty, _home) = crashing("parser", &[]);
    // Every document fails to parse: a failed fetch, shown in the status line.
    pty.wait_for_text("the parser crashed on this document", TIMEOUT)
        .unwrap();
    // The reader still owns the terminal, untouched by the panic.
    assert!(pty.is_alive());
    let screen = pty.screen();
    assert!(screen.alternate_screen(), "left the alternate screen");
    assert_eq!(pty.is_cooked(), Some(false), "raw mode switched off");
    assert!(
        !pty.raw_contains(b"\x1b[?1049l"),
        "restored under the reader"
    );
    assert!(
        !pty.raw_contains(b"panicked"),
        "a panic report drawn over the reader"
    );
    pty.send("q");
    let status = pty.wait_exit(TIMEOUT).expect("it quits");
    assert!(status.success(), "{status:?}");
    assert_restored(&pty, "q after a parser panic");
    assert_modes_restored(&pty, "q after a parser panic");
}
