//! The licence to operate (bestuurlijk aanbesteden): any provider that meets a
//! contract's requirements and accepts its tariffs may deliver. A provider
//! applies with evidence per requirement; the municipality accepts or rejects
//! with a reason; a licence runs to the end of the contract period and must be
//! renewed for the next one.
//!
//! [`may_offer`] is the one rule for who may be offered to a resident for a
//! product on a date.

use super::{Contract, Tariff};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// A provider is reminded this many days before its licence ends.
pub const RENEWAL_NOTICE_DAYS: u64 = 60;

/// The largest document a provider may upload as evidence (5 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;

/// The kinds of document accepted as evidence, told by their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    Pdf,
    Png,
    Jpeg,
}

impl DocumentKind {
    /// The kind the bytes are, by their signature; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<DocumentKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(DocumentKind::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(DocumentKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(DocumentKind::Jpeg)
        } else {
            None
        }
    }
    pub fn from_mime(mime: &str) -> Option<DocumentKind> {
        match mime {
            "application/pdf" => Some(DocumentKind::Pdf),
            "image/png" => Some(DocumentKind::Png),
            "image/jpeg" => Some(DocumentKind::Jpeg),
            _ => None,
        }
    }
    pub fn mime(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
        }
    }
    fn extensions(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Pdf => &["pdf"],
            DocumentKind::Png => &["png"],
            DocumentKind::Jpeg => &["jpg", "jpeg"],
        }
    }
}

/// An uploaded document, checked: not empty, at most [`MAX_DOCUMENT_BYTES`],
/// a PDF, PNG or JPEG by its content *and* named so (a program renamed to
/// `.pdf` is refused by its content, a PDF named `.exe` by its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    name: String,
    kind: DocumentKind,
    bytes: Vec<u8>,
}

impl EvidenceFile {
    pub fn new(raw_name: &str, bytes: Vec<u8>) -> Result<EvidenceFile, LicenceError> {
        if bytes.is_empty() {
            return Err(LicenceError::DocumentEmpty);
        }
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(LicenceError::DocumentTooLarge);
        }
        let kind = DocumentKind::sniff(&bytes).ok_or(LicenceError::DocumentType)?;
        // Only the last path component, printable, at most 120 characters.
        let name: String = raw_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !kind.extensions().contains(&extension.as_str()) {
            return Err(LicenceError::DocumentType);
        }
        Ok(EvidenceFile { name, kind, bytes })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// What a provider offers as proof that it meets one requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A statement, dated (e.g. "HKZ-certificaat nr. 1234, geldig tot …").
    Statement { text: String, dated: NaiveDate },
    /// An uploaded document (a certificate, a VOG, a complaints procedure).
    Document {
        file: EvidenceFile,
        dated: NaiveDate,
    },
}

