//! The kitchen-table conversation (*keukentafelgesprek*): the presented
//! question, the question behind it per life domain, self-reliance scores on the
//! 13 ZRM domains, the participation rung, the network, strengths and wishes,
//! and the resident's consent for sharing.

use super::clean_text;
use super::signal::SignalError;
use super::{check_recorded, DateError};
use crate::coded::coded_enum;
use crate::ladder::{ParticipationRung, SelfRelianceScore};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

coded_enum!(
    /// The 13 life domains of the Zelfredzaamheid-Matrix.
    LifeDomain, SignalError::Domain, {
    Financien => ("financien", "Financiën"),
    WerkOpleiding => ("werk_opleiding", "Werk & opleiding"),
    Tijdsbesteding => ("tijdsbesteding", "Tijdsbesteding"),
    Huisvesting => ("huisvesting", "Huisvesting"),
    HuiselijkeRelaties => ("huiselijke_relaties", "Huiselijke relaties"),
    GeestelijkeGezondheid => ("geestelijke_gezondheid", "Geestelijke gezondheid"),
    LichamelijkeGezondheid => ("lichamelijke_gezondheid", "Lichamelijke gezondheid"),
    Middelengebruik => ("middelengebruik", "Middelengebruik"),
    BasaleAdl => ("basale_adl", "Basale ADL"),
    InstrumenteleAdl => ("instrumentele_adl", "Instrumentele ADL"),
    SociaalNetwerk => ("sociaal_netwerk", "Sociaal netwerk"),
    MaatschappelijkeParticipatie => ("maatschappelijke_participatie", "Maatschappelijke participatie"),
    Justitie => ("justitie", "Justitie"),
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversationError {
    #[error("the presented question is empty or longer than 2000 characters")]
    PresentedQuestion,
    #[error("an underlying need is empty or longer than 2000 characters")]
    UnderlyingNeed,
    #[error("score for {0:?} is not 1–5 or n.v.t.")]
    Score(LifeDomain),
    #[error("a network member needs a name and a relation")]
    NetworkMember,
    #[error("consent needs an organisation and a purpose")]
    ConsentIncomplete,
    #[error("consent must end after the day it was given")]
    ConsentEnd,
    #[error("unknown life domain")]
    Domain,
    #[error(transparent)]
    Date(#[from] DateError),
}

impl From<SignalError> for ConversationError {
    fn from(_: SignalError) -> Self {
        ConversationError::Domain
    }
}

/// A score on one domain: 1–5, or "n.v.t." (not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScoreEntry {
    Scored(SelfRelianceScore),
    NotApplicable,
}

impl ScoreEntry {
    /// "1".."5" or "nvt"/"n.v.t."; an empty input is `None` (not scored).
    pub fn parse(domain: LifeDomain, input: &str) -> Result<Option<ScoreEntry>, ConversationError> {
        let t = input.trim().to_lowercase();
        if t.is_empty() {
            return Ok(None);
        }
        if t == "nvt" || t == "n.v.t." || t == "n.v.t" {
            return Ok(Some(ScoreEntry::NotApplicable));
        }
        t.parse::<u8>()
            .ok()
            .and_then(|v| SelfRelianceScore::new(v).ok())
            .map(|s| Some(ScoreEntry::Scored(s)))
            .ok_or(ConversationError::Score(domain))
    }
    /// The stored code: "1".."5" or "nvt".
    pub fn code(self) -> String {
        match self {
            ScoreEntry::Scored(s) => s.value().to_string(),
            ScoreEntry::NotApplicable => "nvt".to_owned(),
        }
    }
    pub fn label(self) -> String {
        match self {
            ScoreEntry::Scored(s) => format!("{} – {}", s.value(), s.level()),
            ScoreEntry::NotApplicable => "n.v.t.".to_owned(),
        }
    }
    pub fn value(self) -> Option<u8> {
        match self {
            ScoreEntry::Scored(s) => Some(s.value()),
            ScoreEntry::NotApplicable => None,
        }
    }
}

/// Scores per domain; domains not present were not scored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores(pub BTreeMap<LifeDomain, ScoreEntry>);

impl Scores {
    /// The mean of the scored domains (n.v.t. left out); None when none scored.
    pub fn mean(&self) -> Option<f64> {
        let v: Vec<f64> = self
            .0
            .values()
            .filter_map(|s| s.value())
            .map(f64::from)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    }

    /// The change from `before` to `self` on the domains scored both times.
    pub fn change_since(&self, before: &Scores) -> Option<f64> {
        let pairs: Vec<(u8, u8)> = self
            .0
            .iter()
            .filter_map(|(d, a)| Some((before.0.get(d)?.value()?, a.value()?)))
            .collect();
        (!pairs.is_empty()).then(|| {
            pairs
                .iter()
                .map(|(b, a)| f64::from(*a) - f64::from(*b))
                .sum::<f64>()
                / pairs.len() as f64
        })
    }
}

/// What lies behind the presented question, on one life domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnderlyingNeed {
    domain: LifeDomain,
    need: String,
}

impl UnderlyingNeed {
    pub fn new(domain: LifeDomain, need: &str) -> Result<Self, ConversationError> {
        Ok(UnderlyingNeed {
            domain,
            need: clean_text(need, 2000).ok_or(ConversationError::UnderlyingNeed)?,
        })
    }
    pub fn domain(&self) -> LifeDomain {
        self.domain
    }
    pub fn need(&self) -> &str {
        &self.need
    }
}

/// Someone in the resident's network and what they can and will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkMember {
    name: String,
    relation: String,
    can_do: String,
    will_do: String,
}

