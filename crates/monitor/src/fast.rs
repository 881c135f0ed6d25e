//! The hot path of `pseudonymise`: the usual spellings of each value, checked and
//! normalised straight from the input bytes, with no trimming, no intermediate types
//! and no error values.
//!
//! Each function here accepts a subset of what its counterpart in [`crate::input`]
//! accepts and gives the same result; for anything else (surrounding spaces, leading
//! zeros, a postcode spelled `12 34ab`, …) it returns `None` and the caller falls back
//! to the counterpart, which decides and words the problem. Property tests below check
//! that agreement.

use crate::input::MAX_TEXT_CHARS;

#[inline(always)]
fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

/// `b` upper-cased if it is an ASCII letter, else `None`.
#[inline(always)]
fn upper_letter(b: u8) -> Option<u8> {
    // `b & !0x20` lands on A..=Z exactly for a..=z and A..=Z.
    let u = b & !0x20;
    u.is_ascii_uppercase().then_some(u)
}

/// The normalised address `POSTCODE|NUMBER|LETTER|ADDITION` (see
/// [`crate::input::Address::normalised`]), zero-padded, and its length.
#[derive(Clone, Copy)]
pub(crate) struct Message {
    pub(crate) bytes: [u8; 19],
    pub(crate) len: usize,
}

/// The address columns in their usual spellings: postcode `1234AB` or `1234 AB` (any
/// case), a house number without leading zeros or spaces, an empty or one-letter
/// house letter, an addition of up to four letters or digits.
#[inline(always)]
pub(crate) fn address(
    postcode: &[u8],
    number: &[u8],
    letter: &[u8],
    addition: &[u8],
) -> Option<Message> {
    let mut m = [0u8; 19];
    let (digits, l1, l2) = match *postcode {
        [a, b, c, d, e, f] | [a, b, c, d, b' ', e, f] => ([a, b, c, d], e, f),
        _ => return None,
    };
    let digits_ok = (b'1'..=b'9').contains(&digits[0])
        && is_digit(digits[1])
        && is_digit(digits[2])
        && is_digit(digits[3]);
    let (l1, l2) = (upper_letter(l1)?, upper_letter(l2)?);
    if !digits_ok || (l1 == b'S' && matches!(l2, b'A' | b'D' | b'S')) {
        return None;
    }
    m[..4].copy_from_slice(&digits);
    m[4] = l1;
    m[5] = l2;
    m[6] = b'|';
    // 1 to 99999 without leading zeros: the digits are the normalised number.
    if number.is_empty()
        || number.len() > 5
        || number[0] == b'0'
        || !number.iter().all(|&b| is_digit(b))
    {
        return None;
    }
    let mut n = 7;
    m[n..n + number.len()].copy_from_slice(number);
    n += number.len();
    m[n] = b'|';
    n += 1;
    match *letter {
        [] => {}
        [b] => {
            m[n] = upper_letter(b)?;
            n += 1;
        }
        _ => return None,
    }
    m[n] = b'|';
    n += 1;
    if addition.len() > 4 {
        return None;
    }
    for &b in addition {
        if !b.is_ascii_alphanumeric() {
            return None;
        }
        m[n] = b.to_ascii_uppercase();
        n += 1;
    }
    Some(Message { bytes: m, len: n })
}

/// A neighbourhood code `BU` + 8 digits (any case), upper-cased.
#[inline(always)]
pub(crate) fn buurtcode(s: &[u8]) -> Option<[u8; 10]> {
    let code: [u8; 10] = s.try_into().ok()?;
    if code[0] & !0x20 != b'B' || code[1] & !0x20 != b'U' || !code[2..].iter().all(|&b| is_digit(b))
    {
        return None;
    }
    let mut out = code;
    out[0] = b'B';
    out[1] = b'U';
    Some(out)
}

/// A provision code without surrounding white space, at most 100 bytes, no control
/// characters; and whether it needs quotes in CSV (it holds `,`, `;` or `"`).
#[inline(always)]
pub(crate) fn free_text(s: &[u8]) -> Option<bool> {
    let (first, last) = (*s.first()?, *s.last()?);
    if s.len() > MAX_TEXT_CHARS || first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return None;
    }
    let (mut control, mut quote) = (false, false);
    for &b in s {
        control |= b < 0x20 || b == 0x7f;
        quote |= b == b',' || b == b';' || b == b'"';
    }
    (!control).then_some(quote)
}

