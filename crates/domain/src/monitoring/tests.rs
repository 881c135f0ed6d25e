use super::*;
use crate::cell_key::CellKeySecret;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn use_of(hh: i64, district: &str, step: u8, yearly: Option<i64>, billed: bool) -> SupportUse {
    SupportUse {
        household: RecordKey::default(),
        household_id: hh,
        district: district.to_owned(),
        step: LadderStep::new(step).unwrap(),
        from: d(2026, 1, 1),
        until: None,
        yearly_cents: yearly,
        billed,
    }
}

#[test]
fn targets_are_three_percentages_that_add_up_to_one_hundred() {
    assert_eq!(Targets::default().code(), "85/10/5");
    assert_eq!(Targets::parse("80/15/5"), Targets::new(80, 15, 5));
    assert_eq!(Targets::parse("80/15/4"), Err(TargetsError::Sum(99)));
    assert_eq!(Targets::parse("80/15"), Err(TargetsError::NotAPercentage));
    assert_eq!(Targets::parse("a/b/c"), Err(TargetsError::NotAPercentage));
}

#[test]
fn typed_targets_name_every_wrong_layer_and_check_the_sum_last() {
    assert_eq!(
        Targets::from_typed(["80", " 15 ", "5%"]),
        Ok(Targets::new(80, 15, 5).unwrap())
    );
    assert_eq!(
        Targets::from_typed(["tachtig", "15", "101"]),
        Err(vec![
            TargetsError::Typed(Layer::Light),
            TargetsError::Typed(Layer::Heavy)
        ])
    );
    assert_eq!(Targets::from_typed(["", "-1", "5"]).unwrap_err().len(), 2);
    assert_eq!(
        Targets::from_typed(["80", "15", "4"]),
        Err(vec![TargetsError::Sum(99)])
    );
    assert_eq!(
        TargetsError::Typed(Layer::Middle).layer(),
        Some(Layer::Middle)
    );
    assert_eq!(TargetsError::Sum(99).layer(), None);
}

proptest! {
    /// Three typed numbers are targets exactly when each is 0–100 and they
    /// add up to 100; what is accepted is stored and read back unchanged.
    #[test]
    fn typed_targets_are_accepted_exactly_when_they_are_a_split_of_one_hundred(
        l in 0u16..130, m in 0u16..130, h in 0u16..130,
    ) {
        let typed = Targets::from_typed([&l.to_string(), &m.to_string(), &h.to_string()]);
        let fits = l <= 100 && m <= 100 && h <= 100 && l + m + h == 100;
        prop_assert_eq!(typed.is_ok(), fits);
        if let Ok(t) = typed {
            prop_assert_eq!(Targets::parse(&t.code()), Ok(t));
            prop_assert_eq!(
                [t.of(Layer::Light), t.of(Layer::Middle), t.of(Layer::Heavy)].map(u16::from),
                [l, m, h]
            );
        }
    }
}

#[test]
fn a_household_counts_once_in_its_heaviest_layer() {
    // 20 households on step 2, of which 10 also have maatwerk.
    let mut uses: Vec<SupportUse> = (0..20).map(|h| use_of(h, "WK01", 2, None, false)).collect();
    uses.extend((0..10).map(|h| use_of(h, "WK01", 5, Some(36_500_000), true)));
    let p = pyramid(&uses, Period::Quarter(2026, 1), None, Targets::default());
    // Keys of zero take the table's first column: counts of 7 and more are exact.
    assert_eq!(p.households.value(), 20);
    let counts: Vec<u64> = p.layers.iter().map(|l| l.households.value()).collect();
    assert_eq!(counts, [10, 0, 10]);
    assert_eq!(p.layers[0].share, Some(50));
    assert_eq!(p.layers[0].target, 85);
    // 10 × € 365,000 a year over the 90 days of the quarter: € 900,000.
    assert_eq!(p.layers[2].cost_euros, Some(900_000));
    assert_eq!(p.layers[2].cost_share, Some(100));
    // Informal help is not billed, so nothing in the light layer is unpriced.
    assert_eq!(p.layers[0].cost_euros, None);
}

#[test]
fn a_cost_of_few_households_is_not_shown_and_what_has_no_price_is_counted() {
    let mut uses: Vec<SupportUse> = (0..9)
        .map(|h| use_of(h, "WK01", 5, Some(100_000), true))
        .collect();
    uses.extend((9..17).map(|h| use_of(h, "WK01", 5, None, true)));
    let p = pyramid(&uses, Period::Year(2026), None, Targets::default());
    assert_eq!(
        p.layers[2].cost_euros, None,
        "9 households is too few for a sum"
    );
    assert_eq!(p.layers[2].cost_share, None);
    assert_eq!(p.layers[2].unpriced.value(), 8);
}

#[test]
fn uses_outside_the_period_or_district_do_not_count() {
    let mut u = use_of(1, "WK01", 5, None, true);
    u.from = d(2026, 4, 1);
    let p = pyramid(
        &[u.clone()],
        Period::Quarter(2026, 1),
        None,
        Targets::default(),
    );
    assert_eq!(p.households.value(), 0);
    let many: Vec<SupportUse> = (0..30).map(|h| use_of(h, "WK02", 3, None, false)).collect();
    let p = pyramid(
        &many,
        Period::Quarter(2026, 1),
        Some("WK01"),
        Targets::default(),
    );
    assert_eq!(p.households.value(), 0);
}

#[test]
fn a_share_band_holds_the_share_and_widens_for_small_wholes() {
    let (v, lo, hi) = share_with_band(
        protect(&CellKeys::of((0..8).map(|_| RecordKey::default()))),
        protect(&CellKeys::of((0..10).map(|_| RecordKey::default()))),
    );
    let (v, lo, hi) = (v.unwrap(), lo.unwrap(), hi.unwrap());
    assert!(lo <= v && v <= hi, "{lo} {v} {hi}");
    assert!(hi - lo > 20.0, "a whole of 10 is uncertain: {lo}–{hi}");
    assert_eq!(
        share_with_band(protect(&CellKeys::new()), protect(&CellKeys::new())),
        (None, None, None)
    );
}

proptest! {
    /// Whatever the uses, no published count of the pyramid is 1–4, the true
    /// layers add up to the households, and a share is within 0–100.
    #[test]
    fn the_pyramid_publishes_no_small_count(
        uses in proptest::collection::vec((0i64..40, 1u8..=5, 0u8..2, any::<bool>(), proptest::option::of(0i64..1_000_000)), 0..80),
        secret in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let secret = CellKeySecret::new(&secret);
        let uses: Vec<SupportUse> = uses.into_iter().map(|(hh, step, district, billed, yearly)| SupportUse {
            household: RecordKey::derive(&secret, "household", hh),
            household_id: hh,
            district: format!("WK0{district}"),
            step: LadderStep::new(step).unwrap(),
            from: d(2026, 1, 1),
            until: None,
            yearly_cents: yearly,
            billed,
        }).collect();
        for district in [None, Some("WK00"), Some("WK01")] {
            let p = pyramid(&uses, Period::Year(2026), district, Targets::default());
            prop_assert!(!(1..=4).contains(&p.households.value()));
            for l in &p.layers {
                prop_assert!(!(1..=4).contains(&l.households.value()));
                prop_assert!(!(1..=4).contains(&l.unpriced.value()));
                prop_assert!(l.share.is_none_or(|s| s <= 100));
                prop_assert!(l.cost_euros.is_none_or(|c| c % 1000 == 0));
            }
        }
    }
}
