//! Validation programs: the checks a detector runs on a candidate, as data.
//!
//! A detector declares its validation in Python (`dlp/checks.py`) as a short list of
//! primitives, each a tuple `(op, *args)` ([`StepSpec`]). [`Program::parse`] turns
//! the list into steps once; [`Program::run`] runs them on each candidate. A step
//! either rewrites the working value (cleaning, case), or checks it and rejects with
//! a reason name (`InvalidFormat`, `InvalidLength`, `InvalidChecksum`,
//! `InvalidComponent`, the Python `dlp.errors` classes). The value left at the end is
//! the normalised value. Every program gives the verdict and value of the Python
//! validator it replaces; `tests/engine/test_checks.py` holds them equal.
//!
//! The ops (see `dlp/checks.py` for what each one does):
//! `clean`, `trim`, `upper`, `lower`, `strip_prefix`, `length`, `charset`,
//! `iso7064_mod11_2`, `luhn`, `gb32100`, `gb11714_org`, `in_table`, `past_date`,
//! `plate`, `landline`, `email`, `unverified`.
//!
//! ```
//! use dlp_engine::checks::{Arg, Outcome, Program, StepSpec, Tables};
//! let steps = [
//!     StepSpec { op: "clean".into(), args: vec![Arg::Str(" -".into())] },
//!     StepSpec { op: "charset".into(), args: vec![Arg::Str("0123456789".into())] },
//!     StepSpec { op: "length".into(), args: vec![Arg::Int(16), Arg::Int(19)] },
//!     StepSpec { op: "luhn".into(), args: vec![] },
//! ];
//! let program = Program::parse(&steps).unwrap();
//! let tables = Tables::default();
//! let got = program.run("4111 1111 1111 1111", &tables, 20240101);
//! assert_eq!(got, Outcome::Confirm("4111111111111111".into()));
//! assert_eq!(program.run("4111 1111 1111 1112", &tables, 20240101), Outcome::Reject("InvalidChecksum"));
//! ```

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

mod nfkc;

/// One argument of a step: a Python `int`, `str` or tuple of `str`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A Python `int`.
    Int(i64),
    /// A Python `str`.
    Str(String),
    /// A Python tuple or list of `str`.
    Strs(Vec<String>),
}

/// One primitive as declared in Python: `(op, *args)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepSpec {
    /// The primitive's name, e.g. `"luhn"`.
    pub op: String,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
}

/// The result of running a [`Program`] on a candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A valid value (normalised).
    Confirm(String),
    /// A plausible value that cannot be verified (normalised).
    Unknown(String),
    /// Not a value of this kind; the reason is an error class name, never the value.
    Reject(&'static str),
}

/// Wrong characters or structure.
pub const INVALID_FORMAT: &str = "InvalidFormat";
/// Wrong number of characters.
pub const INVALID_LENGTH: &str = "InvalidLength";
/// The check digit or character does not match.
pub const INVALID_CHECKSUM: &str = "InvalidChecksum";
/// A part (region, date, prefix, area code) is not valid.
pub const INVALID_COMPONENT: &str = "InvalidComponent";

type Verdict<T> = Result<T, &'static str>;

// ---------------------------------------------------------------------------
// Tables

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

// ---------------------------------------------------------------------------
// Character helpers that follow Python's str methods

