//! Administration: users, teams, districts and the audit log (beheerder only).

use super::households::{nl_local, page_number};
use super::{render, PageResult};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::password::hash_password_async;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, DistrictCode, Password, Role, Username};
use baken_store::audit::AuditFilter;
use baken_store::{areas, audit, users, StoreError};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role_label: &'static str,
    team: String,
    active: bool,
    locked: bool,
}

pub async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let list = users::list(&mut tx).await?;
    let teams = areas::teams(&mut tx).await?;
    drop(tx);
    let now = chrono::Utc::now();
    let rows: Vec<UserRow> = list
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            team: u
                .team_id
                .and_then(|t| teams.iter().find(|x| x.id == t))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            username: u.username,
            display_name: u.display_name,
            role_label: u.role.label(),
            active: u.active,
            locked: u.locked_until.is_some_and(|l| l > now),
        })
        .collect();
    let saved = match q.get("opgeslagen").map(String::as_str) {
        Some("nieuw") => "De gebruiker is aangemaakt.",
        Some("gewijzigd") => "De wijzigingen zijn opgeslagen.",
        _ => "",
    };
    Ok(render(
        &state,
        &ctx,
        "admin_users.html",
        "Gebruikers",
        Value::from_serialize(context! { users => rows, saved => saved }),
    )?
    .into_response())
}

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default, rename = "gebruikersnaam")]
    username: String,
    #[serde(default, rename = "naam")]
    display_name: String,
    #[serde(default, rename = "rol")]
    role: String,
    #[serde(default)]
    team: String,
    #[serde(default, rename = "wachtwoord", skip_serializing)]
    password: String,
    #[serde(default, rename = "actief")]
    active_box: String,
    #[serde(default, rename = "versie")]
    version_field: String,
}

#[derive(Serialize)]
struct FormView {
    username: String,
    display_name: String,
    role: String,
    team: String,
    active: bool,
    version: String,
}

#[derive(Serialize)]
struct Opt {
    value: String,
    label: String,
}

