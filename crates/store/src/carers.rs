//! Mantelzorg's storage (`mz_*` tables, migration 0112): informal carers,
//! their burden checks (EDIZ), the yearly mantelzorgwaardering, and the
//! wijkteam signal a heavy burden becomes with consent.
//!
//! The rules live in `baken_domain::carers`. **No read of a carer's record by
//! someone else without its entry:** [`carers_for_consultant`] and
//! [`carer_record`] take the audit entry and append it in the caller's
//! transaction. **One waardering per carer per year:** a unique key on
//! (carer, year), so a double submit cannot apply twice.

use crate::{audit, exec, now, with_conn, StoreError, Tx};
use baken_domain::carers::{
    check_signal, BurdenLevel, CareHours, CareRelation, CarerError, Ediz, Iban, WaarderingChoice,
};
use baken_domain::casework::signal::{SignalCategory, Urgency};
use baken_domain::AuditEntry;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, thiserror::Error)]
pub enum CarerStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rule(#[from] CarerError),
    #[error("already applied for this year's waardering")]
    AlreadyApplied,
    #[error("already registered as a carer")]
    AlreadyRegistered,
}

impl From<sqlx::Error> for CarerStoreError {
    fn from(e: sqlx::Error) -> Self {
        CarerStoreError::Store(StoreError::from(e))
    }
}

type Result<T, E = CarerStoreError> = std::result::Result<T, E>;

/// A carer as registered (already parsed).
#[derive(Debug, Clone)]
pub struct NewCarer<'a> {
    /// The carer's own account (self-registration), or `None`.
    pub user_id: Option<i64>,
    /// The household whose network the carer belongs to (casework).
    pub household_id: Option<i64>,
    /// The generalist who registered them, with consent.
    pub registered_by: Option<i64>,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub district_code: &'a str,
    pub hours: CareHours,
    pub relation: CareRelation,
    pub cares_for: &'a str,
    pub consent_on: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CarerRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub household_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub district_code: String,
    pub hours_per_week: i64,
    pub relation: String,
    pub cares_for: String,
    pub consent_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// The newest burden check's level, if any.
    pub level: Option<String>,
}

const CARER_SELECT: &str = "SELECT c.id, c.user_id, c.household_id, c.name, c.phone, \
     c.district_code, c.hours_per_week, c.relation, c.cares_for, c.consent_on, c.created_at, \
     (SELECT b.level FROM mz_burden_checks b WHERE b.carer_id = c.id ORDER BY b.id DESC LIMIT 1) AS level \
     FROM mz_carers c";

pub async fn register(tx: &mut Tx, c: &NewCarer<'_>) -> Result<i64> {
    if let Some(user) = c.user_id {
        if own_carer(tx, user).await?.is_some() {
            return Err(CarerStoreError::AlreadyRegistered);
        }
    }
    let (id,): (i64,) = with_conn!(tx, |conn| {
        sqlx::query_as(
        "INSERT INTO mz_carers (user_id, household_id, registered_by, name, phone, district_code, \
         hours_per_week, relation, cares_for, consent_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
    )
    .bind(c.user_id)
    .bind(c.household_id)
    .bind(c.registered_by)
    .bind(c.name)
    .bind(c.phone)
    .bind(c.district_code)
    .bind(i64::from(c.hours.get()))
    .bind(c.relation.as_str())
    .bind(c.cares_for)
    .bind(c.consent_on)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    })?;
    Ok(id)
}

