//! Beheer of the marketplace: its categories (add, rename, switch off), the
//! norm for urgent asks and the retention period.

use crate::support::ctx::Ctx;
use crate::support::form::{form_version, path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::market::{CategoryName, MarketNorm, RetentionPeriod};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::market as mk;
use minijinja::{context, Value};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    opgeslagen: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = if q.opgeslagen.is_some() {
        "Opgeslagen."
    } else {
        ""
    };
    beheer_page(&state, &ctx, saved, FieldErrors::new(), StatusCode::OK).await
}

async fn beheer_page(
    state: &AppState,
    ctx: &Ctx,
    saved: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let categories = mk::categories(&mut tx, false).await?;
    let norm = mk::norm(&mut tx).await?;
    let retention = mk::retention(&mut tx).await?;
    drop(tx);
    let html = render(
        state,
        ctx,
        "market/beheer.html",
        "Buurtmarktplaats beheren",
        Value::from_serialize(context! {
            categories => categories, norm => norm.urgent_days(), retention => retention.get(),
            max_norm => MarketNorm::MAX, saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    naam: String,
    actief: Option<String>,
    versie: String,
}

pub async fn add_category(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<CategoryForm>,
) -> PageResult {
    let Ok(name) = CategoryName::parse(&form.naam) else {
        return beheer_page(
            &state,
            &ctx,
            "",
            FieldErrors::only("naam", "Vul een naam in (2 tot 60 tekens)."),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    match mk::add_category(&mut tx, &name).await {
        Ok(id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("market_category", id.to_string())),
                    format!("soort hulp '{}' toegevoegd", name.as_str()),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/buurtmarktplaats?opgeslagen=1").into_response())
        }
        Err(baken_store::StoreError::Duplicate(_)) => {
            drop(tx);
            beheer_page(
                &state,
                &ctx,
                "",
                FieldErrors::only("naam", "Deze soort hulp bestaat al."),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(crate::support::error::AppError::from(e).into()),
    }
}

pub async fn update_category(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<CategoryForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let field = format!("naam-{id}");
    let Ok(name) = CategoryName::parse(&form.naam) else {
        return beheer_page(
            &state,
            &ctx,
            "",
            FieldErrors::only(field, "Vul een naam in (2 tot 60 tekens)."),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let version = form_version(&form.versie)?;
    let mut tx = state.db.begin().await?;
    mk::update_category(&mut tx, id, version, &name, form.actief.is_some()).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("market_category", id.to_string())),
            format!(
                "soort hulp '{}'{}",
                name.as_str(),
                if form.actief.is_some() {
                    ""
                } else {
                    " uitgezet"
                }
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/buurtmarktplaats?opgeslagen=1").into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    norm: String,
    bewaartermijn: String,
}

pub async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<SettingsForm>,
) -> PageResult {
    let mut errors = FieldErrors::new();
    let norm = form
        .norm
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| MarketNorm::new(n).ok());
    if norm.is_none() {
        errors.add(
            "norm",
            format!("Vul 0 tot {} werkdagen in.", MarketNorm::MAX),
        );
    }
    let retention = form
        .bewaartermijn
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| RetentionPeriod::months(n).ok());
    if retention.is_none() {
        errors.add("bewaartermijn", "Vul 1 tot 60 maanden in.");
    }
    let (Some(norm), Some(retention)) = (norm, retention) else {
        return beheer_page(&state, &ctx, "", errors, StatusCode::BAD_REQUEST).await;
    };
    let mut tx = state.db.begin().await?;
    baken_store::settings::set(
        &mut tx,
        mk::SETTING_NORM_DAYS,
        &norm.urgent_days().to_string(),
    )
    .await?;
    baken_store::settings::set(
        &mut tx,
        mk::SETTING_RETENTION_MONTHS,
        &retention.get().to_string(),
    )
    .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            None,
            format!(
                "spoednorm {} werkdagen, bewaartermijn {} maanden",
                norm.urgent_days(),
                retention.get()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/beheer/buurtmarktplaats?opgeslagen=1").into_response())
}
