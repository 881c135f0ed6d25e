use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn step(n: u8) -> LadderStep {
    LadderStep::new(n).unwrap()
}
/// "Today" in these tests: late in the year, after every date used.
fn today() -> NaiveDate {
    d(2026, 11, 30)
}

fn karel() -> HouseholdCase {
    let mut case = HouseholdCase::new(7);
    case.assign_coordinator(100).unwrap();
    let plan = case.start_plan(1, d(2026, 6, 12), today()).unwrap();
    plan.add_goal(
        10,
        NewGoal {
            domain: LifeDomain::Tijdsbesteding,
            description: "Karel heeft een zinvolle dagbesteding".into(),
            measure: "Drie dagdelen per week bij de dagactiviteit".into(),
            target_date: d(2026, 9, 12),
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
        provider_id: None,
        description: "Dagactiviteit".into(),
        step: step(step_no),
        form: SupportForm::Faciliteren,
        frequency: "3 keer per week".into(),
        start: d(2026, 6, 19),
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
        case.start_plan(2, d(2026, 7, 1), today()).unwrap_err(),
        PlanError::PlanAlreadyOpen
    );
}

#[test]
fn a_plan_needs_a_coordinator_and_there_is_only_one() {
    let mut case = HouseholdCase::new(1);
    assert_eq!(
        case.start_plan(1, d(2026, 7, 1), today()).unwrap_err(),
        PlanError::NoCoordinator
    );
    case.assign_coordinator(5).unwrap();
    assert_eq!(
        case.assign_coordinator(6),
        Err(PlanError::CoordinatorAlreadySet(5))
    );
    case.hand_over(HandOverBy::TeamLead, 6, "Werkt vanaf nu in deze wijk")
        .unwrap();
    assert_eq!(case.coordinator(), Some(6));
}

#[test]
fn the_next_evaluation_is_the_earliest_open_date_of_the_plan() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    // The goal's target date (12 September) is all there is.
    assert_eq!(plan.next_evaluation(), Some(d(2026, 9, 12)));
    let mut a = agreement(3, AgreementActor::Generalist);
    a.end_date = Some(d(2026, 8, 1));
    plan.add_agreement(20, a).unwrap();
    assert_eq!(plan.next_evaluation(), Some(d(2026, 8, 1)));
    // An ended agreement is no longer evaluated.
    plan.end_agreement(20, d(2026, 7, 1), today()).unwrap();
    assert_eq!(plan.next_evaluation(), Some(d(2026, 9, 12)));
}

#[test]
fn only_the_team_lead_or_the_contact_person_hands_a_household_over_with_a_reason() {
    let mut case = HouseholdCase::new(1);
    assert_eq!(
        case.hand_over(HandOverBy::TeamLead, 6, "x"),
        Err(PlanError::NoCoordinator)
    );
    case.assign_coordinator(5).unwrap();
    // A colleague who is not the contact person may not.
    assert_eq!(
        case.hand_over(HandOverBy::Generalist(7), 7, "Ik neem het over"),
        Err(PlanError::HandOverNotAllowed)
    );
    assert_eq!(
        case.hand_over(HandOverBy::Generalist(5), 5, "Blijft"),
        Err(PlanError::HandOverToContactPerson(5))
    );
    assert_eq!(
        case.hand_over(HandOverBy::Generalist(5), 6, "  "),
        Err(PlanError::HandOverWithoutReason { contact_person: 5 })
    );
    assert_eq!(case.coordinator(), Some(5), "nothing changed");
    // The contact person hands over, with a reason.
    assert_eq!(
        case.hand_over(HandOverBy::Generalist(5), 6, " Verlof tot maart "),
        Ok(SignalRouting::HandOver {
            from: 5,
            to: 6,
            reason: "Verlof tot maart".into()
        })
    );
    // Now 5 is no longer the contact person; the team lead still may.
    assert_eq!(
        case.hand_over(HandOverBy::Generalist(5), 5, "Terug"),
        Err(PlanError::HandOverNotAllowed)
    );
    assert!(case
        .hand_over(HandOverBy::TeamLead, 5, "Terug van verlof")
        .is_ok());
    assert_eq!(case.coordinator(), Some(5));
}

