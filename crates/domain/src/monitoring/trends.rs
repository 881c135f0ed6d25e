//! The dashboard's trends per quarter beyond the light share: every layer's
//! share, maatwerk per 1,000 residents, households back within 12 months, and
//! the use and cost per contracted product and per provider.
//!
//! Every count is published with the cell-key method ([`crate::cell_key`]); a
//! share or rate carries the band of values the published counts are
//! consistent with, so the noise is visible on the chart.

use super::{Layer, SupportUse, TrendPoint, MIN_PRICED};
use crate::cell_key::{consistent_counts, protect, CellKeys, Protected, RecordKey};
use crate::period::Period;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How long after its support ended a household that asks again counts as
/// "back": 12 months, taken as 365 days.
pub const RETURN_WINDOW_DAYS: i64 = 365;

/// The households of an area per quarter, by the layer of the heaviest step
/// each used in it (each household once per quarter): computed in one pass
/// over the uses, and read by every layer's share and by maatwerk per 1,000.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerCells(Vec<(Period, [CellKeys; 3])>);

impl LayerCells {
    /// The cells of `district` (all when `None`) in each of `quarters`.
    pub fn of(uses: &[SupportUse], quarters: &[Period], district: Option<&str>) -> LayerCells {
        let mut heaviest: Vec<BTreeMap<i64, (Layer, RecordKey)>> =
            vec![BTreeMap::new(); quarters.len()];
        for u in uses
            .iter()
            .filter(|u| district.is_none_or(|d| u.district == d))
        {
            let layer = Layer::of(u.step);
            for (i, &q) in quarters.iter().enumerate() {
                if u.runs_in(q) {
                    let e = heaviest[i]
                        .entry(u.household_id)
                        .or_insert((layer, u.household));
                    e.0 = e.0.max(layer);
                }
            }
        }
        LayerCells(
            quarters
                .iter()
                .zip(heaviest)
                .map(|(&q, per_household)| {
                    let mut cells = [CellKeys::new(); 3];
                    for (layer, key) in per_household.values() {
                        cells[layer.index()].add(*key);
                    }
                    (q, cells)
                })
                .collect(),
        )
    }

    /// A layer's share of the households per quarter, with its band (the
    /// pyramid's published counts: the layer's and the total's).
    pub fn share_trend(&self, layer: Layer) -> Vec<TrendPoint> {
        self.0
            .iter()
            .map(|(q, cells)| {
                let total = protect(&cells.iter().copied().sum());
                TrendPoint::share(*q, protect(&cells[layer.index()]), total)
            })
            .collect()
    }

    /// Households with maatwerk (step 5 as their heaviest step in the
    /// quarter) per 1,000 of the area's `residents`, with the band.
    pub fn maatwerk_per_thousand(&self, residents: &CellKeys) -> Vec<TrendPoint> {
        let r = protect(residents);
        self.0
            .iter()
            .map(|(q, cells)| rate_with_band(protect(&cells[Layer::Heavy.index()]), r, 1000.0, *q))
            .collect()
    }
}

/// A layer's share of the households per quarter, with its band.
pub fn layer_share_trend(
    uses: &[SupportUse],
    quarters: &[Period],
    district: Option<&str>,
    layer: Layer,
) -> Vec<TrendPoint> {
    LayerCells::of(uses, quarters, district).share_trend(layer)
}

/// Households with maatwerk (step 5 as their heaviest step in the quarter)
/// per 1,000 residents of the area, with the band the noise of both counts
/// leaves. `residents` holds one key per resident of the area (the area table:
/// every resident of a household in the district or team). Shown from 5
/// residents on, like every share.
pub fn maatwerk_per_thousand_trend(
    uses: &[SupportUse],
    quarters: &[Period],
    district: Option<&str>,
    residents: &CellKeys,
) -> Vec<TrendPoint> {
    LayerCells::of(uses, quarters, district).maatwerk_per_thousand(residents)
}

/// `part / whole × scale` with the band of all true counts consistent with
/// the published ones; nothing when the whole is under 5.
fn rate_with_band(part: Protected, whole: Protected, scale: f64, q: Period) -> TrendPoint {
    if whole.value() < 5 {
        return TrendPoint {
            period: q.code(),
            value: None,
            low: None,
            high: None,
        };
    }
    let (p, w) = (
        consistent_counts(part.value()),
        consistent_counts(whole.value()),
    );
    let (p_lo, p_hi) = (*p.first().unwrap_or(&0), *p.last().unwrap_or(&0));
    let (w_lo, w_hi) = (*w.first().unwrap_or(&1), *w.last().unwrap_or(&1));
    let rate = |n: u64, d: u64| n as f64 * scale / d.max(1) as f64;
    TrendPoint {
        period: q.code(),
        value: Some(rate(part.value(), whole.value())),
        low: Some(rate(p_lo, w_hi)),
        high: Some(rate(p_hi, w_lo)),
    }
}

/// One household's return: support started again on `on`, `gap_days` after
/// its earlier support had ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Return {
    pub household_id: i64,
    pub key: RecordKey,
    pub on: NaiveDate,
    pub gap_days: i64,
}