/// Python's `str.isspace`.
pub(crate) fn py_space(c: char) -> bool {
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

fn py_strip(s: &str) -> &str {
    s.trim_matches(py_space)
}

/// NFKC of one character as far as it matters here (see `checks/gen_nfkc.py`).
fn nfkc_push(c: char, out: &mut String) {
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
fn py_range(len: usize, start: i64, end: Option<i64>) -> (usize, usize) {
    let n = len as i64;
    let norm = |i: i64| if i < 0 { (i + n).max(0) } else { i.min(n) };
    let a = norm(start);
    let b = end.map_or(n, norm).max(a);
    (a as usize, b as usize)
}

/// The characters `a..b` of `s` (by char, ASCII fast path).
fn char_slice(s: &str, a: usize, b: usize) -> &str {
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

fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn map_cow<'a>(s: Cow<'a, str>, f: impl Fn(&str) -> &str) -> Cow<'a, str> {
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

/// A set of characters: an ASCII bitmap plus the few non-ASCII members.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct CharSet {
    ascii: u128,
    other: Vec<char>,
}

impl CharSet {
    fn new(chars: &str) -> CharSet {
        let mut set = CharSet::default();
        for c in chars.chars() {
            if c.is_ascii() {
                set.ascii |= 1u128 << (c as u32);
            } else if !set.other.contains(&c) {
                set.other.push(c);
            }
        }
        set
    }

    #[inline]
    fn has_byte(&self, b: u8) -> bool {
        b < 128 && self.ascii >> b & 1 == 1
    }

    #[inline]
    fn has(&self, c: char) -> bool {
        if c.is_ascii() {
            self.has_byte(c as u8)
        } else {
            self.other.contains(&c)
        }
    }
}

/// Python `dlp.detectors._util.clean`: NFKC (non-ASCII only), strip, drop separators.
fn clean<'a>(s: Cow<'a, str>, drop: &CharSet) -> Cow<'a, str> {
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

fn upper(s: Cow<'_, str>) -> Cow<'_, str> {
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

fn lower(s: Cow<'_, str>) -> Cow<'_, str> {
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

fn strip_prefix<'a>(s: Cow<'a, str>, prefixes: &[Box<str>]) -> Cow<'a, str> {
    match prefixes.iter().find(|p| s.starts_with(&***p)) {
        Some(p) => {
            let n = p.len();
            map_cow(s, |x| &x[n..])
        }
        None => s,
    }
}

// ---------------------------------------------------------------------------
// Checksums

fn digit(b: u8) -> Option<u32> {
    b.is_ascii_digit().then(|| u32::from(b - b'0'))
}

/// ISO 7064 MOD 11-2 check character of a string of digits (`X` for 10).
pub fn iso7064_mod11_2(digits: &[u8]) -> Option<u8> {
    let mut total = 0u32;
    for &b in digits {
        total = (total * 2 + digit(b)?) % 11; // Horner: weights 2**k mod 11
    }
    let check = (12 - total * 2 % 11) % 11; // (1 - 2 * total) mod 11
    Some(if check == 10 {
        b'X'
    } else {
        b'0' + check as u8
    })
}

/// Luhn check over ASCII digits.
pub fn luhn_ok(digits: &[u8]) -> bool {
    let mut total = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        let Some(d) = digit(b) else { return false };
        total += if i % 2 == 1 {
            [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][d as usize]
        } else {
            d
        };
    }
    total.is_multiple_of(10)
}

const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_value(b: u8) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| a == b).map(|p| p as u32)
}

/// GB 32100 (USCC) MOD 31 check character of the first 17 characters.
pub fn gb32100_check(first17: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let mut total = 0u32;
    for (&b, w) in first17.iter().zip(WEIGHTS) {
        total += uscc_value(b)? * w;
    }
    Some(USCC_ALPHABET[((31 - total % 31) % 31) as usize])
}

/// GB 11714 check character of an 8-character organisation code body (MOD 11).
pub fn gb11714_check(body8: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let mut total = 0u32;
    for (&b, w) in body8.iter().zip(WEIGHTS) {
        let v = char::from(b).to_digit(36)?;
        total += v * w;
    }
    Some(match 11 - total % 11 {
        10 => b'X',
        11 => b'0',
        c => b'0' + c as u8,
    })
}

// ---------------------------------------------------------------------------
// Dates

fn month_days(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn number(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 10 + digit(b)?))
}

/// A real date not after `today` (YYYYMMDD, year 1 or later).
fn past_date(year: u32, month: u32, day: u32, today: u32) -> bool {
    year >= 1
        && day >= 1
        && day <= month_days(year, month)
        && year * 10000 + month * 100 + day <= today
}

