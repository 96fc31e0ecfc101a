//! Keyed fingerprints: HMAC-SHA256 of a normalised value with the deployment key.
//!
//! The key schedule (the inner and outer keyed states) is done once. A value of up
//! to 55 bytes (every value a detector reports, nearly) then costs two SHA-256
//! compressions: its one padded inner block and the outer block, run directly on
//! the keyed states with `sha2`'s compression function (which uses the CPU's SHA
//! instructions where there are some). Longer values go through `hmac`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::block_api::compress256;
use sha2::{Digest as _, Sha256};

/// A raw HMAC-SHA256 digest.
pub type Digest = [u8; 32];

/// HMAC-SHA256 with one key.
#[derive(Clone)]
pub struct Fingerprinter {
    keyed: Hmac<Sha256>,
    /// SHA-256 state after the block `key ^ ipad`.
    inner: [u32; 8],
    /// SHA-256 state after the block `key ^ opad`.
    outer: [u32; 8],
}

/// SHA-256's initial state.
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
/// Longest message that fits one padded block.
const ONE_BLOCK: usize = 55;

/// Compress the last block of a message of `total` bytes whose tail `tail` (at most
/// 55 bytes) is all that is left after whole blocks.
fn finish(state: &mut [u32; 8], tail: &[u8], total: usize) {
    let mut block = [0u8; 64];
    block[..tail.len()].copy_from_slice(tail);
    block[tail.len()] = 0x80;
    block[56..].copy_from_slice(&((total as u64) * 8).to_be_bytes());
    compress256(state, &[block]);
}

fn bytes_of(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, word) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter(..)") // never the key
    }
}

impl Fingerprinter {
    /// A fingerprinter for `key` (any length, as HMAC allows).
    pub fn new(key: &[u8]) -> Fingerprinter {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let keyed_state = |pad: u8| {
            let mut state = IV;
            compress256(&mut state, &[block.map(|b| b ^ pad)]);
            state
        };
        Fingerprinter {
            keyed: <Hmac<Sha256> as KeyInit>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!()),
            inner: keyed_state(0x36),
            outer: keyed_state(0x5c),
        }
    }

    /// The digest of `value`.
    pub fn digest(&self, value: &[u8]) -> Digest {
        if value.len() > ONE_BLOCK {
            let mut mac = self.keyed.clone();
            mac.update(value);
            return mac.finalize().into_bytes().into();
        }
        let mut inner = self.inner;
        finish(&mut inner, value, 64 + value.len());
        let mut outer = self.outer;
        finish(&mut outer, &bytes_of(&inner), 64 + 32);
        bytes_of(&outer)
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
    fn the_one_block_path_is_hmac() {
        for key in [
            &b"k"[..],
            &[7u8; 64][..],
            &[9u8; 65][..],
            b"dlp-test-suite-key-0123456789abcdef",
        ] {
            let f = Fingerprinter::new(key);
            for len in 0..=200usize {
                let msg: Vec<u8> = (0..len).map(|i| (i * 31 + len) as u8).collect();
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
                mac.update(&msg);
                let want: Digest = mac.finalize().into_bytes().into();
                assert_eq!(
                    f.digest(&msg),
                    want,
                    "key {} bytes, message {len} bytes",
                    key.len()
                );
            }
        }
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
