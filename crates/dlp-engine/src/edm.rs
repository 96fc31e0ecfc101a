//! Exact data match: which validated values belong to registered customers.
//!
//! The index (built by `dlp edm build`) holds, for every value of a customer
//! master, the first [`HASH_BYTES`] bytes of its keyed fingerprint with its column
//! and row, sorted, behind a fanout table of 65,536 little-endian `u32` bucket
//! ends. A value found by a detector is looked up by its fingerprint; each master
//! column holding it gives one `edm` hit. Names are secondary elements: every 2-4
//! character window of the CJK runs within [`NAME_REACH`] characters of a
//! registered value, on the same line, is looked up in the name columns, and
//! reported only when it belongs to the same customer (row) as that value.
//!
//! An index of format version 2 also holds a name filter: a Bloom filter of the
//! name columns' values, probed with a keyed SipHash-1-3 of a window's first two
//! characters and its length (the SipHash key is derived from the fingerprint key,
//! so the filter tells nothing without it). A window whose probes miss is no name
//! of the master and costs no fingerprint; without a filter (version 1) every
//! window is fingerprinted.

use std::collections::{HashMap, HashSet};
use std::hash::Hasher as _;
use std::sync::Arc;

use siphasher::sip::SipHasher13;

use crate::engine::{Hit, EDM_DETECTOR};
use crate::fingerprint::{Digest, Fingerprinter};

/// Name windows looked up, by byte span: their digest and index records.
type Looked = HashMap<(usize, usize), (Digest, Vec<(u8, u32)>)>;

/// Bytes of a fingerprint kept in a record.
pub const HASH_BYTES: usize = 10;
const RECORD: usize = HASH_BYTES + 1 + 4;
const FANOUT: usize = 1 << 16;
/// Characters either side of a registered value searched for names.
pub const NAME_REACH: usize = 32;
/// Confidence of a registered value.
pub const EDM_CONFIDENCE: f64 = 1.0;
/// Confidence of a registered name next to one of its customer's values.
pub const NAME_CONFIDENCE: f64 = 0.9;

/// Message the name filter's SipHash key is the fingerprint of.
const FILTER_KEY_INPUT: &[u8] = b"dlp edm name filter v2";
/// Fewest bits of a name filter.
pub const FILTER_MIN_BITS: u64 = 1 << 16;
/// Bits of a name filter per name (two probes: about 1 % false positives).
pub const FILTER_BITS_PER_NAME: u64 = 24;

/// Where an index's parts are.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Offset of the fanout table.
    pub fanout_at: usize,
    /// Number of records.
    pub records: usize,
    /// Bits of the name filter after the records (0: none).
    pub filter_bits: u64,
}

/// Keyed probes into a name filter.
#[derive(Debug, Clone, Copy)]
pub struct FilterKeys {
    k0: u64,
    k1: u64,
}

impl FilterKeys {
    /// The filter keys of a fingerprint key.
    pub fn new(fingerprinter: &Fingerprinter) -> FilterKeys {
        let d = fingerprinter.digest(FILTER_KEY_INPUT);
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&d[i..i + 8]);
            u64::from_le_bytes(w)
        };
        FilterKeys {
            k0: word(0),
            k1: word(8),
        }
    }

    /// Keyed hash of a window's first two characters (UTF-8).
    fn bigram(&self, bytes: &[u8]) -> u64 {
        let mut h = SipHasher13::new_with_keys(self.k0, self.k1);
        h.write(bytes);
        h.finish()
    }

    /// The two bit positions (under `mask`) of a name of `chars` characters whose
    /// bigram hash is `h`.
    fn probes(h: u64, chars: usize, mask: u64) -> [u64; 2] {
        let x = (h ^ chars as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let x = x ^ (x >> 29);
        [x & mask, (x >> 32) & mask]
    }
}

