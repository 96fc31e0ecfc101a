//! What a scan reports: JSON Lines records of hits, and the per-file policy tally.
//!
//! A `finding` record is written as `dlp.output.jsonl` documents it, byte for byte
//! what orjson writes for the same record: `type`, `path`, `member` (inside
//! containers), `detector`, `column` (EDM), `masked`, `fingerprint`, `confidence`,
//! `severity`, `location` (`offset`, `line`), and `value` only when revealed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use crate::engine::{Engine, Hit, EDM_DETECTOR};
use crate::fingerprint::{hex, Digest};

/// Append `text` as a JSON string, escaped as orjson escapes it.
pub fn json_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            0..=0x1F => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[last..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        last = i + 1;
    }
    out.extend_from_slice(&bytes[last..]);
    out.push(b'"');
}

/// A float as orjson writes it (shortest round-trip form, `1.0` not `1`).
pub fn json_float(out: &mut Vec<u8>, value: f64) {
    // Confidences are hundredths: write those without the formatter. The double
    // nearest to c / 100 prints as its shortest decimal form, `0.c`.
    let hundredths = (value * 100.0).round();
    if (0.0..=100.0).contains(&hundredths) && hundredths / 100.0 == value {
        let c = hundredths as u8;
        match c {
            100 => out.extend_from_slice(b"1.0"),
            _ if c.is_multiple_of(10) => out.extend_from_slice(&[b'0', b'.', b'0' + c / 10]),
            _ => out.extend_from_slice(&[b'0', b'.', b'0' + c / 10, b'0' + c % 10]),
        }
        return;
    }
    out.extend_from_slice(format!("{value:?}").as_bytes());
}

fn json_int(out: &mut Vec<u8>, value: usize) {
    let mut digits = [0u8; 20];
    let mut n = value;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Where the findings of one input go: its path and member as JSON, the input
/// offset of the buffer's first byte and the newlines before it.
pub struct Place<'a> {
    /// The path as a JSON string.
    pub path_json: &'a [u8],
    /// The container member as a JSON string, if any.
    pub member_json: Option<&'a [u8]>,
    /// Input offset of `buf[0]`.
    pub origin: usize,
    /// Newlines in the input before `buf[0]`.
    pub line_base: usize,
    /// Writes a hit's offset, its line and any more location fields (after
    /// `"offset":`) and gives the record it counts in; `None`: the input offset
    /// `origin + start` and the line (a text line).
    pub locate: Option<Locate<'a>>,
}

/// See [`Place::locate`]: `(start in buf, line, out)` to the hit's record.
pub type Locate<'a> = Box<dyn FnMut(usize, usize, &mut Vec<u8>) -> Record + 'a>;

/// The constant pieces of every detector's records.
#[derive(Debug, Clone)]
pub struct Templates {
    names: Vec<Vec<u8>>,
    severities: Vec<&'static [u8]>,
    columns: Vec<Vec<u8>>,
    /// Per detector: each of its two confidences with its JSON.
    confidences: Vec<[(f64, Vec<u8>); 2]>,
    reveal: bool,
}

impl Templates {
    /// The pieces for `engine`'s detectors and EDM columns (`columns`: names);
    /// `reveal`: records carry the raw value.
    pub fn new(engine: &Engine, columns: &[String], reveal: bool) -> Templates {
        let json = |s: &str| {
            let mut v = Vec::new();
            json_string(&mut v, s);
            v
        };
        Templates {
            names: engine.detectors().iter().map(|d| json(&d.name)).collect(),
            severities: engine
                .detectors()
                .iter()
                .map(|d| match d.severity.name() {
                    "low" => b"\"low\"" as &[u8],
                    "medium" => b"\"medium\"",
                    _ => b"\"high\"",
                })
                .collect(),
            columns: columns.iter().map(|c| json(c)).collect(),
            confidences: engine
                .detectors()
                .iter()
                .map(|d| {
                    let float = |x: f64| {
                        let mut v = Vec::new();
                        json_float(&mut v, x);
                        (x, v)
                    };
                    [float(d.base_confidence), float(d.context_confidence)]
                })
                .collect(),
            reveal,
        }
    }
}

