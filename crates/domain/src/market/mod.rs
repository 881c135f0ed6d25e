//! The buurtmarktplaats (BUUV): residents asking and offering help, and the
//! makelaars who do it for those who cannot or will not go online.
//!
//! What is deliberately absent: no tracking of what neighbours do for each
//! other after a match ("geen controlerende overheid"), and no time-bank ledger
//! ("niet voor wat hoort wat"). A match ends at "closed"; nothing counts hours.
//!
//! - [`participant`]: who takes part — an account of their own (with a verified
//!   e-mail address) or a *proxy participant* a makelaar registered, optionally
//!   anonymous to others.
//! - [`listing`]: an ask or an offer, its category, text, area, time, urgency,
//!   and whether it is a group listing others can join.
//! - [`matching`]: a match's states, proposed → accepted → contact shared →
//!   closed, and when contact details may be seen.
//! - [`norm`]: the response norm for urgent asks, in working days (the
//!   signals' working-day rules).
//! - [`suggest`]: which listings fit a listing, and why.
//! - [`moderation`]: reports, and a makelaar's hide/warn/block with a reason.
//! - [`retention`]: how long messages and closed listings are kept.
//! - [`bridge`]: casework pointing to the marketplace, and an ask too big for
//!   neighbours becoming a signal for the wijkteam.

pub mod bridge;
pub mod figures;
pub mod listing;
pub mod matching;
pub mod moderation;
pub mod norm;
pub mod participant;
pub mod retention;
pub mod suggest;

pub use bridge::{BridgeError, BridgeNote, ConsentWay, SignalText};
pub use listing::{
    may_take_another, places, state_after_accept, Area, CategoryName, Direction, GroupSize,
    Listing, ListingError, ListingState, ListingText, ListingTitle, NewListing, PartOfDay,
    Recurrence,
};
pub use matching::{Match, MatchError, MatchState, Side};
pub use moderation::{ModerationAction, ModerationError, ModerationReason};
pub use norm::{MarketNorm, NormError};
pub use participant::{
    DisplayName, Participant, ParticipantError, ParticipantKind, PhoneNumber, ANONYMOUS_NAME,
};
pub use retention::{RetentionError, RetentionPeriod};
pub use suggest::{fit, suggest, weights, Candidate, Fit, Neighbours, Reason};
