//! Fresh databases for tests, on every backend the machine offers.
//!
//! SQLite always runs. PostgreSQL runs when `BAKEN_TEST_PG_URL` points at a server
//! where the user may create databases (each test gets its own database). Under
//! `CI=true` a missing `BAKEN_TEST_PG_URL` is an error, never a silent skip.
//! A PostgreSQL test database is dropped when its [`TestDb`] is dropped, so a
//! long-running dev server does not fill its disk (set `BAKEN_TEST_KEEP_DB=1` to
//! keep them for a post-mortem).

use crate::{Backend, Db};

/// A migrated, empty database and what keeps it alive.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// For PostgreSQL: the server's admin URL and the database to drop at the end.
    drop_on_end: Option<(String, String)>,
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

impl Drop for TestDb {
    /// Drops the PostgreSQL test database. `WITH (FORCE)` ends the connections
    /// the test's pool (or a server it started) still holds. This runs on its own
    /// thread with its own runtime: `Drop` cannot await, and blocking inside the
    /// test's runtime would stall it.
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.drop_on_end.take() else {
            return;
        };
        if std::env::var("BAKEN_TEST_KEEP_DB").as_deref() == Ok("1") {
            return;
        }
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let admin = Db::connect(&admin_url).await.map_err(|e| e.to_string())?;
                if let Some(p) = admin.postgres_pool() {
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(p)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                admin.close().await;
                Ok(())
            })
        })
        .join();
        // A database left behind is a nuisance, not a test failure.
        if let Ok(Err(e)) = dropped {
            eprintln!("note: could not drop a PostgreSQL test database: {e}");
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let db = Db::connect(&url).await.expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    TestDb {
        db,
        url,
        _dir: Some(dir),
        drop_on_end: None,
    }
}

/// A fresh PostgreSQL database, or None when no server is configured (outside CI).
pub async fn postgres() -> Option<TestDb> {
    let admin_url = match std::env::var("BAKEN_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but BAKEN_TEST_PG_URL is not set: the PostgreSQL suite may not be skipped"
            );
            return None;
        }
    };
    let name = format!("baken_test_{}", &crate::users::new_secret()[..16]);
    let admin = Db::connect(&admin_url)
        .await
        .expect("connect to BAKEN_TEST_PG_URL");
    if let Some(p) = admin.postgres_pool() {
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(p)
            .await
            .expect("create test database");
    }
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(&admin_url);
    let url = format!("{base}/{name}");
    let db = Db::connect(&url).await.expect("connect to test database");
    db.migrate().await.expect("migrate postgres");
    Some(TestDb {
        db,
        url,
        _dir: None,
        drop_on_end: Some((admin_url, name)),
    })
}

/// Every backend available: SQLite, and PostgreSQL when configured.
pub async fn all() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}
