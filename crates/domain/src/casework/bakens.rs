//! The bakens figures from casework (PRODUCT.md, bakens 1–8), as pure functions
//! over plain values. Every figure says how it is computed, and every count in
//! it goes through [`super::disclosure::publish_keyed`]: no count, share, median
//! or ratio is shown that would let someone recompute a count from 1 to 4 (such
//! a count shows as "x"), and a small total shows as 0. Medians and percentiles
//! need at least 5 values.
//!
//! On top of that every count shown is published with the cell-key method
//! ([`crate::cell_key`]): each fact carries its record's key, so the same figure
//! for another team, district or period cannot be subtracted from this one to
//! find a small count.
//!
//! The figures about agreements (bakens 2, 4, 5 and 8) describe the same
//! agreements, so they are protected together, as one family: a difference
//! between two of them is as revealing as a difference within one.

use super::disclosure::{publish_keyed, share, Shown};
use crate::cell_key::{CellKeys, RecordKey};
use crate::ladder::LadderStep;
use crate::protect::MIN_SHOWN;
use chrono::NaiveDate;
use serde::Serialize;

/// A computed figure, ready to publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub baken: u8,
    pub title: &'static str,
    /// The figure as shown: "42%", "mediaan 3 dagen, …", "te weinig gegevens".
    pub value: String,
    /// What it rests on: "21 van 50 gesprekken".
    pub basis: String,
    /// How it is computed, in plain Dutch.
    pub how: &'static str,
}

/// Shown when a share cannot be published.
pub const TOO_FEW: &str = "te weinig gegevens";

fn pct(part: Shown, whole: Shown) -> String {
    share(part, whole)
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| TOO_FEW.to_owned())
}

fn mask_of(n: usize, pick: impl Fn(usize) -> bool) -> u32 {
    (0..n).filter(|i| pick(*i)).fold(0, |m, i| m | (1 << i))
}

/// One kitchen-table conversation, for baken 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationFact {
    pub need_differs: bool,
    pub key: RecordKey,
}

/// Baken 1 — gericht op de vraag achter de vraag.
pub fn baken1(conversations: &[ConversationFact]) -> Figure {
    let mut cells = [CellKeys::new(); 2];
    for c in conversations {
        cells[usize::from(!c.need_differs)].add(c.key);
    }
    let s = publish_keyed(&cells, &[0b11, 0b01]);
    Figure {
        baken: 1,
        title: "Gericht op de vraag achter de vraag",
        value: pct(s[1], s[0]),
        basis: format!("{} van {} gesprekken", s[1].display(), s[0].display()),
        how: "Aandeel keukentafelgesprekken in de periode waarin een vraag achter de vraag is vastgelegd \
              die anders is dan de gestelde vraag.",
    }
}

/// How an agreement counts for bakens 2, 4, 5 and 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreementFact {
    pub step: LadderStep,
    pub by_volunteer: bool,
    pub by_professional: bool,
    pub key: RecordKey,
}

impl AgreementFact {
    /// Informal help for baken 4: steps 1–3 or a volunteer, not a professional.
    pub fn is_informal(&self) -> bool {
        (self.step.is_informal() || self.by_volunteer) && !self.by_professional
    }
}

/// The agreement family's cells: step group (1–2, 3, 4, 5) × informal.
const STEP_GROUPS: usize = 4;

fn agreement_cell(a: &AgreementFact) -> usize {
    let group = match a.step.value() {
        1 | 2 => 0,
        3 => 1,
        4 => 2,
        _ => 3,
    };
    group * 2 + usize::from(a.is_informal())
}

fn group_mask(groups: &[usize]) -> u32 {
    mask_of(STEP_GROUPS * 2, |i| groups.contains(&(i / 2)))
}

/// The published counts of the agreement family, decided together.
struct AgreementCounts {
    total: Shown,
    steps12: Shown,
    steps1to4: Shown,
    step3: Shown,
    steps45: Shown,
    informal: Shown,
    formal: Shown,
}

fn agreement_counts(agreements: &[AgreementFact]) -> AgreementCounts {
    let mut cells = [CellKeys::new(); STEP_GROUPS * 2];
    for a in agreements {
        cells[agreement_cell(a)].add(a.key);
    }
    let all = group_mask(&[0, 1, 2, 3]);
    let informal = mask_of(STEP_GROUPS * 2, |i| i % 2 == 1);
    let s = publish_keyed(
        &cells,
        &[
            all,
            group_mask(&[0]),
            group_mask(&[0, 1, 2]),
            group_mask(&[1]),
            group_mask(&[2, 3]),
            informal,
            all & !informal,
        ],
    );
    AgreementCounts {
        total: s[0],
        steps12: s[1],
        steps1to4: s[2],
        step3: s[3],
        steps45: s[4],
        informal: s[5],
        formal: s[6],
    }
}

