//! The Wmo client survey's storage (`sv_*` tables, migration 0107): who was
//! invited, the one-time codes and the anonymous answers. The questions and
//! rules live in `baken_domain::survey`.
//!
//! **Architecture invariant: no answer can be traced to a person.** The three
//! tables share no column a person could be followed through:
//! `sv_invitations` knows the household (so nobody is invited twice) but not
//! the code; `sv_tokens` knows a code's SHA-256 hash, team, provider and year
//! but not the household; `sv_answers` knows team, provider and year under a
//! random id, but not the code, and no time finer than the year. Codes are
//! inserted in the order the caller gives (it shuffles them), and both code
//! and answer rows are keyed by random values, so neither storage order nor
//! keys follow the order of the invitations. Answering writes no audit entry
//! (an entry's time and sequence would date the answer); sending does, per
//! invitation, naming the household — never the code.

use crate::{exec, with_conn, Result, StoreError, Tx};
use baken_domain::survey::Answers;
use chrono::NaiveDate;

/// The record kind of an answer for the cell-key method
/// (`RecordKey::derive(secret, SURVEY_RECORD, answer_id)`).
pub const SURVEY_RECORD: &str = "survey_answer";

/// How an invitation reaches the resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// By e-mail to the household's resident account.
    Email,
    /// A letter the team prints, with the code on it.
    Letter,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Letter => "brief",
        }
    }
}

/// A household to invite for one provider: its support from that provider
/// ended in the period. `email` is its resident account's address (if any);
/// otherwise the letter goes to `addressee` at the address.
#[derive(Debug, Clone)]
pub struct Due {
    pub household_id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub email: Option<String>,
    pub addressee: String,
    pub street_line: String,
    pub city_line: String,
}

/// Household, provider id and name, street, number, letter, addition, postcode, city.
type DueRow = (
    i64,
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
);

/// Households of `team_id` whose agreement with a provider ended between
/// `from` and `until` (the period, up to today) and who were not yet invited
/// for `period` about that provider.
pub async fn due(
    tx: &mut Tx,
    team_id: i64,
    period: &str,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<Due>> {
    let rows: Vec<DueRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT h.id, a.provider_id, pr.name, h.street, h.house_number, h.house_letter, \
               h.addition, h.postcode, h.city \
             FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
             JOIN households h ON h.id = p.household_id \
             JOIN providers pr ON pr.id = a.provider_id \
             WHERE h.team_id = $1 AND a.provider_id IS NOT NULL \
             AND COALESCE(a.ended_on, a.end_on) >= $2 AND COALESCE(a.ended_on, a.end_on) <= $3 \
             AND NOT EXISTS (SELECT 1 FROM sv_invitations i WHERE i.household_id = h.id \
               AND i.provider_id = a.provider_id AND i.period = $4) \
             ORDER BY h.id, a.provider_id"
    )
    .bind(team_id)
    .bind(from)
    .bind(until)
    .bind(period)
    .fetch_all(&mut *c)
    .await
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        household_id,
        provider_id,
        provider_name,
        street,
        number,
        letter,
        addition,
        postcode,
        city,
    ) in rows
    {
        let email: Option<(String,)> = with_conn!(tx, |c| sqlx::query_as(
            "SELECT email FROM users WHERE household_id = $1 AND role = 'inwoner' AND active \
             AND email IS NOT NULL ORDER BY id LIMIT 1"
        )
        .bind(household_id)
        .fetch_optional(&mut *c)
        .await)?;
        let name: Option<(String, Option<String>, String)> = with_conn!(tx, |c| {
            sqlx::query_as(
            "SELECT given_name, surname_prefix, surname FROM residents WHERE household_id = $1 \
             ORDER BY birth_date, id LIMIT 1"
        )
        .bind(household_id)
        .fetch_optional(&mut *c)
        .await
        })?;
        let addressee = match name {
            Some((given, prefix, surname)) => [Some(given), prefix, Some(surname)]
                .into_iter()
                .flatten()
                .filter(|s| !s.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            None => "De bewoners".to_owned(),
        };
        let mut street_line = format!("{street} {number}{letter}");
        if !addition.is_empty() {
            street_line.push('-');
            street_line.push_str(&addition);
        }
        out.push(Due {
            household_id,
            provider_id,
            provider_name,
            email: email.map(|e| e.0),
            addressee,
            street_line,
            city_line: format!("{postcode} {city}"),
        });
    }
    Ok(out)
}

/// Records that a household was invited about a provider for a period.
pub async fn record_invitation(
    tx: &mut Tx,
    due: &Due,
    team_id: i64,
    period: &str,
    channel: Channel,
    on: NaiveDate,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO sv_invitations (household_id, provider_id, period, team_id, channel, invited_on) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(due.household_id)
    .bind(due.provider_id)
    .bind(period)
    .bind(team_id)
    .bind(channel.as_str())
    .bind(on)
    .execute(&mut *c)
    .await
    })?;
    Ok(())
}

/// Takes an e-mail invitation back when the e-mail could not be sent, so
/// the next round invites the household again (its code is never used).
pub async fn withdraw_invitation(
    tx: &mut Tx,
    household_id: i64,
    provider_id: i64,
    period: &str,
) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "DELETE FROM sv_invitations WHERE household_id = $1 AND provider_id = $2 AND period = $3"
    )
    .bind(household_id)
    .bind(provider_id)
    .bind(period)
    .execute(&mut *c)
    .await)?;
    Ok(())
}

