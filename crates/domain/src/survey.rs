//! The Wmo client survey (cliëntervaringsonderzoek, CEO): the questions, the
//! answer scale, the one-time invitation code and the rules for publishing a
//! result.
//!
//! **The legal basis (verified).** Wmo 2015 art. 2.5.1 makes the college
//! research residents' experience every year; the *Uitvoeringsregeling Wmo
//! 2015* (BWBR0036096, version in force from 20 March 2025, vendored in
//! `standards/iwmo-3.2/Uitvoeringsregeling_Wmo_2015.md`), **hoofdstuk 5,
//! artikel 8**, says the survey asks at least people for whom an onderzoek
//! (art. 2.3.2) was done or who use a voorziening, with a questionnaire that
//! covers, where applicable: (a) the accessibility of voorzieningen, (b) the
//! quality of the support, and (c) whether the support helps their
//! zelfredzaamheid and participation; a representative sample is allowed.
//! The regulation in that version prescribes **themes, not question texts and
//! not an answer scale.**
//!
//! **The question texts (not verified against a primary text).** The nine
//! statements below are the standard set municipalities use for the three
//! themes and report on waarstaatjegemeente.nl (the VNG/KING standard
//! questionnaire "Cliëntervaringsonderzoek Wmo"). Their wording here is the
//! best-sourced we found — secondary sources (published municipal CEO reports,
//! e.g. Onderzoekcentrum Drechtsteden, CEO Wmo 2023) describe the same items:
//! knew where to go, helped quickly, taken seriously, searched together for
//! solutions, quality good, fits the need, copes better, better quality of
//! life, can do what I want. Check the wording against the current VNG
//! handreiking before a real survey round; the codes (`q1`…`q9`) and themes
//! stay the same if a text changes.
//!
//! **The scale** is the one that standard set uses: five points from
//! "helemaal mee eens" to "helemaal niet mee eens", plus "weet niet / niet van
//! toepassing" (a choice, not an opinion: left out of a percentage).

use crate::cell_key::{protect, CellKeys, RecordKey};
use std::fmt;

/// The three themes of Uitvoeringsregeling Wmo 2015 art. 8, second paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Theme {
    /// (a) de toegankelijkheid van voorzieningen.
    Access,
    /// (b) de kwaliteit van de ondersteuning.
    Quality,
    /// (c) bijdrage aan zelfredzaamheid en participatie.
    Effect,
}

impl Theme {
    pub fn label(self) -> &'static str {
        match self {
            Theme::Access => "Toegang",
            Theme::Quality => "Kwaliteit",
            Theme::Effect => "Effect",
        }
    }
}

/// One statement of the questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The form field and CSV column: `q1` … `q9`.
    pub code: &'static str,
    pub theme: Theme,
    /// The statement as the resident reads it.
    pub text: &'static str,
    /// A short label for tables.
    pub short: &'static str,
}

/// The questions, in the order asked. See the module doc for the source.
pub const QUESTIONS: [Question; 9] = [
    Question {
        code: "q1",
        theme: Theme::Access,
        text: "Ik weet waar ik moet zijn als ik hulp of ondersteuning nodig heb.",
        short: "Weet waar hulp te vragen",
    },
    Question {
        code: "q2",
        theme: Theme::Access,
        text: "Ik werd snel geholpen.",
        short: "Snel geholpen",
    },
    Question {
        code: "q3",
        theme: Theme::Access,
        text: "De medewerker nam mij serieus.",
        short: "Serieus genomen",
    },
    Question {
        code: "q4",
        theme: Theme::Access,
        text: "De medewerker en ik hebben samen naar oplossingen gezocht.",
        short: "Samen oplossingen gezocht",
    },
    Question {
        code: "q5",
        theme: Theme::Quality,
        text: "Ik vind de kwaliteit van de ondersteuning die ik krijg goed.",
        short: "Kwaliteit goed",
    },
    Question {
        code: "q6",
        theme: Theme::Quality,
        text: "De ondersteuning die ik krijg past bij mijn hulpvraag.",
        short: "Past bij hulpvraag",
    },
    Question {
        code: "q7",
        theme: Theme::Effect,
        text: "Door de ondersteuning die ik krijg kan ik de dingen doen die ik wil.",
        short: "Kan doen wat ik wil",
    },
    Question {
        code: "q8",
        theme: Theme::Effect,
        text: "Door de ondersteuning die ik krijg kan ik mij beter redden.",
        short: "Kan mij beter redden",
    },
    Question {
        code: "q9",
        theme: Theme::Effect,
        text: "Door de ondersteuning die ik krijg heb ik een betere kwaliteit van leven.",
        short: "Betere kwaliteit van leven",
    },
];

