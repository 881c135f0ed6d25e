//! Commissioning on results, on both backends: the demo's Rotterdam-style
//! commission with its reports and settlement, goals and commissions round
//! trip, versioned definitions, the report's steps, and the figures Baken
//! computes from its own casework data.

use baken_domain::commissioning::{
    AgendaGoal, Baken, Cadence, Commission, CommissionKind, CommissionVariant, ComputedMeasure,
    Hundredths, Indicator, IndicatorKind, IndicatorRole, IndicatorSource, SteeringModel,
};
use baken_domain::contracting::Cents;
use baken_store::commissioning::{self as cm, PaymentTerms, ReportStep, Scope};
use baken_store::testing::{self, TestDb};
use baken_store::{areas, demo};
use chrono::NaiveDate;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn dbs(households: u64) -> Vec<TestDb> {
    let dbs = testing::all().await;
    for t in &dbs {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(households, 3),
            "x",
            |_| {},
        )
        .await
        .expect("demo load");
    }
    dbs
}

#[tokio::test]
async fn the_demo_pays_the_welfare_provider_for_its_volunteers_at_year_end() {
    for t in dbs(2000).await {
        let mut tx = t.db.begin().await.unwrap();
        let commissions = cm::commissions(&mut tx, None).await.unwrap();
        assert_eq!(commissions.len(), 1, "{:?}", t.backend());
        let c = &commissions[0];
        assert_eq!(c.budget_cents, 40_000_000);
        assert_eq!(c.fixed_bp, 8_000);
        let indicators = cm::indicators(&mut tx, c.id).await.unwrap();
        let rule = cm::payment_rule(c, &indicators).unwrap();
        let settlement = cm::settle(&mut tx, c, &indicators, &rule)
            .await
            .unwrap()
            .expect("the year-end report is accepted");
        // 221 volunteers against 200 → 230: 70 % of the € 80.000 results share.
        assert_eq!(settlement.payment.total.value(), 32_000_000 + 5_600_000);
        assert_eq!(settlement.advances_paid.value(), 32_000_000);
        assert_eq!(settlement.balance, 5_600_000);
        let payments = cm::payments(&mut tx, Some(c.id)).await.unwrap();
        assert_eq!(payments.len(), 5);
        assert_eq!(payments.last().unwrap().kind, "vaststelling");

        // Every report: at least 80 % of its measurable figures prefilled by
        // Baken, each resting on enough households to be shown.
        let reports = cm::reports(&mut tx, c.id).await.unwrap();
        assert_eq!(reports.len(), 4);
        for r in &reports {
            assert_eq!(r.status, "geaccepteerd");
            let values = cm::report_values(&mut tx, r.id).await.unwrap();
            let measurable: Vec<_> = values
                .iter()
                .filter(|v| v.prefilled || v.value.is_some())
                .collect();
            let prefilled = measurable.iter().filter(|v| v.prefilled).count();
            assert!(
                prefilled * 100 >= measurable.len() * 80,
                "report {}: {prefilled} of {}",
                r.period_from,
                measurable.len()
            );
            for v in values.iter().filter(|v| v.prefilled) {
                assert!(
                    v.value.is_some(),
                    "report {} indicator {}",
                    r.period_from,
                    v.indicator_id
                );
                assert!(
                    v.households.unwrap_or(0) >= 5,
                    "report {} indicator {}: {:?}",
                    r.period_from,
                    v.indicator_id,
                    v.households
                );
            }
        }
        // The two-year outcome is in the year-end report, not measurable yet.
        let outcome = indicators
            .iter()
            .find(|i| matches!(i.current().indicator.kind, IndicatorKind::Outcome { .. }))
            .unwrap();
        let last = cm::report_values(&mut tx, reports[3].id).await.unwrap();
        let v = last.iter().find(|v| v.indicator_id == outcome.id).unwrap();
        assert_eq!((v.value, v.prefilled), (None, false));
        assert!(!cm::report_values(&mut tx, reports[0].id)
            .await
            .unwrap()
            .iter()
            .any(|v| v.indicator_id == outcome.id));
    }
}

