//! `/beheer/piramide`: the pyramid's targets (beheerder) — the share of
//! households the municipality aims for per layer (KING's 85/10/5 until set).
//! Parsed by the domain ([`Targets::from_typed`]) with a Dutch message next to
//! each wrong field, written only when all three add up to 100, audited with
//! old and new values, and guarded by the version the beheerder saw (a change
//! made in the meantime is a 409, never a lost update).

use crate::support::audit::{commit_audited, refuse_stale};
use crate::support::ctx::Ctx;
use crate::support::form::{form_version, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_date_time;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::monitoring::{Layer, Targets, TargetsError};
use baken_domain::AuditAction;
use baken_store::{dashboard, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The form as typed (also what the page shows again on a refusal).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct TargetsForm {
    #[serde(default)]
    licht: String,
    #[serde(default)]
    midden: String,
    #[serde(default)]
    zwaar: String,
    #[serde(default)]
    versie: String,
}

/// The form field of a layer.
fn field(layer: Layer) -> &'static str {
    match layer {
        Layer::Light => "licht",
        Layer::Middle => "midden",
        Layer::Heavy => "zwaar",
    }
}

impl TargetsForm {
    fn of(stored: &dashboard::StoredTargets) -> TargetsForm {
        let t = stored.targets;
        TargetsForm {
            licht: t.of(Layer::Light).to_string(),
            midden: t.of(Layer::Middle).to_string(),
            zwaar: t.of(Layer::Heavy).to_string(),
            versie: stored.version.to_string(),
        }
    }
}

impl TryFrom<&TargetsForm> for Targets {
    type Error = FieldErrors;

    fn try_from(form: &TargetsForm) -> Result<Targets, FieldErrors> {
        Targets::from_typed([&form.licht, &form.midden, &form.zwaar]).map_err(|errors| {
            let mut out = FieldErrors::new();
            for e in errors {
                match e {
                    TargetsError::Sum(sum) => out.add(
                        "doelen",
                        format!("De drie doelen tellen op tot {sum}%. Samen moeten ze precies 100% zijn."),
                    ),
                    TargetsError::Typed(layer) => out.add(
                        field(layer),
                        "Vul een heel percentage in van 0 tot en met 100, zoals 85.",
                    ),
                    TargetsError::NotAPercentage => out.add(
                        "doelen",
                        "Vul bij elke laag een heel percentage in van 0 tot en met 100.",
                    ),
                }
            }
            out
        })
    }
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    form: &TargetsForm,
    saved: bool,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let stored = dashboard::stored_targets(&mut tx).await?;
    drop(tx);
    let layers: Vec<Value> = Layer::ALL
        .iter()
        .map(|&l| {
            Value::from_serialize(context! {
                field => field(l), label => l.label(), short => l.short(),
                default => Targets::default().of(l),
            })
        })
        .collect();
    let html = render(
        state,
        ctx,
        "monitoring/targets.html",
        "Doelen van de piramide",
        Value::from_serialize(context! {
            form => form, errors => errors, saved => saved, layers => layers,
            current => Layer::ALL.map(|l| stored.targets.of(l)),
            set_by => stored.set_by,
            set_at => stored.set_at.map(nl_date_time),
        }),
    )?;
    Ok((status, html).into_response())
}

/// The form, filled in with the targets as stored now.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let stored = dashboard::stored_targets(&mut tx).await?;
    drop(tx);
    form_page(
        &state,
        &ctx,
        &TargetsForm::of(&stored),
        q.opgeslagen.is_some(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// Sets the targets, if nobody changed them since the form was filled in.
pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<TargetsForm>,
) -> PageResult {
    let user = ctx.user()?.user.username.clone();
    let version = form_version(&form.versie)?;
    let targets = match Targets::try_from(&form) {
        Ok(t) => t,
        Err(errors) => {
            return form_page(&state, &ctx, &form, false, errors, StatusCode::BAD_REQUEST).await
        }
    };
    let mut tx = state.db.begin().await?;
    let before = dashboard::stored_targets(&mut tx).await?;
    let object = ("instelling", "piramide_doelen".to_owned());
    match dashboard::set_targets(&mut tx, targets, version, &user).await {
        Ok(v) => {
            commit_audited(
                tx,
                &ctx,
                AuditAction::Update,
                object,
                format!(
                    "doelen piramide versie {v}: {} (was {})",
                    targets.code(),
                    before.targets.code()
                ),
            )
            .await?;
            Ok(Redirect::to("/beheer/piramide?opgeslagen=ja").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            let message = refuse_stale(tx, &state, &ctx, object, version, "de doelen").await?;
            // Show what is stored now, with its version.
            let mut tx = state.db.read().await?;
            let now = dashboard::stored_targets(&mut tx).await?;
            drop(tx);
            form_page(
                &state,
                &ctx,
                &TargetsForm::of(&now),
                false,
                FieldErrors::only("_form", message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
