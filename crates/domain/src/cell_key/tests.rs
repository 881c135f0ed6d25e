use super::attacker::Range;
use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

fn secret() -> CellKeySecret {
    CellKeySecret::new(b"a test secret, not the installation's")
}

/// Every outcome a count can be published as.
fn outcomes(n: u64) -> Vec<u64> {
    match row(n) {
        None => vec![0],
        Some(r) => r.iter().map(|&(o, _)| apply(n, o)).collect(),
    }
}

#[test]
fn every_row_of_the_table_sums_to_one() {
    for r in PERTURBATION {
        assert_eq!(r.iter().map(|&(_, s)| s).sum::<u64>(), 1000);
    }
}

#[test]
fn no_count_is_published_from_one_to_four_and_noise_is_bounded() {
    for n in 0..500u64 {
        for p in outcomes(n) {
            assert!(!(1..=4).contains(&p), "{n} → {p}");
            if n >= 5 && p != 0 {
                assert!(p.abs_diff(n) <= MAX_NOISE, "{n} → {p}");
            }
        }
    }
    assert_eq!(outcomes(0), vec![0]);
}

#[test]
fn the_noise_of_larger_counts_has_no_bias() {
    let mean = |n: u64| {
        row(n)
            .unwrap()
            .iter()
            .map(|&(o, s)| apply(n, o) as f64 * s as f64 / 1000.0)
            .sum::<f64>()
    };
    assert!((mean(5) - 5.0).abs() <= 0.06 && (mean(6) - 6.0).abs() <= 0.06);
    for n in 7..200 {
        assert!((mean(n) - n as f64).abs() < 1e-9, "{n}");
    }
}

#[test]
fn a_published_count_names_at_least_three_consecutive_true_counts() {
    for p in 0..300u64 {
        let c = consistent_counts(p);
        if c.is_empty() {
            continue; // p cannot be published (1–4)
        }
        assert!(c.len() >= 3, "{p}: {c:?}");
        assert_eq!(
            c.last().unwrap() - c[0] + 1,
            c.len() as u64,
            "consecutive: {c:?}"
        );
    }
    assert_eq!(consistent_counts(0), vec![0, 1, 2, 3, 4, 5]);
    // And it is complete: every count is among the candidates of what it becomes.
    for n in 0..300u64 {
        for p in outcomes(n) {
            assert!(consistent_counts(p).contains(&n), "{n} → {p}");
        }
    }
}

#[test]
fn the_same_records_always_get_the_same_noise_in_any_order() {
    let keys: Vec<RecordKey> = (0..40)
        .map(|i| RecordKey::derive(&secret(), "t", i))
        .collect();
    let forward = protect(&CellKeys::of(keys.iter().copied()));
    let backward = protect(&CellKeys::of(keys.iter().rev().copied()));
    assert_eq!(forward, backward);
    let halves =
        CellKeys::of(keys[..17].iter().copied()).union(CellKeys::of(keys[17..].iter().copied()));
    assert_eq!(protect(&halves), forward);
}

#[test]
fn keys_depend_on_the_secret_the_kind_and_the_id() {
    let other = CellKeySecret::new(b"another secret");
    let k = RecordKey::derive(&secret(), "household", 7);
    assert_eq!(k, RecordKey::derive(&secret(), "household", 7));
    assert_ne!(k, RecordKey::derive(&other, "household", 7));
    assert_ne!(k, RecordKey::derive(&secret(), "agreement", 7));
    assert_ne!(k, RecordKey::derive(&secret(), "household", 8));
    assert_eq!(format!("{:?}", secret()), "CellKeySecret(…)");
}

#[test]
fn the_noise_is_spread_as_the_table_says() {
    // 20,000 cells of 50 records with derived keys: the share of each noise is
    // within two points of the table's.
    let mut seen: HashMap<i64, u32> = HashMap::new();
    for c in 0..20_000i64 {
        let cell =
            CellKeys::of((0..50).map(|i| RecordKey::derive(&secret(), "spread", c * 50 + i)));
        *seen.entry(protect(&cell).value() as i64 - 50).or_default() += 1;
    }
    for (offset, per_mille) in [(0, 500), (1, 200), (-1, 200), (2, 50), (-2, 50)] {
        let got = f64::from(seen[&offset]) / 20.0;
        assert!((got - per_mille as f64).abs() < 20.0, "{offset}: {got}‰");
    }
}

// ------------------------------------------------------------------ the attacker

/// One record: when it arrived (0..8: the quarters of two years), its team
/// (districts 0 and 1 have teams 0–1 and 2–3) and a category.
#[derive(Debug, Clone, Copy)]
struct Rec {
    quarter: u8,
    team: u8,
    category: u8,
    /// Recorded after the first publication (the data grows between two looks).
    late: bool,
}

fn records() -> impl Strategy<Value = Vec<Rec>> {
    proptest::collection::vec(
        (0u8..8, 0u8..4, 0u8..3, proptest::bool::weighted(0.1)).prop_map(
            |(quarter, team, category, late)| Rec {
                quarter,
                team,
                category,
                late,
            },
        ),
        0..128,
    )
}

