//! `/bakens`: the eight bakens as protected figures.

use super::shared::norms_context;
use crate::casework::common::{current_norms, internal};
use crate::support::ctx::Ctx;
use crate::support::form::FieldErrors;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::parse_date;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baken_domain::Role;
use baken_store::areas;
use baken_store::casework::{self as cw, FigureFilter};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The filters of the bakens: a team, a district, a period.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct BakensQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
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
    let facts = cw::bakens_facts(&mut tx, &filter, &norms)
        .await
        .map_err(internal)?;
    drop(tx);
    let figures = facts.figures();
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
            norms => norms_context(&norms), export => export,
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
        let mut date = |name: &str, value: &str| match value.trim() {
            "" => None,
            typed => parse_date(typed).or_else(|| {
                errors.add(name, "Vul een datum in als dd-mm-jjjj.");
                None
            }),
        };
        let filter = FigureFilter {
            team_id: team,
            district,
            from: date("van", &q.van),
            until: date("tot", &q.tot),
        };
        (filter, errors)
    }
}

// ------------------------------------------------------------------ response norms
