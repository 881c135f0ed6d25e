//! The social agenda's goals and the commission that serves them.

use crate::contracting::Cents;
use crate::DistrictCode;
use chrono::NaiveDate;
use std::fmt;

/// One of the eight bakens of Welzijn Nieuwe Stijl (1–8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Baken(u8);

impl Baken {
    pub fn new(number: i64) -> Result<Baken, CommissionError> {
        u8::try_from(number)
            .ok()
            .filter(|n| (1..=8).contains(n))
            .map(Baken)
            .ok_or(CommissionError::Baken)
    }
    pub fn number(self) -> u8 {
        self.0
    }
    /// The baken's name as the minister's letter (seed 002) gives it.
    pub fn title(self) -> &'static str {
        match self.0 {
            1 => "Gericht op de vraag achter de vraag",
            2 => "Gebaseerd op de eigen kracht van de burger",
            3 => "Direct erop af",
            4 => "Formeel en informeel in samenhang",
            5 => "Doordachte balans tussen collectief en individueel",
            6 => "Integraal werken",
            7 => "Niet vrijblijvend, maar resultaatgericht",
            _ => "Ruimte voor de professional",
        }
    }
}

impl fmt::Display for Baken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Baken {}: {}", self.0, self.title())
    }
}

/// A goal on the municipality's social agenda, in plain Dutch, tied to a baken
/// and optionally to one district ("minder eenzaamheid onder ouderen in Noord").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaGoal {
    text: String,
    baken: Baken,
    district: Option<DistrictCode>,
}

impl AgendaGoal {
    pub fn new(
        text: &str,
        baken: Baken,
        district: Option<DistrictCode>,
    ) -> Result<AgendaGoal, CommissionError> {
        let text = text.trim();
        if !(10..=300).contains(&text.chars().count()) {
            return Err(CommissionError::GoalText);
        }
        Ok(AgendaGoal {
            text: text.to_owned(),
            baken,
            district,
        })
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn baken(&self) -> Baken {
        self.baken
    }
    pub fn district(&self) -> Option<&DistrictCode> {
        self.district.as_ref()
    }
}

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $list:literal { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(input: &str) -> Result<$name, CommissionError> {
                let t = input.trim();
                Self::ALL.iter().copied().find(|v| v.code() == t).ok_or_else(|| {
                    CommissionError::UnknownCode { list: $list, input: t.chars().take(20).collect() }
                })
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// An opdracht (procured) or a subsidie (granted).
    CommissionKind, "soort" {
        Opdracht => ("opdracht", "Opdracht"),
        Subsidie => ("subsidie", "Subsidie"),
    }
);

code_enum!(
    /// The steering models of seed 004.
    SteeringModel, "sturingsmodel" {
        Partnerschap => ("partnerschap", "Partnerschap (samen met instellingen)"),
        Regisseur => ("regisseur", "Gemeente als regisseur"),
        Producer => ("producer", "Gemeente als producer"),
    }
);

code_enum!(
    /// How the commission is carried out. Maatwerk products (per client, with a
    /// toewijzing) belong to the contracting module, not here.
    CommissionVariant, "uitvoeringsvariant" {
        Taakgericht => ("taakgericht", "Taakgerichte subsidie"),
        Prestatiesubsidie => ("prestatie", "Prestatiesubsidie"),
        Resultaatopdracht => ("resultaat", "Resultaatgerichte opdracht"),
    }
);

/// A commission (opdracht or subsidie) to one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commission {
    pub title: String,
    pub kind: CommissionKind,
    pub provider_id: i64,
    /// The agenda goals it serves (ids); at least one.
    pub goals: Vec<i64>,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub budget: Cents,
    pub steering: SteeringModel,
    pub variant: CommissionVariant,
    /// Chain partners the provider must work with (seed 002).
    pub chain_partners: Vec<String>,
    /// The provider's year plan and work plan (seed 001), written in Baken.
    pub year_plan: String,
    pub work_plan: String,
}

impl Commission {
    /// Checks the commission's invariants and tidies its texts.
    pub fn check(mut self) -> Result<Commission, CommissionError> {
        self.title = self.title.trim().to_owned();
        if !(5..=160).contains(&self.title.chars().count()) {
            return Err(CommissionError::Title);
        }
        if self.goals.is_empty() {
            return Err(CommissionError::NoGoal);
        }
        if self.until < self.from {
            return Err(CommissionError::Period {
                from: self.from,
                until: self.until,
            });
        }
        if self.budget.value() <= 0 {
            return Err(CommissionError::Budget);
        }
        self.chain_partners = self
            .chain_partners
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if self.chain_partners.iter().any(|p| p.chars().count() > 120) {
            return Err(CommissionError::ChainPartner);
        }
        self.goals.sort_unstable();
        self.goals.dedup();
        Ok(self)
    }

