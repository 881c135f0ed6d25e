//! One plan per household: goals, agreements on the ladder, referrals with a
//! team lead's mandate, evaluation and closure.
//!
//! The rules of the Kanteling hold here and nowhere else:
//! - one open plan and one coordinating generalist per household
//!   ([`HouseholdCase`]);
//! - an agreement on step 4 or 5 records why each lighter step does not suffice
//!   ([`Justification`]);
//! - an agreement on step 5 rests on a referral of the *same plan* that a team
//!   lead approved ([`Referral`], owned by the [`Plan`]);
//! - every professional agreement has an end or evaluation date, and a plan with
//!   an agreement past that date without evaluation is flagged ([`Plan::flags`]);
//!   an evaluation can continue an agreement to a new date, or end it;
//! - a plan closes only when every agreement has ended;
//! - nothing that happened is recorded with a date in the future.
//!
//! Every field that carries a rule is private: a plan changes only through its
//! methods, and a plan read back from storage goes through
//! [`HouseholdCase::from_stored`], which checks every rule again and names the
//! first one stored data breaks ([`RestoreError`]).

use super::clean_text;
use super::conversation::LifeDomain;
use super::signal::SignalError;
use super::{check_recorded, not_in_future, DateError};
use crate::access::Role;
use crate::coded::coded_enum;
use crate::contracting::MandateDecision;
use crate::ladder::{LadderStep, SupportForm};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Why a change to a plan was refused. The web layer explains each in Dutch,
/// next to the field it concerns ([`PlanError::field`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the household already has an open plan")]
    PlanAlreadyOpen,
    #[error("the household has no coordinating generalist")]
    NoCoordinator,
    #[error("the household already has a coordinating generalist ({0})")]
    CoordinatorAlreadySet(i64),
    #[error("the plan is closed")]
    PlanClosed,
    #[error("goal {0} is not part of this plan")]
    UnknownGoal(i64),
    #[error("agreement {0} is not part of this plan")]
    UnknownAgreement(i64),
    #[error("the text of {0} is empty or too long")]
    Text(&'static str),
    #[error("step {step} needs a reason why lighter step {missing} does not suffice")]
    JustificationMissing { step: u8, missing: u8 },
    #[error("step 5 needs a referral of this plan approved by a team lead")]
    ReferralNotApproved,
    #[error("a professional agreement needs an end or evaluation date")]
    EndDateMissing,
    #[error("the end or evaluation date lies before the start")]
    EndBeforeStart,
    #[error("the target date lies before the plan was opened")]
    TargetBeforeOpening,
    #[error("{0} agreements have not ended yet")]
    AgreementsRunning(usize),
    #[error("the agreement has already ended")]
    AgreementEnded,
    #[error("withdrawing an agreement needs a reason of at most 1000 characters")]
    WithdrawalWithoutReason,
    #[error("only the team lead or the household's contact person may hand the household over")]
    HandOverNotAllowed,
    #[error("generalist {0} already is the household's contact person")]
    HandOverToContactPerson(i64),
    #[error("the date lies before the plan was opened")]
    DateBeforeOpening,
    #[error("the date lies before the agreement started")]
    BeforeAgreementStart,
    #[error(
        "only a service from the social map or a specialist provider is carried out by a provider"
    )]
    ProviderNotActor,
    #[error("the household's contact person is {contact_person}; giving the signal to someone else hands the household over and needs a reason")]
    HandOverWithoutReason { contact_person: i64 },
    #[error(transparent)]
    Date(#[from] DateError),
}

impl PlanError {
    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            PlanError::JustificationMissing { .. } => "rechtvaardiging",
            PlanError::ReferralNotApproved => "verwijzing",
            PlanError::EndDateMissing | PlanError::EndBeforeStart => "einddatum",
            PlanError::TargetBeforeOpening => "streefdatum",
            PlanError::UnknownGoal(_) => "doel",
            PlanError::Text(f) => f,
            PlanError::AgreementsRunning(_) => "reden",
            PlanError::CoordinatorAlreadySet(_) | PlanError::NoCoordinator => "generalist",
            PlanError::HandOverWithoutReason { .. } => "overdracht",
            PlanError::WithdrawalWithoutReason => "vervallen",
            PlanError::HandOverNotAllowed | PlanError::HandOverToContactPerson(_) => "generalist",
            PlanError::ProviderNotActor => "aanbieder",
            PlanError::Date(_) | PlanError::DateBeforeOpening | PlanError::BeforeAgreementStart => {
                "datum"
            }
            _ => "plan",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    #[error("only a team lead may decide on a referral")]
    NotTeamLead,
    #[error("the referral was already decided")]
    AlreadyDecided,
    #[error("a rejection needs a reason")]
    ReasonMissing,
    #[error("the referral needs a description of the care asked for")]
    Description,
    #[error("referral {0} is not part of this plan")]
    Unknown(i64),
    #[error("the plan is closed")]
    PlanClosed,
    #[error("the decision cannot predate the request")]
    BeforeRequest,
    /// Approval without a team lead was asked for a referral outside the
    /// team's mandate.
    #[error("the referral is outside the team's mandate")]
    OutsideMandate,
    /// The product a referral for maatwerk names does not exist.
    #[error("product {0} does not exist")]
    UnknownProduct(i64),
    #[error(transparent)]
    Date(#[from] DateError),
}

coded_enum!(
    /// Who acts in an agreement.
    AgreementActor, SignalError::Unknown, {
    Resident => ("inwoner", "De inwoner zelf"),
    NetworkMember => ("netwerk", "Iemand uit het netwerk"),
    Volunteer => ("vrijwilliger", "Een vrijwilliger"),
    SocialMapService => ("voorziening", "Een voorziening uit de sociale kaart"),
    Generalist => ("generalist", "De generalist"),
    SpecialistProvider => ("specialist", "Een specialistische aanbieder"),
});

impl AgreementActor {
    /// Professionals: their help must end or be evaluated by a date.
    pub fn is_professional(self) -> bool {
        matches!(
            self,
            AgreementActor::Generalist | AgreementActor::SpecialistProvider
        )
    }

