//! Volunteer work's storage (`vw_*` tables, migration 0111): volunteers'
//! profiles, providers' vacancies, applications and placements, and the VOG
//! reminder.
//!
//! The rules live in `baken_domain::volunteering`. **No read of a volunteer's
//! profile by someone else without its entry:** [`profiles_for_consultant`]
//! and [`application_for_consultant`] take the audit entry and append it in
//! the caller's transaction; a volunteer's own profile ([`own_profile`]) is
//! theirs to read.

use crate::{audit, exec, now, with_conn, StoreError, Tx};
use baken_domain::volunteering::{
    check_placement, vog_reminder_due, ApplicationState, Availability, TagList, VolunteerError,
};
use baken_domain::AuditEntry;
use chrono::{DateTime, NaiveDate, Utc};

/// What can go wrong: a rule of the domain, or the store.
#[derive(Debug, thiserror::Error)]
pub enum VolunteerStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rule(#[from] VolunteerError),
    #[error("already applied to this vacancy")]
    AlreadyApplied,
    #[error("the vacancy is closed")]
    Closed,
}

impl From<sqlx::Error> for VolunteerStoreError {
    fn from(e: sqlx::Error) -> Self {
        VolunteerStoreError::Store(StoreError::from(e))
    }
}

type Result<T, E = VolunteerStoreError> = std::result::Result<T, E>;

// ----------------------------------------------------------------- profiles

/// A volunteer's profile as typed (already parsed).
#[derive(Debug, Clone)]
pub struct ProfileInput<'a> {
    pub display_name: &'a str,
    pub district_code: Option<&'a str>,
    pub skills: &'a TagList,
    pub languages: &'a TagList,
    pub trainings: &'a TagList,
    pub availability: &'a [Availability],
    pub vog_valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProfileRow {
    pub id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub district_code: Option<String>,
    pub skills: String,
    pub languages: String,
    pub trainings: String,
    pub availability: String,
    pub vog_valid_until: Option<NaiveDate>,
    pub vog_reminded_for: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

impl ProfileRow {
    pub fn availability(&self) -> Vec<Availability> {
        self.availability
            .split(',')
            .filter_map(|c| Availability::parse(c).ok())
            .collect()
    }
}

const PROFILE_COLUMNS: &str = "id, user_id, display_name, district_code, skills, languages, \
     trainings, availability, vog_valid_until, vog_reminded_for, updated_at";

/// Creates or replaces the profile of a volunteer's own account.
pub async fn save_profile(tx: &mut Tx, user_id: i64, p: &ProfileInput<'_>) -> Result<i64> {
    let availability = p
        .availability
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO vw_profiles (user_id, display_name, district_code, skills, languages, \
             trainings, availability, vog_valid_until, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, \
             district_code = excluded.district_code, skills = excluded.skills, \
             languages = excluded.languages, trainings = excluded.trainings, \
             availability = excluded.availability, vog_valid_until = excluded.vog_valid_until, \
             updated_at = excluded.updated_at RETURNING id",
        )
        .bind(user_id)
        .bind(p.display_name)
        .bind(p.district_code)
        .bind(p.skills.joined())
        .bind(p.languages.joined())
        .bind(p.trainings.joined())
        .bind(&availability)
        .bind(p.vog_valid_until)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(id)
}

/// The profile of the logged-in volunteer's own account, if any.
pub async fn own_profile(tx: &mut Tx, user_id: i64) -> Result<Option<ProfileRow>, StoreError> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM vw_profiles WHERE user_id = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(user_id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// Every volunteer's profile for the ServicePunt consultant, with one audit
/// entry naming them all (object `volunteer`).
pub async fn profiles_for_consultant(
    tx: &mut Tx,
    entry: &AuditEntry,
) -> Result<Vec<ProfileRow>, StoreError> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM vw_profiles ORDER BY display_name, id");
    let rows: Vec<ProfileRow> = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    audit::append_shown(tx, entry, "volunteer", rows.iter().map(|r| r.id)).await?;
    Ok(rows)
}

// ---------------------------------------------------------------- vacancies

#[derive(Debug, Clone)]
pub struct NewVacancy<'a> {
    pub provider_id: i64,
    pub service_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub district_code: Option<&'a str>,
    pub vog_required: bool,
    pub created_by: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct VacancyRow {
    pub id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    pub title: String,
    pub body: String,
    pub district_code: Option<String>,
    pub vog_required: bool,
    pub open: bool,
    /// Applications waiting for a decision.
    pub waiting: i64,
}

const VACANCY_SELECT: &str = "SELECT v.id, v.provider_id, p.name AS provider_name, v.service_id, \
     s.name AS service_name, v.title, v.body, v.district_code, v.vog_required, v.open, \
     (SELECT COUNT(*) FROM vw_applications a WHERE a.vacancy_id = v.id AND a.state = 'aangemeld') AS waiting \
     FROM vw_vacancies v JOIN providers p ON p.id = v.provider_id \
     LEFT JOIN kaart_services s ON s.id = v.service_id";

pub async fn create_vacancy(tx: &mut Tx, v: &NewVacancy<'_>) -> Result<i64, StoreError> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO vw_vacancies (provider_id, service_id, title, body, district_code, \
             vog_required, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(v.provider_id)
        .bind(v.service_id)
        .bind(v.title)
        .bind(v.body)
        .bind(v.district_code)
        .bind(v.vog_required)
        .bind(v.created_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(id)
}

/// Vacancies, newest first: only open ones when `open_only`, only one
/// provider's when `provider` is given.
pub async fn vacancies(
    tx: &mut Tx,
    open_only: bool,
    provider: Option<i64>,
) -> Result<Vec<VacancyRow>, StoreError> {
    let sql = format!(
        "{VACANCY_SELECT} WHERE ($1 = FALSE OR v.open = TRUE) AND ($2 IS NULL OR v.provider_id = $2) \
         ORDER BY v.id DESC"
    );
    let rows = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(open_only)
        .bind(provider)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}

pub async fn vacancy(tx: &mut Tx, id: i64) -> Result<Option<VacancyRow>, StoreError> {
    let sql = format!("{VACANCY_SELECT} WHERE v.id = $1");
    let row = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row)
}

/// Closes or reopens a vacancy (a provider only its own).
pub async fn set_vacancy_open(
    tx: &mut Tx,
    id: i64,
    provider: Option<i64>,
    open: bool,
) -> Result<bool, StoreError> {
    let done = exec!(tx, |c| sqlx::query(
        "UPDATE vw_vacancies SET open = $1 WHERE id = $2 AND ($3 IS NULL OR provider_id = $3)"
    )
    .bind(open)
    .bind(id)
    .bind(provider)
    .execute(&mut *c)
    .await)?;
    Ok(done == 1)
}

/// Services on the social map that take volunteers, for linking a vacancy
/// (one provider's only, when given): (id, provider id, name).
pub async fn volunteer_services(
    tx: &mut Tx,
    provider: Option<i64>,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    let rows = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, provider_id, name FROM kaart_services \
         WHERE volunteering = TRUE AND ($1 IS NULL OR provider_id = $1) ORDER BY name, id"
    )
    .bind(provider)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows)
}

