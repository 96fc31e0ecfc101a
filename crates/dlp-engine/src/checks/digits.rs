//! Check characters and dates.

pub(super) fn digit(b: u8) -> Option<u32> {
    b.is_ascii_digit().then(|| u32::from(b - b'0'))
}

/// ISO 7064 MOD 11-2 check character of a string of digits (`X` for 10).
pub fn iso7064_mod11_2(digits: &[u8]) -> Option<u8> {
    // Horner with weights 2**k, reduced mod 11 every 32 digits (no overflow).
    let mut total = 0u64;
    for chunk in digits.chunks(32) {
        for &b in chunk {
            total = total * 2 + u64::from(digit(b)?);
        }
        total %= 11;
    }
    let check = (12 - total * 2 % 11) % 11; // (1 - 2 * total) mod 11, total < 11
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

pub(super) const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub(super) fn uscc_value(b: u8) -> Option<u32> {
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

/// Value of a VIN character in the ISO 3779 / GB 16735 transliteration (no I, O, Q).
fn vin_value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'H' => Some(u32::from(b - b'A') + 1),
        b'J'..=b'N' => Some(u32::from(b - b'J') + 1),
        b'P' => Some(7),
        b'R' => Some(9),
        b'S'..=b'Z' => Some(u32::from(b - b'S') + 2),
        _ => None,
    }
}

/// Check character (position 9, `X` for 10) of a 17-character VIN (GB 16735 / ISO
/// 3779 weights); None when a character is not in the VIN alphabet.
pub fn vin_check(vin: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    if vin.len() != 17 {
        return None;
    }
    let mut total = 0u32;
    for (&b, w) in vin.iter().zip(WEIGHTS) {
        total += vin_value(b)? * w;
    }
    Some(match total % 11 {
        10 => b'X',
        c => b'0' + c as u8,
    })
}

/// Check character (`0`-`9` or `A`) of a Hong Kong identity card number body: one
/// or two letters and six digits (a one-letter body counts a space, value 36, first).
pub fn hk_id_check(body: &[u8]) -> Option<u8> {
    let (letters, digits) = match body.len() {
        7 => (&body[..1], &body[1..]),
        8 => (&body[..2], &body[2..]),
        _ => return None,
    };
    let mut total = if letters.len() == 1 { 36 * 9 } else { 0 };
    let mut weight = if letters.len() == 1 { 8 } else { 9 };
    for &b in letters {
        if !b.is_ascii_uppercase() {
            return None;
        }
        total += (u32::from(b - b'A') + 10) * weight;
        weight -= 1;
    }
    for &b in digits {
        total += digit(b)? * weight;
        weight -= 1;
    }
    Some(match (11 - total % 11) % 11 {
        10 => b'A',
        c => b'0' + c as u8,
    })
}

/// Taiwan identity card (and resident certificate) check: a letter (its two-digit
/// code, A=10 ... Z=33 in the Ministry of the Interior order) and nine digits,
/// weights 1 9 8 7 6 5 4 3 2 1 1, sum a multiple of 10.
pub fn tw_id_ok(id: &[u8]) -> bool {
    const CODES: &[u8; 26] = &[
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32,
        30, 31, 33,
    ];
    if id.len() != 10 || !id[0].is_ascii_uppercase() {
        return false;
    }
    let code = u32::from(CODES[usize::from(id[0] - b'A')]);
    let mut total = code / 10 + code % 10 * 9;
    for (i, &b) in id[1..].iter().enumerate() {
        let Some(d) = digit(b) else { return false };
        total += d * if i < 8 { 8 - i as u32 } else { 1 };
    }
    total.is_multiple_of(10)
}

pub(super) fn month_days(year: u32, month: u32) -> u32 {
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

pub(super) fn number(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc * 10 + digit(b)?))
}

/// A real date not after `today` (YYYYMMDD, year 1 or later).
pub(super) fn past_date(year: u32, month: u32, day: u32, today: u32) -> bool {
    year >= 1
        && day >= 1
        && day <= month_days(year, month)
        && year * 10000 + month * 100 + day <= today
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn vin_vectors() {
        // python-stdnum vin doctests and the ISO 3779 example.
        assert_eq!(vin_check(b"1M8GDM9AXKP042788"), Some(b'X'));
        assert_eq!(vin_check(b"11111111111111111"), Some(b'1'));
        assert_eq!(vin_check(b"1M8GDM9AOKP042788"), None); // O
        assert_eq!(vin_check(b"1M8GDM9AX"), None);
    }

    #[test]
    fn hk_id_vectors() {
        assert_eq!(hk_id_check(b"A123456"), Some(b'3'));
        assert_eq!(hk_id_check(b"AB987654"), Some(b'3'));
        assert_eq!(hk_id_check(b"a123456"), None);
        assert_eq!(hk_id_check(b"A12345"), None);
    }

    #[test]
    fn tw_id_vectors() {
        assert!(tw_id_ok(b"A123456789"));
        assert!(!tw_id_ok(b"A123456788"));
        assert!(!tw_id_ok(b"a123456789"));
        assert!(!tw_id_ok(b"A12345678"));
    }

    #[test]
    fn dates() {
        assert!(past_date(2000, 2, 29, 20240101) && !past_date(1900, 2, 29, 20240101));
        assert!(!past_date(2024, 1, 2, 20240101) && past_date(2024, 1, 1, 20240101));
        assert!(!past_date(0, 1, 1, 20240101));
    }
}