    /// May a provider (an organisation on the social map) carry this out?
    pub fn may_be_provider(self) -> bool {
        matches!(
            self,
            AgreementActor::SocialMapService | AgreementActor::SpecialistProvider
        )
    }
}

coded_enum!(
    /// Short or long term.
    Term, SignalError::Unknown, {
    Short => ("kort", "Korte termijn"),
    Long => ("lang", "Lange termijn"),
});

coded_enum!(
    /// The result of a goal at evaluation.
    GoalOutcome, SignalError::Unknown, {
    Achieved => ("behaald", "Behaald"),
    Partly => ("deels", "Deels behaald"),
    NotAchieved => ("niet", "Niet behaald"),
});

impl From<SignalError> for PlanError {
    fn from(_: SignalError) -> Self {
        PlanError::Text("keuze")
    }
}

/// For an agreement on step 4 or 5: why each lighter step does not suffice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Justification(BTreeMap<u8, String>);

impl Justification {
    /// Reasons keyed by lighter step; empty reasons are dropped, so a form with
    /// blank fields gives a justification that covers nothing.
    pub fn new(reasons: impl IntoIterator<Item = (LadderStep, String)>) -> Justification {
        Justification(
            reasons
                .into_iter()
                .filter_map(|(s, r)| clean_text(&r, 2000).map(|r| (s.value(), r)))
                .collect(),
        )
    }

    /// The first lighter step without a reason, if any.
    pub fn first_gap(&self, step: LadderStep) -> Option<LadderStep> {
        step.lighter().find(|l| !self.0.contains_key(&l.value()))
    }

    pub fn reason(&self, step: LadderStep) -> Option<&str> {
        self.0.get(&step.value()).map(String::as_str)
    }

    pub fn reasons(&self) -> impl Iterator<Item = (u8, &str)> {
        self.0.iter().map(|(s, r)| (*s, r.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn check_justification(step: LadderStep, j: Option<&Justification>) -> Result<(), PlanError> {
    if !step.needs_justification() {
        return Ok(());
    }
    let gap = match j {
        Some(j) => j.first_gap(step),
        None => step.lighter().next(),
    };
    match gap {
        Some(missing) => Err(PlanError::JustificationMissing {
            step: step.value(),
            missing: missing.value(),
        }),
        None => Ok(()),
    }
}

fn step_five() -> LadderStep {
    LadderStep::new(5).unwrap_or_else(|_| unreachable!("5 is a ladder step"))
}

/// Where a referral stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferralStatus {
    Pending,
    Approved {
        by: i64,
        on: NaiveDate,
        note: String,
    },
    Rejected {
        by: i64,
        on: NaiveDate,
        reason: String,
    },
}

impl ReferralStatus {
    pub fn code(&self) -> &'static str {
        match self {
            ReferralStatus::Pending => "aangevraagd",
            ReferralStatus::Approved { .. } => "goedgekeurd",
            ReferralStatus::Rejected { .. } => "afgewezen",
        }
    }
}

/// The note a referral within the team's mandate carries where a team lead's
/// decision would be.
pub const WITHIN_MANDATE_NOTE: &str =
    "Binnen het mandaat van het team: geen besluit van de teamleider nodig.";

/// A request to a team lead for step 5 (maatwerk, 2e lijn), part of one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Referral {
    id: i64,
    plan_id: i64,
    requested_by: i64,
    requested_on: NaiveDate,
    care: String,
    justification: Justification,
    status: ReferralStatus,
}

impl Referral {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn plan_id(&self) -> i64 {
        self.plan_id
    }
    pub fn requested_by(&self) -> i64 {
        self.requested_by
    }
    pub fn requested_on(&self) -> NaiveDate {
        self.requested_on
    }
    /// What care is asked for, from whom.
    pub fn care(&self) -> &str {
        &self.care
    }
    pub fn justification(&self) -> &Justification {
        &self.justification
    }
    pub fn status(&self) -> &ReferralStatus {
        &self.status
    }
    pub fn is_approved(&self) -> bool {
        matches!(self.status, ReferralStatus::Approved { .. })
    }
    pub fn is_pending(&self) -> bool {
        self.status == ReferralStatus::Pending
    }

    /// Within the team's mandate a referral needs no team lead: it is
    /// approved at once, by the generalist who asked, on the day asked, with
    /// [`WITHIN_MANDATE_NOTE`]. Outside the mandate nothing changes.
    fn approve_within(&mut self, decision: &MandateDecision) -> Result<(), ReferralError> {
        if !decision.is_within() {
            return Err(ReferralError::OutsideMandate);
        }
        if !self.is_pending() {
            return Err(ReferralError::AlreadyDecided);
        }
        self.status = ReferralStatus::Approved {
            by: self.requested_by,
            on: self.requested_on,
            note: WITHIN_MANDATE_NOTE.to_owned(),
        };
        Ok(())
    }

