//! Storage for casework: signals, conversations and measurements, the one plan
//! per household with its goals, agreements, referrals and evaluations, and
//! the plan's history.
//!
//! Every change goes through the domain's rules first ([`baken_domain::casework`]):
//! a plan is loaded as a domain value, the change is checked there, and only
//! then written. Plans carry a version for optimistic locking; every change to a
//! plan is written to its history (who, what, when) in the same transaction.
//! The database holds the key rules a second time (one open plan per household,
//! one coordinator per household, step 5 only with a referral).

use crate::{
    exec, fetch_packed, now, versioned_update, with_conn, Result as StoreResult, StoreError, Tx,
};
use baken_domain::casework::{
    plan::PlanStatus, AgreementActor, AgreementDecision, ContactMethod, Conversation,
    ConversationError, Evaluation, GoalOutcome, GoalResult, HandOverBy, HouseholdCase,
    Justification, LifeDomain, NewAgreement, NewGoal, NormsError, PlanError, Referral,
    ReferralError, ReferralStatus, ResponseNorms, RestoreError, ScoreEntry, Scores, SignalCategory,
    SignalClosure, SignalError, SignalRouting, SignalStage, StoredAgreement, StoredGoal,
    StoredPlan, StoredReferral, Term, Urgency,
};
use baken_domain::cell_key::{CellKeySecret, RecordKey};
use baken_domain::{Bsn, LadderStep, ParticipationRung, Role, SupportForm};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Why a casework change did not happen: a rule, or the store.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Referral(#[from] ReferralError),
    #[error(transparent)]
    Conversation(#[from] ConversationError),
    #[error(transparent)]
    Signal(#[from] SignalError),
    #[error(transparent)]
    Norms(#[from] NormsError),
    #[error(transparent)]
    ContactMoment(#[from] baken_domain::casework::ContactMomentError),
    #[error(transparent)]
    Purpose(#[from] baken_domain::casework::PurposeError),
    #[error(transparent)]
    Report(#[from] baken_domain::casework::ReportError),
    #[error(transparent)]
    Conference(#[from] baken_domain::casework::ConferenceError),
    /// Stored casework breaks a rule (corrupt or hand-edited data).
    #[error("stored casework is invalid: {0}")]
    Restore(#[from] RestoreError),
}

impl From<sqlx::Error> for CaseError {
    fn from(e: sqlx::Error) -> Self {
        CaseError::Store(StoreError::Db(e))
    }
}

pub type Result<T, E = CaseError> = std::result::Result<T, E>;

/// Who makes a change (for the plan's history).
#[derive(Debug, Clone)]
pub struct Who {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
}

fn corrupt(what: impl std::fmt::Display) -> CaseError {
    CaseError::Store(StoreError::Corrupt(what.to_string()))
}

// ---------------------------------------------------------------- signals

/// A signal as reported.
#[derive(Debug, Clone)]
pub struct NewSignal {
    pub reported_on: NaiveDate,
    pub category: SignalCategory,
    pub urgency: Urgency,
    pub description: String,
    pub source: String,
    pub reported_by: Option<i64>,
    pub postcode: String,
    pub house_number: i64,
    /// Upper case, or empty.
    pub house_letter: String,
    /// Upper case, or empty.
    pub addition: String,
    /// The place in words when the address is not known (then the postcode
    /// is empty and the number 0).
    pub place: Option<String>,
    /// A phone number for a call-back (a neighbour's; shown to the team only).
    pub callback_phone: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SignalRow {
    pub id: i64,
    pub reported_on: NaiveDate,
    pub category: String,
    pub urgency: String,
    pub description: String,
    pub source: String,
    pub postcode: String,
    pub house_number: i64,
    pub house_letter: String,
    pub addition: String,
    pub team_id: Option<i64>,
    pub household_id: Option<i64>,
    pub assigned_to: Option<i64>,
    pub assigned_name: Option<String>,
    pub first_contact_on: Option<NaiveDate>,
    pub contact_method: Option<String>,
    pub contact_outcome: Option<String>,
    /// The district of the dwelling, when Baken knows a household there.
    pub district_code: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closed_reason: Option<String>,
    pub place: Option<String>,
    pub callback_phone: Option<String>,
}

impl SignalRow {
    /// Where the signal stands: new, assigned, contacted or closed.
    pub fn stage(&self) -> SignalStage {
        SignalStage::of(
            self.household_id.is_some(),
            self.first_contact_on.is_some(),
            self.closed_on.is_some(),
        )
    }
    pub fn category(&self) -> Option<SignalCategory> {
        SignalCategory::parse(&self.category).ok()
    }
    pub fn urgency(&self) -> Urgency {
        Urgency::parse(&self.urgency).unwrap_or(Urgency::Normaal)
    }
    /// The dwelling: postcode, number, letter and addition.
    pub fn address_key(&self) -> (String, i64, String, String) {
        (
            self.postcode.clone(),
            self.house_number,
            self.house_letter.clone(),
            self.addition.clone(),
        )
    }
    /// "1234 AB 12A-2", or the place in words when the address is not known.
    pub fn address(&self) -> String {
        if let Some(place) = self.place.as_deref().filter(|_| self.postcode.is_empty()) {
            return format!("plek: {place}");
        }
        let mut s = format!(
            "{} {} {}{}",
            self.postcode.get(..4).unwrap_or(""),
            self.postcode.get(4..).unwrap_or(""),
            self.house_number,
            self.house_letter
        );
        if !self.addition.is_empty() {
            s.push('-');
            s.push_str(&self.addition);
        }
        s
    }
}

const SIGNAL_COLS: &str = "s.id, s.reported_on, s.category, s.urgency, s.description, s.source, \
    s.postcode, s.house_number, s.house_letter, s.addition, s.team_id, s.household_id, s.assigned_to, u.display_name AS assigned_name, \
    s.first_contact_on, s.contact_method, s.contact_outcome, s.closed_on, s.closed_reason, s.place, s.callback_phone, \
    (SELECT h.district_code FROM households h WHERE h.postcode = s.postcode AND h.house_number = s.house_number ORDER BY h.id LIMIT 1) AS district_code";

/// Records a signal. The team is the team of the household at that address,
/// if Baken knows it; the household itself is linked at triage.
pub async fn create_signal(tx: &mut Tx, s: &NewSignal) -> Result<i64> {
    let team: Option<(Option<i64>,)> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT team_id FROM households WHERE postcode = $1 AND house_number = $2 ORDER BY id LIMIT 1"
    )
    .bind(&s.postcode)
    .bind(s.house_number)
    .fetch_optional(&mut *c)
    .await
    })?;
    let team_id = team.and_then(|t| t.0);
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_signals (reported_on, category, urgency, description, source, reported_by, \
         postcode, house_number, house_letter, addition, team_id, created_at, place, callback_phone) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id"
    )
    .bind(s.reported_on)
    .bind(s.category.as_str())
    .bind(s.urgency.as_str())
    .bind(&s.description)
    .bind(&s.source)
    .bind(s.reported_by)
    .bind(&s.postcode)
    .bind(s.house_number)
    .bind(&s.house_letter)
    .bind(&s.addition)
    .bind(team_id)
    .bind(now())
    .bind(&s.place)
    .bind(&s.callback_phone)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// A dwelling as the public page may show it: the address only — never who
/// lives there or how many.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Dwelling {
    pub street: String,
    pub house_number: i64,
    pub house_letter: String,
    pub addition: String,
    pub postcode: String,
    pub city: String,
}

impl Dwelling {
    /// "Lindelaan 12A-2, 1234 AB Proefstad".
    pub fn label(&self) -> String {
        let mut s = format!("{} {}{}", self.street, self.house_number, self.house_letter);
        if !self.addition.is_empty() {
            s.push('-');
            s.push_str(&self.addition);
        }
        format!(
            "{s}, {} {} {}",
            self.postcode.get(..4).unwrap_or(""),
            self.postcode.get(4..).unwrap_or(""),
            self.city
        )
    }

    /// The choice's value on the public form: "1234AB|12|A|2".
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.postcode, self.house_number, self.house_letter, self.addition
        )
    }
}

/// The municipality's dwellings at a street and number (any case; letters and
/// additions all), for the public page's address lookup.
pub async fn dwellings_at(tx: &mut Tx, street: &str, number: i64) -> StoreResult<Vec<Dwelling>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT street, house_number, house_letter, addition, postcode, city FROM households \
         WHERE LOWER(street) = LOWER($1) AND house_number = $2 \
         ORDER BY house_letter, addition, postcode LIMIT 30"
    )
    .bind(street.trim())
    .bind(number)
    .fetch_all(&mut *c)
    .await
    })?)
}

pub async fn signal(tx: &mut Tx, id: i64) -> Result<Option<SignalRow>> {
    let sql = format!(
        "SELECT {SIGNAL_COLS} FROM cw_signals s LEFT JOIN users u ON u.id = s.assigned_to WHERE s.id = $1"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?)
}

/// The signals a team sees: its own, and those at addresses Baken does not know
/// (any team may pick those up). Newest first.
pub async fn team_signals(tx: &mut Tx, team_id: i64, limit: i64) -> Result<Vec<SignalRow>> {
    let sql = format!(
        "SELECT {SIGNAL_COLS} FROM cw_signals s LEFT JOIN users u ON u.id = s.assigned_to \
         WHERE s.team_id = $1 OR s.team_id IS NULL ORDER BY s.reported_on DESC, s.id DESC LIMIT $2"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(team_id)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)?)
}

/// Every signal about one household, oldest first (repeated signals together).
pub async fn household_signals(tx: &mut Tx, household_id: i64) -> Result<Vec<SignalRow>> {
    let sql = format!(
        "SELECT {SIGNAL_COLS} FROM cw_signals s LEFT JOIN users u ON u.id = s.assigned_to \
         WHERE s.household_id = $1 ORDER BY s.reported_on, s.id"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(household_id)
        .fetch_all(&mut *c)
        .await)?)
}

/// Who triages a signal, to whom, and why if that hands the household over.
#[derive(Debug, Clone)]
pub struct TriageRequest<'a> {
    pub signal_id: i64,
    pub household_id: i64,
    /// None: the household's contact person.
    pub generalist: Option<i64>,
    /// Needed when `generalist` is not the contact person (a hand-over).
    pub hand_over_reason: &'a str,
    pub by_user: i64,
    pub on: NaiveDate,
}

/// Triage: links the signal to a household at its address and gives it to the
/// household's one contact person ([`HouseholdCase::route_signal`]): by
/// default the one it has, the chosen generalist if it has none, and another
/// generalist only as a recorded hand-over with a reason.
pub async fn triage(tx: &mut Tx, request: &TriageRequest<'_>) -> Result<SignalRouting> {
    let (signal_id, household_id, on) = (request.signal_id, request.household_id, request.on);
    let s = signal(tx, signal_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("signal {signal_id}")))?;
    s.stage().ensure_open()?;
    let at: Option<(String, i64)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT postcode, house_number FROM households WHERE id = $1"
    )
    .bind(household_id)
    .fetch_optional(&mut *c)
    .await)?;
    match at {
        None => return Err(StoreError::NotFound(format!("household {household_id}")).into()),
        Some((pc, n)) if pc != s.postcode || n != s.house_number => {
            return Err(SignalError::OtherAddress.into())
        }
        Some(_) => {}
    }
    let mut case = load_case(tx, household_id).await?;
    let routing = case.route_signal(request.generalist, request.hand_over_reason)?;
    match &routing {
        SignalRouting::ContactPerson(_) => {}
        SignalRouting::NewContactPerson(generalist) => {
            exec!(tx, |c| sqlx::query(
                "INSERT INTO cw_cases (household_id, coordinator_id, since) VALUES ($1, $2, $3)"
            )
            .bind(household_id)
            .bind(*generalist)
            .bind(on)
            .execute(&mut *c)
            .await)?;
        }
        SignalRouting::HandOver { from, to, reason } => {
            record_hand_over(
                tx,
                &HandOver {
                    household_id,
                    from: *from,
                    to: *to,
                    reason,
                    by_user: request.by_user,
                    signal_id: Some(signal_id),
                    on,
                },
            )
            .await?;
        }
    }
    let team: Option<(Option<i64>,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT team_id FROM households WHERE id = $1"
    )
    .bind(household_id)
    .fetch_optional(&mut *c)
    .await)?;
    let n = exec!(tx, |c| {
        sqlx::query(
        "UPDATE cw_signals SET household_id = $1, assigned_to = $2, triaged_on = $3, team_id = $4 WHERE id = $5"
    )
    .bind(household_id)
    .bind(routing.generalist())
    .bind(on)
    .bind(team.and_then(|t| t.0))
    .bind(signal_id)
    .execute(&mut *c)
    .await
    })?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("signal {signal_id}")).into());
    }
    Ok(routing)
}

