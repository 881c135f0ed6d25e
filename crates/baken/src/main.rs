//! `baken`: the command line. It wires configuration to the crates and does
//! nothing else (architecture invariant: no SQL, no HTML, no rules here).

mod config;

use anyhow::{anyhow, bail, Context};
use baken_domain::audit::Actor;
use baken_domain::{AuditAction, AuditEntry, AuditOutcome, Password, Role, Username};
use baken_store::{audit, demo, users, Db};
use clap::{Parser, Subcommand, ValueEnum};
use config::{FileConfig, DEFAULT_ADDR, DEFAULT_DB};
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "baken",
    version,
    about = "Baken: the municipal social domain, Welzijn Nieuwe Stijl"
)]
struct Cli {
    /// Settings file (default: ./baken.toml if it exists).
    #[arg(long, global = true, env = "BAKEN_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log format.
    #[arg(long, global = true, env = "BAKEN_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Human,
    Json,
}

#[derive(clap::Args)]
struct DbArg {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, env = "BAKEN_DB", value_name = "URL")]
    db: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations and serve the web app and the API.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, env = "BAKEN_ADDR", value_name = "HOST:PORT")]
        addr: Option<String>,
        /// Fill an empty database with the synthetic municipality first.
        #[arg(long)]
        demo: bool,
        /// Households for --demo.
        #[arg(long, env = "BAKEN_DEMO_HOUSEHOLDS", value_name = "N")]
        households: Option<u64>,
        /// Mark cookies Secure (default: on unless listening on a loopback address).
        #[arg(long, env = "BAKEN_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
    },
    /// Fill an empty database with the synthetic municipality GM9999.
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// Number of households (100 to 2,000,000).
        #[arg(long, value_name = "N")]
        households: Option<u64>,
        /// Seed: the same seed gives the same municipality.
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The stapelingsmonitor: pseudonymise, link, report.
    Monitor {
        #[command(subcommand)]
        command: baken_monitor::cli::MonitorCommand,
    },
    /// The sociale kaart: Open Referral HSDS 3.0 export and import.
    Kaart {
        #[command(subcommand)]
        command: baken_web::kaart::cli::KaartCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input, or asked for
    /// twice on a terminal; never from the command line.
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// inwoner, vrijwilliger, makelaar, generalist, teamleider, aanbieder, beleid, beheerder
        #[arg(long)]
        role: String,
        /// Team name (required for generalist and teamleider).
        #[arg(long)]
        team: Option<String>,
        /// Display name (default: the user name).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Print a new bearer token for the JSON API (stored hashed).
    Create {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        /// Lifetime: 30m, 1h, 7d … (at most 90d).
        #[arg(long, default_value = "1h", value_parser = config::parse_ttl)]
        ttl: chrono::Duration,
    },
    /// Revoke a token by its id (printed by `token create`).
    Revoke {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain: exit 0 with the number of entries, or 1 naming the first broken entry.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let json = match cli.log_format {
        Some(f) => f == LogFormat::Json,
        None => file.log_format.as_deref() == Some("json"),
    };
    init_logging(json);
    let result = match cli.command {
        Command::Monitor { command } => {
            let domains = file.monitor.as_ref().and_then(|m| m.domain_list());
            baken_monitor::cli::run_with_domains(command, domains.as_ref())
        }
        other => match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(run(other, file)),
            Err(e) => Err(anyhow!(e).context("cannot start the async runtime")),
        },
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BAKEN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

fn db_url(arg: &DbArg, file: &FileConfig) -> String {
    arg.db
        .clone()
        .or_else(|| file.db.clone())
        .unwrap_or_else(|| DEFAULT_DB.to_owned())
}

async fn open(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("cannot open database {}", redact(url)))?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn cli_actor() -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "onbekend".into());
    Actor {
        user_id: None,
        username: Some(format!("cli:{who}")),
        role: Some("cli".into()),
        client_addr: "lokaal".into(),
    }
}

fn cli_entry(
    command: &str,
    action: AuditAction,
    object: Option<(&str, String)>,
    detail: String,
) -> AuditEntry {
    AuditEntry {
        at: baken_store::now(),
        actor: cli_actor(),
        route: format!("cli: baken {command}"),
        action,
        outcome: AuditOutcome::Success,
        object_type: object.as_ref().map(|o| o.0.to_owned()),
        object_id: object.map(|o| o.1),
        detail,
    }
}