#[test]
fn an_agreement_entered_by_mistake_is_withdrawn_with_a_reason_and_no_longer_runs() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    // Entered for a start later in the year, by mistake.
    let mut a = agreement(2, AgreementActor::NetworkMember);
    a.start = d(2026, 12, 20);
    plan.add_agreement(20, a).unwrap();
    plan.add_agreement(21, agreement(1, AgreementActor::Resident))
        .unwrap();
    assert_eq!(
        plan.withdraw_agreement(20, today(), " ", today()),
        Err(PlanError::WithdrawalWithoutReason)
    );
    assert_eq!(
        plan.withdraw_agreement(20, d(2026, 6, 1), "Dubbel ingevoerd", today()),
        Err(PlanError::DateBeforeOpening)
    );
    assert_eq!(
        plan.withdraw_agreement(20, d(2026, 12, 1), "Dubbel ingevoerd", today()),
        Err(PlanError::Date(DateError::InFuture))
    );
    plan.withdraw_agreement(20, today(), "Dubbel ingevoerd", today())
        .unwrap();
    let withdrawn = plan.agreements().iter().find(|a| a.id() == 20).unwrap();
    assert!(!withdrawn.is_running());
    assert_eq!(withdrawn.withdrawal_reason(), Some("Dubbel ingevoerd"));
    assert_eq!(
        plan.withdraw_agreement(20, today(), "Nog eens", today()),
        Err(PlanError::AgreementEnded)
    );
    // The other agreement runs on, and the plan reads back as it was.
    assert!(plan
        .agreements()
        .iter()
        .find(|a| a.id() == 21)
        .unwrap()
        .is_running());
    let stored = plan.to_stored();
    assert_eq!(
        HouseholdCase::from_stored(7, Some(100), vec![stored.clone()]).as_ref(),
        Ok(&case)
    );
    // A stored withdrawal without its end day is refused.
    let mut broken = stored;
    broken.agreements[0].ended_on = None;
    assert!(HouseholdCase::from_stored(7, Some(100), vec![broken]).is_err());
}

#[test]
fn a_plan_cannot_start_in_the_future_or_long_ago() {
    let mut case = HouseholdCase::new(1);
    case.assign_coordinator(5).unwrap();
    assert_eq!(
        case.start_plan(1, today() + chrono::Duration::days(1), today())
            .unwrap_err(),
        PlanError::Date(DateError::InFuture)
    );
    assert_eq!(
        case.start_plan(1, today() - chrono::Duration::days(200), today())
            .unwrap_err(),
        PlanError::Date(DateError::TooLongAgo)
    );
    // Three months back is a late registration, and allowed.
    assert!(case
        .start_plan(1, today() - chrono::Duration::days(90), today())
        .is_ok());
}

#[test]
fn eigen_kracht_conferentie_and_day_activities_need_no_justification() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut ekc = agreement(2, AgreementActor::NetworkMember);
    ekc.actor_name = "Familie, oude vrienden en buren".into();
    plan.add_agreement(20, ekc).unwrap();
    plan.add_agreement(21, agreement(3, AgreementActor::SocialMapService))
        .unwrap();
    assert_eq!(plan.agreements().len(), 2);
}

#[test]
fn only_a_provider_kind_of_actor_refers_to_a_provider() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut a = agreement(2, AgreementActor::NetworkMember);
    a.provider_id = Some(3);
    assert_eq!(plan.check_agreement(&a), Err(PlanError::ProviderNotActor));
    a.actor = AgreementActor::SocialMapService;
    assert!(plan.check_agreement(&a).is_ok());
}

#[test]
fn step_four_without_reasons_for_every_lighter_step_is_refused() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut a = agreement(4, AgreementActor::Generalist);
    a.end_date = Some(d(2026, 9, 1));
    assert_eq!(
        plan.check_agreement(&a),
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
        plan.check_agreement(&a),
        Err(PlanError::JustificationMissing {
            step: 4,
            missing: 2
        })
    );
    a.justification = Some(full_justification());
    assert!(plan.check_agreement(&a).is_ok());
}