impl Evidence {
    pub fn statement(text: &str, dated: NaiveDate) -> Result<Evidence, LicenceError> {
        let text = text.trim();
        if text.chars().count() < 5 || text.chars().count() > 2000 {
            return Err(LicenceError::EvidenceText);
        }
        Ok(Evidence::Statement {
            text: text.to_owned(),
            dated,
        })
    }
    pub fn dated(&self) -> NaiveDate {
        match self {
            Evidence::Statement { dated, .. } | Evidence::Document { dated, .. } => *dated,
        }
    }
    pub fn describe(&self) -> &str {
        match self {
            Evidence::Statement { text, .. } => text,
            Evidence::Document { file, .. } => file.name(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenceError {
    #[error("a statement as evidence needs 5 to 2000 characters")]
    EvidenceText,
    #[error("an evidence document is empty")]
    DocumentEmpty,
    #[error("an evidence document is larger than 5 MiB")]
    DocumentTooLarge,
    #[error("an evidence document must be a PDF, PNG or JPEG file (by its content and its name)")]
    DocumentType,
    #[error("evidence is missing for requirement '{0}'")]
    EvidenceMissing(String),
    #[error("evidence dated {0} lies in the future")]
    EvidenceInFuture(NaiveDate),
    #[error("the application must accept every current tariff of the contract")]
    TariffsNotAccepted,
    #[error("the application was already decided")]
    AlreadyDecided,
    #[error("a rejection needs a reason (5 to 2000 characters)")]
    ReasonMissing,
    #[error("the contract period has already ended")]
    ContractEnded,
}

impl LicenceError {
    pub fn field(&self) -> &'static str {
        match self {
            LicenceError::EvidenceText
            | LicenceError::DocumentEmpty
            | LicenceError::DocumentTooLarge
            | LicenceError::DocumentType
            | LicenceError::EvidenceMissing(_)
            | LicenceError::EvidenceInFuture(_) => "bewijs",
            LicenceError::TariffsNotAccepted => "tarieven",
            LicenceError::AlreadyDecided => "besluit",
            LicenceError::ReasonMissing => "reden",
            LicenceError::ContractEnded => "contract",
        }
    }
}

/// A provider's application for a contract, checked complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceApplication {
    evidence: BTreeMap<i64, Evidence>,
    accepted_tariffs: BTreeSet<i64>,
}

impl LicenceApplication {
    /// Every requirement of `contract` needs evidence dated no later than
    /// `today`, and every tariff current on `today` or later must be accepted.
    pub fn new(
        contract: &Contract,
        evidence: BTreeMap<i64, Evidence>,
        accepted_tariffs: BTreeSet<i64>,
        today: NaiveDate,
    ) -> Result<LicenceApplication, LicenceError> {
        if contract.until() < today {
            return Err(LicenceError::ContractEnded);
        }
        for requirement in contract.requirements() {
            match evidence.get(&requirement.id) {
                None => return Err(LicenceError::EvidenceMissing(requirement.name.clone())),
                Some(e) if e.dated() > today => {
                    return Err(LicenceError::EvidenceInFuture(e.dated()))
                }
                Some(_) => {}
            }
        }
        let open = contract
            .tariffs()
            .iter()
            .filter(|t| t.valid_until.is_none_or(|until| until >= today));
        if open.clone().any(|t| !accepted_tariffs.contains(&t.id)) {
            return Err(LicenceError::TariffsNotAccepted);
        }
        Ok(LicenceApplication {
            evidence,
            accepted_tariffs,
        })
    }
    pub fn evidence(&self) -> &BTreeMap<i64, Evidence> {
        &self.evidence
    }
    pub fn accepted_tariffs(&self) -> &BTreeSet<i64> {
        &self.accepted_tariffs
    }
}

/// Where a licence stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenceStatus {
    Applied,
    Accepted { on: NaiveDate },
    Rejected { on: NaiveDate, reason: String },
}

impl LicenceStatus {
    pub fn code(&self) -> &'static str {
        match self {
            LicenceStatus::Applied => "aangevraagd",
            LicenceStatus::Accepted { .. } => "verleend",
            LicenceStatus::Rejected { .. } => "afgewezen",
        }
    }
}

/// One provider's licence for one contract, for the contract's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    pub id: i64,
    pub provider_id: i64,
    pub contract_id: i64,
    pub valid_until: NaiveDate,
    pub status: LicenceStatus,
}

impl Licence {
    /// Accepted and not yet expired on `date`.
    pub fn is_active(&self, date: NaiveDate) -> bool {
        matches!(self.status, LicenceStatus::Accepted { on } if on <= date)
            && date <= self.valid_until
    }

    /// The provider should re-apply: an active licence ending within
    /// [`RENEWAL_NOTICE_DAYS`] of `today`.
    pub fn renewal_due(&self, today: NaiveDate) -> bool {
        self.is_active(today)
            && self
                .valid_until
                .checked_sub_days(chrono::Days::new(RENEWAL_NOTICE_DAYS))
                .is_some_and(|notice| notice <= today)
    }

    /// The municipality's decision. A rejection needs a reason.
    pub fn decide(
        &mut self,
        accept: bool,
        reason: &str,
        on: NaiveDate,
    ) -> Result<(), LicenceError> {
        if self.status != LicenceStatus::Applied {
            return Err(LicenceError::AlreadyDecided);
        }
        self.status = if accept {
            LicenceStatus::Accepted { on }
        } else {
            let reason = reason.trim();
            if !(5..=2000).contains(&reason.chars().count()) {
                return Err(LicenceError::ReasonMissing);
            }
            LicenceStatus::Rejected {
                on,
                reason: reason.to_owned(),
            }
        };
        Ok(())
    }
}

/// Why a provider is not offered for a product on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotOffered {
    #[error("the product is not in the contract, or the contract does not run on that date")]
    NotContracted,
    #[error("the product has no tariff on that date")]
    NoTariff,
    #[error("the provider has no active licence for the contract")]
    NoActiveLicence,
    #[error("the provider did not accept the tariff valid on that date")]
    TariffNotAccepted,
}