/// Records the first contact with the household about a signal (between the
/// report and `today`).
pub async fn record_first_contact(
    tx: &mut Tx,
    signal_id: i64,
    on: NaiveDate,
    method: ContactMethod,
    outcome: &str,
    today: NaiveDate,
) -> Result<()> {
    let s = signal(tx, signal_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("signal {signal_id}")))?;
    s.stage().ensure_open()?;
    baken_domain::casework::signal::check_first_contact(s.reported_on, on, today)?;
    exec!(tx, |c| {
        sqlx::query(
        "UPDATE cw_signals SET first_contact_on = $1, contact_method = $2, contact_outcome = $3 WHERE id = $4"
    )
    .bind(on)
    .bind(method.as_str())
    .bind(outcome.trim())
    .bind(signal_id)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// Closes a signal on `on` with a reason ([`SignalClosure::new`]: an open
/// signal only, between its report and `today`). Returns the closure.
pub async fn close_signal(
    tx: &mut Tx,
    signal_id: i64,
    on: NaiveDate,
    reason: &str,
    by_user: i64,
    today: NaiveDate,
) -> Result<SignalClosure> {
    let s = signal(tx, signal_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("signal {signal_id}")))?;
    let closure = SignalClosure::new(s.stage(), s.reported_on, on, reason, today)?;
    // `closed_on IS NULL` again: two closings at once, and only one counts.
    let n = exec!(tx, |c| {
        sqlx::query(
        "UPDATE cw_signals SET closed_on = $1, closed_reason = $2, closed_by = $3, callback_phone = NULL \
         WHERE id = $4 AND closed_on IS NULL"
    )
    .bind(closure.on())
    .bind(closure.reason())
    .bind(by_user)
    .bind(signal_id)
    .execute(&mut *c)
    .await
    })?;
    if n == 0 {
        return Err(SignalError::Closed.into());
    }
    Ok(closure)
}

// ---------------------------------------------------------------- households

/// The household's coordinator, if any.
pub async fn coordinator(tx: &mut Tx, household_id: i64) -> Result<Option<(i64, String)>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT u.id, u.display_name FROM cw_cases c JOIN users u ON u.id = c.coordinator_id WHERE c.household_id = $1"
    )
    .bind(household_id)
    .fetch_optional(&mut *c)
    .await
    })?)
}

/// A hand-over of a household's contact person.
#[derive(Debug, Clone)]
pub struct HandOver<'a> {
    pub household_id: i64,
    pub from: i64,
    pub to: i64,
    pub reason: &'a str,
    pub by_user: i64,
    /// The signal that was given to the new contact person, if any.
    pub signal_id: Option<i64>,
    pub on: NaiveDate,
}

/// A deliberate hand-over to another generalist (there is still exactly one),
/// kept with its reason in `cw_handovers`. Open signals of the household
/// follow the new contact person.
pub async fn record_hand_over(tx: &mut Tx, h: &HandOver<'_>) -> Result<()> {
    let n = exec!(tx, |c| sqlx::query(
        "UPDATE cw_cases SET coordinator_id = $1, since = $2 WHERE household_id = $3"
    )
    .bind(h.to)
    .bind(h.on)
    .bind(h.household_id)
    .execute(&mut *c)
    .await)?;
    if n == 0 {
        exec!(tx, |c| sqlx::query(
            "INSERT INTO cw_cases (household_id, coordinator_id, since) VALUES ($1, $2, $3)"
        )
        .bind(h.household_id)
        .bind(h.to)
        .bind(h.on)
        .execute(&mut *c)
        .await)?;
    }
    exec!(tx, |c| {
        sqlx::query(
        "UPDATE cw_signals SET assigned_to = $1 WHERE household_id = $2 AND first_contact_on IS NULL AND closed_on IS NULL"
    )
    .bind(h.to)
    .bind(h.household_id)
    .execute(&mut *c)
    .await
    })?;
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO cw_handovers (household_id, from_user, to_user, reason, handed_over_on, by_user, signal_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(h.household_id)
    .bind(h.from)
    .bind(h.to)
    .bind(h.reason)
    .bind(h.on)
    .bind(h.by_user)
    .bind(h.signal_id)
    .bind(now())
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// Hands a household over from the dossier ([`HouseholdCase::hand_over`]:
/// by the team lead or the contact person, to someone else, with a reason),
/// recorded like a hand-over at triage but without a signal. Returns who it
/// was and who it is now.
pub async fn hand_over_contact_person(
    tx: &mut Tx,
    household_id: i64,
    by: HandOverBy,
    to: i64,
    reason: &str,
    by_user: i64,
    on: NaiveDate,
) -> Result<SignalRouting> {
    let mut case = load_case(tx, household_id).await?;
    let routing = case.hand_over(by, to, reason)?;
    if let SignalRouting::HandOver { from, to, reason } = &routing {
        record_hand_over(
            tx,
            &HandOver {
                household_id,
                from: *from,
                to: *to,
                reason,
                by_user,
                signal_id: None,
                on,
            },
        )
        .await?;
    }
    Ok(routing)
}

/// Gives a household without a contact person its first one (a household
/// that has one keeps it: changing it is [`record_hand_over`]).
pub async fn assign_contact_person(
    tx: &mut Tx,
    household_id: i64,
    to: i64,
    on: NaiveDate,
) -> Result<()> {
    let mut case = load_case(tx, household_id).await?;
    case.assign_coordinator(to)?;
    exec!(tx, |c| sqlx::query(
        "INSERT INTO cw_cases (household_id, coordinator_id, since) VALUES ($1, $2, $3) \
         ON CONFLICT (household_id) DO NOTHING"
    )
    .bind(household_id)
    .bind(to)
    .bind(on)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// A recorded hand-over, with names.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HandOverRow {
    pub handed_over_on: NaiveDate,
    pub from_name: String,
    pub to_name: String,
    pub reason: String,
    pub by_name: String,
}

/// The household's hand-overs of its contact person, newest first.
pub async fn hand_overs(tx: &mut Tx, household_id: i64) -> Result<Vec<HandOverRow>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT h.handed_over_on, f.display_name AS from_name, t.display_name AS to_name, h.reason, \
         b.display_name AS by_name FROM cw_handovers h JOIN users f ON f.id = h.from_user \
         JOIN users t ON t.id = h.to_user JOIN users b ON b.id = h.by_user \
         WHERE h.household_id = $1 ORDER BY h.id DESC"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub street: String,
    pub house_number: i64,
    pub house_letter: String,
    pub addition: String,
    pub postcode: String,
    pub team_id: Option<i64>,
}

impl Hit {
    pub fn address(&self) -> String {
        let mut s = format!("{} {}{}", self.street, self.house_number, self.house_letter);
        if !self.addition.is_empty() {
            s.push('-');
            s.push_str(&self.addition);
        }
        s
    }
}

/// A search within one team's households.
#[derive(Debug, Clone)]
pub enum Search {
    Address {
        postcode: String,
        house_number: Option<i64>,
    },
    /// A street name (or part of it), with or without a house number.
    Street {
        street: String,
        house_number: Option<i64>,
    },
    Name(String),
    Bsn(Bsn),
}

/// A LIKE pattern that finds `term` anywhere, case-insensitively; `%` and `_`
/// in the term are dropped rather than matched as wildcards.
fn contains_pattern(term: &str) -> String {
    format!("%{}%", term.trim().to_lowercase().replace(['%', '_'], ""))
}

pub async fn search(tx: &mut Tx, team_id: i64, q: &Search) -> Result<Vec<Hit>> {
    const COLS: &str =
        "h.id, h.street, h.house_number, h.house_letter, h.addition, h.postcode, h.team_id";
    let rows = match q {
        Search::Address {
            postcode,
            house_number,
        } => {
            let sql = format!(
                "SELECT {COLS} FROM households h WHERE h.team_id = $1 AND h.postcode = $2 \
                 AND ($3 IS NULL OR h.house_number = $3) ORDER BY h.house_number, h.id LIMIT 50"
            );
            with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(team_id)
                .bind(postcode)
                .bind(*house_number)
                .fetch_all(&mut *c)
                .await)?
        }
        Search::Street {
            street,
            house_number,
        } => {
            let sql = format!(
                "SELECT {COLS} FROM households h WHERE h.team_id = $1 AND LOWER(h.street) LIKE $2 \
                 AND ($3 IS NULL OR h.house_number = $3) \
                 ORDER BY h.street, h.house_number, h.house_letter, h.addition, h.id LIMIT 50"
            );
            with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(team_id)
                .bind(contains_pattern(street))
                .bind(*house_number)
                .fetch_all(&mut *c)
                .await)?
        }
        Search::Name(name) => {
            let like = contains_pattern(name);
            let sql = format!(
                "SELECT DISTINCT {COLS} FROM households h JOIN residents r ON r.household_id = h.id \
                 WHERE h.team_id = $1 AND (LOWER(r.surname) LIKE $2 OR LOWER(r.given_name || ' ' || r.surname) LIKE $2) \
                 ORDER BY h.id LIMIT 50"
            );
            with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(team_id)
                .bind(&like)
                .fetch_all(&mut *c)
                .await)?
        }
        Search::Bsn(bsn) => {
            let sql = format!(
                "SELECT {COLS} FROM households h JOIN residents r ON r.household_id = h.id \
                 WHERE h.team_id = $1 AND r.bsn = $2 LIMIT 1"
            );
            with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(team_id)
                .bind(bsn.to_string())
                .fetch_all(&mut *c)
                .await)?
        }
    };
    Ok(rows)
}

/// Households at a postcode and house number, any team (for triage of a signal).
pub async fn at_address(tx: &mut Tx, postcode: &str, house_number: i64) -> Result<Vec<Hit>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT h.id, h.street, h.house_number, h.house_letter, h.addition, h.postcode, h.team_id \
         FROM households h WHERE h.postcode = $1 AND h.house_number = $2 ORDER BY h.id"
    )
    .bind(postcode)
    .bind(house_number)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- conversations

/// Stores a conversation, its needs, network, consents and its measurement.
/// A consent for a provider carries the provider's id (and its name).
pub async fn create_conversation(
    tx: &mut Tx,
    household_id: i64,
    conv: &Conversation,
    by: i64,
) -> Result<i64> {
    let m = add_measurement(
        tx,
        household_id,
        conv.held_on(),
        &conv.scores,
        conv.rung,
        "gesprek",
    )
    .await?;
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_conversations (household_id, held_on, presented_question, need_differs, strengths, wishes, \
         measurement_id, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id"
    )
    .bind(household_id)
    .bind(conv.held_on())
    .bind(conv.presented_question())
    .bind(conv.finds_question_behind_question())
    .bind(&conv.strengths)
    .bind(&conv.wishes)
    .bind(m)
    .bind(by)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    for n in conv.underlying_needs() {
        exec!(tx, |c| sqlx::query(
            "INSERT INTO cw_needs (conversation_id, domain, need) VALUES ($1, $2, $3)"
        )
        .bind(id)
        .bind(n.domain().as_str())
        .bind(n.need())
        .execute(&mut *c)
        .await)?;
    }
    for n in conv.network() {
        exec!(tx, |c| {
            sqlx::query(
            "INSERT INTO cw_network (conversation_id, name, relation, can_do, will_do) VALUES ($1,$2,$3,$4,$5)"
        )
        .bind(id)
        .bind(n.name())
        .bind(n.relation())
        .bind(n.can_do())
        .bind(n.will_do())
        .execute(&mut *c)
        .await
        })?;
    }
    for cs in conv.consents() {
        exec!(tx, |c| {
            sqlx::query(
            "INSERT INTO cw_consents (household_id, conversation_id, organisation, provider_id, purpose, given_on, until) \
             VALUES ($1,$2,$3,$4,$5,$6,$7)"
        )
        .bind(household_id)
        .bind(id)
        .bind(cs.organisation())
        .bind(cs.provider_id())
        .bind(cs.purpose())
        .bind(cs.given_on())
        .bind(cs.until())
        .execute(&mut *c)
        .await
        })?;
    }
    Ok(id)
}

