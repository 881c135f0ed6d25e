//! Payment on results: advances, a fixed share, and a results share paid in
//! proportion to each paid indicator's attainment, capped — every amount in
//! integer cents, every step a line of the basis, the same inputs always the
//! same payment. The year-end settlement (vaststelling) sets the final
//! amount against the advances paid.
//!
//! The formula. With budget B and fixed share f (basis points):
//! - results pot R = ⌊B × (10 000 − f) / 10 000⌋, fixed F = B − R;
//! - attainment a of a term = (observed − baseline) / (target − baseline),
//!   clamped to 0–100 % (in basis points, truncated; a lower target means
//!   lower is better, the same formula);
//! - the term pays ⌊R × weight × a / 10⁸⌋ (weights in basis points sum to 100 %);
//! - total = min(F + Σ terms, cap).
//!
//! So the total never exceeds the budget or the cap, and rises (never falls)
//! with attainment.

use super::{Hundredths, FULL_BP};
use crate::contracting::Cents;
use chrono::{Datelike, Months, NaiveDate};

/// One paid indicator in the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultTerm {
    pub indicator_id: i64,
    pub name: String,
    /// Share of the results pot, in basis points.
    pub weight_bp: i64,
    pub baseline: Hundredths,
    pub target: Hundredths,
}

/// A commission's payment rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRule {
    budget: Cents,
    fixed_bp: i64,
    advances: u32,
    cap: Cents,
    terms: Vec<ResultTerm>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the fixed share is 0 to 100 %")]
    FixedShare,
    #[error("advances are paid in 1 to 12 instalments")]
    Advances,
    #[error("the cap lies between the fixed share and the budget")]
    Cap,
    #[error("the results share needs paid indicators whose weights add up to 100 %")]
    Weights,
    #[error("a paid indicator's target must differ from its baseline")]
    Target,
}

impl PaymentError {
    pub fn field(&self) -> &'static str {
        match self {
            PaymentError::FixedShare => "vast_deel",
            PaymentError::Advances => "voorschotten",
            PaymentError::Cap => "plafond",
            PaymentError::Weights | PaymentError::Target => "indicatoren",
        }
    }
    pub fn dutch(&self) -> &'static str {
        match self {
            PaymentError::FixedShare => "Het vaste deel is een percentage van 0 tot 100.",
            PaymentError::Advances => "Kies 1 tot 12 voorschotten.",
            PaymentError::Cap => "Het plafond ligt tussen het vaste deel en het budget.",
            PaymentError::Weights => {
                "Het resultaatdeel heeft betaalde indicatoren nodig waarvan de gewichten samen 100 % zijn."
            }
            PaymentError::Target => "De streefwaarde moet verschillen van de nulmeting.",
        }
    }
}

/// One line of a payment's basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasisLine {
    pub label: String,
    pub detail: String,
    /// Signed cents (a cap or the advances subtract).
    pub cents: i64,
}

/// A computed payment with its basis, line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub lines: Vec<BasisLine>,
    pub fixed: Cents,
    pub results: Cents,
    pub total: Cents,
}

/// The year-end settlement: the final amount against the advances paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub payment: Payment,
    pub advances_paid: Cents,
    /// Still to pay (positive) or to reclaim (negative), in cents.
    pub balance: i64,
    pub lines: Vec<BasisLine>,
}

/// Attainment in basis points (0–10 000) of `observed` between `baseline` and
/// `target`; `None` observed (no data) is 0.
pub fn attainment_bp(
    baseline: Hundredths,
    target: Hundredths,
    observed: Option<Hundredths>,
) -> i64 {
    let Some(observed) = observed else { return 0 };
    let span = i128::from(target.value()) - i128::from(baseline.value());
    if span == 0 {
        return 0;
    }
    let progress = i128::from(observed.value()) - i128::from(baseline.value());
    let bp = progress * i128::from(FULL_BP) / span;
    bp.clamp(0, i128::from(FULL_BP)) as i64
}

