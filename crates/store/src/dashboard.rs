//! What the verantwoording dashboard is computed from: every use of support —
//! casework agreements and toewijzingen — with its household's district, its
//! step, when it ran and, for a toewijzing, its price. No person leaves this
//! module: household ids only become cell keys (`baken_domain::cell_key`).

use crate::{with_conn, Result, StoreError, Tx};
use baken_domain::cell_key::{CellKeySecret, RecordKey};
use baken_domain::contracting::{yearly_cost, Cents, Frequency, Scope, Unit};
use baken_domain::monitoring::{SupportUse, Targets};
use baken_domain::LadderStep;
use chrono::NaiveDate;

/// The `ct_settings` key of the pyramid's targets ("85/10/5").
const TARGETS: &str = "piramide_doelen";

fn step_of(v: i64) -> Result<LadderStep> {
    u8::try_from(v)
        .ok()
        .and_then(|v| LadderStep::new(v).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("ladder step {v}")))
}

/// The municipality's targets for the pyramid; KING's 85/10/5 until set.
pub async fn targets(tx: &mut Tx) -> Result<Targets> {
    match crate::contracting::setting(tx, TARGETS).await? {
        Some(s) => Targets::parse(&s).map_err(|e| StoreError::Corrupt(format!("{TARGETS}: {e}"))),
        None => Ok(Targets::default()),
    }
}

pub async fn set_targets(tx: &mut Tx, targets: Targets) -> Result<()> {
    crate::contracting::set_setting(tx, TARGETS, &targets.code()).await
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
);

/// Every use of support that ran on or after `since`. Agreements on steps 4–5
/// whose referral led to a toewijzing are left to the toewijzing (which carries
/// the price), so nothing counts twice.
pub async fn support_uses(
    tx: &mut Tx,
    since: NaiveDate,
    secret: &CellKeySecret,
) -> Result<Vec<SupportUse>> {
    let key = |id: i64| RecordKey::derive(secret, "household", id);
    let agreements: Vec<(i64, String, i64, NaiveDate, Option<NaiveDate>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT h.id, h.district_code, a.step, a.start_on, COALESCE(a.ended_on, a.end_on) \
             FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
             JOIN households h ON h.id = p.household_id \
             WHERE (COALESCE(a.ended_on, a.end_on) IS NULL OR COALESCE(a.ended_on, a.end_on) >= $1) \
             AND NOT (a.step >= 4 AND EXISTS (SELECT 1 FROM ct_toewijzingen z WHERE z.referral_id = a.referral_id))",
        )
        .bind(since)
        .fetch_all(&mut *c)
        .await
    })?;
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
    // The tariff of the product valid on the start date; when contracts name
    // different tariffs the price is not known (and not guessed).
    let toewijzingen: Vec<ToewijzingFact> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT z.household_id, h.district_code, pr.step, z.start_date, COALESCE(z.stopped_on, z.end_date), \
             z.volume, z.unit, z.frequency, z.budget_cents, \
             (SELECT MIN(t.cents) FROM ct_tariffs t WHERE t.product_id = z.product_id \
                AND t.valid_from <= z.start_date AND (t.valid_until IS NULL OR t.valid_until >= z.start_date)), \
             (SELECT COUNT(DISTINCT t.cents) FROM ct_tariffs t WHERE t.product_id = z.product_id \
                AND t.valid_from <= z.start_date AND (t.valid_until IS NULL OR t.valid_until >= z.start_date)) \
             FROM ct_toewijzingen z JOIN households h ON h.id = z.household_id \
             JOIN ct_products pr ON pr.id = z.product_id \
             WHERE COALESCE(z.stopped_on, z.end_date) IS NULL OR COALESCE(z.stopped_on, z.end_date) >= $1",
        )
        .bind(since)
        .fetch_all(&mut *c)
        .await
    })?;
    for (hh, district, step, from, until, volume, unit, frequency, budget, tariff, tariffs) in
        toewijzingen
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
        out.push(SupportUse {
            household: key(hh),
            household_id: hh,
            district,
            step: step_of(step)?,
            from,
            until,
            yearly_cents,
            billed: true,
        });
    }
    Ok(out)
}