/// Baken 2 — eigen kracht van de burger.
pub fn baken2(agreements: &[AgreementFact]) -> Figure {
    let c = agreement_counts(agreements);
    Figure {
        baken: 2,
        title: "Eigen kracht van de burger",
        value: pct(c.steps12, c.total),
        basis: format!(
            "{} van {} afspraken",
            c.steps12.display(),
            c.total.display()
        ),
        how: "Aandeel afspraken die in de periode zijn gemaakt op trede 1 (eigen kracht) of 2 (sociaal netwerk) \
              van de verantwoordelijkheidsladder.",
    }
}

/// The median and 90th percentile (nearest rank) of a list of day counts.
pub fn median_and_p90(days: &[i64]) -> Option<(i64, i64)> {
    if days.is_empty() {
        return None;
    }
    let mut v = days.to_vec();
    v.sort_unstable();
    let rank = |p: f64| {
        let r = (p * v.len() as f64).ceil() as usize;
        v[r.clamp(1, v.len()) - 1]
    };
    Some((rank(0.5), rank(0.9)))
}

/// One signal with a first contact, for baken 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactFact {
    pub reported: NaiveDate,
    pub first_contact: NaiveDate,
    /// Within the response norm for its urgency (which the caller applied).
    pub within_norm: bool,
    pub key: RecordKey,
}

/// Baken 3 — direct er op af: days from signal to first contact.
pub fn baken3(signals: &[ContactFact]) -> Figure {
    let days: Vec<i64> = signals
        .iter()
        .map(|s| (s.first_contact - s.reported).num_days().max(0))
        .collect();
    let mut cells = [CellKeys::new(); 2];
    for s in signals {
        cells[usize::from(!s.within_norm)].add(s.key);
    }
    let s = publish_keyed(&cells, &[0b11, 0b01]);
    // A median over fewer than 5 signals would be (nearly) one household's days.
    let value = match median_and_p90(&days) {
        Some((m, p)) if days.len() as i64 >= MIN_SHOWN => {
            let norm = share(s[1], s[0])
                .map(|p| format!("; {p}% binnen de norm"))
                .unwrap_or_default();
            format!("mediaan {m} dagen, 90% binnen {p} dagen{norm}")
        }
        _ => TOO_FEW.to_owned(),
    };
    Figure {
        baken: 3,
        title: "Direct er op af",
        value,
        basis: format!(
            "{} signalen met eerste contact, waarvan {} binnen de norm",
            s[0].display(),
            s[1].display()
        ),
        how: "Dagen (kalenderdagen) van het melden van een signaal tot het eerste contact met het huishouden: \
              de mediaan en het 90e percentiel, over signalen met een eerste contact in de periode (pas vanaf 5 \
              signalen). Binnen de norm: het eerste contact viel binnen de responsnorm voor de urgentie \
              (in werkdagen, zoals de beheerder die heeft ingesteld).",
    }
}

fn ratio(a: Shown, b: Shown, a_name: &str, b_name: &str) -> String {
    match (a, b) {
        (Shown::Exact(x), Shown::Exact(y)) if x + y >= MIN_SHOWN => {
            let pa = (x as f64 * 100.0 / (x + y) as f64).round() as i64;
            format!("{pa}% {a_name}, {}% {b_name}", 100 - pa)
        }
        _ => TOO_FEW.to_owned(),
    }
}

/// Baken 4 — formeel en informeel in optimale verhouding.
pub fn baken4(agreements: &[AgreementFact]) -> Figure {
    let c = agreement_counts(agreements);
    Figure {
        baken: 4,
        title: "Formeel en informeel in optimale verhouding",
        value: ratio(c.informal, c.formal, "informeel", "professioneel"),
        basis: format!(
            "{} informeel, {} professioneel",
            c.informal.display(),
            c.formal.display()
        ),
        how: "Verhouding tussen informele afspraken (trede 1 t/m 3 of door een vrijwilliger, niet door een \
              professional) en professionele afspraken, over afspraken gemaakt in de periode.",
    }
}

/// Baken 5 — doordachte balans collectief en individueel.
pub fn baken5(agreements: &[AgreementFact]) -> Figure {
    let c = agreement_counts(agreements);
    Figure {
        baken: 5,
        title: "Doordachte balans collectief en individueel",
        value: ratio(c.step3, c.steps45, "collectief", "individueel"),
        basis: format!(
            "{} collectief, {} individueel",
            c.step3.display(),
            c.steps45.display()
        ),
        how: "Verhouding tussen afspraken met een algemene (collectieve) voorziening, trede 3, en individuele \
              ondersteuning, trede 4 en 5, over afspraken gemaakt in de periode.",
    }
}

