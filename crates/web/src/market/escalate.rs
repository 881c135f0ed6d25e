//! An ask "te groot voor de buurtmarktplaats": the makelaar turns it, with the
//! participant's consent, into a signal for the wijkteam of its district — the
//! casework signal flow (it lands in the team's triage like any other signal)
//! — and the ask closes. Rules in `baken_domain::market::bridge`.

use super::common::{internal, listing_view};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::casework::signal::SignalCategory;
use baken_domain::market::bridge::{self, BridgeError};
use baken_domain::market::{ConsentWay, Direction, PhoneNumber, SignalText};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::market::{self as mk, Escalation, MarketError};
use baken_store::{audit, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

/// The form, one field per control.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EscalationForm {
    categorie: String,
    beschrijving: String,
    telefoon: String,
    toestemming: String,
}

pub async fn form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = path_id(&id)?;
    page(&state, &ctx, id, None, FieldErrors::new(), StatusCode::OK).await
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: Option<&EscalationForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let row = mk::listing(&mut tx, id)
        .await?
        .filter(|l| l.direction() == Direction::Ask)
        .ok_or(AppError::NotFound)?;
    let signal = mk::escalation_of(&mut tx, id).await?;
    drop(tx);
    let form = form.cloned().unwrap_or_else(|| EscalationForm {
        categorie: SignalCategory::Overig.as_str().to_owned(),
        beschrijving: format!("{}. {}", row.title, row.body),
        ..EscalationForm::default()
    });
    let html = render(
        state,
        ctx,
        "market/escalate.html",
        "Doorzetten naar het wijkteam",
        Value::from_serialize(context! {
            listing => listing_view(&row), open => row.state == "open", signal => signal,
            form => form, errors => errors,
            categories => SignalCategory::ALL.iter().filter(|c| c.is_public())
                .map(|c| context! { value => c.as_str(), label => c.label() }).collect::<Vec<_>>(),
            consents => ConsentWay::ALL.iter()
                .map(|c| context! { value => c.as_str(), label => c.label() }).collect::<Vec<_>>(),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<EscalationForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let makelaar = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let category = SignalCategory::parse(&form.categorie)
        .ok()
        .filter(|c| c.is_public());
    if category.is_none() {
        errors.add("categorie", "Kies waar de vraag over gaat.");
    }
    let text = SignalText::parse(&form.beschrijving)
        .map_err(|_| {
            errors.add(
                "beschrijving",
                "Beschrijf voor het wijkteam wat er nodig is (10 tot 2000 tekens).",
            )
        })
        .ok();
    let phone = if form.telefoon.trim().is_empty() {
        Some(None)
    } else {
        PhoneNumber::parse(&form.telefoon)
            .map(|p| Some(p.as_str().to_owned()))
            .map_err(|_| {
                errors.add(
                    "telefoon",
                    "Vul een telefoonnummer in zoals 06 12345678, of laat het leeg.",
                )
            })
            .ok()
    };
    let consent = bridge::consent(Some(&form.toestemming))
        .map_err(|_| {
            errors.add(
                "toestemming",
                "Zonder toestemming van de deelnemer gaat de vraag niet naar het wijkteam. Kies hoe de deelnemer toestemming gaf.",
            )
        })
        .ok();
    let (Some(category), Some(text), Some(phone), Some(consent)) = (category, text, phone, consent)
    else {
        return page(
            &state,
            &ctx,
            id,
            Some(&form),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let result = mk::escalate(
        &mut tx,
        &Escalation {
            listing_id: id,
            category,
            text: &text,
            consent,
            callback_phone: phone,
            by_user_id: makelaar,
            today: today(),
        },
    )
    .await;
    let signal = match result {
        Ok(signal) => signal,
        Err(MarketError::Store(StoreError::NotFound(_))) => return Err(AppError::NotFound.into()),
        Err(MarketError::Bridge(e)) => {
            drop(tx);
            let message = match e {
                BridgeError::AlreadySignalled => "Deze vraag is al doorgezet naar het wijkteam.",
                BridgeError::NotOpen => "Deze vraag is niet meer open.",
                _ => "Alleen een vraag kan naar het wijkteam.",
            };
            return page(
                &state,
                &ctx,
                id,
                Some(&form),
                FieldErrors::only("_form", message),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(internal(e).into()),
    };
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Create,
            AuditOutcome::Success,
            Some(("signal", signal.to_string())),
            format!(
                "vraag {id} van de buurtmarktplaats doorgezet naar het wijkteam, met toestemming ({})",
                consent.as_str()
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/makelaar/vragen/{id}/wijkteam")).into_response())
}
