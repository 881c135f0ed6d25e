//! iWmo 3.2: the messages between a municipality and its Wmo providers.
//!
//! Baken writes WMO301 (toewijzing: one message per provider, day and client —
//! the schema holds one `Client` per message) and WMO319 (antwoord op een
//! verzoek: afgewezen with a reason; a granted verzoek is answered with the
//! WMO301 itself, as the standard prescribes). It reads WMO305 (start zorg),
//! WMO307 (stop zorg, reason WMO588) and WMO315 (verzoek om toewijzing).
//!
//! Every message read is checked against the official XSDs first
//! ([`schema::validate`], libxml2's `xmllint` — a real XML Schema validator, not
//! a shape check); a message that fails is refused with the line and element
//! path the validator names. The XSDs are vendored in `xsd/` (see its
//! SOURCE.md).
//!
//! **Architecture invariant:** this crate knows no HTTP, and its XML modules
//! (`read`, `write`, `schema`) know no database: they turn values into the
//! standard's XML and back. `exchange` connects them to the store (as the
//! `hsds` crate does for the social map): what an export sends and what an
//! incoming message changes, each in one transaction with its audit entries.

pub mod exchange;
pub mod read;
pub mod schema;
pub mod write;

pub use read::{kind_of, read, Incoming, MessageHeader, ReadError, Request, Start, Stop};
pub use schema::{validate, Invalid, Problem, SchemaError};
pub use write::{wmo301, wmo319, Assignment, Client, Header, RejectionReason, Wmo301, WriteError};

/// The message types Baken handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Wmo301,
    Wmo305,
    Wmo307,
    Wmo315,
    Wmo319,
}

impl MessageKind {
    pub const ALL: [MessageKind; 5] = [
        MessageKind::Wmo301,
        MessageKind::Wmo305,
        MessageKind::Wmo307,
        MessageKind::Wmo315,
        MessageKind::Wmo319,
    ];
    /// `WMO301` etc.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Wmo301 => "WMO301",
            MessageKind::Wmo305 => "WMO305",
            MessageKind::Wmo307 => "WMO307",
            MessageKind::Wmo315 => "WMO315",
            MessageKind::Wmo319 => "WMO319",
        }
    }
    /// The BerichtCode in the header.
    pub fn code(self) -> &'static str {
        match self {
            MessageKind::Wmo301 => "414",
            MessageKind::Wmo305 => "418",
            MessageKind::Wmo307 => "420",
            MessageKind::Wmo315 => "444",
            MessageKind::Wmo319 => "482",
        }
    }
    /// The message's namespace.
    pub fn namespace(self) -> String {
        format!(
            "http://www.istandaarden.nl/iwmo/3_2/{}/schema",
            self.name().to_ascii_lowercase()
        )
    }
    /// Which kind a root element's namespace names.
    pub fn from_namespace(ns: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.namespace() == ns)
    }
}

/// The basisschema's namespace (prefix `iwmo`).
pub const BASE_NAMESPACE: &str = "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema";
