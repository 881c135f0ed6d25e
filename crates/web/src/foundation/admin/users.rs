//! `/beheer/gebruikers`: accounts, their role and links, unlocking, temporary passwords.

use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::password::hash_password_async;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use crate::support::time::nl_local;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, Link, LinkError, Password, Role, Username};
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
        "foundation/admin/users.html",
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
    #[serde(default, rename = "huishouden")]
    household: String,
    #[serde(default, rename = "organisatie")]
    provider: String,
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
    household: String,
    provider: String,
    active: bool,
    version: String,
}

#[derive(Serialize)]
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
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

/// The account's state, shown above the edit form with its actions.
#[derive(Serialize, Default)]
struct AccountState {
    id: i64,
    locked_until: String,
    failed_logins: i64,
    password_temporary: bool,
    is_self: bool,
}

/// What the edit page shows besides the form.
#[derive(Default)]
struct EditExtras {
    account: Option<AccountState>,
    password_error: String,
    saved: &'static str,
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<i64>,
    form: FormView,
    errors: BTreeMap<&str, String>,
    extras: EditExtras,
    status: StatusCode,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let teams = areas::teams(&mut tx).await?;
    let providers = areas::providers(&mut tx).await?;
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
        "foundation/admin/user_form.html",
        title,
        Value::from_serialize(context! {
            editing => editing.is_some(), action => action, form => form, errors => errors,
            roles => roles(), teams => teams, providers => providers,
            account => extras.account, password_error => extras.password_error, saved => extras.saved,
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
        household: String::new(),
        provider: String::new(),
        active: true,
        version: String::new(),
    };
    form_page(
        &state,
        &ctx,
        None,
        form,
        BTreeMap::new(),
        EditExtras::default(),
        StatusCode::OK,
    )
    .await
}

/// The role and what the account is linked to, checked together.
struct Links {
    role: Option<Role>,
    team: Option<i64>,
    household: Option<i64>,
    provider: Option<i64>,
}

/// The Dutch message for an account whose links do not fit its role.
fn link_message(e: LinkError) -> (&'static str, String) {
    match e {
        LinkError::Missing {
            role,
            link: Link::Team,
        } => (
            "team",
            format!(
                "Een {} hoort bij een team. Kies een team.",
                role.label().to_lowercase()
            ),
        ),
        LinkError::Missing {
            link: Link::Household,
            ..
        } => (
            "huishouden",
            "Een inwoner hoort bij een huishouden. Vul het huishoudnummer in.".into(),
        ),
        LinkError::Missing {
            link: Link::Provider,
            ..
        } => (
            "organisatie",
            "Een aanbieder hoort bij een organisatie. Kies een organisatie.".into(),
        ),
        LinkError::NotUsed {
            role,
            link: Link::Team,
        } => (
            "team",
            format!(
                "Een {} hoort niet bij een team. Kies ‘Geen team’.",
                role.label().to_lowercase()
            ),
        ),
        LinkError::NotUsed {
            link: Link::Household,
            ..
        } => (
            "huishouden",
            "Alleen een inwoner hoort bij een huishouden. Laat dit veld leeg.".into(),
        ),
        LinkError::NotUsed {
            link: Link::Provider,
            ..
        } => (
            "organisatie",
            "Alleen een aanbieder hoort bij een organisatie. Kies ‘Geen organisatie’.".into(),
        ),
    }
}

/// Checks role, team, household and organisation together; fills `errors`.
/// `current` is the account being edited (it may keep a team that has since
/// been deactivated).
async fn check_links(
    state: &AppState,
    form: &UserForm,
    current: Option<&users::User>,
    errors: &mut BTreeMap<&str, String>,
) -> Result<Links, AppError> {
    let role = match Role::parse(&form.role) {
        Ok(r) => Some(r),
        Err(_) => {
            errors.insert("rol", "Kies een rol uit de lijst.".into());
            None
        }
    };
    let mut tx = state.db.read().await?;
    let team = match form.team.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) => match areas::team(&mut tx, id).await? {
                None => {
                    errors.insert(
                        "team",
                        "Dit team bestaat niet (meer). Kies een team uit de lijst.".into(),
                    );
                    None
                }
                Some(team) if !team.active && current.and_then(|u| u.team_id) != Some(id) => {
                    errors.insert("team", "Dit team is opgeheven. Kies een ander team.".into());
                    None
                }
                Some(_) => Some(id),
            },
            Err(_) => {
                errors.insert("team", "Kies een team uit de lijst.".into());
                None
            }
        },
    };
    let household = match form.household.trim() {
        "" => None,
        h => match h.parse::<i64>().ok().filter(|n| *n >= 1) {
            Some(id) if areas::household_exists(&mut tx, id).await? => Some(id),
            Some(id) => {
                errors.insert(
                    "huishouden",
                    format!("Er is geen huishouden met nummer {id}. Controleer het nummer."),
                );
                None
            }
            None => {
                errors.insert(
                    "huishouden",
                    "Vul het nummer van het huishouden in, alleen cijfers (bijvoorbeeld 1234)."
                        .into(),
                );
                None
            }
        },
    };
    let provider = match form.provider.trim() {
        "" => None,
        p => {
            let providers = areas::providers(&mut tx).await?;
            match p
                .parse::<i64>()
                .ok()
                .filter(|id| providers.iter().any(|x| x.id == *id))
            {
                Some(id) => Some(id),
                None => {
                    errors.insert("organisatie", "Kies een organisatie uit de lijst.".into());
                    None
                }
            }
        }
    };
    drop(tx);
    if let Some(r) = role {
        // A field that is wrong already has its message; only the missing or
        // superfluous links are added.
        let given =
            |field: &str, value: &str| !value.trim().is_empty() || errors.contains_key(field);
        let (t, h, p) = (
            given("team", &form.team),
            given("huishouden", &form.household),
            given("organisatie", &form.provider),
        );
        for e in r.check_links(t, h, p) {
            let (field, message) = link_message(e);
            errors.entry(field).or_insert(message);
        }
    }
    Ok(Links {
        role,
        team,
        household,
        provider,
    })
}