async fn run(command: Command, file: FileConfig) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            db,
            addr,
            demo,
            households,
            secure_cookies,
        } => {
            let url = db_url(&db, &file);
            let addr_s = addr
                .or_else(|| file.addr.clone())
                .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
            let addr: SocketAddr = addr_s.parse().map_err(|_| {
                anyhow!(
                    "--addr '{addr_s}' is not HOST:PORT with an IP address, like 127.0.0.1:8080"
                )
            })?;
            let database = open(&url).await?;
            let mut demo_loaded = false;
            if demo {
                let n = households
                    .or(file.demo.as_ref().and_then(|d| d.households))
                    .unwrap_or(2_000);
                let seed = file.demo.as_ref().and_then(|d| d.seed).unwrap_or(2026);
                match load_demo(&database, n, seed).await {
                    Ok(()) => demo_loaded = true,
                    Err(e)
                        if e.downcast_ref::<baken_store::StoreError>()
                            .is_some_and(|s| matches!(s, baken_store::StoreError::NotEmpty(_))) =>
                    {
                        eprintln!("The database already holds data; serving it as it is (the demo only fills an empty database).");
                        demo_loaded = true;
                        print_demo_accounts();
                    }
                    Err(e) => return Err(e),
                }
            }
            let secure = secure_cookies
                .or(file.secure_cookies)
                .unwrap_or(!addr.ip().is_loopback());
            let config = baken_web::WebConfig {
                secure_cookies: secure,
                session_ttl: chrono::Duration::hours(file.session_hours.unwrap_or(8) as i64),
                demo: demo_loaded,
                municipality: file
                    .municipality
                    .clone()
                    .unwrap_or_else(|| baken_synth::municipality().name),
                monitor: monitor_settings(file.monitor.as_ref()),
            };
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let local = listener.local_addr()?;
            tracing::info!(%local, database = %redact(&url), "serving");
            eprintln!("Baken is running at http://{local}/ (stop with Ctrl-C)");
            baken_web::serve(listener, baken_web::AppState::new(database, config)).await?;
            Ok(())
        }
        Command::Demo {
            db,
            households,
            seed,
        } => {
            let url = db_url(&db, &file);
            let n = households
                .or(file.demo.as_ref().and_then(|d| d.households))
                .unwrap_or(2_000);
            let seed = seed
                .or(file.demo.as_ref().and_then(|d| d.seed))
                .unwrap_or(2026);
            let database = open(&url).await?;
            load_demo(&database, n, seed).await
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    role,
                    team,
                    name,
                },
        } => {
            let username = Username::parse(&username).map_err(|e| anyhow!("--username: {e}"))?;
            let role = Role::parse(&role).map_err(|e| anyhow!("--role: {e}"))?;
            if role.needs_team() && team.is_none() {
                bail!("--team: a {role} belongs to a team; give --team with the team's name");
            }
            let password = read_password()?;
            let database = open(&db_url(&db, &file)).await?;
            let mut tx = database.begin().await?;
            let team_id = match &team {
                Some(t) => Some(
                    baken_store::areas::team_by_name(&mut tx, t)
                        .await?
                        .ok_or_else(|| anyhow!("--team: there is no team named '{t}'"))?
                        .id,
                ),
                None => None,
            };
            let hash = baken_web::password::hash_password(password.expose())?;
            let display = name.unwrap_or_else(|| username.to_string());
            let id = users::create(
                &mut tx,
                &users::NewUser {
                    username: &username,
                    display_name: &display,
                    role,
                    team_id,
                    provider_id: None,
                    household_id: None,
                    password_hash: &hash,
                },
            )
            .await
            .map_err(|e| match e {
                baken_store::StoreError::Duplicate(_) => {
                    anyhow!("--username: the user '{username}' already exists")
                }
                other => anyhow!(other),
            })?;
            audit::append(
                &mut tx,
                &cli_entry(
                    "user add",
                    AuditAction::Create,
                    Some(("user", id.to_string())),
                    format!("rol {role}"),
                ),
            )
            .await?;
            tx.commit().await?;
            println!("Created user '{username}' (id {id}, role {role}).");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { db, username, ttl },
        } => {
            let database = open(&db_url(&db, &file)).await?;
            let mut tx = database.begin().await?;
            let user = users::by_username(&mut tx, &username.trim().to_ascii_lowercase())
                .await?
                .ok_or_else(|| anyhow!("--username: there is no user '{username}'"))?;
            if !user.active {
                bail!("--username: the account '{}' is disabled", user.username);
            }
            let (id, secret, expires) = users::create_token(&mut tx, user.id, ttl).await?;
            audit::append(
                &mut tx,
                &cli_entry(
                    "token create",
                    AuditAction::Create,
                    Some(("api_token", id.to_string())),
                    format!("voor {} tot {}", user.username, expires.to_rfc3339()),
                ),
            )
            .await?;
            tx.commit().await?;
            eprintln!("Token {id} for '{}' ({}), valid until {} UTC. Revoke with: baken token revoke --id {id}", user.username, user.role, expires.format("%Y-%m-%d %H:%M"));
            println!("{secret}");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { db, id },
        } => {
            let database = open(&db_url(&db, &file)).await?;
            let mut tx = database.begin().await?;
            users::revoke_token(&mut tx, id)
                .await
                .map_err(|e| match e {
                    baken_store::StoreError::NotFound(_) => {
                        anyhow!("--id: there is no active token with id {id}")
                    }
                    other => anyhow!(other),
                })?;
            audit::append(
                &mut tx,
                &cli_entry(
                    "token revoke",
                    AuditAction::Delete,
                    Some(("api_token", id.to_string())),
                    String::new(),
                ),
            )
            .await?;
            tx.commit().await?;
            println!("Token {id} is revoked.");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => {
            let database = open(&db_url(&db, &file)).await?;
            let mut tx = database.read().await?;
            match audit::verify(&mut tx).await? {
                audit::Verification::Intact { entries } => {
                    println!("The audit log is intact: {entries} entries.");
                    Ok(())
                }
                audit::Verification::Broken(b) => {
                    bail!("the audit log is broken at entry {}: {b}", b.seq)
                }
            }
        }
        Command::Monitor { .. } => unreachable!("handled before the runtime starts"),
        Command::Kaart { command } => Ok(baken_web::kaart::cli::run(
            command,
            file.db.clone().unwrap_or_else(|| DEFAULT_DB.to_owned()),
        )
        .await?),
    }
}

