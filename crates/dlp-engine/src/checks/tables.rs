//! Named sets of strings that checks and masks look keys up in.

use std::collections::{HashMap, HashSet};

/// One named set of strings. Keys of one to six ASCII digits (region codes, area
/// codes, number prefixes) live in one bitset per key length, the rest in a hash set.
#[derive(Clone, Debug, Default)]
struct Table {
    digits: [Option<Box<[u64]>>; 7],
    other: HashSet<Box<str>>,
}

fn digit_key(key: &str) -> Option<(usize, usize)> {
    let bytes = key.as_bytes();
    if bytes.is_empty() || bytes.len() > 6 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = bytes
        .iter()
        .fold(0usize, |acc, b| acc * 10 + usize::from(b - b'0'));
    Some((bytes.len(), value))
}

impl Table {
    fn insert(&mut self, key: &str) {
        match digit_key(key) {
            Some((size, value)) => {
                let bits = self.digits[size].get_or_insert_with(|| {
                    vec![0u64; 10usize.pow(size as u32).div_ceil(64)].into()
                });
                bits[value / 64] |= 1 << (value % 64);
            }
            None => {
                self.other.insert(key.into());
            }
        }
    }

    fn contains(&self, key: &str) -> bool {
        match digit_key(key) {
            Some((size, value)) => self.digits[size]
                .as_ref()
                .is_some_and(|bits| bits[value / 64] >> (value % 64) & 1 == 1),
            None => !self.other.is_empty() && self.other.contains(key),
        }
    }
}

/// Named sets of strings that checks and masks look keys up in (`cn_regions` ...).
#[derive(Clone, Debug, Default)]
pub struct Tables {
    tables: Vec<(Box<str>, Table)>,
}

impl Tables {
    /// Build the tables from their keys.
    pub fn new(tables: HashMap<String, Vec<String>>) -> Tables {
        let mut built: Vec<(Box<str>, Table)> = tables
            .into_iter()
            .map(|(name, keys)| {
                let mut table = Table::default();
                for key in &keys {
                    table.insert(key);
                }
                (name.into_boxed_str(), table)
            })
            .collect();
        built.sort_by(|a, b| a.0.cmp(&b.0));
        Tables { tables: built }
    }

    fn get(&self, table: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|(name, _)| &**name == table)
            .map(|(_, t)| t)
    }

    /// True when the table exists.
    pub fn has(&self, table: &str) -> bool {
        self.get(table).is_some()
    }

    /// True when `key` is in `table` (false for an unknown table).
    pub fn contains(&self, table: &str, key: &str) -> bool {
        self.get(table).is_some_and(|t| t.contains(key))
    }
}
