use super::*;
use crate::cell_key::CellKeySecret;
use crate::ladder::LadderStep;
use crate::monitoring::{pyramid, Targets};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn span(hh: i64, from: NaiveDate, until: Option<NaiveDate>) -> SupportUse {
    SupportUse {
        household: RecordKey::default(),
        household_id: hh,
        district: "WK01".into(),
        step: LadderStep::new(5).unwrap(),
        from,
        until,
        yearly_cents: None,
        billed: true,
    }
}

#[test]
fn a_household_whose_support_ended_and_that_asks_again_within_a_year_is_back() {
    let uses = [
        span(1, d(2025, 1, 1), Some(d(2025, 3, 31))),
        // follows on the next day: the same spell, no return
        span(1, d(2025, 4, 1), Some(d(2025, 6, 30))),
        // 100 days later: back
        span(1, d(2025, 10, 8), Some(d(2025, 12, 31))),
        // household 2: back after more than a year, so a new start only
        span(2, d(2024, 1, 1), Some(d(2024, 1, 31))),
        span(2, d(2025, 2, 1), None),
    ];
    let (starts, returns) = starts_and_returns(&uses);
    assert_eq!(
        starts
            .iter()
            .map(|s| (s.household_id, s.on))
            .collect::<Vec<_>>(),
        [
            (1, d(2025, 1, 1)),
            (1, d(2025, 10, 8)),
            (2, d(2024, 1, 1)),
            (2, d(2025, 2, 1))
        ]
    );
    assert_eq!(returns.len(), 1);
    assert_eq!((returns[0].household_id, returns[0].gap_days), (1, 100));
}

#[test]
fn maatwerk_per_thousand_counts_households_with_maatwerk_over_residents() {
    let uses: Vec<SupportUse> = (0..10).map(|h| span(h, d(2026, 1, 1), None)).collect();
    let residents = CellKeys::of((0..2000).map(|_| RecordKey::default()));
    let t = maatwerk_per_thousand_trend(&uses, &[Period::Quarter(2026, 1)], None, &residents);
    // Keys of zero take the table's first column: exact counts.
    assert_eq!(t[0].value, Some(5.0));
    assert!(t[0].low.unwrap() <= 5.0 && t[0].high.unwrap() >= 5.0);
    let none =
        maatwerk_per_thousand_trend(&uses, &[Period::Quarter(2026, 1)], None, &CellKeys::new());
    assert_eq!(none[0].value, None, "no residents known: no rate");
}

#[test]
fn purchases_sum_per_product_and_provider_and_hide_small_rows() {
    let bought: Vec<Purchase> = (0..12)
        .map(|h| Purchase {
            support: SupportUse {
                yearly_cents: Some(36_500_000),
                ..span(h, d(2026, 1, 1), None)
            },
            product: "Begeleiding".into(),
            provider: if h < 10 { "Zorg A" } else { "Zorg B" }.into(),
        })
        .collect();
    let q = Period::Quarter(2026, 1);
    let products = purchases(&bought, q, None, false);
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].households.value(), 12);
    // 12 × € 365,000 a year over 90 days: € 1,080,000.
    assert_eq!(products[0].cost_euros, Some(1_080_000));
    let providers = purchases(&bought, q, None, true);
    // Zorg B's 2 households publish as 0, so it is not named.
    assert_eq!(
        providers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Zorg A"]
    );
    assert_eq!(providers[0].cost_euros, Some(900_000));
    assert!(purchases(&bought, q, Some("WK02"), false).is_empty());
}

/// Brute force over days: support started again on `s` when `s` is covered,
/// the day before is not, and some covered day lies within 365 days before.
fn brute_returns(spans: &[(i64, Option<i64>)]) -> Vec<i64> {
    let covered = |day: i64| {
        spans
            .iter()
            .any(|(f, u)| *f <= day && u.is_none_or(|u| day <= u))
    };
    (0..400)
        .filter(|&s| {
            covered(s)
                && !covered(s - 1)
                && (s - RETURN_WINDOW_DAYS..=s - 2).any(|e| e >= 0 && covered(e))
        })
        .collect()
}

