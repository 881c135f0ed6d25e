//! The Eigen Kracht-conferentie as a step in the plan (Karel's story): asked
//! for with the household's consent, organised by an independent coordinator
//! (a provider on the social map) on a date, with network members invited from
//! the conversation's network; afterwards the family's own plan is entered in
//! one go, its agreements carried out by the resident (step 1) or by the
//! invited network members (step 2).
//!
//! The request itself becomes a step-2 agreement carried out by the
//! coordinator, so baken 2 (eigen kracht) counts it, and the consent covers
//! exactly that agreement (and the network, which the coordinator needs to
//! invite people): the coordinator sees nothing else of the plan.

use super::plan::{AgreementActor, NewAgreement};
use super::sharing::PurposeDraft;
use super::{clean_text, not_in_future};
use crate::ladder::{LadderStep, SupportForm};
use chrono::NaiveDate;
use serde::Serialize;

/// Why a conference cannot be asked for, or its family plan not entered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConferenceError {
    #[error("the household's consent to share with the coordinator is needed")]
    NoConsent,
    #[error("invite at least one member of the household's network")]
    NoInvitees,
    #[error("{0} is not in the household's network")]
    NotInNetwork(String),
    #[error("the conference cannot be planned before today")]
    PlannedInPast,
    #[error("row {0}: say who does it (the resident or an invited network member) and what")]
    Row(usize),
    #[error("row {0}: {1} was not invited to the conference")]
    NotInvited(usize, String),
    #[error("the family plan needs at least one agreement")]
    EmptyPlan,
    #[error("the family plan can only be entered on or after the conference day")]
    PlanBeforeConference,
    #[error("the family plan of this conference was already entered")]
    AlreadyEntered,
}

/// Someone invited to the conference: a member of the household's network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitee {
    pub name: String,
    pub relation: String,
}

/// A conference asked for: who organises it, when, and who is invited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConferenceRequest {
    coordinator_id: i64,
    planned_on: NaiveDate,
    invitees: Vec<Invitee>,
}

impl ConferenceRequest {
    /// `chosen` names members of `network` (by name); the household must have
    /// consented to sharing with the coordinator; the day is today or later.
    pub fn new(
        consent: bool,
        coordinator_id: i64,
        planned_on: NaiveDate,
        chosen: &[String],
        network: &[Invitee],
        today: NaiveDate,
    ) -> Result<ConferenceRequest, ConferenceError> {
        if !consent {
            return Err(ConferenceError::NoConsent);
        }
        if planned_on < today {
            return Err(ConferenceError::PlannedInPast);
        }
        let mut invitees: Vec<Invitee> = Vec::new();
        for name in chosen {
            let member = network
                .iter()
                .find(|m| m.name == *name)
                .ok_or_else(|| ConferenceError::NotInNetwork(name.clone()))?;
            if !invitees.contains(member) {
                invitees.push(member.clone());
            }
        }
        if invitees.is_empty() {
            return Err(ConferenceError::NoInvitees);
        }
        Ok(ConferenceRequest {
            coordinator_id,
            planned_on,
            invitees,
        })
    }

    pub fn coordinator_id(&self) -> i64 {
        self.coordinator_id
    }
    pub fn planned_on(&self) -> NaiveDate {
        self.planned_on
    }
    pub fn invitees(&self) -> &[Invitee] {
        &self.invitees
    }

    /// The plan's step-2 agreement for organising the conference, carried out
    /// by the coordinator (named `coordinator_name`) until the conference day.
    pub fn agreement(
        &self,
        goal_id: i64,
        coordinator_name: &str,
        today: NaiveDate,
    ) -> NewAgreement {
        NewAgreement {
            goal_id,
            actor: AgreementActor::SocialMapService,
            actor_name: coordinator_name.to_owned(),
            provider_id: Some(self.coordinator_id),
            description: "Eigen Kracht-conferentie organiseren met familie, vrienden en buren"
                .to_owned(),
            step: LadderStep::new(2).expect("2 is a ladder step"),
            form: SupportForm::Faciliteren,
            frequency: "eenmalig".to_owned(),
            start: today,
            end_date: Some(self.planned_on),
            own_contribution: "Nodigt samen met de coördinator het netwerk uit".to_owned(),
            justification: None,
            referral_id: None,
        }
    }

    /// What the consent for the coordinator covers: the conference's
    /// agreement, and the network (to invite people) — nothing else.
    pub fn consent_purpose(agreement_id: i64) -> PurposeDraft {
        PurposeDraft {
            agreements: vec![agreement_id],
            referral: None,
            network: true,
            scores: false,
        }
    }
}

/// One line of the family plan as typed: who (the resident, or an invited
/// network member by name) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyPlanRow {
    /// `None` is the resident; `Some(name)` an invited network member.
    pub actor: Option<String>,
    pub description: String,
}

