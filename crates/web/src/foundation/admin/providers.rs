//! Beheer of providers (the organisations on the social map and in plans): the
//! list, a new provider, and renaming one or changing its sector. Services stay
//! with the provider, accounts stay linked; the social map and the HSDS export
//! show the new name at once (one table holds it).

use crate::support::audit::refuse_stale;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{form_version, FieldErrors, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::provider::{DetailsError, ProviderNameError};
use baken_domain::{AuditAction, AuditOutcome, ProviderDetails, ProviderName, ProviderSector};
use baken_store::{areas, audit, kaart, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default)]
pub struct ProviderForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    omschrijving: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    versie: String,
}

const NAME_TAKEN: &str = "Er is al een aanbieder met deze naam.";

#[derive(Serialize)]
struct SectorView {
    code: &'static str,
    label: &'static str,
}

fn sectors() -> Vec<SectorView> {
    ProviderSector::ALL
        .into_iter()
        .map(|s| SectorView {
            code: s.as_str(),
            label: s.label(),
        })
        .collect()
}

fn sector_label(code: &str) -> String {
    ProviderSector::parse(code)
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| code.to_owned())
}

/// A provider as the form describes it, every field checked.
struct ProviderInput {
    name: ProviderName,
    sector: ProviderSector,
    details: ProviderDetails,
}

impl TryFrom<&ProviderForm> for ProviderInput {
    type Error = FieldErrors;