/// The logged-in carer's own registration.
pub async fn own_carer(tx: &mut Tx, user_id: i64) -> Result<Option<CarerRow>, StoreError> {
    let sql = format!("{CARER_SELECT} WHERE c.user_id = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// Every carer, for the mantelzorgconsulent, with one audit entry naming them.
pub async fn carers_for_consultant(
    tx: &mut Tx,
    entry: &AuditEntry,
) -> Result<Vec<CarerRow>, StoreError> {
    let sql = format!("{CARER_SELECT} ORDER BY c.name, c.id");
    let rows: Vec<CarerRow> = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    audit::append_shown(tx, entry, "carer", rows.iter().map(|r| r.id)).await?;
    Ok(rows)
}

/// The carers registered from one household's network (casework), audited.
pub async fn carers_of_household(
    tx: &mut Tx,
    household_id: i64,
    entry: &AuditEntry,
) -> Result<Vec<CarerRow>, StoreError> {
    let sql = format!("{CARER_SELECT} WHERE c.household_id = $1 ORDER BY c.id");
    let rows: Vec<CarerRow> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(household_id)
        .fetch_all(&mut *c)
        .await)?;
    audit::append_shown(tx, entry, "carer", rows.iter().map(|r| r.id)).await?;
    Ok(rows)
}

// ------------------------------------------------------------ burden checks

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct BurdenRow {
    pub id: i64,
    pub carer_id: i64,
    pub taken_on: NaiveDate,
    pub score: i64,
    pub level: String,
    pub signal_id: Option<i64>,
}

pub async fn record_burden(
    tx: &mut Tx,
    carer_id: i64,
    ediz: &Ediz,
    on: NaiveDate,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "INSERT INTO mz_burden_checks (carer_id, taken_on, answers, score, level, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(carer_id)
    .bind(on)
    .bind(ediz.to_codes())
    .bind(i64::from(ediz.score()))
    .bind(ediz.level().as_str())
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// A carer's newest burden check.
pub async fn latest_burden(tx: &mut Tx, carer_id: i64) -> Result<Option<BurdenRow>, StoreError> {
    let row = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, carer_id, taken_on, score, level, signal_id FROM mz_burden_checks \
         WHERE carer_id = $1 ORDER BY id DESC LIMIT 1"
    )
    .bind(carer_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row)
}

/// With the carer's consent, turns their newest heavy burden check into a
/// signal for the wijkteam of their district (category "Overbelaste
/// mantelzorger", normal urgency; the phone number for a call-back). Once
/// per check: a second request returns the same signal.
pub async fn signal_burden(
    tx: &mut Tx,
    carer: &CarerRow,
    consent: bool,
    today: NaiveDate,
    reported_by: Option<i64>,
) -> Result<i64> {
    let burden = latest_burden(tx, carer.id)
        .await?
        .ok_or(CarerError::NotHeavy)?;
    if let Some(signal) = burden.signal_id {
        return Ok(signal);
    }
    let level = BurdenLevel::parse(&burden.level)
        .map_err(|e| StoreError::Corrupt(format!("burden check {}: {e}", burden.id)))?;
    check_signal(level, consent)?;
    let district: Option<(String,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT name FROM districts WHERE code = $1"
    )
    .bind(&carer.district_code)
    .fetch_optional(&mut *c)
    .await)?;
    let district_name = district.map_or_else(|| carer.district_code.clone(), |d| d.0);
    let description = format!(
        "Mantelzorger {} zorgt {} uur per week voor: {}. De belastingmeter (EDIZ) gaf op {} een score van {} van 9: {}. De mantelzorger wil graag contact met het wijkteam.",
        carer.name,
        carer.hours_per_week,
        carer.cares_for,
        burden.taken_on.format("%d-%m-%Y"),
        burden.score,
        level.label().to_lowercase()
    );
    let signal = crate::casework::create_signal(
        tx,
        &crate::casework::NewSignal {
            reported_on: today,
            category: SignalCategory::Mantelzorg,
            urgency: Urgency::Normaal,
            description,
            source: "Mantelzorgondersteuning (de mantelzorger zelf, met toestemming)".into(),
            reported_by,
            postcode: String::new(),
            house_number: 0,
            house_letter: String::new(),
            addition: String::new(),
            place: Some(format!("Wijk {district_name}")),
            callback_phone: carer.phone.clone(),
        },
    )
    .await
    .map_err(crate::casework::CaseError::into_store)?;
    let team = crate::kaart::help_request_team(tx, "", 0, Some(&carer.district_code)).await?;
    exec!(tx, |c| sqlx::query(
        "UPDATE cw_signals SET team_id = $1 WHERE id = $2"
    )
    .bind(team)
    .bind(signal)
    .execute(&mut *c)
    .await)?;
    exec!(tx, |c| sqlx::query(
        "UPDATE mz_burden_checks SET signal_id = $1 WHERE id = $2"
    )
    .bind(signal)
    .bind(burden.id)
    .execute(&mut *c)
    .await)?;
    Ok(signal)
}