// ---------------------------------------------------------------------------
// Composite checks

const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const NEV_SMALL: &[u8] = b"ABCDEFGHJK";

fn plate_letter(c: char) -> bool {
    c.is_ascii() && PLATE_LETTERS.contains(&(c as u8))
}

fn plate_alnum(c: char) -> bool {
    c.is_ascii_digit() || plate_letter(c)
}

/// GA 36 plate rules on an upper-case, separator-free plate (`dlp.detectors.cn_plate`).
fn plate(s: &str, provinces: &[char], suffixes: &[char]) -> Verdict<()> {
    let mut chars = [' '; 8];
    let mut n = 0;
    for c in s.chars() {
        if n == 8 {
            return Err(INVALID_LENGTH);
        }
        chars[n] = c;
        n += 1;
    }
    if !(7..=8).contains(&n) {
        return Err(INVALID_LENGTH);
    }
    if !provinces.contains(&chars[0]) || !plate_letter(chars[1]) {
        return Err(INVALID_COMPONENT);
    }
    let serial = &chars[2..n];
    let letters = |cs: &[char]| cs.iter().filter(|&&c| plate_letter(c)).count();
    let ok = if suffixes.contains(&serial[serial.len() - 1]) {
        let body = &serial[..serial.len() - 1];
        body.len() == 4 && body.iter().all(|&c| plate_alnum(c)) && letters(body) <= 2
    } else if !serial.iter().all(|&c| plate_alnum(c)) {
        false
    } else if serial.len() == 5 {
        letters(serial) <= 2
    } else {
        let small =
            NEV_SMALL.contains(&(serial[0] as u8)) && serial[2..].iter().all(char::is_ascii_digit);
        let large = serial[..5].iter().all(char::is_ascii_digit) && matches!(serial[5], 'D' | 'F');
        small || large
    };
    if ok {
        Ok(())
    } else {
        Err(INVALID_FORMAT)
    }
}

const COUNTRY: [&str; 5] = ["(+86)", "(86)", "+86", "0086", "+0086"];

/// The landline validator of `dlp.detectors.cn_landline`, on the candidate as written.
fn landline(candidate: &str, tables: &Tables, table: &str) -> Verdict<String> {
    let head = candidate.trim_start_matches(py_space);
    let international = ["+", "00", "(+", "(8"].iter().any(|p| head.starts_with(p));
    let number: Cow<'_, str> = if international {
        let cleaned = clean(Cow::Borrowed(candidate), &CharSet::new(" -"));
        let rest = COUNTRY
            .iter()
            .find(|p| cleaned.starts_with(*p))
            .map_or(0, |p| p.len());
        let mut number = String::with_capacity(cleaned.len() + 1);
        number.push('0');
        number.extend(cleaned[rest..].chars().filter(|&c| c != '(' && c != ')'));
        Cow::Owned(number)
    } else {
        clean(Cow::Borrowed(candidate), &CharSet::new(" -()"))
    };
    let bytes = number.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) || bytes[0] != b'0' {
        return Err(INVALID_FORMAT);
    }
    let area = [3, 4]
        .into_iter()
        .find(|&size| tables.contains(table, &number[..size.min(number.len())]))
        .ok_or(INVALID_COMPONENT)?;
    let area = area.min(bytes.len());
    let subscriber = &bytes[area..];
    if subscriber.first() == Some(&b'0') {
        return Err(INVALID_COMPONENT);
    }
    if subscriber.len() != 8 && !(area == 4 && subscriber.len() == 7) {
        return Err(INVALID_LENGTH);
    }
    Ok(number.into_owned())
}

fn local_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b"_%+!#$&*^~-".contains(&b)
}

fn domain_label_ok(label: &[u8]) -> bool {
    let ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (1..=63).contains(&label.len())
        && label.iter().all(|b| ok(b) || *b == b'-')
        && ok(&label[0])
        && ok(&label[label.len() - 1])
}

