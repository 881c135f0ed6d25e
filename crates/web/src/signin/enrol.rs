//! `/inloggen/tweede-stap`: setting up the second factor (a QR code for the
//! authenticator app, confirmed with a first code), the recovery codes shown
//! once, and new recovery codes for an account that has the factor.

use super::session;
use super::totp;
use crate::support::ctx::Ctx;
use crate::support::error::AppError;
use crate::support::render::{render, PageResult};
use crate::support::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use baken_domain::second_factor::{FactorInput, RecoveryCode};
use baken_domain::{AuditAction, AuditOutcome};
use baken_store::{audit, second_factor};
use minijinja::{context, Value};
use serde::Deserialize;

/// Shows the enrolment (a fresh secret each time it is opened, until one is
/// confirmed), or, for an account that has a second factor, its state.
pub async fn form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let current = ctx.user()?.clone();
    let mut tx = state.db.begin().await?;
    let factor = second_factor::factor(&mut tx, current.user.id).await?;
    if let Some(f) = factor.filter(|f| f.confirmed()) {
        let left = second_factor::recovery_codes_left(&mut tx, current.user.id).await?;
        drop(tx);
        if current.second_factor_pending {
            return Ok(Redirect::to(session::CODE_PAGE).into_response());
        }
        let since = super::factor::confirmed_since(&f).unwrap_or_default();
        return Ok(render(
            &state,
            &ctx,
            "signin/enrolled.html",
            "Tweede stap",
            Value::from_serialize(context! {
                since => since, left => left,
                required => current.user.role.requires_second_factor(),
            }),
        )?
        .into_response());
    }
    let secret = totp::new_secret();
    second_factor::start_enrolment(&mut tx, current.user.id, &secret).await?;
    tx.commit().await?;
    enrol_page(&state, &ctx, &secret, "", StatusCode::OK)
}

fn enrol_page(
    state: &AppState,
    ctx: &Ctx,
    secret: &str,
    error: &str,
    status: StatusCode,
) -> PageResult {
    let current = ctx.user()?;
    let url = totp::otpauth_url(secret, &current.user.username)?;
    let html = render(
        state,
        ctx,
        "signin/enrol.html",
        "Tweede stap instellen",
        Value::from_serialize(context! {
            qr => Value::from_safe_string(totp::qr_svg(&url)?),
            secret => totp::grouped(secret),
            error => error,
            pending => current.second_factor_pending,
            required => current.user.role.requires_second_factor() && !state.config.demo,
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// Confirms the enrolment with a first code: the factor is on, the recovery
/// codes are shown (once), and a waiting session becomes a full one.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    let current = ctx.user()?.clone();
    let user_id = current.user.id;
    let mut tx = state.db.begin().await?;
    let Some(factor) = second_factor::factor(&mut tx, user_id).await? else {
        drop(tx);
        return Ok(Redirect::to(session::ENROL_PAGE).into_response());
    };
    if factor.confirmed() {
        drop(tx);
        return Ok(Redirect::to(session::ENROL_PAGE).into_response());
    }
    // Only the app's code confirms an enrolment (recovery codes come after).
    let step = match FactorInput::parse(&form.code) {
        Ok(FactorInput::Totp(code)) => {
            totp::matching_step(&factor.secret, &code, totp::unix_now())?
        }
        _ => None,
    };
    let Some(step) = step else {
        audit::append(
            &mut tx,
            &ctx.audit(
                AuditAction::Update,
                AuditOutcome::Failed,
                Some(("user", user_id.to_string())),
                "tweede stap instellen: code onjuist",
            ),
        )
        .await?;
        tx.commit().await?;
        return enrol_page(
            &state,
            &ctx,
            &factor.secret,
            "Deze code klopt niet. Typ de 6 cijfers die de app nu bij Baken toont.",
            StatusCode::BAD_REQUEST,
        );
    };
    let codes = totp::new_recovery_codes();
    let canonical: Vec<String> = codes.iter().map(|c| c.as_str().to_owned()).collect();
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if !second_factor::confirm(&mut tx, user_id, step, &canonical).await? {
        return Err(AppError::Conflict("de tweede stap is intussen al ingesteld".into()).into());
    }
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", user_id.to_string())),
            "tweede stap ingesteld, herstelcodes gemaakt",
        ),
    )
    .await?;
    let new_secret = if current.second_factor_pending {
        Some(session::complete(&mut tx, &state, &current).await?)
    } else {
        None
    };
    tx.commit().await?;
    recovery_page(&state, &ctx, &codes, new_secret.as_deref(), true)
}

/// The recovery codes, shown this once. When the enrolment completed a login,
/// the response also carries the new session's cookie.
fn recovery_page(
    state: &AppState,
    ctx: &Ctx,
    codes: &[RecoveryCode],
    new_session: Option<&str>,
    just_enrolled: bool,
) -> PageResult {
    let shown: Vec<String> = codes.iter().map(RecoveryCode::grouped).collect();
    let html = render(
        state,
        ctx,
        "signin/recovery_codes.html",
        "Uw herstelcodes",
        Value::from_serialize(context! { codes => shown, just_enrolled => just_enrolled }),
    )?;
    let mut res = html.into_response();
    if let Some(secret) = new_session {
        // The cookie, without the redirect: this page must be seen first.
        let with = session::with_cookie(state, secret, "/start");
        for v in with.headers().get_all(axum::http::header::SET_COOKIE) {
            res.headers_mut()
                .append(axum::http::header::SET_COOKIE, v.clone());
        }
    }
    Ok(res)
}

/// New recovery codes for an account with a second factor; the old ones stop
/// working.
pub async fn new_recovery_codes(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let current = ctx.user()?.clone();
    if current.second_factor_pending {
        return Ok(Redirect::to(session::CODE_PAGE).into_response());
    }
    let user_id = current.user.id;
    let mut tx = state.db.begin().await?;
    if !second_factor::enrolled(&mut tx, user_id).await? {
        drop(tx);
        return Ok(Redirect::to(session::ENROL_PAGE).into_response());
    }
    let codes = totp::new_recovery_codes();
    let canonical: Vec<String> = codes.iter().map(|c| c.as_str().to_owned()).collect();
    second_factor::replace_recovery_codes(&mut tx, user_id, &canonical).await?;
    audit::append(
        &mut tx,
        &ctx.audit(
            AuditAction::Update,
            AuditOutcome::Success,
            Some(("user", user_id.to_string())),
            "nieuwe herstelcodes gemaakt",
        ),
    )
    .await?;
    tx.commit().await?;
    recovery_page(&state, &ctx, &codes, None, false)
}