/// The question the commissioning "oordeel" indicator reads: whether the
/// support helped (`ComputedMeasure::ResidentJudgement`).
pub const JUDGEMENT_QUESTION: usize = 7;

/// One answer on the scale. Stored as 1 (helemaal niet mee eens) to 5
/// (helemaal mee eens), 0 for "weet niet / niet van toepassing".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    StronglyDisagree,
    Disagree,
    Neutral,
    Agree,
    StronglyAgree,
    DontKnow,
}

impl Answer {
    /// In the order shown on the form.
    pub const ALL: [Answer; 6] = [
        Answer::StronglyAgree,
        Answer::Agree,
        Answer::Neutral,
        Answer::Disagree,
        Answer::StronglyDisagree,
        Answer::DontKnow,
    ];

    pub fn code(self) -> i16 {
        match self {
            Answer::DontKnow => 0,
            Answer::StronglyDisagree => 1,
            Answer::Disagree => 2,
            Answer::Neutral => 3,
            Answer::Agree => 4,
            Answer::StronglyAgree => 5,
        }
    }

    pub fn from_code(code: i16) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.code() == code)
    }

    /// A form value ("0" … "5").
    pub fn parse(value: &str) -> Option<Answer> {
        value.trim().parse::<i16>().ok().and_then(Answer::from_code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Answer::StronglyAgree => "Helemaal mee eens",
            Answer::Agree => "Mee eens",
            Answer::Neutral => "Niet eens, niet oneens",
            Answer::Disagree => "Niet mee eens",
            Answer::StronglyDisagree => "Helemaal niet mee eens",
            Answer::DontKnow => "Weet ik niet / niet van toepassing",
        }
    }

    /// An opinion (counts in the denominator of a percentage).
    pub fn is_opinion(self) -> bool {
        self != Answer::DontKnow
    }

    /// "(Helemaal) mee eens": counts in the numerator.
    pub fn agrees(self) -> bool {
        matches!(self, Answer::Agree | Answer::StronglyAgree)
    }
}

/// A complete questionnaire: one answer to each question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers(pub [Answer; 9]);

/// A question left open or answered with a value not on the scale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("question {code} has no answer on the scale")]
pub struct MissingAnswer {
    pub code: &'static str,
}

impl Answers {
    /// From the form's values, looked up per question code. Every question
    /// needs one answer ("weet ik niet" is one); every missing one is named.
    pub fn parse<'a>(
        value_of: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Answers, Vec<MissingAnswer>> {
        let mut out = [Answer::DontKnow; 9];
        let mut missing = Vec::new();
        for (i, q) in QUESTIONS.iter().enumerate() {
            match value_of(q.code).and_then(Answer::parse) {
                Some(a) => out[i] = a,
                None => missing.push(MissingAnswer { code: q.code }),
            }
        }
        if missing.is_empty() {
            Ok(Answers(out))
        } else {
            Err(missing)
        }
    }

    /// The stored codes, in question order.
    pub fn codes(&self) -> [i16; 9] {
        self.0.map(Answer::code)
    }

    pub fn from_codes(codes: [i16; 9]) -> Option<Answers> {
        let mut out = [Answer::DontKnow; 9];
        for (slot, code) in out.iter_mut().zip(codes) {
            *slot = Answer::from_code(code)?;
        }
        Some(Answers(out))
    }
}

/// The alphabet of invitation codes: Crockford's base 32 without I, L, O and
/// U, so a code typed from a letter survives 0/O and 1/I/L mix-ups.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code: 16 × 5 bits = 80 random bits, beyond guessing.
pub const CODE_CHARS: usize = 16;

