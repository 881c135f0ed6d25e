//! A household's timeline: contact moments the team records after the first
//! contact, and the plan's events, newest first — and which of it each viewer
//! may see.
//!
//! Who sees what is a rule, so it is decided here, once ([`TimelineEntry::seen_by`]):
//! the team sees everything; the resident sees that a contact took place and
//! when, never the professional's note; a provider sees only its own reports;
//! policy roles see nothing of a household.

use super::{check_recorded, clean_text, DateError};
use chrono::NaiveDate;
use serde::Serialize;

/// How the team was in contact with the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ContactKind {
    HomeVisit,
    Phone,
    Email,
    NetworkMeeting,
}

impl ContactKind {
    pub const ALL: [ContactKind; 4] = [
        ContactKind::HomeVisit,
        ContactKind::Phone,
        ContactKind::Email,
        ContactKind::NetworkMeeting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::HomeVisit => "huisbezoek",
            ContactKind::Phone => "telefoon",
            ContactKind::Email => "email",
            ContactKind::NetworkMeeting => "netwerkoverleg",
        }
    }

    pub fn parse(s: &str) -> Option<ContactKind> {
        ContactKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Dutch name, as a resident reads it.
    pub fn label(self) -> &'static str {
        match self {
            ContactKind::HomeVisit => "Huisbezoek",
            ContactKind::Phone => "Telefoongesprek",
            ContactKind::Email => "E-mail",
            ContactKind::NetworkMeeting => "Overleg met het netwerk",
        }
    }
}

/// Why a contact moment cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactMomentError {
    #[error(transparent)]
    Date(#[from] DateError),
    #[error("say who took part (at most 200 characters)")]
    Who,
    #[error("the note is empty or longer than 4000 characters")]
    Note,
}

/// A contact with the household after the first contact: a home visit, a call,
/// an e-mail, a meeting with the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactMoment {
    held_on: NaiveDate,
    kind: ContactKind,
    who: String,
    note: String,
}

impl ContactMoment {
    /// A contact held on `held_on` (not in the future, within the recording
    /// window), with who took part and the professional's note.
    pub fn new(
        held_on: NaiveDate,
        kind: ContactKind,
        who: &str,
        note: &str,
        today: NaiveDate,
    ) -> Result<ContactMoment, ContactMomentError> {
        check_recorded(held_on, today)?;
        Ok(ContactMoment {
            held_on,
            kind,
            who: clean_text(who, 200).ok_or(ContactMomentError::Who)?,
            note: clean_text(note, 4000).ok_or(ContactMomentError::Note)?,
        })
    }
    pub fn held_on(&self) -> NaiveDate {
        self.held_on
    }
    pub fn kind(&self) -> ContactKind {
        self.kind
    }
    pub fn who(&self) -> &str {
        &self.who
    }
    pub fn note(&self) -> &str {
        &self.note
    }
}

/// What a provider reports on one of its agreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ReportKind {
    Started,
    Progress,
    /// Finished, with the result in the resident's words.
    Finished,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [
        ReportKind::Started,
        ReportKind::Progress,
        ReportKind::Finished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Started => "gestart",
            ReportKind::Progress => "voortgang",
            ReportKind::Finished => "afgerond",
        }
    }

    pub fn parse(s: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Started => "Gestart",
            ReportKind::Progress => "Voortgang",
            ReportKind::Finished => "Afgerond",
        }
    }
}

/// Why a provider's report cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the note is empty or longer than 2000 characters")]
    Note,
    #[error("a finished agreement needs its result in the resident's words")]
    Result,
}

/// A provider's report on one of its agreements: started, a progress note,
/// or finished with the result in the resident's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementReport {
    kind: ReportKind,
    note: String,
}

impl AgreementReport {
    /// A start may go without a note; progress needs one, and finishing needs
    /// the result as the resident puts it.
    pub fn new(kind: ReportKind, note: &str) -> Result<AgreementReport, ReportError> {
        let note = match (kind, clean_text(note, 2000)) {
            (_, Some(n)) => n,
            (ReportKind::Started, None) if note.trim().is_empty() => String::new(),
            (ReportKind::Finished, None) if note.trim().is_empty() => {
                return Err(ReportError::Result)
            }
            _ => return Err(ReportError::Note),
        };
        Ok(AgreementReport { kind, note })
    }
    pub fn kind(&self) -> ReportKind {
        self.kind
    }
    pub fn note(&self) -> &str {
        &self.note
    }
}

/// Who looks at a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The wijkteam (generalist, teamleider) of the household.
    Team,
    /// The resident of the household.
    Resident,
    /// A provider, by its id.
    Provider(i64),
    /// A policy role: aggregates only, never a household's timeline.
    Policy,
}

/// What happened, as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EventKind {
    Contact(ContactKind),
    AgreementMade,
    AgreementEnded,
    AgreementWithdrawn,
    ReferralRequested,
    ReferralDecided,
    Evaluation,
    /// A provider reported on one of its agreements.
    ProviderReport {
        provider_id: i64,
    },
}

/// One line of the timeline: when, what, who, and the note. Built by the
/// store from its rows; shown only through [`TimelineEntry::seen_by`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub on: NaiveDate,
    pub kind: EventKind,
    /// A short title: "Huisbezoek", "Afspraak: boodschappen met buurvrouw".
    pub title: String,
    /// Who took part or acted.
    pub who: String,
    /// The professional's (or provider's) note.
    pub note: String,
}

