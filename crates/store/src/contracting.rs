//! Commissioning's storage: products, contracts with versioned tariffs,
//! licences with their evidence and tariff acceptances, waiting times, team
//! mandates, toewijzingen (with the provider's start and stop), a provider's
//! verzoek om toewijzing, and the iWmo messages seen.
//!
//! The rules live in `baken_domain::contracting`; this module stores what the
//! rules allow and reads it back into domain values. Callers write the audit
//! entry in the same transaction.

use crate::settings::{self, Key};
use crate::{exec, versioned_update, with_conn, Result, StoreError, Tx};
use baken_domain::contracting::{
    may_offer, Cents, Contract, Evidence, ExecutionVariant, Frequency, Licence, LicenceApplication,
    LicenceStatus, Product, ProductCategory, ProductCode, Requirement, Scope, StopReason, Tariff,
    TeamMandate, Toewijzing, Unit,
};
use baken_domain::{LadderStep, MunicipalityCode};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};

/// Setting: the municipality's CBS gemeentecode (four digits), iWmo's Afzender.
pub const SETTING_GEMEENTECODE: Key = Key::new(settings::Scope::Contracting, "gemeentecode");
/// Setting: working days a verzoek om toewijzing must be answered in.
pub const SETTING_ANSWER_DAYS: Key =
    Key::new(settings::Scope::Contracting, "antwoordtermijn_werkdagen");
/// The answer period when none is set.
pub const DEFAULT_ANSWER_DAYS: i64 = 5;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

// ---------------------------------------------------------------- settings

/// The answer period for a verzoek om toewijzing, in working days.
pub async fn answer_days(tx: &mut Tx) -> Result<i64> {
    Ok(settings::get(tx, SETTING_ANSWER_DAYS)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ANSWER_DAYS))
}

// ------------------------------------------------------- provider details

/// Sets a provider's AGB code (eight digits, checked by the caller).
pub async fn set_agb_code(tx: &mut Tx, provider_id: i64, agb_code: &str) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO ct_provider_codes (provider_id, agb_code) VALUES ($1, $2) \
             ON CONFLICT (provider_id) DO UPDATE SET agb_code = excluded.agb_code",
        )
        .bind(provider_id)
        .bind(agb_code)
        .execute(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("AGB code {agb_code}")))?;
    Ok(())
}

pub async fn agb_code(tx: &mut Tx, provider_id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> = with_conn!(tx, |c| {
        sqlx::query_as("SELECT agb_code FROM ct_provider_codes WHERE provider_id = $1")
            .bind(provider_id)
            .fetch_optional(&mut *c)
            .await
    })?;
    Ok(row.map(|(v,)| v))
}

/// The provider with this AGB code, and its name.
pub async fn provider_by_agb(tx: &mut Tx, agb_code: &str) -> Result<Option<(i64, String)>> {
    let row = with_conn!(tx, |c| {
        sqlx::query_as(
            "SELECT p.id, p.name FROM ct_provider_codes k JOIN providers p ON p.id = k.provider_id \
             WHERE k.agb_code = $1",
        )
        .bind(agb_code)
        .fetch_optional(&mut *c)
        .await
    })?;
    Ok(row)
}

/// The districts a provider works in (none: the whole municipality).
pub async fn set_provider_districts(
    tx: &mut Tx,
    provider_id: i64,
    districts: &[String],
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query("DELETE FROM ct_provider_districts WHERE provider_id = $1")
            .bind(provider_id)
            .execute(&mut *c)
            .await
    })?;
    for code in districts {
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO ct_provider_districts (provider_id, district_code) VALUES ($1, $2)",
            )
            .bind(provider_id)
            .bind(code)
            .execute(&mut *c)
            .await
        })?;
    }
    Ok(())
}

// ---------------------------------------------------------------- products

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ProductRow {
    pub id: i64,
    pub category: String,
    pub code: String,
    pub name: String,
    pub step: i64,
    pub variant: String,
    pub unit: Option<String>,
    pub frequency: Option<String>,
    pub version: i64,
}

impl ProductRow {
    /// The stored product as a domain value.
    pub fn product(&self) -> Result<Product> {
        let step = u8::try_from(self.step)
            .ok()
            .and_then(|s| LadderStep::new(s).ok())
            .ok_or_else(|| corrupt(format!("product {} step {}", self.id, self.step)))?;
        let variant = ExecutionVariant::parse(
            &self.variant,
            self.unit.as_deref(),
            self.frequency.as_deref(),
        )
        .map_err(|e| corrupt(format!("product {}: {e}", self.id)))?;
        Product::new(
            ProductCategory::parse(&self.category).map_err(corrupt)?,
            ProductCode::parse(&self.code).map_err(corrupt)?,
            &self.name,
            step,
            variant,
        )
        .map_err(corrupt)
    }
}

/// A row type both backends can read.
trait Row:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}
impl<T> Row for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

/// The rows of `columns` (a `SELECT … FROM …`) that `rest` (a `WHERE` on
/// `$1`, an `ORDER BY`) selects for `key`.
async fn rows_where<T: Row>(tx: &mut Tx, columns: &str, rest: &str, key: i64) -> Result<Vec<T>> {
    let sql = format!("{columns} {rest}");
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(key)
        .fetch_all(&mut *c)
        .await)?)
}

/// The one row of `columns` that `condition` (a `WHERE` on `$1`) selects
/// for `key`, if any.
async fn row_where<T: Row>(
    tx: &mut Tx,
    columns: &str,
    condition: &str,
    key: i64,
) -> Result<Option<T>> {
    let sql = format!("{columns} {condition}");
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(key)
        .fetch_optional(&mut *c)
        .await)?)
}

const PRODUCT_COLUMNS: &str =
    "SELECT id, category, code, name, step, variant, unit, frequency, version FROM ct_products";

fn variant_parts(variant: ExecutionVariant) -> (Option<&'static str>, Option<&'static str>) {
    match variant {
        ExecutionVariant::Effort { unit, frequency } => (Some(unit.code()), Some(frequency.code())),
        ExecutionVariant::Output | ExecutionVariant::Task => (None, None),
    }
}

pub async fn create_product(tx: &mut Tx, product: &Product) -> Result<i64> {
    let (unit, frequency) = variant_parts(product.variant());
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ct_products (category, code, name, step, variant, unit, frequency) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(product.category().code())
        .bind(product.code().as_str())
        .bind(product.name())
        .bind(i64::from(product.step().value()))
        .bind(product.variant().code())
        .bind(unit)
        .bind(frequency)
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("product {}", product.full_code())))?;
    Ok(id)
}

