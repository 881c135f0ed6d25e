//! The marketplace as a participant (inwoner, vrijwilliger, a self-registered
//! participant): search and filter open asks and offers (no JavaScript), post
//! one, see what fits it and why, answer one, and the match itself — messages
//! in Baken, contact details only once both agree.

use super::common::{choices, internal, listing_view, me, refusal, ListingForm};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_local, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::market::{Direction, DisplayName, MatchState, ModerationReason, Side};
use baken_domain::{AuditAction, AuditOutcome, DistrictCode, EmailAddress};
use baken_store::market::{self as mk, ListingFilter, Proposal, Reported};
use baken_store::{areas, audit};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The overview's filters, as the GET form sends them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchQuery {
    soort: String,
    categorie: String,
    wijk: String,
    spoed: Option<String>,
    woorden: String,
    opgeslagen: Option<String>,
}

pub async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    overview_page(&state, &ctx, &q, FieldErrors::new(), StatusCode::OK).await
}

async fn overview_page(
    state: &AppState,
    ctx: &Ctx,
    q: &SearchQuery,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let participant = me(&mut tx, ctx).await?;
    let filter = ListingFilter {
        direction: Direction::parse(&q.soort).ok(),
        category_id: q.categorie.parse().ok(),
        district: DistrictCode::parse(&q.wijk).ok(),
        urgent_only: q.spoed.is_some(),
        participant_id: None,
        limit: 200,
    };
    let mut found = mk::search(&mut tx, &filter).await?;
    let words = baken_domain::kaart::text::Matcher::new(&q.woorden);
    if !words.is_empty() {
        found.retain(|r| {
            words.matches_all(&baken_domain::market::Candidate::stems_of(
                &r.title, &r.body,
            ))
        });
    }
    let (own, matches) = match &participant {
        Some(p) => {
            let own = mk::search(
                &mut tx,
                &ListingFilter {
                    participant_id: Some(p.id),
                    ..ListingFilter::default()
                },
            )
            .await?;
            let matches = mk::matches_of(&mut tx, p.id).await?;
            let mut views = Vec::new();
            for m in matches {
                let Some(l) = mk::listing(&mut tx, m.listing_id).await? else {
                    continue;
                };
                views.push(context! {
                    id => m.id, title => l.title, state => MatchState::parse(&m.state).map(|s| s.label()).unwrap_or(""),
                });
            }
            (own, views)
        }
        None => (Vec::new(), Vec::new()),
    };
    let choices = choices(&mut tx).await?;
    drop(tx);
    let html = render(
        state,
        ctx,
        "market/overview.html",
        "Buurtmarktplaats",
        Value::from_serialize(context! {
            me => participant.as_ref().map(|p| context! {
                name => p.display_name.clone(), verified => p.email_verified, blocked => p.blocked,
            }),
            found => found.iter().map(listing_view).collect::<Vec<_>>(),
            own => own.iter().map(listing_view).collect::<Vec<_>>(),
            matches => matches,
            q => q, choices => choices, errors => errors,
            saved => q.opgeslagen.is_some(),
        }),
    )?;
    Ok((status, html).into_response())
}

/// Joining with a logged-in account: display name, district, e-mail address
/// (verified by a link, like a sign-up).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct JoinForm {
    naam: String,
    wijk: String,
    email: String,
}

