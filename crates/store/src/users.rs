//! Accounts, sessions and API tokens. Secrets are stored only as hashes.

use crate::{exec, now, versioned_update, with_conn, Result, StoreError, Tx};
use baken_domain::{Role, Username};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    team_id: Option<i64>,
    provider_id: Option<i64>,
    household_id: Option<i64>,
    active: bool,
    failed_logins: i64,
    locked_until: Option<DateTime<Utc>>,
    password_temporary: bool,
    version: i64,
}

/// An account as the rest of Baken sees it (never with its password hash).
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub team_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub household_id: Option<i64>,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    /// The password was set by a beheerder; the user must choose their own.
    pub password_temporary: bool,
    pub version: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<User> {
        let role =
            Role::parse(&r.role).map_err(|e| StoreError::Corrupt(format!("user {}: {e}", r.id)))?;
        Ok(User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            role,
            team_id: r.team_id,
            provider_id: r.provider_id,
            household_id: r.household_id,
            active: r.active,
            failed_logins: r.failed_logins,
            locked_until: r.locked_until,
            password_temporary: r.password_temporary,
            version: r.version,
        })
    }
}

const USER_COLS: &str = "id, username, display_name, role, team_id, provider_id, household_id, \
                         active, failed_logins, locked_until, password_temporary, version";

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub role: Role,
    pub team_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub household_id: Option<i64>,
    pub password_hash: &'a str,
}

pub async fn create(tx: &mut Tx, u: &NewUser<'_>) -> Result<i64> {
    let ts = now();
    let id: (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO users (username, display_name, role, team_id, provider_id, household_id, \
             password_hash, active, failed_logins, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, 0, 1, $8, $8) RETURNING id",
        )
        .bind(u.username.as_str())
        .bind(u.display_name)
        .bind(u.role.as_str())
        .bind(u.team_id)
        .bind(u.provider_id)
        .bind(u.household_id)
        .bind(u.password_hash)
        .bind(ts)
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("user '{}'", u.username)))?;
    Ok(id.0)
}

pub async fn by_id(tx: &mut Tx, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
    let row: Option<UserRow> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    row.map(User::try_from).transpose()
}

pub async fn by_username(tx: &mut Tx, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
    let row: Option<UserRow> = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(&mut *c)
            .await
    })?;
    row.map(User::try_from).transpose()
}

/// The stored password hash, for verification only.
/// The organisation a user works for: their team's or their provider's name
/// (None for a beheerder, a policy role or a resident). For the resident's
/// inzage, which names the organisation and the role, not only a login name.
pub async fn organisation(tx: &mut Tx, user_id: i64) -> Result<Option<String>> {
    let row: Option<(Option<String>, Option<String>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT t.name, p.name FROM users u LEFT JOIN teams t ON t.id = u.team_id \
             LEFT JOIN providers p ON p.id = u.provider_id WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(row.and_then(|(team, provider)| team.or(provider)))
}

pub async fn password_hash(tx: &mut Tx, user_id: i64) -> Result<String> {
    let row: (String,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(row.0)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users ORDER BY role, username");
    let rows: Vec<UserRow> = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    rows.into_iter().map(User::try_from).collect()
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    let n: (i64,) = with_conn!(tx, |c| sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *c)
        .await)?;
    Ok(n.0)
}

/// The fields an administrator may change, guarded by the version they saw.
pub struct UserChange<'a> {
    pub display_name: &'a str,
    pub role: Role,
    pub team_id: Option<i64>,
    pub provider_id: Option<i64>,
    pub household_id: Option<i64>,
    pub active: bool,
}

