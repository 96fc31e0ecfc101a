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

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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

/// An opened index: the fanout table and the records (any byte source, such as a
/// memory map).
#[derive(Clone)]
pub struct Edm {
    data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    fanout_at: usize,
    records_at: usize,
    /// Per column: true for name columns.
    names: Vec<bool>,
}

impl std::fmt::Debug for Edm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Edm({} columns)", self.names.len())
    }
}

impl Edm {
    /// An index whose fanout table starts at `fanout_at` in `data` (the header has
    /// been checked by the caller); `names[c]` is true for name columns.
    pub fn new(
        data: Arc<dyn AsRef<[u8]> + Send + Sync>,
        fanout_at: usize,
        names: Vec<bool>,
    ) -> Result<Edm, String> {
        let size = (*data).as_ref().len();
        let records_at = fanout_at + 4 * FANOUT;
        if records_at > size || !(size - records_at).is_multiple_of(RECORD) {
            return Err("the EDM index is truncated or damaged".into());
        }
        Ok(Edm {
            data,
            fanout_at,
            records_at,
            names,
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
        let want = &digest[..HASH_BYTES];
        let prefix = (want[0] as usize) << 8 | want[1] as usize;
        let total = (self.bytes().len() - self.records_at) / RECORD;
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
        let mut found = Vec::new();
        while lo < end && hash_at(lo) == want {
            let at = self.records_at + lo * RECORD + HASH_BYTES;
            let r = &data[at + 1..at + 5];
            found.push((data[at], u32::from_be_bytes([r[0], r[1], r[2], r[3]])));
            lo += 1;
        }
        found
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
        let any_names = self.names.iter().any(|&n| n);
        for hit in hits {
            let records = self.lookup(&hit.fingerprint);
            let rows: HashSet<u32> = records
                .iter()
                .filter(|(c, _)| !self.is_name_column(u16::from(*c)))
                .map(|&(_, r)| r)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let written = String::from_utf8_lossy(&buf[hit.start..hit.end]).into_owned();
            let mut columns: Vec<u8> = records
                .iter()
                .map(|&(c, _)| c)
                .filter(|&c| !self.is_name_column(u16::from(c)))
                .collect();
            columns.sort_unstable();
            columns.dedup();
            for column in columns {
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
                    fingerprinter,
                    &mut extra,
                );
            }
        }
        extra
    }

    #[allow(clippy::too_many_arguments)]
    fn names_near(
        &self,
        buf: &[u8],
        hit: &Hit,
        rows: &HashSet<u32>,
        seen: &mut HashSet<(usize, usize, u8)>,
        cache: &mut Looked,
        fingerprinter: &Fingerprinter,
        out: &mut Vec<Hit>,
    ) {
        for (start, end, count) in windows(buf, hit.start, hit.end) {
            let (digest, records) = cache.entry((start, end)).or_insert_with(|| {
                let digest = fingerprinter.digest(&buf[start..end]);
                (digest, self.lookup(&digest))
            });
            for &(column, row) in records.iter() {
                if self.is_name_column(u16::from(column))
                    && rows.contains(&row)
                    && seen.insert((start, count, column))
                {
                    let name = String::from_utf8_lossy(&buf[start..end]).into_owned();
                    let mut masked = String::new();
                    for (i, c) in name.chars().enumerate() {
                        masked.push(if i == 0 { c } else { '*' });
                    }
                    out.push(Hit {
                        detector: EDM_DETECTOR,
                        start,
                        end,
                        value: name.clone(),
                        masked,
                        fingerprint: *digest,
                        confidence: NAME_CONFIDENCE,
                        column: Some(column as u16),
                        written: Some(name),
                    });
                }
            }
        }
    }
}

/// True for the CJK ideographs a name is written in.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

/// Characters of `bytes` with their byte offsets (relative to `base`); an invalid
/// byte counts as one character that is no ideograph.
fn chars_of(bytes: &[u8], base: usize) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut at = base;
    for chunk in bytes.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            out.push((at + i, c));
        }
        at += chunk.valid().len();
        for _ in chunk.invalid() {
            out.push((at, '\u{FFFD}'));
            at += 1;
        }
    }
    out
}

/// Every 2-4 character CJK window near `buf[start..end]`: (byte start, byte end,
/// characters), the text before the value first.
fn windows(buf: &[u8], start: usize, end: usize) -> Vec<(usize, usize, usize)> {
    let line_start = buf[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line_end = buf[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(buf.len(), |i| end + i);
    let mut low = line_start.max(start.saturating_sub(4 * NAME_REACH));
    while low < start && (0x80..0xC0).contains(&buf[low]) {
        low += 1;
    }
    let before = chars_of(&buf[low..start], low);
    let before = &before[before.len().saturating_sub(NAME_REACH)..];
    let after = chars_of(&buf[end..line_end.min(end + 4 * NAME_REACH).max(end)], end);
    let after = &after[..after.len().min(NAME_REACH)];
    let mut out = Vec::new();
    for side in [before, after] {
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
            if run.len() >= 2 {
                let byte_end = |k: usize| run[k].0 + run[k].1.len_utf8();
                for k in 0..run.len() - 1 {
                    for size in 2..=4 {
                        if k + size <= run.len() {
                            out.push((run[k].0, byte_end(k + size - 1), size));
                        }
                    }
                }
            }
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_windows_stay_on_the_line() {
        let text = "张三丰\n李四 13812345678 王五".as_bytes();
        let at = text.windows(11).position(|w| w == b"13812345678").unwrap();
        let found: Vec<&str> = windows(text, at, at + 11)
            .into_iter()
            .map(|(s, e, _)| std::str::from_utf8(&text[s..e]).unwrap())
            .collect();
        assert_eq!(found, vec!["李四", "王五"]);
    }
}
