//! Commissioning on results: the social agenda's goals, commissions with
//! their payment rule, versioned indicator definitions, reports per period
//! (figures, narrative, the question thread), payments, and the figures Baken
//! computes from its own casework data.
//!
//! The rules live in `baken_domain::commissioning`. **No person leaves this
//! module:** the computed figures read household-level rows inside the
//! transaction and return aggregates only (a value and the number of
//! households it rests on, which the web layer protects). Callers write the
//! audit entry in the same transaction.

use crate::{exec, versioned_update, with_conn, Result, StoreError, Tx};
use baken_domain::cell_key::{CellKeySecret, CellKeys, RecordKey};
use baken_domain::commissioning::{
    AgendaGoal, Cadence, CaseOutcome, Commission, CommissionKind, CommissionVariant,
    ComputedMeasure, DataStatus, ExpectedChange, Hundredths, Indicator, IndicatorKind,
    IndicatorRole, IndicatorSource, PaymentRule, ResultTerm, SteeringModel,
};
use baken_domain::contracting::Cents;
use baken_domain::survey::JUDGEMENT_QUESTION;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet};

#[cfg(feature = "demo")]
mod demo;
mod grouped;
#[cfg(feature = "demo")]
pub use demo::load_demo;
pub use grouped::compute_many;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

// ---------------------------------------------------------------- agenda

/// A goal of the social agenda as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct GoalRow {
    pub id: i64,
    pub text: String,
    pub baken: i64,
    pub district_code: Option<String>,
    pub district_name: Option<String>,
}

pub async fn create_goal(tx: &mut Tx, goal: &AgendaGoal) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO cm_goals (text, baken, district_code, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(goal.text())
        .bind(i64::from(goal.baken().number()))
        .bind(goal.district().map(|d| d.as_str().to_owned()))
        .bind(crate::now())
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "the goal's district"))?;
    Ok(id)
}

const GOAL_SELECT: &str = "SELECT g.id, g.text, g.baken, g.district_code, d.name AS district_name \
     FROM cm_goals g LEFT JOIN districts d ON d.code = g.district_code";

pub async fn goals(tx: &mut Tx) -> Result<Vec<GoalRow>> {
    let sql = format!("{GOAL_SELECT} ORDER BY g.baken, g.id");
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .fetch_all(&mut *c)
        .await)?)
}

pub async fn commission_goals(tx: &mut Tx, commission_id: i64) -> Result<Vec<GoalRow>> {
    let sql = format!(
        "{GOAL_SELECT} JOIN cm_commission_goals cg ON cg.goal_id = g.id \
         WHERE cg.commission_id = $1 ORDER BY g.baken, g.id"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(commission_id)
        .fetch_all(&mut *c)
        .await)?)
}

// ---------------------------------------------------------------- commissions

/// How the commission is paid: fixed share in basis points, number of
/// advances, and an optional cap (the budget when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentTerms {
    pub fixed_bp: i64,
    pub advances: u32,
    pub cap: Option<Cents>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CommissionRow {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub provider_id: i64,
    pub provider_name: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub budget_cents: i64,
    pub steering: String,
    pub variant: String,
    pub chain_partners: String,
    pub year_plan: String,
    pub work_plan: String,
    pub fixed_bp: i64,
    pub advances: i64,
    pub cap_cents: Option<i64>,
    pub version: i64,
}

impl CommissionRow {
    pub fn budget(&self) -> Result<Cents> {
        Cents::new(self.budget_cents).map_err(corrupt)
    }
    pub fn kind(&self) -> Result<CommissionKind> {
        CommissionKind::parse(&self.kind).map_err(corrupt)
    }
    pub fn steering(&self) -> Result<SteeringModel> {
        SteeringModel::parse(&self.steering).map_err(corrupt)
    }
    pub fn variant(&self) -> Result<CommissionVariant> {
        CommissionVariant::parse(&self.variant).map_err(corrupt)
    }
    pub fn chain_partner_list(&self) -> Vec<&str> {
        self.chain_partners
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect()
    }
}

pub async fn create_commission(
    tx: &mut Tx,
    commission: &Commission,
    terms: PaymentTerms,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO cm_commissions (title, kind, provider_id, valid_from, valid_until, budget_cents, \
               steering, variant, chain_partners, year_plan, work_plan, fixed_bp, advances, cap_cents, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(&commission.title)
        .bind(commission.kind.code())
        .bind(commission.provider_id)
        .bind(commission.from)
        .bind(commission.until)
        .bind(commission.budget.value())
        .bind(commission.steering.code())
        .bind(commission.variant.code())
        .bind(commission.chain_partners.join("\n"))
        .bind(&commission.year_plan)
        .bind(&commission.work_plan)
        .bind(terms.fixed_bp)
        .bind(i64::from(terms.advances))
        .bind(terms.cap.map(Cents::value))
        .bind(crate::now())
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, "the commission's provider"))?;
    for goal in &commission.goals {
        exec!(tx, |c| {
            sqlx::query("INSERT INTO cm_commission_goals (commission_id, goal_id) VALUES ($1, $2)")
                .bind(id)
                .bind(goal)
                .execute(&mut *c)
                .await
        })
        .map_err(|e| StoreError::from_insert(e, &format!("goal {goal}")))?;
    }
    Ok(id)
}

/// The provider's year plan and work plan (seed 001), at the version read.
pub async fn set_plans(
    tx: &mut Tx,
    commission_id: i64,
    year_plan: &str,
    work_plan: &str,
    version: i64,
) -> Result<i64> {
    let rows = exec!(tx, |c| sqlx::query(
        "UPDATE cm_commissions SET year_plan = $1, work_plan = $2, version = version + 1 \
         WHERE id = $3 AND version = $4"
    )
    .bind(year_plan)
    .bind(work_plan)
    .bind(commission_id)
    .bind(version)
    .execute(&mut *c)
    .await)?;
    versioned_update(
        tx,
        rows,
        version,
        format!("commission {commission_id}"),
        move |tx| Box::pin(async move { Ok(commission(tx, commission_id).await?.is_some()) }),
    )
    .await
}