/// The dimensions of a published cell: `None` is "all".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum When {
    All,
    Year(u8),
    Quarter(u8),
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Area {
    All,
    District(u8),
    Team(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Query {
    when: When,
    area: Area,
    category: Option<u8>,
    /// The second look, after the late records arrived.
    later: bool,
}

impl Query {
    fn holds(&self, r: &Rec) -> bool {
        let when = match self.when {
            When::All => true,
            When::Year(y) => r.quarter / 4 == y,
            When::Quarter(q) => r.quarter == q,
        };
        let area = match self.area {
            Area::All => true,
            Area::District(d) => r.team / 2 == d,
            Area::Team(t) => r.team == t,
        };
        when && area && self.category.is_none_or(|c| r.category == c) && (self.later || !r.late)
    }

    fn all() -> Vec<Query> {
        let whens = [When::All, When::Year(0), When::Year(1)]
            .into_iter()
            .chain((0..8).map(When::Quarter));
        let mut out = Vec::new();
        for when in whens {
            for area in [Area::All, Area::District(0), Area::District(1)]
                .into_iter()
                .chain((0..4).map(Area::Team))
            {
                for category in [None, Some(0), Some(1), Some(2)] {
                    for later in [false, true] {
                        out.push(Query {
                            when,
                            area,
                            category,
                            later,
                        });
                    }
                }
            }
        }
        out
    }

    /// The parts this cell's total splits into, along each dimension.
    fn partitions(&self) -> Vec<Vec<Query>> {
        let with_when = |when| Query { when, ..*self };
        let with_area = |area| Query { area, ..*self };
        let mut out = Vec::new();
        match self.when {
            When::All => out.push(vec![with_when(When::Year(0)), with_when(When::Year(1))]),
            When::Year(y) => out.push(
                (0..4)
                    .map(|q| with_when(When::Quarter(y * 4 + q)))
                    .collect(),
            ),
            When::Quarter(_) => {}
        }
        match self.area {
            Area::All => out.push(vec![
                with_area(Area::District(0)),
                with_area(Area::District(1)),
            ]),
            Area::District(d) => out.push(vec![
                with_area(Area::Team(d * 2)),
                with_area(Area::Team(d * 2 + 1)),
            ]),
            Area::Team(_) => {}
        }
        if self.category.is_none() {
            out.push(
                (0..3)
                    .map(|c| Query {
                        category: Some(c),
                        ..*self
                    })
                    .collect(),
            );
        }
        out
    }
}

/// What the attacker sees: every query's published count. Asking a query again
/// — with the records in another order — gives the same count.
struct Published {
    /// The records of each query, as a bit set.
    sets: HashMap<Query, u128>,
    counts: HashMap<Query, u64>,
    /// The published count of a set of records, when some query has exactly it.
    by_set: HashMap<u128, u64>,
}

fn publish_all(recs: &[Rec], secret: &CellKeySecret) -> Published {
    let keys: Vec<RecordKey> = (0..recs.len())
        .map(|i| RecordKey::derive(secret, "rec", i as i64))
        .collect();
    let mut sets = HashMap::new();
    let mut counts = HashMap::new();
    let mut by_set = HashMap::new();
    for q in Query::all() {
        let set = (0..recs.len())
            .filter(|&i| q.holds(&recs[i]))
            .fold(0u128, |s, i| s | 1 << i);
        let members = || (0..recs.len()).filter(move |&i| set & (1 << i) != 0);
        let p = protect(&CellKeys::of(members().map(|i| keys[i])));
        // A repeated query, its records read in reverse: the same answer.
        let again = protect(&CellKeys::of(
            members()
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .map(|i| keys[i]),
        ));
        assert_eq!(p, again, "a repeated query gets the same count");
        assert!(!(1..=4).contains(&p.value()), "published {p}");
        sets.insert(q, set);
        counts.insert(q, p.value());
        by_set.insert(set, p.value());
    }
    Published {
        sets,
        counts,
        by_set,
    }
}

/// One route to a set of records and what the attacker learns from it together
/// with the set's own published count (when some query publishes exactly it).
fn check_route(
    p: &Published,
    target: u128,
    route: Range,
    how: &dyn Fn() -> String,
) -> Result<(), TestCaseError> {
    let own = p.by_set.get(&target).copied();
    if let Err(e) = super::attacker::judge(i64::from(target.count_ones()), route, own) {
        prop_assert!(false, "{e}: {}", how());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// A differencing attacker who knows the table (not the secret) and how the
    /// queries nest, and tries every route: two looks at a period before and after
    /// new records arrived (the old "two periods one day apart"), a district against
    /// one of its teams, a year against its quarters, any cell against another inside
    /// it, a total against all its other parts, and every query asked twice.
    /// Whatever the data and the secret, no route pins a count from 1 to 4.
    #[test]
    fn differencing_attacker(recs in records(), secret in proptest::collection::vec(any::<u8>(), 1..40)) {
        let p = publish_all(&recs, &CellKeySecret::new(&secret));
        let queries: Vec<Query> = Query::all();
        let cells: Vec<(u128, Range)> = queries.iter().map(|q| (p.sets[q], Range::of(p.counts[q]))).collect();
        // Any cell against another inside it.
        for (i, &(sx, rx)) in cells.iter().enumerate() {
            for (j, &(sy, ry)) in cells.iter().enumerate() {
                if i == j || sy & !sx != 0 || !(1..=4).contains(&(sx & !sy).count_ones()) {
                    continue;
                }
                let (x, y) = (queries[i], queries[j]);
                check_route(&p, sx & !sy, rx.minus(ry), &|| format!("{x:?} minus {y:?}"))?;
            }
        }
        // A total against all its other parts.
        for x in &queries {
            for parts in x.partitions() {
                for (i, target) in parts.iter().enumerate() {
                    let set = p.sets[target];
                    if !(1..=4).contains(&set.count_ones()) {
                        continue;
                    }
                    let others = parts.iter().enumerate().filter(|(j, _)| *j != i)
                        .fold(Range(0, 0), |r, (_, q)| r.plus(Range::of(p.counts[q])));
                    let route = Range::of(p.counts[x]).minus(others);
                    check_route(&p, set, route, &|| format!("{x:?} minus the other parts of {target:?}"))?;
                }
            }
        }
    }
}