/// Append the JSONL records of `hits` (found in `buf`, sorted by start) to `out`,
/// and count them in `tally`.
#[allow(clippy::too_many_arguments)]
pub fn render(
    hits: &[Hit],
    buf: &[u8],
    place: &mut Place<'_>,
    templates: &Templates,
    engine: &Engine,
    tally: &mut Tally,
    lines: &mut Lines,
    out: &mut Vec<u8>,
) {
    let Lines {
        mut line,
        mut counted,
    } = *lines;
    let mut kinds: Vec<Option<usize>> = vec![None; engine.detectors().len()];
    for hit in hits {
        if hit.start > counted {
            line += memchr::memchr_iter(b'\n', &buf[counted..hit.start]).count();
            counted = hit.start;
        }
        out.extend_from_slice(b"{\"type\":\"finding\",\"path\":");
        out.extend_from_slice(place.path_json);
        if let Some(member) = place.member_json {
            out.extend_from_slice(b",\"member\":");
            out.extend_from_slice(member);
        }
        let edm = hit.detector == EDM_DETECTOR;
        out.extend_from_slice(b",\"detector\":");
        if edm {
            out.extend_from_slice(b"\"edm\",\"column\":");
            let column = hit.column.unwrap_or(0) as usize;
            out.extend_from_slice(
                templates
                    .columns
                    .get(column)
                    .map_or(b"null" as &[u8], |c| c),
            );
        } else {
            out.extend_from_slice(&templates.names[hit.detector as usize]);
        }
        out.extend_from_slice(b",\"masked\":");
        json_string(out, &hit.masked);
        out.extend_from_slice(b",\"fingerprint\":\"");
        out.extend_from_slice(&hex(&hit.fingerprint));
        out.extend_from_slice(b"\",\"confidence\":");
        match templates.confidences.get(hit.detector as usize) {
            Some([(base, b), _]) if *base == hit.confidence => out.extend_from_slice(b),
            Some([_, (ctx, c)]) if *ctx == hit.confidence => out.extend_from_slice(c),
            _ => json_float(out, hit.confidence),
        }
        out.extend_from_slice(b",\"severity\":");
        out.extend_from_slice(if edm {
            b"\"high\""
        } else {
            templates.severities[hit.detector as usize]
        });
        out.extend_from_slice(b",\"location\":{\"offset\":");
        let record = match place.locate.as_deref_mut() {
            Some(locate) => locate(hit.start, line, out),
            None => {
                json_int(out, place.origin + hit.start);
                out.extend_from_slice(b",\"line\":");
                json_int(out, line);
                Record::Line(line as u64)
            }
        };
        out.push(b'}');
        if templates.reveal {
            out.extend_from_slice(b",\"value\":");
            json_string(out, hit.written.as_deref().unwrap_or(&hit.value));
        }
        out.extend_from_slice(b"}\n");
        if edm {
            let column = hit.column.unwrap_or(0);
            let name = engine.edm().is_some_and(|e| e.is_name_column(column));
            tally.add_edm(&hit.fingerprint, record, column, name);
        } else {
            let d = hit.detector as usize;
            let kind = *kinds[d].get_or_insert_with(|| tally.kind(&engine.detectors()[d].name));
            tally.add_kind(kind, &hit.fingerprint, record);
        }
    }
    *lines = Lines { line, counted };
}

/// Where [`render`] is in its buffer: the line (1-based) at offset `counted`.
#[derive(Debug, Clone, Copy)]
pub struct Lines {
    line: usize,
    counted: usize,
}

impl Lines {
    /// At the start of a buffer with `line_base` newlines before it.
    pub fn new(line_base: usize) -> Lines {
        Lines {
            line: line_base + 1,
            counted: 0,
        }
    }
}

/// The record a finding belongs to: its line, or its spreadsheet row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Record {
    /// A text line (1-based).
    Line(u64),
    /// A spreadsheet row: sheet name and row number.
    Row(String, u64),
}

/// Records (lines, sheet rows) kept open while counting kinds per record; findings
/// arrive in position order, so a record older than this many others is complete.
pub const RECENT_RECORDS: usize = 4096;

/// The kind name-column EDM hits count as.
const NAME_KIND: &str = "name";