#[tokio::test]
async fn computed_figures_come_from_the_providers_own_households_only() {
    for t in dbs(2000).await {
        let mut tx = t.db.begin().await.unwrap();
        let c = cm::commissions(&mut tx, None).await.unwrap().remove(0);
        let scope = |provider_id| Scope {
            provider_id,
            district: None,
            from: d("2025-01-01"),
            until: d("2025-12-31"),
        };
        let goals = cm::compute(
            &mut tx,
            ComputedMeasure::GoalsAchieved,
            &scope(c.provider_id),
        )
        .await
        .unwrap();
        assert!(goals.households >= 30, "{goals:?}");
        let pct = goals.value.unwrap().value();
        assert!((5_000..=10_000).contains(&pct), "{pct}");
        let zrm = cm::compute(&mut tx, ComputedMeasure::ZrmChange, &scope(c.provider_id))
            .await
            .unwrap();
        assert!(zrm.value.unwrap().value() > 0, "{zrm:?}");
        assert!(zrm.adjusted.is_some());
        let days = cm::compute(
            &mut tx,
            ComputedMeasure::DaysToFirstContact,
            &scope(c.provider_id),
        )
        .await
        .unwrap();
        // The welfare provider's households got contact in 1–4 days.
        let mean = days.value.unwrap().value();
        assert!((100..=400).contains(&mean), "{mean}");
        // The marketplace's measures have no data yet: nothing is made up.
        let volunteers = cm::compute(
            &mut tx,
            ComputedMeasure::ActiveVolunteers,
            &scope(c.provider_id),
        )
        .await
        .unwrap();
        assert_eq!((volunteers.value, volunteers.households), (None, 0));
        // A provider without agreements has no figures.
        let other = areas::create_provider(&mut tx, "Nieuw Welzijn", "welzijn")
            .await
            .unwrap();
        let none = cm::compute(&mut tx, ComputedMeasure::GoalsAchieved, &scope(other))
            .await
            .unwrap();
        assert_eq!((none.value, none.households), (None, 0));
        // The scorecard: per district, adjusted for the start scores.
        let card = cm::scorecard(&mut tx, c.provider_id, d("2025-01-01"), d("2025-12-31"))
            .await
            .unwrap();
        assert!(
            card.iter()
                .any(|r| r.households >= 30 && r.zrm_adjusted.is_some()),
            "{card:?}"
        );
        // Each row's cell holds exactly its households.
        assert!(card.iter().all(|r| r.cell.count() == r.households as u64));
        // The computed figure's cell, kept with a report, is its households'.
        assert_eq!(goals.cell.count(), goals.households as u64);
    }
}

#[tokio::test]
async fn the_scorecard_per_product_compares_the_licensed_providers() {
    for t in dbs(2000).await {
        let mut tx = t.db.begin().await.unwrap();
        let product = baken_store::contracting::product_by_code(&mut tx, "02", "02A01")
            .await
            .unwrap()
            .unwrap();
        let rows = cm::product_scorecard(
            &mut tx,
            None,
            Some(product.id),
            d("2025-01-01"),
            d("2026-12-31"),
        )
        .await
        .unwrap();
        let whole: Vec<_> = rows.iter().filter(|r| r.district.is_none()).collect();
        // The demo's begeleiding was given by more than one provider, each
        // with enough households to show a case-mix adjusted result.
        assert!(whole.len() >= 2, "{rows:?}");
        for r in &whole {
            assert_eq!(r.product_id, product.id);
            assert!(r.households >= 5, "{r:?}");
            assert!(r.zrm_adjusted.is_some(), "{r:?}");
            assert_eq!(r.cell.count(), r.households as u64);
            // The district rows of a provider add up to its whole.
            let parts: i64 = rows
                .iter()
                .filter(|p| p.provider_id == r.provider_id && p.district.is_some())
                .map(|p| p.households)
                .sum();
            assert_eq!(parts, r.households);
        }
        // One provider only, and a product nobody gave: nothing.
        let one = cm::product_scorecard(
            &mut tx,
            Some(whole[0].provider_id),
            Some(product.id),
            d("2025-01-01"),
            d("2026-12-31"),
        )
        .await
        .unwrap();
        assert!(one.iter().all(|r| r.provider_id == whole[0].provider_id));
        // Before any evaluation: no households with a result.
        let before = cm::product_scorecard(&mut tx, None, None, d("2020-01-01"), d("2020-12-31"))
            .await
            .unwrap();
        assert!(before.is_empty(), "{before:?}");
    }
}

