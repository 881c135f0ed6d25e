//! The bakens' protection, tested two ways: a recomputing reader on random
//! inputs (what can be added, subtracted and multiplied back from the shown
//! numbers), and — for small inputs — every input that gives the same page, so
//! that *any* inference from what is shown is covered.

use super::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

fn step(n: u8) -> LadderStep {
    LadderStep::new(n).unwrap()
}

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
}

/// Conversations with keys of zero: a cell key of 0 takes the table's first
/// column, which adds no noise to counts of 5 and more, so these tests read the
/// disclosure rules exactly.
fn conv(bits: &[bool]) -> Vec<ConversationFact> {
    bits.iter()
        .map(|&need_differs| ConversationFact {
            need_differs,
            key: RecordKey::default(),
        })
        .collect()
}

fn facts(steps: &[u8]) -> Vec<AgreementFact> {
    steps
        .iter()
        .map(|s| AgreementFact {
            step: step(*s),
            by_volunteer: false,
            by_professional: *s >= 4,
            key: RecordKey::default(),
        })
        .collect()
}

#[test]
fn a_share_of_a_small_whole_is_not_shown() {
    let f = baken1(&conv(&[true, false, true]));
    assert_eq!(f.value, TOO_FEW);
    // The total of 3 is published as the cell-key table publishes 1–4: 0.
    assert_eq!(f.basis, "x van 0 gesprekken");
}

#[test]
fn a_share_whose_part_is_small_is_not_shown() {
    // 2 of 10: a percentage would say "2".
    let mut bits = vec![false; 10];
    bits[0] = true;
    bits[1] = true;
    let f = baken1(&conv(&bits));
    assert_eq!(f.value, TOO_FEW);
    assert_eq!(f.basis, "x van 10 gesprekken");
}

#[test]
fn a_share_whose_complement_is_small_is_not_shown() {
    // 8 of 10 would say that 2 conversations did not find another need.
    let mut bits = vec![true; 10];
    bits[0] = false;
    bits[1] = false;
    let f = baken1(&conv(&bits));
    assert_eq!(f.value, TOO_FEW);
    assert_eq!(f.basis, "x van 10 gesprekken");
    // 5 of 10 is fine.
    let f = baken1(&conv(&[
        true, true, true, true, true, false, false, false, false, false,
    ]));
    assert_eq!(
        (f.value.as_str(), f.basis.as_str()),
        ("50%", "5 van 10 gesprekken")
    );
}

#[test]
fn baken_two_and_eight_count_steps_of_the_same_agreements() {
    let mut steps = vec![1u8; 10];
    steps.extend([2; 10]);
    steps.extend([3; 10]);
    steps.extend([4; 5]);
    steps.extend([5; 5]);
    let a = facts(&steps);
    assert_eq!(baken2(&a).value, "50%");
    assert_eq!(baken2(&a).basis, "20 van 40 afspraken");
    assert_eq!(baken8(&a).value, "88%");
    assert_eq!(baken5(&a).value, "50% collectief, 50% individueel");
    assert_eq!(baken4(&a).value, "75% informeel, 25% professioneel");
}

#[test]
fn two_agreement_figures_cannot_be_subtracted_to_find_a_small_count() {
    // 10 on steps 1–2, 10 on step 3, 3 on step 4, 7 on step 5. Baken 5's
    // "10 individueel" and baken 8's "steps 1–4" would give 3 on step 4.
    let mut steps = vec![1u8; 10];
    steps.extend([3; 10]);
    steps.extend([4; 3]);
    steps.extend([5; 7]);
    let a = facts(&steps);
    let b5 = baken5(&a);
    let b8 = baken8(&a);
    let step5_known = b8.basis.starts_with("23 van 30");
    let steps45_known = b5.basis.contains("10 individueel");
    assert!(
        !(step5_known && steps45_known),
        "{b5:?} {b8:?} reveal 3 agreements on step 4"
    );
}

