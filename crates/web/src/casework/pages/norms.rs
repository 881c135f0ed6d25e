//! `/beheer/responsnormen`: the response norms (beheerder).

use super::shared::norms_context;
use crate::casework::common::{current_norms, explain, explain_norms, internal, is_conflict, who};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::ResponseNorms;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

async fn norms_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &FieldErrors,
    form: Value,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let history = cw::norms_history(&mut tx, 20).await.map_err(internal)?;
    drop(tx);
    let current = history.first();
    let versions: Vec<Value> = history
        .iter()
        .map(|v| {
            Value::from_serialize(context! {
                version => v.version,
                at => crate::support::time::nl_local(v.set_at).format("%d-%m-%Y %H:%M").to_string(),
                by => v.set_by.clone().unwrap_or_else(|| "standaard".into()),
                norms => norms_context(&v.norms),
            })
        })
        .collect();
    let norms = current.map(|v| v.norms).unwrap_or_default();
    let html = render(
        state,
        ctx,
        "casework/norms.html",
        "Responsnormen",
        Value::from_serialize(context! {
            errors => errors, form => form, versions => versions,
            version => current.map(|v| v.version).unwrap_or(0),
            norms => norms_context(&norms),
            max_crisis => ResponseNorms::MAX_CRISIS, max_normaal => ResponseNorms::MAX_NORMAAL,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct NormsQuery {
    /// Set after the norms were saved.
    #[serde(default)]
    opgeslagen: Option<String>,
}

pub async fn norms_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NormsQuery>,
) -> PageResult {
    let form = match query.opgeslagen {
        Some(_) => context! { _saved => "ja" },
        None => context! {},
    };
    norms_page(&state, &ctx, &FieldErrors::new(), form, StatusCode::OK).await
}

/// The response norms form: working days per urgency, and the version shown.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NormsForm {
    #[serde(default)]
    crisis: String,
    #[serde(default)]
    urgent: String,
    #[serde(default)]
    normaal: String,
    #[serde(default)]
    versie: String,
}

impl TryFrom<&NormsForm> for ResponseNorms {
    type Error = FieldErrors;

    fn try_from(form: &NormsForm) -> Result<ResponseNorms, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut days = |name: &str, value: &str| match value.trim().parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(name, "Vul een heel aantal werkdagen in, zoals 0, 3 of 10.");
                None
            }
        };
        let (crisis, urgent, normaal) = (
            days("crisis", &form.crisis),
            days("urgent", &form.urgent),
            days("normaal", &form.normaal),
        );
        let (Some(crisis), Some(urgent), Some(normaal)) = (crisis, urgent, normaal) else {
            return Err(errors);
        };
        ResponseNorms::new(crisis, urgent, normaal).map_err(|e| {
            errors.add(e.field(), explain_norms(e));
            errors
        })
    }
}

/// Saves new response norms: a new version, audited with old and new values.
pub async fn norms_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<NormsForm>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let typed = Value::from_serialize(&form);
    let norms = ResponseNorms::try_from(&form);
    let version = form.versie.trim().parse::<i64>().map_err(|_| {
        AppError::BadRequest("Het formulier mist de versie. Laad de pagina opnieuw.".into())
    })?;
    let norms = match norms {
        Ok(norms) => norms,
        Err(errors) => {
            return norms_page(&state, &ctx, &errors, typed, StatusCode::BAD_REQUEST).await
        }
    };
    let mut tx = state.db.begin().await?;
    let (old, _) = current_norms(&mut tx).await?;
    match cw::set_response_norms(&mut tx, &norms, version, &who(&user)).await {
        Ok(v) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("instelling", "responsnormen".into())),
                    format!(
                        "responsnormen versie {v}: crisis {}, urgent {}, normaal {} werkdagen (was {}, {}, {})",
                        norms.crisis(),
                        norms.urgent(),
                        norms.normaal(),
                        old.crisis(),
                        old.urgent(),
                        old.normaal()
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/responsnormen?opgeslagen=ja").into_response())
        }
        Err(e) => {
            drop(tx);
            let conflict = is_conflict(&e);
            let (_, msg) = explain(&e).ok_or_else(|| internal(e))?;
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    if conflict {
                        AuditOutcome::Conflict
                    } else {
                        AuditOutcome::Failed
                    },
                    Some(("instelling", "responsnormen".into())),
                    "responsnormen niet opgeslagen",
                ),
            )
            .await?;
            tx.commit().await?;
            let mut errors = FieldErrors::new();
            errors.add("_form", msg);
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            norms_page(&state, &ctx, &errors, typed, status).await
        }
    }
}
