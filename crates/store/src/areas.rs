//! Districts, neighbourhoods, teams and providers.

use crate::{exec, now, versioned_update, with_conn, Result, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct District {
    pub code: String,
    pub municipality_code: String,
    pub name: String,
    pub neighbourhoods: i64,
    pub households: i64,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Neighbourhood {
    pub code: String,
    pub district_code: String,
    pub name: String,
    pub version: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub district_code: Option<String>,
    pub active: bool,
    pub version: i64,
    /// Active accounts in the team.
    pub members: i64,
    /// How residents reach the team (shown on their own pages).
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub version: i64,
}

const DISTRICT_SELECT: &str = "SELECT d.code, d.municipality_code, d.name, d.version, \
     (SELECT COUNT(*) FROM neighbourhoods n WHERE n.district_code = d.code) AS neighbourhoods, \
     (SELECT COUNT(*) FROM households h WHERE h.district_code = d.code) AS households \
     FROM districts d";

pub async fn districts(tx: &mut Tx) -> Result<Vec<District>> {
    let sql = format!("{DISTRICT_SELECT} ORDER BY d.code");
    let rows = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    Ok(rows)
}

pub async fn district(tx: &mut Tx, code: &str) -> Result<Option<District>> {
    let sql = format!("{DISTRICT_SELECT} WHERE d.code = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// Renames a district, if it is still at `expected_version`.
pub async fn rename_district(
    tx: &mut Tx,
    code: &str,
    expected_version: i64,
    name: &str,
) -> Result<i64> {
    rename_coded(tx, "districts", "district", code, expected_version, name).await
}

/// Renames the row of `table` (districts or neighbourhoods: keyed by a CBS
/// code, with a version) if it is still at `expected_version`.
async fn rename_coded(
    tx: &mut Tx,
    table: &'static str,
    what: &'static str,
    code: &str,
    expected_version: i64,
    name: &str,
) -> Result<i64> {
    let update = format!(
        "UPDATE {table} SET name = $1, version = version + 1 WHERE code = $2 AND version = $3"
    );
    let n = exec!(tx, |c| {
        sqlx::query(&update)
            .bind(name)
            .bind(code)
            .bind(expected_version)
            .execute(&mut *c)
            .await
    })?;
    let code = code.to_owned();
    versioned_update(tx, n, expected_version, format!("{what} {code}"), |tx| {
        Box::pin(async move {
            let exists = format!("SELECT COUNT(*) FROM {table} WHERE code = $1");
            let (found,): (i64,) = with_conn!(tx, |c| sqlx::query_as(&exists)
                .bind(&code)
                .fetch_one(&mut *c)
                .await)?;
            Ok(found > 0)
        })
    })
    .await
}

pub async fn neighbourhoods(tx: &mut Tx) -> Result<Vec<Neighbourhood>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT code, district_code, name, version FROM neighbourhoods ORDER BY code",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

pub async fn neighbourhood(tx: &mut Tx, code: &str) -> Result<Option<Neighbourhood>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT code, district_code, name, version FROM neighbourhoods WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(row)
}

/// Renames a neighbourhood if it is still at `expected_version`. Its CBS code,
/// and so its district, never change.
pub async fn rename_neighbourhood(
    tx: &mut Tx,
    code: &str,
    expected_version: i64,
    name: &str,
) -> Result<i64> {
    rename_coded(
        tx,
        "neighbourhoods",
        "neighbourhood",
        code,
        expected_version,
        name,
    )
    .await
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
            "SELECT t.id, t.name, t.district_code, t.active, t.version, \
             (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id AND u.active = TRUE) AS members, \
             t.phone, t.email \
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
            "SELECT t.id, t.name, t.district_code, t.active, t.version, \
             (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id AND u.active = TRUE) AS members, \
             t.phone, t.email \
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

/// What a team may change: name, district, whether it is active, and how
/// residents reach it.
pub struct TeamChange<'a> {
    pub name: &'a str,
    pub district_code: Option<&'a str>,
    pub active: bool,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// Changes a team, if it is still at `expected_version`.
pub async fn update_team(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    ch: &TeamChange<'_>,
) -> Result<i64> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE teams SET name = $1, district_code = $2, active = $3, phone = $4, email = $5, \
             version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(ch.name)
        .bind(ch.district_code)
        .bind(ch.active)
        .bind(ch.phone)
        .bind(ch.email)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("team '{}'", ch.name)))?;
    versioned_update(tx, n, expected_version, format!("team {id}"), |tx| {
        Box::pin(async move { Ok(team(tx, id).await?.is_some()) })
    })
    .await
}

/// How the residents of a household reach its team: the team's name, phone
/// and e-mail (None when the household has no team).
pub async fn team_contact_of_household(
    tx: &mut Tx,
    household_id: i64,
) -> Result<Option<(String, Option<String>, Option<String>)>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT t.name, t.phone, t.email FROM households h JOIN teams t ON t.id = h.team_id \
             WHERE h.id = $1",
        )
        .bind(household_id)
        .fetch_optional(&mut *c)
        .await
    })?)
}

