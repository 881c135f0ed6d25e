//! A match between an ask and an offer: proposed → accepted → contact shared →
//! closed (or declined). What happens after that is the neighbours' own: there
//! is no state after "closed", and nothing records hours or favours.
//!
//! Contact details (e-mail, phone) are visible to the other side only in
//! [`MatchState::ContactShared`], which needs both sides' consent after the
//! match was accepted. Until then the two talk through messages in Baken.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    #[error("a match is accepted by the other side, not by the side that proposed it")]
    OwnProposal,
    #[error("this match is {0} and cannot change that way")]
    WrongState(&'static str),
    #[error("unknown match state '{0}'")]
    UnknownState(&'static str),
}

/// The two sides of a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Side {
    /// The participant who asked.
    Ask,
    /// The participant who offered.
    Offer,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Ask => Side::Offer,
            Side::Offer => Side::Ask,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Ask => "vraag",
            Side::Offer => "aanbod",
        }
    }
    pub fn parse(code: &str) -> Option<Side> {
        [Side::Ask, Side::Offer]
            .into_iter()
            .find(|s| s.as_str() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum MatchState {
    Proposed,
    Accepted,
    ContactShared,
    Closed,
    Declined,
}

impl MatchState {
    pub const ALL: [MatchState; 5] = [
        MatchState::Proposed,
        MatchState::Accepted,
        MatchState::ContactShared,
        MatchState::Closed,
        MatchState::Declined,
    ];

    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchState::Proposed => "voorgesteld",
            MatchState::Accepted => "geaccepteerd",
            MatchState::ContactShared => "contact_gedeeld",
            MatchState::Closed => "afgesloten",
            MatchState::Declined => "afgewezen",
        }
    }

    /// The Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            MatchState::Proposed => "Voorgesteld",
            MatchState::Accepted => "Geaccepteerd",
            MatchState::ContactShared => "Contactgegevens gedeeld",
            MatchState::Closed => "Afgesloten",
            MatchState::Declined => "Afgewezen",
        }
    }

    pub fn parse(code: &str) -> Option<MatchState> {
        MatchState::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// Does this match hold a place on its listings?
    pub fn holds_a_place(self) -> bool {
        matches!(self, MatchState::Accepted | MatchState::ContactShared)
    }

    fn is_final(self) -> bool {
        matches!(self, MatchState::Closed | MatchState::Declined)
    }
}

/// A match's state and the two consents to share contact details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Match {
    state: MatchState,
    proposed_by: Side,
    ask_agrees: bool,
    offer_agrees: bool,
}

impl Match {
    /// A new match, proposed by one side (or a makelaar for them).
    pub fn propose(by: Side) -> Match {
        Match {
            state: MatchState::Proposed,
            proposed_by: by,
            ask_agrees: false,
            offer_agrees: false,
        }
    }

    /// A match as stored. Consents before acceptance cannot exist, and
    /// "contact shared" needs both.
    pub fn from_parts(
        state: MatchState,
        proposed_by: Side,
        ask_agrees: bool,
        offer_agrees: bool,
    ) -> Result<Match, MatchError> {
        let consents_fit = match state {
            MatchState::Proposed | MatchState::Declined => !ask_agrees && !offer_agrees,
            MatchState::Accepted => !(ask_agrees && offer_agrees),
            MatchState::ContactShared => ask_agrees && offer_agrees,
            MatchState::Closed => true,
        };
        if !consents_fit {
            return Err(MatchError::UnknownState(state.as_str()));
        }
        Ok(Match {
            state,
            proposed_by,
            ask_agrees,
            offer_agrees,
        })
    }

    pub fn state(&self) -> MatchState {
        self.state
    }
    pub fn proposed_by(&self) -> Side {
        self.proposed_by
    }
    pub fn agrees(&self, side: Side) -> bool {
        match side {
            Side::Ask => self.ask_agrees,
            Side::Offer => self.offer_agrees,
        }
    }

    fn refuse(&self) -> MatchError {
        MatchError::WrongState(self.state.as_str())
    }

    /// The other side accepts the proposal.
    pub fn accept(&mut self, by: Side) -> Result<(), MatchError> {
        if self.state != MatchState::Proposed {
            return Err(self.refuse());
        }
        if by == self.proposed_by {
            return Err(MatchError::OwnProposal);
        }
        self.state = MatchState::Accepted;
        Ok(())
    }

