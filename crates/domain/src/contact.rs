//! How people reach someone: a Dutch phone number (a team's number for
//! residents, a neighbour's number for a call-back).

/// Why a phone number is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a Dutch phone number like 020 123 4567, 06 12345678, +31 20 123 4567 or 14 020"
)]
pub struct PhoneError(pub String);

/// A Dutch phone number as people write it: ten digits starting with 0
/// (`020 123 4567`, `06-12345678`), the same with `+31` or `0031` instead of
/// the 0, or a municipality's short number (`14 020`: 14 and three or four
/// digits). Spaces, hyphens and brackets are allowed between digits; the
/// number keeps the way it was written (trimmed, single spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let shown: String = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let refuse = || PhoneError(shown.chars().take(40).collect());
        if shown.chars().count() > 30
            || shown
                .chars()
                .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+')))
            || shown.chars().skip(1).any(|c| c == '+')
        {
            return Err(refuse());
        }
        let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
        let national = if let Some(rest) = shown.strip_prefix('+') {
            rest.starts_with("31").then(|| format!("0{}", &digits[2..]))
        } else if let Some(rest) = digits.strip_prefix("0031") {
            Some(format!("0{rest}"))
        } else {
            Some(digits.clone())
        };
        let ok = match national {
            Some(n) if n.starts_with("14") => (5..=6).contains(&n.len()),
            Some(n) => n.len() == 10 && n.starts_with('0') && !n.starts_with("00"),
            None => false,
        };
        if ok {
            Ok(PhoneNumber(shown))
        } else {
            Err(refuse())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number for a `tel:` link: digits, with `+31` for a national number.
    pub fn tel_uri(&self) -> String {
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        if self.0.starts_with('+') {
            format!("tel:+{digits}")
        } else if let Some(rest) = digits.strip_prefix("0031") {
            format!("tel:+31{rest}")
        } else if let Some(rest) = digits.strip_prefix('0') {
            format!("tel:+31{rest}")
        } else {
            format!("tel:{digits}")
        }
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dutch_numbers_as_people_write_them_parse() {
        for good in [
            "020 123 4567",
            " 06-12345678 ",
            "(020) 1234567",
            "+31 20 123 4567",
            "0031 6 1234 5678",
            "14 020",
            "140 010",
        ] {
            assert!(PhoneNumber::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            PhoneNumber::parse("  020   123 4567 ").unwrap().as_str(),
            "020 123 4567"
        );
        assert_eq!(
            PhoneNumber::parse("020 123 4567").unwrap().tel_uri(),
            "tel:+31201234567"
        );
        assert_eq!(PhoneNumber::parse("14 020").unwrap().tel_uri(), "tel:14020");
    }

    #[test]
    fn what_is_not_a_dutch_phone_number_is_refused() {
        for bad in [
            "",
            "bel me",
            "020 123 456",
            "020 123 45678",
            "+32 2 123 45 67",
            "00 20 123 4567",
            "020+1234567",
            "06 1234 5678 <script>",
            "14 02",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_ten_digit_number_after_a_zero_parses_however_it_is_spaced(
            digits in "[1-9][0-9]{8}", split in 1usize..8,
        ) {
            let number = format!("0{}", digits);
            let spaced = format!("{} {}", &number[..split + 1], &number[split + 1..]);
            let parsed = PhoneNumber::parse(&spaced).unwrap();
            prop_assert_eq!(parsed.as_str(), spaced.as_str());
            prop_assert_eq!(parsed.tel_uri(), format!("tel:+31{}", digits));
        }
    }
}