    fn try_from(form: &ProviderForm) -> Result<ProviderInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = ProviderName::parse(&form.naam)
            .map_err(|e| {
                let message = match e {
                    ProviderNameError::Length => format!(
                        "Vul een naam in van {} tot {} tekens.",
                        ProviderName::MIN,
                        ProviderName::MAX
                    ),
                    ProviderNameError::Control => {
                        "De naam mag geen regeleinde, tab of onzichtbaar teken bevatten.".into()
                    }
                };
                errors.add("naam", message);
            })
            .ok();
        let sector = ProviderSector::parse(&form.sector)
            .map_err(|_| errors.add("sector", "Kies een sector uit de lijst."))
            .ok();
        let details = ProviderDetails::parse(&form.omschrijving, &form.website, &form.email)
            .map_err(|problems| {
                for p in problems {
                    let text = match p {
                        DetailsError::DescriptionLength(_) => format!(
                            "Maak de omschrijving korter: hoogstens {} tekens.",
                            ProviderDetails::MAX_DESCRIPTION
                        ),
                        DetailsError::DescriptionControl => {
                            "De omschrijving mag geen onzichtbare tekens bevatten.".into()
                        }
                        DetailsError::Website(_) => {
                            "Vul een webadres in, zoals www.voorbeeld.nl.".into()
                        }
                        DetailsError::Email(_) => {
                            "Vul een geldig e-mailadres in, zoals info@voorbeeld.nl.".into()
                        }
                    };
                    errors.add(p.field(), text);
                }
            })
            .ok();
        match (name, sector, details) {
            (Some(name), Some(sector), Some(details)) => errors.or_ok(ProviderInput {
                name,
                sector,
                details,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Serialize)]
struct ProviderView {
    id: i64,
    name: String,
    sector: String,
    services: i64,
    accounts: i64,
}

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    form: ProviderForm,
    errors: FieldErrors,
    saved: &str,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let rows = areas::providers_overview(&mut tx).await?;
    drop(tx);
    let providers: Vec<ProviderView> = rows
        .into_iter()
        .map(|p| ProviderView {
            id: p.id,
            sector: sector_label(&p.kind),
            name: p.name,
            services: p.services,
            accounts: p.accounts,
        })
        .collect();
    let html = render(
        state,
        ctx,
        "foundation/admin/providers.html",
        "Aanbieders",
        Value::from_serialize(context! {
            providers => providers, sectors => sectors(), form => form, errors => errors, saved => saved,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = match q.opgeslagen.as_deref() {
        Some("gewijzigd") => "De wijzigingen in de aanbieder zijn opgeslagen.",
        Some("1") => "De aanbieder is toegevoegd.",
        _ => "",
    };
    list_page(
        &state,
        &ctx,
        ProviderForm::default(),
        FieldErrors::new(),
        saved,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ProviderForm>,
) -> PageResult {
    let ProviderInput {
        name,
        sector,
        details,
    } = match ProviderInput::try_from(&form) {
        Ok(input) => input,
        Err(errors) => {
            return list_page(&state, &ctx, form, errors, "", StatusCode::BAD_REQUEST).await
        }
    };
    let mut tx = state.db.begin().await?;
    if areas::provider_name_taken(&mut tx, name.as_str(), None).await? {
        tx.rollback().await?;
        let errors = FieldErrors::only("naam", NAME_TAKEN);
        return list_page(&state, &ctx, form, errors, "", StatusCode::BAD_REQUEST).await;
    }
    match areas::create_provider(&mut tx, name.as_str(), sector.as_str()).await {
        Ok(id) => {
            kaart::set_organization_details(&mut tx, id, &details).await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("provider", id.to_string())),
                    format!("{} ({sector})", name.as_str()),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/aanbieders?opgeslagen=1").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            let errors = FieldErrors::only("naam", NAME_TAKEN);
            list_page(&state, &ctx, form, errors, "", StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The provider with its counts of services and accounts, or 404.
async fn load(state: &AppState, id: &str) -> Result<areas::ProviderRow, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let p = areas::provider_overview(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(tx);
    Ok(p)
}

fn form_page(
    state: &AppState,
    ctx: &Ctx,
    provider: &areas::ProviderRow,
    form: ProviderForm,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let html = render(
        state,
        ctx,
        "foundation/admin/provider_form.html",
        "Aanbieder wijzigen",
        Value::from_serialize(context! {
            provider => provider, sectors => sectors(), form => form, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let p = load(&state, &id).await?;
    let mut tx = state.db.read().await?;
    let (omschrijving, website, email) = kaart::organization_details(&mut tx, p.id).await?;
    drop(tx);
    let form = ProviderForm {
        naam: p.name.clone(),
        sector: p.kind.clone(),
        omschrijving,
        website,
        email,
        versie: p.version.to_string(),
    };
    form_page(&state, &ctx, &p, form, FieldErrors::new(), StatusCode::OK)
}

pub async fn edit_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<ProviderForm>,
) -> PageResult {
    let p = load(&state, &id).await?;
    let version = form_version(&form.versie)?;
    let ProviderInput {
        name,
        sector,
        details,
    } = match ProviderInput::try_from(&form) {
        Ok(input) => input,
        Err(errors) => return form_page(&state, &ctx, &p, form, errors, StatusCode::BAD_REQUEST),
    };
    let mut tx = state.db.begin().await?;
    if areas::provider_name_taken(&mut tx, name.as_str(), Some(p.id)).await? {
        tx.rollback().await?;
        let errors = FieldErrors::only("naam", NAME_TAKEN);
        return form_page(&state, &ctx, &p, form, errors, StatusCode::BAD_REQUEST);
    }
    match areas::update_provider(&mut tx, p.id, version, name.as_str(), sector.as_str()).await {
        Ok(_) => {
            kaart::set_organization_details(&mut tx, p.id, &details).await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("provider", p.id.to_string())),
                    format!(
                        "naam '{}' → '{}', sector {} → {sector}",
                        p.name,
                        name.as_str(),
                        p.kind
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/aanbieders?opgeslagen=gewijzigd").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            let errors = FieldErrors::only("naam", NAME_TAKEN);
            form_page(&state, &ctx, &p, form, errors, StatusCode::BAD_REQUEST)
        }
        Err(StoreError::Conflict { .. }) => {
            let object = ("provider", p.id.to_string());
            let stale = refuse_stale(tx, &state, &ctx, object, version, "deze aanbieder");
            let errors = FieldErrors::only("_form", stale.await?);
            form_page(&state, &ctx, &p, form, errors, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}
