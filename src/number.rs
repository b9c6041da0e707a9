//! Numbers written as ASCII, so that they can share one string with text.
//!
//! An entry keeps small numbers (lengths, offsets) beside its strings; written this way they
//! live in the same allocation as the strings, which stays valid UTF-8. Six bits a byte,
//! lowest first, with `0x40` set on every byte but the last: numbers under 64, most of them,
//! take one byte.

/// Appends `n` to `out`.
pub fn push(out: &mut String, mut n: usize) {
    while n >= 0x40 {
        out.push(char::from(0x40 | (n & 0x3f) as u8));
        n >>= 6;
    }
    out.push(char::from(n as u8));
}

/// Reads one number off the front of `bytes`; `None` if they do not start with one.
pub fn read(bytes: &mut &[u8]) -> Option<usize> {
    let mut n = 0usize;
    for shift in (0..usize::BITS).step_by(6) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        if b >= 0x80 {
            return None;
        }
        n |= usize::from(b & 0x3f).checked_shl(shift)?;
        if b & 0x40 == 0 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_round_trip_as_ascii() {
        for n in [
            0,
            1,
            63,
            64,
            65,
            4095,
            4096,
            1 << 20,
            u32::MAX as usize,
            usize::MAX,
        ] {
            let mut s = String::from("x");
            super::push(&mut s, n);
            s.push('y');
            assert!(s.is_ascii(), "{n}");
            let mut bytes = &s.as_bytes()[1..];
            assert_eq!(super::read(&mut bytes), Some(n));
            assert_eq!(bytes, b"y");
        }
        let len = |n| {
            let mut s = String::new();
            super::push(&mut s, n);
            s.len()
        };
        assert_eq!((len(63), len(64), len(4095), len(4096)), (1, 2, 2, 3));
        for bad in [&b""[..], b"\x40", b"\xc3\xa9", &[0x7f; 12]] {
            assert_eq!(super::read(&mut &bad[..]), None, "{bad:?}");
        }
    }
}