/// Changes a product if it is still at `expected_version`; returns the new version.
pub async fn update_product(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    product: &Product,
) -> Result<i64> {
    let (unit, frequency) = variant_parts(product.variant());
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE ct_products SET category = $1, code = $2, name = $3, step = $4, variant = $5, \
             unit = $6, frequency = $7, version = version + 1 WHERE id = $8 AND version = $9",
        )
        .bind(product.category().code())
        .bind(product.code().as_str())
        .bind(product.name())
        .bind(i64::from(product.step().value()))
        .bind(product.variant().code())
        .bind(unit)
        .bind(frequency)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("product {}", product.full_code())))?;
    versioned_update(tx, n, expected_version, format!("product {id}"), |tx| {
        Box::pin(async move { Ok(product_row(tx, id).await?.is_some()) })
    })
    .await
}

pub async fn products(tx: &mut Tx) -> Result<Vec<ProductRow>> {
    let sql = format!("{PRODUCT_COLUMNS} ORDER BY category, code");
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .fetch_all(&mut *c)
        .await)?)
}

pub async fn product_row(tx: &mut Tx, id: i64) -> Result<Option<ProductRow>> {
    row_where(tx, PRODUCT_COLUMNS, "WHERE id = $1", id).await
}

pub async fn product_by_code(
    tx: &mut Tx,
    category: &str,
    code: &str,
) -> Result<Option<ProductRow>> {
    let sql = format!("{PRODUCT_COLUMNS} WHERE category = $1 AND code = $2");
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(category)
        .bind(code)
        .fetch_optional(&mut *c)
        .await)?)
}

// --------------------------------------------------------------- contracts

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ContractRow {
    pub id: i64,
    pub lot: String,
    pub municipalities: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub version: i64,
}

/// Stores a new contract with its products and requirements (no tariffs yet:
/// [`set_tariff`]). Returns its id.
pub async fn create_contract(
    tx: &mut Tx,
    contract: &Contract,
    products: &[i64],
    requirements: &[String],
) -> Result<i64> {
    let municipalities = contract
        .municipalities()
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ct_contracts (lot, municipalities, valid_from, valid_until) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(contract.lot())
        .bind(&municipalities)
        .bind(contract.from())
        .bind(contract.until())
        .fetch_one(&mut *c)
        .await
    })?;
    for product in products {
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO ct_contract_products (contract_id, product_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(product)
            .execute(&mut *c)
            .await
        })
        .map_err(|e| StoreError::from_insert(e, &format!("product {product} in the contract")))?;
    }
    for name in requirements {
        exec!(tx, |c| {
            sqlx::query("INSERT INTO ct_requirements (contract_id, name) VALUES ($1, $2)")
                .bind(id)
                .bind(name)
                .execute(&mut *c)
                .await
        })?;
    }
    Ok(id)
}

pub async fn contracts(tx: &mut Tx) -> Result<Vec<ContractRow>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, lot, municipalities, valid_from, valid_until, version FROM ct_contracts \
         ORDER BY valid_from DESC, lot"
    )
    .fetch_all(&mut *c)
    .await)?)
}

#[derive(sqlx::FromRow)]
struct TariffRow {
    id: i64,
    product_id: i64,
    cents: i64,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
}

/// One contract with its products, requirements and every tariff version.
pub async fn contract(tx: &mut Tx, id: i64) -> Result<Option<Contract>> {
    let row: Option<ContractRow> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT id, lot, municipalities, valid_from, valid_until, version FROM ct_contracts WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let municipalities = row
        .municipalities
        .split(',')
        .map(MunicipalityCode::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(corrupt)?;
    let products: Vec<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT product_id FROM ct_contract_products WHERE contract_id = $1 ORDER BY product_id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await
    })?;
    let requirements: Vec<(i64, String)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, name FROM ct_requirements WHERE contract_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await)?;
    let tariffs: Vec<TariffRow> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT id, product_id, cents, valid_from, valid_until FROM ct_tariffs \
         WHERE contract_id = $1 ORDER BY product_id, valid_from"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await)?;
    let tariffs = tariffs
        .into_iter()
        .map(|t| {
            Ok(Tariff {
                id: t.id,
                product_id: t.product_id,
                cents: Cents::new(t.cents).map_err(corrupt)?,
                valid_from: t.valid_from,
                valid_until: t.valid_until,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let contract = Contract::new(
        row.id,
        &row.lot,
        municipalities,
        row.valid_from,
        row.valid_until,
    )
    .map_err(corrupt)?
    .with_parts(
        products.into_iter().map(|(p,)| p),
        requirements
            .into_iter()
            .map(|(id, name)| Requirement { id, name })
            .collect(),
        tariffs,
    );
    Ok(Some(contract))
}

/// Sets a new tariff for a product from a date: the previous version is kept
/// and closed the day before ([`Contract::set_tariff`]). Returns the new
/// tariff's id; a refusal of the rule comes back as the domain error.
pub async fn set_tariff(
    tx: &mut Tx,
    contract_id: i64,
    product_id: i64,
    cents: Cents,
    from: NaiveDate,
) -> Result<Result<i64, baken_domain::contracting::ContractError>> {
    let mut c = contract(tx, contract_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("contract {contract_id}")))?;
    let (closed, tariff) = match c.set_tariff(product_id, cents, from) {
        Ok(change) => change,
        Err(e) => return Ok(Err(e)),
    };
    if let Some((closed_id, end)) = closed {
        exec!(tx, |c| {
            sqlx::query("UPDATE ct_tariffs SET valid_until = $1 WHERE id = $2")
                .bind(end)
                .bind(closed_id)
                .execute(&mut *c)
                .await
        })?;
    }
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ct_tariffs (contract_id, product_id, cents, valid_from, valid_until, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5) RETURNING id",
        )
        .bind(contract_id)
        .bind(product_id)
        .bind(tariff.cents.value())
        .bind(tariff.valid_from)
        .bind(crate::now())
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(Ok(id))
}

/// The contracts that hold a product.
pub async fn contracts_with_product(tx: &mut Tx, product_id: i64) -> Result<Vec<Contract>> {
    let ids: Vec<(i64,)> = with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT contract_id FROM ct_contract_products WHERE product_id = $1 ORDER BY contract_id"
    )
    .bind(product_id)
    .fetch_all(&mut *c)
    .await
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(c) = contract(tx, id).await? {
            out.push(c);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- licences

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LicenceRow {
    pub id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub contract_id: i64,
    pub lot: String,
    pub applied_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: String,
    pub decided_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub version: i64,
}

impl LicenceRow {
    pub fn licence(&self) -> Result<Licence> {
        let status = match (self.status.as_str(), self.decided_on) {
            ("aangevraagd", _) => LicenceStatus::Applied,
            ("verleend", Some(on)) => LicenceStatus::Accepted { on },
            ("afgewezen", Some(on)) => LicenceStatus::Rejected {
                on,
                reason: self.reason.clone().unwrap_or_default(),
            },
            (s, _) => return Err(corrupt(format!("licence {} status {s}", self.id))),
        };
        Ok(Licence {
            id: self.id,
            provider_id: self.provider_id,
            contract_id: self.contract_id,
            valid_until: self.valid_until,
            status,
        })
    }
}

const LICENCE_COLUMNS: &str = "SELECT l.id, l.provider_id, p.name AS provider_name, l.contract_id, \
     c.lot, l.applied_on, l.valid_until, l.status, l.decided_on, l.reason, l.version \
     FROM ct_licences l JOIN providers p ON p.id = l.provider_id JOIN ct_contracts c ON c.id = l.contract_id";

/// Leaves a reminder for every granted licence whose renewal is due on
/// `today` (60 days before it ends, [`Licence::renewal_due`]) and that was not
/// reminded yet: a notification for each active user of the provider (the
/// notification round e-mails them), once per licence. Returns the licences
/// reminded.
pub async fn remind_renewals(tx: &mut Tx, today: NaiveDate) -> Result<Vec<i64>> {
    let sql = format!(
        "{LICENCE_COLUMNS} WHERE l.status = 'verleend' AND l.renewal_reminded_on IS NULL ORDER BY l.id"
    );
    let rows: Vec<LicenceRow> = with_conn!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await)?;
    let mut reminded = Vec::new();
    for row in rows {
        if !row.licence()?.renewal_due(today) {
            continue;
        }
        let users: Vec<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
            "SELECT id FROM users WHERE provider_id = $1 AND active = TRUE ORDER BY id"
        )
        .bind(row.provider_id)
        .fetch_all(&mut *c)
        .await)?;
        let text = format!(
            "Uw licentie voor {} loopt af op {}. Vraag op tijd een nieuwe licentie aan.",
            row.lot,
            row.valid_until.format("%d-%m-%Y")
        );
        for (user_id,) in users {
            crate::notifications::notify(
                tx,
                &crate::notifications::NewNotification {
                    user_id,
                    kind: baken_domain::NotificationKind::LicenceRenewal,
                    text: &text,
                    link: "/aanbod/contracten",
                },
            )
            .await?;
        }
        exec!(tx, |c| sqlx::query(
            "UPDATE ct_licences SET renewal_reminded_on = $1 WHERE id = $2"
        )
        .bind(today)
        .bind(row.id)
        .execute(&mut *c)
        .await)?;
        reminded.push(row.id);
    }
    Ok(reminded)
}

