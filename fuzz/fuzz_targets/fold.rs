//! Fuzz `fold::fold`: the folded buffer and its map back to input offsets.
//!
//! Checked against a byte-level reference: every folded offset maps into
//! `0..=buf.len()`, monotonically (strictly), 0 to 0 and the end to the end; each
//! folded byte comes from one input byte (the same byte) or one three-byte
//! full-width form (U+FF01..U+FF5E, U+3000) it folds to; and `fold` folds exactly
//! when the buffer holds a full-width digit. On valid UTF-8 the result is also
//! checked against a char-level fold.
#![no_main]

use dlp_engine::fold::{fold, has_fullwidth_digit};
use libfuzzer_sys::fuzz_target;

/// The ASCII byte a full-width form folds to (reference, by code point).
fn folds_to(c: char) -> Option<char> {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0),
        0x3000 => Some(' '),
        _ => None,
    }
}

fuzz_target!(|buf: &[u8]| {
    let reference_digit = buf
        .windows(3)
        .any(|w| w[0] == 0xEF && w[1] == 0xBC && (0x90..=0x99).contains(&w[2]));
    assert_eq!(has_fullwidth_digit(buf), reference_digit);
    let Some(f) = fold(buf) else {
        assert!(!reference_digit, "a full-width digit and nothing folded");
        return;
    };
    assert!(reference_digit, "folded without a full-width digit");
    let out = &f.buf;
    assert!(out.len() <= buf.len());
    assert_eq!(f.source(0), 0);
    assert_eq!(f.source(out.len()), buf.len(), "the end maps to the end");
    let mut prev = 0usize;
    for pos in 0..out.len() {
        let here = f.source(pos);
        let next = f.source(pos + 1);
        assert!(here <= buf.len() && next <= buf.len(), "offset out of range");
        assert!(pos == 0 || here > prev, "not strictly monotonic at {pos}");
        assert!(here >= pos, "folding never adds bytes");
        match next - here {
            1 => assert_eq!(buf[here], out[pos], "copied byte differs at {pos}"),
            3 => {
                let form = std::str::from_utf8(&buf[here..next]).expect("a folded form is UTF-8");
                let c = form.chars().next().unwrap();
                assert_eq!(folds_to(c).map(|a| a as u32 as u8), Some(out[pos]), "form {c:?} at {here}");
            }
            n => panic!("folded byte {pos} stands for {n} input bytes"),
        }
        prev = here;
    }
    // Between folded positions the map steps by one byte: past the end too.
    assert_eq!(f.source(out.len() + 5), buf.len() + 5);
    if let Ok(text) = std::str::from_utf8(buf) {
        let expected: String = text.chars().map(|c| folds_to(c).unwrap_or(c)).collect();
        assert_eq!(std::str::from_utf8(out).ok(), Some(expected.as_str()), "differs from the char-level fold");
    }
});
