//! The buurtmarktplaats's storage: settings, categories, neighbouring
//! districts, participants (own account or proxy), e-mail verification,
//! listings, matches, messages, reports and moderation, and retention.
//!
//! The rules live in `baken_domain::market`; this module stores what they
//! allow. Two guarantees are kept *here*, because only the database can keep
//! them:
//! - **one place, one match**: accepting a match takes a place on its listing
//!   with one conditional `UPDATE … WHERE taken < places AND state = 'open'`,
//!   which PostgreSQL re-checks after a concurrent writer's commit and SQLite
//!   runs under its single write lock, so 100 simultaneous accepts on a
//!   one-place listing leave exactly one accepted match;
//! - **no read of a person's record without its entry**: the functions that
//!   return a participant's record — name, e-mail, phone, for a proxy the
//!   makelaar's notes of who they are — take the audit entry and append it in
//!   the caller's transaction ([`participant_record`], [`proxies_of`]).
//!   Listings show only a participant's public name
//!   ([`baken_domain::market::Participant::public_name`]).

use crate::settings::{self, Key, Scope};
use crate::{audit, exec, now, users, with_conn, StoreError, Tx};
use baken_domain::kaart::text::Matcher;
use baken_domain::market::{
    self, Area, CategoryName, Direction, DisplayName, Listing, ListingError, ListingState,
    MarketNorm, Match, MatchError, MatchState, ModerationAction, ModerationReason, Neighbours,
    PartOfDay, Participant, ParticipantError, ParticipantKind, PhoneNumber, RetentionPeriod, Side,
    ANONYMOUS_NAME,
};
use baken_domain::{AuditEntry, DistrictCode, EmailAddress};
use chrono::{DateTime, NaiveDate, Utc};

/// Setting: working days for the first reply to an urgent ask.
pub const SETTING_NORM_DAYS: Key = Key::new(Scope::Market, "spoed_werkdagen");
/// Setting: months messages and closed listings are kept.
pub const SETTING_RETENTION_MONTHS: Key = Key::new(Scope::Market, "bewaartermijn_maanden");

/// What can go wrong in the marketplace: a rule of the domain, or the store.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Listing(#[from] ListingError),
    #[error(transparent)]
    Match(#[from] MatchError),
    #[error(transparent)]
    Participant(#[from] ParticipantError),
    #[error("a participant cannot answer their own listing")]
    OwnListing,
    #[error(transparent)]
    Bridge(#[from] market::BridgeError),
}

impl From<sqlx::Error> for MarketError {
    fn from(e: sqlx::Error) -> Self {
        MarketError::Store(StoreError::from(e))
    }
}

type Result<T, E = MarketError> = std::result::Result<T, E>;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

// ---------------------------------------------------------------- settings

/// The norm for urgent asks (the default when none is set).
pub async fn norm(tx: &mut Tx) -> Result<MarketNorm, StoreError> {
    Ok(settings::get(tx, SETTING_NORM_DAYS)
        .await?
        .and_then(|v| v.parse().ok())
        .and_then(|n| MarketNorm::new(n).ok())
        .unwrap_or_default())
}

/// How long messages and closed listings are kept (the default when none is set).
pub async fn retention(tx: &mut Tx) -> Result<RetentionPeriod, StoreError> {
    Ok(settings::get(tx, SETTING_RETENTION_MONTHS)
        .await?
        .and_then(|v| v.parse().ok())
        .and_then(|n| RetentionPeriod::months(n).ok())
        .unwrap_or_default())
}

// -------------------------------------------------------------- categories

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub version: i64,
}

/// The categories, by name; only the active ones when `active_only`.
pub async fn categories(tx: &mut Tx, active_only: bool) -> Result<Vec<CategoryRow>, StoreError> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, name, active, version FROM mk_categories \
             WHERE active = TRUE OR $1 = FALSE ORDER BY name",
        )
        .bind(active_only)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

pub async fn add_category(tx: &mut Tx, name: &CategoryName) -> Result<i64, StoreError> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("INSERT INTO mk_categories (name) VALUES ($1) RETURNING id")
            .bind(name.as_str())
            .fetch_one(&mut *c)
            .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("category '{}'", name.as_str())))?;
    Ok(id)
}

/// Renames a category or switches it off (its listings keep it).
pub async fn update_category(
    tx: &mut Tx,
    id: i64,
    version: i64,
    name: &CategoryName,
    active: bool,
) -> Result<i64, StoreError> {
    let rows = exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_categories SET name = $1, active = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
        )
        .bind(name.as_str())
        .bind(active)
        .bind(id)
        .bind(version)
        .execute(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("category '{}'", name.as_str())))?;
    crate::versioned_update(tx, rows, version, format!("category {id}"), move |tx| {
        Box::pin(async move {
            let n: (i64,) = with_conn!(tx, |c| {
                sqlx::query_as("SELECT COUNT(*) FROM mk_categories WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *c)
                    .await
            })?;
            Ok(n.0 > 0)
        })
    })
    .await
}

// -------------------------------------------------------------- neighbours

/// Records that two districts border each other (both ways).
pub async fn add_neighbours(
    tx: &mut Tx,
    a: &DistrictCode,
    b: &DistrictCode,
) -> Result<(), StoreError> {
    for (x, y) in [(a, b), (b, a)] {
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO mk_neighbours (district_code, neighbour_code) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(x.as_str())
            .bind(y.as_str())
            .execute(&mut *c)
            .await
        })?;
    }
    Ok(())
}

pub async fn neighbours(tx: &mut Tx) -> Result<Neighbours, StoreError> {
    let rows: Vec<(String, String)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT district_code, neighbour_code FROM mk_neighbours")
            .fetch_all(&mut *c)
            .await
    })?;
    let codes: Vec<(DistrictCode, DistrictCode)> = rows
        .iter()
        .filter_map(|(a, b)| Some((DistrictCode::parse(a).ok()?, DistrictCode::parse(b).ok()?)))
        .collect();
    Ok(Neighbours::new(codes.iter().map(|(a, b)| (a, b))))
}

// ------------------------------------------------------------ participants

/// A participant's record as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ParticipantRow {
    pub id: i64,
    pub display_name: String,
    pub district_code: String,
    pub kind: String,
    pub user_id: Option<i64>,
    pub email: Option<String>,
    pub email_verified: bool,
    pub makelaar_user_id: Option<i64>,
    pub anonymous: bool,
    pub phone: Option<String>,
    pub blocked: bool,
    pub warnings: i64,
    pub created_at: DateTime<Utc>,
}

impl ParticipantRow {
    pub fn is_proxy(&self) -> bool {
        self.kind == "proxy"
    }

    /// The name other participants see.
    pub fn public_name(&self) -> &str {
        if self.is_proxy() && self.anonymous {
            ANONYMOUS_NAME
        } else {
            &self.display_name
        }
    }

    /// The domain's view, for its rules ([`Participant::may_act`]).
    pub fn to_domain(&self) -> Result<Participant, StoreError> {
        let display_name = DisplayName::parse(&self.display_name).map_err(corrupt)?;
        let district = DistrictCode::parse(&self.district_code).map_err(corrupt)?;
        let kind = match (self.kind.as_str(), self.makelaar_user_id) {
            ("proxy", Some(makelaar_user_id)) => ParticipantKind::Proxy {
                makelaar_user_id,
                anonymous: self.anonymous,
                phone: self
                    .phone
                    .as_deref()
                    .map(PhoneNumber::parse)
                    .transpose()
                    .map_err(corrupt)?,
            },
            ("account", _) => ParticipantKind::Account {
                email: EmailAddress::parse(self.email.as_deref().unwrap_or_default())
                    .map_err(corrupt)?,
                verified: self.email_verified,
            },
            (other, _) => return Err(corrupt(format!("participant kind '{other}'"))),
        };
        Ok(Participant {
            display_name,
            district,
            kind,
            blocked: self.blocked,
        })
    }
}

const PARTICIPANT_COLUMNS: &str = "id, display_name, district_code, kind, user_id, email, \
     email_verified, makelaar_user_id, anonymous, phone, blocked, warnings, created_at";

/// A resident who signed up: linked to their (not yet active) account.
pub async fn create_account_participant(
    tx: &mut Tx,
    user_id: i64,
    name: &DisplayName,
    district: &DistrictCode,
    email: &EmailAddress,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_participants (display_name, district_code, kind, user_id, email, created_at) \
             VALUES ($1, $2, 'account', $3, $4, $5) RETURNING id",
        )
        .bind(name.as_str())
        .bind(district.as_str())
        .bind(user_id)
        .bind(email.as_str())
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "a participant with this e-mail address"))?;
    Ok(id)
}

/// A resident signing up on the public page: an account (role vrijwilliger,
/// user name = the e-mail address) that stays inactive until the address is
/// verified ([`verify_email`]), and its participant. Returns the participant.
pub async fn sign_up(
    tx: &mut Tx,
    username: &baken_domain::Username,
    name: &DisplayName,
    district: &DistrictCode,
    email: &EmailAddress,
    password_hash: &str,
) -> Result<i64, StoreError> {
    let at = now();
    let (user_id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO users (username, display_name, role, password_hash, active, failed_logins, \
             version, created_at, updated_at) VALUES ($1, $2, 'vrijwilliger', $3, FALSE, 0, 1, $4, $4) RETURNING id",
        )
        .bind(username.as_str())
        .bind(name.as_str())
        .bind(password_hash)
        .bind(at)
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "an account with this e-mail address"))?;
    create_account_participant(tx, user_id, name, district, email).await
}

