//! Times what a terminal program shows: runs a command in a pseudo-terminal and prints how
//! long after its start the screen first showed each thing asked for.
//!
//! ```text
//! cargo run --release --example screen_clock -- [--size 120x40] [--entries N]
//!     [--until TEXT]... [--limit SECS] -- PROGRAM [ARGS]...
//! ```
//!
//! - `--entries N`: livefeed's list title, `entries (K)`. Prints `first_entries` (the first
//!   screen with K > 0) and `full_list` (the first with K ≥ N).
//! - `--until TEXT`: the first screen that contains TEXT (any program, e.g. another reader's
//!   list).
//!
//! The screen is read after every chunk of output, so the times are those of the frames
//! themselves (within the time to read and parse a chunk), not of a poll of the screen.
//! The program is ended (SIGKILL) once everything was seen, or after `--limit` seconds.
//! It also prints the program's peak RSS at that moment (`VmHWM`, kB), and how much of
//! its memory then is its own (`RssAnon`) and mapped from files (`RssFile`: its code), and
//! the CPU time it used until then, in all and on its first thread (livefeed's screen).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Args {
    cols: u16,
    rows: u16,
    entries: Option<u64>,
    until: Vec<String>,
    limit: Duration,
    command: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        cols: 120,
        rows: 40,
        entries: None,
        until: Vec::new(),
        limit: Duration::from_secs(60),
        command: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--size" => {
                let v = value()?;
                let (c, r) = v.split_once('x').ok_or("--size is COLSxROWS")?;
                args.cols = c.parse().map_err(|_| "bad columns")?;
                args.rows = r.parse().map_err(|_| "bad rows")?;
            }
            "--entries" => args.entries = Some(value()?.parse().map_err(|_| "bad --entries")?),
            "--until" => args.until.push(value()?),
            "--limit" => {
                let secs: f64 = value()?.parse().map_err(|_| "bad --limit")?;
                args.limit = Duration::from_secs_f64(secs);
            }
            "--" => {
                args.command = it.collect();
                break;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.command.is_empty() {
        return Err("no command after --".into());
    }
    Ok(args)
}

/// The count in the first `entries (K)` on the screen.
fn entries_on(screen: &str) -> Option<u64> {
    let at = screen.find("entries (")? + "entries (".len();
    let digits: String = screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// A figure of the program's `/proc/PID/status`, in kB (`VmHWM`, `RssAnon`, `RssFile`).
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How many times the program's threads were switched out so far, waiting (for a lock, a
/// channel, the network) or not (their time was up), summed over its threads.
fn context_switches(pid: u32) -> Option<u64> {
    let mut n = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let status = std::fs::read_to_string(task.ok()?.path().join("status")).ok()?;
        for line in status.lines() {
            if let Some(v) = line
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                n += v.trim().parse::<u64>().ok()?;
            }
        }
    }
    Some(n)
}

/// CPU seconds (user and system) of the program's first thread (`/proc/PID/task/PID/stat`:
/// in livefeed the screen's thread) and of the whole program.
fn cpu_seconds(pid: u32) -> [Option<f64>; 2] {
    let ticks = |path: String| {
        let stat = std::fs::read_to_string(path).ok()?;
        // Fields after the command name (which may hold spaces) in parentheses.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        let (user, system): (u64, u64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
        // SAFETY: sysconf only reads a system setting.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        Some((user + system) as f64 / hz)
    };
    [
        ticks(format!("/proc/{pid}/task/{pid}/stat")),
        ticks(format!("/proc/{pid}/stat")),
    ]
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("screen_clock: {e}");
            std::process::exit(2);
        }
    };
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: args.rows,
            cols: args.cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(&args.command[0]);
    cmd.args(&args.command[1..]);
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(std::env::current_dir().expect("current dir"));
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn in a pty");
    drop(pair.slave);
    let pid = child.process_id().unwrap_or(0);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let mut writer = pair.master.take_writer().expect("pty writer");

    // Chunks of output, read on a thread of their own so the limit can be kept.
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = vec![0; 1 << 16];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });

    let mut parser = vt100::Parser::new(args.rows, args.cols, 0);
    let mut first_entries = None;
    let mut full_list = None;
    let mut seen: Vec<Option<f64>> = vec![None; args.until.len()];
    let done = |first: &Option<f64>, full: &Option<f64>, seen: &[Option<f64>]| {
        seen.iter().all(Option::is_some)
            && (args.entries.is_none() || (first.is_some() && full.is_some()))
    };
    while !done(&first_entries, &full_list, &seen) {
        let Some(left) = args.limit.checked_sub(start.elapsed()) else {
            break;
        };
        let Ok(chunk) = rx.recv_timeout(left) else {
            break;
        };
        let at = start.elapsed().as_secs_f64();
        // The queries a program may wait on at start: cursor position, device attributes.
        if chunk.windows(4).any(|w| w == b"\x1b[6n") {
            let _ = writer.write_all(b"\x1b[1;1R");
        }
        if chunk.windows(3).any(|w| w == b"\x1b[c") || chunk.windows(4).any(|w| w == b"\x1b[0c") {
            let _ = writer.write_all(b"\x1b[?62;22c");
        }
        parser.process(&chunk);
        let screen = parser.screen().contents();
        if let (Some(n), Some(k)) = (args.entries, entries_on(&screen)) {
            if k > 0 && first_entries.is_none() {
                first_entries = Some(at);
            }
            if k >= n && full_list.is_none() {
                full_list = Some(at);
            }
        }
        for (text, seen) in args.until.iter().zip(seen.iter_mut()) {
            if seen.is_none() && screen.contains(text.as_str()) {
                *seen = Some(at);
            }
        }
    }
    let memory = ["VmHWM", "RssAnon", "RssFile"].map(|f| status_kb(pid, f));
    let cpu = cpu_seconds(pid);
    let switches = context_switches(pid);
    let _ = child.kill();
    let _ = child.wait();

    let show = |t: Option<f64>| t.map_or("NaN".to_string(), |t| format!("{t:.4}"));
    if args.entries.is_some() {
        println!("first_entries {}", show(first_entries));
        println!("full_list {}", show(full_list));
    }
    for (text, t) in args.until.iter().zip(&seen) {
        println!("until {:?} {}", text, show(*t));
    }
    let kb = |v: Option<u64>| v.map_or("NaN".into(), |v| v.to_string());
    println!("peak_rss_kb {}", kb(memory[0]));
    println!("rss_anon_kb {}", kb(memory[1]));
    println!("rss_file_kb {}", kb(memory[2]));
    let secs = |v: Option<f64>| v.map_or("NaN".into(), |v| format!("{v:.2}"));
    println!("cpu_first_thread_s {}", secs(cpu[0]));
    println!("cpu_s {}", secs(cpu[1]));
    println!(
        "context_switches {}",
        switches.map_or("NaN".into(), |n| n.to_string())
    );
    if !done(&first_entries, &full_list, &seen) {
        eprintln!("screen_clock: not everything showed within the limit; the last screen:");
        eprintln!("{}", parser.screen().contents());
        std::process::exit(1);
    }
}
