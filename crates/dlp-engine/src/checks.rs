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
//! `iso7064_mod11_2`, `luhn`, `gb32100`, `gb11714_org`, `vin`, `hk_id`, `tw_id`,
//! `in_table`, `past_date`,
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
use std::collections::HashSet;

mod composite;
mod digits;
mod nfkc;
mod tables;
mod text;

use composite::{email, landline, plate};
pub use digits::{
    gb11714_check, gb32100_check, hk_id_check, iso7064_mod11_2, luhn_ok, tw_id_ok, vin_check,
};
use digits::{number, past_date};
pub use tables::Tables;
use text::{
    char_len, char_slice, clean, lower, map_cow, py_range, py_strip, strip_prefix, upper, CharSet,
};

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

pub(crate) type Verdict<T> = Result<T, &'static str>;

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
    Vin,
    HkId,
    TwId,
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
        "vin" => Step::Vin,
        "hk_id" => Step::HkId,
        "tw_id" => Step::TwId,
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
                let ok = if part.is_ascii() {
                    part.bytes().all(|b| set.has_byte(b))
                } else {
                    part.chars().all(|c| set.has(c))
                };
                expect(!part.is_empty() && ok, INVALID_FORMAT)
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
            Step::Vin => {
                let b = s.as_bytes();
                expect(b.len() == 17, INVALID_FORMAT)?;
                match vin_check(b) {
                    Some(check) => expect(check == b[8], INVALID_CHECKSUM),
                    None => Err(INVALID_FORMAT),
                }
            }
            Step::HkId => match s.as_bytes().split_last() {
                Some((&last, body)) => match hk_id_check(body) {
                    Some(check) => expect(check == last, INVALID_CHECKSUM),
                    None => Err(INVALID_FORMAT),
                },
                None => Err(INVALID_FORMAT),
            },
            Step::TwId => {
                let b = s.as_bytes();
                let shape = b.len() == 10
                    && b[0].is_ascii_uppercase()
                    && b[1..].iter().all(u8::is_ascii_digit);
                expect(shape, INVALID_FORMAT)?;
                expect(tw_id_ok(b), INVALID_CHECKSUM)
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
    use std::collections::HashMap;

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
