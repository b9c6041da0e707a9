//! Drive a program in a pseudo-terminal and look at what it drew.
//!
//! Why: the TUI's promises (alternate screen entered and left, cursor restored, resize
//! handled, clean exit on hangup) only show up in the bytes a real terminal would receive.
//! A reader thread feeds every byte into a `vt100` screen and keeps the raw bytes too; tests
//! block on a condvar that the reader signals after each chunk, so nothing sleeps.
//!
//! The emulated terminal answers the two queries a TUI may block on at start: cursor
//! position (`CSI 6 n`) and primary device attributes (`CSI c`). OSC 52 clipboard writes,
//! titles and bells are recorded.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use portable_pty::{ChildKiller, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub use portable_pty::ExitStatus;

pub mod keys;
mod recorder;

pub use recorder::Recorder;

struct State {
    parser: vt100::Parser<Recorder>,
    raw: Vec<u8>,
    exit: Option<ExitStatus>,
    /// The reader saw end of output (every slave handle closed) or was stopped.
    eof: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A child process running in a pseudo-terminal.
pub struct Pty {
    shared: Arc<Shared>,
    writer: Arc<Mutex<Option<File>>>,
    master: Option<Box<dyn MasterPty + Send>>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    pid: Option<u32>,
    reader: Option<JoinHandle<()>>,
    stop_reader: Option<std::io::PipeWriter>,
}

impl Pty {
    /// Starts `program` in a `cols`×`rows` terminal with `TERM=xterm-256color` (override it
    /// through `env`), the rest of the environment inherited, in the current directory.
    pub fn spawn(program: &Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Pty::spawn_command(cmd, cols, rows)
    }