/// A one-time invitation code, as printed on a letter (`ABCD-EFGH-JKMN-PQRS`)
/// or carried by an e-mail's link. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct InvitationCode(String);

/// Input that is not an invitation code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an invitation code has 16 letters and digits")]
pub struct CodeError;

impl InvitationCode {
    /// A code from 10 random bytes (the caller draws them from the OS).
    pub fn from_random(bytes: [u8; 10]) -> InvitationCode {
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(b);
        }
        let code = (0..CODE_CHARS)
            .rev()
            .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
            .collect();
        InvitationCode(code)
    }

    /// What a resident typed: case, spaces and dashes do not matter; O reads
    /// as 0 and I or L as 1.
    pub fn parse(input: &str) -> Result<InvitationCode, CodeError> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' | '\t' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
                return Err(CodeError);
            }
            code.push(c);
        }
        if code.len() == CODE_CHARS {
            Ok(InvitationCode(code))
        } else {
            Err(CodeError)
        }
    }

    /// The code without dashes (what the link carries and what is hashed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// In groups of four, for a letter.
    pub fn grouped(&self) -> String {
        crate::text::grouped_by_four(&self.0)
    }
}

impl fmt::Debug for InvitationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvitationCode(…)")
    }
}

/// The fewest respondents (as published, after the cell-key noise) for which
/// a percentage is shown. Below it a share of a handful of people could say
/// what one of them answered.
pub const MIN_RESPONDENTS: u64 = 10;

/// The percentage shown for a question: `agree` of `opinions` (both already
/// protected), rounded to a whole percent, or nothing when fewer than
/// [`MIN_RESPONDENTS`] gave an opinion.
pub fn published_share(agree: u64, opinions: u64) -> Option<u64> {
    if opinions < MIN_RESPONDENTS {
        return None;
    }
    let agree = agree.min(opinions);
    Some((agree * 200 + opinions) / (opinions * 2))
}

/// The cells of one group of answers (a team, a provider, the municipality)
/// before publication: all respondents, and per question those who gave an
/// opinion and those who agreed. Each answer adds its record key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    respondents: CellKeys,
    opinions: [CellKeys; 9],
    agree: [CellKeys; 9],
}

/// A group's result as published: the protected number of respondents and a
/// percentage per question, or none below [`MIN_RESPONDENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedResult {
    pub respondents: u64,
    pub shares: [Option<u64>; 9],
}

impl Tally {
    pub fn add(&mut self, key: RecordKey, answers: &Answers) {
        self.respondents.add(key);
        for (i, a) in answers.0.iter().enumerate() {
            if a.is_opinion() {
                self.opinions[i].add(key);
                if a.agrees() {
                    self.agree[i].add(key);
                }
            }
        }
    }

