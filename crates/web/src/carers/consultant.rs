//! The mantelzorgconsulent's page (the makelaar role at the steunpunt): every
//! carer with hours, whom they care for and the newest burden level — the
//! view named in the audit log — and this year's waardering applications to
//! grant.

use super::carer::internal;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_date;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use baken_domain::carers::{BurdenLevel, CareRelation, WaarderingChoice};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::carers as mz;
use minijinja::{context, Value};

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let carers = mz::carers_for_consultant(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            None,
            "mantelzorgers",
        ),
    )
    .await?;
    let open = mz::waarderingen_open(&mut tx).await?;
    tx.commit().await?;
    let html = render(
        &state,
        &ctx,
        "carers/consultant.html",
        "Mantelzorgers",
        Value::from_serialize(context! {
            saved => q.opgeslagen.is_some(),
            carers => carers.iter().map(|c| {
                let level = c.level.as_deref().and_then(|l| BurdenLevel::parse(l).ok());
                context! {
                    name => c.name.clone(), hours => c.hours_per_week, cares_for => c.cares_for.clone(),
                    relation => CareRelation::parse(&c.relation).map(|r| r.label()).unwrap_or(""),
                    level => level.map(|l| l.label()), high => level.is_some_and(BurdenLevel::is_high),
                    via => if c.household_id.is_some() { "wijkteam (netwerk)" } else { "zelf" },
                    since => nl_date(c.consent_on),
                }
            }).collect::<Vec<_>>(),
            open => open.iter().map(|w| context! {
                id => w.id, name => w.carer_name.clone(), year => w.year,
                choice => WaarderingChoice::parse(&w.choice).map(|c| c.label()).unwrap_or(""),
                iban => w.iban.is_some(),
            }).collect::<Vec<_>>(),
        }),
    )?;
    Ok(html.into_response())
}

pub async fn grant(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id)?;
    let by = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    if !mz::grant_waardering(&mut tx, id, by)
        .await
        .map_err(|e| internal(e.into()))?
    {
        return Err(AppError::NotFound.into());
    }
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("carer_waardering", id.to_string()),
        "mantelzorgwaardering toegekend".into(),
    )
    .await?;
    Ok(Redirect::to("/mantelzorgconsulent?opgeslagen=1#waardering").into_response())
}