impl TimelineEntry {
    /// The entry as `viewer` may see it, or `None` when it is not theirs to see.
    /// The team sees everything; the resident a contact's kind and date only
    /// (no note, no participants) and nothing else of the timeline (the plan
    /// itself is on their own page); a provider only its own reports; a policy
    /// role nothing.
    pub fn seen_by(&self, viewer: Viewer) -> Option<TimelineEntry> {
        match viewer {
            Viewer::Team => Some(self.clone()),
            Viewer::Resident => match self.kind {
                EventKind::Contact(kind) => Some(TimelineEntry {
                    on: self.on,
                    kind: self.kind.clone(),
                    title: kind.label().to_owned(),
                    who: String::new(),
                    note: String::new(),
                }),
                _ => None,
            },
            Viewer::Provider(id) => match self.kind {
                EventKind::ProviderReport { provider_id } if provider_id == id => {
                    Some(self.clone())
                }
                _ => None,
            },
            Viewer::Policy => None,
        }
    }
}

/// The timeline as `viewer` may see it, newest first (a stable order: on the
/// same day, the later-listed entry first).
pub fn timeline_for(entries: &[TimelineEntry], viewer: Viewer) -> Vec<TimelineEntry> {
    let mut shown: Vec<(usize, TimelineEntry)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.seen_by(viewer).map(|e| (i, e)))
        .collect();
    shown.sort_by(|(ia, a), (ib, b)| b.on.cmp(&a.on).then(ib.cmp(ia)));
    shown.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn contact_moment_needs_who_a_note_and_a_past_date() {
        let today = d(2026, 12, 7);
        assert_eq!(
            ContactMoment::new(d(2026, 12, 8), ContactKind::Phone, "Anna", "n", today),
            Err(ContactMomentError::Date(DateError::InFuture))
        );
        assert_eq!(
            ContactMoment::new(today, ContactKind::Phone, " ", "n", today),
            Err(ContactMomentError::Who)
        );
        assert_eq!(
            ContactMoment::new(today, ContactKind::Phone, "Anna", "", today),
            Err(ContactMomentError::Note)
        );
        let m = ContactMoment::new(today, ContactKind::HomeVisit, "Anna", " goed ", today)
            .expect("valid");
        assert_eq!(m.note(), "goed");
    }

    #[test]
    fn finishing_needs_the_result_in_the_residents_words() {
        assert!(AgreementReport::new(ReportKind::Started, "").is_ok());
        assert_eq!(
            AgreementReport::new(ReportKind::Finished, " "),
            Err(ReportError::Result)
        );
        assert_eq!(
            AgreementReport::new(ReportKind::Progress, ""),
            Err(ReportError::Note)
        );
        assert_eq!(
            AgreementReport::new(ReportKind::Progress, &"x".repeat(2001)),
            Err(ReportError::Note)
        );
    }

    #[test]
    fn resident_sees_that_a_contact_took_place_not_the_note() {
        let e = TimelineEntry {
            on: d(2026, 12, 1),
            kind: EventKind::Contact(ContactKind::HomeVisit),
            title: "Huisbezoek".into(),
            who: "Anna en Piet".into(),
            note: "zorgen over schulden".into(),
        };
        let seen = e.seen_by(Viewer::Resident).expect("shown");
        assert_eq!(seen.on, d(2026, 12, 1));
        assert!(seen.note.is_empty() && seen.who.is_empty());
        assert_eq!(e.seen_by(Viewer::Policy), None);
        assert_eq!(e.seen_by(Viewer::Provider(3)), None);
    }

    fn kind() -> impl Strategy<Value = EventKind> {
        prop_oneof![
            (0usize..4).prop_map(|i| EventKind::Contact(ContactKind::ALL[i])),
            Just(EventKind::AgreementMade),
            Just(EventKind::AgreementEnded),
            Just(EventKind::AgreementWithdrawn),
            Just(EventKind::ReferralRequested),
            Just(EventKind::ReferralDecided),
            Just(EventKind::Evaluation),
            (1i64..4).prop_map(|provider_id| EventKind::ProviderReport { provider_id }),
        ]
    }

    fn entry() -> impl Strategy<Value = TimelineEntry> {
        (0i64..60, kind(), "[a-z]{1,8}", "[a-z]{1,12}").prop_map(|(day, kind, who, note)| {
            TimelineEntry {
                on: d(2026, 1, 1) + chrono::Duration::days(day),
                kind,
                title: "t".into(),
                who,
                note,
            }
        })
    }

    proptest! {
        #[test]
        fn no_note_reaches_anyone_outside_the_team_but_its_author(
            entries in prop::collection::vec(entry(), 0..30),
            provider in 1i64..4,
        ) {
            let team = timeline_for(&entries, Viewer::Team);
            prop_assert_eq!(team.len(), entries.len());
            prop_assert!(team.windows(2).all(|w| w[0].on >= w[1].on));
            prop_assert!(timeline_for(&entries, Viewer::Policy).is_empty());
            for e in timeline_for(&entries, Viewer::Resident) {
                prop_assert!(matches!(e.kind, EventKind::Contact(_)));
                prop_assert!(e.note.is_empty() && e.who.is_empty());
            }
            for e in timeline_for(&entries, Viewer::Provider(provider)) {
                prop_assert_eq!(e.kind, EventKind::ProviderReport { provider_id: provider });
            }
        }
    }
}
