//! Writes the synthetic municipality into an empty database, in one transaction:
//! either all of it lands, or nothing does.

use crate::{areas, exec, now, users, with_conn, Backend, Db, Result, StoreError, Tx};
use baken_domain::Username;
use baken_synth::{Config, HouseholdSpec, Municipality};

/// What was written.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub households: u64,
    pub residents: u64,
    pub accounts: Vec<(String, String)>,
}

/// Refuses with [`StoreError::NotEmpty`] unless the database holds no users,
/// households, districts or teams.
pub async fn ensure_empty(tx: &mut Tx) -> Result<()> {
    for table in ["users", "households", "districts", "teams"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_one(&mut *c).await)?;
        if n > 0 {
            return Err(StoreError::NotEmpty(format!("{n} rows in {table}")));
        }
    }
    Ok(())
}

const HOUSEHOLD_BATCH: usize = 400;

/// Loads the municipality and `config.households` households. `password_hash` is
/// the argon2id hash of the demo password, set on every demo account.
/// `progress` is called with the number of households written so far.
pub async fn load(
    db: &Db,
    m: &Municipality,
    config: &Config,
    password_hash: &str,
    mut progress: impl FnMut(u64),
) -> Result<DemoSummary> {
    let mut tx = db.begin().await?;
    ensure_empty(&mut tx).await?;

    for d in &m.districts {
        areas::create_district(&mut tx, d.code.as_str(), m.code.as_str(), &d.name).await?;
        for n in &d.neighbourhoods {
            areas::create_neighbourhood(&mut tx, n.code.as_str(), d.code.as_str(), &n.name).await?;
        }
    }
    let mut team_ids = Vec::new();
    for t in &m.teams {
        team_ids.push(areas::create_team(&mut tx, &t.name, Some(t.district.as_str())).await?);
    }
    let mut provider_ids = Vec::new();
    for p in &m.providers {
        provider_ids.push(areas::create_provider(&mut tx, &p.name, &p.kind).await?);
    }

    let mut batch: Vec<HouseholdSpec> = Vec::with_capacity(HOUSEHOLD_BATCH);
    let mut written = 0u64;
    let mut residents = 0u64;
    for h in m.households(config) {
        batch.push(h);
        if batch.len() == HOUSEHOLD_BATCH {
            residents += insert_batch(&mut tx, &batch, &team_ids, residents).await?;
            written += batch.len() as u64;
            batch.clear();
            progress(written);
        }
    }
    if !batch.is_empty() {
        residents += insert_batch(&mut tx, &batch, &team_ids, residents).await?;
        written += batch.len() as u64;
        progress(written);
    }
    if db.backend() == Backend::Postgres {
        // Explicit ids were written; move the identity sequences past them.
        for table in ["households", "residents"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
            );
            exec!(&mut tx, |c| sqlx::query(&sql).execute(&mut *c).await)?;
        }
    }

    let mut accounts = Vec::new();
    for a in &m.accounts {
        let username = Username::parse(&a.username)
            .map_err(|e| StoreError::Corrupt(format!("demo account {}: {e}", a.username)))?;
        let household_id = match a.household {
            Some(i) if i < written => Some(i as i64 + 1),
            _ => None,
        };
        users::create(
            &mut tx,
            &users::NewUser {
                username: &username,
                display_name: &a.display_name,
                role: a.role,
                team_id: a.team.and_then(|t| team_ids.get(t).copied()),
                provider_id: a.provider.and_then(|p| provider_ids.get(p).copied()),
                household_id,
                password_hash,
            },
        )
        .await?;
        accounts.push((a.username.clone(), a.role.as_str().to_owned()));
    }
    tx.commit().await?;
    Ok(DemoSummary {
        households: written,
        residents,
        accounts,
    })
}

async fn insert_batch(
    tx: &mut Tx,
    batch: &[HouseholdSpec],
    team_ids: &[i64],
    residents_before: u64,
) -> Result<u64> {
    let ts = now();
    let mut sql = String::from(
        "INSERT INTO households (id, street, house_number, house_letter, addition, postcode, city, \
         neighbourhood_code, district_code, team_id, version, created_at, updated_at) VALUES ",
    );
    let cols = 11;
    for i in 0..batch.len() {
        let b = i * cols;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${},${},${},${},${},${},${},${},${},${},1,${},${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8,
            b + 9,
            b + 10,
            b + 11,
            b + 11
        ));
    }
    exec!(tx, |c| {
        let mut q = sqlx::query(&sql);
        for h in batch {
            q = q
                .bind(h.index as i64 + 1)
                .bind(&h.street)
                .bind(h.house_number as i64)
                .bind(h.house_letter.map(String::from).unwrap_or_default())
                .bind(h.addition.clone().unwrap_or_default())
                .bind(h.postcode.as_str())
                .bind(&h.city)
                .bind(h.neighbourhood.as_str())
                .bind(h.district.as_str())
                .bind(team_ids.get(h.team).copied())
                .bind(ts);
        }
        q.execute(&mut *c).await
    })?;

    let total: usize = batch.iter().map(|h| h.residents.len()).sum();
    let mut sql = String::from(
        "INSERT INTO residents (id, household_id, bsn, given_name, surname_prefix, surname, birth_date, version) VALUES ",
    );
    for i in 0..total {
        let b = i * 7;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${},${},${},${},${},${},${},1)",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7
        ));
    }
    let mut next_id = residents_before as i64;
    exec!(tx, |c| {
        let mut q = sqlx::query(&sql);
        for h in batch {
            for r in &h.residents {
                next_id += 1;
                q = q
                    .bind(next_id)
                    .bind(h.index as i64 + 1)
                    .bind(r.bsn.to_string())
                    .bind(&r.given_name)
                    .bind(&r.surname_prefix)
                    .bind(&r.surname)
                    .bind(r.birth_date);
            }
        }
        q.execute(&mut *c).await
    })?;
    Ok(total as u64)
}
