//! Context keywords and signature-rule literals: Aho-Corasick automata.
//!
//! Context keywords are found only inside windows around validated values (a
//! keyword counts for a value when it starts at most [`BEFORE`] bytes before it
//! or [`AFTER`] bytes after it). ASCII keywords match case-insensitively and only
//! as whole words (no ASCII letter right before or after them).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::candidates::{char3, CharSet};

/// Bytes before a value where a keyword may start (about 20 Chinese characters).
pub const BEFORE: usize = 64;
/// Bytes after a value's end where a keyword may start.
pub const AFTER: usize = 24;

/// One keyword and the categories (bit set) it belongs to.
#[derive(Debug, Clone)]
pub struct Keyword {
    /// The keyword as written in the list.
    pub word: String,
    /// Bit `i` set: the keyword is in category `i`.
    pub categories: u64,
}

/// Keyword positions by category, ascending.
pub type Positions = Vec<Vec<usize>>;

/// All keyword lists in one automaton.
#[derive(Debug, Clone)]
pub struct Keywords {
    automaton: Option<AhoCorasick>,
    categories: Vec<u64>,
    lengths: Vec<usize>,
    ascii: Vec<bool>,
    /// Number of categories.
    pub count: usize,
    /// Length in bytes of the longest keyword.
    pub longest: usize,
}

impl Keywords {
    /// Build the automaton; `count` is the number of categories.
    pub fn new(keywords: &[Keyword], count: usize) -> Result<Keywords, String> {
        let mut merged: Vec<(String, u64)> = Vec::new();
        for k in keywords {
            let key = k.word.to_ascii_lowercase();
            match merged.iter_mut().find(|(w, _)| *w == key) {
                Some(entry) => entry.1 |= k.categories,
                None => merged.push((key, k.categories)),
            }
        }
        let automaton = if merged.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(merged.iter().map(|(w, _)| w.as_bytes()))
                    .map_err(|e| format!("cannot build the keyword automaton: {e}"))?,
            )
        };
        Ok(Keywords {
            automaton,
            categories: merged.iter().map(|(_, c)| *c).collect(),
            lengths: merged.iter().map(|(w, _)| w.len()).collect(),
            ascii: merged.iter().map(|(w, _)| w.is_ascii()).collect(),
            longest: merged.iter().map(|(w, _)| w.len()).max().unwrap_or(0),
            count,
        })
    }

    /// Add the keyword starts inside `buf[lo..hi]` to `out` (per category, unsorted).
    pub fn find_in(&self, buf: &[u8], lo: usize, hi: usize, out: &mut Positions) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        if out.len() < self.count {
            out.resize(self.count, Vec::new());
        }
        let hi = hi.min(buf.len());
        if lo >= hi {
            return;
        }
        for m in automaton.find_overlapping_iter(&buf[lo..hi]) {
            let id = m.pattern().as_usize();
            let start = lo + m.start();
            let end = start + self.lengths[id];
            if self.ascii[id]
                && ((start > 0 && buf[start - 1].is_ascii_alphabetic())
                    || (end < buf.len() && buf[end].is_ascii_alphabetic()))
            {
                continue;
            }
            let mut bits = self.categories[id];
            while bits != 0 {
                let c = bits.trailing_zeros() as usize;
                out[c].push(start);
                bits &= bits - 1;
            }
        }
    }

    /// Categories (bit set) of the keywords anywhere in `buf`.
    pub fn categories_in(&self, buf: &[u8]) -> u64 {
        let mut found: Positions = Vec::new();
        self.find_in(buf, 0, buf.len(), &mut found);
        found
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_empty())
            .fold(0, |acc, (c, _)| acc | 1 << c)
    }

    /// Keyword positions in the merged windows around `spans` (sorted by start).
    pub fn around(&self, buf: &[u8], spans: impl Iterator<Item = (usize, usize)>) -> Positions {
        let reach = AFTER + self.longest;
        let mut out: Positions = vec![Vec::new(); self.count];
        let mut window: Option<(usize, usize)> = None;
        for (start, end) in spans {
            let (a, b) = (start.saturating_sub(BEFORE), end + reach);
            match window {
                Some((lo, hi)) if a <= hi => window = Some((lo, hi.max(b))),
                Some((lo, hi)) => {
                    self.find_in(buf, lo, hi, &mut out);
                    window = Some((a, b));
                }
                None => window = Some((a, b)),
            }
        }
        if let Some((lo, hi)) = window {
            self.find_in(buf, lo, hi, &mut out);
        }
        for positions in &mut out {
            positions.sort_unstable();
            positions.dedup();
        }
        out
    }
}

