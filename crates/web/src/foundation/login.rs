//! Logging in and out.

use crate::signin;
use crate::support::back::safe_back;
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

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    terug: Option<String>,
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

/// The one answer to a wrong password, an unknown name and a disabled account
/// alike, so the login form never tells which names exist.
const LOGIN_FAILED: &str = "Gebruikersnaam of wachtwoord klopt niet.";

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let username = form.gebruikersnaam.trim().to_ascii_lowercase();
    let back = safe_back(Some(&form.terug));
    let fail = |state: &AppState, ctx: &Ctx, status: StatusCode, msg: &str| -> PageResult {
        let page = render(
            state,
            ctx,
            "foundation/login.html",
            "Inloggen",
            Value::from_serialize(context! {
                back => back, username => username, error => msg,
            }),
        )?;
        Ok((status, page).into_response())
    };

    // An empty field is no guess: nothing to check, count or audit.
    if username.is_empty() || form.wachtwoord.is_empty() {
        return fail(&state, &ctx, StatusCode::BAD_REQUEST, LOGIN_FAILED);
    }
    // Wrong passwords slow down their address and the name tried (see
    // `login_throttle`); an attempt that has to wait is not checked at all.
    let attempt = match state.login_throttle.attempt(
        &ctx.client,
        &username,
        std::time::Instant::now(),
    ) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let seconds = wait.as_secs().max(1);
            login_throttled_audit(&state, &ctx, seconds).await;
            let msg = format!("U hebt te vaak een verkeerde gebruikersnaam of wachtwoord ingevuld. Wacht {seconds} seconden en probeer het dan opnieuw.");
            let mut res = fail(&state, &ctx, StatusCode::TOO_MANY_REQUESTS, &msg)?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return Ok(res);
        }
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
        verify_password_async(form.wachtwoord.clone(), dummy_hash().to_owned())
            .await
            .map_err(AppError::from)?;
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
        return fail(&state, &ctx, StatusCode::BAD_REQUEST, LOGIN_FAILED);
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
    let verified = verify_password_async(form.wachtwoord.clone(), hash.clone())
        .await
        .map_err(AppError::from)?
        && user.active;

    // The outcome, in one short transaction that looks at the account again:
    // guesses verified at the same time as others are still counted one by one
    // (the counter is incremented in the database), and a password changed or
    // an account disabled meanwhile refuses even the right password.
    let mut tx = state.db.begin().await?;
    users::lock_for_update(&mut tx, user.id).await?;
    let current = users::by_id(&mut tx, user.id).await?;
    let current_hash = users::password_hash(&mut tx, user.id).await?;
    let Some(current) = current else {
        return Err(AppError::NotFound.into());
    };
    let ok = verified && current.active && current_hash == hash;
    if !ok {
        let detail = if current.active {
            let n = users::record_failed_login(&mut tx, user.id).await?;
            format!("wachtwoord onjuist ({n}e keer sinds de vorige inlog)")
        } else {
            "account uitgeschakeld".to_owned()
        };
        audit::append(&mut tx, &actor_entry(AuditOutcome::Failed, detail)).await?;
        tx.commit().await?;
        return fail(&state, &ctx, StatusCode::BAD_REQUEST, LOGIN_FAILED);
    }
    // With a second step to come, the failure count stays until it is done:
    // a right password must not buy fresh guesses at the code.
    let next = signin::session::next_step(&mut tx, &state, &current).await?;
    let (secret, failed_before) = if next == signin::session::Next::Done {
        let failed_before = users::record_successful_login(&mut tx, user.id).await?;
        let (secret, _csrf) =
            users::create_session_after(&mut tx, user.id, state.config.session_ttl, failed_before)
                .await?;
        (secret, failed_before)
    } else {
        let (secret, _csrf) =
            users::create_pending_session(&mut tx, user.id, state.config.session_ttl, 0).await?;
        (secret, 0)
    };
    audit::append(
        &mut tx,
        &actor_entry(AuditOutcome::Success, next.audit_detail().to_owned()),
    )
    .await?;
    tx.commit().await?;
    state.login_throttle.succeeded(attempt);
    let back = if current.password_temporary {
        // A password set by a beheerder is only good for choosing one's own.
        "/account?tijdelijk=1".to_owned()
    } else if failed_before > 0 && back != "/start" {
        // The start page tells the holder about the wrong passwords first.
        format!(
            "/start?verder={}",
            serde_urlencoded::to_string([("", back.as_str())])
                .unwrap_or_default()
                .trim_start_matches('=')
        )
    } else {
        back
    };
    Ok(signin::session::with_cookie(
        &state,
        &secret,
        &signin::session::first_stop(next, back),
    ))
}

/// Audits a login refused because its address or name has to wait, within
/// the address's budget of anonymous entries (a flood must not flood the log).
async fn login_throttled_audit(state: &AppState, ctx: &Ctx, seconds: u64) {
    use crate::support::audit_budget::Budget;
    if state
        .anonymous_audit
        .take(&ctx.client, std::time::Instant::now())
        == Budget::Skip
    {
        return;
    }
    let entry = ctx.audit(
        AuditAction::Login,
        AuditOutcome::Denied,
        None,
        format!("te veel mislukte pogingen: wachten {seconds} s"),
    );
    let written = async {
        let mut tx = state.db.begin().await?;
        audit::append(&mut tx, &entry).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = written {
        tracing::error!(error = %e, "could not audit a throttled login");
    }
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
