//! `baken`: the command line. It wires configuration to the crates and does
//! nothing else (architecture invariant: no SQL, no HTML, no rules here).

mod config;
mod iwmo;
mod kaart;

use anyhow::{anyhow, bail, Context};
use baken_domain::audit::Actor;
use baken_domain::audit_checkpoint::{
    Checkpoint, CheckpointKey, CheckpointPublicKey, SignedCheckpoint,
};
use baken_domain::{AuditAction, AuditEntry, AuditOutcome, Password, Role, Username};
use baken_store::{audit, demo, users, Db};
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use config::{FileConfig, LogFormat, DEFAULT_ADDR, DEFAULT_DB};
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
    /// Log format: human or json.
    #[arg(long, global = true, env = "BAKEN_LOG_FORMAT", value_name = "FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
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
        /// Households for --demo (1 to 2,000,000).
        #[arg(long, env = "BAKEN_DEMO_HOUSEHOLDS", value_name = "N")]
        households: Option<String>,
        /// Mark cookies Secure: true or false (default: true unless listening on a loopback address).
        #[arg(long, env = "BAKEN_SECURE_COOKIES", value_name = "BOOL")]
        secure_cookies: Option<String>,
    },
    /// Fill an empty database with the synthetic municipality GM9999.
    Demo {
        #[command(flatten)]
        db: DbArg,
        /// Number of households (1 to 2,000,000).
        #[arg(long, env = "BAKEN_DEMO_HOUSEHOLDS", value_name = "N")]
        households: Option<String>,
        /// Seed: the same seed gives the same municipality.
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// Bring the database's schema up to date and exit (`serve` does this too at start-up).
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Write a consistent copy of a SQLite database while it is in use (PostgreSQL: use pg_dump -Fc).
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The copy to write: a new file (an existing one is never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
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
        command: kaart::KaartCommand,
    },
    /// iWmo 3.2: WMO301 export to providers, import of their WMO305/307/315.
    Iwmo {
        #[command(subcommand)]
        command: iwmo::IwmoCommand,
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
        /// Team name (generalist and teamleider only, and required for them).
        #[arg(long)]
        team: Option<String>,
        /// Household number (inwoner only, and required: their own household).
        #[arg(long, value_name = "ID")]
        household: Option<i64>,
        /// Provider (organisation) name (aanbieder only, and required).
        #[arg(long, value_name = "NAME")]
        provider: Option<String>,
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
    /// Check the hash chain: exit 0 with the number of entries, or 1 naming the first broken entry
    /// (or, with --checkpoints, the first checkpoint the log does not match).
    Verify {
        #[command(flatten)]
        db: DbArg,
        /// Signed checkpoints (`baken audit checkpoint --out`): the log must reach each, with its hash.
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        /// The public key the checkpoints were signed for (`FILE.pub` of `baken audit keygen`).
        #[arg(long, value_name = "FILE", conflicts_with = "key")]
        public_key: Option<PathBuf>,
        /// Or the secret key, to derive the public key from.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Create a checkpoint signing key: FILE (secret, mode 0600) and FILE.pub (public).
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Sign the head of the log (sequence number and hash) and append it as one line to
    /// --out, or print it (to send it to syslog, say).
    Checkpoint {
        #[command(flatten)]
        db: DbArg,
        /// The secret key of `baken audit keygen`, kept outside the database.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The checkpoint file to append to (created if missing).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Where a setting came from, for messages: the flag, the variable, or nothing
/// (then the file or the default applies).
#[derive(Clone, Copy)]
struct Origins<'a>(Option<&'a ArgMatches>);

impl Origins<'_> {
    /// `--flag` or `VARIABLE`, as the user gave it.
    fn name(&self, id: &str, flag: &str, env: &str) -> String {
        match self.0.and_then(|m| m.value_source(id)) {
            Some(clap::parser::ValueSource::EnvVariable) => env.to_owned(),
            _ => flag.to_owned(),
        }
    }
}

/// The matches of the innermost subcommand (where its flags live).
fn leaf(m: &ArgMatches) -> &ArgMatches {
    match m.subcommand() {
        Some((_, sub)) => leaf(sub),
        None => m,
    }
}

fn main() -> std::process::ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let format = match &cli.log_format {
        Some(f) => match config::parse_log_format(f) {
            Ok(f) => f,
            Err(e) => {
                let name =
                    Origins(Some(&matches)).name("log_format", "--log-format", "BAKEN_LOG_FORMAT");
                eprintln!("error: {name} {e}");
                return std::process::ExitCode::from(2);
            }
        },
        None => file.log_format.unwrap_or(LogFormat::Human),
    };
    if let Err(e) = init_logging(format == LogFormat::Json) {
        eprintln!("error: {e}");
        return std::process::ExitCode::from(2);
    }
    let origins = Origins(Some(leaf(&matches)));
    let result = match cli.command {
        Command::Monitor { command } => {
            let domains = file.monitor.as_ref().and_then(|m| m.domain_list());
            baken_monitor::cli::run_with_domains(command, domains.as_ref())
        }
        other => match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(run(other, file, origins)),
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

/// Logs go to standard error. Every request is one INFO line (`baken::request`:
/// method, route template, status, latency, request id); `BAKEN_LOG` sets the
/// filter (tracing's `EnvFilter` syntax).
fn init_logging(json: bool) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("BAKEN_LOG") {
        Ok(f) if !f.trim().is_empty() => {
            EnvFilter::try_new(f.trim()).map_err(|e| format!("BAKEN_LOG '{f}': {e}"))?
        }
        _ => EnvFilter::new("info,sqlx=warn"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
    Ok(())
}

/// The database URL: flag, then `BAKEN_DB`, then the file, then the default;
/// checked before anything is opened or created.
fn db_url(arg: &DbArg, file: &FileConfig, origins: Origins) -> anyhow::Result<String> {
    match &arg.db {
        Some(url) => config::parse_db(url)
            .map_err(|e| anyhow!("{} {e}", origins.name("db", "--db", "BAKEN_DB"))),
        None => Ok(file.db.clone().unwrap_or_else(|| DEFAULT_DB.to_owned())),
    }
}

/// Households for the demo: flag, then `BAKEN_DEMO_HOUSEHOLDS`, then the file,
/// then the default; checked before the database is touched.
fn demo_households(
    arg: &Option<String>,
    file: &FileConfig,
    origins: Origins,
) -> anyhow::Result<u64> {
    match arg {
        Some(n) => config::parse_households(n).map_err(|e| {
            anyhow!(
                "{} {e}; nothing was created",
                origins.name("households", "--households", "BAKEN_DEMO_HOUSEHOLDS")
            )
        }),
        None => Ok(file
            .demo
            .as_ref()
            .and_then(|d| d.households)
            .unwrap_or(config::DEFAULT_HOUSEHOLDS)),
    }
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

async fn run(command: Command, file: FileConfig, origins: Origins<'_>) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            db,
            addr,
            demo,
            households,
            secure_cookies,
        } => {
            // Every setting is checked before the database is opened.
            let url = db_url(&db, &file, origins)?;
            let addr: SocketAddr = match &addr {
                Some(a) => config::parse_addr(a)
                    .map_err(|e| anyhow!("{} {e}", origins.name("addr", "--addr", "BAKEN_ADDR")))?,
                None => match file.addr {
                    Some(a) => a,
                    None => config::parse_addr(DEFAULT_ADDR).map_err(|e| anyhow!(e))?,
                },
            };
            let secure = match &secure_cookies {
                Some(v) => config::parse_bool(v).map_err(|e| {
                    anyhow!(
                        "{} {e}",
                        origins.name("secure_cookies", "--secure-cookies", "BAKEN_SECURE_COOKIES")
                    )
                })?,
                None => file
                    .secure_cookies
                    .unwrap_or_else(|| baken_web::secure_cookies_by_default(&addr)),
            };
            let demo_size = if demo {
                Some(demo_households(&households, &file, origins)?)
            } else {
                None
            };
            let monitor = monitor_settings(file.monitor.as_ref())?;
            let database = open(&url).await?;
            if let Some(n) = demo_size {
                let seed = file
                    .demo
                    .as_ref()
                    .and_then(|d| d.seed)
                    .unwrap_or(config::DEFAULT_SEED);
                match load_demo(&database, n, seed).await {
                    Ok(()) => {}
                    Err(e)
                        if e.downcast_ref::<baken_store::StoreError>()
                            .is_some_and(|s| matches!(s, baken_store::StoreError::NotEmpty(_))) =>
                    {
                        if demo::is_demo(&database).await? {
                            eprintln!("The database already holds the synthetic municipality; serving it as it is.");
                            print_demo_accounts();
                        } else {
                            eprintln!("The database already holds data that is not the demo; serving it as it is, without demo accounts (the demo only fills an empty database).");
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            // The banner says "all data is invented": only when it is.
            let holds_demo = demo::is_demo(&database).await?;
            let config = baken_web::WebConfig {
                secure_cookies: secure,
                session_ttl: chrono::Duration::hours(i64::from(file.session_hours.unwrap_or(8))),
                demo: holds_demo,
                municipality: file
                    .municipality
                    .clone()
                    .unwrap_or_else(|| baken_synth::municipality().name),
                monitor,
                oidc: file
                    .oidc
                    .as_ref()
                    .map(|o| o.settings(std::env::var("BAKEN_OIDC_CLIENT_SECRET").ok()))
                    .transpose()?,
                mail: file
                    .smtp
                    .as_ref()
                    .map(|smtp| -> anyhow::Result<_> {
                        Ok(baken_web::MailSettings {
                            smtp: baken_mail::SmtpSettings {
                                host: smtp.host.clone(),
                                port: smtp.port,
                                tls: smtp.tls,
                                ca_pem: smtp
                                    .ca_file
                                    .as_ref()
                                    .map(|path| {
                                        std::fs::read(path).with_context(|| {
                                            format!(
                                                "[smtp] ca_file: cannot read {}",
                                                path.display()
                                            )
                                        })
                                    })
                                    .transpose()?,
                                from: smtp.from.clone(),
                                username: smtp.username.clone(),
                                password: smtp.password.clone(),
                                timeout_secs: 30,
                            },
                            public_url: smtp.public_url.clone(),
                            every_secs: smtp.every_secs,
                        })
                    })
                    .transpose()?,
                pre_login_key: pre_login_key(&database).await?,
                cell_key: cell_key_secret(&database).await?,
                trusted_proxies: file.trusted_proxies.clone().unwrap_or_default(),
                privacy_contact: file
                    .privacy_contact
                    .clone()
                    .unwrap_or_else(|| baken_web::DEFAULT_PRIVACY_CONTACT.to_owned()),
            };
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let local = listener.local_addr()?;
            tracing::info!(%local, database = %redact(&url), demo = holds_demo, secure_cookies = secure, "serving");
            eprintln!("Baken is running at http://{local}/ (stop with Ctrl-C)");
            let defaults = baken_web::ServeLimits::default();
            let limits = baken_web::ServeLimits {
                header_read_timeout: file
                    .header_timeout_secs
                    .map(std::time::Duration::from_secs)
                    .unwrap_or(defaults.header_read_timeout),
                shutdown_deadline: file
                    .shutdown_deadline_secs
                    .map(std::time::Duration::from_secs)
                    .unwrap_or(defaults.shutdown_deadline),
            };
            baken_web::serve(listener, baken_web::AppState::new(database, config), limits).await?;
            Ok(())
        }
        Command::Demo {
            db,
            households,
            seed,
        } => {
            // Checked before the database file is created or migrated.
            let url = db_url(&db, &file, origins)?;
            let n = demo_households(&households, &file, origins)?;
            let seed = seed
                .or(file.demo.as_ref().and_then(|d| d.seed))
                .unwrap_or(config::DEFAULT_SEED);
            let database = open(&url).await?;
            load_demo(&database, n, seed).await
        }
        Command::Migrate { db } => {
            let url = db_url(&db, &file, origins)?;
            let database = open(&url).await?;
            let version = database.schema_version().await?;
            println!(
                "The database {} is up to date (schema version {version}).",
                redact(&url)
            );
            Ok(())
        }
        Command::Backup { db, out } => {
            let url = db_url(&db, &file, origins)?;
            if !url.starts_with("sqlite:") {
                bail!("{}", baken_store::POSTGRES_BACKUP);
            }
            // Not migrated: a backup taken before an upgrade keeps the old schema.
            let database = Db::connect_existing(&url)
                .await
                .with_context(|| format!("cannot open database {}", redact(&url)))?;
            let started = std::time::Instant::now();
            database
                .backup(&out)
                .await
                .with_context(|| format!("--out {}", out.display()))?;
            println!(
                "Backed up {} to {} in {:.1} s. Check it with: baken audit verify --db sqlite://{}",
                redact(&url),
                out.display(),
                started.elapsed().as_secs_f64(),
                out.display()
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    role,
                    team,
                    household,
                    provider,
                    name,
                },
        } => {
            let username = Username::parse(&username).map_err(|e| anyhow!("--username: {e}"))?;
            let role = Role::parse(&role).map_err(|e| anyhow!("--role: {e}"))?;
            // The role decides which link the account needs (and which it may not have).
            if let Some(e) = role
                .check_links(team.is_some(), household.is_some(), provider.is_some())
                .into_iter()
                .next()
            {
                let flag = match e.link() {
                    baken_domain::Link::Team => "--team",
                    baken_domain::Link::Household => "--household",
                    baken_domain::Link::Provider => "--provider",
                };
                let hint = match e {
                    baken_domain::LinkError::Missing { .. } => match e.link() {
                        baken_domain::Link::Team => "; give --team with the team's name",
                        baken_domain::Link::Household => {
                            "; give --household with the number of their own household"
                        }
                        baken_domain::Link::Provider => {
                            "; give --provider with the organisation's name"
                        }
                    },
                    baken_domain::LinkError::NotUsed { .. } => "; leave it out",
                };
                bail!("{flag}: {e}{hint}");
            }
            let url = db_url(&db, &file, origins)?;
            let database = open(&url).await?;
            let refused =
                baken_web::support::password::refused_passwords(demo::is_demo(&database).await?);
            let display_name = name.as_deref().unwrap_or_default();
            let password = read_password(&baken_domain::PasswordContext {
                user_inputs: &[username.as_str(), display_name],
                refused,
            })?;
            let hash = baken_web::support::password::hash_password(password.expose())?;
            let mut tx = database.begin().await?;
            let team_id = match &team {
                Some(t) => {
                    let found = baken_store::areas::team_by_name(&mut tx, t)
                        .await?
                        .ok_or_else(|| anyhow!("--team: there is no team named '{t}'"))?;
                    if !found.active {
                        bail!("--team: the team '{t}' has been deactivated; choose an active team");
                    }
                    Some(found.id)
                }
                None => None,
            };
            let household_id = match household {
                Some(h) if h >= 1 && baken_store::areas::household_exists(&mut tx, h).await? => {
                    Some(h)
                }
                Some(h) => bail!("--household: there is no household with number {h}"),
                None => None,
            };
            let provider_id = match &provider {
                Some(p) => Some(
                    baken_store::areas::provider_by_name(&mut tx, p)
                        .await?
                        .ok_or_else(|| anyhow!("--provider: there is no provider named '{p}'"))?
                        .id,
                ),
                None => None,
            };
            let display = name.unwrap_or_else(|| username.to_string());
            let id = users::create(
                &mut tx,
                &users::NewUser {
                    username: &username,
                    display_name: &display,
                    role,
                    team_id,
                    provider_id,
                    household_id,
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
            let mut detail = format!("rol {role}");
            for (what, v) in [
                ("team", team_id),
                ("huishouden", household_id),
                ("organisatie", provider_id),
            ] {
                if let Some(v) = v {
                    detail.push_str(&format!(", {what} {v}"));
                }
            }
            audit::append(
                &mut tx,
                &cli_entry(
                    "user add",
                    AuditAction::Create,
                    Some(("user", id.to_string())),
                    detail,
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
            let database = open(&db_url(&db, &file, origins)?).await?;
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
            let database = open(&db_url(&db, &file, origins)?).await?;
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
            command:
                AuditCommand::Verify {
                    db,
                    checkpoints,
                    public_key,
                    key,
                },
        } => {
            // The keys and the checkpoint file are read before the database is opened.
            let checks = match (&checkpoints, public_key_of(public_key.as_deref(), key.as_deref())?) {
                (Some(file), Some(public)) => Some((file, read_checkpoints(file)?, public)),
                (Some(_), None) => bail!(
                    "--checkpoints needs the key they were signed with: --public-key FILE.pub, or --key FILE"
                ),
                (None, Some(_)) => bail!("--public-key and --key check checkpoints: give --checkpoints FILE too"),
                (None, None) => None,
            };
            let database = open(&db_url(&db, &file, origins)?).await?;
            let mut tx = database.read().await?;
            let entries = match audit::verify(&mut tx).await? {
                audit::Verification::Intact { entries } => entries,
                audit::Verification::Broken(b) => {
                    bail!("the audit log is broken at entry {}: {b}", b.seq)
                }
            };
            let Some((path, lines, public)) = checks else {
                println!("The audit log is intact: {entries} entries.");
                return Ok(());
            };
            for (line_number, checkpoint) in &lines {
                let at = format!("{}:{line_number}", path.display());
                checkpoint
                    .verify_signature(&public)
                    .map_err(|e| anyhow!("the checkpoint on {at} {e}"))?;
                let (found, last) = audit::hash_at(&mut tx, checkpoint.checkpoint.seq).await?;
                checkpoint.check_log(found.as_deref(), last).map_err(|e| {
                    anyhow!("the audit log does not match the checkpoint on {at} {e}")
                })?;
            }
            let newest = lines
                .iter()
                .map(|(_, c)| c.checkpoint.seq)
                .max()
                .unwrap_or(0);
            println!(
                "The audit log is intact: {entries} entries; it matches all {} signed checkpoints (the newest at entry {newest}).",
                lines.len()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Keygen { out },
        } => {
            let seed = {
                use rand::RngCore;
                let mut seed = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut seed);
                seed
            };
            let key = CheckpointKey::from_seed(seed);
            let mut public_path = out.clone().into_os_string();
            public_path.push(".pub");
            let public_path = PathBuf::from(public_path);
            for path in [&out, &public_path] {
                if path.exists() {
                    bail!(
                        "--out: {} already exists; a key is never overwritten",
                        path.display()
                    );
                }
            }
            write_new_file(&out, key.to_text().as_bytes(), 0o600)
                .with_context(|| format!("--out: cannot write {}", out.display()))?;
            write_new_file(&public_path, key.public().to_text().as_bytes(), 0o644)
                .with_context(|| format!("--out: cannot write {}", public_path.display()))?;
            println!(
                "Wrote the secret key to {} (mode 0600: keep it off the database server and out of its backups) and the public key to {}.",
                out.display(),
                public_path.display()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Checkpoint { db, key, out },
        } => {
            let key = read_key(&key, "--key", CheckpointKey::parse)?;
            let database = open(&db_url(&db, &file, origins)?).await?;
            let mut tx = database.read().await?;
            // The head first, then the chain up to (at least) it: only a log that
            // verifies is signed.
            let (seq, hash) = audit::head(&mut tx).await?;
            if let audit::Verification::Broken(b) = audit::verify(&mut tx).await? {
                bail!(
                    "the audit log is broken at entry {}: {b}; no checkpoint was written",
                    b.seq
                );
            }
            let (found, _) = audit::hash_at(&mut tx, seq).await?;
            if seq > 0 && found.as_deref() != Some(hash.as_str()) {
                bail!("the audit head (entry {seq}) does not match the log; no checkpoint was written");
            }
            let line = key.sign(&Checkpoint {
                seq,
                hash,
                at: baken_store::now(),
            });
            match out {
                Some(path) => {
                    append_line(&path, &line)
                        .with_context(|| format!("--out: cannot append to {}", path.display()))?;
                    eprintln!("Checkpoint at entry {seq} appended to {}.", path.display());
                }
                None => println!("{line}"),
            }
            Ok(())
        }
        Command::Monitor { .. } => unreachable!("handled before the runtime starts"),
        Command::Kaart { command } => Ok(kaart::run(
            command,
            file.db.clone().unwrap_or_else(|| DEFAULT_DB.to_owned()),
        )
        .await?),
        Command::Iwmo { command } => Ok(iwmo::run(
            command,
            file.db.clone().unwrap_or_else(|| DEFAULT_DB.to_owned()),
        )
        .await?),
    }
}

/// A key file, parsed; the error names the flag and the file.
fn read_key<K>(
    path: &std::path::Path,
    flag: &str,
    parse: impl Fn(&str) -> Result<K, baken_domain::audit_checkpoint::KeyError>,
) -> anyhow::Result<K> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{flag}: cannot read {}", path.display()))?;
    parse(&text).map_err(|e| anyhow!("{flag}: {}: {e}", path.display()))
}

/// The public key to check checkpoints with: given, or derived from the secret key.
fn public_key_of(
    public_key: Option<&std::path::Path>,
    key: Option<&std::path::Path>,
) -> anyhow::Result<Option<CheckpointPublicKey>> {
    Ok(match (public_key, key) {
        (Some(p), _) => Some(read_key(p, "--public-key", CheckpointPublicKey::parse)?),
        (None, Some(k)) => Some(read_key(k, "--key", CheckpointKey::parse)?.public()),
        (None, None) => None,
    })
}

/// Every checkpoint in the file with its line number (blank lines and `#`
/// comments skipped); a line that is not a checkpoint is named.
fn read_checkpoints(path: &std::path::Path) -> anyhow::Result<Vec<(usize, SignedCheckpoint)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--checkpoints: cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let checkpoint = SignedCheckpoint::parse(line)
            .map_err(|e| anyhow!("--checkpoints: {}:{}: {e}", path.display(), i + 1))?;
        out.push((i + 1, checkpoint));
    }
    if out.is_empty() {
        bail!("--checkpoints: {} holds no checkpoints", path.display());
    }
    Ok(out)
}

/// Creates `path` (never overwriting) with `mode`, and flushes it to disk.
fn write_new_file(path: &std::path::Path, content: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = options.open(path)?;
    f.write_all(content)?;
    f.sync_all()
}

/// Appends one line and flushes it to disk before the command reports success.
fn append_line(path: &std::path::Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(format!("{line}\n").as_bytes())?;
    f.sync_all()
}

/// The web upload's settings from `[monitor]` (checked when the file was read).
/// The key of the pre-login CSRF token: the installation's secret, which a
/// migration made in the database (so every process serving it agrees).
async fn pre_login_key(database: &baken_store::Db) -> anyhow::Result<baken_web::PreLoginKey> {
    let mut tx = database.read().await?;
    let secret = baken_store::meta::server_secret(&mut tx, "pre_login")
        .await?
        .ok_or_else(|| anyhow!("the database has no pre-login secret; run `baken migrate`"))?;
    Ok(baken_web::PreLoginKey::new(secret.as_bytes()))
}

/// The secret behind the cell-key method: the installation's, which a migration
/// made in the database (so every process publishes the same noise).
async fn cell_key_secret(
    database: &baken_store::Db,
) -> anyhow::Result<baken_domain::cell_key::CellKeySecret> {
    let mut tx = database.read().await?;
    let secret = baken_store::meta::server_secret(&mut tx, "cell_key")
        .await?
        .ok_or_else(|| anyhow!("the database has no cell-key secret; run `baken migrate`"))?;
    Ok(baken_domain::cell_key::CellKeySecret::new(
        secret.as_bytes(),
    ))
}

/// The monitor's settings; an `upload_dir` that is not an existing directory is
/// refused here, at start-up, rather than as a failure of every upload.
fn monitor_settings(
    m: Option<&config::MonitorFileConfig>,
) -> anyhow::Result<baken_web::MonitorSettings> {
    let mut settings = baken_web::MonitorSettings::default();
    if let Some(m) = m {
        if let Some(d) = m.domain_list() {
            settings.domains = d;
        }
        if let Some(mb) = m.max_upload_mb {
            settings.max_upload_bytes = usize::try_from(mb)
                .unwrap_or(usize::MAX)
                .saturating_mul(1024 * 1024);
        }
        if let Some(dir) = &m.upload_dir {
            if !dir.is_dir() {
                bail!(
                    "[monitor] upload_dir: {} is not an existing directory; create it (writable for Baken) or remove the setting",
                    dir.display()
                );
            }
        }
        settings.upload_dir = m.upload_dir.clone();
    }
    Ok(settings)
}

fn read_password(context: &baken_domain::PasswordContext<'_>) -> anyhow::Result<Password> {
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
    Password::parse(&raw, context).map_err(|e| anyhow!("password: {e}"))
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
    let hash = baken_web::support::password::hash_password(baken_synth::DEMO_PASSWORD)?;
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
    // Fresh statistics for the planner; the data is committed whatever happens here.
    if let Err(e) = db.analyze().await {
        tracing::warn!(error = %e, "could not refresh the planner's statistics after the demo load");
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
    eprintln!(
        "Demo only: the second factor (a code from an authenticator app) is optional here for every role; \
         outside the demo generalist, teamleider, aanbieder and beheerder must set it up. Try it at Mijn account."
    );
}
