//! Candidate finding: every detector pattern in one anchored DFA.
//!
//! A value never starts inside a run of ASCII letters or digits, so the DFA is
//! started only where a value may begin: at a byte some pattern can start with,
//! whose two-byte prefix some pattern accepts, right after a byte that is not an
//! ASCII letter or digit ("bounded" patterns), or anywhere for patterns that start
//! at a later literal and are extended to the left by the engine (e-mail
//! addresses start at `@`). From each start the DFA runs until it dies, reporting
//! every (pattern, end) on the way: the searches overlap, as values of different
//! kinds may. Long digit runs cost one start each, prose costs a table look-up
//! per byte.

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::util::syntax;
use regex_automata::{Anchored, MatchKind};

use crate::keywords::{Fired, Literals};

/// ASCII letters and digits: a value may not start or end next to one.
pub const fn alnum_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric();
        b += 1;
    }
    t
}

/// [`alnum_table`], computed once.
pub static ALNUM: [bool; 256] = alnum_table();

/// One raw candidate: pattern's detector, span in the scanned buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index of the detector whose pattern matched.
    pub detector: u16,
    /// Start offset (inclusive).
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
}

/// One anchored DFA over some detectors' patterns, with its start tables.
#[derive(Debug, Clone)]
struct Dfa {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
    /// Detector of each pattern id.
    owner: Vec<u16>,
    /// Bytes a pattern may start with.
    first: [bool; 256],
    /// Two-byte prefixes (first << 8 | second) some pattern accepts.
    pairs: Vec<bool>,
    /// Three-byte characters a pattern may start with (by code point, see
    /// [`char3`]), for the lead bytes in `lead3`.
    chars3: CharSet,
    /// Lead bytes (0xE0-0xEF) whose starts are filtered by `chars3` alone: after
    /// them only continuation bytes keep a pattern alive.
    lead3: [bool; 256],
}

/// The code point of the three-byte UTF-8 sequence `a b c` (a superset key for
/// invalid sequences: the DFA decides).
#[inline]
pub fn char3(a: u8, b: u8, c: u8) -> usize {
    ((a & 0x0F) as usize) << 12 | ((b & 0x3F) as usize) << 6 | (c & 0x3F) as usize
}

/// A set of code points below U+10000 (8 KiB of bits).
#[derive(Debug, Clone)]
pub struct CharSet(Vec<u64>);

impl CharSet {
    /// The empty set.
    pub fn new() -> CharSet {
        CharSet(vec![0; 1 << 10])
    }

    /// Add a code point.
    pub fn insert(&mut self, cp: usize) {
        self.0[cp >> 6] |= 1 << (cp & 63);
    }

    /// Add every code point of `other`.
    pub fn union(&mut self, other: &CharSet) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine |= theirs;
        }
    }

    /// Whether a code point is in the set.
    #[inline]
    pub fn contains(&self, cp: usize) -> bool {
        self.0[cp >> 6] & (1 << (cp & 63)) != 0
    }
}

impl Default for CharSet {
    fn default() -> Self {
        CharSet::new()
    }
}

const CONTINUATION: std::ops::RangeInclusive<u8> = 0x80..=0xBF;

