//! The second factor: what a user types after their password (a TOTP code or
//! a recovery code), the rule that a TOTP code counts once, and when an
//! identity provider's login already counts as two factors.
//!
//! Computing TOTP codes (RFC 6238, HMAC-SHA1, 30 s, 6 digits) is the web
//! crate's (`totp-rs`); the rules about them live here.

use std::fmt;

/// How many time steps before and after the current one a code may be from
/// (clock drift between the phone and the server): one, i.e. ±30 seconds.
pub const TOTP_SKEW_STEPS: u16 = 1;

/// How many recovery codes a user gets at enrolment.
pub const RECOVERY_CODES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactorError {
    #[error("enter the 6 digits from the authenticator app, or a recovery code")]
    Unreadable,
}

/// What the user typed on the code page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactorInput {
    /// Six digits from the authenticator app.
    Totp(String),
    /// One of the recovery codes shown at enrolment.
    Recovery(RecoveryCode),
}

impl FactorInput {
    /// Spaces and dashes are ignored (apps show `123 456`, codes are printed
    /// in groups); six digits are a TOTP code, 16 letters and digits from the
    /// recovery alphabet a recovery code.
    pub fn parse(input: &str) -> Result<FactorInput, FactorError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.len() == 6 && compact.chars().all(|c| c.is_ascii_digit()) {
            return Ok(FactorInput::Totp(compact));
        }
        RecoveryCode::parse(&compact).map(FactorInput::Recovery)
    }
}

/// Is a code from time step `step` still unused, given the last step that was
/// accepted for this user? A code counts once: a step at or before the last
/// accepted one is a replay (someone who saw the code, or a second tab).
pub fn step_is_fresh(step: u64, last_accepted: Option<u64>) -> bool {
    last_accepted.is_none_or(|last| step > last)
}

/// The alphabet of recovery codes: lower-case letters and digits without the
/// ones that are easily confused (no i, l, o or 1; an `o` typed for the zero
/// is read as the zero).
const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";

/// A recovery code: 16 characters, 80 bits of randomness, shown once (in four
/// groups of four) and stored as a hash; each works once.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub const LEN: usize = 16;

    /// A code from 10 random bytes (the caller brings the randomness).
    pub fn from_random(bytes: [u8; 10]) -> RecoveryCode {
        // 80 bits, 5 at a time.
        let mut acc: u128 = 0;
        for b in bytes {
            acc = (acc << 8) | u128::from(b);
        }
        let code = (0..Self::LEN)
            .map(|i| {
                let shift = 5 * (Self::LEN - 1 - i);
                char::from(ALPHABET[((acc >> shift) & 31) as usize])
            })
            .collect();
        RecoveryCode(code)
    }

    /// Parses a typed code: case and the dashes between groups don't matter.
    pub fn parse(input: &str) -> Result<RecoveryCode, FactorError> {
        let t: String = input
            .chars()
            .filter(|c| *c != '-' && !c.is_whitespace())
            .map(|c| match c.to_ascii_lowercase() {
                'o' => '0',
                c => c,
            })
            .collect();
        if t.len() == Self::LEN && t.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(RecoveryCode(t))
        } else {
            Err(FactorError::Unreadable)
        }
    }

    /// The canonical form (what is hashed and stored).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As shown to the user: `abcd-efgh-jkmn-pqrs`.
    pub fn grouped(&self) -> String {
        crate::text::grouped_by_four(&self.0)
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(***)")
    }
}

/// Which logins at an identity provider (OIDC) Baken counts as two factors:
/// the ID token's `acr` is one of `acr`, or its `amr` holds one of `amr`.
/// Both empty (the default): none does, and the user still types a TOTP code
/// when their role needs one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactorTrust {
    pub acr: Vec<String>,
    pub amr: Vec<String>,
}

impl FactorTrust {
    pub fn counts_as_two_factors(&self, acr: Option<&str>, amr: &[String]) -> bool {
        acr.is_some_and(|a| self.acr.iter().any(|t| t == a))
            || amr.iter().any(|m| self.amr.iter().any(|t| t == m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn six_digits_are_a_totp_code_with_spaces_ignored() {
        assert_eq!(
            FactorInput::parse(" 123 456 "),
            Ok(FactorInput::Totp("123456".into()))
        );
        assert_eq!(FactorInput::parse("12345"), Err(FactorError::Unreadable));
        assert_eq!(FactorInput::parse("12a456"), Err(FactorError::Unreadable));
        assert_eq!(FactorInput::parse(""), Err(FactorError::Unreadable));
    }

    #[test]
    fn a_code_counts_once() {
        assert!(step_is_fresh(100, None));
        assert!(step_is_fresh(101, Some(100)));
        assert!(!step_is_fresh(100, Some(100)));
        assert!(!step_is_fresh(99, Some(100)));
    }

    #[test]
    fn recovery_codes_hide_in_debug_output() {
        let c = RecoveryCode::from_random([7; 10]);
        assert!(!format!("{c:?}").contains(c.as_str()));
    }

    #[test]
    fn factor_trust_is_off_by_default() {
        let none = FactorTrust::default();
        assert!(!none.counts_as_two_factors(Some("urn:mfa"), &["mfa".into()]));
        let amr = FactorTrust {
            acr: vec![],
            amr: vec!["mfa".into(), "otp".into()],
        };
        assert!(amr.counts_as_two_factors(None, &["pwd".into(), "otp".into()]));
        assert!(!amr.counts_as_two_factors(Some("mfa"), &["pwd".into()]));
        let acr = FactorTrust {
            acr: vec!["http://eidas.europa.eu/LoA/substantial".into()],
            amr: vec![],
        };
        assert!(acr.counts_as_two_factors(Some("http://eidas.europa.eu/LoA/substantial"), &[]));
        assert!(!acr.counts_as_two_factors(Some("http://eidas.europa.eu/LoA/low"), &[]));
    }

    proptest! {
        #[test]
        fn recovery_codes_read_back_however_they_are_typed(bytes: [u8; 10], upper: bool) {
            let code = RecoveryCode::from_random(bytes);
            prop_assert_eq!(code.as_str().len(), RecoveryCode::LEN);
            let shown = code.grouped();
            let typed = if upper { shown.to_ascii_uppercase() } else { shown.replace('-', " ") };
            prop_assert_eq!(FactorInput::parse(&typed), Ok(FactorInput::Recovery(code)));
        }

        #[test]
        fn no_step_is_accepted_twice(steps in proptest::collection::vec(0u64..1000, 1..20)) {
            let mut last = None;
            let mut accepted = std::collections::HashSet::new();
            for s in steps {
                if step_is_fresh(s, last) {
                    prop_assert!(accepted.insert(s), "step {} accepted twice", s);
                    last = Some(s);
                }
            }
        }
    }
}
