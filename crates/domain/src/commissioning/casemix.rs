//! Case-mix adjustment: a computed outcome is compared with what was expected
//! from the households' starting point, so a provider gains nothing by taking
//! only the easy cases ("selectieve concurrentie", seed 002).
//!
//! The method. The reference is the municipality's own data: every household
//! with an intake and an evaluation in the period, across all providers. Each
//! is put in a start band by its mean self-reliance (ZRM) score at intake
//! (below 2, 2 to 3, 3 to 4, 4 and up). The expected change of a band is the
//! mean change of the reference households in it, rounded to hundredths. A
//! household's adjusted result is its observed change minus its band's
//! expected change; a provider's adjusted result is the mean of its
//! households' adjusted results. A household that did exactly as expected
//! adds zero, whoever served it, whatever its band.

use super::Hundredths;
use std::collections::BTreeMap;

/// The start band of a household, from its mean intake ZRM score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StartBand {
    /// Mean intake score below 2: acute or serious problems.
    Below2,
    From2,
    From3,
    /// 4 and up: the "easy" cases.
    From4,
}

impl StartBand {
    pub const ALL: [StartBand; 4] = [
        StartBand::Below2,
        StartBand::From2,
        StartBand::From3,
        StartBand::From4,
    ];
    pub fn of(intake_mean: Hundredths) -> StartBand {
        match intake_mean.value() {
            i64::MIN..200 => StartBand::Below2,
            200..300 => StartBand::From2,
            300..400 => StartBand::From3,
            _ => StartBand::From4,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            StartBand::Below2 => "startscore lager dan 2",
            StartBand::From2 => "startscore 2 tot 3",
            StartBand::From3 => "startscore 3 tot 4",
            StartBand::From4 => "startscore 4 of hoger",
        }
    }
}

/// One household's outcome: mean ZRM score at intake and its change to the
/// evaluation, both in hundredths. No person in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseOutcome {
    pub intake_mean: Hundredths,
    pub change: Hundredths,
}

impl CaseOutcome {
    pub fn band(&self) -> StartBand {
        StartBand::of(self.intake_mean)
    }
}

/// The expected change per start band, from the reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedChange {
    per_band: BTreeMap<StartBand, (Hundredths, i64)>,
}

/// `sum / n` rounded half away from zero.
fn rounded_mean(sum: i64, n: i64) -> i64 {
    if n == 0 {
        return 0;
    }
    let twice = 2 * sum.abs() + n;
    let magnitude = twice / (2 * n);
    if sum < 0 {
        -magnitude
    } else {
        magnitude
    }
}

impl ExpectedChange {
    /// The expected change per band from the municipality's reference cases.
    pub fn from_reference(reference: &[CaseOutcome]) -> ExpectedChange {
        let mut sums: BTreeMap<StartBand, (i64, i64)> = BTreeMap::new();
        for case in reference {
            let entry = sums.entry(case.band()).or_default();
            entry.0 += case.change.value();
            entry.1 += 1;
        }
        ExpectedChange {
            per_band: sums
                .into_iter()
                .map(|(band, (sum, n))| (band, (Hundredths::new(rounded_mean(sum, n)), n)))
                .collect(),
        }
    }

    /// The expected change of a band and the number of reference cases.
    pub fn of(&self, band: StartBand) -> Option<(Hundredths, i64)> {
        self.per_band.get(&band).copied()
    }

    /// Observed minus expected, for one household; `None` when its band has
    /// no reference.
    pub fn adjusted(&self, case: &CaseOutcome) -> Option<Hundredths> {
        self.of(case.band())
            .map(|(expected, _)| Hundredths::new(case.change.value() - expected.value()))
    }

    /// The sum of the adjusted results of a provider's households (those with
    /// a reference), and how many there were.
    pub fn adjusted_sum(&self, cases: &[CaseOutcome]) -> (i64, i64) {
        cases
            .iter()
            .filter_map(|c| self.adjusted(c))
            .fold((0, 0), |(sum, n), a| (sum + a.value(), n + 1))
    }