#[test]
fn step_five_without_approved_referral_is_refused() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut a = agreement(5, AgreementActor::SpecialistProvider);
    a.end_date = Some(d(2026, 11, 1));
    a.justification = Some(full_justification());
    assert_eq!(
        plan.check_agreement(&a),
        Err(PlanError::ReferralNotApproved)
    );
    plan.request_referral(
        3,
        100,
        d(2026, 6, 20),
        "Beschermd wonen",
        full_justification(),
        today(),
    )
    .unwrap();
    a.referral_id = Some(3);
    assert_eq!(
        plan.check_agreement(&a),
        Err(PlanError::ReferralNotApproved)
    );
    let decide = |plan: &mut Plan, role, approve, note: &str| {
        plan.decide_referral(3, role, 200, d(2026, 6, 21), approve, note, today())
            .map(|_| ())
    };
    assert_eq!(
        decide(plan, Role::Generalist, true, ""),
        Err(ReferralError::NotTeamLead)
    );
    assert_eq!(
        decide(plan, Role::Teamleider, false, " "),
        Err(ReferralError::ReasonMissing)
    );
    decide(
        plan,
        Role::Teamleider,
        false,
        "Eerst ambulante begeleiding proberen",
    )
    .unwrap();
    assert_eq!(
        decide(plan, Role::Teamleider, true, ""),
        Err(ReferralError::AlreadyDecided),
        "a decision stands"
    );
    assert_eq!(
        plan.check_agreement(&a),
        Err(PlanError::ReferralNotApproved)
    );
    plan.request_referral(
        4,
        100,
        d(2026, 7, 1),
        "Beschermd wonen",
        full_justification(),
        today(),
    )
    .unwrap();
    plan.decide_referral(
        4,
        Role::Teamleider,
        200,
        d(2026, 7, 2),
        true,
        "Akkoord",
        today(),
    )
    .unwrap();
    a.referral_id = Some(4);
    assert!(plan.add_agreement(22, a).is_ok());
}

#[test]
fn a_referral_within_the_mandate_needs_no_team_lead() {
    use crate::contracting::{Cents, MandateDecision, TeamMandate};
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mandate = TeamMandate {
        highest_step: step(4),
        yearly_budget: Cents::new(50_000).unwrap(),
    };
    plan.request_referral(
        3,
        100,
        d(2026, 6, 20),
        "Hulp bij het huishouden",
        full_justification(),
        today(),
    )
    .unwrap();
    // Step 5 is above a step-4 mandate: it keeps waiting for the team lead.
    let above = mandate.decide(step(5), 0);
    assert_eq!(
        plan.approve_within_mandate(3, &above).map(|_| ()),
        Err(ReferralError::OutsideMandate)
    );
    assert!(plan.referral(3).unwrap().is_pending());
    let within = mandate.decide(step(4), 0);
    assert_eq!(within, MandateDecision::Within);
    let r = plan.approve_within_mandate(3, &within).unwrap();
    assert_eq!(
        r.status(),
        &ReferralStatus::Approved {
            by: 100,
            on: d(2026, 6, 20),
            note: WITHIN_MANDATE_NOTE.to_owned()
        },
        "approved by the generalist who asked, on the day asked"
    );
    // Nothing to decide afterwards, for the mandate or the team lead.
    assert_eq!(
        plan.approve_within_mandate(3, &within).map(|_| ()),
        Err(ReferralError::AlreadyDecided)
    );
    assert_eq!(
        plan.decide_referral(
            3,
            Role::Teamleider,
            200,
            d(2026, 6, 21),
            false,
            "nee",
            today()
        )
        .map(|_| ()),
        Err(ReferralError::AlreadyDecided)
    );
}

