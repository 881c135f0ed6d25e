//! Casework storage on both backends: the demo in every stage, the rules held
//! by the store, optimistic locking, history, working views and figures.

use baken_domain::casework::{
    AgreementActor, GoalOutcome, Justification, LifeDomain, NewAgreement, NewGoal, PlanError,
    ScoreEntry, Scores, SignalCategory, Term, Urgency,
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
        let facts = cw::bakens_facts(&mut tx, &FigureFilter::default())
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
            },
        )
        .await
        .unwrap();
        assert_eq!(
            cw::triage(&mut tx, s, hh, gen.user_id, d(2026, 1, 5))
                .await
                .unwrap(),
            gen.user_id
        );
        // A second generalist does not become a second coordinator.
        assert_eq!(
            cw::triage(&mut tx, s, hh, lead.user_id, d(2026, 1, 6))
                .await
                .unwrap(),
            gen.user_id
        );
        assert!(matches!(
            cw::record_first_contact(
                &mut tx,
                s,
                d(2026, 1, 4),
                baken_domain::casework::ContactMethod::Huisbezoek,
                ""
            )
            .await,
            Err(CaseError::Signal(_))
        ));
        cw::record_first_contact(
            &mut tx,
            s,
            d(2026, 1, 6),
            baken_domain::casework::ContactMethod::Huisbezoek,
            "Thuis getroffen",
        )
        .await
        .unwrap();

        let plan = cw::open_plan(&mut tx, hh, d(2026, 1, 12), &gen)
            .await
            .unwrap();
        assert!(matches!(
            cw::open_plan(&mut tx, hh, d(2026, 1, 13), &gen).await,
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
            cw::add_agreement(&mut tx, plan, v, &a, None, &gen).await,
            Err(CaseError::Plan(PlanError::JustificationMissing {
                step: 5,
                missing: 1
            }))
        ));
        let reasons = Justification::new((1..=4).map(|s| (step(s), format!("reden {s}"))));
        a.justification = Some(reasons.clone());
        assert!(matches!(
            cw::add_agreement(&mut tx, plan, v, &a, None, &gen).await,
            Err(CaseError::Plan(PlanError::ReferralNotApproved))
        ));
        let r = cw::request_referral(
            &mut tx,
            plan,
            v,
            "Beschermd wonen",
            reasons.clone(),
            d(2026, 1, 20),
            &gen,
        )
        .await
        .unwrap();
        // A generalist may not decide; a rejection needs a reason.
        assert!(matches!(
            cw::decide_referral(&mut tx, r, true, "", d(2026, 1, 21), &gen).await,
            Err(CaseError::Referral(_))
        ));
        assert!(matches!(
            cw::decide_referral(&mut tx, r, false, " ", d(2026, 1, 21), &lead).await,
            Err(CaseError::Referral(_))
        ));
        cw::decide_referral(
            &mut tx,
            r,
            false,
            "Eerst ambulant proberen",
            d(2026, 1, 21),
            &lead,
        )
        .await
        .unwrap();
        a.referral_id = Some(r);
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        assert!(matches!(
            cw::add_agreement(&mut tx, plan, v, &a, None, &gen).await,
            Err(CaseError::Plan(PlanError::ReferralNotApproved))
        ));
        let r2 = cw::request_referral(
            &mut tx,
            plan,
            v,
            "Ambulante begeleiding",
            reasons,
            d(2026, 1, 22),
            &gen,
        )
        .await
        .unwrap();
        cw::decide_referral(&mut tx, r2, true, "Akkoord", d(2026, 1, 23), &lead)
            .await
            .unwrap();
        a.referral_id = Some(r2);
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        let aid = cw::add_agreement(&mut tx, plan, v, &a, None, &gen)
            .await
            .unwrap();

        // Evaluation with better scores, then closure once every agreement ended.
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        assert!(matches!(
            cw::close_plan(&mut tx, plan, v, d(2026, 5, 1), "Klaar", &gen).await,
            Err(CaseError::Plan(PlanError::AgreementsRunning(1)))
        ));
        let mut scores = Scores::default();
        scores.0.insert(
            LifeDomain::Tijdsbesteding,
            ScoreEntry::parse(LifeDomain::Tijdsbesteding, "4")
                .unwrap()
                .unwrap(),
        );
        let ev = baken_domain::casework::Evaluation {
            on: d(2026, 4, 12),
            outcomes: vec![(goal, GoalOutcome::Achieved, "Gaat goed".into())],
        };
        cw::record_evaluation(&mut tx, plan, v, &ev, &scores, None, "", &gen)
            .await
            .unwrap();
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        cw::end_agreement(&mut tx, plan, v, aid, d(2026, 4, 30), &gen)
            .await
            .unwrap();
        let v = cw::plan_version(&mut tx, plan).await.unwrap();
        cw::close_plan(&mut tx, plan, v, d(2026, 5, 1), "Doelen behaald", &gen)
            .await
            .unwrap();

        let history = cw::history(&mut tx, plan).await.unwrap();
        let changes: Vec<&str> = history.iter().map(|h| h.change.as_str()).collect();
        assert_eq!(changes.first(), Some(&"plan geopend"));
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
        cw::hand_over(&mut tx, hh, gen.user_id, d(2026, 1, 1))
            .await
            .unwrap();
        cw::open_plan(&mut tx, hh, d(2026, 1, 2), &gen)
            .await
            .unwrap();
        let raw = match tx.conn() {
            Conn::Sqlite(c) => sqlx::query("INSERT INTO cw_plans (household_id, opened_on, opened_by, status, version, updated_at) VALUES ($1, '2026-01-03', $2, 'open', 1, '2026-01-03T00:00:00Z')").bind(hh).bind(gen.user_id).execute(&mut *c).await.map(|_| ()),
            Conn::Postgres(c) => sqlx::query("INSERT INTO cw_plans (household_id, opened_on, opened_by, status, version, updated_at) VALUES ($1, DATE '2026-01-03', $2, 'open', 1, now())").bind(hh).bind(gen.user_id).execute(&mut *c).await.map(|_| ()),
        };
        assert!(raw.is_err(), "{:?}: unique open plan index", t.backend());
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
        let provider = baken_store::users::by_username(&mut tx, "aanbieder")
            .await
            .unwrap()
            .unwrap()
            .provider_id
            .unwrap();
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