    fn decide(
        &mut self,
        role: Role,
        by: i64,
        on: NaiveDate,
        approve: bool,
        note: &str,
        today: NaiveDate,
    ) -> Result<(), ReferralError> {
        if role != Role::Teamleider {
            return Err(ReferralError::NotTeamLead);
        }
        if !self.is_pending() {
            return Err(ReferralError::AlreadyDecided);
        }
        not_in_future(on, today)?;
        if on < self.requested_on {
            return Err(ReferralError::BeforeRequest);
        }
        self.status = if approve {
            ReferralStatus::Approved {
                by,
                on,
                note: note.trim().chars().take(2000).collect(),
            }
        } else {
            let reason = clean_text(note, 2000).ok_or(ReferralError::ReasonMissing)?;
            ReferralStatus::Rejected { by, on, reason }
        };
        Ok(())
    }
}

/// A goal as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGoal {
    pub domain: LifeDomain,
    pub description: String,
    pub measure: String,
    pub target_date: NaiveDate,
    pub term: Term,
}

/// A goal's result at an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalResult {
    pub outcome: GoalOutcome,
    pub on: NaiveDate,
    pub note: String,
}

/// A concrete, measurable, dated goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Goal {
    id: i64,
    domain: LifeDomain,
    description: String,
    measure: String,
    target_date: NaiveDate,
    term: Term,
    result: Option<GoalResult>,
}

impl Goal {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn domain(&self) -> LifeDomain {
        self.domain
    }
    pub fn description(&self) -> &str {
        &self.description
    }
    pub fn measure(&self) -> &str {
        &self.measure
    }
    pub fn target_date(&self) -> NaiveDate {
        self.target_date
    }
    pub fn term(&self) -> Term {
        self.term
    }
    pub fn result(&self) -> Option<&GoalResult> {
        self.result.as_ref()
    }
}

/// An agreement as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgreement {
    pub goal_id: i64,
    pub actor: AgreementActor,
    /// Who, by name: "broer Jan", "Buurtcentrum De Kroon" (for a provider, its
    /// name on the social map).
    pub actor_name: String,
    /// The provider (organisation on the social map) that carries it out, if
    /// any: what gives that provider sight of the plan, with consent.
    pub provider_id: Option<i64>,
    pub description: String,
    pub step: LadderStep,
    pub form: SupportForm,
    pub frequency: String,
    pub start: NaiveDate,
    /// The end or evaluation date.
    pub end_date: Option<NaiveDate>,
    pub own_contribution: String,
    pub justification: Option<Justification>,
    pub referral_id: Option<i64>,
}

impl NewAgreement {
    /// Professional help: by a professional, or on step 4 or 5.
    pub fn is_professional(&self) -> bool {
        self.actor.is_professional() || self.step.needs_justification()
    }
}

/// Who does what, on which step, in which form, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    id: i64,
    terms: NewAgreement,
    last_evaluated: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    /// Why it was withdrawn ("vervallen": entered by mistake); it then ended
    /// on the day it was withdrawn.
    withdrawal_reason: Option<String>,
}

impl Agreement {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn terms(&self) -> &NewAgreement {
        &self.terms
    }
    pub fn last_evaluated(&self) -> Option<NaiveDate> {
        self.last_evaluated
    }
    pub fn ended_on(&self) -> Option<NaiveDate> {
        self.ended_on
    }
    pub fn is_running(&self) -> bool {
        self.ended_on.is_none()
    }
    /// Why the agreement was withdrawn, when it was ("vervallen").
    pub fn withdrawal_reason(&self) -> Option<&str> {
        self.withdrawal_reason.as_deref()
    }

    /// Past its end or evaluation date, not ended, and not evaluated since.
    pub fn evaluation_overdue(&self, today: NaiveDate) -> bool {
        match (self.ended_on, self.terms.end_date) {
            (None, Some(end)) => end < today && self.last_evaluated.is_none_or(|e| e < end),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStatus {
    Open,
    Closed { on: NaiveDate, reason: String },
}

/// Something on a plan that needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PlanFlag {
    /// An agreement past its end or evaluation date without evaluation.
    AgreementEvaluationOverdue { agreement_id: i64, since: NaiveDate },
    /// A goal past its target date without an outcome.
    GoalEvaluationDue { goal_id: i64, since: NaiveDate },
}

/// What an evaluation decides about a running agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgreementDecision {
    /// Evaluated; it goes on until `until` (its new end or evaluation date,
    /// required for professional help).
    Continue { until: Option<NaiveDate> },
    /// Evaluated and ended on the evaluation day.
    End,
}

/// One evaluation moment: outcomes per goal, and what happens to running
/// agreements (new scores are recorded with it by the caller, as a
/// [`super::Scores`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Evaluation {
    pub on: NaiveDate,
    pub outcomes: Vec<(i64, GoalOutcome, String)>,
    pub agreements: Vec<(i64, AgreementDecision)>,
}

/// The plan of one household, with its goals, agreements and referrals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    id: i64,
    household_id: i64,
    opened_on: NaiveDate,
    status: PlanStatus,
    goals: Vec<Goal>,
    agreements: Vec<Agreement>,
    referrals: Vec<Referral>,
}