#[test]
fn an_approved_referral_of_an_earlier_plan_does_not_count() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    plan.request_referral(
        3,
        100,
        d(2026, 6, 20),
        "Maatwerk",
        full_justification(),
        today(),
    )
    .unwrap();
    plan.decide_referral(3, Role::Teamleider, 200, d(2026, 6, 21), true, "", today())
        .unwrap();
    plan.close(d(2026, 6, 22), "Verhuisd", today()).unwrap();
    let plan = case.start_plan(2, d(2026, 7, 1), today()).unwrap();
    plan.add_goal(
        11,
        NewGoal {
            domain: LifeDomain::Financien,
            description: "Rust in de financiën".into(),
            measure: "Geen nieuwe schulden".into(),
            target_date: d(2026, 10, 1),
            term: Term::Long,
        },
    )
    .unwrap();
    let mut a = agreement(5, AgreementActor::SpecialistProvider);
    a.goal_id = 11;
    a.start = d(2026, 7, 2);
    a.end_date = Some(d(2026, 10, 1));
    a.justification = Some(full_justification());
    a.referral_id = Some(3);
    assert_eq!(
        plan.check_agreement(&a),
        Err(PlanError::ReferralNotApproved)
    );
}

#[test]
fn a_professional_agreement_without_end_date_is_refused() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let a = agreement(3, AgreementActor::Generalist);
    assert_eq!(plan.check_agreement(&a), Err(PlanError::EndDateMissing));
    // A neighbour's help may be open-ended.
    assert!(plan
        .check_agreement(&agreement(2, AgreementActor::NetworkMember))
        .is_ok());
}

#[test]
fn an_agreement_past_its_date_flags_the_plan_until_it_is_evaluated_and_continued() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut a = agreement(3, AgreementActor::Generalist);
    a.end_date = Some(d(2026, 9, 1));
    plan.add_agreement(20, a).unwrap();
    assert!(plan.flags(d(2026, 9, 1)).is_empty());
    assert!(matches!(
        plan.flags(d(2026, 9, 2))[0],
        PlanFlag::AgreementEvaluationOverdue {
            agreement_id: 20,
            ..
        }
    ));
    // Not with a date in the future, and a professional needs a next date.
    assert_eq!(
        plan.continue_agreement(20, today() + chrono::Duration::days(1), None, today()),
        Err(PlanError::Date(DateError::InFuture))
    );
    assert_eq!(
        plan.continue_agreement(20, d(2026, 9, 2), None, today()),
        Err(PlanError::EndDateMissing)
    );
    plan.continue_agreement(20, d(2026, 9, 2), Some(d(2026, 12, 1)), today())
        .unwrap();
    assert!(plan.flags(d(2026, 9, 3)).is_empty());
    assert!(plan.agreement(20).unwrap().is_running());
}

#[test]
fn an_evaluation_continues_and_ends_agreements_all_or_nothing() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut day = agreement(3, AgreementActor::SocialMapService);
    day.end_date = Some(d(2026, 9, 1));
    plan.add_agreement(20, day).unwrap();
    plan.add_agreement(21, agreement(2, AgreementActor::NetworkMember))
        .unwrap();
    let before = plan.clone();
    // One bad decision (agreement 99) and nothing changes.
    let bad = Evaluation {
        on: d(2026, 9, 10),
        outcomes: vec![(10, GoalOutcome::Achieved, "Gaat goed".into())],
        agreements: vec![
            (
                20,
                AgreementDecision::Continue {
                    until: Some(d(2026, 12, 10)),
                },
            ),
            (99, AgreementDecision::End),
        ],
    };
    assert_eq!(
        plan.evaluate(&bad, today()),
        Err(PlanError::UnknownAgreement(99))
    );
    assert_eq!(*plan, before);
    let future = Evaluation {
        on: today() + chrono::Duration::days(1),
        ..bad.clone()
    };
    assert_eq!(
        plan.evaluate(&future, today()),
        Err(PlanError::Date(DateError::InFuture))
    );
    let good = Evaluation {
        agreements: vec![
            (
                20,
                AgreementDecision::Continue {
                    until: Some(d(2026, 12, 10)),
                },
            ),
            (21, AgreementDecision::End),
        ],
        ..bad
    };
    plan.evaluate(&good, today()).unwrap();
    assert_eq!(
        plan.goal(10).unwrap().result().unwrap().outcome,
        GoalOutcome::Achieved
    );
    assert_eq!(
        plan.agreement(20).unwrap().last_evaluated(),
        Some(d(2026, 9, 10))
    );
    assert!(plan.agreement(20).unwrap().is_running());
    assert_eq!(plan.agreement(21).unwrap().ended_on(), Some(d(2026, 9, 10)));
    assert!(plan.flags(d(2026, 11, 1)).is_empty());
}

