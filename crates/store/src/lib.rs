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
pub mod carers;
pub mod casework;
pub mod commissioning;
pub mod conference;
pub mod contracting;
pub mod dashboard;
pub mod demo;
pub mod gaps;
pub mod households;
pub mod kaart;
pub mod market;
pub mod meta;
pub mod monitor;
pub mod notifications;
pub mod reads;
pub mod second_factor;
pub mod settings;
pub mod survey;
#[doc(hidden)]
pub mod testing;
pub mod timeline;
pub mod users;
pub mod volunteers;

/// Runs `$body` with `$conn` bound to the transaction's connection, whichever
/// backend it is. The body is compiled once per backend.
#[macro_export]
macro_rules! with_conn {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx.conn() {
            $crate::Conn::Sqlite($conn) => $body,
            $crate::Conn::Postgres($conn) => $body,
        }
    };
}

/// Like [`with_conn!`] for a statement that returns no rows: yields the number
/// of rows affected, the same type on both backends.
#[macro_export]
macro_rules! exec {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx.conn() {
            $crate::Conn::Sqlite($conn) => ($body).map(|r| r.rows_affected()),
            $crate::Conn::Postgres($conn) => ($body).map(|r| r.rows_affected()),
        }
    };
}

/// Reads many rows as one: the rows of `inner` (a `SELECT` whose columns are
/// named `columns`) packed by the database into one JSON array of arrays —
/// `json_group_array(json_array(…))` on SQLite, `json_agg(json_build_array(…))`
/// on PostgreSQL — and decoded with serde into a `Vec` of tuples. `|q| …`
/// binds the parameters, the same on both backends.
///
/// Why: sqlx hands SQLite's rows from its worker thread to the query one by
/// one, copying every value, at 2–5 µs a row — most of the dashboard's time
/// over 2,000,000 households (docs/benchmarks.md). Packed, a row costs what
/// SQLite takes to write it as JSON and serde to read it back. Use it for
/// reads of many rows of plain values: integers, text and dates (booleans as
/// 0/1 and no floating point, so both backends give the same JSON).
macro_rules! fetch_packed {
    ($tx:expr, $columns:expr, $inner:expr, |$q:ident| $binds:expr) => {{
        let columns: &[&str] = $columns;
        let list = columns
            .iter()
            .map(|c| format!("q.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let text: std::result::Result<String, sqlx::Error> = match $tx.conn() {
            $crate::Conn::Sqlite(c) => {
                let sql = format!(
                    "SELECT json_group_array(json_array({list})) FROM ({}) q",
                    $inner
                );
                let $q = sqlx::query_scalar::<_, String>(&sql);
                ($binds).fetch_one(&mut *c).await
            }
            $crate::Conn::Postgres(c) => {
                let sql = format!(
                    "SELECT COALESCE(json_agg(json_build_array({list})), '[]'::json)::text FROM ({}) q",
                    $inner
                );
                let $q = sqlx::query_scalar::<_, String>(&sql);
                ($binds).fetch_one(&mut *c).await
            }
        };
        text.and_then(|t| serde_json::from_str(&t).map_err(|e| sqlx::Error::Decode(Box::new(e))))
    }};
}
pub(crate) use fetch_packed;

/// The connection under a [`Tx`], for [`with_conn!`] and [`exec!`].
pub enum Conn<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// The database cannot write because its disk (or file system quota) is full:
    /// SQLite's "database or disk is full", PostgreSQL's `disk_full` (53100). The
    /// server answers 503 while it lasts and recovers by itself once space is freed.
    #[error("the database cannot write: its disk is full ({0}); free space and try again")]
    Full(String),
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
    #[error("the shared transaction of an audited read failed: {0}")]
    Batch(String),
    #[error("backup: {0}")]
    Backup(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_disk_full(&err) {
            StoreError::Full(err.to_string())
        } else {
            StoreError::Db(err)
        }
    }
}

