//! Suggesting Baken's own facts for a service that came from another HSDS
//! publisher. HSDS has no life domain, ladder step, form of support, reach or
//! access; an imported service without them waits ("nog in te delen") until a
//! beheerder sets them. This module suggests a starting point from the words
//! the publisher used — its taxonomy terms first, then its name and
//! description — and says, in plain Dutch, which word led to which choice, so
//! the beheerder can judge the suggestion instead of trusting it.
//!
//! The suggestion always parses (`ServiceDraft::parse`): access is free and
//! the step is 3 or 4, so no rule that ties step, access and reach together is
//! broken. Step 5 (a decision by the municipality) is never suggested.

use crate::casework::LifeDomain;
use crate::kaart::ServiceDraft;

/// Words (English and Dutch, lower case, matched at the start of a word) that
/// point at a life domain.
const DOMAIN_WORDS: &[(LifeDomain, &[&str])] = &[
    (
        LifeDomain::GeestelijkeGezondheid,
        &[
            "mental",
            "counsel",
            "anxiety",
            "depress",
            "psych",
            "wellbeing",
            "geestelijk",
            "somber",
            "angst",
            "rouw",
            "grief",
            "bereave",
            "stress",
            "psychisch",
        ],
    ),
    (
        LifeDomain::LichamelijkeGezondheid,
        &[
            "physical",
            "medical",
            "physio",
            "fysio",
            "lichamelijk",
            "beweg",
            "sport",
            "exercise",
            "ziekte",
            "illness",
        ],
    ),
    (
        LifeDomain::Financien,
        &[
            "debt", "money", "financ", "benefit", "schuld", "geld", "budget", "toeslag", "income",
        ],
    ),
    (
        LifeDomain::Huisvesting,
        &[
            "housing", "shelter", "homeless", "woning", "wonen", "dakloos", "huisvest", "rent",
        ],
    ),
    (
        LifeDomain::SociaalNetwerk,
        &[
            "lonel", "befriend", "social", "eenzaam", "ontmoet", "maatje", "alleen", "contact",
        ],
    ),
    (
        LifeDomain::WerkOpleiding,
        &[
            "employ",
            "job",
            "training",
            "educat",
            "werk",
            "opleiding",
            "sollicit",
            "career",
        ],
    ),
    (
        LifeDomain::Tijdsbesteding,
        &["leisure", "hobby", "activit", "dagbesteding", "recreat"],
    ),
    (
        LifeDomain::HuiselijkeRelaties,
        &[
            "family",
            "parent",
            "relationship",
            "gezin",
            "opvoed",
            "ouder",
            "relatie",
            "kinderen",
        ],
    ),
    (
        LifeDomain::Middelengebruik,
        &["alcohol", "drug", "addict", "verslav", "gokken", "gambl"],
    ),
    (
        LifeDomain::BasaleAdl,
        &["personal care", "wash", "verzorg", "wassen", "aankleden"],
    ),
    (
        LifeDomain::InstrumenteleAdl,
        &[
            "meal",
            "shopping",
            "transport",
            "maaltijd",
            "boodschap",
            "vervoer",
            "huishoud",
        ],
    ),
    (
        LifeDomain::MaatschappelijkeParticipatie,
        &[
            "volunteer",
            "vrijwillig",
            "particip",
            "meedoen",
            "community",
        ],
    ),
    (
        LifeDomain::Justitie,
        &[
            "justice",
            "legal",
            "probation",
            "justitie",
            "reclassering",
            "court",
        ],
    ),
];

/// Words that point at professional help (step 4, "lichte ondersteuning").
const PROFESSIONAL_WORDS: &[&str] = &[
    "professional",
    "trained",
    "counsel",
    "therap",
    "consulent",
    "hulpverlen",
    "maatschappelijk werk",
    "practitioner",
    "accredited",
];

/// Words that point at something done in a group or open to anyone (collective).
const COLLECTIVE_WORDS: &[&str] = &[
    "group",
    "groep",
    "community",
    "café",
    "cafe",
    "buurthuis",
    "samen",
    "meeting",
    "ontmoet",
    "class",
    "cursus",
    "inloop",
    "drop-in",
];

/// Words that say the service is a way to give (a volunteer opportunity).
const VOLUNTEERING_WORDS: &[&str] = &[
    "volunteer opportunit",
    "become a volunteer",
    "vrijwilliger gezocht",
    "vrijwilligers gezocht",
    "word vrijwilliger",
];

/// What a beheerder is offered for an imported service, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassificationSuggestion {
    pub domains: Vec<LifeDomain>,
    /// 3 or 4.
    pub step: u8,
    pub collective: bool,
    pub volunteering: bool,
    /// One plain-Dutch sentence per choice, naming the word that led to it.
    pub reasons: Vec<String>,
}

/// Where a word was found: in a taxonomy term the publisher gave, or in its text.
struct Source<'a> {
    label: String,
    text: &'a str,
}

fn find<'a>(sources: &'a [Source<'a>], words: &[&'a str]) -> Option<(&'a str, &'a Source<'a>)> {
    sources.iter().find_map(|source| {
        words
            .iter()
            .find(|w| starts_a_word(source.text, w))
            .map(|w| (*w, source))
    })
}