/// Records that a provider accepts tariffs (kept per tariff version).
pub async fn accept_tariffs(
    tx: &mut Tx,
    provider_id: i64,
    tariffs: &BTreeSet<i64>,
    on: NaiveDate,
) -> Result<()> {
    for tariff in tariffs {
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO ct_tariff_acceptances (provider_id, tariff_id, accepted_on) \
                 VALUES ($1, $2, $3) ON CONFLICT (provider_id, tariff_id) DO NOTHING",
            )
            .bind(provider_id)
            .bind(tariff)
            .bind(on)
            .execute(&mut *c)
            .await
        })?;
    }
    Ok(())
}

pub async fn accepted_tariffs(tx: &mut Tx, provider_id: i64) -> Result<BTreeSet<i64>> {
    let rows: Vec<(i64,)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT tariff_id FROM ct_tariff_acceptances WHERE provider_id = $1"
    )
    .bind(provider_id)
    .fetch_all(&mut *c)
    .await)?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// Stores a provider's application (checked complete by the domain) with its
/// evidence, and its acceptance of the tariffs. The licence runs to the end of
/// the contract period. Returns the licence's id.
pub async fn apply_for_licence(
    tx: &mut Tx,
    provider_id: i64,
    contract: &Contract,
    application: &LicenceApplication,
    today: NaiveDate,
) -> Result<i64> {
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ct_licences (provider_id, contract_id, applied_on, valid_until, status) \
             VALUES ($1, $2, $3, $4, 'aangevraagd') RETURNING id",
        )
        .bind(provider_id)
        .bind(contract.id)
        .bind(today)
        .bind(contract.until())
        .fetch_one(&mut *c)
        .await
    })?;
    for (requirement, evidence) in application.evidence() {
        let kind = match evidence {
            Evidence::Statement { .. } => "verklaring",
            Evidence::Document { .. } => "document",
        };
        exec!(tx, |c| {
            sqlx::query(
                "INSERT INTO ct_evidence (licence_id, requirement_id, kind, text, dated) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(requirement)
            .bind(kind)
            .bind(evidence.describe())
            .bind(evidence.dated())
            .execute(&mut *c)
            .await
        })?;
        if let Evidence::Document { file, .. } = evidence {
            let digest = hex::encode(sha2::Sha256::digest(file.bytes()));
            exec!(tx, |c| {
                sqlx::query(
                    "INSERT INTO ct_evidence_files \
                     (licence_id, requirement_id, content_type, size_bytes, sha256, content) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(requirement)
                .bind(file.kind().mime())
                .bind(file.bytes().len() as i64)
                .bind(&digest)
                .bind(file.bytes())
                .execute(&mut *c)
                .await
            })?;
        }
    }
    accept_tariffs(tx, provider_id, application.accepted_tariffs(), today).await?;
    Ok(id)
}

/// Licences, newest first; only one provider's when `provider_id` is given.
pub async fn licences(tx: &mut Tx, provider_id: Option<i64>) -> Result<Vec<LicenceRow>> {
    rows_where(
        tx,
        LICENCE_COLUMNS,
        "WHERE ($1 = 0 OR l.provider_id = $1) ORDER BY l.applied_on DESC, l.id DESC",
        provider_id.unwrap_or(0),
    )
    .await
}

pub async fn licence(tx: &mut Tx, id: i64) -> Result<Option<LicenceRow>> {
    row_where(tx, LICENCE_COLUMNS, "WHERE l.id = $1", id).await
}

/// The evidence of an application: requirement id and name, kind
/// (`verklaring`, `document`), text (a document's file name), date.
pub async fn licence_evidence(
    tx: &mut Tx,
    licence_id: i64,
) -> Result<Vec<(i64, String, String, String, NaiveDate)>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT r.id, r.name, e.kind, e.text, e.dated FROM ct_evidence e \
         JOIN ct_requirements r ON r.id = e.requirement_id WHERE e.licence_id = $1 ORDER BY r.id"
    )
    .bind(licence_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// An uploaded evidence document: its file name, content type and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceDocument {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// The document a licence's evidence for one requirement holds, if any.
pub async fn evidence_document(
    tx: &mut Tx,
    licence_id: i64,
    requirement_id: i64,
) -> Result<Option<EvidenceDocument>> {
    let row: Option<(String, String, String, Vec<u8>)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT e.text, f.content_type, f.sha256, f.content FROM ct_evidence_files f \
         JOIN ct_evidence e ON e.licence_id = f.licence_id AND e.requirement_id = f.requirement_id \
         WHERE f.licence_id = $1 AND f.requirement_id = $2"
    )
    .bind(licence_id)
    .bind(requirement_id)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.map(
        |(file_name, content_type, sha256, content)| EvidenceDocument {
            file_name,
            content_type,
            sha256,
            content,
        },
    ))
}

