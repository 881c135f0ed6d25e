//! Vacancies for volunteers: an aanbieder posts them for its own organisation,
//! the ServicePunt consultant (makelaar) for any provider; each may be linked
//! to a service on the social map that takes volunteers, and says whether a
//! VOG is needed. Closing and reopening one; a provider only its own.

use super::volunteer::internal;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::volunteering::{parse_text, parse_title};
use baken_domain::{AuditAction, Role};
use baken_store::areas;
use baken_store::volunteers::{self as vw, NewVacancy};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VacancyForm {
    titel: String,
    omschrijving: String,
    aanbieder: String,
    voorziening: String,
    wijk: String,
    vog: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OpenForm {
    open: String,
}

/// Whose vacancies the user keeps: an aanbieder its own provider's, a
/// makelaar every provider's (`None`).
fn own_provider(ctx: &Ctx) -> Result<Option<i64>, AppError> {
    let user = &ctx.user()?.user;
    match user.role {
        Role::Aanbieder => user.provider_id.map(Some).ok_or(AppError::Forbidden),
        _ => Ok(None),
    }
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = if q.opgeslagen.is_some() {
        "De vacature is opgeslagen."
    } else {
        ""
    };
    show(
        &state,
        &ctx,
        &VacancyForm::default(),
        saved,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    form: &VacancyForm,
    saved: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let provider = own_provider(ctx)?;
    let mut tx = state.db.read().await?;
    let vacancies = vw::vacancies(&mut tx, false, provider).await?;
    let services = vw::volunteer_services(&mut tx, provider).await?;
    let providers = match provider {
        Some(_) => Vec::new(),
        None => areas::providers(&mut tx).await?,
    };
    let districts = areas::districts(&mut tx).await?;
    drop(tx);
    let html = render(
        state,
        ctx,
        "volunteers/vacancies.html",
        "Vacatures voor vrijwilligers",
        Value::from_serialize(context! {
            choose_provider => provider.is_none(),
            providers => providers.iter().map(|p| context! { value => p.id.to_string(), label => p.name.clone() }).collect::<Vec<_>>(),
            services => services.iter().map(|(id, _, name)| context! { value => id.to_string(), label => name.clone() }).collect::<Vec<_>>(),
            districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
            vacancies => vacancies.iter().map(|v| context! {
                id => v.id, title => v.title.clone(), provider => v.provider_name.clone(),
                service => v.service_name.clone(), vog_required => v.vog_required,
                open => v.open, waiting => v.waiting,
            }).collect::<Vec<_>>(),
            form => form, saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    HtmlForm(form): HtmlForm<VacancyForm>,
) -> PageResult {
    let own = own_provider(&ctx)?;
    let user = ctx.user()?.user.id;
    let mut errors = FieldErrors::new();
    let title = parse_title(&form.titel)
        .map_err(|_| errors.add("titel", "Geef de vacature een titel van 3 tot 100 tekens."))
        .ok();
    let body = parse_text(&form.omschrijving)
        .ok()
        .filter(|b| b.chars().count() >= 10);
    if body.is_none() {
        errors.add(
            "omschrijving",
            "Beschrijf het werk in 10 tot 2000 tekens: wat, wanneer en voor wie.",
        );
    }
    let mut tx = state.db.begin().await?;
    let provider = match own {
        Some(p) => Some(p),
        None => {
            let providers = areas::providers(&mut tx).await?;
            let chosen = form
                .aanbieder
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| providers.iter().any(|p| p.id == *id));
            if chosen.is_none() {
                errors.add("aanbieder", "Kies de organisatie van de vacature.");
            }
            chosen
        }
    };
    let services = vw::volunteer_services(&mut tx, provider).await?;
    let service = match form.voorziening.trim() {
        "" => Some(None),
        raw => match raw
            .parse::<i64>()
            .ok()
            .and_then(|id| services.iter().find(|s| s.0 == id))
        {
            Some(s) => Some(Some(s.0)),
            None => {
                errors.add(
                    "voorziening",
                    "Kies een voorziening van deze organisatie, of geen.",
                );
                None
            }
        },
    };
    let districts = areas::districts(&mut tx).await?;
    let district = match form.wijk.trim() {
        "" => Some(None),
        code if districts.iter().any(|d| d.code == code) => Some(Some(code.to_owned())),
        _ => {
            errors.add("wijk", "Kies een wijk uit de lijst, of de hele gemeente.");
            None
        }
    };
    let (Some(title), Some(body), Some(provider), Some(service), Some(district)) =
        (title, body, provider, service, district)
    else {
        drop(tx);
        return show(&state, &ctx, &form, "", errors, StatusCode::BAD_REQUEST).await;
    };
    let id = vw::create_vacancy(
        &mut tx,
        &NewVacancy {
            provider_id: provider,
            service_id: service,
            title: &title,
            body: &body,
            district_code: district.as_deref(),
            vog_required: form.vog.is_some(),
            created_by: user,
        },
    )
    .await?;
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Create,
        ("volunteer_vacancy", id.to_string()),
        format!("vacature voor aanbieder {provider}"),
    )
    .await?;
    Ok(Redirect::to("/vacatures?opgeslagen=1").into_response())
}

pub async fn set_open(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<OpenForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let own = own_provider(&ctx)?;
    let open = match form.open.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return show(
                &state,
                &ctx,
                &VacancyForm::default(),
                "",
                FieldErrors::only("_form", "Kies of de vacature open of dicht gaat."),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    if !vw::set_vacancy_open(&mut tx, id, own, open)
        .await
        .map_err(|e| internal(e.into()))?
    {
        return Err(AppError::NotFound.into());
    }
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("volunteer_vacancy", id.to_string()),
        if open { "heropend" } else { "gesloten" }.into(),
    )
    .await?;
    Ok(Redirect::to("/vacatures?opgeslagen=1").into_response())
}