/// Set the bits of `names` in a name filter.
pub fn add_names(filter: &mut [u8], fingerprinter: &Fingerprinter, names: &[&str]) {
    let keys = FilterKeys::new(fingerprinter);
    let mask = (filter.len() as u64 * 8).max(8) - 1;
    for name in names {
        let chars = name.chars().count();
        if !(2..=4).contains(&chars) {
            continue; // no window of 2-4 characters can be this name
        }
        let second = name.char_indices().nth(2).map_or(name.len(), |(i, _)| i);
        let h = keys.bigram(&name.as_bytes()[..second]);
        for p in FilterKeys::probes(h, chars, mask) {
            filter[(p / 8) as usize] |= 1 << (p % 8);
        }
    }
}

/// The size of a name filter for `names` names, in bits (a power of two).
pub fn filter_bits_for(names: u64) -> u64 {
    (names.saturating_mul(FILTER_BITS_PER_NAME))
        .next_power_of_two()
        .clamp(FILTER_MIN_BITS, 1 << 36)
}

/// An opened index: the fanout table and the records (any byte source, such as a
/// memory map).
#[derive(Clone)]
pub struct Edm {
    data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    fanout_at: usize,
    records_at: usize,
    records: usize,
    /// Per column: true for name columns.
    names: Vec<bool>,
    /// The name filter: its offset and bit mask, and its keys.
    filter: Option<(usize, u64, FilterKeys)>,
}

impl std::fmt::Debug for Edm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Edm({} columns)", self.names.len())
    }
}

impl Edm {
    /// An index laid out as `layout` in `data` (the header has been checked by the
    /// caller); `names[c]` is true for name columns; `fingerprinter` holds the key.
    pub fn new(
        data: Arc<dyn AsRef<[u8]> + Send + Sync>,
        layout: Layout,
        names: Vec<bool>,
        fingerprinter: &Fingerprinter,
    ) -> Result<Edm, String> {
        let size = (*data).as_ref().len();
        let records_at = layout.fanout_at + 4 * FANOUT;
        let filter_at = layout
            .records
            .checked_mul(RECORD)
            .and_then(|r| r.checked_add(records_at));
        let bits = layout.filter_bits;
        let fits = bits == 0 || (bits.is_power_of_two() && bits >= 8);
        match filter_at {
            Some(at) if fits && (at as u64).checked_add(bits / 8) == Some(size as u64) => {}
            _ => return Err("the EDM index is truncated or damaged".into()),
        }
        let filter_at = filter_at.unwrap_or(size);
        Ok(Edm {
            data,
            fanout_at: layout.fanout_at,
            records_at,
            records: layout.records,
            names,
            filter: (bits > 0).then(|| (filter_at, bits - 1, FilterKeys::new(fingerprinter))),
        })
    }

    fn bytes(&self) -> &[u8] {
        (*self.data).as_ref()
    }

    fn bucket_end(&self, prefix: usize) -> usize {
        let at = self.fanout_at + 4 * prefix;
        let raw = &self.bytes()[at..at + 4];
        u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize
    }

    /// `(column, row)` of every record whose hash is `digest[..HASH_BYTES]`.
    pub fn lookup(&self, digest: &[u8]) -> Vec<(u8, u32)> {
        let mut found = Vec::new();
        self.lookup_into(digest, &mut found);
        found
    }

