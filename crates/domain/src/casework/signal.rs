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
    #[error("closing a signal needs a reason of at most 1000 characters")]
    CloseReason,
    #[error("the signal cannot be closed before it was reported")]
    CloseBeforeReport,
    #[error("the signal is closed")]
    Closed,
    #[error("the description of the place is shorter than 5 or longer than 500 characters")]
    Place,
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
    // Last, so the demo's categories (by index) stay as they were.
    Mantelzorg => ("overbelaste_mantelzorger", "Overbelaste mantelzorger"),
});

impl SignalCategory {
    /// The categories a neighbour may choose on the public page: all but the
    /// wijzer's own request for help, which only the wijzer makes.
    pub fn is_public(self) -> bool {
        self != SignalCategory::Hulpvraag
    }
}

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

/// A signal's stage in the team's work: the triage filter and its counts.
/// A closed signal is closed whatever else happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SignalStage {
    /// Not yet linked to a household.
    New,
    /// Linked and given to the contact person, no contact yet.
    Assigned,
    /// First contact made.
    Contacted,
    /// Closed, with a reason: nothing more is done on it.
    Closed,
}

impl SignalStage {
    pub const ALL: [SignalStage; 4] = [
        SignalStage::New,
        SignalStage::Assigned,
        SignalStage::Contacted,
        SignalStage::Closed,
    ];

    pub fn of(linked: bool, contacted: bool, closed: bool) -> SignalStage {
        match (closed, contacted, linked) {
            (true, _, _) => SignalStage::Closed,
            (false, true, _) => SignalStage::Contacted,
            (false, false, true) => SignalStage::Assigned,
            (false, false, false) => SignalStage::New,
        }
    }

    /// The code in the triage filter's query string.
    pub fn code(self) -> &'static str {
        match self {
            SignalStage::New => "nieuw",
            SignalStage::Assigned => "toegewezen",
            SignalStage::Contacted => "contact",
            SignalStage::Closed => "gesloten",
        }
    }

    /// What the counts at the top of the triage say.
    pub fn label(self) -> &'static str {
        match self {
            SignalStage::New => "nieuw",
            SignalStage::Assigned => "toegewezen, nog geen contact",
            SignalStage::Contacted => "met contact",
            SignalStage::Closed => "gesloten",
        }
    }

    /// Only an open signal can be triaged, contacted or closed.
    pub fn ensure_open(self) -> Result<(), SignalError> {
        match self {
            SignalStage::Closed => Err(SignalError::Closed),
            _ => Ok(()),
        }
    }
}

/// A signal closed on a day, for a reason ("dubbele melding", "hulp loopt via
/// het plan"): kept with the signal, shown to the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignalClosure {
    on: NaiveDate,
    reason: String,
}

impl SignalClosure {
    /// Closes a signal reported on `reported` that is at `stage`: an open
    /// signal only, on a day between its report and today, with a reason.
    pub fn new(
        stage: SignalStage,
        reported: NaiveDate,
        on: NaiveDate,
        reason: &str,
        today: NaiveDate,
    ) -> Result<SignalClosure, SignalError> {
        stage.ensure_open()?;
        not_in_future(on, today)?;
        if on < reported {
            return Err(SignalError::CloseBeforeReport);
        }
        let reason = super::clean_text(reason, 1000).ok_or(SignalError::CloseReason)?;
        Ok(SignalClosure { on, reason })
    }

    pub fn on(&self) -> NaiveDate {
        self.on
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Where an open signal stands in the triage list: the list shows overdue
/// signals first, the latest of them first, then the others by their deadline,
/// and signals with a first contact last. The derived order *is* the rule
/// (variants in this order, then their fields), so sorting by it is the triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TriagePriority {
    /// No contact and past the deadline, by how many working days
    /// (`Reverse`, so the longest wait sorts first).
    Overdue {
        late: std::cmp::Reverse<u32>,
        due: NaiveDate,
    },
    /// No contact yet, within the norm: the earliest deadline first.
    Waiting { due: NaiveDate },
    /// Contact made (on time or late).
    Contacted { due: NaiveDate },
    /// Closed: nothing waits, whatever its deadline was.
    Closed { on: NaiveDate },
}

impl TriagePriority {
    /// How many working days late; zero for a signal that is not overdue.
    pub fn working_days_late(self) -> u32 {
        match self {
            TriagePriority::Overdue { late, .. } => late.0,
            _ => 0,
        }
    }

