//! Writing WMO301 (toewijzing) and WMO319 (antwoord op een verzoek) through
//! serde. Element names carry their prefix (`wmo301:`, `iwmo:`); the field
//! order is the schema's sequence.

use crate::{MessageKind, BASE_NAMESPACE};
use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write the XML: {0}")]
    Xml(#[from] quick_xml::SeError),
    #[error("gemeentecode must be four digits (the CBS code without GM), e.g. 9999; got '{0}'")]
    Municipality(String),
    #[error("AGB code must be eight digits; got '{0}'")]
    Agb(String),
    #[error("a message identification is 1 to 12 characters; got '{0}'")]
    Identification(String),
    #[error("a WMO301 holds at least one toewijzing")]
    Empty,
}

/// The header every message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Afzender: the municipality's four-digit code, or the provider's AGB code.
    pub sender: String,
    pub receiver: String,
    /// Unique per sender, at most 12 characters.
    pub identification: String,
    pub dated: NaiveDate,
}

impl Header {
    /// A header from the municipality (gemeentecode, four digits) to a
    /// provider (AGB code, eight digits).
    pub fn to_provider(
        gemeentecode: &str,
        agb_code: &str,
        identification: &str,
        dated: NaiveDate,
    ) -> Result<Header, WriteError> {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let gemeentecode = gemeentecode.trim().trim_start_matches("GM");
        if !digits(gemeentecode, 4) {
            return Err(WriteError::Municipality(
                gemeentecode.chars().take(20).collect(),
            ));
        }
        if !digits(agb_code.trim(), 8) {
            return Err(WriteError::Agb(agb_code.chars().take(20).collect()));
        }
        if identification.trim().is_empty() || identification.len() > 12 {
            return Err(WriteError::Identification(
                identification.chars().take(20).collect(),
            ));
        }
        Ok(Header {
            sender: gemeentecode.to_owned(),
            receiver: agb_code.trim().to_owned(),
            identification: identification.trim().to_owned(),
            dated,
        })
    }
}

/// The client a WMO301 is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub bsn: String,
    pub birth_date: NaiveDate,
    pub given_names: String,
    pub surname_prefix: Option<String>,
    pub surname: String,
    pub street: String,
    pub house_number: i64,
    pub house_letter: Option<String>,
    pub addition: Option<String>,
    pub postcode: String,
    pub city: String,
}

/// One toewijzing in a WMO301.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub number: i64,
    /// The provider's reference when the toewijzing answers its verzoek.
    pub provider_reference: Option<String>,
    pub category: String,
    pub product_code: String,
    pub assigned_on: NaiveDate,
    pub assigned_at: NaiveTime,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// WMO002 code when the toewijzing was changed.
    pub change_reason: Option<String>,
    /// Volume, WJ756 unit, WMO757 frequency.
    pub volume: Option<(i64, String, String)>,
    /// Budget in cents.
    pub budget: Option<i64>,
}

/// A WMO301 message: one provider, one client, its toewijzingen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wmo301 {
    pub header: Header,
    pub client: Client,
    pub assignments: Vec<Assignment>,
}

// ------------------------------------------------------------ serde shapes

#[derive(Serialize)]
struct BerichtIdentificatie<'a> {
    #[serde(rename = "iwmo:Identificatie")]
    identificatie: &'a str,
    #[serde(rename = "iwmo:Dagtekening")]
    dagtekening: NaiveDate,
}

#[derive(Serialize)]
struct XsdVersie {
    #[serde(rename = "iwmo:BasisschemaXsdVersie")]
    basis: &'static str,
    #[serde(rename = "iwmo:BerichtXsdVersie")]
    bericht: &'static str,
}

const XSD_VERSIONS: XsdVersie = XsdVersie {
    basis: "1.0.0",
    bericht: "1.0.0",
};

