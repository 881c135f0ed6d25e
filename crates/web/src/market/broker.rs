//! The makelaar's work: the queue of urgent asks with the response norm, proxy
//! participants (registered, their asks and offers posted, their matches made
//! and answered on their behalf), and moderation of reports. Every view of a
//! proxy participant's record is audited (`baken_store::market::participant_record`,
//! `proxies_of`).

use super::common::{internal, listing_view, refusal, ListingForm};
use super::participate::{
    act_on_match, listing_form_page, render_match_with, report_message_for, MatchForm,
    ReportMessageForm,
};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_local, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::market::{
    Direction, DisplayName, MatchState, ModerationAction, ModerationReason, PhoneNumber, Side,
};
use baken_domain::{AuditAction, AuditOutcome, DistrictCode};
use baken_store::market::{self as mk, ListingFilter, Proposal};
use baken_store::{areas, audit};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SavedQuery {
    opgeslagen: Option<String>,
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = if q.opgeslagen.is_some() {
        "Opgeslagen."
    } else {
        ""
    };
    overview_page(
        &state,
        &ctx,
        &ProxyForm::default(),
        saved,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    form: &ProxyForm,
    saved: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let today = today();
    let mut tx = state.db.begin().await?;
    let norm = mk::norm(&mut tx).await?;
    let mut queue: Vec<_> = mk::urgent_asks(&mut tx)
        .await?
        .into_iter()
        .map(|row| {
            let reply = row.first_reply_at.map(|t| nl_local(t).date_naive());
            let priority = norm.priority(row.posted_on, reply, today);
            (priority, row)
        })
        .collect();
    queue.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    let entry = ctx.audit(
        AuditAction::Search,
        AuditOutcome::Success,
        None,
        "deelnemers via de makelaar",
    );
    let proxies = mk::proxies_of(&mut tx, &entry).await?;
    let reports = mk::open_reports(&mut tx).await?;
    let districts = areas::districts(&mut tx).await?;
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "market/broker.html",
        "Makelaar",
        Value::from_serialize(context! {
            norm_days => norm.urgent_days(),
            queue => queue.iter().map(|(p, row)| {
                let reply = row.first_reply_at.map(|t| nl_local(t).date_naive());
                let label = match reply {
                    Some(r) if norm.on_time(row.posted_on, r) => "eerste reactie binnen de norm".to_owned(),
                    Some(_) => "eerste reactie te laat".to_owned(),
                    None => p.label(),
                };
                context! {
                    listing => listing_view(row), label => label, late => p.working_days_late() > 0,
                    replied => reply.is_some(),
                }
            }).collect::<Vec<_>>(),
            proxies => proxies.iter().map(|p| context! {
                id => p.id, name => p.display_name.clone(), anonymous => p.anonymous,
                district => districts.iter().find(|d| d.code == p.district_code).map(|d| d.name.clone()),
            }).collect::<Vec<_>>(),
            reports => reports.iter().map(|r| context! {
                id => r.id, subject => r.subject.clone(), reason => r.reason.clone(),
                listing => r.listing_id, message => r.message_id, at => nl_local(r.created_at).format("%d-%m-%Y").to_string(),
            }).collect::<Vec<_>>(),
            actions => ModerationAction::ALL.iter().map(|a| context! { value => a.as_str(), label => a.label() }).collect::<Vec<_>>(),
            districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
            form => form, saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

/// Registering someone without internet.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProxyForm {
    naam: String,
    wijk: String,
    telefoon: String,
    anoniem: Option<String>,
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ProxyForm>,
) -> PageResult {
    let makelaar = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let name = DisplayName::parse(&form.naam)
        .map_err(|_| errors.add("naam", "Vul een naam in (2 tot 60 tekens)."))
        .ok();
    let phone = if form.telefoon.trim().is_empty() {
        Some(None)
    } else {
        PhoneNumber::parse(&form.telefoon)
            .map(Some)
            .map_err(|_| {
                errors.add(
                    "telefoon",
                    "Vul een Nederlands telefoonnummer in, zoals 06 12345678, of laat het leeg.",
                )
            })
            .ok()
    };
    let mut tx = state.db.begin().await?;
    let districts = areas::districts(&mut tx).await?;
    let district = DistrictCode::parse(&form.wijk)
        .ok()
        .filter(|d| districts.iter().any(|x| x.code == d.as_str()));
    if district.is_none() {
        errors.add("wijk", "Kies de wijk waar de deelnemer woont.");
    }
    let (Some(name), Some(phone), Some(district)) = (name, phone, district) else {
        drop(tx);
        return overview_page(&state, &ctx, &form, "", errors, StatusCode::BAD_REQUEST).await;
    };
    let id = mk::create_proxy(
        &mut tx,
        makelaar,
        &name,
        &district,
        form.anoniem.is_some(),
        phone.as_ref(),
    )
    .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("market_participant", id.to_string())),
            "deelnemer ingeschreven door de makelaar",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/makelaar/deelnemers/{id}")).into_response())
}

pub async fn proxy(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id)?;
    proxy_page(
        &state,
        &ctx,
        id,
        &ListingForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

/// A proxy participant's page: their record (audited), their listings with
/// what fits each, their matches, and the form to post for them.
async fn proxy_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: &ListingForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let entry = ctx.audit(
        AuditAction::Read,
        AuditOutcome::Success,
        None,
        "deelnemer via de makelaar",
    );
    let person = mk::participant_record(&mut tx, id, &entry)
        .await?
        .filter(|p| p.is_proxy())
        .ok_or(AppError::NotFound)?;
    let own = mk::search(
        &mut tx,
        &ListingFilter {
            participant_id: Some(id),
            ..ListingFilter::default()
        },
    )
    .await?;
    let mut listings = Vec::new();
    for row in &own {
        let suggestions = if row.state == "open" {
            mk::suggestions(&mut tx, row, 5).await?
        } else {
            Vec::new()
        };
        listings.push(context! {
            listing => listing_view(row),
            suggestions => suggestions.iter().map(|(other, fit)| context! {
                listing => listing_view(other),
                why => fit.reasons.iter().map(|r| r.label()).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
        });
    }
    let mut matches = Vec::new();
    for m in mk::matches_of(&mut tx, id).await? {
        let title = mk::listing(&mut tx, m.listing_id)
            .await?
            .map(|l| l.title)
            .unwrap_or_default();
        matches.push(context! {
            id => m.id, title => title, state => MatchState::parse(&m.state).map(|s| s.label()).unwrap_or(""),
        });
    }
    let choices = super::common::choices(&mut tx).await?;
    let district = areas::districts(&mut tx)
        .await?
        .into_iter()
        .find(|d| d.code == person.district_code)
        .map(|d| d.name);
    tx.commit().await?;
    let html = render(
        state,
        ctx,
        "market/proxy.html",
        &format!("Deelnemer {}", person.display_name),
        Value::from_serialize(context! {
            person => context! {
                id => person.id, name => person.display_name.clone(), phone => person.phone.clone(),
                anonymous => person.anonymous, district => district, blocked => person.blocked,
            },
            listings => listings, matches => matches,
            form => form, choices => choices, errors => errors,
            action => format!("/makelaar/deelnemers/{id}/plaatsen"),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn post_for(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ListingForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let makelaar = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let (category_id, listing) = match form.parse(&mut tx).await {
        Ok(v) => v,
        Err(errors) => {
            drop(tx);
            return proxy_page(&state, &ctx, id, &form, errors, StatusCode::BAD_REQUEST).await;
        }
    };
    let entry = ctx.audit(
        AuditAction::Read,
        AuditOutcome::Success,
        None,
        "deelnemer via de makelaar: plaatsen",
    );
    mk::participant_record(&mut tx, id, &entry)
        .await?
        .filter(|p| p.is_proxy())
        .ok_or(AppError::NotFound)?;
    match mk::create_listing(&mut tx, id, category_id, &listing, makelaar, today()).await {
        Ok(listing_id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("market_listing", listing_id.to_string())),
                    format!(
                        "{} geplaatst namens deelnemer {id}",
                        listing.direction().as_str()
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/makelaar/deelnemers/{id}#vragen")).into_response())
        }
        Err(e) => match refusal(&e) {
            Some(message) => {
                drop(tx);
                proxy_page(
                    &state,
                    &ctx,
                    id,
                    &form,
                    FieldErrors::only("_form", message),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => Err(internal(e).into()),
        },
    }
}

/// A makelaar proposes a proxy's listing to the participant of a suggested one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProposeForm {
    vraag: String,
    aan: String,
}

pub async fn propose_for(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ProposeForm>,
) -> PageResult {
    let makelaar = ctx.user()?.user.id;
    let (Ok(listing_id), Ok(other_id)) = (path_id(&form.vraag), path_id(&form.aan)) else {
        return Err(
            AppError::BadRequest("Kies een vraag of aanbod en een suggestie.".into()).into(),
        );
    };
    let mut tx = state.db.begin().await?;
    let row = mk::listing(&mut tx, listing_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !row.proxy {
        return Err(AppError::NotFound.into());
    }
    let other = mk::listing(&mut tx, other_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let proposed_by = if row.direction() == Direction::Ask {
        Side::Ask
    } else {
        Side::Offer
    };
    let proposal = Proposal {
        listing_id,
        responder_id: other.participant_id,
        via_listing_id: Some(other.id),
        proposed_by,
        made_by_user_id: Some(makelaar),
    };
    match mk::propose(&mut tx, &proposal).await {
        Ok(match_id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("market_match", match_id.to_string())),
                    format!(
                        "koppeling voorgesteld namens deelnemer {}",
                        row.participant_id
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!(
                "/makelaar/deelnemers/{}?opgeslagen=1#koppelingen",
                row.participant_id
            ))
            .into_response())
        }
        Err(e) => match refusal(&e) {
            Some(message) => {
                drop(tx);
                proxy_page(
                    &state,
                    &ctx,
                    row.participant_id,
                    &ListingForm::default(),
                    FieldErrors::only("_form", message),
                    StatusCode::CONFLICT,
                )
                .await
            }
            None => Err(internal(e).into()),
        },
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OnBehalfQuery {
    namens: String,
    gemeld: Option<String>,
}

/// The proxy a makelaar acts for in a match: one of the match's two sides,
/// and a proxy (never an account holder, who acts for themselves).
async fn proxy_in_match(
    state: &AppState,
    ctx: &Ctx,
    match_id: i64,
    namens: &str,
) -> Result<(i64, String), AppError> {
    let pid = path_id(namens)?;
    let mut tx = state.db.begin().await?;
    let m = mk::match_row(&mut tx, match_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.side_of(pid).is_none() {
        return Err(AppError::NotFound);
    }
    let entry = ctx.audit(
        AuditAction::Read,
        AuditOutcome::Success,
        None,
        "deelnemer via de makelaar: koppeling",
    );
    let person = mk::participant_record(&mut tx, pid, &entry)
        .await?
        .filter(|p| p.is_proxy())
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((pid, person.display_name))
}

pub async fn match_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<OnBehalfQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let (pid, name) = proxy_in_match(&state, &ctx, id, &q.namens).await?;
    let notice = if q.gemeld.is_some() {
        "De melding staat in de wachtrij van de makelaars."
    } else {
        ""
    };
    render_match_with(
        &state,
        &ctx,
        id,
        pid,
        Some(name),
        notice,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportOnBehalfForm {
    namens: String,
    bericht: String,
    reden: String,
}

/// A makelaar reports a message on a proxy participant's behalf (the proxy
/// has no account to do it). The proxy's data read is audited
/// (`proxy_in_match`), and so is the report, naming the participant.
pub async fn report_message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ReportOnBehalfForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let (pid, name) = proxy_in_match(&state, &ctx, id, &form.namens).await?;
    let report = ReportMessageForm {
        bericht: form.bericht,
        reden: form.reden,
    };
    match report_message_for(&state, &ctx, id, pid, Some(name), &report).await? {
        Some(refused) => Ok(refused),
        None => Ok(
            Redirect::to(&format!("/makelaar/koppeling/{id}?namens={pid}&gemeld=1"))
                .into_response(),
        ),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OnBehalfForm {
    namens: String,
    actie: String,
    bericht: String,
}

pub async fn match_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<OnBehalfForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let (pid, name) = proxy_in_match(&state, &ctx, id, &form.namens).await?;
    let step = MatchForm {
        actie: form.actie,
        bericht: form.bericht,
    };
    act_on_match(&state, &ctx, id, pid, Some(name), &step).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ModerationForm {
    actie: String,
    reden: String,
}

pub async fn moderate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ModerationForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let makelaar = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let action = ModerationAction::parse(&form.actie)
        .map_err(|_| errors.add(format!("actie-{id}"), "Kies wat u met de melding doet."))
        .ok();
    let reason = ModerationReason::parse(&form.reden)
        .map_err(|_| {
            errors.add(
                format!("reden-{id}"),
                "Schrijf de reden op (minstens 5 tekens).",
            )
        })
        .ok();
    let (Some(action), Some(reason)) = (action, reason) else {
        return overview_page(
            &state,
            &ctx,
            &ProxyForm::default(),
            "",
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let report = mk::decide_report(&mut tx, id, action, &reason, makelaar).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("market_report", id.to_string())),
            format!(
                "{}: {} (deelnemer {})",
                action.label(),
                reason.as_str(),
                report.author_id
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/makelaar?opgeslagen=1").into_response())
}

/// The form page to post for a proxy (same form as a participant's).
pub async fn post_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let entry = ctx.audit(
        AuditAction::Read,
        AuditOutcome::Success,
        None,
        "deelnemer via de makelaar",
    );
    let person = mk::participant_record(&mut tx, id, &entry)
        .await?
        .filter(|p| p.is_proxy())
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    listing_form_page(
        &state,
        &ctx,
        &ListingForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
        Some((id, person.display_name)),
    )
    .await
}