    /// What a triage card says: "3 werkdagen te laat", "uiterlijk vr 11 dec",
    /// or "contact gemaakt".
    pub fn label(self) -> String {
        match self {
            TriagePriority::Overdue { late, .. } if late.0 == 1 => "1 werkdag te laat".to_owned(),
            TriagePriority::Overdue { late, .. } => format!("{} werkdagen te laat", late.0),
            TriagePriority::Waiting { due } => format!("uiterlijk {}", short_dutch_date(due)),
            TriagePriority::Contacted { .. } => "contact gemaakt".to_owned(),
            TriagePriority::Closed { .. } => "gesloten".to_owned(),
        }
    }
}

impl ResponseNorms {
    /// A signal's place in the triage on `today` (see [`TriagePriority`]); a
    /// closed signal (`closed`: the day it was closed) comes last.
    pub fn priority(
        &self,
        reported: NaiveDate,
        urgency: Urgency,
        first_contact: Option<NaiveDate>,
        closed: Option<NaiveDate>,
        today: NaiveDate,
    ) -> TriagePriority {
        let due = self.due(reported, urgency);
        if let Some(on) = closed {
            return TriagePriority::Closed { on };
        }
        match first_contact {
            Some(_) => TriagePriority::Contacted { due },
            None if today > due => TriagePriority::Overdue {
                // Past the deadline in a weekend is still late: at least one day.
                late: std::cmp::Reverse(working_days_after(due, today).max(1)),
                due,
            },
            None => TriagePriority::Waiting { due },
        }
    }
}

/// The number of working days after `from` up to and including `to` (zero when
/// `to` is not after `from`).
pub fn working_days_after(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = match day.succ_opt() {
            Some(next) => next,
            None => break,
        };
        if !is_weekend(day) {
            count += 1;
        }
    }
    count
}

/// "vr 11 dec": the short Dutch date of a deadline.
pub fn short_dutch_date(date: NaiveDate) -> String {
    const DAYS: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
    ];
    let weekday = DAYS[date.weekday().num_days_from_monday() as usize];
    let month = MONTHS[date.month0() as usize];
    format!("{weekday} {} {month}", date.day())
}

