//! Keyed fingerprints: HMAC-SHA256 of a normalised value with the deployment key.
//!
//! The key schedule (the inner and outer keyed states) is done once; each value
//! then costs a clone of that state and the hashing of the value.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A raw HMAC-SHA256 digest.
pub type Digest = [u8; 32];

/// HMAC-SHA256 with one key.
#[derive(Clone)]
pub struct Fingerprinter {
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter(..)") // never the key
    }
}

impl Fingerprinter {
    /// A fingerprinter for `key` (any length, as HMAC allows).
    pub fn new(key: &[u8]) -> Fingerprinter {
        Fingerprinter {
            keyed: <Hmac<Sha256> as KeyInit>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!()),
        }
    }

    /// The digest of `value`.
    pub fn digest(&self, value: &[u8]) -> Digest {
        let mut mac = self.keyed.clone();
        mac.update(value);
        mac.finalize().into_bytes().into()
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of a digest.
pub fn hex(digest: &Digest) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX[(b >> 4) as usize];
        out[2 * i + 1] = HEX[(b & 15) as usize];
    }
    out
}

/// Parse 64 hex digits (either case) into a digest.
pub fn parse_hex(text: &str) -> Option<Digest> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        let f = Fingerprinter::new(b"Jefe");
        let d = f.digest(b"what do ya want for nothing?");
        assert_eq!(
            std::str::from_utf8(&hex(&d)).unwrap(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(parse_hex(std::str::from_utf8(&hex(&d)).unwrap()), Some(d));
    }

    #[test]
    fn long_keys_are_hashed_first() {
        let key = [0xaau8; 131];
        let f = Fingerprinter::new(&key);
        let d = f.digest(b"Test Using Larger Than Block-Size Key - Hash Key First");
        assert_eq!(
            std::str::from_utf8(&hex(&d)).unwrap(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
