//! CBS area codes: municipality (`GM9999`), district (`WK999901`) and
//! neighbourhood (`BU99990101`). A district code is the municipality's four digits
//! plus two; a neighbourhood code is the district's six digits plus two.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{kind} code must be '{prefix}' followed by {digits} digits, e.g. {example}; got '{input}'"
)]
pub struct CodeError {
    kind: &'static str,
    prefix: &'static str,
    digits: usize,
    example: &'static str,
    input: String,
}

fn parse_code(
    input: &str,
    kind: &'static str,
    prefix: &'static str,
    digits: usize,
    example: &'static str,
) -> Result<String, CodeError> {
    let trimmed = input.trim();
    let upper = trimmed.to_ascii_uppercase();
    let ok = upper.len() == prefix.len() + digits
        && upper.starts_with(prefix)
        && upper[prefix.len()..].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(upper)
    } else {
        Err(CodeError {
            kind,
            prefix,
            digits,
            example,
            input: trimmed.chars().take(40).collect(),
        })
    }
}

macro_rules! area_code {
    ($name:ident, $kind:literal, $prefix:literal, $digits:literal, $example:literal) => {
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, CodeError> {
                parse_code(input, $kind, $prefix, $digits, $example).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The digits after the prefix.
            pub fn digits(&self) -> &str {
                &self.0[$prefix.len()..]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = CodeError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

area_code!(MunicipalityCode, "municipality", "GM", 4, "GM0363");
area_code!(DistrictCode, "district", "WK", 6, "WK036301");
area_code!(NeighbourhoodCode, "neighbourhood", "BU", 8, "BU03630101");

impl MunicipalityCode {
    /// The `n`th district (1..=99) of this municipality.
    pub fn district(&self, n: u8) -> Option<DistrictCode> {
        (1..=99)
            .contains(&n)
            .then(|| DistrictCode(format!("WK{}{:02}", self.digits(), n)))
    }
}

impl DistrictCode {
    pub fn municipality(&self) -> MunicipalityCode {
        MunicipalityCode(format!("GM{}", &self.digits()[..4]))
    }
    /// The `n`th neighbourhood (1..=99) of this district.
    pub fn neighbourhood(&self, n: u8) -> Option<NeighbourhoodCode> {
        (1..=99)
            .contains(&n)
            .then(|| NeighbourhoodCode(format!("BU{}{:02}", self.digits(), n)))
    }
}

impl NeighbourhoodCode {
    pub fn district(&self) -> DistrictCode {
        DistrictCode(format!("WK{}", &self.digits()[..6]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_normalised_to_upper_case() {
        assert_eq!(
            NeighbourhoodCode::parse(" bu99990101 ").unwrap().as_str(),
            "BU99990101"
        );
    }

    #[test]
    fn wrong_prefix_or_length_is_rejected_with_an_example() {
        let err = DistrictCode::parse("WK9999").unwrap_err().to_string();
        assert!(err.contains("WK036301"), "{err}");
        assert!(NeighbourhoodCode::parse("WK99990101").is_err());
        assert!(MunicipalityCode::parse("GM99A9").is_err());
    }

    #[test]
    fn hierarchy_is_derived_from_the_digits() {
        let gm = MunicipalityCode::parse("GM9999").unwrap();
        let wk = gm.district(1).unwrap();
        assert_eq!(wk.as_str(), "WK999901");
        let bu = wk.neighbourhood(2).unwrap();
        assert_eq!(bu.as_str(), "BU99990102");
        assert_eq!(bu.district(), wk);
        assert_eq!(wk.municipality(), gm);
    }

    proptest! {
        #[test]
        fn every_generated_neighbourhood_parses_back(gm in 0u32..10_000, wk in 1u8..100, bu in 1u8..100) {
            let gm = MunicipalityCode::parse(&format!("GM{gm:04}")).unwrap();
            let bu_code = gm.district(wk).unwrap().neighbourhood(bu).unwrap();
            prop_assert_eq!(NeighbourhoodCode::parse(bu_code.as_str()).unwrap(), bu_code);
        }
    }
}