/// The address checks of `dlp.detectors.email` on a stripped, lower-cased address.
fn email(address: &str, file_suffixes: &HashSet<Box<str>>) -> Verdict<()> {
    let Some(at) = address.rfind('@') else {
        return Err(INVALID_FORMAT);
    };
    let (local, domain) = (&address[..at], &address[at + 1..]);
    if local.is_empty() || domain.is_empty() {
        return Err(INVALID_FORMAT);
    }
    if char_len(local) > 64 || char_len(domain) > 255 {
        return Err(INVALID_LENGTH);
    }
    if !address.is_ascii()
        || !local
            .as_bytes()
            .split(|&b| b == b'.')
            .all(|p| !p.is_empty() && p.iter().all(|&b| local_char(b)))
    {
        return Err(INVALID_FORMAT);
    }
    let labels: Vec<&[u8]> = domain.as_bytes().split(|&b| b == b'.').collect();
    if labels.len() < 2 || !labels.iter().all(|l| domain_label_ok(l)) {
        return Err(INVALID_FORMAT);
    }
    let tld = labels[labels.len() - 1];
    if !tld.iter().all(u8::is_ascii_alphabetic)
        || file_suffixes.contains(std::str::from_utf8(tld).unwrap_or(""))
    {
        return Err(INVALID_COMPONENT);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Programs

#[derive(Clone, Debug)]
enum Step {
    Clean(CharSet),
    Trim,
    Upper,
    Lower,
    StripPrefix(Vec<Box<str>>),
    Length {
        min: usize,
        max: usize,
    },
    Charset {
        set: CharSet,
        start: i64,
        end: Option<i64>,
    },
    Iso7064Mod11_2,
    Luhn,
    Gb32100,
    Gb11714Org {
        start: usize,
        digits_only: bool,
    },
    InTable {
        table: Box<str>,
        start: usize,
        sizes: Vec<usize>,
    },
    PastDate {
        start: usize,
        century: Option<u32>,
    },
    Plate {
        provinces: Vec<char>,
        suffixes: Vec<char>,
    },
    Landline {
        table: Box<str>,
    },
    Email {
        file_suffixes: HashSet<Box<str>>,
    },
    Unverified,
}

/// A parsed validation program, shared read-only across threads.
#[derive(Clone, Debug)]
pub struct Program {
    steps: Vec<Step>,
    unverified: bool,
}

struct Args<'a> {
    op: &'a str,
    args: &'a [Arg],
    next: usize,
}

impl<'a> Args<'a> {
    fn err(&self, what: &str) -> String {
        format!("check {:?}: {what}", self.op)
    }

    fn more(&self) -> bool {
        self.next < self.args.len()
    }

    fn take(&mut self) -> Option<&'a Arg> {
        let arg = self.args.get(self.next);
        self.next += 1;
        arg
    }

    fn str(&mut self) -> Result<&'a str, String> {
        match self.take() {
            Some(Arg::Str(s)) => Ok(s),
            _ => Err(self.err(&format!("argument {} must be a str", self.next))),
        }
    }

    fn strs(&mut self) -> Result<&'a [String], String> {
        match self.take() {
            Some(Arg::Strs(s)) => Ok(s),
            _ => Err(self.err(&format!("argument {} must be a tuple of str", self.next))),
        }
    }

    fn int(&mut self) -> Result<i64, String> {
        match self.take() {
            Some(Arg::Int(i)) => Ok(*i),
            _ => Err(self.err(&format!("argument {} must be an int", self.next))),
        }
    }

    fn size(&mut self) -> Result<usize, String> {
        let i = self.int()?;
        usize::try_from(i)
            .map_err(|_| self.err(&format!("argument {} must not be negative", self.next)))
    }

    fn done(&self) -> Result<(), String> {
        if self.more() {
            Err(self.err("too many arguments"))
        } else {
            Ok(())
        }
    }
}

