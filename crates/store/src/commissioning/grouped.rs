//! The computed indicators, many at once: one aggregate query per measure and
//! period over every district and provider, grouped per household in SQL
//! (scores summed per measurement, goals counted per plan), then combined per
//! (provider, district) — and for the ZRM change per start band, with the
//! case-mix `ExpectedChange` of the district — in Rust.
//!
//! [`compute_many`] gives exactly what computing each figure on its own gave
//! ([`super::compute_reference`], kept as the reference the tests compare
//! against on random data): the same values, household counts and cell keys.
//! A household's providers are those with an agreement in any of its plans,
//! at any time, as before.

use super::{share, ComputedFigure, Scope};
use crate::{with_conn, Result, Tx};
use baken_domain::cell_key::{CellKeySecret, CellKeys, RecordKey};
use baken_domain::commissioning::{
    CaseOutcome, ComputedMeasure, DataStatus, ExpectedChange, Hundredths,
};
use chrono::{Months, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// One household's contribution to a measure, from the one query of a
/// (measure, period): for `provider` (None: every provider of the household),
/// two sums (`a`, `b`, their meaning per measure) and its ZRM outcome.
struct Item {
    hh: i64,
    district: String,
    provider: Option<i64>,
    a: i64,
    b: i64,
    case: Option<CaseOutcome>,
}

/// The households of one (provider, district) and their sums.
#[derive(Default)]
struct Acc {
    households: Vec<i64>,
    a: i64,
    b: i64,
    cases: Vec<CaseOutcome>,
}

/// The figure of each (measure, scope), in order. Figures of the same measure
/// and period share one query; a single district binds the query to it.
pub async fn compute_many(
    tx: &mut Tx,
    requests: &[(ComputedMeasure, Scope)],
) -> Result<Vec<ComputedFigure>> {
    let mut out = vec![ComputedFigure::default(); requests.len()];
    // (measure, from, until) → the requests it answers.
    let mut groups: BTreeMap<(usize, NaiveDate, NaiveDate), Vec<usize>> = BTreeMap::new();
    for (i, (measure, scope)) in requests.iter().enumerate() {
        if *measure == ComputedMeasure::ResidentJudgement {
            // The survey's answers are anonymous (no household to group on) and
            // few: each figure reads its own, as before.
            out[i] = super::compute_reference(tx, *measure, scope).await?;
        } else if measure.data_status() == DataStatus::Available {
            groups
                .entry((measure_index(*measure), scope.from, scope.until))
                .or_default()
                .push(i);
        }
    }
    if groups.is_empty() {
        return Ok(out);
    }
    let secret = super::cell_key_secret(tx).await?;
    let mut keys = Keys {
        secret: &secret,
        cache: HashMap::new(),
    };
    let mut providers_of: Option<HashMap<i64, Vec<i64>>> = None;
    for ((_, from, until), members) in groups {
        let measure = requests[members[0]].0;
        // One district for every request of the group: the query reads only it.
        let first = &requests[members[0]].1.district;
        let district = members
            .iter()
            .all(|&i| &requests[i].1.district == first)
            .then_some(first.as_deref())
            .flatten();
        let items = items(tx, measure, district, from, until).await?;
        if providers_of.is_none() && items.iter().any(|i| i.provider.is_none()) {
            providers_of = Some(household_providers(tx).await?);
        }
        let empty = HashMap::new();
        let providers_of = providers_of.as_ref().unwrap_or(&empty);

        let mut accs: HashMap<(i64, Option<&str>), Acc> = members
            .iter()
            .map(|&i| {
                let scope = &requests[i].1;
                (
                    (scope.provider_id, scope.district.as_deref()),
                    Acc::default(),
                )
            })
            .collect();
        // The case-mix reference of each district asked for (None: all).
        let mut references: BTreeMap<Option<&str>, Vec<CaseOutcome>> = BTreeMap::new();
        if measure == ComputedMeasure::ZrmChange {
            for &i in &members {
                references.insert(requests[i].1.district.as_deref(), Vec::new());
            }
            for item in &items {
                if let Some(case) = item.case {
                    for d in [None, Some(item.district.as_str())] {
                        if let Some(list) = references.get_mut(&d) {
                            list.push(case);
                        }
                    }
                }
            }
        }
        for item in &items {
            let providers = match &item.provider {
                Some(p) => std::slice::from_ref(p),
                None => providers_of.get(&item.hh).map_or(&[][..], Vec::as_slice),
            };
            for &p in providers {
                for d in [None, Some(item.district.as_str())] {
                    if let Some(acc) = accs.get_mut(&(p, d)) {
                        acc.households.push(item.hh);
                        acc.a += item.a;
                        acc.b += item.b;
                        acc.cases.extend(item.case);
                    }
                }
            }
        }
        for i in members {
            let scope = &requests[i].1;
            let Some(acc) = accs.get(&(scope.provider_id, scope.district.as_deref())) else {
                continue;
            };
            let households = acc.households.len() as i64;
            let cell = keys.cell(&acc.households);
            out[i] = match measure {
                ComputedMeasure::ZrmChange => {
                    let expected = ExpectedChange::from_reference(
                        references
                            .get(&scope.district.as_deref())
                            .map_or(&[][..], Vec::as_slice),
                    );
                    let n = acc.cases.len() as i64;
                    ComputedFigure {
                        value: (n > 0).then(|| {
                            Hundredths::new(
                                acc.cases.iter().map(|c| c.change.value()).sum::<i64>() / n,
                            )
                        }),
                        households,
                        cell,
                        adjusted: expected.adjusted_mean(&acc.cases),
                    }
                }
                ComputedMeasure::DaysToFirstContact => ComputedFigure {
                    value: (acc.a > 0).then(|| Hundredths::new(acc.b * 100 / acc.a)),
                    households,
                    cell,
                    adjusted: None,
                },
                // Goals (a: goals, b: achieved), steps (a: 1, b: light),
                // back within a year (a: plans closed, b: back).
                _ => ComputedFigure {
                    value: share(acc.b, acc.a),
                    households,
                    cell,
                    adjusted: None,
                },
            };
        }
    }
    Ok(out)
}

/// Record keys, each household's derived once per call.
struct Keys<'a> {
    secret: &'a CellKeySecret,
    cache: HashMap<i64, RecordKey>,
}