/// Someone without internet, registered by a makelaar.
pub async fn create_proxy(
    tx: &mut Tx,
    makelaar_user_id: i64,
    name: &DisplayName,
    district: &DistrictCode,
    anonymous: bool,
    phone: Option<&PhoneNumber>,
) -> Result<i64, StoreError> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_participants (display_name, district_code, kind, makelaar_user_id, \
             anonymous, phone, created_at) VALUES ($1, $2, 'proxy', $3, $4, $5, $6) RETURNING id",
        )
        .bind(name.as_str())
        .bind(district.as_str())
        .bind(makelaar_user_id)
        .bind(anonymous)
        .bind(phone.map(PhoneNumber::as_str))
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(id)
}

/// Makes a verification link's token for a participant (valid `hours`);
/// returns the token for the link. Only its hash is stored.
pub async fn create_verification(
    tx: &mut Tx,
    participant_id: i64,
    hours: i64,
) -> Result<String, StoreError> {
    let token = users::new_secret();
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO mk_verifications (token_hash, participant_id, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(users::secret_hash(&token))
        .bind(participant_id)
        .bind(now() + chrono::Duration::hours(hours))
        .execute(&mut *c)
        .await
    })?;
    Ok(token)
}

/// Uses a verification token once: marks the address verified and activates
/// the account. `None` for an unknown, used or expired token.
pub async fn verify_email(tx: &mut Tx, token: &str) -> Result<Option<i64>, StoreError> {
    let at = now();
    let row: Option<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as(
            "UPDATE mk_verifications SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING participant_id",
        )
        .bind(at)
        .bind(users::secret_hash(token))
        .fetch_optional(&mut *c)
        .await
    })?;
    let Some((participant_id,)) = row else {
        return Ok(None);
    };
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_participants SET email_verified = TRUE, version = version + 1 WHERE id = $1",
        )
        .bind(participant_id)
        .execute(&mut *c)
        .await
    })?;
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE users SET active = TRUE, version = version + 1, updated_at = $1 \
             WHERE id = (SELECT user_id FROM mk_participants WHERE id = $2)",
        )
        .bind(at)
        .bind(participant_id)
        .execute(&mut *c)
        .await
    })?;
    Ok(Some(participant_id))
}

/// The participant an account takes part as (its own record: no entry needed,
/// as with a resident reading their own household).
pub async fn participant_of_user(
    tx: &mut Tx,
    user_id: i64,
) -> Result<Option<ParticipantRow>, StoreError> {
    let sql = format!("SELECT {PARTICIPANT_COLUMNS} FROM mk_participants WHERE user_id = $1");
    let row = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row)
}

async fn participant_unaudited(tx: &mut Tx, id: i64) -> Result<Option<ParticipantRow>, StoreError> {
    let sql = format!("SELECT {PARTICIPANT_COLUMNS} FROM mk_participants WHERE id = $1");
    let row = with_conn!(tx, |c| {
        sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await
    })?;
    Ok(row)
}

/// The name other participants see (an anonymous proxy's is not their name),
/// so no audit entry: it is what a listing shows anyone.
pub async fn public_name(tx: &mut Tx, id: i64) -> Result<Option<String>, StoreError> {
    Ok(participant_unaudited(tx, id)
        .await?
        .map(|p| p.public_name().to_owned()))
}

/// A participant's whole record (name, e-mail, phone), with its audit entry
/// appended in the same transaction: `entry` as the caller would write it,
/// with object `market_participant`/id filled in here.
pub async fn participant_record(
    tx: &mut Tx,
    id: i64,
    entry: &AuditEntry,
) -> Result<Option<ParticipantRow>, StoreError> {
    let row = participant_unaudited(tx, id).await?;
    if row.is_some() {
        let mut entry = entry.clone();
        entry.object_type = Some("market_participant".into());
        entry.object_id = Some(id.to_string());
        audit::append(tx, &entry).await?;
    }
    Ok(row)
}

/// The proxy participants a makelaar registered (all makelaars work together,
/// so every proxy), with one audit entry naming them all.
pub async fn proxies_of(
    tx: &mut Tx,
    entry: &AuditEntry,
) -> Result<Vec<ParticipantRow>, StoreError> {
    let sql = format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM mk_participants WHERE kind = 'proxy' ORDER BY display_name, id"
    );
    let rows: Vec<ParticipantRow> =
        with_conn!(tx, |c| { sqlx::query_as(&sql).fetch_all(&mut *c).await })?;
    if !rows.is_empty() {
        let mut entry = entry.clone();
        entry.object_type = Some("market_participant".into());
        entry.object_id = Some(
            rows.iter()
                .map(|r| r.id.to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
        audit::append(tx, &entry).await?;
    }
    Ok(rows)
}

// ---------------------------------------------------------------- listings

/// A listing as pages show it: the participant only by public name.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ListingRow {
    pub id: i64,
    pub participant_id: i64,
    pub direction: String,
    pub category_id: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    pub district_code: Option<String>,
    pub district_name: Option<String>,
    pub recurrence: String,
    pub on_date: Option<NaiveDate>,
    pub part_of_day: String,
    pub urgent: bool,
    pub is_group: bool,
    pub places: i64,
    pub taken: i64,
    pub state: String,
    pub posted_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub first_reply_at: Option<DateTime<Utc>>,
    pub public_name: String,
    pub proxy: bool,
}

impl ListingRow {
    pub fn direction(&self) -> Direction {
        Direction::parse(&self.direction).unwrap_or(Direction::Ask)
    }
    pub fn state(&self) -> ListingState {
        ListingState::parse(&self.state).unwrap_or(ListingState::Closed)
    }
    pub fn area(&self) -> Area {
        self.district_code
            .as_deref()
            .and_then(|d| DistrictCode::parse(d).ok())
            .map_or(Area::WholeTown, Area::District)
    }
    /// The listing as suggestions see it.
    pub fn candidate(&self) -> market::Candidate {
        market::Candidate {
            id: self.id,
            participant_id: self.participant_id,
            direction: self.direction(),
            category: self.category.clone(),
            stems: market::Candidate::stems_of(&self.title, &self.body),
            area: self.area(),
            date: self.on_date,
            part_of_day: PartOfDay::parse(&self.part_of_day).unwrap_or(PartOfDay::Flexible),
        }
    }
}

const LISTING_SELECT: &str = "SELECT l.id, l.participant_id, l.direction, l.category_id, \
     k.name AS category, l.title, l.body, l.district_code, d.name AS district_name, l.recurrence, \
     l.on_date, l.part_of_day, l.urgent, l.is_group, l.places, l.taken, l.state, l.posted_on, \
     l.created_at, l.first_reply_at, \
     CASE WHEN p.kind = 'proxy' AND p.anonymous THEN 'Buurtbewoner (anoniem)' ELSE p.display_name END AS public_name, \
     (p.kind = 'proxy') AS proxy \
     FROM mk_listings l JOIN mk_categories k ON k.id = l.category_id \
     JOIN mk_participants p ON p.id = l.participant_id \
     LEFT JOIN districts d ON d.code = l.district_code";

/// Posts a listing for a participant who may act ([`Participant::may_act`]).
pub async fn create_listing(
    tx: &mut Tx,
    participant_id: i64,
    category_id: i64,
    listing: &Listing,
    posted_by_user_id: i64,
    today: NaiveDate,
) -> Result<i64> {
    let who = participant_unaudited(tx, participant_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("participant {participant_id}")))?;
    who.to_domain()?.may_act()?;
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_listings (participant_id, direction, category_id, title, body, \
             district_code, recurrence, on_date, part_of_day, urgent, places, is_group, \
             posted_by_user_id, posted_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(participant_id)
        .bind(listing.direction().as_str())
        .bind(category_id)
        .bind(listing.title().as_str())
        .bind(listing.text().as_str())
        .bind(listing.area().district().map(DistrictCode::as_str))
        .bind(listing.recurrence().as_str())
        .bind(listing.date())
        .bind(listing.part_of_day().as_str())
        .bind(listing.urgent())
        .bind(i64::from(listing.places()))
        .bind(listing.group().is_some())
        .bind(posted_by_user_id)
        .bind(today)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })?;
    index_listings(
        tx,
        &[IndexedText {
            id,
            direction: listing.direction(),
            title: listing.title().as_str(),
            text: listing.text().as_str(),
            participant_id,
            category_id,
            district_code: listing.area().district().map(DistrictCode::as_str),
            on_date: listing.date(),
            part_of_day: listing.part_of_day(),
        }],
    )
    .await?;
    Ok(id)
}

pub async fn listing(tx: &mut Tx, id: i64) -> Result<Option<ListingRow>, StoreError> {
    let sql = format!("{LISTING_SELECT} WHERE l.id = $1");
    let row = with_conn!(tx, |c| {
        sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await
    })?;
    Ok(row)
}