/// A one-time code to store: its hash and what an answer through it is
/// counted under.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub hash: String,
    pub team_id: i64,
    pub provider_id: i64,
    pub year: i32,
}

/// Stores codes in the order given (the caller shuffles them, so their order
/// does not follow the invitations').
pub async fn insert_tokens(tx: &mut Tx, tokens: &[NewToken]) -> Result<()> {
    for token in tokens {
        exec!(tx, |c| sqlx::query(
            "INSERT INTO sv_tokens (token_hash, team_id, provider_id, year, used) \
             VALUES ($1, $2, $3, $4, FALSE)"
        )
        .bind(&token.hash)
        .bind(token.team_id)
        .bind(token.provider_id)
        .bind(token.year)
        .execute(&mut *c)
        .await)?;
    }
    Ok(())
}

/// The name of the provider an unused code is about; none when the code is
/// unknown or used.
pub async fn open_token_provider(tx: &mut Tx, hash: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT pr.name FROM sv_tokens t JOIN providers pr ON pr.id = t.provider_id \
         WHERE t.token_hash = $1 AND t.used = FALSE"
    )
    .bind(hash)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.map(|r| r.0))
}

/// Uses a code and stores the answers under `id` (random, from the caller)
/// with only the code's team, provider and year. False when the code is
/// unknown or already used (then nothing is written).
pub async fn answer(tx: &mut Tx, hash: &str, id: i64, answers: &Answers) -> Result<bool> {
    let scope: Option<(i64, i64, i32)> = with_conn!(tx, |c| sqlx::query_as(
        "UPDATE sv_tokens SET used = TRUE WHERE token_hash = $1 AND used = FALSE \
         RETURNING team_id, provider_id, year"
    )
    .bind(hash)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((team_id, provider_id, year)) = scope else {
        return Ok(false);
    };
    let q = answers.codes();
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO sv_answers (id, team_id, provider_id, year, q1, q2, q3, q4, q5, q6, q7, q8, q9) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )
    .bind(id)
    .bind(team_id)
    .bind(provider_id)
    .bind(year)
    .bind(q[0])
    .bind(q[1])
    .bind(q[2])
    .bind(q[3])
    .bind(q[4])
    .bind(q[5])
    .bind(q[6])
    .bind(q[7])
    .bind(q[8])
    .execute(&mut *c)
    .await
    })?;
    Ok(true)
}

/// One stored answer with the names of its team and provider (for
/// aggregation only: the web layer publishes counts through the cell key).
#[derive(Debug, Clone)]
pub struct AnswerRow {
    /// The random id: the record key of the cell-key method.
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub district_code: Option<String>,
    pub provider_id: i64,
    pub provider_name: String,
    pub answers: Answers,
}

type RawAnswer = (
    i64,
    i64,
    String,
    Option<String>,
    i64,
    String,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
    i16,
);

const ANSWERS: &str = "SELECT s.id, s.team_id, t.name, t.district_code, s.provider_id, pr.name, \
     s.q1, s.q2, s.q3, s.q4, s.q5, s.q6, s.q7, s.q8, s.q9 \
     FROM sv_answers s JOIN teams t ON t.id = s.team_id JOIN providers pr ON pr.id = s.provider_id";

fn answer_row(r: RawAnswer) -> Result<AnswerRow> {
    let codes = [r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14];
    let answers = Answers::from_codes(codes)
        .ok_or_else(|| StoreError::Corrupt(format!("survey answer {} off the scale", r.0)))?;
    Ok(AnswerRow {
        id: r.0,
        team_id: r.1,
        team_name: r.2,
        district_code: r.3,
        provider_id: r.4,
        provider_name: r.5,
        answers,
    })
}

/// Every answer about support that ended in `year`.
pub async fn answers_of_year(tx: &mut Tx, year: i32) -> Result<Vec<AnswerRow>> {
    let sql = format!("{ANSWERS} WHERE s.year = $1 ORDER BY s.id");
    let rows: Vec<RawAnswer> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(year)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().map(answer_row).collect()
}

/// The answers about one provider in the years `from_year` to `until_year`,
/// optionally only from teams of one district (the commissioning "oordeel").
pub async fn answers_about(
    tx: &mut Tx,
    provider_id: i64,
    district: Option<&str>,
    from_year: i32,
    until_year: i32,
) -> Result<Vec<AnswerRow>> {
    let sql = format!(
        "{ANSWERS} WHERE s.provider_id = $1 AND ($2 IS NULL OR t.district_code = $2) \
         AND s.year >= $3 AND s.year <= $4 ORDER BY s.id"
    );
    let rows: Vec<RawAnswer> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(provider_id)
        .bind(district)
        .bind(from_year)
        .bind(until_year)
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().map(answer_row).collect()
}

/// The years that have answers, newest first.
pub async fn answer_years(tx: &mut Tx) -> Result<Vec<i32>> {
    let rows: Vec<(i32,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT DISTINCT year FROM sv_answers ORDER BY year DESC"
    )
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A team's invitations per period and channel, newest period first.
pub async fn invitations_sent(tx: &mut Tx, team_id: i64) -> Result<Vec<(String, String, i64)>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT period, channel, COUNT(*) FROM sv_invitations WHERE team_id = $1 \
         GROUP BY period, channel ORDER BY period DESC, channel"
    )
    .bind(team_id)
    .fetch_all(&mut *c)
    .await)?)
}