const COMMISSION_SELECT: &str = "SELECT c.id, c.title, c.kind, c.provider_id, p.name AS provider_name, \
     c.valid_from, c.valid_until, c.budget_cents, c.steering, c.variant, c.chain_partners, c.year_plan, \
     c.work_plan, c.fixed_bp, c.advances, c.cap_cents, c.version \
     FROM cm_commissions c JOIN providers p ON p.id = c.provider_id";

/// Every commission, or one provider's.
pub async fn commissions(tx: &mut Tx, provider_id: Option<i64>) -> Result<Vec<CommissionRow>> {
    let sql = format!(
        "{COMMISSION_SELECT} WHERE ($1 IS NULL OR c.provider_id = $1) \
         ORDER BY c.valid_from DESC, c.id DESC"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(provider_id)
        .fetch_all(&mut *c)
        .await)?)
}

pub async fn commission(tx: &mut Tx, id: i64) -> Result<Option<CommissionRow>> {
    let sql = format!("{COMMISSION_SELECT} WHERE c.id = $1");
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?)
}

/// The one district a commission's goals name, if they all name the same.
pub fn commission_district(goals: &[GoalRow]) -> Option<String> {
    let districts: BTreeSet<Option<&String>> =
        goals.iter().map(|g| g.district_code.as_ref()).collect();
    match districts.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(d)] => Some((*d).clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------- indicators

#[derive(sqlx::FromRow)]
struct VersionRow {
    indicator_id: i64,
    version: i64,
    name: String,
    definition: String,
    kind: String,
    horizon_months: Option<i64>,
    source: String,
    role: String,
    baseline: Option<i64>,
    target: Option<i64>,
    cadence: String,
    weight_bp: i64,
    valid_from: NaiveDate,
    set_by: String,
    set_at: DateTime<Utc>,
}

/// One version of an indicator's definition, with its weight in the payment
/// rule and who set it when.
#[derive(Debug, Clone)]
pub struct IndicatorVersion {
    pub indicator: Indicator,
    pub weight_bp: i64,
    pub set_by: String,
    pub set_at: DateTime<Utc>,
}

/// An indicator with every version of its definition, oldest first.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub id: i64,
    pub versions: Vec<IndicatorVersion>,
}

impl IndicatorRow {
    /// The version in force on `date` (the first one before it starts).
    pub fn on(&self, date: NaiveDate) -> &IndicatorVersion {
        self.versions
            .iter()
            .rev()
            .find(|v| v.indicator.valid_from <= date)
            .or(self.versions.first())
            .expect("an indicator has at least one version")
    }
    pub fn current(&self) -> &IndicatorVersion {
        self.versions
            .last()
            .expect("an indicator has at least one version")
    }
}

fn source_code(source: IndicatorSource) -> &'static str {
    match source {
        IndicatorSource::Computed(m) => m.code(),
        IndicatorSource::Reported => "aanbieder",
    }
}

pub fn parse_source(
    code: &str,
) -> Result<IndicatorSource, baken_domain::commissioning::CommissionError> {
    match code.trim() {
        "aanbieder" => Ok(IndicatorSource::Reported),
        other => ComputedMeasure::parse(other).map(IndicatorSource::Computed),
    }
}

impl VersionRow {
    fn into_version(self) -> Result<IndicatorVersion> {
        let indicator = Indicator {
            name: self.name,
            definition: self.definition,
            kind: IndicatorKind::parse(&self.kind, self.horizon_months).map_err(corrupt)?,
            source: parse_source(&self.source).map_err(corrupt)?,
            role: IndicatorRole::parse(&self.role).map_err(corrupt)?,
            baseline: self.baseline.map(Hundredths::new),
            target: self.target.map(Hundredths::new),
            cadence: Cadence::parse(&self.cadence).map_err(corrupt)?,
            version: self.version,
            valid_from: self.valid_from,
        };
        Ok(IndicatorVersion {
            indicator,
            weight_bp: self.weight_bp,
            set_by: self.set_by,
            set_at: self.set_at,
        })
    }
}

async fn insert_version(
    tx: &mut Tx,
    indicator_id: i64,
    indicator: &Indicator,
    weight_bp: i64,
    set_by: &str,
) -> Result<()> {
    exec!(tx, |c| sqlx::query(
        "INSERT INTO cm_indicator_versions (indicator_id, version, name, definition, kind, horizon_months, \
           source, role, baseline, target, cadence, weight_bp, valid_from, set_by, set_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )
    .bind(indicator_id)
    .bind(indicator.version)
    .bind(&indicator.name)
    .bind(&indicator.definition)
    .bind(indicator.kind.code())
    .bind(indicator.kind.horizon_months().map(i64::from))
    .bind(source_code(indicator.source))
    .bind(indicator.role.code())
    .bind(indicator.baseline.map(Hundredths::value))
    .bind(indicator.target.map(Hundredths::value))
    .bind(indicator.cadence.code())
    .bind(weight_bp)
    .bind(indicator.valid_from)
    .bind(set_by)
    .bind(crate::now())
    .execute(&mut *c)
    .await)
    .map_err(|e| StoreError::from_insert(e, "this version of the indicator"))?;
    Ok(())
}

/// A new indicator (version 1) on a commission.
pub async fn add_indicator(
    tx: &mut Tx,
    commission_id: i64,
    indicator: &Indicator,
    weight_bp: i64,
    set_by: &str,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as("INSERT INTO cm_indicators (commission_id) VALUES ($1) RETURNING id")
            .bind(commission_id)
            .fetch_one(&mut *c)
            .await
    })
    .map_err(|e| StoreError::from_insert(e, "the indicator's commission"))?;
    let mut first = indicator.clone();
    first.version = 1;
    insert_version(tx, id, &first, weight_bp, set_by).await?;
    Ok(id)
}