fn indicator(name: &str, version_from: &str) -> Indicator {
    Indicator {
        name: name.into(),
        definition: "Het percentage huishoudens dat binnen een jaar terugkomt.".into(),
        kind: IndicatorKind::Effect,
        source: IndicatorSource::Computed(ComputedMeasure::BackWithinYear),
        role: IndicatorRole::Target,
        baseline: Some(Hundredths::whole(15)),
        target: Some(Hundredths::whole(10)),
        cadence: Cadence::HalfYear,
        version: 1,
        valid_from: d(version_from),
    }
    .check()
    .unwrap()
}

#[tokio::test]
async fn a_commission_round_trips_with_versioned_definitions_and_a_report_thread() {
    for t in dbs(5).await {
        let mut tx = t.db.begin().await.unwrap();
        let district = areas::districts(&mut tx).await.unwrap().remove(0);
        let goal = AgendaGoal::new(
            "Minder eenzaamheid onder ouderen in Noord",
            Baken::new(2).unwrap(),
            Some(baken_domain::DistrictCode::parse(&district.code).unwrap()),
        )
        .unwrap();
        let goal_id = cm::create_goal(&mut tx, &goal).await.unwrap();
        let provider = areas::create_provider(&mut tx, "Welzijn Test", "welzijn")
            .await
            .unwrap();
        let commission = Commission {
            title: "Proef 2025".into(),
            kind: CommissionKind::Opdracht,
            provider_id: provider,
            goals: vec![goal_id],
            from: d("2025-01-01"),
            until: d("2025-12-31"),
            budget: Cents::new(1_000_000).unwrap(),
            steering: SteeringModel::Partnerschap,
            variant: CommissionVariant::Taakgericht,
            chain_partners: vec!["Wijkteam".into()],
            year_plan: String::new(),
            work_plan: String::new(),
        }
        .check()
        .unwrap();
        let terms = PaymentTerms {
            fixed_bp: 10_000,
            advances: 2,
            cap: None,
        };
        let id = cm::create_commission(&mut tx, &commission, terms)
            .await
            .unwrap();
        let row = cm::commission(&mut tx, id).await.unwrap().unwrap();
        assert_eq!(row.chain_partner_list(), vec!["Wijkteam"]);
        assert_eq!(row.steering().unwrap(), SteeringModel::Partnerschap);
        let goals = cm::commission_goals(&mut tx, id).await.unwrap();
        assert_eq!(cm::commission_district(&goals), Some(district.code.clone()));
        let v = cm::set_plans(&mut tx, id, "Jaarplan", "Werkplan", row.version)
            .await
            .unwrap();
        assert_eq!(v, row.version + 1);
        assert!(cm::set_plans(&mut tx, id, "x", "y", row.version)
            .await
            .is_err());

        let ind = cm::add_indicator(
            &mut tx,
            id,
            &indicator("Terug binnen een jaar", "2025-01-01"),
            0,
            "beleid",
        )
        .await
        .unwrap();
        let version = cm::change_indicator(
            &mut tx,
            ind,
            &indicator("Terug binnen een jaar (nieuwe definitie)", "2025-05-01"),
            0,
            "beleid",
        )
        .await
        .unwrap();
        assert_eq!(version, 2);
        let rows = cm::indicators(&mut tx, id).await.unwrap();
        assert_eq!(rows[0].versions.len(), 2);
        assert_eq!(rows[0].on(d("2025-03-31")).indicator.version, 1);
        assert_eq!(rows[0].on(d("2025-06-30")).indicator.version, 2);

        let row = cm::commission(&mut tx, id).await.unwrap().unwrap();
        let reports = cm::ensure_reports(&mut tx, &row, Cadence::HalfYear, d("2025-08-01"))
            .await
            .unwrap();
        assert_eq!(reports.len(), 1, "only the ended half year");
        let again = cm::ensure_reports(&mut tx, &row, Cadence::HalfYear, d("2026-01-02"))
            .await
            .unwrap();
        assert_eq!(again.len(), 2);
        let r = &again[0];
        // Accepting an open report is refused; the thread keeps every step.
        assert!(
            !cm::report_step(&mut tx, r.id, ReportStep::Accept, "beleid", "b", "")
                .await
                .unwrap()
        );
        let values = cm::prefill(&mut tx, &row, &goals, &rows, r).await.unwrap();
        assert_eq!(values.len(), 1);
        assert!(values[0].prefilled);
        assert_eq!(values[0].definition_version, 2);
        cm::save_report(&mut tx, r.id, r.version, "Verhaal", &values)
            .await
            .unwrap();
        assert!(
            cm::report_step(&mut tx, r.id, ReportStep::Submit, "aanbieder", "a", "")
                .await
                .unwrap()
        );
        assert!(cm::report_step(
            &mut tx,
            r.id,
            ReportStep::Ask,
            "beleid",
            "b",
            "Waarom zo laag?"
        )
        .await
        .unwrap());
        assert!(cm::report_step(
            &mut tx,
            r.id,
            ReportStep::Answer,
            "aanbieder",
            "a",
            "Nieuwe definitie."
        )
        .await
        .unwrap());
        assert!(
            cm::report_step(&mut tx, r.id, ReportStep::Submit, "aanbieder", "a", "")
                .await
                .unwrap()
        );
        assert!(
            cm::report_step(&mut tx, r.id, ReportStep::Accept, "beleid", "b", "Akkoord")
                .await
                .unwrap()
        );
        let events = cm::report_events(&mut tx, r.id).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "ingediend",
                "vraag",
                "antwoord",
                "ingediend",
                "geaccepteerd"
            ]
        );
        // An accepted report can no longer be changed.
        let r = cm::report(&mut tx, r.id).await.unwrap().unwrap();
        assert!(cm::save_report(&mut tx, r.id, r.version, "later", &[])
            .await
            .is_err());
        tx.commit().await.unwrap();
    }
}

