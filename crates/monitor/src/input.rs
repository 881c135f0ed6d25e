//! The values in an organisation's file, each a type whose only constructor checks
//! its rule ("parse, don't validate"). Parsing works on bytes and does not allocate,
//! because it runs for every row of files with millions of rows.

use crate::error::Problem;

/// A Dutch postcode, normalised to `1234AB`.
///
/// Accepts any case and any spaces (`1234 ab`, ` 1234AB `, a non-breaking space as
/// written by Excel). The first digit is not 0, and `SA`, `SD` and `SS` are not used
/// by PostNL, so they are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Postcode([u8; 6]);

impl Postcode {
    pub fn parse(input: &str) -> Result<Postcode, Problem> {
        Postcode::parse_bytes(input.as_bytes())
    }

    pub(crate) fn parse_bytes(input: &[u8]) -> Result<Postcode, Problem> {
        // The common spellings, `1234AB` and `1234 AB` in any case, without the loop.
        match *input {
            [a, b, c, d, e, f] | [a, b, c, d, b' ', e, f] => {
                return Postcode::checked([a, b, c, d, e, f]);
            }
            _ => {}
        }
        let mut out = [0u8; 6];
        let mut n = 0;
        let mut i = 0;
        while i < input.len() {
            let b = input[i];
            if b == b' ' || b == b'\t' {
                i += 1;
                continue;
            }
            // U+00A0 NO-BREAK SPACE, as UTF-8.
            if b == 0xC2 && input.get(i + 1) == Some(&0xA0) {
                i += 2;
                continue;
            }
            if n == 6 {
                return Err(Problem::Postcode);
            }
            out[n] = b;
            n += 1;
            i += 1;
        }
        if n != 6 {
            return Err(Problem::Postcode);
        }
        Postcode::checked(out)
    }