/// A changed definition: the next version, from `indicator.valid_from`.
/// Returns the new version number.
pub async fn change_indicator(
    tx: &mut Tx,
    indicator_id: i64,
    indicator: &Indicator,
    weight_bp: i64,
    set_by: &str,
) -> Result<i64> {
    let (last,): (Option<i64>,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT MAX(version) FROM cm_indicator_versions WHERE indicator_id = $1"
    )
    .bind(indicator_id)
    .fetch_one(&mut *c)
    .await)?;
    let last = last.ok_or_else(|| StoreError::NotFound(format!("indicator {indicator_id}")))?;
    let mut next = indicator.clone();
    next.version = last + 1;
    insert_version(tx, indicator_id, &next, weight_bp, set_by).await?;
    Ok(next.version)
}

/// A commission's indicators with all their versions.
pub async fn indicators(tx: &mut Tx, commission_id: i64) -> Result<Vec<IndicatorRow>> {
    let rows: Vec<VersionRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT v.indicator_id, v.version, v.name, v.definition, v.kind, v.horizon_months, v.source, \
           v.role, v.baseline, v.target, v.cadence, v.weight_bp, v.valid_from, v.set_by, v.set_at \
         FROM cm_indicator_versions v JOIN cm_indicators i ON i.id = v.indicator_id \
         WHERE i.commission_id = $1 ORDER BY v.indicator_id, v.version"
    )
    .bind(commission_id)
    .fetch_all(&mut *c)
    .await
    })?;
    let mut out: Vec<IndicatorRow> = Vec::new();
    for row in rows {
        let id = row.indicator_id;
        let version = row.into_version()?;
        match out.last_mut() {
            Some(last) if last.id == id => last.versions.push(version),
            _ => out.push(IndicatorRow {
                id,
                versions: vec![version],
            }),
        }
    }
    Ok(out)
}

/// The commission's payment rule from its terms and its paid indicators (the
/// version in force at the end of the period).
pub fn payment_rule(
    commission: &CommissionRow,
    indicators: &[IndicatorRow],
) -> Result<PaymentRule, baken_domain::commissioning::PaymentError> {
    let terms = indicators
        .iter()
        .filter_map(|i| {
            let v = i.on(commission.valid_until);
            (v.indicator.role == IndicatorRole::Paid).then(|| ResultTerm {
                indicator_id: i.id,
                name: v.indicator.name.clone(),
                weight_bp: v.weight_bp,
                baseline: v.indicator.baseline.unwrap_or_default(),
                target: v.indicator.target.unwrap_or_default(),
            })
        })
        .collect();
    let budget = Cents::new(commission.budget_cents).unwrap_or_default();
    PaymentRule::new(
        budget,
        commission.fixed_bp,
        u32::try_from(commission.advances).unwrap_or(0),
        commission.cap_cents.and_then(|c| Cents::new(c).ok()),
        terms,
    )
}

/// The reporting cadence of a commission: the shortest of its indicators'.
pub fn report_cadence(indicators: &[IndicatorRow]) -> Cadence {
    indicators
        .iter()
        .map(|i| i.current().indicator.cadence)
        .min_by_key(|c| c.months())
        .unwrap_or(Cadence::Year)
}

// ---------------------------------------------------------------- reports

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub commission_id: i64,
    pub period_from: NaiveDate,
    pub period_until: NaiveDate,
    pub status: String,
    pub narrative: String,
    pub version: i64,
}

/// Makes the report of every period of the commission that has ended by
/// `today` (idempotent). Returns the commission's reports, oldest first.
pub async fn ensure_reports(
    tx: &mut Tx,
    commission: &CommissionRow,
    cadence: Cadence,
    today: NaiveDate,
) -> Result<Vec<ReportRow>> {
    let existing: BTreeSet<NaiveDate> = reports(tx, commission.id)
        .await?
        .into_iter()
        .map(|r| r.period_from)
        .collect();
    for (from, until) in cadence.periods(commission.valid_from, commission.valid_until) {
        if until <= today && !existing.contains(&from) {
            exec!(tx, |c| sqlx::query(
                "INSERT INTO cm_reports (commission_id, period_from, period_until, status) \
                 VALUES ($1, $2, $3, 'open') ON CONFLICT (commission_id, period_from) DO NOTHING"
            )
            .bind(commission.id)
            .bind(from)
            .bind(until)
            .execute(&mut *c)
            .await)?;
        }
    }
    reports(tx, commission.id).await
}

pub async fn reports(tx: &mut Tx, commission_id: i64) -> Result<Vec<ReportRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, commission_id, period_from, period_until, status, narrative, version \
         FROM cm_reports WHERE commission_id = $1 ORDER BY period_from"
    )
    .bind(commission_id)
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn report(tx: &mut Tx, id: i64) -> Result<Option<ReportRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, commission_id, period_from, period_until, status, narrative, version \
         FROM cm_reports WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// One figure of a report as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportValue {
    pub indicator_id: i64,
    pub definition_version: i64,
    pub value: Option<i64>,
    pub prefilled: bool,
    pub evidence: String,
    pub households: Option<i64>,
    /// The cell key of those households (`CellKeys::key`), so the count is
    /// published through the cell-key method.
    pub households_key: Option<i64>,
}

impl ReportValue {
    /// The households a computed figure rests on, as a cell to protect.
    pub fn households_cell(&self) -> Option<CellKeys> {
        let count = u64::try_from(self.households?).ok()?;
        let key = self.households_key.and_then(|k| u32::try_from(k).ok());
        Some(CellKeys::from_parts(count, key.unwrap_or(0)))
    }
}

