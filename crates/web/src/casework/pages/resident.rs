//! `/mijn-plan`: the resident's own plan in plain words, and how it is going.

use crate::casework::common::internal;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::{timeline_for, Viewer};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::casework::{self as cw};
use baken_store::timeline;
use baken_store::{audit, Tx};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// Which agreements of a plan a reader sees.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shown<'a> {
    /// The resident: every running agreement.
    All,
    /// A provider: only these (the ones its consents cover), and only the
    /// goals they serve.
    Only(&'a [i64]),
}

/// A plan in plain language, for the resident or a provider.
pub(crate) async fn plain_plan(tx: &mut Tx, hh: i64, shown: Shown<'_>) -> Result<Value, AppError> {
    let case = cw::load_case(tx, hh).await.map_err(internal)?;
    let Some(p) = case.open_plan().or(case.plans().last()) else {
        return Ok(Value::from(()));
    };
    let progress = match shown {
        Shown::All => cw::progress(tx, p.id()).await.map_err(internal)?,
        Shown::Only(_) => Vec::new(),
    };
    // Step-2 agreements that refer to a match on the buurtmarktplaats.
    let market_links = baken_store::market::agreement_links(tx, hh).await?;
    let visible = |id: i64| match shown {
        Shown::All => true,
        Shown::Only(ids) => ids.contains(&id),
    };
    let goals: Vec<Value> = p
        .goals()
        .iter()
        .filter(|g| {
            matches!(shown, Shown::All)
                || p.agreements()
                    .iter()
                    .any(|a| a.terms().goal_id == g.id() && visible(a.id()))
        })
        .map(|g| {
            let agreements: Vec<Value> = p
                .agreements()
                .iter()
                .filter(|a| a.terms().goal_id == g.id() && a.is_running() && visible(a.id()))
                .map(|a| {
                    let t = a.terms();
                    Value::from_serialize(context! {
                        id => a.id(), who => t.actor_name, what => t.description, how_often => t.frequency,
                        until => t.end_date.map(nl_date), own => t.own_contribution,
                        market => market_links.iter().find(|(id, _)| *id == a.id()).map(|(_, title)| title.clone()),
                    })
                })
                .collect();
            Value::from_serialize(context! {
                description => g.description(), measure => g.measure(), by => nl_date(g.target_date()), domain => g.domain().label(),
                outcome => g.result().map(|r| format!("{}{}", r.outcome.label(), if r.note.is_empty() { String::new() } else { format!(": {}", r.note) })),
                agreements => agreements,
            })
        })
        .collect();
    let coordinator = cw::coordinator(tx, hh)
        .await
        .map_err(internal)?
        .map(|c| c.1);
    // The resident sees when the contact person changed, not the team's reason.
    let hand_over = cw::hand_overs(tx, hh)
        .await
        .map_err(internal)?
        .into_iter()
        .next()
        .map(|h| (nl_date(h.handed_over_on), h.from_name));
    let progress: Vec<(String, String)> = progress
        .into_iter()
        .map(|p| {
            (
                crate::support::time::nl_local(p.at)
                    .format("%d-%m-%Y")
                    .to_string(),
                p.note,
            )
        })
        .collect();
    // What the resident does themself, once (not under every agreement).
    let mut own_contributions: Vec<String> = Vec::new();
    for a in p
        .agreements()
        .iter()
        .filter(|a| a.is_running() && visible(a.id()))
    {
        let own = a.terms().own_contribution.trim();
        if !own.is_empty() && !own_contributions.iter().any(|o| o == own) {
            own_contributions.push(own.to_owned());
        }
    }
    Ok(Value::from_serialize(context! {
        id => p.id(), open => p.is_open(), goals => goals, coordinator => coordinator,
        hand_over => hand_over, progress => progress, own_contributions => own_contributions,
        next_evaluation => p.next_evaluation().map(nl_date),
    }))
}

