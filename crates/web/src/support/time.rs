//! Dates and times as the Netherlands reads them: Dutch local time, "today" on
//! the Dutch calendar, and the date formats forms send and pages show.

/// Dutch local time: CET, or CEST from the last Sunday of March to the last
/// Sunday of October (EU rule: both switches at 01:00 UTC).
pub fn nl_local(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
    fn last_sunday(year: i32, month: u32) -> NaiveDate {
        let mut d = NaiveDate::from_ymd_opt(year, month + 1, 1)
            .unwrap_or(NaiveDate::MIN)
            .pred_opt()
            .unwrap_or(NaiveDate::MIN);
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or(NaiveDate::MIN);
        }
        d
    }
    let year = at.year();
    let start = chrono::Utc.from_utc_datetime(
        &last_sunday(year, 3)
            .and_hms_opt(1, 0, 0)
            .unwrap_or_default(),
    );
    let end = chrono::Utc.from_utc_datetime(
        &last_sunday(year, 10)
            .and_hms_opt(1, 0, 0)
            .unwrap_or_default(),
    );
    let hours = if at >= start && at < end { 2 } else { 1 };
    let offset = chrono::FixedOffset::east_opt(hours * 3600)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
    at.with_timezone(&offset)
}

/// "Today" in the Netherlands (CET/CEST), from the clock: the domain is handed it,
/// never reads it. Public so that tests agree with the app on which day it is
/// (between 23:00 and 01:00 UTC the Dutch date is already tomorrow's).
pub fn today() -> chrono::NaiveDate {
    nl_local(chrono::Utc::now()).date_naive()
}

/// Parses `dd-mm-jjjj` or `jjjj-mm-dd` (what `<input type=date>` sends).
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    let t = s.trim();
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(t, "%d-%m-%Y"))
        .ok()
}

/// A date as Dutch pages show it: `dd-mm-jjjj`.
pub fn nl_date(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dutch_time_follows_summer_time() {
        let winter = chrono::Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = chrono::Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(nl_local(winter).format("%H:%M").to_string(), "13:00");
        assert_eq!(nl_local(summer).format("%H:%M").to_string(), "14:00");
        // 2026: summer time starts 29 March 01:00 UTC, ends 25 October 01:00 UTC.
        let before = chrono::Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap();
        let after = chrono::Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(nl_local(before).format("%H:%M").to_string(), "01:59");
        assert_eq!(nl_local(after).format("%H:%M").to_string(), "03:00");
    }
}