/// "vrijdag 11 december": a deadline as a promise to a resident says it.
pub fn long_dutch_date(date: NaiveDate) -> String {
    const DAYS: [&str; 7] = [
        "maandag",
        "dinsdag",
        "woensdag",
        "donderdag",
        "vrijdag",
        "zaterdag",
        "zondag",
    ];
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    let weekday = DAYS[date.weekday().num_days_from_monday() as usize];
    let month = MONTHS[date.month0() as usize];
    format!("{weekday} {} {month}", date.day())
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

/// A place described in words, for a signal whose address the neighbour does
/// not know: 5 to 500 characters.
pub fn parse_place(input: &str) -> Result<String, SignalError> {
    match super::clean_text(input, 500) {
        Some(place) if place.chars().count() >= 5 => Ok(place),
        _ => Err(SignalError::Place),
    }
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
        // the 11 categories of the issue, the wijzer's request for help, and
        // a heavily burdened carer (mantelzorg, with consent)
        assert_eq!(SignalCategory::ALL.len(), 13);
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

    #[test]
    fn a_card_says_how_late_or_until_when() {
        let n = ResponseNorms::default();
        // An urgent signal of Monday 2 November is due Thursday 5 November.
        let mon = d(2026, 11, 2);
        let p = |today| n.priority(mon, Urgency::Urgent, None, None, today);
        assert_eq!(p(d(2026, 11, 4)).label(), "uiterlijk do 5 nov");
        assert_eq!(p(d(2026, 11, 6)).label(), "1 werkdag te laat");
        // Friday, Monday, Tuesday: three working days late.
        assert_eq!(p(d(2026, 11, 10)).label(), "3 werkdagen te laat");
        // The Saturday after the deadline is late already.
        assert_eq!(p(d(2026, 11, 7)).working_days_late(), 1);
        assert_eq!(
            n.priority(
                mon,
                Urgency::Urgent,
                Some(d(2026, 11, 3)),
                None,
                d(2026, 11, 10)
            )
            .label(),
            "contact gemaakt"
        );
        assert_eq!(short_dutch_date(d(2026, 12, 11)), "vr 11 dec");
        assert_eq!(long_dutch_date(d(2026, 12, 11)), "vrijdag 11 december");
    }

    #[test]
    fn the_crisis_months_overdue_comes_before_the_new_normal_signal() {
        let n = ResponseNorms::default();
        let today = d(2026, 12, 7);
        let old_crisis = n.priority(d(2026, 9, 1), Urgency::Crisis, None, None, today);
        let new_normal = n.priority(d(2026, 12, 7), Urgency::Normaal, None, None, today);
        let a_bit_late = n.priority(d(2026, 12, 1), Urgency::Crisis, None, None, today);
        let mut list = vec![new_normal, a_bit_late, old_crisis];
        list.sort();
        assert_eq!(list, vec![old_crisis, a_bit_late, new_normal]);
    }

    #[test]
    fn a_neighbour_chooses_only_public_categories_and_may_describe_the_place() {
        let public: Vec<_> = SignalCategory::ALL
            .iter()
            .filter(|c| c.is_public())
            .collect();
        assert_eq!(public.len(), SignalCategory::ALL.len() - 1);
        assert!(!SignalCategory::Hulpvraag.is_public());
        assert_eq!(
            parse_place(" bij de speeltuin "),
            Ok("bij de speeltuin".to_owned())
        );
        assert_eq!(parse_place("hier"), Err(SignalError::Place));
        assert_eq!(parse_place(&"x".repeat(501)), Err(SignalError::Place));
    }

    #[test]
    fn closing_needs_an_open_signal_a_reason_and_a_day_since_the_report() {
        let (reported, today) = (d(2026, 11, 2), d(2026, 11, 10));
        let close =
            |stage, on, reason: &str| SignalClosure::new(stage, reported, on, reason, today);
        assert_eq!(
            close(SignalStage::New, today, "  "),
            Err(SignalError::CloseReason)
        );
        assert_eq!(
            close(SignalStage::New, today, &"x".repeat(1001)),
            Err(SignalError::CloseReason)
        );
        assert_eq!(
            close(SignalStage::Contacted, d(2026, 11, 1), "dubbel"),
            Err(SignalError::CloseBeforeReport)
        );
        assert_eq!(
            close(SignalStage::Assigned, d(2026, 11, 11), "dubbel"),
            Err(SignalError::Date(DateError::InFuture))
        );
        assert_eq!(
            close(SignalStage::Closed, today, "nog eens"),
            Err(SignalError::Closed)
        );
        let closed = close(SignalStage::Contacted, today, " Hulp loopt via het plan ").unwrap();
        assert_eq!(
            (closed.on(), closed.reason()),
            (today, "Hulp loopt via het plan")
        );
    }

    #[test]
    fn a_closed_signal_is_in_the_closed_stage_whatever_happened_before() {
        for linked in [false, true] {
            for contacted in [false, true] {
                assert_eq!(
                    SignalStage::of(linked, contacted, true),
                    SignalStage::Closed
                );
            }
        }
        assert_eq!(SignalStage::of(false, false, false), SignalStage::New);
        assert_eq!(SignalStage::of(true, false, false), SignalStage::Assigned);
        assert_eq!(SignalStage::of(true, true, false), SignalStage::Contacted);
        assert_eq!(SignalStage::Closed.ensure_open(), Err(SignalError::Closed));
    }

    proptest! {
        #[test]
        fn a_closed_signal_is_never_overdue_and_sorts_after_every_open_one(
            open in proptest::collection::vec((0i64..400, 0usize..3, proptest::option::of(0i64..20)), 1..20),
            closed in proptest::collection::vec((0i64..400, 0usize..3, 0i64..30), 1..10),
            today_offset in 0i64..450,
        ) {
            let n = ResponseNorms::default();
            let start = d(2026, 1, 1);
            let today = start + chrono::Duration::days(today_offset);
            let mut list: Vec<(TriagePriority, bool)> = Vec::new();
            for (reported, urgency, contact) in &open {
                let reported = start + chrono::Duration::days(*reported);
                let contact = contact.map(|c| reported + chrono::Duration::days(c));
                list.push((n.priority(reported, Urgency::ALL[*urgency], contact, None, today), false));
            }
            for (reported, urgency, after) in &closed {
                let reported = start + chrono::Duration::days(*reported);
                let on = reported + chrono::Duration::days(*after);
                let p = n.priority(reported, Urgency::ALL[*urgency], None, Some(on), today);
                prop_assert_eq!(p.working_days_late(), 0);
                list.push((p, true));
            }
            list.sort();
            let first_closed = list.iter().position(|(_, c)| *c).unwrap_or(list.len());
            prop_assert!(list[first_closed..].iter().all(|(_, c)| *c), "an open signal after a closed one");
        }

        #[test]
        fn closing_holds_exactly_for_an_open_signal_with_a_reason_between_report_and_today(
            stage in 0usize..4, after in -5i64..20, reason in "[ a-z]{0,12}", wait in 0i64..15,
        ) {
            let reported = d(2026, 11, 2);
            let today = reported + chrono::Duration::days(wait);
            let on = reported + chrono::Duration::days(after);
            let stage = SignalStage::ALL[stage];
            let ok = stage != SignalStage::Closed && on >= reported && on <= today && !reason.trim().is_empty();
            prop_assert_eq!(SignalClosure::new(stage, reported, on, &reason, today).is_ok(), ok);
        }

        #[test]
        fn triage_puts_overdue_first_latest_first_then_by_deadline(
            signals in proptest::collection::vec((0i64..400, 0usize..3, proptest::option::of(0i64..20)), 0..40),
            today_offset in 0i64..450,
        ) {
            let n = ResponseNorms::default();
            let start = d(2026, 1, 1);
            let today = start + chrono::Duration::days(today_offset);
            let mut list: Vec<TriagePriority> = signals
                .iter()
                .map(|(reported, urgency, contact)| {
                    let reported = start + chrono::Duration::days(*reported);
                    let contact = contact.map(|c| reported + chrono::Duration::days(c));
                    n.priority(reported, Urgency::ALL[*urgency], contact, None, today)
                })
                .collect();
            list.sort();
            for pair in list.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                match (a, b) {
                    (TriagePriority::Overdue { .. }, TriagePriority::Overdue { .. }) => {
                        prop_assert!(a.working_days_late() >= b.working_days_late());
                    }
                    (TriagePriority::Waiting { due: x }, TriagePriority::Waiting { due: y }) => {
                        prop_assert!(x <= y);
                    }
                    (TriagePriority::Overdue { .. }, _) => {}
                    (TriagePriority::Waiting { .. }, TriagePriority::Contacted { .. }) => {}
                    (TriagePriority::Contacted { .. }, TriagePriority::Contacted { .. }) => {}
                    _ => prop_assert!(false, "{:?} sorted before {:?}", a, b),
                }
            }
            // Overdue exactly when the state says so, and then at least one day late.
            for p in &list {
                prop_assert_eq!(matches!(p, TriagePriority::Overdue { .. }), p.working_days_late() > 0);
            }
        }

        #[test]
        fn a_signal_only_gets_later_as_days_pass(offset in 0i64..400, u in 0usize..3, wait in 0i64..60, more in 0i64..30) {
            let n = ResponseNorms::default();
            let reported = d(2026, 1, 1) + chrono::Duration::days(offset);
            let urgency = Urgency::ALL[u];
            let today = reported + chrono::Duration::days(wait);
            let later = today + chrono::Duration::days(more);
            let now = n.priority(reported, urgency, None, None, today);
            prop_assert_eq!(now.working_days_late() > 0, n.state(reported, urgency, None, today).is_overdue());
            prop_assert!(n.priority(reported, urgency, None, None, later).working_days_late() >= now.working_days_late());
        }

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
