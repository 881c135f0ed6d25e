//! Referrals through the API: the team's list, requesting one, and the team lead's decision.

use super::common::{check_justification, finish, parse, ApiResult};
use super::plans::{justification_from, plan_scope, referral_json};
use crate::casework::common::{internal, scoped_household, who};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::state::AppState;
use crate::support::time::today;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use baken_domain::casework::Justification;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

pub async fn referrals(State(state): State<AppState>, ctx: Ctx) -> ApiResult {
    let user = ctx.user()?.clone();
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
            Some(("household", "*".into())),
            format!("api: {} verwijzingen", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let items: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| json!({ "id": r.id, "planId": r.plan_id, "householdId": r.household_id, "care": r.care, "requestedOn": r.requested_on, "status": r.status, "decisionNote": r.decision_note }))
        .collect();
    Ok(Json(json!({ "_embedded": { "referrals": items } })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReferralJson {
    version: i64,
    care: String,
    justification: BTreeMap<String, String>,
}

pub async fn request_referral(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = ctx.user()?.clone();
    let b: ReferralJson = parse(&body)?;
    check_justification(&b.justification)?;
    let mut tx = state.db.begin().await?;
    let (plan, hh) = in_scope!(
        tx,
        plan_scope(&mut tx, &ctx, &id, AuditAction::Update).await
    );
    let j = justification_from(&b.justification).unwrap_or_else(|| Justification::new([]));
    let day = today();
    let result = cw::request_referral(&mut tx, plan, b.version, &b.care, j, day, day, &who(&user))
        .await
        .map(|r| {
            (
                json!({ "id": r, "status": "aangevraagd", "version": b.version + 1 }),
                format!("api: verwijzing {r} aangevraagd"),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DecisionJson {
    #[serde(default)]
    reason: String,
}

async fn decide(state: AppState, ctx: Ctx, id: String, body: Bytes, approve: bool) -> ApiResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let b: DecisionJson = if body.is_empty() {
        DecisionJson::default()
    } else {
        parse(&body)?
    };
    let mut tx = state.db.begin().await?;
    let (hh, _) = cw::referral_household(&mut tx, id)
        .await
        .map_err(internal)?
        .ok_or(AppError::NotFound)?;
    in_scope!(
        tx,
        scoped_household(&mut tx, &ctx, &user, hh, AuditAction::Update).await
    );
    let day = today();
    let result = cw::decide_referral(&mut tx, id, approve, &b.reason, day, day, &who(&user))
        .await
        .map(|r| {
            (
                referral_json(&r),
                format!("api: verwijzing {id} {}", r.status().code()),
            )
        });
    finish(&state, &ctx, tx, hh, StatusCode::CREATED, result).await
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
