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
    /// Read HSDS 3.0 into the map: a JSON file in any HSDS shape (a single
    /// organization, service or service_at_location with nested objects, a
    /// paged list, Baken's export, the tabular form as JSON), a folder of
    /// HSDS CSV files, or a zip archive of them (told by its content; errors
    /// name the file inside the archive, its line and field). It is checked against the official schemas first; every
    /// problem is reported with its JSON path and nothing is imported when
    /// anything is invalid. Services without Baken's own facts (life domain,
    /// ladder step …) wait for a beheerder at /beheer/kaart/in-te-delen.
    Import {
        file: PathBuf,
        /// Refuse a file larger than this many bytes, before reading it (a
        /// folder or zip archive: all its CSV files together, unpacked).
        #[arg(long, env = "BAKEN_HSDS_MAX_BYTES", value_name = "BYTES", default_value_t = hsds::input::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
        /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
        #[arg(long, env = "BAKEN_DB", value_name = "URL")]
        db: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Input(hsds::input::ReadError),
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
        KaartCommand::Import {
            file,
            db,
            max_bytes,
        } => {
            let path = file.display().to_string();
            let bundle = match hsds::input::read_path(&file, max_bytes) {
                Ok(bundle) => bundle,
                Err(hsds::input::ReadError::Invalid {
                    problems, count, ..
                }) => {
                    for p in &problems {
                        eprintln!("{path}: {p}");
                    }
                    return Err(CliError::Invalid { path, count });
                }
                Err(e) => return Err(CliError::Input(e)),
            };
            let db = open(&db.unwrap_or(default_db)).await?;
            match hsds::import_bundle(&db, &bundle, entry("import", AuditAction::Create)).await {
                Ok(s) => {
                    eprintln!(
                        "Imported {path}: {} organisations, {} services new, {} changed ({} waiting to be classified at /beheer/kaart/in-te-delen), {} locations, {} service-at-locations.",
                        s.organizations, s.services_created, s.services_updated, s.services_to_classify, s.locations, s.service_at_locations
                    );
                    Ok(())
                }
                Err(ImportError::Invalid(problems)) => {
                    for p in &problems {
                        eprintln!("{path}: {}: {}", bundle.place(&p.path), p.message);
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
