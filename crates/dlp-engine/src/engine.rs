//! The scan of one buffer: candidates, boundaries, validation, context, overlaps,
//! masks, fingerprints, the allowlist and exact data match, in one pass.

use crate::candidates::{Candidate, PatternSet, Patterns, Starts, ALNUM};
use crate::checks::{Outcome, Program, Tables};
use crate::edm::Edm;
use crate::fingerprint::{Digest, Fingerprinter};
use crate::fold::{fold, Folded};
use crate::keywords::{
    any_within, Fired, Keyword, Keywords, Literals, Positions, Trigger, AFTER, BEFORE, LABEL,
};
use crate::mask::Mask;

/// Severity of a detector's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Severity {
    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// Parse a report name.
    pub fn parse(name: &str) -> Result<Severity, String> {
        match name {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            _ => Err(format!("unknown severity {name:?}")),
        }
    }
}

/// What a detector declares, as the engine uses it.
#[derive(Debug, Clone)]
pub struct DetectorSpec {
    /// Detector name (JSONL `detector`).
    pub name: String,
    /// Regular expressions for candidates.
    pub patterns: Vec<String>,
    /// Which detector wins when two claim overlapping text (higher wins).
    pub priority: i32,
    /// ASCII bytes that, next to a match, make it part of a longer token.
    pub joiners: Vec<u8>,
    /// Strings that, right after a match, make it part of a longer token.
    pub followers: Vec<Vec<u8>>,
    /// A trailing `-digits` is an extension, not a longer number.
    pub allow_extension: bool,
    /// ASCII bytes a match is extended over to its left.
    pub extend_left: Vec<u8>,
    /// At most this many of them.
    pub extend_left_max: usize,
    /// The validation program.
    pub checks: Program,
    /// The mask.
    pub mask: Mask,
    /// Keyword categories (bit set) that raise confidence.
    pub context: u64,
    /// Only report with context.
    pub requires_context: bool,
    /// When not empty: only values right after one of these words (ASCII
    /// lower-case, matched case-insensitively; see [`follows_label`]), or with a
    /// header line of the detector's context categories.
    pub labels: Vec<Vec<u8>>,
    /// Labels of other kinds of number (ASCII lower-case): a value right after one
    /// of them is not reported (an invoice code is not a landline).
    pub refuted_by: Vec<Vec<u8>>,
    /// Confidence without context.
    pub base_confidence: f64,
    /// Confidence with context.
    pub context_confidence: f64,
    /// Severity.
    pub severity: Severity,
}

/// Everything an [`Engine`] is built from.
#[derive(Debug, Clone)]
pub struct EngineSpec {
    /// The detectors, in the order their indexes refer to.
    pub detectors: Vec<DetectorSpec>,
    /// Context keywords.
    pub keywords: Vec<Keyword>,
    /// Number of keyword categories.
    pub categories: usize,
    /// Literals of signature rules (which rules may match a buffer).
    pub triggers: Vec<Trigger>,
    /// Lookup tables for validation and masks.
    pub tables: Tables,
    /// Fingerprint key.
    pub key: Vec<u8>,
    /// Allowed fingerprints (raw HMAC bytes).
    pub allow_fingerprints: Vec<Digest>,
    /// Allowed values: regular expressions searched in the normalised value.
    pub allow_regexes: Vec<String>,
    /// Exact data match against a customer master.
    pub edm: Option<Edm>,
}

/// Detector index of exact-data-match hits.
pub const EDM_DETECTOR: u16 = u16::MAX;

/// A reported value in input-buffer coordinates.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Detector index, or [`EDM_DETECTOR`].
    pub detector: u16,
    /// Start offset in the scanned buffer.
    pub start: usize,
    /// End offset in the scanned buffer.
    pub end: usize,
    /// Normalised value.
    pub value: String,
    /// Masked value.
    pub masked: String,
    /// Keyed fingerprint of the value.
    pub fingerprint: Digest,
    /// Confidence.
    pub confidence: f64,
    /// EDM only: the master column matched.
    pub column: Option<u16>,
    /// EDM only: the value as written in the input.
    pub written: Option<String>,
}

