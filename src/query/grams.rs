//! Which three-byte sequences occur in an entry, kept as a set of 1,024 bits.
//!
//! A word whose trigrams are not all in an entry's set cannot occur in that entry, so a
//! filter passes over most entries that lack a rarer word without reading their text (on
//! a big blog, reading the text is what costs: it is rarely in the processor's cache). The
//! set can only say "maybe": an entry it lets through is still searched.

/// 16 words of 64 bits.
const WORDS: usize = 16;

/// A set of trigrams (hashed to 1,024 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grams([u64; WORDS]);

impl Default for Grams {
    fn default() -> Self {
        Grams([0; WORDS])
    }
}

/// The bit for a trigram's key (its three bytes, first lowest): a multiplicative hash, top
/// 10 bits.
fn spread(key: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> 22) as usize
}

impl Grams {
    /// The trigrams of `bytes` (none when shorter than three bytes).
    ///
    /// Every byte of an entry's folded text goes through here once, at ingestion. Setting
    /// each window's bit in the words directly reads the word, ors the bit and writes it
    /// back, and the next window often waits for that write; so each window's bit is first
    /// a byte of its own, only written, and the bytes are gathered into bits at the end.
    /// The windows are taken six at a time out of eight bytes read at once, so that no
    /// window waits for the one before it either.
    pub fn of(bytes: &[u8]) -> Grams {
        let mut grams = Grams::default();
        if bytes.len() < 3 {
            return grams;
        }
        let mut bits = [0u8; WORDS * 64];
        let mut at = 0;
        while let Some(eight) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
            let x = u64::from_le_bytes(*eight);
            for shift in [0, 8, 16, 24, 32, 40] {
                bits[spread((x >> shift) as u32 & 0xFF_FFFF)] = 1;
            }
            at += 6;
        }
        for w in bytes[at..].windows(3) {
            bits[spread(u32::from(w[0]) | u32::from(w[1]) << 8 | u32::from(w[2]) << 16)] = 1;
        }
        let (eights, _) = bits.as_chunks::<8>();
        for (n, eight) in eights.iter().enumerate() {
            // Each byte is 0 or 1: the product's top byte has byte `k`'s value at bit `k`.
            let x = u64::from_le_bytes(*eight).wrapping_mul(0x0102_0408_1020_4080) >> 56;
            grams.0[n / 8] |= x << (8 * (n % 8));
        }
        grams
    }

    /// Whether every trigram of `other` may be in `self`.
    pub fn covers(&self, other: &Grams) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & b == *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_covered_by_any_text_holding_it() {
        let text = Grams::of(b"the storm surge reached the harbour");
        for word in ["storm", "the", "harbour", "ge rea", "ur"] {
            assert!(text.covers(&Grams::of(word.as_bytes())), "{word}");
        }
        // Short words have no trigram and are covered by anything.
        assert!(Grams::default().covers(&Grams::of(b"ab")));
    }

    #[test]
    fn every_window_sets_its_bit() {
        let long = b"the storm \xc3\xa9 surge reached the harbour at dawn, and the ferries stopped";
        let texts = [&b""[..], b"a", b"ab", b"abc", b"the storm \xc3\xa9 surge"];
        for text in texts
            .into_iter()
            .chain((0..=long.len()).map(|n| &long[..n]))
        {
            let mut want = Grams::default();
            for w in text.windows(3) {
                let b = spread(u32::from(w[0]) | u32::from(w[1]) << 8 | u32::from(w[2]) << 16);
                want.0[b / 64] |= 1 << (b % 64);
            }
            assert_eq!(Grams::of(text), want, "{text:?}");
        }
    }

    #[test]
    fn most_absent_words_are_ruled_out() {
        let text = Grams::of(b"the storm surge reached the harbour");
        let absent = ["zebra", "quiz", "xylophone", "jujitsu", "vexed", "bridge"];
        let ruled_out = absent
            .iter()
            .filter(|w| !text.covers(&Grams::of(w.as_bytes())))
            .count();
        assert_eq!(ruled_out, absent.len());
    }
}
