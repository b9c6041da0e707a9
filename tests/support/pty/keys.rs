//! Byte sequences an xterm sends for keys (normal cursor mode), and `Pty` methods that
//! type them, so end-to-end tests read as key presses rather than escape codes.

use super::Pty;

pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";
pub const RIGHT: &str = "\x1b[C";
pub const LEFT: &str = "\x1b[D";
pub const HOME: &str = "\x1b[H";
pub const END: &str = "\x1b[F";
pub const PAGE_UP: &str = "\x1b[5~";
pub const PAGE_DOWN: &str = "\x1b[6~";
pub const INSERT: &str = "\x1b[2~";
pub const DELETE: &str = "\x1b[3~";
pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
pub const BACKTAB: &str = "\x1b[Z";
pub const BACKSPACE: &str = "\x7f";

/// The byte for Ctrl plus a letter (or one of `@[\]^_`); `ctrl('c')` is 0x03.
pub fn ctrl(c: char) -> u8 {
    (c.to_ascii_uppercase() as u8) & 0x1f
}

/// F1..F12.
pub fn f(n: u8) -> &'static str {
    match n {
        1 => "\x1bOP",
        2 => "\x1bOQ",
        3 => "\x1bOR",
        4 => "\x1bOS",
        5 => "\x1b[15~",
        6 => "\x1b[17~",
        7 => "\x1b[18~",
        8 => "\x1b[19~",
        9 => "\x1b[20~",
        10 => "\x1b[21~",
        11 => "\x1b[23~",
        12 => "\x1b[24~",
        _ => panic!("no function key F{n}"),
    }
}

impl Pty {
    pub fn key_up(&self) {
        self.send(UP);
    }
    pub fn key_down(&self) {
        self.send(DOWN);
    }
    pub fn key_left(&self) {
        self.send(LEFT);
    }
    pub fn key_right(&self) {
        self.send(RIGHT);
    }
    pub fn enter(&self) {
        self.send(ENTER);
    }
    pub fn esc(&self) {
        self.send(ESC);
    }
    pub fn tab(&self) {
        self.send(TAB);
    }
    pub fn backtab(&self) {
        self.send(BACKTAB);
    }
    pub fn backspace(&self) {
        self.send(BACKSPACE);
    }
    pub fn page_up(&self) {
        self.send(PAGE_UP);
    }
    pub fn page_down(&self) {
        self.send(PAGE_DOWN);
    }
    pub fn home(&self) {
        self.send(HOME);
    }
    pub fn end(&self) {
        self.send(END);
    }
    pub fn delete(&self) {
        self.send(DELETE);
    }
    pub fn f(&self, n: u8) {
        self.send(f(n));
    }
    /// Ctrl plus a letter, e.g. `ctrl('c')`.
    pub fn ctrl(&self, c: char) {
        self.send_bytes(&[ctrl(c)]);
    }
    /// Text wrapped in bracketed-paste markers, as a terminal sends a paste.
    pub fn paste(&self, text: &str) {
        self.send(&format!("\x1b[200~{text}\x1b[201~"));
    }
    /// Mouse wheel in SGR encoding at a 0-based cell.
    pub fn scroll_down_at(&self, col: u16, row: u16) {
        self.send(&format!("\x1b[<65;{};{}M", col + 1, row + 1));
    }
    pub fn scroll_up_at(&self, col: u16, row: u16) {
        self.send(&format!("\x1b[<64;{};{}M", col + 1, row + 1));
    }
    /// Left click (press and release) in SGR encoding at a 0-based cell.
    pub fn click_at(&self, col: u16, row: u16) {
        self.send(&format!(
            "\x1b[<0;{c};{r}M\x1b[<0;{c};{r}m",
            c = col + 1,
            r = row + 1
        ));
    }
}