/// Stores the municipality's decision on a licence (decided by the domain's
/// [`Licence::decide`]), if it is still at `expected_version`.
pub async fn store_licence_decision(
    tx: &mut Tx,
    licence: &Licence,
    expected_version: i64,
) -> Result<i64> {
    let (on, reason) = match &licence.status {
        LicenceStatus::Applied => return Err(corrupt("a decision must accept or reject")),
        LicenceStatus::Accepted { on } => (*on, None),
        LicenceStatus::Rejected { on, reason } => (*on, Some(reason.as_str())),
    };
    let id = licence.id;
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE ct_licences SET status = $1, decided_on = $2, reason = $3, version = version + 1 \
             WHERE id = $4 AND version = $5 AND status = 'aangevraagd'",
        )
        .bind(licence.status.code())
        .bind(on)
        .bind(reason)
        .bind(id)
        .bind(expected_version)
        .execute(&mut *c)
        .await
    })?;
    versioned_update(tx, n, expected_version, format!("licence {id}"), |tx| {
        Box::pin(async move { Ok(self::licence(tx, id).await?.is_some()) })
    })
    .await
}

// --------------------------------------------------- waiting times, offers

pub async fn report_waiting_time(
    tx: &mut Tx,
    provider_id: i64,
    product_id: i64,
    weeks: i64,
    on: NaiveDate,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO ct_waiting_times (provider_id, product_id, weeks, reported_on) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (provider_id, product_id) \
             DO UPDATE SET weeks = excluded.weeks, reported_on = excluded.reported_on",
        )
        .bind(provider_id)
        .bind(product_id)
        .bind(weeks)
        .bind(on)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// A provider that may be offered, with what the resident sees.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Offer {
    pub provider_id: i64,
    pub name: String,
    /// Waiting time in weeks as the provider reported it, and when.
    pub waiting: Option<(i64, NaiveDate)>,
    /// The districts it works in (empty: the whole municipality).
    pub districts: Vec<String>,
}

/// The providers that may be offered for `product_id` on `date` to a resident
/// of `district`: licensed and with the day's tariff accepted
/// ([`may_offer`]), and working in the district (or everywhere).
pub async fn offers(
    tx: &mut Tx,
    product_id: i64,
    district: &str,
    date: NaiveDate,
) -> Result<Vec<Offer>> {
    let contracts = contracts_with_product(tx, product_id).await?;
    let all = licences(tx, None).await?;
    let mut providers: BTreeMap<i64, (String, Vec<Licence>)> = BTreeMap::new();
    for row in &all {
        if contracts.iter().any(|c| c.id == row.contract_id) {
            providers
                .entry(row.provider_id)
                .or_insert_with(|| (row.provider_name.clone(), Vec::new()))
                .1
                .push(row.licence()?);
        }
    }
    let mut out = Vec::new();
    for (provider_id, (name, licences)) in providers {
        let accepted = accepted_tariffs(tx, provider_id).await?;
        if !contracts
            .iter()
            .any(|c| may_offer(c, product_id, &licences, &accepted, date).is_ok())
        {
            continue;
        }
        let districts: Vec<(String,)> = with_conn!(tx, |c| {
            sqlx::query_as(
            "SELECT district_code FROM ct_provider_districts WHERE provider_id = $1 ORDER BY district_code"
        )
        .bind(provider_id)
        .fetch_all(&mut *c)
        .await
        })?;
        let districts: Vec<String> = districts.into_iter().map(|(d,)| d).collect();
        if !districts.is_empty() && !districts.iter().any(|d| d == district) {
            continue;
        }
        let waiting: Option<(i64, NaiveDate)> = with_conn!(tx, |c| {
            sqlx::query_as(
            "SELECT weeks, reported_on FROM ct_waiting_times WHERE provider_id = $1 AND product_id = $2"
        )
        .bind(provider_id)
        .bind(product_id)
        .fetch_optional(&mut *c)
        .await
        })?;
        out.push(Offer {
            provider_id,
            name,
            waiting,
            districts,
        });
    }
    out.sort_by(|a, b| {
        let wait = |o: &Offer| o.waiting.map_or(i64::MAX, |(w, _)| w);
        wait(a).cmp(&wait(b)).then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

// ------------------------------------------------------------------ mandate

pub async fn set_team_mandate(tx: &mut Tx, team_id: i64, mandate: &TeamMandate) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO ct_team_mandates (team_id, highest_step, yearly_budget_cents) VALUES ($1, $2, $3) \
             ON CONFLICT (team_id) DO UPDATE SET highest_step = excluded.highest_step, \
             yearly_budget_cents = excluded.yearly_budget_cents, version = ct_team_mandates.version + 1",
        )
        .bind(team_id)
        .bind(i64::from(mandate.highest_step.value()))
        .bind(mandate.yearly_budget.value())
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

pub async fn team_mandate(tx: &mut Tx, team_id: i64) -> Result<Option<TeamMandate>> {
    let row: Option<(i64, i64)> = with_conn!(tx, |c| sqlx::query_as(
        "SELECT highest_step, yearly_budget_cents FROM ct_team_mandates WHERE team_id = $1"
    )
    .bind(team_id)
    .fetch_optional(&mut *c)
    .await)?;
    row.map(|(step, cents)| {
        Ok(TeamMandate {
            highest_step: u8::try_from(step)
                .ok()
                .and_then(|s| LadderStep::new(s).ok())
                .ok_or_else(|| corrupt(format!("mandate step {step}")))?,
            yearly_budget: Cents::new(cents).map_err(corrupt)?,
        })
    })
    .transpose()
}

/// Records the product a referral names and how the mandate judged it.
pub async fn record_referral_product(
    tx: &mut Tx,
    referral_id: i64,
    product_id: i64,
    within_mandate: bool,
    note: &str,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO ct_referral_products (referral_id, product_id, within_mandate, mandate_note) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(referral_id)
        .bind(product_id)
        .bind(within_mandate)
        .bind(note)
        .execute(&mut *c)
        .await
    })?;
    Ok(())
}

