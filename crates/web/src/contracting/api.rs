//! `/api/v1/iwmo/…`: a provider's software reads its own toewijzingen and
//! verzoeken, and sends its WMO305, WMO307 and WMO315 messages. The account's
//! provider is the only sender it may speak for.

use crate::support::ctx::Ctx;
use crate::support::error::{AppError, Failure};
use crate::support::problem::Problem;
use crate::support::state::AppState;
use crate::support::time::today;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use baken_domain::{AuditAction, AuditOutcome};
use baken_iwmo::exchange::{self, ExchangeError};
use baken_iwmo::{ReadError, SchemaError};
use baken_store::{audit, contracting as ct};
use serde_json::json;

type ApiResult = Result<Response, Failure>;

fn provider_of(ctx: &Ctx) -> Result<i64, AppError> {
    ctx.user()?.user.provider_id.ok_or(AppError::Forbidden)
}

/// The read's audit entry, in the read's transaction, then commit.
async fn commit_read(
    mut tx: baken_store::Tx,
    ctx: &Ctx,
    provider: i64,
    detail: String,
) -> Result<(), AppError> {
    let object = Some(("provider", provider.to_string()));
    audit::append(
        &mut tx,
        &ctx.audit(AuditAction::Read, AuditOutcome::Success, object, detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn toewijzingen(State(state): State<AppState>, ctx: Ctx) -> ApiResult {
    let provider = provider_of(&ctx)?;
    let mut tx = state.db.begin().await?;
    let rows = ct::provider_toewijzingen(&mut tx, provider).await?;
    commit_read(
        tx,
        &ctx,
        provider,
        format!("api: {} toewijzingen", rows.len()),
    )
    .await?;
    let items: Vec<_> = rows
        .iter()
        .map(|t| {
            json!({
                "number": t.number, "category": t.category, "productCode": t.product_code,
                "product": t.product_name, "start": t.start_date, "end": t.end_date,
                "volume": t.volume, "unit": t.unit, "frequency": t.frequency,
                "budgetCents": t.budget_cents, "startedOn": t.started_on,
                "stoppedOn": t.stopped_on, "stopReason": t.stop_reason,
            })
        })
        .collect();
    Ok(Json(json!({ "_embedded": { "toewijzingen": items } })).into_response())
}

pub async fn requests(State(state): State<AppState>, ctx: Ctx) -> ApiResult {
    let provider = provider_of(&ctx)?;
    let mut tx = state.db.begin().await?;
    let rows = ct::provider_requests(&mut tx, provider).await?;
    commit_read(tx, &ctx, provider, format!("api: {} verzoeken", rows.len())).await?;
    let items: Vec<_> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "reference": r.reference, "status": r.status,
                "deadline": r.deadline, "answeredOn": r.answered_on,
                "reasonCode": r.answer_code,
                "wmo301": r.answer_xml.as_ref().filter(|_| r.status == "toegewezen"),
                "wmo319": r.answer_xml.as_ref().filter(|_| r.status == "afgewezen"),
            })
        })
        .collect();
    Ok(Json(json!({ "_embedded": { "verzoeken": items } })).into_response())
}

/// Reads a WMO305, WMO307 or WMO315 (the request body) for the account's
/// provider. A message that fails its XSD is a 422 with an `invalidParams`
/// entry per problem (name: the element's path, reason: line and message).
pub async fn message(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> ApiResult {
    let provider = provider_of(&ctx)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::invalid(
            "body",
            "the request body is empty; send an iWmo 3.2 XML message (WMO305, WMO307 or WMO315)",
        )
        .into());
    }
    let entry = ctx.audit(
        AuditAction::Update,
        AuditOutcome::Success,
        None,
        String::new(),
    );
    match exchange::import(&state.db, &body, Some(provider), &entry, today()).await {
        Ok(report) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "kind": report.kind.name(), "changed": report.changed,
                "requests": report.requests,
            })),
        )
            .into_response()),
        Err(ExchangeError::Read(ReadError::Schema(SchemaError::Invalid(invalid)))) => {
            let params: Vec<_> = invalid
                .problems
                .iter()
                .map(|p| {
                    json!({
                        "name": p.path.clone().unwrap_or_else(|| "body".into()),
                        "code": "xsd",
                        "reason": match p.line {
                            Some(line) => format!("line {line}: {}", p.message),
                            None => p.message.clone(),
                        },
                    })
                })
                .collect();
            Ok(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Message does not validate",
                &format!(
                    "the {} does not validate against {}.xsd; nothing was changed",
                    invalid.kind, invalid.kind
                ),
                &ctx.path,
            )
            .member("invalidParams", json!(params))
            .into_response())
        }
        Err(ExchangeError::NotYourMessage(sender)) => Ok(Problem::new(
            StatusCode::FORBIDDEN,
            "Not your message",
            &format!("the sender {sender} is not the AGB code of this account's provider"),
            &ctx.path,
        )
        .into_response()),
        Err(ExchangeError::Store(e)) => Err(AppError::from(e).into()),
        Err(ExchangeError::Schema(e) | ExchangeError::Read(ReadError::Schema(e))) => {
            Err(AppError::internal("xml schema validation")(e).into())
        }
        Err(other) => Ok(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Message refused",
            &format!("{other}; nothing was changed"),
            &ctx.path,
        )
        .invalid_param("body", &other.to_string())
        .into_response()),
    }
}
