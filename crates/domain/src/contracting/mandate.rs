//! The team mandate ("ruimte voor de professional"): the highest ladder step and
//! the budget per household per year that a generalist may commit without a
//! team lead. Within it a referral needs no approval (but is recorded with its
//! reasons like any other); above it, a team lead decides.

use super::Cents;
use crate::LadderStep;

/// A team's mandate, set by the beheerder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamMandate {
    pub highest_step: LadderStep,
    pub yearly_budget: Cents,
}

/// Why a referral needs a team lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MandateReason {
    /// The team has no mandate.
    NoMandate,
    /// The product's step is above the team's highest step.
    StepAbove { step: u8, highest: u8 },
    /// The household's commitments this year would exceed the budget.
    BudgetExceeded { yearly: i64, budget: i64 },
}

impl MandateReason {
    /// Dutch, for the referral page.
    pub fn explain(self) -> String {
        match self {
            MandateReason::NoMandate => {
                "Het team heeft geen mandaat: de teamleider beslist.".to_owned()
            }
            MandateReason::StepAbove { step, highest } => format!(
                "Trede {step} ligt boven het mandaat van het team (tot en met trede {highest})."
            ),
            MandateReason::BudgetExceeded { yearly, budget } => format!(
                "De kosten per jaar voor dit huishouden ({}) zijn hoger dan het mandaat ({}).",
                Cents::new(yearly.max(0)).unwrap_or_default(),
                Cents::new(budget).unwrap_or_default()
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MandateDecision {
    /// The generalist may commit; recorded without a team lead's approval.
    Within,
    /// A team lead must approve; every reason, not just the first.
    NeedsTeamLead(Vec<MandateReason>),
}

impl MandateDecision {
    pub fn is_within(&self) -> bool {
        *self == MandateDecision::Within
    }
}

impl TeamMandate {
    /// The decision for a team that may or may not have a mandate: without
    /// one (what a team has until the beheerder sets it) every referral goes
    /// to the team lead.
    pub fn decide_for(
        mandate: Option<&TeamMandate>,
        step: LadderStep,
        household_yearly: i64,
    ) -> MandateDecision {
        match mandate {
            Some(m) => m.decide(step, household_yearly),
            None => MandateDecision::NeedsTeamLead(vec![MandateReason::NoMandate]),
        }
    }

    /// May a generalist commit a referral on `step` when the household's
    /// commitments for the year, this referral included, cost `household_yearly`
    /// cents?
    pub fn decide(&self, step: LadderStep, household_yearly: i64) -> MandateDecision {
        let mut reasons = Vec::new();
        if step > self.highest_step {
            reasons.push(MandateReason::StepAbove {
                step: step.value(),
                highest: self.highest_step.value(),
            });
        }
        if household_yearly > self.yearly_budget.value() {
            reasons.push(MandateReason::BudgetExceeded {
                yearly: household_yearly,
                budget: self.yearly_budget.value(),
            });
        }
        if reasons.is_empty() {
            MandateDecision::Within
        } else {
            MandateDecision::NeedsTeamLead(reasons)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mandate(step: u8, euros: i64) -> TeamMandate {
        TeamMandate {
            highest_step: LadderStep::new(step).unwrap(),
            yearly_budget: Cents::new(euros * 100).unwrap(),
        }
    }

    #[test]
    fn step_four_within_five_hundred_euros_needs_no_team_lead() {
        let m = mandate(4, 500);
        assert!(m.decide(LadderStep::new(4).unwrap(), 50_000).is_within());
    }

    #[test]
    fn step_five_above_a_step_four_mandate_needs_the_team_lead() {
        let m = mandate(4, 500);
        assert_eq!(
            m.decide(LadderStep::new(5).unwrap(), 60_000),
            MandateDecision::NeedsTeamLead(vec![
                MandateReason::StepAbove {
                    step: 5,
                    highest: 4
                },
                MandateReason::BudgetExceeded {
                    yearly: 60_000,
                    budget: 50_000
                }
            ])
        );
    }

    #[test]
    fn without_a_mandate_everything_goes_to_the_team_lead() {
        assert!(!TeamMandate::decide_for(None, LadderStep::new(1).unwrap(), 0).is_within());
    }

    proptest! {
        /// Within the mandate exactly when both the step and the cost fit.
        #[test]
        fn within_iff_step_and_cost_fit(
            highest in 1u8..=5, budget in 0i64..1_000_000,
            step in 1u8..=5, cost in 0i64..1_500_000,
        ) {
            let m = TeamMandate {
                highest_step: LadderStep::new(highest).unwrap(),
                yearly_budget: Cents::new(budget).unwrap(),
            };
            let within = m.decide(LadderStep::new(step).unwrap(), cost).is_within();
            prop_assert_eq!(within, step <= highest && cost <= budget);
        }

        /// A wider mandate never takes a referral out of it; a cheaper or
        /// lighter referral stays within.
        #[test]
        fn the_mandate_is_monotone(
            highest in 1u8..=5, budget in 0i64..1_000_000, extra in 0i64..1_000_000,
            step in 1u8..=5, cost in 0i64..1_500_000, cheaper in 0i64..1_500_000,
        ) {
            let m = TeamMandate {
                highest_step: LadderStep::new(highest).unwrap(),
                yearly_budget: Cents::new(budget).unwrap(),
            };
            let wider = TeamMandate {
                highest_step: LadderStep::new(5).unwrap(),
                yearly_budget: Cents::new(budget + extra).unwrap(),
            };
            let s = LadderStep::new(step).unwrap();
            if m.decide(s, cost).is_within() {
                prop_assert!(wider.decide(s, cost).is_within());
                prop_assert!(m.decide(s, cost.min(cheaper)).is_within());
                for lighter in 1..=step {
                    prop_assert!(m.decide(LadderStep::new(lighter).unwrap(), cost).is_within());
                }
            }
        }
    }
}
