//! The response norm for urgent asks: within how many working days a makelaar
//! or a neighbour answers. The same working-day rules as the signals'
//! response norms ([`crate::casework::add_working_days`]), and the same place
//! in a queue ([`TriagePriority`]: late first, the longest late on top, then by
//! deadline), so a makelaar's queue reads like a generalist's triage.

use crate::casework::signal::{add_working_days, working_days_after, TriagePriority};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the norm for urgent asks is 0 to {max} working days")]
pub struct NormError {
    pub max: u32,
}

/// Working days within which an urgent ask gets its first reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketNorm {
    urgent_days: u32,
}

impl Default for MarketNorm {
    /// The next working day: a "spoedvraag" (shopping while ill, a lift
    /// tomorrow) cannot wait for the normal pace of a marketplace.
    fn default() -> Self {
        MarketNorm { urgent_days: 1 }
    }
}

impl MarketNorm {
    pub const MAX: u32 = 5;

    pub fn new(urgent_days: u32) -> Result<MarketNorm, NormError> {
        if urgent_days > Self::MAX {
            return Err(NormError { max: Self::MAX });
        }
        Ok(MarketNorm { urgent_days })
    }

    pub fn urgent_days(&self) -> u32 {
        self.urgent_days
    }

    /// The last day on which the first reply to an urgent ask is on time.
    pub fn due(&self, posted: NaiveDate) -> NaiveDate {
        add_working_days(posted, self.urgent_days)
    }

    /// An urgent ask's place in the makelaar's queue on `today`.
    pub fn priority(
        &self,
        posted: NaiveDate,
        first_reply: Option<NaiveDate>,
        today: NaiveDate,
    ) -> TriagePriority {
        let due = self.due(posted);
        match first_reply {
            Some(_) => TriagePriority::Contacted { due },
            None if today > due => TriagePriority::Overdue {
                late: std::cmp::Reverse(working_days_after(due, today).max(1)),
                due,
            },
            None => TriagePriority::Waiting { due },
        }
    }

    /// Was the first reply on time?
    pub fn on_time(&self, posted: NaiveDate, first_reply: NaiveDate) -> bool {
        first_reply <= self.due(posted)
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
    fn an_urgent_ask_on_friday_is_due_on_monday() {
        let norm = MarketNorm::default();
        assert_eq!(norm.due(d(2026, 12, 4)), d(2026, 12, 7));
        assert_eq!(
            norm.priority(d(2026, 12, 4), None, d(2026, 12, 8)).label(),
            "1 werkdag te laat"
        );
        assert!(norm.on_time(d(2026, 12, 4), d(2026, 12, 7)));
        assert!(!norm.on_time(d(2026, 12, 4), d(2026, 12, 8)));
    }

    #[test]
    fn a_norm_longer_than_a_working_week_is_refused() {
        assert!(MarketNorm::new(5).is_ok());
        assert_eq!(MarketNorm::new(6), Err(NormError { max: 5 }));
    }

    proptest! {
        #[test]
        fn late_means_no_reply_after_the_due_day(days in 0u32..=5, offset in 0i64..400, wait in 0i64..30, replied: bool) {
            let norm = MarketNorm::new(days).unwrap();
            let posted = d(2026, 1, 1) + chrono::Duration::days(offset);
            let today = posted + chrono::Duration::days(wait);
            let p = norm.priority(posted, replied.then_some(today), today);
            prop_assert_eq!(p.working_days_late() > 0, !replied && today > norm.due(posted));
        }
    }
}
