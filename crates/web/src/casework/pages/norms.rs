//! `/beheer/responsnormen`: the response norms (beheerder).

use super::shared::{norms_context, Errors};
use crate::casework::common::{
    current_norms, explain, explain_norms, field, form_map, internal, is_conflict, who, FormMap,
};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::casework::ResponseNorms;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::audit;
use baken_store::casework::{self as cw};
use minijinja::{context, Value};
use std::collections::BTreeMap;

async fn norms_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &Errors,
    form: &FormMap,
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

pub async fn norms_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut form = FormMap::new();
    if q.contains_key("opgeslagen") {
        form.insert("_saved".into(), "ja".into());
    }
    norms_page(&state, &ctx, &Errors::new(), &form, StatusCode::OK).await
}

/// Saves new response norms: a new version, audited with old and new values.
pub async fn norms_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let mut errors = Errors::new();
    let mut days = |name: &str| match field(&f, name).parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.insert(
                name.to_owned(),
                "Vul een heel aantal werkdagen in, zoals 0, 3 of 10.".into(),
            );
            None
        }
    };
    let (crisis, urgent, normaal) = (days("crisis"), days("urgent"), days("normaal"));
    let version = field(&f, "versie").parse::<i64>().map_err(|_| {
        AppError::BadRequest("Het formulier mist de versie. Laad de pagina opnieuw.".into())
    })?;
    let norms = match (crisis, urgent, normaal) {
        (Some(c), Some(u), Some(n)) if errors.is_empty() => match ResponseNorms::new(c, u, n) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.insert(e.field().to_owned(), explain_norms(e));
                None
            }
        },
        _ => None,
    };
    let Some(norms) = norms else {
        return norms_page(&state, &ctx, &errors, &f, StatusCode::BAD_REQUEST).await;
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
            errors.insert("_form".into(), msg);
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            norms_page(&state, &ctx, &errors, &f, status).await
        }
    }
}
