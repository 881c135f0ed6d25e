//! `/bakens`: the eight bakens as protected figures.

use super::shared::{norms_context, Errors};
use crate::casework::common::{current_norms, internal};
use crate::support::ctx::Ctx;
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
use std::collections::BTreeMap;

pub async fn bakens(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut errors = Errors::new();
    let mut tx = state.db.read().await?;
    let teams = areas::teams(&mut tx).await?;
    let districts = areas::districts(&mut tx).await?;
    let (norms, _) = current_norms(&mut tx).await?;
    let team = q
        .get("team")
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|t| teams.iter().any(|x| x.id == *t));
    let district = q
        .get("wijk")
        .filter(|s| !s.is_empty())
        .cloned()
        .filter(|d| districts.iter().any(|x| x.code == *d));
    let mut date = |name: &str| match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => parse_date(s).or_else(|| {
            errors.insert(name.to_owned(), "Vul een datum in als dd-mm-jjjj.".into());
            None
        }),
    };
    let filter = FigureFilter {
        team_id: team,
        district,
        from: date("van"),
        until: date("tot"),
    };
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
    let html = render(
        &state,
        &ctx,
        "casework/bakens.html",
        "Bakens",
        Value::from_serialize(context! {
            figures => figures, teams => teams, districts => districts, q => q, errors => errors,
            is_teamleider => ctx.user.as_ref().is_some_and(|u| u.role() == Role::Teamleider),
            norms => norms_context(&norms),
        }),
    )?;
    Ok((status, html).into_response())
}

// ------------------------------------------------------------------ response norms
