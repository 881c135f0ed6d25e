//! Settings that beheer can change: one key-value table per module
//! (`ct_settings`, `mk_settings`, `mz_settings`), read and written here only.
//!
//! A [`Key`] names its module's table and the key in it, so a module declares
//! its keys as constants and nobody repeats the queries. A group of settings
//! saved from one beheer form is guarded by a version kept under the key
//! [`VERSION_KEY`] in the same table: a form filled in on a version that has
//! changed since gets a [`StoreError::Conflict`], never a lost update.

use crate::{exec, with_conn, Result, StoreError, Tx};
use baken_domain::carers::{WaarderingSettings, WaarderingSettingsError};
use chrono::NaiveDate;

/// A module's settings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `ct_settings`: contracting (gemeentecode, answer period).
    Contracting,
    /// `mk_settings`: the marketplace (norm for urgent asks, retention).
    Market,
    /// `mz_settings`: mantelzorg (the mantelzorgwaardering, migration 0114).
    Carers,
}

impl Scope {
    fn select(self) -> &'static str {
        match self {
            Scope::Contracting => "SELECT value FROM ct_settings WHERE key = $1",
            Scope::Market => "SELECT value FROM mk_settings WHERE key = $1",
            Scope::Carers => "SELECT value FROM mz_settings WHERE key = $1",
        }
    }

    fn upsert(self) -> &'static str {
        match self {
            Scope::Contracting => {
                "INSERT INTO ct_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            }
            Scope::Market => {
                "INSERT INTO mk_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            }
            Scope::Carers => {
                "INSERT INTO mz_settings (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            }
        }
    }

    /// Moves the version on by one if it is still `$1` (stored as text).
    fn bump(self) -> &'static str {
        match self {
            Scope::Contracting => {
                "UPDATE ct_settings SET value = $2 WHERE key = 'versie' AND value = $1"
            }
            Scope::Market => {
                "UPDATE mk_settings SET value = $2 WHERE key = 'versie' AND value = $1"
            }
            Scope::Carers => {
                "UPDATE mz_settings SET value = $2 WHERE key = 'versie' AND value = $1"
            }
        }
    }

    /// Starts the version at 1 when the table has none yet.
    fn first(self) -> &'static str {
        match self {
            Scope::Contracting => {
                "INSERT INTO ct_settings (key, value) VALUES ('versie', '1') ON CONFLICT (key) DO NOTHING"
            }
            Scope::Market => {
                "INSERT INTO mk_settings (key, value) VALUES ('versie', '1') ON CONFLICT (key) DO NOTHING"
            }
            Scope::Carers => {
                "INSERT INTO mz_settings (key, value) VALUES ('versie', '1') ON CONFLICT (key) DO NOTHING"
            }
        }
    }
}

/// One setting: its module's table and its key there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub scope: Scope,
    pub name: &'static str,
}

impl Key {
    pub const fn new(scope: Scope, name: &'static str) -> Key {
        Key { scope, name }
    }
}

/// The key under which a table keeps the version of its settings.
pub const VERSION_KEY: &str = "versie";

/// A setting's stored value, if set.
pub async fn get(tx: &mut Tx, key: Key) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as(key.scope.select())
            .bind(key.name)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|(v,)| v))
}

/// Sets one setting (no version check: for seeding and for callers that
/// check nothing else can have changed).
pub async fn set(tx: &mut Tx, key: Key, value: &str) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(key.scope.upsert())
            .bind(key.name)
            .bind(value)
            .execute(&mut *c)
            .await
    })?;
    Ok(())
}

/// The version of a table's settings (0 when never saved through a form).
pub async fn version(tx: &mut Tx, scope: Scope) -> Result<i64> {
    Ok(get(tx, Key::new(scope, VERSION_KEY))
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Sets several settings of one table together, if its version is still
/// `expected` (else [`StoreError::Conflict`] and nothing written); returns
/// the new version.
pub async fn set_versioned(
    tx: &mut Tx,
    scope: Scope,
    values: &[(&'static str, String)],
    expected: i64,
) -> Result<i64> {
    let moved = if expected == 0 {
        exec!(tx, |c| sqlx::query(scope.first()).execute(&mut *c).await)?
    } else {
        let next = (expected + 1).to_string();
        exec!(tx, |c| {
            sqlx::query(scope.bump())
                .bind(expected.to_string())
                .bind(next.as_str())
                .execute(&mut *c)
                .await
        })?
    };
    if moved == 0 {
        return Err(StoreError::Conflict {
            what: "settings".into(),
            expected,
        });
    }
    for (name, value) in values {
        set(tx, Key::new(scope, name), value).await?;
    }
    Ok(expected + 1)
}

// ------------------------------------------------------- mantelzorgwaardering

/// Whether the waardering can be applied for.
pub const WAARDERING_OPEN: Key = Key::new(Scope::Carers, "waardering_aan");
/// The amount of the financial contribution, in euro cents.
pub const WAARDERING_AMOUNT: Key = Key::new(Scope::Carers, "waardering_bedrag_centen");
/// The year the waardering is for.
pub const WAARDERING_YEAR: Key = Key::new(Scope::Carers, "waardering_jaar");
/// The first day one can apply.
pub const WAARDERING_FROM: Key = Key::new(Scope::Carers, "waardering_vanaf");
/// The last day one can apply.
pub const WAARDERING_UNTIL: Key = Key::new(Scope::Carers, "waardering_tot_en_met");

/// The waardering settings as stored, with the version a change must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredWaardering {
    pub settings: WaarderingSettings,
    pub version: i64,
}

/// The mantelzorgwaardering's settings; until beheer sets them, the
/// defaults of [`WaarderingSettings::default_for`] for `today`'s year.
pub async fn waardering(tx: &mut Tx, today: NaiveDate) -> Result<StoredWaardering> {
    let version = version(tx, Scope::Carers).await?;
    if version == 0 {
        return Ok(StoredWaardering {
            settings: WaarderingSettings::default_for(today),
            version,
        });
    }
    let mut typed = Vec::with_capacity(5);
    for key in [
        WAARDERING_OPEN,
        WAARDERING_AMOUNT,
        WAARDERING_YEAR,
        WAARDERING_FROM,
        WAARDERING_UNTIL,
    ] {
        typed.push(get(tx, key).await?.unwrap_or_default());
    }
    let settings =
        WaarderingSettings::from_stored(&typed[0], &typed[1], &typed[2], &typed[3], &typed[4])
            .map_err(|e: WaarderingSettingsError| {
                StoreError::Corrupt(format!("waardering settings: {e}"))
            })?;
    Ok(StoredWaardering { settings, version })
}

/// Saves the waardering settings if nobody changed them since `expected`.
pub async fn set_waardering(
    tx: &mut Tx,
    settings: &WaarderingSettings,
    expected: i64,
) -> Result<i64> {
    set_versioned(
        tx,
        Scope::Carers,
        &[
            (WAARDERING_OPEN.name, settings.open.to_string()),
            (WAARDERING_AMOUNT.name, settings.amount_cents.to_string()),
            (WAARDERING_YEAR.name, settings.year.to_string()),
            (WAARDERING_FROM.name, settings.from.to_string()),
            (WAARDERING_UNTIL.name, settings.until.to_string()),
        ],
        expected,
    )
    .await
}