/// SQLite's `SQLITE_FULL` (13, in the low byte of the extended code) or
/// PostgreSQL's SQLSTATE 53100 `disk_full`.
fn is_disk_full(err: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    let Some(code) = db.code() else {
        return false;
    };
    if code == "53100" {
        return true;
    }
    code.parse::<i32>().is_ok_and(|c| c & 0xff == 13)
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Duplicate`].
    pub(crate) fn from_insert(err: sqlx::Error, what: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &err {
            if db.is_unique_violation() {
                return StoreError::Duplicate(what.to_owned());
            }
        }
        StoreError::from(err)
    }

    /// The same error for each of several callers that shared one failed
    /// transaction (the audited-read batch): a full disk stays
    /// [`StoreError::Full`], anything else becomes [`StoreError::Batch`].
    pub(crate) fn shared(&self) -> StoreError {
        match self {
            StoreError::Full(msg) => StoreError::Full(msg.clone()),
            other => StoreError::Batch(other.to_string()),
        }
    }
}

/// The outcome of an update guarded by a version (`… WHERE id = $n AND version =
/// $m`): one row changed gives the next version; none is a
/// [`StoreError::Conflict`] when the record still exists — someone changed it
/// first — and [`StoreError::NotFound`] when it does not. `exists` is asked only
/// after a miss, in the same transaction. The one place that decides this, so
/// no update can lose another's change silently.
pub(crate) async fn versioned_update<F>(
    tx: &mut Tx,
    rows: u64,
    expected: i64,
    what: String,
    exists: F,
) -> Result<i64>
where
    F: for<'a> FnOnce(&'a mut Tx) -> reads::BoxFuture<'a, Result<bool>>,
{
    if rows > 0 {
        return Ok(expected + 1);
    }
    Err(if exists(tx).await? {
        StoreError::Conflict { what, expected }
    } else {
        StoreError::NotFound(what)
    })
}

/// Why `baken backup` does not copy a PostgreSQL database, and what to use.
pub const POSTGRES_BACKUP: &str = "Baken backs up SQLite databases only; back up PostgreSQL with its own tools: \
`pg_dump -Fc --file baken.dump postgres://USER@HOST/DB`, and restore into a new, empty database with \
`pg_restore --no-owner --dbname postgres://USER@HOST/NEWDB baken.dump` (see the README, \"Backup, restore and migrate\")";

/// How much [`Db::probe_write`] writes: about what a large page view's audit
/// entries and a casework change take together, so that "ready" means there is
/// room for real work, not just for one more page of the log.
pub const WRITE_PROBE_BYTES: usize = 16 * 1024;
const WRITE_PROBE_KEY: &str = "ready-probe";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the two backends, and the queue of audited
/// reads that share transactions ([`Db::audited`]).
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    reads: reads::Reads,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
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
    /// A connection outside any transaction ([`Db::lookup`]): each statement
    /// stands on its own.
    SqliteLookup(sqlx::pool::PoolConnection<Sqlite>),
    PostgresLookup(sqlx::pool::PoolConnection<Postgres>),
}

impl Db {
    fn new(pool: Pool) -> Db {
        let reads = reads::Reads::start(pool.clone());
        Db { pool, reads }
    }