impl Keys<'_> {
    fn cell<'h>(&mut self, households: impl IntoIterator<Item = &'h i64>) -> CellKeys {
        let secret = self.secret;
        CellKeys::of(households.into_iter().map(|&hh| {
            *self
                .cache
                .entry(hh)
                .or_insert_with(|| RecordKey::derive(secret, "household", hh))
        }))
    }
}

/// Stable order of the measures, to group requests.
fn measure_index(measure: ComputedMeasure) -> usize {
    ComputedMeasure::ALL
        .iter()
        .position(|m| *m == measure)
        .unwrap_or(usize::MAX)
}

/// Every household's providers: those with an agreement in one of its plans.
async fn household_providers(tx: &mut Tx) -> Result<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(i64, i64)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT DISTINCT p.household_id, a.provider_id FROM cw_agreements a \
         JOIN cw_plans p ON p.id = a.plan_id WHERE a.provider_id IS NOT NULL"
    )
    .fetch_all(&mut *c)
    .await)?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (hh, provider) in rows {
        out.entry(hh).or_default().push(provider);
    }
    Ok(out)
}

const DISTRICT: &str = "($1 IS NULL OR h.district_code = $1)";

/// The one query of a measure over a period (in one district, or all),
/// grouped per household (and provider, where the measure asks for the
/// provider's own plans).
async fn items(
    tx: &mut Tx,
    measure: ComputedMeasure,
    district: Option<&str>,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<Item>> {
    let item = |hh, district, provider, a, b| Item {
        hh,
        district,
        provider,
        a,
        b,
        case: None,
    };
    Ok(match measure {
        ComputedMeasure::GoalsAchieved => {
            let sql = format!(
                "SELECT a.provider_id, p.household_id, h.district_code, COUNT(*), \
                   SUM(CASE WHEN g.outcome = 'behaald' THEN 1 ELSE 0 END) \
                 FROM cw_goals g JOIN cw_plans p ON p.id = g.plan_id \
                 JOIN households h ON h.id = p.household_id \
                 JOIN (SELECT DISTINCT plan_id, provider_id FROM cw_agreements \
                       WHERE provider_id IS NOT NULL) a ON a.plan_id = p.id \
                 WHERE {DISTRICT} AND g.outcome_on >= $2 AND g.outcome_on <= $3 \
                 GROUP BY a.provider_id, p.household_id, h.district_code"
            );
            let rows: Vec<(i64, i64, String, i64, i64)> = with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(district)
                .bind(from)
                .bind(until)
                .fetch_all(&mut *c)
                .await)?;
            rows.into_iter()
                .map(|(provider, hh, code, n, hits)| item(hh, code, Some(provider), n, hits))
                .collect()
        }
        ComputedMeasure::ZrmChange => {
            // Per measurement: the sum and number of its scores (not 'nvt');
            // a measurement without score rows is left out, as in the join of
            // the reference.
            let sql = format!(
                "SELECT m.household_id, h.district_code, m.source, \
                   SUM(CASE WHEN s.score = 'nvt' THEN 0 ELSE CAST(s.score AS INTEGER) END), \
                   SUM(CASE WHEN s.score = 'nvt' THEN 0 ELSE 1 END) \
                 FROM cw_measurements m JOIN households h ON h.id = m.household_id \
                 JOIN cw_scores s ON s.measurement_id = m.id \
                 WHERE {DISTRICT} AND m.measured_on <= $3 AND m.household_id IN \
                   (SELECT m2.household_id FROM cw_measurements m2 WHERE m2.source = 'evaluatie' \
                    AND m2.measured_on >= $2 AND m2.measured_on <= $3) \
                 GROUP BY m.household_id, h.district_code, m.id, m.source, m.measured_on \
                 ORDER BY m.household_id, m.measured_on, m.id"
            );
            let rows: Vec<(i64, String, String, i64, i64)> =
                with_conn!(tx, |c| sqlx::query_as(&sql)
                    .bind(district)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&mut *c)
                    .await)?;
            let mean = |(sum, n): (i64, i64)| (n > 0).then(|| sum * 100 / n);
            let mut out = Vec::new();
            let mut rows = rows.into_iter().peekable();
            while let Some((hh, code, _, sum, n)) = rows.next() {
                // The first measurement is the intake; the last evaluation
                // after it is the one compared.
                let intake = mean((sum, n));
                let mut last_evaluation = None;
                while let Some((_, _, source, sum, n)) = rows.next_if(|r| r.0 == hh) {
                    if source == "evaluatie" {
                        last_evaluation = Some((sum, n));
                    }
                }
                if let (Some(intake), Some(last)) = (intake, last_evaluation.and_then(mean)) {
                    out.push(Item {
                        case: Some(CaseOutcome {
                            intake_mean: Hundredths::new(intake),
                            change: Hundredths::new(last - intake),
                        }),
                        ..item(hh, code, None, 1, 0)
                    });
                }
            }
            out
        }
        ComputedMeasure::LightSteps => {
            let sql = format!(
                "SELECT p.household_id, h.district_code, MAX(a.step) FROM cw_agreements a \
                 JOIN cw_plans p ON p.id = a.plan_id JOIN households h ON h.id = p.household_id \
                 WHERE {DISTRICT} AND a.start_on >= $2 AND a.start_on <= $3 \
                 GROUP BY p.household_id, h.district_code"
            );
            let rows: Vec<(i64, String, i64)> = with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(district)
                .bind(from)
                .bind(until)
                .fetch_all(&mut *c)
                .await)?;
            rows.into_iter()
                .map(|(hh, code, step)| item(hh, code, None, 1, i64::from(step <= 3)))
                .collect()
        }
        ComputedMeasure::BackWithinYear => {
            let closed_from = from.checked_sub_months(Months::new(12)).unwrap_or(from);
            let closed_until = from.pred_opt().unwrap_or(from);
            let sql = format!(
                "SELECT a.provider_id, p.household_id, h.district_code, p.closed_on, \
                   (SELECT MIN(p2.opened_on) FROM cw_plans p2 WHERE p2.household_id = p.household_id \
                      AND p2.opened_on > p.closed_on) \
                 FROM cw_plans p JOIN households h ON h.id = p.household_id \
                 JOIN (SELECT DISTINCT plan_id, provider_id FROM cw_agreements \
                       WHERE provider_id IS NOT NULL) a ON a.plan_id = p.id \
                 WHERE {DISTRICT} AND p.status = 'gesloten' AND p.closed_on >= $2 AND p.closed_on <= $3 \
                 ORDER BY a.provider_id, p.household_id"
            );
            type Row = (i64, i64, String, NaiveDate, Option<NaiveDate>);
            let rows: Vec<Row> = with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(district)
                .bind(closed_from)
                .bind(closed_until)
                .fetch_all(&mut *c)
                .await)?;
            // One item per (provider, household): its plans and how many came back.
            let mut out: Vec<Item> = Vec::new();
            for (provider, hh, code, closed, next) in rows {
                let back = next.is_some_and(|n| {
                    closed
                        .checked_add_months(Months::new(12))
                        .is_some_and(|limit| n <= limit)
                });
                match out.last_mut() {
                    Some(last) if last.provider == Some(provider) && last.hh == hh => {
                        last.a += 1;
                        last.b += i64::from(back);
                    }
                    _ => out.push(item(hh, code, Some(provider), 1, i64::from(back))),
                }
            }
            out
        }
        ComputedMeasure::DaysToFirstContact => {
            let sql = format!(
                "SELECT s.household_id, h.district_code, s.reported_on, s.first_contact_on \
                 FROM cw_signals s JOIN households h ON h.id = s.household_id \
                 WHERE {DISTRICT} AND s.first_contact_on >= $2 AND s.first_contact_on <= $3 \
                 ORDER BY s.household_id"
            );
            let rows: Vec<(i64, String, NaiveDate, NaiveDate)> =
                with_conn!(tx, |c| sqlx::query_as(&sql)
                    .bind(district)
                    .bind(from)
                    .bind(until)
                    .fetch_all(&mut *c)
                    .await)?;
            // One item per household: its signals and their days summed.
            let mut out: Vec<Item> = Vec::new();
            for (hh, code, reported, contact) in rows {
                let days = (contact - reported).num_days();
                match out.last_mut() {
                    Some(last) if last.hh == hh => {
                        last.a += 1;
                        last.b += days;
                    }
                    _ => out.push(item(hh, code, None, 1, days)),
                }
            }
            out
        }
        ComputedMeasure::ActiveVolunteers
        | ComputedMeasure::Matches
        | ComputedMeasure::ResidentJudgement => Vec::new(),
    })
}
