//! Volunteer work and mantelzorg on both backends: the VOG reminder (once per
//! end date, as a notification the e-mail round announces), placements only
//! with a VOG valid on the start day, audited reads of volunteers and carers,
//! one waardering per carer per year, and a heavy burden becoming a wijkteam
//! signal only with consent.

use baken_domain::audit::Actor;
use baken_domain::carers::{
    CareHours, CareRelation, CarerError, Ediz, EdizAnswer, WaarderingChoice,
};
use baken_domain::volunteering::{ApplicationState, VolunteerError};
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_store::carers::{self as mz, CarerStoreError, NewCarer};
use baken_store::testing::{self, TestDb};
use baken_store::volunteers::{self as vw, VolunteerStoreError};
use baken_store::{demo, with_conn};
use chrono::{Datelike, Duration, NaiveDate};

async fn dbs() -> Vec<TestDb> {
    let dbs = testing::all().await;
    for t in &dbs {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(5, 3),
            "x",
            |_| {},
        )
        .await
        .expect("demo load");
    }
    dbs
}

fn today() -> NaiveDate {
    baken_store::now().date_naive()
}

fn entry() -> AuditEntry {
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: None,
            username: Some("makelaar".into()),
            role: Some("makelaar".into()),
            client_addr: "127.0.0.1".into(),
        },
        route: "/servicepunt".into(),
        action: AuditAction::Read,
        outcome: AuditOutcome::Success,
        object_type: None,
        object_id: None,
        detail: String::new(),
    }
}

async fn count(t: &TestDb, sql: &'static str) -> i64 {
    let mut tx = t.db.begin().await.unwrap();
    let (n,): (i64,) = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(sql)
        .fetch_one(&mut *c)
        .await)
    .unwrap();
    n
}

#[tokio::test]
async fn a_vog_ending_within_thirty_days_is_reminded_once() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        // The demo volunteer's VOG ends in three weeks.
        let first = vw::remind_vog(&mut tx, today()).await.unwrap();
        assert_eq!(first.len(), 1, "{}", t.url);
        let again = vw::remind_vog(&mut tx, today() + Duration::days(1))
            .await
            .unwrap();
        assert!(again.is_empty(), "one reminder per end date");
        tx.commit().await.unwrap();
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM notifications WHERE kind = 'vog_verloopt'"
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn a_volunteer_is_placed_only_with_a_vog_valid_on_the_start_day() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let apps = vw::applications_for_consultant(&mut tx, &entry())
            .await
            .unwrap();
        let waiting = apps
            .iter()
            .find(|a| a.state == "aangemeld" && a.vog_required)
            .expect("the demo has a waiting application for a VOG vacancy")
            .clone();
        let makelaar: (i64,) = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT id FROM users WHERE username = 'makelaar'"
        )
        .fetch_one(&mut *c)
        .await)
        .unwrap();
        // The VOG ends in three weeks: a start in two months is refused.
        let late = vw::decide(
            &mut tx,
            waiting.id,
            ApplicationState::Geplaatst,
            Some(today() + Duration::days(60)),
            "",
            makelaar.0,
        )
        .await;
        assert!(matches!(
            late,
            Err(VolunteerStoreError::Rule(VolunteerError::VogNeeded))
        ));
        let placed = vw::decide(
            &mut tx,
            waiting.id,
            ApplicationState::Geplaatst,
            Some(today() + Duration::days(7)),
            "",
            makelaar.0,
        )
        .await
        .unwrap();
        assert_eq!(placed, Some(waiting.profile_id));
        let twice = vw::decide(
            &mut tx,
            waiting.id,
            ApplicationState::Afgewezen,
            None,
            "",
            makelaar.0,
        )
        .await;
        assert!(matches!(twice, Err(VolunteerStoreError::Rule(_))));
        // Applying twice to one vacancy is refused.
        let again = vw::apply(&mut tx, waiting.vacancy_id, waiting.profile_id, "").await;
        assert!(matches!(again, Err(VolunteerStoreError::AlreadyApplied)));
        tx.commit().await.unwrap();
        // The consultant's read of the applications was audited.
        assert!(
            count(
                &t,
                "SELECT COUNT(*) FROM audit_log WHERE object_type = 'volunteer'"
            )
            .await
                >= 1
        );
    }
}

