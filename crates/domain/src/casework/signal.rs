//! Signals (*Eropaf*): a concern about an address, its urgency and the response
//! norm in working days.

use super::{check_recorded, not_in_future, DateError};
use crate::coded::coded_enum;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignalError {
    #[error("unknown signal category '{0}'")]
    Category(String),
    #[error("unknown urgency '{0}'; the urgencies are crisis, urgent, normaal")]
    Urgency(String),
    #[error("unknown contact method '{0}'")]
    ContactMethod(String),
    #[error("the description is empty or longer than 4000 characters")]
    Description,
    #[error("the source is empty or longer than 200 characters")]
    Source,
    #[error("the first contact cannot be before the signal was reported")]
    ContactBeforeReport,
    #[error("the household does not live at the address of the signal")]
    OtherAddress,
    #[error(transparent)]
    Date(#[from] DateError),
    #[error("unknown life domain '{0}'")]
    Domain(String),
    #[error("unknown value '{0}'")]
    Unknown(String),
}

coded_enum!(
    /// What the concern is about.
    SignalCategory, SignalError::Category, {
    DreigendeHuisuitzetting => ("dreigende_huisuitzetting", "Dreigende huisuitzetting"),
    HuiselijkGeweld => ("huiselijk_geweld", "Huiselijk geweld"),
    Kindermishandeling => ("kindermishandeling", "Kindermishandeling"),
    Schulden => ("schulden", "Schulden"),
    Eenzaamheid => ("eenzaamheid", "Eenzaamheid"),
    Verwaarlozing => ("verwaarlozing", "Verwaarlozing"),
    Overlast => ("overlast", "Overlast"),
    Verslaving => ("verslaving", "Verslaving"),
    Schoolverzuim => ("schoolverzuim", "Schoolverzuim"),
    Zorgmijding => ("zorgmijding", "Zorgmijding"),
    Overig => ("overig", "Overig"),
    Hulpvraag => ("hulpvraag", "Hulpvraag van een inwoner (Eigen Kracht Wijzer)"),
});

coded_enum!(
    /// How fast someone must go there.
    Urgency, SignalError::Urgency, {
    Crisis => ("crisis", "Crisis"),
    Urgent => ("urgent", "Urgent"),
    Normaal => ("normaal", "Normaal"),
});

coded_enum!(
    /// How the first contact was made.
    ContactMethod, SignalError::ContactMethod, {
    Huisbezoek => ("huisbezoek", "Huisbezoek"),
    Telefoon => ("telefoon", "Telefoon"),
    Gesprek => ("gesprek", "Gesprek op locatie"),
    Brief => ("brief", "Brief of kaartje"),
    ViaPartner => ("via_partner", "Via een partner"),
});

/// Response norms in working days per urgency. Zero means the same day. The
/// beheerder sets them; they hold only through [`ResponseNorms::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResponseNorms {
    crisis: u32,
    urgent: u32,
    normaal: u32,
}

/// Why a set of response norms is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NormsError {
    #[error(
        "a crisis is answered the same day or the next working day: at most {max} working day"
    )]
    CrisisTooLong { max: u32 },
    #[error("the normal norm is at most {max} working days: Eropaf means going there fast")]
    NormaalTooLong { max: u32 },
    #[error("the urgent norm may not be shorter than the crisis norm")]
    UrgentBeforeCrisis,
    #[error("the normal norm may not be shorter than the urgent norm")]
    NormaalBeforeUrgent,
}

impl NormsError {
    /// The form field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            NormsError::CrisisTooLong { .. } => "crisis",
            NormsError::UrgentBeforeCrisis => "urgent",
            NormsError::NormaalTooLong { .. } | NormsError::NormaalBeforeUrgent => "normaal",
        }
    }
}

impl Default for ResponseNorms {
    /// Same day, 3 working days, 10 working days.
    fn default() -> Self {
        ResponseNorms {
            crisis: 0,
            urgent: 3,
            normaal: 10,
        }
    }
}

impl ResponseNorms {
    /// The longest crisis norm: the next working day.
    pub const MAX_CRISIS: u32 = 1;
    /// The longest normal norm: six working weeks.
    pub const MAX_NORMAAL: u32 = 30;