/// Running policy counts for one file or member, in memory bounded by distinct
/// values: distinct values per detector, rows holding two or more kinds of
/// personal data, findings per detector, and (EDM) registered values by column.
///
/// Records close in first-in, first-out order once [`RECENT_RECORDS`] newer ones
/// are open. Findings of plain text arrive in line order, so a line closes as soon
/// as a later line starts, without entering the open set.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Kinds (detector names, and `name` for EDM name columns), by index.
    kinds: Vec<String>,
    /// Per kind: distinct values (first 8 bytes of their fingerprints).
    values: Vec<HashSet<u64, Prehashed>>,
    /// Per kind: findings.
    found: Vec<u64>,
    /// Whether each kind was counted as a detector (has values and findings).
    counted: Vec<bool>,
    /// The newest record and its kinds (bit set over kind indexes).
    newest: Option<(Record, u64)>,
    records: HashMap<Record, u64>,
    order: VecDeque<Record>,
    rows: u64,
    registered: Vec<(Digest, u16)>,
    registered_seen: HashSet<(Digest, u16)>,
}

/// Distinct values are the first 8 bytes of their keyed fingerprints: uniformly
/// distributed already, so they are their own hash.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type Prehashed = BuildHasherDefault<PassThrough>;

fn short(digest: &Digest) -> u64 {
    u64::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ])
}

impl Tally {
    /// The index of kind `name` (added when new).
    pub fn kind(&mut self, name: &str) -> usize {
        match self.kinds.iter().position(|k| k == name) {
            Some(i) => i,
            None => {
                self.kinds.push(name.to_string());
                self.values.push(HashSet::default());
                self.found.push(0);
                self.counted.push(false);
                self.kinds.len() - 1
            }
        }
    }

    fn mark(&mut self, record: Record, kind: usize) {
        let bit = 1u64 << (kind % 64);
        if let Some((newest, kinds)) = &mut self.newest {
            if *newest == record {
                *kinds |= bit;
                return;
            }
        }
        if let Some((newest, kinds)) = self.newest.take() {
            match (&newest, &record) {
                (Record::Line(old), Record::Line(new)) if new > old && self.records.is_empty() => {
                    self.rows += u64::from(kinds.count_ones() >= 2);
                }
                _ => self.open(newest, kinds),
            }
        }
        match self.records.get_mut(&record) {
            Some(kinds) => *kinds |= bit,
            None => self.newest = Some((record, bit)),
        }
    }

    /// Put a record among the open ones, closing the oldest past the limit.
    fn open(&mut self, record: Record, bits: u64) {
        if let Some(kinds) = self.records.get_mut(&record) {
            *kinds |= bits;
            return;
        }
        self.records.insert(record.clone(), bits);
        self.order.push_back(record);
        if self.order.len() > RECENT_RECORDS {
            if let Some(old) = self.order.pop_front() {
                if let Some(kinds) = self.records.remove(&old) {
                    self.rows += u64::from(kinds.count_ones() >= 2);
                }
            }
        }
    }

    fn count(&mut self, kind: usize, fingerprint: &Digest) {
        self.counted[kind] = true;
        self.found[kind] += 1;
        self.values[kind].insert(short(fingerprint));
    }

    /// One finding of a personal-data detector.
    pub fn add(&mut self, detector: &str, fingerprint: &Digest, record: Record) {
        let kind = self.kind(detector);
        self.add_kind(kind, fingerprint, record);
    }

    /// [`Tally::add`] with the detector's kind index (from [`Tally::kind`]).
    pub fn add_kind(&mut self, kind: usize, fingerprint: &Digest, record: Record) {
        self.mark(record, kind);
        self.count(kind, fingerprint);
    }

    /// One EDM finding: a name column counts as the kind `name` in its record, any
    /// other column is a registered value (for the customer count).
    pub fn add_edm(&mut self, fingerprint: &Digest, record: Record, column: u16, name: bool) {
        if name {
            let kind = self.kind(NAME_KIND);
            self.mark(record, kind);
        } else if self.registered_seen.insert((*fingerprint, column)) {
            self.registered.push((*fingerprint, column));
        }
        let edm = self.kind("edm");
        self.count(edm, fingerprint);
    }

    /// Rows with two or more kinds (closes every open record).
    pub fn close(&mut self) -> u64 {
        if let Some((record, kinds)) = self.newest.take() {
            self.open(record, kinds);
        }
        for record in self.order.drain(..) {
            if let Some(kinds) = self.records.remove(&record) {
                self.rows += u64::from(kinds.count_ones() >= 2);
            }
        }
        self.rows
    }