    /// Every count through the cell key ([`protect`]), then the percentages
    /// from the protected counts.
    pub fn publish(&self) -> PublishedResult {
        let mut shares = [None; 9];
        for (i, share) in shares.iter_mut().enumerate() {
            *share = published_share(
                protect(&self.agree[i]).value(),
                protect(&self.opinions[i]).value(),
            );
        }
        PublishedResult {
            respondents: protect(&self.respondents).value(),
            shares,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nine_questions_cover_the_three_themes_of_article_8() {
        for theme in [Theme::Access, Theme::Quality, Theme::Effect] {
            assert!(QUESTIONS.iter().any(|q| q.theme == theme));
        }
        let codes: std::collections::BTreeSet<_> = QUESTIONS.iter().map(|q| q.code).collect();
        assert_eq!(codes.len(), 9);
        assert_eq!(QUESTIONS[JUDGEMENT_QUESTION].code, "q8");
    }

    #[test]
    fn a_question_left_open_is_named() {
        let err = Answers::parse(|code| (code != "q3").then_some("4")).unwrap_err();
        assert_eq!(err, vec![MissingAnswer { code: "q3" }]);
        let err = Answers::parse(|_| Some("7")).unwrap_err();
        assert_eq!(err.len(), 9, "7 is not on the scale");
    }

    #[test]
    fn dont_know_is_an_answer_but_not_an_opinion() {
        let answers = Answers::parse(|_| Some("0")).unwrap();
        assert!(answers.0.iter().all(|a| !a.is_opinion() && !a.agrees()));
    }

    #[test]
    fn a_typed_code_forgives_case_dashes_and_look_alikes() {
        let code = InvitationCode::parse("abcd-efgh-jkmn-pqrs").unwrap();
        assert_eq!(code.as_str(), "ABCDEFGHJKMNPQRS");
        assert_eq!(code.grouped(), "ABCD-EFGH-JKMN-PQRS");
        assert_eq!(
            InvitationCode::parse("OOOO IIII LLLL 0000")
                .unwrap()
                .as_str(),
            "0000111111110000"
        );
        assert_eq!(InvitationCode::parse("ABCD"), Err(CodeError));
        assert_eq!(InvitationCode::parse("ABCD-EFGH-JKMN-PQR!"), Err(CodeError));
        assert_eq!(InvitationCode::parse("ÀBCD-EFGH-JKMN-PQRS"), Err(CodeError));
    }

    #[test]
    fn no_percentage_below_the_minimum_of_respondents() {
        assert_eq!(published_share(9, 9), None);
        assert_eq!(published_share(0, 0), None);
        assert_eq!(published_share(7, 10), Some(70));
        assert_eq!(published_share(2, 3 * MIN_RESPONDENTS), Some(7));
        assert_eq!(
            published_share(40, 30),
            Some(100),
            "noise never shows above 100"
        );
    }

    #[test]
    fn a_small_group_shows_no_percentage_and_no_count_from_one_to_four() {
        let all_agree = Answers([Answer::StronglyAgree; 9]);
        for n in 1..=4u32 {
            let mut tally = Tally::default();
            for k in 0..n {
                tally.add(
                    RecordKey::from_raw(k.wrapping_mul(2_654_435_761)),
                    &all_agree,
                );
            }
            let published = tally.publish();
            assert_eq!(published.respondents, 0, "{n} respondents published as 0");
            assert!(published.shares.iter().all(Option::is_none));
        }
    }

    proptest! {
        #[test]
        fn a_published_result_never_shows_a_count_from_one_to_four(
            keys in proptest::collection::vec(any::<u32>(), 0..40),
            codes in proptest::array::uniform9(0i16..=5),
        ) {
            let answers = Answers::from_codes(codes).unwrap();
            let mut tally = Tally::default();
            for k in &keys {
                tally.add(RecordKey::from_raw(*k), &answers);
            }
            let published = tally.publish();
            prop_assert!(!(1..=4).contains(&published.respondents));
            for share in published.shares.iter().flatten() {
                prop_assert!(*share <= 100);
            }
        }


        #[test]
        fn every_random_code_parses_back_to_itself(bytes in any::<[u8; 10]>()) {
            let code = InvitationCode::from_random(bytes);
            prop_assert_eq!(code.as_str().len(), CODE_CHARS);
            prop_assert_eq!(InvitationCode::parse(&code.grouped()), Ok(code.clone()));
            prop_assert_eq!(InvitationCode::parse(&code.as_str().to_lowercase()), Ok(code));
        }

        #[test]
        fn different_bytes_give_different_codes(a in any::<[u8; 10]>(), b in any::<[u8; 10]>()) {
            prop_assume!(a != b);
            prop_assert_ne!(InvitationCode::from_random(a), InvitationCode::from_random(b));
        }

        #[test]
        fn answers_survive_storage(codes in proptest::array::uniform9(0i16..=5)) {
            let answers = Answers::from_codes(codes).unwrap();
            prop_assert_eq!(answers.codes(), codes);
        }

        #[test]
        fn a_share_is_a_percentage_or_nothing(agree in 0u64..500, opinions in 0u64..500) {
            match published_share(agree, opinions) {
                None => prop_assert!(opinions < MIN_RESPONDENTS),
                Some(p) => prop_assert!(p <= 100 && opinions >= MIN_RESPONDENTS),
            }
        }
    }
}
