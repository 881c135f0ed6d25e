//! What the verantwoording dashboard is computed from: every use of support —
//! casework agreements and toewijzingen — with its household's district, its
//! step, when it ran and, for a toewijzing, its price. No person leaves this
//! module: household ids only become cell keys (`baken_domain::cell_key`).

use crate::{exec, fetch_packed, now, versioned_update, with_conn, Conn, Result, StoreError, Tx};
use baken_domain::cell_key::{CellKeySecret, CellKeys, RecordKey};
use baken_domain::contracting::{yearly_cost, Cents, Frequency, Scope, Unit};
use baken_domain::monitoring::trends::Purchase;
use baken_domain::monitoring::{Layer, SupportUse, Targets};
use baken_domain::LadderStep;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

fn step_of(v: i64) -> Result<LadderStep> {
    u8::try_from(v)
        .ok()
        .and_then(|v| LadderStep::new(v).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("ladder step {v}")))
}

/// The pyramid's targets as stored, with the version a change must name and
/// who set them last (`None`: KING's default, never changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTargets {
    pub targets: Targets,
    pub version: i64,
    pub set_by: Option<String>,
    pub set_at: Option<DateTime<Utc>>,
}

type TargetsRow = (i64, i64, i64, i64, Option<String>, Option<DateTime<Utc>>);

/// The municipality's targets for the pyramid (migration 0101 starts them at
/// KING's 85/10/5), with their version.
pub async fn stored_targets(tx: &mut Tx) -> Result<StoredTargets> {
    let (light, middle, heavy, version, set_by, set_at): TargetsRow = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT light, middle, heavy, version, set_by, set_at FROM mon_targets WHERE id = 1",
        )
        .fetch_one(&mut *c)
        .await
    })?;
    let pct = |v: i64| u8::try_from(v).map_err(|_| StoreError::Corrupt(format!("target {v}")));
    let targets = Targets::new(pct(light)?, pct(middle)?, pct(heavy)?)
        .map_err(|e| StoreError::Corrupt(format!("pyramid targets: {e}")))?;
    Ok(StoredTargets {
        targets,
        version,
        set_by,
        set_at,
    })
}

/// The municipality's targets for the pyramid.
pub async fn targets(tx: &mut Tx) -> Result<Targets> {
    Ok(stored_targets(tx).await?.targets)
}

/// Sets the targets if they are still at `expected_version` (else a
/// [`StoreError::Conflict`]); returns the new version.
pub async fn set_targets(
    tx: &mut Tx,
    targets: Targets,
    expected_version: i64,
    by: &str,
) -> Result<i64> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE mon_targets SET light = $1, middle = $2, heavy = $3, set_by = $4, set_at = $5, \
             version = version + 1 WHERE id = 1 AND version = $6",
        )
        .bind(i64::from(targets.of(Layer::Light)))
        .bind(i64::from(targets.of(Layer::Middle)))
        .bind(i64::from(targets.of(Layer::Heavy)))
        .bind(by)
        .bind(now())
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })?;
    versioned_update(tx, n, expected_version, "pyramid targets".into(), |_| {
        Box::pin(async { Ok(true) })
    })
    .await
}

type ToewijzingFact = (
    i64,
    String,
    i64,
    NaiveDate,
    Option<NaiveDate>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
    String,
    String,
);

/// Every use of support that ran on or after `since`. Agreements on steps 4–5
/// whose referral led to a toewijzing are left to the toewijzing (which carries
/// the price), so nothing counts twice.
pub async fn support_uses(
    tx: &mut Tx,
    since: NaiveDate,
    secret: &CellKeySecret,
) -> Result<Vec<SupportUse>> {
    support_uses_of(tx, since, secret, None).await
}