async fn add_measurement(
    tx: &mut Tx,
    household_id: i64,
    on: NaiveDate,
    scores: &Scores,
    rung: Option<ParticipationRung>,
    source: &str,
) -> Result<i64> {
    let (m,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_measurements (household_id, measured_on, rung, source) VALUES ($1,$2,$3,$4) RETURNING id"
    )
    .bind(household_id)
    .bind(on)
    .bind(rung.map(|r| i64::from(r.value())))
    .bind(source)
    .fetch_one(&mut *c)
    .await
    })?;
    for (d, s) in &scores.0 {
        exec!(tx, |c| sqlx::query(
            "INSERT INTO cw_scores (measurement_id, domain, score) VALUES ($1, $2, $3)"
        )
        .bind(m)
        .bind(d.as_str())
        .bind(s.code())
        .execute(&mut *c)
        .await)?;
    }
    Ok(m)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ConversationRow {
    pub id: i64,
    pub held_on: NaiveDate,
    pub presented_question: String,
    pub need_differs: bool,
    pub strengths: String,
    pub wishes: String,
    pub by_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct NeedRow {
    pub conversation_id: i64,
    pub domain: String,
    pub need: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct NetworkRow {
    pub conversation_id: i64,
    pub name: String,
    pub relation: String,
    pub can_do: String,
    pub will_do: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ConsentRow {
    pub id: i64,
    pub organisation: String,
    pub provider_id: Option<i64>,
    pub purpose: String,
    pub given_on: NaiveDate,
    pub until: NaiveDate,
}

pub async fn conversations(tx: &mut Tx, household_id: i64) -> Result<Vec<ConversationRow>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT k.id, k.held_on, k.presented_question, k.need_differs, k.strengths, k.wishes, u.display_name AS by_name \
         FROM cw_conversations k JOIN users u ON u.id = k.created_by WHERE k.household_id = $1 ORDER BY k.held_on, k.id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

pub async fn needs(tx: &mut Tx, household_id: i64) -> Result<Vec<NeedRow>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT n.conversation_id, n.domain, n.need FROM cw_needs n JOIN cw_conversations k ON k.id = n.conversation_id \
         WHERE k.household_id = $1 ORDER BY n.id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

pub async fn network(tx: &mut Tx, household_id: i64) -> Result<Vec<NetworkRow>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT n.conversation_id, n.name, n.relation, n.can_do, n.will_do FROM cw_network n \
         JOIN cw_conversations k ON k.id = n.conversation_id WHERE k.household_id = $1 ORDER BY n.id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

pub async fn consents(tx: &mut Tx, household_id: i64) -> Result<Vec<ConsentRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, organisation, provider_id, purpose, given_on, until FROM cw_consents \
         WHERE household_id = $1 ORDER BY given_on, id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// One measurement: scores and rung on a day.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measurement {
    pub id: i64,
    pub on: NaiveDate,
    pub source: String,
    pub rung: Option<i64>,
    pub scores: Scores,
}

/// The household's measurements, oldest first (for the chart).
pub async fn measurements(tx: &mut Tx, household_id: i64) -> Result<Vec<Measurement>> {
    // One row per score, and one (without a score) for a measurement that has none.
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        NaiveDate,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
    )> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT m.id, m.measured_on, m.source, m.rung, s.domain, s.score \
                 FROM cw_measurements m LEFT JOIN cw_scores s ON s.measurement_id = m.id \
                 WHERE m.household_id = $1 ORDER BY m.measured_on, m.id",
        )
        .bind(household_id)
        .fetch_all(&mut *c)
        .await
    })?;
    let mut out: Vec<Measurement> = Vec::new();
    for (id, on, source, rung, domain, score) in rows {
        if out.last().map(|m| m.id) != Some(id) {
            out.push(Measurement {
                id,
                on,
                source,
                rung,
                scores: Scores::default(),
            });
        }
        let (Some(domain), Some(score), Some(m)) = (domain, score, out.last_mut()) else {
            continue;
        };
        let d = LifeDomain::parse(&domain).map_err(corrupt)?;
        if let Some(s) = ScoreEntry::parse(d, &score).map_err(corrupt)? {
            m.scores.0.insert(d, s);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- plans

#[derive(sqlx::FromRow)]
struct PlanRow {
    id: i64,
    household_id: i64,
    opened_on: NaiveDate,
    status: String,
    closed_on: Option<NaiveDate>,
    close_reason: Option<String>,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct GoalRow {
    id: i64,
    plan_id: i64,
    domain: String,
    description: String,
    measure: String,
    target_date: NaiveDate,
    term: String,
    outcome: Option<String>,
    outcome_on: Option<NaiveDate>,
    outcome_note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AgreementRow {
    id: i64,
    plan_id: i64,
    goal_id: i64,
    actor: String,
    actor_name: String,
    provider_id: Option<i64>,
    description: String,
    step: i64,
    form: String,
    frequency: String,
    start_on: NaiveDate,
    end_on: Option<NaiveDate>,
    own_contribution: String,
    reason1: Option<String>,
    reason2: Option<String>,
    reason3: Option<String>,
    reason4: Option<String>,
    referral_id: Option<i64>,
    last_evaluated_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    withdrawal_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: i64,
    plan_id: i64,
    requested_by: i64,
    requested_on: NaiveDate,
    care: String,
    reason1: String,
    reason2: String,
    reason3: String,
    reason4: String,
    status: String,
    decided_by: Option<i64>,
    decided_on: Option<NaiveDate>,
    decision_note: Option<String>,
}

fn justification(reasons: [Option<&str>; 4]) -> Option<Justification> {
    if reasons.iter().all(Option::is_none) {
        return None;
    }
    Some(Justification::new(reasons.iter().enumerate().filter_map(
        |(i, r)| Some((LadderStep::new(i as u8 + 1).ok()?, (*r)?.to_owned())),
    )))
}

fn step_of(v: i64) -> Result<LadderStep> {
    u8::try_from(v)
        .ok()
        .and_then(|v| LadderStep::new(v).ok())
        .ok_or_else(|| corrupt(format!("ladder step {v}")))
}

impl AgreementRow {
    fn into_stored(self) -> Result<StoredAgreement> {
        Ok(StoredAgreement {
            id: self.id,
            terms: NewAgreement {
                goal_id: self.goal_id,
                actor: AgreementActor::parse(&self.actor).map_err(corrupt)?,
                actor_name: self.actor_name,
                provider_id: self.provider_id,
                description: self.description,
                step: step_of(self.step)?,
                form: SupportForm::parse(&self.form).map_err(corrupt)?,
                frequency: self.frequency,
                start: self.start_on,
                end_date: self.end_on,
                own_contribution: self.own_contribution,
                justification: justification([
                    self.reason1.as_deref(),
                    self.reason2.as_deref(),
                    self.reason3.as_deref(),
                    self.reason4.as_deref(),
                ]),
                referral_id: self.referral_id,
            },
            last_evaluated: self.last_evaluated_on,
            ended_on: self.ended_on,
            withdrawal_reason: self.withdrawal_reason,
        })
    }
}

impl ReferralRow {
    fn into_stored(self) -> Result<StoredReferral> {
        let status = match (self.status.as_str(), self.decided_by, self.decided_on) {
            ("goedgekeurd", Some(by), Some(on)) => ReferralStatus::Approved {
                by,
                on,
                note: self.decision_note.unwrap_or_default(),
            },
            ("afgewezen", Some(by), Some(on)) => ReferralStatus::Rejected {
                by,
                on,
                reason: self.decision_note.unwrap_or_default(),
            },
            ("aangevraagd", _, _) => ReferralStatus::Pending,
            (other, _, _) => return Err(corrupt(format!("referral status {other}"))),
        };
        Ok(StoredReferral {
            id: self.id,
            plan_id: self.plan_id,
            requested_by: self.requested_by,
            requested_on: self.requested_on,
            care: self.care,
            justification: justification([
                Some(&self.reason1),
                Some(&self.reason2),
                Some(&self.reason3),
                Some(&self.reason4),
            ])
            .unwrap_or_else(|| Justification::new([])),
            status,
        })
    }
}

impl GoalRow {
    fn into_stored(self) -> Result<StoredGoal> {
        Ok(StoredGoal {
            id: self.id,
            goal: NewGoal {
                domain: LifeDomain::parse(&self.domain).map_err(corrupt)?,
                description: self.description,
                measure: self.measure,
                target_date: self.target_date,
                term: Term::parse(&self.term).map_err(corrupt)?,
            },
            result: match (self.outcome, self.outcome_on) {
                (Some(o), Some(on)) => Some(GoalResult {
                    outcome: GoalOutcome::parse(&o).map_err(corrupt)?,
                    on,
                    note: self.outcome_note.unwrap_or_default(),
                }),
                _ => None,
            },
        })
    }
}

const REFERRAL_COLS: &str =
    "r.id, r.plan_id, r.requested_by, r.requested_on, r.care, r.reason1, r.reason2, \
    r.reason3, r.reason4, r.status, r.decided_by, r.decided_on, r.decision_note";
const AGREEMENT_COLS: &str = "a.id, a.plan_id, a.goal_id, a.actor, a.actor_name, a.provider_id, a.description, \
    a.step, a.form, a.frequency, a.start_on, a.end_on, a.own_contribution, a.reason1, a.reason2, a.reason3, \
    a.reason4, a.referral_id, a.last_evaluated_on, a.ended_on, a.withdrawal_reason";

/// The household's casework as a domain value: coordinator and every plan with
/// its goals, agreements and referrals. Read through the domain's restore
/// path, so stored data that breaks a rule is refused ([`CaseError::Restore`]).
pub async fn load_case(tx: &mut Tx, household_id: i64) -> Result<HouseholdCase> {
    Ok(read_case(tx, household_id).await?.case)
}

/// A household's case as [`load_case`] reads it, with what a page shows beside it
/// and the same queries already hold.
pub struct CaseRead {
    pub case: HouseholdCase,
    /// The coordinator's display name.
    pub coordinator_name: Option<String>,
    /// Each plan's current version: (plan id, version).
    pub plan_versions: Vec<(i64, i64)>,
}

impl CaseRead {
    pub fn plan_version(&self, plan_id: i64) -> Option<i64> {
        self.plan_versions
            .iter()
            .find(|(id, _)| *id == plan_id)
            .map(|(_, v)| *v)
    }
}

/// [`load_case`], keeping the coordinator's name and the plans' versions.
pub async fn read_case(tx: &mut Tx, household_id: i64) -> Result<CaseRead> {
    let (coordinator, coordinator_name) = coordinator(tx, household_id)
        .await?
        .map_or((None, None), |(id, name)| (Some(id), Some(name)));
    let plans: Vec<PlanRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT id, household_id, opened_on, status, closed_on, close_reason, version FROM cw_plans \
         WHERE household_id = $1 ORDER BY id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?;
    let plan_versions: Vec<(i64, i64)> = plans.iter().map(|p| (p.id, p.version)).collect();
    if plans.is_empty() {
        return Ok(CaseRead {
            case: HouseholdCase::from_stored(household_id, coordinator, Vec::new())?,
            coordinator_name,
            plan_versions,
        });
    }
    let goals: Vec<GoalRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT g.id, g.plan_id, g.domain, g.description, g.measure, g.target_date, g.term, g.outcome, g.outcome_on, \
         g.outcome_note FROM cw_goals g JOIN cw_plans p ON p.id = g.plan_id WHERE p.household_id = $1 ORDER BY g.id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?;
    let agreements_sql = format!(
        "SELECT {AGREEMENT_COLS} FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
         WHERE p.household_id = $1 ORDER BY a.id"
    );
    let agreements: Vec<AgreementRow> = with_conn!(tx, |c| sqlx::query_as(&agreements_sql)
        .bind(household_id)
        .fetch_all(&mut *c)
        .await)?;
    let referrals_sql = format!(
        "SELECT {REFERRAL_COLS} FROM cw_referrals r JOIN cw_plans p ON p.id = r.plan_id \
         WHERE p.household_id = $1 ORDER BY r.id"
    );
    let referrals: Vec<ReferralRow> = with_conn!(tx, |c| sqlx::query_as(&referrals_sql)
        .bind(household_id)
        .fetch_all(&mut *c)
        .await)?;
    let mut stored: Vec<StoredPlan> = Vec::with_capacity(plans.len());
    for p in plans {
        let status = match (p.status.as_str(), p.closed_on) {
            ("open", _) => PlanStatus::Open,
            (_, Some(on)) => PlanStatus::Closed {
                on,
                reason: p.close_reason.unwrap_or_default(),
            },
            (s, None) => return Err(corrupt(format!("plan {} status {s} without date", p.id))),
        };
        stored.push(StoredPlan {
            id: p.id,
            household_id: p.household_id,
            opened_on: p.opened_on,
            status,
            goals: Vec::new(),
            agreements: Vec::new(),
            referrals: Vec::new(),
        });
    }
    let plan_of = |plan_id: i64| {
        stored
            .iter()
            .position(|p| p.id == plan_id)
            .ok_or_else(|| corrupt(format!("row of plan {plan_id} outside the household")))
    };
    let mut goals_by: Vec<(usize, StoredGoal)> = Vec::new();
    for g in goals {
        let i = plan_of(g.plan_id)?;
        goals_by.push((i, g.into_stored()?));
    }
    let mut agreements_by: Vec<(usize, StoredAgreement)> = Vec::new();
    for a in agreements {
        let i = plan_of(a.plan_id)?;
        agreements_by.push((i, a.into_stored()?));
    }
    let mut referrals_by: Vec<(usize, StoredReferral)> = Vec::new();
    for r in referrals {
        let i = plan_of(r.plan_id)?;
        referrals_by.push((i, r.into_stored()?));
    }
    for (i, g) in goals_by {
        stored[i].goals.push(g);
    }
    for (i, a) in agreements_by {
        stored[i].agreements.push(a);
    }
    for (i, r) in referrals_by {
        stored[i].referrals.push(r);
    }
    Ok(CaseRead {
        case: HouseholdCase::from_stored(household_id, coordinator, stored)?,
        coordinator_name,
        plan_versions,
    })
}

/// The plan's current version (for the hidden `versie` field).
pub async fn plan_version(tx: &mut Tx, plan_id: i64) -> Result<i64> {
    let v: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT version FROM cw_plans WHERE id = $1"
    )
    .bind(plan_id)
    .fetch_optional(&mut *c)
    .await)?;
    v.map(|v| v.0)
        .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")).into())
}

/// The household a plan belongs to.
pub async fn plan_household(tx: &mut Tx, plan_id: i64) -> Result<Option<i64>> {
    let v: Option<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT household_id FROM cw_plans WHERE id = $1"
    )
    .bind(plan_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(v.map(|v| v.0))
}

/// The household and plan a referral belongs to.
pub async fn referral_household(tx: &mut Tx, referral_id: i64) -> Result<Option<(i64, i64)>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT p.household_id, r.plan_id FROM cw_referrals r JOIN cw_plans p ON p.id = r.plan_id WHERE r.id = $1"
    )
    .bind(referral_id)
    .fetch_optional(&mut *c)
    .await
    })?)
}