fn parse_step(spec: &StepSpec) -> Result<Step, String> {
    let mut a = Args {
        op: &spec.op,
        args: &spec.args,
        next: 0,
    };
    let step = match spec.op.as_str() {
        "clean" => Step::Clean(CharSet::new(a.str()?)),
        "trim" => Step::Trim,
        "upper" => Step::Upper,
        "lower" => Step::Lower,
        "strip_prefix" => Step::StripPrefix(a.strs()?.iter().map(|p| p.as_str().into()).collect()),
        "length" => {
            let min = a.size()?;
            let max = if a.more() { a.size()? } else { min };
            if max < min {
                return Err(a.err("max is less than min"));
            }
            Step::Length { min, max }
        }
        "charset" => {
            let set = CharSet::new(a.str()?);
            let start = if a.more() { a.int()? } else { 0 };
            let end = if a.more() { Some(a.int()?) } else { None };
            Step::Charset { set, start, end }
        }
        "iso7064_mod11_2" => Step::Iso7064Mod11_2,
        "luhn" => Step::Luhn,
        "gb32100" => Step::Gb32100,
        "gb11714_org" => {
            let start = a.size()?;
            let digits_only = if a.more() { a.int()? != 0 } else { false };
            Step::Gb11714Org { start, digits_only }
        }
        "in_table" => {
            let table = a.str()?.into();
            let start = a.size()?;
            let mut sizes = Vec::new();
            while a.more() {
                sizes.push(a.size()?);
            }
            if sizes.is_empty() {
                return Err(a.err("needs at least one key size"));
            }
            Step::InTable {
                table,
                start,
                sizes,
            }
        }
        "past_date" => {
            let format = a.str()?;
            let start = a.size()?;
            let century = match format {
                "YYYYMMDD" => None,
                "YYMMDD" => Some(u32::try_from(a.int()?).map_err(|_| a.err("bad century"))?),
                _ => return Err(a.err("format must be YYYYMMDD or YYMMDD")),
            };
            Step::PastDate { start, century }
        }
        "plate" => {
            let provinces = a.str()?.chars().collect();
            let suffixes = a.str()?.chars().collect();
            Step::Plate {
                provinces,
                suffixes,
            }
        }
        "landline" => Step::Landline {
            table: a.str()?.into(),
        },
        "email" => Step::Email {
            file_suffixes: a.strs()?.iter().map(|s| s.as_str().into()).collect(),
        },
        "unverified" => Step::Unverified,
        other => return Err(format!("unknown check {other:?}")),
    };
    a.done()?;
    Ok(step)
}

