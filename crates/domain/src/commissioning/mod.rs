//! Commissioning on results (opdrachtgeverschap en resultaatsturing): the
//! municipality's social agenda and its goals, commissions to providers, the
//! indicators a commission is judged on, the payment rule over their
//! attainment, and the case-mix adjustment that keeps a provider from gaining
//! by taking only the easy cases.
//!
//! Everything here is a function of values: the store hands in what Baken
//! measured, the web layer shows what these rules return.
//!
//! The sources: seed 001 ("de gemeenten sturen niet op activiteitenniveau";
//! the provider's year plan, budget and work plan; accounting for the social
//! effect), seed 002 (baken 7: a healthy mix of short-term effect indicators
//! and long-term end outcomes, the residents' judgement; an
//! inspanningsverplichting alone is "te vrijblijvend"; beware incentives that
//! lead to "selectieve concurrentie") and seed 004 (Rotterdam-Centrum pays its
//! main contractor for an agreed rise in volunteers; the steering models
//! partnerschap, regisseur, producer).

mod agenda;
mod casemix;
mod indicator;
mod payment;

pub use agenda::{
    AgendaGoal, Baken, Commission, CommissionError, CommissionKind, CommissionVariant,
    SteeringModel,
};
pub use casemix::{CaseOutcome, ExpectedChange, StartBand};
pub use indicator::{
    definition_changes, Cadence, ComputedMeasure, DataStatus, Direction, Hundredths,
    HundredthsError, Indicator, IndicatorError, IndicatorKind, IndicatorRole, IndicatorSource,
    Reading, ACTIVITY_COUNT_REASON,
};
pub use payment::{
    advance_plan, advance_schedule, attainment_bp, BasisLine, Payment, PaymentError, PaymentRule,
    ResultTerm, Settlement,
};

/// Basis points: 10 000 is 100 %.
pub const FULL_BP: i64 = 10_000;