/// The household and plan an agreement belongs to.
pub async fn agreement_household(tx: &mut Tx, agreement_id: i64) -> Result<Option<(i64, i64)>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT p.household_id, a.plan_id FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id WHERE a.id = $1"
    )
    .bind(agreement_id)
    .fetch_optional(&mut *c)
    .await
    })?)
}

/// Bumps the plan's version if it is still `expected`, and writes the history
/// line. A stale version is a [`StoreError::Conflict`].
async fn touch_plan(
    tx: &mut Tx,
    plan_id: i64,
    expected: i64,
    who: &Who,
    change: &str,
) -> Result<i64> {
    let n = exec!(tx, |c| {
        sqlx::query(
        "UPDATE cw_plans SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3"
    )
    .bind(now())
    .bind(plan_id)
    .bind(expected)
    .execute(&mut *c)
    .await
    })?;
    let next = versioned_update(tx, n, expected, format!("plan {plan_id}"), |tx| {
        Box::pin(async move { Ok(plan_version(tx, plan_id).await.is_ok()) })
    })
    .await?;
    history_line(tx, plan_id, who, change).await?;
    Ok(next)
}

async fn history_line(tx: &mut Tx, plan_id: i64, who: &Who, change: &str) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO cw_plan_history (plan_id, at, user_id, username, change) VALUES ($1,$2,$3,$4,$5)"
    )
    .bind(plan_id)
    .bind(now())
    .bind(who.user_id)
    .bind(&who.username)
    .bind(change)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// A plan to change: its id and, when the caller has already looked it up, the
/// household it belongs to. The web's scope check has to find a plan's household
/// before it lets a change through; handing it on here saves looking it up a
/// second time. A plan id alone converts too (`plan_id.into()`), and the
/// household is then looked up here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRef {
    pub id: i64,
    household_id: Option<i64>,
}

impl PlanRef {
    /// Plan `id` of household `household_id`. A plan of another household is
    /// not found: the change is refused, never applied to the wrong case.
    pub fn in_household(household_id: i64, id: i64) -> PlanRef {
        PlanRef {
            id,
            household_id: Some(household_id),
        }
    }
}

impl From<i64> for PlanRef {
    fn from(id: i64) -> PlanRef {
        PlanRef {
            id,
            household_id: None,
        }
    }
}

/// The case of the household the plan belongs to (the plan itself is then
/// taken from it with [`plan_in`], which refuses a plan of another household).
async fn case_of_plan(tx: &mut Tx, plan: PlanRef) -> Result<HouseholdCase> {
    let hh = match plan.household_id {
        Some(hh) => hh,
        None => plan_household(tx, plan.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("plan {}", plan.id)))?,
    };
    load_case(tx, hh).await
}

fn plan_in(case: &mut HouseholdCase, plan_id: i64) -> Result<&mut baken_domain::casework::Plan> {
    case.plan_mut(plan_id)
        .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")).into())
}

/// Opens the household's plan on `on` (one open plan, a coordinator needed,
/// a date that has been).
pub async fn open_plan(
    tx: &mut Tx,
    household_id: i64,
    on: NaiveDate,
    today: NaiveDate,
    who: &Who,
) -> Result<i64> {
    let case = load_case(tx, household_id).await?;
    case.check_new_plan(on, today)?;
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_plans (household_id, opened_on, opened_by, status, version, updated_at) \
         VALUES ($1, $2, $3, 'open', 1, $4) RETURNING id"
    )
    .bind(household_id)
    .bind(on)
    .bind(who.user_id)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    history_line(
        tx,
        id,
        who,
        &format!("plan geopend per {}", on.format("%d-%m-%Y")),
    )
    .await?;
    Ok(id)
}

pub async fn add_goal(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    goal: &NewGoal,
    who: &Who,
) -> Result<i64> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    plan_in(&mut case, plan_id)?.check_goal(goal)?;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!("doel toegevoegd: {}", goal.description.trim()),
    )
    .await?;
    let (id,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "INSERT INTO cw_goals (plan_id, domain, description, measure, target_date, term) \
         VALUES ($1,$2,$3,$4,$5,$6) RETURNING id"
    )
    .bind(plan_id)
    .bind(goal.domain.as_str())
    .bind(goal.description.trim())
    .bind(goal.measure.trim())
    .bind(goal.target_date)
    .bind(goal.term.as_str())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// Adds an agreement. One carried out by a provider refers to it by id
/// (`a.provider_id`); that, with the resident's consent, is what lets the
/// provider see the plan.
pub async fn add_agreement(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    a: &NewAgreement,
    who: &Who,
) -> Result<i64> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    plan_in(&mut case, plan_id)?.check_agreement(a)?;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!(
            "afspraak toegevoegd: trede {} ({}), {}",
            a.step.value(),
            a.step.name(),
            a.actor_name.trim()
        ),
    )
    .await?;
    let reason = |s: u8| {
        a.justification
            .as_ref()
            .and_then(|j| j.reason(LadderStep::new(s).ok()?).map(str::to_owned))
    };
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_agreements (plan_id, goal_id, actor, actor_name, provider_id, description, step, form, frequency, \
         start_on, end_on, own_contribution, reason1, reason2, reason3, reason4, referral_id, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING id"
    )
    .bind(plan_id)
    .bind(a.goal_id)
    .bind(a.actor.as_str())
    .bind(a.actor_name.trim())
    .bind(a.provider_id)
    .bind(a.description.trim())
    .bind(i64::from(a.step.value()))
    .bind(a.form.label())
    .bind(a.frequency.trim())
    .bind(a.start)
    .bind(a.end_date)
    .bind(a.own_contribution.trim())
    .bind(reason(1))
    .bind(reason(2))
    .bind(reason(3))
    .bind(reason(4))
    .bind(a.referral_id)
    .bind(now())
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Ends an agreement on `on`.
#[allow(clippy::too_many_arguments)]
pub async fn end_agreement(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    agreement_id: i64,
    on: NaiveDate,
    today: NaiveDate,
    who: &Who,
) -> Result<()> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    plan_in(&mut case, plan_id)?.end_agreement(agreement_id, on, today)?;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!("afspraak {agreement_id} beëindigd"),
    )
    .await?;
    write_ended(tx, agreement_id, on).await
}