/// What a search narrows to; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    pub direction: Option<Direction>,
    pub category_id: Option<i64>,
    /// A district: its own listings and the whole town's.
    pub district: Option<DistrictCode>,
    pub urgent_only: bool,
    /// Only this participant's listings (any state but hidden).
    pub participant_id: Option<i64>,
    pub limit: i64,
}

/// Open listings (or a participant's own), newest first.
pub async fn search(tx: &mut Tx, f: &ListingFilter) -> Result<Vec<ListingRow>, StoreError> {
    let sql = format!(
        "{LISTING_SELECT} WHERE \
         (($6 IS NULL AND l.state = 'open') OR l.participant_id = $6) \
         AND ($1 IS NULL OR l.direction = $1) \
         AND ($2 IS NULL OR l.category_id = $2) \
         AND ($3 IS NULL OR l.district_code = $3 OR l.district_code IS NULL) \
         AND ($4 = FALSE OR l.urgent = TRUE) \
         AND l.state <> 'verborgen' AND p.blocked = FALSE \
         ORDER BY l.id DESC LIMIT $5"
    );
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(f.direction.map(Direction::as_str))
            .bind(f.category_id)
            .bind(f.district.as_ref().map(DistrictCode::as_str))
            .bind(f.urgent_only)
            .bind(if f.limit > 0 { f.limit } else { 200 })
            .bind(f.participant_id)
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// Every open listing of one direction, for suggestions.
pub async fn open_listings(
    tx: &mut Tx,
    direction: Direction,
) -> Result<Vec<ListingRow>, StoreError> {
    let sql = format!(
        "{LISTING_SELECT} WHERE l.state = 'open' AND l.direction = $1 AND p.blocked = FALSE ORDER BY l.id"
    );
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(direction.as_str())
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// The suggestions for a listing: the open listings of the other direction
/// that fit, best first, each with its reasons.
///
/// The database finds and ranks the candidates — the open listings of the
/// other direction in the same category or sharing a word (the term index,
/// [`index_listings`]) — with the weights of [`market::weights`], and only the
/// best `limit` are read and given their reasons by [`market::fit`], the same
/// rule that decides what fits. The order is that of [`market::suggest`] over
/// every open listing (score, then newest first).
pub async fn suggestions(
    tx: &mut Tx,
    listing: &ListingRow,
    limit: usize,
) -> Result<Vec<(ListingRow, market::Fit)>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let query = format!("{} {}", listing.title, listing.body);
    let matcher = Matcher::new(&query);
    let hits = term_hits(tx, &matcher).await?;
    let ids = ranked_candidates(tx, listing, &hits, limit).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = listings_by_id(tx, &ids).await?;
    let neighbours = neighbours(tx).await?;
    let me = listing.candidate();
    let mut out: Vec<(ListingRow, market::Fit)> = rows
        .into_iter()
        .filter_map(|row| {
            let fit = market::fit(&me, &matcher, &row.candidate(), &neighbours)?;
            Some((row, fit))
        })
        .collect();
    out.sort_by(|a, b| b.1.score.cmp(&a.1.score).then(b.0.id.cmp(&a.0.id)));
    out.truncate(limit);
    Ok(out)
}

/// The listings with these ids (any order).
async fn listings_by_id(tx: &mut Tx, ids: &[i64]) -> Result<Vec<ListingRow>, StoreError> {
    let list = id_list(ids);
    let sql = format!("{LISTING_SELECT} WHERE l.id IN ({list})");
    let rows = with_conn!(tx, |c| { sqlx::query_as(&sql).fetch_all(&mut *c).await })?;
    Ok(rows)
}

/// Numbers for an `IN (…)` list: integers from the database, never input.
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The vocabulary's terms the query matches: (term id, query term position).
async fn term_hits(tx: &mut Tx, matcher: &Matcher) -> Result<Vec<(i64, usize)>, StoreError> {
    if matcher.is_empty() {
        return Ok(Vec::new());
    }
    let lookups = matcher.lookups();
    let mut parts: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let param = |v: String, binds: &mut Vec<String>| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if !lookups.exact.is_empty() {
        let list: Vec<String> = lookups
            .exact
            .iter()
            .map(|k| param(k.clone(), &mut binds))
            .collect();
        parts.push(format!(
            "SELECT id, term FROM mk_terms WHERE term IN ({})",
            list.join(", ")
        ));
    }
    for (column, keys) in [("term", &lookups.prefixes), ("rterm", &lookups.suffixes)] {
        for k in keys {
            let from = if column == "term" {
                k.clone()
            } else {
                k.chars().rev().collect()
            };
            let to = format!("{from}{}", char::MAX);
            let a = param(from, &mut binds);
            let b = param(to, &mut binds);
            parts.push(format!(
                "SELECT id, term FROM mk_terms WHERE {column} >= {a} AND {column} < {b}"
            ));
        }
    }
    let sql = parts.join(" UNION ");
    let vocabulary: Vec<(i64, String)> = with_conn!(tx, |c| {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        q.fetch_all(&mut *c).await
    })?;
    Ok(vocabulary
        .iter()
        .flat_map(|(id, term)| {
            matcher
                .terms_matched_by(term)
                .into_iter()
                .map(move |i| (*id, i))
        })
        .collect())
}

/// The ids of the `limit` best candidates for `listing`, best first: open
/// listings of the other direction, of someone else who is not blocked, in the
/// same category or sharing a word (`hits`: term id, query term position),
/// scored in SQL with [`market::weights`] as [`market::fit`] scores them.
async fn ranked_candidates(
    tx: &mut Tx,
    listing: &ListingRow,
    hits: &[(i64, usize)],
    limit: usize,
) -> Result<Vec<i64>, StoreError> {
    use market::weights as w;
    #[derive(Clone)]
    enum Bind {
        Text(String),
        Int(i64),
        Date(NaiveDate),
    }
    let mut binds: Vec<Bind> = Vec::new();
    let mut param = |v: Bind| {
        binds.push(v);
        format!("${}", binds.len())
    };
    let other = param(Bind::Text(
        listing.direction().opposite().as_str().to_owned(),
    ));
    let category = param(Bind::Int(listing.category_id));
    let me = param(Bind::Int(listing.participant_id));
    let area = match listing.area() {
        Area::District(d) => {
            let d = param(Bind::Text(d.as_str().to_owned()));
            format!(
                "CASE WHEN l.district_code IS NULL THEN {whole} WHEN l.district_code = {d} THEN {same} \
                 WHEN l.district_code IN (SELECT neighbour_code FROM mk_neighbours \
                 WHERE district_code = {d}) THEN {next} ELSE 0 END",
                whole = w::WHOLE_TOWN,
                same = w::SAME_DISTRICT,
                next = w::NEIGHBOURING_DISTRICT,
            )
        }
        Area::WholeTown => w::WHOLE_TOWN.to_string(),
    };
    let day = match listing.on_date {
        Some(date) => format!(
            "CASE WHEN l.on_date = {} THEN {} ELSE 0 END",
            param(Bind::Date(date)),
            w::SAME_DAY
        ),
        None => "0".to_owned(),
    };
    let part = PartOfDay::parse(&listing.part_of_day).unwrap_or(PartOfDay::Flexible);
    let part_sql_used = part != PartOfDay::Flexible;
    let part = if part == PartOfDay::Flexible {
        "0".to_owned()
    } else {
        format!(
            "CASE WHEN l.part_of_day = {} THEN {} ELSE 0 END",
            param(Bind::Text(part.as_str().to_owned())),
            w::SAME_PART_OF_DAY
        )
    };
    const COLUMNS: &str = "category_id, district_code, on_date, part_of_day";
    let by_category = format!(
        "SELECT id, 0 AS n, {COLUMNS} FROM mk_listings \
         WHERE direction = {other} AND category_id = {category} AND state = 'open' \
         AND participant_id <> {me}"
    );
    // Term ids and positions are numbers from the database and the analysis.
    let values: Vec<String> = hits.iter().map(|(t, i)| format!("({t}, {i})")).collect();
    let candidates = |same_category_only: bool| {
        if hits.is_empty() {
            return format!("best AS ({by_category})");
        }
        let narrow = if same_category_only {
            format!("AND t.category_id = {category}")
        } else {
            String::new()
        };
        format!(
            "q(term_id, idx) AS (VALUES {values}), \
             hits AS (SELECT t.listing_id AS id, COUNT(DISTINCT q.idx) AS n, \
                      MAX(t.category_id) AS category_id, MAX(t.district_code) AS district_code, \
                      MAX(t.on_date) AS on_date, MAX(t.part_of_day) AS part_of_day \
                      FROM mk_listing_terms t JOIN q ON q.term_id = t.term_id \
                      WHERE t.direction = {other} {narrow} AND t.participant_id <> {me} \
                      GROUP BY t.listing_id), \
             cands AS (SELECT id, n, {COLUMNS} FROM hits UNION ALL {by_category}), \
             best AS (SELECT id, MAX(n) AS n, MAX(category_id) AS category_id, \
                      MAX(district_code) AS district_code, MAX(on_date) AS on_date, \
                      MAX(part_of_day) AS part_of_day FROM cands GROUP BY id)",
            values = values.join(", ")
        )
    };
    // The most a listing of another category can score for this one: all
    // words, and the best place and time there are.
    let other_category_max = i64::from(
        w::WORD * w::MAX_WORDS
            + match listing.area() {
                Area::District(_) => w::SAME_DISTRICT,
                Area::WholeTown => w::WHOLE_TOWN,
            }
            + if listing.on_date.is_some() {
                w::SAME_DAY
            } else {
                0
            }
            + if part_sql_used {
                w::SAME_PART_OF_DAY
            } else {
                0
            },
    );
    // First the same category only (its listings' words are a narrow range of
    // the term index): when its `limit`-th best scores more than any listing of
    // another category could, no other listing can come before it.
    for same_category_only in [true, false] {
        if same_category_only && hits.is_empty() {
            continue;
        }
        let candidates = candidates(same_category_only);
        // The index knows neither whether a listing is still open nor whether
        // its participant was blocked: the best `enough` are ranked from the
        // index and then checked, and if too few pass, more are ranked.
        let mut enough = (limit * 4).max(40);
        loop {
            let sql = format!(
                "WITH {candidates}, \
                 ranked AS (SELECT l.id, \
                       (CASE WHEN l.category_id = {category} THEN {cat} ELSE 0 END) \
                       + {word} * (CASE WHEN l.n > {max} THEN {max} ELSE l.n END) \
                       + ({area}) + ({day}) + ({part}) AS score \
                     FROM best l ORDER BY score DESC, l.id DESC LIMIT {enough}) \
                 SELECT r.id, r.score, (m.state = 'open' AND m.participant_id NOT IN \
                       (SELECT id FROM mk_participants WHERE blocked = TRUE)) AS ok \
                 FROM ranked r JOIN mk_listings m ON m.id = r.id \
                 ORDER BY r.score DESC, r.id DESC",
                cat = w::CATEGORY,
                word = w::WORD,
                max = w::MAX_WORDS,
            );
            let ranked: Vec<(i64, i64, bool)> = with_conn!(tx, |c| {
                let mut q = sqlx::query_as(&sql);
                for b in &binds {
                    q = match b {
                        Bind::Text(t) => q.bind(t.as_str()),
                        Bind::Int(i) => q.bind(*i),
                        Bind::Date(d) => q.bind(*d),
                    };
                }
                q.fetch_all(&mut *c).await
            })?;
            let ok: Vec<(i64, i64)> = ranked
                .iter()
                .filter(|(_, _, ok)| *ok)
                .map(|(id, score, _)| (*id, *score))
                .take(limit)
                .collect();
            if ok.len() == limit || ranked.len() < enough {
                let settled = !same_category_only
                    || (ok.len() == limit && ok[limit - 1].1 > other_category_max);
                if settled {
                    return Ok(ok.into_iter().map(|(id, _)| id).collect());
                }
                break;
            }
            enough = enough.saturating_mul(8);
        }
    }
    Ok(Vec::new())
}

// -------------------------------------------------------------- term index

/// The version of the text analysis the term index was made with. Raise it
/// when `baken_domain::kaart::text` changes the keys a text gives: after
/// migrating, the store re-indexes every listing made with an older one
/// ([`index_pending`]).
pub const TERMS_VERSION: i64 = 1;

/// A listing's text, to index, and what ranking reads of it.
#[derive(Debug, Clone)]
pub struct IndexedText<'a> {
    pub id: i64,
    pub direction: Direction,
    pub title: &'a str,
    pub text: &'a str,
    pub participant_id: i64,
    pub category_id: i64,
    pub district_code: Option<&'a str>,
    pub on_date: Option<NaiveDate>,
    pub part_of_day: PartOfDay,
}

