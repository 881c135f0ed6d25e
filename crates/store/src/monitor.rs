//! Published stapelingsmonitor reports (aggregates only, already protected).

use crate::{now, with_conn, Result, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportInfo {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub files: i64,
    pub protection: String,
    pub households: String,
}

pub struct NewReport<'a> {
    pub created_by: i64,
    pub files: i64,
    pub protection: &'a str,
    pub households: &'a str,
    pub report_json: &'a str,
    pub report_html: &'a str,
}

pub async fn create(tx: &mut Tx, r: &NewReport<'_>) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO monitor_reports (created_at, created_by, files, protection, households, report_json, report_html) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(now())
        .bind(r.created_by)
        .bind(r.files)
        .bind(r.protection)
        .bind(r.households)
        .bind(r.report_json)
        .bind(r.report_html)
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(id)
}

/// Newest first.
pub async fn list(tx: &mut Tx, limit: i64) -> Result<Vec<ReportInfo>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, created_at, created_by, files, protection, households FROM monitor_reports ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

pub async fn html(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT report_html FROM monitor_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|r| r.0))
}

pub async fn json(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT report_json FROM monitor_reports WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|r| r.0))
}