/// Withdraws an agreement entered by mistake ("vervallen") on `on`, with a
/// reason ([`baken_domain::casework::Plan::withdraw_agreement`]).
#[allow(clippy::too_many_arguments)]
pub async fn withdraw_agreement(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    agreement_id: i64,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
    who: &Who,
) -> Result<()> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    let plan = plan_in(&mut case, plan_id)?;
    plan.withdraw_agreement(agreement_id, on, reason, today)?;
    let reason = plan
        .agreements()
        .iter()
        .find(|a| a.id() == agreement_id)
        .and_then(|a| a.withdrawal_reason())
        .unwrap_or_default()
        .to_owned();
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!("afspraak {agreement_id} vervallen: {reason}"),
    )
    .await?;
    exec!(tx, |c| sqlx::query(
        "UPDATE cw_agreements SET ended_on = $1, withdrawal_reason = $2 WHERE id = $3"
    )
    .bind(on)
    .bind(&reason)
    .bind(agreement_id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

async fn write_ended(tx: &mut Tx, agreement_id: i64, on: NaiveDate) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "UPDATE cw_agreements SET ended_on = $1 WHERE id = $2"
    )
    .bind(on)
    .bind(agreement_id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

async fn write_continued(
    tx: &mut Tx,
    agreement_id: i64,
    on: NaiveDate,
    next: Option<NaiveDate>,
) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "UPDATE cw_agreements SET last_evaluated_on = $1, end_on = $2 WHERE id = $3"
    )
    .bind(on)
    .bind(next)
    .bind(agreement_id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

fn nl(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// Evaluates an agreement on `on` and continues it until `next`.
#[allow(clippy::too_many_arguments)]
pub async fn continue_agreement(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    agreement_id: i64,
    on: NaiveDate,
    next: Option<NaiveDate>,
    today: NaiveDate,
    who: &Who,
) -> Result<()> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    plan_in(&mut case, plan_id)?.continue_agreement(agreement_id, on, next, today)?;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!(
            "afspraak {agreement_id} geëvalueerd op {} en voortgezet{}",
            nl(on),
            next.map(|n| format!(" tot {}", nl(n))).unwrap_or_default()
        ),
    )
    .await?;
    write_continued(tx, agreement_id, on, next).await
}

/// Asks a team lead for step 5.
#[allow(clippy::too_many_arguments)]
pub async fn request_referral(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    care: &str,
    justification: Justification,
    on: NaiveDate,
    today: NaiveDate,
    who: &Who,
) -> Result<i64> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    let care = plan_in(&mut case, plan_id)?.check_referral(care, &justification, on, today)?;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!("verwijzing aangevraagd: {care}"),
    )
    .await?;
    let reason = |s: u8| {
        LadderStep::new(s)
            .ok()
            .and_then(|s| justification.reason(s))
            .unwrap_or_default()
            .to_owned()
    };
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_referrals (plan_id, requested_by, requested_on, care, reason1, reason2, reason3, reason4, status) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'aangevraagd') RETURNING id"
    )
    .bind(plan_id)
    .bind(who.user_id)
    .bind(on)
    .bind(&care)
    .bind(reason(1))
    .bind(reason(2))
    .bind(reason(3))
    .bind(reason(4))
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Records a waiting referral that the team's mandate covers as approved
/// without a team lead (the domain refuses one outside the mandate, and then
/// nothing is written). Called in the transaction that requested it.
pub async fn approve_within_mandate(
    tx: &mut Tx,
    referral_id: i64,
    decision: &baken_domain::contracting::MandateDecision,
    who: &Who,
) -> Result<Referral> {
    let (household_id, plan_id) = referral_household(tx, referral_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("referral {referral_id}")))?;
    let mut case = case_of_plan(tx, PlanRef::in_household(household_id, plan_id)).await?;
    let r = plan_in(&mut case, plan_id)?
        .approve_within_mandate(referral_id, decision)?
        .clone();
    let ReferralStatus::Approved { by, on, note } = r.status() else {
        return Err(corrupt(format!(
            "referral {referral_id} not approved within the mandate"
        )));
    };
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE cw_referrals SET status = $1, decided_by = $2, decided_on = $3, decision_note = $4 \
             WHERE id = $5 AND status = 'aangevraagd'",
        )
        .bind(r.status().code())
        .bind(*by)
        .bind(*on)
        .bind(note)
        .bind(referral_id)
        .execute(&mut *c)
        .await
    })?;
    history_line(
        tx,
        plan_id,
        who,
        &format!("verwijzing {referral_id} goedgekeurd: {note}"),
    )
    .await?;
    Ok(r)
}

/// A team lead approves or rejects a waiting referral (a rejection needs a
/// reason). A decision that someone else took first — read as waiting, but
/// decided by the time this one writes — fails with
/// [`ReferralError::AlreadyDecided`] and writes nothing.
pub async fn decide_referral(
    tx: &mut Tx,
    referral_id: i64,
    approve: bool,
    note: &str,
    on: NaiveDate,
    today: NaiveDate,
    who: &Who,
) -> Result<Referral> {
    let (household_id, plan_id) = referral_household(tx, referral_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("referral {referral_id}")))?;
    let mut case = case_of_plan(tx, PlanRef::in_household(household_id, plan_id)).await?;
    let r = plan_in(&mut case, plan_id)?
        .decide_referral(referral_id, who.role, who.user_id, on, approve, note, today)?
        .clone();
    let note = match r.status() {
        ReferralStatus::Approved { note, .. } => note.clone(),
        ReferralStatus::Rejected { reason, .. } => reason.clone(),
        ReferralStatus::Pending => String::new(),
    };
    let n = exec!(tx, |c| {
        sqlx::query(
        "UPDATE cw_referrals SET status = $1, decided_by = $2, decided_on = $3, decision_note = $4 \
         WHERE id = $5 AND status = 'aangevraagd'"
    )
    .bind(r.status().code())
    .bind(who.user_id)
    .bind(on)
    .bind(&note)
    .bind(referral_id)
    .execute(&mut *c)
    .await
    })?;
    if n == 0 {
        // Decided in the meantime by someone else: nothing of ours is written.
        return Err(ReferralError::AlreadyDecided.into());
    }
    history_line(
        tx,
        plan_id,
        who,
        &format!("verwijzing {} {}: {}", referral_id, r.status().code(), note),
    )
    .await?;
    Ok(r)
}

/// Records an evaluation: outcome per goal, the agreements it continues or
/// ends, and a new measurement — all of it in one transaction, or nothing.
#[allow(clippy::too_many_arguments)]
pub async fn record_evaluation(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    evaluation: &Evaluation,
    scores: &Scores,
    rung: Option<ParticipationRung>,
    note: &str,
    today: NaiveDate,
    who: &Who,
) -> Result<i64> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    let plan = plan_in(&mut case, plan_id)?;
    plan.evaluate(evaluation, today)?;
    let continued = evaluation
        .agreements
        .iter()
        .filter(|(_, d)| matches!(d, AgreementDecision::Continue { .. }))
        .count();
    let ended = evaluation.agreements.len() - continued;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!(
            "evaluatie vastgelegd op {}: {} doelen beoordeeld, {continued} afspraken voortgezet, {ended} beëindigd",
            nl(evaluation.on),
            evaluation.outcomes.len()
        ),
    )
    .await?;
    let household = case.household_id();
    let m = add_measurement(tx, household, evaluation.on, scores, rung, "evaluatie").await?;
    for (goal_id, outcome, gnote) in &evaluation.outcomes {
        exec!(tx, |c| sqlx::query(
            "UPDATE cw_goals SET outcome = $1, outcome_on = $2, outcome_note = $3 WHERE id = $4"
        )
        .bind(outcome.as_str())
        .bind(evaluation.on)
        .bind(gnote.trim())
        .bind(goal_id)
        .execute(&mut *c)
        .await)?;
    }
    for (agreement_id, decision) in &evaluation.agreements {
        match decision {
            AgreementDecision::Continue { until } => {
                write_continued(tx, *agreement_id, evaluation.on, *until).await?
            }
            AgreementDecision::End => write_ended(tx, *agreement_id, evaluation.on).await?,
        }
    }
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_evaluations (plan_id, held_on, measurement_id, note, created_by) VALUES ($1,$2,$3,$4,$5) RETURNING id"
    )
    .bind(plan_id)
    .bind(evaluation.on)
    .bind(m)
    .bind(note.trim())
    .bind(who.user_id)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

/// Closes a plan once every agreement has ended.
#[allow(clippy::too_many_arguments)]
pub async fn close_plan(
    tx: &mut Tx,
    plan: impl Into<PlanRef>,
    version: i64,
    on: NaiveDate,
    reason: &str,
    today: NaiveDate,
    who: &Who,
) -> Result<()> {
    let plan: PlanRef = plan.into();
    let plan_id = plan.id;
    let mut case = case_of_plan(tx, plan).await?;
    plan_in(&mut case, plan_id)?.close(on, reason, today)?;
    touch_plan(
        tx,
        plan_id,
        version,
        who,
        &format!("plan gesloten: {}", reason.trim()),
    )
    .await?;
    exec!(tx, |c| sqlx::query(
        "UPDATE cw_plans SET status = 'gesloten', closed_on = $1, close_reason = $2 WHERE id = $3"
    )
    .bind(on)
    .bind(reason.trim())
    .bind(plan_id)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// A resident's own note on their progress.
pub async fn add_progress(tx: &mut Tx, plan_id: i64, user_id: i64, note: &str) -> Result<i64> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(PlanError::Text("voortgang").into());
    }
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO cw_progress (plan_id, at, user_id, note) VALUES ($1,$2,$3,$4) RETURNING id"
    )
    .bind(plan_id)
    .bind(now())
    .bind(user_id)
    .bind(note)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProgressRow {
    pub at: chrono::DateTime<chrono::Utc>,
    pub note: String,
}

pub async fn progress(tx: &mut Tx, plan_id: i64) -> Result<Vec<ProgressRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT at, note FROM cw_progress WHERE plan_id = $1 ORDER BY id"
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HistoryRow {
    pub at: chrono::DateTime<chrono::Utc>,
    pub username: String,
    pub change: String,
}

/// Who changed what when, oldest first.
pub async fn history(tx: &mut Tx, plan_id: i64) -> Result<Vec<HistoryRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT at, username, change FROM cw_plan_history WHERE plan_id = $1 ORDER BY id"
    )
    .bind(plan_id)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- providers

/// May a provider see this household on `today`? Only while the resident's
/// consent for that provider holds and covers a running agreement it carries
/// out in the household's open plan ([`crate::timeline::provider_view`]).
pub async fn provider_may_see(
    tx: &mut Tx,
    provider_id: i64,
    household_id: i64,
    today: NaiveDate,
) -> Result<bool> {
    Ok(
        crate::timeline::provider_view(tx, provider_id, household_id, today)
            .await?
            .may_see(),
    )
}

/// The households a provider may see today.
pub async fn provider_households(
    tx: &mut Tx,
    provider_id: i64,
    today: NaiveDate,
) -> Result<Vec<Hit>> {
    crate::timeline::provider_households(tx, provider_id, today).await
}

// ---------------------------------------------------------------- working views

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CaseloadRow {
    pub household_id: i64,
    pub street: String,
    pub house_number: i64,
    pub house_letter: String,
    pub addition: String,
    pub plan_id: Option<i64>,
    pub next_date: Option<NaiveDate>,
    pub overdue_agreements: i64,
    pub referrals_waiting: i64,
    pub referrals_answered: i64,
    pub open_signals: i64,
}

/// A generalist's households with what needs doing next. `today` decides what
/// is overdue; referrals answered since `answered_since` are shown.
pub async fn caseload(
    tx: &mut Tx,
    generalist: i64,
    today: NaiveDate,
    answered_since: NaiveDate,
    page: i64,
    page_size: i64,
) -> Result<crate::Page<CaseloadRow>> {
    let page = page.max(1);
    let (total,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM cw_cases WHERE coordinator_id = $1"
    )
    .bind(generalist)
    .fetch_one(&mut *c)
    .await)?;
    let items = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT h.id AS household_id, h.street, h.house_number, h.house_letter, h.addition, p.id AS plan_id, \
           (SELECT MIN(a.end_on) FROM cw_agreements a WHERE a.plan_id = p.id AND a.ended_on IS NULL) AS next_date, \
           (SELECT COUNT(*) FROM cw_agreements a WHERE a.plan_id = p.id AND a.ended_on IS NULL AND a.end_on < $2 \
              AND (a.last_evaluated_on IS NULL OR a.last_evaluated_on < a.end_on)) AS overdue_agreements, \
           (SELECT COUNT(*) FROM cw_referrals r WHERE r.plan_id = p.id AND r.status = 'aangevraagd') AS referrals_waiting, \
           (SELECT COUNT(*) FROM cw_referrals r WHERE r.plan_id = p.id AND r.status <> 'aangevraagd' AND r.decided_on >= $3) AS referrals_answered, \
           (SELECT COUNT(*) FROM cw_signals s WHERE s.household_id = h.id AND s.first_contact_on IS NULL AND s.closed_on IS NULL) AS open_signals \
         FROM cw_cases c JOIN households h ON h.id = c.household_id \
         LEFT JOIN cw_plans p ON p.household_id = h.id AND p.status = 'open' \
         WHERE c.coordinator_id = $1 ORDER BY h.id LIMIT $4 OFFSET $5"
    )
    .bind(generalist)
    .bind(today)
    .bind(answered_since)
    .bind(page_size)
    .bind((page - 1) * page_size)
    .fetch_all(&mut *c)
    .await
    })?;
    Ok(crate::Page {
        items,
        total,
        page,
        page_size,
    })
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TeamMemberLoad {
    pub user_id: i64,
    pub display_name: String,
    pub households: i64,
    pub open_plans: i64,
}

