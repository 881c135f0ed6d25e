//! Reporting a signal: the public "Zorg om iemand in uw buurt?" page and partners' form.

use super::shared::{choices, norms_context, Errors};
use crate::casework::change;
use crate::casework::common::{current_norms, explain, field, form_map, FormMap};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{parse_date, today};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Form;
use baken_domain::casework::{SignalCategory, Urgency};
use baken_domain::{
    Addition, AuditAction, AuditOutcome, HouseLetter, HouseNumber, Permission, Postcode,
};
use baken_store::audit;
use baken_store::casework::{self as cw, CaseError, NewSignal};
use minijinja::{context, Value};

/// Parses a signal form; errors keyed by field. Only the social team may give
/// the day a signal came in (by phone, by letter); everyone else reports today.
fn parse_signal(
    f: &FormMap,
    source: Option<&str>,
    reported_by: Option<i64>,
    may_backdate: bool,
    day: chrono::NaiveDate,
) -> Result<NewSignal, Errors> {
    let mut errors = Errors::new();
    let postcode = Postcode::parse(field(f, "postcode"))
        .map_err(|_| {
            errors.insert(
                "postcode".into(),
                "Vul een postcode in zoals 1234 AB.".into(),
            )
        })
        .ok();
    let number = HouseNumber::parse(field(f, "huisnummer"))
        .map_err(|_| {
            errors.insert(
                "huisnummer".into(),
                "Vul het huisnummer in (alleen cijfers).".into(),
            )
        })
        .ok();
    let letter = HouseLetter::parse_optional(field(f, "huisletter"))
        .map_err(|_| {
            errors.insert(
                "huisletter".into(),
                "Een huisletter is één letter, zoals A. Laat het leeg als er geen is.".into(),
            )
        })
        .ok();
    let addition = Addition::parse_optional(field(f, "toevoeging"))
        .map_err(|_| {
            errors.insert(
                "toevoeging".into(),
                "Een toevoeging is hooguit 4 letters of cijfers, zoals 2 of bis.".into(),
            )
        })
        .ok();
    let category = SignalCategory::parse(field(f, "categorie"))
        .map_err(|_| errors.insert("categorie".into(), "Kies waar de zorg over gaat.".into()))
        .ok();
    let urgency = Urgency::parse(field(f, "urgentie"))
        .map_err(|_| errors.insert("urgentie".into(), "Kies hoe dringend het is.".into()))
        .ok();
    let description = baken_domain::casework::signal::parse_description(field(f, "omschrijving"))
        .map_err(|_| {
            errors.insert(
                "omschrijving".into(),
                "Beschrijf uw zorg in een paar zinnen (hooguit 4000 tekens).".into(),
            )
        })
        .ok();
    let source = baken_domain::casework::signal::parse_source(source.unwrap_or(field(f, "bron")))
        .map_err(|_| {
            errors.insert(
                "bron".into(),
                "Vul in namens wie u meldt, bijvoorbeeld uw organisatie.".into(),
            )
        })
        .ok();
    let reported_on = match field(f, "ontvangen_op") {
        "" => Some(day),
        _ if !may_backdate => Some(day),
        s => match parse_date(s) {
            None => {
                errors.insert(
                    "ontvangen_op".into(),
                    "Vul een datum in, bijvoorbeeld 01-02-2026.".into(),
                );
                None
            }
            Some(d) => match baken_domain::casework::signal::check_reported(d, day) {
                Ok(()) => Some(d),
                Err(e) => {
                    let msg = explain(&CaseError::Signal(e))
                        .map(|e| e.1)
                        .unwrap_or_default();
                    errors.insert("ontvangen_op".into(), msg);
                    None
                }
            },
        },
    };
    match (
        postcode,
        number,
        letter,
        addition,
        category,
        urgency,
        description,
        source,
        reported_on,
    ) {
        (Some(p), Some(n), Some(l), Some(a), Some(c), Some(u), Some(d), Some(s), Some(on))
            if errors.is_empty() =>
        {
            Ok(NewSignal {
                reported_on: on,
                category: c,
                urgency: u,
                description: d,
                source: s,
                reported_by,
                postcode: p.to_string(),
                house_number: i64::from(n.value()),
                house_letter: l.map(|l| l.as_char().to_string()).unwrap_or_default(),
                addition: a.map(|a| a.as_str().to_owned()).unwrap_or_default(),
            })
        }
        _ => Err(errors),
    }
}

