//! Account values: user names and passwords.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("a user name is 3 to 64 characters: lower-case letters, digits, '.', '-', '_' or '@'")]
    Username,
    #[error("a password has at least {min} and at most {max} characters", min = Password::MIN, max = Password::MAX)]
    PasswordLength,
    #[error("a password may not be only spaces")]
    PasswordBlank,
    /// A password that is published (the demo's) or was named as refused.
    #[error("this password is published and may not be used")]
    PasswordKnown,
    /// Too easy to guess: a common word, a name, a keyboard row, digits in order.
    #[error("this password is too easy to guess; use a few unrelated words or a longer phrase")]
    PasswordWeak,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Username, UserError> {
        let t = input.trim().to_ascii_lowercase();
        let ok = (3..=64).contains(&t.len())
            && t.chars().all(|c| {
                // '@': an identity provider's e-mail address can be the user name.
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '@')
            });
        if ok {
            Ok(Username(t))
        } else {
            Err(UserError::Username)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The password of every demo account, published in the README: refused for
/// any account outside the demo (see [`PasswordContext::refused`]).
pub const DEMO_PASSWORD: &str = "proefstad-demo-2026";

/// A new password that meets the policy. Its Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// What a new password is checked against besides itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    /// Words of the account (user name, display name): a password built on
    /// them is easier to guess.
    pub user_inputs: &'a [&'a str],
    /// Passwords refused outright, such as the published demo password
    /// outside the demo (compared without case and surrounding spaces).
    pub refused: &'a [&'a str],
}

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 128;
    /// The lowest zxcvbn score accepted (0–4): 3 means "safely unguessable",
    /// about 10^8 guesses or more.
    pub const MIN_SCORE: u8 = 3;

    pub fn parse(input: &str, context: &PasswordContext<'_>) -> Result<Password, UserError> {
        let n = input.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&n) {
            return Err(UserError::PasswordLength);
        }
        if input.trim().is_empty() {
            return Err(UserError::PasswordBlank);
        }
        let normal = input.trim().to_lowercase();
        if context
            .refused
            .iter()
            .any(|r| r.trim().to_lowercase() == normal)
        {
            return Err(UserError::PasswordKnown);
        }
        let estimate = zxcvbn::zxcvbn(input, context.user_inputs);
        if u8::from(estimate.score()) < Self::MIN_SCORE {
            return Err(UserError::PasswordWeak);
        }
        Ok(Password(input.to_owned()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(Username::parse(" Anna.B ").unwrap().as_str(), "anna.b");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("anna b").is_err());
        assert!(Username::parse("ánna").is_err());
        assert_eq!(
            Username::parse("A.Jansen@Gemeente.example")
                .unwrap()
                .as_str(),
            "a.jansen@gemeente.example"
        );
    }

    #[test]
    fn short_or_blank_passwords_are_refused() {
        let none = PasswordContext::default();
        assert_eq!(
            Password::parse("kort", &none),
            Err(UserError::PasswordLength)
        );
        assert_eq!(
            Password::parse(&" ".repeat(14), &none),
            Err(UserError::PasswordBlank)
        );
        assert!(Password::parse("een lang genoeg wachtwoord", &none).is_ok());
    }

    #[test]
    fn guessable_passwords_are_refused_however_long() {
        let none = PasswordContext::default();
        for weak in [
            "12345678901234",
            "wachtwoord1234",
            "passwordpassword",
            "qwertyuiopasdf",
            "aaaaaaaaaaaaaaaa",
            "Welkom01Welkom01",
        ] {
            assert_eq!(
                Password::parse(weak, &none),
                Err(UserError::PasswordWeak),
                "{weak}"
            );
        }
        // Among them the passwords the test suites and the browser suite choose.
        for strong in [
            "paard-batterij-nietje-correct",
            "mijn-eigen-nieuwe-wachtwoord",
            "een-lang-genoeg-wachtwoord",
            "tijdelijk-voor-de-makelaar",
            "mijn-eigen-wachtwoord-2026",
        ] {
            assert!(Password::parse(strong, &none).is_ok(), "{strong}");
        }
    }

    #[test]
    fn a_refused_password_is_refused_in_any_case() {
        let demo = PasswordContext {
            user_inputs: &[],
            refused: &["proefstad-demo-2026"],
        };
        assert_eq!(
            Password::parse(" Proefstad-Demo-2026", &demo),
            Err(UserError::PasswordKnown)
        );
        assert!(Password::parse("proefstad-demo-2026", &PasswordContext::default()).is_ok());
    }

    #[test]
    fn a_password_made_of_the_account_name_is_weak() {
        let anna = PasswordContext {
            user_inputs: &["annabeldevries", "Annabel de Vries"],
            refused: &[],
        };
        assert_eq!(
            Password::parse("annabeldevries1", &anna),
            Err(UserError::PasswordWeak)
        );
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("geheim-geheim-geheim-vijf", &PasswordContext::default()).unwrap();
        assert!(!format!("{p:?}").contains("geheim"));
    }

    proptest::proptest! {
        #[test]
        fn a_password_that_parses_is_within_the_length_limits(s in "\\PC{0,140}") {
            if let Ok(p) = Password::parse(&s, &PasswordContext::default()) {
                let n = p.expose().chars().count();
                proptest::prop_assert!((Password::MIN..=Password::MAX).contains(&n));
            }
        }
    }
}