#[test]
fn closure_waits_until_every_agreement_has_ended() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    plan.add_agreement(20, agreement(2, AgreementActor::NetworkMember))
        .unwrap();
    assert_eq!(
        plan.close(d(2026, 10, 1), "Doelen behaald", today()),
        Err(PlanError::AgreementsRunning(1))
    );
    plan.evaluate(
        &Evaluation {
            on: d(2026, 9, 12),
            outcomes: vec![(10, GoalOutcome::Achieved, "Gaat drie keer per week".into())],
            agreements: vec![],
        },
        today(),
    )
    .unwrap();
    plan.end_agreement(20, d(2026, 9, 30), today()).unwrap();
    plan.close(d(2026, 10, 1), "Doelen behaald", today())
        .unwrap();
    // After closure a new plan may be opened.
    assert!(case.start_plan(2, d(2026, 11, 1), today()).is_ok());
}

#[test]
fn stored_data_that_breaks_a_rule_is_refused_with_the_rule() {
    let mut case = karel();
    let plan = case.open_plan_mut().unwrap();
    let mut a = agreement(3, AgreementActor::Generalist);
    a.end_date = Some(d(2026, 9, 1));
    plan.add_agreement(20, a).unwrap();
    let stored = plan.to_stored();
    // What the domain wrote reads back as it was.
    assert_eq!(
        HouseholdCase::from_stored(7, Some(100), vec![stored.clone()]).as_ref(),
        Ok(&case)
    );
    // A professional agreement whose end date went missing.
    let mut broken = stored.clone();
    broken.agreements[0].terms.end_date = None;
    assert_eq!(
        HouseholdCase::from_stored(7, Some(100), vec![broken]),
        Err(RestoreError::Agreement {
            plan: 1,
            agreement: 20,
            rule: PlanError::EndDateMissing
        })
    );
    // Step 5 on a referral of another plan.
    let mut other = stored.clone();
    other.id = 2;
    other.status = PlanStatus::Closed {
        on: d(2026, 6, 30),
        reason: "Verhuisd".into(),
    };
    other.agreements.clear();
    other.goals.clear();
    other.referrals.push(StoredReferral {
        id: 5,
        plan_id: 2,
        requested_by: 100,
        requested_on: d(2026, 6, 13),
        care: "Beschermd wonen".into(),
        justification: full_justification(),
        status: ReferralStatus::Approved {
            by: 200,
            on: d(2026, 6, 14),
            note: String::new(),
        },
    });
    let mut five = stored.clone();
    let mut t = agreement(5, AgreementActor::SpecialistProvider);
    t.end_date = Some(d(2026, 12, 1));
    t.justification = Some(full_justification());
    t.referral_id = Some(5);
    five.agreements[0].terms = t;
    assert_eq!(
        HouseholdCase::from_stored(7, Some(100), vec![other, five]),
        Err(RestoreError::Agreement {
            plan: 1,
            agreement: 20,
            rule: PlanError::ReferralNotApproved
        })
    );
    // Two open plans, a plan without a coordinator, a closed plan with a running agreement.
    let mut second = stored.clone();
    second.id = 2;
    assert_eq!(
        HouseholdCase::from_stored(7, Some(100), vec![stored.clone(), second]),
        Err(RestoreError::SeveralOpenPlans {
            household: 7,
            count: 2
        })
    );
    assert_eq!(
        HouseholdCase::from_stored(7, None, vec![stored.clone()]),
        Err(RestoreError::NoCoordinator { household: 7 })
    );
    let mut closed = stored;
    closed.status = PlanStatus::Closed {
        on: d(2026, 10, 1),
        reason: "Klaar".into(),
    };
    assert_eq!(
        HouseholdCase::from_stored(7, Some(100), vec![closed]),
        Err(RestoreError::ClosedWithRunningAgreements {
            plan: 1,
            running: 1
        })
    );
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
        provider: bool,
    },
    RequestReferral,
    Decide {
        which: usize,
        approve: bool,
        teamlead: bool,
    },
    ContinueAll {
        with_date: bool,
    },
    Evaluate {
        end_some: bool,
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
            proptest::option::of(0usize..6),
            any::<bool>(),
        )
            .prop_map(
                |(step, actor, justify, end, referral, provider)| Op::AddAgreement {
                    step,
                    actor,
                    justify,
                    end,
                    referral,
                    provider
                }
            ),
        Just(Op::RequestReferral),
        (0usize..6, any::<bool>(), any::<bool>()).prop_map(|(which, approve, teamlead)| {
            Op::Decide {
                which,
                approve,
                teamlead,
            }
        }),
        any::<bool>().prop_map(|with_date| Op::ContinueAll { with_date }),
        any::<bool>().prop_map(|end_some| Op::Evaluate { end_some }),
        Just(Op::EndAll),
        Just(Op::Close),
    ]
}

