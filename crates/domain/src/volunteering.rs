//! Volunteer work (the ServicePunt Vrijwilligers): a volunteer's profile
//! (skills, availability, languages, training done, and how long their VOG —
//! the *Verklaring Omtrent het Gedrag* — is valid), vacancies of providers
//! (linked to a service on the social map, VOG required or not), applications,
//! and placements made by a ServicePunt consultant (the makelaar role).
//!
//! Two rules live here: a volunteer is reminded [`VOG_REMINDER_DAYS`] days
//! before their VOG runs out ([`vog_reminder_due`]), and a volunteer is placed
//! on a vacancy that requires a VOG only with one valid on the start day
//! ([`check_placement`]).

use crate::coded::coded_enum;
use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// How many days before a VOG's end its holder is reminded.
pub const VOG_REMINDER_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VolunteerError {
    #[error("unknown part of the week '{0}'")]
    Availability(String),
    #[error("unknown application state '{0}'")]
    State(String),
    #[error("a list has at most {max} entries of 2 to 40 characters")]
    Tags { max: usize },
    #[error("a title has 3 to 100 characters")]
    Title,
    #[error("a text has at most 2000 characters")]
    Text,
    #[error("this vacancy requires a VOG that is valid on the start day")]
    VogNeeded,
    #[error("an application that was {0} cannot change any more")]
    Decided(&'static str),
}

coded_enum!(
    /// When a volunteer can help.
    Availability, VolunteerError::Availability, {
    Ochtend => ("ochtend", "Ochtenden"),
    Middag => ("middag", "Middagen"),
    Avond => ("avond", "Avonden"),
    Weekend => ("weekend", "Weekend"),
});

coded_enum!(
    /// Where an application stands: a volunteer applies, the ServicePunt
    /// consultant places them or not; a volunteer may withdraw while it waits.
    ApplicationState, VolunteerError::State, {
    Aangemeld => ("aangemeld", "Aangemeld"),
    Geplaatst => ("geplaatst", "Geplaatst"),
    Afgewezen => ("afgewezen", "Niet geplaatst"),
    Ingetrokken => ("ingetrokken", "Ingetrokken"),
});

impl ApplicationState {
    /// Only a waiting application can be decided or withdrawn; every other
    /// state is final.
    pub fn decide(self, to: ApplicationState) -> Result<ApplicationState, VolunteerError> {
        match (self, to) {
            (
                ApplicationState::Aangemeld,
                ApplicationState::Geplaatst
                | ApplicationState::Afgewezen
                | ApplicationState::Ingetrokken,
            ) => Ok(to),
            (from, _) => Err(VolunteerError::Decided(from.label())),
        }
    }
}

/// A short list of words or phrases (skills, languages, training done),
/// typed comma-separated: each entry 2 to 40 characters, at most `max`
/// entries, duplicates (ignoring case) dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TagList(Vec<String>);

impl TagList {
    pub fn parse(input: &str, max: usize) -> Result<TagList, VolunteerError> {
        let mut tags: Vec<String> = Vec::new();
        for part in input.split([',', ';', '\n']) {
            let t = part.split_whitespace().collect::<Vec<_>>().join(" ");
            if t.is_empty() {
                continue;
            }
            let n = t.chars().count();
            if !(2..=40).contains(&n) {
                return Err(VolunteerError::Tags { max });
            }
            if !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
                tags.push(t);
            }
        }
        if tags.len() > max {
            return Err(VolunteerError::Tags { max });
        }
        Ok(TagList(tags))
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// As stored and shown in a form: comma-separated.
    pub fn joined(&self) -> String {
        self.0.join(", ")
    }
}

/// A vacancy's or application's free text: at most 2000 characters.
pub fn parse_text(input: &str) -> Result<String, VolunteerError> {
    let t = input.trim();
    if t.chars().count() > 2000 {
        return Err(VolunteerError::Text);
    }
    Ok(t.to_owned())
}

/// A vacancy's title: 3 to 100 characters.
pub fn parse_title(input: &str) -> Result<String, VolunteerError> {
    let t = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(3..=100).contains(&t.chars().count()) {
        return Err(VolunteerError::Title);
    }
    Ok(t)
}

/// Where a volunteer's VOG stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VogStatus {
    /// No VOG known.
    None,
    /// Valid, and more than [`VOG_REMINDER_DAYS`] days to go.
    Valid,
    /// Valid for this many more days (0 = its last day).
    EndsSoon(i64),
    /// No longer valid.
    Expired,
}

impl VogStatus {
    pub fn of(valid_until: Option<NaiveDate>, today: NaiveDate) -> VogStatus {
        match valid_until {
            None => VogStatus::None,
            Some(end) if end < today => VogStatus::Expired,
            Some(end) if (end - today).num_days() <= VOG_REMINDER_DAYS => {
                VogStatus::EndsSoon((end - today).num_days())
            }
            Some(_) => VogStatus::Valid,
        }
    }

