//! String helpers that follow Python's `str` methods and `dlp.detectors._util.clean`.

use std::borrow::Cow;

use super::nfkc;

/// Python's `str.isspace`.
pub(super) fn py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x1f'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

pub(super) fn py_strip(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if f > b' ' && f < 0x7f && l > b' ' && l < 0x7f => s,
        _ => s.trim_matches(py_space),
    }
}

/// NFKC of one character as far as it matters here (see `checks/gen_nfkc.py`).
pub(super) fn nfkc_push(c: char, out: &mut String) {
    let code = u32::from(c);
    let i = nfkc::SINGLE.partition_point(|&(_, last, _)| last < code);
    if let Some(&(first, _, target)) = nfkc::SINGLE.get(i) {
        if first <= code {
            out.push(char::from_u32(target + (code - first)).unwrap_or(c));
            return;
        }
    }
    match nfkc::MULTI.binary_search_by_key(&code, |&(k, _)| k) {
        Ok(j) => out.push_str(nfkc::MULTI[j].1),
        Err(_) => out.push(c),
    }
}

/// Python `s[start:end]` (negative indices from the end) as a char range.
pub(super) fn py_range(len: usize, start: i64, end: Option<i64>) -> (usize, usize) {
    let n = len as i64;
    let norm = |i: i64| if i < 0 { (i + n).max(0) } else { i.min(n) };
    let a = norm(start);
    let b = end.map_or(n, norm).max(a);
    (a as usize, b as usize)
}

/// The characters `a..b` of `s` (by char, ASCII fast path).
pub(super) fn char_slice(s: &str, a: usize, b: usize) -> &str {
    if s.is_ascii() {
        return &s[a.min(s.len())..b.min(s.len())];
    }
    let mut idx = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()));
    let start = idx.nth(a).unwrap_or(s.len());
    let stop = if b > a {
        idx.nth(b - a - 1).unwrap_or(s.len())
    } else {
        start
    };
    &s[start..stop]
}

pub(super) fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

pub(super) fn map_cow<'a>(s: Cow<'a, str>, f: impl Fn(&str) -> &str) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(f(b)),
        Cow::Owned(o) => {
            let sub = f(&o);
            if sub.len() == o.len() {
                Cow::Owned(o)
            } else {
                Cow::Owned(sub.to_owned())
            }
        }
    }
}

/// A set of characters: a byte table plus the few non-ASCII members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CharSet {
    bytes: [bool; 256],
    other: Vec<char>,
}

impl CharSet {
    pub(super) fn new(chars: &str) -> CharSet {
        let mut set = CharSet {
            bytes: [false; 256],
            other: Vec::new(),
        };
        for c in chars.chars() {
            if c.is_ascii() {
                set.bytes[c as usize] = true;
            } else if !set.other.contains(&c) {
                set.other.push(c);
            }
        }
        set
    }

    #[inline]
    pub(super) fn has_byte(&self, b: u8) -> bool {
        self.bytes[usize::from(b)]
    }

    #[inline]
    pub(super) fn has(&self, c: char) -> bool {
        if c.is_ascii() {
            self.has_byte(c as u8)
        } else {
            self.other.contains(&c)
        }
    }
}

/// Python `dlp.detectors._util.clean`: NFKC (non-ASCII only), strip, drop separators.
pub(super) fn clean<'a>(s: Cow<'a, str>, drop: &CharSet) -> Cow<'a, str> {
    let s = if s.is_ascii() {
        s
    } else {
        let mut folded = String::with_capacity(s.len());
        for c in s.chars() {
            nfkc_push(c, &mut folded);
        }
        Cow::Owned(folded)
    };
    let s = map_cow(s, py_strip);
    if s.is_ascii() {
        if !s.bytes().any(|b| drop.has_byte(b)) {
            return s;
        }
        Cow::Owned(s.chars().filter(|&c| !drop.has_byte(c as u8)).collect())
    } else if s.chars().any(|c| drop.has(c)) {
        Cow::Owned(s.chars().filter(|&c| !drop.has(c)).collect())
    } else {
        s
    }
}

pub(super) fn upper(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(s.to_ascii_uppercase())
        } else {
            s
        }
    } else {
        Cow::Owned(s.to_uppercase())
    }
}

pub(super) fn lower(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            s
        }
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

pub(super) fn strip_prefix<'a>(s: Cow<'a, str>, prefixes: &[Box<str>]) -> Cow<'a, str> {
    match prefixes.iter().find(|p| s.starts_with(&***p)) {
        Some(p) => {
            let n = p.len();
            map_cow(s, |x| &x[n..])
        }
        None => s,
    }
}
