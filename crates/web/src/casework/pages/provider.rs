//! `/aanbieder/huishoudens`: the households a provider works for (agreement and consent).

use super::resident::plain_plan;
use crate::casework::common::internal;
use crate::support::audit::households_shown;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw};
use minijinja::{context, Value};

pub async fn provider_list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?.clone();
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let list = cw::provider_households(&mut tx, provider, today())
        .await
        .map_err(internal)?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            Some(households_shown(list.iter().map(|h| h.id))),
            format!("aanbieder: {} huishoudens", list.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let rows: Vec<(i64, String)> = list.iter().map(|h| (h.id, h.address())).collect();
    Ok(render(
        &state,
        &ctx,
        "casework/provider.html",
        "Huishoudens met een afspraak",
        Value::from_serialize(context! { rows => rows, plan => (), list => true }),
    )?
    .into_response())
}

pub async fn provider_household(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let id = path_id(&id)?;
    let provider = user.user.provider_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let object = Some(("household", id.to_string()));
    if !cw::provider_may_see(&mut tx, provider, id, today())
        .await
        .map_err(internal)?
    {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Read,
                AuditOutcome::Denied,
                object,
                "geen lopende afspraak met toestemming",
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound.into());
    }
    let h = baken_store::households::get(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = plain_plan(&mut tx, id).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            object,
            "aanbieder: plan met toestemming",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(render(
        &state,
        &ctx,
        "casework/provider.html",
        &format!("Plan {}", h.street_address()),
        Value::from_serialize(
            context! { plan => plan, address => h.street_address(), list => false },
        ),
    )?
    .into_response())
}

// ------------------------------------------------------------------ bakens