// ------------------------------------------------------------- applications

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub vacancy_id: i64,
    pub vacancy_title: String,
    pub provider_name: String,
    pub vog_required: bool,
    pub profile_id: i64,
    pub volunteer_name: String,
    pub vog_valid_until: Option<NaiveDate>,
    pub motivation: String,
    pub state: String,
    pub start_on: Option<NaiveDate>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
}

const APPLICATION_SELECT: &str = "SELECT a.id, a.vacancy_id, v.title AS vacancy_title, \
     p.name AS provider_name, v.vog_required, a.profile_id, f.display_name AS volunteer_name, \
     f.vog_valid_until, a.motivation, a.state, a.start_on, a.reason, a.created_at \
     FROM vw_applications a JOIN vw_vacancies v ON v.id = a.vacancy_id \
     JOIN providers p ON p.id = v.provider_id JOIN vw_profiles f ON f.id = a.profile_id";

/// A volunteer applies to an open vacancy, once.
pub async fn apply(tx: &mut Tx, vacancy_id: i64, profile_id: i64, motivation: &str) -> Result<i64> {
    let vacancy = vacancy(tx, vacancy_id)
        .await?
        .ok_or(VolunteerStoreError::Closed)?;
    if !vacancy.open {
        return Err(VolunteerStoreError::Closed);
    }
    let existing: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM vw_applications WHERE vacancy_id = $1 AND profile_id = $2"
    )
    .bind(vacancy_id)
    .bind(profile_id)
    .fetch_optional(&mut *c)
    .await)?;
    if existing.is_some() {
        return Err(VolunteerStoreError::AlreadyApplied);
    }
    let (id,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "INSERT INTO vw_applications (vacancy_id, profile_id, motivation, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(vacancy_id)
    .bind(profile_id)
    .bind(motivation)
    .bind(now())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// A volunteer's own applications.
pub async fn own_applications(
    tx: &mut Tx,
    profile_id: i64,
) -> Result<Vec<ApplicationRow>, StoreError> {
    let sql = format!("{APPLICATION_SELECT} WHERE a.profile_id = $1 ORDER BY a.id DESC");
    let rows = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(profile_id)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows)
}