#[test]
fn a_median_needs_five_signals() {
    let f = |n: i64| ContactFact {
        reported: day(0),
        first_contact: day(n),
        within_norm: n <= 5,
        key: RecordKey::default(),
    };
    let four: Vec<_> = (1..=4).map(f).collect();
    assert_eq!(baken3(&four).value, TOO_FEW);
    let ten: Vec<_> = (1..=10).map(f).collect();
    assert_eq!(
        baken3(&ten).value,
        "mediaan 5 dagen, 90% binnen 9 dagen; 50% binnen de norm"
    );
    assert_eq!(
        baken3(&ten).basis,
        "10 signalen met eerste contact, waarvan 5 binnen de norm"
    );
    // 7 of 10 within the norm: the 3 late ones would follow.
    let seven: Vec<_> = (1..=10)
        .map(|n| ContactFact {
            within_norm: n <= 7,
            ..f(n)
        })
        .collect();
    assert_eq!(
        baken3(&seven).value,
        "mediaan 5 dagen, 90% binnen 9 dagen",
        "no share beside a small complement"
    );
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

// ------------------------------------------------------------ the recomputing reader

/// A token of a shown figure: a count, "<5", "x", or a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    N(i64),
    Small,
    X,
    Pct(i64),
}

fn tokens(s: &str) -> Vec<Tok> {
    s.split_whitespace()
        .filter_map(|w| {
            let w = w.trim_end_matches([',', ';']);
            if w == "<5" {
                Some(Tok::Small)
            } else if w == "x" {
                Some(Tok::X)
            } else if let Some(p) = w.strip_suffix('%') {
                p.parse().ok().map(Tok::Pct)
            } else {
                w.parse().ok().map(Tok::N)
            }
        })
        .collect()
}

/// What a reader knows about the unions of a family's cells.
#[derive(Default, Debug)]
struct Reader {
    exact: BTreeMap<u32, i64>,
    small: Vec<u32>,
}

impl Reader {
    fn count(&mut self, mask: u32, t: Tok) {
        match t {
            // A published 0 reads "0 to 5" (the cell-key table publishes 1–4,
            // and sometimes 5, as 0).
            Tok::N(0) => {}
            Tok::N(n) => {
                self.exact.insert(mask, n);
            }
            Tok::Small => self.small.push(mask),
            Tok::X => {}
            Tok::Pct(_) => panic!("a percentage where a count belongs"),
        }
    }

    /// A percentage of a known whole can give the part back.
    fn share(&mut self, part: u32, whole: u32, pct: i64) {
        self.close();
        if let Some(&w) = self.exact.get(&whole) {
            let fits: Vec<i64> = (0..=w)
                .filter(|p| ((*p as f64) * 100.0 / w as f64).round() as i64 == pct)
                .collect();
            if let [p] = fits[..] {
                self.exact.insert(part, p);
            }
        }
    }

    /// Adds and subtracts what is known until nothing new follows.
    fn close(&mut self) {
        loop {
            let known: Vec<(u32, i64)> = self.exact.iter().map(|(m, v)| (*m, *v)).collect();
            let mut new = Vec::new();
            for &(a, va) in &known {
                for &(b, vb) in &known {
                    if a != b && b & !a == 0 && !self.exact.contains_key(&(a & !b)) {
                        new.push((a & !b, va - vb));
                    }
                    if a & b == 0 && !self.exact.contains_key(&(a | b)) {
                        new.push((a | b, va + vb));
                    }
                }
            }
            new.retain(|(m, _)| *m != 0);
            if new.is_empty() {
                return;
            }
            for (m, v) in new {
                self.exact.insert(m, v);
            }
        }
    }

