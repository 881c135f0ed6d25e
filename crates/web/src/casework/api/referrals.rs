//! Referrals through the API: the team's list, requesting one, and the team lead's decision.

use super::common::{answer, justification_of, parse, ApiResult};
use super::plans::referral_json;
use crate::casework::change::{self, PlanTarget};
use crate::casework::common::internal;
use crate::support::audit::households_shown;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::paging::PageQuery;
use crate::support::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use baken_domain::contracting::ReferralCare;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub async fn referrals(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let q = PageQuery::parse(raw.as_deref())?;
    let team = user.user.team_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let rows = cw::team_referrals(&mut tx, team, false)
        .await
        .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(households_shown(rows.iter().map(|r| r.household_id))),
            format!("api: {} verwijzingen", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let (rows, links, page) = q.cut(rows, "/api/v1/referrals");
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let justification: serde_json::Map<String, serde_json::Value> = r
                .reasons()
                .into_iter()
                .map(|(step, reason)| (step.to_string(), json!(reason)))
                .collect();
            json!({ "id": r.id, "planId": r.plan_id, "householdId": r.household_id, "care": r.care, "requestedOn": r.requested_on, "requestedBy": r.requested_by_name, "justification": justification, "status": r.status, "decisionNote": r.decision_note, "decidedOn": r.decided_on })
        })
        .collect();
    Ok(
        Json(json!({ "_embedded": { "referrals": items }, "_links": links, "page": page }))
            .into_response(),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReferralJson {
    version: i64,
    care: String,
    justification: BTreeMap<String, String>,
    /// `maatwerk` (then `productId` is required) or `overig`; absent: maatwerk
    /// when a product is given, else other care.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    product_id: Option<i64>,
}

pub async fn request_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let b: ReferralJson = parse(&body)?;
    let justification = justification_of(&b.justification)?;
    let product = b.product_id.map(|p| p.to_string()).unwrap_or_default();
    let kind = ReferralCare::parse(&b.kind, &product).map_err(|e| {
        let field = match e.field() {
            "product" => "productId",
            _ => "kind",
        };
        AppError::invalid(field, e.to_string())
    })?;
    let target = PlanTarget::plan(path_id(&id)?, b.version);
    let result = change::request_referral(&state, &ctx, target, &b.care, kind, justification).await;
    answer(&ctx, result, StatusCode::CREATED, |c| {
        let status = if c.value.within_mandate {
            "goedgekeurd"
        } else {
            "aangevraagd"
        };
        json!({ "id": c.value.id, "status": status, "withinMandate": c.value.within_mandate, "version": b.version + 1 })
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DecisionJson {
    #[serde(default)]
    reason: String,
}

async fn decide(state: AppState, ctx: Ctx, id: String, body: Bytes, approve: bool) -> ApiResult {
    let referral = path_id(&id)?;
    let b: DecisionJson = if body.is_empty() {
        DecisionJson::default()
    } else {
        parse(&body)?
    };
    let result = change::decide_referral(&state, &ctx, referral, approve, &b.reason).await;
    // A decision changes the referral; it creates nothing, so 200, not 201.
    answer(&ctx, result, StatusCode::OK, |c| referral_json(&c.value))
}

pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    decide(state, ctx, id, body, true).await
}

pub async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    decide(state, ctx, id, body, false).await
}
