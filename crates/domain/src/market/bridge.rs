//! Bridges between the buurtmarktplaats and casework, both ways, and never
//! more than a pointer:
//! - a generalist points a household to an ask or offer (with the resident's
//!   consent), and may record a step-2 agreement (sociaal netwerk) that refers
//!   to a match the household made — it counts in baken 4 as informal help and
//!   is never followed further ("geen controlerende overheid");
//! - a makelaar turns an ask that is "te groot voor de buurtmarktplaats" into
//!   a signal for the wijkteam, with the participant's consent.

use super::listing::Direction;
use super::matching::MatchState;
use crate::coded::coded_enum;
use crate::ladder::LadderStep;
use crate::text::check_text;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BridgeError {
    #[error("unknown way of consent '{0}'")]
    Consent(String),
    #[error("the consent of the person is required")]
    NoConsent,
    #[error("a note has 5 to 1000 characters")]
    Note,
    #[error("a description for the wijkteam has 10 to 2000 characters")]
    Description,
    #[error("only an ask can become a signal, not an offer")]
    NotAnAsk,
    #[error("only an open ask can become a signal")]
    NotOpen,
    #[error("this ask already became a signal")]
    AlreadySignalled,
    #[error("an agreement refers to a match only on step 2 (sociaal netwerk)")]
    NotStepTwo,
    #[error("an agreement refers only to a match both sides accepted")]
    NotAccepted,
}

coded_enum!(
    /// How the person gave their consent.
    ConsentWay, BridgeError::Consent, {
    Phone => ("telefonisch", "Telefonisch"),
    InPerson => ("persoonlijk", "In een gesprek"),
    Message => ("bericht", "In een bericht"),
});

/// A short free text: why the generalist points to a listing, 5–1000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeNote(String);

impl BridgeNote {
    pub fn parse(input: &str) -> Result<BridgeNote, BridgeError> {
        let t = input.trim();
        if !(5..=1000).contains(&t.chars().count()) || check_text(t).is_err() {
            return Err(BridgeError::Note);
        }
        Ok(BridgeNote(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the wijkteam reads in the signal: 10–2000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalText(String);

impl SignalText {
    pub fn parse(input: &str) -> Result<SignalText, BridgeError> {
        let t = input.trim();
        if !(10..=2000).contains(&t.chars().count()) || check_text(t).is_err() {
            return Err(BridgeError::Description);
        }
        Ok(SignalText(t.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Consent as the form gives it: a way, or nothing (refused).
pub fn consent(way: Option<&str>) -> Result<ConsentWay, BridgeError> {
    match way.map(str::trim).filter(|w| !w.is_empty()) {
        None => Err(BridgeError::NoConsent),
        Some(w) => ConsentWay::parse(w),
    }
}

/// May this listing become a signal? Only an open ask, once.
pub fn may_escalate(
    direction: Direction,
    open: bool,
    already_signalled: bool,
) -> Result<(), BridgeError> {
    if direction != Direction::Ask {
        return Err(BridgeError::NotAnAsk);
    }
    if already_signalled {
        return Err(BridgeError::AlreadySignalled);
    }
    if !open {
        return Err(BridgeError::NotOpen);
    }
    Ok(())
}

/// May an agreement on `step` refer to a match in `state`? Only a step-2
/// agreement (the network, neighbours), and only a match both sides accepted.
pub fn may_refer(step: LadderStep, state: MatchState) -> Result<(), BridgeError> {
    if step.value() != 2 {
        return Err(BridgeError::NotStepTwo);
    }
    if !referable(state) {
        return Err(BridgeError::NotAccepted);
    }
    Ok(())
}

/// A match an agreement may refer to: one both sides accepted (also after it
/// closed), never one still proposed or declined.
pub fn referable(state: MatchState) -> bool {
    match state {
        MatchState::Accepted | MatchState::ContactShared | MatchState::Closed => true,
        MatchState::Proposed | MatchState::Declined => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn consent_is_required_and_named() {
        assert_eq!(consent(None), Err(BridgeError::NoConsent));
        assert_eq!(consent(Some(" ")), Err(BridgeError::NoConsent));
        assert_eq!(consent(Some("telefonisch")), Ok(ConsentWay::Phone));
        assert!(consent(Some("misschien")).is_err());
    }

    #[test]
    fn only_an_open_ask_becomes_a_signal_once() {
        assert_eq!(may_escalate(Direction::Ask, true, false), Ok(()));
        assert_eq!(
            may_escalate(Direction::Offer, true, false),
            Err(BridgeError::NotAnAsk)
        );
        assert_eq!(
            may_escalate(Direction::Ask, false, false),
            Err(BridgeError::NotOpen)
        );
        assert_eq!(
            may_escalate(Direction::Ask, true, true),
            Err(BridgeError::AlreadySignalled)
        );
    }

    proptest! {
        #[test]
        fn only_step_two_refers_to_an_accepted_match(step in 1u8..=5, s in 0usize..5) {
            let state = MatchState::ALL[s];
            let accepted = matches!(state, MatchState::Accepted | MatchState::ContactShared | MatchState::Closed);
            let ok = may_refer(LadderStep::new(step).unwrap(), state).is_ok();
            prop_assert_eq!(ok, step == 2 && accepted);
        }

        #[test]
        fn a_signal_text_is_kept_trimmed_or_refused(s in "\\PC{0,2100}") {
            match SignalText::parse(&s) {
                Ok(t) => {
                    prop_assert_eq!(t.as_str(), s.trim());
                    prop_assert!((10..=2000).contains(&t.as_str().chars().count()));
                }
                Err(e) => prop_assert_eq!(e, BridgeError::Description),
            }
        }
    }
}
