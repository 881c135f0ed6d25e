//! Notifications: what waits for a user, read in the app; and which users are
//! still to be told by e-mail that something waits (never what).
//!
//! [`notify`] is the one way to leave a notification. It takes the caller's
//! transaction, so a notification is written with the change it is about (and
//! not at all if that change is refused).

use crate::{exec, now, with_conn, StoreError, Tx};
use baken_domain::{EmailAddress, NotificationKind};
use chrono::{DateTime, Utc};

type Result<T> = std::result::Result<T, StoreError>;

/// A notification to leave for one user.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: NotificationKind,
    /// Shown in the app only (it may name an address or a care).
    pub text: &'a str,
    /// A path inside Baken, such as `/dossier/12#verwijzingen`.
    pub link: &'a str,
}

/// Leaves a notification for a user, in the caller's transaction.
pub async fn notify(tx: &mut Tx, n: &NewNotification<'_>) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO notifications (user_id, kind, text, link, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(n.user_id)
    .bind(n.kind.as_str())
    .bind(n.text)
    .bind(n.link)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Leaves the same notification for every active team lead of a team.
pub async fn notify_team_leads(
    tx: &mut Tx,
    team_id: i64,
    kind: NotificationKind,
    text: &str,
    link: &str,
) -> Result<usize> {
    let leads: Vec<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT id FROM users WHERE team_id = $1 AND role = 'teamleider' AND active = TRUE ORDER BY id"
    )
    .bind(team_id)
    .fetch_all(&mut *c)
    .await
    })?;
    for (user_id,) in &leads {
        notify(
            tx,
            &NewNotification {
                user_id: *user_id,
                kind,
                text,
                link,
            },
        )
        .await?;
    }
    Ok(leads.len())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct NotificationRow {
    pub id: i64,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// How many notifications the user has not read.
pub async fn unread_count(tx: &mut Tx, user_id: i64) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(&mut *c)
    .await)?;
    Ok(n)
}

/// The user's latest notifications, newest first.
pub async fn list(tx: &mut Tx, user_id: i64, limit: i64) -> Result<Vec<NotificationRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, kind, text, link, created_at, read_at FROM notifications \
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2"
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}

/// Marks all the user's notifications read; returns how many were unread.
pub async fn mark_all_read(tx: &mut Tx, user_id: i64) -> Result<u64> {
    Ok(exec!(tx, |c| sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL"
    )
    .bind(now())
    .bind(user_id)
    .execute(&mut *c)
    .await)?)
}

/// Sets (or clears) the address a user is told at.
pub async fn set_email(tx: &mut Tx, user_id: i64, email: Option<&EmailAddress>) -> Result<()> {
    let n = exec!(tx, |c| sqlx::query(
        "UPDATE users SET email = $1 WHERE id = $2"
    )
    .bind(email.map(EmailAddress::as_str))
    .bind(user_id)
    .execute(&mut *c)
    .await)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("user {user_id}")));
    }
    Ok(())
}

/// The user's address, if set.
pub async fn email(tx: &mut Tx, user_id: i64) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT email FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.and_then(|r| r.0))
}

/// A user to tell by e-mail: their address and the newest notification the
/// mail covers (everything up to it is marked mailed afterwards).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MailDue {
    pub user_id: i64,
    pub email: String,
    pub up_to: i64,
}

/// Active users with an address and notifications not yet mailed: one e-mail
/// each, however many wait.
pub async fn mail_due(tx: &mut Tx, limit: i64) -> Result<Vec<MailDue>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT u.id AS user_id, u.email AS email, MAX(n.id) AS up_to FROM notifications n \
         JOIN users u ON u.id = n.user_id \
         WHERE n.mailed_at IS NULL AND u.email IS NOT NULL AND u.active = TRUE \
         GROUP BY u.id, u.email ORDER BY MIN(n.id) LIMIT $1"
    )
    .bind(limit)
    .fetch_all(&mut *c)
    .await)?)
}

/// Marks the user's notifications up to `up_to` as mailed.
pub async fn mark_mailed(tx: &mut Tx, user_id: i64, up_to: i64) -> Result<u64> {
    Ok(exec!(tx, |c| {
        sqlx::query(
        "UPDATE notifications SET mailed_at = $1 WHERE user_id = $2 AND id <= $3 AND mailed_at IS NULL"
    )
    .bind(now())
    .bind(user_id)
    .bind(up_to)
    .execute(&mut *c)
    .await
    })?)
}