impl Plan {
    pub fn id(&self) -> i64 {
        self.id
    }
    pub fn household_id(&self) -> i64 {
        self.household_id
    }
    pub fn opened_on(&self) -> NaiveDate {
        self.opened_on
    }
    pub fn status(&self) -> &PlanStatus {
        &self.status
    }
    pub fn goals(&self) -> &[Goal] {
        &self.goals
    }
    pub fn agreements(&self) -> &[Agreement] {
        &self.agreements
    }
    pub fn referrals(&self) -> &[Referral] {
        &self.referrals
    }
    pub fn goal(&self, id: i64) -> Option<&Goal> {
        self.goals.iter().find(|g| g.id == id)
    }
    pub fn agreement(&self, id: i64) -> Option<&Agreement> {
        self.agreements.iter().find(|a| a.id == id)
    }
    pub fn referral(&self, id: i64) -> Option<&Referral> {
        self.referrals.iter().find(|r| r.id == id)
    }

    pub fn is_open(&self) -> bool {
        self.status == PlanStatus::Open
    }

    fn ensure_open(&self) -> Result<(), PlanError> {
        if self.is_open() {
            Ok(())
        } else {
            Err(PlanError::PlanClosed)
        }
    }

    fn check_goal_terms(&self, goal: &NewGoal) -> Result<(), PlanError> {
        clean_text(&goal.description, 2000).ok_or(PlanError::Text("omschrijving"))?;
        clean_text(&goal.measure, 1000).ok_or(PlanError::Text("meetbaar"))?;
        if goal.target_date < self.opened_on {
            return Err(PlanError::TargetBeforeOpening);
        }
        Ok(())
    }

    /// Checks a goal without adding it.
    pub fn check_goal(&self, goal: &NewGoal) -> Result<(), PlanError> {
        self.ensure_open()?;
        self.check_goal_terms(goal)
    }

    pub fn add_goal(&mut self, id: i64, goal: NewGoal) -> Result<&Goal, PlanError> {
        self.check_goal(&goal)?;
        self.goals.push(Goal {
            id,
            domain: goal.domain,
            description: goal.description.trim().to_owned(),
            measure: goal.measure.trim().to_owned(),
            target_date: goal.target_date,
            term: goal.term,
            result: None,
        });
        Ok(self.goals.last().expect("just pushed"))
    }

    /// The rules an agreement's terms obey, whenever they are looked at.
    fn check_terms(&self, a: &NewAgreement) -> Result<(), PlanError> {
        if self.goal(a.goal_id).is_none() {
            return Err(PlanError::UnknownGoal(a.goal_id));
        }
        clean_text(&a.actor_name, 200).ok_or(PlanError::Text("wie"))?;
        clean_text(&a.description, 2000).ok_or(PlanError::Text("wat"))?;
        if a.provider_id.is_some() && !a.actor.may_be_provider() {
            return Err(PlanError::ProviderNotActor);
        }
        check_justification(a.step, a.justification.as_ref())?;
        if a.step.needs_referral() {
            let approved = a.referral_id.is_some_and(|rid| {
                self.referrals
                    .iter()
                    .any(|r| r.id == rid && r.plan_id == self.id && r.is_approved())
            });
            if !approved {
                return Err(PlanError::ReferralNotApproved);
            }
        }
        match a.end_date {
            None if a.is_professional() => return Err(PlanError::EndDateMissing),
            Some(end) if end < a.start => return Err(PlanError::EndBeforeStart),
            _ => {}
        }
        if a.start < self.opened_on {
            return Err(PlanError::DateBeforeOpening);
        }
        Ok(())
    }

    /// Checks an agreement against every rule without adding it.
    pub fn check_agreement(&self, a: &NewAgreement) -> Result<(), PlanError> {
        self.ensure_open()?;
        self.check_terms(a)
    }

    pub fn add_agreement(&mut self, id: i64, a: NewAgreement) -> Result<&Agreement, PlanError> {
        self.check_agreement(&a)?;
        self.agreements.push(Agreement {
            id,
            terms: a,
            last_evaluated: None,
            ended_on: None,
            withdrawal_reason: None,
        });
        Ok(self.agreements.last().expect("just pushed"))
    }