    /// The PostgreSQL pool, for administrative statements (creating databases in
    /// tests and benchmarks).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(..) => None,
        }
    }

    /// Connects to `sqlite://PATH` (created if missing; WAL, foreign keys on) or
    /// `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, true).await
    }

    /// Like [`Db::connect`], but a SQLite file that does not exist is an error
    /// instead of a new, empty database (for `baken backup`: a typo must not
    /// back up nothing).
    pub async fn connect_existing(url: &str) -> Result<Db> {
        Db::connect_with(url, false).await
    }

    async fn connect_with(url: &str, create_sqlite_file: bool) -> Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(create_sqlite_file)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // How many rows sqlx's SQLite worker thread may run ahead of
                // the query: at its default of 50 a read of 400,000 rows took
                // 1.26 s, at 1,024 0.95 s, the two threads waking each other
                // less (docs/benchmarks.md, the dashboard).
                .row_buffer_size(1024)
                // Reads map the file instead of copying each page out of the
                // kernel's cache (up to 1 GiB; beyond that SQLite reads as usual).
                .pragma("mmap_size", "1073741824");
            // Two processes opening one new file at once would both switch it to
            // WAL, and SQLite answers the loser "database is locked" without
            // waiting: the switch is serialised by the migration lock too (only
            // where the file may be created, and only if its folder exists, so
            // a wrong folder still gets SQLite's own error).
            let may_create = create_sqlite_file
                && opts
                    .get_filename()
                    .parent()
                    .is_some_and(|dir| dir.as_os_str().is_empty() || dir.is_dir());
            let _held = if may_create {
                sqlite_migration_lock(opts.get_filename()).await?
            } else {
                None
            };
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .after_release(|conn, _| Box::pin(still_usable::<Sqlite>(conn)))
                .connect_with(opts)
                .await?;
            Ok(Db::new(Pool::Sqlite(pool, WriteQueue::default())))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .after_release(|conn, _| Box::pin(still_usable::<Postgres>(conn)))
                .connect_with(opts)
                .await?;
            Ok(Db::new(Pool::Postgres(pool)))
        } else {
            Err(StoreError::UnsupportedUrl(url.chars().take(60).collect()))
        }
    }

    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(..) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p, _) => {
                // Two processes starting on one new file would both apply the
                // first migration, and one would fail ("table already exists"):
                // SQLite has no advisory lock for this, so a lock file next to
                // the database serialises them. PostgreSQL's migrator takes an
                // advisory lock itself.
                let _held = sqlite_migration_lock(p.connect_options().get_filename()).await?;
                sqlx::migrate!("./migrations/sqlite").run(p).await?
            }
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        // Data the SQL migrations cannot make: the marketplace's term index
        // (the Dutch text analysis is Rust), for listings not yet indexed or
        // indexed with an older analysis.
        loop {
            let mut tx = self.begin().await?;
            let done = market::index_pending(&mut tx, 2000).await?;
            tx.commit().await?;
            if done == 0 {
                break;
            }
        }
        Ok(())
    }

    /// The newest migration applied to this database (0 before any).
    pub async fn schema_version(&self) -> Result<i64> {
        let sql = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        let (version,): (i64,) = match &self.pool {
            Pool::Sqlite(p, _) => sqlx::query_as(sql).fetch_one(p).await?,
            Pool::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await?,
        };
        Ok(version)
    }

    /// Writes a consistent copy of a SQLite database to `out`, while the database
    /// stays in use: `VACUUM INTO` reads one snapshot (a read transaction, so
    /// writers carry on and what they commit meanwhile is simply not in the
    /// copy), and writes a compact file. The copy is written next to `out` under
    /// a temporary name, flushed to disk and then renamed, so `out` is either
    /// absent or complete. An existing `out` is never overwritten.
    ///
    /// PostgreSQL is refused: its own tools make consistent copies of a live
    /// database, and Baken does not try to do better than `pg_dump`.
    pub async fn backup(&self, out: &std::path::Path) -> Result<()> {
        let pool = match &self.pool {
            Pool::Sqlite(p, _) => p,
            Pool::Postgres(_) => return Err(StoreError::Backup(POSTGRES_BACKUP.to_owned())),
        };
        if out.exists() {
            return Err(StoreError::Backup(format!(
                "{} already exists; name a new file (a backup never overwrites one)",
                out.display()
            )));
        }
        let mut partial = out.as_os_str().to_owned();
        partial.push(".partial");
        let partial = std::path::PathBuf::from(partial);
        let io = |what: &str, e: std::io::Error| {
            StoreError::Backup(format!("{what} {}: {e}", partial.display()))
        };
        match std::fs::remove_file(&partial) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io("cannot remove the unfinished", e))
            }
            _ => {}
        }
        let target = partial
            .to_str()
            .ok_or_else(|| StoreError::Backup(format!("{} is not a UTF-8 path", out.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(pool)
            .await?;
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("cannot flush", e))?;
        std::fs::rename(&partial, out).map_err(|e| io("cannot rename", e))?;
        Ok(())
    }

    /// A transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read followed by a write can never fail halfway
    /// on a lock upgrade.
    pub async fn begin(&self) -> Result<Tx> {
        self.pool.begin().await
    }

    /// A transaction for reading only (no audit entry).
    pub async fn read(&self) -> Result<Tx> {
        self.pool.read().await
    }

    /// A connection for lookups that need no transaction — one statement, or
    /// statements that need not agree on one snapshot, and never a write that
    /// belongs with another (the session behind a cookie, say): it saves the
    /// `BEGIN` and `COMMIT` round trips on every request.
    pub async fn lookup(&self) -> Result<Tx> {
        Ok(match &self.pool {
            Pool::Sqlite(p, _) => Tx::SqliteLookup(p.acquire().await?),
            Pool::Postgres(p) => Tx::PostgresLookup(p.acquire().await?),
        })
    }

    /// Refreshes the query planner's statistics after a bulk load. PostgreSQL's
    /// autovacuum would do so within a minute or so; until then plans are made
    /// for empty tables (measured: the casework page at half its throughput
    /// right after `baken demo`). SQLite keeps no statistics unless asked, and its
    /// plans here are made for the indexes alone, so it is left as it is.
    pub async fn analyze(&self) -> Result<()> {
        if let Pool::Postgres(p) = &self.pool {
            sqlx::query("ANALYZE").execute(p).await?;
        }
        Ok(())
    }

    /// Can the database write? Writes a probe row of [`WRITE_PROBE_BYTES`] to
    /// `meta` and deletes it again in one committed write transaction: nothing is
    /// left behind, but the pages it touched are written (SQLite appends them to
    /// its WAL, PostgreSQL to its own), so a full disk makes it fail with
    /// [`StoreError::Full`]. For `/ready`: a server that cannot write is not ready.
    pub async fn probe_write(&self) -> Result<()> {
        let filler = "0".repeat(WRITE_PROBE_BYTES);
        let mut tx = self.begin().await?;
        exec!(tx, |c| sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2)"
        )
        .bind(WRITE_PROBE_KEY)
        .bind(&filler)
        .execute(&mut *c)
        .await)?;
        exec!(tx, |c| sqlx::query("DELETE FROM meta WHERE key = $1")
            .bind(WRITE_PROBE_KEY)
            .execute(&mut *c)
            .await)?;
        tx.commit().await
    }

    /// [`Db::probe_write`] within `limit` (a readiness probe must answer
    /// quickly, not after the pool's 10 s acquire timeout).
    pub async fn probe_write_within(&self, limit: Duration) -> Result<()> {
        tokio::time::timeout(limit, self.probe_write())
            .await
            .map_err(|_| StoreError::Db(sqlx::Error::PoolTimedOut))?
    }

    /// Is the database reachable?
    pub async fn ping(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p, _) => {
                sqlx::query("SELECT 1").execute(p).await?;
            }
            Pool::Postgres(p) => {
                sqlx::query("SELECT 1").execute(p).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p, _) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Whether a connection coming back to the pool may serve the next request.
