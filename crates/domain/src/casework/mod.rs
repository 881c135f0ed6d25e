//! Casework — *1 huishouden, 1 plan, 1 contactpersoon*: signals, the
//! kitchen-table conversation, one plan per household on the ladder, referrals
//! with a team lead's mandate, evaluation, and the bakens figures.
//!
//! Every rule of PRODUCT.md's "rules the system holds" lives here as a method
//! that returns a typed error; the store persists what these types allow and the
//! web layer explains the errors in Dutch.

pub mod bakens;
pub mod conference;
pub mod conversation;
pub mod disclosure;
pub mod plan;
pub mod sharing;
pub mod signal;
pub mod timeline;

pub use conference::{family_plan, ConferenceError, ConferenceRequest, FamilyPlanRow, Invitee};
pub use conversation::{
    Consent, Conversation, ConversationError, LifeDomain, NetworkMember, ScoreEntry, Scores,
    UnderlyingNeed,
};
pub use plan::{
    Agreement, AgreementActor, AgreementDecision, Evaluation, Goal, GoalOutcome, GoalResult,
    HandOverBy, HouseholdCase, Justification, NewAgreement, NewGoal, Plan, PlanError, PlanFlag,
    PlanStatus, Referral, ReferralError, ReferralStatus, RestoreError, SignalRouting,
    StoredAgreement, StoredGoal, StoredPlan, StoredReferral, Term, WITHIN_MANDATE_NOTE,
};
pub use sharing::{
    provider_view, ConsentPurpose, Grant, ProviderView, PurposeDraft, PurposeError, SharedAgreement,
};
pub use signal::{
    add_working_days, ContactMethod, NormsError, ResponseNorms, SignalCategory, SignalClosure,
    SignalError, SignalStage, SignalState, TriagePriority, Urgency,
};

pub use timeline::{
    timeline_for, AgreementReport, ContactKind, ContactMoment, ContactMomentError, EventKind,
    ReportError, ReportKind, TimelineEntry, Viewer,
};

use chrono::NaiveDate;

/// How long after the fact a conversation, a plan's start or a signal that
/// came in by phone may still be recorded. Late registration happens (a busy
/// week, notes from a home visit typed up later), but a date more than half a
/// year back is more likely a typing error than a late entry; older history
/// belongs in a migration, not in a form.
pub const RECORDING_WINDOW_DAYS: i64 = 183;

/// Why a date cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("the date lies in the future; only what has happened can be recorded")]
    InFuture,
    #[error("the date lies more than {RECORDING_WINDOW_DAYS} days back")]
    TooLongAgo,
}

/// Something that happened on `on` may be recorded on `today`: not later than
/// today, and not more than [`RECORDING_WINDOW_DAYS`] back.
pub fn check_recorded(on: NaiveDate, today: NaiveDate) -> Result<(), DateError> {
    not_in_future(on, today)?;
    if (today - on).num_days() > RECORDING_WINDOW_DAYS {
        return Err(DateError::TooLongAgo);
    }
    Ok(())
}

/// Something that happened on `on` is not in the future (its lower bound is
/// another fact: the signal, the plan's start).
pub fn not_in_future(on: NaiveDate, today: NaiveDate) -> Result<(), DateError> {
    if on > today {
        Err(DateError::InFuture)
    } else {
        Ok(())
    }
}

/// A non-empty, trimmed free text of at most `max` characters.
pub(crate) fn clean_text(input: &str, max: usize) -> Option<String> {
    let t = input.trim();
    if t.is_empty() || t.chars().count() > max {
        None
    } else {
        Some(t.to_owned())
    }
}