/// What a scan of one buffer gives.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Hits starting in the emit range, sorted by start.
    pub hits: Vec<Hit>,
    /// Signature rules whose literals occur in the buffer.
    pub triggered: Vec<u32>,
}

/// A validated candidate on its way to becoming a hit.
#[derive(Debug, Clone)]
struct Valid {
    start: usize,
    end: usize,
    detector: u16,
    priority: i32,
    value: String,
    unknown: bool,
}

/// The compiled engine: immutable, shared between threads.
#[derive(Debug)]
pub struct Engine {
    detectors: Vec<DetectorSpec>,
    patterns: Patterns,
    labelled: Option<Labelled>,
    keywords: Keywords,
    triggers: Literals,
    starts: Starts,
    tables: Tables,
    fingerprinter: Fingerprinter,
    allow_fingerprints: std::collections::HashSet<Digest>,
    allow_regexes: Vec<regex::Regex>,
    edm: Option<Edm>,
}

/// Bytes that continue a token after its end when they are joiners.
const CONTINUERS: &[u8] = b".-_";

impl Engine {
    /// Compile an engine.
    pub fn new(spec: EngineSpec) -> Result<Engine, String> {
        // Detectors with labels are searched apart (see `Labelled`).
        let sets_of = |labelled: bool| -> Vec<PatternSet> {
            (spec.detectors.iter())
                .map(|d| PatternSet {
                    patterns: if d.labels.is_empty() != labelled {
                        d.patterns.clone()
                    } else {
                        Vec::new()
                    },
                    free_start: !d.extend_left.is_empty(),
                })
                .collect()
        };
        let sets = sets_of(false);
        let (labelled, label_triggers) = Labelled::new(&spec.detectors, &sets_of(true))?;
        for d in &spec.detectors {
            d.checks
                .check_tables(&spec.tables)
                .map_err(|e| format!("detector {}: {e}", d.name))?;
            if let Mask::PrefixEdges { table, .. } = &d.mask {
                if !spec.tables.has(table) {
                    return Err(format!(
                        "detector {}: unknown table {table:?} in its mask",
                        d.name
                    ));
                }
            }
        }
        let allow_regexes = spec
            .allow_regexes
            .iter()
            .map(|r| regex::Regex::new(r).map_err(|e| format!("bad allowlist regex {r:?}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let patterns = Patterns::new(&sets)?;
        if spec.triggers.iter().any(|t| t.rule & LABEL != 0) {
            return Err("signature rule numbers must be below 2^31".into());
        }
        let triggers = Literals::new(&[spec.triggers.as_slice(), &label_triggers].concat());
        Ok(Engine {
            starts: patterns.starts(&triggers),
            patterns,
            labelled,
            keywords: Keywords::new(&spec.keywords, spec.categories)?,
            triggers,
            fingerprinter: Fingerprinter::new(&spec.key),
            allow_fingerprints: spec.allow_fingerprints.into_iter().collect(),
            allow_regexes,
            detectors: spec.detectors,
            tables: spec.tables,
            edm: spec.edm,
        })
    }

    /// The detectors, by index.
    pub fn detectors(&self) -> &[DetectorSpec] {
        &self.detectors
    }

    /// The exact-data-match index, if any.
    pub fn edm(&self) -> Option<&Edm> {
        self.edm.as_ref()
    }

    /// Keyword categories (bit set) in `buf` (an input's header line).
    pub fn categories_in(&self, buf: &[u8]) -> u64 {
        self.keywords.categories_in(buf)
    }

    /// The keyed fingerprint of a value.
    pub fn fingerprint(&self, value: &str) -> Digest {
        self.fingerprinter.digest(value.as_bytes())
    }

    /// True when the allowlist accepts a normalised value.
    pub fn allows(&self, value: &str) -> bool {
        self.allows_digest(value, None)
    }

    fn allows_digest(&self, value: &str, digest: Option<&Digest>) -> bool {
        if self.allow_regexes.iter().any(|r| r.is_match(value)) {
            return true;
        }
        if self.allow_fingerprints.is_empty() {
            return false;
        }
        match digest {
            Some(d) => self.allow_fingerprints.contains(d),
            None => self.allow_fingerprints.contains(&self.fingerprint(value)),
        }
    }

    /// Scan `buf`: the hits that start in `[emit_from, emit_to)`. `header`: keyword
    /// categories of the input's header line (context for every value); `today`:
    /// the local date as YYYYMMDD.
    pub fn scan(
        &self,
        buf: &[u8],
        header: u64,
        emit_from: usize,
        emit_to: usize,
        today: u32,
    ) -> Scan {
        let (triggered, hits) = self.scan_unless(buf, header, emit_from, emit_to, today, |_| false);
        Scan {
            triggered,
            hits: hits.unwrap_or_default(),
        }
    }

    /// Signature rules whose literals occur in `buf` (ascending, each once).
    pub fn triggered(&self, buf: &[u8]) -> Vec<u32> {
        self.triggers.triggered(buf)
    }

    /// [`Engine::scan`] in one pass over the bytes for candidates and signature
    /// literals, stopping before validation (hits `None`) when `stop` says so of
    /// the triggered rules (the caller runs YARA first, then scans again).
    pub fn scan_unless(
        &self,
        buf: &[u8],
        header: u64,
        emit_from: usize,
        emit_to: usize,
        today: u32,
        stop: impl Fn(&[u32]) -> bool,
    ) -> (Vec<u32>, Option<Vec<Hit>>) {
        let mut hits = Vec::new();
        let (triggered, ran) =
            self.scan_chunks(buf, header, emit_from, emit_to, today, stop, |chunk| {
                hits.extend(chunk)
            });
        (triggered, ran.then_some(hits))
    }

    /// [`Engine::scan_unless`] giving the hits to `each` a chunk at a time, in
    /// order (a chunk ends at a line end about every [`CHUNK`] bytes, so that the
    /// work of one chunk stays in the processor's caches). Returns the triggered
    /// rules and false when `stop` stopped the scan.
    #[allow(clippy::too_many_arguments)]
    pub fn scan_chunks(
        &self,
        buf: &[u8],
        header: u64,
        emit_from: usize,
        emit_to: usize,
        today: u32,
        stop: impl Fn(&[u32]) -> bool,
        mut each: impl FnMut(Vec<Hit>),
    ) -> (Vec<u32>, bool) {
        let mut triggered = Vec::new();
        let mut parts = self.find_parts(buf, &mut triggered);
        if parts.iter().any(|p| p.folded.is_some()) && self.triggers.foldable() {
            triggered = self.triggers.triggered(buf);
        }
        triggered.sort_unstable();
        triggered.dedup();
        if stop(&triggered) {
            return (triggered, false);
        }
        for part in &mut parts {
            if let Some(labelled) = &self.labelled {
                let data = part.folded.as_ref().map_or(buf, |(_, f)| &f.buf[..]);
                labelled.add(data, part.range, &part.label_ends, header, &mut part.found);
            }
        }
        for part in &parts {
            let (data, base, folded) = match &part.folded {
                None => (buf, 0, None),
                Some((base, f)) => (&f.buf[..], *base, Some(f)),
            };
            let map = |pos: usize| folded.map_or(pos, |f| base + f.source(pos));
            for chunk in chunks(data, &part.found) {
                let hits = self.hits_of(buf, data, chunk, &map, header, emit_from, emit_to, today);
                if !hits.is_empty() {
                    each(hits);
                }
            }
        }
        (triggered, true)
    }

    /// The candidates of `buf` in parts, in order: stretches searched as they are,
    /// and around each full-width digit a stretch of whole lines (from
    /// [`FOLD_BACK`] bytes before it to [`FOLD_SPAN`] after) folded to ASCII and searched folded, with
    /// [`FOLD_MARGIN`] bytes of folded context either side. The signature rules
    /// whose literals occur go to `triggered`.
    fn find_parts(&self, buf: &[u8], triggered: &mut Vec<u32>) -> Vec<Part> {
        let mut parts = Vec::new();
        let len = buf.len();
        let mut from = 0;
        let (patterns, starts, literals) = (&self.patterns, &self.starts, &self.triggers);
        loop {
            let mut found = Vec::new();
            let mut fired = Fired::default();
            let at = patterns.find_in(buf, from, len, &mut found, starts, literals, &mut fired);
            triggered.append(&mut fired.rules);
            let Some(at) = at else {
                parts.push(Part {
                    folded: None,
                    range: (from, len),
                    found,
                    label_ends: fired.label_ends,
                });
                return parts;
            };
            // From a line start FOLD_BACK bytes back to a line end FOLD_SPAN bytes on.
            let back = at.saturating_sub(FOLD_BACK).max(from);
            let cut = memchr::memrchr(b'\n', &buf[from..back]).map_or(from, |i| from + i + 1);
            found.retain(|c| c.start < cut);
            if cut > from {
                parts.push(Part {
                    folded: None,
                    range: (from, cut),
                    found,
                    label_ends: fired.label_ends,
                });
            }
            let span = (at + FOLD_SPAN).min(len);
            let next = memchr::memchr(b'\n', &buf[span..]).map_or(len, |i| span + i + 1);
            let lo = char_start(buf, cut.saturating_sub(FOLD_MARGIN));
            let hi = char_start(buf, (next + FOLD_MARGIN).min(len));
            // The stretch holds the full-width digit at `at`: it folds.
            let folded = fold(&buf[lo..hi]).unwrap_or_else(|| Folded::unchanged(&buf[lo..hi]));
            let (start, end) = (folded.position(cut - lo), folded.position(next - lo));
            let mut found = Vec::new();
            let mut fired = Fired::default();
            let data = &folded.buf;
            let _ = patterns.find_in(data, start, end, &mut found, starts, literals, &mut fired);
            triggered.append(&mut fired.rules);
            parts.push(Part {
                folded: Some((lo, folded)),
                range: (start, end),
                found,
                label_ends: fired.label_ends,
            });
            if next >= len {
                return parts;
            }
            from = next;
        }
    }

    /// The hits of the raw candidates `found` in `data` (`buf` folded; `map` takes
    /// folded offsets back to `buf`'s).
    #[allow(clippy::too_many_arguments)]
    fn hits_of(
        &self,
        buf: &[u8],
        data: &[u8],
        found: &[Candidate],
        map: &dyn Fn(usize) -> usize,
        header: u64,
        emit_from: usize,
        emit_to: usize,
        today: u32,
    ) -> Vec<Hit> {
        let mut valid = self.validate(data, found, header, today);
        if valid.is_empty() {
            return Vec::new();
        }
        valid.sort_by_key(|v| v.start);
        let in_header = |v: &Valid| self.detectors[v.detector as usize].context & header != 0;
        // Values that need context and have none do not compete for their text:
        // keywords are looked for only around those that need them.
        let gated = valid
            .iter()
            .filter(|v| self.detectors[v.detector as usize].requires_context && !in_header(v));
        let positions = self.keywords.around(data, gated.map(|v| (v.start, v.end)));
        valid.retain(|v| {
            !self.detectors[v.detector as usize].requires_context
                || in_header(v)
                || self.near_keyword(v, &positions, line_window(data, v.start, v.end))
        });
        let kept = resolve(valid);
        let positions = self.keywords.around(
            data,
            kept.iter()
                .filter(|v| !in_header(v))
                .map(|v| (v.start, v.end)),
        );
        let has_context =
            |v: &Valid| in_header(v) || self.near_keyword(v, &positions, (0, usize::MAX));
        let mut hits = Vec::with_capacity(kept.len());
        for v in kept {
            let context = has_context(&v);
            let det = &self.detectors[v.detector as usize];
            if !context && (det.requires_context || v.unknown) {
                continue;
            }
            let (start, end) = (map(v.start), map(v.end));
            let digest = self.fingerprinter.digest(v.value.as_bytes());
            if (!self.allow_regexes.is_empty() || !self.allow_fingerprints.is_empty())
                && self.allows_digest(&v.value, Some(&digest))
            {
                continue;
            }
            hits.push(Hit {
                detector: v.detector,
                start,
                end,
                masked: det.mask.apply(&v.value, &self.tables),
                value: v.value,
                fingerprint: digest,
                confidence: if context {
                    det.context_confidence
                } else {
                    det.base_confidence
                },
                column: None,
                written: None,
            });
        }
        if let Some(edm) = &self.edm {
            let extra = edm.extend(buf, &hits, &self.fingerprinter);
            if !extra.is_empty() {
                hits = merge_by_start(hits, extra);
            }
        }
        hits.retain(|h| emit_from <= h.start && h.start < emit_to);
        hits
    }

    /// True when a keyword of one of `v`'s detector's categories starts near it,
    /// inside `within` (a [`line_window`], or everything).
    fn near_keyword(&self, v: &Valid, positions: &Positions, within: (usize, usize)) -> bool {
        let low = v.start.saturating_sub(BEFORE).max(within.0);
        let high = (v.end + AFTER).min(within.1);
        let mut bits = self.detectors[v.detector as usize].context;
        while bits != 0 {
            let c = bits.trailing_zeros() as usize;
            if positions.get(c).is_some_and(|p| any_within(p, low, high)) {
                return true;
            }
            bits &= bits - 1;
        }
        false
    }

    /// Boundary-check and validate raw candidates.
    fn validate(&self, data: &[u8], found: &[Candidate], header: u64, today: u32) -> Vec<Valid> {
        let mut out = Vec::new();
        for cand in found {
            let det = &self.detectors[cand.detector as usize];
            let mut start = cand.start;
            let end = cand.end;
            if end < data.len() && ALNUM[data[end] as usize] {
                continue; // inside a longer run: the common case on dense lists
            }
            if !det.extend_left.is_empty() {
                match extend_left(data, start, det) {
                    Some(s) => start = s,
                    None => continue,
                }
            }
            if !boundary_ok(data, start, end, det.allow_extension, &det.joiners) {
                continue;
            }
            if det.followers.iter().any(|f| data[end..].starts_with(f)) {
                continue;
            }
            if !det.refuted_by.is_empty() && follows_label(data, start, &det.refuted_by) {
                continue;
            }
            if inside_groups(data, start, end) {
                continue;
            }
            // A header line's keyword stands for a label below the header only.
            let below_header =
                det.context & header != 0 && memchr::memchr(b'\n', &data[..start]).is_some();
            if !(det.labels.is_empty() || below_header || follows_label(data, start, &det.labels)) {
                continue;
            }
            let text = String::from_utf8_lossy(&data[start..end]);
            let (value, unknown) = match det.checks.run(&text, &self.tables, today) {
                Outcome::Confirm(v) => (v, false),
                Outcome::Unknown(v) => (v, true),
                Outcome::Reject(_) => continue,
            };
            out.push(Valid {
                start,
                end,
                detector: cand.detector,
                priority: det.priority,
                value,
                unknown,
            });
        }
        out
    }
}

/// Candidates of one stretch of a buffer, and the stretch folded (with the offset
/// of its first byte) when it was searched folded.
struct Part {
    folded: Option<(usize, Folded)>,
    /// Where the candidates may start (in the folded stretch when folded).
    range: (usize, usize),
    found: Vec<Candidate>,
    /// Where detectors' labels end (see `Labelled`).
    label_ends: Vec<usize>,
}

/// Bytes folded on from a full-width digit (then on to the next line end).
#[cfg(not(fuzzing))]
pub const FOLD_SPAN: usize = 16 << 10;
/// Bytes folded back from a full-width digit (then back to a line start).
#[cfg(not(fuzzing))]
pub const FOLD_BACK: usize = 4 << 10;
// Fuzzing: short stretches and chunks, so that small inputs cross their edges.
#[cfg(fuzzing)]
#[allow(missing_docs)]
pub const FOLD_SPAN: usize = 300;
#[cfg(fuzzing)]
#[allow(missing_docs)]
pub const FOLD_BACK: usize = 100;
/// Bytes of context folded either side of a folded stretch (more than the context
/// and boundary rules look at).
pub const FOLD_MARGIN: usize = 256;

/// `pos`, or the start of the character `pos` falls inside.
fn char_start(buf: &[u8], mut pos: usize) -> usize {
    let low = pos.saturating_sub(3);
    while pos > low && pos < buf.len() && buf[pos] & 0xC0 == 0x80 {
        pos -= 1;
    }
    pos
}

/// Bytes of candidates processed together (see [`Engine::scan_chunks`]).
#[cfg(not(fuzzing))]
pub const CHUNK: usize = 64 << 10;
#[cfg(fuzzing)]
#[allow(missing_docs)]
pub const CHUNK: usize = 200;

/// `found` (in start order) cut into runs of about [`CHUNK`] bytes, each cut at a
/// gap between candidates that holds a line end: nothing a value's validation,
/// overlaps or exact-data-match names look at crosses a cut.
fn chunks<'a>(data: &'a [u8], found: &'a [Candidate]) -> impl Iterator<Item = &'a [Candidate]> {
    let mut rest = found;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let target = rest[0].start.saturating_add(CHUNK);
        let mut end = rest[0].end;
        let mut j = 1;
        while j < rest.len() {
            let next = rest[j].start;
            if next >= target && end < next && memchr::memchr(b'\n', &data[end..next]).is_some() {
                break;
            }
            end = end.max(rest[j].end);
            j += 1;
        }
        let (chunk, tail) = rest.split_at(j);
        rest = tail;
        Some(chunk)
    })
}

/// `hits` and `extra` in one list sorted by start, `hits` first among equal starts
/// (both sorted by start on entry except `extra`, which is sorted here).
fn merge_by_start(hits: Vec<Hit>, extra: Vec<Hit>) -> Vec<Hit> {
    // Sort positions, not the (large) hits, then move each hit once.
    let mut order: Vec<(usize, u32)> = (hits.iter().chain(&extra))
        .enumerate()
        .map(|(i, h)| (h.start, i as u32))
        .collect();
    order.sort_unstable();
    let mut all: Vec<Option<Hit>> = hits.into_iter().chain(extra).map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, i)| all[i as usize].take())
        .collect()
}

