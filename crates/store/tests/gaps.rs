//! The gaps in the offer on both backends: a wijzer search without a fitting
//! offer, an ask without a match and a referral waiting for a provider each
//! land in their own life domain (or category), district and period — and the
//! wijzer's record holds counters only, nothing of a person or a visit.

use baken_domain::casework::LifeDomain;
use baken_domain::cell_key::{CellKeySecret, CellKeys};
use baken_domain::period::Period;
use baken_domain::DistrictCode;
use baken_store::gaps::{self, WijzerCell};
use baken_store::testing::{self, TestDb};
use baken_store::{demo, exec, meta, with_conn, Tx};
use chrono::NaiveDate;
use sqlx::{Column, Row};

/// A quarter long before the demo's data, so only this test's records are in it.
const QUARTER: Period = Period::Quarter(2020, 1);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn dbs() -> Vec<TestDb> {
    let dbs = testing::all().await;
    for t in &dbs {
        demo::load(
            &t.db,
            &baken_synth::municipality(),
            &baken_synth::Config::new(5, 30),
            "x",
            |_| {},
        )
        .await
        .expect("demo load");
    }
    dbs
}

async fn secret(tx: &mut Tx) -> CellKeySecret {
    let s = meta::server_secret(tx, "cell_key").await.unwrap().unwrap();
    CellKeySecret::new(s.as_bytes())
}

async fn district(tx: &mut Tx, n: usize) -> String {
    baken_store::areas::districts(tx).await.unwrap()[n]
        .code
        .clone()
}

fn find<'a>(
    cells: &'a [WijzerCell],
    district: Option<&str>,
    domain: Option<&str>,
    found: bool,
) -> Option<&'a CellKeys> {
    cells
        .iter()
        .find(|c| {
            c.district.as_deref() == district
                && c.domain.as_deref() == domain
                && c.offer_found == found
        })
        .map(|c| &c.cell)
}