///
/// A transaction dropped without commit queues a `ROLLBACK` on its connection.
/// When the database rolled the transaction back itself — SQLite does so when a
/// `COMMIT` fails with "database or disk is full" — that `ROLLBACK` fails too, and
/// sqlx still counts the connection as inside a transaction: every later
/// `BEGIN IMMEDIATE` on it would fail with "attempted to call begin_with at
/// non-zero transaction depth", long after the disk has room again. So the queued
/// statements are flushed (a ping runs after them) and a connection that is still
/// inside a transaction is closed; the pool opens a fresh one when it needs it.
async fn still_usable<DB>(conn: &mut DB::Connection) -> std::result::Result<bool, sqlx::Error>
where
    DB: sqlx::Database,
{
    use sqlx::{Connection, TransactionManager};
    conn.ping().await?;
    let depth = <DB::TransactionManager as TransactionManager>::get_transaction_depth(conn);
    if depth > 0 {
        tracing::warn!(
            depth,
            "closing a database connection left inside a failed transaction"
        );
        return Ok(false);
    }
    Ok(true)
}

/// An exclusive lock on `<database>.migrate-lock`, held until dropped; none for
/// an in-memory database.
async fn sqlite_migration_lock(database: &std::path::Path) -> Result<Option<std::fs::File>> {
    let name = database.to_string_lossy();
    if name.is_empty() || name.starts_with(':') {
        return Ok(None);
    }
    let mut path = database.as_os_str().to_owned();
    path.push(".migrate-lock");
    let locked = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|e| StoreError::Db(sqlx::Error::Io(std::io::Error::other(e))))?
    .map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
    Ok(Some(locked))
}

impl Pool {
    /// A transaction that may write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a read followed by a write can never fail halfway
    /// on a lock upgrade.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Pool::Sqlite(p, queue) => {
                // Bounded like SQLite's own busy timeout, so a mistake (a second
                // writing transaction opened while holding one) fails instead of hanging.
                let turn =
                    tokio::time::timeout(Duration::from_secs(10), queue.clone().lock_owned())
                        .await
                        .map_err(|_| StoreError::Busy)?;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction for reading only (no audit entry).
    pub(crate) async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Pool::Sqlite(p, _) => Tx::Sqlite(p.begin().await?, None),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }
}

impl Tx {
    /// The connection, for [`with_conn!`] and [`exec!`].
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t, _) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
            Tx::SqliteLookup(c) => Conn::Sqlite(c),
            Tx::PostgresLookup(c) => Conn::Postgres(c),
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
            Tx::SqliteLookup(_) | Tx::PostgresLookup(_) => {}
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(t, _turn) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
            Tx::SqliteLookup(_) | Tx::PostgresLookup(_) => {}
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
