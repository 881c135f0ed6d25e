//! Published figures for volunteer work and mantelzorg, per district, for
//! beleid and the makelaar: active volunteers (a volunteer with a placement
//! that has started), placements, registered carers, carers per burden band of
//! their latest EDIZ, and this year's mantelzorgwaarderingen. Through the
//! cell-key method like every aggregate that leaves Baken: each record has a
//! key derived from the installation's secret, no cell is published as 1–4,
//! and each column's total is a cell of its own.

use crate::carers::BurdenLevel;
use crate::cell_key::{protect, tally, CellKeySecret, CellKeys, Protected, RecordKey};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The record kinds behind the keys.
pub const VOLUNTEER: &str = "vw_profile";
pub const PLACEMENT: &str = "vw_application";
pub const CARER: &str = "mz_carer";
pub const WAARDERING: &str = "mz_waardering";
/// The row of the totals.
pub const TOTAL: &str = "Totaal";
/// A volunteer who named no district.
pub const NO_DISTRICT: &str = "Geen wijk opgegeven";

/// The facts, each a record id with its district's name.
#[derive(Debug, Clone, Default)]
pub struct CareFacts {
    /// Volunteers with a placement that has started.
    pub active_volunteers: Vec<(i64, String)>,
    /// Placements, by the volunteer's district.
    pub placements: Vec<(i64, String)>,
    /// Carers, with the band of their latest burden check if any.
    pub carers: Vec<(i64, String, Option<BurdenLevel>)>,
    /// This year's waarderingen, by the carer's district.
    pub waarderingen: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolunteerRow {
    pub key: String,
    pub active: Protected,
    pub placements: Protected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CarerRow {
    pub key: String,
    pub registered: Protected,
    pub light: Protected,
    pub moderate: Protected,
    pub heavy: Protected,
    pub waarderingen: Protected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CareFigures {
    pub year: i32,
    /// Every district (those given, and any a record names), then [`TOTAL`].
    pub volunteers: Vec<VolunteerRow>,
    pub carers: Vec<CarerRow>,
}

type Cells = BTreeMap<String, CellKeys>;

fn cells(secret: &CellKeySecret, kind: &str, records: &[(i64, String)]) -> Cells {
    tally(
        records
            .iter()
            .map(|(id, d)| (d.clone(), RecordKey::derive(secret, kind, *id))),
    )
}

/// The cell of district `d` (empty when none), or the total when `d` is None.
fn cell(cells: &Cells, d: Option<&str>) -> Protected {
    protect(&match d {
        Some(d) => cells.get(d).copied().unwrap_or_default(),
        None => cells.values().copied().sum(),
    })
}

/// The published figures; `districts` are shown even when empty.
pub fn publish(
    facts: &CareFacts,
    secret: &CellKeySecret,
    districts: &[String],
    year: i32,
) -> CareFigures {
    let active = cells(secret, VOLUNTEER, &facts.active_volunteers);
    let placements = cells(secret, PLACEMENT, &facts.placements);
    let carer_records: Vec<(i64, String)> = facts
        .carers
        .iter()
        .map(|(id, d, _)| (*id, d.clone()))
        .collect();
    let registered = cells(secret, CARER, &carer_records);
    let band = |level: BurdenLevel| {
        let of: Vec<(i64, String)> = facts
            .carers
            .iter()
            .filter(|(_, _, l)| *l == Some(level))
            .map(|(id, d, _)| (*id, d.clone()))
            .collect();
        cells(secret, CARER, &of)
    };
    let (light, moderate, heavy) = (
        band(BurdenLevel::Licht),
        band(BurdenLevel::Matig),
        band(BurdenLevel::Zwaar),
    );
    let waarderingen = cells(secret, WAARDERING, &facts.waarderingen);
    let keys = |tables: &[&Cells]| -> Vec<Option<String>> {
        let mut all: BTreeSet<String> = districts.iter().cloned().collect();
        for t in tables {
            all.extend(t.keys().cloned());
        }
        all.into_iter().map(Some).chain([None]).collect()
    };
    let label = |d: &Option<String>| d.clone().unwrap_or_else(|| TOTAL.to_owned());
    CareFigures {
        year,
        volunteers: keys(&[&active, &placements])
            .iter()
            .map(|d| VolunteerRow {
                key: label(d),
                active: cell(&active, d.as_deref()),
                placements: cell(&placements, d.as_deref()),
            })
            .collect(),
        carers: keys(&[&registered, &waarderingen])
            .iter()
            .map(|d| CarerRow {
                key: label(d),
                registered: cell(&registered, d.as_deref()),
                light: cell(&light, d.as_deref()),
                moderate: cell(&moderate, d.as_deref()),
                heavy: cell(&heavy, d.as_deref()),
                waarderingen: cell(&waarderingen, d.as_deref()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell_key::attacker::{judge, Range};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// No cell is 1–4, every cell equals the cell key of its true records,
        /// and a district against the total and the other districts pins no
        /// count from 1 to 4 (registered carers and heavy burden alike).
        #[test]
        fn care_figures_protect_every_district(
            carers in proptest::collection::vec((0u8..3, 0u8..4), 0..50),
            secret in proptest::collection::vec(any::<u8>(), 1..40),
        ) {
            let secret = CellKeySecret::new(&secret);
            let level = |b: u8| match b { 0 => None, 1 => Some(BurdenLevel::Licht), 2 => Some(BurdenLevel::Matig), _ => Some(BurdenLevel::Zwaar) };
            let facts = CareFacts {
                carers: carers.iter().enumerate().map(|(i, &(d, b))| (i as i64, format!("w{d}"), level(b))).collect(),
                ..CareFacts::default()
            };
            let districts: Vec<String> = (0..3).map(|d| format!("w{d}")).collect();
            let f = publish(&facts, &secret, &districts, 2026);
            prop_assert_eq!(f.carers.len(), 4);
            for (i, row) in f.carers.iter().enumerate() {
                for p in [row.registered, row.light, row.moderate, row.heavy, row.waarderingen] {
                    prop_assert!(!(1..=4).contains(&p.value()));
                }
                let mine: Vec<usize> = (0..carers.len()).filter(|&c| i == 3 || carers[c].0 as usize == i).collect();
                let truth = CellKeys::of(mine.iter().map(|&c| RecordKey::derive(&secret, CARER, c as i64)));
                prop_assert_eq!(row.registered, protect(&truth));
            }
            for heavy_only in [false, true] {
                let pick = |r: &CarerRow| if heavy_only { r.heavy } else { r.registered };
                for i in 0..3 {
                    let others = (0..3).filter(|&j| j != i)
                        .fold(Range(0, 0), |acc, j| acc.plus(Range::of(pick(&f.carers[j]).value())));
                    let route = Range::of(pick(&f.carers[3]).value()).minus(others);
                    let truth = carers.iter().filter(|&&(d, b)| d as usize == i && (!heavy_only || b == 3)).count() as i64;
                    judge(truth, route, Some(pick(&f.carers[i]).value()))
                        .map_err(|e| TestCaseError::fail(format!("{e}: district {i}")))?;
                }
            }
        }
    }
}