/// False when `[start, end)` is part of a longer token (letters, digits, a decimal).
fn boundary_ok(
    buf: &[u8],
    start: usize,
    end: usize,
    allow_extension: bool,
    joiners: &[u8],
) -> bool {
    if start > 0 {
        let prev = buf[start - 1];
        if ALNUM[prev as usize] || joiners.contains(&prev) {
            return false;
        }
        if (prev == b'.' || prev == b'-') && start > 1 && buf[start - 2].is_ascii_digit() {
            return false;
        }
    }
    if end < buf.len() {
        let next = buf[end];
        let continues = joiners.contains(&next) && CONTINUERS.contains(&next);
        if ALNUM[next as usize]
            || (continues && end + 1 < buf.len() && ALNUM[buf[end + 1] as usize])
        {
            return false;
        }
        let digit_follows = end + 1 < buf.len() && buf[end + 1].is_ascii_digit();
        if digit_follows && (next == b'.' || (next == b'-' && !allow_extension)) {
            return false;
        }
    }
    true
}

/// Where the keyword that a value needing context gets must start: on the value's
/// line, or also on the line before when the value starts its line (a label above
/// its value). A bank word on another line does not make a reference number a card.
fn line_window(data: &[u8], start: usize, end: usize) -> (usize, usize) {
    let line = memchr::memrchr(b'\n', &data[..start]).map_or(0, |p| p + 1);
    let high = memchr::memchr(b'\n', &data[end..]).map_or(usize::MAX, |p| end + p);
    let leads = data[line..start].iter().all(|b| b.is_ascii_whitespace());
    if leads && line > 0 {
        let above = memchr::memrchr(b'\n', &data[..line - 1]).map_or(0, |p| p + 1);
        return (above, high);
    }
    (line, high)
}