/// True when some position in `positions` (sorted) lies in `[low, high]`.
pub fn any_within(positions: &[usize], low: usize, high: usize) -> bool {
    let i = positions.partition_point(|&p| p < low);
    i < positions.len() && positions[i] <= high
}

/// One literal of a signature rule.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// The literal bytes.
    pub literal: Vec<u8>,
    /// Matched without regard to ASCII case.
    pub caseless: bool,
    /// Index of the rule it belongs to.
    pub rule: u32,
}

/// Rule bit of a [`Trigger`] that is a detector's label: where it ends is recorded
/// instead of a rule.
pub const LABEL: u32 = 1 << 31;

/// What the literals found in a pass: rules (unsorted, possibly repeated) and the
/// offsets where labels end.
#[derive(Debug, Clone, Default)]
pub struct Fired {
    /// Signature rules whose literals occur.
    pub rules: Vec<u32>,
    /// Offsets right after a label.
    pub label_ends: Vec<usize>,
}

/// Literal strings of signature rules, looked for in the candidate pass: a byte
/// table of their first bytes, and for literals that start with a three-byte
/// character (CJK) a set of those characters, then an exact comparison.
#[derive(Debug, Clone)]
pub struct Literals {
    /// Literals by first byte (lower-cased for caseless ones, which also sit under
    /// the upper-case byte).
    by_first: Vec<Vec<usize>>,
    first: [bool; 256],
    /// Three-byte first characters of the literals.
    chars3: CharSet,
    triggers: Vec<Trigger>,
}

impl Default for Literals {
    fn default() -> Self {
        Literals::new(&[])
    }
}

impl Literals {
    /// Index the literals.
    pub fn new(triggers: &[Trigger]) -> Literals {
        let mut by_first = vec![Vec::new(); 256];
        let mut chars3 = CharSet::new();
        for (i, t) in triggers.iter().enumerate() {
            let Some(&b) = t.literal.first() else {
                continue;
            };
            if t.caseless && b.is_ascii_alphabetic() {
                by_first[b.to_ascii_lowercase() as usize].push(i);
                by_first[b.to_ascii_uppercase() as usize].push(i);
            } else {
                by_first[b as usize].push(i);
            }
            if (0xE0..=0xEF).contains(&b) && t.literal.len() >= 3 {
                chars3.insert(char3(b, t.literal[1], t.literal[2]));
            }
        }
        Literals {
            first: std::array::from_fn(|b| !by_first[b].is_empty()),
            by_first,
            chars3,
            triggers: triggers.to_vec(),
        }
    }

    /// True when some literal holds a form that full-width folding changes (then
    /// they are looked for in the unfolded buffer).
    pub fn foldable(&self) -> bool {
        self.triggers.iter().any(|t| {
            let l = &t.literal;
            (0..l.len().saturating_sub(2)).any(|i| crate::fold::folds(l[i], l[i + 1], l[i + 2]))
        })
    }

