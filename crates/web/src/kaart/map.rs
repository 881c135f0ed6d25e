//! The public social map: search without logging in, and a page per service.

use super::view::{self, domain_options, service_view, step_options, MapFilter};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::page_number;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use baken_domain::casework::LifeDomain;
use baken_domain::kaart::{Reach, ServiceAccess, Synonyms, Wording};
use baken_domain::{DistrictCode, LadderStep};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: usize = 20;

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct MapQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub domein: String,
    #[serde(default)]
    pub wijk: String,
    #[serde(default)]
    pub trede: String,
    #[serde(default)]
    pub bereik: String,
    #[serde(default)]
    pub toegang: String,
    #[serde(default)]
    pub soort: String,
    /// "trede": lightest help first; otherwise by name.
    #[serde(default)]
    pub volgorde: String,
    #[serde(default, skip_serializing)]
    pub pagina: Option<String>,
}

impl MapQuery {
    pub fn filter(&self) -> MapFilter {
        MapFilter {
            text: self.q.chars().take(200).collect(),
            domain: LifeDomain::parse(&self.domein).ok(),
            district: DistrictCode::parse(&self.wijk).ok(),
            step: self
                .trede
                .trim()
                .parse::<u8>()
                .ok()
                .and_then(|s| LadderStep::new(s).ok()),
            reach: Reach::parse(&self.bereik).ok(),
            access: ServiceAccess::parse(&self.toegang).ok(),
            volunteering: match self.soort.as_str() {
                "geven" => Some(true),
                "hulp" => Some(false),
                _ => None,
            },
            include_ended: false,
        }
    }
}

pub async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MapQuery>,
) -> PageResult {
    let services = view::load_services(&state).await?;
    let (districts, names) = view::district_names(&state).await?;
    let synonyms = {
        let mut tx = state.db.read().await?;
        Synonyms::new(&baken_store::kaart::wijzer_synonyms(&mut tx).await?)
    };
    let found = q.filter().apply_with(&services, &synonyms);
    // The same offer in several places is one card, with where it is offered.
    let w = view::wording(&ctx);
    let mut cards = view::offer_cards(&found, &names, w);
    if q.volgorde == "trede" {
        cards.sort_by(|a, b| {
            (a.service.step, &a.service.name).cmp(&(b.service.step, &b.service.name))
        });
    } else {
        cards.sort_by(|a, b| a.service.name.cmp(&b.service.name));
    }
    let total = cards.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = (page_number(q.pagina.as_deref()) as usize).min(pages);
    let items: Vec<_> = cards
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let pager_base = format!(
        "/kaart?{}&",
        serde_urlencoded::to_string(&q).unwrap_or_default()
    );
    Ok(render(
        &state,
        &ctx,
        "kaart/map.html",
        "Sociale kaart",
        Value::from_serialize(context! {
            items => items, total => total, filter => q, districts => districts,
            domains => domain_options(w), steps => step_options(w),
            resident => w == Wording::Resident,
            page => context! { page => page, pages => pages }, pager_base => pager_base,
        }),
    )?
    .into_response())
}

pub async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let s = baken_store::kaart::service(&mut tx, id)
        .await?
        .filter(|s| s.classified)
        .ok_or(AppError::NotFound)?;
    drop(tx);
    let (_, names) = view::district_names(&state).await?;
    let w = view::wording(&ctx);
    let v = service_view(&s, &names, w);
    let title = v.name.clone();
    Ok(render(
        &state,
        &ctx,
        "kaart/service.html",
        &title,
        Value::from_serialize(context! { s => v, resident => w == Wording::Resident }),
    )?
    .into_response())
}
