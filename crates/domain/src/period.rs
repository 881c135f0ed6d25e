//! The periods figures are published for: whole quarters and whole years, never
//! free dates.
//!
//! Two pages whose periods differ by one day could be subtracted to find the
//! records of that day. With fixed periods the only differences left are between
//! whole quarters and years, which are large sets, and the cell-key noise
//! ([`crate::cell_key`]) covers what remains.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A quarter or a year. Written `2026` or `2026-K3` (K for kwartaal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
}

/// Why a period does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a period is a year (2026) or a quarter (2026-K3)")]
pub struct PeriodError;

/// The years a period may name.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

impl Period {
    pub fn parse(s: &str) -> Result<Period, PeriodError> {
        let s = s.trim();
        let year = |y: &str| {
            if y.len() != 4 {
                return Err(PeriodError);
            }
            y.parse::<i32>()
                .ok()
                .filter(|y| YEARS.contains(y))
                .ok_or(PeriodError)
        };
        match s.split_once(['-', ' ']) {
            None => Ok(Period::Year(year(s)?)),
            Some((y, q)) => {
                let q = q
                    .strip_prefix(['K', 'k', 'Q', 'q'])
                    .and_then(|q| q.parse::<u8>().ok())
                    .filter(|q| (1..=4).contains(q))
                    .ok_or(PeriodError)?;
                Ok(Period::Quarter(year(y)?, q))
            }
        }
    }

    /// The quarter `day` falls in.
    pub fn quarter_of(day: NaiveDate) -> Period {
        Period::Quarter(day.year(), (day.month0() / 3 + 1) as u8)
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) => y,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let (y, m) = match self {
            Period::Year(y) => (y, 1),
            Period::Quarter(y, q) => (y, u32::from(q) * 3 - 2),
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// The period of the same length right after this one.
    pub fn next(self) -> Period {
        match self {
            Period::Year(y) => Period::Year(y + 1),
            Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
            Period::Quarter(y, q) => Period::Quarter(y, q + 1),
        }
    }

    /// The period of the same length right before this one.
    pub fn previous(self) -> Period {
        match self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
        }
    }

    /// The `n` quarters up to and including the one `today` falls in, oldest first.
    pub fn last_quarters(today: NaiveDate, n: usize) -> Vec<Period> {
        let mut out = vec![Period::quarter_of(today)];
        while out.len() < n {
            let first = out[0].previous();
            out.insert(0, first);
        }
        out
    }

    /// The periods to choose from on a page, newest first: each year from
    /// `today`'s back to `first_year`, each followed by its quarters that have begun.
    pub fn choices(today: NaiveDate, first_year: i32) -> Vec<Period> {
        let mut out = Vec::new();
        for y in (first_year..=today.year()).rev() {
            out.push(Period::Year(y));
            for q in (1..=4).rev() {
                let p = Period::Quarter(y, q);
                if p.first_day() <= today {
                    out.push(p);
                }
            }
        }
        out
    }

    /// How the period is written in a query string: `2026` or `2026-K3`.
    pub fn code(self) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Quarter(y, q) => format!("{y}-K{q}"),
        }
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Period, PeriodError> {
        Period::parse(s)
    }
}

/// Dutch, as shown: "2026" or "2026 kwartaal 3".
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y} kwartaal {q}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_years_and_quarters_and_nothing_else() {
        assert_eq!(Period::parse("2026"), Ok(Period::Year(2026)));
        assert_eq!(Period::parse("2026-K3"), Ok(Period::Quarter(2026, 3)));
        assert_eq!(Period::parse(" 2026-k1 "), Ok(Period::Quarter(2026, 1)));
        for bad in [
            "",
            "2026-K5",
            "2026-K0",
            "2026-03-01",
            "26",
            "1999",
            "gisteren",
            "2026-",
        ] {
            assert_eq!(Period::parse(bad), Err(PeriodError), "{bad}");
        }
    }

    #[test]
    fn quarters_have_their_calendar_bounds() {
        let q = Period::Quarter(2026, 1);
        assert_eq!(
            (q.first_day(), q.last_day()),
            (d(2026, 1, 1), d(2026, 3, 31))
        );
        let q = Period::Quarter(2024, 4);
        assert_eq!(
            (q.first_day(), q.last_day()),
            (d(2024, 10, 1), d(2024, 12, 31))
        );
        let y = Period::Year(2024);
        assert_eq!(
            (y.first_day(), y.last_day()),
            (d(2024, 1, 1), d(2024, 12, 31))
        );
        assert_eq!(Period::quarter_of(d(2026, 12, 7)), Period::Quarter(2026, 4));
    }

    #[test]
    fn choices_are_years_and_the_quarters_that_have_begun() {
        let c = Period::choices(d(2026, 5, 2), 2025);
        let codes: Vec<String> = c.iter().map(|p| p.code()).collect();
        assert_eq!(
            codes,
            ["2026", "2026-K2", "2026-K1", "2025", "2025-K4", "2025-K3", "2025-K2", "2025-K1"]
        );
    }

    proptest! {
        #[test]
        fn a_period_round_trips_and_its_quarters_tile_its_year(y in 2000i32..2100, q in 1u8..=4) {
            let p = Period::Quarter(y, q);
            prop_assert_eq!(Period::parse(&p.code()), Ok(p));
            prop_assert_eq!(p.next().previous(), p);
            prop_assert_eq!(p.last_day().succ_opt().unwrap(), p.next().first_day());
            prop_assert!(Period::Year(y).contains(p.first_day()) && Period::Year(y).contains(p.last_day()));
        }
    }
}