/// True when `[start, end)` is written in groups (a space or hyphen between digits)
/// that begin or end with a four-digit group, and another four-digit group with the
/// same separator comes right before or after it: the middle of a grouped card or
/// account number, not a value of its own.
fn inside_groups(data: &[u8], start: usize, end: usize) -> bool {
    let text = &data[start..end];
    let four = |g: &[u8]| g.len() == 4 && g.iter().all(u8::is_ascii_digit);
    [b' ', b'-'].into_iter().any(|sep| {
        let mut groups = text.split(|&b| b == sep);
        let (Some(first), Some(last)) = (groups.next(), text.rsplit(|&b| b == sep).next()) else {
            return false;
        };
        if first.len() == text.len() {
            return false; // not grouped with this separator
        }
        let before = four(first)
            && start >= 5
            && data[start - 1] == sep
            && four(&data[start - 5..start - 1])
            && (start == 5 || !data[start - 6].is_ascii_digit());
        let after = four(last)
            && data.len() >= end + 5
            && data[end] == sep
            && four(&data[end + 1..end + 5])
            && (data.len() == end + 5 || !data[end + 5].is_ascii_digit());
        before || after
    })
}

/// Bytes a label may be separated from its value by (and `：`, `是`, `为`).
const LABEL_GAP: usize = 12;

