//! The second factor (TOTP secret, last accepted step, recovery codes) and
//! OIDC logins under way. Recovery codes are stored only as hashes; the TOTP
//! secret must be kept to check codes, and is never shown after enrolment.

use crate::users::secret_hash;
use crate::{exec, now, with_conn, Result, StoreError, Tx};
use chrono::{DateTime, Duration, Utc};

/// A user's TOTP secret and its state.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Base32, as the authenticator app reads it.
    pub secret: String,
    pub created_at: DateTime<Utc>,
    /// None while enrolment waits for the first code.
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: Option<i64>,
}

impl Factor {
    pub fn confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

type FactorRow = (String, DateTime<Utc>, Option<DateTime<Utc>>, Option<i64>);

pub async fn factor(tx: &mut Tx, user_id: i64) -> Result<Option<Factor>> {
    let row: Option<FactorRow> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT secret, created_at, confirmed_at, last_step FROM second_factors WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(
        row.map(|(secret, created_at, confirmed_at, last_step)| Factor {
            secret,
            created_at,
            confirmed_at,
            last_step,
        }),
    )
}

/// Whether the user has a confirmed second factor.
pub async fn enrolled(tx: &mut Tx, user_id: i64) -> Result<bool> {
    Ok(factor(tx, user_id).await?.is_some_and(|f| f.confirmed()))
}

/// Starts (or starts again) an enrolment with a fresh secret. A confirmed
/// factor is never replaced this way: that takes a reset first.
pub async fn start_enrolment(tx: &mut Tx, user_id: i64, secret: &str) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query("DELETE FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(user_id)
            .execute(&mut *c)
            .await
    })?;
    let n = exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO second_factors (user_id, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO NOTHING",
        )
        .bind(user_id)
        .bind(secret)
        .bind(now())
        .execute(&mut *c)
        .await
    })?;
    if n == 0 {
        return Err(StoreError::Duplicate(format!(
            "second factor of user {user_id}"
        )));
    }
    Ok(())
}

/// Confirms an enrolment with the step of the first code typed, and stores the
/// recovery codes' hashes (replacing any older ones). False when there was no
/// unconfirmed enrolment (confirmed meanwhile in another tab, or reset).
pub async fn confirm(
    tx: &mut Tx,
    user_id: i64,
    step: i64,
    recovery_codes: &[String],
) -> Result<bool> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE second_factors SET confirmed_at = $1, last_step = $2 \
             WHERE user_id = $3 AND confirmed_at IS NULL",
        )
        .bind(now())
        .bind(step)
        .bind(user_id)
        .execute(&mut *c)
        .await
    })?;
    if n == 0 {
        return Ok(false);
    }
    replace_recovery_codes(tx, user_id, recovery_codes).await?;
    Ok(true)
}

/// Accepts a code's time step if it is later than the last one accepted (a
/// code counts once). Decided in one statement, so two requests with the same
/// code cannot both pass.
pub async fn accept_step(tx: &mut Tx, user_id: i64, step: i64) -> Result<bool> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE second_factors SET last_step = $1 WHERE user_id = $2 \
             AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut *c)
        .await
    })?;
    Ok(n == 1)
}

/// Uses a recovery code (its canonical form): true once, false after.
pub async fn use_recovery_code(tx: &mut Tx, user_id: i64, code: &str) -> Result<bool> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 \
             AND used_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .bind(secret_hash(code))
        .execute(&mut *c)
        .await
    })?;
    Ok(n == 1)
}

/// How many unused recovery codes the user has left.
pub async fn recovery_codes_left(tx: &mut Tx, user_id: i64) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(n)
}

/// New recovery codes (their canonical forms); the old ones stop working.
pub async fn replace_recovery_codes(tx: &mut Tx, user_id: i64, codes: &[String]) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await
    })?;
    for code in codes {
        exec!(tx, |c| {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user_id)
                .bind(secret_hash(code))
                .execute(&mut *c)
                .await
        })?;
    }
    Ok(())
}

/// A beheerder's reset: the secret and recovery codes are removed, every
/// session ends and every API token is revoked (a lost phone may be in the
/// wrong hands). The user enrols again at the next login. Returns whether
/// there was a factor to remove.
pub async fn reset(tx: &mut Tx, user_id: i64) -> Result<bool> {
    let n = exec!(tx, |c| {
        sqlx::query("DELETE FROM second_factors WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await
    })?;
    exec!(tx, |c| {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *c)
            .await
    })?;
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(&mut *c)
        .await
    })?;
    crate::users::delete_other_sessions(tx, user_id, None).await?;
    Ok(n > 0)
}

/// How long an OIDC login may take from Baken to the provider and back.
pub const OIDC_LOGIN_TTL_MINUTES: i64 = 10;

/// An OIDC login under way.
#[derive(Debug, Clone)]
pub struct OidcLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub back: String,
}

/// Remembers an OIDC login under way, by its state (stored hashed).
pub async fn begin_oidc_login(tx: &mut Tx, state: &str, login: &OidcLogin) -> Result<()> {
    let ts = now();
    exec!(tx, |c| {
        sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
            .bind(ts - Duration::minutes(OIDC_LOGIN_TTL_MINUTES))
            .execute(&mut *c)
            .await
    })?;
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO oidc_logins (state_hash, nonce, pkce_verifier, back, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(secret_hash(state))
        .bind(&login.nonce)
        .bind(&login.pkce_verifier)
        .bind(&login.back)
        .bind(ts)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// Takes the login for a state back from the provider: once, and only within
/// [`OIDC_LOGIN_TTL_MINUTES`].
pub async fn take_oidc_login(tx: &mut Tx, state: &str) -> Result<Option<OidcLogin>> {
    let row: Option<(String, String, String, DateTime<Utc>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "DELETE FROM oidc_logins WHERE state_hash = $1 \
             RETURNING nonce, pkce_verifier, back, created_at",
        )
        .bind(secret_hash(state))
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(row.and_then(|(nonce, pkce_verifier, back, created)| {
        (created > now() - Duration::minutes(OIDC_LOGIN_TTL_MINUTES)).then_some(OidcLogin {
            nonce,
            pkce_verifier,
            back,
        })
    }))
}