/// Counts searches without an offer on finances from district number `n`
/// in 2021-K2, one call per element of `calls` (each that many searches),
/// and reads the cell back.
async fn counted(t: &TestDb, s: &CellKeySecret, n: usize, calls: &[u32]) -> CellKeys {
    let mut tx = t.db.begin().await.unwrap();
    let wk = DistrictCode::parse(&district(&mut tx, n).await).unwrap();
    for &times in calls {
        let domains = [LifeDomain::Financien];
        gaps::record_wijzer_searches(
            &mut tx,
            s,
            day(2021, 5, 5),
            Some(&wk),
            &domains,
            false,
            times,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = t.db.read().await.unwrap();
    let cells = gaps::wijzer_searches(&mut tx, Period::Quarter(2021, 2))
        .await
        .unwrap();
    *find(&cells, Some(wk.as_str()), Some("financien"), false).unwrap()
}

#[tokio::test]
async fn a_wijzer_search_without_an_offer_counts_in_its_domain_district_and_quarter() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let s = secret(&mut tx).await;
        let wk = DistrictCode::parse(&district(&mut tx, 0).await).unwrap();
        let two = [LifeDomain::Financien, LifeDomain::Huisvesting];
        for _ in 0..6 {
            gaps::record_wijzer_searches(&mut tx, &s, day(2020, 2, 3), Some(&wk), &two, false, 1)
                .await
                .unwrap();
        }
        gaps::record_wijzer_searches(&mut tx, &s, day(2020, 3, 30), Some(&wk), &two, true, 2)
            .await
            .unwrap();
        // No district chosen, no life domain named: its own column and row.
        gaps::record_wijzer_searches(&mut tx, &s, day(2020, 1, 1), None, &[], false, 3)
            .await
            .unwrap();
        // The next quarter is another cell.
        gaps::record_wijzer_searches(&mut tx, &s, day(2020, 4, 1), Some(&wk), &two, false, 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.db.read().await.unwrap();
        let cells = gaps::wijzer_searches(&mut tx, QUARTER).await.unwrap();
        let wk = Some(wk.as_str());
        let count = |d, dom, f| find(&cells, d, dom, f).map(|c| c.count());
        assert_eq!(
            count(wk, Some("financien"), false),
            Some(6),
            "{:?}",
            t.backend()
        );
        assert_eq!(count(wk, Some("huisvesting"), false), Some(6));
        // The search itself once, though it touched two domains.
        assert_eq!(count(wk, None, false), Some(6));
        assert_eq!(count(wk, None, true), Some(2));
        assert_eq!(count(None, Some(""), false), Some(3));
        assert_eq!(count(None, None, false), Some(3));
        assert_eq!(count(wk, Some("werk_opleiding"), false), None);
        // The cell carries its records' key sum, for the noise.
        let one_by_one = find(&cells, wk, Some("financien"), false).unwrap();
        assert_ne!(one_by_one.key(), 0);
        // The year holds both quarters; the quarter only its own.
        let year = gaps::wijzer_searches(&mut tx, Period::Year(2020))
            .await
            .unwrap();
        assert_eq!(
            find(&year, wk, Some("financien"), false).map(|c| c.count()),
            Some(7)
        );
        drop(tx);

        // Six searches counted in one go, and six one by one in another
        // district: the same count, another cell, another key.
        let in_one_go = counted(&t, &s, 1, &[6]).await;
        let other = counted(&t, &s, 2, &[1; 6]).await;
        assert_eq!((in_one_go.count(), other.count()), (6, 6));
        assert_ne!(other.key(), in_one_go.key());
    }
}

/// Reads every column of every row the wijzer's recording wrote: only the
/// quarter, a district code the resident picked, a life domain code, whether an
/// offer fitted, a count and a key sum — no text, no time, no address, and no
/// row per search.
#[tokio::test]
async fn the_wijzer_record_holds_counters_and_nothing_of_a_person() {
    for t in testing::all().await {
        let mut tx = t.db.begin().await.unwrap();
        let s = secret(&mut tx).await;
        let wk = DistrictCode::parse("WK999901").unwrap();
        for i in 0..20u32 {
            let domains = if i % 2 == 0 {
                vec![LifeDomain::SociaalNetwerk]
            } else {
                vec![LifeDomain::SociaalNetwerk, LifeDomain::Financien]
            };
            gaps::record_wijzer_searches(
                &mut tx,
                &s,
                day(2026, 11, 1 + i),
                Some(&wk).filter(|_| i % 3 != 0),
                &domains,
                i % 4 == 0,
                1,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = t.db.read().await.unwrap();
        let rows: Vec<Vec<(String, String)>> = with_conn!(tx, |c| {
            let rows = sqlx::query(
                "SELECT period, district_code, life_domain, \
                 CASE WHEN offer_found THEN 'ja' ELSE 'nee' END AS offer_found, \
                 CAST(searches AS TEXT) AS searches, CAST(key_sum AS TEXT) AS key_sum, * \
                 FROM gap_wijzer_searches",
            )
            .fetch_all(&mut *c)
            .await
            .unwrap();
            rows.iter()
                .map(|r| {
                    (0..6)
                        .map(|i| (r.columns()[i].name().to_owned(), r.get::<String, _>(i)))
                        .collect::<Vec<_>>()
                        .into_iter()
                        .chain(
                            r.columns()
                                .iter()
                                .skip(6)
                                .map(|c| (format!("*{}", c.name()), String::new())),
                        )
                        .collect()
                })
                .collect()
        });
        // Exactly these columns, nothing else.
        let names: Vec<&str> = rows[0].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "period",
                "district_code",
                "life_domain",
                "offer_found",
                "searches",
                "key_sum",
                "*period",
                "*district_code",
                "*life_domain",
                "*offer_found",
                "*searches",
                "*key_sum"
            ],
            "{:?}",
            t.backend()
        );
        let domains: Vec<&str> = LifeDomain::ALL.iter().map(|d| d.as_str()).collect();
        let mut total = 0;
        for row in &rows {
            let v = |i: usize| row[i].1.as_str();
            assert_eq!(v(0), "2026-K4");
            assert!(v(1).is_empty() || v(1) == "WK999901", "{row:?}");
            assert!(v(2) == "*" || domains.contains(&v(2)), "{row:?}");
            assert!(["ja", "nee"].contains(&v(3)));
            let n: u64 = v(4).parse().unwrap();
            let key: u64 = v(5).parse().unwrap();
            assert!(n >= 1 && key < (1 << 32));
            if v(2) == "*" {
                total += n;
            }
        }
        // Twenty searches, but only a handful of counters.
        assert_eq!(total, 20);
        assert!(rows.len() <= 12, "{} rows for 20 searches", rows.len());
    }
}

async fn listing(
    tx: &mut Tx,
    participant: i64,
    category: i64,
    direction: &str,
    district: Option<&str>,
    on: NaiveDate,
) -> i64 {
    with_conn!(tx, |c| {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO mk_listings (participant_id, direction, category_id, title, body, \
             district_code, recurrence, part_of_day, posted_on, created_at) \
             VALUES ($1, $2, $3, 'Hulp in de tuin', 'Wie helpt?', $4, 'eenmalig', 'flexibel', $5, $6) \
             RETURNING id",
        )
        .bind(participant)
        .bind(direction)
        .bind(category)
        .bind(district)
        .bind(on)
        .bind(baken_store::now())
        .fetch_one(&mut *c)
        .await
    })
    .unwrap()
    .0
}