/// May `provider` be offered for `product` under `contract` on `date`? Only
/// when the contract runs and holds the product, the product has a tariff on
/// that date, the provider's licence for the contract is active, and the
/// provider accepted exactly that tariff.
pub fn may_offer(
    contract: &Contract,
    product: i64,
    licences: &[Licence],
    accepted_tariffs: &BTreeSet<i64>,
    date: NaiveDate,
) -> Result<(), NotOffered> {
    if !contract.covers(date) || !contract.products().contains(&product) {
        return Err(NotOffered::NotContracted);
    }
    let tariff: &Tariff = contract
        .tariff_on(product, date)
        .ok_or(NotOffered::NoTariff)?;
    if !licences
        .iter()
        .any(|l| l.contract_id == contract.id && l.is_active(date))
    {
        return Err(NotOffered::NoActiveLicence);
    }
    if !accepted_tariffs.contains(&tariff.id) {
        return Err(NotOffered::TariffNotAccepted);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracting::{Cents, Requirement};
    use crate::MunicipalityCode;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn an_evidence_document_is_checked_by_its_content_and_its_name() {
        let pdf = b"%PDF-1.7\n1 0 obj\n".to_vec();
        let f = EvidenceFile::new("C:\\Users\\x\\HKZ-certificaat.PDF", pdf.clone()).unwrap();
        assert_eq!(f.name(), "HKZ-certificaat.PDF", "only the last component");
        assert_eq!(f.kind().mime(), "application/pdf");
        let png = b"\x89PNG\r\n\x1a\n....".to_vec();
        assert_eq!(
            EvidenceFile::new("vog.png", png).unwrap().kind(),
            DocumentKind::Png
        );
        let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
        assert!(EvidenceFile::new("scan.jpeg", jpeg.clone()).is_ok());
        assert!(EvidenceFile::new("scan.jpg", jpeg).is_ok());
        // A program renamed to .pdf: refused by its content.
        assert_eq!(
            EvidenceFile::new("certificaat.pdf", b"MZ\x90\x00program".to_vec()),
            Err(LicenceError::DocumentType)
        );
        // HTML (it would run in the browser of whoever opens it).
        assert_eq!(
            EvidenceFile::new("certificaat.pdf", b"<html><script>".to_vec()),
            Err(LicenceError::DocumentType)
        );
        // A real PDF under another name: refused by its name.
        assert_eq!(
            EvidenceFile::new("certificaat.exe", pdf.clone()),
            Err(LicenceError::DocumentType)
        );
        assert_eq!(
            EvidenceFile::new("leeg.pdf", Vec::new()),
            Err(LicenceError::DocumentEmpty)
        );
        let mut big = pdf.clone();
        big.resize(MAX_DOCUMENT_BYTES + 1, b' ');
        assert_eq!(
            EvidenceFile::new("groot.pdf", big),
            Err(LicenceError::DocumentTooLarge)
        );
        let mut just = pdf;
        just.resize(MAX_DOCUMENT_BYTES, b' ');
        assert!(EvidenceFile::new("precies.pdf", just).is_ok());
        assert_eq!(LicenceError::DocumentType.field(), "bewijs");
    }

    /// A contract for 2026-2027 with product 7: tariff 1 from 2026-01-01,
    /// tariff 2 from 2026-07-01.
    fn contract() -> Contract {
        let tariff = |id, cents, from: &str, until: Option<&str>| Tariff {
            id,
            product_id: 7,
            cents: Cents::new(cents).unwrap(),
            valid_from: d(from),
            valid_until: until.map(d),
        };
        Contract::new(
            1,
            "Perceel begeleiding",
            vec![MunicipalityCode::parse("GM9999").unwrap()],
            d("2026-01-01"),
            d("2027-12-31"),
        )
        .unwrap()
        .with_parts(
            [7],
            vec![Requirement {
                id: 11,
                name: "HKZ-certificaat".into(),
            }],
            vec![
                tariff(1, 6000, "2026-01-01", Some("2026-06-30")),
                tariff(2, 6400, "2026-07-01", None),
            ],
        )
    }

    fn licence(status: LicenceStatus) -> Licence {
        Licence {
            id: 1,
            provider_id: 3,
            contract_id: 1,
            valid_until: d("2027-12-31"),
            status,
        }
    }

    fn accepted() -> LicenceStatus {
        LicenceStatus::Accepted {
            on: d("2026-01-01"),
        }
    }

    #[test]
    fn a_provider_that_did_not_accept_the_new_tariff_is_not_offered_from_its_start() {
        let c = contract();
        let l = [licence(accepted())];
        let only_old: BTreeSet<i64> = [1].into();
        assert_eq!(may_offer(&c, 7, &l, &only_old, d("2026-06-30")), Ok(()));
        assert_eq!(
            may_offer(&c, 7, &l, &only_old, d("2026-07-01")),
            Err(NotOffered::TariffNotAccepted)
        );
    }

    #[test]
    fn a_provider_without_an_accepted_licence_is_not_offered() {
        let c = contract();
        let both: BTreeSet<i64> = [1, 2].into();
        for status in [
            LicenceStatus::Applied,
            LicenceStatus::Rejected {
                on: d("2026-01-02"),
                reason: "Geen HKZ".into(),
            },
        ] {
            assert_eq!(
                may_offer(&c, 7, &[licence(status)], &both, d("2026-03-01")),
                Err(NotOffered::NoActiveLicence)
            );
        }
    }

    #[test]
    fn a_rejection_without_a_reason_is_refused() {
        let mut l = licence(LicenceStatus::Applied);
        assert_eq!(
            l.decide(false, "  ", d("2026-01-05")),
            Err(LicenceError::ReasonMissing)
        );
        l.decide(false, "Geen VOG voor het personeel", d("2026-01-05"))
            .unwrap();
        assert_eq!(l.status.code(), "afgewezen");
        assert_eq!(
            l.decide(true, "", d("2026-01-06")),
            Err(LicenceError::AlreadyDecided)
        );
    }

    #[test]
    fn renewal_is_due_sixty_days_before_the_end() {
        let l = licence(accepted());
        assert!(!l.renewal_due(d("2027-10-31")));
        assert!(l.renewal_due(d("2027-11-01")));
        assert!(l.renewal_due(d("2027-12-31")));
        assert!(!l.renewal_due(d("2028-01-01")));
    }

    #[test]
    fn an_application_needs_evidence_for_every_requirement_and_the_current_tariffs() {
        let c = contract();
        let today = d("2026-08-01");
        let evidence: BTreeMap<i64, Evidence> = [(
            11,
            Evidence::statement("HKZ-certificaat 2026-118", d("2026-05-01")).unwrap(),
        )]
        .into();
        assert_eq!(
            LicenceApplication::new(&c, BTreeMap::new(), [2].into(), today),
            Err(LicenceError::EvidenceMissing("HKZ-certificaat".into()))
        );
        assert_eq!(
            LicenceApplication::new(&c, evidence.clone(), BTreeSet::new(), today),
            Err(LicenceError::TariffsNotAccepted)
        );
        // Tariff 1 has ended; only the current one needs accepting.
        assert!(LicenceApplication::new(&c, evidence, [2].into(), today).is_ok());
    }

    fn status_strategy() -> impl Strategy<Value = LicenceStatus> {
        prop_oneof![
            Just(LicenceStatus::Applied),
            (0u64..900).prop_map(|n| LicenceStatus::Accepted {
                on: d("2025-06-01") + chrono::Days::new(n)
            }),
            Just(LicenceStatus::Rejected {
                on: d("2026-01-01"),
                reason: "Onvoldoende".into()
            }),
        ]
    }

    proptest! {
        /// Offered exactly when the licence is active on the date and the
        /// tariff valid on that date is among the accepted ones.
        #[test]
        fn offered_iff_active_licence_and_the_days_tariff_accepted(
            status in status_strategy(),
            until_offset in 0u64..900,
            accepted in proptest::collection::btree_set(1i64..4, 0..3),
            day in 0u64..800,
        ) {
            let c = contract();
            let mut l = licence(status);
            l.valid_until = d("2025-06-01") + chrono::Days::new(until_offset);
            let date = d("2026-01-01") + chrono::Days::new(day);
            let result = may_offer(&c, 7, std::slice::from_ref(&l), &accepted, date);
            let tariff_id = if date < d("2026-07-01") { 1 } else { 2 };
            let expected = c.covers(date) && l.is_active(date) && accepted.contains(&tariff_id);
            prop_assert_eq!(result.is_ok(), expected);
            if result.is_ok() {
                // An offer never rests on a licence that is not accepted.
                let is_accepted = matches!(l.status, LicenceStatus::Accepted { .. });
                prop_assert!(is_accepted);
            }
        }
    }
}

/// The date `days` working days (Monday to Friday) after `from`: the answer
/// period for a provider's verzoek om toewijzing. Public holidays are not
/// counted out.
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    use chrono::{Datelike, Weekday};
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.succ_opt().unwrap_or(date);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

#[cfg(test)]
mod working_days {
    use super::add_working_days;
    use chrono::{Datelike, NaiveDate, Weekday};
    use proptest::prelude::*;

    #[test]
    fn five_working_days_from_a_thursday_end_on_the_next_thursday() {
        let thursday = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(
            add_working_days(thursday, 5),
            NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()
        );
    }

    proptest! {
        /// The deadline is never a weekend day and lies n to n + 2·⌈n/5⌉+2 days on.
        #[test]
        fn the_deadline_is_a_working_day(start in 0i64..3000, n in 1u32..30) {
            let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(start as u64);
            let due = add_working_days(from, n);
            prop_assert!(!matches!(due.weekday(), Weekday::Sat | Weekday::Sun));
            let span = (due - from).num_days();
            prop_assert!(span >= i64::from(n));
            prop_assert!(span <= i64::from(n) + 2 * i64::from(n.div_ceil(5)) + 2);
        }
    }
}