    /// Starts a prepared command (to set the directory, remove variables, ...). The
    /// command's directory defaults to the current one, not to `$HOME`.
    pub fn spawn_command(mut cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        if cmd.get_cwd().is_none() {
            cmd.cwd(std::env::current_dir().expect("current dir"));
        }
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        let pair = native_pty_system().openpty(size).expect("open a pty");
        let mut child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        // Only the child may hold the slave side, or the reader would never see the end.
        drop(pair.slave);
        let master = pair.master;
        let fd = master.as_raw_fd().expect("unix master has a fd");
        // SAFETY: `fd` belongs to `master`, which is alive for this borrow.
        let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let reader_file = File::from(borrowed.try_clone_to_owned().expect("dup master"));
        let writer_file = File::from(borrowed.try_clone_to_owned().expect("dup master"));

        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                parser: vt100::Parser::new_with_callbacks(
                    rows.max(2),
                    cols.max(2),
                    0,
                    Recorder::default(),
                ),
                raw: Vec::new(),
                exit: None,
                eof: false,
            }),
            changed: Condvar::new(),
        });
        let writer = Arc::new(Mutex::new(Some(writer_file)));
        let (stop_rx, stop_tx) = std::io::pipe().expect("pipe");

        let pid = child.process_id();
        let killer = child.clone_killer();
        let wait_shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("pty-wait".into())
            .spawn(move || {
                let status = child
                    .wait()
                    .unwrap_or_else(|_| ExitStatus::with_signal("wait failed"));
                lock(&wait_shared.state).exit = Some(status);
                wait_shared.changed.notify_all();
            })
            .expect("spawn pty wait thread");

        let read_shared = Arc::clone(&shared);
        let read_writer = Arc::clone(&writer);
        let reader = thread::Builder::new()
            .name("pty-read".into())
            .spawn(move || read_loop(reader_file, stop_rx, &read_shared, &read_writer))
            .expect("spawn pty reader thread");

        Pty {
            shared,
            writer,
            master: Some(master),
            killer,
            pid,
            reader: Some(reader),
            stop_reader: Some(stop_tx),
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Types text (sent as is, UTF-8).
    pub fn send(&self, text: &str) {
        self.send_bytes(text.as_bytes());
    }

    /// Sends raw bytes to the program. Panics once the master side is closed.
    pub fn send_bytes(&self, bytes: &[u8]) {
        let mut w = lock(&self.writer);
        let file = w.as_mut().expect("pty master already closed");
        file.write_all(bytes).expect("write to pty");
        let _ = file.flush();
    }

    /// Blocks until `pred` holds for the screen. Fails at the deadline, or as soon as the
    /// output has ended, with the screen in the message. `pred` runs under the screen's lock:
    /// it must look only at the screen it is given, not call back into this `Pty`.
    pub fn wait_for(
        &self,
        mut pred: impl FnMut(&vt100::Screen) -> bool,
        timeout: Duration,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.shared.state);
        loop {
            if pred(st.parser.screen()) {
                return Ok(());
            }
            let now = Instant::now();
            if st.eof || now >= deadline {
                let why = if st.eof {
                    "the terminal output ended"
                } else {
                    "timed out"
                };
                return Err(format!(
                    "{why} after {timeout:?} waiting for the screen; it shows:\n{}",
                    screen_text_of(st.parser.screen())
                ));
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Blocks until `text` appears on the screen (within one row).
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> Result<(), String> {
        self.wait_for(|s| screen_text_of(s).contains(text), timeout)
            .map_err(|e| format!("looking for {text:?}: {e}"))
    }

    /// Blocks until `text` is gone from the screen.
    pub fn wait_for_no_text(&self, text: &str, timeout: Duration) -> Result<(), String> {
        self.wait_for(|s| !screen_text_of(s).contains(text), timeout)
            .map_err(|e| format!("waiting for {text:?} to go: {e}"))
    }

    /// Blocks until the raw output contains `needle` (for escape sequences).
    pub fn wait_for_raw(&self, needle: &[u8], timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.shared.state);
        loop {
            if contains(&st.raw, needle) {
                return Ok(());
            }
            let now = Instant::now();
            if st.eof || now >= deadline {
                return Err(format!(
                    "raw output never contained {:?}; last bytes: {:?}",
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(&st.raw[st.raw.len().saturating_sub(400)..])
                ));
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The screen as text: rows joined by `\n`, trailing spaces trimmed.
    pub fn screen_text(&self) -> String {
        screen_text_of(lock(&self.shared.state).parser.screen())
    }

    /// One row (0-based), trailing spaces trimmed; empty past the bottom.
    pub fn row(&self, n: u16) -> String {
        let st = lock(&self.shared.state);
        let screen = st.parser.screen();
        let (_, cols) = screen.size();
        screen
            .rows(0, cols)
            .nth(usize::from(n))
            .map(|r| r.trim_end().to_string())
            .unwrap_or_default()
    }

    /// A copy of the screen, for cell styles (`cell(row, col)`), cursor and modes.
    pub fn screen(&self) -> vt100::Screen {
        lock(&self.shared.state).parser.screen().clone()
    }

    /// Runs `f` on the live screen without copying it.
    pub fn with_screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(lock(&self.shared.state).parser.screen())
    }

    /// Every byte the program wrote so far.
    pub fn raw_output(&self) -> Vec<u8> {
        lock(&self.shared.state).raw.clone()
    }

    pub fn raw_contains(&self, needle: &[u8]) -> bool {
        contains(&lock(&self.shared.state).raw, needle)
    }

    /// OSC 52 clipboard writes so far: (selection, decoded data).
    pub fn clipboard(&self) -> Vec<(String, Vec<u8>)> {
        lock(&self.shared.state)
            .parser
            .callbacks()
            .clipboard
            .clone()
    }

    pub fn title(&self) -> String {
        lock(&self.shared.state).parser.callbacks().title.clone()
    }

    pub fn bells(&self) -> usize {
        lock(&self.shared.state).parser.callbacks().bells
    }

    /// Resizes the emulated screen and the pty (the child gets SIGWINCH).
    pub fn resize(&self, cols: u16, rows: u16) {
        // The emulator keeps at least 2 columns and 2 rows: vt100 overflows when a wide
        // character that was sent for an earlier, wider size lands on a 1-column screen,
        // and when a line wraps on a 1-row screen (the scroll moves the cursor's row above
        // row 0). The program still sees the real size.
        lock(&self.shared.state)
            .parser
            .screen_mut()
            .set_size(rows.max(2), cols.max(2));
        let size = PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        };
        self.master
            .as_ref()
            .expect("pty master already closed")
            .resize(size)
            .expect("resize pty");
    }

    /// Whether the terminal is in the cooked mode a shell expects (line editing and echo
    /// on), not raw mode. Read from the master side, which reports the terminal's settings
    /// even after the child has exited. None once the master is closed.
    pub fn is_cooked(&self) -> Option<bool> {
        let fd = self.master.as_ref()?.as_raw_fd()?;
        // SAFETY: termios is plain data, so all zeroes is a valid value.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: `fd` is the master's, open while `self.master` lives; `t` is writable.
        if unsafe { libc::tcgetattr(fd, &mut t) } != 0 {
            return None;
        }
        Some(t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0)
    }

    /// Sends a signal (e.g. `libc::SIGTERM`) to the child by its pid.
    pub fn signal(&self, sig: i32) {
        let pid = self.pid.expect("child pid") as libc::pid_t;
        // SAFETY: kill has no memory effects; the pid is our own child.
        unsafe {
            libc::kill(pid, sig);
        }
    }

    /// Kills the child (SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.killer.kill();
    }

    pub fn is_alive(&self) -> bool {
        lock(&self.shared.state).exit.is_none()
    }

    /// The exit status if the child has exited.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        lock(&self.shared.state).exit.clone()
    }

    /// Waits for the child to exit, then (within the same deadline) for its last output to
    /// be read. None if it is still running at the deadline.
    pub fn wait_exit(&self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.shared.state);
        loop {
            let now = Instant::now();
            if st.exit.is_some() && (st.eof || now >= deadline) {
                return st.exit.clone();
            }
            if now >= deadline {
                return None;
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Closes every handle on the master side, as when a terminal window or SSH session
    /// vanishes: the child's session gets SIGHUP and its terminal IO fails. Output written
    /// before is kept; nothing more is read.
    pub fn close_master(&mut self) {
        lock(&self.writer).take();
        self.master.take();
        self.stop_reader_thread();
    }

    fn stop_reader_thread(&mut self) {
        if let Some(mut tx) = self.stop_reader.take() {
            let _ = tx.write_all(b"x");
        }
        if let Some(h) = self.reader.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.is_alive() {
            if let Some(pid) = self.pid {
                // The child leads its own session: take its whole process group with it.
                // SAFETY: kill has no memory effects; the group is the one we started.
                unsafe {
                    libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
                }
            }
            let _ = self.killer.kill();
            // Let the wait thread reap it, so no zombie outlives the test's view of it.
            let _ = self.wait_exit(Duration::from_secs(2));
        }
        self.stop_reader_thread();
    }
}

fn read_loop(
    mut master: File,
    stop: std::io::PipeReader,
    shared: &Shared,
    writer: &Mutex<Option<File>>,
) {
    let mut buf = [0u8; 8192];
    loop {
        let mut fds = [
            libc::pollfd {
                fd: master.as_fd().as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stop.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if fds[1].revents != 0 {
            break;
        }
        if fds[0].revents == 0 {
            continue;
        }
        // Readable, hung up or in error: read tells which (EIO once the slave is gone).
        let got = match master.read(&mut buf) {
            Ok(0) => break,
            Ok(got) => got,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let replies = {
            let mut st = lock(&shared.state);
            st.raw.extend_from_slice(&buf[..got]);
            st.parser.process(&buf[..got]);
            std::mem::take(&mut st.parser.callbacks_mut().replies)
        };
        shared.changed.notify_all();
        if !replies.is_empty()
            && let Some(w) = lock(writer).as_mut()
        {
            let _ = w.write_all(&replies);
        }
    }
    lock(&shared.state).eof = true;
    shared.changed.notify_all();
}

fn screen_text_of(screen: &vt100::Screen) -> String {
    let (_, cols) = screen.size();
    let rows: Vec<String> = screen
        .rows(0, cols)
        .map(|r| r.trim_end().to_string())
        .collect();
    rows.join("\n")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}