impl Step {
    fn apply<'a>(
        &self,
        s: Cow<'a, str>,
        candidate: &str,
        tables: &Tables,
        today: u32,
    ) -> Verdict<Cow<'a, str>> {
        match self {
            Step::Clean(drop) => Ok(clean(s, drop)),
            Step::Trim => Ok(map_cow(s, py_strip)),
            Step::Upper => Ok(upper(s)),
            Step::Lower => Ok(lower(s)),
            Step::StripPrefix(prefixes) => Ok(strip_prefix(s, prefixes)),
            Step::Landline { table } => landline(candidate, tables, table).map(Cow::Owned),
            _ => self.check(&s, tables, today).map(|()| s),
        }
    }

    /// The steps that only check the value.
    fn check(&self, s: &str, tables: &Tables, today: u32) -> Verdict<()> {
        let expect = |ok: bool, reason: &'static str| if ok { Ok(()) } else { Err(reason) };
        match self {
            Step::Length { min, max } => {
                expect((*min..=*max).contains(&char_len(s)), INVALID_LENGTH)
            }
            Step::Charset { set, start, end } => {
                let (a, b) = py_range(char_len(s), *start, *end);
                let part = char_slice(s, a, b);
                expect(
                    !part.is_empty() && part.chars().all(|c| set.has(c)),
                    INVALID_FORMAT,
                )
            }
            Step::Iso7064Mod11_2 => match s.as_bytes().split_last() {
                Some((&last, body)) => match iso7064_mod11_2(body) {
                    Some(check) => expect(check == last, INVALID_CHECKSUM),
                    None => Err(INVALID_FORMAT),
                },
                None => Err(INVALID_FORMAT),
            },
            Step::Luhn => {
                let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                expect(ok, INVALID_FORMAT)?;
                expect(luhn_ok(s.as_bytes()), INVALID_CHECKSUM)
            }
            Step::Gb32100 => {
                let b = s.as_bytes();
                expect(b.len() == 18, INVALID_FORMAT)?;
                match gb32100_check(&b[..17]) {
                    Some(check) => expect(check == b[17], INVALID_CHECKSUM),
                    None => Err(INVALID_FORMAT),
                }
            }
            Step::Gb11714Org { start, digits_only } => {
                let b = s.as_bytes();
                let end = start + 9;
                expect(b.len() >= end, INVALID_FORMAT)?;
                if *digits_only && !b[..end].iter().all(u8::is_ascii_digit) {
                    return Ok(());
                }
                expect(
                    gb11714_check(&b[*start..start + 8]) == Some(b[start + 8]),
                    INVALID_COMPONENT,
                )
            }
            Step::InTable {
                table,
                start,
                sizes,
            } => {
                let found = sizes
                    .iter()
                    .any(|&size| tables.contains(table, char_slice(s, *start, start + size)));
                expect(found, INVALID_COMPONENT)
            }
            Step::PastDate { start, century } => {
                let b = s.as_bytes();
                let width = if century.is_some() { 6 } else { 8 };
                expect(b.len() >= start + width, INVALID_COMPONENT)?;
                let d = &b[*start..start + width];
                let parsed = match century {
                    None => number(&d[..4]).zip(number(&d[4..6])).zip(number(&d[6..8])),
                    Some(c) => number(&d[..2])
                        .map(|y| c + y)
                        .zip(number(&d[2..4]))
                        .zip(number(&d[4..6])),
                };
                expect(
                    parsed.is_some_and(|((y, m), d)| past_date(y, m, d, today)),
                    INVALID_COMPONENT,
                )
            }
            Step::Plate {
                provinces,
                suffixes,
            } => plate(s, provinces, suffixes),
            Step::Email { file_suffixes } => email(s, file_suffixes),
            _ => Ok(()),
        }
    }
}

impl Program {
    /// Parse a program; an unknown op or bad arguments give an error message.
    pub fn parse(steps: &[StepSpec]) -> Result<Program, String> {
        let mut parsed = Vec::with_capacity(steps.len());
        let mut unverified = false;
        for spec in steps {
            match parse_step(spec)? {
                Step::Unverified => unverified = true,
                step => parsed.push(step),
            }
        }
        Ok(Program {
            steps: parsed,
            unverified,
        })
    }

    /// The tables the program looks keys up in.
    pub fn tables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::InTable { table, .. } | Step::Landline { table } => Some(&**table),
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// An error naming the first table the program needs that `tables` lacks.
    pub fn check_tables(&self, tables: &Tables) -> Result<(), String> {
        match self.tables().into_iter().find(|name| !tables.has(name)) {
            Some(name) => Err(format!("unknown table {name:?}")),
            None => Ok(()),
        }
    }