/// Detectors reported only right after one of their labels (or below a header that
/// names them): their patterns are run only where a label ends, so that the words
/// of ordinary text cost nothing, unless the header turns one of them on (then over
/// the whole buffer). Validation checks the label itself ([`follows_label`]).
#[derive(Debug)]
struct Labelled {
    patterns: Patterns,
    starts: Starts,
    none: Literals,
    /// Keyword categories of these detectors (a header naming one turns them on).
    context: u64,
}

impl Labelled {
    /// The labelled detectors (`sets`: their patterns, others' left empty) and their
    /// labels as [`Trigger`]s of the candidate pass (rule bit [`LABEL`]).
    fn new(
        detectors: &[DetectorSpec],
        sets: &[PatternSet],
    ) -> Result<(Option<Labelled>, Vec<Trigger>), String> {
        let mut labels: Vec<&[u8]> = Vec::new();
        let mut context = 0;
        for d in detectors.iter().filter(|d| !d.labels.is_empty()) {
            labels.extend(d.labels.iter().map(Vec::as_slice));
            context |= d.context;
        }
        if labels.is_empty() {
            return Ok((None, Vec::new()));
        }
        labels.sort_unstable();
        labels.dedup();
        let triggers = (labels.iter().enumerate())
            .map(|(i, l)| Trigger {
                literal: l.to_vec(),
                caseless: true,
                rule: LABEL | i as u32,
            })
            .collect();
        let patterns = Patterns::new(sets)?;
        let none = Literals::default();
        let labelled = Labelled {
            starts: patterns.starts(&none),
            patterns,
            none,
            context,
        };
        Ok((Some(labelled), triggers))
    }