/// The family plan's agreements, all or none: the resident's on step 1, an
/// invited network member's on step 2, under goal `goal_id`, from `held_on`
/// (the conference day, not before it, not in the future). Rows with neither
/// an actor nor a text are skipped; a row with only one of them is refused.
pub fn family_plan(
    rows: &[(usize, Option<FamilyPlanRow>)],
    invitees: &[Invitee],
    planned_on: NaiveDate,
    held_on: NaiveDate,
    goal_id: i64,
    today: NaiveDate,
) -> Result<Vec<NewAgreement>, ConferenceError> {
    if held_on < planned_on {
        return Err(ConferenceError::PlanBeforeConference);
    }
    not_in_future(held_on, today).map_err(|_| ConferenceError::PlanBeforeConference)?;
    let mut agreements = Vec::new();
    for (row, line) in rows {
        let Some(line) = line else {
            return Err(ConferenceError::Row(*row));
        };
        let description = clean_text(&line.description, 500).ok_or(ConferenceError::Row(*row))?;
        let (actor, actor_name, step) = match &line.actor {
            None => (AgreementActor::Resident, "Bewoner zelf".to_owned(), 1),
            Some(name) => {
                if !invitees.iter().any(|i| i.name == *name) {
                    return Err(ConferenceError::NotInvited(*row, name.clone()));
                }
                (AgreementActor::NetworkMember, name.clone(), 2)
            }
        };
        agreements.push(NewAgreement {
            goal_id,
            actor,
            actor_name,
            provider_id: None,
            description,
            step: LadderStep::new(step).expect("1 and 2 are ladder steps"),
            form: SupportForm::Faciliteren,
            frequency: String::new(),
            start: held_on,
            end_date: None,
            own_contribution: String::new(),
            justification: None,
            referral_id: None,
        });
    }
    if agreements.is_empty() {
        return Err(ConferenceError::EmptyPlan);
    }
    Ok(agreements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 9, 1).expect("date") + chrono::Duration::days(n)
    }

    fn network() -> Vec<Invitee> {
        ["Jan", "Marie", "Buurman Piet"]
            .iter()
            .map(|n| Invitee {
                name: (*n).to_owned(),
                relation: "familie".to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_conference_needs_consent_invitees_from_the_network_and_a_day_ahead() {
        let chosen = vec!["Jan".to_owned()];
        assert_eq!(
            ConferenceRequest::new(false, 1, d(10), &chosen, &network(), d(0)),
            Err(ConferenceError::NoConsent)
        );
        assert_eq!(
            ConferenceRequest::new(true, 1, d(10), &[], &network(), d(0)),
            Err(ConferenceError::NoInvitees)
        );
        assert_eq!(
            ConferenceRequest::new(true, 1, d(10), &["Kees".to_owned()], &network(), d(0)),
            Err(ConferenceError::NotInNetwork("Kees".into()))
        );
        assert_eq!(
            ConferenceRequest::new(true, 1, d(-1), &chosen, &network(), d(0)),
            Err(ConferenceError::PlannedInPast)
        );
        let request =
            ConferenceRequest::new(true, 7, d(10), &chosen, &network(), d(0)).expect("ok");
        let a = request.agreement(3, "Eigen Kracht Centrale", d(0));
        assert_eq!((a.step.value(), a.provider_id), (2, Some(7)));
        assert!(a.actor.may_be_provider());
        let purpose = ConferenceRequest::consent_purpose(42);
        assert_eq!(purpose.agreements, vec![42]);
        assert!(purpose.network && !purpose.scores);
    }

    #[test]
    fn the_family_plan_is_entered_after_the_conference_by_invitees_only() {
        let invitees = &network()[..1];
        let row = |actor: Option<&str>, what: &str| {
            Some(FamilyPlanRow {
                actor: actor.map(str::to_owned),
                description: what.to_owned(),
            })
        };
        assert_eq!(
            family_plan(&[(1, row(None, "x"))], invitees, d(10), d(9), 1, d(20)),
            Err(ConferenceError::PlanBeforeConference)
        );
        assert_eq!(
            family_plan(
                &[(1, row(Some("Marie"), "koken"))],
                invitees,
                d(10),
                d(10),
                1,
                d(20)
            ),
            Err(ConferenceError::NotInvited(1, "Marie".into()))
        );
        assert_eq!(
            family_plan(&[], invitees, d(10), d(10), 1, d(20)),
            Err(ConferenceError::EmptyPlan)
        );
        let plan = family_plan(
            &[
                (1, row(None, "Opent de post")),
                (2, row(Some("Jan"), "Kookt op dinsdag")),
            ],
            invitees,
            d(10),
            d(11),
            1,
            d(20),
        )
        .expect("ok");
        assert_eq!(plan[0].step.value(), 1);
        assert_eq!(
            (plan[1].step.value(), plan[1].actor_name.as_str()),
            (2, "Jan")
        );
    }

    proptest! {
        #[test]
        fn a_family_plan_holds_only_steps_one_and_two_by_the_resident_or_invitees(
            rows in prop::collection::vec((prop::option::of(0usize..4), "[a-z ]{0,12}"), 0..8),
            invited in 1usize..3,
        ) {
            let names = ["Jan", "Marie", "Buurman Piet", "Kees"];
            let invitees = &network()[..invited];
            let rows: Vec<(usize, Option<FamilyPlanRow>)> = rows
                .into_iter()
                .enumerate()
                .map(|(i, (actor, what))| (i + 1, Some(FamilyPlanRow {
                    actor: actor.map(|a| names[a].to_owned()),
                    description: what,
                })))
                .collect();
            if let Ok(plan) = family_plan(&rows, invitees, d(0), d(0), 1, d(0)) {
                prop_assert!(!plan.is_empty());
                for a in plan {
                    prop_assert!(a.step.value() <= 2);
                    prop_assert!(a.provider_id.is_none() && !a.actor.is_professional());
                    match a.actor {
                        AgreementActor::Resident => prop_assert_eq!(a.step.value(), 1),
                        AgreementActor::NetworkMember => {
                            prop_assert_eq!(a.step.value(), 2);
                            prop_assert!(invitees.iter().any(|i| i.name == a.actor_name));
                        }
                        other => prop_assert!(false, "actor {other:?}"),
                    }
                }
            }
        }
    }
}
