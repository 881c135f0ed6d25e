//! Baken's domain: the types that carry rules, and the rules themselves.
//!
//! Architecture invariant: this crate does no I/O. No database, no HTTP, no clock
//! and no randomness it was not handed. Every rule is a function of values, so it
//! is tested with plain values and property tests.

pub mod access;
pub mod address;
pub mod audit;
pub mod audit_checkpoint;
pub mod bsn;
pub mod care_figures;
pub mod carers;
pub mod casework;
pub mod cell_key;
mod coded;
pub mod codes;
pub mod commissioning;
pub mod contact;
pub mod contracting;
pub mod gaps;
pub mod kaart;
pub mod ladder;
pub mod market;
pub mod monitoring;
pub mod notification;
pub mod period;
pub mod protect;
pub mod provider;
pub mod second_factor;
pub mod survey;
pub mod text;
pub mod user;
pub mod volunteering;

pub use access::{HouseholdScope, Link, LinkError, Permission, Role};
pub use address::{Addition, HouseLetter, HouseNumber, Postcode};
pub use audit::{AuditAction, AuditEntry, AuditOutcome, ChainBreak};
pub use bsn::Bsn;
pub use codes::{DistrictCode, MunicipalityCode, NeighbourhoodCode};
pub use contact::{PhoneError, PhoneNumber};
pub use ladder::{LadderStep, ParticipationRung, SelfRelianceScore, SupportForm};
pub use notification::{EmailAddress, NotificationKind};
pub use provider::{ProviderDetails, ProviderName, ProviderSector};
pub use user::{Password, PasswordContext, Username};
