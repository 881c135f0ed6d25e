//! `/inloggen/code`: the second step of a login — the code from the
//! authenticator app, or one of the recovery codes.

use super::session::{self, ENROL_PAGE};
use super::totp;
use crate::support::ctx::{Ctx, SESSION_COOKIE};
use crate::support::error::AppError;
use crate::support::login_throttle::LoginThrottle;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::second_factor::FactorInput;
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, second_factor, users};
use minijinja::{context, Value};
use serde::Deserialize;

pub async fn form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let current = ctx.user()?;
    if !current.second_factor_pending {
        return Ok(Redirect::to("/start").into_response());
    }
    let mut tx = state.db.read().await?;
    let enrolled = second_factor::enrolled(&mut tx, current.user.id).await?;
    drop(tx);
    if !enrolled {
        return Ok(Redirect::to(ENROL_PAGE).into_response());
    }
    page(&state, &ctx, "", StatusCode::OK)
}

fn page(state: &AppState, ctx: &Ctx, error: &str, status: StatusCode) -> PageResult {
    let html = render(
        state,
        ctx,
        "signin/code.html",
        "Code invoeren",
        Value::from_serialize(context! { error => error, locked => error == LOCKED }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

const WRONG: &str = "Deze code klopt niet. Kijk of u de code van Baken gebruikt en typ de 6 cijfers die de app nu toont.";
const REPLAY: &str =
    "Deze code is al gebruikt. Wacht tot de app een nieuwe code toont en typ die in.";
const LOCKED: &str =
    "Te veel mislukte pogingen. Log later opnieuw in, of vraag de beheerder om hulp.";

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<CodeForm>,
) -> PageResult {
    let current = ctx.user()?.clone();
    if !current.second_factor_pending {
        return Ok(Redirect::to("/start").into_response());
    }
    let user_id = current.user.id;
    let input = match FactorInput::parse(&form.code) {
        Ok(input) => input,
        Err(_) => {
            return page(
                &state,
                &ctx,
                "Typ de 6 cijfers uit de app, of een herstelcode (16 tekens).",
                StatusCode::BAD_REQUEST,
            )
        }
    };
    // Wrong codes slow down the address and the account name like wrong
    // passwords do (see `login_throttle`): the 1,000,000 codes cannot be tried
    // one after another.
    let attempt = match state.login_throttle.attempt(
        &ctx.client,
        &current.user.username,
        std::time::Instant::now(),
    ) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let seconds = wait.as_secs().max(1);
            let msg = format!(
                "U hebt te vaak een verkeerde code ingevuld. Wacht {seconds} seconden en probeer het dan opnieuw."
            );
            let mut res = page(&state, &ctx, &msg, StatusCode::TOO_MANY_REQUESTS)?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return Ok(res);
        }
    };
    let mut tx = state.db.begin().await?;
    users::lock_for_update(&mut tx, user_id).await?;
    users::by_id(&mut tx, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let factor = second_factor::factor(&mut tx, user_id)
        .await?
        .filter(|f| f.confirmed());
    let Some(factor) = factor else {
        drop(tx);
        return Ok(Redirect::to(ENROL_PAGE).into_response());
    };
    // Which kind of proof, and whether it holds.
    let (ok, detail, message) = match &input {
        FactorInput::Totp(code) => {
            match totp::matching_step(&factor.secret, code, totp::unix_now())? {
                Some(step) => {
                    let step = i64::try_from(step).unwrap_or(i64::MAX);
                    if second_factor::accept_step(&mut tx, user_id, step).await? {
                        (true, "tweede stap: code uit de app", "")
                    } else {
                        (false, "tweede stap: code al gebruikt", REPLAY)
                    }
                }
                None => (false, "tweede stap: code onjuist", WRONG),
            }
        }
        FactorInput::Recovery(code) => {
            if second_factor::use_recovery_code(&mut tx, user_id, code.as_str()).await? {
                (true, "tweede stap: herstelcode gebruikt", "")
            } else {
                (
                    false,
                    "tweede stap: herstelcode onjuist of al gebruikt",
                    WRONG,
                )
            }
        }
    };
    if !ok {
        // Every miss counts towards the same lock as wrong passwords, so the
        // 1,000,000 codes cannot be tried one after another.
        let failures = users::record_failed_login(&mut tx, user_id).await?;
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Login,
                AuditOutcome::Failed,
                Some(("user", user_id.to_string())),
                detail,
            ),
        )
        .await?;
        tx.commit().await?;
        // Past the free tries the waiting session ends: the password is asked
        // again (and that, too, slows down per name and address).
        if failures >= i64::from(LoginThrottle::FREE) {
            return locked_out(&state, &ctx, &current).await;
        }
        return page(&state, &ctx, message, StatusCode::BAD_REQUEST);
    }
    let secret = session::complete(&mut tx, &state, &current).await?;
    state.login_throttle.succeeded(attempt);
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Login,
            AuditOutcome::Success,
            Some(("user", user_id.to_string())),
            detail,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(session::with_cookie(&state, &secret, "/start"))
}

/// Too many misses: the half-open session ends and the login starts again.
async fn locked_out(
    state: &AppState,
    ctx: &Ctx,
    current: &crate::support::ctx::CurrentUser,
) -> PageResult {
    if let Some(secret) = &current.session_secret {
        let mut tx = state.db.begin().await?;
        users::delete_session(&mut tx, secret).await?;
        tx.commit().await?;
    }
    let mut anonymous = ctx.clone();
    anonymous.user = None;
    let mut res = page(state, &anonymous, LOCKED, StatusCode::TOO_MANY_REQUESTS)?;
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}