fn cents(value: i64) -> Cents {
    // Every amount here lies between 0 and the budget, itself a valid Cents.
    Cents::new(value.max(0)).unwrap_or_default()
}

fn pct(bp: i64) -> String {
    let whole = bp / 100;
    match bp % 100 {
        0 => format!("{whole} %"),
        frac => format!("{whole},{frac:02} %"),
    }
}

/// The fixed share of `budget` (the budget minus the results pot) in
/// `advances` equal instalments (at least one), the remainder in the last.
pub fn advance_schedule(budget: Cents, fixed_bp: i64, advances: u32) -> Vec<Cents> {
    let b = i128::from(budget.value());
    let pot = (b * i128::from(FULL_BP - fixed_bp.clamp(0, FULL_BP)) / i128::from(FULL_BP)) as i64;
    let fixed = budget.value() - pot;
    let n = i64::from(advances.max(1));
    let each = fixed / n;
    (0..n)
        .map(|i| {
            cents(if i == n - 1 {
                fixed - each * (n - 1)
            } else {
                each
            })
        })
        .collect()
}

/// The advances with their dates: spread evenly over the period's months,
/// the first on its first day.
pub fn advance_plan(
    budget: Cents,
    fixed_bp: i64,
    advances: u32,
    from: NaiveDate,
    until: NaiveDate,
) -> Vec<(NaiveDate, Cents)> {
    let months = (i64::from(until.year()) * 12 + i64::from(until.month0()))
        - (i64::from(from.year()) * 12 + i64::from(from.month0()))
        + 1;
    let schedule = advance_schedule(budget, fixed_bp, advances);
    let n = schedule.len() as i64;
    schedule
        .into_iter()
        .enumerate()
        .map(|(k, amount)| {
            let offset = u32::try_from(k as i64 * months.max(1) / n).unwrap_or(0);
            let on = from.checked_add_months(Months::new(offset)).unwrap_or(from);
            (on, amount)
        })
        .collect()
}

impl PaymentRule {
    /// `fixed_bp` is the fixed share in basis points; `cap` defaults to the budget.
    pub fn new(
        budget: Cents,
        fixed_bp: i64,
        advances: u32,
        cap: Option<Cents>,
        terms: Vec<ResultTerm>,
    ) -> Result<PaymentRule, PaymentError> {
        if !(0..=FULL_BP).contains(&fixed_bp) {
            return Err(PaymentError::FixedShare);
        }
        if !(1..=12).contains(&advances) {
            return Err(PaymentError::Advances);
        }
        let mut rule = PaymentRule {
            budget,
            fixed_bp,
            advances,
            cap: budget,
            terms,
        };
        let cap = cap.unwrap_or(budget);
        if cap > budget || cap < rule.fixed() {
            return Err(PaymentError::Cap);
        }
        rule.cap = cap;
        let weights: i64 = rule.terms.iter().map(|t| t.weight_bp).sum();
        let needs_terms = fixed_bp < FULL_BP;
        if rule.terms.iter().any(|t| t.weight_bp <= 0)
            || (needs_terms && weights != FULL_BP)
            || (!needs_terms && !rule.terms.is_empty())
        {
            return Err(PaymentError::Weights);
        }
        if rule.terms.iter().any(|t| t.target == t.baseline) {
            return Err(PaymentError::Target);
        }
        Ok(rule)
    }

    pub fn budget(&self) -> Cents {
        self.budget
    }
    pub fn fixed_bp(&self) -> i64 {
        self.fixed_bp
    }
    pub fn cap(&self) -> Cents {
        self.cap
    }
    pub fn terms(&self) -> &[ResultTerm] {
        &self.terms
    }
    pub fn advance_count(&self) -> u32 {
        self.advances
    }

    /// The results pot R = ⌊B × (10 000 − f) / 10 000⌋.
    pub fn results_pot(&self) -> Cents {
        let b = i128::from(self.budget.value());
        cents((b * i128::from(FULL_BP - self.fixed_bp) / i128::from(FULL_BP)) as i64)
    }
    /// The fixed share F = B − R.
    pub fn fixed(&self) -> Cents {
        cents(self.budget.value() - self.results_pot().value())
    }