    /// Checks six characters without spaces and upper-cases the letters.
    #[inline]
    fn checked(mut out: [u8; 6]) -> Result<Postcode, Problem> {
        out[4] = out[4].to_ascii_uppercase();
        out[5] = out[5].to_ascii_uppercase();
        let digits_ok = out[0] != b'0' && out[..4].iter().all(u8::is_ascii_digit);
        let letters_ok = out[4..].iter().all(u8::is_ascii_uppercase);
        if !digits_ok || !letters_ok || matches!(&out[4..], b"SA" | b"SD" | b"SS") {
            return Err(Problem::Postcode);
        }
        Ok(Postcode(out))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// A house number, 1 to 99999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HouseNumber(u32);

impl HouseNumber {
    pub fn parse(input: &str) -> Result<HouseNumber, Problem> {
        HouseNumber::parse_bytes(input.as_bytes())
    }

    pub(crate) fn parse_bytes(input: &[u8]) -> Result<HouseNumber, Problem> {
        let s = input.trim_ascii();
        if s.is_empty() || s.len() > 9 || !s.iter().all(u8::is_ascii_digit) {
            return Err(Problem::Huisnummer);
        }
        let n = s
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        if (1..=99_999).contains(&n) {
            Ok(HouseNumber(n))
        } else {
            Err(Problem::Huisnummer)
        }
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

/// An optional house letter, normalised to upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HouseLetter(Option<u8>);

impl HouseLetter {
    pub fn parse(input: &str) -> Result<HouseLetter, Problem> {
        HouseLetter::parse_bytes(input.as_bytes())
    }

    pub(crate) fn parse_bytes(input: &[u8]) -> Result<HouseLetter, Problem> {
        match input.trim_ascii() {
            [] => Ok(HouseLetter(None)),
            [b] if b.is_ascii_alphabetic() => Ok(HouseLetter(Some(b.to_ascii_uppercase()))),
            _ => Err(Problem::Huisletter),
        }
    }
}

/// An optional house number addition: up to four letters or digits, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Addition {
    bytes: [u8; 4],
    len: u8,
}

impl Addition {
    pub fn parse(input: &str) -> Result<Addition, Problem> {
        Addition::parse_bytes(input.as_bytes())
    }

    pub(crate) fn parse_bytes(input: &[u8]) -> Result<Addition, Problem> {
        let s = input.trim_ascii();
        if s.len() > 4 || !s.iter().all(u8::is_ascii_alphanumeric) {
            return Err(Problem::Toevoeging);
        }
        let mut bytes = [0u8; 4];
        for (o, b) in bytes.iter_mut().zip(s) {
            *o = b.to_ascii_uppercase();
        }
        Ok(Addition {
            bytes,
            len: s.len() as u8,
        })
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// A household's address, the unit that is pseudonymised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address {
    pub postcode: Postcode,
    pub number: HouseNumber,
    pub letter: HouseLetter,
    pub addition: Addition,
}

/// The longest normalised address: `1234AB|99999|A|ABCD`.
const MAX_NORMALISED: usize = 19;

impl Address {
    /// The normalised form that is fed to HMAC-SHA256:
    /// `POSTCODE|NUMBER|LETTER|ADDITION`, e.g. `1234AB|12|A|` or `1234AB|7||2HG`.
    /// Changing this changes every pseudonym: it belongs to key format version 1.
    pub fn normalised(&self) -> NormalisedAddress {
        let mut buf = [0u8; MAX_NORMALISED];
        let mut n = 0;
        let mut put = |bytes: &[u8]| {
            buf[n..n + bytes.len()].copy_from_slice(bytes);
            n += bytes.len();
        };
        put(&self.postcode.0);
        put(b"|");
        let mut digits = [0u8; 5];
        let mut d = 5;
        let mut v = self.number.0;
        loop {
            d -= 1;
            digits[d] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        put(&digits[d..]);
        put(b"|");
        if let Some(letter) = self.letter.0 {
            put(&[letter]);
        }
        put(b"|");
        put(self.addition.as_bytes());
        NormalisedAddress { buf, len: n as u8 }
    }
}

/// The normalised address bytes; see [`Address::normalised`].
#[derive(Clone, Copy)]
pub struct NormalisedAddress {
    buf: [u8; MAX_NORMALISED],
    len: u8,
}

impl NormalisedAddress {
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// The bytes in a fixed-size array (zeros after the address) and the length.
    #[inline]
    pub(crate) fn padded(&self) -> (&[u8; MAX_NORMALISED], usize) {
        (&self.buf, usize::from(self.len))
    }
}

/// A CBS neighbourhood code: `BU` and eight digits, normalised to upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuurtCode([u8; 10]);

impl BuurtCode {
    pub fn parse(input: &str) -> Result<BuurtCode, Problem> {
        BuurtCode::parse_bytes(input.as_bytes())
    }

    pub(crate) fn parse_bytes(input: &[u8]) -> Result<BuurtCode, Problem> {
        let s = input.trim_ascii();
        let ok = s.len() == 10
            && s[..2].eq_ignore_ascii_case(b"BU")
            && s[2..].iter().all(u8::is_ascii_digit);
        if !ok {
            return Err(Problem::Buurtcode(crate::error::shown_value(
                &String::from_utf8_lossy(s),
            )));
        }
        let mut out = [0u8; 10];
        out.copy_from_slice(s);
        out[0] = b'B';
        out[1] = b'U';
        Ok(BuurtCode(out))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }
}

/// A reporting period: a year (`2025`) or a year and month (`2025-03`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Periode {
    bytes: [u8; 7],
    len: u8,
}

impl Periode {
    /// Parses an optional period; an empty value is no period.
    pub fn parse(input: &str) -> Result<Option<Periode>, Problem> {
        Periode::parse_bytes(input.as_bytes())
    }

    pub(crate) fn parse_bytes(input: &[u8]) -> Result<Option<Periode>, Problem> {
        let s = input.trim_ascii();
        if s.is_empty() {
            return Ok(None);
        }
        let bad = || Problem::Periode(crate::error::shown_value(&String::from_utf8_lossy(s)));
        let year_ok = |y: &[u8]| {
            y.len() == 4
                && y.iter().all(u8::is_ascii_digit)
                && (b"1900"[..] <= *y)
                && (*y <= b"2199"[..])
        };
        match s.len() {
            4 if year_ok(s) => {}
            7 if year_ok(&s[..4]) && s[4] == b'-' => {
                let m = &s[5..];
                if !m.iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                let month = u32::from(m[0] - b'0') * 10 + u32::from(m[1] - b'0');
                if !(1..=12).contains(&month) {
                    return Err(bad());
                }
            }
            _ => return Err(bad()),
        }
        let mut bytes = [0u8; 7];
        bytes[..s.len()].copy_from_slice(s);
        Ok(Some(Periode {
            bytes,
            len: s.len() as u8,
        }))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The bytes in a fixed-size array and the length (for copying without a loop).
    #[inline]
    pub(crate) fn padded(&self) -> (&[u8; 7], usize) {
        (&self.bytes, usize::from(self.len))
    }
}

/// The longest provision code or organisation name accepted.
pub const MAX_TEXT_CHARS: usize = 100;

/// Checks a free-text value (provision code, organisation) and returns it trimmed.
pub(crate) fn free_text(input: &[u8]) -> Result<&[u8], Problem> {
    let s = input.trim_ascii();
    if s.is_empty() {
        return Err(Problem::Empty);
    }
    if s.iter().any(|b| b.is_ascii_control()) {
        return Err(Problem::ControlCharacter);
    }
    // Counting UTF-8 start bytes counts characters.
    if s.len() > MAX_TEXT_CHARS
        && s.iter().filter(|&&b| (b & 0xC0) != 0x80).count() > MAX_TEXT_CHARS
    {
        return Err(Problem::TooLong {
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(s)
}

/// The organisation that delivered a file, as given with `--org`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation(String);

impl Organisation {
    pub fn parse(input: &str) -> Result<Organisation, crate::MonitorError> {
        match free_text(input.as_bytes()) {
            Ok(s) => Ok(Organisation(String::from_utf8_lossy(s).into_owned())),
            Err(p) => Err(crate::MonitorError::Organisation(p.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The domains a municipality distinguishes, in its preferred order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainList {
    names: Vec<Box<str>>,
    /// Each name packed by `pack_lowercase` (names of at most 15 bytes), for a look-up
    /// that compares one integer per name.
    packed: Vec<u128>,
}

/// `value` lower-cased into the first 15 bytes, its length in the last, if it fits.
#[inline]
fn pack_lowercase(value: &[u8]) -> Option<u128> {
    if value.len() > 15 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (o, b) in bytes.iter_mut().zip(value) {
        *o = b.to_ascii_lowercase();
    }
    bytes[15] = value.len() as u8;
    Some(u128::from_le_bytes(bytes))
}

/// The longest domain name accepted, in bytes.
pub(crate) const MAX_DOMAIN_NAME: usize = 40;

/// The default domains.
pub const DEFAULT_DOMAINS: [&str; 7] = [
    "jeugd",
    "wmo",
    "participatie",
    "schuldhulp",
    "ggz",
    "wonen",
    "overig",
];

/// A set of domains as a bit mask over a [`DomainList`] (at most 64 domains).
pub type DomainMask = u64;

impl Default for DomainList {
    fn default() -> Self {
        DomainList::from_names(DEFAULT_DOMAINS.iter().map(|d| Box::from(*d)).collect())
    }
}

impl DomainList {
    /// Builds a list from names: lower-case letters, digits, `-` and `_`, unique, at
    /// most 64. Names are trimmed and lower-cased.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Result<DomainList, crate::MonitorError> {
        let mut out: Vec<Box<str>> = Vec::new();
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            let valid = !name.is_empty()
                && name.len() <= MAX_DOMAIN_NAME
                && name.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !valid {
                return Err(crate::MonitorError::Domains(format!(
                    "\"{}\" is not a domain name (use lower-case letters, digits, - or _)",
                    crate::error::shown_value(&name)
                )));
            }
            if out.iter().any(|d| **d == *name) {
                return Err(crate::MonitorError::Domains(format!(
                    "\"{name}\" is listed twice"
                )));
            }
            out.push(name.into_boxed_str());
        }
        if out.is_empty() {
            return Err(crate::MonitorError::Domains("the list is empty".into()));
        }
        if out.len() > 64 {
            return Err(crate::MonitorError::TooMany {
                what: "domains",
                max: 64,
            });
        }
        Ok(DomainList::from_names(out))
    }

    fn from_names(names: Vec<Box<str>>) -> DomainList {
        let packed = names
            .iter()
            .map(|n| pack_lowercase(n.as_bytes()).unwrap_or(u128::MAX))
            .collect();
        DomainList { names, packed }
    }

    /// Parses `a,b,c`.
    pub fn parse(list: &str) -> Result<DomainList, crate::MonitorError> {
        let names: Vec<&str> = list.split(',').collect();
        DomainList::new(&names)
    }

    /// The index of a domain (trimmed, any case).
    #[inline]
    pub fn find(&self, value: &[u8]) -> Option<u8> {
        let v = value.trim_ascii();
        if let Some(p) = pack_lowercase(v) {
            // A name of more than 15 bytes is stored as u128::MAX, which no packed value
            // equals (its last byte is a length below 16); the loop below finds it.
            if let Some(i) = self.packed.iter().position(|&n| n == p) {
                return Some(i as u8);
            }
        }
        self.names
            .iter()
            .position(|n| n.as_bytes().eq_ignore_ascii_case(v))
            .map(|i| i as u8)
    }

    pub(crate) fn problem(&self, value: &[u8]) -> Problem {
        Problem::Domein {
            value: crate::error::shown_value(&String::from_utf8_lossy(value.trim_ascii())),
            allowed: self.joined(),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }

    pub fn name(&self, index: u8) -> &str {
        &self.names[usize::from(index)]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn joined(&self) -> String {
        self.names.join(", ")
    }

    /// The names in a mask, sorted alphabetically (the canonical order of a
    /// combination, as the SQL's `sort_array` also gives).
    pub fn names_in(&self, mask: DomainMask) -> Vec<&str> {
        let mut v: Vec<&str> = (0..self.names.len())
            .filter(|i| mask & (1u64 << i) != 0)
            .map(|i| &*self.names[i])
            .collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn address(pc: &str, nr: &str, letter: &str, add: &str) -> String {
        let a = Address {
            postcode: Postcode::parse(pc).unwrap(),
            number: HouseNumber::parse(nr).unwrap(),
            letter: HouseLetter::parse(letter).unwrap(),
            addition: Addition::parse(add).unwrap(),
        };
        String::from_utf8(a.normalised().as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn postcode_in_every_spelling_is_normalised() {
        for s in [
            "1234AB",
            "1234 AB",
            "1234ab",
            " 1234 ab ",
            "1234aB",
            "1234\u{a0}AB",
            "1234  AB",
            "12 34AB",
        ] {
            assert_eq!(Postcode::parse(s).unwrap().as_str(), "1234AB", "{s:?}");
        }
    }

    #[test]
    fn postcode_with_leading_zero_or_wrong_shape_is_rejected() {
        for s in [
            "0123AB", "123AB", "12345AB", "1234A", "1234ABC", "ABCD12", "", "1234SS", "1234-AB",
        ] {
            assert_eq!(Postcode::parse(s), Err(Problem::Postcode), "{s:?}");
        }
    }

    #[test]
    fn house_number_out_of_range_is_rejected() {
        for s in ["0", "100000", "-1", "12a", "", "1.5", "1 2"] {
            assert_eq!(HouseNumber::parse(s), Err(Problem::Huisnummer), "{s:?}");
        }
        assert_eq!(HouseNumber::parse(" 007 ").unwrap().value(), 7);
        assert_eq!(HouseNumber::parse("99999").unwrap().value(), 99_999);
    }

    #[test]
    fn house_letter_and_addition_are_case_insensitive() {
        assert_eq!(address("1234ab", "12", "a", "2hg"), "1234AB|12|A|2HG");
        assert_eq!(address("1234 AB", "12", "A", "2Hg"), "1234AB|12|A|2HG");
        assert_eq!(address("1234AB", "7", "", ""), "1234AB|7||");
        assert_eq!(HouseLetter::parse("ab"), Err(Problem::Huisletter));
        assert_eq!(Addition::parse("abcde"), Err(Problem::Toevoeging));
        assert_eq!(Addition::parse("1-2"), Err(Problem::Toevoeging));
    }

    #[test]
    fn buurtcode_needs_bu_and_eight_digits() {
        assert_eq!(
            BuurtCode::parse("bu99990101").unwrap().as_str(),
            "BU99990101"
        );
        for s in ["BU9999010", "WK99990101", "BU9999010A", ""] {
            assert!(
                matches!(BuurtCode::parse(s), Err(Problem::Buurtcode(_))),
                "{s:?}"
            );
        }
    }

    #[test]
    fn periode_is_a_year_or_a_year_and_month() {
        assert_eq!(Periode::parse("2025").unwrap().unwrap().as_str(), "2025");
        assert_eq!(
            Periode::parse("2025-03").unwrap().unwrap().as_str(),
            "2025-03"
        );
        assert_eq!(Periode::parse("").unwrap(), None);
        for s in ["2025-13", "2025-3", "25", "2025/03", "march"] {
            assert!(
                matches!(Periode::parse(s), Err(Problem::Periode(_))),
                "{s:?}"
            );
        }
    }

    #[test]
    fn domain_list_finds_any_case_and_refuses_duplicates() {
        let d = DomainList::default();
        assert_eq!(d.find(b" WMO "), Some(1));
        assert_eq!(d.find(b"wmo\0"), None);
        assert_eq!(d.find(b"wm"), None);
        let long = DomainList::parse("maatschappelijke-opvang,wmo").unwrap();
        assert_eq!(long.find(b"Maatschappelijke-Opvang"), Some(0));
        assert_eq!(d.find(b"zorg"), None);
        assert!(DomainList::parse("wmo,wmo").is_err());
        assert!(DomainList::parse("").is_err());
    }

    proptest! {
        #[test]
        fn every_spelling_of_a_valid_postcode_normalises_the_same(
            first in 1u32..10, rest in 0u32..1000, l1 in 0u8..26, l2 in 0u8..26,
            lower in any::<bool>(), spaces in 0usize..3,
        ) {
            let letters = [b'A' + l1, b'A' + l2];
            prop_assume!(!matches!(&letters, b"SA" | b"SD" | b"SS"));
            let canonical = format!("{first}{rest:03}{}", String::from_utf8_lossy(&letters));
            let mut spelled = format!("{first}{rest:03}{}{}", " ".repeat(spaces), String::from_utf8_lossy(&letters));
            if lower { spelled = spelled.to_lowercase(); }
            let parsed = Postcode::parse(&spelled).unwrap();
            prop_assert_eq!(parsed.as_str(), canonical.as_str());
        }
    }
}
