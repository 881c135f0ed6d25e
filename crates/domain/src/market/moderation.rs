//! Moderation: a participant reports a listing or message; a makelaar hides
//! it, warns its author, blocks them, or dismisses the report — always with a
//! reason, which is audited.

use crate::coded::coded_enum;
use crate::text::check_text;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModerationError {
    #[error("unknown moderation action '{0}'")]
    Action(String),
    #[error("a reason has 5 to 1000 characters")]
    Reason,
}

coded_enum!(
    /// What a makelaar does with a report.
    ModerationAction, ModerationError::Action, {
    Hide => ("verbergen", "Verbergen"),
    Warn => ("waarschuwen", "Waarschuwen"),
    Block => ("blokkeren", "Blokkeren"),
    Dismiss => ("afwijzen", "Melding afwijzen"),
});

impl ModerationAction {
    /// Does the action take the listing or message out of sight?
    pub fn hides(self) -> bool {
        matches!(self, ModerationAction::Hide | ModerationAction::Block)
    }
}

/// Why: 5–1000 characters. A report's reason and a makelaar's alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModerationReason(String);

impl ModerationReason {
    pub fn parse(input: &str) -> Result<ModerationReason, ModerationError> {
        let t = input.trim();
        let n = t.chars().count();
        if !(5..=1000).contains(&n) || check_text(t).is_err() {
            return Err(ModerationError::Reason);
        }
        Ok(ModerationReason(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required() {
        assert_eq!(ModerationReason::parse("  "), Err(ModerationError::Reason));
        assert!(ModerationReason::parse("Reclame voor een bedrijf").is_ok());
    }

    #[test]
    fn blocking_hides_and_warning_does_not() {
        assert!(ModerationAction::Block.hides());
        assert!(!ModerationAction::Warn.hides());
        assert_eq!(
            ModerationAction::parse("blokkeren"),
            Ok(ModerationAction::Block)
        );
    }
}
