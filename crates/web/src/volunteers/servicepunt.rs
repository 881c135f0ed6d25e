//! The ServicePunt consultant's page (the makelaar role): applications to
//! vacancies, waiting first, with the volunteer's VOG against the vacancy's
//! need; placing a volunteer from a start day or not, with a reason; and the
//! volunteers with their skills, languages, availability and VOG. Every view
//! names the volunteers it showed in the audit log.

use super::volunteer::internal;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{path_id, FieldErrors, HtmlForm, SavedQuery};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::{nl_date, parse_date, today};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use baken_domain::volunteering::{ApplicationState, VogStatus, VolunteerError};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::volunteers::{self as vw, VolunteerStoreError};
use minijinja::{context, Value};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    besluit: String,
    start: String,
    reden: String,
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = if q.opgeslagen.is_some() {
        "Het besluit is opgeslagen."
    } else {
        ""
    };
    show(&state, &ctx, saved, FieldErrors::new(), StatusCode::OK).await
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    saved: &str,
    errors: FieldErrors,
    status: StatusCode,
) -> PageResult {
    let today = today();
    let mut tx = state.db.begin().await?;
    let applications = vw::applications_for_consultant(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            None,
            "aanmeldingen op vacatures",
        ),
    )
    .await?;
    let volunteers = vw::profiles_for_consultant(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            None,
            "vrijwilligers van het ServicePunt",
        ),
    )
    .await?;
    tx.commit().await?;
    let vog = |end| {
        let s = VogStatus::of(end, today);
        context! { label => s.label(), warn => matches!(s, VogStatus::EndsSoon(_) | VogStatus::Expired) }
    };
    let html = render(
        state,
        ctx,
        "volunteers/servicepunt.html",
        "ServicePunt Vrijwilligers",
        Value::from_serialize(context! {
            waiting => applications.iter().filter(|a| a.state == ApplicationState::Aangemeld.as_str()).map(|a| context! {
                id => a.id, volunteer => a.volunteer_name.clone(), title => a.vacancy_title.clone(),
                provider => a.provider_name.clone(), vog_required => a.vog_required,
                vog => vog(a.vog_valid_until), motivation => a.motivation.clone(),
            }).collect::<Vec<_>>(),
            decided => applications.iter().filter(|a| a.state != ApplicationState::Aangemeld.as_str()).take(20).map(|a| context! {
                volunteer => a.volunteer_name.clone(), title => a.vacancy_title.clone(),
                state => ApplicationState::parse(&a.state).map(|s| s.label()).unwrap_or(""),
                start => a.start_on.map(nl_date),
            }).collect::<Vec<_>>(),
            volunteers => volunteers.iter().map(|p| context! {
                name => p.display_name.clone(), skills => p.skills.clone(), languages => p.languages.clone(),
                trainings => p.trainings.clone(),
                availability => p.availability().iter().map(|a| a.label()).collect::<Vec<_>>().join(", "),
                vog => vog(p.vog_valid_until),
            }).collect::<Vec<_>>(),
            saved => saved, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<DecideForm>,
) -> PageResult {
    let id = path_id(&id)?;
    let by = ctx.user()?.user.id;
    let field = |name: &str| format!("{name}-{id}");
    let mut errors = FieldErrors::new();
    let to = match form.besluit.as_str() {
        "plaatsen" => Some(ApplicationState::Geplaatst),
        "afwijzen" => Some(ApplicationState::Afgewezen),
        _ => {
            errors.add(field("besluit"), "Kies: plaatsen of niet plaatsen.");
            None
        }
    };
    let start = match (to, form.start.trim()) {
        (Some(ApplicationState::Geplaatst), "") => {
            errors.add(field("start"), "Vul de startdatum in, zoals 01-02-2027.");
            None
        }
        (_, "") => None,
        (_, typed) => {
            let parsed = parse_date(typed);
            if parsed.is_none() {
                errors.add(field("start"), "Vul de startdatum in, zoals 01-02-2027.");
            }
            parsed
        }
    };
    let reason = form.reden.trim();
    if reason.chars().count() > 500 {
        errors.add(field("reden"), "Schrijf de reden in hooguit 500 tekens.");
    }
    let Some(to) = to.filter(|_| errors.is_empty()) else {
        return show(&state, &ctx, "", errors, StatusCode::BAD_REQUEST).await;
    };
    let mut tx = state.db.begin().await?;
    let profile = match vw::decide(&mut tx, id, to, start, reason, by).await {
        Ok(Some(profile)) => profile,
        Ok(None) => return Err(AppError::NotFound.into()),
        Err(VolunteerStoreError::Rule(e)) => {
            drop(tx);
            let (name, message) = match e {
                VolunteerError::VogNeeded => (
                    field("start"),
                    "Voor deze vacature is een VOG nodig die op de startdatum nog geldig is. Vraag de vrijwilliger eerst een nieuwe VOG aan te vragen.",
                ),
                _ => (field("besluit"), "Over deze aanmelding is al besloten."),
            };
            return show(
                &state,
                &ctx,
                "",
                FieldErrors::only(name, message),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
        Err(e) => return Err(internal(e).into()),
    };
    crate::support::audit::commit_audited(
        tx,
        &ctx,
        AuditAction::Update,
        ("volunteer_application", id.to_string()),
        format!("{} (vrijwilliger {profile})", to.label().to_lowercase()),
    )
    .await?;
    Ok(Redirect::to("/servicepunt?opgeslagen=1#aanmeldingen").into_response())
}