pub async fn join(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<JoinForm>,
) -> PageResult {
    let user_id = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let name = DisplayName::parse(&form.naam)
        .map_err(|_| errors.add("naam", "Vul de naam in die anderen zien (2 tot 60 tekens)."))
        .ok();
    let email = EmailAddress::parse(&form.email)
        .map_err(|_| errors.add("email", "Vul een e-mailadres in zoals naam@voorbeeld.nl."))
        .ok();
    let mut tx = state.db.begin().await?;
    let districts = areas::districts(&mut tx).await?;
    let district = DistrictCode::parse(&form.wijk)
        .ok()
        .filter(|d| districts.iter().any(|x| x.code == d.as_str()));
    if district.is_none() {
        errors.add("wijk", "Kies uw wijk.");
    }
    let (Some(name), Some(email), Some(district)) = (name, email, district) else {
        drop(tx);
        return overview_page(
            &state,
            &ctx,
            &SearchQuery::default(),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let id = match mk::create_account_participant(&mut tx, user_id, &name, &district, &email).await
    {
        Ok(id) => id,
        Err(baken_store::StoreError::Duplicate(_)) => {
            drop(tx);
            return overview_page(
                &state,
                &ctx,
                &SearchQuery::default(),
                FieldErrors::only("email", "Dit e-mailadres doet al mee."),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    let token = mk::create_verification(&mut tx, id, 48).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("market_participant", id.to_string())),
            "meegedaan met de buurtmarktplaats; bevestiging verstuurd",
        ),
    )
    .await?;
    tx.commit().await?;
    let shown = super::signup::send_verification(&state, email.as_str(), &token).await?;
    let q = SearchQuery {
        opgeslagen: Some("1".into()),
        ..SearchQuery::default()
    };
    match shown {
        Some(link) => Ok(Redirect::to(&link).into_response()),
        None => overview_page(&state, &ctx, &q, FieldErrors::new(), StatusCode::OK).await,
    }
}

/// `?soort=aanbod&categorie=…&titel=…&tekst=…`: a form filled in beforehand
/// (the wijzer's "ways to give" link here).
pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(prefill): Query<ListingForm>,
) -> PageResult {
    listing_form_page(
        &state,
        &ctx,
        &prefill,
        FieldErrors::new(),
        StatusCode::OK,
        None,
    )
    .await
}

/// The listing form, for the participant or (`on_behalf`) a makelaar's proxy.
pub async fn listing_form_page(
    state: &AppState,
    ctx: &Ctx,
    form: &ListingForm,
    errors: FieldErrors,
    status: StatusCode,
    on_behalf: Option<(i64, String)>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let choices = choices(&mut tx).await?;
    // A category named in the link ("Voorlezen") becomes its id.
    // Without one, a category whose name the title holds ("Voorlezen op de
    // basisschool" → Voorlezen).
    let mut form = form.clone();
    if form.categorie.parse::<i64>().is_err() {
        let title = form.titel.to_lowercase();
        let wanted = form.categorie.trim().to_owned();
        if let Some(c) = mk::categories(&mut tx, true).await?.into_iter().find(|c| {
            if wanted.is_empty() {
                !title.is_empty() && title.contains(&c.name.to_lowercase())
            } else {
                c.name.eq_ignore_ascii_case(&wanted)
            }
        }) {
            form.categorie = c.id.to_string();
        }
    }
    drop(tx);
    let action = match &on_behalf {
        Some((id, _)) => format!("/makelaar/deelnemers/{id}/plaatsen"),
        None => "/buurtmarktplaats/nieuw".to_owned(),
    };
    let html = render(
        state,
        ctx,
        "market/listing_form.html",
        "Vraag of aanbod plaatsen",
        Value::from_serialize(context! {
            form => form, choices => choices, errors => errors, action => action,
            on_behalf => on_behalf.map(|(_, name)| name),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ListingForm>,
) -> PageResult {
    let user_id = ctx.user()?.user.id;
    let mut tx = state.db.begin().await?;
    let Some(participant) = me(&mut tx, &ctx).await? else {
        drop(tx);
        return Ok(Redirect::to("/buurtmarktplaats").into_response());
    };
    let (category_id, listing) = match form.parse(&mut tx).await {
        Ok(v) => v,
        Err(errors) => {
            drop(tx);
            return listing_form_page(&state, &ctx, &form, errors, StatusCode::BAD_REQUEST, None)
                .await;
        }
    };
    match mk::create_listing(
        &mut tx,
        participant.id,
        category_id,
        &listing,
        user_id,
        today(),
    )
    .await
    {
        Ok(id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("market_listing", id.to_string())),
                    format!("{} geplaatst", listing.direction().as_str()),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/buurtmarktplaats/{id}?geplaatst=1")).into_response())
        }
        Err(e) => match refusal(&e) {
            Some(message) => {
                drop(tx);
                listing_form_page(
                    &state,
                    &ctx,
                    &form,
                    FieldErrors::only("_form", message),
                    StatusCode::BAD_REQUEST,
                    None,
                )
                .await
            }
            None => Err(internal(e).into()),
        },
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListingQuery {
    geplaatst: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ListingQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let notice = if q.geplaatst.is_some() {
        "Geplaatst. Hieronder ziet u wat erbij past."
    } else {
        ""
    };
    detail_page(&state, &ctx, id, notice, FieldErrors::new(), StatusCode::OK).await
}

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    notice: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let participant = me(&mut tx, ctx).await?;
    let row = mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let own = participant
        .as_ref()
        .is_some_and(|p| p.id == row.participant_id);
    if row.state == "verborgen" && !own {
        return Err(AppError::NotFound.into());
    }
    let suggestions = if own && row.state == "open" {
        mk::suggestions(&mut tx, &row, 10)
            .await?
            .into_iter()
            .map(|(other, fit)| {
                context! {
                    listing => listing_view(&other),
                    why => fit.reasons.iter().map(|r| r.label()).collect::<Vec<_>>(),
                }
            })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let mut matches = Vec::new();
    for m in mk::matches_on(&mut tx, id).await? {
        let mine = participant
            .as_ref()
            .is_some_and(|p| m.side_of(p.id).is_some());
        if mine {
            matches.push(context! {
                id => m.id, state => MatchState::parse(&m.state).map(|s| s.label()).unwrap_or(""),
            });
        }
    }
    drop(tx);
    let html = render(
        state,
        ctx,
        "market/listing.html",
        &row.title,
        Value::from_serialize(context! {
            listing => listing_view(&row), own => own, joined => participant.is_some(),
            broker => ctx.user()?.user.role == baken_domain::Role::Makelaar,
            suggestions => suggestions, matches => matches, notice => notice, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

/// Answering a listing ("Ik kan helpen" / "Ik doe mee"), or — from one's own
/// listing's suggestions — proposing to the participant of a suggested one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProposeForm {
    /// Set when the owner proposes to a suggested listing.
    aan: String,
}

pub async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ProposeForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let participant = me(&mut tx, &ctx).await?.ok_or(AppError::NotFound)?;
    let row = mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let owner_side = if row.direction() == Direction::Ask {
        Side::Ask
    } else {
        Side::Offer
    };
    let proposal = if form.aan.trim().is_empty() {
        // Answering someone else's listing.
        Proposal {
            listing_id: id,
            responder_id: participant.id,
            via_listing_id: None,
            proposed_by: owner_side.other(),
            made_by_user_id: None,
        }
    } else {
        // The owner proposes their listing to a suggested one's participant.
        if row.participant_id != participant.id {
            return Err(AppError::NotFound.into());
        }
        let other_id = path_id(&form.aan)?;
        let other = mk::listing(&mut tx, other_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Proposal {
            listing_id: id,
            responder_id: other.participant_id,
            via_listing_id: Some(other.id),
            proposed_by: owner_side,
            made_by_user_id: None,
        }
    };
    match mk::propose(&mut tx, &proposal).await {
        Ok(match_id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("market_match", match_id.to_string())),
                    format!("koppeling voorgesteld op {id}"),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/buurtmarktplaats/koppeling/{match_id}")).into_response())
        }
        Err(e) => match refusal(&e) {
            Some(message) => {
                drop(tx);
                detail_page(
                    &state,
                    &ctx,
                    id,
                    "",
                    FieldErrors::only("_form", message),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => Err(internal(e).into()),
        },
    }
}

pub async fn close(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id)?;
    let mut tx = state.db.begin().await?;
    let participant = me(&mut tx, &ctx).await?.ok_or(AppError::NotFound)?;
    let row = mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if row.participant_id != participant.id {
        return Err(AppError::NotFound.into());
    }
    mk::close_listing(&mut tx, id).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("market_listing", id.to_string())),
            "gesloten",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/buurtmarktplaats?opgeslagen=1").into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    reden: String,
    /// A message's id, when a message is reported from a match page.
    bericht: String,
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ReportForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let Ok(reason) = ModerationReason::parse(&form.reden) else {
        return detail_page(
            &state,
            &ctx,
            id,
            "",
            FieldErrors::only("reden", "Schrijf waarom u dit meldt (minstens 5 tekens)."),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let participant = me(&mut tx, &ctx).await?;
    mk::listing(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let report_id = mk::report(
        &mut tx,
        Reported::Listing(id),
        participant.map(|p| p.id),
        &reason,
    )
    .await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("market_report", report_id.to_string())),
            format!("vraag of aanbod {id} gemeld"),
        ),
    )
    .await?;
    tx.commit().await?;
    detail_page(
        &state,
        &ctx,
        id,
        "Dank u. De makelaar bekijkt uw melding.",
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

// ------------------------------------------------------------------ matches

/// A match as one side sees it: the listing, the state, the messages, the
/// buttons this side may use, and the other's contact details once shared.
pub async fn match_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MatchQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    let participant = {
        let mut tx = state.db.read().await?;
        me(&mut tx, &ctx).await?.ok_or(AppError::NotFound)?
    };
    let notice = if q.gemeld.is_some() {
        "Dank u. De makelaar bekijkt uw melding."
    } else {
        ""
    };
    render_match_with(
        &state,
        &ctx,
        id,
        participant.id,
        None,
        notice,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MatchQuery {
    gemeld: Option<String>,
}

/// Reporting a message of the other side to the makelaar, with a reason.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportMessageForm {
    pub bericht: String,
    pub reden: String,
}

pub async fn report_message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<ReportMessageForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let participant = {
        let mut tx = state.db.read().await?;
        me(&mut tx, &ctx).await?.ok_or(AppError::NotFound)?
    };
    match report_message_for(&state, &ctx, id, participant.id, None, &form).await? {
        Some(refused) => Ok(refused),
        None => {
            Ok(Redirect::to(&format!("/buurtmarktplaats/koppeling/{id}?gemeld=1")).into_response())
        }
    }
}

/// Reports a message of the other side of `match_id` for `reporter` (a
/// participant, or — `on_behalf` — the proxy a makelaar acts for): only a
/// shown message of the other side in this match, with a reason, audited.
/// `Some(page)` is the refusal to show (no reason given; nothing written).
pub async fn report_message_for(
    state: &AppState,
    ctx: &Ctx,
    match_id: i64,
    reporter: i64,
    on_behalf: Option<String>,
    form: &ReportMessageForm,
) -> Result<Option<axum::response::Response>, crate::support::error::Failure> {
    let message_id = path_id(&form.bericht)?;
    let mut tx = state.db.begin().await?;
    let m = mk::match_row(&mut tx, match_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if m.side_of(reporter).is_none() {
        return Err(AppError::NotFound.into());
    }
    // Only a shown message of the other side, in this match.
    let found = mk::messages(&mut tx, match_id)
        .await?
        .into_iter()
        .any(|msg| msg.id == message_id && msg.from_participant_id != reporter);
    if !found {
        return Err(AppError::NotFound.into());
    }
    let Ok(reason) = ModerationReason::parse(&form.reden) else {
        drop(tx);
        let page = render_match_with(
            state,
            ctx,
            match_id,
            reporter,
            on_behalf,
            "",
            FieldErrors::only(
                format!("reden-{message_id}"),
                "Schrijf waarom u dit bericht meldt (minstens 5 tekens).",
            ),
            StatusCode::BAD_REQUEST,
        )
        .await?;
        return Ok(Some(page));
    };
    let report_id = mk::report(
        &mut tx,
        Reported::Message(message_id),
        Some(reporter),
        &reason,
    )
    .await?;
    let detail = match on_behalf {
        Some(_) => format!(
            "bericht {message_id} in koppeling {match_id} gemeld namens deelnemer {reporter}"
        ),
        None => format!("bericht {message_id} in koppeling {match_id} gemeld"),
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("market_report", report_id.to_string())),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(None)
}

/// The match page for `viewer` (a participant, or the proxy a makelaar acts for).
pub async fn render_match(
    state: &AppState,
    ctx: &Ctx,
    match_id: i64,
    viewer: i64,
    on_behalf: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    render_match_with(state, ctx, match_id, viewer, on_behalf, "", errors, status).await
}

/// [`render_match`] with a notice at the top ("Dank u…").
#[allow(clippy::too_many_arguments)]
pub async fn render_match_with(
    state: &AppState,
    ctx: &Ctx,
    match_id: i64,
    viewer: i64,
    on_behalf: Option<String>,
    notice: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let m = mk::match_row(&mut tx, match_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(side) = m.side_of(viewer) else {
        return Err(AppError::NotFound.into());
    };
    let domain = m.to_domain()?;
    let listing = mk::listing(&mut tx, m.listing_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let other_id = m.participant_on(side.other());
    let other_name = mk::public_name(&mut tx, other_id)
        .await?
        .unwrap_or_else(|| "Uw buur".to_owned());
    let contact = if domain.contact_visible() {
        let entry = ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            None,
            "contactgegevens na wederzijdse toestemming",
        );
        mk::contact_of_other(&mut tx, match_id, viewer, &entry)
            .await
            .map_err(internal)?
    } else {
        None
    };
    let messages = mk::messages(&mut tx, match_id).await?;
    tx.commit().await?;
    let action = if on_behalf.is_some() {
        format!("/makelaar/koppeling/{match_id}")
    } else {
        format!("/buurtmarktplaats/koppeling/{match_id}")
    };
    let html = render(
        state,
        ctx,
        "market/match.html",
        "Koppeling",
        Value::from_serialize(context! {
            id => match_id,
            listing => listing_view(&listing),
            state => domain.state().label(),
            other => other_name,
            may_accept => domain.state() == MatchState::Proposed && domain.proposed_by() != side,
            waiting_for_other => domain.state() == MatchState::Proposed && domain.proposed_by() == side,
            may_share => domain.state() == MatchState::Accepted && !domain.agrees(side),
            i_agreed => domain.agrees(side) && !domain.contact_visible(),
            may_message => domain.may_message(),
            may_close => domain.may_message(),
            contact => contact.map(|c| context! {
                via_makelaar => c.email.is_none() && c.phone.is_none(),
                email => c.email, phone => c.phone,
            }),
            shared => domain.contact_visible(),
            notice => notice,
            messages => messages.iter().map(|msg| context! {
                id => msg.id,
                mine => msg.from_participant_id == viewer,
                body => msg.body.clone(),
                at => nl_local(msg.sent_at).format("%d-%m-%Y %H:%M").to_string(),
            }).collect::<Vec<_>>(),
            action => action, on_behalf => on_behalf, on_behalf_id => viewer, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MatchForm {
    pub actie: String,
    pub bericht: String,
}

pub async fn match_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<MatchForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let participant = {
        let mut tx = state.db.read().await?;
        me(&mut tx, &ctx).await?.ok_or(AppError::NotFound)?
    };
    act_on_match(&state, &ctx, id, participant.id, None, &form).await
}

/// One step on a match for `actor` (a participant, or the proxy a makelaar acts for).
pub async fn act_on_match(
    state: &AppState,
    ctx: &Ctx,
    match_id: i64,
    actor: i64,
    on_behalf: Option<String>,
    form: &MatchForm,
) -> PageResult {
    let mut tx = state.db.begin().await?;
    let m = mk::match_row(&mut tx, match_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(side) = m.side_of(actor) else {
        return Err(AppError::NotFound.into());
    };
    let body = form.bericht.trim();
    let result = match form.actie.as_str() {
        "accepteren" => mk::accept(&mut tx, match_id, side)
            .await
            .map(|_| "geaccepteerd"),
        "afwijzen" => mk::decline(&mut tx, match_id, side)
            .await
            .map(|_| "afgewezen"),
        "delen" => mk::agree_to_share(&mut tx, match_id, side)
            .await
            .map(|_| "toestemming contactgegevens delen"),
        "sluiten" => mk::close_match(&mut tx, match_id)
            .await
            .map(|_| "afgesloten"),
        "bericht" if body.is_empty() || body.chars().count() > 2000 => {
            drop(tx);
            return render_match(
                state,
                ctx,
                match_id,
                actor,
                on_behalf,
                FieldErrors::only("bericht", "Schrijf een bericht (hoogstens 2000 tekens)."),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        "bericht" => mk::send_message(&mut tx, match_id, actor, body)
            .await
            .map(|_| "bericht verstuurd"),
        _ => {
            drop(tx);
            return render_match(
                state,
                ctx,
                match_id,
                actor,
                on_behalf,
                FieldErrors::only("_form", "Kies wat u wilt doen."),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    match result {
        Ok(what) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("market_match", match_id.to_string())),
                    match &on_behalf {
                        Some(name) => format!("{what} namens {name}"),
                        None => what.to_owned(),
                    },
                ),
            )
            .await?;
            tx.commit().await?;
            let back = if on_behalf.is_some() {
                format!("/makelaar/koppeling/{match_id}?namens={actor}")
            } else {
                format!("/buurtmarktplaats/koppeling/{match_id}")
            };
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => match refusal(&e) {
            Some(message) => {
                drop(tx);
                render_match(
                    state,
                    ctx,
                    match_id,
                    actor,
                    on_behalf,
                    FieldErrors::only("_form", message),
                    StatusCode::CONFLICT,
                )
                .await
            }
            None => Err(internal(e).into()),
        },
    }
}