    /// The advances: the fixed share in equal instalments, the remainder of
    /// the division in the last one, so they add up to the fixed share exactly.
    pub fn advance_schedule(&self) -> Vec<Cents> {
        advance_schedule(self.budget, self.fixed_bp, self.advances)
    }

    /// The payment for the observed figures (by indicator id; a missing one
    /// attains 0 %).
    pub fn compute(&self, observed: &dyn Fn(i64) -> Option<Hundredths>) -> Payment {
        let fixed = self.fixed();
        let pot = self.results_pot();
        let mut lines = vec![
            BasisLine {
                label: "Budget".into(),
                detail: String::new(),
                cents: self.budget.value(),
            },
            BasisLine {
                label: "Vast deel".into(),
                detail: format!("{} van het budget", pct(self.fixed_bp)),
                cents: fixed.value(),
            },
        ];
        let mut results = 0i64;
        for term in &self.terms {
            let seen = observed(term.indicator_id);
            let attained = attainment_bp(term.baseline, term.target, seen);
            let amount =
                (i128::from(pot.value()) * i128::from(term.weight_bp) * i128::from(attained)
                    / (i128::from(FULL_BP) * i128::from(FULL_BP))) as i64;
            results += amount;
            let measured = seen.map_or_else(|| "geen gegevens".to_owned(), |s| s.to_string());
            lines.push(BasisLine {
                label: format!("Resultaat: {}", term.name),
                detail: format!(
                    "nulmeting {}, streefwaarde {}, gemeten {measured}: {} bereikt × gewicht {} × resultaatdeel {}",
                    term.baseline,
                    term.target,
                    pct(attained),
                    pct(term.weight_bp),
                    pot
                ),
                cents: amount,
            });
        }
        let before_cap = fixed.value() + results;
        let total = before_cap.min(self.cap.value());
        if total < before_cap {
            lines.push(BasisLine {
                label: "Plafond".into(),
                detail: format!("hooguit {}", self.cap),
                cents: total - before_cap,
            });
        }
        lines.push(BasisLine {
            label: "Totaal".into(),
            detail: "vast deel plus resultaatdeel".into(),
            cents: total,
        });
        Payment {
            lines,
            fixed,
            results: cents(total - fixed.value()),
            total: cents(total),
        }
    }

