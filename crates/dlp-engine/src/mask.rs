//! Masks: how a normalised value is shown without revealing it.
//!
//! Declared in Python next to the detector (`dlp/checks.py`: `Edges`, `PrefixEdges`,
//! `EmailMask`) as `(op, *args)` tuples; characters are counted, not bytes.
//!
//! ```
//! use dlp_engine::checks::{Arg, StepSpec, Tables};
//! use dlp_engine::mask::Mask;
//! let spec = StepSpec { op: "edges".into(), args: vec![Arg::Int(3), Arg::Int(4)] };
//! let mask = Mask::parse(&spec).unwrap();
//! assert_eq!(mask.apply("13812345678", &Tables::default()), "138****5678");
//! ```

use crate::checks::{Arg, StepSpec, Tables};

/// A parsed mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mask {
    /// Keep `head` leading and `tail` trailing characters; all `*` when too short.
    Edges {
        /// Leading characters kept.
        head: usize,
        /// Trailing characters kept.
        tail: usize,
    },
    /// [`Mask::Edges`] whose head is the first of `sizes` for which the value's
    /// prefix is in `table` (else the last size): landlines keep their area code.
    PrefixEdges {
        /// The table of prefixes (`cn_area_codes`).
        table: Box<str>,
        /// Trailing characters kept.
        tail: usize,
        /// Candidate prefix sizes, tried in order.
        sizes: Vec<usize>,
    },
    /// E-mail: first character of the local part, `***`, then `@domain`.
    Email,
}

fn size(arg: Option<&Arg>, op: &str) -> Result<usize, String> {
    match arg {
        Some(Arg::Int(i)) => usize::try_from(*i).map_err(|_| format!("mask {op:?}: negative size")),
        _ => Err(format!("mask {op:?}: expected an int")),
    }
}

fn keep_edges(value: &str, head: usize, tail: usize) -> String {
    let size = value.chars().count();
    if size <= head + tail {
        return "*".repeat(size);
    }
    let mut out = String::with_capacity(value.len());
    out.extend(value.chars().take(head));
    out.extend(std::iter::repeat_n('*', size - head - tail));
    out.extend(value.chars().skip(size - tail));
    out
}

fn prefix(value: &str, size: usize) -> &str {
    match value.char_indices().nth(size) {
        Some((i, _)) => &value[..i],
        None => value,
    }
}

impl Mask {
    /// Parse `("edges", head, tail)`, `("prefix_edges", table, tail, *sizes)` or `("email",)`.
    pub fn parse(spec: &StepSpec) -> Result<Mask, String> {
        let op = spec.op.as_str();
        let args = &spec.args;
        let mask = match op {
            "edges" if args.len() == 2 => Mask::Edges {
                head: size(args.first(), op)?,
                tail: size(args.get(1), op)?,
            },
            "prefix_edges" if args.len() >= 3 => match &args[0] {
                Arg::Str(table) => Mask::PrefixEdges {
                    table: table.as_str().into(),
                    tail: size(args.get(1), op)?,
                    sizes: args[2..]
                        .iter()
                        .map(|a| size(Some(a), op))
                        .collect::<Result<_, _>>()?,
                },
                _ => return Err(format!("mask {op:?}: the table must be a str")),
            },
            "email" if args.is_empty() => Mask::Email,
            "edges" | "prefix_edges" | "email" => {
                return Err(format!("mask {op:?}: wrong arguments"))
            }
            other => return Err(format!("unknown mask {other:?}")),
        };
        Ok(mask)
    }

    /// Mask a normalised value.
    pub fn apply(&self, value: &str, tables: &Tables) -> String {
        match self {
            Mask::Edges { head, tail } => keep_edges(value, *head, *tail),
            Mask::PrefixEdges { table, tail, sizes } => {
                let head = sizes
                    .iter()
                    .copied()
                    .find(|&s| tables.contains(table, prefix(value, s)))
                    .or_else(|| sizes.last().copied())
                    .unwrap_or(0);
                keep_edges(value, head, *tail)
            }
            Mask::Email => match value.rsplit_once('@') {
                Some((local, domain)) if !local.is_empty() => {
                    let first = local.chars().next().map_or(0, char::len_utf8);
                    format!("{}***@{domain}", &local[..first])
                }
                _ => "*".repeat(value.chars().count()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn spec(op: &str, args: Vec<Arg>) -> StepSpec {
        StepSpec {
            op: op.into(),
            args,
        }
    }

    #[test]
    fn masks() {
        let tables = Tables::new(HashMap::from([(
            "areas".to_string(),
            vec!["021".to_string(), "0871".to_string()],
        )]));
        let edges = Mask::parse(&spec("edges", vec![Arg::Int(2), Arg::Int(2)])).unwrap();
        assert_eq!(edges.apply("京A12345", &tables), "京A***45");
        assert_eq!(edges.apply("京A1", &tables), "***");
        let area = Mask::parse(&spec(
            "prefix_edges",
            vec![
                Arg::Str("areas".into()),
                Arg::Int(2),
                Arg::Int(3),
                Arg::Int(4),
            ],
        ))
        .unwrap();
        assert_eq!(area.apply("02187654321", &tables), "021******21");
        assert_eq!(area.apply("08718260779", &tables), "0871*****79");
        let email = Mask::parse(&spec("email", vec![])).unwrap();
        assert_eq!(
            email.apply("zhang.san@example.com", &tables),
            "z***@example.com"
        );
        assert!(Mask::parse(&spec("edges", vec![Arg::Int(1)])).is_err());
        assert!(Mask::parse(&spec("blur", vec![])).is_err());
    }
}