    /// Is `date` within the commission's period?
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.until
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommissionError {
    #[error("a baken is a number from 1 to 8")]
    Baken,
    #[error("a goal is 10 to 300 characters of plain language")]
    GoalText,
    #[error("a commission needs a title of 5 to 160 characters")]
    Title,
    #[error("a commission serves at least one goal of the social agenda")]
    NoGoal,
    #[error("the period ends ({until}) before it starts ({from})")]
    Period { from: NaiveDate, until: NaiveDate },
    #[error("the budget must be more than zero")]
    Budget,
    #[error("a chain partner's name is at most 120 characters")]
    ChainPartner,
    #[error("{list} is not one of the known codes: '{input}'")]
    UnknownCode { list: &'static str, input: String },
}

impl CommissionError {
    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            CommissionError::Baken => "baken",
            CommissionError::GoalText => "tekst",
            CommissionError::Title => "titel",
            CommissionError::NoGoal => "doelen",
            CommissionError::Period { .. } => "tot",
            CommissionError::Budget => "budget",
            CommissionError::ChainPartner => "ketenpartners",
            CommissionError::UnknownCode { list, .. } => list,
        }
    }
    /// The message a user reads (Dutch, B1).
    pub fn dutch(&self) -> String {
        match self {
            CommissionError::Baken => "Kies een van de acht bakens.".into(),
            CommissionError::GoalText => {
                "Schrijf het doel in gewone taal, 10 tot 300 tekens.".into()
            }
            CommissionError::Title => "Geef de opdracht een titel van 5 tot 160 tekens.".into(),
            CommissionError::NoGoal => "Kies minstens één doel van de sociale agenda.".into(),
            CommissionError::Period { .. } => "De einddatum ligt vóór de begindatum.".into(),
            CommissionError::Budget => "Het budget moet meer dan € 0 zijn.".into(),
            CommissionError::ChainPartner => {
                "De naam van een ketenpartner is hooguit 120 tekens.".into()
            }
            CommissionError::UnknownCode { list, .. } => format!("Kies een {list} uit de lijst."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn commission() -> Commission {
        Commission {
            title: "Welzijn Rotterdam-Centrum 2026".into(),
            kind: CommissionKind::Subsidie,
            provider_id: 1,
            goals: vec![2, 1, 2],
            from: date("2026-01-01"),
            until: date("2026-12-31"),
            budget: Cents::new(40_000_000).unwrap(),
            steering: SteeringModel::Regisseur,
            variant: CommissionVariant::Prestatiesubsidie,
            chain_partners: vec![" Wijkteam Centrum ".into(), "".into()],
            year_plan: String::new(),
            work_plan: String::new(),
        }
    }

    #[test]
    fn a_goal_is_plain_language_of_reasonable_length() {
        let baken = Baken::new(4).unwrap();
        assert!(AgendaGoal::new("kort", baken, None).is_err());
        let goal = AgendaGoal::new(
            "Minder eenzaamheid onder ouderen in Noord",
            baken,
            Some(DistrictCode::parse("WK059901").unwrap()),
        )
        .unwrap();
        assert_eq!(goal.baken().number(), 4);
        assert_eq!(Baken::new(9), Err(CommissionError::Baken));
        assert_eq!(Baken::new(0), Err(CommissionError::Baken));
    }

    #[test]
    fn a_commission_tidies_its_partners_and_goals() {
        let c = commission().check().unwrap();
        assert_eq!(c.goals, vec![1, 2]);
        assert_eq!(c.chain_partners, vec!["Wijkteam Centrum".to_owned()]);
        assert!(c.covers(date("2026-06-30")));
        assert!(!c.covers(date("2027-01-01")));
    }

    #[test]
    fn a_commission_without_goal_budget_or_period_is_refused() {
        let mut c = commission();
        c.goals.clear();
        assert_eq!(c.check().unwrap_err().field(), "doelen");
        let mut c = commission();
        c.budget = Cents::new(0).unwrap();
        assert_eq!(c.check().unwrap_err(), CommissionError::Budget);
        let mut c = commission();
        c.until = date("2025-12-31");
        assert_eq!(c.check().unwrap_err().field(), "tot");
    }

    #[test]
    fn codes_parse_and_unknown_codes_name_their_list() {
        assert_eq!(
            SteeringModel::parse("producer").unwrap(),
            SteeringModel::Producer
        );
        let err = CommissionKind::parse("lening").unwrap_err();
        assert_eq!(err.field(), "soort");
        assert_eq!(
            CommissionVariant::parse("prestatie").unwrap().label(),
            "Prestatiesubsidie"
        );
    }
}