pub async fn report_values(tx: &mut Tx, report_id: i64) -> Result<Vec<ReportValue>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT indicator_id, definition_version, value, prefilled, evidence, households, households_key FROM cm_report_values \
         WHERE report_id = $1 ORDER BY indicator_id"
    )
    .bind(report_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

/// Writes a report's figures and narrative (replacing earlier ones) at the
/// version read; only while the report is open or has questions.
pub async fn save_report(
    tx: &mut Tx,
    report_id: i64,
    version: i64,
    narrative: &str,
    values: &[ReportValue],
) -> Result<i64> {
    let rows = exec!(tx, |c| sqlx::query(
        "UPDATE cm_reports SET narrative = $1, version = version + 1 \
         WHERE id = $2 AND version = $3 AND status IN ('open', 'vragen')"
    )
    .bind(narrative)
    .bind(report_id)
    .bind(version)
    .execute(&mut *c)
    .await)?;
    let new_version = versioned_update(
        tx,
        rows,
        version,
        format!("report {report_id}"),
        move |tx| Box::pin(async move { Ok(report(tx, report_id).await?.is_some()) }),
    )
    .await?;
    exec!(tx, |c| sqlx::query(
        "DELETE FROM cm_report_values WHERE report_id = $1"
    )
    .bind(report_id)
    .execute(&mut *c)
    .await)?;
    for v in values {
        exec!(tx, |c| {
            sqlx::query(
            "INSERT INTO cm_report_values (report_id, indicator_id, definition_version, value, prefilled, evidence, households, households_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(report_id)
        .bind(v.indicator_id)
        .bind(v.definition_version)
        .bind(v.value)
        .bind(v.prefilled)
        .bind(&v.evidence)
        .bind(v.households)
        .bind(v.households_key)
        .execute(&mut *c)
        .await
        })?;
    }
    Ok(new_version)
}

/// A step in a report's life: submitted, a question, an answer, accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStep {
    Submit,
    Ask,
    Answer,
    Accept,
}

impl ReportStep {
    fn kind(self) -> &'static str {
        match self {
            ReportStep::Submit => "ingediend",
            ReportStep::Ask => "vraag",
            ReportStep::Answer => "antwoord",
            ReportStep::Accept => "geaccepteerd",
        }
    }
    /// The statuses the step may start from, and the status it leads to.
    fn transition(self) -> (&'static [&'static str], &'static str) {
        match self {
            ReportStep::Submit => (&["open", "vragen"], "ingediend"),
            ReportStep::Ask => (&["ingediend"], "vragen"),
            ReportStep::Answer => (&["vragen"], "vragen"),
            ReportStep::Accept => (&["ingediend"], "geaccepteerd"),
        }
    }
}

/// The step, if the report's status allows it (`Ok(false)` when it does not);
/// the history keeps every step with who took it.
pub async fn report_step(
    tx: &mut Tx,
    report_id: i64,
    step: ReportStep,
    role: &str,
    username: &str,
    text: &str,
) -> Result<bool> {
    let Some(current) = report(tx, report_id).await? else {
        return Err(StoreError::NotFound(format!("report {report_id}")));
    };
    let (from, to) = step.transition();
    if !from.contains(&current.status.as_str()) {
        return Ok(false);
    }
    exec!(tx, |c| sqlx::query(
        "UPDATE cm_reports SET status = $1, version = version + 1 WHERE id = $2 AND version = $3"
    )
    .bind(to)
    .bind(report_id)
    .bind(current.version)
    .execute(&mut *c)
    .await)?;
    exec!(tx, |c| {
        sqlx::query(
        "INSERT INTO cm_report_events (report_id, at, role, username, kind, text) VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(report_id)
    .bind(crate::now())
    .bind(role)
    .bind(username)
    .bind(step.kind())
    .bind(text)
    .execute(&mut *c)
    .await
    })?;
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReportEvent {
    pub at: DateTime<Utc>,
    pub role: String,
    pub username: String,
    pub kind: String,
    pub text: String,
}

pub async fn report_events(tx: &mut Tx, report_id: i64) -> Result<Vec<ReportEvent>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT at, role, username, kind, text FROM cm_report_events WHERE report_id = $1 ORDER BY id"
    )
    .bind(report_id)
    .fetch_all(&mut *c)
    .await
    })?)
}

// ---------------------------------------------------------------- payments

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PaymentRow {
    pub id: i64,
    pub commission_id: i64,
    pub kind: String,
    pub on_date: NaiveDate,
    pub cents: i64,
    pub basis: String,
}

/// Records a payment (an advance, or the settlement's balance) with its basis.
pub async fn record_payment(
    tx: &mut Tx,
    commission_id: i64,
    settlement: bool,
    on: NaiveDate,
    cents: i64,
    basis: &str,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "INSERT INTO cm_payments (commission_id, kind, on_date, cents, basis, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
    )
    .bind(commission_id)
    .bind(if settlement {
        "vaststelling"
    } else {
        "voorschot"
    })
    .bind(on)
    .bind(cents)
    .bind(basis)
    .bind(crate::now())
    .fetch_one(&mut *c)
    .await)?;
    Ok(id)
}

/// Payments of one commission, or of all (for the finance export).
pub async fn payments(tx: &mut Tx, commission_id: Option<i64>) -> Result<Vec<PaymentRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, commission_id, kind, on_date, cents, basis FROM cm_payments \
         WHERE ($1 IS NULL OR commission_id = $1) ORDER BY on_date, id"
    )
    .bind(commission_id)
    .fetch_all(&mut *c)
    .await)?)
}

// ---------------------------------------------------------------- computed figures

/// Whose figures, where, and over which period.
#[derive(Debug, Clone)]
pub struct Scope {
    pub provider_id: i64,
    pub district: Option<String>,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

/// A figure Baken computed: the value (None when there was nothing to
/// compute from) and the number of households it rests on, for protection
/// (`cell`: their count and cell key, published through
/// `baken_domain::cell_key::protect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComputedFigure {
    pub value: Option<Hundredths>,
    pub households: i64,
    pub cell: CellKeys,
    /// The case-mix adjusted value (ZRM change only).
    pub adjusted: Option<Hundredths>,
}

