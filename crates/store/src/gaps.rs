//! What the page "Tekorten in het aanbod" is computed from (issue 15 item 3):
//! the wijzer's searches without a fitting offer, the marketplace's asks, and
//! the referrals approved for specialised care with when a provider took them
//! on. No person leaves this module: listings and referrals only become cell
//! keys (`baken_domain::cell_key`), and the wijzer's searches are never stored
//! one by one — table `gap_wijzer_searches` (migration 0105) keeps counters per
//! quarter, district, life domain and outcome, each with the sum of its
//! records' keys.

use crate::{exec, with_conn, Result, StoreError, Tx};
use baken_domain::casework::LifeDomain;
use baken_domain::cell_key::{CellKeySecret, CellKeys, RecordKey};
use baken_domain::period::Period;
use baken_domain::DistrictCode;
use chrono::NaiveDate;

/// The row of a wijzer search itself (each search once per cell).
const SEARCH: &str = "*";
/// Key sums are kept modulo 2^32, as [`CellKeys`] adds them.
const KEY_MODULUS: i64 = 1 << 32;

/// The quarters a period covers, as stored (`2026-K3`).
fn quarters(period: Period) -> [String; 4] {
    match period {
        Period::Year(y) => [1u8, 2, 3, 4].map(|q| Period::Quarter(y, q).code()),
        Period::Quarter(..) => [(); 4].map(|_| period.code()),
    }
}

/// Records that the wijzer answered `times` searches on day `on`, from
/// `district` (if the resident chose one), touching `domains`, with or
/// without a fitting offer. Only counters change: the search's cell (`*`) and
/// one cell per life domain ('' when it named none). Each record's key is
/// derived from its cell and its number in that cell, so a cell's key sum is
/// the same whichever process counted it.
pub async fn record_wijzer_searches(
    tx: &mut Tx,
    secret: &CellKeySecret,
    on: NaiveDate,
    district: Option<&DistrictCode>,
    domains: &[LifeDomain],
    offer_found: bool,
    times: u32,
) -> Result<()> {
    if times == 0 {
        return Ok(());
    }
    let period = Period::quarter_of(on).code();
    let district = district.map_or("", |d| d.as_str());
    let mut labels: Vec<&str> = vec![SEARCH];
    if domains.is_empty() {
        labels.push("");
    }
    for d in domains {
        if !labels.contains(&d.as_str()) {
            labels.push(d.as_str());
        }
    }
    for label in labels {
        // The upsert locks the row until commit (PostgreSQL) or holds the
        // single writer (SQLite), so the count it returns is this caller's.
        let (count,): (i64,) = with_conn!(tx, |c| {
            sqlx::query_as(
                "INSERT INTO gap_wijzer_searches \
                 (period, district_code, life_domain, offer_found, searches, key_sum) \
                 VALUES ($1, $2, $3, $4, $5, 0) \
                 ON CONFLICT (period, district_code, life_domain, offer_found) \
                 DO UPDATE SET searches = gap_wijzer_searches.searches + $5 \
                 RETURNING searches",
            )
            .bind(&period)
            .bind(district)
            .bind(label)
            .bind(offer_found)
            .bind(i64::from(times))
            .fetch_one(&mut *c)
            .await
        })?;
        let kind = format!("wijzer:{period}:{district}:{label}:{offer_found}");
        let first = count - i64::from(times) + 1;
        let added = CellKeys::of((first..=count).map(|n| RecordKey::derive(secret, &kind, n)));
        exec!(tx, |c| {
            sqlx::query(
                "UPDATE gap_wijzer_searches SET key_sum = (key_sum + $1) % $2 \
                 WHERE period = $3 AND district_code = $4 AND life_domain = $5 AND offer_found = $6",
            )
            .bind(i64::from(added.key()))
            .bind(KEY_MODULUS)
            .bind(&period)
            .bind(district)
            .bind(label)
            .bind(offer_found)
            .execute(&mut *c)
            .await
        })?;
    }
    Ok(())
}

/// One of the wijzer's counters over a period: the searches from a district
/// (`None`: none chosen) in a life domain (`Some("")`: none named; `None`:
/// the searches themselves, each once), with or without a fitting offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WijzerCell {
    pub district: Option<String>,
    pub domain: Option<String>,
    pub offer_found: bool,
    pub cell: CellKeys,
}

/// The wijzer's counters for the quarters of `period`, one cell per district,
/// domain and outcome (the quarters of a year joined).
pub async fn wijzer_searches(tx: &mut Tx, period: Period) -> Result<Vec<WijzerCell>> {
    let q = quarters(period);
    let rows: Vec<(String, String, bool, i64, i64)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT district_code, life_domain, offer_found, searches, key_sum \
             FROM gap_wijzer_searches WHERE period IN ($1, $2, $3, $4) \
             ORDER BY district_code, life_domain, offer_found",
        )
        .bind(&q[0])
        .bind(&q[1])
        .bind(&q[2])
        .bind(&q[3])
        .fetch_all(&mut *c)
        .await
    })?;
    let mut out: Vec<WijzerCell> = Vec::new();
    for (district, domain, offer_found, searches, key_sum) in rows {
        let cell = CellKeys::from_parts(
            u64::try_from(searches)
                .map_err(|_| StoreError::Corrupt(format!("wijzer counter {searches}")))?,
            u32::try_from(key_sum)
                .map_err(|_| StoreError::Corrupt(format!("wijzer key sum {key_sum}")))?,
        );
        let district = Some(district).filter(|d| !d.is_empty());
        let domain = Some(domain).filter(|d| d != SEARCH);
        match out
            .iter_mut()
            .find(|c| c.district == district && c.domain == domain && c.offer_found == offer_found)
        {
            Some(c) => c.cell = c.cell.union(cell),
            None => out.push(WijzerCell {
                district,
                domain,
                offer_found,
                cell,
            }),
        }
    }
    Ok(out)
}

