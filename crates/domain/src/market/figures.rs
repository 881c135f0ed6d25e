//! The marketplace's published figures for beleid and makelaars: participants,
//! new participants per calendar month, asks and offers per category and per
//! district, matches per category and per district, and the time to a first
//! reply. Every count goes through the cell-key method ([`crate::cell_key`]):
//! each record (participant, listing, match) has a key derived from the
//! installation's secret, a cell's noise follows from its records, and no cell
//! is published as 1–4. Periods are fixed calendar months (never free dates),
//! and each table's total is a cell of its own, so a district against the
//! whole town or a month against the next recovers nobody (property test
//! below).

use crate::cell_key::{protect, tally, CellKeySecret, CellKeys, Protected, RecordKey};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The record kinds behind the keys (one per table, so participant 7 and
/// listing 7 get unrelated keys).
pub const PARTICIPANT: &str = "mk_participant";
pub const LISTING: &str = "mk_listing";
pub const MATCH: &str = "mk_match";
/// How many calendar months the "new per month" table shows, this one included.
pub const MONTHS: usize = 12;
/// The row of a table's total.
pub const TOTAL: &str = "Totaal";
/// The district of a listing for the whole town.
pub const WHOLE_TOWN: &str = "Hele stad";

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn previous(self) -> Month {
        match self.month {
            1 => Month {
                year: self.year - 1,
                month: 12,
            },
            m => Month {
                year: self.year,
                month: m - 1,
            },
        }
    }

    /// As the table shows it: `2026-05`.
    pub fn label(self) -> String {
        format!("{}-{:02}", self.year, self.month)
    }
}

/// The facts the figures are counted from (no names, no texts).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// (participant id, the month they joined, Dutch time).
    pub participants: Vec<(i64, Month)>,
    /// (listing id, category, district name or [`WHOLE_TOWN`], is an ask).
    pub listings: Vec<(i64, String, String, bool)>,
    /// (match id, the listing's category, the listing's district).
    pub matches: Vec<(i64, String, String)>,
    /// (listing id, hours from posting to the first reply).
    pub replies: Vec<(i64, i64)>,
}

/// A row with asks and offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PairRow {
    pub key: String,
    pub asks: Protected,
    pub offers: Protected,
}

/// A row with one count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub key: String,
    pub count: Protected,
}

/// What the figures page publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketFigures {
    pub participants: Protected,
    /// The last [`MONTHS`] calendar months, newest first, each shown (0 too).
    pub months: Vec<CountRow>,
    /// Per category, then the [`TOTAL`] row.
    pub per_category: Vec<PairRow>,
    /// Per district, then the [`TOTAL`] row.
    pub per_district: Vec<PairRow>,
    pub matches_per_category: Vec<CountRow>,
    pub matches_per_district: Vec<CountRow>,
    /// Listings with a first reply.
    pub replies: Protected,
    /// The median hours to a first reply, only when `replies` is published
    /// as 5 or more.
    pub median_hours: Option<i64>,
}

fn count_rows(cells: std::collections::BTreeMap<String, CellKeys>) -> Vec<CountRow> {
    let total: CellKeys = cells.values().copied().sum();
    cells
        .into_iter()
        .map(|(key, cell)| CountRow {
            key,
            count: protect(&cell),
        })
        .chain(std::iter::once(CountRow {
            key: TOTAL.into(),
            count: protect(&total),
        }))
        .collect()
}

fn pair_rows(cells: std::collections::BTreeMap<(String, bool), CellKeys>) -> Vec<PairRow> {
    let mut keys: Vec<String> = cells.keys().map(|(k, _)| k.clone()).collect();
    keys.dedup();
    let side = |ask: bool| -> CellKeys {
        cells
            .iter()
            .filter(|((_, a), _)| *a == ask)
            .map(|(_, c)| *c)
            .sum()
    };
    let cell = |k: &String, ask: bool| cells.get(&(k.clone(), ask)).copied().unwrap_or_default();
    keys.iter()
        .map(|k| PairRow {
            key: k.clone(),
            asks: protect(&cell(k, true)),
            offers: protect(&cell(k, false)),
        })
        .chain(std::iter::once(PairRow {
            key: TOTAL.into(),
            asks: protect(&side(true)),
            offers: protect(&side(false)),
        }))
        .collect()
}