/// One open plan, for baken 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanFact {
    /// Distinct professionals acting in the plan's running agreements.
    pub professionals: i64,
    /// Distinct life domains of the plan's goals.
    pub domains: i64,
    pub key: RecordKey,
}

/// Baken 6 — integraal werken.
pub fn baken6(plans: &[PlanFact]) -> Figure {
    // Cells: (at most one professional) × (several domains).
    let mut cells = [CellKeys::new(); 4];
    for p in plans {
        cells[usize::from(p.professionals <= 1) * 2 + usize::from(p.domains >= 2)].add(p.key);
    }
    let s = publish_keyed(&cells, &[0b1111, 0b1100, 0b1010]);
    let value = match (share(s[1], s[0]), share(s[2], s[0])) {
        (None, None) => TOO_FEW.to_owned(),
        (one, several) => {
            let show = |p: Option<i64>| p.map(|p| format!("{p}%")).unwrap_or_else(|| "x".into());
            format!(
                "{} van de plannen met hooguit één professional; {} over meerdere leefgebieden",
                show(one),
                show(several)
            )
        }
    };
    Figure {
        baken: 6,
        title: "Integraal werken",
        value,
        basis: format!(
            "{} open plannen, waarvan {} met hooguit één professional en {} over meerdere leefgebieden",
            s[0].display(),
            s[1].display(),
            s[2].display()
        ),
        how: "Over de open plannen: het aandeel met hooguit één professional met een lopende afspraak \
              (doel: één huishouden, één plan, één coördinerende generalist), en het aandeel met doelen op \
              twee of meer leefgebieden.",
    }
}

/// One goal, for baken 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalFact {
    pub target_date: NaiveDate,
    pub evaluated_on: Option<NaiveDate>,
    pub achieved: bool,
    pub key: RecordKey,
}

/// One household's change of its mean self-reliance score, for baken 7.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreChange {
    pub change: f64,
    pub key: RecordKey,
}

/// Baken 7 — niet vrijblijvend, maar resultaatgericht. `score_changes` is, per
/// household evaluated in the period, the change of its mean self-reliance score
/// from the first conversation to the last evaluation.
pub fn baken7(goals: &[GoalFact], score_changes: &[ScoreChange]) -> Figure {
    // Cells over the evaluated goals: (on time) × (achieved).
    let mut cells = [CellKeys::new(); 4];
    for g in goals.iter().filter(|g| g.evaluated_on.is_some()) {
        let on_time = g.evaluated_on.is_some_and(|e| e <= g.target_date);
        cells[usize::from(on_time) * 2 + usize::from(g.achieved)].add(g.key);
    }
    let s = publish_keyed(&cells, &[0b1111, 0b1100, 0b1010]);
    let n = score_changes.len() as i64;
    let change = if n < MIN_SHOWN {
        TOO_FEW.to_owned()
    } else {
        let avg = score_changes.iter().map(|s| s.change).sum::<f64>() / n as f64;
        format!("{avg:+.1}").replace('.', ",")
    };
    let households = publish_keyed(&[CellKeys::of(score_changes.iter().map(|s| s.key))], &[0b1])[0];
    Figure {
        baken: 7,
        title: "Niet vrijblijvend, maar resultaatgericht",
        value: format!(
            "{} op tijd geëvalueerd; {} behaald; zelfredzaamheid {change}",
            pct(s[1], s[0]),
            pct(s[2], s[0])
        ),
        basis: format!(
            "{} geëvalueerde doelen, waarvan {} op tijd en {} behaald; {} huishoudens met een nieuwe meting",
            s[0].display(),
            s[1].display(),
            s[2].display(),
            households.display()
        ),
        how: "Over doelen die in de periode zijn geëvalueerd: het aandeel dat uiterlijk op de streefdatum is \
              geëvalueerd en het aandeel dat is behaald. Zelfredzaamheid: de gemiddelde verandering van de \
              gemiddelde ZRM-score (1–5) per huishouden, van het eerste gesprek tot de laatste evaluatie \
              (pas vanaf 5 huishoudens).",
    }
}

/// Baken 8 — ruimte voor de professional.
pub fn baken8(agreements: &[AgreementFact]) -> Figure {
    let c = agreement_counts(agreements);
    Figure {
        baken: 8,
        title: "Ruimte voor de professional",
        value: pct(c.steps1to4, c.total),
        basis: format!(
            "{} van {} besluiten",
            c.steps1to4.display(),
            c.total.display()
        ),
        how: "Aandeel afspraken in de periode dat de generalist binnen het eigen mandaat maakte \
              (trede 1 t/m 4, zonder goedkeuring van de teamleider).",
    }
}

#[cfg(test)]
mod tests;
