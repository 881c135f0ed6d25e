//! Baken's storage: one set of queries for SQLite and PostgreSQL.
//!
//! Architecture invariant: only this crate knows SQL. Every query is written once,
//! in the common subset of both dialects (`$1` placeholders work in both), and
//! runs on either backend through [`with_conn!`]. Each backend keeps its own
//! migrations (`migrations/sqlite`, `migrations/postgres`) because column types
//! differ; the same integration suite runs against both.
//!
//! Every change, and every read of a person's data, happens inside a [`Tx`]; the
//! audit entry for it is written in that same transaction ([`audit::append`]), so
//! an action without its audit entry cannot be committed.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Re-exported for tests and benchmarks that need raw statements.
pub use sqlx;

pub mod areas;
pub mod audit;
pub mod casework;
pub mod demo;
pub mod households;
pub mod kaart;
pub mod meta;
pub mod monitor;
#[doc(hidden)]
pub mod testing;
pub mod users;

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever
/// backend it is. The body is compiled once per backend.
#[macro_export]
macro_rules! with_conn {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t, ..) => {
                let $conn = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Like [`with_conn!`] for a statement that returns no rows: yields the number
/// of rows affected, the same type on both backends.
#[macro_export]
macro_rules! exec {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t, ..) => {
                let $conn = &mut **t;
                ($body).map(|r| r.rows_affected())
            }
            $crate::Tx::Postgres(t) => {
                let $conn = &mut **t;
                ($body).map(|r| r.rows_affected())
            }
        }
    };
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("{what} was changed by someone else in the meantime (version {expected} is no longer current)")]
    Conflict { what: String, expected: i64 },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("the database already holds data ({0}); the demo only fills an empty database")]
    NotEmpty(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("the database is busy: no write transaction could start within 10 seconds")]
    Busy,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Duplicate`].
    pub(crate) fn from_insert(err: sqlx::Error, what: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                return StoreError::Duplicate(what.to_owned());
            }
        }
        StoreError::Db(err)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the two backends.
#[derive(Debug, Clone)]
pub enum Db {
    /// The pool, and the queue that write transactions wait in (see [`Db::begin`]).
    Sqlite(SqlitePool, WriteQueue),
    Postgres(PgPool),
}

/// SQLite allows one writer at a time. Waiting in SQLite's busy handler means
/// sleeping and polling, which makes latency jumpy under load; waiting in this
/// async queue hands the lock over in order, without polling.
pub type WriteQueue = std::sync::Arc<tokio::sync::Mutex<()>>;

/// A transaction on one of the two backends. Dropped without [`Tx::commit`], it
/// rolls back.
pub enum Tx {
    /// A transaction, and for a writing one its place at the head of the write queue.
    Sqlite(
        sqlx::Transaction<'static, Sqlite>,
        Option<tokio::sync::OwnedMutexGuard<()>>,
    ),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Db {
    /// Connects to `sqlite://PATH` (created if missing; WAL, foreign keys on) or
    /// `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool, WriteQueue::default()))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Err(StoreError::UnsupportedUrl(url.chars().take(60).collect()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(..) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// A transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read followed by a write can never fail halfway
    /// on a lock upgrade.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, queue) => {
                // Bounded like SQLite's own busy timeout, so a mistake (a second
                // writing transaction opened while holding one) fails instead of hanging.
                let turn =
                    tokio::time::timeout(Duration::from_secs(10), queue.clone().lock_owned())
                        .await
                        .map_err(|_| StoreError::Busy)?;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction for reading only (no audit entry).
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin().await?, None),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Is the database reachable?
    pub async fn ping(&self) -> Result<()> {
        match self {
            Db::Sqlite(p, _) => {
                sqlx::query("SELECT 1").execute(p).await?;
            }
            Db::Postgres(p) => {
                sqlx::query("SELECT 1").execute(p).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, _) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _turn) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// "Now", truncated to microseconds so that it reads back identically from both
/// backends (PostgreSQL keeps microseconds).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// A page of results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.total == 0 {
            1
        } else {
            (self.total + self.page_size - 1) / self.page_size
        }
    }
}