/// Writes the term index of these listings (replacing what they had): each
/// key of [`market::Candidate::index_keys`] once in the vocabulary, and a row
/// per listing and key. Statements carry many rows each, so indexing many
/// listings at once ([`index_pending`]) is cheap.
pub async fn index_listings(tx: &mut Tx, listings: &[IndexedText<'_>]) -> Result<(), StoreError> {
    if listings.is_empty() {
        return Ok(());
    }
    let keyed: Vec<(&IndexedText, Vec<String>)> = listings
        .iter()
        .map(|l| (l, market::Candidate::index_keys(l.title, l.text)))
        .collect();
    let mut vocabulary: Vec<&str> = keyed
        .iter()
        .flat_map(|(_, keys)| keys.iter().map(String::as_str))
        .collect();
    vocabulary.sort_unstable();
    vocabulary.dedup();
    let mut term_ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for chunk in vocabulary.chunks(400) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect();
        let insert = format!(
            "INSERT INTO mk_terms (term, rterm) VALUES {} ON CONFLICT (term) DO NOTHING",
            values.join(", ")
        );
        let reversed: Vec<String> = chunk.iter().map(|k| k.chars().rev().collect()).collect();
        exec!(tx, |c| {
            let mut q = sqlx::query(&insert);
            for (k, r) in chunk.iter().zip(&reversed) {
                q = q.bind(*k).bind(r.as_str());
            }
            q.execute(&mut *c).await
        })?;
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let select = format!(
            "SELECT id, term FROM mk_terms WHERE term IN ({})",
            list.join(", ")
        );
        let found: Vec<(i64, String)> = with_conn!(tx, |c| {
            let mut q = sqlx::query_as(&select);
            for k in chunk {
                q = q.bind(*k);
            }
            q.fetch_all(&mut *c).await
        })?;
        term_ids.extend(found.into_iter().map(|(id, term)| (term, id)));
    }
    let ids: Vec<i64> = listings.iter().map(|l| l.id).collect();
    for chunk in ids.chunks(1000) {
        let delete = format!(
            "DELETE FROM mk_listing_terms WHERE listing_id IN ({})",
            id_list(chunk)
        );
        exec!(tx, |c| { sqlx::query(&delete).execute(&mut *c).await })?;
    }
    let rows: Vec<(i64, &IndexedText)> = keyed
        .iter()
        .flat_map(|(l, keys)| {
            keys.iter()
                .filter_map(|k| term_ids.get(k))
                .map(move |t| (*t, *l))
        })
        .collect();
    for chunk in rows.chunks(1000) {
        // Numbers from the database and fixed codes are written out; the
        // district and the date are bound.
        let values: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, (t, l))| {
                format!(
                    "({t}, '{}', {}, {}, {}, ${}, ${}, '{}')",
                    l.direction.as_str(),
                    l.id,
                    l.participant_id,
                    l.category_id,
                    2 * i + 1,
                    2 * i + 2,
                    l.part_of_day.as_str()
                )
            })
            .collect();
        let insert = format!(
            "INSERT INTO mk_listing_terms (term_id, direction, listing_id, participant_id, \
             category_id, district_code, on_date, part_of_day) VALUES {}",
            values.join(", ")
        );
        exec!(tx, |c| {
            let mut q = sqlx::query(&insert);
            for (_, l) in chunk {
                q = q.bind(l.district_code).bind(l.on_date);
            }
            q.execute(&mut *c).await
        })?;
    }
    for chunk in ids.chunks(1000) {
        let update = format!(
            "UPDATE mk_listings SET terms_version = {TERMS_VERSION} WHERE id IN ({})",
            id_list(chunk)
        );
        exec!(tx, |c| { sqlx::query(&update).execute(&mut *c).await })?;
    }
    Ok(())
}

/// Indexes up to `batch` listings whose terms are missing or were made with
/// an older analysis ([`TERMS_VERSION`]); returns how many it indexed (0:
/// all are up to date).
pub async fn index_pending(tx: &mut Tx, batch: i64) -> Result<usize, StoreError> {
    type Pending = (
        i64,
        String,
        String,
        String,
        i64,
        i64,
        Option<String>,
        Option<NaiveDate>,
        String,
    );
    let rows: Vec<Pending> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, direction, title, body, participant_id, category_id, district_code, \
             on_date, part_of_day FROM mk_listings WHERE terms_version < $1 ORDER BY id LIMIT $2",
        )
        .bind(TERMS_VERSION)
        .bind(batch)
        .fetch_all(&mut *c)
        .await
    })?;
    let texts: Vec<IndexedText> = rows
        .iter()
        .map(
            |(id, direction, title, text, who, category, district, date, part)| {
                Ok(IndexedText {
                    id: *id,
                    direction: Direction::parse(direction)
                        .map_err(|_| corrupt(format!("listing {id} has direction {direction}")))?,
                    title,
                    text,
                    participant_id: *who,
                    category_id: *category,
                    district_code: district.as_deref(),
                    on_date: *date,
                    part_of_day: PartOfDay::parse(part)
                        .map_err(|_| corrupt(format!("listing {id} has part of day {part}")))?,
                })
            },
        )
        .collect::<Result<_, StoreError>>()?;
    index_listings(tx, &texts).await?;
    Ok(texts.len())
}

/// Closes a listing (by its participant or a makelaar); its open proposals close too.
pub async fn close_listing(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    let at = now();
    let rows = exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_listings SET state = 'gesloten', closed_at = $1, version = version + 1 \
             WHERE id = $2 AND state IN ('open', 'vol')",
        )
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await
    })?;
    if rows == 0 {
        return Err(StoreError::NotFound(format!("open listing {id}")));
    }
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_matches SET state = 'afgesloten', updated_at = $1 \
             WHERE listing_id = $2 AND state = 'voorgesteld'",
        )
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// Records the first reply to a listing (once).
async fn mark_first_reply(tx: &mut Tx, listing_id: i64) -> Result<(), StoreError> {
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_listings SET first_reply_at = $1 WHERE id = $2 AND first_reply_at IS NULL",
        )
        .bind(now())
        .bind(listing_id)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// Open urgent asks, oldest first, for the makelaar's queue; the caller
