//! The marketplace's figures for beleid and makelaars: participants, new per
//! month, asks, offers and matches per category and district, and the time to
//! a first reply — every count through `protect_count`, so no cell shows 1–4.
//! (A stronger cell-key protection is being built alongside; these pages call
//! the one protection function, so they will pick it up.)

use crate::support::ctx::Ctx;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::State;
use axum::response::IntoResponse;
use baken_domain::protect::{protect_count, MIN_SHOWN};
use baken_store::market as mk;
use minijinja::{context, Value};
use std::collections::BTreeMap;

fn shown(n: i64) -> String {
    protect_count(n).display()
}

pub async fn page(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.read().await?;
    let f = mk::figures(&mut tx).await?;
    drop(tx);
    let mut per_month: BTreeMap<String, i64> = BTreeMap::new();
    for t in &f.joined {
        *per_month
            .entry(nl_local(*t).format("%Y-%m").to_string())
            .or_default() += 1;
    }
    let months: Vec<_> = per_month
        .iter()
        .rev()
        .take(12)
        .map(|(month, n)| context! { month => month, count => shown(*n) })
        .collect();
    let pivot = |rows: &[(String, String, i64)]| {
        let mut table: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (key, direction, n) in rows {
            let cell = table.entry(key.clone()).or_default();
            if direction == "vraag" {
                cell.0 += n;
            } else {
                cell.1 += n;
            }
        }
        table
            .into_iter()
            .map(|(key, (asks, offers))| context! { key => key, asks => shown(asks), offers => shown(offers) })
            .collect::<Vec<_>>()
    };
    let counts = |rows: &[(String, i64)]| {
        rows.iter()
            .map(|(key, n)| context! { key => key, count => shown(*n) })
            .collect::<Vec<_>>()
    };
    let mut hours: Vec<i64> = f
        .replies
        .iter()
        .map(|(posted, reply)| (*reply - *posted).num_hours().max(0))
        .collect();
    hours.sort_unstable();
    let median_hours = (hours.len() as i64 >= MIN_SHOWN).then(|| hours[hours.len() / 2]);
    let html = render(
        &state,
        &ctx,
        "market/figures.html",
        "Cijfers buurtmarktplaats",
        Value::from_serialize(context! {
            participants => shown(f.participants),
            months => months,
            per_category => pivot(&f.listings_per_category),
            per_district => pivot(&f.listings_per_district),
            matches_per_category => counts(&f.matches_per_category),
            matches_per_district => counts(&f.matches_per_district),
            median_hours => median_hours,
            replies => shown(hours.len() as i64),
            min_shown => MIN_SHOWN,
        }),
    )?;
    Ok(html.into_response())
}