    /// Add to `found` (sorted by start) the candidates of these detectors that start
    /// in `data[from..to]`: right after a label (`label_ends`), or anywhere when the
    /// header names one of them.
    fn add(
        &self,
        data: &[u8],
        (from, to): (usize, usize),
        label_ends: &[usize],
        header: u64,
        found: &mut Vec<Candidate>,
    ) {
        let mut extra = Vec::new();
        if self.context & header != 0 {
            let (starts, none) = (&self.starts, &self.none);
            let mut fired = Fired::default();
            let _ = (self.patterns).find_in(data, from, to, &mut extra, starts, none, &mut fired);
        } else {
            for &end in label_ends {
                let at = skip_gap(data, end);
                if from <= at && at < to {
                    self.patterns.find_at(data, at, &mut extra);
                }
            }
        }
        if extra.is_empty() {
            return;
        }
        extra.sort_by_key(|c| (c.start, c.end, c.detector));
        extra.dedup_by_key(|c| (c.start, c.end, c.detector));
        found.extend(extra);
        found.sort_by_key(|c| c.start);
    }
}

/// Characters allowed between a label and its value (besides ASCII ones).
const LABEL_WIDE: [&str; 3] = ["：", "是", "为"];

/// Where a value after a label ending at `pos` starts: past spaces, tabs, `:`, `=`,
/// `#`, `：`, `是` and `为` (at most [`LABEL_GAP`] bytes).
fn skip_gap(data: &[u8], mut pos: usize) -> usize {
    let high = (pos + LABEL_GAP).min(data.len());
    while pos < high {
        if matches!(data[pos], b' ' | b'\t' | b':' | b'=' | b'#') {
            pos += 1;
        } else if let Some(w) = LABEL_WIDE
            .iter()
            .find(|w| data[pos..].starts_with(w.as_bytes()))
        {
            pos += w.len();
        } else {
            break;
        }
    }
    pos
}