fn view_of(form: &UserForm, active: bool) -> FormView {
    FormView {
        username: form.username.trim().to_owned(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        team: form.team.trim().to_owned(),
        household: form.household.trim().to_owned(),
        provider: form.provider.trim().to_owned(),
        active,
        version: form.version_field.clone(),
    }
}

fn check_name(form: &UserForm, errors: &mut BTreeMap<&str, String>) -> String {
    let name = form.display_name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        errors.insert("naam", "Vul een naam in (hoogstens 120 tekens).".into());
    }
    name
}

fn link_detail(role: Role, links: &Links) -> String {
    let mut d = format!("rol {role}");
    if let Some(t) = links.team {
        d.push_str(&format!(", team {t}"));
    }
    if let Some(h) = links.household {
        d.push_str(&format!(", huishouden {h}"));
    }
    if let Some(p) = links.provider {
        d.push_str(&format!(", organisatie {p}"));
    }
    d
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
    let name = check_name(&form, &mut errors);
    let links = check_links(&state, &form, None, &mut errors).await?;
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
        (username, links.role, password, errors.is_empty())
    else {
        return form_page(
            &state,
            &ctx,
            None,
            view_of(&form, true),
            errors,
            EditExtras::default(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let hash = hash_password_async(password.expose().to_owned())
        .await
        .map_err(AppError::internal("hashing the password"))?;
    let mut tx = state.db.begin().await?;
    let created = users::create(
        &mut tx,
        &users::NewUser {
            username: &username,
            display_name: &name,
            role,
            team_id: links.team,
            provider_id: links.provider,
            household_id: links.household,
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
                    link_detail(role, &links),
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
                EditExtras::default(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn path_user_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::NotFound)
}

fn account_state(ctx: &Ctx, user: &users::User) -> AccountState {
    let now = chrono::Utc::now();
    AccountState {
        id: user.id,
        locked_until: user
            .locked_until
            .filter(|l| *l > now)
            .map(|l| nl_local(l).format("%d-%m-%Y %H:%M").to_string())
            .unwrap_or_default(),
        failed_logins: user.failed_logins,
        password_temporary: user.password_temporary,
        is_self: ctx.user.as_ref().is_some_and(|u| u.user.id == user.id),
    }
}

fn stored_view(user: &users::User) -> FormView {
    FormView {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str().into(),
        team: user.team_id.map(|t| t.to_string()).unwrap_or_default(),
        household: user.household_id.map(|t| t.to_string()).unwrap_or_default(),
        provider: user.provider_id.map(|t| t.to_string()).unwrap_or_default(),
        active: user.active,
        version: user.version.to_string(),
    }
}

async fn load_user(state: &AppState, id: i64) -> Result<users::User, AppError> {
    let mut tx = state.db.read().await?;
    let user = users::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    drop(tx);
    Ok(user)
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> PageResult {
    let id = path_user_id(&id)?;
    let user = load_user(&state, id).await?;
    let saved = match q.get("opgeslagen").map(String::as_str) {
        Some("ontgrendeld") => "Het account is ontgrendeld. De gebruiker kan weer inloggen.",
        Some("wachtwoord") => "Het tijdelijke wachtwoord is ingesteld en alle sessies van de gebruiker zijn beëindigd. Geef het wachtwoord veilig door; bij het inloggen kiest de gebruiker een eigen wachtwoord.",
        _ => "",
    };
    let extras = EditExtras {
        account: Some(account_state(&ctx, &user)),
        saved,
        ..EditExtras::default()
    };
    form_page(
        &state,
        &ctx,
        Some(id),
        stored_view(&user),
        BTreeMap::new(),
        extras,
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
    let id = path_user_id(&id)?;
    let current = load_user(&state, id).await?;
    form.username = current.username.clone();
    let active = form.active_box == "ja";
    let mut errors: BTreeMap<&str, String> = BTreeMap::new();
    let name = check_name(&form, &mut errors);
    let links = check_links(&state, &form, Some(&current), &mut errors).await?;
    let Ok(version) = form.version_field.trim().parse::<i64>() else {
        return Err(AppError::BadRequest(
            "Het formulier mist de versie van de gegevens. Laad de pagina opnieuw.".into(),
        )
        .into());
    };
    if ctx.user.as_ref().is_some_and(|u| u.user.id == id)
        && (!active || links.role != Some(Role::Beheerder))
    {
        errors.insert("_form", "U kunt uw eigen account niet uitschakelen of uw eigen beheerrol afnemen. Vraag een andere beheerder.".into());
    }
    let extras = || EditExtras {
        account: Some(account_state(&ctx, &current)),
        ..EditExtras::default()
    };
    let (Some(role), true) = (links.role, errors.is_empty()) else {
        return form_page(
            &state,
            &ctx,
            Some(id),
            view_of(&form, active),
            errors,
            extras(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    let change = users::UserChange {
        display_name: &name,
        role,
        team_id: links.team,
        provider_id: links.provider,
        household_id: links.household,
        active,
    };
    match users::update(&mut tx, id, version, &change).await {
        Ok(_) => {
            let detail = format!(
                "rol {} → {}, actief {} → {active}",
                current.role,
                link_detail(role, &links).trim_start_matches("rol "),
                current.active
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
            let stale = refuse_stale(
                tx,
                &state,
                &ctx,
                ("user", id.to_string()),
                version,
                "deze gebruiker",
            );
            errors.insert("_form", stale.await?);
            form_page(
                &state,
                &ctx,
                Some(id),
                view_of(&form, active),
                errors,
                extras(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A form sent with a stale version: rolls back the transaction that found the
/// conflict, audits the refusal in a transaction of its own, and returns the
/// Dutch message for the top of the form. `subject` names what was changed
/// ("dit team", "deze aanbieder").
pub(crate) async fn refuse_stale(
    tx: baken_store::Tx,
    state: &AppState,
    ctx: &Ctx,
    object: (&str, String),
    version: i64,
    subject: &str,
) -> Result<String, AppError> {
    tx.rollback().await?;
    let mut tx = state.db.begin().await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Conflict,
            Some(object),
            format!("versie {version} verouderd"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(format!(
        "Iemand anders heeft {subject} intussen gewijzigd. Er is niets opgeslagen. Laad de pagina opnieuw en voer uw wijziging nog eens in."
    ))
}

/// Lifts a lock after failed logins.
pub async fn unlock_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let id = path_user_id(&id)?;
    let mut tx = state.db.begin().await?;
    let user = users::by_id(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    users::unlock(&mut tx, id).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", id.to_string())),
            format!(
                "ontgrendeld na {} mislukte inlogpogingen",
                user.failed_logins
            ),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/gebruikers/{id}?opgeslagen=ontgrendeld")).into_response())
}

#[derive(Deserialize)]
pub struct TemporaryPasswordForm {
    #[serde(default)]
    tijdelijk_wachtwoord: String,
}

/// Sets a temporary password: the lock is lifted, every session of the user
/// ends, and at the next login the user must choose their own password.
pub async fn set_temporary_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<TemporaryPasswordForm>,
) -> PageResult {
    let id = path_user_id(&id)?;
    let user = load_user(&state, id).await?;
    if ctx.user.as_ref().is_some_and(|u| u.user.id == id) {
        // The page does not offer this for one's own account.
        return Err(
            AppError::BadRequest("Uw eigen wachtwoord wijzigt u via Mijn account.".into()).into(),
        );
    }
    let problem = Password::parse(&form.tijdelijk_wachtwoord).err().map(|_| {
        format!(
            "Kies een tijdelijk wachtwoord van minstens {} en hoogstens {} tekens.",
            Password::MIN,
            Password::MAX
        )
    });
    if let Some(message) = problem {
        let extras = EditExtras {
            account: Some(account_state(&ctx, &user)),
            password_error: message,
            ..EditExtras::default()
        };
        return form_page(
            &state,
            &ctx,
            Some(id),
            stored_view(&user),
            BTreeMap::new(),
            extras,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let hash = hash_password_async(form.tijdelijk_wachtwoord.clone())
        .await
        .map_err(AppError::internal("hashing the password"))?;
    let mut tx = state.db.begin().await?;
    users::set_temporary_password(&mut tx, id, &hash).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", id.to_string())),
            "tijdelijk wachtwoord ingesteld, ontgrendeld, sessies beëindigd",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/gebruikers/{id}?opgeslagen=wachtwoord")).into_response())
}