// --------------------------------------------------------------- waardering

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct WaarderingRow {
    pub id: i64,
    pub carer_id: i64,
    pub carer_name: String,
    pub year: i64,
    pub choice: String,
    pub iban: Option<String>,
    pub state: String,
    pub applied_at: DateTime<Utc>,
}

const WAARDERING_SELECT: &str = "SELECT w.id, w.carer_id, c.name AS carer_name, w.year, \
     w.choice, w.iban, w.state, w.applied_at FROM mz_waarderingen w \
     JOIN mz_carers c ON c.id = w.carer_id";

/// Applies for this year's waardering, once per carer per year.
pub async fn apply_waardering(
    tx: &mut Tx,
    carer_id: i64,
    year: i32,
    choice: WaarderingChoice,
    iban: Option<&Iban>,
) -> Result<i64> {
    let existing: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM mz_waarderingen WHERE carer_id = $1 AND year = $2"
    )
    .bind(carer_id)
    .bind(i64::from(year))
    .fetch_optional(&mut *c)
    .await)?;
    if existing.is_some() {
        return Err(CarerStoreError::AlreadyApplied);
    }
    let (id,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "INSERT INTO mz_waarderingen (carer_id, year, choice, iban, applied_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id"
    )
    .bind(carer_id)
    .bind(i64::from(year))
    .bind(choice.as_str())
    .bind(iban.map(Iban::as_str))
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// A carer's waardering of a year, if applied for.
pub async fn waardering_of(
    tx: &mut Tx,
    carer_id: i64,
    year: i32,
) -> Result<Option<WaarderingRow>, StoreError> {
    let sql = format!("{WAARDERING_SELECT} WHERE w.carer_id = $1 AND w.year = $2");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(carer_id)
        .bind(i64::from(year))
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// The waarderingen still to grant (the consultant's list).
pub async fn waarderingen_open(tx: &mut Tx) -> Result<Vec<WaarderingRow>, StoreError> {
    let sql = format!("{WAARDERING_SELECT} WHERE w.state = 'aangevraagd' ORDER BY w.id");
    let rows = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    Ok(rows)
}

/// Grants a waardering (once).
pub async fn grant_waardering(tx: &mut Tx, id: i64, by: i64) -> Result<bool, StoreError> {
    let done = exec!(tx, |c| sqlx::query(
        "UPDATE mz_waarderingen SET state = 'toegekend', decided_by = $1, decided_at = $2 \
         WHERE id = $3 AND state = 'aangevraagd'"
    )
    .bind(by)
    .bind(now())
    .bind(id)
    .execute(&mut *c)
    .await)?;
    Ok(done == 1)
}

// ------------------------------------------------------------------ respite

/// Respite care (respijtzorg) from the social map: active services whose name
/// or description speaks of carers, respite, a stay-over, day care or a
/// The records behind the published carer figures (ids, district names and
/// bands only): every carer with the band of their latest burden check, and
/// the waarderingen of `year`, by the carer's district.
pub async fn figure_facts(
    tx: &mut Tx,
    year: i32,
) -> Result<(Vec<(i64, String, Option<BurdenLevel>)>, Vec<(i64, String)>), StoreError> {
    let carers: Vec<(i64, String, Option<String>)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT c.id, d.name, (SELECT b.level FROM mz_burden_checks b WHERE b.carer_id = c.id \
             ORDER BY b.taken_on DESC, b.id DESC LIMIT 1) FROM mz_carers c \
             JOIN districts d ON d.code = c.district_code ORDER BY c.id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    let waarderingen = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT w.id, d.name FROM mz_waarderingen w JOIN mz_carers c ON c.id = w.carer_id \
             JOIN districts d ON d.code = c.district_code WHERE w.year = $1 ORDER BY w.id",
        )
        .bind(i64::from(year))
        .fetch_all(&mut *c)
        .await
    })?;
    Ok((
        carers
            .into_iter()
            .map(|(id, d, level)| (id, d, level.and_then(|l| BurdenLevel::parse(&l).ok())))
            .collect(),
        waarderingen,
    ))
}