impl NetworkMember {
    pub fn new(
        name: &str,
        relation: &str,
        can_do: &str,
        will_do: &str,
    ) -> Result<Self, ConversationError> {
        Ok(NetworkMember {
            name: clean_text(name, 120).ok_or(ConversationError::NetworkMember)?,
            relation: clean_text(relation, 120).ok_or(ConversationError::NetworkMember)?,
            can_do: can_do.trim().chars().take(1000).collect(),
            will_do: will_do.trim().chars().take(1000).collect(),
        })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn relation(&self) -> &str {
        &self.relation
    }
    pub fn can_do(&self) -> &str {
        &self.can_do
    }
    pub fn will_do(&self) -> &str {
        &self.will_do
    }
}

/// The resident's consent to share with one organisation, for one purpose,
/// until a date. A provider on the social map is named by its id (which is
/// what lets that provider see the plan, never a name that happens to match);
/// any other party by name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    organisation: String,
    provider_id: Option<i64>,
    purpose: String,
    given_on: NaiveDate,
    until: NaiveDate,
}

impl Consent {
    /// `organisation` is the provider's name when `provider_id` is given.
    pub fn new(
        organisation: &str,
        provider_id: Option<i64>,
        purpose: &str,
        given_on: NaiveDate,
        until: NaiveDate,
    ) -> Result<Self, ConversationError> {
        let organisation =
            clean_text(organisation, 200).ok_or(ConversationError::ConsentIncomplete)?;
        let purpose = clean_text(purpose, 500).ok_or(ConversationError::ConsentIncomplete)?;
        if until <= given_on {
            return Err(ConversationError::ConsentEnd);
        }
        Ok(Consent {
            organisation,
            provider_id,
            purpose,
            given_on,
            until,
        })
    }

    /// Does the consent hold on `day`?
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.given_on <= day && day <= self.until
    }
    pub fn organisation(&self) -> &str {
        &self.organisation
    }
    /// The provider on the social map it was given for, if it was.
    pub fn provider_id(&self) -> Option<i64> {
        self.provider_id
    }
    pub fn purpose(&self) -> &str {
        &self.purpose
    }
    pub fn given_on(&self) -> NaiveDate {
        self.given_on
    }
    pub fn until(&self) -> NaiveDate {
        self.until
    }
}

/// One kitchen-table conversation. Its date and question are fixed when it is
/// made; needs, network members and consents are added through methods (a
/// consent is given at the conversation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversation {
    held_on: NaiveDate,
    presented_question: String,
    underlying_needs: Vec<UnderlyingNeed>,
    pub scores: Scores,
    pub rung: Option<ParticipationRung>,
    network: Vec<NetworkMember>,
    pub strengths: String,
    pub wishes: String,
    consents: Vec<Consent>,
}

impl Conversation {
    /// A conversation held on `held_on`: not in the future, and within the
    /// recording window ([`super::RECORDING_WINDOW_DAYS`]).
    pub fn new(
        held_on: NaiveDate,
        presented_question: &str,
        today: NaiveDate,
    ) -> Result<Self, ConversationError> {
        check_recorded(held_on, today)?;
        Ok(Conversation {
            held_on,
            presented_question: clean_text(presented_question, 2000)
                .ok_or(ConversationError::PresentedQuestion)?,
            underlying_needs: Vec::new(),
            scores: Scores::default(),
            rung: None,
            network: Vec::new(),
            strengths: String::new(),
            wishes: String::new(),
            consents: Vec::new(),
        })
    }

    pub fn held_on(&self) -> NaiveDate {
        self.held_on
    }
    pub fn presented_question(&self) -> &str {
        &self.presented_question
    }
    pub fn underlying_needs(&self) -> &[UnderlyingNeed] {
        &self.underlying_needs
    }
    pub fn network(&self) -> &[NetworkMember] {
        &self.network
    }
    pub fn consents(&self) -> &[Consent] {
        &self.consents
    }
    pub fn add_need(&mut self, need: UnderlyingNeed) {
        self.underlying_needs.push(need);
    }
    pub fn add_network_member(&mut self, member: NetworkMember) {
        self.network.push(member);
    }
    /// The resident's consent, given at this conversation, until `until`.
    pub fn add_consent(
        &mut self,
        organisation: &str,
        provider_id: Option<i64>,
        purpose: &str,
        until: NaiveDate,
    ) -> Result<&Consent, ConversationError> {
        let c = Consent::new(organisation, provider_id, purpose, self.held_on, until)?;
        self.consents.push(c);
        Ok(self.consents.last().expect("just pushed"))
    }