const DISTRICT: &str = "($1 IS NULL OR h.district_code = $1)";

/// The installation's cell-key secret (migration 0100 makes it).
pub async fn cell_key_secret(tx: &mut Tx) -> Result<CellKeySecret> {
    crate::meta::server_secret(tx, "cell_key")
        .await?
        .map(|s| CellKeySecret::new(s.as_bytes()))
        .ok_or_else(|| corrupt("the database has no cell-key secret"))
}

/// The cell of these households: their count and the sum of their keys.
pub fn household_cell<'a>(
    secret: &CellKeySecret,
    households: impl IntoIterator<Item = &'a i64>,
) -> CellKeys {
    CellKeys::of(
        households
            .into_iter()
            .map(|&id| RecordKey::derive(secret, "household", id)),
    )
}

/// Households in which the provider carried out an agreement (any time).
async fn provider_households(tx: &mut Tx, provider_id: i64) -> Result<BTreeSet<i64>> {
    let rows: Vec<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT p.household_id FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
         WHERE a.provider_id = $1"
    )
    .bind(provider_id)
    .fetch_all(&mut *c)
    .await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

fn share(hits: i64, total: i64) -> Option<Hundredths> {
    (total > 0).then(|| Hundredths::new(hits * 10_000 / total))
}

/// Per household: mean intake score (first `gesprek`) and the change to the
/// last evaluation in the period, in hundredths. All households of the
/// district — the case-mix reference — keyed by household.
pub async fn zrm_outcomes(
    tx: &mut Tx,
    district: Option<&str>,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<BTreeMap<i64, CaseOutcome>> {
    let sql = format!(
        "SELECT m.household_id, m.id, m.source, s.score FROM cw_measurements m \
         JOIN households h ON h.id = m.household_id JOIN cw_scores s ON s.measurement_id = m.id \
         WHERE {DISTRICT} AND m.measured_on <= $3 AND m.household_id IN \
           (SELECT m2.household_id FROM cw_measurements m2 WHERE m2.source = 'evaluatie' \
            AND m2.measured_on >= $2 AND m2.measured_on <= $3) \
         ORDER BY m.household_id, m.measured_on, m.id"
    );
    let rows: Vec<(i64, i64, String, String)> = with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(district)
        .bind(from)
        .bind(until)
        .fetch_all(&mut *c)
        .await)?;
    // Per household, its measurements in order: (id, is evaluation, scores).
    let mut per: BTreeMap<i64, Vec<(i64, bool, Vec<i64>)>> = BTreeMap::new();
    for (hh, measurement, source, score) in rows {
        let list = per.entry(hh).or_default();
        if list.last().map(|m| m.0) != Some(measurement) {
            list.push((measurement, source == "evaluatie", Vec::new()));
        }
        if let (Ok(value), Some(last)) = (score.parse::<i64>(), list.last_mut()) {
            last.2.push(value);
        }
    }
    let mean = |v: &[i64]| (!v.is_empty()).then(|| v.iter().sum::<i64>() * 100 / v.len() as i64);
    Ok(per
        .into_iter()
        .filter_map(|(hh, list)| {
            let intake = mean(&list.first()?.2)?;
            let evaluation = list.iter().skip(1).rev().find(|m| m.1)?;
            let last = mean(&evaluation.2)?;
            Some((
                hh,
                CaseOutcome {
                    intake_mean: Hundredths::new(intake),
                    change: Hundredths::new(last - intake),
                },
            ))
        })
        .collect())
}

/// Computes one measure for a provider over a period ([`compute_many`] with
/// one request).
pub async fn compute(
    tx: &mut Tx,
    measure: ComputedMeasure,
    scope: &Scope,
) -> Result<ComputedFigure> {
    Ok(compute_many(tx, &[(measure, scope.clone())])
        .await?
        .pop()
        .unwrap_or_default())
}

