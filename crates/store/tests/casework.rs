//! Casework storage on both backends: the demo in every stage, the rules held
//! by the store, optimistic locking, history, working views and figures.

use baken_domain::casework::{
    AgreementActor, AgreementDecision, GoalOutcome, Justification, LifeDomain, NewAgreement,
    NewGoal, PlanError, ReferralError, ResponseNorms, ScoreEntry, Scores, SignalCategory,
    SignalError, Term, Urgency,
};
use baken_domain::{Bsn, LadderStep, SupportForm};
use baken_store::casework::{self as cw, CaseError, FigureFilter, NewSignal, Search, Who};
use baken_store::testing::{self, TestDb};
use baken_store::{demo, Conn, StoreError, Tx};
use baken_synth::{municipality, Config};
use chrono::NaiveDate;

async fn with_demo(n: u64) -> Vec<TestDb> {
    let dbs = testing::all().await;
    for t in &dbs {
        demo::load(
            &t.db,
            &municipality(),
            &Config::new(n, 42),
            "not-a-real-hash",
            |_| {},
        )
        .await
        .expect("demo load");
    }
    dbs
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn who(tx: &mut Tx, username: &str) -> Who {
    let u = baken_store::users::by_username(tx, username)
        .await
        .unwrap()
        .unwrap();
    Who {
        user_id: u.id,
        username: u.username,
        role: u.role,
    }
}

/// The provider the demo's `aanbieder` account works for.
async fn demo_provider(tx: &mut Tx) -> i64 {
    baken_store::users::by_username(tx, "aanbieder")
        .await
        .unwrap()
        .unwrap()
        .provider_id
        .unwrap()
}

/// A household of the demo generalist's team without casework.
async fn fresh_household(tx: &mut Tx, team: i64) -> i64 {
    for id in 1..=200 {
        if let Ok(Some(h)) = baken_store::households::get(tx, id).await {
            if h.team_id == Some(team) && cw::coordinator(tx, id).await.unwrap().is_none() {
                return id;
            }
        }
    }
    panic!("no household without casework in team {team}");
}

#[tokio::test]
async fn the_demo_has_casework_in_every_stage_and_figures_to_show() {
    for t in with_demo(120).await {
        let mut tx = t.db.read().await.unwrap();
        let (signals, plans, agreements) = cw::counts(&mut tx).await.unwrap();
        assert!(
            signals >= 40 && plans >= 10 && agreements >= 30,
            "{signals} {plans} {agreements}"
        );
        let lead = who(&mut tx, "teamleider").await;
        let team = baken_store::users::by_username(&mut tx, "teamleider")
            .await
            .unwrap()
            .unwrap()
            .team_id
            .unwrap();
        let refs = cw::team_referrals(&mut tx, team, false).await.unwrap();
        let statuses: Vec<&str> = refs.iter().map(|r| r.status.as_str()).collect();
        for s in ["aangevraagd", "goedgekeurd", "afgewezen"] {
            assert!(
                statuses.contains(&s),
                "{:?}: no referral {s} ({statuses:?})",
                t.backend()
            );
        }
        let load = cw::team_load(&mut tx, team).await.unwrap();
        assert!(
            load.iter().any(|l| l.households > 0),
            "caseload per generalist"
        );
        let gen = who(&mut tx, "generalist").await;
        let caseload = cw::caseload(&mut tx, gen.user_id, d(2026, 11, 23), d(2026, 1, 1), 1, 500)
            .await
            .unwrap();
        let caseload = caseload.items;
        assert!(!caseload.is_empty());
        assert!(
            caseload.iter().any(|c| c.overdue_agreements > 0),
            "the demo shows overdue evaluations"
        );
        // The resident's household (1) is evaluated and has better scores.
        let m = cw::measurements(&mut tx, 1).await.unwrap();
        assert!(m.len() >= 2);
        assert!(m.last().unwrap().scores.mean() > m[0].scores.mean());
        let facts = cw::bakens_facts(
            &mut tx,
            &FigureFilter::default(),
            &ResponseNorms::default(),
            &secret(),
        )
        .await
        .unwrap();
        let figures = facts.figures();
        assert_eq!(figures.len(), 8);
        assert!(
            figures[1].value.ends_with('%'),
            "baken 2 has a share: {:?}",
            figures[1]
        );
        assert_ne!(
            figures[2].value, "te weinig gegevens",
            "baken 3 has days: {:?}",
            figures[2]
        );
        let _ = lead;
        // Overdue signals: the demo's untriaged signals are months old.
        let norms = baken_domain::casework::ResponseNorms::default();
        let overdue = cw::overdue_signals(&mut tx, team, &norms, d(2026, 11, 23))
            .await
            .unwrap();
        assert!(!overdue.is_empty());
        assert!(overdue.iter().all(|s| s.first_contact_on.is_none()));
        assert!(
            cw::overdue_signals(&mut tx, team, &norms, d(2025, 1, 1))
                .await
                .unwrap()
                .is_empty(),
            "nothing is overdue before it was reported"
        );
        // Untriaged repeated signals about one dwelling share its full address.
        let signals = cw::team_signals(&mut tx, team, 500).await.unwrap();
        let untriaged: Vec<_> = signals
            .iter()
            .filter(|s| s.household_id.is_none())
            .collect();
        assert!(
            untriaged.iter().enumerate().any(|(i, a)| untriaged[i + 1..]
                .iter()
                .any(|b| a.address_key() == b.address_key())),
            "the demo has repeated signals before triage"
        );
        // Repeated signals about one household come together, oldest first.
        let mut repeated = None;
        for id in 1..=120 {
            let list = cw::household_signals(&mut tx, id).await.unwrap();
            if list.len() >= 2 {
                repeated = Some(list);
                break;
            }
        }
        let list = repeated.expect("the demo has a household with repeated signals");
        assert!(list
            .windows(2)
            .all(|w| w[0].reported_on <= w[1].reported_on));
    }
}

/// The dashboard's one fetch for eight quarters and every district gives, per
/// district and quarter, the figures `/bakens` computes for that district and
/// quarter alone (and their union the municipality's).
#[tokio::test]
async fn bakens_for_many_periods_at_once_equal_each_period_on_its_own() {
    use baken_domain::period::Period;
    for t in with_demo(150).await {
        let mut tx = t.db.read().await.unwrap();
        let norms = ResponseNorms::default();
        let quarters = Period::last_quarters(d(2026, 9, 30), 8);
        let periods: Vec<(NaiveDate, NaiveDate)> = quarters
            .iter()
            .map(|q| (q.first_day(), q.last_day()))
            .collect();
        let all = cw::bakens_facts_per_period(&mut tx, None, None, &periods, &norms, &secret())
            .await
            .unwrap();
        let districts = baken_store::areas::districts(&mut tx).await.unwrap();
        let mut areas: Vec<Option<String>> = districts.into_iter().map(|d| Some(d.code)).collect();
        areas.push(None);
        let mut shown = 0;
        for area in &areas {
            let per_quarter = all.of(area.as_deref());
            assert_eq!(per_quarter.len(), quarters.len());
            for (q, facts) in quarters.iter().zip(&per_quarter) {
                let filter = FigureFilter {
                    team_id: None,
                    district: area.clone(),
                    period: Some(*q),
                };
                let alone = cw::bakens_facts(&mut tx, &filter, &norms, &secret())
                    .await
                    .unwrap();
                assert_eq!(
                    facts.figures(),
                    alone.figures(),
                    "{:?}: {area:?} in {}",
                    t.backend(),
                    q.code()
                );
                shown += facts.agreements.len() + facts.plans.len() + facts.score_changes.len();
            }
        }
        assert!(shown > 0, "the demo has facts in these quarters");
    }
}

#[tokio::test]
async fn karels_plan_holds_every_rule_and_keeps_its_history() {
    for t in with_demo(60).await {
        let mut tx = t.db.begin().await.unwrap();
        let gen = who(&mut tx, "generalist").await;
        let lead = who(&mut tx, "teamleider").await;
        let team = baken_store::users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap()
            .team_id
            .unwrap();
        let hh = fresh_household(&mut tx, team).await;
        let h = baken_store::households::get(&mut tx, hh)
            .await
            .unwrap()
            .unwrap();
        // A housing-corporation signal about nuisance, triaged to the generalist.
        let s = cw::create_signal(
            &mut tx,
            &NewSignal {
                reported_on: d(2026, 1, 5),
                category: SignalCategory::Overlast,
                urgency: Urgency::Urgent,
                description: "Buren klagen over lawaai, afval en drank".into(),
                source: "Woningcorporatie".into(),
                reported_by: None,
                postcode: h.postcode.clone(),
                house_number: h.house_number,
                house_letter: h.house_letter.clone(),
                addition: h.addition.clone(),
                place: None,
                callback_phone: None,
            },
        )
        .await
        .unwrap();
        // Not to a household at another address.
        let elsewhere = (1..=60).find(|id| *id != hh).unwrap();
        let other = baken_store::households::get(&mut tx, elsewhere)
            .await
            .unwrap()
            .unwrap();
        let request = |household: i64,
                       generalist: Option<i64>,
                       reason: &'static str,
                       on: NaiveDate| cw::TriageRequest {
            signal_id: s,
            household_id: household,
            generalist,
            hand_over_reason: reason,
            by_user: lead.user_id,
            on,
        };
        if other.postcode != h.postcode || other.house_number != h.house_number {
            assert!(matches!(
                cw::triage(
                    &mut tx,
                    &request(elsewhere, Some(gen.user_id), "", d(2026, 1, 5))
                )
                .await,
                Err(CaseError::Signal(SignalError::OtherAddress))
            ));
        }
        assert_eq!(
            cw::triage(&mut tx, &request(hh, Some(gen.user_id), "", d(2026, 1, 5)))
                .await
                .unwrap()
                .generalist(),
            gen.user_id
        );
        // A second generalist does not silently become a second contact
        // person: without a reason it is refused.
        assert!(matches!(
            cw::triage(&mut tx, &request(hh, Some(lead.user_id), "", d(2026, 1, 6))).await,
            Err(CaseError::Plan(PlanError::HandOverWithoutReason { .. }))
        ));
        // By default the signal goes to the contact person.
        assert_eq!(
            cw::triage(&mut tx, &request(hh, None, "", d(2026, 1, 6)))
                .await
                .unwrap()
                .generalist(),
            gen.user_id
        );
        assert!(cw::hand_overs(&mut tx, hh).await.unwrap().is_empty());
        async fn contact(tx: &mut Tx, s: i64, on: NaiveDate) -> Result<(), CaseError> {
            cw::record_first_contact(
                tx,
                s,
                on,
                baken_domain::casework::ContactMethod::Huisbezoek,
                "Thuis getroffen",
                d(2026, 1, 6),
            )
            .await
        }
        assert!(matches!(
            contact(&mut tx, s, d(2026, 1, 4)).await,
            Err(CaseError::Signal(SignalError::ContactBeforeReport))
        ));
        assert!(
            matches!(
                contact(&mut tx, s, d(2026, 1, 7)).await,
                Err(CaseError::Signal(SignalError::Date(_)))
            ),
            "not tomorrow"
        );
        contact(&mut tx, s, d(2026, 1, 6)).await.unwrap();

        let today = d(2026, 6, 30);
        let plan = cw::open_plan(&mut tx, hh, d(2026, 1, 12), today, &gen)
            .await
            .unwrap();
        assert!(matches!(
            cw::open_plan(&mut tx, hh, d(2026, 1, 13), today, &gen).await,
            Err(CaseError::Plan(PlanError::PlanAlreadyOpen))
        ));
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        let goal = cw::add_goal(
            &mut tx,
            plan,
            v,
            &NewGoal {
                domain: LifeDomain::Tijdsbesteding,
                description: "Zinvolle dag".into(),
                measure: "Drie dagdelen per week".into(),
                target_date: d(2026, 4, 12),
                term: Term::Short,
            },
            &gen,
        )
        .await
        .unwrap();
        // A stale version is a conflict, and nothing is written.
        let stale = cw::add_goal(
            &mut tx,
            plan,
            v,
            &NewGoal {
                domain: LifeDomain::Financien,
                description: "x".into(),
                measure: "y".into(),
                target_date: d(2026, 4, 12),
                term: Term::Short,
            },
            &gen,
        )
        .await;
        assert!(matches!(
            stale,
            Err(CaseError::Store(StoreError::Conflict { .. }))
        ));
        let step = |n| LadderStep::new(n).unwrap();
        let mut a = NewAgreement {
            goal_id: goal,
            actor: AgreementActor::SpecialistProvider,
            actor_name: "Zorgaanbieder".into(),
            description: "Beschermd wonen".into(),
            step: step(5),
            provider_id: None,
            form: SupportForm::Beschermen,
            frequency: "dagelijks".into(),
            start: d(2026, 2, 1),
            end_date: Some(d(2026, 8, 1)),
            own_contribution: "".into(),
            justification: None,
            referral_id: None,
        };
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        assert!(matches!(
            cw::add_agreement(&mut tx, plan, v, &a, &gen).await,
            Err(CaseError::Plan(PlanError::JustificationMissing {
                step: 5,
                missing: 1
            }))
        ));
        let reasons = Justification::new((1..=4).map(|s| (step(s), format!("reden {s}"))));
        a.justification = Some(reasons.clone());
        assert!(matches!(
            cw::add_agreement(&mut tx, plan, v, &a, &gen).await,
            Err(CaseError::Plan(PlanError::ReferralNotApproved))
        ));
        let r = cw::request_referral(
            &mut tx,
            plan,
            v,
            "Beschermd wonen",
            reasons.clone(),
            d(2026, 1, 20),
            today,
            &gen,
        )
        .await
        .unwrap();
        // A generalist may not decide; a rejection needs a reason.
        assert!(matches!(
            cw::decide_referral(&mut tx, r, true, "", d(2026, 1, 21), today, &gen).await,
            Err(CaseError::Referral(ReferralError::NotTeamLead))
        ));
        assert!(matches!(
            cw::decide_referral(&mut tx, r, false, " ", d(2026, 1, 21), today, &lead).await,
            Err(CaseError::Referral(ReferralError::ReasonMissing))
        ));
        cw::decide_referral(
            &mut tx,
            r,
            false,
            "Eerst ambulant proberen",
            d(2026, 1, 21),
            today,
            &lead,
        )
        .await
        .unwrap();
        a.referral_id = Some(r);
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        assert!(matches!(
            cw::add_agreement(&mut tx, plan, v, &a, &gen).await,
            Err(CaseError::Plan(PlanError::ReferralNotApproved))
        ));
        let r2 = cw::request_referral(
            &mut tx,
            plan,
            v,
            "Ambulante begeleiding",
            reasons,
            d(2026, 1, 22),
            today,
            &gen,
        )
        .await
        .unwrap();
        cw::decide_referral(&mut tx, r2, true, "Akkoord", d(2026, 1, 23), today, &lead)
            .await
            .unwrap();
        a.referral_id = Some(r2);
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        let aid = cw::add_agreement(&mut tx, plan, v, &a, &gen).await.unwrap();

        // Evaluation with better scores, then closure once every agreement ended.
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        assert!(matches!(
            cw::close_plan(&mut tx, plan, v, d(2026, 5, 1), "Klaar", today, &gen).await,
            Err(CaseError::Plan(PlanError::AgreementsRunning(1)))
        ));
        let mut scores = Scores::default();
        scores.0.insert(
            LifeDomain::Tijdsbesteding,
            ScoreEntry::parse(LifeDomain::Tijdsbesteding, "4")
                .unwrap()
                .unwrap(),
        );
        // An evaluation dated in the future is refused, and writes nothing.
        let future = baken_domain::casework::Evaluation {
            on: today + chrono::Duration::days(1),
            outcomes: vec![(goal, GoalOutcome::Achieved, "Gaat goed".into())],
            agreements: vec![],
        };
        assert!(matches!(
            cw::record_evaluation(&mut tx, plan, v, &future, &scores, None, "", today, &gen).await,
            Err(CaseError::Plan(PlanError::Date(_)))
        ));
        assert_eq!(cw::plan_version(&mut tx, plan).await.unwrap(), v);
        // The evaluation continues the step-5 agreement to a new evaluation date.
        let ev = baken_domain::casework::Evaluation {
            on: d(2026, 4, 12),
            outcomes: vec![(goal, GoalOutcome::Achieved, "Gaat goed".into())],
            agreements: vec![(
                aid,
                AgreementDecision::Continue {
                    until: Some(d(2026, 10, 1)),
                },
            )],
        };
        cw::record_evaluation(&mut tx, plan, v, &ev, &scores, None, "", today, &gen)
            .await
            .unwrap();
        let case = cw::load_case(&mut tx, hh).await.unwrap();
        let a = case.plan(plan).unwrap().agreement(aid).unwrap();
        assert_eq!(
            (a.last_evaluated(), a.terms().end_date, a.is_running()),
            (Some(d(2026, 4, 12)), Some(d(2026, 10, 1)), true)
        );
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        cw::end_agreement(&mut tx, plan, v, aid, d(2026, 4, 30), today, &gen)
            .await
            .unwrap();
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        cw::close_plan(
            &mut tx,
            plan,
            v,
            d(2026, 5, 1),
            "Doelen behaald",
            today,
            &gen,
        )
        .await
        .unwrap();

        let history = cw::history(&mut tx, plan).await.unwrap();
        let changes: Vec<&str> = history.iter().map(|h| h.change.as_str()).collect();
        assert_eq!(changes.first(), Some(&"plan geopend per 12-01-2026"));
        assert!(
            changes.iter().any(|c| c.contains("1 afspraken voortgezet")),
            "{changes:?}"
        );
        assert!(
            changes
                .iter()
                .any(|c| c.contains("afgewezen: Eerst ambulant proberen")),
            "{changes:?}"
        );
        assert!(changes.last().unwrap().starts_with("plan gesloten"));
        assert!(history
            .iter()
            .all(|h| h.username == "generalist" || h.username == "teamleider"));
        // Repeated signals show together.
        assert_eq!(cw::household_signals(&mut tx, hh).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn the_database_refuses_a_second_open_plan_even_around_the_domain() {
    for t in with_demo(30).await {
        let mut tx = t.db.begin().await.unwrap();
        let gen = who(&mut tx, "generalist").await;
        let team = baken_store::users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap()
            .team_id
            .unwrap();
        let hh = fresh_household(&mut tx, team).await;
        cw::assign_contact_person(&mut tx, hh, gen.user_id, d(2026, 1, 1))
            .await
            .unwrap();
        cw::open_plan(&mut tx, hh, d(2026, 1, 2), d(2026, 1, 2), &gen)
            .await
            .unwrap();
        let raw = match tx.conn() {
            Conn::Sqlite(c) => sqlx::query("INSERT INTO cw_plans (household_id, opened_on, opened_by, status, version, updated_at) VALUES ($1, '2026-01-03', $2, 'open', 1, '2026-01-03T00:00:00Z')").bind(hh).bind(gen.user_id).execute(&mut *c).await.map(|_| ()),
            Conn::Postgres(c) => sqlx::query("INSERT INTO cw_plans (household_id, opened_on, opened_by, status, version, updated_at) VALUES ($1, DATE '2026-01-03', $2, 'open', 1, now())").bind(hh).bind(gen.user_id).execute(&mut *c).await.map(|_| ()),
        };
        assert!(raw.is_err(), "{:?}: unique open plan index", t.backend());
        // A provider link on an agreement a provider cannot carry out.
        drop(tx);
        let mut tx = t.db.begin().await.unwrap();
        let sql = "UPDATE cw_agreements SET provider_id = (SELECT MIN(id) FROM providers) \
                   WHERE id = (SELECT MIN(id) FROM cw_agreements WHERE actor = 'netwerk')";
        let raw = match tx.conn() {
            Conn::Sqlite(c) => sqlx::query(sql).execute(&mut *c).await.map(|_| ()),
            Conn::Postgres(c) => sqlx::query(sql).execute(&mut *c).await.map(|_| ()),
        };
        assert!(
            raw.is_err(),
            "{:?}: a neighbour is not a provider",
            t.backend()
        );
    }
}

#[tokio::test]
async fn search_by_address_name_and_bsn_stays_within_the_team() {
    for t in with_demo(60).await {
        let mut tx = t.db.read().await.unwrap();
        let team = baken_store::users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap()
            .team_id
            .unwrap();
        let h = baken_store::households::get(&mut tx, 1)
            .await
            .unwrap()
            .unwrap();
        let hits = cw::search(
            &mut tx,
            team,
            &Search::Address {
                postcode: h.postcode.clone(),
                house_number: Some(h.house_number),
            },
        )
        .await
        .unwrap();
        assert!(hits.iter().any(|x| x.id == 1));
        let r = baken_store::households::residents(&mut tx, 1)
            .await
            .unwrap();
        let bsn = Bsn::parse(&r[0].bsn).unwrap();
        let hits = cw::search(&mut tx, team, &Search::Bsn(bsn)).await.unwrap();
        assert_eq!(hits.len(), 1);
        let hits = cw::search(&mut tx, team, &Search::Name(r[0].surname.clone()))
            .await
            .unwrap();
        assert!(hits.iter().any(|x| x.id == 1));
        // Another team finds nothing of this team's households.
        let hits = cw::search(&mut tx, team + 1, &Search::Bsn(bsn))
            .await
            .unwrap();
        assert!(hits.is_empty());
    }
}

#[tokio::test]
async fn a_provider_sees_a_household_only_with_an_agreement_and_consent() {
    for t in with_demo(60).await {
        let mut tx = t.db.read().await.unwrap();
        let provider = demo_provider(&mut tx).await;
        // Household 1 has an agreement with the provider and consent until late 2027.
        assert!(cw::provider_may_see(&mut tx, provider, 1, d(2026, 11, 23))
            .await
            .unwrap());
        // Not after the consent ends.
        assert!(!cw::provider_may_see(&mut tx, provider, 1, d(2028, 1, 1))
            .await
            .unwrap());
        // Not for a household without casework.
        assert!(!cw::provider_may_see(&mut tx, provider, 2, d(2026, 11, 23))
            .await
            .unwrap());
        let list = cw::provider_households(&mut tx, provider, d(2026, 11, 23))
            .await
            .unwrap();
        assert!(list.iter().any(|h| h.id == 1));
    }
}

/// A waiting referral of the demo generalist's team: (referral, plan).
async fn waiting_referral(tx: &mut Tx) -> (i64, i64) {
    let team = baken_store::users::by_username(tx, "teamleider")
        .await
        .unwrap()
        .unwrap()
        .team_id
        .unwrap();
    let r = cw::team_referrals(tx, team, true)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo has a waiting referral");
    (r.id, r.plan_id)
}

#[tokio::test]
async fn two_decisions_on_one_referral_at_the_same_time_one_wins_and_the_other_writes_nothing() {
    for t in with_demo(60).await {
        let today = d(2026, 11, 30);
        let mut tx = t.db.read().await.unwrap();
        let lead = who(&mut tx, "teamleider").await;
        let (rid, plan) = waiting_referral(&mut tx).await;
        let lines_before = cw::history(&mut tx, plan).await.unwrap().len();
        drop(tx);

        let mut first = t.db.begin().await.unwrap();
        let decided = cw::decide_referral(&mut first, rid, true, "Akkoord", today, today, &lead)
            .await
            .unwrap();
        assert_eq!(decided.status().code(), "goedgekeurd");
        // A second team lead decides while the first has not committed yet. On
        // PostgreSQL it reads the referral as waiting and then waits for the
        // first one's row lock; on SQLite it waits for the write queue.
        let db = t.db.clone();
        let lead2 = lead.clone();
        let second = tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let r = cw::decide_referral(&mut tx, rid, false, "Liever niet", today, today, &lead2)
                .await
                .map(|r| r.status().code());
            if r.is_ok() {
                tx.commit().await.unwrap();
            }
            r
        });
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        first.commit().await.unwrap();
        let res = second.await.unwrap();
        assert!(
            matches!(res, Err(CaseError::Referral(ReferralError::AlreadyDecided))),
            "{:?}: {res:?}",
            t.backend()
        );
        let mut tx = t.db.read().await.unwrap();
        let hh = cw::plan_household(&mut tx, plan).await.unwrap().unwrap();
        let case = cw::load_case(&mut tx, hh).await.unwrap();
        let r = case.plan(plan).unwrap().referral(rid).unwrap();
        assert_eq!(
            r.status().code(),
            "goedgekeurd",
            "the first decision stands"
        );
        let history = cw::history(&mut tx, plan).await.unwrap();
        assert_eq!(
            history.len(),
            lines_before + 1,
            "only the first decision is in the history"
        );
        assert!(!history.iter().any(|h| h.change.contains("Liever niet")));
    }
}

#[tokio::test]
async fn response_norms_are_versioned_and_a_stale_version_is_a_conflict() {
    for t in testing::all().await {
        demo::load(&t.db, &municipality(), &Config::new(5, 42), "x", |_| {})
            .await
            .unwrap();
        let mut tx = t.db.begin().await.unwrap();
        let admin = who(&mut tx, "beheerder").await;
        let (norms, v) = cw::response_norms(&mut tx).await.unwrap();
        assert_eq!((norms, v), (ResponseNorms::default(), 1), "the defaults");
        let new = ResponseNorms::new(1, 2, 8).unwrap();
        assert_eq!(
            cw::set_response_norms(&mut tx, &new, 1, &admin)
                .await
                .unwrap(),
            2
        );
        assert_eq!(cw::response_norms(&mut tx).await.unwrap(), (new, 2));
        tx.commit().await.unwrap();
        let mut tx = t.db.begin().await.unwrap();
        assert!(matches!(
            cw::set_response_norms(&mut tx, &ResponseNorms::default(), 1, &admin).await,
            Err(CaseError::Store(StoreError::Conflict { .. }))
        ));
        drop(tx);
        let mut tx = t.db.read().await.unwrap();
        let history = cw::norms_history(&mut tx, 10).await.unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].set_by.as_deref(), Some("Demo Beheerder"));
        assert_eq!(history[1].norms, ResponseNorms::default());
        // The database holds the order too.
        drop(tx);
        let mut tx = t.db.begin().await.unwrap();
        let raw = match tx.conn() {
            Conn::Sqlite(c) => sqlx::query("INSERT INTO cw_response_norms (version, crisis, urgent, normaal, set_at) VALUES (9, 1, 0, 5, '2026-01-01T00:00:00Z')").execute(&mut *c).await.map(|_| ()),
            Conn::Postgres(c) => sqlx::query("INSERT INTO cw_response_norms (version, crisis, urgent, normaal, set_at) VALUES (9, 1, 0, 5, now())").execute(&mut *c).await.map(|_| ()),
        };
        assert!(raw.is_err(), "{:?}: urgent before crisis", t.backend());
    }
}

