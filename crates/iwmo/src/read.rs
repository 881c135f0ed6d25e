//! Reading the providers' messages: WMO305 (start zorg), WMO307 (stop zorg)
//! and WMO315 (verzoek om toewijzing). [`read`] validates against the XSD
//! first, then maps the message to plain values; nothing is read from a
//! message that does not validate.

use crate::schema::{self, SchemaError};
use crate::MessageKind;
use baken_domain::contracting::StopReason;
use chrono::NaiveDate;
use quick_xml::events::Event;
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not an iWmo message: {0}")]
    NotIwmo(String),
    #[error("{0} is a message Baken does not read (it reads WMO305, WMO307 and WMO315)")]
    NotRead(&'static str),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("the message validates but cannot be read: {0}")]
    Shape(#[from] quick_xml::DeError),
    #[error("{0}")]
    Code(#[from] baken_domain::contracting::UnknownCode),
}

/// Header fields Baken uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHeader {
    pub sender: String,
    pub receiver: String,
    pub identification: String,
    pub dated: NaiveDate,
}

/// A provider's start of delivery for one toewijzing (WMO305).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub number: i64,
    pub on: NaiveDate,
}

/// A provider's end of delivery (WMO307).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub number: i64,
    pub on: NaiveDate,
    pub reason: StopReason,
}

/// One requested product in a verzoek om toewijzing (WMO315).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub reference: String,
    pub category: Option<String>,
    pub product_code: Option<String>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Volume, WJ756 unit, WMO757 frequency.
    pub volume: Option<(i64, String, String)>,
    pub budget: Option<i64>,
}

/// A message read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Start {
        header: MessageHeader,
        bsn: String,
        starts: Vec<Start>,
    },
    Stop {
        header: MessageHeader,
        bsn: String,
        stops: Vec<Stop>,
    },
    Request {
        header: MessageHeader,
        bsn: String,
        requests: Vec<Request>,
    },
}

impl Incoming {
    pub fn kind(&self) -> MessageKind {
        match self {
            Incoming::Start { .. } => MessageKind::Wmo305,
            Incoming::Stop { .. } => MessageKind::Wmo307,
            Incoming::Request { .. } => MessageKind::Wmo315,
        }
    }
    pub fn header(&self) -> &MessageHeader {
        match self {
            Incoming::Start { header, .. }
            | Incoming::Stop { header, .. }
            | Incoming::Request { header, .. } => header,
        }
    }
}

// ------------------------------------------------------------ serde shapes
// The deserializer matches elements by local name, so one shape serves each
// message's prefix.

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Header {
    afzender: String,
    ontvanger: String,
    bericht_identificatie: Identificatie,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Identificatie {
    identificatie: String,
    dagtekening: NaiveDate,
}

impl From<Header> for MessageHeader {
    fn from(h: Header) -> Self {
        MessageHeader {
            sender: h.afzender,
            receiver: h.ontvanger,
            identification: h.bericht_identificatie.identificatie,
            dated: h.bericht_identificatie.dagtekening,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Bericht<C> {
    header: Header,
    client: C,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartClient {
    bsn: String,
    start_producten: StartProducten,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartProducten {
    start_product: Vec<StartProduct>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StartProduct {
    toewijzing_nummer: i64,
    begindatum: NaiveDate,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StopClient {
    bsn: String,
    stop_producten: StopProducten,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StopProducten {
    stop_product: Vec<StopProduct>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StopProduct {
    toewijzing_nummer: i64,
    reden_beeindiging: String,
    einddatum: NaiveDate,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RequestClient {
    bsn: String,
    aangevraagde_producten: AangevraagdeProducten,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AangevraagdeProducten {
    aangevraagd_product: Vec<AangevraagdProduct>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProductXml {
    categorie: String,
    code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OmvangXml {
    volume: i64,
    eenheid: String,
    frequentie: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AangevraagdProduct {
    referentie_aanbieder: String,
    product: Option<ProductXml>,
    toewijzing_ingangsdatum: NaiveDate,
    toewijzing_einddatum: Option<NaiveDate>,
    omvang: Option<OmvangXml>,
    budget: Option<i64>,
}

/// Which kind of message this is, from its root element's namespace.
pub fn kind_of(xml: &[u8]) -> Result<MessageKind, ReadError> {
    let mut reader = quick_xml::NsReader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_resolved_event_into(&mut buf) {
            Ok((ns, Event::Start(_) | Event::Empty(_))) => {
                let ns = match ns {
                    quick_xml::name::ResolveResult::Bound(n) => n.into_inner().to_owned(),
                    _ => String::new(),
                };
                return MessageKind::from_namespace(&ns).ok_or_else(|| {
                    ReadError::NotIwmo(format!(
                        "the root element's namespace '{ns}' is not an iWmo 3.2 message"
                    ))
                });
            }
            Ok((_, Event::Eof)) => return Err(ReadError::NotIwmo("the file is empty".into())),
            Ok(_) => {}
            Err(e) => {
                return Err(ReadError::NotIwmo(format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.error_position()
                )))
            }
        }
        buf.clear();
    }
}

/// Reads a provider's message: which kind, validated against its XSD, then
/// mapped. An invalid message is refused with the validator's problems.
pub fn read(xml: &[u8]) -> Result<Incoming, ReadError> {
    let kind = kind_of(xml)?;
    if !matches!(
        kind,
        MessageKind::Wmo305 | MessageKind::Wmo307 | MessageKind::Wmo315
    ) {
        return Err(ReadError::NotRead(kind.name()));
    }
    schema::validate(kind, xml)?;
    let text =
        std::str::from_utf8(xml).map_err(|e| ReadError::NotIwmo(format!("not UTF-8: {e}")))?;
    Ok(match kind {
        MessageKind::Wmo305 => {
            let b: Bericht<StartClient> = quick_xml::de::from_str(text)?;
            Incoming::Start {
                header: b.header.into(),
                bsn: b.client.bsn,
                starts: b
                    .client
                    .start_producten
                    .start_product
                    .into_iter()
                    .map(|p| Start {
                        number: p.toewijzing_nummer,
                        on: p.begindatum,
                    })
                    .collect(),
            }
        }
        MessageKind::Wmo307 => {
            let b: Bericht<StopClient> = quick_xml::de::from_str(text)?;
            let stops = b
                .client
                .stop_producten
                .stop_product
                .into_iter()
                .map(|p| {
                    Ok(Stop {
                        number: p.toewijzing_nummer,
                        on: p.einddatum,
                        reason: StopReason::parse(&p.reden_beeindiging)?,
                    })
                })
                .collect::<Result<Vec<_>, ReadError>>()?;
            Incoming::Stop {
                header: b.header.into(),
                bsn: b.client.bsn,
                stops,
            }
        }
        _ => {
            let b: Bericht<RequestClient> = quick_xml::de::from_str(text)?;
            Incoming::Request {
                header: b.header.into(),
                bsn: b.client.bsn,
                requests: b
                    .client
                    .aangevraagde_producten
                    .aangevraagd_product
                    .into_iter()
                    .map(|p| Request {
                        reference: p.referentie_aanbieder,
                        category: p.product.as_ref().map(|x| x.categorie.clone()),
                        product_code: p.product.and_then(|x| x.code),
                        start: p.toewijzing_ingangsdatum,
                        end: p.toewijzing_einddatum,
                        volume: p.omvang.map(|o| (o.volume, o.eenheid, o.frequentie)),
                        budget: p.budget,
                    })
                    .collect(),
            }
        }
    })
}
