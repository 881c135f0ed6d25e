//! A large, varied social map for benchmarks: a region's worth of services
//! (10,000 and more) whose names and descriptions are generated combinations
//! from a Dutch vocabulary of a few thousand words — activities and their
//! compounds, target groups, places, benefits, practicalities — with varied life
//! domains, districts, ladder steps, reach, access, status and volunteering.
//! Unlike repeating the ~300 demo services, the search vocabulary grows with
//! the map the way a real one does. Deterministic for a seed.

use crate::Municipality;
use baken_domain::casework::LifeDomain as D;
use baken_domain::kaart::ServiceDraft;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// First parts of compounds ("wandel" + "club" → "wandelclub"), each with the
/// life domains it suggests.
const PREFIXES: &[(&str, &[D])] = &[
    ("buurt", &[D::SociaalNetwerk]),
    ("wijk", &[D::SociaalNetwerk]),
    ("dorps", &[D::SociaalNetwerk]),
    ("jongeren", &[D::Tijdsbesteding]),
    ("ouderen", &[D::SociaalNetwerk]),
    ("senioren", &[D::SociaalNetwerk]),
    ("kinder", &[D::HuiselijkeRelaties]),
    ("tiener", &[D::Tijdsbesteding]),
    ("peuter", &[D::HuiselijkeRelaties]),
    ("ouder", &[D::HuiselijkeRelaties]),
    ("gezins", &[D::HuiselijkeRelaties]),
    ("taal", &[D::MaatschappelijkeParticipatie]),
    ("lees", &[D::MaatschappelijkeParticipatie]),
    ("schrijf", &[D::MaatschappelijkeParticipatie]),
    ("reken", &[D::WerkOpleiding]),
    ("kook", &[D::InstrumenteleAdl]),
    ("bak", &[D::Tijdsbesteding]),
    ("eet", &[D::InstrumenteleAdl]),
    ("maaltijd", &[D::InstrumenteleAdl]),
    ("wandel", &[D::LichamelijkeGezondheid]),
    ("fiets", &[D::LichamelijkeGezondheid]),
    ("zwem", &[D::LichamelijkeGezondheid]),
    ("beweeg", &[D::LichamelijkeGezondheid]),
    ("sport", &[D::LichamelijkeGezondheid]),
    ("dans", &[D::Tijdsbesteding]),
    ("yoga", &[D::GeestelijkeGezondheid]),
    ("meditatie", &[D::GeestelijkeGezondheid]),
    ("muziek", &[D::Tijdsbesteding]),
    ("zang", &[D::Tijdsbesteding]),
    ("toneel", &[D::Tijdsbesteding]),
    ("schilder", &[D::Tijdsbesteding]),
    ("teken", &[D::Tijdsbesteding]),
    ("handwerk", &[D::Tijdsbesteding]),
    ("brei", &[D::Tijdsbesteding]),
    ("naai", &[D::Tijdsbesteding]),
    ("hout", &[D::Tijdsbesteding]),
    ("klus", &[D::Huisvesting]),
    ("repair", &[D::Financien]),
    ("tuin", &[D::Tijdsbesteding]),
    ("moestuin", &[D::Tijdsbesteding]),
    ("natuur", &[D::Tijdsbesteding]),
    ("dieren", &[D::Tijdsbesteding]),
    ("computer", &[D::MaatschappelijkeParticipatie]),
    ("digi", &[D::MaatschappelijkeParticipatie]),
    ("internet", &[D::MaatschappelijkeParticipatie]),
    ("telefoon", &[D::MaatschappelijkeParticipatie]),
    ("geld", &[D::Financien]),
    ("budget", &[D::Financien]),
    ("administratie", &[D::Financien]),
    ("formulieren", &[D::Financien]),
    ("schuld", &[D::Financien]),
    ("belasting", &[D::Financien]),
    ("werk", &[D::WerkOpleiding]),
    ("sollicitatie", &[D::WerkOpleiding]),
    ("leer", &[D::WerkOpleiding]),
    ("huiswerk", &[D::WerkOpleiding]),
    ("studie", &[D::WerkOpleiding]),
    ("stage", &[D::WerkOpleiding]),
    ("mantelzorg", &[D::SociaalNetwerk, D::GeestelijkeGezondheid]),
    ("rouw", &[D::GeestelijkeGezondheid]),
    ("lotgenoten", &[D::GeestelijkeGezondheid]),
    ("dementie", &[D::GeestelijkeGezondheid]),
    ("geheugen", &[D::GeestelijkeGezondheid]),
    ("stress", &[D::GeestelijkeGezondheid]),
    ("slaap", &[D::LichamelijkeGezondheid]),
    ("val", &[D::LichamelijkeGezondheid]),
    ("gezondheids", &[D::LichamelijkeGezondheid]),
    ("voedings", &[D::LichamelijkeGezondheid]),
    ("thuis", &[D::InstrumenteleAdl]),
    ("woon", &[D::Huisvesting]),
    ("huur", &[D::Huisvesting]),
    ("energie", &[D::Financien, D::Huisvesting]),
    ("verhuis", &[D::Huisvesting]),
    ("vervoers", &[D::MaatschappelijkeParticipatie]),
    ("boodschappen", &[D::InstrumenteleAdl]),
    ("was", &[D::InstrumenteleAdl]),
    ("verzorgings", &[D::BasaleAdl]),
    ("douche", &[D::BasaleAdl]),
    ("verslavings", &[D::Middelengebruik]),
    ("drank", &[D::Middelengebruik]),
    ("gok", &[D::Middelengebruik]),
    ("rechts", &[D::Justitie]),
    ("juridisch", &[D::Justitie]),
    ("bemiddelings", &[D::Justitie, D::SociaalNetwerk]),
    ("opvoed", &[D::HuiselijkeRelaties]),
    ("relatie", &[D::HuiselijkeRelaties]),
    ("scheidings", &[D::HuiselijkeRelaties]),
    ("vrouwen", &[D::SociaalNetwerk]),
    ("mannen", &[D::SociaalNetwerk]),
    ("nieuwkomers", &[D::MaatschappelijkeParticipatie]),
    ("inburgerings", &[D::MaatschappelijkeParticipatie]),
    ("vrijwilligers", &[D::MaatschappelijkeParticipatie]),
    ("koffie", &[D::SociaalNetwerk]),
    ("thee", &[D::SociaalNetwerk]),
    ("spelletjes", &[D::Tijdsbesteding]),
    ("schaak", &[D::Tijdsbesteding]),
    ("bridge", &[D::Tijdsbesteding]),
    ("biljart", &[D::Tijdsbesteding]),
    ("film", &[D::Tijdsbesteding]),
    ("foto", &[D::Tijdsbesteding]),
    ("geschiedenis", &[D::Tijdsbesteding]),
];