    /// Checks a request for step 5: the care asked for, and a reason for every
    /// lighter step. Returns the care as it will be stored.
    pub fn check_referral(
        &self,
        care: &str,
        justification: &Justification,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<String, PlanError> {
        self.ensure_open()?;
        let care = clean_text(care, 1000).ok_or(PlanError::Text("zorg"))?;
        check_justification(step_five(), Some(justification))?;
        not_in_future(on, today)?;
        if on < self.opened_on {
            return Err(PlanError::DateBeforeOpening);
        }
        Ok(care)
    }

    /// Asks a team lead for step 5.
    pub fn request_referral(
        &mut self,
        id: i64,
        requested_by: i64,
        on: NaiveDate,
        care: &str,
        justification: Justification,
        today: NaiveDate,
    ) -> Result<&Referral, PlanError> {
        let care = self.check_referral(care, &justification, on, today)?;
        self.referrals.push(Referral {
            id,
            plan_id: self.id,
            requested_by,
            requested_on: on,
            care,
            justification,
            status: ReferralStatus::Pending,
        });
        Ok(self.referrals.last().expect("just pushed"))
    }

    /// A team lead approves (a note is optional) or rejects (always with a
    /// reason the generalist will read) a waiting referral of this plan.
    #[allow(clippy::too_many_arguments)]
    pub fn decide_referral(
        &mut self,
        referral_id: i64,
        role: Role,
        by: i64,
        on: NaiveDate,
        approve: bool,
        note: &str,
        today: NaiveDate,
    ) -> Result<&Referral, ReferralError> {
        if !self.is_open() {
            return Err(ReferralError::PlanClosed);
        }
        let r = self
            .referrals
            .iter_mut()
            .find(|r| r.id == referral_id)
            .ok_or(ReferralError::Unknown(referral_id))?;
        r.decide(role, by, on, approve, note, today)?;
        Ok(r)
    }

    /// A waiting referral of this plan that the team's mandate covers is
    /// approved without a team lead ([`WITHIN_MANDATE_NOTE`]); one outside
    /// the mandate is refused and keeps waiting.
    pub fn approve_within_mandate(
        &mut self,
        referral_id: i64,
        decision: &MandateDecision,
    ) -> Result<&Referral, ReferralError> {
        if !self.is_open() {
            return Err(ReferralError::PlanClosed);
        }
        let r = self
            .referrals
            .iter_mut()
            .find(|r| r.id == referral_id)
            .ok_or(ReferralError::Unknown(referral_id))?;
        r.approve_within(decision)?;
        Ok(r)
    }

    fn agreement_mut(&mut self, id: i64) -> Result<&mut Agreement, PlanError> {
        self.agreements
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(PlanError::UnknownAgreement(id))
    }

    /// Ends an agreement on `on` (not in the future).
    pub fn end_agreement(
        &mut self,
        id: i64,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), PlanError> {
        self.ensure_open()?;
        not_in_future(on, today)?;
        let opened = self.opened_on;
        let a = self.agreement_mut(id)?;
        if a.ended_on.is_some() {
            return Err(PlanError::AgreementEnded);
        }
        if on < opened {
            return Err(PlanError::DateBeforeOpening);
        }
        if on < a.terms.start {
            return Err(PlanError::BeforeAgreementStart);
        }
        a.ended_on = Some(on);
        Ok(())
    }

    /// Withdraws an agreement entered by mistake ("vervallen") on `on`, with
    /// a reason: it stops running that day and keeps the reason, in the plan's
    /// history and on the timeline. Unlike ending, its start date does not
    /// matter (an agreement entered for next month can still be withdrawn
    /// today); it must still run, on a day since the plan opened, not later
    /// than today.
    pub fn withdraw_agreement(
        &mut self,
        id: i64,
        on: NaiveDate,
        reason: &str,
        today: NaiveDate,
    ) -> Result<(), PlanError> {
        self.ensure_open()?;
        not_in_future(on, today)?;
        let opened = self.opened_on;
        let a = self.agreement_mut(id)?;
        if a.ended_on.is_some() {
            return Err(PlanError::AgreementEnded);
        }
        if on < opened {
            return Err(PlanError::DateBeforeOpening);
        }
        let reason = clean_text(reason, 1000).ok_or(PlanError::WithdrawalWithoutReason)?;
        a.ended_on = Some(on);
        a.withdrawal_reason = Some(reason);
        Ok(())
    }

    /// Evaluates an agreement on `on` and continues it until `next` (its new
    /// end or evaluation date); a professional agreement must get one. This
    /// clears an overdue-evaluation flag without ending the agreement.
    pub fn continue_agreement(
        &mut self,
        id: i64,
        on: NaiveDate,
        next: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<(), PlanError> {
        self.ensure_open()?;
        not_in_future(on, today)?;
        let a = self.agreement_mut(id)?;
        if a.ended_on.is_some() {
            return Err(PlanError::AgreementEnded);
        }
        if on < a.terms.start {
            return Err(PlanError::BeforeAgreementStart);
        }
        match next {
            None if a.terms.is_professional() => return Err(PlanError::EndDateMissing),
            Some(n) if n <= on => return Err(PlanError::EndBeforeStart),
            _ => {}
        }
        a.last_evaluated = Some(on);
        a.terms.end_date = next;
        Ok(())
    }

    /// Records the outcome per goal and what happens to the agreements it
    /// names: all of it, or nothing.
    pub fn evaluate(&mut self, evaluation: &Evaluation, today: NaiveDate) -> Result<(), PlanError> {
        self.ensure_open()?;
        not_in_future(evaluation.on, today)?;
        if evaluation.on < self.opened_on {
            return Err(PlanError::DateBeforeOpening);
        }
        let mut next = self.clone();
        for (goal_id, outcome, note) in &evaluation.outcomes {
            let g = next
                .goals
                .iter_mut()
                .find(|g| g.id == *goal_id)
                .ok_or(PlanError::UnknownGoal(*goal_id))?;
            g.result = Some(GoalResult {
                outcome: *outcome,
                on: evaluation.on,
                note: note.trim().chars().take(2000).collect(),
            });
        }
        for (agreement_id, decision) in &evaluation.agreements {
            match decision {
                AgreementDecision::Continue { until } => {
                    next.continue_agreement(*agreement_id, evaluation.on, *until, today)?
                }
                AgreementDecision::End => {
                    next.end_agreement(*agreement_id, evaluation.on, today)?
                }
            }
        }
        *self = next;
        Ok(())
    }

    /// The next evaluation of an open plan: the earliest end or evaluation
    /// date of a running agreement, or target date of a goal without an
    /// outcome (the resident's page says when the plan is looked at again).
    /// An overdue date counts too: that evaluation is still to come.
    pub fn next_evaluation(&self) -> Option<NaiveDate> {
        if !self.is_open() {
            return None;
        }
        let agreements = self
            .agreements
            .iter()
            .filter(|a| a.is_running())
            .filter_map(|a| a.terms.end_date);
        let goals = self
            .goals
            .iter()
            .filter(|g| g.result.is_none())
            .map(|g| g.target_date);
        agreements.chain(goals).min()
    }

    /// What needs attention on `today`.
    pub fn flags(&self, today: NaiveDate) -> Vec<PlanFlag> {
        if !self.is_open() {
            return Vec::new();
        }
        let mut flags: Vec<PlanFlag> = self
            .agreements
            .iter()
            .filter(|a| a.evaluation_overdue(today))
            .filter_map(|a| {
                Some(PlanFlag::AgreementEvaluationOverdue {
                    agreement_id: a.id,
                    since: a.terms.end_date?,
                })
            })
            .collect();
        flags.extend(
            self.goals
                .iter()
                .filter(|g| g.result.is_none() && g.target_date < today)
                .map(|g| PlanFlag::GoalEvaluationDue {
                    goal_id: g.id,
                    since: g.target_date,
                }),
        );
        flags
    }

    /// Closes the plan once every agreement has ended.
    pub fn close(
        &mut self,
        on: NaiveDate,
        reason: &str,
        today: NaiveDate,
    ) -> Result<(), PlanError> {
        self.ensure_open()?;
        let running = self.agreements.iter().filter(|a| a.is_running()).count();
        if running > 0 {
            return Err(PlanError::AgreementsRunning(running));
        }
        let reason = clean_text(reason, 1000).ok_or(PlanError::Text("reden"))?;
        not_in_future(on, today)?;
        if on < self.opened_on {
            return Err(PlanError::DateBeforeOpening);
        }
        self.status = PlanStatus::Closed { on, reason };
        Ok(())
    }

    /// The life domains the plan's goals span (baken 6).
    pub fn domains(&self) -> usize {
        self.goals
            .iter()
            .map(|g| g.domain)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The plan as plain data, for storage and tests.
    pub fn to_stored(&self) -> StoredPlan {
        StoredPlan {
            id: self.id,
            household_id: self.household_id,
            opened_on: self.opened_on,
            status: self.status.clone(),
            goals: self
                .goals
                .iter()
                .map(|g| StoredGoal {
                    id: g.id,
                    goal: NewGoal {
                        domain: g.domain,
                        description: g.description.clone(),
                        measure: g.measure.clone(),
                        target_date: g.target_date,
                        term: g.term,
                    },
                    result: g.result.clone(),
                })
                .collect(),
            agreements: self
                .agreements
                .iter()
                .map(|a| StoredAgreement {
                    id: a.id,
                    terms: a.terms.clone(),
                    last_evaluated: a.last_evaluated,
                    ended_on: a.ended_on,
                    withdrawal_reason: a.withdrawal_reason.clone(),
                })
                .collect(),
            referrals: self
                .referrals
                .iter()
                .map(|r| StoredReferral {
                    id: r.id,
                    plan_id: r.plan_id,
                    requested_by: r.requested_by,
                    requested_on: r.requested_on,
                    care: r.care.clone(),
                    justification: r.justification.clone(),
                    status: r.status.clone(),
                })
                .collect(),
        }
    }

    /// A plan read back from storage: every rule is checked again, so corrupt
    /// or hand-edited data is refused with the rule it breaks.
    pub fn from_stored(p: StoredPlan) -> Result<Plan, RestoreError> {
        let plan_id = p.id;
        let mut seen = BTreeSet::new();
        for (what, id) in p
            .goals
            .iter()
            .map(|g| ("goal", g.id))
            .chain(p.agreements.iter().map(|a| ("agreement", a.id)))
            .chain(p.referrals.iter().map(|r| ("referral", r.id)))
        {
            if !seen.insert((what, id)) {
                return Err(RestoreError::DuplicateId {
                    plan: plan_id,
                    what,
                    id,
                });
            }
        }
        let mut plan = Plan {
            id: p.id,
            household_id: p.household_id,
            opened_on: p.opened_on,
            status: PlanStatus::Open,
            goals: Vec::new(),
            agreements: Vec::new(),
            referrals: Vec::new(),
        };
        for r in p.referrals {
            let bad = |rule: PlanError| RestoreError::Referral {
                plan: plan_id,
                referral: r.id,
                rule,
            };
            if r.plan_id != plan_id {
                return Err(bad(PlanError::ReferralNotApproved));
            }
            if clean_text(&r.care, 1000).is_none() {
                return Err(bad(PlanError::Text("zorg")));
            }
            check_justification(step_five(), Some(&r.justification)).map_err(bad)?;
            if let ReferralStatus::Rejected { reason, .. } = &r.status {
                if clean_text(reason, 2000).is_none() {
                    return Err(bad(PlanError::Text("reden")));
                }
            }
            plan.referrals.push(Referral {
                id: r.id,
                plan_id: r.plan_id,
                requested_by: r.requested_by,
                requested_on: r.requested_on,
                care: r.care,
                justification: r.justification,
                status: r.status,
            });
        }
        for g in p.goals {
            plan.check_goal_terms(&g.goal)
                .map_err(|rule| RestoreError::Goal {
                    plan: plan_id,
                    goal: g.id,
                    rule,
                })?;
            if g.result.as_ref().is_some_and(|r| r.on < plan.opened_on) {
                return Err(RestoreError::Goal {
                    plan: plan_id,
                    goal: g.id,
                    rule: PlanError::DateBeforeOpening,
                });
            }
            plan.goals.push(Goal {
                id: g.id,
                domain: g.goal.domain,
                description: g.goal.description,
                measure: g.goal.measure,
                target_date: g.goal.target_date,
                term: g.goal.term,
                result: g.result,
            });
        }
        for a in p.agreements {
            let bad = |rule: PlanError| RestoreError::Agreement {
                plan: plan_id,
                agreement: a.id,
                rule,
            };
            plan.check_terms(&a.terms).map_err(bad)?;
            let before_start = |d: Option<NaiveDate>| d.is_some_and(|d| d < a.terms.start);
            // A withdrawn agreement may end before its start (it never began).
            let ended_too_early = a.withdrawal_reason.is_none() && before_start(a.ended_on);
            if ended_too_early || before_start(a.last_evaluated) {
                return Err(bad(PlanError::BeforeAgreementStart));
            }
            if let Some(reason) = &a.withdrawal_reason {
                if a.ended_on.is_none() || clean_text(reason, 1000).is_none() {
                    return Err(bad(PlanError::WithdrawalWithoutReason));
                }
            }
            plan.agreements.push(Agreement {
                id: a.id,
                terms: a.terms,
                last_evaluated: a.last_evaluated,
                ended_on: a.ended_on,
                withdrawal_reason: a.withdrawal_reason,
            });
        }
        if let PlanStatus::Closed { on, reason } = &p.status {
            let running = plan.agreements.iter().filter(|a| a.is_running()).count();
            if running > 0 {
                return Err(RestoreError::ClosedWithRunningAgreements {
                    plan: plan_id,
                    running,
                });
            }
            if *on < plan.opened_on || clean_text(reason, 1000).is_none() {
                return Err(RestoreError::Closure { plan: plan_id });
            }
        }
        plan.status = p.status;
        Ok(plan)
    }
}

/// A goal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredGoal {
    pub id: i64,
    pub goal: NewGoal,
    pub result: Option<GoalResult>,
}

/// An agreement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAgreement {
    pub id: i64,
    pub terms: NewAgreement,
    pub last_evaluated: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    /// Set when the agreement was withdrawn ("vervallen"); then `ended_on` is too.
    pub withdrawal_reason: Option<String>,
}

/// A referral as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReferral {
    pub id: i64,
    pub plan_id: i64,
    pub requested_by: i64,
    pub requested_on: NaiveDate,
    pub care: String,
    pub justification: Justification,
    pub status: ReferralStatus,
}