/// Computes one measure for a provider over a period, each figure on its own
/// with its own queries: how Baken computed before [`compute_many`], kept as
/// the reference its tests compare against on random data.
#[doc(hidden)]
pub async fn compute_reference(
    tx: &mut Tx,
    measure: ComputedMeasure,
    scope: &Scope,
) -> Result<ComputedFigure> {
    if measure.data_status() != DataStatus::Available {
        return Ok(ComputedFigure::default());
    }
    let mine = provider_households(tx, scope.provider_id).await?;
    let secret = cell_key_secret(tx).await?;
    let district = scope.district.as_deref();
    match measure {
        ComputedMeasure::GoalsAchieved => {
            let sql = format!(
                "SELECT p.household_id, g.outcome FROM cw_goals g JOIN cw_plans p ON p.id = g.plan_id \
                 JOIN households h ON h.id = p.household_id \
                 WHERE {DISTRICT} AND g.outcome_on >= $2 AND g.outcome_on <= $3 \
                 AND EXISTS (SELECT 1 FROM cw_agreements a WHERE a.plan_id = p.id AND a.provider_id = $4)"
            );
            let rows: Vec<(i64, Option<String>)> = with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(district)
                .bind(scope.from)
                .bind(scope.until)
                .bind(scope.provider_id)
                .fetch_all(&mut *c)
                .await)?;
            let households: BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
            let achieved = rows
                .iter()
                .filter(|r| r.1.as_deref() == Some("behaald"))
                .count() as i64;
            Ok(ComputedFigure {
                value: share(achieved, rows.len() as i64),
                households: households.len() as i64,
                cell: household_cell(&secret, &households),
                adjusted: None,
            })
        }
        ComputedMeasure::ZrmChange => {
            let all = zrm_outcomes(tx, district, scope.from, scope.until).await?;
            let reference: Vec<CaseOutcome> = all.values().copied().collect();
            let expected = ExpectedChange::from_reference(&reference);
            let own_ids: Vec<i64> = all.keys().filter(|hh| mine.contains(hh)).copied().collect();
            let own: Vec<CaseOutcome> = own_ids
                .iter()
                .filter_map(|hh| all.get(hh))
                .copied()
                .collect();
            let n = own.len() as i64;
            let value = (n > 0)
                .then(|| Hundredths::new(own.iter().map(|c| c.change.value()).sum::<i64>() / n));
            Ok(ComputedFigure {
                value,
                households: n,
                cell: household_cell(&secret, &own_ids),
                adjusted: expected.adjusted_mean(&own),
            })
        }
        ComputedMeasure::LightSteps => {
            let sql = format!(
                "SELECT p.household_id, MAX(a.step) FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
                 JOIN households h ON h.id = p.household_id \
                 WHERE {DISTRICT} AND a.start_on >= $2 AND a.start_on <= $3 GROUP BY p.household_id"
            );
            let rows: Vec<(i64, i64)> = with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(district)
                .bind(scope.from)
                .bind(scope.until)
                .fetch_all(&mut *c)
                .await)?;
            let own: Vec<(i64, i64)> = rows
                .into_iter()
                .filter(|(hh, _)| mine.contains(hh))
                .collect();
            let light = own.iter().filter(|(_, s)| *s <= 3).count() as i64;
            Ok(ComputedFigure {
                value: share(light, own.len() as i64),
                households: own.len() as i64,
                cell: household_cell(&secret, own.iter().map(|(hh, _)| hh)),
                adjusted: None,
            })
        }
        ComputedMeasure::BackWithinYear => {
            let closed_from = scope
                .from
                .checked_sub_months(Months::new(12))
                .unwrap_or(scope.from);
            let closed_until = scope.from.pred_opt().unwrap_or(scope.from);
            let sql = format!(
                "SELECT p.household_id, p.closed_on, \
                   (SELECT MIN(p2.opened_on) FROM cw_plans p2 WHERE p2.household_id = p.household_id \
                      AND p2.opened_on > p.closed_on) \
                 FROM cw_plans p JOIN households h ON h.id = p.household_id \
                 WHERE {DISTRICT} AND p.status = 'gesloten' AND p.closed_on >= $2 AND p.closed_on <= $3 \
                 AND EXISTS (SELECT 1 FROM cw_agreements a WHERE a.plan_id = p.id AND a.provider_id = $4)"
            );
            let rows: Vec<(i64, NaiveDate, Option<NaiveDate>)> =
                with_conn!(tx, |c| sqlx::query_as(&sql)
                    .bind(district)
                    .bind(closed_from)
                    .bind(closed_until)
                    .bind(scope.provider_id)
                    .fetch_all(&mut *c)
                    .await)?;
            let households: BTreeSet<i64> = rows.iter().map(|r| r.0).collect();
            let back = rows
                .iter()
                .filter(|(_, closed, next)| {
                    next.is_some_and(|n| {
                        closed
                            .checked_add_months(Months::new(12))
                            .is_some_and(|limit| n <= limit)
                    })
                })
                .count() as i64;
            Ok(ComputedFigure {
                value: share(back, rows.len() as i64),
                households: households.len() as i64,
                cell: household_cell(&secret, &households),
                adjusted: None,
            })
        }
        ComputedMeasure::DaysToFirstContact => {
            let sql = format!(
                "SELECT s.household_id, s.reported_on, s.first_contact_on FROM cw_signals s \
                 JOIN households h ON h.id = s.household_id \
                 WHERE {DISTRICT} AND s.first_contact_on >= $2 AND s.first_contact_on <= $3"
            );
            let rows: Vec<(i64, NaiveDate, NaiveDate)> = with_conn!(tx, |c| sqlx::query_as(&sql)
                .bind(district)
                .bind(scope.from)
                .bind(scope.until)
                .fetch_all(&mut *c)
                .await)?;
            let own: Vec<(i64, i64)> = rows
                .into_iter()
                .filter(|(hh, _, _)| mine.contains(hh))
                .map(|(hh, reported, contact)| (hh, (contact - reported).num_days()))
                .collect();
            let households: BTreeSet<i64> = own.iter().map(|r| r.0).collect();
            let n = own.len() as i64;
            Ok(ComputedFigure {
                value: (n > 0)
                    .then(|| Hundredths::new(own.iter().map(|r| r.1).sum::<i64>() * 100 / n)),
                households: households.len() as i64,
                cell: household_cell(&secret, &households),
                adjusted: None,
            })
        }
        ComputedMeasure::ResidentJudgement => {
            // Anonymous answers: no household to key on, so each answer's own
            // random id is its record key.
            let rows = crate::survey::answers_about(
                tx,
                scope.provider_id,
                district,
                scope.from.year(),
                scope.until.year(),
            )
            .await?;
            let opinions: Vec<_> = rows
                .iter()
                .map(|r| (r.id, r.answers.0[JUDGEMENT_QUESTION]))
                .filter(|(_, a)| a.is_opinion())
                .collect();
            let agree = opinions.iter().filter(|(_, a)| a.agrees()).count() as i64;
            Ok(ComputedFigure {
                value: share(agree, opinions.len() as i64),
                households: opinions.len() as i64,
                cell: CellKeys::of(
                    opinions.iter().map(|(id, _)| {
                        RecordKey::derive(&secret, crate::survey::SURVEY_RECORD, *id)
                    }),
                ),
                adjusted: None,
            })
        }
        // Not available yet: handled above.
        ComputedMeasure::ActiveVolunteers | ComputedMeasure::Matches => {
            Ok(ComputedFigure::default())
        }
    }
}