/// True when one of `labels` ends right before `start`, with at most spaces, tabs,
/// `:`, `=`, `#`, `：`, `是` or `为` (up to [`LABEL_GAP`] bytes) between; an ASCII
/// label must not be the end of a longer word.
fn follows_label(data: &[u8], start: usize, labels: &[Vec<u8>]) -> bool {
    let low = start.saturating_sub(LABEL_GAP);
    let mut pos = start;
    while pos > low {
        if matches!(data[pos - 1], b' ' | b'\t' | b':' | b'=' | b'#') {
            pos -= 1;
        } else if let Some(w) = LABEL_WIDE
            .iter()
            .find(|w| data[..pos].ends_with(w.as_bytes()))
        {
            pos -= w.len();
        } else {
            break;
        }
    }
    labels.iter().any(|label| {
        let n = label.len();
        pos >= n
            && data[pos - n..pos].eq_ignore_ascii_case(label)
            && !(label[0].is_ascii_alphanumeric()
                && pos > n
                && data[pos - n - 1].is_ascii_alphanumeric())
    })
}

/// Move `start` left over the detector's `extend_left` bytes; None when there are
/// none or more than `extend_left_max`.
fn extend_left(data: &[u8], start: usize, det: &DetectorSpec) -> Option<usize> {
    let low = start.saturating_sub(det.extend_left_max);
    let mut pos = start;
    while pos > low && det.extend_left.contains(&data[pos - 1]) {
        pos -= 1;
    }
    if pos == start || (pos == low && pos > 0 && det.extend_left.contains(&data[pos - 1])) {
        return None;
    }
    Some(pos)
}