#[tokio::test]
async fn stored_casework_that_breaks_a_rule_is_refused_when_read() {
    for t in with_demo(60).await {
        let mut tx = t.db.begin().await.unwrap();
        // A professional agreement (step 4 by the generalist) whose end date is
        // removed behind the domain's back.
        let row: (i64, i64) = match tx.conn() {
            Conn::Sqlite(c) => sqlx::query_as("SELECT a.id, p.household_id FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id WHERE a.step = 4 ORDER BY a.id LIMIT 1").fetch_one(&mut *c).await.unwrap(),
            Conn::Postgres(c) => sqlx::query_as("SELECT a.id, p.household_id FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id WHERE a.step = 4 ORDER BY a.id LIMIT 1").fetch_one(&mut *c).await.unwrap(),
        };
        assert!(cw::load_case(&mut tx, row.1).await.is_ok());
        match tx.conn() {
            Conn::Sqlite(c) => sqlx::query("UPDATE cw_agreements SET end_on = NULL WHERE id = $1")
                .bind(row.0)
                .execute(&mut *c)
                .await
                .map(|_| ())
                .unwrap(),
            Conn::Postgres(c) => {
                sqlx::query("UPDATE cw_agreements SET end_on = NULL WHERE id = $1")
                    .bind(row.0)
                    .execute(&mut *c)
                    .await
                    .map(|_| ())
                    .unwrap()
            }
        };
        match cw::load_case(&mut tx, row.1).await {
            Err(CaseError::Restore(baken_domain::casework::RestoreError::Agreement {
                agreement,
                rule: PlanError::EndDateMissing,
                ..
            })) => assert_eq!(agreement, row.0),
            other => panic!("{:?}: {other:?}", t.backend()),
        }
    }
}