macro_rules! header_struct {
    ($name:ident, $code:literal, $versie:literal, $sub:literal, $afz:literal, $ontv:literal, $id:literal, $xsd:literal) => {
        #[derive(Serialize)]
        struct $name<'a> {
            #[serde(rename = $code)]
            code: &'static str,
            #[serde(rename = $versie)]
            versie: &'static str,
            #[serde(rename = $sub)]
            subversie: &'static str,
            #[serde(rename = $afz)]
            afzender: &'a str,
            #[serde(rename = $ontv)]
            ontvanger: &'a str,
            #[serde(rename = $id)]
            identificatie: BerichtIdentificatie<'a>,
            #[serde(rename = $xsd)]
            xsd: XsdVersie,
        }

        impl<'a> $name<'a> {
            fn new(kind: MessageKind, h: &'a Header) -> Self {
                $name {
                    code: kind.code(),
                    versie: "3",
                    subversie: "2",
                    afzender: &h.sender,
                    ontvanger: &h.receiver,
                    identificatie: BerichtIdentificatie {
                        identificatie: &h.identification,
                        dagtekening: h.dated,
                    },
                    xsd: XSD_VERSIONS,
                }
            }
        }
    };
}

header_struct!(
    Header301,
    "wmo301:BerichtCode",
    "wmo301:BerichtVersie",
    "wmo301:BerichtSubversie",
    "wmo301:Afzender",
    "wmo301:Ontvanger",
    "wmo301:BerichtIdentificatie",
    "wmo301:XsdVersie"
);
header_struct!(
    Header319,
    "wmo319:BerichtCode",
    "wmo319:BerichtVersie",
    "wmo319:BerichtSubversie",
    "wmo319:Afzender",
    "wmo319:Ontvanger",
    "wmo319:BerichtIdentificatie",
    "wmo319:XsdVersie"
);

#[derive(Serialize)]
struct Bericht301<'a> {
    #[serde(rename = "@xmlns:iwmo")]
    ns_iwmo: &'static str,
    #[serde(rename = "@xmlns:wmo301")]
    ns: String,
    #[serde(rename = "wmo301:Header")]
    header: Header301<'a>,
    #[serde(rename = "wmo301:Client")]
    client: Client301<'a>,
}

#[derive(Serialize)]
struct Datum {
    #[serde(rename = "iwmo:Datum")]
    datum: NaiveDate,
}

#[derive(Serialize)]
struct Achternaam<'a> {
    #[serde(rename = "iwmo:Achternaam")]
    achternaam: &'a str,
    #[serde(rename = "iwmo:Voorvoegsel", skip_serializing_if = "Option::is_none")]
    voorvoegsel: Option<&'a str>,
}

#[derive(Serialize)]
struct Naam<'a> {
    #[serde(rename = "iwmo:Geslachtsnaam")]
    geslachtsnaam: Achternaam<'a>,
    #[serde(rename = "iwmo:Voornamen", skip_serializing_if = "Option::is_none")]
    voornamen: Option<&'a str>,
    /// 1: eigen naam.
    #[serde(rename = "iwmo:NaamGebruik")]
    naamgebruik: &'static str,
}

#[derive(Serialize)]
struct Huis<'a> {
    #[serde(rename = "iwmo:Huisnummer")]
    huisnummer: i64,
    #[serde(rename = "iwmo:Huisletter", skip_serializing_if = "Option::is_none")]
    huisletter: Option<&'a str>,
    #[serde(
        rename = "iwmo:HuisnummerToevoeging",
        skip_serializing_if = "Option::is_none"
    )]
    toevoeging: Option<&'a str>,
}

#[derive(Serialize)]
struct Adres<'a> {
    #[serde(rename = "iwmo:Huis")]
    huis: Huis<'a>,
    #[serde(rename = "iwmo:Postcode")]
    postcode: &'a str,
    #[serde(rename = "iwmo:Straatnaam")]
    straatnaam: &'a str,
    #[serde(rename = "iwmo:Plaatsnaam")]
    plaatsnaam: &'a str,
}

#[derive(Serialize)]
struct Contact<'a> {
    /// 01: BRP-adres.
    #[serde(rename = "wmo301:Soort")]
    soort: &'static str,
    #[serde(rename = "wmo301:Adres")]
    adres: Adres<'a>,
}

#[derive(Serialize)]
struct Contactgegevens<'a> {
    #[serde(rename = "wmo301:Contact")]
    contact: Contact<'a>,
}