proptest! {
    /// Whatever a user tries through the API, no rule is ever broken; and what
    /// the API produced always reads back from storage unchanged.
    #[test]
    fn the_rules_cannot_be_broken_through_the_domain_api(ops in proptest::collection::vec(op(), 1..40)) {
        let mut case = HouseholdCase::new(1);
        case.assign_coordinator(100).unwrap();
        // Every referral ever requested: (id, plan id), in request order.
        let mut referrals: Vec<(i64, i64)> = Vec::new();
        let mut next_id = 1i64;
        let day = d(2026, 6, 5);
        let today = today();
        for op in ops {
            next_id += 1;
            match op {
                Op::StartPlan => {
                    let had_open = case.open_plan().is_some();
                    let r = case.start_plan(next_id, day, today).map(|p| {
                        p.add_goal(next_id * 1000, NewGoal { domain: LifeDomain::Financien, description: "Schulden op orde".into(), measure: "Budgetplan".into(), target_date: d(2026, 9, 1), term: Term::Short }).map(|_| ())
                    });
                    prop_assert_eq!(r.is_err(), had_open);
                }
                Op::AddAgreement { step: s, actor, justify, end, referral, provider } => {
                    let Some(plan) = case.open_plan_mut() else { continue };
                    let goal_id = plan.goals()[0].id();
                    let actor = AgreementActor::ALL[actor];
                    let a = NewAgreement {
                        goal_id,
                        actor,
                        actor_name: "iemand".into(),
                        provider_id: provider.then_some(3),
                        description: "iets".into(),
                        step: step(s),
                        form: SupportForm::Ondersteunen,
                        frequency: String::new(),
                        start: day,
                        end_date: end.then(|| d(2026, 8, 1)),
                        own_contribution: String::new(),
                        justification: justify.then(full_justification),
                        // Any referral ever requested, of this plan or an earlier one.
                        referral_id: referral.and_then(|i| referrals.get(i)).map(|r| r.0),
                    };
                    let plan_id = plan.id();
                    let approved = a.referral_id.is_some_and(|id| {
                        referrals.iter().any(|r| r.0 == id && r.1 == plan_id)
                            && plan.referral(id).is_some_and(|r| r.is_approved())
                    });
                    let should_pass = (s < 4 || justify)
                        && (s < 5 || approved)
                        && (end || !(actor.is_professional() || s >= 4))
                        && (!provider || actor.may_be_provider());
                    let result = plan.add_agreement(next_id, a);
                    prop_assert_eq!(result.is_ok(), should_pass, "{:?}", result);
                }
                Op::RequestReferral => {
                    if let Some(plan) = case.open_plan_mut() {
                        let id = plan.request_referral(next_id, 100, day, "Maatwerk", full_justification(), today).unwrap().id();
                        referrals.push((id, plan.id()));
                    }
                }
                Op::Decide { which, approve, teamlead } => {
                    let Some(&(rid, plan_id)) = referrals.get(which) else { continue };
                    let plan = case.plan_mut(plan_id).unwrap();
                    let role = if teamlead { Role::Teamleider } else { Role::Generalist };
                    let before = plan.referral(rid).unwrap().status().clone();
                    let res = plan.decide_referral(rid, role, 200, day, approve, "Past niet", today).map(|r| r.status().clone());
                    let after = plan.referral(rid).unwrap().status().clone();
                    if !teamlead || before != ReferralStatus::Pending || !plan.is_open() {
                        prop_assert!(res.is_err());
                        prop_assert_eq!(&after, &before, "a refused decision changes nothing");
                    } else {
                        prop_assert_eq!(after.code(), if approve { "goedgekeurd" } else { "afgewezen" });
                    }
                }
                Op::ContinueAll { with_date } => {
                    if let Some(plan) = case.open_plan_mut() {
                        let ids: Vec<(i64, bool)> = plan.agreements().iter().filter(|a| a.is_running()).map(|a| (a.id(), a.terms().is_professional())).collect();
                        for (id, professional) in ids {
                            let r = plan.continue_agreement(id, d(2026, 8, 2), with_date.then(|| d(2026, 11, 1)), today);
                            prop_assert_eq!(r.is_ok(), with_date || !professional);
                        }
                    }
                }
                Op::Evaluate { end_some } => {
                    if let Some(plan) = case.open_plan_mut() {
                        let agreements = plan.agreements().iter().filter(|a| a.is_running()).enumerate().map(|(i, a)| {
                            let decision = if end_some && i % 2 == 0 { AgreementDecision::End } else { AgreementDecision::Continue { until: Some(d(2026, 11, 20)) } };
                            (a.id(), decision)
                        }).collect();
                        let goal = plan.goals()[0].id();
                        plan.evaluate(&Evaluation { on: d(2026, 9, 1), outcomes: vec![(goal, GoalOutcome::Partly, String::new())], agreements }, today).unwrap();
                    }
                }
                Op::EndAll => {
                    if let Some(plan) = case.open_plan_mut() {
                        let ids: Vec<i64> = plan.agreements().iter().filter(|a| a.is_running()).map(|a| a.id()).collect();
                        for id in ids { plan.end_agreement(id, d(2026, 9, 2), today).unwrap(); }
                    }
                }
                Op::Close => {
                    if let Some(plan) = case.open_plan_mut() {
                        let running = plan.agreements().iter().any(|a| a.is_running());
                        prop_assert_eq!(plan.close(d(2026, 9, 3), "Klaar", today).is_err(), running);
                    }
                }
            }
            // The invariants, after every operation.
            prop_assert!(case.plans().iter().filter(|p| p.is_open()).count() <= 1);
            for p in case.plans() {
                for a in p.agreements() {
                    let t = a.terms();
                    if t.step.needs_justification() {
                        prop_assert!(t.justification.as_ref().is_some_and(|j| j.first_gap(t.step).is_none()));
                    }
                    if t.step.needs_referral() {
                        // The referral is approved *and belongs to this very plan*.
                        let rid = t.referral_id;
                        prop_assert!(rid.is_some_and(|id| referrals.iter().any(|r| r.0 == id && r.1 == p.id())));
                        prop_assert!(rid.and_then(|id| p.referral(id)).is_some_and(|r| r.is_approved() && r.plan_id() == p.id()));
                    }
                    if t.is_professional() {
                        prop_assert!(t.end_date.is_some());
                    }
                    if t.provider_id.is_some() {
                        prop_assert!(t.actor.may_be_provider());
                    }
                }
                if !p.is_open() {
                    prop_assert!(p.agreements().iter().all(|a| !a.is_running()));
                }
            }
            let stored: Vec<StoredPlan> = case.plans().iter().map(Plan::to_stored).collect();
            let restored = HouseholdCase::from_stored(1, case.coordinator(), stored);
            prop_assert_eq!(restored.as_ref(), Ok(&case));
        }
    }
}

