//! Writes the synthetic municipality into an empty database, in one transaction:
//! either all of it lands, or nothing does.
//!
//! Loading needs `baken_synth` and is behind the cargo feature `demo`, which the
//! binary (`baken demo`, `serve --demo`), the benchmarks and the test helpers turn
//! on; a web process that only serves never compiles it. [`is_demo`] and
//! [`ensure_empty`] are always there.

#[cfg(feature = "demo")]
use crate::{areas, exec, now, users, Backend};
use crate::{with_conn, Conn, Db, Result, StoreError, Tx};
#[cfg(feature = "demo")]
use baken_domain::Username;
#[cfg(feature = "demo")]
use baken_synth::{Config, HouseholdSpec, Municipality};

/// What was written.
#[cfg(feature = "demo")]
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub households: u64,
    pub residents: u64,
    pub accounts: Vec<(String, String)>,
}

/// Does this database hold the synthetic municipality (loaded by `load`)?
pub async fn is_demo(db: &Db) -> Result<bool> {
    let mut tx = db.read().await?;
    Ok(crate::meta::get(&mut tx, crate::meta::DEMO)
        .await?
        .is_some())
}

/// Tables that hold facts about the schema and the installation, not data: the
/// migrations' own bookkeeping and the secrets a migration makes.
const BOOKKEEPING: [&str; 2] = ["_sqlx_migrations", "server_secrets"];

/// Tables that migrations give a first row: they hold data only beyond it.
/// `audit_head` starts at sequence 0 (nothing appended yet); `cw_response_norms`
/// starts with the default norms as version 1; `mk_categories` with the
/// marketplace's default categories (seeded, version 1); `mon_targets` with
/// the pyramid's default targets (version 1).
fn seeded_rows_hold_data(table: &str) -> Option<&'static str> {
    match table {
        "audit_head" => Some("SELECT COUNT(*) FROM audit_head WHERE seq <> 0"),
        "cw_response_norms" => Some("SELECT COUNT(*) FROM cw_response_norms WHERE version <> 1"),
        "mon_targets" => Some("SELECT COUNT(*) FROM mon_targets WHERE version <> 1"),
        "mk_categories" => {
            Some("SELECT COUNT(*) FROM mk_categories WHERE seeded = FALSE OR version <> 1")
        }
        _ => None,
    }
}

/// Refuses with [`StoreError::NotEmpty`] unless no table of the schema holds
/// data. The tables are read from the database's catalogue, not listed here, so
/// a table a later migration adds is covered without anyone remembering it: a
/// map imported with `baken kaart import`, one audit entry or one wijzer item is
/// enough to refuse the demo.
pub async fn ensure_empty(tx: &mut Tx) -> Result<()> {
    let tables: Vec<(String,)> = match tx.conn() {
        Conn::Sqlite(c) => {
            sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(&mut *c)
            .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_as(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 ORDER BY table_name",
            )
            .fetch_all(&mut *c)
            .await?
        }
    };
    for (table,) in tables {
        if BOOKKEEPING.contains(&table.as_str()) {
            continue;
        }
        // Names come from the catalogue; quoted all the same.
        let sql = seeded_rows_hold_data(&table)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\"")));
        let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_one(&mut *c).await)?;
        if n > 0 {
            return Err(StoreError::NotEmpty(format!("{n} rows in {table}")));
        }
    }
    Ok(())
}

/// Households per INSERT, per backend, as measured by `bench/src/bin/demo_load.rs`
/// (docs/benchmarks.md): SQLite is fastest with small statements, PostgreSQL
/// with larger ones (fewer round trips).
#[cfg(feature = "demo")]
fn household_batch(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 10,
        Backend::Postgres => 50,
    }
}
#[cfg(feature = "demo")]
const MAX_BATCH: usize = 1_000;

/// Loads the municipality and `config.households` households. `password_hash` is
/// the argon2id hash of the demo password, set on every demo account.
/// `progress` is called with the number of households written so far.
#[cfg(feature = "demo")]
pub async fn load(
    db: &Db,
    m: &Municipality,
    config: &Config,
    password_hash: &str,
    progress: impl FnMut(u64),
) -> Result<DemoSummary> {
    load_batched(
        db,
        m,
        config,
        password_hash,
        household_batch(db.backend()),
        progress,
    )
    .await
}

