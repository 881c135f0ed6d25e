//! iWmo traffic against the store: the WMO301 export, the import of a
//! provider's WMO305/307/315, and the answer to a verzoek om toewijzing. Each
//! is one transaction with its audit entries: an import that fails at any
//! point changes nothing.

use crate::read::{self, Incoming, ReadError};
use crate::schema::{self, SchemaError};
use crate::write::{self, Assignment, Client, Header, RejectionReason, Wmo301, WriteError};
use crate::MessageKind;
use baken_domain::contracting::{
    add_working_days, Scope, Toewijzing, ToewijzingError, ToewijzingNumber,
};
use baken_domain::{AuditAction, AuditEntry};
use baken_store::contracting::{self as ct, Choice, NewRequest, NewToewijzing, RequestAnswer};
use baken_store::{audit, Db, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the municipality's gemeentecode is not set (beheer → iWmo)")]
    NoMunicipalityCode,
    #[error("provider '{0}' has no AGB code (beheer → iWmo); nothing was written")]
    NoAgbCode(String),
    #[error("the sender {0} is not the AGB code of a provider Baken knows")]
    UnknownSender(String),
    #[error("the message is addressed to {got}, not to this municipality ({expected})")]
    WrongReceiver { expected: String, got: String },
    #[error("the message's sender {0} is not the provider of this account")]
    NotYourMessage(String),
    #[error("toewijzing {0} is not one of the sender's toewijzingen")]
    UnknownToewijzing(i64),
    #[error("{kind} {identification} from {sender} was already read")]
    AlreadyRead {
        kind: &'static str,
        sender: String,
        identification: String,
    },
    #[error("written messages fail their XSD (a bug in Baken; nothing was kept): {0}")]
    InvalidOutput(String),
    #[error("request {0} not found or already answered")]
    RequestNotOpen(i64),
    #[error("the request names no product Baken knows; refuse it instead")]
    RequestWithoutProduct,
    #[error("the request names no resident Baken knows; refuse it instead")]
    RequestWithoutResident,
    #[error("{0}")]
    Toewijzing(#[from] ToewijzingError),
}

fn io(path: &Path, source: std::io::Error) -> ExchangeError {
    ExchangeError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub files: Vec<PathBuf>,
    pub toewijzingen: usize,
}

/// Writes one WMO301 per provider, day and client (the schema holds one
/// client per message) for the toewijzingen changed since `since` (all
/// without it) into `out`, checks every file against the XSD in one xmllint
/// run, and records the messages and an audit entry per household. On any
/// failure the files written are removed and nothing is recorded.
pub async fn export(
    db: &Db,
    since: Option<NaiveDate>,
    out: &Path,
    entry: &AuditEntry,
    now: DateTime<Utc>,
) -> Result<ExportReport, ExchangeError> {
    let mut tx = db.begin().await?;
    let gemeentecode = baken_store::settings::get(&mut tx, ct::SETTING_GEMEENTECODE)
        .await?
        .ok_or(ExchangeError::NoMunicipalityCode)?;
    let rows = ct::toewijzingen_for_export(&mut tx, since).await?;
    let mut groups: BTreeMap<(i64, NaiveDate, String), Vec<ct::ExportRow>> = BTreeMap::new();
    for row in rows {
        let key = (
            row.provider_id,
            row.changed_at.date_naive(),
            row.bsn.clone(),
        );
        groups.entry(key).or_default().push(row);
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let mut next = ct::next_outgoing_number(&mut tx).await?;
    let mut files = Vec::with_capacity(groups.len());
    let mut entries = Vec::with_capacity(groups.len());
    let mut count = 0;
    let result: Result<(), ExchangeError> = async {
        for ((_, day, _), rows) in &groups {
            let first = &rows[0];
            let agb = first
                .agb_code
                .as_deref()
                .ok_or_else(|| ExchangeError::NoAgbCode(first.provider_name.clone()))?;
            let identification = next.to_string();
            next += 1;
            let header =
                Header::to_provider(&gemeentecode, agb, &identification, now.date_naive())?;
            let message = Wmo301 {
                header,
                client: client(first),
                assignments: rows.iter().map(assignment).collect(),
            };
            let xml = write::wmo301(&message)?;
            let path = out.join(format!("WMO301_{agb}_{day}_{identification}.xml"));
            std::fs::write(&path, xml).map_err(|e| io(&path, e))?;
            files.push(path);
            ct::record_message(&mut tx, "uit", "WMO301", &gemeentecode, &identification).await?;
            count += rows.len();
            let mut e = entry.clone();
            e.action = AuditAction::Export;
            e.object_type = Some("household".into());
            e.object_id = Some(first.household_id.to_string());
            e.detail = format!(
                "WMO301 {identification} aan AGB {agb}: toewijzing {}",
                rows.iter()
                    .map(|r| r.number.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            entries.push(e);
        }
        let failed = schema::validate_files(MessageKind::Wmo301, &files)?;
        if let Some((file, report)) = failed.first() {
            return Err(ExchangeError::InvalidOutput(format!(
                "{}: {}",
                file.display(),
                report.lines().take(3).collect::<Vec<_>>().join(" ")
            )));
        }
        audit::append_many(&mut tx, &entries).await?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        return Err(e);
    }
    tx.commit().await?;
    Ok(ExportReport {
        files,
        toewijzingen: count,
    })
}

fn client(row: &ct::ExportRow) -> Client {
    let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    Client {
        bsn: row.bsn.clone(),
        birth_date: row.birth_date,
        given_names: row.given_name.clone(),
        surname_prefix: row.surname_prefix.as_deref().and_then(non_empty),
        surname: row.surname.clone(),
        street: row.street.clone(),
        house_number: row.house_number,
        house_letter: non_empty(&row.house_letter),
        addition: non_empty(&row.addition),
        postcode: row.postcode.clone(),
        city: row.city.clone(),
    }
}

fn assignment(row: &ct::ExportRow) -> Assignment {
    Assignment {
        number: row.number,
        provider_reference: row.provider_reference.clone(),
        category: row.category.clone(),
        product_code: row.product_code.clone(),
        assigned_on: row.changed_at.date_naive(),
        assigned_at: row.changed_at.time(),
        start: row.start_date,
        end: row.end_date,
        change_reason: row.change_reason.clone(),
        volume: match (row.volume, &row.unit, &row.frequency) {
            (Some(v), Some(u), Some(f)) => Some((v, u.clone(), f.clone())),
            _ => None,
        },
        budget: row.budget_cents,
    }
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: MessageKind,
    pub provider: String,
    /// Toewijzingen started or stopped.
    pub changed: Vec<i64>,
    /// Requests (tasks) created.
    pub requests: Vec<i64>,
}

/// Reads a provider's message and applies it in one transaction. With
/// `only_provider` (the API: the token's provider) a message from another
/// sender is refused.
pub async fn import(
    db: &Db,
    xml: &[u8],
    only_provider: Option<i64>,
    entry: &AuditEntry,
    today: NaiveDate,
) -> Result<ImportReport, ExchangeError> {
    let incoming = read::read(xml)?;
    let header = incoming.header().clone();
    let kind = incoming.kind();
    let mut tx = db.begin().await?;
    let (provider_id, provider) = ct::provider_by_agb(&mut tx, &header.sender)
        .await?
        .ok_or_else(|| ExchangeError::UnknownSender(header.sender.clone()))?;
    if only_provider.is_some_and(|p| p != provider_id) {
        return Err(ExchangeError::NotYourMessage(header.sender.clone()));
    }
    if let Some(code) = baken_store::settings::get(&mut tx, ct::SETTING_GEMEENTECODE).await? {
        if code != header.receiver {
            return Err(ExchangeError::WrongReceiver {
                expected: code,
                got: header.receiver.clone(),
            });
        }
    }
    match ct::record_message(
        &mut tx,
        "in",
        kind.name(),
        &header.sender,
        &header.identification,
    )
    .await
    {
        Err(StoreError::Duplicate(_)) => {
            return Err(ExchangeError::AlreadyRead {
                kind: kind.name(),
                sender: header.sender.clone(),
                identification: header.identification.clone(),
            })
        }
        other => other?,
    }
    let mut report = ImportReport {
        kind,
        provider,
        changed: Vec::new(),
        requests: Vec::new(),
    };
    let resident = match &incoming {
        Incoming::Start { bsn, .. }
        | Incoming::Stop { bsn, .. }
        | Incoming::Request { bsn, .. } => ct::resident_by_bsn(&mut tx, bsn).await?,
    };
    let mut e = entry.clone();
    e.object_type = Some("household".into());
    e.object_id = resident.map(|(_, h, _)| h.to_string());
    match incoming {
        Incoming::Start { starts, .. } => {
            for s in starts {
                match ct::record_start(&mut tx, provider_id, s.number, s.on).await {
                    Err(StoreError::NotFound(_)) => {
                        return Err(ExchangeError::UnknownToewijzing(s.number))
                    }
                    other => other?,
                }
                report.changed.push(s.number);
            }
            e.action = AuditAction::Update;
            e.detail = format!("WMO305 start zorg: toewijzing {:?}", report.changed);
        }
        Incoming::Stop { stops, .. } => {
            for s in stops {
                match ct::record_stop(&mut tx, provider_id, s.number, s.on, s.reason).await {
                    Err(StoreError::NotFound(_)) => {
                        return Err(ExchangeError::UnknownToewijzing(s.number))
                    }
                    other => other?,
                }
                report.changed.push(s.number);
            }
            e.action = AuditAction::Update;
            e.detail = format!("WMO307 stop zorg: toewijzing {:?}", report.changed);
        }
        Incoming::Request { requests, .. } => {
            let deadline = add_working_days(
                today,
                u32::try_from(ct::answer_days(&mut tx).await?).unwrap_or(5),
            );
            for r in &requests {
                let product_id = match (&r.category, &r.product_code) {
                    (Some(cat), Some(code)) => {
                        ct::product_by_code(&mut tx, cat, code).await?.map(|p| p.id)
                    }
                    _ => None,
                };
                let id = ct::create_request(
                    &mut tx,
                    &NewRequest {
                        provider_id,
                        message_id: &header.identification,
                        reference: &r.reference,
                        resident,
                        product_id,
                        start: r.start,
                        end: r.end,
                        volume: r
                            .volume
                            .as_ref()
                            .map(|(v, u, f)| (*v, u.as_str(), f.as_str())),
                        received_on: today,
                        deadline,
                    },
                )
                .await?;
                report.requests.push(id);
            }
            e.action = AuditAction::Create;
            e.detail = format!(
                "WMO315 verzoek om toewijzing: {} product(en), antwoord uiterlijk {deadline}",
                requests.len()
            );
        }
    }
    audit::append(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(report)
}

/// The municipality's answer to a verzoek om toewijzing.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Granted: a toewijzing for the requested product, volume and period,
    /// answered at once by a WMO301 carrying the provider's reference (the
    /// WMO319's VerzoekAntwoord can only refuse or say "in onderzoek").
    Grant,
    /// Refused with a reason: a WMO319.
    Refuse {
        reason: RejectionReason,
        note: String,
    },
}

/// What answering produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answered {
    Granted { number: i64, wmo301: String },
    Refused { wmo319: String },
}

/// Answers an open request (once), recorded with an audit entry.
pub async fn answer(
    db: &Db,
    request_id: i64,
    answer: &Answer,
    entry: &AuditEntry,
    today: NaiveDate,
) -> Result<Answered, ExchangeError> {
    let mut tx = db.begin().await?;
    let request = ct::request(&mut tx, request_id)
        .await?
        .filter(|r| r.status == "open")
        .ok_or(ExchangeError::RequestNotOpen(request_id))?;
    let outgoing = ct::next_outgoing_number(&mut tx).await?.to_string();
    let gemeentecode = baken_store::settings::get(&mut tx, ct::SETTING_GEMEENTECODE)
        .await?
        .ok_or(ExchangeError::NoMunicipalityCode)?;
    let agb = request
        .agb_code
        .clone()
        .ok_or_else(|| ExchangeError::NoAgbCode(request.provider_name.clone()))?;
    let header = Header::to_provider(&gemeentecode, &agb, &outgoing, today)?;
    let mut e = entry.clone();
    e.object_type = Some("household".into());
    e.object_id = request.household_id.map(|h| h.to_string());
    let answered = match answer {
        Answer::Grant => {
            let product_id = request
                .product_id
                .ok_or(ExchangeError::RequestWithoutProduct)?;
            let (household_id, resident_id) = request
                .household_id
                .zip(request.resident_id)
                .ok_or(ExchangeError::RequestWithoutResident)?;
            let product = ct::product_row(&mut tx, product_id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("product {product_id}")))?
                .product()?;
            let scope = match (request.volume, &request.unit, &request.frequency) {
                (Some(volume), Some(unit), Some(frequency)) => Scope::Volume {
                    volume,
                    unit: baken_domain::contracting::Unit::parse(unit).map_err(ReadError::from)?,
                    frequency: baken_domain::contracting::Frequency::parse(frequency)
                        .map_err(ReadError::from)?,
                },
                _ => return Err(ToewijzingError::OutputScope.into()),
            };
            let number = ct::next_toewijzing_number(&mut tx).await?;
            let toewijzing = Toewijzing::new(
                ToewijzingNumber::new(number)?,
                (product_id, &product),
                request.provider_id,
                (request.start_date, request.end_date),
                scope,
            )?;
            let id = ct::create_toewijzing(
                &mut tx,
                &NewToewijzing {
                    household_id,
                    resident_id,
                    referral_id: None,
                    toewijzing: &toewijzing,
                    choice: Choice::Request,
                    choice_note: &format!("Verzoek {} van de aanbieder", request.reference),
                },
            )
            .await?;
            // The answer is the toewijzing itself: a WMO301 for this client
            // with the provider's reference, checked against its XSD.
            let mut row = ct::toewijzing_for_export(&mut tx, id)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("toewijzing {id}")))?;
            row.provider_reference = Some(request.reference.clone());
            let message = Wmo301 {
                header,
                client: client(&row),
                assignments: vec![assignment(&row)],
            };
            let xml = write::wmo301(&message)?;
            schema::validate(MessageKind::Wmo301, xml.as_bytes())?;
            ct::record_message(&mut tx, "uit", "WMO301", &gemeentecode, &outgoing).await?;
            ct::answer_request(
                &mut tx,
                request_id,
                &RequestAnswer {
                    granted: true,
                    reason_code: None,
                    note: "",
                    on: today,
                    toewijzing_id: Some(id),
                    answer_message_id: &outgoing,
                    answer_xml: Some(&xml),
                },
            )
            .await?;
            e.action = AuditAction::Create;
            e.detail =
                format!("verzoek {request_id} toegewezen: toewijzing {number}, WMO301 {outgoing}");
            Answered::Granted {
                number,
                wmo301: xml,
            }
        }
        Answer::Refuse { reason, note } => {
            let xml = write::wmo319(&header, &request.reference, *reason)?;
            schema::validate(MessageKind::Wmo319, xml.as_bytes())?;
            ct::record_message(&mut tx, "uit", "WMO319", &gemeentecode, &outgoing).await?;
            ct::answer_request(
                &mut tx,
                request_id,
                &RequestAnswer {
                    granted: false,
                    reason_code: Some(reason.code()),
                    note,
                    on: today,
                    toewijzing_id: None,
                    answer_message_id: &outgoing,
                    answer_xml: Some(&xml),
                },
            )
            .await?;
            e.action = AuditAction::Update;
            e.detail = format!(
                "verzoek {request_id} afgewezen ({}): WMO319 {outgoing}",
                reason.label()
            );
            Answered::Refused { wmo319: xml }
        }
    };
    audit::append(&mut tx, &e).await?;
    tx.commit().await?;
    Ok(answered)
}