#[test]
fn a_signal_goes_to_the_contact_person_unless_handed_over_with_a_reason() {
    let mut case = HouseholdCase::new(1);
    assert_eq!(case.route_signal(None, ""), Err(PlanError::NoCoordinator));
    assert_eq!(
        case.route_signal(Some(5), ""),
        Ok(SignalRouting::NewContactPerson(5))
    );
    // The next signal goes to the same person by default.
    assert_eq!(
        case.route_signal(None, ""),
        Ok(SignalRouting::ContactPerson(5))
    );
    // A second generalist without a reason: refused, nothing changes.
    assert_eq!(
        case.route_signal(Some(6), "  "),
        Err(PlanError::HandOverWithoutReason { contact_person: 5 })
    );
    assert_eq!(case.coordinator(), Some(5));
    // With a reason: a hand-over, and 6 is now the one contact person.
    assert_eq!(
        case.route_signal(Some(6), "Ziek tot maart"),
        Ok(SignalRouting::HandOver {
            from: 5,
            to: 6,
            reason: "Ziek tot maart".into()
        })
    );
    assert_eq!(case.coordinator(), Some(6));
}

proptest! {
    #[test]
    fn a_household_always_has_exactly_one_contact_person_and_signals_follow_it(
        steps in proptest::collection::vec((proptest::option::of(1i64..5), proptest::bool::ANY), 1..30)
    ) {
        let mut case = HouseholdCase::new(1);
        for (chosen, with_reason) in steps {
            let before = case.coordinator();
            let reason = if with_reason { "Overdracht" } else { "" };
            match case.route_signal(chosen, reason) {
                Ok(routing) => {
                    // The signal's generalist is the contact person afterwards.
                    prop_assert_eq!(case.coordinator(), Some(routing.generalist()));
                    // The contact person changes only by an explicit hand-over
                    // with a reason (or when there was none).
                    if before.is_some() && before != case.coordinator() {
                        let is_hand_over = matches!(routing, SignalRouting::HandOver { ref reason, .. } if !reason.is_empty());
                        prop_assert!(is_hand_over);
                    }
                    if chosen.is_none() {
                        prop_assert_eq!(before, case.coordinator());
                    }
                }
                Err(_) => prop_assert_eq!(before, case.coordinator()),
            }
        }
    }

    #[test]
    fn only_the_team_lead_or_the_contact_person_changes_the_contact_person(
        steps in proptest::collection::vec((proptest::option::of(1i64..5), 1i64..5, proptest::bool::ANY), 1..30)
    ) {
        let mut case = HouseholdCase::new(1);
        case.assign_coordinator(1).unwrap();
        for (by, to, with_reason) in steps {
            let before = case.coordinator();
            let by = by.map_or(HandOverBy::TeamLead, HandOverBy::Generalist);
            let reason = if with_reason { "Overdracht" } else { "" };
            let allowed = match by {
                HandOverBy::TeamLead => true,
                HandOverBy::Generalist(id) => Some(id) == before,
            };
            match case.hand_over(by, to, reason) {
                Ok(SignalRouting::HandOver { from, to: now, .. }) => {
                    prop_assert!(allowed && with_reason);
                    prop_assert_eq!(Some(from), before);
                    prop_assert_ne!(from, now);
                    prop_assert_eq!(case.coordinator(), Some(to));
                }
                Ok(other) => prop_assert!(false, "a hand-over answered {:?}", other),
                Err(_) => {
                    prop_assert!(!allowed || !with_reason || before == Some(to));
                    prop_assert_eq!(case.coordinator(), before);
                }
            }
        }
    }

    #[test]
    fn withdrawing_ends_exactly_one_running_agreement_and_keeps_the_others(
        ids in proptest::collection::btree_set(20i64..30, 1..6),
        pick in 0usize..6, with_reason in proptest::bool::ANY,
    ) {
        let mut case = karel();
        let plan = case.open_plan_mut().unwrap();
        for id in &ids {
            plan.add_agreement(*id, agreement(1, AgreementActor::Resident)).unwrap();
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        let target = ids[pick % ids.len()];
        let reason = if with_reason { "Verkeerd ingevoerd" } else { "" };
        let result = plan.withdraw_agreement(target, today(), reason, today());
        prop_assert_eq!(result.is_ok(), with_reason);
        for a in plan.agreements() {
            let withdrawn = with_reason && a.id() == target;
            prop_assert_eq!(a.is_running(), !withdrawn);
            prop_assert_eq!(a.withdrawal_reason().is_some(), withdrawn);
        }
        // A restored plan holds the same.
        let stored = plan.to_stored();
        prop_assert!(HouseholdCase::from_stored(7, Some(100), vec![stored]).is_ok());
    }
}