#[allow(clippy::too_many_arguments)]
async fn signal_form_page(
    state: &AppState,
    ctx: &Ctx,
    public: bool,
    errors: &Errors,
    form: &FormMap,
    done: bool,
    status: StatusCode,
) -> PageResult {
    let title = if public {
        "Zorg om iemand in uw buurt?"
    } else {
        "Zorg melden"
    };
    let mut tx = state.db.read().await?;
    let (norms, _) = current_norms(&mut tx).await?;
    drop(tx);
    let backdate = ctx
        .user
        .as_ref()
        .is_some_and(|u| u.role().may(Permission::Casework));
    let html = render(
        state,
        ctx,
        "casework/signal_form.html",
        title,
        Value::from_serialize(context! {
            public => public, errors => errors, form => form, done => done, choices => choices(),
            action => if public { "/zorgmelding" } else { "/signalen/nieuw" },
            norms => norms_context(&norms), backdate => backdate, today => today().to_string(),
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn public_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(
        &state,
        &ctx,
        true,
        &Errors::new(),
        &FormMap::new(),
        false,
        StatusCode::OK,
    )
    .await
}

/// At most this many public reports per client address per hour.
pub const PUBLIC_REPORTS_PER_HOUR: i64 = 5;

/// Whether this client address may report on the public page again; a refusal
/// is audited. Reports are counted by their audit entries, so the count and
/// the report need not share a transaction.
async fn public_report_allowed(state: &AppState, ctx: &Ctx) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await?;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let reports = cw::public_reports_since(&mut tx, &ctx.route, &ctx.client, since).await?;
    if reports < PUBLIC_REPORTS_PER_HOUR {
        return Ok(true);
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Access,
            AuditOutcome::Denied,
            None,
            "te veel meldingen vanaf dit adres",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(false)
}

pub async fn public_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = form_map(pairs);
    if !public_report_allowed(&state, &ctx).await? {
        let mut errors = Errors::new();
        errors.insert("_form".into(), "U hebt het afgelopen uur al een aantal meldingen gedaan. Probeer het later opnieuw, of bel de gemeente.".into());
        return signal_form_page(
            &state,
            &ctx,
            true,
            &errors,
            &f,
            false,
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    match parse_signal(&f, Some("Buurtbewoner (zorgmelding)"), None, false, today()) {
        Err(errors) => {
            signal_form_page(
                &state,
                &ctx,
                true,
                &errors,
                &f,
                false,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Ok(s) => {
            change::create_signal(&state, &ctx, &s).await?;
            // Nothing of what was reported is shown back.
            signal_form_page(
                &state,
                &ctx,
                true,
                &Errors::new(),
                &FormMap::new(),
                true,
                StatusCode::OK,
            )
            .await
        }
    }
}

pub async fn report_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    signal_form_page(
        &state,
        &ctx,
        false,
        &Errors::new(),
        &FormMap::new(),
        false,
        StatusCode::OK,
    )
    .await
}

pub async fn report_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let user = ctx.user()?.clone();
    let f = form_map(pairs);
    let may_backdate = user.role().may(Permission::Casework);
    match parse_signal(&f, None, Some(user.user.id), may_backdate, today()) {
        Err(errors) => {
            signal_form_page(
                &state,
                &ctx,
                false,
                &errors,
                &f,
                false,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Ok(s) => {
            change::create_signal(&state, &ctx, &s).await?;
            signal_form_page(
                &state,
                &ctx,
                false,
                &Errors::new(),
                &FormMap::new(),
                true,
                StatusCode::OK,
            )
            .await
        }
    }
}