    /// [`Edm::lookup`] appending to `found`.
    fn lookup_into(&self, digest: &[u8], found: &mut Vec<(u8, u32)>) {
        let want = &digest[..HASH_BYTES];
        let prefix = (want[0] as usize) << 8 | want[1] as usize;
        let total = self.records;
        let mut lo = if prefix > 0 {
            self.bucket_end(prefix - 1)
        } else {
            0
        };
        let end = self.bucket_end(prefix).min(total);
        let mut hi = end;
        let data = self.bytes();
        let hash_at = |i: usize| {
            &data[self.records_at + i * RECORD..self.records_at + i * RECORD + HASH_BYTES]
        };
        while lo < hi {
            let mid = (lo + hi) / 2;
            if hash_at(mid) < want {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        while lo < end && hash_at(lo) == want {
            let at = self.records_at + lo * RECORD + HASH_BYTES;
            let r = &data[at + 1..at + 5];
            found.push((data[at], u32::from_be_bytes([r[0], r[1], r[2], r[3]])));
            lo += 1;
        }
    }

    /// True when `column` is a name column.
    pub fn is_name_column(&self, column: u16) -> bool {
        self.names.get(column as usize).copied().unwrap_or(false)
    }

    /// The EDM hits among and around `hits` (buffer coordinates, as `hits`).
    pub fn extend(&self, buf: &[u8], hits: &[Hit], fingerprinter: &Fingerprinter) -> Vec<Hit> {
        let mut extra = Vec::new();
        let mut seen: HashSet<(usize, usize, u8)> = HashSet::new();
        // Name windows looked up so far, by (offset, characters): the values of one
        // record share most of their windows.
        let mut cache: Looked = HashMap::new();
        let mut line = Line::default();
        let any_names = self.names.iter().any(|&n| n);
        let (mut records, mut rows, mut columns) = (Vec::new(), Vec::new(), Vec::new());
        for hit in hits {
            records.clear();
            self.lookup_into(&hit.fingerprint, &mut records);
            rows.clear();
            columns.clear();
            for &(column, row) in &records {
                if !self.is_name_column(u16::from(column)) {
                    rows.push(row);
                    columns.push(column);
                }
            }
            if rows.is_empty() {
                continue;
            }
            let written = String::from_utf8_lossy(&buf[hit.start..hit.end]).into_owned();
            columns.sort_unstable();
            columns.dedup();
            for &column in &columns {
                extra.push(Hit {
                    detector: EDM_DETECTOR,
                    start: hit.start,
                    end: hit.end,
                    value: hit.value.clone(),
                    masked: hit.masked.clone(),
                    fingerprint: hit.fingerprint,
                    confidence: EDM_CONFIDENCE,
                    column: Some(column as u16),
                    written: Some(written.clone()),
                });
            }
            if any_names {
                self.names_near(
                    buf,
                    hit,
                    &rows,
                    &mut seen,
                    &mut cache,
                    &mut line,
                    fingerprinter,
                    &mut extra,
                );
            }
        }
        extra
    }

    /// True when bit `p` of the name filter at `at` is set.
    fn filter_bit(&self, at: usize, p: u64) -> bool {
        self.bytes()[at + (p / 8) as usize] & (1 << (p % 8)) != 0
    }

    /// True unless the name filter says no name of `count` characters starts with
    /// the two characters `bigram`.
    fn may_be_name(&self, bigram: &[u8], count: usize, hash: &mut Option<u64>) -> bool {
        let Some((at, mask, keys)) = &self.filter else {
            return true;
        };
        let h = *hash.get_or_insert_with(|| keys.bigram(bigram));
        FilterKeys::probes(h, count, *mask)
            .iter()
            .all(|&p| self.filter_bit(*at, p))
    }

    #[allow(clippy::too_many_arguments)]
    fn names_near(
        &self,
        buf: &[u8],
        hit: &Hit,
        rows: &[u32],
        seen: &mut HashSet<(usize, usize, u8)>,
        cache: &mut Looked,
        line: &mut Line,
        fingerprinter: &Fingerprinter,
        out: &mut Vec<Hit>,
    ) {
        let cached = line.around(buf, hit.start, hit.end);
        let Line { chars, hashes, .. } = line;
        // The bigram hash of the latest window start when the line is not cached.
        let mut latest: (usize, Option<u64>) = (usize::MAX, None);
        let mut visit = |start: usize, second: usize, end: usize, size: usize, index: usize| {
            let hash = if cached {
                &mut hashes[index]
            } else {
                if latest.0 != start {
                    latest = (start, None);
                }
                &mut latest.1
            };
            if !self.may_be_name(&buf[start..second], size, hash) {
                return;
            }
            let (digest, records) = cache.entry((start, end)).or_insert_with(|| {
                let digest = fingerprinter.digest(&buf[start..end]);
                (digest, self.lookup(&digest))
            });
            for &(column, row) in records.iter() {
                if self.is_name_column(u16::from(column))
                    && rows.contains(&row)
                    && seen.insert((start, size, column))
                {
                    out.push(name_hit(&buf[start..end], start, end, digest, column));
                }
            }
        };
        if cached {
            let first = chars.partition_point(|c| c.0 < hit.start);
            let after = chars.partition_point(|c| c.0 < hit.end);
            let low = first.saturating_sub(NAME_REACH);
            let high = (after + NAME_REACH).min(chars.len());
            windows_in(&chars[low..first], low, &mut visit);
            windows_in(&chars[after..high], after, &mut visit);
        } else {
            for_each_window(buf, hit.start, hit.end, |s, second, e, size| {
                visit(s, second, e, size, 0)
            });
        }
    }
}

/// Longest line decoded once for all the values on it.
const LINE_BYTES: usize = 8 << 10;

/// The characters of one line (with their byte offsets), decoded once for all the
/// registered values on it, and the bigram hashes of the name filter by character.
#[derive(Debug, Default)]
struct Line {
    start: usize,
    end: usize,
    chars: Vec<(usize, char)>,
    hashes: Vec<Option<u64>>,
}

impl Line {
    /// Make this the line of `buf[start..end]`; false when the line is longer than
    /// [`LINE_BYTES`] either side (then the value's reach is decoded on its own).
    fn around(&mut self, buf: &[u8], start: usize, end: usize) -> bool {
        if !self.chars.is_empty() && self.start <= start && end <= self.end {
            return true;
        }
        let floor = start.saturating_sub(LINE_BYTES);
        let line_start = match memchr::memrchr(b'\n', &buf[floor..start]) {
            Some(i) => floor + i + 1,
            None if floor == 0 => 0,
            None => return false,
        };
        let ceiling = (end + LINE_BYTES).min(buf.len()).max(end);
        let line_end = match memchr::memchr(b'\n', &buf[end..ceiling]) {
            Some(i) => end + i,
            None if ceiling == buf.len() => ceiling,
            None => return false,
        };
        self.start = line_start;
        self.end = line_end;
        self.chars.clear();
        each_char(buf, line_start, line_end, |at, c| self.chars.push((at, c)));
        self.hashes.clear();
        self.hashes.resize(self.chars.len(), None);
        true
    }
}

/// The `edm` hit of a registered name.
fn name_hit(text: &[u8], start: usize, end: usize, digest: &Digest, column: u8) -> Hit {
    let name = String::from_utf8_lossy(text).into_owned();
    let mut masked = String::new();
    for (i, c) in name.chars().enumerate() {
        masked.push(if i == 0 { c } else { '*' });
    }
    Hit {
        detector: EDM_DETECTOR,
        start,
        end,
        value: name.clone(),
        masked,
        fingerprint: *digest,
        confidence: NAME_CONFIDENCE,
        column: Some(column as u16),
        written: Some(name),
    }
}

/// True for the CJK ideographs a name is written in.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

/// Characters of `buf[lo..hi]` (at most `out.len()`) with their byte offsets, in
/// `out`; returns how many.
fn decode(buf: &[u8], lo: usize, hi: usize, out: &mut [(usize, char)]) -> usize {
    let mut n = 0;
    each_char(buf, lo, hi, |at, c| {
        if n < out.len() {
            out[n] = (at, c);
            n += 1;
        }
    });
    n
}

/// Call `f` with every character of `buf[lo..hi]` and its byte offset. An invalid
/// byte counts as one character that is no ideograph.
fn each_char(buf: &[u8], lo: usize, hi: usize, mut f: impl FnMut(usize, char)) {
    match std::str::from_utf8(&buf[lo..hi]) {
        Ok(text) => text.char_indices().for_each(|(i, c)| f(lo + i, c)),
        Err(_) => {
            let mut at = lo;
            for chunk in buf[lo..hi].utf8_chunks() {
                for (i, c) in chunk.valid().char_indices() {
                    f(at + i, c);
                }
                at += chunk.valid().len();
                for _ in chunk.invalid() {
                    f(at, '\u{FFFD}');
                    at += 1;
                }
            }
        }
    }
}

/// Call `f(start, second, end, characters)` for every window of 2-4 CJK
/// ideographs among the last [`NAME_REACH`] characters before `buf[start..end]`
/// and the first after it, on its line (the text before first; by start, then
/// size). `second`: where the window's second character ends.
fn for_each_window(
    buf: &[u8],
    start: usize,
    end: usize,
    mut f: impl FnMut(usize, usize, usize, usize),
) {
    const BYTES: usize = 4 * NAME_REACH;
    let mut chars = [(0usize, '\0'); BYTES];
    let floor = start.saturating_sub(BYTES);
    let mut low = memchr::memrchr(b'\n', &buf[floor..start]).map_or(floor, |i| floor + i + 1);
    while low < start && (0x80..0xC0).contains(&buf[low]) {
        low += 1;
    }
    let ceiling = (end + BYTES).min(buf.len()).max(end);
    let high = memchr::memchr(b'\n', &buf[end..ceiling]).map_or(ceiling, |i| end + i);
    for before in [true, false] {
        let n = if before {
            decode(buf, low, start, &mut chars)
        } else {
            decode(buf, end, high, &mut chars)
        };
        let side = if before {
            &chars[n.saturating_sub(NAME_REACH)..n]
        } else {
            &chars[..n.min(NAME_REACH)]
        };
        windows_in(side, 0, &mut |s, second, e, size, _| f(s, second, e, size));
    }
}

/// Call `f(start, second, end, characters, index)` for every window of 2-4 CJK
/// ideographs in `side` (by start, then size); `index`: the character index of
/// the window's start, counting `side[0]` as `base`.
fn windows_in(
    side: &[(usize, char)],
    base: usize,
    f: &mut impl FnMut(usize, usize, usize, usize, usize),
) {
    let mut i = 0;
    while i < side.len() {
        if !is_cjk(side[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < side.len() && is_cjk(side[j].1) {
            j += 1;
        }
        let run = &side[i..j];
        let byte_end = |k: usize| run[k].0 + run[k].1.len_utf8();
        for k in 0..run.len().saturating_sub(1) {
            for size in 2..=4 {
                if k + size <= run.len() {
                    f(
                        run[k].0,
                        byte_end(k + 1),
                        byte_end(k + size - 1),
                        size,
                        base + i + k,
                    );
                }
            }
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name windows around `buf[start..end]`, as text.
    fn windows(buf: &[u8], start: usize, end: usize) -> Vec<&str> {
        let mut out = Vec::new();
        for_each_window(buf, start, end, |s, _, e, _| {
            out.push(std::str::from_utf8(&buf[s..e]).unwrap());
        });
        out
    }

    #[test]
    fn name_windows_stay_on_the_line() {
        let text = "张三丰\n李四 13812345678 王五".as_bytes();
        let at = text.windows(11).position(|w| w == b"13812345678").unwrap();
        assert_eq!(windows(text, at, at + 11), vec!["李四", "王五"]);
    }

    #[test]
    fn name_windows_reach_thirty_two_characters() {
        let before = "甲".repeat(40);
        let text = format!("{before}13812345678乙丙丁戊");
        let at = before.len();
        let found = windows(text.as_bytes(), at, at + 11);
        // 32 characters before: 31 starts of 2 characters, 30 of 3, 29 of 4; after:
        // 3 + 2 + 1.
        assert_eq!(found.len(), 31 + 30 + 29 + 6);
        assert_eq!(found.last(), Some(&"丁戊"));
    }

    #[test]
    fn the_filter_passes_its_names_and_few_others() {
        let fp = Fingerprinter::new(b"a test key of sixteen bytes or more");
        let names = ["张伟", "欧阳娜娜", "李小明"];
        let bits = filter_bits_for(names.len() as u64);
        let mut filter = vec![0u8; (bits / 8) as usize];
        add_names(&mut filter, &fp, &names);
        let keys = FilterKeys::new(&fp);
        let probe = |name: &str| {
            let chars = name.chars().count();
            let second = name.char_indices().nth(2).map_or(name.len(), |(i, _)| i);
            let h = keys.bigram(&name.as_bytes()[..second]);
            FilterKeys::probes(h, chars, bits - 1)
                .iter()
                .all(|&p| filter[(p / 8) as usize] & (1 << (p % 8)) != 0)
        };
        for name in names {
            assert!(probe(name), "{name}");
        }
        // Same first two characters, another length: a different probe.
        let others = ["张伟伟", "王芳", "欧阳", "赵六", "钱七", "孙八"];
        assert!(others.iter().filter(|n| probe(n)).count() <= 1);
    }
}
