//! Commissioning: products, contracts and tariffs, the licence to operate
//! (bestuurlijk aanbesteden), the toewijzing that a resident's choice creates,
//! and the team mandate.
//!
//! The rules here decide, from values alone, *who may be offered* for a product
//! on a date ([`may_offer`]), whether a referral is *within a team's mandate*
//! ([`TeamMandate::decide`]), and what a toewijzing must hold for its product's
//! execution variant ([`Toewijzing::new`]). Codes follow iWmo 3.2 (WMO020, WJ756,
//! WMO757, WMO588, WMO002).

mod contract;
mod licence;
mod mandate;
mod product;
mod referral;
mod toewijzing;

pub use contract::{Cents, CentsError, Contract, ContractError, Requirement, Tariff};
pub use licence::{
    add_working_days, may_offer, DocumentKind, Evidence, EvidenceFile, Licence, LicenceApplication,
    LicenceError, LicenceStatus, NotOffered, MAX_DOCUMENT_BYTES, RENEWAL_NOTICE_DAYS,
};
pub use mandate::{MandateDecision, MandateReason, TeamMandate};
pub use product::{
    ExecutionVariant, Frequency, Product, ProductCategory, ProductCode, ProductError, Unit,
};
pub use referral::{ReferralCare, ReferralCareError, MAATWERK, OTHER_CARE};
pub use toewijzing::{
    yearly_cost, ChangeReason, Scope, StopReason, Toewijzing, ToewijzingError, ToewijzingNumber,
};

/// A short code that is not one of its list's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{list} code must be one of {allowed}; got '{input}'")]
pub struct UnknownCode {
    pub list: &'static str,
    pub allowed: String,
    pub input: String,
}

/// Parses `input` as one of `codes` (a list of `(code, value)` pairs).
fn from_list<T: Copy>(
    list: &'static str,
    codes: &[(&'static str, T)],
    input: &str,
) -> Result<T, UnknownCode> {
    let trimmed = input.trim();
    codes
        .iter()
        .find(|(code, _)| *code == trimmed)
        .map(|(_, value)| *value)
        .ok_or_else(|| UnknownCode {
            list,
            allowed: codes.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "),
            input: trimmed.chars().take(20).collect(),
        })
}