/// Optimistic locking: succeeds only if the record is still at `expected_version`.
/// Deactivating an account ends its sessions in the same transaction.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    ch: &UserChange<'_>,
) -> Result<i64> {
    let res = exec!(tx, |c| {
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, team_id = $3, provider_id = $4, \
             household_id = $5, active = $6, version = version + 1, updated_at = $7 \
             WHERE id = $8 AND version = $9",
        )
        .bind(ch.display_name)
        .bind(ch.role.as_str())
        .bind(ch.team_id)
        .bind(ch.provider_id)
        .bind(ch.household_id)
        .bind(ch.active)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })?;
    let next = versioned_update(tx, res, expected_version, format!("user {id}"), |tx| {
        Box::pin(async move { Ok(by_id(tx, id).await?.is_some()) })
    })
    .await?;
    if !ch.active {
        // Ended for good: turning the account on again later must not bring
        // back what was issued before.
        delete_other_sessions(tx, id, None).await?;
        revoke_tokens_of(tx, id).await?;
    }
    Ok(next)
}

/// Revokes every API token of a user that is still live.
async fn revoke_tokens_of(tx: &mut Tx, user_id: i64) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// The user's own new password (clears a temporary one). Their API tokens end
/// with the old password: a token is a password's stand-in for programs, and a
/// password is usually changed because someone else may know it.
pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str) -> Result<()> {
    revoke_tokens_of(tx, id).await?;
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, password_temporary = FALSE, version = version + 1, \
             updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now())
        .bind(id)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// A temporary password set by a beheerder: it also lifts a lock, every session
/// of the user ends and every API token of theirs is revoked (a reset usually
/// means the account is not safe). The user must choose their own at the next
/// login.
pub async fn set_temporary_password(tx: &mut Tx, id: i64, password_hash: &str) -> Result<()> {
    let res = exec!(tx, |c| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, password_temporary = TRUE, failed_logins = 0, \
             locked_until = NULL, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now())
        .bind(id)
        .execute(&mut *c)
        .await
    })?;
    if res == 0 {
        return Err(StoreError::NotFound(format!("user {id}")));
    }
    revoke_tokens_of(tx, id).await?;
    delete_other_sessions(tx, id, None).await
}

/// Locks the account's row until the transaction ends, so that a login's
/// "read the state, then write the outcome" cannot interleave with another's.
/// On SQLite a writing transaction already holds the database's write lock.
pub async fn lock_for_update(tx: &mut Tx, id: i64) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Counts a wrong password for the account; returns how many there were since
/// its last successful login. Nothing is locked: the web layer slows guessing
/// down per address and per name (a lock would let a stranger shut anyone
/// out), and the count is told to the account holder at their next login.
pub async fn record_failed_login(tx: &mut Tx, id: i64) -> Result<i64> {
    let (failures,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(failures)
}

/// Starts the count of wrong passwords afresh; returns how many there were
/// since the previous login (to tell the account holder).
pub async fn record_successful_login(tx: &mut Tx, id: i64) -> Result<i64> {
    let (before,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT failed_logins FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await
    })?;
    exec!(tx, |c| {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await
    })?;
    Ok(before)
}

/// SHA-256 of a high-entropy secret (session id or token). These secrets are
/// 256-bit random values, so a fast hash is enough; passwords use argon2id.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A fresh 256-bit random secret, hex.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// The password step is done but the second factor is not (yet): the
    /// session opens only the code and enrolment pages.
    pub second_factor_pending: bool,
    /// Wrong passwords tried on the account between the previous login and
    /// the one that made this session.
    pub failed_logins_before: i64,
}

/// Creates a session after a complete login; returns the secret for the
/// cookie and the session's CSRF token.
pub async fn create_session(tx: &mut Tx, user_id: i64, ttl: Duration) -> Result<(String, String)> {
    insert_session(tx, user_id, ttl, false, 0).await
}

/// Creates a session after the password step that still waits for the second
/// factor (see [`Session::second_factor_pending`]); `failed_logins_before` as in
/// [`create_session_after`].
pub async fn create_pending_session(
    tx: &mut Tx,
    user_id: i64,
    ttl: Duration,
    failed_logins_before: i64,
) -> Result<(String, String)> {
    insert_session(tx, user_id, ttl, true, failed_logins_before).await
}