proptest! {
    /// The one-pass layer cells give, per quarter and district, exactly the
    /// shares and maatwerk rate the pyramid of that quarter and district
    /// gives (the definition: each household once, in its heaviest layer).
    #[test]
    fn layer_cells_agree_with_the_pyramid_of_each_quarter(
        uses in proptest::collection::vec(
            (0i64..40, 1u8..=5, 0i64..800, proptest::option::of(0i64..300)), 0..120),
        secret in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let secret = CellKeySecret::new(&secret);
        let districts = ["WK01", "WK02", "WK03"];
        let base = d(2024, 1, 1);
        let uses: Vec<SupportUse> = uses
            .into_iter()
            .map(|(hh, step, from, len)| SupportUse {
                household: RecordKey::derive(&secret, "household", hh),
                household_id: hh,
                // A household lives in one district.
                district: districts[hh as usize % 3].into(),
                step: LadderStep::new(step).unwrap(),
                from: base + chrono::Days::new(from as u64),
                until: len.map(|l| base + chrono::Days::new((from + l) as u64)),
                yearly_cents: None,
                billed: step >= 4,
            })
            .collect();
        let quarters = Period::last_quarters(d(2025, 12, 31), 8);
        let residents = CellKeys::of((0..3000).map(|r| RecordKey::derive(&secret, "resident", r)));
        for district in [None, Some("WK01"), Some("WK02"), Some("WK03")] {
            let cells = LayerCells::of(&uses, &quarters, district);
            for layer in Layer::ALL {
                let want: Vec<TrendPoint> = quarters
                    .iter()
                    .map(|&q| {
                        let p = pyramid(&uses, q, district, Targets::default());
                        TrendPoint::share(q, p.layers[layer.index()].households, p.households)
                    })
                    .collect();
                prop_assert_eq!(cells.share_trend(layer), want);
            }
            let heavy: Vec<Option<u64>> = quarters
                .iter()
                .map(|&q| Some(pyramid(&uses, q, district, Targets::default()).layers[2].households.value()))
                .collect();
            let rates: Vec<Option<u64>> = cells
                .maatwerk_per_thousand(&residents)
                .iter()
                .map(|t| t.value.map(|v| (v * crate::cell_key::protect(&residents).value() as f64 / 1000.0).round() as u64))
                .collect();
            prop_assert_eq!(rates, heavy);
        }
    }

    /// The spell definition agrees with the day-by-day definition of a return,
    /// whatever the order, overlap and gaps of a household's uses.
    #[test]
    fn returns_match_the_day_by_day_definition(
        spans in proptest::collection::vec((0i64..380, proptest::option::of(0i64..60)), 1..8),
    ) {
        let base = d(2025, 1, 1);
        let spans: Vec<(i64, Option<i64>)> = spans.into_iter().map(|(f, len)| (f, len.map(|l| f + l))).collect();
        let uses: Vec<SupportUse> = spans
            .iter()
            .map(|(f, u)| span(7, base + chrono::Days::new(*f as u64), u.map(|u| base + chrono::Days::new(u as u64))))
            .collect();
        let (starts, returns) = starts_and_returns(&uses);
        let got: Vec<i64> = returns.iter().map(|r| (r.on - base).num_days()).collect();
        prop_assert_eq!(got, brute_returns(&spans));
        for r in &returns {
            let start = Return { gap_days: 0, ..*r };
            prop_assert!(starts.contains(&start));
            prop_assert!(r.gap_days >= 2 && r.gap_days <= RETURN_WINDOW_DAYS);
        }
    }

    /// Whatever the uses, the returns trend publishes no count from 1 to 4 and
    /// its share lies in its band.
    #[test]
    fn the_returns_trend_publishes_no_small_count(
        spans in proptest::collection::vec((0i64..30, 0i64..700, proptest::option::of(0i64..200)), 0..60),
        secret in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let secret = CellKeySecret::new(&secret);
        let base = d(2025, 1, 1);
        let uses: Vec<SupportUse> = spans.iter().map(|(hh, f, len)| SupportUse {
            household: RecordKey::derive(&secret, "household", *hh),
            ..span(*hh, base + chrono::Days::new(*f as u64), len.map(|l| base + chrono::Days::new((f + l) as u64)))
        }).collect();
        let quarters = Period::last_quarters(d(2027, 1, 1), 8);
        for (p, n) in returns_trend(&uses, &quarters, None) {
            prop_assert!(!(1..=4).contains(&n.value()));
            if let (Some(v), Some(lo), Some(hi)) = (p.value, p.low, p.high) {
                prop_assert!(lo <= v && v <= hi && hi <= 100.0);
            }
        }
    }
}