/// [`support_uses`] of the households of one team (all when `None`): the
/// dashboard's drill-down from a district to a team.
pub async fn support_uses_of(
    tx: &mut Tx,
    since: NaiveDate,
    secret: &CellKeySecret,
    team: Option<i64>,
) -> Result<Vec<SupportUse>> {
    let key = |id: i64| RecordKey::derive(secret, "household", id);
    // Every use of two or three years: many rows, read packed.
    let agreements: Vec<(i64, String, i64, NaiveDate, Option<NaiveDate>)> = fetch_packed!(
        tx,
        &["hh", "d", "step", "since", "until"],
        "SELECT h.id AS hh, h.district_code AS d, a.step AS step, a.start_on AS since, \
           COALESCE(a.ended_on, a.end_on) AS until \
         FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
         JOIN households h ON h.id = p.household_id \
         WHERE (COALESCE(a.ended_on, a.end_on) IS NULL OR COALESCE(a.ended_on, a.end_on) >= $1) \
         AND ($2 IS NULL OR h.team_id = $2) \
         AND NOT (a.step >= 4 AND EXISTS (SELECT 1 FROM ct_toewijzingen z WHERE z.referral_id = a.referral_id))",
        |q| q.bind(since).bind(team)
    )?;
    let mut out = Vec::with_capacity(agreements.len());
    for (hh, district, step, from, until) in agreements {
        let step = step_of(step)?;
        out.push(SupportUse {
            household: key(hh),
            household_id: hh,
            district,
            step,
            from,
            until,
            yearly_cents: None,
            // Steps 4–5 without a toewijzing are billed, but have no price here.
            billed: step.value() >= 4,
        });
    }
    out.extend(
        purchases(tx, since, secret, team)
            .await?
            .into_iter()
            .map(|p| p.support),
    );
    Ok(out)
}

/// Every toewijzing that ran on or after `since` (of one team's households, or
/// all), with its contracted product and provider and its price: the
/// dashboard's drill-down to products and providers.
pub async fn purchases(
    tx: &mut Tx,
    since: NaiveDate,
    secret: &CellKeySecret,
    team: Option<i64>,
) -> Result<Vec<Purchase>> {
    let key = |id: i64| RecordKey::derive(secret, "household", id);
    // The tariff of the product valid on the start date; when contracts name
    // different tariffs the price is not known (and not guessed).
    let toewijzingen: Vec<ToewijzingFact> = fetch_packed!(
        tx,
        &["hh", "d", "step", "since", "until", "volume", "unit", "frequency", "budget", "tariff",
          "tariffs", "product", "provider"],
        "SELECT z.household_id AS hh, h.district_code AS d, pr.step AS step, z.start_date AS since, \
           COALESCE(z.stopped_on, z.end_date) AS until, \
           z.volume AS volume, z.unit AS unit, z.frequency AS frequency, z.budget_cents AS budget, \
           (SELECT MIN(t.cents) FROM ct_tariffs t WHERE t.product_id = z.product_id \
              AND t.valid_from <= z.start_date AND (t.valid_until IS NULL OR t.valid_until >= z.start_date)) AS tariff, \
           (SELECT COUNT(DISTINCT t.cents) FROM ct_tariffs t WHERE t.product_id = z.product_id \
              AND t.valid_from <= z.start_date AND (t.valid_until IS NULL OR t.valid_until >= z.start_date)) AS tariffs, \
           pr.name AS product, pv.name AS provider \
         FROM ct_toewijzingen z JOIN households h ON h.id = z.household_id \
         JOIN ct_products pr ON pr.id = z.product_id \
         JOIN providers pv ON pv.id = z.provider_id \
         WHERE (COALESCE(z.stopped_on, z.end_date) IS NULL OR COALESCE(z.stopped_on, z.end_date) >= $1) \
         AND ($2 IS NULL OR h.team_id = $2)",
        |q| q.bind(since).bind(team)
    )?;
    let mut out = Vec::with_capacity(toewijzingen.len());
    for (
        hh,
        district,
        step,
        from,
        until,
        volume,
        unit,
        frequency,
        budget,
        tariff,
        tariffs,
        product,
        provider,
    ) in toewijzingen
    {
        let scope = match (volume, unit, frequency, budget) {
            (Some(volume), Some(u), Some(f), _) => match (Unit::parse(&u), Frequency::parse(&f)) {
                (Ok(unit), Ok(frequency)) => Some(Scope::Volume {
                    volume,
                    unit,
                    frequency,
                }),
                _ => None,
            },
            (_, _, _, Some(b)) => Cents::new(b).ok().map(Scope::Budget),
            _ => None,
        };
        let tariff = tariff
            .filter(|_| tariffs == 1)
            .and_then(|t| Cents::new(t).ok());
        let yearly_cents = match (scope, tariff) {
            (Some(s @ Scope::Budget(_)), _)
            | (
                Some(
                    s @ Scope::Volume {
                        unit: Unit::Euros, ..
                    },
                ),
                _,
            ) => Some(yearly_cost(s, Cents::default())),
            (Some(s), Some(t)) => Some(yearly_cost(s, t)),
            _ => None,
        };
        out.push(Purchase {
            support: SupportUse {
                household: key(hh),
                household_id: hh,
                district,
                step: step_of(step)?,
                from,
                until,
                yearly_cents,
                billed: true,
            },
            product,
            provider,
        });
    }
    Ok(out)
}

