//! A generalist registers an informal carer from a household's network (met
//! in the kitchen-table conversation), with the carer's consent: the page
//! lists the carers already registered from that network and the form. Only
//! households in the generalist's scope; every view and registration audited.

use super::carer::{internal, CarerForm};
use crate::support::audit::audited_household_read;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::today;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::carers::CareRelation;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::carers::{self as mz, NewCarer};
use baken_store::{areas, households};
use minijinja::{context, Value};

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_id(&id)?;
    show(
        &state,
        &ctx,
        id,
        &CarerForm::default(),
        q.opgeslagen.is_some(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    form: &CarerForm,
    saved: bool,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let scope = ctx.user()?.scope();
    let entry = ctx.audit(
        AuditAction::Read,
        AuditOutcome::Success,
        None,
        "mantelzorgers uit het netwerk van een huishouden",
    );
    let (household, carers) = audited_household_read(
        state,
        ctx,
        scope,
        id,
        AuditAction::Read,
        "mantelzorgers",
        move |tx, h| {
            Box::pin(async move {
                let carers = mz::carers_of_household(tx, h.id, &entry).await?;
                let detail = format!("{} mantelzorgers uit het netwerk", carers.len());
                Ok((carers, detail))
            })
        },
    )
    .await?;
    let mut tx = state.db.read().await?;
    let districts = areas::districts(&mut tx).await?;
    drop(tx);
    let form = if form.wijk.is_empty() {
        CarerForm {
            wijk: household.district_code.clone(),
            ..form.clone()
        }
    } else {
        form.clone()
    };
    let html = render(
        state,
        ctx,
        "carers/network.html",
        "Mantelzorgers uit het netwerk",
        Value::from_serialize(context! {
            household => context! { id => household.id, address => format!("{} {}{}", household.street, household.house_number, household.house_letter) },
            carers => carers.iter().map(|c| context! {
                name => c.name.clone(), hours => c.hours_per_week, cares_for => c.cares_for.clone(),
                relation => CareRelation::parse(&c.relation).map(|r| r.label()).unwrap_or(""),
            }).collect::<Vec<_>>(),
            relations => CareRelation::ALL.iter().map(|r| context! { value => r.as_str(), label => r.label() }).collect::<Vec<_>>(),
            districts => districts.iter().map(|d| context! { value => d.code.clone(), label => d.name.clone() }).collect::<Vec<_>>(),
            form => form, saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<CarerForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let user = ctx.user()?;
    let (by, scope) = (user.user.id, user.scope());
    let mut tx = state.db.begin().await?;
    let household = households::get(&mut tx, id)
        .await?
        .filter(|h| scope.allows(h.id, h.team_id))
        .ok_or(AppError::NotFound)?;
    let districts = areas::districts(&mut tx).await?;
    let consent = form.toestemming.is_some();
    let parsed = match (form.parse(&districts), consent) {
        (Ok(p), true) => p,
        (result, _) => {
            let mut errors = result.err().unwrap_or_else(FieldErrors::new);
            if !consent {
                errors.add(
                    "toestemming",
                    "Registreer een mantelzorger alleen met diens toestemming. Vink aan dat u die hebt.",
                );
            }
            drop(tx);
            return show(
                &state,
                &ctx,
                household.id,
                &form,
                false,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let phone = parsed.phone.as_ref().map(|p| p.as_str().to_owned());
    let carer = mz::register(
        &mut tx,
        &NewCarer {
            user_id: None,
            household_id: Some(household.id),
            registered_by: Some(by),
            name: parsed.name.as_str(),
            phone: phone.as_deref(),
            district_code: &parsed.district,
            hours: parsed.hours,
            relation: parsed.relation,
            cares_for: &parsed.cares_for,
            consent_on: today(),
        },
    )
    .await
    .map_err(internal)?;
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Create,
        ("carer", carer.to_string()),
        format!("mantelzorger uit het netwerk van huishouden {id}, met toestemming"),
    )
    .await?;
    Ok(Redirect::to(&format!("/huishoudens/{id}/mantelzorgers?opgeslagen=1")).into_response())
}
