//! `/beheer/teams`: wijkteams and their districts.

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
use baken_domain::{AuditAction, AuditOutcome, DistrictCode, EmailAddress, PhoneNumber};
use baken_store::{areas, audit, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default)]
pub struct TeamForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    wijk: String,
    #[serde(default)]
    actief: String,
    /// How residents reach the team (optional).
    #[serde(default)]
    telefoon: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    versie: String,
}

async fn teams_page(
    state: &AppState,
    ctx: &Ctx,
    form: TeamForm,
    errors: FieldErrors,
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
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let saved = match q.opgeslagen.as_deref() {
        Some("gewijzigd") => "De wijzigingen in het team zijn opgeslagen.",
        Some(_) => "Het team is aangemaakt.",
        None => "",
    };
    teams_page(
        &state,
        &ctx,
        TeamForm::default(),
        FieldErrors::new(),
        saved,
        StatusCode::OK,
    )
    .await
}

/// A team as the form describes it, every field checked.
struct TeamInput {
    name: String,
    district: Option<String>,
    active: bool,
    phone: Option<PhoneNumber>,
    email: Option<EmailAddress>,
}

/// What an active team still holds when it is edited: a team with active
/// members or households cannot be deactivated, they would be left without one.
struct Holding {
    members: i64,
    households: i64,
}

/// What checking the team form needs from the database.
struct TeamFacts {
    /// Whether `wijk` names a district that exists.
    district_exists: bool,
    /// When editing an active team: what it still holds.
    holding: Option<Holding>,
}

impl TeamForm {
    /// Name (3–80 characters) and district (empty, or one that exists), and —
    /// when editing a team that holds people — whether it may be deactivated.
    fn parse(&self, facts: TeamFacts) -> Result<TeamInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.naam.trim().to_owned();
        if name.chars().count() < 3 || name.chars().count() > 80 {
            errors.add("naam", "Vul een naam in van 3 tot 80 tekens.");
        }
        let district = if self.wijk.trim().is_empty() {
            None
        } else {
            match DistrictCode::parse(&self.wijk) {
                Ok(code) if facts.district_exists => Some(code.to_string()),
                Ok(_) => {
                    errors.add(
                        "wijk",
                        "Deze wijk bestaat niet. Kies een wijk uit de lijst.",
                    );
                    None
                }
                Err(_) => {
                    errors.add("wijk", "Kies een wijk uit de lijst.");
                    None
                }
            }
        };
        let active = self.actief == "ja";
        if let Some(holding) = facts
            .holding
            .filter(|h| !active && (h.members > 0 || h.households > 0))
        {
            errors.add(
                "actief",
                format!(
                    "Dit team heeft nog {} actieve medewerkers en {} huishoudens. Zet die eerst over naar een ander team; daarna kunt u dit team opheffen.",
                    holding.members, holding.households
                ),
            );
        }
        let phone = match self.telefoon.trim() {
            "" => None,
            typed => PhoneNumber::parse(typed)
                .map_err(|_| {
                    errors.add(
                        "telefoon",
                        "Vul een Nederlands telefoonnummer in, zoals 020 123 4567 of 14 020, of laat het leeg.",
                    )
                })
                .ok(),
        };
        let email = match self.email.trim() {
            "" => None,
            typed => EmailAddress::parse(typed)
                .map_err(|_| {
                    errors.add(
                        "email",
                        "Vul een e-mailadres in zoals wijkteam@gemeente.nl, of laat het leeg.",
                    )
                })
                .ok(),
        };
        errors.or_ok(TeamInput {
            name,
            district,
            active,
            phone,
            email,
        })
    }
}

/// Whether the form's `wijk` names a district that exists.
async fn district_exists(state: &AppState, form: &TeamForm) -> Result<bool, AppError> {
    let Ok(code) = DistrictCode::parse(&form.wijk) else {
        return Ok(false);
    };
    let mut tx = state.db.read().await?;
    Ok(areas::district_exists(&mut tx, code.as_str()).await?)
}

pub async fn create_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TeamForm>,
) -> PageResult {
    let facts = TeamFacts {
        district_exists: district_exists(&state, &form).await?,
        holding: None,
    };
    let input = match form.parse(facts) {
        Ok(input) => input,
        Err(errors) => {
            return teams_page(&state, &ctx, form, errors, "", StatusCode::BAD_REQUEST).await
        }
    };
    let TeamInput { name, district, .. } = input;
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
            let errors = FieldErrors::only("naam", "Er is al een team met deze naam.");
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
    errors: FieldErrors,
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
        telefoon: team.phone.clone().unwrap_or_default(),
        email: team.email.clone().unwrap_or_default(),
        versie: team.version.to_string(),
    };
    team_form_page(
        &state,
        &ctx,
        &team,
        form,
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
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
    let version = form_version(&form.versie)?;
    let holding = if team.active {
        let mut tx = state.db.read().await?;
        let households = areas::team_households(&mut tx, team.id).await?;
        drop(tx);
        Some(Holding {
            members: team.members,
            households,
        })
    } else {
        None
    };
    let facts = TeamFacts {
        district_exists: district_exists(&state, &form).await?,
        holding,
    };
    let input = match form.parse(facts) {
        Ok(input) => input,
        Err(errors) => {
            return team_form_page(&state, &ctx, &team, form, errors, StatusCode::BAD_REQUEST).await
        }
    };
    let TeamInput {
        name,
        district,
        active,
        phone,
        email,
    } = input;
    let mut tx = state.db.begin().await?;
    let change = areas::TeamChange {
        name: &name,
        district_code: district.as_deref(),
        active,
        phone: phone.as_ref().map(PhoneNumber::as_str),
        email: email.as_ref().map(EmailAddress::as_str),
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
                        "naam '{}' → '{name}', wijk {} → {}, actief {} → {active}, telefoon {} → {}, e-mail {} → {}",
                        team.name,
                        team.district_code.as_deref().unwrap_or("-"),
                        district.as_deref().unwrap_or("-"),
                        team.active,
                        team.phone.as_deref().unwrap_or("-"),
                        phone.as_ref().map(PhoneNumber::as_str).unwrap_or("-"),
                        team.email.as_deref().unwrap_or("-"),
                        email.as_ref().map(EmailAddress::as_str).unwrap_or("-"),
                    ),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/teams?opgeslagen=gewijzigd").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            let errors = FieldErrors::only("naam", "Er is al een team met deze naam.");
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
            let errors = FieldErrors::only("_form", stale.await?);
            team_form_page(&state, &ctx, &team, form, errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}
