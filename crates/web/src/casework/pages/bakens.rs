//! `/bakens`: the eight bakens as protected figures.

use super::shared::norms_context;
use crate::casework::common::{current_norms, internal};
use crate::support::ctx::Ctx;
use crate::support::form::FieldErrors;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::period::Period;
use baken_domain::Role;
use baken_store::areas;
use baken_store::casework::{self as cw, FigureFilter};
use chrono::Datelike;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The filters of the bakens: a team, a district, a period (a quarter or a year).
/// `van` and `tot` were free dates once; they are refused with a message, since
/// two periods a day apart could be subtracted.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct BakensQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    periode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    van: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tot: Option<String>,
}

/// The first year the period list offers.
pub(crate) const FIRST_YEAR: i32 = 2024;

/// The periods to choose from, newest first, as (code, label).
pub(crate) fn period_choices() -> Vec<(String, String)> {
    Period::choices(today(), FIRST_YEAR.min(today().year()))
        .into_iter()
        .map(|p| (p.code(), p.to_string()))
        .collect()
}

pub async fn bakens(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BakensQuery>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let teams = areas::teams(&mut tx).await?;
    let districts = areas::districts(&mut tx).await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let (filter, errors) = q.filter(&teams, &districts);
    // A refused filter shows no figures: "all periods" in place of a refused
    // period would be a figure nobody asked for.
    let figures = if errors.is_empty() {
        cw::bakens_facts(&mut tx, &filter, &norms, &state.config.cell_key)
            .await
            .map_err(internal)?
            .figures()
    } else {
        Vec::new()
    };
    drop(tx);
    let teams: Vec<(i64, String)> = teams.into_iter().map(|t| (t.id, t.name)).collect();
    let districts: Vec<(String, String)> =
        districts.into_iter().map(|d| (d.code, d.name)).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let export = serde_urlencoded::to_string(&q).unwrap_or_default();
    let html = render(
        &state,
        &ctx,
        "casework/bakens.html",
        "Bakens",
        Value::from_serialize(context! {
            figures => figures, teams => teams, districts => districts, q => q, errors => errors,
            is_teamleider => ctx.user.as_ref().is_some_and(|u| u.role() == Role::Teamleider),
            norms => norms_context(&norms), export => export, periods => period_choices(),
        }),
    )?;
    Ok((status, html).into_response())
}

impl BakensQuery {
    /// The filter asked for; a team or district not in the lists is no filter,
    /// a date that does not parse is a message.
    pub(crate) fn filter(
        &self,
        teams: &[areas::Team],
        districts: &[areas::District],
    ) -> (FigureFilter, FieldErrors) {
        let q = self;
        let mut errors = FieldErrors::new();
        // A team or district that is not one of the list is no filter.
        let team = q
            .team
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|t| teams.iter().any(|x| x.id == *t));
        let district = Some(q.wijk.clone())
            .filter(|d| !d.is_empty())
            .filter(|d| districts.iter().any(|x| x.code == *d));
        if q.van.is_some() || q.tot.is_some() {
            errors.add(
                "periode",
                "Kies een kwartaal of een jaar. Cijfers over vrije datums tonen we niet meer: \
                 twee periodes die een dag verschillen, zouden samen een klein aantal verraden.",
            );
        }
        let period = match q.periode.trim() {
            "" => None,
            typed => Period::parse(typed).map(Some).unwrap_or_else(|_| {
                errors.add("periode", "Kies een kwartaal of een jaar uit de lijst.");
                None
            }),
        };
        let filter = FigureFilter {
            team_id: team,
            district,
            period,
        };
        (filter, errors)
    }
}

// ------------------------------------------------------------------ response norms