/// Every start of support per household, and which of them are returns.
///
/// Definition: a household's uses are merged into *spells* of support — days
/// on which at least one of its uses runs; uses that overlap or follow on the
/// next day are one spell. A spell's first day is a *start*. A start is a
/// *return* when an earlier spell of the same household ended at most
/// [`RETURN_WINDOW_DAYS`] before it: its support had ended (a day or more
/// without any use) and within 12 months it is back. `uses` must reach back at
/// least 12 months before the first start that matters.
pub fn starts_and_returns<'a>(
    uses: impl IntoIterator<Item = &'a SupportUse>,
) -> (Vec<Return>, Vec<Return>) {
    type Spans = Vec<(NaiveDate, Option<NaiveDate>)>;
    let mut per_hh: BTreeMap<i64, (RecordKey, Spans)> = BTreeMap::new();
    for u in uses {
        per_hh
            .entry(u.household_id)
            .or_insert((u.household, Vec::new()))
            .1
            .push((u.from, u.until));
    }
    let mut starts = Vec::new();
    let mut returns = Vec::new();
    for (hh, (key, mut spans)) in per_hh {
        spans.sort();
        // The end of the current spell: `None` while open-ended.
        let mut current: Option<Option<NaiveDate>> = None;
        for (from, until) in spans {
            // A use that ends before it starts runs on no day.
            if until.is_some_and(|u| u < from) {
                continue;
            }
            match current {
                Some(None) => continue, // an open spell swallows the rest
                Some(Some(end)) if from <= end.succ_opt().unwrap_or(end) => {
                    current = Some(until.map(|u| u.max(end)));
                }
                previous => {
                    let start = Return {
                        household_id: hh,
                        key,
                        on: from,
                        gap_days: 0,
                    };
                    if let Some(Some(end)) = previous {
                        let gap = (from - end).num_days();
                        if gap <= RETURN_WINDOW_DAYS {
                            returns.push(Return {
                                gap_days: gap,
                                ..start
                            });
                        }
                    }
                    starts.push(start);
                    current = Some(until);
                }
            }
        }
    }
    (starts, returns)
}

/// Households back within 12 months per quarter: the share of the households
/// whose support started in the quarter that had support ending at most 12
/// months before (a household counts once per quarter), with its band.
/// Also the published count of those households.
pub fn returns_trend(
    uses: &[SupportUse],
    quarters: &[Period],
    district: Option<&str>,
) -> Vec<(TrendPoint, Protected)> {
    let (starts, returns) = starts_and_returns(
        uses.iter()
            .filter(|u| district.is_none_or(|d| u.district == d)),
    );
    let cell = |list: &[Return], q: Period| {
        let hh: BTreeMap<i64, RecordKey> = list
            .iter()
            .filter(|r| r.on >= q.first_day() && r.on <= q.last_day())
            .map(|r| (r.household_id, r.key))
            .collect();
        CellKeys::of(hh.into_values())
    };
    quarters
        .iter()
        .map(|&q| {
            let (s, r) = (protect(&cell(&starts, q)), protect(&cell(&returns, q)));
            (TrendPoint::share(q, r, s), r)
        })
        .collect()
}

/// A toewijzing as bought: its use, and the contracted product and provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Purchase {
    pub support: SupportUse,
    pub product: String,
    pub provider: String,
}

/// The use and cost of one product or provider in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurchaseFigure {
    pub name: String,
    pub households: Protected,
    /// Cost in the period in whole euros, rounded to thousands; `None` when
    /// fewer than [`MIN_PRICED`] households share it.
    pub cost_euros: Option<i64>,
    /// Toewijzingen without a price (no single tariff, no scope).
    pub unpriced: Protected,
}

/// What was bought in `period` in `district` (all when `None`), per product
/// (`by_provider` false) or per provider: households (protected), cost (as
/// the pyramid shows it) and what could not be priced. Rows whose published
/// households are 0 are left out, so a small count is not even named.
pub fn purchases(
    bought: &[Purchase],
    period: Period,
    district: Option<&str>,
    by_provider: bool,
) -> Vec<PurchaseFigure> {
    #[derive(Default)]
    struct Acc {
        households: BTreeMap<i64, RecordKey>,
        priced: BTreeSet<i64>,
        cost: i64,
        unpriced: BTreeMap<i64, RecordKey>,
    }
    let mut rows: BTreeMap<&str, Acc> = BTreeMap::new();
    for b in bought
        .iter()
        .filter(|b| district.is_none_or(|d| b.support.district == d) && b.support.runs_in(period))
    {
        let name = if by_provider { &b.provider } else { &b.product };
        let acc = rows.entry(name.as_str()).or_default();
        let hh = b.support.household_id;
        acc.households.insert(hh, b.support.household);
        match b.support.cost_in(period) {
            Some(c) => {
                acc.cost = acc.cost.saturating_add(c);
                acc.priced.insert(hh);
            }
            None => {
                acc.unpriced.insert(hh, b.support.household);
            }
        }
    }
    rows.into_iter()
        .map(|(name, acc)| PurchaseFigure {
            name: name.to_owned(),
            households: protect(&CellKeys::of(acc.households.into_values())),
            cost_euros: (acc.priced.len() as u64 >= MIN_PRICED)
                .then(|| ((acc.cost / 100 + 500) / 1000) * 1000),
            unpriced: protect(&CellKeys::of(acc.unpriced.into_values())),
        })
        .filter(|f| f.households.value() > 0)
        .collect()
}

#[cfg(test)]
mod tests;