#[tokio::test]
async fn consents_and_agreements_refer_to_providers_by_id() {
    for t in with_demo(60).await {
        let mut tx = t.db.read().await.unwrap();
        let provider = demo_provider(&mut tx).await;
        let consents = cw::consents(&mut tx, 1).await.unwrap();
        assert!(consents.iter().any(|c| c.provider_id == Some(provider)));
        assert!(
            consents
                .iter()
                .all(|c| c.provider_id.is_some() || !c.organisation.is_empty()),
            "others by name"
        );
        let case = cw::load_case(&mut tx, 1).await.unwrap();
        let plan = case.open_plan().unwrap();
        assert!(plan
            .agreements()
            .iter()
            .any(|a| a.terms().provider_id == Some(provider)));
        assert!(plan
            .agreements()
            .iter()
            .filter(|a| a.terms().provider_id.is_some())
            .all(|a| a.terms().actor.may_be_provider()));
    }
}

#[tokio::test]
async fn search_by_street_with_or_without_a_house_number() {
    for t in with_demo(60).await {
        let mut tx = t.db.read().await.unwrap();
        let team = baken_store::users::by_username(&mut tx, "generalist")
            .await
            .unwrap()
            .unwrap()
            .team_id
            .unwrap();
        let h = baken_store::households::get(&mut tx, 1)
            .await
            .unwrap()
            .unwrap();
        let part: String = h.street.to_uppercase().chars().take(5).collect();
        let hits = cw::search(
            &mut tx,
            team,
            &Search::Street {
                street: part.clone(),
                house_number: None,
            },
        )
        .await
        .unwrap();
        assert!(
            hits.iter().any(|x| x.id == 1),
            "part of the street, any case"
        );
        assert!(hits
            .iter()
            .all(|x| x.street.to_lowercase().contains(&part.to_lowercase())));
        let hits = cw::search(
            &mut tx,
            team,
            &Search::Street {
                street: h.street.clone(),
                house_number: Some(h.house_number),
            },
        )
        .await
        .unwrap();
        assert!(hits.iter().any(|x| x.id == 1));
        assert!(hits.iter().all(|x| x.house_number == h.house_number));
        // A wildcard typed by the user matches nothing special.
        let hits = cw::search(
            &mut tx,
            team,
            &Search::Street {
                street: "%".into(),
                house_number: Some(99_999),
            },
        )
        .await
        .unwrap();
        assert!(hits.is_empty());
    }
}