async fn own_plan_page(
    state: &AppState,
    ctx: &Ctx,
    errors: &FieldErrors,
    form: Value,
    status: StatusCode,
) -> PageResult {
    let user = ctx.user()?.clone();
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let plan = plain_plan(&mut tx, hh, Shown::All).await?;
    let team = baken_store::areas::team_contact_of_household(&mut tx, hh).await?;
    let events = timeline::timeline(&mut tx, hh).await.map_err(internal)?;
    let consents = timeline::consent_grants(&mut tx, hh)
        .await
        .map_err(internal)?;
    // Asks and offers the contact person pointed the household to.
    let pointers = baken_store::market::pointers_of(&mut tx, hh).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Read,
            AuditOutcome::Success,
            Some(("household", hh.to_string())),
            "eigen plan",
        ),
    )
    .await?;
    tx.commit().await?;
    // The resident sees that a contact took place and when, never the note.
    let contacts: Vec<(String, String)> = timeline_for(&events, Viewer::Resident)
        .into_iter()
        .map(|e| (nl_date(e.on), e.title))
        .collect();
    let day = today();
    let consents: Vec<Value> = consents
        .into_iter()
        .map(|c| {
            Value::from_serialize(context! {
                id => c.id, organisation => c.organisation, purpose => c.purpose_text,
                until => nl_date(c.until), holds => c.holds_on(day),
                withdrawn => c.withdrawn_at.map(|at| crate::support::time::nl_local(at).format("%d-%m-%Y").to_string()),
            })
        })
        .collect();
    let html = render(
        state,
        ctx,
        "casework/own_plan.html",
        "Mijn plan",
        Value::from_serialize(context! {
            plan => plan, errors => errors, form => form,
            contacts => contacts, consents => consents,
            pointers => pointers.iter().filter(|p| p.state == "open").map(|p| context! {
                listing => p.listing_id, title => p.title.clone(), note => p.note.clone(),
            }).collect::<Vec<_>>(),
            team => team.map(|(name, phone, email)| context! {
                name => name,
                tel => phone.as_deref().and_then(|p| baken_domain::PhoneNumber::parse(p).ok()).map(|p| p.tel_uri()),
                phone => phone, email => email,
            }),
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct OwnPlanQuery {
    /// Set after a note was added: the page thanks the resident.
    #[serde(default)]
    opgeslagen: Option<String>,
    /// Set after a consent was withdrawn: the page says so.
    #[serde(default)]
    ingetrokken: Option<String>,
}

pub async fn own_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<OwnPlanQuery>,
) -> PageResult {
    let form = match (query.opgeslagen, query.ingetrokken) {
        (Some(_), _) => context! { _saved => "ja" },
        (None, Some(_)) => context! { _withdrawn => "ja" },
        (None, None) => context! {},
    };
    own_plan_page(&state, &ctx, &FieldErrors::new(), form, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ProgressForm {
    /// How it is going, in the resident's own words.
    #[serde(default)]
    voortgang: String,
}

pub async fn own_progress_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<ProgressForm>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let case = cw::load_case(&mut tx, hh).await.map_err(internal)?;
    let Some(plan) = case.open_plan().map(|p| p.id()) else {
        drop(tx);
        let mut errors = FieldErrors::new();
        errors.add("voortgang", "U hebt op dit moment geen open plan.");
        let typed = Value::from_serialize(&form);
        return own_plan_page(&state, &ctx, &errors, typed, StatusCode::BAD_REQUEST).await;
    };
    match cw::add_progress(&mut tx, plan, user.user.id, form.voortgang.trim()).await {
        Ok(_) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("household", hh.to_string())),
                    "eigen voortgang toegevoegd",
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/mijn-plan?opgeslagen=ja").into_response())
        }
        Err(_) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.add(
                "voortgang",
                "Schrijf in een paar zinnen hoe het gaat (hooguit 2000 tekens).",
            );
            let typed = Value::from_serialize(&form);
            own_plan_page(&state, &ctx, &errors, typed, StatusCode::BAD_REQUEST).await
        }
    }
}

/// `POST /mijn-plan/toestemming/{consent}/intrekken`: the resident withdraws
/// a consent. The provider's sight of the household ends at once. A consent
/// of another household, or one already withdrawn, is "not found" (audited).
pub async fn own_withdraw_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(consent): Path<String>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let hh = user.user.household_id.ok_or(AppError::NotFound)?;
    let consent = crate::support::form::path_id(&consent)?;
    let mut tx = state.db.begin().await?;
    let withdrawn = timeline::withdraw_consent(
        &mut tx,
        hh,
        consent,
        user.user.id,
        "ingetrokken door de bewoner",
    )
    .await
    .map_err(internal)?;
    let (outcome, detail) = if withdrawn {
        (
            AuditOutcome::Success,
            format!("toestemming {consent} ingetrokken door de bewoner"),
        )
    } else {
        (
            AuditOutcome::NotFound,
            format!("toestemming {consent} niet gevonden of al ingetrokken"),
        )
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            outcome,
            Some(("household", hh.to_string())),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    if !withdrawn {
        return Err(AppError::NotFound.into());
    }
    Ok(Redirect::to("/mijn-plan?ingetrokken=ja").into_response())
}
