//! Households and their residents.

use crate::{exec, now, versioned_update, with_conn, Page, Result, Tx};
use baken_domain::HouseholdScope;
use chrono::NaiveDate;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Household {
    pub id: i64,
    pub street: String,
    pub house_number: i64,
    pub house_letter: String,
    pub addition: String,
    pub postcode: String,
    pub city: String,
    pub neighbourhood_code: String,
    pub district_code: String,
    pub team_id: Option<i64>,
    pub version: i64,
    pub residents: i64,
    /// The name of its team, read with it (one statement fewer per page view).
    #[serde(skip)]
    pub team_name: Option<String>,
    /// The names of its neighbourhood and district (residents read names,
    /// not CBS codes).
    pub neighbourhood_name: Option<String>,
    pub district_name: Option<String>,
}

impl Household {
    /// `Lindelaan 12A-2`
    pub fn street_address(&self) -> String {
        let mut s = format!("{} {}{}", self.street, self.house_number, self.house_letter);
        if !self.addition.is_empty() {
            s.push('-');
            s.push_str(&self.addition);
        }
        s
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Resident {
    pub id: i64,
    pub household_id: i64,
    pub bsn: String,
    pub given_name: String,
    pub surname_prefix: Option<String>,
    pub surname: String,
    pub birth_date: NaiveDate,
}

impl Resident {
    pub fn full_name(&self) -> String {
        match &self.surname_prefix {
            Some(p) if !p.is_empty() => format!("{} {} {}", self.given_name, p, self.surname),
            _ => format!("{} {}", self.given_name, self.surname),
        }
    }
}

const COLS: &str =
    "h.id, h.street, h.house_number, h.house_letter, h.addition, h.postcode, h.city, \
                    h.neighbourhood_code, h.district_code, h.team_id, h.version, \
                    (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) AS residents, \
                    (SELECT t.name FROM teams t WHERE t.id = h.team_id) AS team_name, \
                    (SELECT n.name FROM neighbourhoods n WHERE n.code = h.neighbourhood_code) AS neighbourhood_name, \
                    (SELECT d.name FROM districts d WHERE d.code = h.district_code) AS district_name";

/// Filters for the household list. The scope is not a filter: it always applies.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub district: Option<String>,
    /// Normalised postcode (`1234AB`) or its first four digits.
    pub postcode: Option<String>,
}

/// Households within the scope, ordered by id.
pub async fn list(
    tx: &mut Tx,
    scope: HouseholdScope,
    filter: &HouseholdFilter,
    page: i64,
    page_size: i64,
) -> Result<Page<Household>> {
    let (team, own) = match scope {
        HouseholdScope::Team(t) => (Some(t), None),
        HouseholdScope::Own(h) => (None, Some(h)),
        HouseholdScope::Nothing => {
            return Ok(Page {
                items: vec![],
                total: 0,
                page: 1,
                page_size,
            })
        }
    };
    let postcode_like = filter.postcode.as_ref().map(|p| format!("{p}%"));
    let conds = "($1 IS NULL OR h.team_id = $1) AND ($2 IS NULL OR h.id = $2) \
                 AND ($3 IS NULL OR h.district_code = $3) AND ($4 IS NULL OR h.postcode LIKE $4)";
    let count_sql = format!("SELECT COUNT(*) FROM households h WHERE {conds}");
    let list_sql =
        format!("SELECT {COLS} FROM households h WHERE {conds} ORDER BY h.id LIMIT $5 OFFSET $6");
    let page = page.max(1);
    let offset = (page - 1) * page_size;
    let (total, items) = with_conn!(tx, |c| {
        let (total,): (i64,) = sqlx::query_as(&count_sql)
            .bind(team)
            .bind(own)
            .bind(&filter.district)
            .bind(&postcode_like)
            .fetch_one(&mut *c)
            .await?;
        let items: Vec<Household> = sqlx::query_as(&list_sql)
            .bind(team)
            .bind(own)
            .bind(&filter.district)
            .bind(&postcode_like)
            .bind(page_size)
            .bind(offset)
            .fetch_all(&mut *c)
            .await?;
        Ok::<_, sqlx::Error>((total, items))
    })?;
    Ok(Page {
        items,
        total,
        page,
        page_size,
    })
}

/// One household, whatever the scope: the caller checks the scope (and audits).
pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Household>> {
    let sql = format!("SELECT {COLS} FROM households h WHERE h.id = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

pub async fn residents(tx: &mut Tx, household_id: i64) -> Result<Vec<Resident>> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, household_id, bsn, given_name, surname_prefix, surname, birth_date \
             FROM residents WHERE household_id = $1 ORDER BY birth_date, id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

/// Moves a household to another team (optimistic locking on `expected_version`).
pub async fn assign_team(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    team_id: Option<i64>,
) -> Result<i64> {
    let res = exec!(tx, |c| {
        sqlx::query(
            "UPDATE households SET team_id = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND version = $4",
        )
        .bind(team_id)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })?;
    versioned_update(tx, res, expected_version, format!("household {id}"), |tx| {
        Box::pin(async move { Ok(get(tx, id).await?.is_some()) })
    })
    .await
}

pub async fn count(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as("SELECT COUNT(*) FROM households")
        .fetch_one(&mut *c)
        .await)?;
    Ok(n)
}
