//! The verantwoording dashboard's figures: the pyramid of support per district
//! and period (which share of households used which layer, and what each layer
//! cost), and its trend per quarter.
//!
//! KING's "Samen werken aan een nieuw sociaal domein" (seed 004) sketches the
//! pyramid: about 85 % of residents helped in the lightest layers, 10 % in the
//! middle, 5 % in maatwerk; Amaryllis works with 80/15/5. A municipality sets its
//! own targets ([`Targets`]); the default is 85/10/5.
//!
//! Every count goes through the cell-key method ([`crate::cell_key`]), so the
//! pyramid of a district and of its period's neighbour cannot be subtracted.
//! Money is not a count: a layer's cost is shown only when at least
//! [`MIN_PRICED`] households share it, rounded to whole thousands of euros, and
//! what cannot be priced is counted as such — never guessed.

use crate::cell_key::{consistent_counts, protect, CellKeys, Protected, RecordKey};
use crate::ladder::LadderStep;
use crate::period::Period;
use chrono::NaiveDate;
use serde::Serialize;

pub mod trends;

/// The three layers of the pyramid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Layer {
    /// Steps 1–3: eigen kracht, sociaal netwerk, algemene voorziening.
    Light,
    /// Step 4: lichte ondersteuning.
    Middle,
    /// Step 5: maatwerkvoorziening.
    Heavy,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Light, Layer::Middle, Layer::Heavy];

    pub fn of(step: LadderStep) -> Layer {
        match step.value() {
            1..=3 => Layer::Light,
            4 => Layer::Middle,
            _ => Layer::Heavy,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Layer::Light => "Stap 1–3: eigen kracht, netwerk, algemene voorziening",
            Layer::Middle => "Stap 4: lichte ondersteuning",
            Layer::Heavy => "Stap 5: maatwerkvoorziening",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            Layer::Light => "Stap 1–3",
            Layer::Middle => "Stap 4",
            Layer::Heavy => "Stap 5",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The municipality's targets: the share of households per layer, in whole
/// percents summing to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Targets([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetsError {
    #[error("a target is a whole percentage from 0 to 100")]
    NotAPercentage,
    #[error("the targets of the three layers add up to {0}, not 100")]
    Sum(u32),
    /// As typed in a form: this layer's target is not a whole percentage.
    #[error("the target of {0:?} is not a whole percentage from 0 to 100")]
    Typed(Layer),
}

impl TargetsError {
    /// The layer a typed target was wrong for; `None` when only the sum is.
    pub fn layer(&self) -> Option<Layer> {
        match self {
            TargetsError::Typed(l) => Some(*l),
            TargetsError::NotAPercentage | TargetsError::Sum(_) => None,
        }
    }
}

impl Default for Targets {
    /// KING's 85/10/5.
    fn default() -> Targets {
        Targets([85, 10, 5])
    }
}

impl Targets {
    pub fn new(light: u8, middle: u8, heavy: u8) -> Result<Targets, TargetsError> {
        if [light, middle, heavy].iter().any(|t| *t > 100) {
            return Err(TargetsError::NotAPercentage);
        }
        let sum = u32::from(light) + u32::from(middle) + u32::from(heavy);
        if sum != 100 {
            return Err(TargetsError::Sum(sum));
        }
        Ok(Targets([light, middle, heavy]))
    }

    /// The targets as typed in a form, one text per layer (light, middle,
    /// heavy): every layer that is not a whole percentage from 0 to 100 is an
    /// error of its own; only when all three are numbers is the sum checked.
    pub fn from_typed(typed: [&str; 3]) -> Result<Targets, Vec<TargetsError>> {
        let mut errors = Vec::new();
        let mut values = [0u8; 3];
        for ((layer, text), value) in Layer::ALL.iter().zip(typed).zip(&mut values) {
            match text.trim().trim_end_matches('%').trim_end().parse::<u8>() {
                Ok(v) if v <= 100 => *value = v,
                _ => errors.push(TargetsError::Typed(*layer)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Targets::new(values[0], values[1], values[2]).map_err(|e| vec![e])
    }

    /// `85/10/5`, as stored.
    pub fn parse(s: &str) -> Result<Targets, TargetsError> {
        let parts: Vec<u8> = s
            .split('/')
            .map(|p| {
                p.trim()
                    .parse::<u8>()
                    .map_err(|_| TargetsError::NotAPercentage)
            })
            .collect::<Result<_, _>>()?;
        match parts[..] {
            [l, m, h] => Targets::new(l, m, h),
            _ => Err(TargetsError::NotAPercentage),
        }
    }

    pub fn of(self, layer: Layer) -> u8 {
        self.0[layer.index()]
    }

    pub fn code(self) -> String {
        format!("{}/{}/{}", self.0[0], self.0[1], self.0[2])
    }
}

/// One use of support by a household: an agreement or a toewijzing on a step,
/// running from `from` to `until` (open when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct SupportUse {
    pub household: RecordKey,
    pub household_id: i64,
    pub district: String,
    pub step: LadderStep,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
    /// What it costs per year in cents, when it can be priced from the
    /// agreements (a toewijzing's tariff × volume, or its budget).
    pub yearly_cents: Option<i64>,
    /// Whether a price matters: a toewijzing (maatwerk, lichte ondersteuning
    /// bought from a provider). Informal help and general services are not billed.
    pub billed: bool,
}

impl SupportUse {
    pub(crate) fn runs_in(&self, p: Period) -> bool {
        self.from <= p.last_day() && self.until.is_none_or(|u| u >= p.first_day())
    }

    /// Its cost within `p`: the yearly cost times the share of the year it ran.
    fn cost_in(&self, p: Period) -> Option<i64> {
        let yearly = self.yearly_cents?;
        let start = self.from.max(p.first_day());
        let end = self.until.map_or(p.last_day(), |u| u.min(p.last_day()));
        let days = (end - start).num_days() + 1;
        Some(yearly.saturating_mul(days.max(0)) / 365)
    }
}

/// The fewest households whose cost is shown as a sum.
pub const MIN_PRICED: u64 = 10;

/// One layer of the pyramid, as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerFigure {
    pub layer: Layer,
    pub label: &'static str,
    pub short: &'static str,
    pub households: Protected,
    /// The share of households, in whole percents of the published total.
    pub share: Option<u8>,
    pub target: u8,
    /// Cost in the period in whole euros, rounded to thousands; `None` when too
    /// few households share it.
    pub cost_euros: Option<i64>,
    pub cost_share: Option<u8>,
    /// Uses that are billed but could not be priced.
    pub unpriced: Protected,
}

/// The pyramid of one district (or all) in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pyramid {
    pub households: Protected,
    pub layers: Vec<LayerFigure>,
}

fn pct(part: u64, whole: u64) -> Option<u8> {
    (whole >= 5).then(|| ((part as f64 * 100.0 / whole as f64).round() as u64).min(100) as u8)
}

/// The pyramid over `uses` in `period`, for `district` (all when `None`):
/// each household counts once, in the layer of the heaviest step it used.
pub fn pyramid(
    uses: &[SupportUse],
    period: Period,
    district: Option<&str>,
    targets: Targets,
) -> Pyramid {
    use std::collections::BTreeMap;
    let running: Vec<&SupportUse> = uses
        .iter()
        .filter(|u| district.is_none_or(|d| u.district == d) && u.runs_in(period))
        .collect();
    let mut heaviest: BTreeMap<i64, (Layer, RecordKey)> = BTreeMap::new();
    for u in &running {
        let layer = Layer::of(u.step);
        let e = heaviest
            .entry(u.household_id)
            .or_insert((layer, u.household));
        e.0 = e.0.max(layer);
    }
    let mut cells = [CellKeys::new(); 3];
    for (layer, key) in heaviest.values() {
        cells[layer.index()].add(*key);
    }
    let total = protect(&cells.iter().copied().sum());
    // Cost per layer of the use (not of the household's heaviest layer): what
    // the municipality paid for support on that step.
    let mut cost = [0i64; 3];
    let mut priced: [std::collections::BTreeSet<i64>; 3] = Default::default();
    let mut unpriced = [CellKeys::new(); 3];
    for u in running.iter().filter(|u| u.billed) {
        let i = Layer::of(u.step).index();
        match u.cost_in(period) {
            Some(c) => {
                cost[i] = cost[i].saturating_add(c);
                priced[i].insert(u.household_id);
            }
            None => unpriced[i].add(u.household),
        }
    }
    let shown_cost: Vec<Option<i64>> = (0..3)
        .map(|i| {
            (priced[i].len() as u64 >= MIN_PRICED).then(|| ((cost[i] / 100 + 500) / 1000) * 1000)
        })
        .collect();
    // A cost share needs every billed layer's cost shown: else the whole is unknown.
    let all_shown = (0..3).all(|i| priced[i].is_empty() || shown_cost[i].is_some());
    let cost_whole: i64 = shown_cost.iter().flatten().sum();
    let layers = Layer::ALL
        .iter()
        .map(|&layer| {
            let i = layer.index();
            let households = protect(&cells[i]);
            LayerFigure {
                layer,
                label: layer.label(),
                short: layer.short(),
                households,
                share: pct(households.value(), total.value()),
                target: targets.of(layer),
                cost_euros: shown_cost[i],
                cost_share: match shown_cost[i] {
                    Some(c) if all_shown && cost_whole > 0 => Some(
                        ((c as f64 * 100.0 / cost_whole as f64).round() as i64).clamp(0, 100) as u8,
                    ),
                    _ => None,
                },
                unpriced: protect(&unpriced[i]),
            }
        })
        .collect();
    Pyramid {
        households: total,
        layers,
    }
}

/// One point of a trend: a quarter, its value, and the band of values the
/// published counts are consistent with (the cell-key noise, made visible).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub period: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl TrendPoint {
    /// The share of `part` in `whole` in period `q`, with its band
    /// ([`share_with_band`]).
    pub fn share(q: Period, part: Protected, whole: Protected) -> TrendPoint {
        let (value, low, high) = share_with_band(part, whole);
        TrendPoint {
            period: q.code(),
            value,
            low,
            high,
        }
    }
}

/// A share in percents of two published counts, with its band: the lowest and
/// highest share any true counts consistent with them would give.
pub fn share_with_band(
    part: Protected,
    whole: Protected,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    if whole.value() < 5 {
        return (None, None, None);
    }
    let value = (part.value() as f64 * 100.0 / whole.value() as f64).min(100.0);
    let (p, w) = (
        consistent_counts(part.value()),
        consistent_counts(whole.value()),
    );
    let (p_lo, p_hi) = (*p.first().unwrap_or(&0), *p.last().unwrap_or(&0));
    let (w_lo, w_hi) = (*w.first().unwrap_or(&1), *w.last().unwrap_or(&1));
    let low = (p_lo as f64 * 100.0 / w_hi.max(1) as f64).min(100.0);
    let high = (p_hi as f64 * 100.0 / w_lo.max(1) as f64).min(100.0);
    (Some(value), Some(low), Some(high))
}

#[cfg(test)]
mod tests;
