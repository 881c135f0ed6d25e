//! `/cijfers`: households and residents per district, protected (aggregates only).

use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use baken_domain::cell_key::{protect, CellKeys, RecordKey};
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

/// Aggregates only: every count is published through the cell-key method
/// (`baken_domain::cell_key::protect`), so this page and another count of the
/// same households cannot be subtracted to find one.
pub async fn figures(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.read().await?;
    let districts = areas::districts(&mut tx).await?;
    let members = areas::members_per_district(&mut tx).await?;
    drop(tx);
    let secret = &state.config.cell_key;
    let count = |kind: &str, ids: &[i64]| {
        protect(&CellKeys::of(
            ids.iter().map(|&id| RecordKey::derive(secret, kind, id)),
        ))
        .to_string()
    };
    let rows: Vec<FigureRow> = districts
        .into_iter()
        .map(|d| {
            let (h, r) = members
                .iter()
                .find(|(code, _, _)| *code == d.code)
                .map(|(_, h, r)| (h.as_slice(), r.as_slice()))
                .unwrap_or_default();
            FigureRow {
                households: count("household", h),
                residents: count("resident", r),
                code: d.code,
                name: d.name,
            }
        })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "foundation/figures.html",
        "Cijfers",
        Value::from_serialize(context! { rows => rows }),
    )?
    .into_response())
}
