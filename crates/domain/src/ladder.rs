//! The responsibility ladder (verantwoordelijkheidsladder), the four forms of
//! support, self-reliance scores and the participation ladder.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    #[error("a ladder step is a whole number from 1 (eigen kracht) to 5 (maatwerkvoorziening)")]
    LadderStep,
    #[error("a self-reliance score is a whole number from 1 (acuut probleem) to 5 (volledig zelfredzaam)")]
    SelfReliance,
    #[error("a participation rung is a whole number from 1 (geïsoleerd) to 6 (betaald werk)")]
    ParticipationRung,
    #[error("unknown form of support '{0}'; the forms are faciliteren, ondersteunen, interveniëren, beschermen")]
    SupportForm(String),
}

/// Steps 1–5, lightest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct LadderStep(u8);

impl LadderStep {
    pub fn new(step: u8) -> Result<Self, ScaleError> {
        (1..=5)
            .contains(&step)
            .then_some(LadderStep(step))
            .ok_or(ScaleError::LadderStep)
    }
    pub fn value(self) -> u8 {
        self.0
    }
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "eigen kracht",
            2 => "sociaal netwerk",
            3 => "algemene voorziening",
            4 => "lichte ondersteuning",
            _ => "maatwerkvoorziening",
        }
    }
    /// The line of care: 0e, 0e/1e, 1e, 2e.
    pub fn line(self) -> &'static str {
        match self.0 {
            1 | 2 => "0e lijn",
            3 => "0e/1e lijn",
            4 => "1e lijn",
            _ => "2e lijn",
        }
    }
    /// Steps 4 and 5 must say why every lighter step does not suffice.
    pub fn needs_justification(self) -> bool {
        self.0 >= 4
    }
    /// Step 5 goes through a referral approved by a team lead.
    pub fn needs_referral(self) -> bool {
        self.0 == 5
    }
    /// Informal help (own strength, network, collective) — bakens 2 and 4.
    pub fn is_informal(self) -> bool {
        self.0 <= 3
    }
    /// The lighter steps, lightest first.
    pub fn lighter(self) -> impl Iterator<Item = LadderStep> {
        (1..self.0).map(LadderStep)
    }
}

impl TryFrom<u8> for LadderStep {
    type Error = ScaleError;
    fn try_from(v: u8) -> Result<Self, ScaleError> {
        LadderStep::new(v)
    }
}
impl From<LadderStep> for u8 {
    fn from(v: LadderStep) -> u8 {
        v.0
    }
}

/// The four forms of support, light to heavy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SupportForm {
    Faciliteren,
    Ondersteunen,
    Intervenieren,
    Beschermen,
}

impl SupportForm {
    /// Every form, light to heavy: the one list choice lists and taxonomies are made from.
    pub const ALL: [SupportForm; 4] = [
        SupportForm::Faciliteren,
        SupportForm::Ondersteunen,
        SupportForm::Intervenieren,
        SupportForm::Beschermen,
    ];

    pub fn parse(s: &str) -> Result<Self, ScaleError> {
        match s.trim().to_lowercase().as_str() {
            "faciliteren" => Ok(SupportForm::Faciliteren),
            "ondersteunen" => Ok(SupportForm::Ondersteunen),
            "interveniëren" | "intervenieren" => Ok(SupportForm::Intervenieren),
            "beschermen" => Ok(SupportForm::Beschermen),
            other => Err(ScaleError::SupportForm(other.chars().take(40).collect())),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SupportForm::Faciliteren => "faciliteren",
            SupportForm::Ondersteunen => "ondersteunen",
            SupportForm::Intervenieren => "interveniëren",
            SupportForm::Beschermen => "beschermen",
        }
    }
}

/// Self-reliance on one life domain, 1–5 (ZRM-compatible levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct SelfRelianceScore(u8);

impl SelfRelianceScore {
    pub fn new(v: u8) -> Result<Self, ScaleError> {
        (1..=5)
            .contains(&v)
            .then_some(SelfRelianceScore(v))
            .ok_or(ScaleError::SelfReliance)
    }
    pub fn value(self) -> u8 {
        self.0
    }
    pub fn level(self) -> &'static str {
        match self.0 {
            1 => "acuut probleem",
            2 => "niet zelfredzaam",
            3 => "beperkt zelfredzaam",
            4 => "voldoende zelfredzaam",
            _ => "volledig zelfredzaam",
        }
    }
}
impl TryFrom<u8> for SelfRelianceScore {
    type Error = ScaleError;
    fn try_from(v: u8) -> Result<Self, ScaleError> {
        SelfRelianceScore::new(v)
    }
}
impl From<SelfRelianceScore> for u8 {
    fn from(v: SelfRelianceScore) -> u8 {
        v.0
    }
}

/// The participation ladder, 1 (isolated) to 6 (paid work).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ParticipationRung(u8);

impl ParticipationRung {
    pub fn new(v: u8) -> Result<Self, ScaleError> {
        (1..=6)
            .contains(&v)
            .then_some(ParticipationRung(v))
            .ok_or(ScaleError::ParticipationRung)
    }
    pub fn value(self) -> u8 {
        self.0
    }
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "geïsoleerd",
            2 => "sociale contacten buitenshuis",
            3 => "deelname georganiseerde activiteiten",
            4 => "onbetaald werk",
            5 => "betaald werk met ondersteuning",
            _ => "betaald werk",
        }
    }
}
impl TryFrom<u8> for ParticipationRung {
    type Error = ScaleError;
    fn try_from(v: u8) -> Result<Self, ScaleError> {
        ParticipationRung::new(v)
    }
}
impl From<ParticipationRung> for u8 {
    fn from(v: ParticipationRung) -> u8 {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_steps_four_and_five_need_justification() {
        let needs: Vec<u8> = (1..=5)
            .filter(|s| LadderStep::new(*s).unwrap().needs_justification())
            .collect();
        assert_eq!(needs, vec![4, 5]);
        assert!(LadderStep::new(5).unwrap().needs_referral());
        assert!(!LadderStep::new(4).unwrap().needs_referral());
    }

    #[test]
    fn forms_parse_with_or_without_diaeresis() {
        assert_eq!(
            SupportForm::parse("Interveniëren").unwrap(),
            SupportForm::Intervenieren
        );
        assert!(SupportForm::parse("helpen").is_err());
    }

    #[test]
    fn every_form_is_listed_once_light_to_heavy_and_its_label_parses_back() {
        let mut sorted = SupportForm::ALL.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, SupportForm::ALL, "once each, light to heavy");
        for form in SupportForm::ALL {
            assert_eq!(SupportForm::parse(form.label()).unwrap(), form);
        }
    }

    proptest! {
        #[test]
        fn scales_accept_exactly_their_range(v in 0u8..=255) {
            prop_assert_eq!(LadderStep::new(v).is_ok(), (1..=5).contains(&v));
            prop_assert_eq!(SelfRelianceScore::new(v).is_ok(), (1..=5).contains(&v));
            prop_assert_eq!(ParticipationRung::new(v).is_ok(), (1..=6).contains(&v));
        }

        #[test]
        fn lighter_steps_are_all_lighter(v in 1u8..=5) {
            let step = LadderStep::new(v).unwrap();
            let lighter: Vec<_> = step.lighter().collect();
            prop_assert_eq!(lighter.len(), (v - 1) as usize);
            prop_assert!(lighter.iter().all(|l| *l < step));
        }
    }
}