/// The product a referral names: (product id, within mandate, note).
pub async fn referral_product(
    tx: &mut Tx,
    referral_id: i64,
) -> Result<Option<(i64, bool, String)>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT product_id, within_mandate, mandate_note FROM ct_referral_products WHERE referral_id = $1"
    )
    .bind(referral_id)
    .fetch_optional(&mut *c)
    .await
    })?)
}

// -------------------------------------------------------------- toewijzing

/// How the provider was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The resident chose this provider.
    Resident,
    /// The resident had no preference (the note says why).
    NoPreference,
    /// Granted on the provider's own verzoek om toewijzing (WMO315).
    Request,
}

impl Choice {
    pub fn code(self) -> &'static str {
        match self {
            Choice::Resident => "inwoner",
            Choice::NoPreference => "geen_voorkeur",
            Choice::Request => "verzoek",
        }
    }
}

/// A toewijzing to store, for a resident of a household.
pub struct NewToewijzing<'a> {
    pub household_id: i64,
    pub resident_id: i64,
    pub referral_id: Option<i64>,
    pub toewijzing: &'a Toewijzing,
    pub choice: Choice,
    pub choice_note: &'a str,
}

/// The next free toewijzing number.
pub async fn next_toewijzing_number(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM ct_toewijzingen"
    )
    .fetch_one(&mut *c)
    .await)?;
    Ok(n)
}

pub async fn create_toewijzing(tx: &mut Tx, new: &NewToewijzing<'_>) -> Result<i64> {
    let t = new.toewijzing;
    let (volume, unit, frequency, budget) = match t.scope() {
        Scope::Volume {
            volume,
            unit,
            frequency,
        } => (
            Some(volume),
            Some(unit.code()),
            Some(frequency.code()),
            None,
        ),
        Scope::Budget(cents) => (None, None, None, Some(cents.value())),
    };
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ct_toewijzingen (number, household_id, resident_id, referral_id, product_id, \
             provider_id, start_date, end_date, volume, unit, frequency, budget_cents, choice, choice_note, \
             changed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
        )
        .bind(t.number().value())
        .bind(new.household_id)
        .bind(new.resident_id)
        .bind(new.referral_id)
        .bind(t.product_id())
        .bind(t.provider_id())
        .bind(t.start())
        .bind(t.end())
        .bind(volume)
        .bind(unit)
        .bind(frequency)
        .bind(budget)
        .bind(new.choice.code())
        .bind(new.choice_note)
        .bind(crate::now())
        .fetch_one(&mut *c)
        .await
    })
    .map_err(|e| StoreError::from_insert(e, &format!("toewijzing {}", t.number())))?;
    Ok(id)
}

/// A toewijzing as the dossier shows it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ToewijzingRow {
    pub id: i64,
    pub number: i64,
    pub household_id: i64,
    pub resident_id: i64,
    pub referral_id: Option<i64>,
    pub product_id: i64,
    pub product_name: String,
    pub category: String,
    pub product_code: String,
    pub provider_id: i64,
    pub provider_name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub volume: Option<i64>,
    pub unit: Option<String>,
    pub frequency: Option<String>,
    pub budget_cents: Option<i64>,
    pub change_reason: Option<String>,
    pub choice: String,
    pub choice_note: String,
    pub started_on: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    pub stop_reason: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl ToewijzingRow {
    /// "gestart op …" / "gestopt op …, reden …", in Dutch, for the dossier.
    pub fn delivery(&self) -> Option<String> {
        let date = |d: NaiveDate| d.format("%d-%m-%Y").to_string();
        match (self.started_on, self.stopped_on) {
            (_, Some(stop)) => {
                let reason = self
                    .stop_reason
                    .as_deref()
                    .and_then(|r| StopReason::parse(r).ok())
                    .map_or_else(|| "onbekend".to_owned(), |r| r.label().to_owned());
                Some(format!("gestopt op {}, reden {reason}", date(stop)))
            }
            (Some(start), None) => Some(format!("gestart op {}", date(start))),
            (None, None) => None,
        }
    }
    /// The grant in words: "3 uur per week" or "budget € 1.200,00".
    pub fn scope_text(&self) -> String {
        match (self.volume, &self.unit, &self.frequency, self.budget_cents) {
            (Some(v), Some(u), Some(f), _) => format!(
                "{v} {} {}",
                Unit::parse(u).map_or("", |u| u.label()),
                Frequency::parse(f).map_or("", |f| f.label())
            ),
            (_, _, _, Some(b)) => format!("budget {}", Cents::new(b).unwrap_or_default()),
            _ => String::new(),
        }
    }
}

const TOEWIJZING_COLUMNS: &str = "SELECT t.id, t.number, t.household_id, t.resident_id, t.referral_id, \
     t.product_id, pr.name AS product_name, pr.category, pr.code AS product_code, t.provider_id, \
     p.name AS provider_name, t.start_date, t.end_date, t.volume, t.unit, t.frequency, t.budget_cents, \
     t.change_reason, t.choice, t.choice_note, t.started_on, t.stopped_on, t.stop_reason, t.changed_at \
     FROM ct_toewijzingen t JOIN ct_products pr ON pr.id = t.product_id \
     JOIN providers p ON p.id = t.provider_id";

pub async fn household_toewijzingen(tx: &mut Tx, household_id: i64) -> Result<Vec<ToewijzingRow>> {
    rows_where(
        tx,
        TOEWIJZING_COLUMNS,
        "WHERE t.household_id = $1 ORDER BY t.start_date DESC, t.id DESC",
        household_id,
    )
    .await
}