/// The cell of every resident of a district's (or team's, or all) households,
/// from the area table: the denominator of maatwerk per 1,000 residents. One
/// key per resident (`resident`), so the count is protected like any other.
pub async fn resident_cell(
    tx: &mut Tx,
    district: Option<&str>,
    team: Option<i64>,
    secret: &CellKeySecret,
) -> Result<CellKeys> {
    Ok(cell_of(&resident_cells(tx, team, secret).await?, district))
}

/// One district's cell out of cells per district, or all of them together
/// when `None`.
pub fn cell_of(cells: &BTreeMap<Option<String>, CellKeys>, district: Option<&str>) -> CellKeys {
    match district {
        Some(d) => cells.get(&Some(d.to_owned())).copied().unwrap_or_default(),
        None => cells.values().copied().sum(),
    }
}

/// [`resident_cell`] of every district at once (`None`: households without
/// one), from one pass over the residents: the dashboard needs the
/// municipality's and every district's for its fan view.
pub async fn resident_cells(
    tx: &mut Tx,
    team: Option<i64>,
    secret: &CellKeySecret,
) -> Result<BTreeMap<Option<String>, CellKeys>> {
    // Millions of residents: their ids come packed, one JSON array per district.
    let rows: Vec<(Option<String>, String)> = match tx.conn() {
        Conn::Sqlite(c) => {
            sqlx::query_as(
                "SELECT h.district_code, json_group_array(r.id) FROM residents r \
                 JOIN households h ON h.id = r.household_id \
                 WHERE ($1 IS NULL OR h.team_id = $1) GROUP BY h.district_code",
            )
            .bind(team)
            .fetch_all(&mut *c)
            .await
        }
        Conn::Postgres(c) => {
            sqlx::query_as(
                "SELECT h.district_code, json_agg(r.id)::text FROM residents r \
                 JOIN households h ON h.id = r.household_id \
                 WHERE ($1::BIGINT IS NULL OR h.team_id = $1) GROUP BY h.district_code",
            )
            .bind(team)
            .fetch_all(&mut *c)
            .await
        }
    }?;
    let mut cells: BTreeMap<Option<String>, CellKeys> = BTreeMap::new();
    for (district, ids) in rows {
        let ids: Vec<i64> = serde_json::from_str(&ids)
            .map_err(|e| StoreError::Corrupt(format!("resident ids: {e}")))?;
        cells.insert(
            district,
            CellKeys::of(
                ids.into_iter()
                    .map(|id| RecordKey::derive(secret, "resident", id)),
            ),
        );
    }
    Ok(cells)
}
