//! `baken kaart …`: the social map on the command line (HSDS 3.0 export and import).

use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome};
use baken_hsds::{self as hsds, ImportError};
use baken_store::{audit, Db, StoreError};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Open Referral HSDS 3.0 JSON.
    Hsds,
}

#[derive(clap::Subcommand)]
pub enum KaartCommand {
    /// Write the social map as Open Referral HSDS 3.0 JSON (audited as an export).
    Export {
        #[arg(long, value_enum, default_value = "hsds")]
        format: Format,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "BAKEN_DB", value_name = "URL")]
        db: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Read an HSDS 3.0 JSON file into the map. It is checked against the
    /// official schemas first; every problem is reported with its JSON path and
    /// nothing is imported when anything is invalid.
    Import {
        file: PathBuf,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "BAKEN_DB", value_name = "URL")]
        db: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
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
    #[error("{path} is not JSON: line {line}, column {column}: {message}")]
    NotJson {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {count} problems (listed above); nothing was imported")]
    Invalid { path: String, count: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn entry(command: &str, action: AuditAction) -> AuditEntry {
    let who = std::env::var("USER").unwrap_or_else(|_| "onbekend".into());
    AuditEntry {
        at: baken_store::now(),
        actor: Actor {
            user_id: None,
            username: Some(format!("cli:{who}")),
            role: Some("cli".into()),
            client_addr: "lokaal".into(),
        },
        route: format!("cli: baken kaart {command}"),
        action,
        outcome: AuditOutcome::Success,
        object_type: Some("sociale_kaart".into()),
        object_id: Some("*".into()),
        detail: String::new(),
    }
}

async fn open(url: &str) -> Result<Db, CliError> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(db)
}

/// Runs a `baken kaart` command; `default_db` is used when `--db` is not given.
pub async fn run(command: KaartCommand, default_db: String) -> Result<(), CliError> {
    match command {
        KaartCommand::Export {
            format: Format::Hsds,
            db,
            out,
        } => {
            let db = open(&db.unwrap_or(default_db)).await?;
            let text = hsds::export_text(&db).await?;
            let mut e = entry("export", AuditAction::Export);
            e.detail = format!(
                "HSDS 3.0-export naar {}",
                out.as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "stdout".into())
            );
            let mut tx = db.begin().await?;
            audit::append(&mut tx, &e).await?;
            tx.commit().await?;
            match out {
                Some(path) => std::fs::write(&path, text).map_err(|source| CliError::Write {
                    path: path.display().to_string(),
                    source,
                })?,
                None => print!("{text}"),
            }
            Ok(())
        }
        KaartCommand::Import { file, db } => {
            let path = file.display().to_string();
            let text = std::fs::read_to_string(&file).map_err(|source| CliError::Read {
                path: path.clone(),
                source,
            })?;
            let doc: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| CliError::NotJson {
                    path: path.clone(),
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                })?;
            let db = open(&db.unwrap_or(default_db)).await?;
            match hsds::import(&db, &doc, entry("import", AuditAction::Create)).await {
                Ok(s) => {
                    eprintln!(
                        "Imported {path}: {} organisations, {} services new, {} changed, {} locations, {} service-at-locations.",
                        s.organizations, s.services_created, s.services_updated, s.locations, s.service_at_locations
                    );
                    Ok(())
                }
                Err(ImportError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{path}: {p}");
                    }
                    Err(CliError::Invalid {
                        path,
                        count: problems.len(),
                    })
                }
                Err(ImportError::Store(e)) => Err(e.into()),
            }
        }
    }
}