    /// A provider's adjusted result: the mean of its households' adjusted
    /// results; `None` without households.
    pub fn adjusted_mean(&self, cases: &[CaseOutcome]) -> Option<Hundredths> {
        let (sum, n) = self.adjusted_sum(cases);
        (n > 0).then(|| Hundredths::new(rounded_mean(sum, n)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn case(intake: i64, change: i64) -> CaseOutcome {
        CaseOutcome {
            intake_mean: Hundredths::new(intake),
            change: Hundredths::new(change),
        }
    }

    #[test]
    fn a_provider_of_easy_cases_that_went_as_expected_scores_zero_like_one_of_hard_cases() {
        // Hard cases gain 1,0 on average, easy ones 0,2.
        let reference = [case(150, 120), case(180, 80), case(420, 10), case(450, 30)];
        let expected = ExpectedChange::from_reference(&reference);
        assert_eq!(
            expected.of(StartBand::Below2),
            Some((Hundredths::new(100), 2))
        );
        assert_eq!(
            expected.of(StartBand::From4),
            Some((Hundredths::new(20), 2))
        );
        let easy = [case(430, 20), case(470, 20)];
        let hard = [case(160, 100)];
        assert_eq!(expected.adjusted_mean(&easy), Some(Hundredths::new(0)));
        assert_eq!(expected.adjusted_mean(&hard), Some(Hundredths::new(0)));
        // A hard case that improved by only 0,6 is below expectation.
        assert_eq!(
            expected.adjusted(&case(160, 60)),
            Some(Hundredths::new(-40))
        );
        assert_eq!(expected.adjusted(&case(250, 60)), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(rounded_mean(5, 2), 3);
        assert_eq!(rounded_mean(-5, 2), -3);
        assert_eq!(rounded_mean(4, 3), 1);
        assert_eq!(rounded_mean(0, 0), 0);
    }

    fn cases() -> impl Strategy<Value = Vec<CaseOutcome>> {
        proptest::collection::vec((100i64..=500, -300i64..=300), 1..60)
            .prop_map(|v| v.into_iter().map(|(i, c)| case(i, c)).collect())
    }

    proptest! {
        #[test]
        fn moving_a_case_between_providers_moves_exactly_its_own_adjusted_result(
            all in cases(),
            split in proptest::collection::vec(any::<bool>(), 60),
            moved in 0usize..60,
        ) {
            let expected = ExpectedChange::from_reference(&all);
            let moved = moved % all.len();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for (i, c) in all.iter().enumerate() {
                if i != moved {
                    if split[i] { a.push(*c) } else { b.push(*c) }
                }
            }
            let own = expected.adjusted(&all[moved]).unwrap().value();
            let (sa, _) = expected.adjusted_sum(&a);
            let (sb, _) = expected.adjusted_sum(&b);
            let mut a_with = a.clone();
            a_with.push(all[moved]);
            let mut b_with = b.clone();
            b_with.push(all[moved]);
            prop_assert_eq!(expected.adjusted_sum(&a_with).0, sa + own);
            prop_assert_eq!(expected.adjusted_sum(&b_with).0, sb + own);
            // The municipality's total does not depend on who served whom.
            prop_assert_eq!(expected.adjusted_sum(&a_with).0 + sb, sa + expected.adjusted_sum(&b_with).0);
        }

        #[test]
        fn moving_easy_cases_that_went_as_expected_changes_no_providers_adjusted_result(
            all in cases(),
            easy_count in 1usize..20,
        ) {
            let mut reference = all.clone();
            reference.push(case(450, 25));
            let expected = ExpectedChange::from_reference(&reference);
            let (easy_change, _) = expected.of(StartBand::From4).unwrap();
            let easy: Vec<CaseOutcome> = (0..easy_count).map(|i| case(400 + (i as i64 % 100), easy_change.value())).collect();
            let before = expected.adjusted_sum(&all).0;
            let mut with_easy = all.clone();
            with_easy.extend(easy.iter().copied());
            prop_assert_eq!(expected.adjusted_sum(&with_easy).0, before);
            prop_assert_eq!(expected.adjusted_mean(&easy), Some(Hundredths::new(0)));
        }
    }
}