    /// Add the closed tally of another part of the same file (no record spans both).
    pub fn merge(&mut self, other: &mut Tally) {
        for i in 0..other.kinds.len() {
            if other.counted[i] {
                let kind = self.kind(&other.kinds[i]);
                self.counted[kind] = true;
                self.found[kind] += other.found[i];
                let theirs: Vec<u64> = other.values[i].iter().copied().collect();
                self.values[kind].extend(theirs);
            }
        }
        for entry in &other.registered {
            if self.registered_seen.insert(*entry) {
                self.registered.push(*entry);
            }
        }
        self.rows += other.close();
    }

    fn counted_kinds(&self) -> impl Iterator<Item = usize> + '_ {
        let mut order: Vec<usize> = (0..self.kinds.len()).filter(|&i| self.counted[i]).collect();
        order.sort_by(|&a, &b| self.kinds[a].cmp(&self.kinds[b]));
        order.into_iter()
    }

    /// Distinct values per detector, by name.
    pub fn distinct(&self) -> Vec<(String, usize)> {
        self.counted_kinds()
            .map(|i| (self.kinds[i].clone(), self.values[i].len()))
            .collect()
    }

    /// Findings per detector, by name.
    pub fn found(&self) -> Vec<(String, u64)> {
        self.counted_kinds()
            .map(|i| (self.kinds[i].clone(), self.found[i]))
            .collect()
    }

    /// Registered values (fingerprint, EDM column), in the order first seen.
    pub fn registered(&self) -> &[(Digest, u16)] {
        &self.registered
    }

    /// The state as plain parts, for pickling: (values, found, rows after close, registered).
    #[allow(clippy::type_complexity)]
    pub fn parts(
        &mut self,
    ) -> (
        Vec<(String, Vec<u64>)>,
        Vec<(String, u64)>,
        u64,
        Vec<(Digest, u16)>,
    ) {
        let rows = self.close();
        let values = self
            .counted_kinds()
            .map(|i| {
                (
                    self.kinds[i].clone(),
                    self.values[i].iter().copied().collect(),
                )
            })
            .collect();
        (values, self.found(), rows, self.registered.clone())
    }

    /// A closed tally rebuilt from [`Tally::parts`].
    pub fn from_parts(
        values: Vec<(String, Vec<u64>)>,
        found: Vec<(String, u64)>,
        rows: u64,
        registered: Vec<(Digest, u16)>,
    ) -> Tally {
        let mut tally = Tally {
            rows,
            registered_seen: registered.iter().copied().collect(),
            registered,
            ..Tally::default()
        };
        for (name, hashes) in values {
            let kind = tally.kind(&name);
            tally.counted[kind] = true;
            tally.values[kind].extend(hashes);
        }
        for (name, n) in found {
            let kind = tally.kind(&name);
            tally.counted[kind] = true;
            tally.found[kind] = n;
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_orjson() {
        let mut out = Vec::new();
        json_string(&mut out, "a\"b\\c\n\u{1}\u{7f}/é");
        assert_eq!(out, "\"a\\\"b\\\\c\\n\\u0001\u{7f}/é\"".as_bytes());
        let mut f = Vec::new();
        json_float(&mut f, 1.0);
        json_float(&mut f, 0.95);
        assert_eq!(f, b"1.00.95");
        for value in (0..=100)
            .map(|c| f64::from(c) / 100.0)
            .chain([0.333, 1e-7, 2.5, -0.5, 0.125])
        {
            let mut f = Vec::new();
            json_float(&mut f, value);
            assert_eq!(f, format!("{value:?}").as_bytes(), "{value}");
        }
    }

    #[test]
    fn rows_with_two_kinds() {
        let mut t = Tally::default();
        let d = [1u8; 32];
        t.add("cn_mobile", &d, Record::Line(1));
        t.add("cn_resident_id", &[2u8; 32], Record::Line(1));
        t.add("cn_mobile", &d, Record::Line(2));
        assert_eq!(t.close(), 1);
        assert_eq!(
            t.distinct(),
            vec![("cn_mobile".into(), 1), ("cn_resident_id".into(), 1)]
        );
        assert_eq!(
            t.found(),
            vec![("cn_mobile".into(), 2), ("cn_resident_id".into(), 1)]
        );
    }
}