impl Dfa {
    fn new(patterns: &[&str], owner: Vec<u16>) -> Result<Dfa, String> {
        let dfa = dense::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(regex_automata::nfa::thompson::Config::new().utf8(false))
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::All)
                    .start_kind(StartKind::Anchored)
                    .accelerate(false),
            )
            .build_many(patterns)
            .map_err(|e| format!("cannot compile detector patterns: {e}"))?;
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .map_err(|e| format!("no start state: {e}"))?;
        let mut first = [false; 256];
        let mut pairs = vec![false; 1 << 16];
        for b0 in 0..=255u8 {
            let s1 = dfa.next_state(start, b0);
            if dfa.is_dead_state(s1) {
                continue;
            }
            first[b0 as usize] = true;
            for b1 in 0..=255u8 {
                let s2 = dfa.next_state(s1, b1);
                if !dfa.is_dead_state(s2) || dfa.is_match_state(s2) {
                    pairs[(b0 as usize) << 8 | b1 as usize] = true;
                }
            }
        }
        let mut chars3 = CharSet::new();
        let mut lead3 = [false; 256];
        for b0 in 0xE0..=0xEFu8 {
            let s1 = dfa.next_state(start, b0);
            if dfa.is_dead_state(s1) {
                continue;
            }
            let alive = |s: StateID| !dfa.is_dead_state(s) || dfa.is_match_state(s);
            let mut exact = true;
            for b1 in 0..=255u8 {
                let s2 = dfa.next_state(s1, b1);
                if !alive(s2) {
                    continue;
                }
                if !CONTINUATION.contains(&b1) {
                    exact = false;
                    continue;
                }
                for b2 in 0..=255u8 {
                    let s3 = dfa.next_state(s2, b2);
                    if alive(s3) {
                        if CONTINUATION.contains(&b2) {
                            chars3.insert(char3(b0, b1, b2));
                        } else {
                            exact = false;
                        }
                    }
                }
            }
            lead3[b0 as usize] = exact;
        }
        Ok(Dfa {
            dfa,
            start,
            owner,
            first,
            pairs,
            chars3,
            lead3,
        })
    }

    /// Whether a run from `i` can match at all (first byte and two-byte prefix).
    #[inline]
    fn may_start(&self, buf: &[u8], i: usize) -> bool {
        let b = buf[i] as usize;
        if !self.first[b] {
            return false;
        }
        if self.lead3[b] && i + 2 < buf.len() {
            return self.chars3.contains(char3(buf[i], buf[i + 1], buf[i + 2]));
        }
        i + 1 >= buf.len() || self.pairs[b << 8 | buf[i + 1] as usize]
    }

    /// Run the DFA from `start`, reporting every (pattern, end) until it dies, except
    /// ends followed by an ASCII letter or digit.
    fn run(&self, buf: &[u8], start: usize, out: &mut Vec<Candidate>) {
        let dfa = &self.dfa;
        let mut sid = self.start;
        let mut at = start;
        while at < buf.len() {
            sid = dfa.next_state(sid, buf[at]);
            if dfa.is_special_state(sid) {
                if dfa.is_dead_state(sid) {
                    return;
                }
                // A match followed by a letter or digit ends inside a longer run:
                // not a candidate (the engine's boundary rule), so not reported.
                if dfa.is_match_state(sid) && !ALNUM[buf[at] as usize] {
                    self.report(sid, start, at, out);
                }
            }
            at += 1;
        }
        sid = dfa.next_eoi_state(sid);
        if dfa.is_match_state(sid) {
            self.report(sid, start, buf.len(), out);
        }
    }

    fn report(&self, sid: StateID, start: usize, end: usize, out: &mut Vec<Candidate>) {
        for k in 0..self.dfa.match_len(sid) {
            let pid = self.dfa.match_pattern(sid, k).as_usize();
            out.push(Candidate {
                detector: self.owner[pid],
                start,
                end,
            });
        }
    }
}

/// The compiled patterns of every detector: one DFA for the patterns that start
/// after a boundary, one for those that start at a later literal.
#[derive(Debug, Clone)]
pub struct Patterns {
    bounded: Option<Dfa>,
    free: Option<Dfa>,
    /// Bytes either DFA may start with.
    any_first: [bool; 256],
}

/// One detector's patterns as the engine compiles them.
#[derive(Debug, Clone)]
pub struct PatternSet {
    /// Regular expressions (regex-syntax, matched on bytes; non-ASCII literals as UTF-8).
    pub patterns: Vec<String>,
    /// True when a match begins at a later literal and is extended left by the engine.
    pub free_start: bool,
}

impl Patterns {
    /// Compile the patterns of `detectors` (in detector order).
    pub fn new(detectors: &[PatternSet]) -> Result<Patterns, String> {
        let build = |free: bool| -> Result<Option<Dfa>, String> {
            let mut all: Vec<&str> = Vec::new();
            let mut owner = Vec::new();
            for (i, det) in detectors.iter().enumerate() {
                if det.free_start == free {
                    for p in &det.patterns {
                        all.push(p);
                        owner.push(i as u16);
                    }
                }
            }
            if all.is_empty() {
                return Ok(None);
            }
            Dfa::new(&all, owner).map(Some)
        };
        let bounded = build(false)?;
        let free = build(true)?;
        let mut any_first = [false; 256];
        for dfa in bounded.iter().chain(free.iter()) {
            for (b, yes) in dfa.first.iter().enumerate() {
                any_first[b] |= yes;
            }
        }
        Ok(Patterns {
            bounded,
            free,
            any_first,
        })
    }

