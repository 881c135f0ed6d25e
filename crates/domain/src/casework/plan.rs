//! One plan per household: goals, agreements on the ladder, referrals with a
//! team lead's mandate, evaluation and closure.
//!
//! The rules of the Kanteling hold here and nowhere else:
//! - one open plan and one coordinating generalist per household
//!   ([`HouseholdCase`]);
//! - an agreement on step 4 or 5 records why each lighter step does not suffice
//!   ([`Justification`]);
//! - an agreement on step 5 rests on a referral a team lead approved
//!   ([`Referral`]);
//! - every professional agreement has an end or evaluation date, and a plan with
//!   an agreement past that date without evaluation is flagged ([`Plan::flags`]);
//! - a plan closes only when every agreement has ended.

use super::clean_text;
use super::conversation::LifeDomain;
use super::signal::labelled_enum;
use super::signal::SignalError;
use crate::access::Role;
use crate::ladder::{LadderStep, SupportForm};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    #[error("step 5 needs a referral approved by a team lead")]
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
    #[error("the date lies before the plan was opened")]
    DateBeforeOpening,
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
}

labelled_enum!(
    /// Who acts in an agreement.
    AgreementActor, Unknown, {
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
}

labelled_enum!(
    /// Short or long term.
    Term, Unknown, {
    Short => ("kort", "Korte termijn"),
    Long => ("lang", "Lange termijn"),
});

labelled_enum!(
    /// The result of a goal at evaluation.
    GoalOutcome, Unknown, {
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

/// A request to a team lead for step 5 (maatwerk, 2e lijn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: i64,
    pub plan_id: i64,
    pub requested_by: i64,
    pub requested_on: NaiveDate,
    /// What care is asked for, from whom.
    pub care: String,
    pub justification: Justification,
    pub status: ReferralStatus,
}

impl Referral {
    /// A new referral: needs the care asked for and reasons for steps 1–4.
    pub fn request(
        id: i64,
        plan_id: i64,
        requested_by: i64,
        requested_on: NaiveDate,
        care: &str,
        justification: Justification,
    ) -> Result<Referral, PlanError> {
        let care = clean_text(care, 1000).ok_or(PlanError::Text("zorg"))?;
        let five = LadderStep::new(5).map_err(|_| PlanError::ReferralNotApproved)?;
        if let Some(missing) = justification.first_gap(five) {
            return Err(PlanError::JustificationMissing {
                step: 5,
                missing: missing.value(),
            });
        }
        Ok(Referral {
            id,
            plan_id,
            requested_by,
            requested_on,
            care,
            justification,
            status: ReferralStatus::Pending,
        })
    }

    pub fn is_approved(&self) -> bool {
        matches!(self.status, ReferralStatus::Approved { .. })
    }

    /// A team lead approves (a note is optional).
    pub fn approve(
        &mut self,
        role: Role,
        by: i64,
        on: NaiveDate,
        note: &str,
    ) -> Result<(), ReferralError> {
        self.decide(role)?;
        self.status = ReferralStatus::Approved {
            by,
            on,
            note: note.trim().chars().take(2000).collect(),
        };
        Ok(())
    }

    /// A team lead rejects, always with a reason the generalist will read.
    pub fn reject(
        &mut self,
        role: Role,
        by: i64,
        on: NaiveDate,
        reason: &str,
    ) -> Result<(), ReferralError> {
        self.decide(role)?;
        let reason = clean_text(reason, 2000).ok_or(ReferralError::ReasonMissing)?;
        self.status = ReferralStatus::Rejected { by, on, reason };
        Ok(())
    }

    fn decide(&self, role: Role) -> Result<(), ReferralError> {
        if role != Role::Teamleider {
            return Err(ReferralError::NotTeamLead);
        }
        if self.status != ReferralStatus::Pending {
            return Err(ReferralError::AlreadyDecided);
        }
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

/// A concrete, measurable, dated goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub id: i64,
    pub domain: LifeDomain,
    pub description: String,
    pub measure: String,
    pub target_date: NaiveDate,
    pub term: Term,
    pub outcome: Option<(GoalOutcome, NaiveDate, String)>,
}

/// An agreement as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgreement {
    pub goal_id: i64,
    pub actor: AgreementActor,
    /// Who, by name: "broer Jan", "Buurtcentrum De Kroon".
    pub actor_name: String,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: i64,
    pub terms: NewAgreement,
    pub last_evaluated: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
}

impl Agreement {
    pub fn is_running(&self) -> bool {
        self.ended_on.is_none()
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

/// One evaluation moment: outcomes per goal (new scores are recorded with it by
/// the caller, as a [`super::Scores`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub on: NaiveDate,
    pub outcomes: Vec<(i64, GoalOutcome, String)>,
}

/// The plan of one household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: i64,
    pub household_id: i64,
    pub opened_on: NaiveDate,
    pub status: PlanStatus,
    pub goals: Vec<Goal>,
    pub agreements: Vec<Agreement>,
}

impl Plan {
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

    /// Checks a goal without adding it.
    pub fn check_goal(&self, goal: &NewGoal) -> Result<(), PlanError> {
        self.ensure_open()?;
        clean_text(&goal.description, 2000).ok_or(PlanError::Text("omschrijving"))?;
        clean_text(&goal.measure, 1000).ok_or(PlanError::Text("meetbaar"))?;
        if goal.target_date < self.opened_on {
            return Err(PlanError::TargetBeforeOpening);
        }
        Ok(())
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
            outcome: None,
        });
        Ok(self.goals.last().expect("just pushed"))
    }

    /// Checks an agreement against every rule without adding it. `referrals` are
    /// the plan's referrals, as stored.
    pub fn check_agreement(
        &self,
        a: &NewAgreement,
        referrals: &[Referral],
    ) -> Result<(), PlanError> {
        self.ensure_open()?;
        if !self.goals.iter().any(|g| g.id == a.goal_id) {
            return Err(PlanError::UnknownGoal(a.goal_id));
        }
        clean_text(&a.actor_name, 200).ok_or(PlanError::Text("wie"))?;
        clean_text(&a.description, 2000).ok_or(PlanError::Text("wat"))?;
        if a.step.needs_justification() {
            let gap = match &a.justification {
                Some(j) => j.first_gap(a.step),
                None => a.step.lighter().next(),
            };
            if let Some(missing) = gap {
                return Err(PlanError::JustificationMissing {
                    step: a.step.value(),
                    missing: missing.value(),
                });
            }
        }
        if a.step.needs_referral() {
            let approved = a.referral_id.is_some_and(|rid| {
                referrals
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

    pub fn add_agreement(
        &mut self,
        id: i64,
        a: NewAgreement,
        referrals: &[Referral],
    ) -> Result<&Agreement, PlanError> {
        self.check_agreement(&a, referrals)?;
        self.agreements.push(Agreement {
            id,
            terms: a,
            last_evaluated: None,
            ended_on: None,
        });
        Ok(self.agreements.last().expect("just pushed"))
    }

    fn agreement_mut(&mut self, id: i64) -> Result<&mut Agreement, PlanError> {
        self.agreements
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(PlanError::UnknownAgreement(id))
    }

    /// Ends an agreement on `on`.
    pub fn end_agreement(&mut self, id: i64, on: NaiveDate) -> Result<(), PlanError> {
        self.ensure_open()?;
        let opened = self.opened_on;
        let a = self.agreement_mut(id)?;
        if a.ended_on.is_some() {
            return Err(PlanError::AgreementEnded);
        }
        if on < opened || on < a.terms.start {
            return Err(PlanError::DateBeforeOpening);
        }
        a.ended_on = Some(on);
        Ok(())
    }

    /// Evaluates an agreement and continues it until `next` (its new end or
    /// evaluation date); a professional agreement must get one.
    pub fn continue_agreement(
        &mut self,
        id: i64,
        on: NaiveDate,
        next: Option<NaiveDate>,
    ) -> Result<(), PlanError> {
        self.ensure_open()?;
        let a = self.agreement_mut(id)?;
        if a.ended_on.is_some() {
            return Err(PlanError::AgreementEnded);
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

    /// Records the outcome per goal.
    pub fn evaluate(&mut self, evaluation: &Evaluation) -> Result<(), PlanError> {
        self.ensure_open()?;
        if evaluation.on < self.opened_on {
            return Err(PlanError::DateBeforeOpening);
        }
        for (goal_id, _, _) in &evaluation.outcomes {
            if !self.goals.iter().any(|g| g.id == *goal_id) {
                return Err(PlanError::UnknownGoal(*goal_id));
            }
        }
        for (goal_id, outcome, note) in &evaluation.outcomes {
            if let Some(g) = self.goals.iter_mut().find(|g| g.id == *goal_id) {
                g.outcome = Some((
                    *outcome,
                    evaluation.on,
                    note.trim().chars().take(2000).collect(),
                ));
            }
        }
        Ok(())
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
                .filter(|g| g.outcome.is_none() && g.target_date < today)
                .map(|g| PlanFlag::GoalEvaluationDue {
                    goal_id: g.id,
                    since: g.target_date,
                }),
        );
        flags
    }

    /// Closes the plan once every agreement has ended.
    pub fn close(&mut self, on: NaiveDate, reason: &str) -> Result<(), PlanError> {
        self.ensure_open()?;
        let running = self.agreements.iter().filter(|a| a.is_running()).count();
        if running > 0 {
            return Err(PlanError::AgreementsRunning(running));
        }
        let reason = clean_text(reason, 1000).ok_or(PlanError::Text("reden"))?;
        if on < self.opened_on {
            return Err(PlanError::DateBeforeOpening);
        }
        self.status = PlanStatus::Closed { on, reason };
        Ok(())
    }

    /// The life domains the plan's goals span (baken 6).
    pub fn domains(&self) -> usize {
        let mut d: Vec<LifeDomain> = self.goals.iter().map(|g| g.domain).collect();
        d.sort();
        d.dedup();
        d.len()
    }
}

/// A household's casework: its coordinator and its plans. The only way to open
/// a plan, so that a household never has two open plans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdCase {
    pub household_id: i64,
    pub coordinator: Option<i64>,
    pub plans: Vec<Plan>,
}

impl HouseholdCase {
    pub fn new(household_id: i64) -> HouseholdCase {
        HouseholdCase {
            household_id,
            coordinator: None,
            plans: Vec::new(),
        }
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

    /// Hands the household over to another generalist (a deliberate change of
    /// coordinator, by a team lead): there is still exactly one.
    pub fn hand_over(&mut self, to: i64) {
        self.coordinator = Some(to);
    }

    pub fn open_plan(&self) -> Option<&Plan> {
        self.plans.iter().find(|p| p.is_open())
    }

    pub fn open_plan_mut(&mut self) -> Option<&mut Plan> {
        self.plans.iter_mut().find(|p| p.is_open())
    }

    /// Checks that a plan may be opened.
    pub fn check_new_plan(&self) -> Result<(), PlanError> {
        if self.open_plan().is_some() {
            return Err(PlanError::PlanAlreadyOpen);
        }
        if self.coordinator.is_none() {
            return Err(PlanError::NoCoordinator);
        }
        Ok(())
    }

    /// Opens the household's plan; refuses while another is open.
    pub fn start_plan(&mut self, id: i64, on: NaiveDate) -> Result<&mut Plan, PlanError> {
        self.check_new_plan()?;
        self.plans.push(Plan {
            id,
            household_id: self.household_id,
            opened_on: on,
            status: PlanStatus::Open,
            goals: Vec::new(),
            agreements: Vec::new(),
        });
        Ok(self.plans.last_mut().expect("just pushed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn step(n: u8) -> LadderStep {
        LadderStep::new(n).unwrap()
    }

    fn karel() -> HouseholdCase {
        let mut case = HouseholdCase::new(7);
        case.assign_coordinator(100).unwrap();
        let plan = case.start_plan(1, d(2026, 1, 12)).unwrap();
        plan.add_goal(
            10,
            NewGoal {
                domain: LifeDomain::Tijdsbesteding,
                description: "Karel heeft een zinvolle dagbesteding".into(),
                measure: "Drie dagdelen per week bij de dagactiviteit".into(),
                target_date: d(2026, 4, 12),
                term: Term::Short,
            },
        )
        .unwrap();
        case
    }

    fn agreement(step_no: u8, actor: AgreementActor) -> NewAgreement {
        NewAgreement {
            goal_id: 10,
            actor,
            actor_name: "Buurtcentrum De Kroon".into(),
            description: "Dagactiviteit".into(),
            step: step(step_no),
            form: SupportForm::Faciliteren,
            frequency: "3 keer per week".into(),
            start: d(2026, 1, 19),
            end_date: None,
            own_contribution: "Karel gaat zelf op de fiets".into(),
            justification: None,
            referral_id: None,
        }
    }

    fn full_justification() -> Justification {
        Justification::new((1..=4).map(|s| (step(s), format!("Stap {s} is niet genoeg omdat ..."))))
    }

    #[test]
    fn a_second_open_plan_is_refused() {
        let mut case = karel();
        assert_eq!(
            case.start_plan(2, d(2026, 2, 1)).unwrap_err(),
            PlanError::PlanAlreadyOpen
        );
    }

    #[test]
    fn a_plan_needs_a_coordinator_and_there_is_only_one() {
        let mut case = HouseholdCase::new(1);
        assert_eq!(
            case.start_plan(1, d(2026, 1, 1)).unwrap_err(),
            PlanError::NoCoordinator
        );
        case.assign_coordinator(5).unwrap();
        assert_eq!(
            case.assign_coordinator(6),
            Err(PlanError::CoordinatorAlreadySet(5))
        );
        case.hand_over(6);
        assert_eq!(case.coordinator, Some(6));
    }

    #[test]
    fn eigen_kracht_conferentie_and_day_activities_need_no_justification() {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        let mut ekc = agreement(2, AgreementActor::NetworkMember);
        ekc.actor_name = "Familie, oude vrienden en buren".into();
        plan.add_agreement(20, ekc, &[]).unwrap();
        plan.add_agreement(21, agreement(3, AgreementActor::SocialMapService), &[])
            .unwrap();
        assert_eq!(plan.agreements.len(), 2);
    }

    #[test]
    fn step_four_without_reasons_for_every_lighter_step_is_refused() {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        let mut a = agreement(4, AgreementActor::Generalist);
        a.end_date = Some(d(2026, 4, 1));
        assert_eq!(
            plan.check_agreement(&a, &[]),
            Err(PlanError::JustificationMissing {
                step: 4,
                missing: 1
            })
        );
        a.justification = Some(Justification::new([
            (step(1), "Karel kan dit niet alleen".to_owned()),
            (step(2), "  ".to_owned()),
            (
                step(3),
                "Geen algemene voorziening voor schuldhulp".to_owned(),
            ),
        ]));
        assert_eq!(
            plan.check_agreement(&a, &[]),
            Err(PlanError::JustificationMissing {
                step: 4,
                missing: 2
            })
        );
        a.justification = Some(full_justification());
        assert!(plan.check_agreement(&a, &[]).is_ok());
    }

    #[test]
    fn step_five_without_approved_referral_is_refused() {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        let mut a = agreement(5, AgreementActor::SpecialistProvider);
        a.end_date = Some(d(2026, 7, 1));
        a.justification = Some(full_justification());
        assert_eq!(
            plan.check_agreement(&a, &[]),
            Err(PlanError::ReferralNotApproved)
        );
        let mut r = Referral::request(
            3,
            1,
            100,
            d(2026, 1, 20),
            "Beschermd wonen",
            full_justification(),
        )
        .unwrap();
        a.referral_id = Some(3);
        assert_eq!(
            plan.check_agreement(&a, &[r.clone()]),
            Err(PlanError::ReferralNotApproved)
        );
        assert_eq!(
            r.approve(Role::Generalist, 100, d(2026, 1, 21), ""),
            Err(ReferralError::NotTeamLead)
        );
        assert_eq!(
            r.reject(Role::Teamleider, 200, d(2026, 1, 21), " "),
            Err(ReferralError::ReasonMissing)
        );
        r.reject(
            Role::Teamleider,
            200,
            d(2026, 1, 21),
            "Eerst ambulante begeleiding proberen",
        )
        .unwrap();
        assert_eq!(
            plan.check_agreement(&a, &[r.clone()]),
            Err(PlanError::ReferralNotApproved)
        );
        let mut r2 = Referral::request(
            4,
            1,
            100,
            d(2026, 2, 1),
            "Beschermd wonen",
            full_justification(),
        )
        .unwrap();
        r2.approve(Role::Teamleider, 200, d(2026, 2, 2), "Akkoord")
            .unwrap();
        a.referral_id = Some(4);
        assert!(plan.add_agreement(22, a, &[r, r2]).is_ok());
    }

    #[test]
    fn a_professional_agreement_without_end_date_is_refused() {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        let a = agreement(3, AgreementActor::Generalist);
        assert_eq!(
            plan.check_agreement(&a, &[]),
            Err(PlanError::EndDateMissing)
        );
        // A neighbour's help may be open-ended.
        assert!(plan
            .check_agreement(&agreement(2, AgreementActor::NetworkMember), &[])
            .is_ok());
    }

    #[test]
    fn an_agreement_past_its_date_without_evaluation_flags_the_plan() {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        let mut a = agreement(3, AgreementActor::Generalist);
        a.end_date = Some(d(2026, 3, 1));
        plan.add_agreement(20, a, &[]).unwrap();
        assert!(plan.flags(d(2026, 3, 1)).is_empty());
        assert!(matches!(
            plan.flags(d(2026, 3, 2))[0],
            PlanFlag::AgreementEvaluationOverdue {
                agreement_id: 20,
                ..
            }
        ));
        plan.continue_agreement(20, d(2026, 3, 2), Some(d(2026, 6, 1)))
            .unwrap();
        assert!(plan.flags(d(2026, 3, 3)).is_empty());
    }

    #[test]
    fn closure_waits_until_every_agreement_has_ended() {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        plan.add_agreement(20, agreement(2, AgreementActor::NetworkMember), &[])
            .unwrap();
        assert_eq!(
            plan.close(d(2026, 5, 1), "Doelen behaald"),
            Err(PlanError::AgreementsRunning(1))
        );
        plan.evaluate(&Evaluation {
            on: d(2026, 4, 12),
            outcomes: vec![(10, GoalOutcome::Achieved, "Gaat drie keer per week".into())],
        })
        .unwrap();
        plan.end_agreement(20, d(2026, 4, 30)).unwrap();
        plan.close(d(2026, 5, 1), "Doelen behaald").unwrap();
        // After closure a new plan may be opened.
        assert!(case.start_plan(2, d(2026, 6, 1)).is_ok());
    }

    #[derive(Debug, Clone)]
    enum Op {
        StartPlan,
        AddAgreement {
            step: u8,
            actor: usize,
            justify: bool,
            end: bool,
            referral: Option<usize>,
        },
        RequestReferral,
        Decide {
            which: usize,
            approve: bool,
            teamlead: bool,
        },
        EndAll,
        Close,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::StartPlan),
            (
                1u8..=5,
                0usize..6,
                any::<bool>(),
                any::<bool>(),
                proptest::option::of(0usize..4)
            )
                .prop_map(|(step, actor, justify, end, referral)| Op::AddAgreement {
                    step,
                    actor,
                    justify,
                    end,
                    referral
                }),
            Just(Op::RequestReferral),
            (0usize..4, any::<bool>(), any::<bool>()).prop_map(|(which, approve, teamlead)| {
                Op::Decide {
                    which,
                    approve,
                    teamlead,
                }
            }),
            Just(Op::EndAll),
            Just(Op::Close),
        ]
    }

    proptest! {
        /// Whatever a user tries through the API, no rule is ever broken.
        #[test]
        fn the_rules_cannot_be_broken_through_the_domain_api(ops in proptest::collection::vec(op(), 1..40)) {
            let mut case = HouseholdCase::new(1);
            case.assign_coordinator(100).unwrap();
            let mut referrals: Vec<Referral> = Vec::new();
            let mut next_id = 1i64;
            let day = d(2026, 1, 5);
            for op in ops {
                next_id += 1;
                match op {
                    Op::StartPlan => {
                        let had_open = case.open_plan().is_some();
                        let r = case.start_plan(next_id, day).map(|p| {
                            p.add_goal(next_id * 1000, NewGoal { domain: LifeDomain::Financien, description: "Schulden op orde".into(), measure: "Budgetplan".into(), target_date: d(2026, 6, 1), term: Term::Short }).map(|_| ())
                        });
                        prop_assert_eq!(r.is_err(), had_open);
                    }
                    Op::AddAgreement { step: s, actor, justify, end, referral } => {
                        let Some(plan) = case.open_plan_mut() else { continue };
                        let goal_id = plan.goals[0].id;
                        let a = NewAgreement {
                            goal_id,
                            actor: AgreementActor::ALL[actor],
                            actor_name: "iemand".into(),
                            description: "iets".into(),
                            step: step(s),
                            form: SupportForm::Ondersteunen,
                            frequency: String::new(),
                            start: day,
                            end_date: end.then(|| d(2026, 3, 1)),
                            own_contribution: String::new(),
                            justification: justify.then(full_justification),
                            referral_id: referral.and_then(|i| referrals.get(i)).map(|r| r.id),
                        };
                        let approved = a.referral_id.is_some_and(|id| referrals.iter().any(|r| r.id == id && r.plan_id == plan.id && r.is_approved()));
                        let should_pass = (s < 4 || justify)
                            && (s < 5 || approved)
                            && (end || !(a.actor.is_professional() || s >= 4));
                        let result = plan.add_agreement(next_id, a, &referrals);
                        prop_assert_eq!(result.is_ok(), should_pass);
                    }
                    Op::RequestReferral => {
                        if let Some(plan) = case.open_plan() {
                            referrals.push(Referral::request(next_id, plan.id, 100, day, "Maatwerk", full_justification()).unwrap());
                        }
                    }
                    Op::Decide { which, approve, teamlead } => {
                        if let Some(r) = referrals.get_mut(which) {
                            let role = if teamlead { Role::Teamleider } else { Role::Generalist };
                            let before = r.status.clone();
                            let res = if approve { r.approve(role, 200, day, "") } else { r.reject(role, 200, day, "Past niet") };
                            if !teamlead { prop_assert!(res.is_err()); prop_assert_eq!(&r.status, &before); }
                        }
                    }
                    Op::EndAll => {
                        if let Some(plan) = case.open_plan_mut() {
                            let ids: Vec<i64> = plan.agreements.iter().filter(|a| a.is_running()).map(|a| a.id).collect();
                            for id in ids { plan.end_agreement(id, d(2026, 2, 1)).unwrap(); }
                        }
                    }
                    Op::Close => {
                        if let Some(plan) = case.open_plan_mut() {
                            let running = plan.agreements.iter().any(|a| a.is_running());
                            prop_assert_eq!(plan.close(d(2026, 2, 2), "Klaar").is_err(), running);
                        }
                    }
                }
                // The invariants, after every operation.
                prop_assert!(case.plans.iter().filter(|p| p.is_open()).count() <= 1);
                for p in &case.plans {
                    for a in &p.agreements {
                        let t = &a.terms;
                        if t.step.needs_justification() {
                            prop_assert!(t.justification.as_ref().is_some_and(|j| j.first_gap(t.step).is_none()));
                        }
                        if t.step.needs_referral() {
                            prop_assert!(t.referral_id.is_some_and(|id| referrals.iter().any(|r| r.id == id && r.is_approved())));
                        }
                        if t.is_professional() {
                            prop_assert!(t.end_date.is_some());
                        }
                    }
                    if !p.is_open() {
                        prop_assert!(p.agreements.iter().all(|a| !a.is_running()));
                    }
                }
            }
        }
    }
}