    /// Baken 1: does the question behind the question differ from the question
    /// asked? True when at least one underlying need was recorded whose text is
    /// not the presented question itself.
    pub fn finds_question_behind_question(&self) -> bool {
        need_differs(
            &self.presented_question,
            self.underlying_needs.iter().map(|n| n.need.as_str()),
        )
    }
}

/// The comparison behind baken 1, on plain texts (used by the store too).
pub fn need_differs<'a>(presented: &str, needs: impl IntoIterator<Item = &'a str>) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let p = norm(presented);
    needs.into_iter().any(|n| {
        let n = norm(n);
        !n.is_empty() && n != p
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn there_are_thirteen_zrm_domains() {
        assert_eq!(LifeDomain::ALL.len(), 13);
        assert_eq!(
            LifeDomain::parse("Financiën").unwrap(),
            LifeDomain::Financien
        );
    }

    #[test]
    fn scores_accept_one_to_five_and_nvt() {
        let dm = LifeDomain::Justitie;
        assert_eq!(
            ScoreEntry::parse(dm, "n.v.t.").unwrap(),
            Some(ScoreEntry::NotApplicable)
        );
        assert_eq!(ScoreEntry::parse(dm, "").unwrap(), None);
        assert_eq!(
            ScoreEntry::parse(dm, "3").unwrap().and_then(|s| s.value()),
            Some(3)
        );
        assert!(ScoreEntry::parse(dm, "6").is_err());
        assert!(ScoreEntry::parse(dm, "goed").is_err());
    }

    #[test]
    fn tafeltje_dekje_that_turns_out_to_be_loneliness_counts_for_baken_one() {
        let mut c =
            Conversation::new(d(2026, 1, 5), "Tafeltje dekje aan huis", d(2026, 1, 5)).unwrap();
        assert!(!c.finds_question_behind_question());
        c.add_need(
            UnderlyingNeed::new(
                LifeDomain::SociaalNetwerk,
                "Eenzaam sinds haar man overleed",
            )
            .unwrap(),
        );
        assert!(c.finds_question_behind_question());
        assert!(!need_differs("Schulden!", ["schulden"]));
    }

    #[test]
    fn score_change_uses_domains_scored_both_times() {
        let mut before = Scores::default();
        let mut after = Scores::default();
        let s = |v| ScoreEntry::Scored(SelfRelianceScore::new(v).unwrap());
        before.0.insert(LifeDomain::SociaalNetwerk, s(1));
        before.0.insert(LifeDomain::Tijdsbesteding, s(2));
        before
            .0
            .insert(LifeDomain::Justitie, ScoreEntry::NotApplicable);
        after.0.insert(LifeDomain::SociaalNetwerk, s(3));
        after.0.insert(LifeDomain::Tijdsbesteding, s(3));
        after.0.insert(LifeDomain::Financien, s(5));
        assert_eq!(after.change_since(&before), Some(1.5));
        assert_eq!(before.mean(), Some(1.5));
    }

    #[test]
    fn consent_needs_organisation_purpose_and_a_later_end() {
        assert_eq!(
            Consent::new("", None, "doel", d(2026, 1, 1), d(2026, 6, 1)),
            Err(ConversationError::ConsentIncomplete)
        );
        assert_eq!(
            Consent::new("Woonstede", None, "overlast", d(2026, 1, 1), d(2026, 1, 1)),
            Err(ConversationError::ConsentEnd)
        );
        let c = Consent::new(
            "Woonstede",
            Some(4),
            "overlast",
            d(2026, 1, 1),
            d(2026, 6, 1),
        )
        .unwrap();
        assert!(c.holds_on(d(2026, 6, 1)) && !c.holds_on(d(2026, 6, 2)));
        assert_eq!(c.provider_id(), Some(4));
    }

    #[test]
    fn a_conversation_that_has_not_happened_yet_cannot_be_recorded() {
        let today = d(2026, 12, 1);
        assert_eq!(
            Conversation::new(d(2026, 12, 2), "Vraag", today).unwrap_err(),
            ConversationError::Date(DateError::InFuture)
        );
        assert_eq!(
            Conversation::new(d(2026, 5, 1), "Vraag", today).unwrap_err(),
            ConversationError::Date(DateError::TooLongAgo)
        );
        assert!(Conversation::new(d(2026, 9, 1), "Vraag", today).is_ok());
    }

    proptest! {
        #[test]
        fn a_score_parses_exactly_when_it_is_one_to_five(v in 0u16..300) {
            let r = ScoreEntry::parse(LifeDomain::Financien, &v.to_string());
            prop_assert_eq!(r.is_ok(), (1..=5).contains(&v));
        }
    }
}
