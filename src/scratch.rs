//! Buffers a thread keeps for what it builds once per entry and then copies or throws away.
//!
//! A big document's entries are made on every core at once, and glibc's malloc serves all
//! threads from one arena (see `main.rs`): an allocation too big for the thread's own small
//! cache, a string grown or trimmed, all take the arena's lock, and a thread that finds it
//! taken sleeps until the other is done. What is only built to be read once or copied at
//! its exact size is built in a buffer the thread keeps instead.

use std::cell::Cell;
use std::thread::LocalKey;

/// A buffer that a huge entry grew beyond this is dropped rather than kept.
const KEEP: usize = 256 * 1024;

/// A buffer that can be emptied and reused.
pub trait Buffer: Default {
    fn clear(&mut self);
    fn capacity(&self) -> usize;
}

impl Buffer for String {
    fn clear(&mut self) {
        String::clear(self);
    }
    fn capacity(&self) -> usize {
        String::capacity(self)
    }
}

impl Buffer for Vec<u8> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
    fn capacity(&self) -> usize {
        Vec::capacity(self)
    }
}

/// The thread's buffer in `slot`, empty (a new one, without room, if it has none).
pub fn take<B: Buffer>(slot: &'static LocalKey<Cell<B>>) -> B {
    let mut b = slot.take();
    b.clear();
    b
}

/// Keeps `b` in `slot` for the thread's next [`take`], unless it is huge.
pub fn keep<B: Buffer>(slot: &'static LocalKey<Cell<B>>, b: B) {
    if b.capacity() <= KEEP {
        slot.set(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SLOT: Cell<String> = const { Cell::new(String::new()) };
    }

    #[test]
    fn a_kept_buffer_comes_back_empty_with_its_room() {
        let mut b = take(&SLOT);
        assert_eq!(b.capacity(), 0);
        b.push_str("entry");
        let room = b.capacity();
        keep(&SLOT, b);
        let again = take(&SLOT);
        assert!(again.is_empty());
        assert_eq!(again.capacity(), room);
        // Taken, it is no longer there.
        assert_eq!(take(&SLOT).capacity(), 0);
    }

    #[test]
    fn a_huge_buffer_is_not_kept() {
        keep(&SLOT, String::with_capacity(KEEP + 1));
        assert_eq!(take(&SLOT).capacity(), 0);
        keep(&SLOT, String::with_capacity(KEEP));
        assert_eq!(take(&SLOT).capacity(), KEEP);
    }

    #[test]
    fn each_thread_has_its_own() {
        let mut b = take(&SLOT);
        b.reserve(100);
        keep(&SLOT, b);
        std::thread::spawn(|| assert_eq!(take(&SLOT).capacity(), 0))
            .join()
            .unwrap();
        assert!(take(&SLOT).capacity() >= 100);
    }
}