/// Keep non-overlapping values: in each cluster of overlapping ones, the longest
/// first, then the highest priority. Input and output are sorted by start.
fn resolve(valid: Vec<Valid>) -> Vec<Valid> {
    let mut kept: Vec<Valid> = Vec::with_capacity(valid.len());
    let mut cluster: Vec<Valid> = Vec::new();
    let mut cluster_end = 0usize;
    let mut shuffled = false;
    for v in valid {
        if !cluster.is_empty() && v.start >= cluster_end {
            shuffled |= cluster.len() > 1;
            flush(&mut cluster, &mut kept);
        }
        cluster_end = if cluster.is_empty() {
            v.end
        } else {
            cluster_end.max(v.end)
        };
        cluster.push(v);
    }
    shuffled |= cluster.len() > 1;
    flush(&mut cluster, &mut kept);
    if shuffled {
        kept.sort_by_key(|v| v.start);
    }
    kept
}

fn flush(cluster: &mut Vec<Valid>, kept: &mut Vec<Valid>) {
    if cluster.len() == 1 {
        kept.append(cluster);
        return;
    }
    cluster.sort_by_key(|c| (c.start as isize - c.end as isize, -c.priority, c.start));
    let from = kept.len();
    for cand in cluster.drain(..) {
        if kept[from..]
            .iter()
            .all(|k| cand.end <= k.start || cand.start >= k.end)
        {
            kept.push(cand);
        }
    }
}
