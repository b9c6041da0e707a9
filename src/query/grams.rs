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
    pub fn of(bytes: &[u8]) -> Grams {
        let mut grams = Grams::default();
        let Some((head, rest)) = bytes.split_first_chunk::<2>() else {
            return grams;
        };
        // The last three bytes, rolled along one byte at a time (first lowest, as `spread` takes them).
        let mut key = u32::from(head[0]) << 8 | u32::from(head[1]) << 16;
        for &c in rest {
            key = key >> 8 | u32::from(c) << 16;
            let b = spread(key);
            grams.0[b / 64] |= 1 << (b % 64);
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
    fn rolling_the_key_sets_the_bit_of_every_window() {
        for text in [&b""[..], b"a", b"ab", b"abc", b"the storm \xc3\xa9 surge"] {
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