/// Caseload per generalist of a team.
pub async fn team_load(tx: &mut Tx, team_id: i64) -> Result<Vec<TeamMemberLoad>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, COUNT(c.household_id) AS households, COUNT(p.id) AS open_plans \
         FROM users u LEFT JOIN cw_cases c ON c.coordinator_id = u.id \
         LEFT JOIN cw_plans p ON p.household_id = c.household_id AND p.status = 'open' \
         WHERE u.team_id = $1 AND u.role = 'generalist' GROUP BY u.id, u.display_name ORDER BY u.display_name"
    )
    .bind(team_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct WaitingReferral {
    pub id: i64,
    pub plan_id: i64,
    pub household_id: i64,
    pub street: String,
    pub house_number: i64,
    pub care: String,
    pub requested_on: NaiveDate,
    pub requested_by_name: String,
    pub status: String,
    pub decision_note: Option<String>,
    pub decided_on: Option<NaiveDate>,
    /// Why lighter steps 1–4 do not suffice (the generalist's reasons).
    pub reason1: String,
    pub reason2: String,
    pub reason3: String,
    pub reason4: String,
}

impl WaitingReferral {
    /// The reasons per lighter step, blank ones left out.
    pub fn reasons(&self) -> Vec<(u8, &str)> {
        [&self.reason1, &self.reason2, &self.reason3, &self.reason4]
            .into_iter()
            .zip(1u8..)
            .filter(|(reason, _)| !reason.trim().is_empty())
            .map(|(reason, step)| (step, reason.as_str()))
            .collect()
    }
}

/// Referrals of a team's households, waiting ones first.
pub async fn team_referrals(
    tx: &mut Tx,
    team_id: i64,
    waiting_only: bool,
) -> Result<Vec<WaitingReferral>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT r.id, r.plan_id, h.id AS household_id, h.street, h.house_number, r.care, r.requested_on, \
         u.display_name AS requested_by_name, r.status, r.decision_note, r.decided_on, \
         r.reason1, r.reason2, r.reason3, r.reason4 FROM cw_referrals r \
         JOIN cw_plans p ON p.id = r.plan_id JOIN households h ON h.id = p.household_id \
         JOIN users u ON u.id = r.requested_by WHERE h.team_id = $1 AND ($2 = FALSE OR r.status = 'aangevraagd') \
         ORDER BY CASE WHEN r.status = 'aangevraagd' THEN 0 ELSE 1 END, r.requested_on, r.id LIMIT 200"
    )
    .bind(team_id)
    .bind(waiting_only)
    .fetch_all(&mut *c)
    .await
    })?)
}

// ---------------------------------------------------------------- bakens

/// Which part of the casework a figure covers.
#[derive(Debug, Clone, Default)]
pub struct FigureFilter {
    pub team_id: Option<i64>,
    pub district: Option<String>,
    /// A whole quarter or year; `None` is every period. Never free dates: two
    /// periods a day apart could be subtracted (`baken_domain::period`).
    pub period: Option<baken_domain::period::Period>,
}

/// The plain values the bakens figures are computed from (no person in them).
#[derive(Debug, Clone, Default)]
pub struct BakensFacts {
    pub need_differs: Vec<baken_domain::casework::bakens::ConversationFact>,
    pub agreements: Vec<baken_domain::casework::bakens::AgreementFact>,
    pub signal_to_contact: Vec<baken_domain::casework::bakens::ContactFact>,
    pub plans: Vec<baken_domain::casework::bakens::PlanFact>,
    pub goals: Vec<baken_domain::casework::bakens::GoalFact>,
    pub score_changes: Vec<baken_domain::casework::bakens::ScoreChange>,
}

impl BakensFacts {
    pub fn figures(&self) -> Vec<baken_domain::casework::bakens::Figure> {
        use baken_domain::casework::bakens as b;
        vec![
            b::baken1(&self.need_differs),
            b::baken2(&self.agreements),
            b::baken3(&self.signal_to_contact),
            b::baken4(&self.agreements),
            b::baken5(&self.agreements),
            b::baken6(&self.plans),
            b::baken7(&self.goals, &self.score_changes),
            b::baken8(&self.agreements),
        ]
    }
}

impl BakensFacts {
    fn extend(&mut self, other: &BakensFacts) {
        self.need_differs.extend_from_slice(&other.need_differs);
        self.agreements.extend_from_slice(&other.agreements);
        self.signal_to_contact
            .extend_from_slice(&other.signal_to_contact);
        self.plans.extend_from_slice(&other.plans);
        self.goals.extend_from_slice(&other.goals);
        self.score_changes.extend_from_slice(&other.score_changes);
    }
}

/// The facts behind the bakens for several periods at once, per district:
/// what [`bakens_facts`] gives for one period and one district, for all of
/// them from one query per kind of fact (the dashboard's eight quarters for
/// the municipality and every district: 6 queries instead of 6 × 8 × 9).
#[derive(Debug, Clone, Default)]
pub struct FactsByDistrict {
    periods: usize,
    /// Per district (`None`: households without one), the facts per period.
    by_district: BTreeMap<Option<String>, Vec<BakensFacts>>,
}

impl FactsByDistrict {
    fn slot(&mut self, district: Option<String>) -> &mut Vec<BakensFacts> {
        let n = self.periods;
        self.by_district
            .entry(district)
            .or_insert_with(|| vec![BakensFacts::default(); n])
    }

    /// The facts per period of one district, or of every household when `None`.
    pub fn of(&self, district: Option<&str>) -> Vec<BakensFacts> {
        match district {
            Some(d) => self
                .by_district
                .get(&Some(d.to_owned()))
                .cloned()
                .unwrap_or_else(|| vec![BakensFacts::default(); self.periods]),
            None => {
                let mut all = vec![BakensFacts::default(); self.periods];
                for per_period in self.by_district.values() {
                    for (a, f) in all.iter_mut().zip(per_period) {
                        a.extend(f);
                    }
                }
                all
            }
        }
    }
}

/// Which of `periods` (sorted, not overlapping) holds `day`.
fn period_of(periods: &[(NaiveDate, NaiveDate)], day: NaiveDate) -> Option<usize> {
    periods
        .iter()
        .position(|(from, until)| *from <= day && day <= *until)
}

const HH_FILTER: &str = "($1 IS NULL OR h.team_id = $1) AND ($2 IS NULL OR h.district_code = $2)";

/// The facts behind the bakens; `norms` decide which first contacts were on time,
/// and `secret` gives every record its cell key (`baken_domain::cell_key`).
pub async fn bakens_facts(
    tx: &mut Tx,
    f: &FigureFilter,
    norms: &ResponseNorms,
    secret: &CellKeySecret,
) -> Result<BakensFacts> {
    // Bounds that compare correctly as ISO text on SQLite too.
    let period = match f.period {
        Some(p) => (p.first_day(), p.last_day()),
        None => (
            NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
        ),
    };
    let by_district = bakens_facts_per_period(
        tx,
        f.team_id,
        f.district.as_deref(),
        &[period],
        norms,
        secret,
    )
    .await?;
    Ok(by_district
        .of(f.district.as_deref())
        .into_iter()
        .next()
        .unwrap_or_default())
}