/// Second parts of compounds: what kind of thing the service is.
const HEADS: &[&str] = &[
    "club",
    "groep",
    "cursus",
    "spreekuur",
    "café",
    "maatje",
    "hulp",
    "dienst",
    "training",
    "ochtend",
    "middag",
    "avond",
    "project",
    "punt",
    "loket",
    "coach",
    "kring",
    "atelier",
    "werkplaats",
    "winkel",
    "team",
    "les",
    "lessen",
    "workshop",
    "soos",
    "kamer",
    "huis",
    "bus",
    "lijn",
    "netwerk",
    "begeleiding",
    "ondersteuning",
    "consulent",
    "maatjes",
    "uur",
    "middagen",
    "bijeenkomst",
    "gesprekken",
    "kwartier",
    "plein",
    "tafel",
    "kast",
    "bank",
];

/// Proper names that make services distinct ("De Linde", "Het Anker").
const NAMES: &[&str] = &[
    "De Linde",
    "Het Anker",
    "De Brug",
    "De Horizon",
    "Het Baken",
    "De Kroon",
    "De Vonk",
    "Het Kompas",
    "De Eik",
    "De Wilg",
    "De Beuk",
    "De Kastanje",
    "De Molen",
    "De Schakel",
    "De Regenboog",
    "Het Zonnelied",
    "De Klimop",
    "De Lichtboei",
    "Het Trefpunt",
    "De Ontmoeting",
    "Samen Sterk",
    "Doe Mee",
    "Thuis in de Wijk",
    "Buurtkracht",
    "Wijkwijs",
    "De Ruggensteun",
    "Het Ankerpunt",
    "De Steiger",
    "Het Veerhuis",
    "De Sluis",
    "De Dijk",
    "Het Wiel",
];

