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
    fn dates() {
        assert!(past_date(2000, 2, 29, 20240101) && !past_date(1900, 2, 29, 20240101));
        assert!(!past_date(2024, 1, 2, 20240101) && past_date(2024, 1, 1, 20240101));
        assert!(!past_date(0, 1, 1, 20240101));
    }
}
