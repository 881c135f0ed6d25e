//! `/beheer/gebruikers`: accounts, their role and links, temporary passwords.

use super::user_form::{
    AccountChange, FormView, LinkTargets, NewAccount, TemporaryPasswordForm, UserForm,
};
use crate::support::audit::refuse_stale;
use crate::support::choice::{choices, Choice};
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::form::{form_version, FieldErrors, SavedQuery};
use crate::support::password::{hash_password_async, refused_passwords};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome, Role};
use baken_store::{areas, audit, users, StoreError};
use minijinja::{context, Value};
use serde::Serialize;

#[derive(Serialize)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role_label: &'static str,
    team: String,
    active: bool,
}

pub async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let mut tx = state.db.read().await?;
    let list = users::list(&mut tx).await?;
    let teams = areas::teams(&mut tx).await?;
    drop(tx);
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
        })
        .collect();
    let saved = match q.opgeslagen.as_deref() {
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

fn roles() -> Vec<Choice> {
    choices(&Role::ALL, Role::as_str, Role::label)
}

/// The account's state, shown above the edit form with its actions.
#[derive(Serialize, Default)]
struct AccountState {
    id: i64,
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
    errors: FieldErrors,
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
        FieldErrors::new(),
        EditExtras::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn new_user_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<UserForm>,
) -> PageResult {
    let targets = LinkTargets::load(&state, &form).await?;
    let NewAccount {
        username,
        password,
        account,
    } = match form.parse_new(&targets) {
        Ok(new) => new,
        Err(errors) => {
            return form_page(
                &state,
                &ctx,
                None,
                form.view(true),
                errors,
                EditExtras::default(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let hash = hash_password_async(password.expose().to_owned())
        .await
        .map_err(AppError::from)?;
    let mut tx = state.db.begin().await?;
    let created = users::create(
        &mut tx,
        &users::NewUser {
            username: &username,
            display_name: &account.name,
            role: account.role,
            team_id: account.team,
            provider_id: account.provider,
            household_id: account.household,
            password_hash: &hash,
        },
    )
    .await;
    match created {
        Ok(id) => {
            // A first password set by a beheerder is temporary: the user
            // chooses their own at the first login (the login flow sends a
            // user with a temporary password to the password page).
            users::set_temporary_password(&mut tx, id, &hash).await?;
            audit::append(
                &mut tx,
                &ctx.audit(
                    AuditAction::Create,
                    AuditOutcome::Success,
                    Some(("user", id.to_string())),
                    account.link_detail(),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(Redirect::to("/beheer/gebruikers?opgeslagen=nieuw").into_response())
        }
        Err(StoreError::Duplicate(_)) => {
            tx.rollback().await?;
            let errors = FieldErrors::only(
                "gebruikersnaam",
                "Deze gebruikersnaam bestaat al. Kies een andere.",
            );
            form_page(
                &state,
                &ctx,
                None,
                form.view(true),
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
    AccountState {
        id: user.id,
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
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let id = path_user_id(&id)?;
    // An account (its name, role, household link) is personal data: audited.
    let audit_ctx = ctx.clone();
    let user = state
        .db
        .audited(move |tx| {
            Box::pin(async move {
                let user = users::by_id(tx, id).await?;
                let (outcome, detail) = match &user {
                    Some(_) => (AuditOutcome::Success, "accountgegevens"),
                    None => (AuditOutcome::NotFound, ""),
                };
                let entry = audit_ctx.audit(
                    AuditAction::Read,
                    outcome,
                    Some(("user", id.to_string())),
                    detail,
                );
                Ok::<_, AppError>((user, vec![entry]))
            })
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let saved = match q.opgeslagen.as_deref() {
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
        FieldErrors::new(),
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
    let version = form_version(&form.version_field)?;
    let own = ctx.user.as_ref().is_some_and(|u| u.user.id == id);
    let targets = LinkTargets::load(&state, &form).await?;
    let extras = || EditExtras {
        account: Some(account_state(&ctx, &current)),
        ..EditExtras::default()
    };
    let AccountChange { account, active } = match form.parse_change(&targets, &current, own) {
        Ok(change) => change,
        Err(errors) => {
            return form_page(
                &state,
                &ctx,
                Some(id),
                form.view(form.active()),
                errors,
                extras(),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    let mut tx = state.db.begin().await?;
    let change = users::UserChange {
        display_name: &account.name,
        role: account.role,
        team_id: account.team,
        provider_id: account.provider,
        household_id: account.household,
        active,
    };
    match users::update(&mut tx, id, version, &change).await {
        Ok(_) => {
            let detail = format!(
                "rol {} → {}, actief {} → {active}",
                current.role,
                account.link_detail().trim_start_matches("rol "),
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
            let errors = FieldErrors::only("_form", stale.await?);
            form_page(
                &state,
                &ctx,
                Some(id),
                form.view(active),
                errors,
                extras(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
    let password = match form.parse(refused_passwords(state.config.demo)) {
        Ok(password) => password,
        Err(message) => {
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
                FieldErrors::new(),
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let hash = hash_password_async(password.expose().to_owned())
        .await
        .map_err(AppError::from)?;
    let mut tx = state.db.begin().await?;
    users::set_temporary_password(&mut tx, id, &hash).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", id.to_string())),
            "tijdelijk wachtwoord ingesteld, sessies beëindigd",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/beheer/gebruikers/{id}?opgeslagen=wachtwoord")).into_response())
}