/// A period: empty, `YYYY` or `YYYY-MM` (year 1900-2199, month 01-12). Returns the
/// value zero-padded to 7 bytes and its length.
#[inline(always)]
pub(crate) fn periode(s: &[u8]) -> Option<([u8; 7], usize)> {
    let mut out = [0u8; 7];
    let year_ok = |y: &[u8]| {
        y.iter().all(|&b| is_digit(b))
            && ((y[0] == b'1' && y[1] == b'9') || (y[0] == b'2' && (y[1] == b'0' || y[1] == b'1')))
    };
    match s.len() {
        0 => {}
        4 if year_ok(s) => {}
        7 if year_ok(&s[..4]) && s[4] == b'-' && is_digit(s[5]) && is_digit(s[6]) => {
            let month = (s[5] - b'0') * 10 + (s[6] - b'0');
            if !(1..=12).contains(&month) {
                return None;
            }
        }
        _ => return None,
    }
    out[..s.len()].copy_from_slice(s);
    Some((out, s.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{
        free_text as reference_text, Addition, Address, BuurtCode, HouseLetter, HouseNumber,
        Periode, Postcode,
    };
    use proptest::prelude::*;

    fn reference_address(p: &[u8], n: &[u8], l: &[u8], a: &[u8]) -> Option<Vec<u8>> {
        let address = Address {
            postcode: Postcode::parse_bytes(p).ok()?,
            number: HouseNumber::parse_bytes(n).ok()?,
            letter: HouseLetter::parse_bytes(l).ok()?,
            addition: Addition::parse_bytes(a).ok()?,
        };
        Some(address.normalised().as_bytes().to_vec())
    }

    #[test]
    fn usual_spellings_take_the_fast_path() {
        let m = address(b"1234ab", b"12", b"a", b"2hg").unwrap();
        assert_eq!(&m.bytes[..m.len], b"1234AB|12|A|2HG");
        assert!(m.bytes[m.len..].iter().all(|&b| b == 0));
        let m = address(b"9999 ZZ", b"99999", b"", b"").unwrap();
        assert_eq!(&m.bytes[..m.len], b"9999ZZ|99999||");
        assert_eq!(buurtcode(b"bu99990101"), Some(*b"BU99990101"));
        assert_eq!(free_text(b"WMO-HV"), Some(false));
        assert_eq!(free_text(b"a,b"), Some(true));
        assert_eq!(periode(b"2025-03"), Some((*b"2025-03", 7)));
        assert_eq!(periode(b""), Some(([0; 7], 0)));
        for (p, n) in [
            ("0123AB", "1"),
            ("1234SA", "1"),
            ("1234AB", "0"),
            ("1234AB", "012"),
        ] {
            assert!(
                address(p.as_bytes(), n.as_bytes(), b"", b"").is_none(),
                "{p} {n}"
            );
        }
    }

    proptest! {
        #[test]
        fn the_fast_address_agrees_with_the_parsers(
            p in "[0-9]{4}[ ]?[a-zA-Z]{2}|[0-9 a-zA-Z\u{a0}]{0,9}",
            n in "[0-9]{1,6}|[0-9 a]{0,7}",
            l in "[a-zA-Z]?|[a-z 1]{0,2}",
            a in "[a-zA-Z0-9]{0,5}|[a-z1 -]{0,6}",
        ) {
            if let Some(m) = address(p.as_bytes(), n.as_bytes(), l.as_bytes(), a.as_bytes()) {
                let expected = reference_address(p.as_bytes(), n.as_bytes(), l.as_bytes(), a.as_bytes());
                prop_assert_eq!(Some(m.bytes[..m.len].to_vec()), expected);
                prop_assert!(m.bytes[m.len..].iter().all(|&b| b == 0));
            }
        }

        #[test]
        fn the_fast_buurtcode_agrees_with_the_parser(s in "[bBuU]{2}[0-9]{8}|[bBuUwW 0-9a]{0,12}") {
            if let Some(code) = buurtcode(s.as_bytes()) {
                let expected = BuurtCode::parse_bytes(s.as_bytes()).map(|b| *b.as_bytes());
                prop_assert_eq!(Ok(code), expected);
            }
        }

        #[test]
        fn the_fast_text_agrees_with_the_parser(s in "[A-Z,;\"\t -]{0,12}|\\PC{0,120}") {
            if let Some(quote) = free_text(s.as_bytes()) {
                prop_assert_eq!(reference_text(s.as_bytes()), Ok(s.as_bytes()));
                prop_assert_eq!(quote, crate::csvio::needs_quotes(s.as_bytes()));
            }
        }

        #[test]
        fn the_fast_periode_agrees_with_the_parser(s in "(19|20|21|22|18)[0-9]{2}(-[0-1][0-9])?|[0-9 -]{0,8}") {
            if let Some((bytes, len)) = periode(s.as_bytes()) {
                let expected = Periode::parse_bytes(s.as_bytes()).map(|p| p.map(|p| p.as_str().to_owned()));
                let got = (len > 0).then(|| String::from_utf8_lossy(&bytes[..len]).into_owned());
                prop_assert_eq!(Ok(got), expected);
            }
        }
    }
}