/// [`load`] with a chosen number of households per INSERT statement; the
/// benchmark compares batches against one row per statement.
#[cfg(feature = "demo")]
pub async fn load_batched(
    db: &Db,
    m: &Municipality,
    config: &Config,
    password_hash: &str,
    batch_size: usize,
    mut progress: impl FnMut(u64),
) -> Result<DemoSummary> {
    let batch_size = batch_size.clamp(1, MAX_BATCH);
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

    let mut batch: Vec<HouseholdSpec> = Vec::with_capacity(batch_size);
    let mut written = 0u64;
    let mut residents = 0u64;
    for h in m.households(config) {
        batch.push(h);
        if batch.len() == batch_size {
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
    crate::kaart::load_demo(&mut tx, m, &provider_ids).await?;
    crate::casework::load_demo(&mut tx, m, config, &provider_ids)
        .await
        .map_err(crate::casework::CaseError::into_store)?;
    crate::kaart::load_demo_help_requests(&mut tx, m, config).await?;
    crate::contracting::load_demo(&mut tx).await?;
    crate::commissioning::load_demo(&mut tx, &provider_ids).await?;
    crate::market::load_demo(&mut tx, m, now().date_naive()).await?;
    crate::volunteers::load_demo(&mut tx, now().date_naive()).await?;
    crate::carers::load_demo(&mut tx, now().date_naive()).await?;
    crate::gaps::load_demo(&mut tx, m, now().date_naive()).await?;
    // Recorded in the same transaction, so "this database holds the demo" is
    // true exactly when the demo landed (the web app shows its banner from it).
    crate::meta::set(
        &mut tx,
        crate::meta::DEMO,
        &format!(
            "{} {}: {written} households, seed {}",
            m.code, m.name, config.seed
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(DemoSummary {
        households: written,
        residents,
        accounts,
    })
}

/// `INSERT … VALUES ($1,…,$n),(…)` for `rows` rows of `cols` parameters; `tail`
/// is appended inside every row (constant columns).
#[cfg(feature = "demo")]
fn values_sql(head: &str, cols: usize, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5);
    sql.push_str(head);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(r * cols + c + 1).to_string());
        }
        sql.push_str(tail);
        sql.push(')');
    }
    sql
}

/// Rows per statement. Fixed sizes keep the statement text the same from one
/// batch to the next, so each backend prepares it once and reuses it.
#[cfg(feature = "demo")]
const RESIDENT_CHUNK: usize = 200;

#[cfg(feature = "demo")]
async fn insert_batch(
    tx: &mut Tx,
    batch: &[HouseholdSpec],
    team_ids: &[i64],
    residents_before: u64,
) -> Result<u64> {
    let ts = now();
    let sql = values_sql(
        "INSERT INTO households (id, street, house_number, house_letter, addition, postcode, city, \
         neighbourhood_code, district_code, team_id, created_at, updated_at, version) VALUES ",
        12,
        batch.len(),
        ",1",
    );
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
                .bind(ts)
                .bind(ts);
        }
        q.execute(&mut *c).await
    })?;

    let mut rows: Vec<(i64, i64, &baken_synth::ResidentSpec)> = Vec::new();
    let mut next_id = residents_before as i64;
    for h in batch {
        for r in &h.residents {
            next_id += 1;
            rows.push((next_id, h.index as i64 + 1, r));
        }
    }
    for chunk in rows.chunks(RESIDENT_CHUNK) {
        let sql = values_sql(
            "INSERT INTO residents (id, household_id, bsn, given_name, surname_prefix, surname, birth_date, version) VALUES ",
            7,
            chunk.len(),
            ",1",
        );
        exec!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for (id, household, r) in chunk {
                q = q
                    .bind(*id)
                    .bind(*household)
                    .bind(r.bsn.to_string())
                    .bind(&r.given_name)
                    .bind(&r.surname_prefix)
                    .bind(&r.surname)
                    .bind(r.birth_date);
            }
            q.execute(&mut *c).await
        })?;
    }
    Ok(rows.len() as u64)
}

#[cfg(all(test, feature = "demo"))]
mod tests {
    #[test]
    fn values_sql_numbers_every_parameter_once() {
        assert_eq!(
            super::values_sql("INSERT INTO t (a, b, c) VALUES ", 2, 2, ",1"),
            "INSERT INTO t (a, b, c) VALUES ($1,$2,1),($3,$4,1)"
        );
    }
}