/// One row of a provider's scorecard: its households and adjusted results in
/// one district. `households` is the true count (for the decision whether a
/// mean may be shown); `cell` is what the web layer publishes, through the
/// cell-key method.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScoreRow {
    pub district_code: String,
    pub district_name: String,
    pub households: i64,
    #[serde(skip)]
    pub cell: CellKeys,
    pub zrm_change: Option<i64>,
    pub zrm_adjusted: Option<i64>,
}

/// The mean change and the case-mix adjusted mean change of some households.
fn score(
    secret: &CellKeySecret,
    expected: &ExpectedChange,
    all: &BTreeMap<i64, CaseOutcome>,
    households: &BTreeSet<i64>,
) -> (i64, CellKeys, Option<i64>, Option<i64>) {
    let ids: Vec<i64> = households
        .iter()
        .filter(|hh| all.contains_key(hh))
        .copied()
        .collect();
    let cases: Vec<CaseOutcome> = ids.iter().filter_map(|hh| all.get(hh)).copied().collect();
    let n = cases.len() as i64;
    (
        n,
        household_cell(secret, &ids),
        (n > 0).then(|| cases.iter().map(|c| c.change.value()).sum::<i64>() / n),
        expected.adjusted_mean(&cases).map(Hundredths::value),
    )
}

/// Every household's ZRM outcome in the period and the expected change per
/// start band over all of them (the municipality's reference).
async fn outcomes_and_reference(
    tx: &mut Tx,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<(BTreeMap<i64, CaseOutcome>, ExpectedChange)> {
    let all = zrm_outcomes(tx, None, from, until).await?;
    let reference: Vec<CaseOutcome> = all.values().copied().collect();
    let expected = ExpectedChange::from_reference(&reference);
    Ok((all, expected))
}

/// A provider's scorecard per district over a period: households with an
/// evaluation, the mean ZRM change and the case-mix adjusted change.
pub async fn scorecard(
    tx: &mut Tx,
    provider_id: i64,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<ScoreRow>> {
    let secret = cell_key_secret(tx).await?;
    let mine = provider_households(tx, provider_id).await?;
    let (all, expected) = outcomes_and_reference(tx, from, until).await?;
    let districts: Vec<(i64, String, String)> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT h.id, d.code, d.name FROM households h JOIN districts d ON d.code = h.district_code \
         WHERE h.id IN (SELECT p.household_id FROM cw_agreements a JOIN cw_plans p ON p.id = a.plan_id \
                        WHERE a.provider_id = $1)"
    )
    .bind(provider_id)
    .fetch_all(&mut *c)
    .await
    })?;
    let mut per: BTreeMap<(String, String), BTreeSet<i64>> = BTreeMap::new();
    for (hh, code, name) in districts {
        let households = per.entry((code, name)).or_default();
        if mine.contains(&hh) {
            households.insert(hh);
        }
    }
    Ok(per
        .into_iter()
        .map(|((code, name), households)| {
            let (n, cell, change, adjusted) = score(&secret, &expected, &all, &households);
            ScoreRow {
                district_code: code,
                district_name: name,
                households: n,
                cell,
                zrm_change: change,
                zrm_adjusted: adjusted,
            }
        })
        .collect())
}

/// One row of the scorecard per product: a provider's households with a
/// toewijzing for the product, in one district or (`district` None) in the
/// whole municipality, with their mean and case-mix adjusted ZRM change.
#[derive(Debug, Clone)]
pub struct ProductScoreRow {
    pub provider_id: i64,
    pub provider_name: String,
    pub product_id: i64,
    pub product_name: String,
    /// District code and name; None for the whole municipality.
    pub district: Option<(String, String)>,
    /// The true count, for the decision whether a mean may be shown.
    pub households: i64,
    /// What may be published: through `baken_domain::cell_key::protect`.
    pub cell: CellKeys,
    pub zrm_change: Option<i64>,
    pub zrm_adjusted: Option<i64>,
}

/// The scorecard per product (and per district, and for the whole
/// municipality): for every provider (or one) and every product (or one),
/// the households with a toewijzing for it that started by `until` and had
/// an evaluation in the period. The case-mix reference is every household
/// with an evaluation in the period, whoever served it.
pub async fn product_scorecard(
    tx: &mut Tx,
    provider_id: Option<i64>,
    product_id: Option<i64>,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<ProductScoreRow>> {
    let secret = cell_key_secret(tx).await?;
    let (all, expected) = outcomes_and_reference(tx, from, until).await?;
    type Row = (i64, String, i64, String, i64, String, String);
    let rows: Vec<Row> = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT DISTINCT z.provider_id, pv.name, z.product_id, pr.name, z.household_id, d.code, d.name \
             FROM ct_toewijzingen z JOIN providers pv ON pv.id = z.provider_id \
             JOIN ct_products pr ON pr.id = z.product_id \
             JOIN households h ON h.id = z.household_id JOIN districts d ON d.code = h.district_code \
             WHERE ($1 IS NULL OR z.provider_id = $1) AND ($2 IS NULL OR z.product_id = $2) \
             AND z.start_date <= $3",
        )
        .bind(provider_id)
        .bind(product_id)
        .bind(until)
        .fetch_all(&mut *c)
        .await
    })?;
    type Key = (i64, String, i64, String, Option<(String, String)>);
    let mut per: BTreeMap<Key, BTreeSet<i64>> = BTreeMap::new();
    for (provider, provider_name, product, product_name, hh, code, name) in rows {
        let whole = (provider, provider_name, product, product_name, None);
        per.entry(whole.clone()).or_default().insert(hh);
        let mut district = whole;
        district.4 = Some((code, name));
        per.entry(district).or_default().insert(hh);
    }
    Ok(per
        .into_iter()
        .map(
            |((provider_id, provider_name, product_id, product_name, district), households)| {
                let (n, cell, change, adjusted) = score(&secret, &expected, &all, &households);
                ProductScoreRow {
                    provider_id,
                    provider_name,
                    product_id,
                    product_name,
                    district,
                    households: n,
                    cell,
                    zrm_change: change,
                    zrm_adjusted: adjusted,
                }
            },
        )
        .collect())
}