/// Applications for the consultant (waiting first), with one audit entry
/// naming the volunteers shown.
pub async fn applications_for_consultant(
    tx: &mut Tx,
    entry: &AuditEntry,
) -> Result<Vec<ApplicationRow>, StoreError> {
    let sql = format!(
        "{APPLICATION_SELECT} ORDER BY CASE WHEN a.state = 'aangemeld' THEN 0 ELSE 1 END, a.id DESC"
    );
    let rows: Vec<ApplicationRow> =
        with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.profile_id).collect();
    ids.sort_unstable();
    ids.dedup();
    audit::append_shown(tx, entry, "volunteer", ids).await?;
    Ok(rows)
}

/// The consultant decides an application: places the volunteer from `start`
/// (the vacancy's VOG rule checked on that day) or not, with a reason.
/// Returns the volunteer's profile id.
pub async fn decide(
    tx: &mut Tx,
    application_id: i64,
    to: ApplicationState,
    start: Option<NaiveDate>,
    reason: &str,
    by: i64,
) -> Result<Option<i64>> {
    let sql = format!("{APPLICATION_SELECT} WHERE a.id = $1");
    let Some(row): Option<ApplicationRow> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(application_id)
        .fetch_optional(&mut *c)
        .await)?
    else {
        return Ok(None);
    };
    let from = ApplicationState::parse(&row.state)
        .map_err(|e| StoreError::Corrupt(format!("application {application_id}: {e}")))?;
    from.decide(to)?;
    if to == ApplicationState::Geplaatst {
        let start = start.ok_or(VolunteerError::VogNeeded)?;
        check_placement(row.vog_required, row.vog_valid_until, start)?;
    }
    let done = exec!(tx, |c| sqlx::query(
        "UPDATE vw_applications SET state = $1, start_on = $2, reason = $3, decided_by = $4, \
         decided_at = $5 WHERE id = $6 AND state = 'aangemeld'"
    )
    .bind(to.as_str())
    .bind(start.filter(|_| to == ApplicationState::Geplaatst))
    .bind(reason)
    .bind(by)
    .bind(now())
    .bind(application_id)
    .execute(&mut *c)
    .await)?;
    if done != 1 {
        return Err(VolunteerError::Decided("al besloten").into());
    }
    Ok(Some(row.profile_id))
}

/// The volunteer withdraws their own waiting application.
pub async fn withdraw(
    tx: &mut Tx,
    application_id: i64,
    profile_id: i64,
) -> Result<bool, StoreError> {
    let done = exec!(tx, |c| sqlx::query(
        "UPDATE vw_applications SET state = 'ingetrokken', decided_at = $1 \
         WHERE id = $2 AND profile_id = $3 AND state = 'aangemeld'"
    )
    .bind(now())
    .bind(application_id)
    .bind(profile_id)
    .execute(&mut *c)
    .await)?;
    Ok(done == 1)
}

// ------------------------------------------------------------- VOG reminder

/// Leaves today's VOG reminders: a notification for every volunteer whose VOG
/// ends within 30 days (once per end date), which the notification e-mail
/// The records behind the published volunteer figures (ids and district
/// names only): volunteers with a placement that started by `today`, and
/// every placement, both by the volunteer's district (or
/// `care_figures::NO_DISTRICT`).
pub async fn figure_facts(
    tx: &mut Tx,
    today: NaiveDate,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), StoreError> {
    let active = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT DISTINCT p.id, COALESCE(d.name, 'Geen wijk opgegeven') FROM vw_profiles p \
             JOIN vw_applications a ON a.profile_id = p.id LEFT JOIN districts d ON d.code = p.district_code \
             WHERE a.state = 'geplaatst' AND a.start_on <= $1 ORDER BY p.id",
        )
        .bind(today)
        .fetch_all(&mut *c)
        .await
    })?;
    let placements = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT a.id, COALESCE(d.name, 'Geen wijk opgegeven') FROM vw_applications a \
             JOIN vw_profiles p ON p.id = a.profile_id LEFT JOIN districts d ON d.code = p.district_code \
             WHERE a.state = 'geplaatst' ORDER BY a.id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok((active, placements))
}