/// A provider's own toewijzingen (the API for its software).
pub async fn provider_toewijzingen(tx: &mut Tx, provider_id: i64) -> Result<Vec<ToewijzingRow>> {
    rows_where(
        tx,
        TOEWIJZING_COLUMNS,
        "WHERE t.provider_id = $1 ORDER BY t.number",
        provider_id,
    )
    .await
}

/// The toewijzing that followed a referral, if any.
pub async fn referral_toewijzing(tx: &mut Tx, referral_id: i64) -> Result<Option<ToewijzingRow>> {
    row_where(
        tx,
        TOEWIJZING_COLUMNS,
        "WHERE t.referral_id = $1",
        referral_id,
    )
    .await
}

/// A toewijzing with the client's details, for a WMO301.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub number: i64,
    pub agb_code: Option<String>,
    pub provider_id: i64,
    pub provider_name: String,
    pub category: String,
    pub product_code: String,
    pub variant: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub volume: Option<i64>,
    pub unit: Option<String>,
    pub frequency: Option<String>,
    pub budget_cents: Option<i64>,
    pub change_reason: Option<String>,
    pub changed_at: DateTime<Utc>,
    /// The provider's reference when the toewijzing granted its verzoek.
    pub provider_reference: Option<String>,
    pub household_id: i64,
    pub bsn: String,
    pub birth_date: NaiveDate,
    pub given_name: String,
    pub surname_prefix: Option<String>,
    pub surname: String,
    pub street: String,
    pub house_number: i64,
    pub house_letter: String,
    pub addition: String,
    pub postcode: String,
    pub city: String,
}

const EXPORT_COLUMNS: &str =
    "SELECT t.number, k.agb_code, t.provider_id, p.name AS provider_name, pr.category, \
     pr.code AS product_code, pr.variant, t.start_date, t.end_date, t.volume, t.unit, t.frequency, \
     t.budget_cents, t.change_reason, t.changed_at, q.reference AS provider_reference, \
     t.household_id, r.bsn, r.birth_date, r.given_name, \
     r.surname_prefix, r.surname, h.street, CAST(h.house_number AS BIGINT) AS house_number, \
     h.house_letter, h.addition, h.postcode, h.city \
     FROM ct_toewijzingen t JOIN ct_products pr ON pr.id = t.product_id \
     JOIN providers p ON p.id = t.provider_id \
     LEFT JOIN ct_provider_codes k ON k.provider_id = t.provider_id \
     JOIN residents r ON r.id = t.resident_id JOIN households h ON h.id = t.household_id \
     LEFT JOIN ct_requests q ON q.toewijzing_id = t.id";

/// Toewijzingen changed on or after `since` (all without it), ordered by
/// provider, day and client, for the WMO301 export.
pub async fn toewijzingen_for_export(
    tx: &mut Tx,
    since: Option<NaiveDate>,
) -> Result<Vec<ExportRow>> {
    let since = since
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .unwrap_or_else(|| DateTime::from_timestamp(0, 0).unwrap_or_default());
    let sql = format!(
        "{EXPORT_COLUMNS} WHERE t.changed_at >= $1 ORDER BY t.provider_id, t.changed_at, r.bsn, t.number"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(since)
        .fetch_all(&mut *c)
        .await)?)
}

/// One toewijzing (by id) with its client's details, for the WMO301 that
/// answers a granted verzoek.
pub async fn toewijzing_for_export(tx: &mut Tx, toewijzing_id: i64) -> Result<Option<ExportRow>> {
    row_where(tx, EXPORT_COLUMNS, "WHERE t.id = $1", toewijzing_id).await
}

/// Records the provider's start of delivery (WMO305). Only the provider's own
/// toewijzing: another's number is [`StoreError::NotFound`].
pub async fn record_start(tx: &mut Tx, provider_id: i64, number: i64, on: NaiveDate) -> Result<()> {
    record_delivery(tx, provider_id, number, Delivery::Start(on)).await
}

/// Records the provider's end of delivery with its WMO588 reason (WMO307).
pub async fn record_stop(
    tx: &mut Tx,
    provider_id: i64,
    number: i64,
    on: NaiveDate,
    reason: StopReason,
) -> Result<()> {
    record_delivery(tx, provider_id, number, Delivery::Stop(on, reason)).await
}

enum Delivery {
    Start(NaiveDate),
    Stop(NaiveDate, StopReason),
}

async fn record_delivery(tx: &mut Tx, provider_id: i64, number: i64, what: Delivery) -> Result<()> {
    // Both statements take the same four parameters (a start has no reason:
    // `$2 IS NULL` only keeps the numbering), so one bind list serves both.
    let (sql, on, reason) = match what {
        Delivery::Start(on) => (
            "UPDATE ct_toewijzingen SET started_on = $1, version = version + 1 \
             WHERE number = $3 AND provider_id = $4 AND $2 IS NULL",
            on,
            None,
        ),
        Delivery::Stop(on, reason) => (
            "UPDATE ct_toewijzingen SET stopped_on = $1, stop_reason = $2, version = version + 1 \
             WHERE number = $3 AND provider_id = $4",
            on,
            Some(reason.code()),
        ),
    };
    let n = exec!(tx, |c| {
        sqlx::query(sql)
            .bind(on)
            .bind(reason)
            .bind(number)
            .bind(provider_id)
            .execute(&mut *c)
            .await
    })?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "toewijzing {number} of this provider"
        )));
    }
    Ok(())
}

/// The next free identification number for an outgoing message.
pub async fn next_outgoing_number(tx: &mut Tx) -> Result<i64> {
    let (n,): (i64,) = with_conn!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) + 1 FROM ct_iwmo_messages WHERE direction = 'uit'"
    )
    .fetch_one(&mut *c)
    .await)?;
    Ok(n)
}

