//! Facts about the database itself (table `meta`), such as whether it holds the
//! synthetic municipality.

use crate::{exec, with_conn, Result, Tx};

/// The key `demo::load` writes; its value describes what was loaded.
pub const DEMO: &str = "demo";

pub async fn get(tx: &mut Tx, key: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|r| r.0))
}

/// Sets `key` to `value`, replacing an older value.
pub async fn set(tx: &mut Tx, key: &str, value: &str) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// The secret of this installation named `name` (hex), made by a migration;
/// `pre_login` keys the pre-login CSRF token.
pub async fn server_secret(tx: &mut Tx, name: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT secret FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|r| r.0))
}