/// A plan as stored: plain data, checked by [`Plan::from_stored`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub id: i64,
    pub household_id: i64,
    pub opened_on: NaiveDate,
    pub status: PlanStatus,
    pub goals: Vec<StoredGoal>,
    pub agreements: Vec<StoredAgreement>,
    pub referrals: Vec<StoredReferral>,
}

/// Stored casework that breaks a rule: which household or plan, and which rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error("household {household}: {count} open plans, at most one may be open")]
    SeveralOpenPlans { household: i64, count: usize },
    #[error("household {household} has a plan but no coordinating generalist")]
    NoCoordinator { household: i64 },
    #[error("plan {plan} belongs to household {found}, not to household {household}")]
    ForeignPlan {
        plan: i64,
        household: i64,
        found: i64,
    },
    #[error("plan {plan}: {what} {id} appears twice")]
    DuplicateId {
        plan: i64,
        what: &'static str,
        id: i64,
    },
    #[error("plan {plan}, goal {goal}: {rule}")]
    Goal {
        plan: i64,
        goal: i64,
        rule: PlanError,
    },
    #[error("plan {plan}, agreement {agreement}: {rule}")]
    Agreement {
        plan: i64,
        agreement: i64,
        rule: PlanError,
    },
    #[error("plan {plan}, referral {referral}: {rule}")]
    Referral {
        plan: i64,
        referral: i64,
        rule: PlanError,
    },
    #[error("plan {plan} is closed while {running} agreements still run")]
    ClosedWithRunningAgreements { plan: i64, running: usize },
    #[error("plan {plan} is closed without a reason, or before it was opened")]
    Closure { plan: i64 },
}