    /// Append the candidates that start at `buf[i]`.
    pub fn find_at(&self, buf: &[u8], i: usize, out: &mut Vec<Candidate>) {
        if i >= buf.len() || !self.any_first[buf[i] as usize] {
            return;
        }
        if let Some(dfa) = &self.bounded {
            if (i == 0 || !ALNUM[buf[i - 1] as usize]) && dfa.may_start(buf, i) {
                dfa.run(buf, i, out);
            }
        }
        if let Some(dfa) = &self.free {
            if dfa.may_start(buf, i) {
                dfa.run(buf, i, out);
            }
        }
    }

    /// Append every candidate in `buf`.
    pub fn find(&self, buf: &[u8], out: &mut Vec<Candidate>) {
        let none = Literals::default();
        let _ = self.find_with(buf, out, &self.starts(&none), &none, &mut Fired::default());
    }

    /// The start table of these patterns and `literals`, for [`Patterns::find_with`].
    pub fn starts(&self, literals: &Literals) -> Starts {
        let mut class = [SKIP; 256];
        let mut chars3 = literals.chars3().clone();
        // Full-width digits are looked for in the same pass (see `find_with`).
        for c in FULLWIDTH_DIGITS {
            chars3.insert(c);
        }
        for dfa in self.bounded.iter().chain(self.free.iter()) {
            chars3.union(&dfa.chars3);
        }
        let lits = literals.first();
        for b in 0..256 {
            let pattern = self.any_first[b];
            if !pattern && !lits[b] && b != 0xEF {
                continue;
            }
            let filtered = self
                .bounded
                .iter()
                .chain(self.free.iter())
                .all(|d| !d.first[b] || d.lead3[b]);
            // An ASCII letter or digit that only bounded patterns start with starts
            // nothing inside a word.
            let word_only = ALNUM[b] && !lits[b] && self.free.as_ref().is_none_or(|d| !d.first[b]);
            class[b] = if (0xE0..=0xEF).contains(&b) && filtered {
                LEAD3
            } else if !pattern && b != 0xEF {
                LITERAL
            } else if word_only {
                WORD
            } else {
                OTHER
            };
        }
        Starts {
            class,
            chars3,
            literal_pairs: literals.pairs(),
        }
    }

    /// [`Patterns::find`], and in the same pass the rules of the `literals` that
    /// occur in `buf` (appended to `fired`, unsorted, possibly repeated). Returns
    /// true (at once, with what was found so far) when `buf` holds a full-width
    /// digit: fold the buffer and search it again. `starts` is
    /// [`Patterns::starts`] of the same literals.
    pub fn find_with(
        &self,
        buf: &[u8],
        out: &mut Vec<Candidate>,
        starts: &Starts,
        literals: &Literals,
        fired: &mut Fired,
    ) -> bool {
        self.find_in(buf, 0, buf.len(), out, starts, literals, fired)
            .is_some()
    }