    /// Table of the literals' first two bytes (`first << 8 | second`; every second
    /// byte for a one-byte literal), both ASCII cases for caseless literals.
    pub fn pairs(&self) -> Vec<bool> {
        let mut pairs = vec![false; 1 << 16];
        let cases = |b: u8, caseless: bool| {
            if caseless && b.is_ascii_alphabetic() {
                vec![b.to_ascii_lowercase(), b.to_ascii_uppercase()]
            } else {
                vec![b]
            }
        };
        for t in &self.triggers {
            let Some(&b0) = t.literal.first() else {
                continue;
            };
            let seconds: Vec<u8> = match t.literal.get(1) {
                Some(&b1) => cases(b1, t.caseless),
                None => (0..=255).collect(),
            };
            for f in cases(b0, t.caseless) {
                for &s in &seconds {
                    pairs[(f as usize) << 8 | s as usize] = true;
                }
            }
        }
        pairs
    }

    /// The three-byte characters a literal starts with.
    pub fn chars3(&self) -> &CharSet {
        &self.chars3
    }

    /// Byte table: true for bytes a literal starts with.
    pub fn first(&self) -> &[bool; 256] {
        &self.first
    }

    /// Append the rules of the literals that start at `buf[i]` (for labels: where
    /// they end).
    #[inline]
    pub fn check(&self, buf: &[u8], i: usize, fired: &mut Fired) {
        let b = buf[i];
        if (0xE0..=0xEF).contains(&b)
            && i + 2 < buf.len()
            && !self.chars3.contains(char3(b, buf[i + 1], buf[i + 2]))
        {
            return;
        }
        for &k in &self.by_first[b as usize] {
            let t = &self.triggers[k];
            let Some(here) = buf.get(i..i + t.literal.len()) else {
                continue;
            };
            let hit = if t.caseless {
                here.eq_ignore_ascii_case(&t.literal)
            } else {
                here == t.literal.as_slice()
            };
            if hit {
                if t.rule & LABEL != 0 {
                    fired.label_ends.push(i + t.literal.len());
                } else {
                    fired.rules.push(t.rule);
                }
            }
        }
    }

    /// Indexes of the rules whose literals occur in `buf`, ascending, each once.
    pub fn triggered(&self, buf: &[u8]) -> Vec<u32> {
        let mut fired = Fired::default();
        let first = self.first();
        for i in 0..buf.len() {
            if first[buf[i] as usize] {
                self.check(buf, i, &mut fired);
            }
        }
        let mut rules = fired.rules;
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords() -> Keywords {
        let words = [("手机", 1), ("手机号", 1), ("card", 2), ("客户", 3)];
        let list: Vec<Keyword> = words
            .iter()
            .map(|(w, c)| Keyword {
                word: w.to_string(),
                categories: *c,
            })
            .collect();
        Keywords::new(&list, 2).unwrap()
    }

    #[test]
    fn whole_ascii_words_caselessly() {
        let k = keywords();
        assert_eq!(k.categories_in(b"my CARD no"), 2);
        assert_eq!(k.categories_in(b"discard"), 0);
        assert_eq!(k.categories_in("客户手机号".as_bytes()), 3);
    }

    #[test]
    fn every_rule_whose_literal_occurs_overlapping_or_not() {
        let lits = [
            ("客户资料", 0),
            ("资料", 1),
            ("户资", 2),
            ("internal use", 3),
            ("use only", 4),
        ];
        let list: Vec<Trigger> = lits
            .iter()
            .map(|(l, r)| Trigger {
                literal: l.as_bytes().to_vec(),
                caseless: r >= &3,
                rule: *r,
            })
            .collect();
        let t = Literals::new(&list);
        assert_eq!(t.triggered("我的客户资料".as_bytes()), vec![0, 1, 2]);
        assert_eq!(t.triggered(b"INTERNAL USE ONLY"), vec![3, 4]);
        assert_eq!(t.triggered("资 料".as_bytes()), Vec::<u32>::new());
    }

    #[test]
    fn positions_near_spans() {
        let k = keywords();
        let text = "手机号：13812345678".as_bytes();
        let found = k.around(text, [(12usize, 23usize)].into_iter());
        assert_eq!(found[0], vec![0]);
        assert!(any_within(&found[0], 0, 40));
        assert!(!any_within(&found[0], 1, 40));
    }
}