/// Notes an iWmo message as seen; the same message twice is
/// [`StoreError::Duplicate`].
pub async fn record_message(
    tx: &mut Tx,
    direction: &str,
    kind: &str,
    sender: &str,
    identification: &str,
) -> Result<()> {
    exec!(tx, |c| {
        sqlx::query(
            "INSERT INTO ct_iwmo_messages (direction, kind, sender, identification, at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(direction)
        .bind(kind)
        .bind(sender)
        .bind(identification)
        .bind(crate::now())
        .execute(&mut *c)
        .await
    })
    .map_err(|e| {
        StoreError::from_insert(e, &format!("{kind} message {identification} from {sender}"))
    })?;
    Ok(())
}

// -------------------------------------------------------- verzoek (WMO315)

/// The resident with this BSN: (resident, household, the household's team).
pub async fn resident_by_bsn(tx: &mut Tx, bsn: &str) -> Result<Option<(i64, i64, Option<i64>)>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT r.id, r.household_id, h.team_id FROM residents r \
         JOIN households h ON h.id = r.household_id WHERE r.bsn = $1"
    )
    .bind(bsn)
    .fetch_optional(&mut *c)
    .await)?)
}

/// A provider's verzoek om toewijzing, as read from a WMO315.
pub struct NewRequest<'a> {
    pub provider_id: i64,
    pub message_id: &'a str,
    pub reference: &'a str,
    pub resident: Option<(i64, i64, Option<i64>)>,
    pub product_id: Option<i64>,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub volume: Option<(i64, &'a str, &'a str)>,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
}

pub async fn create_request(tx: &mut Tx, new: &NewRequest<'_>) -> Result<i64> {
    let (resident, household, team) = match new.resident {
        Some((r, h, t)) => (Some(r), Some(h), t),
        None => (None, None, None),
    };
    let (id,): (i64,) = with_conn!(tx, |c| {
        sqlx::query_as(
            "INSERT INTO ct_requests (provider_id, message_id, reference, household_id, resident_id, team_id, \
             product_id, start_date, end_date, volume, unit, frequency, received_on, deadline, status) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,'open') RETURNING id",
        )
        .bind(new.provider_id)
        .bind(new.message_id)
        .bind(new.reference)
        .bind(household)
        .bind(resident)
        .bind(team)
        .bind(new.product_id)
        .bind(new.start)
        .bind(new.end)
        .bind(new.volume.map(|v| v.0))
        .bind(new.volume.map(|v| v.1))
        .bind(new.volume.map(|v| v.2))
        .bind(new.received_on)
        .bind(new.deadline)
        .fetch_one(&mut *c)
        .await
    })?;
    Ok(id)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RequestRow {
    pub id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub agb_code: Option<String>,
    pub message_id: String,
    pub reference: String,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub team_id: Option<i64>,
    pub product_id: Option<i64>,
    pub product_name: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub volume: Option<i64>,
    pub unit: Option<String>,
    pub frequency: Option<String>,
    pub received_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: String,
    pub answer_code: Option<String>,
    pub answer_note: Option<String>,
    pub answered_on: Option<NaiveDate>,
    pub toewijzing_id: Option<i64>,
    pub answer_xml: Option<String>,
}

const REQUEST_COLUMNS: &str =
    "SELECT q.id, q.provider_id, p.name AS provider_name, k.agb_code, q.message_id, \
     q.reference, q.household_id, q.resident_id, q.team_id, q.product_id, pr.name AS product_name, \
     q.start_date, q.end_date, q.volume, q.unit, q.frequency, q.received_on, q.deadline, q.status, \
     q.answer_code, q.answer_note, q.answered_on, q.toewijzing_id, q.answer_xml \
     FROM ct_requests q JOIN providers p ON p.id = q.provider_id \
     LEFT JOIN ct_provider_codes k ON k.provider_id = q.provider_id \
     LEFT JOIN ct_products pr ON pr.id = q.product_id";

/// Requests, oldest deadline first; only a team's when `team_id` is given,
/// only open ones when `open_only`.
pub async fn requests(
    tx: &mut Tx,
    team_id: Option<i64>,
    open_only: bool,
) -> Result<Vec<RequestRow>> {
    requests_where(tx, RequestsOf::Team(team_id), open_only).await
}

/// A provider's own requests (the API for its software).
pub async fn provider_requests(tx: &mut Tx, provider_id: i64) -> Result<Vec<RequestRow>> {
    requests_where(tx, RequestsOf::Provider(provider_id), false).await
}

enum RequestsOf {
    Team(Option<i64>),
    Provider(i64),
}

async fn requests_where(tx: &mut Tx, of: RequestsOf, open_only: bool) -> Result<Vec<RequestRow>> {
    // A request without a team (a BSN Baken does not know) is every team's.
    let (team, provider) = match of {
        RequestsOf::Team(t) => (t.unwrap_or(0), 0),
        RequestsOf::Provider(p) => (0, p),
    };
    let sql = format!(
        "{REQUEST_COLUMNS} WHERE ($1 = 0 OR q.team_id = $1 OR q.team_id IS NULL) \
         AND ($2 = 0 OR q.provider_id = $2) AND ($3 = FALSE OR q.status = 'open') \
         ORDER BY q.deadline, q.id"
    );
    Ok(with_conn!(tx, |c| sqlx::query_as(&sql)
        .bind(team)
        .bind(provider)
        .bind(open_only)
        .fetch_all(&mut *c)
        .await)?)
}

pub async fn request(tx: &mut Tx, id: i64) -> Result<Option<RequestRow>> {
    row_where(tx, REQUEST_COLUMNS, "WHERE q.id = $1", id).await
}

/// The answer to a request (WMO319): granted (with the toewijzing made) or
/// refused with a reason code. Only an open request can be answered.
pub struct RequestAnswer<'a> {
    pub granted: bool,
    pub reason_code: Option<&'a str>,
    pub note: &'a str,
    pub on: NaiveDate,
    pub toewijzing_id: Option<i64>,
    pub answer_message_id: &'a str,
    /// The WMO319 sent, for a refusal.
    pub answer_xml: Option<&'a str>,
}