/// orders them by the norm ([`MarketNorm::priority`]) in local dates.
pub async fn urgent_asks(tx: &mut Tx) -> Result<Vec<ListingRow>, StoreError> {
    let sql = format!(
        "{LISTING_SELECT} WHERE l.urgent = TRUE AND l.direction = 'vraag' \
         AND l.state IN ('open', 'vol') ORDER BY l.id"
    );
    let rows = with_conn!(tx, |c| { sqlx::query_as(&sql).fetch_all(&mut *c).await })?;
    Ok(rows)
}

// ----------------------------------------------------------------- matches

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MatchRow {
    pub id: i64,
    pub listing_id: i64,
    pub responder_id: i64,
    pub via_listing_id: Option<i64>,
    pub state: String,
    pub proposed_by: String,
    pub ask_agrees: bool,
    pub offer_agrees: bool,
    pub made_by_user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    /// The listing's participant.
    pub owner_id: i64,
    pub direction: String,
}

impl MatchRow {
    pub fn to_domain(&self) -> Result<Match, StoreError> {
        let state = MatchState::parse(&self.state).ok_or_else(|| corrupt(&self.state))?;
        let by = Side::parse(&self.proposed_by).ok_or_else(|| corrupt(&self.proposed_by))?;
        Match::from_parts(state, by, self.ask_agrees, self.offer_agrees).map_err(corrupt)
    }

    /// Which side a participant is on in this match, if either.
    pub fn side_of(&self, participant_id: i64) -> Option<Side> {
        let owner_side = if self.direction == Direction::Ask.as_str() {
            Side::Ask
        } else {
            Side::Offer
        };
        if participant_id == self.owner_id {
            Some(owner_side)
        } else if participant_id == self.responder_id {
            Some(owner_side.other())
        } else {
            None
        }
    }

    /// The participant on a side.
    pub fn participant_on(&self, side: Side) -> i64 {
        let owner_side = if self.direction == Direction::Ask.as_str() {
            Side::Ask
        } else {
            Side::Offer
        };
        if side == owner_side {
            self.owner_id
        } else {
            self.responder_id
        }
    }
}

const MATCH_SELECT: &str = "SELECT m.id, m.listing_id, m.responder_id, m.via_listing_id, m.state, \
     m.proposed_by, m.ask_agrees, m.offer_agrees, m.made_by_user_id, m.created_at, \
     l.participant_id AS owner_id, l.direction \
     FROM mk_matches m JOIN mk_listings l ON l.id = m.listing_id";

pub async fn match_row(tx: &mut Tx, id: i64) -> Result<Option<MatchRow>, StoreError> {
    let sql = format!("{MATCH_SELECT} WHERE m.id = $1");
    let row = with_conn!(tx, |c| {
        sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await
    })?;
    Ok(row)
}

/// The matches a participant is in (either side), newest first.
pub async fn matches_of(tx: &mut Tx, participant_id: i64) -> Result<Vec<MatchRow>, StoreError> {
    let sql = format!(
        "{MATCH_SELECT} WHERE m.responder_id = $1 OR l.participant_id = $1 ORDER BY m.id DESC"
    );
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(participant_id)
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// The matches on a listing.
pub async fn matches_on(tx: &mut Tx, listing_id: i64) -> Result<Vec<MatchRow>, StoreError> {
    let sql = format!("{MATCH_SELECT} WHERE m.listing_id = $1 ORDER BY m.id");
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(listing_id)
            .fetch_all(&mut *c)
            .await
    })?;
    Ok(rows)
}

/// Who proposes a match: one side, and the makelaar if they acted for it.
#[derive(Debug, Clone, Copy)]
pub struct Proposal {
    pub listing_id: i64,
    pub responder_id: i64,
    /// The responder's own listing, when they came from a suggestion.
    pub via_listing_id: Option<i64>,
    pub proposed_by: Side,
    pub made_by_user_id: Option<i64>,
}

/// Proposes a match on an open listing. The responder must be someone else
/// who may act; a second proposal between the same two is a duplicate.
pub async fn propose(tx: &mut Tx, p: &Proposal) -> Result<i64> {
    let listing = listing(tx, p.listing_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("listing {}", p.listing_id)))?;
    if listing.participant_id == p.responder_id {
        return Err(MarketError::OwnListing);
    }
    let places = u16::try_from(listing.places).unwrap_or(u16::MAX);
    let taken = u16::try_from(listing.taken).unwrap_or(u16::MAX);
    market::may_take_another(listing.state(), taken, places)?;
    let responder = participant_unaudited(tx, p.responder_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("participant {}", p.responder_id)))?;
    responder.to_domain()?.may_act()?;
    let owner = participant_unaudited(tx, listing.participant_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("participant {}", listing.participant_id)))?;
    owner.to_domain()?.may_act()?;
    let m = Match::propose(p.proposed_by);
    let at = now();
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_matches (listing_id, responder_id, via_listing_id, state, proposed_by, \
             made_by_user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(p.listing_id)
        .bind(p.responder_id)
        .bind(p.via_listing_id)
        .bind(m.state().as_str())
        .bind(p.proposed_by.as_str())
        .bind(p.made_by_user_id)
        .bind(at)
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "a match between these two"))?;
    // A proposal from the side that did not post the listing is its first reply.
    let owner_side = if listing.direction() == Direction::Ask {
        Side::Ask
    } else {
        Side::Offer
    };
    if p.proposed_by != owner_side {
        mark_first_reply(tx, p.listing_id).await?;
    }
    Ok(id)
}

async fn save_match(tx: &mut Tx, row: &MatchRow, m: &Match) -> Result<(), StoreError> {
    let rows = exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_matches SET state = $1, ask_agrees = $2, offer_agrees = $3, updated_at = $4 \
             WHERE id = $5 AND state = $6 AND ask_agrees = $7 AND offer_agrees = $8",
        )
        .bind(m.state().as_str())
        .bind(m.agrees(Side::Ask))
        .bind(m.agrees(Side::Offer))
        .bind(now())
        .bind(row.id)
        .bind(&row.state)
        .bind(row.ask_agrees)
        .bind(row.offer_agrees)
        .execute(&mut *c)
        .await
    })?;
    if rows == 0 {
        return Err(StoreError::Conflict {
            what: format!("match {}", row.id),
            expected: 0,
        });
    }
    Ok(())
}

fn found(row: Option<MatchRow>, id: i64) -> Result<MatchRow, StoreError> {
    row.ok_or_else(|| StoreError::NotFound(format!("match {id}")))
}

/// The other side accepts a proposal. Takes a place on the listing with one
/// conditional update, so under any number of simultaneous accepts a listing
/// never holds more accepted matches than places: the losers get
/// [`ListingError::Full`] and change nothing.
pub async fn accept(tx: &mut Tx, match_id: i64, by: Side) -> Result<()> {
    let row = found(match_row(tx, match_id).await?, match_id)?;
    let mut m = row.to_domain()?;
    m.accept(by)?;
    // The place first: on PostgreSQL this row lock orders concurrent accepts.
    let taken = exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_listings SET taken = taken + 1, \
             state = CASE WHEN taken + 1 >= places THEN 'vol' ELSE 'open' END, \
             version = version + 1 \
             WHERE id = $1 AND state = 'open' AND taken < places",
        )
        .bind(row.listing_id)
        .execute(&mut *c)
        .await
    })?;
    if taken == 0 {
        let now_listing = listing(tx, row.listing_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("listing {}", row.listing_id)))?;
        let places = u16::try_from(now_listing.places).unwrap_or(u16::MAX);
        let taken = u16::try_from(now_listing.taken).unwrap_or(u16::MAX);
        market::may_take_another(now_listing.state(), taken, places)?;
        return Err(ListingError::Full.into());
    }
    // Re-read under the lock: a concurrent close or decline wins.
    let row = found(match_row(tx, match_id).await?, match_id)?;
    let mut m2 = row.to_domain()?;
    m2.accept(by)?;
    debug_assert_eq!(m.state(), m2.state());
    save_match(tx, &row, &m2).await?;
    exec!(tx, |c| {
        sqlx::query("UPDATE mk_matches SET accepted_at = $1 WHERE id = $2")
            .bind(now())
            .bind(match_id)
            .execute(&mut *c)
            .await
    })?;
    mark_first_reply(tx, row.listing_id).await?;
    Ok(())
}

/// The other side declines a proposal.
pub async fn decline(tx: &mut Tx, match_id: i64, by: Side) -> Result<()> {
    let row = found(match_row(tx, match_id).await?, match_id)?;
    let mut m = row.to_domain()?;
    m.decline(by)?;
    save_match(tx, &row, &m).await?;
    Ok(())
}

