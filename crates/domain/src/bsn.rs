//! Burgerservicenummer with the eleven-test.

use std::fmt;

/// A BSN that passes the eleven-test: 9A+8B+7C+6D+5E+4F+3G+2H−1I ≡ 0 (mod 11).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bsn(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BsnError {
    #[error("a BSN has 9 digits (8 digits are accepted with a leading zero); got {0} digits")]
    Length(usize),
    #[error("a BSN contains only digits")]
    NotDigits,
    #[error("this number does not pass the eleven-test")]
    ElevenTest,
    #[error("a BSN cannot be all zeros")]
    Zero,
}

impl Bsn {
    /// Parses a BSN. Spaces and dots between digits are ignored; an 8-digit number
    /// gets its leading zero back (as in older registrations).
    pub fn parse(input: &str) -> Result<Bsn, BsnError> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '.')
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(BsnError::NotDigits);
        }
        let digits = match digits.len() {
            9 => digits,
            8 => format!("0{digits}"),
            n => return Err(BsnError::Length(n)),
        };
        let value: u32 = digits.parse().map_err(|_| BsnError::NotDigits)?;
        if value == 0 {
            return Err(BsnError::Zero);
        }
        if !passes_eleven_test(value) {
            return Err(BsnError::ElevenTest);
        }
        Ok(Bsn(value))
    }

    /// Completes eight leading digits (0..=99_999_999) with the check digit that
    /// makes the eleven-test pass, if one exists (it does not when the remainder
    /// would need a check digit of 10).
    pub fn complete(first_eight: u32) -> Option<Bsn> {
        if first_eight > 99_999_999 {
            return None;
        }
        let weighted = weighted_sum(first_eight * 10);
        // weighted + (-1 * i) ≡ 0 (mod 11)  =>  i ≡ weighted (mod 11)
        let check = (weighted % 11) as u32;
        if check > 9 {
            return None;
        }
        let value = first_eight * 10 + check;
        (value != 0).then_some(Bsn(value))
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

fn weighted_sum(value: u32) -> i64 {
    let mut sum: i64 = 0;
    let mut rest = value;
    // digit I (last) weighs -1, H weighs 2, G 3, ..., A 9
    for position in 0..9 {
        let digit = (rest % 10) as i64;
        rest /= 10;
        let weight = if position == 0 {
            -1
        } else {
            position as i64 + 1
        };
        sum += weight * digit;
    }
    sum
}

fn passes_eleven_test(value: u32) -> bool {
    weighted_sum(value).rem_euclid(11) == 0
}

impl fmt::Display for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:09}", self.0)
    }
}

impl fmt::Debug for Bsn {
    /// Debug output masks the number so that a BSN never ends up in a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bsn(*****{:04})", self.0 % 10_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_known_valid_bsn_is_accepted() {
        // 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6*11
        assert_eq!(Bsn::parse("111222333").unwrap().to_string(), "111222333");
    }

    #[test]
    fn dots_and_spaces_are_ignored() {
        assert!(Bsn::parse("1112.22.333").is_ok());
        assert!(Bsn::parse(" 111 222 333 ").is_ok());
    }

    #[test]
    fn a_number_failing_the_eleven_test_is_rejected() {
        assert_eq!(Bsn::parse("111222334"), Err(BsnError::ElevenTest));
    }

    #[test]
    fn wrong_length_and_letters_are_rejected() {
        assert_eq!(Bsn::parse("1234567"), Err(BsnError::Length(7)));
        assert_eq!(Bsn::parse("12345678a"), Err(BsnError::NotDigits));
        assert_eq!(Bsn::parse("000000000"), Err(BsnError::Zero));
    }

    #[test]
    fn debug_output_masks_the_number() {
        let bsn = Bsn::parse("111222333").unwrap();
        assert_eq!(format!("{bsn:?}"), "Bsn(*****2333)");
    }

    proptest! {
        #[test]
        fn every_completed_number_passes_and_parses_back(first in 1u32..=99_999_999) {
            if let Some(bsn) = Bsn::complete(first) {
                prop_assert_eq!(Bsn::parse(&bsn.to_string()), Ok(bsn));
            }
        }

        #[test]
        fn changing_one_digit_breaks_the_eleven_test(first in 10_000_000u32..=99_999_999, pos in 0usize..9, delta in 1u32..10) {
            if let Some(bsn) = Bsn::complete(first) {
                let mut digits: Vec<u32> = bsn.to_string().chars().map(|c| c.to_digit(10).unwrap()).collect();
                digits[pos] = (digits[pos] + delta) % 10;
                let changed: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
                prop_assert!(Bsn::parse(&changed).is_err());
            }
        }
    }
}
