//! How long the marketplace keeps messages and closed listings.
//!
//! AVG basis: participation is the resident's own choice (consent, art. 6(1)(a))
//! and a makelaar's mediation for a proxy participant is the municipality's
//! public task under the Wmo 2015 (art. 6(1)(e)); storage limitation (art.
//! 5(1)(e)) means what is done is deleted: messages and closed listings after
//! this period, default twelve months.

use chrono::{Months, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the retention period is 1 to 60 months")]
pub struct RetentionError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPeriod {
    months: u32,
}

impl Default for RetentionPeriod {
    fn default() -> Self {
        RetentionPeriod { months: 12 }
    }
}

impl RetentionPeriod {
    pub fn months(months: u32) -> Result<RetentionPeriod, RetentionError> {
        if (1..=60).contains(&months) {
            Ok(RetentionPeriod { months })
        } else {
            Err(RetentionError)
        }
    }

    pub fn get(self) -> u32 {
        self.months
    }

    /// Anything older than this day (closed before it, sent before it) goes.
    pub fn cutoff(self, today: NaiveDate) -> NaiveDate {
        today
            .checked_sub_months(Months::new(self.months))
            .unwrap_or(NaiveDate::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn twelve_months_by_default() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(
            RetentionPeriod::default().cutoff(today),
            NaiveDate::from_ymd_opt(2025, 12, 7).unwrap()
        );
        assert!(RetentionPeriod::months(0).is_err());
        assert!(RetentionPeriod::months(61).is_err());
    }

    proptest! {
        #[test]
        fn a_longer_period_keeps_more(a in 1u32..=60, b in 1u32..=60, offset in 0i64..5000) {
            let today = NaiveDate::from_ymd_opt(2020, 1, 31).unwrap() + chrono::Duration::days(offset);
            let (ca, cb) = (RetentionPeriod::months(a).unwrap().cutoff(today), RetentionPeriod::months(b).unwrap().cutoff(today));
            prop_assert_eq!(a <= b, ca >= cb);
            prop_assert!(ca < today);
        }
    }
}