/// Where a signal about a household went ([`HouseholdCase::route_signal`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SignalRouting {
    /// The household had no contact person: this generalist became it.
    NewContactPerson(i64),
    /// To the household's contact person, who stays.
    ContactPerson(i64),
    /// The contact person was handed over, for this reason.
    HandOver { from: i64, to: i64, reason: String },
}

impl SignalRouting {
    /// The generalist the signal goes to: always the contact person afterwards.
    pub fn generalist(&self) -> i64 {
        match self {
            SignalRouting::NewContactPerson(g) | SignalRouting::ContactPerson(g) => *g,
            SignalRouting::HandOver { to, .. } => *to,
        }
    }
}

/// Who asks to hand a household over from the dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandOverBy {
    /// A team lead of the household's team.
    TeamLead,
    /// A generalist, by user id: allowed only for the contact person.
    Generalist(i64),
}

/// A household's casework: its coordinator and its plans. The only way to open
/// a plan, so that a household never has two open plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HouseholdCase {
    household_id: i64,
    coordinator: Option<i64>,
    plans: Vec<Plan>,
}

impl HouseholdCase {
    pub fn new(household_id: i64) -> HouseholdCase {
        HouseholdCase {
            household_id,
            coordinator: None,
            plans: Vec::new(),
        }
    }