    /// Nothing known, or pinned down by "<5"s adding up to a known total, is 1–4.
    fn assert_nothing_small(&mut self, cells: &[i64], what: &str) -> Result<(), TestCaseError> {
        self.close();
        for (m, v) in &self.exact {
            prop_assert_eq!(
                *v,
                super::super::disclosure::value(cells, *m),
                "{}: shown numbers are true",
                what
            );
            prop_assert!(
                !(1..=4).contains(v),
                "{}: cells {:?} mask {:b} recomputable as {}",
                what,
                cells,
                m,
                v
            );
        }
        let s = &self.small;
        for pick in 1u32..(1 << s.len()) {
            let chosen: Vec<u32> = (0..s.len())
                .filter(|i| pick & (1 << i) != 0)
                .map(|i| s[i])
                .collect();
            let disjoint = chosen
                .iter()
                .enumerate()
                .all(|(i, a)| chosen[i + 1..].iter().all(|b| a & b == 0));
            let union = chosen.iter().fold(0, |u, m| u | m);
            if chosen.len() >= 2 && disjoint {
                if let Some(&e) = self.exact.get(&union) {
                    let k = chosen.len() as i64;
                    prop_assert!(
                        e != 4 * k && e != k,
                        "{}: {} times \"<5\" adding up to {} pins each down",
                        what,
                        k,
                        e
                    );
                }
            }
        }
        Ok(())
    }
}

fn agreement_cells(a: &[AgreementFact]) -> [i64; 8] {
    let mut cells = [0i64; 8];
    for f in a {
        cells[agreement_cell(f)] += 1;
    }
    cells
}

/// Reads bakens 2, 4, 5 and 8 as a reader would, into one family's knowledge.
fn read_agreement_family(a: &[AgreementFact]) -> Reader {
    let all = group_mask(&[0, 1, 2, 3]);
    let inf = mask_of(8, |i| i % 2 == 1);
    let (m12, m3, m45, m1to4) = (
        group_mask(&[0]),
        group_mask(&[1]),
        group_mask(&[2, 3]),
        group_mask(&[0, 1, 2]),
    );
    let mut r = Reader::default();
    let b2 = baken2(a);
    let t = tokens(&b2.basis);
    r.count(m12, t[0]);
    r.count(all, t[1]);
    let b8 = baken8(a);
    let t = tokens(&b8.basis);
    r.count(m1to4, t[0]);
    r.count(all, t[1]);
    let b4 = baken4(a);
    let t = tokens(&b4.basis);
    r.count(inf, t[0]);
    r.count(all & !inf, t[1]);
    let b5 = baken5(a);
    let t = tokens(&b5.basis);
    r.count(m3, t[0]);
    r.count(m45, t[1]);
    for (f, part, whole) in [(&b2, m12, all), (&b8, m1to4, all)] {
        if let [Tok::Pct(p)] = tokens(&f.value)[..] {
            r.share(part, whole, p);
        }
    }
    if let [Tok::Pct(p), Tok::Pct(_)] = tokens(&b4.value)[..] {
        r.share(inf, all, p);
    }
    if let [Tok::Pct(p), Tok::Pct(_)] = tokens(&b5.value)[..] {
        r.share(m3, m3 | m45, p);
    }
    r
}

fn read_split(f: &Figure) -> Reader {
    // "P van N …" or "N …, waarvan P …": the first count of baken 1's basis is
    // the part; baken 3's basis starts with the whole.
    let t = tokens(&f.basis);
    let mut r = Reader::default();
    if f.baken == 1 {
        r.count(0b01, t[0]);
        r.count(0b11, t[1]);
        if let [Tok::Pct(p)] = tokens(&f.value)[..] {
            r.share(0b01, 0b11, p);
        }
    } else {
        r.count(0b11, t[0]);
        r.count(0b01, t[1]);
        if let Some(rest) = f.value.split("; ").nth(1) {
            if let [Tok::Pct(p)] = tokens(rest)[..] {
                r.share(0b01, 0b11, p);
            }
        }
    }
    r
}

/// Bakens 6 and 7: a whole and two overlapping parts (cells 0b11xx and 0bx1x1… as
/// built by the figures), the value listing the two shares in order.
fn read_two_parts(f: &Figure) -> Reader {
    let t = tokens(&f.basis);
    let mut r = Reader::default();
    r.count(0b1111, t[0]);
    r.count(0b1100, t[1]);
    r.count(0b1010, t[2]);
    let parts: Vec<&str> = f.value.split("; ").collect();
    for (i, mask) in [(0, 0b1100), (1, 0b1010)] {
        if let Some(Tok::Pct(p)) = parts.get(i).and_then(|s| tokens(s).first().copied()) {
            r.share(mask, 0b1111, p);
        }
    }
    r
}