/// The facts behind the bakens for each of `periods` (sorted, not
/// overlapping), per district, for the households of `team_id` and
/// `district` (all when `None`).
pub async fn bakens_facts_per_period(
    tx: &mut Tx,
    team_id: Option<i64>,
    district: Option<&str>,
    periods: &[(NaiveDate, NaiveDate)],
    norms: &ResponseNorms,
    secret: &CellKeySecret,
) -> Result<FactsByDistrict> {
    use baken_domain::casework::bakens::{
        AgreementFact, ContactFact, ConversationFact, GoalFact, PlanFact, ScoreChange,
    };
    let key = |kind: &str, id: i64| RecordKey::derive(secret, kind, id);
    let mut out = FactsByDistrict {
        periods: periods.len(),
        by_district: BTreeMap::new(),
    };
    let (Some(&(from, _)), Some(&(_, until))) = (periods.first(), periods.last()) else {
        return Ok(out);
    };

    // Many rows (every fact of two years in the dashboard): read packed.
    let sql = format!(
        "SELECT k.id AS id, CASE WHEN k.need_differs THEN 1 ELSE 0 END AS differs, \
         h.district_code AS d, k.held_on AS dt FROM cw_conversations k \
         JOIN households h ON h.id = k.household_id \
         WHERE {HH_FILTER} AND k.held_on >= $3 AND k.held_on <= $4"
    );
    let rows: Vec<(i64, i64, Option<String>, NaiveDate)> =
        fetch_packed!(tx, &["id", "differs", "d", "dt"], sql, |q| q
            .bind(team_id)
            .bind(district)
            .bind(from)
            .bind(until))?;
    for (id, differs, d, on) in rows {
        if let Some(i) = period_of(periods, on) {
            out.slot(d)[i].need_differs.push(ConversationFact {
                need_differs: differs != 0,
                key: key("conversation", id),
            });
        }
    }

    let sql = format!(
        "SELECT a.id AS id, a.step AS step, a.actor AS actor, h.district_code AS d, a.start_on AS dt \
         FROM cw_agreements a \
         JOIN cw_plans p ON p.id = a.plan_id JOIN households h ON h.id = p.household_id \
         WHERE {HH_FILTER} AND a.start_on >= $3 AND a.start_on <= $4"
    );
    let rows: Vec<(i64, i64, String, Option<String>, NaiveDate)> =
        fetch_packed!(tx, &["id", "step", "actor", "d", "dt"], sql, |q| q
            .bind(team_id)
            .bind(district)
            .bind(from)
            .bind(until))?;
    for (id, step, actor, d, on) in rows {
        let step = step_of(step)?;
        let actor = AgreementActor::parse(&actor).map_err(corrupt)?;
        if let Some(i) = period_of(periods, on) {
            out.slot(d)[i].agreements.push(AgreementFact {
                step,
                by_volunteer: actor == AgreementActor::Volunteer,
                by_professional: actor.is_professional(),
                key: key("agreement", id),
            });
        }
    }

    let sql = format!(
        "SELECT s.id AS id, s.reported_on AS reported, s.first_contact_on AS contact, s.urgency AS urgency, \
         h.district_code AS d FROM cw_signals s JOIN households h ON h.id = s.household_id \
         WHERE {HH_FILTER} AND s.first_contact_on >= $3 AND s.first_contact_on <= $4"
    );
    let rows: Vec<(i64, NaiveDate, NaiveDate, String, Option<String>)> = fetch_packed!(
        tx,
        &["id", "reported", "contact", "urgency", "d"],
        sql,
        |q| q.bind(team_id).bind(district).bind(from).bind(until)
    )?;
    for (id, reported, first_contact, urgency, d) in rows {
        let urgency = Urgency::parse(&urgency).map_err(corrupt)?;
        if let Some(i) = period_of(periods, first_contact) {
            out.slot(d)[i].signal_to_contact.push(ContactFact {
                reported,
                first_contact,
                within_norm: first_contact <= norms.due(reported, urgency),
                key: key("signal", id),
            });
        }
    }

    // Plans open now that were opened by a period's end count in that period.
    let sql = format!(
        "SELECT p.id AS id, \
           (SELECT COUNT(DISTINCT a.actor_name) FROM cw_agreements a WHERE a.plan_id = p.id AND a.ended_on IS NULL \
              AND (a.actor IN ('generalist', 'specialist') OR a.step >= 4)) AS professionals, \
           (SELECT COUNT(DISTINCT g.domain) FROM cw_goals g WHERE g.plan_id = p.id) AS domains, \
           h.district_code AS d, p.opened_on AS dt \
         FROM cw_plans p JOIN households h ON h.id = p.household_id WHERE {HH_FILTER} AND p.status = 'open' \
         AND p.opened_on <= $3"
    );
    let rows: Vec<(i64, i64, i64, Option<String>, NaiveDate)> = fetch_packed!(
        tx,
        &["id", "professionals", "domains", "d", "dt"],
        sql,
        |q| q.bind(team_id).bind(district).bind(until)
    )?;
    for (id, professionals, domains, d, opened) in rows {
        let fact = PlanFact {
            professionals,
            domains,
            key: key("plan", id),
        };
        let slot = out.slot(d);
        for (i, (_, end)) in periods.iter().enumerate() {
            if opened <= *end {
                slot[i].plans.push(fact);
            }
        }
    }

    let sql = format!(
        "SELECT g.id AS id, g.target_date AS target, g.outcome_on AS dt, g.outcome AS outcome, \
         h.district_code AS d FROM cw_goals g \
         JOIN cw_plans p ON p.id = g.plan_id JOIN households h ON h.id = p.household_id \
         WHERE {HH_FILTER} AND g.outcome_on >= $3 AND g.outcome_on <= $4"
    );
    type GoalRow = (
        i64,
        NaiveDate,
        Option<NaiveDate>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<GoalRow> =
        fetch_packed!(tx, &["id", "target", "dt", "outcome", "d"], sql, |q| q
            .bind(team_id)
            .bind(district)
            .bind(from)
            .bind(until))?;
    for (id, target_date, evaluated_on, outcome, d) in rows {
        if let Some(i) = evaluated_on.and_then(|on| period_of(periods, on)) {
            out.slot(d)[i].goals.push(GoalFact {
                target_date,
                evaluated_on,
                achieved: outcome.as_deref() == Some("behaald"),
                key: key("goal", id),
            });
        }
    }

    // Score change per household evaluated in a period: its first measurement
    // to the last one up to the period's end. One row per measurement with
    // the sum and number of its scores ('nvt' left out), so the mean is the
    // same as over the scores one by one.
    let sql = format!(
        "SELECT m.household_id AS hh, m.measured_on AS dt, m.id AS id, m.source AS src, h.district_code AS d, \
           (SELECT SUM(CASE WHEN s.score <> 'nvt' THEN CAST(s.score AS INTEGER) ELSE 0 END) \
              FROM cw_scores s WHERE s.measurement_id = m.id) AS total, \
           (SELECT SUM(CASE WHEN s.score <> 'nvt' THEN 1 ELSE 0 END) \
              FROM cw_scores s WHERE s.measurement_id = m.id) AS n \
         FROM cw_measurements m JOIN households h ON h.id = m.household_id \
         WHERE {HH_FILTER} AND m.measured_on <= $4 \
         AND EXISTS (SELECT 1 FROM cw_scores s WHERE s.measurement_id = m.id) \
         AND m.household_id IN \
           (SELECT m2.household_id FROM cw_measurements m2 WHERE m2.source = 'evaluatie' \
            AND m2.measured_on >= $3 AND m2.measured_on <= $4)"
    );
    type Measured = (i64, NaiveDate, i64, String, Option<String>, i64, i64);
    let mut measured: Vec<Measured> = fetch_packed!(
        tx,
        &["hh", "dt", "id", "src", "d", "total", "n"],
        sql,
        |q| q.bind(team_id).bind(district).bind(from).bind(until)
    )?;
    measured.sort_by_key(|r| (r.0, r.1, r.2));
    let mean = |r: &Measured| (r.6 > 0).then(|| r.5 as f64 / r.6 as f64);
    for household in measured.chunk_by(|a, b| a.0 == b.0) {
        let (hh, district) = (household[0].0, &household[0].4);
        let mut evaluated = vec![false; periods.len()];
        for r in household.iter().filter(|r| r.3 == "evaluatie") {
            if let Some(i) = period_of(periods, r.1) {
                evaluated[i] = true;
            }
        }
        for (i, (_, end)) in periods.iter().enumerate() {
            // The household's measurements up to the period's end (sorted by date).
            let upto = &household[..household.partition_point(|r| r.1 <= *end)];
            if !evaluated[i] || upto.len() < 2 {
                continue;
            }
            if let (Some(a), Some(b)) = (mean(&upto[0]), mean(&upto[upto.len() - 1])) {
                out.slot(district.clone())[i]
                    .score_changes
                    .push(ScoreChange {
                        change: b - a,
                        key: key("household", hh),
                    });
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- response norms

/// One version of the response norms, with who set it when.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NormsVersion {
    pub version: i64,
    pub norms: ResponseNorms,
    pub set_at: chrono::DateTime<chrono::Utc>,
    pub set_by: Option<String>,
}

type NormsRow = (
    i64,
    i64,
    i64,
    i64,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
);

fn norms_of(r: NormsRow) -> Result<NormsVersion> {
    let days = |v: i64| u32::try_from(v).map_err(|_| corrupt(format!("response norm {v}")));
    Ok(NormsVersion {
        version: r.0,
        norms: ResponseNorms::new(days(r.1)?, days(r.2)?, days(r.3)?).map_err(corrupt)?,
        set_at: r.4,
        set_by: r.5,
    })
}

/// The versions of the response norms, newest first; the first is current.
pub async fn norms_history(tx: &mut Tx, limit: i64) -> Result<Vec<NormsVersion>> {
    let rows: Vec<NormsRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT n.version, n.crisis, n.urgent, n.normaal, n.set_at, u.display_name FROM cw_response_norms n \
         LEFT JOIN users u ON u.id = n.set_by ORDER BY n.version DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(&mut *c)
    .await
    })?;
    rows.into_iter().map(norms_of).collect()
}

/// The response norms in force, and their version. Without any stored
/// version (a database migrated before the norms existed cannot be one, the
/// migration writes version 1) the defaults apply.
pub async fn response_norms(tx: &mut Tx) -> Result<(ResponseNorms, i64)> {
    Ok(norms_history(tx, 1)
        .await?
        .into_iter()
        .next()
        .map(|v| (v.norms, v.version))
        .unwrap_or((ResponseNorms::default(), 0)))
}

/// Sets new norms if `expected` is still the current version. A stale version,
/// or another beheerder saving at the same moment, is a [`StoreError::Conflict`].
pub async fn set_response_norms(
    tx: &mut Tx,
    norms: &ResponseNorms,
    expected: i64,
    who: &Who,
) -> Result<i64> {
    let (_, current) = response_norms(tx).await?;
    let conflict = || {
        CaseError::Store(StoreError::Conflict {
            what: "de responsnormen".into(),
            expected,
        })
    };
    if current != expected {
        return Err(conflict());
    }
    let inserted = exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO cw_response_norms (version, crisis, urgent, normaal, set_at, set_by) VALUES ($1,$2,$3,$4,$5,$6)"
    )
    .bind(expected + 1)
    .bind(i64::from(norms.crisis()))
    .bind(i64::from(norms.urgent()))
    .bind(i64::from(norms.normaal()))
    .bind(now())
    .bind(who.user_id)
    .execute(&mut *c)
    .await
    });
    match inserted {
        Ok(_) => Ok(expected + 1),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(conflict()),
        Err(e) => Err(e.into()),
    }
}

/// Counts for the demo summary and tests.
pub async fn counts(tx: &mut Tx) -> StoreResult<(i64, i64, i64)> {
    let (s,): (i64,) = with_conn!(tx, |c| sqlx::query_as("SELECT COUNT(*) FROM cw_signals")
        .fetch_one(&mut *c)
        .await)?;
    let (p,): (i64,) = with_conn!(tx, |c| sqlx::query_as("SELECT COUNT(*) FROM cw_plans")
        .fetch_one(&mut *c)
        .await)?;
    let (a,): (i64,) = with_conn!(tx, |c| sqlx::query_as("SELECT COUNT(*) FROM cw_agreements")
        .fetch_one(&mut *c)
        .await)?;
    Ok((s, p, a))
}

// ---------------------------------------------------------------- demo

#[cfg(feature = "demo")]
pub(crate) async fn first_user(
    tx: &mut Tx,
    role: &str,
    team: Option<i64>,
) -> Result<Option<(i64, String)>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, username FROM users WHERE role = $1 AND team_id = $2 ORDER BY id LIMIT 1"
    )
    .bind(role)
    .bind(team)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Adds casework in every stage to the demo municipality, through the same
