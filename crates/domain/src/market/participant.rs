//! Who takes part in the marketplace.
//!
//! A resident signs up with an e-mail address, a display name and a district
//! (no BSN, no household); they may post once the address is verified. A
//! makelaar registers someone without internet as a *proxy participant*: no
//! account, reached by the makelaar (by phone), and — if they wish — shown to
//! others as "Buurtbewoner (anoniem)".

use crate::text::check_text;
use crate::{DistrictCode, EmailAddress};

/// What others see instead of an anonymous participant's name.
pub const ANONYMOUS_NAME: &str = "Buurtbewoner (anoniem)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipantError {
    #[error("a display name has 2 to 60 characters")]
    DisplayName,
    #[error("'{0}' is not a Dutch phone number (10 digits starting with 0, or +31)")]
    Phone(String),
    #[error("the e-mail address is not verified yet")]
    Unverified,
    #[error("this participant is blocked from the marketplace")]
    Blocked,
}

/// The name others see: 2–60 characters, no control characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, ParticipantError> {
        let t = input.trim();
        let n = t.chars().count();
        if !(2..=60).contains(&n) || check_text(t).is_err() || t.contains(['\n', '\r', '\t']) {
            return Err(ParticipantError::DisplayName);
        }
        Ok(DisplayName(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Dutch phone number, stored as ten digits starting with 0 ("0612345678");
/// spaces, dashes and a +31/0031 prefix are accepted when typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<PhoneNumber, ParticipantError> {
        let t = input.trim();
        let refuse = || ParticipantError::Phone(t.chars().take(30).collect());
        if t.chars()
            .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')')))
        {
            return Err(refuse());
        }
        let plus = t.starts_with('+');
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        let national = if plus {
            digits.strip_prefix("31").map(|rest| format!("0{rest}"))
        } else if let Some(rest) = digits.strip_prefix("0031") {
            Some(format!("0{rest}"))
        } else {
            Some(digits)
        }
        .ok_or_else(refuse)?;
        if national.len() != 10 || !national.starts_with('0') || national.starts_with("00") {
            return Err(refuse());
        }
        Ok(PhoneNumber(national))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How someone takes part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParticipantKind {
    /// Signed up themselves; may post once the address is verified.
    Account { email: EmailAddress, verified: bool },
    /// Registered by a makelaar, who reaches them; no account.
    Proxy {
        makelaar_user_id: i64,
        anonymous: bool,
        phone: Option<PhoneNumber>,
    },
}

/// One participant as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub display_name: DisplayName,
    pub district: DistrictCode,
    pub kind: ParticipantKind,
    pub blocked: bool,
}

impl Participant {
    /// May this participant post, answer or accept? A blocked one never; an
    /// account only with a verified address; a proxy always (the makelaar acts).
    pub fn may_act(&self) -> Result<(), ParticipantError> {
        if self.blocked {
            return Err(ParticipantError::Blocked);
        }
        match &self.kind {
            ParticipantKind::Account {
                verified: false, ..
            } => Err(ParticipantError::Unverified),
            _ => Ok(()),
        }
    }

    pub fn is_proxy(&self) -> bool {
        matches!(self.kind, ParticipantKind::Proxy { .. })
    }

    /// The name shown to other participants.
    pub fn public_name(&self) -> &str {
        match self.kind {
            ParticipantKind::Proxy {
                anonymous: true, ..
            } => ANONYMOUS_NAME,
            _ => self.display_name.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn district() -> DistrictCode {
        DistrictCode::parse("WK999901").unwrap()
    }

    #[test]
    fn a_display_name_needs_two_to_sixty_characters() {
        assert!(DisplayName::parse(" Ans ").is_ok());
        assert_eq!(DisplayName::parse("A"), Err(ParticipantError::DisplayName));
        assert!(DisplayName::parse(&"x".repeat(61)).is_err());
        assert!(DisplayName::parse("An\ns").is_err());
    }

    #[test]
    fn phone_numbers_are_stored_as_ten_national_digits() {
        assert_eq!(
            PhoneNumber::parse("06-1234 5678").unwrap().as_str(),
            "0612345678"
        );
        assert_eq!(
            PhoneNumber::parse("+31 6 12345678").unwrap().as_str(),
            "0612345678"
        );
        assert_eq!(
            PhoneNumber::parse("0031612345678").unwrap().as_str(),
            "0612345678"
        );
        assert!(PhoneNumber::parse("12345").is_err());
        assert!(PhoneNumber::parse("+49 612345678").is_err());
        assert!(PhoneNumber::parse("06 1234 567a").is_err());
    }

    #[test]
    fn an_unverified_account_may_not_act_and_a_proxy_may() {
        let mut p = Participant {
            display_name: DisplayName::parse("Ans").unwrap(),
            district: district(),
            kind: ParticipantKind::Account {
                email: EmailAddress::parse("ans@example.nl").unwrap(),
                verified: false,
            },
            blocked: false,
        };
        assert_eq!(p.may_act(), Err(ParticipantError::Unverified));
        p.kind = ParticipantKind::Proxy {
            makelaar_user_id: 3,
            anonymous: true,
            phone: None,
        };
        assert_eq!(p.may_act(), Ok(()));
        assert_eq!(p.public_name(), ANONYMOUS_NAME);
        p.blocked = true;
        assert_eq!(p.may_act(), Err(ParticipantError::Blocked));
    }

    proptest! {
        #[test]
        fn every_ten_digit_number_starting_with_0_parses_back_to_itself(rest in "[1-9][0-9]{8}") {
            let n = format!("0{rest}");
            let parsed = PhoneNumber::parse(&n).unwrap();
            prop_assert_eq!(parsed.as_str(), n.as_str());
        }

        #[test]
        fn an_anonymous_proxy_never_shows_its_name(name in "[A-Za-z]{2,40}", anonymous: bool) {
            let p = Participant {
                display_name: DisplayName::parse(&name).unwrap(),
                district: district(),
                kind: ParticipantKind::Proxy { makelaar_user_id: 1, anonymous, phone: None },
                blocked: false,
            };
            prop_assert_eq!(p.public_name() == name, !anonymous);
        }
    }
}