/// One side agrees to share contact details; returns whether they are now shared.
pub async fn agree_to_share(tx: &mut Tx, match_id: i64, side: Side) -> Result<bool> {
    let row = found(match_row(tx, match_id).await?, match_id)?;
    let mut m = row.to_domain()?;
    m.agree_to_share(side)?;
    save_match(tx, &row, &m).await?;
    Ok(m.contact_visible())
}

/// Closes a match; an accepted one gives its place back to an open listing
/// only if the listing is still open or full (a closed listing stays closed).
pub async fn close_match(tx: &mut Tx, match_id: i64) -> Result<()> {
    let row = found(match_row(tx, match_id).await?, match_id)?;
    let mut m = row.to_domain()?;
    m.close()?;
    save_match(tx, &row, &m).await?;
    Ok(())
}

/// The contact details one side may see of the other: `None` unless both
/// agreed to share. A proxy's are the makelaar's to pass on, so none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The other side's contact details, if the match allows it, with the audit
/// entry for reading them.
pub async fn contact_of_other(
    tx: &mut Tx,
    match_id: i64,
    viewer_participant_id: i64,
    entry: &AuditEntry,
) -> Result<Option<Contact>> {
    let row = found(match_row(tx, match_id).await?, match_id)?;
    let Some(side) = row.side_of(viewer_participant_id) else {
        return Ok(None);
    };
    if !row.to_domain()?.contact_visible() {
        return Ok(None);
    }
    let other = row.participant_on(side.other());
    let Some(p) = participant_record(tx, other, entry).await? else {
        return Ok(None);
    };
    if p.is_proxy() {
        return Ok(Some(Contact {
            email: None,
            phone: None,
        }));
    }
    Ok(Some(Contact {
        email: p.email,
        phone: p.phone,
    }))
}

// ---------------------------------------------------------------- messages

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MessageRow {
    pub id: i64,
    pub match_id: i64,
    pub from_participant_id: i64,
    pub body: String,
    pub hidden: bool,
    pub sent_at: DateTime<Utc>,
}

/// A message in a match, from one of its two sides, while it may still have them.
pub async fn send_message(
    tx: &mut Tx,
    match_id: i64,
    from_participant_id: i64,
    body: &str,
) -> Result<i64> {
    let row = found(match_row(tx, match_id).await?, match_id)?;
    if row.side_of(from_participant_id).is_none() {
        return Err(StoreError::NotFound(format!("match {match_id}")).into());
    }
    if !row.to_domain()?.may_message() {
        return Err(MatchError::WrongState(MatchState::Closed.as_str()).into());
    }
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_messages (match_id, from_participant_id, body, sent_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(match_id)
        .bind(from_participant_id)
        .bind(body)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })?;
    if from_participant_id != row.owner_id {
        mark_first_reply(tx, row.listing_id).await?;
    }
    Ok(id)
}

pub async fn messages(tx: &mut Tx, match_id: i64) -> Result<Vec<MessageRow>, StoreError> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, match_id, from_participant_id, body, hidden, sent_at FROM mk_messages \
             WHERE match_id = $1 AND hidden = FALSE ORDER BY sent_at, id",
        )
        .bind(match_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

// --------------------------------------------------------------- moderation

/// What is reported: a listing or a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Listing(i64),
    Message(i64),
}

pub async fn report(
    tx: &mut Tx,
    what: Reported,
    reporter_id: Option<i64>,
    reason: &ModerationReason,
) -> Result<i64, StoreError> {
    let (listing_id, message_id) = match what {
        Reported::Listing(id) => (Some(id), None),
        Reported::Message(id) => (None, Some(id)),
    };
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_reports (listing_id, message_id, reporter_id, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(listing_id)
        .bind(message_id)
        .bind(reporter_id)
        .bind(reason.as_str())
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub listing_id: Option<i64>,
    pub message_id: Option<i64>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    pub action: Option<String>,
    pub action_reason: Option<String>,
    /// The reported listing's title or the message's text.
    pub subject: String,
    /// The participant who wrote it.
    pub author_id: i64,
}

/// Reports not yet decided, oldest first.
pub async fn open_reports(tx: &mut Tx) -> Result<Vec<ReportRow>, StoreError> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT r.id, r.listing_id, r.message_id, r.reason, r.created_at, r.action, r.action_reason, \
             COALESCE(l.title, m.body) AS subject, COALESCE(l.participant_id, m.from_participant_id) AS author_id \
             FROM mk_reports r LEFT JOIN mk_listings l ON l.id = r.listing_id \
             LEFT JOIN mk_messages m ON m.id = r.message_id \
             WHERE r.action IS NULL ORDER BY r.created_at, r.id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

/// A makelaar decides a report: hide the listing or message, warn or block
/// its author, or dismiss the report; the reason is kept with the report.
pub async fn decide_report(
    tx: &mut Tx,
    report_id: i64,
    action: ModerationAction,
    reason: &ModerationReason,
    by_user_id: i64,
) -> Result<ReportRow, StoreError> {
    let report = open_reports(tx)
        .await?
        .into_iter()
        .find(|r| r.id == report_id)
        .ok_or_else(|| StoreError::NotFound(format!("open report {report_id}")))?;
    if action.hides() {
        match (report.listing_id, report.message_id) {
            (Some(l), _) => {
                exec!(tx, |c| {
                    sqlx::query(
                        "UPDATE mk_listings SET state = 'verborgen', version = version + 1 WHERE id = $1",
                    )
                    .bind(l)
                    .execute(&mut *c)
                    .await
                })?;
            }
            (_, Some(m)) => {
                exec!(tx, |c| {
                    sqlx::query("UPDATE mk_messages SET hidden = TRUE WHERE id = $1")
                        .bind(m)
                        .execute(&mut *c)
                        .await
                })?;
            }
            _ => {}
        }
    }
    match action {
        ModerationAction::Warn => {
            exec!(tx, |c| {
                sqlx::query("UPDATE mk_participants SET warnings = warnings + 1, version = version + 1 WHERE id = $1")
                    .bind(report.author_id)
                    .execute(&mut *c)
                    .await
            })?;
        }
        ModerationAction::Block => {
            exec!(tx, |c| {
                sqlx::query("UPDATE mk_participants SET blocked = TRUE, version = version + 1 WHERE id = $1")
                    .bind(report.author_id)
                    .execute(&mut *c)
                    .await
            })?;
        }
        ModerationAction::Hide | ModerationAction::Dismiss => {}
    }
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE mk_reports SET action = $1, action_reason = $2, decided_by_user_id = $3, decided_at = $4 \
             WHERE id = $5",
        )
        .bind(action.as_str())
        .bind(reason.as_str())
        .bind(by_user_id)
        .bind(now())
        .bind(report_id)
        .execute(&mut *c)
        .await
    })?;
    Ok(report)
}

// ------------------------------------------------------------------ bridges

/// A household a generalist pointed to a listing.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PointerRow {
    pub id: i64,
    pub listing_id: i64,
    pub title: String,
    pub direction: String,
    pub state: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A generalist points a household to an ask or offer, with the resident's
/// consent; once per household and listing. Refused for a listing that is not
/// open.
pub async fn point_household(
    tx: &mut Tx,
    household_id: i64,
    listing_id: i64,
    note: &market::BridgeNote,
    consent: market::ConsentWay,
    by_user_id: i64,
) -> Result<i64, StoreError> {
    let open = listing(tx, listing_id)
        .await?
        .is_some_and(|l| l.state == "open");
    if !open {
        return Err(StoreError::NotFound(format!("open listing {listing_id}")));
    }
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO mk_pointers (household_id, listing_id, note, consent, by_user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(household_id)
        .bind(listing_id)
        .bind(note.as_str())
        .bind(consent.as_str())
        .bind(by_user_id)
        .bind(now())
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "this household was already pointed to this listing"))?;
    Ok(id)
}

/// The listings a household was pointed to, newest first (hidden ones left out).
pub async fn pointers_of(tx: &mut Tx, household_id: i64) -> Result<Vec<PointerRow>, StoreError> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT p.id, p.listing_id, l.title, l.direction, l.state, p.note, p.created_at \
             FROM mk_pointers p JOIN mk_listings l ON l.id = p.listing_id \
             WHERE p.household_id = $1 AND l.state <> 'verborgen' ORDER BY p.created_at DESC, p.id DESC",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

/// A match a household's resident takes part in (through their own account).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HouseholdMatch {
    pub id: i64,
    pub title: String,
    pub state: String,
}

/// Matches of participants whose account belongs to the household.
pub async fn household_matches(
    tx: &mut Tx,
    household_id: i64,
) -> Result<Vec<HouseholdMatch>, StoreError> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT DISTINCT m.id, l.title, m.state FROM mk_matches m \
             JOIN mk_listings l ON l.id = m.listing_id \
             JOIN mk_participants p ON p.id = m.responder_id OR p.id = l.participant_id \
             JOIN users u ON u.id = p.user_id \
             WHERE u.household_id = $1 ORDER BY m.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

/// A step-2 agreement refers to a match (the caller checked both with
/// [`market::bridge::may_refer`]); once per agreement.
pub async fn link_agreement(
    tx: &mut Tx,
    agreement_id: i64,
    m: &HouseholdMatch,
    by_user_id: i64,
) -> Result<(), StoreError> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO mk_agreement_matches (agreement_id, match_id, title, by_user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agreement_id)
        .bind(m.id)
        .bind(&m.title)
        .bind(by_user_id)
        .bind(now())
        .execute(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "this agreement already refers to a match"))?;
    Ok(())
}

