//! Two ways of naming the map's categories: the professional taxonomy (the
//! ZRM life domains, "algemene voorziening", "met beschikking") that teams,
//! beheer and the API use, and plain words (B1) for residents, who should not
//! need to know what "Basale ADL" or "Justitie" means to find help.
//!
//! The codes (`basale_adl`, `beschikking`, …) stay the same for both: a link
//! a generalist sends works for the resident, and the API keeps the taxonomy.

use crate::access::Role;
use crate::casework::LifeDomain;
use crate::kaart::{Reach, ServiceAccess};
use crate::ladder::{LadderStep, SupportForm};

/// Who reads the words: a resident (not logged in, `inwoner`, `vrijwilliger`)
/// or a professional (every other role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    Resident,
    Professional,
}

impl Wording {
    /// Residents and volunteers get plain words; every role that works with
    /// the taxonomy keeps it.
    pub fn for_role(role: Option<Role>) -> Wording {
        match role {
            None | Some(Role::Inwoner) | Some(Role::Vrijwilliger) => Wording::Resident,
            Some(_) => Wording::Professional,
        }
    }

    /// A life domain: "Basale ADL" for professionals, what it is about for residents.
    pub fn domain(self, d: LifeDomain) -> &'static str {
        if self == Wording::Professional {
            return d.label();
        }
        match d {
            LifeDomain::Financien => "Geld en rekeningen",
            LifeDomain::WerkOpleiding => "Werk, school en opleiding",
            LifeDomain::Tijdsbesteding => "Uw dag invullen en vrije tijd",
            LifeDomain::Huisvesting => "Wonen en uw huis",
            LifeDomain::HuiselijkeRelaties => "Partner, gezin en kinderen",
            LifeDomain::GeestelijkeGezondheid => "Hoe u zich voelt: zorgen, stress, verdriet",
            LifeDomain::LichamelijkeGezondheid => "Uw lichaam en gezondheid",
            LifeDomain::Middelengebruik => "Alcohol, drugs of gokken",
            LifeDomain::BasaleAdl => "Uzelf verzorgen: wassen, aankleden, eten",
            LifeDomain::InstrumenteleAdl => "Het huishouden: boodschappen, schoonmaken, koken",
            LifeDomain::SociaalNetwerk => "Familie, vrienden en buren",
            LifeDomain::MaatschappelijkeParticipatie => "Meedoen in de buurt",
            LifeDomain::Justitie => "Problemen met politie of rechter",
        }
    }

    /// A ladder step's name: "maatwerkvoorziening", or what it means for a resident.
    pub fn step(self, s: LadderStep) -> &'static str {
        if self == Wording::Professional {
            return s.name();
        }
        match s.value() {
            1 => "zelf doen",
            2 => "met familie, vrienden of buren",
            3 => "voor iedereen, zonder aanvraag",
            4 => "korte hulp, zonder aanvraag",
            _ => "hulp op maat, na een aanvraag bij de gemeente",
        }
    }

    /// Free access or by decision.
    pub fn access(self, a: ServiceAccess) -> &'static str {
        match (self, a) {
            (Wording::Professional, _) => a.label(),
            (Wording::Resident, ServiceAccess::Free) => "Zonder aanvraag",
            (Wording::Resident, ServiceAccess::Decision) => "Na een aanvraag bij de gemeente",
        }
    }

    /// Collective or individual.
    pub fn reach(self, r: Reach) -> &'static str {
        match (self, r) {
            (Wording::Professional, _) => r.label(),
            (Wording::Resident, Reach::Collective) => "Samen met anderen",
            (Wording::Resident, Reach::Individual) => "Alleen voor u",
        }
    }

    /// The form of support, as a short phrase ("faciliteren" or "een plek of activiteit").
    pub fn form(self, f: SupportForm) -> &'static str {
        if self == Wording::Professional {
            return f.label();
        }
        match f {
            SupportForm::Faciliteren => "een plek of activiteit",
            SupportForm::Ondersteunen => "iemand helpt u",
            SupportForm::Intervenieren => "een hulpverlener grijpt in",
            SupportForm::Beschermen => "zorg en toezicht",
        }
    }

    /// The labels of the map's filters and facts.
    pub fn domain_heading(self) -> &'static str {
        match self {
            Wording::Professional => "Levensgebied",
            Wording::Resident => "Waarbij zoekt u hulp?",
        }
    }
    pub fn step_heading(self) -> &'static str {
        match self {
            Wording::Professional => "Trede",
            Wording::Resident => "Hoeveel hulp",
        }
    }
    pub fn access_heading(self) -> &'static str {
        match self {
            Wording::Professional => "Toegang",
            Wording::Resident => "Aanvragen nodig?",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The taxonomy's words a resident should never have to read.
    const JARGON: [&str; 12] = [
        "adl",
        "justitie",
        "beschikking",
        "voorziening",
        "maatwerk",
        "collectief",
        "individueel",
        "faciliteren",
        "interveniëren",
        "participatie",
        "middelen",
        "huisvesting",
    ];

    fn resident_words() -> Vec<&'static str> {
        let w = Wording::Resident;
        let mut all: Vec<&str> = LifeDomain::ALL.iter().map(|d| w.domain(*d)).collect();
        all.extend(
            (1..=5)
                .filter_map(|s| LadderStep::new(s).ok())
                .map(|s| w.step(s)),
        );
        all.extend(ServiceAccess::ALL.iter().map(|a| w.access(*a)));
        all.extend(Reach::ALL.iter().map(|r| w.reach(*r)));
        all.extend(SupportForm::ALL.iter().map(|f| w.form(*f)));
        all.extend([w.domain_heading(), w.step_heading(), w.access_heading()]);
        all
    }

    #[test]
    fn residents_read_no_professional_category_names() {
        for word in resident_words() {
            let lower = word.to_lowercase();
            for jargon in JARGON {
                assert!(!lower.contains(jargon), "'{word}' contains '{jargon}'");
            }
        }
    }

    #[test]
    fn every_plain_domain_word_is_distinct_so_a_filter_is_never_ambiguous() {
        let w = Wording::Resident;
        let mut seen: Vec<&str> = LifeDomain::ALL.iter().map(|d| w.domain(*d)).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), LifeDomain::ALL.len());
    }

    #[test]
    fn professionals_keep_the_taxonomy() {
        let w = Wording::Professional;
        assert_eq!(w.domain(LifeDomain::BasaleAdl), "Basale ADL");
        assert_eq!(w.domain(LifeDomain::Justitie), "Justitie");
        assert_eq!(w.access(ServiceAccess::Decision), "Met beschikking");
        assert_eq!(w.step(LadderStep::new(5).unwrap()), "maatwerkvoorziening");
    }

    #[test]
    fn the_role_decides_the_wording() {
        assert_eq!(Wording::for_role(None), Wording::Resident);
        assert_eq!(Wording::for_role(Some(Role::Inwoner)), Wording::Resident);
        assert_eq!(
            Wording::for_role(Some(Role::Vrijwilliger)),
            Wording::Resident
        );
        for r in [
            Role::Generalist,
            Role::Teamleider,
            Role::Aanbieder,
            Role::Beleid,
            Role::Beheerder,
            Role::Makelaar,
        ] {
            assert_eq!(Wording::for_role(Some(r)), Wording::Professional);
        }
    }
}
