//! Dates and times as the Netherlands reads them: Dutch local time, "today" on
//! the Dutch calendar, and the date formats forms send and pages show.

/// Dutch local time: Europe/Amsterdam from the IANA time zone database
/// (bundled with `jiff`, so it does not depend on the server's tzdata).
pub fn nl_local(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    static AMSTERDAM: std::sync::OnceLock<Option<jiff::tz::TimeZone>> = std::sync::OnceLock::new();
    let seconds = AMSTERDAM
        .get_or_init(|| jiff::tz::TimeZone::get("Europe/Amsterdam").ok())
        .as_ref()
        .and_then(|tz| {
            let instant = jiff::Timestamp::from_second(at.timestamp()).ok()?;
            Some(tz.to_offset(instant).seconds())
        })
        // Without the database (it is compiled in, so never): CET.
        .unwrap_or(3600);
    let offset = chrono::FixedOffset::east_opt(seconds)
        .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
    at.with_timezone(&offset)
}

/// A moment as Dutch pages show it: `dd-mm-jjjj uu:mm` in Dutch local time.
pub fn nl_date_time(at: chrono::DateTime<chrono::Utc>) -> String {
    nl_local(at).format("%d-%m-%Y %H:%M").to_string()
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
        // 2026: winter time again from 25 October 01:00 UTC.
        let last_summer = chrono::Utc
            .with_ymd_and_hms(2026, 10, 25, 0, 59, 0)
            .unwrap();
        let first_winter = chrono::Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap();
        assert_eq!(nl_date_time(last_summer), "25-10-2026 02:59");
        assert_eq!(nl_date_time(first_winter), "25-10-2026 02:00");
    }
}