/// [`create_session`] for a login that followed `failed_logins_before` wrong
/// passwords on the account, which the session then shows its holder.
pub async fn create_session_after(
    tx: &mut Tx,
    user_id: i64,
    ttl: Duration,
    failed_logins_before: i64,
) -> Result<(String, String)> {
    insert_session(tx, user_id, ttl, false, failed_logins_before).await
}

async fn insert_session(
    tx: &mut Tx,
    user_id: i64,
    ttl: Duration,
    pending: bool,
    failed_logins_before: i64,
) -> Result<(String, String)> {
    let secret = new_secret();
    let csrf = new_secret();
    let ts = now();
    // Expired sessions are of no use to anyone; clear them as new ones start.
    exec!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ts)
            .execute(&mut *c)
            .await
    })?;
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, \
             second_factor_pending, failed_logins_before) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(secret_hash(&secret))
        .bind(user_id)
        .bind(&csrf)
        .bind(ts)
        .bind(ts + ttl)
        .bind(pending)
        .bind(failed_logins_before)
        .execute(&mut *c)
        .await
    })?;
    Ok((secret, csrf))
}

/// The live session for a cookie secret, if any (expired or for an inactive user: none).
pub async fn session(tx: &mut Tx, secret: &str) -> Result<Option<Session>> {
    let row: Option<(i64, String, DateTime<Utc>, bool, i64)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT user_id, csrf_token, expires_at, second_factor_pending, failed_logins_before \
             FROM sessions WHERE id_hash = $1",
        )
        .bind(secret_hash(secret))
        .fetch_optional(&mut *c)
        .await
    })?;
    let Some((user_id, csrf_token, expires_at, second_factor_pending, failed_logins_before)) = row
    else {
        return Ok(None);
    };
    if expires_at <= Utc::now() {
        return Ok(None);
    }
    match by_id(tx, user_id).await? {
        Some(user) if user.active => Ok(Some(Session {
            user,
            csrf_token,
            expires_at,
            second_factor_pending,
            failed_logins_before,
        })),
        _ => Ok(None),
    }
}

pub async fn delete_session(tx: &mut Tx, secret: &str) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(secret_hash(secret))
            .execute(&mut *c)
            .await
    })?;
    Ok(())
}

/// Ends every session of a user except (optionally) one — after a password change.
pub async fn delete_other_sessions(
    tx: &mut Tx,
    user_id: i64,
    keep_secret: Option<&str>,
) -> Result<()> {
    let keep = keep_secret.map(secret_hash).unwrap_or_default();
    exec!(tx, |c| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(&mut *c)
            .await
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub user_id: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Creates an API token; returns its id and the secret (shown once, stored hashed).
pub async fn create_token(
    tx: &mut Tx,
    user_id: i64,
    ttl: Duration,
) -> Result<(i64, String, DateTime<Utc>)> {
    let secret = format!("bkn_{}", new_secret());
    let ts = now();
    let expires = ts + ttl;
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user_id)
        .bind(secret_hash(&secret))
        .bind(ts)
        .bind(expires)
        .fetch_one(&mut *c)
        .await
    })?;
    Ok((id, secret, expires))
}

/// The user behind a bearer token, if it is valid (not expired, not revoked, user active).
pub async fn user_for_token(tx: &mut Tx, secret: &str) -> Result<Option<User>> {
    let row: Option<TokenInfo> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, user_id, created_at, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
        )
        .bind(secret_hash(secret))
        .fetch_optional(&mut *c)
        .await
    })?;
    let Some(t) = row else { return Ok(None) };
    if t.revoked_at.is_some() || t.expires_at <= Utc::now() {
        return Ok(None);
    }
    Ok(by_id(tx, t.user_id).await?.filter(|u| u.active))
}

/// Revokes a token by id; NotFound if there is no such token.
pub async fn revoke_token(tx: &mut Tx, id: i64) -> Result<()> {
    let res = exec!(tx, |c| {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&mut *c)
            .await
    })?;
    if res == 0 {
        return Err(StoreError::NotFound(format!("active token {id}")));
    }
    Ok(())
}