    /// In words, for the volunteer and the consultant.
    pub fn label(self) -> String {
        match self {
            VogStatus::None => "Geen VOG bekend".into(),
            VogStatus::Valid => "VOG geldig".into(),
            VogStatus::EndsSoon(0) => "VOG is vandaag voor het laatst geldig".into(),
            VogStatus::EndsSoon(1) => "VOG nog 1 dag geldig".into(),
            VogStatus::EndsSoon(n) => format!("VOG nog {n} dagen geldig"),
            VogStatus::Expired => "VOG verlopen".into(),
        }
    }
}

/// Is a reminder due today for a VOG valid until `valid_until`, when the last
/// reminder (if any) was for `reminded_for`? Due from [`VOG_REMINDER_DAYS`]
/// days before the end up to the end itself, once per end date — a renewed
/// VOG (a new end date) is reminded again.
pub fn vog_reminder_due(
    valid_until: Option<NaiveDate>,
    reminded_for: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    let Some(end) = valid_until else {
        return false;
    };
    reminded_for != Some(end) && today <= end && today >= end - Duration::days(VOG_REMINDER_DAYS)
}

/// May a volunteer whose VOG is valid until `vog_valid_until` be placed on a
/// vacancy from `start`? Without a VOG requirement always; with one only when
/// the VOG is still valid on the start day.
pub fn check_placement(
    vog_required: bool,
    vog_valid_until: Option<NaiveDate>,
    start: NaiveDate,
) -> Result<(), VolunteerError> {
    match (vog_required, vog_valid_until) {
        (false, _) => Ok(()),
        (true, Some(end)) if end >= start => Ok(()),
        (true, _) => Err(VolunteerError::VogNeeded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_vog_is_reminded_thirty_days_before_its_end_and_once() {
        let end = day(2027, 3, 31);
        assert!(!vog_reminder_due(Some(end), None, day(2027, 2, 28)));
        assert!(vog_reminder_due(Some(end), None, day(2027, 3, 1)));
        assert!(vog_reminder_due(Some(end), None, end));
        assert!(!vog_reminder_due(Some(end), Some(end), day(2027, 3, 2)));
        assert!(!vog_reminder_due(Some(end), None, day(2027, 4, 1)));
        assert!(!vog_reminder_due(None, None, end));
        // A renewed VOG is reminded again before its new end.
        let renewed = day(2030, 3, 31);
        assert!(vog_reminder_due(Some(renewed), Some(end), day(2030, 3, 15)));
    }

    #[test]
    fn a_vacancy_requiring_a_vog_takes_only_a_volunteer_with_one_valid_on_the_start_day() {
        let start = day(2027, 1, 10);
        assert_eq!(check_placement(false, None, start), Ok(()));
        assert_eq!(check_placement(true, Some(start), start), Ok(()));
        assert_eq!(
            check_placement(true, Some(day(2027, 1, 9)), start),
            Err(VolunteerError::VogNeeded)
        );
        assert_eq!(
            check_placement(true, None, start),
            Err(VolunteerError::VogNeeded)
        );
    }

    #[test]
    fn only_a_waiting_application_is_decided() {
        use ApplicationState as S;
        assert_eq!(S::Aangemeld.decide(S::Geplaatst), Ok(S::Geplaatst));
        assert!(S::Geplaatst.decide(S::Afgewezen).is_err());
        assert!(S::Ingetrokken.decide(S::Geplaatst).is_err());
        assert!(S::Aangemeld.decide(S::Aangemeld).is_err());
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        let t = TagList::parse(" Nederlands, Arabisch,nederlands ,, ", 5).unwrap();
        assert_eq!(t.as_slice(), ["Nederlands", "Arabisch"]);
        assert!(TagList::parse("a", 5).is_err());
        assert!(TagList::parse("aa, bb, cc", 2).is_err());
        assert_eq!(TagList::parse("", 5).unwrap().as_slice().len(), 0);
    }

    proptest! {
        #[test]
        fn the_reminder_is_due_exactly_in_the_thirty_days_before_the_end(
            offset in -400i64..400, reminded in any::<bool>()
        ) {
            let end = day(2027, 6, 30);
            let today = end - Duration::days(offset);
            let due = vog_reminder_due(Some(end), reminded.then_some(end), today);
            prop_assert_eq!(due, !reminded && (0..=VOG_REMINDER_DAYS).contains(&offset));
            // The status agrees: a reminder is due only while the VOG "ends soon".
            if due {
                prop_assert!(matches!(VogStatus::of(Some(end), today), VogStatus::EndsSoon(_)));
            }
        }

        #[test]
        fn placement_needs_a_vog_valid_on_the_start_day_only_when_required(
            required in any::<bool>(), has in any::<bool>(), gap in -100i64..100
        ) {
            let start = day(2027, 1, 1);
            let vog = has.then(|| start + Duration::days(gap));
            let ok = check_placement(required, vog, start).is_ok();
            prop_assert_eq!(ok, !required || (has && gap >= 0));
        }
    }
}
