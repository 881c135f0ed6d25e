//! Word lists for the synthetic municipality. Plausible, invented, Dutch.

pub const DISTRICTS: &[(&str, &[&str])] = &[
    (
        "Centrum",
        &["Binnenstad", "Stationskwartier", "Havenfront", "Marktplein"],
    ),
    ("Noord", &["Vlietland", "De Akkers", "Molenwijk", "Bosrand"]),
    ("Oost", &["Oosterpark", "De Kreek", "Zonnehof", "Lindenhof"]),
    (
        "Zuid",
        &["Zuiderpolder", "De Weiden", "Kastanjehof", "Rietveld"],
    ),
    (
        "West",
        &["Westerkwartier", "De Dreef", "Kanaalzone", "Duinzicht"],
    ),
    (
        "Buitengebied",
        &["Proefdorp", "Heidehoeve", "Kleiwegen", "Vennen"],
    ),
];

pub const PROVIDERS: &[(&str, &str)] = &[
    ("Stichting Welzijn Proefstad", "welzijn"),
    ("Buurtwerk De Brug", "welzijn"),
    ("Thuishulp Proefstad", "wmo"),
    ("Jeugdhulp Rivierland", "jeugd"),
    ("Schuldhulp Samen", "schuldhulp"),
    ("GGZ Proefland", "ggz"),
    ("Woonstichting Thuis in Proefstad", "wonen"),
    ("Vrijwilligerscentrale Proefstad", "vrijwilligers"),
    ("Mantelzorgsteunpunt Proefstad", "mantelzorg"),
    ("Werkbedrijf Proefregio", "participatie"),
];

pub const GIVEN_FEMALE: &[&str] = &[
    "Anna", "Emma", "Sophie", "Julia", "Fleur", "Lotte", "Sanne", "Eva", "Noor", "Lieke", "Fatima",
    "Yasmina", "Maria", "Ingrid", "Petra", "Annemiek", "Wilma", "Joke", "Ria", "Marieke", "Esther",
    "Saskia", "Daphne", "Hatice", "Aylin", "Naima", "Tess", "Mila", "Zoë", "Lisa", "Femke", "Ilse",
    "Kim", "Linda", "Monique", "Nicole", "Sandra", "Tineke",
];

pub const GIVEN_MALE: &[&str] = &[
    "Jan", "Piet", "Kees", "Karel", "Henk", "Willem", "Daan", "Sem", "Lucas", "Finn", "Mohamed",
    "Ahmed", "Youssef", "Mehmet", "Emre", "Thomas", "Bram", "Ruben", "Jeroen", "Marco", "Erik",
    "Gerrit", "Johan", "Kevin", "Niels", "Stefan", "Tim", "Koen", "Joost", "Bas", "Ravi", "Dennis",
    "Hans", "Frank", "Wim", "Ton", "Arjen", "Milan",
];

pub const SURNAMES: &[(Option<&str>, &str)] = &[
    (Some("de"), "Vries"),
    (None, "Jansen"),
    (None, "Bakker"),
    (Some("van"), "Dijk"),
    (None, "Visser"),
    (None, "Smit"),
    (Some("de"), "Boer"),
    (Some("van den"), "Berg"),
    (None, "Mulder"),
    (Some("de"), "Groot"),
    (None, "Bos"),
    (None, "Vos"),
    (None, "Peters"),
    (None, "Hendriks"),
    (Some("van"), "Leeuwen"),
    (None, "Dekker"),
    (None, "Brouwer"),
    (Some("de"), "Wit"),
    (None, "Dijkstra"),
    (None, "Smits"),
    (Some("de"), "Graaf"),
    (Some("van der"), "Meer"),
    (Some("van der"), "Linden"),
    (None, "Kok"),
    (None, "Jacobs"),
    (Some("de"), "Haan"),
    (None, "Vermeulen"),
    (Some("van den"), "Heuvel"),
    (Some("van der"), "Veen"),
    (Some("van den"), "Broek"),
    (Some("de"), "Bruijn"),
    (None, "Schouten"),
    (None, "Willems"),
    (Some("van"), "Vliet"),
    (None, "Hoekstra"),
    (None, "Koster"),
    (None, "Prins"),
    (None, "Yilmaz"),
    (None, "El Amrani"),
    (None, "Kaya"),
    (None, "Öztürk"),
    (None, "Bouzid"),
    (None, "Nguyen"),
    (None, "Pinas"),
    (None, "Ramdin"),
    (None, "Kowalski"),
    (Some("ter"), "Horst"),
    (Some("van"), "Wijk"),
];

const STREET_BASES: &[&str] = &[
    "Lindelaan",
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Beukenlaan",
    "Eikenlaan",
    "Schoolstraat",
    "Nieuwstraat",
    "Julianastraat",
    "Stationsweg",
    "Parkweg",
    "Kastanjelaan",
    "Wilhelminastraat",
    "Irenestraat",
    "Prinsenstraat",
    "Sportlaan",
    "Raadhuisplein",
    "Havenstraat",
    "Kanaalweg",
    "Dijkstraat",
    "Tulpstraat",
    "Rozenstraat",
    "Berkenlaan",
    "Populierenlaan",
    "Wilgenweg",
    "Esdoornstraat",
    "Meidoornstraat",
    "Vlierstraat",
    "Zwanenburg",
    "Merelstraat",
    "Lijsterstraat",
    "Spechtstraat",
    "Reigerstraat",
    "Valkstraat",
    "Uilenhof",
    "Vinkenlaan",
    "Mezenhof",
    "Zilvermeeuw",
    "Gruttostraat",
    "Kievitlaan",
    "Weverstraat",
    "Smidsweg",
    "Bakkerstraat",
    "Timmermanshof",
    "Kuiperstraat",
    "Pottenbakkerij",
    "Molenaarshof",
    "Schippersgracht",
    "Vissersweg",
    "Boerhaavestraat",
    "Rembrandtlaan",
    "Vondelstraat",
    "Erasmusweg",
    "Spinozalaan",
    "Huygensstraat",
    "Mauritsweg",
    "Oranjelaan",
    "Nassaustraat",
    "Brederodestraat",
    "Tesselschadestraat",
];

const STREET_PREFIXES: &[&str] = &[
    "", "Nieuwe ", "Oude ", "Korte ", "Lange ", "Kleine ", "Grote ", "Achter ", "Boven ",
    "Beneden ",
];

/// A street name unique within a neighbourhood for every index.
pub fn street_name(street_index: usize, neighbourhood_index: usize) -> String {
    let bases = STREET_BASES.len();
    let base = STREET_BASES[(street_index + neighbourhood_index * 7) % bases];
    let round = street_index / bases;
    let prefix = STREET_PREFIXES[round % STREET_PREFIXES.len()];
    let suffix = round / STREET_PREFIXES.len();
    if suffix == 0 {
        format!("{prefix}{base}")
    } else {
        format!("{prefix}{base} {}", roman(suffix + 1))
    }
}

fn roman(mut n: usize) -> String {
    const TABLE: &[(usize, &str)] = &[
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= *value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// A lower-case ASCII slug for user names.
pub fn slug(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