#[derive(Serialize)]
struct Product<'a> {
    #[serde(rename = "iwmo:Categorie")]
    categorie: &'a str,
    #[serde(rename = "iwmo:Code")]
    code: &'a str,
}

#[derive(Serialize)]
struct Omvang<'a> {
    #[serde(rename = "iwmo:Volume")]
    volume: i64,
    #[serde(rename = "iwmo:Eenheid")]
    eenheid: &'a str,
    #[serde(rename = "iwmo:Frequentie")]
    frequentie: &'a str,
}

#[derive(Serialize)]
struct ToegewezenProduct<'a> {
    #[serde(rename = "wmo301:ToewijzingNummer")]
    nummer: i64,
    #[serde(
        rename = "wmo301:ReferentieAanbieder",
        skip_serializing_if = "Option::is_none"
    )]
    referentie: Option<&'a str>,
    #[serde(rename = "wmo301:Product")]
    product: Product<'a>,
    #[serde(rename = "wmo301:Toewijzingsdatum")]
    datum: NaiveDate,
    #[serde(rename = "wmo301:Toewijzingstijd")]
    tijd: String,
    #[serde(rename = "wmo301:Ingangsdatum")]
    ingang: NaiveDate,
    #[serde(rename = "wmo301:Einddatum", skip_serializing_if = "Option::is_none")]
    einde: Option<NaiveDate>,
    #[serde(
        rename = "wmo301:RedenWijziging",
        skip_serializing_if = "Option::is_none"
    )]
    reden: Option<&'a str>,
    #[serde(rename = "wmo301:Omvang", skip_serializing_if = "Option::is_none")]
    omvang: Option<Omvang<'a>>,
    #[serde(rename = "wmo301:Budget", skip_serializing_if = "Option::is_none")]
    budget: Option<i64>,
}

#[derive(Serialize)]
struct ToegewezenProducten<'a> {
    #[serde(rename = "wmo301:ToegewezenProduct")]
    items: Vec<ToegewezenProduct<'a>>,
}

#[derive(Serialize)]
struct Client301<'a> {
    #[serde(rename = "wmo301:Bsn")]
    bsn: &'a str,
    #[serde(rename = "wmo301:Geboortedatum")]
    geboortedatum: Datum,
    /// 0: onbekend (Baken does not record sex).
    #[serde(rename = "wmo301:Geslacht")]
    geslacht: &'static str,
    #[serde(rename = "wmo301:Naam")]
    naam: Naam<'a>,
    #[serde(rename = "wmo301:Contactgegevens")]
    contactgegevens: Contactgegevens<'a>,
    #[serde(rename = "wmo301:ToegewezenProducten")]
    producten: ToegewezenProducten<'a>,
}

/// Cuts a value to the schema's maximum length; `None` when empty.
fn fit(value: &str, max: usize) -> Option<&str> {
    let t = value.trim();
    if t.is_empty() {
        return None;
    }
    Some(match t.char_indices().nth(max) {
        Some((i, _)) => t[..i].trim_end(),
        None => t,
    })
}

fn serialize<T: Serialize>(root: &str, value: &T) -> Result<String, WriteError> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut ser = quick_xml::se::Serializer::with_root(&mut out, Some(root))?;
    ser.indent(' ', 2);
    value.serialize(ser)?;
    out.push('\n');
    Ok(out)
}