/// *maatje*, in the carer's district or town-wide; at most `limit`.
pub async fn respite_services(
    tx: &mut Tx,
    limit: usize,
) -> Result<Vec<(i64, String, String, String)>, StoreError> {
    let rows: Vec<(i64, String, String, String, String)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT s.id, s.name, s.description, p.name, s.status FROM kaart_services s \
         JOIN providers p ON p.id = s.provider_id ORDER BY s.step, s.name, s.id"
    )
    .fetch_all(&mut *c)
    .await)?;
    // One service is often offered in every district under one name: show it once.
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|(_, name, _, _, _)| seen.insert(name.clone()))
        .filter(|(_, name, description, _, status)| {
            status == baken_domain::kaart::service::ServiceStatus::Active.as_str()
                && baken_domain::carers::is_respite(&format!("{name} {description}"))
        })
        .take(limit)
        .map(|(id, name, description, provider, _)| (id, name, description, provider))
        .collect())
}

// --------------------------------------------------------------------- demo

/// Demo data: the demo resident registered as a carer with a moderate burden
/// and this year's waardering applied for; a carer the wijkteam registered
/// from household 1's network with a heavy burden.
#[cfg(feature = "demo")]
pub async fn load_demo(tx: &mut Tx, today: NaiveDate) -> Result<(), StoreError> {
    use baken_domain::carers::EdizAnswer as A;
    use chrono::Datelike;
    let inwoner: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM users WHERE username = 'inwoner'"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let generalist: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM users WHERE username = 'generalist'"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let district: Option<(String,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT code FROM districts ORDER BY code LIMIT 1"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let (Some((inwoner,)), Some((generalist,)), Some((district,))) =
        (inwoner, generalist, district)
    else {
        return Ok(());
    };
    let wrap = |e: CarerStoreError| StoreError::Corrupt(format!("demo carers: {e}"));
    let hours = |h| CareHours::new(h).map_err(|e| wrap(e.into()));
    let own = register(
        tx,
        &NewCarer {
            user_id: Some(inwoner),
            household_id: None,
            registered_by: None,
            name: "Fatima Amrani",
            phone: None,
            district_code: &district,
            hours: hours(12)?,
            relation: CareRelation::Ouder,
            cares_for: "mijn moeder, na een beroerte",
            consent_on: today,
        },
    )
    .await
    .map_err(wrap)?;
    record_burden(
        tx,
        own,
        &Ediz::new([
            A::Ja,
            A::MinOfMeer,
            A::Nee,
            A::Ja,
            A::Nee,
            A::Ja,
            A::NeeUitroep,
            A::Nee,
            A::Nee,
        ]),
        today,
    )
    .await?;
    apply_waardering(tx, own, today.year(), WaarderingChoice::Cadeaubon, None)
        .await
        .map_err(wrap)?;
    let household: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM households ORDER BY id LIMIT 1"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let network = register(
        tx,
        &NewCarer {
            user_id: None,
            household_id: household.map(|h| h.0),
            registered_by: Some(generalist),
            name: "Kees Bakker",
            phone: Some("06 12345678"),
            district_code: &district,
            hours: hours(30)?,
            relation: CareRelation::Partner,
            cares_for: "zijn vrouw, ziekte van Parkinson",
            consent_on: today,
        },
    )
    .await
    .map_err(wrap)?;
    record_burden(tx, network, &Ediz::new([A::Ja; 9]), today).await?;
    Ok(())
}