    /// Norms as the beheerder sets them: crisis ≤ urgent ≤ normaal, a crisis
    /// at most the next working day, normal at most six working weeks.
    pub fn new(crisis: u32, urgent: u32, normaal: u32) -> Result<Self, NormsError> {
        if crisis > Self::MAX_CRISIS {
            return Err(NormsError::CrisisTooLong {
                max: Self::MAX_CRISIS,
            });
        }
        if urgent < crisis {
            return Err(NormsError::UrgentBeforeCrisis);
        }
        if normaal < urgent {
            return Err(NormsError::NormaalBeforeUrgent);
        }
        if normaal > Self::MAX_NORMAAL {
            return Err(NormsError::NormaalTooLong {
                max: Self::MAX_NORMAAL,
            });
        }
        Ok(ResponseNorms {
            crisis,
            urgent,
            normaal,
        })
    }

    pub fn crisis(&self) -> u32 {
        self.crisis
    }
    pub fn urgent(&self) -> u32 {
        self.urgent
    }
    pub fn normaal(&self) -> u32 {
        self.normaal
    }

    pub fn working_days(&self, urgency: Urgency) -> u32 {
        match urgency {
            Urgency::Crisis => self.crisis,
            Urgency::Urgent => self.urgent,
            Urgency::Normaal => self.normaal,
        }
    }

    /// The last day on which the first contact is on time.
    pub fn due(&self, reported: NaiveDate, urgency: Urgency) -> NaiveDate {
        add_working_days(reported, self.working_days(urgency))
    }

    /// Where a signal stands on `today`.
    pub fn state(
        &self,
        reported: NaiveDate,
        urgency: Urgency,
        first_contact: Option<NaiveDate>,
        today: NaiveDate,
    ) -> SignalState {
        let due = self.due(reported, urgency);
        match first_contact {
            Some(c) if c <= due => SignalState::ContactedOnTime,
            Some(_) => SignalState::ContactedLate,
            None if today > due => SignalState::Overdue,
            None => SignalState::Waiting { due },
        }
    }
}

/// Where a signal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SignalState {
    Waiting { due: NaiveDate },
    Overdue,
    ContactedOnTime,
    ContactedLate,
}

