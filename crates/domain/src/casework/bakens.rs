//! The bakens figures from casework (PRODUCT.md, bakens 1–8), as pure functions
//! over plain values. Every figure says how it is computed, and every count in
//! it passes through [`protect_count`]: a share whose denominator is below 5 is
//! not shown at all, because it could point at a person.

use crate::ladder::LadderStep;
use crate::protect::{protect_count, ProtectedCount, MIN_SHOWN};
use chrono::NaiveDate;
use serde::Serialize;

/// A computed figure, ready to publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub baken: u8,
    pub title: &'static str,
    /// The figure as shown: "42%", "3 dagen", "<5".
    pub value: String,
    /// What it rests on: "21 van 50 gesprekken".
    pub basis: String,
    /// How it is computed, in plain Dutch.
    pub how: &'static str,
}

/// A share `part` of `whole`, protected: counts 1–4 show as "<5", and a share
/// of a whole below 5 is not shown.
pub fn protected_share(part: i64, whole: i64) -> (String, String) {
    let p = protect_count(part).display();
    let w = protect_count(whole).display();
    if whole < MIN_SHOWN {
        return ("te weinig gegevens".to_owned(), format!("{p} van {w}"));
    }
    let pct = (part as f64 * 100.0 / whole as f64).round() as i64;
    (format!("{pct}%"), format!("{p} van {w}"))
}

fn basis_n(n: i64, what: &str) -> String {
    format!("{} {what}", protect_count(n).display())
}

/// Baken 1 — gericht op de vraag achter de vraag.
pub fn baken1(conversations_need_differs: &[bool]) -> Figure {
    let whole = conversations_need_differs.len() as i64;
    let part = conversations_need_differs.iter().filter(|b| **b).count() as i64;
    let (value, basis) = protected_share(part, whole);
    Figure {
        baken: 1,
        title: "Gericht op de vraag achter de vraag",
        value,
        basis: format!("{basis} gesprekken"),
        how: "Aandeel keukentafelgesprekken in de periode waarin een vraag achter de vraag is vastgelegd \
              die anders is dan de gestelde vraag.",
    }
}