async fn referral(tx: &mut Tx, plan: i64, user: i64, decided: NaiveDate) -> i64 {
    with_conn!(tx, |c| {
        sqlx::query_as::<_, (i64,)>(
            "INSERT INTO cw_referrals (plan_id, requested_by, requested_on, care, reason1, \
             reason2, reason3, reason4, status, decided_by, decided_on) \
             VALUES ($1, $2, $3, 'begeleiding', 'a', 'b', 'c', 'd', 'goedgekeurd', $2, $3) RETURNING id",
        )
        .bind(plan)
        .bind(user)
        .bind(decided)
        .fetch_one(&mut *c)
        .await
    })
    .unwrap()
    .0
}

#[tokio::test]
async fn an_ask_without_a_match_counts_in_its_category_district_and_period() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let s = secret(&mut tx).await;
        let wk = district(&mut tx, 1).await;
        let (participant,): (i64,) = with_conn!(tx, |c| {
            sqlx::query_as("SELECT MIN(id) FROM mk_participants")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        let (tuin,): (i64,) = with_conn!(tx, |c| {
            sqlx::query_as("SELECT id FROM mk_categories WHERE name = 'Tuin'")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        let mut ids = Vec::new();
        for (direction, district, on) in [
            ("vraag", Some(wk.as_str()), day(2020, 2, 1)),
            ("vraag", Some(wk.as_str()), day(2020, 2, 2)),
            ("vraag", None, day(2020, 3, 31)),
            ("aanbod", Some(wk.as_str()), day(2020, 2, 3)),
            ("vraag", Some(wk.as_str()), day(2020, 4, 1)),
        ] {
            ids.push(listing(&mut tx, participant, tuin, direction, district, on).await);
        }
        // An open ask, an answered one and one to the whole town in the
        // quarter; an offer; an ask in the next quarter.
        let [open, answered, town, _offer, _later] = ids[..] else {
            panic!("five listings")
        };
        let (responder,): (i64,) = with_conn!(tx, |c| {
            sqlx::query_as("SELECT MAX(id) FROM mk_participants")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO mk_matches (listing_id, responder_id, state, proposed_by, accepted_at, \
                 created_at, updated_at) VALUES ($1, $2, 'afgesloten', 'aanbod', $3, $3, $3)",
            )
            .bind(answered)
            .bind(responder)
            .bind(baken_store::now())
            .execute(&mut *c)
            .await
        })
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.db.read().await.unwrap();
        let asks = gaps::market_asks(&mut tx, &s, QUARTER).await.unwrap();
        assert_eq!(
            asks.len(),
            3,
            "asks of the quarter only, no offers: {asks:?}"
        );
        let key = |id| baken_domain::cell_key::RecordKey::derive(&s, "listing", id);
        let of = |id| asks.iter().find(|a| a.key == key(id)).unwrap();
        assert!(!of(open).matched);
        assert_eq!(of(open).category, "Tuin");
        assert_eq!(of(open).district.as_deref(), Some(wk.as_str()));
        assert!(
            of(answered).matched,
            "an accepted match, even if closed since"
        );
        assert!(!of(town).matched);
        assert_eq!(of(town).district, None);
        let year = gaps::market_asks(&mut tx, &s, Period::Year(2020))
            .await
            .unwrap();
        assert_eq!(year.len(), 4);
    }
}

#[tokio::test]
async fn a_referral_waiting_for_a_provider_counts_in_its_domain_district_and_period() {
    for t in dbs().await {
        let mut tx = t.db.begin().await.unwrap();
        let s = secret(&mut tx).await;
        let (plan, household, wk, resident): (i64, i64, String, i64) = with_conn!(tx, |c| {
            sqlx::query_as(
                "SELECT p.id, h.id, h.district_code, (SELECT MIN(r.id) FROM residents r WHERE r.household_id = h.id) \
                 FROM cw_plans p JOIN households h ON h.id = p.household_id ORDER BY p.id LIMIT 1",
            )
            .fetch_one(&mut *c)
            .await
        })
        .unwrap();
        let (user,): (i64,) = with_conn!(tx, |c| {
            sqlx::query_as("SELECT id FROM users WHERE username = 'teamleider'")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        let waiting = referral(&mut tx, plan, user, day(2020, 1, 10)).await;
        let served = referral(&mut tx, plan, user, day(2020, 2, 1)).await;
        let _later = referral(&mut tx, plan, user, day(2020, 4, 1)).await;
        // The waiting one serves a goal on finances.
        let (goal,): (i64,) = with_conn!(tx, |c| {
            sqlx::query_as(
                "INSERT INTO cw_goals (plan_id, domain, description, measure, target_date, term) \
                 VALUES ($1, 'financien', 'Schulden op orde', 'regeling', $2, 'kort') RETURNING id",
            )
            .bind(plan)
            .bind(day(2020, 6, 1))
            .fetch_one(&mut *c)
            .await
        })
        .unwrap();
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO cw_agreements (plan_id, goal_id, actor, actor_name, description, step, \
                 form, frequency, start_on, own_contribution, reason1, reason2, reason3, referral_id, created_at) \
                 VALUES ($1, $2, 'aanbieder', 'Aanbieder', 'Schuldhulp', 5, 'individueel', 'wekelijks', $3, \
                 'geen', 'a', 'b', 'c', $4, $5)",
            )
            .bind(plan)
            .bind(goal)
            .bind(day(2020, 1, 10))
            .bind(waiting)
            .bind(baken_store::now())
            .execute(&mut *c)
            .await
        })
        .unwrap();
        // The other got a provider, starting 40 days after approval.
        let (product, provider): (i64, i64) = with_conn!(tx, |c| {
            sqlx::query_as("SELECT MIN(id), (SELECT MIN(id) FROM providers) FROM ct_products")
                .fetch_one(&mut *c)
                .await
        })
        .unwrap();
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO ct_toewijzingen (number, household_id, resident_id, referral_id, product_id, \
                 provider_id, start_date, choice, choice_note, changed_at) \
                 VALUES (990001, $1, $2, $3, $4, $5, $6, 'geen_voorkeur', '', $7)",
            )
            .bind(household)
            .bind(resident)
            .bind(served)
            .bind(product)
            .bind(provider)
            .bind(day(2020, 3, 12))
            .bind(baken_store::now())
            .execute(&mut *c)
            .await
        })
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.db.read().await.unwrap();
        let today = day(2020, 5, 1);
        let facts = gaps::approved_referrals(&mut tx, &s, QUARTER, today)
            .await
            .unwrap();
        assert_eq!(facts.len(), 2, "{:?}", t.backend());
        let key = |id| baken_domain::cell_key::RecordKey::derive(&s, "referral", id);
        let of = |id| facts.iter().find(|f| f.key == key(id)).unwrap();
        assert!(of(waiting).waiting);
        assert_eq!(of(waiting).district, wk);
        assert_eq!(of(waiting).domains, ["financien"]);
        assert_eq!(of(waiting).waited_days, 112, "approval to today");
        assert!(!of(served).waiting);
        assert_eq!(of(served).waited_days, 40, "approval to the start");
        assert_eq!(of(served).domains, [""], "no agreement yet: no life domain");
        let year = gaps::approved_referrals(&mut tx, &s, Period::Year(2020), today)
            .await
            .unwrap();
        assert_eq!(year.len(), 3);
    }
}

#[tokio::test]
async fn the_demo_has_wijzer_searches_without_an_offer_this_quarter() {
    for t in dbs().await {
        let mut tx = t.db.read().await.unwrap();
        let now = Period::quarter_of(baken_store::now().date_naive());
        let cells = gaps::wijzer_searches(&mut tx, now).await.unwrap();
        let without: u64 = cells
            .iter()
            .filter(|c| c.domain.is_none() && !c.offer_found)
            .map(|c| c.cell.count())
            .sum();
        assert!(without >= 20, "{without}");
    }
}