/// A small deterministic generator (xorshift), for random casework.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
    fn date(&mut self) -> NaiveDate {
        d("2023-06-01") + chrono::Duration::days(self.below(950) as i64)
    }
}

async fn run(tx: &mut baken_store::Tx, sql: &str) {
    baken_store::exec!(tx, |c| sqlx::query(sql).execute(&mut *c).await).unwrap();
}

/// Random casework on the demo's households: plans (some closed, some
/// reopened), goals with and without an outcome, agreements with a provider
/// or none, measurements in any order with scores, 'nvt' or none, signals.
async fn random_casework(tx: &mut baken_store::Tx, seed: u64) {
    let mut rng = Rng(seed);
    let households: Vec<(i64,)> = baken_store::with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM households ORDER BY id"
    )
    .fetch_all(&mut *c)
    .await)
    .unwrap();
    let providers: Vec<(i64,)> = baken_store::with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM providers ORDER BY id LIMIT 4"
    )
    .fetch_all(&mut *c)
    .await)
    .unwrap();
    let (user,): (i64,) =
        baken_store::with_conn!(tx, |c| sqlx::query_as("SELECT MIN(id) FROM users")
            .fetch_one(&mut *c)
            .await)
        .unwrap();
    let mut id = 900_000;
    for &(hh,) in &households {
        if rng.below(3) > 0 {
            continue;
        }
        for _ in 0..1 + rng.below(3) {
            id += 1;
            let plan = id;
            let opened = rng.date();
            let closed = opened + chrono::Duration::days(rng.below(300) as i64);
            // Closed (the demo may hold the one open plan a household may have).
            let status = "gesloten";
            run(tx, &format!(
                "INSERT INTO cw_plans (id, household_id, opened_on, opened_by, status, closed_on, updated_at) \
                 VALUES ({plan}, {hh}, '{opened}', {user}, '{status}', '{closed}', '2025-01-01T00:00:00Z')"
            ))
            .await;
            for _ in 0..1 + rng.below(3) {
                id += 1;
                let goal = id;
                let outcome = ["'behaald'", "'niet'", "NULL"][rng.below(3) as usize];
                let on = rng.date();
                run(tx, &format!(
                    "INSERT INTO cw_goals (id, plan_id, domain, description, measure, target_date, term, outcome, outcome_on) \
                     VALUES ({goal}, {plan}, 'financien', 'doel', 'maat', '{on}', 'kort', {outcome}, '{on}')"
                ))
                .await;
                for _ in 0..rng.below(3) {
                    id += 1;
                    let provider = match rng.below(providers.len() as u64 + 1) as usize {
                        i if i < providers.len() => providers[i].0.to_string(),
                        _ => "NULL".to_owned(),
                    };
                    let step = 1 + rng.below(4);
                    let start = rng.date();
                    run(tx, &format!(
                        "INSERT INTO cw_agreements (id, plan_id, goal_id, actor, actor_name, provider_id, description, \
                           step, form, frequency, start_on, own_contribution, reason1, reason2, reason3, created_at) \
                         VALUES ({id}, {plan}, {goal}, 'voorziening', 'x', {provider}, 'afspraak', {step}, 'individueel', \
                           'wekelijks', '{start}', '', 'a', 'b', 'c', '2025-01-01T00:00:00Z')"
                    ))
                    .await;
                }
            }
        }
        for _ in 0..rng.below(5) {
            id += 1;
            let source = ["'gesprek'", "'evaluatie'"][rng.below(2) as usize];
            run(tx, &format!(
                "INSERT INTO cw_measurements (id, household_id, measured_on, source) VALUES ({id}, {hh}, '{}', {source})",
                rng.date()
            ))
            .await;
            for domain in ["financien", "werk", "huisvesting", "sociaal"] {
                if rng.below(4) > 0 {
                    let score = ["1", "2", "3", "4", "5", "nvt"][rng.below(6) as usize];
                    run(tx, &format!(
                        "INSERT INTO cw_scores (measurement_id, domain, score) VALUES ({id}, '{domain}', '{score}')"
                    ))
                    .await;
                }
            }
        }
        for _ in 0..rng.below(3) {
            id += 1;
            let reported = rng.date();
            let contact = reported + chrono::Duration::days(rng.below(40) as i64);
            run(tx, &format!(
                "INSERT INTO cw_signals (id, reported_on, category, urgency, description, source, postcode, \
                   house_number, household_id, first_contact_on, created_at) \
                 VALUES ({id}, '{reported}', 'Zorgen', 'normaal', 'x', 'buur', '1234AB', 1, {hh}, '{contact}', \
                   '2025-01-01T00:00:00Z')"
            ))
            .await;
        }
    }
}