/// round then announces by mail. Returns the profiles reminded.
pub async fn remind_vog(tx: &mut Tx, today: NaiveDate) -> Result<Vec<i64>, StoreError> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM vw_profiles WHERE vog_valid_until IS NOT NULL ORDER BY id"
    );
    let rows: Vec<ProfileRow> = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    let mut reminded = Vec::new();
    for row in rows {
        if !vog_reminder_due(row.vog_valid_until, row.vog_reminded_for, today) {
            continue;
        }
        let Some(end) = row.vog_valid_until else {
            continue;
        };
        let text = format!(
            "Uw VOG is geldig tot {}. Vraag op tijd een nieuwe aan en zet de nieuwe datum in uw profiel.",
            end.format("%d-%m-%Y")
        );
        crate::notifications::notify(
            tx,
            &crate::notifications::NewNotification {
                user_id: row.user_id,
                kind: baken_domain::NotificationKind::VogEnding,
                text: &text,
                link: "/vrijwilligerswerk#profiel",
            },
        )
        .await?;
        exec!(tx, |c| sqlx::query(
            "UPDATE vw_profiles SET vog_reminded_for = $1 WHERE id = $2"
        )
        .bind(end)
        .bind(row.id)
        .execute(&mut *c)
        .await)?;
        reminded.push(row.id);
    }
    Ok(reminded)
}

// --------------------------------------------------------------------- demo

/// Demo data: the demo volunteer's profile (VOG ending in three weeks, so the
/// reminder shows), vacancies of the providers whose services take
/// volunteers, and one application waiting for the consultant.
#[cfg(feature = "demo")]
pub async fn load_demo(tx: &mut Tx, today: NaiveDate) -> Result<(), StoreError> {
    let user: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM users WHERE username = 'vrijwilliger'"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let makelaar: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id FROM users WHERE username = 'makelaar'"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let (Some((user,)), Some((makelaar,))) = (user, makelaar) else {
        return Ok(());
    };
    let district: Option<(String,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT code FROM districts ORDER BY code LIMIT 1"
    )
    .fetch_optional(&mut *c)
    .await)?;
    let tags = |s: &str| TagList::parse(s, 12).unwrap_or_default();
    let profile = save_profile(
        tx,
        user,
        &ProfileInput {
            display_name: "Sanne de Vries",
            district_code: district.as_ref().map(|d| d.0.as_str()),
            skills: &tags("voorlezen, koken, computerles"),
            languages: &tags("Nederlands, Engels, Turks"),
            trainings: &tags("Basiscursus vrijwilligerswerk, Omgaan met dementie"),
            availability: &[Availability::Middag, Availability::Weekend],
            vog_valid_until: Some(today + chrono::Duration::days(21)),
        },
    )
    .await
    .map_err(|e| StoreError::Corrupt(format!("demo volunteer: {e}")))?;
    let services = volunteer_services(tx, None).await?;
    // (the service on the map it belongs to, title, text, VOG needed)
    const VACANCIES: &[(&str, &str, &str, bool)] = &[
        (
            "Voorlezen op de basisschool",
            "Voorlezer op de basisschool",
            "Eén ochtend per week lezen met kinderen in groep 3 en 4. Geduld en plezier in verhalen zijn genoeg.",
            true,
        ),
        (
            "Maaltijd koken in het buurthuis",
            "Kok voor de buurtmaaltijd",
            "Op woensdagmiddag samen koken voor de buurt. Ook geschikt als u net begint.",
            false,
        ),
        (
            "Maatje voor een oudere",
            "Maatje voor een oudere buurtgenoot",
            "Eens per week op bezoek: een praatje, een wandeling, samen koffie.",
            true,
        ),
    ];
    let mut first = None;
    for (service, title, body, vog) in VACANCIES {
        let Some((service_id, provider_id, _)) =
            services.iter().find(|s| s.2.starts_with(service)).cloned()
        else {
            continue;
        };
        let id = create_vacancy(
            tx,
            &NewVacancy {
                provider_id,
                service_id: Some(service_id),
                title,
                body,
                district_code: None,
                vog_required: *vog,
                created_by: makelaar,
            },
        )
        .await?;
        first.get_or_insert(id);
    }
    if let Some(vacancy) = first {
        apply(
            tx,
            vacancy,
            profile,
            "Ik lees graag voor en heb zelf kleinkinderen.",
        )
        .await
        .map_err(|e| StoreError::Corrupt(format!("demo application: {e}")))?;
    }
    Ok(())
}