    /// [`Patterns::find_with`] for the things that start in `buf[from..to]` (they may
    /// end past `to`); returns the offset of the first full-width digit, if any.
    #[allow(clippy::too_many_arguments)]
    pub fn find_in(
        &self,
        buf: &[u8],
        from: usize,
        to: usize,
        out: &mut Vec<Candidate>,
        starts: &Starts,
        literals: &Literals,
        fired: &mut Fired,
    ) -> Option<usize> {
        let class = &starts.class;
        let end = buf.len();
        let mut i = from;
        while i < to {
            let b = buf[i];
            let kind = class[b as usize];
            if kind == SKIP {
                i += 1;
                continue;
            }
            if kind == WORD {
                if i == 0 || !ALNUM[buf[i - 1] as usize] {
                    self.visit(buf, i, out, literals, fired);
                }
                // The rest of the word starts nothing.
                i += 1;
                while i < to && class[buf[i] as usize] == WORD {
                    i += 1;
                }
                continue;
            }
            if kind == LEAD3 && i + 2 < end {
                let (b1, b2) = (buf[i + 1], buf[i + 2]);
                let c = char3(b, b1, b2);
                if starts.chars3.contains(c) {
                    if FULLWIDTH_DIGITS.contains(&c) && b == 0xEF && b1 == 0xBC && b2 & 0xC0 == 0x80
                    {
                        return Some(i);
                    }
                    self.visit(buf, i, out, literals, fired);
                }
                // A whole three-byte character: its continuation bytes start nothing.
                if b1 & 0xC0 == 0x80 && b2 & 0xC0 == 0x80 {
                    i += 3;
                    continue;
                }
            } else if kind != LITERAL
                || i + 1 >= end
                || starts.literal_pairs[(b as usize) << 8 | buf[i + 1] as usize]
            {
                self.visit(buf, i, out, literals, fired);
            }
            i += 1;
        }
        None
    }

    /// Everything that may start at `buf[i]`: signature literals and candidates.
    /// (A full-width digit is never a start: a buffer holding one is folded and
    /// searched again.)
    fn visit(
        &self,
        buf: &[u8],
        i: usize,
        out: &mut Vec<Candidate>,
        literals: &Literals,
        fired: &mut Fired,
    ) {
        let b = buf[i] as usize;
        if literals.first()[b] {
            literals.check(buf, i, fired);
        }
        if !self.any_first[b] {
            return;
        }
        if let Some(dfa) = &self.bounded {
            if (i == 0 || !ALNUM[buf[i - 1] as usize]) && dfa.may_start(buf, i) {
                dfa.run(buf, i, out);
            }
        }
        if let Some(dfa) = &self.free {
            if dfa.may_start(buf, i) {
                dfa.run(buf, i, out);
            }
        }
    }
}

/// Which bytes may start something (a candidate or a signature literal), and the
/// three-byte characters that may (CJK starts are filtered by character).
#[derive(Debug, Clone)]
pub struct Starts {
    class: [u8; 256],
    chars3: CharSet,
    /// First two bytes of the literals (both cases for caseless ones), for bytes
    /// that only a literal starts with (class `LITERAL`).
    literal_pairs: Vec<bool>,
}

/// U+FF10..U+FF19 as [`char3`] keys.
const FULLWIDTH_DIGITS: std::ops::RangeInclusive<usize> = 0xFF10..=0xFF19;

const SKIP: u8 = 0;
const LEAD3: u8 = 1;
const OTHER: u8 = 2;
const LITERAL: u8 = 3;
const WORD: u8 = 4;

#[cfg(test)]
mod tests {
    use super::*;

    fn sets() -> Vec<PatternSet> {
        vec![
            PatternSet {
                patterns: vec!["1[3-9][0-9][ \\-]?[0-9]{4}[ \\-]?[0-9]{4}".into()],
                free_start: false,
            },
            PatternSet {
                patterns: vec!["(京|沪)[A-HJ-NP-Za-hj-np-z][0-9A-Z]{5}".into()],
                free_start: false,
            },
            PatternSet {
                patterns: vec!["@[A-Za-z0-9\\-]+(\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,24}".into()],
                free_start: true,
            },
        ]
    }

    fn found(text: &str) -> Vec<(u16, &str)> {
        let p = Patterns::new(&sets()).unwrap();
        let mut out = Vec::new();
        p.find(text.as_bytes(), &mut out);
        out.iter()
            .map(|c| (c.detector, &text[c.start..c.end]))
            .collect()
    }

    #[test]
    fn finds_bounded_and_free_starts() {
        assert_eq!(found("tel 13812345678,"), vec![(0, "13812345678")]);
        assert_eq!(found("x13812345678"), vec![]);
        assert_eq!(found("车牌京A12345"), vec![(1, "京A12345")]);
        let mail = found("mail a.b@example.com");
        assert_eq!(mail, vec![(2, "@example.com")]); // not "@example.co", inside a word
    }

    #[test]
    fn reports_every_end() {
        let all = found("138 1234 5678");
        assert_eq!(all, vec![(0, "138 1234 5678")]);
    }
}
