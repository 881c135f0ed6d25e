//! Casework — *1 huishouden, 1 plan, 1 contactpersoon*: signals, the
//! kitchen-table conversation, one plan per household on the ladder, referrals
//! with a team lead's mandate, evaluation, and the bakens figures.
//!
//! Every rule of PRODUCT.md's "rules the system holds" lives here as a method
//! that returns a typed error; the store persists what these types allow and the
//! web layer explains the errors in Dutch.

pub mod bakens;
pub mod conversation;
pub mod plan;
pub mod signal;

pub use conversation::{
    Consent, Conversation, ConversationError, LifeDomain, NetworkMember, ScoreEntry, Scores,
    UnderlyingNeed,
};
pub use plan::{
    Agreement, AgreementActor, Evaluation, Goal, GoalOutcome, HouseholdCase, Justification,
    NewAgreement, NewGoal, Plan, PlanError, PlanFlag, PlanStatus, Referral, ReferralError,
    ReferralStatus, Term,
};
pub use signal::{
    add_working_days, ContactMethod, ResponseNorms, SignalCategory, SignalError, SignalState,
    Urgency,
};

/// A non-empty, trimmed free text of at most `max` characters.
pub(crate) fn clean_text(input: &str, max: usize) -> Option<String> {
    let t = input.trim();
    if t.is_empty() || t.chars().count() > max {
        None
    } else {
        Some(t.to_owned())
    }
}