fn plan_cells(plans: &[PlanFact]) -> [i64; 4] {
    let mut cells = [0i64; 4];
    for p in plans {
        cells[usize::from(p.professionals <= 1) * 2 + usize::from(p.domains >= 2)] += 1;
    }
    cells
}

fn goal_cells(goals: &[GoalFact]) -> [i64; 4] {
    let mut cells = [0i64; 4];
    for g in goals.iter().filter(|g| g.evaluated_on.is_some()) {
        let on_time = g.evaluated_on.is_some_and(|e| e <= g.target_date);
        cells[usize::from(on_time) * 2 + usize::from(g.achieved)] += 1;
    }
    cells
}

fn agreement_fact() -> impl Strategy<Value = AgreementFact> {
    (1u8..=5, any::<bool>(), any::<bool>()).prop_map(|(s, v, p)| AgreementFact {
        step: step(s),
        by_volunteer: v,
        by_professional: p,
        key: RecordKey::default(),
    })
}

proptest! {
    /// Whatever the casework, no count from 1 to 4 can be read or recomputed
    /// from the published figures: not from a share and its total, not from a
    /// difference of two counts, within one figure or across the agreement
    /// figures, and not from "<5"s that add up to a known total.
    #[test]
    fn no_published_figure_reveals_a_count_from_one_to_four(
        bits in proptest::collection::vec(any::<bool>(), 0..40),
        agreements in proptest::collection::vec(agreement_fact(), 0..90),
        plans in proptest::collection::vec((0i64..4, 0i64..4), 0..40),
        goals in proptest::collection::vec((0i64..60, proptest::option::of(0i64..80), any::<bool>()), 0..40),
        contacts in proptest::collection::vec((0i64..20, any::<bool>()), 0..40),
    ) {
        let cells = [bits.iter().filter(|b| **b).count() as i64, bits.iter().filter(|b| !**b).count() as i64];
        read_split(&baken1(&conv(&bits))).assert_nothing_small(&cells, "baken 1")?;

        read_agreement_family(&agreements).assert_nothing_small(&agreement_cells(&agreements), "bakens 2, 4, 5, 8")?;

        let contacts: Vec<ContactFact> = contacts.iter().map(|(d, ok)| ContactFact { reported: day(0), first_contact: day(*d), within_norm: *ok , key: RecordKey::default()}).collect();
        let on_time = contacts.iter().filter(|c| c.within_norm).count() as i64;
        read_split(&baken3(&contacts)).assert_nothing_small(&[on_time, contacts.len() as i64 - on_time], "baken 3")?;

        let plans: Vec<PlanFact> = plans.iter().map(|(p, d)| PlanFact { professionals: *p, domains: *d , key: RecordKey::default()}).collect();
        read_two_parts(&baken6(&plans)).assert_nothing_small(&plan_cells(&plans), "baken 6")?;

        let goals: Vec<GoalFact> = goals.iter().map(|(t, e, a)| GoalFact { target_date: day(*t), evaluated_on: e.map(day), achieved: *a , key: RecordKey::default()}).collect();
        let f7 = baken7(&goals, &[]);
        let basis: String = f7.basis.split("; ").next().unwrap_or("").to_owned();
        let value: String = f7.value.split("; ").take(2).collect::<Vec<_>>().join("; ");
        read_two_parts(&Figure { basis, value, ..f7 }).assert_nothing_small(&goal_cells(&goals), "baken 7")?;
    }
}

// ------------------------------------------------------------ every input at once

/// Every vector of `n` counts adding up to at most `max`.
fn all_cells(n: usize, max: i64) -> Vec<Vec<i64>> {
    let mut out = vec![Vec::new()];
    for _ in 0..n {
        out = out
            .into_iter()
            .flat_map(|v: Vec<i64>| {
                let used: i64 = v.iter().sum();
                (0..=max - used).map(move |k| {
                    let mut w = v.clone();
                    w.push(k);
                    w
                })
            })
            .collect();
    }
    out
}

