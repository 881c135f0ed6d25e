//! Gaps in the offer ("tekorten in het voorzieningenaanbod", seed 001): where
//! residents look for help and find none — the wijzer without a fitting
//! suggestion, marketplace asks nobody answered, referrals no provider has
//! taken on yet — tallied by life domain (or category) and district for the
//! policy officer who commissions next year.
//!
//! Everything here is aggregates: a [`Tally`] takes records as cell keys
//! ([`crate::cell_key`]) and publishes every cell, every row and column total
//! and the grand total as a protected count of its own, so no cell from 1 to 4
//! is ever shown and a total minus its other parts gives no small count.

use crate::cell_key::{protect, CellKeys, Protected, RecordKey};
use crate::kaart::wijzer::{Advice, SuggestionKind};
use std::collections::BTreeMap;

/// Whether the wijzer found an offer on the social map for these answers: a
/// service the resident can go to, or an individual provision through the
/// wijkteam. Tips, stories and "ask someone around you" are general advice the
/// wijzer gives to everyone, so answers that get only those are a gap.
pub fn found_offer(advice: &Advice) -> bool {
    advice.suggestions.iter().any(|s| {
        matches!(
            s.kind,
            SuggestionKind::Service { .. } | SuggestionKind::AskWijkteam { .. }
        )
    })
}

/// How long a referral waited for a provider: from its approval to the start
/// of its toewijzing, or to today while no provider has taken it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaitBand {
    /// 0–4 weeks (0–28 days).
    FourWeeks,
    /// 5–8 weeks (29–56 days).
    EightWeeks,
    /// 9–13 weeks (57–91 days).
    ThirteenWeeks,
    /// More than 13 weeks: longer than a quarter.
    Longer,
}

impl WaitBand {
    pub const ALL: [WaitBand; 4] = [
        WaitBand::FourWeeks,
        WaitBand::EightWeeks,
        WaitBand::ThirteenWeeks,
        WaitBand::Longer,
    ];

    /// The band of a wait of `days` (a negative wait — a start planned before
    /// the approval — counts as none).
    pub fn of_days(days: i64) -> WaitBand {
        match days {
            ..=28 => WaitBand::FourWeeks,
            29..=56 => WaitBand::EightWeeks,
            57..=91 => WaitBand::ThirteenWeeks,
            _ => WaitBand::Longer,
        }
    }

    /// The Dutch label shown in the interface.
    pub fn label(self) -> &'static str {
        match self {
            WaitBand::FourWeeks => "Tot 4 weken",
            WaitBand::EightWeeks => "5 tot 8 weken",
            WaitBand::ThirteenWeeks => "9 tot 13 weken",
            WaitBand::Longer => "Langer dan 13 weken",
        }
    }
}

/// A table of counts before publication: rows (life domains, categories, wait
/// bands) by columns (districts). A record may belong to several rows (a
/// wijzer search that touches two life domains) but to one column; it counts
/// once in every total it belongs to, so totals are counted from the records,
/// never summed from cells.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    rows: Vec<String>,
    columns: Vec<String>,
    cells: BTreeMap<(usize, usize), CellKeys>,
    row_totals: BTreeMap<usize, CellKeys>,
    column_totals: BTreeMap<usize, CellKeys>,
    total: CellKeys,
}

/// A published table: every count protected, cells by `rows` × `columns`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GapTable {
    pub columns: Vec<String>,
    pub rows: Vec<GapRow>,
    /// Per column, over all rows.
    pub column_totals: Vec<Protected>,
    pub total: Protected,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GapRow {
    pub label: String,
    pub cells: Vec<Protected>,
    pub total: Protected,
}

impl Tally {
    /// A tally whose rows and columns come in this order (labels seen later
    /// are added after them).
    pub fn new(rows: Vec<String>, columns: Vec<String>) -> Tally {
        Tally {
            rows,
            columns,
            ..Tally::default()
        }
    }

    fn position(list: &mut Vec<String>, label: &str) -> usize {
        match list.iter().position(|l| l == label) {
            Some(i) => i,
            None => {
                list.push(label.to_owned());
                list.len() - 1
            }
        }
    }

    /// One record: its key, the rows it belongs to (repeats count once) and
    /// its column.
    pub fn add(&mut self, key: RecordKey, rows: &[&str], column: &str) {
        let c = Self::position(&mut self.columns, column);
        let mut seen: Vec<usize> = Vec::with_capacity(rows.len());
        for row in rows {
            let r = Self::position(&mut self.rows, row);
            if seen.contains(&r) {
                continue;
            }
            seen.push(r);
            self.cells.entry((r, c)).or_default().add(key);
            self.row_totals.entry(r).or_default().add(key);
        }
        self.column_totals.entry(c).or_default().add(key);
        self.total.add(key);
    }

