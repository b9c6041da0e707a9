//! The terminal side of the conversation: answers the queries a TUI may block on at start
//! (cursor position, device attributes) and records clipboard writes, titles and bells.

/// Records what the program asked of the terminal beyond drawing.
#[derive(Default)]
pub struct Recorder {
    /// Bytes to write back to the program (answers to queries).
    pub(super) replies: Vec<u8>,
    /// OSC 52 writes: (selection, decoded data).
    pub clipboard: Vec<(String, Vec<u8>)>,
    pub title: String,
    pub bells: usize,
}

impl vt100::Callbacks for Recorder {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }

    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.title = String::from_utf8_lossy(title).into_owned();
    }

    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, ty: &[u8], data: &[u8]) {
        let ty = String::from_utf8_lossy(ty).into_owned();
        self.clipboard.push((ty, base64_decode(data)));
    }

    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        let first = params.first().and_then(|p| p.first()).copied().unwrap_or(0);
        match (i1, c, first) {
            (None, 'n', 6) => {
                let (row, col) = screen.cursor_position();
                let answer = format!("\x1b[{};{}R", row + 1, col + 1);
                self.replies.extend_from_slice(answer.as_bytes());
            }
            (None, 'c', 0) => self.replies.extend_from_slice(b"\x1b[?62;22c"),
            _ => {}
        }
    }
}

fn base64_decode(data: &[u8]) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for v in data.iter().filter_map(|&c| value(c)) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