    /// Validate `candidate` (the matched text as written; full-width forms already
    /// folded) on `today` (the local date as YYYYMMDD).
    pub fn run(&self, candidate: &str, tables: &Tables, today: u32) -> Outcome {
        let mut value = Cow::Borrowed(candidate);
        for step in &self.steps {
            match step.apply(value, candidate, tables, today) {
                Ok(next) => value = next,
                Err(reason) => return Outcome::Reject(reason),
            }
        }
        if self.unverified {
            Outcome::Unknown(value.into_owned())
        } else {
            Outcome::Confirm(value.into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(op: &str, args: Vec<Arg>) -> StepSpec {
        StepSpec {
            op: op.into(),
            args,
        }
    }

    fn s(v: &str) -> Arg {
        Arg::Str(v.into())
    }

    #[test]
    fn iso7064_vectors() {
        // python-stdnum cn.ric / iso7064.mod_11_2 examples (synthetic numbers).
        assert_eq!(iso7064_mod11_2(b"36052319700315061"), Some(b'7'));
        assert_eq!(iso7064_mod11_2(b"11010519491231002"), Some(b'X'));
        assert_eq!(iso7064_mod11_2(b"079"), Some(b'X')); // ISO 7064: 079X
        assert_eq!(iso7064_mod11_2(b"12a"), None);
    }

    #[test]
    fn luhn_vectors() {
        assert!(luhn_ok(b"4111111111111111"));
        assert!(luhn_ok(b"78949"));
        assert!(!luhn_ok(b"78948"));
        assert!(luhn_ok(b"6222021234567890128"));
        assert!(!luhn_ok(b"12a4"));
    }

    #[test]
    fn gb32100_vectors() {
        // python-stdnum cn.uscc doctests.
        assert_eq!(gb32100_check(b"91110000600037341"), Some(b'L'));
        assert_eq!(gb32100_check(b"91350100M00012343"), Some(b'L'));
        assert_eq!(gb32100_check(b"9135010OM00012343"), None); // O is not in the alphabet
    }

    #[test]
    fn gb11714_vectors() {
        assert_eq!(gb11714_check(b"M0001234"), Some(b'3'));
        assert_eq!(gb11714_check(b"D2143569"), Some(b'X'));
        assert_eq!(gb11714_check(b"60003734"), Some(b'1'));
        assert_eq!(gb11714_check(b"6000373-"), None);
    }

    #[test]
    fn tables_and_dates() {
        let tables = Tables::new(HashMap::from([(
            "t".to_string(),
            vec!["110105".to_string(), "abc".to_string(), "010".to_string()],
        )]));
        assert!(
            tables.contains("t", "110105")
                && tables.contains("t", "abc")
                && tables.contains("t", "010")
        );
        assert!(
            !tables.contains("t", "10")
                && !tables.contains("t", "110106")
                && !tables.contains("u", "abc")
        );
        assert!(past_date(2000, 2, 29, 20240101) && !past_date(1900, 2, 29, 20240101));
        assert!(!past_date(2024, 1, 2, 20240101) && past_date(2024, 1, 1, 20240101));
        assert!(!past_date(0, 1, 1, 20240101));
    }

    #[test]
    fn parse_errors() {
        assert!(Program::parse(&[step("nope", vec![])]).is_err());
        assert!(Program::parse(&[step("length", vec![s("x")])]).is_err());
        assert!(Program::parse(&[step("luhn", vec![Arg::Int(1)])]).is_err());
        assert!(Program::parse(&[step("past_date", vec![s("DDMMYY"), Arg::Int(0)])]).is_err());
        let p = Program::parse(&[step(
            "in_table",
            vec![s("cn_regions"), Arg::Int(0), Arg::Int(6)],
        )])
        .unwrap();
        assert!(p.check_tables(&Tables::default()).is_err());
    }

    #[test]
    fn clean_folds_like_nfkc() {
        let drop = CharSet::new(" -\u{b7}");
        assert_eq!(
            clean(Cow::Borrowed("\u{3000}1\u{ff12}3\u{b2}-4 "), &drop),
            "12324"
        );
        assert_eq!(clean(Cow::Borrowed("\u{2474}"), &drop), "(1)");
        assert!(matches!(
            clean(Cow::Borrowed("12345"), &drop),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn thread_safe() {
        fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
        assert_send_sync::<Program>();
        assert_send_sync::<Tables>();
        assert_send_sync::<Outcome>();
    }
}
