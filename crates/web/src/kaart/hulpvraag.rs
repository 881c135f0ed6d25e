//! Residents' requests for help from the Eigen Kracht Wijzer, as the wijkteam
//! reads them: the list for the team's district, and each request with every
//! answer in the words the resident saw. Every read is audited (they carry a
//! resident's contact details and situation); a request outside the team's
//! district is "not found", and that refusal is audited too.

use super::view;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use baken_domain::kaart::{Answers, LabelledAnswers};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{areas, audit, kaart, Tx};
use minijinja::{context, Value};
use serde::Serialize;
use std::collections::HashMap;

/// The request's answers in words: as kept when it was sent, or (for older
/// requests) labelled with today's content.
fn labelled(
    r: &kaart::HelpRequest,
    content: &baken_domain::kaart::WijzerContent,
) -> LabelledAnswers {
    r.labelled
        .as_deref()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            let a: Answers = serde_json::from_str(&r.answers).unwrap_or_default();
            content.label(&a)
        })
}

#[derive(Serialize)]
struct RequestView {
    id: i64,
    at: String,
    district: String,
    contact: String,
    answers: LabelledAnswers,
    signal_id: Option<i64>,
}

fn request_view(
    r: kaart::HelpRequest,
    names: &HashMap<String, String>,
    content: &baken_domain::kaart::WijzerContent,
) -> RequestView {
    RequestView {
        id: r.id,
        at: crate::support::time::nl_local(r.created_at)
            .format("%d-%m-%Y %H:%M")
            .to_string(),
        district: r
            .district_code
            .as_ref()
            .and_then(|d| names.get(d).cloned())
            .unwrap_or_else(|| "onbekend".into()),
        answers: labelled(&r, content),
        contact: r.contact,
        signal_id: r.signal_id,
    }
}

/// The district of the user's team, if any: they see its requests and those
/// without a district.
async fn team_district(tx: &mut Tx, ctx: &Ctx) -> Result<Option<String>, AppError> {
    let user = ctx.user()?;
    Ok(match user.user.team_id {
        Some(t) => areas::team(tx, t).await?.and_then(|t| t.district_code),
        None => None,
    })
}

/// The wijkteam's list: requests for the team's district and those without
/// one. Reading them is audited.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let (_, names) = view::district_names(&state).await?;
    let mut tx = state.db.begin().await?;
    let content = kaart::wijzer_content(&mut tx).await?;
    let district = team_district(&mut tx, &ctx).await?;
    let team = ctx.user()?.user.team_id;
    let rows = kaart::help_requests(&mut tx, team, district.as_deref(), 100).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            Some(("hulpvraag", "*".into())),
            format!("resultaten={}", rows.len()),
        ),
    )
    .await?;
    tx.commit().await?;
    let items: Vec<RequestView> = rows
        .into_iter()
        .map(|r| request_view(r, &names, &content))
        .collect();
    Ok(render(
        &state,
        &ctx,
        "kaart/hulpvragen.html",
        "Hulpvragen uit de wijzer",
        Value::from_serialize(context! { items => items }),
    )?
    .into_response())
}

/// One request with all its answers. Audited; outside the team's district it
/// is not found (and the refusal is audited).
pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let (_, names) = view::district_names(&state).await?;
    let mut tx = state.db.begin().await?;
    let content = kaart::wijzer_content(&mut tx).await?;
    let district = team_district(&mut tx, &ctx).await?;
    let row = kaart::help_request(&mut tx, id).await?;
    // A request went to one team: only that team reads it. Requests from
    // before that keep the district rule.
    let team = ctx.user()?.user.team_id;
    let visible = row.as_ref().is_some_and(|r| match r.team_id {
        Some(t) => team == Some(t),
        None => {
            district.is_none()
                || r.district_code.is_none()
                || r.district_code.as_deref() == district.as_deref()
        }
    });
    let Some(row) = row.filter(|_| visible) else {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Read,
                AuditOutcome::Denied,
                Some(("hulpvraag", id.to_string())),
                "niet gevonden of buiten de wijk van het team",
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::NotFound.into());
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("hulpvraag", id.to_string())),
            "alle antwoorden",
        ),
    )
    .await?;
    tx.commit().await?;
    let r = request_view(row, &names, &content);
    let title = format!("Hulpvraag {}", r.id);
    Ok(render(
        &state,
        &ctx,
        "kaart/hulpvraag.html",
        &title,
        Value::from_serialize(context! { r => r }),
    )?
    .into_response())
}