/// The grouped computation (one query per measure and period for every
/// provider and district) gives exactly what computing each figure on its
/// own gave: value, households, cell key and adjusted value, on random data.
#[tokio::test]
async fn computing_every_figure_at_once_equals_computing_each_on_its_own() {
    for t in dbs(300).await {
        let mut tx = t.db.begin().await.unwrap();
        random_casework(&mut tx, 0x9E37_79B9_7F4A_7C15).await;
        let providers: Vec<(i64,)> = baken_store::with_conn!(&mut tx, |c| sqlx::query_as(
            "SELECT id FROM providers ORDER BY id LIMIT 4"
        )
        .fetch_all(&mut *c)
        .await)
        .unwrap();
        let mut districts: Vec<Option<String>> = areas::districts(&mut tx)
            .await
            .unwrap()
            .into_iter()
            .map(|d| Some(d.code))
            .collect();
        districts.push(None);
        let periods = [
            ("2024-01-01", "2024-12-31"),
            ("2025-01-01", "2025-03-31"),
            ("2025-04-01", "2025-06-30"),
            ("2025-01-01", "2025-12-31"),
        ];
        let mut requests = Vec::new();
        for measure in ComputedMeasure::ALL {
            for &(provider_id,) in &providers {
                for district in &districts {
                    for (from, until) in periods {
                        requests.push((
                            *measure,
                            Scope {
                                provider_id,
                                district: district.clone(),
                                from: d(from),
                                until: d(until),
                            },
                        ));
                    }
                }
            }
        }
        let many = cm::compute_many(&mut tx, &requests).await.unwrap();
        let mut nonempty = 0;
        for ((measure, scope), figure) in requests.iter().zip(&many) {
            let reference = cm::compute_reference(&mut tx, *measure, scope)
                .await
                .unwrap();
            assert_eq!(
                *figure,
                reference,
                "{:?} {measure:?} {scope:?}",
                t.backend()
            );
            if figure.households > 0 {
                nonempty += 1;
            }
        }
        // The data exercised the figures: most are not empty.
        assert!(
            nonempty * 2 > requests.len(),
            "{nonempty} of {}",
            requests.len()
        );
        // One district on its own (the query bound to it) gives the same.
        let one = &requests[requests.len() / 2];
        let single = cm::compute(&mut tx, one.0, &one.1).await.unwrap();
        assert_eq!(single, many[requests.len() / 2]);
    }
}
