//! Full-width forms folded to ASCII, with the map back to input offsets.
//!
//! Chinese input methods type digits, letters and `+ - ( )` as full-width forms
//! (U+FF01-U+FF5E) and spaces as the ideographic space U+3000; NFKC folds them to
//! ASCII. A buffer is folded only when it holds a full-width digit, so ordinary
//! text costs one `memchr` search for the lead bytes.

use memchr::memmem;

/// A folded copy of a buffer and the map from folded offsets to input offsets.
#[derive(Debug, Clone)]
pub struct Folded {
    /// The folded bytes.
    pub buf: Vec<u8>,
    /// Folded offsets right after each folded character, ascending.
    dst: Vec<usize>,
    /// The input offsets those folded offsets stand for.
    src: Vec<usize>,
}

impl Folded {
    /// `buf` as it is (nothing folded).
    pub fn unchanged(buf: &[u8]) -> Folded {
        Folded {
            buf: buf.to_vec(),
            dst: Vec::new(),
            src: Vec::new(),
        }
    }

    /// The folded offset of input offset `pos` (not inside a folded character).
    pub fn position(&self, pos: usize) -> usize {
        let i = self.src.partition_point(|&s| s <= pos);
        if i == 0 {
            pos
        } else {
            self.dst[i - 1] + (pos - self.src[i - 1])
        }
    }

    /// The input offset of folded offset `pos`.
    pub fn source(&self, pos: usize) -> usize {
        let i = self.dst.partition_point(|&d| d <= pos);
        if i == 0 {
            pos
        } else {
            self.src[i - 1] + (pos - self.dst[i - 1])
        }
    }
}

/// The ASCII byte a three-byte UTF-8 sequence folds to, if it is a full-width form.
fn folded_byte(a: u8, b: u8, c: u8) -> Option<u8> {
    match (a, b) {
        // U+FF01..U+FF3F: EF BC 81..BF -> 0x21..0x5F
        (0xEF, 0xBC) if (0x81..=0xBF).contains(&c) => Some(c - 0x60),
        // U+FF40..U+FF5E: EF BD 80..9E -> 0x60..0x7E
        (0xEF, 0xBD) if (0x80..=0x9E).contains(&c) => Some(c - 0x20),
        // U+3000 ideographic space
        (0xE3, 0x80) if c == 0x80 => Some(b' '),
        _ => None,
    }
}

/// True when the three bytes are a form [`fold`] replaces.
pub fn folds(a: u8, b: u8, c: u8) -> bool {
    folded_byte(a, b, c).is_some()
}

/// True when `buf` holds a full-width digit (U+FF10..U+FF19).
pub fn has_fullwidth_digit(buf: &[u8]) -> bool {
    memmem::find_iter(buf, b"\xef\xbc").any(|i| matches!(buf.get(i + 2), Some(0x90..=0x99)))
}

/// Fold `buf` when it holds a full-width digit; `None` when nothing needs folding.
pub fn fold(buf: &[u8]) -> Option<Folded> {
    if !has_fullwidth_digit(buf) {
        return None;
    }
    let mut out = Vec::with_capacity(buf.len());
    let mut dst = Vec::new();
    let mut src = Vec::new();
    let mut last = 0;
    let mut from = 0;
    // Foldable forms start with 0xEF or 0xE3: jump from one to the next.
    while let Some(found) = memchr::memchr2(0xEF, 0xE3, &buf[from..]) {
        let i = from + found;
        if i + 2 >= buf.len() {
            break;
        }
        match folded_byte(buf[i], buf[i + 1], buf[i + 2]) {
            Some(byte) => {
                out.extend_from_slice(&buf[last..i]);
                out.push(byte);
                dst.push(out.len());
                src.push(i + 3);
                last = i + 3;
                from = i + 3;
            }
            None => from = i + 1,
        }
    }
    out.extend_from_slice(&buf[last..]);
    Some(Folded { buf: out, dst, src })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_not_folded() {
        assert!(fold("手机 13812345678".as_bytes()).is_none());
        assert!(fold("（+86）".as_bytes()).is_none());
    }

    #[test]
    fn folds_forms_and_maps_offsets_back() {
        let text = "电话：（+86）１３８ 1234　5678。".as_bytes();
        let folded = fold(text).unwrap();
        let s = std::str::from_utf8(&folded.buf).unwrap();
        assert_eq!(s, "电话:(+86)138 1234 5678。");
        let at = s.find("138").unwrap();
        let orig = folded.source(at);
        assert_eq!(&text[orig..orig + 3], "１".as_bytes());
        let end = s.find('。').unwrap();
        assert_eq!(&text[folded.source(end)..], "。".as_bytes());
        assert_eq!(folded.source(0), 0);
        for (pos, _) in s.char_indices() {
            assert_eq!(folded.position(folded.source(pos)), pos);
        }
    }
}