/// Agreements of a household that refer to a match: (agreement, title).
pub async fn agreement_links(
    tx: &mut Tx,
    household_id: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT am.agreement_id, am.title FROM mk_agreement_matches am \
             JOIN cw_agreements a ON a.id = am.agreement_id \
             JOIN cw_plans p ON p.id = a.plan_id WHERE p.household_id = $1 ORDER BY am.agreement_id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(rows)
}

/// An ask too big for neighbours, as the makelaar hands it to the wijkteam.
pub struct Escalation<'a> {
    pub listing_id: i64,
    pub category: baken_domain::casework::signal::SignalCategory,
    pub text: &'a market::SignalText,
    pub consent: market::ConsentWay,
    /// A phone number the team may call back on (the makelaar's or, with
    /// consent, the participant's).
    pub callback_phone: Option<String>,
    pub by_user_id: i64,
    pub today: NaiveDate,
}

/// Turns an open ask into a signal for the wijkteam of its district (the
/// participant's when it is for the whole town) and closes the ask; the
/// signal's place is the district, as the marketplace knows no address.
/// Returns the signal.
pub async fn escalate(tx: &mut Tx, e: &Escalation<'_>) -> Result<i64> {
    let row = listing(tx, e.listing_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("listing {}", e.listing_id)))?;
    let already: Option<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT signal_id FROM mk_escalations WHERE listing_id = $1")
            .bind(e.listing_id)
            .fetch_optional(&mut *c)
            .await
    })?;
    market::bridge::may_escalate(row.direction(), row.state == "open", already.is_some())?;
    let district = match row.district_code.clone() {
        Some(d) => d,
        None => participant_unaudited(tx, row.participant_id)
            .await?
            .map(|p| p.district_code)
            .ok_or_else(|| StoreError::NotFound(format!("participant {}", row.participant_id)))?,
    };
    let district_name: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT name FROM districts WHERE code = $1")
            .bind(&district)
            .fetch_optional(&mut *c)
            .await
    })?;
    let place = format!(
        "wijk {} (via de buurtmarktplaats)",
        district_name
            .map(|d| d.0)
            .unwrap_or_else(|| district.clone())
    );
    let signal = crate::casework::create_signal(
        tx,
        &crate::casework::NewSignal {
            reported_on: e.today,
            category: e.category,
            urgency: if row.urgent {
                baken_domain::casework::signal::Urgency::Urgent
            } else {
                baken_domain::casework::signal::Urgency::Normaal
            },
            description: e.text.as_str().to_owned(),
            source: format!(
                "Buurtmarktplaats: makelaar, met toestemming van de deelnemer ({})",
                e.consent.label().to_lowercase()
            ),
            reported_by: Some(e.by_user_id),
            postcode: String::new(),
            house_number: 0,
            house_letter: String::new(),
            addition: String::new(),
            place: Some(place),
            callback_phone: e.callback_phone.clone(),
        },
    )
    .await
    .map_err(|err| MarketError::Store(err.into_store()))?;
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE cw_signals SET team_id = (SELECT id FROM teams WHERE district_code = $1 ORDER BY id LIMIT 1) \
             WHERE id = $2",
        )
        .bind(&district)
        .bind(signal)
        .execute(&mut *c)
        .await
    })?;
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO mk_escalations (listing_id, signal_id, consent, by_user_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(e.listing_id)
        .bind(signal)
        .bind(e.consent.as_str())
        .bind(e.by_user_id)
        .bind(now())
        .execute(&mut *c)
        .await
    })?;
    close_listing(tx, e.listing_id).await?;
    Ok(signal)
}

/// The signal an ask became, if it did.
pub async fn escalation_of(tx: &mut Tx, listing_id: i64) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT signal_id FROM mk_escalations WHERE listing_id = $1")
            .bind(listing_id)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|r| r.0))
}

// ---------------------------------------------------------------- retention

/// What a retention run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    pub messages: u64,
    pub listings: u64,
}

/// Deletes messages sent before `cutoff` and listings closed before it (with
/// their matches, messages and reports).
pub async fn purge(tx: &mut Tx, cutoff: DateTime<Utc>) -> Result<Purged, StoreError> {
    let messages = exec!(tx, |c| {
        sqlx::query("DELETE FROM mk_messages WHERE sent_at < $1")
            .bind(cutoff)
            .execute(&mut *c)
            .await
    })?;
    let old = "SELECT id FROM mk_listings WHERE state = 'gesloten' AND closed_at < $1";
    exec!(tx, |c| {
        sqlx::query(&format!(
            "DELETE FROM mk_messages WHERE match_id IN (SELECT id FROM mk_matches WHERE listing_id IN ({old}) OR via_listing_id IN ({old}))"
        ))
        .bind(cutoff)
        .execute(&mut *c)
        .await
    })?;
    exec!(tx, |c| {
        sqlx::query(&format!(
            "DELETE FROM mk_reports WHERE listing_id IN ({old})"
        ))
        .bind(cutoff)
        .execute(&mut *c)
        .await
    })?;
    exec!(tx, |c| {
        sqlx::query(&format!(
            "UPDATE mk_matches SET via_listing_id = NULL WHERE via_listing_id IN ({old})"
        ))
        .bind(cutoff)
        .execute(&mut *c)
        .await
    })?;
    exec!(tx, |c| {
        sqlx::query(&format!(
            "DELETE FROM mk_matches WHERE listing_id IN ({old})"
        ))
        .bind(cutoff)
        .execute(&mut *c)
        .await
    })?;
    let listings = exec!(tx, |c| {
        sqlx::query("DELETE FROM mk_listings WHERE state = 'gesloten' AND closed_at < $1")
            .bind(cutoff)
            .execute(&mut *c)
            .await
    })?;
    Ok(Purged { messages, listings })
}

/// Applies the retention period set in beheer on `today`: deletes what was
/// sent or closed before its cutoff (local midnight, counted in UTC) and
/// appends one audit entry saying how much, as the system.
pub async fn purge_expired(tx: &mut Tx, today: NaiveDate) -> Result<Purged, StoreError> {
    let period = retention(tx).await?;
    let cutoff = period
        .cutoff(today)
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(now);
    let purged = purge(tx, cutoff).await?;
    audit::append(
        tx,
        &AuditEntry {
            at: now(),
            actor: baken_domain::audit::Actor {
                user_id: None,
                username: Some("baken".into()),
                role: None,
                client_addr: "intern".into(),
            },
            route: "(bewaartermijn buurtmarktplaats)".into(),
            action: baken_domain::AuditAction::Delete,
            outcome: baken_domain::AuditOutcome::Success,
            object_type: None,
            object_id: None,
            detail: format!(
                "bewaartermijn {} maanden: {} berichten en {} gesloten vragen of aanbod verwijderd",
                period.get(),
                purged.messages,
                purged.listings
            ),
        },
    )
    .await?;
    Ok(purged)
}

// ------------------------------------------------------------------ figures

/// The records behind the marketplace's figures, by id (for their cell keys).
/// Callers publish them only through `baken_domain::market::figures::publish`
/// (the cell-key method: beleid and makelaars see aggregates, never a person).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Figures {
    /// (participant id, when they joined; grouped per month by the caller, in
    /// local time).
    pub joined: Vec<(i64, DateTime<Utc>)>,
    /// (listing id, category, district name or "Hele stad", direction) of
    /// every listing ever posted and still kept.
    pub listings: Vec<(i64, String, String, String)>,
    /// (match id, category, district name or "Hele stad") of matches that
    /// were accepted.
    pub matches: Vec<(i64, String, String)>,
    /// (listing id, posted, first reply) of every listing that had one.
    pub replies: Vec<(i64, DateTime<Utc>, DateTime<Utc>)>,
}

pub async fn figures(tx: &mut Tx) -> Result<Figures, StoreError> {
    let joined = with_conn!(tx, |c| {
        sqlx::query_as("SELECT id, created_at FROM mk_participants ORDER BY id")
            .fetch_all(&mut *c)
            .await
    })?;
    let listings = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT l.id, k.name, COALESCE(d.name, 'Hele stad'), l.direction FROM mk_listings l \
             JOIN mk_categories k ON k.id = l.category_id \
             LEFT JOIN districts d ON d.code = l.district_code ORDER BY l.id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    let matches = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT m.id, k.name, COALESCE(d.name, 'Hele stad') FROM mk_matches m \
             JOIN mk_listings l ON l.id = m.listing_id JOIN mk_categories k ON k.id = l.category_id \
             LEFT JOIN districts d ON d.code = l.district_code WHERE m.accepted_at IS NOT NULL ORDER BY m.id",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    let replies = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT id, created_at, first_reply_at FROM mk_listings WHERE first_reply_at IS NOT NULL",
        )
        .fetch_all(&mut *c)
        .await
    })?;
    Ok(Figures {
        joined,
        listings,
        matches,
        replies,
    })
}

// --------------------------------------------------------------------- demo

