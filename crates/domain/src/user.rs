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

/// A new password that meets the policy. Its Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN: usize = 12;
    pub const MAX: usize = 128;

    pub fn parse(input: &str) -> Result<Password, UserError> {
        let n = input.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&n) {
            return Err(UserError::PasswordLength);
        }
        if input.trim().is_empty() {
            return Err(UserError::PasswordBlank);
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
        assert_eq!(Password::parse("kort"), Err(UserError::PasswordLength));
        assert_eq!(
            Password::parse(&" ".repeat(14)),
            Err(UserError::PasswordBlank)
        );
        assert!(Password::parse("een lang genoeg wachtwoord").is_ok());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("geheim-geheim-geheim").unwrap();
        assert!(!format!("{p:?}").contains("geheim"));
    }
}
