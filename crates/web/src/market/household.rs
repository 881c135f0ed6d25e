//! The bridge from casework to the buurtmarktplaats, on a household's dossier:
//! the generalist points the household to an ask or offer (with the resident's
//! consent), and lets a step-2 agreement (sociaal netwerk) refer to a match the
//! household's resident made. Nothing is followed after that: the agreement
//! counts in baken 4 as informal help, and the match stays the neighbours' own.
//! Every view and change is audited on the household.

use super::common::listing_view;
use crate::casework::common::scoped_household;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::market::bridge::{self, BridgeError};
use baken_domain::market::{BridgeNote, Candidate, ConsentWay, Direction, MatchState};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::casework as cw;
use baken_store::market::{self as mk, ListingFilter};
use baken_store::{audit, StoreError, Tx};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The page's search (GET) and its two forms (POST), one field per control.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct BridgeForm {
    woorden: String,
    soort: String,
    opgeslagen: Option<String>,
    /// Pointing: the listing, why, and how the resident agreed.
    advertentie: String,
    toelichting: String,
    toestemming: String,
    /// Referring: the step-2 agreement and the match.
    afspraak: String,
    koppeling: String,
}

/// Loads the household in the user's scope; a refusal's audit entry is
/// committed before the 404.
async fn household_in_scope(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    action: AuditAction,
) -> Result<Tx, AppError> {
    let user = ctx.user()?.clone();
    let mut tx = state.db.begin().await?;
    match scoped_household(&mut tx, ctx, &user, id, action).await {
        Ok(_) => Ok(tx),
        Err(e) => {
            tx.commit().await?;
            Err(e)
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<BridgeForm>,
) -> PageResult {
    let id = path_id(&id)?;
    render_page(&state, &ctx, id, &q, FieldErrors::new(), StatusCode::OK).await
}

async fn render_page(
    state: &AppState,
    ctx: &Ctx,
    hh: i64,
    form: &BridgeForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = household_in_scope(state, ctx, hh, AuditAction::Read).await?;
    let mut found = mk::search(
        &mut tx,
        &ListingFilter {
            direction: Direction::parse(&form.soort).ok(),
            limit: 200,
            ..ListingFilter::default()
        },
    )
    .await?;
    let words = baken_domain::kaart::text::Matcher::new(&form.woorden);
    if !words.is_empty() {
        found.retain(|r| words.matches_all(&Candidate::stems_of(&r.title, &r.body)));
    }
    found.retain(|r| r.state == "open");
    found.truncate(20);
    let pointers = mk::pointers_of(&mut tx, hh).await?;
    let matches = mk::household_matches(&mut tx, hh).await?;
    let links = mk::agreement_links(&mut tx, hh).await?;
    let case = cw::load_case(&mut tx, hh)
        .await
        .map_err(|e| AppError::from(e.into_store()))?;
    let agreements: Vec<Value> = case
        .open_plan()
        .map(|p| {
            p.agreements()
                .iter()
                .filter(|a| a.is_running() && a.terms().step.value() == 2)
                .filter(|a| !links.iter().any(|(id, _)| *id == a.id()))
                .map(|a| {
                    Value::from_serialize(context! {
                        value => a.id().to_string(),
                        label => format!("{}: {}", a.terms().actor_name, a.terms().description),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            "buurtmarktplaats: verwijzingen en koppelingen",
        ),
    )
    .await?;
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "market/household.html",
        "Buurtmarktplaats voor dit huishouden",
        Value::from_serialize(context! {
            hh => hh, form => form, errors => errors, saved => form.opgeslagen.is_some(),
            found => found.iter().map(listing_view).collect::<Vec<_>>(),
            pointers => pointers.iter().map(|p| context! {
                listing => p.listing_id, title => p.title.clone(), note => p.note.clone(),
                open => p.state == "open",
                kind => Direction::parse(&p.direction).map(|d| d.label()).unwrap_or(""),
                at => nl_local(p.created_at).format("%d-%m-%Y").to_string(),
            }).collect::<Vec<_>>(),
            agreements => agreements,
            matches => matches.iter().filter(|m| {
                MatchState::parse(&m.state).is_some_and(bridge::referable)
            }).map(|m| context! {
                value => m.id.to_string(),
                label => format!("{} ({})", m.title, MatchState::parse(&m.state).map(|s| s.label()).unwrap_or("")),
            }).collect::<Vec<_>>(),
            links => links.iter().map(|(a, title)| context! { agreement => a, title => title }).collect::<Vec<_>>(),
            consents => ConsentWay::ALL.iter()
                .map(|c| context! { value => c.as_str(), label => c.label() }).collect::<Vec<_>>(),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn point(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<BridgeForm>,
) -> PageResult {
    let hh = path_id(&id)?;
    let user = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let listing = form
        .advertentie
        .trim()
        .parse::<i64>()
        .map_err(|_| errors.add("advertentie", "Kies een vraag of aanbod."))
        .ok();
    let note = BridgeNote::parse(&form.toelichting)
        .map_err(|_| {
            errors.add(
                "toelichting",
                "Schrijf kort waarom dit bij het huishouden past (5 tot 1000 tekens).",
            )
        })
        .ok();
    let consent = bridge::consent(Some(&form.toestemming))
        .map_err(|_| {
            errors.add(
                "toestemming",
                "Vraag de inwoner eerst om toestemming, en kies hoe die is gegeven.",
            )
        })
        .ok();
    let (Some(listing), Some(note), Some(consent)) = (listing, note, consent) else {
        return render_page(&state, &ctx, hh, &form, errors, StatusCode::BAD_REQUEST).await;
    };
    let mut tx = household_in_scope(&state, &ctx, hh, AuditAction::Update).await?;
    match mk::point_household(&mut tx, hh, listing, &note, consent, user).await {
        Ok(_) => {}
        Err(e @ (StoreError::Duplicate(_) | StoreError::NotFound(_))) => {
            drop(tx);
            let message = if matches!(e, StoreError::Duplicate(_)) {
                "U hebt dit huishouden al op deze vraag of dit aanbod gewezen."
            } else {
                "Deze vraag of dit aanbod is niet meer open. Kies een andere."
            };
            return render_page(
                &state,
                &ctx,
                hh,
                &form,
                FieldErrors::only("advertentie", message),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return Err(AppError::from(e).into()),
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            format!(
                "gewezen op vraag of aanbod {listing} van de buurtmarktplaats, met toestemming ({})",
                consent.as_str()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/dossier/{hh}/buurtmarktplaats?opgeslagen=1")).into_response())
}

pub async fn link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<BridgeForm>,
) -> PageResult {
    let hh = path_id(&id)?;
    let user = ctx.user()?.user.id;
    let mut tx = household_in_scope(&state, &ctx, hh, AuditAction::Update).await?;
    let case = cw::load_case(&mut tx, hh)
        .await
        .map_err(|e| AppError::from(e.into_store()))?;
    let agreement = form.afspraak.trim().parse::<i64>().ok().and_then(|a| {
        case.open_plan()
            .and_then(|p| p.agreement(a))
            .filter(|a| a.is_running())
            .map(|a| (a.id(), a.terms().step))
    });
    let matches = mk::household_matches(&mut tx, hh).await?;
    let chosen = form
        .koppeling
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|m| matches.iter().find(|x| x.id == m));
    let mut errors = FieldErrors::new();
    if agreement.is_none() {
        errors.add("afspraak", "Kies een lopende afspraak uit het plan.");
    }
    if chosen.is_none() {
        errors.add("koppeling", "Kies een koppeling van dit huishouden.");
    }
    if let (Some((_, step)), Some(m)) = (agreement, chosen) {
        let state = MatchState::parse(&m.state).unwrap_or(MatchState::Proposed);
        match bridge::may_refer(step, state) {
            Ok(()) => {}
            Err(BridgeError::NotStepTwo) => errors.add(
                "afspraak",
                "Alleen een afspraak op trede 2 (sociaal netwerk) kan naar een koppeling verwijzen.",
            ),
            Err(_) => errors.add(
                "koppeling",
                "Deze koppeling is nog niet door beide kanten geaccepteerd.",
            ),
        }
    }
    let (Some((agreement, _)), Some(m), true) = (agreement, chosen, errors.is_empty()) else {
        drop(tx);
        return render_page(&state, &ctx, hh, &form, errors, StatusCode::BAD_REQUEST).await;
    };
    match mk::link_agreement(&mut tx, agreement, m, user).await {
        Ok(()) => {}
        Err(StoreError::Duplicate(_)) => {
            drop(tx);
            return render_page(
                &state,
                &ctx,
                hh,
                &form,
                FieldErrors::only("afspraak", "Deze afspraak verwijst al naar een koppeling."),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return Err(AppError::from(e).into()),
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            format!(
                "afspraak {agreement} (trede 2) verwijst naar koppeling {} van de buurtmarktplaats",
                m.id
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/dossier/{hh}/buurtmarktplaats?opgeslagen=1")).into_response())
}