#[tokio::test]
async fn a_consent_covers_its_agreements_only_and_withdrawal_ends_access_at_once() {
    use baken_domain::casework::{PurposeDraft, PurposeError};
    use baken_store::timeline;
    for t in with_demo(60).await {
        let mut tx = t.db.begin().await.unwrap();
        let provider = demo_provider(&mut tx).await;
        let day = d(2026, 11, 23);
        let view = timeline::provider_view(&mut tx, provider, 1, day)
            .await
            .unwrap();
        assert!(view.may_see());
        let plan = timeline::shared_agreements(&mut tx, 1).await.unwrap();
        for id in &view.agreements {
            let a = plan.iter().find(|a| a.id == *id).unwrap();
            assert_eq!(a.provider_id, Some(provider), "{:?}", t.backend());
        }
        // A consent for another provider cannot cover this provider's agreement.
        let other = baken_store::areas::providers(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.id != provider)
            .unwrap();
        let refused = timeline::give_consent(
            &mut tx,
            1,
            other.id,
            &other.name,
            &PurposeDraft {
                agreements: view.agreements.clone(),
                ..PurposeDraft::default()
            },
            day,
            d(2027, 6, 1),
        )
        .await;
        assert!(matches!(
            refused,
            Err(CaseError::Purpose(PurposeError::ForeignAgreement(_)))
        ));
        // Withdrawing the provider's consents ends its access at once.
        let user = who(&mut tx, "generalist").await;
        for c in timeline::consent_grants(&mut tx, 1).await.unwrap() {
            if c.provider_id == Some(provider) {
                assert!(
                    timeline::withdraw_consent(&mut tx, 1, c.id, user.user_id, "test")
                        .await
                        .unwrap()
                );
                assert!(
                    !timeline::withdraw_consent(&mut tx, 1, c.id, user.user_id, "again")
                        .await
                        .unwrap(),
                    "once"
                );
            }
        }
        assert!(!cw::provider_may_see(&mut tx, provider, 1, day)
            .await
            .unwrap());
        assert!(!cw::provider_households(&mut tx, provider, day)
            .await
            .unwrap()
            .iter()
            .any(|h| h.id == 1));
        // A new consent for just one agreement gives sight of that one only.
        let one = view.agreements[0];
        timeline::give_consent(
            &mut tx,
            1,
            provider,
            "x",
            &PurposeDraft {
                agreements: vec![one],
                ..PurposeDraft::default()
            },
            day,
            d(2027, 6, 1),
        )
        .await
        .unwrap();
        let again = timeline::provider_view(&mut tx, provider, 1, day)
            .await
            .unwrap();
        assert_eq!(again.agreements, vec![one]);
        assert!(!again.network && !again.scores);
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn the_timeline_holds_contact_moments_evaluations_and_provider_reports() {
    use baken_domain::casework::{
        timeline_for, AgreementReport, ContactKind, ContactMoment, EventKind, ReportKind, Viewer,
    };
    use baken_store::timeline;
    for t in with_demo(60).await {
        let mut tx = t.db.begin().await.unwrap();
        let user = who(&mut tx, "generalist").await;
        let today = d(2026, 12, 7);
        let moment = ContactMoment::new(
            today,
            ContactKind::Phone,
            "Bewoner",
            "Belde over de huur",
            today,
        )
        .unwrap();
        timeline::add_contact_moment(&mut tx, 1, &moment, user.user_id)
            .await
            .unwrap();
        let provider = baken_store::users::by_username(&mut tx, "aanbieder")
            .await
            .unwrap()
            .unwrap();
        let pid = provider.provider_id.unwrap();
        let view = timeline::provider_view(&mut tx, pid, 1, d(2026, 11, 23))
            .await
            .unwrap();
        let report = AgreementReport::new(ReportKind::Finished, "Ik kan het nu zelf").unwrap();
        timeline::add_report(
            &mut tx,
            view.agreements[0],
            pid,
            &report,
            today,
            provider.id,
        )
        .await
        .unwrap();
        let all = timeline::timeline(&mut tx, 1).await.unwrap();
        let team = timeline_for(&all, Viewer::Team);
        assert_eq!(team[0].on, today);
        assert!(team.iter().any(|e| e.note == "Belde over de huur"));
        assert!(team.iter().any(|e| e.note == "Ik kan het nu zelf"
            && e.kind == EventKind::ProviderReport { provider_id: pid }));
        assert!(team.iter().any(|e| e.kind == EventKind::AgreementMade));
        let resident = timeline_for(&all, Viewer::Resident);
        assert!(resident.iter().any(|e| e.on == today && e.note.is_empty()));
        assert!(resident.iter().all(|e| e.note.is_empty()));
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn an_eigen_kracht_conference_is_a_step_two_agreement_its_coordinator_alone_sees() {
    use baken_domain::casework::{
        family_plan, ConferenceError, ConferenceRequest, FamilyPlanRow, Invitee,
    };
    use baken_store::{conference, timeline};
    for t in with_demo(60).await {
        let mut tx = t.db.begin().await.unwrap();
        let gen = who(&mut tx, "generalist").await;
        let today = d(2026, 12, 7);
        let case = cw::load_case(&mut tx, 1).await.unwrap();
        let plan = case.open_plan().unwrap();
        let goal = plan.goals()[0].id();
        let plan_id = plan.id();
        let network: Vec<Invitee> = cw::network(&mut tx, 1)
            .await
            .unwrap()
            .into_iter()
            .map(|n| Invitee {
                name: n.name,
                relation: n.relation,
            })
            .collect();
        let provider = demo_provider(&mut tx).await;
        let coordinator = baken_store::areas::providers(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.id != provider)
            .unwrap();
        let steps12_before = steps_one_and_two(&mut tx).await;
        let request = ConferenceRequest::new(
            true,
            coordinator.id,
            d(2026, 12, 20),
            &[network[0].name.clone()],
            &network,
            today,
        )
        .unwrap();
        let v = cw::plan_version(&mut tx, plan_id).await.unwrap();
        let id = conference::request_conference(
            &mut tx,
            1,
            plan_id,
            v,
            &request,
            &coordinator.name,
            goal,
            today,
            &gen,
        )
        .await
        .unwrap();
        assert_eq!(
            steps_one_and_two(&mut tx).await,
            steps12_before + 1,
            "baken 2 counts it"
        );
        // The coordinator sees the conference's agreement and the network, nothing else.
        let view = timeline::provider_view(&mut tx, coordinator.id, 1, today)
            .await
            .unwrap();
        let row = conference::conference(&mut tx, 1, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(view.agreements, vec![row.agreement_id]);
        assert!(view.network && !view.scores);
        assert_eq!(row.invitees, vec![network[0].clone()]);
        // The family plan, in one go, after the conference.
        let rows = vec![
            (
                1,
                Some(FamilyPlanRow {
                    actor: None,
                    description: "Opent zelf de post".into(),
                }),
            ),
            (
                2,
                Some(FamilyPlanRow {
                    actor: Some(network[0].name.clone()),
                    description: "Kookt op dinsdag".into(),
                }),
            ),
        ];
        let held = d(2026, 12, 20);
        let agreements =
            family_plan(&rows, &row.invitees, row.planned_on, held, goal, held).unwrap();
        let v = cw::plan_version(&mut tx, plan_id).await.unwrap();
        let ids =
            conference::record_family_plan(&mut tx, 1, &row, v, &agreements, held, held, &gen)
                .await
                .unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(steps_one_and_two(&mut tx).await, steps12_before + 3);
        let row = conference::conference(&mut tx, 1, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.held_on, Some(held));
        // Its agreement has ended: the coordinator's sight with it.
        assert!(!timeline::provider_view(&mut tx, coordinator.id, 1, held)
            .await
            .unwrap()
            .may_see());
        let v = cw::plan_version(&mut tx, plan_id).await.unwrap();
        let again =
            conference::record_family_plan(&mut tx, 1, &row, v, &agreements, held, held, &gen)
                .await;
        assert!(matches!(
            again,
            Err(CaseError::Conference(ConferenceError::AlreadyEntered))
        ));
        tx.rollback().await.unwrap();
    }
}

fn secret() -> baken_domain::cell_key::CellKeySecret {
    baken_domain::cell_key::CellKeySecret::new(b"test")
}

/// How many agreements bakens 2 counts on steps 1–2, over all time.
async fn steps_one_and_two(tx: &mut Tx) -> usize {
    let filter = FigureFilter {
        team_id: None,
        district: None,
        period: None,
    };
    cw::bakens_facts(tx, &filter, &ResponseNorms::default(), &secret())
        .await
        .unwrap()
        .agreements
        .iter()
        .filter(|a| a.step.value() <= 2)
        .count()
}

#[tokio::test]
async fn a_closed_signal_keeps_its_reason_loses_its_call_back_number_and_is_not_triaged() {
    for t in with_demo(20).await {
        let mut tx = t.db.begin().await.unwrap();
        let h = baken_store::households::get(&mut tx, 1)
            .await
            .unwrap()
            .unwrap();
        let today = baken_web_today();
        let id = cw::create_signal(
            &mut tx,
            &NewSignal {
                reported_on: today,
                category: SignalCategory::Eenzaamheid,
                urgency: Urgency::Normaal,
                description: "Zorgen om de buurvrouw".into(),
                source: "Buurtbewoner".into(),
                reported_by: None,
                postcode: h.postcode.clone(),
                house_number: h.house_number,
                house_letter: h.house_letter.clone(),
                addition: h.addition.clone(),
                place: None,
                callback_phone: Some("06 1234 5678".into()),
            },
        )
        .await
        .unwrap();
        let by = who(&mut tx, "generalist").await.user_id;
        assert!(matches!(
            cw::close_signal(&mut tx, id, today, " ", by, today).await,
            Err(CaseError::Signal(SignalError::CloseReason))
        ));
        let closed = cw::close_signal(&mut tx, id, today, "Dubbele melding", by, today)
            .await
            .unwrap();
        assert_eq!(closed.reason(), "Dubbele melding");
        let row = cw::signal(&mut tx, id).await.unwrap().unwrap();
        assert_eq!(row.closed_reason.as_deref(), Some("Dubbele melding"));
        assert_eq!(row.callback_phone, None);
        assert!(matches!(
            cw::close_signal(&mut tx, id, today, "Nog eens", by, today).await,
            Err(CaseError::Signal(SignalError::Closed))
        ));
        let triage = cw::TriageRequest {
            signal_id: id,
            household_id: 1,
            generalist: Some(by),
            hand_over_reason: "",
            by_user: by,
            on: today,
        };
        assert!(matches!(
            cw::triage(&mut tx, &triage).await,
            Err(CaseError::Signal(SignalError::Closed))
        ));
        // The public page's look-up finds the dwelling by street and number,
        // in any case, and gives the address only.
        let found = cw::dwellings_at(&mut tx, &h.street.to_uppercase(), h.house_number)
            .await
            .unwrap();
        assert!(found.iter().any(|d| d.postcode == h.postcode));
        assert!(cw::dwellings_at(&mut tx, "Nergensstraat", 1)
            .await
            .unwrap()
            .is_empty());
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn a_hand_over_from_the_dossier_and_a_lapsed_agreement_are_kept_with_their_reasons() {
    for t in with_demo(20).await {
        let mut tx = t.db.begin().await.unwrap();
        let today = baken_web_today();
        let case = cw::load_case(&mut tx, 1).await.unwrap();
        let contact = case
            .coordinator()
            .expect("household 1 has a contact person");
        let lead = who(&mut tx, "teamleider").await;
        // A colleague who is not the contact person may not; the team lead may.
        assert!(matches!(
            cw::hand_over_contact_person(
                &mut tx,
                1,
                baken_domain::casework::HandOverBy::Generalist(lead.user_id),
                lead.user_id,
                "Ik neem het over",
                lead.user_id,
                today
            )
            .await,
            Err(CaseError::Plan(PlanError::HandOverNotAllowed))
        ));
        let other = who(&mut tx, "generalist.noord").await.user_id;
        cw::hand_over_contact_person(
            &mut tx,
            1,
            baken_domain::casework::HandOverBy::TeamLead,
            other,
            "Verlof",
            lead.user_id,
            today,
        )
        .await
        .unwrap();
        assert_eq!(
            cw::coordinator(&mut tx, 1).await.unwrap().map(|c| c.0),
            Some(other)
        );
        let hand_overs = cw::hand_overs(&mut tx, 1).await.unwrap();
        assert_eq!(hand_overs[0].reason, "Verlof");
        assert_ne!(contact, other);
        // An agreement lapses: ended today, with its reason, on the timeline.
        let case = cw::load_case(&mut tx, 1).await.unwrap();
        let plan = case.open_plan().expect("an open plan");
        let agreement = plan
            .agreements()
            .iter()
            .find(|a| a.is_running())
            .expect("a running agreement")
            .id();
        let version = cw::plan_version(&mut tx, plan.id()).await.unwrap();
        let gen = who(&mut tx, "generalist").await;
        cw::withdraw_agreement(
            &mut tx,
            plan.id(),
            version,
            agreement,
            today,
            "Dubbel",
            today,
            &gen,
        )
        .await
        .unwrap();
        let case = cw::load_case(&mut tx, 1).await.unwrap();
        let lapsed = case
            .open_plan()
            .unwrap()
            .agreements()
            .iter()
            .find(|a| a.id() == agreement)
            .unwrap()
            .clone();
        assert_eq!(lapsed.withdrawal_reason(), Some("Dubbel"));
        assert!(!lapsed.is_running());
        let events = baken_store::timeline::timeline(&mut tx, 1).await.unwrap();
        assert!(events.iter().any(|e| e.kind
            == baken_domain::casework::EventKind::AgreementWithdrawn
            && e.note == "Dubbel"));
        tx.rollback().await.unwrap();
    }
}

/// "Today" on the Dutch calendar, as the app has it.
fn baken_web_today() -> NaiveDate {
    let now = chrono::Utc::now();
    // CET is at least an hour ahead; within a day either way is fine here.
    (now + chrono::Duration::hours(1)).date_naive()
}
