//! `/account`: one's own account and changing the password.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::password::{hash_password_async, verify_password_async};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, Password};
use baken_store::{areas, audit, users};
use minijinja::{context, Value};
use serde::Deserialize;
use std::collections::BTreeMap;

pub async fn account(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let user = ctx.user()?.user.clone();
    let mut tx = state.db.read().await?;
    let team = match user.team_id {
        Some(t) => areas::team(&mut tx, t).await?.map(|t| t.name),
        None => None,
    };
    drop(tx);
    let errors: BTreeMap<&str, &str> = BTreeMap::new();
    Ok(render(
        &state,
        &ctx,
        "foundation/account.html",
        "Mijn account",
        Value::from_serialize(context! {
            team => team, errors => errors, saved => q.contains_key("gewijzigd"),
            temporary => user.password_temporary,
        }),
    )?
    .into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    huidig: String,
    #[serde(default)]
    nieuw: String,
    #[serde(default)]
    herhaal: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let current = ctx.user()?.clone();
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let new = match Password::parse(&form.nieuw) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.insert(
                "nieuw",
                format!(
                    "Kies een wachtwoord van minstens {} en hoogstens {} tekens.",
                    Password::MIN,
                    Password::MAX
                ),
            );
            None
        }
    };
    if form.nieuw != form.herhaal {
        errors.insert(
            "herhaal",
            "De twee nieuwe wachtwoorden zijn niet gelijk.".into(),
        );
    }
    if current.user.password_temporary && !form.nieuw.is_empty() && form.nieuw == form.huidig {
        errors.insert(
            "nieuw",
            "Kies een ander wachtwoord dan het tijdelijke van de beheerder.".into(),
        );
    }
    // Hashing and verifying happen outside any write transaction (see login).
    let mut tx = state.db.read().await?;
    let stored = users::password_hash(&mut tx, current.user.id).await?;
    drop(tx);
    if !verify_password_async(form.huidig.clone(), stored.clone()).await {
        errors.insert("huidig", "Uw huidige wachtwoord klopt niet.".into());
    }
    if !errors.is_empty() || new.is_none() {
        let page = render(
            &state,
            &ctx,
            "foundation/account.html",
            "Mijn account",
            Value::from_serialize(context! {
                team => Option::<String>::None, errors => errors, saved => false,
                temporary => current.user.password_temporary,
            }),
        )?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    let Some(new) = new else {
        return Err(AppError::bug("unreachable").into());
    };
    let hash = hash_password_async(new.expose().to_owned())
        .await
        .map_err(AppError::internal("hashing the password"))?;
    let mut tx = state.db.begin().await?;
    if users::password_hash(&mut tx, current.user.id).await? != stored {
        return Err(AppError::Conflict(
            "Uw wachtwoord is intussen op een andere plek gewijzigd. Er is niets opgeslagen. Log opnieuw in.".into(),
        )
        .into());
    }
    users::set_password(&mut tx, current.user.id, &hash).await?;
    users::delete_other_sessions(&mut tx, current.user.id, current.session_secret.as_deref())
        .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", current.user.id.to_string())),
            "wachtwoord gewijzigd",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?gewijzigd=1").into_response())
}