/// The web upload's settings from `[monitor]` (checked when the file was read).
fn monitor_settings(
    m: Option<&config::MonitorFileConfig>,
) -> baken_web::pages::monitor::MonitorSettings {
    let mut settings = baken_web::pages::monitor::MonitorSettings::default();
    if let Some(m) = m {
        if let Some(d) = m.domain_list() {
            settings.domains = d;
        }
        if let Some(mb) = m.max_upload_mb {
            settings.max_upload_bytes = usize::try_from(mb)
                .unwrap_or(usize::MAX)
                .saturating_mul(1024 * 1024);
        }
        settings.upload_dir = m.upload_dir.clone();
    }
    settings
}

fn read_password() -> anyhow::Result<Password> {
    let stdin = std::io::stdin();
    let raw = if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Password again: ")?;
        if first != second {
            bail!("the two passwords differ; nothing was created");
        }
        first
    } else {
        let mut s = String::new();
        stdin
            .lock()
            .read_to_string(&mut s)
            .context("cannot read the password from standard input")?;
        s.lines().next().unwrap_or("").to_owned()
    };
    Password::parse(&raw).map_err(|e| anyhow!("password: {e}"))
}

async fn load_demo(db: &Db, households: u64, seed: u64) -> anyhow::Result<()> {
    if !(1..=baken_synth::Config::MAX_HOUSEHOLDS).contains(&households) {
        bail!(
            "--households must be from 1 to {}; got {households}",
            baken_synth::Config::MAX_HOUSEHOLDS
        );
    }
    let m = baken_synth::municipality();
    let config = baken_synth::Config::new(households, seed);
    let hash = baken_web::password::hash_password(baken_synth::DEMO_PASSWORD)?;
    let started = std::time::Instant::now();
    let show = std::io::stderr().is_terminal();
    let summary = demo::load(db, &m, &config, &hash, |n| {
        if show && (n % 10_000 == 0 || n == households) {
            eprint!("\r{n} of {households} households written");
        }
    })
    .await?;
    if show {
        eprintln!();
    }
    eprintln!(
        "Filled the database with the synthetic municipality {} ({}): {} households, {} residents, {} accounts in {:.1} s (seed {seed}).",
        m.code,
        m.name,
        summary.households,
        summary.residents,
        summary.accounts.len(),
        started.elapsed().as_secs_f64()
    );
    print_demo_accounts();
    Ok(())
}

fn print_demo_accounts() {
    let m = baken_synth::municipality();
    eprintln!(
        "Demo accounts (password for all: {}):",
        baken_synth::DEMO_PASSWORD
    );
    for a in m.accounts.iter().take(8) {
        eprintln!("  {:<14} {}", a.username, a.role.label());
    }
    eprintln!(
        "  … and a generalist and teamleider per district (generalist.noord, teamleider.noord, …)."
    );
}
