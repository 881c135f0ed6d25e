//! Districts, neighbourhoods, teams and providers.

use crate::{exec, now, with_conn, Result, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct District {
    pub code: String,
    pub municipality_code: String,
    pub name: String,
    pub neighbourhoods: i64,
    pub households: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Neighbourhood {
    pub code: String,
    pub district_code: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub district_code: Option<String>,
    pub version: i64,
    pub members: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

pub async fn districts(tx: &mut Tx) -> Result<Vec<District>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT d.code, d.municipality_code, d.name, \
             (SELECT COUNT(*) FROM neighbourhoods n WHERE n.district_code = d.code) AS neighbourhoods, \
             (SELECT COUNT(*) FROM households h WHERE h.district_code = d.code) AS households \
             FROM districts d ORDER BY d.code",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

pub async fn neighbourhoods(tx: &mut Tx) -> Result<Vec<Neighbourhood>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as("SELECT code, district_code, name FROM neighbourhoods ORDER BY code")
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

pub async fn create_district(
    tx: &mut Tx,
    code: &str,
    municipality: &str,
    name: &str,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query("INSERT INTO districts (code, municipality_code, name) VALUES ($1, $2, $3)")
            .bind(code)
            .bind(municipality)
            .bind(name)
            .execute(&mut *c)
            .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("district {code}")))?;
    Ok(())
}

pub async fn create_neighbourhood(
    tx: &mut Tx,
    code: &str,
    district: &str,
    name: &str,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query("INSERT INTO neighbourhoods (code, district_code, name) VALUES ($1, $2, $3)")
            .bind(code)
            .bind(district)
            .bind(name)
            .execute(&mut *c)
            .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("neighbourhood {code}")))?;
    Ok(())
}

pub async fn teams(tx: &mut Tx) -> Result<Vec<Team>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT t.id, t.name, t.district_code, t.version, \
             (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id) AS members \
             FROM teams t ORDER BY t.name",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

pub async fn team(tx: &mut Tx, id: i64) -> Result<Option<Team>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT t.id, t.name, t.district_code, t.version, \
             (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id) AS members \
             FROM teams t WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(row)
}

pub async fn create_team(tx: &mut Tx, name: &str, district: Option<&str>) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("INSERT INTO teams (name, district_code, version, created_at) VALUES ($1, $2, 1, $3) RETURNING id")
            .bind(name)
            .bind(district)
            .bind(now())
            .fetch_one(&mut *c)
            .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("team '{name}'")))?;
    Ok(id)
}

pub async fn team_by_name(tx: &mut Tx, name: &str) -> Result<Option<Team>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT t.id, t.name, t.district_code, t.version, \
             (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id) AS members \
             FROM teams t WHERE t.name = $1",
        )
        .bind(name)
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(row)
}

pub async fn district_exists(tx: &mut Tx, code: &str) -> Result<bool> {
    let (n,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COUNT(*) FROM districts WHERE code = $1")
            .bind(code)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(n > 0)
}

pub async fn create_provider(tx: &mut Tx, name: &str, kind: &str) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("INSERT INTO providers (name, kind) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(kind)
            .fetch_one(&mut *c)
            .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("provider '{name}'")))?;
    Ok(id)
}

pub async fn providers(tx: &mut Tx) -> Result<Vec<Provider>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as("SELECT id, name, kind FROM providers ORDER BY name")
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// Households per district, for aggregate views (counts are protected by the caller).
pub async fn households_per_district(tx: &mut Tx) -> Result<Vec<(String, String, i64, i64)>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT d.code, d.name, \
             (SELECT COUNT(*) FROM households h WHERE h.district_code = d.code), \
             (SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id WHERE h.district_code = d.code) \
             FROM districts d ORDER BY d.code",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}