    pub fn household_id(&self) -> i64 {
        self.household_id
    }
    pub fn coordinator(&self) -> Option<i64> {
        self.coordinator
    }
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }
    pub fn plan(&self, id: i64) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }
    pub fn plan_mut(&mut self, id: i64) -> Option<&mut Plan> {
        self.plans.iter_mut().find(|p| p.id == id)
    }

    /// Makes `generalist` the coordinator if there is none; refuses a second one.
    pub fn assign_coordinator(&mut self, generalist: i64) -> Result<(), PlanError> {
        match self.coordinator {
            Some(c) if c != generalist => Err(PlanError::CoordinatorAlreadySet(c)),
            _ => {
                self.coordinator = Some(generalist);
                Ok(())
            }
        }
    }

    /// Hands the household over to another generalist from the dossier (a
    /// deliberate change of contact person, not with a signal): asked by the
    /// team lead or by the contact person themself, to someone else, with a
    /// reason. There is still exactly one contact person; the result says
    /// who it was and who it is now.
    pub fn hand_over(
        &mut self,
        by: HandOverBy,
        to: i64,
        reason: &str,
    ) -> Result<SignalRouting, PlanError> {
        let current = self.coordinator.ok_or(PlanError::NoCoordinator)?;
        match by {
            HandOverBy::TeamLead => {}
            HandOverBy::Generalist(id) if id == current => {}
            HandOverBy::Generalist(_) => return Err(PlanError::HandOverNotAllowed),
        }
        if to == current {
            return Err(PlanError::HandOverToContactPerson(current));
        }
        let reason = clean_text(reason, 1000).ok_or(PlanError::HandOverWithoutReason {
            contact_person: current,
        })?;
        self.coordinator = Some(to);
        Ok(SignalRouting::HandOver {
            from: current,
            to,
            reason,
        })
    }

    /// Who a signal about this household goes to, and what that does to its
    /// one contact person: with a contact person, the signal goes to them —
    /// unless another generalist is chosen, which hands the household over
    /// and needs a reason; without one, the chosen generalist becomes it.
    /// Either way the household ends with exactly one contact person, and the
    /// signal's generalist is that person.
    pub fn route_signal(
        &mut self,
        chosen: Option<i64>,
        hand_over_reason: &str,
    ) -> Result<SignalRouting, PlanError> {
        match (self.coordinator, chosen) {
            (None, None) => Err(PlanError::NoCoordinator),
            (None, Some(generalist)) => {
                self.coordinator = Some(generalist);
                Ok(SignalRouting::NewContactPerson(generalist))
            }
            (Some(current), None) => Ok(SignalRouting::ContactPerson(current)),
            (Some(current), Some(generalist)) if generalist == current => {
                Ok(SignalRouting::ContactPerson(current))
            }
            (Some(current), Some(generalist)) => {
                let reason =
                    clean_text(hand_over_reason, 1000).ok_or(PlanError::HandOverWithoutReason {
                        contact_person: current,
                    })?;
                self.coordinator = Some(generalist);
                Ok(SignalRouting::HandOver {
                    from: current,
                    to: generalist,
                    reason,
                })
            }
        }
    }

    pub fn open_plan(&self) -> Option<&Plan> {
        self.plans.iter().find(|p| p.is_open())
    }

    pub fn open_plan_mut(&mut self) -> Option<&mut Plan> {
        self.plans.iter_mut().find(|p| p.is_open())
    }

    /// Checks that a plan may be opened on `on`: no other open plan, a
    /// coordinator, and a date that has been (within the recording window).
    pub fn check_new_plan(&self, on: NaiveDate, today: NaiveDate) -> Result<(), PlanError> {
        if self.open_plan().is_some() {
            return Err(PlanError::PlanAlreadyOpen);
        }
        if self.coordinator.is_none() {
            return Err(PlanError::NoCoordinator);
        }
        check_recorded(on, today)?;
        Ok(())
    }

    /// Opens the household's plan; refuses while another is open.
    pub fn start_plan(
        &mut self,
        id: i64,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<&mut Plan, PlanError> {
        self.check_new_plan(on, today)?;
        self.plans.push(Plan {
            id,
            household_id: self.household_id,
            opened_on: on,
            status: PlanStatus::Open,
            goals: Vec::new(),
            agreements: Vec::new(),
            referrals: Vec::new(),
        });
        Ok(self.plans.last_mut().expect("just pushed"))
    }

    /// A household's casework read back from storage, every rule checked again.
    pub fn from_stored(
        household_id: i64,
        coordinator: Option<i64>,
        plans: Vec<StoredPlan>,
    ) -> Result<HouseholdCase, RestoreError> {
        let mut case = HouseholdCase {
            household_id,
            coordinator,
            plans: Vec::with_capacity(plans.len()),
        };
        for p in plans {
            if p.household_id != household_id {
                return Err(RestoreError::ForeignPlan {
                    plan: p.id,
                    household: household_id,
                    found: p.household_id,
                });
            }
            if case.plans.iter().any(|q| q.id == p.id) {
                return Err(RestoreError::DuplicateId {
                    plan: p.id,
                    what: "plan",
                    id: p.id,
                });
            }
            case.plans.push(Plan::from_stored(p)?);
        }
        let open = case.plans.iter().filter(|p| p.is_open()).count();
        if open > 1 {
            return Err(RestoreError::SeveralOpenPlans {
                household: household_id,
                count: open,
            });
        }
        if !case.plans.is_empty() && coordinator.is_none() {
            return Err(RestoreError::NoCoordinator {
                household: household_id,
            });
        }
        Ok(case)
    }
}

#[cfg(test)]
mod tests;