/// Does `word` occur in `text` at the start of a word (case already lowered)?
fn starts_a_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Suggests life domains, step, reach and whether it is a volunteer
/// opportunity from the publisher's taxonomy terms, name and description.
pub fn suggest_classification(
    terms: &[String],
    name: &str,
    description: &str,
) -> ClassificationSuggestion {
    let lowered_terms: Vec<String> = terms.iter().map(|t| t.to_lowercase()).collect();
    let name_lower = name.to_lowercase();
    let description_lower = description.to_lowercase();
    let mut sources: Vec<Source> = lowered_terms
        .iter()
        .zip(terms)
        .map(|(lower, original)| Source {
            label: format!("de categorie '{original}' van de aanbieder"),
            text: lower.as_str(),
        })
        .collect();
    sources.push(Source {
        label: "de naam".into(),
        text: &name_lower,
    });
    sources.push(Source {
        label: "de omschrijving".into(),
        text: &description_lower,
    });
    let mut reasons = Vec::new();
    let mut domains = Vec::new();
    for (domain, words) in DOMAIN_WORDS {
        if let Some((word, source)) = find(&sources, words) {
            domains.push(*domain);
            reasons.push(format!(
                "Levensgebied '{}': {} bevat '{word}'.",
                domain.label(),
                source.label
            ));
        }
    }
    if domains.is_empty() {
        domains.push(LifeDomain::SociaalNetwerk);
        reasons.push(
            "Levensgebied 'Sociaal netwerk': geen woord gevonden dat een levensgebied aanwijst; kies zelf."
                .into(),
        );
    }
    let volunteering = find(&sources, VOLUNTEERING_WORDS);
    let professional = find(&sources, PROFESSIONAL_WORDS);
    let step = match (&volunteering, &professional) {
        (None, Some((word, source))) => {
            reasons.push(format!(
                "Trede 4 (lichte ondersteuning): {} bevat '{word}', dat wijst op hulp door een professional.",
                source.label
            ));
            4
        }
        _ => {
            reasons.push(
                "Trede 3 (algemene voorziening): niets wijst op een professional of een beschikking."
                    .into(),
            );
            3
        }
    };
    if let Some((word, source)) = &volunteering {
        reasons.push(format!(
            "Vrijwilligerswerk: {} bevat '{word}'.",
            source.label
        ));
    }
    let collective = match find(&sources, COLLECTIVE_WORDS) {
        Some((word, source)) => {
            reasons.push(format!(
                "Collectief: {} bevat '{word}', dat wijst op iets in een groep of voor iedereen.",
                source.label
            ));
            true
        }
        None => {
            reasons.push("Individueel: niets wijst op een groep of een open inloop.".into());
            false
        }
    };
    ClassificationSuggestion {
        domains,
        step,
        collective,
        volunteering: volunteering.is_some(),
        reasons,
    }
}

impl ClassificationSuggestion {
    /// Fills the draft's Baken-only fields (domains, step, form, reach, access,
    /// volunteering) with this suggestion; access is always free.
    pub fn fill(&self, draft: &mut ServiceDraft) {
        draft.domains = self.domains.iter().map(|d| d.as_str().to_owned()).collect();
        draft.step = self.step.to_string();
        draft.form = if self.step >= 4 {
            "ondersteunen"
        } else {
            "faciliteren"
        }
        .into();
        draft.reach = if self.collective {
            "collectief"
        } else {
            "individueel"
        }
        .into();
        draft.access = "vrij".into();
        draft.volunteering = self.volunteering;
    }

    /// The reasons as one text, a sentence per line.
    pub fn reason_text(&self) -> String {
        self.reasons.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kaart::service::tests::meal_draft;
    use proptest::prelude::*;

    #[test]
    fn counselling_is_mental_health_on_step_four_with_the_word_as_reason() {
        let s = suggest_classification(
            &[],
            "Community Counselling",
            "Counselling by trained professionals for anxiety or depression.",
        );
        assert!(s.domains.contains(&LifeDomain::GeestelijkeGezondheid));
        assert_eq!(s.step, 4);
        assert!(s
            .reasons
            .iter()
            .any(|r| r.contains("Geestelijke gezondheid") && r.contains("'counsel'")));
    }

    #[test]
    fn a_taxonomy_term_is_named_as_the_reason() {
        let s = suggest_classification(
            &["Eenzaamheid".into()],
            "Koffie",
            "Elke week koffie in het buurthuis.",
        );
        assert_eq!(s.domains[0], LifeDomain::SociaalNetwerk);
        assert!(s.reasons[0].contains("de categorie 'Eenzaamheid'"), "{s:?}");
        assert!(s.collective);
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        // "werk" inside "netwerk" must not make it work and education.
        let s = suggest_classification(&[], "Netwerkavond", "Een avond in het netwerkcafé.");
        assert!(!s.domains.contains(&LifeDomain::WerkOpleiding), "{s:?}");
    }

    proptest! {
        #[test]
        fn every_suggestion_parses(name in ".{0,40}", description in ".{0,200}", term in ".{0,30}") {
            let s = suggest_classification(&[term], &name, &description);
            let mut draft = meal_draft();
            s.fill(&mut draft);
            prop_assert!(draft.parse().is_ok(), "{:?}", draft.parse());
            prop_assert!(!s.reasons.is_empty());
        }
    }
}