/// The published figures of these facts, in `this_month`.
pub fn publish(facts: &Facts, secret: &CellKeySecret, this_month: Month) -> MarketFigures {
    let participant = |id: i64| RecordKey::derive(secret, PARTICIPANT, id);
    let listing = |id: i64| RecordKey::derive(secret, LISTING, id);
    let matched = |id: i64| RecordKey::derive(secret, MATCH, id);
    let per_month = tally(
        facts
            .participants
            .iter()
            .map(|&(id, m)| (m, participant(id))),
    );
    let mut month = this_month;
    let mut months = Vec::with_capacity(MONTHS);
    for _ in 0..MONTHS {
        months.push(CountRow {
            key: month.label(),
            count: protect(&per_month.get(&month).copied().unwrap_or_default()),
        });
        month = month.previous();
    }
    let replies = CellKeys::of(facts.replies.iter().map(|&(id, _)| listing(id)));
    let replies_shown = protect(&replies);
    let mut hours: Vec<i64> = facts.replies.iter().map(|&(_, h)| h.max(0)).collect();
    hours.sort_unstable();
    MarketFigures {
        participants: protect(&CellKeys::of(
            facts.participants.iter().map(|&(id, _)| participant(id)),
        )),
        months,
        per_category: pair_rows(tally(
            facts
                .listings
                .iter()
                .map(|(id, cat, _, ask)| ((cat.clone(), *ask), listing(*id))),
        )),
        per_district: pair_rows(tally(
            facts
                .listings
                .iter()
                .map(|(id, _, district, ask)| ((district.clone(), *ask), listing(*id))),
        )),
        matches_per_category: count_rows(tally(
            facts
                .matches
                .iter()
                .map(|(id, cat, _)| (cat.clone(), matched(*id))),
        )),
        matches_per_district: count_rows(tally(
            facts
                .matches
                .iter()
                .map(|(id, _, district)| (district.clone(), matched(*id))),
        )),
        replies: replies_shown,
        median_hours: (replies_shown.value() >= 5).then(|| hours[hours.len() / 2]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cell_key::attacker::{judge, Range};
    use proptest::prelude::*;

    fn month(m: u32) -> Month {
        Month {
            year: 2026,
            month: m,
        }
    }

    #[test]
    fn months_run_back_over_the_new_year() {
        let jan = Month::of(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
        assert_eq!(jan.previous().label(), "2025-12");
        let f = publish(&Facts::default(), &CellKeySecret::new(b"s"), jan);
        assert_eq!(f.months.len(), MONTHS);
        assert_eq!(f.months[0].key, "2026-01");
        assert_eq!(f.months[11].key, "2025-02");
        assert_eq!(f.median_hours, None);
    }

    /// One listing: its category (0–2), district (0–2), ask or offer, and
    /// the month it was posted and its participant joined (1–3).
    type Rec = (u8, u8, bool, u32);

    fn listings() -> impl Strategy<Value = Vec<Rec>> {
        proptest::collection::vec((0u8..3, 0u8..3, any::<bool>(), 1u32..4), 0..60)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// The differencing attacker against the marketplace's tables: a
        /// district against the total and the other districts, a category the
        /// same way, a month against the next look at the same month after new
        /// participants joined (month 3 seen in month 3 and again in month
        /// 4), and the participants' total against all the months. No route
        /// pins a count from 1 to 4, and no cell is published as 1–4.
        #[test]
        fn no_table_gives_away_a_small_count(recs in listings(), late in 0usize..8,
                                             secret in proptest::collection::vec(any::<u8>(), 1..40)) {
            let secret = CellKeySecret::new(&secret);
            let facts = |upto: usize| Facts {
                participants: recs.iter().enumerate().take(upto).map(|(i, r)| (i as i64, month(r.3))).collect(),
                listings: recs.iter().enumerate().take(upto)
                    .map(|(i, r)| (i as i64, format!("c{}", r.0), format!("w{}", r.1), r.2)).collect(),
                matches: recs.iter().enumerate().take(upto).filter(|(_, r)| r.2)
                    .map(|(i, r)| (i as i64, format!("c{}", r.0), format!("w{}", r.1))).collect(),
                replies: Vec::new(),
            };
            let before = publish(&facts(recs.len().saturating_sub(late)), &secret, month(3));
            let after = publish(&facts(recs.len()), &secret, month(4));
            for f in [&before, &after] {
                let all = f.per_district.iter().chain(&f.per_category)
                    .flat_map(|r| [r.asks, r.offers])
                    .chain(f.matches_per_district.iter().chain(&f.matches_per_category).chain(&f.months).map(|r| r.count));
                for p in all {
                    prop_assert!(!(1..=4).contains(&p.value()), "published {p}");
                }
            }
            let n = recs.len().saturating_sub(late);
            // Part against total minus the other parts, per table and side.
            let truth_of = |pred: &dyn Fn(&Rec) -> bool, upto: usize| {
                recs.iter().take(upto).filter(|r| pred(r)).count() as i64
            };
            for (f, upto) in [(&before, n), (&after, recs.len())] {
                for ask in [true, false] {
                    for (rows, by_district) in [(&f.per_district, true), (&f.per_category, false)] {
                        let pick = |r: &PairRow| if ask { r.asks } else { r.offers };
                        let (parts, total) = rows.split_at(rows.len() - 1);
                        for (i, part) in parts.iter().enumerate() {
                            let others = parts.iter().enumerate().filter(|(j, _)| *j != i)
                                .fold(Range(0, 0), |acc, (_, r)| acc.plus(Range::of(pick(r).value())));
                            let route = Range::of(pick(&total[0]).value()).minus(others);
                            let key = part.key.clone();
                            let truth = truth_of(&|r| r.2 == ask && if by_district {
                                format!("w{}", r.1) == key } else { format!("c{}", r.0) == key }, upto);
                            judge(truth, route, Some(pick(part).value()))
                                .map_err(|e| TestCaseError::fail(format!("{e}: {key} against the total")))?;
                        }
                    }
                }
                // Matches per district against their total.
                let (parts, total) = f.matches_per_district.split_at(f.matches_per_district.len() - 1);
                for (i, part) in parts.iter().enumerate() {
                    let others = parts.iter().enumerate().filter(|(j, _)| *j != i)
                        .fold(Range(0, 0), |acc, (_, r)| acc.plus(Range::of(r.count.value())));
                    let route = Range::of(total[0].count.value()).minus(others);
                    let truth = truth_of(&|r| r.2 && format!("w{}", r.1) == part.key, upto);
                    judge(truth, route, Some(part.count.value()))
                        .map_err(|e| TestCaseError::fail(format!("{e}: matches in {}", part.key)))?;
                }
            }
            // Month 3 looked at twice: the late joiners' count from the difference.
            let m3 = |f: &MarketFigures| f.months.iter().find(|r| r.key == "2026-03").map(|r| r.count.value()).unwrap_or(0);
            let late_in_3 = recs.iter().skip(n).filter(|r| r.3 == 3).count() as i64;
            judge(late_in_3, Range::of(m3(&after)).minus(Range::of(m3(&before))), None)
                .map_err(|e| TestCaseError::fail(format!("{e}: month 3 before and after")))?;
            // Adjacent months: the total against the other months, for each month.
            let months: Vec<u64> = after.months.iter().map(|r| r.count.value()).collect();
            for (i, r) in after.months.iter().enumerate() {
                let others = months.iter().enumerate().filter(|(j, _)| *j != i)
                    .fold(Range(0, 0), |acc, (_, &v)| acc.plus(Range::of(v)));
                let route = Range::of(after.participants.value()).minus(others);
                let truth = recs.iter().filter(|x| month(x.3).label() == r.key).count() as i64;
                judge(truth, route, Some(r.count.value()))
                    .map_err(|e| TestCaseError::fail(format!("{e}: month {} against the total", r.key)))?;
            }
        }
    }
}
