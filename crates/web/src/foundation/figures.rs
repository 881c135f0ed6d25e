//! `/cijfers`: households and residents per district, protected (aggregates only).

use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use baken_domain::protect::protect_count;
use baken_store::areas;
use minijinja::{context, Value};
use serde::Serialize;

#[derive(Serialize)]
struct FigureRow {
    code: String,
    name: String,
    households: String,
    residents: String,
}

/// Aggregates only: every count passes through `protect_count`.
pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.read().await?;
    let rows: Vec<FigureRow> = areas::households_per_district(&mut tx)
        .await?
        .into_iter()
        .map(|(code, name, h, r)| FigureRow {
            code,
            name,
            households: protect_count(h).display(),
            residents: protect_count(r).display(),
        })
        .collect();
    drop(tx);
    Ok(render(
        &state,
        &ctx,
        "foundation/figures.html",
        "Cijfers",
        Value::from_serialize(context! { rows => rows }),
    )?
    .into_response())
}