/// Writes a WMO301.
pub fn wmo301(message: &Wmo301) -> Result<String, WriteError> {
    if message.assignments.is_empty() {
        return Err(WriteError::Empty);
    }
    let c = &message.client;
    let items = message
        .assignments
        .iter()
        .map(|a| ToegewezenProduct {
            nummer: a.number,
            referentie: a.provider_reference.as_deref().and_then(|r| fit(r, 36)),
            product: Product {
                categorie: &a.category,
                code: &a.product_code,
            },
            datum: a.assigned_on,
            tijd: a.assigned_at.format("%H:%M:%S").to_string(),
            ingang: a.start,
            einde: a.end,
            reden: a.change_reason.as_deref(),
            omvang: a.volume.as_ref().map(|(volume, unit, frequency)| Omvang {
                volume: *volume,
                eenheid: unit,
                frequentie: frequency,
            }),
            budget: a.budget,
        })
        .collect();
    let bericht = Bericht301 {
        ns_iwmo: BASE_NAMESPACE,
        ns: MessageKind::Wmo301.namespace(),
        header: Header301::new(MessageKind::Wmo301, &message.header),
        client: Client301 {
            bsn: &c.bsn,
            geboortedatum: Datum {
                datum: c.birth_date,
            },
            geslacht: "0",
            naam: Naam {
                geslachtsnaam: Achternaam {
                    achternaam: fit(&c.surname, 200).unwrap_or("-"),
                    voorvoegsel: c.surname_prefix.as_deref().and_then(|p| fit(p, 10)),
                },
                voornamen: fit(&c.given_names, 200),
                naamgebruik: "1",
            },
            contactgegevens: Contactgegevens {
                contact: Contact {
                    soort: "01",
                    adres: Adres {
                        huis: Huis {
                            huisnummer: c.house_number,
                            huisletter: c.house_letter.as_deref().and_then(|l| fit(l, 1)),
                            toevoeging: c.addition.as_deref().and_then(|a| fit(a, 4)),
                        },
                        postcode: fit(&c.postcode, 8).unwrap_or("-"),
                        straatnaam: fit(&c.street, 24).unwrap_or("-"),
                        plaatsnaam: fit(&c.city, 80).unwrap_or("-"),
                    },
                },
            },
            producten: ToegewezenProducten { items },
        },
    };
    serialize("wmo301:Bericht", &bericht)
}

/// LDT_RedenAfwijzingVerzoek: why a verzoek om toewijzing is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectionReason(&'static str, &'static str);

const REJECTION_REASONS: [(&str, &str); 9] = [
    ("1", "Geen wijziging, maar nieuwe aanvraag"),
    ("2", "Past niet binnen budget"),
    ("3", "Geen contract"),
    ("4", "Past niet binnen contract"),
    ("5", "Andere gemeente"),
    ("6", "Stapeling"),
    ("7", "Zorginhoudelijke afkeur"),
    ("8", "Woonplaatsbeginsel"),
    ("9", "Leeftijdsgrens is bereikt"),
];

impl RejectionReason {
    pub fn parse(code: &str) -> Option<RejectionReason> {
        REJECTION_REASONS
            .iter()
            .find(|(c, _)| *c == code.trim())
            .map(|(c, l)| RejectionReason(c, l))
    }
    pub fn all() -> impl Iterator<Item = RejectionReason> {
        REJECTION_REASONS.iter().map(|(c, l)| RejectionReason(c, l))
    }
    pub fn code(self) -> &'static str {
        self.0
    }
    pub fn label(self) -> &'static str {
        self.1
    }
}

#[derive(Serialize)]
struct Antwoord<'a> {
    #[serde(rename = "wmo319:ReferentieAanbieder")]
    referentie: &'a str,
    /// 1: verzoek afgewezen.
    #[serde(rename = "wmo319:VerzoekAntwoord")]
    antwoord: &'static str,
    #[serde(rename = "wmo319:RedenAfwijzingVerzoek")]
    reden: &'static str,
}

#[derive(Serialize)]
struct Bericht319<'a> {
    #[serde(rename = "@xmlns:iwmo")]
    ns_iwmo: &'static str,
    #[serde(rename = "@xmlns:wmo319")]
    ns: String,
    #[serde(rename = "wmo319:Header")]
    header: Header319<'a>,
    #[serde(rename = "wmo319:Antwoord")]
    antwoord: Antwoord<'a>,
}

/// Writes a WMO319 refusing the verzoek with `reference`.
pub fn wmo319(
    header: &Header,
    reference: &str,
    reason: RejectionReason,
) -> Result<String, WriteError> {
    let bericht = Bericht319 {
        ns_iwmo: BASE_NAMESPACE,
        ns: MessageKind::Wmo319.namespace(),
        header: Header319::new(MessageKind::Wmo319, header),
        antwoord: Antwoord {
            referentie: fit(reference, 36).unwrap_or("-"),
            antwoord: "1",
            reden: reason.code(),
        },
    };
    serialize("wmo319:Bericht", &bericht)
}