    /// The other side says no; the match ends.
    pub fn decline(&mut self, by: Side) -> Result<(), MatchError> {
        if self.state != MatchState::Proposed {
            return Err(self.refuse());
        }
        if by == self.proposed_by {
            return Err(MatchError::OwnProposal);
        }
        self.state = MatchState::Declined;
        Ok(())
    }

    /// One side agrees to share their contact details; when both have, they are shared.
    pub fn agree_to_share(&mut self, side: Side) -> Result<(), MatchError> {
        if self.state != MatchState::Accepted {
            return Err(self.refuse());
        }
        match side {
            Side::Ask => self.ask_agrees = true,
            Side::Offer => self.offer_agrees = true,
        }
        if self.ask_agrees && self.offer_agrees {
            self.state = MatchState::ContactShared;
        }
        Ok(())
    }

    /// Either side (or the makelaar) closes the match; a proposal can be withdrawn this way too.
    pub fn close(&mut self) -> Result<(), MatchError> {
        if self.state.is_final() {
            return Err(self.refuse());
        }
        self.state = MatchState::Closed;
        Ok(())
    }

    /// May each side see the other's e-mail address and phone number?
    pub fn contact_visible(&self) -> bool {
        self.state == MatchState::ContactShared
    }

    /// May the two still send each other messages?
    pub fn may_message(&self) -> bool {
        !self.state.is_final()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_proposer_cannot_accept_their_own_proposal() {
        let mut m = Match::propose(Side::Offer);
        assert_eq!(m.accept(Side::Offer), Err(MatchError::OwnProposal));
        assert_eq!(m.accept(Side::Ask), Ok(()));
        assert_eq!(m.state(), MatchState::Accepted);
    }

    #[test]
    fn contact_is_shared_only_when_both_agree() {
        let mut m = Match::propose(Side::Ask);
        assert!(m.agree_to_share(Side::Ask).is_err(), "not before accepting");
        m.accept(Side::Offer).unwrap();
        m.agree_to_share(Side::Ask).unwrap();
        assert!(!m.contact_visible());
        m.agree_to_share(Side::Offer).unwrap();
        assert!(m.contact_visible());
        m.close().unwrap();
        assert!(!m.contact_visible(), "closed: no longer shown");
        assert!(m.close().is_err());
    }

    #[test]
    fn stored_consents_must_fit_the_state() {
        assert!(Match::from_parts(MatchState::Proposed, Side::Ask, true, false).is_err());
        assert!(Match::from_parts(MatchState::ContactShared, Side::Ask, true, false).is_err());
        assert!(Match::from_parts(MatchState::ContactShared, Side::Ask, true, true).is_ok());
    }

    #[derive(Debug, Clone, Copy)]
    enum Op {
        Accept(Side),
        Decline(Side),
        Agree(Side),
        Close,
    }

    fn side() -> impl Strategy<Value = Side> {
        prop_oneof![Just(Side::Ask), Just(Side::Offer)]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            side().prop_map(Op::Accept),
            side().prop_map(Op::Decline),
            side().prop_map(Op::Agree),
            Just(Op::Close),
        ]
    }

    proptest! {
        #[test]
        fn states_only_move_forward_and_contact_needs_both_consents(
            by in side(), ops in proptest::collection::vec(op(), 0..20)
        ) {
            let mut m = Match::propose(by);
            let mut agreed = (false, false);
            let mut accepted = false;
            for o in ops {
                let before = m;
                let result = match o {
                    Op::Accept(s) => m.accept(s),
                    Op::Decline(s) => m.decline(s),
                    Op::Agree(s) => m.agree_to_share(s),
                    Op::Close => m.close(),
                };
                if result.is_err() {
                    prop_assert_eq!(m, before, "a refused step changes nothing");
                    continue;
                }
                // Never back: closed/declined are final, and states only grow.
                prop_assert!(!before.state.is_final());
                prop_assert!(m.state >= before.state);
                if let Op::Accept(s) = o {
                    prop_assert_ne!(s, by);
                    accepted = true;
                }
                if let Op::Agree(s) = o {
                    match s { Side::Ask => agreed.0 = true, Side::Offer => agreed.1 = true }
                }
                if m.contact_visible() {
                    prop_assert!(accepted && agreed.0 && agreed.1);
                }
                // What the store would keep can be read back.
                prop_assert_eq!(
                    Match::from_parts(m.state, m.proposed_by, m.ask_agrees, m.offer_agrees),
                    Ok(m)
                );
            }
        }
    }
}
