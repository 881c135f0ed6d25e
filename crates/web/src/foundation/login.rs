//! Logging in and out.

use crate::signin;
use crate::support::ctx::Ctx;
use crate::support::ctx::SESSION_COOKIE;
use crate::support::error::AppError;
use crate::support::password::{dummy_hash, verify_password_async};
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, users};
use minijinja::{context, Value};
use serde::Deserialize;

pub async fn home(ctx: Ctx) -> Redirect {
    if ctx.user.is_some() {
        Redirect::to("/start")
    } else {
        Redirect::to("/inloggen")
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    terug: Option<String>,
}

/// Only local paths, so the login page cannot be used to send someone elsewhere.
fn safe_back(back: Option<&str>) -> String {
    match back {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b.to_owned(),
        _ => "/start".to_owned(),
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<LoginQuery>,
) -> PageResult {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/start").into_response());
    }
    Ok(render(
        &state,
        &ctx,
        "foundation/login.html",
        "Inloggen",
        Value::from_serialize(context! {
            back => safe_back(q.terug.as_deref()), username => "", error => "",
        }),
    )?
    .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    gebruikersnaam: String,
    #[serde(default)]
    wachtwoord: String,
    #[serde(default)]
    terug: String,
}

const LOGIN_FAILED: &str = "Gebruikersnaam of wachtwoord klopt niet.";

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let username = form.gebruikersnaam.trim().to_ascii_lowercase();
    let back = safe_back(Some(&form.terug));
    let fail = |state: &AppState, ctx: &Ctx, msg: &str, username: &str| -> PageResult {
        let page = render(
            state,
            ctx,
            "foundation/login.html",
            "Inloggen",
            Value::from_serialize(context! {
                back => back, username => username, error => msg,
            }),
        )?;
        Ok((StatusCode::BAD_REQUEST, page).into_response())
    };

    // Look the account up without holding a write lock: argon2 takes tens of
    // milliseconds on purpose, and on SQLite a write transaction would make
    // every other writer wait for it.
    let mut tx = state.db.read().await?;
    let found = match users::by_username(&mut tx, &username).await? {
        Some(user) => {
            let hash = users::password_hash(&mut tx, user.id).await?;
            Some((user, hash))
        }
        None => None,
    };
    drop(tx);
    let Some((user, hash)) = found else {
        // Same work as for a real account, so timing does not reveal which names exist.
        verify_password_async(form.wachtwoord.clone(), dummy_hash().to_owned()).await;
        let entry = ctx.audit(
            AuditAction::Login,
            AuditOutcome::Failed,
            None,
            format!(
                "onbekende gebruikersnaam ({} tekens)",
                username.chars().count()
            ),
        );
        let mut tx = state.db.begin().await?;
        audit::append(&mut tx, &entry).await?;
        tx.commit().await?;
        return fail(&state, &ctx, LOGIN_FAILED, &username);
    };
    let mut as_user = ctx.clone();
    as_user.user = None;
    let actor_entry = |outcome, detail: String| {
        let mut e = as_user.audit(
            AuditAction::Login,
            outcome,
            Some(("user", user.id.to_string())),
            detail,
        );
        e.actor.user_id = Some(user.id);
        e.actor.username = Some(user.username.clone());
        e.actor.role = Some(user.role.as_str().to_owned());
        e
    };
    let locked_message = |until: chrono::DateTime<chrono::Utc>,
                          now: chrono::DateTime<chrono::Utc>| {
        let minutes = ((until - now).num_seconds() + 59) / 60;
        format!("Te veel mislukte pogingen. Dit account is tijdelijk geblokkeerd. Probeer het over {minutes} minuten opnieuw, of vraag de beheerder om hulp.")
    };
    let now = chrono::Utc::now();
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        let mut tx = state.db.begin().await?;
        audit::append(
            &mut tx,
            &actor_entry(AuditOutcome::Denied, "account tijdelijk geblokkeerd".into()),
        )
        .await?;
        tx.commit().await?;
        return fail(&state, &ctx, &locked_message(until, now), &username);
    }
    let verified =
        user.active && verify_password_async(form.wachtwoord.clone(), hash.clone()).await;

    // The outcome, in one short transaction that looks at the account again:
    // guesses verified at the same time as others are still counted one by one
    // (the counter is incremented in the database), a lock set meanwhile by
    // those others refuses even the right password, and so does a password
    // changed meanwhile.
    let mut tx = state.db.begin().await?;
    users::lock_for_update(&mut tx, user.id).await?;
    let now = chrono::Utc::now();
    let current = users::by_id(&mut tx, user.id).await?;
    let current_hash = users::password_hash(&mut tx, user.id).await?;
    let Some(current) = current else {
        return Err(AppError::NotFound.into());
    };
    if let Some(until) = current.locked_until.filter(|u| *u > now) {
        audit::append(
            &mut tx,
            &actor_entry(AuditOutcome::Denied, "account tijdelijk geblokkeerd".into()),
        )
        .await?;
        tx.commit().await?;
        return fail(&state, &ctx, &locked_message(until, now), &username);
    }
    let ok = verified && current.active && current_hash == hash;
    if !ok {
        let locked = users::record_failed_login(&mut tx, user.id).await?;
        let detail = if current.active {
            "wachtwoord onjuist"
        } else {
            "account uitgeschakeld"
        };
        audit::append(&mut tx, &actor_entry(AuditOutcome::Failed, detail.into())).await?;
        tx.commit().await?;
        let msg = if locked.is_some() {
            "Te veel mislukte pogingen. Dit account is tijdelijk geblokkeerd. Probeer het later opnieuw, of vraag de beheerder om hulp."
        } else {
            LOGIN_FAILED
        };
        return fail(&state, &ctx, msg, &username);
    }
    // With a second step to come, the failure count stays until it is done:
    // a right password must not buy fresh guesses at the code.
    let (secret, next) = signin::session::open(&mut tx, &state, &current, false).await?;
    if next == signin::session::Next::Done {
        users::record_successful_login(&mut tx, user.id).await?;
    }
    audit::append(
        &mut tx,
        &actor_entry(AuditOutcome::Success, next.audit_detail().to_owned()),
    )
    .await?;
    tx.commit().await?;
    // A password set by a beheerder is only good for choosing one's own.
    let back = if current.password_temporary {
        "/account?tijdelijk=1".to_owned()
    } else {
        back
    };
    Ok(signin::session::with_cookie(
        &state,
        &secret,
        &signin::session::first_stop(next, back),
    ))
}

pub async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let user = ctx.user()?;
    let mut tx = state.db.begin().await?;
    if let Some(secret) = &user.session_secret {
        users::delete_session(&mut tx, secret).await?;
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Logout,
            AuditOutcome::Success,
            Some(("user", user.user.id.to_string())),
            "",
        ),
    )
    .await?;
    tx.commit().await?;
    let mut res = Redirect::to("/inloggen").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