    /// Records already tallied elsewhere (the wijzer's counters, which keep
    /// a count and a key sum instead of records): `Some(row)` adds them to
    /// that row's cell and row total; `None` adds them to the column's total
    /// and the grand total (the records of a column once, however many rows
    /// each touched).
    pub fn add_cell(&mut self, row: Option<&str>, column: &str, cell: CellKeys) {
        let c = Self::position(&mut self.columns, column);
        match row {
            Some(row) => {
                let r = Self::position(&mut self.rows, row);
                let e = self.cells.entry((r, c)).or_default();
                *e = e.union(cell);
                let t = self.row_totals.entry(r).or_default();
                *t = t.union(cell);
            }
            None => {
                let t = self.column_totals.entry(c).or_default();
                *t = t.union(cell);
                self.total = self.total.union(cell);
            }
        }
    }

    /// Every count through [`protect`]; empty cells are published as 0.
    pub fn publish(&self) -> GapTable {
        let get = |m: &BTreeMap<usize, CellKeys>, i: usize| {
            protect(&m.get(&i).copied().unwrap_or_default())
        };
        GapTable {
            columns: self.columns.clone(),
            rows: self
                .rows
                .iter()
                .enumerate()
                .map(|(r, label)| GapRow {
                    label: label.clone(),
                    cells: (0..self.columns.len())
                        .map(|c| protect(&self.cells.get(&(r, c)).copied().unwrap_or_default()))
                        .collect(),
                    total: get(&self.row_totals, r),
                })
                .collect(),
            column_totals: (0..self.columns.len())
                .map(|c| get(&self.column_totals, c))
                .collect(),
            total: protect(&self.total),
        }
    }

    /// The true count of the grand total (for tests; never to be published).
    pub fn true_total(&self) -> u64 {
        self.total.count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_bands_split_at_four_eight_and_thirteen_weeks() {
        assert_eq!(WaitBand::of_days(-3), WaitBand::FourWeeks);
        assert_eq!(WaitBand::of_days(28), WaitBand::FourWeeks);
        assert_eq!(WaitBand::of_days(29), WaitBand::EightWeeks);
        assert_eq!(WaitBand::of_days(56), WaitBand::EightWeeks);
        assert_eq!(WaitBand::of_days(57), WaitBand::ThirteenWeeks);
        assert_eq!(WaitBand::of_days(91), WaitBand::ThirteenWeeks);
        assert_eq!(WaitBand::of_days(92), WaitBand::Longer);
    }

    #[test]
    fn a_search_in_two_domains_counts_once_in_its_district_and_the_total() {
        let mut t = Tally::new(vec!["a".into(), "b".into()], vec!["WK01".into()]);
        for i in 0..10 {
            t.add(RecordKey::from_raw(i * 7919), &["a", "b", "a"], "WK01");
        }
        assert_eq!(t.true_total(), 10);
        assert_eq!(t.cells[&(0, 0)].count(), 10);
        assert_eq!(t.cells[&(1, 0)].count(), 10);
        assert_eq!(t.column_totals[&0].count(), 10);
    }

    proptest! {
        /// A longer wait never falls in a lighter band.
        #[test]
        fn bands_grow_with_the_wait(a in -100i64..1000, b in -100i64..1000) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(WaitBand::of_days(lo) <= WaitBand::of_days(hi));
        }

        /// No published figure of a gap table — cell, row or column total,
        /// grand total — is ever 1 to 4, and each total counts its records
        /// once.
        #[test]
        fn a_published_gap_table_never_shows_one_to_four(
            records in proptest::collection::vec(
                (any::<u32>(), proptest::collection::vec(0usize..4, 1..3), 0usize..3),
                0..60,
            )
        ) {
            let rows = ["r0", "r1", "r2", "r3"];
            let cols = ["c0", "c1", "c2"];
            let mut t = Tally::new(Vec::new(), Vec::new());
            for (key, rs, c) in &records {
                let rs: Vec<&str> = rs.iter().map(|&r| rows[r]).collect();
                t.add(RecordKey::from_raw(*key), &rs, cols[*c]);
            }
            prop_assert_eq!(t.true_total(), records.len() as u64);
            let p = t.publish();
            let all = p.rows.iter().flat_map(|r| r.cells.iter().chain([&r.total]))
                .chain(p.column_totals.iter())
                .chain([&p.total]);
            for v in all {
                prop_assert!(!(1..=4).contains(&v.value()), "published {}", v);
            }
        }
    }
}