// ---------------------------------------------------------------- reports filled by Baken

/// The figures of a report as Baken fills them: every computed indicator due
/// in the report's period computed over its cadence window (a snapshot, so
/// the history stays), the reported ones empty for the provider. An
/// indicator not due in this report (a yearly one in the first quarter) is
/// left out.
pub async fn prefill(
    tx: &mut Tx,
    commission: &CommissionRow,
    goals: &[GoalRow],
    indicators: &[IndicatorRow],
    report: &ReportRow,
) -> Result<Vec<ReportValue>> {
    let mut requests = Vec::new();
    let planned = plan(commission, goals, indicators, report, &mut requests);
    let figures = compute_many(tx, &requests).await?;
    Ok(fill(planned, &requests, &figures))
}

/// One figure of one report as [`recompute_all`] computed it, with what it
/// was computed over (None: not computed by Baken).
#[derive(Debug, Clone)]
pub struct Recomputed {
    pub report_id: i64,
    pub value: ReportValue,
    pub computed: Option<(ComputedMeasure, Scope)>,
}

/// Every report of every commission as Baken fills it (nothing is written):
/// all their figures computed at once by [`compute_many`].
pub async fn recompute_all(tx: &mut Tx) -> Result<Vec<Recomputed>> {
    let mut requests = Vec::new();
    let mut plans = Vec::new();
    for commission in commissions(tx, None).await? {
        let goals = commission_goals(tx, commission.id).await?;
        let indicators = indicators(tx, commission.id).await?;
        for report in reports(tx, commission.id).await? {
            let planned = plan(&commission, &goals, &indicators, &report, &mut requests);
            plans.push((report.id, planned));
        }
    }
    let figures = compute_many(tx, &requests).await?;
    let mut out = Vec::new();
    for (report_id, planned) in plans {
        let asked: Vec<Option<usize>> = planned.iter().map(|p| p.2).collect();
        for (value, request) in fill(planned, &requests, &figures).into_iter().zip(asked) {
            out.push(Recomputed {
                report_id,
                value,
                computed: request.map(|i| requests[i].clone()),
            });
        }
    }
    Ok(out)
}

/// Per indicator of a report: its id, definition version and, when Baken
/// computes it, the index of its request (pushed onto `requests`).
type Planned = Vec<(i64, i64, Option<usize>)>;

fn plan(
    commission: &CommissionRow,
    goals: &[GoalRow],
    indicators: &[IndicatorRow],
    report: &ReportRow,
    requests: &mut Vec<(ComputedMeasure, Scope)>,
) -> Planned {
    let district = commission_district(goals);
    let mut planned = Vec::new();
    for row in indicators {
        let version = row.on(report.period_until);
        let indicator = &version.indicator;
        let Some((from, until)) = indicator.cadence.window_in(
            (commission.valid_from, commission.valid_until),
            (report.period_from, report.period_until),
        ) else {
            continue;
        };
        let measurable = indicator.measurable_from(commission.valid_from) <= report.period_until;
        let request = match indicator.source {
            IndicatorSource::Computed(measure)
                if measurable && measure.data_status() == DataStatus::Available =>
            {
                requests.push((
                    measure,
                    Scope {
                        provider_id: commission.provider_id,
                        district: district.clone(),
                        from,
                        until,
                    },
                ));
                Some(requests.len() - 1)
            }
            _ => None,
        };
        planned.push((row.id, indicator.version, request));
    }
    planned
}

fn fill(
    planned: Planned,
    requests: &[(ComputedMeasure, Scope)],
    figures: &[ComputedFigure],
) -> Vec<ReportValue> {
    planned
        .into_iter()
        .map(|(indicator_id, definition_version, request)| {
            let (value, households, households_key, prefilled) = match request {
                Some(i) => {
                    let figure = figures[i];
                    let value = if requests[i].0 == ComputedMeasure::ZrmChange {
                        figure.adjusted.or(figure.value)
                    } else {
                        figure.value
                    };
                    (
                        value.map(Hundredths::value),
                        Some(figure.households),
                        Some(i64::from(figure.cell.key())),
                        true,
                    )
                }
                None => (None, None, None, false),
            };
            ReportValue {
                indicator_id,
                definition_version,
                value,
                prefilled,
                evidence: String::new(),
                households,
                households_key,
            }
        })
        .collect()
}

/// The figures of the last accepted report (by indicator), and its period's end.
pub async fn accepted_figures(
    tx: &mut Tx,
    commission_id: i64,
) -> Result<Option<(ReportRow, BTreeMap<i64, Hundredths>)>> {
    let Some(last) = reports(tx, commission_id)
        .await?
        .into_iter()
        .rev()
        .find(|r| r.status == "geaccepteerd")
    else {
        return Ok(None);
    };
    let figures = report_values(tx, last.id)
        .await?
        .into_iter()
        .filter_map(|v| v.value.map(|x| (v.indicator_id, Hundredths::new(x))))
        .collect();
    Ok(Some((last, figures)))
}

/// The year-end settlement, once the report that closes the commission's
/// period is accepted: the payment over its figures against the advances paid.
pub async fn settle(
    tx: &mut Tx,
    commission: &CommissionRow,
    _indicators: &[IndicatorRow],
    rule: &PaymentRule,
) -> Result<Option<baken_domain::commissioning::Settlement>> {
    let Some((last, figures)) = accepted_figures(tx, commission.id).await? else {
        return Ok(None);
    };
    if last.period_until != commission.valid_until {
        return Ok(None);
    }
    let advances: i64 = payments(tx, Some(commission.id))
        .await?
        .iter()
        .filter(|p| p.kind == "voorschot")
        .map(|p| p.cents)
        .sum();
    let paid = Cents::new(advances).map_err(corrupt)?;
    Ok(Some(rule.settle(&|id| figures.get(&id).copied(), paid)))
}