pub async fn answer_request(tx: &mut Tx, id: i64, answer: &RequestAnswer<'_>) -> Result<()> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE ct_requests SET status = $1, answer_code = $2, answer_note = $3, answered_on = $4, \
             toewijzing_id = $5, answer_message_id = $6, answer_xml = $7 WHERE id = $8 AND status = 'open'",
        )
        .bind(if answer.granted { "toegewezen" } else { "afgewezen" })
        .bind(answer.reason_code)
        .bind(answer.note)
        .bind(answer.on)
        .bind(answer.toewijzing_id)
        .bind(answer.answer_message_id)
        .bind(answer.answer_xml)
        .bind(id)
        .execute(&mut *c)
        .await
    })?;
    if n == 0 {
        return Err(StoreError::Conflict {
            what: format!("request {id} (already answered)"),
            expected: 0,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------- the demo

/// Writes the demo's commissioning (`baken_synth::contracting`): the products,
/// the regional contract with its tariffs, the contracted providers with
/// their licences, AGB codes and waiting times, the gemeentecode, and a
/// mandate for every team.
#[cfg(feature = "demo")]
pub async fn load_demo(tx: &mut Tx) -> Result<()> {
    use baken_synth::contracting as spec;
    let date = |s: &str| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| corrupt(format!("demo date {s}: {e}")))
    };
    let mut products = Vec::new();
    for p in spec::PRODUCTS {
        let product = Product::new(
            ProductCategory::parse(p.category).map_err(corrupt)?,
            ProductCode::parse(p.code).map_err(corrupt)?,
            p.name,
            LadderStep::new(p.step).map_err(corrupt)?,
            ExecutionVariant::parse(p.variant, p.unit, p.frequency).map_err(corrupt)?,
        )
        .map_err(corrupt)?;
        products.push((create_product(tx, &product).await?, p));
    }
    let municipalities = spec::CONTRACT_MUNICIPALITIES
        .iter()
        .map(|m| MunicipalityCode::parse(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(corrupt)?;
    let contract = Contract::new(
        0,
        spec::CONTRACT_LOT,
        municipalities,
        date(spec::CONTRACT_FROM)?,
        date(spec::CONTRACT_UNTIL)?,
    )
    .map_err(corrupt)?;
    let ids: Vec<i64> = products.iter().map(|(id, _)| *id).collect();
    let requirements: Vec<String> = spec::REQUIREMENTS.iter().map(|r| (*r).to_owned()).collect();
    let contract_id = create_contract(tx, &contract, &ids, &requirements).await?;
    let mut first_tariffs = BTreeSet::new();
    let mut all_tariffs = BTreeSet::new();
    for (product_id, p) in &products {
        for (i, (cents, from)) in p.tariffs.iter().enumerate() {
            let id = set_tariff(
                tx,
                contract_id,
                *product_id,
                Cents::new(*cents).map_err(corrupt)?,
                date(from)?,
            )
            .await?
            .map_err(corrupt)?;
            if i == 0 {
                first_tariffs.insert(id);
            }
            all_tariffs.insert(id);
        }
    }
    let contract = self::contract(tx, contract_id)
        .await?
        .ok_or_else(|| corrupt("demo contract"))?;
    let begeleiding = products
        .iter()
        .find(|(_, p)| p.code == "02A01")
        .map(|(id, _)| *id)
        .ok_or_else(|| corrupt("demo product 02A01"))?;
    let applied_on = date(spec::CONTRACT_FROM)?;
    for p in spec::PROVIDERS {
        let provider_id = crate::areas::create_provider(tx, p.name, "wmo").await?;
        set_agb_code(tx, provider_id, p.agb_code).await?;
        let accepted = match p.standing {
            spec::Standing::OldTariffOnly => first_tariffs.clone(),
            spec::Standing::Licensed | spec::Standing::Applied => all_tariffs.clone(),
        };
        let evidence = contract
            .requirements()
            .iter()
            .map(|r| {
                Evidence::statement(
                    &format!("{}: aanwezig, zie bijlage bij de aanmelding", r.name),
                    applied_on,
                )
                .map(|e| (r.id, e))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(corrupt)?;
        // The application as the provider made it at the start of the period,
        // when only the first tariffs existed.
        let application =
            LicenceApplication::new(&contract.without_tariffs(), evidence, accepted, applied_on)
                .map_err(corrupt)?;
        let licence_id =
            apply_for_licence(tx, provider_id, &contract, &application, applied_on).await?;
        if p.standing != spec::Standing::Applied {
            let row = licence(tx, licence_id)
                .await?
                .ok_or_else(|| corrupt("demo licence"))?;
            let mut l = row.licence()?;
            l.decide(true, "", applied_on).map_err(corrupt)?;
            store_licence_decision(tx, &l, row.version).await?;
        }
        if let Some((weeks, on)) = p.waiting_weeks {
            report_waiting_time(tx, provider_id, begeleiding, weeks, date(on)?).await?;
        }
    }
    settings::set(tx, SETTING_GEMEENTECODE, spec::GEMEENTECODE).await?;
    let mandate = TeamMandate {
        highest_step: LadderStep::new(spec::MANDATE_STEP).map_err(corrupt)?,
        yearly_budget: Cents::new(spec::MANDATE_CENTS).map_err(corrupt)?,
    };
    for team in crate::areas::teams(tx).await? {
        set_team_mandate(tx, team.id, &mandate).await?;
    }
    Ok(())
}

/// A referral as the choice page needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReferralForChoice {
    pub id: i64,
    pub household_id: i64,
    pub status: String,
    pub care: String,
    pub product_id: Option<i64>,
}

pub async fn referral_for_choice(
    tx: &mut Tx,
    referral_id: i64,
) -> Result<Option<ReferralForChoice>> {
    Ok(with_conn!(tx, |c| sqlx::query_as(
        "SELECT r.id, p.household_id, r.status, r.care, rp.product_id FROM cw_referrals r \
         JOIN cw_plans p ON p.id = r.plan_id \
         LEFT JOIN ct_referral_products rp ON rp.referral_id = r.id WHERE r.id = $1"
    )
    .bind(referral_id)
    .fetch_optional(&mut *c)
    .await)?)
}

/// The referrals of a household that name a product: (referral, product name,
/// referral status, within mandate, mandate note, toewijzing made).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReferralProductRow {
    pub referral_id: i64,
    pub product: String,
    pub status: String,
    pub within_mandate: bool,
    pub mandate_note: String,
    pub toewijzing: Option<i64>,
}

pub async fn household_referral_products(
    tx: &mut Tx,
    household_id: i64,
) -> Result<Vec<ReferralProductRow>> {
    Ok(with_conn!(tx, |c| {
        sqlx::query_as(
        "SELECT r.id AS referral_id, pr.name AS product, r.status, rp.within_mandate, rp.mandate_note, \
         (SELECT MAX(t.number) FROM ct_toewijzingen t WHERE t.referral_id = r.id) AS toewijzing \
         FROM ct_referral_products rp JOIN cw_referrals r ON r.id = rp.referral_id \
         JOIN cw_plans p ON p.id = r.plan_id JOIN ct_products pr ON pr.id = rp.product_id \
         WHERE p.household_id = $1 ORDER BY r.id"
    )
    .bind(household_id)
    .fetch_all(&mut *c)
    .await
    })?)
}