/// A marketplace ask posted in the period: its key, category and district
/// (`None`: the whole town), and whether anyone ever accepted a match on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskFact {
    pub key: RecordKey,
    pub category: String,
    pub district: Option<String>,
    pub matched: bool,
}

/// Every ask posted in `period` and not hidden by moderation. An ask counts as
/// matched when a match on it — or on the offer its answerer came from — was
/// accepted (even if it is closed since).
pub async fn market_asks(
    tx: &mut Tx,
    secret: &CellKeySecret,
    period: Period,
) -> Result<Vec<AskFact>> {
    let rows: Vec<(i64, String, Option<String>, bool)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT l.id, k.name, l.district_code, EXISTS (SELECT 1 FROM mk_matches m \
                WHERE (m.listing_id = l.id OR m.via_listing_id = l.id) AND m.accepted_at IS NOT NULL) \
             FROM mk_listings l JOIN mk_categories k ON k.id = l.category_id \
             WHERE l.direction = 'vraag' AND l.state <> 'verborgen' \
             AND l.posted_on >= $1 AND l.posted_on <= $2",
        )
        .bind(period.first_day())
        .bind(period.last_day())
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, category, district, matched)| AskFact {
            key: RecordKey::derive(secret, "listing", id),
            category,
            district,
            matched,
        })
        .collect())
}

/// A referral approved in the period: its key, its household's district, the
/// life domains of the goals its agreements serve ('' when none yet), how many
/// days it waited for a provider and whether it still waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFact {
    pub key: RecordKey,
    pub district: String,
    pub domains: Vec<String>,
    /// From approval to the start of its first toewijzing, or to `today`
    /// while there is none.
    pub waited_days: i64,
    /// No provider has taken it on: no toewijzing names it.
    pub waiting: bool,
}

/// Every referral approved in `period`, with its wait for a provider as of `today`.
pub async fn approved_referrals(
    tx: &mut Tx,
    secret: &CellKeySecret,
    period: Period,
    today: NaiveDate,
) -> Result<Vec<ReferralFact>> {
    let rows: Vec<(i64, String, NaiveDate, Option<NaiveDate>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT r.id, h.district_code, r.decided_on, \
             (SELECT MIN(z.start_date) FROM ct_toewijzingen z WHERE z.referral_id = r.id) \
             FROM cw_referrals r JOIN cw_plans p ON p.id = r.plan_id \
             JOIN households h ON h.id = p.household_id \
             WHERE r.status = 'goedgekeurd' AND r.decided_on >= $1 AND r.decided_on <= $2 \
             ORDER BY r.id",
        )
        .bind(period.first_day())
        .bind(period.last_day())
        .fetch_all(&mut *c)
        .await
    })?;
    let domains: Vec<(i64, String)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT DISTINCT a.referral_id, g.domain FROM cw_agreements a \
             JOIN cw_goals g ON g.id = a.goal_id JOIN cw_referrals r ON r.id = a.referral_id \
             WHERE r.status = 'goedgekeurd' AND r.decided_on >= $1 AND r.decided_on <= $2 \
             ORDER BY a.referral_id, g.domain",
        )
        .bind(period.first_day())
        .bind(period.last_day())
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, district, approved, started)| {
            let mut d: Vec<String> = domains
                .iter()
                .filter(|(r, _)| *r == id)
                .map(|(_, d)| d.clone())
                .collect();
            if d.is_empty() {
                d.push(String::new());
            }
            ReferralFact {
                key: RecordKey::derive(secret, "referral", id),
                district,
                domains: d,
                waited_days: (started.unwrap_or(today) - approved).num_days(),
                waiting: started.is_none(),
            }
        })
        .collect())
}

/// The demo's wijzer: searches over the last four quarters from every
/// district, some with and some without a fitting offer, so the page shows
/// real cells. Invented, like the rest of the demo.
#[cfg(feature = "demo")]
pub async fn load_demo(tx: &mut Tx, m: &baken_synth::Municipality, today: NaiveDate) -> Result<()> {
    let Some(secret) = crate::meta::server_secret(tx, "cell_key").await? else {
        return Ok(());
    };
    let secret = CellKeySecret::new(secret.as_bytes());
    let domains = [
        LifeDomain::SociaalNetwerk,
        LifeDomain::Financien,
        LifeDomain::Huisvesting,
        LifeDomain::GeestelijkeGezondheid,
        LifeDomain::Tijdsbesteding,
    ];
    let mut quarter = Period::quarter_of(today);
    for q in 0..4u32 {
        let day = quarter.first_day();
        for (i, d) in m.districts.iter().enumerate() {
            let i = i as u32;
            for (j, domain) in domains.iter().enumerate() {
                let j = j as u32;
                let without = (i * 7 + j * 5 + q * 3) % 11 + if j < 2 { 4 } else { 0 };
                let with = (i * 3 + j * 11 + q) % 17 + 6;
                record_wijzer_searches(tx, &secret, day, Some(&d.code), &[*domain], false, without)
                    .await?;
                record_wijzer_searches(tx, &secret, day, Some(&d.code), &[*domain], true, with)
                    .await?;
            }
        }
        record_wijzer_searches(tx, &secret, day, None, &[], false, 9 + q).await?;
        quarter = quarter.previous();
    }
    Ok(())
}