    /// The year-end settlement: the payment for the year's figures against
    /// the advances paid.
    pub fn settle(
        &self,
        observed: &dyn Fn(i64) -> Option<Hundredths>,
        advances_paid: Cents,
    ) -> Settlement {
        let payment = self.compute(observed);
        let balance = payment.total.value() - advances_paid.value();
        let lines = vec![
            BasisLine {
                label: "Vastgesteld bedrag".into(),
                detail: "vast deel plus resultaatdeel, na plafond".into(),
                cents: payment.total.value(),
            },
            BasisLine {
                label: "Betaalde voorschotten".into(),
                detail: format!("{} termijnen van het vaste deel", self.advances),
                cents: -advances_paid.value(),
            },
            BasisLine {
                label: if balance >= 0 {
                    "Nog te betalen".into()
                } else {
                    "Terug te vorderen".into()
                },
                detail: String::new(),
                cents: balance,
            },
        ];
        Settlement {
            payment,
            advances_paid,
            balance,
            lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn volunteers_rule() -> PaymentRule {
        // Rotterdam-Centrum: € 400.000, 80 % fixed, 20 % on +15 % active
        // volunteers (200 → 230).
        PaymentRule::new(
            Cents::new(40_000_000).unwrap(),
            8_000,
            4,
            None,
            vec![ResultTerm {
                indicator_id: 1,
                name: "Actieve vrijwilligers".into(),
                weight_bp: FULL_BP,
                baseline: Hundredths::whole(200),
                target: Hundredths::whole(230),
            }],
        )
        .unwrap()
    }

    #[test]
    fn rotterdam_pays_the_fixed_share_and_the_attained_part_of_the_results_share() {
        let rule = volunteers_rule();
        assert_eq!(rule.fixed().value(), 32_000_000);
        assert_eq!(rule.results_pot().value(), 8_000_000);
        // 221 volunteers: 21 of 30 = 70 % of € 80.000 = € 56.000.
        let p = rule.compute(&|_| Some(Hundredths::whole(221)));
        assert_eq!(p.total.value(), 32_000_000 + 5_600_000);
        let result_line = p
            .lines
            .iter()
            .find(|l| l.label.starts_with("Resultaat"))
            .unwrap();
        assert!(
            result_line.detail.contains("70 % bereikt"),
            "{}",
            result_line.detail
        );
        assert_eq!(p.lines.last().unwrap().cents, 37_600_000);
    }

    #[test]
    fn overshooting_the_target_pays_no_more_than_the_budget_and_no_data_pays_nothing_extra() {
        let rule = volunteers_rule();
        assert_eq!(
            rule.compute(&|_| Some(Hundredths::whole(400)))
                .total
                .value(),
            40_000_000
        );
        let none = rule.compute(&|_| None);
        assert_eq!(none.total, rule.fixed());
        assert!(none
            .lines
            .iter()
            .any(|l| l.detail.contains("geen gegevens")));
    }

    #[test]
    fn the_settlement_pays_what_the_advances_left() {
        let rule = volunteers_rule();
        let advances = rule.advance_schedule();
        assert_eq!(advances.len(), 4);
        assert_eq!(advances.iter().map(|c| c.value()).sum::<i64>(), 32_000_000);
        let s = rule.settle(&|_| Some(Hundredths::whole(230)), rule.fixed());
        assert_eq!(s.balance, 8_000_000);
        assert_eq!(s.lines[2].label, "Nog te betalen");
    }

    #[test]
    fn advances_are_spread_over_the_period() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let plan = advance_plan(
            Cents::new(40_000_000).unwrap(),
            8_000,
            4,
            d("2025-01-01"),
            d("2025-12-31"),
        );
        let dates: Vec<_> = plan.iter().map(|p| p.0).collect();
        assert_eq!(
            dates,
            vec![
                d("2025-01-01"),
                d("2025-04-01"),
                d("2025-07-01"),
                d("2025-10-01")
            ]
        );
        assert!(plan.iter().all(|p| p.1.value() == 8_000_000));
    }

    #[test]
    fn a_cap_below_the_total_shows_as_its_own_line() {
        let rule = PaymentRule::new(
            Cents::new(100_000).unwrap(),
            5_000,
            1,
            Some(Cents::new(80_000).unwrap()),
            vec![ResultTerm {
                indicator_id: 1,
                name: "x".into(),
                weight_bp: FULL_BP,
                baseline: Hundredths::whole(0),
                target: Hundredths::whole(10),
            }],
        )
        .unwrap();
        let p = rule.compute(&|_| Some(Hundredths::whole(10)));
        assert_eq!(p.total.value(), 80_000);
        assert!(p
            .lines
            .iter()
            .any(|l| l.label == "Plafond" && l.cents == -20_000));
    }

    #[test]
    fn lower_is_better_when_the_target_lies_below_the_baseline() {
        // Days to first contact: 10 → 5; 7 days is 60 %.
        let a = attainment_bp(
            Hundredths::whole(10),
            Hundredths::whole(5),
            Some(Hundredths::whole(7)),
        );
        assert_eq!(a, 6_000);
    }

    #[test]
    fn a_rule_whose_weights_do_not_add_up_is_refused() {
        let mut terms = volunteers_rule().terms().to_vec();
        terms[0].weight_bp = 5_000;
        let err = PaymentRule::new(Cents::new(100).unwrap(), 8_000, 1, None, terms).unwrap_err();
        assert_eq!(err, PaymentError::Weights);
        assert!(PaymentRule::new(Cents::new(100).unwrap(), 10_000, 1, None, vec![]).is_ok());
        assert_eq!(
            PaymentRule::new(Cents::new(100).unwrap(), 8_000, 0, None, vec![]).unwrap_err(),
            PaymentError::Advances
        );
    }

    fn rule_strategy() -> impl Strategy<Value = (PaymentRule, Vec<i64>)> {
        (
            1i64..=9_999_999_999,
            0i64..=FULL_BP,
            1u32..=12,
            proptest::collection::vec(
                (1i64..100, -10_000i64..10_000, 1i64..10_000, any::<bool>()),
                1..4,
            ),
        )
            .prop_map(|(budget, fixed_bp, advances, raw)| {
                let total: i64 = raw.iter().map(|r| r.0).sum();
                let mut left = FULL_BP;
                let n = raw.len();
                let terms: Vec<ResultTerm> = raw
                    .iter()
                    .enumerate()
                    .map(|(i, (w, base, span, up))| {
                        let weight = if i == n - 1 {
                            left
                        } else {
                            (w * FULL_BP / total).max(1)
                        };
                        left -= weight;
                        let target = if *up { base + span } else { base - span };
                        ResultTerm {
                            indicator_id: i as i64,
                            name: format!("i{i}"),
                            weight_bp: weight,
                            baseline: Hundredths::new(*base),
                            target: Hundredths::new(target),
                        }
                    })
                    .collect();
                let terms = if fixed_bp == FULL_BP { vec![] } else { terms };
                let budget = Cents::new(budget).unwrap();
                let rule =
                    PaymentRule::new(budget, fixed_bp, advances, None, terms.clone()).unwrap();
                let ids = terms.iter().map(|t| t.indicator_id).collect();
                (rule, ids)
            })
            .prop_filter("weights positive", |(r, _)| {
                r.terms().iter().all(|t| t.weight_bp > 0)
            })
    }

    proptest! {
        #[test]
        fn a_payment_never_exceeds_the_budget_or_the_cap(
            (rule, _) in rule_strategy(),
            observed in proptest::collection::vec(proptest::option::of(-50_000i64..50_000), 4),
        ) {
            let p = rule.compute(&|id| observed[id as usize].map(Hundredths::new));
            prop_assert!(p.total <= rule.budget());
            prop_assert!(p.total <= rule.cap());
            prop_assert!(p.total >= rule.fixed());
            prop_assert_eq!(p.lines.last().unwrap().cents, p.total.value());
            prop_assert_eq!(rule.advance_schedule().iter().map(|c| c.value()).sum::<i64>(), rule.fixed().value());
        }

        #[test]
        fn a_payment_rises_with_attainment(
            (rule, _) in rule_strategy(),
            observed in proptest::collection::vec(-50_000i64..50_000, 4),
            which in 0usize..4,
            step in 0i64..20_000,
        ) {
            let before = rule.compute(&|id| Some(Hundredths::new(observed[id as usize])));
            // Move one indicator towards its target.
            let better = |id: i64| {
                let v = observed[id as usize];
                let toward = rule.terms().iter().find(|t| t.indicator_id == id)
                    .map_or(0, |t| (t.target.value() - t.baseline.value()).signum());
                Some(Hundredths::new(if id as usize == which { v + toward * step } else { v }))
            };
            let after = rule.compute(&better);
            prop_assert!(after.total >= before.total);
        }

        #[test]
        fn a_payment_is_reproducible_and_independent_of_term_order(
            (rule, _) in rule_strategy(),
            observed in proptest::collection::vec(-50_000i64..50_000, 4),
        ) {
            let seen = |id: i64| Some(Hundredths::new(observed[id as usize]));
            let once = rule.compute(&seen);
            prop_assert_eq!(&once, &rule.compute(&seen));
            let mut reversed = rule.terms().to_vec();
            reversed.reverse();
            let other = PaymentRule::new(rule.budget(), rule.fixed_bp(), rule.advance_count(), Some(rule.cap()), reversed).unwrap();
            prop_assert_eq!(other.compute(&seen).total, once.total);
        }
    }
}
