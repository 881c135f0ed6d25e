//! `/beheer/teams`: wijkteams and their districts.

use super::users::refuse_stale;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode};
use baken_store::{areas, audit, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize, Serialize, Default)]
pub struct TeamForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    actief: String,
    #[serde(default)]
    versie: String,
}

async fn teams_page(
    state: &AppState,
    ctx: &Ctx,
    form: TeamForm,
    errors: BTreeMap<&str, String>,
    saved: &str,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let teams = areas::teams(&mut tx).await?;
    let districts = areas::districts(&mut tx).await?;
    drop(tx);
    let html = render(
        state,
        ctx,
        "foundation/admin/teams.html",
        "Teams",
        Value::from_serialize(context! {
            teams => teams, districts => districts, form => form, errors => errors, saved => saved,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn teams(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let saved = match q.get("opgeslagen").map(String::as_str) {
        Some("gewijzigd") => "De wijzigingen in het team zijn opgeslagen.",
        Some(_) => "Het team is aangemaakt.",
        None => "",
    };
    teams_page(
        &state,
        &ctx,
        TeamForm::default(),
        BTreeMap::new(),
        saved,
        StatusCode::OK,
    )
    .await
}

/// Name (3–80 characters) and district (empty, or an existing one): the checks
/// shared by creating and editing a team.
async fn check_team_form(
    state: &AppState,
    form: &TeamForm,
    errors: &mut BTreeMap<&str, String>,
) -> Result<(String, Option<String>), AppError> {
    let name = form.naam.trim().to_owned();
    if name.chars().count() < 3 || name.chars().count() > 80 {
        errors.insert("naam", "Vul een naam in van 3 tot 80 tekens.".into());
    }
    let district = if form.wijk.trim().is_empty() {
        None
    } else {
        match DistrictCode::parse(&form.wijk) {
            Ok(d) => {
                let mut tx = state.db.read().await?;
                if !areas::district_exists(&mut tx, d.as_str()).await? {
                    errors.insert(
                        "wijk",
                        "Deze wijk bestaat niet. Kies een wijk uit de lijst.".into(),
                    );
                }
                Some(d.to_string())
            }
            Err(_) => {
                errors.insert("wijk", "Kies een wijk uit de lijst.".into());
                None
            }
        }
    };
    Ok((name, district))
}

pub async fn create_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TeamForm>,
) -> PageResult {
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let (name, district) = check_team_form(&state, &form, &mut errors).await?;
    if !errors.is_empty() {
        return teams_page(&state, &ctx, form, errors, "", StatusCode::BAD_REQUEST).await;
    }
    let mut tx = state.db.begin().await?;
    match areas::create_team(&mut tx, &name, district.as_deref()).await {
        Ok(id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("team", id.to_string())),
                    name,
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/teams?opgeslagen=1").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            errors.insert("naam", "Er is al een team met deze naam.".into());
            teams_page(&state, &ctx, form, errors, "", StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

fn path_team_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

async fn team_form_page(
    state: &AppState,
    ctx: &Ctx,
    team: &areas::Team,
    form: TeamForm,
    errors: BTreeMap<&str, String>,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let districts = areas::districts(&mut tx).await?;
    let households = areas::team_households(&mut tx, team.id).await?;
    drop(tx);
    let html = render(
        state,
        ctx,
        "foundation/admin/team_form.html",
        "Team wijzigen",
        Value::from_serialize(context! {
            team => team, households => households, districts => districts, form => form, errors => errors,
        }),
    )?;
    Ok((status, html).into_response())
}

async fn load_team(state: &AppState, id: i64) -> Result<areas::Team, AppError> {
    let mut tx = state.db.read().await?;
    let team = areas::team(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    drop(tx);
    Ok(team)
}

pub async fn edit_team_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let team = load_team(&state, path_team_id(&id)?).await?;
    let form = TeamForm {
        naam: team.name.clone(),
        wijk: team.district_code.clone().unwrap_or_default(),
        actief: if team.active {
            "ja".into()
        } else {
            String::new()
        },
        versie: team.version.to_string(),
    };
    team_form_page(&state, &ctx, &team, form, BTreeMap::new(), StatusCode::OK).await
}

/// Renames a team, moves it to another district, or (de)activates it. A team
/// with active members or households cannot be deactivated: they would be left
/// without a team.
pub async fn edit_team_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<TeamForm>,
) -> PageResult {
    let team = load_team(&state, path_team_id(&id)?).await?;
    let Ok(version) = form.versie.trim().parse::<i64>() else {
        return Err(AppError::BadRequest(
            "Het formulier mist de versie van de gegevens. Laad de pagina opnieuw.".into(),
        )
        .into());
    };
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let (name, district) = check_team_form(&state, &form, &mut errors).await?;
    let active = form.actief == "ja";
    if team.active && !active {
        let mut tx = state.db.read().await?;
        let households = areas::team_households(&mut tx, team.id).await?;
        drop(tx);
        if team.members > 0 || households > 0 {
            errors.insert(
                "actief",
                format!(
                    "Dit team heeft nog {} actieve medewerkers en {households} huishoudens. Zet die eerst over naar een ander team; daarna kunt u dit team opheffen.",
                    team.members
                ),
            );
        }
    }
    if !errors.is_empty() {
        return team_form_page(&state, &ctx, &team, form, errors, StatusCode::BAD_REQUEST).await;
    }
    let mut tx = state.db.begin().await?;
    let change = areas::TeamChange {
        name: &name,
        district_code: district.as_deref(),
        active,
    };
    match areas::update_team(&mut tx, team.id, version, &change).await {
        Ok(_) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("team", team.id.to_string())),
                    format!(
                        "naam '{}' → '{name}', wijk {} → {}, actief {} → {active}",
                        team.name,
                        team.district_code.as_deref().unwrap_or("-"),
                        district.as_deref().unwrap_or("-"),
                        team.active
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/teams?opgeslagen=gewijzigd").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            errors.insert("naam", "Er is al een team met deze naam.".into());
            team_form_page(&state, &ctx, &team, form, errors, StatusCode::BAD_REQUEST).await
        }
        Err(StoreError::Conflict { .. }) => {
            let stale = refuse_stale(
                tx,
                &state,
                &ctx,
                ("team", team.id.to_string()),
                version,
                "dit team",
            );
            errors.insert("_form", stale.await?);
            team_form_page(&state, &ctx, &team, form, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