/// For every page that some inputs produce: no union of cells is 1–4 for all
/// inputs that produce it (then the page would give it away).
fn assert_no_page_pins_a_small_count(
    n: usize,
    max: i64,
    page: impl Fn(&[i64]) -> Vec<String>,
    what: &str,
) {
    let mut pages: HashMap<Vec<String>, Vec<Vec<i64>>> = HashMap::new();
    for cells in all_cells(n, max) {
        pages.entry(page(&cells)).or_default().push(cells);
    }
    for (shown, inputs) in &pages {
        for mask in 1u32..(1 << n) {
            let v = super::super::disclosure::value(&inputs[0], mask);
            if (1..=4).contains(&v)
                && inputs
                    .iter()
                    .all(|c| super::super::disclosure::value(c, mask) == v)
            {
                panic!("{what}: the page {shown:?} gives away {v} (cells {mask:b}) for {inputs:?}");
            }
        }
    }
}

#[test]
fn no_page_of_agreement_figures_pins_a_small_count_whatever_the_agreements() {
    // One agreement per cell kind: steps (1, 3, 4, 5) × (formal, informal).
    let kinds = [
        (1, false, true),
        (1, false, false),
        (3, false, true),
        (3, false, false),
        (4, false, false),
        (4, true, false),
        (5, false, false),
        (5, true, false),
    ];
    // Up to 7 agreements in 8 kinds: 6,435 inputs (8 also passes, but takes
    // twice as long).
    assert_no_page_pins_a_small_count(
        8,
        7,
        |cells| {
            let a: Vec<AgreementFact> = cells
                .iter()
                .zip(kinds)
                .flat_map(|(k, (s, v, p))| {
                    (0..*k).map(move |_| AgreementFact {
                        step: step(s),
                        by_volunteer: v,
                        by_professional: p,
                        key: RecordKey::default(),
                    })
                })
                .collect();
            debug_assert_eq!(agreement_cells(&a).to_vec(), cells.to_vec());
            [baken2(&a), baken4(&a), baken5(&a), baken8(&a)]
                .into_iter()
                .flat_map(|f| [f.value, f.basis])
                .collect()
        },
        "bakens 2, 4, 5, 8",
    );
}

#[test]
fn no_page_of_the_other_figures_pins_a_small_count() {
    assert_no_page_pins_a_small_count(
        2,
        16,
        |c| {
            let mut bits = vec![true; c[0] as usize];
            bits.extend(vec![false; c[1] as usize]);
            let f = baken1(&conv(&bits));
            vec![f.value, f.basis]
        },
        "baken 1",
    );
    assert_no_page_pins_a_small_count(
        2,
        16,
        |c| {
            let f = |ok| ContactFact {
                reported: day(0),
                first_contact: day(2),
                within_norm: ok,
                key: RecordKey::default(),
            };
            let mut s = vec![f(true); c[0] as usize];
            s.extend(vec![f(false); c[1] as usize]);
            let f = baken3(&s);
            vec![f.value, f.basis]
        },
        "baken 3",
    );
    assert_no_page_pins_a_small_count(
        4,
        12,
        |c| {
            let kinds = [(2, 1), (2, 2), (1, 1), (1, 2)];
            let plans: Vec<PlanFact> = c
                .iter()
                .zip(kinds)
                .flat_map(|(k, (p, d))| {
                    (0..*k).map(move |_| PlanFact {
                        professionals: p,
                        domains: d,
                        key: RecordKey::default(),
                    })
                })
                .collect();
            let f = baken6(&plans);
            vec![f.value, f.basis]
        },
        "baken 6",
    );
    assert_no_page_pins_a_small_count(
        4,
        12,
        |c| {
            // (late, not achieved), (late, achieved), (on time, not), (on time, achieved)
            let kinds = [(5, false), (5, true), (0, false), (0, true)];
            let goals: Vec<GoalFact> = c
                .iter()
                .zip(kinds)
                .flat_map(|(k, (late, a))| {
                    (0..*k).map(move |_| GoalFact {
                        target_date: day(0),
                        evaluated_on: Some(day(late)),
                        achieved: a,
                        key: RecordKey::default(),
                    })
                })
                .collect();
            let f = baken7(&goals, &[]);
            vec![f.value, f.basis]
        },
        "baken 7",
    );
}
