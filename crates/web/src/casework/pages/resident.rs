//! `/mijn-plan`: the resident's own plan in plain words, and how it is going.

use super::shared::Errors;
use crate::casework::common::{field, form_map, internal, FormMap};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_date;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::casework::{self as cw};
use baken_store::{audit, Tx};
use minijinja::{context, Value};
use std::collections::BTreeMap;

/// A plan in plain language, for the resident or a provider.
pub(crate) async fn plain_plan(tx: &mut Tx, hh: i64) -> Result<Value, AppError> {
    let case = cw::load_case(tx, hh).await.map_err(internal)?;
    let Some(p) = case.open_plan().or(case.plans().last()) else {
        return Ok(Value::from(()));
    };
    let progress = cw::progress(tx, p.id()).await.map_err(internal)?;
    let goals: Vec<Value> = p
        .goals()
        .iter()
        .map(|g| {
            let agreements: Vec<Value> = p
                .agreements()
                .iter()
                .filter(|a| a.terms().goal_id == g.id() && a.is_running())
                .map(|a| {
                    let t = a.terms();
                    Value::from_serialize(context! {
                        who => t.actor_name, what => t.description, how_often => t.frequency,
                        until => t.end_date.map(nl_date), own => t.own_contribution,
                    })
                })
                .collect();
            Value::from_serialize(context! {
                description => g.description(), measure => g.measure(), by => nl_date(g.target_date()), domain => g.domain().label(),
                outcome => g.result().map(|r| format!("{}{}", r.outcome.label(), if r.note.is_empty() { String::new() } else { format!(": {}", r.note) })),
                agreements => agreements,
            })
        })
        .collect();
    let coordinator = cw::coordinator(tx, hh)
        .await
        .map_err(internal)?
        .map(|c| c.1);
    let progress: Vec<(String, String)> = progress
        .into_iter()
        .map(|p| {
            (
                crate::support::time::nl_local(p.at)
                    .format("%d-%m-%Y")
                    .to_string(),
                p.note,
            )
        })
        .collect();
    Ok(Value::from_serialize(
        context! { id => p.id(), open => p.is_open(), goals => goals, coordinator => coordinator, progress => progress },
    ))
}

async fn own_plan_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &Errors,
    form: &FormMap,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let plan = plain_plan(&mut tx, hh).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            "eigen plan",
        ),
    )
    .await?;
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "casework/own_plan.html",
        "Mijn plan",
        Value::from_serialize(context! { plan => plan, errors => errors, form => form }),
    )?;
    Ok((status, html).into_response())
}

pub async fn own_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut form = FormMap::new();
    if q.contains_key("opgeslagen") {
        form.insert("_saved".into(), "ja".into());
    }
    own_plan_page(&state, &ctx, &Errors::new(), &form, StatusCode::OK).await
}

pub async fn own_progress_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let case = cw::load_case(&mut tx, hh).await.map_err(internal)?;
    let Some(plan) = case.open_plan().map(|p| p.id()) else {
        drop(tx);
        let mut errors = Errors::new();
        errors.insert(
            "voortgang".into(),
            "U hebt op dit moment geen open plan.".into(),
        );
        return own_plan_page(&state, &ctx, &errors, &f, StatusCode::BAD_REQUEST).await;
    };
    match cw::add_progress(&mut tx, plan, user.user.id, field(&f, "voortgang")).await {
        Ok(_) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("household", hh.to_string())),
                    "eigen voortgang toegevoegd",
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/mijn-plan?opgeslagen=ja").into_response())
        }
        Err(_) => {
            drop(tx);
            let mut errors = Errors::new();
            errors.insert(
                "voortgang".into(),
                "Schrijf in een paar zinnen hoe het gaat (hooguit 2000 tekens).".into(),
            );
            own_plan_page(&state, &ctx, &errors, &f, StatusCode::BAD_REQUEST).await
        }
    }
}