#[tokio::test]
async fn one_waardering_per_carer_per_year() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let carers = mz::carers_for_consultant(&mut tx, &entry()).await.unwrap();
        let own = carers
            .iter()
            .find(|c| c.user_id.is_some())
            .expect("the demo resident is a carer");
        let twice = mz::apply_waardering(
            &mut tx,
            own.id,
            today().year(),
            WaarderingChoice::Uitje,
            None,
        )
        .await;
        assert!(matches!(twice, Err(CarerStoreError::AlreadyApplied)));
        let next_year = mz::apply_waardering(
            &mut tx,
            own.id,
            today().year() + 1,
            WaarderingChoice::Uitje,
            None,
        )
        .await;
        assert!(next_year.is_ok());
        let open = mz::waarderingen_open(&mut tx).await.unwrap();
        assert_eq!(open.len(), 2);
        assert!(mz::grant_waardering(&mut tx, open[0].id, 1).await.unwrap());
        assert!(!mz::grant_waardering(&mut tx, open[0].id, 1).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(
            count(
                &t,
                "SELECT COUNT(*) FROM audit_log WHERE object_type = 'carer'"
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn a_heavy_burden_becomes_a_signal_only_with_consent() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let (district,): (String,) = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT code FROM districts ORDER BY code LIMIT 1"
        )
        .fetch_one(&mut *c)
        .await)
        .unwrap();
        let (user,): (i64,) = with_conn!(&mut tx, |c| baken_store::sqlx::query_as(
            "SELECT id FROM users WHERE username = 'vrijwilliger'"
        )
        .fetch_one(&mut *c)
        .await)
        .unwrap();
        let id = mz::register(
            &mut tx,
            &NewCarer {
                user_id: Some(user),
                household_id: None,
                registered_by: None,
                name: "Sanne de Vries",
                phone: Some("06 98765432"),
                district_code: &district,
                hours: CareHours::new(25).unwrap(),
                relation: CareRelation::Kind,
                cares_for: "mijn zoon",
                consent_on: today(),
            },
        )
        .await
        .unwrap();
        let carer = mz::own_carer(&mut tx, user).await.unwrap().unwrap();
        // A moderate burden: no signal, even with consent.
        mz::record_burden(
            &mut tx,
            id,
            &Ediz::new(
                [EdizAnswer::Ja; 5]
                    .into_iter()
                    .chain([EdizAnswer::Nee; 4])
                    .collect::<Vec<_>>()
                    .try_into()
                    .unwrap(),
            ),
            today(),
        )
        .await
        .unwrap();
        let moderate = mz::signal_burden(&mut tx, &carer, true, today(), Some(user)).await;
        assert!(matches!(
            moderate,
            Err(CarerStoreError::Rule(CarerError::NotHeavy))
        ));
        mz::record_burden(&mut tx, id, &Ediz::new([EdizAnswer::JaUitroep; 9]), today())
            .await
            .unwrap();
        let refused = mz::signal_burden(&mut tx, &carer, false, today(), Some(user)).await;
        assert!(matches!(
            refused,
            Err(CarerStoreError::Rule(CarerError::NoConsent))
        ));
        let signal = mz::signal_burden(&mut tx, &carer, true, today(), Some(user))
            .await
            .unwrap();
        let again = mz::signal_burden(&mut tx, &carer, true, today(), Some(user))
            .await
            .unwrap();
        assert_eq!(signal, again, "one signal per burden check");
        let row = baken_store::casework::signal(&mut tx, signal)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.category, "overbelaste_mantelzorger");
        assert_eq!(row.callback_phone.as_deref(), Some("06 98765432"));
        assert!(row.team_id.is_some(), "the district's team gets it");
        // Registering the same account twice is refused.
        let twice = mz::register(
            &mut tx,
            &NewCarer {
                user_id: Some(user),
                household_id: None,
                registered_by: None,
                name: "Sanne",
                phone: None,
                district_code: &district,
                hours: CareHours::new(2).unwrap(),
                relation: CareRelation::Kind,
                cares_for: "mijn zoon",
                consent_on: today(),
            },
        )
        .await;
        assert!(matches!(twice, Err(CarerStoreError::AlreadyRegistered)));
        // Respite care comes from the social map.
        let respite = mz::respite_services(&mut tx, 5).await.unwrap();
        assert!(respite
            .iter()
            .any(|(_, name, _, _)| name.contains("Mantelzorg")));
    }
}
