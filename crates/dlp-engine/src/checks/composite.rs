//! Checks specific to one kind of value: plates, landlines, e-mail addresses.

use std::borrow::Cow;
use std::collections::HashSet;

use super::text::{char_len, clean, py_space, CharSet};
use super::{Tables, Verdict, INVALID_COMPONENT, INVALID_FORMAT, INVALID_LENGTH};

pub(super) const PLATE_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
pub(super) const NEV_SMALL: &[u8] = b"ABCDEFGHJK";

pub(super) fn plate_letter(c: char) -> bool {
    c.is_ascii() && PLATE_LETTERS.contains(&(c as u8))
}

pub(super) fn plate_alnum(c: char) -> bool {
    c.is_ascii_digit() || plate_letter(c)
}

/// GA 36 plate rules on an upper-case, separator-free plate (`dlp.detectors.cn_plate`).
pub(super) fn plate(s: &str, provinces: &[char], suffixes: &[char]) -> Verdict<()> {
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

pub(super) const COUNTRY: [&str; 5] = ["(+86)", "(86)", "+86", "0086", "+0086"];

/// The landline validator of `dlp.detectors.cn_landline`, on the candidate as written.
pub(super) fn landline(candidate: &str, tables: &Tables, table: &str) -> Verdict<String> {
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

pub(super) fn local_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b"_%+!#$&*^~-".contains(&b)
}

pub(super) fn domain_label_ok(label: &[u8]) -> bool {
    let ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    (1..=63).contains(&label.len())
        && label.iter().all(|b| ok(b) || *b == b'-')
        && ok(&label[0])
        && ok(&label[label.len() - 1])
}

/// The address checks of `dlp.detectors.email` on a stripped, lower-cased address.
pub(super) fn email(address: &str, file_suffixes: &HashSet<Box<str>>) -> Verdict<()> {
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
        || local.contains("**")
    {
        // `**` in the local part: an address masked already (z***@qq.com)
        return Err(INVALID_FORMAT);
    }
    let mut labels = 0;
    let mut tld: &[u8] = b"";
    for label in domain.as_bytes().split(|&b| b == b'.') {
        if !domain_label_ok(label) {
            return Err(INVALID_FORMAT);
        }
        labels += 1;
        tld = label;
    }
    if labels < 2 {
        return Err(INVALID_FORMAT);
    }
    let tld = std::str::from_utf8(tld).unwrap_or("");
    if !tld.bytes().all(|b| b.is_ascii_alphabetic()) || file_suffixes.contains(tld) {
        return Err(INVALID_COMPONENT);
    }
    Ok(())
}