/// An age range: from, up to and including.
type Ages = (Option<u8>, Option<u8>);

/// For whom.
const GROUPS: &[(&str, Ages)] = &[
    ("voor ouderen", (Some(65), None)),
    ("voor senioren", (Some(55), None)),
    ("voor jongeren", (Some(12), Some(23))),
    ("voor kinderen", (Some(4), Some(12))),
    ("voor peuters en hun ouders", (Some(0), Some(4))),
    ("voor tieners", (Some(12), Some(18))),
    ("voor mantelzorgers", (None, None)),
    ("voor nieuwkomers", (None, None)),
    ("voor statushouders", (None, None)),
    ("voor alleenstaande ouders", (None, None)),
    ("voor mensen met dementie en hun naasten", (None, None)),
    ("voor mensen met een beperking", (None, None)),
    ("voor mensen met weinig geld", (Some(18), None)),
    ("voor werkzoekenden", (Some(18), Some(67))),
    ("voor vrouwen", (None, None)),
    ("voor mannen", (None, None)),
    ("voor iedereen uit de buurt", (None, None)),
    ("voor gezinnen", (None, None)),
    ("voor mensen die eenzaam zijn", (None, None)),
    ("voor mensen met psychische klachten", (Some(18), None)),
    ("voor laaggeletterden", (Some(16), None)),
    ("voor nieuwe bewoners", (None, None)),
    ("voor studenten", (Some(16), Some(30))),
    ("voor vijftigplussers", (Some(50), None)),
];

const PLACES: &[&str] = &[
    "in het buurthuis",
    "in de bibliotheek",
    "in de sporthal",
    "in het wijkcentrum",
    "op de kinderboerderij",
    "in de kerkzaal",
    "in het dorpshuis",
    "bij u thuis",
    "online",
    "in het gezondheidscentrum",
    "op school",
    "in het zwembad",
    "in de moskee",
    "in het jongerencentrum",
    "in de volkstuin",
    "in het park",
    "in het verzorgingshuis",
    "in de huiskamer van de wijk",
    "bij de huisarts",
    "in het stadhuis",
    "in de buurtwinkel",
    "op het sportpark",
    "in de speeltuin",
    "in het wijkpastoraat",
];

const BENEFITS: &[&str] = &[
    "U ontmoet mensen uit de buurt en maakt nieuwe contacten.",
    "Samen is het gezelliger en u leert van elkaar.",
    "U blijft fit en soepel, in uw eigen tempo.",
    "Zo houdt u grip op uw geld en uw post.",
    "U leert stap voor stap iets nieuws, zonder haast.",
    "Even op adem komen, met mensen die het begrijpen.",
    "Kinderen spelen samen terwijl ouders elkaar spreken.",
    "U oefent de taal in gewone gesprekken.",
    "U krijgt tips die u thuis meteen kunt gebruiken.",
    "Een vaste afspraak geeft structuur aan uw week.",
    "U doet mee in de buurt en betekent iets voor een ander.",
    "U krijgt hulp bij brieven, formulieren en de computer.",
    "Zo kunt u langer zelfstandig thuis blijven wonen.",
    "U voelt zich minder alleen en hebt iets om naar uit te kijken.",
    "Goed voor uw gezondheid, uw humeur en uw slaap.",
    "U werkt aan uw kansen op werk of een opleiding.",
    "Er is altijd iemand die luistert en meedenkt.",
    "U leert omgaan met spanning, verdriet of zorgen.",
    "U bespaart geld en leert zuinig en gezond koken.",
    "Samen zoeken we een oplossing die bij u past.",
    "U krijgt een maatje dat een tijdje met u optrekt.",
    "Een veilige plek om te praten over wat u bezighoudt.",
    "U leert uw rechten kennen en wat u zelf kunt regelen.",
    "Ruzie of overlast wordt besproken voordat het escaleert.",
    "U werkt aan minder drinken, blowen of gokken, met steun van anderen.",
    "Hulp bij uw huis, uw tuin of een klus die u zelf niet meer kunt.",
    "U leert veilig internetten, videobellen en DigiD gebruiken.",
    "De begeleider komt bij u thuis en kijkt wat u nodig hebt.",
];