/// Households assigned to a team (a team with households cannot be deactivated:
/// nobody would see them any more).
pub async fn team_households(tx: &mut Tx, id: i64) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COUNT(*) FROM households WHERE team_id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(n)
}

pub async fn household_exists(tx: &mut Tx, id: i64) -> Result<bool> {
    let (n,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COUNT(*) FROM households WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(n > 0)
}

pub async fn team_by_name(tx: &mut Tx, name: &str) -> Result<Option<Team>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT t.id, t.name, t.district_code, t.active, t.version, \
             (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id AND u.active = TRUE) AS members, \
             t.phone, t.email \
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
        sqlx::query_as("SELECT id, name, kind, version FROM providers ORDER BY name")
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// A provider with what hangs on it, for the beheer list.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProviderRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub version: i64,
    /// Services on the social map that are not ended.
    pub services: i64,
    /// Active accounts linked to it (role aanbieder).
    pub accounts: i64,
}

const PROVIDER_ROW: &str = "SELECT p.id, p.name, p.kind, p.version, \
     (SELECT COUNT(*) FROM kaart_services s WHERE s.provider_id = p.id AND s.status <> 'beeindigd') AS services, \
     (SELECT COUNT(*) FROM users u WHERE u.provider_id = p.id AND u.active = TRUE) AS accounts \
     FROM providers p";

pub async fn providers_overview(tx: &mut Tx) -> Result<Vec<ProviderRow>> {
    let sql = format!("{PROVIDER_ROW} ORDER BY p.name");
    let rows = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    Ok(rows)
}

/// One provider with what hangs on it (the beheer edit page).
pub async fn provider_overview(tx: &mut Tx, id: i64) -> Result<Option<ProviderRow>> {
    let sql = format!("{PROVIDER_ROW} WHERE p.id = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// Does a provider other than `except` have this name, ignoring case? (Names
/// are unique as written; beheer also refuses one that differs only in case,
/// which would look like the same organisation on the map.)
pub async fn provider_name_taken(tx: &mut Tx, name: &str, except: Option<i64>) -> Result<bool> {
    let (n,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("SELECT COUNT(*) FROM providers WHERE LOWER(name) = LOWER($1) AND id <> $2")
            .bind(name)
            .bind(except.unwrap_or(0))
            .fetch_one(&mut *c)
            .await
    })?;
    Ok(n > 0)
}

pub async fn provider(tx: &mut Tx, id: i64) -> Result<Option<Provider>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as("SELECT id, name, kind, version FROM providers WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row)
}

/// Renames a provider and sets its sector, if it is still at `expected_version`
/// ([`StoreError::Conflict`] otherwise; [`StoreError::Duplicate`] for a name
/// another provider has). Returns the new version.
pub async fn update_provider(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    name: &str,
    kind: &str,
) -> Result<i64> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE providers SET name = $1, kind = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
        )
        .bind(name)
        .bind(kind)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("provider name '{name}'")))?;
    versioned_update(tx, n, expected_version, format!("provider {id}"), |tx| {
        Box::pin(async move { Ok(provider(tx, id).await?.is_some()) })
    })
    .await
}

pub async fn provider_by_name(tx: &mut Tx, name: &str) -> Result<Option<Provider>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as("SELECT id, name, kind, version FROM providers WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row)
}

/// Every household's and every resident's id per district, for counts protected
/// by the cell-key method (`baken_domain::cell_key`): (district code, household
/// ids, resident ids), in the order of `districts`.
pub async fn members_per_district(tx: &mut Tx) -> Result<Vec<(String, Vec<i64>, Vec<i64>)>> {
    let households: Vec<(String, i64)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT district_code, id FROM households")
            .fetch_all(&mut *c)
            .await
    })?;
    let residents: Vec<(String, i64)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT h.district_code, r.id FROM residents r JOIN households h ON h.id = r.household_id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    let mut out: std::collections::BTreeMap<String, (Vec<i64>, Vec<i64>)> = Default::default();
    for (d, id) in households {
        out.entry(d).or_default().0.push(id);
    }
    for (d, id) in residents {
        out.entry(d).or_default().1.push(id);
    }
    Ok(out.into_iter().map(|(d, (h, r))| (d, h, r)).collect())
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
