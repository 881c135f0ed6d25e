//! The marketplace's figures for beleid and makelaars: participants, new per
//! calendar month, asks, offers and matches per category and district, and the
//! time to a first reply. Published through the cell-key method
//! (`baken_domain::market::figures::publish`): no cell shows 1–4 and no
//! difference of two published figures recovers one; periods are fixed
//! calendar months. Below them, the volunteer and carer figures per district
//! (`baken_domain::care_figures`), protected the same way.

use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_local, today};
use axum::extract::State;
use axum::response::IntoResponse;
use baken_domain::care_figures::{self, CareFacts, CareFigures};
use baken_domain::market::figures::{self as mf, Facts, Month};
use baken_domain::market::Direction;
use baken_store::commissioning::cell_key_secret;
use baken_store::market as mk;
use baken_store::{areas, carers as mz, volunteers as vw};
use chrono::Datelike;
use minijinja::{context, Value};

/// The domain's facts from the store's records (months in Dutch time).
pub fn facts(f: &mk::Figures) -> Facts {
    Facts {
        participants: f
            .joined
            .iter()
            .map(|&(id, at)| (id, Month::of(nl_local(at).date_naive())))
            .collect(),
        listings: f
            .listings
            .iter()
            .map(|(id, category, district, direction)| {
                (
                    *id,
                    category.clone(),
                    district.clone(),
                    matches!(Direction::parse(direction), Ok(Direction::Ask)),
                )
            })
            .collect(),
        matches: f.matches.clone(),
        replies: f
            .replies
            .iter()
            .map(|&(id, posted, reply)| (id, (reply - posted).num_hours()))
            .collect(),
    }
}

/// The published figures as of today.
pub async fn published(
    state: &AppState,
) -> Result<mf::MarketFigures, crate::support::error::AppError> {
    let mut tx = state.db.read().await?;
    let f = mk::figures(&mut tx).await?;
    let secret = cell_key_secret(&mut tx).await?;
    drop(tx);
    Ok(mf::publish(&facts(&f), &secret, Month::of(today())))
}

/// The published volunteer and carer figures per district, this year.
pub async fn care_published(
    state: &AppState,
) -> Result<CareFigures, crate::support::error::AppError> {
    let day = today();
    let mut tx = state.db.read().await?;
    let (active_volunteers, placements) = vw::figure_facts(&mut tx, day).await?;
    let (carers, waarderingen) = mz::figure_facts(&mut tx, day.year()).await?;
    let districts: Vec<String> = areas::districts(&mut tx)
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    let secret = cell_key_secret(&mut tx).await?;
    drop(tx);
    let facts = CareFacts {
        active_volunteers,
        placements,
        carers,
        waarderingen,
    };
    Ok(care_figures::publish(
        &facts,
        &secret,
        &districts,
        day.year(),
    ))
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let figures = published(&state).await?;
    let care = care_published(&state).await?;
    let html = render(
        &state,
        &ctx,
        "market/figures.html",
        "Cijfers buurtmarktplaats",
        Value::from_serialize(context! { f => figures, care => care }),
    )?;
    Ok(html.into_response())
}