impl SignalState {
    pub fn is_overdue(self) -> bool {
        matches!(self, SignalState::Overdue)
    }
    pub fn label(self) -> String {
        match self {
            SignalState::Waiting { due } => format!("open, uiterlijk {}", due.format("%d-%m-%Y")),
            SignalState::Overdue => "te laat: nog geen contact".to_owned(),
            SignalState::ContactedOnTime => "contact op tijd".to_owned(),
            SignalState::ContactedLate => "contact te laat".to_owned(),
        }
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `date` plus `n` working days (Monday to Friday). A signal reported in the
/// weekend counts from the next Monday; zero working days is the same day (or
/// that Monday).
pub fn add_working_days(date: NaiveDate, n: u32) -> NaiveDate {
    let mut d = date;
    while is_weekend(d) {
        d = d.succ_opt().unwrap_or(d);
    }
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !is_weekend(d) {
            left -= 1;
        }
    }
    d
}

/// Validates a signal's free-text description.
pub fn parse_description(input: &str) -> Result<String, SignalError> {
    super::clean_text(input, 4000).ok_or(SignalError::Description)
}

/// Validates who reported the signal (an organisation, "buurtbewoner", …).
pub fn parse_source(input: &str) -> Result<String, SignalError> {
    super::clean_text(input, 200).ok_or(SignalError::Source)
}

/// The first contact lies between the report and today.
pub fn check_first_contact(
    reported: NaiveDate,
    contact: NaiveDate,
    today: NaiveDate,
) -> Result<(), SignalError> {
    not_in_future(contact, today)?;
    if contact < reported {
        Err(SignalError::ContactBeforeReport)
    } else {
        Ok(())
    }
}

/// A signal the team registers after it came in by phone or letter carries
/// the day it came in: not in the future, within the recording window.
pub fn check_reported(reported: NaiveDate, today: NaiveDate) -> Result<(), SignalError> {
    Ok(check_recorded(reported, today)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn default_norms_are_same_day_three_and_ten_working_days() {
        let n = ResponseNorms::default();
        // Friday 6 November 2026.
        let fri = d(2026, 11, 6);
        assert_eq!(n.due(fri, Urgency::Crisis), fri);
        assert_eq!(n.due(fri, Urgency::Urgent), d(2026, 11, 11));
        assert_eq!(n.due(fri, Urgency::Normaal), d(2026, 11, 20));
    }

    #[test]
    fn an_urgent_signal_without_contact_after_three_working_days_is_overdue() {
        let n = ResponseNorms::default();
        let mon = d(2026, 11, 2);
        assert!(!n
            .state(mon, Urgency::Urgent, None, d(2026, 11, 5))
            .is_overdue());
        assert!(n
            .state(mon, Urgency::Urgent, None, d(2026, 11, 6))
            .is_overdue());
        assert_eq!(
            n.state(mon, Urgency::Urgent, Some(d(2026, 11, 9)), d(2026, 11, 9)),
            SignalState::ContactedLate
        );
    }

    #[test]
    fn categories_parse_by_code_or_label() {
        assert_eq!(
            SignalCategory::parse("Overlast").unwrap(),
            SignalCategory::Overlast
        );
        assert_eq!(
            SignalCategory::parse("dreigende_huisuitzetting").unwrap(),
            SignalCategory::DreigendeHuisuitzetting
        );
        // the 11 categories of the issue, and the wijzer's request for help
        assert_eq!(SignalCategory::ALL.len(), 12);
        assert_eq!(
            SignalCategory::parse("hulpvraag").unwrap(),
            SignalCategory::Hulpvraag
        );
        assert!(SignalCategory::parse("lawaai").is_err());
        assert!(Urgency::parse("spoed").is_err());
    }

    #[test]
    fn norms_keep_their_order_and_their_limits() {
        assert_eq!(ResponseNorms::new(0, 3, 10), Ok(ResponseNorms::default()));
        assert!(
            ResponseNorms::new(1, 1, 1).is_ok(),
            "equal norms are allowed"
        );
        assert_eq!(
            ResponseNorms::new(2, 3, 10),
            Err(NormsError::CrisisTooLong { max: 1 })
        );
        assert_eq!(
            ResponseNorms::new(1, 0, 10),
            Err(NormsError::UrgentBeforeCrisis)
        );
        assert_eq!(
            ResponseNorms::new(0, 5, 4),
            Err(NormsError::NormaalBeforeUrgent)
        );
        assert_eq!(
            ResponseNorms::new(0, 3, 31),
            Err(NormsError::NormaalTooLong { max: 30 })
        );
        assert_eq!(NormsError::UrgentBeforeCrisis.field(), "urgent");
    }

    #[test]
    fn a_first_contact_lies_between_the_report_and_today() {
        let (reported, today) = (d(2026, 11, 2), d(2026, 11, 10));
        assert_eq!(
            check_first_contact(reported, d(2026, 11, 1), today),
            Err(SignalError::ContactBeforeReport)
        );
        assert_eq!(
            check_first_contact(reported, d(2026, 11, 11), today),
            Err(SignalError::Date(DateError::InFuture))
        );
        assert!(check_first_contact(reported, today, today).is_ok());
        assert!(check_reported(d(2026, 8, 1), today).is_ok());
        assert_eq!(
            check_reported(d(2026, 11, 11), today),
            Err(SignalError::Date(DateError::InFuture))
        );
    }

    proptest! {
        #[test]
        fn working_days_never_land_in_a_weekend(offset in 0i64..3000, n in 0u32..40) {
            let start = d(2024, 1, 1) + chrono::Duration::days(offset);
            let due = add_working_days(start, n);
            prop_assert!(!is_weekend(due));
            prop_assert!(due >= start);
            // n working days span at most n + 2 weekends' worth of days.
            prop_assert!((due - start).num_days() <= (n as i64) * 7 / 5 + 3);
        }

        #[test]
        fn norms_hold_exactly_when_ordered_and_within_limits(c in 0u32..4, u in 0u32..40, n in 0u32..40) {
            let ok = c <= 1 && c <= u && u <= n && n <= 30;
            prop_assert_eq!(ResponseNorms::new(c, u, n).is_ok(), ok);
        }

        #[test]
        fn a_signal_is_never_overdue_before_its_due_date(offset in 0i64..2000, u in 0usize..3, late in 0i64..30, c in 0u32..=1, extra in 0u32..10) {
            let n = ResponseNorms::new(c, c + extra, c + extra * 2).unwrap();
            let urgency = Urgency::ALL[u];
            let reported = d(2024, 1, 1) + chrono::Duration::days(offset);
            let due = n.due(reported, urgency);
            prop_assert!(!n.state(reported, urgency, None, due).is_overdue());
            prop_assert_eq!(n.state(reported, urgency, None, due + chrono::Duration::days(late + 1)).is_overdue(), true);
        }
    }
}
