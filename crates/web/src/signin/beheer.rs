//! `/beheer/gebruikers/{id}/tweede-stap`: a beheerder sees whether an account
//! has a second factor and can reset it (a lost phone): the secret and the
//! recovery codes are removed, the user's sessions end and their API tokens
//! are revoked; at the next login they set it up again. Audited.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::path_id;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, second_factor, users};
use minijinja::{context, Value};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    hersteld: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let user = users::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let factor = second_factor::factor(&mut tx, id).await?;
    let left = second_factor::recovery_codes_left(&mut tx, id).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("user", id.to_string())),
            "tweede stap bekeken",
        ),
    )
    .await?;
    tx.commit().await?;
    let since = factor.as_ref().and_then(super::factor::confirmed_since);
    Ok(render(
        &state,
        &ctx,
        "signin/beheer.html",
        "Tweede stap van een gebruiker",
        Value::from_serialize(context! {
            account => context! {
                id => user.id, username => user.username, display_name => user.display_name,
                role_label => user.role.label(),
            },
            since => since,
            left => left,
            required => user.role.requires_second_factor(),
            is_self => ctx.user.as_ref().is_some_and(|u| u.user.id == id),
            reset_done => q.hersteld.is_some(),
        }),
    )?
    .into_response())
}

pub async fn reset(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id)?;
    if ctx.user.as_ref().is_some_and(|u| u.user.id == id) {
        // Another beheerder resets yours: nobody lifts their own second factor.
        return Err(AppError::BadRequest(
            "Uw eigen tweede stap kan alleen een andere beheerder herstellen.".into(),
        )
        .into());
    }
    let mut tx = state.db.begin().await?;
    users::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let had = second_factor::reset(&mut tx, id).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", id.to_string())),
            if had {
                "tweede stap hersteld: geheim en herstelcodes verwijderd, sessies beëindigd, tokens ingetrokken"
            } else {
                "tweede stap hersteld (er was er geen): sessies beëindigd, tokens ingetrokken"
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/gebruikers/{id}/tweede-stap?hersteld=1")).into_response())
}
