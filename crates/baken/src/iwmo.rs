//! `baken iwmo …`: iWmo 3.2 messages on the command line — the WMO301 export
//! for the providers, the import of their WMO305/307/315, and the answer to a
//! verzoek om toewijzing.

use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_iwmo::exchange::{self, Answer, Answered, ExchangeError};
use baken_iwmo::RejectionReason;
use baken_store::Db;
use chrono::NaiveDate;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum IwmoCommand {
    /// Write a WMO301 per provider, day and client for the toewijzingen
    /// changed since DATE (all without it); every file is checked against
    /// WMO301.xsd (xmllint) before the export counts.
    Export {
        /// Directory to write the messages to (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only toewijzingen changed on or after this date (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "BAKEN_DB", value_name = "URL")]
        db: Option<String>,
    },
    /// Read providers' messages (WMO305 start zorg, WMO307 stop zorg, WMO315
    /// verzoek om toewijzing). Each file is validated against its XSD first;
    /// an invalid file is refused with the line and element path of each
    /// problem and changes nothing.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "BAKEN_DB", value_name = "URL")]
        db: Option<String>,
    },
    /// Answer an open verzoek om toewijzing: --grant makes the toewijzing and
    /// writes its WMO301; --refuse CODE writes a WMO319. Either file is
    /// checked against its XSD (xmllint) first.
    Answer {
        /// The request's number (shown on the task).
        request: i64,
        #[arg(long, conflicts_with = "refuse")]
        grant: bool,
        /// Reason for refusal (LDT_RedenAfwijzingVerzoek 1-9, e.g. 3 = geen contract).
        #[arg(long, value_name = "CODE")]
        refuse: Option<String>,
        /// A note with the refusal.
        #[arg(long, default_value = "")]
        note: String,
        /// Directory for the answer (WMO301 or WMO319).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "BAKEN_DB", value_name = "URL")]
        db: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("--since: '{0}' is not a date (YYYY-MM-DD)")]
    Since(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}; nothing was imported from it")]
    Import { path: String, source: ExchangeError },
    #[error("{0} of the files were refused (listed above)")]
    SomeRefused(usize),
    #[error("give --grant or --refuse CODE")]
    NoAnswer,
    #[error("--refuse: '{0}' is not a reason code; use 1 to 9 (see --help)")]
    Reason(String),
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    #[error(transparent)]
    Store(#[from] baken_store::StoreError),
}

fn entry(command: &str) -> AuditEntry {
    let who = std::env::var("USER").unwrap_or_else(|_| "onbekend".into());
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: None,
            username: Some(format!("cli:{who}")),
            role: Some("cli".into()),
            client_addr: "lokaal".into(),
        },
        route: format!("cli: baken iwmo {command}"),
        action: AuditAction::Update,
        outcome: AuditOutcome::Success,
        object_type: None,
        object_id: None,
        detail: String::new(),
    }
}

async fn open(url: &str) -> Result<Db, CliError> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(db)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Runs a `baken iwmo` command; `default_db` is used when `--db` is not given.
pub async fn run(command: IwmoCommand, default_db: String) -> Result<(), CliError> {
    match command {
        IwmoCommand::Export { out, since, db } => {
            let since = since
                .map(|s| {
                    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| CliError::Since(s))
                })
                .transpose()?;
            let db = open(&db.unwrap_or(default_db)).await?;
            let report =
                exchange::export(&db, since, &out, &entry("export"), baken_store::now()).await?;
            eprintln!(
                "{} WMO301 message(s) with {} toewijzing(en) written to {}; all valid against WMO301.xsd.",
                report.files.len(),
                report.toewijzingen,
                out.display()
            );
            Ok(())
        }
        IwmoCommand::Import { files, db } => {
            let db = open(&db.unwrap_or(default_db)).await?;
            let mut refused = 0;
            for file in &files {
                let path = file.display().to_string();
                let xml = std::fs::read(file).map_err(|source| CliError::Read {
                    path: path.clone(),
                    source,
                })?;
                match exchange::import(&db, &xml, None, &entry("import"), today()).await {
                    Ok(report) => {
                        let what = if report.requests.is_empty() {
                            format!("toewijzing {:?}", report.changed)
                        } else {
                            format!("{} verzoek(en) as tasks", report.requests.len())
                        };
                        eprintln!(
                            "{path}: {} from {}: {what}.",
                            report.kind.name(),
                            report.provider
                        );
                    }
                    Err(source) => {
                        refused += 1;
                        eprintln!(
                            "{}",
                            CliError::Import {
                                path: path.clone(),
                                source
                            }
                        );
                    }
                }
            }
            if refused > 0 {
                return Err(CliError::SomeRefused(refused));
            }
            Ok(())
        }
        IwmoCommand::Answer {
            request,
            grant,
            refuse,
            note,
            out,
            db,
        } => {
            let answer = match (grant, refuse) {
                (true, _) => Answer::Grant,
                (false, Some(code)) => Answer::Refuse {
                    reason: RejectionReason::parse(&code).ok_or(CliError::Reason(code))?,
                    note,
                },
                (false, None) => return Err(CliError::NoAnswer),
            };
            let db = open(&db.unwrap_or(default_db)).await?;
            let (kind, xml, what) =
                match exchange::answer(&db, request, &answer, &entry("answer"), today()).await? {
                    Answered::Granted { number, wmo301 } => {
                        ("WMO301", wmo301, format!("granted: toewijzing {number}"))
                    }
                    Answered::Refused { wmo319 } => ("WMO319", wmo319, "refused".to_owned()),
                };
            std::fs::create_dir_all(&out).map_err(|source| CliError::Write {
                path: out.display().to_string(),
                source,
            })?;
            let path = out.join(format!("{kind}_request_{request}.xml"));
            std::fs::write(&path, xml).map_err(|source| CliError::Write {
                path: path.display().to_string(),
                source,
            })?;
            eprintln!(
                "Request {request} {what}; {kind} written to {}.",
                path.display()
            );
            Ok(())
        }
    }
}