const PRACTICAL: &[&str] = &[
    "Aanmelden is niet nodig, kom gewoon langs.",
    "Meld u vooraf aan, want er is beperkt plaats.",
    "Deelname is gratis; koffie en thee staan klaar.",
    "Er is een kleine eigen bijdrage.",
    "Het gebouw is goed toegankelijk met een rolstoel of rollator.",
    "Vervoer kan worden geregeld als u niet zelf kunt komen.",
    "Een vrijwilliger ontvangt u en legt alles uit.",
    "U kunt ook een keer komen kijken.",
    "Neem gerust iemand mee.",
    "De groep is klein, zodat er aandacht is voor iedereen.",
    "De eerste keer is altijd gratis.",
    "Er wordt Nederlands, Engels en Arabisch gesproken.",
    "Kinderopvang is aanwezig tijdens de bijeenkomst.",
    "Bel of mail voor een eerste kennismaking.",
    "U kunt op elk moment instromen.",
];

const DAYS: &[&str] = &[
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const TIMES: &[&str] = &[
    "9.00–11.00 uur",
    "10.00–12.00 uur",
    "13.30–15.30 uur",
    "14.00–16.00 uur",
    "19.00–21.00 uur",
    "19.30–22.00 uur",
    "15.00–17.00 uur",
];
const FORMS: &[&str] = &["faciliteren", "ondersteunen", "interveniëren", "beschermen"];
const UNITS: &[&str] = &[
    "uur", "dagdeel", "dag", "week", "maand", "maaltijd", "keer", "traject",
];

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `n` services for the municipality, generated from `seed`: names like
/// "Wandelclub voor ouderen De Linde (Oosterpark)", two or three sentences of
/// description, one to three life domains, steps weighted towards the
/// collective and light steps as in a real map, reach and access following the
/// ladder's rules, about one in ten a volunteer opportunity, a few closed or
/// ended. Every draft parses.
pub fn large_map(m: &Municipality, n: usize, seed: u64) -> Vec<ServiceDraft> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let neighbourhoods: Vec<(String, String)> = m
        .districts
        .iter()
        .flat_map(|d| {
            d.neighbourhoods
                .iter()
                .map(move |nb| (d.code.to_string(), nb.name.clone()))
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (prefix, pdomains) = PREFIXES[rng.gen_range(0..PREFIXES.len())];
        let head = HEADS[rng.gen_range(0..HEADS.len())];
        let compound = format!("{prefix}{head}");
        let (group, ages) = GROUPS[rng.gen_range(0..GROUPS.len())];
        let place = PLACES[rng.gen_range(0..PLACES.len())];
        // Steps: 1 10%, 2 10%, 3 40%, 4 25%, 5 15%.
        let step: u8 = match rng.gen_range(0..100) {
            0..=9 => 1,
            10..=19 => 2,
            20..=59 => 3,
            60..=84 => 4,
            _ => 5,
        };
        let mut domains: Vec<D> = pdomains.to_vec();
        for _ in 0..rng.gen_range(0..3) {
            let d = D::ALL[rng.gen_range(0..D::ALL.len())];
            if !domains.contains(&d) {
                domains.push(d);
            }
        }
        let collective = step <= 3 && rng.gen_bool(0.75);
        let volunteering = step <= 3 && rng.gen_bool(0.12);
        // Where: a neighbourhood (its district), a district, or the whole town.
        let (districts, where_name) = match rng.gen_range(0..10) {
            0..=4 => {
                let (code, name) = &neighbourhoods[rng.gen_range(0..neighbourhoods.len())];
                (vec![code.clone()], name.clone())
            }
            5..=7 => {
                let d = &m.districts[rng.gen_range(0..m.districts.len())];
                (vec![d.code.to_string()], d.name.clone())
            }
            _ => (vec![], crate::CITY.to_owned()),
        };
        let proper = NAMES[rng.gen_range(0..NAMES.len())];
        let name = match rng.gen_range(0..4) {
            0 => format!("{} {group} ({where_name})", capitalised(&compound)),
            1 => format!("{} {proper} {where_name}", capitalised(&compound)),
            2 => format!("{} {place} {where_name}", capitalised(&compound)),
            _ => format!("{proper}: {compound} {group}"),
        };
        let name: String = name.chars().take(120).collect();
        let mut benefits: Vec<&str> = BENEFITS.choose_multiple(&mut rng, 2).copied().collect();
        benefits.shuffle(&mut rng);
        let description = format!(
            "{} {group}, {place}. {} {} {}",
            capitalised(&compound),
            benefits[0],
            benefits[1],
            PRACTICAL[rng.gen_range(0..PRACTICAL.len())],
        );
        let (cost, unit) = if step >= 4 || rng.gen_bool(0.3) {
            let cents: u32 = match step {
                5 => rng.gen_range(2_000..20_000),
                4 => rng.gen_range(1_500..8_000),
                _ => rng.gen_range(50..1_000),
            };
            (
                format!("{},{:02}", cents / 100, cents % 100),
                UNITS[rng.gen_range(0..UNITS.len())].to_owned(),
            )
        } else {
            (String::new(), String::new())
        };
        let status = match rng.gen_range(0..100) {
            0..=2 => "tijdelijk_gesloten",
            3..=4 => "beeindigd",
            _ => "actief",
        };
        let schedule = format!(
            "Elke {}, {}",
            DAYS[rng.gen_range(0..DAYS.len())],
            TIMES[rng.gen_range(0..TIMES.len())]
        );
        out.push(ServiceDraft {
            name,
            description,
            domains: domains.iter().map(|d| d.as_str().to_owned()).collect(),
            step: step.to_string(),
            form: if step == 5 {
                FORMS[rng.gen_range(1..FORMS.len())]
            } else {
                FORMS[rng.gen_range(0..2)]
            }
            .to_owned(),
            reach: if collective {
                "collectief"
            } else {
                "individueel"
            }
            .into(),
            access: if step == 5 { "beschikking" } else { "vrij" }.into(),
            cost,
            cost_unit: unit,
            districts,
            schedule,
            eligibility: format!("{} {group}.", capitalised(&compound)),
            min_age: ages.0.map(|a| a.to_string()).unwrap_or_default(),
            max_age: ages.1.map(|a| a.to_string()).unwrap_or_default(),
            how_to_apply: if step == 5 {
                "Via het wijkteam: na een gesprek beslist de gemeente.".into()
            } else {
                PRACTICAL[rng.gen_range(0..PRACTICAL.len())].to_owned()
            },
            capacity: String::new(),
            phone: format!("0999-{:06}", 200_000 + i),
            email: String::new(),
            website: String::new(),
            status: status.into(),
            volunteering,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_large_map_is_valid_varied_and_the_same_for_a_seed() {
        let m = crate::municipality();
        let map = large_map(&m, 2_000, 7);
        assert_eq!(map.len(), 2_000);
        let mut steps = BTreeSet::new();
        let mut domains = BTreeSet::new();
        let mut words = BTreeSet::new();
        for d in &map {
            let s = d.parse().unwrap_or_else(|e| panic!("{}: {e:?}", d.name));
            steps.insert(s.step.value());
            domains.extend(s.domains.iter().copied());
            words.extend(baken_domain::kaart::tokens(&s.search_text()));
        }
        assert_eq!(steps.len(), 5);
        assert_eq!(domains.len(), D::ALL.len(), "every life domain occurs");
        assert!(
            words.len() > 1_500,
            "a real vocabulary: {} stems",
            words.len()
        );
        let names: BTreeSet<&str> = map.iter().map(|d| d.name.as_str()).collect();
        assert!(
            names.len() > 1_900,
            "names are nearly all distinct: {}",
            names.len()
        );
        assert_eq!(large_map(&m, 50, 7), large_map(&m, 50, 7));
        assert_ne!(large_map(&m, 50, 7), large_map(&m, 50, 8));
    }
}
