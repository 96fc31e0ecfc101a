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
}

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
        Ok(Dfa {
            dfa,
            start,
            owner,
            first,
            pairs,
        })
    }

    /// Whether a run from `i` can match at all (first byte and two-byte prefix).
    #[inline]
    fn may_start(&self, buf: &[u8], i: usize) -> bool {
        let b = buf[i] as usize;
        self.first[b] && (i + 1 >= buf.len() || self.pairs[b << 8 | buf[i + 1] as usize])
    }

    /// Run the DFA from `start`, reporting every (pattern, end) until it dies.
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
                if dfa.is_match_state(sid) {
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

    /// Append every candidate that starts in `buf[lo..hi]` (and may end past `hi`).
    pub fn find(&self, buf: &[u8], lo: usize, hi: usize, out: &mut Vec<Candidate>) {
        let hi = hi.min(buf.len());
        let first = &self.any_first;
        for i in lo..hi {
            if !first[buf[i] as usize] {
                continue;
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
}

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
        p.find(text.as_bytes(), 0, text.len(), &mut out);
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
        assert!(mail.contains(&(2, "@example.com")));
        assert!(mail.contains(&(2, "@example.co")));
    }

    #[test]
    fn reports_every_end() {
        let all = found("138 1234 5678");
        assert_eq!(all, vec![(0, "138 1234 5678")]);
    }
}
