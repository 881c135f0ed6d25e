//! Dutch address parts: postcode, house number, house letter and addition.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("a postcode is four digits (not starting with 0) and two letters, like 1234 AB")]
    PostcodeFormat,
    #[error("postcode letters SA, SD and SS are not used in the Netherlands")]
    PostcodeLetters,
    #[error("a house number is a whole number from 1 to 99999")]
    HouseNumber,
    #[error("a house letter is one letter")]
    HouseLetter,
    #[error("a house number addition is 1 to 4 letters or digits")]
    Addition,
}

/// A Dutch postcode, normalised to `1234AB`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

impl Postcode {
    /// Accepts `1234AB`, `1234 ab`, and surrounding spaces.
    pub fn parse(input: &str) -> Result<Postcode, AddressError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let bytes = compact.as_bytes();
        let ok = bytes.len() == 6
            && bytes[0].is_ascii_digit()
            && bytes[0] != b'0'
            && bytes[1..4].iter().all(u8::is_ascii_digit)
            && bytes[4..6].iter().all(u8::is_ascii_uppercase);
        if !ok {
            return Err(AddressError::PostcodeFormat);
        }
        if matches!(&compact[4..], "SA" | "SD" | "SS") {
            return Err(AddressError::PostcodeLetters);
        }
        Ok(Postcode(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The four digits (PC4).
    pub fn pc4(&self) -> &str {
        &self.0[..4]
    }

    /// The form used on letters: `1234 AB`.
    pub fn display_spaced(&self) -> String {
        format!("{} {}", &self.0[..4], &self.0[4..])
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for Postcode {
    type Error = AddressError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Postcode::parse(&value)
    }
}
impl From<Postcode> for String {
    fn from(value: Postcode) -> String {
        value.0
    }
}

/// House number 1..=99999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HouseNumber(u32);

impl HouseNumber {
    pub fn parse(input: &str) -> Result<HouseNumber, AddressError> {
        let n: u32 = input
            .trim()
            .parse()
            .map_err(|_| AddressError::HouseNumber)?;
        HouseNumber::new(n)
    }
    pub fn new(n: u32) -> Result<HouseNumber, AddressError> {
        if (1..=99_999).contains(&n) {
            Ok(HouseNumber(n))
        } else {
            Err(AddressError::HouseNumber)
        }
    }
    pub fn value(self) -> u32 {
        self.0
    }
}

/// One letter after the house number (`12a`), stored in upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HouseLetter(char);

impl HouseLetter {
    /// An empty input means "no letter".
    pub fn parse_optional(input: &str) -> Result<Option<HouseLetter>, AddressError> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => {
                Ok(Some(HouseLetter(c.to_ascii_uppercase())))
            }
            _ => Err(AddressError::HouseLetter),
        }
    }
    pub fn as_char(self) -> char {
        self.0
    }
}

/// A house number addition (`-2`, `bis`, `A01`), upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Addition(String);

impl Addition {
    pub fn parse_optional(input: &str) -> Result<Option<Addition>, AddressError> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.len() <= 4 && t.chars().all(|c| c.is_ascii_alphanumeric()) {
            Ok(Some(Addition(t.to_ascii_uppercase())))
        } else {
            Err(AddressError::Addition)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn postcodes_in_every_spelling_normalise_alike() {
        for s in ["1234AB", "1234 ab", " 1234 Ab ", "1234aB"] {
            assert_eq!(Postcode::parse(s).unwrap().as_str(), "1234AB", "{s}");
        }
    }

    #[test]
    fn postcode_starting_with_zero_is_rejected() {
        assert_eq!(Postcode::parse("0123AB"), Err(AddressError::PostcodeFormat));
    }

    #[test]
    fn unused_letter_pairs_are_rejected() {
        assert_eq!(
            Postcode::parse("1234SS"),
            Err(AddressError::PostcodeLetters)
        );
    }

    #[test]
    fn house_number_bounds() {
        assert!(HouseNumber::parse("0").is_err());
        assert!(HouseNumber::parse("100000").is_err());
        assert!(HouseNumber::parse("12a").is_err());
        assert_eq!(HouseNumber::parse(" 12 ").unwrap().value(), 12);
    }

    #[test]
    fn letters_and_additions() {
        assert_eq!(
            HouseLetter::parse_optional("b").unwrap().unwrap().as_char(),
            'B'
        );
        assert!(HouseLetter::parse_optional("bb").is_err());
        assert_eq!(Addition::parse_optional("").unwrap(), None);
        assert!(Addition::parse_optional("12345").is_err());
        assert!(Addition::parse_optional("-2").is_err());
    }

    proptest! {
        #[test]
        fn valid_postcodes_round_trip(d in 1000u32..10_000, a in b'A'..=b'Z', b in b'A'..=b'Z') {
            let s = format!("{d}{}{}", a as char, b as char);
            match Postcode::parse(&s) {
                Ok(p) => prop_assert_eq!(p.as_str(), s.as_str()),
                Err(e) => prop_assert_eq!(e, AddressError::PostcodeLetters),
            }
        }
    }
}