/// Baken 2 — eigen kracht van de burger.
pub fn baken2(agreement_steps: &[LadderStep]) -> Figure {
    let whole = agreement_steps.len() as i64;
    let part = agreement_steps.iter().filter(|s| s.value() <= 2).count() as i64;
    let (value, basis) = protected_share(part, whole);
    Figure {
        baken: 2,
        title: "Eigen kracht van de burger",
        value,
        basis: format!("{basis} afspraken"),
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

/// Baken 3 — direct er op af: days from signal to first contact.
pub fn baken3(signal_to_contact: &[(NaiveDate, NaiveDate)]) -> Figure {
    let days: Vec<i64> = signal_to_contact
        .iter()
        .map(|(s, c)| (*c - *s).num_days().max(0))
        .collect();
    let n = days.len() as i64;
    let value = match median_and_p90(&days) {
        Some((m, p)) if n >= MIN_SHOWN => format!("mediaan {m} dagen, 90% binnen {p} dagen"),
        _ => "te weinig gegevens".to_owned(),
    };
    Figure {
        baken: 3,
        title: "Direct er op af",
        value,
        basis: basis_n(n, "signalen met eerste contact"),
        how: "Dagen (kalenderdagen) van het melden van een signaal tot het eerste contact met het huishouden: \
              de mediaan en het 90e percentiel, over signalen met een eerste contact in de periode.",
    }
}

/// How an agreement counts for bakens 4 and 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgreementFact {
    pub step: LadderStep,
    pub by_volunteer: bool,
    pub by_professional: bool,
}

/// The balance between two groups as two percentages; not shown when either
/// group is 1–4 (the other group would give it away).
fn ratio(a: i64, b: i64, a_name: &str, b_name: &str) -> String {
    let small = |n: i64| n > 0 && n < MIN_SHOWN;
    if a + b < MIN_SHOWN || small(a) || small(b) {
        return "te weinig gegevens".to_owned();
    }
    let pa = (a as f64 * 100.0 / (a + b) as f64).round() as i64;
    format!("{pa}% {a_name}, {}% {b_name}", 100 - pa)
}

/// Baken 4 — formeel en informeel in optimale verhouding.
pub fn baken4(agreements: &[AgreementFact]) -> Figure {
    let informal = agreements
        .iter()
        .filter(|a| (a.step.is_informal() || a.by_volunteer) && !a.by_professional)
        .count() as i64;
    let formal = agreements.len() as i64 - informal;
    Figure {
        baken: 4,
        title: "Formeel en informeel in optimale verhouding",
        value: ratio(informal, formal, "informeel", "professioneel"),
        basis: format!(
            "{} informeel, {} professioneel",
            protect_count(informal).display(),
            protect_count(formal).display()
        ),
        how: "Verhouding tussen informele afspraken (trede 1 t/m 3 of door een vrijwilliger, niet door een \
              professional) en professionele afspraken, over afspraken gemaakt in de periode.",
    }
}

/// Baken 5 — doordachte balans collectief en individueel.
pub fn baken5(agreements: &[AgreementFact]) -> Figure {
    let collective = agreements.iter().filter(|a| a.step.value() == 3).count() as i64;
    let individual = agreements.iter().filter(|a| a.step.value() >= 4).count() as i64;
    Figure {
        baken: 5,
        title: "Doordachte balans collectief en individueel",
        value: ratio(collective, individual, "collectief", "individueel"),
        basis: format!(
            "{} collectief, {} individueel",
            protect_count(collective).display(),
            protect_count(individual).display()
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
}

/// Baken 6 — integraal werken.
pub fn baken6(plans: &[PlanFact]) -> Figure {
    let n = plans.len() as i64;
    let at_most_one = plans.iter().filter(|p| p.professionals <= 1).count() as i64;
    let several_domains = plans.iter().filter(|p| p.domains >= 2).count() as i64;
    let value = if n < MIN_SHOWN {
        "te weinig gegevens".to_owned()
    } else {
        let avg = plans.iter().map(|p| p.professionals).sum::<i64>() as f64 / n as f64;
        format!(
            "{} professionals per huishouden; {}% van de plannen over meerdere leefgebieden",
            format!("{avg:.1}").replace('.', ","),
            (several_domains as f64 * 100.0 / n as f64).round() as i64
        )
    };
    Figure {
        baken: 6,
        title: "Integraal werken",
        value,
        basis: format!(
            "{} open plannen, waarvan {} met hooguit één professional",
            protect_count(n).display(),
            protect_count(at_most_one).display()
        ),
        how: "Over de open plannen: het gemiddelde aantal verschillende professionals met een lopende afspraak \
              (doel: één coördinerende generalist), en het aandeel plannen met doelen op twee of meer leefgebieden.",
    }
}

/// One goal, for baken 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalFact {
    pub target_date: NaiveDate,
    pub evaluated_on: Option<NaiveDate>,
    pub achieved: bool,
}

/// Baken 7 — niet vrijblijvend, maar resultaatgericht. `score_changes` is, per
/// household evaluated in the period, the change of its mean self-reliance score
/// from the first conversation to the last evaluation.
pub fn baken7(goals: &[GoalFact], score_changes: &[f64]) -> Figure {
    let due = goals.iter().filter(|g| g.evaluated_on.is_some()).count() as i64;
    let on_time = goals
        .iter()
        .filter(|g| g.evaluated_on.is_some_and(|e| e <= g.target_date))
        .count() as i64;
    let achieved = goals.iter().filter(|g| g.achieved).count() as i64;
    let (on_time_pct, _) = protected_share(on_time, due);
    let (achieved_pct, _) = protected_share(achieved, due);
    let n = score_changes.len() as i64;
    let change = if n < MIN_SHOWN {
        "te weinig gegevens".to_owned()
    } else {
        let avg = score_changes.iter().sum::<f64>() / n as f64;
        format!("{avg:+.1}").replace('.', ",")
    };
    Figure {
        baken: 7,
        title: "Niet vrijblijvend, maar resultaatgericht",
        value: format!("{on_time_pct} op tijd geëvalueerd; {achieved_pct} behaald; zelfredzaamheid {change}"),
        basis: format!(
            "{} geëvalueerde doelen, {} huishoudens met een nieuwe meting",
            protect_count(due).display(),
            protect_count(n).display()
        ),
        how: "Over doelen die in de periode zijn geëvalueerd: het aandeel dat uiterlijk op de streefdatum is \
              geëvalueerd en het aandeel dat is behaald. Zelfredzaamheid: de gemiddelde verandering van de \
              gemiddelde ZRM-score (1–5) per huishouden, van het eerste gesprek tot de laatste evaluatie.",
    }
}

/// Baken 8 — ruimte voor de professional.
pub fn baken8(agreement_steps: &[LadderStep]) -> Figure {
    let whole = agreement_steps.len() as i64;
    let own = agreement_steps
        .iter()
        .filter(|s| !s.needs_referral())
        .count() as i64;
    let (value, basis) = protected_share(own, whole);
    Figure {
        baken: 8,
        title: "Ruimte voor de professional",
        value,
        basis: format!("{basis} besluiten"),
        how: "Aandeel afspraken in de periode dat de generalist binnen het eigen mandaat maakte \
              (trede 1 t/m 4, zonder goedkeuring van de teamleider).",
    }
}

/// A count for a table cell, protected.
pub fn cell(n: i64) -> ProtectedCount {
    protect_count(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(n: u8) -> LadderStep {
        LadderStep::new(n).unwrap()
    }

    #[test]
    fn shares_of_small_groups_are_not_shown() {
        let f = baken1(&[true, false, true]);
        assert_eq!(f.value, "te weinig gegevens");
        assert_eq!(f.basis, "<5 van <5 gesprekken");
        let f = baken1(&[
            true, true, false, false, false, false, false, false, false, false,
        ]);
        assert_eq!(f.value, "20%");
        assert_eq!(f.basis, "<5 van 10 gesprekken");
    }

    #[test]
    fn baken_two_counts_steps_one_and_two() {
        let steps: Vec<_> = [1, 2, 2, 3, 4, 5].iter().map(|s| step(*s)).collect();
        assert_eq!(baken2(&steps).value, "50%");
        assert_eq!(baken8(&steps).value, "83%");
    }

    #[test]
    fn baken_three_gives_median_and_ninetieth_percentile() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 1, day).unwrap();
        let pairs: Vec<_> = (1..=10).map(|i| (d(1), d(1 + i))).collect();
        assert_eq!(baken3(&pairs).value, "mediaan 5 dagen, 90% binnen 9 dagen");
        assert_eq!(median_and_p90(&[]), None);
    }

    #[test]
    fn every_figure_says_how_it_is_computed() {
        let figures = [
            baken1(&[]),
            baken2(&[]),
            baken3(&[]),
            baken4(&[]),
            baken5(&[]),
            baken6(&[]),
            baken7(&[], &[]),
            baken8(&[]),
        ];
        for (i, f) in figures.iter().enumerate() {
            assert_eq!(f.baken as usize, i + 1);
            assert!(f.how.len() > 40, "{}", f.title);
        }
    }

    proptest! {
        #[test]
        fn no_figure_shows_a_count_from_one_to_four(bits in proptest::collection::vec(any::<bool>(), 0..12), steps in proptest::collection::vec(1u8..=5, 0..12)) {
            let steps: Vec<_> = steps.into_iter().map(step).collect();
            let facts: Vec<_> = steps.iter().map(|s| AgreementFact { step: *s, by_volunteer: false, by_professional: s.value() >= 4 }).collect();
            for f in [baken1(&bits), baken2(&steps), baken4(&facts), baken5(&facts), baken8(&steps)] {
                for word in f.basis.split_whitespace().chain(f.value.split_whitespace()) {
                    if let Ok(n) = word.trim_end_matches('%').parse::<i64>() {
                        // Percentages are only shown for groups of 5 or more.
                        if !word.ends_with('%') { prop_assert!(n == 0 || n >= 5, "{} in {:?}", word, f); }
                    }
                }
            }
        }
    }
}