/// rules as the pages. Returns the number of households with casework.
#[cfg(feature = "demo")]
pub async fn load_demo(
    tx: &mut Tx,
    m: &baken_synth::Municipality,
    config: &baken_synth::Config,
    provider_ids: &[i64],
) -> Result<u64> {
    use baken_domain::casework::{NetworkMember, UnderlyingNeed};
    use baken_synth::casework::{cases, source, Stage};
    let day = |d: NaiveDate, n: i64| d + chrono::Duration::days(n);
    let reference = config.reference_date;
    // A provider of the spec, by index: its id and its name.
    let provider = |i: usize| -> Result<(i64, String)> {
        let id = provider_ids
            .get(i)
            .copied()
            .ok_or_else(|| corrupt(format!("demo provider {i}")))?;
        let name = m
            .providers
            .get(i)
            .map(|p| p.name.clone())
            .ok_or_else(|| corrupt(format!("demo provider {i}")))?;
        Ok((id, name))
    };
    let mut done = 0u64;
    for spec in cases(m, config) {
        let hh_id = spec.household as i64 + 1;
        let hh: Option<(String, i64, String, String, Option<i64>)> = with_conn!(tx, |c| {
            sqlx::query_as(
            "SELECT postcode, house_number, house_letter, addition, team_id FROM households WHERE id = $1"
        )
        .bind(hh_id)
        .fetch_optional(&mut *c)
        .await
        })?;
        let Some((postcode, house_number, house_letter, addition, team)) = hh else {
            continue;
        };
        let (welfare_id, welfare_name) = provider(spec.provider)?;
        let category = SignalCategory::ALL[spec.category % SignalCategory::ALL.len()];
        let urgency = Urgency::ALL[spec.urgency % Urgency::ALL.len()];
        let reported = day(reference, -spec.reported_days_ago);
        let signal = NewSignal {
            reported_on: reported,
            category,
            urgency,
            description: format!(
                "Zorgen over dit adres: {}.",
                category.label().to_lowercase()
            ),
            source: source(&spec).to_owned(),
            reported_by: None,
            postcode: postcode.clone(),
            house_number,
            house_letter,
            addition,
            place: None,
            callback_phone: None,
        };
        let signal_id = create_signal(tx, &signal).await?;
        done += 1;
        if spec.stage == Stage::Reported {
            if spec.repeated {
                // A second report about the same dwelling, before anyone triaged
                // the first: triage shows the two together.
                create_signal(
                    tx,
                    &NewSignal {
                        reported_on: day(reported, 2),
                        source: "Buurtbewoner".into(),
                        ..signal.clone()
                    },
                )
                .await?;
            }
            continue;
        }
        let (Some((g_id, g_name)), Some((t_id, t_name))) = (
            first_user(tx, "generalist", team).await?,
            first_user(tx, "teamleider", team).await?,
        ) else {
            continue;
        };
        let gen = Who {
            user_id: g_id,
            username: g_name,
            role: Role::Generalist,
        };
        let lead = Who {
            user_id: t_id,
            username: t_name,
            role: Role::Teamleider,
        };
        let request = |signal_id: i64, on: NaiveDate| TriageRequest {
            signal_id,
            household_id: hh_id,
            generalist: Some(g_id),
            hand_over_reason: "",
            by_user: t_id,
            on,
        };
        triage(tx, &request(signal_id, reported)).await?;
        if spec.repeated {
            let again = NewSignal {
                reported_on: day(reported, 20),
                source: "Buurtbewoner".into(),
                ..signal.clone()
            };
            let s2 = create_signal(tx, &again).await?;
            triage(tx, &request(s2, day(reported, 20))).await?;
        }
        if spec.stage == Stage::Triaged {
            continue;
        }
        // Every event is recorded on the day it happens.
        let contact = day(reported, spec.days_to_contact);
        record_first_contact(
            tx,
            signal_id,
            contact,
            ContactMethod::Huisbezoek,
            "Kennisgemaakt; bewoner wil een gesprek.",
            contact,
        )
        .await?;
        if spec.stage == Stage::Contacted {
            continue;
        }
        let held = day(contact, 3);
        let mut conv = Conversation::new(held, "Hulp bij de rekeningen en de post", held)?;
        let need = if spec.need_differs {
            "Voelt zich alleen sinds de scheiding; zoekt zinvolle dagbesteding"
        } else {
            "Hulp bij de rekeningen en de post"
        };
        conv.add_need(UnderlyingNeed::new(LifeDomain::SociaalNetwerk, need)?);
        if spec.need_differs {
            conv.add_need(UnderlyingNeed::new(
                LifeDomain::Tijdsbesteding,
                "Wil weer iets om handen hebben",
            )?);
        }
        for (d, s) in LifeDomain::ALL.iter().zip(spec.intake_scores) {
            let entry = if s == 0 {
                ScoreEntry::parse(*d, "nvt")?
            } else {
                ScoreEntry::parse(*d, &s.to_string())?
            };
            if let Some(e) = entry {
                conv.scores.0.insert(*d, e);
            }
        }
        conv.rung = ParticipationRung::new(spec.rung).ok();
        conv.add_network_member(NetworkMember::new(
            "Broer",
            "familie",
            "Helpen met de administratie",
            "Eens per week langskomen",
        )?);
        conv.add_network_member(NetworkMember::new(
            "Buurvrouw",
            "buren",
            "Boodschappen",
            "Als het nodig is",
        )?);
        conv.strengths = "Handig met hout; goede band met de buren".into();
        conv.wishes = "Weer iets om handen hebben".into();
        conv.add_consent(
            &welfare_name,
            Some(welfare_id),
            "Begeleiding en afstemming in het plan",
            day(reference, 365),
        )?;
        if spec.stage == Stage::Specialised {
            let (sid, sname) = provider(spec.specialist)?;
            conv.add_consent(
                &sname,
                Some(sid),
                "Specialistische begeleiding als het plan daarom vraagt",
                day(reference, 365),
            )?;
        }
        if spec.gp_consent {
            conv.add_consent(
                "Huisarts (praktijk De Linde)",
                None,
                "Afstemming over de gezondheid",
                day(reference, 180),
            )?;
        }
        create_conversation(tx, hh_id, &conv, g_id).await?;
        if spec.stage == Stage::Conversation {
            continue;
        }
        let opened = day(held, 7);
        let plan_id = open_plan(tx, hh_id, opened, opened, &gen).await?;
        let v = plan_version(tx, plan_id).await?;
        let goal_day = add_goal(
            tx,
            plan_id,
            v,
            &NewGoal {
                domain: LifeDomain::Tijdsbesteding,
                description: "Een zinvolle dagbesteding".into(),
                measure: "Drie dagdelen per week naar de dagactiviteit".into(),
                target_date: day(opened, 90),
                term: Term::Short,
            },
            &gen,
        )
        .await?;
        let v = plan_version(tx, plan_id).await?;
        let goal_money = add_goal(
            tx,
            plan_id,
            v,
            &NewGoal {
                domain: LifeDomain::Financien,
                description: "Rekeningen op tijd betaald".into(),
                measure: "Geen nieuwe achterstanden in drie maanden".into(),
                target_date: day(opened, 120),
                term: Term::Long,
            },
            &gen,
        )
        .await?;
        let base = |goal_id, actor, name: &str, what: &str, step: u8, end: Option<NaiveDate>| {
            NewAgreement {
                goal_id,
                actor,
                actor_name: name.to_owned(),
                provider_id: None,
                description: what.to_owned(),
                step: demo_step(step),
                form: SupportForm::Faciliteren,
                frequency: "wekelijks".into(),
                start: opened,
                end_date: end,
                own_contribution: "Gaat zelf op de fiets en helpt mee met koken".into(),
                justification: None,
                referral_id: None,
            }
        };
        let mut agreements = vec![
            base(
                goal_day,
                AgreementActor::NetworkMember,
                "Familie, oude vrienden en buren",
                "Eigen Kracht-conferentie",
                2,
                None,
            ),
            base(
                goal_day,
                AgreementActor::SocialMapService,
                "Buurtcentrum De Kroon",
                "Dagactiviteit drie dagdelen per week",
                3,
                Some(day(opened, 90)),
            ),
            base(
                goal_money,
                AgreementActor::Resident,
                "Bewoner zelf",
                "Opent de post elke maandag met zijn broer",
                1,
                None,
            ),
        ];
        if spec.provider_agreement {
            agreements.push(NewAgreement {
                provider_id: Some(welfare_id),
                ..base(
                    goal_money,
                    AgreementActor::SocialMapService,
                    &welfare_name,
                    "Inloopspreekuur administratie",
                    3,
                    Some(day(opened, 90)),
                )
            });
        }
        for a in &agreements {
            let v = plan_version(tx, plan_id).await?;
            add_agreement(tx, plan_id, v, a, &gen).await?;
        }
        let reasons = || {
            Justification::new([
                (
                    demo_step(1),
                    "Kan het overzicht niet zelf houden".to_owned(),
                ),
                (
                    demo_step(2),
                    "Broer helpt al, maar dit is te zwaar voor hem".to_owned(),
                ),
                (
                    demo_step(3),
                    "Het inloopspreekuur is niet genoeg".to_owned(),
                ),
                (
                    demo_step(4),
                    "Lichte begeleiding heeft drie maanden niet geholpen".to_owned(),
                ),
            ])
        };
        if matches!(spec.stage, Stage::ReferralPending | Stage::Specialised) {
            let mut light = base(
                goal_money,
                AgreementActor::Generalist,
                &gen.username,
                "Hulp bij het op orde brengen van de administratie",
                4,
                Some(day(opened, 60)),
            );
            light.form = SupportForm::Ondersteunen;
            light.justification = Some(reasons());
            let v = plan_version(tx, plan_id).await?;
            add_agreement(tx, plan_id, v, &light, &gen).await?;
            let v = plan_version(tx, plan_id).await?;
            let asked = day(opened, 30);
            let r1 = request_referral(
                tx,
                plan_id,
                v,
                "Beschermd wonen",
                reasons(),
                asked,
                asked,
                &gen,
            )
            .await?;
            if spec.stage == Stage::Specialised {
                let (sid, sname) = provider(spec.specialist)?;
                let no = day(opened, 31);
                decide_referral(
                    tx,
                    r1,
                    false,
                    "Eerst ambulante begeleiding thuis proberen",
                    no,
                    no,
                    &lead,
                )
                .await?;
                let v = plan_version(tx, plan_id).await?;
                let again = day(opened, 32);
                let r2 = request_referral(
                    tx,
                    plan_id,
                    v,
                    "Ambulante begeleiding thuis",
                    reasons(),
                    again,
                    again,
                    &gen,
                )
                .await?;
                let yes = day(opened, 33);
                decide_referral(
                    tx,
                    r2,
                    true,
                    "Akkoord, evalueren na drie maanden",
                    yes,
                    yes,
                    &lead,
                )
                .await?;
                let mut heavy = base(
                    goal_money,
                    AgreementActor::SpecialistProvider,
                    &sname,
                    "Ambulante begeleiding thuis",
                    5,
                    Some(day(opened, 120)),
                );
                heavy.provider_id = Some(sid);
                heavy.form = SupportForm::Intervenieren;
                heavy.start = day(opened, 34);
                heavy.justification = Some(reasons());
                heavy.referral_id = Some(r2);
                let v = plan_version(tx, plan_id).await?;
                add_agreement(tx, plan_id, v, &heavy, &gen).await?;
            }
        }
        let visit = baken_domain::casework::ContactMoment::new(
            day(opened, 14),
            baken_domain::casework::ContactKind::HomeVisit,
            "Bewoner en generalist",
            "Huisbezoek: de afspraken doorgelopen; de post is bijgehouden.",
            day(opened, 14),
        )?;
        crate::timeline::add_contact_moment(tx, hh_id, &visit, g_id).await?;
        if !matches!(spec.stage, Stage::Evaluated | Stage::Closed) {
            continue;
        }
        let on = day(opened, 90);
        let mut better = Scores::default();
        for (d, s) in LifeDomain::ALL.iter().zip(spec.intake_scores) {
            let code = if s == 0 {
                "nvt".to_owned()
            } else {
                (s + 1).min(5).to_string()
            };
            if let Some(e) = ScoreEntry::parse(*d, &code)? {
                better.0.insert(*d, e);
            }
        }
        // The evaluation continues what is dated (to a new evaluation date) or,
        // for a plan about to close, ends every agreement.
        let case = load_case(tx, hh_id).await?;
        let decisions: Vec<(i64, AgreementDecision)> = case
            .open_plan()
            .map(|p| {
                p.agreements()
                    .iter()
                    .filter(|a| a.is_running())
                    .filter_map(|a| {
                        if spec.stage == Stage::Closed {
                            Some((a.id(), AgreementDecision::End))
                        } else {
                            a.terms().end_date.map(|_| {
                                (
                                    a.id(),
                                    AgreementDecision::Continue {
                                        until: Some(day(on, 90)),
                                    },
                                )
                            })
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let v = plan_version(tx, plan_id).await?;
        let evaluation = Evaluation {
            on,
            outcomes: vec![
                (
                    goal_day,
                    GoalOutcome::Achieved,
                    "Gaat drie dagdelen per week".into(),
                ),
                (
                    goal_money,
                    GoalOutcome::Partly,
                    "Nog één achterstand".into(),
                ),
            ],
            agreements: decisions,
        };
        record_evaluation(
            tx,
            plan_id,
            v,
            &evaluation,
            &better,
            ParticipationRung::new(spec.rung + 1).ok(),
            "Het gaat beter; de overlast is gestopt.",
            on,
            &gen,
        )
        .await?;
        if spec.stage == Stage::Closed {
            let v = plan_version(tx, plan_id).await?;
            let closed = day(on, 2);
            close_plan(
                tx,
                plan_id,
                v,
                closed,
                "Doelen behaald; Karel redt het weer met zijn netwerk",
                closed,
                &gen,
            )
            .await?;
        }
    }
    crate::timeline::cover_own_agreements(tx).await?;
    Ok(done)
}

/// A ladder step from the demo's own constants (1–5), never from input.
#[cfg(feature = "demo")]
fn demo_step(n: u8) -> LadderStep {
    LadderStep::new(n.clamp(1, 5)).expect("a step from 1 to 5 is valid")
}

impl CaseError {
    /// For callers that only speak [`StoreError`] (the demo loader): a broken
    /// rule there is a bug in the demo data.
    pub fn into_store(self) -> StoreError {
        match self {
            CaseError::Store(s) => s,
            other => StoreError::Corrupt(format!("casework rule: {other}")),
        }
    }
}

/// How many signals this client address reported through the public page since
/// `since` (read from the audit log, so the limit holds across processes).
pub async fn public_reports_since(
    tx: &mut Tx,
    route: &str,
    client_addr: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> StoreResult<i64> {
    public_actions_since(tx, route, client_addr, "create", since).await
}

/// How many entries of `action` a client address left on a public route
/// since `since` (reports: `create`; address lookups: `search`).
pub async fn public_actions_since(
    tx: &mut Tx,
    route: &str,
    client_addr: &str,
    action: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> StoreResult<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE route = $1 AND client_addr = $2 AND action = $3 AND at >= $4"
    )
    .bind(route)
    .bind(client_addr)
    .bind(action)
    .bind(since)
    .fetch_one(&mut *c)
    .await
    })?;
    Ok(n)
}

/// The generalists of a team (to assign a signal to).
pub async fn team_generalists(tx: &mut Tx, team_id: i64) -> StoreResult<Vec<(i64, String)>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT id, display_name FROM users WHERE team_id = $1 AND role = 'generalist' AND active = TRUE ORDER BY display_name"
    )
    .bind(team_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

/// A team's signals without a first contact past their response norm on
/// `today`, oldest first (they stand out on the team's page).
pub async fn overdue_signals(
    tx: &mut Tx,
    team_id: i64,
    norms: &baken_domain::casework::ResponseNorms,
    today: NaiveDate,
) -> Result<Vec<SignalRow>> {
    let sql = format!(
        "SELECT {SIGNAL_COLS} FROM cw_signals s LEFT JOIN users u ON u.id = s.assigned_to \
         WHERE (s.team_id = $1 OR s.team_id IS NULL) AND s.first_contact_on IS NULL AND s.closed_on IS NULL \
         ORDER BY s.reported_on, s.id"
    );
    let rows: Vec<SignalRow> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(team_id)
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows
        .into_iter()
        .filter(|s| {
            norms
                .state(s.reported_on, s.urgency(), None, today)
                .is_overdue()
        })
        .collect())
}