fn roles() -> Vec<Opt> {
    Role::ALL
        .iter()
        .map(|r| Opt {
            value: r.as_str().into(),
            label: r.label().into(),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<i64>,
    form: FormView,
    errors: BTreeMap<&str, String>,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let teams = areas::teams(&mut tx).await?;
    drop(tx);
    let action = match editing {
        Some(id) => format!("/beheer/gebruikers/{id}"),
        None => "/beheer/gebruikers/nieuw".into(),
    };
    let title = if editing.is_some() {
        "Gebruiker wijzigen"
    } else {
        "Nieuwe gebruiker"
    };
    let html = render(
        state,
        ctx,
        "admin_user_form.html",
        title,
        Value::from_serialize(context! {
            editing => editing.is_some(), action => action, form => form, errors => errors, roles => roles(), teams => teams,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn new_user_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let form = FormView {
        username: String::new(),
        display_name: String::new(),
        role: "generalist".into(),
        team: String::new(),
        active: true,
        version: String::new(),
    };
    form_page(&state, &ctx, None, form, BTreeMap::new(), StatusCode::OK).await
}

/// Checks role and team together; returns the parsed values or field errors.
async fn check_role_team(
    state: &AppState,
    form: &UserForm,
    errors: &mut BTreeMap<&str, String>,
) -> Result<(Option<Role>, Option<i64>), AppError> {
    let role = match Role::parse(&form.role) {
        Ok(r) => Some(r),
        Err(_) => {
            errors.insert("rol", "Kies een rol uit de lijst.".into());
            None
        }
    };
    let team = if form.team.trim().is_empty() {
        None
    } else {
        match form.team.trim().parse::<i64>() {
            Ok(id) => {
                let mut tx = state.db.read().await?;
                let exists = areas::team(&mut tx, id).await?.is_some();
                if !exists {
                    errors.insert(
                        "team",
                        "Dit team bestaat niet (meer). Kies een team uit de lijst.".into(),
                    );
                }
                Some(id)
            }
            Err(_) => {
                errors.insert("team", "Kies een team uit de lijst.".into());
                None
            }
        }
    };
    if let Some(r) = role {
        if r.needs_team() && team.is_none() && !errors.contains_key("team") {
            errors.insert(
                "team",
                format!("Een {} hoort bij een team. Kies een team.", r.as_str()),
            );
        }
    }
    Ok((role, team))
}

fn view_of(form: &UserForm, active: bool) -> FormView {
    FormView {
        username: form.username.trim().to_owned(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        team: form.team.clone(),
        active,
        version: form.version_field.clone(),
    }
}

pub async fn new_user_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<UserForm>,
) -> PageResult {
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let username = match Username::parse(&form.username) {
        Ok(u) => Some(u),
        Err(_) => {
            errors.insert("gebruikersnaam", "Gebruik 3 tot 64 tekens: kleine letters, cijfers, punt, streepje of liggend streepje.".into());
            None
        }
    };
    let name = form.display_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.insert("naam", "Vul een naam in (hoogstens 120 tekens).".into());
    }
    let (role, team) = check_role_team(&state, &form, &mut errors).await?;
    let password = match Password::parse(&form.password) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.insert(
                "wachtwoord",
                format!("Kies een wachtwoord van minstens {} tekens.", Password::MIN),
            );
            None
        }
    };
    let (Some(username), Some(role), Some(password), true) =
        (username, role, password, errors.is_empty())
    else {
        return form_page(
            &state,
            &ctx,
            None,
            view_of(&form, true),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let hash = hash_password_async(password.expose().to_owned())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = state.db.begin().await?;
    let created = users::create(
        &mut tx,
        &users::NewUser {
            username: &username,
            display_name: &name,
            role,
            team_id: if role.needs_team() {
                team
            } else {
                team.filter(|_| false)
            },
            provider_id: None,
            household_id: None,
            password_hash: &hash,
        },
    )
    .await;
    match created {
        Ok(id) => {
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("user", id.to_string())),
                    format!("rol {role}"),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/gebruikers?opgeslagen=nieuw").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            errors.insert(
                "gebruikersnaam",
                "Deze gebruikersnaam bestaat al. Kies een andere.".into(),
            );
            form_page(
                &state,
                &ctx,
                None,
                view_of(&form, true),
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let user = users::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    drop(tx);
    let form = FormView {
        username: user.username,
        display_name: user.display_name,
        role: user.role.as_str().into(),
        team: user.team_id.map(|t| t.to_string()).unwrap_or_default(),
        active: user.active,
        version: user.version.to_string(),
    };
    form_page(
        &state,
        &ctx,
        Some(id),
        form,
        BTreeMap::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn edit_user_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(mut form): Form<UserForm>,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.read().await?;
    let current = users::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    drop(tx);
    form.username = current.username.clone();
    let active = form.active_box == "ja";
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let name = form.display_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.insert("naam", "Vul een naam in (hoogstens 120 tekens).".into());
    }
    let (role, team) = check_role_team(&state, &form, &mut errors).await?;
    let Ok(version) = form.version_field.trim().parse::<i64>() else {
        return Err(AppError::BadRequest(
            "Het formulier mist de versie van de gegevens. Laad de pagina opnieuw.".into(),
        )
        .into());
    };
    if ctx.user.as_ref().is_some_and(|u| u.user.id == id)
        && (!active || role != Some(Role::Beheerder))
    {
        errors.insert("_form", "U kunt uw eigen account niet uitschakelen of uw eigen beheerrol afnemen. Vraag een andere beheerder.".into());
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        return form_page(
            &state,
            &ctx,
            Some(id),
            view_of(&form, active),
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let change = users::UserChange {
        display_name: &name,
        role,
        team_id: if role.needs_team() { team } else { None },
        active,
    };
    match users::update(&mut tx, id, version, &change).await {
        Ok(_) => {
            let detail = format!(
                "rol {} → {role}, actief {} → {active}",
                current.role, current.active
            );
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Success,
                    Some(("user", id.to_string())),
                    detail,
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/gebruikers?opgeslagen=gewijzigd").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            tx.rollback().await?;
            let mut tx = state.db.begin().await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Update,
                    AuditOutcome::Conflict,
                    Some(("user", id.to_string())),
                    format!("versie {version} verouderd"),
                ),
            )
            .await?;
            tx.commit().await?;
            errors.insert("_form", "Iemand anders heeft deze gebruiker intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw en voer uw wijziging nog eens in.".into());
            form_page(
                &state,
                &ctx,
                Some(id),
                view_of(&form, active),
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Serialize, Default)]
pub struct TeamForm {
    #[serde(default)]
    naam: String,
    #[serde(default)]
    wijk: String,
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
        "admin_teams.html",
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
    let saved = if q.contains_key("opgeslagen") {
        "Het team is aangemaakt."
    } else {
        ""
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

pub async fn create_team(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<TeamForm>,
) -> PageResult {
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
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

#[derive(Serialize)]
struct DistrictView {
    code: String,
    name: String,
    households: i64,
    neighbourhoods: i64,
    items: Vec<areas::Neighbourhood>,
}

pub async fn districts(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let mut tx = state.db.read().await?;
    let districts = areas::districts(&mut tx).await?;
    let neighbourhoods = areas::neighbourhoods(&mut tx).await?;
    drop(tx);
    let view: Vec<DistrictView> = districts
        .into_iter()
        .map(|d| DistrictView {
            items: neighbourhoods
                .iter()
                .filter(|n| n.district_code == d.code)
                .cloned()
                .collect(),
            code: d.code,
            name: d.name,
            households: d.households,
            neighbourhoods: d.neighbourhoods,
        })
        .collect();
    Ok(render(
        &state,
        &ctx,
        "admin_districts.html",
        "Wijken en buurten",
        Value::from_serialize(context! { districts => view }),
    )?
    .into_response())
}

#[derive(Deserialize, Serialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    gebruiker: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default, skip_serializing)]
    pagina: Option<String>,
}

#[derive(Serialize)]
struct AuditView {
    seq: i64,
    at: String,
    who: String,
    client_addr: String,
    action: String,
    outcome: String,
    object: String,
    route: String,
    detail: String,
}

fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

pub async fn audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let mut filter = AuditFilter {
        username: Some(q.gebruiker.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()),
        action: baken_domain::AuditAction::parse(q.actie.trim()).map(|a| a.as_str().to_owned()),
        outcome: baken_domain::AuditOutcome::parse(q.uitkomst.trim())
            .map(|o| o.as_str().to_owned()),
        ..AuditFilter::default()
    };
    if !q.object.trim().is_empty() {
        match q.object.trim().split_once(':') {
            Some((t, id)) if !t.is_empty() && !id.is_empty() => {
                filter.object_type = Some(t.trim().to_owned());
                filter.object_id = Some(id.trim().to_owned());
            }
            _ => {
                errors.insert(
                    "object",
                    "Schrijf het object als soort:nummer, bijvoorbeeld household:12.".into(),
                );
            }
        }
    }
    if !q.van.trim().is_empty() {
        match parse_day(&q.van) {
            Some(d) => filter.from = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
            None => {
                errors.insert("van", "Vul een datum in als jjjj-mm-dd.".into());
            }
        }
    }
    if !q.tot.trim().is_empty() {
        match parse_day(&q.tot) {
            Some(d) => {
                filter.until = d
                    .succ_opt()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            }
            None => {
                errors.insert("tot", "Vul een datum in als jjjj-mm-dd.".into());
            }
        }
    }
    let page_no = page_number(q.pagina.as_deref());
    let mut tx = state.db.begin().await?;
    let page = audit::search(&mut tx, &filter, page_no, 50).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Search,
            AuditOutcome::Success,
            Some(("audit_log", "*".into())),
            format!("resultaten={}", page.total),
        ),
    )
    .await?;
    tx.commit().await?;
    let items: Vec<AuditView> = page
        .items
        .iter()
        .map(|r| AuditView {
            seq: r.seq,
            at: r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            who: match (&r.username, &r.role) {
                (Some(u), Some(role)) => format!("{u} ({role})"),
                (Some(u), None) => u.clone(),
                _ => "anoniem".into(),
            },
            client_addr: r.client_addr.clone(),
            action: baken_domain::AuditAction::parse(&r.action)
                .map(|a| a.label())
                .unwrap_or(&r.action)
                .to_owned(),
            outcome: baken_domain::AuditOutcome::parse(&r.outcome)
                .map(|o| o.label())
                .unwrap_or(&r.outcome)
                .to_owned(),
            object: match (&r.object_type, &r.object_id) {
                (Some(t), Some(i)) => format!("{t}:{i}"),
                _ => String::new(),
            },
            route: r.route.clone(),
            detail: r.detail.clone(),
        })
        .collect();
    let _ = nl_local;
    let actions: Vec<Opt> = baken_domain::AuditAction::ALL
        .iter()
        .map(|a| Opt {
            value: a.as_str().into(),
            label: a.label().into(),
        })
        .collect();
    let outcomes: Vec<Opt> = baken_domain::AuditOutcome::ALL
        .iter()
        .map(|a| Opt {
            value: a.as_str().into(),
            label: a.label().into(),
        })
        .collect();
    let pager_base = format!(
        "/beheer/audit?{}&",
        serde_urlencoded::to_string(&q).unwrap_or_default()
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let html = render(
        &state,
        &ctx,
        "admin_audit.html",
        "Auditlog",
        Value::from_serialize(context! {
            page => context! { items => items, total => page.total, page => page.page, pages => page.pages() },
            filter => q, errors => errors, actions => actions, outcomes => outcomes, pager_base => pager_base,
        }),
    )?;
    Ok((status, html).into_response())
}