/// The demo's marketplace: neighbours (each district borders the next), a
/// school and thirty residents registered by the demo makelaar over the last
/// six months, their asks and offers (one of them an urgent ask past the
/// norm), and accepted matches — enough that the figures show real cells.
/// Invented, like the rest of the demo.
#[cfg(feature = "demo")]
pub async fn load_demo(
    tx: &mut Tx,
    m: &baken_synth::Municipality,
    today: NaiveDate,
) -> Result<(), StoreError> {
    demo_inner(tx, m, today).await.map_err(|e| match e {
        MarketError::Store(s) => s,
        other => StoreError::Corrupt(format!("demo marketplace: {other}")),
    })
}

/// The demo's listings — (direction, category, title, text, recurring) — also
/// the material of the suggestions benchmark's texts (`bench/market`).
#[cfg(feature = "demo")]
pub const DEMO_LISTINGS: &[(&str, &str, &str, &str, bool)] = &[
    (
        "vraag",
        "Boodschappen",
        "Wie doet wekelijks boodschappen met mij?",
        "Ik loop slecht en de supermarkt is ver. Samen gaan vind ik fijn.",
        true,
    ),
    (
        "aanbod",
        "Boodschappen",
        "Ik neem boodschappen mee",
        "Ik ga elke zaterdag naar de markt en neem graag iets mee voor een buur.",
        true,
    ),
    (
        "vraag",
        "Lift naar de dokter",
        "Lift naar het ziekenhuis",
        "Ik heb een afspraak op de poli en kan niet met de bus.",
        false,
    ),
    (
        "aanbod",
        "Lift naar de dokter",
        "Ik rijd u naar de dokter",
        "Ik heb een auto en overdag tijd. Ziekenhuis of huisarts, geen probleem.",
        true,
    ),
    (
        "vraag",
        "Gezelschap",
        "Samen koffie drinken",
        "Sinds mijn man overleed ben ik veel alleen. Wie komt eens koffie drinken?",
        true,
    ),
    (
        "aanbod",
        "Gezelschap",
        "Wandelen en een praatje",
        "Ik wandel graag en maak onderweg een praatje. Loopt u mee?",
        true,
    ),
    (
        "vraag",
        "Klusje in huis",
        "Lamp ophangen in de woonkamer",
        "Ik durf niet meer op een trap te staan.",
        false,
    ),
    (
        "aanbod",
        "Klusje in huis",
        "Handige buurman voor kleine klussen",
        "Lampen, een kastje, een lekkende kraan: ik help graag.",
        true,
    ),
    (
        "vraag",
        "Tuin",
        "Hulp bij het snoeien van de heg",
        "Mijn heg is te hoog geworden voor mij alleen.",
        false,
    ),
    (
        "aanbod",
        "Tuin",
        "Tuinieren doe ik graag",
        "Ik help met snoeien, maaien en onkruid wieden.",
        true,
    ),
    (
        "vraag",
        "Technologie",
        "Videobellen met mijn kleinkinderen",
        "Wie leert mij videobellen op mijn tablet?",
        false,
    ),
    (
        "aanbod",
        "Technologie",
        "Hulp met telefoon en tablet",
        "Ik leg geduldig uit hoe uw telefoon of tablet werkt.",
        true,
    ),
    (
        "vraag",
        "Administratie",
        "Post en formulieren ordenen",
        "Ik raak het overzicht over mijn post kwijt.",
        true,
    ),
    (
        "aanbod",
        "Administratie",
        "Samen de post doornemen",
        "Ik heb bij een bank gewerkt en help met formulieren en post.",
        true,
    ),
    (
        "vraag",
        "Hond uitlaten",
        "Wie laat mijn hond uit?",
        "Na mijn operatie kan ik een paar weken niet lopen. Bobbie is lief.",
        true,
    ),
];

#[cfg(feature = "demo")]
async fn demo_inner(tx: &mut Tx, m: &baken_synth::Municipality, today: NaiveDate) -> Result<()> {
    use baken_domain::market::{ListingText, ListingTitle, NewListing, Recurrence};
    let districts: Vec<DistrictCode> = m.districts.iter().map(|d| d.code.clone()).collect();
    if districts.is_empty() {
        return Ok(());
    }
    for pair in districts.windows(2) {
        add_neighbours(tx, &pair[0], &pair[1]).await?;
    }
    let Some((makelaar,)): Option<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT id FROM users WHERE username = 'makelaar'")
            .fetch_optional(&mut *c)
            .await
    })?
    else {
        return Ok(());
    };
    let categories = categories(tx, true).await?;
    let category = |name: &str| categories.iter().find(|c| c.name == name).map(|c| c.id);
    let names = [
        "Anna", "Bram", "Carla", "Dirk", "Emine", "Frits", "Gerda", "Hamid", "Ilse", "Joost",
        "Karin", "Lotte", "Mohamed", "Nel", "Otto", "Petra", "Quirine", "Rachid", "Sanne", "Teun",
        "Ursula", "Vincent", "Wilma", "Xander", "Yvonne", "Zeynep", "Ada", "Bert", "Cor", "Dina",
    ];
    let mut asks: Vec<(i64, i64, usize)> = Vec::new(); // (listing, participant, item)
    let mut offers: Vec<(i64, i64, usize)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let district = &districts[i % districts.len()];
        let display = DisplayName::parse(name).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id = create_proxy(tx, makelaar, &display, district, i % 7 == 3, None).await?;
        let joined = now() - chrono::Duration::days((i % 6) as i64 * 30 + (i as i64 % 11));
        exec!(tx, |c| {
            sqlx::query("UPDATE mk_participants SET created_at = $1 WHERE id = $2")
                .bind(joined)
                .bind(id)
                .execute(&mut *c)
                .await
        })?;
        let item = i % DEMO_LISTINGS.len();
        let (direction, cat, title, text, recurring) = DEMO_LISTINGS[item];
        let Some(category_id) = category(cat) else {
            continue;
        };
        let listing = Listing::new(
            NewListing {
                direction: Direction::parse(direction)?,
                category: CategoryName::parse(cat)?,
                title: ListingTitle::parse(title)?,
                text: ListingText::parse(text)?,
                area: if i % 5 == 4 {
                    Area::WholeTown
                } else {
                    Area::District(district.clone())
                },
                recurrence: if recurring {
                    Recurrence::Recurring
                } else {
                    Recurrence::Once
                },
                date: None,
                part_of_day: PartOfDay::Flexible,
                urgent: false,
                group: None,
            },
            today,
        )?;
        let posted = today - chrono::Days::new((i % 6) as u64 * 20);
        let listing_id = create_listing(tx, id, category_id, &listing, makelaar, posted).await?;
        if direction == "vraag" {
            asks.push((listing_id, id, item));
        } else {
            offers.push((listing_id, id, item));
        }
    }
    // Each ask matched by the offer of the same kind, where there is one.
    for (listing_id, _, item) in &asks {
        let Some((offer_id, offer_participant, _)) = offers.iter().find(|(_, _, o)| *o == item + 1)
        else {
            continue;
        };
        let match_id = propose(
            tx,
            &Proposal {
                listing_id: *listing_id,
                responder_id: *offer_participant,
                via_listing_id: Some(*offer_id),
                proposed_by: Side::Offer,
                made_by_user_id: Some(makelaar),
            },
        )
        .await?;
        accept(tx, match_id, Side::Ask).await?;
    }
    // A school asks for readers (a group listing), and an urgent ask waits past the norm.
    let school = create_proxy(
        tx,
        makelaar,
        &DisplayName::parse("Basisschool De Vlinder")
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        &districts[0],
        false,
        None,
    )
    .await?;
    if let Some(category_id) = category("Voorlezen") {
        let listing = Listing::new(
            NewListing {
                direction: Direction::Ask,
                category: CategoryName::parse("Voorlezen")?,
                title: ListingTitle::parse("Voorlezen in groep 3 en 4")?,
                text: ListingText::parse(
                    "Wij zoeken buurtgenoten die een ochtend per week kinderen willen voorlezen op de basisschool.",
                )?,
                area: Area::District(districts[0].clone()),
                recurrence: Recurrence::Recurring,
                date: None,
                part_of_day: PartOfDay::Morning,
                urgent: false,
                group: Some(baken_domain::market::GroupSize::new(4)?),
            },
            today,
        )?;
        create_listing(tx, school, category_id, &listing, makelaar, today).await?;
    }
    if let Some(category_id) = category("Boodschappen") {
        let who = create_proxy(
            tx,
            makelaar,
            &DisplayName::parse("Mevrouw De Wit")
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            &districts[districts.len() - 1],
            true,
            Some(&PhoneNumber::parse("06 98765432")?),
        )
        .await?;
        let listing = Listing::new(
            NewListing {
                direction: Direction::Ask,
                category: CategoryName::parse("Boodschappen")?,
                title: ListingTitle::parse("Boodschappen na val")?,
                text: ListingText::parse("Ik ben gevallen en kan even niet naar de winkel.")?,
                area: Area::District(districts[districts.len() - 1].clone()),
                recurrence: Recurrence::Once,
                date: None,
                part_of_day: PartOfDay::Flexible,
                urgent: true,
                group: None,
            },
            today,
        )?;
        let posted = today - chrono::Days::new(4);
        create_listing(tx, who, category_id, &listing, makelaar, posted).await?;
    }
    Ok(())
}
